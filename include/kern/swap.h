/*
 * The LRU lists (mm/swap.c) every user and page-cache page lives on from
 * the moment it is mapped or cached, and the aging that reclaim relies on.
 * Two designs, chosen per machine (cfg.reclaim):
 *   2.4.10+  active and inactive lists; a page is added inactive and
 *            promoted by mark_page_accessed() on its second reference;
 *   2.4.0    active, inactive_dirty and inactive_clean lists; a page is
 *            added active with age PAGE_AGE_START, aged up on reference
 *            and down by the scanner (age_page_down).
 * All lists and counters are protected by pagemap_lru_lock.
 */
#ifndef KERN_SWAP_H
#define KERN_SWAP_H

#include "kern/mm.h"

#define PAGE_AGE_START	2
#define PAGE_AGE_ADV	3
#define PAGE_AGE_MAX	64

struct lru_state {
	spinlock_t pagemap_lru_lock;
	struct list_head active_list;
	struct list_head inactive_list;		/* 2.4.10: inactive; 2.4.0: inactive_dirty */
	struct list_head inactive_clean_list;	/* 2.4.0 only */
	unsigned long nr_active_pages;
	unsigned long nr_inactive_pages;	/* 2.4.0: inactive_dirty */
	unsigned long nr_inactive_clean_pages;
	struct list_head unevictable_list;	/* mlocked pages (PG_unevictable) */
	unsigned long nr_unevictable_pages;
};

void lru_init(struct machine *m);
/* Put a page (count held by the caller) on the LRU. */
void lru_cache_add(struct page *page);
/* Take it off again (pagemap_lru_lock taken here). */
void lru_cache_del(struct page *page);
/* Move to the active list (lock taken here). */
void activate_page(struct page *page);
/* A reference: 2.4.10 promotes on the second one, 2.4.0 ages the page up. */
void mark_page_accessed(struct page *page);
/* The two 2.4 designs' lru_cache_add and referenced (kern/reclaim_policy.h). */
void lru_cache_add_24_0(struct lru_state *lru, struct page *page);
void lru_cache_add_24_10(struct lru_state *lru, struct page *page);
void mark_page_accessed_24_0(struct page *page);
void mark_page_accessed_24_10(struct page *page);
/* 2.4.0 aging by the scanner (pagemap_lru_lock held). */
void age_page_up(struct page *page);
void age_page_down(struct page *page);
/* 2.4.0: move a page to the inactive_dirty or inactive_clean list (lock held). */
void deactivate_page_nolock(struct page *page);
/* List moves for reclaim (mm/vmscan.c), pagemap_lru_lock held; PG_lru unchanged. */
void add_page_to_active_list(struct lru_state *lru, struct page *page);
void add_page_to_inactive_list(struct lru_state *lru, struct page *page);
void add_page_to_unevictable_list(struct lru_state *lru, struct page *page);
void add_page_to_inactive_clean_list(struct lru_state *lru, struct page *page);
void del_page_from_lru_list(struct lru_state *lru, struct page *page);
/* mlock (pagemap_lru_lock held): to the unevictable list and back to the policy's. */
void lru_move_to_unevictable(struct lru_state *lru, struct page *page);
void lru_putback_evictable(struct lru_state *lru, struct page *page);
/*
 * release_pages - drop one reference to each of @nr order-0 pages, taking
 * the ones whose count reaches zero off the LRU under one hold of
 * pagemap_lru_lock and freeing them (Linux's batched put_page).
 */
void release_pages(struct page **pages, int nr);
/* Lists and counters agree (lock taken here); BUG naming the pfn if not. */
bool lru_is_valid(struct machine *m);

/* --- swap areas (mm/swapfile.c) and swap I/O (mm/page_io.c) -------------- */

#include "kern/pgtable.h"
#include "hw/disk.h"

#define SWAP_MAP_MAX	0x7fff	/* most references one slot can hold */
#define SWAP_MAP_BAD	0x8000
#define SWAPFILE_CLUSTER 256	/* slots handed out in a row before rescanning */

#define SWP_USED	1
#define SWP_WRITEOK	3

/* One swap area, as 2.4's swap_info_struct.  sdev_lock protects the map. */
struct swap_info_struct {
	unsigned int flags;
	spinlock_t sdev_lock;
	struct sim_disk disk;
	unsigned short *swap_map;	/* references per slot; slot 0 is the header */
	unsigned int map_order;		/* swap_map's pages: 2^map_order */
	unsigned long lowest_bit, highest_bit;	/* free slots lie within */
	unsigned long cluster_next, cluster_nr;
	unsigned long max;		/* slots, header included */
	unsigned long pages;		/* usable slots */
	unsigned long inuse_pages;
	int prio;
	int next;			/* next area in swap_list, by priority */
};

/*
 * The largest swap area: its swap_map (a short per slot) is one block of
 * the page allocator, at most 2^(MAX_ORDER-1) pages: 8 GiB of swap.
 */
#define MAX_SWAP_BYTES	((PAGE_SIZE << (MAX_ORDER - 1)) / sizeof(unsigned short) * PAGE_SIZE)

struct swap_state {
	spinlock_t swaplock;		/* swap_list, nr_swap_pages */
	int nr_swapfiles;
	int swap_list_head, swap_list_next;
	long nr_swap_pages;		/* free slots over all areas */
	long total_swap_pages;
	unsigned long map_pages;	/* pages the areas' swap_maps hold (accounting) */
	/*
	 * Swap readahead (2.4's page_cluster): a swap-in reads the aligned
	 * cluster of 2^page_cluster slots around the faulting one; 0 is off.
	 * Set at boot (cfg.page_cluster, or swap_setup's choice by RAM size).
	 */
	int page_cluster;
	struct swap_info_struct swap_info[MAX_SWAPFILES];
	/* why the last sys_swapon failed, with the host's errno text (boot says it) */
	char error[400];
};

/*
 * The swap-cache index of a slot: the offset, with the area above bit 56,
 * so that the slots of one area are dense keys (a radix-tree leaf holds 64
 * neighbouring slots; entry.val would spread them 256 apart).
 */
static inline unsigned long swap_cache_index(swp_entry_t entry)
{
	return ((unsigned long)swp_type(entry) << 56) | swp_offset(entry);
}

/*
 * sys_swapon - make @path (a host file, created or resized to @bytes; NULL
 * for an anonymous temporary file) a swap area with priority @prio (-1:
 * below every existing area, as Linux's default).  Writes a swap header
 * ("SWAPSPACE2" signature) in slot 0.  The area index, or -errno: -EINVAL
 * for a size under 10 pages or beyond what a PTE can address, -EPERM when
 * MAX_SWAPFILES areas exist, -EBUSY if @path is already in use.
 */
int sys_swapon(struct machine *m, const char *path, uint64_t bytes, int prio);
/* The swap state, allocated at boot before any area (0 or -ENOMEM). */
int swap_init(struct machine *m);
/* Put area @type into swap_list by priority (swaplock held). */
void swap_list_insert(struct swap_state *s, int type);
/* Pages held by the swap areas' maps (0 before swap_init). */
unsigned long swap_map_pages(struct machine *m);
/* Release every area (machine teardown; swapoff proper is try_to_unuse). */
void swap_fini(struct machine *m);
/* A free slot with a count of 1, or an entry with val 0 when swap is full. */
swp_entry_t get_swap_page(void);
/* Another reference to a slot (fork copying a swap PTE): 1, or 0 if invalid. */
int swap_duplicate(swp_entry_t entry);
/* Drop a reference; a slot whose count reaches 0 is free again. */
void swap_free(swp_entry_t entry);
/* References held on a slot (0 when free or invalid). */
int swap_count(swp_entry_t entry);
/* Totals in pages, for meminfo. */
void si_swapinfo(struct machine *m, unsigned long *total, unsigned long *free);
/* Map and counters agree; BUG naming the area and slot if not. */
bool swap_map_is_valid(struct machine *m);
/*
 * valid_swaphandles - the readahead window of @entry: the 2^page_cluster
 * aligned cluster of slots around it, cut at the end of the area.  *@offset
 * is the window's first slot, and bit i of *@mask is set when slot
 * *@offset + i is in use (not free, not bad, not the header): those are
 * the slots worth reading.  Returns how many bits are set (0: readahead
 * off, or a bad entry).  One snapshot under the area's sdev_lock.
 */
unsigned int valid_swaphandles(swp_entry_t entry, unsigned long *offset, uint64_t *mask);
/* Synchronous swap I/O of one page (page_io.c).  0 or -EIO. */
int rw_swap_page_nolock(int rw, swp_entry_t entry, struct page *page);
#define READ	0
#define WRITE	1

/*
 * Radix-tree tag of swapper_space marking a page read ahead and not yet
 * found by a task (swapper_space has no dirty or writeback tags: its
 * pages are swap-backed).  A task's lookup_swap_cache clears it and
 * counts swap_ra_hit, as Linux's PG_readahead.
 */
#define SWAP_TAG_READAHEAD	1

/*
 * swapin_readahead - read the slots of @entry's cluster (valid_swaphandles)
 * into the swap cache and the LRU, unmapped (2.4's swapin_readahead,
 * called by do_swap_page before it reads its own page).  Stops at the
 * first page it cannot get (no memory); counts swap_ra per page read.
 */
void swapin_readahead(swp_entry_t entry);

/* --- shmem pages between their page cache and the swap cache (swap_state.c) --- */

struct address_space;
/*
 * move_to_swap_cache - locked shmem @page leaves its inode's page cache
 * for the swap cache at @entry (the caller hands the cache one slot
 * reference), dirty.  0, -EEXIST (a page is cached there), -ENOMEM.
 */
int move_to_swap_cache(struct page *page, swp_entry_t entry);
/*
 * move_from_swap_cache - locked swap-cache @page goes to @index of shmem
 * @mapping, dirty; the swap cache's slot reference is dropped.  Radix
 * nodes come with @gfp_mask.  0, -EEXIST (a page is there), -ENOMEM.
 */
int move_from_swap_cache(struct page *page, unsigned long index, struct address_space *mapping,
			 gfp_t gfp_mask);

#endif

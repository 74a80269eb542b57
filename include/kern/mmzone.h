/*
 * Physical memory as the kernel sees it: struct page per frame (mem_map),
 * zones (DMA, NORMAL, HIGHMEM) each with its own buddy allocator, and nodes
 * (pg_data_t) holding zones and the zonelists that say where an allocation
 * falls back to.  Names and roles as in Linux 2.4's <linux/mmzone.h> and
 * <linux/mm.h>.
 */
#ifndef KERN_MMZONE_H
#define KERN_MMZONE_H

#include <stdatomic.h>
#include "lib/compiler.h"
#include "kern/list.h"
#include "kern/spinlock.h"
#include "kern/wait.h"
#include "kern/page-flags.h"
#include "kern/vmstat.h"
#include "kern/gfp.h"
#include "vmsim/config.h"
#include "hw/paging.h"

#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & PAGE_MASK)

#define MAX_ORDER	11	/* free_area[0..10]: blocks of 1 .. 1024 pages */
#define MAX_NUMNODES	VMSIM_MAX_NODES
#define NR_CPUS		VMSIM_MAX_CPUS

struct address_space;
struct zone_struct;

/*
 * One per physical frame, in mem_map (which itself lives in simulated RAM,
 * reserved by bootmem, as in Linux).  64 bytes, asserted below.
 *
 * Field use by owner:
 *  free (buddy):  PG_buddy on the head page, private = order, lru on
 *                 zone->free_area[order].free_list (zone->lock)
 *  per-CPU list:  lru on the CPU's pcp list, count 0, no PG_buddy
 *  slab:          PG_slab, mapping = kmem_cache_t, private = slab_t
 *  user/page cache: lru on an LRU list (pagemap_lru_lock), mapping and
 *                 index the page-cache identity, private the swap entry
 *  page table:    PG_pgtable
 */
struct page {
	atomic_uint flags;		/* PG_* bits */
	uint16_t age;			/* 2.4 page aging (reclaim) */
	uint8_t order_hint;		/* debug: order a compound block was allocated at */
	uint8_t mlock_count;		/* VM_LOCKED mappings, saturating (pagemap_lru_lock) */
	atomic_int _count;		/* references; 0 = free */
	atomic_int _mapcount;		/* PTEs mapping it, -1 = none */
	struct list_head lru;		/* free list / pcp list / LRU / slab list */
	struct address_space *mapping;
	unsigned long index;		/* page-cache offset (pages) */
	unsigned long private;		/* buddy order / swap entry / slab_t */
	struct zone_struct *zone;	/* the zone the frame belongs to */
};

_Static_assert(sizeof(struct page) <= 64, "struct page must stay within 64 bytes");

PAGE_FLAG_OPS(Locked, locked)
PAGE_FLAG_OPS(Error, error)
PAGE_FLAG_OPS(Referenced, referenced)
PAGE_FLAG_OPS(Uptodate, uptodate)
PAGE_FLAG_OPS(Dirty, dirty)
PAGE_FLAG_OPS(LRU, lru)
PAGE_FLAG_OPS(Active, active)
PAGE_FLAG_OPS(InactiveDirty, inactive_dirty)
PAGE_FLAG_OPS(InactiveClean, inactive_clean)
PAGE_FLAG_OPS(Slab, slab)
PAGE_FLAG_OPS(HighMem, highmem)
PAGE_FLAG_OPS(Reserved, reserved)
PAGE_FLAG_OPS(Launder, launder)
PAGE_FLAG_OPS(Writeback, writeback)
PAGE_FLAG_OPS(SwapCache, swapcache)
PAGE_FLAG_OPS(SwapBacked, swapbacked)
PAGE_FLAG_OPS(Mlocked, mlocked)
PAGE_FLAG_OPS(Unevictable, unevictable)
PAGE_FLAG_OPS(Buddy, buddy)
PAGE_FLAG_OPS(Anon, anon)
PAGE_FLAG_OPS(PageTable, pgtable)
PAGE_FLAG_OPS(Zero, zero)
PAGE_FLAG_OPS(Poisoned, poisoned)
PAGE_FLAG_OPS(Zeroed, zeroed)
PAGE_FLAG_OPS(Private, private)

static inline int page_count(const struct page *p)
{
	return atomic_load_explicit(&p->_count, memory_order_relaxed);
}
static inline void set_page_count(struct page *p, int v)
{
	atomic_store_explicit(&p->_count, v, memory_order_relaxed);
}
static inline void get_page(struct page *p)
{
	atomic_fetch_add_explicit(&p->_count, 1, memory_order_relaxed);
}
/* put_page_testzero - drop a reference; true if it was the last */
static inline bool put_page_testzero(struct page *p)
{
	return atomic_fetch_sub_explicit(&p->_count, 1, memory_order_acq_rel) == 1;
}
static inline int page_mapcount(const struct page *p)
{
	return atomic_load_explicit(&p->_mapcount, memory_order_relaxed) + 1;
}

/* Buddy free lists of one order. */
typedef struct free_area_struct {
	struct list_head free_list;
	unsigned long nr_free;		/* blocks on the list */
} free_area_t;

/*
 * Per-CPU page lists (Linux 2.6 for order 0; orders up to
 * PAGE_ALLOC_COSTLY_ORDER as Linux 5.14): the common alloc and free touch
 * only the running CPU's lists, no zone->lock.  Only the owning CPU uses
 * them; drain_local_pages() empties them back into the buddy lists.
 */
#define PAGE_ALLOC_COSTLY_ORDER	3
#define NR_PCP_LISTS		(PAGE_ALLOC_COSTLY_ORDER + 1)

struct per_cpu_pages {
	int count;			/* pages on all lists: written by the owner with
					 * pcp_count_add, read by others with pcp_count */
	int high;			/* above this, give batch pages back */
	int batch;			/* pages moved to/from the buddy at once */
	int free_rr;			/* round-robin list for bulk frees */
	/*
	 * One LIFO stack per order, linked through page->lru.next and ended
	 * by NULL (lru.prev is unused): taking or giving a page touches only
	 * that page and this structure.
	 */
	struct list_head *first[NR_PCP_LISTS];
	/*
	 * This CPU's part of the zone's counters (all but NR_FREE_PAGES):
	 * changed by the owner without a locked instruction, added up by
	 * zone_page_state, as Linux's vm_stat_diff (which Linux folds into
	 * the zone past a threshold; we fold on read instead, so a read is
	 * always exact).
	 */
	long vm_stat_diff[NR_VM_ZONE_STAT_ITEMS];
} __attribute__((aligned(64)));

/* The owner changes its count with a relaxed atomic store (a plain mov) so
 * other CPUs may read it (zone_free_pages, reports) without a data race. */
static inline void pcp_count_add(struct per_cpu_pages *pcp, int d)
{
	__atomic_store_n(&pcp->count, pcp->count + d, __ATOMIC_RELAXED);
}
static inline int pcp_count(const struct per_cpu_pages *pcp)
{
	return __atomic_load_n(&pcp->count, __ATOMIC_RELAXED);
}

enum zone_type { ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM, MAX_NR_ZONES };

struct pglist_data;

/* 2.4.10's sizing: a queue per 256 pages, a power of two from 4 to 4096. */
#define PAGES_PER_WAITQUEUE	256

typedef struct zone_struct {
	/* Fast-path fields read without the lock first. */
	atomic_long vm_stat[NR_VM_ZONE_STAT_ITEMS];	/* vm_stat[NR_FREE_PAGES]: zone->lock */
	unsigned long pages_min, pages_low, pages_high;	/* watermarks */
	atomic_int need_balance;			/* kswapd should look here */

	spinlock_t lock;
	free_area_t free_area[MAX_ORDER];		/* zone->lock */

	struct per_cpu_pages pageset[NR_CPUS];		/* owner CPU only */

	/*
	 * The page wait table (2.4.10): tasks waiting for a page's PG_locked
	 * to clear sleep on the queue its struct page hashes to; pages share
	 * queues, so a wake-up may find someone else's page still locked.
	 */
	wait_queue_head_t *wait_table;
	unsigned long wait_table_size;
	unsigned int wait_table_bits;

	/* Reclaim bookkeeping, filled by the reclaim code (pagemap_lru_lock). */
	unsigned long inactive_clean_pages, inactive_dirty_pages;

	struct pglist_data *zone_pgdat;
	struct page *zone_mem_map;			/* first page of the zone */
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;			/* frames in the zone's range */
	unsigned long present_pages;			/* not reserved at boot */
	unsigned long managed_pages;			/* given to the buddy allocator */
	enum zone_type idx;
	const char *name;
} zone_t;

/*
 * NR_FREE_PAGES is the zone's own (zone->lock): exact and read without the
 * lock by the watermark checks.  Changed under zone->lock only, so without
 * a locked instruction.
 */
static inline long zone_free_pages_state(zone_t *z)
{
	return atomic_load_explicit(&z->vm_stat[NR_FREE_PAGES], memory_order_relaxed);
}
static inline void __mod_zone_freepage_state(zone_t *z, long d)
{
	atomic_store_explicit(&z->vm_stat[NR_FREE_PAGES], zone_free_pages_state(z) + d,
			      memory_order_relaxed);
}
/* Any counter of @z: the zone's value plus every CPU's part (mm/vmstat.c). */
long zone_page_state(zone_t *z, enum zone_stat_item item);
/* mod_zone_page_state() is in kern/machine.h: it needs the running CPU. */

/* Allocation fallback order for one GFP zone modifier: NULL-terminated. */
typedef struct zonelist_struct {
	zone_t *zones[MAX_NUMNODES * MAX_NR_ZONES + 1];
} zonelist_t;

#define NR_GFPINDEX	(GFP_ZONEMASK + 1)

struct machine;
struct bootmem_data;

/*
 * numastat's counters (Linux's zone_statistics): each allocation counts
 * once on the node its pages came from (HIT if that is the node the
 * allocation preferred, else MISS there and FOREIGN on the preferred
 * node; LOCAL if it is the running CPU's node, else OTHER), and
 * INTERLEAVE_HIT where an interleaved allocation got its intended node.
 */
enum numa_stat_item {
	NUMA_HIT, NUMA_MISS, NUMA_FOREIGN, NUMA_INTERLEAVE_HIT, NUMA_LOCAL, NUMA_OTHER,
	NR_NUMA_STAT_ITEMS
};

/* A set of nodes, bit n for node n (MAX_NUMNODES <= BITS_PER_LONG). */
typedef unsigned long nodemask_t;

/* Linux's SLIT defaults: a node to itself, to any other (no table: flat). */
#define LOCAL_DISTANCE	10
#define REMOTE_DISTANCE	20

typedef struct pglist_data {
	zone_t node_zones[MAX_NR_ZONES];
	zonelist_t node_zonelists[NR_GFPINDEX];
	int nr_zones;
	struct page *node_mem_map;
	unsigned long node_start_pfn;
	unsigned long node_spanned_pages;
	unsigned long node_present_pages;
	struct bootmem_data *bdata;		/* this node's bootmem, in its own RAM */
	int node_id;
	struct machine *machine;
} pg_data_t;

static inline bool is_highmem(const zone_t *z)
{
	return z->idx == ZONE_HIGHMEM;
}

#endif

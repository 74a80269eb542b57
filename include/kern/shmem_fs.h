/*
 * Shared anonymous memory that can be swapped (Linux's <linux/shmem_fs.h>,
 * mm/shmem.c).  Each shmem inode (the object behind one MAP_SHARED |
 * MAP_ANONYMOUS mapping and its forks) keeps its resident pages in its page
 * cache and the swap slots of the pages it wrote out in a per-inode table
 * keyed by page index, as 2.4's i_direct/i_indirect blocks:
 *
 *   info->swap_tree   radix tree: block number -> struct shmem_swap_block
 *   block->ent[i]     the swap entry of page index
 *                     block number * SHMEM_SWP_BLOCK + i (0: none)
 *
 * Each entry in the table holds one reference on its slot, so for a shmem
 * slot swap_count = 1 (the table) + 1 if the swap cache holds a copy.
 *
 * A page index is in one of three states: in the page cache (resident),
 * in the table (on swap; its page may still sit in the swap cache), or
 * neither (a hole: it reads zero).  Moves between the first two happen with
 * the page locked; while one runs (shmem_writepage, or a swap-in), the page
 * cache and the table may both name the index, and the page cache wins.
 *
 * Lock order (adds to kern/vmscan.h's):
 *   shmem_sb_info.swaplist_sem -> page lock -> info->lock
 *     -> mapping->tree_lock -> swapper_space.tree_lock -> swaplock
 * info->lock is never held across I/O or a page lock wait, nor an
 * allocation but the GFP_ATOMIC radix nodes of move_from_swap_cache (the
 * table check, the move back and the clear are one step under it).
 */
#ifndef KERN_SHMEM_FS_H
#define KERN_SHMEM_FS_H

#include "kern/pagemap.h"

/* Entries per table block: the block is 512 bytes (kmalloc-512). */
#define SHMEM_SWP_BLOCK	62

struct shmem_swap_block {
	unsigned long base;		/* first page index it covers */
	unsigned int nr;		/* entries in use */
	unsigned int pad;
	swp_entry_t ent[SHMEM_SWP_BLOCK];
};

/* The shmem part of an inode (inode->i_private; 2.4 had it in the inode's union). */
struct shmem_inode_info {
	spinlock_t lock;			/* swap_tree, its blocks, swapped */
	unsigned long swapped;			/* entries in the table: pages on swap */
	struct radix_tree_root swap_tree;	/* block number -> shmem_swap_block */
	struct list_head swaplist;		/* shmem_sb_info.swaplist_sem */
	struct inode *vfs_inode;
	unsigned long acct_pages;		/* charged to Committed_AS (shmem_acct_size) */
};

/* The machine's shmem state (m->shmem): every shmem inode, for swapoff. */
struct shmem_sb_info {
	struct semaphore swaplist_sem;		/* shmem_inodes, nr_inodes */
	struct list_head shmem_inodes;
	unsigned long nr_inodes;
	/*
	 * Race window made deterministic for tests (debug builds only):
	 * called in shmem_writepage with the page locked, its new slot
	 * @swap in the table and the page not yet in the swap cache.
	 */
	void (*debug_writepage_window)(struct page *page, swp_entry_t swap);
};

static inline struct shmem_inode_info *SHMEM_I(const struct inode *inode)
{
	return inode->i_private;
}

/* Boot (called by vmscan_init) and teardown: 0 or -ENOMEM. */
int shmem_init(struct machine *m);
/* Every shmem inode must be gone (BUG naming one if not). */
void shmem_fini(struct machine *m);
/* Pages the live shmem objects charged to Committed_AS. */
unsigned long shmem_accounted_pages(struct machine *m);

/*
 * shmem_writepage - reclaim's writeout of a locked, unmapped shmem page
 * (mm/vmscan.c pageout): give it a swap slot, record the slot in the
 * inode's table and move the page from the page cache to the swap cache,
 * dirty, still locked, for the swap-cache path to write and free.
 * 0; -ENOSPC (swap full), -ENOMEM, -EBUSY (mapped again): the page stays
 * in the page cache.  A slot read speculatively meanwhile (swapoff,
 * readahead) is left to its reader, and another slot taken.
 */
int shmem_writepage(struct page *page);

/*
 * shmem_unuse - swapoff (try_to_unuse): if a shmem inode's table names
 * @entry, move locked swap-cache @page (the entry's page) back into that
 * inode's page cache and drop the table's reference.  1 if found, 0 if
 * no inode names it (or not yet: see @busy), -ENOMEM.  *@busy is NULL, or
 * the page still in the page cache at the index (with a reference): its
 * move is in progress under its page lock, which the caller waits for
 * (wait_on_page_locked) once it dropped @page's lock, then tries again.
 */
int shmem_unuse(swp_entry_t entry, struct page *page, struct page **busy);

/*
 * shmem_swap_usage - bytes of @vma's part of its shmem object that are on
 * swap (the table's entries), for /proc/PID/smaps "Swap:" (Linux 4.5+).
 */
unsigned long shmem_swap_usage(struct vm_area_struct *vma);

/* Pages of shmem inode @inode on swap (info->swapped). */
unsigned long shmem_swapped(struct inode *inode);

/* Table and counters agree; BUG naming the inode and index if not. */
bool shmem_inode_is_valid(struct inode *inode);

#endif

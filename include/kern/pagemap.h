/*
 * The page cache (mm/filemap.c), as Linux's <linux/pagemap.h>: pages of
 * files kept in their address_space's radix tree, found by (mapping,
 * index), read through a_ops->readpage, written back through
 * a_ops->writepage.
 *
 * A page-cache page holds one reference for the cache; it sits on the LRU
 * from the moment it is added (file pages !PG_swapbacked, shmem pages
 * PG_swapbacked); page->mapping and page->index are its identity.
 * PG_locked is held while the page is read, written back or removed;
 * lookups return pages with a reference (put_page / page_cache_release).
 *
 * Counters: NR_FILE_PAGES (all page-cache pages, shmem included, as
 * Linux), NR_SHMEM, NR_FILE_DIRTY (dirty file pages: exactly the pages
 * with the PAGECACHE_TAG_DIRTY tag), NR_WRITEBACK (pages under
 * writepage); pgpgin/pgpgout in KiB.
 */
#ifndef KERN_PAGEMAP_H
#define KERN_PAGEMAP_H

#include "kern/fs.h"
#include "kern/swap.h"

static inline struct fs_state *mapping_fs(const struct address_space *mapping)
{
	return mapping->host->i_machine->fs;
}

#define page_cache_get(page)		get_page(page)
#define page_cache_release(page)	put_page(page)

/* --- page lock (PG_locked) ----------------------------------------------- */

/* Wait (yielding the host CPU) until PG_locked is ours. */
void lock_page(struct page *page);
static inline bool trylock_page(struct page *page)
{
	return !TestSetPageLocked(page);
}
void unlock_page(struct page *page);
/* Wait until nobody holds the page lock. */
void wait_on_page_locked(struct page *page);
/* The wait queue of the zone's page wait table @page hashes to (tests). */
wait_queue_head_t *page_waitqueue_of(struct page *page);

/* --- the cache ----------------------------------------------------------- */

/*
 * add_to_page_cache - insert a new, locked page at @index of @mapping,
 * taking a reference for the cache.  0, -EEXIST (someone else's page is
 * there), or -ENOMEM (no radix-tree node).  The page goes on the LRU.
 */
int add_to_page_cache(struct page *page, struct address_space *mapping, unsigned long index,
		      gfp_t gfp_mask);
/* Take a locked page out of the cache (drops the cache's reference). */
void remove_from_page_cache(struct page *page);
/* The same with tree_lock held, reference not dropped. */
void __remove_from_page_cache(struct page *page);

/* The page at @index with a reference, or NULL. */
struct page *find_get_page(struct address_space *mapping, unsigned long index);
/* The same, locked, and still in @mapping (it may have been truncated). */
struct page *find_lock_page(struct address_space *mapping, unsigned long index);
/*
 * find_or_create_page / grab_cache_page - the locked page at @index,
 * created (not uptodate) if absent.  NULL on -ENOMEM.
 */
struct page *find_or_create_page(struct address_space *mapping, unsigned long index,
				 gfp_t gfp_mask);
static inline struct page *grab_cache_page(struct address_space *mapping, unsigned long index)
{
	return find_or_create_page(mapping, index, mapping->gfp_mask);
}
/* Up to @nr pages from @start, with references; returns how many. */
unsigned int find_get_pages(struct address_space *mapping, unsigned long start,
			    unsigned int nr, struct page **pages);

/*
 * read_cache_page - the uptodate page at @index (read through readpage if
 * needed), unlocked, with a reference; NULL with *err (-EIO, -ENOMEM).
 */
struct page *read_cache_page(struct address_space *mapping, unsigned long index,
			     struct file *file, int *err);

/* --- dirty pages and writeback ------------------------------------------- */

/* Mark a page-cache page dirty (tag and NR_FILE_DIRTY); true if it was clean. */
bool set_page_dirty(struct page *page);
/* Clear the dirty bit before writeback (tag and counter follow). */
bool clear_page_dirty_for_io(struct page *page);
/*
 * write_one_page - write a locked page if dirty (clears dirty, counts
 * NR_WRITEBACK around writepage, pgpgout); unlocks it.  0 or -EIO.
 */
int write_one_page(struct page *page);
/* Write every dirty page of [start, end] (page indices).  0 or first -errno. */
int filemap_fdatawrite_range(struct address_space *mapping, unsigned long start,
			     unsigned long end);
int filemap_fdatawrite(struct address_space *mapping);
/* fsync's step: write, then report (and clear) a recorded writeback error. */
int filemap_write_and_wait(struct address_space *mapping);

/* --- truncate ------------------------------------------------------------- */

/* Drop every page at or past byte @lstart (partial page: zero its tail). */
void truncate_inode_pages(struct address_space *mapping, loff_t lstart);
/*
 * vmtruncate - set i_size to @offset: unmap mapped pages beyond it from
 * every process (a later access is SIGBUS), drop them from the cache,
 * then shrink the backing store.  i_sem held.  0 or -errno.
 */
int vmtruncate(struct inode *inode, loff_t offset);
/* Unmap [holebegin, holebegin + holelen) of @mapping from every mm. */
void unmap_mapping_range(struct address_space *mapping, loff_t holebegin, loff_t holelen);

/* --- read/write/mmap ------------------------------------------------------ */

long generic_file_read(struct file *file, unsigned long buf, size_t count, loff_t *ppos);
long generic_file_write(struct file *file, unsigned long buf, size_t count, loff_t *ppos);
int generic_file_mmap(struct file *file, struct vm_area_struct *vma);
/* vm_ops->nopage of file mappings: the page at @address, with a reference. */
struct page *filemap_nopage(struct vm_area_struct *vma, unsigned long address, int *type);
/* Fault-around's lookup of cached pages (vm_ops->map_pages, mm/memory.c). */
void filemap_map_pages(struct vm_area_struct *vma, unsigned long first, unsigned int nr,
		       struct page **pages);
/* Move PTE dirty bits of [start, end) in @vma to the pages (msync's first half). */
void filemap_sync(struct vm_area_struct *vma, unsigned long start, unsigned long end);
void file_ra_state_init(struct file_ra_state *ra);

/* Every page of @mapping is valid: tree, counts, identity, flags. */
bool mapping_is_valid(struct address_space *mapping);

extern const struct vm_operations_struct generic_file_vm_ops;

#endif

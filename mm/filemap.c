/*
 * mm/filemap.c - the page cache: pages of files indexed by (address_space,
 * index) in each mapping's radix tree; reading through it with readahead
 * (do_generic_file_read), writing through it (generic_file_write), file
 * mappings (filemap_nopage), dirty pages and their writeback
 * (set_page_dirty, filemap_sync, filemap_fdatawrite), and truncation
 * (truncate_inode_pages, vmtruncate), as Linux 2.4/2.6's mm/filemap.c.
 *
 * Locks (see include/kern/fs.h for the whole order):
 *   inode->i_sem         writers and truncate of one file
 *   PG_locked            a page being read, written back, truncated
 *   mapping->tree_lock   the radix tree, nrpages, dirty tags (2.4 had one
 *                        global pagecache_lock; 2.6's per-mapping lock
 *                        scales across files)
 *   mapping->i_shared_lock  the file's lists of VMAs (i_mmap, i_mmap_shared,
 *                        mm/vma.c links them).  Truncate (vmtruncate ->
 *                        unmap_mapping_range) walks them as 2.4: i_sem ->
 *                        i_shared_lock -> each mm's page_table_lock, no
 *                        mmap_sem; then truncate_inode_pages (page locks)
 *                        after dropping it.
 * Page contents are copied without the page lock (the reference keeps the
 * page), and user buffers are copied through a kernel bounce buffer before
 * a page is locked, so a fault on a mapping of the same file cannot wait
 * on a lock we hold.
 *
 * Readahead is 2.6's on-demand window (file_ra_state, see fs.h): a first
 * or sequential miss reads a window sized from the request (x4 when small,
 * x2 later, up to ra_pages = 128 KiB); reaching the marker page of the
 * window reads the next one; a random miss reads only what was asked.
 * Our I/O is synchronous, so "asynchronous" readahead happens at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include "kern/pagemap.h"
#include "kern/memory.h"
#include "kern/pgtable.h"
#include "kern/tlb.h"
#include "kern/sched.h"
#include "kern/highmem.h"
#include "kern/writeback.h"

/* --- the page lock ---------------------------------------------------------- */

/*
 * The page lock sleeps on the zone's hashed wait table (2.4.10's
 * page_waitqueue) instead of spinning (kern/wait.h: no wake-up is lost,
 * and an unlock with nobody waiting costs no lock).
 */
wait_queue_head_t *page_waitqueue_of(struct page *page)
{
	const zone_t *zone = page->zone;
	uint64_t h = (uint64_t)(uintptr_t)page * 0x9e3779b97f4a7c15ULL;	/* hash_ptr */

	return &zone->wait_table[h >> (64 - zone->wait_table_bits)];
}

static void wait_on_page_bit(struct page *page, unsigned int bit)
{
	wait_event(page_waitqueue_of(page),
		   !(atomic_load_explicit(&page->flags, memory_order_seq_cst) & (1u << bit)));
}

void lock_page(struct page *page)
{
	while (TestSetPageLocked(page))
		wait_on_page_bit(page, PG_locked);	/* the holder may be doing I/O */
}

void unlock_page(struct page *page)
{
	VM_BUG_ON_MSG(!PageLocked(page), "unlock_page: pfn %lu not locked", page_to_pfn(page));
	atomic_fetch_and_explicit(&page->flags, ~(1u << PG_locked), memory_order_seq_cst);
	wake_up_all(page_waitqueue_of(page));	/* every page of the bucket */
}

void wait_on_page_locked(struct page *page)
{
	if (PageLocked(page))
		wait_on_page_bit(page, PG_locked);
	atomic_thread_fence(memory_order_acquire);
}

/* --- insertion, lookup, removal --------------------------------------------- */

static gfp_t slab_gfp(gfp_t gfp)
{
	return gfp & ~(gfp_t)(__GFP_HIGHMEM | __GFP_DMA | __GFP_ZERO);
}

int add_to_page_cache(struct page *page, struct address_space *mapping, unsigned long index,
		      gfp_t gfp_mask)
{
	struct radix_tree_preload rtp = { 0 };
	unsigned int need;
	int err;

	VM_BUG_ON_MSG(page->mapping || PageLRU(page),
		      "add_to_page_cache: pfn %lu already cached or on the LRU", page_to_pfn(page));
	SetPageLocked(page);
	if (mapping->swapbacked)
		SetPageSwapBacked(page);
	spin_lock(&mapping->tree_lock);
	/* nodes are allocated without the lock, then the need is checked again */
	while ((need = radix_tree_nodes_needed(&mapping->page_tree, index)) > (unsigned int)rtp.nr) {
		spin_unlock(&mapping->tree_lock);
		err = radix_tree_preload(&mapping->page_tree, &rtp, need, slab_gfp(gfp_mask));
		if (err)
			goto out_unlocked;
		spin_lock(&mapping->tree_lock);
	}
	err = radix_tree_insert(&mapping->page_tree, index, page, &rtp);
	if (!err) {
		page_cache_get(page);
		page->mapping = mapping;
		page->index = index;
		mapping->nrpages++;
		mod_zone_page_state(page->zone, NR_FILE_PAGES, 1);
		if (mapping->swapbacked)
			mod_zone_page_state(page->zone, NR_SHMEM, 1);
		trace_mm_filemap_add_to_page_cache(page_machine(page), page, mapping->host, index);
	}
	spin_unlock(&mapping->tree_lock);
out_unlocked:
	radix_tree_preload_end(&mapping->page_tree, &rtp);
	if (err) {
		ClearPageLocked(page);
		ClearPageSwapBacked(page);
		return err;
	}
	lru_cache_add(page);
	return 0;
}

void __remove_from_page_cache(struct page *page)
{
	struct address_space *mapping = page->mapping;

	if (radix_tree_tag_get(&mapping->page_tree, page->index, PAGECACHE_TAG_DIRTY))
		mod_zone_page_state(page->zone, NR_FILE_DIRTY, -1);
	ClearPageDirty(page);
	if (!mapping->swapbacked)
		page->private = 0;	/* its dirtied time (page-writeback.c) */
	BUG_ON_MSG(radix_tree_delete(&mapping->page_tree, page->index) != page,
		   "page cache: pfn %lu not at index %lu of its mapping", page_to_pfn(page),
		   page->index);
	trace_mm_filemap_delete_from_page_cache(page_machine(page), page, mapping->host,
						page->index);
	page->mapping = NULL;
	mapping->nrpages--;
	mod_zone_page_state(page->zone, NR_FILE_PAGES, -1);
	if (mapping->swapbacked)
		mod_zone_page_state(page->zone, NR_SHMEM, -1);
}

void remove_from_page_cache(struct page *page)
{
	struct address_space *mapping = page->mapping;

	VM_BUG_ON_MSG(!PageLocked(page), "remove_from_page_cache: pfn %lu not locked",
		      page_to_pfn(page));
	spin_lock(&mapping->tree_lock);
	__remove_from_page_cache(page);
	spin_unlock(&mapping->tree_lock);
	page_cache_release(page);
}

struct page *find_get_page(struct address_space *mapping, unsigned long index)
{
	struct page *page;

	spin_lock(&mapping->tree_lock);
	page = radix_tree_lookup(&mapping->page_tree, index);
	if (page)
		page_cache_get(page);
	spin_unlock(&mapping->tree_lock);
	return page;
}

unsigned int find_get_pages(struct address_space *mapping, unsigned long start,
			    unsigned int nr, struct page **pages)
{
	unsigned int n;

	spin_lock(&mapping->tree_lock);
	n = radix_tree_gang_lookup(&mapping->page_tree, (void **)pages, start, nr);
	for (unsigned int i = 0; i < n; i++)
		page_cache_get(pages[i]);
	spin_unlock(&mapping->tree_lock);
	return n;
}

struct page *find_lock_page(struct address_space *mapping, unsigned long index)
{
	struct page *page;

	for (;;) {
		page = find_get_page(mapping, index);
		if (!page)
			return NULL;
		lock_page(page);
		if (page->mapping == mapping && page->index == index)
			return page;
		/* truncated while we waited for the lock */
		unlock_page(page);
		page_cache_release(page);
	}
}

struct page *find_or_create_page(struct address_space *mapping, unsigned long index,
				 gfp_t gfp_mask)
{
	for (;;) {
		struct page *page = find_lock_page(mapping, index);
		int err;

		if (page)
			return page;
		page = alloc_page(gfp_mask);
		if (!page)
			return NULL;
		err = add_to_page_cache(page, mapping, index, gfp_mask);
		if (!err)
			return page;
		page_cache_release(page);
		if (err != -EEXIST)
			return NULL;
	}
}

/* readpage on a locked page, counting the I/O. */
static int do_readpage(struct file *file, struct page *page)
{
	struct address_space *mapping = page->mapping;
	int err;

	ClearPageError(page);
	err = mapping->a_ops->readpage(file, page);
	if (!err && !PageUptodate(page))
		err = -EIO;
	if (err)
		SetPageError(page);
	else
		count_vm_events(PGPGIN, PAGE_SIZE / 1024);
	return err;
}

/* Make a referenced page uptodate (lock, read if still needed).  0 or -errno. */
static int page_make_uptodate(struct address_space *mapping, struct file *file,
			      struct page *page)
{
	int err = 0;

	if (PageUptodate(page))
		return 0;
	lock_page(page);
	if (page->mapping != mapping)
		err = -EAGAIN;		/* truncated: the caller looks again */
	else if (!PageUptodate(page))
		err = do_readpage(file, page);
	unlock_page(page);
	return err;
}

static loff_t isize_of(struct address_space *mapping)
{
	return atomic_load(&mapping->host->i_size);
}

/*
 * A read (read(), a fault, readahead) that added @page (locked) while a
 * truncate ran may have added it after truncate_inode_pages passed its
 * index: if it now lies wholly past EOF, it leaves the cache here.  The
 * truncate stores i_size before its gang lookups under tree_lock, and we
 * load i_size after our insert under tree_lock: either the truncate saw
 * the page or we see the new size.  (Linux 5.15+ keeps such reads out
 * with mapping->invalidate_lock instead.)
 */
static void drop_page_past_eof(struct address_space *mapping, struct page *page)
{
	loff_t isize = isize_of(mapping);

	if (page->index >= (unsigned long)((isize + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT) &&
	    page->mapping == mapping)
		remove_from_page_cache(page);
}

struct page *read_cache_page(struct address_space *mapping, unsigned long index,
			     struct file *file, int *err)
{
	for (;;) {
		struct page *page = find_get_page(mapping, index);
		int e;

		if (!page) {
			page = alloc_page(mapping->gfp_mask);
			if (!page) {
				*err = -ENOMEM;
				return NULL;
			}
			e = add_to_page_cache(page, mapping, index, mapping->gfp_mask);
			if (e) {
				page_cache_release(page);
				if (e == -EEXIST)
					continue;
				*err = e;
				return NULL;
			}
			e = do_readpage(file, page);
			/* the caller holds it; it checks EOF itself */
			drop_page_past_eof(mapping, page);
			unlock_page(page);
		} else {
			e = page_make_uptodate(mapping, file, page);
		}
		if (e == -EAGAIN) {
			page_cache_release(page);
			continue;
		}
		if (e) {
			page_cache_release(page);
			*err = e;
			return NULL;
		}
		mark_page_accessed(page);
		return page;
	}
}

/* --- readahead -------------------------------------------------------------- */

void file_ra_state_init(struct file_ra_state *ra)
{
	ra->start = 0;
	ra->size = 0;
	ra->async_size = 0;
	ra->ra_pages = VM_MAX_READAHEAD * 1024 / PAGE_SIZE;
	ra->prev_index = ~0UL;
}

/*
 * Read the absent pages of [start, start + nr) that lie before EOF: each
 * is added locked, read, unlocked and left to the cache.  Errors are
 * ignored (the reader will retry that page synchronously).  Returns the
 * number of pages read.
 */
static unsigned int do_page_cache_readahead(struct address_space *mapping, struct file *file,
					    unsigned long start, unsigned long nr)
{
	loff_t isize = isize_of(mapping);
	unsigned long end_index, i;
	unsigned int done = 0;

	if (!isize || !mapping->a_ops->readpage)
		return 0;
	end_index = (unsigned long)((isize - 1) >> PAGE_SHIFT);
	for (i = start; i < start + nr && i <= end_index; i++) {
		struct page *page = find_get_page(mapping, i);

		if (page) {
			page_cache_release(page);
			continue;
		}
		page = alloc_page(mapping->gfp_mask | __GFP_NOWARN);
		if (!page)
			break;
		if (add_to_page_cache(page, mapping, i, mapping->gfp_mask)) {
			page_cache_release(page);
			continue;
		}
		if (!do_readpage(file, page))
			done++;
		drop_page_past_eof(mapping, page);
		unlock_page(page);
		page_cache_release(page);
	}
	if (done) {
		struct fs_state *fs = mapping_fs(mapping);

		atomic_fetch_add(&fs->ra_windows, 1);
		atomic_fetch_add(&fs->ra_pages_read, done);
	}
	return done;
}

static unsigned long roundup_pow_of_two(unsigned long n)
{
	unsigned long r = 1;

	while (r < n)
		r <<= 1;
	return r;
}

/* The first window for a request of @req pages (Linux's get_init_ra_size). */
static unsigned int init_ra_size(unsigned long req, unsigned int max)
{
	unsigned long size = roundup_pow_of_two(req);

	if (size <= max / 32)
		size *= 4;
	else if (size <= max / 4)
		size *= 2;
	else
		size = max;
	return (unsigned int)(size < max ? size : max);
}

/* The window after one of @cur pages (get_next_ra_size). */
static unsigned int next_ra_size(unsigned int cur, unsigned int max)
{
	unsigned long size = cur < max / 16 ? 4UL * cur : 2UL * cur;

	return (unsigned int)(size < max ? size : max);
}

/*
 * ondemand_readahead - a read of @req pages at @index missed the cache
 * (@hit_marker false) or reached the window's marker page (true).
 * f_pos_lock is not needed: the state is advisory and per file.
 */
static void ondemand_readahead(struct address_space *mapping, struct file *file,
			       unsigned long index, unsigned long req, bool hit_marker)
{
	struct file_ra_state *ra = &file->f_ra;
	unsigned int max = ra->ra_pages;

	if (!max || (file->f_flags & O_DIRECT)) {
		do_page_cache_readahead(mapping, file, index, req);
		return;
	}
	if (hit_marker || (ra->size && index == ra->start + ra->size)) {
		/* sequential: the next, larger window right after the last one */
		ra->start += ra->size;
		ra->size = next_ra_size(ra->size, max);
		ra->async_size = ra->size;
	} else if (index == 0 || index == ra->prev_index || index == ra->prev_index + 1 ||
		   req >= max) {
		/* start of file, or continuing the previous read: a first window */
		ra->start = index;
		ra->size = init_ra_size(req, max);
		if (ra->size < req)
			ra->size = (unsigned int)req;
		ra->async_size = ra->size > req ? ra->size - (unsigned int)req : ra->size;
	} else {
		/* random: exactly what was asked */
		do_page_cache_readahead(mapping, file, index, req);
		return;
	}
	do_page_cache_readahead(mapping, file, ra->start, ra->size);
}

/* --- read ------------------------------------------------------------------------ */

/*
 * do_generic_file_read - copy up to @count bytes at *@ppos to user @buf
 * through the page cache.  Returns bytes copied, or -EFAULT/-EIO/-ENOMEM
 * if none were.
 */
static long do_generic_file_read(struct file *file, loff_t *ppos, unsigned long buf,
				 size_t count)
{
	struct address_space *mapping = file->f_mapping;
	struct file_ra_state *ra = &file->f_ra;
	loff_t pos = *ppos;
	unsigned long index = (unsigned long)(pos >> PAGE_SHIFT);
	unsigned long offset = (unsigned long)(pos & ~PAGE_MASK);
	unsigned long last_index = (unsigned long)((pos + (loff_t)count - 1) >> PAGE_SHIFT);
	size_t copied = 0;
	long err = 0;

	while (copied < count) {
		loff_t isize = isize_of(mapping);
		unsigned long end_index, nr, left;
		struct page *page;

		if (pos >= isize)
			break;
		end_index = (unsigned long)((isize - 1) >> PAGE_SHIFT);
		nr = PAGE_SIZE;
		if (index == end_index)
			nr = (unsigned long)((isize - 1) & ~PAGE_MASK) + 1;
		if (nr <= offset)
			break;
		nr -= offset;
		if (nr > count - copied)
			nr = count - copied;

		page = find_get_page(mapping, index);
		if (!page) {
			ondemand_readahead(mapping, file, index, last_index - index + 1, false);
			page = find_get_page(mapping, index);
		} else if (ra->size && index == ra->start + ra->size - ra->async_size) {
			ondemand_readahead(mapping, file, index, last_index - index + 1, true);
		}
		if (!page) {
			int e;

			page = read_cache_page(mapping, index, file, &e);
			if (!page) {
				err = e;
				break;
			}
		} else {
			int e = page_make_uptodate(mapping, file, page);

			if (e == -EAGAIN) {
				page_cache_release(page);
				continue;
			}
			if (e) {
				page_cache_release(page);
				err = e;
				break;
			}
			mark_page_accessed(page);
		}
		/* page-cache pages may be HIGHMEM: reach the bytes through kmap */
		left = copy_to_user(buf, (uint8_t *)kmap(page) + offset, nr);
		kunmap(page);
		page_cache_release(page);
		nr -= left;
		copied += nr;
		buf += nr;
		pos += (loff_t)nr;
		ra->prev_index = index;
		offset += nr;
		index += offset >> PAGE_SHIFT;
		offset &= ~PAGE_MASK;
		if (left) {
			err = -EFAULT;
			break;
		}
	}
	*ppos = pos;
	return copied ? (long)copied : err;
}

long generic_file_read(struct file *file, unsigned long buf, size_t count, loff_t *ppos)
{
	if (*ppos < 0)
		return -EINVAL;
	if (!count)
		return 0;
	return do_generic_file_read(file, ppos, buf, count);
}

/* --- dirty pages ---------------------------------------------------------------- */

/*
 * A dirty page-cache page carries PG_dirty; a file page (not shmem) is also
 * tagged PAGECACHE_TAG_DIRTY and counted in NR_FILE_DIRTY, under
 * tree_lock, so the count is exactly the tagged pages.  Paths that set
 * PG_dirty directly (the unmap path moving a PTE's dirty bit) are caught
 * by writeback, which looks at PG_dirty, not only at tags.
 *
 * When a file page goes from untagged to tagged, page->private records
 * the jiffies of that moment, for writeback's "oldest first" and its
 * expiry (kern/writeback.h); it is cleared with the tag.  nr_dirtied
 * counts those transitions, nr_written the pages write_one_page wrote.
 */
bool set_page_dirty(struct page *page)
{
	struct address_space *mapping = page->mapping;
	bool was_clean;

	if (mapping && mapping->a_ops && mapping->a_ops->set_page_dirty)
		return mapping->a_ops->set_page_dirty(page);
	was_clean = !TestSetPageDirty(page);
	if (!mapping || mapping->swapbacked)
		return was_clean;
	spin_lock(&mapping->tree_lock);
	if (page->mapping == mapping &&
	    !radix_tree_tag_get(&mapping->page_tree, page->index, PAGECACHE_TAG_DIRTY)) {
		radix_tree_tag_set(&mapping->page_tree, page->index, PAGECACHE_TAG_DIRTY);
		page->private = atomic_load_explicit(&page_machine(page)->hw.jiffies,
						     memory_order_relaxed);
		mod_zone_page_state(page->zone, NR_FILE_DIRTY, 1);
		count_vm_event(NR_DIRTIED);
	}
	spin_unlock(&mapping->tree_lock);
	return was_clean;
}

bool clear_page_dirty_for_io(struct page *page)
{
	struct address_space *mapping = page->mapping;
	bool was_dirty;

	/* a block device's pages are never tagged: their dirt is their buffers' */
	if (!mapping || (mapping->a_ops && mapping->a_ops->set_page_dirty))
		return TestClearPageDirty(page);
	spin_lock(&mapping->tree_lock);
	was_dirty = TestClearPageDirty(page);
	if (radix_tree_tag_clear(&mapping->page_tree, page->index, PAGECACHE_TAG_DIRTY) &&
	    !mapping->swapbacked && was_dirty) {
		mod_zone_page_state(page->zone, NR_FILE_DIRTY, -1);
		page->private = 0;
	} else if (!was_dirty && radix_tree_tag_get(&mapping->page_tree, page->index,
						  PAGECACHE_TAG_DIRTY))
		BUG_ON_MSG(1, "page cache: pfn %lu tagged dirty without PG_dirty",
			   page_to_pfn(page));
	spin_unlock(&mapping->tree_lock);
	return was_dirty;
}

int write_one_page(struct page *page)
{
	struct address_space *mapping = page->mapping;
	int err = 0;

	VM_BUG_ON_MSG(!PageLocked(page), "write_one_page: pfn %lu not locked", page_to_pfn(page));
	if (!mapping || !mapping->a_ops->writepage || !clear_page_dirty_for_io(page)) {
		unlock_page(page);
		return 0;
	}
	SetPageWriteback(page);
	mod_zone_page_state(page->zone, NR_WRITEBACK, 1);
	err = mapping->a_ops->writepage(page);
	mod_zone_page_state(page->zone, NR_WRITEBACK, -1);
	ClearPageWriteback(page);
	if (err) {
		/* as Linux: the page stays clean, the error waits for fsync */
		SetPageError(page);
		spin_lock(&mapping->tree_lock);
		if (!mapping->wb_err)
			mapping->wb_err = err;
		spin_unlock(&mapping->tree_lock);
	} else {
		count_vm_events(PGPGOUT, PAGE_SIZE / 1024);
		count_vm_event(NR_WRITTEN);
		atomic_fetch_add(&mapping_fs(mapping)->pages_written, 1);
	}
	unlock_page(page);
	return err;
}

#define WB_BATCH 16

int filemap_fdatawrite_range(struct address_space *mapping, unsigned long start,
			     unsigned long end)
{
	struct page *pages[WB_BATCH];
	unsigned long index = start;
	int ret = 0;

	if (!mapping->a_ops->writepage)
		return 0;
	while (index <= end) {
		unsigned int n = find_get_pages(mapping, index, WB_BATCH, pages);

		if (!n)
			break;
		for (unsigned int i = 0; i < n; i++) {
			struct page *page = pages[i];

			index = page->index + 1;
			if (page->index > end || !PageDirty(page)) {
				page_cache_release(page);
				continue;
			}
			lock_page(page);
			if (page->mapping == mapping) {
				int err = write_one_page(page);

				if (err && !ret)
					ret = err;
			} else {
				unlock_page(page);
			}
			page_cache_release(page);
		}
		if (index == 0)
			break;	/* wrapped past the last index */
	}
	return ret;
}

int filemap_fdatawrite(struct address_space *mapping)
{
	return filemap_fdatawrite_range(mapping, 0, ~0UL);
}

int filemap_write_and_wait(struct address_space *mapping)
{
	int err = filemap_fdatawrite(mapping), wb;

	spin_lock(&mapping->tree_lock);
	wb = mapping->wb_err;
	mapping->wb_err = 0;
	spin_unlock(&mapping->tree_lock);
	return err ? err : wb;
}

/* --- write ------------------------------------------------------------------------ */

/*
 * pagecache_isize_extended - the file grows from @from: the cached page
 * holding EOF may hold bytes past it (stores through a shared mapping
 * reach the whole page); zero them, as Linux 6.x does on every size
 * extension (write or truncate), so that they never become file data.
 * The page is dirtied, as the host's file system leaves it.  i_sem held.
 */
static void pagecache_isize_extended(struct address_space *mapping, loff_t from)
{
	unsigned long partial = (unsigned long)(from & ~PAGE_MASK);
	struct page *page;

	if (!partial)
		return;
	page = find_lock_page(mapping, (unsigned long)(from >> PAGE_SHIFT));
	if (!page)
		return;		/* on the host file, bytes past EOF are zero */
	if (PageUptodate(page)) {
		memset((uint8_t *)kmap(page) + partial, 0, PAGE_SIZE - partial);
		kunmap(page);
		set_page_dirty(page);
	}
	unlock_page(page);
	page_cache_release(page);
}

long generic_file_write(struct file *file, unsigned long buf, size_t count, loff_t *ppos)
{
	struct address_space *mapping = file->f_mapping;
	struct inode *inode = mapping->host;
	uint8_t bounce[PAGE_SIZE];
	size_t written = 0;
	long err = 0;
	loff_t pos;

	down(&inode->i_sem);
	pos = (file->f_flags & O_APPEND) ? atomic_load(&inode->i_size) : *ppos;
	if (pos < 0) {
		err = -EINVAL;
		goto out;
	}
	if (!count)
		goto out;
	if (pos >= MAX_LFS_FILESIZE) {
		err = -EFBIG;
		goto out;
	}
	if ((uint64_t)count > (uint64_t)(MAX_LFS_FILESIZE - pos))
		count = (size_t)(MAX_LFS_FILESIZE - pos);

	while (count) {
		unsigned long offset = (unsigned long)(pos & ~PAGE_MASK);
		unsigned long index = (unsigned long)(pos >> PAGE_SHIFT);
		unsigned long bytes = PAGE_SIZE - offset, copied;
		loff_t isize = atomic_load(&inode->i_size);
		struct page *page;
		uint8_t *kaddr;

		if (bytes > count)
			bytes = count;
		/* the user copy may fault on a mapping of this very file: no page lock yet */
		copied = bytes - copy_from_user(bounce, buf, bytes);
		if (!copied) {
			err = -EFAULT;
			break;
		}
		if (pos > isize)
			pagecache_isize_extended(mapping, isize);	/* the gap reads as zeroes */
		page = grab_cache_page(mapping, index);
		if (!page) {
			err = -ENOMEM;
			break;
		}
		if (!PageUptodate(page) && (offset || copied < PAGE_SIZE)) {
			if (isize > 0 && index <= (unsigned long)((isize - 1) >> PAGE_SHIFT) &&
			    mapping->a_ops->readpage) {
				/* a partial write of a page with data: read the rest first */
				int e = do_readpage(file, page);

				if (e) {
					unlock_page(page);
					page_cache_release(page);
					err = e;
					break;
				}
			} else {
				clear_highpage(page);
				SetPageUptodate(page);
			}
		}
		kaddr = kmap(page);
		memcpy(kaddr + offset, bounce, copied);
		kunmap(page);
		SetPageUptodate(page);
		set_page_dirty(page);
		unlock_page(page);
		mark_page_accessed(page);
		page_cache_release(page);
		/* throttle a writer over the dirty limit (i_sem held, as 2.6) */
		balance_dirty_pages_ratelimited(mapping);

		pos += (loff_t)copied;
		buf += copied;
		written += copied;
		count -= copied;
		if (pos > atomic_load(&inode->i_size))
			atomic_store(&inode->i_size, pos);
		if (copied < bytes) {
			err = -EFAULT;
			break;
		}
	}
	if (written && (file->f_flags & (O_SYNC | O_DSYNC))) {
		int e = filemap_write_and_wait(mapping);

		if (e)
			err = e, written = 0;
	}
	if (written)
		*ppos = pos;
out:
	up(&inode->i_sem);
	return written ? (long)written : err;
}

/* --- truncate ----------------------------------------------------------------------- */

void truncate_inode_pages(struct address_space *mapping, loff_t lstart)
{
	unsigned long start = (unsigned long)((lstart + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT);
	unsigned long partial = (unsigned long)(lstart & ~PAGE_MASK);
	struct page *pages[WB_BATCH];

	for (;;) {
		unsigned int n = find_get_pages(mapping, start, WB_BATCH, pages);

		if (!n)
			break;
		for (unsigned int i = 0; i < n; i++) {
			struct page *page = pages[i];

			start = page->index + 1;
			lock_page(page);
			if (page->mapping == mapping)
				remove_from_page_cache(page);	/* dirty data past EOF is dropped */
			unlock_page(page);
			page_cache_release(page);
		}
	}
	if (partial) {
		struct page *page = find_lock_page(mapping, (unsigned long)(lstart >> PAGE_SHIFT));

		if (page) {
			/* the tail past EOF reads as zeroes, through read() and mmap alike */
			if (PageUptodate(page)) {
				memset((uint8_t *)kmap(page) + partial, 0, PAGE_SIZE - partial);
				kunmap(page);
			}
			unlock_page(page);
			page_cache_release(page);
		}
	}
}

/* Zap the part of @vma that maps file pages [first, last]. */
static void unmap_vma_pages(struct vm_area_struct *vma, unsigned long first, unsigned long last)
{
	unsigned long vfirst = vma->vm_pgoff;
	unsigned long vlast = vma->vm_pgoff + ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT) - 1;
	unsigned long s, e;

	if (last < vfirst || first > vlast)
		return;
	s = first > vfirst ? first : vfirst;
	e = last < vlast ? last : vlast;
	zap_page_range(vma, vma->vm_start + ((s - vfirst) << PAGE_SHIFT),
		       (e - s + 1) << PAGE_SHIFT);
}

/*
 * vmtruncate_list - zap, in each VMA of the list from @vma, the pages
 * mapping file pages [first, last]: shared pages and the private COW
 * copies alike, as 2.4's vmtruncate_list (and Linux's even_cows).
 * i_shared_lock held: the VMAs and their mms cannot go, and their bounds
 * cannot change (mm/vma.c changes them under i_shared_lock); each zap
 * takes the mm's page_table_lock.
 */
static void vmtruncate_list(struct vm_area_struct *vma, unsigned long first, unsigned long last)
{
	for (; vma; vma = vma->vm_next_share)
		unmap_vma_pages(vma, first, last);
}

/*
 * unmap_mapping_range - zap every mapping of [holebegin, holebegin +
 * holelen) of @mapping (holelen 0: to the end of the file), through the
 * file's lists of VMAs.  Takes i_shared_lock, then each mm's
 * page_table_lock; never mmap_sem, so it cannot wait on a task that holds
 * mmap_sem and is itself waiting on this file (e.g. for i_sem).  Bumps
 * truncate_count, which mremap checks to catch a move it raced with.
 */
void unmap_mapping_range(struct address_space *mapping, loff_t holebegin, loff_t holelen)
{
	unsigned long first = (unsigned long)(holebegin >> PAGE_SHIFT), last = ~0UL;

	if (holelen)
		last = (unsigned long)((holebegin + holelen - 1) >> PAGE_SHIFT);
	spin_lock(&mapping->i_shared_lock);
	atomic_fetch_add(&mapping->truncate_count, 1);
	vmtruncate_list(mapping->i_mmap, first, last);
	vmtruncate_list(mapping->i_mmap_shared, first, last);
	spin_unlock(&mapping->i_shared_lock);
}

/*
 * The page holding byte @pos of a host file whose block straddling @pos
 * was zeroed past it by a size change, as a disk file system does it
 * (ext4's block_truncate_page on a shrink, its zeroing of the old EOF block
 * on a grow): the page is read in if need be, dirty, and written back
 * later, as /proc/PID/smaps shows it on the host.  Returns the page with a
 * reference, or NULL.
 */
static struct page *truncate_partial_page(struct address_space *mapping, loff_t pos)
{
	int err;

	if (!(pos & ~PAGE_MASK) || mapping->host->i_kind != I_HOSTFS)
		return NULL;
	return read_cache_page(mapping, (unsigned long)(pos >> PAGE_SHIFT), NULL, &err);
}

int vmtruncate(struct inode *inode, loff_t offset)
{
	struct address_space *mapping = inode->i_mapping;
	loff_t old = atomic_load(&inode->i_size);
	struct page *partial;
	int err;

	if (offset < 0)
		return -EINVAL;
	if (offset > MAX_LFS_FILESIZE)
		return -EFBIG;
	if (offset < old) {
		atomic_store(&inode->i_size, offset);
		/* whole pages past EOF leave every page table; the partial one stays */
		unmap_mapping_range(mapping, offset + (loff_t)PAGE_SIZE - 1, 0);
		partial = truncate_partial_page(mapping, offset);
		truncate_inode_pages(mapping, offset);	/* zeroes the partial page's tail */
	} else {
		partial = offset > old ? truncate_partial_page(mapping, old) : NULL;
		if (partial)
			pagecache_isize_extended(mapping, old);
		atomic_store(&inode->i_size, offset);
	}
	if (partial) {
		if (partial->mapping == mapping)
			set_page_dirty(partial);
		page_cache_release(partial);
	}
	if (inode->i_kind == I_HOSTFS) {
		err = hostfs_setsize(inode, offset);
		if (err) {
			if (offset >= old)
				atomic_store(&inode->i_size, old);
			return err;
		}
	}
	return 0;
}

/* --- file mappings ------------------------------------------------------------------- */

/*
 * filemap_nopage - the page of the file behind @address, uptodate, with a
 * reference for the new PTE.  A page past EOF or a read error is
 * NOPAGE_SIGBUS, no memory NOPAGE_OOM.  A miss
 * reads around the page (a window of ra_pages centred on it, unless the
 * VMA is VM_RAND_READ) and counts a major fault.
 */
struct page *filemap_nopage(struct vm_area_struct *vma, unsigned long address, int *type)
{
	struct file *file = vma->vm_file;
	struct address_space *mapping = file->f_mapping;
	unsigned long pgoff = ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
	struct page *page;
	loff_t isize;
	int err;

	isize = isize_of(mapping);
	if (pgoff >= (unsigned long)((isize + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT))
		return NULL;
	page = find_get_page(mapping, pgoff);
	if (!page) {
		unsigned long ra = (vma->vm_flags & VM_RAND_READ) ? 1 : file->f_ra.ra_pages;
		unsigned long start = pgoff > ra / 2 ? pgoff - ra / 2 : 0;

		if (vma->vm_flags & VM_SEQ_READ)
			start = pgoff;
		if (ra > 1)
			do_page_cache_readahead(mapping, file, start, ra);
		*type = VM_FAULT_MAJOR;	/* do_page_fault counts it */
	} else {
		page_cache_release(page);
	}
	page = read_cache_page(mapping, pgoff, file, &err);
	if (!page)
		return err == -ENOMEM ? NOPAGE_OOM : NOPAGE_SIGBUS;
	/* truncated below us while we read? */
	if (pgoff >= (unsigned long)((isize_of(mapping) + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT)) {
		page_cache_release(page);
		return NULL;
	}
	return page;
}

/*
 * filemap_map_pages - fault-around's lookup (Linux 3.15+'s
 * filemap_map_pages): the pages of @first .. @first + @nr - 1 that are
 * already cached, uptodate, unlocked and inside EOF, each with a
 * reference.  No I/O: what is not cached is left to the fault itself.
 * Shared with shmem mappings.
 */
void filemap_map_pages(struct vm_area_struct *vma, unsigned long first, unsigned int nr,
		       struct page **pages)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	loff_t isize = isize_of(mapping);
	unsigned long end = isize > 0 ? (unsigned long)((isize - 1) >> PAGE_SHIFT) : 0;

	for (unsigned int i = 0; i < nr; i++) {
		struct page *page = NULL;

		if (isize > 0 && first + i <= end) {
			page = find_get_page(mapping, first + i);
			if (page && (!PageUptodate(page) || PageLocked(page))) {
				page_cache_release(page);
				page = NULL;
			}
		}
		pages[i] = page;
	}
}

const struct vm_operations_struct generic_file_vm_ops = {
	.nopage = filemap_nopage,
	.map_pages = filemap_map_pages,
};

int generic_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct address_space *mapping = file->f_mapping;

	if (!mapping->a_ops->readpage)
		return -ENOEXEC;
	if ((vma->vm_flags & VM_SHARED) && (vma->vm_flags & VM_MAYWRITE) &&
	    !mapping->a_ops->writepage)
		return -EINVAL;
	vma->vm_ops = &generic_file_vm_ops;
	return 0;
}

void filemap_sync(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	struct machine *m = mm->machine;
	unsigned long dirtied = 0;
	bool any = false;

	spin_lock(&mm->page_table_lock);
	for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
		ptep_t p = pgt_walk(mm, addr);
		pte_t pte;

		if (ptep_is_null(p))
			continue;
		pte = ptep_get(p);
		if (pte_present(pte) && pte_dirty(pte) && pfn_valid(m, pte_pfn(pte)) &&
		    ptep_test_and_clear_dirty(p)) {
			struct page *page = pfn_to_page(m, pte_pfn(pte));

			any = true;
			if (!PageAnon(page) && !PageZero(page) && !PageReserved(page) &&
			    set_page_dirty(page))
				dirtied++;
		}
		pte_unmap(p);
	}
	/* the next write must set the dirty bit again: no TLB may cache it */
	if (any)
		flush_tlb_range(mm, start, end);
	spin_unlock(&mm->page_table_lock);
	/* 2.6's msync: the pages it dirtied count against the writer */
	if (dirtied && vma->vm_file)
		balance_dirty_pages_ratelimited_nr(vma->vm_file->f_mapping, dirtied);
}

/* --- validation ------------------------------------------------------------------------ */

bool mapping_is_valid(struct address_space *mapping)
{
	struct page *pages[WB_BATCH];
	unsigned long items, index = 0, seen = 0;

	spin_lock(&mapping->tree_lock);
	radix_tree_is_valid(&mapping->page_tree, &items);
	BUG_ON_MSG(items != mapping->nrpages, "mapping %p: %lu pages in the tree, nrpages %lu",
		   (void *)mapping, items, mapping->nrpages);
	for (;;) {
		unsigned int n = radix_tree_gang_lookup(&mapping->page_tree, (void **)pages,
							index, WB_BATCH);

		if (!n)
			break;
		for (unsigned int i = 0; i < n; i++) {
			struct page *page = pages[i];

			BUG_ON_MSG(page->mapping != mapping || page->index < index,
				   "mapping %p: pfn %lu has mapping %p index %lu (expected >= %lu)",
				   (void *)mapping, page_to_pfn(page), (void *)page->mapping,
				   page->index, index);
			BUG_ON_MSG(page_count(page) < 1, "mapping %p: pfn %lu cached with count %d",
				   (void *)mapping, page_to_pfn(page), page_count(page));
			BUG_ON_MSG(!!PageSwapBacked(page) != mapping->swapbacked,
				   "mapping %p: pfn %lu swapbacked %d", (void *)mapping,
				   page_to_pfn(page), PageSwapBacked(page));
			BUG_ON_MSG(radix_tree_tag_get(&mapping->page_tree, page->index,
						      PAGECACHE_TAG_DIRTY) && !PageDirty(page),
				   "mapping %p: pfn %lu tagged dirty but clean", (void *)mapping,
				   page_to_pfn(page));
			index = page->index + 1;
			seen++;
		}
		if (!index)
			break;
	}
	spin_unlock(&mapping->tree_lock);
	BUG_ON_MSG(seen != items, "mapping %p: walked %lu pages of %lu", (void *)mapping, seen, items);
	return true;
}

/* --- the reverse map: counts and validation --------------------------------------- */

/*
 * Check one list of @mapping (i_shared_lock held): every back link points
 * at the link that points at the VMA (so no VMA is on it twice, nor on
 * both lists, nor in a cycle), every VMA maps this file and belongs on
 * this list.  Returns its length.
 */
static unsigned long i_mmap_list_check(struct address_space *mapping,
				       struct vm_area_struct **head, bool shared)
{
	struct vm_area_struct **pprev = head, *vma;
	unsigned long n = 0;

	for (vma = *head; vma; pprev = &vma->vm_next_share, vma = vma->vm_next_share) {
		BUG_ON_MSG(vma->vm_pprev_share != pprev,
			   "mapping %p: VMA [%#lx, %#lx) of mm %p: bad back link (twice on a list?)",
			   (void *)mapping, vma->vm_start, vma->vm_end, (void *)vma->vm_mm);
		BUG_ON_MSG(!vma->vm_file || vma->vm_file->f_mapping != mapping,
			   "mapping %p: VMA [%#lx, %#lx) of mm %p maps another file",
			   (void *)mapping, vma->vm_start, vma->vm_end, (void *)vma->vm_mm);
		BUG_ON_MSG(!!(vma->vm_flags & VM_SHARED) != shared,
			   "mapping %p: VMA [%#lx, %#lx) of mm %p (flags %#lx) on the %s list",
			   (void *)mapping, vma->vm_start, vma->vm_end, (void *)vma->vm_mm,
			   vma->vm_flags, shared ? "i_mmap_shared" : "i_mmap");
		BUG_ON_MSG(!vma->vm_mm || vma->vm_start >= vma->vm_end,
			   "mapping %p: VMA %p [%#lx, %#lx) broken", (void *)mapping, (void *)vma,
			   vma->vm_start, vma->vm_end);
		n++;
	}
	return n;
}

void mapping_nr_mmaps(struct address_space *mapping, unsigned long *nr_private,
		      unsigned long *nr_shared)
{
	spin_lock(&mapping->i_shared_lock);
	*nr_private = i_mmap_list_check(mapping, &mapping->i_mmap, false);
	*nr_shared = i_mmap_list_check(mapping, &mapping->i_mmap_shared, true);
	spin_unlock(&mapping->i_shared_lock);
}

bool mapping_i_mmap_is_valid(struct address_space *mapping)
{
	unsigned long p, s;

	mapping_nr_mmaps(mapping, &p, &s);
	return true;
}

/* How many times @vma is on @mapping's lists (i_shared_lock held). */
static unsigned int i_mmap_occurrences(struct address_space *mapping, struct vm_area_struct *vma)
{
	struct vm_area_struct *heads[2] = { mapping->i_mmap, mapping->i_mmap_shared }, *v;
	unsigned int n = 0;

	for (int i = 0; i < 2; i++)
		for (v = heads[i]; v; v = v->vm_next_share)
			n += v == vma;
	return n;
}

/* References to the distinct mms of live tasks (kmalloc'd array, *nr of them). */
static struct mm_struct **collect_mms(struct machine *m, int *nr)
{
	struct task_state *ts = m->tasks;
	struct mm_struct **mms;
	struct task_struct *t;
	int cap;

	*nr = 0;
	if (!ts)
		return NULL;
	for (;;) {
		spin_lock(&ts->tasklist_lock);
		cap = ts->nr_tasks;
		spin_unlock(&ts->tasklist_lock);
		mms = kmalloc(sizeof(*mms) * (size_t)(cap ? cap : 1), GFP_KERNEL);
		BUG_ON_MSG(!mms, "i_mmap_is_valid: no memory for %d mms", cap);
		spin_lock(&ts->tasklist_lock);
		if (ts->nr_tasks <= cap)
			break;
		spin_unlock(&ts->tasklist_lock);
		kfree(mms);
	}
	list_for_each_entry(t, &ts->task_list, tasks) {
		bool seen = false;

		if (!t->mm)
			continue;
		for (int i = 0; i < *nr; i++)
			seen |= mms[i] == t->mm;
		if (!seen && *nr < cap) {
			mmget(t->mm);
			mms[(*nr)++] = t->mm;
		}
	}
	spin_unlock(&ts->tasklist_lock);
	return mms;
}

/* File VMAs mapping @mapping over all @mms. */
static unsigned long count_file_vmas(struct mm_struct **mms, int nr,
				     struct address_space *mapping)
{
	unsigned long n = 0;

	for (int i = 0; i < nr; i++) {
		struct vm_area_struct *vma;

		down_read(&mms[i]->mmap_sem);
		for (vma = mms[i]->mmap; vma; vma = vma->vm_next)
			n += vma->vm_file && vma->vm_file->f_mapping == mapping;
		up_read(&mms[i]->mmap_sem);
	}
	return n;
}

/*
 * i_mmap_is_valid - pass 1: each file VMA of each mm is on its mapping's
 * lists exactly once (the right list is checked in pass 2).  Pass 2:
 * each mapping seen, and each hostfs inode, has well-formed lists exactly
 * as long as the number of VMAs mapping it, so nothing else is on them.
 * Takes mmap_sem (read), then i_shared_lock.
 */
bool i_mmap_is_valid(struct machine *m)
{
	struct fs_state *fs = m->fs;
	struct mm_struct **mms;
	struct file **files = NULL;
	struct inode **inodes = NULL;
	unsigned long total = 0, nfiles = 0, ninodes = 0;
	int nr;

	mms = collect_mms(m, &nr);
	for (int i = 0; i < nr; i++) {
		struct vm_area_struct *vma;

		down_read(&mms[i]->mmap_sem);
		for (vma = mms[i]->mmap; vma; vma = vma->vm_next) {
			struct address_space *mapping;
			unsigned int n;

			if (!vma->vm_file) {
				BUG_ON_MSG(vma->vm_pprev_share || vma->vm_next_share,
					   "mm %p: anonymous VMA [%#lx, %#lx) on a file list",
					   (void *)mms[i], vma->vm_start, vma->vm_end);
				continue;
			}
			mapping = vma->vm_file->f_mapping;
			spin_lock(&mapping->i_shared_lock);
			n = i_mmap_occurrences(mapping, vma);
			spin_unlock(&mapping->i_shared_lock);
			BUG_ON_MSG(n != 1, "mm %p: VMA [%#lx, %#lx) is %u times on its file's lists",
				   (void *)mms[i], vma->vm_start, vma->vm_end, n);
			total++;
		}
		up_read(&mms[i]->mmap_sem);
	}

	/* the distinct files mapped, each held by a reference while we look */
	if (total) {
		files = kmalloc(sizeof(*files) * total, GFP_KERNEL);
		BUG_ON_MSG(!files, "i_mmap_is_valid: no memory for %lu files", total);
	}
	for (int i = 0; i < nr; i++) {
		struct vm_area_struct *vma;

		down_read(&mms[i]->mmap_sem);
		for (vma = mms[i]->mmap; vma; vma = vma->vm_next) {
			bool seen = false;

			if (!vma->vm_file)
				continue;
			for (unsigned long j = 0; j < nfiles; j++)
				seen |= files[j]->f_mapping == vma->vm_file->f_mapping;
			if (!seen && nfiles < total)
				files[nfiles++] = get_file(vma->vm_file);
		}
		up_read(&mms[i]->mmap_sem);
	}
	for (unsigned long j = 0; j < nfiles; j++) {
		struct address_space *mapping = files[j]->f_mapping;
		unsigned long p, s, want = count_file_vmas(mms, nr, mapping);

		mapping_nr_mmaps(mapping, &p, &s);
		BUG_ON_MSG(p + s != want,
			   "mapping %p (inode %lu): %lu private + %lu shared on its lists, %lu VMAs map it",
			   (void *)mapping, mapping->host->i_ino, p, s, want);
	}

	/* hostfs inodes nobody maps: empty lists */
	if (fs) {
		struct inode *inode;

		spin_lock(&fs->inode_lock);
		ninodes = fs->nr_inodes;
		spin_unlock(&fs->inode_lock);
		if (ninodes)
			inodes = kmalloc(sizeof(*inodes) * ninodes, GFP_KERNEL);
		BUG_ON_MSG(ninodes && !inodes, "i_mmap_is_valid: no memory for %lu inodes", ninodes);
		ninodes = 0;
		spin_lock(&fs->inode_lock);
		list_for_each_entry(inode, &fs->inode_list, i_hash) {
			if (ninodes == fs->nr_inodes)
				break;
			__iget(inode);
			inodes[ninodes++] = inode;
		}
		spin_unlock(&fs->inode_lock);
		for (unsigned long k = 0; k < ninodes; k++) {
			struct address_space *mapping = inodes[k]->i_mapping;
			bool mapped = false;
			unsigned long p, s;

			for (unsigned long j = 0; j < nfiles; j++)
				mapped |= files[j]->f_mapping == mapping;
			mapping_nr_mmaps(mapping, &p, &s);
			BUG_ON_MSG(!mapped && (p || s),
				   "inode %lu: %lu private + %lu shared VMAs listed, none maps it",
				   inodes[k]->i_ino, p, s);
		}
	}

	for (unsigned long k = 0; k < ninodes; k++)
		iput(inodes[k]);
	kfree(inodes);
	for (unsigned long j = 0; j < nfiles; j++)
		fput(files[j]);
	kfree(files);
	for (int i = 0; i < nr; i++)
		mmput(mms[i]);
	kfree(mms);
	return true;
}

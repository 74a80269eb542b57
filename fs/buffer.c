/*
 * fs/buffer.c - the 2.4 buffer cache (see include/kern/buffer_head.h for
 * the design): buffer_heads from the "buffer_head" slab cache, the hash
 * (device, block, size) -> buffer that getblk looks in, the BUF_CLEAN /
 * BUF_LOCKED / BUF_DIRTY lists with their counts, getblk / bread / brelse
 * / mark_buffer_dirty / ll_rw_block over the simulated disk, the buffers
 * of a block device's page-cache pages (create_empty_buffers,
 * block_read_full_page, block_write_full_page), try_to_free_buffers for
 * reclaim, and bdflush and kupdate with vm.bdflush's parameters.
 *
 * As 2.4.10+, a block device's blocks live in the page cache of its
 * bd_inode: getblk finds or makes the page holding the block and the
 * page's buffers, so the page-cache path (read(2) on /dev/vdb, mmap of it)
 * and the buffer path (bread) see the same bytes.  Unlike 2.4, every
 * buffer of such a page is hashed and listed from the start (a block
 * device maps block n of a page at page->index * per_page + n, so there
 * is nothing to look up later).
 *
 * I/O is synchronous (the disk is a host file): ll_rw_block locks the
 * buffer (BH_Lock), moves it to BUF_LOCKED, does the transfer, marks it
 * uptodate or not, and unlocks it.  Each request costs the disk's virtual
 * time, which is what kupdate's age and interval are measured in.
 *
 * Locks: lru_list_lock (buffer_state) is taken with no other spinlock but
 * page_table_lock (set_page_dirty from a zap); it protects the hash, the
 * lists and the buffer rings.  I/O and allocation happen outside it.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kern/buffer_head.h"
#include "kern/fault_inject.h"
#include "kern/pagemap.h"
#include "kern/printk.h"
#include "kern/sched.h"
#include "kern/seq_buf.h"
#include "kern/slab.h"
#include "kern/writeback.h"

#define NRSYNC	32	/* buffers write_some_buffers takes at once (2.4's NRSYNC) */

static struct machine *bdev_machine(const struct block_device *bdev)
{
	return bdev->bd_inode->i_machine;
}

static unsigned long jiffies_now(struct machine *m)
{
	return atomic_load_explicit(&m->hw.jiffies, memory_order_relaxed);
}

static int balance_dirty_state(struct machine *m);

/* --- the hash and the lists (lru_list_lock held) ------------------------------ */

static unsigned int bh_hashfn(const struct block_device *bdev, unsigned long block,
			      unsigned int size)
{
	unsigned long h = (bdev->minor * 0x9e3779b1UL) ^ (block * 2654435761UL) ^ size;

	return (unsigned int)((h ^ (h >> 13)) % BH_HASH_SIZE);
}

static struct buffer_head *__get_hash_table(struct buffer_state *bs, struct block_device *bdev,
					    unsigned long block, unsigned int size)
{
	struct buffer_head *bh = bs->hash_table[bh_hashfn(bdev, block, size)];

	for (; bh; bh = bh->b_next)
		if (bh->b_bdev == bdev && bh->b_blocknr == block && bh->b_size == size)
			return bh;
	return NULL;
}

static void __hash_unlink(struct buffer_state *bs, struct buffer_head *bh)
{
	struct buffer_head **p = &bs->hash_table[bh_hashfn(bh->b_bdev, bh->b_blocknr, bh->b_size)];

	while (*p && *p != bh)
		p = &(*p)->b_next;
	BUG_ON_MSG(!*p, "buffer %s:%lu (size %u) not in the buffer hash", bh->b_bdev->name,
		   bh->b_blocknr, bh->b_size);
	*p = bh->b_next;
	bh->b_next = NULL;
}

static void __insert_into_lru_list(struct buffer_state *bs, struct buffer_head *bh, unsigned int list)
{
	list_add_tail(&bh->b_lru, &bs->lru_list[list]);
	bh->b_list = list;
	bs->nr_buffers_type[list]++;
	bs->size_buffers_type[list] += bh->b_size;
}

static void __remove_from_lru_list(struct buffer_state *bs, struct buffer_head *bh)
{
	BUG_ON_MSG(!bs->nr_buffers_type[bh->b_list], "buffer %s:%lu on list %u, which is empty",
		   bh->b_bdev->name, bh->b_blocknr, bh->b_list);
	list_del(&bh->b_lru);
	bs->nr_buffers_type[bh->b_list]--;
	bs->size_buffers_type[bh->b_list] -= bh->b_size;
}

/* 2.4's __refile_buffer: the list its state says, at the tail when it moves. */
static void __refile_buffer(struct buffer_state *bs, struct buffer_head *bh)
{
	unsigned int dispose = buffer_locked(bh) ? BUF_LOCKED :
			       buffer_dirty(bh) ? BUF_DIRTY : BUF_CLEAN;

	if (dispose != bh->b_list) {
		__remove_from_lru_list(bs, bh);
		__insert_into_lru_list(bs, bh, dispose);
	}
}

static void refile_buffer(struct buffer_head *bh)
{
	struct buffer_state *bs = bdev_machine(bh->b_bdev)->buffers;

	spin_lock(&bs->lru_list_lock);
	__refile_buffer(bs, bh);
	spin_unlock(&bs->lru_list_lock);
}

/* --- I/O ----------------------------------------------------------------------- */

static void unlock_buffer(struct buffer_head *bh)
{
	BUG_ON_MSG(!test_clear_buffer_locked(bh), "unlock_buffer: buffer %s:%lu not locked",
		   bh->b_bdev->name, bh->b_blocknr);
	refile_buffer(bh);
}

void wait_on_buffer(struct buffer_head *bh)
{
	/* I/O is synchronous: only another CPU's transfer can be in flight */
	while (buffer_locked(bh))
		sched_yield();
}

static atomic_ulong *writer_count(struct buffer_state *bs, enum bh_writer who)
{
	switch (who) {
	case BHW_BDFLUSH: return &bs->written_bdflush;
	case BHW_KUPDATE: return &bs->written_kupdate;
	case BHW_RECLAIM: return &bs->written_reclaim;
	default: return &bs->written_sync;
	}
}

/* submit_bh + end_buffer_io_sync: the transfer, synchronous; the buffer is locked. */
static void submit_bh(int rw, struct buffer_head *bh, enum bh_writer who)
{
	struct block_device *bdev = bh->b_bdev;
	struct machine *m = bdev_machine(bdev);
	int err;

	BUG_ON_MSG(bdev->disk.fd < 0, "submit_bh: buffer %s:%lu of a closed device", bdev->name,
		   bh->b_blocknr);
	set_buffer_req(bh);
	err = should_fail_io(m) ? -EIO :
	      sim_disk_rw(&m->hw, &bdev->disk, (uint64_t)bh->b_blocknr * (bh->b_size / DISK_SECTOR_SIZE),
			  bh->b_data, bh->b_size, rw == WRITE);
	if (err) {
		printk(m, "end_request: I/O error, dev %s, sector %llu\n", bdev->name,
		       (unsigned long long)bh->b_blocknr * (bh->b_size / DISK_SECTOR_SIZE));
		clear_buffer_uptodate(bh);
	} else {
		set_buffer_uptodate(bh);
		if (rw == WRITE)
			atomic_fetch_add(writer_count(m->buffers, who), 1);
	}
	unlock_buffer(bh);
}

static void __ll_rw_block(int rw, int nr, struct buffer_head *bhs[], enum bh_writer who)
{
	for (int i = 0; i < nr; i++) {
		struct buffer_head *bh = bhs[i];

		if (test_set_buffer_locked(bh))
			continue;		/* I/O in flight already (2.4 skips it too) */
		if (rw == WRITE ? !test_clear_buffer_dirty(bh) : buffer_uptodate(bh)) {
			unlock_buffer(bh);	/* nothing to do */
			continue;
		}
		refile_buffer(bh);		/* BUF_LOCKED */
		submit_bh(rw, bh, who);
	}
}

void ll_rw_block(int rw, int nr, struct buffer_head *bhs[])
{
	__ll_rw_block(rw, nr, bhs, BHW_SYNC);
}

/* --- buffers of a page ----------------------------------------------------------- */

bool create_empty_buffers(struct page *page, struct block_device *bdev, unsigned int blocksize)
{
	struct machine *m = page_machine(page);
	struct buffer_state *bs = m->buffers;
	unsigned int per_page = PAGE_SIZE / blocksize;
	struct buffer_head *bh[PAGE_SIZE / 512];
	char *base = page_address(page);

	BUG_ON_MSG(!PageLocked(page) || page_has_buffers(page),
		   "create_empty_buffers: pfn %lu unlocked or has buffers", page_to_pfn(page));
	BUG_ON_MSG(PageHighMem(page), "create_empty_buffers: pfn %lu is HIGHMEM", page_to_pfn(page));
	for (unsigned int i = 0; i < per_page; i++) {
		bh[i] = kmem_cache_alloc(bs->bh_cachep, GFP_NOFS);
		if (!bh[i]) {
			while (i--)
				kmem_cache_free(bs->bh_cachep, bh[i]);
			return false;
		}
		memset(bh[i], 0, sizeof(*bh[i]));
		bh[i]->b_blocknr = page->index * per_page + i;
		bh[i]->b_size = blocksize;
		bh[i]->b_bdev = bdev;
		atomic_init(&bh[i]->b_state, (1u << BH_Mapped) |
			    (PageUptodate(page) ? 1u << BH_Uptodate : 0));
		bh[i]->b_data = base + i * blocksize;
		bh[i]->b_page = page;
		INIT_LIST_HEAD(&bh[i]->b_lru);
	}
	spin_lock(&bs->lru_list_lock);
	for (unsigned int i = 0; i < per_page; i++) {
		unsigned int h = bh_hashfn(bdev, bh[i]->b_blocknr, blocksize);

		BUG_ON_MSG(__get_hash_table(bs, bdev, bh[i]->b_blocknr, blocksize),
			   "create_empty_buffers: buffer %s:%lu already hashed", bdev->name,
			   bh[i]->b_blocknr);
		bh[i]->b_this_page = bh[(i + 1) % per_page];
		bh[i]->b_next = bs->hash_table[h];
		bs->hash_table[h] = bh[i];
		__insert_into_lru_list(bs, bh[i], BUF_CLEAN);
	}
	bs->nr_buffers += per_page;
	page->private = (unsigned long)bh[0];
	SetPagePrivate(page);
	page_cache_get(page);		/* page->buffers holds the page, as 2.4 */
	spin_unlock(&bs->lru_list_lock);
	return true;
}

/* The page's buffers into @arr (page locked or lru_list_lock held); how many. */
static unsigned int page_buffer_array(struct page *page, struct buffer_head **arr)
{
	struct buffer_head *head = page_buffers(page), *bh = head;
	unsigned int n = 0;

	do {
		arr[n++] = bh;
		bh = bh->b_this_page;
	} while (bh != head && n < PAGE_SIZE / 512);
	BUG_ON_MSG(bh != head, "pfn %lu: buffer ring of %s:%lu does not close",
		   page_to_pfn(page), head->b_bdev->name, head->b_blocknr);
	return n;
}

int block_read_full_page(struct page *page)
{
	struct block_device *bdev = mapping_bdev(page->mapping);
	struct buffer_head *arr[PAGE_SIZE / 512], *rd[PAGE_SIZE / 512];
	unsigned int n, nr = 0;
	int err = 0;

	if (!page_has_buffers(page) && !create_empty_buffers(page, bdev, bdev->block_size))
		return -ENOMEM;
	n = page_buffer_array(page, arr);
	for (unsigned int i = 0; i < n; i++)
		if (!buffer_uptodate(arr[i]))
			rd[nr++] = arr[i];
	__ll_rw_block(READ, (int)nr, rd, BHW_SYNC);
	for (unsigned int i = 0; i < nr; i++) {
		wait_on_buffer(rd[i]);
		if (!buffer_uptodate(rd[i]))
			err = -EIO;
	}
	if (!err)
		SetPageUptodate(page);
	return err;
}

int block_write_full_page(struct page *page)
{
	struct block_device *bdev = mapping_bdev(page->mapping);
	struct buffer_state *bs = page_machine(page)->buffers;
	struct buffer_head *arr[PAGE_SIZE / 512];
	unsigned int n;
	int err = 0;

	if (!page_has_buffers(page) && !create_empty_buffers(page, bdev, bdev->block_size))
		return -ENOMEM;
	n = page_buffer_array(page, arr);
	/* the whole page was dirtied (a mapping): every block is written, as 2.4 */
	spin_lock(&bs->lru_list_lock);
	for (unsigned int i = 0; i < n; i++) {
		set_buffer_uptodate(arr[i]);
		if (!test_set_buffer_dirty(arr[i]))
			__refile_buffer(bs, arr[i]);
	}
	spin_unlock(&bs->lru_list_lock);
	__ll_rw_block(WRITE, (int)n, arr, BHW_SYNC);
	for (unsigned int i = 0; i < n; i++) {
		wait_on_buffer(arr[i]);
		if (!buffer_uptodate(arr[i]))
			err = -EIO;
	}
	return err;
}

/* mark a buffer dirty without throttling (lru_list_lock held) */
static void __mark_dirty(struct buffer_state *bs, struct buffer_head *bh, unsigned long now)
{
	bh->b_flushtime = now + (unsigned long)bs->bdf_prm[BDF_AGE_BUFFER];
	__refile_buffer(bs, bh);
}

void set_page_buffers_dirty(struct page *page)
{
	struct machine *m = page_machine(page);
	struct buffer_state *bs = m->buffers;
	unsigned long now = jiffies_now(m);

	spin_lock(&bs->lru_list_lock);
	if (page_has_buffers(page)) {
		struct buffer_head *head = page_buffers(page), *bh = head;

		do {
			if (!test_set_buffer_dirty(bh))
				__mark_dirty(bs, bh, now);
			bh = bh->b_this_page;
		} while (bh != head);
	}
	spin_unlock(&bs->lru_list_lock);
}

static bool buffer_busy(struct buffer_head *bh)
{
	return atomic_load(&bh->b_count) ||
	       (atomic_load(&bh->b_state) & ((1u << BH_Dirty) | (1u << BH_Lock)));
}

bool try_to_free_buffers(struct page *page, bool can_write)
{
	struct machine *m = page_machine(page);
	struct buffer_state *bs = m->buffers;
	struct buffer_head *arr[PAGE_SIZE / 512];
	bool tried = false;
	unsigned int n;

	VM_BUG_ON_MSG(!PageLocked(page), "try_to_free_buffers: pfn %lu not locked",
		      page_to_pfn(page));
	if (!page_has_buffers(page))
		return true;
again:
	spin_lock(&bs->lru_list_lock);
	n = page_buffer_array(page, arr);
	for (unsigned int i = 0; i < n; i++) {
		if (!buffer_busy(arr[i]))
			continue;
		spin_unlock(&bs->lru_list_lock);
		/* 2.4's sync_page_buffers: start the writes; ours end at once, so try again */
		if (can_write && !tried && !atomic_load(&arr[i]->b_count)) {
			tried = true;
			__ll_rw_block(WRITE, (int)n, arr, BHW_RECLAIM);
			goto again;
		}
		if (balance_dirty_state(m) >= 0)
			wakeup_bdflush(m);
		return false;
	}
	for (unsigned int i = 0; i < n; i++) {
		__hash_unlink(bs, arr[i]);
		__remove_from_lru_list(bs, arr[i]);
	}
	bs->nr_buffers -= n;
	ClearPagePrivate(page);
	page->private = 0;
	spin_unlock(&bs->lru_list_lock);
	for (unsigned int i = 0; i < n; i++)
		kmem_cache_free(bs->bh_cachep, arr[i]);
	page_cache_release(page);	/* the buffers' reference; the caller holds one */
	return true;
}

/* --- getblk, bread, brelse, mark_buffer_dirty ----------------------------------------- */

static struct buffer_head *get_hash_table(struct buffer_state *bs, struct block_device *bdev,
					  unsigned long block, unsigned int size)
{
	struct buffer_head *bh;

	spin_lock(&bs->lru_list_lock);
	bh = __get_hash_table(bs, bdev, block, size);
	if (bh)
		atomic_fetch_add(&bh->b_count, 1);
	spin_unlock(&bs->lru_list_lock);
	return bh;
}

/*
 * 2.4's free_more_memory: getblk found no memory for a page or its
 * buffers: wake bdflush, reclaim (no file-system I/O), let others run.
 */
static void free_more_memory(struct machine *m)
{
	balance_dirty(m);
	wakeup_bdflush(m);
	if (m->reclaim.try_to_free_pages)
		m->reclaim.try_to_free_pages(m, NULL, GFP_NOFS, 0);
	sched_yield();
}

/* grow_buffers: the block's page in the device's page cache, with its buffers. */
static bool grow_buffers(struct block_device *bdev, unsigned long block, unsigned int size)
{
	struct address_space *mapping = bdev->bd_inode->i_mapping;
	struct page *page = find_or_create_page(mapping, block / (PAGE_SIZE / size),
						mapping->gfp_mask);
	bool ok;

	if (!page)
		return false;
	ok = page_has_buffers(page) || create_empty_buffers(page, bdev, size);
	unlock_page(page);
	page_cache_release(page);
	return ok;
}

#define GETBLK_TRIES	16

struct buffer_head *getblk(struct block_device *bdev, unsigned long block, unsigned int size)
{
	struct machine *m = bdev_machine(bdev);

	BUG_ON_MSG(size != bdev->block_size, "getblk: %s:%lu of size %u, the device's is %u",
		   bdev->name, block, size, bdev->block_size);
	if ((uint64_t)(block + 1) * size > bdev->size)
		return NULL;		/* past the end of the device */
	for (int tries = 0; tries < GETBLK_TRIES; tries++) {
		struct buffer_head *bh = get_hash_table(m->buffers, bdev, block, size);

		if (bh)
			return bh;
		if (!grow_buffers(bdev, block, size))
			free_more_memory(m);
	}
	return NULL;
}

struct buffer_head *bread(struct block_device *bdev, unsigned long block, unsigned int size)
{
	struct buffer_head *bh = getblk(bdev, block, size);

	if (!bh || buffer_uptodate(bh))
		return bh;
	ll_rw_block(READ, 1, &bh);
	wait_on_buffer(bh);
	if (buffer_uptodate(bh))
		return bh;
	brelse(bh);
	return NULL;
}

void brelse(struct buffer_head *bh)
{
	if (!bh)
		return;
	BUG_ON_MSG(atomic_fetch_sub(&bh->b_count, 1) <= 0,
		   "VFS: brelse: trying to free free buffer %s:%lu", bh->b_bdev->name,
		   bh->b_blocknr);
}

void mark_buffer_dirty(struct buffer_head *bh)
{
	struct machine *m = bdev_machine(bh->b_bdev);
	struct buffer_state *bs = m->buffers;

	if (test_set_buffer_dirty(bh))
		return;		/* already dirty: its flushtime stays the first one */
	spin_lock(&bs->lru_list_lock);
	__mark_dirty(bs, bh, jiffies_now(m));
	spin_unlock(&bs->lru_list_lock);
	balance_dirty(m);
}

/* --- writing dirty buffers ------------------------------------------------------------- */

/*
 * write_some_buffers - up to NRSYNC dirty buffers from the head of
 * BUF_DIRTY (the oldest first), of @bdev (NULL: any), whose flushtime is
 * at or before @older (ULONG_MAX: any): referenced under lru_list_lock,
 * then written.  Returns how many were written.
 */
static unsigned int write_some_buffers(struct machine *m, struct block_device *bdev,
				       unsigned long older, enum bh_writer who)
{
	struct buffer_state *bs = m->buffers;
	struct buffer_head *arr[NRSYNC], *bh;
	unsigned int n = 0, written = 0;

	spin_lock(&bs->lru_list_lock);
	list_for_each_entry(bh, &bs->lru_list[BUF_DIRTY], b_lru) {
		if (older != ULONG_MAX && bh->b_flushtime > older)
			break;		/* the list is in dirtying order: the rest are younger */
		if ((bdev && bh->b_bdev != bdev) || buffer_locked(bh))
			continue;
		atomic_fetch_add(&bh->b_count, 1);
		arr[n++] = bh;
		if (n == NRSYNC)
			break;
	}
	spin_unlock(&bs->lru_list_lock);
	for (unsigned int i = 0; i < n; i++) {
		bool was_dirty = buffer_dirty(arr[i]);

		__ll_rw_block(WRITE, 1, &arr[i], who);
		wait_on_buffer(arr[i]);
		if (was_dirty && !buffer_dirty(arr[i]) && buffer_uptodate(arr[i]))
			written++;
		brelse(arr[i]);
	}
	return written;
}

int sync_buffers(struct block_device *bdev)
{
	struct machine *m = bdev ? bdev_machine(bdev) : NULL;
	int err = 0;

	if (!bdev)
		return -EINVAL;
	while (write_some_buffers(m, bdev, ULONG_MAX, BHW_SYNC))
		;
	/* what is still dirty could not be written: an I/O error */
	spin_lock(&m->buffers->lru_list_lock);
	{
		struct buffer_head *bh;

		list_for_each_entry(bh, &m->buffers->lru_list[BUF_DIRTY], b_lru)
			if (bh->b_bdev == bdev)
				err = -EIO;
	}
	spin_unlock(&m->buffers->lru_list_lock);
	return err;
}

/* --- bdflush, kupdate ---------------------------------------------------------------- */

/*
 * The dirty data bdflush looks at, in pages: the dirty buffers and, with
 * writeback=2.4, the dirty file pages too (2.4 kept those in buffers).
 */
static unsigned long dirty_pages_24(struct machine *m)
{
	struct buffer_state *bs = m->buffers;
	unsigned long dirty;

	spin_lock(&bs->lru_list_lock);
	dirty = bs->size_buffers_type[BUF_DIRTY] >> PAGE_SHIFT;
	spin_unlock(&bs->lru_list_lock);
	if (m->cfg.writeback == VMSIM_WRITEBACK_24)
		dirty += global_page_state(m, NR_FILE_DIRTY);
	return dirty;
}

/* 2.4's nr_free_buffer_pages: what buffers may use, free pages and the file cache. */
static unsigned long nr_free_buffer_pages(struct machine *m)
{
	return nr_free_pages(m) + global_page_state(m, NR_ZONE_ACTIVE_FILE) +
	       global_page_state(m, NR_ZONE_INACTIVE_FILE);
}

/* -1: below nfract; 0: above it (wake bdflush); 1: above nfract_sync (write here too). */
static int balance_dirty_state(struct machine *m)
{
	struct buffer_state *bs = m->buffers;
	unsigned long dirty = dirty_pages_24(m) * 100, tot = nr_free_buffer_pages(m);

	if (dirty > tot * (unsigned long)bs->bdf_prm[BDF_NFRACT])
		return dirty > tot * (unsigned long)bs->bdf_prm[BDF_NFRACT_SYNC] ? 1 : 0;
	return -1;
}

/* bdflush stops below nfract_stop_bdflush percent. */
static bool bdflush_stop(struct machine *m)
{
	return dirty_pages_24(m) * 100 <=
	       nr_free_buffer_pages(m) * (unsigned long)m->buffers->bdf_prm[BDF_NFRACT_STOP];
}

void wakeup_bdflush(struct machine *m)
{
	struct buffer_state *bs = m->buffers;

	if (bs && !atomic_exchange(&bs->bdflush_wanted, 1))
		atomic_fetch_add(&bs->bdflush_wakeups, 1);
}

void balance_dirty(struct machine *m)
{
	int state;

	if (!m->buffers)
		return;
	state = balance_dirty_state(m);
	if (state < 0)
		return;
	wakeup_bdflush(m);
	/* really out of balance: the writer writes some itself (throttling) */
	if (state > 0 && !write_some_buffers(m, NULL, ULONG_MAX, BHW_SYNC) &&
	    m->cfg.writeback == VMSIM_WRITEBACK_24)
		writeback_inodes(m, NRSYNC, ULONG_MAX, WB_REASON_THROTTLE);
}

unsigned long bdflush_pass(struct machine *m)
{
	struct buffer_state *bs = m->buffers;
	unsigned long written = 0, max = (unsigned long)bs->bdf_prm[BDF_NDIRTY];

	/* at most ndirty blocks a wake-up, until below nfract_stop_bdflush */
	while (written < max) {
		unsigned long n = write_some_buffers(m, NULL, ULONG_MAX, BHW_BDFLUSH);

		if (!n && m->cfg.writeback == VMSIM_WRITEBACK_24)
			n = writeback_inodes(m, min(max - written, (unsigned long)NRSYNC), ULONG_MAX,
					     WB_REASON_BACKGROUND);
		written += n;
		if (!n || bdflush_stop(m))
			break;
	}
	return written;
}

unsigned long kupdate_pass(struct machine *m)
{
	unsigned long now = jiffies_now(m), written = 0, n;
	unsigned long age = (unsigned long)m->buffers->bdf_prm[BDF_AGE_BUFFER];

	atomic_fetch_add(&m->buffers->kupdate_runs, 1);
	/* 2.4's sync_old_buffers: the files' old dirty pages, then the old buffers */
	if (m->cfg.writeback == VMSIM_WRITEBACK_24 && now >= age)
		written += writeback_inodes(m, ULONG_MAX, now - age, WB_REASON_PERIODIC);
	/* the cut-off is fixed at the start: our own I/O advances the clock */
	while ((n = write_some_buffers(m, NULL, now, BHW_KUPDATE)))
		written += n;
	return written;
}

void bdflush_run(struct machine *m)
{
	struct buffer_state *bs = m->buffers;
	struct sim_cpu *cpu = this_cpu();
	unsigned long now;

	if (!bs)
		return;
	now = jiffies_now(m);
	if (likely(!atomic_load_explicit(&bs->bdflush_wanted, memory_order_relaxed) &&
		   (!bs->bdf_prm[BDF_INTERVAL] || now < atomic_load(&bs->next_kupdate))))
		return;
	if (cpu->curr || !spin_trylock(&bs->run_lock))
		return;
	if (atomic_exchange(&bs->bdflush_wanted, 0)) {
		cpu->curr = bs->bdflush_task;
		bdflush_pass(m);
	}
	if (bs->bdf_prm[BDF_INTERVAL] && now >= atomic_load(&bs->next_kupdate)) {
		cpu->curr = bs->kupdate_task;
		kupdate_pass(m);
		/* schedule_timeout(interval): the next pass one interval after this one */
		atomic_store(&bs->next_kupdate,
			     jiffies_now(m) + (unsigned long)bs->bdf_prm[BDF_INTERVAL]);
	}
	cpu->curr = NULL;
	spin_unlock(&bs->run_lock);
}

/* --- statistics ------------------------------------------------------------------------ */

unsigned long nr_dirty_buffer_bytes(struct machine *m)
{
	unsigned long n;

	if (!m->buffers)
		return 0;
	spin_lock(&m->buffers->lru_list_lock);
	n = m->buffers->size_buffers_type[BUF_DIRTY];
	spin_unlock(&m->buffers->lru_list_lock);
	return n;
}

const int bdflush_min[VMSIM_BDFLUSH_PARAMS] = { 0, 1, 0, 0, 0, 1 * HZ, 0, 0, 0 };
const int bdflush_max[VMSIM_BDFLUSH_PARAMS] = {
	100, 50000, 20000, 20000, 10000 * HZ, 10000 * HZ, 100, 100, 0 };

/* sysctl -w vm.bdflush="...": nine numbers separated by blanks or commas, each in range. */
int write_bdflush(struct machine *m, const char *value)
{
	int v[VMSIM_BDFLUSH_PARAMS];
	const char *p = value;

	if (!m->buffers)
		return -ENOENT;		/* no buffer cache: no vm.bdflush */
	for (int i = 0; i < VMSIM_BDFLUSH_PARAMS; i++) {
		char *end;
		long x;

		while (*p == ' ' || *p == '\t' || (i && *p == ','))
			p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		x = strtol(p, &end, 10);
		if (x < bdflush_min[i] || x > bdflush_max[i])
			return -EINVAL;
		v[i] = (int)x;
		p = end;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	memcpy(m->buffers->bdf_prm, v, sizeof(v));
	return 0;
}

void show_bdflush(struct machine *m, struct seq_buf *s)
{
	const int *p = m->buffers->bdf_prm;

	seq_printf(s, "%d", p[0]);
	for (int i = 1; i < VMSIM_BDFLUSH_PARAMS; i++)
		seq_printf(s, "\t%d", p[i]);
	seq_puts(s, "\n");
}

/* --- boot and teardown ------------------------------------------------------------------- */

static struct task_struct *kernel_thread(struct machine *m, const char *name)
{
	int err;
	struct task_struct *t = alloc_task(m, &err);

	if (t) {
		snprintf(t->comm, sizeof(t->comm), "%s", name);
		t->flags = PF_KTHREAD;
	}
	return t;
}

int buffer_init(struct machine *m)
{
	struct buffer_state *bs;

	if (!m->cfg.nr_disks && m->cfg.writeback != VMSIM_WRITEBACK_24)
		return 0;	/* no block device and 2.6 writeback: no buffer cache */
	bs = kzalloc(sizeof(*bs), GFP_KERNEL);
	if (!bs)
		return -ENOMEM;
	spin_lock_init(&bs->lru_list_lock);
	spin_lock_init(&bs->run_lock);
	for (int i = 0; i < NR_LIST; i++)
		INIT_LIST_HEAD(&bs->lru_list[i]);
	memcpy(bs->bdf_prm, m->cfg.bdflush, sizeof(bs->bdf_prm));
	atomic_init(&bs->next_kupdate, jiffies_now(m) + (unsigned long)bs->bdf_prm[BDF_INTERVAL]);
	bs->hash_table = kzalloc(sizeof(*bs->hash_table) * BH_HASH_SIZE, GFP_KERNEL);
	bs->bh_cachep = kmem_cache_create("buffer_head", sizeof(struct buffer_head), 0, 0, NULL,
					  NULL);
	bs->bdflush_task = kernel_thread(m, "bdflush");
	bs->kupdate_task = kernel_thread(m, "kupdated");
	m->buffers = bs;
	if (!bs->hash_table || !bs->bh_cachep || !bs->bdflush_task || !bs->kupdate_task) {
		buffer_fini(m);
		return -ENOMEM;
	}
	return 0;
}

void buffer_fini(struct machine *m)
{
	struct buffer_state *bs = m->buffers;

	if (!bs)
		return;
	BUG_ON_MSG(bs->nr_buffers, "buffer_fini: %lu buffer_heads left (clean %lu, locked %lu, "
		   "dirty %lu)", bs->nr_buffers, bs->nr_buffers_type[BUF_CLEAN],
		   bs->nr_buffers_type[BUF_LOCKED], bs->nr_buffers_type[BUF_DIRTY]);
	/* task_fini ran: the task_structs go straight back to their cache (as kswapd's) */
	for (int i = 0; i < 2; i++) {
		struct task_struct *t = i ? bs->kupdate_task : bs->bdflush_task;

		if (t) {
			pthread_mutex_destroy(&t->run_lock);
			kmem_cache_free(task_struct_cachep(m), t);
		}
	}
	if (bs->bh_cachep)
		kmem_cache_destroy(bs->bh_cachep);
	kfree(bs->hash_table);
	kfree(bs);
	m->buffers = NULL;
}

unsigned long nr_blockdev_pages(struct machine *m)
{
	struct buffer_state *bs = m->buffers;
	unsigned long n = 0;

	for (int i = 0; bs && i < bs->nr_bdevs; i++)
		n += bs->bdevs[i].bd_inode->i_mapping->nrpages;
	return n;
}

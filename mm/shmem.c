/*
 * mm/shmem.c - shared anonymous memory (Linux 2.4's mm/shmem.c, the part
 * behind MAP_SHARED|MAP_ANONYMOUS).  Each such mapping gets an unnamed
 * shmem inode whose address_space holds the pages, so every process that
 * inherits the VMA across fork finds the same pages by (mapping, index)
 * in shmem_nopage, including pages first touched after the fork.
 *
 * Shmem pages are page-cache pages with PG_swapbacked: they count in
 * NR_FILE_PAGES and NR_SHMEM (meminfo's Cached and Shmem, as Linux), sit
 * on the anon LRU lists, and have no file behind them: a new page is
 * zero-filled, and they are always dirty (only RAM or swap holds them).
 *
 * Swapping them (2.4's shmem_writepage / shmem_getpage): reclaim unmaps
 * them like file pages (swap_out's drop_pte); shrink_cache then hands an
 * unmapped one to shmem_writepage, which gives it a slot, records the slot
 * in the inode's table (see kern/shmem_fs.h) and moves the page into the
 * swap cache, where it is written and freed as any swap-cache page.  A
 * fault (shmem_nopage) finds the entry in the table and brings the page
 * back from the swap cache or the disk into the page cache, freeing the
 * slot.  swapoff walks every shmem inode (shmem_unuse); the inode's last
 * iput frees its slots (shmem_delete_inode).
 *
 * Writeback (msync, the last iput) never pushes shmem pages to swap:
 * their a_ops->writepage stays NULL, and only reclaim calls
 * shmem_writepage (2.6 tells the two apart with wbc->for_reclaim).
 *
 * /proc/PID/maps shows them as Linux does: "/dev/zero (deleted)" with
 * device 00:01 and the shmem inode number; smaps counts their pages on
 * swap in "Swap:" (Linux 4.5+).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "kern/shmem_fs.h"
#include "kern/vmscan.h"
#include "kern/memory.h"
#include "kern/mman.h"
#include "kern/sched.h"

#define SHMEM_DEV_MAJOR	0
#define SHMEM_DEV_MINOR	1

static int shmem_mmap(struct file *file, struct vm_area_struct *vma);

static const struct address_space_operations shmem_aops = {
	.readpage = NULL,	/* pages are born zeroed */
	.writepage = NULL,	/* reclaim only: shmem_writepage, called by pageout */
};

static const struct file_operations shmem_fops = {
	.mmap = shmem_mmap,
};

/* --- the swap table: page index -> swap entry (info->lock held) ----------- */

static struct shmem_swap_block *shmem_swp_block(struct shmem_inode_info *info,
						unsigned long idx)
{
	return radix_tree_lookup(&info->swap_tree, idx / SHMEM_SWP_BLOCK);
}

static swp_entry_t shmem_swp_get(struct shmem_inode_info *info, unsigned long idx)
{
	struct shmem_swap_block *blk = shmem_swp_block(info, idx);

	return blk ? blk->ent[idx % SHMEM_SWP_BLOCK] : (swp_entry_t){ 0 };
}

/* Clear @idx's entry if it is @entry; an emptied block goes.  True if cleared. */
static bool shmem_swp_clear(struct shmem_inode_info *info, unsigned long idx, swp_entry_t entry)
{
	struct shmem_swap_block *blk = shmem_swp_block(info, idx);
	swp_entry_t *e;

	if (!blk)
		return false;
	e = &blk->ent[idx % SHMEM_SWP_BLOCK];
	if (e->val != entry.val)
		return false;
	e->val = 0;
	info->swapped--;
	if (--blk->nr == 0) {
		radix_tree_delete(&info->swap_tree, idx / SHMEM_SWP_BLOCK);
		kfree(blk);
	}
	return true;
}

/*
 * shmem_swp_set - record @entry for @idx (which has none).  The block and
 * radix nodes are allocated with no spinlock held (@gfp_mask), then the
 * need is checked again under info->lock.  0 or -ENOMEM.
 */
static int shmem_swp_set(struct shmem_inode_info *info, unsigned long idx, swp_entry_t entry,
			 gfp_t gfp_mask)
{
	unsigned long blkno = idx / SHMEM_SWP_BLOCK;
	struct radix_tree_preload rtp = { 0 };
	struct shmem_swap_block *spare = NULL, *blk;
	int err = 0;

	for (;;) {
		unsigned int need;

		spin_lock(&info->lock);
		blk = radix_tree_lookup(&info->swap_tree, blkno);
		if (blk)
			break;
		need = radix_tree_nodes_needed(&info->swap_tree, blkno);
		if (spare && need <= (unsigned int)rtp.nr) {
			BUG_ON(radix_tree_insert(&info->swap_tree, blkno, spare, &rtp));
			blk = spare;
			spare = NULL;
			break;
		}
		spin_unlock(&info->lock);
		if (!spare) {
			spare = kzalloc(sizeof(*spare), gfp_mask);
			if (!spare) {
				err = -ENOMEM;
				goto out;
			}
			spare->base = blkno * SHMEM_SWP_BLOCK;
		}
		err = radix_tree_preload(&info->swap_tree, &rtp, need, gfp_mask);
		if (err)
			goto out;
	}
	BUG_ON_MSG(blk->ent[idx % SHMEM_SWP_BLOCK].val,
		   "shmem: inode %lu index %lu already on swap (%#lx)", info->vfs_inode->i_ino, idx,
		   blk->ent[idx % SHMEM_SWP_BLOCK].val);
	blk->ent[idx % SHMEM_SWP_BLOCK] = entry;
	blk->nr++;
	info->swapped++;
	spin_unlock(&info->lock);
out:
	radix_tree_preload_end(&info->swap_tree, &rtp);
	kfree(spare);
	return err;
}

/* The index whose entry is @entry: true and *@idx, or false (info->lock held). */
static bool shmem_swp_find(struct shmem_inode_info *info, swp_entry_t entry, unsigned long *idx)
{
	struct shmem_swap_block *blks[16];
	unsigned long first = 0;
	unsigned int n;

	while ((n = radix_tree_gang_lookup(&info->swap_tree, (void **)blks, first, 16))) {
		for (unsigned int i = 0; i < n; i++) {
			for (unsigned int j = 0; j < SHMEM_SWP_BLOCK; j++)
				if (blks[i]->ent[j].val == entry.val) {
					*idx = blks[i]->base + j;
					return true;
				}
			first = blks[i]->base / SHMEM_SWP_BLOCK + 1;
		}
	}
	return false;
}

/* Entries in [start, end) (info->lock held). */
static unsigned long shmem_swp_count(struct shmem_inode_info *info, unsigned long start,
				     unsigned long end)
{
	struct shmem_swap_block *blks[16];
	unsigned long first = start / SHMEM_SWP_BLOCK, count = 0;
	unsigned int n;

	while ((n = radix_tree_gang_lookup(&info->swap_tree, (void **)blks, first, 16))) {
		for (unsigned int i = 0; i < n; i++) {
			if (blks[i]->base >= end)
				return count;
			for (unsigned int j = 0; j < SHMEM_SWP_BLOCK; j++) {
				unsigned long idx = blks[i]->base + j;

				if (blks[i]->ent[j].val && idx >= start && idx < end)
					count++;
			}
			first = blks[i]->base / SHMEM_SWP_BLOCK + 1;
		}
	}
	return count;
}

/* --- writeout: page cache -> swap cache -------------------------------------- */

int shmem_writepage(struct page *page)
{
	struct address_space *mapping = page->mapping;
	struct shmem_sb_info *sbinfo = page_machine(page)->shmem;
	struct shmem_inode_info *info;
	unsigned long idx = page->index;
	swp_entry_t swap;
	int err;

	VM_BUG_ON_MSG(!PageLocked(page) || PageSwapCache(page) || !mapping || !mapping->swapbacked,
		      "shmem_writepage: pfn %lu not a locked shmem page", page_to_pfn(page));
	info = SHMEM_I(mapping->host);
	/*
	 * Mapped again since reclaim looked: swap_out has to unmap it first.
	 * A fault may still map it after this check (nopage returns the page
	 * unlocked): the PTE then maps a swap-cache page whose slot the
	 * table names.  That stays consistent: writes through it dirty the
	 * page, reclaim writes it to the slot before freeing it, and the
	 * next fault of a sharer moves it back into the page cache.
	 */
	if (page_mapcount(page))
		return -EBUSY;
getswap:
	swap = get_swap_page();		/* its reference goes to the swap cache */
	if (!swap.val)
		return -ENOSPC;
	/* the table's own reference on the slot */
	BUG_ON_MSG(!swap_duplicate(swap), "shmem_writepage: new slot %#lx already free", swap.val);
	/*
	 * Table first, then the move: in between, the page cache still has
	 * the page (locked), and lookups prefer the page cache.  swapoff
	 * finding the slot in the table meanwhile waits for our page lock.
	 */
	err = shmem_swp_set(info, idx, swap, GFP_ATOMIC);
	if (err)
		goto free_slot;
	if (DEBUG_VM && unlikely(sbinfo->debug_writepage_window))
		sbinfo->debug_writepage_window(page, swap);
	err = move_to_swap_cache(page, swap);
	if (!err)
		return 0;
	spin_lock(&info->lock);
	BUG_ON(!shmem_swp_clear(info, idx, swap));
	spin_unlock(&info->lock);
free_slot:
	swap_free(swap);
	swap_free(swap);
	/*
	 * -EEXIST: a speculative read of the new slot (swapoff's, or swap
	 * readahead's) put a copy of it in the swap cache first; that copy
	 * now holds the slot alone and goes with its reader.  Another slot,
	 * as 2.4 (its shmem_writepage's "goto getswap").
	 */
	if (err == -EEXIST)
		goto getswap;
	return err;
}

/* --- lookup: page cache, else swap, else a new page ------------------------------ */

/* A new zeroed page at @idx, unless one appeared meanwhile (-EAGAIN). */
static struct page *shmem_newpage(struct inode *inode, unsigned long idx, int *err)
{
	struct address_space *mapping = inode->i_mapping;
	struct shmem_inode_info *info = SHMEM_I(inode);
	struct page *page = alloc_page(mapping->gfp_mask | __GFP_ZERO);
	bool raced;
	int e;

	if (!page) {
		*err = -ENOMEM;
		return NULL;
	}
	e = add_to_page_cache(page, mapping, idx, mapping->gfp_mask);
	if (e) {
		put_page(page);
		*err = e == -EEXIST ? -EAGAIN : e;
		return NULL;
	}
	/*
	 * A sharer's page at @idx may have gone to swap between our look at
	 * the table and the insertion: its data wins over our zeroes.
	 */
	spin_lock(&info->lock);
	raced = shmem_swp_get(info, idx).val != 0;
	spin_unlock(&info->lock);
	if (raced) {
		remove_from_page_cache(page);
		unlock_page(page);
		put_page(page);
		*err = -EAGAIN;
		return NULL;
	}
	/*
	 * Clean, as Linux's: zeroes need no saving until written (a store
	 * through a PTE or write() dirties it; reclaim moves every shmem page
	 * to swap anyway, shmem_writepage).  smaps shows it clean.
	 */
	SetPageUptodate(page);
	unlock_page(page);
	return page;
}

/*
 * shmem_swapin - bring @idx back from slot @entry: the swap-cache copy, or
 * a read from disk (a major fault), moved into the page cache; the slot is
 * freed.  -EAGAIN when the table changed meanwhile (look again).
 */
static struct page *shmem_swapin(struct inode *inode, unsigned long idx, swp_entry_t entry,
				 int *type, int *err)
{
	struct shmem_inode_info *info = SHMEM_I(inode);
	struct page *page = lookup_swap_cache(entry);
	bool same;
	int e;

	if (!page) {
		page = read_swap_cache(entry, &e);
		if (!page) {
			spin_lock(&info->lock);
			same = shmem_swp_get(info, idx).val == entry.val;
			spin_unlock(&info->lock);
			/* the table keeps the slot: no memory, or a read error */
			*err = !same ? -EAGAIN : e == -EIO ? -EIO : -ENOMEM;
			return NULL;
		}
		*type = VM_FAULT_MAJOR;
	}
	lock_page(page);
	if (!PageSwapCache(page) || page_swp_entry(page).val != entry.val || !PageUptodate(page))
		goto again;	/* taken out of the swap cache while we waited */
	spin_lock(&info->lock);
	same = shmem_swp_get(info, idx).val == entry.val;
	if (!same) {
		spin_unlock(&info->lock);
		/* a sharer brought it back first: this copy is stale */
		if (page_mapcount(page) == 0)
			remove_exclusive_swap_page(page);
		goto again;
	}
	/*
	 * Checked, moved and cleared under one info->lock (as shmem_unuse):
	 * the entry cannot be taken back between.  -EEXIST: a page is still
	 * in the page cache at idx (a move in progress).
	 */
	e = move_from_swap_cache(page, idx, inode->i_mapping, GFP_ATOMIC);
	if (!e)
		BUG_ON_MSG(!shmem_swp_clear(info, idx, entry), "shmem: inode %lu index %lu lost %#lx",
			   inode->i_ino, idx, entry.val);
	spin_unlock(&info->lock);
	if (e) {
		if (e != -EEXIST) {
			unlock_page(page);
			put_page(page);
			*err = e;
			return NULL;
		}
		goto again;
	}
	swap_free(entry);	/* the table's reference: the slot is free */
	unlock_page(page);
	return page;
again:
	unlock_page(page);
	put_page(page);
	*err = -EAGAIN;
	return NULL;
}

/*
 * shmem_getpage - the uptodate page at @idx of @inode, in its page cache,
 * unlocked, with a reference: found there, brought back from swap (*@type
 * VM_FAULT_MAJOR when read from disk), or a new zeroed one.  NULL with
 * *@err -ENOMEM or -EIO.
 */
static struct page *shmem_getpage(struct inode *inode, unsigned long idx, int *type, int *err)
{
	struct address_space *mapping = inode->i_mapping;
	struct shmem_inode_info *info = SHMEM_I(inode);

	for (;;) {
		/* locked, so a sharer's zeroing or a move to swap is over */
		struct page *page = find_lock_page(mapping, idx);
		swp_entry_t entry;

		if (page) {
			unlock_page(page);
			return page;
		}
		spin_lock(&info->lock);
		entry = shmem_swp_get(info, idx);
		spin_unlock(&info->lock);
		if (entry.val)
			page = shmem_swapin(inode, idx, entry, type, err);
		else
			page = shmem_newpage(inode, idx, err);
		if (page || *err != -EAGAIN)
			return page;
	}
}

/*
 * shmem_nopage - the page at @address of a shared anonymous mapping,
 * with a reference for the new PTE.  NOPAGE_SIGBUS past the size of the
 * object or on a swap read error, NOPAGE_OOM without memory (as 2.4).
 */
static struct page *shmem_nopage(struct vm_area_struct *vma, unsigned long address, int *type)
{
	struct inode *inode = vma->vm_file->f_inode;
	unsigned long idx = ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
	loff_t size = atomic_load(&inode->i_size);
	struct page *page;
	int err = 0;

	if (idx >= (unsigned long)((size + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT))
		return NULL;
	page = shmem_getpage(inode, idx, type, &err);
	if (!page)
		return err == -ENOMEM ? NOPAGE_OOM : NOPAGE_SIGBUS;
	mark_page_accessed(page);
	return page;
}

static const struct vm_operations_struct shmem_vm_ops = {
	.nopage = shmem_nopage,
	.map_pages = filemap_map_pages,	/* fault-around over the page cache, as Linux */
};

static int shmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	(void)file;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}

bool vma_is_shmem(const struct vm_area_struct *vma)
{
	return vma->vm_ops == &shmem_vm_ops;
}

/* --- swapoff -------------------------------------------------------------------- */

/*
 * Move locked swap-cache @page (slot @entry) to @idx of @info's inode
 * (swaplist_sem held: the inode cannot go).  1 if done, -ENOMEM, or 0 if
 * a page is still at @idx: a move of that index is in progress under
 * that page's lock (shmem_writepage between its table entry and its move
 * to the swap cache, or a swap-in).  *@busy then gets that page, with a
 * reference, for the caller to wait on once it dropped @page's lock.
 */
static int shmem_unuse_inode(struct shmem_inode_info *info, unsigned long idx,
			     swp_entry_t entry, struct page *page, struct page **busy)
{
	struct address_space *mapping = info->vfs_inode->i_mapping;
	int err;

	/*
	 * The table is checked again and cleared under the same info->lock
	 * as the move: shmem_writepage may meanwhile have taken @idx's entry
	 * back (its slot was read speculatively: -EEXIST) and moved the page
	 * out under another slot; @page (a copy of a slot never written)
	 * must not land at @idx then.  No reclaim under swaplist_sem and
	 * info->lock: GFP_ATOMIC (the last mm of a shmem mapping dropped by
	 * reclaim would wait for swaplist_sem in its iput).
	 */
	spin_lock(&info->lock);
	if (shmem_swp_get(info, idx).val != entry.val) {
		spin_unlock(&info->lock);
		return 0;	/* changed since we looked: the next pass */
	}
	err = move_from_swap_cache(page, idx, mapping, GFP_ATOMIC);
	if (!err)
		BUG_ON_MSG(!shmem_swp_clear(info, idx, entry),
			   "shmem_unuse: inode %lu index %lu lost %#lx", info->vfs_inode->i_ino, idx,
			   entry.val);
	spin_unlock(&info->lock);
	if (err) {
		/*
		 * Never wait for that page's lock here: we hold @page's, and
		 * two page locks are never waited for nested.
		 */
		if (err == -EEXIST)
			*busy = find_get_page(mapping, idx);
		return err == -EEXIST ? 0 : err;
	}
	swap_free(entry);
	return 1;
}

int shmem_unuse(swp_entry_t entry, struct page *page, struct page **busy)
{
	struct shmem_sb_info *sbinfo = page_machine(page)->shmem;
	struct shmem_inode_info *info;
	int ret = 0;

	VM_BUG_ON_MSG(!PageLocked(page) || !PageSwapCache(page) ||
		      page_swp_entry(page).val != entry.val,
		      "shmem_unuse: pfn %lu not the locked swap-cache page of %#lx",
		      page_to_pfn(page), entry.val);
	*busy = NULL;
	down(&sbinfo->swaplist_sem);
	list_for_each_entry(info, &sbinfo->shmem_inodes, swaplist) {
		unsigned long idx;
		bool found;

		spin_lock(&info->lock);
		found = info->swapped && shmem_swp_find(info, entry, &idx);
		spin_unlock(&info->lock);
		if (found) {
			ret = shmem_unuse_inode(info, idx, entry, page, busy);
			/* the next lookup starts here: sharers' slots come in runs */
			list_move_tail(&sbinfo->shmem_inodes, &info->swaplist);
			break;
		}
	}
	up(&sbinfo->swaplist_sem);
	return ret;
}

/* --- the inode's life ----------------------------------------------------------- */

/*
 * shmem_file_setup - a new shmem object of @size bytes: charged whole to
 * Committed_AS unless @flags has VM_NORESERVE (shmem_acct_size), released
 * when the object goes.  NULL: -ENOMEM (overcommit refused, or no memory).
 */
struct file *shmem_file_setup(struct machine *m, loff_t size, unsigned long flags)
{
	struct shmem_sb_info *sbinfo = m->shmem;
	struct fs_state *fs = m->fs;
	struct shmem_inode_info *info;
	unsigned long acct = 0;
	struct inode *inode;
	struct file *file;

	if (size < 0 || size > MAX_LFS_FILESIZE)
		return NULL;
	if (!(flags & VM_NORESERVE)) {
		acct = (unsigned long)(((uint64_t)size + PAGE_SIZE - 1) >> PAGE_SHIFT);
		if (__vm_enough_memory(m, current ? current->mm : NULL, (long)acct))
			return NULL;
	}
	inode = new_inode(m);
	if (!inode) {
		if (acct)
			vm_unacct_memory(m, (long)acct);
		return NULL;
	}
	inode->i_kind = I_SHMEM;
	spin_lock(&fs->inode_lock);
	inode->i_ino = fs->next_shmem_ino++;
	spin_unlock(&fs->inode_lock);
	inode->i_dev_major = SHMEM_DEV_MAJOR;
	inode->i_dev_minor = SHMEM_DEV_MINOR;
	inode->i_mode = S_IFREG | 0777;
	atomic_store(&inode->i_size, size);
	inode->i_data.a_ops = &shmem_aops;
	inode->i_data.swapbacked = true;
	inode->i_fop = &shmem_fops;
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info) {
		iput(inode);
		if (acct)
			vm_unacct_memory(m, (long)acct);
		return NULL;
	}
	info->acct_pages = acct;	/* shmem_delete_inode gives it back */
	spin_lock_init(&info->lock);
	INIT_RADIX_TREE(&info->swap_tree, fs->radix_tree_node_cachep);
	info->vfs_inode = inode;
	inode->i_private = info;
	down(&sbinfo->swaplist_sem);
	list_add_tail(&info->swaplist, &sbinfo->shmem_inodes);
	sbinfo->nr_inodes++;
	up(&sbinfo->swaplist_sem);
	file = alloc_file(inode, 02 /* O_RDWR */, FMODE_READ | FMODE_WRITE);
	iput(inode);		/* the file holds the inode now (or, on failure, it goes) */
	return file;
}

void shmem_delete_inode(struct inode *inode)
{
	struct shmem_inode_info *info = SHMEM_I(inode);
	struct shmem_sb_info *sbinfo = inode->i_machine->shmem;
	struct shmem_swap_block *blk;

	if (!info)
		return;		/* shmem_file_setup failed before it had one */
	/* swapoff looks no more; one in progress with this inode finishes first */
	down(&sbinfo->swaplist_sem);
	list_del_init(&info->swaplist);
	sbinfo->nr_inodes--;
	up(&sbinfo->swaplist_sem);
	/* the pages: a writeout in progress holds its page lock, truncate waits */
	truncate_inode_pages(inode->i_mapping, 0);
	/* then the slots, with their swap-cache copies nobody else can want */
	while (radix_tree_gang_lookup(&info->swap_tree, (void **)&blk, 0, 1)) {
		for (unsigned int j = 0; j < SHMEM_SWP_BLOCK; j++) {
			if (!blk->ent[j].val)
				continue;
			free_swap_and_cache(blk->ent[j]);
			blk->ent[j].val = 0;
			blk->nr--;
			info->swapped--;
		}
		BUG_ON(blk->nr);
		radix_tree_delete(&info->swap_tree, blk->base / SHMEM_SWP_BLOCK);
		kfree(blk);
	}
	BUG_ON_MSG(info->swapped, "shmem_delete_inode: inode %lu swapped %lu after freeing",
		   inode->i_ino, info->swapped);
	if (info->acct_pages)
		vm_unacct_memory(inode->i_machine, (long)info->acct_pages);
	inode->i_private = NULL;
	kfree(info);
}

int shmem_zero_setup(struct vm_area_struct *vma)
{
	struct file *file = shmem_file_setup(vma->vm_mm->machine,
					     (loff_t)(vma->vm_end - vma->vm_start), vma->vm_flags);

	if (!file)
		return -ENOMEM;
	if (vma->vm_file)
		fput(vma->vm_file);
	vma->vm_file = file;
	vma->vm_pgoff = 0;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}

/* --- statistics and checks ------------------------------------------------------ */

/* Pages every live shmem object charged to Committed_AS (vm_committed_check). */
unsigned long shmem_accounted_pages(struct machine *m)
{
	struct shmem_sb_info *sbinfo = m->shmem;
	struct shmem_inode_info *info;
	unsigned long n = 0;

	if (!sbinfo)
		return 0;
	down(&sbinfo->swaplist_sem);
	list_for_each_entry(info, &sbinfo->shmem_inodes, swaplist)
		n += info->acct_pages;
	up(&sbinfo->swaplist_sem);
	return n;
}

unsigned long shmem_swapped(struct inode *inode)
{
	struct shmem_inode_info *info = SHMEM_I(inode);
	unsigned long n;

	spin_lock(&info->lock);
	n = info->swapped;
	spin_unlock(&info->lock);
	return n;
}

unsigned long shmem_swap_usage(struct vm_area_struct *vma)
{
	struct inode *inode = vma->vm_file->f_inode;
	struct shmem_inode_info *info = SHMEM_I(inode);
	unsigned long start = vma->vm_pgoff;
	unsigned long end = start + ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT);
	unsigned long size = (unsigned long)((atomic_load(&inode->i_size) + (loff_t)PAGE_SIZE - 1) >>
					     PAGE_SHIFT);
	unsigned long n;

	spin_lock(&info->lock);
	/* the whole object mapped: the inode's count (Linux's shortcut) */
	n = start == 0 && end >= size ? info->swapped : shmem_swp_count(info, start, end);
	spin_unlock(&info->lock);
	return n << PAGE_SHIFT;
}

bool shmem_inode_is_valid(struct inode *inode)
{
	struct shmem_inode_info *info = SHMEM_I(inode);
	struct shmem_swap_block *blks[16];
	unsigned long first = 0, entries = 0, items;
	unsigned int n;

	BUG_ON_MSG(!info || info->vfs_inode != inode, "shmem: inode %lu without its info",
		   inode->i_ino);
	spin_lock(&info->lock);
	radix_tree_is_valid(&info->swap_tree, &items);
	while ((n = radix_tree_gang_lookup(&info->swap_tree, (void **)blks, first, 16))) {
		for (unsigned int i = 0; i < n; i++) {
			unsigned int used = 0;

			BUG_ON_MSG(blks[i]->base % SHMEM_SWP_BLOCK || blks[i]->base /
				   SHMEM_SWP_BLOCK < first, "shmem: inode %lu block at %lu",
				   inode->i_ino, blks[i]->base);
			for (unsigned int j = 0; j < SHMEM_SWP_BLOCK; j++) {
				swp_entry_t e = blks[i]->ent[j];

				if (!e.val)
					continue;
				used++;
				BUG_ON_MSG(swap_count(e) < 1,
					   "shmem: inode %lu index %lu names free slot %#lx",
					   inode->i_ino, blks[i]->base + j, e.val);
			}
			BUG_ON_MSG(!used || used != blks[i]->nr,
				   "shmem: inode %lu block at %lu holds %u entries, counted %u",
				   inode->i_ino, blks[i]->base, used, blks[i]->nr);
			entries += used;
			first = blks[i]->base / SHMEM_SWP_BLOCK + 1;
		}
	}
	BUG_ON_MSG(entries != info->swapped, "shmem: inode %lu has %lu entries, swapped %lu",
		   inode->i_ino, entries, info->swapped);
	spin_unlock(&info->lock);
	return true;
}

int shmem_init(struct machine *m)
{
	struct shmem_sb_info *sbinfo = kzalloc(sizeof(*sbinfo), GFP_KERNEL);

	if (!sbinfo)
		return -ENOMEM;
	sema_init_mutex(&sbinfo->swaplist_sem);
	INIT_LIST_HEAD(&sbinfo->shmem_inodes);
	m->shmem = sbinfo;
	return 0;
}

void shmem_fini(struct machine *m)
{
	struct shmem_sb_info *sbinfo = m->shmem;

	if (!sbinfo)
		return;
	if (!list_empty(&sbinfo->shmem_inodes)) {
		struct shmem_inode_info *info = list_first_entry(&sbinfo->shmem_inodes,
								 struct shmem_inode_info, swaplist);

		BUG_ON_MSG(1, "shmem_fini: shmem inode %lu still alive (%d references)",
			   info->vfs_inode->i_ino, atomic_load(&info->vfs_inode->i_count));
	}
	sema_fini(&sbinfo->swaplist_sem);
	kfree(sbinfo);
	m->shmem = NULL;
}

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
 * zero-filled, and writeback skips them (they would go to swap, through
 * the swap cache, once reclaim learns to page them out).  They are freed
 * when the last mapping of the shmem file goes.
 *
 * /proc/PID/maps shows them as Linux does: "/dev/zero (deleted)" with
 * device 00:01 and the shmem inode number.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "kern/pagemap.h"

#define SHMEM_DEV_MAJOR	0
#define SHMEM_DEV_MINOR	1

static int shmem_mmap(struct file *file, struct vm_area_struct *vma);

static const struct address_space_operations shmem_aops = {
	.readpage = NULL,	/* pages are born zeroed */
	.writepage = NULL,	/* swap-backed: no file to write to */
};

static const struct file_operations shmem_fops = {
	.mmap = shmem_mmap,
};

/*
 * shmem_nopage - the page at @address of a shared anonymous mapping,
 * with a reference for the new PTE; a new one is zeroed and cached.
 * NULL (SIGBUS) past the size of the object or without memory.
 */
static struct page *shmem_nopage(struct vm_area_struct *vma, unsigned long address, int *type)
{
	struct inode *inode = vma->vm_file->f_inode;
	struct address_space *mapping = inode->i_mapping;
	unsigned long idx = ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
	loff_t size = atomic_load(&inode->i_size);

	(void)type;	/* shmem pages are made here, never read in: minor faults */
	if (idx >= (unsigned long)((size + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT))
		return NULL;
	for (;;) {
		struct page *page = find_get_page(mapping, idx);
		int err;

		if (page) {
			/* another sharer may still be zeroing it */
			wait_on_page_locked(page);
			mark_page_accessed(page);
			return page;
		}
		page = alloc_page(mapping->gfp_mask | __GFP_ZERO);
		if (!page)
			return NULL;
		err = add_to_page_cache(page, mapping, idx, mapping->gfp_mask);
		if (err) {
			put_page(page);
			if (err == -EEXIST)
				continue;
			return NULL;
		}
		SetPageUptodate(page);
		set_page_dirty(page);	/* only swap could hold its data now */
		unlock_page(page);
		return page;
	}
}

static const struct vm_operations_struct shmem_vm_ops = {
	.nopage = shmem_nopage,
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

struct file *shmem_file_setup(struct machine *m, loff_t size)
{
	struct fs_state *fs = m->fs;
	struct inode *inode;
	struct file *file;

	if (size < 0 || size > MAX_LFS_FILESIZE)
		return NULL;
	inode = new_inode(m);
	if (!inode)
		return NULL;
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
	file = alloc_file(inode, 02 /* O_RDWR */, FMODE_READ | FMODE_WRITE);
	iput(inode);		/* the file holds the inode now (or, on failure, it goes) */
	return file;
}

int shmem_zero_setup(struct vm_area_struct *vma)
{
	struct file *file = shmem_file_setup(vma->vm_mm->machine,
					     (loff_t)(vma->vm_end - vma->vm_start));

	if (!file)
		return -ENOMEM;
	if (vma->vm_file)
		fput(vma->vm_file);
	vma->vm_file = file;
	vma->vm_pgoff = 0;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}

/*
 * fs/block_dev.c - block devices (Linux 2.4's fs/block_dev.c): the disks
 * the machine was configured with (disk=NAME:PATH:SIZE[:BLOCKSIZE]) as
 * /dev/NAME, each a struct block_device over a simulated disk (hw/disk.c,
 * a host file) with its bd_inode, whose page cache holds the device's
 * blocks and their buffers (fs/buffer.c).
 *
 * Opening /dev/NAME gives a device-file inode (as a devtmpfs node: major
 * VIRTBLK_MAJOR, minor 16 * index, as virtio-blk numbers vda, vdb ...)
 * whose file reads and writes the device's page cache
 * (file->f_mapping = bd_inode's mapping): read(2) through
 * generic_file_read and block_read_full_page; write(2) a block at a time
 * (2.4's block_prepare_write/commit_write: a partial block is read
 * first, the written blocks become dirty buffers for bdflush and
 * kupdate); mmap through generic_file_mmap, whose dirtied pages dirty
 * their buffers (set_page_dirty) and are written by block_write_full_page
 * (msync, fsync, reclaim).  fsync writes the device's dirty buffers.
 *
 * The first open opens the host file (a relative PATH in the machine
 * root); the last close (blkdev_put) writes every dirty buffer and page,
 * frees every buffer and page of the device and closes the host file, so
 * a closed device holds no memory.  The bd_inodes are made at boot and
 * freed at shutdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "kern/buffer_head.h"
#include "kern/chrdev.h"
#include "kern/pagemap.h"
#include "kern/printk.h"
#include "kern/seq_buf.h"
#include "kern/slab.h"
#include "kern/uaccess.h"

static struct buffer_state *bs_of(struct machine *m)
{
	return m->buffers;
}

struct block_device *bdget_by_name(struct machine *m, const char *name)
{
	struct buffer_state *bs = bs_of(m);

	for (int i = 0; bs && i < bs->nr_bdevs; i++)
		if (!strcmp(bs->bdevs[i].name, name))
			return &bs->bdevs[i];
	return NULL;
}

struct block_device *mapping_bdev(struct address_space *mapping)
{
	struct inode *inode = mapping ? mapping->host : NULL;

	return inode && inode->i_kind == I_BLKDEV ? inode->i_private : NULL;
}

/* --- the device's page cache ----------------------------------------------------- */

static int blkdev_readpage(struct file *file, struct page *page)
{
	(void)file;
	return block_read_full_page(page);
}

/* set_page_dirty of a mapped device page: PG_dirty (for msync) and its buffers dirty */
static bool blkdev_set_page_dirty(struct page *page)
{
	bool was_clean = !TestSetPageDirty(page);

	set_page_buffers_dirty(page);
	return was_clean;
}

static const struct address_space_operations def_blk_aops = {
	.readpage = blkdev_readpage,
	.writepage = block_write_full_page,
	.set_page_dirty = blkdev_set_page_dirty,
};

/* --- opening and the last close ------------------------------------------------------ */

int blkdev_get(struct block_device *bdev)
{
	struct machine *m = bdev->bd_inode->i_machine;
	int err = 0;

	down(&bdev->bd_sem);
	if (!bdev->bd_openers) {
		char path[sizeof(m->fs->root_path) + sizeof(bdev->path) + 8];
		const char *root = m->fs->root_fd >= 0 ? m->fs->root_path : NULL;

		/* a relative path is in the machine root (as files are) */
		if (bdev->path[0] && bdev->path[0] != '/' && root)
			snprintf(path, sizeof(path), "%s/%s", root, bdev->path);
		else
			snprintf(path, sizeof(path), "%s", bdev->path);
		struct sim_disk old = bdev->disk;

		err = sim_disk_open(&bdev->disk, path[0] ? path : NULL, bdev->size);
		/* diskstats count from boot, over every open */
		atomic_store(&bdev->disk.reads, atomic_load(&old.reads));
		atomic_store(&bdev->disk.writes, atomic_load(&old.writes));
		atomic_store(&bdev->disk.sectors_read, atomic_load(&old.sectors_read));
		atomic_store(&bdev->disk.sectors_written, atomic_load(&old.sectors_written));
		if (err)
			printk(m, "%s: cannot open %s: %s\n", bdev->name, path[0] ? path : "(temporary)",
			       strerror(-err));
	}
	if (!err)
		bdev->bd_openers++;
	up(&bdev->bd_sem);
	return err;
}

/* kill_bdev: every buffer and page of the device goes (all written before). */
static void kill_bdev(struct block_device *bdev)
{
	struct address_space *mapping = bdev->bd_inode->i_mapping;
	struct page *pages[16];
	unsigned long index = 0;
	unsigned int n;

	while ((n = find_get_pages(mapping, index, 16, pages))) {
		for (unsigned int i = 0; i < n; i++) {
			struct page *page = pages[i];

			index = page->index + 1;
			lock_page(page);
			BUG_ON_MSG(!try_to_free_buffers(page, true),
				   "kill_bdev: %s: a buffer of pfn %lu (index %lu) is still in use",
				   bdev->name, page_to_pfn(page), page->index);
			unlock_page(page);
			page_cache_release(page);
		}
	}
	truncate_inode_pages(mapping, 0);
	BUG_ON_MSG(mapping->nrpages, "kill_bdev: %s keeps %lu pages", bdev->name, mapping->nrpages);
}

void blkdev_put(struct block_device *bdev)
{
	struct address_space *mapping = bdev->bd_inode->i_mapping;

	down(&bdev->bd_sem);
	BUG_ON_MSG(bdev->bd_openers <= 0, "blkdev_put: %s not open", bdev->name);
	if (!--bdev->bd_openers) {
		/* the last close: __block_fsync, then nothing of it stays in memory */
		filemap_fdatawrite(mapping);
		sync_buffers(bdev);
		kill_bdev(bdev);
		sim_disk_close(&bdev->disk);
	}
	up(&bdev->bd_sem);
}

static int blkdev_open(struct inode *inode, struct file *file)
{
	struct block_device *bdev = inode->i_private;
	int err = blkdev_get(bdev);

	if (!err)
		file->f_mapping = bdev->bd_inode->i_mapping;
	return err;
}

static int blkdev_close(struct inode *inode, struct file *file)
{
	(void)file;
	blkdev_put(inode->i_private);
	return 0;
}

/* --- read, write, fsync ---------------------------------------------------------------- */

/* Reads stop at the end of the device, as a block device's. */
static long blkdev_read(struct file *file, unsigned long buf, size_t count, loff_t *ppos)
{
	return generic_file_read(file, buf, count, ppos);
}

/*
 * Copy @len bytes at @offset of the locked, buffered @page from the user
 * (2.4's block_prepare_write + copy + generic_commit_write): the blocks
 * partly covered are read first, the covered ones become dirty.
 */
static long blkdev_write_page(struct page *page, unsigned long offset, unsigned long buf,
			      size_t len)
{
	struct buffer_head *head = page_buffers(page), *bh = head;
	unsigned long left;
	unsigned int start = 0;
	bool uptodate = true;

	do {
		unsigned int end = start + bh->b_size;

		if (end > offset && start < offset + len && !buffer_uptodate(bh) &&
		    (start < offset || end > offset + len)) {
			ll_rw_block(READ, 1, &bh);
			wait_on_buffer(bh);
			if (!buffer_uptodate(bh))
				return -EIO;
		}
		start = end;
		bh = bh->b_this_page;
	} while (bh != head);
	left = copy_from_user((char *)page_address(page) + offset, buf, len);
	len -= left;
	start = 0;
	do {
		unsigned int end = start + bh->b_size;

		if (end > offset && start < offset + len) {
			set_buffer_uptodate(bh);
			mark_buffer_dirty(bh);
		}
		if (!buffer_uptodate(bh))
			uptodate = false;
		start = end;
		bh = bh->b_this_page;
	} while (bh != head);
	if (uptodate)
		SetPageUptodate(page);
	return len ? (long)len : -EFAULT;
}

static long blkdev_write(struct file *file, unsigned long buf, size_t count, loff_t *ppos)
{
	struct address_space *mapping = file->f_mapping;
	struct block_device *bdev = mapping_bdev(mapping);
	loff_t pos = *ppos, size = (loff_t)bdev->size;
	size_t written = 0;
	long err = 0;

	if (pos < 0)
		return -EINVAL;
	if (pos >= size)
		return count ? -ENOSPC : 0;	/* past the end of the device */
	if ((uint64_t)count > (uint64_t)(size - pos))
		count = (size_t)(size - pos);
	while (written < count) {
		unsigned long offset = (unsigned long)(pos & ~PAGE_MASK);
		size_t len = min((size_t)(PAGE_SIZE - offset), count - written);
		struct page *page = grab_cache_page(mapping, (unsigned long)(pos >> PAGE_SHIFT));
		long n;

		if (!page) {
			err = -ENOMEM;
			break;
		}
		if (!page_has_buffers(page) && !create_empty_buffers(page, bdev, bdev->block_size))
			n = -ENOMEM;
		else
			n = blkdev_write_page(page, offset, buf + written, len);
		unlock_page(page);
		mark_page_accessed(page);
		page_cache_release(page);
		if (n < 0) {
			err = n;
			break;
		}
		written += (size_t)n;
		pos += n;
		if ((size_t)n < len) {
			err = -EFAULT;
			break;
		}
	}
	if (written && (file->f_flags & (O_SYNC | O_DSYNC)) && sync_buffers(bdev))
		return -EIO;
	if (written)
		*ppos = pos;
	return written ? (long)written : err;
}

static int blkdev_fsync(struct file *file, int datasync)
{
	struct block_device *bdev = mapping_bdev(file->f_mapping);
	int err = filemap_write_and_wait(file->f_mapping), e2;

	(void)datasync;
	e2 = sync_buffers(bdev);
	return err ? err : e2;
}

static const struct file_operations def_blk_fops = {
	.open = blkdev_open,
	.release = blkdev_close,
	.read = blkdev_read,
	.write = blkdev_write,
	.mmap = generic_file_mmap,
	.fsync = blkdev_fsync,
};

/* --- /dev/NAME --------------------------------------------------------------------------- */

struct inode *blkdev_lookup(struct machine *m, const char *path, int *err)
{
	struct block_device *bdev = bdget_by_name(m, path + 5);
	struct inode *inode;

	if (!bdev) {
		*err = -ENOENT;
		return NULL;
	}
	inode = devtmpfs_inode(m, path, S_IFBLK | 0660, 100 + bdev->minor);
	if (!inode) {
		*err = -ENOMEM;
		return NULL;
	}
	inode->i_kind = I_BLKDEV;
	inode->i_rdev = ((uint64_t)bdev->major << 20) | bdev->minor;
	inode->i_fop = &def_blk_fops;
	inode->i_private = bdev;	/* no a_ops: the file uses the device's page cache */
	atomic_store(&inode->i_size, (loff_t)bdev->size);
	return inode;
}

/* --- /proc/diskstats ------------------------------------------------------------------------ */

void show_diskstats(struct machine *m, struct seq_buf *s)
{
	struct buffer_state *bs = bs_of(m);

	for (int i = 0; bs && i < bs->nr_bdevs; i++) {
		struct block_device *b = &bs->bdevs[i];

		/* reads, merged, sectors, ms; writes, merged, sectors, ms; in flight, ms, weighted */
		seq_printf(s, "%4u %7u %s %lu 0 %lu 0 %lu 0 %lu 0 0 0 0\n", b->major, b->minor, b->name,
			   atomic_load(&b->disk.reads), atomic_load(&b->disk.sectors_read),
			   atomic_load(&b->disk.writes), atomic_load(&b->disk.sectors_written));
	}
}

/* --- boot and shutdown ------------------------------------------------------------------------ */

int blkdev_init(struct machine *m)
{
	struct buffer_state *bs = bs_of(m);

	if (!m->cfg.nr_disks)
		return 0;
	bs->bdevs = calloc((size_t)m->cfg.nr_disks, sizeof(*bs->bdevs));
	if (!bs->bdevs)
		return -ENOMEM;
	for (int i = 0; i < m->cfg.nr_disks; i++) {
		const struct vmsim_disk_config *c = &m->cfg.disks[i];
		struct block_device *b = &bs->bdevs[i];
		struct inode *inode = new_inode(m);

		if (!inode)
			return -ENOMEM;
		snprintf(b->name, sizeof(b->name), "%s", c->name);
		snprintf(b->path, sizeof(b->path), "%s", c->path);
		b->major = VIRTBLK_MAJOR;
		b->minor = 16 * (unsigned int)i;
		b->size = c->size;
		b->block_size = c->block_size;
		b->disk.fd = -1;
		sema_init_mutex(&b->bd_sem);
		inode->i_kind = I_BLKDEV;
		inode->i_mode = S_IFBLK | 0600;
		inode->i_private = b;
		inode->i_data.a_ops = &def_blk_aops;
		/* lowmem: b_data is a kernel address, as 2.4's buffer pages */
		inode->i_data.gfp_mask = GFP_KERNEL;
		atomic_store(&inode->i_size, (loff_t)b->size);
		b->bd_inode = inode;
		bs->nr_bdevs++;
	}
	return 0;
}

void blkdev_exit(struct machine *m)
{
	struct buffer_state *bs = bs_of(m);

	for (int i = 0; bs && i < bs->nr_bdevs; i++) {
		struct block_device *b = &bs->bdevs[i];

		BUG_ON_MSG(b->bd_openers, "blkdev_exit: %s still open %d times", b->name,
			   b->bd_openers);
		iput(b->bd_inode);	/* its page cache is empty since the last close */
		sema_fini(&b->bd_sem);
	}
	if (bs) {
		free(bs->bdevs);
		bs->bdevs = NULL;
		bs->nr_bdevs = 0;
	}
}

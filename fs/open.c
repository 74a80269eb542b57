/*
 * fs/open.c - descriptor tables and the file system calls of a simulated
 * process: open, close, read, write, pread64, pwrite64, lseek, ftruncate,
 * fsync, fdatasync, msync (Linux's fs/open.c, fs/read_write.c, fs/file.c,
 * mm/msync.c), called by the public API of include/vmsim/file.h
 * (api/file.c) in the task's context.
 *
 * A task's files_struct maps descriptors to struct file; fork copies it
 * (each file gains a reference) unless CLONE_FILES shares it.  vmsim
 * threads (vmsim_clone_vm: CLONE_VM) share it too, as pthreads do.
 * Descriptors are the lowest free number, limited by RLIMIT_NOFILE.
 *
 * User buffers are addresses in the process, reached by kernel-mode
 * copies (kern/uaccess.h): read and write check the whole buffer with
 * access_ok first, as vfs_read/vfs_write (-EFAULT if it reaches above user
 * space); a fault on an unmapped part stops the copy without a signal,
 * and the call returns the bytes copied before it, or -EFAULT if none.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "kern/pagemap.h"
#include "kern/memory.h"
#include "kern/uaccess.h"
#include "kern/mman.h"
#include "kern/sched.h"
#include "kern/chrdev.h"
#include "kern/buffer_head.h"

#define NR_OPEN_DEFAULT	64
#define BITS_PER_LONG	64

#ifndef MS_ASYNC
#define MS_ASYNC	1
#define MS_INVALIDATE	2
#define MS_SYNC		4
#endif

/* --- descriptor tables ------------------------------------------------------- */

static struct files_struct *alloc_files(struct machine *m, unsigned int max_fds)
{
	struct files_struct *files = kmem_cache_alloc(m->fs->files_cachep, GFP_KERNEL);

	if (!files)
		return NULL;
	memset(files, 0, sizeof(*files));
	files->fd = kzalloc(sizeof(struct file *) * max_fds, GFP_KERNEL);
	files->close_on_exec = kzalloc(max_fds / 8, GFP_KERNEL);
	if (!files->fd || !files->close_on_exec) {
		kfree(files->fd);
		kfree(files->close_on_exec);
		kmem_cache_free(m->fs->files_cachep, files);
		return NULL;
	}
	atomic_init(&files->count, 1);
	spin_lock_init(&files->file_lock);
	files->max_fds = max_fds;
	return files;
}

static void free_files(struct machine *m, struct files_struct *files)
{
	kfree(files->fd);
	kfree(files->close_on_exec);
	kmem_cache_free(m->fs->files_cachep, files);
}

/* The task's table, made on first use (spawned tasks start without one). */
static struct files_struct *task_files(struct task_struct *t)
{
	if (!t->files)
		t->files = alloc_files(t->machine, NR_OPEN_DEFAULT);
	return t->files;
}

int files_fork(unsigned long clone_flags, struct task_struct *p, struct task_struct *parent)
{
	struct files_struct *old = parent->files, *new;
	unsigned int max;

	p->files = NULL;
	if (!old)
		return 0;
	if (clone_flags & (CLONE_FILES | CLONE_VM)) {
		atomic_fetch_add(&old->count, 1);
		p->files = old;
		return 0;
	}
	/* dup_fd: the size is read under the lock, allocated outside it */
	for (;;) {
		spin_lock(&old->file_lock);
		max = old->max_fds;
		spin_unlock(&old->file_lock);
		new = alloc_files(parent->machine, max);
		if (!new)
			return -ENOMEM;
		spin_lock(&old->file_lock);
		if (old->max_fds == max)
			break;
		spin_unlock(&old->file_lock);
		free_files(parent->machine, new);
	}
	for (unsigned int fd = 0; fd < max; fd++)
		if (old->fd[fd])
			new->fd[fd] = get_file(old->fd[fd]);
	memcpy(new->close_on_exec, old->close_on_exec, max / 8);
	spin_unlock(&old->file_lock);
	p->files = new;
	return 0;
}

void files_exit(struct task_struct *t)
{
	struct files_struct *files = t->files;

	if (!files)
		return;
	t->files = NULL;
	if (atomic_fetch_sub(&files->count, 1) != 1)
		return;
	for (unsigned int fd = 0; fd < files->max_fds; fd++)
		if (files->fd[fd])
			fput(files->fd[fd]);
	free_files(t->machine, files);
}

/* Grow the table to hold @fd (file_lock held; dropped around the allocation). */
static int expand_files(struct machine *m, struct files_struct *files, unsigned int fd)
{
	unsigned int nmax = files->max_fds;
	struct file **nfd;
	unsigned long *ncoe;

	while (nmax <= fd)
		nmax *= 2;
	spin_unlock(&files->file_lock);
	nfd = kzalloc(sizeof(*nfd) * nmax, GFP_KERNEL);
	ncoe = kzalloc(nmax / 8, GFP_KERNEL);
	spin_lock(&files->file_lock);
	if (!nfd || !ncoe) {
		kfree(nfd);
		kfree(ncoe);
		return -ENOMEM;
	}
	if (files->max_fds >= nmax) {
		/* someone else grew it meanwhile */
		kfree(nfd);
		kfree(ncoe);
		return 0;
	}
	memcpy(nfd, files->fd, sizeof(*nfd) * files->max_fds);
	memcpy(ncoe, files->close_on_exec, files->max_fds / 8);
	kfree(files->fd);
	kfree(files->close_on_exec);
	files->fd = nfd;
	files->close_on_exec = ncoe;
	files->max_fds = nmax;
	(void)m;
	return 0;
}

/* Install @f at the lowest free descriptor: the fd or -EMFILE/-ENOMEM. */
static int fd_install_lowest(struct task_struct *t, struct file *f, bool cloexec)
{
	struct files_struct *files = task_files(t);
	unsigned long limit = t->rlim[RLIMIT_NOFILE].rlim_cur;
	unsigned int fd;
	int err;

	if (!files)
		return -ENOMEM;
	spin_lock(&files->file_lock);
	for (;;) {
		for (fd = 0; fd < files->max_fds && files->fd[fd]; fd++)
			;
		if (fd >= limit) {
			spin_unlock(&files->file_lock);
			return -EMFILE;
		}
		if (fd < files->max_fds)
			break;
		err = expand_files(t->machine, files, fd);
		if (err) {
			spin_unlock(&files->file_lock);
			return err;
		}
	}
	files->fd[fd] = f;
	if (cloexec)
		files->close_on_exec[fd / BITS_PER_LONG] |= 1UL << (fd % BITS_PER_LONG);
	else
		files->close_on_exec[fd / BITS_PER_LONG] &= ~(1UL << (fd % BITS_PER_LONG));
	spin_unlock(&files->file_lock);
	return (int)fd;
}

struct file *fget(unsigned int fd)
{
	struct task_struct *t = current;
	struct files_struct *files = t ? t->files : NULL;
	struct file *f = NULL;

	if (!files)
		return NULL;
	spin_lock(&files->file_lock);
	if (fd < files->max_fds && files->fd[fd])
		f = get_file(files->fd[fd]);
	spin_unlock(&files->file_lock);
	return f;
}

/* --- system calls ------------------------------------------------------------ */

#define VALID_OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | \
			  O_NONBLOCK | O_DSYNC | O_SYNC | O_DIRECT | O_LARGEFILE | \
			  O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH | O_TMPFILE)

long sys_open(const char *path, int flags, unsigned int mode)
{
	struct task_struct *t = current;
	struct inode *inode;
	struct file *f;
	unsigned int fmode;
	int acc = flags & O_ACCMODE, err, fd;

	if (flags & ~VALID_OPEN_FLAGS)
		flags &= VALID_OPEN_FLAGS;	/* Linux ignores unknown open flags */
	if ((flags & O_PATH) || (flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	if (acc == O_ACCMODE)
		return -EINVAL;
	/* device files: /dev/NAME reaches its driver (fs/char_dev.c) */
	if (chrdev_path(path)) {
		/* a block device (fs/block_dev.c), else a character device */
		inode = blkdev_lookup(t->machine, path, &err);
		if (!inode && err == -ENOENT)
			inode = chrdev_lookup(t->machine, path, &err);
	}
	else
		inode = hostfs_open(t->machine, path, flags, mode, &err);
	if (!inode)
		return err;
	fmode = (acc == O_RDONLY ? FMODE_READ : acc == O_WRONLY ? FMODE_WRITE :
		 FMODE_READ | FMODE_WRITE);
	if ((flags & O_TRUNC) && (fmode & FMODE_WRITE) && S_ISREG(inode->i_mode)) {
		down(&inode->i_sem);
		err = vmtruncate(inode, 0);
		up(&inode->i_sem);
		if (err) {
			iput(inode);
			return err;
		}
	}
	f = alloc_file(inode, (unsigned int)flags & ~(unsigned int)(O_CREAT | O_EXCL | O_TRUNC |
								     O_NOCTTY | O_CLOEXEC),
		       fmode);
	iput(inode);		/* the file holds its own reference now */
	if (!f)
		return -ENOMEM;
	if (f->f_op && f->f_op->open) {
		err = f->f_op->open(f->f_inode, f);
		if (err) {
			f->f_op = NULL;	/* a failed open is never released */
			fput(f);
			return err;
		}
	}
	fd = fd_install_lowest(t, f, flags & O_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

long sys_close(unsigned int fd)
{
	struct files_struct *files = current->files;
	struct file *f = NULL;

	if (!files)
		return -EBADF;
	spin_lock(&files->file_lock);
	if (fd < files->max_fds) {
		f = files->fd[fd];
		files->fd[fd] = NULL;
	}
	spin_unlock(&files->file_lock);
	if (!f)
		return -EBADF;
	fput(f);
	return 0;
}

static bool file_is_dir(const struct file *f)
{
	return S_ISDIR(f->f_inode->i_mode);
}

/* Common checks of read/write: 0 or the errno Linux gives, in its order. */
static long rw_verify(struct file *f, bool write, unsigned long buf, size_t count)
{
	if (!(f->f_mode & (write ? FMODE_WRITE : FMODE_READ)))
		return -EBADF;
	/* vfs_read/vfs_write: even a count of 0 or a read at EOF */
	if (!access_ok(buf, count))
		return -EFAULT;
	if (file_is_dir(f))
		return -EISDIR;
	if ((ssize_t)count < 0)
		return -EINVAL;
	return 0;
}

static long do_rw(unsigned int fd, unsigned long buf, size_t count, loff_t *upos, bool write)
{
	struct file *f;
	loff_t pos;
	long ret;

	/* pread64/pwrite64 refuse a negative offset before looking at anything */
	if (upos && *upos < 0)
		return -EINVAL;
	f = fget(fd);
	if (!f)
		return -EBADF;
	ret = rw_verify(f, write, buf, count);
	if (ret)
		goto out;
	if (upos) {
		pos = *upos;
		ret = write ? f->f_op->write(f, buf, count, &pos) : f->f_op->read(f, buf, count, &pos);
		goto out;
	}
	/* f_pos moves as one: concurrent readers of one file serialise here */
	spin_lock(&f->f_pos_lock);
	pos = f->f_pos;
	spin_unlock(&f->f_pos_lock);
	ret = write ? f->f_op->write(f, buf, count, &pos) : f->f_op->read(f, buf, count, &pos);
	if (ret > 0 || (write && (f->f_flags & O_APPEND) && ret >= 0)) {
		spin_lock(&f->f_pos_lock);
		f->f_pos = pos;
		spin_unlock(&f->f_pos_lock);
	}
out:
	fput(f);
	return ret;
}

long sys_read(unsigned int fd, unsigned long buf, size_t count)
{
	return do_rw(fd, buf, count, NULL, false);
}

long sys_write(unsigned int fd, unsigned long buf, size_t count)
{
	return do_rw(fd, buf, count, NULL, true);
}

long sys_pread64(unsigned int fd, unsigned long buf, size_t count, loff_t pos)
{
	return do_rw(fd, buf, count, &pos, false);
}

long sys_pwrite64(unsigned int fd, unsigned long buf, size_t count, loff_t pos)
{
	return do_rw(fd, buf, count, &pos, true);
}

loff_t sys_lseek(unsigned int fd, loff_t offset, int whence)
{
	struct file *f = fget(fd);
	loff_t base, res;

	if (!f)
		return -EBADF;
	spin_lock(&f->f_pos_lock);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->f_pos;
		break;
	case SEEK_END:
		base = atomic_load(&f->f_inode->i_size);
		break;
	default:
		res = -EINVAL;
		goto out;
	}
	if ((offset > 0 && base > INT64_MAX - offset)) {
		res = -EOVERFLOW;
		goto out;
	}
	res = base + offset;
	if (res < 0) {
		res = -EINVAL;
		goto out;
	}
	if (res != f->f_pos) {
		f->f_pos = res;
		f->f_ra.prev_index = ~0UL;	/* a seek breaks the sequential stream */
	}
out:
	spin_unlock(&f->f_pos_lock);
	fput(f);
	return res;
}

long sys_ftruncate(unsigned int fd, loff_t length)
{
	struct file *f;
	struct inode *inode;
	long err;

	if (length < 0)
		return -EINVAL;
	f = fget(fd);
	if (!f)
		return -EBADF;
	inode = f->f_inode;
	if (file_is_dir(f))
		err = -EISDIR;
	else if (!S_ISREG(inode->i_mode))
		err = -EINVAL;		/* do_sys_ftruncate: a regular file only */
	else if (!(f->f_mode & FMODE_WRITE) || (f->f_flags & O_APPEND))
		err = -EINVAL;		/* Linux: not open for writing (or append-only) */
	else {
		down(&inode->i_sem);
		err = vmtruncate(inode, length);
		up(&inode->i_sem);
	}
	fput(f);
	return err;
}

/*
 * truncate(2) (do_sys_truncate): the file at @path gets @length bytes.
 * -EINVAL for a negative length or what is no regular file (a device),
 * the lookup's and the write permission's errors (-ENOENT, -EISDIR,
 * -EACCES ...) as opening it for writing gives them.
 */
long sys_truncate(const char *path, loff_t length)
{
	struct machine *m = current->machine;
	struct inode *inode;
	int err;

	if (length < 0)
		return -EINVAL;
	if (chrdev_path(path))
		inode = chrdev_lookup(m, path, &err);
	else
		inode = hostfs_open(m, path, O_WRONLY, 0, &err);
	if (!inode)
		return err;
	if (S_ISDIR(inode->i_mode))
		err = -EISDIR;
	else if (!S_ISREG(inode->i_mode))
		err = -EINVAL;
	else {
		down(&inode->i_sem);
		err = vmtruncate(inode, length);
		up(&inode->i_sem);
	}
	iput(inode);
	return err;
}

static long do_fsync(unsigned int fd, int datasync)
{
	struct file *f = fget(fd);
	long err;

	if (!f)
		return -EBADF;
	err = f->f_op->fsync ? f->f_op->fsync(f, datasync) : -EINVAL;
	fput(f);
	return err;
}

long sys_fsync(unsigned int fd)
{
	return do_fsync(fd, 0);
}

long sys_fdatasync(unsigned int fd)
{
	return do_fsync(fd, 1);
}

/*
 * sys_msync - move the PTE dirty bits of shared file mappings in [start,
 * start + len) to their pages (filemap_sync); with MS_SYNC write those
 * pages to the file and report a writeback error.  -ENOMEM if part of the
 * range is unmapped, -EBUSY for MS_INVALIDATE over locked pages, -EINVAL
 * for bad flags or an unaligned start, as Linux.
 */
long sys_msync(unsigned long start, size_t len, int flags)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long end;
	long err = 0, unmapped = 0;

	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;
	if (!mm)
		return -ENOMEM;
	down_read(&mm->mmap_sem);
	vma = find_vma(mm, start);
	for (;;) {
		unsigned long fend;

		if (!vma) {
			err = -ENOMEM;
			break;
		}
		if (start < vma->vm_start) {
			unmapped = -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				break;
		}
		if ((flags & MS_INVALIDATE) && (vma->vm_flags & VM_LOCKED)) {
			err = -EBUSY;
			break;
		}
		fend = end < vma->vm_end ? end : vma->vm_end;
		if (vma->vm_file && (vma->vm_flags & VM_SHARED)) {
			struct file *f = get_file(vma->vm_file);
			unsigned long first = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
			unsigned long last = first + ((fend - start - 1) >> PAGE_SHIFT);

			filemap_sync(vma, start, fend);
			if (flags & MS_SYNC) {
				struct address_space *mapping = f->f_mapping;
				int e;

				up_read(&mm->mmap_sem);
				e = filemap_fdatawrite_range(mapping, first, last);
				spin_lock(&mapping->tree_lock);
				if (!e)
					e = mapping->wb_err;
				mapping->wb_err = 0;
				spin_unlock(&mapping->tree_lock);
				fput(f);
				if (e) {
					err = e;
					goto out_unlocked;
				}
				down_read(&mm->mmap_sem);
				start = fend;
				if (start >= end)
					break;
				vma = find_vma(mm, start);
				continue;
			}
			fput(f);
		}
		start = fend;
		if (start >= end)
			break;
		vma = vma->vm_next;
	}
	up_read(&mm->mmap_sem);
out_unlocked:
	return err ? err : unmapped;
}

/*
 * fs/hostfs.c - files of the simulated machine backed by host files below
 * the machine root: one inode per host file (found again by host device
 * and inode number, so two opens share one page cache), readpage and
 * writepage as pread/pwrite of the host file.  This is the machine's
 * "disk": like hw/disk.c it moves bytes between a host file and a
 * frame through the physical map (the DMA view), costing virtual time.
 *
 * Paths resolve inside the root as in a chroot (openat2 RESOLVE_IN_ROOT):
 * absolute or relative, ".." never leaves the root, nor do symlinks.
 * Permission checks and errno (ENOENT, EACCES, EISDIR, ENOTDIR, EEXIST,
 * ELOOP, ENAMETOOLONG) are the host kernel's own.
 *
 * The inode keeps one host descriptor for its I/O.  It is opened with the
 * access of the first open; a later writable open hands its descriptor to
 * the inode, so dirty data (which only a writable open or a shared
 * writable mapping can make) always has a writable descriptor to go to.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <linux/openat2.h>
#include "kern/pagemap.h"
#include "hw/disk.h"
#include "kern/fault_inject.h"
#include "kern/printk.h"

static void io_tick(struct machine *m)
{
	atomic_fetch_add(&m->hw.jiffies, DISK_IO_JIFFIES);
}

static uint8_t *frame_of(struct page *page)
{
	return __phys_ram(page_machine(page), page_to_phys(page));
}

static int hostfs_readpage(struct file *file, struct page *page)
{
	struct inode *inode = page->mapping->host;
	uint8_t *buf = frame_of(page);
	off_t pos = (off_t)page->index << PAGE_SHIFT;
	size_t done = 0;

	(void)file;
	if (should_fail_io(inode->i_machine))
		return -EIO;	/* an injected disk error: the page stays !Uptodate */
	while (done < PAGE_SIZE) {
		ssize_t n = pread(inode->host_fd, buf + done, PAGE_SIZE - done, pos + (off_t)done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -EIO;
		}
		if (n == 0)
			break;		/* end of the host file: the rest reads as zeroes */
		done += (size_t)n;
	}
	memset(buf + done, 0, PAGE_SIZE - done);
	io_tick(inode->i_machine);
	SetPageUptodate(page);
	return 0;
}

static int hostfs_writepage(struct page *page)
{
	struct inode *inode = page->mapping->host;
	loff_t isize = atomic_load(&inode->i_size);
	loff_t pos = (loff_t)page->index << PAGE_SHIFT;
	const uint8_t *buf = frame_of(page);
	size_t len, done = 0;

	if (pos >= isize)
		return 0;	/* wholly past EOF (truncate raced): nothing to keep */
	len = isize - pos < (loff_t)PAGE_SIZE ? (size_t)(isize - pos) : PAGE_SIZE;
	if (should_fail_io(inode->i_machine))
		return -EIO;	/* an injected disk error */
	while (done < len) {
		ssize_t n = pwrite(inode->host_fd, buf + done, len - done, (off_t)(pos + (loff_t)done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* the host refused (EFBIG: a file-size limit, ENOSPC, ...): say why */
			printk(inode->i_machine, "hostfs: %s: writing %zu bytes at offset %lld: %s\n",
			       inode->i_path ? inode->i_path : "?", len - done,
			       (long long)(pos + (loff_t)done), strerror(errno));
			return errno == ENOSPC ? -ENOSPC : -EIO;
		}
		done += (size_t)n;
	}
	io_tick(inode->i_machine);
	return 0;
}

static const struct address_space_operations hostfs_aops = {
	.readpage = hostfs_readpage,
	.writepage = hostfs_writepage,
};

static int hostfs_file_fsync(struct file *file, int datasync)
{
	struct inode *inode = file->f_inode;
	int err = filemap_write_and_wait(inode->i_mapping);
	int herr;

	(void)datasync;
	herr = hostfs_fsync_host(inode);
	return err ? err : herr;
}

static const struct file_operations hostfs_fops = {
	.read = generic_file_read,
	.write = generic_file_write,
	.mmap = generic_file_mmap,
	.fsync = hostfs_file_fsync,
};

/* Directories: opened (O_RDONLY) but neither read, written nor mapped. */
static const struct file_operations hostfs_dir_fops = {
	.fsync = hostfs_file_fsync,
};

int hostfs_setsize(struct inode *inode, loff_t size)
{
	if (inode->host_fd < 0)
		return -EINVAL;
	if (ftruncate(inode->host_fd, (off_t)size))
		return errno == EFBIG ? -EFBIG : -EIO;
	return 0;
}

int hostfs_fsync_host(struct inode *inode)
{
	if (inode->host_fd >= 0 && fdatasync(inode->host_fd) && errno != EINVAL)
		return -EIO;
	return 0;
}

void hostfs_release(struct inode *inode)
{
	if (inode->host_fd >= 0)
		close(inode->host_fd);
	inode->host_fd = -1;
}

/* "/a/b/../c" -> "/a/c", lexically, never above "/" (for /proc/PID/maps). */
static char *normalize_path(const char *path)
{
	size_t n = strlen(path);
	char *out = kmalloc(n + 2, GFP_KERNEL);
	size_t len = 0;
	const char *p = path;

	if (!out)
		return NULL;
	while (*p) {
		const char *e;
		size_t cl;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchr(p, '/');
		cl = e ? (size_t)(e - p) : strlen(p);
		if (cl == 1 && p[0] == '.') {
			/* nothing */
		} else if (cl == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else {
			out[len++] = '/';
			memcpy(out + len, p, cl);
			len += cl;
		}
		p += cl;
	}
	if (!len)
		out[len++] = '/';
	out[len] = 0;
	return out;
}

/* Open @path inside the root with host flags; a host fd or -errno. */
static int open_in_root(struct fs_state *fs, const char *path, int hflags, unsigned int mode)
{
	struct open_how how = {
		.flags = (uint64_t)hflags,
		.mode = (hflags & O_CREAT) ? mode & 07777 : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (fs->root_fd < 0)
		return -ENOENT;
	fd = syscall(SYS_openat2, fs->root_fd, path, &how, sizeof(how));
	if (fd >= 0)
		return (int)fd;
	if (errno != ENOSYS)
		return -errno;
	{
		/* old host kernels: lexical confinement only */
		char *norm = normalize_path(path);
		int r;

		if (!norm)
			return -ENOMEM;
		r = openat(fs->root_fd, norm[1] ? norm + 1 : ".", hflags, mode & 07777);
		kfree(norm);
		return r >= 0 ? r : -errno;
	}
}

/*
 * The page cache reads and writes whole pages whatever the access of the
 * open that brought the inode in (a partial write reads the rest of the
 * page first): give the inode a read-write descriptor of the same host
 * file when the host allows one, else keep @fd.
 */
static int reopen_rdwr(int fd)
{
	char p[64];
	int rw;

	if ((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR)
		return fd;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	rw = open(p, O_RDWR | O_CLOEXEC);
	if (rw < 0)
		return fd;
	close(fd);
	return rw;
}

/*
 * The machine's own device and inode number of host file (dev, ino)
 * (hostino=off, the default): the same on every host, 00:20 and 2, 3 ...
 * in first-open order, kept for the machine's life (a table, as a disk's
 * inode numbers outlive the in-memory inode).  Host memory: bookkeeping
 * of the simulator, not a kernel object.  0 when out of memory.
 * Under fs->inode_lock.
 */
#define HOSTFS_DEV_MAJOR	0
#define HOSTFS_DEV_MINOR	32

static unsigned long hostfs_ino(struct fs_state *fs, uint64_t dev, uint64_t ino)
{
	unsigned long i;

	for (i = 0; i < fs->nr_host_inos; i++)
		if (fs->host_inos[i].dev == dev && fs->host_inos[i].ino == ino)
			return i + 2;
	if (fs->nr_host_inos == fs->cap_host_inos) {
		unsigned long cap = fs->cap_host_inos ? 2 * fs->cap_host_inos : 16;
		struct hostfs_ino *n = realloc(fs->host_inos, cap * sizeof(*n));

		if (!n)
			return 0;
		fs->host_inos = n;
		fs->cap_host_inos = cap;
	}
	fs->host_inos[i].dev = dev;
	fs->host_inos[i].ino = ino;
	fs->nr_host_inos++;
	return i + 2;
}

/* The hashed inode of host file (dev, ino) with a new reference, or NULL. */
static struct inode *hostfs_find(struct fs_state *fs, uint64_t dev, uint64_t ino)
{
	struct inode *inode;

	list_for_each_entry(inode, &fs->inode_list, i_hash) {
		if (inode->host_dev == dev && inode->host_ino == ino) {
			__iget(inode);
			return inode;
		}
	}
	return NULL;
}

struct inode *hostfs_open(struct machine *m, const char *path, int flags, unsigned int mode,
			  int *err)
{
	struct fs_state *fs = m->fs;
	int acc = flags & O_ACCMODE;
	int hflags = acc | (flags & (O_CREAT | O_EXCL | O_DIRECTORY | O_NOFOLLOW)) | O_CLOEXEC;
	struct inode *inode, *found;
	struct stat st;
	int fd;

	if (!path) {
		*err = -EFAULT;
		return NULL;
	}
	if (!*path) {
		*err = -ENOENT;
		return NULL;
	}
	if (acc == O_ACCMODE) {
		*err = -EINVAL;
		return NULL;
	}
	fd = open_in_root(fs, path, hflags, mode);
	if (fd < 0) {
		*err = fd;
		return NULL;
	}
	if (fstat(fd, &st)) {
		*err = -errno;
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		/* devices, fifos, sockets of the host are not part of the machine */
		close(fd);
		*err = -ENXIO;
		return NULL;
	}

	inode = new_inode(m);
	if (!inode) {
		close(fd);
		*err = -ENOMEM;
		return NULL;
	}
	inode->i_kind = I_HOSTFS;
	inode->i_path = normalize_path(path);
	if (!inode->i_path) {
		close(fd);
		iput(inode);
		*err = -ENOMEM;
		return NULL;
	}
	if (m->cfg.hostino) {
		inode->i_ino = (unsigned long)st.st_ino;
		inode->i_dev_major = major(st.st_dev);
		inode->i_dev_minor = minor(st.st_dev);
	} else {
		spin_lock(&fs->inode_lock);
		inode->i_ino = hostfs_ino(fs, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
		spin_unlock(&fs->inode_lock);
		inode->i_dev_major = HOSTFS_DEV_MAJOR;
		inode->i_dev_minor = HOSTFS_DEV_MINOR;
		if (!inode->i_ino) {
			close(fd);
			iput(inode);
			*err = -ENOMEM;
			return NULL;
		}
	}
	inode->i_mode = st.st_mode;
	inode->host_dev = (uint64_t)st.st_dev;
	inode->host_ino = (uint64_t)st.st_ino;
	atomic_store(&inode->i_size, (loff_t)st.st_size);
	inode->i_data.a_ops = &hostfs_aops;
	inode->i_fop = S_ISDIR(st.st_mode) ? &hostfs_dir_fops : &hostfs_fops;

	if (S_ISREG(st.st_mode))
		fd = reopen_rdwr(fd);
	spin_lock(&fs->inode_lock);
	found = hostfs_find(fs, inode->host_dev, inode->host_ino);
	if (!found) {
		inode->host_fd = fd;
		list_add(&inode->i_hash, &fs->inode_list);
		spin_unlock(&fs->inode_lock);
		return inode;
	}
	spin_unlock(&fs->inode_lock);
	iput(inode);	/* never hashed, no pages, no host fd */

	/* an open of a file we already have: hand a writable descriptor over */
	down(&found->i_sem);
	if (acc != O_RDONLY && (fcntl(found->host_fd, F_GETFL) & O_ACCMODE) == O_RDONLY) {
		int old = found->host_fd;

		found->host_fd = fd;
		fd = old;
	}
	up(&found->i_sem);
	close(fd);
	return found;
}

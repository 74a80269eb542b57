/*
 * Simulated disks backed by host files (see include/hw/disk.h).  This is
 * the only place in vmsim that does host file I/O for the memory manager.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "hw/disk.h"

static int disk_failed(struct sim_disk *d, const char *what)
{
	d->host_errno = errno;
	d->failed = what;
	return -d->host_errno;
}

/*
 * Give the file the disk's size: -1 with errno if it does not take it (a
 * RLIMIT_FSIZE or file-system limit: EFBIG; EINVAL for a file whose size
 * stays, as a /proc file's).
 */
static int disk_set_size(struct sim_disk *d, uint64_t size)
{
	struct stat st;

	if (ftruncate(d->fd, (off_t)size) || fstat(d->fd, &st))
		return -1;
	if ((uint64_t)st.st_size != size) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int sim_disk_open(struct sim_disk *d, const char *path, uint64_t size)
{
	memset(d, 0, sizeof(*d));
	if (path) {
		snprintf(d->path, sizeof(d->path), "%s", path);
		d->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	} else {
		const char *tmp = getenv("TMPDIR");

		snprintf(d->path, sizeof(d->path), "%s/vmsim-disk-XXXXXX", tmp ? tmp : "/tmp");
		d->fd = mkostemp(d->path, O_CLOEXEC);
		d->unlink_on_close = true;
	}
	if (d->fd < 0)
		return disk_failed(d, "open");
	if (d->unlink_on_close)
		unlink(d->path);	/* gone with the machine, whatever happens */
	if (disk_set_size(d, size)) {
		disk_failed(d, "size");
		close(d->fd);
		d->fd = -1;
		return -d->host_errno;
	}
	d->size = size;
	return 0;
}

void sim_disk_close(struct sim_disk *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

static int do_io(struct hw_machine *hw, struct sim_disk *d, uint64_t off, void *buf, size_t len,
		 bool write)
{
	size_t done = 0;

	if (off > d->size || len > d->size - off)
		return -EIO;
	while (done < len) {
		ssize_t n = write ? pwrite(d->fd, (char *)buf + done, len - done,
					   (off_t)(off + done))
				  : pread(d->fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;	/* a short transfer: the file shrank */
			disk_failed(d, write ? "write" : "read");
			return -EIO;
		}
		done += (size_t)n;
	}
	atomic_fetch_add(write ? &d->writes : &d->reads, 1);
	atomic_fetch_add(write ? &d->sectors_written : &d->sectors_read, len / DISK_SECTOR_SIZE);
	hw_clock_advance(hw, DISK_IO_JIFFIES);
	return 0;
}

int sim_disk_read_page(struct hw_machine *hw, struct sim_disk *d, unsigned long pgoff,
		       void *buf)
{
	return do_io(hw, d, (uint64_t)pgoff * PAGE_SIZE, buf, PAGE_SIZE, false);
}

int sim_disk_write_page(struct hw_machine *hw, struct sim_disk *d, unsigned long pgoff,
			const void *buf)
{
	return do_io(hw, d, (uint64_t)pgoff * PAGE_SIZE, (void *)buf, PAGE_SIZE, true);
}

int sim_disk_rw(struct hw_machine *hw, struct sim_disk *d, uint64_t sector, void *buf,
		size_t len, bool write)
{
	if (!len || len % DISK_SECTOR_SIZE || len > PAGE_SIZE)
		return -EINVAL;
	return do_io(hw, d, sector * DISK_SECTOR_SIZE, buf, len, write);
}

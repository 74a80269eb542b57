/*
 * Simulated block devices (hw/disk.c): a disk is a host file, read
 * and written a page at a time (swap) or a block at a time (the buffer
 * cache's block devices, fs/block_dev.c: 512 .. 4096 bytes), so a page
 * swapped out is a real 4 KiB block in a real file.  I/O is synchronous; each request advances the
 * machine's clock (hw->jiffies) by a fixed cost so runs stay
 * deterministic.
 */
#ifndef HW_DISK_H
#define HW_DISK_H

#include "hw/machine.h"

#define DISK_IO_JIFFIES	1	/* virtual time per request (a page or a block) */
#define DISK_SECTOR_SIZE	512	/* the unit of block addressing */

struct sim_disk {
	int fd;
	uint64_t size;			/* bytes */
	bool unlink_on_close;
	char path[256];
	atomic_ulong reads, writes;	/* requests: a page (swap) or a block (buffers) */
	atomic_ulong sectors_read, sectors_written;	/* 512-byte sectors moved */
	/* the last failure, for messages: the host's errno and what was tried */
	int host_errno;
	const char *failed;		/* "open", "size", "read", "write" */
};

/*
 * Open (creating or extending to @size) a disk at @path; a NULL path makes
 * an anonymous temporary file.  0 or -errno (host_errno and failed say
 * which step failed).
 */
int sim_disk_open(struct sim_disk *d, const char *path, uint64_t size);
void sim_disk_close(struct sim_disk *d);
/* Page-sized transfers at page offset @pgoff; 0 or -EIO (the host's errno in host_errno). */
int sim_disk_read_page(struct hw_machine *hw, struct sim_disk *d, unsigned long pgoff,
		       void *buf);
int sim_disk_write_page(struct hw_machine *hw, struct sim_disk *d, unsigned long pgoff,
			const void *buf);

/*
 * A block request (the buffer cache's ll_rw_block): @len bytes, a multiple
 * of the sector size up to a page, at sector @sector.  0, -EINVAL for a
 * bad length, -EIO past the end or on a host error.
 */
int sim_disk_rw(struct hw_machine *hw, struct sim_disk *d, uint64_t sector, void *buf,
		size_t len, bool write);

#endif

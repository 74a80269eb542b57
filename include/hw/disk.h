/*
 * Simulated block devices (hw/disk.c): a disk is a host file, read
 * and written a page at a time, so a page swapped out is a real 4 KiB
 * block in a real file.  I/O is synchronous; each request advances the
 * machine's clock (hw->jiffies) by a fixed cost so runs stay
 * deterministic.
 */
#ifndef HW_DISK_H
#define HW_DISK_H

#include "hw/machine.h"

#define DISK_IO_JIFFIES	1	/* virtual time per page of I/O */

struct sim_disk {
	int fd;
	uint64_t size;			/* bytes */
	bool unlink_on_close;
	char path[256];
	atomic_ulong reads, writes;	/* pages */
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

#endif

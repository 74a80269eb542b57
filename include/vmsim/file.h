/*
 * Files of a simulated process: host files below the machine's root
 * directory, read and written through the simulated page cache and
 * mappable with vmsim_mmap(..., fd, offset).  Every call returns what
 * Linux returns: a value or a negative errno (-EBADF, -EINVAL, -ENOENT,
 * -EACCES, -EISDIR, -EFAULT, ...; -ESRCH for a dead or unknown pid).
 * Flag values are Linux's (O_*, SEEK_*, MS_*): <fcntl.h> constants work.
 *
 * Buffers (@buf) are addresses in the process's address space, as for
 * read(2); a bad one gives -EFAULT.
 *
 * The root: paths resolve inside one host directory per machine, as in a
 * chroot ("/" is the root; ".." and symlinks cannot leave it).  By default
 * it is the host process's current directory at boot; set it with
 * vmsim_fs_set_root before letting untrusted scripts open files.
 *
 * Caching: pages of a file stay cached while any descriptor or mapping
 * of it exists; when the last goes, dirty pages are written to the host
 * file and every page is freed (vmsim keeps no cache of closed files).
 */
#ifndef VMSIM_FILE_H
#define VMSIM_FILE_H

#include "vmsim/vmsim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 0, or -ENOENT/-ENOTDIR/-EACCES/-ENAMETOOLONG. */
VMSIM_API int vmsim_fs_set_root(vmsim_machine_t *m, const char *path);
/* The absolute host path of the root (NULL if none could be opened). */
VMSIM_API const char *vmsim_fs_root(vmsim_machine_t *m);

VMSIM_API int vmsim_open(vmsim_machine_t *m, int pid, const char *path, int flags, unsigned int mode);
VMSIM_API int vmsim_close(vmsim_machine_t *m, int pid, int fd);
VMSIM_API long vmsim_fd_read(vmsim_machine_t *m, int pid, int fd, unsigned long buf, size_t count);
VMSIM_API long vmsim_fd_write(vmsim_machine_t *m, int pid, int fd, unsigned long buf, size_t count);
VMSIM_API long vmsim_pread(vmsim_machine_t *m, int pid, int fd, unsigned long buf, size_t count,
		 int64_t offset);
VMSIM_API long vmsim_pwrite(vmsim_machine_t *m, int pid, int fd, unsigned long buf, size_t count,
		  int64_t offset);
VMSIM_API int64_t vmsim_lseek(vmsim_machine_t *m, int pid, int fd, int64_t offset, int whence);
VMSIM_API int vmsim_ftruncate(vmsim_machine_t *m, int pid, int fd, int64_t length);
/* truncate(2): the file at @path (under the machine's root) gets @length bytes. */
VMSIM_API int vmsim_truncate(vmsim_machine_t *m, int pid, const char *path, int64_t length);
VMSIM_API int vmsim_fsync(vmsim_machine_t *m, int pid, int fd);
VMSIM_API int vmsim_fdatasync(vmsim_machine_t *m, int pid, int fd);
/* msync(2): MS_ASYNC 1, MS_INVALIDATE 2, MS_SYNC 4 */
VMSIM_API int vmsim_msync(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len, int flags);

struct vmsim_fs_stats {
	unsigned long nr_inodes;	/* live inodes (hostfs and shmem) */
	unsigned long ra_windows;	/* readahead batches that read pages */
	unsigned long ra_pages;		/* pages read by readahead */
	unsigned long pages_written;	/* pages written back to host files */
};
VMSIM_API int vmsim_fs_stats(vmsim_machine_t *m, struct vmsim_fs_stats *st);

#ifdef __cplusplus
}
#endif
#endif

/*
 * The public file calls (include/vmsim/file.h): the host directory the
 * simulated files live in, and a process's file system calls, each one
 * TASK_CALL (api/entry.h) into the kernel's sys_open, sys_read, ...
 * (fs/open.c) in the task's context.  A negative descriptor is no
 * descriptor: -EBADF, as the unsigned fd of Linux's system calls.
 *
 * A file system call's user copies raise no signal; one raised otherwise
 * (the OOM killer's SIGKILL) stays pending and is acted on at the task's
 * next load or store, as at the return to user mode.
 */
#include <string.h>
#include "kern/fs.h"
#include "kern/sched.h"
#include "vmsim/file.h"
#include "entry.h"

int vmsim_fs_set_root(vmsim_machine_t *m, const char *path)
{
	return MACHINE_CALL(m, fs_set_root(m, path));
}

const char *vmsim_fs_root(vmsim_machine_t *m)
{
	return m->fs && m->fs->root_fd >= 0 ? m->fs->root_path : NULL;
}

int vmsim_fs_stats(vmsim_machine_t *m, struct vmsim_fs_stats *st)
{
	struct fs_state *fs = m->fs;

	if (!st)
		return -EFAULT;
	if (!fs)
		return -ENODEV;
	memset(st, 0, sizeof(*st));
	spin_lock(&fs->inode_lock);
	st->nr_inodes = fs->nr_inodes;
	spin_unlock(&fs->inode_lock);
	st->ra_windows = atomic_load(&fs->ra_windows);
	st->ra_pages = atomic_load(&fs->ra_pages_read);
	st->pages_written = atomic_load(&fs->pages_written);
	return 0;
}

int vmsim_open(vmsim_machine_t *m, int pid, const char *path, int flags, unsigned int mode)
{
	return (int)TASK_CALL(m, pid, sys_open(path, flags, mode));
}

int vmsim_close(vmsim_machine_t *m, int pid, int fd)
{
	return (int)TASK_CALL(m, pid, fd < 0 ? -EBADF : sys_close((unsigned int)fd));
}

long vmsim_fd_read(vmsim_machine_t *m, int pid, int fd, unsigned long buf, size_t count)
{
	return TASK_CALL(m, pid, fd < 0 ? -EBADF : sys_read((unsigned int)fd, buf, count));
}

long vmsim_fd_write(vmsim_machine_t *m, int pid, int fd, unsigned long buf, size_t count)
{
	return TASK_CALL(m, pid, fd < 0 ? -EBADF : sys_write((unsigned int)fd, buf, count));
}

/* pread/pwrite: a negative fd gives EBADF after the offset check (sys_pread64's order) */
long vmsim_pread(vmsim_machine_t *m, int pid, int fd, unsigned long buf, size_t count,
		 int64_t offset)
{
	return TASK_CALL(m, pid, sys_pread64((unsigned int)fd, buf, count, offset));
}

long vmsim_pwrite(vmsim_machine_t *m, int pid, int fd, unsigned long buf, size_t count,
		  int64_t offset)
{
	return TASK_CALL(m, pid, sys_pwrite64((unsigned int)fd, buf, count, offset));
}

int64_t vmsim_lseek(vmsim_machine_t *m, int pid, int fd, int64_t offset, int whence)
{
	return TASK_CALL(m, pid, fd < 0 ? -EBADF : sys_lseek((unsigned int)fd, offset, whence));
}

int vmsim_ftruncate(vmsim_machine_t *m, int pid, int fd, int64_t length)
{
	return (int)TASK_CALL(m, pid, fd < 0 ? -EBADF : sys_ftruncate((unsigned int)fd, length));
}

int vmsim_truncate(vmsim_machine_t *m, int pid, const char *path, int64_t length)
{
	return (int)TASK_CALL(m, pid, path ? sys_truncate(path, length) : -EFAULT);
}

int vmsim_fsync(vmsim_machine_t *m, int pid, int fd)
{
	return (int)TASK_CALL(m, pid, fd < 0 ? -EBADF : sys_fsync((unsigned int)fd));
}

int vmsim_fdatasync(vmsim_machine_t *m, int pid, int fd)
{
	return (int)TASK_CALL(m, pid, fd < 0 ? -EBADF : sys_fdatasync((unsigned int)fd));
}

int vmsim_msync(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len, int flags)
{
	return (int)TASK_CALL(m, pid, sys_msync(addr, len, flags));
}

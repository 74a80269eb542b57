/*
 * hostfs and the file system calls: open/close/read/write/pread/pwrite/
 * lseek/ftruncate/fsync of host files below the machine root, with
 * Linux's errno on every error path, and data reaching the host file on
 * fsync and on the last close.
 */
#include "unit/fs_testutil.h"

TEST(hostfs_open_errors)
{
	struct fs_env e;
	int fd;

	fs_env_up(&e, NULL);
	fs_host_write(&e, "f", "hello", 5);
	ASSERT_EQ(mkdir(strcat(strcpy((char[128]){0}, e.dir), "/d"), 0755), 0);

	ASSERT_EQ(vmsim_open(e.m, e.pid, "/nonexistent", O_RDONLY, 0), -ENOENT);
	ASSERT_EQ(vmsim_open(e.m, e.pid, "", O_RDONLY, 0), -ENOENT);
	ASSERT_EQ(vmsim_open(e.m, e.pid, "/d", O_WRONLY, 0), -EISDIR);
	ASSERT_EQ(vmsim_open(e.m, e.pid, "/f/x", O_RDONLY, 0), -ENOTDIR);
	ASSERT_EQ(vmsim_open(e.m, e.pid, "/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	ASSERT_EQ(vmsim_open(e.m, e.pid, "/f", O_CREAT | O_EXCL | O_RDWR, 0644), -EEXIST);
	ASSERT_EQ(vmsim_open(e.m, e.pid, "/f", O_ACCMODE, 0), -EINVAL);
	/* ".." never leaves the root: the host's /etc is not reachable */
	ASSERT_EQ(vmsim_open(e.m, e.pid, "../../../../etc/hostname", O_RDONLY, 0), -ENOENT);
	ASSERT_EQ(vmsim_open(e.m, 99999, "/f", O_RDONLY, 0), -ESRCH);

	/* directory: opens read-only, but read gives EISDIR */
	fd = vmsim_open(e.m, e.pid, "/d", O_RDONLY, 0);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(vmsim_fd_read(e.m, e.pid, fd, e.ubuf, 10), -EISDIR);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), -EBADF);

	fd = vmsim_open(e.m, e.pid, "f", O_RDONLY, 0);	/* relative to the root */
	ASSERT_EQ(fd, 0);				/* lowest free descriptor */
	ASSERT_EQ(vmsim_fd_write(e.m, e.pid, fd, e.ubuf, 5), -EBADF);
	ASSERT_EQ(vmsim_pwrite(e.m, e.pid, fd, e.ubuf, 5, 0), -EBADF);
	ASSERT_EQ(vmsim_ftruncate(e.m, e.pid, fd, 0), -EINVAL);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, 5, -1), -EINVAL);
	ASSERT_EQ(vmsim_lseek(e.m, e.pid, fd, -10, SEEK_SET), -EINVAL);
	ASSERT_EQ(vmsim_lseek(e.m, e.pid, fd, 0, 42), -EINVAL);
	ASSERT_EQ(vmsim_lseek(e.m, e.pid, fd, -2, SEEK_END), 3);
	/* a bad user buffer is EFAULT, and the process lives on */
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, 0x1000, 5, 0), -EFAULT);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);

	fd = vmsim_open(e.m, e.pid, "/f", O_WRONLY, 0);
	ASSERT_EQ(vmsim_fd_read(e.m, e.pid, fd, e.ubuf, 5), -EBADF);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);

	ASSERT_EQ(vmsim_fd_read(e.m, e.pid, 77, e.ubuf, 5), -EBADF);
	ASSERT_EQ(vmsim_fd_read(e.m, e.pid, -1, e.ubuf, 5), -EBADF);
	ASSERT_EQ(vmsim_fsync(e.m, e.pid, 5), -EBADF);
	ASSERT_EQ(vmsim_close(e.m, e.pid, 5), -EBADF);
	fs_env_down(&e);
}

TEST(hostfs_read_host_bytes)
{
	struct fs_env e;
	static uint8_t data[3 * 4096 + 100], got[sizeof(data)];
	long n, total = 0;
	int fd;

	fs_env_up(&e, NULL);
	fill_pattern(data, sizeof(data), 1);
	fs_host_write(&e, "data", data, sizeof(data));
	fd = vmsim_open(e.m, e.pid, "/data", O_RDONLY, 0);
	ASSERT_CMP(fd, >=, 0);
	/* odd-sized reads cross page boundaries */
	while ((n = vmsim_fd_read(e.m, e.pid, fd, e.ubuf + (unsigned long)total, 1000)) > 0)
		total += n;
	ASSERT_EQ(n, 0);
	ASSERT_EQ(total, (long)sizeof(data));
	ASSERT_EQ(vmsim_read(e.m, e.pid, e.ubuf, got, sizeof(got)), 0);
	ASSERT(!memcmp(got, data, sizeof(data)));
	/* pread does not move the position */
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, 50, 4090), 50);
	ASSERT_EQ(vmsim_read(e.m, e.pid, e.ubuf, got, 50), 0);
	ASSERT(!memcmp(got, data + 4090, 50));
	ASSERT_EQ(vmsim_lseek(e.m, e.pid, fd, 0, SEEK_CUR), (long)sizeof(data));
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, 50, 1 << 20), 0);
	ASSERT_EQ(global_page_state(e.m, NR_FILE_PAGES), 4);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	/* the last close drops the cache: nothing of the file stays */
	ASSERT_EQ(global_page_state(e.m, NR_FILE_PAGES), 0);
	fs_env_down(&e);
}

TEST(hostfs_write_reaches_host_on_fsync_and_close)
{
	struct fs_env e;
	static uint8_t data[2 * 4096 + 10], got[sizeof(data) + 10];
	unsigned long out0;
	int fd;

	fs_env_up(&e, NULL);
	fill_pattern(data, sizeof(data), 2);
	ASSERT_EQ(vmsim_write(e.m, e.pid, e.ubuf, data, sizeof(data)), 0);
	fd = vmsim_open(e.m, e.pid, "/new", O_RDWR | O_CREAT, 0600);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(vmsim_fd_write(e.m, e.pid, fd, e.ubuf, sizeof(data)), (long)sizeof(data));
	/* in the page cache, dirty, not yet in the host file */
	ASSERT_EQ(global_page_state(e.m, NR_FILE_DIRTY), 3);
	ASSERT_EQ(fs_host_read(&e, "new", got, sizeof(got)), 0);
	out0 = sum_vm_event(e.m, PGPGOUT);
	ASSERT_EQ(vmsim_fsync(e.m, e.pid, fd), 0);
	ASSERT_EQ(global_page_state(e.m, NR_FILE_DIRTY), 0);
	ASSERT_EQ(global_page_state(e.m, NR_WRITEBACK), 0);
	ASSERT_EQ(sum_vm_event(e.m, PGPGOUT) - out0, 3 * 4);
	ASSERT_EQ(fs_host_read(&e, "new", got, sizeof(got)), (long)sizeof(data));
	ASSERT(!memcmp(got, data, sizeof(data)));

	/* overwrite the middle, then just close: the last close writes back */
	ASSERT_EQ(vmsim_write(e.m, e.pid, e.ubuf, "XYZ", 3), 0);
	ASSERT_EQ(vmsim_pwrite(e.m, e.pid, fd, e.ubuf, 3, 4095), 3);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	memcpy(data + 4095, "XYZ", 3);
	ASSERT_EQ(fs_host_read(&e, "new", got, sizeof(got)), (long)sizeof(data));
	ASSERT(!memcmp(got, data, sizeof(data)));
	fs_env_down(&e);
}

TEST(hostfs_append_trunc_and_shared_inode)
{
	struct fs_env e;
	char got[64];
	int a, b;

	fs_env_up(&e, NULL);
	fs_host_write(&e, "log", "0123456789", 10);
	a = vmsim_open(e.m, e.pid, "/log", O_WRONLY | O_APPEND, 0);
	b = vmsim_open(e.m, e.pid, "/./log", O_RDONLY, 0);
	ASSERT_CMP(a, >=, 0);
	ASSERT_CMP(b, >=, 0);
	ASSERT_EQ(vmsim_write(e.m, e.pid, e.ubuf, "abc", 3), 0);
	ASSERT_EQ(vmsim_fd_write(e.m, e.pid, a, e.ubuf, 3), 3);
	ASSERT_EQ(vmsim_lseek(e.m, e.pid, a, 0, SEEK_CUR), 13);
	/* the other descriptor shares the inode: it sees the write at once */
	ASSERT_EQ(vmsim_pread(e.m, e.pid, b, e.ubuf + 100, 64, 0), 13);
	ASSERT_EQ(vmsim_read(e.m, e.pid, e.ubuf + 100, got, 13), 0);
	ASSERT(!memcmp(got, "0123456789abc", 13));
	ASSERT_EQ(vmsim_ftruncate(e.m, e.pid, a, 4), -EINVAL);	/* O_APPEND */
	ASSERT_EQ(vmsim_close(e.m, e.pid, a), 0);

	a = vmsim_open(e.m, e.pid, "/log", O_RDWR | O_TRUNC, 0);
	ASSERT_CMP(a, >=, 0);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, b, e.ubuf + 100, 64, 0), 0);
	ASSERT_EQ(vmsim_lseek(e.m, e.pid, a, 5000, SEEK_SET), 5000);
	ASSERT_EQ(vmsim_fd_write(e.m, e.pid, a, e.ubuf, 3), 3);	/* a hole before */
	ASSERT_EQ(vmsim_pread(e.m, e.pid, b, e.ubuf + 100, 8, 4998), 5);
	ASSERT_EQ(vmsim_read(e.m, e.pid, e.ubuf + 100, got, 5), 0);
	ASSERT(!memcmp(got, "\0\0abc", 5));
	ASSERT_EQ(vmsim_close(e.m, e.pid, a), 0);
	ASSERT_EQ(vmsim_close(e.m, e.pid, b), 0);
	ASSERT_EQ(fs_host_read(&e, "log", got, sizeof(got)), 5003 > 64 ? 64 : 5003);
	fs_env_down(&e);
}

TEST(hostfs_fds_inherited_across_fork)
{
	struct fs_env e;
	char got[8];
	int fd, child;

	fs_env_up(&e, NULL);
	fs_host_write(&e, "f", "abcdefgh", 8);
	fd = vmsim_open(e.m, e.pid, "/f", O_RDONLY, 0);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(vmsim_fd_read(e.m, e.pid, fd, e.ubuf, 2), 2);
	child = vmsim_fork(e.m, e.pid);
	ASSERT_CMP(child, >, 0);
	/* the open file (and its position) is shared with the child */
	ASSERT_EQ(vmsim_fd_read(e.m, child, fd, e.ubuf, 2), 2);
	ASSERT_EQ(vmsim_read(e.m, child, e.ubuf, got, 2), 0);
	ASSERT(!memcmp(got, "cd", 2));
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	ASSERT_EQ(vmsim_fd_read(e.m, child, fd, e.ubuf, 2), 2);
	ASSERT_EQ(vmsim_fd_read(e.m, e.pid, fd, e.ubuf, 2), -EBADF);
	ASSERT_EQ(vmsim_exit(e.m, child), 0);	/* its table closes the file */
	fs_env_down(&e);
}

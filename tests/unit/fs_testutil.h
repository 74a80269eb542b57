/*
 * Helpers shared by the page-cache tests (test_filemap.c, test_hostfs.c,
 * test_shmem.c): a machine whose root is a fresh temporary directory, host
 * file access to check what reached "disk", a user buffer in a process.
 */
#ifndef TESTS_FS_TESTUTIL_H
#define TESTS_FS_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "unit/testlib.h"
#include "kern/pagemap.h"
#include "kern/sched.h"
#include "vmsim/process.h"
#include "vmsim/file.h"

#define UBUF_SIZE	(256UL * 1024)

struct fs_env {
	struct machine *m;
	int pid;
	unsigned long ubuf;		/* UBUF_SIZE bytes of private memory in pid */
	char dir[64];
};

static inline void fs_env_up(struct fs_env *e, const char *opts)
{
	long addr;

	strcpy(e->dir, "/tmp/vmsim-fs-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(e->dir));
	e->m = test_boot(opts ? opts : "ram=64M");
	ASSERT_EQ(vmsim_fs_set_root(e->m, e->dir), 0);
	e->pid = vmsim_spawn(e->m);
	ASSERT_CMP(e->pid, >, 0);
	addr = vmsim_mmap(e->m, e->pid, 0, UBUF_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(addr, >, 0);
	e->ubuf = (unsigned long)addr;
}

static inline void fs_host_path(struct fs_env *e, const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", e->dir, name);
}

static inline void fs_host_write(struct fs_env *e, const char *name, const void *data, size_t len)
{
	char p[256];
	int fd;

	fs_host_path(e, name, p, sizeof(p));
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(write(fd, data, len), (long)len);
	close(fd);
}

/* Bytes of the host file (up to @len), or -errno. */
static inline long fs_host_read(struct fs_env *e, const char *name, void *buf, size_t len)
{
	char p[256];
	long n;
	int fd;

	fs_host_path(e, name, p, sizeof(p));
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

static inline void fs_env_down(struct fs_env *e)
{
	DIR *d;
	struct dirent *de;

	if (e->pid > 0)
		vmsim_exit(e->m, e->pid);
	test_shutdown(e->m);
	d = opendir(e->dir);
	if (d) {
		while ((de = readdir(d))) {
			char p[512];

			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", e->dir, de->d_name);
			if (unlink(p))
				rmdir(p);
		}
		closedir(d);
	}
	rmdir(e->dir);
}

static inline void fill_pattern(uint8_t *b, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)((i * 131 + seed * 7 + (i >> 12)) & 0xff);
}

#endif

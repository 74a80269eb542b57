/*
 * Shared anonymous memory (mm/shmem.c): MAP_SHARED|MAP_ANONYMOUS pages are
 * shared across fork, including pages first touched after the fork;
 * counted in NR_SHMEM and NR_FILE_PAGES (meminfo Shmem, Cached) and the
 * processes' RssShmem; named "/dev/zero (deleted)" in maps; all freed
 * when the last sharer goes.
 */
#include "unit/fs_testutil.h"

#define PG 4096UL

TEST(shmem_shared_across_fork)
{
	struct fs_env e;
	char got[16];
	long map;
	int child;

	fs_env_up(&e, NULL);
	map = vmsim_mmap(e.m, e.pid, 0, 4 * PG, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(map, >, 0);
	ASSERT_EQ(vmsim_write(e.m, e.pid, (unsigned long)map, "before", 7), 0);
	child = vmsim_fork(e.m, e.pid);
	ASSERT_CMP(child, >, 0);
	/* page 1 is first touched by the child, after the fork */
	ASSERT_EQ(vmsim_write(e.m, child, (unsigned long)map + PG, "child", 6), 0);
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)map + PG, got, 6), 0);
	ASSERT_STREQ(got, "child");
	/* page 2 first touched by the parent after the fork */
	ASSERT_EQ(vmsim_write(e.m, e.pid, (unsigned long)map + 2 * PG, "parent", 7), 0);
	ASSERT_EQ(vmsim_read(e.m, child, (unsigned long)map + 2 * PG, got, 7), 0);
	ASSERT_STREQ(got, "parent");
	ASSERT_EQ(vmsim_read(e.m, child, (unsigned long)map, got, 7), 0);
	ASSERT_STREQ(got, "before");
	/* an untouched page reads zero */
	ASSERT_EQ(vmsim_read(e.m, child, (unsigned long)map + 3 * PG, got, 8), 0);
	ASSERT(!memcmp(got, "\0\0\0\0\0\0\0\0", 8));
	ASSERT_EQ(global_page_state(e.m, NR_SHMEM), 4);
	ASSERT_EQ(global_page_state(e.m, NR_FILE_PAGES), 4);
	ASSERT_EQ(global_page_state(e.m, NR_FILE_DIRTY), 0);	/* not file dirt */
	ASSERT_EQ(vmsim_exit(e.m, e.pid), 0);
	e.pid = child;
	ASSERT_EQ(vmsim_read(e.m, child, (unsigned long)map + 2 * PG, got, 7), 0);
	ASSERT_STREQ(got, "parent");
	ASSERT_EQ(vmsim_munmap(e.m, child, (unsigned long)map, 4 * PG), 0);
	ASSERT_EQ(global_page_state(e.m, NR_SHMEM), 0);
	ASSERT_EQ(global_page_state(e.m, NR_FILE_PAGES), 0);
	fs_env_down(&e);
}

TEST(shmem_maps_status_and_private_contrast)
{
	struct fs_env e;
	char *maps, *status;
	long sh, pr;
	int child;
	uint64_t v;

	fs_env_up(&e, NULL);
	sh = vmsim_mmap(e.m, e.pid, 0, 2 * PG, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pr = vmsim_mmap(e.m, e.pid, 0, PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_EQ(vmsim_store64(e.m, e.pid, (unsigned long)sh, 1), 0);
	ASSERT_EQ(vmsim_store64(e.m, e.pid, (unsigned long)pr, 1), 0);
	maps = vmsim_proc_pid_read(e.m, e.pid, "maps");
	ASSERT_CONTAINS(maps, "rw-s 00000000 00:01 ");
	ASSERT_CONTAINS(maps, " /dev/zero (deleted)\n");
	free(maps);
	status = vmsim_proc_pid_read(e.m, e.pid, "status");
	ASSERT_CONTAINS(status, "RssShmem:\t       4 kB");
	free(status);
	child = vmsim_fork(e.m, e.pid);
	ASSERT_EQ(vmsim_store64(e.m, child, (unsigned long)sh, 2), 0);
	ASSERT_EQ(vmsim_store64(e.m, child, (unsigned long)pr, 2), 0);
	ASSERT_EQ(vmsim_load64(e.m, e.pid, (unsigned long)sh, &v), 0);
	ASSERT_EQ(v, 2);		/* shared */
	ASSERT_EQ(vmsim_load64(e.m, e.pid, (unsigned long)pr, &v), 0);
	ASSERT_EQ(v, 1);		/* private: COW */
	ASSERT_EQ(vmsim_exit(e.m, child), 0);
	fs_env_down(&e);
}

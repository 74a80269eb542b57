/*
 * Mlocked pages (mm/mlock.c, the unevictable list in mm/swap.c): a page
 * mapped by a VM_LOCKED VMA counts in NR_MLOCK (meminfo's Mlocked) and sits
 * on the unevictable list (Unevictable) until its last locked mapping goes:
 * munlock, munmap, exit, a copy-on-write that replaces it, a truncate.
 */
#include "unit/fs_testutil.h"
#include "kern/swap.h"

#define PG	4096UL
#define RW	(PROT_READ | PROT_WRITE)

static unsigned long mlocked(struct machine *m)
{
	ASSERT(lru_is_valid(m));
	return global_page_state(m, NR_MLOCK);
}

static unsigned long unevictable(struct machine *m)
{
	return global_page_state(m, NR_ZONE_UNEVICTABLE);
}

static void touch(struct machine *m, int pid, unsigned long addr, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++)
		ASSERT_EQ(vmsim_store64(m, pid, addr + i * PG, i + 1), 0);
}

TEST(mlock_pages_lock_unlock_unmap)
{
	struct machine *m = test_boot("ram=32M");
	int pid = vmsim_spawn(m);
	long a = vmsim_mmap(m, pid, 0, 16 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long inactive;
	char *meminfo;

	ASSERT_CMP(a, >, 0);
	touch(m, pid, (unsigned long)a, 4);
	ASSERT_EQ(mlocked(m), 0);
	inactive = global_page_state(m, NR_ZONE_INACTIVE_ANON);
	/* mlock populates the rest: all 16 are mlocked and unevictable */
	ASSERT_EQ(vmsim_mlock(m, pid, (unsigned long)a, 16 * PG), 0);
	ASSERT_EQ(mlocked(m), 16);
	ASSERT_EQ(unevictable(m), 16);
	ASSERT_EQ(sum_vm_event(m, UNEVICTABLE_PGMLOCKED), 16);
	ASSERT_EQ(global_page_state(m, NR_ZONE_INACTIVE_ANON), inactive - 4);
	meminfo = vmsim_proc_read(m, "meminfo");
	ASSERT_NOT_NULL(meminfo);
	ASSERT_CONTAINS(meminfo, "Unevictable:          64 kB");
	ASSERT_CONTAINS(meminfo, "Mlocked:              64 kB");
	free(meminfo);
	/* mlock again: no change; munlock half: those go back to the inactive list */
	ASSERT_EQ(vmsim_mlock(m, pid, (unsigned long)a, 16 * PG), 0);
	ASSERT_EQ(mlocked(m), 16);
	ASSERT_EQ(vmsim_munlock(m, pid, (unsigned long)a, 8 * PG), 0);
	ASSERT_EQ(mlocked(m), 8);
	ASSERT_EQ(sum_vm_event(m, UNEVICTABLE_PGMUNLOCKED), 8);
	ASSERT_EQ(unevictable(m), 8);
	ASSERT_EQ(global_page_state(m, NR_ZONE_INACTIVE_ANON), inactive - 4 + 8);
	/* munmap of locked pages unlocks them */
	ASSERT_EQ(vmsim_munmap(m, pid, (unsigned long)a + 12 * PG, 4 * PG), 0);
	ASSERT_EQ(mlocked(m), 4);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	ASSERT_EQ(mlocked(m), 0);
	ASSERT_EQ(unevictable(m), 0);
	test_shutdown(m);
}

TEST(mlock_pages_map_locked_and_mlockall_future)
{
	struct machine *m = test_boot("ram=32M");
	int pid = vmsim_spawn(m);
	long a = vmsim_mmap(m, pid, 0, 8 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	long b;

	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(mlocked(m), 8);		/* MAP_LOCKED populates */
	ASSERT_EQ(vmsim_mlockall(m, pid, VMSIM_MCL_FUTURE), 0);
	b = vmsim_mmap(m, pid, 0, 4 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(b, >, 0);
	ASSERT_EQ(mlocked(m), 12);
	ASSERT_EQ(vmsim_munlockall(m, pid), 0);
	ASSERT_EQ(mlocked(m), 0);
	ASSERT_EQ(unevictable(m), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
}

/*
 * mlock is not inherited: after fork the child's mappings are not locked.
 * A write by the parent copies the shared page: the copy is mlocked, the
 * old page (still the child's) is not.  A write by the child leaves the
 * parent's page locked.
 */
TEST(mlock_pages_fork_and_cow)
{
	struct machine *m = test_boot("ram=32M");
	int parent = vmsim_spawn(m), child;
	long a = vmsim_mmap(m, parent, 0, 4 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t v;

	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(vmsim_mlock(m, parent, (unsigned long)a, 4 * PG), 0);
	touch(m, parent, (unsigned long)a, 4);
	ASSERT_EQ(mlocked(m), 4);
	child = vmsim_fork(m, parent);
	ASSERT_CMP(child, >, 0);
	ASSERT_EQ(mlocked(m), 4);
	/* the parent copies page 0: 5 pages exist, 4 of them the parent's (locked) */
	ASSERT_EQ(vmsim_store64(m, parent, (unsigned long)a, 100), 0);
	ASSERT_EQ(mlocked(m), 4);
	ASSERT_EQ(unevictable(m), 4);
	/* the child copies page 1: its copy is not locked */
	ASSERT_EQ(vmsim_store64(m, child, (unsigned long)a + PG, 200), 0);
	ASSERT_EQ(mlocked(m), 4);
	ASSERT_EQ(vmsim_load64(m, child, (unsigned long)a, &v), 0);
	ASSERT_EQ(v, 1);
	ASSERT_EQ(vmsim_load64(m, parent, (unsigned long)a + PG, &v), 0);
	ASSERT_EQ(v, 2);
	ASSERT_EQ(vmsim_exit(m, parent), 0);
	ASSERT_EQ(mlocked(m), 0);
	ASSERT_EQ(vmsim_exit(m, child), 0);
	test_shutdown(m);
}

/*
 * A file page locked by two processes stays locked until both let go; a
 * truncate takes the locked pages past the end out of both mappings.
 */
TEST(mlock_pages_shared_file)
{
	static uint8_t data[8 * PG];
	struct fs_env e;
	int fd, fd2, other;
	long a, b;

	fs_env_up(&e, "ram=64M");
	fs_host_write(&e, "f", data, sizeof(data));
	fd = vmsim_open(e.m, e.pid, "/f", O_RDWR, 0);
	ASSERT_CMP(fd, >=, 0);
	other = vmsim_spawn(e.m);
	fd2 = vmsim_open(e.m, other, "/f", O_RDWR, 0);
	ASSERT_CMP(fd2, >=, 0);
	a = vmsim_mmap(e.m, e.pid, 0, 8 * PG, PROT_READ, MAP_SHARED | MAP_LOCKED, fd, 0);
	b = vmsim_mmap(e.m, other, 0, 8 * PG, PROT_READ, MAP_SHARED, fd2, 0);
	ASSERT_CMP(a, >, 0);
	ASSERT_CMP(b, >, 0);
	ASSERT_EQ(mlocked(e.m), 8);
	ASSERT_EQ(vmsim_mlock(e.m, other, (unsigned long)b, 8 * PG), 0);
	ASSERT_EQ(mlocked(e.m), 8);		/* the same 8 pages, counted twice each */
	ASSERT_EQ(vmsim_munlock(e.m, e.pid, (unsigned long)a, 8 * PG), 0);
	ASSERT_EQ(mlocked(e.m), 8);		/* still locked by the other */
	ASSERT_EQ(vmsim_mlock(e.m, e.pid, (unsigned long)a, 8 * PG), 0);
	/* truncate to 3 pages: 5 pages leave both mappings and the cache */
	ASSERT_EQ(vmsim_ftruncate(e.m, e.pid, fd, 3 * PG), 0);
	ASSERT_EQ(mlocked(e.m), 3);
	ASSERT_EQ(vmsim_exit(e.m, other), 0);
	ASSERT_EQ(mlocked(e.m), 3);
	ASSERT_EQ(vmsim_munmap(e.m, e.pid, (unsigned long)a, 8 * PG), 0);
	/* unmapped, the page-cache pages are evictable again */
	ASSERT_EQ(mlocked(e.m), 0);
	ASSERT_EQ(unevictable(e.m), 0);
	fs_env_down(&e);
}

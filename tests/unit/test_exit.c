/*
 * exit: everything a process held comes back; a dead pid answers -ESRCH;
 * machine teardown exits what is left.
 */
#include <errno.h>
#include <string.h>
#include "testlib.h"
#include "kern/sched.h"
#include "kern/slab.h"
#include "vmsim/process.h"

#define RW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
#define ANON	(VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)

static unsigned long drained_free(struct machine *m)
{
	machine_drain(m);
	return nr_free_pages(m);
}

TEST(exit_releases_pages_and_tables)
{
	struct machine *m = test_boot("ram=64M");
	unsigned long free0 = drained_free(m), free1;
	unsigned char buf[PAGE_SIZE];
	int p, c;
	long a, b;

	p = vmsim_spawn(m);
	ASSERT_CMP(p, >, 0);
	/* two areas far apart: several page-table pages */
	a = vmsim_mmap(m, p, 0, 256 * PAGE_SIZE, RW, ANON, -1, 0);
	b = vmsim_mmap(m, p, 0x40000000UL, 16 * PAGE_SIZE, RW, ANON, -1, 0);
	ASSERT_CMP(a, >, 0);
	ASSERT_CMP(b, >, 0);
	memset(buf, 0xa5, sizeof(buf));
	for (int i = 0; i < 256; i++)
		ASSERT_EQ(vmsim_write(m, p, (unsigned long)a + i * PAGE_SIZE, buf, 8), 0);
	for (int i = 0; i < 16; i++)
		ASSERT_EQ(vmsim_write(m, p, (unsigned long)b + i * PAGE_SIZE, buf, 8), 0);
	c = vmsim_fork(m, p);
	ASSERT_CMP(c, >, 0);
	for (int i = 0; i < 128; i++)
		ASSERT_EQ(vmsim_write(m, c, (unsigned long)a + i * PAGE_SIZE, "c", 1), 0);
	free1 = drained_free(m);
	/* 272 + 128 user pages at least */
	ASSERT_CMP(free0 - free1, >=, 400);

	ASSERT_EQ(vmsim_exit(m, p), 0);
	/* the parent's copies of the 128 pages the child wrote are gone */
	ASSERT_CMP(drained_free(m) - free1, >=, 128);
	ASSERT_EQ(vmsim_read(m, c, (unsigned long)a + 200 * PAGE_SIZE, buf, 1), 0);
	ASSERT_EQ(buf[0], 0xa5);
	ASSERT_EQ(vmsim_exit(m, c), 0);
	ASSERT_EQ(drained_free(m), free0);
	test_shutdown(m);
}

TEST(exit_dead_pid_esrch)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m), q = vmsim_spawn(m);
	struct vmsim_task_info info;
	unsigned char vec[1];
	uint64_t v;
	char buf[4];
	int pids[4];

	ASSERT_EQ(vmsim_exit(m, p), 0);
	ASSERT_EQ(vmsim_exit(m, p), -ESRCH);
	ASSERT_EQ(vmsim_fork(m, p), -ESRCH);
	ASSERT_EQ(vmsim_clone_vm(m, p), -ESRCH);
	ASSERT_EQ(vmsim_mmap(m, p, 0, PAGE_SIZE, RW, ANON, -1, 0), -ESRCH);
	ASSERT_EQ(vmsim_munmap(m, p, 0x10000, PAGE_SIZE), -ESRCH);
	ASSERT_EQ(vmsim_mprotect(m, p, 0x10000, PAGE_SIZE, RW), -ESRCH);
	ASSERT_EQ(vmsim_mremap(m, p, 0x10000, PAGE_SIZE, 2 * PAGE_SIZE, 0, 0), -ESRCH);
	ASSERT_EQ(vmsim_brk(m, p, 0), -ESRCH);
	ASSERT_EQ(vmsim_madvise(m, p, 0x10000, PAGE_SIZE, 0), -ESRCH);
	ASSERT_EQ(vmsim_mlock(m, p, 0x10000, PAGE_SIZE), -ESRCH);
	ASSERT_EQ(vmsim_munlock(m, p, 0x10000, PAGE_SIZE), -ESRCH);
	ASSERT_EQ(vmsim_mlockall(m, p, VMSIM_MCL_CURRENT), -ESRCH);
	ASSERT_EQ(vmsim_munlockall(m, p), -ESRCH);
	ASSERT_EQ(vmsim_mincore(m, p, 0x10000, PAGE_SIZE, vec), -ESRCH);
	ASSERT_EQ(vmsim_setrlimit(m, p, RLIMIT_STACK, 1, 1), -ESRCH);
	ASSERT_EQ(vmsim_set_sp(m, p, 0x1000), -ESRCH);
	ASSERT_EQ(vmsim_read(m, p, 0x10000, buf, 4), -ESRCH);
	ASSERT_EQ(vmsim_write(m, p, 0x10000, buf, 4), -ESRCH);
	ASSERT_EQ(vmsim_load64(m, p, 0x10000, &v), -ESRCH);
	ASSERT_EQ(vmsim_store64(m, p, 0x10000, 1), -ESRCH);
	errno = 0;
	ASSERT_NULL(vmsim_proc_pid_read(m, p, "maps"));
	ASSERT_EQ(errno, ESRCH);

	/* an exited pid keeps its record: dead, no signal */
	ASSERT_EQ(vmsim_task_info(m, p, &info), 0);
	ASSERT_EQ(info.pid, p);
	ASSERT(!info.alive);
	ASSERT_EQ(info.signo, 0);
	ASSERT_EQ(vmsim_task_info(m, q, &info), 0);
	ASSERT(info.alive);
	/* never given out */
	ASSERT_EQ(vmsim_task_info(m, 0, &info), -ESRCH);
	ASSERT_EQ(vmsim_task_info(m, -3, &info), -ESRCH);
	ASSERT_EQ(vmsim_task_info(m, 99, &info), -ESRCH);
	ASSERT_EQ(vmsim_exit(m, 99), -ESRCH);
	ASSERT_EQ(vmsim_fork(m, 0), -ESRCH);

	ASSERT_EQ(vmsim_task_list(m, pids, 4), 1);
	ASSERT_EQ(pids[0], q);
	ASSERT_EQ(vmsim_exit(m, q), 0);
	ASSERT_EQ(vmsim_task_list(m, pids, 4), 0);
	test_shutdown(m);
}

/* Teardown exits live tasks: the accounting is exact afterwards. */
TEST(exit_machine_teardown_exits_live_tasks)
{
	struct machine *m = test_boot("ram=32M");
	char why[160];
	int p = vmsim_spawn(m), c, t;
	long a = vmsim_mmap(m, p, 0, 32 * PAGE_SIZE, RW, ANON, -1, 0);

	ASSERT_CMP(a, >, 0);
	for (int i = 0; i < 32; i++)
		ASSERT_EQ(vmsim_write(m, p, (unsigned long)a + i * PAGE_SIZE, "x", 1), 0);
	c = vmsim_fork(m, p);
	t = vmsim_clone_vm(m, c);
	ASSERT_CMP(t, >, 0);
	ASSERT_EQ(vmsim_write(m, t, (unsigned long)a, "t", 1), 0);
	ASSERT(!machine_accounting_is_exact(m, why, sizeof(why)));
	task_exit_machine(m);
	ASSERT_EQ(vmsim_task_list(m, NULL, 0), 0);
	ASSERT_MSG(machine_accounting_is_exact(m, why, sizeof(why)), "%s", why);
	test_shutdown(m);
}

/* A process whose mm is lazily loaded on the CPU is freed when it exits. */
TEST(exit_lazy_mm_dropped)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m), q = vmsim_spawn(m);
	long a = vmsim_mmap(m, p, 0, PAGE_SIZE, RW, ANON, -1, 0);
	struct mm_struct *mm;
	struct task_struct *t;

	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(vmsim_write(m, p, (unsigned long)a, "p", 1), 0);
	t = find_get_task(m, p);
	mm = t->mm;
	put_task_struct(t);
	/* p's mm stays loaded after the call, holding a struct reference */
	ASSERT_EQ(this_cpu()->active_mm, mm);
	ASSERT_EQ(atomic_load(&mm->mm_count), 2);
	ASSERT_EQ(vmsim_set_sp(m, q, 0x1000), 0);
	ASSERT_NE(this_cpu()->active_mm, mm);
	ASSERT_EQ(atomic_load(&mm->mm_count), 1);
	ASSERT_EQ(vmsim_exit(m, q), 0);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	ASSERT(this_cpu()->active_mm == NULL || this_cpu()->active_mm == m->init_mm);
	test_shutdown(m);
}

/*
 * An mm left loaded lazily on another (idle) CPU is taken from it when its
 * last user exits: nothing stays allocated, and that CPU loads page tables
 * correctly the next time it runs a task.
 */
TEST(exit_lazy_mm_on_other_cpu_stolen)
{
	struct machine *m = test_boot("ram=32M cpus=2");
	int p = vmsim_spawn(m), q = vmsim_spawn(m);
	long a = vmsim_mmap(m, p, 0, PAGE_SIZE, RW, ANON, -1, 0);
	long b = vmsim_mmap(m, q, 0, PAGE_SIZE, RW, ANON, -1, 0);
	char buf[2];
	char why[160];

	ASSERT_CMP(a, >, 0);
	ASSERT_CMP(b, >, 0);
	vmsim_cpu_attach(m, 1);
	ASSERT_EQ(vmsim_write(m, p, (unsigned long)a, "p1", 2), 0);
	ASSERT_NOT_NULL(atomic_load(&m->tasks->lazy_mm[1]));
	vmsim_cpu_attach(m, 0);
	ASSERT_EQ(vmsim_write(m, p, (unsigned long)a, "p0", 2), 0);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	ASSERT_NULL(atomic_load(&m->tasks->lazy_mm[0]));
	ASSERT_NULL(atomic_load(&m->tasks->lazy_mm[1]));

	/* q's mm may even reuse p's mm_struct: CPU 1 must still switch */
	vmsim_cpu_attach(m, 1);
	ASSERT_EQ(vmsim_write(m, q, (unsigned long)b, "q1", 2), 0);
	ASSERT_EQ(vmsim_read(m, q, (unsigned long)b, buf, 2), 0);
	ASSERT_MEMEQ(buf, "q1", 2);
	ASSERT_EQ(vmsim_exit(m, q), 0);
	vmsim_cpu_attach(m, 0);
	ASSERT_MSG(machine_accounting_is_exact(m, why, sizeof(why)), "%s", why);
	test_shutdown(m);
}

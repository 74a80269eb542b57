/*
 * The public process API: spawn layouts, limits, argument errors, /proc
 * routing, the task list; and the two-CPU fork/exit stress.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "kern/sched.h"
#include "kern/memory.h"
#include "kern/mman.h"
#include "vmsim/process.h"

#define RW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
#define ANON	(VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* spawn: one [stack] VMA ending at the top of user space, sp inside it. */
static void spawn_layout(const char *opts, unsigned long top)
{
	struct machine *m = test_boot(opts);
	int p = vmsim_spawn(m), e = vmsim_spawn_empty(m);
	char *maps, *line;
	unsigned long start, end;
	struct task_struct *t;

	ASSERT_CMP(p, >, 0);
	maps = vmsim_proc_pid_read(m, p, "maps");
	ASSERT_NOT_NULL(maps);
	ASSERT_EQ(count_lines(maps), 1);
	ASSERT_CONTAINS(maps, "rw-p 00000000 00:00 0");
	ASSERT_CONTAINS(maps, "[stack]");
	line = maps;
	start = strtoul(line, &line, 16);
	end = strtoul(line + 1, NULL, 16);
	ASSERT_EQ(end, top);
	ASSERT_EQ(end - start, 132 * 1024);
	free(maps);

	t = find_get_task(m, p);
	ASSERT_NOT_NULL(t);
	ASSERT(t->sp >= start && t->sp < end);
	ASSERT_NE(t->mm->start_brk, 0);
	ASSERT_EQ(t->mm->brk, t->mm->start_brk);
	put_task_struct(t);
	/* the stack is usable at once */
	ASSERT_EQ(vmsim_write(m, p, end - 8, "stack!", 6), 0);

	maps = vmsim_proc_pid_read(m, e, "maps");
	ASSERT_NOT_NULL(maps);
	ASSERT_STREQ(maps, "");
	free(maps);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	ASSERT_EQ(vmsim_exit(m, e), 0);
	test_shutdown(m);
}

TEST(sys_spawn_layout_x86_64)
{
	spawn_layout("ram=32M paging=x86_64", 0x7ffffffff000UL);
}

TEST(sys_spawn_layout_i386)
{
	spawn_layout("ram=32M paging=i386", 0xc0000000UL);
}

TEST(sys_rlimit_defaults_and_errors)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m), t;
	struct task_struct *task;

	task = find_get_task(m, p);
	ASSERT_NOT_NULL(task);
	ASSERT_EQ(task->rlim[RLIMIT_STACK].rlim_cur, 8 << 20);
	ASSERT_EQ(task->rlim[RLIMIT_STACK].rlim_max, RLIM_INFINITY);
	ASSERT_EQ(task->rlim[RLIMIT_MEMLOCK].rlim_cur, 8 << 20);
	ASSERT_EQ(task->rlim[RLIMIT_MEMLOCK].rlim_max, 8 << 20);
	ASSERT_EQ(task->rlim[RLIMIT_AS].rlim_cur, RLIM_INFINITY);
	ASSERT_EQ(task->rlim[RLIMIT_DATA].rlim_max, RLIM_INFINITY);
	ASSERT(task->mm->rlim == task->rlim);
	put_task_struct(task);

	ASSERT_EQ(vmsim_setrlimit(m, p, -1, 1, 1), -EINVAL);
	ASSERT_EQ(vmsim_setrlimit(m, p, RLIM_NLIMITS, 1, 1), -EINVAL);
	ASSERT_EQ(vmsim_setrlimit(m, p, RLIMIT_AS, 2, 1), -EINVAL);
	/* raising a hard limit needs privilege */
	ASSERT_EQ(vmsim_setrlimit(m, p, RLIMIT_MEMLOCK, 1 << 20, 16 << 20), -EPERM);
	ASSERT_EQ(vmsim_setrlimit(m, p, RLIMIT_MEMLOCK, 1 << 20, 4 << 20), 0);
	ASSERT_EQ(vmsim_setrlimit(m, p, RLIMIT_MEMLOCK, 4 << 20, 8 << 20), -EPERM);
	ASSERT_EQ(vmsim_setrlimit(m, p, RLIMIT_MEMLOCK, 4 << 20, 4 << 20), 0);

	/* a thread shares the limits of its mm, both ways */
	t = vmsim_clone_vm(m, p);
	ASSERT_EQ(vmsim_setrlimit(m, t, RLIMIT_AS, 64 << 20, 64 << 20), 0);
	task = find_get_task(m, p);
	ASSERT_EQ(task->rlim[RLIMIT_AS].rlim_cur, 64 << 20);
	ASSERT_EQ(task->mm->rlim[RLIMIT_AS].rlim_max, 64 << 20);
	put_task_struct(task);
	/* RLIMIT_AS is enforced through mm->rlim */
	ASSERT_EQ(vmsim_mmap(m, p, 0, 128 << 20, RW, ANON, -1, 0), -ENOMEM);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	ASSERT_EQ(vmsim_mmap(m, t, 0, 128 << 20, RW, ANON, -1, 0), -ENOMEM);
	ASSERT_CMP(vmsim_mmap(m, t, 0, 1 << 20, RW, ANON, -1, 0), >, 0);
	ASSERT_EQ(vmsim_exit(m, t), 0);
	test_shutdown(m);
}

TEST(sys_argument_errors)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m);
	uint64_t v;
	long a;

	/* file mappings need an open file: none exist */
	ASSERT_EQ(vmsim_mmap(m, p, 0, PAGE_SIZE, RW, VMSIM_MAP_PRIVATE, 3, 0), -EBADF);
	ASSERT_EQ(vmsim_mmap(m, p, 0, PAGE_SIZE, RW, ANON, -1, 100), -EINVAL);
	ASSERT_EQ(vmsim_mmap(m, p, 0, 0, RW, ANON, -1, 0), -EINVAL);
	a = vmsim_mmap(m, p, 0, PAGE_SIZE, RW, ANON, -1, 0);
	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(vmsim_load64(m, p, (unsigned long)a + 4, &v), -EINVAL);
	ASSERT_EQ(vmsim_store64(m, p, (unsigned long)a + 1, 5), -EINVAL);
	ASSERT_EQ(vmsim_store64(m, p, (unsigned long)a + 8, 0x1122334455667788ULL), 0);
	ASSERT_EQ(vmsim_load64(m, p, (unsigned long)a + 8, &v), 0);
	ASSERT_EQ(v, 0x1122334455667788ULL);
	ASSERT_EQ(vmsim_munmap(m, p, (unsigned long)a + 1, PAGE_SIZE), -EINVAL);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(sys_brk_mincore_mlock_delegate)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m);
	long brk0 = vmsim_brk(m, p, 0), brk1;
	unsigned char vec[4];

	ASSERT_CMP(brk0, >, 0);
	brk1 = vmsim_brk(m, p, (unsigned long)brk0 + 4 * PAGE_SIZE);
	ASSERT_EQ(brk1, brk0 + 4 * (long)PAGE_SIZE);
	ASSERT_EQ(vmsim_write(m, p, (unsigned long)brk0 + PAGE_SIZE, "heap", 4), 0);
	ASSERT_EQ(vmsim_mincore(m, p, (unsigned long)brk0, 4 * PAGE_SIZE, vec), 0);
	ASSERT_EQ(vec[0] & 1, 0);
	ASSERT_EQ(vec[1] & 1, 1);
	ASSERT_EQ(vmsim_mlock(m, p, (unsigned long)brk0, 4 * PAGE_SIZE), 0);
	ASSERT_EQ(vmsim_mincore(m, p, (unsigned long)brk0, 4 * PAGE_SIZE, vec), 0);
	ASSERT_EQ(vec[0] & vec[2] & vec[3] & 1, 1);
	ASSERT_EQ(vmsim_munlock(m, p, (unsigned long)brk0, 4 * PAGE_SIZE), 0);
	ASSERT_EQ(vmsim_mlockall(m, p, VMSIM_MCL_CURRENT), 0);
	ASSERT_EQ(vmsim_munlockall(m, p), 0);
	ASSERT_EQ(vmsim_madvise(m, p, (unsigned long)brk0, 4 * PAGE_SIZE,
				VMSIM_MADV_DONTNEED), 0);
	ASSERT_EQ(vmsim_mincore(m, p, (unsigned long)brk0, 4 * PAGE_SIZE, vec), 0);
	ASSERT_EQ(vec[1] & 1, 0);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(sys_proc_pid_routing)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m);
	char *s;

	s = vmsim_proc_pid_read(m, p, "status");
	ASSERT_NOT_NULL(s);
	ASSERT_CONTAINS(s, "VmSize:");
	ASSERT_CONTAINS(s, "VmStk:");
	free(s);
	s = vmsim_proc_pid_read(m, p, "smaps");
	ASSERT_NOT_NULL(s);
	ASSERT_CONTAINS(s, "[stack]");
	ASSERT_CONTAINS(s, "Rss:");
	free(s);
	errno = 0;
	ASSERT_NULL(vmsim_proc_pid_read(m, p, "auxv"));
	ASSERT_EQ(errno, ENOENT);
	errno = 0;
	ASSERT_NULL(vmsim_proc_pid_read(m, 77, "maps"));
	ASSERT_EQ(errno, ESRCH);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(sys_task_list_sorted_and_truncated)
{
	struct machine *m = test_boot("ram=32M");
	int pids[8], p[5];

	for (int i = 0; i < 5; i++)
		p[i] = vmsim_spawn_empty(m);
	ASSERT_EQ(vmsim_exit(m, p[2]), 0);
	ASSERT_EQ(vmsim_task_list(m, pids, 8), 4);
	ASSERT_EQ(pids[0], 1);
	ASSERT_EQ(pids[1], 2);
	ASSERT_EQ(pids[2], 4);
	ASSERT_EQ(pids[3], 5);
	pids[2] = -1;
	ASSERT_EQ(vmsim_task_list(m, pids, 2), 4);
	ASSERT_EQ(pids[2], -1);
	ASSERT_EQ(vmsim_task_list(m, NULL, 0), 4);
	for (int i = 0; i < 5; i++)
		if (i != 2)
			ASSERT_EQ(vmsim_exit(m, p[i]), 0);
	test_shutdown(m);
}

/* --- two host threads, two simulated CPUs ----------------------------------- */

struct stress_arg {
	struct machine *m;
	int cpu;
	int failures;
};

static void *stress_worker(void *arg)
{
	struct stress_arg *sa = arg;
	struct machine *m = sa->m;

	vmsim_cpu_attach(m, sa->cpu);
	for (int iter = 0; iter < 40; iter++) {
		unsigned char tag = (unsigned char)(sa->cpu * 100 + iter);
		unsigned char buf[64], got[64];
		int p = vmsim_spawn(m), c, t;
		long a;

		if (p <= 0) {
			sa->failures++;
			break;
		}
		a = vmsim_mmap(m, p, 0, 16 * PAGE_SIZE, RW, ANON, -1, 0);
		memset(buf, tag, sizeof(buf));
		for (int i = 0; i < 16; i++)
			if (vmsim_write(m, p, (unsigned long)a + i * PAGE_SIZE, buf, 64))
				sa->failures++;
		c = vmsim_fork(m, p);
		t = vmsim_clone_vm(m, c);
		memset(buf, tag ^ 0xff, sizeof(buf));
		if (vmsim_write(m, c, (unsigned long)a, buf, 64))
			sa->failures++;
		if (vmsim_read(m, t, (unsigned long)a, got, 64) || memcmp(got, buf, 64))
			sa->failures++;
		if (vmsim_read(m, p, (unsigned long)a, got, 64) || got[0] != tag || got[63] != tag)
			sa->failures++;
		if (iter % 4 == 0 && vmsim_read(m, t, 0x1000, got, 1) != VMSIM_KILLED)
			sa->failures++;
		if (vmsim_exit(m, p) || vmsim_exit(m, c))
			sa->failures++;
		if (iter % 4 != 0 && vmsim_exit(m, t))
			sa->failures++;
	}
	vmsim_cpu_detach();
	return NULL;
}

TEST(kernel_stress_fork_exit_two_cpus)
{
	struct machine *m = test_boot("ram=64M cpus=2");
	struct stress_arg args[2] = { { m, 0, 0 }, { m, 1, 0 } };
	pthread_t th[2];

	vmsim_cpu_detach();
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, stress_worker, &args[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(args[0].failures, 0);
	ASSERT_EQ(args[1].failures, 0);
	ASSERT_EQ(vmsim_task_list(m, NULL, 0), 0);
	/* three pids per iteration per thread, each given out once */
	struct vmsim_task_info info;
	ASSERT_EQ(vmsim_task_info(m, 240, &info), 0);
	ASSERT_EQ(vmsim_task_info(m, 241, &info), -ESRCH);
	test_shutdown(m);
}

/*
 * Two host threads on two CPUs running two tasks of one mm (CLONE_VM):
 * concurrent mmap/munmap/faults on the shared address space, forks of
 * it, and the exits done from a third thread at the end while both CPUs
 * still have the mm loaded lazily.
 */
struct shared_arg {
	struct machine *m;
	int cpu, pid, failures;
};

static void *shared_worker(void *arg)
{
	struct shared_arg *sa = arg;
	struct machine *m = sa->m;

	vmsim_cpu_attach(m, sa->cpu);
	for (int iter = 0; iter < 60; iter++) {
		unsigned char buf[32], got[32];
		long a = vmsim_mmap(m, sa->pid, 0, 4 * PAGE_SIZE, RW, ANON, -1, 0);
		int c;

		if (a <= 0) {
			sa->failures++;
			continue;
		}
		memset(buf, sa->cpu * 64 + iter, sizeof(buf));
		for (int i = 0; i < 4; i++)
			if (vmsim_write(m, sa->pid, (unsigned long)a + i * PAGE_SIZE, buf, 32))
				sa->failures++;
		if (iter % 8 == 0) {
			c = vmsim_fork(m, sa->pid);
			if (c <= 0 || vmsim_read(m, c, (unsigned long)a + PAGE_SIZE, got, 32) ||
			    memcmp(got, buf, 32) || vmsim_exit(m, c))
				sa->failures++;
		}
		if (vmsim_read(m, sa->pid, (unsigned long)a + 3 * PAGE_SIZE, got, 32) ||
		    memcmp(got, buf, 32))
			sa->failures++;
		if (vmsim_munmap(m, sa->pid, (unsigned long)a, 4 * PAGE_SIZE))
			sa->failures++;
	}
	vmsim_cpu_detach();
	return NULL;
}

TEST(kernel_stress_shared_mm_two_cpus)
{
	struct machine *m = test_boot("ram=64M cpus=2");
	int p = vmsim_spawn(m), t = vmsim_clone_vm(m, p);
	struct shared_arg args[2] = { { m, 0, p, 0 }, { m, 1, t, 0 } };
	pthread_t th[2];

	ASSERT_CMP(t, >, 0);
	vmsim_cpu_detach();
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, shared_worker, &args[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(args[0].failures, 0);
	ASSERT_EQ(args[1].failures, 0);
	vmsim_cpu_attach(m, 0);
	ASSERT_EQ(vmsim_exit(m, t), 0);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

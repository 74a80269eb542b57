/*
 * Thread groups (CLONE_THREAD): tgid and thread counts, group death on a
 * fatal signal across CPUs (every thread dies with the signal, the mm is
 * torn down once, by the last thread), exit of one thread, exit_group, a
 * leader exiting first (a zombie naming the group), fork from a thread,
 * /proc/PID/status's Tgid/Pid/Threads lines, the OOM killer taking the
 * whole group, and a two-CPU stress of faulting threads killed mid-run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swaptest.h"
#include "kern/sched.h"
#include "kern/mmu.h"
#include "vmsim/stats.h"

#define TRW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
#define TANON	(VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)

static struct vmsim_task_info tinfo(struct machine *m, int pid)
{
	struct vmsim_task_info i;

	memset(&i, 0xff, sizeof(i));
	if (vmsim_task_info(m, pid, &i))
		memset(&i, 0, sizeof(i));
	return i;
}

static unsigned long free_now(struct machine *m)
{
	struct vmsim_mem_stats ms;

	vmsim_mem_stats(m, &ms);
	return ms.free_pages;
}

/* A process of @pages written pages (pattern @seed) at *@addr, with @n - 1 threads. */
static int make_group(struct machine *m, int n, unsigned long pages, uint64_t seed,
		      unsigned long *addr, int *tids)
{
	int p = vmsim_spawn(m);
	long a = vmsim_mmap(m, p, 0, pages * PAGE_SIZE, TRW, TANON, -1, 0);

	if (p <= 0 || a < 0)
		return -1;
	pattern_write(m, p, (unsigned long)a, pages, seed);
	tids[0] = p;
	for (int i = 1; i < n; i++)
		tids[i] = vmsim_clone_thread(m, tids[i - 1]);
	*addr = (unsigned long)a;
	return p;
}

TEST(thread_clone_tgid_and_counts)
{
	struct machine *m = test_boot("ram=32M");
	unsigned long a;
	int t[3], q, f;
	struct vmsim_task_info i;

	ASSERT_CMP(make_group(m, 3, 4, 1, &a, t), >, 0);
	for (int k = 0; k < 3; k++) {
		ASSERT_CMP(t[k], >, 0);
		i = tinfo(m, t[k]);
		ASSERT(i.alive);
		ASSERT_EQ(i.pid, t[k]);
		ASSERT_EQ(i.tgid, t[0]);
		ASSERT_EQ(i.threads, 3);
	}
	/* the threads share the mm: a write by one is read by another */
	ASSERT_EQ(vmsim_write(m, t[2], a, "thread", 6), 0);
	{
		char buf[6];

		ASSERT_EQ(vmsim_read(m, t[1], a, buf, 6), 0);
		ASSERT_MEMEQ(buf, "thread", 6);
	}
	/* CLONE_VM alone: a process of its own */
	q = vmsim_clone_vm(m, t[1]);
	i = tinfo(m, q);
	ASSERT_EQ(i.tgid, q);
	ASSERT_EQ(i.threads, 1);
	ASSERT_EQ(tinfo(m, t[0]).threads, 3);
	/* fork from a thread: a one-thread process */
	f = vmsim_fork(m, t[2]);
	i = tinfo(m, f);
	ASSERT_EQ(i.tgid, f);
	ASSERT_EQ(i.threads, 1);
	ASSERT_EQ(vmsim_clone_thread(m, 999), -ESRCH);
	/* the task list has every thread */
	{
		int pids[8];

		ASSERT_EQ(vmsim_task_list(m, pids, 8), 5);
	}
	ASSERT_EQ(vmsim_exit(m, q), 0);
	ASSERT_EQ(vmsim_exit(m, f), 0);
	ASSERT_EQ(vmsim_exit_group(m, t[1]), 0);
	test_shutdown(m);
}

/* A CLONE_VM sibling's fault kills only its own group. */
TEST(thread_clone_vm_is_another_process)
{
	struct machine *m = test_boot("ram=32M");
	unsigned long a;
	int t[2], q;

	ASSERT_CMP(make_group(m, 2, 4, 2, &a, t), >, 0);
	q = vmsim_clone_vm(m, t[0]);
	ASSERT_EQ(vmsim_read(m, q, 0x1000, &a, 1), VMSIM_KILLED);
	ASSERT(!tinfo(m, q).alive);
	ASSERT_EQ(tinfo(m, q).signo, SIGSEGV);
	ASSERT(tinfo(m, t[0]).alive);
	ASSERT(tinfo(m, t[1]).alive);
	ASSERT_EQ(pattern_check(m, t[1], a, 4, 2), 0);
	/* and a thread's fault leaves the CLONE_VM sibling's group alone */
	q = vmsim_clone_vm(m, t[0]);
	ASSERT_EQ(vmsim_read(m, t[1], 0x1000, &a, 1), VMSIM_KILLED);
	ASSERT(!tinfo(m, t[0]).alive);
	ASSERT(tinfo(m, q).alive);
	ASSERT_EQ(pattern_check(m, q, a, 4, 2), 0);
	ASSERT_EQ(vmsim_exit(m, q), 0);
	test_shutdown(m);
}

/* --- group death on two CPUs ----------------------------------------------- */

struct on_cpu {
	struct machine *m;
	int cpu, tid;
	unsigned long addr;
	pthread_barrier_t *bar;
	int begin, check, after;	/* results */
};

/* Enter @tid on CPU 1, let the main thread kill the group, then return to user mode. */
static void *run_on_cpu1(void *arg)
{
	struct on_cpu *o = arg;
	struct task_call c;
	static uint8_t want[PAGE_SIZE];
	uint8_t buf[64];

	vmsim_cpu_attach(o->m, o->cpu);
	o->begin = task_call_begin(o->m, o->tid, &c);
	pthread_barrier_wait(o->bar);		/* 1: we are running */
	pthread_barrier_wait(o->bar);		/* 2: the group was killed */
	if (!o->begin) {
		/* still running: the mm is alive and intact under us */
		pattern_fill(want, 3, 5, 1);
		o->check = mmu_user_read(o->addr + 5 * PAGE_SIZE, buf, sizeof(buf)) ||
			   memcmp(buf, want, sizeof(buf));
		o->after = c.t->state == TASK_RUNNING && task_sigkill_pending(c.t);
		task_call_end(&c);		/* the return to user mode: it dies */
	}
	vmsim_cpu_detach();
	return NULL;
}

TEST(thread_sigsegv_kills_group_on_two_cpus)
{
	struct machine *m = test_boot("ram=32M cpus=2");
	pthread_barrier_t bar;
	pthread_t th;
	unsigned long a, free_before;
	int t[3], warm[3], ret;
	struct on_cpu o;
	struct vmsim_task_info i;

	/* a first group, gone, so the slab caches hold what the next one needs */
	ASSERT_CMP(make_group(m, 3, 32, 3, &a, warm), >, 0);
	ASSERT_EQ(vmsim_exit_group(m, warm[0]), 0);
	free_before = free_now(m);

	ASSERT_CMP(make_group(m, 3, 32, 3, &a, t), >, 0);
	ASSERT_CMP(free_now(m), <, free_before - 32);
	pthread_barrier_init(&bar, NULL, 2);
	o = (struct on_cpu){ .m = m, .cpu = 1, .tid = t[1], .addr = a, .bar = &bar };
	ASSERT_EQ(pthread_create(&th, NULL, run_on_cpu1, &o), 0);
	pthread_barrier_wait(&bar);
	ASSERT_EQ(o.begin, 0);
	/* thread 3 on CPU 0 takes SIGSEGV */
	ret = vmsim_read(m, t[2], 0x1000, &a, 1);
	ASSERT_EQ(ret, VMSIM_KILLED);
	i = tinfo(m, t[2]);
	ASSERT(!i.alive);
	ASSERT_EQ(i.signo, SIGSEGV);
	ASSERT_EQ(i.code, SEGV_MAPERR);
	ASSERT_EQ(i.addr, 0x1000);
	/* the leader, idle, died at once (a zombie while thread 2 runs) */
	i = tinfo(m, t[0]);
	ASSERT(!i.alive);
	ASSERT_EQ(i.signo, SIGSEGV);
	ASSERT_EQ(i.code, 0);
	ASSERT_EQ(i.tgid, t[0]);
	/* thread 2 is running on CPU 1: not dead yet, and the memory still there */
	ASSERT(tinfo(m, t[1]).alive);
	ASSERT_EQ(tinfo(m, t[1]).threads, 2);
	pthread_barrier_wait(&bar);
	pthread_join(th, NULL);
	ASSERT_EQ(o.check, 0);
	ASSERT_EQ(o.after, 1);
	i = tinfo(m, t[1]);
	ASSERT(!i.alive);
	ASSERT_EQ(i.signo, SIGSEGV);
	ASSERT_EQ(i.code, 0);
	i = tinfo(m, t[0]);
	ASSERT_EQ(i.signo, SIGSEGV);
	ASSERT_EQ(i.threads, 0);
	for (int k = 0; k < 3; k++) {
		struct vmsim_task_stats st;

		ASSERT_EQ(vmsim_task_stats(m, t[k], &st), -ESRCH);
		ASSERT_NULL(vmsim_proc_pid_read(m, t[k], "status"));
	}
	/* everything the group had is back, once */
	ASSERT_EQ(free_now(m), free_before);
	pthread_barrier_destroy(&bar);
	test_shutdown(m);
}

/* --- one thread exits ------------------------------------------------------ */

TEST(thread_exit_one_leaves_the_rest)
{
	struct machine *m = test_boot("ram=32M");
	unsigned long a;
	int t[3];
	char *st;

	ASSERT_CMP(make_group(m, 3, 16, 4, &a, t), >, 0);
	ASSERT_EQ(vmsim_exit(m, t[1]), 0);
	ASSERT(!tinfo(m, t[1]).alive);
	ASSERT_EQ(tinfo(m, t[1]).signo, 0);
	ASSERT(tinfo(m, t[0]).alive);
	ASSERT(tinfo(m, t[2]).alive);
	ASSERT_EQ(tinfo(m, t[2]).threads, 2);
	ASSERT_EQ(pattern_check(m, t[2], a, 16, 4), 0);
	ASSERT_EQ(pattern_check(m, t[0], a, 16, 4), 0);
	st = vmsim_proc_pid_read(m, t[0], "status");
	ASSERT_NOT_NULL(st);
	ASSERT_CONTAINS(st, "\nThreads:\t2\n");
	free(st);
	ASSERT_EQ(vmsim_exit(m, t[1]), -ESRCH);
	/* exit_group from a thread ends the rest, with code 0 */
	ASSERT_EQ(vmsim_exit_group(m, t[2]), 0);
	for (int k = 0; k < 3; k++) {
		ASSERT(!tinfo(m, t[k]).alive);
		ASSERT_EQ(tinfo(m, t[k]).signo, 0);
	}
	ASSERT_EQ(vmsim_task_list(m, NULL, 0), 0);
	test_shutdown(m);
}

TEST(thread_exit_group_frees_everything)
{
	struct machine *m = test_boot("ram=32M");
	unsigned long a, free_before;
	int t[4], warm[4];

	ASSERT_CMP(make_group(m, 4, 64, 5, &a, warm), >, 0);
	ASSERT_EQ(vmsim_exit_group(m, warm[2]), 0);
	free_before = free_now(m);
	ASSERT_CMP(make_group(m, 4, 64, 5, &a, t), >, 0);
	ASSERT_EQ(vmsim_exit_group(m, t[3]), 0);
	for (int k = 0; k < 4; k++) {
		struct vmsim_task_info i = tinfo(m, t[k]);

		ASSERT(!i.alive);
		ASSERT_EQ(i.signo, 0);
		ASSERT_EQ(i.tgid, t[0]);
		ASSERT_EQ(vmsim_read(m, t[k], a, &i, 1), -ESRCH);
	}
	ASSERT_EQ(free_now(m), free_before);
	ASSERT_EQ(vmsim_exit_group(m, t[0]), -ESRCH);
	test_shutdown(m);
}

/* The leader exits first: a zombie naming the group until the last thread goes. */
TEST(thread_leader_exits_first)
{
	struct machine *m = test_boot("ram=32M");
	unsigned long a;
	int t[3], t4;
	char *st, want[64];
	struct vmsim_task_info i;

	ASSERT_CMP(make_group(m, 3, 8, 6, &a, t), >, 0);
	ASSERT_EQ(vmsim_exit(m, t[0]), 0);
	i = tinfo(m, t[0]);
	ASSERT(!i.alive);
	ASSERT_EQ(i.tgid, t[0]);
	ASSERT_EQ(i.threads, 3);		/* the zombie still names the group, and counts */
	ASSERT_EQ(tinfo(m, t[1]).threads, 3);
	/* calls made as the dead leader fail; /proc/TGID still answers */
	ASSERT_EQ(vmsim_read(m, t[0], a, want, 1), -ESRCH);
	ASSERT_EQ(vmsim_mmap(m, t[0], 0, PAGE_SIZE, TRW, TANON, -1, 0), -ESRCH);
	st = vmsim_proc_pid_read(m, t[0], "status");
	ASSERT_NOT_NULL(st);
	ASSERT_CONTAINS(st, "State:\tZ (zombie)\n");
	snprintf(want, sizeof(want), "Tgid:\t%d\nNgid:\t0\nPid:\t%d\n", t[0], t[0]);
	ASSERT_CONTAINS(st, want);
	ASSERT_CONTAINS(st, "Threads:\t3\n");
	ASSERT(!strstr(st, "VmSize"));
	free(st);
	st = vmsim_proc_pid_read(m, t[0], "maps");
	ASSERT_NOT_NULL(st);
	ASSERT_STREQ(st, "");
	free(st);
	/* the threads run on with the memory */
	ASSERT_EQ(pattern_check(m, t[1], a, 8, 6), 0);
	t4 = vmsim_clone_thread(m, t[2]);
	ASSERT_EQ(tinfo(m, t4).tgid, t[0]);
	ASSERT_EQ(tinfo(m, t4).threads, 4);
	ASSERT_EQ(vmsim_task_list(m, NULL, 0), 3);
	ASSERT_EQ(vmsim_exit(m, t[1]), 0);
	ASSERT_EQ(vmsim_exit(m, t4), 0);
	ASSERT_EQ(tinfo(m, t[2]).threads, 2);
	ASSERT_NOT_NULL(st = vmsim_proc_pid_read(m, t[0], "status"));
	free(st);
	/* the last thread takes the zombie with it, and its group's cause (wait status) */
	ASSERT_EQ(vmsim_read(m, t[2], 0x1000, want, 1), VMSIM_KILLED);
	ASSERT_NULL(vmsim_proc_pid_read(m, t[0], "status"));
	ASSERT_EQ(errno, ESRCH);
	ASSERT_EQ(tinfo(m, t[0]).signo, SIGSEGV);
	ASSERT_EQ(tinfo(m, t[0]).threads, 0);
	ASSERT_EQ(tinfo(m, t[2]).signo, SIGSEGV);
	ASSERT_EQ(vmsim_task_list(m, NULL, 0), 0);
	test_shutdown(m);
}

/* A zombie leader takes its group's cause when a thread dies of a signal. */
TEST(thread_zombie_leader_takes_group_signal)
{
	struct machine *m = test_boot("ram=32M");
	unsigned long a;
	int t[3];
	char b;

	ASSERT_CMP(make_group(m, 3, 2, 7, &a, t), >, 0);
	ASSERT_EQ(vmsim_exit(m, t[0]), 0);
	ASSERT_EQ(vmsim_write(m, t[1], 0x2000, "x", 1), VMSIM_KILLED);
	ASSERT_EQ(tinfo(m, t[1]).code, SEGV_MAPERR);
	ASSERT_EQ(tinfo(m, t[2]).signo, SIGSEGV);
	ASSERT_EQ(tinfo(m, t[0]).signo, SIGSEGV);
	ASSERT_EQ(vmsim_read(m, t[2], a, &b, 1), -ESRCH);
	test_shutdown(m);
}

/* fork from a thread copies only that thread: the child is a one-thread process. */
TEST(thread_fork_from_thread)
{
	struct machine *m = test_boot("ram=32M");
	unsigned long a;
	int t[3], c;
	char *st, want[64];

	ASSERT_CMP(make_group(m, 3, 8, 8, &a, t), >, 0);
	c = vmsim_fork(m, t[2]);
	ASSERT_CMP(c, >, 0);
	ASSERT_EQ(tinfo(m, c).tgid, c);
	ASSERT_EQ(tinfo(m, c).threads, 1);
	ASSERT_EQ(tinfo(m, t[0]).threads, 3);
	st = vmsim_proc_pid_read(m, c, "status");
	snprintf(want, sizeof(want), "Tgid:\t%d\nNgid:\t0\nPid:\t%d\n", c, c);
	ASSERT_CONTAINS(st, want);
	ASSERT_CONTAINS(st, "\nThreads:\t1\n");
	free(st);
	/* COW: the child's writes are its own */
	ASSERT_EQ(pattern_check(m, c, a, 8, 8), 0);
	pattern_write(m, c, a, 8, 9);
	ASSERT_EQ(pattern_check(m, t[1], a, 8, 8), 0);
	/* the child's death leaves the group; the group's leaves the child */
	ASSERT_EQ(vmsim_exit_group(m, t[0]), 0);
	ASSERT(tinfo(m, c).alive);
	ASSERT_EQ(pattern_check(m, c, a, 8, 9), 0);
	ASSERT_EQ(vmsim_read(m, c, 0x1000, want, 1), VMSIM_KILLED);
	test_shutdown(m);
}

/* Tgid, Pid and Threads as Linux prints them, in its order. */
TEST(thread_status_lines)
{
	struct machine *m = test_boot("ram=32M");
	unsigned long a;
	int t[2];
	char *st, want[160];

	ASSERT_CMP(make_group(m, 2, 1, 10, &a, t), >, 0);
	for (int k = 0; k < 2; k++) {
		char *p, *q;

		st = vmsim_proc_pid_read(m, t[k], "status");
		ASSERT_NOT_NULL(st);
		snprintf(want, sizeof(want),
			 "State:\tR (running)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t0\n"
			 "TracerPid:\t0\n", t[0], t[k]);
		ASSERT_CONTAINS(st, want);
		p = strstr(st, "\nThreads:\t2\n");
		ASSERT_NOT_NULL(p);
		q = strstr(st, "VmSwap:");
		ASSERT_NOT_NULL(q);
		ASSERT(q < p);		/* Threads comes after the Vm lines */
		free(st);
	}
	ASSERT_EQ(vmsim_exit(m, t[1]), 0);
	st = vmsim_proc_pid_read(m, t[0], "status");
	ASSERT_CONTAINS(st, "\nThreads:\t1\n");
	free(st);
	ASSERT_EQ(vmsim_exit(m, t[0]), 0);
	test_shutdown(m);
}

/* The OOM killer takes the victim's whole group, and the allocation goes through. */
TEST(thread_oom_kills_whole_group)
{
	struct machine *m = test_boot("ram=16M");
	int t[3], grower = -1;
	unsigned long a;
	long ag;

	ASSERT_CMP(make_group(m, 3, 2200, 11, &a, t), >, 0);
	grower = vmsim_spawn(m);
	ag = vmsim_mmap(m, grower, 0, 1500 * PAGE_SIZE, TRW, TANON, -1, 0);
	ASSERT_CMP(ag, >, 0);
	pattern_write(m, grower, (unsigned long)ag, 1500, 12);
	ASSERT_EQ(sum_vm_event(m, OOM_KILL), 1);
	for (int k = 0; k < 3; k++) {
		struct vmsim_task_info i = tinfo(m, t[k]);

		ASSERT(!i.alive);
		ASSERT_EQ(i.signo, SIGKILL);
	}
	ASSERT_EQ(pattern_check(m, grower, (unsigned long)ag, 1500, 12), 0);
	ASSERT_EQ(vmsim_exit(m, grower), 0);
	test_shutdown(m);
}

/* --- stress ---------------------------------------------------------------- */

#define STRESS_ROUNDS	24
#define STRESS_PAGES	256

struct stress_thread {
	struct machine *m;
	int cpu;
	int tid;			/* this round's thread */
	unsigned long addr;
	bool killer;			/* takes the SIGSEGV mid-run */
	pthread_barrier_t *bar;
	int bad;
	int ended_killed;		/* VMSIM_KILLED seen */
};

static void stress_round(struct stress_thread *s, unsigned int round)
{
	for (unsigned long i = 0; i < STRESS_PAGES; i++) {
		uint64_t v = ((uint64_t)round << 32) | i;
		int r;

		if (s->killer && i == STRESS_PAGES / 2 + round % 16) {
			r = vmsim_store64(s->m, s->tid, 0x1000, v);
			if (r != VMSIM_KILLED)
				s->bad++;
			s->ended_killed++;
			return;
		}
		/*
		 * each thread faults in its own pages (even or odd), so that no
		 * frame is touched by both: a PTE one CPU sets is read by the
		 * other's walker without a lock (a hardware walk), which TSan
		 * cannot order
		 */
		r = vmsim_store64(s->m, s->tid,
				  s->addr + ((i * 2) % STRESS_PAGES + s->cpu) * PAGE_SIZE, v);
		if (r == VMSIM_KILLED) {
			s->ended_killed++;
			return;
		}
		if (r == -ESRCH)
			return;
		if (r)
			s->bad++;
	}
	if (!s->killer) {
		/* finished before the kill: a bulk run over its own pages until the group is gone */
		struct vmsim_access_pattern p = {
			.addr = s->addr, .stride = 2 * PAGE_SIZE, .count = 1u << 20, .random = true,
			.slots = STRESS_PAGES / 2, .seed = round, .size = 8,
			.kind = VMSIM_ACCESS_MODIFY, .value = round,
		};
		struct vmsim_access_result res;
		long r = vmsim_access_pattern(s->m, s->tid, &p, &res);

		if (r == VMSIM_KILLED) {
			s->ended_killed++;
			if (res.signo != SIGSEGV)
				s->bad++;
		} else if (r != -ESRCH && r != (long)p.count) {
			s->bad++;
		}
	}
}

static void *stress_worker(void *arg)
{
	struct stress_thread *s = arg;

	vmsim_cpu_attach(s->m, s->cpu);
	for (unsigned int round = 0; round < STRESS_ROUNDS; round++) {
		pthread_barrier_wait(s->bar);	/* the main thread made the group */
		stress_round(s, round);
		pthread_barrier_wait(s->bar);	/* done with it */
	}
	vmsim_cpu_detach();
	return NULL;
}

TEST(thread_stress_group_kill_two_cpus)
{
	struct machine *m = test_boot("ram=64M cpus=2");
	struct stress_thread st[2];
	pthread_barrier_t bar;
	pthread_t th[2];

	pthread_barrier_init(&bar, NULL, 3);
	for (int k = 0; k < 2; k++) {
		st[k] = (struct stress_thread){ .m = m, .cpu = k, .killer = k == 1, .bar = &bar };
	}
	vmsim_cpu_detach();
	for (int k = 0; k < 2; k++)
		ASSERT_EQ(pthread_create(&th[k], NULL, stress_worker, &st[k]), 0);
	for (int round = 0; round < STRESS_ROUNDS; round++) {
		int p, t1, t2;
		long a;

		vmsim_cpu_attach(m, 0);
		p = vmsim_spawn(m);
		a = vmsim_mmap(m, p, 0, STRESS_PAGES * PAGE_SIZE, TRW, TANON, -1, 0);
		/* the page tables exist before the threads fault (see stress_round) */
		ASSERT_EQ(vmsim_store64(m, p, (unsigned long)a, 1), 0);
		ASSERT_EQ(vmsim_store64(m, p, (unsigned long)a + (STRESS_PAGES - 1) * PAGE_SIZE, 1), 0);
		t1 = vmsim_clone_thread(m, p);
		t2 = vmsim_clone_thread(m, t1);
		vmsim_cpu_detach();
		ASSERT_CMP(a, >, 0);
		ASSERT_CMP(t2, >, 0);
		st[0].tid = t1;
		st[1].tid = t2;
		st[0].addr = st[1].addr = (unsigned long)a;
		pthread_barrier_wait(&bar);
		pthread_barrier_wait(&bar);
		vmsim_cpu_attach(m, 0);
		for (int k = 0; k < 3; k++) {
			int pid = k == 0 ? p : k == 1 ? t1 : t2;
			struct vmsim_task_info i = tinfo(m, pid);

			ASSERT(!i.alive);
			ASSERT_EQ(i.signo, SIGSEGV);
			ASSERT_EQ(i.tgid, p);
		}
		ASSERT_EQ(tinfo(m, t2).code, SEGV_MAPERR);
		ASSERT_EQ(vmsim_task_list(m, NULL, 0), 0);
		vmsim_cpu_detach();
	}
	for (int k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	ASSERT_EQ(st[0].bad, 0);
	ASSERT_EQ(st[1].bad, 0);
	ASSERT_EQ(st[1].ended_killed, STRESS_ROUNDS);
	pthread_barrier_destroy(&bar);
	vmsim_cpu_attach(m, 0);
	test_shutdown(m);
}

/* --- machine_random on two CPUs --------------------------------------------- */

#define RNG_DRAWS	20000

struct rng_worker {
	struct machine *m;
	pthread_barrier_t *bar;
	uint64_t *out;
};

static void *rng_worker(void *arg)
{
	struct rng_worker *w = arg;

	pthread_barrier_wait(w->bar);
	for (int i = 0; i < RNG_DRAWS; i++)
		w->out[i] = machine_random(w->m);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Two CPUs drawing at once get, between them, exactly the values one CPU
 * would have drawn (each step once, none lost or repeated), and a single
 * CPU's sequence is splitmix64 from the seed as it always was.
 */
TEST(thread_stress_machine_random_two_cpus)
{
	struct machine *m = test_boot("ram=16M cpus=2 seed=7");
	uint64_t *got = calloc(2 * RNG_DRAWS, sizeof(*got));
	uint64_t *want = calloc(2 * RNG_DRAWS, sizeof(*want));
	uint64_t start;
	pthread_barrier_t bar;
	pthread_t th[2];
	struct rng_worker w[2];

	ASSERT(got && want);
	start = __atomic_load_n(&m->rng_state, __ATOMIC_RELAXED);
	/* one CPU: the sequence as before the atomic step */
	{
		uint64_t s = start;

		for (int i = 0; i < 4; i++) {
			s += 0x9E3779B97F4A7C15ULL;
			ASSERT_EQ(machine_random(m), splitmix64_mix(s - 0x9E3779B97F4A7C15ULL));
		}
		start = s;
	}
	for (int i = 0; i < 2 * RNG_DRAWS; i++)
		want[i] = splitmix64_mix(start + (uint64_t)i * 0x9E3779B97F4A7C15ULL);
	pthread_barrier_init(&bar, NULL, 2);
	for (int k = 0; k < 2; k++) {
		w[k] = (struct rng_worker){ .m = m, .bar = &bar, .out = got + k * RNG_DRAWS };
		ASSERT_EQ(pthread_create(&th[k], NULL, rng_worker, &w[k]), 0);
	}
	for (int k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	pthread_barrier_destroy(&bar);
	qsort(got, 2 * RNG_DRAWS, sizeof(*got), cmp_u64);
	qsort(want, 2 * RNG_DRAWS, sizeof(*want), cmp_u64);
	ASSERT_EQ(memcmp(got, want, 2 * RNG_DRAWS * sizeof(*got)), 0);
	free(got);
	free(want);
	test_shutdown(m);
}

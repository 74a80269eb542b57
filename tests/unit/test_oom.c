/*
 * The OOM killer: without swap, anonymous memory pressure ends with the
 * biggest process killed by SIGKILL (kernel log line, oom_kill counter),
 * and the allocation that needed the memory goes through.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include "swaptest.h"
#include "kern/sched.h"

static void oom_scenario(const char *opts)
{
	struct machine *m = test_boot(opts);
	int small = vmsim_spawn(m), big = vmsim_spawn(m), grower = vmsim_spawn(m);
	long as = vmsim_mmap(m, small, 0, 300 * PAGE_SIZE, RW, ANON, -1, 0);
	long ab = vmsim_mmap(m, big, 0, 1800 * PAGE_SIZE, RW, ANON, -1, 0);
	long ag = vmsim_mmap(m, grower, 0, 1500 * PAGE_SIZE, RW, ANON, -1, 0);
	struct vmsim_task_info info;
	char *log, want[160];
	unsigned long rss_kb;

	pattern_write(m, small, (unsigned long)as, 300, 1);
	pattern_write(m, big, (unsigned long)ab, 1800, 2);
	vmsim_cpu_attach(m, 0);
	{
		struct task_struct *t = find_get_task(m, big);

		rss_kb = atomic_load(&t->mm->rss_anon) * 4;
		put_task_struct(t);
	}
	/* the grower needs more than is left: the big process must go */
	pattern_write(m, grower, (unsigned long)ag, 1500, 3);
	ASSERT_EQ(sum_vm_event(m, OOM_KILL), 1);
	ASSERT_EQ(vmsim_task_info(m, big, &info), 0);
	ASSERT(!info.alive);
	ASSERT_EQ(info.signo, SIGKILL);
	log = vmsim_proc_read(m, "kmsg");
	snprintf(want, sizeof(want),
		 "Out of memory: Killed process %d (vmsim) total-vm:%lukB, anon-rss:%lukB, "
		 "file-rss:0kB, shmem-rss:0kB", big, 1800UL * 4 + 132, rss_kb);
	ASSERT_CONTAINS(log, want);
	free(log);
	ASSERT_EQ(pattern_check(m, small, (unsigned long)as, 300, 1), 0);
	ASSERT_EQ(pattern_check(m, grower, (unsigned long)ag, 1500, 3), 0);
	ASSERT_EQ(vmsim_read(m, big, (unsigned long)ab, want, 8), -ESRCH);
	ASSERT_EQ(vmsim_exit(m, small), 0);
	ASSERT_EQ(vmsim_exit(m, grower), 0);
	swap_all_free(m);
	test_shutdown(m);
}

TEST(oom_kills_biggest_process)
{
	oom_scenario("ram=16M");
	oom_scenario("ram=16M reclaim=2.4.0");
}

TEST(oom_badness_counts_rss_swap_and_tables)
{
	struct machine *m = test_boot("ram=16M swap=64M");
	int pid = vmsim_spawn(m);
	long a = vmsim_mmap(m, pid, 0, 4500 * PAGE_SIZE, RW, ANON, -1, 0);
	struct task_struct *t;

	pattern_write(m, pid, (unsigned long)a, 4500, 9);
	vmsim_cpu_attach(m, 0);
	t = find_get_task(m, pid);
	ASSERT_CMP(atomic_load(&t->mm->swap_ents), >, 0);
	ASSERT_EQ(oom_badness(t), get_mm_rss(t->mm) + atomic_load(&t->mm->swap_ents) +
		  atomic_load(&t->mm->nr_ptes));
	ASSERT_CMP(oom_badness(t), >=, 4500);
	put_task_struct(t);
	/* with swap, nothing had to be killed */
	ASSERT_EQ(sum_vm_event(m, OOM_KILL), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	swap_all_free(m);
	test_shutdown(m);
}

/* --- two CPUs in the OOM killer, each holding the other's victim's mmap_sem --- */

struct abba_cpu {
	struct machine *m;
	int cpu, pid;
	struct mm_struct *hold;		/* mmap_sem held for reading, as a fault or truncate */
	struct task_struct *wait_marked;/* go once this one has SIGKILL pending */
	pthread_barrier_t *bar;
	int begin;
	bool result;
	atomic_int done;
};

static void *abba_run(void *arg)
{
	struct abba_cpu *o = arg;
	struct task_call c;

	vmsim_cpu_attach(o->m, o->cpu);
	o->begin = task_call_begin(o->m, o->pid, &c);
	down_read(&o->hold->mmap_sem);
	pthread_barrier_wait(o->bar);		/* 1: both hold their lock */
	if (o->wait_marked) {
		/* the other CPU is in the killer (before the fix: blocked there) */
		while (!task_sigkill_pending(o->wait_marked))
			sched_yield();
		usleep(20000);
	}
	o->result = out_of_memory(o->m, GFP_KERNEL, 0);
	atomic_store(&o->done, 1);
	pthread_barrier_wait(o->bar);		/* 2: both came back */
	up_read(&o->hold->mmap_sem);
	if (!o->begin)
		task_call_end(&c);
	vmsim_cpu_detach();
	return NULL;
}

struct watchdog {
	struct abba_cpu *o;
	atomic_int stop;
};

/* Fail the run instead of hanging CI: a deadlock never lets both come back. */
static void *abba_watchdog(void *arg)
{
	struct watchdog *w = arg;

	for (int i = 0; i < 1000 && !atomic_load(&w->stop); i++) {
		if (atomic_load(&w->o[0].done) && atomic_load(&w->o[1].done))
			return NULL;
		usleep(10000);
	}
	if (atomic_load(&w->stop))
		return NULL;
	fprintf(stderr, "oom_two_cpus_abba_no_deadlock: both CPUs still in the OOM killer "
		"after 10 s: deadlock\n");
	fflush(stderr);
	_exit(1);
}

static struct task_struct *get_task(struct machine *m, int pid)
{
	struct task_struct *t = find_get_task(m, pid);

	ASSERT_NOT_NULL(t);
	put_task_struct(t);		/* the test keeps them alive meanwhile */
	return t;
}

/*
 * CPU 0 runs A (mm2) in a fault, holding mm2's mmap_sem, and kills VA,
 * the biggest (mm1); CPU 1 runs C, holding mm1's mmap_sem (as truncate
 * holds a mapping mm's), and goes into the killer once VA is marked.
 * Before the fix CPU 0 waited for mm1's lock to exit VA, and CPU 1 chose
 * VB (mm2, the next biggest) and waited for mm2's: each for the other,
 * forever.  Now neither blocks: VA's exit needs a lock CPU 0 cannot have,
 * so VA stays marked; CPU 1's killer retries VA (the reaper's retry, no
 * second victim while one is pending), cannot have it either, and returns
 * for the allocation to be retried.  With the locks free, the next call
 * exits VA.
 */
TEST(oom_two_cpus_abba_no_deadlock)
{
	struct machine *m = test_boot("ram=32M cpus=2");
	int vb = vmsim_spawn(m), a = vmsim_clone_vm(m, vb), va = vmsim_spawn(m), c = vmsim_spawn(m);
	long la = vmsim_mmap(m, va, 0, 600 * PAGE_SIZE, RW, ANON, -1, 0);
	long lb = vmsim_mmap(m, vb, 0, 300 * PAGE_SIZE, RW, ANON, -1, 0);
	long lc = vmsim_mmap(m, c, 0, 20 * PAGE_SIZE, RW, ANON, -1, 0);
	struct task_struct *tva, *tvb;	/* alive until the end, or VA until its exit */
	struct abba_cpu o[2];
	struct watchdog w;
	pthread_barrier_t bar;
	pthread_t th[2], wd;
	struct vmsim_task_info info;

	ASSERT_CMP(la, >, 0);
	ASSERT_CMP(lb, >, 0);
	ASSERT_CMP(lc, >, 0);
	pattern_write(m, va, (unsigned long)la, 600, 1);
	pattern_write(m, vb, (unsigned long)lb, 300, 2);
	pattern_write(m, c, (unsigned long)lc, 20, 3);
	vmsim_cpu_attach(m, 0);
	tva = get_task(m, va);
	tvb = get_task(m, vb);
	pthread_barrier_init(&bar, NULL, 2);
	o[0] = (struct abba_cpu){ .m = m, .cpu = 0, .pid = a, .hold = tvb->mm, .bar = &bar };
	o[1] = (struct abba_cpu){ .m = m, .cpu = 1, .pid = c, .hold = tva->mm, .bar = &bar,
				  .wait_marked = tva };
	w = (struct watchdog){ .o = o };
	vmsim_cpu_detach();
	ASSERT_EQ(pthread_create(&wd, NULL, abba_watchdog, &w), 0);
	for (int k = 0; k < 2; k++)
		ASSERT_EQ(pthread_create(&th[k], NULL, abba_run, &o[k]), 0);
	for (int k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	atomic_store(&w.stop, 1);
	pthread_join(wd, NULL);
	pthread_barrier_destroy(&bar);
	vmsim_cpu_attach(m, 0);
	ASSERT_EQ(o[0].begin, 0);
	ASSERT_EQ(o[1].begin, 0);
	ASSERT(o[0].result);
	ASSERT(o[1].result);
	ASSERT_EQ(sum_vm_event(m, OOM_KILL), 1);
	/* VA is marked, not yet exited; nobody else was chosen */
	ASSERT(task_sigkill_pending(tva));
	ASSERT(vmsim_task_info(m, va, &info) == 0 && info.alive);
	ASSERT(!task_sigkill_pending(tvb));
	/* the killer's retry, the lock free now, exits VA */
	ASSERT(out_of_memory(m, GFP_KERNEL, 0));
	ASSERT_EQ(vmsim_task_info(m, va, &info), 0);
	ASSERT(!info.alive);
	ASSERT_EQ(info.signo, SIGKILL);
	ASSERT_EQ(sum_vm_event(m, OOM_KILL), 1);
	for (int k = 0; k < 3; k++) {
		int pid = k == 0 ? a : k == 1 ? vb : c;

		ASSERT_EQ(vmsim_task_info(m, pid, &info), 0);
		ASSERT(info.alive);
	}
	ASSERT_EQ(pattern_check(m, vb, (unsigned long)lb, 300, 2), 0);
	ASSERT_EQ(pattern_check(m, c, (unsigned long)lc, 20, 3), 0);
	ASSERT_EQ(vmsim_task_list(m, NULL, 0), 3);
	ASSERT_EQ(vmsim_exit(m, c), 0);
	ASSERT_EQ(vmsim_exit(m, a), 0);
	ASSERT_EQ(vmsim_exit(m, vb), 0);
	test_shutdown(m);
}

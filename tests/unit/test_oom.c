/*
 * The OOM killer: without swap, anonymous memory pressure ends with the
 * biggest process killed by SIGKILL (kernel log line, oom_kill counter),
 * and the allocation that needed the memory goes through.
 */
#include "swaptest.h"

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

/*
 * swapoff: every page in the area comes back (bytes intact, shared pages
 * still shared after fork), the area is released, errors as Linux.
 */
#include "swaptest.h"
#include "vmsim/swap.h"

TEST(swapoff_brings_every_byte_back)
{
	/* the area from boot: its map comes back at the end (exact accounting) */
	struct machine *m = test_boot("ram=32M swap=64M");
	int pids[2], type = 0;
	unsigned long total, freep;
	long a;

	pids[0] = vmsim_spawn(m);
	a = vmsim_mmap(m, pids[0], 0, 4000 * PAGE_SIZE, RW, ANON, -1, 0);
	pattern_write(m, pids[0], (unsigned long)a, 4000, 51);
	pids[1] = vmsim_fork(m, pids[0]);
	pattern_write(m, pids[1], (unsigned long)a, 500, 52);
	ASSERT_CMP(vmsim_shrink_memory(m), >, 0);
	ASSERT_CMP(swap_refs_exact(m, pids, 2), >, 1000);
	ASSERT_EQ(vmsim_swapoff(m, type), 0);
	vmsim_cpu_attach(m, 0);
	si_swapinfo(m, &total, &freep);
	ASSERT_EQ(total, 0);
	ASSERT_EQ(freep, 0);
	for (int i = 0; i < 2; i++) {
		struct task_struct *t = find_get_task(m, pids[i]);

		ASSERT_EQ(atomic_load(&t->mm->swap_ents), 0);
		put_task_struct(t);
	}
	ASSERT_EQ(global_page_state(m, NR_SWAPCACHE), 0);
	ASSERT_EQ(pattern_check(m, pids[0], (unsigned long)a, 4000, 51), 0);
	ASSERT_EQ(pattern_check(m, pids[1], (unsigned long)a, 500, 52), 0);
	ASSERT_EQ(pattern_check_at(m, pids[1], (unsigned long)a, 500, 3500, 51), 0);
	/* swapped on again: the same index, empty, usable */
	ASSERT_EQ(vmsim_swapon(m, NULL, 64 << 20, -1), 0);
	ASSERT_CMP(vmsim_shrink_memory(m), >, 0);
	ASSERT_EQ(pattern_check(m, pids[0], (unsigned long)a, 4000, 51), 0);
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(vmsim_exit(m, pids[i]), 0);
	swap_all_free(m);
	test_shutdown(m);
}

TEST(swapoff_errors)
{
	struct machine *m = test_boot("ram=16M swap=16M");
	int pid = vmsim_spawn(m);
	long a = vmsim_mmap(m, pid, 0, 5000 * PAGE_SIZE, RW, ANON, -1, 0);

	ASSERT_EQ(vmsim_swapoff(m, 5), -EINVAL);
	ASSERT_EQ(vmsim_swapoff(m, -1), -EINVAL);
	ASSERT_EQ(vmsim_swapoff(m, 1), -EINVAL);
	/* 5000 pages do not fit a 16 MiB machine without swap */
	pattern_write(m, pid, (unsigned long)a, 5000, 61);
	ASSERT_EQ(vmsim_swapoff(m, 0), -ENOMEM);
	vmsim_cpu_attach(m, 0);
	ASSERT(swap_map_is_valid(m));
	ASSERT_EQ(sum_vm_event(m, OOM_KILL), 0);
	ASSERT_EQ(pattern_check(m, pid, (unsigned long)a, 5000, 61), 0);
	swap_refs_exact(m, &pid, 1);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	ASSERT_EQ(vmsim_swapoff(m, 0), 0);
	ASSERT_EQ(vmsim_swapoff(m, 0), -EINVAL);
	ASSERT_EQ(vmsim_swapon(m, NULL, 16 << 20, -1), 0);
	swap_all_free(m);
	test_shutdown(m);
}

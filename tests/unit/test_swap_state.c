/*
 * The swap cache and swap-in: bytes written into more anonymous memory
 * than RAM come back through swap; fork shares swapped pages (each side
 * keeps its own data after writing; slot counts are PTEs + cache); a read
 * fault keeps the swap copy (SwapCached), a write drops it.
 */
#include "swaptest.h"

/* 16 MiB machine: about 12 MiB for processes; 24 MiB of data. */
#define BIG_PAGES	6144UL

TEST(swap_state_bytes_survive_swap)
{
	struct machine *m = test_boot("ram=16M swap=64M");
	int pid = vmsim_spawn(m);
	long a;

	ASSERT_CMP(pid, >, 0);
	a = vmsim_mmap(m, pid, 0, BIG_PAGES * PAGE_SIZE, RW, ANON, -1, 0);
	ASSERT_CMP(a, >, 0);
	pattern_write(m, pid, (unsigned long)a, BIG_PAGES, 42);
	ASSERT_EQ(pattern_check(m, pid, (unsigned long)a, BIG_PAGES, 42), 0);
	ASSERT_CMP(sum_vm_event(m, PSWPOUT), >, 0);
	ASSERT_CMP(sum_vm_event(m, PSWPIN), >, 0);
	ASSERT_CMP(sum_vm_event(m, PGMAJFAULT), >, 0);
	swap_refs_exact(m, &pid, 1);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	swap_all_free(m);
	test_shutdown(m);
}

TEST(swap_state_fork_cow_in_swap)
{
	struct machine *m = test_boot("ram=16M swap=64M");
	int pids[2];
	long a;

	pids[0] = vmsim_spawn(m);
	a = vmsim_mmap(m, pids[0], 0, 4096 * PAGE_SIZE, RW, ANON, -1, 0);
	ASSERT_CMP(a, >, 0);
	pattern_write(m, pids[0], (unsigned long)a, 4096, 7);
	pids[1] = vmsim_fork(m, pids[0]);
	ASSERT_CMP(pids[1], >, 0);
	/* shared slots: each counts both PTEs (+ the cache) */
	ASSERT_CMP(swap_refs_exact(m, pids, 2), >, 0);
	/* the child rewrites the first half, the parent the second */
	pattern_write(m, pids[1], (unsigned long)a, 2048, 8);
	pattern_write(m, pids[0], (unsigned long)a + 2048 * PAGE_SIZE, 2048, 9);
	swap_refs_exact(m, pids, 2);
	ASSERT_EQ(pattern_check(m, pids[1], (unsigned long)a, 2048, 8), 0);
	ASSERT_EQ(pattern_check(m, pids[0], (unsigned long)a + 2048 * PAGE_SIZE, 2048, 9), 0);
	/* and the halves nobody rewrote still hold the original bytes */
	{
		uint8_t *buf = malloc(PAGE_SIZE), *want = malloc(PAGE_SIZE);

		for (unsigned long i = 0; i < 2048; i += 97) {
			pattern_fill(want, 7, i, 1);
			ASSERT_EQ(vmsim_read(m, pids[0], (unsigned long)a + i * PAGE_SIZE, buf,
					     PAGE_SIZE), 0);
			ASSERT(!memcmp(buf, want, PAGE_SIZE));
			pattern_fill(want, 7, 2048 + i, 1);
			ASSERT_EQ(vmsim_read(m, pids[1], (unsigned long)a + (2048 + i) * PAGE_SIZE,
					     buf, PAGE_SIZE), 0);
			ASSERT(!memcmp(buf, want, PAGE_SIZE));
		}
		free(buf);
		free(want);
	}
	swap_refs_exact(m, pids, 2);
	ASSERT_EQ(vmsim_exit(m, pids[0]), 0);
	swap_refs_exact(m, &pids[1], 1);
	ASSERT_EQ(vmsim_exit(m, pids[1]), 0);
	swap_all_free(m);
	test_shutdown(m);
}

TEST(swap_state_read_keeps_swap_copy)
{
	struct machine *m = test_boot("ram=16M swap=64M");
	int pid = vmsim_spawn(m);
	unsigned long cached, major;
	long a;
	char *info;

	a = vmsim_mmap(m, pid, 0, BIG_PAGES * PAGE_SIZE, RW, ANON, -1, 0);
	pattern_write(m, pid, (unsigned long)a, BIG_PAGES, 3);
	major = sum_vm_event(m, PGMAJFAULT);
	/* read the first pages back: they were swapped out first */
	ASSERT_EQ(pattern_check(m, pid, (unsigned long)a, 256, 3), 0);
	ASSERT_CMP(sum_vm_event(m, PGMAJFAULT), >, major);
	vmsim_cpu_attach(m, 0);
	cached = global_page_state(m, NR_SWAPCACHE);
	ASSERT_CMP(cached, >, 0);
	ASSERT(swap_cache_is_valid(m));
	info = vmsim_proc_read(m, "meminfo");
	{
		char line[64];

		snprintf(line, sizeof(line), "%-16s%8lu kB", "SwapCached:", cached * 4);
		ASSERT_CONTAINS(info, line);
	}
	free(info);
	swap_refs_exact(m, &pid, 1);
	/* writing them takes them out of the cache (the slot is freed) */
	pattern_write(m, pid, (unsigned long)a, 256, 4);
	swap_refs_exact(m, &pid, 1);
	ASSERT_EQ(pattern_check(m, pid, (unsigned long)a, 256, 4), 0);
	ASSERT_EQ(pattern_check_at(m, pid, (unsigned long)a, 256, BIG_PAGES - 256, 3), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	swap_all_free(m);
	test_shutdown(m);
}

TEST(swap_state_munmap_and_dontneed_free_slots)
{
	struct machine *m = test_boot("ram=16M swap=64M");
	int pid = vmsim_spawn(m);
	unsigned long total, freep;
	long a;

	a = vmsim_mmap(m, pid, 0, BIG_PAGES * PAGE_SIZE, RW, ANON, -1, 0);
	pattern_write(m, pid, (unsigned long)a, BIG_PAGES, 5);
	ASSERT_EQ(vmsim_madvise(m, pid, (unsigned long)a, 2048 * PAGE_SIZE,
				VMSIM_MADV_DONTNEED), 0);
	ASSERT_EQ(vmsim_munmap(m, pid, (unsigned long)a + 2048 * PAGE_SIZE,
			       (BIG_PAGES - 2048) * PAGE_SIZE), 0);
	vmsim_cpu_attach(m, 0);
	si_swapinfo(m, &total, &freep);
	ASSERT_EQ(freep, total);
	ASSERT_EQ(global_page_state(m, NR_SWAPCACHE), 0);
	swap_refs_exact(m, &pid, 1);
	/* after DONTNEED the range reads as zeroes */
	{
		uint8_t buf[64] = { 1 }, zero[64] = { 0 };

		ASSERT_EQ(vmsim_read(m, pid, (unsigned long)a, buf, sizeof(buf)), 0);
		ASSERT(!memcmp(buf, zero, sizeof(buf)));
	}
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	swap_all_free(m);
	test_shutdown(m);
}

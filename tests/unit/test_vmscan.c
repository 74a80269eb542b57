/*
 * Reclaim: kswapd (run at the end of a call) brings free pages back above
 * pages_high; a single call allocating more than the reserves reclaims
 * directly (allocstall); both reclaim designs run the same workloads with
 * the same bytes back; runs are deterministic; a 2-CPU stress.
 */
#include <pthread.h>
#include "swaptest.h"
#include "vmsim/swap.h"
#include "kern/printk.h"

/* Free pages of every zone reach pages_high. */
static void zones_above_high(struct machine *m)
{
	vmsim_cpu_attach(m, 0);
	for (int n = 0; n < m->nr_nodes; n++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			zone_t *z = &m->node_data[n].node_zones[j];

			if (!z->managed_pages)
				continue;
			ASSERT_MSG(zone_free_pages(z) >= z->pages_high,
				   "zone %s: %lu free, pages_high %lu", z->name, zone_free_pages(z),
				   z->pages_high);
		}
}

TEST(vmscan_kswapd_restores_pages_high)
{
	for (int design = 0; design < 2; design++) {
		struct machine *m = test_boot(design ? "ram=16M swap=64M reclaim=2.4.0"
						     : "ram=16M swap=64M");
		int pid = vmsim_spawn(m);
		long a = vmsim_mmap(m, pid, 0, 5000 * PAGE_SIZE, RW, ANON, -1, 0);
		uint8_t *buf = malloc(PAGE_SIZE);
		int runs = 0;

		ASSERT_CMP(a, >, 0);
		for (unsigned long i = 0; i < 5000; i++) {
			unsigned long before = sum_vm_event(m, PAGEOUTRUN);

			pattern_fill(buf, 11, i, 1);
			ASSERT_EQ(vmsim_write(m, pid, (unsigned long)a + i * PAGE_SIZE, buf,
					      PAGE_SIZE), 0);
			/* a call that woke kswapd ended with its pass */
			if (sum_vm_event(m, PAGEOUTRUN) != before) {
				zones_above_high(m);
				runs++;
			}
		}
		free(buf);
		ASSERT_CMP(runs, >, 0);
		ASSERT_CMP(sum_vm_event(m, PGSTEAL_KSWAPD), >, 0);
		ASSERT_CMP(sum_vm_event(m, PGSCAN_KSWAPD), >, 0);
		/* kswapd kept ahead: no allocation had to reclaim itself */
		ASSERT_EQ(sum_vm_event(m, ALLOCSTALL), 0);
		ASSERT_EQ(pattern_check(m, pid, (unsigned long)a, 5000, 11), 0);
		swap_refs_exact(m, &pid, 1);
		ASSERT_EQ(vmsim_exit(m, pid), 0);
		swap_all_free(m);
		test_shutdown(m);
	}
}

TEST(vmscan_direct_reclaim_counted)
{
	for (int design = 0; design < 2; design++) {
		struct machine *m = test_boot(design ? "ram=16M swap=64M reclaim=2.4.0"
						     : "ram=16M swap=64M");
		int pid = vmsim_spawn(m);
		long a = vmsim_mmap(m, pid, 0, 4096 * PAGE_SIZE, RW, ANON, -1, 0);
		uint8_t *buf = malloc(4096 * PAGE_SIZE);

		/* one call writing 16 MiB: no scheduling point for kswapd meanwhile */
		pattern_fill(buf, 5, 0, 4096);
		ASSERT_EQ(vmsim_write(m, pid, (unsigned long)a, buf, 4096 * PAGE_SIZE), 0);
		free(buf);
		ASSERT_CMP(sum_vm_event(m, ALLOCSTALL), >, 0);
		ASSERT_CMP(sum_vm_event(m, PGSTEAL_DIRECT), >, 0);
		ASSERT_CMP(sum_vm_event(m, PGSCAN_DIRECT), >, 0);
		ASSERT_CMP(sum_vm_event(m, PSWPOUT), >, 0);
		ASSERT_EQ(pattern_check(m, pid, (unsigned long)a, 4096, 5), 0);
		ASSERT_EQ(vmsim_exit(m, pid), 0);
		swap_all_free(m);
		test_shutdown(m);
	}
}

/* fork, COW and exit with pages in swap, on both designs */
TEST(vmscan_designs_same_bytes)
{
	for (int design = 0; design < 2; design++) {
		struct machine *m = test_boot(design ? "ram=16M swap=64M reclaim=2.4.0"
						     : "ram=16M swap=64M");
		int pids[3];
		long a;

		pids[0] = vmsim_spawn(m);
		a = vmsim_mmap(m, pids[0], 0, 3000 * PAGE_SIZE, RW, ANON, -1, 0);
		pattern_write(m, pids[0], (unsigned long)a, 3000, 21);
		pids[1] = vmsim_fork(m, pids[0]);
		pids[2] = vmsim_fork(m, pids[0]);
		ASSERT_CMP(pids[2], >, 0);
		pattern_write(m, pids[1], (unsigned long)a, 1500, 22);
		pattern_write(m, pids[2], (unsigned long)a + 1500 * PAGE_SIZE, 1500, 23);
		swap_refs_exact(m, pids, 3);
		ASSERT_EQ(pattern_check(m, pids[0], (unsigned long)a, 3000, 21), 0);
		ASSERT_EQ(pattern_check(m, pids[1], (unsigned long)a, 1500, 22), 0);
		ASSERT_EQ(pattern_check_at(m, pids[1], (unsigned long)a, 1500, 1500, 21), 0);
		ASSERT_EQ(pattern_check(m, pids[2], (unsigned long)a + 1500 * PAGE_SIZE, 1500, 23), 0);
		ASSERT_EQ(pattern_check(m, pids[2], (unsigned long)a, 1500, 21), 0);
		vmsim_cpu_attach(m, 0);
		ASSERT(lru_is_valid(m));
		ASSERT(swap_cache_is_valid(m));
		for (int i = 0; i < 3; i++)
			ASSERT_EQ(vmsim_exit(m, pids[i]), 0);
		swap_all_free(m);
		test_shutdown(m);
	}
}

static char *workload_vmstat(const char *opts)
{
	struct machine *m = test_boot(opts);
	int pid = vmsim_spawn(m), child;
	long a = vmsim_mmap(m, pid, 0, 4000 * PAGE_SIZE, RW, ANON, -1, 0);
	char *s;

	pattern_write(m, pid, (unsigned long)a, 4000, 31);
	child = vmsim_fork(m, pid);
	pattern_write(m, child, (unsigned long)a, 1000, 32);
	ASSERT_EQ(pattern_check(m, pid, (unsigned long)a, 4000, 31), 0);
	s = vmsim_proc_read(m, "vmstat");
	vmsim_exit(m, pid);
	vmsim_exit(m, child);
	swap_all_free(m);
	test_shutdown(m);
	return s;
}

TEST(vmscan_deterministic_counters)
{
	const char *opts[2] = { "ram=16M swap=64M seed=3", "ram=16M swap=64M seed=3 reclaim=2.4.0" };

	for (int i = 0; i < 2; i++) {
		char *a = workload_vmstat(opts[i]), *b = workload_vmstat(opts[i]);

		ASSERT_CONTAINS(a, "pswpout");
		ASSERT_STREQ(b, a);
		free(a);
		free(b);
	}
}

TEST(vmscan_shrink_memory_swaps_everything)
{
	struct machine *m = test_boot("ram=16M swap=64M");
	int pid = vmsim_spawn(m);
	long a = vmsim_mmap(m, pid, 0, 1000 * PAGE_SIZE, RW, ANON, -1, 0);

	pattern_write(m, pid, (unsigned long)a, 1000, 41);
	ASSERT_CMP(vmsim_shrink_memory(m), >=, 900);
	vmsim_cpu_attach(m, 0);
	ASSERT_CMP(swap_refs_exact(m, &pid, 1), >=, 900);
	ASSERT_EQ(pattern_check(m, pid, (unsigned long)a, 1000, 41), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	swap_all_free(m);
	test_shutdown(m);
}

/* --- 2 CPUs under memory pressure (TSan) ----------------------------------- */

struct stress_arg {
	struct machine *m;
	int cpu, pid;
	unsigned long addr;
	unsigned long bad;
};

static void *stress_thread(void *p)
{
	struct stress_arg *s = p;

	vmsim_cpu_attach(s->m, s->cpu);
	for (int round = 0; round < 2; round++) {
		pattern_write(s->m, s->pid, s->addr, 1800, 100 + s->cpu + round);
		s->bad += pattern_check(s->m, s->pid, s->addr, 1800, 100 + s->cpu + round);
	}
	vmsim_cpu_detach();
	return NULL;
}

TEST(vmscan_stress_two_cpus)
{
	struct machine *m = test_boot("ram=16M swap=64M cpus=2");
	struct stress_arg args[2];
	pthread_t th[2];

	for (int i = 0; i < 2; i++) {
		args[i].m = m;
		args[i].cpu = i;
		args[i].pid = vmsim_spawn(m);
		args[i].addr = (unsigned long)vmsim_mmap(m, args[i].pid, 0, 1800 * PAGE_SIZE, RW,
							 ANON, -1, 0);
		args[i].bad = 0;
	}
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, stress_thread, &args[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	vmsim_cpu_attach(m, 0);
	for (int i = 0; i < 2; i++) {
		struct vmsim_task_info info;

		ASSERT_EQ(vmsim_task_info(m, args[i].pid, &info), 0);
		ASSERT_MSG(info.alive, "pid %d died with signal %d", args[i].pid, info.signo);
		ASSERT_EQ(args[i].bad, 0);
	}
	{
		int pids[2] = { args[0].pid, args[1].pid };

		swap_refs_exact(m, pids, 2);
	}
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(vmsim_exit(m, args[i].pid), 0);
	/* copies orphaned by races between the CPUs go with the next scan */
	vmsim_shrink_memory(m);
	swap_all_free(m);
	test_shutdown(m);
}

/*
 * kswapd's periodic wake (2.4: interruptible_sleep_on_timeout(.., HZ)):
 * with a zone under pages_low and no allocation waking it, kswapd balances
 * once per second of virtual time, and not in between.
 */
TEST(vmscan_kswapd_wakes_once_a_second)
{
	struct machine *m = test_boot("ram=16M");
	struct vmscan_state *vs = m->vmscan;
	struct page *pages[4096];
	unsigned long before;
	int n = 0;

	vmsim_cpu_attach(m, 0);
	/* kernel pages down to the low watermark: the allocator wakes kswapd */
	while (n < 4096 && !atomic_load(&vs->kswapd_wanted)) {
		pages[n] = alloc_pages(GFP_KERNEL, 0);
		ASSERT_NOT_NULL(pages[n]);
		n++;
	}
	ASSERT(atomic_load(&vs->kswapd_wanted));
	/* that wake is spent; the shortage stays (kernel pages cannot be reclaimed) */
	atomic_store(&vs->kswapd_wanted, 0);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		atomic_store(&m->node_data[0].node_zones[z].need_balance, 0);
	before = sum_vm_event(m, PAGEOUTRUN);
	kswapd_run(m);
	ASSERT_EQ(sum_vm_event(m, PAGEOUTRUN), before);	/* its second is not over */
	hw_clock_advance(&m->hw, HZ - hw_clock_read(&m->hw));
	kswapd_run(m);
	ASSERT_CMP(sum_vm_event(m, PAGEOUTRUN), >, before);
	before = sum_vm_event(m, PAGEOUTRUN);
	hw_clock_advance(&m->hw, HZ - 1);
	kswapd_run(m);
	ASSERT_EQ(sum_vm_event(m, PAGEOUTRUN), before);	/* asleep until a second later */
	hw_clock_advance(&m->hw, 1);
	kswapd_run(m);
	ASSERT_CMP(sum_vm_event(m, PAGEOUTRUN), >, before);
	while (n)
		__free_pages(pages[--n], 0);
	/* no shortage: the next second's wake finds nothing to do */
	before = sum_vm_event(m, PAGEOUTRUN);
	hw_clock_advance(&m->hw, HZ);
	kswapd_run(m);
	ASSERT_EQ(sum_vm_event(m, PAGEOUTRUN), before);
	test_shutdown(m);
}

/*
 * CLOCK-Pro (mm/reclaim_clockpro.c) on the access pattern its paper
 * starts from: a loop over more pages than memory holds.  LRU (and every
 * recency policy) misses on every access of every pass; CLOCK-Pro keeps a
 * part of the loop hot, resident across passes, and misses on the rest,
 * its cold pages going round the test periods.  Its counters say so, and
 * the run ends with exact accounting.
 */
#include "swaptest.h"
#include "kern/rmap.h"

#define LOOP_PAGES	5000UL		/* 20 MiB over a 16 MiB machine */
#define PASSES		4

/* A /proc/vmstat line's value (0 if absent). */
static uint64_t vmstat_value(struct machine *m, const char *key)
{
	char *text = vmsim_proc_read(m, "vmstat"), *p;
	size_t len = strlen(key);
	uint64_t v = 0;

	ASSERT_NOT_NULL(text);
	for (p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, len) && p[len] == ' ')
			v = strtoull(p + len + 1, NULL, 10);
	free(text);
	return v;
}

/* The major faults of PASSES reading passes over LOOP_PAGES written pages. */
static unsigned long loop_majors(const char *opts, uint64_t *promoted)
{
	struct machine *m = test_boot(opts);
	int pid = vmsim_spawn(m);
	long a = vmsim_mmap(m, pid, 0, LOOP_PAGES * PAGE_SIZE, RW, ANON, -1, 0);
	struct vmsim_access *v = malloc(LOOP_PAGES * sizeof(*v));
	unsigned long before;

	ASSERT(a > 0 && v);
	for (unsigned long i = 0; i < LOOP_PAGES; i++)
		v[i] = (struct vmsim_access){ .addr = (unsigned long)a + i * PAGE_SIZE,
					      .value = i, .size = 8, .kind = VMSIM_ACCESS_STORE };
	ASSERT_EQ(vmsim_access_run(m, pid, v, LOOP_PAGES, NULL, NULL), (long)LOOP_PAGES);
	for (unsigned long i = 0; i < LOOP_PAGES; i++)
		v[i].kind = VMSIM_ACCESS_LOAD;
	before = sum_vm_event(m, PGMAJFAULT);
	for (int p = 0; p < PASSES; p++)
		ASSERT_EQ(vmsim_access_run(m, pid, v, LOOP_PAGES, NULL, NULL), (long)LOOP_PAGES);
	before = sum_vm_event(m, PGMAJFAULT) - before;
	*promoted = vmstat_value(m, "clockpro_promoted") + vmstat_value(m, "clockpro_refault_in_test");
	for (unsigned long i = 0; i < LOOP_PAGES; i += 97) {
		uint64_t val;

		ASSERT_EQ(vmsim_load64(m, pid, (unsigned long)a + i * PAGE_SIZE, &val), 0);
		ASSERT_EQ(val, i);
	}
	vmsim_cpu_attach(m, 0);
	ASSERT(lru_is_valid(m));
	ASSERT(rmap_is_valid(m));
	free(v);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	swap_all_free(m);
	test_shutdown(m);
	return before;
}

TEST(reclaim_clockpro_keeps_part_of_a_loop_larger_than_memory)
{
	uint64_t promoted, none;
	unsigned long lru = loop_majors("ram=16M swap=64M page_cluster=0 reclaim=lru", &none);
	unsigned long cp = loop_majors("ram=16M swap=64M page_cluster=0 reclaim=clockpro",
				       &promoted);

	/* LRU: every page of every pass was evicted before its reuse */
	ASSERT_EQ(lru, PASSES * LOOP_PAGES);
	ASSERT_EQ(none, 0);
	/* CLOCK-Pro: a resident hot part; at most 3/4 of LRU's misses */
	ASSERT_MSG(cp * 4 <= lru * 3, "clockpro %lu major faults, lru %lu", cp, lru);
	ASSERT_CMP(promoted, >, 0);
}

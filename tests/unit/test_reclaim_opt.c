/*
 * OPT (mm/reclaim_opt.c): told the future through vmsim_access_run_future,
 * it evicts the pages whose next use is farthest, on a crafted sequence
 * whose answer is known; LRU and FIFO, on the same accesses, do not.
 */
#include "swaptest.h"
#include "kern/reclaim_policy.h"
#include "kern/rmap.h"

#define FIRST	1000UL		/* the pages whose eviction order is checked */
#define AREA	5000UL

/* One 8-byte store to each page [@from, @from + @n) of @a, page i's next use @when(i). */
static void store_pages(struct machine *m, int pid, unsigned long a, unsigned long from,
			unsigned long n, uint64_t base, bool down)
{
	struct vmsim_access v[64];
	uint64_t fut[64];

	for (unsigned long k = 0; k < n; k += 64) {
		unsigned long c = n - k < 64 ? n - k : 64;

		for (unsigned long i = 0; i < c; i++) {
			unsigned long pg = from + k + i;

			v[i] = (struct vmsim_access){ .addr = a + pg * PAGE_SIZE, .value = pg + 1,
						      .size = 8, .kind = VMSIM_ACCESS_STORE };
			fut[i] = down ? base - pg : base + pg;
		}
		ASSERT_EQ(vmsim_access_run_future(m, pid, v, c, fut, NULL, NULL), (long)c);
	}
}

/*
 * Pages 0 .. FIRST-1 written in order, page i to be used next at
 * 10^9 + i (@down: 10^9 - i); then fresh pages, each to be used soon,
 * until reclaim took some of the first ones.  True if the evicted ones
 * are exactly the top [FIRST - e, FIRST) for some e > 0 (*@e).
 */
static bool evicts_top(const char *opts, bool down, unsigned long *e)
{
	struct machine *m = test_boot(opts);
	int pid = vmsim_spawn(m);
	long a = vmsim_mmap(m, pid, 0, AREA * PAGE_SIZE, RW, ANON, -1, 0);
	unsigned char *vec = malloc(FIRST);
	unsigned long first_out = FIRST, i, res = FIRST;
	bool suffix = true;

	ASSERT(a > 0 && vec);
	store_pages(m, pid, (unsigned long)a, 0, FIRST, 1000000000ULL, down);
	for (i = FIRST; res == FIRST && i < AREA; i += 16) {
		store_pages(m, pid, (unsigned long)a, i, 16, 1000, false);
		ASSERT_EQ(vmsim_mincore(m, pid, (unsigned long)a, FIRST * PAGE_SIZE, vec), 0);
		res = 0;
		for (unsigned long k = 0; k < FIRST; k++)
			res += vec[k] & 1;
	}
	while (first_out > 0 && !(vec[first_out - 1] & 1))
		first_out--;
	for (i = 0; i < first_out; i++)
		if (!(vec[i] & 1))
			suffix = false;
	*e = FIRST - first_out;
	vmsim_cpu_attach(m, 0);
	ASSERT(lru_is_valid(m));
	ASSERT(rmap_is_valid(m));
	for (i = 0; i < FIRST; i++) {
		uint64_t val;

		ASSERT_EQ(vmsim_load64(m, pid, (unsigned long)a + i * PAGE_SIZE, &val), 0);
		ASSERT_EQ(val, i + 1);
	}
	free(vec);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	swap_all_free(m);
	test_shutdown(m);
	return suffix && first_out < FIRST;
}

TEST(reclaim_opt_evicts_farthest_next_use)
{
	unsigned long e;

	/* next uses ascending with the page: the top pages go first */
	ASSERT(evicts_top("ram=16M swap=64M page_cluster=0 reclaim=opt", false, &e));
	ASSERT_CMP(e, >, 0);
	/* descending: page 0 is used last, so the bottom goes, never a top suffix */
	ASSERT(!evicts_top("ram=16M swap=64M page_cluster=0 reclaim=opt", true, &e));
	/* the contrasts: on the same accesses LRU and FIFO evict the oldest, page 0 first */
	ASSERT(!evicts_top("ram=16M swap=64M page_cluster=0 reclaim=lru", false, &e));
	ASSERT(!evicts_top("ram=16M swap=64M page_cluster=0 reclaim=fifo", false, &e));
}

/* vmsim_access_run_future: the future is required, the accesses are made, a dead pid is -ESRCH. */
TEST(reclaim_opt_future_api_checks)
{
	struct machine *m = test_boot("ram=16M reclaim=opt");
	int pid = vmsim_spawn(m);
	long a = vmsim_mmap(m, pid, 0, PAGE_SIZE, RW, ANON, -1, 0);
	struct vmsim_access v = { .addr = (unsigned long)a, .value = 7, .size = 8,
				  .kind = VMSIM_ACCESS_STORE };
	uint64_t fut = 5, val;

	ASSERT_EQ(vmsim_access_run_future(m, pid, &v, 1, NULL, NULL, NULL), -EINVAL);
	ASSERT_EQ(vmsim_access_run_future(m, pid, &v, 1, &fut, NULL, NULL), 1);
	ASSERT_EQ(vmsim_access_run_future(m, 999, &v, 1, &fut, NULL, NULL), -ESRCH);
	ASSERT_EQ(vmsim_load64(m, pid, (unsigned long)a, &val), 0);
	ASSERT_EQ(val, 7);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
}

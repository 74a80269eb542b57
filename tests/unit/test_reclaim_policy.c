/*
 * The reclaim-policy interface (kern/reclaim_policy.h): the registry and
 * the choice by name, each policy's defining behaviour on a crafted
 * sequence of accesses, and, under every registered policy, a swap-heavy
 * workload that gets its bytes back with exact accounting after exit.
 */
#include "swaptest.h"
#include "kern/reclaim_policy.h"
#include "kern/rmap.h"

TEST(reclaim_policy_registry_by_name)
{
	struct vmsim_config cfg;
	const char *name, *follows;
	char err[256];
	unsigned int n = 0;

	vmsim_config_default(&cfg);
	ASSERT_STREQ(vmsim_config_reclaim(&cfg), "2.4.10");
	while (!vmsim_reclaim_policy(n, &name, &follows)) {
		ASSERT(reclaim_policy_find(name) == reclaim_policy_nth(n));
		ASSERT_CMP(strlen(follows), >, 10);
		ASSERT_EQ(vmsim_config_set(&cfg, "reclaim", name, err, sizeof(err)), 0);
		ASSERT_STREQ(vmsim_config_reclaim(&cfg), name);
		ASSERT_EQ(vmsim_config_validate(&cfg, err, sizeof(err)), 0);
		n++;
	}
	ASSERT_CMP(n, >=, 3);
	ASSERT_STREQ(reclaim_policy_nth(0)->name, "2.4.10");
	ASSERT_EQ(vmsim_config_set(&cfg, "reclaim", "2.4.0", err, sizeof(err)), 0);
	ASSERT_EQ(cfg.reclaim, VMSIM_RECLAIM_24_0);
	ASSERT_EQ(vmsim_config_set(&cfg, "reclaim", "lru2", err, sizeof(err)), -1);
	ASSERT_STREQ(vmsim_config_reclaim(&cfg), "2.4.0");
}

/* Resident pages (mincore) among @n pages at @addr of @pid, into @vec. */
static unsigned long resident(struct machine *m, int pid, unsigned long addr, unsigned long n,
			      unsigned char *vec)
{
	unsigned long r = 0;

	ASSERT_EQ(vmsim_mincore(m, pid, addr, n * PAGE_SIZE, vec), 0);
	for (unsigned long i = 0; i < n; i++)
		r += vec[i] & 1;
	return r;
}

/*
 * The first thousand pages of an area written one by one (@write_down:
 * from 999 down to 0, else up), then pages [@hot_from, 1000) read again,
 * @rounds times (@read_down: from 999 down), then new pages written until
 * reclaim took some of the first thousand.  True if the evicted pages are
 * exactly [1000 - e, 1000) for some e > 0; *@out is e.
 */
struct crafted {
	bool write_down, read_down;
	unsigned long hot_from;
	int rounds;
};

static bool evicted_top_pages(const char *opts, const struct crafted *c, unsigned long *out)
{
	struct machine *m = test_boot(opts);
	int pid = vmsim_spawn(m);
	long a = vmsim_mmap(m, pid, 0, 5000 * PAGE_SIZE, RW, ANON, -1, 0);
	unsigned char *vec = malloc(1000);
	uint8_t *buf = malloc(PAGE_SIZE);
	unsigned long i, first_out = 1000;
	bool suffix = true;

	ASSERT(a > 0 && vec && buf);
	for (unsigned long k = 0; k < 1000; k++) {
		i = c->write_down ? 999 - k : k;
		pattern_fill(buf, 5, i, 1);
		ASSERT_EQ(vmsim_write(m, pid, (unsigned long)a + i * PAGE_SIZE, buf, PAGE_SIZE), 0);
	}
	for (int round = 0; round < c->rounds; round++)
		for (unsigned long k = c->hot_from; k < 1000; k++) {
			i = c->read_down ? 999 - (k - c->hot_from) : k;
			ASSERT_EQ(vmsim_read(m, pid, (unsigned long)a + i * PAGE_SIZE, buf, 1), 0);
		}
	for (i = 1000; resident(m, pid, (unsigned long)a, 1000, vec) == 1000 && i < 5000; i += 16)
		pattern_write(m, pid, (unsigned long)a + i * PAGE_SIZE, 16, 6);
	while (first_out > 0 && !(vec[first_out - 1] & 1))
		first_out--;
	for (i = 0; i < first_out; i++)
		if (!(vec[i] & 1))
			suffix = false;		/* evicted below a resident page */
	*out = 1000 - first_out;
	ASSERT_EQ(pattern_check(m, pid, (unsigned long)a, 1000, 5), 0);
	free(vec);
	free(buf);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	swap_all_free(m);
	test_shutdown(m);
	return suffix && first_out < 1000;
}

/*
 * Arrival from 999 down to 0 (the reverse of the address order 2.4's
 * page-table scan follows), the oldest arrivals 500..999 then read again
 * and again: FIFO still evicts them first, from 999 down.
 */
TEST(reclaim_fifo_evicts_in_arrival_order)
{
	const struct crafted c = { .write_down = true, .hot_from = 500, .rounds = 4 };
	unsigned long e;

	ASSERT(evicted_top_pages("ram=16M swap=64M reclaim=fifo", &c, &e));
	ASSERT_CMP(e, >, 0);
	/* the contrasts: 2.4.10 goes by address and spares hot pages; LRU spares them */
	ASSERT(!evicted_top_pages("ram=16M swap=64M", &c, &e));
	ASSERT(!evicted_top_pages("ram=16M swap=64M reclaim=lru", &c, &e));
}

/*
 * Arrival from 0 up to 999, then every page read once from 999 down to 0:
 * the least recently accessed is 999, then 998 ...: exact LRU evicts from
 * the top, where FIFO (arrival) and 2.4.10 (address order) start at 0.
 */
TEST(reclaim_lru_evicts_least_recently_accessed)
{
	const struct crafted c = { .read_down = true, .hot_from = 0, .rounds = 1 };
	unsigned long e;

	ASSERT(evicted_top_pages("ram=16M swap=64M reclaim=lru", &c, &e));
	ASSERT_CMP(e, >, 0);
	ASSERT(!evicted_top_pages("ram=16M swap=64M reclaim=fifo", &c, &e));
	ASSERT(!evicted_top_pages("ram=16M swap=64M", &c, &e));
}

/*
 * Under every registered policy: two processes write more than RAM holds,
 * one forks a sharer, all read their bytes back; swap references exact,
 * and after exit every page, slab object and slot is back.
 */
static void swap_heavy(const char *opts, const char *name)
{
	struct machine *m = test_boot(opts);
	int pid[3];
	long a[2];

	for (int p = 0; p < 2; p++) {
		pid[p] = vmsim_spawn(m);
		a[p] = vmsim_mmap(m, pid[p], 0, 3000 * PAGE_SIZE, RW, ANON, -1, 0);
		ASSERT_CMP(a[p], >, 0);
		pattern_write(m, pid[p], (unsigned long)a[p], 3000, 20 + p);
	}
	pid[2] = vmsim_fork(m, pid[0]);
	ASSERT_CMP(pid[2], >, 0);
	ASSERT_MSG(sum_vm_event(m, PSWPOUT) > 0, "%s: nothing swapped out", name);
	for (int p = 0; p < 2; p++)
		ASSERT_MSG(pattern_check(m, pid[p], (unsigned long)a[p], 3000, 20 + p) == 0,
			   "%s: process %d lost bytes", name, p);
	ASSERT_EQ(pattern_check(m, pid[2], (unsigned long)a[0], 3000, 20), 0);
	swap_refs_exact(m, pid, 3);
	vmsim_cpu_attach(m, 0);
	ASSERT(lru_is_valid(m));
	ASSERT(rmap_is_valid(m));
	for (int p = 2; p >= 0; p--)
		ASSERT_EQ(vmsim_exit(m, pid[p]), 0);
	swap_all_free(m);
	test_shutdown(m);
}

TEST(reclaim_every_policy_swap_heavy_exact)
{
	const char *name, *follows;

	for (unsigned int n = 0; !vmsim_reclaim_policy(n, &name, &follows); n++) {
		char opts[512];

		snprintf(opts, sizeof(opts), "ram=16M swap=64M reclaim=%s", name);
		swap_heavy(opts, name);
	}
}

/*
 * The example plugin (examples/reclaim_random.c, built by make test as a
 * plugin author would, path in VMSIM_PLUGIN): loaded by name, listed after
 * the built-in policies, and a swap-heavy workload under it gets its bytes
 * back with exact accounting; a path that is no plugin is refused, saying why.
 */
TEST(reclaim_plugin_loads_and_reclaims)
{
	const char *path = getenv("VMSIM_PLUGIN"), *name, *follows;
	char value[300], opts[512], err[256];
	struct vmsim_config cfg;
	unsigned int n;

	if (!path)
		path = "build/asan/reclaim_random.so";
	snprintf(value, sizeof(value), "plugin:%s", path);
	vmsim_config_default(&cfg);
	ASSERT_MSG(vmsim_config_set(&cfg, "reclaim", value, err, sizeof(err)) == 0,
		   "%s (make test builds it)", err);
	ASSERT_STREQ(vmsim_config_reclaim(&cfg), value);
	for (n = 0; !vmsim_reclaim_policy(n, &name, &follows); n++)
		if (!strcmp(name, value))
			break;
	ASSERT_MSG(n >= 4 && !strncmp(follows, "random: RAND", 12), "listed as %u: %s", n,
		   follows);
	snprintf(opts, sizeof(opts), "ram=16M swap=64M reclaim=%s", value);
	swap_heavy(opts, value);
	ASSERT_EQ(vmsim_config_set(&cfg, "reclaim", "plugin:/nonexistent/x.so", err, sizeof(err)),
		  -1);
	ASSERT_STREQ(err, "reclaim=plugin:/nonexistent/x.so: cannot load it");
}

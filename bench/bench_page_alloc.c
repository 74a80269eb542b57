/*
 * Page allocator benchmarks: vmsim's buddy allocator (with its per-CPU
 * lists) against the allocator peers asked for page-sized, page-aligned
 * memory of the same size and alignment.
 */
#include <stdlib.h>
#include "bench.h"
#include "vmsim/vmsim.h"
#include "kern/mm.h"

static struct machine *bench_machine(void)
{
	struct vmsim_config cfg;
	struct machine *m;

	vmsim_config_default(&cfg);
	cfg.ram_bytes = 512ULL << 20;
	m = vmsim_machine_create(&cfg);
	if (!m)
		abort();
	vmsim_cpu_attach(m, 0);
	return m;
}

struct order_arg {
	unsigned int order;
};

static void vmsim_pair(void *arg, long iters)
{
	unsigned int order = ((struct order_arg *)arg)->order;

	for (long i = 0; i < iters; i++) {
		struct page *p = alloc_pages(GFP_KERNEL, order);

		bench_keep(p);
		__free_pages(p, order);
	}
}

static unsigned int peer_order;

static void peer_pair(void *arg, long iters)
{
	struct bench_peer *p = arg;
	size_t sz = 4096UL << peer_order;

	for (long i = 0; i < iters; i++) {
		void *x;

		if (p->memalign_fn(&x, sz, sz))
			abort();
		bench_keep(x);
		p->free_fn(x);
	}
}

static void pair_bench(const char *name, unsigned int order)
{
	struct machine *m = bench_machine();
	struct order_arg a = { order };
	double s = bench_measure(vmsim_pair, &a, 2000000 >> order);

	peer_order = order;
	bench_report_peers(name, s, peer_pair, 2000000 >> order);
	vmsim_machine_destroy(m);
}

BENCH(page_alloc_order0_pair)
{
	pair_bench("page_alloc order-0 alloc+free", 0);
}

BENCH(page_alloc_order3_pair)
{
	pair_bench("page_alloc order-3 alloc+free", 3);
}

#define CHURN_SLOTS 1024

struct churn {
	void *slot[CHURN_SLOTS];
	unsigned char order[CHURN_SLOTS];
};

/* Random-order churn: a slot table; each step frees or fills a random slot. */
static void vmsim_churn(void *arg, long iters)
{
	struct churn *c = arg;
	unsigned long long seed = 7;

	for (long i = 0; i < iters; i++) {
		unsigned long long r = bench_rand(&seed);
		int s = (int)(r % CHURN_SLOTS);

		if (c->slot[s]) {
			__free_pages(c->slot[s], c->order[s]);
			c->slot[s] = NULL;
		} else {
			c->order[s] = (unsigned char)((r >> 20) % 5);
			c->slot[s] = alloc_pages(GFP_KERNEL, c->order[s]);
		}
	}
	for (int s = 0; s < CHURN_SLOTS; s++)
		if (c->slot[s]) {
			__free_pages(c->slot[s], c->order[s]);
			c->slot[s] = NULL;
		}
}

static void peer_churn(void *arg, long iters)
{
	struct bench_peer *p = arg;
	static struct churn c;
	unsigned long long seed = 7;

	for (long i = 0; i < iters; i++) {
		unsigned long long r = bench_rand(&seed);
		int s = (int)(r % CHURN_SLOTS);

		if (c.slot[s]) {
			p->free_fn(c.slot[s]);
			c.slot[s] = NULL;
		} else {
			size_t sz = 4096UL << ((r >> 20) % 5);
			if (p->memalign_fn(&c.slot[s], sz, sz))
				abort();
		}
	}
	for (int s = 0; s < CHURN_SLOTS; s++)
		if (c.slot[s]) {
			p->free_fn(c.slot[s]);
			c.slot[s] = NULL;
		}
}

BENCH(page_alloc_random_churn)
{
	struct machine *m = bench_machine();
	static struct churn c;
	double s = bench_measure(vmsim_churn, &c, 1000000);

	bench_report_peers("page_alloc random-order churn", s, peer_churn, 1000000);
	vmsim_machine_destroy(m);
}

/*
 * Slab allocator benchmarks: kmem_cache_alloc/kmem_cache_free and kmalloc
 * against the allocator peers doing the same with malloc/free of the same
 * sizes, in the same patterns:
 *   - 64-byte alloc+free pairs;
 *   - batches of 1000 64-byte objects, freed in allocation order;
 *   - a random slot table of 128K slots (alloc into an empty slot, free a
 *     full one);
 *   - kmalloc over a size mix (mostly small, some up to 4 KiB), slot table;
 *   - two threads: a producer allocates, a consumer on the other CPU frees.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "bench.h"
#include "vmsim/vmsim.h"
#include "kern/slab.h"

static struct machine *bench_machine(int cpus)
{
	struct vmsim_config cfg;
	struct machine *m;

	vmsim_config_default(&cfg);
	cfg.ram_bytes = 512ULL << 20;
	cfg.cpus = cpus;
	m = vmsim_machine_create(&cfg);
	if (!m)
		abort();
	vmsim_cpu_attach(m, 0);
	return m;
}

static kmem_cache_t *bench_cache(void)
{
	kmem_cache_t *c = kmem_cache_create("bench_64", 64, 0, SLAB_HWCACHE_ALIGN, NULL, NULL);

	if (!c)
		abort();
	return c;
}

/* --- immediate pairs ---------------------------------------------------------- */

static void vmsim_pair(void *arg, long iters)
{
	kmem_cache_t *c = arg;

	for (long i = 0; i < iters; i++) {
		void *p = kmem_cache_alloc(c, GFP_KERNEL);

		bench_keep(p);
		kmem_cache_free(c, p);
	}
}

static void peer_pair(void *arg, long iters)
{
	struct bench_peer *p = arg;

	for (long i = 0; i < iters; i++) {
		void *x = p->malloc_fn(64);

		bench_keep(x);
		p->free_fn(x);
	}
}

BENCH(slab_alloc_free_pair)
{
	struct machine *m = bench_machine(1);
	kmem_cache_t *c = bench_cache();
	double s = bench_measure(vmsim_pair, c, 4000000);

	bench_report_peers("slab kmem_cache_alloc+free 64B pair", s, peer_pair, 4000000);
	kmem_cache_destroy(c);
	vmsim_machine_destroy(m);
}

/* --- batches of 1000, freed in order -------------------------------------------- */

#define BATCH 1000

static void vmsim_batch(void *arg, long iters)
{
	kmem_cache_t *c = arg;
	void *v[BATCH];

	for (long i = 0; i < iters; i += BATCH) {
		for (int k = 0; k < BATCH; k++)
			v[k] = kmem_cache_alloc(c, GFP_KERNEL);
		bench_keep(v[BATCH / 2]);
		for (int k = 0; k < BATCH; k++)
			kmem_cache_free(c, v[k]);
	}
}

static void peer_batch(void *arg, long iters)
{
	struct bench_peer *p = arg;
	void *v[BATCH];

	for (long i = 0; i < iters; i += BATCH) {
		for (int k = 0; k < BATCH; k++)
			v[k] = p->malloc_fn(64);
		bench_keep(v[BATCH / 2]);
		for (int k = 0; k < BATCH; k++)
			p->free_fn(v[k]);
	}
}

BENCH(slab_batch_1000)
{
	struct machine *m = bench_machine(1);
	kmem_cache_t *c = bench_cache();
	double s = bench_measure(vmsim_batch, c, 2000000);

	bench_report_peers("slab 64B batch of 1000 freed in order", s, peer_batch, 2000000);
	kmem_cache_destroy(c);
	vmsim_machine_destroy(m);
}

/* --- random slot table of 128K slots ------------------------------------------------ */

#define SLOTS (128 * 1024)

struct slots {
	kmem_cache_t *c;
	void *slot[SLOTS];
};

static void vmsim_slots(void *arg, long iters)
{
	struct slots *t = arg;
	unsigned long long seed = 11;

	for (long i = 0; i < iters; i++) {
		unsigned int s = (unsigned int)(bench_rand(&seed) % SLOTS);

		if (t->slot[s]) {
			kmem_cache_free(t->c, t->slot[s]);
			t->slot[s] = NULL;
		} else {
			t->slot[s] = kmem_cache_alloc(t->c, GFP_KERNEL);
		}
	}
	for (unsigned int s = 0; s < SLOTS; s++)
		if (t->slot[s]) {
			kmem_cache_free(t->c, t->slot[s]);
			t->slot[s] = NULL;
		}
}

static void peer_slots(void *arg, long iters)
{
	struct bench_peer *p = arg;
	static void *slot[SLOTS];
	unsigned long long seed = 11;

	for (long i = 0; i < iters; i++) {
		unsigned long long r = bench_rand(&seed);
		unsigned int s = (unsigned int)(r % SLOTS);

		if (slot[s]) {
			p->free_fn(slot[s]);
			slot[s] = NULL;
		} else {
			slot[s] = p->malloc_fn(64);
		}
	}
	for (unsigned int s = 0; s < SLOTS; s++)
		if (slot[s]) {
			p->free_fn(slot[s]);
			slot[s] = NULL;
		}
}

BENCH(slab_random_slots_128k)
{
	struct machine *m = bench_machine(1);
	struct slots *t = calloc(1, sizeof(*t));
	double s;

	if (!t)
		abort();
	t->c = bench_cache();
	s = bench_measure(vmsim_slots, t, 4000000);
	bench_report_peers("slab 64B random slot table 128K", s, peer_slots, 4000000);
	kmem_cache_destroy(t->c);
	free(t);
	vmsim_machine_destroy(m);
}

/* --- kmalloc over a size mix ---------------------------------------------------------- */

#define MIX_SLOTS 8192

/* Sizes: 3/4 up to 128 bytes, the rest up to 4 KiB (a kernel-like mix). */
static size_t mix_size(unsigned long long r)
{
	if ((r & 3) != 0)
		return 8 + (size_t)((r >> 8) % 121);
	return 129 + (size_t)((r >> 8) % 3968);
}

static void vmsim_kmalloc_mix(void *arg, long iters)
{
	void **slot = arg;
	unsigned long long seed = 13;

	for (long i = 0; i < iters; i++) {
		unsigned long long r = bench_rand(&seed);
		unsigned int s = (unsigned int)((r >> 32) % MIX_SLOTS);

		if (slot[s]) {
			kfree(slot[s]);
			slot[s] = NULL;
		} else {
			slot[s] = kmalloc(mix_size(r), GFP_KERNEL);
		}
	}
	for (unsigned int s = 0; s < MIX_SLOTS; s++)
		if (slot[s]) {
			kfree(slot[s]);
			slot[s] = NULL;
		}
}

static void peer_kmalloc_mix(void *arg, long iters)
{
	struct bench_peer *p = arg;
	static void *slot[MIX_SLOTS];
	unsigned long long seed = 13;

	for (long i = 0; i < iters; i++) {
		unsigned long long r = bench_rand(&seed);
		unsigned int s = (unsigned int)((r >> 32) % MIX_SLOTS);

		if (slot[s]) {
			p->free_fn(slot[s]);
			slot[s] = NULL;
		} else {
			slot[s] = p->malloc_fn(mix_size(r));
		}
	}
	for (unsigned int s = 0; s < MIX_SLOTS; s++)
		if (slot[s]) {
			p->free_fn(slot[s]);
			slot[s] = NULL;
		}
}

BENCH(slab_kmalloc_size_mix)
{
	struct machine *m = bench_machine(1);
	void **slot = calloc(MIX_SLOTS, sizeof(void *));
	double s;

	if (!slot)
		abort();
	s = bench_measure(vmsim_kmalloc_mix, slot, 4000000);
	bench_report_peers("slab kmalloc size mix 8B-4KiB", s, peer_kmalloc_mix, 4000000);
	free(slot);
	vmsim_machine_destroy(m);
}

/* --- producer / consumer on two CPUs ------------------------------------------------- */

#define RING 4096

/* Single-producer single-consumer ring; the same for vmsim and the peers. */
struct xfer {
	_Alignas(64) atomic_ulong head;		/* written by the producer */
	_Alignas(64) atomic_ulong tail;		/* written by the consumer */
	_Alignas(64) void *ring[RING];
	long iters;
	struct machine *m;
	kmem_cache_t *c;
	struct bench_peer *peer;
};

static void xfer_consume(struct xfer *x, void (*free_fn)(struct xfer *, void *))
{
	unsigned long t = 0;

	while (t < (unsigned long)x->iters) {
		unsigned long h = atomic_load_explicit(&x->head, memory_order_acquire);

		if (h == t) {
			__builtin_ia32_pause();
			continue;
		}
		for (; t < h; t++)
			free_fn(x, x->ring[t % RING]);
		atomic_store_explicit(&x->tail, t, memory_order_release);
	}
}

static void xfer_produce(struct xfer *x, void *(*alloc_fn)(struct xfer *))
{
	unsigned long h = 0, tail = 0;

	while (h < (unsigned long)x->iters) {
		if (h - tail == RING) {
			tail = atomic_load_explicit(&x->tail, memory_order_acquire);
			if (h - tail == RING) {
				__builtin_ia32_pause();
				continue;
			}
		}
		x->ring[h % RING] = alloc_fn(x);
		h++;
		if ((h & 15) == 0 || h == (unsigned long)x->iters)
			atomic_store_explicit(&x->head, h, memory_order_release);
	}
}

static void *vmsim_xalloc(struct xfer *x)
{
	return kmem_cache_alloc(x->c, GFP_KERNEL);
}

static void vmsim_xfree(struct xfer *x, void *p)
{
	kmem_cache_free(x->c, p);
}

static void *peer_xalloc(struct xfer *x)
{
	return x->peer->malloc_fn(64);
}

static void peer_xfree(struct xfer *x, void *p)
{
	x->peer->free_fn(p);
}

static void *vmsim_consumer(void *arg)
{
	struct xfer *x = arg;

	vmsim_cpu_attach(x->m, 1);
	xfer_consume(x, vmsim_xfree);
	vmsim_cpu_detach();
	return NULL;
}

static void *peer_consumer(void *arg)
{
	xfer_consume(arg, peer_xfree);
	return NULL;
}

static void run_xfer(struct xfer *x, long iters, bool vmsim)
{
	pthread_t t;

	x->iters = iters;
	atomic_store(&x->head, 0);
	atomic_store(&x->tail, 0);
	if (pthread_create(&t, NULL, vmsim ? vmsim_consumer : peer_consumer, x))
		abort();
	xfer_produce(x, vmsim ? vmsim_xalloc : peer_xalloc);
	pthread_join(t, NULL);
}

static struct xfer *xfer_state;

static void vmsim_xfer(void *arg, long iters)
{
	run_xfer(arg, iters, true);
}

static void peer_xfer(void *arg, long iters)
{
	xfer_state->peer = arg;
	run_xfer(xfer_state, iters, false);
}

BENCH(slab_cross_cpu_producer_consumer)
{
	struct machine *m = bench_machine(2);
	struct xfer *x = aligned_alloc(64, sizeof(*x));
	double s;

	if (!x)
		abort();
	x->m = m;
	x->c = bench_cache();
	s = bench_measure(vmsim_xfer, x, 2000000);
	xfer_state = x;
	bench_report_peers("slab 64B producer/consumer on 2 CPUs", s, peer_xfer, 2000000);
	kmem_cache_shrink_all(m);
	kmem_cache_destroy(x->c);
	free(x);
	vmsim_machine_destroy(m);
}

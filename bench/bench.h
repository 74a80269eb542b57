/*
 * vmsim's benchmark harness.  A benchmark is `BENCH(name) { ... }` in any
 * file under bench/; it measures vmsim doing something and the peers doing
 * the same in the same run, then calls bench_report() for each peer:
 * a table row on stdout and one JSON line in build/bench.jsonl:
 *   {"bench": ..., "subject_ns": ..., "peer": ..., "peer_ns": ..., "ratio": ...}
 * ratio = subject / peer (below 1.0: vmsim is faster).
 *
 * Peers: glibc (in process) and jemalloc, mimalloc, tcmalloc loaded with
 * dlopen(RTLD_LOCAL) from Debian's packages when installed, called through
 * their own entry points, so all four run side by side in one process.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stddef.h>
#include <stdbool.h>

struct bench_case {
	const char *name;
	void (*fn)(void);
	struct bench_case *next;
};
void bench_register(struct bench_case *bc);

#define BENCH(bname)							\
	static void bench_##bname(void);				\
	static struct bench_case bc_##bname = { #bname, bench_##bname, NULL }; \
	__attribute__((constructor)) static void breg_##bname(void)	\
	{ bench_register(&bc_##bname); }				\
	static void bench_##bname(void)

struct bench_peer {
	const char *name;
	bool available;
	void *(*malloc_fn)(size_t size);
	void (*free_fn)(void *p);
	int (*memalign_fn)(void **out, size_t align, size_t size);
};

/* The allocator peers; entries with !available are reported as missing. */
extern struct bench_peer bench_peers[];
extern int bench_npeers;

/*
 * bench_measure - nanoseconds per iteration of fn(arg, iters): a warm-up
 * run first, then the best of several timed runs (the VM's noise is
 * 10-25%; the minimum is the most repeatable figure).
 */
double bench_measure(void (*fn)(void *arg, long iters), void *arg, long iters);

void bench_report(const char *bench, double subject_ns, const char *peer, double peer_ns);
/* Report against every available allocator peer, each measured by @peer_fn. */
void bench_report_peers(const char *bench, double subject_ns,
			void (*peer_fn)(void *peer, long iters), long iters);

/* Small deterministic PRNG for workloads. */
static inline unsigned long long bench_rand(unsigned long long *s)
{
	unsigned long long z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Keep the compiler from dropping a computed value. */
#define bench_keep(x) __asm__ volatile("" : : "r"(x) : "memory")

#endif

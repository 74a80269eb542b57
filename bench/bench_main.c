/*
 * The benchmark runner: loads the allocator peers, runs the benchmarks
 * selected on the command line (all by default), prints the table and
 * writes the JSON lines.
 *   build/bench_runner [--json FILE] [name-substring ...]
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"

static struct bench_case *benches;
static FILE *json;

static int glibc_memalign(void **out, size_t align, size_t size)
{
	return posix_memalign(out, align, size);
}

struct bench_peer bench_peers[] = {
	{ "glibc", true, malloc, free, glibc_memalign },
	{ "jemalloc", false, NULL, NULL, NULL },
	{ "mimalloc", false, NULL, NULL, NULL },
	{ "tcmalloc", false, NULL, NULL, NULL },
};
int bench_npeers = 4;

struct peer_lib {
	const char *peer, *soname, *malloc_sym, *free_sym, *memalign_sym;
};

static const struct peer_lib peer_libs[] = {
	{ "jemalloc", "libjemalloc.so.2", "malloc", "free", "posix_memalign" },
	{ "mimalloc", "libmimalloc.so.2", "mi_malloc", "mi_free", "mi_posix_memalign" },
	{ "tcmalloc", "libtcmalloc_minimal.so.4", "tc_malloc", "tc_free", "tc_posix_memalign" },
};

static void load_peers(void)
{
	for (size_t i = 0; i < sizeof(peer_libs) / sizeof(peer_libs[0]); i++) {
		const struct peer_lib *l = &peer_libs[i];
		struct bench_peer *p = &bench_peers[i + 1];
		void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);

		if (!h) {
			printf("# peer %s missing: %s\n", p->name, dlerror());
			continue;
		}
		p->malloc_fn = (void *(*)(size_t))dlsym(h, l->malloc_sym);
		p->free_fn = (void (*)(void *))dlsym(h, l->free_sym);
		p->memalign_fn = (int (*)(void **, size_t, size_t))dlsym(h, l->memalign_sym);
		p->available = p->malloc_fn && p->free_fn && p->memalign_fn;
		if (!p->available)
			printf("# peer %s missing (symbols not found in %s)\n", p->name, l->soname);
	}
}

void bench_register(struct bench_case *bc)
{
	struct bench_case **p = &benches;

	while (*p)
		p = &(*p)->next;
	bc->next = NULL;
	*p = bc;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

double bench_measure(void (*fn)(void *arg, long iters), void *arg, long iters)
{
	double best = 1e300;

	fn(arg, iters / 4 + 1);		/* warm up: first-touch costs, caches */
	for (int r = 0; r < 5; r++) {
		double t0 = now_ns();

		fn(arg, iters);
		double t = (now_ns() - t0) / (double)iters;
		if (t < best)
			best = t;
	}
	return best;
}

void bench_report(const char *bench, double subject_ns, const char *peer, double peer_ns)
{
	double ratio = peer_ns > 0 ? subject_ns / peer_ns : 0;

	printf("%-34s %10.2f ns  %-12s %10.2f ns  ratio %6.3f\n", bench, subject_ns, peer,
	       peer_ns, ratio);
	if (json)
		fprintf(json, "{\"bench\": \"%s\", \"subject_ns\": %.3f, \"peer\": \"%s\", "
			"\"peer_ns\": %.3f, \"ratio\": %.4f}\n", bench, subject_ns, peer,
			peer_ns, ratio);
}

void bench_report_peers(const char *bench, double subject_ns,
			void (*peer_fn)(void *peer, long iters), long iters)
{
	for (int i = 0; i < bench_npeers; i++) {
		if (!bench_peers[i].available)
			continue;
		bench_report(bench, subject_ns, bench_peers[i].name,
			     bench_measure(peer_fn, &bench_peers[i], iters));
	}
}

int main(int argc, char **argv)
{
	int first = 1;

	/* jemalloc uses initial-exec TLS: give dlopen room for it (re-exec once). */
	if (!getenv("VMSIM_BENCH_REEXEC")) {
		setenv("VMSIM_BENCH_REEXEC", "1", 1);
		setenv("GLIBC_TUNABLES", "glibc.rtld.optional_static_tls=1048576", 1);
		execv("/proc/self/exe", argv);
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[1], "--json")) {
		json = fopen(argv[2], "w");
		if (!json) {
			perror(argv[2]);
			return 2;
		}
		first = 3;
	}
	load_peers();
	printf("%-34s %13s  %-12s %13s  %s\n", "# benchmark", "vmsim", "peer", "peer", "ratio");
	for (struct bench_case *b = benches; b; b = b->next) {
		bool sel = first >= argc;

		for (int i = first; i < argc; i++)
			if (strstr(b->name, argv[i]))
				sel = true;
		if (sel)
			b->fn();
	}
	if (json)
		fclose(json);
	return 0;
}

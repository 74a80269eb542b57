/*
 * Trace replay rate: a synthetic trace held in memory (no file, no
 * parsing) run through vmsim_access_run in batches of 4096 accesses, as
 * `vmsim trace` runs them, against the same loop of native loads and
 * stores over a host buffer of the same layout.  Reported per access:
 *   - "aligned 8-byte": loads and stores of aligned words, the TLB's
 *     fastest path, over 64 pages (the default TLB's reach);
 *   - "lackey mix": what valgrind lackey traces hold: 60% instruction
 *     fetches (sequential through 4 code pages, 1-8 bytes), 25% loads and
 *     10% stores of 1, 2, 4 or 8 bytes (a fifth unaligned), 5% modifies,
 *     over the same 64 data pages.
 * Every page is faulted in before the timed runs, so both sides measure
 * accesses that hit (vmsim: in its TLB; the host: in the CPU's).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench.h"
#include "vmsim/process.h"

#define DATA_PAGES	64
#define CODE_PAGES	4
#define NACC		(1L << 20)	/* accesses in the trace */
#define BATCH		4096
#define ROUNDS		5

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The trace, addressed in vmsim at @data/@code; the host uses the same offsets. */
static void make_trace(struct vmsim_access *v, bool mix, unsigned long data, unsigned long code)
{
	unsigned long long seed = 7;
	unsigned long pc = 0;

	for (long i = 0; i < NACC; i++) {
		unsigned long long r = bench_rand(&seed);
		unsigned long off = (unsigned long)(r >> 20) % (DATA_PAGES * 4096UL);
		unsigned int pick = (unsigned int)(r % 100);
		static const uint32_t sizes[] = { 1, 2, 4, 8 };

		if (!mix) {
			v[i].addr = data + (off & ~7UL);
			v[i].size = 8;
			v[i].kind = pick < 70 ? VMSIM_ACCESS_LOAD : VMSIM_ACCESS_STORE;
		} else if (pick < 60) {
			uint32_t len = 1 + (uint32_t)(r >> 8) % 8;

			if (pc + len > CODE_PAGES * 4096UL)
				pc = 0;
			v[i].addr = code + pc;
			v[i].size = len;
			v[i].kind = VMSIM_ACCESS_FETCH;
			pc += len;
		} else {
			uint32_t size = sizes[(r >> 12) & 3];

			off &= ~(unsigned long)(size - 1);
			if ((r >> 16) % 5 == 0 && off + size + 1 <= DATA_PAGES * 4096UL)
				off += 1;		/* unaligned */
			v[i].addr = data + off;
			v[i].size = size;
			v[i].kind = pick < 85 ? VMSIM_ACCESS_LOAD :
				    pick < 95 ? VMSIM_ACCESS_STORE : VMSIM_ACCESS_MODIFY;
		}
		v[i].value = r;
	}
}

/* A native load or store of 1, 2, 4 or 8 bytes: one instruction each. */
static inline uint64_t host_load(const unsigned char *p, uint32_t size)
{
	uint8_t b;
	uint16_t h;
	uint32_t w;
	uint64_t q;

	switch (size) {
	case 1: memcpy(&b, p, 1); return b;
	case 2: memcpy(&h, p, 2); return h;
	case 4: memcpy(&w, p, 4); return w;
	default: memcpy(&q, p, 8); return q;
	}
}

static inline void host_store(unsigned char *p, uint32_t size, uint64_t v)
{
	uint8_t b = (uint8_t)v;
	uint16_t h = (uint16_t)v;
	uint32_t w = (uint32_t)v;

	switch (size) {
	case 1: memcpy(p, &b, 1); break;
	case 2: memcpy(p, &h, 2); break;
	case 4: memcpy(p, &w, 4); break;
	default: memcpy(p, &v, 8);
	}
}

/* The same accesses natively: host address = buffer + (addr - base). */
static uint64_t native_run(const struct vmsim_access *v, long n, unsigned char *hdata,
			   unsigned char *hcode, unsigned long data, unsigned long code)
{
	uint64_t sum = 0;

	for (long i = 0; i < n; i++) {
		const struct vmsim_access *a = &v[i];
		unsigned char *p = hdata + (a->addr - data);

		switch (a->kind) {
		case VMSIM_ACCESS_FETCH:
			sum += *(volatile unsigned char *)(hcode + (a->addr - code));
			break;
		case VMSIM_ACCESS_LOAD:
			sum += host_load(p, a->size);
			break;
		case VMSIM_ACCESS_STORE:
			host_store(p, a->size, a->value);
			break;
		default:
			sum += host_load(p, a->size);
			host_store(p, a->size, a->value);
		}
	}
	bench_keep(hdata);
	return sum;
}

static void sim_run(vmsim_machine_t *m, int pid, const struct vmsim_access *v, long n)
{
	for (long i = 0; i < n; i += BATCH)
		if (vmsim_access_run(m, pid, v + i, n - i < BATCH ? (size_t)(n - i) : BATCH, NULL,
				     NULL) != (n - i < BATCH ? n - i : BATCH))
			abort();
}

BENCH(trace)
{
	struct vmsim_config cfg;
	vmsim_machine_t *m;
	struct vmsim_access *v = malloc(NACC * sizeof(*v));
	unsigned char *hdata = aligned_alloc(4096, DATA_PAGES * 4096);
	unsigned char *hcode = aligned_alloc(4096, CODE_PAGES * 4096);
	long data, code;
	int pid;

	if (!v || !hdata || !hcode)
		abort();
	memset(hdata, 1, DATA_PAGES * 4096);
	memset(hcode, 0x90, CODE_PAGES * 4096);
	vmsim_config_default(&cfg);
	m = vmsim_machine_create(&cfg);
	if (!m)
		abort();
	vmsim_cpu_attach(m, 0);
	pid = vmsim_spawn(m);
	data = vmsim_mmap(m, pid, 0, DATA_PAGES * 4096, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			  VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_POPULATE, -1, 0);
	code = vmsim_mmap(m, pid, 0, CODE_PAGES * 4096, VMSIM_PROT_READ | VMSIM_PROT_EXEC,
			  VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_POPULATE, -1, 0);
	if (pid <= 0 || data <= 0 || code <= 0)
		abort();
	for (int mix = 0; mix < 2; mix++) {
		double sbest = 1e300, nbest = 1e300;

		make_trace(v, mix, (unsigned long)data, (unsigned long)code);
		for (int r = 0; r < ROUNDS + 1; r++) {
			double t0 = now_ns(), t1;

			sim_run(m, pid, v, NACC);
			t1 = now_ns();
			if (r && t1 - t0 < sbest)
				sbest = t1 - t0;
			t0 = now_ns();
			bench_keep(native_run(v, NACC, hdata, hcode, (unsigned long)data,
					      (unsigned long)code));
			t1 = now_ns();
			if (r && t1 - t0 < nbest)
				nbest = t1 - t0;
		}
		bench_report(mix ? "trace replay, lackey mix, per access" :
				   "trace replay, aligned 8-byte, per access",
			     sbest / NACC, "native", nbest / NACC);
	}
	vmsim_exit(m, pid);
	vmsim_machine_destroy(m);
	free(v);
	free(hdata);
	free(hcode);
}

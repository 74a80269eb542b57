/*
 * vmsim's binary traces (tools/vmsim/trace_bin.c) against valgrind
 * lackey's text: the same synthetic lackey mix (60% instruction fetches
 * walking the code, 1-8 bytes, a jump now and then; 25% loads, 10% stores
 * and 5% modifies of 1-8 bytes, most near the data access before, some
 * anywhere in 64 stack and 256 heap pages) written to a file in both
 * forms, then, per access:
 *   - "read": the reader alone (trace_open, trace_next_batch to the end),
 *     as `vmsim trace` reads;
 *   - "replay": the whole `vmsim trace` replay (trace_run, map auto, on a
 *     fresh process each round), reading and simulating.
 * The goal (issue 14): a binary trace replays at 5x the speed of lackey
 * text or more.  Both sides are timed in the thread's CPU time (best of
 * ROUNDS), as bench_mrc.c, so the other engineers' load is not measured.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"
#include "vmsim/vmsim.h"
#include "../tools/vmsim/tool.h"
#include "../tools/vmsim/trace_bin.h"

#define NACC		(1L << 20)
#define ROUNDS		3
#define CODE		0x401000UL
#define STACK		0x1ffefc0000UL
#define HEAP		0x4a20000UL

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The k-th access of the mix (@pc, @data: where fetches and data accesses are). */
static void next_access(unsigned long long *seed, unsigned long *pc, unsigned long *data,
			struct vmsim_access *a)
{
	unsigned long long r = bench_rand(seed);
	unsigned int pick = (unsigned int)(r % 100);
	static const uint32_t sizes[] = { 1, 2, 4, 8 };

	if (pick < 60) {
		if ((r >> 8) % 16 == 0)		/* a jump or call */
			*pc = CODE + (r >> 12) % (16 * 4096UL);
		a->kind = VMSIM_ACCESS_FETCH;
		a->addr = *pc;
		a->size = 1 + (uint32_t)(r >> 20) % 8;
		*pc += a->size;
		return;
	}
	a->size = sizes[(r >> 8) & 3];
	if ((r >> 10) % 10 < 7)			/* near the last one */
		*data += (unsigned long)((r >> 12) % 64) - 32;
	else if ((r >> 10) % 10 < 9)
		*data = STACK + (r >> 20) % (64 * 4096UL);
	else
		*data = HEAP + (r >> 20) % (256 * 4096UL);
	a->addr = *data & ~(unsigned long)(a->size - 1);
	a->kind = pick < 85 ? VMSIM_ACCESS_LOAD : pick < 95 ? VMSIM_ACCESS_STORE :
		  VMSIM_ACCESS_MODIFY;
}

/* The mix as lackey text at @text and as a binary trace at @bin; their sizes. */
static void make_traces(const char *text, const char *bin, long *tsize, long *bsize)
{
	FILE *f = fopen(text, "w");
	int fd = open(bin, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	unsigned long long seed = 3;
	unsigned long pc = CODE, data = STACK;
	struct vmt_writer w;
	char err[256], line[VMT_LINE_MAX];

	if (!f || fd < 0 || vmt_writer_init(&w, fd, bin, VMSIM_TRACE_LACKEY, err, sizeof(err)))
		abort();
	fputs("==1== Lackey, an example Valgrind tool\n==1== Command: ./bench\n==1== \n", f);
	for (const char *l = "==1== Lackey, an example Valgrind tool\0==1== Command: ./bench\0"
			     "==1== \0"; *l; l += strlen(l) + 1)
		if (vmt_write_text(&w, VMT_SPECIAL_TEXT, l, strlen(l)))
			abort();
	for (long i = 0; i < NACC; i++) {
		struct vmsim_access a;

		next_access(&seed, &pc, &data, &a);
		fwrite(line, 1, vmt_render_line(line, VMSIM_TRACE_LACKEY, &a, 0), f);
		fputc('\n', f);
		if (vmt_write_access(&w, &a))
			abort();
	}
	*tsize = ftell(f);
	if (fclose(f) || vmt_writer_finish(&w))
		abort();
	*bsize = (long)w.bytes;
	close(fd);
}

/* CPU ns per access of reading @path to its end (the best of ROUNDS). */
static double time_read(const char *path)
{
	double best = 1e300;

	for (int k = 0; k <= ROUNDS; k++) {
		static struct vmsim_access v[TRACE_BATCH];
		static unsigned long lines[TRACE_BATCH];
		struct trace_reader r;
		char err[256];
		size_t got;
		long n = 0;
		double t0 = cpu_ns(), t;

		if (trace_open(&r, path, VMSIM_TRACE_AUTO, false, err, sizeof(err)))
			abort();
		while (trace_next_batch(&r, v, lines, TRACE_BATCH, &got) > 0 || got)
			n += (long)got;
		trace_close(&r);
		t = (cpu_ns() - t0) / (double)n;
		if (n != NACC)
			abort();
		if (k && t < best)		/* the first round warms the page cache */
			best = t;
	}
	return best;
}

/* CPU ns per access of replaying @path on @m (a fresh process each round). */
static double time_replay(vmsim_machine_t *m, const char *path)
{
	double best = 1e300;

	for (int k = 0; k <= ROUNDS; k++) {
		struct trace_summary sum;
		char err[256];
		int pid = vmsim_spawn(m);
		double t0 = cpu_ns(), t;

		if (pid <= 0 || trace_run(m, pid, path, VMSIM_TRACE_AUTO, true, &sum, err,
					  sizeof(err)) || sum.accesses != NACC) {
			fprintf(stderr, "bench trace_bin: %s\n", err);
			abort();
		}
		t = (cpu_ns() - t0) / (double)NACC;
		vmsim_exit(m, pid);
		if (k && t < best)
			best = t;
	}
	return best;
}

BENCH(trace_binary)
{
	const char *t = getenv("TMPDIR");
	char text[256], bin[256];
	struct vmsim_config cfg;
	vmsim_machine_t *m;
	long tsize, bsize;
	double tread, bread, trep, brep;

	snprintf(text, sizeof(text), "%s/vmsim-bench-%d.lackey", t && *t ? t : "/tmp", getpid());
	snprintf(bin, sizeof(bin), "%s/vmsim-bench-%d.vmt", t && *t ? t : "/tmp", getpid());
	make_traces(text, bin, &tsize, &bsize);
	trace_progress_mode = TRACE_PROGRESS_NEVER;
	tread = time_read(text);
	bread = time_read(bin);
	vmsim_config_default(&cfg);
	m = vmsim_machine_create(&cfg);
	if (!m)
		abort();
	vmsim_cpu_attach(m, 0);
	trep = time_replay(m, text);
	brep = time_replay(m, bin);
	vmsim_machine_destroy(m);
	unlink(text);
	unlink(bin);
	bench_report("trace read, binary, per access", bread, "lackey-text", tread);
	bench_report("trace replay, binary, per access", brep, "lackey-text", trep);
	printf("# binary trace: read %.1fx, whole replay %.1fx the speed of lackey text "
	       "(goal 5x); %.2f bytes an access (text %.2f)\n", tread / bread, trep / brep,
	       (double)bsize / NACC, (double)tsize / NACC);
}

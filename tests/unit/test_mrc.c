/*
 * vmsim mrc (tools/vmsim/mrc.c, mrc_sim.c, trace_read.c, linked in): the
 * misses libCacheSim gives on tests/data/python-pages.txt.gz reproduced
 * exactly; on that trace, a real lackey trace and synthetic ones, the
 * orders that must hold (OPT below every policy, LRU and OPT never rising
 * with the size, only compulsory misses once every page fits) and the
 * one-pass LRU curve equal to a direct LRU at every size; small traces
 * worked by hand; repeated requests; the command's pages of an address
 * trace, its size lists, CSV and JSON, its errors, and its threads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "../../tools/vmsim/mrc.h"
#include "../../tools/vmsim/mrc_sim.h"
#include "../../tools/vmsim/trace_read.h"

#define REF_TRACE	"tests/data/python-pages.txt.gz"

/* A trace file written by the test (text), removed by tmp_done. */
static void tmp_write(char *path, size_t n, const char *text)
{
	int fd;

	snprintf(path, n, "/tmp/vmsim-mrc-XXXXXX");
	fd = mkstemp(path);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(write(fd, text, strlen(text)), (long)strlen(text));
	close(fd);
}

/* Read @path as mrc does (format auto, pages allowed) into @s. */
static void load(struct mrc_stream *s, const char *path)
{
	struct trace_reader r;
	char err[512];
	uint64_t first, last;
	int ret;

	mrc_stream_init(s);
	ASSERT_MSG(!trace_open(&r, path, VMSIM_TRACE_AUTO, true, err, sizeof(err)), "%s", err);
	while ((ret = trace_next_pages(&r, &first, &last)) > 0)
		for (uint64_t pg = first; pg <= last; pg++)
			ASSERT_EQ(mrc_stream_add(s, pg), 0);
	ASSERT_MSG(ret == 0, "%s", err);
	trace_close(&r);
}

/*
 * The reference trace: read through zlib, or when this vmsim has no zlib,
 * unpacked by gzip(1) into a temporary file first.
 */
static void load_reference(struct mrc_stream *s)
{
	char tmp[64], cmd[160];

	if (trace_have_zlib()) {
		load(s, REF_TRACE);
		return;
	}
	tmp_write(tmp, sizeof(tmp), "");
	snprintf(cmd, sizeof(cmd), "gzip -dc %s > %s", REF_TRACE, tmp);
	ASSERT_MSG(system(cmd) == 0, "no zlib, and '%s' failed", cmd);
	load(s, tmp);
	unlink(tmp);
}

static const uint32_t ref_sizes[8] = { 32, 64, 96, 128, 192, 256, 384, 512 };

/* tests/data/README.md: libCacheSim's cachesim on the reference trace. */
static const int64_t ref_lru[8] = { 62011, 21653, 11208, 7193, 3607, 2157, 875, 544 };
static const int64_t ref_fifo[8] = { 92137, 32618, 16867, 10682, 5208, 3176, 1271, 621 };
static const int64_t ref_clock[8] = { 63621, 22528, 11664, 7361, 3742, 2222, 912, 549 };
static const int64_t ref_opt[8] = { 34014, 11718, 6089, 3882, 1909, 1125, 613, 544 };

TEST(mrc_reproduces_libcachesim)
{
	struct mrc_stream s;
	uint64_t *curve;
	uint32_t *next;

	load_reference(&s);
	ASSERT_EQ(s.nr_refs, 2000000);
	ASSERT_EQ(s.nr_pages, 544);
	curve = malloc((s.nr_pages + 1) * sizeof(*curve));
	next = mrc_next_use(s.ref, s.nr_refs, s.nr_pages);
	ASSERT(curve && next);
	ASSERT_EQ(mrc_lru_curve(s.ref, s.nr_refs, s.nr_pages, curve), 0);
	for (int i = 0; i < 8; i++) {
		uint32_t c = ref_sizes[i];

		ASSERT_EQ(curve[c], ref_lru[i]);
		ASSERT_EQ(mrc_lru(s.ref, s.nr_refs, s.nr_pages, c), ref_lru[i]);
		ASSERT_EQ(mrc_fifo(s.ref, s.nr_refs, s.nr_pages, c), ref_fifo[i]);
		ASSERT_EQ(mrc_clock(s.ref, s.nr_refs, s.nr_pages, c), ref_clock[i]);
		ASSERT_EQ(mrc_opt(s.ref, next, s.nr_refs, s.nr_pages, c), ref_opt[i]);
	}
	free(curve);
	free(next);
	mrc_stream_free(&s);
}

/*
 * The orders at each size of @sizes (ascending; NULL: every size from 1 to
 * nr_pages + 1): OPT <= LRU, FIFO, CLOCK; LRU and OPT never rise; from
 * nr_pages on, only the compulsory misses; the curve is a direct LRU.
 */
static void check_orders(const struct mrc_stream *s, const uint32_t *sizes, size_t nr)
{
	uint64_t *curve = malloc((s->nr_pages + 1) * sizeof(*curve));
	uint32_t *next = mrc_next_use(s->ref, s->nr_refs, s->nr_pages);
	int64_t prev_lru = (int64_t)s->nr_refs, prev_opt = (int64_t)s->nr_refs;

	ASSERT(curve && next);
	ASSERT_EQ(mrc_lru_curve(s->ref, s->nr_refs, s->nr_pages, curve), 0);
	ASSERT_EQ(curve[0], s->nr_refs);
	ASSERT_EQ(curve[s->nr_pages], s->nr_pages);
	if (!sizes)
		nr = s->nr_pages + 1;
	for (size_t i = 0; i < nr; i++) {
		uint32_t c = sizes ? sizes[i] : (uint32_t)i + 1;
		int64_t lru = mrc_lru(s->ref, s->nr_refs, s->nr_pages, c);
		int64_t opt = mrc_opt(s->ref, next, s->nr_refs, s->nr_pages, c);
		int64_t fifo = mrc_fifo(s->ref, s->nr_refs, s->nr_pages, c);
		int64_t clock = mrc_clock(s->ref, s->nr_refs, s->nr_pages, c);

		ASSERT_MSG(lru == (int64_t)curve[c < s->nr_pages ? c : s->nr_pages],
			   "size %u: direct LRU %lld, curve %llu", c, (long long)lru,
			   (unsigned long long)curve[c < s->nr_pages ? c : s->nr_pages]);
		ASSERT_MSG(opt <= lru && opt <= fifo && opt <= clock,
			   "size %u: opt %lld, lru %lld, fifo %lld, clock %lld", c, (long long)opt,
			   (long long)lru, (long long)fifo, (long long)clock);
		ASSERT_CMP(lru, <=, prev_lru);
		ASSERT_CMP(opt, <=, prev_opt);
		ASSERT_CMP(opt, >=, s->nr_pages);
		if (c >= s->nr_pages) {
			ASSERT_EQ(lru, s->nr_pages);
			ASSERT_EQ(opt, s->nr_pages);
			ASSERT_EQ(fifo, s->nr_pages);
			ASSERT_EQ(clock, s->nr_pages);
		}
		prev_lru = lru;
		prev_opt = opt;
	}
	free(curve);
	free(next);
}

TEST(mrc_orders_reference_trace)
{
	static const uint32_t sizes[] = { 1, 2, 3, 8, 31, 100, 200, 300, 400, 543, 544, 545, 4096 };
	struct mrc_stream s;

	load_reference(&s);
	check_orders(&s, sizes, sizeof(sizes) / sizeof(sizes[0]));
	mrc_stream_free(&s);
}

/* A real program's lackey trace (an address trace: repeats kept, crossings both pages). */
TEST(mrc_orders_lackey_trace)
{
	struct mrc_stream s;

	load(&s, "tests/scenarios/0400-trace-lackey.lackey");
	ASSERT_CMP(s.nr_pages, >, 4);
	check_orders(&s, NULL, 0);
	mrc_stream_free(&s);
}

/* Synthetic: uniform, a loop one page larger than some caches, a hot set with a cold tail. */
TEST(mrc_orders_synthetic_traces)
{
	unsigned long long seed = 12345;

	for (int kind = 0; kind < 3; kind++) {
		struct mrc_stream s;

		mrc_stream_init(&s);
		for (int i = 0; i < 20000; i++) {
			unsigned long long r;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			r = seed >> 33;
			ASSERT_EQ(mrc_stream_add(&s, kind == 0 ? r % 97 : kind == 1 ? (uint64_t)i % 41 :
						 r % 10 < 8 ? r % 13 : 1000 + r % 300), 0);
		}
		check_orders(&s, NULL, 0);
		mrc_stream_free(&s);
	}
}

/* By hand: 1 2 3 1 4 1 5 with 3 pages. */
TEST(mrc_small_trace_by_hand)
{
	static const uint64_t pages[] = { 1, 2, 3, 1, 4, 1, 5 };
	struct mrc_stream s;
	uint64_t curve[6];
	uint32_t *next;

	mrc_stream_init(&s);
	for (size_t i = 0; i < 7; i++)
		ASSERT_EQ(mrc_stream_add(&s, pages[i] << 40), 0);	/* big numbers: ids are dense */
	ASSERT_EQ(s.nr_pages, 5);
	next = mrc_next_use(s.ref, s.nr_refs, s.nr_pages);
	ASSERT_NOT_NULL(next);
	ASSERT_EQ(next[0], 3);
	ASSERT_EQ(next[3], 5);
	ASSERT_EQ(next[1], MRC_NEVER);
	/* FIFO: 4 evicts 1, then 1 evicts 2, 5 evicts 3 */
	ASSERT_EQ(mrc_fifo(s.ref, s.nr_refs, s.nr_pages, 3), 6);
	/* CLOCK: 1's bit saves it from 4 (2 goes), 5 takes 3's place */
	ASSERT_EQ(mrc_clock(s.ref, s.nr_refs, s.nr_pages, 3), 5);
	ASSERT_EQ(mrc_lru(s.ref, s.nr_refs, s.nr_pages, 3), 5);
	ASSERT_EQ(mrc_opt(s.ref, next, s.nr_refs, s.nr_pages, 3), 5);
	/* with 1 page every change of page misses; OPT with 2 keeps 1 throughout */
	ASSERT_EQ(mrc_opt(s.ref, next, s.nr_refs, s.nr_pages, 2), 5);
	ASSERT_EQ(mrc_lru_curve(s.ref, s.nr_refs, s.nr_pages, curve), 0);
	ASSERT_EQ(curve[1], 7);
	ASSERT_EQ(curve[2], 6);		/* 1 comes back at distance 3, then 2 */
	ASSERT_EQ(curve[3], 5);
	ASSERT_EQ(curve[5], 5);
	free(next);
	mrc_stream_free(&s);
}

/* Run `vmsim mrc ARGS` (words split at spaces): the exit status, output and messages. */
static int run_mrc(const char *args, char **out, char **err)
{
	char buf[512], *argv[32], *save = NULL;
	int argc = 0, status;
	size_t olen, elen;
	FILE *o = open_memstream(out, &olen), *e = open_memstream(err, &elen);

	ASSERT(o && e);
	snprintf(buf, sizeof(buf), "mrc %s", args);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 31; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	status = mrc_main(argc, argv, o, e);
	fclose(o);
	fclose(e);
	return status;
}

TEST(mrc_command_csv_of_an_address_trace)
{
	char path[64], args[256], *out, *err;

	/* a 4-byte read across pages 1 and 2; two reads of page 3 */
	tmp_write(path, sizeof(path), "R 0x1ffe 4\nW 0x3000\nR 0x3008 8\nX 0x1000 2\n");
	snprintf(args, sizeof(args), "--policy fifo,lru --pages 1:3:1 -q %s", path);
	ASSERT_EQ(run_mrc(args, &out, &err), 0);
	ASSERT_STREQ(err, "");
	ASSERT_STREQ(out, "policy,pages,requests,misses,miss_ratio\n"
		     "fifo,1,5,4,0.800000\nfifo,2,5,4,0.800000\nfifo,3,5,3,0.600000\n"
		     "lru,1,5,4,0.800000\nlru,2,5,4,0.800000\nlru,3,5,3,0.600000\n");
	free(out);
	free(err);
	/* sizes are vmsim numbers: hex, and 03 is three */
	snprintf(args, sizeof(args), "--policy lru --pages 0x1:03:0x1 -q %s", path);
	ASSERT_EQ(run_mrc(args, &out, &err), 0);
	ASSERT_STREQ(out, "policy,pages,requests,misses,miss_ratio\n"
		     "lru,1,5,4,0.800000\nlru,2,5,4,0.800000\nlru,3,5,3,0.600000\n");
	free(out);
	free(err);
	/* the repeat of page 3 dropped: 4 requests */
	snprintf(args, sizeof(args), "--policy lru --pages 3 --drop-repeats -q %s", path);
	ASSERT_EQ(run_mrc(args, &out, &err), 0);
	ASSERT_STREQ(out, "policy,pages,requests,misses,miss_ratio\nlru,3,4,3,0.750000\n");
	free(out);
	free(err);
	unlink(path);
}

TEST(mrc_command_sizes_json_and_all)
{
	char path[64], args[256], *out, *err;

	tmp_write(path, sizeof(path), "# pages\n7\n8\n7\n9\n7\n8\n");
	snprintf(args, sizeof(args), "--json -j 2 --policy opt,clock --pages 4,1:5:2,2:8*2 %s",
		 path);
	ASSERT_EQ(run_mrc(args, &out, &err), 0);
	ASSERT_CONTAINS(out, "\"schema\": \"vmsim-mrc/1\"");
	ASSERT_CONTAINS(out, "\"format\": \"pages\", \"requests\": 6, \"distinct_pages\": 3");
	/* sizes 1, 2, 3, 4, 5, 8 in order, opt's then clock's */
	ASSERT_CONTAINS(out, "{\"policy\": \"opt\", \"pages\": 1, \"requests\": 6, \"misses\": 6, "
			"\"miss_ratio\": 1.000000},\n    {\"policy\": \"opt\", \"pages\": 2, "
			"\"requests\": 6, \"misses\": 4,");
	ASSERT_CONTAINS(out, "{\"policy\": \"opt\", \"pages\": 5, \"requests\": 6, \"misses\": 3,");
	ASSERT_CONTAINS(out, "\"pages\": 8, \"requests\": 6, \"misses\": 3, \"miss_ratio\": "
			"0.500000},\n    {\"policy\": \"clock\", \"pages\": 1,");
	ASSERT_CONTAINS(out, "{\"policy\": \"clock\", \"pages\": 2, \"requests\": 6, \"misses\": 4,");
	ASSERT_CONTAINS(out, "\"misses\": 3, \"miss_ratio\": 0.500000}\n  ],\n  \"error\": null\n}\n");
	ASSERT_CONTAINS(err, "3 distinct pages");
	free(out);
	free(err);
	/* the whole curve, and the default sizes: powers of two below 3, and 3 */
	snprintf(args, sizeof(args), "-q --policy lru --pages all %s", path);
	ASSERT_EQ(run_mrc(args, &out, &err), 0);
	ASSERT_STREQ(out, "policy,pages,requests,misses,miss_ratio\nlru,1,6,6,1.000000\n"
		     "lru,2,6,4,0.666667\nlru,3,6,3,0.500000\n");
	free(out);
	free(err);
	snprintf(args, sizeof(args), "-q --policy fifo %s", path);
	ASSERT_EQ(run_mrc(args, &out, &err), 0);
	ASSERT_STREQ(out, "policy,pages,requests,misses,miss_ratio\nfifo,1,6,6,1.000000\n"
		     "fifo,2,6,5,0.833333\nfifo,3,6,3,0.500000\n");
	free(out);
	free(err);
	unlink(path);
}

/* Repeats: one entry marked MRC_REPEAT, requests all counted; CLOCK's bit set by them. */
TEST(mrc_repeats_set_clock_bits)
{
	char path[64], args[256], *out, *err;
	struct mrc_stream s;

	mrc_stream_init(&s);
	for (int i = 0; i < 6; i++)
		ASSERT_EQ(mrc_stream_add(&s, (uint64_t)"112341"[i]), 0);
	ASSERT_EQ(s.nr_refs, 5);
	ASSERT_EQ(s.nr_requests, 6);
	ASSERT_EQ(s.ref[0], 0 | MRC_REPEAT);
	ASSERT_EQ(s.ref[1], 1);
	ASSERT_EQ(s.ref[4], 0);
	mrc_stream_free(&s);

	/* 1 1 2 3 4 1 with 3 pages: 1's bit, set by its repeat, saves it from 4 */
	tmp_write(path, sizeof(path), "1\n1\n2\n3\n4\n1\n");
	snprintf(args, sizeof(args), "-q --policy clock,lru,fifo,opt --pages 3 %s", path);
	ASSERT_EQ(run_mrc(args, &out, &err), 0);
	ASSERT_STREQ(out, "policy,pages,requests,misses,miss_ratio\nclock,3,6,4,0.666667\n"
		     "lru,3,6,5,0.833333\nfifo,3,6,5,0.833333\nopt,3,6,4,0.666667\n");
	free(out);
	free(err);
	snprintf(args, sizeof(args), "-q --drop-repeats --policy clock,lru --pages 3 %s", path);
	ASSERT_EQ(run_mrc(args, &out, &err), 0);
	ASSERT_STREQ(out, "policy,pages,requests,misses,miss_ratio\nclock,3,5,5,1.000000\n"
		     "lru,3,5,5,1.000000\n");
	free(out);
	free(err);
	unlink(path);
}

/* The runs spread over threads (make tsan-test): the same table as on one thread. */
TEST(mrc_stress_jobs_on_threads)
{
	char path[64], args[256], *one, *many, *err;
	size_t cap = 20000 * 8, len = 0;
	char *text = malloc(cap);
	unsigned long long seed = 99;

	ASSERT_NOT_NULL(text);
	for (int i = 0; i < 20000; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		len += (size_t)snprintf(text + len, cap - len, "%llu\n", (seed >> 33) % 300);
	}
	tmp_write(path, sizeof(path), text);
	free(text);
	snprintf(args, sizeof(args), "-q -j 1 --pages 1:300:7 %s", path);
	ASSERT_EQ(run_mrc(args, &one, &err), 0);
	free(err);
	snprintf(args, sizeof(args), "-q -j 8 --pages 1:300:7 %s", path);
	ASSERT_EQ(run_mrc(args, &many, &err), 0);
	free(err);
	ASSERT_STREQ(many, one);
	ASSERT_CONTAINS(one, "clock,295,20000,");
	free(one);
	free(many);
	unlink(path);
}

static void mrc_fails(const char *args, const char *want)
{
	char *out, *err;

	ASSERT_EQ(run_mrc(args, &out, &err), 2);
	ASSERT_CONTAINS(err, want);
	ASSERT_STREQ(out, "");
	free(out);
	free(err);
}

TEST(mrc_command_errors)
{
	char path[64], args[256];

	mrc_fails("--pages all --policy lru,opt x", "--pages all is LRU's whole curve: give opt");
	mrc_fails("--pages 0 x", "bad --pages item '0'");
	mrc_fails("--pages 8:4:1 x", "bad --pages item '8:4:1'");
	mrc_fails("--pages 2:64*1 x", "bad --pages item '2:64*1'");
	mrc_fails("--pages 1:4000000000:1 x", "bad --pages item");
	mrc_fails("--policy lru,lfu x", "unknown policy 'lfu'");
	mrc_fails("--policy lru,lru x", "policy 'lru' given twice");
	mrc_fails("--format dinero x", "--format wants auto, lackey, din, plain or pages");
	mrc_fails("-j 0 x", "--jobs wants 1 .. 256");
	mrc_fails("-j -2 x", "--jobs wants 1 .. 256");
	mrc_fails("--pages 1:-4:1 x", "bad --pages item '1:-4:1'");
	mrc_fails("--pages 4:2K*1 x", "bad --pages item '4:2K*1'");
	mrc_fails("--ram 8M x", "--reclaim and --ram go together");
	mrc_fails("--reclaim lru x", "--reclaim and --ram go together");
	mrc_fails("-o swap=32M x", "--reclaim and --ram go together");
	mrc_fails("--reclaim lru --ram 16M -", "--reclaim and --ram go together");
	mrc_fails("", "no TRACE given");
	mrc_fails("a b", "one TRACE only");
	mrc_fails("/nonexistent/t", "/nonexistent/t: cannot open the trace");
	tmp_write(path, sizeof(path), "12\n13\nR 0x1000\n");
	snprintf(args, sizeof(args), "%s", path);
	mrc_fails(args, ":3: bad pages line 'R 0x1000' (expected one decimal page number)");
	snprintf(args, sizeof(args), "--format plain %s", path);
	mrc_fails(args, ":1: bad plain line '12'");
	unlink(path);
}

/* A gzip'd address trace reads as the plain one (zlib builds; gzip(1) makes the file). */
TEST(mrc_gzip_address_trace)
{
	char path[64], cmd[200], *out, *err, *out2, *err2;

	tmp_write(path, sizeof(path), " L 1ff8,16\nI  3000,4\n S 5000,8\n L 1000,8\n");
	snprintf(cmd, sizeof(cmd), "%s -q --pages 1:4:1", path);
	ASSERT_EQ(run_mrc(cmd, &out, &err), 0);
	ASSERT_CONTAINS(out, "lru,1,5,5,1.000000\n");
	snprintf(cmd, sizeof(cmd), "gzip -c %s > %s.gz", path, path);
	if (system(cmd) != 0) {
		unlink(path);
		return;		/* no gzip(1): nothing to read */
	}
	snprintf(cmd, sizeof(cmd), "%s.gz -q --pages 1:4:1", path);
	if (trace_have_zlib()) {
		ASSERT_EQ(run_mrc(cmd, &out2, &err2), 0);
		ASSERT_STREQ(out2, out);
	} else {
		ASSERT_EQ(run_mrc(cmd, &out2, &err2), 2);
		ASSERT_CONTAINS(err2, "this vmsim was built without zlib");
	}
	free(out);
	free(err);
	free(out2);
	free(err2);
	snprintf(cmd, sizeof(cmd), "%s.gz", path);
	unlink(cmd);
	unlink(path);
}

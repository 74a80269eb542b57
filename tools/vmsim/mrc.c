/*
 * vmsim mrc: miss-ratio curves of a trace (docs/mrc.md).  Reads any trace
 * vmsim replays, or a page-reference trace, into a stream of page ids
 * (trace_read.c, mrc_sim.c), then computes the reference policies' misses
 * at the chosen cache sizes: LRU's whole curve in one pass, OPT, FIFO and
 * CLOCK one run per size, the runs spread over threads.  Prints CSV (a
 * header row, a row per policy and size) or one JSON document.
 *
 * Its own flags (getopt_long), so main.c only dispatches here.  The kernel
 * policies replayed through the whole memory manager (--reclaim, --ram)
 * are a sweep of trace x reclaim x ram (sweep.c's sweep_mrc, through
 * mrc_kernel_runs), their rows after the reference policies' rows.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "mrc.h"
#include "mrc_sim.h"
#include "trace_read.h"
#include "tool.h"

#define MRC_SCHEMA	"vmsim-mrc/1"
#define MRC_MAX_SIZES	(1U << 20)	/* sizes in one --pages */
#define MRC_MAX_JOBS	256
#define MRC_MAX_OPTS	64		/* -o flags */

enum { POL_LRU, POL_OPT, POL_FIFO, POL_CLOCK, NR_POLICIES };

static const char *const policy_names[NR_POLICIES] = { "lru", "opt", "fifo", "clock" };

const char mrc_usage_text[] =
"usage: vmsim mrc [OPTIONS] TRACE\n"
"\n"
"Miss-ratio curves of TRACE at page granularity (4 KiB pages), from the\n"
"trace alone: LRU's whole curve in one pass (stack distances), and OPT\n"
"(Belady), FIFO and CLOCK at the chosen sizes.  A miss is a request of a\n"
"page not in the cache, compulsory ones included.  TRACE is any trace\n"
"`vmsim trace` replays (lackey, din, plain: an access references every\n"
"page it covers, consecutive repeats included) or a page-reference trace\n"
"(one decimal page number per line); gzip'd and zstd files are read as\n"
"they are; - reads standard input (a pipe, compressed or not).  docs/mrc.md has the details.\n"
"\n"
"Options:\n"
"  --policy LIST        policies, comma separated: lru, opt, fifo, clock\n"
"                       (default all four, in that order)\n"
"  --pages LIST         cache sizes in pages, comma separated; each item N,\n"
"                       FIRST:LAST:STEP (FIRST, FIRST+STEP, ... up to LAST)\n"
"                       or FIRST:LAST*FACTOR (FIRST, FIRST*FACTOR, ... up to\n"
"                       LAST); `all` (LRU alone): every size from 1 to the\n"
"                       number of distinct pages.  Default: powers of two\n"
"                       below the number of distinct pages, and that number\n"
"  --format FORMAT      auto (default: told from the first line), lackey,\n"
"                       din, plain or pages\n"
"  --drop-repeats       drop a page request that repeats the one just before\n"
"                       (as the page-reference trace in tests/data was made)\n"
"  -j, --jobs N         threads for the runs (default: the online CPUs)\n"
"  --json               one JSON document instead of CSV\n"
"  --progress WHEN      auto (on a terminal), always or never: one line on\n"
"                       standard error while the trace is read (as trace's)\n"
"  -q, --quiet          no timings on standard error\n"
"  -h, --help           this text\n"
"\n"
"The kernel's reclaim through the whole memory manager (as vmsim trace):\n"
"  --reclaim LIST       reclaim policies (vmsim help reclaim), comma separated\n"
"  --ram LIST           memory sizes: N, FIRST:LAST:STEP or FIRST:LAST*FACTOR,\n"
"                       K/M/G suffixes; every policy at every size is one run,\n"
"                       the runs a sweep on -j cores (vmsim sweep)\n"
"  -o KEY=VALUE         a machine option for every run (swap=256M ...)\n"
"  Their rows are kernel:POLICY with pages the machine's managed pages,\n"
"  requests the trace's accesses, misses its major faults, and two more\n"
"  columns, major_faults and swap_ins.  Without --policy, no reference rows.\n"
"\n"
"Output: CSV with the header policy,pages,requests,misses,miss_ratio and a\n"
"row per policy and size (policies in the order asked, sizes ascending;\n"
"the kernel's rows after them, policies in the order asked, sizes as given).\n"
"Exit status: 0 success, 2 a bad flag, an unreadable trace, a bad line\n"
"(FILE:LINE: message) or too little memory.\n";

struct mrc_opts {
	int policies[NR_POLICIES];	/* in the order asked */
	int nr_policies;
	uint32_t *sizes;		/* ascending, distinct; NULL: the default */
	size_t nr_sizes;
	bool all;			/* --pages all */
	int format;
	bool drop_repeats;
	bool json;
	bool quiet;
	int jobs;
	char error[512];		/* why the run failed: the --json "error" */
	bool policy_given;		/* --policy (with --reclaim: none without it) */
	const char *reclaim, *ram;	/* the kernel's runs */
	const char *opts[MRC_MAX_OPTS];	/* -o KEY=VALUE */
	int nr_opts;
	const char *format_name;	/* --format as given */
};

int (*mrc_kernel_runs)(const struct mrc_kernel_ask *a, struct mrc_kernel_row **rows,
		       size_t *nr, FILE *err);

/* One run: a policy at a size (LRU: the whole curve, once). */
struct mrc_job {
	int policy;
	uint32_t pages;
	int64_t misses;			/* or -ENOMEM */
	double seconds, cpu_seconds;	/* wall clock, and the thread's CPU time */
};

struct mrc_work {
	const struct mrc_stream *s;
	uint32_t *next;			/* next use, for OPT */
	uint64_t *curve;		/* LRU: misses at 0 .. nr_pages */
	struct mrc_job *jobs;
	size_t nr_jobs;
	size_t taken;			/* the next job to take (atomic) */
};

static double clock_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_seconds(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

/* --- flags ------------------------------------------------------------------------- */

static int parse_policies(struct mrc_opts *o, const char *list, FILE *err)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	o->nr_policies = 0;
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int p;

		for (p = 0; p < NR_POLICIES && strcmp(w, policy_names[p]); p++)
			;
		if (p == NR_POLICIES) {
			fprintf(err, "vmsim mrc: unknown policy '%s' (lru, opt, fifo, clock)\n", w);
			return -1;
		}
		for (int k = 0; k < o->nr_policies; k++)
			if (o->policies[k] == p) {
				fprintf(err, "vmsim mrc: policy '%s' given twice\n", w);
				return -1;
			}
		o->policies[o->nr_policies++] = p;
	}
	if (!o->nr_policies) {
		fprintf(err, "vmsim mrc: --policy wants a list of policies\n");
		return -1;
	}
	return 0;
}

/*
 * A size in pages, 1 .. MRC_MAX_REFS, up to a ':' or '*' (vmsim_parse_size's
 * numbers, as every flag: decimal, 0x-hex, K/M/G); the end, or NULL.
 */
static const char *parse_size(const char *s, uint32_t *out)
{
	size_t n = strcspn(s, ":*");
	char word[32];
	uint64_t v;

	if (!n || n >= sizeof(word))
		return NULL;
	memcpy(word, s, n);
	word[n] = 0;
	if (vmsim_parse_size(word, &v) || v == 0 || v > MRC_MAX_REFS)
		return NULL;
	*out = (uint32_t)v;
	return s + n;
}

static int add_size(struct mrc_opts *o, uint32_t v, size_t *cap)
{
	if (o->nr_sizes == MRC_MAX_SIZES)
		return -1;
	if (o->nr_sizes == *cap) {
		size_t ncap = *cap ? 2 * *cap : 64;
		uint32_t *n = realloc(o->sizes, ncap * sizeof(*n));

		if (!n)
			return -1;
		o->sizes = n;
		*cap = ncap;
	}
	o->sizes[o->nr_sizes++] = v;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* One item of --pages: N, FIRST:LAST:STEP or FIRST:LAST*FACTOR. */
static int parse_pages_item(struct mrc_opts *o, const char *w, size_t *cap)
{
	uint32_t first, last, step;
	const char *s = parse_size(w, &first);
	char kind;

	if (!s)
		return -1;
	if (!*s)
		return add_size(o, first, cap);
	if (*s != ':' || !(s = parse_size(s + 1, &last)) || (*s != ':' && *s != '*'))
		return -1;
	kind = *s;
	s = parse_size(s + 1, &step);
	if (!s || *s || last < first || (kind == '*' && step < 2))
		return -1;
	for (uint64_t v = first; v <= last; v = kind == ':' ? v + step : v * step)
		if (add_size(o, (uint32_t)v, cap))
			return -1;
	return 0;
}

static int parse_pages(struct mrc_opts *o, const char *list, FILE *err)
{
	char *buf = strdup(list), *save = NULL;
	size_t cap = 0, k = 0;

	free(o->sizes);
	o->sizes = NULL;
	o->nr_sizes = 0;
	o->all = !strcmp(list, "all");
	if (o->all || !buf) {
		free(buf);
		return buf ? 0 : -1;
	}
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save))
		if (parse_pages_item(o, w, &cap)) {
			fprintf(err, "vmsim mrc: bad --pages item '%s' (N, FIRST:LAST:STEP or "
				"FIRST:LAST*FACTOR, sizes 1 or more, at most %u sizes; or all)\n",
				w, MRC_MAX_SIZES);
			free(buf);
			return -1;
		}
	free(buf);
	if (!o->nr_sizes) {
		fprintf(err, "vmsim mrc: --pages wants a list of sizes\n");
		return -1;
	}
	qsort(o->sizes, o->nr_sizes, sizeof(*o->sizes), cmp_u32);
	for (size_t i = 0; i < o->nr_sizes; i++)
		if (!k || o->sizes[k - 1] != o->sizes[i])
			o->sizes[k++] = o->sizes[i];
	o->nr_sizes = k;
	return 0;
}

enum { OPT_POLICY = 256, OPT_PAGES, OPT_FORMAT, OPT_DROP_REPEATS, OPT_JSON, OPT_PROGRESS,
       OPT_RECLAIM, OPT_RAM };

static const struct option mrc_longopts[] = {
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "pages", required_argument, NULL, OPT_PAGES },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "drop-repeats", no_argument, NULL, OPT_DROP_REPEATS },
	{ "jobs", required_argument, NULL, 'j' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "reclaim", required_argument, NULL, OPT_RECLAIM },
	{ "ram", required_argument, NULL, OPT_RAM },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* 0 parsed, 1 help printed, -1 a bad flag (message printed). */
static int parse_flag(struct mrc_opts *o, int c, const char *arg, FILE *err)
{
	uint64_t v;

	switch (c) {
	case OPT_POLICY:
		o->policy_given = true;
		return parse_policies(o, arg, err);
	case OPT_RECLAIM:
		o->reclaim = arg;
		return 0;
	case OPT_RAM:
		o->ram = arg;
		return 0;
	case 'o':
		if (o->nr_opts == MRC_MAX_OPTS) {
			fprintf(err, "vmsim mrc: at most %d -o\n", MRC_MAX_OPTS);
			return -1;
		}
		o->opts[o->nr_opts++] = arg;
		return 0;
	case OPT_PAGES:
		return parse_pages(o, arg, err);
	case OPT_FORMAT:
		o->format = trace_format_parse(arg, true);
		o->format_name = arg;
		if (o->format < 0) {
			fprintf(err, "vmsim mrc: --format wants auto, lackey, din, plain or pages, "
				"got '%s'\n", arg);
			return -1;
		}
		return 0;
	case OPT_DROP_REPEATS:
		o->drop_repeats = true;
		return 0;
	case 'j':
		if (vmsim_parse_size(arg, &v) || v < 1 || v > MRC_MAX_JOBS) {
			fprintf(err, "vmsim mrc: --jobs wants 1 .. %d, got '%s'\n", MRC_MAX_JOBS, arg);
			return -1;
		}
		o->jobs = (int)v;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_PROGRESS:
		if (trace_progress_parse(arg)) {
			fprintf(err, "vmsim mrc: --progress wants auto, always or never, got '%s'\n",
				arg);
			return -1;
		}
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	default:
		return -1;
	}
}

/* The flags and TRACE: 0, 1 (help printed: exit 0), or -1 (message printed). */
static int parse_args(struct mrc_opts *o, int argc, char **argv, const char **path,
		      FILE *out, FILE *err)
{
	int c;

	for (int p = 0; p < NR_POLICIES; p++)
		o->policies[p] = p;
	o->nr_policies = NR_POLICIES;
	o->format = VMSIM_TRACE_AUTO;
	optind = 0;			/* GNU: start afresh (the tests parse many times) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "j:o:qh", mrc_longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(mrc_usage_text, out);
			return 1;
		}
		if (c == '?' || c == ':') {
			if (optopt && optopt < 256)
				fprintf(err, "vmsim mrc: bad option '-%c' (or its value missing)\n",
					optopt);
			else
				fprintf(err, "vmsim mrc: bad option '%s' (or its value missing)\n",
					argv[optind - 1]);
			return -1;
		}
		if (parse_flag(o, c, optarg, err))
			return -1;
	}
	if (optind + 1 != argc) {
		fprintf(err, "vmsim mrc: %s (see vmsim mrc --help)\n",
			optind == argc ? "no TRACE given" : "one TRACE only");
		return -1;
	}
	*path = argv[optind];
	if (!o->reclaim != !o->ram || (o->reclaim && (!strcmp(*path, "-") ||
	    o->format == TRACE_PAGES)) || (o->nr_opts && !o->reclaim)) {
		fprintf(err, "vmsim mrc: --reclaim and --ram go together, with -o, and replay a "
			"trace file vmsim trace reads (not - nor pages)\n");
		return -1;
	}
	if (o->reclaim && !o->policy_given)
		o->nr_policies = 0;	/* the kernel's curves alone */
	if (o->all) {
		for (int k = 0; k < o->nr_policies; k++)
			if (o->policies[k] != POL_LRU) {
				fprintf(err, "vmsim mrc: --pages all is LRU's whole curve: give %s "
					"a list of sizes (or --policy lru)\n",
					policy_names[o->policies[k]]);
				return -1;
			}
	}
	return 0;
}

/* --- reading and running ---------------------------------------------------------- */

/* The trace as a stream of page ids: 0, or -1 with the message printed. */
static int load_stream(struct mrc_stream *s, const char *path, struct mrc_opts *o, FILE *err,
		       int *format)
{
	struct trace_reader r;
	char msg[512];
	uint64_t first, last, records = 0;
	int ret;

	if (trace_open(&r, path, o->format, true, msg, sizeof(msg))) {
		fprintf(err, "%s\n", msg);
		snprintf(o->error, sizeof(o->error), "%s", msg);
		return -1;
	}
	s->drop_repeats = o->drop_repeats;
	while ((ret = trace_next_pages(&r, &first, &last)) > 0) {
		if (!(++records & 4095))
			trace_progress(&r, records, false);
		for (uint64_t pg = first; ; pg++) {
			int e = mrc_stream_add(s, pg);

			if (e) {
				trace_error(&r, "%s", e == -E2BIG ? "too many pages or page requests "
					    "(at most 2^31 pages, 2^32 - 2 runs of one page)" :
					    "out of memory");
				ret = -1;
				goto out;
			}
			if (pg == last)
				break;
		}
	}
	trace_progress(&r, records, true);
out:
	if (ret < 0) {
		fprintf(err, "%s\n", msg);
		snprintf(o->error, sizeof(o->error), "%s", msg);
	}
	*format = r.format;
	trace_close(&r);
	return ret < 0 ? -1 : 0;
}

static void run_job(struct mrc_work *w, struct mrc_job *j)
{
	const struct mrc_stream *s = w->s;
	double t0 = now_seconds(), c0 = clock_seconds(CLOCK_THREAD_CPUTIME_ID);

	switch (j->policy) {
	case POL_LRU:
		j->misses = mrc_lru_curve(s->ref, s->nr_refs, s->nr_pages, w->curve);
		break;
	case POL_OPT:
		j->misses = mrc_opt(s->ref, w->next, s->nr_refs, s->nr_pages, j->pages);
		break;
	case POL_FIFO:
		j->misses = mrc_fifo(s->ref, s->nr_refs, s->nr_pages, j->pages);
		break;
	default:
		j->misses = mrc_clock(s->ref, s->nr_refs, s->nr_pages, j->pages);
		break;
	}
	j->seconds = now_seconds() - t0;
	j->cpu_seconds = clock_seconds(CLOCK_THREAD_CPUTIME_ID) - c0;
}

static void *worker(void *arg)
{
	struct mrc_work *w = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&w->taken, 1, __ATOMIC_RELAXED)) < w->nr_jobs)
		run_job(w, &w->jobs[i]);
	return NULL;
}

/* Every job, on up to @threads threads (the calling one among them). */
static void run_jobs(struct mrc_work *w, int threads)
{
	pthread_t tid[MRC_MAX_JOBS];
	int started = 0;

	if ((size_t)threads > w->nr_jobs)
		threads = (int)w->nr_jobs;
	for (int t = 1; t < threads; t++)
		if (!pthread_create(&tid[started], NULL, worker, w))
			started++;
	worker(w);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}

/* The sizes asked, or the default: powers of two below the distinct pages, and it. */
static int default_sizes(struct mrc_opts *o, uint32_t nr_pages)
{
	size_t cap = 0;

	for (uint64_t v = 1; v < nr_pages; v *= 2)
		if (add_size(o, (uint32_t)v, &cap))
			return -1;
	return add_size(o, nr_pages ? nr_pages : 1, &cap);
}

/* --- output ------------------------------------------------------------------------ */

/* @s as a JSON string, as sb_json_string writes one (docs/json.md) */
static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int n = *p >= 0x80 ? utf8_len(p) : 0;

		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (n > 0)
			p += fwrite(p, 1, (size_t)n, out) - 1;
		else if (n < 0 && fputs("\\ufffd", out) >= 0)	/* ill-formed: one U+FFFD */
			p += -n - 1;
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* A row; @k: a kernel policy's run (its columns), NULL a reference policy's. */
static void print_row(FILE *out, const struct mrc_opts *o, bool first, const char *policy,
		      uint64_t pages, uint64_t requests, uint64_t misses,
		      const struct mrc_kernel_row *k)
{
	double ratio = requests ? (double)misses / (double)requests : 0.0;

	if (!o->json) {
		fprintf(out, "%s,%llu,%llu,%llu,%.6f", policy, (unsigned long long)pages,
			(unsigned long long)requests, (unsigned long long)misses, ratio);
		if (k)
			fprintf(out, ",%llu,%llu", (unsigned long long)k->major_faults,
				(unsigned long long)k->swap_ins);
		else if (o->reclaim)
			fputs(",,", out);
		fputc('\n', out);
		return;
	}
	fprintf(out, "%s\n    {\"policy\": ", first ? "" : ",");
	json_string(out, policy);
	fprintf(out, ", \"pages\": %llu, \"requests\": %llu, \"misses\": %llu, "
		"\"miss_ratio\": %.6f", (unsigned long long)pages, (unsigned long long)requests,
		(unsigned long long)misses, ratio);
	if (k)
		fprintf(out, ", \"major_faults\": %llu, \"swap_ins\": %llu",
			(unsigned long long)k->major_faults, (unsigned long long)k->swap_ins);
	fputc('}', out);
}

static void print_table(FILE *out, const struct mrc_opts *o, const struct mrc_work *w,
			const char *name, int format, const struct mrc_kernel_row *krows,
			size_t nr_krows)
{
	const struct mrc_stream *s = w->s;
	size_t j = 0;
	bool first = true;

	if (o->json) {
		fprintf(out, "{\n  \"schema\": \"%s\",\n  \"vmsim_version\": \"%s\",\n"
			"  \"trace\": {\"file\": ", MRC_SCHEMA, VMSIM_VERSION);
		json_string(out, name);
		fprintf(out, ", \"format\": \"%s\", \"requests\": %llu, \"distinct_pages\": %u, "
			"\"page_size_bytes\": %lu, \"repeats\": \"%s\"},\n"
			"  \"units\": {\"pages\": \"cache size in pages\", \"requests\": "
			"\"page requests\", \"misses\": \"page requests that missed, compulsory "
			"ones included\", \"miss_ratio\": \"misses / requests\"%s},\n  \"rows\": [",
			trace_format_name(format), (unsigned long long)s->nr_requests, s->nr_pages,
			1UL << TRACE_PAGE_SHIFT, o->drop_repeats ? "dropped" : "kept",
			o->reclaim ? ", \"kernel rows\": \"pages: the machine's managed pages; "
			"requests: the trace's accesses; misses: major faults\", \"major_faults\": "
			"\"page faults that waited for I/O\", \"swap_ins\": \"pages read from "
			"swap\"" : "");
	} else {
		fprintf(out, "policy,pages,requests,misses,miss_ratio%s\n",
			o->reclaim ? ",major_faults,swap_ins" : "");
	}
	for (int k = 0; k < o->nr_policies; k++) {
		int p = o->policies[k];

		if (p == POL_LRU && o->all) {
			for (uint32_t c = 1; c <= s->nr_pages; c++, first = false)
				print_row(out, o, first, policy_names[p], c, s->nr_requests,
					  w->curve[c], NULL);
			j++;
			continue;
		}
		for (size_t i = 0; i < o->nr_sizes; i++, first = false) {
			uint32_t c = o->sizes[i];
			uint64_t m = p == POL_LRU ? w->curve[c < s->nr_pages ? c : s->nr_pages] :
				     (uint64_t)w->jobs[j++].misses;

			print_row(out, o, first, policy_names[p], c, s->nr_requests, m, NULL);
		}
		if (p == POL_LRU)
			j++;
	}
	for (size_t i = 0; i < nr_krows; i++, first = false) {
		const struct mrc_kernel_row *k = &krows[i];
		char policy[80];

		snprintf(policy, sizeof(policy), "kernel:%s", k->policy);
		print_row(out, o, first, policy, k->pages, k->requests, k->major_faults, k);
	}
	if (o->json)
		fputs("\n  ],\n  \"error\": null\n}\n", out);
}

/* The --json document of a run that failed: the trace and the message. */
static void print_error(FILE *out, const char *name, const char *msg)
{
	fprintf(out, "{\n  \"schema\": \"%s\",\n  \"vmsim_version\": \"%s\",\n"
		"  \"trace\": {\"file\": ", MRC_SCHEMA, VMSIM_VERSION);
	json_string(out, name);
	fputs("},\n  \"rows\": [],\n  \"error\": {\"message\": ", out);
	json_string(out, msg[0] ? msg : "error");
	fputs("}\n}\n", out);
}

/* The jobs: LRU's curve first (the longest single run), then each policy at each size. */
static int make_jobs(struct mrc_work *w, const struct mrc_opts *o)
{
	size_t n = 0;

	w->jobs = calloc((size_t)o->nr_policies * (o->nr_sizes + 1), sizeof(*w->jobs));
	if (!w->jobs)
		return -1;
	for (int k = 0; k < o->nr_policies; k++) {
		int p = o->policies[k];

		if (p == POL_LRU) {
			w->jobs[n++].policy = p;
			continue;
		}
		for (size_t i = 0; i < o->nr_sizes; i++) {
			w->jobs[n].policy = p;
			w->jobs[n++].pages = o->sizes[i];
		}
	}
	w->nr_jobs = n;
	return 0;
}

static int compute(struct mrc_work *w, const struct mrc_opts *o, FILE *err, const char *name)
{
	const struct mrc_stream *s = w->s;
	bool opt = false;
	double t0;
	int threads = o->jobs;

	for (int k = 0; k < o->nr_policies; k++) {
		opt |= o->policies[k] == POL_OPT;
		if (o->policies[k] == POL_LRU) {
			w->curve = malloc(((size_t)s->nr_pages + 1) * sizeof(*w->curve));
			if (!w->curve)
				return -1;
		}
	}
	if (opt && !(w->next = mrc_next_use(s->ref, s->nr_refs, s->nr_pages)))
		return -1;
	if (make_jobs(w, o))
		return -1;
	if (threads <= 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		threads = cpus < 1 ? 1 : cpus > MRC_MAX_JOBS ? MRC_MAX_JOBS : (int)cpus;
	}
	t0 = now_seconds();
	run_jobs(w, threads);
	for (size_t i = 0; i < w->nr_jobs; i++)
		if (w->jobs[i].misses < 0)
			return -1;
	if (o->quiet)
		return 0;
	for (size_t i = 0; i < w->nr_jobs; i++) {
		const struct mrc_job *j = &w->jobs[i];

		if (j->policy == POL_LRU)
			fprintf(err, "mrc %s: lru curve (%u sizes) in %.3f s, %.3f s CPU: %.1f M "
				"requests/s CPU\n", name, s->nr_pages, j->seconds, j->cpu_seconds,
				j->cpu_seconds > 0 ? (double)s->nr_requests / j->cpu_seconds / 1e6 :
				0.0);
	}
	fprintf(err, "mrc %s: %zu runs in %.3f s on %d threads\n", name, w->nr_jobs,
		now_seconds() - t0, threads < (int)w->nr_jobs ? threads : (int)w->nr_jobs);
	return 0;
}

/* The kernel policies' runs (--reclaim, --ram): 0, or -1 (message printed). */
static int kernel_runs(const struct mrc_opts *o, const char *path, struct mrc_kernel_row **rows,
		       size_t *nr, FILE *err, const char *name)
{
	struct mrc_kernel_ask a = {
		.trace = path, .reclaim = o->reclaim, .ram = o->ram, .opts = o->opts,
		.nr_opts = o->nr_opts, .jobs = o->jobs,
		.format = o->format == VMSIM_TRACE_AUTO ? NULL : o->format_name,
	};
	double t0 = now_seconds();

	if (!mrc_kernel_runs) {
		fprintf(err, "vmsim mrc: --reclaim needs the vmsim command (no sweeps here)\n");
		return -1;
	}
	if (mrc_kernel_runs(&a, rows, nr, err))
		return -1;
	if (!o->quiet)
		fprintf(err, "mrc %s: %zu kernel runs in %.3f s\n", name, *nr, now_seconds() - t0);
	return 0;
}

int mrc_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct mrc_opts o = { 0 };
	struct mrc_stream s;
	struct mrc_work w = { 0 };
	const char *path, *name;
	struct mrc_kernel_row *krows = NULL;
	size_t nr_krows = 0;
	int ret, format;
	double t0;

	mrc_stream_init(&s);
	ret = parse_args(&o, argc, argv, &path, out, err);
	if (ret) {
		free(o.sizes);
		return ret > 0 ? 0 : EXIT_USAGE;
	}
	name = strcmp(path, "-") ? path : "<stdin>";
	t0 = now_seconds();
	ret = EXIT_USAGE;
	if (load_stream(&s, path, &o, err, &format))
		goto out;
	if (!o.quiet)
		fprintf(err, "mrc %s: %llu requests (%zu runs of one page), %u distinct pages, "
			"read in %.3f s\n", name, (unsigned long long)s.nr_requests, s.nr_refs,
			s.nr_pages, now_seconds() - t0);
	w.s = &s;
	if ((!o.sizes && !o.all && default_sizes(&o, s.nr_pages)) ||
	    (o.nr_policies && compute(&w, &o, err, name))) {
		fprintf(err, "vmsim mrc: out of memory\n");
		snprintf(o.error, sizeof(o.error), "out of memory");
		goto out;
	}
	if (o.reclaim && kernel_runs(&o, path, &krows, &nr_krows, err, name)) {
		snprintf(o.error, sizeof(o.error), "the kernel policies' runs failed (their "
			 "messages on standard error)");
		goto out;
	}
	print_table(out, &o, &w, name, format, krows, nr_krows);
	ret = 0;
out:
	if (ret && o.json)	/* still one document, with the error */
		print_error(out, name, o.error);
	free(w.curve);
	free(w.next);
	free(w.jobs);
	free(krows);
	free(o.sizes);
	mrc_stream_free(&s);
	return ret;
}

/*
 * vmsim sweep: many independent runs from one spec file (docs/sweep.md).
 * The spec's lines `KEY = VALUE ...` are axes (a trace or script axis,
 * machine options, the trace format); their cross product is the sweep,
 * run number I the I-th tuple with the last line varying fastest.
 *
 * A run is always `vmsim sweep SPEC --run-index I`: it forks a worker
 * that boots the machine and runs the workload (its output in DIR/ID.out,
 * its messages in DIR/ID.err), and writes the run's record, DIR/ID.jsonl
 * (ID: a hash of the run's configuration), whatever the worker's fate: a
 * crash or an error becomes a record with the message.  A record is
 * written under a temporary name and renamed, so a record that exists is
 * whole, and a run whose record says "ok" is skipped (resume).
 *
 * The sweep runs those commands itself (-j N: fork and exec of this very
 * binary, a progress line on standard error), or writes them for another
 * engine: a GNU parallel job file (--emit parallel) or a Slurm job-array
 * script (--emit slurm).  Each way, `vmsim merge DIR` (merge.c) makes the
 * CSV.  DIR/sweep.manifest lists the runs the spec expands to, for merge.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "vmsim/stats.h"
#include "tool.h"
#include "trace_read.h"
#include "sweep.h"
#include "timeline.h"
#include "plot.h"
#include "mrc.h"

#define MAX_AXES	32
#define MAX_VALUES	4096		/* on one axis */
#define MAX_RUNS	1000000L
#define MAX_JOBS	256
#define MAX_ERROR	1000		/* bytes of a run's message in its record */

const char sweep_usage_text[] =
"usage: vmsim sweep [OPTIONS] SPEC\n"
"\n"
"Run the cross product SPEC describes: every combination of its traces or\n"
"scripts, memory sizes, reclaim policies and other machine options, each\n"
"an independent run leaving one JSON-lines record in the output directory\n"
"(DIR/ID.jsonl, ID a hash of the run's configuration; its output in\n"
"DIR/ID.out).  `vmsim merge DIR` makes one CSV of the records.  A run whose\n"
"record exists and says ok is skipped, so running a sweep again resumes it;\n"
"a run that fails leaves a record with its message and the others go on.\n"
"\n"
"SPEC (docs/sweep.md): one `KEY = VALUE ...` per line, values separated by\n"
"spaces or commas, # comments:\n"
"  trace = FILE ...     traces to replay (as vmsim trace), or\n"
"  script = FILE ...    scripts to run (as vmsim run); paths are relative\n"
"                       to SPEC's directory\n"
"  ram = 16M:44M:4M     any machine option (ram, reclaim, seed, swap,\n"
"  reclaim = fifo lru   page_cluster ...: vmsim help run); a number or size\n"
"                       may be a range FIRST:LAST:STEP or FIRST:LAST*FACTOR\n"
"  format = auto        trace format; map = auto|none: as vmsim trace's flags\n"
"  out = DIR            the output directory (default: SPEC without its\n"
"                       extension, plus .out)\n"
"  timeline = N         each run also writes DIR/ID.timeline.csv, a row\n"
"                       every N accesses (as vmsim trace and run --timeline)\n"
"  timeout = SECONDS    a run still going after this long is stopped and\n"
"                       fails (its record says timed out)\n"
"\n"
"Options:\n"
"  -j, --jobs N         runs at a time on this machine (default: the online\n"
"                       CPUs), each a process of its own\n"
"  --emit parallel      print a GNU parallel job file (one command a line)\n"
"                       instead of running: parallel -j N < FILE\n"
"  --emit slurm         print a Slurm job-array script instead: sbatch FILE\n"
"  --run-index I        run number I alone (what the emitted commands do)\n"
"  --list               print the runs: index, ID and configuration\n"
"  --out DIR            the output directory (overrides SPEC's out)\n"
"  --progress WHEN      auto (on a terminal), always or never: one line on\n"
"                       standard error (runs done, failed, skipped, ETA)\n"
"  -q, --quiet          no summary line, no failure lines of --run-index\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 every run ok (or skipped), 1 a run failed (its record says\n"
"why), 2 a bad flag or a bad spec (SPEC:LINE: message).\n";

/* One line of the spec: a key and its values. */
struct axis {
	char *key;
	char **vals;
	int nr, cap;
};

struct spec {
	const char *path;		/* as given */
	char *dir;			/* its directory with a '/', or "" */
	struct axis axes[MAX_AXES];
	int nr_axes;
	int workload;			/* the trace or script axis */
	bool script;			/* scripts, not traces */
	char *out;			/* the output directory */
	uint64_t timeline;		/* timeline = N (0: none) */
	uint64_t timeout;		/* timeout = SECONDS (0: none) */
	long nr_runs;
};

/* Keys of the spec that are not machine options; part of a run's configuration or not. */
static const char *const sweep_keys[] = { "trace", "script", "format", "map", NULL };
static const char *const setting_keys[] = { "out", "timeline", "timeout", NULL };

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		fputs("vmsim sweep: out of memory\n", stderr);
		exit(EXIT_USAGE);
	}
	va_end(ap);
	return s;
}

/* A path of the spec: relative ones from the spec's directory. */
static char *spec_path(const struct spec *sp, const char *p)
{
	return xasprintf("%s%s", p[0] == '/' ? "" : sp->dir, p);
}

/* --- the spec --------------------------------------------------------------------- */

static int add_value(struct axis *ax, const char *v)
{
	for (int i = 0; i < ax->nr; i++)
		if (!strcmp(ax->vals[i], v))
			return -EEXIST;
	if (ax->nr == MAX_VALUES)
		return -E2BIG;
	if (ax->nr == ax->cap) {
		int ncap = ax->cap ? 2 * ax->cap : 8;
		char **n = realloc(ax->vals, (size_t)ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		ax->vals = n;
		ax->cap = ncap;
	}
	ax->vals[ax->nr] = xasprintf("%s", v);
	ax->nr++;
	return 0;
}

/* A size as vmsim_parse_size reads it back: with the largest suffix that is exact. */
static void size_text(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "GMK";

	for (int i = 0; i < 3; i++) {
		uint64_t u = 1ULL << (10 * (3 - i));

		if (v && v % u == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(v / u), units[i]);
			return;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)v);
}

/*
 * A range FIRST:LAST:STEP or FIRST:LAST*FACTOR of numbers or sizes, its
 * values added: 0; 1 when @w is no range (a plain value); or -errno.
 */
static int add_range(struct axis *ax, const char *w)
{
	char a[64], b[64], c[64], kind;
	uint64_t first, last, step;
	int n = 0, ret;

	if (strlen(w) >= sizeof(a) || sscanf(w, "%63[^:]:%63[^:*]%c%63s%n", a, b, &kind, c, &n) != 4 ||
	    (size_t)n != strlen(w) || (kind != ':' && kind != '*') ||
	    vmsim_parse_size(a, &first) || vmsim_parse_size(b, &last) || vmsim_parse_size(c, &step))
		return 1;
	if (last < first || (kind == ':' && !step) || (kind == '*' && (step < 2 || !first)))
		return -EINVAL;
	for (uint64_t v = first; v <= last; v = kind == ':' ? v + step : v * step) {
		char t[32];

		size_text(v, t, sizeof(t));
		if ((ret = add_value(ax, t)))
			return ret;
		if (v > UINT64_MAX / 2 - step)
			break;
	}
	return 0;
}

/* Whether @v is a good value of @key: 0, or -1 with the message in @err. */
static int check_value(const char *key, const char *v, char *err, size_t len)
{
	struct vmsim_config scratch;
	uint64_t n;

	err[0] = 0;
	if (!strcmp(key, "trace") || !strcmp(key, "script") || !strcmp(key, "out"))
		return 0;		/* a missing file is the run's failure */
	if (!strcmp(key, "format")) {
		if (trace_format_parse(v, false) < 0)
			snprintf(err, len, "format wants auto, lackey, din or plain, got '%s'", v);
	} else if (!strcmp(key, "map")) {
		if (strcmp(v, "auto") && strcmp(v, "none"))
			snprintf(err, len, "map wants auto or none, got '%s'", v);
	} else if (!strcmp(key, "timeline")) {
		if (vmsim_parse_size(v, &n) || !n)
			snprintf(err, len, "timeline wants a number of accesses, got '%s'", v);
	} else if (!strcmp(key, "timeout")) {
		if (vmsim_parse_size(v, &n) || !n || n > 30 * 86400)
			snprintf(err, len, "timeout wants seconds, 1 .. 2592000, got '%s'", v);
	} else if (strcmp(key, "root")) {	/* root=DIR|tmp: any non-empty value */
		char msg[200] = "";

		vmsim_config_default(&scratch);
		if (vmsim_config_set(&scratch, key, v, msg, sizeof(msg)) ||
		    vmsim_config_check(&scratch, key, msg, sizeof(msg)))
			snprintf(err, len, "%s=%s: %s", key, v, msg[0] ? msg : "bad machine option");
	}
	return err[0] ? -1 : 0;
}

/* One line `KEY = VALUE ...` (comment and blanks gone): 0, or -1 with the message. */
static int parse_line(struct spec *sp, char *line, char *err, size_t len)
{
	char *eq = strchr(line, '='), *key = line, *save = NULL, *end;
	struct axis *ax;

	if (!eq) {
		snprintf(err, len, "expected KEY = VALUE ...");
		return -1;
	}
	for (end = eq; end > key && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*end = 0;
	if (!key[0] || key[strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_")]) {
		snprintf(err, len, "bad key '%s'", key);
		return -1;
	}
	for (int a = 0; a < sp->nr_axes; a++)
		if (!strcmp(sp->axes[a].key, key)) {
			snprintf(err, len, "%s given twice", key);
			return -1;
		}
	if (sp->nr_axes == MAX_AXES) {
		snprintf(err, len, "more than %d keys", MAX_AXES);
		return -1;
	}
	ax = &sp->axes[sp->nr_axes++];
	ax->key = xasprintf("%s", key);
	for (char *w = strtok_r(eq + 1, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		bool path = in_list((const char *const[]){ "trace", "script", "out", "root",
							    "swapfile", "reclaim", NULL }, key);
		int ret = path ? 1 : add_range(ax, w);

		if (ret == 1)
			ret = add_value(ax, w);
		else if (ret == -EINVAL)
			snprintf(err, len, "bad range '%s' (FIRST:LAST:STEP or FIRST:LAST*FACTOR)", w);
		if (ret == -EEXIST)
			snprintf(err, len, "%s '%s' given twice", key, w);
		else if (ret == -E2BIG)
			snprintf(err, len, "more than %d values of %s", MAX_VALUES, key);
		if (ret)
			return -1;
	}
	if (!ax->nr)
		snprintf(err, len, "%s has no value", key);
	else if (in_list(setting_keys, key) && ax->nr > 1)
		snprintf(err, len, "%s takes one value", key);
	for (int i = 0; i < ax->nr && !err[0]; i++)
		(void)check_value(key, ax->vals[i], err, len);
	return err[0] ? -1 : 0;
}

static void spec_free(struct spec *sp)
{
	for (int a = 0; a < sp->nr_axes; a++) {
		for (int i = 0; i < sp->axes[a].nr; i++)
			free(sp->axes[a].vals[i]);
		free(sp->axes[a].vals);
		free(sp->axes[a].key);
	}
	free(sp->dir);
	free(sp->out);
}

/* The settings (out, timeline, timeout) leave the axes; the workload axis is found. */
static int spec_settle(struct spec *sp, const char *out_flag, char *err, size_t len)
{
	const char *dot, *slash;
	int k = 0;

	sp->workload = -1;
	for (int a = 0; a < sp->nr_axes; a++) {
		struct axis *ax = &sp->axes[a];

		if (!strcmp(ax->key, "out") && !out_flag)
			sp->out = spec_path(sp, ax->vals[0]);
		else if (!strcmp(ax->key, "timeline"))
			(void)vmsim_parse_size(ax->vals[0], &sp->timeline);
		else if (!strcmp(ax->key, "timeout"))
			(void)vmsim_parse_size(ax->vals[0], &sp->timeout);
		if (in_list(setting_keys, ax->key)) {
			for (int i = 0; i < ax->nr; i++)
				free(ax->vals[i]);
			free(ax->vals);
			free(ax->key);
			memset(ax, 0, sizeof(*ax));	/* spec_free may still see it */
			continue;
		}
		if (!strcmp(ax->key, "trace") || !strcmp(ax->key, "script")) {
			if (sp->workload >= 0) {
				snprintf(err, len, "one of trace and script, not both");
				return -1;
			}
			sp->workload = k;
			sp->script = !strcmp(ax->key, "script");
		}
		if (k != a) {
			sp->axes[k] = *ax;
			memset(ax, 0, sizeof(*ax));
		}
		k++;
	}
	sp->nr_axes = k;
	if (sp->workload < 0) {
		snprintf(err, len, "no trace or script line");
		return -1;
	}
	if (out_flag)
		sp->out = xasprintf("%s", out_flag);
	else if (!sp->out) {
		slash = strrchr(sp->path, '/');
		dot = strrchr(slash ? slash : sp->path, '.');
		sp->out = xasprintf("%.*s.out", (int)(dot && dot != slash + 1 && dot != sp->path ?
			(size_t)(dot - sp->path) : strlen(sp->path)), sp->path);
	}
	sp->nr_runs = 1;
	for (int a = 0; a < sp->nr_axes; a++) {
		if (sp->nr_runs > MAX_RUNS / sp->axes[a].nr) {
			snprintf(err, len, "more than %ld runs", MAX_RUNS);
			return -1;
		}
		sp->nr_runs *= sp->axes[a].nr;
	}
	return 0;
}

/* Read and check SPEC: 0, or EXIT_USAGE with the message printed. */
static int spec_load(struct spec *sp, const char *path, const char *out_flag)
{
	char err[300] = "", *text, *line;
	const char *slash = strrchr(path, '/');
	size_t len;
	int lineno = 0;

	memset(sp, 0, sizeof(*sp));
	sp->path = path;
	sp->dir = xasprintf("%.*s", slash ? (int)(slash - path + 1) : 0, path);
	text = read_all(path, &len);
	if (!text) {
		fprintf(stderr, "vmsim sweep: cannot read %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	for (char *p = text; p && *p; p = line) {
		char *hash;

		line = strchr(p, '\n');
		if (line)
			*line++ = 0;
		lineno++;
		for (hash = p; (hash = strchr(hash, '#')); hash++)
			if (hash == p || hash[-1] == ' ' || hash[-1] == '\t') {
				*hash = 0;
				break;
			}
		p += strspn(p, " \t\r");
		if (!*p)
			continue;
		p[strcspn(p, "\r")] = 0;
		if (parse_line(sp, p, err, sizeof(err)))
			break;
	}
	free(text);
	if (!err[0]) {
		lineno = 0;
		if (spec_settle(sp, out_flag, err, sizeof(err)) == 0)
			return 0;
	}
	if (lineno)
		fprintf(stderr, "%s:%d: %s\n", path, lineno, err);
	else
		fprintf(stderr, "%s: %s\n", path, err);
	return EXIT_USAGE;
}

/* --- one run's configuration ---------------------------------------------------- */

struct run {
	long index;
	const char *vals[MAX_AXES];	/* the spec's axes' values */
	char id[17];			/* FNV-1a 64 of the sorted "key=value\n" lines */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_init(const struct spec *sp, long index, struct run *r)
{
	char *lines[MAX_AXES];
	uint64_t h = 0xcbf29ce484222325ULL;
	long i = index;

	r->index = index;
	for (int a = sp->nr_axes - 1; a >= 0; a--) {
		r->vals[a] = sp->axes[a].vals[i % sp->axes[a].nr];
		i /= sp->axes[a].nr;
	}
	for (int a = 0; a < sp->nr_axes; a++)
		lines[a] = xasprintf("%s=%s\n", sp->axes[a].key, r->vals[a]);
	qsort(lines, (size_t)sp->nr_axes, sizeof(*lines), cmp_str);
	for (int a = 0; a < sp->nr_axes; a++) {
		for (const unsigned char *p = (const unsigned char *)lines[a]; *p; p++)
			h = (h ^ *p) * 0x100000001b3ULL;
		free(lines[a]);
	}
	snprintf(r->id, sizeof(r->id), "%016llx", (unsigned long long)h);
}

/* "key=value key=value" (the manifest's and --list's form) */
static void run_describe(const struct spec *sp, const struct run *r, struct strbuf *sb)
{
	for (int a = 0; a < sp->nr_axes; a++)
		sb_printf(sb, "%s%s=%s", a ? " " : "", sp->axes[a].key, r->vals[a]);
}

static char *record_path(const struct spec *sp, const struct run *r, const char *ext)
{
	return xasprintf("%s/%s%s", sp->out, r->id, ext);
}

/* Whether the run's record exists and says it ran: the run is then skipped. */
static bool record_ok(const struct spec *sp, const struct run *r)
{
	char *path = record_path(sp, r, SWEEP_RECORD_EXT);
	size_t len;
	char *text = read_all(path, &len);
	bool ok = text && strstr(text, "\"status\": \"ok\"");

	free(text);
	free(path);
	return ok;
}

/* The message of a failed run's record (its "error"), into @buf. */
static void record_error(const struct spec *sp, const struct run *r, char *buf, size_t len)
{
	char *path = record_path(sp, r, SWEEP_RECORD_EXT);
	size_t n, k = 0;
	char *text = read_all(path, &n), *p = text ? strstr(text, "\"error\": \"") : NULL;

	snprintf(buf, len, "no record");
	if (p) {
		for (p += 10; *p && *p != '"' && k + 1 < len; p++) {
			if (*p == '\\' && p[1])
				p++;
			buf[k++] = *p;	/* \n and \uXXXX as the letter: a message line */
		}
		buf[k] = 0;
	}
	free(text);
	free(path);
}

static int mkdir_p(const char *dir)
{
	char *d = xasprintf("%s", dir);
	int ret = 0;

	for (char *p = d + 1; ; p++) {
		bool last = !*p;

		if (*p != '/' && !last)
			continue;
		*p = 0;
		if (mkdir(d, 0777) && errno != EEXIST) {
			ret = -errno;
			break;
		}
		if (last)
			break;
		*p = '/';
	}
	free(d);
	return ret;
}

/* Write @text to @path under a temporary name, then rename: whole or absent. */
static int write_atomic(const char *path, const char *text)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int ret = 0;

	if (!f || fputs(text, f) < 0 || fclose(f) || rename(tmp, path))
		ret = -errno ? -errno : -EIO;
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

/* DIR (made) and DIR/sweep.manifest: 0, or EXIT_USAGE with the message printed. */
static int prepare_out(const struct spec *sp, bool rewrite)
{
	char *path = xasprintf("%s/%s", sp->out, SWEEP_MANIFEST);
	struct strbuf sb;
	struct run r;
	int ret = mkdir_p(sp->out);

	if (ret) {
		fprintf(stderr, "vmsim sweep: cannot make %s: %s\n", sp->out, strerror(-ret));
		free(path);
		return EXIT_USAGE;
	}
	if (!rewrite && access(path, F_OK) == 0) {
		free(path);
		return 0;
	}
	sb_init(&sb);
	sb_printf(&sb, "%s: %ld runs of %s\n", SWEEP_MANIFEST_HEAD, sp->nr_runs, sp->path);
	for (long i = 0; i < sp->nr_runs; i++) {
		run_init(sp, i, &r);
		sb_printf(&sb, "%ld %s ", i, r.id);
		run_describe(sp, &r, &sb);
		sb_putc(&sb, '\n');
	}
	ret = sb.oom ? -ENOMEM : write_atomic(path, sb.buf);
	if (ret)
		fprintf(stderr, "vmsim sweep: cannot write %s: %s\n", path, strerror(-ret));
	sb_free(&sb);
	free(path);
	return ret ? EXIT_USAGE : 0;
}

/* --- the worker: one run in a process of its own --------------------------------- */

static uint64_t vmstat(vmsim_machine_t *m, const char *name)
{
	uint64_t v = 0;

	return m && !vmsim_vmstat_get(m, name, &v) ? v : 0;
}

/* The "results" object: the machine's counters at the end of the run. */
static void worker_results(vmsim_machine_t *m, const struct trace_summary *t, struct strbuf *sb)
{
	struct vmsim_mem_stats ms;
	uint64_t major = vmstat(m, "pgmajfault");
	const char *sig = t && t->status == VMSIM_KILLED ? vmsim_signal_name(t->signo) : NULL;

	vmsim_mem_stats(m, &ms);
	if (t)
		sb_printf(sb, "{\"requests\": %llu", (unsigned long long)t->accesses);
	else
		sb_puts(sb, "{\"requests\": null");
	sb_printf(sb, ", \"misses\": %llu, \"minor_faults\": %llu, \"major_faults\": %llu, "
		  "\"swap_in_pages\": %llu, \"swap_out_pages\": %llu, \"pgscan_pages\": %llu, "
		  "\"pgsteal_pages\": %llu, \"oom_kills\": %llu, \"killed\": ",
		  (unsigned long long)major, (unsigned long long)(vmstat(m, "pgfault") - major),
		  (unsigned long long)major, (unsigned long long)vmstat(m, "pswpin"),
		  (unsigned long long)vmstat(m, "pswpout"),
		  (unsigned long long)(vmstat(m, "pgscan_kswapd") + vmstat(m, "pgscan_direct")),
		  (unsigned long long)(vmstat(m, "pgsteal_kswapd") + vmstat(m, "pgsteal_direct")),
		  (unsigned long long)vmstat(m, "oom_kill"));
	if (t && t->status == VMSIM_KILLED)
		sb_json_string(sb, sig ? sig : "signal");
	else
		sb_puts(sb, "null");
	sb_printf(sb, ", \"tlb_hits\": %llu, \"tlb_misses\": %llu, \"managed_pages\": %lu}",
		  (unsigned long long)vmstat(m, "vmsim_tlb_hit"),
		  (unsigned long long)vmstat(m, "vmsim_tlb_miss"), ms.managed_pages);
}

/* A trace run, as `vmsim trace`: boot, spawn, replay. */
static enum vmsim_run_status worker_trace(struct session *s, const char *path,
					  const struct tool_opts *o, struct trace_summary *sum)
{
	char err[512];
	enum vmsim_run_status st;
	int pid;

	s->vs.line = 1;
	st = vmsim_session_boot(&s->vs);
	if (st != VMSIM_RUN_OK)
		return st;
	pid = vmsim_session_spawn(&s->vs, "trace");
	if (pid <= 0) {
		vmsim_session_error(&s->vs, "cannot spawn the process: %s", strerror(-pid));
		return VMSIM_RUN_ERROR;
	}
	if (trace_run(s->vs.m, pid, path, o->format, !o->map_none, sum, err, sizeof(err))) {
		fflush(stdout);
		fprintf(stderr, "%s\n", err);
		return VMSIM_RUN_ERROR;
	}
	printf("trace %s: %llu accesses, faults %llu minor, %llu major; swap %llu pages in, "
	       "%llu out\n", path, (unsigned long long)sum->accesses,
	       (unsigned long long)sum->minor_faults, (unsigned long long)sum->major_faults,
	       (unsigned long long)sum->pswpin, (unsigned long long)sum->pswpout);
	return VMSIM_RUN_OK;
}

/*
 * The run itself, in the forked worker: its "results" object written to
 * @fd; the exit status (0 when the run went to its end).
 */
static int run_worker(const struct spec *sp, const struct run *r, int fd)
{
	struct tool_opts o;
	struct trace_summary sum;
	struct session s;
	struct strbuf res;
	enum vmsim_run_status st = VMSIM_RUN_ERROR;
	char *path = spec_path(sp, r->vals[sp->workload]), *text = NULL, *tl = NULL;
	char err[300];
	size_t len;

	memset(&o, 0, sizeof(o));
	for (int a = 0; a < sp->nr_axes; a++) {
		const char *k = sp->axes[a].key;

		if (!strcmp(k, "format"))
			o.format = (enum vmsim_trace_format)trace_format_parse(r->vals[a], false);
		else if (!strcmp(k, "map"))
			o.map_none = !strcmp(r->vals[a], "none");
		else if (!in_list(sweep_keys, k)) {
			o.opt_keys[o.nr_opts] = k;
			o.opt_values[o.nr_opts++] = r->vals[a];
		}
	}
	if (sp->timeline) {
		tl = record_path(sp, r, ".timeline.csv");
		tool_timeline.path = tl;
		tool_timeline.every = sp->timeline;
	}
	trace_progress_mode = TRACE_PROGRESS_NEVER;
	sb_init(&res);
	session_init(&s, &o, path);
	if (sp->script) {
		text = read_all(path, &len);
		if (text && tool_timeline.path)	/* the whole run's rows, as vmsim run's */
			st = run_stepped(&s, text, len, 0, 0, NULL);
		else if (text)
			st = vmsim_session_run_text(&s.vs, text, len);
		else
			fprintf(stderr, "vmsim: cannot read %s: %s\n", path, strerror(errno));
	} else {
		struct vmsim_config cfg;

		vmsim_config_default(&cfg);
		for (int i = 0; i < o.nr_opts; i++)
			if (strcmp(o.opt_keys[i], "root"))
				(void)vmsim_config_set(&cfg, o.opt_keys[i], o.opt_values[i], err,
						       sizeof(err));
		if (vmsim_config_validate(&cfg, err, sizeof(err)))
			fprintf(stderr, "vmsim: the machine options together: %s\n", err);
		else
			st = worker_trace(&s, path, &o, &sum);
	}
	if (st == VMSIM_RUN_OK && s.vs.m)
		worker_results(s.vs.m, sp->script ? NULL : &sum, &res);
	session_finish(&s, st);		/* the closing report, to DIR/ID.out */
	session_fini(&s);
	if (st == VMSIM_RUN_OK && (res.oom || write(fd, res.buf, res.len) != (ssize_t)res.len))
		st = VMSIM_RUN_ERROR;
	sb_free(&res);
	free(text);
	free(tl);
	free(path);
	return st == VMSIM_RUN_OK ? 0 : st == VMSIM_RUN_EXPECT_FAILED ? EXIT_EXPECT : EXIT_USAGE;
}

/* --- the guard: the worker's fate as a record ---------------------------------- */

/* The worker's messages (DIR/ID.err), one line, for the record; the file goes if empty. */
static void worker_messages(const char *errpath, struct strbuf *msg)
{
	size_t len;
	char *text = read_all(errpath, &len);

	for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		if (*p && msg->len < MAX_ERROR)
			sb_printf(msg, "%s%.*s", msg->len ? "; " : "", MAX_ERROR, p);
	}
	if (text && !len)
		unlink(errpath);
	free(text);
}

/* The "machine" object: what the configuration gives, without booting. */
static void run_machine(const struct spec *sp, const struct run *r, struct strbuf *sb,
			uint64_t *seed)
{
	struct vmsim_config cfg;
	const char *policy;
	char err[200];

	vmsim_config_default(&cfg);
	for (int a = 0; a < sp->nr_axes; a++)
		if (!in_list(sweep_keys, sp->axes[a].key) && strcmp(sp->axes[a].key, "root"))
			(void)vmsim_config_set(&cfg, sp->axes[a].key, r->vals[a], err, sizeof(err));
	policy = cfg.reclaim_policy[0] ? cfg.reclaim_policy :
		 cfg.reclaim == VMSIM_RECLAIM_24_0 ? "2.4.0" : "2.4.10";
	sb_puts(sb, "{\"policy\": ");
	sb_json_string(sb, policy);
	sb_printf(sb, ", \"pages\": %llu, \"ram_mib\": %g, \"ram_bytes\": %llu}",
		  (unsigned long long)(cfg.ram_bytes / VMSIM_PAGE_SIZE),
		  (double)cfg.ram_bytes / (1024.0 * 1024.0), (unsigned long long)cfg.ram_bytes);
	*seed = cfg.seed;
}

static void write_record(const struct spec *sp, const struct run *r, const char *results,
			 const char *error, double seconds)
{
	char *path = record_path(sp, r, SWEEP_RECORD_EXT);
	struct strbuf sb;
	uint64_t seed;
	int ret;

	sb_init(&sb);
	sb_printf(&sb, "{\"schema\": \"%s\", \"vmsim_version\": \"%s\", \"index\": %ld, "
		  "\"id\": \"%s\", \"config\": {", SWEEP_SCHEMA, VMSIM_VERSION, r->index, r->id);
	for (int a = 0; a < sp->nr_axes; a++) {
		sb_printf(&sb, "%s", a ? ", " : "");
		sb_json_string(&sb, sp->axes[a].key);
		sb_puts(&sb, ": ");
		sb_json_string(&sb, r->vals[a]);
	}
	sb_puts(&sb, "}, \"machine\": ");
	run_machine(sp, r, &sb, &seed);
	sb_printf(&sb, ", \"seed\": %llu, \"status\": \"%s\", \"error\": ",
		  (unsigned long long)seed, error ? "error" : "ok");
	if (error)
		sb_json_string(&sb, error);
	else
		sb_puts(&sb, "null");
	sb_printf(&sb, ", \"run_seconds\": %.3f, \"results\": %s}\n", seconds,
		  results ? results : "null");
	ret = sb.oom ? -ENOMEM : write_atomic(path, sb.buf);
	if (ret)
		fprintf(stderr, "vmsim sweep: cannot write %s: %s\n", path, strerror(-ret));
	sb_free(&sb);
	free(path);
}

/* timeout = SECONDS: SIGALRM in the guard kills the worker. */
static volatile pid_t guard_worker;
static volatile sig_atomic_t guard_timed_out;

static void guard_alarm(int sig)
{
	guard_timed_out = 1;
	if (guard_worker > 0)
		kill(guard_worker, SIGKILL);
}

/* Point @fd at a new file @path (the worker's output and messages). */
static void redirect(int fd, const char *path)
{
	int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);

	if (f >= 0) {
		dup2(f, fd);
		close(f);
	}
}

/*
 * Run @r in a forked worker and write its record: 0 the run went to its end
 * (or was done before: skipped), 1 it failed (the record says why).
 */
static int run_guarded(const struct spec *sp, const struct run *r, bool quiet)
{
	char *outp = record_path(sp, r, ".out"), *errp = record_path(sp, r, ".err");
	struct strbuf res, msg;
	double t0 = now_seconds();
	int fds[2], status = 0;
	pid_t pid = -1;
	char buf[4096];
	ssize_t n;

	if (record_ok(sp, r)) {
		free(outp);
		free(errp);
		return 0;
	}
	sb_init(&res);
	sb_init(&msg);
	fflush(NULL);
	if (pipe(fds) == 0 && (pid = fork()) == 0) {
		close(fds[0]);
		redirect(STDOUT_FILENO, outp);
		redirect(STDERR_FILENO, errp);
		free(outp);
		free(errp);
		exit(run_worker(sp, r, fds[1]));
	}
	if (pid > 0) {
		struct sigaction sa = { .sa_handler = guard_alarm };

		guard_worker = pid;
		if (sp->timeout) {
			sigaction(SIGALRM, &sa, NULL);
			alarm((unsigned int)sp->timeout);
		}
		close(fds[1]);
		while ((n = read(fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
			if (n > 0)
				sb_printf(&res, "%.*s", (int)n, buf);
		close(fds[0]);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		alarm(0);
	}
	worker_messages(errp, &msg);
	if (guard_timed_out)
		sb_printf(&msg, "%stimed out after %llu s", msg.len ? "; " : "",
			  (unsigned long long)sp->timeout);
	if (pid < 0)
		sb_printf(&msg, "cannot start the run: %s", strerror(errno));
	else if (WIFSIGNALED(status))
		sb_printf(&msg, "%s(killed by %s)", msg.len ? " " : "",
			  vmsim_signal_name(WTERMSIG(status)) ?: "a signal");
	else if (WEXITSTATUS(status) || !res.len)
		sb_printf(&msg, "%s(exit status %d)", msg.len ? " " : "", WEXITSTATUS(status));
	else
		sb_free(&msg);		/* ok: messages stay in DIR/ID.err */
	write_record(sp, r, msg.len ? NULL : res.buf, msg.len ? msg.buf : NULL,
		     now_seconds() - t0);
	if (msg.len && !quiet)
		fprintf(stderr, "vmsim sweep: run %ld (%s) failed: %s\n", r->index, r->id, msg.buf);
	n = msg.len ? 1 : 0;
	sb_free(&res);
	sb_free(&msg);
	free(outp);
	free(errp);
	return (int)n;
}

/* --- running the sweep here: -j N ----------------------------------------------- */

struct local {
	const struct spec *sp;
	const char *self;		/* this binary */
	long done, failed, skipped, running;
	bool progress, tty;
	double t0, last;
	pid_t *pids;			/* of the running runs, by slot */
	long *slots;			/* the run each slot runs */
};

static void local_progress(struct local *l, bool end)
{
	double now = now_seconds(), secs = now - l->t0;
	long finished = l->done + l->failed, left = l->sp->nr_runs - finished - l->skipped;

	if (!l->progress || (!end && now - l->last < (l->tty ? 0.25 : 2.0)))
		return;
	l->last = now;
	fprintf(stderr, "%ssweep %s: %ld/%ld runs, %ld failed, %ld skipped, %ld running, ",
		l->tty ? "\r" : "", l->sp->path, finished + l->skipped, l->sp->nr_runs,
		l->failed, l->skipped, l->running);
	if (end)
		fprintf(stderr, "done in %.1f s", secs);
	else if (finished)
		fprintf(stderr, "%.1f s, ETA %.0f s", secs, secs * (double)left / (double)finished);
	else
		fprintf(stderr, "%.1f s, ETA ?", secs);
	fputs(l->tty ? "\033[K" : "\n", stderr);
	if (end && l->tty)
		fputc('\n', stderr);
}

/* Start run @index in slot @slot: this binary, `sweep SPEC --out DIR --run-index I -q`. */
static void local_start(struct local *l, int slot, long index)
{
	char idx[24];
	sigset_t none;
	pid_t pid;

	snprintf(idx, sizeof(idx), "%ld", index);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execlp(l->self, l->self, "sweep", l->sp->path, "--out", l->sp->out, "--run-index",
		      idx, "-q", (char *)NULL);
		fprintf(stderr, "vmsim sweep: cannot run %s: %s\n", l->self, strerror(errno));
		_exit(127);
	}
	l->pids[slot] = pid;
	l->slots[slot] = index;
	if (pid > 0)
		l->running++;
}

/* A run's process ended: count it, and report a failure. */
static void local_ended(struct local *l, int slot)
{
	char err[MAX_ERROR + 100];
	struct run r;

	run_init(l->sp, l->slots[slot], &r);
	l->pids[slot] = 0;
	l->running--;
	if (record_ok(l->sp, &r)) {
		l->done++;
		return;
	}
	l->failed++;
	record_error(l->sp, &r, err, sizeof(err));
	if (l->progress && l->tty)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "vmsim sweep: run %ld (%s) failed: %s\n", r.index, r.id, err);
}

static int sweep_local(const struct spec *sp, int jobs, const char *self, bool quiet)
{
	struct local l = { .sp = sp, .self = self };
	sigset_t chld;
	long next = 0;
	struct run r;
	int ret = prepare_out(sp, true);

	if (ret)
		return ret;
	l.pids = calloc((size_t)jobs, sizeof(*l.pids));
	l.slots = calloc((size_t)jobs, sizeof(*l.slots));
	if (!l.pids || !l.slots) {
		fputs("vmsim sweep: out of memory\n", stderr);
		exit(EXIT_USAGE);
	}
	l.tty = isatty(STDERR_FILENO);
	l.progress = trace_progress_mode == TRACE_PROGRESS_ALWAYS ||
		     (trace_progress_mode == TRACE_PROGRESS_AUTO && l.tty);
	l.t0 = l.last = now_seconds();
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);	/* waited for with sigtimedwait */
	for (;;) {
		struct timespec tick = { 0, 250000000 };
		int status;
		pid_t pid;

		for (int s = 0; s < jobs && next < sp->nr_runs; s++) {
			if (l.pids[s])
				continue;
			for (; next < sp->nr_runs; next++) {
				run_init(sp, next, &r);
				if (!record_ok(sp, &r))
					break;
				l.skipped++;
			}
			if (next < sp->nr_runs)
				local_start(&l, s, next++);
			if (l.pids[s] < 0) {
				l.pids[s] = 0;
				l.failed++;
				fprintf(stderr, "vmsim sweep: cannot fork: %s\n", strerror(errno));
			}
		}
		if (!l.running)
			break;
		local_progress(&l, false);
		(void)sigtimedwait(&chld, NULL, &tick);
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (int s = 0; s < jobs; s++)
				if (l.pids[s] == pid)
					local_ended(&l, s);
	}
	sigprocmask(SIG_UNBLOCK, &chld, NULL);
	local_progress(&l, true);
	if (!quiet)
		fprintf(stderr, "vmsim sweep: %ld runs: %ld ran, %ld failed, %ld skipped; records "
			"in %s\n", sp->nr_runs, l.done, l.failed, l.skipped, sp->out);
	free(l.pids);
	free(l.slots);
	return l.failed ? 1 : 0;
}

/* --- emitting the sweep for another engine ---------------------------------------- */

/* @s as one shell word: in single quotes, a quote as '\'' */
static void shell_word(struct strbuf *sb, const char *s)
{
	sb_putc(sb, '\'');
	for (; *s; s++)
		if (*s == '\'')
			sb_puts(sb, "'\\''");
		else
			sb_putc(sb, *s);
	sb_putc(sb, '\'');
}

/* An absolute path (the emitted commands run from anywhere). */
static char *absolute(const char *p)
{
	char *r = realpath(p, NULL);

	return r ? r : xasprintf("%s", p);
}

static int sweep_emit(const struct spec *sp, const char *engine, const char *self)
{
	char *spec = absolute(sp->path), *out, *csv, *me = absolute(self);
	struct strbuf cmd, merge;
	int ret = prepare_out(sp, true);

	if (ret) {
		free(spec);
		free(me);
		return ret;
	}
	out = absolute(sp->out);
	sb_init(&cmd);
	sb_init(&merge);
	shell_word(&cmd, me);
	sb_puts(&cmd, " sweep ");
	shell_word(&cmd, spec);
	sb_puts(&cmd, " --out ");
	shell_word(&cmd, out);
	sb_puts(&cmd, " --run-index ");
	shell_word(&merge, me);
	sb_puts(&merge, " merge ");
	shell_word(&merge, out);
	sb_puts(&merge, " > ");
	csv = xasprintf("%s.csv", out);
	shell_word(&merge, csv);
	free(csv);
	if (!strcmp(engine, "parallel")) {
		for (long i = 0; i < sp->nr_runs; i++)
			printf("%s%ld\n", cmd.buf, i);
		fprintf(stderr, "vmsim sweep: %ld runs; run them with `parallel -j N < FILE`, "
			"then merge: %s\n", sp->nr_runs, merge.buf);
	} else {
		printf("#!/bin/sh\n"
		       "# vmsim sweep: the %ld runs of %s as a Slurm job array.\n"
		       "# Submit the runs, then the merge once they have all ended:\n"
		       "#   jid=$(sbatch --parsable FILE)\n"
		       "#   sbatch --dependency=afterany:$jid --wrap \"%s\"\n"
		       "# A task whose record exists and says ok does nothing (resubmit to resume).\n"
		       "#SBATCH --job-name=vmsim-sweep\n"
		       "#SBATCH --array=0-%ld\n"
		       "#SBATCH --ntasks=1\n"
		       "#SBATCH --cpus-per-task=1\n"
		       "#SBATCH --output=%s/slurm-%%A_%%a.log\n"
		       "exec %s\"$SLURM_ARRAY_TASK_ID\"\n",
		       sp->nr_runs, spec, merge.buf, sp->nr_runs - 1, out, cmd.buf);
		fprintf(stderr, "vmsim sweep: %ld runs as a job array; submit with sbatch, "
			"then merge: %s\n", sp->nr_runs, merge.buf);
	}
	sb_free(&cmd);
	sb_free(&merge);
	free(spec);
	free(out);
	free(me);
	return 0;
}

/* --- flags ------------------------------------------------------------------------- */

enum { OPT_EMIT = 256, OPT_RUN_INDEX, OPT_LIST, OPT_OUT, OPT_PROGRESS };

static const struct option sweep_longopts[] = {
	{ "jobs", required_argument, NULL, 'j' },
	{ "emit", required_argument, NULL, OPT_EMIT },
	{ "run-index", required_argument, NULL, OPT_RUN_INDEX },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct sweep_opts {
	int jobs;
	const char *emit;
	const char *run_index;
	bool list, quiet;
	const char *out;
	const char *spec;
};

/* 0, 1 (help printed), or EXIT_USAGE (message printed). */
static int sweep_args(struct sweep_opts *o, int argc, char **argv)
{
	uint64_t v;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "j:qh", sweep_longopts, NULL)) != -1) {
		const char *bad = NULL;

		if (c == 'h') {
			fputs(sweep_usage_text, stdout);
			return 1;
		} else if (c == 'j') {
			if (vmsim_parse_size(optarg, &v) || v < 1 || v > MAX_JOBS)
				bad = "--jobs wants 1 .. 256";
			o->jobs = (int)v;
		} else if (c == OPT_EMIT) {
			if (strcmp(optarg, "parallel") && strcmp(optarg, "slurm"))
				bad = "--emit wants parallel or slurm";
			o->emit = optarg;
		} else if (c == OPT_RUN_INDEX) {
			o->run_index = optarg;
		} else if (c == OPT_LIST) {
			o->list = true;
		} else if (c == OPT_OUT) {
			o->out = optarg;
		} else if (c == OPT_PROGRESS) {
			if (trace_progress_parse(optarg))
				bad = "--progress wants auto, always or never";
		} else if (c == 'q') {
			o->quiet = true;
		} else {
			fprintf(stderr, "vmsim sweep: bad option '%s' (or its value missing)\n",
				argv[optind - 1]);
			return EXIT_USAGE;
		}
		if (bad) {
			fprintf(stderr, "vmsim sweep: %s, got '%s'\n", bad, optarg);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vmsim sweep: %s\nRun 'vmsim sweep --help' for the options.\n",
			optind >= argc ? "no SPEC given" : "one SPEC only");
		return EXIT_USAGE;
	}
	o->spec = argv[optind];
	return 0;
}

/* The runs are this very binary: its path, or "vmsim" (found on PATH). */
static void self_path(char *self, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", self, len - 1);

	if (n > 0)
		self[n] = 0;
	else
		snprintf(self, len, "vmsim");
}

/* -j N, or 0: the online CPUs. */
static int default_jobs(int jobs)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (jobs)
		return jobs;
	return cpus < 1 ? 1 : cpus > MAX_JOBS ? MAX_JOBS : (int)cpus;
}

/* --run-index I: the run alone, its record written. */
static int sweep_one(const struct spec *sp, const char *arg, bool quiet)
{
	char *end;
	long i = strtol(arg, &end, 10);
	struct run r;
	int ret;

	if (!*arg || *end || i < 0 || i >= sp->nr_runs) {
		fprintf(stderr, "vmsim sweep: --run-index wants 0 .. %ld, got '%s'\n",
			sp->nr_runs - 1, arg);
		return EXIT_USAGE;
	}
	if ((ret = prepare_out(sp, false)))
		return ret;
	run_init(sp, i, &r);
	return run_guarded(sp, &r, quiet);
}

int sweep_main(int argc, char **argv)
{
	struct sweep_opts o = { 0 };
	struct spec sp;
	char self[PATH_MAX];
	int ret = sweep_args(&o, argc, argv);

	if (ret)
		return ret == 1 ? 0 : ret;
	if ((ret = spec_load(&sp, o.spec, o.out))) {
		spec_free(&sp);
		return ret;
	}
	self_path(self, sizeof(self));
	if (o.list) {
		for (long i = 0; i < sp.nr_runs; i++) {
			struct strbuf sb;
			struct run r;

			sb_init(&sb);
			run_init(&sp, i, &r);
			run_describe(&sp, &r, &sb);
			printf("%ld %s %s\n", i, r.id, sb.buf ? sb.buf : "");
			sb_free(&sb);
		}
	} else if (o.run_index) {
		ret = sweep_one(&sp, o.run_index, o.quiet);
	} else if (o.emit) {
		ret = sweep_emit(&sp, o.emit, self);
	} else {
		ret = sweep_local(&sp, default_jobs(o.jobs), self, o.quiet);
	}
	spec_free(&sp);
	return ret;
}

/* --- vmsim mrc --reclaim --ram: the kernel policies' curves as a sweep ------------- */

/* The number after "KEY": in a record (keys of the record are unique), or 0. */
static uint64_t record_number(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* Every file of the temporary directory @dir, then it. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			char *p = xasprintf("%s/%s", dir, e->d_name);

			if (unlink(p) && errno == EISDIR)
				remove_dir(p);
			free(p);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* The spec of trace x reclaim x ram (and -o's keys), in @dir: its text, or NULL (message). */
static char *mrc_spec(const struct mrc_kernel_ask *a, FILE *err)
{
	char *trace = realpath(a->trace, NULL);
	struct strbuf sb;

	if (!trace || strpbrk(trace, " \t,#")) {
		fprintf(err, "vmsim mrc: --reclaim replays %s: %s\n", a->trace,
			trace ? "a path with a blank, ',' or '#' cannot be a sweep's trace" :
			strerror(errno));
		free(trace);
		return NULL;
	}
	sb_init(&sb);
	sb_printf(&sb, "trace = %s\nreclaim = %s\nram = %s\nout = out\n", trace, a->reclaim,
		  a->ram);
	if (a->format)
		sb_printf(&sb, "format = %s\n", a->format);
	for (int i = 0; i < a->nr_opts; i++) {
		const char *eq = strchr(a->opts[i], '=');

		if (!eq || eq == a->opts[i]) {
			fprintf(err, "vmsim mrc: -o wants KEY=VALUE, got '%s'\n", a->opts[i]);
			sb_free(&sb);
			free(trace);
			return NULL;
		}
		sb_printf(&sb, "%.*s = %s\n", (int)(eq - a->opts[i]), a->opts[i], eq + 1);
	}
	free(trace);
	return sb.oom ? NULL : sb.buf;
}

/* A run's record as a row: 0, or -1 (the run failed: its message printed). */
static int mrc_row(const struct spec *sp, long i, struct mrc_kernel_row *row, FILE *err)
{
	char msg[MAX_ERROR + 100], *path, *text, *p;
	struct run r;
	size_t len;

	run_init(sp, i, &r);
	if (!record_ok(sp, &r)) {
		record_error(sp, &r, msg, sizeof(msg));
		fprintf(err, "vmsim mrc: the run of reclaim %s at ram %s failed: %s\n", r.vals[1],
			r.vals[2], msg);
		return -1;
	}
	path = record_path(sp, &r, SWEEP_RECORD_EXT);
	text = read_all(path, &len);
	free(path);
	if (!text)
		return -1;
	p = strstr(text, "\"machine\": {\"policy\": \"");
	snprintf(row->policy, sizeof(row->policy), "%.*s", p ? (int)strcspn(p + 23, "\"") : 0,
		 p ? p + 23 : "");
	row->pages = record_number(text, "\"managed_pages\": ");
	row->requests = record_number(text, "\"requests\": ");
	row->major_faults = record_number(text, "\"major_faults\": ");
	row->swap_ins = record_number(text, "\"swap_in_pages\": ");
	free(text);
	return 0;
}

/*
 * The runs of `vmsim mrc --reclaim LIST --ram LIST`: a spec written into a
 * temporary directory (trace, reclaim, ram, then -o's keys: the runs in
 * the order of the rows), run here on -j cores as `vmsim sweep` runs one,
 * its records read back as rows; the directory goes afterwards.
 */
int sweep_mrc(const struct mrc_kernel_ask *a, struct mrc_kernel_row **rows, size_t *nr,
	      FILE *err)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/vmsim-mrc.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *text = mrc_spec(a, err), *path = NULL, self[PATH_MAX];
	struct spec sp;
	int ret = -1;

	memset(&sp, 0, sizeof(sp));
	if (!text || !mkdtemp(dir)) {
		if (text)
			fprintf(err, "vmsim mrc: cannot make %s: %s\n", dir, strerror(errno));
		free(text);
		free(dir);
		return -1;
	}
	path = xasprintf("%s/mrc.spec", dir);
	if (write_atomic(path, text) || spec_load(&sp, path, NULL))
		goto out;
	*rows = calloc((size_t)sp.nr_runs, sizeof(**rows));
	if (!*rows)
		goto out;
	self_path(self, sizeof(self));
	(void)sweep_local(&sp, default_jobs(a->jobs), self, true);
	ret = 0;
	for (long i = 0; i < sp.nr_runs; i++)
		if (mrc_row(&sp, i, &(*rows)[i], err))
			ret = -1;
	*nr = (size_t)sp.nr_runs;
out:
	spec_free(&sp);
	remove_dir(dir);
	free(path);
	free(text);
	free(dir);
	return ret;
}

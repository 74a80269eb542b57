/*
 * The vmsim command's internals: a session (one booted machine running one
 * script or shell), its output sink (plain text, or collected for the
 * --json document) and the pieces each file of tools/vmsim provides.
 */
#ifndef TOOLS_VMSIM_TOOL_H
#define TOOLS_VMSIM_TOOL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "vmsim/vmsim.h"
#include "vmsim/script.h"

/* Exit statuses. */
#define EXIT_EXPECT	1	/* an expect failed */
#define EXIT_USAGE	2	/* bad flags, bad script line */

#define MAX_OPTS	64

/* What the command line asked for. */
struct tool_opts {
	/* machine options from flags: applied after the script's machine line */
	int nr_opts;
	const char *opt_keys[MAX_OPTS];
	const char *opt_values[MAX_OPTS];
	bool json;
	bool quiet;
	/* vmsim trace */
	enum vmsim_trace_format format;
	bool map_none;
	/* kernel events and explanations (docs/script.md: events, explain) */
	uint64_t events_mask;		/* --events LIST */
	const char *events_file;	/* --events-file FILE (NULL: standard output) */
	bool events_json;		/* --events-format json */
	bool explain;			/* --explain */
	const char *plot_dir;		/* run --plot-every DIR: a picture per step (plot_svg.c) */
	bool no_history;		/* vmsim shell --no-history */
};

/* A growable text buffer (the JSON document, collected output). */
struct strbuf {
	char *buf;
	size_t len, cap;
	bool oom;
};
void sb_init(struct strbuf *sb);
__attribute__((format(printf, 2, 3))) void sb_printf(struct strbuf *sb, const char *fmt, ...);
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putc(struct strbuf *sb, char c);
void sb_free(struct strbuf *sb);
/*
 * The length of the well-formed UTF-8 sequence at @p (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or minus the
 * length of the ill-formed start there (its maximal subpart, which
 * Unicode replaces by one U+FFFD).
 */
static inline int utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n;

	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return -1;
	if (*p == 0xe0)
		lo = 0xa0;
	else if (*p == 0xed)
		hi = 0x9f;
	else if (*p == 0xf0)
		lo = 0x90;
	else if (*p == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return -1;
	for (int i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return -i;
	return n;
}

/* s as a JSON string literal, quotes included */
void sb_json_string(struct strbuf *sb, const char *s);

/* A run of the vmsim tool: the script's session and what the tool adds. */
struct session {
	struct vmsim_session vs;	/* the language's session (script/) */
	const struct tool_opts *opts;
	/* --json: script output and `show report` snapshots, collected */
	struct strbuf out;
	struct strbuf reports;		/* JSON objects, comma separated */
	int nr_reports;
	struct strbuf trace_json;	/* vmsim trace --json: the "trace" object */
	const char *schema;		/* the --json document's (docs/json.md) */
	FILE *events_file;		/* --events-file, opened by session_init */
};

/* session.c: the session with the tool's output, report and trace replay */
void session_init(struct session *s, const struct tool_opts *opts, const char *file);
void session_fini(struct session *s);
/* Output of the tool's own (vmsim trace's summary), where the session's goes. */
__attribute__((format(printf, 2, 3))) void out_printf(struct session *s, const char *fmt, ...);

/* The --json documents' schemas (docs/json.md: every key and its unit). */
#define RUN_SCHEMA	"vmsim-run/1"
#define TRACE_SCHEMA	"vmsim-trace/1"
#define REPORT_SCHEMA	"vmsim-report/1"

/* report.c */
void report_text(struct session *s, struct strbuf *sb);
void report_json(struct session *s, struct strbuf *sb);
/* The closing output of `run`: report (unless quiet), JSON document if --json. */
void session_finish(struct session *s, enum vmsim_run_status st);
void json_config(const struct vmsim_config *cfg, struct strbuf *sb);
const char *paging_name(enum vmsim_paging p);

/* trace.c: memory-access traces (docs/script.md, `trace`) */
#define TRACE_BATCH		4096	/* accesses per vmsim_access_run */
#define TRACE_JOIN_GAP		(64UL * 1024)	/* map auto joins touched pages closer than this */

/* What a replay did; counters are the machine's changes during the replay. */
struct trace_summary {
	enum vmsim_trace_format format;	/* the one used (told, when auto) */
	uint64_t accesses;		/* made */
	uint64_t by_kind[4];		/* made, by enum vmsim_access_kind */
	unsigned long map_regions;	/* map auto: mmap calls made */
	unsigned long map_pages;	/* map auto: pages they mapped */
	long status;			/* 0, VMSIM_KILLED, or -ESRCH */
	unsigned long kill_line;	/* killed: the trace line of the killing access */
	int signo, code;		/* killed: signal and si_code */
	unsigned long fault_addr;
	uint64_t minor_faults, major_faults;
	uint64_t tlb_hits, tlb_misses;
	uint64_t pswpin, pswpout;
	double seconds;			/* the replay pass, wall clock (never printed to stdout) */
};

/*
 * trace_run - replay the trace at @path ("-": standard input; a pipe, a
 * gzip'd or zstd file too) in one pass as process @pid's accesses, in
 * batches of TRACE_BATCH: with @map_auto, before each batch runs, the
 * pages it touches first are mapped (private anonymous, rw-, rwx where
 * fetched; pages closer than TRACE_JOIN_GAP joined into one mapping).
 * 0 with @sum filled (sum->status says whether the process was killed or
 * gone), or -1 with a message in @err ("FILE:LINE: ..." for a bad line;
 * the accesses before it ran).
 */
/* A replay writes the rows of tool_timeline (timeline.h), opening it itself unless a run has. */
int trace_run(vmsim_machine_t *m, int pid, const char *path, enum vmsim_trace_format format,
	      bool map_auto, struct trace_summary *sum, char *err, size_t errlen);

/* main.c: a whole file (or standard input for "-"), NUL-terminated; NULL with errno */
char *read_all(const char *path, size_t *lenp);

/* shell.c */
int shell_main(const struct tool_opts *opts);

/* demo.c */
extern const char demo_script[];

#endif

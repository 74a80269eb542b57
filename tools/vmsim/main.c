/*
 * vmsim: boot a simulated machine running the Linux 2.4 memory manager,
 * run a workload on it and report what the memory manager did.
 * Subcommands (each with --help): run, trace, mrc (mrc.c), sweep (sweep.c),
 * merge (merge.c), trace-convert (trace_bin.c), record (record.c), plot
 * (plot.c), shell, demo, help.  This file holds the command line: flags,
 * usage texts, reading the script.  docs/vmsim.1 is the manual page.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/process.h"
#include "vmsim/trace.h"
#include "tool.h"
#include "mrc.h"
#include "sweep.h"
#include "trace_read.h"
#include "trace_bin.h"
#include "record.h"
#include "timeline.h"
#include "plot.h"

static const char usage_main[] =
"usage: vmsim run [OPTIONS] [SCRIPT | -]\n"
"       vmsim trace [OPTIONS] TRACE\n"
"       vmsim mrc [OPTIONS] TRACE\n"
"       vmsim sweep [OPTIONS] SPEC\n"
"       vmsim merge [OPTIONS] DIR\n"
"       vmsim trace-convert [OPTIONS] IN OUT\n"
"       vmsim record [-o OUT.vmt | --replay [TRACE OPTIONS]] -- PROGRAM [ARGS]\n"
"       vmsim plot [OPTIONS] KIND INPUT\n"
"       vmsim shell [OPTIONS]\n"
"       vmsim demo\n"
"       vmsim help [COMMAND]\n"
"       vmsim --version\n"
"\n"
"Boot a simulated machine running the Linux 2.4 memory manager, run a\n"
"workload on it and see what the memory manager did.\n"
"\n"
"Commands:\n"
"  run     run a script (docs/script.md); - reads standard input; with no\n"
"          SCRIPT, the built-in demo\n"
"  trace   replay a memory-access trace (valgrind lackey, Dinero din, plain)\n"
"          as a process's accesses\n"
"  mrc     miss-ratio curves of a trace: LRU, OPT, FIFO, CLOCK\n"
"  sweep   many runs from a spec file (traces or scripts x sizes x policies\n"
"          x any machine option), here (-j N) or on GNU parallel or Slurm\n"
"  merge   the records of a sweep as one CSV\n"
"  trace-convert  a text trace to vmsim's binary format, or back\n"
"  record  trace PROGRAM with valgrind lackey into a binary trace (or replay it)\n"
"  plot    charts of timelines and miss-ratio curves (gnuplot), pictures of\n"
"          memory: frames by use, buddy free lists, address spaces (SVG)\n"
"  shell   the script language interactively\n"
"  demo    print the built-in demo script\n"
"  help    this text, the help of COMMAND, or of a script command (mmap ...);\n"
"          `vmsim help reclaim` lists the reclaim policies\n"
"\n"
"Run `vmsim help run` for the options and the script commands.\n";

static const char opts_text[] =
"Machine options (a script's first line `machine KEY=VALUE ...` sets them too;\n"
"flags win over it):\n"
"  --ram SIZE           RAM, 16M .. 16G (K, M, G suffixes; default 128M)\n"
"  --nodes N            memory nodes, RAM split evenly, CPUs in equal blocks\n"
"                       (default 1)\n"
"  --paging FORMAT      page tables: i386, pae or x86_64 (default x86_64)\n"
"  --cpus N             simulated CPUs, 1 .. 16 (default 1)\n"
"  --seed N             seed of every random choice (default 1)\n"
"  --tlb N              TLB entries per CPU (default 64)\n"
"  --tlbways N          TLB associativity (default 4)\n"
"  --pcp on|off         per-CPU page lists (default on)\n"
"  --reclaim NAME       reclaim policy: 2.4.10, 2.4.0, fifo ... (vmsim help reclaim;\n"
"                       default 2.4.10)\n"
"  -o, --set KEY=VALUE  any machine option, as on the machine line:\n"
"      spcheck=on|off             2.4's stack-pointer check on stack growth\n"
"      cpu_nodes=0,0,1,1          each CPU's node (default: equal blocks)\n"
"      numa=local|roundrobin      allocations without a memory policy: the\n"
"                                 CPU's node first, or 2.4's node round robin\n"
"      swap=SIZE swapfile=PATH    a swap area at boot (default: a temporary file)\n"
"      fail_page_alloc=N fail_slab=N   fail the Nth allocation after boot\n"
"      fail_io=N                  fail the Nth page of swap or file I/O (-EIO)\n"
"      dirty_background_ratio=10  background writeout above this % of memory\n"
"      dirty_ratio=40             writers throttled above this % (1..100)\n"
"      dirty_expire_centisecs=3000     age at which the periodic pass writes a page\n"
"      dirty_writeback_centisecs=500   period of that pass (0: none)\n"
"      page_cluster=N             swap readahead of 2^N pages, 0..6 (0: off;\n"
"                                 default 3, 2 below 16 MiB of RAM)\n"
"      swappiness=60              anon against file pages in reclaim=splitlru's\n"
"                                 scan balance, 0..200\n"
"      fault_around_bytes=65536   a read fault on a file maps the cached pages\n"
"                                 of this aligned window too (0: off, as 2.4)\n"
"      hostino=off                on: files show the host's device and inode\n"
"                                 numbers (off: the machine's own, 00:20)\n"
"      disk=NAME:PATH:SIZE[:BLOCKSIZE]   block device /dev/NAME on host file PATH\n"
"                                 (in root; empty: temporary), 2.4's buffer cache\n"
"      bdflush=30,500,0,0,500,3000,60,20,0   vm.bdflush, 2.4's nine fields\n"
"      writeback=2.6|2.4          who writes files' dirty pages (default 2.6;\n"
"                                 2.4: bdflush and kupdate)\n"
"      root=DIR|tmp               the host directory the machine's files are\n"
"                                 in (open, exec; default the working directory;\n"
"                                 tmp: a new empty one, removed at the end)\n"
"      overcommit_memory=0|1|2    0 heuristic (default), 1 always, 2 never past\n"
"                                 CommitLimit; overcommit_ratio=50 (% of RAM in\n"
"                                 it) or overcommit_kbytes=N (kB instead)\n"
"  (`show sysctl` prints the writeback, readahead and overcommit values in\n"
"  effect; the script's `sysctl vm.NAME=VALUE` changes the overcommit ones.)\n";

static const char usage_run[] =
"usage: vmsim run [OPTIONS] [SCRIPT | -]\n"
"\n"
"Boot a machine and run SCRIPT (- reads standard input), or with no SCRIPT\n"
"the built-in demo (`vmsim demo` prints it): several processes, mmap and\n"
"munmap, fork and copy-on-write, stack growth, brk, mlock and an mprotect\n"
"violation ending in SIGSEGV, each command explained.  Each command prints\n"
"one line; a report closes the run (not the demo's: `show report`).\n"
"\n"
"Output options:\n"
"  --json               one JSON document: configuration, seed, the\n"
"                       script's output lines, reports (units in key names)\n"
"  -q, --quiet          leave the closing report out (script output only)\n"
"  --explain            under each command's result: the kernel's path in\n"
"                       Linux's function names, pages, frames, and why (as\n"
"                       the script command `explain on`)\n"
"  --events LIST        print the kernel events LIST selects as they happen,\n"
"                       as trace_pipe lines: set_event globs, comma-separated\n"
"                       (kmem:*, mm_vmscan_*, exceptions:page_fault_user, all;\n"
"                       the script command `show events` lists them)\n"
"  --events-file FILE   the events to FILE instead of standard output\n"
"  --events-format text|json   trace_pipe lines (the default) or JSON lines\n"
"  --timeline FILE.csv  the machine's counters as CSV (docs/script.md): a row\n"
"                       as booted, after the command that passes each sample\n"
"                       point of --every, and at the end\n"
"  --every N|Nms        sample points: every N accesses (TLB lookups; default\n"
"                       100000) or N ms of virtual time (also Ns, Nus)\n"
"  --plot-every DIR     a picture after every command (physical memory, buddy\n"
"                       lists, address spaces: DIR/step-NNNN.svg, DIR/index.html;\n"
"                       docs/plot.md)\n"
"  -h, --help           this text\n"
"\n"
"%s"
"\n"
"Exit status: 0 success, 1 an expect failed, 2 a bad flag or script line\n"
"(FILE:LINE: message on standard error).\n"
"\n"
"Script commands (A, B: process names; docs/script.md):\n";

static const char usage_trace[] =
"usage: vmsim trace [OPTIONS] TRACE\n"
"\n"
"Boot a machine, spawn a process, map the pages TRACE touches and replay its\n"
"accesses through the MMU and TLB as the process's own loads, stores and\n"
"instruction fetches.  Prints a summary (accesses by kind, faults, TLB\n"
"hits and misses, pages swapped) and the report `run` closes with; the\n"
"replay rate goes to standard error.  Formats (docs/script.md):\n"
"  lackey   valgrind --tool=lackey --trace-mem=yes: 'I  ADDR,SIZE', ' L|S|M ADDR,SIZE'\n"
"  din      Dinero III: 'LABEL ADDRESS', 0 read, 1 write, 2 fetch (4 bytes)\n"
"  plain    'R|W|X|M ADDR [SIZE]' (hex ADDR, SIZE default 1), # comments\n"
"  binary   vmsim's own (vmsim trace-convert, vmsim record; docs/trace-format.md),\n"
"           told by its first bytes whatever --format says\n"
"\n"
"Trace options:\n"
"  --format FORMAT      auto (the default: told from the first access line),\n"
"                       lackey, din or plain\n"
"  --map auto|none      auto (the default): each page is mapped on its first\n"
"                       touch as private anonymous memory (rw-, rwx where\n"
"                       fetched; new pages less than 64 KiB apart share one\n"
"                       mapping); none: nothing is mapped, so every access\n"
"                       faults SIGSEGV\n"
"  --progress WHEN      auto (the default: when standard error is a terminal,\n"
"                       one line refreshed in place), always (also plain\n"
"                       lines to a file or pipe, every 2 s and at the end)\n"
"                       or never: accesses, percent of the input, rate, ETA\n"
"  --timeline FILE.csv  counters (docs/script.md) as a CSV row every --every N\n"
"                       accesses (default 100000; Nms: virtual milliseconds),\n"
"                       at the start and the end\n"
"TRACE is a file, or - (standard input, a pipe: read once as it comes); a\n"
"gzip'd or zstd file is decompressed as it is read (told by its first bytes).\n"
"\n"
"Output options:\n"
"  --json               one JSON document (as run's, with a \"trace\" object)\n"
"  -q, --quiet          leave the closing report out\n"
"  -h, --help           this text\n"
"\n"
"%s"
"\n"
"Exit status: 0 the trace ran (also when the process was killed), 2 a bad\n"
"flag, an unreadable trace or a bad line (FILE:LINE: message).\n";

static const char usage_shell[] =
"usage: vmsim shell [OPTIONS]\n"
"\n"
"The script language interactively on a machine booted at the start (a\n"
"banner says which, on a terminal; a `machine` line before the first spawn\n"
"boots it again).  With readline: line editing and TAB completion of\n"
"commands, process names, show forms, machine options and files.  The\n"
"lines typed are kept in $VMSIM_HISTORY or ~/.vmsim_history (at most\n"
"VMSIM_HISTSIZE, 1000), recalled with Up.  Errors are reported, with the\n"
"nearest command for a typo, and the shell goes on.  Extra words: `help\n"
"[WORD]`, `history`, `quit` (or end of input).\n"
"\n"
"  -q, --quiet          no banner\n"
"  --no-history         keep no history file (also: VMSIM_HISTORY= empty)\n"
"  --explain, --events LIST, --events-file FILE, --events-format text|json\n"
"                       as for run (`explain on`, `events LIST` in the shell)\n"
"  -h, --help           this text\n"
"\n"
"%s";

static const char usage_demo[] =
"usage: vmsim demo\n"
"\n"
"Print the built-in demo script (what `vmsim run` runs with no SCRIPT), to\n"
"read or to edit and run with `vmsim run FILE`.\n";

static void print_usage(FILE *f, const char *cmd)
{
	if (cmd && !strcmp(cmd, "run")) {
		fprintf(f, usage_run, opts_text);
		vmsim_cmd_print_usages(f, "  ");
	}
	else if (cmd && !strcmp(cmd, "shell"))
		fprintf(f, usage_shell, opts_text);
	else if (cmd && !strcmp(cmd, "trace"))
		fprintf(f, usage_trace, opts_text);
	else if (cmd && !strcmp(cmd, "demo"))
		fputs(usage_demo, f);
	else if (cmd && !strcmp(cmd, "mrc"))
		fputs(mrc_usage_text, f);
	else if (cmd && !strcmp(cmd, "sweep"))
		fputs(sweep_usage_text, f);
	else if (cmd && !strcmp(cmd, "merge"))
		fputs(merge_usage_text, f);
	else if (cmd && !strcmp(cmd, "trace-convert"))
		fputs(trace_convert_usage, f);
	else if (cmd && !strcmp(cmd, "record"))
		fputs(record_usage, f);
	else if (cmd && !strcmp(cmd, "plot"))
		fputs(plot_usage_text, f);
	else
		fputs(usage_main, f);
}

/* `vmsim help reclaim`: each policy's name and what it follows. */
static void print_reclaim_policies(FILE *f)
{
	const char *name, *follows;

	fputs("Reclaim policies (--reclaim NAME, -o reclaim=NAME, machine reclaim=NAME):\n", f);
	for (unsigned int i = 0; !vmsim_reclaim_policy(i, &name, &follows); i++)
		fprintf(f, "  %-10s %s\n", name, follows);
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "vmsim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n\n");
	print_usage(stderr, cmd);
	return EXIT_USAGE;
}

/* The command words, for "did you mean" after a typo. */
static const char *const subcommands[] = {
	"run", "trace", "mrc", "sweep", "merge", "trace-convert", "record", "plot", "shell", "demo",
	"help", NULL
};

/* "vmsim: WHAT 'WORD'; did you mean 'NEAR'?" (no question without @near), then the usage. */
static int unknown_word(const char *what, const char *word, const char *near)
{
	char msg[256];

	if (near)
		snprintf(msg, sizeof(msg), "%s '%s'; did you mean '%s'?", what, word, near);
	else
		snprintf(msg, sizeof(msg), "%s '%s'", what, word);
	return usage_error(NULL, "%s", msg);
}

/* A flag with a bad value: the flag as given, what is wrong, where the help is. */
static int value_error(const char *cmd, const char *flag, const char *val, const char *msg)
{
	fprintf(stderr, "vmsim: %s %s: %s\n", flag, val, msg);
	fprintf(stderr, "Run 'vmsim help %s' for the options.\n", cmd ? cmd : "run");
	return EXIT_USAGE;
}

/* The flags: getopt_long's table.  --ram etc. are the machine keys that
 * have a flag of their own (OPT_MACHINE + their index in machine_flags). */
enum { OPT_VERSION = 256, OPT_JSON, OPT_FORMAT, OPT_MAP, OPT_PROGRESS, OPT_TIMELINE, OPT_EVERY,
       OPT_EVENTS, OPT_EVENTS_FILE, OPT_EVENTS_FORMAT, OPT_EXPLAIN, OPT_PLOT_EVERY, OPT_NO_HISTORY,
       OPT_MACHINE };
static const char short_opts[] = ":hqo:";
static const char *const machine_flags[] = {
	"ram", "nodes", "paging", "cpus", "seed", "tlb", "tlbways", "pcp", "reclaim", NULL
};
static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "set", required_argument, NULL, 'o' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "timeline", required_argument, NULL, OPT_TIMELINE },
	{ "every", required_argument, NULL, OPT_EVERY },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "events-file", required_argument, NULL, OPT_EVENTS_FILE },
	{ "events-format", required_argument, NULL, OPT_EVENTS_FORMAT },
	{ "explain", no_argument, NULL, OPT_EXPLAIN },
	{ "plot-every", required_argument, NULL, OPT_PLOT_EVERY },
	{ "no-history", no_argument, NULL, OPT_NO_HISTORY },
	{ "ram", required_argument, NULL, OPT_MACHINE + 0 },
	{ "nodes", required_argument, NULL, OPT_MACHINE + 1 },
	{ "paging", required_argument, NULL, OPT_MACHINE + 2 },
	{ "cpus", required_argument, NULL, OPT_MACHINE + 3 },
	{ "seed", required_argument, NULL, OPT_MACHINE + 4 },
	{ "tlb", required_argument, NULL, OPT_MACHINE + 5 },
	{ "tlbways", required_argument, NULL, OPT_MACHINE + 6 },
	{ "pcp", required_argument, NULL, OPT_MACHINE + 7 },
	{ "reclaim", required_argument, NULL, OPT_MACHINE + 8 },
	{ NULL, 0, NULL, 0 }
};

/*
 * The flag getopt_long just returned (@c), as the user spelled it: "--ram"
 * for --ram 8M and --ram=8M, "-o" for -o, -oKEY=V and -qo KEY=V.
 */
static const char *flag_text(char *buf, size_t len, int c, char *const argv[])
{
	const char *a = argv[optind - 1];

	if (optarg && optarg == a && optind >= 2)	/* the value was the next word */
		a = argv[optind - 2];
	if (!strncmp(a, "--", 2))
		snprintf(buf, len, "%.*s", (int)strcspn(a, "="), a);
	else
		snprintf(buf, len, "-%c", c);
	return buf;
}

/* Whether "NAME[=...]" names the long flag whose value is @val. */
static bool long_flag_is(const char *name, int val)
{
	size_t n = strcspn(name, "=");

	for (const struct option *lo = long_opts; lo->name; lo++)
		if (lo->val == val && strlen(lo->name) == n && !strncmp(lo->name, name, n))
			return true;
	return false;
}

/* getopt_long's '?' and ':' (opterr is off): which flag, and what is wrong. */
static int flag_error(const char *cmd, int c, char *const argv[])
{
	const char *a = argv[optind - 1];
	char flag[64];

	/* a long flag (optopt 0: unknown), or a short one in a cluster ("-qx") */
	if (!strncmp(a, "--", 2) && (!optopt || long_flag_is(a + 2, optopt)))
		snprintf(flag, sizeof(flag), "%.*s", (int)strcspn(a, "="), a);
	else
		snprintf(flag, sizeof(flag), "-%c", optopt);
	if (c == ':')
		return usage_error(cmd, "option '%s' needs a value", flag);
	if (optopt && strchr(a, '=') && !strncmp(a, "--", 2))	/* --json=1 */
		return usage_error(cmd, "option '%s' takes no value", flag);
	return usage_error(cmd, "unknown option '%s'", flag);
}

static int add_opt(struct tool_opts *o, const char *cmd, const char *flag, const char *key,
		   const char *val)
{
	struct vmsim_config scratch;
	char err[200], given[300];

	/* the value as given: --ram 8M, but -o ram=8M */
	if (flag[1] == '-' && strcmp(flag, "--set"))
		snprintf(given, sizeof(given), "%s", val);
	else
		snprintf(given, sizeof(given), "%s=%s", key, val);
	if (o->nr_opts == MAX_OPTS)
		return usage_error(cmd, "too many machine options%s", "");
	vmsim_config_default(&scratch);
	err[0] = 0;
	if (!strcmp(key, "root")) {	/* the session's own key (script/session.c, script_set_root) */
		if (!val[0])
			return value_error(cmd, flag, given, "root= wants a directory or tmp");
	} else if (vmsim_config_set(&scratch, key, val, err, sizeof(err)) ||
		   vmsim_config_check(&scratch, key, err, sizeof(err))) {
		const char *near = vmsim_option_suggest(key);

		if (near)	/* a mistyped key */
			snprintf(err + strlen(err), sizeof(err) - strlen(err),
				 "; did you mean '%s'?", near);
		return value_error(cmd, flag, given, err[0] ? err : "bad machine option");
	}
	o->opt_keys[o->nr_opts] = key;
	o->opt_values[o->nr_opts] = val;
	o->nr_opts++;
	return 0;
}

/* Read a whole file (or stdin for "-") into a malloc'd buffer (tool.h). */
char *read_all(const char *path, size_t *lenp)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? 2 * cap : 65536;
			char *nb = ncap > cap ? realloc(buf, ncap + 1) : NULL;
			if (!nb) {
				free(buf);
				if (f != stdin)
					fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap = ncap;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno ? errno : EIO;
		free(buf);
		if (f != stdin)
			fclose(f);
		errno = e;
		return NULL;
	}
	if (f != stdin)
		fclose(f);
	buf[len] = 0;
	*lenp = len;
	return buf;
}

static int cmd_run(const struct tool_opts *opts, const char *script)
{
	struct tool_opts demo_opts;
	struct session s;
	const char *file, *text;
	char *buf = NULL;
	size_t len;
	enum vmsim_run_status st;

	if (script) {
		buf = read_all(script, &len);
		if (!buf) {
			fprintf(stderr, "vmsim: cannot read %s: %s\n", script, strerror(errno));
			if (opts->json) {	/* still one document, with the error */
				session_init(&s, opts, script);
				snprintf(s.vs.error, sizeof(s.vs.error), "cannot read %s: %s", script,
					 strerror(errno));
				session_finish(&s, VMSIM_RUN_ERROR);
				session_fini(&s);
			}
			return EXIT_USAGE;
		}
		text = buf;
		file = strcmp(script, "-") ? script : "<stdin>";
	} else {
		text = demo_script;
		len = strlen(demo_script);
		file = "<demo>";
		/* the demo's own views end it: short enough to read (`show report` adds it) */
		demo_opts = *opts;
		demo_opts.quiet = demo_opts.quiet || !opts->json;
		opts = &demo_opts;
	}
	session_init(&s, opts, file);
	if (tool_timeline.path || opts->plot_dir)	/* a row or a picture between commands */
		st = run_stepped(&s, text, len, PLOT_ALL, opts->plot_dir ? 1 : 0, opts->plot_dir);
	else
		st = vmsim_session_run_text(&s.vs, text, len);
	session_finish(&s, st);
	session_fini(&s);
	free(buf);
	return st == VMSIM_RUN_OK ? 0 : st == VMSIM_RUN_EXPECT_FAILED ? EXIT_EXPECT : EXIT_USAGE;
}

/* The summary of a replay: three lines of output, and the JSON object. */
static void trace_print(struct session *s, const char *name, const struct trace_summary *t)
{
	static const char *const kinds[] = { "load", "store", "modify", "fetch" };
	uint64_t lookups = t->tlb_hits + t->tlb_misses;
	long rate = lookups ? (long)((t->tlb_hits * 20000 + lookups) / (2 * lookups)) : -1;
	char ratebuf[32];
	struct strbuf *j = &s->trace_json;

	if (rate >= 0)
		snprintf(ratebuf, sizeof(ratebuf), "%ld.%02ld", rate / 100, rate % 100);
	else
		snprintf(ratebuf, sizeof(ratebuf), "-");
	out_printf(s, "trace %s: format %s, map %s", name, vmsim_trace_format_name(t->format),
		   s->opts->map_none ? "none" : "auto");
	if (!s->opts->map_none)
		out_printf(s, ": %lu mappings, %lu pages", t->map_regions, t->map_pages);
	out_printf(s, "\ntrace %s: %llu accesses: %llu fetch, %llu load, %llu store, %llu modify\n",
		   name, (unsigned long long)t->accesses,
		   (unsigned long long)t->by_kind[VMSIM_ACCESS_FETCH],
		   (unsigned long long)t->by_kind[VMSIM_ACCESS_LOAD],
		   (unsigned long long)t->by_kind[VMSIM_ACCESS_STORE],
		   (unsigned long long)t->by_kind[VMSIM_ACCESS_MODIFY]);
	out_printf(s, "trace %s: faults %llu minor, %llu major; tlb %llu hits, %llu misses, "
		   "hit rate %s%s; swap %llu pages in, %llu out\n", name,
		   (unsigned long long)t->minor_faults, (unsigned long long)t->major_faults,
		   (unsigned long long)t->tlb_hits, (unsigned long long)t->tlb_misses, ratebuf,
		   rate >= 0 ? "%" : "", (unsigned long long)t->pswpin,
		   (unsigned long long)t->pswpout);
	if (t->status == VMSIM_KILLED) {
		const char *sig = vmsim_signal_name(t->signo);
		const char *code = vmsim_sicode_name(t->signo, t->code);

		out_printf(s, "trace %s: killed by %s", name, sig ? sig : "a signal");
		if (code && t->signo != 9)
			out_printf(s, " (%s) at 0x%lx", code, t->fault_addr);
		out_printf(s, ", line %lu\n", t->kill_line);
	}

	sb_puts(j, "{\"file\": ");
	sb_json_string(j, name);
	sb_printf(j, ", \"format\": \"%s\", \"map\": \"%s\", \"map_regions\": %lu, "
		  "\"map_pages\": %lu, \"accesses\": %llu",
		  vmsim_trace_format_name(t->format), s->opts->map_none ? "none" : "auto",
		  t->map_regions, t->map_pages, (unsigned long long)t->accesses);
	for (int k = 0; k < 4; k++)
		sb_printf(j, ", \"%s_accesses\": %llu", kinds[k], (unsigned long long)t->by_kind[k]);
	sb_printf(j, ", \"minor_faults\": %llu, \"major_faults\": %llu, \"tlb_hits\": %llu, "
		  "\"tlb_misses\": %llu, \"tlb_hit_rate_percent\": %s, \"swapped_in_pages\": %llu, "
		  "\"swapped_out_pages\": %llu, \"killed\": %s",
		  (unsigned long long)t->minor_faults, (unsigned long long)t->major_faults,
		  (unsigned long long)t->tlb_hits, (unsigned long long)t->tlb_misses,
		  rate >= 0 ? ratebuf : "null", (unsigned long long)t->pswpin,
		  (unsigned long long)t->pswpout, t->status == VMSIM_KILLED ? "true" : "false");
	if (t->status == VMSIM_KILLED)
		sb_printf(j, ", \"kill_line\": %lu", t->kill_line);
	sb_putc(j, '}');
}

/*
 * The machine the flags describe with nothing else (trace has no machine
 * line): options that are fine alone but not together (--tlbways above
 * --tlb, --nodes for too little --ram) are a bad flag, not the trace's
 * fault.  0 or EXIT_USAGE.
 */
static int flags_config_check(const struct tool_opts *o, const char *cmd)
{
	struct vmsim_config cfg;
	char err[200];

	vmsim_config_default(&cfg);
	for (int i = 0; i < o->nr_opts; i++)	/* each one was checked alone */
		if (strcmp(o->opt_keys[i], "root"))
			(void)vmsim_config_set(&cfg, o->opt_keys[i], o->opt_values[i], err, sizeof(err));
	if (!vmsim_config_validate(&cfg, err, sizeof(err)))
		return 0;
	fprintf(stderr, "vmsim: the machine flags together: %s\n", err);
	fprintf(stderr, "Run 'vmsim help %s' for the options.\n", cmd);
	return EXIT_USAGE;
}

/* vmsim trace: boot, spawn, map, replay, summary and report. */
static int cmd_trace(const struct tool_opts *opts, const char *path)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct trace_summary sum;
	struct session s;
	enum vmsim_run_status st;
	char err[512];
	int pid;

	if ((st = flags_config_check(opts, "trace")))
		return st;
	session_init(&s, opts, name);
	s.schema = TRACE_SCHEMA;
	s.vs.line = 1;
	st = vmsim_session_boot(&s.vs);
	if (st != VMSIM_RUN_OK)
		goto out;
	pid = vmsim_session_spawn(&s.vs, "trace");
	if (pid <= 0) {
		vmsim_session_error(&s.vs, "cannot spawn the process: %s", strerror(-pid));
		st = VMSIM_RUN_ERROR;
		goto out;
	}
	if (trace_run(s.vs.m, pid, path, opts->format, !opts->map_none, &sum, err, sizeof(err))) {
		fflush(stdout);
		fprintf(stderr, "%s\n", err);
		snprintf(s.vs.error, sizeof(s.vs.error), "%s", err);	/* the --json "error" */
		st = VMSIM_RUN_ERROR;
		goto out;
	}
	trace_print(&s, name, &sum);
	if (!opts->json)
		fflush(stdout);
	fprintf(stderr, "trace %s: %llu accesses in %.3f s: %.2f M accesses/s\n", name,
		(unsigned long long)sum.accesses, sum.seconds,
		sum.seconds > 0 ? (double)sum.accesses / sum.seconds / 1e6 : 0.0);
out:
	session_finish(&s, st);
	session_fini(&s);
	return st == VMSIM_RUN_OK ? 0 : EXIT_USAGE;
}

/* The arguments that are not flags: the command, then a script, trace or help topic. */
static int take_word(const char **cmd, const char **script, const char *a)
{
	if (!*cmd) {
		*cmd = a;
		if (!strcmp(a, "mrc"))	/* flags before it (main runs a first "mrc") */
			return usage_error("mrc", "mrc's options go after mrc%s", "");
		if (!strcmp(a, "sweep") || !strcmp(a, "merge") || !strcmp(a, "plot"))	/* as mrc */
			return usage_error(a, "the options go after the command%s", "");
		if (strcmp(a, "run") && strcmp(a, "shell") && strcmp(a, "trace") &&
		    strcmp(a, "help") && strcmp(a, "demo"))
			return unknown_word("unknown command", a, vmsim_suggest(a, subcommands));
	} else if (!*script && (!strcmp(*cmd, "run") || !strcmp(*cmd, "help") ||
				!strcmp(*cmd, "trace"))) {
		*script = a;
	} else {
		return usage_error(*cmd, "unexpected argument '%s'", a);
	}
	return 0;
}

/* One flag getopt_long returned; 0, an exit status, or -1 for --version. */
static int take_flag(struct tool_opts *o, const char *cmd, int c, char *const argv[],
		     bool *help)
{
	char flag[64];

	switch (c) {
	case 'h':
		*help = true;
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_VERSION:
		return -1;
	case 'o': {
		/* argv lives until exit: split KEY=VALUE in place */
		char *eq = strchr(optarg, '=');

		flag_text(flag, sizeof(flag), c, argv);
		if (!eq || eq == optarg)
			return usage_error(cmd, "expected KEY=VALUE, got '%s'", optarg);
		*eq = 0;
		return add_opt(o, cmd, flag, optarg, eq + 1);
	}
	case OPT_FORMAT: {
		int f = vmsim_trace_format_parse(optarg);

		if (!cmd || strcmp(cmd, "trace"))
			return usage_error(cmd, "--format is for trace%s", "");
		if (f < 0)
			return value_error(cmd, "--format", optarg,
					   "wants auto, lackey, din or plain");
		o->format = (enum vmsim_trace_format)f;
		return 0;
	}
	case OPT_MAP:
		if (!cmd || strcmp(cmd, "trace"))
			return usage_error(cmd, "--map is for trace%s", "");
		if (strcmp(optarg, "auto") && strcmp(optarg, "none"))
			return value_error(cmd, "--map", optarg, "wants auto or none");
		o->map_none = !strcmp(optarg, "none");
		return 0;
	case OPT_TIMELINE:
	case OPT_EVERY: {
		uint64_t v;

		bool by_time;

		if (!cmd || (strcmp(cmd, "trace") && strcmp(cmd, "run")))
			return usage_error(cmd, "--timeline and --every are for run and trace%s", "");
		if (c == OPT_TIMELINE) {
			tool_timeline.path = optarg;
			tool_timeline.every += !tool_timeline.every * 100000;
			return 0;
		}
		if (timeline_parse_every(optarg, &v, &by_time))
			return value_error(cmd, "--every", optarg,
					   "wants a number of accesses, or Nms of virtual time");
		tool_timeline.every = v;
		tool_timeline.by_time = by_time;
		return 0;
	}
	case OPT_PROGRESS:
		if (!cmd || strcmp(cmd, "trace"))
			return usage_error(cmd, "--progress is for trace and mrc%s", "");
		if (trace_progress_parse(optarg))
			return value_error(cmd, "--progress", optarg, "wants auto, always or never");
		return 0;
	case OPT_EVENTS: {
		char err[200];

		if (vmsim_events_parse(optarg, &o->events_mask, err, sizeof(err)))
			return value_error(cmd, "--events", optarg, err);
		return 0;
	}
	case OPT_EVENTS_FILE: {
		FILE *f = fopen(optarg, "a");	/* can it be written? (session_init truncates) */

		if (!f)
			return value_error(cmd, "--events-file", optarg, strerror(errno));
		fclose(f);
		o->events_file = optarg;
		return 0;
	}
	case OPT_EVENTS_FORMAT:
		if (strcmp(optarg, "text") && strcmp(optarg, "json"))
			return value_error(cmd, "--events-format", optarg, "wants text or json");
		o->events_json = !strcmp(optarg, "json");
		return 0;
	case OPT_EXPLAIN:
		o->explain = true;
		return 0;
	case OPT_PLOT_EVERY:
		if (!cmd || strcmp(cmd, "run"))
			return usage_error(cmd, "--plot-every is for run%s", "");
		o->plot_dir = optarg;
		return 0;
	case OPT_NO_HISTORY:
		if (cmd && strcmp(cmd, "shell"))
			return usage_error(cmd, "--no-history is for shell%s", "");
		o->no_history = true;
		return 0;
	case '?':
	case ':':
		return flag_error(cmd, c, argv);
	default:
		return add_opt(o, cmd, flag_text(flag, sizeof(flag), c, argv),
			       machine_flags[c - OPT_MACHINE], optarg);
	}
}

/*
 * The command line, with getopt_long: flags before the command (up to the
 * first word), then the command's own, anywhere after it (GNU permutes).
 * Combined short flags (-qo ram=64M), --flag=VALUE and --flag VALUE, and
 * "--" (the rest are words) work as everywhere.  0, or an exit status.
 */
static int parse_args(int argc, char **argv, struct tool_opts *o, const char **cmd,
		      const char **script, bool *help)
{
	int c, ret, first;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:hqo:", long_opts, NULL)) != -1)
		if ((ret = take_flag(o, NULL, c, argv, help)))
			return ret;
	if (optind >= argc)
		return 0;
	first = optind;
	if ((ret = take_word(cmd, script, argv[first])))
		return ret;
	if (!strcmp(argv[first - 1], "--") && first > 1) {	/* no flags after "--" */
		for (int i = first + 1; i < argc; i++)
			if ((ret = take_word(cmd, script, argv[i])))
				return ret;
		return 0;
	}
	/* the command's flags: argv + first is an argument vector of its own */
	optind = 0;
	while ((c = getopt_long(argc - first, argv + first, short_opts, long_opts, NULL)) != -1)
		if ((ret = take_flag(o, *cmd, c, argv + first, help)))
			return ret;
	for (int i = optind; i < argc - first; i++)
		if ((ret = take_word(cmd, script, argv[first + i])))
			return ret;
	return 0;
}

int main(int argc, char **argv)
{
	struct tool_opts opts;
	const char *cmd = NULL, *script = NULL;
	bool help = false;
	int ret;

	memset(&opts, 0, sizeof(opts));
	/*
	 * A host file-size limit (ulimit -f) makes the write that passes it
	 * fail with EFBIG, which the run reports (a swap file that cannot
	 * take its size, a page the disk cannot write), instead of killing
	 * the tool with SIGXFSZ.
	 */
	signal(SIGXFSZ, SIG_IGN);
	if (argc > 1 && !strcmp(argv[1], "mrc")) {	/* mrc.c parses its own flags */
		mrc_kernel_runs = sweep_mrc;		/* --reclaim: a sweep */
		return mrc_main(argc - 1, argv + 1, stdout, stderr);
	}
	if (argc > 1 && !strcmp(argv[1], "sweep"))	/* sweep.c and merge.c: their own flags */
		return sweep_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "merge"))
		return merge_main(argc - 1, argv + 1, stdout, stderr);
	if (argc > 1 && !strcmp(argv[1], "trace-convert"))
		return trace_convert_main(argc - 1, argv + 1, stdout, stderr);
	if (argc > 1 && !strcmp(argv[1], "record"))
		return record_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "plot"))	/* plot.c: its own flags */
		return plot_main(argc - 1, argv + 1);
	ret = parse_args(argc, argv, &opts, &cmd, &script, &help);
	if (ret == -1) {
		printf("vmsim %s\n", VMSIM_VERSION);
		return 0;
	}
	if (ret)
		return ret;
	if (help) {
		print_usage(stdout, cmd && strcmp(cmd, "help") ? cmd : script);
		return 0;
	}
	if (!cmd)
		return usage_error(NULL, "no command given%s", "");
	if (!strcmp(cmd, "help")) {
		if (script && !strcmp(script, "reclaim")) {
			print_reclaim_policies(stdout);
			return 0;
		}
		if (script && strcmp(script, "run") && strcmp(script, "shell") &&
		    strcmp(script, "trace") && strcmp(script, "mrc") &&
		    strcmp(script, "sweep") && strcmp(script, "merge") &&
		    strcmp(script, "trace-convert") && strcmp(script, "record") &&
		    strcmp(script, "plot") &&
		    strcmp(script, "demo") && strcmp(script, "help")) {
			/* a script command: its row of the command table */
			const struct vmsim_cmd_def *d = vmsim_cmd_find(script);

			if (!d)
				return unknown_word("no help for", script,
						    vmsim_cmd_suggest(script) ? vmsim_cmd_suggest(script) :
						    vmsim_suggest(script, subcommands));
			vmsim_cmd_print_help(d, stdout);
			return 0;
		}
		print_usage(stdout, script);
		return 0;
	}
	if (!strcmp(cmd, "demo")) {
		if (opts.nr_opts || opts.json || opts.quiet)
			return usage_error("demo", "demo takes no options%s", "");
		fputs(demo_script, stdout);
		return 0;
	}
	if (!strcmp(cmd, "shell")) {
		if (opts.json)
			return usage_error("shell", "--json is for run%s", "");
		return shell_main(&opts);
	}
	if (!strcmp(cmd, "trace")) {
		if (!script)
			return usage_error("trace", "no TRACE file given%s", "");
		return cmd_trace(&opts, script);
	}
	return cmd_run(&opts, script);
}

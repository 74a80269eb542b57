/*
 * `vmsim shell`: the script language one line at a time, for exploring
 * (docs/script.md, The shell).  The machine boots at the start (a banner
 * says which, on a terminal); a `machine` line before the first process
 * boots it again with its options.  Completion (shell_complete.c, from the
 * command table) and line editing come from readline when the build found
 * it (HAVE_READLINE, detected by the Makefile); the history is kept across
 * sessions either way (shell_history.c).  A bad line or a failed expect is
 * reported, with the nearest word when one was mistyped, and the session
 * goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vmsim/stats.h"
#include "tool.h"
#include "shell.h"

#ifdef HAVE_READLINE
#include <readline/readline.h>
#endif

/* The shell's own words: what `help WORD` says of them. */
static const char *const extra_help[][2] = {
	{ "help", "help [WORD]: every command's usage, or one command's with its example" },
	{ "history", "history: the lines typed, in this session and earlier ones" },
	{ "quit", "quit (or exit, or end of input): leave the shell" },
	{ "exit", "exit (or quit, or end of input): leave the shell" },
};

/* `help`: every command of the language (from the command table). */
static void shell_help(void)
{
	puts("Commands (docs/script.md has the details; `help WORD` shows one with an example):");
	vmsim_cmd_print_usages(stdout, "  ");
	puts("  help [WORD], history, quit");
#ifdef HAVE_READLINE
	puts("TAB completes commands, process names, show forms, machine options and files.");
#endif
}

/* `help WORD`: the row's usage, summary and example; the nearest word if none. */
static void shell_help_word(struct session *s, const char *word)
{
	const struct vmsim_cmd_def *d = vmsim_cmd_find(word);
	const char *near;

	if (d) {
		vmsim_cmd_print_help(d, stdout);
		return;
	}
	for (size_t i = 0; i < sizeof(extra_help) / sizeof(extra_help[0]); i++)
		if (!strcmp(extra_help[i][0], word)) {
			puts(extra_help[i][1]);
			return;
		}
	near = vmsim_cmd_suggest(word);
	if (near)
		vmsim_session_error(&s->vs, "no command '%s'; did you mean '%s'? (help lists them)",
				    word, near);
	else
		vmsim_session_error(&s->vs, "no command '%s' (help lists them)", word);
}

/* The first two words of @line (64 bytes each, "" when missing): how many. */
static int line_words(const char *line, char *w0, char *w1)
{
	char *copy = strndup(line, strcspn(line, "#"));
	int n;

	w0[0] = w1[0] = 0;
	n = copy ? sscanf(copy, "%63s %63s", w0, w1) : 0;
	free(copy);
	return n < 0 ? 0 : n;
}

/* "128M RAM (DMA 16M, Normal 112M), 1 CPU, x86_64 paging (4 levels), reclaim 2.4.10, no swap" */
static void describe_machine(struct session *s, char *buf, size_t len)
{
	const struct vmsim_config *cfg = vmsim_machine_config(s->vs.m);
	static const int levels[] = { [VMSIM_PAGING_I386] = 2, [VMSIM_PAGING_PAE] = 3,
				      [VMSIM_PAGING_X86_64] = 4 };
	struct vmsim_zone_stats z;
	char zones[256] = "", swap[32] = "no swap";
	size_t k = 0;

	for (int i = 0; k < sizeof(zones) && !vmsim_zone_stats(s->vs.m, i, &z); i++) {
		char node[16] = "";

		if (cfg->nodes > 1)
			snprintf(node, sizeof(node), "node %d ", z.node);
		k += (size_t)snprintf(zones + k, sizeof(zones) - k, "%s%s%s %luM", i ? ", " : "",
				      node, z.name, z.spanned_pages >> 8);
	}
	if (cfg->swap_bytes)
		snprintf(swap, sizeof(swap), "swap %lluK", (unsigned long long)(cfg->swap_bytes >> 10));
	snprintf(buf, len, "%lluM RAM (%s), %d CPU%s, %s paging (%d levels), reclaim %s, %s",
		 (unsigned long long)(cfg->ram_bytes >> 20), zones, cfg->cpus,
		 cfg->cpus > 1 ? "s" : "", paging_name(cfg->paging), levels[cfg->paging],
		 vmsim_config_reclaim(cfg), swap);
}

static void print_machine(struct session *s, const char *how)
{
	char desc[512];

	if (!s->vs.m)
		return;
	describe_machine(s, desc, sizeof(desc));
	printf("%s: %s\n", how, desc);
}

/*
 * A `machine` line: the shell booted its machine at the start, so the
 * line boots it again with the line's options, while no process and no
 * kernel allocation would be lost.
 */
static void shell_machine(struct session *s, const struct tool_opts *opts,
			  const struct vmsim_cmd *c, int lineno, bool verbose)
{
	uint64_t mask = s->vs.events_mask;
	bool json = s->vs.events_json, explain = s->vs.explain;

	if (s->vs.nr_procs || s->vs.nr_khandles) {
		vmsim_session_error(&s->vs, "machine: the shell's machine has processes now; "
				    "`machine` comes before the first spawn (or give the options "
				    "as flags: vmsim shell --ram 64M -o KEY=VALUE)");
		return;
	}
	session_fini(s);
	session_init(s, opts, "<stdin>");
	s->vs.events_mask = mask;
	s->vs.events_json = json;
	s->vs.explain = explain;
	s->vs.line = lineno;
	if (vmsim_session_run_cmd(&s->vs, c, lineno) == VMSIM_RUN_OK &&
	    vmsim_session_boot(&s->vs) == VMSIM_RUN_OK && verbose)
		print_machine(s, "Machine booted again");
}

/* One line of input (malloc'd, no newline), or NULL at the end. */
static char *next_line(bool tty)
{
#ifdef HAVE_READLINE
	if (tty)
		return readline("vmsim> ");
#endif
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		fputs("vmsim> ", stdout);
		fflush(stdout);
	}
	n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = 0;
	return line;
}

static bool is_quit(const char *line)
{
	char w0[64], w1[64];

	return line_words(line, w0, w1) == 1 && (!strcmp(w0, "quit") || !strcmp(w0, "exit"));
}

/* The shell's own words (help, history, quit): true when @line was one. */
static bool shell_word(struct session *s, struct shell_history *h, const char *line,
		       bool *quit)
{
	char w0[64], w1[64];
	int n = line_words(line, w0, w1);

	if (is_quit(line)) {
		*quit = true;
		return true;
	}
	if (n == 1 && !strcmp(w0, "history")) {
		shell_history_print(h, stdout);
		return true;
	}
	if (n >= 1 && !strcmp(w0, "help")) {
		if (n == 1)
			shell_help();
		else
			shell_help_word(s, w1);
		return true;
	}
	return false;
}

static int history_size(void)
{
	const char *env = getenv("VMSIM_HISTSIZE");
	int n = env ? atoi(env) : 0;

	return n > 0 ? n : SHELL_HISTORY_MAX;
}

int shell_main(const struct tool_opts *opts)
{
	struct session s;
	struct shell_history hist;
	bool tty = isatty(0), quit = false, verbose = tty && !opts->quiet;
	char *line;
	int lineno = 0;

	session_init(&s, opts, "<stdin>");
#ifdef HAVE_READLINE
	shell_history_open(&hist, shell_history_path(tty, opts->no_history), history_size(), tty);
#else
	shell_history_open(&hist, shell_history_path(tty, opts->no_history), history_size(), false);
#endif
	shell_complete_install(&s.vs);
	vmsim_session_boot(&s.vs);	/* a bad flag is reported here; commands try again */
	if (verbose) {
		printf("vmsim %s shell\n", VMSIM_VERSION);
		print_machine(&s, "Machine");
		puts("`help`: the commands; `help WORD`: one, with an example; "
#ifdef HAVE_READLINE
		     "TAB completes; "
#endif
		     "`quit` leaves.");
	}
	while (!quit && (line = next_line(tty))) {
		struct vmsim_cmd c;
		char err[256];

		lineno++;
		s.vs.line = lineno;
		if (!is_quit(line))	/* quit is no line to recall */
			shell_history_add(&hist, line);
		if (shell_word(&s, &hist, line, &quit)) {
			free(line);
			continue;
		}
		if (vmsim_cmd_parse(line, &c, err, sizeof(err))) {
			vmsim_session_error(&s.vs, "%s", err);
		} else if (c.def && !strcmp(c.def->word, "machine")) {
			shell_machine(&s, opts, &c, lineno, verbose);
			vmsim_cmd_free(&c);
		} else {
			vmsim_session_run_cmd(&s.vs, &c, lineno);
			vmsim_cmd_free(&c);
		}
		fflush(stdout);
		free(line);
	}
	if (tty && !quit)
		putchar('\n');
	shell_complete_fini();
	shell_history_close(&hist);
	session_fini(&s);
	return 0;
}

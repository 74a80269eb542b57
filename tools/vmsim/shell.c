/*
 * `vmsim shell`: the script language one line at a time, for exploring.
 * Line editing and history come from readline when the build found it
 * (HAVE_READLINE, detected by the Makefile); otherwise plain input.  A bad
 * line or a failed expect is reported and the session goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tool.h"

#ifdef HAVE_READLINE
#include <readline/readline.h>
#include <readline/history.h>
#endif

/* `help`: every command of the language (the parser's own list). */
static void shell_help(void)
{
	puts("Commands (docs/script.md has the details):");
	for (int i = 0; vmsim_cmd_usages[i]; i++)
		printf("  %s\n", vmsim_cmd_usages[i]);
	puts("  help, quit");
}

/* One line of input (malloc'd, no newline), or NULL at the end. */
static char *next_line(bool tty)
{
#ifdef HAVE_READLINE
	if (tty) {
		char *l = readline("vmsim> ");
		if (l && *l)
			add_history(l);
		return l;
	}
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

static bool is_word(const char *line, const char *word)
{
	size_t n = strlen(word);

	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, word, n))
		return false;
	line += n;
	while (*line == ' ' || *line == '\t' || *line == '\r')
		line++;
	return *line == 0 || *line == '#';
}

int shell_main(const struct tool_opts *opts)
{
	struct session s;
	bool tty = isatty(0);
	char *line;
	int lineno = 0;

	session_init(&s, opts, "<stdin>");
	s.interactive = true;
	if (tty && !opts->quiet)
		printf("vmsim %s shell: `help` lists the commands, `quit` leaves.\n", VMSIM_VERSION);
	while ((line = next_line(tty))) {
		struct vmsim_cmd c;
		char err[256];

		lineno++;
		s.line = lineno;
		if (is_word(line, "quit") || is_word(line, "exit")) {
			free(line);
			break;
		}
		if (is_word(line, "help")) {
			shell_help();
			free(line);
			continue;
		}
		if (vmsim_cmd_parse(line, &c, err, sizeof(err))) {
			session_error(&s, "%s", err);
		} else {
			session_run_cmd(&s, &c, lineno);
			vmsim_cmd_free(&c);
		}
		fflush(stdout);
		free(line);
	}
	if (tty)
		putchar('\n');
	session_fini(&s);
	return 0;
}

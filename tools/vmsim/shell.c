/*
 * `vmsim shell`: the script language one line at a time, for exploring.
 * Line editing, history and completion of command words (from the command
 * table) come from readline when the build found it (HAVE_READLINE,
 * detected by the Makefile); otherwise plain input.  A bad line or a failed
 * expect is reported and the session goes on.
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

/* `help`: every command of the language (from the command table). */
static void shell_help(void)
{
	puts("Commands (docs/script.md has the details; `help WORD` for one):");
	vmsim_cmd_print_usages(stdout, "  ");
	puts("  help [WORD], quit");
}

/* `help WORD`: @line's second word, if it is "help WORD"; else NULL. */
static const char *help_word(char *line)
{
	char *p = line + strspn(line, " \t"), *w;

	if (strncmp(p, "help", 4) || (p[4] != ' ' && p[4] != '\t'))
		return NULL;
	w = p + 4 + strspn(p + 4, " \t");
	w[strcspn(w, " \t\r#")] = 0;
	return *w ? w : NULL;
}

#ifdef HAVE_READLINE
/*
 * Completion of command words: the first word of a line completes to the
 * commands written without a process (machine, spawn, show ...), the
 * second to the process commands (after a process name) or to any command
 * (after help).
 */
enum complete_what { COMPLETE_FIRST, COMPLETE_PROCESS, COMPLETE_ANY };
static enum complete_what complete_what;

static char *complete_word(const char *text, int state)
{
	static const char *const extra[] = { "help", "quit", NULL };
	static int i, j;
	const struct vmsim_cmd_def *d;
	size_t n = strlen(text);

	if (!state)
		i = j = 0;
	while ((d = vmsim_cmd_at(i++)))
		if ((complete_what == COMPLETE_ANY ||
		     d->per_process == (complete_what == COMPLETE_PROCESS)) &&
		    !strncmp(d->word, text, n))
			return strdup(d->word);
	while (complete_what == COMPLETE_FIRST && extra[j])
		if (!strncmp(extra[j++], text, n))
			return strdup(extra[j - 1]);
	return NULL;
}

static char **complete(const char *text, int start, int end)
{
	int words = 0;

	(void)end;
	/* how many words come before the one being completed */
	for (int k = 0; k < start; k++)
		if ((k == 0 || rl_line_buffer[k - 1] == ' ' || rl_line_buffer[k - 1] == '\t') &&
		    rl_line_buffer[k] != ' ' && rl_line_buffer[k] != '\t')
			words++;
	rl_attempted_completion_over = 1;	/* no file names */
	if (words > 1)
		return NULL;
	complete_what = words == 0 ? COMPLETE_FIRST :
			!strncmp(rl_line_buffer + strspn(rl_line_buffer, " \t"), "help", 4) ?
			COMPLETE_ANY : COMPLETE_PROCESS;
	return rl_completion_matches(text, complete_word);
}
#endif

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
#ifdef HAVE_READLINE
	rl_attempted_completion_function = complete;
#endif
	if (tty && !opts->quiet)
		printf("vmsim %s shell: `help` lists the commands, `quit` leaves.\n", VMSIM_VERSION);
	while ((line = next_line(tty))) {
		struct vmsim_cmd c;
		char err[256];

		lineno++;
		s.vs.line = lineno;
		if (is_word(line, "quit") || is_word(line, "exit")) {
			free(line);
			break;
		}
		if (is_word(line, "help")) {
			shell_help();
			free(line);
			continue;
		}
		const char *hw = help_word(line);
		if (hw) {
			const struct vmsim_cmd_def *d = vmsim_cmd_find(hw);

			if (d)
				vmsim_cmd_print_help(d, stdout);
			else
				vmsim_session_error(&s.vs, "no command '%s' (help lists them)", hw);
			free(line);
			continue;
		}
		if (vmsim_cmd_parse(line, &c, err, sizeof(err))) {
			vmsim_session_error(&s.vs, "%s", err);
		} else {
			vmsim_session_run_cmd(&s.vs, &c, lineno);
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

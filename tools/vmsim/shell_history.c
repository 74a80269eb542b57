/*
 * The shell's history across sessions: the lines typed, saved after each
 * one to $VMSIM_HISTORY or ~/.vmsim_history (docs/script.md, The shell),
 * at most SHELL_HISTORY_MAX lines (VMSIM_HISTSIZE), one per line, oldest
 * first.  On a terminal with readline the list is readline's own (Up and
 * Ctrl-R recall it; read_history, stifle_history, write_history); otherwise
 * a list kept here in the same file format, which `history` prints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "shell.h"

#ifdef HAVE_READLINE
#include <readline/readline.h>
#include <readline/history.h>
#endif

char *shell_history_path(bool tty, bool disabled)
{
	const char *env = getenv("VMSIM_HISTORY"), *home = getenv("HOME");
	char *path;

	if (disabled)
		return NULL;
	if (env)
		return env[0] ? strdup(env) : NULL;
	if (!tty || !home || !home[0])
		return NULL;
	path = malloc(strlen(home) + sizeof("/.vmsim_history"));
	if (path)
		sprintf(path, "%s/.vmsim_history", home);
	return path;
}

/* Our own list: @line at its end, the oldest dropped past h->max. */
static void list_add(struct shell_history *h, const char *line)
{
	char *copy = strdup(line), **nl;

	if (!copy)
		return;
	if (h->n == h->max) {
		free(h->lines[0]);
		memmove(h->lines, h->lines + 1, (size_t)(h->n - 1) * sizeof(*h->lines));
		h->n--;
	}
	nl = realloc(h->lines, (size_t)(h->n + 1) * sizeof(*nl));
	if (!nl) {
		free(copy);
		return;
	}
	h->lines = nl;
	h->lines[h->n++] = copy;
}

void shell_history_open(struct shell_history *h, char *path, int max, bool use_readline)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	memset(h, 0, sizeof(*h));
	h->path = path;
	h->max = max > 0 ? max : SHELL_HISTORY_MAX;
#ifdef HAVE_READLINE
	h->use_readline = use_readline;
	if (use_readline) {
		using_history();
		stifle_history(h->max);
		if (path)
			read_history(path);
		return;
	}
#else
	(void)use_readline;
#endif
	if (!path || !(f = fopen(path, "r")))
		return;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = 0;
		if (line[0])
			list_add(h, line);
	}
	free(line);
	fclose(f);
}

int shell_history_save(const struct shell_history *h)
{
	char *tmp;
	FILE *f;
	int ret = 0;

	if (!h->path)
		return 0;
#ifdef HAVE_READLINE
	if (h->use_readline)
		return write_history(h->path) ? -1 : 0;
#endif
	/* a new file renamed over the old: a reader never sees half of it */
	tmp = malloc(strlen(h->path) + sizeof(".tmp"));
	if (!tmp)
		return -1;
	sprintf(tmp, "%s.tmp", h->path);
	f = fopen(tmp, "w");
	if (!f) {
		free(tmp);
		return -1;
	}
	for (int i = 0; i < h->n; i++)
		fprintf(f, "%s\n", h->lines[i]);
	if (fclose(f) || rename(tmp, h->path)) {
		unlink(tmp);
		ret = -1;
	}
	free(tmp);
	return ret;
}

/* The line before the next one: to skip a line typed twice in a row. */
static const char *history_last(const struct shell_history *h)
{
#ifdef HAVE_READLINE
	if (h->use_readline) {
		HIST_ENTRY *e = history_length ? history_get(history_base + history_length - 1) : NULL;

		return e ? e->line : NULL;
	}
#endif
	return h->n ? h->lines[h->n - 1] : NULL;
}

void shell_history_add(struct shell_history *h, const char *line)
{
	const char *last = history_last(h);

	if (!line[strspn(line, " \t\r")] || strchr(line, '\n') || (last && !strcmp(last, line)))
		return;
#ifdef HAVE_READLINE
	if (h->use_readline)
		add_history(line);
	else
#endif
		list_add(h, line);
	shell_history_save(h);
}

void shell_history_print(const struct shell_history *h, FILE *f)
{
#ifdef HAVE_READLINE
	if (h->use_readline) {
		for (int i = 0; i < history_length; i++) {
			HIST_ENTRY *e = history_get(history_base + i);

			if (e)
				fprintf(f, "%5d  %s\n", i + 1, e->line);
		}
		return;
	}
#endif
	for (int i = 0; i < h->n; i++)
		fprintf(f, "%5d  %s\n", i + 1, h->lines[i]);
}

void shell_history_close(struct shell_history *h)
{
#ifdef HAVE_READLINE
	if (h->use_readline)
		clear_history();
#endif
	for (int i = 0; i < h->n; i++)
		free(h->lines[i]);
	free(h->lines);
	free(h->path);
	memset(h, 0, sizeof(*h));
}

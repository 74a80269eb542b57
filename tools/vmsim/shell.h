/*
 * The shell's pieces (tools/vmsim/shell*.c): completion from the command
 * table (shell_complete.c) and the history kept across sessions
 * (shell_history.c).  Neither needs readline to be tested: the candidates
 * and the plain history file are computed without it, and readline, when
 * the build found it, only displays them.
 */
#ifndef TOOLS_VMSIM_SHELL_H
#define TOOLS_VMSIM_SHELL_H

#include <stdbool.h>
#include <stdio.h>
#include "vmsim/vmsim.h"
#include "vmsim/script.h"

/* The words the shell takes besides the table's: help, history, quit, exit. */
extern const char *const shell_extra_words[];

/* --- shell_complete.c ------------------------------------------------------ */

typedef void (*shell_add_fn)(void *arg, const char *word);

/* A set of words (no duplicates). */
struct shell_words {
	char **v;
	int n;
};
void shell_words_add(void *arg, const char *word);	/* a shell_add_fn on a shell_words */
void shell_words_sort(struct shell_words *w);
void shell_words_free(struct shell_words *w);

/*
 * Every word that may stand where the word ending at @point of @line is
 * being typed, and begins as it does, passed to @add (the whole word, so
 * "ram=64M" for "ram=6").  @s gives the live process names, the root= and
 * the machine; it need not be booted.
 */
void shell_complete(struct vmsim_session *s, const char *line, size_t point, shell_add_fn add,
		    void *arg);
/* readline's completion through shell_complete (nothing without readline). */
void shell_complete_install(struct vmsim_session *s);
void shell_complete_fini(void);

/* --- shell_history.c ------------------------------------------------------- */

#define SHELL_HISTORY_MAX	1000	/* lines kept (VMSIM_HISTSIZE overrides) */

/*
 * The lines typed, kept in a file across sessions: readline's history
 * when the build has it, else a list of our own; the file is one line per
 * entry either way, the oldest first, at most @max lines.
 */
struct shell_history {
	char *path;		/* NULL: not kept */
	int max;
	bool use_readline;	/* readline's list (a terminal, readline built in) */
	char **lines;		/* our own list otherwise */
	int n;
};

/*
 * The file to keep (NULL: none): $VMSIM_HISTORY (empty: none), else
 * ~/.vmsim_history when @tty; none with @disabled (--no-history).
 */
char *shell_history_path(bool tty, bool disabled);
/* Start with @path's lines (a missing file is an empty history); @path is taken. */
void shell_history_open(struct shell_history *h, char *path, int max, bool use_readline);
/* Remember @line (not blank lines, nor the line just before again) and save the file. */
void shell_history_add(struct shell_history *h, const char *line);
/* `history`: the lines, numbered from 1. */
void shell_history_print(const struct shell_history *h, FILE *f);
int shell_history_save(const struct shell_history *h);
void shell_history_close(struct shell_history *h);

#endif

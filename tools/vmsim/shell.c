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

static const char shell_help[] =
"Commands (docs/script.md has the details):\n"
"  machine ram=128M paging=x86_64 cpus=1 seed=1   before any other command\n"
"  spawn A                                 a new process\n"
"  A mmap ADDR LEN PROT FLAGS              PROT rw-, FLAGS private,anon,fixed,...\n"
"  A munmap ADDR LEN | A mprotect ADDR LEN PROT | A brk ADDR\n"
"  A mremap ADDR OLDLEN NEWLEN [maymove,fixed,dontunmap [NEWADDR]]\n"
"  A madvise ADDR LEN normal|random|sequential|willneed|dontneed\n"
"  A mlock ADDR LEN | A munlock ADDR LEN | A mlockall current[,future] | A munlockall\n"
"  A mincore ADDR LEN | A setsp ADDR\n"
"  A touch ADDR LEN [read|write] [stride=N] [random=COUNT seed=S]\n"
"  A write ADDR \"text\" | A write ADDR pattern=SEED len=N | A read ADDR LEN\n"
"  A trace FILE [auto|lackey|din|plain] [map=auto|none]   replay a trace\n"
"  A fork B | A clone B | A exit\n"
"  show meminfo|buddyinfo|zoneinfo|slabinfo|vmstat|swaps|kmsg|vmallocinfo|report\n"
"  show A maps|smaps|status | show A pagetable ADDR | show page PFN\n"
"  expect A read ADDR LEN = HEX | expect A alive | expect A killed SIGSEGV\n"
"  expect = VALUE                          the previous result\n"
"  help, quit\n";

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
			fputs(shell_help, stdout);
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

/*
 * The command table: one row per command word of the script language, in
 * the order the help lists them.  A row holds everything the rest of the
 * tree knows about the command: its word, its arguments and help text (the
 * `vmsim help` list, `help WORD`, the shell's completion, the fuzzers'
 * dictionary and the man page check all read them from here), the parser
 * that fills its argument structure (struct vmsim_cmd's union) and its
 * executor.  The rows are in script/commands.h, which script/internal.h
 * reads too, to declare each command's functions.  Adding a command is
 * adding a row there and its functions.
 */
#include <string.h>
#include "internal.h"

#define ROW(w, ...)	{ .word = #w, .parse = script_parse_##w, .run = script_run_##w, \
			  __VA_ARGS__ },

static const struct vmsim_cmd_def cmd_table[] = {
#include "commands.h"
	{ .word = NULL }
};

const struct vmsim_cmd_def *vmsim_cmd_at(int i)
{
	if (i < 0 || i >= (int)(sizeof(cmd_table) / sizeof(cmd_table[0])) - 1)
		return NULL;
	return &cmd_table[i];
}

const struct vmsim_cmd_def *vmsim_cmd_find(const char *word)
{
	for (const struct vmsim_cmd_def *d = cmd_table; d->word; d++)
		if (!strcmp(d->word, word))
			return d;
	return NULL;
}

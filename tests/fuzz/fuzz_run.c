/*
 * libFuzzer target that runs scripts: the first bytes choose the machine
 * (fuzz_opts.h: RAM, paging, CPUs, swap, reclaim, page_cluster,
 * fault-around, fail_page_alloc, fail_slab), the rest is a script whose
 * every parsed command is executed through the library's session
 * (script/) with the vmsim tool's output, report and trace replay
 * (compiled in from tools/vmsim/), so arbitrary system-call arguments,
 * accesses and /proc reads are thrown at the whole library.  Nothing may
 * crash, BUG or leak.  The machine's files live in a new temporary
 * directory (root=tmp), so `open` and `exec` stay inside it.  Commands
 * whose work grows with their numbers (long touches, reads and writes) and
 * `machine` lines (host memory) are skipped to keep runs short; `trace`
 * too, since it reads the host file the input names.
 *
 *   make fuzz-run     (FUZZ_TIME seconds; run with -close_fd_mask=3 to
 *                      silence the expect messages)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../tools/vmsim/session.c"
#include "../../tools/vmsim/report.c"
#include "../../tools/vmsim/trace.c"
#include "../../tools/vmsim/trace_read.c"
#include "fuzz_opts.h"

/* Not used by the executor, but declared in tool.h. */
const char demo_script[] = "";
int shell_main(const struct tool_opts *opts)
{
	(void)opts;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool too_big(const struct vmsim_cmd *c)
{
	const char *w = vmsim_cmd_word(c);

	if (!strcmp(w, "machine"))
		return true;
	if (!strcmp(w, "trace"))
		return true;	/* it reads the host file the input names */
	if (!strcmp(w, "touch"))
		return (c->u.touch.random ? c->u.touch.count :
			c->u.touch.len / c->u.touch.stride) > 4096;
	if (!strcmp(w, "read"))
		return c->u.read.len > (1 << 20);
	if (!strcmp(w, "write"))
		return c->u.write.len > (1 << 20);
	if (!strcmp(w, "expect"))
		return c->u.expect.kind == VMSIM_EXPECT_READ && c->u.expect.len > (1 << 20);
	if (!strcmp(w, "mincore"))
		return c->u.mincore.len > (1ULL << 32);
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tool_opts opts = { .json = true, .quiet = true };
	struct fuzz_opts fo;
	struct vmsim_script sc;
	struct session s;
	char err[256];
	int line, n = 0;

	fuzz_pick_opts(&data, &size, &fo);
	if (vmsim_script_parse((const char *)data, size, &sc, err, sizeof(err), &line))
		return 0;
	opts.nr_opts = fo.n + 1;
	memcpy(opts.opt_keys, fo.keys, sizeof(fo.keys[0]) * (size_t)fo.n);
	memcpy(opts.opt_values, fo.values, sizeof(fo.values[0]) * (size_t)fo.n);
	opts.opt_keys[fo.n] = "root";
	opts.opt_values[fo.n] = "tmp";
	session_init(&s, &opts, "<fuzz>");
	for (int i = 0; i < sc.nr_cmds && n < 64; i++) {
		if (too_big(&sc.cmds[i]))
			continue;
		n++;
		if (vmsim_session_run_cmd(&s.vs, &sc.cmds[i], sc.lines[i]) == VMSIM_RUN_ERROR &&
		    !s.vs.m)
			break;
	}
	vmsim_script_free(&sc);
	session_fini(&s);
	return 0;
}

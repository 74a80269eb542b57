/*
 * Running commands (docs/script.md): the one place that knows how a
 * command is run from its row.  A process command is looked up by name,
 * made as a call (its row's run) and printed as `TEXT = RESULT`, or as the
 * kill line when the process died; processes that died meanwhile (the OOM
 * killer ...) print their kill lines too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/process.h"
#include "internal.h"

/* Which named processes were alive before the command, for kill lines after. */
struct alive_snapshot {
	int n;
	bool *alive;
};

static void snapshot_alive(struct vmsim_session *s, struct alive_snapshot *snap)
{
	struct vmsim_task_info ti;

	snap->n = s->nr_procs;
	snap->alive = calloc((size_t)(s->nr_procs ? s->nr_procs : 1), sizeof(bool));
	if (!snap->alive) {
		snap->n = 0;
		return;
	}
	for (int i = 0; i < s->nr_procs; i++)
		snap->alive[i] = s->procs[i].pid > 0 &&
				 !vmsim_task_info(s->m, s->procs[i].pid, &ti) && ti.alive;
}

static bool killed_since(struct vmsim_session *s, struct alive_snapshot *snap, int i)
{
	struct vmsim_task_info ti;

	return i < snap->n && snap->alive[i] &&
	       !vmsim_task_info(s->m, s->procs[i].pid, &ti) && !ti.alive && ti.signo;
}

enum vmsim_run_status script_run_proc_cmd(struct vmsim_session *s, const struct vmsim_cmd *c,
					  bool round)
{
	const struct vmsim_cmd_def *d = c->def;
	struct vmsim_proc_name *p = script_lookup(s, c->proc);
	struct vmsim_call call = { 0 };
	struct alive_snapshot snap;
	enum vmsim_run_status st = VMSIM_RUN_OK;
	int self;

	if (!p)
		return VMSIM_RUN_ERROR;
	call.pid = p->pid;
	self = (int)(p - s->procs);
	if (d->binds_name && script_check_new_name(s, c->u.fork.name) != VMSIM_RUN_OK)
		return VMSIM_RUN_ERROR;
	snapshot_alive(s, &snap);
	if (call.pid <= 0) {
		call.ret = -ESRCH;
		script_fmt_errno(call.res, sizeof(call.res), call.ret);
	} else {
		st = d->run(s, c, &call);
		if (st != VMSIM_RUN_OK)
			goto out;
	}
	/* the name is bound even if the call failed: its commands get -ESRCH */
	if (d->binds_name && (st = script_bind_name(s, c->u.fork.name,
						    call.ret > 0 ? (int)call.ret : -1)))
		goto out;
	if (call.ret == VMSIM_KILLED || killed_since(s, &snap, self)) {
		script_print_killed(s, self);
		script_set_last(s, "killed", false);
	} else {
		script_print_result(s, c, call.res, call.numeric);
	}
	/* others that died meanwhile (the OOM killer, ...); a round says it at its end */
	for (int i = 0; i < snap.n && !round; i++)
		if (i != self && killed_since(s, &snap, i))
			script_print_killed(s, i);
out:
	free(snap.alive);
	return st;
}

static enum vmsim_run_status run_cmd(struct vmsim_session *s, const struct vmsim_cmd *c,
				     int line)
{
	enum vmsim_run_status st;

	s->line = line;
	if (!c->def)
		return VMSIM_RUN_OK;
	if (c->def->before_boot)
		return c->def->run(s, c, NULL);
	s->ran_command = true;
	st = vmsim_session_boot(s);
	if (st != VMSIM_RUN_OK)
		return st;
	if (c->def->per_process)
		return script_run_proc_cmd(s, c, false);
	return c->def->run(s, c, NULL);
}

enum vmsim_run_status vmsim_session_run_cmd(struct vmsim_session *s, const struct vmsim_cmd *c,
					    int line)
{
	enum vmsim_run_status st;

	script_explain_begin(s);
	st = run_cmd(s, c, line);
	script_explain_end(s);

	/* what ran is on the terminal before the next command (or a BUG) */
	fflush(stdout);
	return st;
}

enum vmsim_run_status vmsim_session_run_text(struct vmsim_session *s, const char *text,
					     size_t len)
{
	struct vmsim_script sc;
	char err[256];
	int errline;
	enum vmsim_run_status st = VMSIM_RUN_OK;

	if (vmsim_script_parse(text, len, &sc, err, sizeof(err), &errline)) {
		s->line = errline;
		vmsim_session_error(s, "%s", err);
		return VMSIM_RUN_ERROR;
	}
	for (int i = 0, n; i < sc.nr_cmds && st == VMSIM_RUN_OK; i += n) {
		n = script_round_length(s, &sc, i);	/* concurrent.c: serial=off */
		if (n) {
			st = script_run_round(s, &sc, i, n);
		} else {
			n = 1;
			st = vmsim_session_run_cmd(s, &sc.cmds[i], sc.lines[i]);
		}
	}
	/* a script of comments only still boots the machine for the report */
	if (st == VMSIM_RUN_OK && !s->m) {
		s->line = sc.nr_cmds ? sc.lines[sc.nr_cmds - 1] : 1;
		st = vmsim_session_boot(s);
	}
	vmsim_script_free(&sc);
	return st;
}

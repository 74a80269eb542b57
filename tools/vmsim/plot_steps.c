/*
 * Stepping through a run: `vmsim run` with --timeline (a CSV row after
 * the commands that pass a sample point) or --plot-every DIR (a picture
 * after every command), and `vmsim plot memory|buddy|space SCRIPT` (the
 * end's picture, or one per N commands).  The script runs command by
 * command as vmsim_session_run_text runs it, with the machine booted just
 * before the first command that needs it, so the first row and the first
 * picture show the machine as booted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tool.h"
#include "plot.h"
#include "timeline.h"

struct stepper {
	struct session *s;
	unsigned int what;
	int every;		/* a picture per this many commands; 0: the end's only */
	const char *out;	/* the directory (every > 0) or the file */
	FILE *index;		/* DIR/index.html: the pictures in order */
	int step;		/* pictures written */
	int cmds;		/* commands run */
	bool failed;
};

/* One picture, @what's parts, titled with the command that led to it. */
static int picture(struct stepper *st, const char *path, const char *title)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f) {
		fprintf(stderr, "vmsim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ret = plot_picture(f, st->s->vs.m, st->what, title, st->s->vs.procs, st->s->vs.nr_procs);
	if (fclose(f) || ret) {
		fprintf(stderr, "vmsim: %s: cannot write the picture: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The picture of step N in DIR (step-NNNN.svg), with its line in index.html. */
static void step_picture(struct stepper *st, int line, const char *text)
{
	char path[4096], title[600];

	if (st->failed || st->every <= 0)
		return;
	snprintf(path, sizeof(path), "%s/step-%04d.svg", st->out, st->step);
	if (line)
		snprintf(title, sizeof(title), "step %d, line %d: %s", st->step, line, text);
	else
		snprintf(title, sizeof(title), "step %d: %s", st->step, text);
	if (picture(st, path, title)) {
		st->failed = true;
		return;
	}
	if (st->index) {
		fprintf(st->index, "<h2>");
		svg_text(st->index, title);
		fprintf(st->index, "</h2>\n<p><img src=\"step-%04d.svg\" alt=\"step %d\"></p>\n",
			st->step, st->step);
	}
	st->step++;
}

static int stepper_start(struct stepper *st)
{
	char path[4096];

	if (st->every <= 0 || !st->out)
		return 0;
	if (mkdir(st->out, 0777) && errno != EEXIST) {
		fprintf(stderr, "vmsim: %s: cannot make the directory: %s\n", st->out,
			strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/index.html", st->out);
	st->index = fopen(path, "w");
	if (!st->index) {
		fprintf(stderr, "vmsim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(st->index, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		"<title>vmsim: a run, step by step</title></head><body>\n"
		"<h1>A run, step by step</h1>\n<p>Physical memory, the buddy free lists and "
		"the processes' address spaces after each command (docs/plot.md).</p>\n");
	return 0;
}

/* The machine just booted: the timeline's first row, the first picture. */
static enum vmsim_run_status booted(struct stepper *st)
{
	char err[512];

	if (tool_timeline.path) {
		tool_timeline.mmu = true;
		if (timeline_open(&tool_timeline, st->s->vs.m, 0, err, sizeof(err))) {
			fprintf(stderr, "vmsim: %s\n", err);
			return VMSIM_RUN_ERROR;
		}
	}
	step_picture(st, 0, "the machine as booted");
	return st->failed ? VMSIM_RUN_ERROR : VMSIM_RUN_OK;
}

/* The end: the timeline's last row, the last picture, the index closed. */
static enum vmsim_run_status finish(struct stepper *st, enum vmsim_run_status ret)
{
	char err[512];

	if (st->s->vs.m && timeline_close(&tool_timeline, st->s->vs.m, 0, err, sizeof(err))) {
		fprintf(stderr, "vmsim: %s\n", err);
		ret = ret == VMSIM_RUN_OK ? VMSIM_RUN_ERROR : ret;
	}
	if (st->s->vs.m && st->every <= 0 && st->out &&
	    picture(st, st->out, "the machine at the end of the run"))
		ret = ret == VMSIM_RUN_OK ? VMSIM_RUN_ERROR : ret;
	if (st->index) {
		fputs("</body></html>\n", st->index);
		if (fclose(st->index))
			ret = ret == VMSIM_RUN_OK ? VMSIM_RUN_ERROR : ret;
	}
	if (st->failed && ret == VMSIM_RUN_OK)
		ret = VMSIM_RUN_ERROR;
	return ret;
}

enum vmsim_run_status run_stepped(struct session *s, const char *text, size_t len,
				  unsigned int what, int every, const char *out)
{
	struct stepper st = { .s = s, .what = what, .every = every, .out = out };
	enum vmsim_run_status ret = VMSIM_RUN_OK;
	struct vmsim_script sc;
	char err[256];
	int errline;

	if (vmsim_script_parse(text, len, &sc, err, sizeof(err), &errline)) {
		s->vs.line = errline;
		vmsim_session_error(&s->vs, "%s", err);
		return VMSIM_RUN_ERROR;
	}
	if (stepper_start(&st)) {
		vmsim_script_free(&sc);
		return VMSIM_RUN_ERROR;
	}
	for (int i = 0; i < sc.nr_cmds && ret == VMSIM_RUN_OK; i++) {
		const struct vmsim_cmd *c = &sc.cmds[i];

		if (c->def && !c->def->before_boot && !s->vs.m) {
			s->vs.line = sc.lines[i];
			ret = vmsim_session_boot(&s->vs);
			if (ret == VMSIM_RUN_OK)
				ret = booted(&st);
			if (ret != VMSIM_RUN_OK)
				break;
		}
		ret = vmsim_session_run_cmd(&s->vs, c, sc.lines[i]);
		if (!c->def || !s->vs.m)
			continue;
		timeline_poll(&tool_timeline, s->vs.m, 0);
		if (st.every > 0 && ++st.cmds % st.every == 0)
			step_picture(&st, sc.lines[i], c->text ? c->text : "");
		if (st.failed && ret == VMSIM_RUN_OK)
			ret = VMSIM_RUN_ERROR;
	}
	/* a script of comments only still boots the machine for the report */
	if (ret == VMSIM_RUN_OK && !s->vs.m) {
		s->vs.line = sc.nr_cmds ? sc.lines[sc.nr_cmds - 1] : 1;
		ret = vmsim_session_boot(&s->vs);
		if (ret == VMSIM_RUN_OK)
			ret = booted(&st);
	}
	vmsim_script_free(&sc);
	return finish(&st, ret);
}

/*
 * `vmsim plot` (docs/plot.md): charts of CSV files through gnuplot
 * (plot.c: timelines, miss-ratio curves, any CSV with a header) and
 * pictures of a machine written as SVG directly (plot_svg.c: physical
 * memory frame by frame, the buddy free lists, address spaces), one per
 * step of a run if asked (plot_steps.c).
 */
#ifndef TOOLS_VMSIM_PLOT_H
#define TOOLS_VMSIM_PLOT_H

#include <stdio.h>
#include "vmsim/vmsim.h"
#include "vmsim/script.h"

/* What a picture shows (bits). */
enum {
	PLOT_MEMORY = 1,	/* frames by use, per zone */
	PLOT_BUDDY = 2,		/* free blocks per order, per zone */
	PLOT_SPACE = 4,		/* each process's VMAs and resident pages */
	PLOT_ALL = 7,
};

/* plot.c: vmsim plot ARGS (argv[0] is "plot"): an exit status. */
int plot_main(int argc, char **argv);
extern const char plot_usage_text[];

/*
 * plot_svg.c: one SVG picture of @m's state now (@what: PLOT_* bits),
 * headed by @title; PLOT_SPACE draws each live process of @procs.
 * 0, or -1 with errno (the file's).
 */
int plot_picture(FILE *f, vmsim_machine_t *m, unsigned int what, const char *title,
		 const struct vmsim_proc_name *procs, int nr_procs);
/* XML text: &, <, >, " escaped. */
void svg_text(FILE *f, const char *s);

/*
 * plot_steps.c: run a script text as `vmsim run` does, with the rows of
 * tool_timeline (timeline.h) after the commands, and pictures (@what):
 * with @every > 0 one per @every commands into the directory @out
 * (step-NNNN.svg from the machine as booted, index.html), with @every 0
 * the end's in the file @out (NULL: none).  The run's status.
 */
struct session;
enum vmsim_run_status run_stepped(struct session *s, const char *text, size_t len,
				  unsigned int what, int every, const char *out);

#endif

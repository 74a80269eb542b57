/*
 * vmsim mrc (mrc.c): miss-ratio curves of a trace.  main.c dispatches the
 * subcommand here with its arguments; it parses its own flags.
 */
#ifndef TOOLS_VMSIM_MRC_H
#define TOOLS_VMSIM_MRC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* `vmsim mrc --help`, `vmsim help mrc` */
extern const char mrc_usage_text[];

/*
 * mrc_main - run `vmsim mrc` with @argv[0] "mrc" and its arguments,
 * writing the table to @out and messages to @err: the exit status.
 */
int mrc_main(int argc, char **argv, FILE *out, FILE *err);

/* The kernel policies' runs (--reclaim, --ram): what mrc asks of them ... */
struct mrc_kernel_ask {
	const char *trace;		/* the file (not "-": each run reads it) */
	const char *reclaim, *ram;	/* the lists, as given */
	const char *format;		/* a trace format, or NULL (auto) */
	const char *const *opts;	/* -o KEY=VALUE, for every run */
	int nr_opts;
	int jobs;			/* 0: the online CPUs */
};

/* ... and a row of the answer: one run, a policy at a memory size. */
struct mrc_kernel_row {
	char policy[64];
	uint64_t pages;			/* managed pages: what the workload could hold */
	uint64_t requests;		/* the trace's accesses replayed */
	uint64_t major_faults;		/* also the row's misses */
	uint64_t swap_ins;		/* pages read from swap (pswpin) */
};

/*
 * The runner of the kernel policies' runs: the vmsim command sets it to
 * sweep.c's sweep_mrc (a sweep of trace x reclaim x ram on -j cores); the
 * tests' link, without sweeps, leaves it NULL and --reclaim then fails.
 * 0 with *@rows (malloc'd) in run order, policies slowest; or -1 (message
 * printed to @err).
 */
extern int (*mrc_kernel_runs)(const struct mrc_kernel_ask *a, struct mrc_kernel_row **rows,
			      size_t *nr, FILE *err);

#endif

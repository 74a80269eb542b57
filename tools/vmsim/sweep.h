/*
 * vmsim sweep (sweep.c) and vmsim merge (merge.c): many independent runs
 * from one spec file, each leaving one JSON-lines record in an output
 * directory, merged into one CSV (docs/sweep.md).  main.c dispatches both
 * subcommands here; they parse their own flags.
 */
#ifndef TOOLS_VMSIM_SWEEP_H
#define TOOLS_VMSIM_SWEEP_H

#include <stdio.h>

/* The record's "schema" value: its keys and units are in docs/sweep.md. */
#define SWEEP_SCHEMA		"vmsim-sweep/1"
/* A record is DIR/ID.jsonl, ID the configuration's hash (16 hex digits). */
#define SWEEP_RECORD_EXT	".jsonl"
/* DIR/sweep.manifest: the runs a sweep expects, "INDEX ID" per line. */
#define SWEEP_MANIFEST		"sweep.manifest"
#define SWEEP_MANIFEST_HEAD	"# vmsim sweep manifest 1"

extern const char sweep_usage_text[];
extern const char merge_usage_text[];

/* `vmsim sweep ...` and `vmsim merge ...`, @argv[0] the subcommand: the exit status. */
int sweep_main(int argc, char **argv);
int merge_main(int argc, char **argv, FILE *out, FILE *err);

/* `vmsim mrc --reclaim --ram`'s runs as a sweep (mrc.h's mrc_kernel_runs). */
struct mrc_kernel_ask;
struct mrc_kernel_row;
int sweep_mrc(const struct mrc_kernel_ask *a, struct mrc_kernel_row **rows, size_t *nr,
	      FILE *err);

#endif

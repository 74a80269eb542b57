/*
 * vmsim mrc (mrc.c): miss-ratio curves of a trace.  main.c dispatches the
 * subcommand here with its arguments; it parses its own flags.
 */
#ifndef TOOLS_VMSIM_MRC_H
#define TOOLS_VMSIM_MRC_H

#include <stdio.h>

/* `vmsim mrc --help`, `vmsim help mrc` */
extern const char mrc_usage_text[];

/*
 * mrc_main - run `vmsim mrc` with @argv[0] "mrc" and its arguments,
 * writing the table to @out and messages to @err: the exit status.
 */
int mrc_main(int argc, char **argv, FILE *out, FILE *err);

#endif

/*
 * `vmsim record`: a program's memory accesses traced by valgrind lackey,
 * streamed through a pipe into a binary trace or a replay (record.c).
 */
#ifndef TOOLS_VMSIM_RECORD_H
#define TOOLS_VMSIM_RECORD_H

extern const char record_usage[];
/* `vmsim record ...` (@argv[0] is "record"): the exit status. */
int record_main(int argc, char **argv);

#endif

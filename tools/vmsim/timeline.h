/*
 * Timelines: the machine's counters as CSV rows while it runs (`vmsim run`
 * and `vmsim trace` with --timeline FILE.csv --every N|Nms; columns in
 * docs/script.md).  One writer for both: a run samples after each script
 * command, a replay after each slice of its batches.  Everything is read
 * through the public API, so the file compiles with the trace replay
 * alone (the unit tests link it).
 */
#ifndef TOOLS_VMSIM_TIMELINE_H
#define TOOLS_VMSIM_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "vmsim/vmsim.h"

struct timeline {
	const char *path;
	uint64_t every;		/* accesses, or microseconds of virtual time (by_time) */
	bool by_time;
	/* the accesses column counts the MMU's translations (TLB hits + misses:
	 * a run's commands), not the replay's accesses the caller passes */
	bool mmu;
	FILE *f;
	uint64_t next;		/* the next sample point, in every's unit */
	uint64_t last_acc, last_usecs;	/* the last row's, to write no row twice */
};

/* The timeline --timeline and --every describe (path NULL: none). */
extern struct timeline tool_timeline;

/* "N" (accesses, K/M/G suffixes) or "Nms", "Ns" (virtual time): 0, or -1 for a bad value. */
int timeline_parse_every(const char *s, uint64_t *every, bool *by_time);
/* Create the file, write the header and the first row: 0, or -1 with the message in @err. */
int timeline_open(struct timeline *tl, vmsim_machine_t *m, uint64_t accesses, char *err,
		  size_t errlen);
/* A row if the sample point was reached (@accesses: the replay's; ignored with mmu). */
void timeline_poll(struct timeline *tl, vmsim_machine_t *m, uint64_t accesses);
/* Accesses a replay may make before the next sample point (UINT64_MAX: not counted so). */
uint64_t timeline_until(const struct timeline *tl, uint64_t accesses);
/* The last row (unless it is the one just written) and close: 0, or -1 with the message. */
int timeline_close(struct timeline *tl, vmsim_machine_t *m, uint64_t accesses, char *err,
		   size_t errlen);

#endif

/*
 * Kernel events of a simulated machine: Linux's tracepoints (kmem,
 * filemap, vmscan, pagemap, exceptions, oom, tlb, signal) and vmsim's own
 * (vmsim: the fault handler that resolved a fault, swap page I/O), with
 * Linux's names and field formats, as /sys/kernel/tracing/trace_pipe
 * prints them.  Select them with a list of set_event globs, get each one
 * through a callback while the machine runs.  Implementation: api/trace.c
 * over kernel/trace.c.  Off, an event costs the kernel one predicted
 * branch.
 */
#ifndef VMSIM_TRACE_H
#define VMSIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmsim/vmsim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One event as it happened. */
struct vmsim_event {
	int id;				/* 0 .. vmsim_events_count() - 1 */
	const char *system;		/* "kmem", "vmscan", ... */
	const char *name;		/* "mm_page_alloc", ... */
	int cpu;
	int pid;			/* 0: no task ("<idle>") */
	const char *comm;		/* the task's name */
	unsigned long usecs;		/* virtual time since boot, microseconds */
	const char *fields;		/* the event's fields, as Linux's TP_printk */
	/*
	 * The same facts as numbers, for a program that renders events
	 * (docs/script.md lists them per event): e.g. mm_page_alloc: pfn,
	 * order, gfp, zone index, str[0] the zone's name; mm_fault_handler:
	 * address, pfn (-1: none), extra, str[0] the handler, str[1] the kind.
	 */
	unsigned long arg[4];
	const char *str[2];
};

typedef void (*vmsim_event_fn)(void *priv, const struct vmsim_event *ev);

/* How many events there are; the system and name of event @id (NULL past the end). */
VMSIM_API int vmsim_events_count(void);
VMSIM_API const char *vmsim_events_name(int id, const char **system);
/* The id of event NAME ("mm_page_alloc" or "kmem:mm_page_alloc"), or -1. */
VMSIM_API int vmsim_events_id(const char *name);

/*
 * Parse a list of events as set_event takes them, separated by commas or
 * blanks: NAME, SYSTEM:NAME, SYSTEM:* (or SYSTEM:), globs with * and ?
 * (mm_vmscan_*), `all` (every event), `none` (no event), a leading ! to
 * take events out again.  0 and the events' bit mask (bit id) in *@mask,
 * or -1 with a message naming the word that matches nothing.
 */
VMSIM_API int vmsim_events_parse(const char *list, uint64_t *mask, char *err, size_t errlen);

/*
 * Turn the events of @mask on (every other one off) and send each to @fn
 * (NULL: none, every event off).  Events are delivered on the thread that
 * runs the kernel code raising them, while it runs: @fn must not call
 * into the machine.
 */
VMSIM_API void vmsim_events_enable(vmsim_machine_t *m, uint64_t mask, vmsim_event_fn fn,
				   void *priv);

/*
 * Format @ev as trace_pipe prints it, with a newline:
 *   "<task>-<pid> [<cpu>] <flags> <secs>.<usecs>: <name>: <fields>"
 * or (@json) as one JSON object on a line.  Returns the length as snprintf.
 */
VMSIM_API int vmsim_event_format(const struct vmsim_event *ev, bool json, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif

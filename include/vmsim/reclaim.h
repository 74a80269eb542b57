/*
 * Reclaim policies loaded at run time: `--reclaim plugin:./mypolicy.so`
 * (or `machine reclaim=plugin:PATH`) loads a shared object built against
 * these headers and makes the policy it describes the machine's
 * (docs/reclaim.md, "Plugins"; examples/reclaim_plugin_fifo.c).
 *
 * The shared object defines vmsim_reclaim_plugin(), returning its
 * operations.  The memory manager keeps the pages on its lists and does
 * the work (unmapping, writing, freeing); the plugin sees the events and
 * names the victims:
 *   page_added     a page became resident (or came back from mlock, or a
 *                  victim could not go: then as the newest);
 *   page_removed   the page left (freed, or mlocked);
 *   referenced     a reference the kernel saw in software (read(), a fault);
 *   accessed       (optional) every access to another page than the CPU's
 *                  last: the machine then has a one-entry TLB;
 *   isolate        reclaim wants up to @nr victims: fill @pages, each with a
 *                  reference taken by vmsim_page_get (a page it refuses is
 *                  being freed: skip it); the memory manager frees those it
 *                  can, and hands back the others through page_added.
 * page_added, page_removed, referenced and isolate are called with the
 * machine's LRU lock held, one at a time: a plugin's lists need no lock of
 * their own for them; accessed may come from any CPU at any time (use
 * atomics).  A plugin calls nothing of vmsim but the functions below.
 */
#ifndef VMSIM_RECLAIM_H
#define VMSIM_RECLAIM_H

#include "vmsim/vmsim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VMSIM_RECLAIM_ABI	1	/* vmsim_reclaim_ops.abi: the layout below */

typedef struct page vmsim_page_t;	/* a page frame, opaque */

struct vmsim_reclaim_ops {
	unsigned int abi;		/* VMSIM_RECLAIM_ABI */
	const char *name;		/* for reports ("plugin:PATH" is shown) */
	const char *follows;		/* one line: the paper or version it follows */
	/* per machine, at boot and teardown; 0 or -errno (boot fails) */
	int (*init)(vmsim_machine_t *m);
	void (*exit)(vmsim_machine_t *m);
	void (*page_added)(vmsim_machine_t *m, vmsim_page_t *page);
	void (*page_removed)(vmsim_machine_t *m, vmsim_page_t *page);
	void (*referenced)(vmsim_machine_t *m, vmsim_page_t *page);
	void (*accessed)(vmsim_machine_t *m, vmsim_page_t *page);	/* NULL: not wanted */
	unsigned int (*isolate)(vmsim_machine_t *m, vmsim_page_t **pages, unsigned int nr);
};

/* What the shared object defines (looked up by this name). */
typedef const struct vmsim_reclaim_ops *(*vmsim_reclaim_plugin_fn)(void);
#define VMSIM_RECLAIM_PLUGIN_SYMBOL "vmsim_reclaim_plugin"

/* --- what a plugin may call ---------------------------------------------- */

/* The page frame number of @page (0 .. vmsim_max_pfn - 1). */
VMSIM_API unsigned long vmsim_page_pfn(const vmsim_page_t *page);
/* The page of frame @pfn. */
VMSIM_API vmsim_page_t *vmsim_pfn_page(vmsim_machine_t *m, unsigned long pfn);
/* Frames of the machine: every pfn is below. */
VMSIM_API unsigned long vmsim_max_pfn(vmsim_machine_t *m);
/* A reference for a victim: 1, or 0 when the page is being freed (skip it). */
VMSIM_API int vmsim_page_get(vmsim_page_t *page);
/* 1 if @page is anonymous or shmem (backed by swap), 0 for a file page. */
VMSIM_API int vmsim_page_swapbacked(const vmsim_page_t *page);
/* The plugin's own per-machine pointer (NULL until set). */
VMSIM_API void *vmsim_reclaim_private(vmsim_machine_t *m);
VMSIM_API void vmsim_reclaim_set_private(vmsim_machine_t *m, void *data);

#ifdef __cplusplus
}
#endif

#endif

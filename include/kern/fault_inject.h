/*
 * Fault injection (Linux's lib/fault-inject.c, fail_page_alloc, failslab
 * and fail_make_request, reduced to "fail the Nth call once"): the
 * machine options fail_page_alloc=N, fail_slab=N and fail_io=N make the
 * Nth page allocation, slab allocation or page of swap/file I/O after boot
 * fail.  While an option is set, its calls are counted even past N, so a
 * run with N beyond reach tells how many calls a workload makes: the
 * fault-injection sweep (tests/unit/test_fault_sweep.c) then fails each.
 */
#ifndef KERN_FAULT_INJECT_H
#define KERN_FAULT_INJECT_H

#include <stdbool.h>
#include <stdint.h>

struct machine;

enum fault_kind {
	FAULT_PAGE_ALLOC,	/* cfg.fail_page_alloc_nth: __alloc_pages returns NULL */
	FAULT_SLAB,		/* cfg.fail_slab_nth: kmem_cache_alloc returns NULL */
	FAULT_IO,		/* cfg.fail_io_nth: a page read or write gives -EIO */
	NR_FAULT_KINDS
};

/*
 * should_fail_io - the I/O submission point (swap: rw_swap_page_nolock;
 * files: the file system's readpage and writepage): true when this page
 * of I/O is the cfg.fail_io_nth since boot.  The caller then fails the
 * request with -EIO without touching the disk, as a disk error would.
 */
bool should_fail_io(struct machine *m);

/* Calls of @kind counted so far (only while its option is set). */
uint64_t fault_inject_calls(struct machine *m, enum fault_kind kind);

/* mm/slab.c: slab allocations counted while cfg.fail_slab_nth is set. */
uint64_t failslab_calls(struct machine *m);

#endif

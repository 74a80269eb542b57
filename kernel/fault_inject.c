/*
 * Fault injection: the I/O failure point and the call counters the
 * fault-injection sweep reads (include/kern/fault_inject.h).  The page and
 * slab allocation points are in mm/page_alloc.c and mm/slab.c.
 */
#include "kern/fault_inject.h"
#include "kern/machine.h"

bool should_fail_io(struct machine *m)
{
	uint64_t nth = m->cfg.fail_io_nth;

	if (likely(!nth) || !m->booted)
		return false;
	return atomic_fetch_add(&m->fail_io_count, 1) + 1 == nth;
}

uint64_t fault_inject_calls(struct machine *m, enum fault_kind kind)
{
	uint64_t n = 0;

	switch (kind) {
	case FAULT_PAGE_ALLOC:
		/* counted per CPU (the allocator's hot path touches nothing shared) */
		for (int i = 0; i < m->nr_cpus; i++)
			n += m->cpu[i].fail_page_alloc_count;
		return n;
	case FAULT_SLAB:
		return failslab_calls(m);
	case FAULT_IO:
		return atomic_load(&m->fail_io_count);
	default:
		return 0;
	}
}

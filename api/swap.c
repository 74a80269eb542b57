/*
 * The public swap and reclaim controls (include/vmsim/swap.h): machine
 * calls (api/entry.h) into sys_swapoff (mm/swapoff.c) and
 * shrink_all_memory (mm/vmscan.c).  vmsim_swapon, with the machine's
 * creation, is in api/machine.c.
 */
#include "kern/mm.h"
#include "kern/vmscan.h"
#include "vmsim/swap.h"
#include "entry.h"

int vmsim_swapoff(vmsim_machine_t *m, int type)
{
	return MACHINE_CALL(m, sys_swapoff(m, type));
}

/* Everything reclaimable, and this CPU's free-page cache back in the buddy lists. */
static unsigned long shrink_and_drain(struct machine *m)
{
	unsigned long freed = shrink_all_memory(m);

	drain_local_pages();
	return freed;
}

unsigned long vmsim_shrink_memory(vmsim_machine_t *m)
{
	return MACHINE_CALL(m, shrink_and_drain(m));
}

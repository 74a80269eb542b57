/*
 * The public swap and reclaim controls (vmsim_swapon in
 * include/vmsim/vmsim.h, the others in include/vmsim/swap.h): machine calls
 * (api/entry.h) into sys_swapon (mm/swapfile.c), sys_swapoff
 * (mm/swapoff.c), shrink_all_memory (mm/vmscan.c) and do_sleep
 * (kernel/sys.c).
 */
#include "kern/mm.h"
#include "kern/swap.h"
#include "kern/vmscan.h"
#include "kern/printk.h"
#include "vmsim/swap.h"
#include "entry.h"

int vmsim_swapon(vmsim_machine_t *m, const char *path, uint64_t bytes, int prio)
{
	return MACHINE_CALL(m, sys_swapon(m, path, bytes, prio));
}

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

unsigned long vmsim_sleep(vmsim_machine_t *m, unsigned long centisecs)
{
	return MACHINE_CALL(m, do_sleep(m, centisecs * HZ / 100));
}

/*
 * Swap and reclaim controls of a simulated machine (with vmsim_swapon in
 * vmsim.h), and the passing of virtual time.
 */
#ifndef VMSIM_SWAP_H
#define VMSIM_SWAP_H

#include "vmsim/vmsim.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Stop swapping to area @type (vmsim_swapon's result): every page in it
 * is brought back into memory first.  0, -EINVAL if there is no such
 * area, -ENOMEM if memory cannot take the pages back, -EIO if a page
 * cannot be read from it (the area stays in both cases).
 */
VMSIM_API int vmsim_swapoff(vmsim_machine_t *m, int type);

/*
 * Reclaim as much as possible now (page cache, swap cache, anonymous
 * pages to swap, slab): as Linux's drop_caches plus swapping out.
 * Returns the number of pages freed.
 */
VMSIM_API unsigned long vmsim_shrink_memory(vmsim_machine_t *m);

/*
 * Let @centisecs of virtual time pass with no process running (the
 * machine's clock, HZ 100: a jiffy is a centisecond): the periodic
 * kernel threads run when due (kupdate, writeback's periodic pass).
 * Returns the clock (jiffies) after.
 */
VMSIM_API unsigned long vmsim_sleep(vmsim_machine_t *m, unsigned long centisecs);

#ifdef __cplusplus
}
#endif
#endif

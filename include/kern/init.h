/*
 * Boot and shutdown of the simulated kernel (init/main.c), and the
 * architecture's part of boot (arch/x86/kernel/setup.c).
 */
#ifndef KERN_INIT_H
#define KERN_INIT_H

#include "kern/machine.h"

/*
 * start_kernel - boot the kernel on @m, whose configuration is set and
 * whose hardware (RAM, CPUs) exists: every subsystem's init in dependency
 * order, then the accounting snapshot.  0, or -1 when a subsystem failed
 * (stop_kernel then undoes what was done).
 */
int start_kernel(struct machine *m);
/* stop_kernel - every subsystem's teardown, in the reverse order of boot. */
void stop_kernel(struct machine *m);

/*
 * setup_arch - the machine's physical memory map: RAM size, the end of
 * lowmem, nodes and CPUs, bootmem with the firmware's and the kernel
 * image's ranges reserved, and mem_map allocated from it.
 */
void setup_arch(struct machine *m);
/* trap_init - load the kernel's trap table (page fault, invalidate IPI, #GP) and GDT on every CPU. */
void trap_init(struct machine *m);

#endif

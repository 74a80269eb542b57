/*
 * trap_init: the kernel's entries into which the simulated CPUs vector
 * (Linux's arch/x86/kernel/traps.c and its IDT): the page fault and the
 * TLB-invalidate IPI.  Loaded on every CPU at boot, before any access.
 */
#include "kern/memory.h"
#include "kern/sched.h"
#include "kern/tlb.h"
#include "kern/init.h"

/*
 * #PF: the faulting access ran on this thread's CPU, in the address space
 * loaded there (active_mm).
 */
static int page_fault_trap(struct hw_cpu *cpu, unsigned long address, unsigned int error_code)
{
	return do_page_fault(this_cpu()->active_mm, address, error_code);
}

static const struct hw_trap_table idt_table = {
	.page_fault = page_fault_trap,
	.invalidate_tlb = smp_invalidate_interrupt,
};

void trap_init(struct machine *m)
{
	for (int i = 0; i < m->nr_cpus; i++)
		load_idt(m->cpu[i].hw, &idt_table);
}

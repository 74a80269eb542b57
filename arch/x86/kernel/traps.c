/*
 * trap_init: the kernel's entries into which the simulated CPUs vector
 * (Linux's arch/x86/kernel/traps.c and its IDT): the page fault and the
 * TLB-invalidate IPI, the general protection fault (segments).  Loaded on every CPU at boot, before any access.
 */
#include "kern/memory.h"
#include "kern/sched.h"
#include "kern/tlb.h"
#include "kern/init.h"
#include "kern/reclaim_policy.h"
#include "kern/segment.h"

/*
 * #PF: the faulting access ran on this thread's CPU, in the address space
 * loaded there (active_mm).
 */
static int page_fault_trap(struct hw_cpu *cpu, unsigned long address, unsigned int error_code)
{
	return do_page_fault(this_cpu()->active_mm, address, error_code);
}

/*
 * #GP / #NP from user mode (2.4's do_general_protection): SIGSEGV, with
 * SI_KERNEL and no address, as Linux reports a general protection fault.
 */
static void general_protection_trap(struct hw_cpu *cpu, unsigned int vector,
				    unsigned int error_code)
{
	struct task_struct *tsk = current;

	(void)cpu;
	BUG_ON_MSG(!tsk, "#GP (vector %u, error %#x) outside a task", vector, error_code);
	force_sig_fault(tsk, SIGSEGV, SI_KERNEL, 0);
}

static const struct hw_trap_table idt_table = {
	.page_fault = page_fault_trap,
	.invalidate_tlb = smp_invalidate_interrupt,
	.general_protection = general_protection_trap,
};

/*
 * A policy that sees every access (reclaim_policy.accessed: exact LRU)
 * gets each walk the MMU makes reported; the machine has a one-entry TLB
 * then (api/machine.c), so a walk is each access to another page.
 */
static void page_walk_trap(struct hw_cpu *cpu, phys_addr_t phys)
{
	struct machine *m = this_machine();

	(void)cpu;
	if (m->reclaim_policy && pfn_valid(m, phys >> PAGE_SHIFT))
		m->reclaim_policy->accessed(m, pfn_to_page(m, phys >> PAGE_SHIFT));
}

static const struct hw_trap_table idt_table_walks = {
	.page_fault = page_fault_trap,
	.invalidate_tlb = smp_invalidate_interrupt,
	.page_walk = page_walk_trap,
	.general_protection = general_protection_trap,
};

void trap_init(struct machine *m)
{
	const struct reclaim_policy *pol = reclaim_policy_of(&m->cfg);
	const struct hw_trap_table *idt = pol && pol->accessed ? &idt_table_walks : &idt_table;

	for (int i = 0; i < m->nr_cpus; i++)
		load_idt(m->cpu[i].hw, idt);
	cpu_init(m);
}

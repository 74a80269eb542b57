/*
 * The kernel's TLB flushes (Linux's arch/x86/mm/tlb.c): the running
 * CPU's own (cr3 reload, invlpg), flush_tlb_* with the invalidate IPI to
 * the other CPUs that have the mm loaded, the IPI's handler, switch_mm
 * (the cr3 load) and update_mmu_cache.  The TLB is hardware (hw/tlb.c).
 *
 * Lock order: flush_tlb_* may be called with page_table_lock held (it
 * only waits for other CPUs to finish one access, and an access never
 * takes a lock).
 */
#include "kern/pgtable.h"
#include "kern/tlb.h"

void local_flush_tlb(void)
{
	tlb_flush_local(this_cpu()->hw->tlb, true);
	count_vm_event(TLB_FLUSH);
}

void local_flush_tlb_all(void)
{
	tlb_flush_local(this_cpu()->hw->tlb, false);
	count_vm_event(TLB_FLUSH);
}

void local_flush_tlb_page(unsigned long addr)
{
	tlb_invlpg(this_cpu()->hw->tlb, addr);
}

/* The invalidate IPI, taken by @cpu at its next access boundary. */
void smp_invalidate_interrupt(struct hw_cpu *cpu)
{
	tlb_flush_local(cpu->tlb, false);
	count_vm_event(TLB_FLUSH);
}

/*
 * Send the invalidate IPI to the CPUs in @mask (never the running one)
 * and wait until none of them can still be using an old translation.
 */
static void flush_tlb_others(struct machine *m, unsigned long mask)
{
	if (!mask)
		return;
	for (int i = 0; i < m->nr_cpus; i++)
		if (mask & (1UL << i))
			count_vm_event(TLB_SHOOTDOWN);
	hw_send_invalidate_ipi(&m->hw, mask);
}

static unsigned long other_cpus(struct mm_struct *mm, bool *self)
{
	unsigned long me = 1UL << smp_processor_id();
	unsigned long mask = atomic_load_explicit(&mm->cpu_vm_mask, memory_order_seq_cst);

	*self = mask & me;
	return mask & ~me;
}

void flush_tlb_mm(struct mm_struct *mm)
{
	bool self;
	unsigned long others = other_cpus(mm, &self);

	if (self)
		local_flush_tlb();
	flush_tlb_others(mm->machine, others);
}

void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	bool self;
	unsigned long others = other_cpus(mm, &self);

	if (self)
		local_flush_tlb_page(addr);
	flush_tlb_others(mm->machine, others);
}

/* Above this many pages a range flush drops the whole (non-global) TLB. */
#define FLUSH_RANGE_PAGES 32

void flush_tlb_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	bool self;
	unsigned long others = other_cpus(mm, &self);

	if (self) {
		if ((end - start) >> PAGE_SHIFT > FLUSH_RANGE_PAGES) {
			local_flush_tlb();
		} else {
			for (unsigned long a = start & PAGE_MASK; a < end; a += PAGE_SIZE)
				local_flush_tlb_page(a);
		}
	}
	flush_tlb_others(mm->machine, others);
}

void flush_tlb_all(void)
{
	struct machine *m = this_machine();
	unsigned long all = (m->nr_cpus >= 64 ? ~0UL : (1UL << m->nr_cpus) - 1);

	local_flush_tlb_all();
	flush_tlb_others(m, all & ~(1UL << smp_processor_id()));
}

void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	(void)start;
	(void)end;
	flush_tlb_all();
}

void switch_mm(struct mm_struct *prev, struct mm_struct *next, struct sim_cpu *cpu)
{
	unsigned long bit = 1UL << cpu->id;

	BUG_ON_MSG(cpu != this_cpu(), "switch_mm on cpu %d from the thread of cpu %d",
		   cpu->id, this_cpu() ? this_cpu()->id : -1);
	if (prev == next) {
		/* lazy re-entry: make sure shootdowns find us again */
		if (!(atomic_fetch_or(&next->cpu_vm_mask, bit) & bit))
			local_flush_tlb();
		cpu->active_mm = next;
		return;
	}
	if (prev)
		atomic_fetch_and(&prev->cpu_vm_mask, ~bit);
	if (next)
		atomic_fetch_or(&next->cpu_vm_mask, bit);
	cpu->active_mm = next;
	/* the cr3 load: every non-global translation goes */
	hw_write_cr3(cpu->hw, next ? next->pgd : 0);
	count_vm_event(TLB_FLUSH);
}


/*
 * update_mmu_cache - the fault that installed @pte at @address is about
 * to be retried: load the translation into this CPU's TLB now (as Linux's
 * hook does on MIPS and SPARC; x86 hardware would walk again), so the
 * retried access hits.  Only a user PTE whose Accessed bit (and Dirty bit,
 * for a writable entry) is already set is loaded: the walk it saves would
 * have changed nothing.  Call with mm->page_table_lock held, so that a
 * racing zap clears the PTE (and posts its flush) after the fill.
 */
void update_mmu_cache(struct vm_area_struct *vma, unsigned long address, pte_t pte)
{
	struct sim_cpu *cpu = this_cpu();
	uint64_t v = pte_val(pte);

	if (cpu->active_mm != vma->vm_mm || !cpu->hw->tlb ||
	    (v & (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)) !=
	    (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED))
		return;
	tlb_fill(cpu->hw->tlb, address, cpu->machine->ram + ((phys_addr_t)pte_pfn(pte) << PAGE_SHIFT),
		 true, (v & _PAGE_RW) && (v & _PAGE_DIRTY), v & _PAGE_NX, v & _PAGE_GLOBAL);
}

/*
 * The kernel's TLB flushes (Linux's arch/x86/mm/tlb.c): the running
 * CPU's own (cr3 reload, invlpg), flush_tlb_* with the invalidate IPI to
 * the other CPUs that have the mm loaded, the IPI's handler, switch_mm
 * (the cr3 load) and update_mmu_cache.  The TLB is hardware (hw/tlb.c).
 * Also the two views of it: /proc/interrupts' "TLB:" line (IPIs taken per
 * CPU) and `show tlb CPU` (a CPU's entries).
 *
 * Lock order: flush_tlb_* may be called with page_table_lock held (it
 * only waits for other CPUs to finish one access, and an access never
 * takes a lock).
 */
#include <errno.h>
#include <stdlib.h>
#include "kern/pgtable.h"
#include "kern/sched.h"
#include "kern/seq_buf.h"
#include "kern/tlb.h"

void local_flush_tlb(void)
{
	tlb_flush_local(this_cpu()->hw->tlb, true);
	count_vm_event(TLB_FLUSH);
	count_vm_event(NR_TLB_LOCAL_FLUSH_ALL);
}

void local_flush_tlb_all(void)
{
	tlb_flush_local(this_cpu()->hw->tlb, false);
	count_vm_event(TLB_FLUSH);
	count_vm_event(NR_TLB_LOCAL_FLUSH_ALL);
}

void local_flush_tlb_page(unsigned long addr)
{
	tlb_invlpg(this_cpu()->hw->tlb, addr);
	count_vm_event(NR_TLB_LOCAL_FLUSH_ONE);
}

/*
 * The invalidate IPI, taken by @cpu: at its next access boundary, or at
 * once in a serial machine (flush_tlb_others).  Counted as the receiving
 * CPU's (its "TLB:" column of /proc/interrupts), whichever thread runs it.
 */
void smp_invalidate_interrupt(struct hw_cpu *cpu)
{
	struct sim_cpu *target = &this_machine()->cpu[cpu->id];

	tlb_flush_local(cpu->tlb, false);
	__count_vm_events(target, TLB_FLUSH, 1);
	__count_vm_events(target, NR_TLB_REMOTE_FLUSH_RECEIVED, 1);
}

/*
 * Send the invalidate IPI to the CPUs in @mask (never the running one)
 * and wait until none of them can still be using an old translation.
 * In a serial machine (cfg.serial: one host thread runs every CPU in
 * turn, so no other CPU is inside an access) each target takes it now,
 * as x86's sender waits for every target's handler, and its TLB is empty
 * when the flush returns: `show tlb` and the counts see it at once.
 */
static void flush_tlb_others(struct machine *m, unsigned long mask)
{
	if (!mask)
		return;
	count_vm_event(NR_TLB_REMOTE_FLUSH);
	trace_tlb_flush(m, TLB_REMOTE_SEND_IPI, -1);
	for (int i = 0; i < m->nr_cpus; i++)
		if (mask & (1UL << i))
			count_vm_event(TLB_SHOOTDOWN);
	hw_send_invalidate_ipi(&m->hw, mask);
	if (!m->cfg.serial)
		return;
	for (int i = 0; i < m->nr_cpus; i++)
		if ((mask & (1UL << i)) && tlb_ipi_pending(m->hw.cpu[i].tlb))
			tlb_apply_pending(m->hw.cpu[i].tlb);
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

	if (self) {
		trace_tlb_flush(mm->machine, TLB_LOCAL_MM_SHOOTDOWN, -1);
		local_flush_tlb();
	}
	flush_tlb_others(mm->machine, others);
}

void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	bool self;
	unsigned long others = other_cpus(mm, &self);

	if (self) {
		trace_tlb_flush(mm->machine, TLB_LOCAL_SHOOTDOWN, 1);
		local_flush_tlb_page(addr);
	}
	flush_tlb_others(mm->machine, others);
}

/* Above this many pages a range flush drops the whole (non-global) TLB. */
#define FLUSH_RANGE_PAGES 32

void flush_tlb_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	bool self;
	unsigned long others = other_cpus(mm, &self);

	if (self) {
		trace_tlb_flush(mm->machine, TLB_LOCAL_SHOOTDOWN,
				(end - start) >> PAGE_SHIFT > FLUSH_RANGE_PAGES ? -1 : (long)((end - start) >> PAGE_SHIFT));
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

/*
 * /proc/interrupts as Linux's x86 prints it, its "TLB:" line only (the
 * one interrupt vmsim's CPUs take): a column per CPU of the invalidate
 * IPIs it received, the header's width from prec = 3 (fewer than 1000
 * IRQs), as show_interrupts and arch_show_interrupts do.
 */
void show_interrupts(struct machine *m, struct seq_buf *s)
{
	seq_printf(s, "%*s", 3 + 8, "");
	for (int i = 0; i < m->nr_cpus; i++)
		seq_printf(s, "CPU%-8d", i);
	seq_printf(s, "\n%*s: ", 3, "TLB");
	for (int i = 0; i < m->nr_cpus; i++)
		seq_printf(s, "%10lu ", atomic_load_explicit(&m->cpu[i].events[NR_TLB_REMOTE_FLUSH_RECEIVED],
							     memory_order_relaxed));
	seq_puts(s, "  TLB shootdowns\n");
}

struct tlb_line {
	unsigned long page, pfn;
	bool write;
	unsigned int flags;
};

struct tlb_dump {
	struct machine *m;
	struct tlb_line *line;
	unsigned int n;
};

static void tlb_dump_one(void *arg, unsigned long page, uint8_t *host, bool write,
			 unsigned int flags)
{
	struct tlb_dump *d = arg;

	d->line[d->n++] = (struct tlb_line){
		.page = page, .pfn = (unsigned long)(host - d->m->ram) >> PAGE_SHIFT,
		.write = write, .flags = flags,
	};
}

static int tlb_line_cmp(const void *a, const void *b)
{
	const struct tlb_line *x = a, *y = b;

	return (x->page > y->page) - (x->page < y->page);
}

/* The lowest pid of a live task using @mm, 0 if none (tasklist_lock). */
static int mm_user_pid(struct machine *m, struct mm_struct *mm)
{
	struct task_struct *p;
	int pid = 0;

	spin_lock(&m->tasks->tasklist_lock);
	list_for_each_entry(p, &m->tasks->task_list, tasks)
		if (p->mm == mm && p->state == TASK_RUNNING) {
			pid = p->pid;
			break;
		}
	spin_unlock(&m->tasks->tasklist_lock);
	return pid;
}

/*
 * show_tlb - CPU @cpu's TLB: its geometry, the mm it has loaded (by the
 * pid of a task using it), a pending invalidate IPI, then one line per
 * valid entry in virtual page order: page, frame, the rights a hit gives
 * (rw: writes hit, as the PTE is writable and dirty), user or kernel,
 * global, nx.  Call where no thread runs @cpu (a serial machine, or a
 * concurrent script between rounds: the joins order the owner's writes).
 */
int show_tlb(struct machine *m, int cpu, struct seq_buf *s)
{
	struct tlb_dump d = { .m = m };
	struct mm_struct *mm;
	struct tlb *t;

	if (cpu < 0 || cpu >= m->nr_cpus)
		return -EINVAL;
	t = m->hw.cpu[cpu].tlb;
	d.line = calloc(t->nr_entries, sizeof(*d.line));
	if (!d.line)
		return -ENOMEM;
	tlb_for_each_entry(t, tlb_dump_one, &d);
	qsort(d.line, d.n, sizeof(*d.line), tlb_line_cmp);
	mm = atomic_load(&m->tasks->lazy_mm[cpu]);
	seq_printf(s, "cpu %d: %u entries, %u-way, %u valid; ", cpu, t->nr_entries, t->ways, d.n);
	if (mm)
		seq_printf(s, "mm of pid %d loaded", mm_user_pid(m, mm));
	else
		seq_puts(s, "no process mm loaded");
	seq_printf(s, "%s\n", tlb_ipi_pending(t) ? "; invalidate IPI pending" : "");
	if (d.n)
		seq_printf(s, "  %-18s %-8s %s\n", "virtual", "frame", "flags");
	for (unsigned int i = 0; i < d.n; i++)
		seq_printf(s, "  0x%016lx %-8lu %s %s%s%s\n", d.line[i].page, d.line[i].pfn,
			   d.line[i].write ? "rw" : "r-",
			   d.line[i].flags & TLB_F_USER ? "user" : "kernel",
			   d.line[i].flags & TLB_F_GLOBAL ? " global" : "",
			   d.line[i].flags & TLB_F_NX ? " nx" : "");
	free(d.line);
	return 0;
}

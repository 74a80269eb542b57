/*
 * The kernel's TLB flush interface, as Linux's (arch/x86/mm/tlb.c):
 * flush_tlb_page/range/mm/all, the local flushes of the running CPU, and
 * the handler of the invalidate IPI.  The TLB itself is hardware
 * (hw/tlb.h).
 */
#ifndef KERN_TLB_H
#define KERN_TLB_H

#include "kern/mm_types.h"
#include "hw/tlb.h"

/* This CPU only. */
void local_flush_tlb(void);			/* cr3 reload: non-global entries */
void local_flush_tlb_all(void);			/* everything, global included */
void local_flush_tlb_page(unsigned long addr);	/* invlpg */

/*
 * Linux's flush interface: the running CPU flushes its own TLB and shoots
 * down the other CPUs that have @mm loaded (cpu_vm_mask), waiting until
 * none of them can use a stale entry.  Call after changing the PTEs and
 * before freeing what they pointed to.
 */
void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr);
void flush_tlb_range(struct mm_struct *mm, unsigned long start, unsigned long end);
void flush_tlb_mm(struct mm_struct *mm);
/* Every CPU of the machine, global entries included (kernel mappings). */
void flush_tlb_all(void);
void flush_tlb_kernel_range(unsigned long start, unsigned long end);

/* The invalidate IPI's handler (arch/x86/kernel/traps.c installs it): flush everything. */
void smp_invalidate_interrupt(struct hw_cpu *cpu);

struct seq_buf;
/* /proc/interrupts: the "TLB:" line, a column per CPU (Linux's x86 format). */
void show_interrupts(struct machine *m, struct seq_buf *s);
/* CPU @cpu's TLB entries, for `show tlb CPU`: 0, -EINVAL (no such CPU), -ENOMEM. */
int show_tlb(struct machine *m, int cpu, struct seq_buf *s);

#endif

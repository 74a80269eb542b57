/*
 * do_page_fault (Linux's arch/x86/mm/fault.c): the page-fault trap's
 * handler.  The MMU (hw/mmu.c) raises #PF with the x86 error code; this
 * finds the VMA, grows the stack, checks the access against the VMA's
 * protections and calls handle_mm_fault, or sends the task SIGSEGV or
 * SIGBUS.  A kernel-mode fault in kernel space is a vmalloc fault.
 */
#include <errno.h>
#include "kern/sched.h"
#include "kern/memory.h"
#include "kern/pgtable.h"
#include "kern/vmalloc.h"

/*
 * How far below the stack pointer 2.4's i386 do_page_fault lets the stack
 * grow: 32 bytes, for pusha's eight 32-bit registers ("address + 32 < esp"
 * is refused). The later 64 KiB + 32 words is 2.6's; not this option's.
 */
#define STACK_BELOW_SP	32UL

int do_page_fault(struct mm_struct *mm, unsigned long address, unsigned int error_code)
{
	struct task_struct *tsk = current;
	bool user = error_code & PF_USER;
	struct machine *m = this_machine();
	struct vm_area_struct *vma;
	const char *why = "kernel_address";	/* why a bad area is bad (trace) */
	int si_code = SEGV_MAPERR;
	unsigned int flags = 0;
	int ret;

	/*
	 * x86-64: an address that is not canonical raises a general protection
	 * fault, not a page fault: SIGSEGV with SI_KERNEL and no address (an
	 * access that runs from the last user page into the hole too).
	 */
	if (user && mm && mm_pgt_fmt(mm)->va_bits == 48 &&
	    !pgt_va_valid(mm_pgt_fmt(mm), address)) {
		if (tsk)
			force_sig_fault(tsk, SIGSEGV, SI_KERNEL, 0);
		return -EFAULT;
	}
	/* a kernel-mode access to kernel space: vmalloc space picked up from init_mm */
	if (user)
		trace_page_fault_user(m, address, error_code);
	if (mm && !user && address >= TASK_SIZE_OF(mm->machine))
		return vmalloc_fault(mm, address, error_code);
	if (!mm || address >= TASK_SIZE_OF(mm->machine) || (tsk && tsk->mm != mm))
		goto bad_area_nosemaphore;

	down_read(&mm->mmap_sem);
	why = "no_vma";
	vma = find_vma(mm, address);
	if (!vma)
		goto bad_area;
	if (vma->vm_start <= address)
		goto good_area;
	if (!(vma->vm_flags & VM_GROWSDOWN))
		goto bad_area;
	/* 2.4's check (cfg spcheck=on), when the task's stack pointer is known */
	why = "below_stack_pointer";
	if (user && tsk && tsk->sp && mm->machine->cfg.stack_sp_check &&
	    address + STACK_BELOW_SP < tsk->sp)
		goto bad_area;
	why = "stack_limit";
	if (expand_stack(vma, address))
		goto bad_area;
	trace_mm_fault_handler(m, address, "expand_stack", "stack_growth", -1, (long)vma->vm_start);
	count_vm_event(PGFAULT_STACK_GROW);
good_area:
	si_code = SEGV_ACCERR;
	if (error_code & PF_WRITE) {
		why = "vma_not_writable";
		if (!(vma->vm_flags & VM_WRITE))
			goto bad_area;
		flags |= FAULT_FLAG_WRITE;
	} else if (error_code & PF_INSTR) {
		why = "vma_not_executable";
		if (!(vma->vm_flags & VM_EXEC))
			goto bad_area;
		flags |= FAULT_FLAG_INSTRUCTION;
	} else {
		why = "vma_not_readable";
		if (error_code & PF_PROT)
			goto bad_area;	/* a read of a present page cannot fault */
		/* x86 cannot map write-only: a PROT_WRITE area reads too (vma_is_accessible) */
		if (!(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)))
			goto bad_area;
	}
	if (user)
		flags |= FAULT_FLAG_USER;

	ret = handle_mm_fault(mm, vma, address, flags);
	up_read(&mm->mmap_sem);
	switch (ret) {
	case VM_FAULT_MINOR:
		if (tsk)
			tsk->min_flt++;
		return 0;
	case VM_FAULT_MAJOR:
		count_vm_event(PGMAJFAULT);
		if (tsk)
			tsk->maj_flt++;
		return 0;
	case VM_FAULT_SIGBUS:
		count_vm_event(PGFAULT_SIGBUS);
		if (user && tsk)
			force_sig_fault(tsk, SIGBUS, BUS_ADRERR, address);
		return -EFAULT;
	case VM_FAULT_OOM:
	default:
		/* no OOM killer yet: the faulting task is the one that dies */
		if (user && tsk)
			force_sig_fault(tsk, SIGKILL, 0, address);
		return -EFAULT;
	}

bad_area:
	up_read(&mm->mmap_sem);
bad_area_nosemaphore:
	count_vm_event(PGFAULT_SIGSEGV);
	trace_mm_fault_handler(m, address, "bad_area", why, -1, 0);
	/* kernel-mode accesses fail the copy instead (exception fixup) */
	if (user && tsk)
		force_sig_fault(tsk, SIGSEGV, si_code, address);
	return -EFAULT;
}

/*
 * Kernel-mode access to user memory inside system calls (mm/uaccess.c),
 * Linux's <asm/uaccess.h>.  access_ok checks a range against the user
 * limit of the machine's layout (TASK_SIZE: 3 GiB on i386 and PAE,
 * 0x7ffffffff000 on x86-64) before anything is walked.  The copies are
 * supervisor accesses through the MMU (mmu_kernel_read/write): a fault is
 * resolved by do_page_fault (demand paging, COW, stack growth), and one
 * that cannot be resolved stops the copy, as Linux's exception fixup
 * does, with no signal: the system call returns -EFAULT, or the bytes
 * copied before the bad page.
 *
 * The process's own loads and stores are the user-mode accessors of
 * hw/mmu.h (mmu_user_read/write/load64/store64): those raise
 * SIGSEGV/SIGBUS.  copy_to_user, copy_from_user, get_user_u64 and
 * put_user_u64 are declared in kern/memory.h.
 */
#ifndef KERN_UACCESS_H
#define KERN_UACCESS_H

#include "kern/memory.h"

/* The first address above user space of the running machine's layout. */
unsigned long user_addr_max(void);
/* [addr, addr + size) lies below user_addr_max() (size 0: addr itself must). */
bool access_ok(unsigned long addr, unsigned long size);

#endif

/*
 * mm/uaccess.c - the kernel's access to user memory in system calls:
 * copy_to_user, copy_from_user and the 8-byte get/put (Linux's
 * arch/x86/lib/usercopy and <asm/uaccess.h>).  See kern/uaccess.h.
 *
 * Each is a kernel-mode access of the running task's address space:
 * access_ok first (a range reaching above user space is refused without a
 * walk, as Linux's range check), then mmu_kernel_read/write, which walk
 * without PF_USER.  So a write to a read-only page faults as on x86 with
 * CR0.WP set, and do_page_fault breaks COW for it when the VMA is
 * writable; a fault it cannot resolve fails the copy there and raises no
 * signal (do_page_fault signals only PF_USER faults).
 */
#include <string.h>
#include "kern/uaccess.h"
#include "kern/mmu.h"
#include "kern/mman.h"

unsigned long user_addr_max(void)
{
	return arch_task_size(this_machine());
}

bool access_ok(unsigned long addr, unsigned long size)
{
	unsigned long limit = user_addr_max();

	return size <= limit && addr <= limit - size;
}

unsigned long copy_to_user(unsigned long to, const void *from, unsigned long n)
{
	if (!access_ok(to, n))
		return n;
	return mmu_kernel_write(to, from, n);
}

unsigned long copy_from_user(void *to, unsigned long from, unsigned long n)
{
	unsigned long left = n;

	if (access_ok(from, n))
		left = mmu_kernel_read(to, from, n);
	/* as Linux: what could not be read is zeroed, no stale kernel bytes leak */
	if (left)
		memset((uint8_t *)to + (n - left), 0, left);
	return left;
}

int get_user_u64(uint64_t *val, unsigned long addr)
{
	return copy_from_user(val, addr, sizeof(*val)) ? -EFAULT : 0;
}

int put_user_u64(uint64_t val, unsigned long addr)
{
	return copy_to_user(addr, &val, sizeof(val)) ? -EFAULT : 0;
}

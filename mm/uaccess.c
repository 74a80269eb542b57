/*
 * User-memory access for the kernel: copy_to_user, copy_from_user and the
 * 8-byte get/put, run as the task's own loads and stores through the MMU
 * and TLB of the running CPU (kern/mmu.h).  A fault is resolved by
 * do_page_fault and the access retried; one that cannot be resolved
 * raises SIGSEGV/SIGBUS on current and stops the copy there.
 */
#include "kern/memory.h"
#include "kern/mmu.h"

unsigned long copy_to_user(unsigned long to, const void *from, unsigned long n)
{
	return __mmu_copy(to, NULL, from, n, true, true);
}

unsigned long copy_from_user(void *to, unsigned long from, unsigned long n)
{
	return __mmu_copy(from, to, NULL, n, false, true);
}

int get_user_u64(uint64_t *val, unsigned long addr)
{
	return mmu_user_load64(addr, val);
}

int put_user_u64(uint64_t val, unsigned long addr)
{
	return mmu_user_store64(addr, val);
}

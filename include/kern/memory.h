/*
 * The contract between the layers that share page tables:
 *   mm/memory.c      faults, COW, copy/zap/zeromap/remap ranges
 *   mm/uaccess.c     copy_to_user and friends (kernel-mode user access)
 *   mm/mmap.c ...    VMAs and the system calls that change them
 *   kernel/fork.c    dup_mmap -> copy_page_range
 * Page-table formats and accessors are in kern/pgtable.h (arch/x86).
 */
#ifndef KERN_MEMORY_H
#define KERN_MEMORY_H

#include "kern/mm_types.h"

/* fault flags (handle_mm_fault) */
#define FAULT_FLAG_WRITE	0x01
#define FAULT_FLAG_USER		0x02
#define FAULT_FLAG_INSTRUCTION	0x04

/* handle_mm_fault results */
#define VM_FAULT_MINOR		0
#define VM_FAULT_MAJOR		1
#define VM_FAULT_SIGBUS		2
#define VM_FAULT_OOM		3
#define VM_FAULT_SIGSEGV	4

/* The x86 page-fault error code bits (PF_PROT ...) are in hw/paging.h. */

/* --- mm/memory.c ------------------------------------------------------ */

/* Resolve a fault in @vma (mmap_sem held for read).  VM_FAULT_*. */
int handle_mm_fault(struct mm_struct *mm, struct vm_area_struct *vma,
		    unsigned long address, unsigned int flags);
/*
 * do_page_fault (arch/x86/mm/fault.c) - the page-fault trap's handler for
 * the running task (trap_init installs it): find_vma,
 * stack growth, permission checks, handle_mm_fault; on failure sends
 * SIGSEGV/SIGBUS to the task.  Returns 0 if the access may be retried,
 * -EFAULT if a signal was raised.
 */
int do_page_fault(struct mm_struct *mm, unsigned long address, unsigned int error_code);

/* Unmap and free the pages of [address, address+size) in @vma (rss, swap, TLB). */
void zap_page_range(struct vm_area_struct *vma, unsigned long address, unsigned long size);
/* Free page-table pages no longer covering any VMA in [start, end). */
void free_pgtables(struct mm_struct *mm, struct vm_area_struct *prev,
		   unsigned long start, unsigned long end);
/* Tear down every page table of @mm (exit_mmap's last step). */
void free_pgd_range_all(struct mm_struct *mm);
/* fork: copy @vma's PTEs from @src to @dst, write-protecting private pages. */
int copy_page_range(struct mm_struct *dst, struct mm_struct *src, struct vm_area_struct *vma);
/* Fault in [start, end) (MAP_POPULATE, mlock).  0 or -ENOMEM/-EFAULT. */
int make_pages_present(struct mm_struct *mm, unsigned long start, unsigned long end);
/* Map the ZERO_PAGE read-only over a range (zeromap_page_range). */
int zeromap_page_range(struct vm_area_struct *vma, unsigned long from, unsigned long size,
		       pgprot_t prot);
/* Map physical frames at @phys over a range (remap_page_range). */
int remap_page_range(struct vm_area_struct *vma, unsigned long from, phys_addr_t phys,
		     unsigned long size, pgprot_t prot);
/* The page mapped at @address (NULL if none); no reference taken. */
struct page *follow_page(struct mm_struct *mm, unsigned long address, int write);
/* Change the PTE protections of [start, end) in @vma (mprotect). */
void change_protection(struct vm_area_struct *vma, unsigned long start, unsigned long end,
		       pgprot_t newprot);
/* Move the PTEs of [old_addr, old_addr+len) to new_addr (mremap).  0 or -ENOMEM. */
int move_page_tables(struct vm_area_struct *vma, unsigned long old_addr,
		     struct vm_area_struct *new_vma, unsigned long new_addr, unsigned long len);
/* Protection bits for vm_flags (protection_map[]) */
pgprot_t vm_get_page_prot(unsigned long vm_flags);

/*
 * rmap-lite for reclaim and swapoff (page_table_lock held): the PTE of @mm
 * at @address now maps anonymous @page (its reference held) / no longer
 * maps @page (kern/rmap.h's chains follow, when the machine keeps them).
 */
void page_add_anon_rmap(struct mm_struct *mm, struct page *page, unsigned long address);
void page_remove_rmap(struct mm_struct *mm, struct page *page, unsigned long address);

/*
 * vma_set_flags - change the flags of a VMA in a live mm (mprotect, mlock,
 * madvise, mremap): under page_table_lock, as 2.4's mprotect_fixup, since
 * truncate zaps the mappings of a file without mmap_sem and reads the
 * flags under that lock only.
 */
static inline void vma_set_flags(struct vm_area_struct *vma, unsigned long flags)
{
	spin_lock(&vma->vm_mm->page_table_lock);
	vma->vm_flags = flags;
	spin_unlock(&vma->vm_mm->page_table_lock);
}

/*
 * Mlocked pages (mm/mlock.c): @page gains / loses a VM_LOCKED mapping in
 * @vma (nothing unless @vma is VM_LOCKED).  Called where a PTE of @vma
 * starts or stops mapping @page, page_table_lock held or not.
 */
void __mlock_vma_page(struct vm_area_struct *vma, struct page *page);
void __munlock_vma_page(struct vm_area_struct *vma, struct page *page);
static inline void mlock_vma_page(struct vm_area_struct *vma, struct page *page)
{
	if (unlikely(vma->vm_flags & VM_LOCKED))
		__mlock_vma_page(vma, page);
}
static inline void munlock_vma_page(struct vm_area_struct *vma, struct page *page)
{
	if (unlikely(vma->vm_flags & VM_LOCKED))
		__munlock_vma_page(vma, page);
}
/*
 * mlock_vma_pages_range - give @vma @newflags and, if VM_LOCKED changes,
 * mlock or munlock every page its PTEs map, under page_table_lock so a
 * truncate's zap sees the flags and the counts agree (mm/memory.c).
 */
void mlock_vma_pages_range(struct vm_area_struct *vma, unsigned long newflags);

/* --- user memory access for the kernel (mm/uaccess.c, through the MMU) ---- */
/*
 * Kernel-mode accesses (system calls): access_ok first, faults resolved,
 * never a signal.  Each returns the number of bytes NOT copied (0 on
 * success), as Linux does; get/put_user 0 or -EFAULT.
 */
unsigned long copy_to_user(unsigned long to, const void *from, unsigned long n);
unsigned long copy_from_user(void *to, unsigned long from, unsigned long n);
int get_user_u64(uint64_t *val, unsigned long addr);
int put_user_u64(uint64_t val, unsigned long addr);

/* --- mm/mmap.c ---------------------------------------------------------- */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev);
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm, unsigned long start,
					     unsigned long end);
int expand_stack(struct vm_area_struct *vma, unsigned long address);
void exit_mmap(struct mm_struct *mm);
/* mm/vma.c: validate_mm - list, tree and map_count agree; VMAs sorted and disjoint */
bool validate_mm(struct mm_struct *mm);

#endif

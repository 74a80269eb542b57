/*
 * mincore: which pages of a range are resident, one byte per page (bit 0),
 * as Linux's mm/mincore.c.  Anonymous memory is resident where a present
 * PTE maps it (the ZERO_PAGE included); a swapped-out page is not.
 */
#include <errno.h>
#include "kern/mman.h"
#include "kern/memory.h"
#include "kern/pgtable.h"
#include "vma_internal.h"

/* Resident bytes for [addr, end) inside @vma. */
static void mincore_vma(struct mm_struct *mm, unsigned long addr, unsigned long end,
			unsigned char *vec)
{
	spin_lock(&mm->page_table_lock);
	for (; addr < end; addr += PAGE_SIZE, vec++) {
		ptep_t pte = pgt_walk(mm, addr);

		*vec = 0;
		if (ptep_is_null(pte))
			continue;
		if (pte_present(ptep_get(pte)))	/* PROT_NONE pages too */
			*vec = 1;
		pte_unmap(pte);
	}
	spin_unlock(&mm->page_table_lock);
}

int do_mincore(struct mm_struct *mm, unsigned long start, size_t len, unsigned char *vec)
{
	unsigned long end, addr;
	int ret = 0;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (start > mm->task_size || len > mm->task_size - start)
		return -ENOMEM;		/* access_ok */
	end = start + PAGE_ALIGN(len);
	if (end < start)
		return -ENOMEM;
	down_read(&mm->mmap_sem);
	for (addr = start; addr < end;) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		unsigned long e;

		if (!vma || vma->vm_start > addr) {
			ret = -ENOMEM;
			break;
		}
		e = min(end, vma->vm_end);
		mincore_vma(mm, addr, e, vec + ((addr - start) >> PAGE_SHIFT));
		addr = e;
	}
	up_read(&mm->mmap_sem);
	return ret;
}

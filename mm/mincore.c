/*
 * mincore: which pages of a range are resident, one byte per page (bit 0),
 * as Linux's mm/mincore.c.  A present PTE is resident (the ZERO_PAGE
 * included).  Where no PTE maps the page, a file (or shmem) mapping asks
 * the page cache, as Linux's mincore_page does; anonymous memory is not
 * resident.  A swapped-out page is resident while its swap-cache copy is.
 */
#include <errno.h>
#include "kern/mman.h"
#include "kern/memory.h"
#include "kern/pgtable.h"
#include "kern/pagemap.h"
#include "kern/swap.h"
#include "kern/vmscan.h"
#include "vma_internal.h"

/* Is there an uptodate page at @index of @mapping?  No reference taken. */
static unsigned char mincore_page(struct address_space *mapping, unsigned long index)
{
	struct page *page;
	unsigned char present;

	spin_lock(&mapping->tree_lock);
	page = radix_tree_lookup(&mapping->page_tree, index);
	present = page && PageUptodate(page);
	spin_unlock(&mapping->tree_lock);
	return present;
}

/* Resident bytes for [addr, end) inside @vma. */
static void mincore_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
			unsigned long end, unsigned char *vec)
{
	struct address_space *file = vma->vm_file ? vma->vm_file->f_mapping : NULL;

	spin_lock(&mm->page_table_lock);
	for (; addr < end; addr += PAGE_SIZE, vec++) {
		ptep_t ptep = pgt_walk(mm, addr);
		pte_t pte = __pte(0);

		if (!ptep_is_null(ptep)) {
			pte = ptep_get(ptep);
			pte_unmap(ptep);
		}
		if (pte_present(pte))		/* PROT_NONE pages too */
			*vec = 1;
		else if (!pte_none(pte))	/* a swap entry */
			*vec = mincore_page(swapper_space(mm->machine),
					    swap_cache_index(pte_to_swp_entry(pte)));
		else if (file)
			*vec = mincore_page(file, vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT));
		else
			*vec = 0;
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
		mincore_vma(mm, vma, addr, e, vec + ((addr - start) >> PAGE_SHIFT));
		addr = e;
	}
	up_read(&mm->mmap_sem);
	return ret;
}

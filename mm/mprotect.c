/*
 * mprotect: change the protection of a range of VMAs (splitting and
 * merging them) and of the page-table entries already there, as Linux's
 * mm/mprotect.c.  Like Linux, a range that runs into a hole is changed up
 * to the hole and then fails with -ENOMEM.
 */
#include <errno.h>
#include "kern/mman.h"
#include "kern/memory.h"
#include "vma_internal.h"

/*
 * mprotect_fixup - give [start, end) of @vma the flags @newflags.  *pprev
 * is the VMA before @vma on entry, the VMA covering the range on return.
 */
static int mprotect_fixup(struct mm_struct *mm, struct vm_area_struct *vma,
			  struct vm_area_struct **pprev, unsigned long start, unsigned long end,
			  unsigned long newflags)
{
	unsigned long oldflags = vma->vm_flags;
	long npages = (long)((end - start) >> PAGE_SHIFT), charged = 0;
	int err;

	if (newflags == oldflags) {
		*pprev = vma;
		return 0;
	}
	/*
	 * Making a private mapping writable charges it (VM_ACCOUNT); making it
	 * read-only again uncharges it only while no private page exists.
	 */
	if (newflags & VM_WRITE) {
		/* turning into data: RLIMIT_DATA, unless it counted as data already */
		if (!may_expand_vm(mm, newflags, (unsigned long)npages) &&
		    may_expand_vm(mm, oldflags, (unsigned long)npages))
			return -ENOMEM;
		if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE))) {
			if (vm_enough_memory(mm, (unsigned long)npages))
				return -ENOMEM;		/* overcommit */
			charged = npages;
			newflags |= VM_ACCOUNT;
		}
	} else if ((oldflags & VM_ACCOUNT) && vma_is_private_anon(vma) && !vma->vm_private_data) {
		newflags &= ~VM_ACCOUNT;
	}
	vma = vma_modify(mm, *pprev, vma, start, end, newflags, NULL, &err);
	if (!vma) {
		if (charged)
			vm_unacct_memory(mm->machine, charged);
		return err;
	}
	/* no longer charged: the range's commitment goes */
	if ((oldflags & VM_ACCOUNT) && !(newflags & VM_ACCOUNT))
		vm_unacct_memory(mm->machine, npages);
	*pprev = vma;
	vma_set_flags(vma, newflags);
	vma->vm_page_prot = vm_get_page_prot(newflags);
	change_protection(vma, start, end, vma->vm_page_prot);
	vm_stat_account(mm, oldflags, -npages);
	vm_stat_account(mm, newflags, npages);
	/* a locked private area turning writable gets its COW broken now */
	if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) == VM_LOCKED && (newflags & VM_WRITE))
		mm_populate_locked(mm, start, end, true);
	return 0;
}

int do_mprotect(struct mm_struct *mm, unsigned long start, size_t len, unsigned long prot)
{
	unsigned long end, nstart, tmp, grows, reqprot;
	struct vm_area_struct *vma, *prev, *next;
	int error;

	grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	prot &= ~(unsigned long)(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM_BIT))
		return -EINVAL;
	reqprot = prot;

	down_write(&mm->mmap_sem);
	error = -ENOMEM;
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start >= end)
		goto out;
	if (grows & PROT_GROWSDOWN) {
		start = vma->vm_start;
		error = -EINVAL;
		if (!(vma->vm_flags & VM_GROWSDOWN))
			goto out;
	} else if (vma->vm_start > start) {
		goto out;	/* a hole at start: -ENOMEM, before PROT_GROWSUP */
	} else if (grows & PROT_GROWSUP) {
		error = -EINVAL;
		goto out;	/* no VM_GROWSUP areas on x86 */
	}
	prev = start > vma->vm_start ? vma : vma_prev_of(vma);
	nstart = start;
	tmp = vma->vm_start;
	error = 0;
	for (; vma && vma->vm_start < end; vma = next) {
		unsigned long newflags;

		if (vma->vm_start != tmp) {
			error = -ENOMEM;
			break;
		}
		newflags = (reqprot & PROT_READ ? VM_READ : 0) |
			   (reqprot & PROT_WRITE ? VM_WRITE : 0) |
			   (reqprot & PROT_EXEC ? VM_EXEC : 0);
		newflags |= vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC);
		/* each VM_MAY* bit sits 4 above its VM_* bit */
		if ((newflags & ~(newflags >> 4)) & (VM_READ | VM_WRITE | VM_EXEC)) {
			error = -EACCES;
			break;
		}
		tmp = min(vma->vm_end, end);
		error = mprotect_fixup(mm, vma, &prev, nstart, tmp, newflags);
		if (error)
			break;
		/* prev now covers up to tmp; continue after it */
		/* a merge may have swallowed the next VMA of the range too */
		nstart = tmp = prev->vm_end;
		next = prev->vm_next;
		if (tmp >= end)
			break;
	}
	if (!error && tmp < end)
		error = -ENOMEM;
out:
	VALIDATE_MM(mm, "mprotect");
	up_write(&mm->mmap_sem);
	return error;
}

/*
 * madvise: advice about a range of VMAs, as Linux's mm/madvise.c.
 *   MADV_NORMAL / SEQUENTIAL / RANDOM   recorded in vm_flags (VM_SEQ_READ,
 *                                       VM_RAND_READ; splits and merges)
 *   MADV_DONTFORK / DOFORK              VM_DONTCOPY
 *   MADV_WILLNEED                       accepted (anonymous memory: nothing
 *                                       to read ahead until swap comes)
 *   MADV_DONTNEED                       zap the pages: the next touch of
 *                                       private anonymous memory reads zeroes
 * Holes in the range are skipped and reported with -ENOMEM at the end.
 */
#include <errno.h>
#include "kern/mman.h"
#include "kern/memory.h"
#include "vma_internal.h"

#ifndef MADV_DONTFORK
#define MADV_DONTFORK	10
#endif
#ifndef MADV_DOFORK
#define MADV_DOFORK	11
#endif

static bool madvise_behavior_valid(int behavior)
{
	switch (behavior) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_DONTFORK:
	case MADV_DOFORK:
		return true;
	default:
		return false;
	}
}

/* Apply @behavior to [start, end) inside @vma; *prev as mprotect_fixup. */
static int madvise_vma(struct mm_struct *mm, struct vm_area_struct *vma,
		       struct vm_area_struct **prev, unsigned long start, unsigned long end,
		       int behavior)
{
	unsigned long newflags = vma->vm_flags;
	int err;

	switch (behavior) {
	case MADV_WILLNEED:
		*prev = vma;
		return 0;
	case MADV_DONTNEED:
		/* locked and raw-frame areas keep their pages */
		if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP))
			return -EINVAL;
		*prev = vma;
		zap_page_range(vma, start, end - start);
		return 0;
	case MADV_NORMAL:
		newflags &= ~(VM_RAND_READ | VM_SEQ_READ);
		break;
	case MADV_SEQUENTIAL:
		newflags = (newflags & ~VM_RAND_READ) | VM_SEQ_READ;
		break;
	case MADV_RANDOM:
		newflags = (newflags & ~VM_SEQ_READ) | VM_RAND_READ;
		break;
	case MADV_DONTFORK:
		if (vma->vm_flags & VM_IO)
			return -EINVAL;
		newflags |= VM_DONTCOPY;
		break;
	case MADV_DOFORK:
		newflags &= ~VM_DONTCOPY;
		break;
	}
	if (newflags == vma->vm_flags) {
		*prev = vma;
		return 0;
	}
	vma = vma_modify(mm, *prev, vma, start, end, newflags, NULL, &err);
	if (!vma)
		return err == -ENOMEM ? -EAGAIN : err;	/* madvise's posix error */
	*prev = vma;
	vma_set_flags(vma, newflags);
	return 0;
}

int do_madvise(struct mm_struct *mm, unsigned long start, size_t len_in, int behavior)
{
	struct vm_area_struct *vma, *prev;
	unsigned long end, tmp, len;
	int unmapped_error = 0, error = 0;

	if (!madvise_behavior_valid(behavior))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	len = PAGE_ALIGN(len_in);
	if (len_in && !len)
		return -EINVAL;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;

	down_write(&mm->mmap_sem);
	vma = find_vma_prev(mm, start, &prev);
	if (vma && start > vma->vm_start)
		prev = vma;
	for (;;) {
		if (!vma) {
			error = -ENOMEM;
			break;
		}
		if (start < vma->vm_start) {
			unmapped_error = -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				break;
		}
		tmp = min(vma->vm_end, end);
		error = madvise_vma(mm, vma, &prev, start, tmp, behavior);
		if (error)
			break;
		start = tmp;
		if (prev && start < prev->vm_end)
			start = prev->vm_end;
		if (start >= end)
			break;
		vma = find_vma(mm, prev ? prev->vm_end : start);
	}
	if (!error)
		error = unmapped_error;
	VALIDATE_MM(mm, "madvise");
	up_write(&mm->mmap_sem);
	return error;
}

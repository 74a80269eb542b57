/*
 * mremap: shrink, grow in place, or move a mapping (its page tables moved,
 * not its pages copied), as Linux's mm/mremap.c, with MREMAP_MAYMOVE,
 * MREMAP_FIXED and MREMAP_DONTUNMAP and Linux's errno for each misuse.
 */
#include <errno.h>
#include "kern/mman.h"
#include "kern/memory.h"
#include "vma_internal.h"

/*
 * vma_to_resize - the VMA holding [addr, addr+old_len) that may become
 * new_len long, or NULL with *err: -EFAULT (not one VMA), -EINVAL,
 * -EAGAIN (RLIMIT_MEMLOCK), -ENOMEM (RLIMIT_AS/DATA).
 */
static struct vm_area_struct *vma_to_resize(struct mm_struct *mm, unsigned long addr,
					    unsigned long old_len, unsigned long new_len,
					    unsigned long flags, int *err)
{
	struct vm_area_struct *vma = find_vma(mm, addr);
	unsigned long pgoff;

	*err = -EFAULT;
	if (!vma || vma->vm_start > addr)
		return NULL;
	*err = -EINVAL;
	/* duplicating a private mapping with old_len 0 makes no sense */
	if (!old_len && !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return NULL;
	if ((flags & MREMAP_DONTUNMAP) && (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return NULL;
	*err = -EFAULT;
	if (old_len > vma->vm_end - addr)
		return NULL;
	*err = 0;
	if (new_len == old_len)
		return vma;
	pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	*err = -EINVAL;
	if (pgoff + (new_len >> PAGE_SHIFT) < pgoff)
		return NULL;
	*err = -EFAULT;
	if (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP))
		return NULL;
	*err = -EAGAIN;
	if (!mlock_future_ok(mm, vma->vm_flags, new_len - old_len))
		return NULL;
	*err = -ENOMEM;
	if (!may_expand_vm(mm, vma->vm_flags, (new_len - old_len) >> PAGE_SHIFT))
		return NULL;
	*err = 0;
	return vma;
}

/*
 * move_vma - move [old_addr, old_addr+old_len) of @vma to a new VMA at
 * [new_addr, new_addr+new_len) (free): copy the VMA (merging it into a
 * like neighbour there), move the page tables, then unmap the old range
 * unless MREMAP_DONTUNMAP.  Returns new_addr or -errno.
 */
static unsigned long move_vma(struct mm_struct *mm, struct vm_area_struct *vma,
			      unsigned long old_addr, unsigned long old_len,
			      unsigned long new_len, unsigned long new_addr, unsigned long flags)
{
	unsigned long vm_flags = vma->vm_flags, hiwater_vm;
	unsigned long pgoff = vma->vm_pgoff + ((old_addr - vma->vm_start) >> PAGE_SHIFT);
	struct vm_area_struct *new_vma, *prev;
	void *anon;
	int err;

	if (mm->map_count >= DEFAULT_MAX_MAP_COUNT - 3)
		return (unsigned long)-ENOMEM;
	anon_vma_sync(vma);
	anon = vma_is_private_anon(vma) ? vma->vm_private_data : NULL;
	/* copy_vma: an unfaulted anonymous area takes the pgoff of its new place */
	if (vma_is_private_anon(vma) && !anon)
		pgoff = new_addr >> PAGE_SHIFT;
	anon_vma_sync_range(mm, new_addr, new_addr + new_len);
	find_vma_prev(mm, new_addr, &prev);
	new_vma = vma_merge_new(mm, prev, new_addr, new_addr + new_len, vm_flags, vma->vm_file,
				pgoff, anon);
	if (!new_vma) {
		new_vma = vm_area_dup(vma);
		if (!new_vma)
			return (unsigned long)-ENOMEM;
		new_vma->vm_start = new_addr;
		new_vma->vm_end = new_addr + new_len;
		new_vma->vm_pgoff = pgoff;
		insert_vm_struct_nocount(mm, new_vma);
	}
	/* a merge may have swallowed the source VMA: look it up again */
	vma = find_vma(mm, old_addr);
	err = move_page_tables(vma, old_addr, new_vma, new_addr, old_len);
	if (err) {
		/* put back what moved, drop the new range */
		move_page_tables(new_vma, new_addr, vma, old_addr, old_len);
		__do_munmap(mm, new_addr, new_len);
		return (unsigned long)err;
	}
	hiwater_vm = mm->hiwater_vm;
	vm_stat_account(mm, vm_flags, (long)(new_len >> PAGE_SHIFT));
	if (flags & MREMAP_DONTUNMAP) {
		/* the old range stays mapped, empty; its lock goes with the pages */
		vma = find_vma(mm, old_addr);
		if (vma->vm_start == old_addr && vma->vm_end == old_addr + old_len) {
			if (vma->vm_flags & VM_LOCKED)
				mm->locked_vm -= old_len >> PAGE_SHIFT;
			vma->vm_flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
			if (vma_is_private_anon(vma))
				vma->vm_private_data = NULL;
		}
		if (vm_flags & VM_LOCKED)
			mm->locked_vm += new_len >> PAGE_SHIFT;
		mm->hiwater_vm = max(hiwater_vm, mm->total_vm);
		return new_addr;
	}
	__do_munmap(mm, old_addr, old_len);
	if (vm_flags & VM_LOCKED)
		mm->locked_vm += new_len >> PAGE_SHIFT;
	mm->hiwater_vm = hiwater_vm;
	update_hiwater_vm(mm);
	return new_addr;
}

/* mremap_to - MREMAP_FIXED or MREMAP_DONTUNMAP: a move to (or near) new_addr. */
static unsigned long mremap_to(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
			       unsigned long new_addr, unsigned long new_len, unsigned long flags)
{
	struct vm_area_struct *vma;
	unsigned long ret, map_flags = 0;
	int err;

	if (mm->map_count + 2 >= DEFAULT_MAX_MAP_COUNT - 3)
		return (unsigned long)-ENOMEM;
	if (flags & MREMAP_FIXED) {
		anon_vma_sync_range(mm, new_addr, new_addr + new_len);
		err = __do_munmap(mm, new_addr, new_len);
		if (err)
			return (unsigned long)err;
	}
	if (old_len > new_len) {
		err = __do_munmap(mm, addr + new_len, old_len - new_len);
		if (err)
			return (unsigned long)err;
		old_len = new_len;
	}
	vma = vma_to_resize(mm, addr, old_len, new_len, flags, &err);
	if (!vma)
		return (unsigned long)err;
	if ((flags & MREMAP_DONTUNMAP) && !may_expand_vm(mm, vma->vm_flags, old_len >> PAGE_SHIFT))
		return (unsigned long)-ENOMEM;
	if (flags & MREMAP_FIXED)
		map_flags |= MAP_FIXED;
	if (vma->vm_flags & VM_MAYSHARE)
		map_flags |= MAP_SHARED;
	ret = get_unmapped_area(mm, vma->vm_file, new_addr, new_len,
				vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT), map_flags);
	if (IS_ERR_VALUE(ret))
		return ret;
	if (!(flags & MREMAP_FIXED))
		new_addr = ret;
	return move_vma(mm, vma, addr, old_len, new_len, new_addr, flags);
}

unsigned long do_mremap(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
			unsigned long new_len, unsigned long flags, unsigned long new_addr)
{
	struct vm_area_struct *vma;
	unsigned long ret;
	int err;

	if (flags & ~(unsigned long)(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return (unsigned long)-EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return (unsigned long)-EINVAL;
	/* MREMAP_DONTUNMAP always moves and never resizes */
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return (unsigned long)-EINVAL;
	if (addr & ~PAGE_MASK)
		return (unsigned long)-EINVAL;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (!new_len)
		return (unsigned long)-EINVAL;
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
		if (new_addr & ~PAGE_MASK)
			return (unsigned long)-EINVAL;
		if (new_len > mm->task_size || new_addr > mm->task_size - new_len)
			return (unsigned long)-EINVAL;
		/* the old and new ranges may not overlap */
		if (addr + old_len > new_addr && new_addr + new_len > addr)
			return (unsigned long)-EINVAL;
	}

	down_write(&mm->mmap_sem);
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr) {
		ret = (unsigned long)-EFAULT;
		goto out;
	}
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
		ret = mremap_to(mm, addr, old_len, new_addr, new_len, flags);
		goto out_populate;
	}
	/* shrinking always works: it is an munmap of the tail */
	if (old_len >= new_len) {
		err = __do_munmap(mm, addr + new_len, old_len - new_len);
		ret = err && old_len != new_len ? (unsigned long)err : addr;
		goto out;
	}
	vma = vma_to_resize(mm, addr, old_len, new_len, flags, &err);
	if (!vma) {
		ret = (unsigned long)err;
		goto out;
	}
	/* the range runs to the VMA's end: can the VMA just grow? */
	if (old_len == vma->vm_end - addr) {
		unsigned long delta = new_len - old_len, end = vma->vm_end + delta;
		struct vm_area_struct *next = vma->vm_next;

		if (end > vma->vm_end && end <= mm->task_size && (!next || next->vm_start >= end)) {
			unsigned long vm_flags = vma->vm_flags;

			anon_vma_sync_range(mm, vma->vm_start, end);
			if (!vma_merge_new(mm, vma, vma->vm_end, end, vm_flags, vma->vm_file,
					   vma->vm_pgoff + vma_pages(vma), anon_of_vma(vma))) {
				ret = (unsigned long)-ENOMEM;
				goto out;
			}
			vm_stat_account(mm, vm_flags, (long)(delta >> PAGE_SHIFT));
			if (vm_flags & VM_LOCKED) {
				mm->locked_vm += delta >> PAGE_SHIFT;
				mm_populate_locked(mm, addr + old_len, addr + new_len, true);
			}
			ret = addr;
			goto out;
		}
	}
	ret = (unsigned long)-ENOMEM;
	if (flags & MREMAP_MAYMOVE) {
		unsigned long map_flags = vma->vm_flags & VM_MAYSHARE ? MAP_SHARED : 0;

		new_addr = get_unmapped_area(mm, vma->vm_file, 0, new_len,
					     vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT),
					     map_flags);
		if (IS_ERR_VALUE(new_addr)) {
			ret = new_addr;
			goto out;
		}
		ret = move_vma(mm, vma, addr, old_len, new_len, new_addr, flags);
	}
out_populate:
	if (!IS_ERR_VALUE(ret) && ret != addr) {
		vma = find_vma(mm, ret);
		if (vma && (vma->vm_flags & VM_LOCKED) && new_len > old_len)
			mm_populate_locked(mm, ret + old_len, ret + new_len, true);
	}
out:
	VALIDATE_MM(mm, "mremap");
	up_write(&mm->mmap_sem);
	return ret;
}

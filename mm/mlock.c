/*
 * mlock, munlock, mlockall, munlockall: VM_LOCKED on VMAs (split and merged
 * like mprotect), locked_vm kept exact, RLIMIT_MEMLOCK enforced for an
 * unprivileged process, and the pages faulted in, as Linux's mm/mlock.c.
 *
 * Pages: a page mapped by a VM_LOCKED VMA is mlocked (PG_mlocked, counted
 * in NR_MLOCK: meminfo's Mlocked) and sits on the unevictable list
 * (mm/swap.c), as Linux since 2.6.28.  Without a reverse map for anonymous
 * pages, a page counts its VM_LOCKED mappings in mlock_count, as Linux
 * 6.x does: mlock_vma_page adds one for each such mapping (mlock of a
 * range, a fault in a locked VMA), munlock_vma_page takes one away (munlock,
 * unmap), and the page leaves the unevictable list when none is left.  The
 * count saturates; a page still mlocked when freed is cleared then.
 * swap_out skips VM_LOCKED VMAs, and reclaim never scans the unevictable
 * list.
 */
#include <errno.h>
#include "kern/mman.h"
#include "kern/memory.h"
#include "kern/swap.h"
#include "vma_internal.h"

/* Pages that never count: the ZERO_PAGE, reserved frames. */
static bool page_mlockable(const struct page *page)
{
	return !PageZero(page) && !PageReserved(page);
}

/* @vma is VM_LOCKED (the inline mlock_vma_page checked). */
void __mlock_vma_page(struct vm_area_struct *vma, struct page *page)
{
	struct lru_state *lru = page_machine(page)->lru;

	if (!page_mlockable(page))
		return;
	spin_lock(&lru->pagemap_lru_lock);
	if (!PageMlocked(page)) {
		SetPageMlocked(page);
		page->mlock_count = 1;
		mod_zone_page_state(page->zone, NR_MLOCK, 1);
		count_vm_event(UNEVICTABLE_PGMLOCKED);
		/* off the evictable lists (not yet on the LRU: lru_cache_add culls it) */
		if (PageLRU(page) && !PageUnevictable(page))
			lru_move_to_unevictable(lru, page);
	} else if (page->mlock_count < UINT8_MAX) {
		page->mlock_count++;
	}
	spin_unlock(&lru->pagemap_lru_lock);
}

void __munlock_vma_page(struct vm_area_struct *vma, struct page *page)
{
	struct lru_state *lru = page_machine(page)->lru;

	if (!page_mlockable(page))
		return;
	spin_lock(&lru->pagemap_lru_lock);
	/* a saturated count stays: the page is cleared when freed */
	if (PageMlocked(page) && page->mlock_count < UINT8_MAX && --page->mlock_count == 0) {
		ClearPageMlocked(page);
		mod_zone_page_state(page->zone, NR_MLOCK, -1);
		count_vm_event(UNEVICTABLE_PGMUNLOCKED);
		if (PageLRU(page) && PageUnevictable(page))
			lru_putback_evictable(lru, page);
	}
	spin_unlock(&lru->pagemap_lru_lock);
}

#define VM_LOCKED_MASK	(VM_LOCKED | VM_LOCKONFAULT)

/* mlock_fixup - give [start, end) of @vma @newflags' lock bits. */
static int mlock_fixup(struct mm_struct *mm, struct vm_area_struct *vma,
		       struct vm_area_struct **prev, unsigned long start, unsigned long end,
		       unsigned long newflags)
{
	unsigned long oldflags = vma->vm_flags;
	long npages;
	int err;

	if (newflags == oldflags || (oldflags & VM_SPECIAL)) {
		*prev = vma;
		return 0;
	}
	vma = vma_modify(mm, *prev, vma, start, end, newflags, NULL, &err);
	if (!vma)
		return err;
	*prev = vma;
	npages = (long)((end - start) >> PAGE_SHIFT);
	if (!(newflags & VM_LOCKED))
		npages = -npages;
	else if (oldflags & VM_LOCKED)
		npages = 0;
	mm->locked_vm += (unsigned long)npages;
	/* the flags and the pages' mlock counts change together (page_table_lock) */
	mlock_vma_pages_range(vma, newflags);
	return 0;
}

/* apply_vma_lock_flags - set @flags (VM_LOCKED_MASK bits) over [start, start+len). */
static int apply_vma_lock_flags(struct mm_struct *mm, unsigned long start, size_t len,
				unsigned long flags)
{
	unsigned long end = start + len, nstart, tmp;
	struct vm_area_struct *vma, *prev, *next;
	int error;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start > start)
		return -ENOMEM;
	prev = start > vma->vm_start ? vma : vma_prev_of(vma);
	nstart = start;
	tmp = vma->vm_start;
	for (; vma && vma->vm_start < end; vma = next) {
		unsigned long newflags;

		if (vma->vm_start != tmp)
			return -ENOMEM;
		newflags = (vma->vm_flags & ~VM_LOCKED_MASK) | flags;
		tmp = min(vma->vm_end, end);
		error = mlock_fixup(mm, vma, &prev, nstart, tmp, newflags);
		if (error)
			return error;
		/* a merge may have swallowed the next VMA of the range too */
		nstart = tmp = prev->vm_end;
		next = prev->vm_next;
		if (tmp >= end)
			break;
	}
	if (tmp < end)
		return -ENOMEM;
	return 0;
}

/* Pages of [start, start+len) already locked (not charged twice). */
static unsigned long count_mm_mlocked_page_nr(struct mm_struct *mm, unsigned long start,
					      size_t len)
{
	struct vm_area_struct *vma;
	unsigned long end = start + len, count = 0;

	for (vma = find_vma(mm, start); vma && vma->vm_start < end; vma = vma->vm_next) {
		if (!(vma->vm_flags & VM_LOCKED))
			continue;
		count += (min(end, vma->vm_end) - max(start, vma->vm_start)) >> PAGE_SHIFT;
	}
	return count;
}

int do_mlock(struct mm_struct *mm, unsigned long start, size_t len, unsigned int flags)
{
	unsigned long lock_limit, locked;
	unsigned long vmflags = VM_LOCKED | (flags & MLOCK_ONFAULT ? VM_LOCKONFAULT : 0);
	int error;

	if (flags & ~(unsigned int)MLOCK_ONFAULT)
		return -EINVAL;
	if (!mm_rlimit(mm, RLIMIT_MEMLOCK))
		return -EPERM;		/* can_do_mlock: unprivileged, no allowance */
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	lock_limit = mm_rlimit(mm, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	locked = len >> PAGE_SHIFT;

	down_write(&mm->mmap_sem);
	locked += mm->locked_vm;
	if (locked > lock_limit)
		locked -= count_mm_mlocked_page_nr(mm, start, len);
	if (locked <= lock_limit)
		error = apply_vma_lock_flags(mm, start, len, vmflags);
	else
		error = -ENOMEM;
	if (!error && !(vmflags & VM_LOCKONFAULT)) {
		/* __mm_populate; mlock's posix errors: EFAULT->ENOMEM, ENOMEM->EAGAIN */
		error = mm_populate_locked(mm, start, start + len, false);
		if (error == -EFAULT)
			error = -ENOMEM;
		else if (error == -ENOMEM)
			error = -EAGAIN;
	}
	VALIDATE_MM(mm, "mlock");
	up_write(&mm->mmap_sem);
	return error;
}

int do_munlock(struct mm_struct *mm, unsigned long start, size_t len)
{
	int ret;

	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	down_write(&mm->mmap_sem);
	ret = apply_vma_lock_flags(mm, start, len, 0);
	VALIDATE_MM(mm, "munlock");
	up_write(&mm->mmap_sem);
	return ret;
}

/* apply_mlockall_flags - MCL_FUTURE into def_flags, MCL_CURRENT onto every VMA. */
static void apply_mlockall_flags(struct mm_struct *mm, int flags)
{
	struct vm_area_struct *vma, *prev = NULL, *next;
	unsigned long to_add = 0;

	mm->def_flags &= ~VM_LOCKED_MASK;
	if (flags & MCL_FUTURE) {
		mm->def_flags |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			mm->def_flags |= VM_LOCKONFAULT;
		if (!(flags & MCL_CURRENT))
			return;
	}
	if (flags & MCL_CURRENT) {
		to_add |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			to_add |= VM_LOCKONFAULT;
	}
	for (vma = mm->mmap; vma; vma = next) {
		unsigned long newflags = (vma->vm_flags & ~VM_LOCKED_MASK) | to_add;
		unsigned long end = vma->vm_end;

		/* errors (a split over the map_count limit) are ignored, as Linux */
		if (mlock_fixup(mm, vma, &prev, vma->vm_start, end, newflags))
			prev = vma;
		next = prev->vm_next;
		while (next && next->vm_start < end)
			next = next->vm_next;
	}
}

int do_mlockall(struct mm_struct *mm, int flags)
{
	unsigned long lock_limit;
	int ret = 0;

	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!mm_rlimit(mm, RLIMIT_MEMLOCK))
		return -EPERM;
	lock_limit = mm_rlimit(mm, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	down_write(&mm->mmap_sem);
	if (!(flags & MCL_CURRENT) || mm->total_vm <= lock_limit)
		apply_mlockall_flags(mm, flags);
	else
		ret = -ENOMEM;
	if (!ret && (flags & MCL_CURRENT) && !(flags & MCL_ONFAULT))
		mm_populate_locked(mm, 0, mm->task_size, true);
	VALIDATE_MM(mm, "mlockall");
	up_write(&mm->mmap_sem);
	return ret;
}

int do_munlockall(struct mm_struct *mm)
{
	down_write(&mm->mmap_sem);
	apply_mlockall_flags(mm, 0);
	VALIDATE_MM(mm, "munlockall");
	up_write(&mm->mmap_sem);
	return 0;
}

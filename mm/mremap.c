/*
 * mremap: shrink, grow in place, or move a mapping (its page tables moved,
 * not its pages copied), as Linux's mm/mremap.c with today's user-visible
 * behaviour: MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP, and (Linux
 * 6.17+) an MREMAP_FIXED move of an unchanged length that spans several
 * VMAs, moving each and keeping the gaps between them.
 *
 * One call is described by a struct remap (Linux's vma_remap_struct):
 * checked first without the VMA (check_mremap_params), then against the
 * VMA at addr (check_prep_vma), then carried out in place (mremap_at) or
 * at a new address (mremap_to -> move_vma).
 *
 * A move of a file mapping races with truncate, which walks the file's
 * VMAs without mmap_sem: it may zap the target before the PTEs arrive and
 * the source after they left.  2.6 held i_mmap_lock across the move; our
 * move_page_tables allocates, which i_shared_lock forbids, so move_vma
 * samples the mapping's truncate_count before and, if a truncate ran
 * meanwhile, unmaps again what lies past the (new) end of the file.
 */
#include <errno.h>
#include "kern/mman.h"
#include "kern/memory.h"
#include "kern/pagemap.h"
#include "vma_internal.h"

enum remap_type { REMAP_NO_RESIZE, REMAP_SHRINK, REMAP_EXPAND };

struct remap {
	struct mm_struct *mm;
	struct vm_area_struct *vma;	/* the VMA at addr (may change under us) */
	unsigned long addr, old_len, new_len, new_addr, flags;
	unsigned long delta;		/* |new_len - old_len| */
	enum remap_type type;
	bool populate_expand;		/* locked and growing: fault the new part in */
	unsigned long charged;		/* pages charged to Committed_AS, not yet mapped */
};

/* vma_lookup - the VMA containing @addr, or NULL. */
static struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

/* FIXED and DONTUNMAP always pick a new address. */
static bool remap_implies_new_addr(const struct remap *r)
{
	return r->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
}

/*
 * remap_charge - overcommit (vrm_calc_charge): an accounted area's
 * growth, or all of the new range when the old one stays (DONTUNMAP),
 * charged in r->charged; given back if the remap fails before the new
 * pages are mapped.  0 or -ENOMEM.
 */
static int remap_charge(struct remap *r)
{
	unsigned long charge;

	r->charged = 0;
	if (!(r->vma->vm_flags & VM_ACCOUNT))
		return 0;
	charge = r->flags & MREMAP_DONTUNMAP ? r->new_len >> PAGE_SHIFT :
		 r->type == REMAP_EXPAND ? r->delta >> PAGE_SHIFT : 0;
	if (charge && vm_enough_memory(r->mm, charge))
		return -ENOMEM;
	r->charged = charge;
	return 0;
}

/* The checks that need no VMA: all -EINVAL. */
static int check_mremap_params(struct remap *r)
{
	unsigned long task_size = r->mm->task_size;

	if (r->flags & ~(unsigned long)(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if (r->addr & ~PAGE_MASK)
		return -EINVAL;
	/* old_len 0 is a (shared-only) special case; new_len 0 is nonsense */
	if (!r->new_len || r->new_len > task_size)
		return -EINVAL;
	if (!remap_implies_new_addr(r))
		return 0;
	if (r->new_addr > task_size - r->new_len || (r->new_addr & ~PAGE_MASK))
		return -EINVAL;
	if (!(r->flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((r->flags & MREMAP_DONTUNMAP) && r->old_len != r->new_len)
		return -EINVAL;
	/* source and target may not overlap */
	if (r->addr + r->old_len > r->new_addr && r->new_addr + r->new_len > r->addr)
		return -EINVAL;
	return 0;
}

/*
 * check_prep_vma - may r->vma be resized or moved as asked?  Sets delta,
 * type and (in place) new_addr.  0 or -EFAULT/-EINVAL/-EAGAIN/-ENOMEM.
 */
static int check_prep_vma(struct remap *r)
{
	struct vm_area_struct *vma = r->vma;
	unsigned long old_len, pgoff;

	if (!vma)
		return -EFAULT;
	r->delta = r->new_len > r->old_len ? r->new_len - r->old_len : r->old_len - r->new_len;
	r->type = !r->delta ? REMAP_NO_RESIZE :
		  r->old_len > r->new_len ? REMAP_SHRINK : REMAP_EXPAND;
	if (!remap_implies_new_addr(r))
		r->new_addr = r->addr;
	/* the rest matters only when new address space gets mapped */
	if (r->type != REMAP_EXPAND && !remap_implies_new_addr(r))
		return 0;
	/* "duplicating" a private mapping with old_len 0 makes no sense */
	if (!r->old_len && !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return -EINVAL;
	if ((r->flags & MREMAP_DONTUNMAP) && (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return -EINVAL;
	/* a shrink may unmap across VMAs; what moves must lie in this one */
	old_len = r->type == REMAP_SHRINK ? r->new_len : r->old_len;
	if (old_len > vma->vm_end - r->addr)
		return -EFAULT;
	if (r->new_len == old_len)
		return remap_charge(r);
	if (vma->vm_flags & VM_LOCKED)
		r->populate_expand = true;
	pgoff = vma->vm_pgoff + ((r->addr - vma->vm_start) >> PAGE_SHIFT);
	if (pgoff + (r->new_len >> PAGE_SHIFT) < pgoff)
		return -EINVAL;
	if (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP))
		return -EFAULT;
	if (!mlock_future_ok(r->mm, vma->vm_flags, r->delta))
		return -EAGAIN;
	if (!may_expand_vm(r->mm, vma->vm_flags, r->delta >> PAGE_SHIFT))
		return -ENOMEM;
	return remap_charge(r);
}

/* shrink_vma - unmap the tail [addr + new_len, addr + old_len), find the VMA again. */
static int shrink_vma(struct remap *r)
{
	unsigned long start = r->addr + r->new_len, task_size = r->mm->task_size;
	int err;

	/* as munmap's own checks: an old_len past the top of user space */
	if (start > task_size || r->delta > task_size - start)
		return -EINVAL;
	err = __do_munmap(r->mm, start, r->delta);
	r->vma = NULL;
	if (err)
		return err;
	r->vma = vma_lookup(r->mm, r->addr);
	return r->vma ? 0 : -EFAULT;
}

/* Account @bytes more of r->vma's kind (total_vm & co., locked_vm). */
static void remap_stat_account(struct remap *r, struct vm_area_struct *vma, unsigned long bytes)
{
	vm_stat_account(r->mm, vma->vm_flags, (long)(bytes >> PAGE_SHIFT));
	if (vma->vm_flags & VM_LOCKED)
		r->mm->locked_vm += bytes >> PAGE_SHIFT;
}

/*
 * copy_vma - a VMA for [new_addr, new_addr + len) like *vmap, at file page
 * @pgoff: merged into a like neighbour there or a new one.  If the merge
 * swallowed the source VMA, *vmap becomes the merged VMA.  NULL: -ENOMEM.
 */
static struct vm_area_struct *copy_vma(struct mm_struct *mm, struct vm_area_struct **vmap,
				       unsigned long new_addr, unsigned long len,
				       unsigned long pgoff)
{
	struct vm_area_struct *vma = *vmap, *new_vma, *prev;
	unsigned long src_start = vma->vm_start;
	void *anon = anon_of_vma(vma);

	/* an unfaulted anonymous area takes the pgoff of its new place */
	if (vma_is_private_anon(vma) && !anon)
		pgoff = new_addr >> PAGE_SHIFT;
	find_vma_prev(mm, new_addr, &prev);
	/* copy_vma: the moved pages' VMA is "copied_from" for the anon_vma rule */
	new_vma = vma_merge_new(mm, prev, new_addr, new_addr + len, vma->vm_flags,
				vma->vm_file, pgoff, anon, vma->anon_forked && anon, &vma->vm_policy);
	if (new_vma) {
		/* the source may have been the neighbour that merged */
		if (src_start >= new_vma->vm_start && src_start < new_vma->vm_end)
			*vmap = new_vma;
		return new_vma;
	}
	new_vma = vm_area_dup(vma);
	if (!new_vma)
		return NULL;
	new_vma->vm_start = new_addr;
	new_vma->vm_end = new_addr + len;
	new_vma->vm_pgoff = pgoff;
	if (new_vma->vm_ops && new_vma->vm_ops->open)
		new_vma->vm_ops->open(new_vma);
	insert_vm_struct_nocount(mm, new_vma);
	return new_vma;
}

/* The truncate generation of @vma's file (0 for anonymous memory). */
static unsigned long truncate_seq(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma->vm_file ? vma->vm_file->f_mapping : NULL;
	unsigned long seq;

	if (!mapping)
		return 0;
	spin_lock(&mapping->i_shared_lock);
	seq = atomic_load(&mapping->truncate_count);
	spin_unlock(&mapping->i_shared_lock);
	return seq;
}

/* A truncate ran during the move: unmap again everything past EOF. */
static void truncate_recheck(struct vm_area_struct *vma, unsigned long seq)
{
	struct address_space *mapping = vma->vm_file ? vma->vm_file->f_mapping : NULL;
	loff_t isize;

	if (!mapping || truncate_seq(vma) == seq)
		return;
	isize = atomic_load(&mapping->host->i_size);
	unmap_mapping_range(mapping, isize + (loff_t)PAGE_SIZE - 1, 0);
}

/*
 * move_vma - move [addr, addr + old_len) of r->vma to the free range
 * [new_addr, new_addr + new_len): copy the VMA, move the page tables, then
 * unmap the source (or, with MREMAP_DONTUNMAP, leave it empty and
 * unlocked).  Returns new_addr or -errno.
 */
static unsigned long move_vma(struct remap *r)
{
	struct mm_struct *mm = r->mm;
	struct vm_area_struct *vma = r->vma, *new_vma;
	unsigned long pgoff = vma->vm_pgoff + ((r->addr - vma->vm_start) >> PAGE_SHIFT);
	unsigned long hiwater_vm, src_addr = r->addr, src_len = r->old_len;
	unsigned long tseq = truncate_seq(vma);
	int err;

	/* the copy may not merge (+1) and the unmap may split (+1) */
	if (mm->map_count + 2 > DEFAULT_MAX_MAP_COUNT)
		return (unsigned long)-ENOMEM;
	new_vma = copy_vma(mm, &vma, r->new_addr, r->new_len, pgoff);
	if (!new_vma)
		return (unsigned long)-ENOMEM;
	r->vma = vma;
	/*
	 * The new range is mapped: the charge is its (r->charged), and the
	 * source's commitment passes to it too, so the unmap below (of the
	 * source, or of the new range if the move fails) releases exactly
	 * what goes.  DONTUNMAP keeps the source and was charged whole.
	 */
	r->charged = 0;
	if ((vma->vm_flags & VM_ACCOUNT) && !(r->flags & MREMAP_DONTUNMAP))
		vm_acct_memory(mm->machine, (long)(r->old_len >> PAGE_SHIFT));
	err = move_page_tables(vma, r->addr, new_vma, r->new_addr, r->old_len);
	if (err) {
		/* put the entries back and unmap the new range instead */
		move_page_tables(new_vma, r->new_addr, vma, r->addr, r->old_len);
		src_addr = r->new_addr;
		src_len = r->new_len;
	}
	truncate_recheck(new_vma, tseq);
	/* total_vm is too high for a moment: keep the high-water mark */
	hiwater_vm = mm->hiwater_vm;
	remap_stat_account(r, vma, r->new_len);
	if (!err && (r->flags & MREMAP_DONTUNMAP)) {
		/*
		 * The old VMA stays, empty: it loses VM_LOCKED (as Linux, whose
		 * locked_vm keeps counting it) and, if it moved whole, its
		 * anon_vma.
		 */
		vma_set_flags(vma, vma->vm_flags & ~(VM_LOCKED | VM_LOCKONFAULT));
		if (new_vma != vma && vma->vm_start == r->addr &&
		    vma->vm_end == r->addr + r->old_len && vma_has_anon_slot(vma)) {
			anon_vma_put(vma->vm_private_data);
			vma->vm_private_data = NULL;
			vma->anon_forked = false;	/* unlink_anon_vmas */
		}
	} else if (src_len) {
		/* old_len 0 "duplicates" a shared mapping: the source stays whole */
		__do_munmap(mm, src_addr, src_len);
	}
	r->vma = NULL;
	mm->hiwater_vm = hiwater_vm;
	return err ? (unsigned long)err : r->new_addr;
}

/* remap_set_new_addr - where the moved VMA goes (fixed, a hint, or anywhere). */
static int remap_set_new_addr(struct remap *r)
{
	struct vm_area_struct *vma = r->vma;
	unsigned long map_flags = 0, res;

	if (r->flags & MREMAP_FIXED)
		map_flags |= MAP_FIXED;
	if (vma->vm_flags & VM_MAYSHARE)
		map_flags |= MAP_SHARED;
	res = get_unmapped_area(r->mm, vma->vm_file,
				remap_implies_new_addr(r) ? r->new_addr : 0, r->new_len,
				vma->vm_pgoff + ((r->addr - vma->vm_start) >> PAGE_SHIFT), map_flags);
	if (IS_ERR_VALUE(res))
		return (int)res;
	r->new_addr = res;
	return 0;
}

/* mremap_to - a move to (or, DONTUNMAP alone, near) r->new_addr. */
static unsigned long mremap_to(struct remap *r)
{
	int err;

	if (r->flags & MREMAP_FIXED) {
		/* like MAP_FIXED: whatever is at the target goes */
		err = __do_munmap(r->mm, r->new_addr, r->new_len);
		r->vma = NULL;
		if (err)
			return (unsigned long)err;
		r->vma = vma_lookup(r->mm, r->addr);
		if (!r->vma)
			return (unsigned long)-EFAULT;
	}
	if (r->type == REMAP_SHRINK) {
		err = shrink_vma(r);
		if (err)
			return (unsigned long)err;
		r->old_len = r->new_len;
	}
	/* DONTUNMAP keeps the source: the address space grows by old_len */
	if ((r->flags & MREMAP_DONTUNMAP) &&
	    !may_expand_vm(r->mm, r->vma->vm_flags, r->old_len >> PAGE_SHIFT))
		return (unsigned long)-ENOMEM;
	err = remap_set_new_addr(r);
	if (err)
		return (unsigned long)err;
	return move_vma(r);
}

/* Can r->vma grow by delta at its end (the range runs exactly to its end)? */
static bool remap_can_expand_in_place(struct remap *r)
{
	struct vm_area_struct *vma = r->vma;
	unsigned long end = vma->vm_end + r->delta;

	if (vma->vm_end - r->addr != r->old_len)
		return false;
	if (end < vma->vm_end || end > r->mm->task_size)
		return false;
	return !find_vma_intersection(r->mm, vma->vm_end, end);
}

/* mremap_at - resize without a given address: in place, or moved (MAYMOVE). */
static unsigned long mremap_at(struct remap *r)
{
	struct vm_area_struct *vma = r->vma;
	int err;

	switch (r->type) {
	case REMAP_NO_RESIZE:
		return r->addr;
	case REMAP_SHRINK:
		err = shrink_vma(r);
		return err ? (unsigned long)err : r->addr;
	case REMAP_EXPAND:
		break;
	}
	if (remap_can_expand_in_place(r)) {
		/* vma_merge_extend: grow over the tail, maybe joining the next VMA */
		/* vma_merge_extend: no source VMA, so the fork-child rule spares it */
		vma = vma_merge_new(r->mm, vma, vma->vm_end, vma->vm_end + r->delta, vma->vm_flags,
				    vma->vm_file, vma->vm_pgoff + vma_pages(vma), anon_of_vma(vma),
				    false, &vma->vm_policy);
		if (!vma)
			return (unsigned long)-ENOMEM;
		r->vma = vma;
		r->charged = 0;		/* the growth is mapped */
		remap_stat_account(r, vma, r->delta);
		return r->addr;
	}
	if (!(r->flags & MREMAP_MAYMOVE))
		return (unsigned long)-ENOMEM;
	err = remap_set_new_addr(r);
	if (err)
		return (unsigned long)err;
	return move_vma(r);
}

/*
 * remap_move - MREMAP_FIXED without a size change: every VMA in
 * [addr, addr + old_len) moves, split as needed, the gaps between them
 * kept.  The range must start inside a VMA.  Returns the first piece's new
 * address or -errno (pieces moved before an error stay moved, as Linux).
 */
static unsigned long remap_move(struct remap *r)
{
	unsigned long start = r->addr, end = r->addr + r->old_len, cursor = start;
	unsigned long target = r->new_addr, last_end = 0, res = (unsigned long)-EFAULT;
	bool seen = false;
	struct vm_area_struct *vma;

	while (cursor < end && (vma = find_vma(r->mm, cursor)) && vma->vm_start < end) {
		unsigned long addr = max(vma->vm_start, start);
		unsigned long len = min(end, vma->vm_end) - addr, offset, piece;

		if (!seen && start < vma->vm_start)
			return (unsigned long)-EFAULT;	/* no gap at the start */
		offset = seen ? vma->vm_start - last_end : 0;
		last_end = vma->vm_end;
		r->vma = vma;
		r->addr = addr;
		r->new_addr = target + offset;
		r->old_len = r->new_len = len;
		piece = (unsigned long)check_prep_vma(r);
		if (!piece)
			piece = mremap_to(r);
		if (IS_ERR_VALUE(piece))
			return piece;
		if (!seen)
			res = piece;
		seen = true;
		target = piece + len;
		cursor = addr + len;
	}
	return res;
}

unsigned long do_mremap(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
			unsigned long new_len, unsigned long flags, unsigned long new_addr)
{
	struct remap r = {
		.mm = mm, .addr = addr, .old_len = PAGE_ALIGN(old_len),
		.new_len = PAGE_ALIGN(new_len), .new_addr = new_addr, .flags = flags,
	};
	unsigned long ret;
	int err;

	err = check_mremap_params(&r);
	if (err)
		return (unsigned long)err;

	down_write(&mm->mmap_sem);
	/* the target unmap and the shrink may each split (+2), the move +2 more */
	if (mm->map_count + 4 > DEFAULT_MAX_MAP_COUNT) {
		ret = (unsigned long)-ENOMEM;
		goto out;
	}
	if ((flags & MREMAP_FIXED) && r.old_len == r.new_len) {
		ret = remap_move(&r);
		goto out;
	}
	r.vma = vma_lookup(mm, addr);
	err = check_prep_vma(&r);
	if (err) {
		ret = (unsigned long)err;
		goto out;
	}
	ret = remap_implies_new_addr(&r) ? mremap_to(&r) : mremap_at(&r);
	/* a locked VMA that grew has its new part faulted in (errors ignored) */
	if (!IS_ERR_VALUE(ret) && r.populate_expand)
		mm_populate_locked(mm, r.new_addr + r.old_len, r.new_addr + r.old_len + r.delta,
				   true);
out:
	if (IS_ERR_VALUE(ret) && r.charged)
		vm_unacct_memory(mm->machine, (long)r.charged);
	VALIDATE_MM(mm, "mremap");
	up_write(&mm->mmap_sem);
	return ret;
}

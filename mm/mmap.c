/*
 * Address spaces: the VMAs of an mm_struct and the system calls that make
 * and remove them (mmap, munmap, brk), as Linux's mm/mmap.c with the
 * user-visible behaviour of today's Linux (layout, merging, errno).
 * The VMA tree's own operations (linking, the file lists, merging,
 * splitting, anon_vma identity) are in mm/vma.c, as Linux 6.12 moved them.
 *
 * Every mm keeps its VMAs three ways, changed together under mmap_sem held
 * for writing: a sorted singly linked list (mm->mmap), a red-black tree
 * keyed by address (mm->mm_rb) and their number (mm->map_count); a one-entry
 * cache (mm->mmap_cache) remembers the last find_vma answer.  Readers
 * (faults) hold mmap_sem for reading; expand_stack additionally takes
 * page_table_lock since it moves vm_start under a read lock.
 *
 * Lock order: mmap_sem -> mapping->i_shared_lock -> page_table_lock
 * (memory.c) -> zone->lock.
 *
 * The reverse map of files (2.4): a file VMA is also on its mapping's
 * i_mmap (private) or i_mmap_shared (VM_SHARED) list, linked through
 * vm_next_share / vm_pprev_share (2.4's pprev links rather than a
 * list_head: unlinking needs no list head, the VMA finds its own link).
 * Truncate walks these lists holding only i_shared_lock (no mmap_sem),
 * so for a file VMA every change of vm_start, vm_end or vm_pgoff, and its
 * linking and unlinking, happens under i_shared_lock too (2.4's
 * lock_vma_mappings): whatever truncate sees on a list is a whole VMA of
 * a live mm whose page tables are still there.  Nothing is allocated and
 * no VMA's close/open runs under i_shared_lock.
 */
#include <errno.h>
#include <string.h>
#include "kern/mman.h"
#include "kern/memory.h"
#include "kern/pgtable.h"
#include "kern/sched.h"
#include "kern/slab.h"
#include "kern/mm.h"
#include "kern/fs.h"
#include "kern/swap.h"
#include "vma_internal.h"

/* --- VMA objects ----------------------------------------------------------- */

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = kmem_cache_alloc(vm_area_cachep(mm->machine), GFP_KERNEL);

	if (vma) {
		memset(vma, 0, sizeof(*vma));
		vma->vm_mm = mm;
	}
	return vma;
}

struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = kmem_cache_alloc(vm_area_cachep(orig->vm_mm->machine),
						      GFP_KERNEL);

	if (vma) {
		*vma = *orig;
		vma->vm_next = NULL;
		vma->vm_next_share = NULL;	/* on no file list yet */
		vma->vm_pprev_share = NULL;
		if (vma->vm_file)
			get_file(vma->vm_file);	/* each VMA holds its file */
		memset(&vma->vm_rb, 0, sizeof(vma->vm_rb));
		if (vma_has_anon_slot(vma))
			anon_vma_get(vma->vm_private_data);
	}
	return vma;
}

void vm_area_free(struct vm_area_struct *vma)
{
	BUG_ON_MSG(vma->vm_pprev_share, "vm_area_free: VMA [%#lx, %#lx) of mm %p still on its file's list",
		   vma->vm_start, vma->vm_end, (void *)vma->vm_mm);
	if (vma->vm_file)
		fput(vma->vm_file);
	if (vma_has_anon_slot(vma))
		anon_vma_put(vma->vm_private_data);
	kmem_cache_free(vm_area_cachep(vma->vm_mm->machine), vma);
}

/* --- lookups ------------------------------------------------------------------ */

/*
 * find_vma - the first VMA with vm_end > @addr (it may start above @addr),
 * or NULL.  mmap_sem held (read or write).
 */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = __atomic_load_n(&mm->mmap_cache, __ATOMIC_RELAXED);
	struct rb_node *node;

	if (vma && vma->vm_start <= addr && vma->vm_end > addr)
		return vma;
	vma = NULL;
	node = mm->mm_rb.rb_node;
	while (node) {
		struct vm_area_struct *tmp = rb_entry(node, struct vm_area_struct, vm_rb);

		if (tmp->vm_end > addr) {
			vma = tmp;
			if (tmp->vm_start <= addr)
				break;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	if (vma)
		__atomic_store_n(&mm->mmap_cache, vma, __ATOMIC_RELAXED);
	return vma;
}

/* find_vma_prev - find_vma, and in *pprev the VMA before it (or the last one). */
struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev)
{
	struct vm_area_struct *vma = find_vma(mm, addr);
	struct rb_node *node;

	if (vma) {
		node = rb_prev(&vma->vm_rb);
	} else {
		node = rb_last(&mm->mm_rb);
	}
	*pprev = node ? rb_entry(node, struct vm_area_struct, vm_rb) : NULL;
	return vma;
}

struct vm_area_struct *find_vma_intersection(struct mm_struct *mm, unsigned long start,
					     unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	if (vma && end <= vma->vm_start)
		vma = NULL;
	return vma;
}

/* The VMA before @vma in address order, or NULL. */
struct vm_area_struct *vma_prev_of(struct vm_area_struct *vma)
{
	struct rb_node *node = rb_prev(&vma->vm_rb);

	return node ? rb_entry(node, struct vm_area_struct, vm_rb) : NULL;
}

/* --- accounting ------------------------------------------------------------------ */

static inline unsigned long rlimit_cur(struct mm_struct *mm, int res)
{
	return mm->rlim ? READ_ONCE(mm->rlim[res].rlim_cur) : RLIM_INFINITY;
}
unsigned long mm_rlimit(struct mm_struct *mm, int res)
{
	return rlimit_cur(mm, res);
}
static inline unsigned long rlimit_max_of(struct mm_struct *mm, int res)
{
	return mm->rlim ? READ_ONCE(mm->rlim[res].rlim_max) : RLIM_INFINITY;
}

static inline bool is_exec_mapping(unsigned long flags)
{
	return (flags & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC;
}
static inline bool is_stack_mapping(unsigned long flags)
{
	return (flags & VM_STACK) == VM_STACK;
}
static inline bool is_data_mapping(unsigned long flags)
{
	return (flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE;
}

void update_hiwater_vm(struct mm_struct *mm)
{
	if (mm->hiwater_vm < mm->total_vm)
		mm->hiwater_vm = mm->total_vm;
}

void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages)
{
	if (npages < 0)
		update_hiwater_vm(mm);
	mm->total_vm += npages;
	if (is_exec_mapping(flags))
		mm->exec_vm += npages;
	else if (is_stack_mapping(flags))
		mm->stack_vm += npages;
	else if (is_data_mapping(flags))
		mm->data_vm += npages;
	if (npages > 0)
		update_hiwater_vm(mm);
}

/* may_expand_vm - RLIMIT_AS for every mapping, RLIMIT_DATA for private writable ones. */
bool may_expand_vm(struct mm_struct *mm, unsigned long flags, unsigned long npages)
{
	if (mm->total_vm + npages > rlimit_cur(mm, RLIMIT_AS) >> PAGE_SHIFT)
		return false;
	if (is_data_mapping(flags) &&
	    mm->data_vm + npages > rlimit_cur(mm, RLIMIT_DATA) >> PAGE_SHIFT) {
		/* Linux lets a zero soft limit through up to the hard one */
		if (rlimit_cur(mm, RLIMIT_DATA) == 0 &&
		    mm->data_vm + npages <= rlimit_max_of(mm, RLIMIT_DATA) >> PAGE_SHIFT)
			return true;
		return false;
	}
	return true;
}

/* mlock_future_ok - may @bytes more become locked under RLIMIT_MEMLOCK? */
bool mlock_future_ok(struct mm_struct *mm, unsigned long flags, unsigned long bytes)
{
	unsigned long locked, limit;

	if (!(flags & VM_LOCKED))
		return true;
	locked = (bytes >> PAGE_SHIFT) + mm->locked_vm;
	limit = rlimit_cur(mm, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	return locked <= limit;
}

/* Pages of [start, end) already mapped (MAP_FIXED replaces them). */
static unsigned long count_vma_pages_range(struct mm_struct *mm, unsigned long start,
					   unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long n = 0;

	for (vma = find_vma(mm, start); vma && vma->vm_start < end; vma = vma->vm_next)
		n += (min(end, vma->vm_end) - max(start, vma->vm_start)) >> PAGE_SHIFT;
	return n;
}

/* --- layout ---------------------------------------------------------------------- */

unsigned long arch_task_size(const struct machine *m)
{
	return m->cfg.paging == VMSIM_PAGING_X86_64 ? 0x7ffffffff000UL : 0xC0000000UL;
}

void arch_pick_mmap_layout(struct mm_struct *mm)
{
	unsigned long task_size = arch_task_size(mm->machine);

	mm->task_size = task_size;
	if (mm->machine->cfg.paging == VMSIM_PAGING_X86_64) {
		/* mmap_base(): the stack's room is RLIMIT_STACK plus the guard gap,
		 * clamped to [128 MiB, 5/6 of the space]; no randomisation */
		unsigned long gap = rlimit_cur(mm, RLIMIT_STACK);
		unsigned long gap_min = 128UL << 20, gap_max = task_size / 6 * 5;

		if (gap + STACK_GUARD_GAP > gap)
			gap += STACK_GUARD_GAP;
		if (gap < gap_min)
			gap = gap_min;
		else if (gap > gap_max)
			gap = gap_max;
		mm->mmap_base = PAGE_ALIGN(task_size - gap);
		/* a non-randomised PIE's heap starts after its image */
		mm->start_brk = mm->brk = 0x555555559000UL;
	} else {
		/* the legacy layout: bottom-up from TASK_UNMAPPED_BASE */
		mm->mmap_base = PAGE_ALIGN(task_size / 3);
		mm->start_brk = mm->brk = 0x0804d000UL;
	}
	mm->start_data = mm->end_data = mm->start_brk;
	mm->start_stack = task_size - EXEC_STACK_TOP_PAD;
}

int setup_arg_pages(struct mm_struct *mm, unsigned long size)
{
	struct vm_area_struct *vma;
	unsigned long top = mm->task_size, flags;

	size = PAGE_ALIGN(size);
	if (!size || size > top)
		return -EINVAL;
	flags = VM_STACK | VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |
		VM_ACCOUNT | mm->def_flags;
	down_write(&mm->mmap_sem);
	vma = vm_area_alloc(mm);
	if (!vma) {
		up_write(&mm->mmap_sem);
		return -ENOMEM;
	}
	vma->vm_start = top - size;
	vma->vm_end = top;
	vma->vm_flags = flags;
	vma->vm_page_prot = vm_get_page_prot(flags);
	vma->vm_pgoff = vma->vm_start >> PAGE_SHIFT;
	vma->anon_name_kind = 2;
	if (find_vma_intersection(mm, vma->vm_start, vma->vm_end)) {
		vm_area_free(vma);
		up_write(&mm->mmap_sem);
		return -EEXIST;
	}
	/* the stack is charged as insert_vm_struct charges it */
	if (vm_enough_memory(mm, vma_pages(vma))) {
		vm_area_free(vma);
		up_write(&mm->mmap_sem);
		return -ENOMEM;
	}
	vma_link(mm, vma);
	vm_stat_account(mm, flags, (long)vma_pages(vma));
	if (flags & VM_LOCKED)
		mm->locked_vm += vma_pages(vma);
	up_write(&mm->mmap_sem);
	return 0;
}

/* The lowest address a VMA's neighbour may reach: a stack keeps its guard gap. */
static inline unsigned long vm_start_gap(const struct vm_area_struct *vma)
{
	unsigned long start = vma->vm_start;

	if (vma->vm_flags & VM_GROWSDOWN) {
		start = start > STACK_GUARD_GAP ? start - STACK_GUARD_GAP : 0;
	}
	return start;
}
static inline unsigned long vm_end_gap(const struct vm_area_struct *vma)
{
	return vma->vm_end;
}

/*
 * unmapped_area - the lowest (or, @topdown, highest) free gap of @len
 * bytes within [low, high).  -ENOMEM if none.  A linear walk of the sorted
 * list; the gaps in between the VMAs are what we look for.
 */
static unsigned long unmapped_area(struct mm_struct *mm, unsigned long len, unsigned long low,
				   unsigned long high, bool topdown)
{
	struct vm_area_struct *vma;
	unsigned long gap_start = 0, best = (unsigned long)-ENOMEM;

	if (high < len || high - len < low)
		return (unsigned long)-ENOMEM;
	for (vma = mm->mmap;; vma = vma->vm_next) {
		unsigned long gap_end = vma ? vm_start_gap(vma) : mm->task_size;
		unsigned long lo = max(gap_start, low), hi = min(gap_end, high);

		if (hi > lo && hi - lo >= len) {
			if (!topdown)
				return lo;
			best = hi - len;	/* keep the highest */
		}
		if (!vma || gap_start >= high)
			break;
		gap_start = vm_end_gap(vma);
	}
	return best;
}

/* The search part of get_unmapped_area: the hint if it is free, else a gap. */
static unsigned long find_unmapped_area(struct mm_struct *mm, unsigned long addr,
					unsigned long len, bool topdown)
{
	unsigned long task_size = mm->task_size;

	if (addr) {
		struct vm_area_struct *vma, *prev;

		/* x86-64's top-down search rounds the hint down, 2.4's bottom-up one up */
		addr = topdown ? addr & PAGE_MASK : PAGE_ALIGN(addr);
		vma = find_vma_prev(mm, addr, &prev);
		if (addr && task_size - len >= addr && addr >= MMAP_MIN_ADDR &&
		    (!vma || addr + len <= vm_start_gap(vma)) &&
		    (!prev || addr >= vm_end_gap(prev)))
			return addr;
	}
	if (topdown) {
		addr = unmapped_area(mm, len, PAGE_SIZE, mm->mmap_base, true);
		if (!IS_ERR_VALUE(addr))
			return addr;
		/* no room below the base: fall back to bottom-up above TASK_UNMAPPED_BASE */
	}
	return unmapped_area(mm, len, topdown ? PAGE_ALIGN(task_size / 3) : mm->mmap_base,
			     task_size, false);
}

unsigned long get_unmapped_area(struct mm_struct *mm, struct file *file, unsigned long addr,
				unsigned long len, unsigned long pgoff, unsigned long flags)
{
	unsigned long task_size = mm->task_size;
	bool topdown = mm->machine->cfg.paging == VMSIM_PAGING_X86_64;

	if (len > task_size)
		return (unsigned long)-ENOMEM;
	/*
	 * A MAP_FIXED address is taken as it is; like Linux's
	 * __get_unmapped_area, one that looks like an error value (the top
	 * 4095 bytes) is returned as that error.
	 */
	if (!(flags & MAP_FIXED))
		addr = find_unmapped_area(mm, addr, len, topdown);
	if (IS_ERR_VALUE(addr))
		return addr;
	if (addr > task_size - len)
		return (unsigned long)-ENOMEM;
	if (addr & ~PAGE_MASK)
		return (unsigned long)-EINVAL;
	if (addr < MMAP_MIN_ADDR)
		return (unsigned long)-EPERM;	/* security_mmap_addr: mmap_min_addr, unprivileged */
	return addr;
}

/* --- munmap ------------------------------------------------------------------------- */

/* Take [start, end) out of @vma's accounting (it is being unmapped). */
static void unaccount_range(struct mm_struct *mm, struct vm_area_struct *vma,
			    unsigned long start, unsigned long end)
{
	long npages = (long)((end - start) >> PAGE_SHIFT);

	vm_stat_account(mm, vma->vm_flags, -npages);
	if (vma->vm_flags & VM_LOCKED)
		mm->locked_vm -= (unsigned long)npages;
}

/*
 * __do_munmap - unmap [start, start+len) (page aligned, non-empty):
 * split the VMAs at the ends, zap their pages, unlink and free them, free
 * the page tables left covering nothing.  mmap_sem held for writing.
 */
/*
 * split_range_ends - split the VMAs across @start and @end, so that every
 * VMA meeting [start, end) lies inside it (Linux's vms_gather_munmap_vmas).
 * A MAP_FIXED mmap that fails after this step (RLIMIT_AS, overcommit)
 * leaves the pieces split, as Linux's does.  0, or -ENOMEM.
 */
static int split_range_ends(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start), *last;
	int err;

	if (!vma || vma->vm_start >= end)
		return 0;
	if (start > vma->vm_start) {
		/* splitting one VMA in the middle makes one more: check the limit */
		if (end < vma->vm_end && mm->map_count >= DEFAULT_MAX_MAP_COUNT)
			return -ENOMEM;
		err = __split_vma(mm, vma, start, 0);
		if (err)
			return err;
	}
	last = find_vma(mm, end - 1);
	if (last && last->vm_start < end && last->vm_end > end)
		return __split_vma(mm, last, end, 1);
	return 0;
}

int __do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	unsigned long end = start + len;
	struct vm_area_struct *vma, *prev, *next;
	int err;

	vma = find_vma(mm, start);
	if (!vma || vma->vm_start >= end)
		return 0;
	err = split_range_ends(mm, start, end);
	if (err)
		return err;
	/* the lower piece of a split is a new VMA: look the first one up again */
	vma = find_vma(mm, start);
	prev = vma_prev_of(vma);
	update_hiwater_vm(mm);
	/* every VMA in [start, end) now lies entirely inside it */
	while (vma && vma->vm_start < end) {
		next = vma->vm_next;
		zap_page_range(vma, vma->vm_start, vma->vm_end - vma->vm_start);
		unaccount_range(mm, vma, vma->vm_start, vma->vm_end);
		if (vma->vm_flags & VM_ACCOUNT)
			vm_unacct_memory(mm->machine, (long)vma_pages(vma));
		remove_vma(mm, vma);
		vma = next;
	}
	free_pgtables(mm, prev, start, end);
	return 0;
}

int do_munmap(struct mm_struct *mm, unsigned long start, size_t len)
{
	int ret;

	if ((start & ~PAGE_MASK) || start > mm->task_size || len > mm->task_size - start)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len)
		return -EINVAL;
	down_write(&mm->mmap_sem);
	ret = __do_munmap(mm, start, len);
	VALIDATE_MM(mm, "munmap");
	up_write(&mm->mmap_sem);
	return ret;
}

/* --- mmap ----------------------------------------------------------------------------- */

static unsigned long calc_vm_prot_bits(unsigned long prot)
{
	return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

static unsigned long calc_vm_flag_bits(unsigned long flags)
{
	return (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) |
	       (flags & MAP_LOCKED ? VM_LOCKED : 0) |
	       (flags & MAP_STACK ? VM_NOHUGEPAGE : 0);	/* Linux 6.7+ */
}

/* A private writable mapping is charged against overcommit (VmFlags "ac"). */
static inline bool accountable_mapping(unsigned long vm_flags)
{
	return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
}

/* Pages of [start, end) in VM_ACCOUNT mappings (a MAP_FIXED replacing them). */
static unsigned long count_accounted_pages(struct mm_struct *mm, unsigned long start,
					   unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long n = 0;

	for (vma = find_vma(mm, start); vma && vma->vm_start < end; vma = vma->vm_next)
		if (vma->vm_flags & VM_ACCOUNT)
			n += (min(end, vma->vm_end) - max(start, vma->vm_start)) >> PAGE_SHIFT;
	return n;
}

/*
 * mmap_region - map [addr, addr+len) with @vm_flags, replacing what is
 * there.  mmap_sem held for writing.  Returns @addr or -errno.
 */
static unsigned long mmap_region(struct mm_struct *mm, struct file *file, unsigned long addr,
				 unsigned long len, unsigned long vm_flags, unsigned long pgoff)
{
	struct vm_area_struct *vma, *prev;
	struct rb_node **link, *parent;
	unsigned long npages = len >> PAGE_SHIFT, charged = 0, replaced = 0;
	int err;

	/* MAP_FIXED over mappings: split at the ends first (kept if a check fails) */
	err = split_range_ends(mm, addr, addr + len);
	if (err)
		return (unsigned long)err;
	if (!may_expand_vm(mm, vm_flags, npages)) {
		unsigned long nr = count_vma_pages_range(mm, addr, addr + len);

		if (!may_expand_vm(mm, vm_flags, npages - nr))
			return (unsigned long)-ENOMEM;
	}
	/*
	 * overcommit, less what the replaced mappings had charged: their
	 * charge passes to the new mapping (munmap below releases it, so it
	 * is taken again after)
	 */
	if (accountable_mapping(vm_flags)) {
		replaced = count_accounted_pages(mm, addr, addr + len);
		charged = npages - replaced;
		if (vm_enough_memory(mm, charged))
			return (unsigned long)-ENOMEM;
	}
	/* MAP_FIXED: whatever is there goes */
	err = __do_munmap(mm, addr, len);
	if (replaced)
		vm_acct_memory(mm->machine, (long)replaced);
	charged += replaced;
	if (!err && mm->map_count > DEFAULT_MAX_MAP_COUNT)
		err = -ENOMEM;
	if (err)
		goto unacct;
	if (accountable_mapping(vm_flags))
		vm_flags |= VM_ACCOUNT;

	BUG_ON(find_vma_links(mm, addr, addr + len, &prev, &link, &parent));
	vma = vma_merge_new(mm, prev, addr, addr + len, vm_flags, file, pgoff, NULL, false, NULL);
	if (!vma) {
		err = -ENOMEM;
		vma = vm_area_alloc(mm);
		if (!vma)
			goto unacct;
		vma->vm_start = addr;
		vma->vm_end = addr + len;
		vma->vm_flags = vm_flags;
		vma->vm_page_prot = vm_get_page_prot(vm_flags);
		vma->vm_pgoff = pgoff;
		if (file) {
			/* the file's mmap sets vm_ops (filemap_nopage, shmem_nopage) */
			vma->vm_file = get_file(file);
			err = file->f_op->mmap(file, vma);
			if (err) {
				vm_area_free(vma);
				goto unacct;
			}
		}
		vma_link(mm, vma);
	}
	vm_stat_account(mm, vm_flags, (long)npages);
	if (vm_flags & VM_LOCKED)
		mm->locked_vm += npages;
	return addr;
unacct:
	if (charged)
		vm_unacct_memory(mm->machine, (long)charged);
	return (unsigned long)err;
}

/* The flags mmap knew before MAP_SHARED_VALIDATE (Linux's LEGACY_MAP_MASK). */
#define LEGACY_MAP_MASK	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | \
			 MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | \
			 MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | \
			 MAP_32BIT | (21U << 26) | (30U << 26) /* MAP_HUGE_2MB, _1GB */)

/*
 * mmap_check_type - the checks of do_mmap's switch on the map type: a
 * shared mapping of a file open read-only can never become writable
 * (-EACCES if asked PROT_WRITE), a file must be mappable (-ENODEV) and
 * open for reading (-EACCES), and cannot grow down (-EINVAL, nor can
 * shared anonymous memory).  Sets the VM_SHARED/VM_MAYSHARE bits.  0 or
 * a negative errno (as an unsigned long).
 */
static unsigned long mmap_check_type(struct file *file, unsigned long prot, unsigned long flags,
				     unsigned long len, unsigned long *vm_flags, unsigned long *pgoff)
{
	/* file_mmap_ok: the mapped range must end within the largest file offset */
	if (file && (len > (unsigned long)MAX_LFS_FILESIZE ||
		     *pgoff > (((unsigned long)MAX_LFS_FILESIZE - len) >> PAGE_SHIFT)))
		return (unsigned long)-EOVERFLOW;
	switch (flags & MAP_TYPE) {
	case MAP_SHARED_VALIDATE:
		/* files only; a flag past the legacy set is refused (MAP_SYNC: DAX only) */
		if (!file)
			return (unsigned long)-EINVAL;
		if (flags & ~LEGACY_MAP_MASK)
			return (unsigned long)-EOPNOTSUPP;
		/* fall through */
	case MAP_SHARED:
		*vm_flags |= VM_SHARED | VM_MAYSHARE;
		if (!file) {
			*pgoff = 0;
			break;
		}
		if (!(file->f_mode & FMODE_WRITE)) {
			if (prot & PROT_WRITE)
				return (unsigned long)-EACCES;
			*vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
		}
		break;
	case MAP_PRIVATE:
		if (!file)
			return 0;
		break;
	default:
		return (unsigned long)-EINVAL;
	}
	if (file) {
		if (!(file->f_mode & FMODE_READ))
			return (unsigned long)-EACCES;
		if (!file->f_op || !file->f_op->mmap)
			return (unsigned long)-ENODEV;
	}
	if (*vm_flags & (VM_GROWSDOWN | VM_GROWSUP))
		return (unsigned long)-EINVAL;
	return 0;
}

/*
 * x86-64's MAP_32BIT without MAP_FIXED: a place in the second GiB, bottom-up
 * (arch_get_unmapped_area's legacy layout, not randomised here); a hint is
 * taken, rounded up, if it is free and ends below 2 GiB.
 */
static unsigned long get_unmapped_area_32bit(struct mm_struct *mm, unsigned long addr,
					     unsigned long len)
{
	const unsigned long begin = 0x40000000UL, end = 0x80000000UL;

	if (len > end)
		return (unsigned long)-ENOMEM;
	if (addr) {
		struct vm_area_struct *vma;

		addr = PAGE_ALIGN(addr);
		vma = find_vma(mm, addr);
		if (end - len >= addr && (!vma || addr + len <= vm_start_gap(vma)))
			return addr;
	}
	return unmapped_area(mm, len, begin, end, false);
}

unsigned long do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
		      unsigned long prot, unsigned long flags, struct file *file,
		      unsigned long pgoff)
{
	unsigned long vm_flags, ret;
	struct file *shm = NULL;
	bool populate;

	if (!len)
		return (unsigned long)-EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (!(flags & MAP_FIXED)) {
		/* round_hint_to_min: the hint's page, and none below mmap_min_addr */
		addr &= PAGE_MASK;
		if (addr && addr < MMAP_MIN_ADDR)
			addr = PAGE_ALIGN(MMAP_MIN_ADDR);
	}
	len = PAGE_ALIGN(len);
	if (!len)
		return (unsigned long)-ENOMEM;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return (unsigned long)-EOVERFLOW;
	vm_flags = calc_vm_prot_bits(prot) | calc_vm_flag_bits(flags) | mm->def_flags |
		   VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	/* Linux keeps MAP_SYNC as VM_SYNC on anonymous memory (files: DAX only) */
	if (!file && (flags & MAP_SYNC))
		vm_flags |= VM_SYNC;
	if (flags & MAP_NORESERVE)
		vm_flags |= VM_NORESERVE;

	down_write(&mm->mmap_sem);
	if (mm->map_count > DEFAULT_MAX_MAP_COUNT) {
		ret = (unsigned long)-ENOMEM;
		goto out;
	}
	if ((flags & (MAP_32BIT | MAP_FIXED)) == MAP_32BIT &&
	    mm->machine->cfg.paging == VMSIM_PAGING_X86_64)
		ret = get_unmapped_area_32bit(mm, addr, len);
	else
		ret = get_unmapped_area(mm, file, addr, len, pgoff, flags);
	if (IS_ERR_VALUE(ret))
		goto out;
	addr = ret;
	if ((flags & MAP_FIXED_NOREPLACE) && find_vma_intersection(mm, addr, addr + len)) {
		ret = (unsigned long)-EEXIST;
		goto out;
	}
	/* as Linux's do_mmap: the place first, then the lock limits, then the file */
	if ((flags & MAP_LOCKED) && !rlimit_cur(mm, RLIMIT_MEMLOCK)) {
		ret = (unsigned long)-EPERM;	/* can_do_mlock */
		goto out;
	}
	if (!mlock_future_ok(mm, vm_flags, len)) {
		ret = (unsigned long)-EAGAIN;
		goto out;
	}
	ret = mmap_check_type(file, prot, flags, len, &vm_flags, &pgoff);
	if (ret)
		goto out;
	if (!file && !(vm_flags & VM_SHARED))
		pgoff = addr >> PAGE_SHIFT;
	if (!file && (vm_flags & VM_SHARED)) {
		/* shared anonymous memory lives in a shmem file (mm/shmem.c), charged
		 * whole unless MAP_NORESERVE (shmem_acct_size) */
		shm = shmem_file_setup(mm->machine, (loff_t)len, vm_flags);
		if (!shm) {
			/*
			 * Linux charges it in shmem_zero_setup, after MAP_FIXED cleared
			 * the range: what was there is gone (vms_abort_munmap_vmas).
			 */
			__do_munmap(mm, addr, len);
			ret = (unsigned long)-ENOMEM;
			goto out;
		}
		file = shm;
	}
	ret = mmap_region(mm, file, addr, len, vm_flags, pgoff);
out:
	VALIDATE_MM(mm, "mmap");
	populate = !IS_ERR_VALUE(ret) &&
		   ((vm_flags & VM_LOCKED) || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE);
	if (populate)
		mm_populate_locked(mm, ret, ret + len, true);
	up_write(&mm->mmap_sem);
	if (shm)
		fput(shm);	/* the VMA holds its own reference */
	return ret;
}

/*
 * mm_populate_locked - fault in [start, end) VMA by VMA, as Linux's
 * __mm_populate: private writable areas with write faults (breaking COW),
 * the rest read; I/O and lock-on-fault areas are passed over.  A PROT_NONE
 * area cannot be populated (-EFAULT, as get_user_pages without FOLL_FORCE).
 * With @ignore_errors (mmap, mlockall, brk, mremap) a failing area is
 * skipped; otherwise (mlock) the first error stops the walk and is
 * returned.  mmap_sem held.  0, -EFAULT or -ENOMEM.
 */
int mm_populate_locked(struct mm_struct *mm, unsigned long start, unsigned long end,
		       bool ignore_errors)
{
	struct vm_area_struct *vma;

	for (vma = find_vma(mm, start); vma && vma->vm_start < end; vma = vma->vm_next) {
		unsigned long s = max(start, vma->vm_start), e = min(end, vma->vm_end);
		int r;

		if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_LOCKONFAULT))
			continue;
		r = vma_is_accessible(vma) ? make_pages_present(mm, s, e) : -EFAULT;
		if (r && !ignore_errors)
			return r;
	}
	return 0;
}

/* --- brk -------------------------------------------------------------------------------- */

/*
 * do_brk_flags - map [addr, addr+len) as heap (the caller checked it is
 * free); @extra is VM_EXEC or 0 (exec's bss of an executable segment).
 */
static int do_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long len,
			unsigned long extra)
{
	unsigned long flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |
			      VM_ACCOUNT | mm->def_flags | extra;
	unsigned long npages = len >> PAGE_SHIFT;
	struct vm_area_struct *vma, *prev;

	if (!may_expand_vm(mm, flags, npages))
		return -ENOMEM;
	if (mm->map_count > DEFAULT_MAX_MAP_COUNT)
		return -ENOMEM;
	if (vm_enough_memory(mm, npages))
		return -ENOMEM;
	vma = find_vma_prev(mm, addr, &prev);
	(void)vma;
	if (!vma_merge_new(mm, prev, addr, addr + len, flags, NULL, addr >> PAGE_SHIFT, NULL,
			   false, NULL)) {
		vma = vm_area_alloc(mm);
		if (!vma) {
			vm_unacct_memory(mm->machine, (long)npages);
			return -ENOMEM;
		}
		vma->vm_start = addr;
		vma->vm_end = addr + len;
		vma->vm_flags = flags;
		vma->vm_page_prot = vm_get_page_prot(flags);
		vma->vm_pgoff = addr >> PAGE_SHIFT;
		vma->anon_name_kind = 1;
		vma_link(mm, vma);
	}
	vm_stat_account(mm, flags, (long)npages);
	if (flags & VM_LOCKED)
		mm->locked_vm += npages;
	return 0;
}

/*
 * vm_brk_flags - exec's bss (Linux's vm_brk_flags): anonymous read/write
 * memory over [addr, addr+len) (page-aligned up), replacing what is
 * there, with VM_EXEC too if @flags says so.  Takes mmap_sem.  0 or
 * -EINVAL/-ENOMEM.
 */
int vm_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long len,
		 unsigned long flags)
{
	int err;

	if ((flags & ~VM_EXEC) || (addr & ~PAGE_MASK))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len)
		return 0;
	if (addr + len < addr || addr + len > mm->task_size)
		return -ENOMEM;
	down_write(&mm->mmap_sem);
	err = __do_munmap(mm, addr, len);
	if (!err)
		err = do_brk_flags(mm, addr, len, flags);
	if (!err && (mm->def_flags & VM_LOCKED))
		mm_populate_locked(mm, addr, addr + len, true);
	VALIDATE_MM(mm, "vm_brk_flags");
	up_write(&mm->mmap_sem);
	return err;
}

unsigned long do_brk_syscall(struct mm_struct *mm, unsigned long brk)
{
	unsigned long newbrk, oldbrk, origbrk, min_brk;
	unsigned long rlim = rlimit_cur(mm, RLIMIT_DATA);
	struct vm_area_struct *next;
	bool populate = false;

	down_write(&mm->mmap_sem);
	origbrk = mm->brk;
	min_brk = mm->start_brk;
	if (brk < min_brk)
		goto out;
	/* check_data_rlimit: the heap and the data segment together */
	if (rlim < RLIM_INFINITY &&
	    (brk - mm->start_brk) + (mm->end_data - mm->start_data) > rlim)
		goto out;
	/* past the top of user space (PAGE_ALIGN would wrap): Linux's do_brk_flags fails */
	if (brk > mm->task_size)
		goto out;
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(mm->brk);
	if (oldbrk == newbrk) {
		mm->brk = brk;
		goto success;
	}
	if (brk <= mm->brk) {
		/* shrink: always succeeds once the range is gone */
		if (__do_munmap(mm, newbrk, oldbrk - newbrk))
			goto out;
		mm->brk = brk;
		goto success;
	}
	if (newbrk > mm->task_size)
		goto out;
	next = find_vma(mm, oldbrk);
	if (next && newbrk + PAGE_SIZE > vm_start_gap(next))
		goto out;
	if (do_brk_flags(mm, oldbrk, newbrk - oldbrk, 0))
		goto out;
	mm->brk = brk;
	populate = (mm->def_flags & VM_LOCKED) != 0;
	if (populate)
		mm_populate_locked(mm, oldbrk, newbrk, true);
success:
	VALIDATE_MM(mm, "brk");
	up_write(&mm->mmap_sem);
	return brk;
out:
	up_write(&mm->mmap_sem);
	return origbrk;
}

/* --- stack growth ------------------------------------------------------------------------ */

/*
 * expand_stack - grow the VM_GROWSDOWN @vma down to cover @address (the
 * fault path, mmap_sem held for reading).  Keeps the guard gap to the VMA
 * below, RLIMIT_STACK, RLIMIT_AS and RLIMIT_MEMLOCK.  0 or -ENOMEM/-EFAULT.
 */
int expand_stack(struct vm_area_struct *vma, unsigned long address)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *prev;
	unsigned long grow, size;
	int ret = 0;

	if (!(vma->vm_flags & VM_GROWSDOWN))
		return -EFAULT;
	address &= PAGE_MASK;
	if (address < MMAP_MIN_ADDR)
		return -EPERM;
	/* the list is stable under mmap_sem: check the guard gap before locking */
	prev = vma_prev_of(vma);
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) &&
	    (prev->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)) &&
	    address - prev->vm_end < STACK_GUARD_GAP)
		return -ENOMEM;
	if (prev && address < prev->vm_end)
		return -ENOMEM;
	/* as expand_downwards: a growing stack gets its anon_vma first */
	if (anon_vma_prepare(vma))
		return -ENOMEM;
	/* a MAP_GROWSDOWN file mapping moves vm_start under truncate's lock too */
	lock_vma_mappings(vma);
	spin_lock(&mm->page_table_lock);
	if (address >= vma->vm_start)
		goto out;
	size = vma->vm_end - address;
	grow = (vma->vm_start - address) >> PAGE_SHIFT;
	if (!may_expand_vm(mm, vma->vm_flags, grow) || size > rlimit_cur(mm, RLIMIT_STACK)) {
		ret = -ENOMEM;
		goto out;
	}
	if ((vma->vm_flags & VM_LOCKED) &&
	    mm->locked_vm + grow > rlimit_cur(mm, RLIMIT_MEMLOCK) >> PAGE_SHIFT) {
		ret = -ENOMEM;
		goto out;
	}
	/* acct_stack_growth: the new stack pages are committed (an accounted VMA's) */
	if ((vma->vm_flags & VM_ACCOUNT) && vm_enough_memory(mm, grow)) {
		ret = -ENOMEM;
		goto out;
	}
	vma->vm_start = address;
	vma->vm_pgoff -= grow;
	if (vma->vm_flags & VM_LOCKED)
		mm->locked_vm += grow;
	vm_stat_account(mm, vma->vm_flags, (long)grow);
out:
	spin_unlock(&mm->page_table_lock);
	unlock_vma_mappings(vma);
	return ret;
}

/* --- teardown ------------------------------------------------------------------------------ */

/*
 * exit_mmap - the last user of @mm is gone: zap every VMA's pages, free
 * every VMA and every page table below the pgd.  No locks needed (nobody
 * else can reach the mm), but mmap_sem is taken for the validators.
 */
void exit_mmap(struct mm_struct *mm)
{
	struct vm_area_struct *vma, *next;
	unsigned long nr_accounted = 0;

	down_write(&mm->mmap_sem);
	for (vma = mm->mmap; vma; vma = vma->vm_next) {
		zap_page_range(vma, vma->vm_start, vma->vm_end - vma->vm_start);
		if (vma->vm_flags & VM_ACCOUNT)
			nr_accounted += vma_pages(vma);
	}
	vm_unacct_memory(mm->machine, (long)nr_accounted);
	update_hiwater_vm(mm);
	for (vma = mm->mmap; vma; vma = next) {
		next = vma->vm_next;
		/* off the file's list before the page tables go (truncate walks it) */
		lock_vma_mappings(vma);
		__remove_shared_vm_struct(vma);
		unlock_vma_mappings(vma);
		close_free_vma(vma);
	}
	mm->mmap = NULL;
	mm->mm_rb = RB_ROOT;
	mm->mmap_cache = NULL;
	mm->map_count = 0;
	mm->total_vm = mm->locked_vm = mm->data_vm = mm->exec_vm = mm->stack_vm = 0;
	free_pgd_range_all(mm);
	up_write(&mm->mmap_sem);
}

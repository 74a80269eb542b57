/*
 * The VMA tree of an mm_struct, as Linux's mm/vma.c (6.12+): linking and
 * unlinking VMAs (the sorted list mm->mmap, the red-black tree mm->mm_rb,
 * mm->map_count and, for a file VMA, its mapping's i_mmap lists: the 2.4
 * reverse map), merging and splitting them (vma_merge_new, __split_vma,
 * vma_modify), and the anon_vma identity that decides which may merge.
 * The system calls that use them are in mm/mmap.c (mmap, munmap, brk) and
 * their own files (mprotect.c, mremap.c, mlock.c, madvise.c); mm/mmap.c's
 * header comment says how the structures are kept and locked (mmap_sem for
 * writing; i_shared_lock around every change of a file VMA's bounds or
 * links).
 *
 * anon_vma: Linux refuses to merge VMAs whose private anonymous pages are
 * tracked by different anon_vmas.  We keep that identity (a refcounted
 * struct anon_vma in vm_private_data of a private VMA, anonymous or a
 * file's: vma_has_anon_slot): given at the first private page by the fault
 * path (anon_vma_prepare), or shared with a neighbour that differs only in
 * protection (find_mergeable_anon_vma), shared by the pieces of a split,
 * adopted by a VMA that merges with one, fresh for each VMA of a forked
 * child.  Fork copies the PTEs of a VMA only if it has one.
 *
 * Lock order: mmap_sem -> mapping->i_shared_lock -> page_table_lock.
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

/* --- anon_vma identity ------------------------------------------------------ */

/*
 * struct anon_vma - the identity of a set of private anonymous pages.  We
 * keep no reverse map through it (yet), only what decides merging: VMAs
 * whose pages came from different faults histories never merge, as in
 * Linux.  One reference per VMA pointing at it; freed with the last.
 */
struct anon_vma {
	atomic_int refcount;
};

static struct anon_vma *anon_vma_alloc(void)
{
	struct anon_vma *av = kmalloc(sizeof(*av), GFP_KERNEL);

	if (av)
		atomic_init(&av->refcount, 1);
	return av;
}

void anon_vma_get(void *token)
{
	if (token)
		atomic_fetch_add(&((struct anon_vma *)token)->refcount, 1);
}

void anon_vma_put(void *token)
{
	if (token && atomic_fetch_sub(&((struct anon_vma *)token)->refcount, 1) == 1)
		kfree(token);
}

/*
 * anon_vma_prepare - give @vma its anon_vma before its first private page
 * (Linux calls it from do_anonymous_page, wp_page_copy and do_cow_fault).
 * Called with mmap_sem held for reading and page_table_lock not held; a
 * racing fault of another thread may win, then ours is dropped.
 * 0 or -ENOMEM.
 */
/*
 * Could @a and @b (a just below b) share an anon_vma, i.e. merge but for
 * their protections?  Linux's anon_vma_compatible.
 */
static bool anon_vma_compatible(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) & ~(VM_READ | VM_WRITE | VM_EXEC)) &&
	       b->vm_pgoff == a->vm_pgoff + ((b->vm_start - a->vm_start) >> PAGE_SHIFT);
}

/* @old's anon_vma, if @a/@b are compatible and @old was not cloned at fork. */
static void *reusable_anon_vma(struct vm_area_struct *old, struct vm_area_struct *a,
			       struct vm_area_struct *b)
{
	void *av;

	if (!vma_has_anon_slot(old) || !anon_vma_compatible(a, b))
		return NULL;
	av = __atomic_load_n(&old->vm_private_data, __ATOMIC_ACQUIRE);
	return av && !old->anon_forked ? av : NULL;
}

/*
 * find_mergeable_anon_vma - a neighbour's anon_vma @vma may share (next
 * first, then prev, as Linux): areas that differ only in protection share
 * one, so an mprotect that makes them alike can merge them again.
 */
static void *find_mergeable_anon_vma(struct vm_area_struct *vma)
{
	struct vm_area_struct *next = vma->vm_next, *prev;
	void *av = next ? reusable_anon_vma(next, vma, next) : NULL;

	if (av)
		return av;
	prev = vma_prev_of(vma);
	return prev ? reusable_anon_vma(prev, prev, vma) : NULL;
}

int anon_vma_prepare(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma *av;

	/* double-checked: racing faults (mmap_sem read-held) publish it atomically */
	if (!vma_has_anon_slot(vma) || __atomic_load_n(&vma->vm_private_data, __ATOMIC_ACQUIRE))
		return 0;
	av = find_mergeable_anon_vma(vma);
	if (av)
		anon_vma_get(av);
	else
		av = anon_vma_alloc();
	if (!av)
		return -ENOMEM;
	spin_lock(&mm->page_table_lock);
	if (!vma->vm_private_data) {
		__atomic_store_n(&vma->vm_private_data, av, __ATOMIC_RELEASE);
		av = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	anon_vma_put(av);
	return 0;
}

/* @vma (private anonymous, without one) takes a reference on @token. */
static void anon_vma_adopt(struct vm_area_struct *vma, void *token)
{
	if (!token || vma->vm_private_data || !vma_has_anon_slot(vma))
		return;
	anon_vma_get(token);
	vma->vm_private_data = token;
}

/* --- linking ------------------------------------------------------------------ */

/*
 * find_vma_links - where a VMA for [addr, end) goes: the tree link and
 * parent, and the list predecessor.  -ENOMEM if the range overlaps a VMA.
 */
int find_vma_links(struct mm_struct *mm, unsigned long addr, unsigned long end,
		   struct vm_area_struct **pprev, struct rb_node ***rb_link,
		   struct rb_node **rb_parent)
{
	struct rb_node **link = &mm->mm_rb.rb_node, *parent = NULL, *rb_prev_node = NULL;

	while (*link) {
		struct vm_area_struct *tmp = rb_entry(*link, struct vm_area_struct, vm_rb);

		parent = *link;
		if (tmp->vm_end > addr) {
			if (tmp->vm_start < end)
				return -ENOMEM;
			link = &(*link)->rb_left;
		} else {
			rb_prev_node = *link;
			link = &(*link)->rb_right;
		}
	}
	*pprev = rb_prev_node ? rb_entry(rb_prev_node, struct vm_area_struct, vm_rb) : NULL;
	*rb_link = link;
	*rb_parent = parent;
	return 0;
}

/* --- the reverse map: a file's lists of VMAs ------------------------------------ */

static inline struct address_space *vma_mapping(const struct vm_area_struct *vma)
{
	return vma->vm_file ? vma->vm_file->f_mapping : NULL;
}

void lock_vma_mappings(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma_mapping(vma);

	if (mapping)
		spin_lock(&mapping->i_shared_lock);
}

void unlock_vma_mappings(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma_mapping(vma);

	if (mapping)
		spin_unlock(&mapping->i_shared_lock);
}

/* Insert @vma at the link *@pprev (a list head or a vm_next_share). */
static void __share_link(struct vm_area_struct *vma, struct vm_area_struct **pprev)
{
	vma->vm_next_share = *pprev;
	if (*pprev)
		(*pprev)->vm_pprev_share = &vma->vm_next_share;
	*pprev = vma;
	vma->vm_pprev_share = pprev;
}

/*
 * __vma_link_file - put file @vma at the head of its mapping's i_mmap or
 * i_mmap_shared list (2.4's __vma_link_file).  i_shared_lock held.
 */
static void __vma_link_file(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma_mapping(vma);

	if (!mapping)
		return;
	BUG_ON_MSG(vma->vm_pprev_share, "__vma_link_file: VMA [%#lx, %#lx) of mm %p already linked",
		   vma->vm_start, vma->vm_end, (void *)vma->vm_mm);
	__share_link(vma, (vma->vm_flags & VM_SHARED) ? &mapping->i_mmap_shared : &mapping->i_mmap);
}

/*
 * __remove_shared_vm_struct - take file @vma off its mapping's list (2.4's
 * name).  i_shared_lock held.
 */
void __remove_shared_vm_struct(struct vm_area_struct *vma)
{
	if (!vma->vm_file)
		return;
	BUG_ON_MSG(!vma->vm_pprev_share || *vma->vm_pprev_share != vma,
		   "__remove_shared_vm_struct: VMA [%#lx, %#lx) of mm %p not on its file's list",
		   vma->vm_start, vma->vm_end, (void *)vma->vm_mm);
	if (vma->vm_next_share)
		vma->vm_next_share->vm_pprev_share = vma->vm_pprev_share;
	*vma->vm_pprev_share = vma->vm_next_share;
	vma->vm_next_share = NULL;
	vma->vm_pprev_share = NULL;
}

/*
 * vma_link_file_after - dup_mmap: link @vma, the child's copy of @orig,
 * just after @orig on their list, as 2.4's dup_mmap.  Truncate walks the
 * list in order and copy_page_range fills @vma from @orig afterwards: a
 * PTE copied before truncate zaps @orig is zapped again in @vma, which
 * comes later.  vma_link then links only the mm side.
 */
void vma_link_file_after(struct vm_area_struct *vma, struct vm_area_struct *orig)
{
	struct address_space *mapping = vma_mapping(orig);

	if (!mapping)
		return;
	BUG_ON_MSG(vma->vm_file != orig->vm_file || vma->vm_pprev_share || !orig->vm_pprev_share,
		   "vma_link_file_after: VMA [%#lx, %#lx) cannot follow its original",
		   vma->vm_start, vma->vm_end);
	spin_lock(&mapping->i_shared_lock);
	__share_link(vma, &orig->vm_next_share);
	spin_unlock(&mapping->i_shared_lock);
}

/*
 * __vma_link - put @vma (not overlapping anything) into list and tree,
 * and, a file VMA not linked yet, on its mapping's list.  i_shared_lock
 * held for a file VMA.
 */
static void __vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *prev;
	struct rb_node **link, *parent;

	BUG_ON_MSG(find_vma_links(mm, vma->vm_start, vma->vm_end, &prev, &link, &parent),
		   "vma_link: [%#lx, %#lx) overlaps a VMA of mm %p",
		   vma->vm_start, vma->vm_end, (void *)mm);
	if (prev) {
		vma->vm_next = prev->vm_next;
		prev->vm_next = vma;
	} else {
		vma->vm_next = mm->mmap;
		mm->mmap = vma;
	}
	rb_link_node(&vma->vm_rb, parent, link);
	rb_insert_color(&vma->vm_rb, &mm->mm_rb);
	mm->map_count++;
	if (!vma->vm_pprev_share)	/* dup_mmap links the file side itself */
		__vma_link_file(vma);
}

/* vma_link - __vma_link under the file's i_shared_lock. */
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	lock_vma_mappings(vma);
	__vma_link(mm, vma);
	unlock_vma_mappings(vma);
}

/* __vma_unlink - take @vma (with list predecessor @prev) out of list and tree. */
static void __vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma,
			 struct vm_area_struct *prev)
{
	if (prev)
		prev->vm_next = vma->vm_next;
	else
		mm->mmap = vma->vm_next;
	rb_erase(&vma->vm_rb, &mm->mm_rb);
	if (mm->mmap_cache == vma)
		__atomic_store_n(&mm->mmap_cache, NULL, __ATOMIC_RELAXED);
	mm->map_count--;
}

/* __remove_vma - unlink @vma from list, tree and file list (i_shared_lock held). */
static void __remove_vma(struct mm_struct *mm, struct vm_area_struct *vma)
{
	__vma_unlink(mm, vma, vma_prev_of(vma));
	__remove_shared_vm_struct(vma);
}

/* Close and free an unlinked VMA. */
void close_free_vma(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
	vm_area_free(vma);
}

/* Unlink and free @vma (pages already gone or moved): close, free. */
void remove_vma(struct mm_struct *mm, struct vm_area_struct *vma)
{
	lock_vma_mappings(vma);
	__remove_vma(mm, vma);
	unlock_vma_mappings(vma);
	close_free_vma(vma);
}

void insert_vm_struct(struct mm_struct *mm, struct vm_area_struct *vma)
{
	if (vma_is_private_anon(vma) && !vma->vm_pgoff && !vma->vm_private_data)
		vma->vm_pgoff = vma->vm_start >> PAGE_SHIFT;
	if (vma_has_anon_slot(vma) && vma->vm_private_data) {
		/* anon_vma_fork: the child's VMA gets an anon_vma of its own */
		struct anon_vma *av = anon_vma_alloc();

		if (av) {	/* else it keeps sharing the parent's: merges only differ */
			anon_vma_put(vma->vm_private_data);
			vma->vm_private_data = av;
		}
		vma->anon_forked = true;	/* its chain links the parent's anon_vma */
	}
	vma_link(mm, vma);
	vm_stat_account(mm, vma->vm_flags, (long)vma_pages(vma));
	if (vma->vm_flags & VM_LOCKED)
		mm->locked_vm += vma_pages(vma);
}

void insert_vm_struct_nocount(struct mm_struct *mm, struct vm_area_struct *vma)
{
	vma_link(mm, vma);
}

/*
 * A file VMA is linked on a list (its own link points back at it, the next
 * one's at it too); an anonymous one on none.  mmap_sem held: takes
 * i_shared_lock, since other mms' VMAs rewrite our links.  Which list it
 * is on is checked by i_mmap_is_valid (mm/filemap.c).
 */
static bool vma_share_link_is_valid(struct vm_area_struct *vma)
{
	bool ok;

	if (!vma->vm_file)
		return !vma->vm_pprev_share && !vma->vm_next_share;
	lock_vma_mappings(vma);
	ok = vma->vm_pprev_share && *vma->vm_pprev_share == vma &&
	     (!vma->vm_next_share || vma->vm_next_share->vm_pprev_share == &vma->vm_next_share);
	unlock_vma_mappings(vma);
	return ok;
}

/* validate_mm - list, tree and map_count agree; VMAs sorted, disjoint, sane; file links. */
bool validate_mm(struct mm_struct *mm)
{
	struct vm_area_struct *vma, *prev = NULL;
	struct rb_node *node = rb_first(&mm->mm_rb);
	int n = 0;

	if (!rb_tree_is_valid(&mm->mm_rb))
		return false;
	for (vma = mm->mmap; vma; prev = vma, vma = vma->vm_next) {
		if (!node || rb_entry(node, struct vm_area_struct, vm_rb) != vma)
			return false;
		if (vma->vm_start >= vma->vm_end || (vma->vm_start | vma->vm_end) & ~PAGE_MASK)
			return false;
		if (prev && prev->vm_end > vma->vm_start)
			return false;
		if (vma->vm_mm != mm || vma->vm_end > mm->task_size)
			return false;
		if (!vma_share_link_is_valid(vma))
			return false;
		node = rb_next(node);
		n++;
	}
	return !node && n == mm->map_count;
}

/* --- merging and splitting ---------------------------------------------------------- */

/* Linux's vma_is_fork_child: an anon_vma whose chain is not singular. */
static bool vma_is_fork_child(const struct vm_area_struct *vma)
{
	return vma && vma_has_anon_slot(vma) && vma->vm_private_data && vma->anon_forked;
}

/*
 * Could @vma take pages with @flags/@file/@anon?  (Not the position.)  The
 * anon_vma rule of Linux's is_mergeable_anon_vma: one side without an
 * anon_vma takes the other's, unless the side that has it was cloned at
 * fork (@forked: the pages' source VMA; a merge would spread the
 * parent's anon_vma root lock over more memory); both with one: the same.
 * Its memory policy must be @pol (mbind's VMAs merge only with their like).
 */
static bool is_mergeable_vma(struct vm_area_struct *vma, unsigned long flags,
			     struct file *file, void *anon, bool forked,
			     const struct mempolicy *pol)
{
	void *own;

	if (vma->vm_flags != flags || vma->vm_file != file || !mpol_equal(&vma->vm_policy, pol))
		return false;
	if (vma->vm_ops && vma->vm_ops->close)
		return false;	/* a driver area keeps its identity */
	if (!vma_has_anon_slot(vma))
		return true;
	own = vma->vm_private_data;
	if (!own && anon)
		return !forked;
	if (own && !anon)
		return !vma_is_fork_child(vma);
	return own == anon;
}

/* @prev may grow up over [.., end) starting at its end, with @pgoff at its end. */
static bool can_merge_after(struct vm_area_struct *prev, unsigned long flags, struct file *file,
			    void *anon, bool forked, unsigned long pgoff,
			    const struct mempolicy *pol)
{
	return is_mergeable_vma(prev, flags, file, anon, forked, pol) &&
	       prev->vm_pgoff + vma_pages(prev) == pgoff;
}

/* @next may grow down over @npages pages starting at file offset @pgoff. */
static bool can_merge_before(struct vm_area_struct *next, unsigned long flags,
			     struct file *file, void *anon, bool forked, unsigned long pgoff,
			     unsigned long npages, const struct mempolicy *pol)
{
	return is_mergeable_vma(next, flags, file, anon, forked, pol) &&
	       pgoff + npages == next->vm_pgoff;
}

static void *anon_of(struct vm_area_struct *vma)
{
	return vma && vma_has_anon_slot(vma) ? vma->vm_private_data : NULL;
}

/* Two anon_vma tokens can live in one VMA: at most one of them is set, or both equal. */
static bool anon_compatible(void *a, void *b)
{
	return !a || !b || a == b;
}

/*
 * vma_merge_new - a new range [addr, end) in the hole between @prev and
 * @next (either may be NULL or not adjacent) wants @flags.  Extend a
 * neighbour over it instead of making a VMA, when they are alike:
 *
 *     before            after
 *   PPPP....NNNN      PPPPPPPPNNNN   prev grows      (next unlike)
 *   PPPP....NNNN      PPPPNNNNNNNN   next grows down (prev unlike)
 *   PPPP....NNNN      PPPPPPPPPPPP   prev swallows the range and next,
 *                                    when both are alike and their
 *                                    anon_vmas may share one VMA
 *   (.... = the new range)
 *
 * The range has memory policy @pol (NULL: none, a new mapping's).
 * Returns the VMA now covering the range, or NULL (caller makes one).
 */
struct vm_area_struct *vma_merge_new(struct mm_struct *mm, struct vm_area_struct *prev,
				     unsigned long addr, unsigned long end, unsigned long flags,
				     struct file *file, unsigned long pgoff, void *anon,
				     bool forked, const struct mempolicy *pol)
{
	static const struct mempolicy no_policy;

	struct vm_area_struct *next = prev ? prev->vm_next : mm->mmap;
	unsigned long npages = (end - addr) >> PAGE_SHIFT;
	bool left, right;

	if (flags & VM_SPECIAL)
		return NULL;
	if (!pol)
		pol = &no_policy;
	left = prev && prev->vm_end == addr &&
	       can_merge_after(prev, flags, file, anon, forked, pgoff, pol);
	right = next && next->vm_start == end &&
		can_merge_before(next, flags, file, anon, forked, pgoff, npages, pol);
	if (left && right && !anon_compatible(anon_of(prev), anon_of(next)))
		right = false;
	if (left) {
		/* prev, next and the range map one file: one i_shared_lock */
		lock_vma_mappings(prev);
		prev->vm_end = end;
		anon_vma_adopt(prev, anon);
		if (right) {
			prev->vm_end = next->vm_end;
			anon_vma_adopt(prev, anon_of(next));
			__remove_vma(mm, next);
		}
		unlock_vma_mappings(prev);
		if (right)
			close_free_vma(next);
		return prev;
	}
	if (right) {
		lock_vma_mappings(next);
		next->vm_start = addr;
		next->vm_pgoff = pgoff;
		unlock_vma_mappings(next);
		anon_vma_adopt(next, anon);
		return next;
	}
	return NULL;
}

/*
 * split_vma - cut @vma at @addr into two VMAs.  With @new_below the new
 * VMA is the lower part, otherwise the upper part; @vma keeps the other.
 *
 *   VVVVVVVV  split at |   new_below:  NNNNVVVV   else:  VVVVNNNN
 *       |
 * Page tables are untouched.  0 or -ENOMEM.
 */
int __split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
		int new_below)
{
	struct vm_area_struct *new;

	VM_BUG_ON_MSG(addr <= vma->vm_start || addr >= vma->vm_end || (addr & ~PAGE_MASK),
		      "split_vma: %#lx outside [%#lx, %#lx)", addr, vma->vm_start, vma->vm_end);
	new = vm_area_dup(vma);
	if (!new)
		return -ENOMEM;
	/* @new is on no list yet: set it up, and open it, unlocked */
	if (new_below) {
		new->vm_end = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	}
	if (new->vm_ops && new->vm_ops->open)
		new->vm_ops->open(new);
	/* truncate sees either the whole VMA or both halves, never a gap */
	lock_vma_mappings(vma);
	if (new_below) {
		vma->vm_start = addr;
		vma->vm_pgoff += (addr - new->vm_start) >> PAGE_SHIFT;
	} else {
		vma->vm_end = addr;
	}
	__vma_link(mm, new);
	unlock_vma_mappings(vma);
	return 0;
}

int split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
	      int new_below)
{
	if (mm->map_count >= DEFAULT_MAX_MAP_COUNT)
		return -ENOMEM;
	return __split_vma(mm, vma, addr, new_below);
}

/*
 * vma_modify - [start, end) inside @vma is to get @newflags (mprotect,
 * mlock, madvise).  Merge it into a like neighbour where it touches one,
 * else split it out.  @prev is the VMA before @vma (or NULL).
 *
 *   range = the whole VMA:            range = its head / tail:
 *   PPPPVVVVNNNN -> PPPPPPPPPPPP      PPPPVVVV.... -> PPPPPPVV....
 *   PPPPVVVVNNNN -> PPPPPPPPNNNN      ....VVVVNNNN -> ....VVNNNNNN
 *   PPPPVVVVNNNN -> PPPPNNNNNNNN      otherwise split: VVVV -> VXXV
 *
 * @newpol: the range's new memory policy (mbind), NULL to keep @vma's.
 * Returns the VMA covering exactly [start, end) with its flags and policy
 * not yet changed (the caller sets them), or an ERR_PTR-style NULL with
 * *err set.
 */
struct vm_area_struct *vma_modify(struct mm_struct *mm, struct vm_area_struct *prev,
				  struct vm_area_struct *vma, unsigned long start,
				  unsigned long end, unsigned long newflags,
				  const struct mempolicy *newpol, int *err)
{
	struct vm_area_struct *next = vma->vm_next;
	unsigned long pgoff = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	unsigned long npages = (end - start) >> PAGE_SHIFT;
	void *anon = anon_of(vma);
	bool forked = vma_is_fork_child(vma), left = false, right = false;

	*err = 0;
	if (!newpol)
		newpol = &vma->vm_policy;
	if (!(vma->vm_flags & VM_SPECIAL) && !(newflags & VM_SPECIAL)) {
		left = prev && start == vma->vm_start && prev->vm_end == start &&
		       can_merge_after(prev, newflags, vma->vm_file, anon, forked, pgoff, newpol);
		right = next && end == vma->vm_end && next->vm_start == end &&
			can_merge_before(next, newflags, vma->vm_file, anon, forked, pgoff, npages,
					 newpol);
		if (left && right && !anon_compatible(anon_of(prev), anon_of(next)))
			right = false;
	}
	/* the merging VMAs map one file: its i_shared_lock covers every change */
	if (left && right) {
		/* PPPPVVVVNNNN -> PPPPPPPPPPPP */
		lock_vma_mappings(prev);
		prev->vm_end = next->vm_end;
		anon_vma_adopt(prev, anon ? anon : anon_of(next));
		__remove_vma(mm, vma);
		__remove_vma(mm, next);
		unlock_vma_mappings(prev);
		close_free_vma(vma);
		close_free_vma(next);
		return prev;
	}
	if (left) {
		bool whole = end == vma->vm_end;

		anon_vma_adopt(prev, anon);
		lock_vma_mappings(prev);
		prev->vm_end = end;
		if (whole) {
			__remove_vma(mm, vma);		/* PPPPVVVV -> PPPPPPPP */
		} else {
			vma->vm_start = end;		/* PPPPVVVV -> PPPPPPVV */
			vma->vm_pgoff += npages;
		}
		unlock_vma_mappings(prev);
		if (whole)
			close_free_vma(vma);
		return prev;
	}
	if (right) {
		bool whole = start == vma->vm_start;

		anon_vma_adopt(next, anon);
		lock_vma_mappings(next);
		next->vm_start = start;
		next->vm_pgoff = pgoff;
		if (whole)
			__remove_vma(mm, vma);		/* VVVVNNNN -> NNNNNNNN */
		else
			vma->vm_end = start;		/* VVVVNNNN -> VVNNNNNN */
		unlock_vma_mappings(next);
		if (whole)
			close_free_vma(vma);
		return next;
	}
	if (start > vma->vm_start) {
		*err = split_vma(mm, vma, start, 1);
		if (*err)
			return NULL;
	}
	if (end < vma->vm_end) {
		*err = split_vma(mm, vma, end, 0);
		if (*err)
			return NULL;
	}
	return vma;
}

/*
 * fork: address-space references (mm_alloc, mmput, mmdrop) and copying a
 * process (do_fork -> copy_mm -> dup_mmap -> copy_page_range), as Linux
 * 2.4's kernel/fork.c.
 *
 * A child either shares its parent's mm (CLONE_VM: mm_users + 1) or gets
 * a copy: every VMA not marked VM_DONTCOPY is duplicated and linked, and
 * copy_page_range (mm/memory.c) copies its page-table entries, marking
 * private writable pages read-only in both so the first write copies
 * (do_wp_page).  Shared mappings keep sharing the same frames.
 *
 * CLONE_THREAD (with CLONE_VM and CLONE_SIGHAND, as Linux requires) makes
 * the child a thread of the parent's group: same tgid, same leader, dying
 * with the group (kernel/signal.c).  Without it the child leads a group of
 * its own, even when it shares the mm (CLONE_VM alone).  A fork from a
 * thread copies only the calling thread: the child is a one-thread process.
 */
#include <errno.h>
#include <string.h>
#include "kern/sched.h"
#include "kern/memory.h"
#include "kern/mman.h"
#include "kern/slab.h"
#include "kern/pgtable.h"
#include "kern/tlb.h"
#include "kern/fs.h"

/*
 * mm_alloc - a fresh, empty address space of machine @m: one user, one
 * struct reference, its own top-level page table.  Layout (task_size,
 * mmap_base, brk) and limits are the caller's to set.  NULL on -ENOMEM.
 */
struct mm_struct *mm_alloc(struct machine *m)
{
	struct mm_struct *mm = kmem_cache_alloc(m->tasks->mm_cachep, GFP_KERNEL);

	if (!mm)
		return NULL;
	memset(mm, 0, sizeof(*mm));
	mm->mm_rb = RB_ROOT;
	atomic_init(&mm->mm_users, 1);
	atomic_init(&mm->mm_count, 1);
	init_rwsem(&mm->mmap_sem);
	spin_lock_init(&mm->page_table_lock);
	INIT_LIST_HEAD(&mm->mmlist);
	mm->machine = m;
	if (mm_alloc_pgd(mm)) {
		fini_rwsem(&mm->mmap_sem);
		kmem_cache_free(m->tasks->mm_cachep, mm);
		return NULL;
	}
	return mm;
}

/*
 * __mmdrop - the last reference to the struct went: the address space is
 * already empty (exit_mmap ran); free the top-level table and the struct.
 * The pgd goes here, as in Linux, not in mmput: a CPU holding the mm
 * lazily still has it in cr3 until its reference is dropped.
 */
static void __mmdrop(struct mm_struct *mm)
{
	struct machine *m = mm->machine;

	BUG_ON_MSG(mm->mmap || mm->map_count,
		   "__mmdrop: mm %p still has %d VMAs", (void *)mm, mm->map_count);
	BUG_ON_MSG(atomic_load(&mm->mm_users) != 0,
		   "__mmdrop: mm %p has %d users", (void *)mm, atomic_load(&mm->mm_users));
	mm_free_pgd(mm);
	fini_rwsem(&mm->mmap_sem);
	kmem_cache_free(m->tasks->mm_cachep, mm);
}

void mmdrop(struct mm_struct *mm)
{
	int old = atomic_fetch_sub(&mm->mm_count, 1);

	BUG_ON_MSG(old <= 0, "mmdrop: mm %p mm_count %d", (void *)mm, old);
	if (old == 1)
		__mmdrop(mm);
}

/*
 * mmput - a task stops using @mm.  The last user tears the address space
 * down: every VMA unmapped, its pages and page tables freed (exit_mmap),
 * then the users' shared struct reference is dropped.
 */
void mmput(struct mm_struct *mm)
{
	int old = atomic_fetch_sub(&mm->mm_users, 1);

	BUG_ON_MSG(old <= 0, "mmput: mm %p mm_users %d", (void *)mm, old);
	if (old != 1)
		return;
	exit_mmap(mm);
	mm->rlim = NULL;
	task_steal_lazy_mm(mm);
	mmdrop(mm);
}

/*
 * dup_mmap - copy @oldmm's VMAs into the new @mm and their page tables
 * with copy_page_range.  Both mmap_sems are held for writing, so no fault
 * or mmap changes the parent while it is copied.  On failure @mm holds
 * what was copied so far; the caller's mmput frees it.
 */
int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct vm_area_struct *mpnt, *tmp;
	unsigned long charge;
	int retval = 0;

	down_write(&oldmm->mmap_sem);
	down_write(&mm->mmap_sem);

	/* Layout and addresses of the parent (Linux's memcpy of the mm). */
	mm->start_code = oldmm->start_code;
	mm->end_code = oldmm->end_code;
	mm->start_data = oldmm->start_data;
	mm->end_data = oldmm->end_data;
	mm->start_brk = oldmm->start_brk;
	mm->brk = oldmm->brk;
	mm->start_stack = oldmm->start_stack;
	mm->arg_start = oldmm->arg_start;
	mm->arg_end = oldmm->arg_end;
	mm->env_start = oldmm->env_start;
	mm->env_end = oldmm->env_end;
	mm->mmap_base = oldmm->mmap_base;
	mm->task_size = oldmm->task_size;
	/* mlock()s and mlockall(MCL_FUTURE) are not inherited */
	mm->def_flags = 0;
	mm->locked_vm = 0;

	for (mpnt = oldmm->mmap; mpnt; mpnt = mpnt->vm_next) {
		if (mpnt->vm_flags & VM_DONTCOPY)
			continue;
		/* the child commits its own copy of each accounted area */
		charge = mpnt->vm_flags & VM_ACCOUNT ? (mpnt->vm_end - mpnt->vm_start) >> PAGE_SHIFT
						     : 0;
		if (charge && vm_enough_memory(oldmm, charge)) {
			retval = -ENOMEM;
			goto out;
		}
		tmp = vm_area_dup(mpnt);
		if (!tmp) {
			if (charge)
				vm_unacct_memory(oldmm->machine, (long)charge);
			retval = -ENOMEM;
			goto out;
		}
		tmp->vm_mm = mm;
		tmp->vm_next = NULL;
		tmp->vm_flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
		if (tmp->vm_ops && tmp->vm_ops->open)
			tmp->vm_ops->open(tmp);
		/* a file VMA goes just after the parent's on the file's list (2.4) */
		vma_link_file_after(tmp, mpnt);
		/* links list and tree, counts map_count and total_vm & co. */
		insert_vm_struct(mm, tmp);
		retval = copy_page_range(mm, oldmm, mpnt);
		if (retval)
			goto out;
	}
	mm->hiwater_vm = mm->total_vm;
	/* truncate may already zap the child's file VMAs (update_hiwater_rss) */
	__atomic_store_n(&mm->hiwater_rss, get_mm_rss(mm), __ATOMIC_RELAXED);
	VM_BUG_ON(!validate_mm(mm));
out:
	/* the parent's private pages just became read-only */
	flush_tlb_mm(oldmm);
	up_write(&mm->mmap_sem);
	up_write(&oldmm->mmap_sem);
	return retval;
}

/* copy_mm - the child's address space: shared (CLONE_VM) or copied. */
static int copy_mm(unsigned long clone_flags, struct task_struct *p,
		   struct task_struct *parent)
{
	struct mm_struct *oldmm = parent->mm, *mm;
	int retval;

	p->mm = NULL;
	p->active_mm = NULL;
	if (!oldmm)
		return 0;		/* a kernel thread's child has none */
	if (clone_flags & CLONE_VM) {
		mmget(oldmm);
		p->mm = p->active_mm = oldmm;
		return 0;
	}
	mm = mm_alloc(parent->machine);
	if (!mm)
		return -ENOMEM;
	mm->rlim = p->rlim;
	retval = dup_mmap(mm, oldmm);
	if (retval) {
		mmput(mm);
		return retval;
	}
	p->mm = p->active_mm = mm;
	return 0;
}

/*
 * do_fork - see sched.h.  Runs in the parent's context (task entered).
 * The child gets the parent's limits, stack pointer and name, the next
 * pid, and starts TASK_RUNNING.  On failure nothing of it remains (a pid
 * is consumed only by a successful fork).
 */
struct task_struct *do_fork(unsigned long clone_flags, struct task_struct *parent, int *err)
{
	struct machine *m = parent->machine;
	struct task_struct *p;
	int retval;

	/* copy_process's checks: a thread shares the signal handlers, which share the mm */
	if (((clone_flags & CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND)) ||
	    ((clone_flags & CLONE_SIGHAND) && !(clone_flags & CLONE_VM))) {
		retval = -EINVAL;
		goto fail;
	}
	p = alloc_task(m, &retval);
	if (!p)
		goto fail;
	/* a thread sharing the parent's mm may be changing the limits */
	spin_lock(&m->tasks->tasklist_lock);
	memcpy(p->rlim, parent->rlim, sizeof(p->rlim));
	spin_unlock(&m->tasks->tasklist_lock);
	memcpy(p->comm, parent->comm, sizeof(p->comm));
	p->sp = parent->sp;
	p->cpus_allowed = parent->cpus_allowed;
	p->mempolicy = parent->mempolicy;	/* mpol_dup: the child inherits it */
	p->il_prev = parent->il_prev;
	retval = files_fork(clone_flags, p, parent);	/* fs/open.c */
	if (retval)
		goto bad_fork_free;
	retval = copy_mm(clone_flags, p, parent);
	if (retval)
		goto bad_fork_cleanup_files;
	retval = task_attach_pid(m, p, (clone_flags & CLONE_THREAD) ? parent->group_leader : NULL);
	if (retval)
		goto bad_fork_cleanup_mm;
	return p;

bad_fork_cleanup_mm:
	if (p->mm) {
		struct mm_struct *mm = p->mm;

		p->mm = p->active_mm = NULL;
		mmput(mm);
	}
bad_fork_cleanup_files:
	files_exit(p);
bad_fork_free:
	free_task(p);
fail:
	*err = retval;
	return NULL;
}

/* fork/clone from the calling task: the child's pid or a negative errno */
long sys_clone(unsigned long clone_flags)
{
	struct task_struct *child;
	int err;

	child = do_fork(clone_flags, current, &err);
	return child ? child->pid : err;
}

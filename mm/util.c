/*
 * Overcommit accounting (Linux's mm/util.c): the machine's committed
 * address space, vm_committed_as, and the policy that decides whether a
 * new commitment may be made (vm.overcommit_memory):
 *
 *   0 OVERCOMMIT_GUESS   one request larger than RAM plus swap is refused;
 *                        anything smaller succeeds (Linux 5.x+'s heuristic)
 *   1 OVERCOMMIT_ALWAYS  never refused
 *   2 OVERCOMMIT_NEVER   refused once the total would reach CommitLimit,
 *                        RAM * overcommit_ratio / 100 (or overcommit_kbytes)
 *                        plus swap, less admin_reserve_kbytes (the
 *                        simulated processes are not CAP_SYS_ADMIN) and
 *                        min(total_vm / 32, user_reserve_kbytes)
 *
 * What is committed: private writable mappings (VM_ACCOUNT: mmap, brk,
 * the stack and its growth, mprotect making a private mapping writable,
 * mremap growing or duplicating one, fork copying them) and shared
 * anonymous memory without MAP_NORESERVE (its shmem object, until the
 * object goes).  Each charge is made by __vm_enough_memory, each release
 * by vm_unacct_memory where the VMA (or object) goes, so the total is at
 * every moment the sum vm_committed_check recomputes, and 0 once every
 * process has exited.  The counter is one atomic (Linux: a per-CPU
 * counter); the sysctls are plain words read without a lock, as Linux's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "kern/mm.h"
#include "kern/mman.h"
#include "kern/sched.h"
#include "kern/shmem_fs.h"
#include "kern/swap.h"
#include "vma_internal.h"

void vm_acct_memory(struct machine *m, long pages)
{
	atomic_fetch_add_explicit(&m->vm_committed_as, pages, memory_order_relaxed);
}

void vm_unacct_memory(struct machine *m, long pages)
{
	long old = atomic_fetch_sub_explicit(&m->vm_committed_as, pages, memory_order_relaxed);

	VM_BUG_ON_MSG(old < pages, "vm_unacct_memory: %ld pages released, %ld committed",
		      pages, old);
}

unsigned long vm_memory_committed(struct machine *m)
{
	long v = atomic_load_explicit(&m->vm_committed_as, memory_order_relaxed);

	return v > 0 ? (unsigned long)v : 0;
}

static unsigned long total_swap_pages_of(struct machine *m)
{
	return m->swap && m->swap->total_swap_pages > 0 ? (unsigned long)m->swap->total_swap_pages
							: 0;
}

/* CommitLimit: RAM by overcommit_kbytes or overcommit_ratio, plus swap (pages). */
unsigned long vm_commit_limit(struct machine *m)
{
	unsigned long allowed;

	if (m->sysctl_overcommit_kbytes)
		allowed = m->sysctl_overcommit_kbytes >> (PAGE_SHIFT - 10);
	else
		allowed = m->totalram_pages * (unsigned long)m->sysctl_overcommit_ratio / 100;
	return allowed + total_swap_pages_of(m);
}

int __vm_enough_memory(struct machine *m, struct mm_struct *mm, long pages)
{
	long allowed, reserve;

	vm_acct_memory(m, pages);
	switch (m->sysctl_overcommit_memory) {
	case OVERCOMMIT_ALWAYS:
		return 0;
	case OVERCOMMIT_GUESS:
		if ((unsigned long)pages > m->totalram_pages + total_swap_pages_of(m))
			break;
		return 0;
	default:
		allowed = (long)vm_commit_limit(m);
		/* no CAP_SYS_ADMIN: the administrator's reserve is not for us */
		allowed -= (long)(m->sysctl_admin_reserve_kbytes >> (PAGE_SHIFT - 10));
		if (mm) {
			reserve = (long)(m->sysctl_user_reserve_kbytes >> (PAGE_SHIFT - 10));
			allowed -= min((long)(mm->total_vm / 32), reserve);
		}
		if ((long)vm_memory_committed(m) < allowed)
			return 0;
		break;
	}
	vm_unacct_memory(m, pages);
	return -ENOMEM;
}

int vm_enough_memory(struct mm_struct *mm, unsigned long pages)
{
	return __vm_enough_memory(mm->machine, mm, (long)pages);
}

/*
 * init_user_reserve, init_admin_reserve: 3% of free memory at boot, at
 * most 128 MiB and 8 MiB (Linux's defaults, mm/util.c).
 */
void overcommit_init(struct machine *m)
{
	unsigned long free_kb = nr_free_pages(m) << (PAGE_SHIFT - 10);

	atomic_store(&m->vm_committed_as, 0);
	m->sysctl_overcommit_memory = m->cfg.overcommit_memory;
	m->sysctl_overcommit_ratio = m->cfg.overcommit_ratio;
	m->sysctl_overcommit_kbytes = m->cfg.overcommit_kbytes;
	m->sysctl_user_reserve_kbytes = min(free_kb / 32, 1UL << 17);
	m->sysctl_admin_reserve_kbytes = min(free_kb / 32, 1UL << 13);
}

/* Pages the VMAs of @mm have charged (VM_ACCOUNT). */
static unsigned long mm_accounted_pages(struct mm_struct *mm)
{
	unsigned long n = 0;

	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next)
		if (vma->vm_flags & VM_ACCOUNT)
			n += vma_pages(vma);
	return n;
}

/* Is @mm the mm of a task before @t in the task list (counted already)? */
static bool mm_seen_before(struct task_state *ts, struct task_struct *t, struct mm_struct *mm)
{
	struct task_struct *p;

	list_for_each_entry(p, &ts->task_list, tasks) {
		if (p == t)
			return false;
		if (p->mm == mm)
			return true;
	}
	return false;
}

/*
 * vm_committed_check - is Committed_AS the sum of what the live VMAs
 * (VM_ACCOUNT) and shmem objects charged?  For a quiescent machine (tests,
 * shutdown): the VMA lists are read without mmap_sem, which ranks above
 * tasklist_lock.
 */
bool vm_committed_check(struct machine *m, char *why, size_t whylen)
{
	struct task_state *ts = m->tasks;
	unsigned long sum = shmem_accounted_pages(m), committed;
	struct task_struct *t;

	if (ts) {
		spin_lock(&ts->tasklist_lock);
		list_for_each_entry(t, &ts->task_list, tasks)
			if (t->mm && !mm_seen_before(ts, t, t->mm))
				sum += mm_accounted_pages(t->mm);
		spin_unlock(&ts->tasklist_lock);
	}
	committed = vm_memory_committed(m);
	if (committed == sum)
		return true;
	snprintf(why, whylen, "Committed_AS %lu pages, the VMAs and shmem objects charge %lu",
		 committed, sum);
	return false;
}

/* --- the sysctls ------------------------------------------------------------------------ */

/*
 * overcommit_sysctl_write - /proc/sys/vm/@name = @value: 0, -ENOENT (no
 * such file) or -EINVAL (a value the handler refuses).  Writing
 * overcommit_ratio clears overcommit_kbytes and the reverse, as Linux's
 * handlers do.
 */
int overcommit_sysctl_write(struct machine *m, const char *name, unsigned long value)
{
	if (!strcmp(name, "overcommit_memory")) {
		if (value > OVERCOMMIT_NEVER)
			return -EINVAL;
		m->sysctl_overcommit_memory = (int)value;
	} else if (!strcmp(name, "overcommit_ratio")) {
		if (value > INT32_MAX)
			return -EINVAL;
		m->sysctl_overcommit_ratio = (int)value;
		m->sysctl_overcommit_kbytes = 0;
	} else if (!strcmp(name, "overcommit_kbytes")) {
		m->sysctl_overcommit_kbytes = value;
		m->sysctl_overcommit_ratio = 0;
	} else if (!strcmp(name, "admin_reserve_kbytes")) {
		m->sysctl_admin_reserve_kbytes = value;
	} else if (!strcmp(name, "user_reserve_kbytes")) {
		m->sysctl_user_reserve_kbytes = value;
	} else {
		return -ENOENT;
	}
	return 0;
}

/*
 * Helpers for the page-table, MMU, TLB and memory.c tests: a bare address
 * space (mm_struct with its pgd) and a bare task running on the test's
 * CPU, without the kernel/ task machinery, so these mechanisms are tested
 * on their own.  Header-only (static functions) for the tests that use it.
 */
#ifndef TESTS_MEMTEST_H
#define TESTS_MEMTEST_H

#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "kern/pgtable.h"
#include "kern/tlb.h"
#include "kern/mmu.h"
#include "kern/memory.h"
#include "kern/mman.h"
#include "kern/sched.h"

static const char *const memtest_formats[3] = { "i386", "pae", "x86_64" };

struct memtest {
	struct machine *m;
	struct mm_struct *mm;
	struct task_struct task;
	struct mm_struct *saved_mm;
};

/* Boot @opts, make a fresh address space and run a task on it on CPU 0. */
static inline void memtest_begin(struct memtest *t, const char *opts)
{
	struct mm_struct *mm;

	memset(t, 0, sizeof(*t));
	t->m = test_boot(opts);
	mm = calloc(1, sizeof(*mm));
	ASSERT_NOT_NULL(mm);
	mm->mm_rb = RB_ROOT;
	atomic_init(&mm->mm_users, 1);
	atomic_init(&mm->mm_count, 1);
	init_rwsem(&mm->mmap_sem);
	spin_lock_init(&mm->page_table_lock);
	INIT_LIST_HEAD(&mm->mmlist);
	mm->machine = t->m;
	ASSERT_EQ(mm_alloc_pgd(mm), 0);
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		t->task.rlim[i].rlim_cur = RLIM_INFINITY;
		t->task.rlim[i].rlim_max = RLIM_INFINITY;
	}
	t->task.rlim[RLIMIT_STACK].rlim_cur = 8UL << 20;
	t->task.pid = 4242;
	t->task.state = TASK_RUNNING;
	t->task.mm = mm;
	t->task.active_mm = mm;
	t->task.machine = t->m;
	mm->rlim = t->task.rlim;
	arch_pick_mmap_layout(mm);
	t->mm = mm;
	t->saved_mm = this_cpu()->active_mm;
	this_cpu()->curr = &t->task;
	switch_mm(this_cpu()->active_mm, mm, this_cpu());
}

/* Tear the address space down (as exit) and shut the machine down, checking accounting. */
static inline void memtest_end(struct memtest *t)
{
	struct mm_struct *mm = t->mm;

	switch_mm(mm, t->m->init_mm, this_cpu());
	this_cpu()->curr = NULL;
	exit_mmap(mm);
	ASSERT_EQ(atomic_load(&mm->nr_ptes), 0);
	ASSERT_EQ(get_mm_rss(mm), 0);
	mm_free_pgd(mm);
	fini_rwsem(&mm->mmap_sem);
	free(mm);
	test_shutdown(t->m);
}

/* mmap in the test's mm; asserts success. */
static inline unsigned long memtest_mmap(struct memtest *t, unsigned long addr, unsigned long len,
					 unsigned long prot, unsigned long flags)
{
	unsigned long a = do_mmap(t->mm, addr, len, prot, flags, NULL, 0);

	ASSERT_MSG(!IS_ERR_VALUE(a), "do_mmap(%#lx, %#lx) failed: %ld", addr, len, (long)a);
	return a;
}

/* The PTE value mapping @addr in the test's mm (0 if none). */
static inline uint64_t memtest_pte(struct memtest *t, unsigned long addr)
{
	ptep_t p = pgt_walk(t->mm, addr);
	uint64_t v;

	if (!p.p)
		return 0;
	v = pte_val(ptep_get(p));
	pte_unmap(p);
	return v;
}

static inline unsigned long ev(struct machine *m, enum vm_event_item item)
{
	return sum_vm_event(m, item);
}

#endif

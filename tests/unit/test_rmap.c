/*
 * The reverse map of the victim-naming policies (mm/rmap.c): its chains
 * follow every PTE (fault, fork, mremap's move, COW, unmap, exit), and
 * try_to_unmap takes one page out of every process that maps it, each
 * process then faulting it back with its bytes.
 */
#include "swaptest.h"
#include "kern/rmap.h"
#include "kern/vmscan.h"
#include "kern/memory.h"

#define SHARED_ANON	(VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS)

static struct mm_struct *mm_of(struct machine *m, int pid)
{
	struct task_struct *t = find_get_task(m, pid);
	struct mm_struct *mm;

	ASSERT_NOT_NULL(t);
	mm = t->mm;
	put_task_struct(t);
	return mm;
}

/* Unmap the page @pid maps at @addr everywhere (an anonymous one goes to the swap cache). */
static struct page *unmap_everywhere(struct machine *m, int pid, unsigned long addr, int maps)
{
	struct page *page = follow_page(mm_of(m, pid), addr, 0);

	ASSERT_NOT_NULL(page);
	ASSERT_EQ(page_mapcount(page), maps);
	get_page(page);
	if (PageAnon(page)) {
		lock_page(page);
		ASSERT_EQ(add_to_swap(page, GFP_ATOMIC), 0);
		unlock_page(page);
	}
	ASSERT(try_to_unmap(m, page));
	ASSERT_EQ(page_mapcount(page), 0);
	ASSERT(rmap_is_valid(m));
	put_page(page);
	return page;
}

TEST(rmap_try_to_unmap_after_fork_and_mremap)
{
	struct machine *m = test_boot("ram=32M swap=64M reclaim=fifo");
	int a = vmsim_spawn(m), b;
	long x = vmsim_mmap(m, a, 0, 16 * PAGE_SIZE, RW, ANON, -1, 0);
	long s = vmsim_mmap(m, a, 0, 4 * PAGE_SIZE, RW, SHARED_ANON, -1, 0);
	long moved;
	unsigned long faults;

	ASSERT(x > 0 && s > 0);
	pattern_write(m, a, (unsigned long)x, 16, 7);
	pattern_write(m, a, (unsigned long)s, 4, 8);
	b = vmsim_fork(m, a);
	ASSERT_CMP(b, >, 0);
	ASSERT_EQ(pattern_check(m, b, (unsigned long)s, 4, 8), 0);	/* maps the shared pages */
	ASSERT(rmap_is_valid(m));
	/* the child moves the first 8 private pages: their PTEs change address */
	moved = vmsim_mremap(m, b, (unsigned long)x, 8 * PAGE_SIZE, 64 * PAGE_SIZE,
			     VMSIM_MREMAP_MAYMOVE, 0);
	ASSERT_CMP(moved, >, 0);
	ASSERT(moved != x);
	ASSERT(rmap_is_valid(m));
	vmsim_cpu_attach(m, 0);

	/* a private page shared with the child at another address, a shmem page, and a COW'd one */
	unmap_everywhere(m, a, (unsigned long)x + 3 * PAGE_SIZE, 2);
	unmap_everywhere(m, a, (unsigned long)s + PAGE_SIZE, 2);
	pattern_write(m, b, (unsigned long)x + 12 * PAGE_SIZE, 1, 9);	/* child's copy */
	ASSERT(rmap_is_valid(m));
	unmap_everywhere(m, a, (unsigned long)x + 12 * PAGE_SIZE, 1);

	/* each process faults back (its TLB entry went too) and reads its bytes */
	faults = sum_vm_event(m, PGFAULT);
	ASSERT_EQ(pattern_check(m, a, (unsigned long)x, 16, 7), 0);
	ASSERT_EQ(pattern_check(m, b, (unsigned long)moved, 8, 7), 0);
	ASSERT_EQ(pattern_check(m, a, (unsigned long)s, 4, 8), 0);
	ASSERT_EQ(pattern_check(m, b, (unsigned long)s, 4, 8), 0);
	ASSERT_EQ(pattern_check(m, b, (unsigned long)x + 12 * PAGE_SIZE, 1, 9), 0);
	ASSERT_EQ(sum_vm_event(m, PGFAULT), faults + 5);
	ASSERT(rmap_is_valid(m));
	vmsim_cpu_attach(m, 0);
	ASSERT(lru_is_valid(m));
	ASSERT_EQ(vmsim_exit(m, b), 0);
	ASSERT(rmap_is_valid(m));
	ASSERT_EQ(vmsim_exit(m, a), 0);
	swap_all_free(m);
	test_shutdown(m);
}

/* The 2.4 designs keep no chains: their page-table scan finds the PTEs. */
TEST(rmap_only_for_victim_policies)
{
	struct machine *m = test_boot("ram=16M");

	ASSERT(m->rmap == NULL);
	test_shutdown(m);
	m = test_boot("ram=16M reclaim=lru");
	ASSERT(m->rmap != NULL);
	test_shutdown(m);
}

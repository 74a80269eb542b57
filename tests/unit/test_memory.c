/*
 * mm/memory.c: demand zero and the ZERO_PAGE, copy-on-write through
 * copy_page_range (each side sees its own writes; reuse of the last
 * user's page), stack growth and the guard gap, SIGSEGV/SIGBUS paths,
 * nopage mappings, zeromap/remap_page_range, change_protection,
 * move_page_tables, make_pages_present, free_pgtables.  Per format where
 * the format matters; every test ends with exact accounting.
 */
#include "memtest.h"

static char opts_buf[128];

static const char *fmt_opts(int i)
{
	snprintf(opts_buf, sizeof(opts_buf), "ram=64M paging=%s", memtest_formats[i]);
	return opts_buf;
}

#define RW	(PROT_READ | PROT_WRITE)
#define ANON	(MAP_PRIVATE | MAP_ANONYMOUS)

static void clear_signal(struct task_struct *tk)
{
	tk->pending_signal = 0;
	tk->pending_si_code = 0;
	tk->pending_si_addr = 0;
}

TEST(memory_demand_zero_and_zero_page)
{
	for (int i = 0; i < 3; i++) {
		struct memtest t;
		unsigned long a, zero, anon, nr_anon;
		struct page *page;
		uint64_t v = 1;

		memtest_begin(&t, fmt_opts(i));
		a = memtest_mmap(&t, 0, 4 * PAGE_SIZE, RW, ANON);
		zero = ev(t.m, PGFAULT_ZERO);
		anon = ev(t.m, PGFAULT_ANON);
		nr_anon = global_page_state(t.m, NR_ANON_PAGES);

		ASSERT_EQ(mmu_user_load64(a, &v), 0);
		ASSERT_EQ(v, 0);
		ASSERT(follow_page(t.mm, a, 0) == t.m->zero_page);
		ASSERT_NULL(follow_page(t.mm, a, 1));
		ASSERT(!(memtest_pte(&t, a) & _PAGE_RW));
		ASSERT_EQ(ev(t.m, PGFAULT_ZERO), zero + 1);
		ASSERT_EQ(get_mm_rss(t.mm), 0);

		/* a first write: a private zeroed page, writable and dirty */
		ASSERT_EQ(mmu_user_store64(a + PAGE_SIZE + 8, 0x1234), 0);
		ASSERT_EQ(ev(t.m, PGFAULT_ANON), anon + 1);
		page = follow_page(t.mm, a + PAGE_SIZE, 1);
		ASSERT_NOT_NULL(page);
		ASSERT(PageAnon(page) && PageLRU(page));
		ASSERT_EQ(page_count(page), 1);
		ASSERT_EQ(page_mapcount(page), 1);
		ASSERT_EQ(atomic_load(&t.mm->rss_anon), 1);
		ASSERT_EQ(global_page_state(t.m, NR_ANON_PAGES), nr_anon + 1);
		ASSERT_EQ(mmu_user_load64(a + PAGE_SIZE, &v), 0);
		ASSERT_EQ(v, 0);

		/* writing the zero-page-mapped page replaces it with a private one */
		ASSERT_EQ(mmu_user_store64(a, 5), 0);
		ASSERT(follow_page(t.mm, a, 1) != t.m->zero_page);
		ASSERT_EQ(atomic_load(&t.mm->rss_anon), 2);
		ASSERT_EQ(page_count(t.m->zero_page), 1);

		ASSERT_EQ(do_munmap(t.mm, a, 4 * PAGE_SIZE), 0);
		ASSERT_EQ(get_mm_rss(t.mm), 0);
		ASSERT_EQ(global_page_state(t.m, NR_ANON_PAGES), nr_anon);
		ASSERT_EQ(atomic_load(&t.mm->nr_ptes), 0);
		memtest_end(&t);
	}
}

/* A second address space, as fork makes it: VMAs duplicated, PTEs copied. */
static struct mm_struct *fork_mm(struct memtest *t)
{
	struct mm_struct *child = calloc(1, sizeof(*child));
	struct vm_area_struct *vma;

	ASSERT_NOT_NULL(child);
	child->mm_rb = RB_ROOT;
	atomic_init(&child->mm_users, 1);
	atomic_init(&child->mm_count, 1);
	init_rwsem(&child->mmap_sem);
	spin_lock_init(&child->page_table_lock);
	INIT_LIST_HEAD(&child->mmlist);
	child->machine = t->m;
	child->rlim = t->task.rlim;
	ASSERT_EQ(mm_alloc_pgd(child), 0);
	arch_pick_mmap_layout(child);
	for (vma = t->mm->mmap; vma; vma = vma->vm_next) {
		struct vm_area_struct *n = vm_area_dup(vma);

		ASSERT_NOT_NULL(n);
		n->vm_mm = child;
		if (vma->vm_flags & VM_ACCOUNT)		/* as dup_mmap charges the copy */
			vm_acct_memory(t->m, (long)((vma->vm_end - vma->vm_start) >> PAGE_SHIFT));
		insert_vm_struct(child, n);
		child->total_vm += (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
		ASSERT_EQ(copy_page_range(child, t->mm, vma), 0);
	}
	flush_tlb_mm(t->mm);
	return child;
}

static void run_as(struct memtest *t, struct task_struct *tk, struct mm_struct *mm)
{
	switch_mm(this_cpu()->active_mm, mm, this_cpu());
	this_cpu()->curr = tk;
	(void)t;
}

static void drop_mm(struct memtest *t, struct mm_struct *mm)
{
	if (this_cpu()->active_mm == mm)
		switch_mm(mm, t->m->init_mm, this_cpu());
	exit_mmap(mm);
	ASSERT_EQ(get_mm_rss(mm), 0);
	mm_free_pgd(mm);
	fini_rwsem(&mm->mmap_sem);
	free(mm);
}

TEST(memory_cow_through_copy_page_range)
{
	for (int i = 0; i < 3; i++) {
		struct memtest t;
		struct task_struct child_task;
		struct mm_struct *child;
		struct page *page;
		unsigned long a, s, cow, reuse;
		uint64_t v;

		memtest_begin(&t, fmt_opts(i));
		a = memtest_mmap(&t, 0, 8 * PAGE_SIZE, RW, ANON);
		s = memtest_mmap(&t, 0, PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS);
		for (int j = 0; j < 8; j++)
			ASSERT_EQ(mmu_user_store64(a + j * PAGE_SIZE, 100 + j), 0);
		ASSERT_EQ(mmu_user_store64(s, 7), 0);
		page = follow_page(t.mm, a, 0);

		child = fork_mm(&t);
		child_task = t.task;
		child_task.pid = 4300;
		child_task.mm = child;
		child_task.min_flt = 0;
		/* private pages: shared read-only by both; shared pages: shared writable */
		ASSERT(!(memtest_pte(&t, a) & _PAGE_RW));
		ASSERT(memtest_pte(&t, s) & _PAGE_RW);
		ASSERT_EQ(page_count(page), 2);
		ASSERT_EQ(page_mapcount(page), 2);
		/*
		 * 8 private pages; the shared mapping has no anon_vma, so its PTE is
		 * not copied (Linux's vma_needs_copy): the child faults it in again
		 */
		ASSERT_EQ(atomic_load(&child->rss_anon), 8);
		ASSERT_EQ(atomic_load(&child->rss_shmem), 0);
		ASSERT_EQ(pgt_count_tables(child), (unsigned long)atomic_load(&child->nr_ptes));

		cow = ev(t.m, PGFAULT_COW);
		reuse = ev(t.m, PGFAULT_COW_REUSE);
		/* the parent writes: it gets a copy */
		ASSERT_EQ(mmu_user_store64(a, 200), 0);
		ASSERT_EQ(ev(t.m, PGFAULT_COW), cow + 1);
		ASSERT_EQ(page_count(page), 1);
		ASSERT_EQ(page_mapcount(page), 1);
		/* the child still sees the old bytes; its write reuses the page */
		run_as(&t, &child_task, child);
		ASSERT_EQ(mmu_user_load64(a, &v), 0);
		ASSERT_EQ(v, 100);
		ASSERT_EQ(mmu_user_store64(a, 300), 0);
		ASSERT_EQ(ev(t.m, PGFAULT_COW_REUSE), reuse + 1);
		ASSERT(follow_page(child, a, 1) == page);
		/* shared memory is shared both ways */
		ASSERT_EQ(mmu_user_store64(s, 8), 0);
		ASSERT_EQ(mmu_user_load64(a + 5 * PAGE_SIZE, &v), 0);
		ASSERT_EQ(v, 105);
		run_as(&t, &t.task, t.mm);
		ASSERT_EQ(mmu_user_load64(s, &v), 0);
		ASSERT_EQ(v, 8);
		ASSERT_EQ(mmu_user_load64(a, &v), 0);
		ASSERT_EQ(v, 200);
		ASSERT_EQ(mmu_user_store64(a + 5 * PAGE_SIZE, 201), 0);
		run_as(&t, &child_task, child);
		ASSERT_EQ(mmu_user_load64(a + 5 * PAGE_SIZE, &v), 0);
		ASSERT_EQ(v, 105);
		run_as(&t, &t.task, t.mm);

		drop_mm(&t, child);
		/* the parent's pages are its own again */
		for (int j = 1; j < 8; j++) {
			struct page *p = follow_page(t.mm, a + j * PAGE_SIZE, 0);

			ASSERT_EQ(page_count(p), 1);
			ASSERT_EQ(page_mapcount(p), 1);
		}
		memtest_end(&t);
	}
}

TEST(memory_stack_growth_and_guard_gap)
{
	for (int i = 0; i < 3; i++) {
		struct memtest t;
		struct vm_area_struct *stack;
		unsigned long start, grow;
		uint64_t v;

		memtest_begin(&t, fmt_opts(i));
		ASSERT_EQ(setup_arg_pages(t.mm, 4 * PAGE_SIZE), 0);
		stack = find_vma(t.mm, t.mm->start_stack - 1);
		ASSERT_NOT_NULL(stack);
		ASSERT(stack->vm_flags & VM_GROWSDOWN);
		start = stack->vm_start;
		grow = ev(t.m, PGFAULT_STACK_GROW);

		/* touching below the stack grows it */
		ASSERT_EQ(mmu_user_store64(start - 3 * PAGE_SIZE + 16, 42), 0);
		ASSERT_EQ(ev(t.m, PGFAULT_STACK_GROW), grow + 1);
		ASSERT_EQ(stack->vm_start, start - 3 * PAGE_SIZE);
		ASSERT_EQ(mmu_user_load64(start - 3 * PAGE_SIZE + 16, &v), 0);
		ASSERT_EQ(v, 42);

		/* beyond RLIMIT_STACK (8 MiB): SIGSEGV, nothing grows */
		ASSERT_EQ(mmu_user_load64(t.mm->start_stack - (9UL << 20), &v), -EFAULT);
		ASSERT_EQ(t.task.pending_signal, SIGSEGV);
		ASSERT_EQ(t.task.pending_si_code, SEGV_MAPERR);
		clear_signal(&t.task);
		ASSERT_EQ(stack->vm_start, start - 3 * PAGE_SIZE);

		/* a mapping below the stack: growth must keep 256 pages from it */
		{
			unsigned long low = stack->vm_start - (300UL << PAGE_SHIFT);
			unsigned long got = do_mmap(t.mm, low - PAGE_SIZE, PAGE_SIZE, RW,
						   ANON | MAP_FIXED, NULL, 0);

			ASSERT_EQ(got, low - PAGE_SIZE);
			/* 300 pages down: inside the gap (less than 256 pages above low) */
			ASSERT_EQ(mmu_user_store64(low + 10 * PAGE_SIZE, 1), -EFAULT);
			ASSERT_EQ(t.task.pending_signal, SIGSEGV);
			clear_signal(&t.task);
			/* just outside the gap: fine */
			ASSERT_EQ(mmu_user_store64(low + STACK_GUARD_GAP, 1), 0);
			ASSERT_EQ(stack->vm_start, low + STACK_GUARD_GAP);
		}
		memtest_end(&t);
	}
}

TEST(memory_sigsegv_accerr_and_mprotect)
{
	struct memtest t;
	unsigned long ro, a;
	uint64_t v;

	memtest_begin(&t, "ram=64M paging=pae");
	ro = memtest_mmap(&t, 0, PAGE_SIZE, PROT_READ, ANON);
	ASSERT_EQ(mmu_user_store64(ro, 1), -EFAULT);
	ASSERT_EQ(t.task.pending_signal, SIGSEGV);
	ASSERT_EQ(t.task.pending_si_code, SEGV_ACCERR);
	ASSERT_EQ(t.task.pending_si_addr, ro);
	clear_signal(&t.task);

	/* change_protection: PROT_NONE keeps the page, later access is refused */
	a = memtest_mmap(&t, 0, 2 * PAGE_SIZE, RW, ANON);
	ASSERT_EQ(mmu_user_store64(a, 0xfeed), 0);
	ASSERT_EQ(do_mprotect(t.mm, a, 2 * PAGE_SIZE, PROT_NONE), 0);
	ASSERT(pte_protnone(__pte(memtest_pte(&t, a))));
	ASSERT_EQ(atomic_load(&t.mm->rss_anon), 1);
	ASSERT_EQ(mmu_user_load64(a, &v), -EFAULT);
	ASSERT_EQ(t.task.pending_si_code, SEGV_ACCERR);
	clear_signal(&t.task);
	ASSERT_EQ(do_mprotect(t.mm, a, 2 * PAGE_SIZE, PROT_READ), 0);
	ASSERT_EQ(mmu_user_load64(a, &v), 0);
	ASSERT_EQ(v, 0xfeed);
	ASSERT_EQ(mmu_user_store64(a, 2), -EFAULT);
	clear_signal(&t.task);
	ASSERT_EQ(do_mprotect(t.mm, a, 2 * PAGE_SIZE, RW), 0);
	/* the page is ours alone: the write reuses it in place */
	ASSERT_EQ(mmu_user_store64(a, 3), 0);
	ASSERT_EQ(mmu_user_load64(a, &v), 0);
	ASSERT_EQ(v, 3);
	ASSERT_EQ(atomic_load(&t.mm->rss_anon), 1);
	memtest_end(&t);
}

/* --- nopage mappings ---------------------------------------------------------- */

struct nopage_backing {
	struct page *page;	/* the "file" page; NULL: SIGBUS */
};

static struct page *test_nopage(struct vm_area_struct *vma, unsigned long address, int *type)
{
	struct nopage_backing *b = vma->vm_private_data;

	(void)address;
	(void)type;
	if (!b->page)
		return NULL;
	get_page(b->page);
	return b->page;
}

static const struct vm_operations_struct test_vm_ops = {
	.nopage = test_nopage,
	.name = "[test]",
};

TEST(memory_nopage_and_sigbus)
{
	struct memtest t;
	struct nopage_backing none = { NULL }, file;
	struct vm_area_struct *vma;
	unsigned long a, b;
	uint64_t v;

	memtest_begin(&t, "ram=64M paging=x86_64");
	file.page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	((uint64_t *)page_address(file.page))[1] = 0xf11e;

	a = memtest_mmap(&t, 0, PAGE_SIZE, RW, ANON);
	vma = find_vma(t.mm, a);
	vma->vm_ops = &test_vm_ops;
	vma->vm_private_data = &none;
	ASSERT_EQ(mmu_user_load64(a, &v), -EFAULT);
	ASSERT_EQ(t.task.pending_signal, SIGBUS);
	ASSERT_EQ(t.task.pending_si_code, BUS_ADRERR);
	clear_signal(&t.task);

	b = memtest_mmap(&t, 0, 2 * PAGE_SIZE, RW, ANON);
	vma = find_vma(t.mm, b);
	vma->vm_ops = &test_vm_ops;
	vma->vm_private_data = &file;
	/* read: the backing page itself, mapped read-only (private) */
	ASSERT_EQ(mmu_user_load64(b + 8, &v), 0);
	ASSERT_EQ(v, 0xf11e);
	ASSERT(follow_page(t.mm, b, 0) == file.page);
	ASSERT_EQ(atomic_load(&t.mm->rss_file), 1);
	ASSERT_EQ(page_count(file.page), 2);
	/* write: a private copy replaces it (COW), the backing page is untouched */
	ASSERT_EQ(mmu_user_store64(b + 8, 1), 0);
	ASSERT_EQ(((uint64_t *)page_address(file.page))[1], 0xf11e);
	ASSERT_EQ(atomic_load(&t.mm->rss_file), 0);
	ASSERT_EQ(atomic_load(&t.mm->rss_anon), 1);
	ASSERT_EQ(page_count(file.page), 1);
	/* a write fault on an untouched page copies at once */
	ASSERT_EQ(mmu_user_store64(b + PAGE_SIZE, 2), 0);
	ASSERT_EQ(mmu_user_load64(b + PAGE_SIZE + 8, &v), 0);
	ASSERT_EQ(v, 0xf11e);
	ASSERT_EQ(page_count(file.page), 1);
	ASSERT_EQ(atomic_load(&t.mm->rss_anon), 2);
	ASSERT_EQ(do_munmap(t.mm, a, PAGE_SIZE), 0);
	ASSERT_EQ(do_munmap(t.mm, b, 2 * PAGE_SIZE), 0);
	__free_page(file.page);
	memtest_end(&t);
}

TEST(memory_zeromap_and_remap)
{
	for (int i = 0; i < 3; i++) {
		struct memtest t;
		struct vm_area_struct *vma;
		struct page *frames;
		unsigned long a;
		uint64_t v;

		memtest_begin(&t, fmt_opts(i));
		a = memtest_mmap(&t, 0, 4 * PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS);
		for (int j = 0; j < 4; j++)
			ASSERT_EQ(mmu_user_store64(a + j * PAGE_SIZE, 9), 0);
		vma = find_vma(t.mm, a);
		ASSERT_EQ(zeromap_page_range(vma, a, 2 * PAGE_SIZE, vma->vm_page_prot), 0);
		ASSERT_EQ(mmu_user_load64(a, &v), 0);
		ASSERT_EQ(v, 0);
		ASSERT(follow_page(t.mm, a + PAGE_SIZE, 0) == t.m->zero_page);
		ASSERT_EQ(mmu_user_load64(a + 2 * PAGE_SIZE, &v), 0);
		ASSERT_EQ(v, 9);
		ASSERT_EQ(zeromap_page_range(vma, a + 1, PAGE_SIZE, vma->vm_page_prot), -EINVAL);
		ASSERT_EQ(do_munmap(t.mm, a, 4 * PAGE_SIZE), 0);

		/* remap_page_range: raw frames, no references taken or dropped */
		frames = alloc_pages(GFP_KERNEL | __GFP_ZERO, 1);
		memcpy((uint8_t *)page_address(frames) + PAGE_SIZE, "remapped", 8);
		a = memtest_mmap(&t, 0, 2 * PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS);
		vma = find_vma(t.mm, a);
		ASSERT_EQ(remap_page_range(vma, a, page_to_phys(frames), 2 * PAGE_SIZE,
					   vma->vm_page_prot), 0);
		ASSERT(vma->vm_flags & VM_PFNMAP);
		{
			char buf[8];

			ASSERT_EQ(copy_from_user(buf, a + PAGE_SIZE, 8), 0);
			ASSERT_MEMEQ(buf, "remapped", 8);
		}
		ASSERT_EQ(mmu_user_store64(a, 5), 0);
		ASSERT_EQ(((uint64_t *)page_address(frames))[0], 5);
		ASSERT_EQ(page_count(frames), 1);
		ASSERT_EQ(remap_page_range(vma, a, t.m->ram_size, PAGE_SIZE, vma->vm_page_prot),
			  -EINVAL);
		ASSERT_EQ(do_munmap(t.mm, a, 2 * PAGE_SIZE), 0);
		ASSERT_EQ(page_count(frames), 1);
		__free_pages(frames, 1);
		memtest_end(&t);
	}
}

TEST(memory_mremap_moves_page_tables)
{
	for (int i = 0; i < 3; i++) {
		struct memtest t;
		unsigned long a, n;
		uint64_t v;

		memtest_begin(&t, fmt_opts(i));
		a = memtest_mmap(&t, 0, 16 * PAGE_SIZE, RW, ANON);
		for (int j = 0; j < 16; j += 3)
			ASSERT_EQ(mmu_user_store64(a + j * PAGE_SIZE + 24, 1000 + j), 0);
		/* block growth in place, so the area must move */
		memtest_mmap(&t, a + 16 * PAGE_SIZE, PAGE_SIZE, PROT_READ, ANON | MAP_FIXED);
		n = do_mremap(t.mm, a, 16 * PAGE_SIZE, 1024 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
		ASSERT(!IS_ERR_VALUE(n));
		ASSERT_NE(n, a);
		ASSERT_EQ(atomic_load(&t.mm->rss_anon), 6);
		for (int j = 0; j < 16; j++) {
			ASSERT_EQ(mmu_user_load64(n + j * PAGE_SIZE + 24, &v), 0);
			ASSERT_EQ(v, j % 3 ? 0 : 1000 + j);
		}
		ASSERT_EQ(memtest_pte(&t, a), 0);
		ASSERT(pgtables_are_valid(t.mm));
		memtest_end(&t);
	}
}

TEST(memory_populate_and_free_pgtables)
{
	for (int i = 0; i < 3; i++) {
		struct memtest t;
		unsigned long a, b, flt;
		long tables;
		uint64_t v;

		memtest_begin(&t, fmt_opts(i));
		a = memtest_mmap(&t, 0, 32 * PAGE_SIZE, RW, ANON | MAP_POPULATE);
		ASSERT_EQ(atomic_load(&t.mm->rss_anon), 32);
		flt = ev(t.m, PGFAULT);
		for (int j = 0; j < 32; j++)
			ASSERT_EQ(mmu_user_store64(a + j * PAGE_SIZE, j), 0);
		ASSERT_EQ(ev(t.m, PGFAULT), flt);
		/* a second area 1 GiB away needs its own tables */
		tables = atomic_load(&t.mm->nr_ptes);
		b = a >= (2UL << 30) ? a - (1UL << 30) : a + (1UL << 30);
		b = memtest_mmap(&t, b & ~((1UL << 30) - 1), PAGE_SIZE, RW, ANON | MAP_FIXED);
		ASSERT_EQ(mmu_user_store64(b, 1), 0);
		ASSERT(atomic_load(&t.mm->nr_ptes) > tables);
		ASSERT_EQ(do_munmap(t.mm, b, PAGE_SIZE), 0);
		ASSERT_EQ(atomic_load(&t.mm->nr_ptes), tables);
		ASSERT(pgtables_are_valid(t.mm));
		ASSERT_EQ(mmu_user_load64(a + 31 * PAGE_SIZE, &v), 0);
		ASSERT_EQ(v, 31);
		memtest_end(&t);
	}
}

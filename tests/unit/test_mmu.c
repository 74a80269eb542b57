/*
 * The software MMU (hw/mmu.c): Accessed and Dirty set in the entries
 * in RAM, x86 error codes of every failed walk, NX, 32-bit address limits,
 * and faults resolved then retried.  Each test runs on the three formats.
 */
#include "memtest.h"

static char opts_buf[128];

static const char *fmt_opts(int i)
{
	snprintf(opts_buf, sizeof(opts_buf), "ram=64M paging=%s", memtest_formats[i]);
	return opts_buf;
}

/* Map @page at @addr by hand with @prot (Accessed and Dirty clear). */
static void map_by_hand(struct memtest *t, unsigned long addr, struct page *page, pgprot_t prot)
{
	pmdp_t pmd;
	ptep_t pte;

	spin_lock(&t->mm->page_table_lock);
	pmd = pmd_alloc(t->mm, pud_alloc(t->mm, pgd_offset(t->mm, addr), addr), addr);
	ASSERT_NOT_NULL(pmd.p);
	pte = pte_alloc(t->mm, pmd, addr);
	ASSERT_NOT_NULL(pte.p);
	set_pte(pte, pte_mkold(pte_mkclean(mk_pte(page, prot))));
	pte_unmap(pte);
	spin_unlock(&t->mm->page_table_lock);
}

static void unmap_by_hand(struct memtest *t, unsigned long addr)
{
	ptep_t pte = pgt_walk(t->mm, addr);

	ASSERT_NOT_NULL(pte.p);
	pte_clear(pte);
	pte_unmap(pte);
	flush_tlb_mm(t->mm);
	free_pgd_range_all(t->mm);
}

TEST(mmu_sets_accessed_and_dirty)
{
	for (int i = 0; i < 3; i++) {
		struct memtest t;
		struct page *page;
		struct mmu_walk_result r;
		unsigned long addr = 0x10000000UL;
		uint64_t v;

		memtest_begin(&t, fmt_opts(i));
		page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		map_by_hand(&t, addr, page, PAGE_SHARED);
		v = memtest_pte(&t, addr);
		ASSERT(!(v & _PAGE_ACCESSED) && !(v & _PAGE_DIRTY));

		ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, addr + 8, MMU_READ, true, &r), 0);
		ASSERT_EQ(r.phys, page_to_phys(page) + 8);
		v = memtest_pte(&t, addr);
		ASSERT(v & _PAGE_ACCESSED);
		ASSERT(!(v & _PAGE_DIRTY));
		/* the upper levels were marked accessed too (not PAE's PDPT) */
		{
			pmdp_t pmd = pmd_offset(pud_offset(pgd_offset(t.mm, addr), addr), addr);

			ASSERT(pmd_val(pmdp_get(pmd)) & _PAGE_ACCESSED);
		}
		/* a store through the MMU (TLB miss, walk) sets Dirty */
		ASSERT_EQ(mmu_user_store64(addr + 16, 0xabcdef), 0);
		v = memtest_pte(&t, addr);
		ASSERT(v & _PAGE_DIRTY);
		ASSERT_EQ(((uint64_t *)page_address(page))[2], 0xabcdef);

		/* clear Dirty in RAM + invlpg: the next store sets it again */
		{
			ptep_t p = pgt_walk(t.mm, addr);

			ASSERT(ptep_test_and_clear_dirty(p));
			pte_unmap(p);
			flush_tlb_mm(t.mm);
		}
		ASSERT(!(memtest_pte(&t, addr) & _PAGE_DIRTY));
		ASSERT_EQ(mmu_user_store64(addr + 16, 1), 0);
		ASSERT(memtest_pte(&t, addr) & _PAGE_DIRTY);

		unmap_by_hand(&t, addr);
		__free_page(page);
		memtest_end(&t);
	}
}

TEST(mmu_error_codes)
{
	for (int i = 0; i < 3; i++) {
		struct memtest t;
		struct page *page;
		struct mmu_walk_result r;
		unsigned long ro = 0x10000000UL, kern = 0x10001000UL, hole = 0x20000000UL;
		uint64_t before;

		memtest_begin(&t, fmt_opts(i));
		page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		map_by_hand(&t, ro, page, PAGE_READONLY);
		map_by_hand(&t, kern, page, PAGE_KERNEL);

		ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, hole, MMU_READ, true, &r), MMU_FAULT | PF_USER);
		ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, hole, MMU_WRITE, true, &r),
			  MMU_FAULT | PF_USER | PF_WRITE);
		ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, hole, MMU_READ, false, &r), MMU_FAULT);
		ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, ro, MMU_READ, true, &r), 0);
		ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, ro, MMU_WRITE, true, &r),
			  MMU_FAULT | PF_PROT | PF_WRITE | PF_USER);
		/* CR0.WP: the kernel cannot write a read-only page either */
		ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, ro, MMU_WRITE, false, &r),
			  MMU_FAULT | PF_PROT | PF_WRITE);
		ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, kern, MMU_READ, true, &r),
			  MMU_FAULT | PF_PROT | PF_USER);
		ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, kern, MMU_WRITE, false, &r), 0);
		/* NX: PAGE_READONLY is no-exec where the format has the bit */
		if (pgt_fmt(t.m)->wide)
			ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, ro, MMU_FETCH, true, &r),
				  MMU_FAULT | PF_PROT | PF_INSTR | PF_USER);
		else
			ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, ro, MMU_FETCH, true, &r), 0);
		/* beyond a 32-bit address space, or non-canonical */
		hole = pgt_fmt(t.m)->va_bits == 32 ? 0x100000000UL + ro : 0x0000900000000000UL;
		ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, hole, MMU_READ, true, &r), MMU_FAULT | PF_USER);

		/* the same faults from a task: no VMA covers them, so SIGSEGV MAPERR */
		before = ev(t.m, PGFAULT_SIGSEGV);
		{
			uint64_t v;

			ASSERT_EQ(mmu_user_load64(0x30000000UL, &v), -EFAULT);
		}
		ASSERT_EQ(t.task.pending_signal, SIGSEGV);
		ASSERT_EQ(t.task.pending_si_code, SEGV_MAPERR);
		ASSERT_EQ(t.task.pending_si_addr, 0x30000000UL);
		ASSERT_EQ(ev(t.m, PGFAULT_SIGSEGV), before + 1);
		t.task.pending_signal = 0;

		{
			ptep_t p = pgt_walk(t.mm, kern);

			pte_clear(p);
			pte_unmap(p);
		}
		unmap_by_hand(&t, ro);
		ASSERT(pgt_walk(t.mm, kern).p == NULL);
		__free_page(page);
		memtest_end(&t);
	}
}

TEST(mmu_fault_then_retry)
{
	for (int i = 0; i < 3; i++) {
		struct memtest t;
		unsigned long a;
		uint64_t v = 1, flt;
		char buf[64];

		memtest_begin(&t, fmt_opts(i));
		a = memtest_mmap(&t, 0, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS);
		flt = ev(t.m, PGFAULT);
		/* read: zero page, then the write faults again (COW of the zero page) */
		ASSERT_EQ(mmu_user_load64(a + 4 * PAGE_SIZE, &v), 0);
		ASSERT_EQ(v, 0);
		ASSERT_EQ(mmu_user_store64(a + 4 * PAGE_SIZE, 0x5555), 0);
		ASSERT_EQ(mmu_user_load64(a + 4 * PAGE_SIZE, &v), 0);
		ASSERT_EQ(v, 0x5555);
		ASSERT_EQ(ev(t.m, PGFAULT), flt + 2);
		ASSERT_EQ(t.task.min_flt, 2);
		/* a copy across a page boundary faults each page in */
		memset(buf, 'x', sizeof(buf));
		ASSERT_EQ(copy_to_user(a + 2 * PAGE_SIZE - 32, buf, sizeof(buf)), 0);
		memset(buf, 0, sizeof(buf));
		ASSERT_EQ(copy_from_user(buf, a + 2 * PAGE_SIZE - 32, sizeof(buf)), 0);
		for (unsigned int j = 0; j < sizeof(buf); j++)
			ASSERT_EQ(buf[j], 'x');
		ASSERT_EQ(atomic_load(&t.mm->rss_anon), 3);
		/* unaligned 8-byte access goes the bulk way */
		ASSERT_EQ(mmu_user_store64(a + 3, 0x0102030405060708ULL), 0);
		ASSERT_EQ(mmu_user_load64(a + 3, &v), 0);
		ASSERT_EQ(v, 0x0102030405060708ULL);
		/* a kernel copy running off the end of the mapping stops there, no signal */
		ASSERT_EQ(copy_to_user(a + 16 * PAGE_SIZE - 8, buf, 24), 16);
		ASSERT_EQ(t.task.pending_signal, 0);
		/* the process's own stores do the same bytes, then take SIGSEGV */
		ASSERT_EQ(mmu_user_write(a + 16 * PAGE_SIZE - 8, buf, 24), -EFAULT);
		ASSERT_EQ(t.task.pending_signal, SIGSEGV);
		ASSERT_EQ(t.task.pending_si_addr, a + 16 * PAGE_SIZE);
		t.task.pending_signal = 0;
		memtest_end(&t);
	}
}

TEST(mmu_exec_and_nx)
{
	struct memtest t;
	unsigned long x, nx;
	uint8_t b = 0xff;

	memtest_begin(&t, "ram=64M paging=x86_64");
	x = memtest_mmap(&t, 0, PAGE_SIZE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS);
	nx = memtest_mmap(&t, 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(mmu_user_fetch(x + 5, &b), 0);
	ASSERT_EQ(b, 0);
	ASSERT_EQ(mmu_user_fetch(nx + 5, &b), -EFAULT);
	ASSERT_EQ(t.task.pending_signal, SIGSEGV);
	ASSERT_EQ(t.task.pending_si_code, SEGV_ACCERR);
	t.task.pending_signal = 0;
	memtest_end(&t);
}

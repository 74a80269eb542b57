/*
 * Page-table formats (hw/paging.h, arch/x86/mm/pgtable.c): walk, allocation and freeing of
 * table pages at every level, their accounting, entry bit helpers, swap
 * entries, the kernel half shared with init_mm and the direct map.  Each
 * test runs on the three formats.
 */
#include "memtest.h"

static char opts_buf[128];

static const char *fmt_opts(int i, const char *extra)
{
	snprintf(opts_buf, sizeof(opts_buf), "ram=64M paging=%s %s", memtest_formats[i],
		 extra ? extra : "");
	return opts_buf;
}

TEST(pgtable_format_geometry)
{
	const struct pgt_format *f;

	f = &pgt_formats[VMSIM_PAGING_I386];
	ASSERT_EQ(f->levels, 2);
	ASSERT_EQ(f->ptrs[PGT_PGD], 1024);
	ASSERT_EQ(f->ptrs[PGT_PTE], 1024);
	ASSERT_EQ(pgd_index(f, 0xC0000000UL), 768);
	ASSERT_EQ(pte_index(f, 0x00403000UL), 3);
	ASSERT_EQ(x86_layouts[VMSIM_PAGING_I386].task_size, 0xC0000000UL);

	f = &pgt_formats[VMSIM_PAGING_PAE];
	ASSERT_EQ(f->levels, 3);
	ASSERT_EQ(f->ptrs[PGT_PGD], 4);
	ASSERT_EQ(pgd_index(f, 0xC0000000UL), 3);
	ASSERT_EQ(pmd_index(f, 0x40200000UL), 1);
	ASSERT_EQ(pte_index(f, 0x40201000UL), 1);

	f = &pgt_formats[VMSIM_PAGING_X86_64];
	ASSERT_EQ(f->levels, 4);
	ASSERT_EQ(x86_layouts[VMSIM_PAGING_X86_64].task_size, 0x7ffffffff000UL);
	ASSERT_EQ(pgd_index(f, 0x7ffffffff000UL), 255);
	ASSERT_EQ(pud_index(f, 1UL << 30), 1);
	ASSERT(pgt_va_valid(f, 0xffff888000000000UL));
	ASSERT(!pgt_va_valid(f, 0x0000800000000000UL));
	ASSERT(!pgt_va_valid(&pgt_formats[VMSIM_PAGING_I386], 0x100000000UL));
}

TEST(pgtable_alloc_levels_and_accounting)
{
	/* tables below the pgd for one mapped address: i386 1, PAE 2, x86-64 3 */
	static const long want[3] = { 1, 2, 3 };

	for (int i = 0; i < 3; i++) {
		struct memtest t;
		unsigned long before, addr = 0x40000000UL + 0x5000;
		pmdp_t pmd;
		ptep_t pte;
		pgdp_t pgd;
		pudp_t pud;

		memtest_begin(&t, fmt_opts(i, NULL));
		before = global_page_state(t.m, NR_PAGETABLE);
		spin_lock(&t.mm->page_table_lock);
		pgd = pgd_offset(t.mm, addr);
		pud = pud_alloc(t.mm, pgd, addr);
		ASSERT_NOT_NULL(pud.p);
		pmd = pmd_alloc(t.mm, pud, addr);
		ASSERT_NOT_NULL(pmd.p);
		pte = pte_alloc(t.mm, pmd, addr);
		ASSERT_NOT_NULL(pte.p);
		ASSERT(pte_none(ptep_get(pte)));
		set_pte(pte, mk_pte(t.m->zero_page, PAGE_READONLY));
		pte_unmap(pte);
		/* a second address in the same PTE table allocates nothing */
		pte = pte_alloc(t.mm, pmd, addr + PAGE_SIZE);
		pte_unmap(pte);
		spin_unlock(&t.mm->page_table_lock);

		ASSERT_EQ(atomic_load(&t.mm->nr_ptes), want[i]);
		ASSERT_EQ(global_page_state(t.m, NR_PAGETABLE) - before, want[i]);
		ASSERT_EQ(pgt_count_tables(t.mm), want[i]);
		ASSERT(pgtables_are_valid(t.mm));
		ASSERT_EQ(pte_pfn(__pte(memtest_pte(&t, addr))), page_to_pfn(t.m->zero_page));
		ASSERT_EQ(memtest_pte(&t, addr + 0x400000), 0);

		/* the walk reaches the entry through typed pointers, all levels */
		pmd = pmd_offset(pud_offset(pgd_offset(t.mm, addr), addr), addr);
		ASSERT(!pmd_none(pmdp_get(pmd)));
		ASSERT(!pmd_bad(pmdp_get(pmd)));
		ASSERT(PagePageTable(pmd_page(pmdp_get(pmd))));

		/* unmap by hand, then everything below the pgd goes */
		pte = pgt_walk(t.mm, addr);
		pte_clear(pte);
		pte_unmap(pte);
		free_pgd_range_all(t.mm);
		ASSERT_EQ(atomic_load(&t.mm->nr_ptes), 0);
		ASSERT_EQ(global_page_state(t.m, NR_PAGETABLE), before);
		memtest_end(&t);
	}
}

TEST(pgtable_entry_bits)
{
	struct machine *m = test_boot("ram=32M paging=x86_64");
	struct page *page = alloc_page(GFP_KERNEL);
	pte_t e = mk_pte(page, PAGE_COPY);

	ASSERT(pte_present(e));
	ASSERT(!pte_write(e));
	ASSERT(pte_user(e));
	ASSERT(pte_young(e));
	ASSERT(!pte_dirty(e));
	ASSERT(!pte_exec(e));
	ASSERT_EQ(pte_pfn(e), page_to_pfn(page));
	ASSERT(pte_page(e) == page);
	ASSERT(pte_write(pte_mkwrite(e)));
	ASSERT(!pte_write(pte_wrprotect(pte_mkwrite(e))));
	ASSERT(pte_dirty(pte_mkdirty(e)));
	ASSERT(!pte_dirty(pte_mkclean(pte_mkdirty(e))));
	ASSERT(!pte_young(pte_mkold(e)));
	ASSERT(pte_young(pte_mkyoung(pte_mkold(e))));
	ASSERT(pte_exec(pte_mkexec(e)));
	/* pte_modify keeps the frame, Accessed and Dirty */
	e = pte_modify(pte_mkdirty(e), PAGE_SHARED);
	ASSERT(pte_write(e) && pte_dirty(e) && pte_young(e));
	ASSERT_EQ(pte_pfn(e), page_to_pfn(page));
	/* PROT_NONE: present for the kernel, not for the MMU */
	e = pte_modify(e, PAGE_NONE);
	ASSERT(pte_present(e));
	ASSERT(pte_protnone(e));
	ASSERT(!(pte_val(e) & _PAGE_PRESENT));
	ASSERT_EQ(pte_pfn(e), page_to_pfn(page));
	ASSERT(!is_swap_pte(e));
	__free_page(page);
	test_shutdown(m);
}

TEST(pgtable_swap_entries)
{
	for (int i = 0; i < 3; i++) {
		const struct pgt_format *f = &pgt_formats[i];
		unsigned long offs[] = { 0, 1, 12345, swp_offset_max(f) };

		for (unsigned int j = 0; j < ARRAY_SIZE(offs); j++) {
			for (unsigned int type = 0; type < MAX_SWAPFILES; type += 7) {
				swp_entry_t se = swp_entry(type, offs[j]);
				pte_t e = swp_entry_to_pte(se);

				ASSERT(!pte_present(e));
				ASSERT(!pte_none(e) || (type == 0 && offs[j] == 0));
				ASSERT_EQ(swp_type(pte_to_swp_entry(e)), type);
				ASSERT_EQ(swp_offset(pte_to_swp_entry(e)), offs[j]);
				if (!f->wide)
					ASSERT_EQ(pte_val(e) >> 32, 0);
				else
					ASSERT_EQ(pte_val(e) & _PAGE_NX, 0);
			}
		}
	}
}

TEST(pgtable_i386_narrow_entries)
{
	struct memtest t;
	unsigned long addr;
	uint64_t v;

	memtest_begin(&t, "ram=64M paging=i386");
	addr = memtest_mmap(&t, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(mmu_user_store64(addr, 0x1122334455667788ULL), 0);
	v = memtest_pte(&t, addr);
	/* 32-bit entries: no NX bit survives, the frame is below 4 GiB */
	ASSERT_EQ(v >> 32, 0);
	ASSERT(v & _PAGE_RW);
	ASSERT(v & _PAGE_DIRTY);
	/* entries really are 4 bytes apart in RAM */
	{
		ptep_t p = pgt_walk(t.mm, addr);
		ptep_t q = ptep_next(p);

		ASSERT_EQ((uint8_t *)q.p - (uint8_t *)p.p, 4);
		pte_unmap(p);
	}
	memtest_end(&t);
}

TEST(pgtable_kernel_half_shared)
{
	for (int i = 0; i < 3; i++) {
		struct memtest t;
		const struct pgt_format *f;
		unsigned int k;

		memtest_begin(&t, fmt_opts(i, NULL));
		f = pgt_fmt(t.m);
		k = (unsigned int)pgd_index(f, KERNEL_START_OF(t.m));
		for (unsigned int j = 0; j < f->ptrs[PGT_PGD]; j++) {
			pgdp_t a = { t.m->ram + t.mm->pgd + ((size_t)j << f->entry_shift), f };
			pgdp_t b = { t.m->ram + t.m->init_mm->pgd + ((size_t)j << f->entry_shift), f };

			if (j >= k)
				ASSERT_EQ(pgd_val(pgdp_get(a)), pgd_val(pgdp_get(b)));
			else
				ASSERT_EQ(pgd_val(pgdp_get(a)), 0);
		}
		memtest_end(&t);
	}
}

TEST(pgtable_direct_map_through_mmu)
{
	for (int i = 0; i < 3; i++) {
		struct memtest t;
		struct page *page;
		unsigned long kaddr;
		uint8_t *p, buf[16];

		memtest_begin(&t, fmt_opts(i, NULL));
		page = alloc_page(GFP_KERNEL);
		ASSERT_NOT_NULL(page);
		p = page_address(page);
		memcpy(p + 100, "direct-map bytes", 16);
		kaddr = PAGE_OFFSET_OF(t.m) + page_to_phys(page) + 100;
		/* a kernel-mode read through the process's page tables (kernel half) */
		ASSERT_EQ(mmu_kernel_read(buf, kaddr, 16), 0);
		ASSERT_MEMEQ(buf, "direct-map bytes", 16);
		/* a user-mode access to the same address is a protection fault */
		{
			struct mmu_walk_result r;

			ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, kaddr, MMU_READ, true, &r),
				  MMU_FAULT | PF_PROT | PF_USER);
			ASSERT_EQ(mmu_walk(&t.m->hw, t.mm->pgd, kaddr, MMU_READ, false, &r), 0);
			ASSERT_EQ(r.phys, page_to_phys(page) + 100);
			ASSERT(r.global);
		}
		__free_page(page);
		memtest_end(&t);
	}
}

TEST(pgtable_highmem_pte_pages)
{
	/* 1 GiB on i386/PAE: HIGHMEM above 896 MiB; process PTE tables go there */
	for (int i = 0; i < 2; i++) {
		struct memtest t;
		unsigned long addr;
		pmdp_t pmd;

		snprintf(opts_buf, sizeof(opts_buf), "ram=1G paging=%s", memtest_formats[i]);
		memtest_begin(&t, opts_buf);
		ASSERT(t.m->totalhigh_pages > 0);
		addr = memtest_mmap(&t, 0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS);
		ASSERT_EQ(mmu_user_store64(addr + 8, 77), 0);
		pmd = pmd_offset(pud_offset(pgd_offset(t.mm, addr), addr), addr);
		ASSERT_EQ(pmd_page(pmdp_get(pmd))->zone->idx, ZONE_HIGHMEM);
		{
			uint64_t v = 0;

			ASSERT_EQ(mmu_user_load64(addr + 8, &v), 0);
			ASSERT_EQ(v, 77);
		}
		memtest_end(&t);
	}
}

/*
 * paging_init (Linux's arch/x86/mm/init.c): the kernel's own page tables,
 * init_mm with the direct map of lowmem at PAGE_OFFSET in large pages,
 * and the ZERO_PAGE; paging_exit frees them at shutdown.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kern/pgtable.h"
#include "kern/sched.h"

/* --- kernel page tables ------------------------------------------------------------- */

/*
 * The direct map: lowmem at PAGE_OFFSET, in large pages (4 MiB on i386,
 * 2 MiB otherwise) as Linux does with PSE; a tail smaller than a large
 * page gets 4 KiB PTEs, so nothing past the end of RAM is mapped.
 */
static int map_direct(struct machine *m)
{
	struct mm_struct *mm = m->init_mm;
	const struct pgt_format *f = pgt_fmt(m);
	unsigned long large = 1UL << f->shift[PGT_PMD];
	phys_addr_t end = (phys_addr_t)m->max_low_pfn << PAGE_SHIFT;
	phys_addr_t pa = 0;
	int err = 0;

	spin_lock(&mm->page_table_lock);
	while (pa < end) {
		unsigned long va = PAGE_OFFSET_OF(m) + pa;
		pgdp_t pgd = pgd_offset(mm, va);
		pudp_t pud = pud_alloc(mm, pgd, va);
		pmdp_t pmd;

		if (!pud.p)
			goto nomem;
		pmd = pmd_alloc(mm, pud, va);
		if (!pmd.p)
			goto nomem;
		if (end - pa >= large) {
			set_pmd(pmd, __pmd((pa | PAGE_KERNEL | _PAGE_PSE) & f->entry_mask));
			pa += large;
		} else {
			ptep_t pte = pte_alloc_kernel(mm, pmd, va);

			if (!pte.p)
				goto nomem;
			set_pte(pte, pfn_pte_fmt(f, pa >> PAGE_SHIFT, PAGE_KERNEL));
			pa += PAGE_SIZE;
		}
	}
	goto out;
nomem:
	err = -ENOMEM;
out:
	spin_unlock(&mm->page_table_lock);
	return err;
}

/* Free every table below @table at @level (kernel tables, no TLB users left). */
static void free_kernel_tables(struct mm_struct *mm, uint64_t entry, enum pgt_level level)
{
	struct machine *m = mm->machine;
	const struct pgt_format *f = pgt_fmt(m);
	struct page *page = pfn_to_page(m, (entry & _PAGE_ADDR_MASK) >> PAGE_SHIFT);

	if (level > PGT_PTE) {
		uint8_t *t = __pgt_table(m, entry);
		enum pgt_level next = level - 1;

		while (next > PGT_PTE && f->ptrs[next] == 1)
			next--;
		for (unsigned int i = 0; i < f->ptrs[level]; i++) {
			uint64_t e = __pgt_read(t + ((size_t)i << f->entry_shift), f);

			if (!(e & _PAGE_PRESENT) || (level != PGT_PTE && (e & _PAGE_PSE)))
				continue;
			free_kernel_tables(mm, e, next);
		}
	}
	pgtable_page_free(mm, page);
}

static void free_kernel_pgd(struct mm_struct *mm)
{
	struct machine *m = mm->machine;
	const struct pgt_format *f = pgt_fmt(m);
	enum pgt_level below = PGT_PUD;

	while (below > PGT_PTE && f->ptrs[below] == 1)
		below--;
	for (unsigned int i = 0; i < f->ptrs[PGT_PGD]; i++) {
		pgdp_t e = { m->ram + mm->pgd + ((size_t)i << f->entry_shift), f };
		uint64_t v = pgd_val(pgdp_get(e));

		if (!(v & _PAGE_PRESENT) || (f->levels == 2 && (v & _PAGE_PSE)))
			continue;
		free_kernel_tables(mm, v, below);
		set_pgd(e, __pgd(0));
	}
}

static void free_init_mm(struct machine *m)
{
	struct mm_struct *mm = m->init_mm;

	if (!mm)
		return;
	if (mm->pgd) {
		free_kernel_pgd(mm);
		pgd_free(mm);
	}
	fini_rwsem(&mm->mmap_sem);
	free(mm);
	m->init_mm = NULL;
}

int paging_init(struct machine *m)
{
	const struct pgt_format *f = pgt_fmt(m);
	struct mm_struct *mm;
	struct page *zero;
	int err;

	BUG_ON_MSG((uint64_t)m->max_pfn << PAGE_SHIFT > f->max_phys,
		   "paging_init: %llu bytes of RAM exceed the %s format's %llu",
		   (unsigned long long)m->max_pfn << PAGE_SHIFT, f->name,
		   (unsigned long long)f->max_phys);
	/* init_mm: the kernel's address space (swapper_pg_dir), never freed while booted */
	mm = calloc(1, sizeof(*mm));
	if (!mm)
		return -ENOMEM;
	mm->machine = m;
	atomic_init(&mm->mm_users, 2);
	atomic_init(&mm->mm_count, 1);
	init_rwsem(&mm->mmap_sem);
	spin_lock_init(&mm->page_table_lock);
	INIT_LIST_HEAD(&mm->mmlist);
	mm->task_size = TASK_SIZE_OF(m);
	m->init_mm = mm;
	err = pgd_alloc(mm);
	if (err)
		goto fail;
	err = map_direct(m);
	if (err)
		goto fail;

	zero = alloc_pages(GFP_KERNEL, 0);
	err = -ENOMEM;
	if (!zero)
		goto fail;
	memset(page_address(zero), 0, PAGE_SIZE);
	SetPageZero(zero);
	SetPageReserved(zero);
	m->zero_page = zero;
	return 0;

fail:
	free_init_mm(m);
	return err;
}

void paging_exit(struct machine *m)
{
	if (m->zero_page) {
		ClearPageZero(m->zero_page);
		ClearPageReserved(m->zero_page);
		__free_page(m->zero_page);
		m->zero_page = NULL;
	}
	free_init_mm(m);
}

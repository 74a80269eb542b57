/*
 * The kernel's page-table pages on the simulated x86 (Linux's
 * arch/x86/mm/pgtable.c): allocation of table pages at each level
 * (pte_alloc_one, pmd_alloc_one, pud_alloc_one, and the pud/pmd/pte_alloc
 * that install them), the top-level directory of each address space
 * (pgd_alloc with the kernel half shared with init_mm, pgd_free), and the
 * validators of the tests.  The hardware only reads these tables.
 *
 * Table pages are ordinary frames from the buddy allocator, zeroed,
 * flagged PG_pgtable and counted: NR_PAGETABLE (meminfo PageTables) for
 * every table of a process, mm->nr_ptes (status VmPTE) for those below its
 * pgd.  PTE tables of processes come from HIGHMEM when the machine has it
 * (GFP_HIGHUSER, as CONFIG_HIGHPTE), so the kernel reaches them through
 * pte_offset_map()/pte_unmap().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kern/pgtable.h"
#include "kern/tlb.h"
#include "kern/sched.h"
#include "kern/highmem.h"

const struct x86_layout x86_layouts[HW_NR_PAGING] = {
	[HW_PAGING_I386] = { .task_size = 0xC0000000UL, .page_offset = 0xC0000000UL,
			     .kernel_start = 0xC0000000UL },
	[HW_PAGING_PAE] = { .task_size = 0xC0000000UL, .page_offset = 0xC0000000UL,
			    .kernel_start = 0xC0000000UL },
	[HW_PAGING_X86_64] = { .task_size = 0x7ffffffff000UL,
			       .page_offset = 0xffff888000000000UL,
			       .kernel_start = 0xffff800000000000UL },
};

/* --- table pages -------------------------------------------------------------- */

static bool mm_is_kernel(struct mm_struct *mm)
{
	return mm == mm->machine->init_mm;
}

/*
 * __pgtable_alloc - a zeroed table page for @mm.  Kernel tables and
 * upper levels stay in lowmem; process PTE tables may be HIGHMEM.
 */
static struct page *__pgtable_alloc(struct mm_struct *mm, enum pgt_level level)
{
	struct machine *m = mm->machine;
	gfp_t gfp = GFP_KERNEL;
	struct page *page;

	if (level == PGT_PTE && !mm_is_kernel(mm) && m->totalhigh_pages)
		gfp = GFP_HIGHUSER;
	page = alloc_pages(gfp, 0);
	if (!page)
		return NULL;
	/* the hardware view of the frame: it may be HIGHMEM */
	memset(__phys_ram(m, page_to_phys(page)), 0, PAGE_SIZE);
	SetPagePageTable(page);
	if (!mm_is_kernel(mm))
		mod_zone_page_state(page->zone, NR_PAGETABLE, 1);
	return page;
}

static struct page *pte_alloc_one(struct mm_struct *mm)
{
	return __pgtable_alloc(mm, PGT_PTE);
}

static struct page *pmd_alloc_one(struct mm_struct *mm)
{
	return __pgtable_alloc(mm, PGT_PMD);
}

static struct page *pud_alloc_one(struct mm_struct *mm)
{
	return __pgtable_alloc(mm, PGT_PUD);
}

static void __pgtable_page_free(struct mm_struct *mm, struct page *page)
{
	VM_BUG_ON_MSG(!PagePageTable(page), "freeing pfn %lu as a page table: not PG_pgtable",
		      page_to_pfn(page));
	ClearPagePageTable(page);
	if (!mm_is_kernel(mm))
		mod_zone_page_state(page->zone, NR_PAGETABLE, -1);
	__free_page(page);
}

void pgtable_page_free(struct mm_struct *mm, struct page *page)
{
	atomic_fetch_sub(&mm->nr_ptes, 1);
	__pgtable_page_free(mm, page);
}

/* Entry bits of an upper-level entry pointing to a table of @mm. */
static uint64_t table_bits(struct mm_struct *mm, bool top)
{
	const struct pgt_format *f = mm_pgt_fmt(mm);

	if (top && f->top_present_only)
		return _PAGE_PRESENT;
	return mm_is_kernel(mm) ? _KERNPG_TABLE : _PAGE_TABLE;
}

ptep_t pte_offset_map(pmdp_t pmd, unsigned long addr)
{
	/* a HIGHMEM PTE table is reached through a KM_PTE kmap_atomic slot (mm/highmem.c) */
	const struct pgt_format *f = pmd.fmt;
	struct page *table = pmd_page(pmdp_get(pmd));

	return (ptep_t){ kmap_pte_table(table) + (pte_index(f, addr) << f->entry_shift), f };
}

void pte_unmap(ptep_t pte)
{
	kunmap_pte_table(pte.p);
}

/*
 * Allocation at each level: entered and left with page_table_lock held;
 * the lock is dropped around the page allocation (which may reclaim, and
 * reclaim takes page_table_lock), then the entry is checked again: if
 * another thread filled it meanwhile, our page goes back.
 */
pudp_t pud_alloc(struct mm_struct *mm, pgdp_t pgd, unsigned long addr)
{
	struct page *page;

	if (pgd.fmt->pud_folded)
		return (pudp_t){ pgd.p, pgd.fmt };
	if (pgd_none(pgd)) {
		spin_unlock(&mm->page_table_lock);
		page = pud_alloc_one(mm);
		spin_lock(&mm->page_table_lock);
		if (!page)
			return (pudp_t){ NULL, pgd.fmt };
		if (pgd_none(pgd)) {
			atomic_fetch_add(&mm->nr_ptes, 1);
			set_pgd(pgd, __pgd(page_to_phys(page) | table_bits(mm, true)));
		} else {
			__pgtable_page_free(mm, page);
		}
	}
	return pud_offset(pgd, addr);
}

pmdp_t pmd_alloc(struct mm_struct *mm, pudp_t pud, unsigned long addr)
{
	struct page *page;

	if (pud.fmt->pmd_folded)
		return (pmdp_t){ pud.p, pud.fmt };
	if (pud_none(pud)) {
		spin_unlock(&mm->page_table_lock);
		page = pmd_alloc_one(mm);
		spin_lock(&mm->page_table_lock);
		if (!page)
			return (pmdp_t){ NULL, pud.fmt };
		if (pud_none(pud)) {
			atomic_fetch_add(&mm->nr_ptes, 1);
			set_pud(pud, __pud(page_to_phys(page) |
					   table_bits(mm, pud.fmt->pud_folded)));
		} else {
			__pgtable_page_free(mm, page);
		}
	}
	return pmd_offset(pud, addr);
}

static bool __pte_alloc(struct mm_struct *mm, pmdp_t pmd)
{
	struct page *page;

	if (!pmd_none(pmdp_get(pmd)))
		return true;
	spin_unlock(&mm->page_table_lock);
	page = pte_alloc_one(mm);
	spin_lock(&mm->page_table_lock);
	if (!page)
		return false;
	if (pmd_none(pmdp_get(pmd))) {
		atomic_fetch_add(&mm->nr_ptes, 1);
		/* on i386 the pmd is the pgd entry itself */
		set_pmd(pmd, __pmd(page_to_phys(page) | table_bits(mm, pmd.fmt->levels == 2)));
	} else {
		__pgtable_page_free(mm, page);
	}
	return true;
}

ptep_t pte_alloc(struct mm_struct *mm, pmdp_t pmd, unsigned long addr)
{
	if (!__pte_alloc(mm, pmd))
		return (ptep_t){ NULL, pmd.fmt };
	BUG_ON_MSG(pmd_bad(pmdp_get(pmd)), "pte_alloc %#lx: bad pmd %#llx", addr,
		   (unsigned long long)pmd_val(pmdp_get(pmd)));
	return pte_offset_map(pmd, addr);
}

ptep_t pte_alloc_kernel(struct mm_struct *mm, pmdp_t pmd, unsigned long addr)
{
	if (!__pte_alloc(mm, pmd))
		return (ptep_t){ NULL, pmd.fmt };
	BUG_ON_MSG(pmd_bad(pmdp_get(pmd)), "pte_alloc_kernel %#lx: bad pmd %#llx", addr,
		   (unsigned long long)pmd_val(pmdp_get(pmd)));
	return pte_offset_kernel(pmd, addr);
}

ptep_t pgt_walk(struct mm_struct *mm, unsigned long addr)
{
	const struct pgt_format *f = mm_pgt_fmt(mm);
	ptep_t none = { NULL, f };
	pmdp_t pmd;
	pmd_t pmdv;

	if (!pgt_va_valid(f, addr))
		return none;
	pmd = pmd_lookup(mm, addr);
	if (!pmd.p)
		return none;
	pmdv = pmdp_get(pmd);
	if (pmd_none(pmdv) || pmd_bad(pmdv))
		return none;
	return pte_offset_map(pmd, addr);
}

/* --- the top level ------------------------------------------------------------ */

static unsigned int kernel_pgd_index(struct machine *m)
{
	return (unsigned int)pgd_index(pgt_fmt(m), KERNEL_START_OF(m));
}

int pgd_alloc(struct mm_struct *mm)
{
	struct machine *m = mm->machine;
	const struct pgt_format *f = pgt_fmt(m);
	struct page *page;
	uint8_t *pgd;

	BUG_ON_MSG(!m, "pgd_alloc: mm %p without a machine", (void *)mm);
	page = alloc_pages(GFP_KERNEL, 0);
	if (!page)
		return -ENOMEM;
	pgd = page_address(page);
	memset(pgd, 0, PAGE_SIZE);
	SetPagePageTable(page);
	mm->pgd = page_to_phys(page);
	if (m->init_mm && m->init_mm != mm) {
		/* the kernel half is shared: copy init_mm's entries (pgd_alloc) */
		unsigned int k = kernel_pgd_index(m);
		size_t off = (size_t)k << f->entry_shift;

		mod_zone_page_state(page->zone, NR_PAGETABLE, 1);
		for (unsigned int i = k; i < f->ptrs[PGT_PGD]; i++) {
			pgdp_t src = { m->ram + m->init_mm->pgd + ((size_t)i << f->entry_shift), f };
			pgdp_t dst = { pgd + ((size_t)i << f->entry_shift), f };

			set_pgd(dst, pgdp_get(src));
		}
		(void)off;
	}
	return 0;
}

void pgd_free(struct mm_struct *mm)
{
	struct machine *m = mm->machine;
	const struct pgt_format *f = pgt_fmt(m);
	struct page *page;

	if (!mm->pgd)
		return;
	page = pfn_to_page(m, mm->pgd >> PAGE_SHIFT);
	if (DEBUG_VM && mm != m->init_mm) {
		unsigned int k = kernel_pgd_index(m);

		for (unsigned int i = 0; i < k; i++) {
			pgdp_t e = { m->ram + mm->pgd + ((size_t)i << f->entry_shift), f };

			BUG_ON_MSG(pgd_val(pgdp_get(e)),
				   "pgd_free: pgd pfn %lu entry %u still maps %#llx",
				   page_to_pfn(page), i, (unsigned long long)pgd_val(pgdp_get(e)));
		}
		BUG_ON_MSG(atomic_load(&mm->nr_ptes),
			   "pgd_free: pgd pfn %lu freed with %ld page tables left",
			   page_to_pfn(page), atomic_load(&mm->nr_ptes));
	}
	ClearPagePageTable(page);
	if (mm != m->init_mm)
		mod_zone_page_state(page->zone, NR_PAGETABLE, -1);
	__free_page(page);
	mm->pgd = 0;
}

/* --- validators ----------------------------------------------------------------- */

static unsigned long count_tables(struct machine *m, uint64_t entry, enum pgt_level level,
				  bool *ok)
{
	const struct pgt_format *f = pgt_fmt(m);
	struct page *page = pfn_to_page(m, (entry & _PAGE_ADDR_MASK) >> PAGE_SHIFT);
	unsigned long n = 1;

	if (!pfn_valid(m, page_to_pfn(page)) || !PagePageTable(page)) {
		*ok = false;
		return 0;
	}
	if (level > PGT_PTE) {
		uint8_t *t = __pgt_table(m, entry);
		enum pgt_level next = level - 1;

		while (next > PGT_PTE && f->ptrs[next] == 1)
			next--;
		for (unsigned int i = 0; i < f->ptrs[level]; i++) {
			uint64_t e = __pgt_read(t + ((size_t)i << f->entry_shift), f);

			if (!e)
				continue;
			if (!(e & _PAGE_PRESENT) || (e & _PAGE_PSE)) {
				*ok = false;
				continue;
			}
			n += count_tables(m, e, next, ok);
		}
	}
	return n;
}

static unsigned long walk_user_tables(struct mm_struct *mm, bool *ok)
{
	struct machine *m = mm->machine;
	const struct pgt_format *f = pgt_fmt(m);
	enum pgt_level below = PGT_PUD;
	unsigned int k = kernel_pgd_index(m);
	unsigned long n = 0;

	while (below > PGT_PTE && f->ptrs[below] == 1)
		below--;
	for (unsigned int i = 0; i < k; i++) {
		pgdp_t e = { m->ram + mm->pgd + ((size_t)i << f->entry_shift), f };
		uint64_t v = pgd_val(pgdp_get(e));

		if (!v)
			continue;
		if (!(v & _PAGE_PRESENT)) {
			*ok = false;
			continue;
		}
		n += count_tables(m, v, below, ok);
	}
	return n;
}

unsigned long pgt_count_tables(struct mm_struct *mm)
{
	bool ok = true;

	return walk_user_tables(mm, &ok);
}

bool pgtables_are_valid(struct mm_struct *mm)
{
	bool ok = true;
	unsigned long n = walk_user_tables(mm, &ok);

	BUG_ON_MSG(!ok, "mm %p: a user page-table entry points to a non-table frame",
		   (void *)mm);
	BUG_ON_MSG(n != (unsigned long)atomic_load(&mm->nr_ptes),
		   "mm %p: %lu page tables reachable, nr_ptes %ld", (void *)mm, n,
		   atomic_load(&mm->nr_ptes));
	return true;
}

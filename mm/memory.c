/*
 * mm/memory.c - what happens between a page table and the pages it maps:
 * page faults (do_page_fault, arch/x86/mm/fault.c -> handle_mm_fault ->
 * handle_pte_fault -> do_anonymous_page / do_no_page / do_wp_page /
 * do_swap_page), fork's copy_page_range, unmapping (zap_page_range) and
 * freeing of page tables (free_pgtables), zeromap/remap_page_range, make_pages_present,
 * follow_page, and the PTE side of mprotect (change_protection) and
 * mremap (move_page_tables), as in Linux 2.4.
 *
 * Lock order (the whole address-space side of vmsim):
 *   mm->mmap_sem
 *     -> mm->page_table_lock   (fork: child's, then parent's)
 *       -> pagemap_lru_lock    (lru_cache_add/del)
 *         -> zone->lock
 * page_table_lock is dropped around every page allocation (which may
 * reclaim, and reclaim takes page_table_lock); after retaking it the PTE
 * is checked again.  TLB shootdowns (flush_tlb_*) may run with
 * page_table_lock held; a page or page table is freed only after the
 * flush that covers its last mapping.
 *
 * A user page's references: one per PTE mapping it (plus the page cache's
 * for file pages), _mapcount the number of PTEs; rss_anon/rss_file/
 * rss_shmem and NR_ANON_PAGES follow the mappings.  The ZERO_PAGE and
 * remap_page_range frames (VM_PFNMAP) are mapped without references.
 *
 * Swap entries in PTEs (left by swap_out, mm/vmscan.c): each holds one
 * reference on its slot and counts in mm->swap_ents; a fault brings the
 * page back through the swap cache (do_swap_page), fork duplicates the
 * reference, unmapping drops it (free_swap_and_cache).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kern/memory.h"
#include "kern/mempolicy.h"
#include "kern/mman.h"
#include "kern/pgtable.h"
#include "kern/tlb.h"
#include "kern/sched.h"
#include "kern/swap.h"
#include "kern/pagemap.h"
#include "kern/vmscan.h"
#include "kern/highmem.h"
#include "kern/vmalloc.h"
#include "kern/rmap.h"
#include "vma_internal.h"

/* --- protections ----------------------------------------------------------- */

/* protection_map[]: __P000 .. __S111 of x86 */
static const pgprot_t protection_map[16] = {
	/* private: writable pages are mapped read-only until do_wp_page copies */
	PAGE_NONE, PAGE_READONLY, PAGE_COPY, PAGE_COPY,
	PAGE_READONLY_EXEC, PAGE_READONLY_EXEC, PAGE_COPY_EXEC, PAGE_COPY_EXEC,
	/* shared */
	PAGE_NONE, PAGE_READONLY, PAGE_SHARED, PAGE_SHARED,
	PAGE_READONLY_EXEC, PAGE_READONLY_EXEC, PAGE_SHARED_EXEC, PAGE_SHARED_EXEC,
};

pgprot_t vm_get_page_prot(unsigned long vm_flags)
{
	return protection_map[vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)];
}

/* --- page accounting (rmap-lite) ---------------------------------------------- */

/* Frames we map without references: the ZERO_PAGE, reserved and raw frames. */
static bool page_is_refcounted(struct machine *m, struct vm_area_struct *vma,
			       unsigned long pfn)
{
	struct page *page;

	if (vma->vm_flags & VM_PFNMAP)
		return false;
	if (!pfn_valid(m, pfn))
		return false;
	page = pfn_to_page(m, pfn);
	return !PageZero(page) && !PageReserved(page);
}

static atomic_long *rss_counter(struct mm_struct *mm, struct page *page)
{
	if (PageAnon(page))
		return &mm->rss_anon;
	if (PageSwapBacked(page))
		return &mm->rss_shmem;
	return &mm->rss_file;
}

/* A new PTE maps @page (reference already held by the caller). */
/* NR_ANON_PAGES or NR_FILE_MAPPED ("Mapped": file and shmem pages) */
static inline enum zone_stat_item mapped_item(const struct page *page)
{
	return PageAnon(page) ? NR_ANON_PAGES : NR_FILE_MAPPED;
}

static void page_add_rmap(struct mm_struct *mm, struct page *page, unsigned long address)
{
	rmap_add(mm, page, address);
	if (atomic_fetch_add(&page->_mapcount, 1) == -1 && !PageZero(page))
		mod_zone_page_state(page->zone, mapped_item(page), 1);
	atomic_fetch_add(rss_counter(mm, page), 1);
}

/* A fresh private anonymous page becomes mapped. */
void page_add_anon_rmap(struct mm_struct *mm, struct page *page, unsigned long address)
{
	SetPageAnon(page);
	SetPageSwapBacked(page);
	page_add_rmap(mm, page, address);
}

/* The mapcount side of page_remove_rmap; the caller counts the rss. */
static void __page_remove_rmap(struct page *page)
{
	int old = atomic_fetch_sub(&page->_mapcount, 1);

	VM_BUG_ON_MSG(old < 0, "page_remove_rmap: pfn %lu was not mapped (mapcount %d)",
		      page_to_pfn(page), old + 1);
	if (old == 0 && !PageZero(page))
		mod_zone_page_state(page->zone, mapped_item(page), -1);
}

/* A PTE mapping @page went away (its reference is dropped by the caller). */
void page_remove_rmap(struct mm_struct *mm, struct page *page, unsigned long address)
{
	rmap_del(mm, page, address);
	__page_remove_rmap(page);
	atomic_fetch_sub(rss_counter(mm, page), 1);
}

/* --- freeing pages after a TLB flush (mmu_gather) ---------------------------- */

#define GATHER_PAGES 128

struct mmu_gather {
	struct mm_struct *mm;
	unsigned long start, end;	/* range whose PTEs were cleared */
	unsigned int nr;
	unsigned int nr_tables;
	struct page *pages[GATHER_PAGES];
	struct page *tables[GATHER_PAGES];
};

static void tlb_gather_init(struct mmu_gather *tlb, struct mm_struct *mm)
{
	tlb->mm = mm;
	tlb->start = ~0UL;
	tlb->end = 0;
	tlb->nr = 0;
	tlb->nr_tables = 0;
}

static void tlb_flush_mmu(struct mmu_gather *tlb)
{
	if (tlb->start < tlb->end)
		flush_tlb_range(tlb->mm, tlb->start, tlb->end);
	else if (tlb->nr_tables)
		flush_tlb_mm(tlb->mm);
	tlb->start = ~0UL;
	tlb->end = 0;
	free_pages_and_swap_cache(tlb->pages, (int)tlb->nr);	/* unused swap copies too */
	tlb->nr = 0;
	for (unsigned int i = 0; i < tlb->nr_tables; i++)
		pgtable_page_free(tlb->mm, tlb->tables[i]);
	tlb->nr_tables = 0;
}

static void tlb_remove_page(struct mmu_gather *tlb, struct page *page)
{
	if (tlb->nr == GATHER_PAGES)
		tlb_flush_mmu(tlb);
	tlb->pages[tlb->nr++] = page;
}

static void tlb_remove_table(struct mmu_gather *tlb, struct page *page)
{
	if (tlb->nr_tables == GATHER_PAGES)
		tlb_flush_mmu(tlb);
	tlb->tables[tlb->nr_tables++] = page;
}

static void tlb_note_range(struct mmu_gather *tlb, unsigned long addr)
{
	if (addr < tlb->start)
		tlb->start = addr;
	if (addr + PAGE_SIZE > tlb->end)
		tlb->end = addr + PAGE_SIZE;
}

/* --- zap_page_range ------------------------------------------------------------- */

/* How many PTEs ahead zap_pte_range prefetches the struct page. */
#define ZAP_PREFETCH	8

static void zap_pte_range(struct mmu_gather *tlb, struct vm_area_struct *vma, pmdp_t pmd,
			  unsigned long addr, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	struct machine *m = mm->machine;
	ptep_t start = pte_offset_map(pmd, addr), p = start;
	long anon = 0, shmem = 0, file = 0, swap = 0;	/* rss taken off at the end */
	unsigned int step = 1u << p.fmt->entry_shift;
	bool locked = vma->vm_flags & VM_LOCKED;	/* read under page_table_lock */

	for (; addr < end; addr += PAGE_SIZE, p = ptep_next(p)) {
		pte_t pte = ptep_get(p);
		struct page *page;

		/*
		 * The struct page of a PTE a few entries on: its cache miss
		 * overlaps the work on this one (the table is at hand).
		 */
		if (likely(addr + ZAP_PREFETCH * PAGE_SIZE < end)) {
			pte_t ahead = __pte(__pgt_read((uint8_t *)p.p + ZAP_PREFETCH * step, p.fmt));

			if (pte_present(ahead) && pfn_valid(m, pte_pfn(ahead)))
				__builtin_prefetch(pfn_to_page(m, pte_pfn(ahead)), 1);
		}
		if (pte_none(pte))
			continue;
		if (!pte_present(pte)) {
			/* a swap entry: its slot (and unused cached copy) go */
			pte_clear(p);
			free_swap_and_cache(pte_to_swp_entry(pte));
			swap++;
			continue;
		}
		tlb_note_range(tlb, addr);
		if (!page_is_refcounted(m, vma, pte_pfn(pte))) {
			pte_clear(p);
			continue;
		}
		page = pte_page(pte);
		if (PageAnon(page)) {
			/*
			 * An anonymous page dies with this mapping (a shared one is
			 * mapped read-only): an Accessed or Dirty bit another CPU's
			 * walk sets before the clear does not matter, so no xchg.
			 * The flush still comes before the page is freed.
			 */
			pte_clear(p);
		} else {
			/* the Dirty bit of a file page must not be lost */
			pte = ptep_get_and_clear(p);
			if (pte_dirty(pte))
				set_page_dirty(page);	/* written back later */
		}
		rmap_del(mm, page, addr);
		__page_remove_rmap(page);
		if (unlikely(locked))
			__munlock_vma_page(vma, page);
		if (PageAnon(page))
			anon++;
		else if (PageSwapBacked(page))
			shmem++;
		else
			file++;
		tlb_remove_page(tlb, page);
	}
	pte_unmap(start);
	/* one update of each counter per table, as Linux's add_mm_rss_vec */
	if (anon)
		atomic_fetch_sub(&mm->rss_anon, anon);
	if (shmem)
		atomic_fetch_sub(&mm->rss_shmem, shmem);
	if (file)
		atomic_fetch_sub(&mm->rss_file, file);
	if (swap)
		atomic_fetch_sub(&mm->swap_ents, swap);
}

/* Visit each present pmd of [addr, end) in @mm, calling @fn on its PTE range. */
typedef void (*pmd_range_fn)(void *arg, pmdp_t pmd, unsigned long addr, unsigned long end);

static void walk_pmd_ranges(struct mm_struct *mm, unsigned long addr, unsigned long end,
			    pmd_range_fn fn, void *arg)
{
	const struct pgt_format *f = mm_pgt_fmt(mm);

	while (addr < end) {
		pgdp_t pgd = pgd_offset(mm, addr);
		unsigned long next = pgd_addr_end(f, addr, end);

		if (pgd_none(pgd) || !pgd_present(pgd)) {
			addr = next;
			continue;
		}
		/* one pud entry covers 1 GiB on x86-64: take each in turn */
		while (addr < next) {
			pudp_t pud = pud_offset(pgd, addr);
			unsigned long unext = pud_addr_end(f, addr, next);

			if (pud_none(pud) || !pud_present(pud)) {
				addr = unext;
				continue;
			}
			while (addr < unext) {
				unsigned long mnext = pmd_addr_end(f, addr, unext);
				pmdp_t pmd = pmd_offset(pud, addr);
				pmd_t v = pmdp_get(pmd);

				if (!pmd_none(v)) {
					BUG_ON_MSG(pmd_bad(v), "mm %p %#lx: bad pmd %#llx",
						   (void *)mm, addr, (unsigned long long)pmd_val(v));
					fn(arg, pmd, addr, mnext);
				}
				addr = mnext;
			}
		}
	}
}

struct zap_args {
	struct mmu_gather *tlb;
	struct vm_area_struct *vma;
};

static void zap_fn(void *arg, pmdp_t pmd, unsigned long addr, unsigned long end)
{
	struct zap_args *z = arg;

	zap_pte_range(z->tlb, z->vma, pmd, addr, end);
}

void zap_page_range(struct vm_area_struct *vma, unsigned long address, unsigned long size)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long end = address + size;
	struct mmu_gather tlb;
	struct zap_args z = { &tlb, vma };

	if (!size)
		return;
	BUG_ON_MSG(address < vma->vm_start || end > vma->vm_end || end < address,
		   "zap_page_range [%#lx, %#lx) outside vma [%#lx, %#lx)", address, end,
		   vma->vm_start, vma->vm_end);
	update_hiwater_rss(mm);
	tlb_gather_init(&tlb, mm);
	spin_lock(&mm->page_table_lock);
	walk_pmd_ranges(mm, address, end, zap_fn, &z);
	tlb_flush_mmu(&tlb);
	spin_unlock(&mm->page_table_lock);
}

/* --- mlock of the pages already mapped (mm/mlock.c's mlock_vma_pages_range) ------------ */

struct mlock_args {
	struct vm_area_struct *vma;
	bool lock;
};

static void mlock_fn(void *arg, pmdp_t pmd, unsigned long addr, unsigned long end)
{
	struct mlock_args *a = arg;
	struct machine *m = a->vma->vm_mm->machine;
	ptep_t start = pte_offset_map(pmd, addr), p = start;

	for (; addr < end; addr += PAGE_SIZE, p = ptep_next(p)) {
		pte_t pte = ptep_get(p);

		if (!pte_present(pte) || !page_is_refcounted(m, a->vma, pte_pfn(pte)))
			continue;
		if (a->lock)
			mlock_vma_page(a->vma, pte_page(pte));
		else
			munlock_vma_page(a->vma, pte_page(pte));
	}
	pte_unmap(start);
}

void mlock_vma_pages_range(struct vm_area_struct *vma, unsigned long newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	struct mlock_args a = { vma, newflags & VM_LOCKED };
	bool was = vma->vm_flags & VM_LOCKED;

	spin_lock(&mm->page_table_lock);
	/* the counts follow VM_LOCKED: set before locking, cleared after unlocking */
	if (a.lock)
		vma->vm_flags = newflags;
	if (a.lock != was)
		walk_pmd_ranges(mm, vma->vm_start, vma->vm_end, mlock_fn, &a);
	vma->vm_flags = newflags;
	spin_unlock(&mm->page_table_lock);
}

/* --- free_pgtables ------------------------------------------------------------- */

/* The next real level below @l (folded levels skipped). */
static enum pgt_level level_below(const struct pgt_format *f, enum pgt_level l)
{
	do {
		l--;
	} while (l > PGT_PTE && f->ptrs[l] == 1);
	return l;
}

static bool pte_table_empty(const struct pgt_format *f, uint8_t *t)
{
	for (unsigned int i = 0; i < f->ptrs[PGT_PTE]; i++)
		if (__pgt_read(t + ((size_t)i << f->entry_shift), f))
			return false;
	return true;
}

/*
 * Free the tables below the level-@l table @table within [addr, end) whose
 * whole span lies in [floor, ceiling) (ceiling 0: no upper limit), i.e.
 * covers no VMA; the entry pointing to a freed table is cleared.
 */
static void free_table_range(struct mmu_gather *tlb, uint8_t *table, enum pgt_level l,
			     unsigned long addr, unsigned long end, unsigned long floor,
			     unsigned long ceiling)
{
	struct mm_struct *mm = tlb->mm;
	struct machine *m = mm->machine;
	const struct pgt_format *f = pgt_fmt(m);
	enum pgt_level cl = level_below(f, l);
	unsigned long size = 1UL << f->shift[l];

	while (addr < end) {
		unsigned long base = addr & ~(size - 1);
		unsigned long next = base + size < end ? base + size : end;
		void *ep = table + (pgt_index(f, l, addr) << f->entry_shift);
		uint64_t e = __pgt_read(ep, f);
		uint8_t *child;

		if (!e)
			goto skip;
		BUG_ON_MSG(!(e & _PAGE_PRESENT) || (e & _PAGE_PSE),
			   "free_pgtables %#lx: bad entry %#llx at level %d", addr,
			   (unsigned long long)e, l);
		child = __pgt_table(m, e);
		if (cl > PGT_PTE) {
			/* visit the part of the child inside the VMA-free window */
			unsigned long cs = base > floor ? base : floor;
			unsigned long ce = base + size;

			if (ceiling && ceiling < ce)
				ce = ceiling;
			if (cs < ce)
				free_table_range(tlb, child, cl, cs, ce, floor, ceiling);
		}
		if (base >= floor && (!ceiling || base + size <= ceiling)) {
			BUG_ON_MSG(cl == PGT_PTE && !pte_table_empty(f, child),
				   "free_pgtables: PTE table pfn %llu for [%#lx, %#lx) still maps pages",
				   (unsigned long long)((e & 0x000ffffffffff000ULL) >> PAGE_SHIFT),
				   base, base + size);
			__pgt_write(ep, f, 0);
			tlb_remove_table(tlb, pfn_to_page(m, (e & 0x000ffffffffff000ULL) >> PAGE_SHIFT));
		}
skip:
		addr = next;
	}
}

static void free_pgd_range(struct mm_struct *mm, unsigned long start, unsigned long end,
			   unsigned long floor, unsigned long ceiling)
{
	struct mmu_gather tlb;

	if (start >= end)
		return;
	tlb_gather_init(&tlb, mm);
	spin_lock(&mm->page_table_lock);
	free_table_range(&tlb, mm->machine->ram + mm->pgd, PGT_PGD, start, end, floor, ceiling);
	tlb_flush_mmu(&tlb);
	spin_unlock(&mm->page_table_lock);
}

void free_pgtables(struct mm_struct *mm, struct vm_area_struct *prev,
		   unsigned long start, unsigned long end)
{
	struct vm_area_struct *next = prev ? prev->vm_next : mm->mmap;
	unsigned long floor = prev ? prev->vm_end : 0;
	unsigned long ceiling = next ? next->vm_start : 0;

	BUG_ON_MSG(floor > start || (ceiling && ceiling < end),
		   "free_pgtables [%#lx, %#lx): VMAs still inside (window [%#lx, %#lx))",
		   start, end, floor, ceiling);
	free_pgd_range(mm, start, end, floor, ceiling);
}

void free_pgd_range_all(struct mm_struct *mm)
{
	free_pgd_range(mm, 0, TASK_SIZE_OF(mm->machine), 0, 0);
	VM_BUG_ON_MSG(atomic_load(&mm->nr_ptes), "mm %p: %ld page tables left after teardown",
		      (void *)mm, atomic_load(&mm->nr_ptes));
}

/* --- table lookup and allocation for one address ------------------------------- */

/* The pmd entry of @addr, allocating upper tables (page_table_lock held). */
static pmdp_t pmd_alloc_path(struct mm_struct *mm, unsigned long addr)
{
	pgdp_t pgd = pgd_offset(mm, addr);
	pudp_t pud = pud_alloc(mm, pgd, addr);

	if (!pud.p)
		return (pmdp_t){ NULL, pgd.fmt };
	return pmd_alloc(mm, pud, addr);
}

/* The PTE of @addr, mapped, allocating every table on the way (lock held). */
static ptep_t pte_alloc_path(struct mm_struct *mm, unsigned long addr, pmdp_t *pmdp)
{
	pmdp_t pmd = pmd_alloc_path(mm, addr);

	*pmdp = pmd;
	if (!pmd.p)
		return (ptep_t){ NULL, pmd.fmt };
	return pte_alloc(mm, pmd, addr);
}

/* --- copy_page_range (fork) ------------------------------------------------------ */

static bool pte_range_empty(ptep_t p, unsigned long addr, unsigned long end)
{
	for (; addr < end; addr += PAGE_SIZE, p = ptep_next(p))
		if (!pte_none(ptep_get(p)))
			return false;
	return true;
}

static void copy_pte_range(struct mm_struct *dst, struct vm_area_struct *vma, ptep_t dp,
			   ptep_t sp, unsigned long addr, unsigned long end, bool cow)
{
	struct machine *m = dst->machine;

	for (; addr < end; addr += PAGE_SIZE, sp = ptep_next(sp), dp = ptep_next(dp)) {
		pte_t pte = ptep_get(sp);

		if (pte_none(pte))
			continue;
		if (!pte_present(pte)) {
			/* swapped out: the child's PTE names the same slot */
			BUG_ON_MSG(!swap_duplicate(pte_to_swp_entry(pte)),
				   "fork %#lx: swap entry %#llx names a free slot", addr,
				   (unsigned long long)pte_val(pte));
			atomic_fetch_add(&dst->swap_ents, 1);
			set_pte(dp, pte);
			continue;
		}
		VM_BUG_ON_MSG(!pte_none(ptep_get(dp)), "fork %#lx: child PTE %#llx not empty",
			      addr, (unsigned long long)pte_val(ptep_get(dp)));
		/* private writable: both sides read-only, the first write copies */
		if (cow && pte_write(pte)) {
			ptep_set_wrprotect(sp);
			pte = pte_wrprotect(ptep_get(sp));
		}
		if (vma->vm_flags & VM_SHARED)
			pte = pte_mkclean(pte);
		pte = pte_mkold(pte);
		if (page_is_refcounted(m, vma, pte_pfn(pte))) {
			struct page *page = pfn_to_page(m, pte_pfn(pte));

			get_page(page);
			page_add_rmap(dst, page, addr);
		}
		set_pte(dp, pte);
	}
}

int copy_page_range(struct mm_struct *dst, struct mm_struct *src, struct vm_area_struct *vma)
{
	const struct pgt_format *f = mm_pgt_fmt(src);
	bool cow = (vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
	unsigned long addr = vma->vm_start, end = vma->vm_end;

	/*
	 * Linux's vma_needs_copy: a VMA with no anon_vma holds no private
	 * page (page-cache or shared pages, the zero page at most), and the
	 * child faults those in again; raw frames have no fault to do it.
	 */
	if (!(vma->vm_flags & VM_PFNMAP) &&
	    !(vma_has_anon_slot(vma) && __atomic_load_n(&vma->vm_private_data, __ATOMIC_ACQUIRE)))
		return 0;

	while (addr < end) {
		unsigned long next = pmd_addr_end(f, addr, end);
		pmdp_t spmd = pmd_lookup(src, addr), dpmd;
		ptep_t sp, dp;

		if (!spmd.p || pmd_none(pmdp_get(spmd))) {
			addr = next;
			continue;
		}
		sp = pte_offset_map(spmd, addr);
		if (pte_range_empty(sp, addr, next)) {
			pte_unmap(sp);
			addr = next;
			continue;
		}
		pte_unmap(sp);
		spin_lock(&dst->page_table_lock);
		dp = pte_alloc_path(dst, addr, &dpmd);
		if (!dp.p) {
			spin_unlock(&dst->page_table_lock);
			return -ENOMEM;
		}
		spin_lock(&src->page_table_lock);
		sp = pte_offset_map(spmd, addr);
		copy_pte_range(dst, vma, dp, sp, addr, next, cow);
		pte_unmap(sp);
		spin_unlock(&src->page_table_lock);
		pte_unmap(dp);
		spin_unlock(&dst->page_table_lock);
		addr = next;
	}
	return 0;
}

/* --- page faults ----------------------------------------------------------------- */

/*
 * The fault handlers below are entered with page_table_lock held and the
 * PTE mapped, and return with the lock released and the PTE unmapped.
 */

/* A PTE still holds what the fault saw (ignoring the MMU's Accessed bit)? */
static bool pte_same_fault(pte_t a, pte_t b)
{
	return ((pte_val(a) ^ pte_val(b)) & ~_PAGE_ACCESSED) == 0;
}

static int do_anonymous_page(struct mm_struct *mm, struct vm_area_struct *vma, pmdp_t pmd,
			     ptep_t pte, unsigned long address, bool write)
{
	struct page *page;
	pte_t entry;

	if (!write) {
		/* a read of untouched memory: the shared zero page, read-only */
		entry = pte_wrprotect(mk_pte(mm->machine->zero_page, vma->vm_page_prot));
		set_pte(pte, entry);
		trace_mm_fault_handler(mm->machine, address, "do_anonymous_page", "zero_page",
				       (long)page_to_pfn(mm->machine->zero_page), 0);
		pte_unmap(pte);
		spin_unlock(&mm->page_table_lock);
		count_vm_event(PGFAULT_ZERO);
		return VM_FAULT_MINOR;
	}
	pte_unmap(pte);
	spin_unlock(&mm->page_table_lock);

	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	page = alloc_page_vma(GFP_HIGHUSER | __GFP_ZERO, vma, address);
	if (!page)
		return VM_FAULT_OOM;
	/*
	 * The clear streamed the frame to memory, past the cache: bring the
	 * line the retried store goes to back now, while the rest of the
	 * fault runs, so that the store does not wait for it.
	 */
	__builtin_prefetch(__phys_ram(mm->machine, page_to_phys(page)) + (address & ~PAGE_MASK &
			   ~63UL), 1);

	spin_lock(&mm->page_table_lock);
	pte = pte_offset_map(pmd, address);
	if (!pte_none(ptep_get(pte))) {
		/* another thread of the process got here first */
		pte_unmap(pte);
		spin_unlock(&mm->page_table_lock);
		put_page(page);
		return VM_FAULT_MINOR;
	}
	page_add_anon_rmap(mm, page, address);
	entry = pte_mkwrite(pte_mkdirty(mk_pte(page, vma->vm_page_prot)));
	set_pte(pte, entry);
	trace_mm_fault_handler(mm->machine, address, "do_anonymous_page", "demand_zero",
			       (long)page_to_pfn(page), 0);
	update_mmu_cache(vma, address, entry);
	lru_cache_add(page);
	mlock_vma_page(vma, page);
	pte_unmap(pte);
	spin_unlock(&mm->page_table_lock);
	count_vm_event(PGFAULT_ANON);
	return VM_FAULT_MINOR;
}

/* The most pages fault-around maps at once (a PTE table of x86-64/PAE). */
#define FAULT_AROUND_MAX	512

/*
 * do_fault_around - a read fault on a file or shmem mapping also maps the
 * neighbouring pages already in the page cache (Linux 3.15+), in the
 * window of fault_around_bytes aligned around @address, clipped to the
 * VMA and to the PTE table.  Only empty PTEs are filled, read-only as the
 * fault would (the VMA's protection), young.  The pfn mapped at @address
 * if it got mapped (the fault is done, a minor one), else -1.
 * page_table_lock not held.
 */
static long do_fault_around(struct mm_struct *mm, struct vm_area_struct *vma, pmdp_t pmd,
			    unsigned long address, struct address_space *mapping,
			    unsigned long sequence)
{
	const struct pgt_format *f = mm_pgt_fmt(mm);
	unsigned long nr = mm->machine->cfg.fault_around_bytes >> PAGE_SHIFT;
	unsigned long pte_off = pgt_index(f, PGT_PTE, address);
	unsigned long vma_off = (address - vma->vm_start) >> PAGE_SHIFT;
	unsigned long from, to, start;
	struct page *pages[FAULT_AROUND_MAX];
	long mapped = -1;
	unsigned int count;
	ptep_t pte;

	if (nr > FAULT_AROUND_MAX)
		nr = FAULT_AROUND_MAX;
	from = pte_off - min(pte_off, vma_off);
	if ((pte_off & ~(nr - 1)) > from)
		from = pte_off & ~(nr - 1);
	to = min(min(from + nr, (unsigned long)f->ptrs[PGT_PTE]),
		 pte_off + ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT) - vma_off);
	count = (unsigned int)(to - from);
	start = (address & PAGE_MASK) - ((pte_off - from) << PAGE_SHIFT);
	vma->vm_ops->map_pages(vma, vma->vm_pgoff + vma_off - (pte_off - from), count, pages);

	spin_lock(&mm->page_table_lock);
	/* a truncate since the fault began: map nothing (see do_no_page) */
	if (atomic_load_explicit(&mapping->truncate_count, memory_order_relaxed) == sequence) {
		ptep_t table = pte_offset_map(pmd, start);

		pte = table;
		for (unsigned int i = 0; i < count; i++, pte = ptep_next(pte)) {
			struct page *page = pages[i];
			pte_t entry;

			if (!page || !pte_none(ptep_get(pte)))
				continue;
			page_add_rmap(mm, page, start + ((unsigned long)i << PAGE_SHIFT));
			entry = pte_mkyoung(mk_pte(page, vma->vm_page_prot));
			set_pte(pte, entry);
			mlock_vma_page(vma, page);
			pages[i] = NULL;	/* the reference is the PTE's now */
			if (start + ((unsigned long)i << PAGE_SHIFT) == (address & PAGE_MASK))
				mapped = (long)page_to_pfn(page);
		}
		pte_unmap(table);
	}
	spin_unlock(&mm->page_table_lock);
	for (unsigned int i = 0; i < count; i++)
		if (pages[i])
			put_page(pages[i]);
	return mapped;
}

/*
 * Why a do_no_page fault found its page, for the mm_fault_handler event:
 * a private copy, a page cache page of a file (read from it: major), a
 * shmem page, or a driver's own nopage (mmapdrv's vmalloc buffer).
 */
static const char *nopage_kind(const struct vm_area_struct *vma, int type, bool copy)
{
	if (copy)
		return "cow_file";
	if (vma_is_shmem(vma))
		return type == VM_FAULT_MAJOR ? "shmem_swap_in" : "shmem_page";
	if (vma->vm_ops == &generic_file_vm_ops)
		return type == VM_FAULT_MAJOR ? "file_read" : "file_cached";
	return "driver_nopage";
}

/*
 * do_no_page - first touch of a page of a mapping with ->nopage (files,
 * shmem): the page comes with a reference from nopage; a write to a
 * private mapping maps a private copy instead (COW at fault time).
 */
static int do_no_page(struct mm_struct *mm, struct vm_area_struct *vma, pmdp_t pmd,
		      ptep_t pte, unsigned long address, bool write)
{
	struct page *page, *copy;
	bool anon = false;
	int type = VM_FAULT_MINOR;
	pte_t entry;
	long around;

	struct address_space *mapping = NULL;
	unsigned long sequence = 0;

	if (!vma->vm_ops || !vma->vm_ops->nopage)
		return do_anonymous_page(mm, vma, pmd, pte, address, write);
	pte_unmap(pte);
	spin_unlock(&mm->page_table_lock);

	/*
	 * A truncate may zap this range and drop the page while nopage finds
	 * it: it bumps truncate_count before zapping, so a count that moved
	 * by the time page_table_lock is ours again means the page may be
	 * past EOF now and must not be mapped (2.6's check; the fault is
	 * retried and nopage sees the new size).
	 */
	if (vma->vm_file) {
		mapping = vma->vm_file->f_mapping;
		sequence = atomic_load_explicit(&mapping->truncate_count, memory_order_acquire);
	}
	if (!write && mapping && vma->vm_ops->map_pages &&
	    mm->machine->cfg.fault_around_bytes > PAGE_SIZE &&
	    (around = do_fault_around(mm, vma, pmd, address, mapping, sequence)) >= 0) {
		trace_mm_fault_handler(mm->machine, address, "do_fault_around",
				       nopage_kind(vma, VM_FAULT_MINOR, false), around,
				       (long)(((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff));
		return VM_FAULT_MINOR;
	}
	page = vma->vm_ops->nopage(vma, address & PAGE_MASK, &type);
	if (page == NOPAGE_SIGBUS)
		return VM_FAULT_SIGBUS;
	if (page == NOPAGE_OOM)
		return VM_FAULT_OOM;
	if (DEBUG_VM && unlikely(mm->machine->debug_after_nopage))
		mm->machine->debug_after_nopage(vma, address);
	if (write && !(vma->vm_flags & VM_SHARED)) {
		/* do_cow_fault: the private copy's VMA gets its anon_vma first */
		copy = anon_vma_prepare(vma) ? NULL : alloc_page_vma(GFP_HIGHUSER, vma, address);
		if (!copy) {
			put_page(page);
			return VM_FAULT_OOM;
		}
		copy_user_highpage(copy, page, address);
		put_page(page);
		page = copy;
		anon = true;
	}

	spin_lock(&mm->page_table_lock);
	pte = pte_offset_map(pmd, address);
	if (!pte_none(ptep_get(pte)) ||
	    (mapping && unlikely(atomic_load_explicit(&mapping->truncate_count,
						      memory_order_relaxed) != sequence))) {
		/* another thread mapped it, or a truncate ran: the access retries */
		pte_unmap(pte);
		spin_unlock(&mm->page_table_lock);
		put_page(page);
		return VM_FAULT_MINOR;
	}
	if (anon)
		page_add_anon_rmap(mm, page, address);
	else
		page_add_rmap(mm, page, address);
	entry = mk_pte(page, vma->vm_page_prot);
	if (write)
		entry = pte_mkwrite(pte_mkdirty(entry));
	set_pte(pte, entry);
	trace_mm_fault_handler(mm->machine, address, "do_no_page", nopage_kind(vma, type, anon),
			       (long)page_to_pfn(page),
			       (long)(((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff));
	if (anon)
		lru_cache_add(page);
	mlock_vma_page(vma, page);
	pte_unmap(pte);
	spin_unlock(&mm->page_table_lock);
	return type;
}

/*
 * do_swap_page - the PTE holds a swap entry: find the page in the swap
 * cache, or read it from its slot (a major fault), and map it.  The PTE's
 * slot reference goes.  A write to a page nobody else uses (no other PTE
 * names the slot) takes it out of the swap cache and maps it writable;
 * otherwise it is mapped read-only and a write copies it (do_wp_page).
 */
static int do_swap_page(struct mm_struct *mm, struct vm_area_struct *vma, pmdp_t pmd,
			ptep_t pte, unsigned long address, pte_t orig, bool write)
{
	swp_entry_t entry = pte_to_swp_entry(orig);
	int ret = VM_FAULT_MINOR, err = 0;
	struct page *page;
	pte_t entry_pte;
	bool same;

	pte_unmap(pte);
	spin_unlock(&mm->page_table_lock);
	page = lookup_swap_cache(entry);
	if (!page) {
		swapin_readahead(entry);	/* swap readahead (mm/swap_state.c), as 2.4 */
		page = read_swap_cache(entry, &err);
		if (!page) {
			/* another thread may have swapped it in and freed the slot */
			spin_lock(&mm->page_table_lock);
			pte = pte_offset_map(pmd, address);
			same = pte_same_fault(ptep_get(pte), orig);
			pte_unmap(pte);
			spin_unlock(&mm->page_table_lock);
			if (!same)
				return VM_FAULT_MINOR;
			/* a read error is SIGBUS, as Linux 2.6+ (2.4 made it an OOM kill) */
			if (err == -EIO)
				return VM_FAULT_SIGBUS;
			return swap_count(entry) ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
		}
		ret = VM_FAULT_MAJOR;
	}
	mark_page_accessed(page);
	lock_page(page);

	spin_lock(&mm->page_table_lock);
	pte = pte_offset_map(pmd, address);
	if (!pte_same_fault(ptep_get(pte), orig) || !PageUptodate(page)) {
		same = pte_same_fault(ptep_get(pte), orig);
		pte_unmap(pte);
		spin_unlock(&mm->page_table_lock);
		unlock_page(page);
		put_page(page);
		return same ? VM_FAULT_SIGBUS : VM_FAULT_MINOR;
	}
	/* our lookup reference becomes the PTE's; the PTE's slot reference goes */
	swap_free(entry);
	atomic_fetch_sub(&mm->swap_ents, 1);
	page_add_anon_rmap(mm, page, address);
	entry_pte = mk_pte(page, vma->vm_page_prot);
	if (write && remove_exclusive_swap_page(page)) {
		entry_pte = pte_mkwrite(pte_mkdirty(entry_pte));
	} else {
		/* swap filling up: a read fault gives the slot back too */
		if (vm_swap_full(mm->machine))
			remove_exclusive_swap_page(page);
		entry_pte = pte_wrprotect(entry_pte);
	}
	set_pte(pte, pte_mkyoung(entry_pte));
	trace_mm_fault_handler(mm->machine, address, "do_swap_page",
			       ret == VM_FAULT_MAJOR ? "swap_in" : "swap_cache",
			       (long)page_to_pfn(page), (long)swp_offset(entry));
	mlock_vma_page(vma, page);
	pte_unmap(pte);
	spin_unlock(&mm->page_table_lock);
	unlock_page(page);
	return ret;
}

/*
 * do_wp_page - a write to a present read-only page of a writable VMA:
 * copy-on-write.  The page is reused in place when this PTE is its only
 * user (an anonymous page nobody else maps or holds); otherwise a copy
 * replaces it.  A write after a read of the ZERO_PAGE gets a zeroed page.
 */
static int do_wp_page(struct mm_struct *mm, struct vm_area_struct *vma, pmdp_t pmd,
		      ptep_t pte, unsigned long address, pte_t orig)
{
	struct machine *m = mm->machine;
	unsigned long pfn = pte_pfn(orig);
	struct page *old_page, *new_page;
	bool zero;

	if (!pfn_valid(m, pfn) || (vma->vm_flags & VM_PFNMAP)) {
		/* raw frames of remap_page_range have no struct page to copy from */
		pte_unmap(pte);
		spin_unlock(&mm->page_table_lock);
		return VM_FAULT_SIGBUS;
	}
	old_page = pfn_to_page(m, pfn);
	zero = PageZero(old_page);
	/* 2.4's can_share_swap_page: the swap cache's copy goes if only we use it */
	if (!zero && PageSwapCache(old_page) && page_mapcount(old_page) == 1 &&
	    trylock_page(old_page)) {
		remove_exclusive_swap_page(old_page);
		unlock_page(old_page);
	}
	if (!zero && PageAnon(old_page) && page_mapcount(old_page) == 1 &&
	    page_count(old_page) == 1) {
		pte_t entry = pte_mkyoung(pte_mkdirty(pte_mkwrite(orig)));

		set_pte(pte, entry);
		trace_mm_fault_handler(m, address, "do_wp_page", "cow_reuse", (long)pfn, 0);
		update_mmu_cache(vma, address, entry);
		pte_unmap(pte);
		spin_unlock(&mm->page_table_lock);
		count_vm_event(PGFAULT_COW_REUSE);
		return VM_FAULT_MINOR;
	}
	if (!zero)
		get_page(old_page);
	pte_unmap(pte);
	spin_unlock(&mm->page_table_lock);

	new_page = anon_vma_prepare(vma) ? NULL :
		   alloc_page_vma(GFP_HIGHUSER | (zero ? __GFP_ZERO : 0), vma, address);
	if (!new_page) {
		if (!zero)
			put_page(old_page);
		return VM_FAULT_OOM;
	}
	if (!zero)
		copy_user_highpage(new_page, old_page, address);
	/* the copy streamed past the cache: fetch the line the retried store needs */
	__builtin_prefetch(__phys_ram(m, page_to_phys(new_page)) + (address & ~PAGE_MASK & ~63UL),
			   1);

	spin_lock(&mm->page_table_lock);
	pte = pte_offset_map(pmd, address);
	if (pte_same_fault(ptep_get(pte), orig)) {
		if (!zero) {
			page_remove_rmap(mm, old_page, address);
			munlock_vma_page(vma, old_page);
		}
		page_add_anon_rmap(mm, new_page, address);
		pte_t entry = pte_mkwrite(pte_mkdirty(mk_pte(new_page, vma->vm_page_prot)));

		set_pte(pte, entry);
		/* a shared anonymous page (since a fork), or a private mapping's file page */
		trace_mm_fault_handler(m, address, "do_wp_page", zero ? "cow_zero" :
				       PageAnon(old_page) ? "cow_copy" : "cow_file",
				       (long)page_to_pfn(new_page), (long)pfn);
		/* no CPU may keep reading the old frame through this address */
		flush_tlb_page(vma, address);
		update_mmu_cache(vma, address, entry);
		lru_cache_add(new_page);
		mlock_vma_page(vma, new_page);
		count_vm_event(PGFAULT_COW);
		/* the mapping's reference to the old page goes below */
		new_page = zero ? NULL : old_page;
	}
	pte_unmap(pte);
	spin_unlock(&mm->page_table_lock);
	if (new_page)
		put_page(new_page);
	if (!zero)
		put_page(old_page);
	return VM_FAULT_MINOR;
}

static int handle_pte_fault(struct mm_struct *mm, struct vm_area_struct *vma, pmdp_t pmd,
			    ptep_t pte, unsigned long address, bool write)
{
	pte_t entry = ptep_get(pte);

	if (!pte_present(entry)) {
		if (pte_none(entry))
			return do_no_page(mm, vma, pmd, pte, address, write);
		return do_swap_page(mm, vma, pmd, pte, address, entry, write);
	}
	if (write && !pte_write(entry))
		return do_wp_page(mm, vma, pmd, pte, address, entry);
	/*
	 * Present and allowed: another CPU resolved it first, or a stale TLB
	 * entry of ours.  Set what the MMU would have set.
	 */
	if (!pte_protnone(entry))
		__pgt_or(pte.p, pte.fmt, _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0));
	trace_mm_fault_handler(mm->machine, address, "handle_pte_fault", "spurious",
			       (long)pte_pfn(entry), 0);
	pte_unmap(pte);
	spin_unlock(&mm->page_table_lock);
	local_flush_tlb_page(address);
	return VM_FAULT_MINOR;
}

int handle_mm_fault(struct mm_struct *mm, struct vm_area_struct *vma,
		    unsigned long address, unsigned int flags)
{
	bool write = flags & FAULT_FLAG_WRITE;
	pmdp_t pmd;
	ptep_t pte;

	count_vm_event(PGFAULT);
	spin_lock(&mm->page_table_lock);
	pte = pte_alloc_path(mm, address, &pmd);
	if (!pte.p) {
		spin_unlock(&mm->page_table_lock);
		return VM_FAULT_OOM;
	}
	return handle_pte_fault(mm, vma, pmd, pte, address, write);
}

/* --- follow_page, make_pages_present ---------------------------------------------- */

/*
 * @touch (Linux's FOLL_TOUCH, as get_user_pages and populate use it): mark
 * the page accessed, under page_table_lock while the PTE still maps it.
 */
static struct page *__follow_page(struct mm_struct *mm, unsigned long address, int write,
				  bool touch)
{
	struct machine *m = mm->machine;
	struct page *page = NULL;
	pmdp_t pmd;
	ptep_t ptep;
	pte_t pte;

	if (!pgt_va_valid(mm_pgt_fmt(mm), address) || address >= TASK_SIZE_OF(mm->machine))
		return NULL;
	spin_lock(&mm->page_table_lock);
	pmd = pmd_lookup(mm, address);
	if (!pmd.p || pmd_none(pmdp_get(pmd)) || pmd_bad(pmdp_get(pmd)))
		goto out;
	ptep = pte_offset_map(pmd, address);
	pte = ptep_get(ptep);
	pte_unmap(ptep);
	if (pte_present(pte) && (!write || (pte_write(pte) && pte_dirty(pte))) &&
	    pfn_valid(m, pte_pfn(pte))) {
		page = pfn_to_page(m, pte_pfn(pte));
		if (touch && !PageZero(page) && !PageReserved(page))
			mark_page_accessed(page);
	}
out:
	spin_unlock(&mm->page_table_lock);
	return page;
}

struct page *follow_page(struct mm_struct *mm, unsigned long address, int write)
{
	return __follow_page(mm, address, write, false);
}

/*
 * make_pages_present - fault in [start, end) (mmap_sem held): a write
 * fault where a later write would copy (private writable mappings), a read
 * fault elsewhere, as Linux's populate.  PROT_NONE and raw-frame areas are
 * skipped.
 */
int make_pages_present(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	unsigned long addr = start & PAGE_MASK;

	while (addr < end) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		unsigned long vend;
		unsigned int flags = 0;
		bool write;

		if (!vma || vma->vm_start >= end)
			return -EFAULT;
		if (vma->vm_start > addr)
			return -EFAULT;
		vend = vma->vm_end < end ? vma->vm_end : end;
		if ((vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
		    !(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC))) {
			addr = vend;
			continue;
		}
		write = (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
		if (write)
			flags |= FAULT_FLAG_WRITE;
		for (; addr < vend; addr += PAGE_SIZE) {
			int ret;

			/* as get_user_pages: fault until the page is there, then touch it */
			while (!__follow_page(mm, addr, write, true)) {
				ret = handle_mm_fault(mm, vma, addr, flags);
				if (ret == VM_FAULT_OOM)
					return -ENOMEM;
				if (ret == VM_FAULT_SIGBUS || ret == VM_FAULT_SIGSEGV)
					return -EFAULT;
			}
		}
	}
	return 0;
}

/* --- change_protection (mprotect) ------------------------------------------------ */

struct prot_args {
	pgprot_t newprot;
};

static void change_pte_range_fn(void *arg, pmdp_t pmd, unsigned long addr, unsigned long end)
{
	struct prot_args *pa = arg;
	ptep_t start = pte_offset_map(pmd, addr), p = start;

	for (; addr < end; addr += PAGE_SIZE, p = ptep_next(p)) {
		pte_t old;

		do {
			old = ptep_get(p);
			if (!pte_present(old))
				break;	/* empty, or a swap entry: nothing mapped */
		} while (!__pgt_cmpxchg(p.p, p.fmt, pte_val(old),
					pte_val(pte_modify(old, pa->newprot)) &
					p.fmt->entry_mask));
	}
	pte_unmap(start);
}

void change_protection(struct vm_area_struct *vma, unsigned long start, unsigned long end,
		       pgprot_t newprot)
{
	struct mm_struct *mm = vma->vm_mm;
	struct prot_args pa = { newprot };

	if (start >= end)
		return;
	spin_lock(&mm->page_table_lock);
	walk_pmd_ranges(mm, start, end, change_pte_range_fn, &pa);
	flush_tlb_range(mm, start, end);
	spin_unlock(&mm->page_table_lock);
}

/* --- move_page_tables (mremap) ---------------------------------------------------- */

/*
 * move_page_tables - move the entries of [old_addr, old_addr + len) of
 * @vma to @new_addr in @new_vma (same mm, mmap_sem held for writing).
 * Pages keep their references and counts.  On -ENOMEM the entries moved
 * so far stay at the new place (the caller moves them back, which needs no
 * allocation).
 */
int move_page_tables(struct vm_area_struct *vma, unsigned long old_addr,
		     struct vm_area_struct *new_vma, unsigned long new_addr, unsigned long len)
{
	struct mm_struct *mm = vma->vm_mm;
	const struct pgt_format *f = mm_pgt_fmt(mm);
	unsigned long off = 0;
	int err = 0;

	(void)new_vma;
	spin_lock(&mm->page_table_lock);
	while (off < len) {
		unsigned long from = old_addr + off;
		unsigned long next = pmd_addr_end(f, from, old_addr + len);
		pmdp_t spmd = pmd_lookup(mm, from), dpmd;
		ptep_t sp, dp;

		if (!spmd.p || pmd_none(pmdp_get(spmd))) {
			off = next - old_addr;
			continue;
		}
		for (; from < next; from += PAGE_SIZE, off += PAGE_SIZE) {
			unsigned long to = new_addr + off;
			pte_t pte;

			/* look the source up again: the allocation may drop the lock */
			sp = pte_offset_map(spmd, from);
			pte = ptep_get(sp);
			pte_unmap(sp);
			if (pte_none(pte))
				continue;
			dp = pte_alloc_path(mm, to, &dpmd);
			if (!dp.p) {
				err = -ENOMEM;
				goto out;
			}
			sp = pte_offset_map(spmd, from);
			pte = ptep_get_and_clear(sp);
			pte_unmap(sp);
			VM_BUG_ON_MSG(!pte_none(ptep_get(dp)),
				      "move_page_tables: target %#lx already mapped (%#llx)", to,
				      (unsigned long long)pte_val(ptep_get(dp)));
			set_pte(dp, pte);
			pte_unmap(dp);
			if (pte_present(pte) && page_is_refcounted(mm->machine, vma, pte_pfn(pte))) {
				struct page *page = pfn_to_page(mm->machine, pte_pfn(pte));

				rmap_del(mm, page, from);
				rmap_add(mm, page, to);
			}
		}
	}
out:
	/* nobody may keep using the old addresses */
	flush_tlb_range(mm, old_addr, old_addr + len);
	spin_unlock(&mm->page_table_lock);
	return err;
}

/* --- zeromap_page_range, remap_page_range ----------------------------------------- */

/*
 * Map @pte_for(i) at each page of [from, from + size) in @vma, dropping
 * whatever was mapped there.  0 or -ENOMEM (pages mapped so far stay).
 */
static int map_range(struct vm_area_struct *vma, unsigned long from, unsigned long size,
		     pte_t (*pte_for)(void *arg, unsigned long i), void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	struct machine *m = mm->machine;
	struct mmu_gather tlb;
	unsigned long end = from + size;
	int err = 0;

	if (from & ~PAGE_MASK || size & ~PAGE_MASK || end < from ||
	    from < vma->vm_start || end > vma->vm_end)
		return -EINVAL;
	tlb_gather_init(&tlb, mm);
	spin_lock(&mm->page_table_lock);
	for (unsigned long addr = from; addr < end; addr += PAGE_SIZE) {
		pmdp_t pmd;
		ptep_t p = pte_alloc_path(mm, addr, &pmd);
		pte_t old;

		if (!p.p) {
			err = -ENOMEM;
			break;
		}
		old = ptep_get_and_clear(p);
		set_pte(p, pte_for(arg, (addr - from) >> PAGE_SHIFT));
		pte_unmap(p);
		if (pte_none(old))
			continue;
		if (!pte_present(old)) {
			free_swap_and_cache(pte_to_swp_entry(old));
			atomic_fetch_sub(&mm->swap_ents, 1);
			continue;
		}
		tlb_note_range(&tlb, addr);
		if (page_is_refcounted(m, vma, pte_pfn(old))) {
			struct page *page = pfn_to_page(m, pte_pfn(old));

			page_remove_rmap(mm, page, addr);
			tlb_remove_page(&tlb, page);
		}
	}
	tlb_flush_mmu(&tlb);
	spin_unlock(&mm->page_table_lock);
	return err;
}

struct zero_args {
	pte_t pte;
};

static pte_t zero_pte_for(void *arg, unsigned long i)
{
	(void)i;
	return ((struct zero_args *)arg)->pte;
}

int zeromap_page_range(struct vm_area_struct *vma, unsigned long from, unsigned long size,
		       pgprot_t prot)
{
	struct zero_args za = { pte_wrprotect(mk_pte(vma->vm_mm->machine->zero_page, prot)) };

	return map_range(vma, from, size, zero_pte_for, &za);
}

struct remap_args {
	const struct pgt_format *f;
	unsigned long pfn;
	pgprot_t prot;
};

static pte_t remap_pte_for(void *arg, unsigned long i)
{
	struct remap_args *ra = arg;

	return pfn_pte_fmt(ra->f, ra->pfn + i, ra->prot);
}

int remap_page_range(struct vm_area_struct *vma, unsigned long from, phys_addr_t phys,
		     unsigned long size, pgprot_t prot)
{
	struct machine *m = vma->vm_mm->machine;
	struct remap_args ra = { pgt_fmt(m), (unsigned long)(phys >> PAGE_SHIFT), prot };

	/* frames of RAM, or of the device memory (the MMIO region, hw/) */
	if (phys & ~PAGE_MASK || phys + size < phys ||
	    (phys + size > m->ram_size && !hw_is_mmio(&m->hw, phys, size)))
		return -EINVAL;
	/* raw frames: no references, never copied on write, never swapped */
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND;
	return map_range(vma, from, size, remap_pte_for, &ra);
}

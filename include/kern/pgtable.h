/*
 * The kernel's page tables on the simulated x86 (arch/x86/mm/pgtable.c):
 * the three hardware formats (hw/paging.h), chosen per machine
 * (cfg.paging), behind Linux's accessor names, and the kernel's virtual
 * layout in each.
 *
 *   format  user space                  direct map (PAGE_OFFSET)
 *   i386    below 0xC0000000            0xC0000000
 *   pae     below 0xC0000000            0xC0000000
 *   x86_64  below 0x7ffffffff000        0xffff888000000000
 *
 * Code is written once against the 4-level model (pgd -> pud -> pmd -> pte)
 * and the missing levels are folded, as the seeds explain for the i386 PMD:
 * a folded level has one entry, which *is* the entry of the level above.
 * On i386 the pgd and pud are trivial (pgd_none() is always false) and the
 * pmd is the real pgd entry; on PAE the pgd is trivial and the pud is the
 * real PDPT entry (so pud_none() tells whether a pmd page exists).
 *
 * Entries are handled as 64-bit values (pte_t ...).  A pointer to an entry
 * in simulated RAM (ptep_t ...) carries its format, so every accessor
 * knows the entry width (4 or 8 bytes) and the folding without a lookup.
 * Entries are read and written with atomic operations: the MMU of another
 * simulated CPU may be setting Accessed/Dirty in the same word.
 *
 * Locking: a process's page tables change under mm->page_table_lock (PTE
 * contents, allocation of table pages); removing tables also needs
 * mm->mmap_sem for write.  The MMU walks without locks (as hardware does):
 * a table page is freed only after the TLB shootdown (flush_tlb_*) that
 * waits out every CPU in the middle of an access.
 */
#ifndef KERN_PGTABLE_H
#define KERN_PGTABLE_H

#include "kern/mm_types.h"
#include "kern/mm.h"
#include "hw/paging.h"

/* --- the kernel's entry conventions (the hardware's bits: hw/paging.h) ---- */

/*
 * _PAGE_PROTNONE: a PROT_NONE mapping (Linux 2.4's choice of bit): not
 * present for the MMU, which faults, but present for the kernel (the page
 * stays mapped, counted and swappable).  Only meaningful when !PRESENT.
 */
#define _PAGE_PROTNONE	0x080ULL
#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _KERNPG_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

/* protections (pgprot_t is the _PAGE_* bits of an entry without the frame) */
/* (NX is dropped by mk_pte on i386, which has no such bit) */
#define PAGE_NONE	(_PAGE_PROTNONE | _PAGE_ACCESSED)
#define PAGE_SHARED_EXEC (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_SHARED	(PAGE_SHARED_EXEC | _PAGE_NX)
#define PAGE_COPY_EXEC	(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY	(PAGE_COPY_EXEC | _PAGE_NX)
#define PAGE_READONLY_EXEC (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_READONLY	(PAGE_READONLY_EXEC | _PAGE_NX)
#define PAGE_KERNEL	(_PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED | \
			 _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_KERNEL_RO	(_PAGE_PRESENT | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_KERNEL_EXEC (_PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_GLOBAL)

/* Bits pte_modify() keeps: the frame, Accessed, Dirty. */
#define _PAGE_CHG_FLAGS	(_PAGE_ACCESSED | _PAGE_DIRTY)

/* --- formats and the kernel's layout -------------------------------------- */

_Static_assert((int)VMSIM_PAGING_I386 == HW_PAGING_I386 && (int)VMSIM_PAGING_PAE == HW_PAGING_PAE &&
	       (int)VMSIM_PAGING_X86_64 == HW_PAGING_X86_64, "vmsim_paging and hw_paging differ");

/* Where Linux puts user space, the direct map and the kernel half of the pgd. */
struct x86_layout {
	unsigned long task_size;		/* end of user space (TASK_SIZE) */
	unsigned long page_offset;		/* start of the direct map (PAGE_OFFSET) */
	unsigned long kernel_start;		/* start of the kernel half of the pgd */
};
extern const struct x86_layout x86_layouts[HW_NR_PAGING];

static __always_inline const struct pgt_format *pgt_fmt(const struct machine *m)
{
	return &pgt_formats[m->cfg.paging];
}
static __always_inline const struct pgt_format *mm_pgt_fmt(const struct mm_struct *mm)
{
	return pgt_fmt(mm->machine);
}

/* Machine-wide layout constants (they depend on the format). */
#define TASK_SIZE_OF(m)		(x86_layouts[(m)->cfg.paging].task_size)
#define TASK_SIZE		TASK_SIZE_OF(this_machine())
#define PAGE_OFFSET_OF(m)	(x86_layouts[(m)->cfg.paging].page_offset)
#define KERNEL_START_OF(m)	(x86_layouts[(m)->cfg.paging].kernel_start)

/* --- entry values ------------------------------------------------------- */

typedef struct { uint64_t pte; } pte_t;
typedef struct { uint64_t pmd; } pmd_t;
typedef struct { uint64_t pud; } pud_t;
typedef struct { uint64_t pgd; } pgd_t;

#define pte_val(x)	((x).pte)
#define pmd_val(x)	((x).pmd)
#define pud_val(x)	((x).pud)
#define pgd_val(x)	((x).pgd)
#define __pte(x)	((pte_t){ (x) })
#define __pmd(x)	((pmd_t){ (x) })
#define __pud(x)	((pud_t){ (x) })
#define __pgd(x)	((pgd_t){ (x) })

/*
 * Pointers to entries in simulated RAM.  @p is a host pointer to the
 * entry; NULL @p is "no entry" (ptep_none_ptr()).
 */
typedef struct { void *p; const struct pgt_format *fmt; } pgdp_t;
typedef struct { void *p; const struct pgt_format *fmt; } pudp_t;
typedef struct { void *p; const struct pgt_format *fmt; } pmdp_t;
typedef struct { void *p; const struct pgt_format *fmt; } ptep_t;

static inline pgd_t pgdp_get(pgdp_t p) { return __pgd(__pgt_read(p.p, p.fmt)); }
static inline pud_t pudp_get(pudp_t p) { return __pud(__pgt_read(p.p, p.fmt)); }
static inline pmd_t pmdp_get(pmdp_t p) { return __pmd(__pgt_read(p.p, p.fmt)); }
static inline pte_t ptep_get(ptep_t p) { return __pte(__pgt_read(p.p, p.fmt)); }

static inline void set_pgd(pgdp_t p, pgd_t v) { __pgt_write(p.p, p.fmt, pgd_val(v)); }
static inline void set_pud(pudp_t p, pud_t v) { __pgt_write(p.p, p.fmt, pud_val(v)); }
static inline void set_pmd(pmdp_t p, pmd_t v) { __pgt_write(p.p, p.fmt, pmd_val(v)); }
static inline void set_pte(ptep_t p, pte_t v) { __pgt_write(p.p, p.fmt, pte_val(v)); }
static inline void pte_clear(ptep_t p) { __pgt_write(p.p, p.fmt, 0); }
static inline void pmd_clear(pmdp_t p) { __pgt_write(p.p, p.fmt, 0); }

/* Step an entry pointer within its table. */
static inline ptep_t ptep_next(ptep_t p)
{
	p.p = (uint8_t *)p.p + (1u << p.fmt->entry_shift);
	return p;
}
static inline pmdp_t pmdp_next(pmdp_t p)
{
	if (!p.fmt->pmd_folded)
		p.p = (uint8_t *)p.p + (1u << p.fmt->entry_shift);
	return p;
}
static inline bool ptep_is_null(ptep_t p) { return p.p == NULL; }
static inline bool pmdp_is_null(pmdp_t p) { return p.p == NULL; }

/* Atomic read-modify-write of PTEs, as Linux's ptep_* helpers. */
static inline pte_t ptep_get_and_clear(ptep_t p) { return __pte(__pgt_xchg(p.p, p.fmt, 0)); }
static inline void ptep_set_wrprotect(ptep_t p) { __pgt_and(p.p, p.fmt, ~_PAGE_RW); }
static inline void ptep_mkdirty(ptep_t p) { __pgt_or(p.p, p.fmt, _PAGE_DIRTY); }
static inline bool ptep_test_and_clear_young(ptep_t p)
{
	return __pgt_and(p.p, p.fmt, ~_PAGE_ACCESSED) & _PAGE_ACCESSED;
}
static inline bool ptep_test_and_clear_dirty(ptep_t p)
{
	return __pgt_and(p.p, p.fmt, ~_PAGE_DIRTY) & _PAGE_DIRTY;
}

/* --- PTE value helpers ---------------------------------------------------- */

static inline bool pte_none(pte_t x) { return pte_val(x) == 0; }
/* present for the kernel: mapped, even if PROT_NONE */
static inline bool pte_present(pte_t x) { return pte_val(x) & (_PAGE_PRESENT | _PAGE_PROTNONE); }
static inline bool pte_protnone(pte_t x)
{
	return (pte_val(x) & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE;
}
static inline bool pte_read(pte_t x) { return pte_val(x) & _PAGE_USER; }
static inline bool pte_user(pte_t x) { return pte_val(x) & _PAGE_USER; }
static inline bool pte_write(pte_t x) { return pte_val(x) & _PAGE_RW; }
static inline bool pte_dirty(pte_t x) { return pte_val(x) & _PAGE_DIRTY; }
static inline bool pte_young(pte_t x) { return pte_val(x) & _PAGE_ACCESSED; }
static inline bool pte_exec(pte_t x) { return !(pte_val(x) & _PAGE_NX); }
static inline pte_t pte_mkwrite(pte_t x) { return __pte(pte_val(x) | _PAGE_RW); }
static inline pte_t pte_wrprotect(pte_t x) { return __pte(pte_val(x) & ~_PAGE_RW); }
static inline pte_t pte_mkdirty(pte_t x) { return __pte(pte_val(x) | _PAGE_DIRTY); }
static inline pte_t pte_mkclean(pte_t x) { return __pte(pte_val(x) & ~_PAGE_DIRTY); }
static inline pte_t pte_mkyoung(pte_t x) { return __pte(pte_val(x) | _PAGE_ACCESSED); }
static inline pte_t pte_mkold(pte_t x) { return __pte(pte_val(x) & ~_PAGE_ACCESSED); }
static inline pte_t pte_mkexec(pte_t x) { return __pte(pte_val(x) & ~_PAGE_NX); }
static inline pte_t pte_exprotect(pte_t x) { return __pte(pte_val(x) | _PAGE_NX); }

/* Frame number of a present (or PROT_NONE) entry. */
static inline unsigned long pte_pfn(pte_t x)
{
	return (unsigned long)((pte_val(x) & 0x000ffffffffff000ULL) >> PAGE_SHIFT);
}
/* The struct page of a present entry (running CPU's machine). */
static inline struct page *pte_page(pte_t x)
{
	return pfn_to_page(this_machine(), pte_pfn(x));
}
/* An entry for frame @pfn with protection @prot, in the machine's format. */
static inline pte_t pfn_pte_fmt(const struct pgt_format *f, unsigned long pfn, pgprot_t prot)
{
	return __pte((((uint64_t)pfn << PAGE_SHIFT) | prot) & f->entry_mask);
}
static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return pfn_pte_fmt(pgt_fmt(this_machine()), pfn, prot);
}
static inline pte_t mk_pte(struct page *page, pgprot_t prot)
{
	return pfn_pte_fmt(pgt_fmt(page_machine(page)), page_to_pfn(page), prot);
}
/* The protection bits of an entry (without the frame). */
static inline pgprot_t pte_pgprot(pte_t x)
{
	return pte_val(x) & ~0x000ffffffffff000ULL;
}
/* New protection, keeping frame, Accessed and Dirty (mprotect). */
static inline pte_t pte_modify(pte_t x, pgprot_t newprot)
{
	uint64_t keep = pte_val(x) & (0x000ffffffffff000ULL | _PAGE_CHG_FLAGS);

	return __pte(keep | (newprot & ~(0x000ffffffffff000ULL | _PAGE_CHG_FLAGS)));
}

/* --- swap entries in not-present PTEs ------------------------------------- */

/*
 * A swapped-out page leaves a swap entry in its PTE: not present, not
 * PROT_NONE, type in bits 1-6 and offset from bit 8 (2.4's i386 layout;
 * offsets fit 24 bits on i386, 55 on the 64-bit formats).
 */
typedef struct { unsigned long val; } swp_entry_t;

#define MAX_SWAPFILES_SHIFT	5
#define MAX_SWAPFILES		(1 << MAX_SWAPFILES_SHIFT)
#define SWP_TYPE_SHIFT		1
#define SWP_OFFSET_SHIFT	8

static inline swp_entry_t swp_entry(unsigned int type, unsigned long offset)
{
	return (swp_entry_t){ ((unsigned long)type << SWP_TYPE_SHIFT) |
			      (offset << SWP_OFFSET_SHIFT) };
}
static inline unsigned int swp_type(swp_entry_t e) { return (e.val >> SWP_TYPE_SHIFT) & 0x3f; }
static inline unsigned long swp_offset(swp_entry_t e) { return e.val >> SWP_OFFSET_SHIFT; }
static inline swp_entry_t pte_to_swp_entry(pte_t x) { return (swp_entry_t){ (unsigned long)pte_val(x) }; }
static inline pte_t swp_entry_to_pte(swp_entry_t e) { return __pte(e.val); }
/* A not-present, non-empty PTE is a swap entry. */
static inline bool is_swap_pte(pte_t x) { return !pte_none(x) && !pte_present(x); }
/* Largest swap offset a PTE of format @f can hold. */
static inline unsigned long swp_offset_max(const struct pgt_format *f)
{
	return f->wide ? (1UL << 55) - 1 : (1UL << 24) - 1;
}

/* --- upper-level entry helpers --------------------------------------------- */

/*
 * Folded levels: the trivial level's none/bad are false and present is
 * true.  i386: pgd and pud trivial.  PAE: pgd trivial.  x86-64: none.
 */
static inline bool pgd_trivial(pgdp_t p) { return p.fmt->pud_folded; }
static inline bool pud_trivial(pudp_t p) { return p.fmt->pud_folded && p.fmt->pmd_folded; }

static inline bool pgd_none(pgdp_t p) { return !pgd_trivial(p) && pgd_val(pgdp_get(p)) == 0; }
static inline bool pgd_present(pgdp_t p)
{
	return pgd_trivial(p) || (pgd_val(pgdp_get(p)) & _PAGE_PRESENT);
}
static inline bool pud_none(pudp_t p) { return !pud_trivial(p) && pud_val(pudp_get(p)) == 0; }
static inline bool pud_present(pudp_t p)
{
	return pud_trivial(p) || (pud_val(pudp_get(p)) & _PAGE_PRESENT);
}
static inline bool pmd_none(pmd_t x) { return pmd_val(x) == 0; }
static inline bool pmd_present(pmd_t x) { return pmd_val(x) & _PAGE_PRESENT; }
static inline bool pmd_large(pmd_t x) { return (pmd_val(x) & (_PAGE_PRESENT | _PAGE_PSE)) == (_PAGE_PRESENT | _PAGE_PSE); }
/* A pmd that is neither empty nor a present table: corruption. */
static inline bool pmd_bad(pmd_t x)
{
	return !pmd_none(x) && (!(pmd_val(x) & _PAGE_PRESENT) || (pmd_val(x) & _PAGE_PSE));
}
static inline unsigned long pmd_pfn(pmd_t x) { return (unsigned long)((pmd_val(x) & 0x000ffffffffff000ULL) >> PAGE_SHIFT); }
/* struct page of the PTE table a pmd points to. */
static inline struct page *pmd_page(pmd_t x) { return pfn_to_page(this_machine(), pmd_pfn(x)); }

/* --- walking --------------------------------------------------------------- */

/*
 * As in Linux, the walkers take no machine: they run on a simulated CPU of
 * the machine owning the tables (this_machine()).
 */

#define pgd_index(f, a)	pgt_index(f, PGT_PGD, a)
#define pud_index(f, a)	pgt_index(f, PGT_PUD, a)
#define pmd_index(f, a)	pgt_index(f, PGT_PMD, a)
#define pte_index(f, a)	pgt_index(f, PGT_PTE, a)

/* Host pointer of a table page (the hardware view: any frame). */
static inline void *__pgt_table(struct machine *m, uint64_t entry)
{
	return m->ram + (entry & 0x000ffffffffff000ULL);
}

/* Entry pointer of @addr in the top table of @mm (pgd_offset). */
static inline pgdp_t pgd_offset(struct mm_struct *mm, unsigned long addr)
{
	const struct pgt_format *f = mm_pgt_fmt(mm);

	return (pgdp_t){ mm->machine->ram + mm->pgd + (pgd_index(f, addr) << f->entry_shift), f };
}
#define pgd_offset_k(m, addr) pgd_offset((m)->init_mm, addr)

static inline pudp_t pud_offset(pgdp_t pgd, unsigned long addr)
{
	const struct pgt_format *f = pgd.fmt;

	if (f->pud_folded)
		return (pudp_t){ pgd.p, f };
	return (pudp_t){ (uint8_t *)__pgt_table(this_machine(), pgd_val(pgdp_get(pgd))) +
			 (pud_index(f, addr) << f->entry_shift), f };
}
static inline pmdp_t pmd_offset(pudp_t pud, unsigned long addr)
{
	const struct pgt_format *f = pud.fmt;

	if (f->pmd_folded)
		return (pmdp_t){ pud.p, f };
	return (pmdp_t){ (uint8_t *)__pgt_table(this_machine(), pud_val(pudp_get(pud))) +
			 (pmd_index(f, addr) << f->entry_shift), f };
}
/* The pmd entry of @addr in @mm, or a null pointer if an upper table is missing. */
static inline pmdp_t pmd_lookup(struct mm_struct *mm, unsigned long addr)
{
	pgdp_t pgd = pgd_offset(mm, addr);
	pudp_t pud;

	if (pgd_none(pgd) || !pgd_present(pgd))
		return (pmdp_t){ NULL, pgd.fmt };
	pud = pud_offset(pgd, addr);
	if (pud_none(pud) || !pud_present(pud))
		return (pmdp_t){ NULL, pgd.fmt };
	return pmd_offset(pud, addr);
}
/*
 * pte_offset_map - entry of @addr in the PTE table @pmd points to (which
 * must be present).  PTE tables may be HIGHMEM: always pair with
 * pte_unmap().  pte_offset_kernel for kernel tables (lowmem).
 */
ptep_t pte_offset_map(pmdp_t pmd, unsigned long addr);
void pte_unmap(ptep_t pte);
static inline ptep_t pte_offset_kernel(pmdp_t pmd, unsigned long addr)
{
	const struct pgt_format *f = pmd.fmt;

	return (ptep_t){ (uint8_t *)__pgt_table(this_machine(), pmd_val(pmdp_get(pmd))) +
			 (pte_index(f, addr) << f->entry_shift), f };
}
#define pte_offset(pmd, addr) pte_offset_map(pmd, addr)

/* End of the range a pgd/pud/pmd entry covers, clipped to @end. */
static inline unsigned long pgt_addr_end(const struct pgt_format *f, enum pgt_level l,
					 unsigned long addr, unsigned long end)
{
	unsigned long size = 1UL << f->shift[l];
	unsigned long boundary = (addr + size) & ~(size - 1);

	return (boundary - 1 < end - 1) ? boundary : end;
}
#define pgd_addr_end(f, a, e) pgt_addr_end(f, PGT_PGD, a, e)
#define pud_addr_end(f, a, e) ((f)->pud_folded ? (e) : pgt_addr_end(f, PGT_PUD, a, e))
#define pmd_addr_end(f, a, e) pgt_addr_end(f, PGT_PMD, a, e)

/*
 * Walk without allocating: the PTE pointer of @addr in @mm (mapped; pair
 * with pte_unmap), or a null ptep_t if a table on the way is missing.
 * Caller holds page_table_lock or mmap_sem.
 */
ptep_t pgt_walk(struct mm_struct *mm, unsigned long addr);

/* --- allocation (mm->page_table_lock held; may drop and retake it) -------- */

/*
 * pud_alloc/pmd_alloc/pte_alloc - the entry of @addr at the next level,
 * allocating the table page if it is missing.  Table pages come from the
 * buddy allocator (PTE tables GFP_HIGHUSER on machines with HIGHMEM),
 * zeroed, flagged PG_pgtable, counted in NR_PAGETABLE and mm->nr_ptes.
 * The lock is dropped around the allocation and the entry rechecked, as
 * in 2.4.  A null pointer means -ENOMEM.  pte_alloc's result is mapped
 * (pte_unmap it).
 */
pudp_t pud_alloc(struct mm_struct *mm, pgdp_t pgd, unsigned long addr);
pmdp_t pmd_alloc(struct mm_struct *mm, pudp_t pud, unsigned long addr);
ptep_t pte_alloc(struct mm_struct *mm, pmdp_t pmd, unsigned long addr);
/* Same, for kernel tables (init_mm, lowmem only). */
ptep_t pte_alloc_kernel(struct mm_struct *mm, pmdp_t pmd, unsigned long addr);

/* Give a table page back (after the entry pointing to it was cleared and the TLB flushed). */
void pgtable_page_free(struct mm_struct *mm, struct page *page);

/*
 * pgd_alloc/pgd_free - @mm's top table (mm->pgd, its physical address),
 * with the kernel half copied from init_mm.  pgd_alloc: 0 or -ENOMEM.
 */
int pgd_alloc(struct mm_struct *mm);
void pgd_free(struct mm_struct *mm);
/* As Linux's kernel/fork.c names them. */
static inline int mm_alloc_pgd(struct mm_struct *mm) { return pgd_alloc(mm); }
static inline void mm_free_pgd(struct mm_struct *mm) { pgd_free(mm); }

/* --- machine setup, CPUs ----------------------------------------------------- */

/*
 * paging_init - kernel page tables (init_mm with the direct map of lowmem
 * in large pages) and the ZERO_PAGE (arch/x86/mm/init.c).  0 or -ENOMEM.
 * paging_exit frees them (machine teardown, after every task is gone).
 */
int paging_init(struct machine *m);
void paging_exit(struct machine *m);

/*
 * switch_mm - load @next's page tables on @cpu (the cr3 write): leaves
 * @prev's cpu_vm_mask, joins @next's and flushes the non-global TLB
 * entries.  @prev may be NULL.  Runs on @cpu's own thread.
 */
void switch_mm(struct mm_struct *prev, struct mm_struct *next, struct sim_cpu *cpu);

/* ZERO_PAGE: the shared read-only zeroed frame. */
#define ZERO_PAGE(addr) (this_machine()->zero_page)

/* Validators (tests): every table page reachable from @mm's pgd is PG_pgtable and counted. */
bool pgtables_are_valid(struct mm_struct *mm);
/* Table pages below the pgd of @mm, counted by walking (tests). */
unsigned long pgt_count_tables(struct mm_struct *mm);

/* Preload this CPU's TLB with a PTE a fault just installed (arch/x86/mm/tlb.c;
 * page_table_lock held). */
void update_mmu_cache(struct vm_area_struct *vma, unsigned long address, pte_t pte);

#endif

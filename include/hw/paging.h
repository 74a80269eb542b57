/*
 * x86 paging as the hardware defines it: the page size, the bits of a
 * page-table entry, the three paging modes (entry width, levels and how a
 * virtual address splits), the page-fault error code, and atomic access
 * to one entry.  The MMU walker (hw/mmu.c) reads entries in this format;
 * the kernel's pgtable accessors (kern/pgtable.h) build them.
 *
 *   mode    levels  bits of a virtual address               entry
 *   i386    2       pgd 10 | pte 10 | offset 12              32 bit
 *   pae     3       pgd 2 | pmd 9 | pte 9 | offset 12         64 bit
 *   x86_64  4       pgd 9 | pud 9 | pmd 9 | pte 9 | off 12    64 bit
 *
 * Levels are numbered as Linux's 4-level model (pgd -> pud -> pmd -> pte);
 * a mode with fewer levels folds the missing ones (one entry, which is the
 * entry of the level above).
 */
#ifndef HW_PAGING_H
#define HW_PAGING_H

#include "lib/bug.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

typedef uint64_t phys_addr_t;

/* The paging modes, in the order of the public enum vmsim_paging. */
enum hw_paging { HW_PAGING_I386, HW_PAGING_PAE, HW_PAGING_X86_64, HW_NR_PAGING };

/* --- entry bits -------------------------------------------------------- */

#define _PAGE_BIT_PRESENT	0
#define _PAGE_BIT_RW		1
#define _PAGE_BIT_USER		2
#define _PAGE_BIT_ACCESSED	5
#define _PAGE_BIT_DIRTY		6
#define _PAGE_BIT_NX		63

#define _PAGE_PRESENT	0x001ULL
#define _PAGE_RW	0x002ULL
#define _PAGE_USER	0x004ULL
#define _PAGE_PWT	0x008ULL
#define _PAGE_PCD	0x010ULL
#define _PAGE_ACCESSED	0x020ULL
#define _PAGE_DIRTY	0x040ULL
#define _PAGE_PSE	0x080ULL	/* pmd/pgd level: large page */
#define _PAGE_GLOBAL	0x100ULL	/* kept across a cr3 reload */
#define _PAGE_NX	(1ULL << _PAGE_BIT_NX)	/* PAE and x86-64 only */

/* Frame address bits of any entry (the widest format's). */
#define _PAGE_ADDR_MASK	0x000ffffffffff000ULL

/* --- the page-fault error code (pushed by the CPU, read by #PF) ------------ */

#define PF_PROT		0x01	/* 0: not present, 1: protection */
#define PF_WRITE	0x02
#define PF_USER		0x04
#define PF_RSVD		0x08
#define PF_INSTR	0x10

/* --- modes ------------------------------------------------------------- */

/* Level numbers, lowest first. */
enum pgt_level { PGT_PTE, PGT_PMD, PGT_PUD, PGT_PGD, PGT_NR_LEVELS };

struct pgt_format {
	const char *name;
	unsigned int levels;			/* real levels: 2, 3, 4 */
	unsigned int entry_shift;		/* log2(bytes per entry): 2 or 3 */
	bool wide;				/* 64-bit entries */
	bool pud_folded, pmd_folded;
	bool top_present_only;			/* PAE's PDPT: only Present, no RW/USER/A */
	unsigned int shift[PGT_NR_LEVELS];	/* address bit each level indexes from */
	unsigned int ptrs[PGT_NR_LEVELS];	/* entries per table (1 if folded) */
	uint64_t phys_mask;			/* frame address bits of an entry */
	uint64_t entry_mask;			/* bits an entry can hold (no NX on i386) */
	unsigned int va_bits;			/* 32, or 48 (canonical: sign-extended) */
	uint64_t max_phys;			/* frames must lie below */
};

/*
 * The three modes' parameters, as initializers: pgt_formats[] is made of
 * them (hw/mmu.c), and the walker uses them as compile-time constants so
 * each mode gets a walk of its own.
 */
#define PGT_FORMAT_I386 { \
	.name = "i386", .levels = 2, \
	.entry_shift = 2, .wide = false, .pud_folded = true, .pmd_folded = true, \
	.top_present_only = false, \
	.shift = { [PGT_PTE] = 12, [PGT_PMD] = 22, [PGT_PUD] = 22, [PGT_PGD] = 22 }, \
	.ptrs = { [PGT_PTE] = 1024, [PGT_PMD] = 1, [PGT_PUD] = 1, [PGT_PGD] = 1024 }, \
	.phys_mask = 0xfffff000ULL, .entry_mask = 0xffffffffULL, \
	.va_bits = 32, .max_phys = 1ULL << 32, \
}
#define PGT_FORMAT_PAE { \
	.name = "pae", .levels = 3, \
	.entry_shift = 3, .wide = true, .pud_folded = true, .pmd_folded = false, \
	.top_present_only = true, \
	.shift = { [PGT_PTE] = 12, [PGT_PMD] = 21, [PGT_PUD] = 30, [PGT_PGD] = 30 }, \
	.ptrs = { [PGT_PTE] = 512, [PGT_PMD] = 512, [PGT_PUD] = 1, [PGT_PGD] = 4 }, \
	.phys_mask = 0x0000000ffffff000ULL, .entry_mask = ~0ULL, \
	.va_bits = 32, .max_phys = 1ULL << 36, \
}
#define PGT_FORMAT_X86_64 { \
	.name = "x86_64", .levels = 4, \
	.entry_shift = 3, .wide = true, .pud_folded = false, .pmd_folded = false, \
	.top_present_only = false, \
	.shift = { [PGT_PTE] = 12, [PGT_PMD] = 21, [PGT_PUD] = 30, [PGT_PGD] = 39 }, \
	.ptrs = { [PGT_PTE] = 512, [PGT_PMD] = 512, [PGT_PUD] = 512, [PGT_PGD] = 512 }, \
	.phys_mask = 0x000ffffffffff000ULL, .entry_mask = ~0ULL, \
	.va_bits = 48, .max_phys = 1ULL << 46, \
}

/* Indexed by enum hw_paging. */
extern const struct pgt_format pgt_formats[HW_NR_PAGING];

/* Valid virtual address for this mode (32-bit, or canonical 48-bit)? */
static inline bool pgt_va_valid(const struct pgt_format *f, unsigned long addr)
{
	if (f->va_bits == 32)
		return (addr >> 32) == 0;
	return (unsigned long)((long)(addr << 16) >> 16) == addr;
}

static inline unsigned long pgt_index(const struct pgt_format *f, enum pgt_level l,
				      unsigned long addr)
{
	return (addr >> f->shift[l]) & (f->ptrs[l] - 1);
}

/* --- atomic access to one entry, by width ------------------------------------ */

/*
 * Entries are read with acquire, written with release: the MMU of another
 * CPU that reads an entry set_pte just wrote must also see the frame's
 * bytes (cleared, copied) written before it.  Both are plain moves on x86.
 * The MMU sets Accessed and Dirty with a compare-and-exchange, so the
 * kernel's read-modify-writes are atomic too.
 */
static __always_inline uint64_t __pgt_read(void *p, const struct pgt_format *f)
{
	if (f->wide)
		return __atomic_load_n((uint64_t *)p, __ATOMIC_ACQUIRE);
	return __atomic_load_n((uint32_t *)p, __ATOMIC_ACQUIRE);
}
static __always_inline void __pgt_write(void *p, const struct pgt_format *f, uint64_t v)
{
	if (f->wide) {
		__atomic_store_n((uint64_t *)p, v, __ATOMIC_RELEASE);
	} else {
		VM_BUG_ON_MSG((v >> 32) & ~(_PAGE_NX >> 32),
			      "i386 entry %#llx does not fit 32 bits", (unsigned long long)v);
		__atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_RELEASE);
	}
}
static __always_inline uint64_t __pgt_xchg(void *p, const struct pgt_format *f, uint64_t v)
{
	if (f->wide)
		return __atomic_exchange_n((uint64_t *)p, v, __ATOMIC_ACQ_REL);
	return __atomic_exchange_n((uint32_t *)p, (uint32_t)v, __ATOMIC_ACQ_REL);
}
static __always_inline uint64_t __pgt_and(void *p, const struct pgt_format *f, uint64_t mask)
{
	if (f->wide)
		return __atomic_fetch_and((uint64_t *)p, mask, __ATOMIC_ACQ_REL);
	return __atomic_fetch_and((uint32_t *)p, (uint32_t)mask, __ATOMIC_ACQ_REL);
}
static __always_inline uint64_t __pgt_or(void *p, const struct pgt_format *f, uint64_t bits)
{
	if (f->wide)
		return __atomic_fetch_or((uint64_t *)p, bits, __ATOMIC_ACQ_REL);
	return __atomic_fetch_or((uint32_t *)p, (uint32_t)bits, __ATOMIC_ACQ_REL);
}
/* Compare-and-exchange (MMU Accessed/Dirty updates); true if stored. */
static __always_inline bool __pgt_cmpxchg(void *p, const struct pgt_format *f,
					  uint64_t old, uint64_t new)
{
	if (f->wide)
		return __atomic_compare_exchange_n((uint64_t *)p, &old, new, false,
						   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	uint32_t o = (uint32_t)old;
	return __atomic_compare_exchange_n((uint32_t *)p, &o, (uint32_t)new, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

#endif

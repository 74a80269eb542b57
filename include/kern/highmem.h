/*
 * HIGHMEM (mm/highmem.c): frames above the direct map (896 MiB on the
 * 32-bit formats) have no permanent kernel address; the kernel reaches
 * their bytes only through a temporary mapping, as Linux 2.4:
 *
 *   kmap(page)/kunmap(page)   the pkmap area: LAST_PKMAP PTEs at
 *                             PKMAP_BASE shared by all CPUs, counted in
 *                             pkmap_count[]; entries freed by kunmap are
 *                             reused only after the flush that runs when
 *                             the allocation cursor wraps (one TLB
 *                             shootdown per LAST_PKMAP mappings).  May
 *                             wait for a free entry, never in interrupt
 *                             context.
 *   kmap_atomic(page, type)   a per-CPU fixmap slot per km_type: no lock,
 *   kunmap_atomic(kaddr, type) no sleeping, a local invlpg only; the slot
 *                             must be released on the same CPU.
 *
 * Both set real PTEs in init_mm (so an access through the MMU at the
 * kmap's virtual address reads the frame), and return the kernel's view
 * of the bytes: a host pointer, like page_address() of a lowmem page.
 * page_address() of a kmapped HIGHMEM page finds the kmap through a small
 * hash (struct page has no virtual field), as Linux's page_address does.
 * In debug builds page_address() of a HIGHMEM page with no kmap is a BUG
 * naming the pfn: kernel code touched HIGHMEM bytes without a mapping.
 *
 * Lowmem pages (and every page of the x86-64 layout, which has no
 * HIGHMEM) need no mapping: kmap is page_address.
 *
 * Locking: kmap_lock (struct pkmap_state) protects pkmap_count,
 * last_pkmap_nr and the page-address hash; the atomic slots belong to
 * their CPU.
 */
#ifndef KERN_HIGHMEM_H
#define KERN_HIGHMEM_H

#include "kern/pgtable.h"
#include "kern/list.h"
#include "kern/spinlock.h"

/* --- the 32-bit layout of the top of kernel space -------------------------------- */

#define PKMAP_BASE		0xfe000000UL
/* one PTE table: 1024 entries of 4 MiB on i386, 512 of 2 MiB with PAE */
#define LAST_PKMAP_OF(m)	(pgt_fmt(m)->wide ? 512u : 1024u)
#define PKMAP_ADDR(nr)		(PKMAP_BASE + ((unsigned long)(nr) << PAGE_SHIFT))
#define PKMAP_NR(virt)		((unsigned int)(((virt) - PKMAP_BASE) >> PAGE_SHIFT))

/* kmap_atomic slot types, one set per CPU (2.4's plus the HIGHPTE ones) */
enum km_type {
	KM_BOUNCE_READ,
	KM_USER0,
	KM_USER1,
	KM_PTE0,		/* pte_offset_map */
	KM_PTE1,		/* pte_offset_map, nested (fork: source and child) */
	KM_PTE2,
	KM_IRQ0,
	KM_TYPE_NR
};

/* the fixmap, downwards from FIXADDR_TOP */
#define FIXADDR_TOP		0xffffe000UL
enum fixed_addresses {
	FIX_HOLE,
	FIX_KMAP_BEGIN,
	FIX_KMAP_END = FIX_KMAP_BEGIN + KM_TYPE_NR * NR_CPUS - 1,
	__end_of_fixed_addresses
};
#define __fix_to_virt(x)	(FIXADDR_TOP - ((unsigned long)(x) << PAGE_SHIFT))
#define FIXADDR_START		__fix_to_virt(__end_of_fixed_addresses)

/* The fixmap address of @cpu's @type slot. */
static inline unsigned long kmap_atomic_vaddr(int cpu, enum km_type type)
{
	return __fix_to_virt(FIX_KMAP_BEGIN + (unsigned int)type + KM_TYPE_NR * (unsigned int)cpu);
}

/* --- state ------------------------------------------------------------------------ */

/* One pkmap entry's page, hashed by page (Linux's page_address_map). */
struct page_address_map {
	struct page *page;
	struct list_head list;		/* in its hash bucket: kmap_lock */
};

#define PA_HASH_ORDER	7

/* m->pkmap */
struct pkmap_state {
	bool enabled;			/* 32-bit formats: the pkmap area exists */
	unsigned int last_pkmap;	/* LAST_PKMAP */
	spinlock_t kmap_lock;		/* everything below */
	int *pkmap_count;		/* 0 free+flushed, 1 free+stale, n>1: n-1 users */
	unsigned int last_pkmap_nr;	/* allocation cursor */
	struct page_address_map *maps;	/* per entry */
	struct list_head hash[1 << PA_HASH_ORDER];
	unsigned long nr_flushes;	/* flush_all_zero_pkmaps runs */
	unsigned long nr_waits;		/* kmap found every entry busy */
	/*
	 * pkmap_map_wait (2.4): a kmap that finds every entry busy sleeps
	 * here until a kunmap frees one; unmap_seq counts those kunmaps.
	 */
	wait_queue_head_t pkmap_map_wait;
	atomic_ulong unmap_seq;
	uint8_t *pkmap_table;		/* host view of the pkmap PTE table */
	uint8_t *fixmap_table;		/* and of the fixmap's */
};

/* this_cpu()->kmap_atomic_slots */
struct kmap_atomic_cpu {
	struct page *page[KM_TYPE_NR];	/* what each slot maps, NULL if free */
};

/* --- interface -------------------------------------------------------------------- */

static inline bool PageHighMemPfn(const struct page *page)
{
	return page_to_pfn(page) >= page_machine(page)->max_low_pfn;
}

/*
 * kmap - kernel address (host pointer) of @page's bytes, mapping a HIGHMEM
 * page in the pkmap area; pair with kunmap(page).  With one CPU a kmap
 * that finds all LAST_PKMAP entries in use by the caller cannot wait for
 * anyone: BUG.  With several, it waits for another CPU's kunmap.
 */
void *kmap(struct page *page);
void kunmap(struct page *page);
void *kmap_high(struct page *page);
void kunmap_high(struct page *page);

/*
 * kmap_atomic - map @page in this CPU's @type fixmap slot (the slot must
 * be free: BUG otherwise); kunmap_atomic(kaddr, type) on the same CPU.
 */
void *kmap_atomic(struct page *page, enum km_type type);
void kunmap_atomic(void *kvaddr, enum km_type type);

/* The pkmap virtual address @page is kmapped at (0 if none: lowmem or unmapped). */
unsigned long kmap_vaddr(struct page *page);
/* page_address() for HIGHMEM pages: the kmap address, or NULL (BUG in debug builds). */
void *highmem_page_address(const struct page *page);
/* Same without the debug check: NULL if @page has no kmap. */
void *highmem_page_address_or_null(const struct page *page);

/* Page-content helpers: every kernel touch of a user or page-cache page's bytes. */
void clear_highpage(struct page *page);
void copy_highpage(struct page *to, struct page *from);
static inline void clear_user_highpage(struct page *page, unsigned long vaddr)
{
	(void)vaddr;
	clear_highpage(page);
}
static inline void copy_user_highpage(struct page *to, struct page *from, unsigned long vaddr)
{
	(void)vaddr;
	copy_highpage(to, from);
}
/* Copy between a host buffer and [offset, offset + len) of @page (within the page). */
void memcpy_to_page(struct page *page, unsigned int offset, const void *buf, unsigned int len);
void memcpy_from_page(void *buf, struct page *page, unsigned int offset, unsigned int len);

/* PTE tables in HIGHMEM (pgtable.c's pte_offset_map/pte_unmap). */
uint8_t *kmap_pte_table(struct page *table);
void kunmap_pte_table(void *entry);

/* Validator (tests): pkmap_count agrees with the PTEs and the hash. */
bool pkmap_is_valid(struct machine *m);

int highmem_init(struct machine *m);
void highmem_exit(struct machine *m);

#endif

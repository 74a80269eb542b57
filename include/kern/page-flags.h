/*
 * struct page flag bits, named as in Linux 2.4 (PG_locked ... PG_reserved)
 * with the few later ones we use (PG_buddy marks the head page of a free
 * buddy block, its order in page->private; PG_swapbacked, PG_mlocked,
 * PG_unevictable).
 * Bits are changed atomically: the MMU and several CPUs touch them.
 */
#ifndef KERN_PAGE_FLAGS_H
#define KERN_PAGE_FLAGS_H

enum pageflags {
	PG_locked,
	PG_error,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_inactive_dirty,	/* 2.4.0 reclaim lists */
	PG_inactive_clean,
	PG_slab,
	PG_highmem,
	PG_reserved,
	PG_launder,
	PG_writeback,
	PG_swapcache,
	PG_swapbacked,		/* anonymous / shmem: backed by swap, not a file */
	PG_mlocked,
	PG_buddy,		/* free, head of a buddy block; order in private */
	PG_anon,
	PG_pgtable,		/* page-table page */
	PG_zero,		/* the ZERO_PAGE */
	PG_poisoned,		/* debug: filled with PAGE_POISON when freed */
	PG_zeroed,		/* free and still all zeroes since boot: __GFP_ZERO
				 * need not clear it (cleared by any free) */
	PG_unevictable,		/* on the unevictable LRU list (mlocked pages) */
	PG_private,		/* page->private holds its buffers (2.4's page->buffers) */
	__NR_PAGEFLAGS
};

#define PAGEFLAG_NAMES \
	"locked", "error", "referenced", "uptodate", "dirty", "lru", "active", \
	"inactive_dirty", "inactive_clean", "slab", "highmem", "reserved", \
	"launder", "writeback", "swapcache", "swapbacked", "mlocked", "buddy", \
	"anon", "pgtable", "zero", "poisoned", "zeroed", "unevictable", "private"

#define PAGE_FLAG_OPS(uname, lname)						\
static inline bool Page##uname(const struct page *p)				\
{ return atomic_load_explicit(&p->flags, memory_order_relaxed) & (1u << PG_##lname); } \
static inline void SetPage##uname(struct page *p)				\
{ atomic_fetch_or_explicit(&p->flags, 1u << PG_##lname, memory_order_relaxed); } \
static inline void ClearPage##uname(struct page *p)				\
{ atomic_fetch_and_explicit(&p->flags, ~(1u << PG_##lname), memory_order_relaxed); } \
/* Non-atomic forms, for a page nobody else can reach (Linux's __SetPageX). */ \
static inline void __SetPage##uname(struct page *p)				\
{ atomic_store_explicit(&p->flags, atomic_load_explicit(&p->flags, memory_order_relaxed) | \
		       (1u << PG_##lname), memory_order_relaxed); }		\
static inline void __ClearPage##uname(struct page *p)				\
{ atomic_store_explicit(&p->flags, atomic_load_explicit(&p->flags, memory_order_relaxed) & \
		       ~(1u << PG_##lname), memory_order_relaxed); }		\
static inline bool TestSetPage##uname(struct page *p)				\
{ return atomic_fetch_or_explicit(&p->flags, 1u << PG_##lname, memory_order_acq_rel) & (1u << PG_##lname); } \
static inline bool TestClearPage##uname(struct page *p)			\
{ return atomic_fetch_and_explicit(&p->flags, ~(1u << PG_##lname), memory_order_acq_rel) & (1u << PG_##lname); }

#endif

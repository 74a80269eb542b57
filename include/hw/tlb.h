/*
 * The per-CPU TLB of the simulated x86 (hw/tlb.c): its entries, the inline
 * hit path, fills, local flushes and the shootdown IPI.  The kernel's
 * flush interface (flush_tlb_page/range/mm/all) is in kern/tlb.h.
 *
 * A TLB is set-associative (cfg.tlb_entries, cfg.tlb_ways; default 64
 * entries, 4 ways).  An entry caches, for one virtual page, the host
 * address of its frame and what the walk allowed:
 *   tag_read   page address if reads hit; | TLB_KERNEL if the page is
 *              supervisor-only (a user access then misses and the walk
 *              raises the protection fault).
 *   tag_write  the same, but only if writes are allowed *and* the PTE's
 *              Dirty bit is already set: a write to a clean page misses,
 *              so the walk sets Dirty in RAM as x86 does.
 * Only the owning CPU's thread reads or fills its entries.
 *
 * Shootdown between host threads (the invalidate IPI).  Another CPU asks
 * for a flush by bumping flush_req; the owner takes the IPI (the kernel's
 * invalidate_tlb handler flushes everything) before its next access.  The owner marks each access with in_access
 * (from the lookup until the bytes are read or written); the initiator
 * waits until every target is either outside an access or has applied the
 * request, so once flush_tlb_* returns no CPU can still use a stale
 * translation, and the caller may free the page or table.  The store of
 * in_access and the load of flush_req need a StoreLoad barrier: the
 * initiator provides it for everyone with membarrier(2) when the host
 * supports it (the owner's path then has no fence), otherwise each access
 * pays a full fence.  Under TSan every step is seq_cst.
 *
 * The L0.  In front of the set-associative array sits a small
 * direct-mapped index of it (TLB_L0_SIZE slots by virtual page number),
 * holding copies of entries the TLB holds: tlb_fill and a hit found in the
 * array put the entry there; anything that drops an entry from the array
 * drops its copy.  It changes no hit or miss, it only makes the common hit
 * one compare: the 8-byte accesses of hw/mmu.h try it first.
 *
 * A user-mode run (struct mmu_run in hw/mmu.h) keeps in_access set for
 * its whole length, so that its loads and stores are bare L0 lookups: a
 * shootdown then waits for the run's next access, which sees the request
 * and applies it, as an IPI is taken at the next instruction boundary.
 */
#ifndef HW_TLB_H
#define HW_TLB_H

#include "hw/machine.h"

#if defined(__SANITIZE_THREAD__)
#define TLB_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TLB_TSAN 1
#endif
#endif
#ifndef TLB_TSAN
#define TLB_TSAN 0
#endif

/*
 * In a tag: a supervisor-only page.  Bit 11 rather than bit 0, so the L0
 * compare below (page bits and the low 3 bits of the address) can reject
 * both supervisor pages and unaligned addresses at once.
 */
#define TLB_KERNEL	0x800UL
#define TLB_INVALID	(~0UL)		/* tag of an empty entry: never matches */

/* The L0: slots, and the address bits an aligned 8-byte user access compares. */
#define TLB_L0_SIZE	64
#define TLB_L0_MATCH	(PAGE_MASK | 7UL)

/* tlb_entry.flags */
#define TLB_F_NX	0x1u		/* no instruction fetch */
#define TLB_F_GLOBAL	0x2u		/* survives a cr3 reload */
#define TLB_F_USER	0x4u

struct tlb_entry {
	unsigned long tag_read;
	unsigned long tag_write;
	uint8_t *host;			/* host address of the frame */
	unsigned int flags;		/* TLB_F_* */
	unsigned int pad;
};

/* A copy of a TLB entry in the L0: tags as the entry's, host as an addend. */
struct tlb_l0 {
	unsigned long tag_read;
	unsigned long tag_write;
	uintptr_t addend;		/* host address - page address */
	unsigned long pad;
};

struct tlb {
	/* owner-only, hot */
	struct tlb_entry *entry;	/* nr_sets * ways, set-major */
	unsigned long set_mask;		/* nr_sets - 1 */
	unsigned int way_shift;		/* log2(ways) */
	unsigned int ways;
	unsigned int nr_entries;
	bool need_fence;		/* no membarrier: fence on each access */
	atomic_int in_access;		/* owner writes; initiators read */
	atomic_ulong flush_done;	/* last request applied; owner writes */
	uint8_t *victim;		/* per set: next way to replace */
	struct hw_cpu *cpu;
	struct tlb_l0 l0[TLB_L0_SIZE] __attribute__((aligned(64)));	/* owner-only */
	/* written by other CPUs: its own cache line */
	atomic_ulong flush_req __attribute__((aligned(64)));
};

/* --- the access bracket (hot path, owner CPU only) ----------------------- */

static __always_inline void tlb_enter(struct tlb *t)
{
	if (TLB_TSAN) {
		atomic_store_explicit(&t->in_access, 1, memory_order_seq_cst);
		return;
	}
	atomic_store_explicit(&t->in_access, 1, memory_order_relaxed);
	if (unlikely(t->need_fence))
		atomic_thread_fence(memory_order_seq_cst);
	else
		atomic_signal_fence(memory_order_seq_cst);
}

static __always_inline void tlb_exit(struct tlb *t)
{
	atomic_store_explicit(&t->in_access, 0, memory_order_release);
}

/* A flush was requested by another CPU and is not applied yet. */
static __always_inline bool tlb_flush_pending(struct tlb *t)
{
	return atomic_load_explicit(&t->flush_req, TLB_TSAN ? memory_order_seq_cst :
				    memory_order_relaxed) !=
	       atomic_load_explicit(&t->flush_done, memory_order_relaxed);
}

/*
 * The flush check of an access: acquire, so the compiler cannot hoist the
 * access's own loads above it (x86 keeps loads in order).
 */
static __always_inline bool tlb_flush_pending_acquire(struct tlb *t)
{
	return atomic_load_explicit(&t->flush_req, TLB_TSAN ? memory_order_seq_cst :
				    memory_order_acquire) !=
	       atomic_load_explicit(&t->flush_done, memory_order_relaxed);
}

static __always_inline struct tlb_l0 *tlb_l0_slot(struct tlb *t, unsigned long addr)
{
	return &t->l0[(addr >> PAGE_SHIFT) & (TLB_L0_SIZE - 1)];
}

/*
 * tlb_l0_hit - the L0 slot serving an aligned 8-byte user access to @addr
 * (@write: a store) if it holds the page for that mode and no flush is
 * pending, NULL otherwise (a miss here may still hit the array: see
 * __mmu_access64).  The host address is slot->addend + @addr.  Inside the
 * access bracket.
 */
static __always_inline const struct tlb_l0 *tlb_l0_hit(struct tlb *t, unsigned long addr,
						       bool write)
{
	const struct tlb_l0 *e = tlb_l0_slot(t, addr);

	if (likely((addr & TLB_L0_MATCH) == (write ? e->tag_write : e->tag_read) &&
		   !tlb_flush_pending_acquire(t)))
		return e;
	return NULL;
}

static __always_inline struct tlb_entry *tlb_set(struct tlb *t, unsigned long addr)
{
	return &t->entry[((addr >> PAGE_SHIFT) & t->set_mask) << t->way_shift];
}

/*
 * __tlb_lookup - host address of @addr if a way of its set holds a
 * matching tag (@write: the write tag), NULL otherwise.  The 4-way case
 * (the default geometry) is unrolled and branch-free: with random
 * accesses the hitting way is unpredictable, and a mispredicted loop exit
 * cost more than the whole lookup.
 */
static __always_inline uint8_t *__tlb_lookup(struct tlb *t, unsigned long addr, bool user,
					     bool write)
{
	unsigned long page = addr & PAGE_MASK;
	unsigned long mask = user ? ~0UL : ~TLB_KERNEL;
	struct tlb_entry *e = tlb_set(t, addr);
	uint8_t *host = NULL;

	if (unlikely(tlb_flush_pending(t)))
		return NULL;
	if (likely(t->ways == 4)) {
		/* tags are unique within a set: select the (only) match without branches */
		unsigned int m0, m1, m2, m3, idx;

#define TLB_WAY_MATCH(i) ((((write ? e[i].tag_write : e[i].tag_read) & mask) == page))
		m0 = TLB_WAY_MATCH(0);
		m1 = TLB_WAY_MATCH(1);
		m2 = TLB_WAY_MATCH(2);
		m3 = TLB_WAY_MATCH(3);
#undef TLB_WAY_MATCH
		idx = m1 + 2 * m2 + 3 * m3;
		host = (uint8_t *)((uintptr_t)e[idx].host & -(uintptr_t)(m0 | m1 | m2 | m3));
	} else {
		for (unsigned int i = 0; i < t->ways; i++) {
			unsigned long tag = (write ? e[i].tag_write : e[i].tag_read) & mask;

			if (tag == page) {
				host = e[i].host;
				break;
			}
		}
	}
	return likely(host) ? host + (addr & ~PAGE_MASK) : NULL;
}

/*
 * tlb_lookup_read/write - host address of @addr on a hit for an access of
 * the given mode, NULL on a miss (or when a flush is pending).  Call
 * inside tlb_enter/tlb_exit.
 */
static __always_inline uint8_t *tlb_lookup_read(struct tlb *t, unsigned long addr, bool user)
{
	return __tlb_lookup(t, addr, user, false);
}

static __always_inline uint8_t *tlb_lookup_write(struct tlb *t, unsigned long addr, bool user)
{
	return __tlb_lookup(t, addr, user, true);
}

/* --- hw/tlb.c ----------------------------------------------------------------- */

/* Create / destroy the TLBs of every CPU of @hw (@nr entries, @ways ways). */
int hw_tlb_init(struct hw_machine *hw, unsigned int nr, unsigned int ways);
void hw_tlb_fini(struct hw_machine *hw);

/*
 * tlb_fill - cache a translation on the owner CPU (the MMU after a walk).
 * @writable_dirty: writes may hit; @user: user-accessible; @nx, @global.
 */
void tlb_fill(struct tlb *t, unsigned long addr, uint8_t *host, bool user,
	      bool writable_dirty, bool nx, bool global);
/* Copy the array's entry for @addr (a hit just found there) into the L0. */
void tlb_l0_promote(struct tlb *t, unsigned long addr);
/* Take a pending invalidate IPI (owner CPU, inside the bracket): the kernel's handler flushes. */
void tlb_apply_pending(struct tlb *t);

/* Has another CPU posted an invalidate IPI that @t's CPU has not taken yet? */
static inline bool tlb_ipi_pending(struct tlb *t)
{
	return atomic_load_explicit(&t->flush_done, memory_order_acquire) <
	       atomic_load_explicit(&t->flush_req, memory_order_acquire);
}

/*
 * tlb_for_each_entry - call @fn for each valid entry of @t (the array, in
 * set and way order): its page, frame's host address, whether writes hit
 * (tag_write valid) and its TLB_F_* flags.  Reads another CPU's entries:
 * only where no thread runs that CPU meanwhile (a serial machine, tests).
 */
void tlb_for_each_entry(struct tlb *t, void (*fn)(void *arg, unsigned long page, uint8_t *host,
						 bool write, unsigned int flags), void *arg);

/*
 * The owner CPU's own flushes, as the instructions do: @keep_global, a
 * cr3 reload (global entries stay); otherwise every entry.  tlb_invlpg
 * drops @addr's entry.
 */
void tlb_flush_local(struct tlb *t, bool keep_global);
void tlb_invlpg(struct tlb *t, unsigned long addr);
/* mov cr3: load the page-table root @root (0: none) and drop the non-global entries. */
void hw_write_cr3(struct hw_cpu *cpu, phys_addr_t root);

/*
 * hw_send_invalidate_ipi - send the invalidate IPI to every CPU in @mask
 * (never the sender) and wait until none of them can still use an old
 * translation: each has either taken the IPI or is outside any access
 * (its next one takes it first).
 */
void hw_send_invalidate_ipi(struct hw_machine *hw, unsigned long mask);

/* Entries currently valid in @t (tests). */
unsigned int tlb_valid_entries(struct tlb *t);
/* Does every L0 slot copy an entry the array holds (tests)? */
bool tlb_l0_is_valid(struct tlb *t);
/* Is @addr cached in @t for reads (tests)?  Does not count as an access. */
bool tlb_probe(struct tlb *t, unsigned long addr, bool write);

#endif

/*
 * The per-CPU TLB of the simulated x86: creation, filling, the local
 * flushes (cr3 reload, invlpg), and the invalidate IPI between CPUs
 * (sending it and waiting, taking it).  The hit path itself is inline in
 * hw/tlb.h; the shootdown protocol is described there.  The kernel's
 * flush_tlb_* (arch/x86/mm/tlb.c) decide which CPUs to send it to.
 *
 * A sender waits only for other CPUs to finish one access, and an access
 * never takes a lock: the kernel may send with its locks held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include "hw/tlb.h"

static bool is_pow2(unsigned long x)
{
	return x && !(x & (x - 1));
}

static void tlb_invalidate(struct tlb_entry *e)
{
	e->tag_read = TLB_INVALID;
	e->tag_write = TLB_INVALID;
	e->host = NULL;
	e->flags = 0;
}

static void tlb_l0_invalidate(struct tlb_l0 *l)
{
	l->tag_read = TLB_INVALID;
	l->tag_write = TLB_INVALID;
	l->addend = 0;
}

static void tlb_l0_clear(struct tlb *t)
{
	for (unsigned int i = 0; i < TLB_L0_SIZE; i++)
		tlb_l0_invalidate(&t->l0[i]);
}

/* The L0 keeps only user entries: its compare is for user accesses. */
static void tlb_l0_set(struct tlb *t, const struct tlb_entry *e)
{
	struct tlb_l0 *l;

	if (!(e->flags & TLB_F_USER))
		return;
	l = tlb_l0_slot(t, e->tag_read);
	l->tag_read = e->tag_read;
	l->tag_write = e->tag_write;
	l->addend = (uintptr_t)e->host - (e->tag_read & PAGE_MASK);
}

/* Drop @e from the array, and its copy from the L0. */
static void tlb_drop(struct tlb *t, struct tlb_entry *e)
{
	struct tlb_l0 *l;

	if (e->tag_read == TLB_INVALID)
		return;
	l = tlb_l0_slot(t, e->tag_read);
	if (l->tag_read == e->tag_read)
		tlb_l0_invalidate(l);
	tlb_invalidate(e);
}

static void tlb_free(struct tlb *t)
{
	if (!t)
		return;
	free(t->entry);
	free(t->victim);
	free(t);
}

/*
 * Register for membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED): with it the
 * initiator of a shootdown supplies the StoreLoad barrier the hit path
 * would otherwise need on every access.
 */
static bool membarrier_usable(void)
{
	long q;

	if (TLB_TSAN)
		return false;
	q = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	if (q < 0 || !(q & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
		return false;
	return syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

int hw_tlb_init(struct hw_machine *hw, unsigned int nr, unsigned int ways)
{
	bool fence = !membarrier_usable();

	if (!is_pow2(nr) || !is_pow2(ways) || ways > nr)
		return -EINVAL;
	for (int i = 0; i < hw->nr_cpus; i++) {
		struct tlb *t = aligned_alloc(64, sizeof(*t));

		if (!t)
			goto nomem;
		memset(t, 0, sizeof(*t));
		hw->cpu[i].tlb = t;
		t->entry = calloc(nr, sizeof(*t->entry));
		t->victim = calloc(nr / ways, 1);
		if (!t->entry || !t->victim)
			goto nomem;
		for (unsigned int j = 0; j < nr; j++)
			tlb_invalidate(&t->entry[j]);
		tlb_l0_clear(t);
		t->nr_entries = nr;
		t->ways = ways;
		t->way_shift = (unsigned int)__builtin_ctz(ways);
		t->set_mask = nr / ways - 1;
		t->need_fence = fence;
		t->cpu = &hw->cpu[i];
		atomic_init(&t->in_access, 0);
		atomic_init(&t->flush_done, 0);
		atomic_init(&t->flush_req, 0);
	}
	return 0;
nomem:
	hw_tlb_fini(hw);
	return -ENOMEM;
}

void hw_tlb_fini(struct hw_machine *hw)
{
	for (int i = 0; i < hw->nr_cpus; i++) {
		tlb_free(hw->cpu[i].tlb);
		hw->cpu[i].tlb = NULL;
	}
}

void tlb_fill(struct tlb *t, unsigned long addr, uint8_t *host, bool user,
	      bool writable_dirty, bool nx, bool global)
{
	unsigned long page = addr & PAGE_MASK;
	unsigned long set = (addr >> PAGE_SHIFT) & t->set_mask;
	struct tlb_entry *e = &t->entry[set << t->way_shift];
	struct tlb_entry *slot = NULL;
	unsigned long tag = page | (user ? 0 : TLB_KERNEL);

	/* the same page again (a write after a read): replace in place;
	 * otherwise the first free way */
	for (unsigned int i = 0; i < t->ways; i++) {
		unsigned long tr = e[i].tag_read;

		if (tr == TLB_INVALID) {
			if (!slot)
				slot = &e[i];
		} else if ((tr & ~TLB_KERNEL) == page) {
			slot = &e[i];
			break;
		}
	}
	if (!slot) {
		slot = &e[t->victim[set]];
		t->victim[set] = (uint8_t)((t->victim[set] + 1) & (t->ways - 1));
	}
	tlb_drop(t, slot);
	slot->host = host;
	slot->tag_read = tag;
	slot->tag_write = writable_dirty ? tag : TLB_INVALID;
	slot->flags = (nx ? TLB_F_NX : 0) | (global ? TLB_F_GLOBAL : 0) | (user ? TLB_F_USER : 0);
	tlb_l0_set(t, slot);
}

void tlb_l0_promote(struct tlb *t, unsigned long addr)
{
	unsigned long page = addr & PAGE_MASK;
	struct tlb_entry *e = tlb_set(t, addr);

	for (unsigned int i = 0; i < t->ways; i++) {
		if (e[i].tag_read == page) {
			tlb_l0_set(t, &e[i]);
			return;
		}
	}
}

static void __tlb_flush(struct tlb *t, bool keep_global)
{
	/* global entries survive in the array only: the L0 refills on a hit */
	tlb_l0_clear(t);
	for (unsigned int i = 0; i < t->nr_entries; i++) {
		struct tlb_entry *e = &t->entry[i];

		if (e->tag_read == TLB_INVALID || (keep_global && (e->flags & TLB_F_GLOBAL)))
			continue;
		tlb_invalidate(e);
	}
}

/*
 * The invalidate IPI: the kernel's handler flushes this CPU's TLB, then
 * the request is acknowledged (a sender waiting on this CPU may go on).
 */
void tlb_apply_pending(struct tlb *t)
{
	unsigned long req = atomic_load_explicit(&t->flush_req, memory_order_acquire);

	BUG_ON_MSG(!t->cpu->idt, "cpu %d: invalidate IPI with no trap table loaded", t->cpu->id);
	t->cpu->idt->invalidate_tlb(t->cpu);
	atomic_store_explicit(&t->flush_done, req, memory_order_release);
}

void tlb_flush_local(struct tlb *t, bool keep_global)
{
	__tlb_flush(t, keep_global);
}

void tlb_invlpg(struct tlb *t, unsigned long addr)
{
	unsigned long page = addr & PAGE_MASK;
	struct tlb_entry *e = tlb_set(t, addr);

	for (unsigned int i = 0; i < t->ways; i++) {
		if (e[i].tag_read != TLB_INVALID && (e[i].tag_read & ~TLB_KERNEL) == page)
			tlb_drop(t, &e[i]);
	}
}

void hw_write_cr3(struct hw_cpu *cpu, phys_addr_t root)
{
	cpu->cr3 = root;
	__tlb_flush(cpu->tlb, true);
}

/* Post the request to every CPU in @mask, then wait for each (see hw/tlb.h). */
void hw_send_invalidate_ipi(struct hw_machine *hw, unsigned long mask)
{
	unsigned long req[HW_MAX_CPUS];
	bool need_membarrier = false;

	if (!mask)
		return;
	for (int i = 0; i < hw->nr_cpus; i++) {
		struct tlb *t = hw->cpu[i].tlb;

		if (!(mask & (1UL << i)))
			continue;
		req[i] = atomic_fetch_add_explicit(&t->flush_req, 1, memory_order_seq_cst) + 1;
		need_membarrier |= !t->need_fence;
	}
	/* the StoreLoad barrier the targets' hit path leaves out */
	if (need_membarrier && !TLB_TSAN)
		syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	for (int i = 0; i < hw->nr_cpus; i++) {
		struct tlb *t = hw->cpu[i].tlb;
		unsigned int spins = 0;

		if (!(mask & (1UL << i)))
			continue;
		while (atomic_load_explicit(&t->in_access, memory_order_seq_cst) &&
		       atomic_load_explicit(&t->flush_done, memory_order_acquire) < req[i]) {
			if (++spins < 64)
				__builtin_ia32_pause();
			else
				sched_yield();
		}
	}
}

void tlb_for_each_entry(struct tlb *t, void (*fn)(void *arg, unsigned long page, uint8_t *host,
						 bool write, unsigned int flags), void *arg)
{
	for (unsigned int i = 0; i < t->nr_entries; i++) {
		const struct tlb_entry *e = &t->entry[i];

		if (e->tag_read == TLB_INVALID)
			continue;
		fn(arg, e->tag_read & PAGE_MASK, e->host, e->tag_write != TLB_INVALID, e->flags);
	}
}

unsigned int tlb_valid_entries(struct tlb *t)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < t->nr_entries; i++)
		n += t->entry[i].tag_read != TLB_INVALID;
	return n;
}

bool tlb_l0_is_valid(struct tlb *t)
{
	for (unsigned int i = 0; i < TLB_L0_SIZE; i++) {
		const struct tlb_l0 *l = &t->l0[i];
		const struct tlb_entry *e;
		bool found = false;

		if (l->tag_read == TLB_INVALID)
			continue;
		if (tlb_l0_slot(t, l->tag_read) != l)
			return false;
		e = tlb_set(t, l->tag_read);
		for (unsigned int w = 0; w < t->ways; w++)
			found |= e[w].tag_read == l->tag_read && e[w].tag_write == l->tag_write &&
				 (uintptr_t)e[w].host - (l->tag_read & PAGE_MASK) == l->addend;
		if (!found)
			return false;
	}
	return true;
}

bool tlb_probe(struct tlb *t, unsigned long addr, bool write)
{
	unsigned long page = addr & PAGE_MASK;
	struct tlb_entry *e = tlb_set(t, addr);

	for (unsigned int i = 0; i < t->ways; i++) {
		unsigned long tag = write ? e[i].tag_write : e[i].tag_read;

		if (tag != TLB_INVALID && (tag & ~TLB_KERNEL) == page)
			return true;
	}
	return false;
}

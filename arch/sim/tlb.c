/*
 * The per-CPU TLB of the simulated x86: filling, local flushes (cr3
 * reload, invlpg), Linux's flush_tlb_* with shootdowns to the other CPUs
 * that have the mm loaded, and switch_mm.  The hit path itself is inline
 * in kern/tlb.h; the shootdown protocol is described there.
 *
 * Lock order: flush_tlb_* may be called with page_table_lock held (it
 * only waits for other CPUs to finish one access, and an access never
 * takes a lock).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include "kern/pgtable.h"
#include "kern/tlb.h"

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

int tlb_init_machine(struct machine *m)
{
	unsigned int nr = m->cfg.tlb_entries > 0 ? (unsigned int)m->cfg.tlb_entries : 64;
	unsigned int ways = m->cfg.tlb_ways > 0 ? (unsigned int)m->cfg.tlb_ways : 4;
	bool fence = !membarrier_usable();

	if (!is_pow2(nr) || !is_pow2(ways) || ways > nr)
		return -EINVAL;
	for (int i = 0; i < m->nr_cpus; i++) {
		struct tlb *t = aligned_alloc(64, sizeof(*t));

		if (!t)
			goto nomem;
		memset(t, 0, sizeof(*t));
		m->cpu[i].tlb = t;
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
		t->cpu = &m->cpu[i];
		atomic_init(&t->in_access, 0);
		atomic_init(&t->flush_done, 0);
		atomic_init(&t->flush_req, 0);
	}
	return 0;
nomem:
	tlb_exit_machine(m);
	return -ENOMEM;
}

void tlb_exit_machine(struct machine *m)
{
	for (int i = 0; i < m->nr_cpus; i++) {
		tlb_free(m->cpu[i].tlb);
		m->cpu[i].tlb = NULL;
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

void tlb_apply_pending(struct tlb *t)
{
	unsigned long req = atomic_load_explicit(&t->flush_req, memory_order_acquire);

	__tlb_flush(t, false);
	atomic_store_explicit(&t->flush_done, req, memory_order_release);
	count_vm_event(TLB_FLUSH);
}

void local_flush_tlb(void)
{
	__tlb_flush(this_cpu()->tlb, true);
	count_vm_event(TLB_FLUSH);
}

void local_flush_tlb_all(void)
{
	__tlb_flush(this_cpu()->tlb, false);
	count_vm_event(TLB_FLUSH);
}

void local_flush_tlb_page(unsigned long addr)
{
	struct tlb *t = this_cpu()->tlb;
	unsigned long page = addr & PAGE_MASK;
	struct tlb_entry *e = tlb_set(t, addr);

	for (unsigned int i = 0; i < t->ways; i++) {
		if (e[i].tag_read != TLB_INVALID && (e[i].tag_read & ~TLB_KERNEL) == page)
			tlb_drop(t, &e[i]);
	}
}

/*
 * Ask every CPU in @mask (never the running one) for a full flush and wait
 * until none of them can still be using an old translation: each has
 * either applied the request or is outside any access (its next one will
 * see the request first).
 */
static void shootdown(struct machine *m, unsigned long mask)
{
	unsigned long req[NR_CPUS];
	bool need_membarrier = false;

	if (!mask)
		return;
	for (int i = 0; i < m->nr_cpus; i++) {
		struct tlb *t = m->cpu[i].tlb;

		if (!(mask & (1UL << i)))
			continue;
		req[i] = atomic_fetch_add_explicit(&t->flush_req, 1, memory_order_seq_cst) + 1;
		need_membarrier |= !t->need_fence;
		count_vm_event(TLB_SHOOTDOWN);
	}
	/* the StoreLoad barrier the targets' hit path leaves out */
	if (need_membarrier && !TLB_TSAN)
		syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	for (int i = 0; i < m->nr_cpus; i++) {
		struct tlb *t = m->cpu[i].tlb;
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

static unsigned long other_cpus(struct mm_struct *mm, bool *self)
{
	unsigned long me = 1UL << smp_processor_id();
	unsigned long mask = atomic_load_explicit(&mm->cpu_vm_mask, memory_order_seq_cst);

	*self = mask & me;
	return mask & ~me;
}

void flush_tlb_mm(struct mm_struct *mm)
{
	bool self;
	unsigned long others = other_cpus(mm, &self);

	if (self)
		local_flush_tlb();
	shootdown(mm->machine, others);
}

void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	bool self;
	unsigned long others = other_cpus(mm, &self);

	if (self)
		local_flush_tlb_page(addr);
	shootdown(mm->machine, others);
}

/* Above this many pages a range flush drops the whole (non-global) TLB. */
#define FLUSH_RANGE_PAGES 32

void flush_tlb_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	bool self;
	unsigned long others = other_cpus(mm, &self);

	if (self) {
		if ((end - start) >> PAGE_SHIFT > FLUSH_RANGE_PAGES) {
			local_flush_tlb();
		} else {
			for (unsigned long a = start & PAGE_MASK; a < end; a += PAGE_SIZE)
				local_flush_tlb_page(a);
		}
	}
	shootdown(mm->machine, others);
}

void flush_tlb_all(void)
{
	struct machine *m = this_machine();
	unsigned long all = (m->nr_cpus >= 64 ? ~0UL : (1UL << m->nr_cpus) - 1);

	local_flush_tlb_all();
	shootdown(m, all & ~(1UL << smp_processor_id()));
}

void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	(void)start;
	(void)end;
	flush_tlb_all();
}

void switch_mm(struct mm_struct *prev, struct mm_struct *next, struct sim_cpu *cpu)
{
	unsigned long bit = 1UL << cpu->id;

	BUG_ON_MSG(cpu != this_cpu(), "switch_mm on cpu %d from the thread of cpu %d",
		   cpu->id, this_cpu() ? this_cpu()->id : -1);
	if (prev == next) {
		/* lazy re-entry: make sure shootdowns find us again */
		if (!(atomic_fetch_or(&next->cpu_vm_mask, bit) & bit))
			local_flush_tlb();
		cpu->active_mm = next;
		return;
	}
	if (prev)
		atomic_fetch_and(&prev->cpu_vm_mask, ~bit);
	if (next)
		atomic_fetch_or(&next->cpu_vm_mask, bit);
	cpu->active_mm = next;
	/* the cr3 load: every non-global translation goes */
	local_flush_tlb();
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

/*
 * update_mmu_cache - the fault that installed @pte at @address is about
 * to be retried: load the translation into this CPU's TLB now (as Linux's
 * hook does on MIPS and SPARC; x86 hardware would walk again), so the
 * retried access hits.  Only a user PTE whose Accessed bit (and Dirty bit,
 * for a writable entry) is already set is loaded: the walk it saves would
 * have changed nothing.  Call with mm->page_table_lock held, so that a
 * racing zap clears the PTE (and posts its flush) after the fill.
 */
void update_mmu_cache(struct vm_area_struct *vma, unsigned long address, pte_t pte)
{
	struct sim_cpu *cpu = this_cpu();
	uint64_t v = pte_val(pte);

	if (cpu->active_mm != vma->vm_mm || !cpu->tlb ||
	    (v & (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)) !=
	    (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED))
		return;
	tlb_fill(cpu->tlb, address, cpu->machine->ram + ((phys_addr_t)pte_pfn(pte) << PAGE_SHIFT),
		 true, (v & _PAGE_RW) && (v & _PAGE_DIRTY), v & _PAGE_NX, v & _PAGE_GLOBAL);
}

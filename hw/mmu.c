/*
 * The software MMU of the simulated x86: the hardware page walk (with the
 * permission checks and the Accessed/Dirty updates x86 does in the
 * entries themselves, atomically), the TLB miss path that raises page
 * faults and retries, and the bulk user/kernel copies built on it.
 *
 * Permission rules, as x86 with CR0.WP set: the effective RW and USER of
 * a translation are the AND over every level, NX the OR (PAE's PDPT
 * entries carry no permissions); a write to a read-only page faults in
 * kernel mode too; a user access to a supervisor page faults.
 */
#include <string.h>
#include "hw/mmu.h"

/* The three paging modes, indexed by enum hw_paging. */
const struct pgt_format pgt_formats[HW_NR_PAGING] = {
	[HW_PAGING_I386] = PGT_FORMAT_I386,
	[HW_PAGING_PAE] = PGT_FORMAT_PAE,
	[HW_PAGING_X86_64] = PGT_FORMAT_X86_64,
};

/* A walk that saw an entry change under it (another CPU, the kernel) restarts. */
#define WALK_RESTART	(~0u)

/*
 * Set @bits in the entry at @p, expecting @old: false if the entry
 * changed meanwhile (the walk restarts and sees the new value).
 */
static bool set_entry_bits(void *p, const struct pgt_format *f, uint64_t old, uint64_t bits)
{
	if ((old & bits) == bits)
		return true;
	return __pgt_cmpxchg(p, f, old, old | bits);
}

static __always_inline unsigned int __mmu_walk(struct hw_machine *hw, const struct pgt_format *f,
			       phys_addr_t pgd_phys, unsigned long addr,
			       enum mmu_access access, bool user, struct mmu_walk_result *res)
{
	unsigned int ec = (access == MMU_WRITE ? PF_WRITE : 0) | (user ? PF_USER : 0) |
			  (access == MMU_FETCH ? PF_INSTR : 0);
	uint8_t *table = hw->ram + pgd_phys;
	bool w_ok = true, u_ok = true, nx = false;
	enum pgt_level level = PGT_PGD;
	uint64_t e;
	void *ep;

	ec |= MMU_FAULT;
	if (!pgt_va_valid(f, addr))
		return ec;
	for (;;) {
		ep = table + (pgt_index(f, level, addr) << f->entry_shift);
		e = __pgt_read(ep, f);
		if (!(e & _PAGE_PRESENT))
			return ec;
		if (level == PGT_PTE)
			break;
		/* PAE's PDPT entries carry only Present */
		if (!(level == PGT_PGD && f->top_present_only)) {
			w_ok &= !!(e & _PAGE_RW);
			u_ok &= !!(e & _PAGE_USER);
			nx |= !!(e & _PAGE_NX);
			/* a large page: the entry at the pmd (or i386 pgd) level maps it */
			if ((e & _PAGE_PSE) && (level == PGT_PMD || level == PGT_PUD ||
						f->levels == 2))
				break;
			if (!set_entry_bits(ep, f, e, _PAGE_ACCESSED))
				return WALK_RESTART;
		}
		table = hw->ram + (e & f->phys_mask);
		/* step over folded levels */
		do {
			level--;
		} while (level > PGT_PTE && f->ptrs[level] == 1);
	}
	/* the leaf: a 4 KiB PTE or a large page entry */
	w_ok &= !!(e & _PAGE_RW);
	u_ok &= !!(e & _PAGE_USER);
	nx |= !!(e & _PAGE_NX);
	if (user && !u_ok)
		return ec | PF_PROT;
	if (access == MMU_WRITE && !w_ok)
		return ec | PF_PROT;
	if (access == MMU_FETCH && nx)
		return ec | PF_PROT;
	if (!set_entry_bits(ep, f, e, _PAGE_ACCESSED | (access == MMU_WRITE ? _PAGE_DIRTY : 0)))
		return WALK_RESTART;
	e |= _PAGE_ACCESSED | (access == MMU_WRITE ? _PAGE_DIRTY : 0);

	{
		unsigned int shift = level == PGT_PTE ? PAGE_SHIFT : f->shift[level];
		uint64_t size_mask = (1ULL << shift) - 1;

		res->pte = e;
		res->phys = ((e & f->phys_mask) & ~size_mask) | (addr & size_mask);
		res->user = u_ok;
		res->writable = w_ok;
		res->nx = nx;
		res->global = e & _PAGE_GLOBAL;
		res->dirty = e & _PAGE_DIRTY;
		res->level = level == PGT_PTE ? PGT_PTE : PGT_PMD;
	}
	return 0;
}

/*
 * One walker per format: the same code, with the format's shifts, widths
 * and folding as constants, so each is a short straight loop.
 */
static const struct pgt_format walk_i386 = PGT_FORMAT_I386;
static const struct pgt_format walk_pae = PGT_FORMAT_PAE;
static const struct pgt_format walk_x86_64 = PGT_FORMAT_X86_64;

#define DEFINE_WALKER(name, fmt)						\
static __noinline unsigned int name(struct hw_machine *hw, phys_addr_t pgd_phys,	\
				    unsigned long addr, enum mmu_access access,	\
				    bool user, struct mmu_walk_result *res)	\
{										\
	unsigned int ec;							\
										\
	while ((ec = __mmu_walk(hw, &(fmt), pgd_phys, addr, access, user, res)) ==	\
	       WALK_RESTART)							\
		;								\
	return ec;								\
}
DEFINE_WALKER(mmu_walk_i386, walk_i386)
DEFINE_WALKER(mmu_walk_pae, walk_pae)
DEFINE_WALKER(mmu_walk_x86_64, walk_x86_64)

unsigned int mmu_walk(struct hw_machine *hw, phys_addr_t pgd_phys, unsigned long addr,
		      enum mmu_access access, bool user, struct mmu_walk_result *res)
{
	switch (hw->paging) {
	case HW_PAGING_I386:
		return mmu_walk_i386(hw, pgd_phys, addr, access, user, res);
	case HW_PAGING_PAE:
		return mmu_walk_pae(hw, pgd_phys, addr, access, user, res);
	case HW_PAGING_X86_64:
	default:
		return mmu_walk_x86_64(hw, pgd_phys, addr, access, user, res);
	}
}

/* After this many faults on one access the fault handler is not making progress. */
#define MAX_FAULT_RETRIES 100000

uint8_t *__mmu_translate(struct hw_cpu *cpu, unsigned long addr, enum mmu_access access,
			 bool user)
{
	struct hw_machine *hw = cpu->hw;
	struct tlb *t = cpu->tlb;
	struct mmu_walk_result res;
	unsigned int retries = 0;

	hw_pmc_add(cpu, PMC_TLB_MISS, 1);
	for (;;) {
		unsigned int ec;

		if (tlb_flush_pending(t))
			tlb_apply_pending(t);
		BUG_ON_MSG(!cpu->cr3, "cpu %d: access to %#lx with no page tables loaded",
			   cpu->id, addr);
		ec = mmu_walk(hw, cpu->cr3, addr, access, user, &res);
		if (likely(!ec)) {
			uint8_t *frame = hw->ram + (res.phys & PAGE_MASK);

			tlb_fill(t, addr, frame, res.user, res.writable && res.dirty, res.nx,
				 res.global);
			if (unlikely(cpu->idt->page_walk))
				cpu->idt->page_walk(cpu, res.phys);
			return frame + (addr & ~PAGE_MASK);
		}
		/* #PF: the kernel's handler may sleep and take locks: leave the access */
		tlb_exit(t);
		BUG_ON_MSG(!cpu->idt, "cpu %d: page fault at %#lx with no trap table loaded",
			   cpu->id, addr);
		if (cpu->idt->page_fault(cpu, addr, ec & ~MMU_FAULT))
			return NULL;
		BUG_ON_MSG(++retries > MAX_FAULT_RETRIES,
			   "cpu %d: fault at %#lx (error %#x) resolved %u times without progress",
			   cpu->id, addr, ec, retries);
		tlb_enter(t);
		/* the fault handler may have loaded the translation (update_mmu_cache) */
		if (access != MMU_FETCH) {
			uint8_t *p = access == MMU_WRITE ? tlb_lookup_write(t, addr, user) :
							   tlb_lookup_read(t, addr, user);
			if (p)
				return p;
		}
	}
}

int __mmu_access64(struct hw_cpu *cpu, unsigned long addr, uint64_t *val, bool write)
{
	struct tlb *t = cpu->tlb;
	uint8_t *p;

	if (unlikely(addr & 7)) {
		int err;

		/* the copy brackets each page itself */
		tlb_exit(t);
		err = write ? mmu_user_write(addr, val, 8) : mmu_user_read(addr, val, 8);
		tlb_enter(t);
		return err;
	}
	p = write ? tlb_lookup_write(t, addr, true) : tlb_lookup_read(t, addr, true);
	if (p) {
		hw_pmc_add(cpu, PMC_TLB_HIT, 1);
		tlb_l0_promote(t, addr);
	} else {
		p = __mmu_translate(cpu, addr, write ? MMU_WRITE : MMU_READ, true);
		if (!p) {
			/* the fault left the bracket: the caller closes it */
			tlb_enter(t);
			return -EFAULT;
		}
	}
	if (write)
		__atomic_store_n((uint64_t *)p, *val, __ATOMIC_RELAXED);
	else
		*val = __atomic_load_n((uint64_t *)p, __ATOMIC_RELAXED);
	return 0;
}

/*
 * Copy between @buf and virtual memory page by page.  Returns the bytes
 * not copied (0 when everything was).
 */
unsigned long __mmu_copy(unsigned long addr, void *buf, const void *src,
			 unsigned long len, bool write, bool user)
{
	struct hw_cpu *cpu = hw_this_cpu();
	struct tlb *t = cpu->tlb;

	while (len) {
		unsigned long chunk = PAGE_SIZE - (addr & ~PAGE_MASK);
		uint8_t *p;

		if (chunk > len)
			chunk = len;
		tlb_enter(t);
		p = write ? tlb_lookup_write(t, addr, user) : tlb_lookup_read(t, addr, user);
		if (likely(p)) {
			hw_pmc_add(cpu, PMC_TLB_HIT, 1);
		} else {
			p = __mmu_translate(cpu, addr, write ? MMU_WRITE : MMU_READ, user);
			if (!p)
				return len;
		}
		if (write) {
			memcpy(p, src, chunk);
			src = (const uint8_t *)src + chunk;
		} else {
			memcpy(buf, p, chunk);
			buf = (uint8_t *)buf + chunk;
		}
		tlb_exit(t);
		addr += chunk;
		len -= chunk;
	}
	return 0;
}

int mmu_user_read(unsigned long addr, void *buf, unsigned long len)
{
	return __mmu_copy(addr, buf, NULL, len, false, true) ? -EFAULT : 0;
}

int mmu_user_write(unsigned long addr, const void *buf, unsigned long len)
{
	return __mmu_copy(addr, NULL, buf, len, true, true) ? -EFAULT : 0;
}

int mmu_user_fetch(unsigned long addr, uint8_t *byte)
{
	struct hw_cpu *cpu = hw_this_cpu();
	struct tlb *t = cpu->tlb;
	struct tlb_entry *e;
	uint8_t *p = NULL;

	cpu->ip = addr;		/* a fault on the fetch reports it as its ip too */
	tlb_enter(t);
	if (!tlb_flush_pending(t)) {
		e = tlb_set(t, addr);
		for (unsigned int i = 0; i < t->ways; i++) {
			if (e[i].tag_read == (addr & PAGE_MASK) && !(e[i].flags & TLB_F_NX)) {
				p = e[i].host + (addr & ~PAGE_MASK);
				hw_pmc_add(cpu, PMC_TLB_HIT, 1);
				break;
			}
		}
	}
	if (!p) {
		p = __mmu_translate(cpu, addr, MMU_FETCH, true);
		if (!p)
			return -EFAULT;
	}
	*byte = __atomic_load_n(p, __ATOMIC_RELAXED);
	tlb_exit(t);
	return 0;
}

unsigned long mmu_kernel_read(void *buf, unsigned long addr, unsigned long len)
{
	return __mmu_copy(addr, buf, NULL, len, false, false);
}

unsigned long mmu_kernel_write(unsigned long addr, const void *buf, unsigned long len)
{
	return __mmu_copy(addr, NULL, buf, len, true, false);
}

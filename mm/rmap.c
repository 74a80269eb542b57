/*
 * mm/rmap.c - the reverse map of the victim-naming policies (kern/rmap.h):
 * pte_chains as Linux 2.5 (each mapped frame lists the PTEs that map it),
 * try_to_unmap, which takes one chosen page out of every process, and
 * page_referenced, which harvests the Accessed bits of its PTEs.
 *
 * Why pte_chains rather than 2.6's object-based map: vmsim's anon_vma is
 * only an identity (a forked child gets fresh ones, no VMA list), and an
 * anonymous page in the swap cache uses page->mapping and page->index for
 * the swap cache (2.4's layout), so a page cannot name its anon_vma; a
 * chain per frame needs neither and is kept exactly where _mapcount
 * changes.  Its cost (one entry per PTE, a lock per map and unmap) is paid
 * only by machines whose policy uses it.
 *
 * Locks: rmap->lock guards every chain and the free list; it is a leaf,
 * taken inside page_table_lock by the map and unmap paths.  try_to_unmap
 * copies a chain out under it and then, per entry, takes a reference on
 * the mm (unless it is exiting), trylocks its mmap_sem for reading (as
 * swap_out) and its page_table_lock, and checks that the PTE still maps
 * the page before unmapping it.
 */
#include <errno.h>
#include <stdlib.h>
#include "kern/rmap.h"
#include "kern/memory.h"
#include "kern/pgtable.h"
#include "kern/printk.h"
#include "kern/sched.h"
#include "kern/tlb.h"
#include "kern/vmscan.h"

struct pte_chain {
	struct mm_struct *mm;
	unsigned long address;
	struct pte_chain *next;
};

#define CHAIN_BLOCK	256	/* entries allocated at once */

struct chain_block {
	struct chain_block *next;
	struct pte_chain e[CHAIN_BLOCK];
};

struct rmap_state {
	spinlock_t lock;
	struct pte_chain *free;		/* unused entries */
	struct chain_block *blocks;	/* every block, freed at exit */
	unsigned long max_pfn;
	struct pte_chain *chain[];	/* by pfn */
};

int rmap_init(struct machine *m)
{
	struct rmap_state *r = calloc(1, sizeof(*r) + m->max_pfn * sizeof(r->chain[0]));

	if (!r)
		return -ENOMEM;
	spin_lock_init(&r->lock);
	r->max_pfn = m->max_pfn;
	m->rmap = r;
	return 0;
}

void rmap_exit(struct machine *m)
{
	struct rmap_state *r = m->rmap;

	if (!r)
		return;
	for (unsigned long pfn = 0; pfn < r->max_pfn; pfn++)
		BUG_ON_MSG(r->chain[pfn], "rmap_exit: pfn %lu still mapped at %#lx", pfn,
			   r->chain[pfn]->address);
	while (r->blocks) {
		struct chain_block *b = r->blocks;

		r->blocks = b->next;
		free(b);
	}
	free(r);
	m->rmap = NULL;
}

/* An unused entry (lock held). */
static struct pte_chain *pte_chain_alloc(struct rmap_state *r)
{
	struct pte_chain *pc = r->free;

	if (!pc) {
		struct chain_block *b = malloc(sizeof(*b));

		BUG_ON_MSG(!b, "pte_chain_alloc: host out of memory");
		b->next = r->blocks;
		r->blocks = b;
		for (unsigned int i = 0; i < CHAIN_BLOCK; i++) {
			b->e[i].next = pc;
			pc = &b->e[i];
		}
	}
	r->free = pc->next;
	return pc;
}

void __rmap_add(struct rmap_state *r, struct page *page, struct mm_struct *mm,
		unsigned long address)
{
	unsigned long pfn = page_to_pfn(page);
	struct pte_chain *pc;

	if (PageZero(page))
		return;		/* never reclaimed: its chain would be every process */
	spin_lock(&r->lock);
	pc = pte_chain_alloc(r);
	pc->mm = mm;
	pc->address = address;
	pc->next = r->chain[pfn];
	r->chain[pfn] = pc;
	spin_unlock(&r->lock);
}

void __rmap_del(struct rmap_state *r, struct page *page, struct mm_struct *mm,
		unsigned long address)
{
	unsigned long pfn = page_to_pfn(page);
	struct pte_chain **pp, *pc;

	if (PageZero(page))
		return;
	spin_lock(&r->lock);
	for (pp = &r->chain[pfn]; (pc = *pp); pp = &pc->next)
		if (pc->mm == mm && pc->address == address)
			break;
	BUG_ON_MSG(!pc, "rmap_del: pfn %lu has no PTE at %#lx", pfn, address);
	*pp = pc->next;
	pc->next = r->free;
	r->free = pc;
	spin_unlock(&r->lock);
}

/* A reference on @mm unless its last user is already tearing it down. */
static bool mmget_not_zero(struct mm_struct *mm)
{
	int users = atomic_load(&mm->mm_users);

	while (users > 0)
		if (atomic_compare_exchange_weak(&mm->mm_users, &users, users + 1))
			return true;
	return false;
}

/* The PTE of @mm at @address, if it still maps @page: unmap it.  True if done. */
static bool try_to_unmap_one(struct mm_struct *mm, unsigned long address, struct page *page)
{
	struct vm_area_struct *vma;
	struct page *need = NULL;
	bool done = false;
	pmdp_t pmd;
	ptep_t p;
	pte_t pte;

	if (!down_read_trylock(&mm->mmap_sem))
		return false;	/* busy with its VMAs: it keeps the PTE this time */
	vma = find_vma(mm, address);
	if (!vma || vma->vm_start > address || (vma->vm_flags & (VM_LOCKED | VM_IO | VM_PFNMAP)))
		goto out;
	spin_lock(&mm->page_table_lock);
	pmd = pmd_lookup(mm, address);
	if (pmd.p && !pmd_none(pmdp_get(pmd)) && !pmd_bad(pmdp_get(pmd))) {
		p = pte_offset_map(pmd, address);
		pte = ptep_get(p);
		if (pte_present(pte) && pte_pfn(pte) == page_to_pfn(page)) {
			int r = unmap_pte(mm, vma, address, p, page, &need, false);

			if (r == SWAP_OUT_NEED_SLOT) {
				/* it lost its swap-cache entry meanwhile: it stays mapped */
				unlock_page(need);
				put_page(need);
			}
			done = r == 1;
		}
		pte_unmap(p);
	}
	spin_unlock(&mm->page_table_lock);
out:
	up_read(&mm->mmap_sem);
	return done;
}

#define UNMAP_BATCH	16

/*
 * Copy out up to UNMAP_BATCH of @pfn's (mm, address) pairs, each mm
 * pinned, so the caller can visit them without the chain's lock (the
 * visit takes mmap_sem and the page-table lock).  Returns how many.
 */
static unsigned int rmap_collect(struct rmap_state *r, unsigned long pfn,
				 struct mm_struct **mm, unsigned long *addr)
{
	unsigned int n = 0;

	spin_lock(&r->lock);
	for (struct pte_chain *pc = r->chain[pfn]; pc && n < UNMAP_BATCH; pc = pc->next)
		if (mmget_not_zero(pc->mm)) {
			mm[n] = pc->mm;
			addr[n++] = pc->address;
		}
	spin_unlock(&r->lock);
	return n;
}

bool try_to_unmap(struct machine *m, struct page *page)
{
	struct rmap_state *r = m->rmap;
	unsigned long pfn = page_to_pfn(page);

	/* each round copies out up to UNMAP_BATCH PTEs; stop when a round unmaps none */
	while (page_mapcount(page) > 0) {
		struct mm_struct *mm[UNMAP_BATCH];
		unsigned long addr[UNMAP_BATCH];
		unsigned int n = rmap_collect(r, pfn, mm, addr), done = 0;

		for (unsigned int i = 0; i < n; i++) {
			done += try_to_unmap_one(mm[i], addr[i], page);
			mmput(mm[i]);
		}
		if (!done)
			break;
	}
	return page_mapcount(page) == 0;
}

/* The PTE of @mm at @address, if it still maps @page: test and clear its Accessed bit. */
static int page_referenced_one(struct mm_struct *mm, unsigned long address, struct page *page,
			       unsigned long *vm_flags)
{
	struct vm_area_struct *vma;
	int referenced = 0;
	pmdp_t pmd;
	ptep_t p;
	pte_t pte;

	if (!down_read_trylock(&mm->mmap_sem))
		return 1;	/* busy with its VMAs: count it as a use, as 2.6 did */
	vma = find_vma(mm, address);
	if (!vma || vma->vm_start > address)
		goto out;
	spin_lock(&mm->page_table_lock);
	pmd = pmd_lookup(mm, address);
	if (pmd.p && !pmd_none(pmdp_get(pmd)) && !pmd_bad(pmdp_get(pmd))) {
		p = pte_offset_map(pmd, address);
		pte = ptep_get(p);
		/* no flush: x86 Linux leaves a young TLB entry too (ptep_clear_flush_young) */
		if (pte_present(pte) && pte_pfn(pte) == page_to_pfn(page) &&
		    ptep_test_and_clear_young(p)) {
			referenced = 1;
			*vm_flags |= vma->vm_flags;
		}
		pte_unmap(p);
	}
	spin_unlock(&mm->page_table_lock);
out:
	up_read(&mm->mmap_sem);
	return referenced;
}

int page_referenced(struct machine *m, struct page *page, unsigned long *vm_flags)
{
	struct rmap_state *r = m->rmap;
	unsigned long pfn = page_to_pfn(page);
	struct mm_struct *mm[UNMAP_BATCH];
	unsigned long addr[UNMAP_BATCH];
	unsigned int n;
	int referenced = 0;

	*vm_flags = 0;
	if (!r || page_mapcount(page) == 0)
		return 0;
	n = rmap_collect(r, pfn, mm, addr);
	for (unsigned int i = 0; i < n; i++) {
		referenced += page_referenced_one(mm[i], addr[i], page, vm_flags);
		mmput(mm[i]);
	}
	return referenced;
}

bool rmap_is_valid(struct machine *m)
{
	struct rmap_state *r = m->rmap;
	bool ok = true;

	if (!r)
		return true;
	spin_lock(&r->lock);
	for (unsigned long pfn = 0; pfn < r->max_pfn; pfn++) {
		struct page *page;
		int n = 0;

		if (!pfn_valid(m, pfn))
			continue;
		page = pfn_to_page(m, pfn);
		for (struct pte_chain *pc = r->chain[pfn]; pc; pc = pc->next)
			n++;
		if (PageZero(page) || n == page_mapcount(page))
			continue;
		printk(m, "rmap: pfn %lu has %d chain entries, mapcount %d\n", pfn, n,
		       page_mapcount(page));
		ok = false;
	}
	spin_unlock(&r->lock);
	return ok;
}

/*
 * The reverse map of the policies that name their victims (mm/rmap.c):
 * for each mapped frame, the PTEs that map it, as Linux 2.5's pte_chains
 * (Rik van Riel's rmap), so that try_to_unmap(page) takes one chosen page
 * out of every process without scanning all page tables.
 *
 * It exists only on a machine whose policy reclaims through
 * shrink_victims (m->rmap non-NULL); the two 2.4 designs find PTEs by
 * their page-table scan, as 2.4 did, and pay one untaken branch per
 * mapping here.  Each chain entry names (mm, virtual address); it is added
 * and removed wherever the page's _mapcount changes (mm/memory.c's rmap
 * accounting, swapoff, mremap's move), under the mm's page_table_lock,
 * and the chains themselves are under rmap->lock (a leaf: nothing is
 * taken inside it).  The entries are the simulator's host memory, not
 * the simulated kernel's slab: 2.5 allocated them from a slab cache, which
 * would add to the machine's kernel memory only under these policies.
 */
#ifndef KERN_RMAP_H
#define KERN_RMAP_H

#include "kern/mm.h"
#include "kern/mm_types.h"

struct rmap_state;

/* Boot, for a shrink_victims policy: 0 or -ENOMEM.  Teardown: every chain must be empty. */
int rmap_init(struct machine *m);
void rmap_exit(struct machine *m);

void __rmap_add(struct rmap_state *r, struct page *page, struct mm_struct *mm,
		unsigned long address);
void __rmap_del(struct rmap_state *r, struct page *page, struct mm_struct *mm,
		unsigned long address);

/* A PTE of @mm at @address now maps / no longer maps @page (page_table_lock held). */
static inline void rmap_add(struct mm_struct *mm, struct page *page, unsigned long address)
{
	struct rmap_state *r = mm->machine->rmap;

	if (unlikely(r))
		__rmap_add(r, page, mm, address & PAGE_MASK);
}

static inline void rmap_del(struct mm_struct *mm, struct page *page, unsigned long address)
{
	struct rmap_state *r = mm->machine->rmap;

	if (unlikely(r))
		__rmap_del(r, page, mm, address & PAGE_MASK);
}

/*
 * try_to_unmap - take @page (a reference held, not locked) out of every
 * PTE that maps it, with the TLB flush each needs: an anonymous page must
 * be in the swap cache (its PTEs get its swap entry), a file or shmem page
 * stays in its cache.  A process busy with its VMAs (mmap_sem held for
 * writing) or an mlocked VMA keeps its PTE.  True if no PTE maps it now.
 */
bool try_to_unmap(struct machine *m, struct page *page);

/*
 * page_referenced - test and clear the Accessed bit of every PTE that maps
 * @page (the first 16 of a page mapped more often); the PTEs found young,
 * counting a process busy with its VMAs as one, and in *@vm_flags the
 * flags of their VMAs OR'd (VM_EXEC: executable file pages stay active).
 */
int page_referenced(struct machine *m, struct page *page, unsigned long *vm_flags);

/* Each chain holds exactly the PTEs that map its page (page_mapcount of them). */
bool rmap_is_valid(struct machine *m);

#endif

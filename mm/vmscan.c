/*
 * Page reclaim (Linux 2.4 mm/vmscan.c): swap_out's page-table scan,
 * the LRU scanners of both 2.4 designs, try_to_free_pages (direct
 * reclaim), and kswapd.  See kern/vmscan.h for the designs and the lock
 * order.
 *
 * Who holds what while a page is reclaimed:
 *   swap_out      mm->mmap_sem (read, trylock) and page_table_lock while it
 *                 looks at PTEs; the page lock (trylock) while it changes
 *                 one; add_to_swap runs with only the page lock held.
 *   shrink_cache  pagemap_lru_lock while it walks the list; a reference and
 *                 the page lock (trylock) once it picks a page, with the
 *                 list lock dropped (I/O and freeing happen unlocked).
 * A page's last reference is never dropped under pagemap_lru_lock: the
 * free path takes it (lru_cache_del).
 *
 * Statistics as /proc/vmstat: pgscan_kswapd/direct (LRU pages looked at),
 * pgsteal_kswapd/direct (freed), pgrefill (active pages scanned),
 * pgdeactivate, pgrotated (written back and left at the list head),
 * pageoutrun (kswapd balancing passes), allocstall (counted by the
 * allocator), slabs_scanned (slab pages given back by kmem_cache_reap).
 */
#include <errno.h>
#include <stdio.h>
#include "kern/vmscan.h"
#include "kern/reclaim_policy.h"
#include "kern/rmap.h"
#include "kern/memory.h"
#include "kern/pgtable.h"
#include "kern/tlb.h"
#include "kern/slab.h"
#include "kern/shmem_fs.h"
#include "kern/printk.h"
#include "kern/writeback.h"
#include "kern/buffer_head.h"

/* --- helpers ------------------------------------------------------------------- */

static bool current_is_kswapd(struct machine *m)
{
	return this_cpu()->curr && this_cpu()->curr == m->vmscan->kswapd;
}

static void count_scan(struct machine *m, unsigned long n)
{
	count_vm_events(current_is_kswapd(m) ? PGSCAN_KSWAPD : PGSCAN_DIRECT, n);
}

static void count_steal(struct machine *m, unsigned long n)
{
	count_vm_events(current_is_kswapd(m) ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, n);
}

/*
 * A page swap_out just took from its last PTE is reclaimable: put it at
 * the tail of the inactive list (2.4.0: inactive_dirty), where the next
 * LRU scan looks first.
 */
static void rotate_to_inactive_tail(struct machine *m, struct page *page)
{
	struct lru_state *lru = m->lru;

	spin_lock(&lru->pagemap_lru_lock);
	/* an mlocked page (unevictable list) stays where it is */
	if (PageLRU(page) && !PageUnevictable(page)) {
		if (!PageInactiveDirty(page)) {
			del_page_from_lru_list(lru, page);
			add_page_to_inactive_list(lru, page);
			count_vm_event(PGDEACTIVATE);
		}
		list_move_tail(&page->lru, &lru->inactive_list);
	}
	spin_unlock(&lru->pagemap_lru_lock);
}

/* --- swap_out: the page-table scan ----------------------------------------------- */

#define SWAP_OUT_FULL		(-2)

/*
 * try_to_swap_out - look at one PTE (page_table_lock held).  A recently
 * used page gets another chance (its Accessed bit is cleared, and the page
 * marked accessed / aged up); otherwise a page already in the swap cache
 * is unmapped, its PTE replaced by its swap entry.  An anonymous page not
 * yet in the swap cache is returned locked and referenced in *@need (the
 * caller gives it a slot without the lock and calls again).  Returns 1 if
 * the PTE now holds a swap entry, 0 if not, SWAP_OUT_NEED_SLOT.
 */
static int try_to_swap_out(struct mm_struct *mm, struct vm_area_struct *vma,
			   unsigned long address, ptep_t p, zone_t *classzone, bool can_swap,
			   struct page **need)
{
	struct machine *m = mm->machine;
	pte_t pte = ptep_get(p);
	struct page *page;

	if (!pte_present(pte) || !pfn_valid(m, pte_pfn(pte)))
		return 0;
	page = pfn_to_page(m, pte_pfn(pte));
	if (PageZero(page) || PageReserved(page) || !memclass(page->zone, classzone))
		return 0;
	/* a page-cache page (file or shmem) is found again by its mapping */
	if (!PageAnon(page) && !PageSwapBacked(page) && !page->mapping)
		return 0;
	/* without swap space anonymous and shmem pages stay; file pages can still go */
	if (PageSwapBacked(page) && !can_swap)
		return 0;
	if (ptep_test_and_clear_young(p)) {
		m->reclaim_policy->pte_young(m, page);
		return 0;
	}
	if (m->reclaim_policy->pte_keep && m->reclaim_policy->pte_keep(m, page))
		return 0;
	return unmap_pte(mm, vma, address, p, page, need, true);
}

/*
 * unmap_pte - take @page (present at PTE @p, not young or no matter)
 * out of it, page_table_lock held.  A file or shmem page just loses the
 * PTE; an anonymous page in the swap cache gets its swap entry there; one
 * not yet in the swap cache is returned locked and referenced in *@need
 * (SWAP_OUT_NEED_SLOT).  @rotate: a page left unmapped goes to the
 * inactive tail (2.4's swap_out).  1 if the PTE no longer maps the page.
 */
int unmap_pte(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
	      ptep_t p, struct page *page, struct page **need, bool rotate)
{
	struct machine *m = mm->machine;
	swp_entry_t entry;
	pte_t pte;

	if (!PageAnon(page)) {
		/*
		 * 2.4's drop_pte: the file or shmem page stays in its page
		 * cache (dirty if the PTE was), for shrink_cache to write (a
		 * shmem page to swap, shmem_writepage) and free once nobody
		 * maps it; a later access faults it back in (nopage).
		 */
		pte = ptep_get_and_clear(p);
		flush_tlb_page(vma, address);
		if (pte_dirty(pte))
			set_page_dirty(page);
		page_remove_rmap(mm, page, address);
		if (rotate && page_mapcount(page) == 0)
			rotate_to_inactive_tail(m, page);
		put_page(page);		/* the PTE's reference */
		return 1;
	}
	if (!trylock_page(page))
		return 0;
	if (!PageSwapCache(page)) {
		get_page(page);
		*need = page;
		return SWAP_OUT_NEED_SLOT;
	}
	entry = page_swp_entry(page);
	pte = ptep_get_and_clear(p);
	flush_tlb_page(vma, address);
	if (pte_dirty(pte))
		SetPageDirty(page);
	BUG_ON_MSG(!swap_duplicate(entry), "swap_out: pfn %lu caches free slot %#lx",
		   page_to_pfn(page), entry.val);
	set_pte(p, swp_entry_to_pte(entry));
	atomic_fetch_add(&mm->swap_ents, 1);
	page_remove_rmap(mm, page, address);
	if (rotate && page_mapcount(page) == 0)
		rotate_to_inactive_tail(m, page);
	unlock_page(page);
	put_page(page);		/* the PTE's reference; the swap cache keeps the page */
	return 1;
}

/*
 * swap_out_vma - scan the PTEs of @vma from *@addr until @budget pages
 * were unmapped.  *@addr is where to go on.  Returns pages unmapped, or
 * SWAP_OUT_FULL when no swap slot is left.
 */
static int swap_out_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long *addr,
			int budget, zone_t *classzone, bool can_swap)
{
	const struct pgt_format *f = mm_pgt_fmt(mm);
	unsigned long a = *addr < vma->vm_start ? vma->vm_start : *addr;
	unsigned long end = vma->vm_end;
	int done = 0, ret = 0;

	spin_lock(&mm->page_table_lock);
	while (a < end && done < budget) {
		unsigned long next = pmd_addr_end(f, a, end);
		pmdp_t pmd = pmd_lookup(mm, a);
		struct page *need = NULL;
		ptep_t p;
		int r = 0;

		if (!pmd.p || pmd_none(pmdp_get(pmd)) || pmd_bad(pmdp_get(pmd))) {
			a = next;
			continue;
		}
		p = pte_offset_map(pmd, a);
		for (; a < next && done < budget; a += PAGE_SIZE, p = ptep_next(p)) {
			r = try_to_swap_out(mm, vma, a, p, classzone, can_swap, &need);
			if (r == SWAP_OUT_NEED_SLOT)
				break;
			done += r;
		}
		pte_unmap(p);
		if (r != SWAP_OUT_NEED_SLOT)
			continue;
		/* a slot and a swap-cache entry, with no spinlock held; then again */
		spin_unlock(&mm->page_table_lock);
		r = add_to_swap(need, GFP_ATOMIC);
		unlock_page(need);
		put_page(need);
		spin_lock(&mm->page_table_lock);
		if (r) {
			ret = SWAP_OUT_FULL;
			break;
		}
	}
	spin_unlock(&mm->page_table_lock);
	*addr = a;
	return ret ? ret : done;
}

/*
 * swap_out_mm - scan @mm's private VMAs from *@addr (mmap_sem held).
 * *@addr becomes TASK_SIZE-like ~0 when the whole mm was scanned.
 */
static int swap_out_mm(struct mm_struct *mm, unsigned long *addr, int budget,
		       zone_t *classzone, bool can_swap)
{
	struct vm_area_struct *vma;
	int done = 0;

	for (vma = find_vma(mm, *addr); vma && done < budget; vma = vma->vm_next) {
		int r;

		if (vma->vm_flags & (VM_LOCKED | VM_IO | VM_PFNMAP))
			continue;
		r = swap_out_vma(mm, vma, addr, budget - done, classzone, can_swap);
		if (r == SWAP_OUT_FULL)
			return r;
		done += r;
		if (done >= budget)
			return done;	/* *addr: where this VMA's scan stopped */
	}
	*addr = ~0UL;
	return done;
}

/*
 * The mm of the first live task with pid >= *@pid (wrapping around once),
 * with an mm_users reference; *@pid its pid.  The pid-ordered task list
 * gives a deterministic round robin (2.4.0 walked the task list too).
 */
static struct mm_struct *next_swap_mm(struct machine *m, int *pid)
{
	struct task_state *ts = m->tasks;
	struct task_struct *t, *first = NULL, *found = NULL;

	spin_lock(&ts->tasklist_lock);
	list_for_each_entry(t, &ts->task_list, tasks) {
		if (!t->mm || (task_flags(t) & (PF_KTHREAD | PF_EXITING)))
			continue;
		if (!first)
			first = t;
		if (t->pid >= *pid) {
			found = t;
			break;
		}
	}
	if (!found)
		found = first;
	if (found) {
		*pid = found->pid;
		/* t->mm is cleared under tasklist_lock before its mmput */
		mmget(found->mm);
	}
	spin_unlock(&ts->tasklist_lock);
	return found ? found->mm : NULL;
}

/* swap_out's body: returns the PTEs it replaced by swap entries. */
static int __swap_out(struct machine *m, zone_t *classzone)
{
	struct vmscan_state *vs = m->vmscan;
	int budget = SWAP_CLUSTER_MAX;
	unsigned long total, free;
	bool can_swap;
	int counter;

	si_swapinfo(m, &total, &free);
	can_swap = free > 0;	/* else only file pages leave their PTEs */
	/* every process once (the first from where the last scan stopped) */
	spin_lock(&m->tasks->tasklist_lock);
	counter = m->tasks->nr_tasks + 1;
	spin_unlock(&m->tasks->tasklist_lock);
	while (counter-- > 0 && budget > 0) {
		struct mm_struct *mm;
		unsigned long addr;
		int pid, r = 0;

		spin_lock(&vs->swap_out_lock);
		pid = vs->swap_pid;
		addr = vs->swap_address;
		spin_unlock(&vs->swap_out_lock);
		mm = next_swap_mm(m, &pid);
		if (!mm)
			return 0;
		spin_lock(&vs->swap_out_lock);
		if (pid != vs->swap_pid)
			addr = 0;	/* a new process: from its start */
		spin_unlock(&vs->swap_out_lock);
		/* VMAs change under mmap_sem: skip a process busy with them */
		if (down_read_trylock(&mm->mmap_sem)) {
			r = swap_out_mm(mm, &addr, budget, classzone, can_swap);
			up_read(&mm->mmap_sem);
		} else {
			addr = ~0UL;
		}
		mmput(mm);
		spin_lock(&vs->swap_out_lock);
		vs->swap_pid = addr == ~0UL ? pid + 1 : pid;
		vs->swap_address = addr == ~0UL ? 0 : addr;
		spin_unlock(&vs->swap_out_lock);
		if (r == SWAP_OUT_FULL)
			break;
		budget -= r;
	}
	return SWAP_CLUSTER_MAX - budget;
}

int swap_out(struct machine *m, unsigned int priority, gfp_t gfp_mask, zone_t *classzone)
{
	(void)priority;
	(void)gfp_mask;
	return __swap_out(m, classzone) >= SWAP_CLUSTER_MAX;
}

/* --- 2.4.10+: refill_inactive and shrink_cache ------------------------------------- */

/* Move up to @nr_pages from the active list's tail to the inactive list. */
static void refill_inactive(struct machine *m, unsigned long nr_pages)
{
	struct lru_state *lru = m->lru;
	struct list_head *entry;
	unsigned long scanned = 0, moved = 0;
	unsigned long max_scan;

	spin_lock(&lru->pagemap_lru_lock);
	max_scan = lru->nr_active_pages;
	entry = lru->active_list.prev;
	while (nr_pages && entry != &lru->active_list && scanned < max_scan) {
		struct page *page = list_entry(entry, struct page, lru);

		entry = entry->prev;
		scanned++;
		if (TestClearPageReferenced(page)) {
			/* second chance: to the head */
			list_move(&page->lru, &lru->active_list);
			continue;
		}
		nr_pages--;
		del_page_from_lru_list(lru, page);
		add_page_to_inactive_list(lru, page);
		moved++;
	}
	spin_unlock(&lru->pagemap_lru_lock);
	trace_mm_vmscan_lru_isolate(m, nr_pages + moved, scanned, moved, 1);
	count_vm_events(PGREFILL, scanned);
	count_vm_events(PGDEACTIVATE, moved);
}

/*
 * Write a locked, referenced dirty page back (no spinlock held): swap-cache
 * pages to their slot, file pages through their mapping, shmem pages into
 * the swap cache first (shmem_writepage) and then to their new slot.
 * Returns true if the page is clean and still locked.  *@locked tells
 * whether we still hold the page lock (write_one_page drops it, and the
 * page may be someone else's by the time we look: never judge by
 * PageLocked).
 */
static bool pageout(struct page *page, bool *locked)
{
	struct address_space *mapping = page->mapping;

	/* shmem pages are always dirty: only RAM or their slot holds them */
	if (mapping && mapping->swapbacked && !PageSwapCache(page) && shmem_writepage(page))
		return false;
	if (!PageDirty(page))
		return true;
	trace_mm_vmscan_writepage(page_machine(page), page);
	if (PageSwapCache(page)) {
		ClearPageDirty(page);
		if (swap_writepage(page)) {
			SetPageDirty(page);
			SetPageError(page);
			return false;
		}
		return true;
	}
	if (!mapping || mapping->swapbacked || !mapping->a_ops || !mapping->a_ops->writepage)
		return false;
	write_one_page(page);		/* unlocks the page */
	*locked = trylock_page(page);
	if (!*locked)
		return false;
	if (PageDirty(page) || page->mapping != mapping) {
		unlock_page(page);
		*locked = false;
		return false;
	}
	return true;
}

/* Reclaim takes @page out of its cache for good: the policy's evicted (shadow entries). */
static inline void policy_evicted(struct page *page)
{
	const struct reclaim_policy *pol = page_reclaim_policy(page);

	if (pol->evicted)
		pol->evicted(page_machine(page), page);
}

/*
 * Free a locked, clean page we hold one reference to, if only its cache
 * holds another: take it out of the swap cache or page cache.  The page
 * is unlocked and our reference dropped in every case.  True if freed.
 */
static bool reclaim_locked_page(struct page *page)
{
	struct address_space *mapping = page->mapping;
	bool freeable = false;

	if (mapping && !PageDirty(page) && page_mapcount(page) == 0) {
		if (PageSwapCache(page)) {
			swp_entry_t entry = page_swp_entry(page);

			spin_lock(&mapping->tree_lock);
			/* the cache's reference and ours: nobody else can find it */
			if (page_count(page) == 2) {
				policy_evicted(page);
				__delete_from_swap_cache(page);
				freeable = true;
			}
			spin_unlock(&mapping->tree_lock);
			if (freeable)
				swap_free(entry);
		} else if (!mapping->swapbacked &&
			   /* 2.4's shrink_cache: a page with buffers (a block device's)
			    * frees them first, writing dirty ones (fs/buffer.c) */
			   (!page_has_buffers(page) || try_to_free_buffers(page, true))) {
			spin_lock(&mapping->tree_lock);
			if (page_count(page) == 2 && !PageDirty(page)) {
				policy_evicted(page);
				__remove_from_page_cache(page);
				freeable = true;
			}
			spin_unlock(&mapping->tree_lock);
		}
	}
	unlock_page(page);
	if (freeable)
		put_page(page);		/* the cache's reference */
	put_page(page);			/* ours: the last one frees the page */
	return freeable;
}

/*
 * shrink_cache - free up to @nr_pages clean unmapped pages from the tail
 * of the inactive list, writing dirty ones first.  Too many mapped pages
 * met on the way (max_mapped) call swap_out, as 2.4.10.  Returns pages freed.
 */
static unsigned long shrink_cache(struct machine *m, unsigned long nr_pages, zone_t *classzone,
				  unsigned int priority, unsigned long *unmapped)
{
	struct lru_state *lru = m->lru;
	unsigned long freed = 0, scanned = 0, max_scan, max_mapped;
	bool call_swap_out = false, locked;

	spin_lock(&lru->pagemap_lru_lock);
	max_scan = lru->nr_inactive_pages / priority + 1;
	max_mapped = min(nr_pages << (10 - priority), max_scan / 10 + 1);
	while (max_scan-- > 0 && !list_empty(&lru->inactive_list)) {
		struct page *page = list_last_entry(&lru->inactive_list, struct page, lru);

		VM_BUG_ON_MSG(PageActive(page), "shrink_cache: active pfn %lu on the inactive list",
			      page_to_pfn(page));
		list_move(&page->lru, &lru->inactive_list);
		scanned++;
		if (!memclass(page->zone, classzone))
			continue;
		if (page_mapcount(page) > 0) {
			/* mapped: only swap_out can take it from its PTEs */
			if (max_mapped-- == 0) {
				call_swap_out = true;
				break;
			}
			continue;
		}
		/* page->mapping changes under the page lock: read it only with that held */
		if (!get_page_unless_zero(page))
			continue;	/* being freed */
		spin_unlock(&lru->pagemap_lru_lock);
		if (!trylock_page(page)) {
			put_page(page);
			goto relock;
		}
		if (!page->mapping) {
			/* a private page between owners */
			unlock_page(page);
			put_page(page);
			goto relock;
		}
		locked = true;
		if (!pageout(page, &locked)) {
			if (locked)
				unlock_page(page);
			put_page(page);
			count_vm_event(PGROTATED);
			goto relock;
		}
		if (reclaim_locked_page(page))
			freed++;
relock:
		spin_lock(&lru->pagemap_lru_lock);
		if (freed >= nr_pages)
			break;
	}
	spin_unlock(&lru->pagemap_lru_lock);
	trace_mm_vmscan_lru_isolate(m, nr_pages, scanned, freed, 0);
	count_scan(m, scanned);
	count_steal(m, freed);
	if (call_swap_out)
		*unmapped += (unsigned long)__swap_out(m, classzone);
	return freed;
}

/* --- 2.4.0: refill_inactive_scan, page_launder, reclaim_page ------------------------ */

/*
 * refill_inactive_scan - age the active list (up if referenced, down
 * otherwise) and deactivate unmapped cache pages whose age reached 0.
 * Returns pages deactivated.
 */
static unsigned long refill_inactive_scan(struct machine *m, unsigned int priority,
					  unsigned long target)
{
	struct lru_state *lru = m->lru;
	unsigned long scanned = 0, moved = 0, max_scan;

	spin_lock(&lru->pagemap_lru_lock);
	max_scan = (lru->nr_active_pages >> priority) + 1;
	while (max_scan-- > 0 && moved < target && !list_empty(&lru->active_list)) {
		struct page *page = list_last_entry(&lru->active_list, struct page, lru);

		scanned++;
		if (TestClearPageReferenced(page))
			age_page_up(page);
		else
			age_page_down(page);
		if (page->age == 0 && page_mapcount(page) == 0 && page->mapping) {
			deactivate_page_nolock(page);	/* counts pgdeactivate */
			moved++;
		} else {
			list_move(&page->lru, &lru->active_list);
		}
	}
	spin_unlock(&lru->pagemap_lru_lock);
	trace_mm_vmscan_lru_isolate(m, target, scanned, moved, 1);
	count_vm_events(PGREFILL, scanned);
	return moved;
}

/*
 * page_launder - walk inactive_dirty: pages used again go back to the
 * active list, dirty ones are written, clean unused ones move to
 * inactive_clean.  Returns pages made clean.
 */
static unsigned long page_launder(struct machine *m, unsigned long target)
{
	struct lru_state *lru = m->lru;
	unsigned long scanned = 0, cleaned = 0, max_scan;

	spin_lock(&lru->pagemap_lru_lock);
	max_scan = lru->nr_inactive_pages;
	while (max_scan-- > 0 && cleaned < target && !list_empty(&lru->inactive_list)) {
		struct page *page = list_last_entry(&lru->inactive_list, struct page, lru);
		bool clean;

		scanned++;
		if (PageReferenced(page) || page_mapcount(page) > 0) {
			del_page_from_lru_list(lru, page);
			add_page_to_active_list(lru, page);
			age_page_up(page);
			count_vm_event(PGACTIVATE);
			continue;
		}
		list_move(&page->lru, &lru->inactive_list);
		if (!get_page_unless_zero(page))
			continue;
		spin_unlock(&lru->pagemap_lru_lock);
		clean = false;
		if (trylock_page(page)) {
			bool locked = true;

			/* page->mapping is stable under the page lock only */
			clean = page->mapping && pageout(page, &locked);
			if (locked)
				unlock_page(page);
		}
		spin_lock(&lru->pagemap_lru_lock);
		/* only the cache (and we) hold it: ready for reclaim_page */
		if (clean && PageLRU(page) && PageInactiveDirty(page) && !PageDirty(page) &&
		    page_count(page) == 2 && page_mapcount(page) == 0) {
			del_page_from_lru_list(lru, page);
			add_page_to_inactive_clean_list(lru, page);
			cleaned++;
		}
		/* our reference may be the last: never dropped under the list lock */
		spin_unlock(&lru->pagemap_lru_lock);
		put_page(page);
		spin_lock(&lru->pagemap_lru_lock);
	}
	spin_unlock(&lru->pagemap_lru_lock);
	trace_mm_vmscan_lru_isolate(m, target, scanned, cleaned, 0);
	count_scan(m, scanned);
	/* 2.4.0: too few pages laundered, memory is short: bdflush writes buffers */
	if (cleaned < target)
		wakeup_bdflush(m);
	return cleaned;
}

/*
 * reclaim_page - free clean pages of the inactive_clean list in
 * @classzone (2.4.0's allocator called it for each page; kreclaimd in
 * advance).  Returns pages freed.
 */
static unsigned long reclaim_page(struct machine *m, zone_t *classzone, unsigned long target)
{
	struct lru_state *lru = m->lru;
	unsigned long freed = 0, scanned = 0, max_scan;

	spin_lock(&lru->pagemap_lru_lock);
	max_scan = lru->nr_inactive_clean_pages;
	while (max_scan-- > 0 && freed < target && !list_empty(&lru->inactive_clean_list)) {
		struct page *page = list_last_entry(&lru->inactive_clean_list, struct page, lru);

		scanned++;
		if (PageReferenced(page) || page_mapcount(page) > 0) {
			del_page_from_lru_list(lru, page);
			add_page_to_active_list(lru, page);
			count_vm_event(PGACTIVATE);
			continue;
		}
		if (PageDirty(page)) {
			del_page_from_lru_list(lru, page);
			add_page_to_inactive_list(lru, page);
			continue;
		}
		list_move(&page->lru, &lru->inactive_clean_list);
		/* reclaim_locked_page reads page->mapping under the page lock */
		if (!memclass(page->zone, classzone) || !get_page_unless_zero(page))
			continue;
		spin_unlock(&lru->pagemap_lru_lock);
		if (trylock_page(page)) {
			if (reclaim_locked_page(page))
				freed++;
		} else {
			put_page(page);
		}
		spin_lock(&lru->pagemap_lru_lock);
	}
	spin_unlock(&lru->pagemap_lru_lock);
	trace_mm_vmscan_lru_isolate(m, target, scanned, freed, 0);
	count_scan(m, scanned);
	count_steal(m, freed);
	return freed;
}

/* --- try_to_free_pages --------------------------------------------------------------- */

static unsigned long reap_slab(gfp_t gfp_mask)
{
	int n = kmem_cache_reap(gfp_mask);

	if (n > 0)
		count_vm_events(SLABS_SCANNED, (unsigned long)n);
	return n > 0 ? (unsigned long)n : 0;
}

/* 2.4.10's shrink_caches: slab, then the LRU, at one priority. */
static unsigned long shrink_caches(struct machine *m, zone_t *classzone, unsigned int priority,
				   gfp_t gfp_mask, unsigned long nr_pages, unsigned long *unmapped)
{
	struct lru_state *lru = m->lru;
	unsigned long freed = reap_slab(gfp_mask), ratio;

	if (freed >= nr_pages)
		return freed;
	nr_pages -= freed;
	/* keep the active list about twice the inactive one */
	spin_lock(&lru->pagemap_lru_lock);
	ratio = nr_pages * lru->nr_active_pages / (lru->nr_inactive_pages * 2 + 1) + 1;
	spin_unlock(&lru->pagemap_lru_lock);
	refill_inactive(m, ratio);
	return freed + shrink_cache(m, nr_pages, classzone, priority, unmapped);
}

/* 2.4.0's do_try_to_free_pages at one priority. */
static unsigned long free_pages_24_0(struct machine *m, zone_t *classzone, unsigned int priority,
				     gfp_t gfp_mask, unsigned long nr_pages, unsigned long *unmapped)
{
	unsigned long freed = reclaim_page(m, classzone, nr_pages);

	if (freed >= nr_pages)
		return freed;
	page_launder(m, nr_pages * 2);
	freed += reclaim_page(m, classzone, nr_pages - freed);
	if (freed >= nr_pages)
		return freed;
	refill_inactive_scan(m, priority, nr_pages * 2);
	*unmapped += (unsigned long)__swap_out(m, classzone);
	return freed + reap_slab(gfp_mask);
}

/*
 * try_to_free_pages - direct reclaim (and kswapd's work): the priorities
 * from DEF_PRIORITY down to 1, scanning more each time, until
 * SWAP_CLUSTER_MAX pages (or the 2^@order wanted) are free.  Pages that
 * swap_out took from their PTEs are freed by the next LRU scan, so while
 * it makes such progress the whole round is repeated.
 */
#define MAX_RECLAIM_ROUNDS	64

unsigned long try_to_free_pages(struct machine *m, zone_t *classzone, gfp_t gfp_mask,
				unsigned int order)
{
	unsigned long target = max(SWAP_CLUSTER_MAX, 1UL << order), freed = 0;

	/*
	 * A page mapped by several processes is freed only once swap_out
	 * took it from each of them: rounds go on while PTEs are unmapped
	 * (bounded: every process has been scanned many times over by then).
	 */
	for (int round = 0; round < MAX_RECLAIM_ROUNDS && freed < target; round++) {
		unsigned long unmapped = 0;

		for (unsigned int prio = DEF_PRIORITY; prio > 0 && freed < target; prio--) {
			freed += m->reclaim_policy->shrink(m, classzone, prio, gfp_mask,
							   target - freed, &unmapped);
		}
		if (!unmapped)
			break;
	}
	return freed;
}

unsigned long shrink_all_memory(struct machine *m)
{
	unsigned long total = 0, freed;
	struct task_struct *curr = this_cpu()->curr;
	unsigned int saved = curr ? curr->flags : 0;
	int idle = 0;

	if (curr)
		task_set_flags(curr, PF_MEMALLOC);
	/* swap_out may need several rounds before shrink_cache sees the pages */
	while (idle < 3) {
		freed = try_to_free_pages(m, NULL, GFP_KERNEL, 0);
		total += freed;
		idle = freed ? 0 : idle + 1;
	}
	if (curr)
		curr->flags = saved;
	return total;
}

/* --- reclaim by victims: the engine of the policies that name their victims -------------- */

/* A victim that could not go: to the newest end of its list (pgrotated). */
static void rotate_victim(struct machine *m, struct page *page)
{
	struct lru_state *lru = m->lru;

	spin_lock(&lru->pagemap_lru_lock);
	if (PageLRU(page) && !PageUnevictable(page))
		lru_putback_evictable(lru, page);	/* the policy's newest end */
	spin_unlock(&lru->pagemap_lru_lock);
	count_vm_event(PGROTATED);
}

/*
 * Free one victim (a reference held, unmapped if it could be): write it if
 * dirty and take it out of its cache; otherwise rotate it.  Our reference
 * goes in every case.  True if freed.
 */
static bool free_victim(struct machine *m, struct page *page)
{
	bool locked = true;

	if (!trylock_page(page))
		goto keep;
	if (page_mapcount(page) > 0 || !page->mapping || !pageout(page, &locked)) {
		if (locked)
			unlock_page(page);
		goto keep;
	}
	if (reclaim_locked_page(page))
		return true;
	return false;
keep:
	rotate_victim(m, page);
	put_page(page);
	return false;
}

unsigned long shrink_victims(struct machine *m, zone_t *classzone, unsigned int priority,
			     gfp_t gfp_mask, unsigned long nr_pages, unsigned long *unmapped)
{
	struct page *pages[SWAP_CLUSTER_MAX];
	unsigned long freed = reap_slab(gfp_mask), total, free;
	unsigned int n, i, want;
	bool can_swap;

	(void)unmapped;		/* victims are unmapped and freed in one go */
	if (freed >= nr_pages)
		return freed;
	si_swapinfo(m, &total, &free);
	can_swap = free > 0;
	want = (unsigned int)min(nr_pages - freed, (unsigned long)SWAP_CLUSTER_MAX);
	n = m->reclaim_policy->isolate(m, classzone, priority, pages, want);
	/* the policy's own lists: what it handed over is what it scanned, for us */
	trace_mm_vmscan_lru_isolate(m, want, n, n, 0);
	count_scan(m, n);
	for (i = 0; i < n; i++) {
		struct page *page = pages[i];

		/* an anonymous victim needs a slot before its PTEs can name it */
		if (PageAnon(page) && !PageSwapCache(page) && page_mapcount(page) > 0) {
			int err = -ENOSPC;

			if (can_swap && trylock_page(page)) {
				if (!PageSwapCache(page))
					err = add_to_swap(page, GFP_ATOMIC);
				else
					err = 0;
				unlock_page(page);
			}
			if (err == -ENOSPC)
				can_swap = false;
			if (err)
				continue;
		}
		/* the reverse map finds its PTEs (mm/rmap.c) */
		if (page_mapcount(page) > 0)
			try_to_unmap(m, page);
	}
	for (i = 0; i < n; i++) {
		if (free_victim(m, pages[i]))
			freed++;
	}
	count_steal(m, freed);
	return freed;
}

/* --- the two 2.4 designs as reclaim policies ------------------------------------------- */

/* 2.4.10: a young PTE is a reference (the second one activates the page). */
static void pte_young_24_10(struct machine *m, struct page *page)
{
	(void)m;
	mark_page_accessed(page);
}

/* 2.4.0: a young PTE ages the page up. */
static void pte_young_24_0(struct machine *m, struct page *page)
{
	spin_lock(&m->lru->pagemap_lru_lock);
	age_page_up(page);
	spin_unlock(&m->lru->pagemap_lru_lock);
}

/* 2.4.0: a page leaves memory only once its age fell to 0. */
static bool pte_keep_24_0(struct machine *m, struct page *page)
{
	if (page->age == 0)
		return false;
	spin_lock(&m->lru->pagemap_lru_lock);
	age_page_down(page);
	spin_unlock(&m->lru->pagemap_lru_lock);
	return true;
}

static unsigned long kreclaimd(struct machine *m, zone_t *zone);

const struct reclaim_policy reclaim_policy_24_10 = {
	.name = "2.4.10",
	.follows = "Linux 2.4.10+ (Andrea Arcangeli's VM): active/inactive lists, "
		   "second reference activates, swap_out page-table scan",
	.lru_cache_add = lru_cache_add_24_10,
	.referenced = mark_page_accessed_24_10,
	.pte_young = pte_young_24_10,
	.shrink = shrink_caches,
};

const struct reclaim_policy reclaim_policy_24_0 = {
	.name = "2.4.0",
	.follows = "Linux 2.4.0 (Rik van Riel's VM): page ages, active/inactive_dirty/"
		   "inactive_clean lists, page_launder, kreclaimd",
	.lru_cache_add = lru_cache_add_24_0,
	.referenced = mark_page_accessed_24_0,
	.pte_young = pte_young_24_0,
	.pte_keep = pte_keep_24_0,
	.shrink = free_pages_24_0,
	.balance_zone = kreclaimd,
};

/* --- kswapd ---------------------------------------------------------------------------- */

static void wakeup_kswapd(struct machine *m, zone_t *zone)
{
	/* need_balance is set by the allocator */
	if (!atomic_exchange(&m->vmscan->kswapd_wanted, 1))
		trace_mm_vmscan_kswapd_wake(m, zone->zone_pgdat->node_id, zone->idx, 0);
}

/* 2.4.0's kreclaimd: refill the free lists from inactive_clean pages. */
static unsigned long kreclaimd(struct machine *m, zone_t *zone)
{
	unsigned long freed = 0, f;

	while (zone_free_pages(zone) < zone->pages_high &&
	       (f = reclaim_page(m, zone, SWAP_CLUSTER_MAX)))
		freed += f;
	return freed;
}

unsigned long kswapd_balance(struct machine *m)
{
	unsigned long total = 0;

	for (int n = 0; n < m->nr_nodes; n++) {
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			zone_t *zone = &m->node_data[n].node_zones[j];
			int rounds = 0;

			if (!zone->managed_pages || !atomic_load(&zone->need_balance))
				continue;
			count_vm_event(PAGEOUTRUN);
			if (m->reclaim_policy->balance_zone)
				total += m->reclaim_policy->balance_zone(m, zone);
			while (zone_free_pages(zone) < zone->pages_high && rounds++ < 8) {
				unsigned long f = try_to_free_pages(m, zone, GFP_KSWAPD, 0);

				drain_local_pages();
				if (!f)
					break;
				total += f;
			}
			if (zone_free_pages(zone) >= zone->pages_high)
				atomic_store(&zone->need_balance, 0);
		}
	}
	return total;
}

/*
 * kswapd_periodic - 2.4's kswapd sleeps at most a second
 * (interruptible_sleep_on_timeout(&kswapd_wait, HZ)): once per second of
 * virtual time it wakes by itself and looks for a zone not above its low
 * watermark (2.4.0's free_shortage()), which it then balances as if an
 * allocation had woken it (the next look is set a second on).
 */
static void kswapd_periodic(struct machine *m)
{
	struct vmscan_state *vs = m->vmscan;
	unsigned long now = hw_clock_read(&m->hw);
	unsigned long next = atomic_load_explicit(&vs->kswapd_next_wake, memory_order_relaxed);
	zone_t *first = NULL;

	if (likely(now < next) ||
	    !atomic_compare_exchange_strong(&vs->kswapd_next_wake, &next, now + HZ))
		return;
	for (int n = 0; n < m->nr_nodes; n++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			zone_t *zone = &m->node_data[n].node_zones[j];

			/* not above low: the allocator's fast path would fail here */
			if (zone->managed_pages && zone_free_pages(zone) <= zone->pages_low) {
				atomic_store(&zone->need_balance, 1);
				first = first ? first : zone;
			}
		}
	/* one wake, as an allocation's: traced unless kswapd is awake already */
	if (first && !atomic_exchange(&vs->kswapd_wanted, 1))
		trace_mm_vmscan_kswapd_wake(m, first->zone_pgdat->node_id, first->idx, 0);
}

/*
 * kswapd_run - the scheduling point: if an allocation woke kswapd, or its
 * second of sleep is over and a zone is short (kswapd_periodic), run one
 * balancing pass now on this CPU (no task may be running on it).  One CPU
 * at a time runs it; the others go on.
 */
void kswapd_run(struct machine *m)
{
	struct vmscan_state *vs = m->vmscan;
	struct sim_cpu *cpu = this_cpu();

	/* background writeout and kupdate share this scheduling point, */
	pdflush_run(m);
	/* and the buffer cache's bdflush and kupdate (fs/buffer.c) */
	bdflush_run(m);
	kswapd_periodic(m);
	if (likely(!atomic_load_explicit(&vs->kswapd_wanted, memory_order_relaxed)))
		return;
	if (cpu->curr || pthread_mutex_trylock(&vs->kswapd->run_lock))
		return;
	atomic_store(&vs->kswapd_wanted, 0);
	cpu->curr = vs->kswapd;
	kswapd_balance(m);
	trace_mm_vmscan_kswapd_sleep(m, 0);
	cpu->curr = NULL;
	pthread_mutex_unlock(&vs->kswapd->run_lock);
}

static bool oom_hook(struct machine *m, gfp_t gfp_mask, unsigned int order)
{
	return out_of_memory(m, gfp_mask, order);
}

int vmscan_init(struct machine *m)
{
	struct vmscan_state *vs = kzalloc(sizeof(*vs), GFP_KERNEL);
	struct task_struct *k;
	int err;

	if (!vs)
		return -ENOMEM;
	m->vmscan = vs;
	swap_cache_init(m);
	/* the shmem inode list (for swapoff) lives beside the swap cache */
	err = shmem_init(m);
	if (err) {
		m->vmscan = NULL;
		kfree(vs);
		return err;
	}
	spin_lock_init(&vs->swap_out_lock);
	atomic_store(&vs->kswapd_next_wake, HZ);	/* a second after boot */
	vs->swap_pid = 1;
	k = alloc_task(m, &err);
	if (!k) {
		shmem_fini(m);
		m->vmscan = NULL;
		kfree(vs);
		return err;
	}
	snprintf(k->comm, sizeof(k->comm), "kswapd0");
	k->flags = PF_KTHREAD | PF_MEMALLOC;
	vs->kswapd = k;
	m->reclaim.wakeup_kswapd = wakeup_kswapd;
	m->reclaim.try_to_free_pages = try_to_free_pages;
	m->reclaim.out_of_memory = oom_hook;
	m->reclaim.kswapd_run = kswapd_run;
	return 0;
}

/* Teardown: swap-cache pages nobody uses any more (a race left them) go. */
void swap_cache_sweep(struct machine *m)
{
	struct address_space *mapping = swapper_space(m);
	struct page *page;

	while (radix_tree_gang_lookup(&mapping->page_tree, (void **)&page, 0, 1)) {
		get_page(page);
		BUG_ON_MSG(!trylock_page(page) || page_mapcount(page),
			   "vmscan_fini: swap-cache pfn %lu still in use", page_to_pfn(page));
		BUG_ON_MSG(!reclaim_locked_page(page),
			   "vmscan_fini: swap-cache pfn %lu has %d references", page_to_pfn(page),
			   page_count(page));
	}
}

void vmscan_fini(struct machine *m)
{
	struct vmscan_state *vs = m->vmscan;

	if (!vs)
		return;
	shmem_fini(m);		/* every shmem inode went with the tasks */
	swap_cache_sweep(m);
	m->reclaim.wakeup_kswapd = NULL;
	m->reclaim.try_to_free_pages = NULL;
	m->reclaim.out_of_memory = NULL;
	m->reclaim.kswapd_run = NULL;
	/* task_fini ran: the task_struct goes straight back to its cache */
	pthread_mutex_destroy(&vs->kswapd->run_lock);
	kmem_cache_free(task_struct_cachep(m), vs->kswapd);
	kfree(vs);
	m->vmscan = NULL;
}

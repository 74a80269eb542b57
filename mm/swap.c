/*
 * LRU lists and page aging (Linux 2.4 mm/swap.c).  See include/kern/swap.h
 * for the two designs.  Every user page enters here through
 * lru_cache_add() when it is first mapped or cached, and leaves through
 * lru_cache_del(), called by the page allocator when the last reference
 * to a PG_lru page goes (2.4's __free_pages_ok does the same).
 *
 * Zone counters: NR_ZONE_{ACTIVE,INACTIVE}_{ANON,FILE} follow the lists,
 * anon meaning swap-backed (PG_swapbacked), so /proc/meminfo's Active(anon)
 * ... Inactive(file) are exact.
 *
 * Mlocked pages (PG_mlocked, mm/mlock.c) live on a third kind of list, the
 * unevictable list of Linux 2.6.28+ (PG_unevictable, NR_ZONE_UNEVICTABLE):
 * reclaim never scans it, and a reference does not move them.  2.4 kept
 * them on the normal lists and skipped them by VM_LOCKED; meminfo's
 * Unevictable and Mlocked lines need the later design.
 */
#include "kern/swap.h"
#include "kern/reclaim_policy.h"

static inline struct lru_state *page_lru(const struct page *page)
{
	return page_machine(page)->lru;
}


static enum zone_stat_item lru_item(const struct page *page, bool active)
{
	bool anon = PageSwapBacked(page);

	if (active)
		return anon ? NR_ZONE_ACTIVE_ANON : NR_ZONE_ACTIVE_FILE;
	return anon ? NR_ZONE_INACTIVE_ANON : NR_ZONE_INACTIVE_FILE;
}

void lru_init(struct machine *m)
{
	/* The state is kernel data: one page of lowmem, as static data would be. */
	struct lru_state *lru = (struct lru_state *)get_zeroed_page(GFP_KERNEL);

	BUG_ON_MSG(!lru, "lru_init: no page for the LRU state");
	_Static_assert(sizeof(*lru) <= PAGE_SIZE, "lru_state fits a page");
	spin_lock_init(&lru->pagemap_lru_lock);
	INIT_LIST_HEAD(&lru->active_list);
	INIT_LIST_HEAD(&lru->inactive_list);
	INIT_LIST_HEAD(&lru->inactive_clean_list);
	INIT_LIST_HEAD(&lru->unevictable_list);
	m->lru = lru;
	m->reclaim.lru_cache_del = lru_cache_del;
}

/* --- list moves, pagemap_lru_lock held ------------------------------------- */

void add_page_to_active_list(struct lru_state *lru, struct page *page)
{
	SetPageActive(page);
	list_add(&page->lru, &lru->active_list);
	lru->nr_active_pages++;
	mod_zone_page_state(page->zone, lru_item(page, true), 1);
}

void add_page_to_inactive_list(struct lru_state *lru, struct page *page)
{
	SetPageInactiveDirty(page);
	list_add(&page->lru, &lru->inactive_list);
	lru->nr_inactive_pages++;
	mod_zone_page_state(page->zone, lru_item(page, false), 1);
}

void add_page_to_unevictable_list(struct lru_state *lru, struct page *page)
{
	SetPageUnevictable(page);
	list_add(&page->lru, &lru->unevictable_list);
	lru->nr_unevictable_pages++;
	mod_zone_page_state(page->zone, NR_ZONE_UNEVICTABLE, 1);
}

void add_page_to_inactive_clean_list(struct lru_state *lru, struct page *page)
{
	SetPageInactiveClean(page);
	list_add(&page->lru, &lru->inactive_clean_list);
	lru->nr_inactive_clean_pages++;
	page->zone->inactive_clean_pages++;
	mod_zone_page_state(page->zone, lru_item(page, false), 1);
}

/*
 * Take @page off its list; @also is cleared with the list flags (PG_lru
 * when the page leaves the LRU altogether).  All in one atomic step: the
 * other flags of the word change under other locks.
 */
static void __del_page_from_lru_list(struct lru_state *lru, struct page *page,
				     unsigned int also, bool dead)
{
	const unsigned int lists = (1u << PG_active) | (1u << PG_inactive_dirty) |
				   (1u << PG_inactive_clean) | (1u << PG_unevictable);
	unsigned int old;

	if (dead) {
		/* its count is 0: nobody else can change its flags any more */
		old = atomic_load_explicit(&page->flags, memory_order_relaxed);
		atomic_store_explicit(&page->flags, old & ~(lists | also), memory_order_relaxed);
	} else {
		old = atomic_fetch_and_explicit(&page->flags, ~(lists | also),
						memory_order_acq_rel);
	}

	list_del(&page->lru);
	if (old & (1u << PG_unevictable)) {
		lru->nr_unevictable_pages--;
		mod_zone_page_state(page->zone, NR_ZONE_UNEVICTABLE, -1);
	} else if (old & (1u << PG_active)) {
		lru->nr_active_pages--;
		mod_zone_page_state(page->zone, lru_item(page, true), -1);
	} else if (old & (1u << PG_inactive_clean)) {
		lru->nr_inactive_clean_pages--;
		page->zone->inactive_clean_pages--;
		mod_zone_page_state(page->zone, lru_item(page, false), -1);
	} else {
		VM_BUG_ON_MSG(!(old & (1u << PG_inactive_dirty)),
			      "pfn %lu on the LRU with no list flag", page_to_pfn(page));
		lru->nr_inactive_pages--;
		mod_zone_page_state(page->zone, lru_item(page, false), -1);
	}
}

void del_page_from_lru_list(struct lru_state *lru, struct page *page)
{
	__del_page_from_lru_list(lru, page, 0, false);
}

/* The policy's lru_cache_del, for a page leaving the LRU (lock held). */
static inline void policy_page_leaves(struct lru_state *lru, struct page *page)
{
	const struct reclaim_policy *pol = page_reclaim_policy(page);

	if (unlikely(pol->lru_cache_del) && !PageUnevictable(page))
		pol->lru_cache_del(lru, page);
}

static void policy_del_page(struct lru_state *lru, struct page *page)
{
	policy_page_leaves(lru, page);
	del_page_from_lru_list(lru, page);
}

/* An mlocked page leaves the policy's lists for the unevictable list. */
void lru_move_to_unevictable(struct lru_state *lru, struct page *page)
{
	policy_del_page(lru, page);
	add_page_to_unevictable_list(lru, page);
}

/*
 * A page no longer mlocked, or a reclaim victim that could not go, goes
 * back to the policy (its putback, or the inactive list's head).
 */
void lru_putback_evictable(struct lru_state *lru, struct page *page)
{
	const struct reclaim_policy *pol = page_reclaim_policy(page);

	/* a rotated victim leaves the policy before it comes back as the newest */
	policy_del_page(lru, page);
	if (pol->putback)
		pol->putback(lru, page);
	else
		add_page_to_inactive_list(lru, page);
}

/* --- the interface ------------------------------------------------------------ */

void lru_cache_add(struct page *page)
{
	struct lru_state *lru = page_lru(page);

	spin_lock(&lru->pagemap_lru_lock);
	BUG_ON_MSG(TestSetPageLRU(page), "lru_cache_add: pfn %lu already on the LRU",
		   page_to_pfn(page));
	if (PageMlocked(page))
		add_page_to_unevictable_list(lru, page);
	else
		page_reclaim_policy(page)->lru_cache_add(lru, page);
	trace_mm_lru_insertion(page_machine(page), page);
	spin_unlock(&lru->pagemap_lru_lock);
}

/* 2.4.0: a new page starts active, with age PAGE_AGE_START. */
void lru_cache_add_24_0(struct lru_state *lru, struct page *page)
{
	page->age = PAGE_AGE_START;
	add_page_to_active_list(lru, page);
}

/* 2.4.10: a new page starts inactive; its second reference promotes it. */
void lru_cache_add_24_10(struct lru_state *lru, struct page *page)
{
	add_page_to_inactive_list(lru, page);
}

/*
 * A page still mlocked when its last reference goes (an mlock count that
 * saturated, or a mapping torn down without munlock): Linux clears it at
 * free (unevictable_pgs_cleared).  pagemap_lru_lock held.
 */
static void clear_page_mlock_at_free(struct page *page)
{
	if (unlikely(PageMlocked(page))) {
		ClearPageMlocked(page);
		page->mlock_count = 0;
		mod_zone_page_state(page->zone, NR_MLOCK, -1);
	}
}

void lru_cache_del(struct page *page)
{
	struct lru_state *lru = page_lru(page);

	spin_lock(&lru->pagemap_lru_lock);
	if (TestClearPageLRU(page))
		policy_del_page(lru, page);
	if (page_count(page) == 0)
		clear_page_mlock_at_free(page);
	spin_unlock(&lru->pagemap_lru_lock);
}

void release_pages(struct page **pages, int nr)
{
	struct lru_state *locked = NULL;
	int nfree = 0;

	for (int i = 0; i < nr; i++) {
		struct page *page = pages[i];

		if (!put_page_testzero(page))
			continue;
		if (PageLRU(page)) {
			struct lru_state *lru = page_lru(page);

			if (lru != locked) {
				if (locked)
					spin_unlock(&locked->pagemap_lru_lock);
				spin_lock(&lru->pagemap_lru_lock);
				locked = lru;
			}
			/* PG_lru changes only under the lock: off the list and the
			 * LRU in one atomic step */
			if (PageLRU(page)) {
				policy_page_leaves(lru, page);
				__del_page_from_lru_list(lru, page, 1u << PG_lru, true);
			}
			clear_page_mlock_at_free(page);
		}
		pages[nfree++] = page;	/* the array is ours: reuse it for the frees */
	}
	if (locked)
		spin_unlock(&locked->pagemap_lru_lock);
	for (int i = 0; i < nfree; i++)
		free_unref_page(pages[i]);
}

static void activate_page_nolock(struct lru_state *lru, struct page *page)
{
	if (PageLRU(page) && !PageActive(page) && !PageUnevictable(page)) {
		del_page_from_lru_list(lru, page);
		add_page_to_active_list(lru, page);
		count_vm_event(PGACTIVATE);
		trace_mm_lru_activate(page_machine(page), page);
	}
}

void activate_page(struct page *page)
{
	struct lru_state *lru = page_lru(page);

	spin_lock(&lru->pagemap_lru_lock);
	activate_page_nolock(lru, page);
	spin_unlock(&lru->pagemap_lru_lock);
}

void age_page_up(struct page *page)
{
	unsigned int age = page->age + PAGE_AGE_ADV;

	page->age = (uint16_t)min(age, (unsigned int)PAGE_AGE_MAX);
}

void age_page_down(struct page *page)
{
	page->age /= 2;		/* 2.4.0's exponential decline */
}

void deactivate_page_nolock(struct page *page)
{
	struct lru_state *lru = page_lru(page);

	if (!PageLRU(page))
		return;
	del_page_from_lru_list(lru, page);
	page->age = 0;
	ClearPageReferenced(page);
	if (PageDirty(page) || page_count(page) > 1 + (page->mapping != NULL))
		add_page_to_inactive_list(lru, page);
	else
		add_page_to_inactive_clean_list(lru, page);
	count_vm_event(PGDEACTIVATE);
}

void mark_page_accessed(struct page *page)
{
	page_reclaim_policy(page)->referenced(page);
}

/* 2.4.0: a reference ages the page up and activates it. */
void mark_page_accessed_24_0(struct page *page)
{
	struct lru_state *lru = page_lru(page);

	spin_lock(&lru->pagemap_lru_lock);
	age_page_up(page);
	activate_page_nolock(lru, page);
	spin_unlock(&lru->pagemap_lru_lock);
}

/* 2.4.10: the second reference activates (PG_referenced marks the first). */
void mark_page_accessed_24_10(struct page *page)
{
	/* an unevictable page is on no list a reference could move it along */
	if (!PageActive(page) && PageReferenced(page) && PageLRU(page) &&
	    !PageUnevictable(page)) {
		activate_page(page);
		ClearPageReferenced(page);
		return;
	}
	SetPageReferenced(page);
}

static unsigned long check_list(struct list_head *head, unsigned int flag)
{
	unsigned long n = 0;
	struct page *page;

	list_for_each_entry(page, head, lru) {
		BUG_ON_MSG(!PageLRU(page), "pfn %lu on an LRU list without PG_lru",
			   page_to_pfn(page));
		BUG_ON_MSG(!(atomic_load(&page->flags) & (1u << flag)),
			   "pfn %lu on the wrong LRU list (flags %#x)", page_to_pfn(page),
			   atomic_load(&page->flags));
		n++;
	}
	return n;
}

bool lru_is_valid(struct machine *m)
{
	struct lru_state *lru = m->lru;
	unsigned long a, i, c, u;

	spin_lock(&lru->pagemap_lru_lock);
	a = check_list(&lru->active_list, PG_active);
	i = check_list(&lru->inactive_list, PG_inactive_dirty);
	c = check_list(&lru->inactive_clean_list, PG_inactive_clean);
	u = check_list(&lru->unevictable_list, PG_unevictable);
	BUG_ON_MSG(a != lru->nr_active_pages || i != lru->nr_inactive_pages ||
		   c != lru->nr_inactive_clean_pages || u != lru->nr_unevictable_pages,
		   "LRU counts: active %lu/%lu inactive %lu/%lu clean %lu/%lu unevictable %lu/%lu",
		   a, lru->nr_active_pages, i, lru->nr_inactive_pages, c,
		   lru->nr_inactive_clean_pages, u, lru->nr_unevictable_pages);
	BUG_ON_MSG(u != global_page_state(m, NR_ZONE_UNEVICTABLE),
		   "unevictable list holds %lu pages, NR_ZONE_UNEVICTABLE %lu", u,
		   global_page_state(m, NR_ZONE_UNEVICTABLE));
	BUG_ON_MSG(a + i + c != global_page_state(m, NR_ZONE_ACTIVE_ANON) +
		   global_page_state(m, NR_ZONE_INACTIVE_ANON) +
		   global_page_state(m, NR_ZONE_ACTIVE_FILE) +
		   global_page_state(m, NR_ZONE_INACTIVE_FILE),
		   "LRU lists hold %lu pages, zone counters disagree", a + i + c);
	spin_unlock(&lru->pagemap_lru_lock);
	return true;
}

/*
 * FIFO reclaim: the page that became resident first goes first, whatever
 * its use since (the reference policy of page-replacement textbooks;
 * Belady's anomaly is FIFO's).  A kernel would not choose it; a simulator
 * offers it to compare with.
 *
 * Every evictable page sits on the inactive list in order of arrival, the
 * newest at the head; references (mark_page_accessed, Accessed bits) change
 * nothing.  Reclaim names the oldest pages of the class zone as victims
 * (shrink_victims unmaps, writes and frees them); one that cannot go now
 * (locked, its process busy) moves to the newest end, as Linux rotates.
 * Locks: pagemap_lru_lock for the list, as every policy.
 */
#include "kern/swap.h"
#include "kern/reclaim_policy.h"

static void fifo_lru_cache_add(struct lru_state *lru, struct page *page)
{
	add_page_to_inactive_list(lru, page);
}

static void fifo_referenced(struct page *page)
{
	(void)page;		/* the order of arrival is all FIFO looks at */
}

static void fifo_pte_young(struct machine *m, struct page *page)
{
	(void)m;
	(void)page;
}

/* The oldest @nr pages of @classzone, from the inactive tail. */
static unsigned int fifo_isolate(struct machine *m, zone_t *classzone, unsigned int priority,
				 struct page **pages, unsigned int nr)
{
	struct lru_state *lru = m->lru;
	unsigned int n = 0;
	struct page *page;

	(void)priority;
	spin_lock(&lru->pagemap_lru_lock);
	list_for_each_entry_reverse(page, &lru->inactive_list, lru) {
		if (n == nr)
			break;
		if (memclass(page->zone, classzone) && get_page_unless_zero(page))
			pages[n++] = page;
	}
	spin_unlock(&lru->pagemap_lru_lock);
	return n;
}

const struct reclaim_policy reclaim_policy_fifo = {
	.name = "fifo",
	.follows = "first in, first out: the page resident longest goes, references ignored "
		   "(reference policy)",
	.lru_cache_add = fifo_lru_cache_add,
	.putback = fifo_lru_cache_add,
	.referenced = fifo_referenced,
	.pte_young = fifo_pte_young,
	.isolate = fifo_isolate,
	.shrink = shrink_victims,
};

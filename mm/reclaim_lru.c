/*
 * Exact LRU reclaim: the page accessed least recently goes.  A kernel only
 * samples Accessed bits; a simulator's MMU sees every access, so this is
 * the reference LRU of the textbooks, inside the whole memory manager.
 *
 * Every access stamps its page with a machine-wide clock: the policy's
 * `accessed` operation, which the MMU reports on each page walk (the
 * machine has a one-entry TLB under this policy, so every access to a page
 * other than the CPU's last one walks; repeats of the last page change no
 * order).  Software references (read(), faults) stamp too, and a page
 * becoming resident is an access.  Reclaim names the @nr pages of the
 * class zone with the oldest stamps (a scan of the list keeping the
 * oldest @nr: O(pages) a batch); shrink_victims frees them.
 *
 * The stamps are the simulator's knowledge, not kernel data: one 64-bit
 * word per frame in host memory, written without a lock (relaxed atomics;
 * an access may come from any CPU).  pagemap_lru_lock for the list.
 */
#include <errno.h>
#include <stdlib.h>
#include "kern/swap.h"
#include "kern/reclaim_policy.h"
#include "kern/vmscan.h"
#include "reclaim_stamps.h"

struct lru_stamps {
	atomic_ulong clock;
	atomic_ulong stamp[];		/* by pfn */
};

static inline struct lru_stamps *stamps(struct machine *m)
{
	return m->reclaim_private;
}

void page_stamp_set(struct machine *m, struct page *page, unsigned long v)
{
	atomic_store_explicit(&stamps(m)->stamp[page_to_pfn(page)], v, memory_order_relaxed);
}

static inline void stamp_page(struct machine *m, struct page *page)
{
	struct lru_stamps *s = stamps(m);
	unsigned long now = atomic_fetch_add_explicit(&s->clock, 1, memory_order_relaxed) + 1;

	atomic_store_explicit(&s->stamp[page_to_pfn(page)], now, memory_order_relaxed);
}

static unsigned long stamp_of(struct machine *m, struct page *page)
{
	return atomic_load_explicit(&stamps(m)->stamp[page_to_pfn(page)], memory_order_relaxed);
}

int page_stamps_init(struct machine *m)
{
	struct lru_stamps *s = calloc(1, sizeof(*s) + m->max_pfn * sizeof(s->stamp[0]));

	if (!s)
		return -ENOMEM;
	m->reclaim_private = s;
	return 0;
}

void page_stamps_exit(struct machine *m)
{
	free(m->reclaim_private);
	m->reclaim_private = NULL;
}

static void lru_accessed(struct machine *m, struct page *page)
{
	stamp_page(m, page);
}

static void lru_add(struct lru_state *lru, struct page *page)
{
	stamp_page(page_machine(page), page);
	add_page_to_inactive_list(lru, page);
}

/* Back from mlock, or a victim that could not go: the most recent. */
static void lru_putback(struct lru_state *lru, struct page *page)
{
	stamp_page(page_machine(page), page);
	add_page_to_inactive_list(lru, page);
}

static void lru_referenced(struct page *page)
{
	stamp_page(page_machine(page), page);
}

static void lru_pte_young(struct machine *m, struct page *page)
{
	(void)m;
	(void)page;		/* every access is stamped already */
}

/*
 * The @nr pages of @classzone with the smallest stamps, smallest first;
 * among equal stamps the one nearest the inactive tail (the oldest
 * arrival) first.
 */
unsigned int page_stamps_isolate(struct machine *m, zone_t *classzone, unsigned int priority,
				 struct page **pages, unsigned int nr)
{
	struct lru_state *lru = m->lru;
	unsigned long when[SWAP_CLUSTER_MAX];
	unsigned int n = 0, got = 0;
	struct page *page;

	(void)priority;
	if (nr > SWAP_CLUSTER_MAX)
		nr = SWAP_CLUSTER_MAX;
	spin_lock(&lru->pagemap_lru_lock);
	list_for_each_entry_reverse(page, &lru->inactive_list, lru) {
		unsigned long t = stamp_of(m, page);
		unsigned int i;

		if (!memclass(page->zone, classzone) || (n == nr && t >= when[n - 1]))
			continue;
		/* insert into the sorted candidates, dropping the youngest when full */
		i = n < nr ? n++ : n - 1;
		for (; i > 0 && when[i - 1] > t; i--) {
			when[i] = when[i - 1];
			pages[i] = pages[i - 1];
		}
		when[i] = t;
		pages[i] = page;
	}
	for (unsigned int i = 0; i < n; i++)
		if (get_page_unless_zero(pages[i]))
			pages[got++] = pages[i];
	spin_unlock(&lru->pagemap_lru_lock);
	return got;
}

const struct reclaim_policy reclaim_policy_lru = {
	.name = "lru",
	.follows = "exact LRU: the page accessed least recently goes, every access seen by "
		   "the MMU (reference policy)",
	.init = page_stamps_init,
	.exit = page_stamps_exit,
	.lru_cache_add = lru_add,
	.putback = lru_putback,
	.referenced = lru_referenced,
	.pte_young = lru_pte_young,
	.accessed = lru_accessed,
	.isolate = page_stamps_isolate,
	.shrink = shrink_victims,
};

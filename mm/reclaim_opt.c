/*
 * OPT reclaim (Belady, "A study of replacement algorithms for a
 * virtual-storage computer", IBM Systems Journal 1966; Mattson et al.
 * 1970 proved it optimal): the resident page whose next use is farthest
 * in the future goes.  No kernel knows the future; a trace replay does,
 * and tells the machine: `vmsim trace` reads the trace once to find, for
 * each access, when its page is used next, and replays it through
 * vmsim_access_run_future, which puts that time in the running CPU's
 * reclaim_hint before each access (api/access.c).
 *
 * Every access to another page than the CPU's last is reported by the MMU
 * (the `accessed` operation: a one-entry TLB, as under exact LRU), and
 * stamps its page with the hint: the index of the page's next access
 * after this run of accesses to it (the tool computes it so, since the
 * repeats of a run are not reported).  A page becoming resident, or
 * referenced in software (a fault, read()), is stamped with the hint of
 * the access being made.  Reclaim names the @nr pages of the class zone
 * with the farthest next use (words stored negated, so that the smallest
 * word goes first, as exact LRU's oldest stamp).
 *
 * Simplified: pages brought in by readahead (swap clusters, file
 * readahead) are stamped with the hint of the access that caused the
 * read, not their own next use (replay with -o page_cluster=0 for exact
 * OPT on anonymous traces); victims go in batches of up to 32, as every
 * policy's (kswapd's watermarks decide when, not one miss at a time).
 * Without a future (a script, vmsim_access_run) every hint is 0, "used
 * now", and OPT evicts in arrival order, as FIFO.
 */
#include "kern/swap.h"
#include "kern/vmscan.h"
#include "reclaim_stamps.h"

/* Farther next use, smaller word: "never" (UINT64_MAX) is 0. */
static inline void opt_stamp(struct machine *m, struct page *page)
{
	page_stamp_set(m, page, ~(unsigned long)this_cpu()->reclaim_hint);
}

static void opt_accessed(struct machine *m, struct page *page)
{
	opt_stamp(m, page);
}

static void opt_add(struct lru_state *lru, struct page *page)
{
	opt_stamp(page_machine(page), page);
	add_page_to_inactive_list(lru, page);
}

static void opt_referenced(struct page *page)
{
	opt_stamp(page_machine(page), page);
}

static void opt_pte_young(struct machine *m, struct page *page)
{
	(void)m;
	(void)page;		/* every access is stamped already */
}

const struct reclaim_policy reclaim_policy_opt = {
	.name = "opt",
	.follows = "Belady's OPT (1966): the page used farthest in the future goes; the future "
		   "comes from the trace replay (reference policy)",
	.init = page_stamps_init,
	.exit = page_stamps_exit,
	.lru_cache_add = opt_add,
	.putback = opt_add,
	.referenced = opt_referenced,
	.pte_young = opt_pte_young,
	.accessed = opt_accessed,
	.isolate = page_stamps_isolate,
	.shrink = shrink_victims,
};

/*
 * The reclaim-policy interface: what a page-replacement policy sees of the
 * memory manager and what it decides.  One policy per machine, chosen at
 * boot by name (cfg.reclaim_policy, `vmsim help reclaim`); the registry and
 * the generic parts are mm/reclaim_policy.c, docs/reclaim.md says how to
 * add one.
 *
 * The events, in a page's life:
 *   lru_cache_add  the page becomes resident (mapped or cached) and goes on
 *                  the policy's lists: PG_lru is set, pagemap_lru_lock is
 *                  held, the page is not mlocked (those go to the
 *                  unevictable list, which no policy sees);
 *   referenced     a reference the kernel sees in software
 *                  (mark_page_accessed: read(), a fault, a lookup), no lock;
 *   pte_young      reclaim's page-table scan harvested a set Accessed bit
 *                  of a mapped page (the bit is cleared), no lock;
 *   pte_keep       the scan found the bit clear: true keeps the PTE this
 *                  time (2.4.0's age), no lock; NULL: never;
 *   shrink         reclaim wants @nr_pages of @classzone freed at
 *                  @priority (DEF_PRIORITY down to 1): the policy picks,
 *                  deactivates, activates and frees; returns pages freed;
 *   balance_zone   kswapd is about to balance @zone (NULL: nothing first);
 *   isolate        for a policy whose shrink is shrink_victims: up to @nr
 *                  victims of @classzone (memclass) from its lists, each
 *                  with a reference taken (get_page_unless_zero) and left
 *                  on its list; the engine unmaps them from every process
 *                  (anonymous ones into the swap cache), writes and frees
 *                  them, and moves one that cannot go now to the newest
 *                  end of its list (pgrotated).  Takes pagemap_lru_lock.
 *   putback        a page comes back as the newest: off the policy's lists
 *                  (mlocked) until now, or a victim shrink_victims could not
 *                  free; lock held; NULL: the inactive list's head, as both
 *                  2.4 designs;
 *   lru_cache_del  the page leaves the LRU (its last reference went, or
 *                  it was isolated for good), lock held, before the list
 *                  removal (also when it becomes unevictable); NULL when the
 *                  list flags say all there is;
 *   evicted        reclaim takes a clean, unmapped page out of its page
 *                  cache or the swap cache to free it: page->mapping and
 *                  index still name it (for workingset shadow entries,
 *                  whose refault lru_cache_add then sees in the same
 *                  mapping and index); the cache's tree_lock is held, take
 *                  only a leaf lock; NULL: nothing to remember;
 *   init / exit    per machine, at boot (after the LRU lists exist) and at
 *                  teardown (every page gone); NULL when nothing to do;
 *   show_vmstat    the policy's own /proc/vmstat lines, after Linux's;
 *   accessed       (a simulator's privilege) every access to another page
 *                  than the CPU's last one, as the MMU makes it: the machine
 *                  then has a one-entry TLB and the MMU reports each walk
 *                  (hw page_walk vector); any lock may be held by the
 *                  interrupted code: take none.  NULL: not wanted (the
 *                  TLB is as configured and costs nothing more).
 * Activation and deactivation are the policy's own moves between the
 * lists, made with the list helpers of kern/swap.h (add_page_to_*_list,
 * del_page_from_lru_list) so that the zone counters (meminfo's
 * Active(anon) ... Inactive(file)) stay exact.
 */
#ifndef KERN_RECLAIM_POLICY_H
#define KERN_RECLAIM_POLICY_H

#include "kern/mm.h"

struct lru_state;
struct seq_buf;

struct reclaim_policy {
	const char *name;		/* --reclaim NAME */
	const char *follows;		/* one line: the Linux version or paper it follows */
	int (*init)(struct machine *m);
	void (*exit)(struct machine *m);
	void (*lru_cache_add)(struct lru_state *lru, struct page *page);
	void (*lru_cache_del)(struct lru_state *lru, struct page *page);
	void (*putback)(struct lru_state *lru, struct page *page);
	void (*referenced)(struct page *page);
	void (*pte_young)(struct machine *m, struct page *page);
	bool (*pte_keep)(struct machine *m, struct page *page);
	unsigned long (*shrink)(struct machine *m, zone_t *classzone, unsigned int priority,
				gfp_t gfp_mask, unsigned long nr_pages, unsigned long *unmapped);
	unsigned long (*balance_zone)(struct machine *m, zone_t *zone);
	unsigned int (*isolate)(struct machine *m, zone_t *classzone, unsigned int priority,
				struct page **pages, unsigned int nr);
	void (*show_vmstat)(struct machine *m, struct seq_buf *s);
	void (*accessed)(struct machine *m, struct page *page);
	void (*evicted)(struct machine *m, struct page *page);
};

/* The two 2.4 designs (mm/vmscan.c). */
extern const struct reclaim_policy reclaim_policy_24_10;
extern const struct reclaim_policy reclaim_policy_24_0;
/* The reference policies a simulator can have (mm/reclaim_*.c). */
extern const struct reclaim_policy reclaim_policy_fifo;
extern const struct reclaim_policy reclaim_policy_lru;
extern const struct reclaim_policy reclaim_policy_opt;
/* Later Linux designs (mm/reclaim_*.c). */
extern const struct reclaim_policy reclaim_policy_splitlru;
extern const struct reclaim_policy reclaim_policy_clockpro;

/*
 * shrink_victims - the shrink of a policy that names its victims (its
 * isolate): slab first, then one batch of victims unmapped, written and
 * freed (mm/vmscan.c).  Pages freed.
 */
unsigned long shrink_victims(struct machine *m, zone_t *classzone, unsigned int priority,
			     gfp_t gfp_mask, unsigned long nr_pages, unsigned long *unmapped);
/* A reference to a page found on the LRU, unless it is already being freed. */
static inline bool get_page_unless_zero(struct page *page)
{
	int c = page_count(page);

	while (c > 0)
		if (atomic_compare_exchange_weak(&page->_count, &c, c + 1))
			return true;
	return false;
}
/* 2.4's memclass: freeing a page of @zone helps an allocation for @classzone. */
static inline bool memclass(const zone_t *zone, const zone_t *classzone)
{
	return !classzone || zone->idx <= classzone->idx;
}

/* The registered policy called @name, or NULL. */
const struct reclaim_policy *reclaim_policy_find(const char *name);
/* Register a policy made at run time (a plugin): 0, -EEXIST (its name is taken), -ENOSPC. */
int reclaim_policy_register(const struct reclaim_policy *pol);
/* The @i-th registered policy (0, 1, ...: built-in ones, then plugins), NULL past the last. */
const struct reclaim_policy *reclaim_policy_nth(unsigned int i);
/* The policy @cfg names (its reclaim_policy, else its reclaim number); NULL if unknown. */
const struct reclaim_policy *reclaim_policy_of(const struct vmsim_config *cfg);
/* Boot: m->reclaim_policy from m->cfg, its init.  0 or -errno. */
int reclaim_policy_init(struct machine *m);
/* Teardown: the policy's exit. */
void reclaim_policy_exit(struct machine *m);

static inline const struct reclaim_policy *page_reclaim_policy(const struct page *page)
{
	return page_machine(page)->reclaim_policy;
}

#endif

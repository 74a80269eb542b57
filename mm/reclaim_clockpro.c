/*
 * CLOCK-Pro reclaim (Song Jiang, Feng Chen, Xiaodong Zhang, "CLOCK-Pro: an
 * effective improvement of the CLOCK replacement", USENIX ATC 2005): the
 * reuse distance of LIRS approximated on a clock.  Resident pages are hot
 * or cold; a cold page is in its test period for a while after an access,
 * and a cold page evicted during it stays on the clock as a non-resident
 * test page (its mapping and index).  A cold page re-accessed during its
 * test period has a reuse distance shorter than some hot page's: it turns
 * hot (resident) and the cold target m_c grows by one; a test period that
 * ends without a re-access shrinks m_c by one.  Three hands go round the
 * one clock in the same direction, new pages entering at its head (just
 * behind HAND_hot):
 *   HAND_cold  finds a victim: a resident cold page, referenced: in its
 *              test period it turns hot, else it starts one and moves to
 *              the head; unreferenced: it goes (staying as a non-resident
 *              test page if in its test period);
 *   HAND_hot   runs while hot pages exceed m - m_c: a referenced hot page
 *              keeps its place, an unreferenced one turns cold; cold pages
 *              it passes end their test period, non-resident ones leave;
 *   HAND_test  runs while non-resident pages exceed m: it ends the test
 *              periods it passes and removes non-resident pages.
 * m is the pages resident under the policy.
 *
 * The reference bit is the simulator's: the MMU reports every access to
 * another page than the CPU's last (the `accessed` operation, a one-entry
 * TLB, as exact LRU) and a software reference (mark_page_accessed) counts
 * too; a hand tests and clears it.  A kernel would harvest the Accessed
 * bits of the page's PTEs (Rik van Riel's Linux patch did, through the
 * reverse map): the same bit, seen without sampling.  Resident pages sit on
 * the machine's inactive list (its counters and lru_is_valid), the clock
 * is the policy's own (host memory: a node per frame, and as many for
 * non-resident pages, the paper's bound).  A page becomes non-resident
 * when reclaim evicts it from its cache (the `evicted` operation) and is
 * found again when it comes back into the same mapping and index (read
 * into the page cache or the swap cache).  Simplified: m_c starts at 1% of
 * memory; victims go by up to 32 (shrink_victims), as every policy's.
 *
 * Locks: clock_lock (a leaf) inside pagemap_lru_lock (add, delete,
 * isolate) or the cache's tree_lock (evicted); the reference bits are
 * relaxed atomic bytes, set without a lock.
 */
#include <errno.h>
#include <stdlib.h>
#include "kern/swap.h"
#include "kern/vmscan.h"
#include "kern/reclaim_policy.h"
#include "kern/seq_buf.h"

enum { N_HOT = 1, N_TEST = 2, N_NONRES = 4, N_ON = 8 };

struct cp_node {
	int prev, next;			/* the clock, circular; -1: not on it */
	uint8_t flags;			/* N_* */
	const void *mapping;		/* non-resident: the page's identity */
	unsigned long index;
	int hnext;			/* non-resident: its hash chain */
};

struct clockpro {
	spinlock_t clock_lock;
	struct cp_node *node;		/* [0, max_pfn): resident by pfn; then non-resident */
	atomic_uchar *ref;		/* the reference bit, by pfn */
	unsigned long max_pfn;
	int hand_hot, hand_cold, hand_test;	/* -1 when the clock is empty */
	int free_nonres;		/* free non-resident nodes, linked by next */
	int *bucket;
	unsigned int hash_mask;
	unsigned long nr_hot, nr_cold, nr_nonres, m_c;
	atomic_ulong promoted, demoted, refaults_in_test;
};

static inline struct clockpro *cp(struct machine *m)
{
	return m->reclaim_private;
}

/* --- the clock --------------------------------------------------------------------------- */

/* Insert node @i at the head: just behind HAND_hot, so that every hand meets it last. */
static void clock_insert_head(struct clockpro *c, int i)
{
	struct cp_node *n = &c->node[i];

	if (c->hand_hot < 0) {
		n->prev = n->next = i;
		c->hand_hot = c->hand_cold = c->hand_test = i;
	} else {
		int after = c->node[c->hand_hot].prev;

		n->prev = after;
		n->next = c->hand_hot;
		c->node[after].next = i;
		c->node[c->hand_hot].prev = i;
	}
	n->flags |= N_ON;
}

static void clock_remove(struct clockpro *c, int i)
{
	struct cp_node *n = &c->node[i];
	int next = n->next == i ? -1 : n->next;

	if (c->hand_hot == i)
		c->hand_hot = next;
	if (c->hand_cold == i)
		c->hand_cold = next;
	if (c->hand_test == i)
		c->hand_test = next;
	c->node[n->prev].next = n->next;
	c->node[n->next].prev = n->prev;
	n->prev = n->next = -1;
	n->flags = 0;
}

static unsigned int nonres_hash(struct clockpro *c, const void *mapping, unsigned long index)
{
	unsigned long k = (unsigned long)mapping ^ (index * 0x9e3779b97f4a7c15UL);

	return (unsigned int)((k ^ (k >> 31)) * 0xbf58476d1ce4e5b9UL >> 33) & c->hash_mask;
}

static int nonres_find(struct clockpro *c, const void *mapping, unsigned long index)
{
	for (int i = c->bucket[nonres_hash(c, mapping, index)]; i >= 0; i = c->node[i].hnext)
		if (c->node[i].mapping == mapping && c->node[i].index == index)
			return i;
	return -1;
}

/* A non-resident node leaves the clock and its hash chain. */
static void nonres_remove(struct clockpro *c, int i)
{
	int *pp = &c->bucket[nonres_hash(c, c->node[i].mapping, c->node[i].index)];

	while (*pp != i)
		pp = &c->node[*pp].hnext;
	*pp = c->node[i].hnext;
	clock_remove(c, i);
	c->node[i].mapping = NULL;
	c->node[i].next = c->free_nonres;
	c->free_nonres = i;
	c->nr_nonres--;
}

static unsigned long resident(struct clockpro *c)
{
	return c->nr_hot + c->nr_cold;
}

/* A test period ended without a re-access: the cold target shrinks. */
static void test_ends(struct clockpro *c, int i)
{
	c->node[i].flags &= (uint8_t)~N_TEST;
	if (c->m_c > 1)
		c->m_c--;
}

static bool test_ref(struct clockpro *c, int i)
{
	return i < (int)c->max_pfn && atomic_exchange_explicit(&c->ref[i], 0, memory_order_relaxed);
}

/* HAND_hot: one step (clock_lock held). */
static void hand_hot_step(struct clockpro *c)
{
	int i = c->hand_hot;
	struct cp_node *n = &c->node[i];

	c->hand_hot = n->next;
	if (n->flags & N_NONRES) {
		test_ends(c, i);
		nonres_remove(c, i);
		return;
	}
	if (!(n->flags & N_HOT)) {
		if (n->flags & N_TEST)
			test_ends(c, i);
		return;
	}
	if (test_ref(c, i))
		return;			/* referenced: stays hot */
	n->flags &= (uint8_t)~N_HOT;
	c->nr_hot--;
	c->nr_cold++;
	atomic_fetch_add(&c->demoted, 1);
}

/* Hot pages down to m - m_c (bounded: one round of the clock). */
static void run_hand_hot(struct clockpro *c)
{
	unsigned long steps = resident(c) + c->nr_nonres;

	while (c->hand_hot >= 0 && c->nr_hot + c->m_c > resident(c) && c->nr_hot && steps--)
		hand_hot_step(c);
}

/* Non-resident pages down to m (HAND_test). */
static void run_hand_test(struct clockpro *c)
{
	unsigned long steps = resident(c) + c->nr_nonres;

	while (c->hand_test >= 0 && c->nr_nonres > resident(c) && steps--) {
		int i = c->hand_test;
		struct cp_node *n = &c->node[i];

		c->hand_test = n->next;
		if (n->flags & N_NONRES) {
			test_ends(c, i);
			nonres_remove(c, i);
		} else if (!(n->flags & N_HOT) && (n->flags & N_TEST)) {
			test_ends(c, i);
		}
	}
}

/* --- the events --------------------------------------------------------------------------- */

/*
 * A page becomes resident: re-accessed in its test period (its
 * non-resident node is found) it enters hot and m_c grows; otherwise it
 * enters cold, in its test period.  The hot count then kept to m - m_c.
 */
static void clockpro_add(struct lru_state *lru, struct page *page)
{
	struct machine *m = page_machine(page);
	struct clockpro *c = cp(m);
	int i = (int)page_to_pfn(page), old = -1;

	add_page_to_inactive_list(lru, page);
	spin_lock(&c->clock_lock);
	if (page->mapping)
		old = nonres_find(c, page->mapping, page->index);
	if (old >= 0) {
		nonres_remove(c, old);
		if (c->m_c + 1 < resident(c) + 1)
			c->m_c++;
		c->node[i].flags = N_HOT;
		c->nr_hot++;
		atomic_fetch_add(&c->refaults_in_test, 1);
	} else {
		c->node[i].flags = N_TEST;
		c->nr_cold++;
	}
	clock_insert_head(c, i);
	run_hand_hot(c);
	spin_unlock(&c->clock_lock);
}

/* The page leaves (freed, mlocked, or a victim coming back through putback). */
static void clockpro_del(struct lru_state *lru, struct page *page)
{
	struct clockpro *c = cp(page_machine(page));
	int i = (int)page_to_pfn(page);

	(void)lru;
	spin_lock(&c->clock_lock);
	if (c->node[i].flags & N_ON) {
		if (c->node[i].flags & N_HOT)
			c->nr_hot--;
		else
			c->nr_cold--;
		clock_remove(c, i);
	}
	spin_unlock(&c->clock_lock);
}

/*
 * Reclaim evicts @page from its cache: a cold page in its test period
 * stays on the clock, in its place, as a non-resident page (the last
 * non-resident node taken over when none is free: HAND_test keeps them to m).
 */
static void clockpro_evicted(struct machine *m, struct page *page)
{
	struct clockpro *c = cp(m);
	int i = (int)page_to_pfn(page), j, prev, next;
	unsigned int h;

	spin_lock(&c->clock_lock);
	if ((c->node[i].flags & (N_ON | N_HOT | N_TEST)) != (N_ON | N_TEST))
		goto out;		/* lru_cache_del takes it off the clock */
	j = nonres_find(c, page->mapping, page->index);
	if (j >= 0)
		nonres_remove(c, j);	/* a stale one for the same slot */
	if (c->free_nonres < 0)
		goto out;
	j = c->free_nonres;
	c->free_nonres = c->node[j].next;
	/* node j takes node i's place on the clock, and its hands */
	prev = c->node[i].prev;
	next = c->node[i].next;
	h = nonres_hash(c, page->mapping, page->index);
	c->node[j] = (struct cp_node){ .prev = prev == i ? j : prev, .next = next == i ? j : next,
				       .flags = N_ON | N_TEST | N_NONRES, .mapping = page->mapping,
				       .index = page->index, .hnext = c->bucket[h] };
	c->bucket[h] = j;
	if (prev != i) {
		c->node[prev].next = j;
		c->node[next].prev = j;
	}
	if (c->hand_hot == i)
		c->hand_hot = j;
	if (c->hand_cold == i)
		c->hand_cold = j;
	if (c->hand_test == i)
		c->hand_test = j;
	c->node[i] = (struct cp_node){ .prev = -1, .next = -1, .hnext = -1 };
	c->nr_cold--;
	c->nr_nonres++;
	run_hand_test(c);
out:
	spin_unlock(&c->clock_lock);
}

static void clockpro_referenced(struct page *page)
{
	atomic_store_explicit(&cp(page_machine(page))->ref[page_to_pfn(page)], 1,
			      memory_order_relaxed);
}

static void clockpro_accessed(struct machine *m, struct page *page)
{
	atomic_store_explicit(&cp(m)->ref[page_to_pfn(page)], 1, memory_order_relaxed);
}

static void clockpro_pte_young(struct machine *m, struct page *page)
{
	clockpro_accessed(m, page);
}

/* --- reclaim: HAND_cold ------------------------------------------------------------------- */

/*
 * Up to @nr victims: HAND_cold's round over the resident cold pages (lru
 * lock and clock_lock held).  A victim keeps its node until evicted (it
 * becomes non-resident then) or freed; one that cannot go comes back
 * through putback as a new cold page.
 */
static unsigned int clockpro_isolate(struct machine *m, zone_t *classzone, unsigned int priority,
				     struct page **pages, unsigned int nr)
{
	struct clockpro *c = cp(m);
	struct lru_state *lru = m->lru;
	unsigned long steps;
	unsigned int n = 0;

	(void)priority;
	spin_lock(&lru->pagemap_lru_lock);
	spin_lock(&c->clock_lock);
	steps = 2 * (resident(c) + c->nr_nonres) + 1;
	while (n < nr && c->hand_cold >= 0 && steps--) {
		int i = c->hand_cold;
		struct cp_node *node = &c->node[i];
		struct page *page;

		c->hand_cold = node->next;
		if (node->flags & (N_NONRES | N_HOT))
			continue;
		page = pfn_to_page(m, (unsigned long)i);
		if (test_ref(c, i)) {
			clock_remove(c, i);
			if (node->flags & N_TEST) {	/* a reuse within the test period */
				c->node[i].flags = N_HOT;
				c->nr_cold--;
				c->nr_hot++;
				atomic_fetch_add(&c->promoted, 1);
			} else {
				c->node[i].flags = N_TEST;
			}
			clock_insert_head(c, i);
			run_hand_hot(c);
			continue;
		}
		if (memclass(page->zone, classzone) && get_page_unless_zero(page))
			pages[n++] = page;
	}
	spin_unlock(&c->clock_lock);
	spin_unlock(&lru->pagemap_lru_lock);
	return n;
}

/* --- setup and /proc/vmstat ---------------------------------------------------------------- */

static int clockpro_init(struct machine *m)
{
	struct clockpro *c = calloc(1, sizeof(*c));
	unsigned long n = m->max_pfn, buckets = 1;

	if (!c)
		return -ENOMEM;
	while (buckets < n)
		buckets <<= 1;
	c->node = malloc(2 * n * sizeof(*c->node));
	c->ref = calloc(n, sizeof(*c->ref));
	c->bucket = malloc(buckets * sizeof(*c->bucket));
	if (!c->node || !c->ref || !c->bucket) {
		free(c->node);
		free(c->ref);
		free(c->bucket);
		free(c);
		return -ENOMEM;
	}
	c->max_pfn = n;
	c->hash_mask = (unsigned int)buckets - 1;
	for (unsigned long i = 0; i < buckets; i++)
		c->bucket[i] = -1;
	for (unsigned long i = 0; i < 2 * n; i++)
		c->node[i] = (struct cp_node){ .prev = -1, .next = -1, .hnext = -1 };
	/* the non-resident pool: nodes n .. 2n - 1, linked by next */
	c->free_nonres = -1;
	for (unsigned long i = 2 * n; i-- > n; ) {
		c->node[i].next = c->free_nonres;
		c->free_nonres = (int)i;
	}
	c->hand_hot = c->hand_cold = c->hand_test = -1;
	c->m_c = n / 100 ? n / 100 : 1;
	spin_lock_init(&c->clock_lock);
	m->reclaim_private = c;
	return 0;
}

static void clockpro_exit(struct machine *m)
{
	struct clockpro *c = cp(m);

	free(c->node);
	free(c->ref);
	free(c->bucket);
	free(c);
	m->reclaim_private = NULL;
}

static void clockpro_show_vmstat(struct machine *m, struct seq_buf *s)
{
	struct clockpro *c = cp(m);

	spin_lock(&c->clock_lock);
	seq_printf(s, "clockpro_hot %lu\n", c->nr_hot);
	seq_printf(s, "clockpro_cold %lu\n", c->nr_cold);
	seq_printf(s, "clockpro_nonresident %lu\n", c->nr_nonres);
	seq_printf(s, "clockpro_cold_target %lu\n", c->m_c);
	spin_unlock(&c->clock_lock);
	seq_printf(s, "clockpro_promoted %lu\n", atomic_load(&c->promoted));
	seq_printf(s, "clockpro_demoted %lu\n", atomic_load(&c->demoted));
	seq_printf(s, "clockpro_refault_in_test %lu\n", atomic_load(&c->refaults_in_test));
}

const struct reclaim_policy reclaim_policy_clockpro = {
	.name = "clockpro",
	.follows = "CLOCK-Pro (Jiang, Chen, Zhang, USENIX ATC 2005): hot, cold and non-resident "
		   "test pages on one clock, HAND_hot, HAND_cold, HAND_test, adaptive cold target",
	.init = clockpro_init,
	.exit = clockpro_exit,
	.lru_cache_add = clockpro_add,
	.lru_cache_del = clockpro_del,
	.putback = clockpro_add,
	.referenced = clockpro_referenced,
	.pte_young = clockpro_pte_young,
	.accessed = clockpro_accessed,
	.isolate = clockpro_isolate,
	.shrink = shrink_victims,
	.evicted = clockpro_evicted,
	.show_vmstat = clockpro_show_vmstat,
};

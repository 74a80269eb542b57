/*
 * Split-LRU reclaim, as Linux from 2.6.28 (Rik van Riel's split of the
 * LRU into anonymous and file lists) to 6.0, in its 5.9+ form: four lists,
 * active and inactive for anonymous (swap-backed: anonymous and shmem)
 * pages and for file pages; swappiness weighing which kind to scan
 * (get_scan_count); an inactive list refilled from its active list when it
 * is low (inactive_is_low: inactive * inactive_ratio < active, the ratio
 * sqrt(10 * GiB) or 1); and workingset refault detection (Johannes Weiner,
 * 3.15 for file pages, 5.9 for anonymous ones): a page reclaim evicts
 * leaves a shadow, the time of its eviction on the nonresident clock, and a
 * page that refaults within the active lists' size of evictions and
 * activations is activated at once (workingset_refault_*,
 * workingset_activate_* in /proc/vmstat).
 *
 * A page starts inactive.  mark_page_accessed (a software reference)
 * activates an inactive page referenced before, else marks it referenced.
 * Reclaim (shrink_victims asks for up to 32 victims) splits the batch
 * between anon and file by get_scan_count's fractions (anon only with swap
 * space), refills a low inactive list from its active tail
 * (shrink_active_list: a page whose PTEs were young and which is mapped
 * executable from a file stays active, every other one is deactivated),
 * then looks at its inactive tail (page_check_references: a mapped page
 * with young PTEs is activated if swap-backed, referenced twice or
 * executable, else kept with PG_referenced; the rest are victims).  The
 * young bits come from the reverse map (page_referenced, mm/rmap.c).
 *
 * Simplified: the four lists are the machine's two (struct lru_state),
 * each read as its anon and file sublists (a scan skips the other kind:
 * the same orders, at the cost of the skips), so the zone counters and
 * lru_is_valid are those of every policy; one lruvec for the machine (no
 * per-zone or memcg lists); recent_scanned/rotated are halved when they
 * grow past a quarter of the lists as Linux; the shadows are kept in a
 * table of the policy's (host memory, one per frame at most, the oldest
 * dropped first), not in the radix tree's slots, and a truncated file
 * keeps its shadows until they age out; no PG_workingset (restore
 * counters), no lumpy or compaction-driven reclaim.
 *
 * Locks: pagemap_lru_lock for the lists and the scan statistics; the
 * reverse map's (mmap_sem trylock, page_table_lock) with no LRU lock held:
 * candidates are taken with a reference under the lock, judged without
 * it, and moved under it again if still where they were; the shadow
 * table's own spinlock is a leaf (evicted runs under the cache's tree_lock).
 */
#include <errno.h>
#include <stdlib.h>
#include "kern/swap.h"
#include "kern/vmscan.h"
#include "kern/rmap.h"
#include "kern/reclaim_policy.h"
#include "kern/seq_buf.h"

enum { ANON, FILE_LRU };	/* Linux's LRU_ANON / LRU_FILE order in reclaim_stat */

struct shadow {
	const void *mapping;		/* NULL: a free slot */
	unsigned long index;
	unsigned long eviction;		/* the nonresident clock when evicted */
	int hnext;			/* the next slot in its hash chain, -1 */
};

struct splitlru {
	unsigned int swappiness;	/* 0 .. 200 */
	/* pagemap_lru_lock: Linux's reclaim_stat and the scan's fractional credit */
	unsigned long recent_scanned[2], recent_rotated[2];
	unsigned long credit[2];	/* victims owed to each kind, in 1/1024 */
	/* the workingset (shadow_lock) */
	spinlock_t shadow_lock;
	unsigned long nonresident_age;	/* evictions and activations */
	struct shadow *ring;		/* eviction order: the oldest is overwritten */
	int *bucket;
	unsigned int nr_slots, next_slot, hash_mask;
	atomic_ulong refault[2], activate[2];
};

static inline struct splitlru *sl(struct machine *m)
{
	return m->reclaim_private;
}

static inline int lru_kind(const struct page *page)
{
	return PageSwapBacked(page) ? ANON : FILE_LRU;
}

/* --- the workingset: shadows of evicted pages ------------------------------------------ */

static unsigned int shadow_hash(struct splitlru *s, const void *mapping, unsigned long index)
{
	unsigned long k = (unsigned long)mapping ^ (index * 0x9e3779b97f4a7c15UL);

	return (unsigned int)((k ^ (k >> 29)) * 0xbf58476d1ce4e5b9UL >> 35) & s->hash_mask;
}

/* Unlink slot @i from its chain (shadow_lock held). */
static void shadow_unlink(struct splitlru *s, int i)
{
	int *pp = &s->bucket[shadow_hash(s, s->ring[i].mapping, s->ring[i].index)];

	while (*pp != i)
		pp = &s->ring[*pp].hnext;
	*pp = s->ring[i].hnext;
	s->ring[i].mapping = NULL;
}

/* The slot holding (@mapping, @index), or -1 (shadow_lock held). */
static int shadow_find(struct splitlru *s, const void *mapping, unsigned long index)
{
	for (int i = s->bucket[shadow_hash(s, mapping, index)]; i >= 0; i = s->ring[i].hnext)
		if (s->ring[i].mapping == mapping && s->ring[i].index == index)
			return i;
	return -1;
}

/* workingset_eviction: remember when @page left its cache. */
static void splitlru_evicted(struct machine *m, struct page *page)
{
	struct splitlru *s = sl(m);
	int i;
	unsigned int h;

	spin_lock(&s->shadow_lock);
	i = shadow_find(s, page->mapping, page->index);
	if (i >= 0)
		shadow_unlink(s, i);
	i = (int)s->next_slot;
	s->next_slot = (s->next_slot + 1) % s->nr_slots;
	if (s->ring[i].mapping)
		shadow_unlink(s, i);	/* the oldest shadow goes */
	h = shadow_hash(s, page->mapping, page->index);
	s->ring[i] = (struct shadow){ .mapping = page->mapping, .index = page->index,
				      .eviction = s->nonresident_age++, .hnext = s->bucket[h] };
	s->bucket[h] = i;
	spin_unlock(&s->shadow_lock);
}

/*
 * workingset_refault: @page (its kind @t) comes back into the cache slot
 * a shadow names.  True if it was evicted less than the workingset's size
 * ago (active lists; the anonymous ones only with swap) of evictions and
 * activations: it would have stayed had the active list been that much
 * smaller, so it starts active.
 */
static bool workingset_refault(struct machine *m, struct page *page, int t)
{
	struct splitlru *s = sl(m);
	unsigned long distance, size, total, free;
	int i;

	if (!page->mapping)
		return false;
	spin_lock(&s->shadow_lock);
	i = shadow_find(s, page->mapping, page->index);
	if (i < 0) {
		spin_unlock(&s->shadow_lock);
		return false;
	}
	distance = s->nonresident_age - s->ring[i].eviction;
	shadow_unlink(s, i);
	spin_unlock(&s->shadow_lock);
	atomic_fetch_add(&s->refault[t], 1);
	size = global_page_state(m, NR_ZONE_ACTIVE_FILE);
	si_swapinfo(m, &total, &free);
	if (free)
		size += global_page_state(m, NR_ZONE_ACTIVE_ANON) +
			global_page_state(m, NR_ZONE_INACTIVE_ANON);
	if (distance > size)
		return false;
	atomic_fetch_add(&s->activate[t], 1);
	return true;
}

/* An activation ages the nonresident clock too (workingset_age_nonresident). */
static void workingset_activation(struct machine *m)
{
	spin_lock(&sl(m)->shadow_lock);
	sl(m)->nonresident_age++;
	spin_unlock(&sl(m)->shadow_lock);
}

/* --- the events --------------------------------------------------------------------------- */

static void splitlru_add(struct lru_state *lru, struct page *page)
{
	struct machine *m = page_machine(page);

	if (workingset_refault(m, page, lru_kind(page))) {
		add_page_to_active_list(lru, page);
		workingset_activation(m);
	} else {
		add_page_to_inactive_list(lru, page);
	}
}

/* A victim that could not go, or a page back from mlock: its inactive list's head. */
static void splitlru_putback(struct lru_state *lru, struct page *page)
{
	add_page_to_inactive_list(lru, page);
}

/* mark_page_accessed: inactive,referenced -> active; unreferenced -> referenced. */
static void splitlru_referenced(struct page *page)
{
	if (!PageActive(page) && PageReferenced(page) && PageLRU(page) &&
	    !PageUnevictable(page)) {
		activate_page(page);
		ClearPageReferenced(page);
		workingset_activation(page_machine(page));
		return;
	}
	SetPageReferenced(page);
}

static void splitlru_pte_young(struct machine *m, struct page *page)
{
	(void)m;
	(void)page;	/* no swap_out scan under this policy: page_referenced reads the bits */
}

/* --- reclaim ------------------------------------------------------------------------------ */

/* Up to @nr pages of kind @t of @classzone from the tail of @head, referenced (lock held). */
static unsigned int take_tail(struct list_head *head, int t, zone_t *classzone,
			      struct page **pages, unsigned int nr)
{
	unsigned int n = 0;
	struct page *page;

	list_for_each_entry_reverse(page, head, lru) {
		if (n == nr)
			break;
		if (lru_kind(page) == t && memclass(page->zone, classzone) &&
		    get_page_unless_zero(page))
			pages[n++] = page;
	}
	return n;
}

static void put_pages(struct page **pages, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		put_page(pages[i]);
}

/* inactive_is_low (5.9): inactive * sqrt(10 * GiB of the two lists) < active. */
static bool inactive_is_low(struct machine *m, int t)
{
	unsigned long inactive = global_page_state(m, t == ANON ? NR_ZONE_INACTIVE_ANON :
							  NR_ZONE_INACTIVE_FILE);
	unsigned long active = global_page_state(m, t == ANON ? NR_ZONE_ACTIVE_ANON :
							NR_ZONE_ACTIVE_FILE);
	unsigned long gb = (inactive + active) >> (30 - PAGE_SHIFT), ratio = 1;

	while (gb && (ratio + 1) * (ratio + 1) <= 10 * gb)	/* int_sqrt */
		ratio++;
	return inactive * ratio < active;
}

/*
 * shrink_active_list - look at up to SWAP_CLUSTER_MAX pages of kind @t at
 * the active tail: an executable file page whose PTEs were young goes back
 * to the active head, every other one to the inactive head.
 */
static void shrink_active_list(struct machine *m, int t, zone_t *classzone)
{
	struct lru_state *lru = m->lru;
	struct page *pages[SWAP_CLUSTER_MAX];
	bool keep[SWAP_CLUSTER_MAX];
	unsigned int n, moved = 0;

	spin_lock(&lru->pagemap_lru_lock);
	n = take_tail(&lru->active_list, t, classzone, pages, SWAP_CLUSTER_MAX);
	spin_unlock(&lru->pagemap_lru_lock);
	for (unsigned int i = 0; i < n; i++) {
		unsigned long vm_flags;

		keep[i] = page_referenced(m, pages[i], &vm_flags) && t == FILE_LRU &&
			  (vm_flags & VM_EXEC);
	}
	spin_lock(&lru->pagemap_lru_lock);
	for (unsigned int i = 0; i < n; i++) {
		struct page *page = pages[i];

		if (!PageLRU(page) || !PageActive(page) || PageUnevictable(page))
			continue;	/* it moved or left meanwhile */
		if (keep[i]) {
			list_move(&page->lru, &lru->active_list);
			sl(m)->recent_rotated[t]++;
			continue;
		}
		del_page_from_lru_list(lru, page);
		add_page_to_inactive_list(lru, page);
		moved++;
	}
	sl(m)->recent_scanned[t] += n;
	spin_unlock(&lru->pagemap_lru_lock);
	put_pages(pages, n);
	count_vm_events(PGREFILL, n);
	count_vm_events(PGDEACTIVATE, moved);
}

enum { PAGEREF_RECLAIM, PAGEREF_KEEP, PAGEREF_ACTIVATE };

/* page_check_references: what the inactive scan does with @page. */
static int page_check_references(struct machine *m, struct page *page)
{
	unsigned long vm_flags;
	int ptes = page_referenced(m, page, &vm_flags);
	bool referenced_page = TestClearPageReferenced(page);

	if (ptes) {
		/* anonymous pages are activated at once: no use-once stream of them */
		if (PageSwapBacked(page) || referenced_page || ptes > 1 || (vm_flags & VM_EXEC))
			return PAGEREF_ACTIVATE;
		SetPageReferenced(page);
		return PAGEREF_KEEP;
	}
	return PAGEREF_RECLAIM;
}

/*
 * shrink_inactive_list - up to @nr victims of kind @t from the inactive
 * tail (references kept for shrink_victims), activating or keeping the
 * pages in use; *@scanned counts the pages looked at.  Victims named.
 */
static unsigned int shrink_inactive_list(struct machine *m, int t, zone_t *classzone,
					 struct page **victims, unsigned int nr, unsigned long *scanned)
{
	struct lru_state *lru = m->lru;
	struct page *pages[SWAP_CLUSTER_MAX], *done[SWAP_CLUSTER_MAX];
	int ref[SWAP_CLUSTER_MAX];
	unsigned int n, got = 0, nr_done = 0, activated = 0;

	spin_lock(&lru->pagemap_lru_lock);
	n = take_tail(&lru->inactive_list, t, classzone, pages, nr);
	spin_unlock(&lru->pagemap_lru_lock);
	*scanned += n;
	for (unsigned int i = 0; i < n; i++)
		ref[i] = page_check_references(m, pages[i]);
	spin_lock(&lru->pagemap_lru_lock);
	for (unsigned int i = 0; i < n; i++) {
		struct page *page = pages[i];
		bool here = PageLRU(page) && !PageActive(page) && !PageUnevictable(page);

		if (ref[i] == PAGEREF_RECLAIM && here) {
			victims[got++] = page;
			continue;
		}
		done[nr_done++] = page;
		if (!here)
			continue;
		if (ref[i] == PAGEREF_ACTIVATE) {
			del_page_from_lru_list(lru, page);
			add_page_to_active_list(lru, page);
			sl(m)->recent_rotated[t]++;
			activated++;
		} else {
			list_move(&page->lru, &lru->inactive_list);	/* kept: to the head */
		}
	}
	sl(m)->recent_scanned[t] += n;
	spin_unlock(&lru->pagemap_lru_lock);
	put_pages(done, nr_done);
	count_vm_events(PGACTIVATE, activated);	/* the scan's own: no workingset age */
	return got;
}

/*
 * get_scan_count - the share of anonymous pages in the next victims, in
 * 1/1024: none without swap space or with swappiness 0, else swappiness
 * against 200 - swappiness, each weighed by how few of the pages of its
 * kind scanned lately were rotated back (the cost of reclaiming it).
 */
static unsigned long anon_share(struct machine *m)
{
	struct splitlru *s = sl(m);
	unsigned long total, free, ap, fp, anon, file;

	si_swapinfo(m, &total, &free);
	anon = global_page_state(m, NR_ZONE_ACTIVE_ANON) + global_page_state(m, NR_ZONE_INACTIVE_ANON);
	file = global_page_state(m, NR_ZONE_ACTIVE_FILE) + global_page_state(m, NR_ZONE_INACTIVE_FILE);
	if (!free || !s->swappiness || !anon)
		return 0;
	if (!file)
		return 1024;
	/* old history counts half, as Linux halves reclaim_stat past a quarter of a list */
	for (int t = ANON; t <= FILE_LRU; t++) {
		if (s->recent_scanned[t] > (t == ANON ? anon : file) / 4) {
			s->recent_scanned[t] /= 2;
			s->recent_rotated[t] /= 2;
		}
	}
	ap = (s->swappiness + 1) * (s->recent_scanned[ANON] + 1) / (s->recent_rotated[ANON] + 1);
	fp = (200 - s->swappiness + 1) * (s->recent_scanned[FILE_LRU] + 1) /
	     (s->recent_rotated[FILE_LRU] + 1);
	return ap * 1024 / (ap + fp);
}

/* Pages of kind @t on the two lists. */
static unsigned long lru_pages(struct machine *m, int t)
{
	if (t == ANON)
		return global_page_state(m, NR_ZONE_ACTIVE_ANON) +
		       global_page_state(m, NR_ZONE_INACTIVE_ANON);
	return global_page_state(m, NR_ZONE_ACTIVE_FILE) + global_page_state(m, NR_ZONE_INACTIVE_FILE);
}

/*
 * shrink_list - up to @want victims of kind @t, scanning at most the
 * kind's pages >> @priority (at least a cluster), as shrink_lruvec: the
 * inactive list refilled whenever it is low.  Victims named.
 */
static unsigned int shrink_list(struct machine *m, int t, zone_t *classzone,
				unsigned int priority, struct page **pages, unsigned int want)
{
	unsigned long budget = max(lru_pages(m, t) >> priority, (unsigned long)SWAP_CLUSTER_MAX);
	unsigned long scanned = 0;
	unsigned int got = 0;

	while (got < want && scanned < budget) {
		unsigned int n;

		if (inactive_is_low(m, t))
			shrink_active_list(m, t, classzone);
		n = shrink_inactive_list(m, t, classzone, pages + got, want - got, &scanned);
		got += n;
		if (!n && !scanned)
			break;
	}
	return got;
}

static unsigned int splitlru_isolate(struct machine *m, zone_t *classzone, unsigned int priority,
				     struct page **pages, unsigned int nr)
{
	struct splitlru *s = sl(m);
	unsigned int want[2], got = 0;
	unsigned long share;

	spin_lock(&m->lru->pagemap_lru_lock);
	share = anon_share(m);
	s->credit[ANON] += share * nr;
	s->credit[FILE_LRU] += (1024 - share) * nr;
	want[ANON] = (unsigned int)min(s->credit[ANON] / 1024, (unsigned long)nr);
	want[FILE_LRU] = nr - want[ANON];
	s->credit[ANON] -= want[ANON] * 1024UL;
	s->credit[FILE_LRU] -= min(s->credit[FILE_LRU], want[FILE_LRU] * 1024UL);
	spin_unlock(&m->lru->pagemap_lru_lock);
	for (int t = ANON; t <= FILE_LRU; t++)
		if (want[t])
			got += shrink_list(m, t, classzone, priority, pages + got, want[t]);
	/* nothing of the kinds asked for: the other kind, so that reclaim goes on */
	for (int t = ANON; t <= FILE_LRU && !got; t++)
		if (want[t] != nr && (t == FILE_LRU || share))
			got += shrink_list(m, t, classzone, priority, pages, nr);
	return got;
}

/* --- setup and /proc/vmstat ---------------------------------------------------------------- */

static int splitlru_init(struct machine *m)
{
	struct splitlru *s = calloc(1, sizeof(*s));
	unsigned int buckets = 1;

	if (!s)
		return -ENOMEM;
	s->swappiness = (unsigned int)m->cfg.swappiness;
	s->nr_slots = (unsigned int)(m->max_pfn ? m->max_pfn : 1);
	while (buckets < s->nr_slots)
		buckets <<= 1;
	s->hash_mask = buckets - 1;
	s->ring = calloc(s->nr_slots, sizeof(*s->ring));
	s->bucket = malloc(buckets * sizeof(*s->bucket));
	if (!s->ring || !s->bucket) {
		free(s->ring);
		free(s->bucket);
		free(s);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < buckets; i++)
		s->bucket[i] = -1;
	spin_lock_init(&s->shadow_lock);
	m->reclaim_private = s;
	return 0;
}

static void splitlru_exit(struct machine *m)
{
	struct splitlru *s = sl(m);

	free(s->ring);
	free(s->bucket);
	free(s);
	m->reclaim_private = NULL;
}

static void splitlru_show_vmstat(struct machine *m, struct seq_buf *sb)
{
	struct splitlru *s = sl(m);

	seq_printf(sb, "workingset_refault_anon %lu\n", atomic_load(&s->refault[ANON]));
	seq_printf(sb, "workingset_refault_file %lu\n", atomic_load(&s->refault[FILE_LRU]));
	seq_printf(sb, "workingset_activate_anon %lu\n", atomic_load(&s->activate[ANON]));
	seq_printf(sb, "workingset_activate_file %lu\n", atomic_load(&s->activate[FILE_LRU]));
}

const struct reclaim_policy reclaim_policy_splitlru = {
	.name = "splitlru",
	.follows = "Linux 2.6.28+ split LRU (as of 5.9): anon and file active/inactive lists, "
		   "swappiness, inactive_is_low, workingset refault detection",
	.init = splitlru_init,
	.exit = splitlru_exit,
	.lru_cache_add = splitlru_add,
	.putback = splitlru_putback,
	.referenced = splitlru_referenced,
	.pte_young = splitlru_pte_young,
	.isolate = splitlru_isolate,
	.shrink = shrink_victims,
	.evicted = splitlru_evicted,
	.show_vmstat = splitlru_show_vmstat,
};

/*
 * The zone-based buddy allocator (Linux 2.4 mm/page_alloc.c): nodes and
 * zones, free_area[MAX_ORDER] per zone with split and coalesce, the GFP
 * zonelists, watermarks and the hooks where kswapd and direct reclaim
 * plug in; plus per-CPU page lists (Linux 2.6's for order 0, extended to
 * orders 1-3 as in Linux 5.14), as an option (cfg.pcp) beside the 2.4 way.
 *
 * Free blocks: the head page of a free block of 2^order pages has
 * PG_buddy set and page->private == order, and sits on
 * zone->free_area[order].free_list.  Its buddy is the block whose index
 * (pfn - zone_start_pfn) differs in bit `order`; zones start on
 * MAX_ORDER-aligned pfns so buddies never straddle a zone.
 *
 * Locking: zone->lock protects free_area and NR_FREE_PAGES; a per-CPU list
 * is touched only by its own CPU (a host thread), so the common order-0
 * alloc and free take no lock.
 */
#include <stdlib.h>
#include <string.h>
#include "kern/mm.h"
#include "kern/page.h"
#include "kern/sched.h"

static const char *const zone_names[MAX_NR_ZONES] = { "DMA", "Normal", "HighMem" };
/* 2.4: pages_min = realsize / zone_balance_ratio, clamped to [min, max] */
static const unsigned long zone_balance_ratio[MAX_NR_ZONES] = { 128, 128, 128 };
static const unsigned long zone_balance_min[MAX_NR_ZONES] = { 20, 20, 20 };
static const unsigned long zone_balance_max[MAX_NR_ZONES] = { 255, 255, 255 };

#define DMA_END_PFN	((16UL << 20) >> PAGE_SHIFT)

zone_t *page_zone(const struct page *page)
{
	return page->zone;
}

static inline unsigned long zone_idx_of(const zone_t *zone, const struct page *page)
{
	return (unsigned long)(page - zone->zone_mem_map);
}

/* --- debug checks ---------------------------------------------------------- */

static __cold void bad_page(const struct page *page, const char *what)
{
	__bug(__FILE__, __LINE__,
		  "Bad page state: pfn %lu: %s (flags %#x count %d mapcount %d mapping %p)",
		  page_to_pfn(page), what, atomic_load(&page->flags), page_count(page),
		  page_mapcount(page), (void *)page->mapping);
}

#define PAGE_FLAGS_CHECK_AT_FREE ((1u << PG_lru) | (1u << PG_slab) | (1u << PG_buddy) | \
	(1u << PG_reserved) | (1u << PG_swapcache) | (1u << PG_writeback) | \
	(1u << PG_locked) | (1u << PG_active) | (1u << PG_mlocked) | (1u << PG_pgtable) | \
	(1u << PG_unevictable) | (1u << PG_private))

static void check_free_page(struct page *page)
{
	unsigned int flags = atomic_load_explicit(&page->flags, memory_order_relaxed);

	if (flags & (1u << PG_buddy))
		bad_page(page, "double free (page is already free)");
	if (flags & (1u << PG_reserved))
		bad_page(page, "freeing a reserved page");
	if (flags & PAGE_FLAGS_CHECK_AT_FREE)
		bad_page(page, "freeing a page still in use (flags)");
	if (flags & (1u << PG_zeroed))
		bad_page(page, "freeing a page still marked zeroed (never handed out clean)");
	if (page->mapping)
		bad_page(page, "freeing a page with a mapping");
	if (page_mapcount(page) != 0)
		bad_page(page, "freeing a page still mapped");
}

static void check_new_page(struct page *page)
{
	unsigned int flags = atomic_load_explicit(&page->flags, memory_order_relaxed);

	if (page_count(page) != 0)
		bad_page(page, "allocating a page with nonzero count");
	if (flags & ((1u << PG_buddy) | PAGE_FLAGS_CHECK_AT_FREE))
		bad_page(page, "allocating a page with bad flags");
	if (page->mapping)
		bad_page(page, "allocating a page with a mapping");
}

/*
 * Free pages are filled with PAGE_POISON and marked; an allocation checks
 * the bytes are untouched (a write after free shows up here).
 */
static void poison_page(struct page *page)
{
	memset(__phys_ram(page_machine(page), page_to_phys(page)), PAGE_POISON, PAGE_SIZE);
	SetPagePoisoned(page);
}

static void unpoison_page(struct page *page)
{
	const uint8_t *p;

	if (!TestClearPagePoisoned(page))
		return;
	p = __phys_ram(page_machine(page), page_to_phys(page));
	for (unsigned long i = 0; i < PAGE_SIZE; i++)
		if (unlikely(p[i] != PAGE_POISON))
			__bug(__FILE__, __LINE__,
				  "page poison corrupted: pfn %lu byte %lu is %#x, not %#x "
				  "(written after free)", page_to_pfn(page), i, p[i], PAGE_POISON);
}

/* --- the buddy core (zone->lock held) ------------------------------------- */

/* A free block is the allocator's alone (zone->lock): no locked instructions. */
static inline void set_buddy_order(struct page *page, unsigned int order)
{
	page->private = order;
	__SetPageBuddy(page);
}

static inline void clear_buddy(struct page *page)
{
	__ClearPageBuddy(page);
	page->private = 0;
}

/*
 * __free_one_page - put a block back and merge it with its buddy as long
 * as the buddy is free and of the same order:
 *
 *   order 0:  [A][a]        A freed, buddy a free -> merge
 *   order 1:  [A  a][b  b]  buddy b free at order 1 -> merge
 *   order 2:  [A  a  b  b]  ... until the buddy is busy or MAX_ORDER-1
 */
static void __free_one_page(struct page *page, zone_t *zone, unsigned int order)
{
	unsigned long idx = zone_idx_of(zone, page);

	VM_BUG_ON_MSG(idx & ((1UL << order) - 1),
		      "free block pfn %lu not aligned to order %u", page_to_pfn(page), order);
	__mod_zone_freepage_state(zone, 1L << order);
	while (order < MAX_ORDER - 1) {
		unsigned long buddy_idx = idx ^ (1UL << order);
		struct page *buddy;

		if (buddy_idx >= zone->spanned_pages)
			break;
		buddy = zone->zone_mem_map + buddy_idx;
		if (!PageBuddy(buddy) || buddy->private != order)
			break;
		list_del(&buddy->lru);
		zone->free_area[order].nr_free--;
		clear_buddy(buddy);
		idx &= buddy_idx;
		order++;
	}
	page = zone->zone_mem_map + idx;
	set_buddy_order(page, order);
	list_add(&page->lru, &zone->free_area[order].free_list);
	zone->free_area[order].nr_free++;
}

/* expand - split a 2^high block down to 2^low, freeing the upper halves. */
static inline void expand(zone_t *zone, struct page *page, unsigned int low,
			  unsigned int high)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		high--;
		size >>= 1;
		set_buddy_order(&page[size], high);
		list_add(&page[size].lru, &zone->free_area[high].free_list);
		zone->free_area[high].nr_free++;
	}
}

/* __rmqueue - take a 2^order block from the smallest order that has one. */
static struct page *__rmqueue(zone_t *zone, unsigned int order)
{
	for (unsigned int cur = order; cur < MAX_ORDER; cur++) {
		free_area_t *area = &zone->free_area[cur];
		struct page *page;

		if (list_empty(&area->free_list))
			continue;
		page = list_first_entry(&area->free_list, struct page, lru);
		list_del(&page->lru);
		area->nr_free--;
		clear_buddy(page);
		expand(zone, page, order, cur);
		__mod_zone_freepage_state(zone, -(1L << order));
		return page;
	}
	return NULL;
}

/* --- per-CPU lists ----------------------------------------------------------- */

static __always_inline struct page *pcp_pop(struct per_cpu_pages *pcp, unsigned int order)
{
	struct list_head *e = pcp->first[order];

	pcp->first[order] = e->next;
	pcp_count_add(pcp, -(1 << order));
	return list_entry(e, struct page, lru);
}

static __always_inline void pcp_push(struct per_cpu_pages *pcp, unsigned int order,
				     struct page *page)
{
	page->lru.next = pcp->first[order];
	page->lru.prev = (struct list_head *)LIST_POISON2;
	pcp->first[order] = &page->lru;
	pcp_count_add(pcp, 1 << order);
}

/* Move up to @count blocks of @order from the buddy lists to @pcp. */
static int rmqueue_bulk(zone_t *zone, struct per_cpu_pages *pcp, unsigned int order,
			int count)
{
	struct list_head *head = NULL, **tail = &head;
	int i;

	/* chained in the order the buddy lists hand them out, lowest first */
	spin_lock(&zone->lock);
	for (i = 0; i < count; i++) {
		struct page *page = __rmqueue(zone, order);

		if (!page)
			break;
		trace_mm_page_alloc_zone_locked(zone->zone_pgdat->machine, page, order, 1);
		*tail = &page->lru;
		page->lru.prev = (struct list_head *)LIST_POISON2;
		tail = &page->lru.next;
	}
	spin_unlock(&zone->lock);
	*tail = pcp->first[order];
	pcp->first[order] = head;
	pcp_count_add(pcp, i << order);
	return i;
}

/*
 * Give at least @count pages back to the buddy lists, from the lists in
 * turn (orders round-robin, as Linux 5.14).
 */
static void free_pcppages_bulk(zone_t *zone, struct per_cpu_pages *pcp, int count)
{
	unsigned int rr = (unsigned int)pcp->free_rr;

	spin_lock(&zone->lock);
	while (count > 0 && pcp_count(pcp) > 0) {
		unsigned int order, batch_free = 0;

		/*
		 * Round-robin over the lists, as Linux: each empty list passed
		 * lets the next non-empty one give one more block, so a lone
		 * order-0 list is not reached through empty ones every time.
		 */
		do {
			batch_free++;
			order = rr++ & (NR_PCP_LISTS - 1);
		} while (!pcp->first[order]);
		/* every other list was empty: this one gives all that is asked */
		if (batch_free == NR_PCP_LISTS)
			batch_free = (unsigned int)count;
		do {
			struct page *page = pcp_pop(pcp, order);

			count -= 1 << order;
			__free_one_page(page, zone, order);
		} while (--batch_free && count > 0 && pcp->first[order]);
	}
	spin_unlock(&zone->lock);
	pcp->free_rr = (int)rr;
}

static void drain_cpu_pages(struct machine *m, int cpu)
{
	for (int n = 0; n < m->nr_nodes; n++)
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			zone_t *zone = &m->node_data[n].node_zones[z];
			struct per_cpu_pages *pcp = &zone->pageset[cpu];

			if (pcp_count(pcp))
				free_pcppages_bulk(zone, pcp, pcp_count(pcp));
		}
}

void drain_local_pages(void)
{
	drain_cpu_pages(this_machine(), smp_processor_id());
}

void drain_all_pages(struct machine *m)
{
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		drain_cpu_pages(m, cpu);
}

/* --- allocation ------------------------------------------------------------ */

/*
 * Frames never used since boot still hold the zeroes the RAM came up with
 * (PG_zeroed, set by bootmem's hand-over and dropped by any free), so a
 * __GFP_ZERO request for them costs no clearing: on a fresh machine, the
 * first touch of anonymous memory writes each frame once, not twice.
 */
static __noinline void zero_new_block(struct page *page, unsigned int order)
{
	struct machine *m = page_machine(page);
	uint8_t *p = __phys_ram(m, page_to_phys(page));

	for (unsigned long i = 0; i < (1UL << order); i++, p += PAGE_SIZE) {
		if (PageZeroed(page + i)) {
			if (DEBUG_VM)
				for (unsigned long b = 0; b < PAGE_SIZE; b++)
					BUG_ON_MSG(p[b], "pfn %lu marked zeroed has byte %lu = %#x",
						   page_to_pfn(page + i), b, p[b]);
			continue;
		}
		/* the allocator clears through the physical map, as clear_page does */
		clear_page(p);
	}
	page_copy_done();	/* the streaming stores are weakly ordered */
}

static __always_inline void prep_new_page(struct page *page, unsigned int order,
					  gfp_t gfp_mask)
{
	if (DEBUG_VM) {
		for (unsigned long i = 0; i < (1UL << order); i++) {
			check_new_page(page + i);
			unpoison_page(page + i);
		}
	}
	/* flags and private were cleared when the block was freed */
	page->order_hint = (uint8_t)order;
	set_page_count(page, 1);
	if (gfp_mask & __GFP_ZERO)
		zero_new_block(page, order);
	/*
	 * The block is ours now: every page of it loses PG_zeroed (nobody else
	 * can look at these flags).  Every page, not only when the head has
	 * the flag: a block merged from a used page and never-used buddies
	 * has a plain head and zeroed tails, which would keep the mark while
	 * being written, and a later __GFP_ZERO allocation would skip
	 * clearing them.
	 */
	for (unsigned long i = 0; i < (1UL << order); i++) {
		unsigned int flags = atomic_load_explicit(&page[i].flags, memory_order_relaxed);

		if (unlikely(flags & (1u << PG_zeroed)))
			atomic_store_explicit(&page[i].flags, flags & ~(1u << PG_zeroed),
					      memory_order_relaxed);
	}
}

/*
 * buffered_rmqueue - take a block from @zone: order 0 from this CPU's list
 * (refilled by batch under zone->lock when empty), larger orders from the
 * buddy lists directly.
 */
static struct page *buffered_rmqueue(zone_t *zone, unsigned int order, gfp_t gfp_mask)
{
	struct machine *m = zone->zone_pgdat->machine;
	struct page *page;

	if (likely(order <= PAGE_ALLOC_COSTLY_ORDER && m->cfg.pcp)) {
		struct per_cpu_pages *pcp = &zone->pageset[smp_processor_id()];

		if (unlikely(!pcp->first[order]) &&
		    !rmqueue_bulk(zone, pcp, order, max(pcp->batch >> order, 1)))
			return NULL;
		page = pcp_pop(pcp, order);
	} else {
		spin_lock(&zone->lock);
		page = __rmqueue(zone, order);
		spin_unlock(&zone->lock);
		if (!page)
			return NULL;
		trace_mm_page_alloc_zone_locked(m, page, order, 0);
	}
	count_vm_events(PGALLOC_DMA + zone->idx, 1UL << order);
	prep_new_page(page, order, gfp_mask);
	trace_mm_page_alloc(m, page, order, gfp_mask);
	return page;
}

/* Free pages this CPU could take from @zone: buddy lists plus its own list. */
static inline long zone_free_for_alloc(zone_t *zone)
{
	return zone_page_state(zone, NR_FREE_PAGES);
}

static bool should_fail_alloc_page(struct machine *m)
{
	struct sim_cpu *cpu = this_cpu();

	if (likely(!m->cfg.fail_page_alloc_nth) || !m->booted)
		return false;
	return ++cpu->fail_page_alloc_count == m->cfg.fail_page_alloc_nth;
}

/*
 * One pass over the zonelist.  The watermark accumulates along the list
 * (min += z->pages_x), as in 2.4: an allocation that falls back to a lower
 * zone must leave that zone more free pages, protecting DMA and NORMAL
 * from HIGHMEM-capable callers.
 */
enum wmark { WMARK_LOW, WMARK_MIN, WMARK_MIN_ATOMIC, WMARK_NONE };

/* Owner-written, read by others (numastat): a relaxed store, as the vm events. */
static __always_inline void numa_event_inc(unsigned long *c)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

/*
 * zone_statistics - numastat's counters for one allocation that wanted
 * @preferred's node and got @z's (Linux's definitions, kern/mmzone.h).
 */
static __always_inline void zone_statistics(struct sim_cpu *cpu, const zone_t *preferred,
					    const zone_t *z)
{
	int pn = preferred->zone_pgdat->node_id, zn = z->zone_pgdat->node_id;
	unsigned long *ev = cpu->numa_events[zn];

	if (likely(zn == pn)) {
		numa_event_inc(&ev[NUMA_HIT]);
	} else {
		numa_event_inc(&ev[NUMA_MISS]);
		numa_event_inc(&cpu->numa_events[pn][NUMA_FOREIGN]);
	}
	numa_event_inc(&ev[zn == cpu->node ? NUMA_LOCAL : NUMA_OTHER]);
}

void count_numa_interleave_hit(int nid)
{
	numa_event_inc(&this_cpu()->numa_events[nid][NUMA_INTERLEAVE_HIT]);
}

unsigned long node_numa_state(struct machine *m, int nid, enum numa_stat_item item)
{
	unsigned long n = 0;

	for (int c = 0; c < m->nr_cpus; c++)
		n += __atomic_load_n(&m->cpu[c].numa_events[nid][item], __ATOMIC_RELAXED);
	return n;
}

static inline bool zone_allowed(const zone_t *z, const nodemask_t *nodemask)
{
	return !nodemask || (*nodemask & (1UL << z->zone_pgdat->node_id));
}

/* The first zone of @zl an allocation limited to @nodemask may use (NULL: none). */
static zone_t *first_allowed_zone(zonelist_t *zl, const nodemask_t *nodemask)
{
	for (zone_t **zp = zl->zones; *zp; zp++)
		if (zone_allowed(*zp, nodemask))
			return *zp;
	return NULL;
}

static struct page *get_page_from_zonelist(zonelist_t *zl, unsigned int order,
					   gfp_t gfp_mask, enum wmark mark,
					   const nodemask_t *nodemask, const zone_t *preferred)
{
	long min = 1L << order;
	const pg_data_t *pgdat = NULL;

	for (zone_t **zp = zl->zones; *zp; zp++) {
		zone_t *z = *zp;
		struct page *page;

		if (!zone_allowed(z, nodemask))
			continue;
		/* each node's zones protect each other as 2.4's per-node zonelists did */
		if (z->zone_pgdat != pgdat) {
			pgdat = z->zone_pgdat;
			min = 1L << order;
		}
		switch (mark) {
		case WMARK_LOW: min += (long)z->pages_low; break;
		case WMARK_MIN: min += (long)z->pages_min; break;
		case WMARK_MIN_ATOMIC: min += (long)(z->pages_min >> 2); break;
		case WMARK_NONE: min = 0; break;
		}
		/* Pages on this CPU's lists count as free for it. */
		if (zone_free_for_alloc(z) + z->pageset[smp_processor_id()].count > min) {
			page = buffered_rmqueue(z, order, gfp_mask);
			if (page) {
				zone_statistics(this_cpu(), preferred, z);
				return page;
			}
		}
	}
	return NULL;
}

#define MAX_RECLAIM_RETRIES 16
#define MAX_OOM_KILLS 4

/*
 * __alloc_pages_nodemask - from @zonelist's zones in order, only those on
 * @nodemask's nodes (NULL: any), as Linux's: MPOL_BIND's allocations.
 */
struct page *__alloc_pages_nodemask(gfp_t gfp_mask, unsigned int order, zonelist_t *zonelist,
				    const nodemask_t *nodemask)
{
	struct machine *m = this_machine();
	struct task_struct *tsk = this_cpu()->curr;
	zone_t *classzone = first_allowed_zone(zonelist, nodemask);
	struct page *page;
	int retries = 0, oom_kills = 0;

	if (unlikely(order >= MAX_ORDER || !classzone))
		return NULL;
	if (unlikely(should_fail_alloc_page(m)))
		return NULL;

	/* Fast path: above the low watermark everywhere we look. */
	page = get_page_from_zonelist(zonelist, order, gfp_mask, WMARK_LOW, nodemask, classzone);
	if (likely(page))
		return page;

	/* Below low: kswapd should balance this zone. */
	for (zone_t **zp = zonelist->zones; *zp; zp++) {
		if (!zone_allowed(*zp, nodemask))
			continue;
		atomic_store(&(*zp)->need_balance, 1);
		if (m->reclaim.wakeup_kswapd)
			m->reclaim.wakeup_kswapd(m, *zp);
	}

	/* Callers that cannot sleep may go down to pages_min / 4. */
	page = get_page_from_zonelist(zonelist, order, gfp_mask,
				      (gfp_mask & __GFP_WAIT) ? WMARK_MIN : WMARK_MIN_ATOMIC,
				      nodemask, classzone);
	if (page)
		return page;

rebalance:
	/* The reclaimer itself may take the last pages. */
	if (tsk && (task_flags(tsk) & PF_MEMALLOC))
		return get_page_from_zonelist(zonelist, order, gfp_mask, WMARK_NONE, nodemask,
					      classzone);
	if (!(gfp_mask & __GFP_WAIT) || !m->reclaim.try_to_free_pages)
		return NULL;

	count_vm_event(ALLOCSTALL);
	if (tsk)
		task_set_flags(tsk, PF_MEMALLOC);
	trace_mm_vmscan_direct_reclaim_begin(m, order, gfp_mask, classzone->idx);
	unsigned long freed = m->reclaim.try_to_free_pages(m, classzone, gfp_mask, order);
	trace_mm_vmscan_direct_reclaim_end(m, freed);
	if (tsk)
		task_clear_flags(tsk, PF_MEMALLOC);
	drain_local_pages();
	page = get_page_from_zonelist(zonelist, order, gfp_mask, WMARK_MIN, nodemask, classzone);
	if (page)
		return page;
	/* Large orders do not loop; order <= 3 retry while reclaim makes progress. */
	if (order > 3)
		return NULL;
	if (freed && ++retries <= MAX_RECLAIM_RETRIES)
		goto rebalance;
	/*
	 * No progress: the OOM killer frees a victim's memory, then we try
	 * again, a bounded number of times (2.4 looped forever).
	 */
	if (m->reclaim.out_of_memory && oom_kills++ < MAX_OOM_KILLS &&
	    m->reclaim.out_of_memory(m, gfp_mask, order)) {
		retries = 0;
		goto rebalance;
	}
	return NULL;
}

struct page *__alloc_pages(gfp_t gfp_mask, unsigned int order, zonelist_t *zonelist)
{
	return __alloc_pages_nodemask(gfp_mask, order, zonelist, NULL);
}

struct page *alloc_pages_node(int nid, gfp_t gfp_mask, unsigned int order)
{
	struct machine *m = this_machine();

	if (nid < 0 || nid >= m->nr_nodes)
		nid = this_cpu()->node;
	return __alloc_pages(gfp_mask, order,
			     &m->node_data[nid].node_zonelists[gfp_mask & GFP_ZONEMASK]);
}

/*
 * alloc_pages - the common case first: an order-0 page from this CPU's
 * list of the preferred zone, above its low watermark, with no fault
 * injection armed.  Anything else takes the full __alloc_pages path.
 */
struct page *alloc_pages(gfp_t gfp_mask, unsigned int order)
{
	struct sim_cpu *cpu = this_cpu();
	zonelist_t *zl = &cpu->zonelists[gfp_mask & GFP_ZONEMASK];

	/* a memory policy, or 2.4's round robin: mm/mempolicy.c */
	if (unlikely(cpu->numa_rr || (cpu->curr && cpu->curr->mempolicy.mode)))
		return alloc_pages_current(gfp_mask, order);
	if (likely(order <= PAGE_ALLOC_COSTLY_ORDER)) {
		unsigned int i = gfp_mask & GFP_ZONEMASK;
		struct per_cpu_pages *pcp = cpu->first_pcp[i];

		if (likely(pcp->first[order] && !cpu->fail_page_alloc_armed)) {
			zone_t *z = cpu->first_zone[i];

			if (likely(zone_free_pages_state(z) + pcp->count >
				   (long)z->pages_low + (1L << order))) {
				struct page *page = pcp_pop(pcp, order);

				__count_vm_events(cpu, PGALLOC_DMA + z->idx, 1UL << order);
				zone_statistics(cpu, z, z);
				prep_new_page(page, order, gfp_mask);
				trace_mm_page_alloc(cpu->machine, page, order, gfp_mask);
				return page;
			}
		}
	}
	return __alloc_pages(gfp_mask, order, zl);
}

unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order)
{
	struct page *page = alloc_pages(gfp_mask & ~__GFP_HIGHMEM, order);

	if (!page)
		return 0;
	return (unsigned long)page_address(page);
}

unsigned long get_zeroed_page(gfp_t gfp_mask)
{
	return __get_free_pages(gfp_mask | __GFP_ZERO, 0);
}

/* --- freeing ------------------------------------------------------------------ */

/*
 * free_to_pcp - the common free: onto this CPU's list of the block's order
 * (the page's count is 0, it is off the LRU, its flags are reset here).
 */
static __always_inline void free_to_pcp(struct sim_cpu *cpu, zone_t *zone,
					struct page *page, unsigned int order)
{
	struct per_cpu_pages *pcp = &zone->pageset[cpu->id];
	const unsigned int keep = (1u << PG_highmem) | (1u << PG_poisoned);
	unsigned int flags = atomic_load_explicit(&page->flags, memory_order_relaxed);

	trace_mm_page_free(cpu->machine, page, order);

	/* count is 0: nobody else can see the page, plain stores suffice */
	if (unlikely(flags & ~keep))
		atomic_store_explicit(&page->flags, flags & keep, memory_order_relaxed);
	if (unlikely(page->private))
		page->private = 0;
	__count_vm_events(cpu, PGFREE, 1UL << order);
	pcp_push(pcp, order, page);
	if (unlikely(pcp->count >= pcp->high))
		free_pcppages_bulk(zone, pcp, pcp->batch);
}

static __noinline void __free_pages_ok(struct page *page, unsigned int order)
{
	zone_t *zone = page->zone;
	struct machine *m = zone->zone_pgdat->machine;

	if (PageLRU(page)) {
		BUG_ON_MSG(!m->reclaim.lru_cache_del,
			   "freeing pfn %lu still on an LRU list", page_to_pfn(page));
		m->reclaim.lru_cache_del(page);
	}
	if (DEBUG_VM) {
		if (page->order_hint != order)
			__bug(__FILE__, __LINE__,
				  "wrong order: pfn %lu allocated at order %u, freed at order %u",
				  page_to_pfn(page), page->order_hint, order);
		for (unsigned long i = 0; i < (1UL << order); i++) {
			check_free_page(page + i);
			poison_page(page + i);
		}
	}
	if (likely(order <= PAGE_ALLOC_COSTLY_ORDER && m->cfg.pcp)) {
		free_to_pcp(this_cpu(), zone, page, order);
		return;
	}
	atomic_store_explicit(&page->flags,
		atomic_load_explicit(&page->flags, memory_order_relaxed) &
		((1u << PG_highmem) | (1u << PG_poisoned)), memory_order_relaxed);
	page->private = 0;
	count_vm_events(PGFREE, 1UL << order);
	trace_mm_page_free(m, page, order);
	spin_lock(&zone->lock);
	__free_one_page(page, zone, order);
	spin_unlock(&zone->lock);
}

/*
 * __free_pages - drop a reference.  A page off the LRU whose count is 1 is
 * held by the caller alone: no one can take a new reference without
 * holding one (page tables, the page cache and the swap cache each hold
 * their own), so the last reference is dropped without an atomic
 * read-modify-write.  LRU pages can be found by reclaim, which takes
 * references under pagemap_lru_lock: they always take the atomic path.
 */
void __free_pages(struct page *page, unsigned int order)
{
	int old;

	if (likely(atomic_load_explicit(&page->_count, memory_order_relaxed) == 1 &&
		   !PageLRU(page))) {
		atomic_store_explicit(&page->_count, 0, memory_order_relaxed);
		if (!DEBUG_VM && likely(order <= PAGE_ALLOC_COSTLY_ORDER)) {
			struct sim_cpu *cpu = this_cpu();

			if (likely(cpu->pcp)) {
				free_to_pcp(cpu, page->zone, page, order);
				return;
			}
		}
		__free_pages_ok(page, order);
		return;
	}
	old = atomic_fetch_sub_explicit(&page->_count, 1, memory_order_acq_rel);

	if (likely(old == 1)) {
		__free_pages_ok(page, order);
		return;
	}
	if (unlikely(old <= 0)) {
		atomic_fetch_add(&page->_count, 1);
		bad_page(page, PageBuddy(page) ? "double free (page is already free)"
					       : "freeing a page whose count is already zero");
	}
}

/*
 * free_unref_page - free an order-0 page whose count the caller already
 * took to zero and which is off the LRU (release_pages).
 */
void free_unref_page(struct page *page)
{
	VM_BUG_ON_MSG(page_count(page) != 0 || PageLRU(page),
		      "free_unref_page: pfn %lu count %d lru %d", page_to_pfn(page),
		      page_count(page), PageLRU(page));
	if (!DEBUG_VM && likely(this_cpu()->pcp)) {
		free_to_pcp(this_cpu(), page->zone, page, 0);
		return;
	}
	__free_pages_ok(page, 0);
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		__free_pages(virt_to_page(this_machine(), (void *)addr), order);
}

void put_page(struct page *page)
{
	__free_pages(page, 0);
}

/*
 * Boot: give a block that was never allocated to the buddy lists; @zeroed
 * if its bytes are the untouched zeroes of fresh RAM.
 */
void __free_pages_bootmem(struct page *page, unsigned int order, bool zeroed);
void __free_pages_bootmem(struct page *page, unsigned int order, bool zeroed)
{
	zone_t *zone = page->zone;
	struct machine *m = zone->zone_pgdat->machine;

	for (unsigned long i = 0; i < (1UL << order); i++) {
		ClearPageReserved(page + i);
		if (zeroed)
			SetPageZeroed(page + i);
		set_page_count(page + i, 0);
	}
	zone->managed_pages += 1UL << order;
	if (is_highmem(zone))
		m->totalhigh_pages += 1UL << order;
	spin_lock(&zone->lock);
	__free_one_page(page, zone, order);
	spin_unlock(&zone->lock);
}

/* --- boot: zones, zonelists, watermarks --------------------------------------- */

/* 2.4.10's wait_table_size: one queue per PAGES_PER_WAITQUEUE pages, 4..4096. */
static unsigned long wait_table_size(unsigned long pages)
{
	unsigned long size = 1;

	pages /= PAGES_PER_WAITQUEUE;
	while (size < pages)
		size <<= 1;
	return size < 4 ? 4 : size > 4096 ? 4096 : size;
}

/*
 * The zone's page wait table.  Host memory (its queues are host mutexes,
 * as spinlocks are), so boot's page counts are those of 2.4 without it.
 */
static void zone_wait_table_init(zone_t *zone)
{
	unsigned long size = wait_table_size(zone->spanned_pages);

	zone->wait_table = calloc(size, sizeof(*zone->wait_table));
	BUG_ON_MSG(!zone->wait_table, "zone %s: no memory for a %lu-queue wait table",
		   zone->name, size);
	zone->wait_table_size = size;
	zone->wait_table_bits = (unsigned int)__builtin_ctzl(size);
	for (unsigned long i = 0; i < size; i++)
		init_waitqueue_head(&zone->wait_table[i]);
}

void free_area_fini(struct machine *m)
{
	for (int n = 0; n < m->nr_nodes; n++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			zone_t *zone = &m->node_data[n].node_zones[j];

			for (unsigned long i = 0; i < zone->wait_table_size; i++)
				destroy_waitqueue_head(&zone->wait_table[i]);
			free(zone->wait_table);
			zone->wait_table = NULL;
			zone->wait_table_size = 0;
		}
}

static void zone_init(pg_data_t *pgdat, enum zone_type j, unsigned long start,
		      unsigned long end)
{
	zone_t *zone = &pgdat->node_zones[j];

	zone->zone_pgdat = pgdat;
	zone->idx = j;
	zone->name = zone_names[j];
	zone->zone_start_pfn = start;
	zone->spanned_pages = end > start ? end - start : 0;
	zone->present_pages = zone->spanned_pages;
	zone->zone_mem_map = pgdat->node_mem_map + (start - pgdat->node_start_pfn);
	spin_lock_init(&zone->lock);
	zone_wait_table_init(zone);
	for (int o = 0; o < MAX_ORDER; o++) {
		INIT_LIST_HEAD(&zone->free_area[o].free_list);
		zone->free_area[o].nr_free = 0;
	}
	for (int c = 0; c < NR_CPUS; c++)
		for (int o = 0; o < NR_PCP_LISTS; o++)
			zone->pageset[c].first[o] = NULL;
	for (unsigned long pfn = start; pfn < end; pfn++) {
		struct page *page = zone->zone_mem_map + (pfn - start);

		atomic_init(&page->flags, (1u << PG_reserved) |
			    (j == ZONE_HIGHMEM ? (1u << PG_highmem) : 0));
		atomic_init(&page->_count, 1);
		atomic_init(&page->_mapcount, -1);
		INIT_LIST_HEAD(&page->lru);
		page->zone = zone;
	}
}

/*
 * free_area_init - each node's zones over its range (setup_node_layout):
 * DMA below 16 MiB, NORMAL up to max_low_pfn, HIGHMEM above it.  Every
 * frame starts reserved; bootmem frees the rest.
 */
void free_area_init(struct machine *m)
{
	unsigned long bounds[MAX_NR_ZONES + 1] = { 0, DMA_END_PFN, m->max_low_pfn, m->max_pfn };

	for (int n = 0; n < m->nr_nodes; n++) {
		pg_data_t *pgdat = &m->node_data[n];
		unsigned long start = pgdat->node_start_pfn;
		unsigned long end = start + pgdat->node_spanned_pages;

		pgdat->nr_zones = 0;
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			unsigned long zs = max(start, bounds[j]), ze = min(end, bounds[j + 1]);

			zone_init(pgdat, (enum zone_type)j, zs, max(zs, ze));
			if (ze > zs)
				pgdat->nr_zones = j + 1;
		}
	}
}

static bool node_has_cpus(struct machine *m, int nid)
{
	for (int c = 0; c < m->nr_cpus; c++)
		if (m->cpu[c].node == nid)
			return true;
	return false;
}

/*
 * find_next_best_node - Linux's: the node itself first, then the nearest
 * unused node, a lower number or a node with CPUs costing a little more,
 * and node_load spreading the nodes' fallbacks over equally far nodes.
 */
static int find_next_best_node(struct machine *m, int node, unsigned long *used,
			       unsigned int *node_load)
{
	int best = -1;
	long min_val = __LONG_MAX__;

	if (!(*used & (1UL << node))) {
		*used |= 1UL << node;
		return node;
	}
	for (int n = 0; n < m->nr_nodes; n++) {
		long val;

		if (*used & (1UL << n))
			continue;
		val = node_distance(node, n) + (n < node) + node_has_cpus(m, n);
		val = val * MAX_NUMNODES * m->nr_nodes + node_load[n];
		if (val < min_val) {
			min_val = val;
			best = n;
		}
	}
	if (best >= 0)
		*used |= 1UL << best;
	return best;
}

/* The zonelists of one node: its nodes by distance, each node's zones high to low. */
static void build_zonelists(struct machine *m, pg_data_t *pgdat, unsigned int *node_load)
{
	int order[MAX_NUMNODES], nr = 0, node, prev = pgdat->node_id;
	unsigned int load = (unsigned int)m->nr_nodes;
	unsigned long used = 0;

	while ((node = find_next_best_node(m, pgdat->node_id, &used, node_load)) >= 0) {
		if (node_distance(pgdat->node_id, node) != node_distance(pgdat->node_id, prev))
			node_load[node] += load;
		order[nr++] = node;
		prev = node;
		load--;
	}
	for (int i = 0; i < (int)NR_GFPINDEX; i++) {
		zonelist_t *zl = &pgdat->node_zonelists[i];
		int k = ZONE_NORMAL, nz = 0;

		if (i & __GFP_HIGHMEM)
			k = ZONE_HIGHMEM;
		if (i & __GFP_DMA)
			k = ZONE_DMA;
		for (int d = 0; d < nr; d++) {
			pg_data_t *p = &m->node_data[order[d]];

			for (int j = k; j >= 0; j--)
				if (p->node_zones[j].managed_pages)
					zl->zones[nz++] = &p->node_zones[j];
		}
		zl->zones[nz] = NULL;
	}
}

/*
 * build_all_zonelists - for each node and GFP zone modifier, the zones to
 * try in order: the highest zone the caller accepts first, falling back
 * to lower zones on the same node, then the same on the other nodes by
 * distance (Linux's node-ordered zonelists).
 */
void build_all_zonelists(struct machine *m)
{
	unsigned int node_load[MAX_NUMNODES] = { 0 };

	for (int n = 0; n < m->nr_nodes; n++)
		build_zonelists(m, &m->node_data[n], node_load);
	for (int c = 0; c < m->nr_cpus; c++) {
		struct sim_cpu *cpu = &m->cpu[c];

		for (int i = 0; i < (int)NR_GFPINDEX; i++) {
			zone_t *z = cpu->zonelists[i].zones[0];

			BUG_ON_MSG(!z, "cpu %d: empty zonelist for GFP zone modifier %#x", c, i);
			cpu->first_zone[i] = z;
			cpu->first_pcp[i] = z ? &z->pageset[c] : NULL;
		}
	}
}

static unsigned long rounddown_pow_of_two(unsigned long n)
{
	return n ? 1UL << (63 - __builtin_clzl(n)) : 0;
}

/* Per-CPU list sizes as Linux 2.6's zone_batchsize(): ~1/4 MiB batches. */
static void setup_pageset(zone_t *zone)
{
	unsigned long batch = zone->managed_pages / 1024;

	if (batch * PAGE_SIZE > 512 * 1024)
		batch = (512 * 1024) / PAGE_SIZE;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	batch = rounddown_pow_of_two(batch + batch / 2) - 1;
	if (batch < 1)
		batch = 1;
	for (int c = 0; c < NR_CPUS; c++) {
		__atomic_store_n(&zone->pageset[c].count, 0, __ATOMIC_RELAXED);
		zone->pageset[c].batch = (int)batch;
		/* room for a few blocks of every cached order */
		zone->pageset[c].high = (int)max(6 * batch, 4UL << PAGE_ALLOC_COSTLY_ORDER);
	}
}

/* Watermarks as Linux 2.4 computes them; per-CPU list sizes. */
void setup_per_zone_pages_min(struct machine *m)
{
	for (int n = 0; n < m->nr_nodes; n++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			zone_t *zone = &m->node_data[n].node_zones[j];
			unsigned long mask = zone->managed_pages / zone_balance_ratio[j];

			if (!zone->managed_pages)
				continue;
			if (mask < zone_balance_min[j])
				mask = zone_balance_min[j];
			else if (mask > zone_balance_max[j])
				mask = zone_balance_max[j];
			zone->pages_min = mask;
			zone->pages_low = mask * 2;
			zone->pages_high = mask * 3;
			setup_pageset(zone);
		}
}

/* --- queries and validators ------------------------------------------------------- */

unsigned long zone_free_pages(zone_t *zone)
{
	long n = zone_page_state(zone, NR_FREE_PAGES);

	for (int c = 0; c < zone->zone_pgdat->machine->nr_cpus; c++)
		n += pcp_count(&zone->pageset[c]);
	return (unsigned long)n;
}

unsigned long nr_free_pages(struct machine *m)
{
	return global_page_state(m, NR_FREE_PAGES);
}

unsigned long nr_free_highpages(struct machine *m)
{
	unsigned long n = 0;

	for (int i = 0; i < m->nr_nodes; i++)
		n += (unsigned long)zone_page_state(&m->node_data[i].node_zones[ZONE_HIGHMEM],
						    NR_FREE_PAGES);
	return n;
}

/*
 * free_area_is_valid - every list holds aligned PG_buddy heads of its
 * order, counts agree with NR_FREE_PAGES, every PG_buddy page is on a
 * list, and no two free buddies were left unmerged.  BUGs naming the pfn.
 */
bool free_area_is_valid(zone_t *zone)
{
	unsigned long total = 0, heads = 0;

	spin_lock(&zone->lock);
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		unsigned long n = 0;
		struct page *page;

		list_for_each_entry(page, &zone->free_area[o].free_list, lru) {
			unsigned long idx = zone_idx_of(zone, page);

			BUG_ON_MSG(page->zone != zone, "free pfn %lu on zone %s's list is in zone %s",
				   page_to_pfn(page), zone->name, page->zone->name);
			BUG_ON_MSG(!PageBuddy(page) || page->private != o,
				   "pfn %lu on order-%u free list: buddy %d order %lu",
				   page_to_pfn(page), o, PageBuddy(page), page->private);
			BUG_ON_MSG(idx & ((1UL << o) - 1), "pfn %lu misaligned for order %u",
				   page_to_pfn(page), o);
			BUG_ON_MSG(page_count(page) != 0, "free pfn %lu has count %d",
				   page_to_pfn(page), page_count(page));
			if (o < MAX_ORDER - 1) {
				unsigned long b = idx ^ (1UL << o);
				if (b < zone->spanned_pages) {
					struct page *buddy = zone->zone_mem_map + b;
					BUG_ON_MSG(PageBuddy(buddy) && buddy->private == o,
						   "pfn %lu and its buddy pfn %lu both free at order %u",
						   page_to_pfn(page), page_to_pfn(buddy), o);
				}
			}
			n++;
		}
		BUG_ON_MSG(n != zone->free_area[o].nr_free,
			   "zone %s order %u: %lu blocks on list, nr_free %lu",
			   zone->name, o, n, zone->free_area[o].nr_free);
		total += n << o;
		heads += n;
	}
	BUG_ON_MSG((long)total != zone_page_state(zone, NR_FREE_PAGES),
		   "zone %s: %lu free pages on lists, NR_FREE_PAGES %ld",
		   zone->name, total, zone_page_state(zone, NR_FREE_PAGES));
	for (unsigned long i = 0; i < zone->spanned_pages; i++)
		if (PageBuddy(zone->zone_mem_map + i))
			heads--;
	BUG_ON_MSG(heads != 0, "zone %s: PG_buddy pages not on free lists", zone->name);
	spin_unlock(&zone->lock);
	return true;
}

bool machine_free_areas_valid(struct machine *m)
{
	for (int n = 0; n < m->nr_nodes; n++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			if (!free_area_is_valid(&m->node_data[n].node_zones[j]))
				return false;
	return true;
}

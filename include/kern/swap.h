/*
 * The LRU lists (mm/swap.c) every user and page-cache page lives on from
 * the moment it is mapped or cached, and the aging that reclaim relies on.
 * Two designs, chosen per machine (cfg.reclaim):
 *   2.4.10+  active and inactive lists; a page is added inactive and
 *            promoted by mark_page_accessed() on its second reference;
 *   2.4.0    active, inactive_dirty and inactive_clean lists; a page is
 *            added active with age PAGE_AGE_START, aged up on reference
 *            and down by the scanner (age_page_down).
 * All lists and counters are protected by pagemap_lru_lock.
 */
#ifndef KERN_SWAP_H
#define KERN_SWAP_H

#include "kern/mm.h"

#define PAGE_AGE_START	2
#define PAGE_AGE_ADV	3
#define PAGE_AGE_MAX	64

struct lru_state {
	spinlock_t pagemap_lru_lock;
	struct list_head active_list;
	struct list_head inactive_list;		/* 2.4.10: inactive; 2.4.0: inactive_dirty */
	struct list_head inactive_clean_list;	/* 2.4.0 only */
	unsigned long nr_active_pages;
	unsigned long nr_inactive_pages;	/* 2.4.0: inactive_dirty */
	unsigned long nr_inactive_clean_pages;
};

void lru_init(struct machine *m);
/* Put a page (count held by the caller) on the LRU. */
void lru_cache_add(struct page *page);
/* Take it off again (pagemap_lru_lock taken here). */
void lru_cache_del(struct page *page);
/* Move to the active list (lock taken here). */
void activate_page(struct page *page);
/* A reference: 2.4.10 promotes on the second one, 2.4.0 ages the page up. */
void mark_page_accessed(struct page *page);
/* 2.4.0 aging by the scanner (pagemap_lru_lock held). */
void age_page_up(struct page *page);
void age_page_down(struct page *page);
/* 2.4.0: move a page to the inactive_dirty or inactive_clean list (lock held). */
void deactivate_page_nolock(struct page *page);
/* Lists and counters agree (lock taken here); BUG naming the pfn if not. */
bool lru_is_valid(struct machine *m);

#endif

/*
 * A word per frame that a reference policy keeps for each page (the
 * simulator's host memory, in m->reclaim_private), and the isolate that
 * names the pages with the smallest words: exact LRU stamps each access
 * with a clock (mm/reclaim_lru.c), OPT with the negated time of the page's
 * next use (mm/reclaim_opt.c).  Written without a lock (relaxed atomics:
 * an access may come from any CPU); the isolate holds pagemap_lru_lock.
 */
#ifndef MM_RECLAIM_STAMPS_H
#define MM_RECLAIM_STAMPS_H

#include "kern/reclaim_policy.h"

int page_stamps_init(struct machine *m);
void page_stamps_exit(struct machine *m);
/* @page's word becomes @v. */
void page_stamp_set(struct machine *m, struct page *page, unsigned long v);
/* The @nr pages of @classzone on the inactive list with the smallest words. */
unsigned int page_stamps_isolate(struct machine *m, zone_t *classzone, unsigned int priority,
				 struct page **pages, unsigned int nr);

#endif

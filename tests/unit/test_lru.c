/*
 * Tests of the LRU lists and aging (mm/swap.c), both designs.
 */
#include "testlib.h"
#include <stdlib.h>
#include "kern/swap.h"

static struct page *user_page(bool anon)
{
	struct page *p = alloc_page(GFP_HIGHUSER);

	ASSERT_NOT_NULL(p);
	if (anon)
		SetPageSwapBacked(p);
	lru_cache_add(p);
	return p;
}

static void release(struct page *p)
{
	put_page(p);	/* last reference: the allocator takes it off the LRU */
}

TEST(lru_2410_add_inactive_promote_on_second_reference)
{
	struct machine *m = test_boot("ram=64M");
	struct page *p = user_page(true);

	ASSERT(PageLRU(p));
	ASSERT(!PageActive(p));
	ASSERT_EQ(m->lru->nr_inactive_pages, 1);
	ASSERT_EQ(global_page_state(m, NR_ZONE_INACTIVE_ANON), 1);
	mark_page_accessed(p);
	ASSERT(!PageActive(p));
	ASSERT(PageReferenced(p));
	mark_page_accessed(p);
	ASSERT(PageActive(p));
	ASSERT_EQ(m->lru->nr_active_pages, 1);
	ASSERT_EQ(global_page_state(m, NR_ZONE_ACTIVE_ANON), 1);
	ASSERT_EQ(global_page_state(m, NR_ZONE_INACTIVE_ANON), 0);
	ASSERT_EQ(sum_vm_event(m, PGACTIVATE), 1);
	ASSERT(lru_is_valid(m));
	release(p);
	ASSERT_EQ(m->lru->nr_active_pages, 0);
	ASSERT_EQ(global_page_state(m, NR_ZONE_ACTIVE_ANON), 0);
	ASSERT(lru_is_valid(m));
	test_shutdown(m);
}

TEST(lru_240_active_with_age_then_deactivate)
{
	struct machine *m = test_boot("ram=64M reclaim=2.4.0");
	struct page *clean = user_page(false), *dirty = user_page(false);

	ASSERT(PageActive(clean));
	ASSERT_EQ(clean->age, PAGE_AGE_START);
	mark_page_accessed(clean);
	ASSERT_EQ(clean->age, PAGE_AGE_START + PAGE_AGE_ADV);
	for (int i = 0; i < 40; i++)
		age_page_up(clean);
	ASSERT_EQ(clean->age, PAGE_AGE_MAX);
	age_page_down(clean);
	ASSERT_EQ(clean->age, PAGE_AGE_MAX / 2);
	SetPageDirty(dirty);
	spin_lock(&m->lru->pagemap_lru_lock);
	deactivate_page_nolock(clean);
	deactivate_page_nolock(dirty);
	spin_unlock(&m->lru->pagemap_lru_lock);
	ASSERT(PageInactiveClean(clean));
	ASSERT(PageInactiveDirty(dirty));
	ASSERT_EQ(m->lru->nr_inactive_clean_pages, 1);
	ASSERT_EQ(m->lru->nr_inactive_pages, 1);
	ASSERT_EQ(clean->zone->inactive_clean_pages, 1);
	ASSERT(lru_is_valid(m));
	ClearPageDirty(dirty);
	release(clean);
	release(dirty);
	ASSERT_EQ(m->lru->nr_inactive_clean_pages + m->lru->nr_inactive_pages, 0);
	test_shutdown(m);
}

TEST(lru_file_and_anon_counted_apart)
{
	struct machine *m = test_boot("ram=64M");
	struct page *a = user_page(true), *f = user_page(false);
	char *mi;

	ASSERT_EQ(global_page_state(m, NR_ZONE_INACTIVE_ANON), 1);
	ASSERT_EQ(global_page_state(m, NR_ZONE_INACTIVE_FILE), 1);
	mi = vmsim_proc_read(m, "meminfo");
	ASSERT_CONTAINS(mi, "Inactive(anon):        4 kB\n");
	ASSERT_CONTAINS(mi, "Inactive(file):        4 kB\n");
	free(mi);
	release(a);
	release(f);
	test_shutdown(m);
}

TEST(lru_double_add_is_a_bug)
{
	struct machine *m = test_boot("ram=64M");
	struct page *p = user_page(true);

	EXPECT_BUG(lru_cache_add(p), "already on the LRU");
	test_discard(m);
}

/*
 * The page lock and the zones' page wait tables (mm/filemap.c, 2.4.10's
 * page_waitqueue): a task waiting for a locked page sleeps on the queue
 * its page hashes to and wakes when the page is unlocked; pages sharing a
 * queue wake each other without harm; no wake-up is lost (the stress test
 * runs under TSan).
 */
#include <pthread.h>
#include <unistd.h>
#include "unit/testlib.h"
#include "kern/pagemap.h"

TEST(page_lock_wait_table_sized_as_2_4)
{
	struct machine *m = test_boot("ram=64M");
	zone_t *normal = &m->node_data[0].node_zones[ZONE_NORMAL];
	zone_t *dma = &m->node_data[0].node_zones[ZONE_DMA];

	/* 64 MiB: NORMAL spans 12288 pages -> 48 queues -> 64; DMA 4096 -> 16 */
	ASSERT_EQ(normal->wait_table_size, 64);
	ASSERT_EQ(normal->wait_table_bits, 6);
	ASSERT_EQ(dma->wait_table_size, 16);
	test_shutdown(m);
}

struct holder {
	struct machine *m;
	struct page *page;
	atomic_int phase;	/* 1: locked, 3: done */
	atomic_int unlocked;
	atomic_int saw_waiter;	/* the other CPU was asleep on the page's queue */
};

static void *hold_then_unlock(void *arg)
{
	struct holder *h = arg;

	vmsim_cpu_attach(h->m, 1);
	lock_page(h->page);
	atomic_store(&h->phase, 1);
	/* let the other CPU go to sleep on the page */
	for (int i = 0; i < 100000 && !atomic_load(&page_waitqueue_of(h->page)->waiters); i++)
		usleep(100);
	atomic_store(&h->saw_waiter, atomic_load(&page_waitqueue_of(h->page)->waiters) > 0);
	atomic_store(&h->unlocked, 1);
	unlock_page(h->page);
	atomic_store(&h->phase, 3);
	vmsim_cpu_detach();
	return NULL;
}

TEST(page_lock_waiter_sleeps_until_unlock)
{
	struct machine *m = test_boot("ram=32M cpus=2");
	struct holder h = { .m = m };
	pthread_t th;

	h.page = alloc_page(GFP_KERNEL);
	ASSERT_NOT_NULL(h.page);
	ASSERT_EQ(pthread_create(&th, NULL, hold_then_unlock, &h), 0);
	while (atomic_load(&h.phase) < 1)
		sched_yield();
	lock_page(h.page);		/* sleeps until CPU 1 unlocks */
	ASSERT_EQ(atomic_load(&h.unlocked), 1);
	ASSERT_EQ(atomic_load(&h.saw_waiter), 1);
	ASSERT_EQ(atomic_load(&page_waitqueue_of(h.page)->waiters), 0);
	unlock_page(h.page);
	pthread_join(th, NULL);
	__free_page(h.page);
	test_shutdown(m);
}

/* Two CPUs lock and unlock pages that share queues, over and over. */
struct churn {
	struct machine *m;
	struct page *pages;
	int nr, cpu;
	long *counter;		/* incremented under the page lock of page 0 */
};

static void *churn_locks(void *arg)
{
	struct churn *c = arg;

	vmsim_cpu_attach(c->m, c->cpu);
	for (int i = 0; i < 20000; i++) {
		struct page *page = &c->pages[(i * 7 + c->cpu) % c->nr];

		lock_page(page);
		if (page == &c->pages[0])
			(*c->counter)++;
		unlock_page(page);
	}
	vmsim_cpu_detach();
	return NULL;
}

TEST(page_lock_stress_two_cpus_shared_queues)
{
	struct machine *m = test_boot("ram=32M cpus=2");
	struct page *pages = alloc_pages(GFP_KERNEL, 4);	/* 16 pages, few queues */
	long counter = 0;
	struct churn a = { m, pages, 16, 0, &counter }, b = { m, pages, 16, 1, &counter };
	pthread_t ta, tb;

	ASSERT_NOT_NULL(pages);
	ASSERT_EQ(pthread_create(&ta, NULL, churn_locks, &a), 0);
	ASSERT_EQ(pthread_create(&tb, NULL, churn_locks, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	/* page 0 is taken when (i * 7 + cpu) % 16 == 0: 1250 times by each */
	ASSERT_EQ(counter, 2500);
	for (int i = 0; i < 16; i++) {
		ASSERT(!PageLocked(&pages[i]));
		ASSERT_EQ(atomic_load(&page_waitqueue_of(&pages[i])->waiters), 0);
	}
	__free_pages(pages, 4);
	test_shutdown(m);
}

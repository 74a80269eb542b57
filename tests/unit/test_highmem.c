/*
 * HIGHMEM tests: kmap of every HIGHMEM page a machine hands out (written
 * through kmap, read back through kmap_atomic), the pkmap area seen
 * through the MMU, reuse, wrap and flush, the one-CPU full-area BUG,
 * kmap_atomic slots per CPU, page_address through the hash and its debug
 * check, HIGHMEM PTE tables through fork and COW, and the x86-64 layout
 * where kmap is page_address.
 */
#include <stdlib.h>
#include "testlib.h"
#include "kern/highmem.h"
#include "kern/vmalloc.h"
#include "kern/mmu.h"
#include "kern/printk.h"
#include "vmsim/process.h"

static uint64_t word_of(unsigned long pfn, unsigned int w)
{
	return ((uint64_t)pfn << 20) ^ w ^ 0xa5a5000000000000ULL;
}

TEST(highmem_kmap_every_page)
{
	struct machine *m = test_boot("ram=1G paging=i386");
	unsigned long nhigh = m->max_pfn - m->highstart_pfn, got = 0;
	struct page **pages = calloc(nhigh, sizeof(*pages));
	struct pkmap_state *ps = m->pkmap;
	unsigned long flushes0 = ps->nr_flushes;

	ASSERT_EQ(nhigh, 32768);
	ASSERT_EQ(ps->last_pkmap, 1024);
	/* take every HIGHMEM page the allocator will give (the zone's reserve stays) */
	for (;;) {
		struct page *p = alloc_page(GFP_HIGHUSER | __GFP_HIGH);

		if (!p)
			break;
		if (!PageHighMemPfn(p)) {
			__free_page(p);
			break;
		}
		pages[got++] = p;
	}
	machine_drain(m);
	ASSERT_CMP(got + nr_free_highpages(m), <=, m->totalhigh_pages);
	ASSERT_CMP(got, >=, m->totalhigh_pages - 1024);	/* the zone keeps its reserve */
	/* every HIGHMEM frame, free or not, kmapped and read through the MMU at its pkmap address */
	for (unsigned long pfn = m->highstart_pfn; pfn < m->max_pfn; pfn++) {
		struct page *p = pfn_to_page(m, pfn);
		uint64_t *k = kmap(p), v = 0;

		ASSERT_EQ(vread(&v, kmap_vaddr(p) + 8 * 77, 8), 8);
		ASSERT_EQ(v, k[77]);
		kunmap(p);
	}
	for (unsigned long i = 0; i < got; i++) {
		unsigned long pfn = page_to_pfn(pages[i]);
		uint64_t *k = kmap(pages[i]);

		ASSERT(k == page_address(pages[i]));
		ASSERT_NE(kmap_vaddr(pages[i]), 0);
		for (unsigned int w = 0; w < PAGE_SIZE / 8; w += 61)
			k[w] = word_of(pfn, w);
		kunmap(pages[i]);
	}
	/* 32 wraps of the cursor, a flush each */
	ASSERT_CMP(ps->nr_flushes - flushes0, >=, got / 1024 - 1);
	ASSERT(pkmap_is_valid(m));
	for (unsigned long i = 0; i < got; i++) {
		unsigned long pfn = page_to_pfn(pages[i]);
		uint64_t *k = kmap_atomic(pages[i], KM_USER0);

		for (unsigned int w = 0; w < PAGE_SIZE / 8; w += 61)
			ASSERT_EQ(k[w], word_of(pfn, w));
		kunmap_atomic(k, KM_USER0);
		__free_page(pages[i]);
	}
	free(pages);
	test_shutdown(m);
}

/* Many kmaps held at once: distinct pkmap addresses, each reading its page through the MMU. */
TEST(highmem_kmap_seen_through_mmu)
{
	struct machine *m = test_boot("ram=1G paging=pae");
	enum { N = 300 };
	struct page *pages[N];
	unsigned long vaddr[N];

	ASSERT_EQ(m->pkmap->last_pkmap, 512);
	for (int i = 0; i < N; i++) {
		uint64_t *k;

		pages[i] = alloc_page(GFP_HIGHUSER);
		ASSERT(PageHighMemPfn(pages[i]));
		k = kmap(pages[i]);
		k[3] = word_of(page_to_pfn(pages[i]), 3);
		vaddr[i] = kmap_vaddr(pages[i]);
		ASSERT(vaddr[i] >= PKMAP_BASE && vaddr[i] < PKMAP_ADDR(512));
		for (int j = 0; j < i; j++)
			ASSERT_NE(vaddr[i], vaddr[j]);
	}
	/* a second kmap of a mapped page shares the entry */
	ASSERT(kmap(pages[5]) == page_address(pages[5]));
	ASSERT_EQ(kmap_vaddr(pages[5]), vaddr[5]);
	kunmap(pages[5]);
	for (int i = 0; i < N; i++) {
		uint64_t v = 0;

		ASSERT_EQ(vread(&v, vaddr[i] + 24, 8), 8);
		ASSERT_EQ(v, word_of(page_to_pfn(pages[i]), 3));
	}
	ASSERT(pkmap_is_valid(m));
	for (int i = 0; i < N; i++) {
		kunmap(pages[i]);
		__free_page(pages[i]);
	}
	test_shutdown(m);
}

TEST(highmem_pkmap_reuse_wrap_and_flush)
{
	struct machine *m = test_boot("ram=1G paging=i386");
	struct pkmap_state *ps = m->pkmap;
	struct page *a = alloc_page(GFP_HIGHUSER), *b = alloc_page(GFP_HIGHUSER);
	unsigned long va, flushes0, oops0;
	uint64_t v;

	ASSERT(PageHighMemPfn(a) && PageHighMemPfn(b));
	*(uint64_t *)kmap(a) = 0x1111;
	va = kmap_vaddr(a);
	kunmap(a);
	/* unmapped but not flushed: still in the hash, the PTE still there (count 1) */
	ASSERT_EQ(kmap_vaddr(a), va);
	ASSERT_EQ(ps->pkmap_count[PKMAP_NR(va)], 1);
	ASSERT_EQ(vread(&v, va, 8), 8);		/* and cached in this CPU's TLB */
	ASSERT_EQ(v, 0x1111);
	/* mapping it again finds the same entry */
	kmap(a);
	ASSERT_EQ(kmap_vaddr(a), va);
	kunmap(a);
	/* go round the whole area with b: the wrap flushes a's stale entry */
	flushes0 = ps->nr_flushes;
	for (unsigned int i = 0; i < ps->last_pkmap; i++) {
		kmap(b);
		kunmap(b);
	}
	ASSERT_EQ(ps->nr_flushes, flushes0);	/* b keeps its own entry: no wrap */
	{
		struct page *more[1100];

		for (int i = 0; i < 1100; i++) {
			more[i] = alloc_page(GFP_HIGHUSER);
			kmap(more[i]);
			kunmap(more[i]);
		}
		for (int i = 0; i < 1100; i++)
			__free_page(more[i]);
	}
	ASSERT_CMP(ps->nr_flushes, >, flushes0);
	ASSERT_EQ(kmap_vaddr(a), 0);
	ASSERT_NULL(highmem_page_address_or_null(a));
	/* the old address no longer reaches a through the MMU (TLB flushed too) */
	oops0 = atomic_load(&m->vmalloc->oopses);
	if (ps->pkmap_count[PKMAP_NR(va)] == 0) {
		ASSERT_EQ(vread(&v, va, 8), 0);
		ASSERT_EQ(atomic_load(&m->vmalloc->oopses), oops0 + 1);
	}
	ASSERT(pkmap_is_valid(m));
	__free_page(a);
	__free_page(b);
	test_shutdown(m);
}

TEST(highmem_pkmap_full_is_a_bug_on_one_cpu)
{
	struct machine *m = test_boot("ram=1G paging=i386");
	unsigned int n = m->pkmap->last_pkmap;
	struct page **pages = calloc(n + 1, sizeof(*pages));

	for (unsigned int i = 0; i <= n; i++)
		pages[i] = alloc_page(GFP_HIGHUSER);
	for (unsigned int i = 0; i < n; i++)
		kmap(pages[i]);
	ASSERT_EQ(m->pkmap->nr_waits, 0);
	EXPECT_BUG(kmap(pages[n]), "pkmap entries in use");
	/* the BUG left kmap_lock held: the machine is not used again */
	free(pages);
	test_discard(m);
}

TEST(highmem_kmap_atomic_slots_per_cpu)
{
	struct machine *m = test_boot("ram=1G paging=i386 cpus=2");
	struct page *p0 = alloc_page(GFP_HIGHUSER), *p1 = alloc_page(GFP_HIGHUSER);
	struct page *low = alloc_page(GFP_KERNEL);
	unsigned long va0 = kmap_atomic_vaddr(0, KM_USER0), va1 = kmap_atomic_vaddr(1, KM_USER0);
	uint64_t *k0, *k1, v;

	ASSERT(va0 >= FIXADDR_START && va0 < FIXADDR_TOP);
	ASSERT_EQ(va0 - va1, KM_TYPE_NR * PAGE_SIZE);
	/* CPU 0 and CPU 1 use the same type at once */
	k0 = kmap_atomic(p0, KM_USER0);
	*k0 = 0xc0;
	vmsim_cpu_attach(m, 1);
	k1 = kmap_atomic(p1, KM_USER0);
	*k1 = 0xc1;
	ASSERT_EQ(vread(&v, va1, 8), 8);
	ASSERT_EQ(v, 0xc1);
	/* a second mapping into a busy slot is a BUG naming both pages */
	EXPECT_BUG(kmap_atomic(p0, KM_USER0), "slot");
	kunmap_atomic(k1, KM_USER0);
	ASSERT_EQ(vread(&v, va1, 8), 0);	/* unmapped: an oops, no abort */
	vmsim_cpu_attach(m, 0);
	ASSERT_EQ(vread(&v, va0, 8), 8);
	ASSERT_EQ(v, 0xc0);
	/* the other types are free: nesting */
	k1 = kmap_atomic(p1, KM_USER1);
	ASSERT_EQ(*k1, 0xc1);
	kunmap_atomic(k1, KM_USER1);
	kunmap_atomic(k0, KM_USER0);
	/* unmapping the wrong page or an empty slot is caught */
	EXPECT_BUG(kunmap_atomic(k0, KM_USER0), "maps nothing");
	/* lowmem pages take no slot */
	ASSERT(kmap_atomic(low, KM_USER0) == page_address(low));
	kunmap_atomic(page_address(low), KM_USER0);
	ASSERT_NULL(((struct kmap_atomic_cpu *)this_cpu()->kmap_atomic_slots)->page[KM_USER0]);
	__free_page(p0);
	__free_page(p1);
	__free_page(low);
	test_shutdown(m);
}

TEST(highmem_page_address_and_helpers)
{
	struct machine *m = test_boot("ram=1G paging=i386");
	struct page *h = alloc_page(GFP_HIGHUSER), *h2 = alloc_page(GFP_HIGHUSER);
	uint8_t buf[100], out[100];
	void *k;

	ASSERT_NULL(highmem_page_address_or_null(h));
	EXPECT_BUG(page_address(h), "has no kmap");
	k = kmap(h);
	ASSERT(page_address(h) == k);
	kunmap(h);
	for (int i = 0; i < 100; i++)
		buf[i] = (uint8_t)(i * 3);
	memcpy_to_page(h, PAGE_SIZE - 100, buf, 100);
	copy_highpage(h2, h);
	memcpy_from_page(out, h2, PAGE_SIZE - 100, 100);
	ASSERT_MEMEQ(out, buf, 100);
	clear_highpage(h2);
	memcpy_from_page(out, h2, PAGE_SIZE - 100, 100);
	for (int i = 0; i < 100; i++)
		ASSERT_EQ(out[i], 0);
	EXPECT_BUG(memcpy_to_page(h, PAGE_SIZE - 10, buf, 11), "outside the page");
	__free_page(h);
	__free_page(h2);
	test_shutdown(m);
}

/* Processes on a HIGHMEM machine: user pages and PTE tables in HIGHMEM, through fork and COW. */
TEST(highmem_processes_fork_cow)
{
	struct machine *m = test_boot("ram=1G paging=i386");
	int pid = vmsim_spawn(m), child;
	unsigned long len = 16UL << 20;
	long a = vmsim_mmap(m, pid, 0, len, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, -1, 0);
	uint64_t v;

	ASSERT(pid > 0);
	ASSERT(a > 0);
	for (unsigned long off = 0; off < len; off += PAGE_SIZE)
		ASSERT_EQ(vmsim_store64(m, pid, (unsigned long)a + off, off ^ 0x77), 0);
	ASSERT_CMP(m->totalhigh_pages - nr_free_highpages(m), >=, len / PAGE_SIZE);
	child = vmsim_fork(m, pid);
	ASSERT(child > 0);
	for (unsigned long off = 0; off < len; off += 64 * PAGE_SIZE)
		ASSERT_EQ(vmsim_store64(m, child, (unsigned long)a + off + 8, off), 0);
	for (unsigned long off = 0; off < len; off += 64 * PAGE_SIZE) {
		ASSERT_EQ(vmsim_load64(m, pid, (unsigned long)a + off, &v), 0);
		ASSERT_EQ(v, off ^ 0x77);
		ASSERT_EQ(vmsim_load64(m, child, (unsigned long)a + off, &v), 0);
		ASSERT_EQ(v, off ^ 0x77);	/* copied from the parent's HIGHMEM page */
		ASSERT_EQ(vmsim_load64(m, pid, (unsigned long)a + off + 8, &v), 0);
		ASSERT_EQ(v, 0);
		ASSERT_EQ(vmsim_load64(m, child, (unsigned long)a + off + 8, &v), 0);
		ASSERT_EQ(v, off);
	}
	/* no KM_PTE slot is left taken by pte_offset_map */
	for (int t = KM_PTE0; t <= KM_PTE2; t++)
		ASSERT_NULL(((struct kmap_atomic_cpu *)this_cpu()->kmap_atomic_slots)->page[t]);
	ASSERT_EQ(vmsim_exit(m, child), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
}

TEST(highmem_x86_64_has_none)
{
	struct machine *m = test_boot("ram=64M paging=x86_64");
	struct page *p = alloc_page(GFP_HIGHUSER);

	ASSERT(!m->pkmap->enabled);
	ASSERT_EQ(m->totalhigh_pages, 0);
	ASSERT(kmap(p) == page_address(p));
	ASSERT_EQ(kmap_vaddr(p), 0);
	kunmap(p);
	ASSERT(kmap_atomic(p, KM_USER0) == page_address(p));
	kunmap_atomic(page_address(p), KM_USER0);
	__free_page(p);
	test_shutdown(m);
}

/*
 * With two CPUs, a kmap that finds every pkmap entry busy sleeps on
 * pkmap_map_wait (2.4) until the other CPU's kunmap frees one.
 */
struct pkmap_waiter {
	struct machine *m;
	struct page *page;
	atomic_int done;
	void *addr;
};

static void *kmap_when_full(void *arg)
{
	struct pkmap_waiter *w = arg;

	vmsim_cpu_attach(w->m, 1);
	w->addr = kmap(w->page);
	atomic_store(&w->done, 1);
	kunmap(w->page);
	vmsim_cpu_detach();
	return NULL;
}

TEST(highmem_pkmap_full_kmap_sleeps_until_kunmap)
{
	struct machine *m = test_boot("ram=1G paging=i386 cpus=2");
	unsigned int n = m->pkmap->last_pkmap;
	struct page **pages = calloc(n, sizeof(*pages));
	struct pkmap_waiter w = { .m = m };
	pthread_t th;

	ASSERT_NOT_NULL(pages);
	for (unsigned int i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_HIGHUSER);
		ASSERT_NOT_NULL(kmap(pages[i]));
	}
	w.page = alloc_page(GFP_HIGHUSER);
	ASSERT_EQ(pthread_create(&th, NULL, kmap_when_full, &w), 0);
	/* CPU 1 finds every entry busy and goes to sleep */
	while (!atomic_load(&m->pkmap->pkmap_map_wait.waiters))
		sched_yield();
	ASSERT_EQ(atomic_load(&w.done), 0);
	ASSERT_EQ(m->pkmap->nr_waits, 1);
	kunmap(pages[0]);		/* an entry is free: CPU 1 wakes and maps */
	pthread_join(th, NULL);
	ASSERT_EQ(atomic_load(&w.done), 1);
	ASSERT_NOT_NULL(w.addr);
	for (unsigned int i = 1; i < n; i++)
		kunmap(pages[i]);
	for (unsigned int i = 0; i < n; i++)
		__free_page(pages[i]);
	__free_page(w.page);
	free(pages);
	test_shutdown(m);
}

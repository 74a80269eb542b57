/*
 * Tests of the machine, bootmem and the zone-based buddy allocator.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include "testlib.h"
#include "kern/sched.h"
#include "kern/printk.h"

static zone_t *zone_of(struct machine *m, int node, enum zone_type t)
{
	return &m->node_data[node].node_zones[t];
}

/* Free-list lengths of every zone, to compare a machine with its boot state. */
static void snapshot(struct machine *m, unsigned long *out)
{
	int k = 0;

	drain_all_pages(m);
	for (int n = 0; n < m->nr_nodes; n++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			for (int o = 0; o < MAX_ORDER; o++)
				out[k++] = zone_of(m, n, j)->free_area[o].nr_free;
}

TEST(buddy_boot_layout_i386)
{
	struct machine *m = test_boot("ram=1G paging=i386");

	ASSERT_EQ(m->max_pfn, 262144);
	ASSERT_EQ(m->max_low_pfn, (896UL << 20) >> 12);
	ASSERT_EQ(zone_of(m, 0, ZONE_DMA)->spanned_pages, 4096);
	ASSERT_EQ(zone_of(m, 0, ZONE_NORMAL)->zone_start_pfn, 4096);
	ASSERT_EQ(zone_of(m, 0, ZONE_HIGHMEM)->zone_start_pfn, 229376);
	ASSERT_EQ(zone_of(m, 0, ZONE_HIGHMEM)->spanned_pages, 262144 - 229376);
	ASSERT_EQ(m->totalhigh_pages, 262144 - 229376);
	/* reserved: pfn 0, ISA hole, kernel, bootmem map, mem_map (16 MiB for 1 GiB) */
	ASSERT_EQ(m->reserved_pages, 1 + 97 + 512 + 4096);
	ASSERT_EQ(m->totalram_pages + m->reserved_pages, m->max_pfn);
	/* mem_map went above 16 MiB, sparing DMA memory */
	ASSERT_CMP(virt_to_phys(m, m->mem_map), >=, 16UL << 20);
	ASSERT(machine_free_areas_valid(m));
	/* 2.4 watermarks: min = managed/128 clamped to [20, 255], low 2x, high 3x */
	zone_t *dma = zone_of(m, 0, ZONE_DMA);
	unsigned long mn = dma->managed_pages / 128;
	mn = mn < 20 ? 20 : mn > 255 ? 255 : mn;
	ASSERT_EQ(dma->pages_min, mn);
	ASSERT_EQ(dma->pages_low, 2 * mn);
	ASSERT_EQ(dma->pages_high, 3 * mn);
	ASSERT_EQ(zone_of(m, 0, ZONE_NORMAL)->pages_min, 255);
	test_shutdown(m);
}

TEST(buddy_boot_layout_x86_64_no_highmem)
{
	struct machine *m = test_boot("ram=2G paging=x86_64");

	ASSERT_EQ(m->max_low_pfn, m->max_pfn);
	ASSERT_EQ(zone_of(m, 0, ZONE_HIGHMEM)->spanned_pages, 0);
	ASSERT_EQ(m->totalhigh_pages, 0);
	ASSERT_EQ(zone_of(m, 0, ZONE_NORMAL)->spanned_pages, 524288 - 4096);
	test_shutdown(m);
}

TEST(buddy_alloc_free_every_order)
{
	struct machine *m = test_boot("ram=64M");

	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		struct page *p = alloc_pages(GFP_KERNEL, o);

		ASSERT_NOT_NULL(p);
		ASSERT_EQ(page_count(p), 1);
		ASSERT_EQ(page_to_pfn(p) & ((1UL << o) - 1), 0);
		ASSERT(!PageBuddy(p));
		__free_pages(p, o);
		ASSERT(machine_free_areas_valid(m));
	}
	ASSERT_NULL(alloc_pages(GFP_KERNEL, MAX_ORDER));
	test_shutdown(m);
}

TEST(buddy_split_and_coalesce_exact)
{
	struct machine *m = test_boot("ram=32M pcp=off");
	zone_t *z = zone_of(m, 0, ZONE_NORMAL);
	unsigned long before[MAX_ORDER];
	struct page *p;

	for (int o = 0; o < MAX_ORDER; o++)
		before[o] = z->free_area[o].nr_free;
	/* Take single pages until an order-10 block must be split. */
	p = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NOT_NULL(p);
	ASSERT(machine_free_areas_valid(m));
	__free_pages(p, 0);
	for (int o = 0; o < MAX_ORDER; o++)
		ASSERT_EQ(z->free_area[o].nr_free, before[o]);
	test_shutdown(m);
}

TEST(buddy_random_sequence_coalesces_to_boot_state)
{
	struct machine *m = test_boot("ram=64M paging=pae");
	unsigned long boot[MAX_NUMNODES * MAX_NR_ZONES * MAX_ORDER] = { 0 };
	unsigned long now[MAX_NUMNODES * MAX_NR_ZONES * MAX_ORDER] = { 0 };
	struct { struct page *p; unsigned int order; } held[512];
	int nheld = 0;
	uint64_t seed = 42;

	snapshot(m, boot);
	for (int step = 0; step < 4000; step++) {
		uint64_t r = splitmix64_mix(seed++);

		if (nheld < 512 && (r & 1)) {
			unsigned int order = (unsigned int)((r >> 8) % 6);
			gfp_t gfp = (r >> 16) & 1 ? GFP_KERNEL : GFP_DMA;
			struct page *p = alloc_pages(gfp, order);

			if (p) {
				/* write a byte per page: poison checks catch stale writes */
				held[nheld].p = p;
				held[nheld++].order = order;
				if (gfp == GFP_DMA)
					ASSERT_EQ(p->zone->idx, ZONE_DMA);
			}
		} else if (nheld) {
			int i = (int)((r >> 24) % (uint64_t)nheld);

			__free_pages(held[i].p, held[i].order);
			held[i] = held[--nheld];
		}
		if (step % 500 == 0)
			ASSERT(machine_free_areas_valid(m));
	}
	while (nheld) {
		nheld--;
		__free_pages(held[nheld].p, held[nheld].order);
	}
	snapshot(m, now);
	ASSERT_MEMEQ(now, boot, sizeof(boot));
	test_shutdown(m);
}

TEST(buddy_zone_fallback_order)
{
	struct machine *m = test_boot("ram=1G paging=i386");
	zonelist_t *zl = &m->node_data[0].node_zonelists[GFP_HIGHUSER & GFP_ZONEMASK];

	ASSERT_EQ(zl->zones[0]->idx, ZONE_HIGHMEM);
	ASSERT_EQ(zl->zones[1]->idx, ZONE_NORMAL);
	ASSERT_EQ(zl->zones[2]->idx, ZONE_DMA);
	ASSERT_NULL(zl->zones[3]);
	zl = &m->node_data[0].node_zonelists[GFP_KERNEL & GFP_ZONEMASK];
	ASSERT_EQ(zl->zones[0]->idx, ZONE_NORMAL);
	ASSERT_EQ(zl->zones[1]->idx, ZONE_DMA);
	ASSERT_NULL(zl->zones[2]);
	zl = &m->node_data[0].node_zonelists[GFP_DMA & GFP_ZONEMASK];
	ASSERT_EQ(zl->zones[0]->idx, ZONE_DMA);
	ASSERT_NULL(zl->zones[1]);

	/* GFP_HIGHUSER lands in HIGHMEM, GFP_KERNEL in NORMAL */
	struct page *h = alloc_pages(GFP_HIGHUSER, 0), *k = alloc_pages(GFP_KERNEL, 0);
	ASSERT_EQ(h->zone->idx, ZONE_HIGHMEM);
	ASSERT(PageHighMem(h));
	/* no kmap: no address (a BUG naming the pfn in debug builds, mm/highmem.c) */
	if (test_debug_build())
		EXPECT_BUG(page_address(h), "has no kmap");
	else
		ASSERT_NULL(page_address(h));
	ASSERT_EQ(k->zone->idx, ZONE_NORMAL);
	ASSERT_NOT_NULL(page_address(k));
	__free_page(h);
	__free_page(k);
	test_shutdown(m);
}

/*
 * Exhaust memory with GFP_KERNEL: NORMAL is preferred, and DMA is touched
 * only once NORMAL is down to its low watermark (2.4's first pass).
 */
TEST(buddy_kernel_takes_dma_last)
{
	struct machine *m = test_boot("ram=64M pcp=off");
	zone_t *dma = zone_of(m, 0, ZONE_DMA), *normal = zone_of(m, 0, ZONE_NORMAL);
	unsigned long cap = m->totalram_pages + 16;
	struct page **pages = calloc(cap, sizeof(*pages));
	unsigned long n = 0;
	long normal_free_at_first_dma = -1;

	ASSERT_NOT_NULL(pages);
	while (n < cap && (pages[n] = alloc_pages(GFP_KERNEL, 0))) {
		if (pages[n]->zone == dma && normal_free_at_first_dma < 0)
			normal_free_at_first_dma = zone_page_state(normal, NR_FREE_PAGES);
		n++;
	}
	ASSERT_EQ(normal_free_at_first_dma, (long)normal->pages_low + 1);
	/* exhaustion: both zones end at their (cumulative) min watermark */
	ASSERT_EQ(zone_page_state(normal, NR_FREE_PAGES), (long)normal->pages_min + 1);
	ASSERT_EQ(zone_page_state(dma, NR_FREE_PAGES),
		  (long)(normal->pages_min + dma->pages_min + 1));
	ASSERT_NULL(alloc_pages(GFP_KERNEL, 0));
	ASSERT(machine_free_areas_valid(m));
	while (n)
		__free_page(pages[--n]);
	free(pages);
	test_shutdown(m);
}

TEST(buddy_dma_allocations_never_leave_dma)
{
	struct machine *m = test_boot("ram=64M");
	struct page *p[8192];
	int n = 0;

	while (n < 8192 && (p[n] = alloc_pages(GFP_DMA, 0))) {
		ASSERT_EQ(p[n]->zone->idx, ZONE_DMA);
		n++;
	}
	ASSERT_CMP(n, <, 4096);
	ASSERT_CMP(n, >, 3000);
	while (n)
		__free_page(p[--n]);
	test_shutdown(m);
}

/* GFP_USER stops at pages_min; GFP_ATOMIC (no __GFP_WAIT) digs to min/4. */
TEST(buddy_watermarks_min_and_atomic)
{
	struct machine *m = test_boot("ram=32M pcp=off");
	zone_t *dma = zone_of(m, 0, ZONE_DMA), *normal = zone_of(m, 0, ZONE_NORMAL);
	struct page *p[16384];
	int n = 0, na = 0;

	while (n < 16384 && (p[n] = alloc_pages(GFP_USER, 0)))
		n++;
	ASSERT_EQ(zone_page_state(normal, NR_FREE_PAGES), (long)normal->pages_min + 1);
	ASSERT_EQ(zone_page_state(dma, NR_FREE_PAGES),
		  (long)(normal->pages_min + dma->pages_min + 1));
	while (n + na < 16384 && (p[n + na] = alloc_pages(GFP_ATOMIC, 0)))
		na++;
	ASSERT_EQ(zone_page_state(normal, NR_FREE_PAGES), (long)(normal->pages_min / 4) + 1);
	ASSERT_EQ(zone_page_state(dma, NR_FREE_PAGES),
		  (long)(normal->pages_min / 4 + dma->pages_min / 4 + 1));
	n += na;
	while (n)
		__free_page(p[--n]);
	test_shutdown(m);
}

TEST(buddy_high_order_under_fragmentation)
{
	struct machine *m = test_boot("ram=32M pcp=off");
	unsigned long cap = m->totalram_pages;
	struct page **pages = calloc(cap, sizeof(*pages));
	unsigned long n = 0;

	/* as the reclaimer (PF_MEMALLOC), take every single free page */
	struct task_struct reclaimer = { .flags = PF_MEMALLOC };
	this_cpu()->curr = &reclaimer;
	while (n < cap && (pages[n] = alloc_pages(GFP_ATOMIC, 0)))
		n++;
	this_cpu()->curr = NULL;
	ASSERT_EQ(nr_free_pages(m), 0);
	/* free every even pfn: plenty free, nothing of order 1 */
	for (unsigned long i = 0; i < n; i++)
		if (!(page_to_pfn(pages[i]) & 1)) {
			__free_page(pages[i]);
			pages[i] = NULL;
		}
	ASSERT_CMP(nr_free_pages(m), >=, n / 2 - 2);
	ASSERT_NULL(alloc_pages(GFP_ATOMIC, 1));
	ASSERT_NULL(alloc_pages(GFP_KERNEL, 3));
	ASSERT(machine_free_areas_valid(m));
	/* free the rest: the zones coalesce back into order-10 blocks */
	for (unsigned long i = 0; i < n; i++)
		if (pages[i])
			__free_page(pages[i]);
	struct page *big = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);
	ASSERT_NOT_NULL(big);
	__free_pages(big, MAX_ORDER - 1);
	free(pages);
	test_shutdown(m);
}

TEST(buddy_get_free_pages_and_zeroed)
{
	struct machine *m = test_boot("ram=32M");
	unsigned long a = __get_free_pages(GFP_KERNEL, 2);
	unsigned long z;

	ASSERT(a);
	memset((void *)a, 0x77, 4 * PAGE_SIZE);
	free_pages(a, 2);
	z = get_zeroed_page(GFP_KERNEL);
	ASSERT(z);
	for (int i = 0; i < (int)PAGE_SIZE; i++)
		ASSERT_EQ(((unsigned char *)z)[i], 0);
	ASSERT_EQ(virt_to_page(m, (void *)z)->zone->zone_pgdat->machine, m);
	free_page(z);
	free_pages(0, 0);	/* a no-op, as in Linux */
	test_shutdown(m);
}

TEST(buddy_debug_double_free)
{
	struct machine *m = test_boot("ram=32M");
	struct page *p = alloc_page(GFP_KERNEL);
	unsigned long pfn = page_to_pfn(p);
	char want[64];

	__free_page(p);
	snprintf(want, sizeof(want), "pfn %lu", pfn);
	EXPECT_BUG(__free_page(p), "freeing a page whose count is already zero");
	ASSERT_CONTAINS(test_last_bug(), want);
	test_discard(m);
}

TEST(buddy_debug_wrong_order)
{
	struct machine *m = test_boot("ram=32M");
	struct page *p = alloc_pages(GFP_KERNEL, 2);

	EXPECT_BUG(__free_pages(p, 1), "wrong order");
	test_discard(m);
}

TEST(buddy_debug_poison_catches_write_after_free)
{
	struct machine *m = test_boot("ram=32M pcp=off");
	struct page *p = alloc_page(GFP_KERNEL);
	unsigned char *va = page_address(p);
	struct page *q;

	__free_page(p);
	if (!test_debug_build()) {
		test_discard(m);
		return;
	}
	va[100] = 1;		/* write after free */
	EXPECT_BUG(while ((q = alloc_page(GFP_KERNEL)) != NULL) {}, "page poison corrupted");
	ASSERT_CONTAINS(test_last_bug(), "byte 100");
	test_discard(m);
}

TEST(buddy_debug_free_mapped_page)
{
	struct machine *m = test_boot("ram=32M");
	struct page *p = alloc_page(GFP_KERNEL);

	atomic_store(&p->_mapcount, 0);
	EXPECT_BUG(__free_page(p), "still mapped");
	test_discard(m);
}

TEST(buddy_fault_injection_fails_nth)
{
	struct machine *m = test_boot("ram=32M fail_page_alloc=3");
	struct page *a = alloc_page(GFP_KERNEL), *b = alloc_page(GFP_KERNEL);
	struct page *c = alloc_page(GFP_KERNEL), *d = alloc_page(GFP_KERNEL);

	ASSERT_NOT_NULL(a);
	ASSERT_NOT_NULL(b);
	ASSERT_NULL(c);
	ASSERT_NOT_NULL(d);
	__free_page(a);
	__free_page(b);
	__free_page(d);
	test_shutdown(m);
}

TEST(buddy_two_machines_do_not_interfere)
{
	struct machine *a = test_boot("ram=32M");
	struct machine *b = test_boot("ram=64M paging=i386");
	unsigned long fb = nr_free_pages(b);
	struct page *pa[100];

	vmsim_cpu_attach(a, 0);
	for (int i = 0; i < 100; i++)
		pa[i] = alloc_pages(GFP_KERNEL, 1);
	drain_all_pages(a);
	vmsim_cpu_attach(b, 0);
	drain_all_pages(b);
	ASSERT_EQ(nr_free_pages(b), fb);
	for (int i = 0; i < 100; i++)
		ASSERT(page_machine(pa[i]) == a);
	vmsim_cpu_attach(a, 0);
	for (int i = 0; i < 100; i++)
		__free_pages(pa[i], 1);
	test_shutdown(a);
	test_shutdown(b);
}

TEST(buddy_numa_node_local_first)
{
	struct machine *m = test_boot("ram=256M nodes=2 cpus=2");
	struct page *p;

	vmsim_cpu_attach(m, 0);
	p = alloc_page(GFP_KERNEL);
	ASSERT_EQ(p->zone->zone_pgdat->node_id, 0);
	__free_page(p);
	vmsim_cpu_attach(m, 1);
	p = alloc_page(GFP_KERNEL);
	ASSERT_EQ(p->zone->zone_pgdat->node_id, 1);
	__free_page(p);
	/* node 1 has no DMA: GFP_DMA from CPU 1 falls back to node 0 */
	p = alloc_page(GFP_DMA);
	ASSERT_EQ(p->zone->zone_pgdat->node_id, 0);
	ASSERT_EQ(p->zone->idx, ZONE_DMA);
	__free_page(p);
	test_shutdown(m);
}

TEST(buddy_config_errors)
{
	struct vmsim_config cfg;
	char err[128];

	vmsim_config_default(&cfg);
	ASSERT_EQ(vmsim_config_set(&cfg, "ram", "12X", err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "ram");
	ASSERT_EQ(vmsim_config_set(&cfg, "paging", "sparc", err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_config_set(&cfg, "bogus", "1", err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "unknown machine option 'bogus'");
	ASSERT_EQ(vmsim_config_set(&cfg, "ram", "8M", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_validate(&cfg, err, sizeof(err)), -1);
	ASSERT_NULL(vmsim_machine_create(&cfg));
	ASSERT_EQ(errno, EINVAL);
	ASSERT_EQ(vmsim_config_set(&cfg, "ram", "8G", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_set(&cfg, "paging", "i386", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_validate(&cfg, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "pae");
	uint64_t v;
	ASSERT_EQ(vmsim_parse_size("0x10", &v), 0);
	ASSERT_EQ(v, 16);
	ASSERT_EQ(vmsim_parse_size("3G", &v), 0);
	ASSERT_EQ(v, 3ULL << 30);
	ASSERT_EQ(vmsim_parse_size("-1", &v), -1);
}

struct stress_arg {
	struct machine *m;
	int cpu;
	unsigned long allocs;
};

static void *stress_thread(void *arg)
{
	struct stress_arg *a = arg;
	struct page *held[64] = { 0 };
	uint64_t seed = (uint64_t)a->cpu * 1000;

	vmsim_cpu_attach(a->m, a->cpu);
	for (int i = 0; i < 20000; i++) {
		uint64_t r = splitmix64_mix(seed++);
		int slot = (int)(r % 64);
		unsigned int order = (r >> 8) % 4 == 0 ? (unsigned int)((r >> 16) % 4) : 0;

		if (held[slot]) {
			__free_pages(held[slot], held[slot]->order_hint);
			held[slot] = NULL;
		} else if ((held[slot] = alloc_pages(GFP_KERNEL, order)) != NULL) {
			held[slot]->order_hint = (uint8_t)order;
			a->allocs++;
		}
	}
	for (int s = 0; s < 64; s++)
		if (held[s])
			__free_pages(held[s], held[s]->order_hint);
	drain_local_pages();
	vmsim_cpu_detach();
	return NULL;
}

TEST(buddy_stress_two_cpus)
{
	struct machine *m = test_boot("ram=64M cpus=2");
	struct stress_arg args[2] = { { m, 0, 0 }, { m, 1, 0 } };
	pthread_t t[2];

	vmsim_cpu_detach();
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, stress_thread, &args[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ASSERT_CMP(args[0].allocs + args[1].allocs, >, 10000);
	test_shutdown(m);
}

TEST(buddy_pcp_lists_cache_orders_0_to_3)
{
	struct machine *m = test_boot("ram=64M");
	zone_t *normal = zone_of(m, 0, ZONE_NORMAL);
	struct per_cpu_pages *pcp = &normal->pageset[0];
	unsigned long free0;
	struct page *p;

	drain_all_pages(m);
	free0 = nr_free_pages(m);
	for (unsigned int o = 0; o <= PAGE_ALLOC_COSTLY_ORDER; o++) {
		p = alloc_pages(GFP_KERNEL, o);
		ASSERT_NOT_NULL(p);
		__free_pages(p, o);
		/* the block stays on this CPU's list of its order */
		ASSERT(pcp->first[o] != NULL);
	}
	ASSERT_CMP(pcp->count, >, 0);
	ASSERT_EQ(nr_free_pages(m) + (unsigned long)pcp->count, free0);
	/* order 4 bypasses the lists */
	int cached = pcp->count;
	p = alloc_pages(GFP_KERNEL, 4);
	ASSERT_NOT_NULL(p);
	__free_pages(p, 4);
	ASSERT_EQ(pcp->count, cached);
	drain_local_pages();
	ASSERT_EQ(pcp->count, 0);
	ASSERT_EQ(nr_free_pages(m), free0);
	test_shutdown(m);
}

TEST(buddy_proc_formats)
{
	struct machine *m = test_boot("ram=1G paging=pae");
	char *b = vmsim_proc_read(m, "buddyinfo");
	char *mi = vmsim_proc_read(m, "meminfo");
	char *zi = vmsim_proc_read(m, "zoneinfo");
	char *vs = vmsim_proc_read(m, "vmstat");
	char line[256];
	zone_t *dma = zone_of(m, 0, ZONE_DMA);
	int off = 0;

	ASSERT_NOT_NULL(b);
	/* "Node 0, zone      DMA" then 11 columns "%6lu " */
	off = snprintf(line, sizeof(line), "Node 0, zone %8s ", "DMA");
	for (int o = 0; o < MAX_ORDER; o++)
		off += snprintf(line + off, sizeof(line) - (size_t)off, "%6lu ",
				dma->free_area[o].nr_free);
	ASSERT(!strncmp(b, line, strlen(line)));
	ASSERT_CONTAINS(b, "\nNode 0, zone   Normal ");
	ASSERT_CONTAINS(b, "\nNode 0, zone  HighMem ");
	snprintf(line, sizeof(line), "MemTotal:       %8lu kB\n", m->totalram_pages * 4);
	ASSERT(!strncmp(mi, line, strlen(line)));
	ASSERT_CONTAINS(mi, "\nHighTotal:        131072 kB\n");
	snprintf(line, sizeof(line), "\n        min      %lu\n", dma->pages_min);
	ASSERT_CONTAINS(zi, line);
	ASSERT_CONTAINS(zi, "Node 0, zone      DMA\n  pages free     ");
	ASSERT_CONTAINS(zi, "\n  start_pfn:           0\n");
	ASSERT_CONTAINS(vs, "\npgalloc_normal ");
	ASSERT(!strncmp(vs, "nr_free_pages ", 14));
	ASSERT_NULL(vmsim_proc_read(m, "nonesuch"));
	free(b);
	free(mi);
	free(zi);
	free(vs);
	test_shutdown(m);
}

TEST(buddy_printk_log_ring)
{
	struct machine *m = test_boot("ram=32M");
	char *k;

	printk(m, "hello %d", 42);
	atomic_store(&m->hw.jiffies, 250);
	printk(m, "later\n");
	k = vmsim_proc_read(m, "kmsg");
	ASSERT_STREQ(k, "[    0.000000] hello 42\n[    2.500000] later\n");
	free(k);
	/* a full ring drops the oldest lines, keeps whole lines */
	for (int i = 0; i < 5000; i++)
		printk(m, "line %04d", i);
	k = vmsim_proc_read(m, "kmsg");
	ASSERT(strlen(k) <= LOG_BUF_LEN);
	ASSERT_CONTAINS(k, "] line 4999\n");
	ASSERT(!strstr(k, "hello"));
	ASSERT(!strncmp(k, "[    2.500000] line ", 20));
	free(k);
	test_shutdown(m);
}

TEST(buddy_config_tlb_geometry)
{
	struct vmsim_config cfg;
	char err[128];

	vmsim_config_default(&cfg);
	cfg.tlb_entries = 48;
	cfg.tlb_ways = 3;
	ASSERT_EQ(vmsim_config_validate(&cfg, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "powers of two");
	cfg.tlb_entries = 4;
	cfg.tlb_ways = 8;
	ASSERT_EQ(vmsim_config_validate(&cfg, err, sizeof(err)), -1);
	cfg.tlb_entries = 128;
	cfg.tlb_ways = 8;
	ASSERT_EQ(vmsim_config_validate(&cfg, err, sizeof(err)), 0);
}

/*
 * A block merged from a used page and its never-used buddy has a plain
 * head and a zeroed tail: handed out, no page of it may keep PG_zeroed, or
 * a later __GFP_ZERO allocation skips clearing what its owner wrote (issue
 * 10: "pfn marked zeroed has byte 0 = 0xaa" after swapon's swap_map went).
 */
static struct page *alloc_block_at(struct page *want, unsigned int order, gfp_t gfp)
{
	static struct page *held[4096];
	struct page *got = NULL;
	unsigned long n = 0;

	while (n < ARRAY_SIZE(held) && (held[n] = alloc_pages(gfp, order)) != NULL) {
		for (unsigned long i = 0; i < (1UL << order); i++)
			ASSERT(!PageZeroed(held[n] + i));
		if (held[n] == want) {
			got = want;
			break;
		}
		n++;
	}
	while (n--)
		__free_pages(held[n], order);
	return got;
}

TEST(buddy_merged_block_hands_out_no_zeroed_page)
{
	struct machine *m = test_boot("ram=32M pcp=off");
	struct page *p = alloc_page(GFP_KERNEL);
	uint8_t *va = page_address(p), *tail;

	ASSERT_EQ(page_to_pfn(p) & 1, 0);
	ASSERT(PageZeroed(p + 1));		/* its buddy: free, never used */
	memset(va, 0x77, PAGE_SIZE);
	__free_page(p);				/* merges: plain head, zeroed tail */
	ASSERT(alloc_block_at(p, 1, GFP_KERNEL) == p);
	tail = page_address(p + 1);
	memset(va, 0x66, 2 * PAGE_SIZE);	/* the owner writes both pages */
	__free_pages(p, 1);
	/* the tail must be cleared for __GFP_ZERO now */
	ASSERT(alloc_block_at(p + 1, 0, GFP_KERNEL | __GFP_ZERO) == p + 1);
	for (unsigned long i = 0; i < PAGE_SIZE; i++)
		ASSERT_EQ(tail[i], 0);
	__free_page(p + 1);
	test_shutdown(m);
}

/* Fresh frames are known zero: __GFP_ZERO skips clearing them, never others. */
TEST(buddy_gfp_zero_fresh_and_reused_pages)
{
	struct machine *m = test_boot("ram=32M pcp=off");
	struct page *p = alloc_page(GFP_KERNEL);
	uint8_t *va;

	/* handed out: the flag is gone */
	ASSERT(!PageZeroed(p));
	va = page_address(p);
	memset(va, 0x77, PAGE_SIZE);
	__free_page(p);
	ASSERT(!PageZeroed(p));
	/* the same frame comes back (LIFO) and must be cleared now */
	struct page *q = alloc_page(GFP_KERNEL | __GFP_ZERO);
	ASSERT(q == p);
	for (unsigned long i = 0; i < PAGE_SIZE; i++)
		ASSERT_EQ(va[i], 0);
	__free_page(q);
	/* a never-used frame: still marked on the free lists */
	unsigned long zeroed = 0;
	zone_t *z = zone_of(m, 0, ZONE_NORMAL);
	for (unsigned long i = 0; i < z->spanned_pages; i++)
		zeroed += PageZeroed(z->zone_mem_map + i);
	ASSERT_CMP(zeroed, >, z->managed_pages / 2);
	test_shutdown(m);
}

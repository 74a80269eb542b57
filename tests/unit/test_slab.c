/*
 * Tests of the slab allocator (mm/slab.c): cache geometry for every size
 * and alignment, constructor semantics, shrink and reap giving pages back
 * exactly, colour cycling, kmalloc's general caches, every debug report,
 * fault injection, /proc/slabinfo's format, and a two-CPU stress with
 * cross-CPU frees.
 */
#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include "unit/testlib.h"
#include "kern/slab.h"
#include "kern/poison.h"
#include "kern/mm_types.h"

/* Free frames including the per-CPU lists (drained first). */
static unsigned long free_now(struct machine *m)
{
	drain_all_pages(m);
	return nr_free_pages(m);
}

static struct kmem_cache_info info_of(kmem_cache_t *c)
{
	struct kmem_cache_info i;

	kmem_cache_get_info(c, &i);
	return i;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

TEST(slab_basic_alloc_free)
{
	struct machine *m = test_boot("ram=64M");
	kmem_cache_t *c = kmem_cache_create("t_basic", 100, 0, 0, NULL, NULL);
	void *p[200];
	struct kmem_cache_info in;

	ASSERT_NOT_NULL(c);
	ASSERT_STREQ(kmem_cache_name(c), "t_basic");
	ASSERT(kmem_find_cache(m, "t_basic") == c);
	for (int i = 0; i < 200; i++) {
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT_NOT_NULL(p[i]);
		ASSERT(virt_to_cache(m, p[i]) == c);
		memset(p[i], i, 100);
		ASSERT(kmem_cache_is_valid(c));
	}
	for (int i = 0; i < 200; i++)
		for (int b = 0; b < 100; b++)
			ASSERT_EQ(((unsigned char *)p[i])[b], (unsigned char)i);
	in = info_of(c);
	ASSERT_CMP(in.active_objs, >=, 200);
	ASSERT_CMP(in.active_objs, <=, in.num_objs);
	ASSERT_EQ(in.num_objs, in.num_slabs * in.num);
	for (int i = 0; i < 200; i++) {
		kmem_cache_free(c, p[i]);
		ASSERT(kmem_cache_is_valid(c));
	}
	ASSERT_EQ(kmem_cache_shrink(c), 0);
	in = info_of(c);
	ASSERT_EQ(in.active_objs, 0);
	ASSERT_EQ(in.num_slabs, 0);
	ASSERT(kmem_is_valid(m));
	ASSERT_EQ(kmem_cache_destroy(c), 0);
	ASSERT_NULL(kmem_find_cache(m, "t_basic"));
	ASSERT(kmem_is_valid(m));
	test_shutdown(m);
}

TEST(slab_create_bad_args)
{
	struct machine *m = test_boot("ram=64M");
	kmem_cache_t *c;

	ASSERT_NULL(kmem_cache_create(NULL, 32, 0, 0, NULL, NULL));
	ASSERT_NULL(kmem_cache_create("", 32, 0, 0, NULL, NULL));
	ASSERT_NULL(kmem_cache_create("t_zero", 0, 0, 0, NULL, NULL));
	ASSERT_NULL(kmem_cache_create("t_huge", KMALLOC_MAX_SIZE + 1, 0, 0, NULL, NULL));
	ASSERT_NULL(kmem_cache_create("t_align", 64, 24, 0, NULL, NULL));
	ASSERT_NULL(kmem_cache_create("t_align2", 64, 2 * PAGE_SIZE, 0, NULL, NULL));
	ASSERT_NULL(kmem_cache_create("t_flags", 64, 0, 0x40000000UL, NULL, NULL));
	ASSERT_NULL(kmem_cache_create("a_name_that_is_far_too_long_for_it", 64, 0, 0, NULL, NULL));
	ASSERT_NULL(kmem_cache_create("size-32", 64, 0, 0, NULL, NULL));	/* duplicate */
	c = kmem_cache_create("t_max", KMALLOC_MAX_SIZE, 0, 0, NULL, NULL);
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(info_of(c).gfporder, MAX_OBJ_ORDER);
	ASSERT_EQ(info_of(c).num, 1);
	ASSERT_EQ(kmem_cache_destroy(c), 0);
	test_shutdown(m);
}

/* Every size 1..4096 with a spread of alignments: aligned, disjoint, intact. */
TEST(slab_sizes_and_alignment)
{
	static const size_t aligns[] = { 0, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096 };
	struct machine *m = test_boot("ram=64M");
	void *p[40];

	for (size_t size = 1; size <= 4096; size++) {
		size_t align = aligns[size % ARRAY_SIZE(aligns)];
		unsigned long flags = (size % 3 == 0) ? SLAB_HWCACHE_ALIGN : 0;
		kmem_cache_t *c = kmem_cache_create("t_size", size, align, flags, NULL, NULL);
		struct kmem_cache_info in;
		size_t want = max(align, (size_t)8), n;

		ASSERT_MSG(c, "create size %zu align %zu", size, align);
		in = info_of(c);
		ASSERT_CMP(in.objsize, >=, size);
		ASSERT_CMP(in.buffer_size, >=, in.objsize);
		ASSERT_EQ(in.align % want, 0);
		ASSERT_CMP((size_t)in.num * in.buffer_size, <=, PAGE_SIZE << in.gfporder);
		if ((flags & SLAB_HWCACHE_ALIGN) && !(in.flags & SLAB_RED_ZONE) && size >= 32)
			ASSERT_EQ(in.align % 32, 0);
		n = min((size_t)in.num + 2, ARRAY_SIZE(p));
		for (size_t i = 0; i < n; i++) {
			p[i] = kmem_cache_alloc(c, GFP_KERNEL);
			ASSERT_NOT_NULL(p[i]);
			ASSERT_MSG((uintptr_t)p[i] % want == 0, "size %zu align %zu: %p misaligned",
				   size, align, p[i]);
			memset(p[i], (int)(i + 1), size);
		}
		qsort(p, n, sizeof(p[0]), cmp_ptr);
		for (size_t i = 0; i < n; i++) {
			unsigned char *b = p[i];

			if (i + 1 < n)
				ASSERT_CMP((uintptr_t)p[i] + size, <=, (uintptr_t)p[i + 1]);
			for (size_t k = 1; k < size; k++)
				ASSERT_EQ(b[k], b[0]);
		}
		ASSERT(kmem_cache_is_valid(c));
		for (size_t i = 0; i < n; i++)
			kmem_cache_free(c, p[i]);
		ASSERT_EQ(kmem_cache_destroy(c), 0);
	}
	test_shutdown(m);
}

TEST(slab_kmalloc_sizes)
{
	struct machine *m = test_boot("ram=64M");

	for (size_t size = 1; size <= KMALLOC_MAX_SIZE; size = size < 8192 ? size + 1 : size * 2) {
		size_t sizes[3] = { size - 1, size, size + 1 };

		for (int k = 0; k < 3; k++) {
			size_t sz = sizes[k], cls = KMALLOC_MIN_SIZE;
			char name[32];
			unsigned char *p;

			if (!sz || sz > KMALLOC_MAX_SIZE)
				continue;
			while (cls < sz)
				cls *= 2;
			p = kmalloc(sz, GFP_KERNEL);
			ASSERT_MSG(p, "kmalloc(%zu)", sz);
			ASSERT_EQ(ksize(p), cls);
			ASSERT_EQ((uintptr_t)p % 16, 0);
			snprintf(name, sizeof(name), "size-%zu", cls);
			ASSERT_STREQ(kmem_cache_name(virt_to_cache(m, p)), name);
			ASSERT(kmalloc_cache(m, sz, GFP_KERNEL) == virt_to_cache(m, p));
			p[0] = 1;
			p[sz - 1] = 2;
			kfree(p);
		}
	}
	test_shutdown(m);
}

TEST(slab_kmalloc_edges_and_dma)
{
	struct machine *m = test_boot("ram=64M");
	void *p;

	ASSERT(kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	ASSERT_EQ(ksize(ZERO_SIZE_PTR), 0);
	ASSERT_NULL(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	ASSERT_NULL(kmalloc_cache(m, KMALLOC_MAX_SIZE + 1, GFP_KERNEL));

	p = kmalloc(100, GFP_KERNEL | __GFP_DMA);
	ASSERT_NOT_NULL(p);
	ASSERT_STREQ(kmem_cache_name(virt_to_cache(m, p)), "size-128(DMA)");
	ASSERT_EQ(virt_to_page(m, p)->zone->idx, ZONE_DMA);
	kfree(p);

	p = kzalloc(3000, GFP_KERNEL);
	ASSERT_NOT_NULL(p);
	for (int i = 0; i < 3000; i++)
		ASSERT_EQ(((unsigned char *)p)[i], 0);
	memset(p, 0xff, 3000);
	kfree(p);
	p = kzalloc(3000, GFP_KERNEL);	/* the same object again, zeroed again */
	for (int i = 0; i < 3000; i++)
		ASSERT_EQ(((unsigned char *)p)[i], 0);
	kfree(p);
	test_shutdown(m);
}

/* --- constructors --------------------------------------------------------- */

struct ctor_obj {
	unsigned long magic;
	unsigned long uses;
	char pad[184];
};

static _Thread_local unsigned long ctor_count, dtor_count;

static void t_ctor(void *objp, kmem_cache_t *c, unsigned long flags)
{
	struct ctor_obj *o = objp;

	if (flags & SLAB_CTOR_CONSTRUCTOR) {
		o->magic = 0xC0FFEE;
		o->uses = 0;
		ctor_count++;
	}
}

static void t_dtor(void *objp, kmem_cache_t *c, unsigned long flags)
{
	struct ctor_obj *o = objp;

	if (o->magic == 0xC0FFEE)
		dtor_count++;
}

TEST(slab_ctor_runs_per_object_created)
{
	struct machine *m = test_boot("ram=64M");
	kmem_cache_t *c = kmem_cache_create("t_ctor", sizeof(struct ctor_obj), 0, 0,
					    t_ctor, t_dtor);
	struct ctor_obj *p[300];
	struct kmem_cache_info in;

	ctor_count = dtor_count = 0;
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(info_of(c).flags & SLAB_POISON, 0);	/* never with a ctor */
	for (int i = 0; i < 300; i++) {
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT_NOT_NULL(p[i]);
		ASSERT_EQ(p[i]->magic, 0xC0FFEE);
		p[i]->uses++;
	}
	in = info_of(c);
	ASSERT_EQ(ctor_count, in.num_objs);	/* every object built, once */
	ASSERT_EQ(in.ctor_calls, in.num_objs);
	/* free and allocate again many times: no constructor call */
	for (int round = 0; round < 10; round++) {
		for (int i = 0; i < 300; i++)
			kmem_cache_free(c, p[i]);
		for (int i = 0; i < 300; i++) {
			p[i] = kmem_cache_alloc(c, GFP_KERNEL);
			ASSERT_EQ(p[i]->magic, 0xC0FFEE);	/* still constructed */
		}
	}
	ASSERT_EQ(ctor_count, in.num_objs);
	ASSERT_EQ(info_of(c).num_objs, in.num_objs);
	for (int i = 0; i < 300; i++)
		kmem_cache_free(c, p[i]);
	ASSERT_EQ(kmem_cache_shrink(c), 0);
	ASSERT_EQ(dtor_count, in.num_objs);	/* destructor once per object */
	ASSERT_EQ(info_of(c).dtor_calls, in.num_objs);
	ASSERT_EQ(kmem_cache_destroy(c), 0);
	test_shutdown(m);
}

/* --- giving pages back ------------------------------------------------------ */

TEST(slab_shrink_returns_every_empty_slab)
{
	struct machine *m = test_boot("ram=64M");
	kmem_cache_t *c = kmem_cache_create("t_shrink", 256, 0, 0, NULL, NULL);
	kmem_cache_t *r = kmem_cache_create("t_shrink_r", 200, 0, SLAB_RECLAIM_ACCOUNT,
					    NULL, NULL);
	unsigned long free0, un0, re0, pages;
	void **p = malloc(2000 * sizeof(void *));
	struct kmem_cache_info in;

	ASSERT(c && r && p);
	free0 = free_now(m);
	un0 = global_page_state(m, NR_SLAB_UNRECLAIMABLE);
	re0 = global_page_state(m, NR_SLAB_RECLAIMABLE);
	for (int i = 0; i < 1000; i++)
		ASSERT_NOT_NULL(p[i] = kmem_cache_alloc(c, GFP_KERNEL));
	for (int i = 1000; i < 2000; i++)
		ASSERT_NOT_NULL(p[i] = kmem_cache_alloc(r, GFP_KERNEL));
	in = info_of(c);
	pages = in.num_slabs << in.gfporder;
	ASSERT_EQ(global_page_state(m, NR_SLAB_UNRECLAIMABLE) - un0, pages);
	ASSERT_EQ(global_page_state(m, NR_SLAB_RECLAIMABLE) - re0,
		  info_of(r).num_slabs << info_of(r).gfporder);
	ASSERT_EQ(free0 - free_now(m), pages + (info_of(r).num_slabs << info_of(r).gfporder));
	ASSERT(kmem_is_valid(m));

	for (int i = 0; i < 2000; i++)
		kmem_cache_free(i < 1000 ? c : r, p[i]);
	ASSERT_EQ(kmem_cache_shrink(c), 0);
	ASSERT_EQ(kmem_cache_shrink(r), 0);
	ASSERT_EQ(info_of(c).num_slabs, 0);
	ASSERT_EQ(info_of(r).num_slabs, 0);
	ASSERT_EQ(free_now(m), free0);
	ASSERT_EQ(global_page_state(m, NR_SLAB_UNRECLAIMABLE), un0);
	ASSERT_EQ(global_page_state(m, NR_SLAB_RECLAIMABLE), re0);
	ASSERT(kmem_is_valid(m));

	/* a partly used cache keeps exactly the slabs holding objects */
	for (int i = 0; i < 1000; i++)
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (int i = 0; i < 1000; i++)
		if (i % 100)
			kmem_cache_free(c, p[i]);
	ASSERT_EQ(kmem_cache_shrink(c), 1);
	in = info_of(c);
	ASSERT_EQ(in.active_objs, 10);
	ASSERT_EQ(in.free_slabs, 0);
	ASSERT_CMP(in.num_slabs, <=, 10);
	ASSERT_EQ(free0 - free_now(m), in.num_slabs << in.gfporder);
	for (int i = 0; i < 1000; i += 100)
		kmem_cache_free(c, p[i]);
	ASSERT_EQ(kmem_cache_destroy(c), 0);
	ASSERT_EQ(kmem_cache_destroy(r), 0);
	free(p);
	test_shutdown(m);
}

TEST(slab_reap_frees_free_slabs)
{
	struct machine *m = test_boot("ram=64M");
	kmem_cache_t *c = kmem_cache_create("t_reap", 512, 0, 0, NULL, NULL);
	kmem_cache_t *keep = kmem_cache_create("t_noreap", 512, 0, SLAB_NO_REAP, NULL, NULL);
	void **p = malloc(600 * sizeof(void *));
	unsigned long before, slabs, total = 0, keep_slabs, keep_active;

	ASSERT(c && keep && p);
	for (int i = 0; i < 600; i++)
		p[i] = kmem_cache_alloc(i % 2 ? keep : c, GFP_KERNEL);
	for (int i = 0; i < 600; i++)
		kmem_cache_free(i % 2 ? keep : c, p[i]);
	slabs = info_of(c).num_slabs;
	keep_slabs = info_of(keep).num_slabs;
	keep_active = info_of(keep).active_objs;
	before = free_now(m);
	/*
	 * The freed objects sit in the CPU and shared arrays: reap drains
	 * them, passes by a cache that just grew (2.4), then releases about
	 * 80% of its free slabs each time it picks it.
	 */
	for (int i = 0; i < 40 && info_of(c).num_slabs > slabs / 5 + 1; i++) {
		int n = kmem_cache_reap(GFP_KERNEL);

		ASSERT_CMP(n, >=, 0);
		total += (unsigned long)n;
	}
	ASSERT_CMP(total, >, 0);
	ASSERT_CMP(info_of(c).num_slabs, <=, slabs / 5 + 1);
	ASSERT_EQ(info_of(c).active_objs, 0);
	ASSERT_EQ(free_now(m) - before, total);
	ASSERT_EQ(info_of(keep).num_slabs, keep_slabs);	/* untouched */
	ASSERT_EQ(info_of(keep).active_objs, keep_active);
	ASSERT(kmem_is_valid(m));
	ASSERT_EQ(kmem_cache_destroy(c), 0);
	ASSERT_EQ(kmem_cache_destroy(keep), 0);
	free(p);
	test_shutdown(m);
}

/* --- colouring ---------------------------------------------------------------- */

TEST(slab_colour_offsets_cycle)
{
	struct machine *m = test_boot("ram=64M");
	kmem_cache_t *c = NULL;
	struct kmem_cache_info in;
	void *p[400];
	int n = 0;

	/* find an object size whose slabs have at least three colours */
	for (size_t size = 8; size <= 1024 && !c; size += 8) {
		c = kmem_cache_create("t_colour", size, 0, SLAB_NO_DEBUG, NULL, NULL);
		ASSERT_NOT_NULL(c);
		if (info_of(c).colour >= 3)
			break;
		ASSERT_EQ(kmem_cache_destroy(c), 0);
		c = NULL;
	}
	ASSERT_NOT_NULL(c);
	in = info_of(c);
	/* no per-CPU array: objects come from the slabs in creation order */
	ASSERT_EQ(kmem_tune_cpucache(c, 0, 0, 0), 0);
	for (unsigned int slab = 0; slab < 2 * in.colour + 2; slab++) {
		for (unsigned int i = 0; i < in.num; i++) {
			ASSERT((size_t)n < ARRAY_SIZE(p));
			p[n] = kmem_cache_alloc(c, GFP_KERNEL);
			ASSERT_NOT_NULL(p[n]);
			ASSERT_EQ(kmem_obj_colouroff(c, p[n]), (slab % in.colour) * in.colour_off);
			n++;
		}
		ASSERT_EQ(info_of(c).num_slabs, slab + 1);
	}
	ASSERT(kmem_cache_is_valid(c));
	while (n--)
		kmem_cache_free(c, p[n]);
	ASSERT_EQ(kmem_tune_cpucache(c, 16, 8, 1), 0);
	ASSERT_EQ(info_of(c).limit, 16);
	ASSERT_EQ(info_of(c).sharedfactor, 1);
	ASSERT_EQ(kmem_cache_destroy(c), 0);
	test_shutdown(m);
}

/* The shared array between the CPU arrays and the slabs (2.6's design). */
TEST(slab_shared_array)
{
	struct machine *m = test_boot("ram=64M");
	kmem_cache_t *c = kmem_cache_create("t_shared", 64, 0, 0, NULL, NULL);
	void *p[20];
	struct kmem_cache_info in;

	ASSERT_NOT_NULL(c);
	in = info_of(c);
	ASSERT_EQ(in.limit, 252);	/* 2.4's tunables for small objects */
	ASSERT_EQ(in.batchcount, 126);
	ASSERT_EQ(in.sharedfactor, 8);
	ASSERT_EQ(kmem_tune_cpucache(c, 4, 2, 2), 0);	/* shared holds 4 */
	ASSERT_EQ(kmem_tune_cpucache(c, 4, 5, 2), -EINVAL);
	ASSERT_EQ(kmem_tune_cpucache(c, 0, 0, 1), -EINVAL);
	for (int i = 0; i < 20; i++)
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (int i = 0; i < 20; i++) {
		kmem_cache_free(c, p[i]);
		ASSERT(kmem_cache_is_valid(c));
	}
	in = info_of(c);
	ASSERT_EQ(in.shared_avail, 4);
	ASSERT_EQ(in.active_objs, 8);	/* 4 on the CPU, 4 shared: not on a slab */
	/* a refill takes from the shared array first, by the batch */
	p[0] = kmem_cache_alloc(c, GFP_KERNEL);
	for (int i = 1; i < 6; i++)
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT_EQ(info_of(c).shared_avail, 2);
	ASSERT_EQ(info_of(c).active_objs, 8);
	for (int i = 0; i < 6; i++)
		kmem_cache_free(c, p[i]);
	ASSERT_EQ(kmem_cache_shrink(c), 0);
	ASSERT_EQ(info_of(c).shared_avail, 0);
	ASSERT_EQ(info_of(c).active_objs, 0);
	ASSERT_EQ(kmem_tune_cpucache(c, 252, 126, 0), 0);	/* plain 2.4 */
	ASSERT_EQ(info_of(c).sharedfactor, 0);
	ASSERT_EQ(kmem_cache_destroy(c), 0);
	test_shutdown(m);
}

TEST(slab_on_and_off_slab)
{
	struct machine *m = test_boot("ram=64M");
	kmem_cache_t *small = kmem_cache_create("t_small", 64, 0, SLAB_NO_DEBUG, NULL, NULL);
	kmem_cache_t *big = kmem_cache_create("t_big", 2048, 0, SLAB_NO_DEBUG, NULL, NULL);
	void *p[64];

	ASSERT(small && big);
	ASSERT(!info_of(small).off_slab);
	ASSERT(info_of(big).off_slab);
	for (int i = 0; i < 64; i++)
		p[i] = kmem_cache_alloc(big, GFP_KERNEL);
	ASSERT(kmem_cache_is_valid(big));
	for (int i = 0; i < 64; i++)
		kmem_cache_free(big, p[i]);
	ASSERT_EQ(kmem_cache_shrink(big), 0);
	ASSERT_EQ(kmem_cache_destroy(big), 0);
	ASSERT_EQ(kmem_cache_destroy(small), 0);
	test_shutdown(m);
}

TEST(slab_well_known_caches)
{
	struct machine *m = test_boot("ram=64M paging=pae");
	struct kmem_cache_info in;
	void *pgd;

	ASSERT_STREQ(kmem_cache_name(vm_area_cachep(m)), "vm_area_struct");
	ASSERT_EQ(info_of(vm_area_cachep(m)).objsize,
		  ALIGN(sizeof(struct vm_area_struct), BYTES_PER_WORD));
	ASSERT_STREQ(kmem_cache_name(mm_cachep(m)), "mm_struct");
	ASSERT_STREQ(kmem_cache_name(task_struct_cachep(m)), "task_struct");
	in = info_of(pgd_cachep(m));
	ASSERT_STREQ(in.name, "pgd");
	ASSERT_EQ(in.objsize, 32);
	pgd = kmem_cache_alloc(pgd_cachep(m), GFP_KERNEL);
	ASSERT_EQ((uintptr_t)pgd % 32, 0);
	kmem_cache_free(pgd_cachep(m), pgd);
	for (int i = 0; i < 2; i++) {
		char name[32];

		for (size_t s = 32; s <= KMALLOC_MAX_SIZE; s *= 2) {
			snprintf(name, sizeof(name), i ? "size-%zu(DMA)" : "size-%zu", s);
			ASSERT_MSG(kmem_find_cache(m, name), "missing %s", name);
		}
	}
	test_shutdown(m);

	m = test_boot("ram=64M paging=x86_64");
	in = info_of(pgd_cachep(m));
	ASSERT_EQ(in.objsize, 4096);
	pgd = kmem_cache_alloc(pgd_cachep(m), GFP_KERNEL);
	ASSERT_EQ((uintptr_t)pgd % 4096, 0);
	kmem_cache_free(pgd_cachep(m), pgd);
	test_shutdown(m);
}

/* --- debug reports ----------------------------------------------------------- */

static kmem_cache_t *debug_cache(const char *name, unsigned long flags)
{
	kmem_cache_t *c = kmem_cache_create(name, 40, 0, flags, NULL, NULL);

	ASSERT_NOT_NULL(c);
	return c;
}

/* More about the BUG message just caught (EXPECT_BUG runs only in debug builds). */
#define BUG_SAYS(text) do {						\
	if (test_debug_build())						\
		ASSERT_CONTAINS(test_last_bug(), text);			\
} while (0)

static const char *ptr_str(const void *p)
{
	static _Thread_local char buf[32];

	snprintf(buf, sizeof(buf), "%p", p);
	return buf;
}

TEST(slab_debug_redzone_overrun)
{
	struct machine *m = test_boot("ram=32M");
	kmem_cache_t *c = debug_cache("t_rz", SLAB_RED_ZONE | SLAB_POISON);
	unsigned char *p = kmem_cache_alloc(c, GFP_KERNEL);

	p[40] = 0;	/* one byte past the object */
	EXPECT_BUG(kmem_cache_free(c, p), "red zone after the object overwritten");
	BUG_SAYS("cache t_rz");
	BUG_SAYS(ptr_str(p));
	test_discard(m);
}

TEST(slab_debug_redzone_underrun)
{
	struct machine *m = test_boot("ram=32M");
	kmem_cache_t *c = debug_cache("t_rz", SLAB_RED_ZONE);
	unsigned char *p = kmem_cache_alloc(c, GFP_KERNEL);

	p[-1] = 0;
	EXPECT_BUG(kmem_cache_free(c, p), "red zone before the object overwritten (underrun)");
	BUG_SAYS("cache t_rz");
	test_discard(m);
}

TEST(slab_debug_write_after_free)
{
	struct machine *m = test_boot("ram=32M");
	kmem_cache_t *c = debug_cache("t_uaf", SLAB_POISON);
	unsigned char *p = kmem_cache_alloc(c, GFP_KERNEL);

	for (int i = 0; i < 40; i++)
		ASSERT_EQ(p[i], POISON_INUSE);
	kmem_cache_free(c, p);
	ASSERT_EQ(p[0], POISON_FREE);
	ASSERT_EQ(p[39], POISON_END);
	p[7] = 0x42;
	EXPECT_BUG(kmem_cache_alloc(c, GFP_KERNEL), "write after free");
	BUG_SAYS("byte 7 of 40 is 0x42, expected 0x6b");
	BUG_SAYS(ptr_str(p));
	test_discard(m);
}

TEST(slab_debug_write_after_free_seen_at_shrink)
{
	struct machine *m = test_boot("ram=32M");
	kmem_cache_t *c = debug_cache("t_uaf2", SLAB_POISON);
	unsigned char *p = kmem_cache_alloc(c, GFP_KERNEL);

	kmem_cache_free(c, p);
	p[0] = 1;
	EXPECT_BUG(kmem_cache_shrink(c), "write after free (found when destroying the slab)");
	test_discard(m);
}

TEST(slab_debug_double_free_redzone)
{
	struct machine *m = test_boot("ram=32M");
	kmem_cache_t *c = debug_cache("t_df", SLAB_RED_ZONE | SLAB_POISON);
	void *p = kmem_cache_alloc(c, GFP_KERNEL);

	kmem_cache_free(c, p);
	EXPECT_BUG(kmem_cache_free(c, p), "double free of object");
	BUG_SAYS("cache t_df");
	BUG_SAYS(ptr_str(p));
	test_discard(m);
}

TEST(slab_debug_double_free_no_redzone)
{
	struct machine *m = test_boot("ram=32M");
	kmem_cache_t *c = debug_cache("t_df2", SLAB_POISON | SLAB_NO_DEBUG);
	void *p = kmem_cache_alloc(c, GFP_KERNEL), *q = kmem_cache_alloc(c, GFP_KERNEL);
	void *keep = kmem_cache_alloc(c, GFP_KERNEL);	/* keeps the slab alive */

	ASSERT_EQ(info_of(c).flags & SLAB_RED_ZONE, 0);
	ASSERT_NOT_NULL(keep);
	kmem_cache_free(c, p);
	EXPECT_BUG(kmem_cache_free(c, p), "already in cpu 0's array");
	/* once back on its slab, the bufctl entry tells */
	kmem_cache_free(c, q);
	ASSERT_EQ(kmem_cache_shrink(c), 1);
	EXPECT_BUG(kmem_cache_free(c, q), "already on its slab's free list");
	BUG_SAYS(ptr_str(q));
	test_discard(m);
}

TEST(slab_debug_foreign_pointers)
{
	struct machine *m = test_boot("ram=32M");
	kmem_cache_t *a = debug_cache("t_a", SLAB_RED_ZONE);
	kmem_cache_t *b = debug_cache("t_b", SLAB_RED_ZONE);
	char *pa = kmem_cache_alloc(a, GFP_KERNEL), *pb = kmem_cache_alloc(b, GFP_KERNEL);
	struct page *page = alloc_page(GFP_KERNEL);
	int local;

	EXPECT_BUG(kmem_cache_free(a, pb), "belongs to cache t_b");
	BUG_SAYS("kmem_cache_free(t_a)");
	EXPECT_BUG(kmem_cache_free(a, pa + 8), "is not the start of an object");
	EXPECT_BUG(kmem_cache_free(a, page_address(page)), "is not a slab object");
	EXPECT_BUG(kfree(page_address(page)), "kfree: ");
	BUG_SAYS("is not a slab object");
	EXPECT_BUG(kfree(&local), "is not a kernel address");
	EXPECT_BUG(ksize(&local), "is not a kernel address");
	/* nothing was changed by the refused frees */
	kmem_cache_free(a, pa);
	kmem_cache_free(b, pb);
	__free_page(page);
	ASSERT(kmem_cache_is_valid(a));
	ASSERT_EQ(kmem_cache_destroy(a), 0);
	ASSERT_EQ(kmem_cache_destroy(b), 0);
	test_shutdown(m);
}

TEST(slab_debug_destroy_with_live_objects)
{
	struct machine *m = test_boot("ram=32M");
	kmem_cache_t *c = debug_cache("t_live", 0);
	void *p = kmem_cache_alloc(c, GFP_KERNEL), *q = kmem_cache_alloc(c, GFP_KERNEL);

	kmem_cache_free(c, q);
	/* a leak is a BUG in the release build too (issue 10) */
	EXPECT_BUG_ALWAYS(kmem_cache_destroy(c), "cache `t_live': can't free all objects "
			  "(1 still allocated)");
	/* the cache is intact: free the object and destroy for real */
	ASSERT(kmem_find_cache(m, "t_live") == c);
	ASSERT(kmem_cache_is_valid(c));
	kmem_cache_free(c, p);
	ASSERT_EQ(kmem_cache_destroy(c), 0);
	test_shutdown(m);
}

TEST(slab_debug_validator_catches_corruption)
{
	struct machine *m = test_boot("ram=32M");
	kmem_cache_t *c = debug_cache("t_corrupt", SLAB_NO_DEBUG);
	void *p = kmem_cache_alloc(c, GFP_KERNEL);

	ASSERT(kmem_cache_is_valid(c));
	ClearPageSlab(virt_to_page(m, p));
	EXPECT_BUG(kmem_cache_is_valid(c), "kmem_cache_is_valid(t_corrupt)");
	BUG_SAYS("not marked as its page");
	test_discard(m);
}

TEST(slab_debug_on_by_default_in_debug_builds)
{
	struct machine *m = test_boot("ram=32M");
	kmem_cache_t *c = kmem_cache_create("t_default", 100, 0, 0, NULL, NULL);
	kmem_cache_t *n = kmem_cache_create("t_nodebug", 100, 0, SLAB_NO_DEBUG, NULL, NULL);
	unsigned long want = test_debug_build() ? SLAB_RED_ZONE | SLAB_POISON : 0;

	ASSERT_EQ(info_of(c).flags & (SLAB_RED_ZONE | SLAB_POISON), want);
	ASSERT_EQ(info_of(n).flags & (SLAB_RED_ZONE | SLAB_POISON), 0);
	ASSERT_EQ(info_of(n).buffer_size, 104);
	ASSERT_EQ(kmem_cache_destroy(c), 0);
	ASSERT_EQ(kmem_cache_destroy(n), 0);
	test_shutdown(m);
}

/* --- fault injection ----------------------------------------------------------- */

TEST(slab_failslab_nth)
{
	struct machine *m = test_boot("ram=32M");
	kmem_cache_t *c = kmem_cache_create("t_fail", 64, 0, 0, NULL, NULL);
	void *p[4];

	m->cfg.fail_slab_nth = 3;
	p[0] = kmem_cache_alloc(c, GFP_KERNEL);
	p[1] = kmalloc(10, GFP_KERNEL);
	p[2] = kmem_cache_alloc(c, GFP_KERNEL);
	p[3] = kmem_cache_alloc(c, GFP_KERNEL);
	m->cfg.fail_slab_nth = 0;
	ASSERT_NOT_NULL(p[0]);
	ASSERT_NOT_NULL(p[1]);
	ASSERT_NULL(p[2]);
	ASSERT_NOT_NULL(p[3]);
	kmem_cache_free(c, p[0]);
	kfree(p[1]);
	kmem_cache_free(c, p[3]);
	ASSERT_EQ(kmem_cache_destroy(c), 0);
	test_shutdown(m);
}

/* SQLite-style: fail the 1st, 2nd, ... allocation of kmem_cache_create: no leak. */
TEST(slab_failslab_create_unwinds)
{
	struct machine *m = test_boot("ram=32M cpus=2");
	kmem_cache_t *c = NULL;
	uint64_t n;

	for (n = 1; n < 100 && !c; n++) {
		m->cfg.fail_slab_nth = n;
		c = kmem_cache_create("t_failcreate", 300, 0, 0, NULL, NULL);
		m->cfg.fail_slab_nth = 0;
		ASSERT(kmem_is_valid(m));
	}
	ASSERT_NOT_NULL(c);
	ASSERT_CMP(n, >, 2);	/* the descriptor and the arrays failed first */
	ASSERT_EQ(kmem_cache_destroy(c), 0);
	test_shutdown(m);
}

TEST(slab_page_alloc_failure_is_null)
{
	struct machine *m = test_boot("ram=32M");
	kmem_cache_t *c = kmem_cache_create("t_oom", 2048, 0, SLAB_NO_DEBUG, NULL, NULL);
	void **p = malloc(20000 * sizeof(void *));
	int n = 0;

	ASSERT(c && p);
	while (n < 20000 && (p[n] = kmem_cache_alloc(c, GFP_ATOMIC)))
		n++;
	ASSERT_CMP(n, <, 20000);	/* RAM ran out: NULL, no BUG */
	ASSERT(kmem_cache_is_valid(c));
	while (n--)
		kmem_cache_free(c, p[n]);
	ASSERT_EQ(kmem_cache_destroy(c), 0);
	free(p);
	test_shutdown(m);
}

/* --- /proc/slabinfo ------------------------------------------------------------ */

TEST(slab_slabinfo_format)
{
	struct machine *m = test_boot("ram=64M");
	kmem_cache_t *c = kmem_cache_create("t_info", 100, 0, SLAB_NO_DEBUG, NULL, NULL);
	void *p[3];
	struct kmem_cache_info in;
	static const char header[] = "slabinfo - version: 2.1\n# name            <active_objs> "
		"<num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> "
		"<batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> "
		"<sharedavail>\n";
	char want[256], last[64] = "", *text, *line, *save = NULL;
	int lines = 0;

	for (int i = 0; i < 3; i++)
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
	in = info_of(c);
	snprintf(want, sizeof(want),
		 "\nt_info            %6lu %6lu %6zu %4u %4d : tunables %4u %4u %4u : "
		 "slabdata %6lu %6lu %6u\n", in.active_objs, in.num_objs, in.buffer_size,
		 in.num, 1 << in.gfporder, in.limit, in.batchcount, in.sharedfactor,
		 in.active_slabs, in.num_slabs, in.shared_avail);
	text = vmsim_proc_read(m, "slabinfo");
	ASSERT_NOT_NULL(text);
	ASSERT(!strncmp(text, header, strlen(header)));
	ASSERT(!strncmp(text + strlen(header), "t_info ", 7));	/* newest first */
	ASSERT_CONTAINS(text, want);
	ASSERT_CONTAINS(text, "\nsize-131072(DMA)       0      0 131072    1   32 : tunables    8"
			"    4    0 : slabdata      0      0      0\n");
	ASSERT_CONTAINS(text, " : tunables  252  126    8 : slabdata ");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long v[11];

		if (lines++ < 2)
			continue;
		ASSERT_EQ(sscanf(line, "%63s %lu %lu %lu %lu %lu : tunables %lu %lu %lu : "
				 "slabdata %lu %lu %lu", last, &v[0], &v[1], &v[2], &v[3], &v[4],
				 &v[5], &v[6], &v[7], &v[8], &v[9], &v[10]), 12);
		ASSERT_CMP(v[0], <=, v[1]);
		ASSERT_EQ(v[1], v[3] * v[9]);
		ASSERT_CMP(v[8], <=, v[9]);
	}
	ASSERT_STREQ(last, "kmem_cache");	/* the oldest cache is listed last */
	ASSERT_CMP(lines, >, 2 + 2 * 13 + 4);
	free(text);
	for (int i = 0; i < 3; i++)
		kmem_cache_free(c, p[i]);
	ASSERT_EQ(kmem_cache_destroy(c), 0);
	test_shutdown(m);
}

/* --- two CPUs, objects freed by the other CPU --------------------------------------- */

#define STRESS_OPS	60000
#define STRESS_RING	1024

struct stress {
	struct machine *m;
	kmem_cache_t *c;
	pthread_mutex_t lock;
	void *ring[2][STRESS_RING];	/* ring[i]: objects for CPU i to free */
	int head[2], tail[2];
	atomic_int done;
};

static bool ring_push(struct stress *s, int to, void *p)
{
	bool ok;

	pthread_mutex_lock(&s->lock);
	ok = s->head[to] - s->tail[to] < STRESS_RING;
	if (ok)
		s->ring[to][s->head[to]++ % STRESS_RING] = p;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static void *ring_pop(struct stress *s, int me)
{
	void *p = NULL;

	pthread_mutex_lock(&s->lock);
	if (s->tail[me] != s->head[me])
		p = s->ring[me][s->tail[me]++ % STRESS_RING];
	pthread_mutex_unlock(&s->lock);
	return p;
}

static void free_stress_obj(struct stress *s, void *p)
{
	uint32_t *w = p;

	/* kmalloc'd objects carry their size, cache objects a tag of 0 */
	if (w[1])
		kfree(p);
	else
		kmem_cache_free(s->c, p);
}

static void *stress_thread(void *arg)
{
	struct stress *s = arg;
	int me = atomic_fetch_add(&s->done, 1) & 1, other = !me;
	unsigned long long rng = 1234 + (unsigned long long)me;
	void *mine[64] = { 0 };
	bool ok = true;

	vmsim_cpu_attach(s->m, me);
	for (int i = 0; i < STRESS_OPS && ok; i++) {
		unsigned long long r = rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		int slot = (int)((r >> 20) % 64);
		uint32_t *p;
		void *q;

		if (mine[slot]) {
			free_stress_obj(s, mine[slot]);
			mine[slot] = NULL;
		}
		if ((r >> 40) % 4 == 0) {
			uint32_t size = 8 + (uint32_t)((r >> 44) % 3000);

			p = kmalloc(size, GFP_KERNEL);
			ok = p;
			if (p) {
				p[0] = (uint32_t)me;
				p[1] = size;
			}
		} else {
			p = kmem_cache_alloc(s->c, GFP_KERNEL);
			ok = p;
			if (p) {
				p[0] = (uint32_t)me;
				p[1] = 0;
			}
		}
		if (!p)
			break;
		if ((r >> 50) % 2 == 0 && ring_push(s, other, p))
			p = NULL;
		else
			mine[slot] = p;
		while ((q = ring_pop(s, me)) != NULL) {
			ok &= ((uint32_t *)q)[0] == (uint32_t)other;
			free_stress_obj(s, q);
		}
	}
	for (int i = 0; i < 64; i++)
		if (mine[i])
			free_stress_obj(s, mine[i]);
	vmsim_cpu_detach();
	return ok ? s : NULL;
}

TEST(slab_stress_cross_cpu_free)
{
	struct machine *m = test_boot("ram=64M cpus=2");
	struct stress *s = calloc(1, sizeof(*s));
	pthread_t t[2];
	void *res[2];
	void *q;

	ASSERT_NOT_NULL(s);
	s->m = m;
	s->c = kmem_cache_create("t_stress", 96, 0, 0, NULL, NULL);
	ASSERT_NOT_NULL(s->c);
	pthread_mutex_init(&s->lock, NULL);
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&t[i], NULL, stress_thread, s), 0);
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(pthread_join(t[i], &res[i]), 0);
	vmsim_cpu_attach(m, 0);
	ASSERT(res[0] == s && res[1] == s);
	for (int me = 0; me < 2; me++)	/* what the other CPU sent last */
		while ((q = ring_pop(s, me)) != NULL)
			free_stress_obj(s, q);
	kmem_cache_shrink_all(m);
	ASSERT(kmem_is_valid(m));
	ASSERT_EQ(info_of(s->c).active_objs, 0);
	ASSERT_EQ(info_of(s->c).num_slabs, 0);
	ASSERT_EQ(kmem_cache_destroy(s->c), 0);
	pthread_mutex_destroy(&s->lock);
	free(s);
	test_shutdown(m);
}

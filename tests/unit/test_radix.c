/*
 * lib/radix_tree.c: seeded random inserts, deletes and tag changes checked
 * against a plain reference array after every step (lookups, tags) and
 * with the full validator and gang lookups every few steps, as Linux's
 * radix-tree tests; exact preloading; every node back at the end.
 */
#include <stdlib.h>
#include "unit/testlib.h"
#include "kern/radix-tree.h"
#include "kern/fs.h"

#define NREF 512

struct ref {
	unsigned long index;
	uintptr_t item;		/* 0: absent */
	bool tag[RADIX_TREE_MAX_TAGS];
};

static uint64_t rnd(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15ULL;
	uint64_t z = *s;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static void insert(struct radix_tree_root *root, unsigned long index, uintptr_t item)
{
	struct radix_tree_preload rtp = { 0 };
	unsigned int need = radix_tree_nodes_needed(root, index);

	ASSERT_EQ(radix_tree_preload(root, &rtp, need, GFP_KERNEL), 0);
	ASSERT_EQ(radix_tree_insert(root, index, (void *)item, &rtp), 0);
	ASSERT_EQ(rtp.nr, 0);	/* the estimate is exact */
	radix_tree_preload_end(root, &rtp);
}

TEST(radix_random_against_reference)
{
	struct machine *m = test_boot("ram=32M");
	struct radix_tree_root root;
	static struct ref ref[NREF];
	uint64_t seed = 42;
	unsigned long items;

	INIT_RADIX_TREE(&root, m->fs->radix_tree_node_cachep);
	for (int i = 0; i < NREF; i++) {
		/* small, medium and huge indices, some colliding on paths */
		uint64_t r = rnd(&seed);

		ref[i].index = i % 3 == 0 ? r % 200 : i % 3 == 1 ? r % (1UL << 24) : r;
		for (int j = 0; j < i; j++) {
			if (ref[j].index == ref[i].index) {
				ref[i].index += 1UL << 40;	/* distinct, far away */
				j = -1;
			}
		}
		ref[i].item = 0;
	}
	for (int step = 0; step < 6000; step++) {
		struct ref *r = &ref[rnd(&seed) % NREF];
		unsigned int op = rnd(&seed) % 5, t = rnd(&seed) % RADIX_TREE_MAX_TAGS;

		if (op <= 1 && !r->item) {
			r->item = (uintptr_t)(step * 8 + 8);
			insert(&root, r->index, r->item);
		} else if (op == 2 && r->item) {
			ASSERT_EQ((uintptr_t)radix_tree_delete(&root, r->index), r->item);
			memset(r->tag, 0, sizeof(r->tag));
			r->item = 0;
		} else if (op == 3) {
			ASSERT_EQ((uintptr_t)radix_tree_tag_set(&root, r->index, t), r->item);
			if (r->item)
				r->tag[t] = true;
		} else {
			ASSERT_EQ((uintptr_t)radix_tree_tag_clear(&root, r->index, t), r->item);
			r->tag[t] = false;
		}
		ASSERT_EQ((uintptr_t)radix_tree_lookup(&root, r->index), r->item);
		ASSERT_EQ(radix_tree_tag_get(&root, r->index, t), r->tag[t]);
		if (step % 97 == 0) {
			static unsigned long want[NREF], wtag[NREF];
			static void *got[NREF];
			unsigned long n = 0, nt = 0, first = rnd(&seed) % 4 ? 0 : rnd(&seed) % (1UL << 24);

			ASSERT(radix_tree_is_valid(&root, &items));
			for (int i = 0; i < NREF; i++) {
				if (ref[i].item && ref[i].index >= first) {
					want[n++] = ref[i].index;
					if (ref[i].tag[0])
						wtag[nt++] = ref[i].index;
				}
			}
			qsort(want, n, sizeof(want[0]), cmp_ul);
			qsort(wtag, nt, sizeof(wtag[0]), cmp_ul);
			ASSERT_EQ(radix_tree_gang_lookup(&root, got, first, NREF), n);
			for (unsigned long i = 0; i < n; i++)
				ASSERT_EQ((uintptr_t)got[i], (uintptr_t)radix_tree_lookup(&root, want[i]));
			ASSERT_EQ(radix_tree_gang_lookup_tag(&root, got, first, NREF, 0), nt);
			for (unsigned long i = 0; i < nt; i++)
				ASSERT_EQ((uintptr_t)got[i], (uintptr_t)radix_tree_lookup(&root, wtag[i]));
			if (!first)
				ASSERT_EQ(radix_tree_tagged(&root, 0), nt > 0);
		}
	}
	for (int i = 0; i < NREF; i++)
		if (ref[i].item)
			ASSERT_EQ((uintptr_t)radix_tree_delete(&root, ref[i].index), ref[i].item);
	ASSERT(radix_tree_is_valid(&root, &items));
	ASSERT_EQ(items, 0);
	ASSERT_EQ(root.height, 0);
	ASSERT_NULL(root.rnode);
	test_shutdown(m);	/* every node back in its cache */
}

TEST(radix_grow_shrink_and_limits)
{
	struct machine *m = test_boot("ram=32M");
	struct radix_tree_root root;
	struct radix_tree_preload rtp = { 0 };
	void *got[4];

	INIT_RADIX_TREE(&root, m->fs->radix_tree_node_cachep);
	ASSERT_EQ(radix_tree_nodes_needed(&root, 0), 1);
	ASSERT_EQ(radix_tree_nodes_needed(&root, 64), 2);
	ASSERT_EQ(radix_tree_nodes_needed(&root, ~0UL), RADIX_TREE_MAX_PATH);
	insert(&root, 5, 0x50);
	ASSERT_EQ(root.height, 1);
	insert(&root, ~0UL, 0x60);
	ASSERT_EQ(root.height, RADIX_TREE_MAX_PATH);
	ASSERT_EQ(radix_tree_gang_lookup(&root, got, 6, 4), 1);
	ASSERT_EQ((uintptr_t)got[0], 0x60);
	/* a duplicate is refused */
	ASSERT_EQ(radix_tree_preload(&root, &rtp, radix_tree_nodes_needed(&root, 5), GFP_KERNEL), 0);
	ASSERT_EQ(radix_tree_insert(&root, 5, (void *)0x70, &rtp), -EEXIST);
	radix_tree_preload_end(&root, &rtp);
	/* deleting the high item shrinks the tree back to one level */
	ASSERT_EQ((uintptr_t)radix_tree_delete(&root, ~0UL), 0x60);
	ASSERT_EQ(root.height, 1);
	ASSERT_NULL(radix_tree_delete(&root, 6));
	ASSERT_NULL(radix_tree_lookup(&root, 1UL << 50));
	ASSERT(radix_tree_is_valid(&root, NULL));
	ASSERT_EQ((uintptr_t)radix_tree_delete(&root, 5), 0x50);
	ASSERT_EQ(root.height, 0);
	test_shutdown(m);
}

/*
 * lib/rbtree.c: seeded random inserts and erases with a full check after
 * every step (colours, black heights, parent links, order, iteration both
 * ways against a reference array), as Linux's lib/rbtree_test.c.
 */
#include <stdlib.h>
#include "harness.h"
#include "kern/rbtree.h"

struct item {
	struct rb_node rb;
	unsigned long key;
	bool in;
};

static void item_insert(struct rb_root *root, struct item *it)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;

	while (*link) {
		struct item *cur = rb_entry(*link, struct item, rb);

		parent = *link;
		link = it->key < cur->key ? &(*link)->rb_left : &(*link)->rb_right;
	}
	rb_link_node(&it->rb, parent, link);
	rb_insert_color(&it->rb, root);
	it->in = true;
}

static uint64_t rnd_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* The tree must hold exactly the items marked in, in key order, both ways. */
static void check_tree(struct rb_root *root, struct item *items, int n)
{
	unsigned long keys[512];
	int nk = 0, i;
	struct rb_node *node;

	ASSERT(rb_tree_is_valid(root));
	for (i = 0; i < n; i++)
		if (items[i].in)
			keys[nk++] = items[i].key;
	qsort(keys, nk, sizeof(keys[0]), cmp_ul);
	i = 0;
	for (node = rb_first(root); node; node = rb_next(node)) {
		ASSERT_CMP(i, <, nk);
		ASSERT_EQ(rb_entry(node, struct item, rb)->key, keys[i]);
		i++;
	}
	ASSERT_EQ(i, nk);
	for (node = rb_last(root); node; node = rb_prev(node)) {
		i--;
		ASSERT_EQ(rb_entry(node, struct item, rb)->key, keys[i]);
	}
	ASSERT_EQ(i, 0);
}

TEST(rbtree_empty)
{
	struct rb_root root = RB_ROOT;

	ASSERT(rb_tree_is_valid(&root));
	ASSERT_NULL(rb_first(&root));
	ASSERT_NULL(rb_last(&root));
}

TEST(rbtree_sequential_insert_then_erase)
{
	static struct item items[256];
	struct rb_root root = RB_ROOT;
	int i;

	for (i = 0; i < 256; i++) {
		items[i].key = (unsigned long)i;
		items[i].in = false;
		item_insert(&root, &items[i]);
		check_tree(&root, items, i + 1);
	}
	/* 256 ascending keys: a red-black tree is at most 2*log2(n+1) deep */
	for (i = 255; i >= 0; i -= 2) {
		rb_erase(&items[i].rb, &root);
		items[i].in = false;
		check_tree(&root, items, 256);
	}
	for (i = 0; i < 256; i += 2) {
		rb_erase(&items[i].rb, &root);
		items[i].in = false;
		check_tree(&root, items, 256);
	}
	ASSERT(RB_EMPTY_ROOT(&root));
}

TEST(rbtree_random_insert_erase)
{
	static struct item items[512];
	struct rb_root root = RB_ROOT;
	uint64_t seed = 42;
	int round, i;

	for (round = 0; round < 8; round++) {
		for (i = 0; i < 512; i++) {
			items[i].key = rnd_next(&seed) % 1000;	/* duplicates too */
			items[i].in = false;
		}
		for (i = 0; i < 2000; i++) {
			struct item *it = &items[rnd_next(&seed) % 512];

			if (it->in) {
				rb_erase(&it->rb, &root);
				it->in = false;
			} else {
				item_insert(&root, it);
			}
			check_tree(&root, items, 512);
		}
		for (i = 0; i < 512; i++) {
			if (items[i].in) {
				rb_erase(&items[i].rb, &root);
				items[i].in = false;
				check_tree(&root, items, 512);
			}
		}
		ASSERT(RB_EMPTY_ROOT(&root));
	}
}

TEST(rbtree_replace_node)
{
	static struct item items[64], repl;
	struct rb_root root = RB_ROOT;
	int i;

	for (i = 0; i < 64; i++) {
		items[i].key = (unsigned long)i * 2;
		items[i].in = false;
		item_insert(&root, &items[i]);
	}
	repl.key = items[21].key;
	rb_replace_node(&items[21].rb, &repl.rb, &root);
	items[21].in = false;
	repl.in = true;
	ASSERT(rb_tree_is_valid(&root));
	ASSERT(rb_next(&items[20].rb) == &repl.rb);
	ASSERT(rb_prev(&items[22].rb) == &repl.rb);
	rb_erase(&repl.rb, &root);
	check_tree(&root, items, 64);
}

TEST(rbtree_validator_catches_broken_trees)
{
	static struct item items[16];
	struct rb_root root = RB_ROOT;
	struct rb_node *n;
	unsigned long saved;
	int i;

	for (i = 0; i < 16; i++) {
		items[i].key = (unsigned long)i;
		item_insert(&root, &items[i]);
	}
	ASSERT(rb_tree_is_valid(&root));
	/* a red root */
	saved = root.rb_node->__rb_parent_color;
	root.rb_node->__rb_parent_color &= ~1UL;
	ASSERT(!rb_tree_is_valid(&root));
	root.rb_node->__rb_parent_color = saved;
	/* flip the colour of a leaf-level node: a black height or red-red breaks */
	n = rb_first(&root);
	n->__rb_parent_color ^= 1UL;
	ASSERT(!rb_tree_is_valid(&root));
	n->__rb_parent_color ^= 1UL;
	/* a wrong parent link */
	saved = n->__rb_parent_color;
	n->__rb_parent_color = (unsigned long)&items[15].rb | (saved & 1UL);
	ASSERT(!rb_tree_is_valid(&root));
	n->__rb_parent_color = saved;
	ASSERT(rb_tree_is_valid(&root));
}

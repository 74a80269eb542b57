/*
 * lib/radix_tree.c - the page-cache index: a radix tree of 64-way nodes
 * with per-slot tag bitmaps, as Linux 2.6's lib/radix-tree.c (see
 * include/kern/radix-tree.h for the shape and the preload protocol).
 * No locking here: the caller holds the lock of the tree's owner.
 */
#include <errno.h>
#include <string.h>
#include "kern/radix-tree.h"

/* Largest index a tree of @height levels holds. */
static unsigned long height_to_maxindex(unsigned int height)
{
	unsigned int shift = height * RADIX_TREE_MAP_SHIFT;

	if (height == 0)
		return 0;	/* empty tree: nothing, not even index 0 */
	return shift >= 64 ? ~0UL : (1UL << shift) - 1;
}

/* Levels needed for @index (1 for 0 .. 63). */
static unsigned int index_height(unsigned long index)
{
	unsigned int h = 1;

	while (h < RADIX_TREE_MAX_PATH && index > height_to_maxindex(h))
		h++;
	return h;
}

/* The slot of @index in a node at @level (1 = bottom). */
static unsigned int slot_of(unsigned long index, unsigned int level)
{
	unsigned int shift = (level - 1) * RADIX_TREE_MAP_SHIFT;

	return shift >= 64 ? 0 : (unsigned int)((index >> shift) & RADIX_TREE_MAP_MASK);
}

static inline bool node_tag_any(const struct radix_tree_node *n, unsigned int tag)
{
	return n->tags[tag] != 0;
}

unsigned int radix_tree_nodes_needed(const struct radix_tree_root *root, unsigned long index)
{
	unsigned int want = index_height(index), level;
	const struct radix_tree_node *node;

	if (root->height == 0)
		return want;
	if (want > root->height)
		/* new levels on top, then a fresh path below the new top */
		return (want - root->height) + (want - 1);
	node = root->rnode;
	for (level = root->height; level > 1; level--) {
		const struct radix_tree_node *child = node->slots[slot_of(index, level)];

		if (!child)
			return level - 1;
		node = child;
	}
	return 0;
}

int radix_tree_preload(struct radix_tree_root *root, struct radix_tree_preload *rtp,
		       unsigned int nr, gfp_t gfp_mask)
{
	VM_BUG_ON_MSG(nr > 2 * RADIX_TREE_MAX_PATH, "radix_tree_preload: %u nodes", nr);
	while ((unsigned int)rtp->nr < nr) {
		struct radix_tree_node *n = kmem_cache_alloc(root->node_cachep, gfp_mask);

		if (!n)
			return -ENOMEM;
		memset(n, 0, sizeof(*n));
		rtp->nodes[rtp->nr++] = n;
	}
	return 0;
}

void radix_tree_preload_end(struct radix_tree_root *root, struct radix_tree_preload *rtp)
{
	while (rtp->nr > 0)
		kmem_cache_free(root->node_cachep, rtp->nodes[--rtp->nr]);
}

static struct radix_tree_node *take_node(struct radix_tree_preload *rtp)
{
	BUG_ON_MSG(rtp->nr <= 0, "radix_tree_insert: preload exhausted");
	return rtp->nodes[--rtp->nr];
}

/* Add levels on top until @index fits; the old tree hangs from slot 0. */
static void radix_tree_extend(struct radix_tree_root *root, unsigned long index,
			      struct radix_tree_preload *rtp)
{
	unsigned int want = index_height(index);

	if (root->height == 0) {
		root->height = want;	/* the path below is made by insert */
		return;
	}
	while (root->height < want) {
		struct radix_tree_node *n = take_node(rtp);

		n->slots[0] = root->rnode;
		n->count = 1;
		/* the tags of the old tree carry up through slot 0 */
		for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++)
			if (root->tags & (1u << t))
				n->tags[t] = 1;
		root->rnode = n;
		root->height++;
	}
}

int radix_tree_insert(struct radix_tree_root *root, unsigned long index, void *item,
		      struct radix_tree_preload *rtp)
{
	struct radix_tree_node **slotp, *node = NULL;
	unsigned int level;

	BUG_ON_MSG(!item, "radix_tree_insert: NULL item at index %lu", index);
	if (!root->height || index > height_to_maxindex(root->height))
		radix_tree_extend(root, index, rtp);
	slotp = &root->rnode;
	for (level = root->height; level > 0; level--) {
		unsigned int off;

		if (!*slotp) {
			*slotp = take_node(rtp);
			if (node)
				node->count++;
		}
		node = *slotp;
		off = slot_of(index, level);
		slotp = (struct radix_tree_node **)&node->slots[off];
	}
	if (*slotp)
		return -EEXIST;
	*slotp = item;
	node->count++;
	return 0;
}

/* The slot holding @index's item (NULL if the path is missing). */
static void **lookup_slot(const struct radix_tree_root *root, unsigned long index)
{
	struct radix_tree_node *node = root->rnode;
	unsigned int level;

	if (!root->height || index > height_to_maxindex(root->height))
		return NULL;
	for (level = root->height; level > 1; level--) {
		node = node->slots[slot_of(index, level)];
		if (!node)
			return NULL;
	}
	return &node->slots[slot_of(index, 1)];
}

void *radix_tree_lookup(const struct radix_tree_root *root, unsigned long index)
{
	void **slot = lookup_slot(root, index);

	return slot ? *slot : NULL;
}

/* The path to @index: path[level] = node at that level, for level h .. 1. */
static bool walk_path(const struct radix_tree_root *root, unsigned long index,
		      struct radix_tree_node **path)
{
	struct radix_tree_node *node = root->rnode;
	unsigned int level;

	if (!root->height || index > height_to_maxindex(root->height))
		return false;
	for (level = root->height; level > 0; level--) {
		path[level] = node;
		if (level > 1) {
			node = node->slots[slot_of(index, level)];
			if (!node)
				return false;
		}
	}
	return path[1]->slots[slot_of(index, 1)] != NULL;
}

void *radix_tree_tag_set(struct radix_tree_root *root, unsigned long index, unsigned int tag)
{
	struct radix_tree_node *path[RADIX_TREE_MAX_PATH + 1];

	VM_BUG_ON_MSG(tag >= RADIX_TREE_MAX_TAGS, "radix tree tag %u", tag);
	if (!walk_path(root, index, path))
		return NULL;
	for (unsigned int level = 1; level <= root->height; level++)
		path[level]->tags[tag] |= 1ULL << slot_of(index, level);
	root->tags |= 1u << tag;
	return path[1]->slots[slot_of(index, 1)];
}

/* Clear @tag along @path from the bottom while nodes lose their last tagged slot. */
static void clear_tag_path(struct radix_tree_root *root, struct radix_tree_node **path,
			   unsigned long index, unsigned int tag)
{
	unsigned int level;

	for (level = 1; level <= root->height; level++) {
		path[level]->tags[tag] &= ~(1ULL << slot_of(index, level));
		if (node_tag_any(path[level], tag))
			return;
	}
	root->tags &= ~(1u << tag);
}

void *radix_tree_tag_clear(struct radix_tree_root *root, unsigned long index, unsigned int tag)
{
	struct radix_tree_node *path[RADIX_TREE_MAX_PATH + 1];

	VM_BUG_ON_MSG(tag >= RADIX_TREE_MAX_TAGS, "radix tree tag %u", tag);
	if (!walk_path(root, index, path))
		return NULL;
	clear_tag_path(root, path, index, tag);
	return path[1]->slots[slot_of(index, 1)];
}

bool radix_tree_tag_get(const struct radix_tree_root *root, unsigned long index,
			unsigned int tag)
{
	struct radix_tree_node *path[RADIX_TREE_MAX_PATH + 1];

	if (!walk_path(root, index, path))
		return false;
	return path[1]->tags[tag] & (1ULL << slot_of(index, 1));
}

/* Drop top nodes that only use slot 0 (the tree's indices all fit below). */
static void radix_tree_shrink(struct radix_tree_root *root)
{
	while (root->height > 1) {
		struct radix_tree_node *top = root->rnode;

		if (top->count != 1 || !top->slots[0])
			break;
		root->rnode = top->slots[0];
		root->height--;
		kmem_cache_free(root->node_cachep, top);
	}
}

void *radix_tree_delete(struct radix_tree_root *root, unsigned long index)
{
	struct radix_tree_node *path[RADIX_TREE_MAX_PATH + 1];
	unsigned int level;
	void *item;

	if (!walk_path(root, index, path))
		return NULL;
	item = path[1]->slots[slot_of(index, 1)];
	for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++)
		if (path[1]->tags[t] & (1ULL << slot_of(index, 1)))
			clear_tag_path(root, path, index, t);
	/* free nodes that became empty, bottom up */
	for (level = 1; level <= root->height; level++) {
		struct radix_tree_node *n = path[level];

		n->slots[slot_of(index, level)] = NULL;
		if (--n->count)
			break;
		kmem_cache_free(root->node_cachep, n);
		if (level == root->height) {
			root->rnode = NULL;
			root->height = 0;
			root->tags = 0;
			return item;
		}
	}
	radix_tree_shrink(root);
	return item;
}

struct gang {
	void **results;
	unsigned int max, nr;
	int tag;		/* -1: any item */
};

/* Collect items at indices >= @first below @node (level @level, base index @base). */
static void gang_walk(struct radix_tree_node *node, unsigned int level, unsigned long base,
		      unsigned long first, struct gang *g)
{
	unsigned int shift = (level - 1) * RADIX_TREE_MAP_SHIFT;
	unsigned long span = shift >= 64 ? 0 : 1UL << shift;	/* 0: whole space */
	unsigned int off = 0;

	if (first > base)
		off = slot_of(first, level);
	for (; off < RADIX_TREE_MAP_SIZE && g->nr < g->max; off++) {
		unsigned long child_base = base + (unsigned long)off * span;

		if (!node->slots[off])
			continue;
		if (g->tag >= 0 && !(node->tags[g->tag] & (1ULL << off)))
			continue;
		if (level == 1)
			g->results[g->nr++] = node->slots[off];
		else
			gang_walk(node->slots[off], level - 1, child_base,
				  first > child_base ? first : child_base, g);
	}
}

static unsigned int gang_lookup(const struct radix_tree_root *root, void **results,
				unsigned long first, unsigned int max, int tag)
{
	struct gang g = { results, max, 0, tag };

	if (!root->rnode || first > height_to_maxindex(root->height) || !max)
		return 0;
	if (tag >= 0 && !radix_tree_tagged(root, (unsigned int)tag))
		return 0;
	gang_walk(root->rnode, root->height, 0, first, &g);
	return g.nr;
}

unsigned int radix_tree_gang_lookup(const struct radix_tree_root *root, void **results,
				    unsigned long first, unsigned int max)
{
	return gang_lookup(root, results, first, max, -1);
}

unsigned int radix_tree_gang_lookup_tag(const struct radix_tree_root *root, void **results,
					unsigned long first, unsigned int max, unsigned int tag)
{
	VM_BUG_ON_MSG(tag >= RADIX_TREE_MAX_TAGS, "radix tree tag %u", tag);
	return gang_lookup(root, results, first, max, (int)tag);
}

/* Check @node at @level; returns its tag summary bits, counts items. */
static unsigned int node_check(const struct radix_tree_node *node, unsigned int level,
			       unsigned long base, unsigned long *items)
{
	unsigned int shift = (level - 1) * RADIX_TREE_MAP_SHIFT, count = 0, summary = 0;
	unsigned long span = shift >= 64 ? 0 : 1UL << shift;

	for (unsigned int off = 0; off < RADIX_TREE_MAP_SIZE; off++) {
		unsigned long idx = base + off * span;

		if (!node->slots[off]) {
			for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++)
				BUG_ON_MSG(node->tags[t] & (1ULL << off),
					   "radix node %p: tag %u on empty slot at index %lu",
					   (void *)node, t, idx);
			continue;
		}
		count++;
		if (level == 1) {
			(*items)++;
		} else {
			unsigned int below = node_check(node->slots[off], level - 1, idx, items);

			for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++)
				BUG_ON_MSG(!!(node->tags[t] & (1ULL << off)) != !!(below & (1u << t)),
					   "radix node %p: tag %u of slot for index %lu disagrees with its subtree",
					   (void *)node, t, idx);
		}
		for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++)
			if (node->tags[t] & (1ULL << off))
				summary |= 1u << t;
	}
	BUG_ON_MSG(count != node->count, "radix node %p (index %lu, level %u): count %u, %u slots used",
		   (void *)node, base, level, node->count, count);
	BUG_ON_MSG(count == 0, "radix node %p (index %lu): empty node left in the tree",
		   (void *)node, base);
	return summary;
}

bool radix_tree_is_valid(const struct radix_tree_root *root, unsigned long *items)
{
	unsigned long n = 0;

	if (root->height == 0) {
		BUG_ON_MSG(root->rnode || root->tags, "radix tree %p: height 0 but not empty",
			   (const void *)root);
	} else {
		unsigned int summary;

		BUG_ON_MSG(!root->rnode, "radix tree %p: height %u, no root node",
			   (const void *)root, root->height);
		summary = node_check(root->rnode, root->height, 0, &n);
		BUG_ON_MSG(summary != root->tags, "radix tree %p: root tags %#x, nodes say %#x",
			   (const void *)root, root->tags, summary);
		BUG_ON_MSG(root->height > 1 && root->rnode->count == 1 && root->rnode->slots[0],
			   "radix tree %p: height %u could shrink", (const void *)root, root->height);
	}
	if (items)
		*items = n;
	return true;
}

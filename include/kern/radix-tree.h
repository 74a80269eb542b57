/*
 * Radix trees (Linux 2.6 lib/radix-tree.c): the page-cache index of an
 * address_space.  2.4 chained page-cache pages on a global hash through
 * struct page (next_hash/pprev_hash); our struct page has no room for
 * that (64 bytes), so each address_space keeps its pages in a radix tree
 * keyed by page index, as Linux does since 2.6.
 *
 *   root (height h) -> node -> ... -> node -> items   (h levels of nodes)
 *
 * Each node has RADIX_TREE_MAP_SIZE slots (6 bits of the index per level)
 * and, per tag, a bitmap of the slots below which some item carries the
 * tag (tag 0: dirty, tag 1: writeback, for the page cache).  A tree of
 * height h holds indices 0 .. 64^h - 1; it grows at the top on demand and
 * shrinks when only slot 0 of the top node is used.
 *
 * No locking inside: the owner serialises (mapping->tree_lock).  Nodes
 * come from the slab cache "radix_tree_node".  Insertion never allocates:
 * the caller preloads the exact number of nodes it needs while not
 * holding its lock (radix_tree_nodes_needed / radix_tree_preload), so a
 * tree update under a spinlock never enters the page allocator.
 */
#ifndef KERN_RADIX_TREE_H
#define KERN_RADIX_TREE_H

#include "kern/slab.h"

#define RADIX_TREE_MAP_SHIFT	6
#define RADIX_TREE_MAP_SIZE	(1UL << RADIX_TREE_MAP_SHIFT)
#define RADIX_TREE_MAP_MASK	(RADIX_TREE_MAP_SIZE - 1)
#define RADIX_TREE_MAX_TAGS	2
/* levels needed for a full unsigned long index */
#define RADIX_TREE_MAX_PATH	((64 + RADIX_TREE_MAP_SHIFT - 1) / RADIX_TREE_MAP_SHIFT)

struct radix_tree_node {
	unsigned int count;				/* non-NULL slots */
	unsigned int pad;
	uint64_t tags[RADIX_TREE_MAX_TAGS];		/* slot bitmaps */
	void *slots[RADIX_TREE_MAP_SIZE];
};

struct radix_tree_root {
	unsigned int height;		/* 0: empty */
	unsigned int tags;		/* bit t: some item carries tag t */
	struct radix_tree_node *rnode;
	kmem_cache_t *node_cachep;	/* where nodes come from and go back to */
};

/* Nodes allocated ahead of an insertion (caller's stack). */
struct radix_tree_preload {
	int nr;
	struct radix_tree_node *nodes[2 * RADIX_TREE_MAX_PATH];
};

static inline void INIT_RADIX_TREE(struct radix_tree_root *root, kmem_cache_t *cachep)
{
	root->height = 0;
	root->tags = 0;
	root->rnode = NULL;
	root->node_cachep = cachep;
}

/* Nodes radix_tree_insert(@index) would create now. */
unsigned int radix_tree_nodes_needed(const struct radix_tree_root *root, unsigned long index);
/* Top @rtp up to @nr nodes (no locks held): 0 or -ENOMEM. */
int radix_tree_preload(struct radix_tree_root *root, struct radix_tree_preload *rtp,
		       unsigned int nr, gfp_t gfp_mask);
/* Give unused preloaded nodes back. */
void radix_tree_preload_end(struct radix_tree_root *root, struct radix_tree_preload *rtp);

/*
 * radix_tree_insert - store @item (non-NULL) at @index, taking nodes from
 * @rtp (which must hold radix_tree_nodes_needed()).  0, or -EEXIST.
 */
int radix_tree_insert(struct radix_tree_root *root, unsigned long index, void *item,
		      struct radix_tree_preload *rtp);
void *radix_tree_lookup(const struct radix_tree_root *root, unsigned long index);
/* Remove and return the item at @index (NULL if none); its tags go too. */
void *radix_tree_delete(struct radix_tree_root *root, unsigned long index);
/*
 * Up to @max items with index >= @first, ascending, into @results;
 * returns how many.  With _tag, only items carrying @tag.
 */
unsigned int radix_tree_gang_lookup(const struct radix_tree_root *root, void **results,
				    unsigned long first, unsigned int max);
unsigned int radix_tree_gang_lookup_tag(const struct radix_tree_root *root, void **results,
					unsigned long first, unsigned int max, unsigned int tag);
/* Tag the item at @index (which must exist); returns it, or NULL if absent. */
void *radix_tree_tag_set(struct radix_tree_root *root, unsigned long index, unsigned int tag);
/* Clear @tag on the item at @index; returns the item or NULL. */
void *radix_tree_tag_clear(struct radix_tree_root *root, unsigned long index, unsigned int tag);
bool radix_tree_tag_get(const struct radix_tree_root *root, unsigned long index,
			unsigned int tag);
static inline bool radix_tree_tagged(const struct radix_tree_root *root, unsigned int tag)
{
	return root->tags & (1u << tag);
}
/*
 * radix_tree_is_valid - node counts match their slots, tag bitmaps match
 * the items below, the top node is not shrinkable.  BUGs naming the node
 * and index on a broken tree; returns true (and the item count in *items).
 */
bool radix_tree_is_valid(const struct radix_tree_root *root, unsigned long *items);

#endif

/*
 * Red-black trees with the node embedded in the object, as Linux's
 * <linux/rbtree.h>: the caller walks down to the insertion point itself,
 * links the node with rb_link_node() and rebalances with rb_insert_color().
 * Used for the VMAs of an address space (mm->mm_rb) and vmalloc areas.
 * Implementation: lib/rbtree.c.
 */
#ifndef KERN_RBTREE_H
#define KERN_RBTREE_H

#include "lib/compiler.h"

struct rb_node {
	unsigned long __rb_parent_color;	/* parent pointer | colour (bit 0: 1 = black) */
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __attribute__((aligned(sizeof(long))));

struct rb_root {
	struct rb_node *rb_node;
};

#define RB_ROOT (struct rb_root) { NULL }
#define rb_parent(r) ((struct rb_node *)((r)->__rb_parent_color & ~3UL))
#define rb_entry(ptr, type, member) container_of(ptr, type, member)
#define RB_EMPTY_ROOT(root) ((root)->rb_node == NULL)

static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **rb_link)
{
	node->__rb_parent_color = (unsigned long)parent;	/* red */
	node->rb_left = node->rb_right = NULL;
	*rb_link = node;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root);
void rb_erase(struct rb_node *node, struct rb_root *root);
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);
void rb_replace_node(struct rb_node *victim, struct rb_node *newnode, struct rb_root *root);
/* Check colours, black heights and parent links; for tests. */
bool rb_tree_is_valid(const struct rb_root *root);

#endif

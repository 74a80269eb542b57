/*
 * Red-black trees (include/kern/rbtree.h): insertion rebalancing, erase,
 * in-order iteration and a validator.  The tree holds no keys: callers
 * walk down themselves and link the node (rb_link_node), then call
 * rb_insert_color.  Properties kept:
 *   1. every node is red or black;  2. the root is black;
 *   3. a red node has no red child;
 *   4. every path from a node down to a NULL leaf has the same number of
 *      black nodes (its black height).
 * Notation in the diagrams: upper case = black, lower case = red,
 * (x) = either colour.
 */
#include "kern/rbtree.h"

#define RB_RED		0UL
#define RB_BLACK	1UL

static inline bool rb_is_black(const struct rb_node *n)
{
	return !n || (n->__rb_parent_color & RB_BLACK);	/* NULL leaves are black */
}
static inline bool rb_is_red(const struct rb_node *n)
{
	return !rb_is_black(n);
}
static inline void rb_set_parent(struct rb_node *n, struct rb_node *p)
{
	n->__rb_parent_color = (n->__rb_parent_color & 3UL) | (unsigned long)p;
}
static inline void rb_set_color(struct rb_node *n, unsigned long color)
{
	n->__rb_parent_color = (n->__rb_parent_color & ~1UL) | color;
}

/* Make @new take @old's place as the child of @parent (or as the root). */
static inline void rb_change_child(struct rb_node *old, struct rb_node *new,
				   struct rb_node *parent, struct rb_root *root)
{
	if (!parent)
		root->rb_node = new;
	else if (parent->rb_left == old)
		parent->rb_left = new;
	else
		parent->rb_right = new;
}

/*
 * Left rotation around @x:
 *
 *       X                Y
 *      / \              / \
 *     a   Y    -->     X   c
 *        / \          / \
 *       b   c        a   b
 */
static void rb_rotate_left(struct rb_node *x, struct rb_root *root)
{
	struct rb_node *y = x->rb_right, *parent = rb_parent(x);

	x->rb_right = y->rb_left;
	if (y->rb_left)
		rb_set_parent(y->rb_left, x);
	y->rb_left = x;
	rb_set_parent(y, parent);
	rb_change_child(x, y, parent, root);
	rb_set_parent(x, y);
}

/* Right rotation around @x: the mirror image of rb_rotate_left. */
static void rb_rotate_right(struct rb_node *x, struct rb_root *root)
{
	struct rb_node *y = x->rb_left, *parent = rb_parent(x);

	x->rb_left = y->rb_right;
	if (y->rb_right)
		rb_set_parent(y->rb_right, x);
	y->rb_right = x;
	rb_set_parent(y, parent);
	rb_change_child(x, y, parent, root);
	rb_set_parent(x, y);
}

/*
 * rb_insert_color - rebalance after rb_link_node put the red @node in.
 * Only property 3 can be broken: @node and its parent both red.
 */
void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *parent, *gparent, *uncle;

	while ((parent = rb_parent(node)) && rb_is_red(parent)) {
		gparent = rb_parent(parent);	/* exists: a red parent is not the root */
		if (parent == gparent->rb_left) {
			uncle = gparent->rb_right;
			if (rb_is_red(uncle)) {
				/*
				 * Case 1: red uncle.  Recolour and go up two levels.
				 *
				 *       G            g
				 *      / \          / \
				 *     p   u  -->   P   U
				 *    /            /
				 *   n            n
				 */
				rb_set_color(uncle, RB_BLACK);
				rb_set_color(parent, RB_BLACK);
				rb_set_color(gparent, RB_RED);
				node = gparent;
				continue;
			}
			if (node == parent->rb_right) {
				/*
				 * Case 2: black uncle, node an inner child.  Rotate
				 * the parent so the node becomes an outer child.
				 *
				 *      G             G
				 *     / \           / \
				 *    p   U  -->    n   U
				 *     \           /
				 *      n         p
				 */
				rb_rotate_left(parent, root);
				struct rb_node *tmp = parent;
				parent = node;
				node = tmp;
			}
			/*
			 * Case 3: black uncle, node an outer child.  Rotate the
			 * grandparent and swap colours; the subtree's root is
			 * black again and the loop ends.
			 *
			 *        G           P
			 *       / \         / \
			 *      p   U  -->  n   g
			 *     /                 \
			 *    n                   U
			 */
			rb_set_color(parent, RB_BLACK);
			rb_set_color(gparent, RB_RED);
			rb_rotate_right(gparent, root);
		} else {
			/* the mirror images of cases 1-3 */
			uncle = gparent->rb_left;
			if (rb_is_red(uncle)) {
				rb_set_color(uncle, RB_BLACK);
				rb_set_color(parent, RB_BLACK);
				rb_set_color(gparent, RB_RED);
				node = gparent;
				continue;
			}
			if (node == parent->rb_left) {
				rb_rotate_right(parent, root);
				struct rb_node *tmp = parent;
				parent = node;
				node = tmp;
			}
			rb_set_color(parent, RB_BLACK);
			rb_set_color(gparent, RB_RED);
			rb_rotate_left(gparent, root);
		}
	}
	rb_set_color(root->rb_node, RB_BLACK);
}

/*
 * rb_erase_color - fix the tree after a black node was removed from below
 * @parent, on the side where @node (possibly NULL) now sits: that side is
 * one black short ("double black" at @node).
 */
static void rb_erase_color(struct rb_node *node, struct rb_node *parent, struct rb_root *root)
{
	struct rb_node *sibling;

	while (rb_is_black(node) && node != root->rb_node) {
		if (parent->rb_left == node) {
			sibling = parent->rb_right;
			if (rb_is_red(sibling)) {
				/*
				 * Case 1: red sibling.  Rotate so the sibling is black
				 * and continue with one of cases 2-4.
				 *
				 *     P               S
				 *    / \             / \
				 *   N   s    -->    p   Sr
				 *      / \         / \
				 *     Sl  Sr      N   Sl
				 */
				rb_set_color(sibling, RB_BLACK);
				rb_set_color(parent, RB_RED);
				rb_rotate_left(parent, root);
				sibling = parent->rb_right;
			}
			if (rb_is_black(sibling->rb_left) && rb_is_black(sibling->rb_right)) {
				/*
				 * Case 2: black sibling with black children.  Paint
				 * the sibling red: both sides are now short, so the
				 * problem moves up to the parent (or ends there if it
				 * was red: painting it black restores the count).
				 *
				 *    (p)           (p)
				 *    / \           / \
				 *   N   S    -->  N   s
				 *      / \           / \
				 *     Sl  Sr        Sl  Sr
				 */
				rb_set_color(sibling, RB_RED);
				node = parent;
				parent = rb_parent(node);
				continue;
			}
			if (rb_is_black(sibling->rb_right)) {
				/*
				 * Case 3: black sibling, its inner child red and outer
				 * black.  Rotate the sibling to make case 4.
				 *
				 *   (p)           (p)
				 *   / \           / \
				 *  N   S    -->  N   sl
				 *     / \              \
				 *    sl  Sr             S
				 *                        \
				 *                         Sr
				 */
				rb_set_color(sibling->rb_left, RB_BLACK);
				rb_set_color(sibling, RB_RED);
				rb_rotate_right(sibling, root);
				sibling = parent->rb_right;
			}
			/*
			 * Case 4: black sibling, its outer child red.  Rotate the
			 * parent: the node's side gains a black, done.
			 *
			 *      (p)             (s)
			 *      / \             / \
			 *     N   S     -->   P   Sr
			 *        / \         / \
			 *      (sl) sr      N  (sl)
			 */
			rb_set_color(sibling, parent->__rb_parent_color & RB_BLACK);
			rb_set_color(parent, RB_BLACK);
			rb_set_color(sibling->rb_right, RB_BLACK);
			rb_rotate_left(parent, root);
			node = root->rb_node;
			break;
		} else {
			/* the mirror images of cases 1-4 */
			sibling = parent->rb_left;
			if (rb_is_red(sibling)) {
				rb_set_color(sibling, RB_BLACK);
				rb_set_color(parent, RB_RED);
				rb_rotate_right(parent, root);
				sibling = parent->rb_left;
			}
			if (rb_is_black(sibling->rb_left) && rb_is_black(sibling->rb_right)) {
				rb_set_color(sibling, RB_RED);
				node = parent;
				parent = rb_parent(node);
				continue;
			}
			if (rb_is_black(sibling->rb_left)) {
				rb_set_color(sibling->rb_right, RB_BLACK);
				rb_set_color(sibling, RB_RED);
				rb_rotate_left(sibling, root);
				sibling = parent->rb_left;
			}
			rb_set_color(sibling, parent->__rb_parent_color & RB_BLACK);
			rb_set_color(parent, RB_BLACK);
			rb_set_color(sibling->rb_left, RB_BLACK);
			rb_rotate_right(parent, root);
			node = root->rb_node;
			break;
		}
	}
	if (node)
		rb_set_color(node, RB_BLACK);
}

/*
 * rb_erase - unlink @node.  A node with two children is replaced by its
 * in-order successor (the leftmost node of its right subtree), which takes
 * over its position and colour; the successor's old place is then the one
 * that lost a node.  If the removed place held a black node, rebalance.
 */
void rb_erase(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *child, *parent;
	unsigned long color;

	if (!node->rb_left || !node->rb_right) {
		child = node->rb_left ? node->rb_left : node->rb_right;
		parent = rb_parent(node);
		color = node->__rb_parent_color & RB_BLACK;
		if (child)
			rb_set_parent(child, parent);
		rb_change_child(node, child, parent, root);
	} else {
		struct rb_node *succ = node->rb_right, *left;

		while ((left = succ->rb_left))
			succ = left;
		child = succ->rb_right;
		parent = rb_parent(succ);
		color = succ->__rb_parent_color & RB_BLACK;

		/* cut the successor out of its place */
		if (parent == node)
			parent = succ;		/* succ was node's right child */
		else
			parent->rb_left = child;
		if (child)
			rb_set_parent(child, parent);

		/* and put it where @node was, with @node's colour */
		succ->rb_left = node->rb_left;
		rb_set_parent(node->rb_left, succ);
		if (succ != node->rb_right) {
			succ->rb_right = node->rb_right;
			rb_set_parent(node->rb_right, succ);
		}
		succ->__rb_parent_color = node->__rb_parent_color;
		rb_change_child(node, succ, rb_parent(node), root);
	}
	if (color == RB_BLACK)
		rb_erase_color(child, parent, root);
}

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	if (!n)
		return NULL;
	while (n->rb_left)
		n = n->rb_left;
	return n;
}

struct rb_node *rb_last(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	if (!n)
		return NULL;
	while (n->rb_right)
		n = n->rb_right;
	return n;
}

/* rb_next - in-order successor: leftmost of the right subtree, or the first
 * ancestor reached from a left child. */
struct rb_node *rb_next(const struct rb_node *node)
{
	const struct rb_node *parent;

	if (node->rb_right) {
		node = node->rb_right;
		while (node->rb_left)
			node = node->rb_left;
		return (struct rb_node *)node;
	}
	while ((parent = rb_parent(node)) && node == parent->rb_right)
		node = parent;
	return (struct rb_node *)parent;
}

struct rb_node *rb_prev(const struct rb_node *node)
{
	const struct rb_node *parent;

	if (node->rb_left) {
		node = node->rb_left;
		while (node->rb_right)
			node = node->rb_right;
		return (struct rb_node *)node;
	}
	while ((parent = rb_parent(node)) && node == parent->rb_left)
		node = parent;
	return (struct rb_node *)parent;
}

/* rb_replace_node - put @newnode where @victim is, without rebalancing (the
 * caller guarantees the same ordering). */
void rb_replace_node(struct rb_node *victim, struct rb_node *newnode, struct rb_root *root)
{
	struct rb_node *parent = rb_parent(victim);

	*newnode = *victim;
	if (victim->rb_left)
		rb_set_parent(victim->rb_left, newnode);
	if (victim->rb_right)
		rb_set_parent(victim->rb_right, newnode);
	rb_change_child(victim, newnode, parent, root);
}

/* Black height of the subtree at @n, or -1 if any property fails in it. */
static int rb_check_subtree(const struct rb_node *n, const struct rb_node *parent)
{
	int lh, rh;

	if (!n)
		return 1;
	if (rb_parent(n) != parent)
		return -1;
	if (rb_is_red(n) && (rb_is_red(n->rb_left) || rb_is_red(n->rb_right)))
		return -1;
	lh = rb_check_subtree(n->rb_left, n);
	rh = rb_check_subtree(n->rb_right, n);
	if (lh < 0 || rh < 0 || lh != rh)
		return -1;
	return lh + (rb_is_black(n) ? 1 : 0);
}

bool rb_tree_is_valid(const struct rb_root *root)
{
	if (!root->rb_node)
		return true;
	if (rb_is_red(root->rb_node))
		return false;
	return rb_check_subtree(root->rb_node, NULL) > 0;
}

/*
 * NUMA memory policies (Linux's mm/mempolicy.c, as of 6.x where the two
 * differ from 2.6): a task's policy (set_mempolicy, inherited by fork)
 * and a VMA's (mbind, split with the VMA, merged only with its like),
 * read back by get_mempolicy; and the allocations that follow them:
 *
 *   MPOL_DEFAULT     no policy: the task's, else the running CPU's node
 *                    first (numa=roundrobin: each allocation starts at
 *                    the next node in turn, 2.4's mm/numa.c)
 *   MPOL_LOCAL       the running CPU's node first (PREFERRED with no node)
 *   MPOL_PREFERRED   the node first, then its zonelist's fallbacks
 *   MPOL_BIND        only the nodes, nearest first
 *   MPOL_INTERLEAVE  one node after another: by page offset in the VMA
 *                    for faults, by the task's il_prev for the rest
 *
 * Locking: the task's policy is changed by the task itself (it runs the
 * call); a VMA's under mmap_sem for write, read by faults under it for read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "kern/mm.h"
#include "kern/mempolicy.h"
#include "kern/memory.h"
#include "kern/sched.h"
#include "vma_internal.h"

#define BITS_PER_LONG	(8 * (int)sizeof(unsigned long))

static nodemask_t node_online_map(const struct machine *m)
{
	return (1UL << m->nr_nodes) - 1;
}

static zonelist_t *node_zonelist(struct machine *m, int nid, gfp_t gfp_mask)
{
	return &m->node_data[nid].node_zonelists[gfp_mask & GFP_ZONEMASK];
}

static int first_node(nodemask_t mask)
{
	return mask ? __builtin_ctzl(mask) : MAX_NUMNODES;
}

/* The next node of @mask after @prev, wrapping to its first. */
static int next_node_in(int prev, nodemask_t mask)
{
	nodemask_t after = prev + 1 >= BITS_PER_LONG ? 0 : mask & ~((2UL << prev) - 1);

	return first_node(after ? after : mask);
}

/* --- the allocations -------------------------------------------------------- */

/* The nodes of @nodes the machine has; RELATIVE_NODES folds them onto it first. */
static nodemask_t mpol_effective(const struct machine *m, nodemask_t nodes, unsigned int flags)
{
	if (flags & MPOL_F_RELATIVE_NODES) {
		nodemask_t folded = 0;

		for (int n = 0; n < MAX_NUMNODES; n++)
			if (nodes & (1UL << n))
				folded |= 1UL << (n % m->nr_nodes);
		nodes = folded;
	}
	return nodes & node_online_map(m);
}

/*
 * The nodes a policy allocates from: those it keeps, but a policy with
 * STATIC or RELATIVE_NODES keeps the caller's nodes (get_mempolicy gives
 * them back, as Linux's w.user_nodemask) and works from what they mean here.
 */
static nodemask_t policy_nodes(const struct mempolicy *pol)
{
	nodemask_t nodes;

	if (!pol->flags)
		return pol->nodes;
	nodes = mpol_effective(this_machine(), pol->nodes, (unsigned int)pol->flags << 8);
	return pol->mode == MPOL_PREFERRED ? 1UL << first_node(nodes) : nodes;
}


/* The task's next interleave node (interleave_nodes). */
static int interleave_nodes(struct task_struct *t, const struct mempolicy *pol)
{
	int nid = next_node_in(t->il_prev, policy_nodes(pol));

	t->il_prev = (uint8_t)nid;
	return nid;
}

/* The @off-th node of the policy's, counted round (offset_il_node). */
static int offset_il_node(const struct mempolicy *pol, unsigned long off)
{
	nodemask_t mask = policy_nodes(pol);
	unsigned long target = off % (unsigned long)__builtin_popcountl(mask);

	while (target--)
		mask &= mask - 1;
	return first_node(mask);
}

/* alloc_page_interleave: @nid's zonelist; interleave_hit when @nid gave the page. */
static struct page *alloc_page_interleave(gfp_t gfp_mask, unsigned int order, int nid)
{
	struct page *page = __alloc_pages(gfp_mask, order,
					  node_zonelist(this_machine(), nid, gfp_mask));

	if (page && page_to_nid(page) == nid)
		count_numa_interleave_hit(nid);
	return page;
}

/* The round-robin start node of numa=roundrobin (2.4's `next` pgdat). */
static int numa_rr_node(struct machine *m)
{
	unsigned int n = __atomic_fetch_add(&m->numa_rr_next, 1, __ATOMIC_RELAXED);

	return (int)(n % (unsigned int)m->nr_nodes);
}

/* An allocation under @pol (NULL: none); @il_node: an interleave's node. */
static struct page *alloc_pages_policy(gfp_t gfp_mask, unsigned int order,
				       const struct mempolicy *pol, int il_node)
{
	struct machine *m = this_machine();
	int nid = numa_node_id();

	switch (pol ? pol->mode : MPOL_DEFAULT) {
	case MPOL_INTERLEAVE:
		return alloc_page_interleave(gfp_mask, order, il_node);
	case MPOL_PREFERRED:
		nid = first_node(policy_nodes(pol));
		break;
	case MPOL_BIND:
		/* policy_zone: a DMA allocation is not bound (apply_policy_zone) */
		if (!(gfp_mask & __GFP_DMA)) {
			nodemask_t mask = policy_nodes(pol);

			return __alloc_pages_nodemask(gfp_mask, order,
						      node_zonelist(m, nid, gfp_mask), &mask);
		}
		break;
	case MPOL_LOCAL:
		break;
	default:
		if (this_cpu()->numa_rr)
			nid = numa_rr_node(m);
		break;
	}
	return __alloc_pages(gfp_mask, order, node_zonelist(m, nid, gfp_mask));
}

struct page *alloc_pages_current(gfp_t gfp_mask, unsigned int order)
{
	struct task_struct *t = current;
	const struct mempolicy *pol = t && t->mempolicy.mode ? &t->mempolicy : NULL;

	if (pol && pol->mode == MPOL_INTERLEAVE)
		return alloc_pages_policy(gfp_mask, order, pol, interleave_nodes(t, pol));
	return alloc_pages_policy(gfp_mask, order, pol, 0);
}

/* The policy at @vma: its own, else the task's, else none (get_vma_policy). */
static const struct mempolicy *get_vma_policy(struct task_struct *t, struct vm_area_struct *vma)
{
	if (vma && vma->vm_policy.mode)
		return &vma->vm_policy;
	if (t && t->mempolicy.mode)
		return &t->mempolicy;
	return NULL;
}

struct page *alloc_page_vma(gfp_t gfp_mask, struct vm_area_struct *vma, unsigned long addr)
{
	const struct mempolicy *pol = get_vma_policy(current, vma);
	unsigned long off;

	if (likely(!pol))
		return alloc_page(gfp_mask);
	if (pol->mode != MPOL_INTERLEAVE)
		return alloc_pages_policy(gfp_mask, 0, pol, 0);
	/* interleave_nid: a page's node follows from its offset in the object */
	off = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	return alloc_pages_policy(gfp_mask, 0, pol, offset_il_node(pol, off));
}

/* Nodes as Linux's %*pbl prints them: 0-1,3 ("" for none). */
static void nodelist_str(char *buf, size_t len, nodemask_t nodes)
{
	size_t n = 0;

	buf[0] = 0;
	for (int i = 0; i < MAX_NUMNODES && n < len; i++) {
		int j = i;

		if (!(nodes & (1UL << i)))
			continue;
		while (j + 1 < MAX_NUMNODES && (nodes & (1UL << (j + 1))))
			j++;
		n += (size_t)snprintf(buf + n, len - n, j > i ? "%s%d-%d" : "%s%d", n ? "," : "", i, j);
		i = j;
	}
}

void mpol_to_str(char *buf, size_t len, const struct mempolicy *pol)
{
	static const char *const names[MPOL_MAX] = {
		[MPOL_DEFAULT] = "default", [MPOL_PREFERRED] = "prefer", [MPOL_BIND] = "bind",
		[MPOL_INTERLEAVE] = "interleave", [MPOL_LOCAL] = "local",
	};
	unsigned int flags = (unsigned int)pol->flags << 8;
	char list[32];
	size_t n;

	n = (size_t)snprintf(buf, len, "%s", names[pol->mode]);
	if (flags && n < len)
		n += (size_t)snprintf(buf + n, len - n, "=%s",
				      flags & MPOL_F_STATIC_NODES ? "static" : "relative");
	if (pol->mode == MPOL_DEFAULT || pol->mode == MPOL_LOCAL || n >= len)
		return;
	nodelist_str(list, sizeof(list), policy_nodes(pol));
	if (list[0])
		snprintf(buf + n, len - n, ":%s", list);
}

/* --- the system calls ------------------------------------------------------------ */

/*
 * get_nodes - the caller's nodemask of @maxnode bits (Linux counts one
 * too many: maxnode - 1 bits are read).  Bits past MAX_NUMNODES must be
 * clear; bits past maxnode are ignored.
 */
static int get_nodes(nodemask_t *nodes, const unsigned long *nmask, unsigned long maxnode)
{
	*nodes = 0;
	--maxnode;
	if (maxnode == 0 || !nmask)
		return 0;
	if (maxnode > PAGE_SIZE * 8)
		return -EINVAL;
	for (unsigned long bit = MAX_NUMNODES; bit < maxnode; bit++)
		if (nmask[bit / BITS_PER_LONG] & (1UL << (bit % BITS_PER_LONG)))
			return -EINVAL;
	*nodes = nmask[0] & ((1UL << min(maxnode, (unsigned long)MAX_NUMNODES)) - 1);
	return 0;
}

/* sanitize_mpol_flags: split @mode into the mode and its flags. */
static int sanitize_mpol_flags(int *mode, unsigned int *flags)
{
	*flags = (unsigned int)*mode & MPOL_MODE_FLAGS;
	*mode &= ~MPOL_MODE_FLAGS;
	if ((unsigned int)*mode >= MPOL_MAX)
		return -EINVAL;
	if ((*flags & MPOL_F_STATIC_NODES) && (*flags & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	return 0;
}

/*
 * mpol_new - the policy @mode over @nodes, as Linux's mpol_new and
 * mpol_set_nodemask: nodes the machine lacks are dropped (RELATIVE_NODES
 * folds them onto it), and a mode that needs nodes and has none left is
 * EINVAL; PREFERRED without nodes is LOCAL, PREFERRED keeps its first node.
 */
static int mpol_new(struct machine *m, int mode, unsigned int flags, nodemask_t nodes,
		    struct mempolicy *pol)
{
	nodemask_t eff;

	memset(pol, 0, sizeof(*pol));
	if (mode == MPOL_DEFAULT)
		return nodes ? -EINVAL : 0;
	if (!nodes) {
		if (mode == MPOL_PREFERRED) {
			if (flags)
				return -EINVAL;
			mode = MPOL_LOCAL;
		} else if (mode != MPOL_LOCAL) {
			return -EINVAL;
		}
	} else if (mode == MPOL_LOCAL) {
		return -EINVAL;
	}
	if (mode == MPOL_LOCAL && flags)
		return -EINVAL;
	eff = mpol_effective(m, nodes, flags);
	if (mode != MPOL_LOCAL && !eff)
		return -EINVAL;
	if (mode == MPOL_PREFERRED)
		eff = 1UL << first_node(eff);
	pol->mode = (uint8_t)mode;
	pol->flags = (uint8_t)(flags >> 8);
	pol->nodes = (uint8_t)(flags ? nodes : eff);
	return 0;
}

long sys_set_mempolicy(int mode, const unsigned long *nmask, unsigned long maxnode)
{
	struct task_struct *t = current;
	struct mempolicy pol;
	unsigned int flags;
	nodemask_t nodes;
	int err;

	err = sanitize_mpol_flags(&mode, &flags);
	if (!err)
		err = get_nodes(&nodes, nmask, maxnode);
	if (!err)
		err = mpol_new(t->machine, mode, flags, nodes, &pol);
	if (err)
		return err;
	t->mempolicy = pol;
	if (pol.mode == MPOL_INTERLEAVE)
		t->il_prev = MAX_NUMNODES - 1;		/* the first node comes next */
	return 0;
}

/* Pages mapped in [start, end) that are not on @nodes (MPOL_MF_STRICT's check). */
static unsigned long misplaced_pages(struct mm_struct *mm, unsigned long start,
				     unsigned long end, nodemask_t nodes)
{
	unsigned long n = 0;

	for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
		struct page *page = follow_page(mm, addr, 0);

		if (page && !PageZero(page) && !PageReserved(page) &&
		    !(nodes & (1UL << page_to_nid(page))))
			n++;
	}
	return n;
}

/* mbind_range: [start, end) gets @pol, VMAs split or merged as mprotect's are. */
static int mbind_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		       const struct mempolicy *pol)
{
	struct vm_area_struct *vma = find_vma(mm, start), *prev, *next;
	int err;

	prev = start > vma->vm_start ? vma : vma_prev_of(vma);
	for (; vma && vma->vm_start < end; vma = next) {
		unsigned long vstart = max(start, vma->vm_start), vend = min(end, vma->vm_end);

		next = vma->vm_next;
		if (mpol_equal(&vma->vm_policy, pol)) {
			prev = vma;
			continue;
		}
		vma = vma_modify(mm, prev, vma, vstart, vend, vma->vm_flags, pol, &err);
		if (!vma)
			return err;
		vma->vm_policy = *pol;
		/* a merge may have swallowed the next VMA of the range too */
		prev = vma;
		next = vma->vm_next;
	}
	return 0;
}

/* Every byte of [start, end) is in some VMA (else mbind is EFAULT). */
static bool range_is_mapped(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	for (struct vm_area_struct *vma = find_vma(mm, start); start < end; vma = vma->vm_next) {
		if (!vma || vma->vm_start > start)
			return false;
		start = vma->vm_end;
	}
	return true;
}

static long do_mbind(unsigned long start, unsigned long len, int mode, unsigned int mode_flags,
		     nodemask_t nodes, unsigned int flags)
{
	struct task_struct *t = current;
	struct mm_struct *mm = t->mm;
	struct mempolicy pol;
	unsigned long end, misplaced = 0;
	int err;

	if (flags & ~(unsigned int)MPOL_MF_VALID)
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (mode == MPOL_DEFAULT)
		flags &= ~MPOL_MF_STRICT;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	/* migrating pages is not implemented: refused rather than ignored */
	if (flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		return -EINVAL;
	err = mpol_new(t->machine, mode, mode_flags, nodes, &pol);
	if (err)
		return err;
	if (!mm)
		return -EFAULT;
	down_write(&mm->mmap_sem);
	if (!range_is_mapped(mm, start, end)) {
		err = -EFAULT;
		goto out;
	}
	if (flags & MPOL_MF_STRICT)
		misplaced = misplaced_pages(mm, start, end, nodes);
	err = mbind_range(mm, start, end, &pol);
	/* as Linux 6.x: the policy is set, and pages already elsewhere are EIO */
	if (!err && misplaced)
		err = -EIO;
out:
	VALIDATE_MM(mm, "mbind");
	up_write(&mm->mmap_sem);
	return err;
}

long sys_mbind(unsigned long start, unsigned long len, int mode, const unsigned long *nmask,
	       unsigned long maxnode, unsigned int flags)
{
	unsigned int mode_flags;
	nodemask_t nodes;
	int err;

	err = sanitize_mpol_flags(&mode, &mode_flags);
	if (!err)
		err = get_nodes(&nodes, nmask, maxnode);
	if (err)
		return err;
	return do_mbind(start, len, mode, mode_flags, nodes, flags);
}

/* lookup_node: the node of the page at @addr, faulting it in as populate does. */
static int lookup_node(struct mm_struct *mm, unsigned long addr)
{
	struct page *page = follow_page(mm, addr, 0);

	if (!page) {
		int err = make_pages_present(mm, addr & PAGE_MASK, (addr & PAGE_MASK) + PAGE_SIZE);

		if (err)
			return err;
		page = follow_page(mm, addr, 0);
	}
	return page ? page_to_nid(page) : -EFAULT;
}

/* do_get_mempolicy: the policy (or a node) into *@policy and its nodes into *@nodes. */
static long do_get_mempolicy(int *policy, nodemask_t *nodes, unsigned long addr,
			     unsigned long flags)
{
	struct task_struct *t = current;
	struct mm_struct *mm = t->mm;
	const struct mempolicy *pol = &t->mempolicy;
	struct vm_area_struct *vma;
	long err = 0;

	*nodes = 0;
	if (flags & ~(unsigned long)(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED))
		return -EINVAL;
	if (flags & MPOL_F_MEMS_ALLOWED) {
		if (flags & (MPOL_F_NODE | MPOL_F_ADDR))
			return -EINVAL;
		*policy = 0;
		*nodes = node_online_map(t->machine);
		return 0;
	}
	if (!(flags & MPOL_F_ADDR)) {
		if (addr)
			return -EINVAL;
		if (flags & MPOL_F_NODE) {
			if (pol->mode != MPOL_INTERLEAVE)
				return -EINVAL;
			*policy = next_node_in(t->il_prev, policy_nodes(pol));
		} else {
			*policy = pol->mode | pol->flags << 8;
		}
		if (pol->mode != MPOL_LOCAL)
			*nodes = pol->nodes;
		return 0;
	}
	if (!mm)
		return -EFAULT;
	down_read(&mm->mmap_sem);
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr) {
		err = -EFAULT;
		goto out;
	}
	pol = &vma->vm_policy;
	if (flags & MPOL_F_NODE) {
		err = lookup_node(mm, addr);
		if (err < 0)
			goto out;
		*policy = (int)err;
		err = 0;
	} else {
		*policy = pol->mode | pol->flags << 8;
	}
	if (pol->mode != MPOL_LOCAL)
		*nodes = pol->nodes;
out:
	up_read(&mm->mmap_sem);
	return err;
}

long sys_get_mempolicy(int *policy, unsigned long *nmask, unsigned long maxnode,
		       unsigned long addr, unsigned long flags)
{
	struct machine *m = this_machine();
	unsigned long words;
	nodemask_t nodes;
	int pval = 0;
	long err;

	if (nmask && maxnode < (unsigned long)m->nr_nodes)
		return -EINVAL;
	err = do_get_mempolicy(&pval, &nodes, addr, flags);
	if (err)
		return err;
	if (policy)
		*policy = pval;
	if (!nmask)
		return 0;
	/* copy_nodes_to_user: maxnode - 1 bits, rounded up to whole longs */
	words = ((maxnode - 1) + BITS_PER_LONG - 1) / BITS_PER_LONG;
	if (words * sizeof(long) > PAGE_SIZE)
		return -EINVAL;
	for (unsigned long i = 0; i < words; i++)
		nmask[i] = i ? 0 : nodes;
	return 0;
}

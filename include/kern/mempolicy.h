/*
 * NUMA memory policies (mm/mempolicy.c): set_mempolicy, mbind and
 * get_mempolicy with Linux's modes, flags and errno, and the allocations
 * that follow them (alloc_page_vma for faults, alloc_pages_current for the
 * rest of a task's allocations).  struct mempolicy is in kern/mm_types.h.
 */
#ifndef KERN_MEMPOLICY_H
#define KERN_MEMPOLICY_H

#include "kern/mm_types.h"

/* modes and flags, Linux's values (<uapi/linux/mempolicy.h>) */
#define MPOL_DEFAULT		0
#define MPOL_PREFERRED		1
#define MPOL_BIND		2
#define MPOL_INTERLEAVE		3
#define MPOL_LOCAL		4
#define MPOL_MAX		5
#define MPOL_F_STATIC_NODES	(1 << 15)
#define MPOL_F_RELATIVE_NODES	(1 << 14)
#define MPOL_MODE_FLAGS		(MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)
/* get_mempolicy's flags */
#define MPOL_F_NODE		(1 << 0)
#define MPOL_F_ADDR		(1 << 1)
#define MPOL_F_MEMS_ALLOWED	(1 << 2)
/* mbind's flags */
#define MPOL_MF_STRICT		(1 << 0)
#define MPOL_MF_MOVE		(1 << 1)
#define MPOL_MF_MOVE_ALL	(1 << 2)
#define MPOL_MF_VALID		(MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)

/*
 * The system calls, on `current`; the nodemasks are the caller's memory
 * (bit n of word n / BITS_PER_LONG is node n), with Linux's maxnode.
 */
long sys_set_mempolicy(int mode, const unsigned long *nmask, unsigned long maxnode);
long sys_mbind(unsigned long start, unsigned long len, int mode, const unsigned long *nmask,
	       unsigned long maxnode, unsigned int flags);
long sys_get_mempolicy(int *policy, unsigned long *nmask, unsigned long maxnode,
		       unsigned long addr, unsigned long flags);

/* The policy as /proc/PID/numa_maps names it: default, prefer:1, bind=static:0-1 ... */
void mpol_to_str(char *buf, size_t len, const struct mempolicy *pol);

/* A page for user address @addr of @vma: the VMA's policy, else the task's. */
struct page *alloc_page_vma(gfp_t gfp_mask, struct vm_area_struct *vma, unsigned long addr);

#endif

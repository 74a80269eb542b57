/*
 * Address spaces: mm_struct (one per process, shared by its threads) and
 * vm_area_struct (one per contiguous region with the same protection and
 * backing), as in Linux 2.4's <linux/sched.h> and <linux/mm.h>.  VMAs are
 * kept both in a sorted singly linked list (mm->mmap) and in a red-black
 * tree (mm->mm_rb) for find_vma, with a one-entry cache (mm->mmap_cache).
 */
#ifndef KERN_MM_TYPES_H
#define KERN_MM_TYPES_H

#include "kern/machine.h"
#include "kern/rbtree.h"

typedef uint64_t pgprot_t;	/* x86 PTE protection bits (_PAGE_*) */

/* vm_flags, with Linux's values */
#define VM_NONE		0x00000000UL
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_MAYREAD	0x00000010UL
#define VM_MAYWRITE	0x00000020UL
#define VM_MAYEXEC	0x00000040UL
#define VM_MAYSHARE	0x00000080UL
#define VM_GROWSDOWN	0x00000100UL
#define VM_GROWSUP	0x00000200UL
#define VM_PFNMAP	0x00000400UL	/* remap_page_range: raw frames, no struct page use */
#define VM_DENYWRITE	0x00000800UL
#define VM_LOCKED	0x00002000UL
#define VM_IO		0x00004000UL
#define VM_SEQ_READ	0x00008000UL
#define VM_RAND_READ	0x00010000UL
#define VM_DONTCOPY	0x00020000UL
#define VM_DONTEXPAND	0x00040000UL
#define VM_LOCKONFAULT	0x00080000UL
#define VM_ACCOUNT	0x00100000UL
#define VM_NORESERVE	0x00200000UL
#define VM_SYNC		0x00800000UL	/* MAP_SYNC on anonymous memory: VmFlags "sf" */
#define VM_NOHUGEPAGE	0x40000000UL	/* MAP_STACK (Linux 6.7+): VmFlags "nh" */
#define VM_STACK	VM_GROWSDOWN

struct vm_area_struct;
struct file;

/*
 * A memory policy (mm/mempolicy.c), small enough that a task and a VMA
 * carry theirs by value (each VMA its own copy: splits, fork and mremap
 * copy it with the VMA, no reference counts).
 */
struct mempolicy {
	uint8_t mode;		/* MPOL_*: MPOL_DEFAULT (0) is no policy */
	uint8_t flags;		/* the mode flags MPOL_F_STATIC/RELATIVE_NODES, >> 8 */
	uint8_t nodes;		/* the nodemask (MAX_NUMNODES <= 8) */
};
_Static_assert(MAX_NUMNODES <= 8, "struct mempolicy keeps a nodemask in 8 bits");

static inline bool mpol_equal(const struct mempolicy *a, const struct mempolicy *b)
{
	return a->mode == b->mode && a->flags == b->flags && a->nodes == b->nodes;
}

#define NOPAGE_SIGBUS	NULL
#define NOPAGE_OOM	((struct page *)-1L)

struct vm_operations_struct {
	void (*open)(struct vm_area_struct *vma);
	void (*close)(struct vm_area_struct *vma);
	/*
	 * nopage - the page to map at @address (with a reference held for
	 * the caller), NOPAGE_SIGBUS (NULL: past EOF, a read error) or
	 * NOPAGE_OOM (no memory: an OOM kill, as 2.4).  *@type is VM_FAULT_MINOR on entry;
	 * set it to VM_FAULT_MAJOR when the page had to be read in (2.6's
	 * interface: 2.4 counted every nopage fault as major).  Filled by file
	 * mappings and shmem.
	 */
	struct page *(*nopage)(struct vm_area_struct *vma, unsigned long address, int *type);
	/*
	 * map_pages - fault-around (Linux 3.15+): for file pages @first ..
	 * @first + @nr - 1, fill @pages[i] with the page if it is already in
	 * the page cache, uptodate, unlocked and inside EOF (a reference held
	 * for the caller), else NULL.  No I/O, no sleeping.
	 */
	void (*map_pages)(struct vm_area_struct *vma, unsigned long first, unsigned int nr,
			  struct page **pages);
	const char *name;	/* for /proc/PID/maps when no file: "[vdso]" ... */
};

struct vm_area_struct {
	struct mm_struct *vm_mm;
	unsigned long vm_start;		/* first byte */
	unsigned long vm_end;		/* first byte after */
	struct vm_area_struct *vm_next;	/* sorted by address */
	pgprot_t vm_page_prot;		/* PTE bits for this area's pages */
	unsigned long vm_flags;
	struct rb_node vm_rb;
	const struct vm_operations_struct *vm_ops;
	unsigned long vm_pgoff;		/* offset in vm_file, in pages */
	struct file *vm_file;
	void *vm_private_data;
	int anon_name_kind;		/* 0 none, 1 [heap], 2 [stack]: set by mmap.c */
	/*
	 * The VMA was cloned at fork from one that had an anon_vma: in Linux its
	 * anon_vma_chain links the parent's anon_vmas too (is not singular),
	 * and such a VMA takes no anonymous neighbour's pages in a merge
	 * (vma_is_fork_child).  Copied by splits; cleared with the anon_vma.
	 */
	bool anon_forked;
	struct mempolicy vm_policy;	/* mbind's; MPOL_DEFAULT: the task's applies */
	/*
	 * A file VMA is on its mapping's i_mmap (private) or i_mmap_shared
	 * (VM_SHARED) list, as 2.4: vm_pprev_share points at the link that
	 * points at it (NULL: on no list).  vm_file->f_mapping->i_shared_lock
	 * protects these two and, for file VMAs, vm_start/vm_end/vm_pgoff.
	 */
	struct vm_area_struct *vm_next_share;
	struct vm_area_struct **vm_pprev_share;
};

/* Resource limits we enforce, with Linux's RLIMIT numbers. */
#define RLIMIT_DATA	2
#define RLIMIT_STACK	3
#define RLIMIT_MEMLOCK	8
#define RLIMIT_AS	9
#define RLIM_NLIMITS	16
#define RLIM_INFINITY	(~0UL)

struct rlimit {
	unsigned long rlim_cur, rlim_max;
};

struct mm_struct {
	struct vm_area_struct *mmap;		/* VMA list, sorted */
	struct rb_root mm_rb;			/* VMA tree */
	struct vm_area_struct *mmap_cache;	/* last find_vma result */
	int map_count;				/* VMAs */
	unsigned long pgd;			/* physical address of the top-level table */
	atomic_int mm_users;			/* tasks using this address space */
	atomic_int mm_count;			/* references to the struct (users count as 1) */
	struct rw_semaphore mmap_sem;
	spinlock_t page_table_lock;		/* page tables and rss */
	struct list_head mmlist;		/* all mms, for swap_out (mmlist_lock) */

	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack;
	unsigned long arg_start, arg_end, env_start, env_end;
	unsigned long mmap_base;		/* where top-down get_unmapped_area starts */
	unsigned long task_size;		/* end of user space */

	/* counters, in pages; page_table_lock for rss, mmap_sem for the vm ones */
	atomic_long rss_anon, rss_file, rss_shmem;
	atomic_long swap_ents;
	unsigned long total_vm, locked_vm, data_vm, exec_vm, stack_vm;
	unsigned long hiwater_vm, hiwater_rss;
	atomic_long nr_ptes;			/* page-table pages (all levels below pgd) */
	unsigned long def_flags;		/* VM_LOCKED after mlockall(MCL_FUTURE) */

	atomic_ulong cpu_vm_mask;		/* CPUs that have this mm loaded (TLB) */
	struct machine *machine;
	struct rlimit *rlim;			/* the owning task's limits */
};

static inline unsigned long get_mm_rss(struct mm_struct *mm)
{
	return atomic_load(&mm->rss_anon) + atomic_load(&mm->rss_file) +
	       atomic_load(&mm->rss_shmem);
}

/*
 * Keep the RSS peak (VmHWM) before pages are unmapped, as Linux does.
 * Truncate zaps other mms' VMAs without their mmap_sem, so two zaps may
 * race here: the larger peak wins.
 */
static inline void update_hiwater_rss(struct mm_struct *mm)
{
	unsigned long rss = get_mm_rss(mm);
	unsigned long old = __atomic_load_n(&mm->hiwater_rss, __ATOMIC_RELAXED);

	while (old < rss && !__atomic_compare_exchange_n(&mm->hiwater_rss, &old, rss, true,
							  __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

#endif

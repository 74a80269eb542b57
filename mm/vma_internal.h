/*
 * Helpers shared by the VMA system calls inside mm/ (mmap.c, mprotect.c,
 * mremap.c, mlock.c, madvise.c, mincore.c) and fs/proc_pid.c; the role of
 * Linux's mm/internal.h and mm/vma.h for them.  Callers hold mmap_sem for
 * writing unless a comment says otherwise.
 */
#ifndef MM_VMA_INTERNAL_H
#define MM_VMA_INTERNAL_H

#include "kern/mman.h"

/* /proc/sys/vm/mmap_min_addr as on the reference host (and Linux's default) */
#define MMAP_MIN_ADDR		4096UL
/* start_stack sits this far below the top of the stack (argv/envp would be above) */
#define EXEC_STACK_TOP_PAD	0xc90UL
#define PROT_SEM_BIT		0x8UL
/* areas that never merge, split cheaply or get locked: raw frames and I/O */
#define VM_SPECIAL		(VM_IO | VM_DONTEXPAND | VM_PFNMAP)

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

/* Private anonymous memory: no file, no driver, not shared. */
static inline bool vma_is_private_anon(const struct vm_area_struct *vma)
{
	return !vma->vm_file && !vma->vm_ops && !(vma->vm_flags & VM_SHARED);
}

static inline bool vma_is_accessible(const struct vm_area_struct *vma)
{
	return vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC);
}

/*
 * A private mapping whose private pages get an anon_vma: anonymous memory,
 * and private file mappings for their copy-on-write pages (Linux gives
 * every such VMA one at its first private page).  Shared and raw-frame
 * mappings never have one.  The token lives in vm_private_data.
 */
static inline bool vma_has_anon_slot(const struct vm_area_struct *vma)
{
	return !(vma->vm_flags & (VM_SHARED | VM_PFNMAP)) && (!vma->vm_ops || vma->vm_file);
}

/* The anon_vma token of a VMA (NULL: none yet, or a mapping that never has one). */
static inline void *anon_of_vma(const struct vm_area_struct *vma)
{
	return vma_has_anon_slot(vma) ? vma->vm_private_data : NULL;
}

/* Link a VMA without touching the counters (mremap accounts itself). */
void insert_vm_struct_nocount(struct mm_struct *mm, struct vm_area_struct *vma);
/*
 * Full validation after each system call in debug builds; validate_mm is
 * O(map_count), so huge address spaces (max_map_count tests) skip it.
 */
#define VALIDATE_MM(mm, what) \
	VM_BUG_ON_MSG((mm)->map_count <= 1024 && !validate_mm(mm), \
		      what ": mm %p inconsistent", (void *)(mm))

unsigned long mm_rlimit(struct mm_struct *mm, int res);
struct vm_area_struct *vma_prev_of(struct vm_area_struct *vma);
void remove_vma(struct mm_struct *mm, struct vm_area_struct *vma);
void update_hiwater_vm(struct mm_struct *mm);
bool may_expand_vm(struct mm_struct *mm, unsigned long flags, unsigned long npages);
bool mlock_future_ok(struct mm_struct *mm, unsigned long flags, unsigned long bytes);

/* anon_vma references (a NULL token is ignored) */
void anon_vma_get(void *token);
void anon_vma_put(void *token);

struct vm_area_struct *vma_merge_new(struct mm_struct *mm, struct vm_area_struct *prev,
				     unsigned long addr, unsigned long end, unsigned long flags,
				     struct file *file, unsigned long pgoff, void *anon,
				     bool forked, const struct mempolicy *pol);
int __split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
		int new_below);
int split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
	      int new_below);
struct vm_area_struct *vma_modify(struct mm_struct *mm, struct vm_area_struct *prev,
				  struct vm_area_struct *vma, unsigned long start,
				  unsigned long end, unsigned long newflags,
				  const struct mempolicy *newpol, int *err);
int __do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
int mm_populate_locked(struct mm_struct *mm, unsigned long start, unsigned long end,
		       bool ignore_errors);

/* The VMA tree's own (mm/vma.c), for mm/mmap.c's mmap_region, setup_arg_pages and munmap. */
int find_vma_links(struct mm_struct *mm, unsigned long addr, unsigned long end,
		   struct vm_area_struct **pprev, struct rb_node ***rb_link,
		   struct rb_node **rb_parent);
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
void __remove_shared_vm_struct(struct vm_area_struct *vma);
void close_free_vma(struct vm_area_struct *vma);

#endif

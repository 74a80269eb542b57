/*
 * The kernel's side from outside (api/kernel.c): a kernel context that
 * runs the kernel's own allocation calls on a machine, so a learner can
 * watch buddyinfo, slabinfo and vmallocinfo move: alloc_pages and
 * __free_pages, kmalloc and kfree, kmem_cache_create / alloc / free /
 * shrink / destroy, vmalloc and vfree, kmap and kunmap; loads and stores at
 * kernel virtual addresses (the direct map, the vmalloc area, pkmap)
 * through the MMU in kernel mode, from the kernel's own page tables or
 * from a process's (where vmalloc_fault copies a missing kernel entry);
 * the walk of a kernel address; and the built-in driver modules.
 *
 * Everything allocated through these calls is remembered: a free of
 * something they did not hand out is refused (-EINVAL) instead of
 * corrupting the kernel, and vmsim_kernel_release_all reports and frees
 * what is left (vmsim_machine_destroy does it too, silently), so the
 * machine's accounting stays exact.
 *
 * Addresses are the simulated kernel's virtual addresses (0xc0000000 up on
 * i386 and PAE, 0xffff888000000000 up on x86-64); pages are frame numbers.
 */
#ifndef VMSIM_KERNEL_H
#define VMSIM_KERNEL_H

#include <stdbool.h>
#include "vmsim/vmsim.h"
#include "vmsim/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Allocation flags: GFP_KERNEL unless ATOMIC; zone modifiers; zeroed memory. */
#define VMSIM_GFP_KERNEL	0x0
#define VMSIM_GFP_ATOMIC	0x1	/* GFP_ATOMIC: no sleeping, no reclaim, reserves */
#define VMSIM_GFP_DMA		0x2	/* __GFP_DMA: ZONE_DMA only */
#define VMSIM_GFP_HIGHMEM	0x4	/* __GFP_HIGHMEM: HIGHMEM allowed (pages only) */
#define VMSIM_GFP_ZERO		0x8	/* __GFP_ZERO */

/* kmem_cache_create flags */
#define VMSIM_SLAB_HWCACHE_ALIGN	0x1

/* alloc_pages(gfp, order): the first frame in *@pfn.  0, -EINVAL, -ENOMEM. */
VMSIM_API int vmsim_kernel_alloc_pages(vmsim_machine_t *m, unsigned int order, int gfp,
				       unsigned long *pfn);
/* __free_pages of a block these calls allocated, with its order: 0 or -EINVAL. */
VMSIM_API int vmsim_kernel_free_pages(vmsim_machine_t *m, unsigned long pfn, unsigned int order);

/* kmalloc: the object's kernel address in *@addr.  0, -EINVAL (size), -ENOMEM. */
VMSIM_API int vmsim_kernel_kmalloc(vmsim_machine_t *m, unsigned long size, int gfp,
				   unsigned long *addr);
VMSIM_API int vmsim_kernel_kfree(vmsim_machine_t *m, unsigned long addr);

/*
 * kmem_cache_create of @name: objects of @size bytes aligned to @align (0:
 * the word), VMSIM_SLAB_HWCACHE_ALIGN, and with @ctor_byte >= 0 a
 * constructor that fills each object with that byte when its slab is
 * built.  0, -EINVAL (bad size, align or flags), -EEXIST (a cache of that
 * name exists), -ENOMEM.
 */
VMSIM_API int vmsim_kernel_cache_create(vmsim_machine_t *m, const char *name, unsigned long size,
					unsigned long align, int flags, int ctor_byte);
/* kmem_cache_alloc / kmem_cache_free on a cache made above: 0, -ENOENT, -EINVAL, -ENOMEM. */
VMSIM_API int vmsim_kernel_cache_alloc(vmsim_machine_t *m, const char *name, int gfp,
				       unsigned long *addr);
VMSIM_API int vmsim_kernel_cache_free(vmsim_machine_t *m, const char *name, unsigned long addr);
/* kmem_cache_shrink: the pages it gave back (>= 0), or -ENOENT. */
VMSIM_API long vmsim_kernel_cache_shrink(vmsim_machine_t *m, const char *name);
/* kmem_cache_destroy: 0, -ENOENT, -EBUSY (objects still allocated: nothing done). */
VMSIM_API int vmsim_kernel_cache_destroy(vmsim_machine_t *m, const char *name);

/* vmalloc (GFP_KERNEL | __GFP_HIGHMEM pages) and vfree.  0, -EINVAL, -ENOMEM. */
VMSIM_API int vmsim_kernel_vmalloc(vmsim_machine_t *m, unsigned long size, unsigned long *addr);
VMSIM_API int vmsim_kernel_vfree(vmsim_machine_t *m, unsigned long addr);

/*
 * kmap of a frame allocated above: its kernel address (pkmap for HIGHMEM,
 * the direct map otherwise).  kunmap drops it.  0, -EINVAL.
 */
VMSIM_API int vmsim_kernel_kmap(vmsim_machine_t *m, unsigned long pfn, unsigned long *addr);
VMSIM_API int vmsim_kernel_kunmap(vmsim_machine_t *m, unsigned long pfn);

/*
 * Kernel-mode loads and stores of @len bytes at kernel address @addr,
 * through the MMU with the page tables of process @pid (0: the kernel's
 * own, init_mm).  Returns the bytes done: fewer than @len when the access
 * reached an unmapped address, which is an oops in the kernel log (the
 * machine goes on); -EINVAL for a user address, -ESRCH for a bad pid.
 * Stores reach only memory these calls allocated and the buffers of the
 * mmapdrv driver (-EPERM elsewhere: the kernel's own structures live in
 * the same memory, and a stray store would corrupt them).
 */
VMSIM_API long vmsim_kernel_read(vmsim_machine_t *m, int pid, unsigned long addr, void *buf,
				 unsigned long len);
VMSIM_API long vmsim_kernel_write(vmsim_machine_t *m, int pid, unsigned long addr,
				  const void *buf, unsigned long len);

/* Kernel faults so far: oopses, and vmalloc_fault copies into a process's page tables. */
struct vmsim_kernel_faults {
	unsigned long oopses;
	unsigned long vmalloc_faults_fixed;
};
VMSIM_API void vmsim_kernel_faults(vmsim_machine_t *m, struct vmsim_kernel_faults *out);

/*
 * The walk of kernel address @addr through the kernel's page tables
 * (init_mm), as vmsim_pagetable_describe's text (malloc'd; NULL with errno).
 */
VMSIM_API char *vmsim_kernel_pagetable_describe(vmsim_machine_t *m, unsigned long addr);

/*
 * The kernel addresses of /dev/mmapdrv's buffers (drivers/char/mmapdrv.c),
 * which it prints in the kernel log when it loads: the kmalloc buffer (the
 * direct map), the vmalloc buffer, the ioremapped device memory (0 if the
 * machine has none).  0, or -ENODEV when the module is not loaded.
 */
struct vmsim_mmapdrv_buffers {
	unsigned long kmalloc_addr, vmalloc_addr, mmio_addr;
};
VMSIM_API int vmsim_kernel_mmapdrv_buffers(vmsim_machine_t *m, struct vmsim_mmapdrv_buffers *out);

/* Load (insmod) or unload (rmmod) a built-in driver module: 0, -ENOENT, -EEXIST, -EBUSY. */
VMSIM_API int vmsim_kernel_module(vmsim_machine_t *m, const char *name, bool load);

/*
 * Free everything these calls allocated and nobody freed, in reverse
 * order (objects before their caches), calling @report (if not NULL) with
 * a line per object ("kmalloc 0xffff888001234000 (100 bytes)").  Returns
 * the count freed.
 */
VMSIM_API int vmsim_kernel_release_all(vmsim_machine_t *m,
				       void (*report)(void *arg, const char *line), void *arg);

#ifdef __cplusplus
}
#endif
#endif

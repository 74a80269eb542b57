/*
 * vmalloc (mm/vmalloc.c): virtually contiguous kernel memory built from
 * pages that need not be physically contiguous (HIGHMEM allowed), mapped
 * in the kernel's page tables (init_mm) between VMALLOC_START and
 * VMALLOC_END, as Linux 2.4 does.
 *
 * Kernel virtual layout of the 32-bit formats (i386, PAE), as 2.4 i386:
 *
 *   0xC0000000    PAGE_OFFSET: the direct map of lowmem
 *   high_memory   end of the direct map (PAGE_OFFSET + max_low_pfn pages)
 *                 8 MiB gap (VMALLOC_OFFSET, catches overruns off lowmem)
 *   VMALLOC_START high_memory rounded up to 8 MiB, plus 8 MiB
 *   ...           vmalloc areas, each followed by an unmapped guard page
 *   VMALLOC_END   PKMAP_BASE - 2 pages
 *   0xfe000000    PKMAP_BASE: LAST_PKMAP kmap() entries (kern/highmem.h)
 *   FIXADDR_START fixmap: the per-CPU kmap_atomic() slots
 *   0xffffe000    FIXADDR_TOP
 *
 * x86-64: Linux's 4-level vmalloc range, 0xffffc90000000000 (32 TiB).
 *
 * vmalloc addresses are simulated kernel virtual addresses: the kernel
 * reaches them only through the MMU of the running CPU (vread/vwrite,
 * mmu_kernel_read/write).  A process page directory made before a vmalloc
 * lacks the new kernel entry; the first kernel-mode access from that
 * address space faults and vmalloc_fault() copies the entry from init_mm,
 * as 2.4's do_page_fault does.  A fault vmalloc_fault cannot resolve (a
 * guard page, a freed area) is a kernel oops: it is reported in the
 * kernel log and the access fails; vmsim goes on.
 *
 * Locking: vmlist_lock (struct vmalloc_state) protects the area list;
 * init_mm->page_table_lock the kernel PTEs; map_lock serialises the
 * allocation of kernel page tables (so they can be counted exactly).
 */
#ifndef KERN_VMALLOC_H
#define KERN_VMALLOC_H

#include "kern/pgtable.h"
#include "kern/seq_buf.h"
#include "kern/spinlock.h"

/* vm_struct.flags, as Linux */
#define VM_IOREMAP	0x00000001UL	/* ioremap: device memory, no struct page */
#define VM_ALLOC	0x00000002UL	/* vmalloc: the area owns its pages */
#define VM_MAP		0x00000004UL	/* vmap: the caller's pages */

#define VMALLOC_OFFSET	(8UL << 20)

struct vm_struct {
	unsigned long flags;		/* VM_ALLOC / VM_MAP */
	unsigned long addr;		/* simulated kernel virtual address */
	unsigned long size;		/* bytes, the guard page included */
	unsigned long nr_pages;		/* pages mapped (size / PAGE_SIZE - 1) */
	phys_addr_t phys_addr;		/* VM_IOREMAP: the device memory mapped */
	struct vm_struct *next;		/* sorted by address: vmlist_lock */
};

/* m->vmalloc */
struct vmalloc_state {
	spinlock_t vmlist_lock;		/* vmlist, nr_areas, used_bytes */
	struct vm_struct *vmlist;	/* sorted by addr */
	unsigned long nr_areas;
	unsigned long used_bytes;	/* sum of area sizes, guard pages included */
	unsigned long start, end;	/* VMALLOC_START, VMALLOC_END */
	struct semaphore map_lock;	/* kernel page-table allocation */
	atomic_ulong kernel_tables;	/* init_mm table pages vmalloc allocated */
	atomic_ulong oopses;		/* kernel-mode faults no one could resolve */
	atomic_ulong faults_fixed;	/* vmalloc_fault copies into a process pgd */
};

/* The range of machine @m (valid once vmalloc_init ran). */
#define VMALLOC_START_OF(m)	((m)->vmalloc->start)
#define VMALLOC_END_OF(m)	((m)->vmalloc->end)
#define VMALLOC_START		VMALLOC_START_OF(this_machine())
#define VMALLOC_END		VMALLOC_END_OF(this_machine())

/* End of the direct map, as a kernel virtual address (high_memory). */
static inline unsigned long high_memory_of(const struct machine *m)
{
	return PAGE_OFFSET_OF(m) + ((unsigned long)m->max_low_pfn << PAGE_SHIFT);
}

/*
 * vmalloc - @size bytes (rounded up to pages) of virtually contiguous
 * kernel memory from any zone (GFP_KERNEL | __GFP_HIGHMEM), contents
 * undefined; 0 if @size is 0, larger than RAM, or memory or address space
 * runs out (nothing is left allocated then).  __vmalloc with explicit
 * @gfp_mask (add __GFP_ZERO for zeroed pages) and PTE protection @prot.
 */
unsigned long vmalloc(unsigned long size);
unsigned long vzalloc(unsigned long size);
unsigned long __vmalloc(unsigned long size, gfp_t gfp_mask, pgprot_t prot);
/* Same, lowmem pages only (2.4's vmalloc_32 for DMA-able buffers). */
unsigned long vmalloc_32(unsigned long size);
/*
 * vfree - unmap and free a vmalloc area (0 is ignored).  A bad or unknown
 * address is reported in the kernel log ("Trying to vfree() ..."), as 2.4.
 */
void vfree(unsigned long addr);

/*
 * vmap - map @count caller-owned pages contiguously with protection @prot
 * (PAGE_KERNEL ...); 0 on failure.  vunmap removes the mapping, the pages
 * stay the caller's.
 */
unsigned long vmap(struct page **pages, unsigned int count, unsigned long flags,
		   pgprot_t prot);
void vunmap(unsigned long addr);

/*
 * get_vm_area - reserve @size bytes (+ a guard page) of vmalloc space in
 * the vmlist, first fit; NULL if none.  remove_vm_area takes the area of
 * @addr off the list and returns it (NULL if unknown); its PTEs are the
 * caller's business.  Both take vmlist_lock.
 */
struct vm_struct *get_vm_area(unsigned long size, unsigned long flags);
struct vm_struct *remove_vm_area(unsigned long addr);

/*
 * __vmap_phys - map the physical range [@phys, @phys + @size) (page
 * aligned; device memory: no struct page, nothing is freed at the unmap)
 * in a new VM_IOREMAP area with @prot: its address, or 0.  ioremap's
 * mapping half (arch/x86/mm/ioremap.c); vunmap or iounmap removes it.
 */
unsigned long __vmap_phys(phys_addr_t phys, unsigned long size, pgprot_t prot);

/* The page mapped at vmalloc address @addr, or NULL. */
struct page *vmalloc_to_page(unsigned long addr);

/*
 * vread/vwrite - kernel-mode copies between a host buffer and vmalloc
 * space through the running CPU's MMU (init_mm is loaded if the CPU has
 * no address space).  Return the bytes copied: fewer than @count when
 * the access hit an unmapped page (a guard page): the oops is in the log.
 */
unsigned long vread(void *buf, unsigned long addr, unsigned long count);
unsigned long vwrite(unsigned long addr, const void *buf, unsigned long count);

/*
 * vmalloc_fault - do_page_fault's path for a kernel-mode fault at a kernel
 * address (@address >= TASK_SIZE) in @mm: copy the missing top-level (or,
 * with the folded i386 pmd, the pgd = pmd) entry from init_mm, as 2.4.
 * 0 if the access can be retried; -EFAULT after reporting an oops.
 */
int vmalloc_fault(struct mm_struct *mm, unsigned long address, unsigned int error_code);

/* meminfo's VmallocTotal/VmallocUsed/VmallocChunk lines; /proc/vmallocinfo. */
void show_meminfo_vmalloc(struct machine *m, struct seq_buf *s);
void show_vmallocinfo(struct machine *m, struct seq_buf *s);

/* Validator (tests): vmlist sorted, disjoint, inside the range, guard pages unmapped. */
bool vmlist_is_valid(struct machine *m);

/* Boot (after paging_init) and teardown (areas still live are reported). */
int vmalloc_init(struct machine *m);
void vmalloc_exit(struct machine *m);

#endif

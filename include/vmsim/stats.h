/*
 * Introspection of a simulated machine for reports and learners: zones and
 * their watermarks, buddy free blocks per order, slab totals, per-process
 * memory (VSZ, RSS, page-table pages), fault counters by kind, the TLB hit
 * rate, every vm event by name, one frame (`show page PFN`) and a
 * page-table walk (`show A pagetable ADDR`).  Implementation:
 * kernel/stats.c.  None of these changes the machine: a report between two
 * commands leaves every counter as it was.
 */
#ifndef VMSIM_STATS_H
#define VMSIM_STATS_H

#include "vmsim/vmsim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VMSIM_NR_ORDERS		11	/* buddy orders 0 .. 10 */
#define VMSIM_PAGE_SIZE		4096UL

/* The machine's frames as booted. */
struct vmsim_mem_stats {
	unsigned long total_pages;	/* frames of RAM (max_pfn) */
	unsigned long managed_pages;	/* given to the buddy allocator */
	unsigned long reserved_pages;	/* kept at boot (mem_map, kernel, ...) */
	unsigned long high_pages;	/* HIGHMEM frames */
	unsigned long free_pages;	/* free now (buddy lists + per-CPU lists) */
	int nr_zones;			/* populated zones, over all nodes */
};
VMSIM_API void vmsim_mem_stats(vmsim_machine_t *m, struct vmsim_mem_stats *out);

struct vmsim_zone_stats {
	int node;
	char name[16];			/* "DMA", "Normal", "HighMem" */
	unsigned long start_pfn;
	unsigned long spanned_pages, present_pages, managed_pages;
	unsigned long free_pages;	/* buddy + per-CPU lists */
	unsigned long pcp_pages;	/* of which on per-CPU lists */
	unsigned long min_pages, low_pages, high_pages;	/* watermarks */
	unsigned long nr_free[VMSIM_NR_ORDERS];	/* free blocks per order */
};
/* Populated zone number @index (node order, then DMA, Normal, HighMem): 0 or -ENOENT. */
VMSIM_API int vmsim_zone_stats(vmsim_machine_t *m, int index, struct vmsim_zone_stats *out);

/* Sums over the slab caches (the rows of /proc/slabinfo). */
struct vmsim_slab_totals {
	unsigned long caches;
	unsigned long active_objs, total_objs;
	unsigned long active_slabs, total_slabs;
	unsigned long pages;		/* pages held by slabs */
	unsigned long active_bytes;	/* active objects times their size */
};
/* 0, or -ENOENT when the machine has no slab allocator to report. */
VMSIM_API int vmsim_slab_totals(vmsim_machine_t *m, struct vmsim_slab_totals *out);

/* One live process's memory, as /proc/PID/status counts it (pages). */
struct vmsim_task_stats {
	int pid;
	unsigned long vm_pages;		/* VmSize */
	unsigned long hiwater_vm_pages;	/* VmPeak */
	unsigned long rss_pages;	/* VmRSS: anon + file + shmem */
	unsigned long rss_anon_pages, rss_file_pages, rss_shmem_pages;
	unsigned long hiwater_rss_pages;/* VmHWM */
	unsigned long locked_pages;	/* VmLck */
	unsigned long pte_pages;	/* page-table pages below the pgd (VmPTE) */
	unsigned long swap_pages;	/* VmSwap */
	unsigned long data_pages, stack_pages, exec_pages;
	int nr_vmas;
	int mm_users;			/* > 1: threads share the address space */
	unsigned long min_flt, maj_flt;
};
/* 0, or -ESRCH if @pid is not alive. */
VMSIM_API int vmsim_task_stats(vmsim_machine_t *m, int pid, struct vmsim_task_stats *out);

/* Page faults by kind (vm events summed over CPUs). */
struct vmsim_fault_stats {
	uint64_t total;			/* pgfault */
	uint64_t major;			/* pgmajfault */
	uint64_t minor;			/* total - major */
	uint64_t anon;			/* demand-zero private page */
	uint64_t zero_page;		/* read fault mapped the ZERO_PAGE */
	uint64_t cow;			/* do_wp_page copied */
	uint64_t cow_reuse;		/* do_wp_page reused the only mapping */
	uint64_t stack_grow;		/* expand_stack */
	uint64_t sigsegv, sigbus;	/* faults that ended in a signal */
};
VMSIM_API void vmsim_fault_stats(vmsim_machine_t *m, struct vmsim_fault_stats *out);

struct vmsim_tlb_stats {
	uint64_t hits, misses, flushes, shootdowns;
	/* hits / (hits + misses) in hundredths of a percent; -1 with no lookups */
	long hit_rate_centi_pct;
};
VMSIM_API void vmsim_tlb_stats(vmsim_machine_t *m, struct vmsim_tlb_stats *out);

/*
 * Every counter of /proc/vmstat, by index: zone items first (summed over
 * zones), then events (summed over CPUs), vmsim's own events last.
 */
VMSIM_API int vmsim_vmstat_count(void);
VMSIM_API const char *vmsim_vmstat_name(int index);
VMSIM_API uint64_t vmsim_vmstat_value(vmsim_machine_t *m, int index);
/* By name ("pgfault"): 0 with *val, or -ENOENT. */
VMSIM_API int vmsim_vmstat_get(vmsim_machine_t *m, const char *name, uint64_t *val);

/*
 * A frame for learners: pfn, physical address, node and zone, flags by
 * name, reference and map counts, what the frame is used for (free in the
 * buddy lists with its order, slab, page table, anonymous, ...).  No host
 * pointers: the text is the same in every run.  malloc'd; NULL with errno
 * EINVAL if @pfn is not a frame of the machine.
 */
VMSIM_API char *vmsim_page_describe(vmsim_machine_t *m, unsigned long pfn);

/*
 * CPU @cpu's TLB (`show tlb CPU`): geometry, the mm loaded, then each
 * valid entry by virtual page: page, frame number, rw or r- (whether a
 * write hits), user or kernel, global, nx.  Read it only while no other
 * thread runs that CPU (its TLB is the running thread's, unlocked): a
 * serial machine, or a concurrent script's barrier lines, which run after
 * the round's threads are joined.  malloc'd; NULL with errno EINVAL (no such CPU).
 */
VMSIM_API char *vmsim_tlb_describe(vmsim_machine_t *m, int cpu);

/*
 * What each frame is used for, for pictures of physical memory (`vmsim
 * plot`, docs/plot.md).  FREE frames are those of the buddy free lists
 * (their sum is /proc/meminfo's MemFree), PCP those free on a per-CPU
 * list; SWAPCACHE a page in the swap cache (anonymous or shmem), SHMEM a
 * shmem/tmpfs page in its file's cache, FILE a page of a regular file's
 * page cache; RESERVED a frame kept at boot (mem_map, the kernel, the
 * ZERO_PAGE); KERNEL any other kernel allocation (the rest of a
 * higher-order block, a kernel stack); HOLE a pfn of no zone.
 */
enum vmsim_frame_state {
	VMSIM_FRAME_FREE, VMSIM_FRAME_PCP, VMSIM_FRAME_ANON, VMSIM_FRAME_FILE,
	VMSIM_FRAME_SHMEM, VMSIM_FRAME_SWAPCACHE, VMSIM_FRAME_SLAB, VMSIM_FRAME_PAGETABLE,
	VMSIM_FRAME_RESERVED, VMSIM_FRAME_KERNEL, VMSIM_FRAME_HOLE, VMSIM_FRAME_NR_STATES
};
/* "free", "pcp", "anon", "file", "shmem", "swapcache", "slab", "pagetable", "reserved",
 * "kernel", "hole"; NULL for another number. */
VMSIM_API const char *vmsim_frame_state_name(int state);
/*
 * The state (enum vmsim_frame_state) of frames @start_pfn .. @start_pfn +
 * @nr - 1 into @states[0 ..]: the number of frames written (fewer past the
 * last frame, vmsim_mem_stats' total_pages), or -EINVAL if @start_pfn is
 * not a frame.  Read it while no other thread runs the machine.
 */
VMSIM_API long vmsim_frame_states(vmsim_machine_t *m, unsigned long start_pfn, unsigned long nr,
				  unsigned char *states);

/*
 * mincore(2)'s answer for @pid's [@addr, @addr + @len) (a byte per page, bit
 * 0 resident: mapped, or in the page or swap cache), with bit 1
 * (VMSIM_RESIDENT_MAPPED) where a present PTE maps the page (what VmRSS
 * counts, and the ZERO_PAGE), from a look at the process that changes
 * nothing: no cr3 load, no TLB flush, no signal taken (vmsim_mincore
 * enters the process as the system call does).  0, -ESRCH, or mincore's
 * -EINVAL/-ENOMEM.
 */
#define VMSIM_RESIDENT_MAPPED	2
VMSIM_API int vmsim_resident(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len,
			     unsigned char *vec);

/* The machine's virtual clock (advanced by device I/O): microseconds since boot. */
VMSIM_API uint64_t vmsim_clock_usecs(vmsim_machine_t *m);

/* Counter @index of /proc/vmstat (events only; zone items are 0) as CPU @cpu counted it. */
VMSIM_API uint64_t vmsim_vmstat_cpu_value(vmsim_machine_t *m, int cpu, int index);

/*
 * The walk of @addr through @pid's page tables, one line per real level
 * (index, entry value, flags, the next table's physical address) down to
 * the frame and the physical address, or to the level where the walk
 * stops (not present, swap entry, PROT_NONE).  malloc'd; NULL with errno
 * ESRCH if @pid is not alive.
 */
VMSIM_API char *vmsim_pagetable_describe(vmsim_machine_t *m, int pid, unsigned long addr);

/*
 * The whole translation of logical address @sel:@addr for a user-mode
 * data read of @pid (`show A translate`): the selector, its GDT
 * descriptor, the linear address (base + offset; the offset itself in
 * long mode), then vmsim_pagetable_describe's walk of the linear address
 * to the physical one.  A selector the segmentation unit refuses ends
 * the text with the fault it raises (nothing is delivered).  malloc'd;
 * NULL with errno ESRCH.
 */
VMSIM_API char *vmsim_translate_describe(vmsim_machine_t *m, int pid, unsigned int sel,
					 unsigned long addr);

#ifdef __cplusplus
}
#endif
#endif

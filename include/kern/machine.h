/*
 * The simulated machine: one struct machine holds everything a booted
 * vmsim kernel owns (RAM, mem_map, nodes, CPUs, subsystem state), so
 * several machines live in one process with no shared state.
 *
 * The hardware (RAM, the CPUs' TLBs and cr3, the clock) is m->hw
 * (hw/machine.h); the kernel reaches it only through that.
 *
 * The running simulated CPU is per host thread (this_cpu(), a TLS pointer,
 * like Linux's smp_processor_id()); kernel code reaches its machine through
 * it or through the object at hand (page->zone->zone_pgdat->machine,
 * mm->machine).  Public entry points bind the thread with cpu_enter().
 */
#ifndef KERN_MACHINE_H
#define KERN_MACHINE_H

#include <stdatomic.h>
#include "lib/compiler.h"
#include "kern/mmzone.h"
#include "lib/bug.h"
#include "hw/machine.h"
#include "kern/trace.h"

struct task_struct;
struct mm_struct;
struct tlb;
struct kmem_state;
struct vmalloc_state;
struct pkmap_state;
struct swap_state;
struct fs_state;
struct lru_state;
struct reclaim_policy;
struct rmap_state;
struct vmscan_state;
struct shmem_sb_info;
struct writeback_state;
struct buffer_state;
struct vm_area_struct;
struct task_state;
struct bootmem_data;
struct trace_record;

/*
 * The kernel's part of one CPU (its hardware part, with the TLB and cr3,
 * is @hw).  Fields are written only by the host thread running it.
 */
struct sim_cpu {
	int id;
	int node;				/* numa_node_id() */
	struct machine *machine;
	struct hw_cpu *hw;			/* the CPU itself (hw/machine.h) */
	zonelist_t *zonelists;			/* this node's, by GFP zone modifier */
	bool pcp;				/* cfg.pcp, at hand for the hot paths */
	bool numa_rr;				/* cfg.numa is round robin, nodes > 1 */
	/* by GFP zone modifier: the first zone of this node's zonelist and this
	 * CPU's lists in it, so the common allocation chases two pointers */
	zone_t *first_zone[NR_GFPINDEX];
	struct per_cpu_pages *first_pcp[NR_GFPINDEX];
	bool fail_page_alloc_armed;		/* cfg.fail_page_alloc_nth set, booted */
	struct task_struct *curr;		/* task running on this CPU (`current`) */
	int ip_pid;				/* whose instruction pointer hw->ip holds */
	struct mm_struct *active_mm;		/* whose page tables are loaded (cr3) */
	void *slab_cpu;				/* mm/slab.c per-CPU arrays */
	void *kmap_atomic_slots;		/* mm/highmem.c fixmap slots */
	atomic_ulong events[NR_VM_EVENT_ITEMS];	/* vm_event counters, owner-written */
	/* numastat's counters by node, owner-written, summed by node_numa_state */
	unsigned long numa_events[MAX_NUMNODES][NR_NUMA_STAT_ITEMS];
	uint64_t fail_page_alloc_count;		/* fault injection: allocations while armed */
	/* the access being made: when its page is used next (mm/reclaim_opt.c) */
	uint64_t reclaim_hint;
} __attribute__((aligned(64)));

/*
 * Hooks where reclaim plugs into the page allocator (mm/vmscan.c fills
 * them).  While NULL, an allocation that finds no page fails with NULL.
 */
struct reclaim_hooks {
	void (*wakeup_kswapd)(struct machine *m, zone_t *zone);
	/* returns pages freed; may sleep; called without locks */
	unsigned long (*try_to_free_pages)(struct machine *m, zone_t *classzone,
					   gfp_t gfp_mask, unsigned int order);
	/* take a page whose last reference is going off its LRU list (swap.c) */
	void (*lru_cache_del)(struct page *page);
	/* direct reclaim failed: kill a victim (mm/oom_kill.c); true: retry */
	bool (*out_of_memory)(struct machine *m, gfp_t gfp_mask, unsigned int order);
	/* a scheduling point (task_leave): run kswapd if it was woken */
	void (*kswapd_run)(struct machine *m);
};

struct machine {
	struct vmsim_config cfg;
	struct hw_machine hw;			/* the hardware the kernel runs on */

	/* RAM as setup_arch found it (hw.ram): physical address = offset. */
	uint8_t *ram;
	uint64_t ram_size;
	unsigned long max_pfn;			/* frames in RAM */
	unsigned long max_low_pfn;		/* end of directly mapped memory */
	unsigned long highstart_pfn;		/* first HIGHMEM frame (= max_pfn if none) */
	struct page *mem_map;			/* node 0's (all of RAM's with one node) */

	int nr_nodes;
	pg_data_t node_data[MAX_NUMNODES];

	unsigned long totalram_pages;		/* handed to the buddy allocator */
	unsigned long totalhigh_pages;
	unsigned long reserved_pages;		/* kept by bootmem: BIOS, kernel, mem_map */
	unsigned long kernel_code_pages;
	unsigned int numa_rr_next;		/* numa=roundrobin: the next node to start at */

	int nr_cpus;
	struct sim_cpu cpu[NR_CPUS];

	struct reclaim_hooks reclaim;
	/* the page-replacement policy (kern/reclaim_policy.h) and its state */
	const struct reclaim_policy *reclaim_policy;
	void *reclaim_private;
	struct rmap_state *rmap;		/* mm/rmap.c: NULL but under shrink_victims policies */
	uint64_t rng_state;			/* seeded from cfg.seed */

	/* Subsystem state, owned and defined by each subsystem. */
	struct kmem_state *kmem;		/* mm/slab.c */
	struct mm_struct *init_mm;		/* kernel page tables */
	struct vmalloc_state *vmalloc;		/* mm/vmalloc.c */
	struct pkmap_state *pkmap;		/* mm/highmem.c */
	struct task_state *tasks;		/* kernel/fork.c, exit.c */
	struct lru_state *lru;			/* mm/swap.c */
	struct swap_state *swap;		/* mm/swapfile.c */
	struct vmscan_state *vmscan;		/* mm/vmscan.c: swap cache, kswapd */
	struct fs_state *fs;			/* fs/inode.c: inodes, files, page-cache caches */
	struct chrdev_state *chrdev;		/* fs/char_dev.c: device drivers, modules */
	struct kernel_ctx *kctx;		/* api/kernel.c: the kernel context's allocations */
	struct shmem_sb_info *shmem;		/* mm/shmem.c: shmem inodes (swapoff) */
	struct writeback_state *writeback;	/* mm/page-writeback.c: dirty page writeback */
	struct buffer_state *buffers;		/* fs/buffer.c: buffer cache, block devices (or NULL) */
	struct page *zero_page;			/* ZERO_PAGE */
	void *tool_private;			/* free for the embedding program */
	/*
	 * Race windows made deterministic for tests (debug builds only): called
	 * in do_no_page between ->nopage and retaking page_table_lock.
	 */
	void (*debug_after_nopage)(struct vm_area_struct *vma, unsigned long address);
	struct log_ring *log;			/* kernel/printk.c: the kernel log */
	/* kernel/trace.c: events on (bit TRACE_*, kern/trace.h) and their sink */
	uint64_t trace_mask;
	void (*trace_sink)(void *priv, const struct trace_record *rec);
	void *trace_priv;

	/*
	 * Accounting snapshot taken when boot finished (after every subsystem
	 * init), for the exact-accounting checks: when every process has
	 * exited, free pages and live slab objects equal these again.
	 */
	bool booted;				/* boot finished: fault injection armed */
	atomic_ulong fail_io_count;		/* page I/Os while cfg.fail_io_nth is set */
	unsigned long boot_free_pages;
	unsigned long boot_slab_objs;
	unsigned long boot_swap_map_pages;	/* swap areas come and go: counted apart */
	/*
	 * Set by a test that provoked a BUG on purpose and throws the machine
	 * away (test_discard): teardown skips its invariant checks (exact
	 * accounting, caches and areas left), which would report that BUG's
	 * leftovers again.  Never set otherwise: a failed check is a BUG.
	 */
	bool exit_unchecked;
	/* why boot failed (start_kernel), for vmsim_boot_error; and its errno */
	char boot_error[400];
	int boot_errno;
	/* Filled by mm/slab.c: give cached empty slabs and per-CPU objects
	 * back (drain), count live objects over every cache. */
	void (*slab_drain)(struct machine *m);
	unsigned long (*slab_active_objs)(struct machine *m);

	/* overcommit (mm/util.c): the committed total and vm.overcommit_* & co. */
	atomic_long vm_committed_as;		/* pages, Committed_AS */
	int sysctl_overcommit_memory;		/* OVERCOMMIT_GUESS, _ALWAYS, _NEVER */
	int sysctl_overcommit_ratio;		/* % of RAM in CommitLimit */
	unsigned long sysctl_overcommit_kbytes;	/* instead of the ratio, if not 0 */
	unsigned long sysctl_admin_reserve_kbytes, sysctl_user_reserve_kbytes;
};

/* Give every cached page back (per-CPU lists, empty slabs): for accounting checks. */
void machine_drain(struct machine *m);
/* True if free pages and live slab objects are back at their boot values. */
bool machine_accounting_is_exact(struct machine *m, char *why, size_t whylen);

/* --- the running CPU --------------------------------------------------- */

extern __tls struct sim_cpu *__this_cpu;

static __always_inline struct sim_cpu *this_cpu(void)
{
	return __this_cpu;
}
static __always_inline struct machine *this_machine(void)
{
	return __this_cpu->machine;
}
static __always_inline int smp_processor_id(void)
{
	return __this_cpu->id;
}

_Static_assert(NR_CPUS <= HW_MAX_CPUS, "more kernel CPUs than the hardware has");

/* Make @cpu (NULL: none) the CPU this thread runs, for the kernel and the hardware. */
static inline void set_this_cpu(struct sim_cpu *cpu)
{
	__this_cpu = cpu;
	hw_set_this_cpu(cpu ? cpu->hw : NULL);
}

/* Bind this thread to @m's CPU 0 (or keep its CPU if already on @m). */
struct sim_cpu *cpu_enter(struct machine *m);
void cpu_leave(struct sim_cpu *saved);
/* Attach this thread to @cpu for good (vmsim_cpu_attach) / detach it. */
void cpu_attach(struct sim_cpu *cpu);
void cpu_detach(void);
/*
 * Inside cpu_enter: move this thread to the lowest CPU of @allowed unless
 * its CPU is in it or the thread is attached; returns the CPU it is on.
 */
struct sim_cpu *cpu_migrate(struct machine *m, unsigned long allowed);
/* Every CPU of @m, as a mask (cpu_online_mask). */
static inline unsigned long cpu_online_mask(const struct machine *m)
{
	return m->nr_cpus >= (int)(8 * sizeof(long)) ? ~0UL : (1UL << m->nr_cpus) - 1;
}

/*
 * mod_zone_page_state - add @d to a counter of @z (not NR_FREE_PAGES: see
 * __mod_zone_freepage_state): into the running CPU's part, with a plain
 * store; a thread on no CPU of the machine adds to the zone's own value.
 */
static __always_inline void mod_zone_page_state(zone_t *z, enum zone_stat_item item, long d)
{
	struct sim_cpu *cpu = __this_cpu;

	VM_BUG_ON_MSG(item == NR_FREE_PAGES, "zone %s: NR_FREE_PAGES changed outside zone->lock",
		      z->name);
	if (likely(cpu) && likely(cpu->machine == z->zone_pgdat->machine)) {
		long *diff = &z->pageset[cpu->id].vm_stat_diff[item];

		__atomic_store_n(diff, __atomic_load_n(diff, __ATOMIC_RELAXED) + d,
				 __ATOMIC_RELAXED);
	} else {
		atomic_fetch_add_explicit(&z->vm_stat[item], d, memory_order_relaxed);
	}
}

/* The same, with the running CPU at hand (saves a TLS load on hot paths). */
static __always_inline void __count_vm_events(struct sim_cpu *cpu, enum vm_event_item item,
					      unsigned long n)
{
	atomic_ulong *c = &cpu->events[item];
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}
static __always_inline void count_vm_events(enum vm_event_item item, unsigned long n)
{
	atomic_ulong *c = &__this_cpu->events[item];
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}
static __always_inline void count_vm_event(enum vm_event_item item)
{
	count_vm_events(item, 1);
}
/* Sum of an event over the machine's CPUs. */
unsigned long sum_vm_event(struct machine *m, enum vm_event_item item);
/* Sum of a zone item over every zone of the machine. */
unsigned long global_page_state(struct machine *m, enum zone_stat_item item);

/* --- frames, physical and kernel addresses ------------------------------ */

static inline struct machine *page_machine(const struct page *page)
{
	return page->zone->zone_pgdat->machine;
}
static inline unsigned long page_to_pfn(const struct page *page)
{
	const zone_t *z = page->zone;
	return z->zone_start_pfn + (unsigned long)(page - z->zone_mem_map);
}
/* The node holding @pfn: nodes are consecutive ranges of RAM. */
static inline int pfn_to_nid(const struct machine *m, unsigned long pfn)
{
	int n = m->nr_nodes - 1;

	while (n > 0 && pfn < m->node_data[n].node_start_pfn)
		n--;
	return n;
}
/* Each node's mem_map is its own (in its own RAM), as discontigmem's. */
static inline struct page *pfn_to_page(struct machine *m, unsigned long pfn)
{
	const pg_data_t *pgdat;

	if (likely(m->nr_nodes == 1))
		return m->mem_map + pfn;
	pgdat = &m->node_data[pfn_to_nid(m, pfn)];
	return pgdat->node_mem_map + (pfn - pgdat->node_start_pfn);
}
static inline int page_to_nid(const struct page *page)
{
	return page->zone->zone_pgdat->node_id;
}
/* numa_node_id(): the running CPU's node. */
static __always_inline int numa_node_id(void)
{
	return __this_cpu->node;
}
static inline int node_distance(int a, int b)
{
	return a == b ? LOCAL_DISTANCE : REMOTE_DISTANCE;
}
/* One of numastat's counters for node @nid: every CPU's part added up. */
unsigned long node_numa_state(struct machine *m, int nid, enum numa_stat_item item);
static inline bool pfn_valid(struct machine *m, unsigned long pfn)
{
	return pfn < m->max_pfn;
}
static inline phys_addr_t page_to_phys(const struct page *page)
{
	return (phys_addr_t)page_to_pfn(page) << PAGE_SHIFT;
}

/*
 * Kernel addresses of lowmem (the direct map) are host pointers into RAM;
 * HIGHMEM frames have none and must be reached through kmap().
 */
static inline void *phys_to_virt(struct machine *m, phys_addr_t pa)
{
	VM_BUG_ON_MSG((pa >> PAGE_SHIFT) >= m->max_low_pfn,
		      "phys_to_virt of highmem address %#llx", (unsigned long long)pa);
	return m->ram + pa;
}
static inline phys_addr_t virt_to_phys(struct machine *m, const void *va)
{
	return (phys_addr_t)((const uint8_t *)va - m->ram);
}
static inline struct page *virt_to_page(struct machine *m, const void *va)
{
	return pfn_to_page(m, virt_to_phys(m, va) >> PAGE_SHIFT);
}
#define __va(pa)	phys_to_virt(this_machine(), (pa))
#define __pa(va)	virt_to_phys(this_machine(), (va))

/* mm/highmem.c: the kmap address of a HIGHMEM page (BUG in debug builds if none). */
void *highmem_page_address(const struct page *page);

/*
 * page_address - kernel address of a page: lowmem directly; a HIGHMEM
 * page only while kmapped (NULL otherwise, a BUG naming the pfn in debug
 * builds: kernel code must kmap HIGHMEM pages).
 */
static inline void *page_address(const struct page *page)
{
	struct machine *m = page_machine(page);
	unsigned long pfn = page_to_pfn(page);

	if (unlikely(pfn >= m->max_low_pfn))
		return highmem_page_address(page);
	return m->ram + ((phys_addr_t)pfn << PAGE_SHIFT);
}

/*
 * Host pointer to any frame's bytes, HIGHMEM included: what a device's DMA
 * would reach (swap and file I/O), poisoning and zeroing of whole frames,
 * prefetches.  Other kernel code uses page_address() or kmap().
 */
static inline uint8_t *__phys_ram(struct machine *m, phys_addr_t pa)
{
	return m->ram + pa;
}

/* Deterministic random numbers (splitmix64), from cfg.seed. */
uint64_t machine_random(struct machine *m);
uint64_t splitmix64_mix(uint64_t x);

#endif

/*
 * Statistics: one table of counters, named as in /proc/vmstat, in one enum
 * with one array of names in the same order (mm/vmstat.c).  Two kinds:
 *  - zone items (nr_*): per zone, current amounts, changed with
 *    mod_zone_page_state(); summed over zones for /proc/vmstat;
 *  - events (pg*, pswp*, ...): monotonic, counted per CPU without atomics
 *    (count_vm_event) and summed when read.
 * Add a counter by adding it to the enum and its name to the array.
 */
#ifndef KERN_VMSTAT_H
#define KERN_VMSTAT_H

#include <stdatomic.h>

enum zone_stat_item {
	NR_FREE_PAGES,
	NR_ZONE_INACTIVE_ANON,
	NR_ZONE_ACTIVE_ANON,
	NR_ZONE_INACTIVE_FILE,
	NR_ZONE_ACTIVE_FILE,
	NR_ZONE_UNEVICTABLE,
	NR_ZONE_WRITE_PENDING,
	NR_MLOCK,
	NR_PAGETABLE,
	NR_BOUNCE,
	NR_FREE_CMA_PAGES,
	/* node-level items in Linux; kept per zone here and summed */
	NR_ANON_PAGES,
	NR_FILE_PAGES,
	NR_FILE_MAPPED,
	NR_FILE_DIRTY,
	NR_WRITEBACK,
	NR_SHMEM,
	NR_SLAB_RECLAIMABLE,
	NR_SLAB_UNRECLAIMABLE,
	NR_KERNEL_STACK,
	NR_SWAPCACHE,
	NR_VM_ZONE_STAT_ITEMS
};

#define ZONE_STAT_NAMES \
	"nr_free_pages", "nr_zone_inactive_anon", "nr_zone_active_anon", \
	"nr_zone_inactive_file", "nr_zone_active_file", "nr_zone_unevictable", \
	"nr_zone_write_pending", "nr_mlock", "nr_page_table_pages", "nr_bounce", \
	"nr_free_cma", "nr_anon_pages", "nr_file_pages", "nr_mapped", "nr_dirty", \
	"nr_writeback", "nr_shmem", "nr_slab_reclaimable", "nr_slab_unreclaimable", \
	"nr_kernel_stack", "nr_swapcached"

enum vm_event_item {
	PGPGIN,
	PGPGOUT,
	PSWPIN,
	PSWPOUT,
	PGALLOC_DMA,
	PGALLOC_NORMAL,
	PGALLOC_HIGH,
	ALLOCSTALL,
	PGFREE,
	PGACTIVATE,
	PGDEACTIVATE,
	PGFAULT,
	PGMAJFAULT,
	PGREFILL,
	PGSTEAL_KSWAPD,
	PGSTEAL_DIRECT,
	PGSCAN_KSWAPD,
	PGSCAN_DIRECT,
	PGINODESTEAL,
	SLABS_SCANNED,
	KSWAPD_INODESTEAL,
	PAGEOUTRUN,
	PGROTATED,
	OOM_KILL,
	PGMIGRATE_SUCCESS,
	COMPACTSTALL,
	UNEVICTABLE_PGMLOCKED,
	UNEVICTABLE_PGMUNLOCKED,
	NR_DIRTIED,		/* file pages dirtied (a node counter in Linux 2.6.37+) */
	NR_WRITTEN,		/* file pages written back (idem) */
	/* Linux's CONFIG_DEBUG_TLBFLUSH counters (arch/x86/mm/tlb.c) */
	NR_TLB_REMOTE_FLUSH,		/* flush_tlb_others calls that sent the IPI */
	NR_TLB_REMOTE_FLUSH_RECEIVED,	/* invalidate IPIs taken (the receiving CPU's) */
	NR_TLB_LOCAL_FLUSH_ALL,		/* the running CPU's whole-TLB flushes */
	NR_TLB_LOCAL_FLUSH_ONE,		/* the running CPU's one-page flushes (invlpg) */
	SWAP_RA,		/* swap pages read ahead (Linux 4.14+) */
	SWAP_RA_HIT,		/* read-ahead swap pages a task then found */
	/* vmsim's own, beside Linux's: fault kinds, TLB, page-table work */
	PGFAULT_ZERO,		/* read fault mapped the ZERO_PAGE */
	PGFAULT_ANON,		/* demand-zero private page */
	PGFAULT_COW,		/* do_wp_page copied */
	PGFAULT_COW_REUSE,	/* do_wp_page reused the only mapping */
	PGFAULT_STACK_GROW,	/* expand_stack */
	PGFAULT_SIGSEGV,
	PGFAULT_SIGBUS,
	TLB_HIT,
	TLB_MISS,
	TLB_FLUSH,
	TLB_SHOOTDOWN,
	WB_THROTTLE,		/* balance_dirty_pages made a writer write */
	WB_THROTTLE_PAGES,	/* pages written by throttled writers */
	WB_BACKGROUND_PAGES,	/* pages written by background writeout */
	WB_KUPDATE_PAGES,	/* pages written by the periodic (kupdate) pass */
	NR_VM_EVENT_ITEMS
};

#define VM_EVENT_NAMES \
	"pgpgin", "pgpgout", "pswpin", "pswpout", "pgalloc_dma", "pgalloc_normal", \
	"pgalloc_high", "allocstall", "pgfree", "pgactivate", "pgdeactivate", \
	"pgfault", "pgmajfault", "pgrefill", "pgsteal_kswapd", "pgsteal_direct", \
	"pgscan_kswapd", "pgscan_direct", "pginodesteal", "slabs_scanned", \
	"kswapd_inodesteal", "pageoutrun", "pgrotated", "oom_kill", \
	"pgmigrate_success", "compact_stall", "unevictable_pgs_mlocked", \
	"unevictable_pgs_munlocked", "nr_dirtied", "nr_written", "nr_tlb_remote_flush", \
	"nr_tlb_remote_flush_received", "nr_tlb_local_flush_all", "nr_tlb_local_flush_one", \
	"swap_ra", "swap_ra_hit", \
	"vmsim_fault_zero_page", "vmsim_fault_anon", "vmsim_fault_cow", \
	"vmsim_fault_cow_reuse", "vmsim_fault_stack_grow", "vmsim_fault_sigsegv", \
	"vmsim_fault_sigbus", "vmsim_tlb_hit", "vmsim_tlb_miss", "vmsim_tlb_flush", \
	"vmsim_tlb_shootdown", "vmsim_wb_throttle", "vmsim_wb_throttle_pages", \
	"vmsim_wb_background_pages", "vmsim_wb_kupdate_pages"

/* Number of Linux /proc/vmstat events before vmsim's own (printed after). */
#define NR_LINUX_VM_EVENTS	PGFAULT_ZERO

extern const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS];
extern const char *const vm_event_names[NR_VM_EVENT_ITEMS];

#endif

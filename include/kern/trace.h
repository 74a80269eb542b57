/*
 * Kernel events (tracepoints): Linux's trace events at the places Linux
 * has them, with Linux's names and field formats (include/trace/events/
 * kmem.h, filemap.h, vmscan.h, pagemap.h, oom.h, tlb.h, signal.h, and
 * arch/x86's exceptions.h), plus a few of vmsim's own (system "vmsim")
 * where Linux has none: the fault handler that resolved a fault and why
 * (what `--explain` renders), swap page I/O.
 *
 * Off, a tracepoint costs one load of the machine's mask and a branch
 * predicted not taken (trace_event_on); on, the out-of-line __trace_*
 * formats a record and hands it to the machine's sink (kernel/trace.c),
 * which the API (api/trace.c, vmsim_events_*) fills.  No tracepoint sits
 * on the TLB-hit path: the hardware never calls the kernel there.
 */
#ifndef KERN_TRACE_H
#define KERN_TRACE_H

#include <stdint.h>
#include "lib/compiler.h"

struct machine;
struct page;
struct task_struct;

/* Every event: X(system, name), in the order `show events` lists them. */
#define TRACE_EVENT_LIST(X)					\
	X(kmem, mm_page_alloc)					\
	X(kmem, mm_page_free)					\
	X(kmem, mm_page_alloc_zone_locked)			\
	X(kmem, kmalloc)					\
	X(kmem, kfree)						\
	X(kmem, kmem_cache_alloc)				\
	X(kmem, kmem_cache_free)				\
	X(filemap, mm_filemap_add_to_page_cache)		\
	X(filemap, mm_filemap_delete_from_page_cache)		\
	X(vmscan, mm_vmscan_kswapd_wake)			\
	X(vmscan, mm_vmscan_kswapd_sleep)			\
	X(vmscan, mm_vmscan_direct_reclaim_begin)		\
	X(vmscan, mm_vmscan_direct_reclaim_end)			\
	X(vmscan, mm_vmscan_lru_isolate)			\
	X(vmscan, mm_vmscan_writepage)				\
	X(exceptions, page_fault_user)				\
	X(pagemap, mm_lru_insertion)				\
	X(pagemap, mm_lru_activate)				\
	X(oom, mark_victim)					\
	X(tlb, tlb_flush)					\
	X(signal, signal_generate)				\
	X(vmsim, mm_fault_handler)				\
	X(vmsim, swap_readpage)					\
	X(vmsim, swap_writepage)

enum trace_event_id {
#define TRACE_ENUM(sys, name) TRACE_##name,
	TRACE_EVENT_LIST(TRACE_ENUM)
#undef TRACE_ENUM
	NR_TRACE_EVENTS
};
_Static_assert(NR_TRACE_EVENTS <= 64, "the enabled mask is 64 bits");

struct trace_event_name {
	const char *system, *name;
};
extern const struct trace_event_name trace_event_names[NR_TRACE_EVENTS];

/*
 * One event as the sink sees it.  @fields is the text of Linux's
 * TP_printk; @arg and @str carry the same facts as numbers for a reader
 * that renders them (the explain layer): what each holds is said at each
 * __trace_* in kernel/trace.c.
 */
struct trace_record {
	int id;
	int cpu;
	int pid;				/* 0 and "<idle>": no task */
	const char *comm;
	unsigned long jiffies;			/* the virtual clock */
	unsigned long arg[4];
	const char *str[2];
	char fields[240];
};

typedef void (*trace_sink_t)(void *priv, const struct trace_record *rec);

/* Which events are on, and who gets them (NULL sink: none). */
void trace_set(struct machine *m, uint64_t mask, trace_sink_t sink, void *priv);

#define trace_event_on(m, ev)	unlikely((m)->trace_mask & (1ULL << TRACE_##ev))

/* The out-of-line halves (kernel/trace.c); call them through the macros below. */
void __trace_mm_page_alloc(struct machine *m, struct page *page, unsigned int order,
			   unsigned int gfp);
void __trace_mm_page_free(struct machine *m, struct page *page, unsigned int order);
void __trace_mm_page_alloc_zone_locked(struct machine *m, struct page *page,
				       unsigned int order, int percpu_refill);
void __trace_kmem(struct machine *m, int id, const void *ptr, size_t req, size_t alloc,
		  unsigned int gfp, const char *cache, const char *site);
struct inode;
void __trace_mm_filemap(struct machine *m, int id, struct page *page, const struct inode *host,
			unsigned long index);
void __trace_vmscan(struct machine *m, int id, long a, long b, long c);
void __trace_mm_vmscan_lru_isolate(struct machine *m, unsigned long requested,
				   unsigned long scanned, unsigned long taken, int active);
void __trace_page(struct machine *m, int id, struct page *page, unsigned long extra);
void __trace_page_fault_user(struct machine *m, unsigned long address, unsigned int error_code);
void __trace_mark_victim(struct machine *m, struct task_struct *t);
void __trace_tlb_flush(struct machine *m, int reason, long pages);
void __trace_signal_generate(struct machine *m, struct task_struct *t, int sig, int code,
			     unsigned long addr);
void __trace_mm_fault_handler(struct machine *m, unsigned long address, const char *handler,
			      const char *kind, long pfn, long extra);

/* Linux's TLB flush reasons (include/linux/mm_types.h), the number tlb_flush prints. */
enum { TLB_FLUSH_ON_TASK_SWITCH, TLB_REMOTE_SHOOTDOWN, TLB_LOCAL_SHOOTDOWN,
       TLB_LOCAL_MM_SHOOTDOWN, TLB_REMOTE_SEND_IPI };

#define TRACE_IF(m, ev, call)	do { if (trace_event_on(m, ev)) call; } while (0)

#define trace_mm_page_alloc(m, page, order, gfp) \
	TRACE_IF(m, mm_page_alloc, __trace_mm_page_alloc(m, page, order, gfp))
#define trace_mm_page_free(m, page, order) \
	TRACE_IF(m, mm_page_free, __trace_mm_page_free(m, page, order))
#define trace_mm_page_alloc_zone_locked(m, page, order, refill) \
	TRACE_IF(m, mm_page_alloc_zone_locked, __trace_mm_page_alloc_zone_locked(m, page, order, refill))
#define trace_kmalloc(m, ptr, req, alloc, gfp, site) \
	TRACE_IF(m, kmalloc, __trace_kmem(m, TRACE_kmalloc, ptr, req, alloc, gfp, NULL, site))
#define trace_kfree(m, ptr, site) \
	TRACE_IF(m, kfree, __trace_kmem(m, TRACE_kfree, ptr, 0, 0, 0, NULL, site))
#define trace_kmem_cache_alloc(m, ptr, req, alloc, gfp, name, site) \
	TRACE_IF(m, kmem_cache_alloc, __trace_kmem(m, TRACE_kmem_cache_alloc, ptr, req, alloc, gfp, name, site))
#define trace_kmem_cache_free(m, ptr, name, site) \
	TRACE_IF(m, kmem_cache_free, __trace_kmem(m, TRACE_kmem_cache_free, ptr, 0, 0, 0, name, site))
#define trace_mm_filemap_add_to_page_cache(m, page, host, index) \
	TRACE_IF(m, mm_filemap_add_to_page_cache, \
		 __trace_mm_filemap(m, TRACE_mm_filemap_add_to_page_cache, page, host, index))
#define trace_mm_filemap_delete_from_page_cache(m, page, host, index) \
	TRACE_IF(m, mm_filemap_delete_from_page_cache, \
		 __trace_mm_filemap(m, TRACE_mm_filemap_delete_from_page_cache, page, host, index))
#define trace_mm_vmscan_kswapd_wake(m, nid, zid, order) \
	TRACE_IF(m, mm_vmscan_kswapd_wake, __trace_vmscan(m, TRACE_mm_vmscan_kswapd_wake, nid, zid, order))
#define trace_mm_vmscan_kswapd_sleep(m, nid) \
	TRACE_IF(m, mm_vmscan_kswapd_sleep, __trace_vmscan(m, TRACE_mm_vmscan_kswapd_sleep, nid, 0, 0))
#define trace_mm_vmscan_direct_reclaim_begin(m, order, gfp, zid) \
	TRACE_IF(m, mm_vmscan_direct_reclaim_begin, \
		 __trace_vmscan(m, TRACE_mm_vmscan_direct_reclaim_begin, order, gfp, zid))
#define trace_mm_vmscan_direct_reclaim_end(m, nr) \
	TRACE_IF(m, mm_vmscan_direct_reclaim_end, \
		 __trace_vmscan(m, TRACE_mm_vmscan_direct_reclaim_end, (long)(nr), 0, 0))
#define trace_mm_vmscan_lru_isolate(m, req, scanned, taken, active) \
	TRACE_IF(m, mm_vmscan_lru_isolate, __trace_mm_vmscan_lru_isolate(m, req, scanned, taken, active))
#define trace_mm_vmscan_writepage(m, page) \
	TRACE_IF(m, mm_vmscan_writepage, __trace_page(m, TRACE_mm_vmscan_writepage, page, 0))
#define trace_mm_lru_insertion(m, page) \
	TRACE_IF(m, mm_lru_insertion, __trace_page(m, TRACE_mm_lru_insertion, page, 0))
#define trace_mm_lru_activate(m, page) \
	TRACE_IF(m, mm_lru_activate, __trace_page(m, TRACE_mm_lru_activate, page, 0))
#define trace_swap_readpage(m, page, slot) \
	TRACE_IF(m, swap_readpage, __trace_page(m, TRACE_swap_readpage, page, slot))
#define trace_swap_writepage(m, page, slot) \
	TRACE_IF(m, swap_writepage, __trace_page(m, TRACE_swap_writepage, page, slot))
#define trace_page_fault_user(m, address, error_code) \
	TRACE_IF(m, page_fault_user, __trace_page_fault_user(m, address, error_code))
#define trace_mark_victim(m, t) \
	TRACE_IF(m, mark_victim, __trace_mark_victim(m, t))
#define trace_tlb_flush(m, reason, pages) \
	TRACE_IF(m, tlb_flush, __trace_tlb_flush(m, reason, pages))
#define trace_signal_generate(m, t, sig, code, addr) \
	TRACE_IF(m, signal_generate, __trace_signal_generate(m, t, sig, code, addr))
/* vmsim's own: which handler resolved the fault at @address and why (@kind) */
#define trace_mm_fault_handler(m, address, handler, kind, pfn, extra) \
	TRACE_IF(m, mm_fault_handler, __trace_mm_fault_handler(m, address, handler, kind, pfn, extra))

#endif

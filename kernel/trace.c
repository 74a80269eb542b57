/*
 * Kernel events (include/kern/trace.h): the out-of-line half of each
 * tracepoint.  It fills a record with the running task, CPU and virtual
 * time, and the event's fields in Linux's TP_printk format, and hands it
 * to the machine's sink.  Pointers print as the kernel addresses they
 * have in the simulated machine (struct page and slab objects live in its
 * RAM, in the direct map), so a run prints the same bytes every time.
 *
 * Formats follow Linux 6.x where it has the event; where 2.4 differs
 * (one active and one inactive list, no migrate types, no callers' return
 * addresses) the field keeps Linux's name and prints 2.4's value.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kern/trace.h"
#include "kern/machine.h"
#include "kern/pgtable.h"
#include "kern/sched.h"
#include "kern/gfp.h"
#include "kern/fs.h"
#include "kern/printk.h"

const struct trace_event_name trace_event_names[NR_TRACE_EVENTS] = {
#define TRACE_NAME(sys, name) { #sys, #name },
	TRACE_EVENT_LIST(TRACE_NAME)
#undef TRACE_NAME
};

void trace_set(struct machine *m, uint64_t mask, trace_sink_t sink, void *priv)
{
	m->trace_sink = sink;
	m->trace_priv = priv;
	m->trace_mask = sink ? mask : 0;
}

/* The kernel address of host pointer @p into the machine's RAM (direct map). */
static unsigned long kaddr(struct machine *m, const void *p)
{
	return PAGE_OFFSET_OF(m) + (unsigned long)((const uint8_t *)p - m->ram);
}

/* Start a record for event @id: who, where, when. */
static void rec_init(struct machine *m, struct trace_record *r, int id)
{
	struct sim_cpu *cpu = this_cpu();
	struct task_struct *t = cpu && cpu->machine == m ? cpu->curr : NULL;

	memset(r, 0, sizeof(*r));
	r->id = id;
	r->cpu = cpu && cpu->machine == m ? cpu->id : 0;
	r->pid = t ? t->pid : 0;
	r->comm = t ? t->comm : "<idle>";
	r->jiffies = hw_clock_read(&m->hw);
}

__attribute__((format(printf, 3, 4)))
static void rec_emit(struct machine *m, struct trace_record *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->fields, sizeof(r->fields), fmt, ap);
	va_end(ap);
	if (m->trace_sink)
		m->trace_sink(m->trace_priv, r);
}

/* gfp_flags as Linux's show_gfp_flags: the compound name, then the bits left. */
static const char *gfp_name(unsigned int gfp, char *buf, size_t len)
{
	/*
	 * Most bits first, as Linux's table; 2.4's GFP_KERNEL (with
	 * __GFP_HIGH) and GFP_HIGHUSER (with __GFP_HIGHMEM) have as many, and
	 * GFP_KERNEL goes first: GFP_KERNEL|__GFP_HIGHMEM, as a caller writes
	 * it, not GFP_HIGHUSER and a lone __GFP_HIGH (2.4's GFP_ATOMIC).
	 */
	static const struct { unsigned int mask; const char *name; } names[] = {
		{ GFP_KERNEL, "GFP_KERNEL" }, { GFP_HIGHUSER, "GFP_HIGHUSER" },
		{ GFP_NOFS, "GFP_NOFS" }, { GFP_USER, "GFP_USER" },
		{ GFP_NOHIGHIO, "GFP_NOHIGHIO" }, { GFP_NOIO, "GFP_NOIO" },
		{ GFP_ATOMIC, "GFP_ATOMIC" },
		{ __GFP_DMA, "GFP_DMA" }, { __GFP_HIGHMEM, "__GFP_HIGHMEM" },
		{ __GFP_WAIT, "__GFP_RECLAIM" }, { __GFP_HIGH, "__GFP_HIGH" },
		{ __GFP_IO, "__GFP_IO" }, { __GFP_HIGHIO, "__GFP_HIGHIO" },
		{ __GFP_FS, "__GFP_FS" }, { __GFP_ZERO, "__GFP_ZERO" },
		{ __GFP_NOFAIL, "__GFP_NOFAIL" }, { __GFP_NOWARN, "__GFP_NOWARN" },
	};
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((gfp & names[i].mask) != names[i].mask)
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "|" : "",
				      names[i].name);
		gfp &= ~names[i].mask;
		if (n >= len)
			break;
	}
	if (!buf[0])
		snprintf(buf, len, "0x0");
	return buf;
}

/* The GFP mask's name as a constant string (the explain layer keeps it). */
static const char *gfp_short(unsigned int gfp)
{
	static const struct { unsigned int gfp; const char *name; } names[] = {
		{ GFP_HIGHUSER, "GFP_HIGHUSER" }, { GFP_HIGHUSER | __GFP_ZERO, "GFP_HIGHUSER|__GFP_ZERO" },
		{ GFP_KERNEL, "GFP_KERNEL" }, { GFP_KERNEL | __GFP_ZERO, "GFP_KERNEL|__GFP_ZERO" },
		{ GFP_USER, "GFP_USER" }, { GFP_NOFS, "GFP_NOFS" }, { GFP_NOIO, "GFP_NOIO" },
		{ GFP_ATOMIC, "GFP_ATOMIC" },
		{ GFP_KERNEL | __GFP_DMA, "GFP_KERNEL|GFP_DMA" },
		{ GFP_KERNEL | __GFP_HIGHMEM, "GFP_KERNEL|__GFP_HIGHMEM" },
		{ GFP_ATOMIC | __GFP_DMA, "GFP_ATOMIC|GFP_DMA" },
		{ GFP_ATOMIC | __GFP_HIGHMEM, "GFP_ATOMIC|__GFP_HIGHMEM" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].gfp == gfp)
			return names[i].name;
	return "gfp";
}

/* args: pfn, order, gfp, zone index; str: the zone's name, the GFP mask's */
void __trace_mm_page_alloc(struct machine *m, struct page *page, unsigned int order,
			   unsigned int gfp)
{
	struct trace_record r;
	char g[128];

	rec_init(m, &r, TRACE_mm_page_alloc);
	r.arg[0] = page_to_pfn(page);
	r.arg[1] = order;
	r.arg[2] = gfp;
	r.arg[3] = (unsigned long)page->zone->idx;
	r.str[0] = page->zone->name;
	r.str[1] = gfp_short(gfp);
	rec_emit(m, &r, "page=0x%lx pfn=0x%lx order=%u migratetype=0 gfp_flags=%s",
		 kaddr(m, page), r.arg[0], order, gfp_name(gfp, g, sizeof(g)));
}

/* args: pfn, order */
void __trace_mm_page_free(struct machine *m, struct page *page, unsigned int order)
{
	struct trace_record r;

	rec_init(m, &r, TRACE_mm_page_free);
	r.arg[0] = page_to_pfn(page);
	r.arg[1] = order;
	rec_emit(m, &r, "page=0x%lx pfn=0x%lx order=%u", kaddr(m, page), r.arg[0], order);
}

/* args: pfn, order, percpu_refill (taken from the buddy lists under zone->lock) */
void __trace_mm_page_alloc_zone_locked(struct machine *m, struct page *page,
				       unsigned int order, int percpu_refill)
{
	struct trace_record r;

	rec_init(m, &r, TRACE_mm_page_alloc_zone_locked);
	r.arg[0] = page_to_pfn(page);
	r.arg[1] = order;
	r.arg[2] = (unsigned long)percpu_refill;
	r.str[0] = page->zone->name;
	rec_emit(m, &r, "page=0x%lx pfn=0x%lx order=%u migratetype=0 percpu_refill=%d",
		 kaddr(m, page), r.arg[0], order, percpu_refill);
}

/* kmalloc, kfree, kmem_cache_alloc, kmem_cache_free; args: address, bytes, allocated */
void __trace_kmem(struct machine *m, int id, const void *ptr, size_t req, size_t alloc,
		  unsigned int gfp, const char *cache, const char *site)
{
	struct trace_record r;
	char g[128];

	rec_init(m, &r, id);
	r.arg[0] = ptr ? kaddr(m, ptr) : 0;
	r.arg[1] = req;
	r.arg[2] = alloc;
	r.str[0] = cache;
	/* call_site: the calling function, as Linux's %pS prints it (without +offset/size) */
	if (!site)
		site = "0";
	if (id == TRACE_kmalloc || id == TRACE_kmem_cache_alloc)
		rec_emit(m, &r, "call_site=%s ptr=0x%lx bytes_req=%zu bytes_alloc=%zu gfp_flags=%s "
			 "node=-1 accounted=false", site, r.arg[0], req, alloc,
			 gfp_name(gfp, g, sizeof(g)));
	else if (id == TRACE_kmem_cache_free)
		rec_emit(m, &r, "call_site=%s ptr=0x%lx name=%s", site, r.arg[0], cache ? cache : "");
	else
		rec_emit(m, &r, "call_site=%s ptr=0x%lx", site, r.arg[0]);
}

/* args: pfn, inode number, page index (the device and inode as the file's) */
void __trace_mm_filemap(struct machine *m, int id, struct page *page, const struct inode *host,
			unsigned long index)
{
	struct trace_record r;

	rec_init(m, &r, id);
	r.arg[0] = page_to_pfn(page);
	r.arg[1] = host ? host->i_ino : 0;
	r.arg[2] = index;
	rec_emit(m, &r, "dev %u:%u ino %lx pfn=0x%lx ofs=%lu order=0", host ? host->i_dev_major : 0,
		 host ? host->i_dev_minor : 0, r.arg[1], r.arg[0], index << PAGE_SHIFT);
}

/* kswapd_wake (nid, zid, order), kswapd_sleep (nid), direct reclaim begin
 * (order, gfp, zid) and end (nr_reclaimed): args as given */
void __trace_vmscan(struct machine *m, int id, long a, long b, long c)
{
	struct trace_record r;
	char g[128];

	rec_init(m, &r, id);
	r.arg[0] = (unsigned long)a;
	r.arg[1] = (unsigned long)b;
	r.arg[2] = (unsigned long)c;
	switch (id) {
	case TRACE_mm_vmscan_kswapd_wake:
		rec_emit(m, &r, "nid=%ld zid=%ld order=%ld", a, b, c);
		break;
	case TRACE_mm_vmscan_kswapd_sleep:
		rec_emit(m, &r, "nid=%ld", a);
		break;
	case TRACE_mm_vmscan_direct_reclaim_begin:
		rec_emit(m, &r, "order=%ld gfp_flags=%s", a,
			 gfp_name((unsigned int)b, g, sizeof(g)));
		break;
	default:
		rec_emit(m, &r, "nr_reclaimed=%lu", (unsigned long)a);
	}
}

/* args: requested, scanned, taken, active (2.4 has one active, one inactive list) */
void __trace_mm_vmscan_lru_isolate(struct machine *m, unsigned long requested,
				   unsigned long scanned, unsigned long taken, int active)
{
	struct trace_record r;

	rec_init(m, &r, TRACE_mm_vmscan_lru_isolate);
	r.arg[0] = requested;
	r.arg[1] = scanned;
	r.arg[2] = taken;
	r.arg[3] = (unsigned long)active;
	rec_emit(m, &r, "isolate_mode=0 classzone=%d order=0 nr_requested=%lu nr_scanned=%lu "
		 "nr_skipped=0 nr_taken=%lu lru=%s", MAX_NR_ZONES - 1, requested, scanned, taken,
		 active ? "active" : "inactive");
}

/* Linux's enum lru_list of a page: inactive/active, anon/file, unevictable. */
static int page_lru_nr(const struct page *page)
{
	if (PageUnevictable(page))
		return 4;
	return (PageSwapBacked(page) || PageAnon(page) ? 0 : 2) + (PageActive(page) ? 1 : 0);
}

/* writepage, lru insertion and activation, swap page I/O; args: pfn, extra
 * (the swap slot's offset), lru; str[0]: anon or file */
void __trace_page(struct machine *m, int id, struct page *page, unsigned long extra)
{
	bool anon = PageSwapBacked(page) || PageAnon(page);
	unsigned long pfn = page_to_pfn(page);
	struct trace_record r;

	rec_init(m, &r, id);
	r.arg[0] = pfn;
	r.arg[1] = extra;
	r.arg[2] = (unsigned long)page_lru_nr(page);
	r.str[0] = anon ? "anon" : "file";
	switch (id) {
	case TRACE_mm_vmscan_writepage:
		rec_emit(m, &r, "page=0x%lx pfn=0x%lx flags=%s|RECLAIM_WB_ASYNC", kaddr(m, page),
			 pfn, anon ? "RECLAIM_WB_ANON" : "RECLAIM_WB_FILE");
		break;
	case TRACE_mm_lru_insertion:
		rec_emit(m, &r, "folio=0x%lx pfn=0x%lx lru=%d flags=%s%s%s%s%s%s", kaddr(m, page),
			 pfn, page_lru_nr(page), page_mapcount(page) ? "M" : " ", PageAnon(page) ? "a" : "f",
			 PageSwapCache(page) ? "s" : " ", PageSwapBacked(page) ? "b" : " ", " ", " ");
		break;
	case TRACE_mm_lru_activate:
		rec_emit(m, &r, "folio=0x%lx pfn=0x%lx", kaddr(m, page), pfn);
		break;
	default:	/* vmsim's swap_readpage, swap_writepage */
		rec_emit(m, &r, "pfn=0x%lx offset=%lu", pfn, extra);
	}
}

/* args: address, error code */
void __trace_page_fault_user(struct machine *m, unsigned long address, unsigned int error_code)
{
	struct trace_record r;

	rec_init(m, &r, TRACE_page_fault_user);
	r.arg[0] = address;
	r.arg[1] = error_code;
	/*
	 * ip: the CPU's instruction pointer, the last instruction the task
	 * fetched (a trace's instruction stream; the address itself for a
	 * fault on a fetch); 0 when it fetched none (a script's reads and
	 * writes come from no instruction).
	 */
	r.arg[2] = this_cpu() ? this_cpu()->hw->ip : 0;
	rec_emit(m, &r, "address=0x%lx ip=0x%lx error_code=0x%x", address, r.arg[2], error_code);
}

/* args: pid */
void __trace_mark_victim(struct machine *m, struct task_struct *t)
{
	struct trace_record r;

	rec_init(m, &r, TRACE_mark_victim);
	r.arg[0] = (unsigned long)t->pid;
	r.str[0] = t->comm;
	rec_emit(m, &r, "pid=%d", t->pid);
}

/* args: reason, pages (-1: all) */
void __trace_tlb_flush(struct machine *m, int reason, long pages)
{
	static const char *const reasons[] = {
		"flush on task switch", "remote shootdown", "local shootdown",
		"local mm shootdown", "remote ipi send",
	};
	struct trace_record r;

	rec_init(m, &r, TRACE_tlb_flush);
	r.arg[0] = (unsigned long)reason;
	r.arg[1] = (unsigned long)pages;
	r.str[0] = reasons[reason];
	rec_emit(m, &r, "pages:%ld reason:%s (%d)", pages, reasons[reason], reason);
}

/* args: signal, si_code, address, pid */
void __trace_signal_generate(struct machine *m, struct task_struct *t, int sig, int code,
			     unsigned long addr)
{
	struct trace_record r;

	rec_init(m, &r, TRACE_signal_generate);
	r.arg[0] = (unsigned long)sig;
	r.arg[1] = (unsigned long)code;
	r.arg[2] = addr;
	r.arg[3] = (unsigned long)t->pid;
	rec_emit(m, &r, "sig=%d errno=0 code=%d comm=%s pid=%d grp=1 res=0", sig, code, t->comm,
		 t->pid);
}

/* args: address, pfn (-1: none), extra (a swap slot, a VMA start); str: handler, kind */
void __trace_mm_fault_handler(struct machine *m, unsigned long address, const char *handler,
			      const char *kind, long pfn, long extra)
{
	struct trace_record r;

	rec_init(m, &r, TRACE_mm_fault_handler);
	r.arg[0] = address;
	r.arg[1] = (unsigned long)pfn;
	r.arg[2] = (unsigned long)extra;
	r.str[0] = handler;
	r.str[1] = kind;
	if (pfn >= 0)
		rec_emit(m, &r, "address=0x%lx handler=%s kind=%s pfn=0x%lx extra=%ld", address,
			 handler, kind, (unsigned long)pfn, extra);
	else
		rec_emit(m, &r, "address=0x%lx handler=%s kind=%s extra=%ld", address, handler,
			 kind, extra);
}

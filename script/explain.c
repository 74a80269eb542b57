/*
 * Kernel events in a session (docs/script.md): `events LIST` prints the
 * events it selects as they happen (trace_pipe lines or JSON lines, to the
 * output or the embedder's file), `show events` lists them, and `explain
 * on` prints under each command's result what the kernel did: for each
 * page fault the path it took in Linux's function names, the page and
 * frame, and why; then the count of every other event the command raised.
 *
 * Both are the same events (vmsim/trace.h): the explanation is rendered
 * from the records the kernel's tracepoints gave, never from a second
 * account of what happened, so the two cannot disagree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/trace.h"
#include "internal.h"

#define EXPLAIN_MAX_EVENTS	200000	/* a trace replay raises millions: keep the first */
#define EXPLAIN_MAX_FAULTS	3	/* faults shown in full per command */

struct script_explain {
	struct vmsim_event *ev;		/* this command's events (fields not kept) */
	size_t n, cap;
	unsigned long dropped;
	int id_fault, id_handler, id_alloc, id_locked, id_signal, id_victim;
};

static int ev_id(const char *name)
{
	return vmsim_events_id(name);
}

static struct script_explain *explain_state(struct vmsim_session *s)
{
	struct script_explain *x = s->explain_state;

	if (!x && (x = s->explain_state = calloc(1, sizeof(*x)))) {
		x->id_fault = ev_id("page_fault_user");
		x->id_handler = ev_id("mm_fault_handler");
		x->id_alloc = ev_id("mm_page_alloc");
		x->id_locked = ev_id("mm_page_alloc_zone_locked");
		x->id_signal = ev_id("signal_generate");
		x->id_victim = ev_id("mark_victim");
	}
	return x;
}

static void collect(struct script_explain *x, const struct vmsim_event *ev)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 256;
		struct vmsim_event *n;

		if (cap > EXPLAIN_MAX_EVENTS || !(n = realloc(x->ev, cap * sizeof(*n)))) {
			x->dropped++;
			return;
		}
		x->ev = n;
		x->cap = cap;
	}
	x->ev[x->n] = *ev;
	x->ev[x->n].fields = NULL;	/* the kernel's buffer: gone after the call */
	x->ev[x->n].comm = NULL;
	x->n++;
}

/* The kernel's callback: print what `events` selected, keep all for explain. */
static void on_event(void *priv, const struct vmsim_event *ev)
{
	struct vmsim_session *s = priv;
	char line[512];

	if (s->events_mask & (1ULL << ev->id)) {
		vmsim_event_format(ev, s->events_json, line, sizeof(line));
		if (s->events_file)
			fputs(line, s->events_file);
		else
			vmsim_session_puts(s, line);
	}
	if (s->explain && explain_state(s))
		collect(s->explain_state, ev);
}

void script_events_apply(struct vmsim_session *s)
{
	uint64_t mask = s->events_mask;

	if (!s->m)
		return;
	if (s->explain)
		mask = ~0ULL;
	vmsim_events_enable(s->m, mask, mask ? on_event : NULL, s);
}

void script_explain_free(struct vmsim_session *s)
{
	if (s->explain_state)
		free(s->explain_state->ev);
	free(s->explain_state);
	s->explain_state = NULL;
}

void script_explain_begin(struct vmsim_session *s)
{
	if (s->explain_state) {
		s->explain_state->n = 0;
		s->explain_state->dropped = 0;
	}
}

/* --- rendering ----------------------------------------------------------- */

/* One fault: the events from its page_fault_user to the next one. */
#define FAULT_MAX_ALLOCS	8
struct fault {
	const struct vmsim_event *entry, *handler, *stack, *signal;
	const struct vmsim_event *alloc[FAULT_MAX_ALLOCS];	/* before the handler's */
	const struct vmsim_event *locked[FAULT_MAX_ALLOCS];	/* zone_locked events */
	int nr_alloc, nr_locked;
};

/* The allocation of the fault's own page (the handler's pfn), or NULL. */
static const struct vmsim_event *fault_page_alloc(const struct fault *f)
{
	for (int i = 0; f->handler && i < f->nr_alloc; i++)
		if (f->alloc[i]->arg[0] == f->handler->arg[1])
			return f->alloc[i];
	return NULL;
}

/* Where frame @pfn came from: a refill of the per-CPU list, the buddy lists, the list. */
static const char *alloc_source(const struct fault *f, unsigned long pfn)
{
	for (int i = 0; i < f->nr_locked; i++)
		if (f->locked[i]->arg[0] == pfn)
			return f->locked[i]->arg[2] ? "per-CPU list (refilled from the buddy lists)"
						    : "buddy free lists";
	return "per-CPU list";
}

static const char *kind_reason(const char *kind)
{
	static const struct { const char *kind, *why; } reasons[] = {
		{ "demand_zero", "demand zero: the first write to anonymous memory gets a zeroed page" },
		{ "zero_page", "a read of untouched anonymous memory maps the shared ZERO_PAGE, read-only" },
		{ "cow_copy", "COW copy: the frame is shared (since a fork), so the writer gets its own copy" },
		{ "cow_zero", "COW of the ZERO_PAGE: the first write after a read gets a zeroed page" },
		{ "cow_reuse", "COW reuse: nobody else maps the frame any more, so it becomes writable in place" },
		{ "swap_in", "swap-in: the PTE held a swap entry; the page is read back from its slot (a major fault)" },
		{ "swap_cache", "the PTE held a swap entry, but the page was still in the swap cache: no I/O" },
		{ "file_read", "a file page, read from the file into the page cache (a major fault)" },
		{ "file_cached", "a file page found in the page cache" },
		{ "cow_file", "a write to a private file mapping: the writer gets a private copy of the file page" },
		{ "shmem_page", "a page of shared memory (shmem), found in its cache or allocated zeroed" },
		{ "shmem_swap_in", "a page of shared memory (shmem), read back from swap (a major fault)" },
		{ "driver_nopage", "a device mapping: the driver's nopage method (vm_ops->nopage) returned the page (mmapdrv's: vmalloc_to_page of its vmalloc buffer)" },
		{ "spurious", "the PTE was already there (another CPU, or a stale TLB entry): nothing to do" },
		{ "no_vma", "SIGSEGV because no VMA covers the address" },
		{ "vma_not_writable", "SIGSEGV because the VMA is read-only" },
		{ "vma_not_executable", "SIGSEGV because the VMA is not executable" },
		{ "vma_not_readable", "SIGSEGV because the VMA allows no access" },
		{ "below_stack_pointer", "SIGSEGV because the address is too far below the stack pointer" },
		{ "stack_limit", "SIGSEGV because no VMA covers the address, and the stack VMA above it cannot grow down that far" },
		{ "kernel_address", "SIGSEGV because the address is in kernel space" },
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (!strcmp(kind, reasons[i].kind))
			return reasons[i].why;
	return kind;
}

/* "alloc_page(GFP_HIGHUSER) from zone Normal, per-CPU list" (the event's str[]) */
static void alloc_text(const struct fault *f, const struct vmsim_event *a, char *buf, size_t len)
{
	snprintf(buf, len, "alloc_page(%s) from zone %s, %s", a->str[1], a->str[0],
		 alloc_source(f, a->arg[0]));
}

/* The nopage method behind a do_no_page fault of kind @k. */
static const char *nopage_name(const char *k)
{
	if (!strncmp(k, "shmem_", 6))
		return "shmem_nopage";
	if (!strcmp(k, "driver_nopage"))
		return "vm_ops->nopage (the driver's)";
	return "filemap_nopage";
}

/* A copy-on-write fault of do_wp_page: a copy replaces the old frame (a TLB flush). */
static bool wp_copy(const char *h, const char *k)
{
	return !strcmp(h, "do_wp_page") && strcmp(k, "cow_reuse");
}

static void render_path(struct vmsim_session *s, const struct fault *f)
{
	const char *h = f->handler ? f->handler->str[0] : "?";
	const char *k = f->handler ? f->handler->str[1] : "?";
	char path[512], a[160] = "";
	size_t n;

	n = (size_t)snprintf(path, sizeof(path), "do_page_fault%s", f->stack ? " -> expand_stack" : "");
	if (!strcmp(h, "bad_area")) {
		snprintf(path + n, sizeof(path) - n, " -> bad_area -> force_sig_fault(SIGSEGV)");
	} else {
		const struct vmsim_event *pa = fault_page_alloc(f);

		if (pa)
			alloc_text(f, pa, a, sizeof(a));
		n += (size_t)snprintf(path + n, sizeof(path) - n, " -> handle_mm_fault -> handle_pte_fault");
		if (!strcmp(h, "do_anonymous_page"))
			n += (size_t)snprintf(path + n, sizeof(path) - n, " -> do_no_page -> do_anonymous_page");
		else if (!strcmp(h, "do_no_page") || !strcmp(h, "do_fault_around"))
			n += (size_t)snprintf(path + n, sizeof(path) - n, " -> do_no_page%s -> %s",
					      !strcmp(h, "do_fault_around") ? " -> do_fault_around" : "",
					      nopage_name(k));
		else if (!strcmp(h, "do_swap_page"))
			n += (size_t)snprintf(path + n, sizeof(path) - n, " -> do_swap_page -> %s",
					      !strcmp(k, "swap_in") ? "read_swap_cache -> swap_readpage"
								   : "lookup_swap_cache");
		else if (strcmp(h, "handle_pte_fault"))
			n += (size_t)snprintf(path + n, sizeof(path) - n, " -> %s", h);
		if (!strcmp(k, "zero_page"))
			n += (size_t)snprintf(path + n, sizeof(path) - n, " -> ZERO_PAGE");
		if (a[0])
			n += (size_t)snprintf(path + n, sizeof(path) - n, " -> %s", a);
		if (!strcmp(k, "cow_copy") || !strcmp(k, "cow_file"))
			n += (size_t)snprintf(path + n, sizeof(path) - n, " -> copy_user_highpage");
		if (strcmp(k, "spurious"))
			snprintf(path + n, sizeof(path) - n, " -> set_pte%s",
				 wp_copy(h, k) ? " -> flush_tlb_page" : "");
	}
	vmsim_session_printf(s, "    path: %s\n", path);
}

/* The fault's other allocations: page tables, slab pages (anon_vma ...). */
static void render_kernel_pages(struct vmsim_session *s, const struct fault *f)
{
	const struct vmsim_event *own = fault_page_alloc(f);
	char line[256];
	size_t n = 0;

	for (int i = 0; i < f->nr_alloc; i++)
		if (f->alloc[i] != own)
			n += (size_t)snprintf(line + n, n < sizeof(line) ? sizeof(line) - n : 0,
					      "%s0x%lx", n ? " " : "", f->alloc[i]->arg[0]);
	if (n)
		vmsim_session_printf(s, "    other frames allocated: %s (page tables, slab%s)\n", line,
				     f->handler && !strcmp(f->handler->str[1], "swap_in") ?
				     ", swap readahead" : "");
}

static void render_fault(struct vmsim_session *s, const struct fault *f)
{
	unsigned long addr = f->entry->arg[0], err = f->entry->arg[1];
	const struct vmsim_event *h = f->handler;
	const char *k = h ? h->str[1] : "?";

	vmsim_session_printf(s, "  %s fault at 0x%lx (%s, %s): %s%s\n",
			     err & 16 ? "instruction" : err & 2 ? "write" : "read", addr,
			     err & 1 ? "protection" : "page not present",
			     f->stack ? "stack" : "user",
			     f->stack ? "stack growth (expand_stack: the stack VMA grows down), then " : "",
			     kind_reason(k));
	render_path(s, f);
	render_kernel_pages(s, f);
	if (h && (long)h->arg[1] >= 0) {
		unsigned long page = addr & ~0xfffUL, pfn = h->arg[1], extra = h->arg[2];
		bool nopage = !strcmp(h->str[0], "do_no_page") || !strcmp(h->str[0], "do_fault_around");

		if (wp_copy(h->str[0], k) && strcmp(k, "cow_zero"))
			vmsim_session_printf(s, "    page 0x%lx: frame 0x%lx (%s) -> frame 0x%lx (its own)\n",
					     page, extra, !strcmp(k, "cow_file") ? "the file's" : "shared",
					     pfn);
		else if (!strcmp(k, "swap_in") || !strcmp(k, "swap_cache"))
			vmsim_session_printf(s, "    page 0x%lx -> frame 0x%lx, from swap slot %lu\n",
					     page, pfn, extra);
		else if (nopage && strcmp(k, "driver_nopage"))
			vmsim_session_printf(s, "    page 0x%lx -> frame 0x%lx, %s page %lu%s\n", page, pfn,
					     !strncmp(k, "shmem_", 6) ? "shmem" : "file", extra,
					     !strcmp(k, "cow_file") ? " (a private copy of it)" : "");
		else
			vmsim_session_printf(s, "    page 0x%lx -> frame 0x%lx\n", page, pfn);
	}
}

static void more_like_it(struct vmsim_session *s, unsigned long same, unsigned long first,
			 unsigned long last)
{
	if (same == 1)
		vmsim_session_printf(s, "  and 1 more like it, at 0x%lx\n", first);
	else
		vmsim_session_printf(s, "  and %lu more like it, at 0x%lx .. 0x%lx\n", same, first,
				     last);
}

/* Split the command's events into faults, render the first few of each kind. */
static void render_faults(struct vmsim_session *s, struct script_explain *x)
{
	struct fault f = { 0 };
	char last_kind[32] = "";
	unsigned long same = 0, first = 0, lastaddr = 0;
	int shown = 0;

	for (size_t i = 0; i <= x->n; i++) {
		const struct vmsim_event *e = i < x->n ? &x->ev[i] : NULL;

		if (!e || e->id == x->id_fault) {
			if (f.entry) {
				const char *k = f.handler ? f.handler->str[1] : "?";

				if (!strcmp(k, last_kind) && !f.stack && shown >= 1) {
					if (!same++)
						first = f.entry->arg[0];
					lastaddr = f.entry->arg[0];
				} else {
					if (same)
						more_like_it(s, same, first, lastaddr);
					same = 0;
					if (shown < EXPLAIN_MAX_FAULTS * 4)
						render_fault(s, &f);
					shown++;
					snprintf(last_kind, sizeof(last_kind), "%s", k);
				}
			}
			memset(&f, 0, sizeof(f));
			if (e)
				f.entry = e;
			continue;
		}
		if (!f.entry)
			continue;
		if (e->id == x->id_handler && !strcmp(e->str[0], "expand_stack"))
			f.stack = e;
		else if (e->id == x->id_handler && !f.handler)
			f.handler = e;
		else if (e->id == x->id_alloc && !f.handler && f.nr_alloc < FAULT_MAX_ALLOCS)
			f.alloc[f.nr_alloc++] = e;
		else if (e->id == x->id_locked && !f.handler && f.nr_locked < FAULT_MAX_ALLOCS)
			f.locked[f.nr_locked++] = e;
		else if (e->id == x->id_signal)
			f.signal = e;
	}
	if (same)
		more_like_it(s, same, first, lastaddr);
}

/* Every event the command raised, counted by name, in table order. */
static void render_counts(struct vmsim_session *s, struct script_explain *x)
{
	int nr = vmsim_events_count();
	unsigned long count[64] = { 0 };
	char line[1024];
	size_t n = 0;

	for (size_t i = 0; i < x->n; i++)
		count[x->ev[i].id]++;
	for (int id = 0; id < nr && id < 64; id++) {
		const char *name = vmsim_events_name(id, NULL);

		if (!count[id] || id == x->id_handler)
			continue;
		n += (size_t)snprintf(line + n, n < sizeof(line) ? sizeof(line) - n : 0, "%s%s x%lu",
				      n ? ", " : "", name, count[id]);
	}
	if (n)
		vmsim_session_printf(s, "  events: %s%s\n", line, x->dropped ? " (and more)" : "");
	for (size_t i = 0; i < x->n; i++)
		if (x->ev[i].id == x->id_victim)
			vmsim_session_printf(s, "  the OOM killer chose pid %lu (oom:mark_victim)\n",
					     x->ev[i].arg[0]);
}

void script_explain_end(struct vmsim_session *s)
{
	struct script_explain *x = s->explain_state;

	if (!s->explain || !x || !x->n)
		return;
	render_faults(s, x);
	render_counts(s, x);
	x->n = 0;
}

/* --- the commands -------------------------------------------------------- */

int script_parse_events(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			char *err, size_t errlen)
{
	char list[512] = "";
	size_t n = 0;
	uint64_t mask;

	if (script_want_words(l, 2, MAX_WORDS, usage, err, errlen))
		return -1;
	for (int i = 1; i < l->n; i++)
		n += (size_t)snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0, "%s%s",
				      i > 1 ? "," : "", l->w[i].val);
	if (vmsim_events_parse(list, &mask, err, errlen))
		return -1;
	c->u.events.mask = mask;
	return 0;
}

enum vmsim_run_status script_run_events(struct vmsim_session *s, const struct vmsim_cmd *c,
					struct vmsim_call *call)
{
	s->events_mask = c->u.events.mask;
	script_events_apply(s);
	return VMSIM_RUN_OK;
}

int script_parse_explain(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			 char *err, size_t errlen)
{
	if (script_want_words(l, 2, 2, usage, err, errlen))
		return -1;
	if (strcmp(l->w[1].val, "on") && strcmp(l->w[1].val, "off")) {
		script_seterr(err, errlen, "explain: expected on or off, got '%.40s'", l->w[1].val);
		return -1;
	}
	c->u.explain.on = !strcmp(l->w[1].val, "on");
	return 0;
}

enum vmsim_run_status script_run_explain(struct vmsim_session *s, const struct vmsim_cmd *c,
					 struct vmsim_call *call)
{
	s->explain = c->u.explain.on;
	script_events_apply(s);
	return VMSIM_RUN_OK;
}

/* show events: each event as SYSTEM:NAME, and whether `events` selected it. */
void script_show_events(struct vmsim_session *s)
{
	for (int id = 0; id < vmsim_events_count(); id++) {
		const char *sys, *name = vmsim_events_name(id, &sys);

		vmsim_session_printf(s, "%s:%s %s\n", sys, name,
				     s->events_mask & (1ULL << id) ? "on" : "off");
	}
}

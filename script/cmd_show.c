/*
 * show (docs/script.md): a /proc file of the machine or of a process
 * (exactly its text), a process's page-table walk of an address, a page
 * frame's description, or the report (the embedder's ops->report).
 */
#include <errno.h>
#include <stdio.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/process.h"
#include "vmsim/stats.h"
#include "vmsim/kernel.h"
#include "internal.h"

/* An unknown form: the nearest of forms @lo..@hi (and of the words with an argument). */
static int show_unknown(const char *word, int lo, int hi, const char *usage, char *err,
			size_t errlen)
{
	struct script_suggest sg;
	char near[64];

	script_suggest_init(&sg, word);
	for (int s = lo; s <= hi; s++)
		script_suggest_try(&sg, vmsim_show_name((enum vmsim_show)s));
	if (lo == VMSIM_SHOW_MEMINFO) {
		script_suggest_try(&sg, vmsim_show_name(VMSIM_SHOW_EVENTS));
		script_suggest_try(&sg, vmsim_show_name(VMSIM_SHOW_PAGE));
		script_suggest_try(&sg, vmsim_show_name(VMSIM_SHOW_TLB));
	}
	if (sg.best)
		script_seterr(err, errlen, "show: unknown '%.40s'%s", word,
			      script_suggest_text(&sg, near, sizeof(near)));
	else
		script_seterr(err, errlen, "show: unknown '%.40s' (%s)", word, usage);
	return -1;
}

/* show meminfo|vmstat KEY..., show slabinfo CACHE...: the words after the file, kept. */
static int parse_keys(struct vmsim_args_show *a, const struct vmsim_words *l, char *err,
		      size_t errlen)
{
	size_t n = 0;

	for (int i = 2; i < l->n; i++) {
		size_t len = strlen(l->w[i].val);

		if (n + len + 2 > sizeof(a->keys)) {
			script_seterr(err, errlen, "show %s: too many keys", l->w[1].val);
			return -1;
		}
		memcpy(a->keys + n, l->w[i].val, len);
		n += len;
		a->keys[n++] = ' ';
	}
	a->keys[n ? n - 1 : 0] = 0;
	return 0;
}

/*
 * The lines of @text whose key (meminfo: before the colon; vmstat and
 * slabinfo: the first word) matches one of @keys (globs), in the file's
 * order, slabinfo's two header lines always; NULL, with the error
 * printed, if a key matched no line.  @text is freed.
 */
static char *filter_lines(struct vmsim_session *s, enum vmsim_show what, char *text,
			  const char *keys)
{
	char words[256], *save = NULL, *w[64], *out = malloc(strlen(text) + 1);
	bool hit[64] = { false }, ok = out != NULL;
	size_t n = 0;
	int nw = 0;

	snprintf(words, sizeof(words), "%s", keys);
	for (char *t = strtok_r(words, " ", &save); t && nw < 64; t = strtok_r(NULL, " ", &save))
		w[nw++] = t;
	for (char *line = text; ok && *line;) {
		char *eol = strchr(line, '\n'), key[128];
		size_t len = eol ? (size_t)(eol - line) + 1 : strlen(line);
		size_t klen = strcspn(line, what == VMSIM_SHOW_MEMINFO ? ":\n" : " \n");
		bool keep = what == VMSIM_SHOW_SLABINFO &&
			    (line[0] == '#' || !strncmp(line, "slabinfo ", 9));

		snprintf(key, sizeof(key), "%.*s", (int)klen, line);
		for (int i = 0; !keep && i < nw; i++)
			if (!fnmatch(w[i], key, 0))
				keep = hit[i] = true;
		if (keep) {
			memcpy(out + n, line, len);
			n += len;
		}
		line += len;
	}
	for (int i = 0; ok && i < nw; i++)
		if (!hit[i]) {
			vmsim_session_error(s, "show %s: no line '%.40s'", vmsim_show_name(what), w[i]);
			ok = false;
		}
	free(text);
	if (!ok) {
		free(out);
		return NULL;
	}
	out[n] = 0;
	return out;
}

/* show --json WHAT: the form without the flag, which must be one of the /proc tables. */
static int parse_show_json(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			   char *err, size_t errlen)
{
	struct vmsim_words rest = *l;	/* the words shared, not copied: nothing frees them */
	enum vmsim_show w;

	memmove(&rest.w[1], &rest.w[2], (size_t)(l->n - 2) * sizeof(rest.w[0]));
	rest.n--;
	if (script_parse_show(c, &rest, usage, err, errlen))
		return -1;
	w = c->u.show.what;
	if (w != VMSIM_SHOW_MEMINFO && w != VMSIM_SHOW_BUDDYINFO && w != VMSIM_SHOW_ZONEINFO &&
	    w != VMSIM_SHOW_SLABINFO && w != VMSIM_SHOW_VMSTAT && w != VMSIM_SHOW_MAPS &&
	    w != VMSIM_SHOW_SMAPS && w != VMSIM_SHOW_STATUS) {
		script_seterr(err, errlen, "show --json: only meminfo, buddyinfo, zoneinfo, "
			      "slabinfo, vmstat and A maps|smaps|status");
		return -1;
	}
	c->u.show.json = true;
	return 0;
}

int script_parse_show(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage_,
		      char *err, size_t errlen)
{
	static const char usage[] = "show meminfo|buddyinfo|zoneinfo|slabinfo|vmstat|swaps|kmsg|"
		"vmallocinfo|sysctl|interrupts|numastat|node_meminfo|diskstats|report, show meminfo|vmstat KEY..., show slabinfo CACHE..., "
		"show page PFN|NAME, show tlb CPU, show events, show A maps|smaps|status|numa_maps|pagetable ADDR|translate [SEL:]ADDR";
	struct vmsim_args_show *a = &c->u.show;

	if (l->n >= 2 && !l->w[1].quoted && !strcmp(l->w[1].val, "--json"))
		return parse_show_json(c, l, usage_, err, errlen);
	if (l->n < 2) {
		script_seterr(err, errlen, "show: expected what to show (%s)", usage);
		return -1;
	}
	for (int s = VMSIM_SHOW_MEMINFO; s <= VMSIM_SHOW_REPORT; s++)
		if (!strcmp(l->w[1].val, vmsim_show_name((enum vmsim_show)s))) {
			a->what = (enum vmsim_show)s;
			if (s == VMSIM_SHOW_MEMINFO || s == VMSIM_SHOW_VMSTAT ||
			    s == VMSIM_SHOW_SLABINFO)
				return parse_keys(a, l, err, errlen);
			return script_want_words(l, 2, 2, "show", err, errlen);
		}
	if (!strcmp(l->w[1].val, "events")) {
		a->what = VMSIM_SHOW_EVENTS;
		return script_want_words(l, 2, 2, "show events", err, errlen);
	}
	if (!strcmp(l->w[1].val, "page")) {
		if (script_want_words(l, 3, 3, "show page PFN|NAME", err, errlen))
			return -1;
		/* a number, or a frame K alloc_pages named: resolved when it runs */
		snprintf(a->kaddr, sizeof(a->kaddr), "%s", l->w[2].val);
		if (vmsim_parse_number(l->w[2].val, &a->pfn))
			a->pfn = 0;
		a->what = VMSIM_SHOW_PAGE;
		return 0;
	}
	if (!strcmp(l->w[1].val, "tlb")) {
		if (script_want_words(l, 3, 3, "show tlb CPU", err, errlen) ||
		    script_parse_num(&l->w[2], &a->cpu, "CPU", err, errlen))
			return -1;
		a->what = VMSIM_SHOW_TLB;
		return 0;
	}
	if (l->n < 3)
		return show_unknown(l->w[1].val, VMSIM_SHOW_MEMINFO, VMSIM_SHOW_REPORT, usage, err,
				    errlen);
	if (!l->w[1].quoted && !strcmp(l->w[1].val, "K"))
		strcpy(c->proc, "K");	/* the kernel context: its page tables only */
	else if (script_parse_name(&l->w[1], c->proc, err, errlen))
		return -1;
	for (int s = VMSIM_SHOW_MAPS; s <= VMSIM_SHOW_TRANSLATE; s++)
		if (!strcmp(l->w[2].val, vmsim_show_name((enum vmsim_show)s))) {
			a->what = (enum vmsim_show)s;
			if (s == VMSIM_SHOW_PAGETABLE && !strcmp(c->proc, "K")) {
				/* the kernel's tables: ADDR may be a name K gave */
				if (script_want_words(l, 4, 4, "show K pagetable ADDR", err, errlen))
					return -1;
				snprintf(a->kaddr, sizeof(a->kaddr), "%s", l->w[3].val);
				return 0;
			}
			if (s != VMSIM_SHOW_PAGETABLE && !strcmp(c->proc, "K"))
				break;
			if (s == VMSIM_SHOW_TRANSLATE)
				return script_want_words(l, 4, 4, "show A translate [SEL:]ADDR", err,
							 errlen) ||
				       script_parse_logical(&l->w[3], &a->sel, &a->addr, err, errlen);
			if (s == VMSIM_SHOW_PAGETABLE)
				return script_want_words(l, 4, 4, "show A pagetable ADDR", err, errlen) ||
				       script_parse_num(&l->w[3], &a->addr, "ADDR", err, errlen) ? -1 : 0;
			return script_want_words(l, 3, 3, "show A maps|smaps|status|numa_maps", err,
						 errlen);
		}
	return show_unknown(l->w[2].val, VMSIM_SHOW_MAPS, VMSIM_SHOW_PAGETABLE, usage, err, errlen);
}

/* Print a text from the library, or `CMD = -ERR` when there is none. */
static void show_text(struct vmsim_session *s, const struct vmsim_cmd *c, char *text, int err)
{
	char res[64];

	if (text && c->u.show.json) {	/* show --json: the same text, as JSON */
		char *j = script_show_json(c->u.show.what, text);

		free(text);
		text = j;
		err = j ? 0 : ENOMEM;
	}
	if (text) {
		vmsim_session_puts(s, text);
		free(text);
		return;
	}
	script_fmt_errno(res, sizeof(res), -(long)(err ? err : ENOMEM));
	vmsim_session_printf(s, "%s = %s\n", c->text, res);
}

/* show A maps|smaps|status|pagetable ADDR|translate [SEL:]ADDR, show K pagetable ADDR */
static enum vmsim_run_status show_proc(struct vmsim_session *s, const struct vmsim_cmd *c)
{
	struct vmsim_proc_name *p;
	uint64_t addr;
	char *text;

	if (!strcmp(c->proc, "K")) {
		if (script_kernel_resolve(s, c->u.show.kaddr, "ADDR", &addr))
			return VMSIM_RUN_ERROR;
		errno = 0;
		text = vmsim_kernel_pagetable_describe(s->m, (unsigned long)addr);
		show_text(s, c, text, errno);
		return VMSIM_RUN_OK;
	}
	p = script_lookup(s, c->proc);
	if (!p)
		return VMSIM_RUN_ERROR;
	errno = 0;
	if (p->pid <= 0) {
		text = NULL;
		errno = ESRCH;
	} else if (c->u.show.what == VMSIM_SHOW_TRANSLATE) {
		text = vmsim_translate_describe(s->m, p->pid, c->u.show.sel,
						(unsigned long)c->u.show.addr);
	} else if (c->u.show.what == VMSIM_SHOW_PAGETABLE) {
		text = vmsim_pagetable_describe(s->m, p->pid, (unsigned long)c->u.show.addr);
	} else {
		text = vmsim_proc_pid_read(s->m, p->pid, vmsim_show_name(c->u.show.what));
	}
	show_text(s, c, text, errno);
	return VMSIM_RUN_OK;
}

/* Under `explain on`: the /proc file (or walk, or frame) a view shows, and what it is. */
static void show_heading(struct vmsim_session *s, const struct vmsim_cmd *c)
{
	static const char *const what[] = {
		[VMSIM_SHOW_MEMINFO] = "memory in use and free, machine-wide",
		[VMSIM_SHOW_BUDDYINFO] = "free blocks of 2^order pages per zone, order 0 first",
		[VMSIM_SHOW_ZONEINFO] = "each zone's watermarks and counters",
		[VMSIM_SHOW_SLABINFO] = "the slab caches",
		[VMSIM_SHOW_VMSTAT] = "the vm event counters",
		[VMSIM_SHOW_SWAPS] = "the swap areas",
		[VMSIM_SHOW_KMSG] = "the kernel log",
		[VMSIM_SHOW_VMALLOCINFO] = "the vmalloc areas",
		[VMSIM_SHOW_SYSCTL] = "the vm tunables",
		[VMSIM_SHOW_DISKSTATS] = "each block device's reads and writes (requests, sectors)",
		[VMSIM_SHOW_MAPS] = "the process's VMAs: range, protection, offset, file",
		[VMSIM_SHOW_SMAPS] = "the process's VMAs with their resident pages",
		[VMSIM_SHOW_STATUS] = "the process's memory sizes",
		[VMSIM_SHOW_NUMA_MAPS] = "the process's VMAs with their policies and pages per node",
	};
	enum vmsim_show w = c->u.show.what;
	const char *desc = (size_t)w < sizeof(what) / sizeof(what[0]) ? what[w] : NULL;
	uint64_t pfn;

	if (w == VMSIM_SHOW_PAGETABLE)
		vmsim_session_printf(s, "-- %s's page-table walk of 0x%llx: one entry per level, down "
				     "to the frame\n", c->proc, (unsigned long long)c->u.show.addr);
	else if (w == VMSIM_SHOW_TRANSLATE)
		vmsim_session_printf(s, "-- %s's translation of 0x%x:0x%llx: segment, linear address, "
				     "page tables, frame\n", c->proc, c->u.show.sel,
				     (unsigned long long)c->u.show.addr);
	else if (w == VMSIM_SHOW_PAGE && !vmsim_parse_number(c->u.show.kaddr, &pfn))
		vmsim_session_printf(s, "-- frame %llu: its struct page\n", (unsigned long long)pfn);
	else if (w == VMSIM_SHOW_PAGE)
		vmsim_session_printf(s, "-- frame %s: its struct page\n", c->u.show.kaddr);
	else if (w >= VMSIM_SHOW_MAPS && w <= VMSIM_SHOW_NUMA_MAPS)
		vmsim_session_printf(s, "-- /proc/%s/%s: %s\n", c->proc, vmsim_show_name(w), desc);
	else if (desc)
		vmsim_session_printf(s, "-- /proc/%s: %s\n", vmsim_show_proc_name(w), desc);
}

enum vmsim_run_status script_run_show(struct vmsim_session *s, const struct vmsim_cmd *c,
				      struct vmsim_call *call)
{
	enum vmsim_show what = c->u.show.what;
	uint64_t pfn = 0;
	char *text;

	if (what == VMSIM_SHOW_PAGE && script_kernel_resolve_pfn(s, c->u.show.kaddr, &pfn))
		return VMSIM_RUN_ERROR;
	if (what == VMSIM_SHOW_REPORT) {
		if (!s->ops || !s->ops->report) {
			vmsim_session_error(s, "show report: no report in this program");
			return VMSIM_RUN_ERROR;
		}
		s->ops->report(s);
		return VMSIM_RUN_OK;
	}
	if (s->explain)		/* a heading: which view this is */
		show_heading(s, c);
	if (what >= VMSIM_SHOW_MAPS && what <= VMSIM_SHOW_TRANSLATE)
		return show_proc(s, c);
	if (what == VMSIM_SHOW_EVENTS) {
		script_show_events(s);
		return VMSIM_RUN_OK;
	}
	errno = 0;
	if (what == VMSIM_SHOW_PAGE)
		text = vmsim_page_describe(s->m, (unsigned long)pfn);
	else if (what == VMSIM_SHOW_TLB)
		text = vmsim_tlb_describe(s->m, c->u.show.cpu > INT32_MAX ? -1 : (int)c->u.show.cpu);
	else
		text = vmsim_proc_read(s->m, vmsim_show_proc_name(what));
	if (text && c->u.show.keys[0] &&
	    !(text = filter_lines(s, what, text, c->u.show.keys)))
		return VMSIM_RUN_ERROR;
	show_text(s, c, text, errno);
	return VMSIM_RUN_OK;
}

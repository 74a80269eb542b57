/*
 * Reports: what the memory manager did, for people (text, `show report`
 * and the end of `run`) and for programs (--json: one document with units
 * in the key names).  Both walk the same figures from vmsim/stats.h:
 * zones and watermarks, buddy fragmentation per order, slab totals, each
 * process's VSZ/RSS/page-table pages, faults by kind, the TLB hit rate and
 * the /proc/vmstat counters.  Only integers are printed (rates as fixed
 * point), so the same run gives the same bytes everywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/process.h"
#include "vmsim/stats.h"
#include "tool.h"

const char *paging_name(enum vmsim_paging p)
{
	switch (p) {
	case VMSIM_PAGING_I386: return "i386";
	case VMSIM_PAGING_PAE: return "pae";
	case VMSIM_PAGING_X86_64: return "x86_64";
	}
	return "?";
}

static const struct vmsim_config *session_config(struct session *s)
{
	return s->vs.m ? vmsim_machine_config(s->vs.m) : &s->vs.cfg;
}

/* The /proc/vmstat index of @name (-1 if none). */
static int vmstat_index(const char *name)
{
	for (int i = 0; i < vmsim_vmstat_count(); i++)
		if (!strcmp(vmsim_vmstat_name(i), name))
			return i;
	return -1;
}

/* With several CPUs: each CPU's shootdown IPIs sent (one per target) and taken. */
static void report_shootdowns(struct session *s, struct strbuf *sb)
{
	int sent = vmstat_index("vmsim_tlb_shootdown");
	int recv = vmstat_index("nr_tlb_remote_flush_received");

	sb_puts(sb, "shootdowns IPIs sent and received, per CPU:");
	for (int c = 0; c < session_config(s)->cpus; c++)
		sb_printf(sb, "%s cpu%d %llu sent, %llu received", c ? ";" : "", c,
			  (unsigned long long)vmsim_vmstat_cpu_value(s->vs.m, c, sent),
			  (unsigned long long)vmsim_vmstat_cpu_value(s->vs.m, c, recv));
	sb_puts(sb, "\n");
}

/* The JSON report's counterpart of report_shootdowns (cpus > 1 only, as that line). */
static void json_shootdowns(struct session *s, struct strbuf *sb)
{
	int sent = vmstat_index("vmsim_tlb_shootdown");
	int recv = vmstat_index("nr_tlb_remote_flush_received");

	sb_puts(sb, ",\n  \"shootdowns_per_cpu\": [");
	for (int c = 0; c < session_config(s)->cpus; c++)
		sb_printf(sb, "%s{\"cpu\": %d, \"sent\": %llu, \"received\": %llu}",
			  c ? ", " : "", c,
			  (unsigned long long)vmsim_vmstat_cpu_value(s->vs.m, c, sent),
			  (unsigned long long)vmsim_vmstat_cpu_value(s->vs.m, c, recv));
	sb_puts(sb, "]");
}

/* A size in the largest unit that divides it: 128M, 1536K, 4096. */
static void fmt_size(char *buf, size_t n, uint64_t v)
{
	if (v && !(v % (1ULL << 30)))
		snprintf(buf, n, "%lluG", (unsigned long long)(v >> 30));
	else if (v && !(v % (1ULL << 20)))
		snprintf(buf, n, "%lluM", (unsigned long long)(v >> 20));
	else if (v && !(v % (1ULL << 10)))
		snprintf(buf, n, "%lluK", (unsigned long long)(v >> 10));
	else
		snprintf(buf, n, "%llu", (unsigned long long)v);
}

/* Per mille of the free pages in blocks smaller than 2^order (unusable for it). */
static unsigned long unusable_permille(const struct vmsim_zone_stats *z, int order)
{
	unsigned long free = 0, small = 0;

	for (int o = 0; o < VMSIM_NR_ORDERS; o++) {
		free += z->nr_free[o] << o;
		if (o < order)
			small += z->nr_free[o] << o;
	}
	return free ? (small * 1000 + free / 2) / free : 0;
}

static void task_state(struct session *s, int pid, char *buf, size_t n, struct vmsim_task_info *ti)
{
	memset(ti, 0, sizeof(*ti));
	if (pid <= 0 || vmsim_task_info(s->vs.m, pid, ti)) {
		snprintf(buf, n, "none");
		return;
	}
	if (ti->alive) {
		snprintf(buf, n, "alive");
	} else if (!ti->signo) {
		snprintf(buf, n, "exited");
	} else {
		const char *sig = vmsim_signal_name(ti->signo);
		const char *code = vmsim_sicode_name(ti->signo, ti->code);
		if (code && ti->signo != 9)
			snprintf(buf, n, "killed by %s (%s) at 0x%lx", sig ? sig : "?", code,
				 ti->addr);
		else
			snprintf(buf, n, "killed by %s", sig ? sig : "?");
	}
}

/* --- text ---------------------------------------------------------------- */

/*
 * The memory line: free as /proc/vmstat's nr_free_pages counts it (the
 * buddy lists), and the free pages cached on per-CPU lists apart (pcp=on).
 */
static void report_memory(vmsim_machine_t *m, struct strbuf *sb)
{
	struct vmsim_mem_stats ms;
	struct vmsim_zone_stats z;
	unsigned long pcp = 0;

	vmsim_mem_stats(m, &ms);
	for (int i = 0; !vmsim_zone_stats(m, i, &z); i++)
		pcp += z.pcp_pages;
	sb_printf(sb, "memory     %lu pages: %lu managed, %lu reserved, %lu free", ms.total_pages,
		  ms.managed_pages, ms.reserved_pages, ms.free_pages - pcp);
	if (pcp)
		sb_printf(sb, " (+%lu on per-CPU lists)", pcp);
	sb_printf(sb, ", %lu used (4 KiB pages)\n", ms.managed_pages - ms.free_pages);
}

void report_text(struct session *s, struct strbuf *sb)
{
	const struct vmsim_config *cfg = session_config(s);
	struct vmsim_zone_stats z;
	struct vmsim_slab_totals st;
	struct vmsim_fault_stats fs;
	struct vmsim_tlb_stats ts;
	char ram[32];

	if (!s->vs.m)
		return;
	fmt_size(ram, sizeof(ram), cfg->ram_bytes);
	sb_puts(sb, "== report ==\n");
	sb_printf(sb, "machine    ram=%s nodes=%d paging=%s cpus=%d seed=%llu tlb=%d tlbways=%d "
		  "pcp=%s reclaim=%s\n", ram, cfg->nodes, paging_name(cfg->paging), cfg->cpus,
		  (unsigned long long)cfg->seed, cfg->tlb_entries, cfg->tlb_ways,
		  cfg->pcp ? "on" : "off", vmsim_config_reclaim(cfg));
	report_memory(s->vs.m, sb);

	sb_printf(sb, "zones      %-4s %-8s %9s %9s %9s %9s %9s %9s\n", "node", "zone", "managed",
		  "free", "used", "min", "low", "high");
	for (int i = 0; !vmsim_zone_stats(s->vs.m, i, &z); i++)
		sb_printf(sb, "           %-4d %-8s %9lu %9lu %9lu %9lu %9lu %9lu\n", z.node,
			  z.name, z.managed_pages, z.free_pages, z.managed_pages - z.free_pages,
			  z.min_pages, z.low_pages, z.high_pages);

	sb_puts(sb, "buddy      free blocks per order; below each zone, the % of its free "
		    "memory in blocks too small for that order\n");
	sb_printf(sb, "           %-4s %-8s", "node", "zone");
	for (int o = 0; o < VMSIM_NR_ORDERS; o++)
		sb_printf(sb, " %6d", o);
	sb_putc(sb, '\n');
	for (int i = 0; !vmsim_zone_stats(s->vs.m, i, &z); i++) {
		sb_printf(sb, "           %-4d %-8s", z.node, z.name);
		for (int o = 0; o < VMSIM_NR_ORDERS; o++)
			sb_printf(sb, " %6lu", z.nr_free[o]);
		sb_printf(sb, "\n           %-4s %-8s", "", "unusable");
		for (int o = 0; o < VMSIM_NR_ORDERS; o++) {
			unsigned long pm = unusable_permille(&z, o);
			sb_printf(sb, " %4lu.%lu", pm / 10, pm % 10);
		}
		sb_putc(sb, '\n');
	}

	if (!vmsim_slab_totals(s->vs.m, &st))
		sb_printf(sb, "slab       %lu caches, %lu of %lu objects active (%lu KiB), "
			  "%lu of %lu slabs active, %lu pages\n", st.caches, st.active_objs,
			  st.total_objs, st.active_bytes / 1024, st.active_slabs, st.total_slabs,
			  st.pages);
	else
		sb_puts(sb, "slab       no slab allocator\n");

	/* the tgid and threads columns only when some process has threads */
	bool groups = false;
	for (int i = 0; i < s->vs.nr_procs && !groups; i++) {
		struct vmsim_task_info ti;

		groups = s->vs.procs[i].pid > 0 && !vmsim_task_info(s->vs.m, s->vs.procs[i].pid, &ti) &&
			 (ti.threads > 1 || (ti.tgid && ti.tgid != ti.pid));
	}
	sb_printf(sb, "processes  %-10s %6s", "name", "pid");
	if (groups)
		sb_printf(sb, " %6s %7s", "tgid", "threads");
	sb_printf(sb, " %10s %10s %9s %5s  %s\n", "VSZ kB", "RSS kB", "PTE pages", "VMAs",
		  "state");
	for (int i = 0; i < s->vs.nr_procs; i++) {
		struct vmsim_task_info ti;
		struct vmsim_task_stats t;
		char state[128], threads[16];

		task_state(s, s->vs.procs[i].pid, state, sizeof(state), &ti);
		sb_printf(sb, "           %-10s %6d", s->vs.procs[i].name, s->vs.procs[i].pid);
		if (groups) {
			snprintf(threads, sizeof(threads), "%d", ti.threads);
			if (ti.tgid)
				sb_printf(sb, " %6d", ti.tgid);
			else
				sb_printf(sb, " %6s", "-");
			sb_printf(sb, " %7s", ti.threads ? threads : "-");
		}
		if (ti.alive && !vmsim_task_stats(s->vs.m, s->vs.procs[i].pid, &t))
			sb_printf(sb, " %10lu %10lu %9lu %5d  %s%s\n", t.vm_pages * 4,
				  t.rss_pages * 4, t.pte_pages, t.nr_vmas, state,
				  t.mm_users > 1 ? " (shared mm)" : "");
		else
			sb_printf(sb, " %10s %10s %9s %5s  %s\n", "-", "-", "-", "-", state);
	}

	vmsim_fault_stats(s->vs.m, &fs);
	sb_printf(sb, "faults     %llu: %llu minor, %llu major; by kind: %llu demand-zero, "
		  "%llu zero-page, %llu COW copied, %llu COW reused, %llu stack growth, "
		  "%llu SIGSEGV, %llu SIGBUS\n",
		  (unsigned long long)fs.total, (unsigned long long)fs.minor,
		  (unsigned long long)fs.major, (unsigned long long)fs.anon,
		  (unsigned long long)fs.zero_page, (unsigned long long)fs.cow,
		  (unsigned long long)fs.cow_reuse, (unsigned long long)fs.stack_grow,
		  (unsigned long long)fs.sigsegv, (unsigned long long)fs.sigbus);

	vmsim_tlb_stats(s->vs.m, &ts);
	sb_printf(sb, "tlb        %llu hits, %llu misses, ", (unsigned long long)ts.hits,
		  (unsigned long long)ts.misses);
	if (ts.hit_rate_centi_pct >= 0)
		sb_printf(sb, "hit rate %ld.%02ld%%", ts.hit_rate_centi_pct / 100,
			  ts.hit_rate_centi_pct % 100);
	else
		sb_puts(sb, "no lookups");
	sb_printf(sb, "; %llu flushes, %llu shootdowns\n", (unsigned long long)ts.flushes,
		  (unsigned long long)ts.shootdowns);
	if (session_config(s)->cpus > 1)
		report_shootdowns(s, sb);

	sb_puts(sb, "vmstat     counters of /proc/vmstat that are not zero:\n");
	for (int i = 0; i < vmsim_vmstat_count(); i++) {
		uint64_t v = vmsim_vmstat_value(s->vs.m, i);
		if (v)
			sb_printf(sb, "           %s %llu\n", vmsim_vmstat_name(i),
				  (unsigned long long)v);
	}
}

/* --- JSON ---------------------------------------------------------------- */

void json_config(const struct vmsim_config *cfg, struct strbuf *sb)
{
	sb_printf(sb, "{\"ram_bytes\": %llu, \"nodes\": %d, \"paging\": \"%s\", \"cpus\": %d, "
		  "\"seed\": %llu, \"tlb_entries\": %d, \"tlb_ways\": %d, \"pcp\": %s, "
		  "\"reclaim\": \"%s\", \"fail_page_alloc_nth\": %llu, \"fail_slab_nth\": %llu, "
		  "\"fail_io_nth\": %llu, \"stack_sp_check\": %s, \"dirty_background_ratio\": %d, \"dirty_ratio\": %d, "
		  "\"dirty_expire_centisecs\": %u, \"dirty_writeback_centisecs\": %u, "
		  "\"page_cluster\": %d, \"fault_around_bytes\": %u, \"swap_bytes\": %llu, "
		  "\"swap_path\": ",
		  (unsigned long long)cfg->ram_bytes, cfg->nodes, paging_name(cfg->paging),
		  cfg->cpus, (unsigned long long)cfg->seed, cfg->tlb_entries, cfg->tlb_ways,
		  cfg->pcp ? "true" : "false", vmsim_config_reclaim(cfg),
		  (unsigned long long)cfg->fail_page_alloc_nth,
		  (unsigned long long)cfg->fail_slab_nth, (unsigned long long)cfg->fail_io_nth,
		  cfg->stack_sp_check ? "true" : "false",
		  cfg->dirty_background_ratio, cfg->dirty_ratio, cfg->dirty_expire_centisecs,
		  cfg->dirty_writeback_centisecs, cfg->page_cluster, cfg->fault_around_bytes,
		  (unsigned long long)cfg->swap_bytes);
	sb_json_string(sb, cfg->swap_path);
	sb_printf(sb, ", \"page_size_bytes\": %lu}", VMSIM_PAGE_SIZE);
}

static void json_zone(const struct vmsim_zone_stats *z, struct strbuf *sb)
{
	sb_printf(sb, "{\"node\": %d, \"zone\": ", z->node);
	sb_json_string(sb, z->name);
	sb_printf(sb, ", \"start_pfn\": %lu, \"spanned_pages\": %lu, \"present_pages\": %lu, "
		  "\"managed_pages\": %lu, \"free_pages\": %lu, \"used_pages\": %lu, "
		  "\"pcp_pages\": %lu, \"min_pages\": %lu, \"low_pages\": %lu, \"high_pages\": %lu, "
		  "\"free_blocks_per_order\": [",
		  z->start_pfn, z->spanned_pages, z->present_pages, z->managed_pages,
		  z->free_pages, z->managed_pages - z->free_pages, z->pcp_pages, z->min_pages,
		  z->low_pages, z->high_pages);
	for (int o = 0; o < VMSIM_NR_ORDERS; o++)
		sb_printf(sb, "%s%lu", o ? ", " : "", z->nr_free[o]);
	sb_puts(sb, "], \"unusable_free_permille_per_order\": [");
	for (int o = 0; o < VMSIM_NR_ORDERS; o++)
		sb_printf(sb, "%s%lu", o ? ", " : "", unusable_permille(z, o));
	sb_puts(sb, "]}");
}

static void json_process(struct session *s, int i, struct strbuf *sb)
{
	struct vmsim_task_info ti;
	struct vmsim_task_stats t;
	char state[128];

	task_state(s, s->vs.procs[i].pid, state, sizeof(state), &ti);
	sb_puts(sb, "{\"name\": ");
	sb_json_string(sb, s->vs.procs[i].name);
	sb_printf(sb, ", \"pid\": %d, \"tgid\": %d, \"threads\": %d, \"state\": ",
		  s->vs.procs[i].pid, ti.tgid, ti.threads);
	sb_json_string(sb, state);
	if (ti.alive && !vmsim_task_stats(s->vs.m, s->vs.procs[i].pid, &t)) {
		sb_printf(sb, ", \"alive\": true, \"vsz_bytes\": %lu, \"peak_vsz_bytes\": %lu, "
			  "\"rss_bytes\": %lu, \"rss_anon_bytes\": %lu, \"rss_file_bytes\": %lu, "
			  "\"rss_shmem_bytes\": %lu, \"peak_rss_bytes\": %lu, \"locked_bytes\": %lu, "
			  "\"swap_bytes\": %lu, \"page_table_pages\": %lu, \"vmas\": %d, "
			  "\"mm_users\": %d, \"minor_faults\": %lu, \"major_faults\": %lu}",
			  t.vm_pages * VMSIM_PAGE_SIZE, t.hiwater_vm_pages * VMSIM_PAGE_SIZE,
			  t.rss_pages * VMSIM_PAGE_SIZE, t.rss_anon_pages * VMSIM_PAGE_SIZE,
			  t.rss_file_pages * VMSIM_PAGE_SIZE, t.rss_shmem_pages * VMSIM_PAGE_SIZE,
			  t.hiwater_rss_pages * VMSIM_PAGE_SIZE, t.locked_pages * VMSIM_PAGE_SIZE,
			  t.swap_pages * VMSIM_PAGE_SIZE, t.pte_pages, t.nr_vmas, t.mm_users,
			  t.min_flt, t.maj_flt);
		return;
	}
	sb_puts(sb, ", \"alive\": false");
	if (ti.signo) {
		const char *sig = vmsim_signal_name(ti.signo);
		const char *code = vmsim_sicode_name(ti.signo, ti.code);
		sb_puts(sb, ", \"signal\": ");
		sb_json_string(sb, sig ? sig : "?");
		if (code && ti.signo != 9) {
			sb_puts(sb, ", \"si_code\": ");
			sb_json_string(sb, code);
			sb_printf(sb, ", \"fault_address\": \"0x%lx\"", ti.addr);
		}
	}
	sb_putc(sb, '}');
}

void report_json(struct session *s, struct strbuf *sb)
{
	struct vmsim_mem_stats ms;
	struct vmsim_zone_stats z;
	struct vmsim_slab_totals st;
	struct vmsim_fault_stats fs;
	struct vmsim_tlb_stats ts;

	if (!s->vs.m) {
		sb_puts(sb, "null");
		return;
	}
	vmsim_mem_stats(s->vs.m, &ms);
	sb_printf(sb, "{\n  \"schema\": \"%s\",\n  \"memory\": {\"total_pages\": %lu, \"managed_pages\": %lu, "
		  "\"reserved_pages\": %lu, \"high_pages\": %lu, \"free_pages\": %lu, "
		  "\"used_pages\": %lu, \"ram_bytes\": %lu},\n", REPORT_SCHEMA,
		  ms.total_pages, ms.managed_pages, ms.reserved_pages, ms.high_pages,
		  ms.free_pages, ms.managed_pages - ms.free_pages,
		  ms.total_pages * VMSIM_PAGE_SIZE);
	sb_puts(sb, "  \"zones\": [");
	for (int i = 0; !vmsim_zone_stats(s->vs.m, i, &z); i++) {
		sb_puts(sb, i ? ",\n    " : "\n    ");
		json_zone(&z, sb);
	}
	sb_puts(sb, "\n  ],\n  \"slab\": ");
	if (!vmsim_slab_totals(s->vs.m, &st))
		sb_printf(sb, "{\"caches\": %lu, \"active_objects\": %lu, \"total_objects\": %lu, "
			  "\"active_object_bytes\": %lu, \"active_slabs\": %lu, \"total_slabs\": %lu, "
			  "\"pages\": %lu, \"bytes\": %lu}",
			  st.caches, st.active_objs, st.total_objs, st.active_bytes,
			  st.active_slabs, st.total_slabs, st.pages, st.pages * VMSIM_PAGE_SIZE);
	else
		sb_puts(sb, "null");
	sb_puts(sb, ",\n  \"processes\": [");
	for (int i = 0; i < s->vs.nr_procs; i++) {
		sb_puts(sb, i ? ",\n    " : "\n    ");
		json_process(s, i, sb);
	}
	vmsim_fault_stats(s->vs.m, &fs);
	sb_printf(sb, "%s],\n  \"faults\": {\"total\": %llu, \"minor\": %llu, \"major\": %llu, "
		  "\"demand_zero\": %llu, \"zero_page\": %llu, \"cow_copied\": %llu, "
		  "\"cow_reused\": %llu, \"stack_growth\": %llu, \"sigsegv\": %llu, "
		  "\"sigbus\": %llu},\n", s->vs.nr_procs ? "\n  " : "",
		  (unsigned long long)fs.total, (unsigned long long)fs.minor,
		  (unsigned long long)fs.major, (unsigned long long)fs.anon,
		  (unsigned long long)fs.zero_page, (unsigned long long)fs.cow,
		  (unsigned long long)fs.cow_reuse, (unsigned long long)fs.stack_grow,
		  (unsigned long long)fs.sigsegv, (unsigned long long)fs.sigbus);
	vmsim_tlb_stats(s->vs.m, &ts);
	sb_printf(sb, "  \"tlb\": {\"hits\": %llu, \"misses\": %llu, \"flushes\": %llu, "
		  "\"shootdowns\": %llu, \"hit_rate_percent\": ", (unsigned long long)ts.hits,
		  (unsigned long long)ts.misses, (unsigned long long)ts.flushes,
		  (unsigned long long)ts.shootdowns);
	if (ts.hit_rate_centi_pct >= 0)
		sb_printf(sb, "%ld.%02ld}", ts.hit_rate_centi_pct / 100,
			  ts.hit_rate_centi_pct % 100);
	else
		sb_puts(sb, "null}");
	if (session_config(s)->cpus > 1)
		json_shootdowns(s, sb);
	sb_puts(sb, ",\n  \"vmstat\": {");
	for (int i = 0; i < vmsim_vmstat_count(); i++) {
		sb_puts(sb, i ? ", " : "");
		sb_json_string(sb, vmsim_vmstat_name(i));
		sb_printf(sb, ": %llu", (unsigned long long)vmsim_vmstat_value(s->vs.m, i));
	}
	sb_puts(sb, "}\n}");
}

/* The collected output as a JSON array of lines. */
static void json_lines(const char *text, size_t len, struct strbuf *sb)
{
	size_t i = 0;
	bool first = true;

	sb_putc(sb, '[');
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		char *line = strndup(text + i, n);

		sb_puts(sb, first ? "\n    " : ",\n    ");
		first = false;
		sb_json_string(sb, line ? line : "");
		free(line);
		i += n + (nl ? 1 : 0);
	}
	sb_puts(sb, first ? "]" : "\n  ]");
}

void session_finish(struct session *s, enum vmsim_run_status st)
{
	struct strbuf sb;

	vmsim_session_end(&s->vs);	/* what `K` left: reported and freed before the report */
	if (!s->opts->json) {
		if (st == VMSIM_RUN_OK && !s->opts->quiet && s->vs.m) {
			sb_init(&sb);
			report_text(s, &sb);
			printf("\n%s", sb.buf ? sb.buf : "");
			sb_free(&sb);
		}
		fflush(stdout);
		return;
	}
	sb_init(&sb);
	sb_printf(&sb, "{\n  \"schema\": \"%s\",\n  \"vmsim_version\": \"%s\",\n  \"script\": ",
		  s->schema, VMSIM_VERSION);
	sb_json_string(&sb, s->vs.file);
	sb_puts(&sb, ",\n  \"config\": ");
	json_config(session_config(s), &sb);
	sb_printf(&sb, ",\n  \"seed\": %llu,\n  \"status\": \"%s\",\n  \"exit_status\": %d,\n"
		  "  \"output\": ", (unsigned long long)session_config(s)->seed,
		  st == VMSIM_RUN_OK ? "ok" : st == VMSIM_RUN_EXPECT_FAILED ? "expect_failed" : "error",
		  st == VMSIM_RUN_OK ? 0 : st == VMSIM_RUN_EXPECT_FAILED ? EXIT_EXPECT : EXIT_USAGE);
	json_lines(s->out.buf ? s->out.buf : "", s->out.len, &sb);
	sb_puts(&sb, ",\n  \"error\": ");
	if (st != VMSIM_RUN_OK) {	/* its message as standard error had it */
		sb_puts(&sb, "{\"message\": ");
		sb_json_string(&sb, s->vs.error[0] ? s->vs.error : "error");
		sb_printf(&sb, ", \"line\": %d}", s->vs.error_line);
	} else {
		sb_puts(&sb, "null");
	}
	sb_printf(&sb, ",\n  \"reports\": [%s%s%s]", s->nr_reports ? "\n" : "",
		  s->reports.buf ? s->reports.buf : "", s->nr_reports ? "\n  " : "");
	if (s->trace_json.len) {
		sb_puts(&sb, ",\n  \"trace\": ");
		sb_puts(&sb, s->trace_json.buf);
	}
	if (st == VMSIM_RUN_OK && !s->opts->quiet && s->vs.m) {
		sb_puts(&sb, ",\n  \"report\": ");
		report_json(s, &sb);
	}
	sb_puts(&sb, "\n}\n");
	fputs(sb.buf ? sb.buf : "", stdout);
	fflush(stdout);
	sb_free(&sb);
}

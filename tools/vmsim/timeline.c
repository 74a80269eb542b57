/*
 * Timelines (timeline.h): a CSV row of the machine's counters at the
 * start, at every sample point (N accesses, or N microseconds of the
 * virtual clock, which device I/O advances) and at the end.  The replay
 * (trace.c) slices its batches at the sample points of a count of
 * accesses, so its rows fall on exact multiples; a run samples after each
 * command, so a row comes after the command that passed the point (one
 * row however many points it passed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/stats.h"
#include "timeline.h"

struct timeline tool_timeline;

/* vmstat counters of the timeline, pages or events: column name, vmstat name. */
static const char *const timeline_vmstat[][2] = {
	{ "free_pages", "nr_free_pages" }, { "anon_pages", "nr_anon_pages" },
	{ "file_pages", "nr_file_pages" }, { "shmem_pages", "nr_shmem" },
	{ "dirty_pages", "nr_dirty" }, { "writeback_pages", "nr_writeback" },
	{ "slab_reclaimable_pages", "nr_slab_reclaimable" },
	{ "slab_unreclaimable_pages", "nr_slab_unreclaimable" },
	{ "faults", "pgfault" }, { "major_faults", "pgmajfault" },
	{ "pgscan_kswapd", "pgscan_kswapd" }, { "pgscan_direct", "pgscan_direct" },
	{ "pgsteal_kswapd", "pgsteal_kswapd" }, { "pgsteal_direct", "pgsteal_direct" },
	{ "pswpin", "pswpin" }, { "pswpout", "pswpout" }, { "oom_kills", "oom_kill" },
};
#define NR_TIMELINE_VMSTAT	(sizeof(timeline_vmstat) / sizeof(timeline_vmstat[0]))

int timeline_parse_every(const char *s, uint64_t *every, bool *by_time)
{
	size_t n = strlen(s);
	uint64_t scale = 1;
	char num[64];

	*by_time = false;
	if (n > 2 && !strcmp(s + n - 2, "ms")) {
		scale = 1000;
		n -= 2;
	} else if (n > 2 && !strcmp(s + n - 2, "us")) {
		n -= 2;
	} else if (n > 1 && s[n - 1] == 's') {
		scale = 1000000;
		n -= 1;
	} else {
		scale = 0;	/* accesses */
	}
	if (n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = 0;
	if (vmsim_parse_size(num, every) || !*every)
		return -1;
	if (scale) {
		if (*every > UINT64_MAX / scale)
			return -1;
		*every *= scale;
		*by_time = true;
	}
	return 0;
}

/* SwapTotal - SwapFree of /proc/meminfo, in KiB. */
static unsigned long swap_used_kb(vmsim_machine_t *m)
{
	char *mi = vmsim_proc_read(m, "meminfo"), *t, *f;
	unsigned long total = 0, freekb = 0;

	if (!mi)
		return 0;
	t = strstr(mi, "SwapTotal:");
	f = strstr(mi, "SwapFree:");
	if (t)
		total = strtoul(t + 10, NULL, 10);
	if (f)
		freekb = strtoul(f + 9, NULL, 10);
	free(mi);
	return total > freekb ? total - freekb : 0;
}

static uint64_t mmu_accesses(vmsim_machine_t *m)
{
	struct vmsim_tlb_stats t;

	vmsim_tlb_stats(m, &t);
	return t.hits + t.misses;
}

/* One CSV row: the counters now, cumulative since boot. */
static void timeline_row(struct timeline *tl, vmsim_machine_t *m, uint64_t accesses)
{
	struct vmsim_tlb_stats t;
	uint64_t v, usecs = vmsim_clock_usecs(m);

	vmsim_tlb_stats(m, &t);
	fprintf(tl->f, "%llu,%llu", (unsigned long long)accesses,
		(unsigned long long)(usecs / 1000));
	for (size_t i = 0; i < NR_TIMELINE_VMSTAT; i++)
		fprintf(tl->f, ",%llu", (unsigned long long)(vmsim_vmstat_get(m,
			timeline_vmstat[i][1], &v) ? 0 : v));
	fprintf(tl->f, ",%lu,%llu,%llu\n", swap_used_kb(m), (unsigned long long)t.hits,
		(unsigned long long)t.misses);
	tl->last_acc = accesses;
	tl->last_usecs = usecs;
}

/* The first sample point after @x: the next multiple of every. */
static uint64_t next_point(const struct timeline *tl, uint64_t x)
{
	return (x / tl->every + 1) * tl->every;
}

int timeline_open(struct timeline *tl, vmsim_machine_t *m, uint64_t accesses, char *err,
		  size_t errlen)
{
	if (tl->mmu)
		accesses = mmu_accesses(m);
	tl->f = fopen(tl->path, "w");
	if (!tl->f) {
		snprintf(err, errlen, "%s: cannot write the timeline: %s", tl->path,
			 strerror(errno));
		return -1;
	}
	fputs("accesses,time_ms", tl->f);
	for (size_t i = 0; i < NR_TIMELINE_VMSTAT; i++)
		fprintf(tl->f, ",%s", timeline_vmstat[i][0]);
	fputs(",swap_used_kb,tlb_hits,tlb_misses\n", tl->f);
	timeline_row(tl, m, accesses);
	tl->next = next_point(tl, tl->by_time ? tl->last_usecs : accesses);
	return 0;
}

void timeline_poll(struct timeline *tl, vmsim_machine_t *m, uint64_t accesses)
{
	uint64_t x;

	if (!tl->f)
		return;
	if (tl->mmu)
		accesses = mmu_accesses(m);
	x = tl->by_time ? vmsim_clock_usecs(m) : accesses;
	if (x < tl->next)
		return;
	timeline_row(tl, m, accesses);
	tl->next = next_point(tl, x);
}

uint64_t timeline_until(const struct timeline *tl, uint64_t accesses)
{
	if (!tl->f || tl->mmu || tl->by_time)
		return UINT64_MAX;
	return tl->next > accesses ? tl->next - accesses : 0;
}

int timeline_close(struct timeline *tl, vmsim_machine_t *m, uint64_t accesses, char *err,
		   size_t errlen)
{
	if (!tl->f)
		return 0;
	if (tl->mmu)
		accesses = mmu_accesses(m);
	if (accesses != tl->last_acc || vmsim_clock_usecs(m) != tl->last_usecs)
		timeline_row(tl, m, accesses);	/* the end, when not a row yet */
	if (fclose(tl->f)) {
		tl->f = NULL;
		snprintf(err, errlen, "%s: cannot write the timeline: %s", tl->path,
			 strerror(errno));
		return -1;
	}
	tl->f = NULL;
	return 0;
}

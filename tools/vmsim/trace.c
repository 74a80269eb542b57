/*
 * Memory-access traces: mapping the address space a trace touches and
 * replaying its accesses as a process's own (vmsim_access_run, in batches
 * of TRACE_BATCH).  The files (valgrind lackey's --trace-mem output,
 * Dinero III's din format, a plain R/W/X format; docs/script.md) are read
 * by trace_read.c.  Used by `vmsim trace` and the script's `trace` command.
 *
 * Traces are gigabytes: the file (or pipe) is streamed once, never loaded
 * whole.  Map auto maps a page on its first touch: before each batch runs,
 * the pages it touches that no earlier batch touched (a hash set of page
 * numbers) are mapped, as runs joined across gaps under TRACE_JOIN_GAP; a
 * bad line or an address outside the user space stops the replay there,
 * after the accesses before it ran.
 *
 * Under reclaim=opt the replay must know the future: opt_future reads the
 * whole trace first (4 bytes an access, 4 per distinct page), then the
 * file is read again for the replay; a pipe cannot be, and is refused.
 *
 * No session state here (the caller prints), so the unit tests can compile
 * this file on its own (linked with trace_read.o).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "vmsim/process.h"
#include "vmsim/stats.h"
#include "tool.h"
#include "trace_read.h"
#include "page_map.h"
#include "timeline.h"

#define TPAGE_SHIFT	TRACE_PAGE_SHIFT
#define TPAGE		(1UL << TPAGE_SHIFT)

/* --- map auto: the touched pages ------------------------------------------------ */

/* map auto's touched pages (page_map.h): page number -> PG_* flags */
enum {
	PG_FETCH = 1,		/* a fetch touched it */
	PG_OURS = 2,		/* map auto mapped it */
	PG_X = 4,		/* ... with PROT_EXEC */
	PG_FOREIGN = 8,		/* in a mapping that was there before (left alone) */
};

/* A page number with its fetched bit in bit 0, for sorting. */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* [start, end) byte ranges. */
struct range {
	unsigned long start, end;
};

/* The process's mappings, from /proc/PID/maps, in address order. */
static int read_vmas(vmsim_machine_t *m, int pid, struct range **out, size_t *nr)
{
	char *maps = vmsim_proc_pid_read(m, pid, "maps"), *p;
	size_t n = 0, cap = 0;
	struct range *v = NULL;

	*out = NULL;
	*nr = 0;
	if (!maps)
		return -errno;
	for (p = maps; *p; ) {
		unsigned long start, end;
		char *nl = strchr(p, '\n');

		if (sscanf(p, "%lx-%lx", &start, &end) == 2) {
			if (n == cap) {
				size_t ncap = cap ? 2 * cap : 16;
				struct range *nv = realloc(v, ncap * sizeof(*nv));
				if (!nv) {
					free(v);
					free(maps);
					return -ENOMEM;
				}
				v = nv;
				cap = ncap;
			}
			v[n].start = start;
			v[n].end = end;
			n++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	free(maps);
	*out = v;
	*nr = n;
	return 0;
}

/* Undo map auto's mappings after a failure: nothing half-done stays. */
static void unmap_all(vmsim_machine_t *m, int pid, const struct range *done, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vmsim_munmap(m, pid, done[i].start, done[i].end - done[i].start);
}

/*
 * Map [start, end) (pages) with @prot, except what @vmas already maps.
 * The pieces made are appended to @done (for unmap_all).
 */
static int map_region(vmsim_machine_t *m, int pid, unsigned long start, unsigned long end,
		      int prot, const struct range *vmas, size_t nr_vmas, struct range **done,
		      size_t *nr_done, size_t *cap_done, struct trace_summary *sum,
		      struct trace_reader *r)
{
	size_t i = 0;

	while (start < end) {
		unsigned long piece_end = end;
		long ret;

		/* skip mappings wholly below, step over one covering start */
		while (i < nr_vmas && vmas[i].end <= start)
			i++;
		if (i < nr_vmas && vmas[i].start <= start) {
			start = vmas[i].end;
			continue;
		}
		if (i < nr_vmas && vmas[i].start < piece_end)
			piece_end = vmas[i].start;
		if (*nr_done == *cap_done) {
			size_t ncap = *cap_done ? 2 * *cap_done : 16;
			struct range *nd = realloc(*done, ncap * sizeof(*nd));
			if (!nd) {
				trace_error(r, "out of memory");
				return -1;
			}
			*done = nd;
			*cap_done = ncap;
		}
		ret = vmsim_mmap(m, pid, start, piece_end - start, prot,
				 VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_FIXED, -1, 0);
		if (ret < 0 && ret > -4096) {
			const char *e = vmsim_errno_name((int)-ret);

			trace_error(r, "map auto: mmap of 0x%lx-0x%lx failed: -%s%s", start,
				    piece_end, e ? e : "?", ret == -EPERM && start < TPAGE ?
				    " (page 0 cannot be mapped: mmap_min_addr)" : "");
			return ret == -ESRCH ? -2 : -1;
		}
		(*done)[*nr_done].start = start;
		(*done)[*nr_done].end = piece_end;
		(*nr_done)++;
		sum->map_regions++;
		sum->map_pages += (piece_end - start) >> TPAGE_SHIFT;
		start = piece_end;
	}
	return 0;
}

/* Whether page @pg lies in one of @vmas (address order). */
static bool in_vmas(const struct range *vmas, size_t nr, uint64_t pg)
{
	unsigned long addr = (unsigned long)pg << TPAGE_SHIFT;

	for (size_t i = 0; i < nr && vmas[i].start <= addr; i++)
		if (addr < vmas[i].end)
			return true;
	return false;
}

/*
 * Map the new pages of a batch (@pages: page << 1 | fetched, sorted):
 * maximal runs with the same fetched bit, touched pages less than
 * TRACE_JOIN_GAP apart, become one mapping each (rwx where fetched, rw-
 * otherwise), leaving out what is already mapped; every page of a run is
 * then in @ps (ours, or foreign where a mapping was there).  -1 with the
 * message, -2 when the process is gone.
 */
static int map_pages(vmsim_machine_t *m, int pid, const uint64_t *pages, size_t n,
		     struct page_map *ps, struct trace_summary *sum, struct trace_reader *r)
{
	struct range *vmas = NULL, *done = NULL;
	size_t nr_vmas = 0, nr_done = 0, cap_done = 0;
	int ret = read_vmas(m, pid, &vmas, &nr_vmas);

	if (ret == -ESRCH)
		return -2;
	if (ret) {
		trace_error(r, "cannot read the process's maps: %s", strerror(-ret));
		return -1;
	}
	for (size_t i = 0; i < n && !ret; ) {
		uint64_t first = pages[i] >> 1, last = first;
		bool exec = pages[i] & 1, added;
		size_t j = i + 1;

		while (j < n && (pages[j] & 1) == exec &&
		       ((pages[j] >> 1) - last - 1) << TPAGE_SHIFT < TRACE_JOIN_GAP)
			last = pages[j++] >> 1;
		ret = map_region(m, pid, (unsigned long)first << TPAGE_SHIFT,
				 (unsigned long)(last + 1) << TPAGE_SHIFT,
				 VMSIM_PROT_READ | VMSIM_PROT_WRITE | (exec ? VMSIM_PROT_EXEC : 0),
				 vmas, nr_vmas, &done, &nr_done, &cap_done, sum, r);
		for (uint64_t pg = first; !ret && pg <= last; pg++) {
			uint32_t *f = page_map_slot(ps, pg, &added);

			if (!f) {
				trace_error(r, "out of memory (%zu pages touched)", ps->nr);
				ret = -1;
			} else if (in_vmas(vmas, nr_vmas, pg)) {
				*f |= PG_FOREIGN;
			} else {
				*f |= PG_OURS | (exec ? PG_X : 0);
			}
		}
		i = j;
	}
	if (ret == -1)
		unmap_all(m, pid, done, nr_done);	/* nothing of this batch stays */
	free(vmas);
	free(done);
	return ret;
}

/*
 * Map auto for one batch, before it runs: check each access's range
 * (*@n becomes the number before the first outside the user space, with
 * the message), map the pages no earlier access touched, make a page
 * mapped rw- executable when a fetch reaches it.  0, -1 (message; the
 * accesses before *@n may still run), -2 (the process is gone).
 */
static int map_batch(vmsim_machine_t *m, int pid, const struct vmsim_access *v, size_t *n,
		     const unsigned long *lines, struct page_map *ps,
		     struct trace_summary *sum, struct trace_reader *r)
{
	unsigned long limit = vmsim_task_size(m);
	uint64_t *pages = NULL;
	size_t nr = 0, cap = 0;
	int ret = 0;

	for (size_t i = 0; i < *n && !ret; i++) {
		unsigned long last = v[i].addr + v[i].size - 1;
		bool fetch = v[i].kind == VMSIM_ACCESS_FETCH, added;

		if (last < v[i].addr || last >= limit) {
			r->lineno = lines[i];
			trace_error(r, "address 0x%lx%s is outside the machine's user space "
				    "(0 .. 0x%lx)%s", v[i].addr, last < v[i].addr ? " (wraps)" : "",
				    limit - 1, limit < (1UL << 32) ?
				    ": a 64-bit trace needs --paging x86_64" : "");
			*n = i;
			ret = -1;
			break;
		}
		for (uint64_t pg = v[i].addr >> TPAGE_SHIFT; pg <= last >> TPAGE_SHIFT; pg++) {
			uint32_t *f = page_map_slot(ps, pg, &added);

			if (f && added && nr == cap) {
				uint64_t *np = realloc(pages, (cap ? 2 * cap : 256) * sizeof(*np));

				cap = cap ? 2 * cap : 256;
				pages = np ? np : pages;
				f = np ? f : NULL;
			}
			if (!f) {
				trace_error(r, "out of memory (%zu pages touched)", ps->nr);
				free(pages);
				return -1;
			}
			if (added)
				pages[nr++] = pg;
			if (fetch && (*f & (PG_OURS | PG_X)) == PG_OURS) {
				long e = vmsim_mprotect(m, pid, (unsigned long)pg << TPAGE_SHIFT,
							TPAGE, VMSIM_PROT_READ | VMSIM_PROT_WRITE |
							VMSIM_PROT_EXEC);
				if (e == -ESRCH) {
					free(pages);
					return -2;
				}
				*f |= PG_X;
			}
			if (fetch)
				*f |= PG_FETCH;
		}
	}
	if (nr) {
		int mret;

		for (size_t i = 0; i < nr; i++) {
			bool added;

			pages[i] = pages[i] << 1 | (*page_map_slot(ps, pages[i], &added) & PG_FETCH);
		}
		qsort(pages, nr, sizeof(*pages), cmp_u64);
		mret = map_pages(m, pid, pages, nr, ps, sum, r);
		if (mret) {
			if (mret == -1)
				*n = 0;
			ret = mret;
		}
	}
	free(pages);
	return ret;
}

/* --- replay ---------------------------------------------------------------------- */

struct stats_snap {
	struct vmsim_fault_stats f;
	struct vmsim_tlb_stats t;
	uint64_t pswpin, pswpout;
};

static void snap(vmsim_machine_t *m, struct stats_snap *s)
{
	vmsim_fault_stats(m, &s->f);
	vmsim_tlb_stats(m, &s->t);
	if (vmsim_vmstat_get(m, "pswpin", &s->pswpin))
		s->pswpin = 0;
	if (vmsim_vmstat_get(m, "pswpout", &s->pswpout))
		s->pswpout = 0;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- OPT's future ------------------------------------------------------------------ */

#define NO_NEXT		UINT32_MAX

/*
 * opt_future - for each access of the trace, the index of the next access
 * to its page (address >> 12) after the run of accesses to that page it
 * belongs to (the machine sees only a run's first access: a one-entry
 * TLB), NO_NEXT if none; into *@out (malloc'd), *@nr accesses.  Reads @r
 * to its end and rewinds it.  0, or -1 with the message in @r.
 */
static int opt_future(struct trace_reader *r, uint32_t **out, size_t *nr)
{
	struct page_map ids = { 0 };
	uint32_t *v = NULL, *next_run = NULL, prev = NO_NEXT;
	size_t n = 0, cap = 0;
	struct vmsim_access a;
	int ret;

	if (lseek(r->fd, 0, SEEK_CUR) < 0) {
		trace_error(r, "reclaim=opt reads the trace twice (its future first): give a file, "
			    "not standard input or a pipe");
		return -1;
	}
	while ((ret = trace_next_access(r, &a)) > 0) {
		bool added;
		uint32_t *id = page_map_slot(&ids, a.addr >> TPAGE_SHIFT, &added);

		if (n == cap) {
			uint32_t *nv = realloc(v, (cap = cap ? 2 * cap : 1 << 16) * sizeof(*v));

			if (!nv)
				id = NULL;
			else
				v = nv;
		}
		if (!id || n >= NO_NEXT) {
			trace_error(r, "reclaim=opt: out of memory for the trace's future");
			ret = -1;
			break;
		}
		if (added)
			*id = (uint32_t)ids.nr - 1;
		v[n++] = *id;
	}
	if (!ret && !(next_run = malloc((ids.nr + 1) * sizeof(*next_run)))) {
		trace_error(r, "reclaim=opt: out of memory for the trace's future");
		ret = -1;
	}
	if (!ret) {
		for (size_t i = 0; i < ids.nr; i++)
			next_run[i] = NO_NEXT;
		/* backwards: v[i] becomes its page's next use; prev is the id at i + 1 */
		for (size_t i = n; i-- > 0; ) {
			uint32_t id = v[i];

			v[i] = i + 1 < n && prev == id ? v[i + 1] : next_run[id];
			if (i == 0 || v[i - 1] != id)
				next_run[id] = (uint32_t)i;	/* a run starts here */
			prev = id;
		}
		ret = trace_rewind(r);
	}
	free(next_run);
	page_map_free(&ids);
	if (ret) {
		free(v);
		return -1;
	}
	*out = v;
	*nr = n;
	return 0;
}

/* Accesses @v[0 .. @n) at trace position @pos, with OPT's future when there is one. */
static long run_accesses(vmsim_machine_t *m, int pid, const struct vmsim_access *v, size_t n,
			 const uint32_t *future, size_t pos, uint64_t *buf,
			 struct vmsim_access_result *res)
{
	if (!future)
		return vmsim_access_run(m, pid, v, n, NULL, res);
	for (size_t i = 0; i < n; i++)
		buf[i] = future[pos + i] == NO_NEXT ? UINT64_MAX : future[pos + i];
	return vmsim_access_run_future(m, pid, v, n, buf, NULL, res);
}

/* The replay: batches of TRACE_BATCH accesses, each one task entry. */
static int replay(vmsim_machine_t *m, int pid, struct trace_reader *r, bool map_auto,
		  const uint32_t *future, size_t future_nr, struct trace_summary *sum)
{
	uint64_t *fbuf = future ? malloc(TRACE_BATCH * sizeof(*fbuf)) : NULL;
	size_t pos = 0;
	struct page_map ps = { 0 };
	struct timeline *tl = &tool_timeline;
	bool stop = false, own = false;
	struct vmsim_access *v = malloc(TRACE_BATCH * sizeof(*v));
	unsigned long *lines = malloc(TRACE_BATCH * sizeof(*lines));
	int ret = 0;

	if (!v || !lines || (future && !fbuf)) {
		trace_error(r, "out of memory");
		ret = -1;
		goto out;
	}
	/* vmsim trace's own timeline (a run's is open already: rows go there) */
	if (tl->path && !tl->f) {
		if (timeline_open(tl, m, 0, r->err, r->errlen)) {
			ret = -1;
			goto out;
		}
		own = true;
	}
	for (;;) {
		struct vmsim_access_result res;
		size_t n = 0;
		long done;

		ret = trace_next_batch(r, v, lines, TRACE_BATCH, &n);
		if (map_auto && n) {
			int mret = map_batch(m, pid, v, &n, lines, &ps, sum, r);

			if (mret == -2) {
				sum->status = -ESRCH;
				ret = 0;
				break;
			}
			if (mret)
				ret = -1;	/* after the accesses before it run */
		}
		if (n == 0)
			break;
		if (future && pos + n > future_nr) {
			trace_error(r, "reclaim=opt: the trace changed since it was read");
			ret = -1;
			break;
		}
		for (size_t off = 0; off < n && !stop; ) {
			size_t len = n - off;

			if (timeline_until(tl, sum->accesses) < len)
				len = (size_t)timeline_until(tl, sum->accesses);
			done = run_accesses(m, pid, v + off, len, future, pos + off, fbuf, &res);
			for (size_t i = 0; i < res.done; i++)
				sum->by_kind[v[off + i].kind]++;
			sum->accesses += res.done;
			if (done == VMSIM_KILLED) {
				sum->status = VMSIM_KILLED;
				sum->kill_line = lines[off + (res.done < len ? res.done : len - 1)];
				sum->signo = res.signo;
				sum->code = res.code;
				sum->fault_addr = res.fault_addr;
				stop = true;
			} else if (done < 0) {
				sum->status = done;	/* -ESRCH: the process is gone */
				stop = true;
			}
			off += res.done;
			timeline_poll(tl, m, sum->accesses);
			if (!stop && res.done < len)
				stop = true;	/* not expected: the run stopped short */
		}
		pos += n;
		if (stop) {
			ret = 0;
			break;
		}
		trace_progress(r, sum->accesses, false);
		if (ret < 0)
			break;		/* the bad line after the batch that ran */
		ret = 0;
	}
	trace_progress(r, sum->accesses, true);
	sum->format = (enum vmsim_trace_format)r->format;
out:
	if (own && timeline_close(tl, m, sum->accesses, ret ? NULL : r->err,
				  ret ? 0 : r->errlen) && ret == 0)
		ret = -1;
	page_map_free(&ps);
	free(v);
	free(lines);
	free(fbuf);
	return ret;
}

int trace_run(vmsim_machine_t *m, int pid, const char *path, enum vmsim_trace_format format,
	      bool map_auto, struct trace_summary *sum, char *err, size_t errlen)
{
	struct trace_reader r;
	struct stats_snap before, after;
	uint32_t *future = NULL;
	size_t future_nr = 0;
	double t0;
	int ret;

	memset(sum, 0, sizeof(*sum));
	sum->format = format;
	if (trace_open(&r, path, format, false, err, errlen))
		return -1;
	if (!strcmp(vmsim_config_reclaim(vmsim_machine_config(m)), "opt") &&
	    opt_future(&r, &future, &future_nr)) {
		trace_close(&r);
		return -1;
	}
	snap(m, &before);
	t0 = now_seconds();
	ret = replay(m, pid, &r, map_auto, future, future_nr, sum);
	free(future);
	sum->seconds = now_seconds() - t0;
	snap(m, &after);
	trace_close(&r);
	sum->minor_faults = after.f.minor - before.f.minor;
	sum->major_faults = after.f.major - before.f.major;
	sum->tlb_hits = after.t.hits - before.t.hits;
	sum->tlb_misses = after.t.misses - before.t.misses;
	sum->pswpin = after.pswpin - before.pswpin;
	sum->pswpout = after.pswpout - before.pswpout;
	return ret;
}

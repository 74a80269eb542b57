/*
 * Memory-access traces: reading the files page-replacement and TLB
 * simulators take (valgrind lackey's --trace-mem output, Dinero III's din
 * format, a plain R/W/X format), mapping the address space they touch, and
 * replaying them as a process's own accesses (vmsim_access_run, in batches
 * of TRACE_BATCH).  Used by `vmsim trace` and the script's `trace` command;
 * docs/script.md gives the formats exactly.
 *
 * Traces are gigabytes: the file is streamed through a block buffer, never
 * loaded whole.  With map auto it is read twice: a first pass checks every
 * line and collects the touched pages (a hash set of page numbers), so a
 * bad line or an address outside the machine's user space is reported
 * before anything runs; the replay is the second pass.
 *
 * No session state here (the caller prints), so the unit tests can compile
 * this file on its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vmsim/process.h"
#include "vmsim/stats.h"
#include "tool.h"

#define TRACE_BUF	(1UL << 20)	/* bytes read at a time */
#define TRACE_LINE_MAX	4096		/* longest line */
#define TPAGE_SHIFT	12
#define TPAGE		(1UL << TPAGE_SHIFT)

/* --- reading lines ----------------------------------------------------------- */

struct trace_reader {
	FILE *f;
	const char *name;		/* for messages */
	bool is_stdin;
	char *buf;			/* TRACE_BUF + 1 bytes */
	size_t len, pos;		/* bytes in buf, start of the next line */
	bool eof;
	unsigned long lineno;		/* of the line last returned */
	enum vmsim_trace_format format;
	char *err;
	size_t errlen;
};

static __attribute__((format(printf, 2, 3)))
void trace_error(struct trace_reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->lineno)
		n = snprintf(r->err, r->errlen, "%s:%lu: ", r->name, r->lineno);
	else
		n = snprintf(r->err, r->errlen, "%s: ", r->name);
	if (n < 0 || (size_t)n >= r->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static int reader_open(struct trace_reader *r, const char *path, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->err = err;
	r->errlen = errlen;
	r->is_stdin = !strcmp(path, "-");
	r->name = r->is_stdin ? "<stdin>" : path;
	r->f = r->is_stdin ? stdin : fopen(path, "rb");
	if (!r->f) {
		trace_error(r, "cannot open the trace: %s", strerror(errno));
		return -1;
	}
	r->buf = malloc(TRACE_BUF + 1);
	if (!r->buf) {
		if (!r->is_stdin)
			fclose(r->f);
		trace_error(r, "out of memory");
		return -1;
	}
	return 0;
}

static void reader_close(struct trace_reader *r)
{
	if (r->f && !r->is_stdin)
		fclose(r->f);
	free(r->buf);
	r->f = NULL;
	r->buf = NULL;
}

/* Back to the first line (a file, not standard input). */
static int reader_rewind(struct trace_reader *r)
{
	unsigned long saved = r->lineno;

	r->lineno = 0;
	if (fseek(r->f, 0, SEEK_SET)) {
		trace_error(r, "cannot read the trace again: %s", strerror(errno));
		r->lineno = saved;
		return -1;
	}
	clearerr(r->f);
	r->len = r->pos = 0;
	r->eof = false;
	return 0;
}

/*
 * The next line, NUL-terminated in place (newline and CR gone): 1, 0 at
 * the end of the file, -1 on error (too long, a NUL byte, a read error).
 */
static int next_line(struct trace_reader *r, char **line)
{
	char *start, *nl;

	for (;;) {
		start = r->buf + r->pos;
		nl = memchr(start, '\n', r->len - r->pos);
		if (nl || r->eof)
			break;
		/* keep the partial line, fill the rest of the buffer */
		memmove(r->buf, start, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
		if (r->len > TRACE_LINE_MAX) {
			r->lineno++;
			trace_error(r, "line too long (over %d characters): not a trace?",
				    TRACE_LINE_MAX);
			return -1;
		}
		size_t n = fread(r->buf + r->len, 1, TRACE_BUF - r->len, r->f);
		if (n == 0) {
			if (ferror(r->f)) {
				trace_error(r, "read error: %s", strerror(errno ? errno : EIO));
				return -1;
			}
			r->eof = true;
		}
		r->len += n;
	}
	if (!nl && r->pos == r->len)
		return 0;
	r->lineno++;
	if (!nl)
		nl = r->buf + r->len;	/* the last line has no newline */
	if ((size_t)(nl - start) > TRACE_LINE_MAX) {
		trace_error(r, "line too long (over %d characters): not a trace?", TRACE_LINE_MAX);
		return -1;
	}
	if (memchr(start, 0, (size_t)(nl - start))) {
		trace_error(r, "NUL byte: not a text trace");
		return -1;
	}
	r->pos = (size_t)(nl - r->buf) + (nl < r->buf + r->len ? 1 : 0);
	*nl = 0;
	if (nl > start && nl[-1] == '\r')
		nl[-1] = 0;
	*line = start;
	return 1;
}

/* --- parsing ------------------------------------------------------------------ */

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *s)
{
	while (blank(*s))
		s++;
	return s;
}

/* Hex digits (an optional 0x when @prefix): the end, or NULL (none, overflow). */
static const char *parse_hex(const char *s, bool prefix, unsigned long *out)
{
	unsigned long v = 0;
	const char *p;
	int d;

	if (prefix && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    vmsim_hex_digit((unsigned char)s[2]) >= 0)
		s += 2;
	for (p = s; (d = vmsim_hex_digit((unsigned char)*p)) >= 0; p++) {
		if (v >> 60)
			return NULL;
		v = v << 4 | (unsigned long)d;
	}
	if (p == s)
		return NULL;
	*out = v;
	return p;
}

static const char *parse_dec(const char *s, unsigned long *out)
{
	unsigned long v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > 1000000000UL)
			return NULL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (p == s)
		return NULL;
	*out = v;
	return p;
}

/* Skipped in every format: blank lines, # comments, valgrind's ==PID== lines. */
static bool skipped(const char *line)
{
	const char *s = skip_blanks(line);

	return !*s || *s == '#' || (s[0] == '=' && s[1] == '=');
}

enum { LINE_ACCESS, LINE_NONE, LINE_BAD };

/* lackey: "I  ADDR,SIZE", " L ADDR,SIZE", " S ...", " M ..." (hex ADDR, decimal SIZE) */
static int parse_lackey(const char *line, struct vmsim_access *a)
{
	const char *s = skip_blanks(line);
	unsigned long addr, size;

	switch (*s) {
	case 'I': a->kind = VMSIM_ACCESS_FETCH; break;
	case 'L': a->kind = VMSIM_ACCESS_LOAD; break;
	case 'S': a->kind = VMSIM_ACCESS_STORE; break;
	case 'M': a->kind = VMSIM_ACCESS_MODIFY; break;
	default: return LINE_BAD;
	}
	if (!blank(s[1]))
		return LINE_BAD;
	s = parse_hex(skip_blanks(s + 1), false, &addr);
	if (!s || *s != ',')
		return LINE_BAD;
	s = parse_dec(s + 1, &size);
	if (!s || *skip_blanks(s) || size == 0 || size > VMSIM_ACCESS_MAX_SIZE)
		return LINE_BAD;
	a->addr = addr;
	a->size = (uint32_t)size;
	return LINE_ACCESS;
}

/*
 * din: "LABEL ADDRESS [anything]": 0 read, 1 write, 2 instruction fetch,
 * 3 unknown (made a read), 4 cache flush (no access).  No size in the
 * format: 4 bytes, aligned down to 4, as Dinero IV reads din.
 */
static int parse_din(const char *line, struct vmsim_access *a)
{
	const char *s = skip_blanks(line);
	unsigned long addr;
	int label;

	if (*s < '0' || *s > '4' || !blank(s[1]))
		return LINE_BAD;
	label = *s - '0';
	s = parse_hex(skip_blanks(s + 1), true, &addr);
	if (!s || (*s && !blank(*s)))
		return LINE_BAD;
	if (label == 4)
		return LINE_NONE;
	a->kind = label == 1 ? VMSIM_ACCESS_STORE : label == 2 ? VMSIM_ACCESS_FETCH :
		  VMSIM_ACCESS_LOAD;
	a->addr = addr & ~3UL;
	a->size = 4;
	return LINE_ACCESS;
}

/* plain: "R|W|X|M ADDR [SIZE]" (hex ADDR with or without 0x, decimal SIZE, default 1). */
static int parse_plain(const char *line, struct vmsim_access *a)
{
	const char *s = skip_blanks(line);
	unsigned long addr, size = 1;

	switch (*s) {
	case 'R': case 'r': a->kind = VMSIM_ACCESS_LOAD; break;
	case 'W': case 'w': a->kind = VMSIM_ACCESS_STORE; break;
	case 'X': case 'x': a->kind = VMSIM_ACCESS_FETCH; break;
	case 'M': case 'm': a->kind = VMSIM_ACCESS_MODIFY; break;
	default: return LINE_BAD;
	}
	if (!blank(s[1]))
		return LINE_BAD;
	s = parse_hex(skip_blanks(s + 1), true, &addr);
	if (!s || (*s && !blank(*s)))
		return LINE_BAD;
	s = skip_blanks(s);
	if (*s && *s != '#') {
		s = parse_dec(s, &size);
		if (!s || (*s && !blank(*s)))
			return LINE_BAD;
		s = skip_blanks(s);
		if (*s && *s != '#')
			return LINE_BAD;
	}
	if (size == 0 || size > VMSIM_ACCESS_MAX_SIZE)
		return LINE_BAD;
	a->addr = addr;
	a->size = (uint32_t)size;
	return LINE_ACCESS;
}

static int parse_line(enum vmsim_trace_format f, const char *line, struct vmsim_access *a)
{
	switch (f) {
	case VMSIM_TRACE_LACKEY: return parse_lackey(line, a);
	case VMSIM_TRACE_DIN: return parse_din(line, a);
	default: return parse_plain(line, a);
	}
}

static const char *const format_expect[] = {
	[VMSIM_TRACE_LACKEY] = "'I  ADDR,SIZE' or ' L|S|M ADDR,SIZE', hex ADDR, SIZE 1..4096",
	[VMSIM_TRACE_DIN] = "'LABEL ADDRESS', LABEL 0..4, hex ADDRESS",
	[VMSIM_TRACE_PLAIN] = "'R|W|X|M ADDR [SIZE]', hex ADDR, SIZE 1..4096",
};

/* A line for a message: at most 40 characters, control characters as '?'. */
static void quote_line(const char *line, char *out, size_t n)
{
	size_t i;

	for (i = 0; line[i] && i + 1 < n && i < 40; i++)
		out[i] = (unsigned char)line[i] < 0x20 || line[i] == 0x7f ? '?' : line[i];
	out[i] = 0;
}

/*
 * The next access of the trace: 1 with @a filled (its value: the address,
 * so a store leaves memory holding where it is), 0 at the end, -1 on a bad
 * line.  With format auto, the first line that is not skipped decides
 * (the formats' lines cannot be mistaken for one another).
 */
static int next_access(struct trace_reader *r, struct vmsim_access *a)
{
	char *line, q[48];
	int ret;

	for (;;) {
		ret = next_line(r, &line);
		if (ret <= 0)
			return ret;
		if (skipped(line))
			continue;
		if (r->format == VMSIM_TRACE_AUTO) {
			for (int f = VMSIM_TRACE_LACKEY; f < VMSIM_TRACE_NR_FORMATS; f++)
				if (parse_line((enum vmsim_trace_format)f, line, a) != LINE_BAD) {
					r->format = (enum vmsim_trace_format)f;
					break;
				}
			if (r->format == VMSIM_TRACE_AUTO) {
				quote_line(line, q, sizeof(q));
				trace_error(r, "cannot tell the trace format from '%s' (lackey, din "
					    "or plain; --format or the trace command's FORMAT names it)",
					    q);
				return -1;
			}
		}
		ret = parse_line(r->format, line, a);
		if (ret == LINE_NONE)
			continue;
		if (ret == LINE_BAD) {
			quote_line(line, q, sizeof(q));
			trace_error(r, "bad %s line '%s' (expected %s)",
				    vmsim_trace_format_name(r->format), q, format_expect[r->format]);
			return -1;
		}
		a->value = a->addr;
		return 1;
	}
}

/* --- map auto: the touched pages ------------------------------------------------ */

/* Open-addressed set of page numbers (stored + 1: 0 is empty), with a fetched bit. */
struct page_set {
	uint64_t *keys;
	uint8_t *exec;
	size_t cap, nr;
};

static int page_set_grow(struct page_set *ps)
{
	size_t ncap = ps->cap ? 2 * ps->cap : 4096;
	uint64_t *keys = calloc(ncap, sizeof(*keys));
	uint8_t *exec = calloc(ncap, 1);

	if (!keys || !exec) {
		free(keys);
		free(exec);
		return -1;
	}
	for (size_t i = 0; i < ps->cap; i++) {
		size_t j;

		if (!ps->keys[i])
			continue;
		j = (size_t)vmsim_mix64(ps->keys[i]) & (ncap - 1);
		while (keys[j])
			j = (j + 1) & (ncap - 1);
		keys[j] = ps->keys[i];
		exec[j] = ps->exec[i];
	}
	free(ps->keys);
	free(ps->exec);
	ps->keys = keys;
	ps->exec = exec;
	ps->cap = ncap;
	return 0;
}

static int page_set_add(struct page_set *ps, uint64_t page, bool exec)
{
	uint64_t key = page + 1;
	size_t j;

	if (2 * (ps->nr + 1) > ps->cap && page_set_grow(ps))
		return -1;
	j = (size_t)vmsim_mix64(key) & (ps->cap - 1);
	while (ps->keys[j] && ps->keys[j] != key)
		j = (j + 1) & (ps->cap - 1);
	if (!ps->keys[j]) {
		ps->keys[j] = key;
		ps->nr++;
	}
	ps->exec[j] |= exec;
	return 0;
}

static void page_set_free(struct page_set *ps)
{
	free(ps->keys);
	free(ps->exec);
	memset(ps, 0, sizeof(*ps));
}

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

/*
 * The first pass of map auto: every line checked, every touched page
 * (those of an access that crosses pages too) collected; then maximal
 * runs of pages with the same fetched bit, touched pages less than
 * TRACE_JOIN_GAP apart, become one mapping each (rwx where fetched, rw-
 * otherwise), leaving out what is already mapped.  -1 with the message;
 * -2 when the process is gone (-ESRCH).
 */
static int map_touched(vmsim_machine_t *m, int pid, struct trace_reader *r,
		    struct trace_summary *sum)
{
	unsigned long limit = vmsim_task_size(m);
	struct page_set ps = { 0 };
	struct vmsim_access a;
	struct range *vmas = NULL, *done = NULL;
	size_t nr_vmas = 0, nr_done = 0, cap_done = 0, n = 0;
	uint64_t *pages = NULL;
	int ret;

	while ((ret = next_access(r, &a)) > 0) {
		unsigned long last = a.addr + a.size - 1;

		if (last < a.addr || last >= limit) {
			trace_error(r, "address 0x%lx%s is outside the machine's user space "
				    "(0 .. 0x%lx)%s", a.addr, last < a.addr ? " (wraps)" : "",
				    limit - 1, limit < (1UL << 32) ?
				    ": a 64-bit trace needs --paging x86_64" : "");
			goto fail;
		}
		for (unsigned long pg = a.addr >> TPAGE_SHIFT; pg <= last >> TPAGE_SHIFT; pg++)
			if (page_set_add(&ps, pg, a.kind == VMSIM_ACCESS_FETCH)) {
				trace_error(r, "out of memory (%zu pages touched)", ps.nr);
				goto fail;
			}
	}
	if (ret < 0)
		goto fail;
	sum->format = r->format;
	r->lineno = 0;			/* messages below are about the whole trace */
	pages = malloc((ps.nr ? ps.nr : 1) * sizeof(*pages));
	if (!pages) {
		trace_error(r, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < ps.cap; i++)
		if (ps.keys[i])
			pages[n++] = (ps.keys[i] - 1) << 1 | ps.exec[i];
	page_set_free(&ps);
	qsort(pages, n, sizeof(*pages), cmp_u64);
	ret = read_vmas(m, pid, &vmas, &nr_vmas);
	if (ret) {
		if (ret == -ESRCH)
			goto gone;
		trace_error(r, "cannot read the process's maps: %s", strerror(-ret));
		goto fail;
	}
	for (size_t i = 0; i < n; ) {
		uint64_t first = pages[i] >> 1, last = first;
		bool exec = pages[i] & 1;
		size_t j = i + 1;

		while (j < n && (pages[j] & 1) == exec &&
		       ((pages[j] >> 1) - last - 1) << TPAGE_SHIFT < TRACE_JOIN_GAP)
			last = pages[j++] >> 1;
		ret = map_region(m, pid, (unsigned long)first << TPAGE_SHIFT,
				 (unsigned long)(last + 1) << TPAGE_SHIFT,
				 VMSIM_PROT_READ | VMSIM_PROT_WRITE | (exec ? VMSIM_PROT_EXEC : 0),
				 vmas, nr_vmas, &done, &nr_done, &cap_done, sum, r);
		if (ret == -2)
			goto gone;
		if (ret) {
			unmap_all(m, pid, done, nr_done);
			goto fail;
		}
		i = j;
	}
	free(pages);
	free(vmas);
	free(done);
	return 0;
gone:
	free(pages);
	free(vmas);
	free(done);
	page_set_free(&ps);
	return -2;
fail:
	free(pages);
	free(vmas);
	free(done);
	page_set_free(&ps);
	return -1;
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

/* The replay pass: batches of TRACE_BATCH accesses, each one task entry. */
static int replay(vmsim_machine_t *m, int pid, struct trace_reader *r,
		  struct trace_summary *sum)
{
	struct vmsim_access *v = malloc(TRACE_BATCH * sizeof(*v));
	unsigned long *lines = malloc(TRACE_BATCH * sizeof(*lines));
	int ret = 0;

	if (!v || !lines) {
		trace_error(r, "out of memory");
		ret = -1;
		goto out;
	}
	for (;;) {
		struct vmsim_access_result res;
		size_t n = 0;
		long done;

		while (n < TRACE_BATCH && (ret = next_access(r, &v[n])) > 0)
			lines[n++] = r->lineno;
		if (ret < 0 && n == 0)
			break;
		if (n == 0)
			break;
		done = vmsim_access_run(m, pid, v, n, NULL, &res);
		for (size_t i = 0; i < res.done; i++)
			sum->by_kind[v[i].kind]++;
		sum->accesses += res.done;
		if (done == VMSIM_KILLED) {
			sum->status = VMSIM_KILLED;
			sum->kill_line = lines[res.done < n ? res.done : n - 1];
			sum->signo = res.signo;
			sum->code = res.code;
			sum->fault_addr = res.fault_addr;
			ret = 0;
			break;
		}
		if (done < 0) {
			sum->status = done;	/* -ESRCH: the process is gone */
			ret = 0;
			break;
		}
		if (ret < 0)
			break;		/* the bad line after the batch that ran */
		ret = 0;
	}
	sum->format = r->format;
out:
	free(v);
	free(lines);
	return ret;
}

int trace_run(vmsim_machine_t *m, int pid, const char *path, enum vmsim_trace_format format,
	      bool map_auto, struct trace_summary *sum, char *err, size_t errlen)
{
	struct trace_reader r;
	struct stats_snap before, after;
	double t0;
	int ret;

	memset(sum, 0, sizeof(*sum));
	sum->format = format;
	if (map_auto && !strcmp(path, "-")) {
		snprintf(err, errlen, "<stdin>: a trace on standard input needs map none "
			 "(map auto reads the trace twice)");
		return -1;
	}
	if (reader_open(&r, path, err, errlen))
		return -1;
	r.format = format;
	if (map_auto) {
		ret = map_touched(m, pid, &r, sum);
		if (ret == -2) {
			sum->status = -ESRCH;
			reader_close(&r);
			return 0;
		}
		if (ret || reader_rewind(&r)) {
			reader_close(&r);
			return -1;
		}
	}
	snap(m, &before);
	t0 = now_seconds();
	ret = replay(m, pid, &r, sum);
	sum->seconds = now_seconds() - t0;
	snap(m, &after);
	reader_close(&r);
	sum->minor_faults = after.f.minor - before.f.minor;
	sum->major_faults = after.f.major - before.f.major;
	sum->tlb_hits = after.t.hits - before.t.hits;
	sum->tlb_misses = after.t.misses - before.t.misses;
	sum->pswpin = after.pswpin - before.pswpin;
	sum->pswpout = after.pswpout - before.pswpout;
	return ret;
}

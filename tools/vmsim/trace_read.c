/*
 * The trace reader (trace_read.h): lines from a plain or gzip'd file
 * through a block buffer, the parsers of each format, the format told from
 * the first access line (a binary trace, told by its magic, is decoded by
 * trace_bin.c from the same buffer).  Shared by the replay (trace.c) and the
 * miss-ratio curves (mrc.c); no machine and no session here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif
#include "trace_read.h"
#include "trace_bin.h"
#include "tool.h"

#define TRACE_BUF	(1UL << 20)	/* bytes read at a time */
#define TRACE_LINE_MAX	4096		/* longest line */
#define TRACE_IBUF	(256UL << 10)	/* compressed bytes read at a time */

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

bool trace_have_zlib(void)
{
#ifdef HAVE_ZLIB
	return true;
#else
	return false;
#endif
}

bool trace_have_zstd(void)
{
#ifdef HAVE_ZSTD
	return true;
#else
	return false;
#endif
}

/* Fill the input buffer from the file: bytes read, 0 at its end, -1 (message). */
static long fill_input(struct trace_reader *r)
{
	ssize_t n;

	do
		n = read(r->fd, r->ibuf, TRACE_IBUF);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		trace_error(r, "read error: %s", strerror(errno));
		return -1;
	}
	r->ilen = (size_t)n;
	r->ipos = 0;
	r->bytes_in += (uint64_t)n;
	if (!n)
		r->ieof = true;
	return n;
}

/*
 * Tell the compression from the first bytes (never the name): gzip's
 * 1f 8b, zstd's 28 b5 2f fd.  The bytes stay in the input buffer, so a
 * pipe is read once and never seeked.
 */
static int open_codec(struct trace_reader *r)
{
	const unsigned char *b = r->ibuf;

	while (r->ilen < 4 && !r->ieof) {	/* a pipe may give fewer bytes */
		ssize_t n;

		do
			n = read(r->fd, r->ibuf + r->ilen, TRACE_IBUF - r->ilen);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			trace_error(r, "read error: %s", strerror(errno));
			return -1;
		}
		if (!n)
			r->ieof = true;
		r->ilen += (size_t)n;
		r->bytes_in += (uint64_t)n;
	}
	if (r->ilen >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
#ifdef HAVE_ZLIB
		r->zs = calloc(1, sizeof(z_stream));
		if (!r->zs || inflateInit2((z_stream *)r->zs, 16 + MAX_WBITS) != Z_OK) {
			trace_error(r, "cannot read the gzip'd trace: out of memory");
			return -1;
		}
		r->codec = TRACE_CODEC_GZIP;
		return 0;
#else
		trace_error(r, "a gzip'd trace, and this vmsim was built without zlib "
			    "(gunzip it, or rebuild with zlib1g-dev installed)");
		return -1;
#endif
	}
	if (r->ilen >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) {
#ifdef HAVE_ZSTD
		r->zd = ZSTD_createDStream();
		if (!r->zd || ZSTD_isError(ZSTD_initDStream(r->zd))) {
			trace_error(r, "cannot read the zstd trace: out of memory");
			return -1;
		}
		r->codec = TRACE_CODEC_ZSTD;
		return 0;
#else
		trace_error(r, "a zstd trace, and this vmsim was built without libzstd "
			    "(unzstd it, or rebuild with libzstd-dev installed)");
		return -1;
#endif
	}
	r->codec = TRACE_CODEC_NONE;
	return 0;
}

/* --- progress ---------------------------------------------------------------- */

int trace_progress_mode = TRACE_PROGRESS_AUTO;

int trace_progress_parse(const char *s)
{
	static const char *const names[] = { "auto", "always", "never" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			trace_progress_mode = i;
			return 0;
		}
	return -1;
}

static double progress_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * One line on standard error: refreshed in place (every 0.25 s) on a
 * terminal, a plain line every 2 s otherwise; the last one when @done.
 * The percent is of the file's bytes read (compressed ones for a gzip'd
 * or zstd file), known for a regular file only.
 */
void trace_progress(struct trace_reader *r, uint64_t accesses, bool done)
{
	double now, secs, rate, pct = -1;
	char tail[64];

	if (!r->progress)
		return;
	now = progress_clock();
	if (!done && now - r->progress_last < (r->progress_tty ? 0.25 : 2.0))
		return;
	r->progress_last = now;
	secs = now - r->progress_t0;
	rate = secs > 0 ? (double)accesses / secs / 1e6 : 0;
	if (r->size)
		pct = (double)(r->bytes_in < r->size ? r->bytes_in : r->size) * 100 / (double)r->size;
	if (done)
		snprintf(tail, sizeof(tail), "done in %.1f s", secs);
	else if (pct > 0)
		snprintf(tail, sizeof(tail), "ETA %.0f s", secs * (100 - pct) / pct);
	else
		snprintf(tail, sizeof(tail), "ETA ?");
	fprintf(stderr, "%s%s: %llu accesses, ", r->progress_tty ? "\r" : "", r->name,
		(unsigned long long)accesses);
	if (pct >= 0)
		fprintf(stderr, "%.1f%% of input", pct);
	else
		fprintf(stderr, "%.1f MB read", (double)r->bytes_in / 1e6);
	fprintf(stderr, ", %.2f M accesses/s, %s%s", rate, tail,
		r->progress_tty ? "\033[K" : "\n");
	if (done && r->progress_tty)
		fputc('\n', stderr);
}

/*
 * After the codec: the first bytes of the trace itself into r->buf, so a
 * binary trace is told by its magic (a text one reads on from them).
 */
static int open_content(struct trace_reader *r)
{
	r->binary = r->bin_end = false;
	r->bin_records = 0;
	memset(r->bin_prev, 0, sizeof(r->bin_prev));
	memset(r->bin_prev_size, 0, sizeof(r->bin_prev_size));
	if (trace_fill(r, VMT_HEADER_LEN))
		return -1;
	return trace_bin_detect(r) < 0 ? -1 : 0;
}

/* "-" and /dev/stdin are standard input, read as it comes (a pipe too). */
int trace_open(struct trace_reader *r, const char *path, int format, bool allow_pages,
	       char *err, size_t errlen)
{
	bool is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0) {
		memset(r, 0, sizeof(*r));
		r->fd = -1;
		r->err = err;
		r->errlen = errlen;
		r->name = path;
		trace_error(r, "cannot open the trace: %s", strerror(errno));
		return -1;
	}
	ret = trace_open_fd(r, fd, is_stdin ? "<stdin>" : path, format, allow_pages, err, errlen);
	r->is_stdin = is_stdin;		/* the descriptor is ours to close, unless stdin */
	if (ret && !is_stdin)
		close(fd);
	return ret;
}

int trace_open_fd(struct trace_reader *r, int fd, const char *name, int format,
		  bool allow_pages, char *err, size_t errlen)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->err = err;
	r->errlen = errlen;
	r->format = format;
	r->allow_pages = allow_pages;
	r->is_stdin = true;		/* not ours to close */
	r->name = name;
	r->fd = fd;
	if (!fstat(r->fd, &st) && S_ISREG(st.st_mode))
		r->size = (uint64_t)st.st_size;
	r->buf = malloc(TRACE_BUF + 1);
	r->ibuf = malloc(TRACE_IBUF);
	if (!r->buf || !r->ibuf) {
		trace_error(r, "out of memory");
		trace_close(r);
		return -1;
	}
	if (open_codec(r) || open_content(r)) {
		trace_close(r);
		return -1;
	}
	r->progress_tty = isatty(STDERR_FILENO);
	r->progress = trace_progress_mode == TRACE_PROGRESS_ALWAYS ||
		      (trace_progress_mode == TRACE_PROGRESS_AUTO && r->progress_tty);
	r->progress_t0 = r->progress_last = progress_clock();
	return 0;
}

static void close_codec(struct trace_reader *r)
{
#ifdef HAVE_ZLIB
	if (r->zs) {
		inflateEnd((z_stream *)r->zs);
		free(r->zs);
	}
#endif
#ifdef HAVE_ZSTD
	ZSTD_freeDStream(r->zd);
#endif
	r->zs = NULL;
	r->zd = NULL;
}

void trace_close(struct trace_reader *r)
{
	close_codec(r);
	if (r->fd >= 0 && !r->is_stdin)
		close(r->fd);
	free(r->buf);
	free(r->ibuf);
	r->fd = -1;
	r->buf = NULL;
	r->ibuf = NULL;
}

int trace_rewind(struct trace_reader *r)
{
	if (lseek(r->fd, 0, SEEK_SET) != 0) {
		trace_error(r, "cannot read the trace again: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	close_codec(r);
	r->lineno = 0;
	r->len = r->pos = r->ilen = r->ipos = 0;
	r->eof = r->ieof = r->zend = false;
	r->bytes_in = 0;
	if (open_codec(r))
		return -1;
	return open_content(r);
}

#ifdef HAVE_ZLIB
/*
 * Inflate into @dst.  A gzip file may be several members end to end (cat
 * a.gz b.gz); inflate may hold output back while it has no input, so it
 * is called again before reading more.
 */
static long read_gzip(struct trace_reader *r, char *dst, size_t n)
{
	z_stream *zs = r->zs;

	for (;;) {
		int ret;

		if (r->zend) {		/* a member ended: another follows, or the end */
			if (r->ipos == r->ilen && !r->ieof && fill_input(r) < 0)
				return -1;
			if (r->ipos == r->ilen)
				return 0;
			inflateReset(zs);
			r->zend = false;
		}
		zs->next_in = r->ibuf + r->ipos;
		zs->avail_in = (uInt)(r->ilen - r->ipos);
		zs->next_out = (unsigned char *)dst;
		zs->avail_out = (uInt)n;
		ret = inflate(zs, Z_NO_FLUSH);
		r->ipos = r->ilen - zs->avail_in;
		if (ret == Z_STREAM_END)
			r->zend = true;
		else if (ret != Z_OK && ret != Z_BUF_ERROR) {
			trace_error(r, "bad gzip data: %s", zs->msg ? zs->msg : "corrupt");
			return -1;
		}
		if (zs->avail_out < n)
			return (long)(n - zs->avail_out);
		if (!r->zend && r->ipos == r->ilen) {
			if (r->ieof) {
				trace_error(r, "truncated gzip data");
				return -1;
			}
			if (fill_input(r) < 0)
				return -1;
		}
	}
}
#endif

#ifdef HAVE_ZSTD
/* As read_gzip, for zstd frames (several frames end to end too). */
static long read_zstd(struct trace_reader *r, char *dst, size_t n)
{
	for (;;) {
		ZSTD_outBuffer out = { dst, n, 0 };
		ZSTD_inBuffer in = { r->ibuf, r->ilen, r->ipos };
		size_t ret = ZSTD_decompressStream(r->zd, &out, &in);

		if (ZSTD_isError(ret)) {
			trace_error(r, "bad zstd data: %s", ZSTD_getErrorName(ret));
			return -1;
		}
		if (ret == 0)
			r->zend = true;		/* a frame is complete */
		else if (in.pos > r->ipos)
			r->zend = false;	/* the next one has begun */
		r->ipos = in.pos;
		if (out.pos)
			return (long)out.pos;
		if (r->ipos == r->ilen) {
			if (r->ieof && r->zend)
				return 0;
			if (r->ieof) {
				trace_error(r, "truncated zstd data");
				return -1;
			}
			if (fill_input(r) < 0)
				return -1;
		}
	}
}
#endif

/* Up to @n bytes of the (decompressed) trace: how many (0 at the end), or -1 (message). */
static long read_block(struct trace_reader *r, char *dst, size_t n)
{
#ifdef HAVE_ZLIB
	if (r->codec == TRACE_CODEC_GZIP)
		return read_gzip(r, dst, n);
#endif
#ifdef HAVE_ZSTD
	if (r->codec == TRACE_CODEC_ZSTD)
		return read_zstd(r, dst, n);
#endif
	if (r->ipos < r->ilen) {	/* the bytes read to tell the compression */
		size_t k = r->ilen - r->ipos < n ? r->ilen - r->ipos : n;

		memcpy(dst, r->ibuf + r->ipos, k);
		r->ipos += k;
		return (long)k;
	}
	ssize_t got;

	do
		got = read(r->fd, dst, n);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		trace_error(r, "read error: %s", strerror(errno));
		return -1;
	}
	r->bytes_in += (uint64_t)got;
	return (long)got;
}

int trace_fill(struct trace_reader *r, size_t want)
{
	if (want > TRACE_BUF)
		want = TRACE_BUF;
	while (r->len - r->pos < want && !r->eof) {
		long n;

		if (r->pos) {
			memmove(r->buf, r->buf + r->pos, r->len - r->pos);
			r->len -= r->pos;
			r->pos = 0;
		}
		n = read_block(r, r->buf + r->len, TRACE_BUF - r->len);
		if (n < 0)
			return -1;
		if (n == 0)
			r->eof = true;
		r->len += (size_t)n;
	}
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
		long n = read_block(r, r->buf + r->len, TRACE_BUF - r->len);
		if (n < 0)
			return -1;
		if (n == 0)
			r->eof = true;
		r->len += (size_t)n;
	}
	if (!nl && r->pos == r->len)
		return 0;
	r->lineno++;
	if (!nl) {
		nl = r->buf + r->len;	/* the last line has no newline */
		r->unterminated = true;
	}
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
		*--nl = 0;
	*line = start;
	r->text = start;		/* for a converter (trace_next_item) */
	r->text_len = (size_t)(nl - start);
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

/* pages: one decimal page number, below 2^63. */
static int parse_page(const char *line, uint64_t *page)
{
	const char *s = skip_blanks(line);
	uint64_t v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v >= (1ULL << 63) / 10)
			return LINE_BAD;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == s || *skip_blanks(p))
		return LINE_BAD;
	*page = v;
	return LINE_ACCESS;
}

/* A line of format @f: an access in @a, or for TRACE_PAGES a page in @page. */
static int parse_line(int f, const char *line, struct vmsim_access *a, uint64_t *page)
{
	switch (f) {
	case TRACE_PAGES: return parse_page(line, page);
	case VMSIM_TRACE_LACKEY: return parse_lackey(line, a);
	case VMSIM_TRACE_DIN: return parse_din(line, a);
	default: return parse_plain(line, a);
	}
}

static const char *const format_expect[] = {
	[VMSIM_TRACE_LACKEY] = "'I  ADDR,SIZE' or ' L|S|M ADDR,SIZE', hex ADDR, SIZE 1..4096",
	[VMSIM_TRACE_DIN] = "'LABEL ADDRESS', LABEL 0..4, hex ADDRESS",
	[VMSIM_TRACE_PLAIN] = "'R|W|X|M ADDR [SIZE]', hex ADDR, SIZE 1..4096",
	[TRACE_PAGES] = "one decimal page number",
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
 * The next record of the trace (trace_next_item): with format auto, the
 * first line that is not skipped decides (the formats' lines cannot be
 * mistaken for one another).
 */
int trace_next_item(struct trace_reader *r, struct vmsim_access *a, uint64_t *page)
{
	int last = r->allow_pages ? TRACE_PAGES : VMSIM_TRACE_PLAIN;
	char *line, q[48];
	int ret;

	if (r->binary)
		return trace_bin_next(r, a, page);
	for (;;) {
		ret = next_line(r, &line);
		if (ret <= 0)
			return ret;
		if (skipped(line)) {
			if (!r->keep_text)
				continue;
			return 2;
		}
		if (r->format == VMSIM_TRACE_AUTO) {
			for (int f = VMSIM_TRACE_LACKEY; f <= last; f++)
				if (parse_line(f, line, a, page) != LINE_BAD) {
					r->format = f;
					break;
				}
			if (r->format == VMSIM_TRACE_AUTO) {
				quote_line(line, q, sizeof(q));
				trace_error(r, "cannot tell the trace format from '%s' (lackey, din, "
					    "plain%s; --format names it)", q,
					    r->allow_pages ? " or pages" : " or the trace command's "
					    "FORMAT");
				return -1;
			}
		}
		ret = parse_line(r->format, line, a, page);
		if (ret == LINE_NONE) {
			if (!r->keep_text)
				continue;
			return 2;
		}
		if (ret == LINE_BAD) {
			quote_line(line, q, sizeof(q));
			trace_error(r, "bad %s line '%s' (expected %s)",
				    trace_format_name(r->format), q, format_expect[r->format]);
			return -1;
		}
		return 1;
	}
}

int trace_next_access(struct trace_reader *r, struct vmsim_access *a)
{
	uint64_t page;
	int ret = r->binary ? trace_bin_next(r, a, &page) : trace_next_item(r, a, &page);

	if (ret > 0 && r->format == TRACE_PAGES) {
		trace_error(r, "a page-reference trace cannot be replayed (no addresses)");
		return -1;
	}
	if (ret > 0)
		a->value = a->addr;
	return ret;
}

int trace_next_batch(struct trace_reader *r, struct vmsim_access *v, unsigned long *lines,
		     size_t n, size_t *got)
{
	size_t k = 0;
	int ret = 1;

	while (k < n) {
		if (r->binary)
			k += trace_bin_batch(r, v + k, lines + k, n - k);
		if (k == n || (ret = trace_next_access(r, &v[k])) <= 0)
			break;
		lines[k++] = r->lineno;
	}
	*got = k;
	return ret;
}

int trace_next_pages(struct trace_reader *r, uint64_t *first, uint64_t *last)
{
	struct vmsim_access a;
	uint64_t page;
	int ret = trace_next_item(r, &a, &page);

	if (ret <= 0)
		return ret;
	if (r->format == TRACE_PAGES) {
		*first = *last = page;
		return 1;
	}
	/* an access at the top of the address space ends there (no wrap) */
	*first = a.addr >> TRACE_PAGE_SHIFT;
	*last = (a.addr + a.size - 1 < a.addr ? ~0UL : a.addr + a.size - 1) >> TRACE_PAGE_SHIFT;
	return 1;
}

const char *trace_format_name(int format)
{
	return format == TRACE_PAGES ? "pages" :
	       vmsim_trace_format_name((enum vmsim_trace_format)format);
}

int trace_format_parse(const char *s, bool allow_pages)
{
	if (allow_pages && !strcmp(s, "pages"))
		return TRACE_PAGES;
	return vmsim_trace_format_parse(s);
}

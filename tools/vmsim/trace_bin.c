/*
 * vmsim's binary trace format (trace_bin.h, docs/trace-format.md): the
 * writer, the decoder trace_read.c calls once it has seen the magic, and
 * `vmsim trace-convert` (text to binary, binary to text).
 *
 * An access is one byte when it follows the last access of its stream
 * (fetches walk the code, data accesses sweep buffers), else a zigzag
 * varint of the distance from it: lackey's 15-25 bytes a line become 1-4.
 * Every line of the text becomes one record, so a binary trace's record
 * numbers are the text's line numbers (errors and kill lines match) and
 * converting back gives the text byte for byte when it was written as
 * valgrind (or the converter) writes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "trace_bin.h"
#include "tool.h"

#define VMT_WBUF	(256UL << 10)	/* bytes written at a time */
#define VMT_TEXT_MAX	4096		/* a kept line, as the text reader's longest */

/* --- writing ------------------------------------------------------------------- */

static size_t put_varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

static uint64_t zigzag(uint64_t d)
{
	return d << 1 ^ (uint64_t)((int64_t)d >> 63);
}

static int write_all(struct vmt_writer *w, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t k = write(w->fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			snprintf(w->err, w->errlen, "%s: cannot write the binary trace: %s", w->name,
				 strerror(k < 0 ? errno : EIO));
			return -1;
		}
		p += k;
		n -= (size_t)k;
		w->bytes += (uint64_t)k;
	}
	return 0;
}

/* The header in the 16 bytes kept at the start of the buffer. */
static void put_header(struct vmt_writer *w)
{
	unsigned char *h = w->buf;

	memcpy(h, VMT_MAGIC, VMT_MAGIC_LEN);
	h[8] = VMT_VERSION & 0xff;
	h[9] = VMT_VERSION >> 8;
	h[10] = VMT_HEADER_LEN;
	h[11] = 0;
	h[12] = TRACE_PAGE_SHIFT;
	h[13] = (unsigned char)w->format;
	h[14] = VMT_FLAG_TEXT & 0xff;
	h[15] = VMT_FLAG_TEXT >> 8;
	w->header_done = true;
}

/*
 * Room for @n more bytes: the buffer is written out when full, except
 * before the header is known (lines before the first access: it grows).
 */
static int reserve(struct vmt_writer *w, size_t n)
{
	if (w->len + n <= w->cap)
		return 0;
	if (w->header_done) {
		if (write_all(w, w->buf, w->len))
			return -1;
		w->len = 0;
		if (n <= w->cap)
			return 0;
	}
	size_t ncap = w->cap * 2 > w->len + n ? w->cap * 2 : w->len + n;
	unsigned char *nb = realloc(w->buf, ncap);

	if (!nb) {
		snprintf(w->err, w->errlen, "%s: out of memory", w->name);
		return -1;
	}
	w->buf = nb;
	w->cap = ncap;
	return 0;
}

int vmt_writer_init(struct vmt_writer *w, int fd, const char *name, int format, char *err,
		    size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->name = name;
	w->format = format;
	w->err = err;
	w->errlen = errlen;
	w->cap = VMT_WBUF;
	w->buf = malloc(w->cap);
	if (!w->buf) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	w->len = VMT_HEADER_LEN;	/* filled in once the format is known */
	return 0;
}

int vmt_write_access(struct vmt_writer *w, const struct vmsim_access *a)
{
	int s = a->kind == VMSIM_ACCESS_FETCH ? 0 : 1;
	uint64_t addr = a->addr;
	unsigned int code = a->size <= 15 ? a->size : 0, form;
	unsigned char *p, *q;

	if (!w->header_done)
		put_header(w);
	if (w->len + VMT_RECORD_MAX > w->cap && reserve(w, VMT_RECORD_MAX))
		return -1;
	p = w->buf + w->len;
	q = p + 1;
	if (addr == w->prev[s] + w->prev_size[s]) {
		form = VMT_FORM_NEXT;
	} else if (addr == w->prev[s]) {
		form = VMT_FORM_SAME;
	} else {
		form = VMT_FORM_DELTA;
		q += put_varint(q, zigzag(addr - w->prev[s]));
	}
	if (!code)
		q += put_varint(q, a->size);
	*p = (unsigned char)(form << 6 | code << 2 | (a->kind & 3));
	w->len = (size_t)(q - w->buf);
	w->prev[s] = addr;
	w->prev_size[s] = a->size;
	w->records++;
	w->lines++;
	return 0;
}

int vmt_write_text(struct vmt_writer *w, unsigned int type, const char *line, size_t len)
{
	if (len > VMT_TEXT_MAX || memchr(line, '\n', len)) {
		snprintf(w->err, w->errlen, "%s: a kept line longer than %d bytes or with a newline",
			 w->name, VMT_TEXT_MAX);
		return -1;
	}
	if (reserve(w, 11 + len))
		return -1;
	w->buf[w->len++] = (unsigned char)(VMT_FORM_SPECIAL << 6 | type);
	w->len += put_varint(w->buf + w->len, len);
	memcpy(w->buf + w->len, line, len);
	w->len += len;
	w->lines += type == VMT_SPECIAL_TEXT;
	return 0;
}

/* @v in decimal at @p: the digits written. */
static size_t put_dec(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do
		tmp[n++] = (char)('0' + v % 10);
	while (v /= 10);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

/* @v in lower-case hex, at least @min digits: the digits written. */
static size_t put_hex(char *p, uint64_t v, unsigned int min)
{
	static const char digits[] = "0123456789abcdef";
	unsigned int n = 1;

	while (n < 16 && v >> (4 * n))
		n++;
	if (n < min)
		n = min;
	for (unsigned int i = 0; i < n; i++)
		p[i] = digits[(v >> (4 * (n - 1 - i))) & 15];
	return n;
}

size_t vmt_render_line(char *buf, int format, const struct vmsim_access *a, uint64_t page)
{
	static const char lackey[] = "LSMI", plain[] = "RWMX";
	size_t n;

	switch (format) {
	case TRACE_PAGES:
		return put_dec(buf, page);
	case VMSIM_TRACE_DIN:
		buf[0] = a->kind == VMSIM_ACCESS_STORE ? '1' : a->kind == VMSIM_ACCESS_FETCH ? '2' :
			 '0';
		buf[1] = ' ';
		return 2 + put_hex(buf + 2, a->addr, 1);
	case VMSIM_TRACE_PLAIN:
		buf[0] = plain[a->kind & 3];
		buf[1] = ' ';
		n = 2 + put_hex(buf + 2, a->addr, 1);
		if (a->size != 1) {
			buf[n++] = ' ';
			n += put_dec(buf + n, a->size);
		}
		return n;
	default:		/* lackey's "I  %08lx,%lu" and " L %08lx,%lu" */
		buf[0] = a->kind == VMSIM_ACCESS_FETCH ? 'I' : ' ';
		buf[1] = a->kind == VMSIM_ACCESS_FETCH ? ' ' : lackey[a->kind & 3];
		buf[2] = ' ';
		n = 3 + put_hex(buf + 3, a->addr, 8);
		buf[n++] = ',';
		return n + put_dec(buf + n, a->size);
	}
}

void vmt_writer_free(struct vmt_writer *w)
{
	free(w->buf);
	w->buf = NULL;
}

int vmt_writer_finish(struct vmt_writer *w)
{
	int ret = -1;

	if (!w->header_done)
		put_header(w);
	if (!reserve(w, 31)) {
		w->buf[w->len++] = VMT_FORM_SPECIAL << 6 | VMT_SPECIAL_END;
		w->len += put_varint(w->buf + w->len, w->records);
		w->len += put_varint(w->buf + w->len, w->lines);
		w->len += put_varint(w->buf + w->len, w->unterminated ? VMT_END_UNTERMINATED : 0);
		ret = write_all(w, w->buf, w->len);
		w->len = 0;
	}
	vmt_writer_free(w);
	return ret;
}

/* --- reading ------------------------------------------------------------------- */

int trace_bin_detect(struct trace_reader *r)
{
	const unsigned char *h = (const unsigned char *)r->buf + r->pos;
	size_t n = r->len - r->pos;
	unsigned int version, hlen, shift, format, flags;

	if (n && n < VMT_MAGIC_LEN && r->eof && !memcmp(h, VMT_MAGIC, n)) {
		trace_error(r, "truncated binary trace: %zu bytes of its magic, then the end", n);
		return -1;
	}
	if (n < VMT_MAGIC_LEN || memcmp(h, VMT_MAGIC, VMT_MAGIC_LEN))
		return 0;
	if (n < VMT_HEADER_LEN) {
		trace_error(r, "truncated binary trace: its header is cut short (%zu of %d bytes)",
			    n, VMT_HEADER_LEN);
		return -1;
	}
	version = h[8] | (unsigned int)h[9] << 8;
	hlen = h[10] | (unsigned int)h[11] << 8;
	shift = h[12];
	format = h[13];
	flags = h[14] | (unsigned int)h[15] << 8;
	if (version != VMT_VERSION) {
		trace_error(r, "binary trace version %u, and this vmsim reads version %d%s", version,
			    VMT_VERSION, version > VMT_VERSION ? " (a newer vmsim wrote it: "
			    "convert it to text with that vmsim's trace-convert)" : "");
		return -1;
	}
	if (flags & VMT_FLAGS_MUST) {
		trace_error(r, "binary trace with flags 0x%04x: it needs features this vmsim "
			    "does not have", flags);
		return -1;
	}
	if (hlen < VMT_HEADER_LEN || format > TRACE_PAGES || shift < 9 || shift > 30) {
		trace_error(r, "corrupt binary trace header (length %u, format %u, page shift %u)",
			    hlen, format, shift);
		return -1;
	}
	if (format == TRACE_PAGES && shift != TRACE_PAGE_SHIFT) {
		trace_error(r, "a page-reference trace of %lu-byte pages: vmsim's pages are %lu "
			    "bytes", 1UL << shift, 1UL << TRACE_PAGE_SHIFT);
		return -1;
	}
	if (trace_fill(r, hlen))
		return -1;
	if (r->len - r->pos < hlen) {
		trace_error(r, "truncated binary trace: its header is cut short");
		return -1;
	}
	r->pos += hlen;
	r->binary = true;
	r->format = (int)format;
	return 1;
}

/*
 * A varint at @p (before @end): the byte after it, or NULL when cut short
 * (*@cut) or longer than 64 bits.
 */
static const unsigned char *get_varint(const unsigned char *p, const unsigned char *end,
				       uint64_t *v, bool *cut)
{
	uint64_t x = 0;

	for (unsigned int shift = 0; shift < 64; shift += 7) {
		if (p == end) {
			*cut = true;
			return NULL;
		}
		uint64_t c = *p++;

		if (shift == 63 && c > 1)
			return NULL;
		x |= (c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return p;
		}
	}
	return NULL;
}

/*
 * A special record at r->buf + r->pos: 0 (the end), 2 (a line with no
 * access), 3 (the next access's line), -1 (message).
 */
static int bin_special(struct trace_reader *r, unsigned int type)
{
	const unsigned char *p, *end;
	uint64_t a, b, flags;
	bool cut = false;

	/* a kept line and the access after it stay in the buffer together */
	if (type != VMT_SPECIAL_END && trace_fill(r, 11 + VMT_TEXT_MAX + VMT_RECORD_MAX))
		return -1;
	p = (const unsigned char *)r->buf + r->pos + 1;
	end = (const unsigned char *)r->buf + r->len;
	if (type == VMT_SPECIAL_END) {
		p = get_varint(p, end, &a, &cut);
		p = p ? get_varint(p, end, &b, &cut) : NULL;
		p = p ? get_varint(p, end, &flags, &cut) : NULL;
		if (!p)
			goto bad;
		r->unterminated = flags & VMT_END_UNTERMINATED;
		r->lineno--;		/* the end record is no line */
		if (a != r->bin_records || b != r->lineno) {
			trace_error(r, "corrupt binary trace: its end record counts %llu accesses "
				    "in %llu records, %llu and %lu were read", (unsigned long long)a,
				    (unsigned long long)b, (unsigned long long)r->bin_records,
				    r->lineno);
			return -1;
		}
		r->pos = (size_t)(p - (const unsigned char *)r->buf);
		r->bin_end = true;
		if (trace_fill(r, 1))
			return -1;
		if (r->pos < r->len) {
			trace_error(r, "corrupt binary trace: bytes after its end record");
			return -1;
		}
		return 0;
	}
	if (type != VMT_SPECIAL_TEXT && type != VMT_SPECIAL_LINE) {
		trace_error(r, "corrupt binary trace: unknown record type 0x%02x", 0xc0 | type);
		return -1;
	}
	p = get_varint(p, end, &a, &cut);
	if (!p || a > VMT_TEXT_MAX || (size_t)(end - p) < a) {
		cut |= p && (size_t)(end - p) < a && a <= VMT_TEXT_MAX;
		goto bad;
	}
	if (memchr(p, '\n', a) || memchr(p, 0, a)) {
		trace_error(r, "corrupt binary trace: a kept line holds a newline or NUL byte");
		return -1;
	}
	r->text = (const char *)p;
	r->text_len = (size_t)a;
	r->pos = (size_t)(p + a - (const unsigned char *)r->buf);
	return type == VMT_SPECIAL_TEXT ? 2 : 3;
bad:
	if (cut)
		trace_error(r, "truncated binary trace: its last record is cut short");
	else
		trace_error(r, "corrupt binary trace: a bad %s record", type ? "text" : "end");
	return -1;
}

/* An access record's fields past its first byte @b: 1, or -1 (message). */
static int bin_access(struct trace_reader *r, unsigned int b, struct vmsim_access *a,
		      uint64_t *page)
{
	const unsigned char *p = (const unsigned char *)r->buf + r->pos + 1;
	const unsigned char *end = (const unsigned char *)r->buf + r->len;
	unsigned int kind = b & 3, form = b >> 6, s = kind == VMSIM_ACCESS_FETCH ? 0 : 1;
	uint64_t addr = r->bin_prev[s], d, size = (b >> 2) & 15;
	bool cut = false;

	if (form == VMT_FORM_NEXT) {
		addr += r->bin_prev_size[s];
	} else if (form == VMT_FORM_DELTA) {
		if (p < end && *p < 0x80)
			d = *p++;
		else if (!(p = get_varint(p, end, &d, &cut)))
			goto bad;
		addr += d >> 1 ^ (uint64_t)-(int64_t)(d & 1);
	}
	if (!size && !(p = get_varint(p, end, &size, &cut)))
		goto bad;
	if (!size || size > VMSIM_ACCESS_MAX_SIZE) {
		trace_error(r, "corrupt binary trace: an access of %llu bytes (1..%d)",
			    (unsigned long long)size, VMSIM_ACCESS_MAX_SIZE);
		return -1;
	}
	r->pos = (size_t)(p - (const unsigned char *)r->buf);
	r->bin_prev[s] = addr;
	r->bin_prev_size[s] = (uint32_t)size;
	r->bin_records++;
	if (r->format == TRACE_PAGES) {
		if (addr >> 63) {
			trace_error(r, "corrupt binary trace: page %llu is past 2^63",
				    (unsigned long long)addr);
			return -1;
		}
		*page = addr;
		return 1;
	}
	a->addr = (unsigned long)addr;
	a->size = (uint32_t)size;
	a->kind = (uint8_t)kind;
	return 1;
bad:
	if (cut)
		trace_error(r, "truncated binary trace: its last record is cut short");
	else
		trace_error(r, "corrupt binary trace: an address delta over 64 bits");
	return -1;
}

size_t trace_bin_batch(struct trace_reader *r, struct vmsim_access *v, unsigned long *lines,
		       size_t n)
{
	const unsigned char *base = (const unsigned char *)r->buf, *p = base + r->pos, *lim;
	uint64_t prev[2] = { r->bin_prev[0], r->bin_prev[1] };
	uint32_t psize[2] = { r->bin_prev_size[0], r->bin_prev_size[1] };
	unsigned long line = r->lineno;
	size_t k;

	if (r->format == TRACE_PAGES || r->len < VMT_RECORD_MAX)
		return 0;
	lim = base + r->len - VMT_RECORD_MAX;	/* a whole record fits before it: no bound checks */
	for (k = 0; k < n && p <= lim; k++) {
		const unsigned char *q = p;
		unsigned int b = *q++, kind = b & 3, s = kind != VMSIM_ACCESS_FETCH;
		uint64_t addr = prev[s], size = (b >> 2) & 15, d, c;

		if (!size || b >= VMT_FORM_SPECIAL << 6)
			break;		/* the general path's */
		if (b < VMT_FORM_NEXT << 6) {
			d = *q++;
			if (d >= 0x80) {
				unsigned int shift = 7;

				d &= 0x7f;
				do {
					c = *q++;
					d |= (c & 0x7f) << shift;
					shift += 7;
				} while (c >= 0x80 && shift < 63);
				if (c >= 0x80)
					break;
			}
			addr += d >> 1 ^ (uint64_t)-(int64_t)(d & 1);
		} else if (b < VMT_FORM_SAME << 6) {
			addr += psize[s];
		}
		prev[s] = addr;
		psize[s] = (uint32_t)size;
		v[k].addr = (unsigned long)addr;
		v[k].value = addr;
		v[k].size = (uint32_t)size;
		v[k].kind = (uint8_t)kind;
		lines[k] = ++line;
		p = q;
	}
	r->pos = (size_t)(p - base);
	memcpy(r->bin_prev, prev, sizeof(prev));
	memcpy(r->bin_prev_size, psize, sizeof(psize));
	r->lineno = line;
	r->bin_records += k;
	r->text_kept = false;
	return k;
}

int trace_bin_next(struct trace_reader *r, struct vmsim_access *a, uint64_t *page)
{
	unsigned long line;
	bool kept = false;

	if (trace_bin_batch(r, a, &line, 1))
		return 1;

	for (;;) {
		unsigned int b;
		int ret;

		if (r->len - r->pos < VMT_RECORD_MAX && trace_fill(r, VMT_RECORD_MAX))
			return -1;
		if (r->pos == r->len) {
			if (r->bin_end && !kept)
				return 0;
			trace_error(r, "truncated binary trace: it ends without its end record "
				    "(after %llu accesses)", (unsigned long long)r->bin_records);
			return -1;
		}
		b = (unsigned char)r->buf[r->pos];
		r->lineno++;
		if (b >> 6 != VMT_FORM_SPECIAL) {
			r->text_kept = kept;
			return bin_access(r, b, a, page);
		}
		if (kept) {
			trace_error(r, "corrupt binary trace: an access's line with no access");
			return -1;
		}
		ret = bin_special(r, b & 0x3f);
		if (ret == 3) {
			r->lineno--;	/* the access's record is the line */
			kept = true;
			continue;
		}
		if (ret != 2 || r->keep_text)
			return ret;
	}
}

/* --- trace-convert ------------------------------------------------------------- */

const char trace_convert_usage[] =
"usage: vmsim trace-convert [OPTIONS] IN OUT\n"
"\n"
"Convert a text trace (lackey, din, plain or pages; gzip'd or zstd too) to\n"
"vmsim's binary trace format (docs/trace-format.md: 1-4 bytes an access where\n"
"lackey takes 15-25; replayed and read by mrc several times faster), or a\n"
"binary trace back to text in the format it came from.  The direction is told\n"
"from IN (a binary trace by its magic).  Every line becomes one record, so\n"
"errors and kill lines name the same line numbers, and a trace written as\n"
"valgrind writes it comes back byte for byte.  IN or OUT - is standard input\n"
"or output (a pipe too).\n"
"\n"
"  --format FORMAT      IN's text format: auto (the default: told from the\n"
"                       first access line), lackey, din, plain or pages\n"
"  --progress WHEN      auto, always or never (as for trace)\n"
"  -q, --quiet          no summary line on standard error\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 converted, 1 an unreadable or bad trace or OUT cannot be\n"
"written (message on standard error; OUT is removed), 2 a bad flag.\n";

/* Binary @r to text on @fd: 0, or -1 (message). */
static int bin_to_text(struct trace_reader *r, int fd, const char *out, uint64_t *bytes,
		       uint64_t *records)
{
	FILE *f = fdopen(dup(fd), "w");
	struct vmsim_access a;
	uint64_t page;
	int ret, bad;

	if (!f) {
		snprintf(r->err, r->errlen, "%s: %s", out, strerror(errno));
		return -1;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	while ((ret = trace_next_item(r, &a, &page)) > 0) {
		char line[VMT_LINE_MAX];
		size_t n;

		if (r->lineno > 1 && putc('\n', f) == EOF) {	/* the line before's */
			ret = -2;
			break;
		}
		if (ret == 2 || r->text_kept) {
			n = fwrite(r->text, 1, r->text_len, f);
		} else {
			n = vmt_render_line(line, r->format, &a, page);
			n = fwrite(line, 1, n, f);
		}
		if (ret == 1 && !(++*records & 0xfffff))
			trace_progress(r, *records, false);
		*bytes += (uint64_t)n + (r->lineno > 1);
	}
	if (!ret && r->lineno && !r->unterminated) {	/* the last line's, unless it had none */
		ret = putc('\n', f) == EOF ? -2 : 0;
		*bytes += 1;
	}
	trace_progress(r, *records, true);
	bad = ferror(f);
	bad |= fclose(f);
	if ((bad || ret == -2) && ret != -1) {
		snprintf(r->err, r->errlen, "%s: cannot write: %s", out, strerror(errno));
		return -1;
	}
	return ret < 0 ? -1 : 0;
}

int trace_bin_copy(struct trace_reader *r, struct vmt_writer *w)
{
	struct vmsim_access a;
	uint64_t page;
	int ret;

	while ((ret = trace_next_item(r, &a, &page)) > 0) {
		char line[VMT_LINE_MAX];

		if (ret == 2) {
			if (vmt_write_text(w, VMT_SPECIAL_TEXT, r->text, r->text_len))
				return -1;
			continue;
		}
		if (!w->header_done)
			w->format = r->format;
		/* a line not as it will be written back is kept with its access */
		if (r->binary ? r->text_kept :
		    r->text_len != vmt_render_line(line, r->format, &a, page) ||
		    memcmp(line, r->text, r->text_len))
			if (vmt_write_text(w, VMT_SPECIAL_LINE, r->text, r->text_len))
				return -1;
		if (r->format == TRACE_PAGES) {
			a.addr = (unsigned long)page;
			a.size = 1;
			a.kind = VMSIM_ACCESS_LOAD;
		}
		if (vmt_write_access(w, &a))
			return -1;
		if (!(w->records & 0xfffff))
			trace_progress(r, w->records, false);
	}
	trace_progress(r, w->records, true);
	w->unterminated = r->unterminated;
	if (!w->header_done)
		w->format = r->format;		/* no access: the format asked for */
	return ret < 0 ? -1 : 0;
}

int trace_bin_write(struct trace_reader *r, struct vmt_writer *w, int fd, const char *name)
{
	if (vmt_writer_init(w, fd, name, r->format, r->err, r->errlen))
		return -1;
	if (!trace_bin_copy(r, w))
		return vmt_writer_finish(w);
	vmt_writer_free(w);
	return -1;
}

static int convert_usage_error(FILE *errf, const char *fmt, const char *arg)
{
	fprintf(errf, "vmsim trace-convert: ");
	fprintf(errf, fmt, arg);
	fprintf(errf, "\n\n%s", trace_convert_usage);
	return EXIT_USAGE;
}

/* The conversion of @in to @out (both open): 0, or -1 with the message in @err. */
static int convert(const char *in, const char *out, int ofd, int format, bool quiet,
		   FILE *errf, char *err, size_t errlen)
{
	struct trace_reader r;
	struct vmt_writer w;
	uint64_t bytes = 0, records = 0;
	bool binary;
	int ret;

	if (trace_open(&r, in, format, true, err, errlen))
		return -1;
	r.keep_text = true;
	binary = r.binary;
	if (binary) {
		ret = bin_to_text(&r, ofd, out, &bytes, &records);
	} else {
		ret = trace_bin_write(&r, &w, ofd, out);
		bytes = w.bytes;
		records = w.records;
	}
	if (!ret && !quiet)
		fprintf(errf, "vmsim trace-convert: %s (%s%s) -> %s (%s): %llu %s, %llu bytes\n",
			r.name, trace_format_name(r.format), binary ? ", binary" : "", out,
			binary ? "text" : "binary", (unsigned long long)records,
			r.format == TRACE_PAGES ? "pages" : "accesses", (unsigned long long)bytes);
	trace_close(&r);
	return ret;
}

int trace_convert_main(int argc, char **argv, FILE *out, FILE *errf)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "progress", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, format = VMSIM_TRACE_AUTO, ofd, ret;
	bool quiet = false, regular;
	struct stat st;
	const char *in, *outp;
	char err[512];

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":hq", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(trace_convert_usage, out);
			return 0;
		case 'q':
			quiet = true;
			break;
		case 'f':
			format = trace_format_parse(optarg, true);
			if (format < 0)
				return convert_usage_error(errf, "--format %s: wants auto, lackey, "
							   "din, plain or pages", optarg);
			break;
		case 'p':
			if (trace_progress_parse(optarg))
				return convert_usage_error(errf, "--progress %s: wants auto, always "
							   "or never", optarg);
			break;
		default:
			return convert_usage_error(errf, "bad flag '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return convert_usage_error(errf, "wants IN and OUT%s", "");
	in = argv[optind];
	outp = argv[optind + 1];
	ofd = strcmp(outp, "-") ? open(outp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666) :
	      STDOUT_FILENO;
	if (ofd < 0) {
		fprintf(errf, "%s: cannot write: %s\n", outp, strerror(errno));
		return 1;
	}
	regular = !fstat(ofd, &st) && S_ISREG(st.st_mode);
	fflush(out);
	ret = convert(in, strcmp(outp, "-") ? outp : "<stdout>", ofd, format, quiet, errf,
		      err, sizeof(err));
	if (ofd != STDOUT_FILENO) {
		if (close(ofd) && !ret) {
			snprintf(err, sizeof(err), "%s: cannot write: %s", outp, strerror(errno));
			ret = -1;
		}
		if (ret && regular)
			unlink(outp);	/* no half-converted trace left behind */
	}
	if (ret)
		fprintf(errf, "%s\n", err);
	return ret ? 1 : 0;
}

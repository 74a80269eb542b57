/*
 * Reading trace files: the one reader behind `vmsim trace` (replay) and
 * `vmsim mrc` (miss-ratio curves).  Streams the file or pipe through a
 * block buffer (traces are gigabytes), reads gzip'd and zstd files through
 * zlib and libzstd when the tool was built with them, tells the format from the first access line and
 * reports bad lines as FILE:LINE.  The formats are in docs/script.md
 * (lackey, din, plain) and docs/mrc.md (pages); a binary trace (vmsim's
 * own, docs/trace-format.md, trace_bin.c) is told by its magic, after
 * any decompression, whatever the format asked for.
 */
#ifndef TOOLS_VMSIM_TRACE_READ_H
#define TOOLS_VMSIM_TRACE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmsim/process.h"
#include "vmsim/script.h"

/*
 * The page-reference format (one decimal page number per line, as
 * libCacheSim's txt traces), beside the address formats of enum
 * vmsim_trace_format.  Only `vmsim mrc` reads it (a page number says
 * nothing about the kind of access, so it is not replayed).
 */
#define TRACE_PAGES		((int)VMSIM_TRACE_NR_FORMATS)
#define TRACE_PAGE_SHIFT	12

enum { TRACE_CODEC_NONE, TRACE_CODEC_GZIP, TRACE_CODEC_ZSTD };

struct trace_reader {
	int fd;
	int codec;			/* TRACE_CODEC_*, told from the first bytes */
	void *zs;			/* z_stream (gzip) */
	void *zd;			/* ZSTD_DStream (zstd) */
	unsigned char *ibuf;		/* bytes of the file, compressed or not */
	size_t ilen, ipos;
	bool ieof, zend;		/* end of the file; of a gzip member or zstd frame */
	uint64_t bytes_in;		/* of the file read so far (for progress) */
	uint64_t size;			/* of the file when a regular file, else 0 */
	const char *name;		/* for messages */
	bool is_stdin;
	bool progress, progress_tty;	/* print progress; in place (a terminal) */
	double progress_t0, progress_last;
	char *buf;			/* TRACE_BUF + 1 bytes */
	size_t len, pos;		/* bytes in buf, start of the next line */
	bool eof;
	unsigned long lineno;		/* of the line last returned */
	bool unterminated;		/* the last line had no newline */
	int format;			/* enum vmsim_trace_format, or TRACE_PAGES */
	bool allow_pages;		/* auto may pick TRACE_PAGES */
	bool keep_text;			/* trace_next_item returns skipped lines too */
	const char *text;		/* the line trace_next_item returned (its text) */
	size_t text_len;
	bool text_kept;			/* binary: r->text is the access's own line */
	/* a binary trace (trace_bin.c): its decoder's state */
	bool binary;
	bool bin_end;			/* its end record was read */
	uint64_t bin_prev[2];		/* the last address of fetches, of data */
	uint32_t bin_prev_size[2];	/* and its size */
	uint64_t bin_records;		/* accesses (pages) read */
	char *err;
	size_t errlen;
};

/*
 * trace_open - open @path ("-": standard input) to read in @format
 * (VMSIM_TRACE_AUTO: told from the first line that is not skipped; with
 * @allow_pages, the page-reference format is one of the candidates).  A
 * gzip'd or zstd file (told by its first bytes) is decompressed as it is
 * read; a pipe is read once, in order, never seeked.  0, or -1 with the message in @err.
 */
int trace_open(struct trace_reader *r, const char *path, int format, bool allow_pages,
	       char *err, size_t errlen);
/* As trace_open, on an open descriptor (@name for messages; not closed by trace_close). */
int trace_open_fd(struct trace_reader *r, int fd, const char *name, int format,
		  bool allow_pages, char *err, size_t errlen);
void trace_close(struct trace_reader *r);
/* Back to the first line (a file, not standard input): 0 or -1 with the message. */
int trace_rewind(struct trace_reader *r);

/*
 * trace_next_access - the next access of an address trace: 1 with @a
 * filled (value: the address), 0 at the end, -1 on a bad line (message).
 */
int trace_next_access(struct trace_reader *r, struct vmsim_access *a);

/*
 * trace_next_batch - up to @n accesses into @v, each line number into
 * @lines (the replay's way: a binary trace decodes them in one loop):
 * *@got of them, and what the last read gave: 1 (@n read), 0 (the end),
 * -1 (a bad line, message; the accesses before it are in @v).
 */
int trace_next_batch(struct trace_reader *r, struct vmsim_access *v, unsigned long *lines,
		     size_t n, size_t *got);

/*
 * trace_next_pages - the next line as the pages it references: 1 with
 * [*first, *last] (one page of a page-reference line, the one or two pages
 * an access covers), 0 at the end, -1 on a bad line (message).
 */
int trace_next_pages(struct trace_reader *r, uint64_t *first, uint64_t *last);

/*
 * trace_next_item - as the two above for a converter: 1 with an access in
 * @a (address formats) or a page in @page (TRACE_PAGES), 2 with a line
 * that holds no access in r->text (a comment, valgrind's ==PID== lines, a
 * din cache flush; only when r->keep_text), 0 at the end, -1 (message).
 * For 1, a text trace's r->text is the access's line; a binary trace's,
 * when r->text_kept (the line was not as the converter writes it).
 */
int trace_next_item(struct trace_reader *r, struct vmsim_access *a, uint64_t *page);

/*
 * Refill r->buf keeping its unread bytes (at least @want bytes unread
 * afterwards unless the trace ends first): 0, or -1 (message).
 */
int trace_fill(struct trace_reader *r, size_t want);

/*
 * Progress on standard error (--progress): auto prints it when standard
 * error is a terminal, always also to a file or pipe (plain lines).
 */
enum { TRACE_PROGRESS_AUTO, TRACE_PROGRESS_ALWAYS, TRACE_PROGRESS_NEVER };
extern int trace_progress_mode;
/* "auto", "always" or "never" into trace_progress_mode: 0, or -1. */
int trace_progress_parse(const char *s);
/* @accesses done so far (at most a few lines a second; the last when @done). */
void trace_progress(struct trace_reader *r, uint64_t accesses, bool done);

/* "lackey", "din", "plain", "pages" (or "auto"). */
const char *trace_format_name(int format);
/* A format name (those above): the format, or -1. */
int trace_format_parse(const char *s, bool allow_pages);
/* Whether gzip'd traces can be read (built with zlib); zstd ones (libzstd). */
bool trace_have_zlib(void);
bool trace_have_zstd(void);

/* A message about the reader's file (and line, when one was read) in r->err. */
__attribute__((format(printf, 2, 3)))
void trace_error(struct trace_reader *r, const char *fmt, ...);

#endif

/*
 * vmsim's binary trace format (docs/trace-format.md): a 16-byte header
 * (magic, version, page size, source format, flags), then one record per
 * line of the text trace it stands for: an access in 1 byte when it
 * follows the one before it in its stream (fetches, data), else 2 to 12
 * (a zigzag varint address delta, the size when above 15); lines with no
 * access kept verbatim; an end record with the counts.  trace_bin.c
 * writes it, decodes it for trace_read.c and converts to and from text
 * (`vmsim trace-convert`).
 */
#ifndef TOOLS_VMSIM_TRACE_BIN_H
#define TOOLS_VMSIM_TRACE_BIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "trace_read.h"

#define VMT_MAGIC	"\x89VMT\r\n\x1a\n"	/* 8 bytes */
#define VMT_MAGIC_LEN	8
#define VMT_VERSION	1
#define VMT_HEADER_LEN	16
/* flags: the low byte's bits may be ignored by a reader, the high byte's may not */
#define VMT_FLAG_TEXT	0x0001		/* lines with no access are kept */
#define VMT_FLAGS_MUST	0xff00

/* The first byte of a record: form << 6 | size code << 2 | kind. */
#define VMT_FORM_DELTA	0	/* a zigzag varint delta from the stream's last address */
#define VMT_FORM_NEXT	1	/* the stream's last address + its size */
#define VMT_FORM_SAME	2	/* the stream's last address again */
#define VMT_FORM_SPECIAL 3	/* not an access: the low 6 bits say what */
#define VMT_SPECIAL_END	0	/* varint accesses, varint lines, varint flags; nothing follows */
#define VMT_END_UNTERMINATED 1	/* end flag: the text's last line had no newline */
#define VMT_SPECIAL_TEXT 1	/* varint length, the line's bytes (no newline) */
#define VMT_SPECIAL_LINE 2	/* as TEXT: the line of the access that follows, when
				   it is not as the converter writes it (no line itself) */
#define VMT_LINE_MAX	128	/* an access's line as the converter writes it, at most */
#define VMT_RECORD_MAX	(1 + 10 + 5)	/* the longest access record */

/* The writer: records go to @fd through a buffer (the header waits for the first access). */
struct vmt_writer {
	int fd;
	const char *name;		/* for messages */
	int format;			/* the source format (enum vmsim_trace_format or TRACE_PAGES) */
	bool header_done;
	unsigned char *buf;
	size_t len, cap;
	uint64_t prev[2];
	uint32_t prev_size[2];
	uint64_t records, lines, bytes;
	bool unterminated;		/* the text's last line had no newline */
	char *err;
	size_t errlen;
};

/* Start a trace on @fd (not closed here); @format may be VMSIM_TRACE_AUTO until the first access. */
int vmt_writer_init(struct vmt_writer *w, int fd, const char *name, int format, char *err,
		    size_t errlen);
/* One access (address formats) or page (TRACE_PAGES: @a->addr is the page): 0 or -1. */
int vmt_write_access(struct vmt_writer *w, const struct vmsim_access *a);
/*
 * A line kept verbatim (no newline in it): @type VMT_SPECIAL_TEXT for a line
 * with no access, VMT_SPECIAL_LINE for the next access's own: 0 or -1.
 */
int vmt_write_text(struct vmt_writer *w, unsigned int type, const char *line, size_t len);
/* @a (or @page) as a line of @format, as valgrind and the converter write it, no newline. */
size_t vmt_render_line(char *buf, int format, const struct vmsim_access *a, uint64_t page);
/* The end record and the last bytes: 0 or -1 (message).  Frees the buffer either way. */
int vmt_writer_finish(struct vmt_writer *w);
/* Frees what the writer holds (after an error). */
void vmt_writer_free(struct vmt_writer *w);

/*
 * Reader side (trace_read.c): trace_bin_detect looks at the first bytes of
 * the (decompressed) trace in r->buf: 0 (not binary), 1 (binary; the header
 * is read and r->format set), -1 (a binary trace this vmsim cannot read).
 * trace_bin_next: as trace_next_item.
 */
int trace_bin_detect(struct trace_reader *r);
int trace_bin_next(struct trace_reader *r, struct vmsim_access *a, uint64_t *page);
/*
 * The accesses of an address trace that are plain records wholly in the
 * buffer, up to @n, decoded in one loop (the replay's fast path): how many,
 * each with its line in @lines; 0 when the next record needs trace_bin_next.
 */
size_t trace_bin_batch(struct trace_reader *r, struct vmsim_access *v, unsigned long *lines,
		       size_t n);

/* `vmsim trace-convert [--format F] IN OUT`: exit status; its --help text. */
extern const char trace_convert_usage[];
int trace_convert_main(int argc, char **argv, FILE *out, FILE *errf);
/* Copy the text trace on @r into the writer @w: 0, or -1 (message in r->err or w->err). */
int trace_bin_copy(struct trace_reader *r, struct vmt_writer *w);
/* All of @r (keep_text set) as a binary trace on @fd through @w: 0, or -1 (message in r->err). */
int trace_bin_write(struct trace_reader *r, struct vmt_writer *w, int fd, const char *name);

#endif

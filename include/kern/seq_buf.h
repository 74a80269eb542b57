/*
 * A growable text buffer for /proc-style renderers (the role of Linux's
 * seq_file): seq_printf appends, the caller takes the string.
 */
#ifndef KERN_SEQ_BUF_H
#define KERN_SEQ_BUF_H

#include <stddef.h>
#include "lib/compiler.h"

struct seq_buf {
	char *buf;
	size_t len, cap;
	bool oom;		/* a host allocation failed: output is truncated */
};

void seq_init(struct seq_buf *s);
__printf(2, 3) void seq_printf(struct seq_buf *s, const char *fmt, ...);
void seq_puts(struct seq_buf *s, const char *str);
void seq_putc(struct seq_buf *s, char c);
/* Hand the NUL-terminated text to the caller (free() it); the buffer is reset. */
char *seq_take(struct seq_buf *s);
void seq_free(struct seq_buf *s);

#endif

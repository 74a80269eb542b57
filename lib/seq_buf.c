/*
 * seq_buf: the growable text buffer behind every /proc renderer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kern/seq_buf.h"

void seq_init(struct seq_buf *s)
{
	s->buf = NULL;
	s->len = s->cap = 0;
	s->oom = false;
}

static bool seq_reserve(struct seq_buf *s, size_t more)
{
	size_t need = s->len + more + 1;
	char *nb;

	if (need <= s->cap)
		return true;
	if (s->oom)
		return false;
	size_t cap = s->cap ? s->cap : 256;
	while (cap < need)
		cap *= 2;
	nb = realloc(s->buf, cap);
	if (!nb) {
		s->oom = true;
		return false;
	}
	s->buf = nb;
	s->cap = cap;
	return true;
}

void seq_printf(struct seq_buf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !seq_reserve(s, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
}

void seq_puts(struct seq_buf *s, const char *str)
{
	size_t n = strlen(str);

	if (!seq_reserve(s, n))
		return;
	memcpy(s->buf + s->len, str, n + 1);
	s->len += n;
}

void seq_putc(struct seq_buf *s, char c)
{
	if (!seq_reserve(s, 1))
		return;
	s->buf[s->len++] = c;
	s->buf[s->len] = 0;
}

char *seq_take(struct seq_buf *s)
{
	char *b = s->buf;

	if (!b)
		b = calloc(1, 1);
	seq_init(s);
	return b;
}

void seq_free(struct seq_buf *s)
{
	free(s->buf);
	seq_init(s);
}

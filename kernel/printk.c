/*
 * printk and the kernel log ring (see include/kern/printk.h).  The ring is
 * host memory owned by the machine: the log is the simulator's console,
 * not kernel memory a workload could exhaust.  When full, the oldest
 * lines are dropped, as in Linux.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kern/printk.h"

struct log_ring {
	spinlock_t lock;
	size_t head, len;		/* start and bytes used */
	char buf[LOG_BUF_LEN];
};

static struct log_ring *log_ring(struct machine *m)
{
	if (!m->log)
		m->log = calloc(1, sizeof(struct log_ring));
	return m->log;
}

static void ring_put(struct log_ring *r, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r->len == LOG_BUF_LEN) {
			/* drop the oldest line */
			while (r->len && r->buf[r->head] != '\n') {
				r->head = (r->head + 1) % LOG_BUF_LEN;
				r->len--;
			}
			if (r->len) {
				r->head = (r->head + 1) % LOG_BUF_LEN;
				r->len--;
			}
		}
		r->buf[(r->head + r->len) % LOG_BUF_LEN] = s[i];
		r->len++;
	}
}

void printk(struct machine *m, const char *fmt, ...)
{
	struct log_ring *r = log_ring(m);
	unsigned long j = atomic_load(&m->hw.jiffies);
	char line[512];
	va_list ap;
	int n;

	if (!r)
		return;
	n = snprintf(line, sizeof(line), "[%5lu.%06lu] ", j / HZ, (j % HZ) * (1000000 / HZ));
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	if (line[n - 1] != '\n')
		line[n++] = '\n';
	spin_lock(&r->lock);
	ring_put(r, line, (size_t)n);
	spin_unlock(&r->lock);
}

void show_kmsg(struct machine *m, struct seq_buf *s)
{
	struct log_ring *r = m->log;

	if (!r)
		return;
	spin_lock(&r->lock);
	for (size_t i = 0; i < r->len; i++)
		seq_putc(s, r->buf[(r->head + i) % LOG_BUF_LEN]);
	spin_unlock(&r->lock);
}

void printk_fini(struct machine *m)
{
	free(m->log);
	m->log = NULL;
}

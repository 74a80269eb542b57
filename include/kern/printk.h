/*
 * The kernel log (kernel/printk.c): printk() appends a line, stamped with
 * the machine's virtual time as Linux's "[    1.234567] " prefix, to a
 * per-machine ring buffer that vmsim_proc_read(m, "kmsg") returns (what
 * `dmesg` would show).  Kernel threads and the OOM killer report here.
 */
#ifndef KERN_PRINTK_H
#define KERN_PRINTK_H

#include "kern/machine.h"
#include "kern/seq_buf.h"

#define LOG_BUF_LEN	(64 * 1024)
#define HZ		100	/* jiffies per virtual second */

__printf(2, 3) void printk(struct machine *m, const char *fmt, ...);
/* The log so far, oldest line first. */
void show_kmsg(struct machine *m, struct seq_buf *s);
void printk_fini(struct machine *m);

#endif

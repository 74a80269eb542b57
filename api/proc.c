/*
 * The public /proc reads (include/vmsim/vmsim.h, include/vmsim/process.h):
 * the machine's files (fs/proc.c, a machine call) and a process's
 * /proc/PID files (fs/proc_pid.c, rendered in the task's context by one
 * TASK_CALL: api/entry.h).  The text is returned in a malloc'ed string;
 * NULL with errno set on failure.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "kern/mm.h"
#include "kern/mman.h"
#include "kern/seq_buf.h"
#include "kern/buffer_head.h"
#include "vmsim/process.h"
#include "vmsim/vmsim.h"
#include "entry.h"

/* The text of @s for the caller (its length in *@len if not NULL), or NULL with ENOMEM. */
static char *seq_text(struct seq_buf *s, size_t *len)
{
	size_t n = s->len;
	char *text;

	if (s->oom) {
		seq_free(s);
		errno = ENOMEM;
		return NULL;
	}
	text = seq_take(s);
	if (!text)
		errno = ENOMEM;
	else if (len)
		*len = n;
	return text;
}

char *vmsim_proc_read(vmsim_machine_t *m, const char *name)
{
	struct seq_buf s;

	seq_init(&s);
	if (MACHINE_CALL(m, proc_show(m, name, &s))) {
		errno = ENOENT;
		return NULL;
	}
	return seq_text(&s, NULL);
}

int vmsim_sysctl_write(vmsim_machine_t *m, const char *name, uint64_t value)
{
	if (!name)
		return -EINVAL;
	if (!strncmp(name, "vm.", 3) || !strncmp(name, "vm/", 3))
		name += 3;
	if (value > ULONG_MAX)
		return -EINVAL;
	return MACHINE_CALL(m, overcommit_sysctl_write(m, name, (unsigned long)value));
}

int vmsim_sysctl_write_text(vmsim_machine_t *m, const char *name, const char *text)
{
	uint64_t v;

	if (!name || !text)
		return -EINVAL;
	if (!strcmp(name, "vm.bdflush") || !strcmp(name, "vm/bdflush") || !strcmp(name, "bdflush"))
		return MACHINE_CALL(m, write_bdflush(m, text));	/* fs/buffer.c */
	if (vmsim_parse_size(text, &v))
		return -EINVAL;
	return vmsim_sysctl_write(m, name, v);
}

char *vmsim_proc_pid_read(vmsim_machine_t *m, int pid, const char *name)
{
	return vmsim_proc_pid_read_len(m, pid, name, NULL);
}

char *vmsim_proc_pid_read_len(vmsim_machine_t *m, int pid, const char *name, size_t *len)
{
	struct seq_buf s;
	int f;

	if (!name) {
		errno = EINVAL;
		return NULL;
	}
	f = proc_pid_lookup(name);
	if (f < 0) {
		errno = ENOENT;
		return NULL;
	}
	seq_init(&s);
	/* a zombie group leader: /proc/TGID still shows the group */
	if (TASK_CALL(m, pid, proc_pid_show(current, f, &s)) == -ESRCH &&
	    MACHINE_CALL(m, proc_pid_show_zombie(m, pid, f, &s)) == -ESRCH) {
		errno = ESRCH;
		return NULL;
	}
	return seq_text(&s, len);
}

char *vmsim_proc_pid_peek(vmsim_machine_t *m, int pid, const char *name)
{
	struct seq_buf s;
	int f = name ? proc_pid_lookup(name) : -ENOENT;

	/* cmdline and environ read the process's memory: only from inside it */
	if (f < 0 || !strcmp(name, "cmdline") || !strcmp(name, "environ")) {
		errno = f < 0 ? ENOENT : EINVAL;
		return NULL;
	}
	seq_init(&s);
	if (TASK_PEEK(m, pid, t, proc_pid_show(t, f, &s)) == -ESRCH) {
		free(seq_take(&s));
		errno = ESRCH;
		return NULL;
	}
	return seq_text(&s, NULL);
}

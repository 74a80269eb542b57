/*
 * The commands of processes (docs/script.md): fork, clone and thread make
 * a new named process (the session binds the name: their rows say
 * binds_name), exit and exit_group end one, exec runs an ELF file, on
 * says which CPU runs its commands.
 */
#include <stdlib.h>
#include <string.h>
#include "vmsim/process.h"
#include "internal.h"

/* A fork B, A clone B, A thread B: the new name. */
static int parse_child(struct vmsim_args_name *a, const struct vmsim_words *l,
		       const char *usage, char *err, size_t errlen)
{
	if (script_want_words(l, 3, 3, usage, err, errlen) ||
	    script_parse_name(&l->w[2], a->name, err, errlen))
		return -1;
	return 0;
}

int script_parse_fork(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		      char *err, size_t errlen)
{
	return parse_child(&c->u.fork, l, usage, err, errlen);
}

enum vmsim_run_status script_run_fork(struct vmsim_session *s, const struct vmsim_cmd *c,
				      struct vmsim_call *call)
{
	script_fmt_num(call, vmsim_fork(s->m, call->pid));
	return VMSIM_RUN_OK;
}

int script_parse_clone(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		       char *err, size_t errlen)
{
	return parse_child(&c->u.clone, l, usage, err, errlen);
}

enum vmsim_run_status script_run_clone(struct vmsim_session *s, const struct vmsim_cmd *c,
				       struct vmsim_call *call)
{
	script_fmt_num(call, vmsim_clone_vm(s->m, call->pid));
	return VMSIM_RUN_OK;
}

int script_parse_thread(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			char *err, size_t errlen)
{
	return parse_child(&c->u.thread, l, usage, err, errlen);
}

enum vmsim_run_status script_run_thread(struct vmsim_session *s, const struct vmsim_cmd *c,
					struct vmsim_call *call)
{
	script_fmt_num(call, vmsim_clone_thread(s->m, call->pid));
	return VMSIM_RUN_OK;
}

/* A on CPU: sched_setaffinity to that one CPU (a CPU past 63 is the call's -EINVAL). */
int script_parse_on(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		    char *err, size_t errlen)
{
	return script_want_words(l, 3, 3, usage, err, errlen) ||
	       script_parse_num(&l->w[2], &c->u.on.cpu, "CPU", err, errlen) ? -1 : 0;
}

enum vmsim_run_status script_run_on(struct vmsim_session *s, const struct vmsim_cmd *c,
				    struct vmsim_call *call)
{
	unsigned long mask = c->u.on.cpu < 64 ? 1UL << c->u.on.cpu : 0;

	script_fmt_num(call, vmsim_sched_setaffinity(s->m, call->pid, mask));
	return VMSIM_RUN_OK;
}

int script_parse_exit(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		      char *err, size_t errlen)
{
	return script_want_words(l, 2, 2, usage, err, errlen);
}

enum vmsim_run_status script_run_exit(struct vmsim_session *s, const struct vmsim_cmd *c,
				      struct vmsim_call *call)
{
	script_fmt_num(call, vmsim_exit(s->m, call->pid));
	return VMSIM_RUN_OK;
}

int script_parse_exit_group(struct vmsim_cmd *c, const struct vmsim_words *l,
			    const char *usage, char *err, size_t errlen)
{
	return script_want_words(l, 2, 2, usage, err, errlen);
}

enum vmsim_run_status script_run_exit_group(struct vmsim_session *s, const struct vmsim_cmd *c,
					    struct vmsim_call *call)
{
	script_fmt_num(call, vmsim_exit_group(s->m, call->pid));
	return VMSIM_RUN_OK;
}

/* exec PATH [ARG ...]: argv is PATH then the ARGs (NUL bytes cannot be passed). */
int script_parse_exec(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		      char *err, size_t errlen)
{
	struct vmsim_args_exec *a = &c->u.exec;

	if (script_want_words(l, 3, MAX_WORDS, usage, err, errlen))
		return -1;
	for (int i = 2; i < l->n; i++) {
		if (memchr(l->w[i].val, 0, l->w[i].val_len) || (i == 2 && !l->w[i].val_len)) {
			script_seterr(err, errlen, "exec: bad %s '%.40s'", i == 2 ? "PATH" : "ARG",
				      l->w[i].raw);
			return -1;
		}
	}
	a->path = strdup(l->w[2].val);
	a->argv = calloc((size_t)(l->n - 1), sizeof(char *));
	if (!a->path || !a->argv)
		goto oom;
	for (int i = 2; i < l->n; i++) {
		a->argv[a->argc] = strdup(l->w[i].val);
		if (!a->argv[a->argc])
			goto oom;
		a->argc++;
	}
	return 0;
oom:
	script_seterr(err, errlen, "out of memory");
	return -1;
}

void script_release_exec(struct vmsim_cmd *c)
{
	struct vmsim_args_exec *a = &c->u.exec;

	free(a->path);
	for (int i = 0; a->argv && i < a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
}

/* argv as written, no environment (kernel/exec.c) */
enum vmsim_run_status script_run_exec(struct vmsim_session *s, const struct vmsim_cmd *c,
				      struct vmsim_call *call)
{
	script_fmt_num(call, vmsim_execve(s->m, call->pid, c->u.exec.path,
					  (const char *const *)c->u.exec.argv, NULL));
	return VMSIM_RUN_OK;
}

/*
 * A script session (docs/script.md): one machine, booted at the first
 * command that needs it, and the script's process names bound to pids.
 * Runs each parsed command through its row of the table (script/commands.h):
 * a process command's call is made here around its executor (the name
 * looked up, the result line or kill line printed, others' deaths
 * reported); the other commands print what they print.  Output goes
 * through the embedder's ops->out, errors to standard error as FILE:LINE.
 */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/file.h"
#include "vmsim/process.h"
#include "internal.h"

/* --- output -------------------------------------------------------------- */

void vmsim_session_puts(struct vmsim_session *s, const char *text)
{
	if (s->ops && s->ops->out)
		s->ops->out(s, text);
	else
		fputs(text, stdout);
}

void vmsim_session_printf(struct vmsim_session *s, const char *fmt, ...)
{
	va_list ap;
	char small[256], *text = small;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		text = malloc((size_t)n + 1);
		if (!text)
			return;
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	vmsim_session_puts(s, text);
	if (text != small)
		free(text);
}

void vmsim_session_error(struct vmsim_session *s, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s:%d: ", s->file, s->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (!s->error[0]) {
		va_start(ap, fmt);
		vsnprintf(s->error, sizeof(s->error), fmt, ap);
		va_end(ap);
		s->error_line = s->line;
	}
}

/* --- session ------------------------------------------------------------- */

void vmsim_session_init(struct vmsim_session *s, const char *file,
			const struct vmsim_session_ops *ops, void *priv)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->priv = priv;
	s->file = file;
	vmsim_config_default(&s->cfg);
	/* this thread runs every CPU, a command at a time: deterministic */
	s->cfg.serial = true;
}

/* nftw callback: remove what root=tmp's directory holds, then itself */
static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

void vmsim_session_end(struct vmsim_session *s)
{
	script_kernel_release(s);	/* cmd_kernel.c: what K left, reported and freed */
}

void vmsim_session_fini(struct vmsim_session *s)
{
	vmsim_session_end(s);
	if (s->m)
		vmsim_machine_destroy(s->m);	/* writes the dirty pages of open files */
	s->m = NULL;
	if (s->root_tmp && s->root)
		nftw(s->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(s->root);
	s->root = NULL;
	free(s->procs);
	s->procs = NULL;
	s->nr_procs = s->cap_procs = 0;
	free(s->last_result);
	s->last_result = NULL;
	script_explain_free(s);
}

char *script_relative(const struct vmsim_session *s, const char *path)
{
	const char *slash = strrchr(s->file, '/');
	size_t dir = slash ? (size_t)(slash - s->file) + 1 : 0;
	char *full;

	if (path[0] == '/' || !strcmp(path, "-") || !dir || s->file[0] == '<')
		return strdup(path);
	full = malloc(dir + strlen(path) + 1);
	if (full) {
		memcpy(full, s->file, dir);
		strcpy(full + dir, path);
	}
	return full;
}

/*
 * root=DIR (the machine line's, relative to the script; a flag's, to the
 * working directory) or root=tmp (a new empty directory, removed with the
 * session): where the machine's files resolve (vmsim/file.h).
 */
enum vmsim_run_status script_set_root(struct vmsim_session *s, const char *val,
				      bool from_script)
{
	free(s->root);
	s->root = NULL;
	s->root_tmp = !strcmp(val, "tmp");
	if (s->root_tmp) {
		const char *t = getenv("TMPDIR");
		size_t n = strlen(t && *t ? t : "/tmp") + sizeof("/vmsim-root.XXXXXX");

		s->root = malloc(n);
		if (s->root) {
			snprintf(s->root, n, "%s/vmsim-root.XXXXXX", t && *t ? t : "/tmp");
			if (!mkdtemp(s->root)) {
				vmsim_session_error(s, "root=tmp: cannot make a directory: %s",
						    strerror(errno));
				free(s->root);
				s->root = NULL;
				s->root_tmp = false;
				return VMSIM_RUN_ERROR;
			}
		}
	} else {
		s->root = from_script ? script_relative(s, val) : strdup(val);
	}
	if (!s->root) {
		vmsim_session_error(s, "out of memory");
		return VMSIM_RUN_ERROR;
	}
	return VMSIM_RUN_OK;
}

enum vmsim_run_status vmsim_session_boot(struct vmsim_session *s)
{
	char err[200];
	int ret;

	if (s->m)
		return VMSIM_RUN_OK;
	/* flags win over the script's machine line */
	for (int i = 0; i < s->nr_flag_opts; i++) {
		if (!strcmp(s->flag_keys[i], "root")) {
			if (script_set_root(s, s->flag_values[i], false) != VMSIM_RUN_OK)
				return VMSIM_RUN_ERROR;
			continue;
		}
		if (vmsim_config_set(&s->cfg, s->flag_keys[i], s->flag_values[i], err,
				     sizeof(err))) {
			vmsim_session_error(s, "%s", err);
			return VMSIM_RUN_ERROR;
		}
	}
	err[0] = 0;
	if (vmsim_config_validate(&s->cfg, err, sizeof(err))) {
		if (s->machine_line)
			s->line = s->machine_line;
		/* with no machine line, the flags alone made it: say so */
		vmsim_session_error(s, "bad machine%s: %s",
				    !s->machine_line && s->nr_flag_opts ? " from the flags" : "",
				    err[0] ? err : "invalid configuration");
		return VMSIM_RUN_ERROR;
	}
	s->m = vmsim_machine_create(&s->cfg);
	if (!s->m) {
		const char *why = vmsim_boot_error();

		vmsim_session_error(s, "cannot boot the machine: %s", why[0] ? why : strerror(errno));
		return VMSIM_RUN_ERROR;
	}
	if (s->root && (ret = vmsim_fs_set_root(s->m, s->root))) {
		if (s->machine_line)
			s->line = s->machine_line;
		vmsim_session_error(s, "bad machine: root=%s: %s", s->root, strerror(-ret));
		return VMSIM_RUN_ERROR;
	}
	script_events_apply(s);
	return VMSIM_RUN_OK;
}

/* --- names --------------------------------------------------------------- */

struct vmsim_proc_name *script_find_name(struct vmsim_session *s, const char *name)
{
	for (int i = 0; i < s->nr_procs; i++)
		if (!strcmp(s->procs[i].name, name))
			return &s->procs[i];
	return NULL;
}

struct vmsim_proc_name *script_lookup(struct vmsim_session *s, const char *name)
{
	struct vmsim_proc_name *p = script_find_name(s, name);

	if (!p)
		vmsim_session_error(s, "unknown process '%s' (spawn it first)", name);
	return p;
}

static bool pid_alive(struct vmsim_session *s, int pid)
{
	struct vmsim_task_info ti;

	return pid > 0 && !vmsim_task_info(s->m, pid, &ti) && ti.alive;
}

enum vmsim_run_status script_bind_name(struct vmsim_session *s, const char *name, int pid)
{
	struct vmsim_proc_name *p = script_find_name(s, name);

	if (!p) {
		if (s->nr_procs == s->cap_procs) {
			int ncap = s->cap_procs ? 2 * s->cap_procs : 16;
			struct vmsim_proc_name *np = realloc(s->procs, (size_t)ncap * sizeof(*np));
			if (!np) {
				vmsim_session_error(s, "out of memory");
				return VMSIM_RUN_ERROR;
			}
			s->procs = np;
			s->cap_procs = ncap;
		}
		p = &s->procs[s->nr_procs++];
		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s", name);
	}
	p->pid = pid;
	if (pid > 0)	/* the task's name is the script's: A, B ... in events and status */
		vmsim_prctl_set_name(s->m, pid, name);
	return VMSIM_RUN_OK;
}

enum vmsim_run_status script_check_new_name(struct vmsim_session *s, const char *name)
{
	struct vmsim_proc_name *p = script_find_name(s, name);

	if (p && pid_alive(s, p->pid)) {
		vmsim_session_error(s, "process '%s' already exists (pid %d)", name, p->pid);
		return VMSIM_RUN_ERROR;
	}
	return VMSIM_RUN_OK;
}

int vmsim_session_spawn(struct vmsim_session *s, const char *name)
{
	int pid;

	if (script_check_new_name(s, name) != VMSIM_RUN_OK)
		return -EEXIST;
	pid = vmsim_spawn(s->m);
	if (script_bind_name(s, name, pid > 0 ? pid : -1) != VMSIM_RUN_OK)
		return -ENOMEM;
	return pid;
}

/* --- results ------------------------------------------------------------- */

void script_set_last(struct vmsim_session *s, const char *result, bool numeric)
{
	free(s->last_result);
	s->last_result = strdup(result);
	s->last_numeric = numeric;
}

void script_print_result(struct vmsim_session *s, const struct vmsim_cmd *c, const char *res,
			 bool numeric)
{
	vmsim_session_printf(s, "%s = %s\n", c->text, res);
	script_set_last(s, res, numeric);
}

void script_fmt_errno(char *buf, size_t n, long err)
{
	const char *name = vmsim_errno_name((int)-err);

	if (name)
		snprintf(buf, n, "-%s", name);
	else
		snprintf(buf, n, "%ld", err);
}

void script_fmt_addr(struct vmsim_call *call, long ret)
{
	call->ret = ret;
	call->numeric = !(ret < 0 && ret > -4096);
	if (!call->numeric)
		script_fmt_errno(call->res, sizeof(call->res), ret);
	else
		snprintf(call->res, sizeof(call->res), "0x%lx", (unsigned long)ret);
}

void script_fmt_num(struct vmsim_call *call, long ret)
{
	call->ret = ret;
	call->numeric = ret >= 0;
	if (!call->numeric)
		script_fmt_errno(call->res, sizeof(call->res), ret);
	else
		snprintf(call->res, sizeof(call->res), "%ld", ret);
}

void script_describe_state(struct vmsim_session *s, int pid, char *buf, size_t n)
{
	struct vmsim_task_info ti;

	if (pid <= 0 || vmsim_task_info(s->m, pid, &ti)) {
		snprintf(buf, n, "no such process");
		return;
	}
	if (ti.alive) {
		snprintf(buf, n, "alive");
		return;
	}
	if (!ti.signo) {
		snprintf(buf, n, "exited");
		return;
	}
	const char *sig = vmsim_signal_name(ti.signo);
	const char *code = vmsim_sicode_name(ti.signo, ti.code);
	char sigbuf[16];

	if (!sig) {
		snprintf(sigbuf, sizeof(sigbuf), "signal %d", ti.signo);
		sig = sigbuf;
	}
	if (ti.signo == 9 || !code)
		snprintf(buf, n, "killed by %s", sig);
	else
		snprintf(buf, n, "killed by %s (%s) at 0x%lx", sig, code, ti.addr);
}

void script_print_killed(struct vmsim_session *s, int i)
{
	char state[128];

	script_describe_state(s, s->procs[i].pid, state, sizeof(state));
	vmsim_session_printf(s, "%s: %s\n", s->procs[i].name, state);
}

/*
 * The script executor: runs parsed commands (kernel/script_parse.c) on a
 * booted machine through the public API and prints what docs/script.md
 * promises: one result line per process command (`A mmap ... = 0x...`),
 * the kill line of a process that dies, the /proc texts of `show`, and
 * FILE:LINE messages for bad lines and failed expects.  Output goes to
 * stdout, or is collected for the --json document.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vmsim/file.h"
#include "vmsim/process.h"
#include "vmsim/swap.h"
#include "vmsim/stats.h"
#include "tool.h"

#define CHUNK		65536		/* bytes per read/write call of long transfers */
#define MINCORE_CHUNK	65536		/* pages per mincore call */
#define PAGE_BYTES	4096UL

/* --- strbuf -------------------------------------------------------------- */

void sb_init(struct strbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
}

static bool sb_grow(struct strbuf *sb, size_t add)
{
	size_t need = sb->len + add + 1, cap = sb->cap ? sb->cap : 256;
	char *nb;

	if (sb->oom)
		return false;
	if (need <= sb->cap)
		return true;
	while (cap < need)
		cap *= 2;
	nb = realloc(sb->buf, cap);
	if (!nb) {
		sb->oom = true;
		return false;
	}
	sb->buf = nb;
	sb->cap = cap;
	return true;
}

void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || !sb_grow(sb, (size_t)n))
		return;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

void sb_puts(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);

	if (!sb_grow(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n + 1);
	sb->len += n;
}

void sb_putc(struct strbuf *sb, char c)
{
	if (!sb_grow(sb, 1))
		return;
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = 0;
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

void sb_json_string(struct strbuf *sb, const char *s)
{
	sb_putc(sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sb_puts(sb, "\\\""); break;
		case '\\': sb_puts(sb, "\\\\"); break;
		case '\n': sb_puts(sb, "\\n"); break;
		case '\t': sb_puts(sb, "\\t"); break;
		case '\r': sb_puts(sb, "\\r"); break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				sb_printf(sb, "\\u%04x", *p);	/* bytes, not UTF-8 */
			else
				sb_putc(sb, (char)*p);
		}
	}
	sb_putc(sb, '"');
}

/* --- output -------------------------------------------------------------- */

void out_puts(struct session *s, const char *text)
{
	if (s->opts->json)
		sb_puts(&s->out, text);
	else
		fputs(text, stdout);
}

void out_printf(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (s->opts->json)
		sb_vprintf(&s->out, fmt, ap);
	else
		vprintf(fmt, ap);
	va_end(ap);
}

void session_error(struct session *s, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s:%d: ", s->file, s->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void expect_failed(struct session *s, const char *wanted, const char *got)
{
	fflush(stdout);
	fprintf(stderr, "%s:%d: expect failed: wanted %s, got %s\n", s->file, s->line,
		wanted, got);
}

/* --- session ------------------------------------------------------------- */

void session_init(struct session *s, const struct tool_opts *opts, const char *file)
{
	memset(s, 0, sizeof(*s));
	s->opts = opts;
	s->file = file;
	vmsim_config_default(&s->cfg);
	sb_init(&s->out);
	sb_init(&s->reports);
	sb_init(&s->trace_json);
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

void session_fini(struct session *s)
{
	if (s->m)
		vmsim_machine_destroy(s->m);	/* writes the dirty pages of open files */
	s->m = NULL;
	if (s->root_tmp && s->root)
		nftw(s->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(s->root);
	s->root = NULL;
	free(s->procs);
	free(s->last_result);
	sb_free(&s->out);
	sb_free(&s->reports);
	sb_free(&s->trace_json);
}

/* The directory a relative path of the script is found in: next to it. */
static char *script_relative(const struct session *s, const char *path)
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
static enum run_status set_root(struct session *s, const char *val, bool from_script)
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
				session_error(s, "root=tmp: cannot make a directory: %s",
					      strerror(errno));
				free(s->root);
				s->root = NULL;
				s->root_tmp = false;
				return RUN_ERROR;
			}
		}
	} else {
		s->root = from_script ? script_relative(s, val) : strdup(val);
	}
	if (!s->root) {
		session_error(s, "out of memory");
		return RUN_ERROR;
	}
	return RUN_OK;
}

enum run_status session_boot(struct session *s)
{
	char err[200];
	int ret;

	if (s->m)
		return RUN_OK;
	/* flags win over the script's machine line */
	for (int i = 0; i < s->opts->nr_opts; i++) {
		if (!strcmp(s->opts->opt_keys[i], "root")) {
			if (set_root(s, s->opts->opt_values[i], false) != RUN_OK)
				return RUN_ERROR;
			continue;
		}
		if (vmsim_config_set(&s->cfg, s->opts->opt_keys[i], s->opts->opt_values[i],
				     err, sizeof(err))) {
			session_error(s, "%s", err);
			return RUN_ERROR;
		}
	}
	err[0] = 0;
	if (vmsim_config_validate(&s->cfg, err, sizeof(err))) {
		if (s->machine_line)
			s->line = s->machine_line;
		session_error(s, "bad machine: %s", err[0] ? err : "invalid configuration");
		return RUN_ERROR;
	}
	s->m = vmsim_machine_create(&s->cfg);
	if (!s->m) {
		session_error(s, "cannot boot the machine: %s", strerror(errno));
		return RUN_ERROR;
	}
	if (s->root && (ret = vmsim_fs_set_root(s->m, s->root))) {
		if (s->machine_line)
			s->line = s->machine_line;
		session_error(s, "bad machine: root=%s: %s", s->root, strerror(-ret));
		return RUN_ERROR;
	}
	return RUN_OK;
}

static struct proc_name *find_name(struct session *s, const char *name)
{
	for (int i = 0; i < s->nr_procs; i++)
		if (!strcmp(s->procs[i].name, name))
			return &s->procs[i];
	return NULL;
}

const char *session_pid_name(const struct session *s, int pid)
{
	for (int i = s->nr_procs - 1; i >= 0; i--)
		if (s->procs[i].pid == pid)
			return s->procs[i].name;
	return NULL;
}

static bool pid_alive(struct session *s, int pid)
{
	struct vmsim_task_info ti;

	return pid > 0 && !vmsim_task_info(s->m, pid, &ti) && ti.alive;
}

/* Bind @name to @pid: a new name, or one whose process is gone. */
static enum run_status bind_name(struct session *s, const char *name, int pid)
{
	struct proc_name *p = find_name(s, name);

	if (!p) {
		if (s->nr_procs == s->cap_procs) {
			int ncap = s->cap_procs ? 2 * s->cap_procs : 16;
			struct proc_name *np = realloc(s->procs, (size_t)ncap * sizeof(*np));
			if (!np) {
				session_error(s, "out of memory");
				return RUN_ERROR;
			}
			s->procs = np;
			s->cap_procs = ncap;
		}
		p = &s->procs[s->nr_procs++];
		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s", name);
	}
	p->pid = pid;
	return RUN_OK;
}

/* A new name must not belong to a live process. */
static enum run_status check_new_name(struct session *s, const char *name)
{
	struct proc_name *p = find_name(s, name);

	if (p && pid_alive(s, p->pid)) {
		session_error(s, "process '%s' already exists (pid %d)", name, p->pid);
		return RUN_ERROR;
	}
	return RUN_OK;
}

int session_spawn(struct session *s, const char *name)
{
	int pid;

	if (check_new_name(s, name) != RUN_OK)
		return -EEXIST;
	pid = vmsim_spawn(s->m);
	if (bind_name(s, name, pid > 0 ? pid : -1) != RUN_OK)
		return -ENOMEM;
	return pid;
}

static void set_last(struct session *s, const char *result, bool numeric)
{
	free(s->last_result);
	s->last_result = strdup(result);
	s->last_numeric = numeric;
}

static void fmt_errno(char *buf, size_t n, long err)
{
	const char *name = vmsim_errno_name((int)-err);

	if (name)
		snprintf(buf, n, "-%s", name);
	else
		snprintf(buf, n, "%ld", err);
}

/* Results: an error, else a hex address / a decimal number. */
static bool fmt_addr(char *buf, size_t n, long ret)
{
	if (ret < 0 && ret > -4096) {
		fmt_errno(buf, n, ret);
		return false;
	}
	snprintf(buf, n, "0x%lx", (unsigned long)ret);
	return true;
}

static bool fmt_num(char *buf, size_t n, long ret)
{
	if (ret < 0) {
		fmt_errno(buf, n, ret);
		return false;
	}
	snprintf(buf, n, "%ld", ret);
	return true;
}

/* "killed by SIGSEGV (SEGV_ACCERR) at 0x1000", "exited", "alive" */
static void describe_state(struct session *s, int pid, char *buf, size_t n)
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

/* --- process commands ---------------------------------------------------- */

/* touch: one generated stream (vmsim_access_pattern), not a call per access. */
static long do_touch(struct session *s, int pid, const struct vmsim_cmd *c)
{
	struct vmsim_access_pattern pat = {
		.addr = (unsigned long)c->addr,
		.stride = (unsigned long)c->stride,
		.count = c->random ? c->count : c->len / c->stride,
		.random = c->random,
		.slots = c->len / c->stride,
		.seed = c->seed,
		.value = 0x5a,
		.size = 1,
		.kind = c->access == VMSIM_ACCESS_WRITE ? VMSIM_ACCESS_STORE : VMSIM_ACCESS_LOAD,
	};

	return vmsim_access_pattern(s->m, pid, &pat, NULL);
}

static long do_write(struct session *s, int pid, const struct vmsim_cmd *c)
{
	unsigned char buf[CHUNK];

	if (!c->pattern)
		return vmsim_write(s->m, pid, (unsigned long)c->addr, c->data, c->data_len);
	for (uint64_t off = 0; off < c->len || (c->len == 0 && off == 0); off += CHUNK) {
		size_t n = c->len - off < CHUNK ? (size_t)(c->len - off) : CHUNK;
		int ret;

		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)vmsim_mix64(c->seed + off + i);
		ret = vmsim_write(s->m, pid, (unsigned long)(c->addr + off), buf, n);
		if (ret || c->len == 0)
			return ret;
	}
	return 0;
}

/*
 * read: LEN <= 64 bytes in hex, more as fnv1a64:HASH.  Returns 0 with the
 * text in @out, or the error / VMSIM_KILLED.
 */
static int do_read(struct session *s, int pid, uint64_t addr, uint64_t len, char *out,
		   size_t outlen)
{
	unsigned char buf[CHUNK];
	uint64_t h = VMSIM_FNV1A64_INIT;
	int ret;

	if (len <= 64) {
		ret = vmsim_read(s->m, pid, (unsigned long)addr, buf, (unsigned long)len);
		if (ret)
			return ret;
		for (uint64_t i = 0; i < len && 2 * i + 2 < outlen; i++)
			snprintf(out + 2 * i, 3, "%02x", buf[i]);
		return 0;
	}
	for (uint64_t off = 0; off < len; off += CHUNK) {
		size_t n = len - off < CHUNK ? (size_t)(len - off) : CHUNK;

		ret = vmsim_read(s->m, pid, (unsigned long)(addr + off), buf, n);
		if (ret)
			return ret;
		h = vmsim_fnv1a64(h, buf, n);
	}
	snprintf(out, outlen, "fnv1a64:%016llx", (unsigned long long)h);
	return 0;
}

/* mincore: '1'/'0' per page up to 64 pages, else the resident count. */
static long do_mincore(struct session *s, int pid, const struct vmsim_cmd *c, char *out,
		       size_t outlen)
{
	uint64_t pages = c->len / PAGE_BYTES + (c->len % PAGE_BYTES != 0);
	unsigned char *vec;
	uint64_t resident = 0;
	long ret = 0;

	if (pages == 0) {
		ret = vmsim_mincore(s->m, pid, (unsigned long)c->addr, 0, NULL);
		if (!ret)
			snprintf(out, outlen, "0");
		return ret;
	}
	vec = malloc(pages < MINCORE_CHUNK ? (size_t)pages : MINCORE_CHUNK);
	if (!vec)
		return -ENOMEM;
	for (uint64_t done = 0; done < pages; ) {
		uint64_t n = pages - done < MINCORE_CHUNK ? pages - done : MINCORE_CHUNK;
		uint64_t off = done * PAGE_BYTES;
		uint64_t bytes = c->len - off < n * PAGE_BYTES ? c->len - off : n * PAGE_BYTES;

		ret = vmsim_mincore(s->m, pid, (unsigned long)(c->addr + off),
				    (unsigned long)bytes, vec);
		if (ret)
			break;
		for (uint64_t i = 0; i < n; i++) {
			resident += vec[i] & 1;
			if (pages <= 64 && done + i + 1 < outlen)
				out[done + i] = vec[i] & 1 ? '1' : '0';
		}
		done += n;
	}
	free(vec);
	if (ret)
		return ret;
	if (pages <= 64)
		out[pages] = 0;
	else
		snprintf(out, outlen, "%llu", (unsigned long long)resident);
	return 0;
}

/*
 * A trace FILE relative to the script's directory (as an include would
 * be), so that a script and its traces can move together; standard input,
 * the shell and the demo resolve against the working directory.
 */
static char *trace_path(const struct session *s, const char *path)
{
	return script_relative(s, path);
}

/* The trace command: the count of accesses made, or the process's fate. */
static long do_trace(struct session *s, int pid, const struct vmsim_cmd *c, bool *error)
{
	struct trace_summary sum;
	char err[512];
	char *path = trace_path(s, c->path);

	*error = false;
	if (!path)
		return -ENOMEM;
	if (trace_run(s->m, pid, path, c->format, !c->map_none, &sum, err, sizeof(err))) {
		session_error(s, "trace: %s", err);
		*error = true;
		free(path);
		return 0;
	}
	free(path);
	return sum.status ? sum.status : (long)sum.accesses;
}

/* Print kill lines for named processes that died during the last command. */
struct alive_snapshot {
	int n;
	bool *alive;
};

static void snapshot_alive(struct session *s, struct alive_snapshot *snap)
{
	snap->n = s->nr_procs;
	snap->alive = calloc((size_t)(s->nr_procs ? s->nr_procs : 1), sizeof(bool));
	if (!snap->alive) {
		snap->n = 0;
		return;
	}
	for (int i = 0; i < s->nr_procs; i++)
		snap->alive[i] = pid_alive(s, s->procs[i].pid);
}

static bool killed_since(struct session *s, struct alive_snapshot *snap, int i)
{
	struct vmsim_task_info ti;

	return i < snap->n && snap->alive[i] &&
	       !vmsim_task_info(s->m, s->procs[i].pid, &ti) && !ti.alive && ti.signo;
}

static void print_killed(struct session *s, int i)
{
	char state[128];

	describe_state(s, s->procs[i].pid, state, sizeof(state));
	out_printf(s, "%s: %s\n", s->procs[i].name, state);
}

static enum run_status run_proc_cmd(struct session *s, const struct vmsim_cmd *c)
{
	struct proc_name *p = find_name(s, c->proc);
	char res[160];
	bool numeric = true;
	long ret = 0;
	int pid, self;
	struct alive_snapshot snap;
	vmsim_machine_t *m = s->m;

	if (!p) {
		session_error(s, "unknown process '%s' (spawn it first)", c->proc);
		return RUN_ERROR;
	}
	pid = p->pid;
	self = (int)(p - s->procs);
	if ((c->op == VMSIM_CMD_FORK || c->op == VMSIM_CMD_CLONE || c->op == VMSIM_CMD_THREAD) &&
	    check_new_name(s, c->child) != RUN_OK)
		return RUN_ERROR;
	snapshot_alive(s, &snap);
	res[0] = 0;
	if (pid <= 0) {
		ret = -ESRCH;
		fmt_errno(res, sizeof(res), ret);
		numeric = false;
	} else {
		unsigned long a = (unsigned long)c->addr, l = (unsigned long)c->len;
		switch (c->op) {
		case VMSIM_CMD_MMAP:
			ret = vmsim_mmap(m, pid, a, l, c->prot, c->flags, c->fd,
					 (unsigned long)c->newaddr);
			numeric = fmt_addr(res, sizeof(res), ret);
			break;
		case VMSIM_CMD_MUNMAP:
			numeric = fmt_num(res, sizeof(res), ret = vmsim_munmap(m, pid, a, l));
			break;
		case VMSIM_CMD_MPROTECT:
			ret = vmsim_mprotect(m, pid, a, l, c->prot);
			numeric = fmt_num(res, sizeof(res), ret);
			break;
		case VMSIM_CMD_MREMAP:
			ret = vmsim_mremap(m, pid, a, l, (unsigned long)c->len2, c->flags,
					   (unsigned long)c->newaddr);
			numeric = fmt_addr(res, sizeof(res), ret);
			break;
		case VMSIM_CMD_BRK:
			numeric = fmt_addr(res, sizeof(res), ret = vmsim_brk(m, pid, a));
			break;
		case VMSIM_CMD_MADVISE:
			ret = vmsim_madvise(m, pid, a, l, c->flags);
			numeric = fmt_num(res, sizeof(res), ret);
			break;
		case VMSIM_CMD_MLOCK:
			numeric = fmt_num(res, sizeof(res), ret = vmsim_mlock(m, pid, a, l));
			break;
		case VMSIM_CMD_MUNLOCK:
			numeric = fmt_num(res, sizeof(res), ret = vmsim_munlock(m, pid, a, l));
			break;
		case VMSIM_CMD_MLOCKALL:
			numeric = fmt_num(res, sizeof(res), ret = vmsim_mlockall(m, pid, c->flags));
			break;
		case VMSIM_CMD_MUNLOCKALL:
			numeric = fmt_num(res, sizeof(res), ret = vmsim_munlockall(m, pid));
			break;
		case VMSIM_CMD_MINCORE:
			ret = do_mincore(s, pid, c, res, sizeof(res));
			if (ret)
				fmt_errno(res, sizeof(res), ret);
			numeric = false;
			break;
		case VMSIM_CMD_SETSP:
			numeric = fmt_num(res, sizeof(res), ret = vmsim_set_sp(m, pid, a));
			break;
		case VMSIM_CMD_TOUCH:
			numeric = fmt_num(res, sizeof(res), ret = do_touch(s, pid, c));
			break;
		case VMSIM_CMD_WRITE:
			numeric = fmt_num(res, sizeof(res), ret = do_write(s, pid, c));
			break;
		case VMSIM_CMD_READ:
			ret = do_read(s, pid, c->addr, c->len, res, sizeof(res));
			if (ret)
				fmt_errno(res, sizeof(res), ret);
			numeric = false;
			break;
		case VMSIM_CMD_FORK:
			numeric = fmt_num(res, sizeof(res), ret = vmsim_fork(m, pid));
			break;
		case VMSIM_CMD_CLONE:
			numeric = fmt_num(res, sizeof(res), ret = vmsim_clone_vm(m, pid));
			break;
		case VMSIM_CMD_THREAD:
			numeric = fmt_num(res, sizeof(res), ret = vmsim_clone_thread(m, pid));
			break;
		case VMSIM_CMD_EXIT:
			numeric = fmt_num(res, sizeof(res), ret = vmsim_exit(m, pid));
			break;
		case VMSIM_CMD_EXIT_GROUP:
			numeric = fmt_num(res, sizeof(res), ret = vmsim_exit_group(m, pid));
			break;
		case VMSIM_CMD_OPEN:
			ret = vmsim_open(m, pid, c->path, c->flags, (unsigned int)c->prot);
			numeric = fmt_num(res, sizeof(res), ret);
			break;
		case VMSIM_CMD_CLOSE:
			numeric = fmt_num(res, sizeof(res), ret = vmsim_close(m, pid, c->fd));
			break;
		case VMSIM_CMD_FSYNC:
			numeric = fmt_num(res, sizeof(res), ret = vmsim_fsync(m, pid, c->fd));
			break;
		case VMSIM_CMD_PREAD:
		case VMSIM_CMD_PWRITE:
			if (c->newaddr > INT64_MAX)
				ret = -EINVAL;
			else if (c->op == VMSIM_CMD_PREAD)
				ret = vmsim_pread(m, pid, c->fd, a, (size_t)l, (int64_t)c->newaddr);
			else
				ret = vmsim_pwrite(m, pid, c->fd, a, (size_t)l, (int64_t)c->newaddr);
			numeric = fmt_num(res, sizeof(res), ret);
			break;
		case VMSIM_CMD_EXEC:
			/* argv as written, no environment (kernel/exec.c) */
			numeric = fmt_num(res, sizeof(res),
					  ret = vmsim_execve(m, pid, c->path,
							     (const char *const *)c->args, NULL));
			break;
		case VMSIM_CMD_TRACE: {
			bool error;

			ret = do_trace(s, pid, c, &error);
			if (error) {
				free(snap.alive);
				return RUN_ERROR;
			}
			numeric = fmt_num(res, sizeof(res), ret);
			break;
		}
		default:
			free(snap.alive);
			session_error(s, "internal: unexpected command %d", (int)c->op);
			return RUN_ERROR;
		}
	}
	if (c->op == VMSIM_CMD_FORK || c->op == VMSIM_CMD_CLONE || c->op == VMSIM_CMD_THREAD) {
		/* the name is bound even if the fork failed: its commands get -ESRCH */
		if (bind_name(s, c->child, ret > 0 ? (int)ret : -1) != RUN_OK) {
			free(snap.alive);
			return RUN_ERROR;
		}
	}
	if (ret == VMSIM_KILLED || killed_since(s, &snap, self)) {
		print_killed(s, self);
		set_last(s, "killed", false);
	} else {
		out_printf(s, "%s = %s\n", c->text, res);
		set_last(s, res, numeric);
	}
	/* others that died meanwhile (the OOM killer, ...) */
	for (int i = 0; i < snap.n; i++)
		if (i != self && killed_since(s, &snap, i))
			print_killed(s, i);
	free(snap.alive);
	return RUN_OK;
}

/* --- show ---------------------------------------------------------------- */

/* Print a text from the library, or `CMD = -ERR` when there is none. */
static void show_text(struct session *s, const struct vmsim_cmd *c, char *text, int err)
{
	char res[64];

	if (text) {
		out_puts(s, text);
		free(text);
		return;
	}
	fmt_errno(res, sizeof(res), -(long)(err ? err : ENOMEM));
	out_printf(s, "%s = %s\n", c->text, res);
}

static enum run_status run_show(struct session *s, const struct vmsim_cmd *c)
{
	char *text;

	switch (c->op) {
	case VMSIM_CMD_SHOW:
		if (c->show == VMSIM_SHOW_REPORT) {
			struct strbuf sb;
			sb_init(&sb);
			if (s->opts->json) {
				if (s->nr_reports++)
					sb_puts(&s->reports, ",\n");
				report_json(s, &s->reports);
			} else {
				report_text(s, &sb);
				out_puts(s, sb.buf ? sb.buf : "");
			}
			sb_free(&sb);
			return RUN_OK;
		}
		errno = 0;
		text = vmsim_proc_read(s->m, vmsim_show_proc_name(c->show));
		show_text(s, c, text, errno);
		return RUN_OK;
	case VMSIM_CMD_SHOW_PAGE:
		errno = 0;
		text = vmsim_page_describe(s->m, (unsigned long)c->addr);
		show_text(s, c, text, errno);
		return RUN_OK;
	case VMSIM_CMD_SHOW_PROC: {
		struct proc_name *p = find_name(s, c->proc);
		if (!p) {
			session_error(s, "unknown process '%s' (spawn it first)", c->proc);
			return RUN_ERROR;
		}
		errno = 0;
		if (p->pid <= 0) {
			text = NULL;
			errno = ESRCH;
		} else if (c->show == VMSIM_SHOW_PAGETABLE) {
			text = vmsim_pagetable_describe(s->m, p->pid, (unsigned long)c->addr);
		} else {
			text = vmsim_proc_pid_read(s->m, p->pid, vmsim_show_name(c->show));
		}
		show_text(s, c, text, errno);
		return RUN_OK;
	}
	default:
		return RUN_ERROR;
	}
}

/* --- expect -------------------------------------------------------------- */

/* expect = VALUE: same text, or the same number when the result was one. */
static bool result_matches(const struct session *s, const char *want)
{
	uint64_t a, b;

	if (!strcmp(s->last_result, want))
		return true;
	if (!s->last_numeric)
		return false;
	return !vmsim_parse_number(s->last_result, &a) && !vmsim_parse_number(want, &b) &&
	       a == b;
}

static enum run_status run_expect(struct session *s, const struct vmsim_cmd *c)
{
	struct proc_name *p = NULL;
	char got[160], wanted[160];

	if (c->op == VMSIM_CMD_EXPECT_RESULT) {
		if (!s->last_result) {
			session_error(s, "expect: no command result before this line");
			return RUN_ERROR;
		}
		if (result_matches(s, c->value))
			return RUN_OK;
		expect_failed(s, c->value, s->last_result);
		return RUN_EXPECT_FAILED;
	}
	p = find_name(s, c->proc);
	if (!p) {
		session_error(s, "unknown process '%s' (spawn it first)", c->proc);
		return RUN_ERROR;
	}
	describe_state(s, p->pid, got, sizeof(got));
	if (c->op == VMSIM_CMD_EXPECT_ALIVE) {
		if (!strcmp(got, "alive"))
			return RUN_OK;
		expect_failed(s, "alive", got);
		return RUN_EXPECT_FAILED;
	}
	if (c->op == VMSIM_CMD_EXPECT_KILLED) {
		struct vmsim_task_info ti;
		const char *code = c->si_code ? vmsim_sicode_name(c->signal, c->si_code) : NULL;

		snprintf(wanted, sizeof(wanted), "killed by %s%s%s%s",
			 vmsim_signal_name(c->signal), code ? " (" : "", code ? code : "",
			 code ? ")" : "");
		if (p->pid > 0 && !vmsim_task_info(s->m, p->pid, &ti) && !ti.alive &&
		    ti.signo == c->signal && (!c->si_code || ti.code == c->si_code))
			return RUN_OK;
		expect_failed(s, wanted, got);
		return RUN_EXPECT_FAILED;
	}
	/* expect A read ADDR LEN = HEXBYTES */
	if (c->data_is_hash)
		snprintf(wanted, sizeof(wanted), "fnv1a64:%016llx",
			 (unsigned long long)c->data_hash);
	else
		for (size_t i = 0; i < c->data_len; i++)
			snprintf(wanted + 2 * i, 3, "%02x", c->data[i]);
	int ret = p->pid > 0 ? do_read(s, p->pid, c->addr, c->len, got, sizeof(got)) : -ESRCH;
	if (ret == VMSIM_KILLED) {
		int self = (int)(p - s->procs);
		print_killed(s, self);
		describe_state(s, p->pid, got, sizeof(got));
	} else if (ret) {
		fmt_errno(got, sizeof(got), ret);
	}
	if (!ret && !strcmp(got, wanted))
		return RUN_OK;
	expect_failed(s, wanted, got);
	return RUN_EXPECT_FAILED;
}

/* --- commands ------------------------------------------------------------ */

static enum run_status run_cmd(struct session *s, const struct vmsim_cmd *c, int line)
{
	char err[200];
	enum run_status st;

	s->line = line;
	if (c->op == VMSIM_CMD_NONE)
		return RUN_OK;
	if (c->op == VMSIM_CMD_MACHINE) {
		if (s->m || s->ran_command) {
			session_error(s, "machine: must come before every other command");
			return RUN_ERROR;
		}
		s->machine_line = line;
		for (int i = 0; i < c->nr_opts; i++) {
			if (!strcmp(c->opt_keys[i], "root")) {
				if (set_root(s, c->opt_values[i], true) != RUN_OK)
					return RUN_ERROR;
				continue;
			}
			if (vmsim_config_set(&s->cfg, c->opt_keys[i], c->opt_values[i], err,
					     sizeof(err))) {
				session_error(s, "machine: %s", err);
				return RUN_ERROR;
			}
		}
		return RUN_OK;
	}
	s->ran_command = true;
	st = session_boot(s);
	if (st != RUN_OK)
		return st;
	switch (c->op) {
	case VMSIM_CMD_SPAWN: {
		char res[64];
		int pid;
		if (check_new_name(s, c->child) != RUN_OK)
			return RUN_ERROR;
		pid = vmsim_spawn(s->m);
		if (bind_name(s, c->child, pid > 0 ? pid : -1) != RUN_OK)
			return RUN_ERROR;
		bool numeric = fmt_num(res, sizeof(res), pid);
		out_printf(s, "%s = %s\n", c->text, res);
		set_last(s, res, numeric);
		return RUN_OK;
	}
	case VMSIM_CMD_SWAPON:
	case VMSIM_CMD_SWAPOFF: {
		char res[64];
		long ret = c->op == VMSIM_CMD_SWAPON ?
			vmsim_swapon(s->m, NULL, c->len, c->flags) :
			(c->addr > 64 ? -EINVAL : vmsim_swapoff(s->m, (int)c->addr));
		bool numeric = fmt_num(res, sizeof(res), ret);

		out_printf(s, "%s = %s\n", c->text, res);
		set_last(s, res, numeric);
		return RUN_OK;
	}
	case VMSIM_CMD_SHOW:
	case VMSIM_CMD_SHOW_PAGE:
	case VMSIM_CMD_SHOW_PROC:
		return run_show(s, c);
	case VMSIM_CMD_EXPECT_READ:
	case VMSIM_CMD_EXPECT_ALIVE:
	case VMSIM_CMD_EXPECT_KILLED:
	case VMSIM_CMD_EXPECT_RESULT:
		return run_expect(s, c);
	default:
		return run_proc_cmd(s, c);
	}
}

enum run_status session_run_cmd(struct session *s, const struct vmsim_cmd *c, int line)
{
	enum run_status st = run_cmd(s, c, line);

	/* what ran is on the terminal before the next command (or a BUG) */
	if (!s->opts->json)
		fflush(stdout);
	return st;
}

enum run_status session_run_text(struct session *s, const char *text, size_t len)
{
	struct vmsim_script sc;
	char err[256];
	int errline;
	enum run_status st = RUN_OK;

	if (vmsim_script_parse(text, len, &sc, err, sizeof(err), &errline)) {
		s->line = errline;
		session_error(s, "%s", err);
		return RUN_ERROR;
	}
	for (int i = 0; i < sc.nr_cmds && st == RUN_OK; i++)
		st = session_run_cmd(s, &sc.cmds[i], sc.lines[i]);
	/* a script of comments only still boots the machine for the report */
	if (st == RUN_OK && !s->m) {
		s->line = sc.nr_cmds ? sc.lines[sc.nr_cmds - 1] : 1;
		st = session_boot(s);
	}
	vmsim_script_free(&sc);
	return st;
}

/*
 * The commands that access a process's memory (docs/script.md): touch (a
 * generated stream of loads or stores), write (text or a seeded pattern),
 * read (hex, or a hash of long reads) and trace (a memory-access trace,
 * replayed by the embedder's ops->trace).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/process.h"
#include "internal.h"

#define CHUNK		65536		/* bytes per read/write call of long transfers */

/* --- touch --------------------------------------------------------------- */

/* [read|write] [stride=N] [random=COUNT seed=S]: each at most once. */
static int parse_touch_opts(struct vmsim_args_touch *a, const struct vmsim_words *l,
			    char *err, size_t errlen)
{
	bool have_access = false, have_stride = false, have_seed = false;
	const char *v;

	a->stride = 4096;
	for (int i = 4; i < l->n; i++) {
		const struct word *w = &l->w[i];
		if (!w->quoted && (!strcmp(w->val, "read") || !strcmp(w->val, "write"))) {
			if (have_access)
				goto dup;
			have_access = true;
			a->access = w->val[0] == 'w' ? VMSIM_ACCESS_WRITE : VMSIM_ACCESS_READ;
		} else if ((v = script_kv(w, "stride"))) {
			if (have_stride)
				goto dup;
			have_stride = true;
			struct word t = { .val = (char *)v };
			if (script_parse_num(&t, &a->stride, "stride", err, errlen))
				return -1;
			if (a->stride == 0) {
				script_seterr(err, errlen, "touch: stride must be at least 1");
				return -1;
			}
		} else if ((v = script_kv(w, "random"))) {
			if (a->random)
				goto dup;
			a->random = true;
			struct word t = { .val = (char *)v };
			if (script_parse_num(&t, &a->count, "random COUNT", err, errlen))
				return -1;
		} else if ((v = script_kv(w, "seed"))) {
			if (have_seed)
				goto dup;
			have_seed = true;
			struct word t = { .val = (char *)v };
			if (script_parse_num(&t, &a->seed, "seed", err, errlen))
				return -1;
		} else {
			script_seterr(err, errlen, "touch: unknown option '%.40s' (read, write, "
				      "stride=N, random=COUNT, seed=S)", w->val);
			return -1;
		}
		continue;
dup:
		script_seterr(err, errlen, "touch: '%.40s' given twice", w->val);
		return -1;
	}
	if (have_seed && !a->random) {
		script_seterr(err, errlen, "touch: seed= goes with random=COUNT");
		return -1;
	}
	if (a->random && a->len / a->stride == 0) {
		script_seterr(err, errlen, "touch: random= needs LEN of at least one stride");
		return -1;
	}
	return 0;
}

int script_parse_touch(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		       char *err, size_t errlen)
{
	struct vmsim_args_touch *a = &c->u.touch;

	if (script_want_words(l, 4, 8, usage, err, errlen) ||
	    script_parse_num(&l->w[2], &a->addr, "ADDR", err, errlen) ||
	    script_parse_num(&l->w[3], &a->len, "LEN", err, errlen))
		return -1;
	return parse_touch_opts(a, l, err, errlen);
}

/* One generated stream (vmsim_access_pattern), not a call per access. */
enum vmsim_run_status script_run_touch(struct vmsim_session *s, const struct vmsim_cmd *c,
				       struct vmsim_call *call)
{
	const struct vmsim_args_touch *a = &c->u.touch;
	struct vmsim_access_pattern pat = {
		.addr = (unsigned long)a->addr,
		.stride = (unsigned long)a->stride,
		.count = a->random ? a->count : a->len / a->stride,
		.random = a->random,
		.slots = a->len / a->stride,
		.seed = a->seed,
		.value = 0x5a,
		.size = 1,
		.kind = a->access == VMSIM_ACCESS_WRITE ? VMSIM_ACCESS_STORE : VMSIM_ACCESS_LOAD,
	};

	script_fmt_num(call, vmsim_access_pattern(s->m, call->pid, &pat, NULL));
	return VMSIM_RUN_OK;
}

/* --- write --------------------------------------------------------------- */

/* "TEXT" or pattern=SEED len=N (either order). */
static int parse_write_data(struct vmsim_args_write *a, const struct vmsim_words *l,
			    char *err, size_t errlen)
{
	bool have_len = false;
	const char *v;

	if (l->n == 4) {
		if (!l->w[3].quoted) {
			script_seterr(err, errlen, "write: expected \"TEXT\" in quotes or pattern=SEED len=N");
			return -1;
		}
		a->data = malloc(l->w[3].val_len ? l->w[3].val_len : 1);
		if (!a->data) {
			script_seterr(err, errlen, "out of memory");
			return -1;
		}
		memcpy(a->data, l->w[3].val, l->w[3].val_len);
		a->data_len = l->w[3].val_len;
		a->len = a->data_len;
		return 0;
	}
	if (l->n != 5) {
		script_seterr(err, errlen, "write: expected ADDR \"TEXT\" or ADDR pattern=SEED len=N");
		return -1;
	}
	for (int i = 3; i < 5; i++) {
		struct word t = { 0 };
		if ((v = script_kv(&l->w[i], "pattern")) && !a->pattern) {
			t.val = (char *)v;
			a->pattern = true;
			if (script_parse_num(&t, &a->seed, "pattern SEED", err, errlen))
				return -1;
		} else if ((v = script_kv(&l->w[i], "len")) && !have_len) {
			t.val = (char *)v;
			have_len = true;
			if (script_parse_num(&t, &a->len, "len", err, errlen))
				return -1;
		} else {
			script_seterr(err, errlen, "write: expected pattern=SEED len=N, got '%.40s'",
				      l->w[i].val);
			return -1;
		}
	}
	return 0;
}

int script_parse_write(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		       char *err, size_t errlen)
{
	if (script_want_words(l, 4, 5, usage, err, errlen) ||
	    script_parse_addr_seg(&l->w[2], &c->u.write.seg, &c->u.write.sel, &c->u.write.addr,
				  err, errlen))
		return -1;
	return parse_write_data(&c->u.write, l, err, errlen);
}

void script_release_write(struct vmsim_cmd *c)
{
	free(c->u.write.data);
}

static long do_write(struct vmsim_session *s, int pid, const struct vmsim_args_write *a)
{
	unsigned char buf[CHUNK];

	if (!a->pattern && a->seg)
		return vmsim_write_seg(s->m, pid, a->sel, (unsigned long)a->addr, a->data,
				       a->data_len);
	if (!a->pattern)
		return vmsim_write(s->m, pid, (unsigned long)a->addr, a->data, a->data_len);
	for (uint64_t off = 0; off < a->len || (a->len == 0 && off == 0); off += CHUNK) {
		size_t n = a->len - off < CHUNK ? (size_t)(a->len - off) : CHUNK;
		int ret;

		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)vmsim_mix64(a->seed + off + i);
		ret = a->seg ? vmsim_write_seg(s->m, pid, a->sel, (unsigned long)(a->addr + off),
					       buf, n) :
			       vmsim_write(s->m, pid, (unsigned long)(a->addr + off), buf, n);
		if (ret || a->len == 0)
			return ret;
	}
	return 0;
}

enum vmsim_run_status script_run_write(struct vmsim_session *s, const struct vmsim_cmd *c,
				       struct vmsim_call *call)
{
	script_fmt_num(call, do_write(s, call->pid, &c->u.write));
	return VMSIM_RUN_OK;
}

/* --- read ---------------------------------------------------------------- */

int script_parse_read(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		      char *err, size_t errlen)
{
	struct vmsim_args_range *a = &c->u.read;

	if (script_want_words(l, 4, 4, usage, err, errlen) ||
	    script_parse_addr_seg(&l->w[2], &a->seg, &a->sel, &a->addr, err, errlen) ||
	    script_parse_num(&l->w[3], &a->len, "LEN", err, errlen))
		return -1;
	if (a->len == 0) {
		script_seterr(err, errlen, "read: LEN must be at least 1");
		return -1;
	}
	return 0;
}

/* A chunk of a read: through its selector, or of the linear address. */
static int read_chunk(struct vmsim_session *s, int pid, const struct vmsim_args_range *a,
		      uint64_t off, void *buf, size_t n)
{
	if (a->seg)
		return vmsim_read_seg(s->m, pid, a->sel, (unsigned long)(a->addr + off), buf, n);
	return vmsim_read(s->m, pid, (unsigned long)(a->addr + off), buf, n);
}

int script_read_text(struct vmsim_session *s, int pid, uint64_t addr, uint64_t len, char *out,
		     size_t outlen)
{
	struct vmsim_args_range a = { .addr = addr, .len = len };

	return script_read_range(s, pid, &a, out, outlen);
}

int script_read_range(struct vmsim_session *s, int pid, const struct vmsim_args_range *a,
		      char *out, size_t outlen)
{
	uint64_t len = a->len;
	unsigned char buf[CHUNK];
	uint64_t h = VMSIM_FNV1A64_INIT;
	int ret;

	if (len <= 64) {
		ret = read_chunk(s, pid, a, 0, buf, (size_t)len);
		if (ret)
			return ret;
		for (uint64_t i = 0; i < len && 2 * i + 2 < outlen; i++)
			snprintf(out + 2 * i, 3, "%02x", buf[i]);
		return 0;
	}
	for (uint64_t off = 0; off < len; off += CHUNK) {
		size_t n = len - off < CHUNK ? (size_t)(len - off) : CHUNK;

		ret = read_chunk(s, pid, a, off, buf, n);
		if (ret)
			return ret;
		h = vmsim_fnv1a64(h, buf, n);
	}
	snprintf(out, outlen, "fnv1a64:%016llx", (unsigned long long)h);
	return 0;
}

enum vmsim_run_status script_run_read(struct vmsim_session *s, const struct vmsim_cmd *c,
				      struct vmsim_call *call)
{
	call->ret = script_read_range(s, call->pid, &c->u.read, call->res, sizeof(call->res));
	if (call->ret)
		script_fmt_errno(call->res, sizeof(call->res), call->ret);
	call->numeric = false;
	return VMSIM_RUN_OK;
}

/* --- trace --------------------------------------------------------------- */

/* FILE [auto|lackey|din|plain] [map=auto|none]: each option at most once. */
int script_parse_trace(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		       char *err, size_t errlen)
{
	struct vmsim_args_trace *a = &c->u.trace;
	bool have_format = false, have_map = false;
	const char *v;

	if (script_want_words(l, 3, 5, usage, err, errlen))
		return -1;
	if (memchr(l->w[2].val, 0, l->w[2].val_len) || !l->w[2].val_len) {
		script_seterr(err, errlen, "trace: bad FILE name");
		return -1;
	}
	a->path = strdup(l->w[2].val);
	if (!a->path) {
		script_seterr(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 3; i < l->n; i++) {
		const struct word *w = &l->w[i];
		int f = w->quoted ? -1 : vmsim_trace_format_parse(w->val);

		if (f >= 0) {
			if (have_format)
				goto dup;
			have_format = true;
			a->format = (enum vmsim_trace_format)f;
		} else if ((v = script_kv(w, "map"))) {
			if (have_map)
				goto dup;
			have_map = true;
			if (strcmp(v, "auto") && strcmp(v, "none")) {
				script_seterr(err, errlen, "trace: map= wants auto or none, got '%.40s'", v);
				return -1;
			}
			a->map_none = !strcmp(v, "none");
		} else {
			script_seterr(err, errlen, "trace: unknown option '%.40s' (auto, lackey, din, "
				      "plain, map=auto, map=none)", w->val);
			return -1;
		}
		continue;
dup:
		script_seterr(err, errlen, "trace: a second %s in '%.40s'",
			      script_kv(w, "map") ? "map=" : "format", w->val);
		return -1;
	}
	return 0;
}

void script_release_trace(struct vmsim_cmd *c)
{
	free(c->u.trace.path);
}

/*
 * The count of accesses made, or the process's fate.  FILE is relative to
 * the script's directory (as an include would be), so that a script and its
 * traces move together; standard input, the shell and the demo resolve
 * against the working directory.
 */
enum vmsim_run_status script_run_trace(struct vmsim_session *s, const struct vmsim_cmd *c,
				       struct vmsim_call *call)
{
	const struct vmsim_args_trace *a = &c->u.trace;
	bool error = false;
	char *path;
	long ret;

	if (!s->ops || !s->ops->trace) {
		vmsim_session_error(s, "trace: no trace replay in this program");
		return VMSIM_RUN_ERROR;
	}
	path = script_relative(s, a->path);
	if (!path) {
		script_fmt_num(call, -ENOMEM);
		return VMSIM_RUN_OK;
	}
	ret = s->ops->trace(s, call->pid, path, a->format, !a->map_none, &error);
	free(path);
	if (error)
		return VMSIM_RUN_ERROR;
	script_fmt_num(call, ret);
	return VMSIM_RUN_OK;
}

/*
 * The commands of files (docs/script.md): open, close, pread, pwrite and
 * fsync and ftruncate on the machine's files (the host directory root= names).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/file.h"
#include "internal.h"

/* open's MODE: octal digits, as chmod takes them (644, 0600). */
static int parse_mode(const struct word *w, int *mode, char *err, size_t errlen)
{
	const char *p = w->val;
	int v = 0;

	if (w->quoted || !*p || strlen(p) > 5)
		goto bad;
	for (; *p; p++) {
		if (*p < '0' || *p > '7')
			goto bad;
		v = v * 8 + (*p - '0');
	}
	if (v > 07777)
		goto bad;
	*mode = v;
	return 0;
bad:
	script_seterr(err, errlen, "bad MODE '%.40s' (octal, as 644)", w->val);
	return -1;
}

/* A PATH word (no NUL byte, not empty), copied into *@path for the command @cmd. */
static int parse_path(const struct word *w, const char *cmd, char **path, char *err,
		      size_t errlen)
{
	if (memchr(w->val, 0, w->val_len) || !w->val_len) {
		script_seterr(err, errlen, "%s: bad PATH '%.40s'", cmd, w->raw);
		return -1;
	}
	*path = strdup(w->val);
	if (!*path) {
		script_seterr(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int script_parse_open(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		      char *err, size_t errlen)
{
	struct vmsim_args_open *a = &c->u.open;

	if (script_want_words(l, 3, 5, usage, err, errlen))
		return -1;
	a->mode = 0644;
	if ((l->n >= 4 && vmsim_parse_open_flags(l->w[3].val, &a->flags, err, errlen)) ||
	    (l->n == 5 && parse_mode(&l->w[4], &a->mode, err, errlen)))
		return -1;
	return parse_path(&l->w[2], "open", &a->path, err, errlen);
}

void script_release_open(struct vmsim_cmd *c)
{
	free(c->u.open.path);
}

enum vmsim_run_status script_run_open(struct vmsim_session *s, const struct vmsim_cmd *c,
				      struct vmsim_call *call)
{
	const struct vmsim_args_open *a = &c->u.open;

	script_fmt_num(call, vmsim_open(s->m, call->pid, a->path, a->flags,
					(unsigned int)a->mode));
	return VMSIM_RUN_OK;
}

/* FD: close and fsync. */
static int parse_fd_only(struct vmsim_args_fd *a, const struct vmsim_words *l,
			 const char *usage, char *err, size_t errlen)
{
	if (script_want_words(l, 3, 3, usage, err, errlen) ||
	    script_parse_fd(&l->w[2], &a->fd, err, errlen))
		return -1;
	return 0;
}

int script_parse_close(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		       char *err, size_t errlen)
{
	return parse_fd_only(&c->u.close, l, usage, err, errlen);
}

enum vmsim_run_status script_run_close(struct vmsim_session *s, const struct vmsim_cmd *c,
				       struct vmsim_call *call)
{
	script_fmt_num(call, vmsim_close(s->m, call->pid, c->u.close.fd));
	return VMSIM_RUN_OK;
}

int script_parse_fsync(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		       char *err, size_t errlen)
{
	return parse_fd_only(&c->u.fsync, l, usage, err, errlen);
}

enum vmsim_run_status script_run_fsync(struct vmsim_session *s, const struct vmsim_cmd *c,
				       struct vmsim_call *call)
{
	script_fmt_num(call, vmsim_fsync(s->m, call->pid, c->u.fsync.fd));
	return VMSIM_RUN_OK;
}

/* FD ADDR LEN OFFSET: pread and pwrite. */
static int parse_pio(struct vmsim_args_pio *a, const struct vmsim_words *l, const char *usage,
		     char *err, size_t errlen)
{
	if (script_want_words(l, 6, 6, usage, err, errlen) ||
	    script_parse_fd(&l->w[2], &a->fd, err, errlen) ||
	    script_parse_num(&l->w[3], &a->addr, "ADDR", err, errlen) ||
	    script_parse_num(&l->w[4], &a->len, "LEN", err, errlen) ||
	    script_parse_num(&l->w[5], &a->offset, "OFFSET", err, errlen))
		return -1;
	return 0;
}

int script_parse_pread(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		       char *err, size_t errlen)
{
	return parse_pio(&c->u.pread, l, usage, err, errlen);
}

enum vmsim_run_status script_run_pread(struct vmsim_session *s, const struct vmsim_cmd *c,
				       struct vmsim_call *call)
{
	const struct vmsim_args_pio *a = &c->u.pread;

	script_fmt_num(call, a->offset > INT64_MAX ? -EINVAL :
		       vmsim_pread(s->m, call->pid, a->fd, (unsigned long)a->addr,
				   (size_t)a->len, (int64_t)a->offset));
	return VMSIM_RUN_OK;
}

int script_parse_pwrite(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			char *err, size_t errlen)
{
	return parse_pio(&c->u.pwrite, l, usage, err, errlen);
}

enum vmsim_run_status script_run_pwrite(struct vmsim_session *s, const struct vmsim_cmd *c,
					struct vmsim_call *call)
{
	const struct vmsim_args_pio *a = &c->u.pwrite;

	script_fmt_num(call, a->offset > INT64_MAX ? -EINVAL :
		       vmsim_pwrite(s->m, call->pid, a->fd, (unsigned long)a->addr,
				    (size_t)a->len, (int64_t)a->offset));
	return VMSIM_RUN_OK;
}

/* LEN of (f)truncate: may be negative, so the call (not the parser) refuses it. */
static int parse_length(const struct word *w, int64_t *length, char *err, size_t errlen)
{
	bool neg;
	uint64_t v;

	neg = !w->quoted && w->val[0] == '-';
	if (w->quoted || vmsim_parse_number(w->val + neg, &v) || v > (uint64_t)INT64_MAX) {
		script_seterr(err, errlen, "bad LEN '%.40s' (decimal, 0x-hex, optional K/M/G, "
			      "at most 2^63 - 1)", w->val);
		return -1;
	}
	*length = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int script_parse_ftruncate(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			   char *err, size_t errlen)
{
	struct vmsim_args_ftruncate *a = &c->u.ftruncate;

	if (script_want_words(l, 4, 4, usage, err, errlen) ||
	    script_parse_fd(&l->w[2], &a->fd, err, errlen))
		return -1;
	return parse_length(&l->w[3], &a->length, err, errlen);
}

int script_parse_truncate(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			  char *err, size_t errlen)
{
	struct vmsim_args_ftruncate *a = &c->u.truncate;

	if (script_want_words(l, 4, 4, usage, err, errlen) ||
	    parse_length(&l->w[3], &a->length, err, errlen))
		return -1;
	return parse_path(&l->w[2], "truncate", &a->path, err, errlen);
}

void script_release_truncate(struct vmsim_cmd *c)
{
	free(c->u.truncate.path);
}

enum vmsim_run_status script_run_truncate(struct vmsim_session *s, const struct vmsim_cmd *c,
					  struct vmsim_call *call)
{
	const struct vmsim_args_ftruncate *a = &c->u.truncate;

	script_fmt_num(call, vmsim_truncate(s->m, call->pid, a->path, a->length));
	return VMSIM_RUN_OK;
}

enum vmsim_run_status script_run_ftruncate(struct vmsim_session *s, const struct vmsim_cmd *c,
					   struct vmsim_call *call)
{
	const struct vmsim_args_ftruncate *a = &c->u.ftruncate;

	script_fmt_num(call, vmsim_ftruncate(s->m, call->pid, a->fd, a->length));
	return VMSIM_RUN_OK;
}

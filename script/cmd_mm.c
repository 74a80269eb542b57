/*
 * The commands of the address space (docs/script.md): mmap, munmap,
 * mprotect, mremap, brk, madvise, mlock, munlock, mlockall, munlockall,
 * mincore, setsp and msync.  Each parses its words into its own argument
 * structure and runs as the one system call it names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>		/* MS_*: Linux's values, as vmsim_msync takes them */
#include "vmsim/file.h"
#include "vmsim/process.h"
#include "internal.h"

#define MINCORE_CHUNK	65536		/* pages per mincore call */
#define PAGE_BYTES	4096UL

/* ADDR LEN, the arguments of munmap, mlock, munlock, mincore and read. */
static int parse_range(struct vmsim_args_range *a, const struct vmsim_words *l,
		       const char *usage, char *err, size_t errlen)
{
	if (script_want_words(l, 4, 4, usage, err, errlen) ||
	    script_parse_num(&l->w[2], &a->addr, "ADDR", err, errlen) ||
	    script_parse_num(&l->w[3], &a->len, "LEN", err, errlen))
		return -1;
	return 0;
}

/* ADDR, the argument of brk and setsp. */
static int parse_addr(struct vmsim_args_addr *a, const struct vmsim_words *l,
		      const char *usage, char *err, size_t errlen)
{
	if (script_want_words(l, 3, 3, usage, err, errlen) ||
	    script_parse_num(&l->w[2], &a->addr, "ADDR", err, errlen))
		return -1;
	return 0;
}

/* --- mmap ---------------------------------------------------------------- */

int script_parse_mmap(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		      char *err, size_t errlen)
{
	struct vmsim_args_mmap *a = &c->u.mmap;

	a->fd = -1;
	if (script_want_words(l, 6, 8, usage, err, errlen) ||
	    script_parse_num(&l->w[2], &a->addr, "ADDR", err, errlen) ||
	    script_parse_num(&l->w[3], &a->len, "LEN", err, errlen) ||
	    script_parse_prot(&l->w[4], &a->prot, err, errlen) ||
	    vmsim_parse_mmap_flags(l->w[5].val, &a->flags, err, errlen) ||
	    (l->n >= 7 && script_parse_fd(&l->w[6], &a->fd, err, errlen)) ||
	    (l->n == 8 && script_parse_num(&l->w[7], &a->offset, "OFFSET", err, errlen)))
		return -1;
	return 0;
}

enum vmsim_run_status script_run_mmap(struct vmsim_session *s, const struct vmsim_cmd *c,
				      struct vmsim_call *call)
{
	const struct vmsim_args_mmap *a = &c->u.mmap;

	script_fmt_addr(call, vmsim_mmap(s->m, call->pid, (unsigned long)a->addr,
					 (unsigned long)a->len, a->prot, a->flags, a->fd,
					 (unsigned long)a->offset));
	return VMSIM_RUN_OK;
}

/* --- munmap, mlock, munlock ---------------------------------------------- */

int script_parse_munmap(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			char *err, size_t errlen)
{
	return parse_range(&c->u.munmap, l, usage, err, errlen);
}

enum vmsim_run_status script_run_munmap(struct vmsim_session *s, const struct vmsim_cmd *c,
					struct vmsim_call *call)
{
	const struct vmsim_args_range *a = &c->u.munmap;

	script_fmt_num(call, vmsim_munmap(s->m, call->pid, (unsigned long)a->addr,
					  (unsigned long)a->len));
	return VMSIM_RUN_OK;
}

int script_parse_mlock(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		       char *err, size_t errlen)
{
	return parse_range(&c->u.mlock, l, usage, err, errlen);
}

enum vmsim_run_status script_run_mlock(struct vmsim_session *s, const struct vmsim_cmd *c,
				       struct vmsim_call *call)
{
	const struct vmsim_args_range *a = &c->u.mlock;

	script_fmt_num(call, vmsim_mlock(s->m, call->pid, (unsigned long)a->addr,
					 (unsigned long)a->len));
	return VMSIM_RUN_OK;
}

int script_parse_munlock(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			 char *err, size_t errlen)
{
	return parse_range(&c->u.munlock, l, usage, err, errlen);
}

enum vmsim_run_status script_run_munlock(struct vmsim_session *s, const struct vmsim_cmd *c,
					 struct vmsim_call *call)
{
	const struct vmsim_args_range *a = &c->u.munlock;

	script_fmt_num(call, vmsim_munlock(s->m, call->pid, (unsigned long)a->addr,
					   (unsigned long)a->len));
	return VMSIM_RUN_OK;
}

/* --- mprotect, mremap ---------------------------------------------------- */

int script_parse_mprotect(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			  char *err, size_t errlen)
{
	struct vmsim_args_mprotect *a = &c->u.mprotect;

	if (script_want_words(l, 5, 5, usage, err, errlen) ||
	    script_parse_num(&l->w[2], &a->addr, "ADDR", err, errlen) ||
	    script_parse_num(&l->w[3], &a->len, "LEN", err, errlen) ||
	    script_parse_prot(&l->w[4], &a->prot, err, errlen))
		return -1;
	return 0;
}

enum vmsim_run_status script_run_mprotect(struct vmsim_session *s, const struct vmsim_cmd *c,
					  struct vmsim_call *call)
{
	const struct vmsim_args_mprotect *a = &c->u.mprotect;

	script_fmt_num(call, vmsim_mprotect(s->m, call->pid, (unsigned long)a->addr,
					    (unsigned long)a->len, a->prot));
	return VMSIM_RUN_OK;
}

int script_parse_mremap(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			char *err, size_t errlen)
{
	struct vmsim_args_mremap *a = &c->u.mremap;

	if (script_want_words(l, 5, 7, usage, err, errlen) ||
	    script_parse_num(&l->w[2], &a->addr, "ADDR", err, errlen) ||
	    script_parse_num(&l->w[3], &a->old_len, "OLDLEN", err, errlen) ||
	    script_parse_num(&l->w[4], &a->new_len, "NEWLEN", err, errlen))
		return -1;
	if (l->n >= 6 && vmsim_parse_mremap_flags(l->w[5].val, &a->flags, err, errlen))
		return -1;
	if (l->n == 7 && script_parse_num(&l->w[6], &a->new_addr, "NEWADDR", err, errlen))
		return -1;
	return 0;
}

enum vmsim_run_status script_run_mremap(struct vmsim_session *s, const struct vmsim_cmd *c,
					struct vmsim_call *call)
{
	const struct vmsim_args_mremap *a = &c->u.mremap;

	script_fmt_addr(call, vmsim_mremap(s->m, call->pid, (unsigned long)a->addr,
					   (unsigned long)a->old_len, (unsigned long)a->new_len,
					   a->flags, (unsigned long)a->new_addr));
	return VMSIM_RUN_OK;
}

/* --- brk, setsp ---------------------------------------------------------- */

int script_parse_brk(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		     char *err, size_t errlen)
{
	return parse_addr(&c->u.brk, l, usage, err, errlen);
}

enum vmsim_run_status script_run_brk(struct vmsim_session *s, const struct vmsim_cmd *c,
				     struct vmsim_call *call)
{
	script_fmt_addr(call, vmsim_brk(s->m, call->pid, (unsigned long)c->u.brk.addr));
	return VMSIM_RUN_OK;
}

int script_parse_setsp(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		       char *err, size_t errlen)
{
	return parse_addr(&c->u.setsp, l, usage, err, errlen);
}

enum vmsim_run_status script_run_setsp(struct vmsim_session *s, const struct vmsim_cmd *c,
				       struct vmsim_call *call)
{
	script_fmt_num(call, vmsim_set_sp(s->m, call->pid, (unsigned long)c->u.setsp.addr));
	return VMSIM_RUN_OK;
}

/* --- madvise, mlockall, munlockall --------------------------------------- */

int script_parse_madvise(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			 char *err, size_t errlen)
{
	struct vmsim_args_madvise *a = &c->u.madvise;

	if (script_want_words(l, 5, 5, usage, err, errlen) ||
	    script_parse_num(&l->w[2], &a->addr, "ADDR", err, errlen) ||
	    script_parse_num(&l->w[3], &a->len, "LEN", err, errlen))
		return -1;
	a->advice = l->w[4].quoted ? -1 : vmsim_parse_advice(l->w[4].val);
	if (a->advice < 0) {
		script_seterr(err, errlen, "madvise: unknown advice '%.40s' (normal, random, "
			      "sequential, willneed, dontneed)", l->w[4].val);
		return -1;
	}
	return 0;
}

enum vmsim_run_status script_run_madvise(struct vmsim_session *s, const struct vmsim_cmd *c,
					 struct vmsim_call *call)
{
	const struct vmsim_args_madvise *a = &c->u.madvise;

	script_fmt_num(call, vmsim_madvise(s->m, call->pid, (unsigned long)a->addr,
					   (unsigned long)a->len, a->advice));
	return VMSIM_RUN_OK;
}

int script_parse_mlockall(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			  char *err, size_t errlen)
{
	if (script_want_words(l, 3, 3, usage, err, errlen) ||
	    vmsim_parse_mlockall_flags(l->w[2].val, &c->u.mlockall.flags, err, errlen))
		return -1;
	return 0;
}

enum vmsim_run_status script_run_mlockall(struct vmsim_session *s, const struct vmsim_cmd *c,
					  struct vmsim_call *call)
{
	script_fmt_num(call, vmsim_mlockall(s->m, call->pid, c->u.mlockall.flags));
	return VMSIM_RUN_OK;
}

int script_parse_munlockall(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			    char *err, size_t errlen)
{
	return script_want_words(l, 2, 2, usage, err, errlen);
}

enum vmsim_run_status script_run_munlockall(struct vmsim_session *s, const struct vmsim_cmd *c,
					    struct vmsim_call *call)
{
	script_fmt_num(call, vmsim_munlockall(s->m, call->pid));
	return VMSIM_RUN_OK;
}

/* --- mincore ------------------------------------------------------------- */

int script_parse_mincore(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
			 char *err, size_t errlen)
{
	return parse_range(&c->u.mincore, l, usage, err, errlen);
}

/* '1'/'0' per page up to 64 pages, else the resident count. */
static long do_mincore(struct vmsim_session *s, int pid, const struct vmsim_args_range *a,
		       char *out, size_t outlen)
{
	uint64_t pages = a->len / PAGE_BYTES + (a->len % PAGE_BYTES != 0);
	unsigned char *vec;
	uint64_t resident = 0;
	long ret = 0;

	if (pages == 0) {
		ret = vmsim_mincore(s->m, pid, (unsigned long)a->addr, 0, NULL);
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
		uint64_t bytes = a->len - off < n * PAGE_BYTES ? a->len - off : n * PAGE_BYTES;

		ret = vmsim_mincore(s->m, pid, (unsigned long)(a->addr + off),
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

enum vmsim_run_status script_run_mincore(struct vmsim_session *s, const struct vmsim_cmd *c,
					 struct vmsim_call *call)
{
	call->ret = do_mincore(s, call->pid, &c->u.mincore, call->res, sizeof(call->res));
	if (call->ret)
		script_fmt_errno(call->res, sizeof(call->res), call->ret);
	call->numeric = false;
	return VMSIM_RUN_OK;
}

/* --- msync --------------------------------------------------------------- */

/* sync, async, invalidate, comma separated (sync,invalidate), or raw bits. */
static int parse_msync_flags(const struct word *w, int *flags, char *err, size_t errlen)
{
	static const struct { const char *name; int bit; } names[] = {
		{ "async", MS_ASYNC }, { "invalidate", MS_INVALIDATE }, { "sync", MS_SYNC },
	};
	const char *p = w->val;

	if (!w->quoted && p[0] >= '0' && p[0] <= '9' && !script_parse_int(p, flags))
		return 0;
	*flags = 0;
	while (!w->quoted) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && !strncmp(names[i].name, p, n))
				break;
		if (i == sizeof(names) / sizeof(names[0]) || (*flags & names[i].bit))
			break;
		*flags |= names[i].bit;
		if (!p[n])
			return 0;
		p += n + 1;
	}
	script_seterr(err, errlen, "msync: bad flags '%.40s' (sync, async, invalidate, "
		      "comma separated)", w->val);
	return -1;
}

int script_parse_msync(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		       char *err, size_t errlen)
{
	struct vmsim_args_msync *a = &c->u.msync;

	a->flags = MS_SYNC;
	if (script_want_words(l, 4, 5, usage, err, errlen) ||
	    script_parse_num(&l->w[2], &a->addr, "ADDR", err, errlen) ||
	    script_parse_num(&l->w[3], &a->len, "LEN", err, errlen) ||
	    (l->n == 5 && parse_msync_flags(&l->w[4], &a->flags, err, errlen)))
		return -1;
	return 0;
}

enum vmsim_run_status script_run_msync(struct vmsim_session *s, const struct vmsim_cmd *c,
				       struct vmsim_call *call)
{
	const struct vmsim_args_msync *a = &c->u.msync;

	script_fmt_num(call, vmsim_msync(s->m, call->pid, (unsigned long)a->addr,
					 (unsigned long)a->len, a->flags));
	return VMSIM_RUN_OK;
}

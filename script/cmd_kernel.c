/*
 * The kernel context of the script language (docs/script.md, `K`): the
 * kernel's own allocation calls, loads and stores at kernel addresses and
 * the driver modules, through include/vmsim/kernel.h.
 *
 *   K OP ARGS... [as NAME]
 *
 * OP is the kernel function's name (alloc_pages, __free_pages, kmalloc,
 * kfree, kmem_cache_create, kmem_cache_alloc, kmem_cache_free,
 * kmem_cache_shrink, kmem_cache_destroy, vmalloc, vfree, kmap, kunmap)
 * or read, write, insmod, rmmod.  A result can be named with `as NAME`;
 * a later ADDR or PFN argument may be the name, or NAME+OFFSET.  The
 * names live in the session (struct vmsim_session's khandles); what is
 * left allocated when the session ends is reported and freed there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/kernel.h"
#include "internal.h"

enum kop {
	KOP_ALLOC_PAGES, KOP_FREE_PAGES, KOP_KMALLOC, KOP_KFREE, KOP_CACHE_CREATE,
	KOP_CACHE_ALLOC, KOP_CACHE_FREE, KOP_CACHE_SHRINK, KOP_CACHE_DESTROY, KOP_VMALLOC,
	KOP_VFREE, KOP_KMAP, KOP_KUNMAP, KOP_READ, KOP_WRITE, KOP_INSMOD, KOP_RMMOD
};

/* Each op: its word, its argument count (words after OP, `as`/`in` not counted), naming. */
static const struct {
	const char *word;
	int min, max;
	bool names;		/* `as NAME` allowed */
	const char *args;
} kops[] = {
	[KOP_ALLOC_PAGES] = { "alloc_pages", 1, 2, true, "ORDER [GFP]" },
	[KOP_FREE_PAGES] = { "__free_pages", 1, 2, false, "PFN [ORDER]" },
	[KOP_KMALLOC] = { "kmalloc", 1, 2, true, "SIZE [GFP]" },
	[KOP_KFREE] = { "kfree", 1, 1, false, "ADDR" },
	[KOP_CACHE_CREATE] = { "kmem_cache_create", 2, 5, false,
			       "CACHE SIZE [align=N] [hwcache] [ctor=BYTE]" },
	[KOP_CACHE_ALLOC] = { "kmem_cache_alloc", 1, 2, true, "CACHE [GFP]" },
	[KOP_CACHE_FREE] = { "kmem_cache_free", 2, 2, false, "CACHE ADDR" },
	[KOP_CACHE_SHRINK] = { "kmem_cache_shrink", 1, 1, false, "CACHE" },
	[KOP_CACHE_DESTROY] = { "kmem_cache_destroy", 1, 1, false, "CACHE" },
	[KOP_VMALLOC] = { "vmalloc", 1, 1, true, "SIZE" },
	[KOP_VFREE] = { "vfree", 1, 1, false, "ADDR" },
	[KOP_KMAP] = { "kmap", 1, 1, true, "PFN" },
	[KOP_KUNMAP] = { "kunmap", 1, 1, false, "PFN" },
	[KOP_READ] = { "read", 2, 2, false, "ADDR LEN [in A]" },
	[KOP_WRITE] = { "write", 2, 2, false, "ADDR \"TEXT\" [in A]" },
	[KOP_INSMOD] = { "insmod", 1, 1, false, "MODULE" },
	[KOP_RMMOD] = { "rmmod", 1, 1, false, "MODULE" },
};
#define NR_KOPS	(int)(sizeof(kops) / sizeof(kops[0]))

/* GFP words: kernel, atomic, dma, highmem, zero, joined with commas. */
static int parse_gfp(const char *s, int *gfp)
{
	char buf[64], *save = NULL;

	*gfp = 0;
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "kernel"))
			;
		else if (!strcmp(w, "atomic"))
			*gfp |= VMSIM_GFP_ATOMIC;
		else if (!strcmp(w, "dma"))
			*gfp |= VMSIM_GFP_DMA;
		else if (!strcmp(w, "highmem"))
			*gfp |= VMSIM_GFP_HIGHMEM;
		else if (!strcmp(w, "zero"))
			*gfp |= VMSIM_GFP_ZERO;
		else
			return -1;
	}
	return 0;
}

static bool handle_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= VMSIM_NAME_MAX || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

int script_parse_K(struct vmsim_cmd *c, const struct vmsim_words *l, const char *usage,
		   char *err, size_t errlen)
{
	struct vmsim_args_kernel *a = &c->u.K;
	int n = l->n, op;

	if (n < 2 || l->w[1].quoted) {
		script_seterr(err, errlen, "usage: %s", usage);
		return -1;
	}
	for (op = 0; op < NR_KOPS && strcmp(kops[op].word, l->w[1].val); op++)
		;
	if (op == NR_KOPS) {
		script_seterr(err, errlen, "unknown kernel call '%.40s' (K alloc_pages, kmalloc, "
			      "vmalloc, read, ...: see help K)", l->w[1].val);
		return -1;
	}
	a->op = op;
	if (n >= 4 && !l->w[n - 2].quoted && (!strcmp(l->w[n - 2].val, "as") ||
					      !strcmp(l->w[n - 2].val, "in"))) {
		bool as = !strcmp(l->w[n - 2].val, "as");

		if (as && !kops[op].names) {
			script_seterr(err, errlen, "K %s has no result to name", kops[op].word);
			return -1;
		}
		if (!as && op != KOP_READ && op != KOP_WRITE) {
			script_seterr(err, errlen, "only K read and K write run in a process");
			return -1;
		}
		if (as ? !handle_name_ok(l->w[n - 1].val) :
			 script_parse_name(&l->w[n - 1], a->in, err, errlen)) {
			if (as)
				script_seterr(err, errlen, "bad NAME '%.40s'", l->w[n - 1].raw);
			return -1;
		}
		if (as)
			strcpy(a->as, l->w[n - 1].val);
		n -= 2;
	}
	if (n - 2 < kops[op].min || n - 2 > kops[op].max) {
		script_seterr(err, errlen, "usage: K %s %s", kops[op].word, kops[op].args);
		return -1;
	}
	a->nargs = n - 2;
	for (int i = 0; i < a->nargs; i++) {
		const struct word *w = &l->w[2 + i];

		if (w->quoted != (op == KOP_WRITE && i == 1)) {
			script_seterr(err, errlen, "usage: K %s %s", kops[op].word, kops[op].args);
			return -1;
		}
		a->args[i] = malloc(w->val_len + 1);
		if (!a->args[i]) {
			script_seterr(err, errlen, "out of memory");
			return -1;
		}
		memcpy(a->args[i], w->val, w->val_len + 1);
		a->arg_len[i] = w->val_len;
	}
	return 0;
}

void script_release_K(struct vmsim_cmd *c)
{
	for (int i = 0; i < 5; i++)
		free(c->u.K.args[i]);
}

/* --- handles ---------------------------------------------------------------- */

static struct vmsim_khandle *khandle_find(struct vmsim_session *s, const char *name)
{
	for (int i = 0; i < s->nr_khandles; i++)
		if (!strcmp(s->khandles[i].name, name))
			return &s->khandles[i];
	return NULL;
}

static int khandle_set(struct vmsim_session *s, const char *name, uint64_t value, bool pfn,
		       unsigned int order)
{
	struct vmsim_khandle *h = khandle_find(s, name);

	if (!h) {
		if (s->nr_khandles == s->cap_khandles) {
			int cap = s->cap_khandles ? 2 * s->cap_khandles : 8;
			struct vmsim_khandle *n = realloc(s->khandles, (size_t)cap * sizeof(*n));

			if (!n)
				return -1;
			s->khandles = n;
			s->cap_khandles = cap;
		}
		h = &s->khandles[s->nr_khandles++];
		memset(h, 0, sizeof(*h));
		strcpy(h->name, name);
	}
	h->value = value;
	h->pfn = pfn;
	h->order = order;
	return 0;
}

/* A number, NAME or NAME+OFFSET: 0, or -1 with the error printed. */
static int resolve(struct vmsim_session *s, const char *text, const char *what, uint64_t *out,
		   struct vmsim_khandle **hp)
{
	char name[VMSIM_NAME_MAX];
	const char *plus = strchr(text, '+');
	size_t n = plus ? (size_t)(plus - text) : strlen(text);
	struct vmsim_khandle *h;
	uint64_t off = 0;

	if (hp)
		*hp = NULL;
	if (!vmsim_parse_number(text, out))
		return 0;
	if (n >= sizeof(name))
		goto bad;
	memcpy(name, text, n);
	name[n] = 0;
	if (plus && vmsim_parse_number(plus + 1, &off))
		goto bad;
	h = khandle_find(s, name);
	if (h) {
		*out = h->value + off;
		if (hp)
			*hp = h;
		return 0;
	}
	if (!strncmp(name, "mmapdrv.", 8)) {
		/* the driver's buffers, while it is loaded */
		struct vmsim_mmapdrv_buffers b;

		if (!vmsim_kernel_mmapdrv_buffers(s->m, &b)) {
			uint64_t base = !strcmp(name + 8, "kmalloc") ? b.kmalloc_addr :
					!strcmp(name + 8, "vmalloc") ? b.vmalloc_addr :
					!strcmp(name + 8, "mmio") ? b.mmio_addr : 0;

			if (base) {
				*out = base + off;
				return 0;
			}
		}
	}
bad:
	vmsim_session_error(s, "bad %s '%.40s' (a number, or a name given with `as`)", what, text);
	return -1;
}

int script_kernel_resolve(struct vmsim_session *s, const char *text, const char *what,
			  uint64_t *out)
{
	return resolve(s, text, what, out, NULL);
}

int script_kernel_resolve_pfn(struct vmsim_session *s, const char *text, uint64_t *out)
{
	struct vmsim_khandle *h;

	if (resolve(s, text, "PFN", out, &h))
		return -1;
	if (h && !h->pfn) {
		vmsim_session_error(s, "'%.40s' is a kernel address, not a frame (`K alloc_pages "
				    "... as NAME` names a frame; `show K pagetable %.40s` finds its frame)",
				    text, text);
		return -1;
	}
	return 0;
}

static void result(struct vmsim_session *s, const struct vmsim_cmd *c, const char *fmt,
		   unsigned long v, long err)
{
	char res[64];

	if (err < 0)
		script_fmt_errno(res, sizeof(res), err);
	else
		snprintf(res, sizeof(res), fmt, v);
	script_print_result(s, c, res, err >= 0);
}

/* --- the calls ---------------------------------------------------------------- */

static enum vmsim_run_status run_alloc(struct vmsim_session *s, const struct vmsim_cmd *c)
{
	const struct vmsim_args_kernel *a = &c->u.K;
	uint64_t num;
	unsigned long v = 0;
	int gfp = 0, err;

	if (resolve(s, a->args[0], a->op == KOP_ALLOC_PAGES ? "ORDER" : "SIZE", &num, NULL))
		return VMSIM_RUN_ERROR;
	if (a->nargs == 2 && parse_gfp(a->args[1], &gfp)) {
		vmsim_session_error(s, "bad GFP '%.40s' (kernel, atomic, dma, highmem, zero)",
				    a->args[1]);
		return VMSIM_RUN_ERROR;
	}
	switch (a->op) {
	case KOP_ALLOC_PAGES:
		err = num > 64 ? -EINVAL : vmsim_kernel_alloc_pages(s->m, (unsigned)num, gfp, &v);
		break;
	case KOP_KMALLOC:
		err = vmsim_kernel_kmalloc(s->m, (unsigned long)num, gfp, &v);
		break;
	default:
		err = vmsim_kernel_vmalloc(s->m, (unsigned long)num, &v);
		break;
	}
	if (!err && a->as[0] && khandle_set(s, a->as, v, a->op == KOP_ALLOC_PAGES,
					     (unsigned)num)) {
		vmsim_session_error(s, "out of memory");
		return VMSIM_RUN_ERROR;
	}
	result(s, c, a->op == KOP_ALLOC_PAGES ? "pfn 0x%lx" : "0x%lx", v, err);
	return VMSIM_RUN_OK;
}

static enum vmsim_run_status run_free(struct vmsim_session *s, const struct vmsim_cmd *c)
{
	const struct vmsim_args_kernel *a = &c->u.K;
	const char *arg = a->op == KOP_CACHE_FREE ? a->args[1] : a->args[0];
	struct vmsim_khandle *h;
	uint64_t v, order = 0;
	int err;

	if (resolve(s, arg, a->op == KOP_FREE_PAGES || a->op == KOP_KUNMAP ? "PFN" : "ADDR", &v,
		    &h))
		return VMSIM_RUN_ERROR;
	if (a->op == KOP_FREE_PAGES) {
		if (h)
			order = h->order;
		if (a->nargs == 2 && resolve(s, a->args[1], "ORDER", &order, NULL))
			return VMSIM_RUN_ERROR;
	}
	switch (a->op) {
	case KOP_FREE_PAGES:
		err = order > 64 ? -EINVAL :
				   vmsim_kernel_free_pages(s->m, (unsigned long)v, (unsigned)order);
		break;
	case KOP_KFREE:
		err = vmsim_kernel_kfree(s->m, (unsigned long)v);
		break;
	case KOP_CACHE_FREE:
		err = vmsim_kernel_cache_free(s->m, a->args[0], (unsigned long)v);
		break;
	case KOP_VFREE:
		err = vmsim_kernel_vfree(s->m, (unsigned long)v);
		break;
	default:
		err = vmsim_kernel_kunmap(s->m, (unsigned long)v);
		break;
	}
	result(s, c, "%lu", 0, err);
	return VMSIM_RUN_OK;
}

static enum vmsim_run_status run_cache(struct vmsim_session *s, const struct vmsim_cmd *c)
{
	const struct vmsim_args_kernel *a = &c->u.K;
	uint64_t size, align = 0, ctor;
	int flags = 0, ctor_byte = -1, gfp = 0;
	unsigned long v = 0;
	long err;

	switch (a->op) {
	case KOP_CACHE_CREATE:
		if (resolve(s, a->args[1], "SIZE", &size, NULL))
			return VMSIM_RUN_ERROR;
		for (int i = 2; i < a->nargs; i++) {
			if (!strcmp(a->args[i], "hwcache")) {
				flags |= VMSIM_SLAB_HWCACHE_ALIGN;
			} else if (!strncmp(a->args[i], "align=", 6) &&
				   !vmsim_parse_number(a->args[i] + 6, &align)) {
			} else if (!strncmp(a->args[i], "ctor=", 5) &&
				   !vmsim_parse_number(a->args[i] + 5, &ctor) && ctor < 256) {
				ctor_byte = (int)ctor;
			} else {
				vmsim_session_error(s, "bad option '%.40s' (align=N, hwcache, "
						    "ctor=BYTE)", a->args[i]);
				return VMSIM_RUN_ERROR;
			}
		}
		err = vmsim_kernel_cache_create(s->m, a->args[0], (unsigned long)size,
						(unsigned long)align, flags, ctor_byte);
		break;
	case KOP_CACHE_ALLOC:
		if (a->nargs == 2 && parse_gfp(a->args[1], &gfp)) {
			vmsim_session_error(s, "bad GFP '%.40s'", a->args[1]);
			return VMSIM_RUN_ERROR;
		}
		err = vmsim_kernel_cache_alloc(s->m, a->args[0], gfp, &v);
		if (!err && a->as[0] && khandle_set(s, a->as, v, false, 0))
			return VMSIM_RUN_ERROR;
		result(s, c, "0x%lx", v, err);
		return VMSIM_RUN_OK;
	case KOP_CACHE_SHRINK:
		err = vmsim_kernel_cache_shrink(s->m, a->args[0]);
		result(s, c, "%lu pages freed", (unsigned long)err, err);
		return VMSIM_RUN_OK;
	default:
		err = vmsim_kernel_cache_destroy(s->m, a->args[0]);
		break;
	}
	result(s, c, "%lu", 0, err);
	return VMSIM_RUN_OK;
}

static enum vmsim_run_status run_kmap(struct vmsim_session *s, const struct vmsim_cmd *c)
{
	const struct vmsim_args_kernel *a = &c->u.K;
	unsigned long v = 0;
	uint64_t pfn;
	int err;

	if (resolve(s, a->args[0], "PFN", &pfn, NULL))
		return VMSIM_RUN_ERROR;
	err = vmsim_kernel_kmap(s->m, (unsigned long)pfn, &v);
	if (!err && a->as[0] && khandle_set(s, a->as, v, false, 0))
		return VMSIM_RUN_ERROR;
	result(s, c, "0x%lx", v, err);
	return VMSIM_RUN_OK;
}

/* K read / K write: the bytes, and the kernel log's new oops or vmalloc_fault fix-up. */
static enum vmsim_run_status run_access(struct vmsim_session *s, const struct vmsim_cmd *c)
{
	const struct vmsim_args_kernel *a = &c->u.K;
	struct vmsim_kernel_faults before, after;
	uint64_t addr, len = 0;
	unsigned char buf[64];
	char res[160];
	int pid = 0;
	long got;

	if (resolve(s, a->args[0], "ADDR", &addr, NULL))
		return VMSIM_RUN_ERROR;
	if (a->op == KOP_READ && (resolve(s, a->args[1], "LEN", &len, NULL) || len > 64)) {
		if (len > 64)
			vmsim_session_error(s, "K read: LEN up to 64");
		return VMSIM_RUN_ERROR;
	}
	if (a->in[0]) {
		struct vmsim_proc_name *p = script_lookup(s, a->in);

		if (!p)
			return VMSIM_RUN_ERROR;
		pid = p->pid;
	}
	vmsim_kernel_faults(s->m, &before);
	if (a->op == KOP_READ)
		got = vmsim_kernel_read(s->m, pid, (unsigned long)addr, buf, (unsigned long)len);
	else
		got = vmsim_kernel_write(s->m, pid, (unsigned long)addr, a->args[1],
					 (unsigned long)a->arg_len[1]);
	vmsim_kernel_faults(s->m, &after);
	if (got < 0) {
		script_fmt_errno(res, sizeof(res), got);
	} else if (a->op == KOP_READ) {
		res[0] = 0;
		for (long i = 0; i < got; i++)
			snprintf(res + 2 * i, 3, "%02x", buf[i]);
		if ((uint64_t)got < len)
			snprintf(res + 2 * got, sizeof(res) - 2 * (size_t)got, "%s(oops after %ld)",
				 got ? " " : "", got);
	} else {
		snprintf(res, sizeof(res), "%ld", got);
		if ((uint64_t)got < a->arg_len[1])
			snprintf(res, sizeof(res), "%ld (oops)", got);
	}
	script_print_result(s, c, res, false);
	if (after.vmalloc_faults_fixed > before.vmalloc_faults_fixed)
		vmsim_session_printf(s, "vmalloc_fault: %s's page directory got the kernel entry "
				     "from init_mm\n", a->in);
	if (after.oopses > before.oopses)
		vmsim_session_printf(s, "oops: unable to handle kernel paging request "
				     "(show kmsg)\n");
	return VMSIM_RUN_OK;
}

enum vmsim_run_status script_run_K(struct vmsim_session *s, const struct vmsim_cmd *c,
				   struct vmsim_call *call)
{
	const struct vmsim_args_kernel *a = &c->u.K;

	(void)call;
	switch (a->op) {
	case KOP_ALLOC_PAGES:
	case KOP_KMALLOC:
	case KOP_VMALLOC:
		return run_alloc(s, c);
	case KOP_FREE_PAGES:
	case KOP_KFREE:
	case KOP_CACHE_FREE:
	case KOP_VFREE:
	case KOP_KUNMAP:
		return run_free(s, c);
	case KOP_CACHE_CREATE:
	case KOP_CACHE_ALLOC:
	case KOP_CACHE_SHRINK:
	case KOP_CACHE_DESTROY:
		return run_cache(s, c);
	case KOP_KMAP:
		return run_kmap(s, c);
	case KOP_READ:
	case KOP_WRITE:
		return run_access(s, c);
	default:
		result(s, c, "%lu", 0, vmsim_kernel_module(s->m, a->args[0], a->op == KOP_INSMOD));
		return VMSIM_RUN_OK;
	}
}

/* The session's end: what the kernel context left, reported and freed. */
static void report_left(void *arg, const char *line)
{
	vmsim_session_printf(arg, "K: left allocated, freed: %s\n", line);
}

void script_kernel_release(struct vmsim_session *s)
{
	if (s->m)
		vmsim_kernel_release_all(s->m, report_left, s);
	free(s->khandles);
	s->khandles = NULL;
	s->nr_khandles = s->cap_khandles = 0;
}

/*
 * api/kernel.c - the kernel context of include/vmsim/kernel.h: the
 * kernel's own allocation calls run on a machine (MACHINE_CALL), each
 * result remembered in a registry (struct kernel_ctx, m->kctx) so that a
 * free names only what was handed out, a cache is destroyed only empty,
 * and vmsim_kernel_release_all gives back what a caller left behind.
 *
 * Kernel addresses: kmalloc and slab objects are lowmem, so their address
 * is the direct map's (PAGE_OFFSET + physical); vmalloc areas and kmaps
 * are their own virtual addresses.  Loads and stores go through the MMU
 * in kernel mode (vread/vwrite), from init_mm or a process's tables.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kern/slab.h"
#include "kern/highmem.h"
#include "kern/vmalloc.h"
#include "kern/chrdev.h"
#include "kern/sched.h"
#include "vmsim/kernel.h"
#include "entry.h"

/*
 * One lock for every machine's registry: kernel-context calls are a
 * learner's, few and short; the calls run under it (a constructor called
 * inside kmem_cache_alloc reads the registry on the same thread).
 */
static pthread_mutex_t kctx_lock = PTHREAD_MUTEX_INITIALIZER;

#define KCALL(m, expr)							\
	({								\
		pthread_mutex_lock(&kctx_lock);				\
		__auto_type __kret = MACHINE_CALL(m, expr);		\
		pthread_mutex_unlock(&kctx_lock);			\
		__kret;							\
	})

enum kobj_kind { KOBJ_PAGES, KOBJ_KMALLOC, KOBJ_CACHE_OBJ, KOBJ_VMALLOC, KOBJ_KMAP, KOBJ_CACHE };

struct kobj {
	enum kobj_kind kind;
	unsigned long value;		/* pfn, kernel address; 0 for a cache */
	unsigned long size;		/* order (pages), bytes (kmalloc, vmalloc) */
	struct kcache *cache;		/* KOBJ_CACHE_OBJ, KOBJ_CACHE */
};

struct kcache {
	char name[32];
	kmem_cache_t *cachep;
	int ctor_byte;			/* -1: no constructor */
	unsigned long size;
	unsigned long live;		/* objects allocated here */
};

/* m->kctx: the registry, in allocation order (kctx_lock). */
struct kernel_ctx {
	struct kobj *objs;
	int nr, cap;
};

static struct kernel_ctx *kctx(struct machine *m)
{
	if (!m->kctx) {
		struct kernel_ctx *k = calloc(1, sizeof(*k));

		if (!k)
			return NULL;
		m->kctx = k;
	}
	return m->kctx;
}

static int kobj_add(struct machine *m, enum kobj_kind kind, unsigned long value,
		    unsigned long size, struct kcache *cache)
{
	struct kernel_ctx *k = kctx(m);

	if (!k)
		return -ENOMEM;
	if (k->nr == k->cap) {
		int cap = k->cap ? 2 * k->cap : 16;
		struct kobj *n = realloc(k->objs, (size_t)cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		k->objs = n;
		k->cap = cap;
	}
	k->objs[k->nr++] = (struct kobj){ kind, value, size, cache };
	return 0;
}

/* Index of the object of @kind with @value (and @cache, if given), or -1. */
static int kobj_find(struct machine *m, enum kobj_kind kind, unsigned long value,
		     const struct kcache *cache)
{
	struct kernel_ctx *k = m->kctx;

	for (int i = k ? k->nr - 1 : -1; i >= 0; i--)
		if (k->objs[i].kind == kind && k->objs[i].value == value &&
		    (!cache || k->objs[i].cache == cache))
			return i;
	return -1;
}

static void kobj_del(struct machine *m, int i)
{
	struct kernel_ctx *k = m->kctx;

	memmove(&k->objs[i], &k->objs[i + 1], (size_t)(k->nr - i - 1) * sizeof(k->objs[0]));
	k->nr--;
}

static struct kcache *kcache_find(struct machine *m, const char *name)
{
	struct kernel_ctx *k = m->kctx;

	for (int i = 0; k && i < k->nr; i++)
		if (k->objs[i].kind == KOBJ_CACHE && !strcmp(k->objs[i].cache->name, name))
			return k->objs[i].cache;
	return NULL;
}

static gfp_t gfp_of(int flags)
{
	gfp_t gfp = (flags & VMSIM_GFP_ATOMIC) ? GFP_ATOMIC : GFP_KERNEL;

	if (flags & VMSIM_GFP_DMA)
		gfp |= __GFP_DMA;
	if (flags & VMSIM_GFP_HIGHMEM)
		gfp |= __GFP_HIGHMEM;
	if (flags & VMSIM_GFP_ZERO)
		gfp |= __GFP_ZERO;
	return gfp;
}

#define GFP_VALID	(VMSIM_GFP_ATOMIC | VMSIM_GFP_DMA | VMSIM_GFP_HIGHMEM | VMSIM_GFP_ZERO)

/* Direct-map address of a lowmem host pointer, and back. */
static unsigned long kaddr_of(struct machine *m, const void *p)
{
	if (p == ZERO_SIZE_PTR)
		return (unsigned long)ZERO_SIZE_PTR;
	return PAGE_OFFSET_OF(m) + (unsigned long)virt_to_phys(m, p);
}

static void *ptr_of(struct machine *m, unsigned long addr)
{
	if (addr == (unsigned long)ZERO_SIZE_PTR)
		return ZERO_SIZE_PTR;
	return phys_to_virt(m, addr - PAGE_OFFSET_OF(m));
}

/* --- pages ------------------------------------------------------------------------ */

static int k_alloc_pages(struct machine *m, unsigned int order, int flags, unsigned long *pfn)
{
	struct page *page;
	int err;

	if (order >= MAX_ORDER || (flags & ~GFP_VALID) || !pfn)
		return -EINVAL;
	page = alloc_pages(gfp_of(flags), order);
	if (!page)
		return -ENOMEM;
	*pfn = page_to_pfn(page);
	err = kobj_add(m, KOBJ_PAGES, *pfn, order, NULL);
	if (err)
		__free_pages(page, order);
	return err;
}

static int k_free_pages(struct machine *m, unsigned long pfn, unsigned int order)
{
	int i = kobj_find(m, KOBJ_PAGES, pfn, NULL);

	if (i < 0 || m->kctx->objs[i].size != order)
		return -EINVAL;
	for (int j = 0; j < m->kctx->nr; j++)
		if (m->kctx->objs[j].kind == KOBJ_KMAP && m->kctx->objs[j].value >= pfn &&
		    m->kctx->objs[j].value - pfn < (1UL << order))
			return -EBUSY;		/* a page of it is still kmapped */
	kobj_del(m, i);
	__free_pages(pfn_to_page(m, pfn), order);
	return 0;
}

int vmsim_kernel_alloc_pages(vmsim_machine_t *m, unsigned int order, int gfp, unsigned long *pfn)
{
	return KCALL(m, k_alloc_pages(m, order, gfp, pfn));
}

int vmsim_kernel_free_pages(vmsim_machine_t *m, unsigned long pfn, unsigned int order)
{
	return KCALL(m, k_free_pages(m, pfn, order));
}

/* --- kmalloc ----------------------------------------------------------------------- */

static int k_kmalloc(struct machine *m, unsigned long size, int flags, unsigned long *addr)
{
	void *p;
	int err;

	if ((flags & ~GFP_VALID) || (flags & VMSIM_GFP_HIGHMEM) || !addr)
		return -EINVAL;		/* slab memory is lowmem */
	p = kmalloc(size, gfp_of(flags));
	if (!p)
		return -ENOMEM;
	*addr = kaddr_of(m, p);
	err = kobj_add(m, KOBJ_KMALLOC, *addr, size, NULL);
	if (err)
		kfree(p);
	return err;
}

static int k_kfree(struct machine *m, unsigned long addr)
{
	int i = kobj_find(m, KOBJ_KMALLOC, addr, NULL);

	if (i < 0)
		return -EINVAL;
	kobj_del(m, i);
	kfree(ptr_of(m, addr));
	return 0;
}

int vmsim_kernel_kmalloc(vmsim_machine_t *m, unsigned long size, int gfp, unsigned long *addr)
{
	return KCALL(m, k_kmalloc(m, size, gfp, addr));
}

int vmsim_kernel_kfree(vmsim_machine_t *m, unsigned long addr)
{
	return KCALL(m, k_kfree(m, addr));
}

/* --- slab caches ---------------------------------------------------------------------- */

/* The constructor of the caches made here: the cache's byte over the whole object. */
static void kcache_ctor(void *obj, kmem_cache_t *cachep, unsigned long flags)
{
	struct machine *m = this_machine();
	struct kernel_ctx *k = m->kctx;

	(void)flags;
	for (int i = 0; k && i < k->nr; i++) {
		struct kcache *c = k->objs[i].cache;

		if (k->objs[i].kind == KOBJ_CACHE && c->cachep == cachep) {
			memset(obj, c->ctor_byte, c->size);
			return;
		}
	}
}

static int k_cache_create(struct machine *m, const char *name, unsigned long size,
			  unsigned long align, int flags, int ctor_byte)
{
	struct kcache *c;
	int err;

	if (!name || !*name || strlen(name) >= sizeof(c->name) || !size ||
	    (flags & ~VMSIM_SLAB_HWCACHE_ALIGN) || ctor_byte > 255)
		return -EINVAL;
	if (kcache_find(m, name) || !kctx(m))
		return kcache_find(m, name) ? -EEXIST : -ENOMEM;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	strcpy(c->name, name);
	c->size = size;
	c->ctor_byte = ctor_byte < 0 ? -1 : ctor_byte;
	/* registered first: the constructor finds its byte while the first slab is built */
	err = kobj_add(m, KOBJ_CACHE, 0, size, c);
	if (err) {
		free(c);
		return err;
	}
	c->cachep = kmem_cache_create(name, size, align,
				      (flags & VMSIM_SLAB_HWCACHE_ALIGN) ? SLAB_HWCACHE_ALIGN : 0,
				      c->ctor_byte >= 0 ? kcache_ctor : NULL, NULL);
	if (!c->cachep) {
		kobj_del(m, m->kctx->nr - 1);
		free(c);
		/* a kernel cache of that name, or bad size/align */
		return kmem_find_cache(m, name) ? -EEXIST : -EINVAL;
	}
	return 0;
}

static int k_cache_alloc(struct machine *m, const char *name, int flags, unsigned long *addr)
{
	struct kcache *c = kcache_find(m, name);
	void *p;
	int err;

	if (!c)
		return -ENOENT;
	if ((flags & ~GFP_VALID) || (flags & VMSIM_GFP_HIGHMEM) || !addr)
		return -EINVAL;
	p = kmem_cache_alloc(c->cachep, gfp_of(flags));
	if (!p)
		return -ENOMEM;
	*addr = kaddr_of(m, p);
	err = kobj_add(m, KOBJ_CACHE_OBJ, *addr, c->size, c);
	if (err) {
		kmem_cache_free(c->cachep, p);
		return err;
	}
	c->live++;
	return 0;
}

static int k_cache_free(struct machine *m, const char *name, unsigned long addr)
{
	struct kcache *c = kcache_find(m, name);
	int i;

	if (!c)
		return -ENOENT;
	i = kobj_find(m, KOBJ_CACHE_OBJ, addr, c);
	if (i < 0)
		return -EINVAL;
	kobj_del(m, i);
	kmem_cache_free(c->cachep, ptr_of(m, addr));
	c->live--;
	return 0;
}

static long k_cache_shrink(struct machine *m, const char *name)
{
	struct kcache *c = kcache_find(m, name);
	unsigned long before;

	if (!c)
		return -ENOENT;
	/* the per-CPU page lists only: draining the slab arrays would shrink it first */
	drain_all_pages(m);
	before = nr_free_pages(m);
	kmem_cache_shrink(c->cachep);
	drain_all_pages(m);
	return (long)(nr_free_pages(m) - before);
}

static int k_cache_destroy(struct machine *m, const char *name)
{
	struct kcache *c = kcache_find(m, name);
	int i;

	if (!c)
		return -ENOENT;
	if (c->live)
		return -EBUSY;		/* kmem_cache_destroy would find objects: refused */
	if (kmem_cache_destroy(c->cachep))
		return -EBUSY;
	for (i = 0; m->kctx->objs[i].cache != c || m->kctx->objs[i].kind != KOBJ_CACHE; i++)
		;
	kobj_del(m, i);
	free(c);
	return 0;
}

int vmsim_kernel_cache_create(vmsim_machine_t *m, const char *name, unsigned long size,
			      unsigned long align, int flags, int ctor_byte)
{
	return KCALL(m, k_cache_create(m, name, size, align, flags, ctor_byte));
}

int vmsim_kernel_cache_alloc(vmsim_machine_t *m, const char *name, int gfp, unsigned long *addr)
{
	return KCALL(m, k_cache_alloc(m, name, gfp, addr));
}

int vmsim_kernel_cache_free(vmsim_machine_t *m, const char *name, unsigned long addr)
{
	return KCALL(m, k_cache_free(m, name, addr));
}

long vmsim_kernel_cache_shrink(vmsim_machine_t *m, const char *name)
{
	return KCALL(m, k_cache_shrink(m, name));
}

int vmsim_kernel_cache_destroy(vmsim_machine_t *m, const char *name)
{
	return KCALL(m, k_cache_destroy(m, name));
}

/* --- vmalloc, kmap --------------------------------------------------------------------- */

static int k_vmalloc(struct machine *m, unsigned long size, unsigned long *addr)
{
	int err;

	if (!size || !addr)
		return -EINVAL;
	*addr = vmalloc(size);
	if (!*addr)
		return -ENOMEM;
	err = kobj_add(m, KOBJ_VMALLOC, *addr, size, NULL);
	if (err)
		vfree(*addr);
	return err;
}

static int k_vfree(struct machine *m, unsigned long addr)
{
	int i = kobj_find(m, KOBJ_VMALLOC, addr, NULL);

	if (i < 0)
		return -EINVAL;
	kobj_del(m, i);
	vfree(addr);
	return 0;
}

static int k_kmap(struct machine *m, unsigned long pfn, unsigned long *addr)
{
	struct page *page;
	void *p;
	int err;

	/* a frame of a block allocated here (any page of it), not kmapped yet */
	if (!addr || !pfn_valid(m, pfn) || kobj_find(m, KOBJ_KMAP, pfn, NULL) >= 0)
		return -EINVAL;
	for (int i = 0; m->kctx && i < m->kctx->nr; i++) {
		const struct kobj *o = &m->kctx->objs[i];

		if (o->kind == KOBJ_PAGES && pfn >= o->value && pfn - o->value < (1UL << o->size))
			goto found;
	}
	return -EINVAL;
found:
	page = pfn_to_page(m, pfn);
	p = kmap(page);
	*addr = PageHighMemPfn(page) ? kmap_vaddr(page) : kaddr_of(m, p);
	err = kobj_add(m, KOBJ_KMAP, pfn, *addr, NULL);	/* size: the kmap's address */
	if (err)
		kunmap(page);
	return err;
}

static int k_kunmap(struct machine *m, unsigned long pfn)
{
	int i = kobj_find(m, KOBJ_KMAP, pfn, NULL);

	if (i < 0)
		return -EINVAL;
	kobj_del(m, i);
	kunmap(pfn_to_page(m, pfn));
	return 0;
}

int vmsim_kernel_vmalloc(vmsim_machine_t *m, unsigned long size, unsigned long *addr)
{
	return KCALL(m, k_vmalloc(m, size, addr));
}

int vmsim_kernel_vfree(vmsim_machine_t *m, unsigned long addr)
{
	return KCALL(m, k_vfree(m, addr));
}

int vmsim_kernel_kmap(vmsim_machine_t *m, unsigned long pfn, unsigned long *addr)
{
	return KCALL(m, k_kmap(m, pfn, addr));
}

int vmsim_kernel_kunmap(vmsim_machine_t *m, unsigned long pfn)
{
	return KCALL(m, k_kunmap(m, pfn));
}

/* --- kernel-mode access ------------------------------------------------------------------ */

static bool inside(unsigned long addr, unsigned long len, unsigned long start,
		   unsigned long size)
{
	return addr >= start && len <= size && addr - start <= size - len;
}

/*
 * Stores go only to memory the kernel context allocated or a driver's
 * buffers: the rest of kernel memory holds the kernel's own structures
 * (mem_map, slabs, page tables), which a stray store would corrupt.
 */
static bool write_allowed(struct machine *m, unsigned long addr, unsigned long len)
{
	struct kernel_ctx *k = m->kctx;
	struct mmapdrv_info d;

	for (int i = 0; k && i < k->nr; i++) {
		const struct kobj *o = &k->objs[i];

		switch (o->kind) {
		case KOBJ_PAGES:
			if (o->value < m->max_low_pfn &&
			    inside(addr, len, PAGE_OFFSET_OF(m) + (o->value << PAGE_SHIFT),
				   PAGE_SIZE << o->size))
				return true;
			break;
		case KOBJ_KMALLOC:
		case KOBJ_CACHE_OBJ:
		case KOBJ_VMALLOC:
			if (inside(addr, len, o->value, o->size))
				return true;
			break;
		case KOBJ_KMAP:
			if (inside(addr, len, o->size, PAGE_SIZE))
				return true;
			break;
		case KOBJ_CACHE:
			break;
		}
	}
	if (mmapdrv_get_info(m, &d))
		return false;
	return inside(addr, len, d.kmalloc_addr, MMAPDRV_KMALLOC_SIZE) ||
	       inside(addr, len, d.vmalloc_addr, MMAPDRV_VMALLOC_SIZE) ||
	       (d.mmio_addr && inside(addr, len, d.mmio_addr, d.mmio_size));
}

static long k_access(struct machine *m, unsigned long addr, void *rbuf, const void *wbuf,
		     unsigned long len, bool in_task)
{
	if (addr < TASK_SIZE_OF(m) || addr + len < addr)
		return -EINVAL;
	if (wbuf && !write_allowed(m, addr, len))
		return -EPERM;
	if (!in_task)
		task_use_init_mm();	/* the kernel's own tables */
	return (long)(rbuf ? vread(rbuf, addr, len) : vwrite(addr, wbuf, len));
}

static long kernel_access(struct machine *m, int pid, unsigned long addr, void *rbuf,
			  const void *wbuf, unsigned long len)
{
	long ret;

	pthread_mutex_lock(&kctx_lock);
	if (pid)
		ret = TASK_CALL(m, pid, k_access(m, addr, rbuf, wbuf, len, true));
	else
		ret = MACHINE_CALL(m, k_access(m, addr, rbuf, wbuf, len, false));
	pthread_mutex_unlock(&kctx_lock);
	return ret;
}

long vmsim_kernel_read(vmsim_machine_t *m, int pid, unsigned long addr, void *buf,
		       unsigned long len)
{
	if (!buf)
		return -EFAULT;
	return kernel_access(m, pid, addr, buf, NULL, len);
}

long vmsim_kernel_write(vmsim_machine_t *m, int pid, unsigned long addr, const void *buf,
			unsigned long len)
{
	if (!buf)
		return -EFAULT;
	return kernel_access(m, pid, addr, NULL, buf, len);
}

void vmsim_kernel_faults(vmsim_machine_t *m, struct vmsim_kernel_faults *out)
{
	out->oopses = atomic_load(&m->vmalloc->oopses);
	out->vmalloc_faults_fixed = atomic_load(&m->vmalloc->faults_fixed);
}

int vmsim_kernel_mmapdrv_buffers(vmsim_machine_t *m, struct vmsim_mmapdrv_buffers *out)
{
	struct mmapdrv_info d;
	int err = MACHINE_CALL(m, mmapdrv_get_info(m, &d));

	if (!out)
		return -EFAULT;
	out->kmalloc_addr = err ? 0 : d.kmalloc_addr;
	out->vmalloc_addr = err ? 0 : d.vmalloc_addr;
	out->mmio_addr = err ? 0 : d.mmio_addr;
	return err;
}

int vmsim_kernel_module(vmsim_machine_t *m, const char *name, bool load)
{
	if (!name)
		return -ENOENT;
	return MACHINE_CALL(m, load ? chrdev_module_load(m, name) : chrdev_module_unload(m, name));
}

/* --- leftovers ----------------------------------------------------------------------------- */

static void describe(const struct kobj *o, char *buf, size_t n)
{
	switch (o->kind) {
	case KOBJ_PAGES:
		snprintf(buf, n, "alloc_pages pfn %#lx order %lu", o->value, o->size);
		break;
	case KOBJ_KMALLOC:
		snprintf(buf, n, "kmalloc %#lx (%lu bytes)", o->value, o->size);
		break;
	case KOBJ_CACHE_OBJ:
		snprintf(buf, n, "kmem_cache_alloc %#lx (cache %s)", o->value, o->cache->name);
		break;
	case KOBJ_VMALLOC:
		snprintf(buf, n, "vmalloc %#lx (%lu bytes)", o->value, o->size);
		break;
	case KOBJ_KMAP:
		snprintf(buf, n, "kmap of pfn %#lx", o->value);
		break;
	case KOBJ_CACHE:
		snprintf(buf, n, "kmem_cache %s", o->cache->name);
		break;
	}
}

static int k_release_all(struct machine *m, void (*report)(void *, const char *), void *arg)
{
	struct kernel_ctx *k = m->kctx;
	int n = 0;

	while (k && k->nr) {
		struct kobj o = k->objs[k->nr - 1];
		char line[128];
		int err = 0;

		describe(&o, line, sizeof(line));
		if (report)
			report(arg, line);
		switch (o.kind) {
		case KOBJ_PAGES:
			/* its kmaps come after it: already gone */
			err = k_free_pages(m, o.value, (unsigned int)o.size);
			break;
		case KOBJ_KMALLOC:
			err = k_kfree(m, o.value);
			break;
		case KOBJ_CACHE_OBJ:
			err = k_cache_free(m, o.cache->name, o.value);
			break;
		case KOBJ_VMALLOC:
			err = k_vfree(m, o.value);
			break;
		case KOBJ_KMAP:
			err = k_kunmap(m, o.value);
			break;
		case KOBJ_CACHE:
			err = k_cache_destroy(m, o.cache->name);
			break;
		}
		BUG_ON_MSG(err, "vmsim_kernel_release_all: %s: error %d", line, err);
		n++;
	}
	return n;
}

int vmsim_kernel_release_all(vmsim_machine_t *m, void (*report)(void *arg, const char *line),
			     void *arg)
{
	return KCALL(m, k_release_all(m, report, arg));
}

/* vmsim_machine_destroy: everything back before the kernel stops (api/machine.c). */
void kernel_ctx_destroy(struct machine *m)
{
	struct kernel_ctx *k = m->kctx;

	if (!k)
		return;
	KCALL(m, k_release_all(m, NULL, NULL));
	free(k->objs);
	free(k);
	m->kctx = NULL;
}

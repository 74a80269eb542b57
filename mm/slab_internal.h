/*
 * Private to the slab allocator (mm/slab.c, mm/slab_debug.c): the layout
 * of caches, slabs and per-CPU arrays, and the helpers both files use.
 * Everyone else sees kmem_cache_t as opaque (include/kern/slab.h).
 */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

#include <string.h>
#include "kern/slab.h"

typedef unsigned int kmem_bufctl_t;
#define BUFCTL_END	0xffffffffU	/* end of a slab's free chain */
#define BUFCTL_ACTIVE	0xfffffffeU	/* object handed out */
#define SLAB_LIMIT	0xfffffffdU	/* most objects per slab */

/* One slab's descriptor; its bufctl array follows it. */
typedef struct slab_s {
	struct list_head list;		/* on one of cachep->lists[] */
	unsigned long colouroff;	/* s_mem - start of the slab's pages */
	void *s_mem;			/* first object (its buffer, red zone included) */
	unsigned int inuse;		/* objects handed out (arrays count as out) */
	kmem_bufctl_t free;		/* first free object, or BUFCTL_END */
} slab_t;

static inline kmem_bufctl_t *slab_bufctl(slab_t *slabp)
{
	return (kmem_bufctl_t *)(slabp + 1);
}

/* Per-CPU stack of free objects; owner CPU only. */
struct array_cache {
	unsigned int avail;		/* objects in entry[] */
	unsigned int limit;		/* capacity; 0 = no array (boot) */
	unsigned int batchcount;	/* moved to/from the slabs at once */
	void *entry[];
};

enum slab_list { SLABS_FULL, SLABS_PARTIAL, SLABS_FREE, NR_SLAB_LISTS };

#define CFLGS_OFF_SLAB		0x80000000UL	/* slab_t + bufctl kept off the slab */
#define DFLGS_GROWN		0x1u		/* grew since the last reap look */
#define SLAB_DEBUG_FLAGS	(SLAB_RED_ZONE | SLAB_POISON)

struct kmem_cache_s {
	/* --- read on every alloc and free --- */
	unsigned int slowpath;		/* debug checks around the arrays */
	unsigned int buffer_size;	/* object stride, debug words included */
	struct array_cache *array[NR_CPUS];	/* array[cpu]: owner CPU only */

	/* --- the slabs: spinlock --- */
	spinlock_t spinlock;
	struct list_head lists[NR_SLAB_LISTS];	/* full, partial, free */
	unsigned long nr_slabs[NR_SLAB_LISTS];
	unsigned long inuse_objs;		/* sum of slabp->inuse */
	unsigned int colour_next;
	unsigned int dflags;			/* DFLGS_GROWN */
	struct array_cache *shared;		/* NULL if sharedfactor is 0 */
	unsigned long ctor_calls, dtor_calls;

	/* --- fixed at creation (limit/batchcount: kmem_tune_cpucache) --- */
	unsigned int objsize;		/* usable bytes */
	unsigned int obj_offset;	/* buffer start -> object (red zone 1) */
	unsigned int num;		/* objects per slab */
	unsigned int gfporder;
	unsigned int align;
	unsigned int colour;		/* number of colour offsets */
	unsigned int colour_off;	/* bytes between them */
	unsigned int slab_size;		/* slab_t + bufctl[], aligned if on-slab */
	uint32_t reciprocal_buffer_size;	/* index = (off * r) >> 32 */
	unsigned int limit, batchcount, sharedfactor;
	gfp_t gfpflags;			/* GFP_DMA for SLAB_CACHE_DMA */
	unsigned long flags;
	kmem_cache_t *slabp_cache;	/* off-slab descriptors come from here */
	kmem_ctor_t ctor, dtor;
	struct machine *machine;
	struct list_head next;		/* kmem->cache_chain: cache_chain_lock */
	char name[CACHE_NAMELEN];
};

struct cache_sizes {
	size_t cs_size;
	kmem_cache_t *cs_cachep;
	kmem_cache_t *cs_dmacachep;
};

#define NR_GENERAL_CACHES	13	/* size-32 .. size-131072 */

/* Per machine: m->kmem, in simulated RAM (pages taken at boot). */
struct kmem_state {
	struct machine *machine;
	spinlock_t cache_chain_lock;
	struct list_head cache_chain;	/* cache_chain_lock; newest first */
	struct list_head *clock_searchp;/* where reap resumes: cache_chain_lock */
	bool cpucache_up;		/* general caches exist: arrays for all */
	unsigned int slab_break_gfp_order;
	unsigned int state_order;	/* pages of this structure */
	int nr_caches;			/* on cache_chain */

	spinlock_t failslab_lock;
	uint64_t failslab_nth;		/* failslab_lock: the nth being counted to */
	uint64_t failslab_count;

	struct cache_sizes cache_sizes[NR_GENERAL_CACHES];
	/* kmalloc's lookup, [1] for __GFP_DMA; every CPU's slab_cpu points here */
	kmem_cache_t *kmalloc_caches[2][NR_GENERAL_CACHES];
	kmem_cache_t *vm_area_cachep, *mm_cachep, *task_struct_cachep, *pgd_cachep;

	kmem_cache_t cache_cache;	/* descriptors of every other cache */
	struct array_cache boot_array;	/* limit 0, never written: no array yet */
};

/* --- small helpers ---------------------------------------------------------- */

static inline int fls_long(unsigned long x)
{
	return x ? (int)(8 * sizeof(long)) - __builtin_clzl(x) : 0;
}

static inline struct page *slab_virt_to_page(kmem_cache_t *cachep, const void *objp)
{
	return virt_to_page(cachep->machine, objp);
}

static inline slab_t *page_get_slab(const struct page *page)
{
	return (slab_t *)page->private;
}

static inline kmem_cache_t *page_get_cache(const struct page *page)
{
	return (kmem_cache_t *)(void *)page->mapping;
}

/* Index of @objp (the object, not its buffer) in @slabp. */
static inline unsigned int obj_to_index(kmem_cache_t *cachep, slab_t *slabp, const void *objp)
{
	uint32_t off = (uint32_t)((const char *)objp - cachep->obj_offset - (char *)slabp->s_mem);

	return (unsigned int)(((uint64_t)off * cachep->reciprocal_buffer_size) >> 32);
}

static inline void *index_to_obj(kmem_cache_t *cachep, slab_t *slabp, unsigned int idx)
{
	return (char *)slabp->s_mem + (size_t)idx * cachep->buffer_size + cachep->obj_offset;
}

static inline enum slab_list slab_state(kmem_cache_t *cachep, unsigned int inuse)
{
	if (inuse == cachep->num)
		return SLABS_FULL;
	return inuse ? SLABS_PARTIAL : SLABS_FREE;
}

/* Move @slabp to the list its inuse now says, if it changed (spinlock held). */
static inline void slab_relist(kmem_cache_t *cachep, slab_t *slabp, unsigned int old_inuse)
{
	enum slab_list from = slab_state(cachep, old_inuse), to = slab_state(cachep, slabp->inuse);

	if (from == to)
		return;
	cachep->nr_slabs[from]--;
	cachep->nr_slabs[to]++;
	list_move(&slabp->list, &cachep->lists[to]);
}

static inline unsigned long cache_total_slabs(kmem_cache_t *cachep)
{
	return cachep->nr_slabs[SLABS_FULL] + cachep->nr_slabs[SLABS_PARTIAL] +
	       cachep->nr_slabs[SLABS_FREE];
}

/* Report a broken invariant found with the cache lock held: drop it first. */
#define slab_bug_unlock(cachep, ...) do {				\
	spin_unlock(&(cachep)->spinlock);				\
	__bug(__FILE__, __LINE__, __VA_ARGS__);			\
} while (0)

/* --- debug words (mm/slab_debug.c) --- */

static inline uint64_t *redzone1(kmem_cache_t *cachep, void *objp)
{
	return (uint64_t *)((char *)objp - BYTES_PER_WORD);
}

static inline uint64_t *redzone2(kmem_cache_t *cachep, void *objp)
{
	return (uint64_t *)((char *)objp + cachep->objsize);
}

void poison_obj(kmem_cache_t *cachep, void *objp, unsigned char val);
/* BUG unless a free object's poison is intact / both red zones say free. */
void check_poison_obj(kmem_cache_t *cachep, void *objp, const char *when);
void check_redzones_free(kmem_cache_t *cachep, void *objp, const char *when);
/* kmem_cache_free's checks before the object goes back to the array. */
void cache_free_debugcheck(kmem_cache_t *cachep, struct array_cache *ac, void *objp);
/* kmem_cache_alloc's checks on an object just taken. */
void cache_alloc_debugcheck_after(kmem_cache_t *cachep, void *objp);

#endif

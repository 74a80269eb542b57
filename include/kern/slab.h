/*
 * The slab allocator (mm/slab.c): Bonwick's object caches as Linux 2.4
 * built them, and kmalloc over the general caches.
 *
 *   kmem_cache_t        one cache of same-sized objects ("vm_area_struct")
 *     array[cpu]        per-CPU stack of free objects: the common alloc and
 *                       free touch only this, no lock, no atomic
 *     slabs_full        slabs with every object in use      \
 *     slabs_partial     slabs with some objects in use       } cachep->spinlock
 *     slabs_free        slabs with no object in use         /
 *   slab_t              one slab: 2^gfporder pages, a colour offset, then
 *                       `num` objects; its free objects are chained by index
 *                       through the kmem_bufctl_t array behind the slab_t.
 *                       On-slab (small objects) it sits at the start of the
 *                       slab's pages; off-slab it comes from a general cache.
 *
 * Slab pages carry PG_slab, page->mapping = the cache, page->private = the
 * slab_t, so kfree() finds both from the address alone.  Every cache lives
 * on one machine (m->kmem); its descriptor comes from the cache of caches
 * ("kmem_cache"), in simulated RAM.
 *
 * Debug (SLAB_RED_ZONE, SLAB_POISON per cache; on for every cache small
 * enough in CONFIG_DEBUG_VM builds): overruns, writes after free, double
 * frees and frees of foreign pointers are reported with BUG naming the
 * cache, the object and what was found.
 */
#ifndef KERN_SLAB_H
#define KERN_SLAB_H

#include "kern/mm.h"

typedef struct kmem_cache_s kmem_cache_t;

/* kmem_cache_create flags (Linux 2.4/2.6 values) */
#define SLAB_DEBUG_FREE		0x00000100UL	/* accepted; checks are always on with debug */
#define SLAB_RED_ZONE		0x00000400UL	/* guard words around each object */
#define SLAB_POISON		0x00000800UL	/* 0x6b free / 0x5a in use (not with a ctor) */
#define SLAB_NO_REAP		0x00001000UL	/* kmem_cache_reap leaves this cache alone */
#define SLAB_HWCACHE_ALIGN	0x00002000UL	/* align objects on L1 cache lines */
#define SLAB_CACHE_DMA		0x00004000UL	/* slabs from ZONE_DMA */
#define SLAB_MUST_HWCACHE_ALIGN	0x00008000UL	/* as HWCACHE_ALIGN, even with debug */
#define SLAB_RECLAIM_ACCOUNT	0x00020000UL	/* pages count as NR_SLAB_RECLAIMABLE */
#define SLAB_PANIC		0x00040000UL	/* BUG if kmem_cache_create fails */
/* vmsim's own: no automatic debug in CONFIG_DEBUG_VM builds (fast path tests, bench) */
#define SLAB_NO_DEBUG		0x00100000UL

/* flags passed to a constructor / destructor */
#define SLAB_CTOR_CONSTRUCTOR	0x001UL
#define SLAB_CTOR_ATOMIC	0x002UL
#define SLAB_CTOR_VERIFY	0x004UL

typedef void (*kmem_ctor_t)(void *objp, kmem_cache_t *cachep, unsigned long flags);

#define L1_CACHE_BYTES		64
#define BYTES_PER_WORD		sizeof(void *)
#define MAX_OBJ_ORDER		5		/* 32 pages: the largest object */
#define MAX_GFP_ORDER		5		/* the largest slab */
#define KMALLOC_MAX_SIZE	(PAGE_SIZE << MAX_OBJ_ORDER)	/* 131072 */
#define KMALLOC_MIN_SIZE	32
#define CACHE_NAMELEN		32

/*
 * kmalloc(0) returns ZERO_SIZE_PTR, as Linux since 2.6.23: a non-NULL
 * pointer that faults on any access; kfree() and ksize() accept it.
 */
#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

/* --- caches ------------------------------------------------------------ */

/*
 * kmem_cache_create - a cache of @size-byte objects on the running CPU's
 * machine, aligned to @align (0 or a power of two up to PAGE_SIZE; at least
 * the word size).  @ctor runs once per object when a new slab is built,
 * @dtor once per object when a slab is destroyed.  @name is copied
 * (CACHE_NAMELEN - 1 chars at most) and must be unique on the machine.
 * Returns NULL on bad arguments (no name, size 0 or too large, bad align,
 * unknown flags, dtor without ctor), a duplicate name, or no memory.
 */
kmem_cache_t *kmem_cache_create(const char *name, size_t size, size_t align,
				unsigned long flags, kmem_ctor_t ctor, kmem_ctor_t dtor);

/*
 * kmem_cache_destroy - release every slab and the cache itself.  The caller
 * guarantees no CPU uses the cache any more.  With objects still allocated
 * it is a kernel bug: BUG naming the cache and the count in debug builds;
 * otherwise a "slab error" line on stderr and -EBUSY, the cache intact.
 * Returns 0 when destroyed.
 */
int kmem_cache_destroy(kmem_cache_t *cachep);

/*
 * kmem_cache_alloc - one object, constructed if the cache has a ctor.
 * NULL when no page could be had (or fault injection says so).  The
 * running CPU must belong to the cache's machine.  __GFP_ZERO zeroes it.
 */
void *kmem_cache_alloc(kmem_cache_t *cachep, gfp_t flags);
/* kmem_cache_free - give @objp back to @cachep (it must have come from it). */
void kmem_cache_free(kmem_cache_t *cachep, void *objp);
/*
 * The same, told who called (the kmem events' call_site, which Linux
 * prints as the caller's symbol): the macros below pass the calling
 * function's name, so call_site names a function on every run.
 */
void *__kmem_cache_alloc(kmem_cache_t *cachep, gfp_t flags, const char *caller);
void __kmem_cache_free(kmem_cache_t *cachep, void *objp, const char *caller);
#define kmem_cache_alloc(cachep, flags)	__kmem_cache_alloc(cachep, flags, __func__)
#define kmem_cache_free(cachep, objp)	__kmem_cache_free(cachep, objp, __func__)

/*
 * kmem_cache_shrink - drain the running CPU's array of @cachep (every CPU's
 * on a one-CPU machine) and the shared array, and release every free slab.  Returns 0 if the
 * cache then holds no slab at all, 1 if slabs with objects remain (Linux).
 */
int kmem_cache_shrink(kmem_cache_t *cachep);

/*
 * kmem_cache_reap - the reclaim path's call (2.4): drain this CPU's arrays,
 * pick the cache with the most free slab pages (skipping SLAB_NO_REAP and
 * caches that grew since the last reap) and release about 80% of its free
 * slabs.  Returns the number of pages given back to the buddy allocator.
 * Never sleeps; gives up at once if another CPU holds the cache chain.
 */
int kmem_cache_reap(gfp_t gfp_mask);

/* --- kmalloc ----------------------------------------------------------- */

/*
 * kmalloc - @size bytes from the smallest general cache "size-N" that fits
 * (N = 32 .. 131072), or its "size-N(DMA)" twin with __GFP_DMA.  Objects
 * are aligned to min(N, L1_CACHE_BYTES).  Size 0 gives ZERO_SIZE_PTR;
 * more than KMALLOC_MAX_SIZE gives NULL.
 */
void *kmalloc(size_t size, gfp_t flags);
/* kfree - free a kmalloc'd object (NULL and ZERO_SIZE_PTR are ignored). */
void kfree(const void *objp);
/* kmalloc and kfree told who called (see __kmem_cache_alloc). */
void *__kmalloc(size_t size, gfp_t flags, const char *caller);
void __kfree(const void *objp, const char *caller);
#define kmalloc(size, flags)	__kmalloc(size, flags, __func__)
#define kfree(objp)		__kfree(objp, __func__)
#define kzalloc(size, flags)	kmalloc(size, (flags) | __GFP_ZERO)
/* ksize - usable bytes of a kmalloc'd object (its cache's object size). */
size_t ksize(const void *objp);
/* The general cache kmalloc would use for @size (NULL if too large). */
kmem_cache_t *kmalloc_cache(struct machine *m, size_t size, gfp_t flags);

/* --- boot, machine-wide ------------------------------------------------ */

/*
 * kmem_cache_init - cache_cache, the general caches, their per-CPU arrays
 * and the well-known caches of @m.  Called once at boot right after the
 * buddy allocator is up, on a CPU of @m.  Returns 0 or -ENOMEM.
 */
int kmem_cache_init(struct machine *m);

/*
 * kmem_cache_shrink_all - drain every CPU's arrays of every cache and
 * release every free slab.  The other CPUs of @m must be quiescent (test
 * teardown, before accounting).  Returns pages released.
 */
unsigned long kmem_cache_shrink_all(struct machine *m);

/* Well-known caches, created by kmem_cache_init, named as in Linux. */
kmem_cache_t *vm_area_cachep(struct machine *m);	/* "vm_area_struct" */
kmem_cache_t *mm_cachep(struct machine *m);		/* "mm_struct" */
kmem_cache_t *task_struct_cachep(struct machine *m);	/* "task_struct" */
/*
 * "pgd": one top-level page table of the machine's format, aligned to its
 * size (4096 bytes for i386 and x86_64, 32 for PAE).  Objects are lowmem,
 * so virt_to_phys() of one is what goes into mm->pgd.
 */
kmem_cache_t *pgd_cachep(struct machine *m);

/* Find a cache by name (NULL if none). */
kmem_cache_t *kmem_find_cache(struct machine *m, const char *name);

/* /proc/slabinfo, version 2.1, exactly as Linux prints it. */
void show_slabinfo(struct machine *m, struct seq_buf *s);

/* --- introspection, for tests and reports ------------------------------- */

struct kmem_cache_info {
	const char *name;
	size_t objsize;			/* usable bytes per object */
	size_t buffer_size;		/* stride, debug words included */
	size_t align;
	unsigned int num;		/* objects per slab */
	unsigned int gfporder;
	unsigned int colour;		/* colours (offsets cycle through) */
	unsigned int colour_off;	/* bytes between colours */
	unsigned int limit, batchcount;	/* per-CPU array tunables */
	unsigned int sharedfactor;	/* shared array: sharedfactor * batchcount */
	unsigned int shared_avail;	/* objects in the shared array */
	bool off_slab;
	unsigned long flags;		/* effective flags (debug ones included) */
	unsigned long active_objs, num_objs;
	unsigned long active_slabs, num_slabs, free_slabs;
	unsigned long ctor_calls, dtor_calls;
};
void kmem_cache_get_info(kmem_cache_t *cachep, struct kmem_cache_info *info);
const char *kmem_cache_name(const kmem_cache_t *cachep);
/* The colour offset (bytes) of the slab holding @objp. */
unsigned long kmem_obj_colouroff(kmem_cache_t *cachep, const void *objp);
/* The cache of a slab object (NULL if @objp is not in a slab page). */
kmem_cache_t *virt_to_cache(struct machine *m, const void *objp);

/*
 * kmem_cache_is_valid - list membership agrees with each slab's inuse,
 * every free list is well formed, counters and page flags agree, the
 * running CPU's array holds only objects of this cache.  BUGs naming the
 * cache and slab if not; returns true otherwise.
 */
bool kmem_cache_is_valid(kmem_cache_t *cachep);
/* Every cache of @m, plus the zone counters NR_SLAB_* against the slabs. */
bool kmem_is_valid(struct machine *m);

/*
 * kmem_tune_cpucache - set the per-CPU array limit and batchcount of
 * @cachep and its shared array (@shared batches; 0 = none, 2.4's design),
 * as writing "name limit batchcount shared" to /proc/slabinfo does.
 * limit 0 means no arrays at all (every alloc and free takes the lock).
 * The other CPUs of the machine must be quiescent.  0, -EINVAL, -ENOMEM.
 */
int kmem_tune_cpucache(kmem_cache_t *cachep, unsigned int limit, unsigned int batchcount,
		       unsigned int shared);

#endif

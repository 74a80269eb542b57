/*
 * mm/slab.c - the slab allocator: object caches, as Jeff Bonwick designed
 * them for SunOS and Linux 2.2/2.4 built them (Mark Hemment, Manfred
 * Spraul's per-CPU arrays), and kmalloc over the general caches.
 *
 * A cache hands out objects of one size.  Its memory comes in slabs of
 * 2^gfporder lowmem pages from the buddy allocator:
 *
 *   on-slab (objects < PAGE_SIZE/8):
 *   | colour | slab_t | bufctl[num] | pad | obj 0 | obj 1 | ... | left over |
 *   ^page_address       (slab_size)         ^s_mem
 *   off-slab (slab_t + bufctl[] from a general cache):
 *   | colour | obj 0 | obj 1 | ... | left over |
 *
 * The free objects of a slab are chained by index through bufctl[]
 * (slabp->free is the first, BUFCTL_END ends the chain); a handed-out
 * object's entry holds BUFCTL_ACTIVE, so a second free is seen.  Each new
 * slab starts its objects one colour_off later than the previous one
 * (wrapping after `colour` steps), so objects of different slabs fall on
 * different cache lines.  Constructors run when a slab is built, not on
 * every allocation: a freed object stays constructed.
 *
 * In front of the slabs sits one array per CPU (Spraul, 2.4): a stack of
 * free object pointers.  kmem_cache_alloc pops, kmem_cache_free pushes;
 * only when it is empty (refill batchcount objects) or full (flush
 * batchcount) does a CPU take cachep->spinlock.  Between the CPU arrays
 * and the slabs sits the shared array of later Linux (2.6's per-node
 * array, Bonwick's magazine depot), sharedfactor * batchcount objects: a
 * flush lands there and a refill comes from there by one memcpy, so
 * objects freed on one CPU feed the others without touching a slab.
 * sharedfactor 0 (kmem_tune_cpucache) gives the plain 2.4 behaviour.
 *
 * Debug (SLAB_RED_ZONE, SLAB_POISON; every cache small enough in
 * CONFIG_DEBUG_VM builds): a guard word before and after each object
 * (RED_INACTIVE free, RED_ACTIVE allocated), free objects filled with
 * POISON_FREE ending in POISON_END and checked when handed out again,
 * allocated ones with POISON_INUSE; every free checks that the pointer is
 * the start of an object of this cache.  Reports are BUGs naming the
 * cache, the object and what was found.
 *
 * Debug checks, validators, introspection and /proc/slabinfo are in
 * mm/slab_debug.c; the structures both share in mm/slab_internal.h.
 *
 * Lock order:
 *   kmem->cache_chain_lock		(cache list: create, destroy, reap, slabinfo)
 *     cachep->spinlock		(slab lists, colour_next, counters)
 *       zone->lock			(only through __free_pages)
 * No slab lock is held across a page allocation (kmem_cache_grow drops it),
 * so reclaim may call kmem_cache_reap from inside alloc_pages.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "kern/fault_inject.h"
#include "kern/sched.h"
#include "slab_internal.h"

#define CREATE_MASK	(SLAB_DEBUG_FREE | SLAB_RED_ZONE | SLAB_POISON | SLAB_NO_REAP | \
			 SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | SLAB_MUST_HWCACHE_ALIGN | \
			 SLAB_RECLAIM_ACCOUNT | SLAB_PANIC | SLAB_NO_DEBUG)
#define BREAK_GFP_ORDER_HI	2	/* largest "ordinary" slab, > 32 MiB RAM */
#define BREAK_GFP_ORDER_LO	1
#define REAP_SCANLEN		10	/* caches looked at per reap */
#define REAP_PERFECT		10	/* free slab pages that end the search */
#define KMALLOC_MINALIGN	16	/* what the host's malloc promises */

static void *cache_alloc_slow(kmem_cache_t *cachep, struct sim_cpu *cpu, gfp_t flags);
static void cache_free_slow(kmem_cache_t *cachep, struct sim_cpu *cpu, void *objp);

/* --- pages ------------------------------------------------------------------- */

/*
 * kmem_getpages - 2^gfporder lowmem pages for a new slab, marked PG_slab
 * with page->mapping = the cache, counted in NR_SLAB_*.  NULL on failure.
 */
static void *kmem_getpages(kmem_cache_t *cachep, gfp_t flags)
{
	unsigned long nr = 1UL << cachep->gfporder;
	struct page *page;
	void *addr;

	flags &= ~(gfp_t)(__GFP_HIGHMEM | __GFP_DMA | __GFP_ZERO);
	page = alloc_pages(flags | cachep->gfpflags, cachep->gfporder);
	if (!page)
		return NULL;
	addr = page_address(page);
	BUG_ON_MSG(!addr, "kmem_getpages(%s): pfn %lu is not lowmem", cachep->name,
		   page_to_pfn(page));
	mod_zone_page_state(page->zone, (cachep->flags & SLAB_RECLAIM_ACCOUNT) ?
			    NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE, (long)nr);
	for (unsigned long i = 0; i < nr; i++) {
		SetPageSlab(page + i);
		page[i].mapping = (struct address_space *)(void *)cachep;
	}
	return addr;
}

static void kmem_freepages(kmem_cache_t *cachep, void *addr)
{
	unsigned long nr = 1UL << cachep->gfporder;
	struct page *page = slab_virt_to_page(cachep, addr);

	for (unsigned long i = 0; i < nr; i++) {
		VM_BUG_ON_MSG(!PageSlab(page + i) || page_get_cache(page + i) != cachep,
			      "kmem_freepages(%s): pfn %lu is not a page of this cache",
			      cachep->name, page_to_pfn(page + i));
		ClearPageSlab(page + i);
		page[i].mapping = NULL;
		page[i].private = 0;
	}
	mod_zone_page_state(page->zone, (cachep->flags & SLAB_RECLAIM_ACCOUNT) ?
			    NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE, -(long)nr);
	__free_pages(page, cachep->gfporder);
}

/* --- fault injection ----------------------------------------------------------- */

/*
 * should_failslab - fail the Nth slab allocation (cfg.fail_slab_nth = N),
 * counted machine-wide from when N was set (or changed); once.
 */
static bool should_failslab(struct machine *m)
{
	struct kmem_state *ks = m->kmem;
	uint64_t nth = READ_ONCE(m->cfg.fail_slab_nth);
	bool fail;

	if (!nth || !m->booted)
		return false;
	spin_lock(&ks->failslab_lock);
	if (ks->failslab_nth != nth) {
		ks->failslab_nth = nth;
		ks->failslab_count = 0;
	}
	fail = ++ks->failslab_count == nth;
	spin_unlock(&ks->failslab_lock);
	return fail;
}

uint64_t failslab_calls(struct machine *m)
{
	struct kmem_state *ks = m->kmem;
	uint64_t n;

	spin_lock(&ks->failslab_lock);
	n = ks->failslab_nth == m->cfg.fail_slab_nth ? ks->failslab_count : 0;
	spin_unlock(&ks->failslab_lock);
	return n;
}

/* --- slabs ------------------------------------------------------------------------- */

/* The slab descriptor: at the colour offset on-slab, or from slabp_cache. */
static slab_t *alloc_slabmgmt(kmem_cache_t *cachep, void *addr, unsigned long colour_off,
			      gfp_t flags)
{
	slab_t *slabp;

	if (cachep->flags & CFLGS_OFF_SLAB) {
		slabp = kmem_cache_alloc(cachep->slabp_cache,
					 flags & ~(gfp_t)(__GFP_DMA | __GFP_ZERO));
		if (!slabp)
			return NULL;
	} else {
		slabp = (slab_t *)((char *)addr + colour_off);
		colour_off += cachep->slab_size;
	}
	slabp->inuse = 0;
	slabp->colouroff = colour_off;
	slabp->s_mem = (char *)addr + colour_off;
	return slabp;
}

/* Build every object of a new slab: debug words, poison, constructor. */
static void cache_init_objs(kmem_cache_t *cachep, slab_t *slabp)
{
	kmem_bufctl_t *bufctl = slab_bufctl(slabp);

	for (unsigned int i = 0; i < cachep->num; i++) {
		void *objp = index_to_obj(cachep, slabp, i);

		if (cachep->flags & SLAB_RED_ZONE) {
			*redzone1(cachep, objp) = RED_INACTIVE;
			*redzone2(cachep, objp) = RED_INACTIVE;
		}
		if (cachep->flags & SLAB_POISON)
			poison_obj(cachep, objp, POISON_FREE);
		if (cachep->ctor) {
			cachep->ctor(objp, cachep, SLAB_CTOR_CONSTRUCTOR);
			if (cachep->flags & SLAB_RED_ZONE)
				check_redzones_free(cachep, objp, "after the constructor");
		}
		bufctl[i] = i + 1;
	}
	bufctl[cachep->num - 1] = BUFCTL_END;
	slabp->free = 0;
}

/*
 * kmem_cache_grow - add one free slab to @cachep.  Called without the
 * cache lock (the page allocation may reclaim).  1 on success, 0 if no
 * memory.
 */
static int kmem_cache_grow(kmem_cache_t *cachep, gfp_t flags)
{
	unsigned long offset, nr = 1UL << cachep->gfporder;
	struct page *page;
	slab_t *slabp;
	void *addr;

	spin_lock(&cachep->spinlock);
	offset = cachep->colour_next;
	if (++cachep->colour_next >= cachep->colour)
		cachep->colour_next = 0;
	cachep->dflags |= DFLGS_GROWN;
	spin_unlock(&cachep->spinlock);
	offset *= cachep->colour_off;

	addr = kmem_getpages(cachep, flags);
	if (!addr)
		return 0;
	slabp = alloc_slabmgmt(cachep, addr, offset, flags);
	if (!slabp) {
		kmem_freepages(cachep, addr);
		return 0;
	}
	page = slab_virt_to_page(cachep, addr);
	for (unsigned long i = 0; i < nr; i++)
		page[i].private = (unsigned long)slabp;
	cache_init_objs(cachep, slabp);

	spin_lock(&cachep->spinlock);
	list_add_tail(&slabp->list, &cachep->lists[SLABS_FREE]);
	cachep->nr_slabs[SLABS_FREE]++;
	if (cachep->ctor)
		cachep->ctor_calls += cachep->num;
	spin_unlock(&cachep->spinlock);
	return 1;
}

/*
 * slab_destroy - run the destructor (and the debug checks) over every
 * object of a free slab, unlinked by the caller, and give its pages back.
 */
static void slab_destroy(kmem_cache_t *cachep, slab_t *slabp)
{
	void *addr = (char *)slabp->s_mem - slabp->colouroff;

	if (cachep->dtor || (cachep->flags & SLAB_DEBUG_FLAGS)) {
		for (unsigned int i = 0; i < cachep->num; i++) {
			void *objp = index_to_obj(cachep, slabp, i);

			if (cachep->flags & SLAB_POISON)
				check_poison_obj(cachep, objp, "found when destroying the slab");
			if (cachep->flags & SLAB_RED_ZONE)
				check_redzones_free(cachep, objp, "found when destroying the slab");
			if (cachep->dtor)
				cachep->dtor(objp, cachep, 0);
		}
		if (cachep->dtor) {
			spin_lock(&cachep->spinlock);
			cachep->dtor_calls += cachep->num;
			spin_unlock(&cachep->spinlock);
		}
	}
	kmem_freepages(cachep, addr);
	if (cachep->flags & CFLGS_OFF_SLAB)
		kmem_cache_free(cachep->slabp_cache, slabp);
}

/*
 * free_block - give @nr objects back to their slabs (spinlock held).  An
 * object whose bufctl entry is not BUFCTL_ACTIVE is already free.  Objects
 * freed in a row often share a slab: its page lookup is reused.
 */
static void free_block(kmem_cache_t *cachep, void **objpp, unsigned int nr)
{
	struct machine *m = cachep->machine;
	uintptr_t ram = (uintptr_t)m->ram, last_pfn = ~(uintptr_t)0;
	const uint32_t recip = cachep->reciprocal_buffer_size;
	const unsigned int obj_offset = cachep->obj_offset, num = cachep->num;
	slab_t *slabp = NULL;
	kmem_bufctl_t *bufctl = NULL;
	uintptr_t base = 0;

	for (unsigned int i = 0; i < nr; i++) {
		uintptr_t objp = (uintptr_t)objpp[i], pfn = (objp - ram) >> PAGE_SHIFT;
		unsigned int idx;

		if (pfn != last_pfn) {
			last_pfn = pfn;
			slabp = page_get_slab(pfn_to_page(m, pfn));
			bufctl = slab_bufctl(slabp);
			base = (uintptr_t)slabp->s_mem + obj_offset;
		}
		idx = (unsigned int)(((uint64_t)(uint32_t)(objp - base) * recip) >> 32);
		if (unlikely(bufctl[idx] != BUFCTL_ACTIVE))
			slab_bug_unlock(cachep, "slab: cache %s: double free of object %p "
					"(already on its slab's free list)", cachep->name,
					(void *)objp);
		bufctl[idx] = slabp->free;
		slabp->free = idx;
		if (unlikely(--slabp->inuse == 0 || slabp->inuse == num - 1))
			slab_relist(cachep, slabp, slabp->inuse + 1);
	}
	cachep->inuse_objs -= nr;
}

/* Take up to @want objects from the slabs into @dst (spinlock held). */
static unsigned int take_from_slabs(kmem_cache_t *cachep, void **dst, unsigned int want)
{
	const unsigned int num = cachep->num, size = cachep->buffer_size;
	unsigned int got = 0;

	while (got < want) {
		struct list_head *l = &cachep->lists[SLABS_PARTIAL];
		slab_t *slabp;
		kmem_bufctl_t *bufctl, idx;
		unsigned int old, n;
		char *base;

		if (list_empty(l)) {
			l = &cachep->lists[SLABS_FREE];
			if (list_empty(l))
				break;
		}
		slabp = list_first_entry(l, slab_t, list);
		bufctl = slab_bufctl(slabp);
		base = (char *)slabp->s_mem + cachep->obj_offset;
		old = slabp->inuse;
		n = min(num - old, want - got);
		idx = slabp->free;
		for (unsigned int k = 0; k < n; k++) {
			kmem_bufctl_t next = bufctl[idx];

			bufctl[idx] = BUFCTL_ACTIVE;
			dst[got + k] = base + (size_t)idx * size;
			idx = next;
		}
		slabp->free = idx;
		slabp->inuse = old + n;
		got += n;
		slab_relist(cachep, slabp, old);
	}
	cachep->inuse_objs += got;
	return got;
}

/* --- the per-CPU arrays ------------------------------------------------------------ */

/*
 * cache_alloc_refill - the array of this CPU is empty: move batchcount
 * objects from the slabs into it (growing the cache if there are none)
 * and return one.  With no array yet (boot), one object straight from a
 * slab.  NULL if the cache cannot grow.
 */
static void *cache_alloc_refill(kmem_cache_t *cachep, struct array_cache *ac, gfp_t flags)
{
	for (;;) {
		void *objp = NULL;

		struct array_cache *sh;

		/*
		 * The array may have filled meanwhile: a grow that reclaimed
		 * (GFP_KERNEL) frees objects of this cache into it (page-cache
		 * radix nodes).  Take those first, and add after them, never
		 * over them (overwritten, they stayed allocated for good).
		 */
		if (ac->limit && ac->avail)
			return ac->entry[--ac->avail];
		spin_lock(&cachep->spinlock);
		sh = cachep->shared;
		if (ac->limit && sh && sh->avail) {
			unsigned int n = min(ac->batchcount, sh->avail);

			sh->avail -= n;
			memcpy(ac->entry, sh->entry + sh->avail, n * sizeof(void *));
			ac->avail = n;
		} else if (ac->limit) {
			ac->avail = take_from_slabs(cachep, ac->entry, ac->batchcount);
		} else {
			take_from_slabs(cachep, &objp, 1);
		}
		spin_unlock(&cachep->spinlock);
		if (ac->limit && ac->avail)
			return ac->entry[--ac->avail];
		if (objp)
			return objp;
		if (!kmem_cache_grow(cachep, flags)) {
			ac = cachep->array[this_cpu()->id];
			return ac->limit && ac->avail ? ac->entry[--ac->avail] : NULL;
		}
		ac = cachep->array[this_cpu()->id];	/* as Linux: looked up again */
	}
}

/*
 * The array is full: its oldest batchcount objects go to the shared array
 * if it has room, else back to their slabs.
 */
static void cache_flusharray(kmem_cache_t *cachep, struct array_cache *ac)
{
	unsigned int batch = min(ac->batchcount, ac->avail);
	struct array_cache *sh;

	spin_lock(&cachep->spinlock);
	sh = cachep->shared;
	if (sh && sh->avail < sh->limit) {
		batch = min(batch, sh->limit - sh->avail);
		memcpy(sh->entry + sh->avail, ac->entry, batch * sizeof(void *));
		sh->avail += batch;
	} else {
		free_block(cachep, ac->entry, batch);
	}
	spin_unlock(&cachep->spinlock);
	ac->avail -= batch;
	memmove(ac->entry, ac->entry + batch, sizeof(void *) * ac->avail);
}

/* Empty one CPU's array into the slabs (that CPU quiescent or the caller). */
static unsigned int drain_array(kmem_cache_t *cachep, struct array_cache *ac)
{
	unsigned int n = ac->avail;

	if (!n)
		return 0;
	spin_lock(&cachep->spinlock);
	free_block(cachep, ac->entry, n);
	ac->avail = 0;
	spin_unlock(&cachep->spinlock);
	return n;
}

/* Empty the shared array into the slabs (any CPU). */
static unsigned int drain_shared(kmem_cache_t *cachep)
{
	unsigned int n = 0;

	spin_lock(&cachep->spinlock);
	if (cachep->shared) {
		n = cachep->shared->avail;
		free_block(cachep, cachep->shared->entry, n);
		cachep->shared->avail = 0;
	}
	spin_unlock(&cachep->spinlock);
	return n;
}

static __always_inline void *__cache_alloc(kmem_cache_t *cachep, struct sim_cpu *cpu,
					   gfp_t flags)
{
	struct array_cache *ac = cachep->array[cpu->id];

	if (likely(ac->avail && !(cachep->slowpath | (flags & __GFP_ZERO)) &&
		   !cpu->machine->cfg.fail_slab_nth))
		return ac->entry[--ac->avail];
	return cache_alloc_slow(cachep, cpu, flags);
}

static __always_inline void __cache_free(kmem_cache_t *cachep, struct sim_cpu *cpu, void *objp)
{
	struct array_cache *ac = cachep->array[cpu->id];

	if (likely(ac->avail < ac->limit && !cachep->slowpath)) {
		ac->entry[ac->avail++] = objp;
		return;
	}
	cache_free_slow(cachep, cpu, objp);
}

static __noinline void *cache_alloc_slow(kmem_cache_t *cachep, struct sim_cpu *cpu, gfp_t flags)
{
	struct array_cache *ac = cachep->array[cpu->id];
	void *objp;

	VM_BUG_ON_MSG(cpu->machine != cachep->machine,
		      "kmem_cache_alloc(%s): cpu %d belongs to another machine", cachep->name,
		      cpu->id);
	if (unlikely(cpu->machine->cfg.fail_slab_nth) && should_failslab(cpu->machine))
		return NULL;
	if (likely(ac->avail))
		objp = ac->entry[--ac->avail];
	else
		objp = cache_alloc_refill(cachep, ac, flags);
	if (unlikely(!objp))
		return NULL;
	if (cachep->flags & SLAB_DEBUG_FLAGS)
		cache_alloc_debugcheck_after(cachep, objp);
	if (flags & __GFP_ZERO)
		memset(objp, 0, cachep->objsize);
	return objp;
}

static __noinline void cache_free_slow(kmem_cache_t *cachep, struct sim_cpu *cpu, void *objp)
{
	struct array_cache *ac = cachep->array[cpu->id];

	VM_BUG_ON_MSG(cpu->machine != cachep->machine,
		      "kmem_cache_free(%s): cpu %d belongs to another machine", cachep->name,
		      cpu->id);
	if (cachep->slowpath)
		cache_free_debugcheck(cachep, ac, objp);
	if (unlikely(!ac->limit)) {
		spin_lock(&cachep->spinlock);
		free_block(cachep, &objp, 1);
		spin_unlock(&cachep->spinlock);
		return;
	}
	if (ac->avail >= ac->limit)
		cache_flusharray(cachep, ac);
	ac->entry[ac->avail++] = objp;
}

void *__kmem_cache_alloc(kmem_cache_t *cachep, gfp_t flags, const char *caller)
{
	struct sim_cpu *cpu = this_cpu();
	void *objp = __cache_alloc(cachep, cpu, flags);

	trace_kmem_cache_alloc(cpu->machine, objp, cachep->objsize, cachep->objsize, flags,
			       cachep->name, caller);
	return objp;
}

void __kmem_cache_free(kmem_cache_t *cachep, void *objp, const char *caller)
{
	struct sim_cpu *cpu = this_cpu();

	trace_kmem_cache_free(cpu->machine, objp, cachep->name, caller);
	__cache_free(cachep, cpu, objp);
}

/* The plain calls (the macros name the caller; these are for a pointer to them). */
void *(kmem_cache_alloc)(kmem_cache_t *cachep, gfp_t flags)
{
	return __kmem_cache_alloc(cachep, flags, "kmem_cache_alloc");
}

void (kmem_cache_free)(kmem_cache_t *cachep, void *objp)
{
	__kmem_cache_free(cachep, objp, "kmem_cache_free");
}

/* --- kmalloc ---------------------------------------------------------------------- */

/* 1..32 -> 0 (size-32), 33..64 -> 1, ..., 65537..131072 -> 12 */
static inline unsigned int kmalloc_index(size_t size)
{
	return (unsigned int)fls_long((size - 1) | (KMALLOC_MIN_SIZE - 1)) - 5;
}

kmem_cache_t *kmalloc_cache(struct machine *m, size_t size, gfp_t flags)
{
	struct cache_sizes *cs;

	if (!size || size > KMALLOC_MAX_SIZE)
		return NULL;
	cs = &m->kmem->cache_sizes[kmalloc_index(size)];
	return (flags & __GFP_DMA) ? cs->cs_dmacachep : cs->cs_cachep;
}

void *__kmalloc(size_t size, gfp_t flags, const char *caller)
{
	struct sim_cpu *cpu = this_cpu();
	kmem_cache_t *(*caches)[NR_GENERAL_CACHES] = cpu->slab_cpu;

	kmem_cache_t *cachep;
	void *objp;

	if (unlikely(size - 1 >= KMALLOC_MAX_SIZE))
		return size ? NULL : ZERO_SIZE_PTR;
	cachep = caches[(flags & __GFP_DMA) != 0][kmalloc_index(size)];
	objp = __cache_alloc(cachep, cpu, flags);
	trace_kmalloc(cpu->machine, objp, size, cachep->objsize, flags, caller);
	return objp;
}

void *(kmalloc)(size_t size, gfp_t flags)
{
	return __kmalloc(size, flags, "kmalloc");
}

/* kfree/ksize of something that is not a slab object: report it. */
static __noinline __cold __attribute__((noreturn)) void kfree_bad(struct machine *m, const void *objp, const char *caller)
{
	uintptr_t off = (uintptr_t)objp - (uintptr_t)m->ram;

	if (off >= ((uintptr_t)m->max_low_pfn << PAGE_SHIFT))
		__bug(__FILE__, __LINE__, "slab: %s: %p is not a kernel address "
			  "(outside lowmem)", caller, objp);
	__bug(__FILE__, __LINE__, "slab: %s: %p is not a slab object (pfn %lu has no "
		  "PG_slab)", caller, objp, (unsigned long)(off >> PAGE_SHIFT));
}

/*
 * The cache of a slab object, NULL for NULL or ZERO_SIZE_PTR (they lie
 * below RAM, so one range check covers them), BUG for anything else.
 */
static __always_inline kmem_cache_t *kfree_cache(struct machine *m, const void *objp,
						 const char *caller)
{
	uintptr_t off = (uintptr_t)objp - (uintptr_t)m->ram;
	struct page *page;

	if (unlikely(off >= ((uintptr_t)m->max_low_pfn << PAGE_SHIFT))) {
		if (ZERO_OR_NULL_PTR(objp))
			return NULL;
		kfree_bad(m, objp, caller);
	}
	page = pfn_to_page(m, off >> PAGE_SHIFT);
	if (unlikely(!PageSlab(page)))
		kfree_bad(m, objp, caller);
	return page_get_cache(page);
}

void __kfree(const void *objp, const char *caller)
{
	struct sim_cpu *cpu = this_cpu();
	kmem_cache_t *cachep = kfree_cache(cpu->machine, objp, "kfree");

	if (likely(cachep)) {
		trace_kfree(cpu->machine, objp, caller);
		__cache_free(cachep, cpu, (void *)objp);
	}
}

void (kfree)(const void *objp)
{
	__kfree(objp, "kfree");
}

size_t ksize(const void *objp)
{
	kmem_cache_t *cachep = kfree_cache(this_machine(), objp, "ksize");

	return cachep ? cachep->objsize : 0;
}

kmem_cache_t *virt_to_cache(struct machine *m, const void *objp)
{
	uintptr_t off = (uintptr_t)objp - (uintptr_t)m->ram;
	struct page *page;

	if (off >= ((uintptr_t)m->max_low_pfn << PAGE_SHIFT))
		return NULL;
	page = pfn_to_page(m, off >> PAGE_SHIFT);
	return PageSlab(page) ? page_get_cache(page) : NULL;
}

/* --- cache creation ------------------------------------------------------------ */

/* Objects per slab of 2^order pages and the bytes left over (2.4's estimate). */
static void cache_estimate(unsigned int order, size_t size, size_t mgmt_align, bool off_slab,
			   size_t *left_over, unsigned int *num)
{
	size_t bytes = PAGE_SIZE << order, mgmt = 0, nr;

	if (off_slab) {
		nr = bytes / size;
	} else {
		nr = (bytes - sizeof(slab_t)) / (size + sizeof(kmem_bufctl_t));
		while (nr && ALIGN(sizeof(slab_t) + nr * sizeof(kmem_bufctl_t), mgmt_align) +
			     nr * size > bytes)
			nr--;
		if (nr)
			mgmt = ALIGN(sizeof(slab_t) + nr * sizeof(kmem_bufctl_t), mgmt_align);
	}
	if (nr > SLAB_LIMIT)
		nr = SLAB_LIMIT;
	*num = (unsigned int)nr;
	*left_over = bytes - nr * size - mgmt;
}

/* The smallest non-DMA general cache of at least @size bytes, if it exists yet. */
static kmem_cache_t *find_general_cachep(struct kmem_state *ks, size_t size)
{
	for (int i = 0; i < NR_GENERAL_CACHES; i++)
		if (ks->cache_sizes[i].cs_size >= size)
			return ks->cache_sizes[i].cs_cachep;
	return NULL;
}

/* Bytes of the largest general cache created so far (off-slab limit). */
static size_t largest_general_cache(struct kmem_state *ks)
{
	size_t best = 0;

	for (int i = 0; i < NR_GENERAL_CACHES; i++)
		if (ks->cache_sizes[i].cs_cachep)
			best = ks->cache_sizes[i].cs_size;
	return best;
}

/*
 * kmem_cache_setup - fill a zeroed descriptor: debug words, alignment,
 * slab order (2.4's loop: the smallest order that wastes at most 1/8, up
 * to slab_break_gfp_order), on/off-slab, colours.  0 or -EINVAL.
 */
static int kmem_cache_setup(struct kmem_state *ks, kmem_cache_t *cachep, const char *name,
			    size_t size, size_t align, unsigned long flags, kmem_ctor_t ctor,
			    kmem_ctor_t dtor)
{
	size_t objsize = ALIGN(size, BYTES_PER_WORD), ralign = BYTES_PER_WORD;
	size_t buffer, obj_offset = 0, left_over, mgmt_align, offslab_limit;
	unsigned int order, num;
	bool off_slab = false;

	if (DEBUG_VM && !(flags & SLAB_NO_DEBUG) &&
	    (size < 4096 || fls_long(size - 1) == fls_long(size - 1 + 3 * BYTES_PER_WORD)))
		flags |= SLAB_RED_ZONE | SLAB_POISON;
	if (ctor)
		flags &= ~SLAB_POISON;	/* poison would undo the constructor */

	if ((flags & SLAB_MUST_HWCACHE_ALIGN) ||
	    ((flags & SLAB_HWCACHE_ALIGN) && !(flags & SLAB_RED_ZONE))) {
		size_t r = L1_CACHE_BYTES;

		while (objsize <= r / 2)
			r /= 2;	/* small objects: at least two per line */
		ralign = max(ralign, r);
	}
	ralign = max(ralign, align);
	buffer = objsize;
	if (flags & SLAB_RED_ZONE) {
		obj_offset = ralign;
		buffer = obj_offset + objsize + BYTES_PER_WORD;
	}
	buffer = ALIGN(buffer, ralign);
	if (buffer > KMALLOC_MAX_SIZE)
		return -EINVAL;

	mgmt_align = max((size_t)L1_CACHE_BYTES, ralign);
	offslab_limit = 0;
	if (buffer >= (PAGE_SIZE >> 3)) {
		size_t largest = largest_general_cache(ks);

		if (largest > sizeof(slab_t)) {
			off_slab = true;
			offslab_limit = (largest - sizeof(slab_t)) / sizeof(kmem_bufctl_t);
		}
	}

	for (order = 0;; order++) {
		cache_estimate(order, buffer, mgmt_align, off_slab, &left_over, &num);
		if (order >= MAX_GFP_ORDER)
			break;
		if (!num)
			continue;
		if (off_slab && num > offslab_limit) {
			if (order > 0)
				cache_estimate(--order, buffer, mgmt_align, off_slab, &left_over, &num);
			break;
		}
		if (order >= ks->slab_break_gfp_order)
			break;
		if (left_over * 8 <= (PAGE_SIZE << order))
			break;	/* acceptable internal fragmentation */
	}
	if (!num || (off_slab && num > offslab_limit))
		return -EINVAL;

	cachep->slab_size = (unsigned int)ALIGN(sizeof(slab_t) + num * sizeof(kmem_bufctl_t),
						mgmt_align);
	if (off_slab && left_over >= cachep->slab_size) {
		off_slab = false;	/* it fits in what the objects leave over */
		left_over -= cachep->slab_size;
	}
	if (off_slab) {
		cachep->slab_size = (unsigned int)(sizeof(slab_t) + num * sizeof(kmem_bufctl_t));
		cachep->slabp_cache = find_general_cachep(ks, cachep->slab_size);
		if (!cachep->slabp_cache)
			return -EINVAL;
		flags |= CFLGS_OFF_SLAB;
	}

	spin_lock_init(&cachep->spinlock);
	for (int i = 0; i < NR_SLAB_LISTS; i++)
		INIT_LIST_HEAD(&cachep->lists[i]);
	INIT_LIST_HEAD(&cachep->next);
	cachep->flags = flags;
	cachep->objsize = (unsigned int)objsize;
	cachep->obj_offset = (unsigned int)obj_offset;
	cachep->buffer_size = (unsigned int)buffer;
	cachep->reciprocal_buffer_size = (uint32_t)(((1ULL << 32) + buffer - 1) / buffer);
	cachep->align = (unsigned int)ralign;
	cachep->num = num;
	cachep->gfporder = order;
	cachep->colour_off = (unsigned int)mgmt_align;
	cachep->colour = (unsigned int)(left_over / mgmt_align);
	cachep->gfpflags = (flags & SLAB_CACHE_DMA) ? GFP_DMA : 0;
	cachep->ctor = ctor;
	cachep->dtor = dtor;
	cachep->machine = ks->machine;
	cachep->slowpath = (flags & SLAB_DEBUG_FLAGS) || (DEBUG_VM && !(flags & SLAB_NO_DEBUG));
	snprintf(cachep->name, sizeof(cachep->name), "%s", name);
	for (int i = 0; i < NR_CPUS; i++)
		cachep->array[i] = &ks->boot_array;
	return 0;
}

/* Free the per-CPU and shared arrays of @cachep (drained, or never used). */
static void free_cpucache(struct kmem_state *ks, kmem_cache_t *cachep)
{
	struct array_cache *sh = cachep->shared;

	cachep->shared = NULL;
	kfree(sh);
	for (int i = 0; i < NR_CPUS; i++) {
		struct array_cache *ac = cachep->array[i];

		if (ac != &ks->boot_array) {
			cachep->array[i] = &ks->boot_array;
			kfree(ac);
		}
	}
}

int kmem_tune_cpucache(kmem_cache_t *cachep, unsigned int limit, unsigned int batchcount,
		       unsigned int shared)
{
	struct machine *m = cachep->machine;
	struct kmem_state *ks = m->kmem;
	struct array_cache *new[NR_CPUS], *new_sh = NULL, *old_sh;
	size_t sh_bytes = sizeof(struct array_cache) +
			  (size_t)shared * batchcount * sizeof(void *);
	int i;

	if (limit > 4096 || (limit && (!batchcount || batchcount > limit)) ||
	    (!limit && (batchcount || shared)) || shared > 64 || sh_bytes > KMALLOC_MAX_SIZE)
		return -EINVAL;
	if (shared) {
		new_sh = kmalloc(sh_bytes, GFP_KERNEL);
		if (!new_sh)
			return -ENOMEM;
		new_sh->avail = 0;
		new_sh->limit = shared * batchcount;
		new_sh->batchcount = batchcount;
	}
	for (i = 0; i < m->nr_cpus; i++) {
		if (!limit) {
			new[i] = &ks->boot_array;
			continue;
		}
		new[i] = kmalloc(sizeof(struct array_cache) + limit * sizeof(void *), GFP_KERNEL);
		if (!new[i])
			goto out_unwind;
		new[i]->avail = 0;
		new[i]->limit = limit;
		new[i]->batchcount = batchcount;
	}
	for (i = 0; i < m->nr_cpus; i++) {
		struct array_cache *old = cachep->array[i];

		drain_array(cachep, old);
		cachep->array[i] = new[i];
		if (old != &ks->boot_array)
			kfree(old);
	}
	spin_lock(&cachep->spinlock);
	old_sh = cachep->shared;
	if (old_sh)
		free_block(cachep, old_sh->entry, old_sh->avail);
	cachep->shared = new_sh;
	cachep->limit = limit;
	cachep->batchcount = batchcount;
	cachep->sharedfactor = shared;
	spin_unlock(&cachep->spinlock);
	kfree(old_sh);
	return 0;

out_unwind:
	while (i-- > 0)
		kfree(new[i]);
	kfree(new_sh);
	return -ENOMEM;
}

/*
 * Array sizes as 2.4's enable_cpucache chose them, and a shared array of
 * 8 batches for objects up to a page (2.6's choice on SMP; vmsim keeps it
 * on one CPU too, where it is the depot between the CPU array and slabs).
 */
static int enable_cpucache(kmem_cache_t *cachep)
{
	unsigned int limit;

	if (cachep->buffer_size > PAGE_SIZE)
		limit = 8;
	else if (cachep->buffer_size > 1024)
		limit = 54;
	else if (cachep->buffer_size > 256)
		limit = 120;
	else
		limit = 252;
	return kmem_tune_cpucache(cachep, limit, limit / 2,
				  cachep->buffer_size <= PAGE_SIZE ? 8 : 0);
}

static kmem_cache_t *find_cache_locked(struct kmem_state *ks, const char *name)
{
	kmem_cache_t *c;

	list_for_each_entry(c, &ks->cache_chain, next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

kmem_cache_t *kmem_find_cache(struct machine *m, const char *name)
{
	struct kmem_state *ks = m->kmem;
	kmem_cache_t *c;

	spin_lock(&ks->cache_chain_lock);
	c = find_cache_locked(ks, name);
	spin_unlock(&ks->cache_chain_lock);
	return c;
}

kmem_cache_t *kmem_cache_create(const char *name, size_t size, size_t align,
				unsigned long flags, kmem_ctor_t ctor, kmem_ctor_t dtor)
{
	struct machine *m = this_machine();
	struct kmem_state *ks = m->kmem;
	kmem_cache_t *cachep;

	if (!name || !*name || strlen(name) >= CACHE_NAMELEN || !size ||
	    size > KMALLOC_MAX_SIZE || (align & (align - 1)) || align > PAGE_SIZE ||
	    (flags & ~CREATE_MASK) || (dtor && !ctor))
		goto out_fail;
	if (kmem_find_cache(m, name))
		goto out_fail;
	cachep = kmem_cache_alloc(&ks->cache_cache, GFP_KERNEL);
	if (!cachep)
		goto out_fail;
	memset(cachep, 0, sizeof(*cachep));
	if (kmem_cache_setup(ks, cachep, name, size, align, flags, ctor, dtor))
		goto out_free;
	if (ks->cpucache_up && enable_cpucache(cachep))
		goto out_free;

	spin_lock(&ks->cache_chain_lock);
	if (find_cache_locked(ks, name)) {
		spin_unlock(&ks->cache_chain_lock);
		goto out_arrays;
	}
	list_add(&cachep->next, &ks->cache_chain);
	ks->nr_caches++;
	spin_unlock(&ks->cache_chain_lock);
	return cachep;

out_arrays:
	free_cpucache(ks, cachep);
out_free:
	kmem_cache_free(&ks->cache_cache, cachep);
out_fail:
	BUG_ON_MSG(flags & SLAB_PANIC, "kmem_cache_create(): failed to create slab `%s'",
		   name ? name : "(null)");
	return NULL;
}

/* --- shrinking, destroying, reaping ---------------------------------------------- */

/* Release every free slab of @cachep; the number of pages given back. */
static unsigned long __kmem_cache_shrink(kmem_cache_t *cachep)
{
	unsigned long n = 0;

	for (;;) {
		slab_t *slabp;

		spin_lock(&cachep->spinlock);
		if (list_empty(&cachep->lists[SLABS_FREE])) {
			spin_unlock(&cachep->spinlock);
			break;
		}
		slabp = list_last_entry(&cachep->lists[SLABS_FREE], slab_t, list);
		list_del(&slabp->list);
		cachep->nr_slabs[SLABS_FREE]--;
		spin_unlock(&cachep->spinlock);
		slab_destroy(cachep, slabp);
		n++;
	}
	return n << cachep->gfporder;
}

int kmem_cache_shrink(kmem_cache_t *cachep)
{
	struct sim_cpu *cpu = this_cpu();
	int ret;

	if (cachep->machine->nr_cpus == 1)
		drain_array(cachep, cachep->array[0]);
	else
		drain_array(cachep, cachep->array[cpu->id]);
	drain_shared(cachep);
	__kmem_cache_shrink(cachep);
	spin_lock(&cachep->spinlock);
	ret = cachep->nr_slabs[SLABS_FULL] || cachep->nr_slabs[SLABS_PARTIAL];
	spin_unlock(&cachep->spinlock);
	return ret;
}

int kmem_cache_destroy(kmem_cache_t *cachep)
{
	struct machine *m = cachep->machine;
	struct kmem_state *ks = m->kmem;
	unsigned long live;

	BUG_ON_MSG(cachep == &ks->cache_cache, "kmem_cache_destroy: the cache of caches");
	for (int i = 0; i < m->nr_cpus; i++)
		drain_array(cachep, cachep->array[i]);
	drain_shared(cachep);
	__kmem_cache_shrink(cachep);

	spin_lock(&cachep->spinlock);
	live = cachep->inuse_objs;
	spin_unlock(&cachep->spinlock);
	if (live) {
		/* a leak: a BUG in every build, unless a test discards a machine after one */
		BUG_ON_MSG(!m->exit_unchecked, "slab error in kmem_cache_destroy(): cache `%s': "
			   "can't free all objects (%lu still allocated)", cachep->name, live);
		return -EBUSY;
	}

	spin_lock(&ks->cache_chain_lock);
	if (ks->clock_searchp == &cachep->next)
		ks->clock_searchp = cachep->next.next;
	list_del(&cachep->next);
	ks->nr_caches--;
	spin_unlock(&ks->cache_chain_lock);
	free_cpucache(ks, cachep);
	kmem_cache_free(&ks->cache_cache, cachep);
	return 0;
}

int kmem_cache_reap(gfp_t gfp_mask)
{
	struct sim_cpu *cpu = this_cpu();
	struct kmem_state *ks = cpu->machine->kmem;
	kmem_cache_t *best = NULL;
	unsigned long best_pages = 0, freed = 0, target;
	struct list_head *p;
	int scan;

	if (!spin_trylock(&ks->cache_chain_lock))
		return 0;
	p = ks->clock_searchp ? ks->clock_searchp : ks->cache_chain.next;
	for (scan = 0; scan < REAP_SCANLEN && scan < ks->nr_caches; p = p->next) {
		kmem_cache_t *c;
		unsigned long pages;

		if (p == &ks->cache_chain)
			continue;	/* the list head: wrap around */
		c = list_entry(p, kmem_cache_t, next);
		scan++;
		if (c->flags & SLAB_NO_REAP)
			continue;
		drain_array(c, c->array[cpu->id]);
		drain_shared(c);
		spin_lock(&c->spinlock);
		if (c->dflags & DFLGS_GROWN) {
			c->dflags &= ~DFLGS_GROWN;	/* it is in use: next time */
			spin_unlock(&c->spinlock);
			continue;
		}
		pages = c->nr_slabs[SLABS_FREE] << c->gfporder;
		spin_unlock(&c->spinlock);
		if (c->ctor)
			pages -= pages / 8;	/* rebuilding objects costs: prefer others */
		if (pages > best_pages) {
			best = c;
			best_pages = pages;
			if (pages >= REAP_PERFECT)
				break;
		}
	}
	ks->clock_searchp = p;
	if (!best)
		goto out;

	spin_lock(&best->spinlock);
	target = (best->nr_slabs[SLABS_FREE] * 4 + 4) / 5;	/* about 80% */
	while (target-- && !list_empty(&best->lists[SLABS_FREE])) {
		slab_t *slabp = list_last_entry(&best->lists[SLABS_FREE], slab_t, list);

		list_del(&slabp->list);
		best->nr_slabs[SLABS_FREE]--;
		spin_unlock(&best->spinlock);
		slab_destroy(best, slabp);
		freed += 1UL << best->gfporder;
		spin_lock(&best->spinlock);
	}
	spin_unlock(&best->spinlock);
out:
	spin_unlock(&ks->cache_chain_lock);
	return (int)freed;
}

unsigned long kmem_cache_shrink_all(struct machine *m)
{
	struct kmem_state *ks = m->kmem;
	unsigned long total = 0;

	if (!ks)
		return 0;
	/*
	 * Releasing an off-slab cache's slabs frees descriptors into a general
	 * cache already visited: go round until a pass moves nothing.
	 */
	for (;;) {
		unsigned long moved = 0;
		kmem_cache_t *c;

		spin_lock(&ks->cache_chain_lock);
		list_for_each_entry(c, &ks->cache_chain, next) {
			for (int i = 0; i < m->nr_cpus; i++)
				moved += drain_array(c, c->array[i]);
			moved += drain_shared(c);
			moved += __kmem_cache_shrink(c);
		}
		spin_unlock(&ks->cache_chain_lock);
		total += moved;
		if (!moved)
			break;
	}
	return total;
}

static void kmem_slab_drain(struct machine *m)
{
	kmem_cache_shrink_all(m);
}

/* Objects handed out over every cache (per-CPU arrays count as handed out). */
static unsigned long kmem_active_objs(struct machine *m)
{
	struct kmem_state *ks = m->kmem;
	unsigned long n = 0;
	kmem_cache_t *c;

	spin_lock(&ks->cache_chain_lock);
	list_for_each_entry(c, &ks->cache_chain, next) {
		spin_lock(&c->spinlock);
		n += c->inuse_objs;
		spin_unlock(&c->spinlock);
	}
	spin_unlock(&ks->cache_chain_lock);
	return n;
}

/* --- boot -------------------------------------------------------------------------- */

kmem_cache_t *vm_area_cachep(struct machine *m)
{
	return m->kmem->vm_area_cachep;
}

kmem_cache_t *mm_cachep(struct machine *m)
{
	return m->kmem->mm_cachep;
}

kmem_cache_t *task_struct_cachep(struct machine *m)
{
	return m->kmem->task_struct_cachep;
}

kmem_cache_t *pgd_cachep(struct machine *m)
{
	return m->kmem->pgd_cachep;
}

/*
 * Undo a partial kmem_cache_init.  The per-CPU arrays are objects of the
 * general caches: switch every cache to "no array" first, chaining the old
 * arrays through their first word, then free them, then destroy the
 * caches newest first (an off-slab cache before the one holding its
 * descriptors), then the state pages.
 */
static void kmem_cache_init_unwind(struct machine *m)
{
	struct kmem_state *ks = m->kmem;
	kmem_cache_t *c, *n;
	void *dead = NULL;

	list_for_each_entry(c, &ks->cache_chain, next) {
		drain_shared(c);
		if (c->shared) {
			*(void **)c->shared = dead;
			dead = c->shared;
			c->shared = NULL;
		}
		for (int i = 0; i < NR_CPUS; i++) {
			struct array_cache *ac = c->array[i];

			if (ac == &ks->boot_array)
				continue;
			drain_array(c, ac);
			c->array[i] = &ks->boot_array;
			*(void **)ac = dead;
			dead = ac;
		}
	}
	while (dead) {
		void *next = *(void **)dead;

		kfree(dead);
		dead = next;
	}
	list_for_each_entry_safe(c, n, &ks->cache_chain, next)
		if (c != &ks->cache_cache)
			kmem_cache_destroy(c);
	__kmem_cache_shrink(&ks->cache_cache);
	for (int i = 0; i < m->nr_cpus; i++)
		m->cpu[i].slab_cpu = NULL;
	m->kmem = NULL;
	free_pages((unsigned long)ks, ks->state_order);
}

int kmem_cache_init(struct machine *m)
{
	static const size_t pgd_bytes[] = {
		[VMSIM_PAGING_I386] = 4096, [VMSIM_PAGING_PAE] = 32, [VMSIM_PAGING_X86_64] = 4096,
	};
	unsigned int order = (unsigned int)fls_long((sizeof(struct kmem_state) - 1) >> PAGE_SHIFT);
	struct kmem_state *ks;
	kmem_cache_t *c;
	char name[CACHE_NAMELEN];
	size_t pgd;

	ks = (struct kmem_state *)__get_free_pages(GFP_KERNEL, order);
	if (!ks)
		return -ENOMEM;
	memset(ks, 0, sizeof(*ks));
	ks->machine = m;
	ks->state_order = order;
	spin_lock_init(&ks->cache_chain_lock);
	spin_lock_init(&ks->failslab_lock);
	INIT_LIST_HEAD(&ks->cache_chain);
	ks->slab_break_gfp_order = ((uint64_t)m->totalram_pages << PAGE_SHIFT) > (32ULL << 20) ?
				   BREAK_GFP_ORDER_HI : BREAK_GFP_ORDER_LO;
	m->kmem = ks;

	/* 1. the cache of caches: a static descriptor, no array yet */
	if (kmem_cache_setup(ks, &ks->cache_cache, "kmem_cache", sizeof(kmem_cache_t), 0,
			     SLAB_HWCACHE_ALIGN, NULL, NULL))
		goto fail;
	BUG_ON_MSG(ks->cache_cache.flags & CFLGS_OFF_SLAB, "kmem_cache: descriptor off-slab");
	list_add(&ks->cache_cache.next, &ks->cache_chain);
	ks->nr_caches = 1;

	/* 2. the general caches, smallest first: off-slab ones use the smaller */
	for (int i = 0; i < NR_GENERAL_CACHES; i++) {
		size_t sz = (size_t)KMALLOC_MIN_SIZE << i;

		snprintf(name, sizeof(name), "size-%zu", sz);
		c = kmem_cache_create(name, sz, KMALLOC_MINALIGN, SLAB_HWCACHE_ALIGN, NULL, NULL);
		if (!c)
			goto fail;
		ks->cache_sizes[i].cs_cachep = c;
		ks->cache_sizes[i].cs_size = sz;
		snprintf(name, sizeof(name), "size-%zu(DMA)", sz);
		c = kmem_cache_create(name, sz, KMALLOC_MINALIGN,
				      SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA, NULL, NULL);
		if (!c)
			goto fail;
		ks->cache_sizes[i].cs_dmacachep = c;
		ks->kmalloc_caches[0][i] = ks->cache_sizes[i].cs_cachep;
		ks->kmalloc_caches[1][i] = c;
	}
	for (int i = 0; i < m->nr_cpus; i++)
		m->cpu[i].slab_cpu = ks->kmalloc_caches;

	/* 3. per-CPU arrays for every cache so far, then for every new one */
	list_for_each_entry(c, &ks->cache_chain, next)
		if (enable_cpucache(c))
			goto fail;
	ks->cpucache_up = true;

	/* 4. the caches every kernel object of vmsim comes from */
	ks->vm_area_cachep = kmem_cache_create("vm_area_struct", sizeof(struct vm_area_struct),
					       0, SLAB_HWCACHE_ALIGN, NULL, NULL);
	ks->mm_cachep = kmem_cache_create("mm_struct", sizeof(struct mm_struct), 0,
					  SLAB_HWCACHE_ALIGN, NULL, NULL);
	ks->task_struct_cachep = kmem_cache_create("task_struct", sizeof(struct task_struct),
						   0, SLAB_HWCACHE_ALIGN, NULL, NULL);
	pgd = pgd_bytes[m->cfg.paging];
	ks->pgd_cachep = kmem_cache_create("pgd", pgd, pgd, 0, NULL, NULL);
	if (!ks->vm_area_cachep || !ks->mm_cachep || !ks->task_struct_cachep || !ks->pgd_cachep)
		goto fail;

	m->slab_drain = kmem_slab_drain;
	m->slab_active_objs = kmem_active_objs;
	return 0;

fail:
	kmem_cache_init_unwind(m);
	return -ENOMEM;
}

/*
 * mm/slab_debug.c - the slab allocator's checks: red zones and poison on
 * alloc and free (SLAB_RED_ZONE, SLAB_POISON; every small cache in
 * CONFIG_DEBUG_VM builds), pointer checks on free, the validators
 * kmem_cache_is_valid / kmem_is_valid, introspection for tests, and
 * /proc/slabinfo (version 2.1).  Every report is a BUG naming the cache,
 * the object and what was found.  The allocator itself is mm/slab.c.
 */
#include <stdio.h>
#include "kern/poison.h"
#include "slab_internal.h"

void poison_obj(kmem_cache_t *cachep, void *objp, unsigned char val)
{
	unsigned char *p = objp;

	memset(p, val, cachep->objsize);
	if (val == POISON_FREE)
		p[cachep->objsize - 1] = POISON_END;
}

/* Check a free object's poison; BUG at the first byte that differs. */
void check_poison_obj(kmem_cache_t *cachep, void *objp, const char *when)
{
	const unsigned char *p = objp;
	size_t n = cachep->objsize;

	for (size_t i = 0; i < n; i++) {
		unsigned char want = i == n - 1 ? POISON_END : POISON_FREE;

		if (unlikely(p[i] != want))
			__bug(__FILE__, __LINE__,
				  "slab: cache %s: object %p: write after free (%s): byte %zu of %zu "
				  "is %#04x, expected %#04x", cachep->name, objp, when, i, n, p[i], want);
	}
}

void check_redzones_free(kmem_cache_t *cachep, void *objp, const char *when)
{
	uint64_t r1 = *redzone1(cachep, objp), r2 = *redzone2(cachep, objp);

	if (unlikely(r1 != RED_INACTIVE || r2 != RED_INACTIVE))
		__bug(__FILE__, __LINE__,
			  "slab: cache %s: object %p: red zone overwritten while free (%s): "
			  "found %#llx/%#llx, expected %#llx", cachep->name, objp, when,
			  (unsigned long long)r1, (unsigned long long)r2,
			  (unsigned long long)RED_INACTIVE);
}

/*
 * Is @objp the start of an object of @cachep?  BUG naming what it is
 * instead: not kernel memory, not a slab page, another cache's object, not
 * an object boundary.  Returns the slab.
 */
static slab_t *check_obj_address(kmem_cache_t *cachep, const void *objp, const char *caller)
{
	struct machine *m = cachep->machine;
	uintptr_t off = (uintptr_t)objp - (uintptr_t)m->ram;
	struct page *page;
	kmem_cache_t *owner;
	slab_t *slabp;
	unsigned int idx;
	uintptr_t boff;

	if (unlikely(off >= ((uintptr_t)m->max_low_pfn << PAGE_SHIFT)))
		__bug(__FILE__, __LINE__, "slab: %s(%s): %p is not a kernel address "
			  "(outside lowmem)", caller, cachep->name, objp);
	page = pfn_to_page(m, off >> PAGE_SHIFT);
	if (unlikely(!PageSlab(page)))
		__bug(__FILE__, __LINE__, "slab: %s(%s): %p is not a slab object "
			  "(pfn %lu has no PG_slab)", caller, cachep->name, objp, page_to_pfn(page));
	owner = page_get_cache(page);
	if (unlikely(owner != cachep))
		__bug(__FILE__, __LINE__, "slab: %s(%s): object %p belongs to cache %s",
			  caller, cachep->name, objp, owner ? owner->name : "(none)");
	slabp = page_get_slab(page);
	boff = (uintptr_t)objp - cachep->obj_offset - (uintptr_t)slabp->s_mem;
	idx = obj_to_index(cachep, slabp, objp);
	if (unlikely((uintptr_t)objp < (uintptr_t)slabp->s_mem + cachep->obj_offset ||
		     idx >= cachep->num || (uintptr_t)idx * cachep->buffer_size != boff))
		__bug(__FILE__, __LINE__, "slab: %s(%s): %p is not the start of an object "
			  "(slab %p, s_mem %p, object size %u)", caller, cachep->name, objp,
			  (void *)slabp, slabp->s_mem, cachep->buffer_size);
	return slabp;
}

/* Checks on an object about to go back (kmem_cache_free, before the array). */
void cache_free_debugcheck(kmem_cache_t *cachep, struct array_cache *ac, void *objp)
{
	slab_t *slabp = check_obj_address(cachep, objp, "kmem_cache_free");

	if (cachep->flags & SLAB_RED_ZONE) {
		uint64_t r1 = *redzone1(cachep, objp), r2 = *redzone2(cachep, objp);

		if (r1 == RED_INACTIVE && r2 == RED_INACTIVE)
			__bug(__FILE__, __LINE__, "slab: cache %s: double free of object %p "
				  "(red zones already %#llx)", cachep->name, objp,
				  (unsigned long long)RED_INACTIVE);
		if (r1 != RED_ACTIVE)
			__bug(__FILE__, __LINE__, "slab: cache %s: object %p: red zone before "
				  "the object overwritten (underrun): found %#llx, expected %#llx",
				  cachep->name, objp, (unsigned long long)r1,
				  (unsigned long long)RED_ACTIVE);
		if (r2 != RED_ACTIVE)
			__bug(__FILE__, __LINE__, "slab: cache %s: object %p: red zone after "
				  "the object overwritten (overrun of %u bytes): found %#llx, "
				  "expected %#llx", cachep->name, objp, cachep->objsize,
				  (unsigned long long)r2, (unsigned long long)RED_ACTIVE);
		*redzone1(cachep, objp) = RED_INACTIVE;
		*redzone2(cachep, objp) = RED_INACTIVE;
	} else {
		/*
		 * No red zone to say so: a double free is an object already on
		 * this CPU's array, or already back on its slab's free chain
		 * (reading one bufctl entry without the lock is only a hint,
		 * but a freed object's entry is stable until it is handed out).
		 */
		for (unsigned int i = 0; i < ac->avail; i++)
			if (ac->entry[i] == objp)
				__bug(__FILE__, __LINE__, "slab: cache %s: double free of "
					  "object %p (already in cpu %d's array)", cachep->name, objp,
					  smp_processor_id());
		spin_lock(&cachep->spinlock);
		if (slab_bufctl(slabp)[obj_to_index(cachep, slabp, objp)] != BUFCTL_ACTIVE)
			slab_bug_unlock(cachep, "slab: cache %s: double free of object %p "
					"(already on its slab's free list)", cachep->name, objp);
		spin_unlock(&cachep->spinlock);
	}
	if (cachep->flags & SLAB_POISON)
		poison_obj(cachep, objp, POISON_FREE);
}

/* Checks on an object just taken from the array or a slab. */
void cache_alloc_debugcheck_after(kmem_cache_t *cachep, void *objp)
{
	if (cachep->flags & SLAB_POISON) {
		check_poison_obj(cachep, objp, "found when allocating");
		poison_obj(cachep, objp, POISON_INUSE);
	}
	if (cachep->flags & SLAB_RED_ZONE) {
		check_redzones_free(cachep, objp, "found when allocating");
		*redzone1(cachep, objp) = RED_ACTIVE;
		*redzone2(cachep, objp) = RED_ACTIVE;
	}
}

/* --- /proc/slabinfo ---------------------------------------------------------------- */

void show_slabinfo(struct machine *m, struct seq_buf *s)
{
	struct kmem_state *ks = m->kmem;
	kmem_cache_t *c;

	seq_puts(s, "slabinfo - version: 2.1\n");
	seq_puts(s, "# name            <active_objs> <num_objs> <objsize> <objperslab> "
		 "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
		 "<active_slabs> <num_slabs> <sharedavail>\n");
	if (!ks)
		return;
	spin_lock(&ks->cache_chain_lock);
	list_for_each_entry(c, &ks->cache_chain, next) {
		unsigned long active_objs, num_slabs, active_slabs, shared_avail;

		spin_lock(&c->spinlock);
		shared_avail = c->shared ? c->shared->avail : 0;
		active_objs = c->inuse_objs;
		active_slabs = c->nr_slabs[SLABS_FULL] + c->nr_slabs[SLABS_PARTIAL];
		num_slabs = active_slabs + c->nr_slabs[SLABS_FREE];
		spin_unlock(&c->spinlock);
		seq_printf(s, "%-17s %6lu %6lu %6u %4u %4d", c->name, active_objs,
			   num_slabs * c->num, c->buffer_size, c->num, 1 << c->gfporder);
		seq_printf(s, " : tunables %4u %4u %4u", c->limit, c->batchcount, c->sharedfactor);
		seq_printf(s, " : slabdata %6lu %6lu %6lu", active_slabs, num_slabs, shared_avail);
		seq_putc(s, '\n');
	}
	spin_unlock(&ks->cache_chain_lock);
}

/* --- introspection and validators -------------------------------------------------- */

const char *kmem_cache_name(const kmem_cache_t *cachep)
{
	return cachep->name;
}

void kmem_cache_get_info(kmem_cache_t *cachep, struct kmem_cache_info *info)
{
	memset(info, 0, sizeof(*info));
	info->name = cachep->name;
	info->objsize = cachep->objsize;
	info->buffer_size = cachep->buffer_size;
	info->align = cachep->align;
	info->num = cachep->num;
	info->gfporder = cachep->gfporder;
	info->colour = cachep->colour;
	info->colour_off = cachep->colour_off;
	info->limit = cachep->limit;
	info->batchcount = cachep->batchcount;
	info->sharedfactor = cachep->sharedfactor;
	info->off_slab = cachep->flags & CFLGS_OFF_SLAB;
	info->flags = cachep->flags & ~CFLGS_OFF_SLAB;
	spin_lock(&cachep->spinlock);
	info->active_objs = cachep->inuse_objs;
	info->active_slabs = cachep->nr_slabs[SLABS_FULL] + cachep->nr_slabs[SLABS_PARTIAL];
	info->free_slabs = cachep->nr_slabs[SLABS_FREE];
	info->num_slabs = info->active_slabs + info->free_slabs;
	info->num_objs = info->num_slabs * cachep->num;
	info->shared_avail = cachep->shared ? cachep->shared->avail : 0;
	info->ctor_calls = cachep->ctor_calls;
	info->dtor_calls = cachep->dtor_calls;
	spin_unlock(&cachep->spinlock);
}

unsigned long kmem_obj_colouroff(kmem_cache_t *cachep, const void *objp)
{
	slab_t *slabp = page_get_slab(slab_virt_to_page(cachep, objp));
	unsigned long off = slabp->colouroff;

	if (!(cachep->flags & CFLGS_OFF_SLAB))
		off -= cachep->slab_size;
	return off;
}

/* One slab: inuse fits its list, the free chain is well formed, pages agree. */
static void check_slab(kmem_cache_t *cachep, slab_t *slabp, enum slab_list list)
{
	static const char *const names[] = { "full", "partial", "free" };
	kmem_bufctl_t *bufctl = slab_bufctl(slabp);
	char *start = (char *)slabp->s_mem - slabp->colouroff;
	struct page *page = slab_virt_to_page(cachep, start);
	unsigned long colour = kmem_obj_colouroff(cachep, slabp->s_mem);
	unsigned int nfree = 0, active = 0;

	if (slab_state(cachep, slabp->inuse) != list || slabp->inuse > cachep->num)
		slab_bug_unlock(cachep, "kmem_cache_is_valid(%s): slab %p on the %s list has "
				"inuse %u of %u", cachep->name, (void *)slabp, names[list],
				slabp->inuse, cachep->num);
	if (((uintptr_t)start & (PAGE_SIZE - 1)) || colour % cachep->colour_off ||
	    colour / cachep->colour_off >= max(cachep->colour, 1u))
		slab_bug_unlock(cachep, "kmem_cache_is_valid(%s): slab %p: bad colour offset %lu",
				cachep->name, (void *)slabp, colour);
	for (unsigned long i = 0; i < (1UL << cachep->gfporder); i++)
		if (!PageSlab(page + i) || page_get_cache(page + i) != cachep ||
		    page_get_slab(page + i) != slabp)
			slab_bug_unlock(cachep, "kmem_cache_is_valid(%s): slab %p: pfn %lu not "
					"marked as its page (flags %#x)", cachep->name,
					(void *)slabp, page_to_pfn(page + i),
					atomic_load(&page[i].flags));
	for (kmem_bufctl_t i = slabp->free; i != BUFCTL_END; i = bufctl[i]) {
		if (i >= cachep->num || ++nfree > cachep->num - slabp->inuse)
			slab_bug_unlock(cachep, "kmem_cache_is_valid(%s): slab %p: free list "
					"broken at index %u (inuse %u of %u)", cachep->name,
					(void *)slabp, i, slabp->inuse, cachep->num);
	}
	for (unsigned int i = 0; i < cachep->num; i++)
		active += bufctl[i] == BUFCTL_ACTIVE;
	if (nfree != cachep->num - slabp->inuse || active != slabp->inuse)
		slab_bug_unlock(cachep, "kmem_cache_is_valid(%s): slab %p: %u free on the list, "
				"%u marked in use, inuse %u of %u", cachep->name, (void *)slabp,
				nfree, active, slabp->inuse, cachep->num);
}

/* An array holds only handed-out objects of this cache (spinlock held). */
static void check_array(kmem_cache_t *cachep, struct array_cache *ac, const char *what,
			unsigned long inuse)
{
	if (ac->avail > ac->limit || ac->avail > inuse)
		slab_bug_unlock(cachep, "kmem_cache_is_valid(%s): %s holds %u of %u "
				"(%lu in use)", cachep->name, what, ac->avail, ac->limit, inuse);
	for (unsigned int i = 0; i < ac->avail; i++) {
		void *objp = ac->entry[i];
		slab_t *slabp;

		if (virt_to_cache(cachep->machine, objp) != cachep)
			slab_bug_unlock(cachep, "kmem_cache_is_valid(%s): %s entry %u (%p) is "
					"not an object of this cache", cachep->name, what, i, objp);
		slabp = page_get_slab(slab_virt_to_page(cachep, objp));
		if (slab_bufctl(slabp)[obj_to_index(cachep, slabp, objp)] != BUFCTL_ACTIVE)
			slab_bug_unlock(cachep, "kmem_cache_is_valid(%s): %s entry %u (%p) is "
					"also on its slab's free list", cachep->name, what, i, objp);
	}
}

bool kmem_cache_is_valid(kmem_cache_t *cachep)
{
	struct array_cache *ac = cachep->array[smp_processor_id()];
	unsigned long counted[NR_SLAB_LISTS] = { 0 }, inuse = 0;

	spin_lock(&cachep->spinlock);
	for (int l = 0; l < NR_SLAB_LISTS; l++) {
		slab_t *slabp;

		list_for_each_entry(slabp, &cachep->lists[l], list) {
			check_slab(cachep, slabp, (enum slab_list)l);
			counted[l]++;
			inuse += slabp->inuse;
		}
		if (counted[l] != cachep->nr_slabs[l])
			slab_bug_unlock(cachep, "kmem_cache_is_valid(%s): list %d holds %lu slabs, "
					"counter says %lu", cachep->name, l, counted[l],
					cachep->nr_slabs[l]);
	}
	if (inuse != cachep->inuse_objs)
		slab_bug_unlock(cachep, "kmem_cache_is_valid(%s): slabs have %lu objects in use, "
				"counter says %lu", cachep->name, inuse, cachep->inuse_objs);
	check_array(cachep, ac, "cpu array", inuse);
	if (cachep->shared)
		check_array(cachep, cachep->shared, "shared array", inuse - ac->avail);
	spin_unlock(&cachep->spinlock);
	return true;
}

bool kmem_is_valid(struct machine *m)
{
	struct kmem_state *ks = m->kmem;
	unsigned long pages[2] = { 0, 0 };
	unsigned long have[2] = { global_page_state(m, NR_SLAB_RECLAIMABLE),
				  global_page_state(m, NR_SLAB_UNRECLAIMABLE) };
	kmem_cache_t *c;

	spin_lock(&ks->cache_chain_lock);
	list_for_each_entry(c, &ks->cache_chain, next) {
		kmem_cache_is_valid(c);
		spin_lock(&c->spinlock);
		pages[!(c->flags & SLAB_RECLAIM_ACCOUNT)] += cache_total_slabs(c) << c->gfporder;
		spin_unlock(&c->spinlock);
	}
	spin_unlock(&ks->cache_chain_lock);
	BUG_ON_MSG(pages[0] != have[0] || pages[1] != have[1],
		   "kmem_is_valid: slabs hold %lu reclaimable + %lu unreclaimable pages, "
		   "zone counters say %lu + %lu", pages[0], pages[1], have[0], have[1]);
	return true;
}

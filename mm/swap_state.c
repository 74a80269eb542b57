/*
 * The swap cache (Linux 2.4 mm/swap_state.c): swapper_space, the
 * address_space whose pages are anonymous pages with a swap slot.  It
 * lets a page being swapped out stay findable until its write is done and
 * the last PTE is gone, lets processes sharing a swapped page after fork
 * find one copy, and keeps a clean copy on disk for pages swapped back in
 * read-only (dropped for free the next time).  See kern/vmscan.h for the
 * reference rules (one page and one slot reference held by the cache).
 *
 * Counters: NR_SWAPCACHE and, as Linux, NR_FILE_PAGES (meminfo's Cached
 * excludes SwapCached again).
 */
#include <errno.h>
#include "kern/vmscan.h"


static const struct address_space_operations swap_aops = {
	.writepage = swap_writepage,
};

void swap_cache_init(struct machine *m)
{
	struct address_space *mapping = swapper_space(m);

	spin_lock_init(&mapping->tree_lock);
	INIT_RADIX_TREE(&mapping->page_tree, m->fs->radix_tree_node_cachep);
	mapping->a_ops = &swap_aops;
	mapping->gfp_mask = GFP_HIGHUSER;
	mapping->swapbacked = true;
}

int add_to_swap_cache(struct page *page, swp_entry_t entry, gfp_t gfp_mask)
{
	struct address_space *mapping = swapper_space(page_machine(page));
	struct radix_tree_preload rtp = { 0 };
	unsigned int need;
	int err;

	VM_BUG_ON_MSG(!PageLocked(page), "add_to_swap_cache: pfn %lu not locked",
		      page_to_pfn(page));
	VM_BUG_ON_MSG(PageSwapCache(page) || page->mapping,
		      "add_to_swap_cache: pfn %lu already cached", page_to_pfn(page));
	/* nodes come from the slab with no spinlock held */
	for (;;) {
		spin_lock(&mapping->tree_lock);
		need = radix_tree_nodes_needed(&mapping->page_tree, swap_cache_index(entry));
		if (need <= (unsigned int)rtp.nr)
			break;
		spin_unlock(&mapping->tree_lock);
		err = radix_tree_preload(&mapping->page_tree, &rtp, need, gfp_mask & ~__GFP_HIGHMEM);
		if (err)
			goto out;
	}
	err = radix_tree_insert(&mapping->page_tree, swap_cache_index(entry), page, &rtp);
	if (!err) {
		get_page(page);
		SetPageSwapCache(page);
		page->mapping = mapping;
		page->index = swap_cache_index(entry);
		page->private = entry.val;
		mapping->nrpages++;
		mod_zone_page_state(page->zone, NR_SWAPCACHE, 1);
		mod_zone_page_state(page->zone, NR_FILE_PAGES, 1);
	}
	spin_unlock(&mapping->tree_lock);
out:
	radix_tree_preload_end(&mapping->page_tree, &rtp);
	return err;
}

void __delete_from_swap_cache(struct page *page)
{
	struct address_space *mapping = page->mapping;

	VM_BUG_ON_MSG(!PageSwapCache(page) || mapping != swapper_space(page_machine(page)),
		      "__delete_from_swap_cache: pfn %lu not in the swap cache", page_to_pfn(page));
	BUG_ON_MSG(radix_tree_delete(&mapping->page_tree, page->index) != page,
		   "swap cache: pfn %lu not at entry %#lx", page_to_pfn(page), page->private);
	ClearPageSwapCache(page);
	page->mapping = NULL;
	page->index = 0;
	page->private = 0;
	mapping->nrpages--;
	mod_zone_page_state(page->zone, NR_SWAPCACHE, -1);
	mod_zone_page_state(page->zone, NR_FILE_PAGES, -1);
}

void delete_from_swap_cache(struct page *page)
{
	struct address_space *mapping = swapper_space(page_machine(page));
	swp_entry_t entry = page_swp_entry(page);

	VM_BUG_ON_MSG(!PageLocked(page), "delete_from_swap_cache: pfn %lu not locked",
		      page_to_pfn(page));
	spin_lock(&mapping->tree_lock);
	__delete_from_swap_cache(page);
	spin_unlock(&mapping->tree_lock);
	/* the page now has no copy on disk: its content lives in RAM only */
	SetPageDirty(page);
	swap_free(entry);
	put_page(page);
}

/* The cached page of @entry with a reference, or NULL; counts nothing. */
static struct page *__lookup_swap_cache(struct address_space *mapping, swp_entry_t entry)
{
	struct page *page;

	spin_lock(&mapping->tree_lock);
	page = radix_tree_lookup(&mapping->page_tree, swap_cache_index(entry));
	if (page)
		get_page(page);	/* the cache's reference keeps it alive meanwhile */
	spin_unlock(&mapping->tree_lock);
	return page;
}

/*
 * A task (a fault, shmem, swapoff) looking the entry up finds a page read
 * ahead for it: swap_ra_hit, once per page (the tag goes).  Lookups with
 * no task running (validators, teardown) leave the tag alone.
 */
struct page *lookup_swap_cache(swp_entry_t entry)
{
	struct address_space *mapping = swapper_space(this_machine());
	unsigned long index = swap_cache_index(entry);
	bool hit = false;
	struct page *page;

	spin_lock(&mapping->tree_lock);
	page = radix_tree_lookup(&mapping->page_tree, index);
	if (page) {
		get_page(page);
		if (this_cpu()->curr && radix_tree_tagged(&mapping->page_tree, SWAP_TAG_READAHEAD) &&
		    radix_tree_tag_get(&mapping->page_tree, index, SWAP_TAG_READAHEAD)) {
			radix_tree_tag_clear(&mapping->page_tree, index, SWAP_TAG_READAHEAD);
			hit = true;
		}
	}
	spin_unlock(&mapping->tree_lock);
	if (hit)
		count_vm_event(SWAP_RA_HIT);
	return page;
}

/*
 * read_swap_cache_async; *@read tells whether this call read the page from
 * disk, *@errp why there is none (-ENOMEM, -EIO, or -ENOENT: the slot is free).
 */
static struct page *__read_swap_cache_async(swp_entry_t entry, bool *read, int *errp)
{
	struct address_space *mapping = swapper_space(this_machine());
	struct page *page;
	int err;

	*read = false;
	for (;;) {
		page = __lookup_swap_cache(mapping, entry);
		if (page)
			break;
		page = alloc_page(GFP_HIGHUSER);
		if (!page) {
			*errp = -ENOMEM;
			return NULL;
		}
		/* the cache's reference on the slot; fails if the slot was freed */
		if (!swap_duplicate(entry)) {
			put_page(page);
			*errp = -ENOENT;
			return NULL;
		}
		SetPageLocked(page);	/* nobody else can see it yet */
		SetPageSwapBacked(page);
		err = add_to_swap_cache(page, entry, GFP_KERNEL);
		if (err) {
			swap_free(entry);
			ClearPageLocked(page);
			put_page(page);
			if (err == -EEXIST)
				continue;	/* another CPU read it first */
			*errp = err;
			return NULL;
		}
		lru_cache_add(page);
		err = rw_swap_page_nolock(READ, entry, page);
		if (err) {
			SetPageError(page);
			delete_from_swap_cache(page);
			unlock_page(page);
			put_page(page);
			*errp = err;
			return NULL;
		}
		ClearPageDirty(page);	/* identical to its slot */
		unlock_page(page);
		*read = true;
		return page;
	}
	/* someone else's read may still be running: wait for it */
	wait_on_page_locked(page);
	if (!PageUptodate(page)) {
		put_page(page);
		*errp = -EIO;
		return NULL;
	}
	return page;
}

struct page *read_swap_cache_async(swp_entry_t entry)
{
	bool read;
	int err;

	return __read_swap_cache_async(entry, &read, &err);
}

struct page *read_swap_cache(swp_entry_t entry, int *err)
{
	bool read;

	return __read_swap_cache_async(entry, &read, err);
}

/*
 * 2.4's swapin_readahead (mm/memory.c there; 2.6 moved it here).  The
 * faulting slot is read with the rest of its cluster; the others are
 * tagged SWAP_TAG_READAHEAD so that the fault that later finds one counts
 * a hit.  The pages stay unmapped in the swap cache, on the LRU, where
 * reclaim frees them (clean, unmapped) if nobody comes for them.
 */
void swapin_readahead(swp_entry_t entry)
{
	struct address_space *mapping = swapper_space(this_machine());
	unsigned long start;
	uint64_t mask;

	if (!valid_swaphandles(entry, &start, &mask))
		return;
	for (unsigned int i = 0; i < 64 && (mask >> i); i++) {
		swp_entry_t e = swp_entry(swp_type(entry), start + i);
		struct page *page;
		bool read;
		int err;

		if (!(mask & (1ULL << i)))
			continue;	/* free or bad when we looked: never read */
		/* swap_duplicate inside refuses a slot freed since */
		page = __read_swap_cache_async(e, &read, &err);
		if (!page) {
			if (swap_count(e))
				break;	/* no memory: stop, as 2.4 */
			continue;	/* the slot was freed meanwhile */
		}
		if (read && e.val != entry.val) {
			spin_lock(&mapping->tree_lock);
			if (PageSwapCache(page) && page->private == e.val)
				radix_tree_tag_set(&mapping->page_tree, page->index,
						   SWAP_TAG_READAHEAD);
			spin_unlock(&mapping->tree_lock);
			count_vm_event(SWAP_RA);
		}
		put_page(page);
	}
}

/*
 * The two moves of a shmem page between its inode's page cache and the
 * swap cache (Linux 2.5's move_to_swap_cache / move_from_swap_cache, for
 * mm/shmem.c).  Both trees are locked together (mapping->tree_lock, then
 * swapper_space.tree_lock: nobody takes them the other way round), so a
 * lookup finds the page in one cache or the other, never in neither.  The
 * page keeps its LRU place and its one cache reference; NR_FILE_PAGES is
 * unchanged (a swap-cache page is a cache page too, as Linux counts it).
 */
int move_to_swap_cache(struct page *page, swp_entry_t entry)
{
	struct address_space *mapping = page->mapping;
	struct address_space *swapper = swapper_space(page_machine(page));
	unsigned long index = swap_cache_index(entry);
	struct radix_tree_preload rtp = { 0 };
	unsigned int need;
	int err;

	VM_BUG_ON_MSG(!PageLocked(page) || PageSwapCache(page) || !mapping || !mapping->swapbacked,
		      "move_to_swap_cache: pfn %lu not a locked shmem page", page_to_pfn(page));
	for (;;) {
		spin_lock(&mapping->tree_lock);
		spin_lock(&swapper->tree_lock);
		need = radix_tree_nodes_needed(&swapper->page_tree, index);
		if (need <= (unsigned int)rtp.nr)
			break;
		spin_unlock(&swapper->tree_lock);
		spin_unlock(&mapping->tree_lock);
		/* reclaim's context: no recursion into reclaim */
		err = radix_tree_preload(&swapper->page_tree, &rtp, need, GFP_ATOMIC);
		if (err)
			goto out;
	}
	err = radix_tree_insert(&swapper->page_tree, index, page, &rtp);
	if (!err) {
		BUG_ON_MSG(radix_tree_delete(&mapping->page_tree, page->index) != page,
			   "move_to_swap_cache: pfn %lu not at index %lu of its mapping",
			   page_to_pfn(page), page->index);
		mapping->nrpages--;
		mod_zone_page_state(page->zone, NR_SHMEM, -1);
		SetPageSwapCache(page);
		page->mapping = swapper;
		page->index = index;
		page->private = entry.val;
		swapper->nrpages++;
		mod_zone_page_state(page->zone, NR_SWAPCACHE, 1);
	}
	spin_unlock(&swapper->tree_lock);
	spin_unlock(&mapping->tree_lock);
	if (!err)
		SetPageDirty(page);	/* its slot holds nothing yet */
out:
	radix_tree_preload_end(&swapper->page_tree, &rtp);
	return err;
}

int move_from_swap_cache(struct page *page, unsigned long index, struct address_space *mapping,
			 gfp_t gfp_mask)
{
	struct address_space *swapper = swapper_space(page_machine(page));
	struct radix_tree_preload rtp = { 0 };
	swp_entry_t entry = page_swp_entry(page);
	unsigned int need;
	int err;

	VM_BUG_ON_MSG(!PageLocked(page) || !PageSwapCache(page) || !mapping->swapbacked,
		      "move_from_swap_cache: pfn %lu not a locked swap-cache page",
		      page_to_pfn(page));
	for (;;) {
		spin_lock(&mapping->tree_lock);
		spin_lock(&swapper->tree_lock);
		need = radix_tree_nodes_needed(&mapping->page_tree, index);
		if (need <= (unsigned int)rtp.nr)
			break;
		spin_unlock(&swapper->tree_lock);
		spin_unlock(&mapping->tree_lock);
		err = radix_tree_preload(&mapping->page_tree, &rtp, need,
					 gfp_mask & ~(gfp_t)(__GFP_HIGHMEM | __GFP_DMA | __GFP_ZERO));
		if (err)
			goto out;
	}
	err = radix_tree_insert(&mapping->page_tree, index, page, &rtp);
	if (!err) {
		__delete_from_swap_cache(page);		/* NR_FILE_PAGES - 1 ... */
		page->mapping = mapping;
		page->index = index;
		mapping->nrpages++;
		mod_zone_page_state(page->zone, NR_FILE_PAGES, 1);	/* ... + 1 */
		mod_zone_page_state(page->zone, NR_SHMEM, 1);
	}
	spin_unlock(&swapper->tree_lock);
	spin_unlock(&mapping->tree_lock);
	if (!err) {
		/* only RAM holds it now: the swap cache's slot reference goes */
		SetPageDirty(page);
		swap_free(entry);
	}
out:
	radix_tree_preload_end(&mapping->page_tree, &rtp);
	return err;
}

int add_to_swap(struct page *page, gfp_t gfp_mask)
{
	swp_entry_t entry;
	int err;

	VM_BUG_ON_MSG(!PageLocked(page) || !PageSwapBacked(page),
		      "add_to_swap: pfn %lu not a locked anonymous page", page_to_pfn(page));
	entry = get_swap_page();
	if (!entry.val)
		return -ENOSPC;
	err = add_to_swap_cache(page, entry, gfp_mask);
	if (err) {
		swap_free(entry);
		return err;
	}
	SetPageUptodate(page);
	SetPageDirty(page);	/* its slot holds nothing yet */
	return 0;
}

int swap_writepage(struct page *page)
{
	VM_BUG_ON_MSG(!PageLocked(page) || !PageSwapCache(page),
		      "swap_writepage: pfn %lu not a locked swap-cache page", page_to_pfn(page));
	return rw_swap_page_nolock(WRITE, page_swp_entry(page), page);
}

bool exclusive_swap_page(struct page *page)
{
	if (!PageSwapCache(page))
		return false;
	/* the cache's reference plus the caller's (its PTE's, or a lookup's) */
	return page_count(page) <= 2 && page_mapcount(page) <= 1 &&
	       swap_count(page_swp_entry(page)) == 1;
}

bool remove_exclusive_swap_page(struct page *page)
{
	if (!exclusive_swap_page(page))
		return false;
	delete_from_swap_cache(page);
	return true;
}

void free_swap_and_cache(swp_entry_t entry)
{
	struct page *page;

	swap_free(entry);
	if (swap_count(entry) != 1)
		return;		/* still used by other PTEs, or gone already */
	page = __lookup_swap_cache(swapper_space(this_machine()), entry);
	if (!page)
		return;
	/* only the cache and our lookup: nobody can reach the copy any more */
	if (trylock_page(page)) {
		if (PageSwapCache(page) && page_swp_entry(page).val == entry.val &&
		    page_mapcount(page) == 0)
			remove_exclusive_swap_page(page);
		unlock_page(page);
	}
	put_page(page);
}

/* An unmapped page's swap copy nobody else uses goes with it. */
static void free_swap_cache(struct page *page)
{
	if (PageSwapCache(page) && trylock_page(page)) {
		if (page_mapcount(page) == 0)
			remove_exclusive_swap_page(page);
		unlock_page(page);
	}
}

void free_page_and_swap_cache(struct page *page)
{
	free_swap_cache(page);
	put_page(page);
}

void free_pages_and_swap_cache(struct page **pages, int nr)
{
	for (int i = 0; i < nr; i++)
		free_swap_cache(pages[i]);
	release_pages(pages, nr);
}

bool swap_cache_is_valid(struct machine *m)
{
	struct address_space *mapping = swapper_space(m);
	unsigned long items = 0, found = 0, index = 0;
	struct page *pages[16];
	unsigned int n;

	spin_lock(&mapping->tree_lock);
	radix_tree_is_valid(&mapping->page_tree, &items);
	while ((n = radix_tree_gang_lookup(&mapping->page_tree, (void **)pages, index, 16))) {
		for (unsigned int i = 0; i < n; i++) {
			struct page *page = pages[i];

			BUG_ON_MSG(!PageSwapCache(page) || page->mapping != mapping,
				   "swap cache: pfn %lu at %#lx without PG_swapcache",
				   page_to_pfn(page), page->index);
			BUG_ON_MSG(swap_cache_index(page_swp_entry(page)) != page->index,
				   "swap cache: pfn %lu index %#lx private %#lx", page_to_pfn(page),
				   page->index, page->private);
			BUG_ON_MSG(page_count(page) < 1, "swap cache: pfn %lu count %d",
				   page_to_pfn(page), page_count(page));
			BUG_ON_MSG(swap_count(page_swp_entry(page)) < 1,
				   "swap cache: pfn %lu holds free slot %#lx", page_to_pfn(page),
				   page->private);
			index = page->index + 1;
			found++;
		}
	}
	BUG_ON_MSG(found != items || found != mapping->nrpages ||
		   found != global_page_state(m, NR_SWAPCACHE),
		   "swap cache: %lu pages found, tree %lu, nrpages %lu, NR_SWAPCACHE %lu", found,
		   items, mapping->nrpages, global_page_state(m, NR_SWAPCACHE));
	spin_unlock(&mapping->tree_lock);
	return true;
}

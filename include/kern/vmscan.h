/*
 * Swapping and reclaim: the swap cache (mm/swap_state.c), page reclaim and
 * kswapd (mm/vmscan.c), swapoff (mm/swapoff.c) and the OOM killer
 * (mm/oom_kill.c), as Linux 2.4.
 *
 * The swap cache is the address_space swapper_space: a page whose data
 * has a copy (or is about to have one) in a swap slot sits in it at index
 * type << 56 | offset, with PG_swapcache, page->mapping = &swapper_space and
 * page->private = the entry.  The cache holds one page reference and one
 * reference on the slot, so for every slot
 *     swap_count(entry) = swap PTEs naming it + (1 if in the swap cache).
 * Pages in the swap cache are mapped read-only only: a write fault takes
 * the page out of the cache (if nobody else needs the slot) or copies it.
 *
 * Reclaim, per machine (cfg.reclaim):
 *   2.4.10+  shrink_caches: kmem_cache_reap, refill_inactive (active ->
 *            inactive, second chance on PG_referenced), shrink_cache
 *            (inactive tail: write dirty swap-cache pages, free clean
 *            unmapped ones), and swap_out when too many inactive pages are
 *            still mapped: the page-table scan that moves anonymous pages
 *            into the swap cache and leaves swap entries in the PTEs.
 *   2.4.0    refill_inactive_scan ages active pages down (age_page_down)
 *            and deactivates unmapped pages of age 0; page_launder cleans
 *            inactive_dirty pages into inactive_clean; reclaim_page (the
 *            work of kreclaimd) frees inactive_clean pages; swap_out
 *            unmaps pages whose age fell to 0.
 *
 * kswapd is a kernel thread (PF_KTHREAD, no mm).  With one simulated CPU
 * it runs at defined scheduling points: when a public call leaves its task
 * (task_leave) after an allocation woke it, so runs are deterministic.
 *
 * Lock order (adds to mm/memory.c's):
 *   mm->mmap_sem (trylock in swap_out) -> page lock (trylock under locks)
 *     -> mm->page_table_lock -> swapper_space.tree_lock
 *       -> pagemap_lru_lock -> swaplock -> sdev_lock -> zone->lock
 * The page lock is taken with lock_page only while holding no spinlock.
 */
#ifndef KERN_VMSCAN_H
#define KERN_VMSCAN_H

#include "kern/pagemap.h"
#include "kern/sched.h"

/*
 * unmap_pte - take @page out of the PTE @p of @mm at @address (present,
 * page_table_lock held), flushing its TLB entry: a file or shmem page
 * just loses the PTE, an anonymous page in the swap cache gets its swap
 * entry; one not in the swap cache is returned locked and referenced in
 * *@need (SWAP_OUT_NEED_SLOT).  @rotate: a page left unmapped goes to the
 * inactive tail (2.4's swap_out).  1 if the PTE no longer maps it.
 */
#define SWAP_OUT_NEED_SLOT	(-1)
int unmap_pte(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
	      ptep_t p, struct page *page, struct page **need, bool rotate);

#define SWAP_CLUSTER_MAX	32	/* pages freed per reclaim round */
#define DEF_PRIORITY		6	/* scan 1/2^priority of the lists first */

struct vmscan_state {
	struct address_space swapper_space;	/* the swap cache */
	struct task_struct *kswapd;		/* PF_KTHREAD, no pid, no mm */
	atomic_int kswapd_wanted;		/* woken since it last ran */
	atomic_ulong kswapd_next_wake;		/* jiffies of its periodic wake (once a second) */
	/* swap_out's round robin: the pid whose mm is scanned, and where */
	spinlock_t swap_out_lock;		/* swap_pid, swap_address */
	int swap_pid;
	unsigned long swap_address;
	/* OOM killer statistics (also counted as the oom_kill event) */
	atomic_ulong oom_kills;
	atomic_int swapoff_active;		/* no OOM kills while swapoff runs */
};

static inline struct address_space *swapper_space(struct machine *m)
{
	return &m->vmscan->swapper_space;
}

/* --- mm/swap_state.c: the swap cache ----------------------------------------- */

void swap_cache_init(struct machine *m);
static inline swp_entry_t page_swp_entry(const struct page *page)
{
	return (swp_entry_t){ page->private };
}
/*
 * add_to_swap_cache - insert locked @page at @entry, taking a page
 * reference; the caller hands the cache one reference on the slot.
 * 0, -EEXIST (another page is there), -ENOMEM.
 */
int add_to_swap_cache(struct page *page, swp_entry_t entry, gfp_t gfp_mask);
/* With swapper_space.tree_lock held: take @page out (references stay). */
void __delete_from_swap_cache(struct page *page);
/* Take locked @page out: the slot reference and the page reference go. */
void delete_from_swap_cache(struct page *page);
/* The cached page of @entry with a reference, or NULL. */
struct page *lookup_swap_cache(swp_entry_t entry);
/*
 * read_swap_cache_async - the page of @entry, in the swap cache, read from
 * disk if it was not cached (synchronous I/O), uptodate, unlocked, with a
 * reference.  NULL if the slot was freed meanwhile, on -ENOMEM or -EIO.
 */
struct page *read_swap_cache_async(swp_entry_t entry);
/* The same, telling why there is no page: *@err -ENOMEM, -EIO, or -ENOENT (slot freed). */
struct page *read_swap_cache(swp_entry_t entry, int *err);
/*
 * add_to_swap - give anonymous locked @page a swap slot and put it in the
 * swap cache, dirty (to be written).  0, -ENOSPC (swap full), -ENOMEM.
 */
int add_to_swap(struct page *page, gfp_t gfp_mask);
/*
 * vm_swap_full - more than half the swap space is used: swap-in then
 * frees the slot of a page nobody else needs (keeping a clean copy on
 * disk for every resident page would fill swap with pages in RAM).
 */
static inline bool vm_swap_full(struct machine *m)
{
	unsigned long total, free;

	si_swapinfo(m, &total, &free);	/* under swaplock */
	return free * 2 < total;
}
/* Write a locked swap-cache page to its slot (swapper_space a_ops). */
int swap_writepage(struct page *page);
/*
 * exclusive_swap_page - locked swap-cache @page is used only by the caller
 * (one reference besides the cache's, i.e. at most one PTE) and its slot
 * only by the cache.
 */
bool exclusive_swap_page(struct page *page);
/* Drop the cache's hold on locked @page if it is exclusive: true if done. */
bool remove_exclusive_swap_page(struct page *page);
/* A swap PTE went away: drop its slot reference, and the cached page if unused. */
void free_swap_and_cache(swp_entry_t entry);
/* Drop a reference to a page, freeing its swap-cache copy if nobody else uses it. */
void free_page_and_swap_cache(struct page *page);
/* The same for a batch (the mmu_gather after a TLB flush). */
void free_pages_and_swap_cache(struct page **pages, int nr);
/* Every cached page belongs to a used slot, counts agree; BUG if not. */
bool swap_cache_is_valid(struct machine *m);

/* --- mm/vmscan.c: reclaim and kswapd ------------------------------------------ */

int vmscan_init(struct machine *m);
void vmscan_fini(struct machine *m);
/* Teardown, every task gone: free swap-cache pages nobody uses (a race left them). */
void swap_cache_sweep(struct machine *m);
/* Direct reclaim (the allocator's hook): pages freed. */
unsigned long try_to_free_pages(struct machine *m, zone_t *classzone, gfp_t gfp_mask,
				unsigned int order);
/*
 * swap_out - scan page tables round robin over the processes, unmapping
 * up to SWAP_CLUSTER_MAX anonymous pages into the swap cache.  Returns 1
 * if it unmapped enough.
 */
int swap_out(struct machine *m, unsigned int priority, gfp_t gfp_mask, zone_t *classzone);
/* Run kswapd now if an allocation woke it (scheduling point). */
void kswapd_run(struct machine *m);
/* One kswapd pass over the zones that need balancing; pages freed. */
unsigned long kswapd_balance(struct machine *m);
/*
 * shrink_all_memory - reclaim until nothing more goes (tests, drop_caches
 * and swapoff's preparation): returns pages freed.
 */
unsigned long shrink_all_memory(struct machine *m);

/* --- mm/oom_kill.c ------------------------------------------------------------- */

/* The badness of @t: rss + swap entries + page-table pages of its mm. */
unsigned long oom_badness(struct task_struct *t);
/*
 * out_of_memory - reclaim failed: kill the task with the largest badness
 * (SIGKILL; kernel log line "Out of memory: Killed process ...") and every
 * group sharing its mm.  True: retry the allocation — the victim's memory is
 * back, or the victim is marked and its mm could not be taken yet
 * (mmap_sem busy: PF_OOM_REAP, retried on the next call, as Linux's OOM
 * reaper); false if nothing could be killed or current was the victim.
 */
bool out_of_memory(struct machine *m, gfp_t gfp_mask, unsigned int order);

/* --- mm/swapoff.c: swapoff ------------------------------------------------ */

/*
 * sys_swapoff - bring every page of area @type back into memory (try_to_unuse)
 * and release the area.  0, -EINVAL (no such area), -ENOMEM (memory
 * cannot take it back: the area stays in use).
 */
int sys_swapoff(struct machine *m, int type);

#endif

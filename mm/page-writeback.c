/*
 * mm/page-writeback.c - dirty page writeback control, as Linux 2.6's
 * mm/page-writeback.c (balance_dirty_pages, background_writeout,
 * wb_kupdate), which replaced 2.4's balance_dirty() and its bdflush /
 * kupdated threads in fs/buffer.c.  See include/kern/writeback.h for the
 * design: throttled writers, background writeout, the periodic pass, and
 * the per-page dirtied time in page->private.
 *
 * Defaults are Linux 2.6.0-2.6.21's documented /proc/sys/vm values:
 * dirty_background_ratio 10, dirty_ratio 40, dirty_expire_centisecs 3000,
 * dirty_writeback_centisecs 500 (2.6.22 lowered the ratios to 5/10, 2.6.30
 * raised them to 10/20).  2.6's clamp of dirty_ratio to half the unmapped
 * memory is left out; the dirtyable memory is free plus LRU pages (2.6.24's
 * determine_dirtyable_memory, HIGHMEM included: vmsim's page cache lives
 * there).
 *
 * Locks: fs->inode_lock (a leaf) only to take inode references; then each
 * mapping's tree_lock to pick pages; then the page lock to write one.
 * Nothing here is called with a spinlock or a page lock held.
 */
#include <errno.h>
#include <limits.h>
#include "kern/writeback.h"
#include "kern/slab.h"
#include "kern/printk.h"
#include "kern/buffer_head.h"

static unsigned long jiffies_now(struct machine *m)
{
	return atomic_load_explicit(&m->hw.jiffies, memory_order_relaxed);
}

/* centiseconds to jiffies (HZ 100: one to one, kept general) */
static unsigned long cs_to_jiffies(unsigned int cs)
{
	return (unsigned long)cs * HZ / 100;
}

int writeback_init(struct machine *m)
{
	struct writeback_state *wb = kzalloc(sizeof(*wb), GFP_KERNEL);
	unsigned long total = m->totalram_pages;

	if (!wb)
		return -ENOMEM;
	wb->dirty_background_ratio = m->cfg.dirty_background_ratio;
	wb->vm_dirty_ratio = m->cfg.dirty_ratio;
	wb->dirty_expire_centisecs = m->cfg.dirty_expire_centisecs;
	wb->dirty_writeback_centisecs = m->cfg.dirty_writeback_centisecs;
	/* 2.6's set_ratelimit: 1/32 of memory per CPU, 16 .. 4 MiB worth */
	wb->ratelimit_pages = total / ((unsigned long)m->nr_cpus * 32);
	if (wb->ratelimit_pages < 16)
		wb->ratelimit_pages = 16;
	if (wb->ratelimit_pages > (4UL << 20) / PAGE_SIZE)
		wb->ratelimit_pages = (4UL << 20) / PAGE_SIZE;
	spin_lock_init(&wb->run_lock);
	atomic_store(&wb->next_kupdate, wb->dirty_writeback_centisecs ?
		     jiffies_now(m) + cs_to_jiffies(wb->dirty_writeback_centisecs) : ULONG_MAX);
	m->writeback = wb;
	return 0;
}

void writeback_fini(struct machine *m)
{
	if (!m->writeback)
		return;
	kfree(m->writeback);
	m->writeback = NULL;
}

void get_dirty_limits(struct machine *m, unsigned long *background, unsigned long *dirty)
{
	struct writeback_state *wb = m->writeback;
	unsigned long available = nr_free_pages(m) +
		global_page_state(m, NR_ZONE_ACTIVE_ANON) + global_page_state(m, NR_ZONE_INACTIVE_ANON) +
		global_page_state(m, NR_ZONE_ACTIVE_FILE) + global_page_state(m, NR_ZONE_INACTIVE_FILE);
	int dirty_ratio = wb->vm_dirty_ratio, background_ratio = wb->dirty_background_ratio;

	if (dirty_ratio < 5)
		dirty_ratio = 5;
	if (background_ratio >= dirty_ratio)
		background_ratio = dirty_ratio / 2;
	*background = (unsigned long)background_ratio * available / 100;
	*dirty = (unsigned long)dirty_ratio * available / 100;
}

/* --- picking the oldest dirty pages ------------------------------------------------ */

struct wb_candidate {
	struct inode *inode;
	unsigned long index;
	unsigned long when;		/* jiffies it was dirtied */
};

/*
 * References to every hostfs inode with dirty pages (kmalloc'd array, *nr
 * of them; NULL if none or no memory).  inode_lock is a leaf: the dirty
 * test, under tree_lock, comes after it is dropped.
 */
static struct inode **get_dirty_inodes(struct machine *m, unsigned long *nr)
{
	struct fs_state *fs = m->fs;
	struct inode **inodes, *inode;
	unsigned long cap, n = 0, kept = 0;

	*nr = 0;
	if (!fs)
		return NULL;
	for (;;) {
		spin_lock(&fs->inode_lock);
		cap = fs->nr_inodes;
		spin_unlock(&fs->inode_lock);
		if (!cap)
			return NULL;
		inodes = kmalloc(sizeof(*inodes) * cap, GFP_KERNEL);
		if (!inodes)
			return NULL;
		spin_lock(&fs->inode_lock);
		if (fs->nr_inodes <= cap)
			break;
		spin_unlock(&fs->inode_lock);
		kfree(inodes);
	}
	list_for_each_entry(inode, &fs->inode_list, i_hash) {
		if (n == cap)
			break;
		__iget(inode);
		inodes[n++] = inode;
	}
	spin_unlock(&fs->inode_lock);
	for (unsigned long i = 0; i < n; i++) {
		struct address_space *mapping = inodes[i]->i_mapping;
		bool dirty;

		spin_lock(&mapping->tree_lock);
		dirty = !mapping->swapbacked && mapping->a_ops && mapping->a_ops->writepage &&
			radix_tree_tagged(&mapping->page_tree, PAGECACHE_TAG_DIRTY);
		spin_unlock(&mapping->tree_lock);
		if (dirty)
			inodes[kept++] = inodes[i];
		else
			iput(inodes[i]);
	}
	*nr = kept;
	if (!kept) {
		kfree(inodes);
		return NULL;
	}
	return inodes;
}

/*
 * Insert (inode, index, when) into @c, sorted oldest first, keeping at
 * most WB_CHUNK; equal times keep scan order (inode list, then index), so
 * the choice is deterministic.
 */
static void candidate_insert(struct wb_candidate *c, unsigned int *n, unsigned int max,
			     struct inode *inode, unsigned long index, unsigned long when)
{
	unsigned int pos = *n;

	while (pos > 0 && c[pos - 1].when > when)
		pos--;
	if (pos == max)
		return;		/* younger than all @max kept */
	if (*n < max)
		(*n)++;
	for (unsigned int i = *n - 1; i > pos; i--)
		c[i] = c[i - 1];
	c[pos] = (struct wb_candidate){ inode, index, when };
}

/* The up to @max (<= WB_CHUNK) oldest dirty pages dirtied at or before @older_than. */
static unsigned int pick_oldest(struct inode **inodes, unsigned long nr_inodes,
				unsigned long older_than, struct wb_candidate *c, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned long i = 0; i < nr_inodes; i++) {
		struct address_space *mapping = inodes[i]->i_mapping;
		unsigned long index = 0;
		struct page *pages[16];
		unsigned int got;

		spin_lock(&mapping->tree_lock);
		while ((got = radix_tree_gang_lookup_tag(&mapping->page_tree, (void **)pages, index,
							 16, PAGECACHE_TAG_DIRTY))) {
			for (unsigned int k = 0; k < got; k++) {
				/* private and index are stable under tree_lock while tagged */
				if (pages[k]->private <= older_than)
					candidate_insert(c, &n, max, inodes[i], pages[k]->index,
							 pages[k]->private);
				index = pages[k]->index + 1;
			}
			if (!index)
				break;
		}
		spin_unlock(&mapping->tree_lock);
	}
	return n;
}

/* Write the page at @index of @mapping if it is still dirty.  1 if written. */
static unsigned long write_candidate(struct address_space *mapping, unsigned long index)
{
	struct page *page = find_lock_page(mapping, index);
	unsigned long done = 0;

	if (!page)
		return 0;
	if (PageDirty(page)) {
		done = write_one_page(page) == 0;	/* unlocks */
	} else {
		unlock_page(page);
	}
	page_cache_release(page);
	return done;
}

static const enum vm_event_item wb_reason_event[] = {
	[WB_REASON_THROTTLE] = WB_THROTTLE_PAGES,
	[WB_REASON_BACKGROUND] = WB_BACKGROUND_PAGES,
	[WB_REASON_PERIODIC] = WB_KUPDATE_PAGES,
};

unsigned long writeback_inodes(struct machine *m, unsigned long nr_to_write,
			       unsigned long older_than, enum wb_reason reason)
{
	struct wb_candidate c[WB_CHUNK];
	unsigned long nr_inodes, written = 0;
	struct inode **inodes;

	if (!nr_to_write)
		return 0;
	inodes = get_dirty_inodes(m, &nr_inodes);
	if (!inodes)
		return 0;
	while (written < nr_to_write) {
		unsigned long want = nr_to_write - written, done = 0;
		unsigned int n = pick_oldest(inodes, nr_inodes, older_than, c,
					     want < WB_CHUNK ? (unsigned int)want : WB_CHUNK);

		if (!n)
			break;
		for (unsigned int i = 0; i < n; i++)
			done += write_candidate(c[i].inode->i_mapping, c[i].index);
		if (!done)
			break;		/* all picked pages were busy or failed: no progress */
		written += done;
	}
	for (unsigned long i = 0; i < nr_inodes; i++)
		iput(inodes[i]);	/* may be the last reference: it writes and frees */
	kfree(inodes);
	if (written)
		count_vm_events(wb_reason_event[reason], written);
	return written;
}

/* --- throttling writers ------------------------------------------------------------- */

void wakeup_pdflush(struct machine *m)
{
	atomic_store_explicit(&m->writeback->bg_wanted, 1, memory_order_relaxed);
}

void balance_dirty_pages(struct address_space *mapping)
{
	struct machine *m = mapping->host->i_machine;
	struct writeback_state *wb = m->writeback;
	unsigned long background, dirty, nr_reclaimable, nr_writeback;
	bool throttled = false;

	if (m->cfg.writeback == VMSIM_WRITEBACK_24) {
		balance_dirty(m);	/* writeback=2.4: bdflush's thresholds (fs/buffer.c) */
		return;
	}
	for (;;) {
		unsigned long excess;

		get_dirty_limits(m, &background, &dirty);
		nr_reclaimable = global_page_state(m, NR_FILE_DIRTY);
		nr_writeback = global_page_state(m, NR_WRITEBACK);
		if (nr_reclaimable + nr_writeback <= dirty)
			break;
		atomic_store(&wb->dirty_exceeded, 1);
		/* the writer pays: exactly the excess, oldest pages first */
		excess = nr_reclaimable + nr_writeback - dirty;
		throttled = true;
		if (!writeback_inodes(m, excess, ULONG_MAX, WB_REASON_THROTTLE))
			break;	/* nothing writable now (locked, or errors): do not spin */
	}
	if (throttled)
		count_vm_event(WB_THROTTLE);
	if (nr_reclaimable + nr_writeback <= dirty && atomic_load(&wb->dirty_exceeded))
		atomic_store(&wb->dirty_exceeded, 0);
	if (nr_reclaimable > background)
		wakeup_pdflush(m);
}

void balance_dirty_pages_ratelimited_nr(struct address_space *mapping, unsigned long nr)
{
	struct machine *m;
	struct writeback_state *wb;
	struct sim_cpu *cpu = this_cpu();
	unsigned long ratelimit, v;
	atomic_ulong *p;

	if (mapping->swapbacked || !nr)
		return;		/* shmem pages are not counted as dirty */
	m = mapping->host->i_machine;
	wb = m->writeback;
	if (!wb || cpu->machine != m)
		return;
	ratelimit = wb->ratelimit_pages;
	if (atomic_load_explicit(&wb->dirty_exceeded, memory_order_relaxed))
		ratelimit = WB_RATELIMIT_EXCEEDED;
	/* per CPU, written only by its owner (as the vm events) */
	p = &wb->ratelimits[cpu->id];
	v = atomic_load_explicit(p, memory_order_relaxed) + nr;
	if (v < ratelimit) {
		atomic_store_explicit(p, v, memory_order_relaxed);
		return;
	}
	atomic_store_explicit(p, 0, memory_order_relaxed);
	balance_dirty_pages(mapping);
}

/* --- background writeout and the periodic pass -------------------------------------- */

void background_writeout(struct machine *m)
{
	for (;;) {
		unsigned long background, dirty, nr;

		get_dirty_limits(m, &background, &dirty);
		nr = global_page_state(m, NR_FILE_DIRTY);
		if (nr < background)
			break;
		if (!writeback_inodes(m, nr - background + 1, ULONG_MAX, WB_REASON_BACKGROUND))
			break;
	}
}

void wb_kupdate(struct machine *m)
{
	struct writeback_state *wb = m->writeback;
	unsigned long now = jiffies_now(m), expire = cs_to_jiffies(wb->dirty_expire_centisecs);

	if (now < expire)
		return;		/* nothing can be that old yet */
	/* the cut-off is fixed at the start: our own I/O advances the clock */
	writeback_inodes(m, ULONG_MAX, now - expire, WB_REASON_PERIODIC);
}

void pdflush_run(struct machine *m)
{
	struct writeback_state *wb = m->writeback;
	unsigned long now;

	if (!wb || m->cfg.writeback == VMSIM_WRITEBACK_24)
		return;		/* writeback=2.4: bdflush and kupdate write file pages */
	now = jiffies_now(m);
	if (likely(!atomic_load_explicit(&wb->bg_wanted, memory_order_relaxed) &&
		   now < atomic_load_explicit(&wb->next_kupdate, memory_order_relaxed)))
		return;
	if (this_cpu()->curr || !spin_trylock(&wb->run_lock))
		return;
	if (atomic_exchange(&wb->bg_wanted, 0))
		background_writeout(m);
	if (now >= atomic_load(&wb->next_kupdate)) {
		wb_kupdate(m);
		/* the next pass one interval after this one ended */
		atomic_store(&wb->next_kupdate,
			     jiffies_now(m) + cs_to_jiffies(wb->dirty_writeback_centisecs));
	}
	spin_unlock(&wb->run_lock);
}

/*
 * Dirty page writeback control (mm/page-writeback.c), as Linux 2.6's
 * <linux/writeback.h>: what 2.4 did with balance_dirty() and the bdflush /
 * kupdated threads for the buffer cache, 2.6 does for the page cache:
 *
 *   - writers are throttled: after dirtying pages, write(2) and msync call
 *     balance_dirty_pages_ratelimited(); once per ratelimit batch it looks
 *     at the dirty pages, and above vm_dirty_ratio of the dirtyable memory
 *     the writer writes back pages itself, oldest first, until below;
 *   - above dirty_background_ratio it wakes background writeout (2.6's
 *     pdflush running background_writeout), which writes oldest first
 *     until Dirty is below the background threshold;
 *   - every dirty_writeback_centisecs the periodic pass (wb_kupdate)
 *     writes the pages dirty for longer than dirty_expire_centisecs.
 *
 * Background writeout and the periodic pass run at scheduling points
 * (pdflush_run, from kswapd_run at task_leave), so single-CPU runs stay
 * deterministic; time is the machine's clock m->hw.jiffies (HZ 100, so one
 * centisecond is one jiffy), which advances with disk work.
 *
 * When a page was dirtied: page->private of a dirty file page-cache page
 * holds the jiffies at which it went from clean to dirty (set by
 * set_page_dirty under tree_lock with the dirty tag, cleared with it).
 * Linux keeps this per inode (inode->dirtied_when); vmsim's file pages
 * have no buffer heads in ->private, so it is kept per page, which makes
 * "oldest first" exact at page granularity.
 *
 * Only file pages count (NR_FILE_DIRTY, the dirty-tagged pages): shmem and
 * swap-cache pages are written by reclaim, as in Linux.
 */
#ifndef KERN_WRITEBACK_H
#define KERN_WRITEBACK_H

#include "kern/pagemap.h"

/* Pages one scan picks (oldest first) before writing them. */
#define WB_CHUNK		64
/* Ratelimit while the dirty limit is exceeded (2.6's "ratelimit = 8"). */
#define WB_RATELIMIT_EXCEEDED	8

enum wb_reason {
	WB_REASON_THROTTLE,	/* a writer over the dirty limit (balance_dirty_pages) */
	WB_REASON_BACKGROUND,	/* background writeout */
	WB_REASON_PERIODIC,	/* wb_kupdate: expired pages */
};

/* Per-machine writeback state (m->writeback). */
struct writeback_state {
	/* the /proc/sys/vm tunables, from the machine configuration */
	int dirty_background_ratio;		/* % of dirtyable memory */
	int vm_dirty_ratio;			/* % of dirtyable memory */
	unsigned int dirty_expire_centisecs;
	unsigned int dirty_writeback_centisecs;	/* 0: no periodic pass */
	/* pages a CPU may dirty between two looks (2.6's ratelimit_pages) */
	unsigned long ratelimit_pages;
	atomic_int dirty_exceeded;		/* a writer found the limit exceeded */
	atomic_int bg_wanted;			/* background writeout woken */
	atomic_ulong next_kupdate;		/* jiffies of the next periodic pass */
	spinlock_t run_lock;			/* trylock: one CPU runs pdflush work */
	atomic_ulong ratelimits[NR_CPUS];	/* pages dirtied since the last look */
};

/* Boot: the state from cfg (0 or -ENOMEM); teardown. */
int writeback_init(struct machine *m);
void writeback_fini(struct machine *m);

/*
 * get_dirty_limits - the background and the throttling thresholds, in
 * pages, of the dirtyable memory (free pages plus LRU pages), as 2.6:
 * dirty_ratio is at least 5, and a background ratio not below it is
 * taken as half of it.
 */
void get_dirty_limits(struct machine *m, unsigned long *background, unsigned long *dirty);

/*
 * balance_dirty_pages - the writer's look at the dirty pages: above the
 * dirty limit (Dirty + Writeback), write back the oldest dirty pages
 * (any file's) until at or below it; above the background threshold,
 * wake background writeout.  Holding no page lock and no spinlock.
 */
void balance_dirty_pages(struct address_space *mapping);
/* A writer dirtied @nr pages of @mapping: balance once per ratelimit batch. */
void balance_dirty_pages_ratelimited_nr(struct address_space *mapping, unsigned long nr);
static inline void balance_dirty_pages_ratelimited(struct address_space *mapping)
{
	balance_dirty_pages_ratelimited_nr(mapping, 1);
}

/*
 * writeback_inodes - write back up to @nr_to_write dirty file pages of the
 * machine, oldest dirtied first, only pages dirtied at or before jiffies
 * @older_than (~0UL: any).  Counts the pages under @reason.  Returns how
 * many were written.  No locks held.
 */
unsigned long writeback_inodes(struct machine *m, unsigned long nr_to_write,
			       unsigned long older_than, enum wb_reason reason);
/* Wake background writeout: it runs at the next scheduling point. */
void wakeup_pdflush(struct machine *m);
/* background_writeout: write oldest first until Dirty < the background threshold. */
void background_writeout(struct machine *m);
/* The periodic pass: write every page dirty for dirty_expire_centisecs or more. */
void wb_kupdate(struct machine *m);
/*
 * pdflush_run - the scheduling point (kswapd_run calls it): background
 * writeout if woken, the periodic pass if due.  No task may be running on
 * this CPU; one CPU at a time.
 */
void pdflush_run(struct machine *m);

#endif

/*
 * What every frame is used for, for pictures of physical memory
 * (include/vmsim/stats.h: vmsim_frame_states), and the machine's virtual
 * clock (vmsim_clock_usecs) for timelines, and which pages of a process
 * are resident, looked at without entering the process (vmsim_resident).
 *
 * A frame's use comes from its struct page (flags, mapping), except free
 * frames: only the head of a buddy block carries PG_buddy, and a page on
 * a per-CPU list carries nothing, so the free lists themselves are walked
 * (zone->lock) and the per-CPU lists after them.  A frame that is none of
 * these with no owner the flags name (the tail of a higher-order kernel
 * allocation, a kernel stack) is "kernel".
 *
 * Locks taken: zone->lock, one zone at a time.  The per-CPU lists belong
 * to their CPU: read them while no other thread runs the machine.
 */
#include <errno.h>
#include "kern/machine.h"
#include "kern/mm.h"
#include "kern/fs.h"
#include "kern/printk.h"
#include "kern/mman.h"
#include "kern/pgtable.h"
#include "vmsim/stats.h"
#include "entry.h"

static const char *const frame_state_names[VMSIM_FRAME_NR_STATES] = {
	[VMSIM_FRAME_FREE] = "free",
	[VMSIM_FRAME_PCP] = "pcp",
	[VMSIM_FRAME_ANON] = "anon",
	[VMSIM_FRAME_FILE] = "file",
	[VMSIM_FRAME_SHMEM] = "shmem",
	[VMSIM_FRAME_SWAPCACHE] = "swapcache",
	[VMSIM_FRAME_SLAB] = "slab",
	[VMSIM_FRAME_PAGETABLE] = "pagetable",
	[VMSIM_FRAME_RESERVED] = "reserved",
	[VMSIM_FRAME_KERNEL] = "kernel",
	[VMSIM_FRAME_HOLE] = "hole",
};

const char *vmsim_frame_state_name(int state)
{
	if (state < 0 || state >= VMSIM_FRAME_NR_STATES)
		return NULL;
	return frame_state_names[state];
}

/* The use a frame's struct page tells (free frames are found by the lists). */
static unsigned char page_state(struct machine *m, struct page *page)
{
	if (PageReserved(page) || page == m->zero_page || PageZero(page))
		return VMSIM_FRAME_RESERVED;
	if (PageSlab(page))
		return VMSIM_FRAME_SLAB;
	if (PagePageTable(page))
		return VMSIM_FRAME_PAGETABLE;
	if (PageSwapCache(page))
		return VMSIM_FRAME_SWAPCACHE;
	if (PageAnon(page))
		return VMSIM_FRAME_ANON;
	if (page->mapping && page_count(page))
		return page->mapping->swapbacked ? VMSIM_FRAME_SHMEM : VMSIM_FRAME_FILE;
	return VMSIM_FRAME_KERNEL;
}

/* Mark the 2^@order frames from @pfn as @state where they fall in [start, end). */
static void mark_block(unsigned char *out, unsigned long start, unsigned long end,
		       unsigned long pfn, unsigned int order, unsigned char state)
{
	for (unsigned long p = pfn; p < pfn + (1UL << order); p++)
		if (p >= start && p < end)
			out[p - start] = state;
}

/* The frames of @z in [start, end): flags first, then the free and per-CPU lists. */
static void zone_frame_states(struct machine *m, zone_t *z, unsigned long start,
			      unsigned long end, unsigned char *out)
{
	unsigned long lo = z->zone_start_pfn, hi = lo + z->spanned_pages;
	struct page *page;

	if (hi <= start || lo >= end)
		return;
	lo = lo > start ? lo : start;
	hi = hi < end ? hi : end;
	spin_lock(&z->lock);
	for (unsigned long pfn = lo; pfn < hi; pfn++)
		out[pfn - start] = page_state(m, pfn_to_page(m, pfn));
	for (unsigned int o = 0; o < MAX_ORDER; o++)
		list_for_each_entry(page, &z->free_area[o].free_list, lru)
			mark_block(out, start, end, page_to_pfn(page), o, VMSIM_FRAME_FREE);
	spin_unlock(&z->lock);
	for (int c = 0; c < m->nr_cpus; c++)
		for (unsigned int o = 0; o < NR_PCP_LISTS; o++)
			for (struct list_head *e = z->pageset[c].first[o]; e; e = e->next)
				mark_block(out, start, end,
					   page_to_pfn(list_entry(e, struct page, lru)), o,
					   VMSIM_FRAME_PCP);
}

static long frame_states(struct machine *m, unsigned long start, unsigned long nr,
			 unsigned char *out)
{
	unsigned long end;

	if (start >= m->max_pfn)
		return -EINVAL;
	end = nr < m->max_pfn - start ? start + nr : m->max_pfn;
	for (unsigned long p = start; p < end; p++)
		out[p - start] = VMSIM_FRAME_HOLE;
	for (int n = 0; n < m->nr_nodes; n++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			zone_frame_states(m, &m->node_data[n].node_zones[j], start, end, out);
	return (long)(end - start);
}

long vmsim_frame_states(vmsim_machine_t *m, unsigned long start_pfn, unsigned long nr,
			unsigned char *states)
{
	return MACHINE_CALL(m, frame_states(m, start_pfn, nr, states));
}

uint64_t vmsim_clock_usecs(vmsim_machine_t *m)
{
	return (uint64_t)hw_clock_read(&m->hw) * (1000000 / HZ);
}

/* mincore's bytes, with bit 1 where a present PTE maps the page. */
static int resident(struct mm_struct *mm, unsigned long addr, unsigned long len,
		    unsigned char *vec)
{
	int ret = do_mincore(mm, addr, len, vec);

	if (ret)
		return ret;
	down_read(&mm->mmap_sem);
	spin_lock(&mm->page_table_lock);
	for (unsigned long a = addr; a < addr + len; a += PAGE_SIZE, vec++) {
		ptep_t ptep = pgt_walk(mm, a);

		if (ptep_is_null(ptep))
			continue;
		if (pte_present(ptep_get(ptep)))
			*vec |= VMSIM_RESIDENT_MAPPED;
		pte_unmap(ptep);
	}
	spin_unlock(&mm->page_table_lock);
	up_read(&mm->mmap_sem);
	return 0;
}

int vmsim_resident(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len,
		   unsigned char *vec)
{
	return (int)TASK_PEEK(m, pid, t, resident(t->mm, addr, len, vec));
}

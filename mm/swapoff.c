/*
 * swapoff (Linux 2.4 sys_swapoff and try_to_unuse, mm/swapfile.c): take an
 * area out of swap_list so nothing new goes there, bring every page that
 * lives in it back into memory (each swap PTE of every process replaced
 * by a PTE mapping the page; each shmem page moved back into its inode,
 * shmem_unuse; each swap-cache copy dropped), then release
 * the area.  If memory cannot take it all back, the area is put back in
 * use and -ENOMEM returned; the pages brought in so far stay in memory.
 * The public call is vmsim_swapoff (api/swap.c).
 */
#include <errno.h>
#include <unistd.h>
#include "kern/vmscan.h"
#include "kern/memory.h"
#include "kern/pgtable.h"
#include "kern/tlb.h"
#include "kern/shmem_fs.h"

static void swap_list_del(struct swap_state *s, int type)
{
	int prev = -1;

	for (int i = s->swap_list_head; i >= 0; prev = i, i = s->swap_info[i].next) {
		if (i != type)
			continue;
		if (prev < 0)
			s->swap_list_head = s->swap_info[i].next;
		else
			s->swap_info[prev].next = s->swap_info[i].next;
		break;
	}
	s->swap_list_next = s->swap_list_head;
}


/*
 * unuse_vma - every swap PTE of area @type in @vma gets its page back
 * (mmap_sem held).  The page is mapped read-only: a write copies it if
 * another process still shares it, or reuses it.  0, -ENOMEM or -EIO (a read error).
 */
static int unuse_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned int type)
{
	const struct pgt_format *f = mm_pgt_fmt(mm);
	unsigned long a = vma->vm_start;

	spin_lock(&mm->page_table_lock);
	while (a < vma->vm_end) {
		unsigned long next = pmd_addr_end(f, a, vma->vm_end);
		pmdp_t pmd = pmd_lookup(mm, a);
		ptep_t p;
		pte_t pte = __pte(0);

		if (!pmd.p || pmd_none(pmdp_get(pmd)) || pmd_bad(pmdp_get(pmd))) {
			a = next;
			continue;
		}
		p = pte_offset_map(pmd, a);
		for (; a < next; a += PAGE_SIZE, p = ptep_next(p)) {
			pte = ptep_get(p);
			if (is_swap_pte(pte) && swp_type(pte_to_swp_entry(pte)) == type)
				break;
		}
		pte_unmap(p);
		if (a >= next)
			continue;
		/* read the page in with no spinlock held, then map it if still wanted */
		{
			swp_entry_t entry = pte_to_swp_entry(pte);
			struct page *page;
			int err;

			spin_unlock(&mm->page_table_lock);
			page = read_swap_cache(entry, &err);
			if (!page) {
				/* no memory, or a read error: swapoff fails, the area stays */
				if (swap_count(entry))
					return err == -EIO ? -EIO : -ENOMEM;
				spin_lock(&mm->page_table_lock);
				continue;	/* freed meanwhile: look again */
			}
			lock_page(page);
			spin_lock(&mm->page_table_lock);
			p = pte_offset_map(pmd, a);
			if (pte_val(ptep_get(p)) == pte_val(pte) && PageUptodate(page)) {
				get_page(page);
				page_add_anon_rmap(mm, page, a);
				set_pte(p, pte_wrprotect(mk_pte(page, vma->vm_page_prot)));
				swap_free(entry);
				atomic_fetch_sub(&mm->swap_ents, 1);
			}
			pte_unmap(p);
			unlock_page(page);
			put_page(page);		/* not the last: the PTE or the cache hold it */
		}
	}
	spin_unlock(&mm->page_table_lock);
	return 0;
}

/* Every process's swap PTEs of area @type, in pid order.  0, -ENOMEM or -EIO. */
static int unuse_processes(struct machine *m, unsigned int type)
{
	struct task_state *ts = m->tasks;
	int pid = 1, err = 0;

	for (;;) {
		struct task_struct *t, *found = NULL;
		struct mm_struct *mm = NULL;
		struct vm_area_struct *vma;

		spin_lock(&ts->tasklist_lock);
		list_for_each_entry(t, &ts->task_list, tasks)
			if (t->pid >= pid && t->mm) {
				found = t;
				break;
			}
		if (found) {
			pid = found->pid + 1;
			mm = found->mm;
			mmget(mm);
		}
		spin_unlock(&ts->tasklist_lock);
		if (!mm)
			return 0;
		down_read(&mm->mmap_sem);
		for (vma = mm->mmap; vma && !err; vma = vma->vm_next)
			err = unuse_vma(mm, vma, type);
		up_read(&mm->mmap_sem);
		mmput(mm);
		if (err)
			return err;
	}
}

/*
 * unuse_slot - a slot of the area still in use once the processes' swap
 * PTEs are gone: a shmem inode's table names it (2.4's shmem_unuse), or
 * only the swap cache holds it.  Its page is read in if not cached.
 * A shmem index whose move is in progress (its page still in the page
 * cache, locked) is waited for here, with no page lock of ours held, and
 * tried again by the next pass.  0, -ENOMEM or -EIO.
 */
static int unuse_slot(swp_entry_t entry)
{
	struct page *page = lookup_swap_cache(entry), *busy = NULL;
	int err = 0;

	if (!page) {
		page = read_swap_cache(entry, &err);
		if (!page)	/* else freed meanwhile */
			return swap_count(entry) ? (err == -EIO ? -EIO : -ENOMEM) : 0;
	}
	lock_page(page);
	if (PageSwapCache(page) && page_swp_entry(page).val == entry.val) {
		/* more than the cache's reference: a shmem table (or a PTE come back) */
		if (swap_count(entry) > 1)
			err = shmem_unuse(entry, page, &busy);
		/* the cache's reference on the slot is the only one left */
		if (err >= 0 && PageSwapCache(page) && swap_count(entry) == 1)
			delete_from_swap_cache(page);
	}
	unlock_page(page);
	put_page(page);
	if (busy) {
		wait_on_page_locked(busy);
		put_page(busy);
	}
	return err < 0 ? err : 0;
}

/*
 * try_to_unuse - bring area @type's pages back: the processes' swap PTEs,
 * then the slots left: shmem pages into their inodes, swap-cache copies
 * nobody maps dropped.  0, -ENOMEM or -EIO.
 *
 * As 2.4, passes go on until the area is empty.  A slot can be in use
 * with nobody to find yet (shmem_writepage between get_swap_page and its
 * table entry): a pass that frees nothing is followed by a pause that
 * grows; only after MAX_IDLE_PASSES of them (about a second) is a slot
 * still in use a broken count.
 */
#define MAX_IDLE_PASSES	10

/* Slots of @si in use (swap_free changes it under sdev_lock). */
static unsigned long area_inuse(struct swap_info_struct *si)
{
	unsigned long n;

	spin_lock(&si->sdev_lock);
	n = si->inuse_pages;
	spin_unlock(&si->sdev_lock);
	return n;
}

static int try_to_unuse(struct machine *m, unsigned int type)
{
	struct swap_info_struct *si = &m->swap->swap_info[type];
	unsigned long last = area_inuse(si), inuse;
	int idle = 0;

	for (;;) {
		int err = unuse_processes(m, type);

		if (err)
			return err;
		for (unsigned long off = 1; off < si->max; off++) {
			swp_entry_t entry = swp_entry(type, off);

			if (!swap_count(entry))
				continue;
			err = unuse_slot(entry);
			if (err)
				return err;
		}
		inuse = area_inuse(si);
		if (!inuse)
			return 0;
		if (inuse < last) {
			last = inuse;
			idle = 0;
			continue;
		}
		if (++idle > MAX_IDLE_PASSES)
			break;
		usleep(1000U << (idle - 1));	/* 1 ms, 2 ms, ... 512 ms */
	}
	/* a slot still referenced by nothing we can find: a broken count */
	for (unsigned long off = 1; off < si->max; off++) {
		swp_entry_t entry = swp_entry(type, off);
		struct page *page;

		if (!swap_count(entry))
			continue;
		page = lookup_swap_cache(entry);
		BUG_ON_MSG(1, "swapoff: area %u still has %lu slots in use: slot %lu count %d, "
			   "swap cache pfn %ld (count %d, mapcount %d, flags %#x)", type,
			   area_inuse(si), off, swap_count(entry),
			   page ? (long)page_to_pfn(page) : -1L, page ? page_count(page) : 0,
			   page ? page_mapcount(page) : 0,
			   page ? (unsigned int)atomic_load(&page->flags) : 0u);
	}
	BUG_ON_MSG(1, "swapoff: area %u counts %lu slots in use, none found", type,
		   area_inuse(si));
	return -EBUSY;
}

int sys_swapoff(struct machine *m, int type)
{
	struct swap_state *s = m->swap;
	struct swap_info_struct *p;
	unsigned long inuse;
	int err;

	if (!s || type < 0 || type >= s->nr_swapfiles)
		return -EINVAL;
	p = &s->swap_info[type];
	spin_lock(&s->swaplock);
	if ((p->flags & SWP_WRITEOK) != SWP_WRITEOK) {
		spin_unlock(&s->swaplock);
		return -EINVAL;
	}
	/* no new slots from here on; the used ones stay counted until freed */
	swap_list_del(s, type);
	spin_lock(&p->sdev_lock);	/* swap_info_get reads flags under it */
	p->flags = SWP_USED;
	spin_unlock(&p->sdev_lock);
	inuse = area_inuse(p);	/* each slot freed below adds one to nr_swap_pages */
	s->nr_swap_pages -= (long)(p->pages - inuse);
	s->total_swap_pages -= (long)p->pages;
	spin_unlock(&s->swaplock);

	atomic_fetch_add(&m->vmscan->swapoff_active, 1);
	err = try_to_unuse(m, (unsigned int)type);
	atomic_fetch_sub(&m->vmscan->swapoff_active, 1);

	spin_lock(&s->swaplock);
	if (err) {
		/* memory is short: the area stays, with what is still in it */
		spin_lock(&p->sdev_lock);
		p->flags = SWP_WRITEOK;
		spin_unlock(&p->sdev_lock);
		s->nr_swap_pages += (long)(p->pages - inuse);
		s->total_swap_pages += (long)p->pages;
		swap_list_insert(s, type);
		spin_unlock(&s->swaplock);
		return err;
	}
	/* every slot freed went back to nr_swap_pages; take them out again */
	s->nr_swap_pages -= (long)inuse;
	s->map_pages -= 1UL << p->map_order;
	spin_lock(&p->sdev_lock);
	p->flags = 0;
	spin_unlock(&p->sdev_lock);
	spin_unlock(&s->swaplock);
	sim_disk_close(&p->disk);
	free_pages((unsigned long)p->swap_map, p->map_order);
	p->swap_map = NULL;
	return 0;
}

/*
 * Swap I/O (Linux 2.4 mm/page_io.c): one page between RAM and its slot on
 * the swap area's disk.  The disk does DMA from physical memory, so the
 * frame is reached through the physical map whether or not it is HIGHMEM.
 * pswpin/pswpout count pages, pgpgin/pgpgout kilobytes, as /proc/vmstat.
 */
#include <errno.h>
#include "kern/fault_inject.h"
#include "kern/swap.h"

int rw_swap_page_nolock(int rw, swp_entry_t entry, struct page *page)
{
	struct machine *m = page_machine(page);
	struct swap_state *s = m->swap;
	struct swap_info_struct *p;
	unsigned long offset = swp_offset(entry);
	uint8_t *frame = __phys_ram(m, page_to_phys(page));
	bool bad;
	int err;

	if (!s || swp_type(entry) >= (unsigned int)s->nr_swapfiles)
		return -EIO;
	p = &s->swap_info[swp_type(entry)];
	/* swapon and swapoff change flags under sdev_lock; the slot's reference keeps the area */
	spin_lock(&p->sdev_lock);
	bad = !(p->flags & SWP_USED) || offset == 0 || offset >= p->max;
	spin_unlock(&p->sdev_lock);
	if (bad || should_fail_io(m))
		return -EIO;
	if (rw == WRITE) {
		trace_swap_writepage(m, page, offset);
		err = sim_disk_write_page(&m->hw, &p->disk, offset, frame);
		if (!err) {
			count_vm_event(PSWPOUT);
			count_vm_events(PGPGOUT, PAGE_SIZE / 1024);
		}
	} else {
		trace_swap_readpage(m, page, offset);
		err = sim_disk_read_page(&m->hw, &p->disk, offset, frame);
		if (!err) {
			count_vm_event(PSWPIN);
			count_vm_events(PGPGIN, PAGE_SIZE / 1024);
			SetPageUptodate(page);
		}
	}
	return err;
}

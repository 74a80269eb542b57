/*
 * Swap areas (Linux 2.4 mm/swapfile.c): swap_info[] with a swap_map of
 * reference counts per slot, the priority-ordered swap_list that
 * get_swap_page() walks (round-robin among areas of equal priority), and
 * scan_swap_map()'s cluster allocation: slots are handed out in runs of
 * SWAPFILE_CLUSTER so that pages swapped out together lie together on disk.
 *
 * Locking: swaplock protects swap_list and nr_swap_pages; each area's
 * sdev_lock its swap_map and bounds.  Order: swaplock, then sdev_lock.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "kern/swap.h"

#define MIN_SWAP_PAGES	10
#define SWAP_SIGNATURE	"SWAPSPACE2"

static unsigned int swap_state_order(void);

int swap_init(struct machine *m)
{
	struct swap_state *s;

	s = (struct swap_state *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, swap_state_order());
	if (!s)
		return -ENOMEM;
	spin_lock_init(&s->swaplock);
	s->swap_list_head = s->swap_list_next = -1;
	s->page_cluster = m->cfg.page_cluster;
	if (s->page_cluster < 0 || s->page_cluster > 6) {
		/* 2.4's swap_setup: smaller clusters for small machines */
		unsigned long megs = m->max_pfn >> (20 - PAGE_SHIFT);

		s->page_cluster = megs < 16 ? 2 : 3;
	}
	/* the configuration says the value in effect (JSON reports, `show config`), not -1 */
	m->cfg.page_cluster = s->page_cluster;
	m->swap = s;
	return 0;
}

static unsigned int swap_state_order(void)
{
	unsigned int order;

	for (order = 0; (PAGE_SIZE << order) < sizeof(struct swap_state); order++)
		;
	return order;
}

/*
 * The header mkswap writes: version 1, last usable page, no bad pages;
 * the signature in the last 10 bytes of the first page.
 */
static int write_swap_header(struct machine *m, struct swap_info_struct *p)
{
	uint8_t *hdr = (uint8_t *)__get_free_page(GFP_KERNEL | __GFP_ZERO);
	uint32_t version = 1, last_page = (uint32_t)(p->max - 1), nr_bad = 0;
	int err;

	if (!hdr)
		return -ENOMEM;
	memcpy(hdr + 1024, &version, 4);
	memcpy(hdr + 1028, &last_page, 4);
	memcpy(hdr + 1032, &nr_bad, 4);
	memcpy(hdr + PAGE_SIZE - 10, SWAP_SIGNATURE, 10);
	err = sim_disk_write_page(&m->hw, &p->disk, 0, hdr);
	free_page((unsigned long)hdr);
	return err;
}

/* Insert area @type into swap_list by priority (swaplock held). */
void swap_list_insert(struct swap_state *s, int type)
{
	int prev = -1, i;
	int prio = s->swap_info[type].prio;

	for (i = s->swap_list_head; i >= 0; i = s->swap_info[i].next) {
		if (prio >= s->swap_info[i].prio)
			break;
		prev = i;
	}
	s->swap_info[type].next = i;
	if (prev < 0)
		s->swap_list_head = type;
	else
		s->swap_info[prev].next = type;
	s->swap_list_next = s->swap_list_head;
}

/* s->error for a disk that failed: what was tried, and the host's reason. */
static void swapon_disk_error(struct swap_state *s, const struct sim_disk *d, const char *path,
			      uint64_t bytes)
{
	const char *why = strerror(d->host_errno);
	char what[300];

	if (path)
		snprintf(what, sizeof(what), "swapfile %s", path);
	else
		snprintf(what, sizeof(what), "swap file %s", d->path);
	if (!d->failed || !strcmp(d->failed, "open"))
		snprintf(s->error, sizeof(s->error), "%s: %s", what, why);
	else if (!strcmp(d->failed, "size"))
		snprintf(s->error, sizeof(s->error), "%s: cannot make it %llu bytes long: %s", what,
			 (unsigned long long)bytes, why);
	else
		snprintf(s->error, sizeof(s->error), "%s: cannot %s its header: %s", what,
			 d->failed, why);
}

int sys_swapon(struct machine *m, const char *path, uint64_t bytes, int prio)
{
	struct swap_state *s = m->swap;
	struct swap_info_struct *p;
	unsigned long slots = (unsigned long)(bytes >> PAGE_SHIFT);
	unsigned int order;
	int type, err;

	if (!s)
		return -ENOMEM;
	s->error[0] = '\0';
	if (slots < MIN_SWAP_PAGES || slots - 1 > swp_offset_max(pgt_fmt(m)))
		return -EINVAL;
	spin_lock(&s->swaplock);
	for (type = 0; type < MAX_SWAPFILES; type++)
		if (!(s->swap_info[type].flags & SWP_USED))
			break;
	for (int i = 0; path && i < MAX_SWAPFILES; i++)
		if ((s->swap_info[i].flags & SWP_USED) && !strcmp(s->swap_info[i].disk.path, path)) {
			spin_unlock(&s->swaplock);
			return -EBUSY;
		}
	if (type == MAX_SWAPFILES) {
		spin_unlock(&s->swaplock);
		return -EPERM;
	}
	p = &s->swap_info[type];
	memset(p, 0, sizeof(*p));
	p->flags = SWP_USED;		/* reserved while we set it up */
	if (type >= s->nr_swapfiles)
		s->nr_swapfiles = type + 1;
	spin_unlock(&s->swaplock);

	for (order = 0; (PAGE_SIZE << order) < slots * sizeof(unsigned short); order++)
		;
	err = -EINVAL;
	snprintf(s->error, sizeof(s->error), "swap of %llu bytes: its swap map (%lu KiB) is "
		 "larger than a block of the page allocator (at most %llu bytes of swap)",
		 (unsigned long long)bytes, (slots * sizeof(unsigned short)) >> 10,
		 (unsigned long long)MAX_SWAP_BYTES);
	if (order >= MAX_ORDER)
		goto out_free;
	err = -ENOMEM;
	snprintf(s->error, sizeof(s->error), "swap of %llu bytes: no memory for its swap map "
		 "(%lu KiB in one block)", (unsigned long long)bytes, (PAGE_SIZE << order) >> 10);
	p->swap_map = (unsigned short *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!p->swap_map)
		goto out_free;
	s->error[0] = '\0';
	p->map_order = order;
	spin_lock(&s->swaplock);
	s->map_pages += 1UL << order;
	spin_unlock(&s->swaplock);
	err = sim_disk_open(&p->disk, path, (uint64_t)slots << PAGE_SHIFT);
	if (err) {
		swapon_disk_error(s, &p->disk, path, (uint64_t)slots << PAGE_SHIFT);
		goto out_map;
	}
	spin_lock_init(&p->sdev_lock);
	p->max = slots;
	p->pages = slots - 1;
	p->swap_map[0] = SWAP_MAP_BAD;	/* the header */
	p->lowest_bit = 1;
	p->highest_bit = slots - 1;
	p->cluster_nr = 0;
	p->cluster_next = 1;
	err = write_swap_header(m, p);
	if (err) {
		if (err == -EIO)
			swapon_disk_error(s, &p->disk, path, 0);
		goto out_disk;
	}

	spin_lock(&s->swaplock);
	p->prio = prio >= 0 ? prio : -(type + 1);	/* Linux: each new default area lower */
	spin_lock(&p->sdev_lock);
	p->flags = SWP_WRITEOK;
	spin_unlock(&p->sdev_lock);
	s->nr_swap_pages += (long)p->pages;
	s->total_swap_pages += (long)p->pages;
	swap_list_insert(s, type);
	spin_unlock(&s->swaplock);
	return type;

out_disk:
	sim_disk_close(&p->disk);
out_map:
	free_pages((unsigned long)p->swap_map, p->map_order);
	spin_lock(&s->swaplock);
	s->map_pages -= 1UL << p->map_order;
	spin_unlock(&s->swaplock);
out_free:
	spin_lock(&s->swaplock);
	p->flags = 0;
	spin_unlock(&s->swaplock);
	return err;
}

unsigned long swap_map_pages(struct machine *m)
{
	struct swap_state *s = m->swap;
	unsigned long n;

	if (!s)
		return 0;
	spin_lock(&s->swaplock);
	n = s->map_pages;
	spin_unlock(&s->swaplock);
	return n;
}

void swap_fini(struct machine *m)
{
	struct swap_state *s = m->swap;

	if (!s)
		return;
	for (int i = 0; i < s->nr_swapfiles; i++) {
		struct swap_info_struct *p = &s->swap_info[i];

		if (!(p->flags & SWP_USED))
			continue;
		sim_disk_close(&p->disk);
		free_pages((unsigned long)p->swap_map, p->map_order);
		p->flags = 0;
	}
	free_pages((unsigned long)s, swap_state_order());
	m->swap = NULL;
}

/* Take slot @offset (sdev_lock held). */
static unsigned long take_slot(struct swap_info_struct *si, unsigned long offset)
{
	if (offset == si->lowest_bit)
		si->lowest_bit++;
	if (offset == si->highest_bit)
		si->highest_bit--;
	if (si->lowest_bit > si->highest_bit) {	/* now full */
		si->lowest_bit = si->max;
		si->highest_bit = 0;
	}
	si->swap_map[offset] = 1;
	si->inuse_pages++;
	si->cluster_next = offset + 1;
	return offset;
}

/*
 * scan_swap_map - a free slot: the next one of the current cluster if it
 * has any left, else the start of a fresh all-free cluster, else any free
 * slot.  0 if the area is full.  sdev_lock held.
 */
static unsigned long scan_swap_map(struct swap_info_struct *si)
{
	unsigned long offset;

	if (si->cluster_nr) {
		for (; si->cluster_next <= si->highest_bit; si->cluster_next++) {
			if (si->swap_map[si->cluster_next])
				continue;
			si->cluster_nr--;
			return take_slot(si, si->cluster_next);
		}
	}
	si->cluster_nr = SWAPFILE_CLUSTER;
	for (offset = si->lowest_bit; offset + SWAPFILE_CLUSTER - 1 <= si->highest_bit;) {
		unsigned long busy = 0;

		for (unsigned long n = offset; n < offset + SWAPFILE_CLUSTER; n++)
			if (si->swap_map[n]) {
				busy = n;
				break;
			}
		if (!busy)
			return take_slot(si, offset);
		offset = busy + 1;
	}
	for (offset = si->lowest_bit; offset <= si->highest_bit; offset++)
		if (!si->swap_map[offset])
			return take_slot(si, offset);
	si->lowest_bit = si->max;
	si->highest_bit = 0;
	return 0;
}

swp_entry_t get_swap_page(void)
{
	struct swap_state *s = this_machine()->swap;
	swp_entry_t entry = { 0 };
	bool wrapped = false;
	int type;

	if (!s)
		return entry;
	spin_lock(&s->swaplock);
	type = s->swap_list_next;
	if (type < 0 || s->nr_swap_pages <= 0)
		goto out;
	for (;;) {
		struct swap_info_struct *p = &s->swap_info[type];

		if ((p->flags & SWP_WRITEOK) == SWP_WRITEOK) {
			unsigned long offset;

			spin_lock(&p->sdev_lock);
			offset = scan_swap_map(p);
			spin_unlock(&p->sdev_lock);
			if (offset) {
				int next = p->next;

				entry = swp_entry((unsigned int)type, offset);
				s->nr_swap_pages--;
				/* round-robin among areas of the same priority */
				if (next < 0 || s->swap_info[next].prio != p->prio)
					s->swap_list_next = s->swap_list_head;
				else
					s->swap_list_next = next;
				goto out;
			}
		}
		type = p->next;
		if (!wrapped) {
			if (type < 0 || s->swap_info[type].prio != p->prio) {
				type = s->swap_list_head;
				wrapped = true;
			}
		} else if (type < 0) {
			goto out;	/* every area is full */
		}
	}
out:
	spin_unlock(&s->swaplock);
	return entry;
}

/* The area of @entry with its sdev_lock held, or NULL if the entry is bad. */
static struct swap_info_struct *swap_info_get(struct swap_state *s, swp_entry_t entry)
{
	struct swap_info_struct *p;
	unsigned int type = swp_type(entry);

	if (!s || !entry.val || type >= (unsigned int)s->nr_swapfiles)
		return NULL;
	p = &s->swap_info[type];
	/* flags change under sdev_lock too (swapon's, swapoff's): read them under it */
	spin_lock(&p->sdev_lock);
	if (!(p->flags & SWP_USED) || swp_offset(entry) >= p->max ||
	    !p->swap_map[swp_offset(entry)]) {
		spin_unlock(&p->sdev_lock);
		return NULL;
	}
	return p;
}

int swap_duplicate(swp_entry_t entry)
{
	struct swap_info_struct *p = swap_info_get(this_machine()->swap, entry);
	unsigned short *count;

	if (!p)
		return 0;
	count = &p->swap_map[swp_offset(entry)];
	if (*count < SWAP_MAP_MAX)
		(*count)++;
	/* at SWAP_MAP_MAX the slot is pinned for good, as in 2.4 */
	spin_unlock(&p->sdev_lock);
	return 1;
}

void swap_free(swp_entry_t entry)
{
	struct machine *m = this_machine();
	struct swap_state *s = m->swap;
	struct swap_info_struct *p = swap_info_get(s, entry);
	unsigned long offset = swp_offset(entry);
	bool freed = false;

	BUG_ON_MSG(!p, "swap_free: bad swap entry %#lx (type %u offset %lu)", entry.val,
		   swp_type(entry), offset);
	if (p->swap_map[offset] < SWAP_MAP_MAX && --p->swap_map[offset] == 0) {
		if (offset < p->lowest_bit)
			p->lowest_bit = offset;
		if (offset > p->highest_bit)
			p->highest_bit = offset;
		p->inuse_pages--;
		freed = true;
	}
	spin_unlock(&p->sdev_lock);
	if (freed) {
		spin_lock(&s->swaplock);
		s->nr_swap_pages++;
		spin_unlock(&s->swaplock);
	}
}

unsigned int valid_swaphandles(swp_entry_t entry, unsigned long *offset, uint64_t *mask)
{
	struct swap_state *s = this_machine()->swap;
	unsigned int type = swp_type(entry), n = 0;
	struct swap_info_struct *p;
	unsigned long start, end;

	*offset = 0;
	*mask = 0;
	if (!s || !s->page_cluster || type >= (unsigned int)s->nr_swapfiles)
		return 0;
	p = &s->swap_info[type];
	spin_lock(&p->sdev_lock);
	if (!(p->flags & SWP_USED) || swp_offset(entry) >= p->max) {
		spin_unlock(&p->sdev_lock);
		return 0;
	}
	start = (swp_offset(entry) >> s->page_cluster) << s->page_cluster;
	end = start + (1UL << s->page_cluster);
	if (end > p->max)
		end = p->max;	/* never past the end of the area */
	for (unsigned long off = start; off < end; off++) {
		unsigned short c = p->swap_map[off];

		/* slot 0 is the header (its map entry is SWAP_MAP_BAD) */
		if (c && c != SWAP_MAP_BAD) {
			*mask |= 1ULL << (off - start);
			n++;
		}
	}
	spin_unlock(&p->sdev_lock);
	*offset = start;
	return n;
}

int swap_count(swp_entry_t entry)
{
	struct swap_info_struct *p = swap_info_get(this_machine()->swap, entry);
	int n;

	if (!p)
		return 0;
	n = p->swap_map[swp_offset(entry)];
	spin_unlock(&p->sdev_lock);
	return n;
}

void si_swapinfo(struct machine *m, unsigned long *total, unsigned long *free)
{
	struct swap_state *s = m->swap;

	*total = *free = 0;
	if (!s)
		return;
	spin_lock(&s->swaplock);
	*total = (unsigned long)s->total_swap_pages;
	*free = (unsigned long)s->nr_swap_pages;
	spin_unlock(&s->swaplock);
}

bool swap_map_is_valid(struct machine *m)
{
	struct swap_state *s = m->swap;
	long free_total = 0;

	if (!s)
		return true;
	spin_lock(&s->swaplock);
	for (int i = 0; i < s->nr_swapfiles; i++) {
		struct swap_info_struct *p = &s->swap_info[i];
		unsigned long used = 0;

		if ((p->flags & SWP_WRITEOK) != SWP_WRITEOK)
			continue;
		spin_lock(&p->sdev_lock);
		BUG_ON_MSG(p->swap_map[0] != SWAP_MAP_BAD, "swap area %d: header slot in use", i);
		for (unsigned long o = 1; o < p->max; o++) {
			if (!p->swap_map[o])
				continue;
			used++;
		}
		BUG_ON_MSG(used != p->inuse_pages, "swap area %d: %lu slots used, inuse_pages %lu",
			   i, used, p->inuse_pages);
		for (unsigned long o = 1; o < p->max; o++)
			BUG_ON_MSG(!p->swap_map[o] && (o < p->lowest_bit || o > p->highest_bit),
				   "swap area %d: free slot %lu outside [%lu, %lu]", i, o,
				   p->lowest_bit, p->highest_bit);
		free_total += (long)(p->pages - p->inuse_pages);
		spin_unlock(&p->sdev_lock);
	}
	BUG_ON_MSG(free_total != s->nr_swap_pages, "nr_swap_pages %ld, free slots %ld",
		   s->nr_swap_pages, free_total);
	spin_unlock(&s->swaplock);
	return true;
}

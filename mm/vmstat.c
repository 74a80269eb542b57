/*
 * Statistics tables and the renderers of /proc/vmstat, /proc/buddyinfo
 * and /proc/zoneinfo in Linux's formats (mm/vmstat.c).  Every printer
 * walks the same two tables (zone items, events) declared in
 * include/kern/vmstat.h.
 */
#include "kern/mm.h"
#include "kern/reclaim_policy.h"

const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS] = { ZONE_STAT_NAMES };
const char *const vm_event_names[NR_VM_EVENT_ITEMS] = { VM_EVENT_NAMES };

_Static_assert(sizeof((const char *[]){ ZONE_STAT_NAMES }) / sizeof(char *) ==
	       NR_VM_ZONE_STAT_ITEMS, "zone_stat_names out of step with enum zone_stat_item");
_Static_assert(sizeof((const char *[]){ VM_EVENT_NAMES }) / sizeof(char *) ==
	       NR_VM_EVENT_ITEMS, "vm_event_names out of step with enum vm_event_item");

unsigned long sum_vm_event(struct machine *m, enum vm_event_item item)
{
	unsigned long sum = 0;

	for (int i = 0; i < m->nr_cpus; i++)
		sum += atomic_load_explicit(&m->cpu[i].events[item], memory_order_relaxed);
	/* the TLB's hits and misses are counted by the hardware itself */
	if (item == TLB_HIT)
		sum += hw_pmc_sum(&m->hw, PMC_TLB_HIT);
	else if (item == TLB_MISS)
		sum += hw_pmc_sum(&m->hw, PMC_TLB_MISS);
	return sum;
}

unsigned long global_page_state(struct machine *m, enum zone_stat_item item)
{
	long sum = 0;

	for (int n = 0; n < m->nr_nodes; n++)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			sum += zone_page_state(&m->node_data[n].node_zones[z], item);
	return sum < 0 ? 0 : (unsigned long)sum;
}

long zone_page_state(zone_t *z, enum zone_stat_item item)
{
	long x = atomic_load_explicit(&z->vm_stat[item], memory_order_relaxed);

	if (item == NR_FREE_PAGES)
		return x;
	for (int cpu = 0; cpu < z->zone_pgdat->machine->nr_cpus; cpu++)
		x += __atomic_load_n(&z->pageset[cpu].vm_stat_diff[item], __ATOMIC_RELAXED);
	return x;
}

#define for_each_populated_zone(m, n, j, zone)					\
	for (n = 0; n < (m)->nr_nodes; n++)					\
		for (j = 0; j < MAX_NR_ZONES; j++)				\
			if ((zone = &(m)->node_data[n].node_zones[j])->spanned_pages)

void show_vmstat(struct machine *m, struct seq_buf *s)
{
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		seq_printf(s, "%s %lu\n", zone_stat_names[i], global_page_state(m, i));
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		seq_printf(s, "%s %lu\n", vm_event_names[i], sum_vm_event(m, i));
	/* the reclaim policy's own counters follow Linux's */
	if (m->reclaim_policy && m->reclaim_policy->show_vmstat)
		m->reclaim_policy->show_vmstat(m, s);
}

void show_buddyinfo(struct machine *m, struct seq_buf *s)
{
	int n, j;
	zone_t *zone;

	for_each_populated_zone(m, n, j, zone) {
		seq_printf(s, "Node %d, zone %8s ", n, zone->name);
		spin_lock(&zone->lock);
		for (int o = 0; o < MAX_ORDER; o++)
			seq_printf(s, "%6lu ", zone->free_area[o].nr_free);
		spin_unlock(&zone->lock);
		seq_putc(s, '\n');
	}
}

/*
 * protection[k]: how many pages beyond its own watermark this zone keeps
 * from an allocation whose preferred zone is k.  In 2.4 that is the
 * cumulative watermark of the zones tried before it (see __alloc_pages).
 */
static unsigned long zone_protection(pg_data_t *pgdat, int zone_idx, int k)
{
	unsigned long p = 0;

	for (int j = k; j > zone_idx; j--)
		p += pgdat->node_zones[j].pages_low;
	return p;
}

void show_zoneinfo(struct machine *m, struct seq_buf *s)
{
	int n, j;
	zone_t *zone;

	for_each_populated_zone(m, n, j, zone) {
		pg_data_t *pgdat = zone->zone_pgdat;

		seq_printf(s, "Node %d, zone %8s", n, zone->name);
		seq_printf(s, "\n  pages free     %lu", (unsigned long)zone_page_state(zone, NR_FREE_PAGES));
		seq_printf(s, "\n        boost    0");
		seq_printf(s, "\n        min      %lu", zone->pages_min);
		seq_printf(s, "\n        low      %lu", zone->pages_low);
		seq_printf(s, "\n        high     %lu", zone->pages_high);
		seq_printf(s, "\n        spanned  %lu", zone->spanned_pages);
		seq_printf(s, "\n        present  %lu", zone->present_pages);
		seq_printf(s, "\n        managed  %lu", zone->managed_pages);
		seq_printf(s, "\n        cma      0");
		seq_printf(s, "\n        protection: (");
		for (int k = 0; k < MAX_NR_ZONES; k++)
			seq_printf(s, "%s%lu", k ? ", " : "",
				   k < j ? 0 : zone_protection(pgdat, j, k));
		seq_printf(s, ")");
		for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
			seq_printf(s, "\n      %-12s %ld", zone_stat_names[i],
				   zone_page_state(zone, i));
		seq_printf(s, "\n  pagesets");
		for (int c = 0; c < m->nr_cpus; c++) {
			struct per_cpu_pages *pcp = &zone->pageset[c];

			seq_printf(s, "\n    cpu: %i", c);
			seq_printf(s, "\n              count:    %i", pcp_count(pcp));
			seq_printf(s, "\n              high:     %i", m->cfg.pcp ? pcp->high : 0);
			seq_printf(s, "\n              batch:    %i", m->cfg.pcp ? pcp->batch : 1);
		}
		seq_printf(s, "\n  node_unreclaimable:  %u", 0u);
		seq_printf(s, "\n  start_pfn:           %lu", zone->zone_start_pfn);
		seq_putc(s, '\n');
	}
}

/*
 * The simulated machine's kernel-side helpers: binding a host thread to a
 * CPU (cpu_enter/cpu_leave), event and zone counter sums, the machine's
 * random numbers, and the accounting checks (machine_drain).  Boot and the
 * public calls are in api/machine.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kern/mm.h"
#include "kern/pgtable.h"
#include "kern/slab.h"
#include "kern/swap.h"
#include "kern/fs.h"
#include "kern/sched.h"
#include "kern/printk.h"
#include "kern/vmscan.h"
#include "kern/highmem.h"
#include "kern/vmalloc.h"
#include "kern/writeback.h"

__tls struct sim_cpu *__this_cpu;

/* --- CPUs ----------------------------------------------------------------- */

struct sim_cpu *cpu_enter(struct machine *m)
{
	struct sim_cpu *saved = __this_cpu;

	if (!saved || saved->machine != m)
		__this_cpu = &m->cpu[0];
	return saved;
}

void cpu_leave(struct sim_cpu *saved)
{
	__this_cpu = saved;
}

unsigned long sum_vm_event(struct machine *m, enum vm_event_item item)
{
	unsigned long sum = 0;

	for (int i = 0; i < m->nr_cpus; i++)
		sum += atomic_load_explicit(&m->cpu[i].events[item], memory_order_relaxed);
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

uint64_t splitmix64_mix(uint64_t x)
{
	uint64_t z = x + 0x9E3779B97F4A7C15ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/*
 * splitmix64 is counter based: the state only ever advances by the golden
 * gamma, so one atomic fetch_add hands each caller its own step, whatever
 * CPU it runs on, and a single CPU sees the same sequence as ever.
 */
uint64_t machine_random(struct machine *m)
{
	uint64_t z = __atomic_fetch_add(&m->rng_state, 0x9E3779B97F4A7C15ULL, __ATOMIC_RELAXED);

	return splitmix64_mix(z);
}

/* --- boot ----------------------------------------------------------------- */

void machine_drain(struct machine *m)
{
	struct sim_cpu *saved = cpu_enter(m);

	if (m->slab_drain)
		m->slab_drain(m);
	drain_all_pages(m);
	cpu_leave(saved);
}

bool machine_accounting_is_exact(struct machine *m, char *why, size_t whylen)
{
	unsigned long free_now, objs = 0;

	machine_drain(m);
	/* pages held by swap areas' maps count as free: swapon/swapoff move them */
	free_now = nr_free_pages(m) + swap_map_pages(m) - m->boot_swap_map_pages;
	if (m->slab_active_objs)
		objs = m->slab_active_objs(m);
	if (free_now != m->boot_free_pages) {
		snprintf(why, whylen, "free pages %lu, at boot %lu (%ld lost)", free_now,
			 m->boot_free_pages, (long)(m->boot_free_pages - free_now));
		return false;
	}
	if (objs != m->boot_slab_objs) {
		snprintf(why, whylen, "live slab objects %lu, at boot %lu", objs,
			 m->boot_slab_objs);
		return false;
	}
	return true;
}


/*
 * start_kernel: the one boot sequence of the simulated kernel, in the
 * order of Linux's init/main.c, and stop_kernel, its teardown in reverse;
 * the accounting snapshot taken at the end of boot and the checks against
 * it (machine_accounting_is_exact).
 *
 * One difference from Linux: paging_init runs after the buddy allocator
 * is up (kmem_cache_init), because the kernel's page tables here are
 * ordinary frames from alloc_pages rather than bootmem, counted and freed
 * like every other table page.
 */
#include <stdio.h>
#include <string.h>
#include "kern/mm.h"
#include "kern/init.h"
#include "kern/mman.h"
#include "kern/pgtable.h"
#include "kern/slab.h"
#include "kern/swap.h"
#include "kern/fs.h"
#include "kern/chrdev.h"
#include "kern/sched.h"
#include "kern/printk.h"
#include "kern/vmscan.h"
#include "kern/reclaim_policy.h"
#include "kern/highmem.h"
#include "kern/vmalloc.h"
#include "kern/writeback.h"
#include "kern/buffer_head.h"

/* The kernel's part of each CPU: its node, its zonelists, its pcp switch. */
static void smp_prepare_cpus(struct machine *m)
{
	for (int i = 0; i < m->nr_cpus; i++) {
		m->cpu[i].id = i;
		/* cpu_nodes=, else equal blocks: nodes=2 cpus=4 puts CPUs 0-1 on node 0 */
		m->cpu[i].node = m->cfg.cpu_nodes_count ? m->cfg.cpu_nodes[i] :
				 i * m->nr_nodes / m->nr_cpus;
		m->cpu[i].machine = m;
		m->cpu[i].hw = &m->hw.cpu[i];
		m->cpu[i].zonelists = m->node_data[m->cpu[i].node].node_zonelists;
		m->cpu[i].pcp = m->cfg.pcp;
		m->cpu[i].numa_rr = m->cfg.numa == VMSIM_NUMA_ROUNDROBIN && m->nr_nodes > 1;
	}
}

/* Swap, files, tasks and the kernel threads: everything above the page allocator. */
static int rest_init(struct machine *m)
{
	lru_init(m);
	if (reclaim_policy_init(m))		/* mm/reclaim_policy.c: cfg's policy on the lists */
		return -1;
	if (swap_init(m))
		return -1;
	if (m->cfg.swap_bytes) {
		int err = sys_swapon(m, m->cfg.swap_path[0] ? m->cfg.swap_path : NULL,
				     m->cfg.swap_bytes, -1);

		if (err < 0) {
			m->boot_errno = -err;
			snprintf(m->boot_error, sizeof(m->boot_error), "%s", m->swap->error[0] ?
				 m->swap->error : strerror(-err));
			return -1;
		}
	}
	if (fs_init(m))				/* fs/inode.c: inodes, files, page-cache caches */
		return -1;
	if (chrdev_init(m))			/* fs/char_dev.c: the drivers built in */
		return -1;
	if (task_init(m))			/* kernel/task.c: pid table (slab caches above) */
		return -1;
	if (vmscan_init(m))			/* mm/vmscan.c: swap cache, kswapd, OOM (needs fs, tasks) */
		return -1;
	if (writeback_init(m))			/* mm/page-writeback.c: dirty limits, pdflush */
		return -1;
	if (buffer_init(m))			/* fs/buffer.c: buffer cache, bdflush, kupdated */
		return -1;
	if (blkdev_init(m))			/* fs/block_dev.c: the disks of disk= */
		return -1;
	return 0;
}

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
	if (!vm_committed_check(m, why, whylen))
		return false;
	if (m->swap && m->swap->nr_swap_pages != m->swap->total_swap_pages) {
		snprintf(why, whylen, "swap slots in use %ld",
			 m->swap->total_swap_pages - m->swap->nr_swap_pages);
		return false;
	}
	return true;
}

/* Boot is over: the accounting snapshot the exact-accounting checks compare with. */
static void boot_snapshot(struct machine *m)
{
	machine_drain(m);
	m->booted = true;
	for (int i = 0; i < m->nr_cpus; i++)
		m->cpu[i].fail_page_alloc_armed = m->cfg.fail_page_alloc_nth != 0;
	m->boot_free_pages = nr_free_pages(m);
	m->boot_swap_map_pages = swap_map_pages(m);
	m->boot_slab_objs = m->slab_active_objs ? m->slab_active_objs(m) : 0;
}

int start_kernel(struct machine *m)
{
	struct sim_cpu *saved;
	int err = -1;

	setup_arch(m);				/* memory map, bootmem, mem_map */
	smp_prepare_cpus(m);
	trap_init(m);				/* page fault, IPI, #GP; cpu_init: GDT */
	saved = cpu_enter(m);
	free_area_init(m);			/* nodes and zones over mem_map */
	m->totalram_pages = free_all_bootmem(m);	/* mem_init: frames to the buddy allocator */
	build_all_zonelists(m);
	setup_per_zone_pages_min(m);
	if (kmem_cache_init(m))			/* mm/slab.c: needs the buddy allocator */
		goto out;
	if (paging_init(m))			/* init_mm, the direct map, ZERO_PAGE */
		goto out;
	if (highmem_init(m))			/* mm/highmem.c: pkmap and fixmap tables */
		goto out;
	if (vmalloc_init(m))			/* mm/vmalloc.c: the vmalloc range */
		goto out;
	if (rest_init(m))
		goto out;
	overcommit_init(m);			/* mm/util.c: sysctls, the reserves */
	boot_snapshot(m);
	err = 0;
out:
	cpu_leave(saved);
	return err;
}

/*
 * Every process has exited: pages, slab objects and swap slots are all
 * back (swap-cache pages nobody uses, left by a race, go first).  A leak
 * is a broken invariant: a BUG, in the release build too.
 */
static void exit_accounting_check(struct machine *m)
{
	char why[256];

	if (!m->booted || m->exit_unchecked)
		return;
	swap_cache_sweep(m);
	BUG_ON_MSG(!machine_accounting_is_exact(m, why, sizeof(why)),
		   "machine teardown: after every process exited, %s", why);
}

void stop_kernel(struct machine *m)
{
	struct sim_cpu *saved = cpu_enter(m);

	task_fini(m);				/* every task exits: exact accounting */
	chrdev_unload_modules(m);		/* modules loaded since boot: their memory back */
	exit_accounting_check(m);
	blkdev_exit(m);				/* every device closed: its bd_inode goes */
	buffer_fini(m);				/* every buffer_head is back */
	writeback_fini(m);			/* no task left to dirty a page */
	vmscan_fini(m);				/* the swap cache is empty once the tasks are gone */
	fs_fini(m);				/* after the tasks: every file is closed */
	chrdev_exit(m);				/* every module unloaded: its memory back */
	swap_fini(m);
	reclaim_policy_exit(m);			/* every page has left the LRU */
	vmalloc_exit(m);
	highmem_exit(m);
	paging_exit(m);
	free_area_fini(m);
	printk_fini(m);
	cpu_leave(saved);
}

/*
 * The public machine calls: create (boot) and destroy a machine, its
 * configuration, swapon at run time, and binding a host thread to one of
 * its CPUs.
 *
 * Physical memory map at boot, as a PC BIOS and Linux's setup leave it:
 *   pfn 0              real-mode IVT and BIOS data          reserved
 *   0x9f000-0x100000   EBDA and the ISA hole (VGA, ROMs)    reserved
 *   1 MiB              kernel image (_text .. _end)          reserved
 *   after the kernel   bootmem bitmap, then mem_map          reserved
 *   the rest           handed to the buddy allocator by free_all_bootmem()
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

#define KERNEL_IMAGE_START	0x100000UL	/* 1 MiB */
#define KERNEL_IMAGE_SIZE	0x200000UL	/* 2 MiB of text and data */
#define ISA_HOLE_START		0x9f000UL
#define ISA_HOLE_END		0x100000UL
#define MAXMEM_32		(896UL << 20)	/* end of the direct map on i386/PAE */

void vmsim_cpu_attach(vmsim_machine_t *m, int cpu)
{
	BUG_ON_MSG(cpu < 0 || cpu >= m->nr_cpus, "attach to cpu %d of %d", cpu, m->nr_cpus);
	__this_cpu = &m->cpu[cpu];
}

void vmsim_cpu_detach(void)
{
	__this_cpu = NULL;
}

static void setup_memory_layout(struct machine *m)
{
	m->ram_size = m->cfg.ram_bytes;
	m->max_pfn = (unsigned long)(m->ram_size >> PAGE_SHIFT);
	if (m->cfg.paging == VMSIM_PAGING_X86_64)
		m->max_low_pfn = m->max_pfn;
	else
		m->max_low_pfn = min(m->max_pfn, MAXMEM_32 >> PAGE_SHIFT);
	m->highstart_pfn = m->max_low_pfn;
	m->nr_nodes = m->cfg.nodes;
	m->nr_cpus = m->cfg.cpus;
	m->rng_state = m->cfg.seed;
}

static void setup_cpus(struct machine *m)
{
	for (int i = 0; i < m->nr_cpus; i++) {
		m->cpu[i].id = i;
		m->cpu[i].node = i % m->nr_nodes;	/* CPUs spread over the nodes */
		m->cpu[i].machine = m;
		m->cpu[i].zonelists = m->node_data[m->cpu[i].node].node_zonelists;
		m->cpu[i].pcp = m->cfg.pcp;
	}
}

vmsim_machine_t *vmsim_machine_create(const struct vmsim_config *cfg)
{
	char err[128];
	struct machine *m;
	struct sim_cpu *saved;

	if (!cfg || vmsim_config_validate(cfg, err, sizeof(err))) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	m->cfg = *cfg;
	setup_memory_layout(m);
	/* Untouched RAM costs the host nothing until a frame is first written. */
	m->ram = mmap(NULL, m->ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->ram == MAP_FAILED) {
		free(m);
		errno = ENOMEM;
		return NULL;
	}
	setup_cpus(m);
	saved = cpu_enter(m);

	init_bootmem(m);
	reserve_bootmem(m, 0, PAGE_SIZE);
	reserve_bootmem(m, ISA_HOLE_START, ISA_HOLE_END - ISA_HOLE_START);
	reserve_bootmem(m, KERNEL_IMAGE_START, KERNEL_IMAGE_SIZE);
	m->kernel_code_pages = KERNEL_IMAGE_SIZE >> PAGE_SHIFT;
	m->mem_map = alloc_bootmem_pages(m, (phys_addr_t)m->max_pfn * sizeof(struct page));
	free_area_init(m);
	m->totalram_pages = free_all_bootmem(m);
	build_all_zonelists(m);
	setup_per_zone_pages_min(m);

	/* --- subsystem init: each subsystem adds its call here, in order --- */
	if (kmem_cache_init(m))			/* mm/slab.c: needs the buddy allocator */
		goto fail_boot;
	if (paging_init(m))			/* arch/sim/pgtable.c: init_mm, ZERO_PAGE, TLBs */
		goto fail_boot;
	if (highmem_init(m))			/* mm/highmem.c: pkmap and fixmap tables */
		goto fail_boot;
	if (vmalloc_init(m))			/* mm/vmalloc.c: the vmalloc range */
		goto fail_boot;
	lru_init(m);
	if (swap_init(m))
		goto fail_boot;
	if (m->cfg.swap_bytes &&
	    sys_swapon(m, m->cfg.swap_path[0] ? m->cfg.swap_path : NULL, m->cfg.swap_bytes, -1) < 0)
		goto fail_boot;
	if (fs_init(m))				/* fs/inode.c: inodes, files, page-cache caches */
		goto fail_boot;
	if (task_init(m))			/* kernel/task.c: pid table (slab caches above) */
		goto fail_boot;
	if (vmscan_init(m))			/* mm/vmscan.c: swap cache, kswapd, OOM (needs fs, tasks) */
		goto fail_boot;
	if (writeback_init(m))			/* mm/page-writeback.c: dirty limits, pdflush */
		goto fail_boot;

	/* --- end of subsystem init --- */

	machine_drain(m);
	m->booted = true;
	for (int i = 0; i < m->nr_cpus; i++)
		m->cpu[i].fail_page_alloc_armed = m->cfg.fail_page_alloc_nth != 0;
	m->boot_free_pages = nr_free_pages(m);
	m->boot_swap_map_pages = swap_map_pages(m);
	m->boot_slab_objs = m->slab_active_objs ? m->slab_active_objs(m) : 0;
	cpu_leave(saved);
	return m;

fail_boot:
	cpu_leave(saved);
	vmsim_machine_destroy(m);
	errno = EIO;
	return NULL;
}

void vmsim_machine_destroy(vmsim_machine_t *m)
{
	struct sim_cpu *saved;

	if (!m)
		return;
	saved = cpu_enter(m);

	/* --- subsystem teardown: reverse order of init --- */
	task_fini(m);				/* every task exits: exact accounting */
	writeback_fini(m);			/* no task left to dirty a page */
	vmscan_fini(m);				/* the swap cache is empty once the tasks are gone */
	fs_fini(m);				/* after the tasks: every file is closed */
	swap_fini(m);
	vmalloc_exit(m);
	highmem_exit(m);
	paging_exit(m);
	free_area_fini(m);

	/* --- end of subsystem teardown --- */
	printk_fini(m);

	cpu_leave(saved);
	if (__this_cpu && __this_cpu->machine == m)
		__this_cpu = NULL;
	munmap(m->ram, m->ram_size);
	free(m);
}

int vmsim_swapon(vmsim_machine_t *m, const char *path, uint64_t bytes, int prio)
{
	struct sim_cpu *saved = cpu_enter(m);
	int ret = sys_swapon(m, path, bytes, prio);

	cpu_leave(saved);
	return ret;
}

const struct vmsim_config *vmsim_machine_config(const vmsim_machine_t *m)
{
	return &m->cfg;
}

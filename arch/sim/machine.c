/*
 * The simulated machine: configuration (defaults, parsing, validation),
 * boot (RAM, bootmem, mem_map, nodes and zones, CPUs, then every
 * subsystem's init in dependency order) and teardown.
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
#include <strings.h>
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

__tls struct sim_cpu *__this_cpu;

/* --- configuration ------------------------------------------------------ */

void vmsim_config_default(struct vmsim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_bytes = 128ULL << 20;
	cfg->nodes = 1;
	cfg->paging = VMSIM_PAGING_X86_64;
	cfg->cpus = 1;
	cfg->seed = 1;
	cfg->tlb_entries = 64;
	cfg->tlb_ways = 4;
	cfg->pcp = true;
	cfg->reclaim = VMSIM_RECLAIM_24_10;
	cfg->dirty_background_ratio = 10;
	cfg->dirty_ratio = 40;
	cfg->dirty_expire_centisecs = 3000;
	cfg->dirty_writeback_centisecs = 500;
	cfg->page_cluster = -1;
	cfg->fault_around_bytes = 65536;
}

int vmsim_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (*end)
		return -1;
	if (shift && v > (~0ULL >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	uint64_t v;

	if (vmsim_parse_size(s, &v) || v > (uint64_t)hi || (long)v < lo)
		return -1;
	*out = (long)v;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	if (!strcasecmp(s, "on") || !strcmp(s, "1") || !strcasecmp(s, "yes") ||
	    !strcasecmp(s, "true")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(s, "off") || !strcmp(s, "0") || !strcasecmp(s, "no") ||
	    !strcasecmp(s, "false")) {
		*out = false;
		return 0;
	}
	return -1;
}

int vmsim_config_set(struct vmsim_config *cfg, const char *key, const char *value,
		     char *err, size_t errlen)
{
	long n;

	if (!key || !value) {
		snprintf(err, errlen, "missing option name or value");
		return -1;
	}
	if (!strcmp(key, "ram")) {
		if (vmsim_parse_size(value, &cfg->ram_bytes))
			goto bad;
	} else if (!strcmp(key, "nodes")) {
		if (parse_int(value, 1, VMSIM_MAX_NODES, &n))
			goto bad;
		cfg->nodes = (int)n;
	} else if (!strcmp(key, "paging")) {
		if (!strcmp(value, "i386"))
			cfg->paging = VMSIM_PAGING_I386;
		else if (!strcmp(value, "pae"))
			cfg->paging = VMSIM_PAGING_PAE;
		else if (!strcmp(value, "x86_64") || !strcmp(value, "x86-64"))
			cfg->paging = VMSIM_PAGING_X86_64;
		else
			goto bad;
	} else if (!strcmp(key, "cpus")) {
		if (parse_int(value, 1, VMSIM_MAX_CPUS, &n))
			goto bad;
		cfg->cpus = (int)n;
	} else if (!strcmp(key, "seed")) {
		uint64_t v;
		if (vmsim_parse_size(value, &v))
			goto bad;
		cfg->seed = v;
	} else if (!strcmp(key, "tlb")) {
		if (parse_int(value, 1, 65536, &n))
			goto bad;
		cfg->tlb_entries = (int)n;
	} else if (!strcmp(key, "tlbways")) {
		if (parse_int(value, 1, 65536, &n))
			goto bad;
		cfg->tlb_ways = (int)n;
	} else if (!strcmp(key, "pcp")) {
		if (parse_bool(value, &cfg->pcp))
			goto bad;
	} else if (!strcmp(key, "reclaim")) {
		if (!strcmp(value, "2.4.10"))
			cfg->reclaim = VMSIM_RECLAIM_24_10;
		else if (!strcmp(value, "2.4.0"))
			cfg->reclaim = VMSIM_RECLAIM_24_0;
		else
			goto bad;
	} else if (!strcmp(key, "spcheck")) {
		if (parse_bool(value, &cfg->stack_sp_check))
			goto bad;
	} else if (!strcmp(key, "swap")) {
		if (vmsim_parse_size(value, &cfg->swap_bytes))
			goto bad;
	} else if (!strcmp(key, "swapfile")) {
		if (strlen(value) >= sizeof(cfg->swap_path))
			goto bad;
		snprintf(cfg->swap_path, sizeof(cfg->swap_path), "%s", value);
	} else if (!strcmp(key, "fail_page_alloc")) {
		if (vmsim_parse_size(value, &cfg->fail_page_alloc_nth))
			goto bad;
	} else if (!strcmp(key, "fail_slab")) {
		if (vmsim_parse_size(value, &cfg->fail_slab_nth))
			goto bad;
	} else if (!strcmp(key, "dirty_background_ratio")) {
		if (parse_int(value, 0, 100, &n))
			goto bad;
		cfg->dirty_background_ratio = (int)n;
	} else if (!strcmp(key, "dirty_ratio")) {
		if (parse_int(value, 1, 100, &n))
			goto bad;
		cfg->dirty_ratio = (int)n;
	} else if (!strcmp(key, "dirty_expire_centisecs")) {
		if (parse_int(value, 0, 100000000, &n))
			goto bad;
		cfg->dirty_expire_centisecs = (unsigned int)n;
	} else if (!strcmp(key, "dirty_writeback_centisecs")) {
		if (parse_int(value, 0, 100000000, &n))
			goto bad;
		cfg->dirty_writeback_centisecs = (unsigned int)n;
	} else if (!strcmp(key, "page_cluster")) {
		if (parse_int(value, 0, 6, &n))
			goto bad;
		cfg->page_cluster = (int)n;
	} else if (!strcmp(key, "fault_around_bytes")) {
		/* a power of two pages, at most a PTE table's worth (Linux's debugfs knob) */
		if (parse_int(value, 0, 2 << 20, &n) || (n && (n < 4096 || (n & (n - 1)))))
			goto bad;
		cfg->fault_around_bytes = (unsigned int)n;
	} else {
		snprintf(err, errlen, "unknown machine option '%s'", key);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad value '%s' for machine option '%s'", value, key);
	return -1;
}

int vmsim_config_validate(const struct vmsim_config *cfg, char *err, size_t errlen)
{
	if (cfg->ram_bytes < (16ULL << 20) || cfg->ram_bytes > (16ULL << 30)) {
		snprintf(err, errlen, "ram must be between 16M and 16G");
		return -1;
	}
	if (cfg->ram_bytes & ((4ULL << 20) - 1)) {
		snprintf(err, errlen, "ram must be a multiple of 4M (the largest buddy block)");
		return -1;
	}
	if (cfg->paging == VMSIM_PAGING_I386 && cfg->ram_bytes > (4ULL << 30)) {
		snprintf(err, errlen, "paging=i386 addresses at most 4G of RAM (use pae)");
		return -1;
	}
	if (cfg->nodes < 1 || cfg->nodes > VMSIM_MAX_NODES ||
	    cfg->ram_bytes / (uint64_t)cfg->nodes < (16ULL << 20)) {
		snprintf(err, errlen, "nodes must be 1..%d with at least 16M each",
			 VMSIM_MAX_NODES);
		return -1;
	}
	if (cfg->swap_bytes && (cfg->swap_bytes < 10 * 4096 || cfg->swap_bytes > (64ULL << 30))) {
		snprintf(err, errlen, "swap must be between 40K and 64G");
		return -1;
	}
	if (cfg->cpus < 1 || cfg->cpus > VMSIM_MAX_CPUS) {
		snprintf(err, errlen, "cpus must be 1..%d", VMSIM_MAX_CPUS);
		return -1;
	}
	if (cfg->tlb_entries < 1 || cfg->tlb_ways < 1 || cfg->tlb_ways > cfg->tlb_entries ||
	    (cfg->tlb_entries & (cfg->tlb_entries - 1)) || (cfg->tlb_ways & (cfg->tlb_ways - 1))) {
		snprintf(err, errlen, "tlb entries and ways must be powers of two, ways <= entries");
		return -1;
	}
	if (cfg->dirty_background_ratio < 0 || cfg->dirty_background_ratio > 100 ||
	    cfg->dirty_ratio < 1 || cfg->dirty_ratio > 100) {
		snprintf(err, errlen, "dirty_background_ratio must be 0..100, dirty_ratio 1..100");
		return -1;
	}
	if (cfg->page_cluster < -1 || cfg->page_cluster > 6) {
		snprintf(err, errlen, "page_cluster must be 0..6");
		return -1;
	}
	return 0;
}

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

void vmsim_cpu_attach(vmsim_machine_t *m, int cpu)
{
	BUG_ON_MSG(cpu < 0 || cpu >= m->nr_cpus, "attach to cpu %d of %d", cpu, m->nr_cpus);
	__this_cpu = &m->cpu[cpu];
}

void vmsim_cpu_detach(void)
{
	__this_cpu = NULL;
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

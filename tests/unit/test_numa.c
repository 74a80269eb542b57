/*
 * Nodes for real: each node's mem_map and bootmem in its own RAM, CPUs on
 * nodes, zonelists by distance (Linux's find_next_best_node), numastat's
 * arithmetic, numa=roundrobin, and the memory policies' results and errno
 * (set_mempolicy, mbind, get_mempolicy) against what the host kernel
 * returns for the same calls on a one-node machine.
 */
#include <errno.h>
#include <stdlib.h>
#include "unit/testlib.h"
#include "kern/mempolicy.h"
#include "kern/sched.h"
#include "vmsim/process.h"

#define ADDR	0x10000000UL
#define RW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
#define ANON	(VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_FIXED)

static bool in_node(struct machine *m, int nid, const void *p)
{
	pg_data_t *pgdat = &m->node_data[nid];
	unsigned long pfn = (unsigned long)(virt_to_phys(m, p) >> PAGE_SHIFT);

	return pfn >= pgdat->node_start_pfn &&
	       pfn < pgdat->node_start_pfn + pgdat->node_spanned_pages;
}

TEST(numa_mem_map_on_its_node)
{
	struct machine *m = test_boot("ram=64M nodes=2 cpus=4");

	for (int n = 0; n < 2; n++) {
		pg_data_t *pgdat = &m->node_data[n];
		struct page *end = pgdat->node_mem_map + pgdat->node_spanned_pages - 1;

		ASSERT(in_node(m, n, pgdat->node_mem_map));
		ASSERT(in_node(m, n, end));
		ASSERT_NULL(pgdat->bdata);			/* bootmem gone after boot */
		for (int j = 0; j < MAX_NR_ZONES; j++)
			if (pgdat->node_zones[j].spanned_pages)
				ASSERT_EQ(pgdat->node_zones[j].zone_pgdat, pgdat);
	}
	/* node 1 keeps exactly its mem_map reserved (its bootmem map was freed) */
	ASSERT_EQ(m->node_data[1].node_spanned_pages - m->node_data[1].node_zones[ZONE_NORMAL].managed_pages,
		  m->node_data[1].node_spanned_pages * sizeof(struct page) / PAGE_SIZE);
	for (unsigned long pfn = 0; pfn < m->max_pfn; pfn++) {
		struct page *page = pfn_to_page(m, pfn);

		ASSERT_EQ(page_to_pfn(page), pfn);
		ASSERT_EQ(page_to_nid(page), pfn_to_nid(m, pfn));
	}
	ASSERT_EQ(pfn_to_nid(m, m->node_data[1].node_start_pfn), 1);
	ASSERT_EQ(pfn_to_nid(m, m->node_data[1].node_start_pfn - 1), 0);
	test_shutdown(m);
}

TEST(numa_single_node_layout_unchanged)
{
	struct machine *m = test_boot("ram=256M");

	/* one node: mem_map is node 0's, above 16 MiB as ever */
	ASSERT_EQ(m->mem_map, m->node_data[0].node_mem_map);
	ASSERT_CMP(virt_to_phys(m, m->mem_map), >=, 16UL << 20);
	ASSERT_EQ(m->node_data[0].node_spanned_pages, m->max_pfn);
	test_shutdown(m);
}

TEST(numa_cpus_on_nodes)
{
	struct machine *m = test_boot("ram=64M nodes=2 cpus=4");
	struct vmsim_config cfg;
	char err[160];

	for (int c = 0; c < 4; c++)
		ASSERT_EQ(m->cpu[c].node, c / 2);
	test_shutdown(m);
	m = test_boot("ram=64M nodes=2 cpus=3 cpu_nodes=1,0,1");
	ASSERT_EQ(m->cpu[0].node, 1);
	ASSERT_EQ(m->cpu[1].node, 0);
	ASSERT_EQ(m->cpu[2].node, 1);
	/* CPU 0 allocates on node 1 */
	{
		struct page *p = alloc_page(GFP_KERNEL);

		ASSERT_EQ(page_to_nid(p), 1);
		__free_page(p);
	}
	test_shutdown(m);
	vmsim_config_default(&cfg);
	ASSERT_EQ(vmsim_config_set(&cfg, "cpu_nodes", "0,x", err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_config_set(&cfg, "cpu_nodes", "0,8", err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_config_set(&cfg, "numa", "far", err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_config_set(&cfg, "ram", "64M", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_set(&cfg, "nodes", "2", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_set(&cfg, "cpu_nodes", "0,1", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_validate(&cfg, err, sizeof(err)), -1);	/* cpus=1 */
	ASSERT_CONTAINS(err, "cpu_nodes names 2 CPUs");
	ASSERT_EQ(vmsim_config_set(&cfg, "cpu_nodes", "2", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_validate(&cfg, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "CPU 0 on node 2");
}

/* The nodes of @nid's GFP_KERNEL zonelist, in order, without repeats. */
static int zonelist_nodes(struct machine *m, int nid, int *out)
{
	int n = 0;

	for (zone_t **zp = m->node_data[nid].node_zonelists[GFP_KERNEL & GFP_ZONEMASK].zones;
	     *zp; zp++)
		if (!n || out[n - 1] != (*zp)->zone_pgdat->node_id)
			out[n++] = (*zp)->zone_pgdat->node_id;
	return n;
}

TEST(numa_fallback_order)
{
	struct machine *m = test_boot("ram=256M nodes=4 cpus=4");
	int order[MAX_NUMNODES];

	/* flat distances: Linux's find_next_best_node gives n, n+1, ... round */
	for (int n = 0; n < 4; n++) {
		ASSERT_EQ(zonelist_nodes(m, n, order), 4);
		for (int d = 0; d < 4; d++)
			ASSERT_EQ(order[d], (n + d) % 4);
	}
	/* node 0 of the zonelists: Normal before DMA, its own zones first */
	ASSERT_EQ(m->node_data[0].node_zonelists[0].zones[0]->idx, ZONE_NORMAL);
	ASSERT_EQ(m->node_data[0].node_zonelists[0].zones[1]->idx, ZONE_DMA);
	test_shutdown(m);
	/* a node without CPUs is preferred among equals (PENALTY_FOR_NODE_WITH_CPUS) */
	m = test_boot("ram=96M nodes=3 cpus=2 cpu_nodes=0,2");
	ASSERT_EQ(zonelist_nodes(m, 2, order), 3);
	ASSERT_EQ(order[0], 2);
	ASSERT_EQ(order[1], 1);
	ASSERT_EQ(order[2], 0);
	ASSERT_EQ(zonelist_nodes(m, 0, order), 3);
	ASSERT_EQ(order[1], 1);
	test_shutdown(m);
}

static unsigned long numa_sum(struct machine *m, enum numa_stat_item item)
{
	unsigned long n = 0;

	for (int nid = 0; nid < m->nr_nodes; nid++)
		n += node_numa_state(m, nid, item);
	return n;
}

TEST(numa_numastat_arithmetic)
{
	struct machine *m = test_boot("ram=64M nodes=2 cpus=4");
	unsigned long hit0[2], miss0[2], nallocs, on[2] = { 0, 0 }, i;
	unsigned long sum0 = numa_sum(m, NUMA_HIT) + numa_sum(m, NUMA_MISS);
	unsigned long foreign0 = numa_sum(m, NUMA_FOREIGN), local0 = numa_sum(m, NUMA_LOCAL);
	unsigned long other0 = numa_sum(m, NUMA_OTHER);
	struct page **pages;

	for (int n = 0; n < 2; n++) {
		hit0[n] = node_numa_state(m, n, NUMA_HIT);
		miss0[n] = node_numa_state(m, n, NUMA_MISS);
	}
	/* more than node 0 has free: CPU 0's allocations spill to node 1 */
	nallocs = zone_free_pages(&m->node_data[0].node_zones[ZONE_NORMAL]) +
		  zone_free_pages(&m->node_data[0].node_zones[ZONE_DMA]) + 500;
	pages = calloc(nallocs, sizeof(*pages));
	for (i = 0; i < nallocs; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		ASSERT_NOT_NULL(pages[i]);
		on[page_to_nid(pages[i])]++;
	}
	ASSERT_CMP(on[1], >, 0);
	/* every allocation counted once: hit + miss, and local + other */
	ASSERT_EQ(numa_sum(m, NUMA_HIT) + numa_sum(m, NUMA_MISS) - sum0, nallocs);
	ASSERT_EQ(numa_sum(m, NUMA_LOCAL) + numa_sum(m, NUMA_OTHER) - local0 - other0, nallocs);
	/* a miss on one node is a foreign on the preferred one */
	ASSERT_EQ(numa_sum(m, NUMA_FOREIGN) - foreign0, numa_sum(m, NUMA_MISS) - miss0[0] - miss0[1]);
	ASSERT_EQ(node_numa_state(m, 0, NUMA_HIT) - hit0[0], on[0]);
	ASSERT_EQ(node_numa_state(m, 1, NUMA_MISS) - miss0[1], on[1]);
	ASSERT_EQ(node_numa_state(m, 1, NUMA_HIT), hit0[1]);
	for (i = 0; i < nallocs; i++)
		__free_page(pages[i]);
	free(pages);
	test_shutdown(m);
}

TEST(numa_roundrobin_alternates)
{
	struct machine *m = test_boot("ram=64M nodes=2 cpus=1 numa=roundrobin");
	struct page *p[8];

	for (int i = 0; i < 8; i++)
		p[i] = alloc_page(GFP_KERNEL);
	for (int i = 1; i < 8; i++)
		ASSERT_NE(page_to_nid(p[i]), page_to_nid(p[i - 1]));
	for (int i = 0; i < 8; i++)
		__free_page(p[i]);
	test_shutdown(m);
}

static int page_node(struct machine *m, int pid, unsigned long addr)
{
	int node = -1;

	ASSERT_EQ(vmsim_get_mempolicy(m, pid, &node, NULL, 0, addr,
				      VMSIM_MPOL_F_NODE | VMSIM_MPOL_F_ADDR), 0);
	return node;
}

TEST(numa_interleave_and_bind)
{
	struct machine *m = test_boot("ram=64M nodes=2 cpus=4");
	unsigned long both = 3, one = 2, il0 = numa_sum(m, NUMA_INTERLEAVE_HIT);
	int a = vmsim_spawn(m), b, mode = -1;
	unsigned long nodes = 0;

	ASSERT_EQ(vmsim_set_mempolicy(m, a, VMSIM_MPOL_INTERLEAVE, &both, 65), 0);
	ASSERT_EQ(vmsim_mmap(m, a, ADDR, 64 * PAGE_SIZE, RW, ANON, -1, 0), (long)ADDR);
	/* faults interleave by page offset: node = page index mod 2 */
	for (int i = 0; i < 64; i++)
		ASSERT_EQ(page_node(m, a, ADDR + i * PAGE_SIZE), (int)((ADDR >> PAGE_SHIFT) + i) % 2);
	ASSERT_CMP(numa_sum(m, NUMA_INTERLEAVE_HIT) - il0, >=, 64);
	/* numa_maps: the task's policy for a VMA without one, pages per node */
	{
		char *text = vmsim_proc_pid_read(m, a, "numa_maps");

		ASSERT_NOT_NULL(text);
		ASSERT_CONTAINS(text, "10000000 interleave:0-1 anon=64 dirty=64 active=0 N0=32 N1=32 "
				"kernelpagesize_kB=4\n");
		ASSERT_CONTAINS(text, " interleave:0-1 stack");
		free(text);
	}
	/* fork: the child inherits the policy */
	b = vmsim_fork(m, a);
	ASSERT_EQ(vmsim_get_mempolicy(m, b, &mode, &nodes, 65, 0, 0), 0);
	ASSERT_EQ(mode, VMSIM_MPOL_INTERLEAVE);
	ASSERT_EQ(nodes, 3);
	/* bind to node 1 from CPU 0: every page on node 1 */
	ASSERT_EQ(vmsim_set_mempolicy(m, b, VMSIM_MPOL_BIND, &one, 65), 0);
	ASSERT_EQ(vmsim_mmap(m, b, ADDR + (1UL << 20), 16 * PAGE_SIZE, RW, ANON, -1, 0),
		  (long)(ADDR + (1UL << 20)));
	for (int i = 0; i < 16; i++)
		ASSERT_EQ(page_node(m, b, ADDR + (1UL << 20) + i * PAGE_SIZE), 1);
	ASSERT_EQ(vmsim_exit(m, b), 0);
	ASSERT_EQ(vmsim_exit(m, a), 0);
	test_shutdown(m);
}

/* mbind on the middle of a VMA splits it in three; MPOL_DEFAULT merges it back. */
TEST(numa_mbind_split_and_merge)
{
	struct machine *m = test_boot("ram=64M nodes=2 cpus=4");
	unsigned long one = 2, nodes = 0;
	int a = vmsim_spawn(m), mode = -1;
	struct task_struct *t;
	int before;

	ASSERT_EQ(vmsim_mmap(m, a, ADDR, 16 * PAGE_SIZE, RW, ANON, -1, 0), (long)ADDR);
	t = find_get_task(m, a);
	before = t->mm->map_count;
	ASSERT_EQ(vmsim_mbind(m, a, ADDR + 4 * PAGE_SIZE, 4 * PAGE_SIZE, VMSIM_MPOL_BIND, &one, 65,
			      0), 0);
	ASSERT_EQ(t->mm->map_count, before + 2);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, &nodes, 65, ADDR + 5 * PAGE_SIZE,
				      VMSIM_MPOL_F_ADDR), 0);
	ASSERT_EQ(mode, VMSIM_MPOL_BIND);
	ASSERT_EQ(nodes, 2);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, &nodes, 65, ADDR, VMSIM_MPOL_F_ADDR), 0);
	ASSERT_EQ(mode, VMSIM_MPOL_DEFAULT);
	ASSERT_EQ(page_node(m, a, ADDR + 5 * PAGE_SIZE), 1);
	ASSERT_EQ(page_node(m, a, ADDR + 9 * PAGE_SIZE), 0);
	/* the same policy again changes nothing; a wider one merges with it */
	ASSERT_EQ(vmsim_mbind(m, a, ADDR + 4 * PAGE_SIZE, 4 * PAGE_SIZE, VMSIM_MPOL_BIND, &one, 65,
			      0), 0);
	ASSERT_EQ(t->mm->map_count, before + 2);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR, 16 * PAGE_SIZE, VMSIM_MPOL_DEFAULT, NULL, 0, 0), 0);
	ASSERT_EQ(t->mm->map_count, before);
	/* strict: the page on node 1 is not on node 0 (EIO, policy set all the same) */
	ASSERT_EQ(vmsim_mbind(m, a, ADDR, 16 * PAGE_SIZE, VMSIM_MPOL_BIND, &(unsigned long){ 1 },
			      65, VMSIM_MPOL_MF_STRICT), -EIO);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, NULL, 0, ADDR, VMSIM_MPOL_F_ADDR), 0);
	ASSERT_EQ(mode, VMSIM_MPOL_BIND);
	put_task_struct(t);
	ASSERT_EQ(vmsim_exit(m, a), 0);
	test_shutdown(m);
}

/*
 * Each call and its result on the host kernel (6.x, one node, run as
 * root), the same on a one-node machine; the only differences are
 * documented: MPOL_MF_MOVE/MOVE_ALL (the host migrates, 0) are -EINVAL.
 */
TEST(numa_mempolicy_errno_as_host)
{
	struct machine *m = test_boot("ram=64M");
	unsigned long m0 = 1, m01 = 3, m1 = 2, z = 0, m0_64[2] = { 0, 1 }, nm = 0;
	int a = vmsim_spawn(m), mode = -1;

	ASSERT_EQ(vmsim_set_mempolicy(m, a, 0, NULL, 0), 0);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 0, &m0, 64), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 2, &m0, 64), 0);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 2, &m0, 1), -EINVAL);	/* maxnode - 1 bits */
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 2, &m0, 2), 0);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 2, &m01, 64), 0);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 2, &m1, 64), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 2, &z, 64), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 2, NULL, 64), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 1, &z, 64), 0);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 1, &m1, 64), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 1, &m01, 64), 0);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 3, &m1, 64), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 3, &z, 64), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 4, NULL, 0), 0);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 4, &m0, 64), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 99, &m0, 64), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, -1, &m0, 64), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 2, m0_64, 128), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 2, &m0, 1UL << 40), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 2 | MPOL_F_STATIC_NODES, &m0, 64), 0);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 2 | MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES, &m0,
				      64), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 0, NULL, 0), 0);
	ASSERT_EQ(vmsim_mmap(m, a, ADDR, 8 * PAGE_SIZE, RW, ANON, -1, 0), (long)ADDR);
	ASSERT_EQ(vmsim_munmap(m, a, ADDR + 4 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR, 8192, 2, &m0, 64, 0), 0);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR + 1, 8192, 2, &m0, 64, 0), -EINVAL);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR, 0, 2, &m0, 64, 0), 0);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR, 4096, 2, &m0, 64, 0x100), -EINVAL);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR, 4096, 2, &m0, 64, 1), 0);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR, 4096, 2, &m0, 64, 2), -EINVAL);	/* host: 0 */
	ASSERT_EQ(vmsim_mbind(m, a, ADDR + 4 * PAGE_SIZE, 8192, 2, &m0, 64, 0), -EFAULT);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR + 3 * PAGE_SIZE, 8192, 2, &m0, 64, 0), -EFAULT);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR + 4 * PAGE_SIZE, 8192, 2, &m0, 64, 1), -EFAULT);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR, 4096, 0, &m0, 64, 0), -EINVAL);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR, 4096, 0, NULL, 0, 0), 0);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR, -4096UL, 2, &m0, 64, 0), -EINVAL);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR, 4096, 2, &z, 64, 0), -EINVAL);
	ASSERT_EQ(vmsim_mbind(m, a, ADDR, 8192, 3, &m0, 64, 0), 0);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, &nm, 64, 0, 0), 0);
	ASSERT_EQ(mode, 0);
	ASSERT_EQ(nm, 0);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, &nm, 64, ADDR, 2), 0);
	ASSERT_EQ(mode, 3);
	ASSERT_EQ(nm, 1);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, &nm, 64, ADDR + 3 * PAGE_SIZE, 2), 0);
	ASSERT_EQ(mode, 0);
	ASSERT_EQ(nm, 0);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, &nm, 64, ADDR + 5 * PAGE_SIZE, 2), -EFAULT);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, NULL, 0, ADDR, 3), 0);
	ASSERT_EQ(mode, 0);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, NULL, 0, 0, 1), -EINVAL);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, NULL, &nm, 64, 0, 4), 0);
	ASSERT_EQ(nm, 1);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, &nm, 1, 0, 0), 0);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, &nm, 0, 0, 0), -EINVAL);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, &nm, 64, 0, 0x40), -EINVAL);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, &nm, 64, ADDR, 0), -EINVAL);
	ASSERT_EQ(vmsim_set_mempolicy(m, a, 3, &m0, 64), 0);
	ASSERT_EQ(vmsim_get_mempolicy(m, a, &mode, NULL, 0, 0, 1), 0);
	ASSERT_EQ(mode, 0);
	ASSERT_EQ(vmsim_set_mempolicy(m, 999, 0, NULL, 0), -ESRCH);
	ASSERT_EQ(vmsim_exit(m, a), 0);
	test_shutdown(m);
}

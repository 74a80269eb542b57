/*
 * The node files of sysfs (Linux's drivers/base/node.c):
 * /sys/devices/system/node/nodeN/meminfo (the node's share of
 * /proc/meminfo, each line "Node N ...") and .../numastat (numastat's
 * counters, kern/mmzone.h), each read by its path through
 * vmsim_proc_read; and "numastat" / "node_meminfo", every node's file
 * after a "==> PATH <==" line as head(1) prints several.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "kern/mm.h"
#include "kern/swap.h"

#define NODE_DIR	"/sys/devices/system/node/node"

static unsigned long node_page_state(pg_data_t *pgdat, enum zone_stat_item item)
{
	long n = 0;

	for (int j = 0; j < MAX_NR_ZONES; j++)
		n += zone_page_state(&pgdat->node_zones[j], item);
	return n > 0 ? (unsigned long)n : 0;
}

static void node_kb(struct seq_buf *s, int nid, const char *label, unsigned long pages)
{
	seq_printf(s, "Node %d %-16s%8lu kB\n", nid, label, pages << (PAGE_SHIFT - 10));
}

/* node_read_meminfo: Linux's lines and widths, 6.x's set (no huge pages in use). */
static void show_node_meminfo(struct machine *m, int nid, struct seq_buf *s)
{
	pg_data_t *pgdat = &m->node_data[nid];
	zone_t *high = &pgdat->node_zones[ZONE_HIGHMEM];
	unsigned long total = 0, free = node_page_state(pgdat, NR_FREE_PAGES);
	unsigned long aa = node_page_state(pgdat, NR_ZONE_ACTIVE_ANON);
	unsigned long ia = node_page_state(pgdat, NR_ZONE_INACTIVE_ANON);
	unsigned long af = node_page_state(pgdat, NR_ZONE_ACTIVE_FILE);
	unsigned long inf = node_page_state(pgdat, NR_ZONE_INACTIVE_FILE);
	unsigned long sr = node_page_state(pgdat, NR_SLAB_RECLAIMABLE);
	unsigned long su = node_page_state(pgdat, NR_SLAB_UNRECLAIMABLE);
	static const char *const zero[] = { "SecPageTables:", "NFS_Unstable:", "Bounce:",
					    "WritebackTmp:" };
	static const char *const huge[] = { "AnonHugePages:", "ShmemHugePages:",
					    "ShmemPmdMapped:", "FileHugePages:", "FilePmdMapped:" };

	for (int j = 0; j < MAX_NR_ZONES; j++)
		total += pgdat->node_zones[j].managed_pages;
	node_kb(s, nid, "MemTotal:", total);
	node_kb(s, nid, "MemFree:", free);
	node_kb(s, nid, "MemUsed:", total - free);
	node_kb(s, nid, "SwapCached:", node_page_state(pgdat, NR_SWAPCACHE));
	node_kb(s, nid, "Active:", aa + af);
	node_kb(s, nid, "Inactive:", ia + inf);
	node_kb(s, nid, "Active(anon):", aa);
	node_kb(s, nid, "Inactive(anon):", ia);
	node_kb(s, nid, "Active(file):", af);
	node_kb(s, nid, "Inactive(file):", inf);
	node_kb(s, nid, "Unevictable:", node_page_state(pgdat, NR_ZONE_UNEVICTABLE));
	node_kb(s, nid, "Mlocked:", node_page_state(pgdat, NR_MLOCK));
	if (m->cfg.paging != VMSIM_PAGING_X86_64) {	/* as /proc/meminfo: HIGHMEM kernels */
		unsigned long hfree = (unsigned long)zone_page_state(high, NR_FREE_PAGES);

		node_kb(s, nid, "HighTotal:", high->managed_pages);
		node_kb(s, nid, "HighFree:", hfree);
		node_kb(s, nid, "LowTotal:", total - high->managed_pages);
		node_kb(s, nid, "LowFree:", free - hfree);
	}
	node_kb(s, nid, "Dirty:", node_page_state(pgdat, NR_FILE_DIRTY));
	node_kb(s, nid, "Writeback:", node_page_state(pgdat, NR_WRITEBACK));
	node_kb(s, nid, "FilePages:", node_page_state(pgdat, NR_FILE_PAGES));
	node_kb(s, nid, "Mapped:", node_page_state(pgdat, NR_FILE_MAPPED));
	node_kb(s, nid, "AnonPages:", node_page_state(pgdat, NR_ANON_PAGES));
	node_kb(s, nid, "Shmem:", node_page_state(pgdat, NR_SHMEM));
	node_kb(s, nid, "KernelStack:", node_page_state(pgdat, NR_KERNEL_STACK));
	node_kb(s, nid, "PageTables:", node_page_state(pgdat, NR_PAGETABLE));
	for (size_t i = 0; i < ARRAY_SIZE(zero); i++)
		node_kb(s, nid, zero[i], 0);
	node_kb(s, nid, "KReclaimable:", sr);
	node_kb(s, nid, "Slab:", sr + su);
	node_kb(s, nid, "SReclaimable:", sr);
	node_kb(s, nid, "SUnreclaim:", su);
	for (size_t i = 0; i < ARRAY_SIZE(huge); i++)
		node_kb(s, nid, huge[i], 0);
	seq_printf(s, "Node %d HugePages_Total: %5u\n", nid, 0u);
	seq_printf(s, "Node %d HugePages_Free:  %5u\n", nid, 0u);
	seq_printf(s, "Node %d HugePages_Surp:  %5u\n", nid, 0u);
}

static void show_node_numastat(struct machine *m, int nid, struct seq_buf *s)
{
	static const char *const names[NR_NUMA_STAT_ITEMS] = {
		[NUMA_HIT] = "numa_hit", [NUMA_MISS] = "numa_miss",
		[NUMA_FOREIGN] = "numa_foreign", [NUMA_INTERLEAVE_HIT] = "interleave_hit",
		[NUMA_LOCAL] = "local_node", [NUMA_OTHER] = "other_node",
	};

	for (int i = 0; i < NR_NUMA_STAT_ITEMS; i++)
		seq_printf(s, "%s %lu\n", names[i], node_numa_state(m, nid, (enum numa_stat_item)i));
}

static void show_every_node(struct machine *m, struct seq_buf *s, const char *file,
			    void (*show)(struct machine *, int, struct seq_buf *))
{
	for (int n = 0; n < m->nr_nodes; n++) {
		seq_printf(s, "%s==> " NODE_DIR "%d/%s <==\n", n ? "\n" : "", n, file);
		show(m, n, s);
	}
}

void show_numastat(struct machine *m, struct seq_buf *s)
{
	show_every_node(m, s, "numastat", show_node_numastat);
}

void show_nodes_meminfo(struct machine *m, struct seq_buf *s)
{
	show_every_node(m, s, "meminfo", show_node_meminfo);
}

/* NODE_DIR "N/meminfo" or "N/numastat": 0 rendered, -ENOENT no such file. */
int node_file_show(struct machine *m, const char *name, struct seq_buf *s)
{
	char file[16];
	int nid, len = 0;

	if (strncmp(name, NODE_DIR, strlen(NODE_DIR)) ||
	    sscanf(name + strlen(NODE_DIR), "%d/%15s%n", &nid, file, &len) != 2 ||
	    name[strlen(NODE_DIR) + (size_t)len] || nid < 0 || nid >= m->nr_nodes)
		return -ENOENT;
	if (!strcmp(file, "meminfo"))
		show_node_meminfo(m, nid, s);
	else if (!strcmp(file, "numastat"))
		show_node_numastat(m, nid, s);
	else
		return -ENOENT;
	return 0;
}

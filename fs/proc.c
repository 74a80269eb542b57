/*
 * The machine-wide /proc files: /proc/meminfo (fs/proc/meminfo.c in
 * Linux) and the name -> renderer table (proc_show) behind
 * vmsim_proc_read (api/proc.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kern/mm.h"
#include "kern/mman.h"
#include "kern/swap.h"
#include "kern/reclaim_policy.h"
#include "kern/printk.h"

#include "kern/slab.h"
#include "kern/tlb.h"
#include "kern/vmalloc.h"
#include "kern/writeback.h"
#include "kern/buffer_head.h"

static void show_val_kb(struct seq_buf *s, const char *label, unsigned long pages)
{
	seq_printf(s, "%-16s%8lu kB\n", label, pages << (PAGE_SHIFT - 10));
}

void show_meminfo(struct machine *m, struct seq_buf *s)
{
	unsigned long free = nr_free_pages(m);
	unsigned long file = global_page_state(m, NR_FILE_PAGES);
	unsigned long swapcache = global_page_state(m, NR_SWAPCACHE);
	unsigned long act_anon = global_page_state(m, NR_ZONE_ACTIVE_ANON);
	unsigned long inact_anon = global_page_state(m, NR_ZONE_INACTIVE_ANON);
	unsigned long act_file = global_page_state(m, NR_ZONE_ACTIVE_FILE);
	unsigned long inact_file = global_page_state(m, NR_ZONE_INACTIVE_FILE);
	unsigned long sreclaim = global_page_state(m, NR_SLAB_RECLAIMABLE);
	unsigned long sunreclaim = global_page_state(m, NR_SLAB_UNRECLAIMABLE);
	unsigned long buffers = nr_blockdev_pages(m);
	unsigned long reserve = 0, available, pagecache, swap_total, swap_free;
	int n, j;

	/* MemAvailable as Linux's si_mem_available(): free above the high
	 * watermarks, plus the page cache and reclaimable slab that could go. */
	for (n = 0; n < m->nr_nodes; n++)
		for (j = 0; j < MAX_NR_ZONES; j++)
			reserve += m->node_data[n].node_zones[j].pages_high;
	available = free > reserve ? free - reserve : 0;
	pagecache = act_file + inact_file;
	available += pagecache - min(pagecache / 2, reserve);
	available += sreclaim - min(sreclaim / 2, reserve);

	show_val_kb(s, "MemTotal:", m->totalram_pages);
	show_val_kb(s, "MemFree:", free);
	show_val_kb(s, "MemAvailable:", available);
	/* the block devices' page cache (fs/block_dev.c), as Linux's nr_blockdev_pages */
	show_val_kb(s, "Buffers:", buffers);
	show_val_kb(s, "Cached:", file > swapcache + buffers ? file - swapcache - buffers : 0);
	show_val_kb(s, "SwapCached:", swapcache);
	show_val_kb(s, "Active:", act_anon + act_file);
	show_val_kb(s, "Inactive:", inact_anon + inact_file);
	show_val_kb(s, "Active(anon):", act_anon);
	show_val_kb(s, "Inactive(anon):", inact_anon);
	show_val_kb(s, "Active(file):", act_file);
	show_val_kb(s, "Inactive(file):", inact_file);
	show_val_kb(s, "Unevictable:", global_page_state(m, NR_ZONE_UNEVICTABLE));
	show_val_kb(s, "Mlocked:", global_page_state(m, NR_MLOCK));
	if (m->cfg.paging != VMSIM_PAGING_X86_64) {
		show_val_kb(s, "HighTotal:", m->totalhigh_pages);
		show_val_kb(s, "HighFree:", nr_free_highpages(m));
		show_val_kb(s, "LowTotal:", m->totalram_pages - m->totalhigh_pages);
		show_val_kb(s, "LowFree:", free - nr_free_highpages(m));
	}
	si_swapinfo(m, &swap_total, &swap_free);
	show_val_kb(s, "SwapTotal:", swap_total);
	show_val_kb(s, "SwapFree:", swap_free);
	/* dirty file pages and dirty buffers (fs/buffer.c) */
	seq_printf(s, "%-16s%8lu kB\n", "Dirty:",
		   (global_page_state(m, NR_FILE_DIRTY) << (PAGE_SHIFT - 10)) +
		   nr_dirty_buffer_bytes(m) / 1024);
	show_val_kb(s, "Writeback:", global_page_state(m, NR_WRITEBACK));
	show_val_kb(s, "AnonPages:", global_page_state(m, NR_ANON_PAGES));
	show_val_kb(s, "Mapped:", global_page_state(m, NR_FILE_MAPPED));
	show_val_kb(s, "Shmem:", global_page_state(m, NR_SHMEM));
	show_val_kb(s, "KReclaimable:", sreclaim);
	show_val_kb(s, "Slab:", sreclaim + sunreclaim);
	show_val_kb(s, "SReclaimable:", sreclaim);
	show_val_kb(s, "SUnreclaim:", sunreclaim);
	show_val_kb(s, "KernelStack:", global_page_state(m, NR_KERNEL_STACK));
	show_val_kb(s, "PageTables:", global_page_state(m, NR_PAGETABLE));
	show_val_kb(s, "Bounce:", global_page_state(m, NR_BOUNCE));
	show_val_kb(s, "CommitLimit:", vm_commit_limit(m));
	show_val_kb(s, "Committed_AS:", vm_memory_committed(m));
	show_meminfo_vmalloc(m, s);	/* VmallocTotal, VmallocUsed, VmallocChunk */
}

/* /proc/swaps: one line per area, sizes in kB, as Linux prints them. */
static void show_swaps(struct machine *m, struct seq_buf *s)
{
	struct swap_state *st = m->swap;

	seq_puts(s, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	if (!st)
		return;
	spin_lock(&st->swaplock);
	for (int i = 0; i < st->nr_swapfiles; i++) {
		struct swap_info_struct *p = &st->swap_info[i];
		const char *name = p->disk.unlink_on_close ? "(anonymous)" : p->disk.path;
		int len;

		if ((p->flags & SWP_WRITEOK) != SWP_WRITEOK)
			continue;
		len = (int)strlen(name);
		seq_printf(s, "%s%*s%s\t%lu\t%s%lu\t%s%d\n", name, len < 40 ? 40 - len : 1, " ",
			   "file\t", p->pages << (PAGE_SHIFT - 10),
			   (p->pages << (PAGE_SHIFT - 10)) < 10000000 ? "\t" : "",
			   p->inuse_pages << (PAGE_SHIFT - 10),
			   (p->inuse_pages << (PAGE_SHIFT - 10)) < 10000000 ? "\t" : "", p->prio);
	}
	spin_unlock(&st->swaplock);
}

struct proc_entry {
	const char *name;
	void (*show)(struct machine *m, struct seq_buf *s);
};

/*
 * /proc/sys/vm as `sysctl vm` prints it, in name order: the overcommit
 * policy (mm/util.c), the writeback tunables (mm/page-writeback.c), the
 * swap readahead cluster and, under the split LRU, swappiness.
 */
static void show_sysctl_vm(struct machine *m, struct seq_buf *s)
{
	struct writeback_state *wb = m->writeback;

	seq_printf(s, "vm.admin_reserve_kbytes = %lu\n", m->sysctl_admin_reserve_kbytes);
	if (m->buffers) {
		seq_puts(s, "vm.bdflush = ");
		show_bdflush(m, s);	/* 2.4's nine fields (fs/buffer.c) */
	}
	if (wb) {
		seq_printf(s, "vm.dirty_background_ratio = %d\n", wb->dirty_background_ratio);
		seq_printf(s, "vm.dirty_expire_centisecs = %u\n", wb->dirty_expire_centisecs);
		seq_printf(s, "vm.dirty_ratio = %d\n", wb->vm_dirty_ratio);
		seq_printf(s, "vm.dirty_writeback_centisecs = %u\n", wb->dirty_writeback_centisecs);
	}
	seq_printf(s, "vm.overcommit_kbytes = %lu\n", m->sysctl_overcommit_kbytes);
	seq_printf(s, "vm.overcommit_memory = %d\n", m->sysctl_overcommit_memory);
	seq_printf(s, "vm.overcommit_ratio = %d\n", m->sysctl_overcommit_ratio);
	if (m->swap)
		seq_printf(s, "vm.page-cluster = %d\n", m->swap->page_cluster);
	/* 2.6's knob: only the policy that has it (2.4 had none) */
	if (m->reclaim_policy == &reclaim_policy_splitlru)
		seq_printf(s, "vm.swappiness = %d\n", m->cfg.swappiness);
	seq_printf(s, "vm.user_reserve_kbytes = %lu\n", m->sysctl_user_reserve_kbytes);
}

int proc_show(struct machine *m, const char *name, struct seq_buf *s)
{
	static const struct proc_entry table[] = {
		{ "meminfo", show_meminfo },
		{ "buddyinfo", show_buddyinfo },
		{ "zoneinfo", show_zoneinfo },
		{ "vmstat", show_vmstat },
		{ "slabinfo", show_slabinfo },
		{ "swaps", show_swaps },
		{ "kmsg", show_kmsg },
		{ "vmallocinfo", show_vmallocinfo },
		{ "sys/vm", show_sysctl_vm },
		{ "interrupts", show_interrupts },
		{ "numastat", show_numastat },			/* fs/proc_node.c */
		{ "node_meminfo", show_nodes_meminfo },
		{ "diskstats", show_diskstats },
	};

	if (name[0] == '/')	/* sysfs: /sys/devices/system/node/nodeN/FILE */
		return node_file_show(m, name, s);
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		if (strcmp(table[i].name, name) || !table[i].show)
			continue;
		table[i].show(m, s);
		return 0;
	}
	return -ENOENT;
}

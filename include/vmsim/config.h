/*
 * vmsim public API: the machine's configuration, types only (struct
 * vmsim_config and the enums and limits it uses).  vmsim.h includes it, so an
 * embedder sees one API; the kernel includes this header and no other of
 * include/vmsim/, since it keeps its boot configuration as this structure
 * (machine->cfg), as Linux's kernel includes its uapi headers (bootparam.h).
 * No functions here: the calls that fill and check a configuration are
 * vmsim.h's.
 */
#ifndef VMSIM_CONFIG_H
#define VMSIM_CONFIG_H

#include <stdint.h>
#include <stdbool.h>

enum vmsim_paging {
	VMSIM_PAGING_I386,	/* 2-level 10/10/12, 32-bit entries, PMD folded */
	VMSIM_PAGING_PAE,	/* 3-level 2/9/9/12, 64-bit entries */
	VMSIM_PAGING_X86_64,	/* 4-level 9/9/9/9/12, 47-bit user space */
};

enum vmsim_reclaim {
	VMSIM_RECLAIM_24_10,	/* 2.4.10+: active/inactive, shrink_cache, refill_inactive */
	VMSIM_RECLAIM_24_0,	/* 2.4.0: active/inactive_dirty/inactive_clean, page_launder */
};

/* where a task with no memory policy allocates (numa=) */
enum vmsim_numa { VMSIM_NUMA_LOCAL, VMSIM_NUMA_ROUNDROBIN };

#define VMSIM_MAX_CPUS	16
#define VMSIM_MAX_NODES	8
#define VMSIM_MAX_DISKS	4	/* block devices (disk=) */
#define VMSIM_BDFLUSH_PARAMS	9	/* vm.bdflush's fields */

/* Who writes dirty file pages back (writeback=). */
enum vmsim_writeback {
	VMSIM_WRITEBACK_26,	/* 2.6's page-writeback.c: throttled writers, pdflush, wb_kupdate */
	VMSIM_WRITEBACK_24,	/* 2.4's bdflush and kupdate (fs/buffer.c) write them too */
};

/*
 * A block device (disk=NAME:PATH:SIZE[:BLOCKSIZE]): /dev/NAME, backed by
 * the host file PATH (relative: in the machine root; empty: a temporary
 * file), SIZE bytes (a multiple of 4K), its buffers BLOCKSIZE bytes
 * (512, 1024, 2048 or 4096; default 1024, 2.4's BLOCK_SIZE).
 */
struct vmsim_disk_config {
	char name[16];
	char path[256];
	uint64_t size;
	unsigned int block_size;
};

struct vmsim_config {
	uint64_t ram_bytes;		/* 16 MiB .. 16 GiB */
	int nodes;			/* 1 .. VMSIM_MAX_NODES, RAM split evenly */
	enum vmsim_paging paging;
	int cpus;			/* 1 .. VMSIM_MAX_CPUS */
	uint64_t seed;			/* every random choice derives from it */
	int tlb_entries;		/* per CPU, default 64 */
	int tlb_ways;			/* associativity, default 4 */
	bool pcp;			/* per-CPU order-0 page lists (2.6), default on */
	enum vmsim_reclaim reclaim;	/* the 2.4 designs by number, when reclaim_policy is "" */
	/*
	 * The reclaim policy by name (`vmsim help reclaim`, vmsim_reclaim_policy),
	 * overriding @reclaim when not empty.
	 */
	char reclaim_policy[256];
	/*
	 * 2.4's stack check: a fault more than 64 KiB + 32 words below the
	 * task's stack pointer never grows the stack (SIGSEGV).  Off by
	 * default, as Linux since 4.20, where only the guard gap and
	 * RLIMIT_STACK bound growth.
	 */
	bool stack_sp_check;
	/* a swap area made at boot: size (0 = none) and host file (empty: a
	 * temporary file that disappears with the machine) */
	uint64_t swap_bytes;
	char swap_path[256];
	/* fault injection: fail the Nth page / slab allocation, the Nth page
	 * of swap or file I/O (-EIO, a disk error) after boot (0 = never) */
	uint64_t fail_page_alloc_nth;
	uint64_t fail_slab_nth;
	uint64_t fail_io_nth;
	/*
	 * Dirty page writeback (mm/page-writeback.c), Linux 2.6.0-2.6.21's
	 * /proc/sys/vm defaults: background writeout above 10% of dirtyable
	 * memory, writers throttled above 40%, pages dirty for 30 s written
	 * by the periodic pass every 5 s (0: no periodic pass).
	 */
	int dirty_background_ratio;		/* 0..100, default 10 */
	int dirty_ratio;			/* 1..100, default 40 */
	unsigned int dirty_expire_centisecs;	/* default 3000 */
	unsigned int dirty_writeback_centisecs;	/* default 500 */
	/* swap readahead: 2^page_cluster slots per fault, 0 off; -1 (default):
	 * as 2.4's swap_setup, 2 below 16 MiB of RAM, else 3 (a booted
	 * machine's configuration, vmsim_machine_config, says the value chosen) */
	int page_cluster;
	/* vm.swappiness (0..200, default 60): anon against file pages in the
	 * split-LRU policy's scan balance (reclaim=splitlru); 2.4 had none */
	int swappiness;
	/*
	 * fault-around (Linux 3.15+): a read fault on a file or shmem mapping
	 * also maps the neighbouring pages already in the page cache, in an
	 * aligned window of this many bytes (Linux's default 65536); 4096 or
	 * 0: only the faulting page, as 2.4.
	 */
	unsigned int fault_around_bytes;
	/*
	 * NUMA (docs/guide.md, Nodes): the node of each CPU (cpu_nodes=0,0,1,1;
	 * cpu_nodes_count 0: CPUs in equal blocks, CPU i on node
	 * i * nodes / cpus), and where a task without a memory policy
	 * allocates: VMSIM_NUMA_LOCAL its CPU's node first (Linux's default),
	 * VMSIM_NUMA_ROUNDROBIN each allocation starting at the next node in
	 * turn (2.4's _alloc_pages of mm/numa.c without CONFIG_NUMA).
	 */
	int cpu_nodes_count;
	signed char cpu_nodes[VMSIM_MAX_CPUS];
	enum vmsim_numa numa;
	/*
	 * One host thread runs every CPU, in turn (the script session: its
	 * commands in script order, each on its process's CPU): a TLB
	 * shootdown's IPI is then taken by each target at once, as x86's
	 * sender waits for it, rather than at the target's next access.  Off
	 * by default: programs may run a host thread per CPU (vmsim_cpu_attach);
	 * a script session with it off runs its rounds of process commands
	 * concurrently, a host thread per CPU (script/concurrent.c).
	 */
	bool serial;
	/*
	 * Overcommit (mm/util.c): vm.overcommit_memory 0 (heuristic, the
	 * default), 1 (always) or 2 (never past CommitLimit); the share of RAM
	 * in CommitLimit, in percent (default 50) or, if not 0, in kB.
	 */
	int overcommit_memory;
	int overcommit_ratio;
	uint64_t overcommit_kbytes;
	/*
	 * Files below the root show the host's device and inode numbers
	 * (/proc/PID/maps, the mm_filemap events), as a host differential test
	 * compares them; off by default: the machine's own numbers, the same
	 * on every host (device 00:20, inodes numbered from 2 in first-open
	 * order, each file keeping its number for the machine's life).
	 */
	bool hostino;
	/* the block devices of /dev (fs/block_dev.c), in the order given */
	struct vmsim_disk_config disks[VMSIM_MAX_DISKS];
	int nr_disks;
	/* writeback=2.6 (default) or 2.4 */
	enum vmsim_writeback writeback;
	/*
	 * vm.bdflush (fs/buffer.c), Linux 2.4.20's fields in its order:
	 * nfract, ndirty, dummy2, dummy3, interval (jiffies), age_buffer
	 * (jiffies), nfract_sync, nfract_stop_bdflush, dummy5; defaults
	 * 30 500 0 0 500 3000 60 20 0.
	 */
	int bdflush[VMSIM_BDFLUSH_PARAMS];
};

#endif

/*
 * vmsim public API: boot a simulated machine running the Linux 2.4 memory
 * manager, and drive it.  Everything a program embedding vmsim needs is
 * declared here (and in the other headers of include/vmsim/); the kernel's
 * internals live in include/kern/ and are not installed.
 *
 * Every function that takes a machine binds the calling host thread to one
 * of that machine's simulated CPUs for the duration of the call, so several
 * machines can live in one process without sharing any state.
 */
#ifndef VMSIM_VMSIM_H
#define VMSIM_VMSIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "vmsim/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VMSIM_VERSION "0.1.0"

enum vmsim_paging {
	VMSIM_PAGING_I386,	/* 2-level 10/10/12, 32-bit entries, PMD folded */
	VMSIM_PAGING_PAE,	/* 3-level 2/9/9/12, 64-bit entries */
	VMSIM_PAGING_X86_64,	/* 4-level 9/9/9/9/12, 47-bit user space */
};

enum vmsim_reclaim {
	VMSIM_RECLAIM_24_10,	/* 2.4.10+: active/inactive, shrink_cache, refill_inactive */
	VMSIM_RECLAIM_24_0,	/* 2.4.0: active/inactive_dirty/inactive_clean, page_launder */
};

#define VMSIM_MAX_CPUS	16
#define VMSIM_MAX_NODES	8

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
	 * as 2.4's swap_setup, 2 below 16 MiB of RAM, else 3 */
	int page_cluster;
	/*
	 * fault-around (Linux 3.15+): a read fault on a file or shmem mapping
	 * also maps the neighbouring pages already in the page cache, in an
	 * aligned window of this many bytes (Linux's default 65536); 4096 or
	 * 0: only the faulting page, as 2.4.
	 */
	unsigned int fault_around_bytes;
};

typedef struct machine vmsim_machine_t;

/* Fill @cfg with the defaults: 128 MiB, 1 node, x86_64, 1 CPU, seed 1. */
VMSIM_API void vmsim_config_default(struct vmsim_config *cfg);

/*
 * Set one option from text, as on the command line or the script's
 * `machine` line: ram=128M nodes=1 paging=i386|pae|x86_64 cpus=1 seed=1
 * tlb=64 tlbways=4 pcp=on|off reclaim=NAME spcheck=on|off swap=SIZE swapfile=PATH
 * fail_page_alloc=N fail_slab=N fail_io=N dirty_background_ratio=10 dirty_ratio=40
 * dirty_expire_centisecs=3000 dirty_writeback_centisecs=500 page_cluster=0..6
 * fault_around_bytes=65536.
 * Returns 0, or -1 with a message in @err.
 */
VMSIM_API int vmsim_config_set(struct vmsim_config *cfg, const char *key, const char *value,
		     char *err, size_t errlen);

/*
 * Check option @key of @cfg on its own (its range: ram, swap, the TLB's
 * powers of two), as vmsim_config_validate does before it checks the
 * options together; for flags, which may be combined with a script's
 * machine line.  0, or -1 with a message naming the allowed values.
 */
VMSIM_API int vmsim_config_check(const struct vmsim_config *cfg, const char *key, char *err,
		       size_t errlen);

/* The name of the reclaim policy @cfg chooses ("2.4.10" ...), "?" if none. */
VMSIM_API const char *vmsim_config_reclaim(const struct vmsim_config *cfg);

/*
 * The @i-th reclaim policy known (0, 1, ...: the order of `vmsim help
 * reclaim`): its name and one line saying what it follows.  0, or -1 past
 * the last.
 */
VMSIM_API int vmsim_reclaim_policy(unsigned int i, const char **name, const char **follows);

/* Check ranges and combinations; 0 or -1 with a message in @err. */
VMSIM_API int vmsim_config_validate(const struct vmsim_config *cfg, char *err, size_t errlen);

/*
 * The one parser of numbers and sizes (flags, machine options, scripts):
 * decimal (010 is ten) or 0x-hex, then an optional K, M or G suffix (2^10,
 * 2^20, 2^30).  0, or -1 with errno EINVAL (not a number) or ERANGE
 * (negative, or past 2^64 - 1); *@out is unchanged then.
 */
VMSIM_API int vmsim_parse_size(const char *s, uint64_t *out);

/* Boot a machine.  NULL with errno set (EINVAL bad config, ENOMEM host). */
VMSIM_API vmsim_machine_t *vmsim_machine_create(const struct vmsim_config *cfg);
VMSIM_API void vmsim_machine_destroy(vmsim_machine_t *m);
VMSIM_API const struct vmsim_config *vmsim_machine_config(const vmsim_machine_t *m);

/*
 * Attach the calling host thread to simulated CPU @cpu of @m (for programs
 * that run one host thread per simulated CPU).  Public calls bind
 * themselves; this is for long-running per-CPU loops.
 */
VMSIM_API void vmsim_cpu_attach(vmsim_machine_t *m, int cpu);
VMSIM_API void vmsim_cpu_detach(void);

/*
 * Add a swap area: @path a host file (created or resized to @bytes), NULL
 * for an anonymous temporary one; @prio -1 for the default.  Returns the
 * area's index or -errno (-EINVAL, -EPERM, -EBUSY, -ENOMEM).
 */
VMSIM_API int vmsim_swapon(vmsim_machine_t *m, const char *path, uint64_t bytes, int prio);

/*
 * /proc-style reports, written into a malloc'd NUL-terminated string the
 * caller frees.  Names as the /proc files: "meminfo", "buddyinfo",
 * "zoneinfo", "vmstat", "slabinfo", "swaps".  NULL with errno ENOENT if unknown.
 */
VMSIM_API char *vmsim_proc_read(vmsim_machine_t *m, const char *name);

#ifdef __cplusplus
}
#endif
#endif

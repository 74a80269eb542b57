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
#include "vmsim/config.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VMSIM_VERSION "0.1.0"

typedef struct machine vmsim_machine_t;

/* Fill @cfg with the defaults: 128 MiB, 1 node, x86_64, 1 CPU, seed 1. */
VMSIM_API void vmsim_config_default(struct vmsim_config *cfg);

/*
 * Set one option from text, as on the command line or the script's
 * `machine` line: ram=128M nodes=1 paging=i386|pae|x86_64 cpus=1 seed=1
 * tlb=64 tlbways=4 pcp=on|off serial=on|off reclaim=NAME spcheck=on|off swap=SIZE swapfile=PATH
 * fail_page_alloc=N fail_slab=N fail_io=N dirty_background_ratio=10 dirty_ratio=40
 * dirty_expire_centisecs=3000 dirty_writeback_centisecs=500 page_cluster=0..6
 * fault_around_bytes=65536 hostino=on|off.
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

/*
 * The @i-th machine option vmsim_config_set knows (0, 1, ...): its key
 * ("ram") and what it takes ("a size, 16M .. 16G, a multiple of 4M";
 * "on or off"; "i386, pae or x86_64").  0, or -1 past the last.
 */
VMSIM_API int vmsim_config_option(unsigned int i, const char **key, const char **values);

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

/*
 * Boot a machine.  NULL with errno set (EINVAL bad config, ENOMEM host, or
 * the host's errno of what boot could not do, such as the swap file's);
 * vmsim_boot_error then says what failed and why, e.g. "swapfile
 * /nonexistent/x: No such file or directory" ("" when nothing more is
 * known).  Per thread.
 */
VMSIM_API vmsim_machine_t *vmsim_machine_create(const struct vmsim_config *cfg);
VMSIM_API const char *vmsim_boot_error(void);
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

/*
 * Write /proc/sys/vm/@name (as `sysctl -w vm.NAME=VALUE`; "vm." may be
 * left out): overcommit_memory (0, 1, 2), overcommit_ratio,
 * overcommit_kbytes (each clears the other), admin_reserve_kbytes,
 * user_reserve_kbytes.  0, -ENOENT (no such file) or -EINVAL.
 */
VMSIM_API int vmsim_sysctl_write(vmsim_machine_t *m, const char *name, uint64_t value);

/*
 * The same with the value as text, for the vectors of /proc/sys/vm:
 * "vm.bdflush" takes its nine numbers (blanks or commas between; only
 * with a buffer cache, -ENOENT otherwise); any other name one number.
 */
VMSIM_API int vmsim_sysctl_write_text(vmsim_machine_t *m, const char *name, const char *text);

#ifdef __cplusplus
}
#endif
#endif

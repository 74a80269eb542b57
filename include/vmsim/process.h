/*
 * Processes of a simulated machine and their system calls.  Every call
 * takes the machine and a pid and returns what Linux returns: a value, or
 * a negative errno (-EINVAL, -ENOMEM, ...; -ESRCH for a pid that does not
 * exist or has died).  Flag values are Linux's (PROT_*, MAP_*, MREMAP_*,
 * MADV_*, MCL_*), so <sys/mman.h> constants may be passed directly.
 *
 * Memory accesses run on the simulated CPU through the MMU and TLB exactly
 * as loads and stores of the process would: a fault is handled, and an
 * unresolvable one kills the task (VMSIM_KILLED, see vmsim_task_info).
 */
#ifndef VMSIM_PROCESS_H
#define VMSIM_PROCESS_H

#include "vmsim/vmsim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VMSIM_PROT_NONE		0x0
#define VMSIM_PROT_READ		0x1
#define VMSIM_PROT_WRITE	0x2
#define VMSIM_PROT_EXEC		0x4
#define VMSIM_PROT_GROWSDOWN	0x01000000

#define VMSIM_MAP_SHARED	0x01
#define VMSIM_MAP_PRIVATE	0x02
#define VMSIM_MAP_FIXED		0x10
#define VMSIM_MAP_ANONYMOUS	0x20
#define VMSIM_MAP_GROWSDOWN	0x0100
#define VMSIM_MAP_LOCKED	0x2000
#define VMSIM_MAP_NORESERVE	0x4000
#define VMSIM_MAP_POPULATE	0x8000
#define VMSIM_MAP_FIXED_NOREPLACE 0x100000

#define VMSIM_MREMAP_MAYMOVE	1
#define VMSIM_MREMAP_FIXED	2
#define VMSIM_MREMAP_DONTUNMAP	4

#define VMSIM_MADV_NORMAL	0
#define VMSIM_MADV_RANDOM	1
#define VMSIM_MADV_SEQUENTIAL	2
#define VMSIM_MADV_WILLNEED	3
#define VMSIM_MADV_DONTNEED	4

#define VMSIM_MCL_CURRENT	1
#define VMSIM_MCL_FUTURE	2

/* Returned by the access calls when the task was killed during the access. */
#define VMSIM_KILLED		(-10000)

/* New process with an empty address space (and a stack VMA, as exec leaves). */
int vmsim_spawn(vmsim_machine_t *m);
int vmsim_spawn_empty(vmsim_machine_t *m);	/* no stack either */
int vmsim_fork(vmsim_machine_t *m, int pid);
/*
 * A task sharing @pid's mm (clone with CLONE_VM, without CLONE_THREAD):
 * it sees every change to the address space, but a fatal signal kills
 * only the task that took it, as for CLONE_VM siblings on Linux.
 */
int vmsim_clone_vm(vmsim_machine_t *m, int pid);
int vmsim_exit(vmsim_machine_t *m, int pid);

long vmsim_mmap(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len,
		int prot, int flags, int fd, unsigned long offset);
int vmsim_munmap(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len);
int vmsim_mprotect(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len, int prot);
long vmsim_mremap(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long old_len,
		  unsigned long new_len, int flags, unsigned long new_addr);
long vmsim_brk(vmsim_machine_t *m, int pid, unsigned long brk);
int vmsim_madvise(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len, int advice);
int vmsim_mlock(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len);
int vmsim_munlock(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len);
int vmsim_mlockall(vmsim_machine_t *m, int pid, int flags);
int vmsim_munlockall(vmsim_machine_t *m, int pid);
/* mincore: one byte per page in @vec, bit 0 = resident */
int vmsim_mincore(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len,
		  unsigned char *vec);
int vmsim_setrlimit(vmsim_machine_t *m, int pid, int resource,
		    unsigned long cur, unsigned long max);
int vmsim_set_sp(vmsim_machine_t *m, int pid, unsigned long sp);

/* Loads and stores of the process: 0, -ESRCH, or VMSIM_KILLED. */
int vmsim_read(vmsim_machine_t *m, int pid, unsigned long addr, void *buf, unsigned long len);
int vmsim_write(vmsim_machine_t *m, int pid, unsigned long addr, const void *buf,
		unsigned long len);
/* 8-byte aligned load/store, the TLB-hit fast path */
int vmsim_load64(vmsim_machine_t *m, int pid, unsigned long addr, uint64_t *val);
int vmsim_store64(vmsim_machine_t *m, int pid, unsigned long addr, uint64_t val);

struct vmsim_task_info {
	int pid;
	bool alive;
	/* (named apart from <signal.h>'s si_* macros) */
	int signo;		/* killing signal (SIGSEGV 11, SIGBUS 7, SIGKILL 9) or 0 */
	int code;		/* si_code: SEGV_MAPERR 1, SEGV_ACCERR 2, ... */
	unsigned long addr;	/* si_addr: the faulting address */
};
int vmsim_task_info(vmsim_machine_t *m, int pid, struct vmsim_task_info *info);
/* pids of live tasks, ascending; returns the count (at most @max stored) */
int vmsim_task_list(vmsim_machine_t *m, int *pids, int max);

/* /proc/PID files: "maps", "smaps", "status".  malloc'd text, or NULL (errno). */
char *vmsim_proc_pid_read(vmsim_machine_t *m, int pid, const char *name);

#ifdef __cplusplus
}
#endif
#endif

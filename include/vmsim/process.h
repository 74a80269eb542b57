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
VMSIM_API int vmsim_spawn(vmsim_machine_t *m);
VMSIM_API int vmsim_spawn_empty(vmsim_machine_t *m);	/* no stack either */
VMSIM_API int vmsim_fork(vmsim_machine_t *m, int pid);
/* prctl(PR_SET_NAME): the task's name (comm: /proc/PID/status, events), 15 bytes at most. */
VMSIM_API int vmsim_prctl_set_name(vmsim_machine_t *m, int pid, const char *name);
/*
 * A task sharing @pid's mm (clone with CLONE_VM, without CLONE_THREAD):
 * a separate process (its own tgid, one thread) that sees every change to
 * the address space, but a fatal signal kills only its own thread group,
 * as for CLONE_VM siblings on Linux.
 */
VMSIM_API int vmsim_clone_vm(vmsim_machine_t *m, int pid);
/*
 * A new thread of @pid's process (clone with CLONE_VM | CLONE_FILES |
 * CLONE_SIGHAND | CLONE_THREAD, as pthread_create): a new tid in the same
 * thread group (tgid), sharing the mm and the descriptors.  A fatal signal
 * (SIGSEGV, SIGBUS, SIGKILL) taken by any thread kills every thread of the
 * group, each recording that signal; threads running on other CPUs die at
 * their next entry or return.  The new tid, or -ESRCH, -ENOMEM, -EAGAIN,
 * -EINTR (the group is exiting).
 */
VMSIM_API int vmsim_clone_thread(vmsim_machine_t *m, int pid);
/*
 * exit(2) of one thread: the rest of its group runs on, and the mm goes
 * with its last user.  A group leader that exits while other threads run
 * stays a zombie: vmsim_task_info says not alive, its pid (the tgid) still
 * names the group for vmsim_proc_pid_read ("status" shows State: Z and no
 * Vm lines, "maps" is empty, as Linux's /proc/TGID), and calls made as it
 * give -ESRCH.  It is released with the group's last thread.
 */
VMSIM_API int vmsim_exit(vmsim_machine_t *m, int pid);
/* exit_group(2): every thread of @pid's group exits (code 0).  0 or -ESRCH. */
VMSIM_API int vmsim_exit_group(vmsim_machine_t *m, int pid);
/*
 * vmsim_execve - the memory side of execve(2) (kernel/exec.c): @path (a
 * static ELF executable below the machine's root: ELF64 x86-64 on the
 * x86_64 layout, ELF32 i386 on i386 and PAE) replaces @pid's address
 * space: its PT_LOAD segments mapped from the file, the bss and brk after
 * them, a new stack holding @argv and @envp (NULL-terminated; NULL for
 * none) with argc, argv[], envp[] and the auxiliary vector at the stack
 * pointer, as Linux without randomisation.  The old address space is
 * dropped as exit drops it; other tasks sharing it (vmsim_clone_vm) keep
 * it.  O_CLOEXEC descriptors close.  0, or -ENOENT/-ENOTDIR (no such
 * file), -EACCES (not a regular file with an execute bit), -ENOEXEC (not
 * an executable of this machine, or dynamically linked), -EINVAL (a
 * segment outside user space), -EPERM (a segment below mmap_min_addr),
 * -E2BIG (arguments over the limit), -ENOMEM, -EFAULT (NULL @path),
 * -ESRCH; on any error the process is left exactly as it was.
 */
VMSIM_API int vmsim_execve(vmsim_machine_t *m, int pid, const char *path, const char *const argv[],
		 const char *const envp[]);

VMSIM_API long vmsim_mmap(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len,
		int prot, int flags, int fd, unsigned long offset);
VMSIM_API int vmsim_munmap(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len);
VMSIM_API int vmsim_mprotect(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len, int prot);
VMSIM_API long vmsim_mremap(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long old_len,
		  unsigned long new_len, int flags, unsigned long new_addr);
VMSIM_API long vmsim_brk(vmsim_machine_t *m, int pid, unsigned long brk);
VMSIM_API int vmsim_madvise(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len, int advice);
VMSIM_API int vmsim_mlock(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len);
/* mlock2(2): @flags 0 or MLOCK_ONFAULT (1: lock pages as they are faulted in) */
VMSIM_API int vmsim_mlock2(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len,
			   int flags);
VMSIM_API int vmsim_munlock(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len);
VMSIM_API int vmsim_mlockall(vmsim_machine_t *m, int pid, int flags);
VMSIM_API int vmsim_munlockall(vmsim_machine_t *m, int pid);
/* mincore: one byte per page in @vec, bit 0 = resident */
VMSIM_API int vmsim_mincore(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len,
		  unsigned char *vec);
VMSIM_API int vmsim_setrlimit(vmsim_machine_t *m, int pid, int resource,
		    unsigned long cur, unsigned long max);
/*
 * sched_setaffinity(2) with a mask of CPUs (bit N: CPU N): the task runs
 * its calls on one of them from then on (on the calling thread's CPU if
 * allowed, else the lowest allowed; a thread attached with
 * vmsim_cpu_attach keeps its own).  Children inherit it.  0, -EINVAL
 * (no CPU of the machine in @mask) or -ESRCH.  getaffinity: the mask or
 * -ESRCH.
 */
VMSIM_API int vmsim_sched_setaffinity(vmsim_machine_t *m, int pid, unsigned long mask);
VMSIM_API long vmsim_sched_getaffinity(vmsim_machine_t *m, int pid);
VMSIM_API int vmsim_set_sp(vmsim_machine_t *m, int pid, unsigned long sp);

/*
 * NUMA memory policies, as set_mempolicy(2), mbind(2) and get_mempolicy(2)
 * with Linux's values and errno: @nmask is the caller's array of
 * unsigned longs (bit N: node N) of @maxnode bits, Linux's count (one
 * more than the bits read).  A task's policy governs its allocations
 * and is inherited by fork; mbind's governs the faults of [addr,
 * addr + len) (the VMAs split at its ends).  mbind: -EFAULT where the
 * range is not all mapped, -EIO (policy set) for MPOL_MF_STRICT when a
 * mapped page is on another node; MPOL_MF_MOVE and MOVE_ALL are -EINVAL
 * (pages are not migrated).  get_mempolicy with VMSIM_MPOL_F_NODE |
 * VMSIM_MPOL_F_ADDR returns the node of the page at @addr in *@policy
 * (faulting it in).  0 or -errno; -ESRCH for no such process.
 */
#define VMSIM_MPOL_DEFAULT		0
#define VMSIM_MPOL_PREFERRED		1
#define VMSIM_MPOL_BIND			2
#define VMSIM_MPOL_INTERLEAVE		3
#define VMSIM_MPOL_LOCAL		4
#define VMSIM_MPOL_F_STATIC_NODES	(1 << 15)
#define VMSIM_MPOL_F_RELATIVE_NODES	(1 << 14)
#define VMSIM_MPOL_F_NODE		(1 << 0)	/* get_mempolicy's flags */
#define VMSIM_MPOL_F_ADDR		(1 << 1)
#define VMSIM_MPOL_F_MEMS_ALLOWED	(1 << 2)
#define VMSIM_MPOL_MF_STRICT		(1 << 0)	/* mbind's flags */
#define VMSIM_MPOL_MF_MOVE		(1 << 1)
#define VMSIM_MPOL_MF_MOVE_ALL		(1 << 2)
VMSIM_API int vmsim_set_mempolicy(vmsim_machine_t *m, int pid, int mode,
				  const unsigned long *nmask, unsigned long maxnode);
VMSIM_API int vmsim_mbind(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len,
			  int mode, const unsigned long *nmask, unsigned long maxnode,
			  unsigned int flags);
VMSIM_API int vmsim_get_mempolicy(vmsim_machine_t *m, int pid, int *policy, unsigned long *nmask,
				  unsigned long maxnode, unsigned long addr, unsigned long flags);

/* Loads and stores of the process: 0, -ESRCH, or VMSIM_KILLED. */
VMSIM_API int vmsim_read(vmsim_machine_t *m, int pid, unsigned long addr, void *buf, unsigned long len);
VMSIM_API int vmsim_write(vmsim_machine_t *m, int pid, unsigned long addr, const void *buf,
		unsigned long len);
/*
 * The same through segment selector @sel (a logical address sel:addr), as
 * a user instruction with a segment override: the segmentation unit
 * loads @sel at privilege 3 and checks the access (a kernel segment,
 * DPL 0, raises a general protection fault: SIGSEGV, SI_KERNEL, and
 * VMSIM_KILLED), then the linear address base + addr is accessed as
 * vmsim_read/vmsim_write do.  vmsim_selector: the number of a selector
 * named "__KERNEL_CS", "__KERNEL_DS", "__USER_CS" or "__USER_DS", or -1.
 */
VMSIM_API int vmsim_read_seg(vmsim_machine_t *m, int pid, unsigned int sel, unsigned long addr,
			     void *buf, unsigned long len);
VMSIM_API int vmsim_write_seg(vmsim_machine_t *m, int pid, unsigned int sel, unsigned long addr,
			      const void *buf, unsigned long len);
VMSIM_API int vmsim_selector(const char *name);
/* 8-byte aligned load/store, the TLB-hit fast path */
VMSIM_API int vmsim_load64(vmsim_machine_t *m, int pid, unsigned long addr, uint64_t *val);
VMSIM_API int vmsim_store64(vmsim_machine_t *m, int pid, unsigned long addr, uint64_t val);

/*
 * The process's own accesses in bulk (api/access.c): a stream of loads,
 * stores and instruction fetches run as one stretch of user-mode
 * execution (one entry into the task, the MMU's access bracket kept open
 * between faults), as a CPU runs a program between two kernel entries.
 * Every access goes through the MMU and TLB exactly as the one-access
 * calls above would (the same faults, signals and TLB hit and miss
 * counts), only without their per-call cost.
 */
enum vmsim_access_kind {
	VMSIM_ACCESS_LOAD,	/* a data read */
	VMSIM_ACCESS_STORE,	/* a data write */
	VMSIM_ACCESS_MODIFY,	/* a read, then a write of the same bytes (x86's RMW) */
	VMSIM_ACCESS_FETCH,	/* an instruction fetch: NX is checked */
	VMSIM_ACCESS_NR_KINDS
};

/* The largest access (an xsave area): a size of 1 .. this. */
#define VMSIM_ACCESS_MAX_SIZE	4096

/*
 * One access: the @size bytes at @addr (they may cross a page: each page is
 * translated, in order).  A store or modify writes @value's bytes
 * (little-endian; repeated every 8 bytes for sizes over 8).  A fetch reads
 * the first byte of each page the instruction spans (the MMU's fetch
 * check is per page); an aligned 8-byte load or store takes the TLB's
 * fastest path.
 */
struct vmsim_access {
	unsigned long addr;
	uint64_t value;
	uint32_t size;
	uint8_t kind;		/* enum vmsim_access_kind */
};

/* How a run ended. */
struct vmsim_access_result {
	size_t done;		/* accesses made in full */
	int signo;		/* the signal that killed the task (SIGSEGV 11, ...), or 0 */
	int code;		/* its si_code (SEGV_MAPERR 1, SEGV_ACCERR 2, ...) */
	unsigned long fault_addr;	/* its si_addr */
};

/*
 * vmsim_access_run - make the @n accesses of @v, in order, as task @pid.
 * @loaded (NULL, or room for @n values): for each load and modify the
 * first min(size, 8) bytes loaded (little-endian, zero-extended), for a
 * fetch its first byte, for a store 0.  Returns @n when every access was
 * made; VMSIM_KILLED when an access killed the task (res->done is its
 * index: the accesses before it were made; res->signo, code and
 * fault_addr say how); -ESRCH for a pid that is not alive; -EINVAL for an
 * entry with a bad size or kind or one that wraps around the address
 * space (res->done is its index, the accesses before it were made).
 * @res may be NULL.
 */
VMSIM_API long vmsim_access_run(vmsim_machine_t *m, int pid, const struct vmsim_access *v, size_t n,
		      uint64_t *loaded, struct vmsim_access_result *res);

/*
 * vmsim_access_run_future - vmsim_access_run, telling the machine the
 * future: @future[i] is the position (in the caller's count of accesses)
 * of the next access to the page of @v[i] after the run of accesses to
 * that page that @v[i] belongs to, UINT64_MAX if none.  The OPT policy
 * (reclaim=opt, docs/reclaim.md) evicts the page whose next use is the
 * farthest; other policies ignore it.  `vmsim trace` computes @future
 * when the machine's policy is opt.  Returns as vmsim_access_run (-EINVAL
 * also for a NULL @future).
 */
VMSIM_API long vmsim_access_run_future(vmsim_machine_t *m, int pid, const struct vmsim_access *v,
				       size_t n, const uint64_t *future, uint64_t *loaded,
				       struct vmsim_access_result *res);

/*
 * A generated stream (the script's `touch`): @count accesses of @size
 * bytes, the k-th at addr + stride * slot(k), slot(k) = k, or with
 * @random vmsim_mix64(seed + k) % slots (vmsim/script.h's splitmix64
 * finaliser; @slots > 0).  Kind and value as in struct vmsim_access.  Run
 * in stretches of VMSIM_ACCESS_BATCH accesses, each one entry into the
 * task (the scheduling point between them lets kswapd run).  Returns
 * @count, VMSIM_KILLED (res->done: accesses made before the killing one),
 * -ESRCH or -EINVAL (bad size or kind; random with no slots).  Addresses
 * are computed modulo 2^64, as the CPU's address arithmetic wraps.
 */
#define VMSIM_ACCESS_BATCH	4096
struct vmsim_access_pattern {
	unsigned long addr;
	unsigned long stride;
	uint64_t count;
	bool random;
	uint64_t slots;		/* random: slot numbers 0 .. slots - 1 */
	uint64_t seed;
	uint64_t value;
	uint32_t size;
	uint8_t kind;		/* enum vmsim_access_kind */
};
VMSIM_API long vmsim_access_pattern(vmsim_machine_t *m, int pid, const struct vmsim_access_pattern *p,
			  struct vmsim_access_result *res);

/* The end of the machine's user address space (TASK_SIZE: 3 GiB on i386
 * and PAE, 0x7ffffffff000 on x86_64): user addresses are below it. */
VMSIM_API unsigned long vmsim_task_size(vmsim_machine_t *m);

struct vmsim_task_info {
	int pid;
	bool alive;
	/* (named apart from <signal.h>'s si_* macros) */
	int signo;		/* killing signal (SIGSEGV 11, SIGBUS 7, SIGKILL 9) or 0 */
	int code;		/* si_code: SEGV_MAPERR 1, SEGV_ACCERR 2, ... */
	unsigned long addr;	/* si_addr: the faulting address */
	/*
	 * Thread group: the tgid (getpid()), and while the pid still names a
	 * task (alive, or a zombie group leader) the group's threads not yet
	 * released (a zombie leader counts, as Linux's Threads:), else 0.  A
	 * thread killed because another thread of its group took a fatal
	 * signal shows that signal with code and addr 0.
	 */
	int tgid;
	int threads;
};
VMSIM_API int vmsim_task_info(vmsim_machine_t *m, int pid, struct vmsim_task_info *info);
/* pids of live tasks, ascending; returns the count (at most @max stored) */
VMSIM_API int vmsim_task_list(vmsim_machine_t *m, int *pids, int max);

/*
 * /proc/PID files: "maps", "smaps", "status", "cmdline", "environ".
 * malloc'd text, or NULL (errno).  cmdline and environ are NUL-separated
 * strings: read them with vmsim_proc_pid_read_len, which also gives the
 * length in bytes (@len may be NULL).
 */
VMSIM_API char *vmsim_proc_pid_read(vmsim_machine_t *m, int pid, const char *name);
VMSIM_API char *vmsim_proc_pid_read_len(vmsim_machine_t *m, int pid, const char *name, size_t *len);
/*
 * "maps", "smaps" or "status" as vmsim_proc_pid_read gives them, from a
 * look at the process that changes nothing (no cr3 load, no TLB flush: for
 * pictures between commands).  NULL with errno ESRCH, ENOENT (no such
 * file) or EINVAL (cmdline, environ: read from inside the process only).
 */
VMSIM_API char *vmsim_proc_pid_peek(vmsim_machine_t *m, int pid, const char *name);

#ifdef __cplusplus
}
#endif
#endif

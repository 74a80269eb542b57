/*
 * Tasks of the simulated machine: what the memory manager needs of Linux's
 * task_struct (pid, mm, active_mm, limits, stack pointer, signal state),
 * the mm_struct reference helpers, fork/exit and fault signals.
 *
 * Implementation: kernel/task.c (pid table, running a task on a CPU),
 * kernel/fork.c (mm_alloc, mmput, mmdrop, copy_mm, dup_mmap, do_fork),
 * kernel/exit.c (exit_mm, do_exit, release_task), kernel/signal.c
 * (force_sig_fault).
 *
 * Reference counts, as in Linux:
 *   task->usage     the pid table holds one, each lookup (find_get_task)
 *                   another; the last put frees the task_struct.
 *   mm->mm_users    tasks using the address space (threads count each);
 *                   the last mmput tears the address space down (exit_mmap,
 *                   page tables) and drops the users' mm_count reference.
 *   mm->mm_count    references to the struct itself: users count as one,
 *                   a CPU holding the mm lazily loaded counts one; the last
 *                   mmdrop frees the mm_struct.
 */
#ifndef KERN_SCHED_H
#define KERN_SCHED_H

#include "kern/mm_types.h"
#include <pthread.h>

struct kmem_cache_s;
struct files_struct;

/* signals and si_code values we deliver, Linux's numbers */
#define SIGBUS		7
#define SIGKILL		9
#define SIGSEGV		11
#define SEGV_MAPERR	1
#define SEGV_ACCERR	2
#define SI_KERNEL	0x80	/* a general protection fault (x86: non-canonical address) */
#define BUS_ADRERR	2
#define BUS_OBJERR	3

#define PF_MEMALLOC	0x00000800	/* may dip into reserves (reclaim itself) */
#define PF_EXITING	0x00000004
#define PF_KTHREAD	0x00200000
/* vmsim: an OOM victim whose exit waits until its mm's mmap_sem is free (mm/oom_kill.c) */
#define PF_OOM_REAP	0x00000010

/* limits not in mm_types.h, for the defaults (Linux's numbers) */
#define RLIMIT_CORE	4
#define RLIMIT_NOFILE	7

/* pids run from 1 to VMSIM_PID_MAX and are never reused (determinism) */
#define VMSIM_PID_MAX	0x3fffffff

/* clone flags (Linux's values) */
#define CLONE_VM	0x00000100
#define CLONE_FILES	0x00000400
#define CLONE_SIGHAND	0x00000800
#define CLONE_THREAD	0x00010000

/* task->state */
enum {
	TASK_RUNNING,			/* alive: may be run by a public call */
	TASK_ZOMBIE,			/* exited or killed; mm released */
	TASK_DEAD,			/* released from the pid table */
};

struct task_struct {
	int pid;
	char comm[16];
	int state;				/* TASK_*, run_lock (reads: any) */
	unsigned int flags;			/* PF_* */
	atomic_int usage;			/* references (see above) */
	/*
	 * A task is one thread of execution: at most one simulated CPU runs
	 * it at a time.  run_lock is held from task_enter to task_leave.
	 */
	pthread_mutex_t run_lock;
	struct mm_struct *mm;			/* NULL for kernel threads, after exit; run_lock */
	struct mm_struct *active_mm;
	struct files_struct *files;		/* descriptor table (fs/open.c); run_lock */
	struct list_head tasks;			/* machine's task list (tasklist_lock) */
	struct machine *machine;
	unsigned long sp;			/* user stack pointer (stack-growth checks) */
	/* limits; tasks sharing an mm keep equal copies (vmsim_setrlimit) */
	struct rlimit rlim[RLIM_NLIMITS];
	/* the fatal signal, if one killed the task */
	int exit_signal_nr;			/* 0 alive or exited normally */
	int exit_si_code;
	unsigned long exit_si_addr;
	int exit_code;
	/* pending fault signal raised while the task runs a user access */
	int pending_signal;
	int pending_si_code;
	unsigned long pending_si_addr;
	unsigned long min_flt, maj_flt;
	/*
	 * Thread group (CLONE_THREAD).  tgid is the leader's pid; a process
	 * that is not threaded is its own leader.  The leader's task_struct
	 * outlives every thread (each holds a reference on it), since it
	 * carries the group's shared state below, which Linux keeps in
	 * signal_struct.  tgid and group_leader are set before the task is
	 * visible; they and pid change only when a thread that is not the
	 * leader execs (task_exchange_leader: it takes the tgid as its pid and
	 * leads), under tasklist_lock and that thread's run_lock.
	 */
	int tgid;
	struct task_struct *group_leader;
	struct list_head thread_group;		/* the group's threads in tid order (tasklist_lock) */
	/*
	 * SIGKILL sent by another task (zap_other_threads, the OOM killer)
	 * while this one may be running on another CPU: acted on at its next
	 * kernel entry (task_enter) or return (task_call_end,
	 * task_deliver_signal).  Any task sets it; relaxed atomics.
	 */
	int sigkill_pending;
	/* the leader's: the group's shared state (tasklist_lock) */
	int nr_threads;				/* threads not yet released, a zombie leader too */
	bool group_exit;			/* SIGNAL_GROUP_EXIT: the whole group is dying */
	/*
	 * de_thread in progress (kernel/exec.c): a thread exec's, has killed
	 * the others and waits for them; group_exit is set meanwhile (no new
	 * thread, the others die of SIGKILL), and a thread of the group that
	 * would start a group exit only exits itself (Linux's
	 * signal->group_exec_task; the exec'ing thread itself never does one
	 * while it waits, so a flag is enough).
	 */
	bool group_exec;
	/*
	 * The CPUs that may run the task, a bit each (NR_CPUS <= 16; here it
	 * fills a hole): sched_setaffinity, fork copies it.  A thread attached
	 * to a CPU (vmsim_cpu_attach) runs it there; any other entry runs it
	 * on the calling thread's CPU if allowed, else on the lowest allowed
	 * one (task_enter).  run_lock.
	 */
	uint16_t cpus_allowed;
	int group_exit_code;			/* exit code, or the killing signal */
	int group_exit_signal;			/* the signal, 0 for exit_group */
	/* set_mempolicy's (mm/mempolicy.c): fork copies it; run_lock */
	struct mempolicy mempolicy;
	uint8_t il_prev;			/* MPOL_INTERLEAVE: the node used last */
};
_Static_assert(NR_CPUS <= 16, "task_struct.cpus_allowed has 16 bits");

static inline bool thread_group_leader(const struct task_struct *t)
{
	return t->group_leader == t;
}

static inline bool task_sigkill_pending(const struct task_struct *t)
{
	return __atomic_load_n(&t->sigkill_pending, __ATOMIC_RELAXED) != 0;
}

/*
 * t->flags is changed by the task's own CPU and read by others (reclaim,
 * the OOM killer walking the task list): relaxed atomics, no data race.
 */
static inline unsigned int task_flags(const struct task_struct *t)
{
	return __atomic_load_n(&t->flags, __ATOMIC_RELAXED);
}
static inline void task_set_flags(struct task_struct *t, unsigned int f)
{
	__atomic_fetch_or(&t->flags, f, __ATOMIC_RELAXED);
}
static inline void task_clear_flags(struct task_struct *t, unsigned int f)
{
	__atomic_fetch_and(&t->flags, ~f, __ATOMIC_RELAXED);
}

static inline struct task_struct *get_current(void)
{
	return this_cpu()->curr;
}
#define current get_current()

/* --- kernel/signal.c ------------------------------------------------------ */

/*
 * force_sig_fault - a fault the task cannot survive (SIGSEGV/SIGBUS with
 * si_code and the faulting address).  Called from do_page_fault in the
 * task's context; records the signal as pending.  The default action
 * (death) is taken when the access returns to the task's caller
 * (task_deliver_signal from the public entry points), since a fault deep
 * in a user-mode access (mmu_user_*) cannot unwind the kernel.  Kernel-mode
 * accesses (copy_to_user) never signal.
 */
void force_sig_fault(struct task_struct *t, int sig, int code, unsigned long addr);
static inline bool signal_pending(const struct task_struct *t)
{
	return t->pending_signal != 0;
}
/*
 * task_deliver_signal - take the default action of a pending fatal signal:
 * record it and exit the task (its mm released).  Returns true if the task
 * died.  Called with the task entered (task_enter).
 */
bool task_deliver_signal(struct task_struct *t);
/*
 * zap_other_threads - the group of @t dies (tasklist_lock held, @t's
 * group marked group_exit): every other live thread gets SIGKILL pending.
 * Returns how many were marked.
 */
int zap_other_threads(struct task_struct *t);
/*
 * do_group_exit - @t (entered) ends its whole thread group: with @sig
 * (and the fault's @code, @addr for @t itself) or, for @sig 0, exit code
 * @code (exit_group).  If the group is already dying, the first cause
 * wins.  The other threads that no CPU runs now are exited here; those
 * running on other CPUs die at their next kernel entry or return.  @t
 * exits last.
 */
void do_group_exit(struct task_struct *t, int sig, int code, unsigned long addr);
/*
 * group_send_sigkill_locked - SIGKILL to @t's whole thread group, as
 * Linux's group-wide SIGKILL (tasklist_lock held): the group is marked
 * exiting (cause SIGKILL unless it already was) and every thread, @t too,
 * gets SIGKILL pending.
 */
void group_send_sigkill_locked(struct task_struct *t);
/*
 * reap_killed_tasks - exit the tasks with SIGKILL pending in @leader's
 * group or using @mm (either may be NULL), other than @skip, that no CPU
 * is running; the others die at their next kernel entry or return.  No
 * mmap_sem may be held (their exit takes it).
 */
void reap_killed_tasks(struct machine *m, struct task_struct *leader, struct mm_struct *mm,
		       struct task_struct *skip);

/* --- kernel/fork.c -------------------------------------------------------- */

/* A fresh address space: mm_users 1, mm_count 1, a pgd; NULL on -ENOMEM. */
struct mm_struct *mm_alloc(struct machine *m);
/* Drop a user: the last one tears the address space down. */
void mmput(struct mm_struct *mm);
/* Drop a struct reference: the last one frees the mm_struct. */
void mmdrop(struct mm_struct *mm);
static inline void mmget(struct mm_struct *mm)
{
	atomic_fetch_add(&mm->mm_users, 1);
}
static inline void mmgrab(struct mm_struct *mm)
{
	atomic_fetch_add(&mm->mm_count, 1);
}
/* dup_mmap - copy @oldmm's VMAs and page tables into @mm (fork). */
int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm);
/*
 * do_fork - a child of @parent (running as current): with CLONE_VM it
 * shares the parent's mm, otherwise gets a copy (COW).  The child is in
 * the pid table, TASK_RUNNING.  With CLONE_THREAD (which needs
 * CLONE_SIGHAND and CLONE_VM: -EINVAL otherwise) it joins the parent's
 * thread group.  Returns the child (no reference for the caller) or an
 * ERR_PTR-style NULL with *err set to -ENOMEM/-EAGAIN/-EINVAL, or -EINTR
 * for a thread of a group that is exiting.
 */
struct task_struct *do_fork(unsigned long clone_flags, struct task_struct *parent, int *err);
/* A new task with no mm yet (spawn): limits defaulted, pid assigned. */
struct task_struct *alloc_task(struct machine *m, int *err);
/* fork/vfork/clone of current: the child's pid or a negative errno. */
long sys_clone(unsigned long clone_flags);

/* --- kernel/sys.c, kernel/exec.c: a process's image ----------------------- */

/*
 * do_spawn - a new process from nothing (no parent): a fresh mm and, with
 * @with_stack, the stack VMA and stack pointer exec leaves.  Its pid, or
 * -ENOMEM/-EAGAIN.  Needs a CPU bound (cpu_enter), no task entered.
 */
int do_spawn(struct machine *m, bool with_stack);
/* prctl(PR_SET_NAME)'s work: @t's comm, at most 15 bytes of @name (@t's run_lock held). */
long __set_task_comm(struct task_struct *t, const char *name);
/* Virtual time passes (kernel/sys.c): @jiffies, scheduling points on the way; the clock after. */
unsigned long do_sleep(struct machine *m, unsigned long jiffies);
/* setrlimit(2) of current (Linux's errnos; shared by the tasks of its mm). */
long sys_setrlimit(int resource, unsigned long cur, unsigned long max);
/*
 * set_cpus_allowed - sched_setaffinity(2)'s work: the CPUs @p may run on (its run_lock held): -EINVAL
 * if @mask names no CPU of the machine, as Linux; it runs on one of them
 * from its next entry (task_enter).
 */
long set_cpus_allowed(struct task_struct *p, unsigned long mask);
/*
 * do_execve - replace @t's image (entered, current) with the ELF file
 * @path, its arguments and environment on the new stack.  0, or -errno
 * with the process left exactly as it was (kernel/exec.c).
 */
int do_execve(struct task_struct *t, const char *path, const char *const argv[],
	      const char *const envp[]);

/* --- kernel/exit.c -------------------------------------------------------- */

/* Detach and drop the task's mm (task entered or not yet visible). */
void exit_mm(struct task_struct *t);
/*
 * do_exit - end the task: exit_mm, TASK_ZOMBIE, and release it from the
 * pid table (nobody waits on it in vmsim: its record stays for
 * vmsim_task_info).  Drops the pid table's reference.  A thread-group
 * leader whose threads are still running stays in the pid table as a
 * zombie (its pid still names the group, as /proc/TGID on Linux) until the
 * last thread is released; other threads go at once.  Called with @t's
 * run_lock held (entered, or taken by whoever exits it).
 */
void do_exit(struct task_struct *t, int code);
/* exit(2) and exit_group(2) of current (0: it returns here, dead). */
long sys_exit(int error_code);
long sys_exit_group(int error_code);

/* --- kernel/task.c -------------------------------------------------------- */

/* A pid: its live task, or the record of how it ended. */
struct pid_entry {
	struct task_struct *task;		/* NULL once released */
	bool used;				/* the pid was ever given out */
	bool exited;				/* a zombie leader: exited, pid still held */
	int tgid;				/* its thread group */
	int nr_threads;				/* (task_get_record) threads of that group now */
	int signal, si_code;			/* fatal signal, if one killed it */
	unsigned long si_addr;
	int exit_code;
};

/* m->tasks */
struct task_state {
	spinlock_t tasklist_lock;		/* everything below */
	struct list_head task_list;		/* live tasks, in pid order */
	int nr_tasks;
	int last_pid;
	struct pid_entry *pids;			/* indexed by pid (host memory) */
	size_t pid_cap;
	/* each CPU's lazily loaded user mm and its mm_count reference */
	_Atomic(struct mm_struct *) lazy_mm[NR_CPUS];
	/*
	 * The mm whose mmap_sem this CPU's OOM killer holds for writing while
	 * it runs the exits of the mm's idle users (mm/oom_kill.c): exit_mm
	 * does not take it again.  Each CPU reads and writes only its slot.
	 */
	struct mm_struct *oom_reap_mm[NR_CPUS];
	struct kmem_cache_s *task_cachep;	/* "task_struct" (mm/slab.c's) */
	struct kmem_cache_s *mm_cachep;		/* "mm_struct" */
};

int task_init(struct machine *m);
/* Machine teardown: task_exit_machine, then the caches and the table go. */
void task_fini(struct machine *m);
/* Exit every remaining task and drop every CPU's lazily loaded mm. */
void task_exit_machine(struct machine *m);
/* Each CPU's lazily loaded mm dropped (the other CPUs must be quiescent). */
void task_drop_lazy_mms(struct machine *m);

/* The live task @pid with a reference, or NULL. */
struct task_struct *find_get_task(struct machine *m, int pid);
static inline void get_task_struct(struct task_struct *t)
{
	atomic_fetch_add(&t->usage, 1);
}
void put_task_struct(struct task_struct *t);

/*
 * task_enter - run @t on a simulated CPU of @m: take its run_lock, bind
 * the host thread (cpu_enter), make it current and load its mm
 * (switch_mm; lazy: the mm stays loaded after task_leave, holding an
 * mm_count reference, so the TLB stays warm for the next call).  Returns
 * the previous binding, for task_leave.  If the task is no longer
 * TASK_RUNNING, returns with *dead set and nothing entered.
 */
struct sim_cpu *task_enter(struct machine *m, struct task_struct *t, bool *dead);
void task_leave(struct task_struct *t, struct sim_cpu *saved);
/* Unload a mm from this CPU if it is the loaded one (exit path). */
void task_unlazy_mm(struct mm_struct *mm);
/* The running CPU loads the kernel's own tables (init_mm), dropping its lazy mm. */
void task_use_init_mm(void);
/* The last user of @mm went: drop every CPU's lazy reference to it. */
void task_steal_lazy_mm(struct mm_struct *mm);

/* A public call running in task @pid's context. */
struct task_call {
	struct sim_cpu *outer;		/* the thread's binding before the call */
	struct sim_cpu *saved;		/* task_enter's */
	struct task_struct *t;
};
/*
 * task_call_begin - bind the thread to @m and enter live task @pid for a
 * public call (0, or -ESRCH with nothing entered); task_call_end leaves.
 * The API reaches them through TASK_CALL (api/entry.h) only.
 */
int task_call_begin(struct machine *m, int pid, struct task_call *c);
void task_call_end(struct task_call *c);

/* Internal pid-table helpers (task.c), for fork.c, exit.c, sys.c and api/. */
/*
 * task_attach_pid - give @t the next pid and make it visible.  With
 * @leader NULL it starts its own thread group; otherwise it joins
 * @leader's (-EINTR if that group is exiting).
 */
int task_attach_pid(struct machine *m, struct task_struct *t, struct task_struct *leader);
void task_detach_pid(struct task_struct *t);
void free_task(struct task_struct *t);
/* The record of @pid (live or dead; nr_threads of its group filled in):
 * 0 or -ESRCH if never given out. */
int task_get_record(struct machine *m, int pid, struct pid_entry *out);
/* Live pids ascending into @pids (at most @max); returns the count. */
int task_list_pids(struct machine *m, int *pids, int max);
/* Threads of @t's group not yet released (a zombie leader counts). */
int get_nr_threads(struct task_struct *t);
/* A zombie thread-group leader's pid, with a reference on it, or NULL. */
struct task_struct *find_get_zombie_leader(struct machine *m, int pid);
/*
 * task_exchange_leader - de_thread's end for a thread @t that is not its
 * group's leader, the only thread left beside the zombie leader
 * (tasklist_lock held): @t takes the leader's pid (the tgid) and becomes
 * the leader of a one-thread group; its old tid is gone (its record keeps
 * how the old leader ended) and the old leader is released.  Returns the
 * old leader, whose two references (the pid table's, @t's) the caller
 * drops after unlocking.
 */
struct task_struct *task_exchange_leader(struct task_struct *t);
/* Another task using @mm, other than @t (tasklist_lock taken inside), or NULL. */
struct task_struct *task_find_mm_user(struct machine *m, struct mm_struct *mm,
				      struct task_struct *t);

#endif

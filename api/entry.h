/*
 * api/entry.h - how a public call enters the simulated kernel: the one
 * entry/exit path of the api/ layer.  Every vmsim_* function of the
 * public headers (but the script language's, in script/ on top of them)
 * is defined in api/, each a thin call into the kernel through one of
 * these.
 *
 * TASK_CALL(m, pid, expr) - a process call, as a system call entry:
 *   bind the host thread to a simulated CPU of @m, find live task @pid and
 *   enter it (current = the task, its mm loaded, a SIGKILL that arrived
 *   while no CPU ran it taken now: task_call_begin), evaluate @expr, a
 *   kernel call working on current (do_munmap(current->mm, ...),
 *   sys_open(...)), then leave as the return to user mode does
 *   (task_call_end).  Its value is @expr's, as a long; -ESRCH, with @expr
 *   not evaluated, for a pid never given out or whose task has died.
 *
 * MACHINE_CALL(m, expr) - a machine-wide call (no task entered): @expr
 *   runs with the host thread bound to a CPU of @m (cpu_enter: the
 *   thread's own CPU if it is attached to @m, else CPU 0), and the
 *   thread's previous binding comes back after it.  Its value is @expr's,
 *   of @expr's type.
 *
 * TASK_PEEK(m, pid, t, expr) - a look at a process without entering it
 *   (statistics, page-table walks): no cr3 load or TLB traffic, no pending
 *   signal taken, no scheduling point, so looking changes nothing.  In a
 *   MACHINE_CALL, @expr is evaluated with @t naming live task @pid, its
 *   run_lock held (it neither runs nor exits meanwhile) and t->mm set.
 *   Its value is @expr's as a long, or -ESRCH with @expr not evaluated.
 *
 * All are GNU statement expressions (gnu11, gcc and clang): a call site
 * is one line, and nothing is copied per call.  task_call_begin/end are the
 * only task entry of the API; the access streams (api/access.c) use it
 * once per batch and stay in user mode inside (struct mmu_run).
 */
#ifndef VMSIM_API_ENTRY_H
#define VMSIM_API_ENTRY_H

#include <errno.h>
#include "kern/sched.h"

#define TASK_CALL(m, pid, expr)						\
	({								\
		struct task_call __tc;					\
		long __ret = -ESRCH;					\
									\
		if (task_call_begin((m), (pid), &__tc) == 0) {		\
			__ret = (long)(expr);				\
			task_call_end(&__tc);				\
		}							\
		__ret;							\
	})

#define MACHINE_CALL(m, expr)						\
	({								\
		struct sim_cpu *__saved = cpu_enter(m);			\
		__auto_type __ret = (expr);				\
									\
		cpu_leave(__saved);					\
		__ret;							\
	})

/* TASK_PEEK's two halves: the task locked (NULL if none alive with an mm), and unlocked. */
static inline void task_peek_end(struct task_struct *t)
{
	pthread_mutex_unlock(&t->run_lock);
	put_task_struct(t);
}

static inline struct task_struct *task_peek_begin(struct machine *m, int pid)
{
	struct task_struct *t = find_get_task(m, pid);

	if (!t)
		return NULL;
	pthread_mutex_lock(&t->run_lock);
	if (t->state == TASK_RUNNING && t->mm)
		return t;
	task_peek_end(t);
	return NULL;
}

#define TASK_PEEK(m, pid, t, expr)					\
	MACHINE_CALL(m, ({						\
		struct task_struct *t = task_peek_begin((m), (pid));	\
		long __peek = -ESRCH;					\
									\
		if (t) {						\
			__peek = (long)(expr);				\
			task_peek_end(t);				\
		}							\
		__peek;							\
	}))

/*
 * reclaim_policy_by_name - the policy called @name, a plugin loaded and
 * registered first for "plugin:PATH" (api/reclaim.c); NULL with *@why
 * saying what is wrong.
 */
const struct reclaim_policy *reclaim_policy_by_name(const char *name, const char **why);

/* api/kernel.c: free what the kernel context left (vmsim_machine_destroy). */
void kernel_ctx_destroy(struct machine *m);

/* api/trace.c: the machine's events off and their sink freed (machine teardown). */
void events_release(struct machine *m);

#endif

/*
 * Signals of the simulated tasks: only the ones faults raise (SIGSEGV,
 * SIGBUS) and SIGKILL, all with their default action: the task dies, and
 * the signal, si_code and faulting address are kept for vmsim_task_info.
 *
 * A fault is raised deep inside one of the process's own accesses
 * (mmu_user_* -> do_page_fault; the kernel's copy_to_user never signals,
 * it returns -EFAULT); like a real CPU returning to user mode, the signal is
 * acted on when the access returns to the public entry point
 * (task_deliver_signal), never by unwinding kernel code in the middle.
 *
 * Thread groups.  A fatal signal's default action ends the whole group
 * (Linux's do_group_exit): the group is marked exiting on its leader
 * (SIGNAL_GROUP_EXIT, with the cause), every other thread gets SIGKILL
 * (zap_other_threads), the threads no CPU runs now are exited at once by
 * the killer (it can take their run_lock), and those running on other
 * CPUs die at their next kernel entry (task_enter) or return to user mode
 * (task_call_end, task_deliver_signal after an access), as a real thread
 * does when the IPI's signal is checked.  A running thread's access keeps
 * a live mm meanwhile: it holds a user reference, so the address space is
 * torn down once, by whichever thread is last, and the TLB shootdown
 * protocol (hw/tlb.h) is not involved beyond what every exit does.
 */
#include "kern/sched.h"

/*
 * force_sig_fault - @t (the running task) takes a fault it cannot
 * survive.  The first signal raised during an access is the one that
 * kills: later ones (a multi-page copy stopping at the first bad page
 * raises only one anyway) do not overwrite it.
 */
void force_sig_fault(struct task_struct *t, int sig, int code, unsigned long addr)
{
	BUG_ON_MSG(!t, "force_sig_fault(sig %d, addr %#lx) without a task", sig, addr);
	BUG_ON_MSG(sig != SIGSEGV && sig != SIGBUS && sig != SIGKILL,
		   "force_sig_fault pid %d: signal %d not supported", t->pid, sig);
	if (t->pending_signal)
		return;
	trace_signal_generate(this_machine(), t, sig, code, addr);
	t->pending_signal = sig;
	t->pending_si_code = code;
	t->pending_si_addr = addr;
}

static void set_sigkill_pending(struct task_struct *p)
{
	__atomic_store_n(&p->sigkill_pending, 1, __ATOMIC_RELAXED);
}

int zap_other_threads(struct task_struct *t)
{
	struct task_struct *leader = t->group_leader, *p;
	int n = 0;

	if (leader != t) {
		set_sigkill_pending(leader);	/* harmless if it is a zombie */
		n++;
	}
	list_for_each_entry(p, &leader->thread_group, thread_group) {
		if (p != t) {
			set_sigkill_pending(p);
			n++;
		}
	}
	return n;
}

void group_send_sigkill_locked(struct task_struct *t)
{
	struct task_struct *leader = t->group_leader;

	if (!leader->group_exit) {
		leader->group_exit = true;
		leader->group_exit_signal = SIGKILL;
		leader->group_exit_code = SIGKILL;
	}
	set_sigkill_pending(t);
	zap_other_threads(t);
}

/*
 * The next live task after pid @after with SIGKILL pending and in
 * @leader's group or using @mm, other than @skip, with a reference; NULL
 * when there is none.  The task list is in pid order.
 */
static struct task_struct *next_killed_task(struct machine *m, int *after,
					    struct task_struct *leader, struct mm_struct *mm,
					    struct task_struct *skip)
{
	struct task_state *ts = m->tasks;
	struct task_struct *p, *found = NULL;

	spin_lock(&ts->tasklist_lock);
	list_for_each_entry(p, &ts->task_list, tasks) {
		if (p->pid <= *after || p == skip || !task_sigkill_pending(p))
			continue;
		if ((leader && p->group_leader == leader) || (mm && p->mm == mm)) {
			found = p;
			get_task_struct(p);
			/* read here: an exec'ing thread's pid changes under this lock */
			*after = p->pid;
			break;
		}
	}
	spin_unlock(&ts->tasklist_lock);
	return found;
}

static void task_exit_killed(struct task_struct *t, bool reap);

/*
 * reap_killed_tasks - exit now the tasks with SIGKILL pending in
 * @leader's group or using @mm (other than @skip) that no CPU runs: their
 * run_lock is free, so their exit is ours to do.  A task whose run_lock is
 * taken is running somewhere (or being exited by someone else) and dies
 * at its next kernel entry or return.  Called with no mmap_sem held.
 */
void reap_killed_tasks(struct machine *m, struct task_struct *leader, struct mm_struct *mm,
		       struct task_struct *skip)
{
	struct task_struct *p;
	int after = 0;

	while ((p = next_killed_task(m, &after, leader, mm, skip))) {
		if (!pthread_mutex_trylock(&p->run_lock)) {
			if (p->state == TASK_RUNNING)
				task_exit_killed(p, false);
			pthread_mutex_unlock(&p->run_lock);
		}
		put_task_struct(p);
	}
}

/*
 * task_exit_killed - @t (its run_lock held, alive) dies of the SIGKILL
 * another task sent: with its group's cause if the group is exiting (the
 * signal in its exit status, as Linux reports it for each thread; no
 * si_code or address, the fault was not this thread's), else SIGKILL.
 * With @reap it first exits the other threads of its group that no CPU
 * runs, so that the first thread to notice finishes the group's death.
 */
static void task_exit_killed(struct task_struct *t, bool reap)
{
	struct task_state *ts = t->machine->tasks;
	struct task_struct *leader = t->group_leader;
	int sig = SIGKILL, code = SIGKILL;
	bool group;

	spin_lock(&ts->tasklist_lock);
	group = leader->group_exit;
	if (group) {
		sig = leader->group_exit_signal;
		code = leader->group_exit_code;
	}
	spin_unlock(&ts->tasklist_lock);
	if (reap && group)
		reap_killed_tasks(t->machine, leader, NULL, t);
	t->exit_signal_nr = sig;
	t->exit_si_code = 0;
	t->exit_si_addr = 0;
	t->pending_signal = 0;
	__atomic_store_n(&t->sigkill_pending, 0, __ATOMIC_RELAXED);
	do_exit(t, code);
}

void do_group_exit(struct task_struct *t, int sig, int code, unsigned long addr)
{
	struct task_state *ts = t->machine->tasks;
	struct task_struct *leader = t->group_leader;
	bool zap = true;

	BUG_ON_MSG(t->state != TASK_RUNNING, "do_group_exit: pid %d state %d", t->pid, t->state);
	spin_lock(&ts->tasklist_lock);
	if (leader->group_exec) {
		/*
		 * a thread is exec'ing (de_thread): it killed us already and
		 * survives the group, so we only exit ourselves (Linux's
		 * do_group_exit with group_exec_task set)
		 */
		zap = false;
	}
	if (leader->group_exit) {
		/* another thread's cause came first: it is the group's */
		sig = leader->group_exit_signal;
		code = leader->group_exit_code;
		addr = 0;
		if (sig)
			code = 0;
	} else {
		leader->group_exit = true;
		leader->group_exit_signal = sig;
		leader->group_exit_code = sig ? sig : code;
	}
	if (zap)
		zap_other_threads(t);
	spin_unlock(&ts->tasklist_lock);
	if (zap)
		reap_killed_tasks(t->machine, leader, NULL, t);
	t->exit_signal_nr = sig;
	t->exit_si_code = sig ? code : 0;
	t->exit_si_addr = sig ? addr : 0;
	t->pending_signal = 0;
	__atomic_store_n(&t->sigkill_pending, 0, __ATOMIC_RELAXED);
	do_exit(t, sig ? sig : code);	/* wait status: killed by sig, or exited with code */
}

bool task_deliver_signal(struct task_struct *t)
{
	int sig = t->pending_signal;

	if (likely(!sig)) {
		if (likely(!task_sigkill_pending(t)))
			return false;
		task_exit_killed(t, true);
		return true;
	}
	/* default action of SIGSEGV/SIGBUS/SIGKILL: terminate the thread group */
	t->pending_signal = 0;
	do_group_exit(t, sig, t->pending_si_code, t->pending_si_addr);
	return true;
}

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
	t->pending_signal = sig;
	t->pending_si_code = code;
	t->pending_si_addr = addr;
}

bool task_deliver_signal(struct task_struct *t)
{
	int sig = t->pending_signal;

	if (!sig)
		return false;
	/* default action of SIGSEGV/SIGBUS/SIGKILL: terminate */
	t->exit_signal_nr = sig;
	t->exit_si_code = t->pending_si_code;
	t->exit_si_addr = t->pending_si_addr;
	t->pending_signal = 0;
	do_exit(t, sig);	/* wait status: killed by sig */
	return true;
}

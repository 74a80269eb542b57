/*
 * exit: a task ends (normally or killed by a signal), as Linux's
 * kernel/exit.c: exit_mm detaches and drops its address space (the last
 * user's mmput runs exit_mmap: zap_page_range over every VMA, then
 * free_pgtables), then the task is released from the pid table.  vmsim
 * has no parent waiting, so the zombie is reaped at once; the pid keeps a
 * record of how the task ended (vmsim_task_info).
 *
 * Thread groups: a thread that exits alone (exit, not exit_group) leaves
 * the others running; the mm goes with the last user.  A group leader
 * that exits first stays a zombie in the pid table until its last thread
 * is released (kernel/task.c, task_detach_pid).  Group exit (exit_group, a
 * fatal signal) is do_group_exit in kernel/signal.c.
 */
#include "kern/sched.h"
#include "kern/memory.h"
#include "kern/mman.h"
#include "kern/fs.h"

/*
 * exit_mm - the task leaves its mm.  If the mm's limits pointer is this
 * task's array, it moves to another user's (equal) copy first, since this
 * task_struct is about to be freed.  The CPU switches to the kernel's
 * page tables first; the last user's mmput then tears the mm down and
 * takes it from every other CPU that still has it loaded lazily.
 */
void exit_mm(struct task_struct *t)
{
	struct mm_struct *mm = t->mm;
	struct task_state *ts = t->machine->tasks;
	bool held;

	if (!mm)
		return;
	/* the OOM killer exiting idle victims holds it already (mm/oom_kill.c) */
	held = ts->oom_reap_mm[this_cpu()->id] == mm;
	if (!held)
		down_write(&mm->mmap_sem);
	if (mm->rlim == t->rlim) {
		struct task_struct *other = task_find_mm_user(t->machine, mm, t);

		mm->rlim = other ? other->rlim : NULL;
	}
	spin_lock(&ts->tasklist_lock);
	t->mm = NULL;
	spin_unlock(&ts->tasklist_lock);
	if (!held)
		up_write(&mm->mmap_sem);
	t->active_mm = NULL;
	/* this CPU goes back to the kernel's page tables before the teardown */
	task_unlazy_mm(mm);
	mmput(mm);
}

void do_exit(struct task_struct *t, int code)
{
	BUG_ON_MSG(t->state != TASK_RUNNING, "do_exit: pid %d state %d", t->pid, t->state);
	task_set_flags(t, PF_EXITING);
	exit_mm(t);
	files_exit(t);		/* fs/open.c: the last user closes every file */
	t->exit_code = code;
	t->state = TASK_ZOMBIE;
	/* release_task: nobody waits, reap now (a leader with threads waits for them) */
	task_detach_pid(t);
}

/* exit(2) of the calling thread: the rest of its group runs on */
long sys_exit(int error_code)
{
	do_exit(current, error_code);
	return 0;
}

/* exit_group(2): every thread of the caller's group ends */
long sys_exit_group(int error_code)
{
	do_group_exit(current, 0, error_code, 0);
	return 0;
}

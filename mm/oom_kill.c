/*
 * The OOM killer (Linux mm/oom_kill.c): when direct reclaim cannot free
 * anything for a small allocation, the process using the most memory is
 * killed with SIGKILL so that the others can go on.  Badness as modern
 * Linux, without oom_score_adj: resident pages + swap entries + page-table
 * pages.  Ties go to the lowest pid (the task list is in pid order), so a
 * run is deterministic.
 *
 * The victim dies at once when no CPU is running it: the killer takes its
 * run_lock (trylock) and runs its exit, so its memory is back before the
 * allocation is retried.  If the victim is the allocating task itself, or
 * shares its mm, or is running on another CPU, the allocating task is the
 * one killed (the SIGKILL is acted on when its call returns) and the
 * allocation fails.
 *
 * As Linux's oom_kill_process, the SIGKILL goes to the victim's whole
 * thread group and to every other process sharing its mm (the memory goes
 * only with the last user): each is marked (group_send_sigkill_locked);
 * those no CPU runs are exited here, the others die at their next kernel
 * entry or return.  Tasks already marked are not chosen again.
 *
 * Never blocking on the victim's mmap_sem.  The allocating task may hold
 * its own mm's mmap_sem (a fault); exiting the victim needs the victim's
 * mm's for writing.  Two CPUs each killing a process whose mm the other
 * holds would wait for each other (ABBA).  Linux's killer never takes the
 * victim's mmap_sem: it marks the victim, the victim tears its mm down
 * when it next runs, and the OOM reaper only ever trylocks it and retries.
 * vmsim does the same with the victims it exits itself: the victim's
 * mmap_sem is taken with a trylock and held while every idle user of the
 * mm exits (exit_mm sees this CPU holds it: ts->oom_reap_mm), with a user
 * reference of ours so that no exit in between tears the mm down; the
 * teardown (exit_mmap) is the last mmput's, after the lock is dropped, on
 * an mm nobody uses any more.  If the trylock fails, the victims stay
 * marked (PF_OOM_REAP) and the allocation is retried; the next call of the
 * killer retries their exit first (the reaper's retry) instead of choosing
 * another victim, and a victim that runs meanwhile dies at its return.
 */
#include <sched.h>
#include "kern/vmscan.h"
#include "kern/printk.h"

unsigned long oom_badness(struct task_struct *t)
{
	struct mm_struct *mm = t->mm;

	if (!mm)
		return 0;
	return get_mm_rss(mm) + (unsigned long)atomic_load(&mm->swap_ents) +
	       (unsigned long)atomic_load(&mm->nr_ptes);
}

/* The task with the highest badness, with a reference; NULL if none. */
static struct task_struct *select_bad_process(struct machine *m)
{
	struct task_state *ts = m->tasks;
	struct task_struct *t, *chosen = NULL;
	unsigned long best = 0;

	spin_lock(&ts->tasklist_lock);
	list_for_each_entry(t, &ts->task_list, tasks) {
		unsigned long points;

		if (!t->mm || (task_flags(t) & (PF_KTHREAD | PF_EXITING)) ||
		    task_sigkill_pending(t))
			continue;
		points = oom_badness(t);
		if (!chosen || points > best) {
			chosen = t;
			best = points;
		}
	}
	if (chosen)
		get_task_struct(chosen);
	spin_unlock(&ts->tasklist_lock);
	return chosen;
}

static void oom_report(struct machine *m, struct task_struct *t)
{
	struct mm_struct *mm = t->mm;
	const int k = PAGE_SHIFT - 10;

	trace_mark_victim(m, t);
	printk(m, "Out of memory: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, "
	       "file-rss:%lukB, shmem-rss:%lukB\n", t->pid, t->comm, mm->total_vm << k,
	       (unsigned long)atomic_load(&mm->rss_anon) << k,
	       (unsigned long)atomic_load(&mm->rss_file) << k,
	       (unsigned long)atomic_load(&mm->rss_shmem) << k);
	count_vm_event(OOM_KILL);
	atomic_fetch_add(&m->vmscan->oom_kills, 1);
}

/* SIGKILL to every thread group with a task using @mm (tasklist_lock taken). */
static void oom_kill_mm_users(struct machine *m, struct mm_struct *mm)
{
	struct task_state *ts = m->tasks;
	struct task_struct *p;

	spin_lock(&ts->tasklist_lock);
	list_for_each_entry(p, &ts->task_list, tasks)
		if (p->mm == mm)
			group_send_sigkill_locked(p);
	spin_unlock(&ts->tasklist_lock);
}

/* Mark every task using @mm (tasklist_lock taken) as a victim still to be exited. */
static void oom_mark_reap_pending(struct machine *m, struct mm_struct *mm)
{
	struct task_state *ts = m->tasks;
	struct task_struct *p;

	spin_lock(&ts->tasklist_lock);
	list_for_each_entry(p, &ts->task_list, tasks)
		if (p->mm == mm)
			task_set_flags(p, PF_OOM_REAP);
	spin_unlock(&ts->tasklist_lock);
}

/*
 * oom_reap_victim - exit @victim (alive, its run_lock held, SIGKILL
 * pending or about to be) and every other idle task using its mm, without
 * waiting for the mm's mmap_sem.  False if the lock is taken: nothing was
 * exited, the victims are left marked PF_OOM_REAP for a retry.
 */
static bool oom_reap_victim(struct machine *m, struct task_struct *victim)
{
	struct task_state *ts = m->tasks;
	struct mm_struct *mm = victim->mm;
	int cpu = this_cpu()->id;

	if (!down_write_trylock(&mm->mmap_sem)) {
		oom_mark_reap_pending(m, mm);
		return false;
	}
	mmget(mm);			/* the teardown waits for our mmput below */
	ts->oom_reap_mm[cpu] = mm;
	if (!task_sigkill_pending(victim))
		force_sig_fault(victim, SIGKILL, 0, 0);
	task_deliver_signal(victim);	/* its group: do_group_exit */
	reap_killed_tasks(m, NULL, mm, victim);	/* other processes sharing it */
	ts->oom_reap_mm[cpu] = NULL;
	up_write(&mm->mmap_sem);
	mmput(mm);			/* the last user's: exit_mmap, nobody uses it now */
	return true;
}

/*
 * A victim marked by an earlier call whose exit could not run (its mm's
 * mmap_sem was taken), with a reference; NULL if none.  Not one using
 * @cur_mm: that one dies with us.
 */
static struct task_struct *find_reap_pending(struct machine *m, struct mm_struct *cur_mm)
{
	struct task_state *ts = m->tasks;
	struct task_struct *t, *found = NULL;

	spin_lock(&ts->tasklist_lock);
	list_for_each_entry(t, &ts->task_list, tasks) {
		if ((task_flags(t) & PF_OOM_REAP) && t->mm && t->mm != cur_mm) {
			found = t;
			get_task_struct(t);
			break;
		}
	}
	spin_unlock(&ts->tasklist_lock);
	return found;
}

/*
 * The OOM reaper's retry: exit a pending victim if it is idle and its mm
 * free now.  Either way the caller retries its allocation (true): a
 * victim that runs elsewhere dies at its return, and the page allocator
 * bounds the retries.
 */
static bool oom_retry_pending(struct machine *m, struct task_struct *victim)
{
	bool reaped = false;

	if (!pthread_mutex_trylock(&victim->run_lock)) {
		if (victim->state == TASK_RUNNING && victim->mm)
			reaped = oom_reap_victim(m, victim);
		pthread_mutex_unlock(&victim->run_lock);
	}
	put_task_struct(victim);
	if (!reaped)
		sched_yield();		/* let the holder of the mm's lock go on */
	return true;
}

bool out_of_memory(struct machine *m, gfp_t gfp_mask, unsigned int order)
{
	struct task_struct *cur = this_cpu()->curr;
	struct task_struct *victim;

	(void)gfp_mask;
	(void)order;
	if (cur && (task_flags(cur) & PF_KTHREAD))
		return false;		/* kswapd never kills */
	if (atomic_load(&m->vmscan->swapoff_active))
		return false;		/* swapoff fails with -ENOMEM instead */
	if (cur && task_sigkill_pending(cur))
		return false;		/* we die at our return: no more victims for us */
	victim = find_reap_pending(m, cur ? cur->mm : NULL);
	if (victim)
		return oom_retry_pending(m, victim);
	victim = select_bad_process(m);
	if (!victim)
		return false;
	if (victim != cur) {
		bool ours = cur && cur->mm;

		if (ours && victim->mm == cur->mm) {
			/* a thread of our own mm: its exit would wait for our mmap_sem */
			put_task_struct(victim);
			victim = cur;
			get_task_struct(victim);
		} else if (pthread_mutex_trylock(&victim->run_lock)) {
			/* running on another CPU: the allocating task goes instead */
			put_task_struct(victim);
			if (!ours)
				return false;
			victim = cur;
			get_task_struct(victim);
		}
	}
	if (victim == cur) {
		oom_report(m, cur);
		force_sig_fault(cur, SIGKILL, 0, 0);
		/* the others die at their next entry: we may hold the mm's mmap_sem */
		oom_kill_mm_users(m, cur->mm);
		put_task_struct(victim);
		return false;
	}
	/* we hold its run_lock: it runs nowhere, its exit is ours to do */
	if (victim->state == TASK_RUNNING) {
		oom_report(m, victim);
		oom_kill_mm_users(m, victim->mm);
		if (!oom_reap_victim(m, victim))
			sched_yield();	/* its mm is busy: retried at our next call */
	}
	pthread_mutex_unlock(&victim->run_lock);
	put_task_struct(victim);
	return true;
}

/*
 * Tasks: the machine's pid table and task list, task_struct references,
 * and running a task on a simulated CPU (task_enter / task_leave).
 *
 * Pids start at 1 and only increase, so runs are deterministic and the
 * task list (appended in pid order) is always sorted.  A pid whose task
 * has gone keeps a small record (how it died) for vmsim_task_info; the
 * task_struct itself goes back to its slab cache at once, as Linux's
 * release_task does once the parent reaped it (vmsim has no wait()).
 *
 * Lock order (outermost first):
 *   task->run_lock  ->  mm->mmap_sem  ->  tasklist_lock
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kern/sched.h"
#include "kern/slab.h"
#include "kern/pgtable.h"

int task_init(struct machine *m)
{
	struct task_state *ts = calloc(1, sizeof(*ts));

	if (!ts)
		return -ENOMEM;
	spin_lock_init(&ts->tasklist_lock);
	INIT_LIST_HEAD(&ts->task_list);
	ts->task_cachep = task_struct_cachep(m);
	ts->mm_cachep = mm_cachep(m);
	BUG_ON_MSG(!ts->task_cachep || !ts->mm_cachep,
		   "task_init: slab caches task_struct/mm_struct missing");
	m->tasks = ts;
	return 0;
}

/* Grow the pid table so that index @pid exists (tasklist_lock held). */
static int pid_table_reserve(struct task_state *ts, int pid)
{
	size_t cap;
	struct pid_entry *p;

	if ((size_t)pid < ts->pid_cap)
		return 0;
	cap = ts->pid_cap ? ts->pid_cap * 2 : 64;
	while (cap <= (size_t)pid)
		cap *= 2;
	p = realloc(ts->pids, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memset(p + ts->pid_cap, 0, (cap - ts->pid_cap) * sizeof(*p));
	ts->pids = p;
	ts->pid_cap = cap;
	return 0;
}

/*
 * task_attach_pid - give @t the next pid and make it visible (pid table,
 * task list, TASK_RUNNING), as the leader of a new thread group or as a
 * thread of @leader's (copy_process's CLONE_THREAD branch: the thread
 * takes a reference on its leader).  The table takes over the caller's
 * reference.  0, -EINTR when @leader's group is already exiting (as
 * copy_process refuses a fork with a fatal signal pending), -EAGAIN when
 * pids ran out, -ENOMEM when the table cannot grow.
 */
int task_attach_pid(struct machine *m, struct task_struct *t, struct task_struct *leader)
{
	struct task_state *ts = m->tasks;
	int pid, err;

	spin_lock(&ts->tasklist_lock);
	if (leader && leader->group_exit) {
		err = -EINTR;
		goto out;
	}
	if (ts->last_pid == VMSIM_PID_MAX) {
		err = -EAGAIN;
		goto out;
	}
	pid = ts->last_pid + 1;
	err = pid_table_reserve(ts, pid);
	if (err)
		goto out;
	ts->last_pid = pid;
	t->pid = pid;
	t->state = TASK_RUNNING;
	if (leader) {
		t->tgid = leader->tgid;
		t->group_leader = leader;
		get_task_struct(leader);
		/* tids only grow: appending keeps the group in tid order */
		list_add_tail(&t->thread_group, &leader->thread_group);
		leader->nr_threads++;
	} else {
		t->tgid = pid;
		t->group_leader = t;
		t->nr_threads = 1;
	}
	ts->pids[pid].task = t;
	ts->pids[pid].used = true;
	ts->pids[pid].tgid = t->tgid;
	list_add_tail(&t->tasks, &ts->task_list);
	ts->nr_tasks++;
out:
	spin_unlock(&ts->tasklist_lock);
	return err;
}

/* Record how @t ended in its pid entry (tasklist_lock held). */
static void pid_record_exit(struct pid_entry *e, const struct task_struct *t)
{
	e->signal = t->exit_signal_nr;
	e->si_code = t->exit_si_code;
	e->si_addr = t->exit_si_addr;
	e->exit_code = t->exit_code;
}

/* Release @t's pid (tasklist_lock held): the record stays, the task goes. */
static void pid_release(struct task_state *ts, struct task_struct *t)
{
	struct pid_entry *e = &ts->pids[t->pid];

	e->task = NULL;
	e->exited = false;
	t->state = TASK_DEAD;
}

/*
 * task_detach_pid - @t has exited (TASK_ZOMBIE, its run_lock held): take
 * it off the task list and record how it ended.  Then release_task as
 * Linux: a thread leaves its group and its pid at once; a leader whose
 * threads still run stays in the pid table as a zombie (delay_group_leader)
 * and is released with the last of them.  A zombie leader released by a
 * group exit takes the group's cause as its own, as wait() reports
 * group_exit_code for the process.  Drops the references that go: the pid
 * table's on each released task, the thread's on its leader.
 */
void task_detach_pid(struct task_struct *t)
{
	struct task_state *ts = t->machine->tasks;
	struct task_struct *leader = t->group_leader, *reap_leader = NULL;
	struct pid_entry *e;
	bool release_self = true, is_leader = t == leader;

	spin_lock(&ts->tasklist_lock);
	e = &ts->pids[t->pid];
	BUG_ON_MSG(e->task != t, "task_detach_pid: pid %d is not task %p", t->pid, (void *)t);
	pid_record_exit(e, t);
	list_del(&t->tasks);
	ts->nr_tasks--;
	if (t == leader) {
		if (t->nr_threads > 1) {
			e->exited = true;	/* a zombie naming the group */
			release_self = false;
		} else {
			t->nr_threads = 0;
			pid_release(ts, t);
		}
	} else {
		list_del_init(&t->thread_group);
		leader->nr_threads--;
		pid_release(ts, t);
		if (leader->nr_threads == 1 && ts->pids[leader->pid].exited) {
			struct pid_entry *le = &ts->pids[leader->pid];

			if (leader->group_exit) {
				le->signal = leader->group_exit_signal;
				le->si_code = 0;
				le->si_addr = 0;
				le->exit_code = leader->group_exit_code;
			}
			leader->nr_threads = 0;
			pid_release(ts, leader);
			reap_leader = leader;
		}
	}
	spin_unlock(&ts->tasklist_lock);
	if (release_self)
		put_task_struct(t);		/* the pid table's */
	if (!is_leader)
		put_task_struct(leader);	/* the thread's on its leader */
	if (reap_leader)
		put_task_struct(reap_leader);	/* the pid table's on the zombie */
}

struct task_struct *task_exchange_leader(struct task_struct *t)
{
	struct task_state *ts = t->machine->tasks;
	struct task_struct *leader = t->group_leader, *p;
	int tgid = leader->pid, old = t->pid;
	struct pid_entry *le = &ts->pids[tgid], *te = &ts->pids[old];

	BUG_ON_MSG(leader == t || le->task != leader || !le->exited || leader->nr_threads != 2,
		   "task_exchange_leader: pid %d, leader %d not a zombie with one thread left",
		   old, tgid);
	BUG_ON_MSG(te->task != t, "task_exchange_leader: pid %d is not task %p", old, (void *)t);
	/* the old tid is gone; its record tells how the old leader ended */
	*te = *le;
	te->task = NULL;
	te->exited = false;
	/* the tgid names the exec'ing thread from now on, alive */
	memset(le, 0, sizeof(*le));
	le->task = t;
	le->used = true;
	le->tgid = tgid;
	leader->nr_threads = 0;
	leader->state = TASK_DEAD;
	list_del_init(&t->thread_group);
	t->pid = tgid;
	t->group_leader = t;
	t->nr_threads = 1;
	t->group_exit = false;
	t->group_exit_code = 0;
	t->group_exit_signal = 0;
	t->group_exec = false;
	/* the task list stays in pid order: @t moves up to the tgid's place */
	list_del(&t->tasks);
	list_for_each_entry(p, &ts->task_list, tasks)
		if (p->pid > tgid)
			break;
	list_add_tail(&t->tasks, &p->tasks);
	return leader;
}

struct task_struct *find_get_task(struct machine *m, int pid)
{
	struct task_state *ts = m->tasks;
	struct task_struct *t = NULL;

	if (pid <= 0)
		return NULL;
	spin_lock(&ts->tasklist_lock);
	/* a task still in the table may be exiting: task_enter checks state */
	if ((size_t)pid < ts->pid_cap && ts->pids[pid].task) {
		t = ts->pids[pid].task;
		get_task_struct(t);
	}
	spin_unlock(&ts->tasklist_lock);
	return t;
}

struct task_struct *find_get_zombie_leader(struct machine *m, int pid)
{
	struct task_state *ts = m->tasks;
	struct task_struct *t = NULL;

	if (pid <= 0)
		return NULL;
	spin_lock(&ts->tasklist_lock);
	if ((size_t)pid < ts->pid_cap && ts->pids[pid].task && ts->pids[pid].exited) {
		t = ts->pids[pid].task;
		get_task_struct(t);
	}
	spin_unlock(&ts->tasklist_lock);
	return t;
}

int get_nr_threads(struct task_struct *t)
{
	struct task_state *ts = t->machine->tasks;
	int n;

	spin_lock(&ts->tasklist_lock);
	n = t->group_leader ? t->group_leader->nr_threads : 0;
	spin_unlock(&ts->tasklist_lock);
	return n;
}

int task_get_record(struct machine *m, int pid, struct pid_entry *out)
{
	struct task_state *ts = m->tasks;
	int err = -ESRCH;

	if (pid <= 0)
		return -ESRCH;
	spin_lock(&ts->tasklist_lock);
	if ((size_t)pid < ts->pid_cap && ts->pids[pid].used) {
		*out = ts->pids[pid];
		out->nr_threads = out->task ? out->task->group_leader->nr_threads : 0;
		err = 0;
	}
	spin_unlock(&ts->tasklist_lock);
	return err;
}

int task_list_pids(struct machine *m, int *pids, int max)
{
	struct task_state *ts = m->tasks;
	struct task_struct *t;
	int n = 0;

	spin_lock(&ts->tasklist_lock);
	list_for_each_entry(t, &ts->task_list, tasks) {
		if (n < max && pids)
			pids[n] = t->pid;
		n++;
	}
	spin_unlock(&ts->tasklist_lock);
	return n;
}

struct task_struct *task_find_mm_user(struct machine *m, struct mm_struct *mm,
				      struct task_struct *t)
{
	struct task_state *ts = m->tasks;
	struct task_struct *p, *found = NULL;

	spin_lock(&ts->tasklist_lock);
	list_for_each_entry(p, &ts->task_list, tasks) {
		if (p != t && p->mm == mm) {
			found = p;
			break;
		}
	}
	spin_unlock(&ts->tasklist_lock);
	return found;
}

/* Default limits of an unprivileged Linux process. */
static void init_rlimits(struct rlimit *rlim)
{
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		rlim[i].rlim_cur = RLIM_INFINITY;
		rlim[i].rlim_max = RLIM_INFINITY;
	}
	rlim[RLIMIT_STACK].rlim_cur = 8UL << 20;
	rlim[RLIMIT_MEMLOCK].rlim_cur = 8UL << 20;
	rlim[RLIMIT_MEMLOCK].rlim_max = 8UL << 20;
	rlim[RLIMIT_CORE].rlim_cur = 0;
	rlim[RLIMIT_NOFILE].rlim_cur = 1024;
	rlim[RLIMIT_NOFILE].rlim_max = 4096;
}

/*
 * alloc_task - a task_struct from the "task_struct" cache, not yet
 * visible: no pid, no mm, default limits, one reference (the pid table's
 * once attached).  NULL with *err = -ENOMEM.
 */
struct task_struct *alloc_task(struct machine *m, int *err)
{
	struct task_struct *t = kmem_cache_alloc(m->tasks->task_cachep, GFP_KERNEL);

	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	memset(t, 0, sizeof(*t));
	atomic_init(&t->usage, 1);
	pthread_mutex_init(&t->run_lock, NULL);
	INIT_LIST_HEAD(&t->tasks);
	INIT_LIST_HEAD(&t->thread_group);
	t->machine = m;
	t->state = TASK_ZOMBIE;		/* not runnable until attached */
	init_rlimits(t->rlim);
	t->cpus_allowed = (uint16_t)cpu_online_mask(m);
	return t;
}

/* Free a task that was never attached (fork's failure path). */
void free_task(struct task_struct *t)
{
	BUG_ON_MSG(t->mm, "free_task: task %p still has mm %p", (void *)t, (void *)t->mm);
	pthread_mutex_destroy(&t->run_lock);
	kmem_cache_free(t->machine->tasks->task_cachep, t);
}

void put_task_struct(struct task_struct *t)
{
	int old = atomic_fetch_sub(&t->usage, 1);

	BUG_ON_MSG(old <= 0, "put_task_struct: pid %d usage %d", t->pid, old);
	if (old == 1) {
		BUG_ON_MSG(t->state != TASK_DEAD && t->state != TASK_ZOMBIE,
			   "put_task_struct: freeing live pid %d", t->pid);
		free_task(t);
	}
}

/*
 * Lazy TLB.  After a call the CPU keeps the task's mm loaded, so the next
 * call for the same mm finds its translations still in the TLB.  The
 * CPU's lazy reference is an mm_count reference owned by its slot
 * ts->lazy_mm[cpu]: the CPU itself exchanges the slot when it loads
 * another mm; when an mm loses its last user, mmput takes the reference
 * away from every slot still holding it (task_steal_lazy_mm), even for
 * CPUs no thread runs now, so the struct and its pgd go at once and the
 * accounting is exact.  A CPU whose slot was emptied that way has a
 * stale cpu->active_mm; it is never followed, only replaced at the next
 * switch (prev passed as NULL).
 */
static void task_switch_mm(struct sim_cpu *cpu, struct mm_struct *next)
{
	struct machine *m = cpu->machine;
	_Atomic(struct mm_struct *) *slot = &m->tasks->lazy_mm[cpu->id];
	struct mm_struct *prev = atomic_load(slot);

	if (prev == next) {
		/* still loaded: a live next cannot be stolen meanwhile */
		if (next)
			switch_mm(next, next, cpu);
		return;
	}
	if (next)
		mmgrab(next);
	prev = atomic_exchange(slot, next);
	if (!prev && cpu->active_mm == m->init_mm)
		switch_mm(m->init_mm, next ? next : m->init_mm, cpu);
	else
		switch_mm(prev, next ? next : m->init_mm, cpu);
	if (prev)
		mmdrop(prev);
}

/* mmput's last user gone: take @mm's lazy references from every CPU. */
void task_steal_lazy_mm(struct mm_struct *mm)
{
	struct machine *m = mm->machine;

	if (!m->tasks)
		return;
	for (int i = 0; i < m->nr_cpus; i++) {
		struct mm_struct *expected = mm;

		if (atomic_compare_exchange_strong(&m->tasks->lazy_mm[i], &expected, NULL))
			mmdrop(mm);
	}
}

struct sim_cpu *task_enter(struct machine *m, struct task_struct *t, bool *dead)
{
	struct sim_cpu *saved = cpu_enter(m);
	struct sim_cpu *cpu;

	pthread_mutex_lock(&t->run_lock);
	cpu = cpu_migrate(m, t->cpus_allowed);
	if (unlikely(t->state == TASK_RUNNING && task_sigkill_pending(t))) {
		/* killed while no CPU ran it (its group, the OOM killer): die now */
		task_deliver_signal(t);
	}
	if (t->state != TASK_RUNNING) {
		pthread_mutex_unlock(&t->run_lock);
		cpu_leave(saved);
		*dead = true;
		return NULL;
	}
	*dead = false;
	BUG_ON_MSG(cpu->curr, "task_enter pid %d: cpu %d already runs pid %d", t->pid,
		   cpu->id, cpu->curr->pid);
	cpu->curr = t;
	if (cpu->ip_pid != t->pid) {	/* the CPU's ip is the last task's: not this one's */
		cpu->hw->ip = 0;
		cpu->ip_pid = t->pid;
	}
	t->active_mm = t->mm;
	if (t->mm)
		task_switch_mm(cpu, t->mm);
	return saved;
}

void task_leave(struct task_struct *t, struct sim_cpu *saved)
{
	struct sim_cpu *cpu = this_cpu();

	BUG_ON_MSG(cpu->curr != t, "task_leave pid %d: cpu %d runs another task", t->pid,
		   cpu->id);
	cpu->curr = NULL;
	pthread_mutex_unlock(&t->run_lock);
	/* a scheduling point: kswapd runs here if an allocation woke it */
	if (cpu->machine->reclaim.kswapd_run)
		cpu->machine->reclaim.kswapd_run(cpu->machine);
	cpu_leave(saved);
}

void task_use_init_mm(void)
{
	task_switch_mm(this_cpu(), NULL);
}

void task_unlazy_mm(struct mm_struct *mm)
{
	struct sim_cpu *cpu = this_cpu();

	if (atomic_load(&cpu->machine->tasks->lazy_mm[cpu->id]) == mm)
		task_switch_mm(cpu, NULL);
}

/*
 * Machine teardown: every task still alive exits (its mm released as at
 * exit), then each CPU drops the mm it kept loaded, so that every page and
 * slab object is back before the allocators go.
 */
void task_exit_machine(struct machine *m)
{
	struct task_state *ts = m->tasks;
	struct sim_cpu *saved;

	if (!ts)
		return;
	saved = cpu_enter(m);
	for (;;) {
		struct task_struct *t = NULL;
		bool dead;

		spin_lock(&ts->tasklist_lock);
		if (!list_empty(&ts->task_list)) {
			t = list_first_entry(&ts->task_list, struct task_struct, tasks);
			get_task_struct(t);
		}
		spin_unlock(&ts->tasklist_lock);
		if (!t)
			break;
		struct sim_cpu *s = task_enter(m, t, &dead);
		if (!dead) {
			do_exit(t, 0);
			task_leave(t, s);
		}
		put_task_struct(t);
	}
	cpu_leave(saved);
	task_drop_lazy_mms(m);
}

/*
 * Each CPU's lazily loaded mm dropped, each from that CPU's own point of
 * view (the other CPUs are quiescent at teardown), so that every CPU ends
 * with the kernel's init_mm loaded.
 */
void task_drop_lazy_mms(struct machine *m)
{
	struct task_state *ts = m->tasks;

	if (!ts)
		return;
	for (int i = 0; i < m->nr_cpus; i++) {
		struct mm_struct *mm = atomic_load(&ts->lazy_mm[i]);
		struct sim_cpu *saved;

		if (!mm)
			continue;
		saved = this_cpu();
		set_this_cpu(&m->cpu[i]);	/* that CPU's own view */
		task_unlazy_mm(mm);
		cpu_leave(saved);
	}
}

void task_fini(struct machine *m)
{
	struct task_state *ts = m->tasks;

	if (!ts)
		return;
	task_exit_machine(m);
	free(ts->pids);
	free(ts);
	m->tasks = NULL;
}

int task_call_begin(struct machine *m, int pid, struct task_call *c)
{
	bool dead;

	c->outer = cpu_enter(m);
	c->t = find_get_task(m, pid);
	if (!c->t)
		goto esrch;
	c->saved = task_enter(m, c->t, &dead);
	if (dead) {
		put_task_struct(c->t);
		goto esrch;
	}
	return 0;
esrch:
	cpu_leave(c->outer);
	return -ESRCH;
}

/*
 * The return to user mode: a SIGKILL another task sent meanwhile (the
 * task's group dying on another CPU, the OOM killer) takes effect now; the
 * call's own result stands, the task is dead when it returns.  The task's
 * own pending fault signal is left for its next access, as before thread
 * groups (a system call never raises one: kern/uaccess.h).
 */
void task_call_end(struct task_call *c)
{
	struct task_struct *t = c->t;

	if (unlikely(t->state == TASK_RUNNING && task_sigkill_pending(t)))
		task_deliver_signal(t);
	task_leave(c->t, c->saved);
	put_task_struct(c->t);
	cpu_leave(c->outer);
}

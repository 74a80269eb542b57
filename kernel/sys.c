/*
 * The process system calls that have no other home: a new process with a
 * fresh address space (do_spawn), mmap's descriptor and offset handling
 * (sys_mmap, as x86's sys_mmap and ksys_mmap_pgoff) and setrlimit.  Each
 * runs in the calling task's context (current, entered by the public call
 * in api/process.c) and returns a value or a negative errno, as Linux.
 * The other calls are reached from the API directly through the kernel
 * functions Linux's system calls use (do_munmap, do_mprotect, ...).
 */
#include <errno.h>
#include <string.h>
#include "kern/sched.h"
#include "kern/memory.h"
#include "kern/mman.h"
#include "kern/fs.h"
#include "kern/printk.h"

/* The initial stack VMA of a new process: 128 KiB plus one page of
 * arguments and environment, the size exec leaves on Linux. */
#define EXEC_STACK_SIZE		(128UL * 1024 + PAGE_SIZE)
/* Where the stack pointer starts: below the (empty) argument area. */
#define EXEC_SP_OFFSET		256UL

int do_spawn(struct machine *m, bool with_stack)
{
	struct task_struct *p;
	struct mm_struct *mm;
	int err;

	p = alloc_task(m, &err);
	if (!p)
		return err;
	strcpy(p->comm, "vmsim");
	err = -ENOMEM;
	mm = mm_alloc(m);
	if (!mm)
		goto out_task;
	mm->rlim = p->rlim;
	arch_pick_mmap_layout(mm);
	p->mm = p->active_mm = mm;
	if (with_stack) {
		err = setup_arg_pages(mm, EXEC_STACK_SIZE);
		if (err)
			goto out_mm;
		p->sp = PAGE_ALIGN(mm->start_stack) - EXEC_SP_OFFSET;
	}
	err = task_attach_pid(m, p, NULL);
	if (err)
		goto out_mm;
	return p->pid;

out_mm:
	p->mm = p->active_mm = NULL;
	mmput(mm);
out_task:
	free_task(p);
	return err;
}

long sys_mmap(unsigned long addr, unsigned long len, int prot, int flags, int fd,
	      unsigned long off)
{
	struct mm_struct *mm = current->mm;
	struct file *file;
	unsigned long ret;

	if (off & ~PAGE_MASK)
		return -EINVAL;
	if (flags & MAP_ANONYMOUS)
		return (long)do_mmap(mm, addr, len, (unsigned int)prot, (unsigned int)flags, NULL,
				     off >> PAGE_SHIFT);
	/* a file mapping: the descriptor's file (fs/open.c) */
	file = fd < 0 ? NULL : fget((unsigned int)fd);
	if (!file)
		return -EBADF;
	ret = do_mmap(mm, addr, len, (unsigned int)prot, (unsigned int)flags, file,
		      off >> PAGE_SHIFT);
	fput(file);
	return (long)ret;
}

long set_cpus_allowed(struct task_struct *p, unsigned long mask)
{
	unsigned long online = cpu_online_mask(p->machine);

	if (!(mask & online))
		return -EINVAL;
	p->cpus_allowed = (uint16_t)(mask & online);
	return 0;
}

/*
 * sys_setrlimit - as Linux for an unprivileged process: -EINVAL for an
 * unknown resource or soft > hard, -EPERM for raising the hard limit.
 * Tasks sharing the mm get the same limits (they are checked through
 * mm->rlim, which points at one of their equal copies), changed under
 * mmap_sem so that the address-space calls see either the old or the new
 * pair.
 */
/*
 * __set_task_comm - prctl(PR_SET_NAME)'s work: @t's name (comm), cut to
 * 15 bytes as TASK_COMM_LEN; the script names each process it makes this
 * way, so /proc/PID/status and the events' task column say A, B ...
 * @t's run_lock held (it does not run: a name is not worth a CPU).
 */
long __set_task_comm(struct task_struct *t, const char *name)
{
	if (!name)
		return -EFAULT;
	memset(t->comm, 0, sizeof(t->comm));
	strncpy(t->comm, name, sizeof(t->comm) - 1);
	return 0;
}

long sys_setrlimit(int resource, unsigned long cur, unsigned long max)
{
	struct task_struct *t = current, *p;
	struct task_state *ts = t->machine->tasks;
	struct mm_struct *mm = t->mm;
	long ret = 0;

	if (resource < 0 || resource >= RLIM_NLIMITS || cur > max)
		return -EINVAL;
	down_write(&mm->mmap_sem);
	spin_lock(&ts->tasklist_lock);
	if (max > t->rlim[resource].rlim_max) {
		ret = -EPERM;
	} else {
		list_for_each_entry(p, &ts->task_list, tasks) {
			if (p == t || p->mm == mm) {
				p->rlim[resource].rlim_cur = cur;
				p->rlim[resource].rlim_max = max;
			}
		}
	}
	spin_unlock(&ts->tasklist_lock);
	up_write(&mm->mmap_sem);
	return ret;
}

/*
 * do_sleep - @jiffies of virtual time pass with nothing running (the
 * script's sleep): the clock advances in steps of at most a tenth of a
 * second, each a scheduling point, so the periodic kernel threads
 * (kupdate, 2.6's periodic writeback) run when they are due, as a timer
 * interrupt would wake them.  Their disk work advances the clock too.
 * Returns the clock after.  No task may run on this CPU.
 */
unsigned long do_sleep(struct machine *m, unsigned long jiffies)
{
	unsigned long now = atomic_load(&m->hw.jiffies), end = now + jiffies;

	while (now < end) {
		unsigned long step = end - now < HZ / 10 ? end - now : HZ / 10;

		hw_clock_advance(&m->hw, step);
		if (m->reclaim.kswapd_run)
			m->reclaim.kswapd_run(m);
		now = atomic_load(&m->hw.jiffies);
	}
	return now;
}

/*
 * The public process API (include/vmsim/process.h): the system calls of
 * a simulated process, each run on a simulated CPU in the task's context
 * (task_enter: current = the task, its mm loaded) and delegated to the
 * kernel function Linux's system call would reach (do_mmap, do_munmap,
 * ...).  A pid that does not exist or whose task has died gives -ESRCH.
 *
 * Loads and stores (vmsim_read/write/load64/store64) are the process's own
 * instructions, not a system call: they run as user-mode accesses
 * (mmu_user_*, PF_USER faults), so a fault that cannot be resolved raises
 * SIGSEGV/SIGBUS, which kills the task here, as the return to user mode
 * would, and gives VMSIM_KILLED.  (The kernel's copy_to_user & co. are
 * kernel-mode accesses that never signal: kern/uaccess.h.)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kern/sched.h"
#include "kern/memory.h"
#include "kern/mmu.h"
#include "kern/mman.h"
#include "kern/seq_buf.h"
#include "kern/fs.h"
#include "vmsim/process.h"

/* The initial stack VMA of a new process: 128 KiB plus one page of
 * arguments and environment, the size exec leaves on Linux. */
#define EXEC_STACK_SIZE		(128UL * 1024 + PAGE_SIZE)
/* Where the stack pointer starts: below the (empty) argument area. */
#define EXEC_SP_OFFSET		256UL

/* A new process, with a stack as exec leaves it when @with_stack. */
static int spawn(struct machine *m, bool with_stack)
{
	struct sim_cpu *saved = cpu_enter(m);
	struct task_struct *p;
	struct mm_struct *mm;
	int err;

	p = alloc_task(m, &err);
	if (!p)
		goto out;
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
	err = p->pid;
	goto out;

out_mm:
	p->mm = p->active_mm = NULL;
	mmput(mm);
out_task:
	free_task(p);
out:
	cpu_leave(saved);
	return err;
}

int vmsim_spawn(vmsim_machine_t *m)
{
	return spawn(m, true);
}

int vmsim_spawn_empty(vmsim_machine_t *m)
{
	return spawn(m, false);
}

static int fork_common(struct machine *m, int pid, unsigned long clone_flags)
{
	struct task_call c;
	struct task_struct *child;
	int err;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	child = do_fork(clone_flags, c.t, &err);
	if (child)
		err = child->pid;
	task_call_end(&c);
	return err;
}

int vmsim_fork(vmsim_machine_t *m, int pid)
{
	return fork_common(m, pid, 0);
}

int vmsim_clone_vm(vmsim_machine_t *m, int pid)
{
	return fork_common(m, pid, CLONE_VM);
}

/* pthread_create's flags: the mm, the descriptors and the signal handlers shared */
int vmsim_clone_thread(vmsim_machine_t *m, int pid)
{
	return fork_common(m, pid, CLONE_VM | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD);
}

/* exit(2) of one thread: the rest of its group runs on */
int vmsim_exit(vmsim_machine_t *m, int pid)
{
	struct task_call c;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	do_exit(c.t, 0);
	task_call_end(&c);
	return 0;
}

/* exit_group(2): every thread of @pid's group ends */
int vmsim_exit_group(vmsim_machine_t *m, int pid)
{
	struct task_call c;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	do_group_exit(c.t, 0, 0, 0);
	task_call_end(&c);
	return 0;
}

/* --- address-space system calls ------------------------------------------- */

long vmsim_mmap(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len,
		int prot, int flags, int fd, unsigned long offset)
{
	struct task_call c;
	unsigned long ret;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	if (offset & ~PAGE_MASK)
		ret = (unsigned long)-EINVAL;
	else if (!(flags & MAP_ANONYMOUS)) {
		/* a file mapping: the descriptor's file (fs/open.c) */
		struct file *file = fd < 0 ? NULL : fget((unsigned int)fd);

		ret = file ? do_mmap(c.t->mm, addr, len, (unsigned int)prot, (unsigned int)flags,
				     file, offset >> PAGE_SHIFT) : (unsigned long)-EBADF;
		if (file)
			fput(file);
	} else
		ret = do_mmap(c.t->mm, addr, len, (unsigned int)prot, (unsigned int)flags, NULL,
			      offset >> PAGE_SHIFT);
	task_call_end(&c);
	return (long)ret;
}

int vmsim_munmap(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len)
{
	struct task_call c;
	int ret;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = do_munmap(c.t->mm, addr, len);
	task_call_end(&c);
	return ret;
}

int vmsim_mprotect(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len, int prot)
{
	struct task_call c;
	int ret;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = do_mprotect(c.t->mm, addr, len, (unsigned int)prot);
	task_call_end(&c);
	return ret;
}

long vmsim_mremap(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long old_len,
		  unsigned long new_len, int flags, unsigned long new_addr)
{
	struct task_call c;
	unsigned long ret;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = do_mremap(c.t->mm, addr, old_len, new_len, (unsigned int)flags, new_addr);
	task_call_end(&c);
	return (long)ret;
}

long vmsim_brk(vmsim_machine_t *m, int pid, unsigned long brk)
{
	struct task_call c;
	unsigned long ret;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = do_brk_syscall(c.t->mm, brk);
	task_call_end(&c);
	return (long)ret;
}

int vmsim_madvise(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len, int advice)
{
	struct task_call c;
	int ret;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = do_madvise(c.t->mm, addr, len, advice);
	task_call_end(&c);
	return ret;
}

int vmsim_mlock(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len)
{
	struct task_call c;
	int ret;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = do_mlock(c.t->mm, addr, len, 0);
	task_call_end(&c);
	return ret;
}

int vmsim_munlock(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len)
{
	struct task_call c;
	int ret;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = do_munlock(c.t->mm, addr, len);
	task_call_end(&c);
	return ret;
}

int vmsim_mlockall(vmsim_machine_t *m, int pid, int flags)
{
	struct task_call c;
	int ret;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = do_mlockall(c.t->mm, flags);
	task_call_end(&c);
	return ret;
}

int vmsim_munlockall(vmsim_machine_t *m, int pid)
{
	struct task_call c;
	int ret;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = do_munlockall(c.t->mm);
	task_call_end(&c);
	return ret;
}

int vmsim_mincore(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len,
		  unsigned char *vec)
{
	struct task_call c;
	int ret;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = do_mincore(c.t->mm, addr, len, vec);
	task_call_end(&c);
	return ret;
}

/*
 * setrlimit as Linux for an unprivileged process: -EINVAL for an unknown
 * resource or soft > hard, -EPERM for raising the hard limit.  Tasks
 * sharing the mm get the same limits (they are checked through mm->rlim,
 * which points at one of their equal copies), changed under mmap_sem so
 * that the address-space calls see either the old or the new pair.
 */
int vmsim_setrlimit(vmsim_machine_t *m, int pid, int resource, unsigned long cur,
		    unsigned long max)
{
	struct task_call c;
	struct task_state *ts = m->tasks;
	struct mm_struct *mm;
	struct task_struct *p;
	int ret = 0;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	if (resource < 0 || resource >= RLIM_NLIMITS || cur > max) {
		ret = -EINVAL;
		goto out;
	}
	mm = c.t->mm;
	down_write(&mm->mmap_sem);
	spin_lock(&ts->tasklist_lock);
	if (max > c.t->rlim[resource].rlim_max) {
		ret = -EPERM;
	} else {
		list_for_each_entry(p, &ts->task_list, tasks) {
			if (p == c.t || p->mm == mm) {
				p->rlim[resource].rlim_cur = cur;
				p->rlim[resource].rlim_max = max;
			}
		}
	}
	spin_unlock(&ts->tasklist_lock);
	up_write(&mm->mmap_sem);
out:
	task_call_end(&c);
	return ret;
}

int vmsim_set_sp(vmsim_machine_t *m, int pid, unsigned long sp)
{
	struct task_call c;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	c.t->sp = sp;
	task_call_end(&c);
	return 0;
}

/* --- loads and stores ------------------------------------------------------- */

/* After a user access (0 or -EFAULT): a fatal fault kills the task (VMSIM_KILLED). */
static int access_result(struct task_struct *t, int err)
{
	if (task_deliver_signal(t))
		return VMSIM_KILLED;
	return err ? -EFAULT : 0;
}

int vmsim_read(vmsim_machine_t *m, int pid, unsigned long addr, void *buf, unsigned long len)
{
	struct task_call c;
	int ret;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = access_result(c.t, mmu_user_read(addr, buf, len));
	task_call_end(&c);
	return ret;
}

int vmsim_write(vmsim_machine_t *m, int pid, unsigned long addr, const void *buf,
		unsigned long len)
{
	struct task_call c;
	int ret;

	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = access_result(c.t, mmu_user_write(addr, buf, len));
	task_call_end(&c);
	return ret;
}

int vmsim_load64(vmsim_machine_t *m, int pid, unsigned long addr, uint64_t *val)
{
	struct task_call c;
	int ret;

	if (addr & 7)
		return -EINVAL;
	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = access_result(c.t, mmu_user_load64(addr, val));
	task_call_end(&c);
	return ret;
}

int vmsim_store64(vmsim_machine_t *m, int pid, unsigned long addr, uint64_t val)
{
	struct task_call c;
	int ret;

	if (addr & 7)
		return -EINVAL;
	if (task_call_begin(m, pid, &c))
		return -ESRCH;
	ret = access_result(c.t, mmu_user_store64(addr, val));
	task_call_end(&c);
	return ret;
}

/* --- information ------------------------------------------------------------ */

/*
 * vmsim_task_info - any pid ever given out has a record: alive, or how it
 * ended (signal 0 for a normal exit).  -ESRCH only for pids never used.
 */
int vmsim_task_info(vmsim_machine_t *m, int pid, struct vmsim_task_info *info)
{
	struct pid_entry e;
	int err;

	if (!info)
		return -EFAULT;
	err = task_get_record(m, pid, &e);
	if (err)
		return err;
	memset(info, 0, sizeof(*info));
	info->pid = pid;
	info->alive = e.task != NULL && !e.exited;
	info->tgid = e.tgid;
	info->threads = e.nr_threads;
	if (!info->alive) {
		info->signo = e.signal;
		info->code = e.si_code;
		info->addr = e.si_addr;
	}
	return 0;
}

int vmsim_task_list(vmsim_machine_t *m, int *pids, int max)
{
	if (max < 0)
		max = 0;
	return task_list_pids(m, pids, max);
}

char *vmsim_proc_pid_read(vmsim_machine_t *m, int pid, const char *name)
{
	return vmsim_proc_pid_read_len(m, pid, name, NULL);
}

char *vmsim_proc_pid_read_len(vmsim_machine_t *m, int pid, const char *name, size_t *len)
{
	struct task_call c;
	struct seq_buf s;
	char *text;
	size_t n;

	if (!name) {
		errno = EINVAL;
		return NULL;
	}
	if (strcmp(name, "maps") && strcmp(name, "smaps") && strcmp(name, "status") &&
	    strcmp(name, "cmdline") && strcmp(name, "environ")) {
		errno = ENOENT;
		return NULL;
	}
	if (task_call_begin(m, pid, &c)) {
		/* a zombie group leader: /proc/TGID still shows the group */
		struct task_struct *z = find_get_zombie_leader(m, pid);

		if (!z) {
			errno = ESRCH;
			return NULL;
		}
		seq_init(&s);
		if (!strcmp(name, "status"))
			proc_pid_status(z, &s);	/* State: Z, no mm: no Vm lines */
		put_task_struct(z);
		goto out;
	}
	seq_init(&s);
	if (!strcmp(name, "maps"))
		show_map(c.t->mm, &s);
	else if (!strcmp(name, "smaps"))
		show_smap(c.t->mm, &s);
	else if (!strcmp(name, "status"))
		proc_pid_status(c.t, &s);
	else
		proc_pid_cmdline(c.t, &s, !strcmp(name, "environ"));	/* fs/proc_pid.c */
	task_call_end(&c);
out:
	if (s.oom) {
		seq_free(&s);
		errno = ENOMEM;
		return NULL;
	}
	n = s.len;
	text = seq_take(&s);
	if (!text)
		errno = ENOMEM;
	else if (len)
		*len = n;
	return text;
}

/*
 * The public process calls (include/vmsim/process.h): processes and
 * threads, their address-space system calls, limits and records.  Each
 * call on a pid is one TASK_CALL (api/entry.h): it runs on a simulated CPU
 * in the task's context and reaches the kernel function Linux's system
 * call would (do_munmap, do_mprotect, sys_clone, do_execve ...).  A pid
 * that does not exist or whose task has died gives -ESRCH.
 *
 * The process's own loads and stores are in api/access.c; its file calls
 * in api/file.c, its /proc files in api/proc.c.
 */
#include <string.h>
#include "kern/sched.h"
#include "kern/mman.h"
#include "vmsim/process.h"
#include "entry.h"
#include "kern/mempolicy.h"

int vmsim_spawn(vmsim_machine_t *m)
{
	return MACHINE_CALL(m, do_spawn(m, true));
}

int vmsim_spawn_empty(vmsim_machine_t *m)
{
	return MACHINE_CALL(m, do_spawn(m, false));
}

int vmsim_fork(vmsim_machine_t *m, int pid)
{
	return (int)TASK_CALL(m, pid, sys_clone(0));
}

int vmsim_prctl_set_name(vmsim_machine_t *m, int pid, const char *name)
{
	/* looked at, not run: entering the task would load its mm on a CPU */
	return (int)TASK_PEEK(m, pid, t, __set_task_comm(t, name));
}

int vmsim_clone_vm(vmsim_machine_t *m, int pid)
{
	return (int)TASK_CALL(m, pid, sys_clone(CLONE_VM));
}

/* pthread_create's flags: the mm, the descriptors and the signal handlers shared */
int vmsim_clone_thread(vmsim_machine_t *m, int pid)
{
	return (int)TASK_CALL(m, pid,
			      sys_clone(CLONE_VM | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD));
}

int vmsim_exit(vmsim_machine_t *m, int pid)
{
	return (int)TASK_CALL(m, pid, sys_exit(0));
}

int vmsim_exit_group(vmsim_machine_t *m, int pid)
{
	return (int)TASK_CALL(m, pid, sys_exit_group(0));
}

int vmsim_execve(vmsim_machine_t *m, int pid, const char *path, const char *const argv[],
		 const char *const envp[])
{
	return (int)TASK_CALL(m, pid, do_execve(current, path, argv, envp));
}

/* --- address-space system calls ------------------------------------------- */

long vmsim_mmap(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len,
		int prot, int flags, int fd, unsigned long offset)
{
	return TASK_CALL(m, pid, sys_mmap(addr, len, prot, flags, fd, offset));
}

int vmsim_munmap(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len)
{
	return (int)TASK_CALL(m, pid, do_munmap(current->mm, addr, len));
}

int vmsim_mprotect(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len, int prot)
{
	return (int)TASK_CALL(m, pid, do_mprotect(current->mm, addr, len, (unsigned int)prot));
}

long vmsim_mremap(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long old_len,
		  unsigned long new_len, int flags, unsigned long new_addr)
{
	return TASK_CALL(m, pid, do_mremap(current->mm, addr, old_len, new_len,
					   (unsigned int)flags, new_addr));
}

long vmsim_brk(vmsim_machine_t *m, int pid, unsigned long brk)
{
	return TASK_CALL(m, pid, do_brk_syscall(current->mm, brk));
}

int vmsim_madvise(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len, int advice)
{
	return (int)TASK_CALL(m, pid, do_madvise(current->mm, addr, len, advice));
}

int vmsim_mlock(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len)
{
	return (int)TASK_CALL(m, pid, do_mlock(current->mm, addr, len, 0));
}

int vmsim_mlock2(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len, int flags)
{
	return (int)TASK_CALL(m, pid, do_mlock(current->mm, addr, len, (unsigned int)flags));
}

int vmsim_munlock(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len)
{
	return (int)TASK_CALL(m, pid, do_munlock(current->mm, addr, len));
}

int vmsim_mlockall(vmsim_machine_t *m, int pid, int flags)
{
	return (int)TASK_CALL(m, pid, do_mlockall(current->mm, flags));
}

int vmsim_munlockall(vmsim_machine_t *m, int pid)
{
	return (int)TASK_CALL(m, pid, do_munlockall(current->mm));
}

int vmsim_mincore(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len,
		  unsigned char *vec)
{
	return (int)TASK_CALL(m, pid, do_mincore(current->mm, addr, len, vec));
}

int vmsim_setrlimit(vmsim_machine_t *m, int pid, int resource, unsigned long cur,
		    unsigned long max)
{
	return (int)TASK_CALL(m, pid, sys_setrlimit(resource, cur, max));
}

int vmsim_sched_setaffinity(vmsim_machine_t *m, int pid, unsigned long mask)
{
	return (int)TASK_PEEK(m, pid, t, set_cpus_allowed(t, mask));
}

int vmsim_set_mempolicy(vmsim_machine_t *m, int pid, int mode, const unsigned long *nmask,
			unsigned long maxnode)
{
	return (int)TASK_CALL(m, pid, sys_set_mempolicy(mode, nmask, maxnode));
}

int vmsim_mbind(vmsim_machine_t *m, int pid, unsigned long addr, unsigned long len, int mode,
		const unsigned long *nmask, unsigned long maxnode, unsigned int flags)
{
	return (int)TASK_CALL(m, pid, sys_mbind(addr, len, mode, nmask, maxnode, flags));
}

int vmsim_get_mempolicy(vmsim_machine_t *m, int pid, int *policy, unsigned long *nmask,
			unsigned long maxnode, unsigned long addr, unsigned long flags)
{
	return (int)TASK_CALL(m, pid, sys_get_mempolicy(policy, nmask, maxnode, addr, flags));
}

long vmsim_sched_getaffinity(vmsim_machine_t *m, int pid)
{
	return TASK_PEEK(m, pid, t, (long)t->cpus_allowed);
}

int vmsim_set_sp(vmsim_machine_t *m, int pid, unsigned long sp)
{
	return (int)TASK_CALL(m, pid, (current->sp = sp, 0));
}

unsigned long vmsim_task_size(vmsim_machine_t *m)
{
	return arch_task_size(m);
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

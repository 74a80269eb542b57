/*
 * The process's own loads and stores (include/vmsim/process.h):
 * vmsim_read/write/load64/store64, one access per call, and the access
 * streams vmsim_access_run/vmsim_access_pattern, entered once per batch
 * and run as one user-mode stretch (kernel/access.c).
 *
 * These are the process's instructions, not system calls: they run as
 * user-mode accesses (mmu_user_*, PF_USER faults), so a fault that cannot
 * be resolved raises SIGSEGV/SIGBUS, whose default action kills the task
 * when the access returns (task_deliver_signal, as the return to user
 * mode would), and the call gives VMSIM_KILLED.  (The kernel's
 * copy_to_user & co. are kernel-mode accesses that never signal:
 * kern/uaccess.h.)
 */
#include <string.h>
#include "kern/sched.h"
#include "kern/mmu.h"
#include "vmsim/process.h"
#include "entry.h"

/*
 * After accesses of current, still inside the task: a signal an access
 * raised (or one pending from elsewhere, as the OOM killer's SIGKILL) is
 * delivered.  VMSIM_KILLED with @res filled if not NULL, @err otherwise
 * (0, -EINVAL; -EFAULT only if a fault failed without a signal).
 */
static int access_return(int err, struct vmsim_access_result *res)
{
	struct task_struct *t = current;

	if (task_deliver_signal(t)) {
		if (res) {
			res->signo = t->exit_signal_nr;
			res->code = t->exit_si_code;
			res->fault_addr = t->exit_si_addr;
		}
		return VMSIM_KILLED;
	}
	return err;
}

/* mmu_user_* give 0 or -EFAULT */
int vmsim_read(vmsim_machine_t *m, int pid, unsigned long addr, void *buf, unsigned long len)
{
	return (int)TASK_CALL(m, pid, access_return(mmu_user_read(addr, buf, len), NULL));
}

int vmsim_write(vmsim_machine_t *m, int pid, unsigned long addr, const void *buf,
		unsigned long len)
{
	return (int)TASK_CALL(m, pid, access_return(mmu_user_write(addr, buf, len), NULL));
}

int vmsim_load64(vmsim_machine_t *m, int pid, unsigned long addr, uint64_t *val)
{
	if (addr & 7)
		return -EINVAL;
	return (int)TASK_CALL(m, pid, access_return(mmu_user_load64(addr, val), NULL));
}

int vmsim_store64(vmsim_machine_t *m, int pid, unsigned long addr, uint64_t val)
{
	if (addr & 7)
		return -EINVAL;
	return (int)TASK_CALL(m, pid, access_return(mmu_user_store64(addr, val), NULL));
}

long vmsim_access_run(vmsim_machine_t *m, int pid, const struct vmsim_access *v, size_t n,
		      uint64_t *loaded, struct vmsim_access_result *res)
{
	size_t done = 0;
	long err;

	if (res)
		memset(res, 0, sizeof(*res));
	if (n && !v)
		return -EINVAL;
	err = TASK_CALL(m, pid, access_return(run_user_accesses(v, n, loaded, &done), res));
	if (res)
		res->done = done;
	return err ? err : (long)n;
}

long vmsim_access_pattern(vmsim_machine_t *m, int pid, const struct vmsim_access_pattern *p,
			  struct vmsim_access_result *res)
{
	uint64_t total = 0;

	if (res)
		memset(res, 0, sizeof(*res));
	if (!p || p->size == 0 || p->size > VMSIM_ACCESS_MAX_SIZE ||
	    p->kind >= VMSIM_ACCESS_NR_KINDS || (p->random && !p->slots))
		return -EINVAL;
	do {
		uint64_t n = p->count - total < VMSIM_ACCESS_BATCH ? p->count - total :
								      VMSIM_ACCESS_BATCH;
		uint64_t done = 0;
		long err;

		err = TASK_CALL(m, pid, access_return(run_user_pattern(p, total, n, &done), res));
		if (err == -ESRCH)
			return -ESRCH;
		total += done;
		if (res)
			res->done = (size_t)total;
		if (err)
			return err;
	} while (total < p->count);
	return (long)total;
}

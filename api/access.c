/*
 * The process's own loads and stores (include/vmsim/process.h): one
 * access per call (vmsim_read/write/load64/store64), or access streams
 * run as one user-mode stretch (vmsim_access_run, vmsim_access_pattern).
 * These are the process's instructions, not system calls: they run as
 * user-mode accesses (mmu_user_*, PF_USER faults), so a fault that cannot
 * be resolved raises SIGSEGV/SIGBUS, whose default action kills the task
 * when the access returns (task_deliver_signal, as the return to user
 * mode would), and the call gives VMSIM_KILLED.  (The kernel's
 * copy_to_user & co. are kernel-mode accesses that never signal:
 * kern/uaccess.h.)
 *
 * A CPU runs a program's loads, stores and instruction fetches one after
 * the other until something enters the kernel.  The one-access calls pay
 * a task entry (TASK_CALL, api/entry.h) and an access bracket per access;
 * a trace of millions of accesses would spend its time there.  A stream
 * enters the task once per batch and its accesses run inside a user-mode
 * run (struct mmu_run, hw/mmu.h): the access bracket stays open, a hit
 * is the L0's compare, and hits are added to the CPU's TLB_HIT count when
 * the run ends.  Faults are taken inside the run as on the one-access
 * paths (the MMU leaves the bracket for do_page_fault and comes back); an
 * access that raises a signal ends the stream and the signal's default
 * action kills the task, as the return to user mode would.
 *
 * Every access sees the TLB exactly as the equivalent one-access call
 * does, so the hit and miss counts are the same:
 *   - an aligned 8-byte load or store is mmu_run_load64/store64 (the same
 *     path as vmsim_load64/store64);
 *   - any other size, or an unaligned address, is translated page by page
 *     as mmu_user_read/write do (one lookup per page the bytes touch,
 *     counted once), the L0 tried first since it only mirrors the array;
 *   - an instruction fetch looks up each page it spans as mmu_user_fetch
 *     does (a hit needs an entry without NX; a miss walks with PF_INSTR).
 * No vmsim_* call and nothing that blocks runs between two accesses of a
 * run, as hw/mmu.h requires: shootdowns from other CPUs wait for the
 * run's next access, which applies them.
 */
#include <errno.h>
#include <string.h>
#include "kern/sched.h"
#include "kern/segment.h"
#include "kern/mmu.h"
#include "kern/mman.h"
#include "kern/pgtable.h"
#include "vmsim/process.h"
#include "entry.h"

/*
 * A run and its fetch cursor: the TLB entry the last instruction fetch
 * hit, tried first by the next one (code runs on through a page).  It is
 * checked like any way of the set (its tag and NX bit, the flush check),
 * so a replaced or flushed entry simply misses it; it only saves the scan
 * of the set.
 */
struct access_run {
	struct mmu_run r;
	struct tlb_entry *fetch;
};

/*
 * The host address of the byte at @addr for a user load or store that
 * stays within @addr's page, inside the run's bracket: the L0 (one
 * compare), then the set-associative array (a hit there is promoted to the
 * L0), then the walk and its faults.  NULL after a fault that raised a
 * signal (the bracket is open again for the caller to end the run).
 */
static __always_inline uint8_t *run_translate(struct mmu_run *r, unsigned long addr, bool write)
{
	/* the L0 compares the 8-byte-aligned word: any byte of the page hits alike */
	const struct tlb_l0 *e = tlb_l0_hit(r->tlb, addr & ~7UL, write);
	uint8_t *p;

	if (likely(e)) {
		r->hits++;
		return (uint8_t *)(e->addend + addr);
	}
	p = write ? tlb_lookup_write(r->tlb, addr, true) : tlb_lookup_read(r->tlb, addr, true);
	if (p) {
		r->hits++;
		tlb_l0_promote(r->tlb, addr);
		return p;
	}
	p = __mmu_translate(r->cpu, addr, write ? MMU_WRITE : MMU_READ, true);
	if (unlikely(!p))
		tlb_enter(r->tlb);	/* the fault left the bracket */
	return p;
}

/*
 * The host address of the instruction byte at @addr, as mmu_user_fetch
 * finds it: a way of the set holding the page for reads without NX (the
 * L0 keeps no NX bit), else a walk with PF_INSTR.  NULL as run_translate.
 */
static __always_inline uint8_t *run_fetch_translate(struct access_run *ar, unsigned long addr)
{
	struct mmu_run *r = &ar->r;
	struct tlb *t = r->tlb;
	struct tlb_entry *e = ar->fetch;
	uint8_t *p;

	r->cpu->ip = addr;	/* the instruction pointer a data fault reports next */
	if (likely(!tlb_flush_pending(t))) {
		if (likely(e && e->tag_read == (addr & PAGE_MASK) && !(e->flags & TLB_F_NX))) {
			r->hits++;
			return e->host + (addr & ~PAGE_MASK);
		}
		e = tlb_set(t, addr);
		for (unsigned int i = 0; i < t->ways; i++)
			if (e[i].tag_read == (addr & PAGE_MASK) && !(e[i].flags & TLB_F_NX)) {
				r->hits++;
				ar->fetch = &e[i];
				return e[i].host + (addr & ~PAGE_MASK);
			}
	}
	p = __mmu_translate(r->cpu, addr, MMU_FETCH, true);
	if (unlikely(!p))
		tlb_enter(t);
	return p;
}

/* Byte @i of a store's data: @value's bytes, little-endian, repeated every 8. */
static inline uint8_t store_byte(uint64_t value, uint32_t i)
{
	return (uint8_t)(value >> (8 * (i & 7)));
}

/*
 * Load (@write false) or store the @size bytes at @addr, page by page.  A
 * load keeps its first 8 bytes in *@val (little-endian); the bytes past
 * them are translated (and fault) like the others but nothing reads them.
 * 0, or -EFAULT after a fault that raised a signal.  Pages before the
 * faulting one were accessed, as by mmu_user_read/write.
 */
static int run_bytes(struct mmu_run *r, unsigned long addr, uint32_t size, bool write,
		     uint64_t value, uint64_t *val)
{
	uint8_t first[8] = { 0 };
	uint32_t off = 0;

	while (off < size) {
		unsigned long a = addr + off;
		unsigned long room = PAGE_SIZE - (a & ~PAGE_MASK);
		uint32_t chunk = size - off < room ? size - off : (uint32_t)room;
		uint8_t *p = run_translate(r, a, write);

		if (unlikely(!p))
			return -EFAULT;
		if (write) {
			if (off == 0 && chunk <= 8) {
				memcpy(p, &value, chunk);	/* x86 and the host: little-endian */
			} else {
				for (uint32_t i = 0; i < chunk; i++)
					p[i] = store_byte(value, off + i);
			}
		} else if (off < 8) {
			memcpy(first + off, p, chunk < 8 - off ? chunk : 8 - off);
		}
		off += chunk;
	}
	if (!write)
		memcpy(val, first, sizeof(first));
	return 0;
}

/* An instruction fetch: the first byte of each page it spans, in order. */
static __always_inline int run_fetch(struct access_run *ar, unsigned long addr, uint32_t size,
				     uint64_t *val)
{
	unsigned long last = addr + size - 1;
	uint8_t *p = run_fetch_translate(ar, addr);

	if (unlikely(!p))
		return -EFAULT;
	*val = __atomic_load_n(p, __ATOMIC_RELAXED);
	for (unsigned long page = (addr & PAGE_MASK) + PAGE_SIZE; page - 1 < last;
	     page += PAGE_SIZE) {
		if (unlikely(!run_fetch_translate(ar, page)))
			return -EFAULT;
	}
	return 0;
}

/*
 * A load or store of 1 to 8 bytes within one page that the L0 holds for
 * that mode: true with the access done (and counted as a hit).
 */
static __always_inline bool l0_small(struct mmu_run *r, unsigned long addr, uint32_t size,
				     bool write, uint64_t value, uint64_t *val)
{
	const struct tlb_l0 *e;
	uint8_t *p;

	/* 1 .. 8 bytes (0 goes to access_slow's -EINVAL), not across a page */
	if (unlikely(size - 1 >= 8 || (addr & ~PAGE_MASK) + size > PAGE_SIZE))
		return false;
	e = tlb_l0_hit(r->tlb, addr & ~7UL, write);
	if (unlikely(!e))
		return false;
	r->hits++;
	p = (uint8_t *)(e->addend + addr);
	if (write) {
		memcpy(p, &value, size);	/* x86 and the host: little-endian */
	} else {
		*val = 0;
		memcpy(val, p, size);
	}
	return true;
}

/* Everything the fast paths did not serve: checked here. */
static __attribute__((noinline)) int access_slow(struct access_run *ar, unsigned long addr,
						 uint32_t size, unsigned int kind, uint64_t value,
						 uint64_t *val)
{
	struct mmu_run *r = &ar->r;
	int err;

	if (size == 0 || size > VMSIM_ACCESS_MAX_SIZE || addr + (size - 1) < addr)
		return -EINVAL;
	switch (kind) {
	case VMSIM_ACCESS_LOAD:
		return run_bytes(r, addr, size, false, 0, val);
	case VMSIM_ACCESS_STORE:
		return run_bytes(r, addr, size, true, value, NULL);
	case VMSIM_ACCESS_MODIFY:
		err = run_bytes(r, addr, size, false, 0, val);
		return err ? err : run_bytes(r, addr, size, true, value, NULL);
	case VMSIM_ACCESS_FETCH:
		return run_fetch(ar, addr, size, val);
	default:
		return -EINVAL;
	}
}

/* One access inside the run: 0, -EFAULT (a signal was raised) or -EINVAL. */
static __always_inline int access_one(struct access_run *ar, unsigned long addr, uint32_t size,
				      unsigned int kind, uint64_t value, uint64_t *val)
{
	struct mmu_run *r = &ar->r;
	int err;

	if (likely(size == 8 && !(addr & 7))) {
		switch (kind) {
		case VMSIM_ACCESS_LOAD:
			return mmu_run_load64(r, addr, val);
		case VMSIM_ACCESS_STORE:
			return mmu_run_store64(r, addr, value);
		case VMSIM_ACCESS_MODIFY:
			err = mmu_run_load64(r, addr, val);
			return err ? err : mmu_run_store64(r, addr, value);
		default:
			break;
		}
	}
	switch (kind) {
	case VMSIM_ACCESS_LOAD:
		if (l0_small(r, addr, size, false, 0, val))
			return 0;
		break;
	case VMSIM_ACCESS_STORE:
		if (l0_small(r, addr, size, true, value, NULL))
			return 0;
		break;
	case VMSIM_ACCESS_FETCH:
		if (size && addr + (size - 1) >= addr)
			return run_fetch(ar, addr, size, val);
		break;
	default:
		break;
	}
	return access_slow(ar, addr, size, kind, value, val);
}

/*
 * The accesses of @v in one run; *@done: how many were made.  @future
 * (vmsim_access_run_future only; NULL folds away in the common run):
 * before access i the CPU's reclaim_hint becomes @future[i].
 */
static __always_inline int __run_user_accesses(const struct vmsim_access *v, size_t n,
					       uint64_t *loaded, const uint64_t *future,
					       size_t *done)
{
	struct access_run ar = { .fetch = NULL };
	struct sim_cpu *cpu = this_cpu();
	size_t i;
	int err = 0;

	mmu_run_begin(&ar.r);
	for (i = 0; i < n; i++) {
		uint64_t val = 0;

		if (future)
			cpu->reclaim_hint = future[i];

		/*
		 * Now and then, a SIGKILL from another CPU (group exit, exec,
		 * the OOM killer) ends the run, as a CPU takes the interrupt
		 * between two instructions; run_finish delivers it.
		 */
		if (unlikely((i & (VMSIM_ACCESS_BATCH - 1)) == VMSIM_ACCESS_BATCH - 1) &&
		    task_sigkill_pending(current))
			break;
		err = access_one(&ar, v[i].addr, v[i].size, v[i].kind, v[i].value, &val);
		if (unlikely(err))
			break;
		if (loaded)
			loaded[i] = val;
	}
	mmu_run_end(&ar.r);
	*done = i;
	return err;
}

static int run_user_accesses(const struct vmsim_access *v, size_t n, uint64_t *loaded,
			     size_t *done)
{
	return __run_user_accesses(v, n, loaded, NULL, done);
}

static int run_user_accesses_future(const struct vmsim_access *v, size_t n, uint64_t *loaded,
				    const uint64_t *future, size_t *done)
{
	return __run_user_accesses(v, n, loaded, future, done);
}

/* Accesses @first .. @first + @n - 1 of a pattern in one run. */
static int run_user_pattern(const struct vmsim_access_pattern *p, uint64_t first, uint64_t n,
			    uint64_t *done)
{
	struct access_run ar = { .fetch = NULL };
	uint64_t k;
	int err = 0;

	this_cpu()->hw->ip = 0;	/* nor a pattern of accesses (touch) */
	mmu_run_begin(&ar.r);
	for (k = first; k < first + n; k++) {
		uint64_t slot = p->random ? splitmix64_mix(p->seed + k) % p->slots : k;
		uint64_t val;

		err = access_one(&ar, p->addr + p->stride * (unsigned long)slot, p->size, p->kind,
				 p->value, &val);
		if (unlikely(err))
			break;
	}
	mmu_run_end(&ar.r);
	*done = k - first;
	return err;
}

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
/*
 * x86-64: an access that runs from user space into the non-canonical hole
 * (at 2^47) is a general protection fault for the 8-byte load or store
 * that crosses it (SIGSEGV, SI_KERNEL, no address): the bytes of the
 * units before it are accessed first (a start inside the hole faults in
 * do_page_fault).  0 or -EFAULT.
 */
static int user_copy(unsigned long addr, void *buf, unsigned long len, bool write)
{
	unsigned long hole = 1UL << 47, n = len;
	int err = 0;

	this_cpu()->hw->ip = 0;	/* a read or write of the API's is no instruction */
	if (mm_pgt_fmt(current->mm)->va_bits == 48 && addr < hole && len > hole - addr)
		n = (hole - addr) & ~7UL;
	if (n)
		err = write ? mmu_user_write(addr, buf, n) : mmu_user_read(addr, buf, n);
	if (!err && n < len) {
		force_sig_fault(current, SIGSEGV, SI_KERNEL, 0);
		err = -EFAULT;
	}
	return err;
}

int vmsim_read(vmsim_machine_t *m, int pid, unsigned long addr, void *buf, unsigned long len)
{
	return (int)TASK_CALL(m, pid, access_return(user_copy(addr, buf, len, false), NULL));
}

int vmsim_write(vmsim_machine_t *m, int pid, unsigned long addr, const void *buf,
		unsigned long len)
{
	return (int)TASK_CALL(m, pid, access_return(user_copy(addr, (void *)buf, len, true),
						    NULL));
}

/* Through selector @sel: the segmentation step, then user_copy of the linear address. */
static int seg_user_copy(unsigned int sel, unsigned long addr, void *buf, unsigned long len,
			 bool write)
{
	unsigned long linear;
	int err;

	err = mmu_user_segment((uint16_t)sel, addr, len, write ? MMU_WRITE : MMU_READ, &linear);
	return err ? err : user_copy(linear, buf, len, write);
}

int vmsim_read_seg(vmsim_machine_t *m, int pid, unsigned int sel, unsigned long addr,
		   void *buf, unsigned long len)
{
	if (sel > 0xffff)
		return -EINVAL;
	return (int)TASK_CALL(m, pid, access_return(seg_user_copy(sel, addr, buf, len, false),
						    NULL));
}

int vmsim_write_seg(vmsim_machine_t *m, int pid, unsigned int sel, unsigned long addr,
		    const void *buf, unsigned long len)
{
	if (sel > 0xffff)
		return -EINVAL;
	return (int)TASK_CALL(m, pid, access_return(seg_user_copy(sel, addr, (void *)buf, len,
								  true), NULL));
}

int vmsim_selector(const char *name)
{
	return selector_lookup(name);
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

long vmsim_access_run_future(vmsim_machine_t *m, int pid, const struct vmsim_access *v,
			     size_t n, const uint64_t *future, uint64_t *loaded,
			     struct vmsim_access_result *res)
{
	size_t done = 0;
	long err;

	if (res)
		memset(res, 0, sizeof(*res));
	if (n && (!v || !future))
		return -EINVAL;
	err = TASK_CALL(m, pid, access_return(run_user_accesses_future(v, n, loaded, future,
								       &done), res));
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

/*
 * The system calls that change an address space (mm/mmap.c, mprotect.c,
 * mremap.c, mlock.c, madvise.c, mincore.c) and the layout helpers around
 * them.  Kernel-internal: each takes the mm it works on (the caller's
 * current->mm), takes mm->mmap_sem itself and returns what Linux returns:
 * a value or a negative errno.  The caller holds no locks.
 *
 * Address-returning calls (do_mmap, do_mremap, get_unmapped_area) return an
 * unsigned long that is either the address or (unsigned long)-errno; test
 * with IS_ERR_VALUE().
 *
 * Flag values are Linux's, so <sys/mman.h> constants may be passed.  A file
 * that needs both includes <sys/mman.h> first (every define below is
 * guarded, so each constant is then defined once).
 */
#ifndef KERN_MMAN_H
#define KERN_MMAN_H

#include "kern/mm_types.h"
#include "kern/seq_buf.h"

/* --- flag values (Linux x86) --------------------------------------------- */
#ifndef PROT_NONE
#define PROT_NONE		0x0
#endif
#ifndef PROT_READ
#define PROT_READ		0x1
#endif
#ifndef PROT_WRITE
#define PROT_WRITE		0x2
#endif
#ifndef PROT_EXEC
#define PROT_EXEC		0x4
#endif
#ifndef PROT_GROWSDOWN
#define PROT_GROWSDOWN		0x01000000
#endif
#ifndef PROT_GROWSUP
#define PROT_GROWSUP		0x02000000
#endif

#ifndef MAP_SHARED
#define MAP_SHARED		0x01
#endif
#ifndef MAP_PRIVATE
#define MAP_PRIVATE		0x02
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_TYPE
#define MAP_TYPE		0x0f
#endif
#ifndef MAP_FIXED
#define MAP_FIXED		0x10
#endif
#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS		0x20
#endif
#ifndef MAP_32BIT
#define MAP_32BIT		0x40
#endif
#ifndef MAP_GROWSDOWN
#define MAP_GROWSDOWN		0x0100
#endif
#ifndef MAP_DENYWRITE
#define MAP_DENYWRITE		0x0800
#endif
#ifndef MAP_EXECUTABLE
#define MAP_EXECUTABLE		0x1000
#endif
#ifndef MAP_LOCKED
#define MAP_LOCKED		0x2000
#endif
#ifndef MAP_NORESERVE
#define MAP_NORESERVE		0x4000
#endif
#ifndef MAP_POPULATE
#define MAP_POPULATE		0x8000
#endif
#ifndef MAP_NONBLOCK
#define MAP_NONBLOCK		0x10000
#endif
#ifndef MAP_STACK
#define MAP_STACK		0x20000
#endif
#ifndef MAP_HUGETLB
#define MAP_HUGETLB		0x40000
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED	0x4000000	/* ignored (no MMU-less kernels here) */
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE		1
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED		2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

#ifndef MADV_NORMAL
#define MADV_NORMAL		0
#endif
#ifndef MADV_RANDOM
#define MADV_RANDOM		1
#endif
#ifndef MADV_SEQUENTIAL
#define MADV_SEQUENTIAL		2
#endif
#ifndef MADV_WILLNEED
#define MADV_WILLNEED		3
#endif
#ifndef MADV_DONTNEED
#define MADV_DONTNEED		4
#endif

#ifndef MCL_CURRENT
#define MCL_CURRENT		1
#endif
#ifndef MCL_FUTURE
#define MCL_FUTURE		2
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT		4
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT		1
#endif

/* IS_ERR_VALUE - an address-returning call failed (last page of the space) */
#ifndef MAX_ERRNO
#define MAX_ERRNO		4095
#endif
#define IS_ERR_VALUE(x)		((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)

/* /proc/sys/vm/max_map_count default */
#define DEFAULT_MAX_MAP_COUNT	65530
/* stack_guard_gap: 256 pages kept free below a VM_GROWSDOWN area */
#define STACK_GUARD_GAP		(256UL << PAGE_SHIFT)

/* --- layout (mm/mmap.c) --------------------------------------------------- */

/*
 * arch_pick_mmap_layout - set mm->task_size and mm->mmap_base for the
 * machine's paging format, as Linux without randomisation: x86-64 is
 * top-down below TASK_SIZE - clamp(RLIMIT_STACK + guard gap, 128 MiB,
 * TASK_SIZE/6*5); i386 and PAE are bottom-up from TASK_UNMAPPED_BASE
 * (TASK_SIZE/3).  Also sets start_brk = brk and start_stack to the fixed
 * places a freshly exec'ed process has (see mmap.c).  mm->rlim and
 * mm->machine must be set.
 */
void arch_pick_mmap_layout(struct mm_struct *mm);
/* User space size of a paging format (0xC0000000 or 0x7ffffffff000). */
unsigned long arch_task_size(const struct machine *m);

/*
 * setup_arg_pages - give a new process its stack VMA, as exec does: a
 * VM_GROWSDOWN read/write area of @size bytes ending at mm->start_stack's
 * page (the top of user space).  0 or -ENOMEM.
 */
int setup_arg_pages(struct mm_struct *mm, unsigned long size);

/*
 * get_unmapped_area - a free range of @len bytes: @addr itself when
 * MAP_FIXED, the hint @addr when free, else top-down or bottom-up per the
 * layout.  Returns the address or -ENOMEM/-EINVAL, -EPERM below
 * mmap_min_addr.  mmap_sem held.
 */
unsigned long get_unmapped_area(struct mm_struct *mm, struct file *file, unsigned long addr,
				unsigned long len, unsigned long pgoff, unsigned long flags);

/* --- system calls ---------------------------------------------------------- */

/* mmap: address or -EINVAL/-ENOMEM/-EEXIST/-EAGAIN/-EPERM. */
unsigned long do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
		      unsigned long prot, unsigned long flags, struct file *file,
		      unsigned long pgoff);
/*
 * sys_mmap - mmap(2) of current: -EINVAL for an offset not page-aligned,
 * -EBADF for a file mapping without an open descriptor @fd, else do_mmap's
 * result (an address or -errno, as a long).
 */
long sys_mmap(unsigned long addr, unsigned long len, int prot, int flags, int fd,
	      unsigned long off);
/* munmap: 0 or -EINVAL/-ENOMEM. */
int do_munmap(struct mm_struct *mm, unsigned long start, size_t len);
/* mprotect: 0 or -EINVAL/-ENOMEM/-EACCES. */
int do_mprotect(struct mm_struct *mm, unsigned long start, size_t len, unsigned long prot);
/* mremap: new address or -EINVAL/-ENOMEM/-EFAULT/-EAGAIN. */
unsigned long do_mremap(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
			unsigned long new_len, unsigned long flags, unsigned long new_addr);
/* brk(2) as the kernel sees it: returns the new break, or the old one on failure. */
unsigned long do_brk_syscall(struct mm_struct *mm, unsigned long brk);
/* exec's bss: anonymous rw (+VM_EXEC in @flags) memory at a page-aligned @addr.  0 or -errno. */
int vm_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long len,
		 unsigned long flags);
/* mlock family: 0 or -EINVAL/-ENOMEM/-EPERM/-EAGAIN. */
int do_mlock(struct mm_struct *mm, unsigned long start, size_t len, unsigned int flags);
int do_munlock(struct mm_struct *mm, unsigned long start, size_t len);
int do_mlockall(struct mm_struct *mm, int flags);
int do_munlockall(struct mm_struct *mm);
/* madvise: 0 or -EINVAL/-ENOMEM/-EAGAIN. */
int do_madvise(struct mm_struct *mm, unsigned long start, size_t len, int behavior);
/* mincore: one byte per page in @vec (bit 0 = resident); 0 or -EINVAL/-ENOMEM. */
int do_mincore(struct mm_struct *mm, unsigned long start, size_t len, unsigned char *vec);

/*
 * anon_vma_prepare - give @vma (private: anonymous, or a file's copy-on-write
 * pages) its anon_vma before its
 * first private page: from then on it merges only with neighbours of the
 * same anon_vma, as Linux's /proc/PID/maps shows.  The write-fault path
 * calls it (do_anonymous_page, do_wp_page's copy, do_no_page's private
 * copy) with mmap_sem held for reading and page_table_lock NOT held.
 * 0, or -ENOMEM (the fault is then VM_FAULT_OOM).  No-op for other VMAs.
 */
int anon_vma_prepare(struct vm_area_struct *vma);

/* VMA objects ("vm_area_struct" slab cache). */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig);
void vm_area_free(struct vm_area_struct *vma);
/* Link a VMA made by dup_mmap into @mm (list, tree, map_count, counters). */
void insert_vm_struct(struct mm_struct *mm, struct vm_area_struct *vma);
/* Account @vma's pages in @mm's total_vm/data_vm/exec_vm/stack_vm (+/-npages). */
void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages);

/* --- overcommit accounting (mm/util.c) ------------------------------------------ */
#define OVERCOMMIT_GUESS	0
#define OVERCOMMIT_ALWAYS	1
#define OVERCOMMIT_NEVER	2
/*
 * __vm_enough_memory - charge @pages to Committed_AS if the overcommit
 * policy allows it (@mm: the task's, for the user reserve; may be NULL):
 * 0, or -ENOMEM with nothing charged.  vm_enough_memory: for @mm's machine.
 */
int __vm_enough_memory(struct machine *m, struct mm_struct *mm, long pages);
int vm_enough_memory(struct mm_struct *mm, unsigned long pages);
void vm_acct_memory(struct machine *m, long pages);
void vm_unacct_memory(struct machine *m, long pages);
unsigned long vm_memory_committed(struct machine *m);	/* Committed_AS, pages */
unsigned long vm_commit_limit(struct machine *m);	/* CommitLimit, pages */
/* The sysctls from the configuration, the reserves from free memory (boot). */
void overcommit_init(struct machine *m);
/* Committed_AS equals what the VMAs and shmem objects charged (quiescent machine). */
bool vm_committed_check(struct machine *m, char *why, size_t whylen);
/* Write /proc/sys/vm/@name (overcommit_*, *_reserve_kbytes): 0, -ENOENT, -EINVAL. */
int overcommit_sysctl_write(struct machine *m, const char *name, unsigned long value);

/* --- /proc/PID (fs/proc_pid.c) ------------------------------------------------ */
struct task_struct;
void show_map(struct mm_struct *mm, struct seq_buf *s);
void show_smap(struct mm_struct *mm, struct seq_buf *s);
void proc_pid_status(struct task_struct *task, struct seq_buf *s);
/* /proc/PID/cmdline (or, @environ, environ): raw bytes; in the task's context. */
void proc_pid_cmdline(struct task_struct *task, struct seq_buf *s, bool environ);
/* The /proc/PID file called @name: its index for proc_pid_show, or -ENOENT. */
int proc_pid_lookup(const char *name);
/* /proc/PID/<file @f> of @task (live and entered: current) into @s. */
int proc_pid_show(struct task_struct *task, int f, struct seq_buf *s);
/*
 * /proc/<file @f> of zombie thread-group leader @pid (/proc/TGID still
 * shows its group: status with State Z and no Vm lines; the others empty):
 * 0, or -ESRCH if @pid is no zombie leader.
 */
int proc_pid_show_zombie(struct machine *m, int pid, int f, struct seq_buf *s);

#endif

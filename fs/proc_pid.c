/*
 * /proc/PID/maps, /proc/PID/smaps, /proc/PID/status, /proc/PID/cmdline,
 * /proc/PID/environ and /proc/PID/numa_maps of a simulated process, byte for byte in the formats
 * of Linux's fs/proc/task_mmu.c, fs/proc/array.c and fs/proc/base.c (the
 * fields vmsim has no notion of print 0).  The renderers take mmap_sem for
 * reading; smaps walks the page tables under page_table_lock; cmdline and
 * environ read the process's memory as the kernel does (copy_from_user,
 * run in the task's context).
 */
#include <errno.h>
#include <string.h>
#include "kern/mman.h"
#include "kern/memory.h"
#include "kern/pgtable.h"
#include "kern/sched.h"
#include "kern/fs.h"
#include "kern/shmem_fs.h"
#include "kern/uaccess.h"
#include "kern/mempolicy.h"
#include "../mm/vma_internal.h"

/* The name column: a file, a driver's name, [heap], [stack], or none. */
static const char *vma_name(struct mm_struct *mm, struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->name)
		return vma->vm_ops->name;
	if (vma->vm_file)
		return file_path_name(vma->vm_file);	/* fs/inode.c */
	/* vma_is_initial_heap (Linux 6.x): a VMA that only touches the break,
	 * as exec's bss right below start_brk == brk, is not the heap */
	if (vma->vm_start < mm->brk && vma->vm_end > mm->start_brk)
		return "[heap]";
	if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack)
		return "[stack]";
	return NULL;
}

/* One maps line: "start-end perms offset dev inode", the name from column 73. */
static void show_map_vma(struct mm_struct *mm, struct vm_area_struct *vma, struct seq_buf *s)
{
	unsigned long long pgoff = vma->vm_file ? (unsigned long long)vma->vm_pgoff << PAGE_SHIFT : 0;
	unsigned long flags = vma->vm_flags;
	const char *name = vma_name(mm, vma);
	size_t line_start = s->len;
	unsigned int dev_major = 0, dev_minor = 0;
	unsigned long ino = 0;

	if (vma->vm_file)
		file_dev_ino(vma->vm_file, &dev_major, &dev_minor, &ino);

	seq_printf(s, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ", vma->vm_start, vma->vm_end,
		   flags & VM_READ ? 'r' : '-', flags & VM_WRITE ? 'w' : '-',
		   flags & VM_EXEC ? 'x' : '-', flags & VM_MAYSHARE ? 's' : 'p', pgoff, dev_major, dev_minor, ino);
	if (name) {
		/* seq_pad: the header is padded to 25 + 6 * sizeof(void *) - 1 columns, then a space */
		size_t width = 25 + 6 * 8 - 1, used = s->len - line_start;

		if (!s->oom && used < width)
			seq_printf(s, "%*s", (int)(width - used), "");
		seq_putc(s, ' ');
		seq_puts(s, name);
	}
	seq_putc(s, '\n');
}

void show_map(struct mm_struct *mm, struct seq_buf *s)
{
	struct vm_area_struct *vma;

	down_read(&mm->mmap_sem);
	for (vma = mm->mmap; vma; vma = vma->vm_next)
		show_map_vma(mm, vma, s);
	up_read(&mm->mmap_sem);
}

struct mem_size_stats {
	unsigned long resident, shared_clean, shared_dirty, private_clean, private_dirty;
	unsigned long referenced, anonymous, swap;
	unsigned long long pss, pss_dirty, swap_pss;	/* bytes << PSS_SHIFT */
};
#define PSS_SHIFT 12

static void smaps_pte(struct mm_struct *mm, unsigned long addr, struct mem_size_stats *mss)
{
	ptep_t ptep = pgt_walk(mm, addr);
	pte_t pte;
	struct page *page;
	int mapcount;
	bool dirty, young;
	unsigned long long pss;

	if (ptep_is_null(ptep))
		return;
	pte = ptep_get(ptep);
	pte_unmap(ptep);
	if (pte_none(pte))
		return;
	if (!pte_present(pte)) {
		mss->swap += PAGE_SIZE;
		mss->swap_pss += (unsigned long long)PAGE_SIZE << PSS_SHIFT;
		return;
	}
	if (!pfn_valid(mm->machine, pte_pfn(pte)))
		return;
	page = pte_page(pte);
	if (PageZero(page) || PageReserved(page))
		return;		/* the ZERO_PAGE and raw frames are not "normal" pages */
	dirty = pte_dirty(pte) || PageDirty(page);
	young = pte_young(pte) || PageReferenced(page);
	mss->resident += PAGE_SIZE;
	if (young)
		mss->referenced += PAGE_SIZE;
	if (PageAnon(page))
		mss->anonymous += PAGE_SIZE;
	mapcount = page_mapcount(page);
	if (mapcount < 1)
		mapcount = 1;
	pss = ((unsigned long long)PAGE_SIZE << PSS_SHIFT) / (unsigned)mapcount;
	mss->pss += pss;
	if (dirty)
		mss->pss_dirty += pss;
	if (mapcount >= 2) {
		if (dirty)
			mss->shared_dirty += PAGE_SIZE;
		else
			mss->shared_clean += PAGE_SIZE;
	} else {
		if (dirty)
			mss->private_dirty += PAGE_SIZE;
		else
			mss->private_clean += PAGE_SIZE;
	}
}

static void smap_line(struct seq_buf *s, const char *name, unsigned long bytes)
{
	seq_printf(s, "%-16s%8lu kB\n", name, bytes >> 10);
}

/* VmFlags mnemonics, by bit number, as Linux prints them. */
static void show_smap_vma_flags(struct seq_buf *s, unsigned long flags)
{
	static const char mnemonics[32][3] = {
		[0] = "rd", [1] = "wr", [2] = "ex", [3] = "sh", [4] = "mr", [5] = "mw",
		[6] = "me", [7] = "ms", [8] = "gd", [10] = "pf", [13] = "lo", [14] = "io",
		[15] = "sr", [16] = "rr", [17] = "dc", [18] = "de", [19] = "lf", [20] = "ac",
		[21] = "nr", [23] = "sf", [30] = "nh",
	};
	int i;

	seq_puts(s, "VmFlags: ");
	for (i = 0; i < 32; i++) {
		if ((flags & (1UL << i)) && mnemonics[i][0]) {
			seq_puts(s, mnemonics[i]);
			seq_putc(s, ' ');
		}
	}
	seq_putc(s, '\n');
}

void show_smap(struct mm_struct *mm, struct seq_buf *s)
{
	struct vm_area_struct *vma;

	down_read(&mm->mmap_sem);
	for (vma = mm->mmap; vma; vma = vma->vm_next) {
		struct mem_size_stats mss = { 0 };
		unsigned long addr;

		spin_lock(&mm->page_table_lock);
		for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE)
			smaps_pte(mm, addr, &mss);
		spin_unlock(&mm->page_table_lock);
		if (vma_is_shmem(vma))		/* its object's pages on swap (Linux 4.5+) */
			mss.swap += shmem_swap_usage(vma);

		show_map_vma(mm, vma, s);
		smap_line(s, "Size:", vma->vm_end - vma->vm_start);
		smap_line(s, "KernelPageSize:", PAGE_SIZE);
		smap_line(s, "MMUPageSize:", PAGE_SIZE);
		smap_line(s, "Rss:", mss.resident);
		smap_line(s, "Pss:", (unsigned long)(mss.pss >> PSS_SHIFT));
		smap_line(s, "Pss_Dirty:", (unsigned long)(mss.pss_dirty >> PSS_SHIFT));
		smap_line(s, "Shared_Clean:", mss.shared_clean);
		smap_line(s, "Shared_Dirty:", mss.shared_dirty);
		smap_line(s, "Private_Clean:", mss.private_clean);
		smap_line(s, "Private_Dirty:", mss.private_dirty);
		smap_line(s, "Referenced:", mss.referenced);
		smap_line(s, "Anonymous:", mss.anonymous);
		smap_line(s, "KSM:", 0);
		smap_line(s, "LazyFree:", 0);
		smap_line(s, "AnonHugePages:", 0);
		smap_line(s, "ShmemPmdMapped:", 0);
		smap_line(s, "FilePmdMapped:", 0);
		smap_line(s, "Shared_Hugetlb:", 0);
		smap_line(s, "Private_Hugetlb:", 0);
		smap_line(s, "Swap:", mss.swap);
		smap_line(s, "SwapPss:", (unsigned long)(mss.swap_pss >> PSS_SHIFT));
		smap_line(s, "Locked:",
			  vma->vm_flags & VM_LOCKED ? (unsigned long)(mss.pss >> PSS_SHIFT) : 0);
		seq_printf(s, "%-16s%8d\n", "THPeligible:", 0);
		show_smap_vma_flags(s, vma->vm_flags);
	}
	up_read(&mm->mmap_sem);
}

static void status_line(struct seq_buf *s, const char *name, unsigned long kb)
{
	seq_printf(s, "%s\t%8lu kB\n", name, kb);
}

void proc_pid_status(struct task_struct *task, struct seq_buf *s)
{
	struct mm_struct *mm = task->mm;
	const char *state = task->state == TASK_RUNNING ? "R (running)" : "Z (zombie)";

	seq_printf(s, "Name:\t%s\n", task->comm);
	seq_puts(s, "Umask:\t0022\n");
	seq_printf(s, "State:\t%s\n", state);
	/* Tgid is getpid(), Pid the thread's own id (gettid) */
	seq_printf(s, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t0\nTracerPid:\t0\n", task->tgid, task->pid);
	seq_puts(s, "Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n");
	if (mm) {
		unsigned long anon, file, shmem, text, lib, total, hiwater_rss, rss;

		down_read(&mm->mmap_sem);
		anon = (unsigned long)atomic_load(&mm->rss_anon);
		file = (unsigned long)atomic_load(&mm->rss_file);
		shmem = (unsigned long)atomic_load(&mm->rss_shmem);
		rss = anon + file + shmem;
		hiwater_rss = max(mm->hiwater_rss, rss);
		total = mm->total_vm;
		text = (PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK)) >> 10;
		lib = (mm->exec_vm << (PAGE_SHIFT - 10)) > text ?
			(mm->exec_vm << (PAGE_SHIFT - 10)) - text : 0;
		status_line(s, "VmPeak:", max(mm->hiwater_vm, total) << (PAGE_SHIFT - 10));
		status_line(s, "VmSize:", total << (PAGE_SHIFT - 10));
		status_line(s, "VmLck:", mm->locked_vm << (PAGE_SHIFT - 10));
		status_line(s, "VmPin:", 0);
		status_line(s, "VmHWM:", hiwater_rss << (PAGE_SHIFT - 10));
		status_line(s, "VmRSS:", rss << (PAGE_SHIFT - 10));
		status_line(s, "RssAnon:", anon << (PAGE_SHIFT - 10));
		status_line(s, "RssFile:", file << (PAGE_SHIFT - 10));
		status_line(s, "RssShmem:", shmem << (PAGE_SHIFT - 10));
		status_line(s, "VmData:", mm->data_vm << (PAGE_SHIFT - 10));
		status_line(s, "VmStk:", mm->stack_vm << (PAGE_SHIFT - 10));
		status_line(s, "VmExe:", text);
		status_line(s, "VmLib:", lib);
		status_line(s, "VmPTE:", (unsigned long)atomic_load(&mm->nr_ptes) << (PAGE_SHIFT - 10));
		status_line(s, "VmSwap:", (unsigned long)atomic_load(&mm->swap_ents) << (PAGE_SHIFT - 10));
		up_read(&mm->mmap_sem);
	}
	seq_printf(s, "Threads:\t%d\n", get_nr_threads(task));
}

/*
 * proc_pid_cmdline - the bytes of [arg_start, arg_end) (@environ:
 * [env_start, env_end)) as exec left them: NUL-separated strings.  Run in
 * the task's context (current = @task, its mm loaded).  A page the
 * process unmapped since ends the output there, as Linux's
 * access_remote_vm stops at the first hole.  Empty for a process that
 * never exec'ed (vmsim_spawn).
 */
void proc_pid_cmdline(struct task_struct *task, struct seq_buf *s, bool environ)
{
	struct mm_struct *mm = task->mm;
	unsigned long start, end;
	char buf[256];

	if (!mm)
		return;
	down_read(&mm->mmap_sem);
	start = environ ? mm->env_start : mm->arg_start;
	end = environ ? mm->env_end : mm->arg_end;
	up_read(&mm->mmap_sem);
	while (start < end) {
		unsigned long n = min(end - start, (unsigned long)sizeof(buf)), left;

		left = copy_from_user(buf, start, n);
		for (unsigned long i = 0; i < n - left; i++)
			seq_putc(s, buf[i]);
		if (left)
			break;
		start += n;
	}
}

/* --- /proc/PID/numa_maps ------------------------------------------------------ */

struct numa_maps {
	unsigned long pages, anon, active, mapcount_max, dirty, swapcache, writeback;
	unsigned long node[MAX_NUMNODES];
};

/* gather_stats: one mapped page (not the ZERO_PAGE, not a raw frame). */
static void numa_maps_pte(struct mm_struct *mm, unsigned long addr, struct numa_maps *md)
{
	ptep_t ptep = pgt_walk(mm, addr);
	struct page *page;
	pte_t pte;

	if (ptep_is_null(ptep))
		return;
	pte = ptep_get(ptep);
	pte_unmap(ptep);
	if (!pte_present(pte) || !pfn_valid(mm->machine, pte_pfn(pte)))
		return;
	page = pte_page(pte);
	if (PageZero(page) || PageReserved(page))
		return;
	md->pages++;
	if (pte_dirty(pte) || PageDirty(page))
		md->dirty++;
	if (PageSwapCache(page))
		md->swapcache++;
	if (PageActive(page) || PageUnevictable(page))
		md->active++;
	if (PageWriteback(page))
		md->writeback++;
	if (PageAnon(page))
		md->anon++;
	if ((unsigned long)page_mapcount(page) > md->mapcount_max)
		md->mapcount_max = (unsigned long)page_mapcount(page);
	md->node[page_to_nid(page)]++;
}

/*
 * show_numa_map (Linux's fs/proc/task_mmu.c): start, policy (the VMA's,
 * else the task's), file= or heap or stack, then the mapped pages by kind
 * and by node, and the page size.
 */
static void show_numa_map(struct task_struct *task, struct vm_area_struct *vma,
			  struct seq_buf *s)
{
	struct mm_struct *mm = task->mm;
	const char *name = vma_name(mm, vma);
	struct numa_maps md = { 0 };
	char pol[64];

	mpol_to_str(pol, sizeof(pol), vma->vm_policy.mode ? &vma->vm_policy : &task->mempolicy);
	seq_printf(s, "%08lx %s", vma->vm_start, pol);
	if (vma->vm_file)
		seq_printf(s, " file=%s", file_path_name(vma->vm_file));
	else if (name && !strcmp(name, "[heap]"))
		seq_puts(s, " heap");
	else if (name && !strcmp(name, "[stack]"))
		seq_puts(s, " stack");
	spin_lock(&mm->page_table_lock);
	for (unsigned long addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE)
		numa_maps_pte(mm, addr, &md);
	spin_unlock(&mm->page_table_lock);
	if (md.pages) {
		if (md.anon)
			seq_printf(s, " anon=%lu", md.anon);
		if (md.dirty)
			seq_printf(s, " dirty=%lu", md.dirty);
		if (md.pages != md.anon && md.pages != md.dirty)
			seq_printf(s, " mapped=%lu", md.pages);
		if (md.mapcount_max > 1)
			seq_printf(s, " mapmax=%lu", md.mapcount_max);
		if (md.swapcache)
			seq_printf(s, " swapcache=%lu", md.swapcache);
		if (md.active < md.pages)
			seq_printf(s, " active=%lu", md.active);
		if (md.writeback)
			seq_printf(s, " writeback=%lu", md.writeback);
		for (int n = 0; n < mm->machine->nr_nodes; n++)
			if (md.node[n])
				seq_printf(s, " N%d=%lu", n, md.node[n]);
		seq_printf(s, " kernelpagesize_kB=%lu", PAGE_SIZE >> 10);
	}
	seq_putc(s, '\n');
}

static void show_numa_maps(struct task_struct *task, struct seq_buf *s)
{
	struct mm_struct *mm = task->mm;

	down_read(&mm->mmap_sem);
	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next)
		show_numa_map(task, vma, s);
	up_read(&mm->mmap_sem);
}

/* --- the /proc/PID directory ------------------------------------------------ */

enum { PID_MAPS, PID_SMAPS, PID_STATUS, PID_CMDLINE, PID_ENVIRON, PID_NUMA_MAPS, NR_PID_FILES };

static const char *const pid_file_names[NR_PID_FILES] = {
	[PID_MAPS] = "maps", [PID_SMAPS] = "smaps", [PID_STATUS] = "status",
	[PID_CMDLINE] = "cmdline", [PID_ENVIRON] = "environ", [PID_NUMA_MAPS] = "numa_maps",
};

int proc_pid_lookup(const char *name)
{
	for (int f = 0; f < NR_PID_FILES; f++)
		if (!strcmp(name, pid_file_names[f]))
			return f;
	return -ENOENT;
}

int proc_pid_show(struct task_struct *task, int f, struct seq_buf *s)
{
	switch (f) {
	case PID_MAPS:
		show_map(task->mm, s);
		break;
	case PID_SMAPS:
		show_smap(task->mm, s);
		break;
	case PID_STATUS:
		proc_pid_status(task, s);
		break;
	case PID_NUMA_MAPS:
		show_numa_maps(task, s);
		break;
	default:
		proc_pid_cmdline(task, s, f == PID_ENVIRON);
		break;
	}
	return 0;
}

int proc_pid_show_zombie(struct machine *m, int pid, int f, struct seq_buf *s)
{
	struct task_struct *z = find_get_zombie_leader(m, pid);

	if (!z)
		return -ESRCH;
	if (f == PID_STATUS)
		proc_pid_status(z, s);	/* State: Z, no mm: no Vm lines */
	put_task_struct(z);
	return 0;
}

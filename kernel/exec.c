/*
 * exec: the memory-management side of execve, as Linux's fs/exec.c and
 * fs/binfmt_elf.c: a process gets a NEW address space holding the ELF
 * executable's PT_LOAD segments, its bss and brk, and a fresh stack with
 * the argument and environment strings and the initial stack frame
 * (argc, argv[], envp[], the auxiliary vector) at its top; the old
 * address space is dropped as exit drops it (mmput).
 *
 * The steps, with 2.4's names:
 *   copy_strings       argv, envp and the file name into argument pages
 *                      (bprm->page[], simulated frames), from the top of
 *                      the stack down; E2BIG past the limit.
 *   setup_arg_pages    the new mm's stack VMA: the argument pages plus
 *                      128 KiB below them (Linux's stack_expand), and
 *                      put_dirty_page places each argument page there.
 *   load_elf_binary    each PT_LOAD mapped MAP_PRIVATE|MAP_FIXED from the
 *                      file with its protections (elf_map), the rest of
 *                      the page after p_filesz zeroed (padzero), the bss
 *                      beyond the file part anonymous (vm_brk_flags);
 *                      start_code .. brk set as Linux 6.x does.
 *   create_elf_tables  platform string, AT_RANDOM bytes, auxv, envp[],
 *                      argv[], argc, written into the new stack.
 *   exec_mmap          the point of no return: the task switches to the
 *                      new mm and the old one is mmput.
 *
 * Differences from Linux, on purpose:
 * - Everything is built in the new mm BEFORE the switch, so any failure
 *   (ENOENT, EACCES, ENOEXEC, EINVAL, E2BIG, ENOMEM, EPERM for a segment
 *   below mmap_min_addr ...) leaves the process exactly as it was.
 *   Linux switches first and kills the process when a later mapping fails.
 * - put_dirty_page does not hand the argument page itself to the new page
 *   tables: PTE installation (rmap, LRU, rss) is mm/memory.c's, so a write
 *   fault in the new mm installs a fresh anonymous page and the argument
 *   page's bytes are copied into it.  Later stack writes (the tables) take
 *   the same path, as Linux's get_user_pages-based copy_strings does.
 * - Static executables only: an ELF with PT_INTERP (a dynamic one) is
 *   refused with -ENOEXEC and a kernel-log line.  A static PIE (ET_DYN,
 *   no interpreter) is loaded as Linux does without randomisation: at the
 *   address get_unmapped_area gives for its whole image (below mmap_base).
 * - No vDSO, so no AT_SYSINFO_EHDR; no AT_HWCAP/AT_HWCAP2/AT_MINSIGSTKSZ
 *   (the simulated CPU has no CPUID).  The stack is never executable.
 * - Threads: de_thread runs once the new image is complete, just before
 *   exec_mmap (Linux: begin_new_exec, also before the switch): the other
 *   threads of the group (CLONE_THREAD) are killed and waited for, and a
 *   thread that is not the leader takes the tgid.  A CLONE_VM process
 *   that is not a thread of the group (vfork + exec) keeps running on the
 *   old mm, which lives while it uses it.
 * - The descriptor table: close-on-exec descriptors are closed; a table
 *   shared with a CLONE_VM sibling is first unshared (Linux's
 *   unshare_files), so the sibling keeps its descriptors.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "kern/sched.h"
#include "kern/memory.h"
#include "kern/mman.h"
#include "kern/fs.h"
#include "kern/pagemap.h"
#include "kern/highmem.h"
#include "kern/slab.h"
#include "kern/printk.h"

/* Linux's limits on the arguments (include/uapi/linux/binfmts.h, fs/exec.c) */
#define MAX_ARG_STRLEN		(PAGE_SIZE * 32)	/* one string, NUL included */
#define MAX_ARG_STRINGS		0x7FFFFFFF
#define ARG_MAX			(PAGE_SIZE * 32)	/* the floor of the limit */
#define _STK_LIM		(8UL * 1024 * 1024)
#define BINPRM_BUF_SIZE		256
#ifndef BITS_PER_LONG
#define BITS_PER_LONG		(8 * (unsigned int)sizeof(unsigned long))
#endif
/* room setup_arg_pages adds below the arguments (fs/exec.c's stack_expand) */
#define STACK_EXPAND		131072UL
/* the largest program-header table Linux reads */
#define ELF_MIN_ALIGN		PAGE_SIZE
#define ELF_PAGESTART(v)	((v) & ~(unsigned long)(ELF_MIN_ALIGN - 1))
#define ELF_PAGEOFFSET(v)	((v) & (ELF_MIN_ALIGN - 1))
#define ELF_PAGEALIGN(v)	(((v) + ELF_MIN_ALIGN - 1) & ~(unsigned long)(ELF_MIN_ALIGN - 1))

/* the uid/gid /proc/PID/status shows for every simulated process */
#define EXEC_UID		1000
#define EXEC_GID		1000
/* USER_HZ */
#define EXEC_CLKTCK		100
/* auxv entries we write, AT_NULL included */
#define EXEC_AUXV_MAX		20

/* One program header, whatever the ELF class. */
struct exec_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_filesz, p_memsz;
};

/* What the loader knows about the executable and the new image. */
struct linux_binprm {
	struct machine *m;
	struct task_struct *task;
	struct file *file;
	const char *filename;
	struct mm_struct *mm;		/* the new address space */
	bool elf64;			/* x86_64 machine: ELF64, 8-byte words */
	unsigned int ptr_size;		/* the kernel's and user's word: 8 or 4 */
	unsigned long stack_top;	/* STACK_TOP: the end of user space */
	/* copy_strings: argument pages from the top down, page[i] covers
	 * [stack_top - (i+1) * PAGE_SIZE, stack_top - i * PAGE_SIZE) */
	struct page **page;
	unsigned long nr_pages;
	unsigned long p;		/* lowest byte of the strings so far */
	unsigned long argmin;		/* p may not go below it (E2BIG) */
	unsigned long exec;		/* the file name's copy (AT_EXECFN) */
	unsigned long argc, envc;
	/* the ELF */
	uint16_t e_type;
	uint64_t e_entry, e_phoff;
	uint16_t e_phnum;
	struct exec_phdr *phdr;		/* kmalloc'd, e_phnum entries */
	unsigned long load_bias;
	unsigned long phdr_addr;	/* AT_PHDR */
};

/* --- reading the file ----------------------------------------------------- */

/*
 * kernel_read - @count bytes of @file at @pos into @buf through the page
 * cache (read_cache_page).  Bytes read (short at EOF) or -errno.
 */
static long kernel_read(struct file *file, loff_t pos, void *buf, size_t count)
{
	struct address_space *mapping = file->f_mapping;
	loff_t isize = atomic_load(&mapping->host->i_size);
	size_t done = 0;

	if (pos < 0)
		return -EINVAL;
	if (pos >= isize)
		return 0;
	if ((loff_t)count > isize - pos)
		count = (size_t)(isize - pos);
	while (done < count) {
		loff_t at = pos + (loff_t)done;
		unsigned long off = (unsigned long)at & ~PAGE_MASK;
		size_t n = min(count - done, PAGE_SIZE - off);
		struct page *page;
		int err = 0;
		void *k;

		page = read_cache_page(mapping, (unsigned long)(at >> PAGE_SHIFT), file, &err);
		if (!page)
			return done ? (long)done : err;
		k = kmap(page);
		memcpy((char *)buf + done, (char *)k + off, n);
		kunmap(page);
		page_cache_release(page);
		done += n;
	}
	return (long)done;
}

/*
 * open_exec - @path below the machine's root, opened for reading: -ENOENT
 * & co. from the lookup, -EACCES for anything but a regular file with an
 * execute bit (Linux's may_open(MAY_EXEC) and S_ISREG checks).
 */
static struct file *open_exec(struct machine *m, const char *path, int *err)
{
	struct inode *inode;
	struct file *file;

	inode = hostfs_open(m, path, O_RDONLY, 0, err);
	if (!inode) {
		if (*err == -ENXIO)	/* a device, fifo or socket of the host */
			*err = -EACCES;
		return NULL;
	}
	if (!S_ISREG(inode->i_mode) || !(inode->i_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
		iput(inode);
		*err = -EACCES;
		return NULL;
	}
	file = alloc_file(inode, O_RDONLY, FMODE_READ);
	iput(inode);		/* the file holds its own reference */
	if (!file)
		*err = -ENOMEM;
	return file;
}

/* --- argument pages ----------------------------------------------------------- */

/* count - the strings of a NULL-terminated vector (NULL: none); -E2BIG past the maximum. */
static long count_strings(const char *const v[])
{
	long i = 0;

	if (!v)
		return 0;
	while (v[i]) {
		if (i >= MAX_ARG_STRINGS)
			return -E2BIG;
		i++;
	}
	return i;
}

/*
 * bprm_stack_limits - how far the strings may reach below the top, as
 * Linux 6.x: a quarter of RLIMIT_STACK, at most 3/4 of _STK_LIM, at least
 * ARG_MAX, less the argv/envp pointers that will point at them.
 */
static int bprm_stack_limits(struct linux_binprm *bprm)
{
	unsigned long rlim = bprm->task->rlim[RLIMIT_STACK].rlim_cur;
	unsigned long limit = _STK_LIM / 4 * 3, ptr_size;

	limit = min(limit, rlim / 4);
	limit = max(limit, (unsigned long)ARG_MAX);
	ptr_size = (max(bprm->argc, 1UL) + bprm->envc) * bprm->ptr_size;
	if (limit <= ptr_size)
		return -E2BIG;
	limit -= ptr_size;
	bprm->argmin = bprm->p - limit;
	/* every page the strings may touch, and the one below (alignment) */
	bprm->nr_pages = (bprm->stack_top - bprm->argmin + PAGE_SIZE - 1) / PAGE_SIZE + 1;
	bprm->page = kzalloc(bprm->nr_pages * sizeof(struct page *), GFP_KERNEL);
	return bprm->page ? 0 : -ENOMEM;
}

/* The argument page holding byte @addr (allocated zeroed on first use). */
static struct page *get_arg_page(struct linux_binprm *bprm, unsigned long addr)
{
	unsigned long i = (bprm->stack_top - 1 - addr) >> PAGE_SHIFT;

	VM_BUG_ON_MSG(addr >= bprm->stack_top || i >= bprm->nr_pages,
		      "exec: argument byte %#lx outside the %lu argument pages", addr,
		      bprm->nr_pages);
	if (!bprm->page[i])
		bprm->page[i] = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
	return bprm->page[i];
}

/* Copy @len bytes of @src to the argument area at @addr, page by page. */
static int copy_to_arg_pages(struct linux_binprm *bprm, unsigned long addr, const char *src,
			     unsigned long len)
{
	while (len) {
		unsigned long off = addr & ~PAGE_MASK, n = min(len, PAGE_SIZE - off);
		struct page *page = get_arg_page(bprm, addr);
		char *k;

		if (!page)
			return -ENOMEM;
		k = kmap(page);
		memcpy(k + off, src, n);
		kunmap(page);
		addr += n;
		src += n;
		len -= n;
	}
	return 0;
}

/* copy_string_kernel - one string (its NUL included) just below bprm->p. */
static int copy_string_kernel(const char *str, struct linux_binprm *bprm)
{
	unsigned long len = strnlen(str, MAX_ARG_STRLEN) + 1;

	if (len > MAX_ARG_STRLEN)
		return -E2BIG;
	if (bprm->p - bprm->argmin < len)
		return -E2BIG;
	bprm->p -= len;
	return copy_to_arg_pages(bprm, bprm->p, str, len);
}

/*
 * copy_strings - the @n strings of @v, the last first, each below the
 * previous: so in memory they read in order, v[0] lowest.
 */
static int copy_strings(unsigned long n, const char *const v[], struct linux_binprm *bprm)
{
	while (n--) {
		int err = copy_string_kernel(v[n], bprm);

		if (err)
			return err;
	}
	return 0;
}

static void free_arg_pages(struct linux_binprm *bprm)
{
	for (unsigned long i = 0; bprm->page && i < bprm->nr_pages; i++)
		if (bprm->page[i])
			__free_page(bprm->page[i]);
	kfree(bprm->page);
	bprm->page = NULL;
}

/* --- writing into the new address space ------------------------------------------ */

/*
 * get_user_page_write - the page behind @addr in @mm (not the running
 * one), faulted in for writing as get_user_pages(FOLL_WRITE) does: a
 * private page of our own, with a reference.  -EFAULT for an address no
 * writable VMA covers, -ENOMEM.
 */
static struct page *get_user_page_write(struct mm_struct *mm, unsigned long addr, int *err)
{
	struct vm_area_struct *vma;
	struct page *page = NULL;
	int tries;

	down_read(&mm->mmap_sem);
	vma = find_vma(mm, addr);
	*err = -EFAULT;
	if (!vma || vma->vm_start > addr || !(vma->vm_flags & VM_WRITE))
		goto out;
	for (tries = 0; tries < 8; tries++) {
		int ret;

		/* nobody else sees the new mm: the page cannot go between the two */
		page = follow_page(mm, addr, 1);
		if (page) {
			get_page(page);
			*err = 0;
			goto out;
		}
		ret = handle_mm_fault(mm, vma, addr, FAULT_FLAG_WRITE);
		if (ret == VM_FAULT_OOM) {
			*err = -ENOMEM;
			goto out;
		}
		if (ret != VM_FAULT_MINOR && ret != VM_FAULT_MAJOR)
			goto out;
	}
out:
	up_read(&mm->mmap_sem);
	return page;
}

/* Write @len bytes of @src (NULL: zeroes) at @addr of the new @mm.  0 or -errno. */
static int mm_poke(struct mm_struct *mm, unsigned long addr, const void *src, unsigned long len)
{
	while (len) {
		unsigned long off = addr & ~PAGE_MASK, n = min(len, PAGE_SIZE - off);
		int err;
		struct page *page = get_user_page_write(mm, addr, &err);
		char *k;

		if (!page)
			return err;
		k = kmap(page);
		if (src)
			memcpy(k + off, src, n);
		else
			memset(k + off, 0, n);
		kunmap(page);
		put_page(page);
		addr += n;
		len -= n;
		if (src)
			src = (const char *)src + n;
	}
	return 0;
}

/*
 * put_dirty_page - place argument page @page at @address of the new stack
 * (see the header: through a write fault and a copy).
 */
static int put_dirty_page(struct mm_struct *mm, struct page *page, unsigned long address)
{
	char *k = kmap(page);
	int err = mm_poke(mm, address, k, PAGE_SIZE);

	kunmap(page);
	return err;
}

/*
 * setup_arg_pages - the new stack: a VM_GROWSDOWN VMA over the argument
 * pages plus STACK_EXPAND below them (no more than RLIMIT_STACK allows,
 * never less than the arguments), the argument pages put in place.
 */
static int exec_setup_arg_pages(struct linux_binprm *bprm)
{
	unsigned long rlim = bprm->task->rlim[RLIMIT_STACK].rlim_cur & PAGE_MASK;
	unsigned long args = bprm->stack_top - (bprm->p & PAGE_MASK), size;
	int err;

	size = args + STACK_EXPAND;
	if (size > rlim)
		size = max(rlim, args);
	err = setup_arg_pages(bprm->mm, size);		/* mm/mmap.c */
	if (err)
		return err;
	for (unsigned long i = 0; i < bprm->nr_pages; i++) {
		if (!bprm->page[i])
			continue;
		err = put_dirty_page(bprm->mm, bprm->page[i],
				     bprm->stack_top - (i + 1) * PAGE_SIZE);
		if (err)
			return err;
	}
	return 0;
}

/* --- the ELF -------------------------------------------------------------------- */

/* Machine-word helpers for the two classes. */
static uint64_t get_le(const unsigned char *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

/*
 * elf_read_headers - the ELF header (bprm->buf) and the program headers,
 * checked as load_elf_binary does: -ENOEXEC for anything that is not an
 * executable of this machine's class (ELF64 x86-64 on the x86_64 layout,
 * ELF32 i386 on i386 and PAE) or is dynamically linked, -EIO for a short
 * table.
 */
static int elf_read_headers(struct linux_binprm *bprm)
{
	unsigned char buf[BINPRM_BUF_SIZE];
	unsigned int phentsize, want_entsize;
	uint16_t machine;
	unsigned char *raw;
	size_t size;
	long n;

	memset(buf, 0, sizeof(buf));
	n = kernel_read(bprm->file, 0, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if ((size_t)n < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG))
		return -ENOEXEC;
	if (buf[EI_CLASS] != (bprm->elf64 ? ELFCLASS64 : ELFCLASS32) ||
	    buf[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	if ((size_t)n < (bprm->elf64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return -ENOEXEC;
	if (bprm->elf64) {
		const Elf64_Ehdr *eh = (const void *)buf;

		bprm->e_type = eh->e_type;
		machine = eh->e_machine;
		bprm->e_entry = eh->e_entry;
		bprm->e_phoff = eh->e_phoff;
		bprm->e_phnum = eh->e_phnum;
		phentsize = eh->e_phentsize;
		want_entsize = sizeof(Elf64_Phdr);
	} else {
		Elf32_Ehdr eh;

		memcpy(&eh, buf, sizeof(eh));
		bprm->e_type = eh.e_type;
		machine = eh.e_machine;
		bprm->e_entry = eh.e_entry;
		bprm->e_phoff = eh.e_phoff;
		bprm->e_phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
		want_entsize = sizeof(Elf32_Phdr);
	}
	if (bprm->e_type != ET_EXEC && bprm->e_type != ET_DYN)
		return -ENOEXEC;
	if (bprm->elf64 ? machine != EM_X86_64 : (machine != EM_386 && machine != 6 /* EM_486 */))
		return -ENOEXEC;
	if (!bprm->file->f_op || !bprm->file->f_op->mmap)
		return -ENOEXEC;
	/* elf_read_phdrs: the table must be sane and at most 64 KiB */
	if (phentsize != want_entsize || bprm->e_phnum < 1 ||
	    bprm->e_phnum > 65536U / want_entsize)
		return -ENOEXEC;
	size = (size_t)bprm->e_phnum * want_entsize;
	raw = kmalloc(size, GFP_KERNEL);
	bprm->phdr = kmalloc(bprm->e_phnum * sizeof(*bprm->phdr), GFP_KERNEL);
	if (!raw || !bprm->phdr) {
		kfree(raw);
		return -ENOMEM;
	}
	n = bprm->e_phoff > (uint64_t)INT64_MAX ? -EINVAL :
	    kernel_read(bprm->file, (loff_t)bprm->e_phoff, raw, size);
	if (n >= 0 && (size_t)n != size)
		n = -EIO;
	for (unsigned int i = 0; n >= 0 && i < bprm->e_phnum; i++) {
		const unsigned char *e = raw + (size_t)i * want_entsize;
		struct exec_phdr *ph = &bprm->phdr[i];

		if (bprm->elf64) {
			ph->p_type = (uint32_t)get_le(e, 4);
			ph->p_flags = (uint32_t)get_le(e + 4, 4);
			ph->p_offset = get_le(e + 8, 8);
			ph->p_vaddr = get_le(e + 16, 8);
			ph->p_filesz = get_le(e + 32, 8);
			ph->p_memsz = get_le(e + 40, 8);
		} else {
			ph->p_type = (uint32_t)get_le(e, 4);
			ph->p_offset = get_le(e + 4, 4);
			ph->p_vaddr = get_le(e + 8, 4);
			ph->p_filesz = get_le(e + 16, 4);
			ph->p_memsz = get_le(e + 20, 4);
			ph->p_flags = (uint32_t)get_le(e + 24, 4);
		}
		if (ph->p_type == PT_INTERP) {
			printk(bprm->m, "exec: %s: dynamically linked (PT_INTERP): only static "
			       "executables can be run\n", bprm->filename);
			n = -ENOEXEC;
		}
	}
	kfree(raw);
	return n < 0 ? (int)n : 0;
}

static unsigned long make_prot(uint32_t p_flags)
{
	return (p_flags & PF_R ? PROT_READ : 0) | (p_flags & PF_W ? PROT_WRITE : 0) |
	       (p_flags & PF_X ? PROT_EXEC : 0);
}

/*
 * elf_map - the file part of segment @ph at @addr + its page offset:
 * ELF_PAGEALIGN(p_filesz + page offset) bytes from the page-aligned file
 * offset.  With @total_size (the first segment of a PIE) the whole image
 * is reserved first and the rest of it unmapped again, as Linux does.
 */
static unsigned long elf_map(struct linux_binprm *bprm, unsigned long addr,
			     const struct exec_phdr *ph, unsigned long prot, unsigned long flags,
			     unsigned long total_size)
{
	unsigned long size = ph->p_filesz + ELF_PAGEOFFSET(ph->p_vaddr);
	uint64_t off = ph->p_offset - ELF_PAGEOFFSET(ph->p_vaddr);
	unsigned long map_addr;

	addr = ELF_PAGESTART(addr);
	size = ELF_PAGEALIGN(size);
	if (!size)
		return addr;
	if (ph->p_offset < ELF_PAGEOFFSET(ph->p_vaddr) || (off & ~PAGE_MASK))
		return (unsigned long)-EINVAL;
	if (total_size) {
		total_size = ELF_PAGEALIGN(total_size);
		map_addr = do_mmap(bprm->mm, addr, total_size, prot, flags, bprm->file,
				   off >> PAGE_SHIFT);
		if (!IS_ERR_VALUE(map_addr) && total_size > size)
			do_munmap(bprm->mm, map_addr + size, total_size - size);
	} else {
		map_addr = do_mmap(bprm->mm, addr, size, prot, flags, bprm->file,
				   off >> PAGE_SHIFT);
	}
	return map_addr;
}

/*
 * elf_load - one PT_LOAD: its file part (elf_map), the rest of its last
 * file page zeroed if writable (padzero), and the bss beyond as anonymous
 * memory (vm_brk_flags), as Linux 6.x's elf_load.
 */
static unsigned long elf_load(struct linux_binprm *bprm, unsigned long addr,
			      const struct exec_phdr *ph, unsigned long prot, unsigned long flags,
			      unsigned long total_size)
{
	unsigned long zero_start, zero_end, map_addr;

	if (ph->p_filesz) {
		map_addr = elf_map(bprm, addr, ph, prot, flags, total_size);
		if (IS_ERR_VALUE(map_addr))
			return map_addr;
		zero_start = map_addr + ELF_PAGEOFFSET(ph->p_vaddr) + ph->p_filesz;
		zero_end = map_addr + ELF_PAGEOFFSET(ph->p_vaddr) + ph->p_memsz;
		if (ph->p_memsz > ph->p_filesz && (prot & PROT_WRITE) &&
		    ELF_PAGEOFFSET(zero_start)) {
			/* padzero: the file's bytes past p_filesz are not the segment's */
			int err = mm_poke(bprm->mm, zero_start, NULL,
					  ELF_MIN_ALIGN - ELF_PAGEOFFSET(zero_start));

			if (err)
				return (unsigned long)err;
		}
	} else {
		map_addr = zero_start = ELF_PAGESTART(addr);
		zero_end = zero_start + ELF_PAGEOFFSET(ph->p_vaddr) + ph->p_memsz;
	}
	if (ph->p_memsz > ph->p_filesz) {
		int err;

		zero_start = ELF_PAGEALIGN(zero_start);
		zero_end = ELF_PAGEALIGN(zero_end);
		if (zero_end > zero_start) {
			err = vm_brk_flags(bprm->mm, zero_start, zero_end - zero_start,
					   prot & PROT_EXEC ? VM_EXEC : 0);
			if (err)
				return (unsigned long)err;
		}
	}
	return map_addr;
}

/* total_mapping_size - from the first PT_LOAD's page to the end of the last. */
static unsigned long total_mapping_size(const struct linux_binprm *bprm)
{
	int first = -1, last = -1;

	for (int i = 0; i < bprm->e_phnum; i++) {
		if (bprm->phdr[i].p_type != PT_LOAD)
			continue;
		if (first < 0)
			first = i;
		last = i;
	}
	if (first < 0)
		return 0;
	return bprm->phdr[last].p_vaddr + bprm->phdr[last].p_memsz -
	       ELF_PAGESTART(bprm->phdr[first].p_vaddr);
}

/*
 * load_elf_segments - map every PT_LOAD into the new mm and set its code,
 * data and brk fields, as load_elf_binary: start_code the lowest
 * executable segment's address, end_code the end of the highest one's file
 * part, start_data the highest segment's address, end_data the end of the
 * highest file part, start_brk = brk just after the bss (no
 * randomisation).  -EINVAL for a segment that does not fit user space.
 */
static int load_elf_segments(struct linux_binprm *bprm)
{
	struct mm_struct *mm = bprm->mm;
	unsigned long task_size = mm->task_size;
	unsigned long start_code = ~0UL, end_code = 0, start_data = 0, end_data = 0;
	unsigned long elf_brk = 0, load_bias = 0;
	bool first = true, any = false;

	for (int i = 0; i < bprm->e_phnum; i++) {
		const struct exec_phdr *ph = &bprm->phdr[i];
		unsigned long prot = make_prot(ph->p_flags), flags = MAP_PRIVATE;
		unsigned long vaddr = ph->p_vaddr, total_size = 0, map_addr, k;

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_vaddr >= task_size || ph->p_filesz > ph->p_memsz ||
		    ph->p_memsz > task_size || task_size - ph->p_memsz < ph->p_vaddr)
			return -EINVAL;
		if (!first) {
			flags |= MAP_FIXED;
		} else if (bprm->e_type == ET_EXEC) {
			flags |= MAP_FIXED_NOREPLACE;
		} else {
			/* a static PIE: wherever its whole image fits (no ASLR) */
			load_bias = ELF_PAGESTART(0UL - vaddr);
			total_size = total_mapping_size(bprm);
			if (!total_size)
				return -EINVAL;
		}
		map_addr = elf_load(bprm, load_bias + vaddr, ph, prot, flags, total_size);
		if (IS_ERR_VALUE(map_addr))
			return (int)(long)map_addr;
		if (first) {
			first = false;
			if (bprm->e_type == ET_DYN)
				load_bias += map_addr - ELF_PAGESTART(load_bias + vaddr);
		}
		any = true;
		/* the segment holding the program headers gives AT_PHDR */
		if (ph->p_offset <= bprm->e_phoff && bprm->e_phoff < ph->p_offset + ph->p_filesz)
			bprm->phdr_addr = bprm->e_phoff - ph->p_offset + vaddr;
		k = vaddr;
		if ((ph->p_flags & PF_X) && k < start_code)
			start_code = k;
		if (start_data < k)
			start_data = k;
		k = vaddr + ph->p_filesz;
		if ((ph->p_flags & PF_X) && end_code < k)
			end_code = k;
		if (end_data < k)
			end_data = k;
		k = vaddr + ph->p_memsz;
		if (k > elf_brk)
			elf_brk = k;
	}
	if (!any)
		return -ENOEXEC;
	bprm->load_bias = load_bias;
	bprm->e_entry += load_bias;
	bprm->phdr_addr += load_bias;
	down_write(&mm->mmap_sem);
	mm->start_code = start_code + load_bias;
	mm->end_code = end_code + load_bias;
	mm->start_data = start_data + load_bias;
	mm->end_data = end_data + load_bias;
	mm->start_brk = mm->brk = ELF_PAGEALIGN(elf_brk + load_bias);
	up_write(&mm->mmap_sem);
	if (bprm->e_entry >= task_size)
		return -EINVAL;
	return 0;
}

/* --- the initial stack frame ---------------------------------------------------------- */

/* Store @v as one user word (8 or 4 bytes) at @addr of the new mm. */
static int put_word(struct linux_binprm *bprm, unsigned long addr, uint64_t v)
{
	unsigned char b[8];

	for (unsigned int i = 0; i < bprm->ptr_size; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return mm_poke(bprm->mm, addr, b, bprm->ptr_size);
}

/*
 * create_elf_tables - below the strings, as Linux: the platform string,
 * 16 AT_RANDOM bytes, then (16-byte aligned, growing down) the auxiliary
 * vector, envp[] and NULL, argv[] and NULL, argc at the stack pointer.
 * Sets arg_start/arg_end/env_start/env_end and start_stack (= sp).
 */
static int create_elf_tables(struct linux_binprm *bprm, unsigned long *sp_out)
{
	const char *platform = bprm->elf64 ? "x86_64" : "i686";
	struct mm_struct *mm = bprm->mm;
	unsigned long ws = bprm->ptr_size;
	uint64_t auxv[EXEC_AUXV_MAX * 2];
	unsigned long p, u_platform, u_rand, sp, items, a, nr = 0;
	unsigned char rnd[16];
	int err;

	p = bprm->p & ~15UL;			/* arch_align_stack, no randomisation */
	p -= strlen(platform) + 1;
	u_platform = p;
	err = mm_poke(mm, u_platform, platform, strlen(platform) + 1);
	if (err)
		return err;
	/* AT_RANDOM: 16 bytes for the stack protector, from the machine's seed
	 * and the pid (deterministic; no shared generator state is touched) */
	for (unsigned int i = 0; i < sizeof(rnd); i += 8) {
		uint64_t r = splitmix64_mix(bprm->m->cfg.seed ^
					    ((uint64_t)bprm->task->pid << 32 | (i + 1)));

		memcpy(rnd + i, &r, 8);
	}
	p -= sizeof(rnd);
	u_rand = p;
	err = mm_poke(mm, u_rand, rnd, sizeof(rnd));
	if (err)
		return err;

#define NEW_AUX_ENT(id, val) do { auxv[nr++] = (id); auxv[nr++] = (val); } while (0)
	NEW_AUX_ENT(AT_PAGESZ, PAGE_SIZE);
	NEW_AUX_ENT(AT_CLKTCK, EXEC_CLKTCK);
	NEW_AUX_ENT(AT_PHDR, bprm->phdr_addr);
	NEW_AUX_ENT(AT_PHENT, bprm->elf64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr));
	NEW_AUX_ENT(AT_PHNUM, bprm->e_phnum);
	NEW_AUX_ENT(AT_BASE, 0);		/* no interpreter */
	NEW_AUX_ENT(AT_FLAGS, 0);
	NEW_AUX_ENT(AT_ENTRY, bprm->e_entry);
	NEW_AUX_ENT(AT_UID, EXEC_UID);
	NEW_AUX_ENT(AT_EUID, EXEC_UID);
	NEW_AUX_ENT(AT_GID, EXEC_GID);
	NEW_AUX_ENT(AT_EGID, EXEC_GID);
	NEW_AUX_ENT(AT_SECURE, 0);
	NEW_AUX_ENT(AT_RANDOM, u_rand);
	NEW_AUX_ENT(AT_EXECFN, bprm->exec);
	NEW_AUX_ENT(AT_PLATFORM, u_platform);
	NEW_AUX_ENT(AT_NULL, 0);
#undef NEW_AUX_ENT
	BUG_ON_MSG(nr > EXEC_AUXV_MAX * 2, "exec: %lu auxv words", nr);

	/* STACK_ADD then STACK_ROUND: auxv, then argc, argv[], envp[] below it */
	items = (bprm->argc + 1) + (bprm->envc + 1) + 1;
	sp = (p - (nr + items) * ws) & ~15UL;

	/* argc, argv[] pointing at the strings in order, NULL, envp[], NULL, auxv */
	a = sp;
	err = put_word(bprm, a, bprm->argc);
	a += ws;
	p = mm->arg_start;
	for (unsigned long i = 0; !err && i < bprm->argc + bprm->envc + 2; i++) {
		if (i == bprm->argc || i == bprm->argc + bprm->envc + 1) {
			err = put_word(bprm, a, 0);
			if (i == bprm->argc)
				mm->arg_end = mm->env_start = p;
			else
				mm->env_end = p;
		} else {
			unsigned long len = 0;

			err = put_word(bprm, a, p);
			/* the string's length, read back from the argument pages */
			while (!err) {
				struct page *page = get_arg_page(bprm, p + len);
				unsigned long off = (p + len) & ~PAGE_MASK;
				char *k, *z;

				if (!page) {
					err = -ENOMEM;
					break;
				}
				k = kmap(page);
				z = memchr(k + off, 0, PAGE_SIZE - off);
				len += z ? (unsigned long)(z - (k + off)) + 1 : PAGE_SIZE - off;
				kunmap(page);
				if (z)
					break;
			}
			p += len;
		}
		a += ws;
	}
	for (unsigned long i = 0; !err && i < nr; i++, a += ws)
		err = put_word(bprm, a, auxv[i]);
	if (err)
		return err;
	mm->start_stack = sp;
	*sp_out = sp;
	return 0;
}

/* --- the switch ------------------------------------------------------------------------ */

/*
 * exec_mmap - the point of no return: @t runs on @mm from now on and its
 * old mm is dropped as exit_mm drops it (the last user's mmput frees every
 * page).  The old mm's limits pointer moves to another user's copy first
 * if it was this task's array (a CLONE_VM sibling keeps the old mm).
 */
static void exec_mmap(struct task_struct *t, struct mm_struct *mm)
{
	struct mm_struct *old_mm = t->mm;
	struct task_state *ts = t->machine->tasks;

	if (old_mm) {
		down_write(&old_mm->mmap_sem);
		if (old_mm->rlim == t->rlim) {
			struct task_struct *other = task_find_mm_user(t->machine, old_mm, t);

			old_mm->rlim = other ? other->rlim : NULL;
		}
	}
	spin_lock(&ts->tasklist_lock);
	t->mm = mm;
	spin_unlock(&ts->tasklist_lock);
	t->active_mm = mm;
	if (!old_mm)
		return;
	up_write(&old_mm->mmap_sem);
	/* this CPU leaves the old page tables; the next entry loads the new ones */
	task_unlazy_mm(old_mm);
	mmput(old_mm);
}

/*
 * de_thread - @t is about to exec: every other thread of its group dies
 * (SIGKILL, zap_other_threads) and @t waits until they are gone, then, if
 * it is not the leader, takes the leader's pid (task_exchange_leader), as
 * Linux's de_thread.  Threads no CPU runs are exited here
 * (reap_killed_tasks); a thread running a call on another CPU dies at its
 * return (task_call_end) or next entry, so @t waits for that.  The wait
 * cannot deadlock: @t holds only its run_lock, which nobody waits on
 * without a trylock (the group's reapers and the OOM killer try it), and
 * no mmap_sem; every call another thread may be in returns.  Like Linux's
 * killable wait, it ends with -EAGAIN if @t itself gets SIGKILL meanwhile
 * (the OOM killer): the dying threads stay dead, @t dies at its return
 * (the group stays marked exiting), and the caller drops the new image.
 * -EAGAIN at once if another group action (a group exit, another
 * thread's exec) is in progress.  0: @t is alone in its group.
 */
static int de_thread(struct task_struct *t)
{
	struct machine *m = t->machine;
	struct task_state *ts = m->tasks;
	struct task_struct *leader = t->group_leader, *old_leader = NULL;
	unsigned int spins = 0;

	spin_lock(&ts->tasklist_lock);
	if (leader == t && t->nr_threads == 1) {
		spin_unlock(&ts->tasklist_lock);
		return 0;
	}
	if (leader->group_exit || leader->group_exec || task_sigkill_pending(t)) {
		/* the group is dying (or another thread execs): let the signal act */
		spin_unlock(&ts->tasklist_lock);
		return -EAGAIN;
	}
	leader->group_exit = true;
	leader->group_exit_signal = SIGKILL;
	leader->group_exit_code = SIGKILL;
	leader->group_exec = true;
	zap_other_threads(t);
	spin_unlock(&ts->tasklist_lock);

	for (;;) {
		bool alone;

		reap_killed_tasks(m, leader, NULL, t);
		spin_lock(&ts->tasklist_lock);
		if (task_sigkill_pending(t)) {
			leader->group_exec = false;
			spin_unlock(&ts->tasklist_lock);
			return -EAGAIN;
		}
		/* only @t left (and the leader, a zombie now, if @t is not it) */
		alone = leader == t ? t->nr_threads == 1
				    : leader->nr_threads == 2 && ts->pids[leader->pid].exited;
		if (alone) {
			if (leader == t) {
				t->group_exit = false;
				t->group_exit_code = 0;
				t->group_exit_signal = 0;
				t->group_exec = false;
			} else {
				old_leader = task_exchange_leader(t);
			}
			spin_unlock(&ts->tasklist_lock);
			break;
		}
		spin_unlock(&ts->tasklist_lock);
		/* a thread still runs a call on another CPU: let it return */
		if (++spins < 64) {
			sched_yield();
		} else {
			struct timespec ts_wait = { 0, 50000 };

			nanosleep(&ts_wait, NULL);
		}
	}
	if (old_leader) {
		put_task_struct(old_leader);	/* the pid table's on the zombie */
		put_task_struct(old_leader);	/* ours, as its thread */
	}
	return 0;
}

/*
 * do_close_on_exec - the descriptors opened with O_CLOEXEC close.  A table
 * shared with another task (CLONE_VM / CLONE_FILES) is unshared first, as
 * Linux's unshare_files, so the other task keeps its descriptors.  Runs
 * after the point of no return: if the copy cannot be made the shared
 * table is left alone (its close-on-exec descriptors stay open).
 */
static void do_close_on_exec(struct task_struct *t)
{
	struct files_struct *files = t->files;

	if (!files)
		return;
	if (atomic_load(&files->count) > 1) {
		struct task_struct holder;

		/* files_fork copies @parent's table; exit drops our old share */
		memset(&holder, 0, sizeof(holder));
		holder.machine = t->machine;
		holder.files = files;
		if (files_fork(0, t, &holder)) {
			t->files = files;
			return;
		}
		files_exit(&holder);
		files = t->files;
	}
	for (;;) {
		struct file *f = NULL;

		spin_lock(&files->file_lock);
		for (unsigned int fd = 0; fd < files->max_fds; fd++) {
			unsigned long bit = 1UL << (fd % BITS_PER_LONG);

			if (files->fd[fd] && (files->close_on_exec[fd / BITS_PER_LONG] & bit)) {
				f = files->fd[fd];
				files->fd[fd] = NULL;
				files->close_on_exec[fd / BITS_PER_LONG] &= ~bit;
				break;
			}
		}
		spin_unlock(&files->file_lock);
		if (!f)
			break;
		fput(f);	/* outside the lock: the last put may write back */
	}
}

/* The comm of a new image: the file name's last component (Linux's kbasename). */
static void set_task_comm(struct task_struct *t, const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	memset(t->comm, 0, sizeof(t->comm));
	strncpy(t->comm, base, sizeof(t->comm) - 1);
}

/* --- execve ------------------------------------------------------------------------------ */

int do_execve(struct task_struct *t, const char *path, const char *const argv[],
	      const char *const envp[])
{
	struct machine *m = t->machine;
	struct linux_binprm bprm;
	long argc, envc;
	unsigned long sp = 0;
	int err;

	memset(&bprm, 0, sizeof(bprm));
	bprm.m = m;
	bprm.task = t;
	bprm.filename = path;
	bprm.elf64 = m->cfg.paging == VMSIM_PAGING_X86_64;
	bprm.ptr_size = bprm.elf64 ? 8 : 4;
	bprm.stack_top = arch_task_size(m);

	if (!path)
		return -EFAULT;
	bprm.file = open_exec(m, path, &err);
	if (!bprm.file)
		return err;
	argc = count_strings(argv);
	envc = count_strings(envp);
	err = argc < 0 ? (int)argc : envc < 0 ? (int)envc : 0;
	if (err)
		goto out;
	bprm.argc = (unsigned long)argc;
	bprm.envc = (unsigned long)envc;

	/* copy_strings: the file name highest, then envp, then argv */
	bprm.p = bprm.stack_top - bprm.ptr_size;
	err = bprm_stack_limits(&bprm);
	if (err)
		goto out;
	err = copy_string_kernel(path, &bprm);
	if (err)
		goto out;
	bprm.exec = bprm.p;
	err = copy_strings(bprm.envc, envp, &bprm);
	if (err)
		goto out;
	err = copy_strings(bprm.argc, argv, &bprm);
	if (err)
		goto out;
	if (!bprm.argc) {
		/* Linux 5.18+: an empty argv gets "" as argv[0] */
		err = copy_string_kernel("", &bprm);
		if (err)
			goto out;
		bprm.argc = 1;
	}

	err = elf_read_headers(&bprm);
	if (err)
		goto out;

	/* the new address space */
	err = -ENOMEM;
	bprm.mm = mm_alloc(m);
	if (!bprm.mm)
		goto out;
	bprm.mm->rlim = t->rlim;
	arch_pick_mmap_layout(bprm.mm);
	err = exec_setup_arg_pages(&bprm);
	if (err)
		goto out;
	bprm.mm->arg_start = bprm.p;
	err = load_elf_segments(&bprm);
	if (err)
		goto out;
	err = create_elf_tables(&bprm, &sp);
	if (err)
		goto out;

	/* the other threads die; a failure here leaves the old image to the dying task */
	err = de_thread(t);
	if (err)
		goto out;
	/* the point of no return */
	exec_mmap(t, bprm.mm);
	bprm.mm = NULL;
	t->sp = sp;
	set_task_comm(t, path);
	do_close_on_exec(t);
	err = 0;
out:
	if (bprm.mm)
		mmput(bprm.mm);
	free_arg_pages(&bprm);
	kfree(bprm.phdr);
	fput(bprm.file);
	return err;
}

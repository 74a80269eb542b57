/*
 * exec (kernel/exec.c): ELF64 and ELF32 images built by hand, the stack
 * frame exec leaves, failures that leave the process untouched, exec after
 * fork and beside a CLONE_VM sibling, /proc/PID files, and a differential
 * test against the host kernel (a static binary stopped by ptrace right
 * after its execve: maps, memory, stack strings and auxv compared; that
 * one is in test_exec_host.c, which needs host headers that clash with the
 * kernel's, and reaches the mm through exec_test_mm_fields below).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "testlib.h"
#include "kern/sched.h"
#include "kern/memory.h"
#include "kern/mman.h"
#include "vmsim/process.h"
#include "vmsim/file.h"
#include "vmsim/stats.h"
#include "vmsim/script.h"

#define PG	4096UL

/* --- a machine with a fresh root directory ----------------------------------- */

struct xenv {
	struct machine *m;
	char dir[64];
};

static void xenv_up(struct xenv *e, const char *opts)
{
	strcpy(e->dir, "/tmp/vmsim-exec-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(e->dir));
	e->m = test_boot(opts);
	ASSERT_EQ(vmsim_fs_set_root(e->m, e->dir), 0);
}

static void xenv_down(struct xenv *e)
{
	char cmd[128];

	test_shutdown(e->m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	ASSERT_EQ(system(cmd), 0);
}

static void host_file(struct xenv *e, const char *name, const void *data, size_t len,
		      mode_t mode)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", e->dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(write(fd, data, len), (long)len);
	ASSERT_EQ(fchmod(fd, mode), 0);
	close(fd);
}

/* --- ELF images built by hand ------------------------------------------------------ */

struct tseg {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz;
};

/* The byte at file offset @off of a built image (segment contents). */
static unsigned char file_byte(uint64_t off)
{
	return (unsigned char)(splitmix64_mix(off) | 1);
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/*
 * build_elf - an executable of the given class: the header, @n program
 * headers right after it, every byte from the end of the headers to the
 * end of the last segment's file part set to file_byte(offset).  Returns
 * the size (the caller's @out holds at least 64 KiB).
 */
static size_t build_elf(unsigned char *out, bool is64, uint16_t type, uint64_t entry,
			const struct tseg *s, int n)
{
	size_t ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32, end = ehsize + phsize * n;

	for (int i = 0; i < n; i++)
		if (s[i].offset + s[i].filesz > end)
			end = s[i].offset + s[i].filesz;
	memset(out, 0, end);
	for (size_t o = ehsize + phsize * n; o < end; o++)
		out[o] = file_byte(o);
	memcpy(out, "\177ELF", 4);
	out[4] = is64 ? 2 : 1;		/* EI_CLASS */
	out[5] = 1;			/* little-endian */
	out[6] = 1;			/* EV_CURRENT */
	put_le(out + 16, type, 2);
	put_le(out + 18, is64 ? 62 : 3, 2);	/* EM_X86_64 / EM_386 */
	put_le(out + 20, 1, 4);
	if (is64) {
		put_le(out + 24, entry, 8);
		put_le(out + 32, ehsize, 8);	/* e_phoff */
		put_le(out + 52, ehsize, 2);
		put_le(out + 54, phsize, 2);
		put_le(out + 56, (uint64_t)n, 2);
	} else {
		put_le(out + 24, entry, 4);
		put_le(out + 28, ehsize, 4);
		put_le(out + 40, ehsize, 2);
		put_le(out + 42, phsize, 2);
		put_le(out + 44, (uint64_t)n, 2);
	}
	for (int i = 0; i < n; i++) {
		unsigned char *p = out + ehsize + phsize * i;

		if (is64) {
			put_le(p, s[i].type, 4);
			put_le(p + 4, s[i].flags, 4);
			put_le(p + 8, s[i].offset, 8);
			put_le(p + 16, s[i].vaddr, 8);
			put_le(p + 24, s[i].vaddr, 8);
			put_le(p + 32, s[i].filesz, 8);
			put_le(p + 40, s[i].memsz, 8);
			put_le(p + 48, PG, 8);
		} else {
			put_le(p, s[i].type, 4);
			put_le(p + 4, s[i].offset, 4);
			put_le(p + 8, s[i].vaddr, 4);
			put_le(p + 12, s[i].vaddr, 4);
			put_le(p + 16, s[i].filesz, 4);
			put_le(p + 20, s[i].memsz, 4);
			put_le(p + 24, s[i].flags, 4);
			put_le(p + 28, PG, 4);
		}
	}
	return end;
}

#define PT_LOAD_	1
#define PT_INTERP_	3
#define PF_X_		1
#define PF_W_		2
#define PF_R_		4

/* text at @base (headers included, R+X, 2 pages + 0x123), data 3 pages up (RW, bss) */
static size_t std_image(unsigned char *out, bool is64, unsigned long base)
{
	struct tseg s[2] = {
		{ PT_LOAD_, PF_R_ | PF_X_, 0, base, 2 * PG + 0x123, 2 * PG + 0x123 },
		{ PT_LOAD_, PF_R_ | PF_W_, 3 * PG + 0x40, base + 4 * PG + 0x40, 0x300, 3 * PG },
	};

	return build_elf(out, is64, 2 /* ET_EXEC */, base + 0x100, s, 2);
}

static unsigned char *img_buf(void)
{
	unsigned char *b = calloc(1, 1 << 20);

	ASSERT_NOT_NULL(b);
	return b;
}

static struct mm_struct *pid_mm(struct machine *m, int pid)
{
	struct task_struct *t = find_get_task(m, pid);
	struct mm_struct *mm;

	ASSERT_NOT_NULL(t);
	mm = t->mm;
	put_task_struct(t);
	return mm;
}

static unsigned long pid_sp(struct machine *m, int pid)
{
	struct task_struct *t = find_get_task(m, pid);
	unsigned long sp;

	ASSERT_NOT_NULL(t);
	sp = t->sp;
	put_task_struct(t);
	return sp;
}

static uint64_t read_word(struct machine *m, int pid, unsigned long addr, unsigned int ws)
{
	uint64_t v = 0;

	ASSERT_EQ(vmsim_read(m, pid, addr, &v, ws), 0);
	return v;
}

static char *read_str(struct machine *m, int pid, unsigned long addr, char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ASSERT_EQ(vmsim_read(m, pid, addr + i, &buf[i], 1), 0);
		if (!buf[i])
			return buf;
	}
	ASSERT_MSG(0, "string at %#lx too long", addr);
	return buf;
}

/* The value of auxv entry @type in the frame at @sp (-1 if absent). */
static uint64_t auxv_get(struct machine *m, int pid, unsigned long sp, unsigned int ws,
			 uint64_t type)
{
	uint64_t argc = read_word(m, pid, sp, ws);
	unsigned long a = sp + ws * (argc + 2);

	while (read_word(m, pid, a, ws))
		a += ws;
	for (a += ws;; a += 2 * ws) {
		uint64_t t = read_word(m, pid, a, ws);

		if (t == type)
			return read_word(m, pid, a + ws, ws);
		if (!t)
			return (uint64_t)-1;
	}
}

/* --- tests ------------------------------------------------------------------------- */

/*
 * The ELF32 path on an i386 machine: segments, padzero, bss, brk, the
 * 4-byte stack frame and the strings at the top of the 3 GiB space.
 */
static void check_elf32(const char *opts)
{
	struct xenv e;
	unsigned char *img = img_buf(), buf[4 * PG];
	size_t len = std_image(img, false, 0x08048000UL);
	const char *argv[] = { "/bin/t32", "one", "two", NULL };
	const char *envp[] = { "HOME=/", NULL };
	unsigned long sp, top = 0xC0000000UL;
	struct mm_struct *mm;
	char s[64], *maps;
	int pid;

	xenv_up(&e, opts);
	host_file(&e, "t32", img, len, 0755);
	pid = vmsim_spawn(e.m);
	ASSERT_EQ(vmsim_execve(e.m, pid, "/t32", argv, envp), 0);

	maps = vmsim_proc_pid_read(e.m, pid, "maps");
	ASSERT_NOT_NULL(maps);
	/* text: 3 pages from offset 0; data: the page of offset 0x3040 at 0x0804c000;
	 * bss: to 0x0804f040, page-aligned 0x08050000, anonymous; the stack below 3 GiB */
	ASSERT_CONTAINS(maps, "08048000-0804b000 r-xp 00000000 ");
	ASSERT_CONTAINS(maps, "0804c000-0804d000 rw-p 00003000 ");
	ASSERT_CONTAINS(maps, "0804d000-08050000 rw-p 00000000 00:00 0 \n");
	ASSERT_CONTAINS(maps, "bffdf000-c0000000 rw-p 00000000 00:00 0");
	ASSERT_CONTAINS(maps, "[stack]");
	ASSERT_CONTAINS(maps, "/t32\n");
	ASSERT(!strstr(maps, "[heap]"));
	free(maps);

	/* the text bytes are the file's; the data page up to p_filesz too, zero after */
	ASSERT_EQ(vmsim_read(e.m, pid, 0x08048000UL, buf, 3 * PG), 0);
	ASSERT_MEMEQ(buf, img, 2 * PG + 0x123);
	ASSERT_EQ(vmsim_read(e.m, pid, 0x0804c000UL, buf, 3 * PG), 0);
	for (unsigned long i = 0; i < 3 * PG; i++) {
		unsigned char want = i >= 0x40 && i < 0x340 ? img[3 * PG + i] : 0;

		if (i < 0x40)
			want = img[3 * PG + i];	/* the file's bytes before the segment */
		ASSERT_MSG(buf[i] == want, "data byte %#lx: %#x, want %#x", i, buf[i], want);
	}

	mm = pid_mm(e.m, pid);
	ASSERT_EQ(mm->start_code, 0x08048000UL);
	ASSERT_EQ(mm->end_code, 0x08048000UL + 2 * PG + 0x123);
	ASSERT_EQ(mm->start_data, 0x0804c040UL);
	ASSERT_EQ(mm->end_data, 0x0804c340UL);
	ASSERT_EQ(mm->start_brk, 0x08050000UL);
	ASSERT_EQ(mm->brk, 0x08050000UL);

	/* the frame: argc, argv[], NULL, envp[], NULL, auxv in 4-byte words */
	sp = pid_sp(e.m, pid);
	ASSERT_EQ(sp & 15, 0);
	ASSERT_EQ(mm->start_stack, sp);
	ASSERT_EQ(read_word(e.m, pid, sp, 4), 3);
	for (int i = 0; i < 3; i++)
		ASSERT_STREQ(read_str(e.m, pid, read_word(e.m, pid, sp + 4 + 4 * i, 4), s,
				      sizeof(s)), argv[i]);
	ASSERT_EQ(read_word(e.m, pid, sp + 16, 4), 0);
	ASSERT_STREQ(read_str(e.m, pid, read_word(e.m, pid, sp + 20, 4), s, sizeof(s)),
		     "HOME=/");
	ASSERT_EQ(read_word(e.m, pid, sp + 24, 4), 0);
	ASSERT_EQ(auxv_get(e.m, pid, sp, 4, 6 /* AT_PAGESZ */), PG);
	ASSERT_EQ(auxv_get(e.m, pid, sp, 4, 9 /* AT_ENTRY */), 0x08048100UL);
	ASSERT_EQ(auxv_get(e.m, pid, sp, 4, 3 /* AT_PHDR */), 0x08048000UL + 52);
	ASSERT_EQ(auxv_get(e.m, pid, sp, 4, 4 /* AT_PHENT */), 32);
	ASSERT_EQ(auxv_get(e.m, pid, sp, 4, 5 /* AT_PHNUM */), 2);
	ASSERT_STREQ(read_str(e.m, pid, auxv_get(e.m, pid, sp, 4, 15 /* AT_PLATFORM */), s,
			      sizeof(s)), "i686");
	/* the strings: argv, envp, the file name, then 4 zero bytes at the top */
	ASSERT_EQ(auxv_get(e.m, pid, sp, 4, 31 /* AT_EXECFN */), top - 4 - sizeof("/t32"));
	ASSERT_STREQ(read_str(e.m, pid, top - 4 - sizeof("/t32"), s, sizeof(s)), "/t32");
	ASSERT_EQ(read_word(e.m, pid, top - 4, 4), 0);
	ASSERT_EQ(mm->arg_start, read_word(e.m, pid, sp + 4, 4));
	ASSERT_EQ(mm->env_end, top - 4 - sizeof("/t32"));

	/* the heap appears once brk grows; the process runs: stores work */
	ASSERT_EQ(vmsim_brk(e.m, pid, 0x08050000UL + 2 * PG), (long)(0x08050000UL + 2 * PG));
	maps = vmsim_proc_pid_read(e.m, pid, "maps");
	ASSERT_NOT_NULL(maps);
	ASSERT_CONTAINS(maps, "[heap]");
	free(maps);
	ASSERT_EQ(vmsim_store64(e.m, pid, 0x08050008UL, 77), 0);
	ASSERT_EQ(vmsim_exit(e.m, pid), 0);
	free(img);
	xenv_down(&e);
}

TEST(exec_elf32_i386)
{
	check_elf32("ram=32M paging=i386");
}

TEST(exec_elf32_pae)
{
	check_elf32("ram=32M paging=pae");
}

/* ELF64 by hand: status, cmdline, environ, comm */
TEST(exec_elf64_proc_files)
{
	struct xenv e;
	unsigned char *img = img_buf();
	size_t len = std_image(img, true, 0x400000UL), n;
	const char *argv[] = { "prog", "a b", "", "last", NULL };
	const char *envp[] = { "X=1", "PATH=/bin:/usr/bin", NULL };
	char *t;
	int pid;

	xenv_up(&e, "ram=32M");
	host_file(&e, "prog64", img, len, 0700);
	pid = vmsim_spawn(e.m);
	ASSERT_EQ(vmsim_execve(e.m, pid, "/prog64", argv, envp), 0);

	t = vmsim_proc_pid_read_len(e.m, pid, "cmdline", &n);
	ASSERT_NOT_NULL(t);
	ASSERT_EQ(n, sizeof("prog\0a b\0\0last"));
	ASSERT_MEMEQ(t, "prog\0a b\0\0last", n);
	free(t);
	t = vmsim_proc_pid_read_len(e.m, pid, "environ", &n);
	ASSERT_NOT_NULL(t);
	ASSERT_EQ(n, sizeof("X=1\0PATH=/bin:/usr/bin"));
	ASSERT_MEMEQ(t, "X=1\0PATH=/bin:/usr/bin", n);
	free(t);

	t = vmsim_proc_pid_read(e.m, pid, "status");
	ASSERT_NOT_NULL(t);
	ASSERT_CONTAINS(t, "Name:\tprog64\n");
	/* text 0x400000..0x402123: 3 pages; data: 1 file page + 3 bss pages; stack 132 kB */
	ASSERT_CONTAINS(t, "VmExe:\t      12 kB\n");
	ASSERT_CONTAINS(t, "VmData:\t      16 kB\n");
	ASSERT_CONTAINS(t, "VmStk:\t     132 kB\n");
	free(t);
	ASSERT_EQ(vmsim_exit(e.m, pid), 0);
	free(img);
	xenv_down(&e);
}

/* The old process, as seen from outside: maps, status, one page of data. */
struct snap {
	char *maps, *status;
	unsigned char data[64];
	unsigned long sp;
};

static void take_snap(struct machine *m, int pid, unsigned long addr, struct snap *s)
{
	/* the read first: its fault must not be what the texts differ by */
	ASSERT_EQ(vmsim_read(m, pid, addr, s->data, sizeof(s->data)), 0);
	s->maps = vmsim_proc_pid_read(m, pid, "maps");
	s->status = vmsim_proc_pid_read(m, pid, "status");
	ASSERT_NOT_NULL(s->maps);
	ASSERT_NOT_NULL(s->status);
	s->sp = pid_sp(m, pid);
}

static void check_snap(struct machine *m, int pid, unsigned long addr, const struct snap *s)
{
	struct snap now;

	take_snap(m, pid, addr, &now);
	ASSERT_STREQ(now.maps, s->maps);
	ASSERT_STREQ(now.status, s->status);
	ASSERT_MEMEQ(now.data, s->data, sizeof(s->data));
	ASSERT_EQ(now.sp, s->sp);
	free(now.maps);
	free(now.status);
}

TEST(exec_failures_leave_the_process_untouched)
{
	struct xenv e;
	unsigned char *img = img_buf(), *bad = img_buf();
	size_t len = std_image(img, true, 0x400000UL), blen;
	const char *argv[] = { "x", NULL };
	const char **many;
	char *huge;
	struct snap s;
	long addr;
	int pid;

	xenv_up(&e, "ram=32M");
	host_file(&e, "good", img, len, 0755);
	host_file(&e, "noexec", img, len, 0644);
	host_file(&e, "garbage", "#!/bin/sh\necho hi\n", 18, 0755);
	host_file(&e, "empty", "", 0, 0755);
	ASSERT_EQ(mkdir(strcat(strcpy((char *)bad, e.dir), "/adir"), 0755), 0);
	/* a copy of good with ELFCLASS32: not this machine's */
	memcpy(bad, img, len);
	bad[4] = 1;
	host_file(&e, "class32", bad, len, 0755);
	/* a dynamic executable */
	{
		struct tseg sg[2] = {
			{ PT_INTERP_, PF_R_, 0x200, 0x400200, 0x10, 0x10 },
			{ PT_LOAD_, PF_R_ | PF_X_, 0, 0x400000, PG, PG },
		};
		blen = build_elf(bad, true, 2, 0x400100, sg, 2);
		host_file(&e, "dynamic", bad, blen, 0755);
	}
	/* a segment past the end of user space */
	{
		struct tseg sg[1] = { { PT_LOAD_, PF_R_, 0, 0x7ffffffff000UL - PG, PG, 3 * PG } };

		blen = build_elf(bad, true, 2, 0x400100, sg, 1);
		host_file(&e, "toohigh", bad, blen, 0755);
	}
	/* a segment below mmap_min_addr */
	{
		struct tseg sg[1] = { { PT_LOAD_, PF_R_, 0, 0, PG, PG } };

		blen = build_elf(bad, true, 2, 0x100, sg, 1);
		host_file(&e, "toolow", bad, blen, 0755);
	}
	/* a phentsize that is not the class's */
	memcpy(bad, img, len);
	bad[54] = 40;
	host_file(&e, "badphent", bad, len, 0755);

	pid = vmsim_spawn(e.m);
	addr = vmsim_mmap(e.m, pid, 0, 4 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(addr, >, 0);
	ASSERT_EQ(vmsim_write(e.m, pid, (unsigned long)addr, "old process data", 17), 0);
	take_snap(e.m, pid, (unsigned long)addr, &s);

	ASSERT_EQ(vmsim_execve(e.m, pid, "/missing", argv, NULL), -ENOENT);
	ASSERT_EQ(vmsim_execve(e.m, pid, "/good/x", argv, NULL), -ENOTDIR);
	ASSERT_EQ(vmsim_execve(e.m, pid, "/adir", argv, NULL), -EACCES);
	ASSERT_EQ(vmsim_execve(e.m, pid, "/noexec", argv, NULL), -EACCES);
	ASSERT_EQ(vmsim_execve(e.m, pid, "/garbage", argv, NULL), -ENOEXEC);
	ASSERT_EQ(vmsim_execve(e.m, pid, "/empty", argv, NULL), -ENOEXEC);
	ASSERT_EQ(vmsim_execve(e.m, pid, "/class32", argv, NULL), -ENOEXEC);
	ASSERT_EQ(vmsim_execve(e.m, pid, "/dynamic", argv, NULL), -ENOEXEC);
	ASSERT_EQ(vmsim_execve(e.m, pid, "/badphent", argv, NULL), -ENOEXEC);
	ASSERT_EQ(vmsim_execve(e.m, pid, "/toohigh", argv, NULL), -EINVAL);
	ASSERT_EQ(vmsim_execve(e.m, pid, "/toolow", argv, NULL), -EPERM);
	ASSERT_EQ(vmsim_execve(e.m, pid, NULL, argv, NULL), -EFAULT);
	ASSERT_EQ(vmsim_execve(e.m, 9999, "/good", argv, NULL), -ESRCH);

	/* E2BIG: one string longer than MAX_ARG_STRLEN (32 pages) */
	huge = malloc(32 * PG + 1);
	ASSERT_NOT_NULL(huge);
	memset(huge, 'a', 32 * PG);
	huge[32 * PG] = 0;
	{
		const char *av[] = { "x", huge, NULL };

		ASSERT_EQ(vmsim_execve(e.m, pid, "/good", av, NULL), -E2BIG);
		/* one byte less fits (the NUL makes 32 pages) */
		huge[32 * PG - 1] = 0;
		ASSERT_EQ(vmsim_execve(e.m, pid, "/good", av, NULL), 0);
		huge[32 * PG - 1] = 'a';
	}
	/* that exec replaced the process: a new one for the rest */
	ASSERT_EQ(vmsim_exit(e.m, pid), 0);
	free(s.maps);
	free(s.status);
	pid = vmsim_spawn(e.m);
	addr = vmsim_mmap(e.m, pid, 0, 4 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(addr, >, 0);
	ASSERT_EQ(vmsim_write(e.m, pid, (unsigned long)addr, "second process", 15), 0);
	take_snap(e.m, pid, (unsigned long)addr, &s);

	/* E2BIG: the total over RLIMIT_STACK / 4 (a 256 KiB limit: 64 KiB floor is ARG_MAX=128K) */
	ASSERT_EQ(vmsim_setrlimit(e.m, pid, RLIMIT_STACK, 256 * 1024, RLIM_INFINITY), 0);
	free(s.maps);
	free(s.status);
	take_snap(e.m, pid, (unsigned long)addr, &s);
	many = calloc(40, sizeof(*many));
	ASSERT_NOT_NULL(many);
	huge[4 * PG] = 0;		/* 16 KiB strings: 8 fit in 128 KiB, 9 do not */
	for (int i = 0; i < 9; i++)
		many[i] = huge;
	ASSERT_EQ(vmsim_execve(e.m, pid, "/good", many, NULL), -E2BIG);
	check_snap(e.m, pid, (unsigned long)addr, &s);

	/* ENOMEM from the fault injector at every page, then every slab allocation:
	 * still untouched, and every page back */
	for (int slab = 0; slab < 2; slab++) {
		int r = -1, failures = 0;

		for (uint64_t nth = 1; nth < 400; nth++) {
			unsigned long before;

			machine_drain(e.m);
			before = nr_free_pages(e.m);
			if (slab) {
				e.m->cfg.fail_slab_nth = nth;
			} else {
				this_cpu()->fail_page_alloc_count = 0;
				e.m->cfg.fail_page_alloc_nth = nth;
			}
			r = vmsim_execve(e.m, pid, "/good", argv, NULL);
			e.m->cfg.fail_page_alloc_nth = 0;
			e.m->cfg.fail_slab_nth = 0;
			if (r == 0)
				break;
			failures++;
			ASSERT_EQ(r, -ENOMEM);
			check_snap(e.m, pid, (unsigned long)addr, &s);
			machine_drain(e.m);
			ASSERT_EQ(nr_free_pages(e.m), before);
		}
		ASSERT_EQ(r, 0);
		ASSERT_CMP(failures, >, 5);
		if (!slab) {
			/* the exec replaced it: a fresh process for the slab round */
			ASSERT_EQ(vmsim_exit(e.m, pid), 0);
			free(s.maps);
			free(s.status);
			pid = vmsim_spawn(e.m);
			addr = vmsim_mmap(e.m, pid, 0, 4 * PG, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			ASSERT_CMP(addr, >, 0);
			take_snap(e.m, pid, (unsigned long)addr, &s);
		}
	}
	ASSERT_EQ(vmsim_exit(e.m, pid), 0);
	free(s.maps);
	free(s.status);
	free(many);
	free(huge);
	free(img);
	free(bad);
	xenv_down(&e);
}

/* exec after fork: the child's old mm goes, the parent's COW pages stay intact. */
TEST(exec_after_fork_releases_only_the_child_mm)
{
	struct xenv e;
	unsigned char *img = img_buf(), buf[8 * PG], want[8 * PG];
	size_t len = std_image(img, true, 0x400000UL);
	const char *argv[] = { "good", NULL };
	struct vmsim_task_stats st;
	long addr;
	int parent, child;

	xenv_up(&e, "ram=32M");
	host_file(&e, "good", img, len, 0755);
	parent = vmsim_spawn(e.m);
	addr = vmsim_mmap(e.m, parent, 0, 8 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(addr, >, 0);
	for (size_t i = 0; i < sizeof(want); i++)
		want[i] = (unsigned char)(i * 31 + 7);
	ASSERT_EQ(vmsim_write(e.m, parent, (unsigned long)addr, want, sizeof(want)), 0);
	child = vmsim_fork(e.m, parent);
	ASSERT_CMP(child, >, 0);
	/* the child writes one page (a COW copy), then execs */
	ASSERT_EQ(vmsim_write(e.m, child, (unsigned long)addr, "child", 5), 0);
	ASSERT_EQ(vmsim_execve(e.m, child, "/good", argv, NULL), 0);
	ASSERT_EQ(vmsim_read(e.m, parent, (unsigned long)addr, buf, sizeof(buf)), 0);
	ASSERT_MEMEQ(buf, want, sizeof(buf));
	ASSERT_EQ(vmsim_task_stats(e.m, parent, &st), 0);
	ASSERT_EQ(st.rss_anon_pages, 8);
	ASSERT_EQ(st.mm_users, 1);
	/* the parent's pages are its own again: a write does not copy */
	ASSERT_EQ(vmsim_task_stats(e.m, child, &st), 0);
	ASSERT_EQ(st.mm_users, 1);
	ASSERT_EQ(st.nr_vmas, 4);		/* text, data, bss, stack */
	/* the child's old address is unmapped in its new image: it dies */
	ASSERT_EQ(vmsim_read(e.m, child, (unsigned long)addr, buf, 1), VMSIM_KILLED);
	ASSERT_EQ(vmsim_write(e.m, parent, (unsigned long)addr + PG, "p", 1), 0);
	ASSERT_EQ(vmsim_exit(e.m, parent), 0);
	free(img);
	xenv_down(&e);
}

/* A CLONE_VM sibling keeps the old mm; the exec'ing task gets its own. */
TEST(exec_clone_vm_sibling_keeps_the_old_mm)
{
	struct xenv e;
	unsigned char *img = img_buf();
	size_t len = std_image(img, true, 0x400000UL);
	const char *argv[] = { "good", NULL };
	struct vmsim_task_stats st;
	char buf[16];
	long addr;
	int a, b;

	xenv_up(&e, "ram=32M");
	host_file(&e, "good", img, len, 0755);
	a = vmsim_spawn(e.m);
	addr = vmsim_mmap(e.m, a, 0, 2 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(addr, >, 0);
	ASSERT_EQ(vmsim_write(e.m, a, (unsigned long)addr, "shared", 7), 0);
	b = vmsim_clone_vm(e.m, a);
	ASSERT_CMP(b, >, 0);
	/* the exec'ing task's rlimits array is the one the shared mm points at */
	ASSERT_EQ(vmsim_execve(e.m, a, "/good", argv, NULL), 0);
	ASSERT_EQ(vmsim_task_stats(e.m, b, &st), 0);
	ASSERT_EQ(st.mm_users, 1);
	ASSERT_EQ(vmsim_read(e.m, b, (unsigned long)addr, buf, 7), 0);
	ASSERT_STREQ(buf, "shared");
	/* b's limits still work (its mm's rlim moved to b's array) */
	ASSERT_EQ(vmsim_setrlimit(e.m, b, RLIMIT_DATA, 4 * PG, RLIM_INFINITY), 0);
	ASSERT_EQ(vmsim_mmap(e.m, b, 0, 8 * PG, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), -ENOMEM);
	ASSERT_EQ(vmsim_task_stats(e.m, a, &st), 0);
	ASSERT_EQ(st.mm_users, 1);
	ASSERT_EQ(vmsim_exit(e.m, b), 0);
	/* exec a second time: the first image goes as well */
	ASSERT_EQ(vmsim_execve(e.m, a, "/good", argv, NULL), 0);
	ASSERT_EQ(vmsim_exit(e.m, a), 0);
	free(img);
	xenv_down(&e);
}

/* The text is the page cache's: a shared mapping of the binary maps the same frames. */
TEST(exec_text_shares_the_page_cache)
{
	struct xenv e;
	unsigned char *img = img_buf();
	size_t len = std_image(img, true, 0x400000UL);
	const char *argv[] = { "good", NULL };
	struct page *p1, *p2;
	unsigned char c;
	long addr;
	int a, b, fd;

	xenv_up(&e, "ram=32M");
	host_file(&e, "good", img, len, 0755);
	a = vmsim_spawn(e.m);
	ASSERT_EQ(vmsim_execve(e.m, a, "/good", argv, NULL), 0);
	b = vmsim_spawn(e.m);
	fd = vmsim_open(e.m, b, "/good", O_RDONLY, 0);
	ASSERT_CMP(fd, >=, 0);
	addr = vmsim_mmap(e.m, b, 0, 2 * PG, PROT_READ, MAP_SHARED, fd, PG);
	ASSERT_CMP(addr, >, 0);
	ASSERT_EQ(vmsim_read(e.m, a, 0x401000UL, &c, 1), 0);
	ASSERT_EQ(c, img[PG]);
	ASSERT_EQ(vmsim_read(e.m, b, (unsigned long)addr, &c, 1), 0);
	ASSERT_EQ(c, img[PG]);
	p1 = follow_page(pid_mm(e.m, a), 0x401000UL, 0);
	p2 = follow_page(pid_mm(e.m, b), (unsigned long)addr, 0);
	ASSERT_NOT_NULL(p1);
	ASSERT(p1 == p2);
	ASSERT_EQ(vmsim_exit(e.m, a), 0);
	ASSERT_EQ(vmsim_exit(e.m, b), 0);
	free(img);
	xenv_down(&e);
}

/* O_CLOEXEC descriptors close at exec, the others stay; a shared table is unshared. */
TEST(exec_closes_cloexec_descriptors)
{
	struct xenv e;
	unsigned char *img = img_buf();
	size_t len = std_image(img, true, 0x400000UL);
	const char *argv[] = { "good", NULL };
	int a, b, keep, gone;

	xenv_up(&e, "ram=32M");
	host_file(&e, "good", img, len, 0755);
	host_file(&e, "data", "0123456789", 10, 0644);
	a = vmsim_spawn(e.m);
	keep = vmsim_open(e.m, a, "/data", O_RDONLY, 0);
	gone = vmsim_open(e.m, a, "/data", O_RDONLY | O_CLOEXEC, 0);
	ASSERT_CMP(keep, >=, 0);
	ASSERT_CMP(gone, >, keep);
	b = vmsim_clone_vm(e.m, a);		/* shares the descriptor table */
	ASSERT_EQ(vmsim_execve(e.m, a, "/good", argv, NULL), 0);
	ASSERT_EQ(vmsim_lseek(e.m, a, keep, 0, SEEK_END), 10);
	ASSERT_EQ(vmsim_lseek(e.m, a, gone, 0, SEEK_END), -EBADF);
	/* the sibling's table still has both */
	ASSERT_EQ(vmsim_lseek(e.m, b, gone, 0, SEEK_END), 10);
	ASSERT_EQ(vmsim_exit(e.m, b), 0);
	ASSERT_EQ(vmsim_exit(e.m, a), 0);
	free(img);
	xenv_down(&e);
}

/* A static PIE: loaded where get_unmapped_area puts its whole image. */
TEST(exec_static_pie)
{
	struct xenv e;
	unsigned char *img = img_buf(), buf[PG];
	struct tseg s[2] = {
		{ PT_LOAD_, PF_R_ | PF_X_, 0, 0, 2 * PG, 2 * PG },
		{ PT_LOAD_, PF_R_ | PF_W_, 2 * PG, 3 * PG, 0x80, 2 * PG },
	};
	size_t len = build_elf(img, true, 3 /* ET_DYN */, 0x10, s, 2);
	const char *argv[] = { "pie", NULL };
	struct mm_struct *mm;
	unsigned long base, sp;
	int pid;

	xenv_up(&e, "ram=32M");
	host_file(&e, "pie", img, len, 0755);
	pid = vmsim_spawn(e.m);
	ASSERT_EQ(vmsim_execve(e.m, pid, "/pie", argv, NULL), 0);
	mm = pid_mm(e.m, pid);
	/* top-down from mmap_base: the image's 5 pages end there */
	base = mm->mmap_base - 5 * PG;
	ASSERT_EQ(mm->start_code, base);
	ASSERT_EQ(mm->start_brk, base + 5 * PG);
	sp = pid_sp(e.m, pid);
	ASSERT_EQ(auxv_get(e.m, pid, sp, 8, 9), base + 0x10);
	ASSERT_EQ(auxv_get(e.m, pid, sp, 8, 3), base + 64);
	ASSERT_EQ(vmsim_read(e.m, pid, base + PG, buf, PG), 0);
	ASSERT_MEMEQ(buf, img + PG, PG);
	ASSERT_EQ(vmsim_exit(e.m, pid), 0);
	free(img);
	xenv_down(&e);
}

/* The script's `A exec PATH [ARG ...]` (the tool runs it through vmsim_execve). */
TEST(exec_script_parse)
{
	struct vmsim_cmd c;
	char err[160];

	ASSERT_EQ(vmsim_cmd_parse("A exec /prog x \"a b\"  # comment", &c, err, sizeof(err)), 0);
	ASSERT_STREQ(vmsim_cmd_word(&c), "exec");
	ASSERT_STREQ(c.u.exec.path, "/prog");
	ASSERT_EQ(c.u.exec.argc, 3);
	ASSERT_STREQ(c.u.exec.argv[0], "/prog");
	ASSERT_STREQ(c.u.exec.argv[1], "x");
	ASSERT_STREQ(c.u.exec.argv[2], "a b");
	ASSERT_NULL(c.u.exec.argv[3]);
	vmsim_cmd_free(&c);
	ASSERT_EQ(vmsim_cmd_parse("A exec", &c, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "exec PATH [ARG ...]");
	ASSERT_EQ(vmsim_cmd_parse("A exec \"\"", &c, err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "exec: bad PATH");
}

/* For test_exec_host.c: an mm's fields and the task's sp, in /proc/PID/stat's order. */
void exec_test_mm_fields(struct machine *m, int pid, unsigned long out[11]);
void exec_test_mm_fields(struct machine *m, int pid, unsigned long out[11])
{
	struct mm_struct *mm = pid_mm(m, pid);

	out[0] = mm->start_code;
	out[1] = mm->end_code;
	out[2] = mm->start_data;
	out[3] = mm->end_data;
	out[4] = mm->start_brk;
	out[5] = mm->brk;
	out[6] = mm->arg_start;
	out[7] = mm->arg_end;
	out[8] = mm->env_start;
	out[9] = mm->env_end;
	out[10] = pid_sp(m, pid);
}

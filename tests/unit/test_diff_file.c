/*
 * Differential test of FILE mappings against the host kernel, in the style
 * of test_diff_host.c: per sequence, two files with identical bytes (one in
 * a host temporary directory for the host side, one in the root of the
 * simulated machine), opened O_RDONLY and O_RDWR by a forked child of this
 * process and by a simulated process, then the same random calls in both:
 * mmap of the file (shared/private, any PROT_*, offsets inside and past EOF,
 * MAP_FIXED, a hint, MAP_FIXED_NOREPLACE, MAP_POPULATE), munmap, mprotect,
 * mremap, madvise, msync, ftruncate (shrink, grow), pread/pwrite of the file
 * (into and out of the mappings too), 8-byte loads and stores through the
 * mappings (SIGSEGV/SIGBUS with their si_code) and fork (the child goes on).
 *
 * Compared after every call: the return value and errno, the value read,
 * and the /proc/PID/maps lines of the window.  The two files differ in
 * device, inode and directory, so each maps (and smaps) header line is
 * normalised to "start-end perms offset <dev> <ino> basename".  At the end
 * of every SMAPS_EVERY-th sequence the window's smaps blocks are compared,
 * and after every sequence the two files' bytes (read with the host's
 * read() once every process is gone: the host's page cache has the host
 * side's MAP_SHARED stores; vmsim has written its dirty pages back when
 * the last user of the inode went), which checks msync and writeback.
 * (fs_testutil.h is not used: its kernel headers clash with <signal.h>.)
 *
 * Known, documented differences (not bugs; see residency_line()):
 * - residency: the residency lines of smaps (Rss, Pss, Pss_Dirty,
 *   Shared/Private Clean/Dirty, Referenced) are compared only in "tiny"
 *   sequences (a file of at most one page; pread/pwrite get no buffer in
 *   the window), forks included.  vmsim faults around as Linux 3.15+ does
 *   (fault_around_bytes), but the host's page cache most likely keeps
 *   ext4 files in large folios (6.x: several pages in one), and smaps
 *   counts every page of a dirty folio as dirty: e.g. seed 20240711
 *   sequence 4 (residency compared everywhere), where a pwrite into two
 *   pages of a 12-page file leaves all five mapped pages dirty on the host
 *   (Pss_Dirty 14 kB) and two in vmsim, which has 4 KiB pages only (6 kB);
 * - a pwrite past EOF whose user buffer faults returns EFAULT on the host
 *   (6.x) but leaves the file extended to the write's offset (write_end
 *   sets i_size to pos + 0 copied bytes, ext4 and tmpfs alike); vmsim
 *   leaves the size alone.  A pwrite from a buffer in the window (one that
 *   may fault) is made at offset 0, where the two agree.
 * PROT_WRITE alone is among the protections: x86 reads a write-only
 * mapping (access_error takes any of VM_READ|VM_WRITE|VM_EXEC), and so does
 * vmsim since this test found it faulting as 2.4 did.
 *
 * diff_file_arg_forms mixes in argument forms (wild_args: unaligned,
 * zero and wrapping lengths, bad offsets and descriptors, every map type
 * and MAP_SHARED_VALIDATE, invalid msync flags and advice).
 *
 * `make test` runs DIFF_FILE_SEQS plain and DIFF_FILE_ARG_SEQS argument-form
 * sequences with fixed seeds; VMSIM_DIFF_FILE_LONG=N runs N more of each
 * with seed VMSIM_DIFF_FILE_SEED (default 1), with smaps after every call
 * when VMSIM_DIFF_FILE_SMAPS is set (`make diff-long`).
 */
/* first: <signal.h> defines si_addr as a macro, which would rename the API's field */
#include "vmsim/process.h"
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include "harness.h"
#include "testlib.h"
#include "vmsim/file.h"

#define PG		4096UL
#define WIN		0x300000000000UL
#define WIN_PAGES	32
#define UBUF		(WIN - 16 * PG)		/* the simulated process's pread/pwrite buffer */
#define FILE_PAGES	12
#define MAX_OPS		16
#define MAPS_MAX	3072
#define SMAPS_MAX	32768
#define SMAPS_EVERY	4
#define DIFF_FILE_SEQS	800
#define DIFF_FILE_ARG_SEQS	400
#define MAX_FORKS	MAX_OPS
#define FNAME		"f"

enum op_kind { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MREMAP, OP_MADVISE, OP_MSYNC,
	       OP_FTRUNCATE, OP_PWRITE, OP_PREAD, OP_WRITE, OP_READ, OP_FORK, NR_OPS };

struct op {
	int kind;
	unsigned long addr, len, len2, addr2;
	int prot, flags;
	int fd;			/* 0: the O_RDONLY descriptor, 1: the O_RDWR one */
	long off;		/* file offset (bytes) */
	bool buf_in_win;	/* pread/pwrite: the buffer is addr, in the window */
	uint64_t value;
};

struct result {
	long ret;		/* value, -errno, OUTSIDE or a fault */
	uint64_t value;		/* bytes read */
	char maps[MAPS_MAX];	/* window lines after the op */
	char smaps[SMAPS_MAX];	/* and their smaps blocks */
};

#define OUTSIDE		(-100000L)	/* a hinted mmap/mremap landed outside the window */
#define FAULT		(-200000L)	/* FAULT - (signo * 16 + si_code) */
#define FAULT_LATE	(-300000L)	/* only the process itself faults: the same code */
#define IS_FAULT(r, base)	((r) <= (base) && (r) > (base) - 1000)

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A file offset: mostly page-aligned pages inside and just past EOF. */
static long gen_file_size(uint64_t *s, bool tiny)
{
	unsigned long pages = tiny ? rnd(s) % 2 : rnd(s) % (FILE_PAGES + 1);

	switch (rnd(s) % 3) {
	case 0:
		return (long)(pages * PG);
	default:
		if (tiny)
			return (long)(rnd(s) % (PG + 1));
		return (long)(pages * PG + rnd(s) % PG);
	}
}

static void gen_mmap(uint64_t *s, struct op *o, bool tiny)
{
	o->kind = OP_MMAP;
	o->fd = rnd(s) % 3 ? 1 : 0;
	o->flags = rnd(s) % 2 ? MAP_SHARED : MAP_PRIVATE;
	switch (rnd(s) % 4) {
	case 0: break;				/* hint */
	case 1: o->flags |= MAP_FIXED_NOREPLACE; break;
	default: o->flags |= MAP_FIXED; break;
	}
	if (rnd(s) % 8 == 0)
		o->flags |= MAP_POPULATE;
	if (rnd(s) % 32 == 0)
		o->flags |= MAP_GROWSDOWN;	/* EINVAL for a file */
	o->off = (long)((rnd(s) % (tiny ? 3 : FILE_PAGES + 3)) * PG);
	if (rnd(s) % 32 == 0)
		o->off += 512;			/* EINVAL */
}

static void gen_op(uint64_t *s, struct op *o, bool tiny)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC, PROT_WRITE };
	static const int advice[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
				      MADV_DONTNEED, MADV_DONTNEED, MADV_DONTFORK, MADV_DOFORK };
	static const int msflags[] = { MS_SYNC, MS_SYNC, MS_ASYNC, MS_INVALIDATE,
				       MS_SYNC | MS_INVALIDATE, MS_ASYNC | MS_INVALIDATE,
				       MS_SYNC | MS_ASYNC, 8 };
	/* a few slots per page, so that reads meet earlier writes */
	static const unsigned long slots[] = { 0, 8, 2048, PG - 8 };
	unsigned long page = rnd(s) % WIN_PAGES, npages = 1 + rnd(s) % 8;

	memset(o, 0, sizeof(*o));
	o->kind = (int)(rnd(s) % (NR_OPS + 3));
	if (o->kind >= NR_OPS)
		o->kind = o->kind == NR_OPS ? OP_MMAP : OP_WRITE + (o->kind & 1);
	if (o->kind == OP_FORK && rnd(s) % 2)
		o->kind = OP_READ;		/* forks are slow on the host */
	if (page + npages > WIN_PAGES)
		npages = WIN_PAGES - page;
	o->addr = WIN + page * PG;
	o->len = npages * PG;
	o->prot = prots[rnd(s) % ARRAY_SIZE(prots)];
	o->value = rnd(s);
	switch (o->kind) {
	case OP_MMAP:
		gen_mmap(s, o, tiny);
		break;
	case OP_MUNMAP:
		if (rnd(s) % 16 == 0)
			o->addr += 1;		/* EINVAL */
		break;
	case OP_MPROTECT:
		if (rnd(s) % 32 == 0)
			o->len = 0;
		break;
	case OP_MREMAP: {
		unsigned long np2 = 1 + rnd(s) % 8;

		o->len2 = np2 * PG;
		o->addr2 = WIN + (rnd(s) % (WIN_PAGES - 8)) * PG;
		switch (rnd(s) % 6) {
		case 0: o->flags = 0; break;
		case 1: o->flags = MREMAP_MAYMOVE; break;
		case 2: o->flags = MREMAP_MAYMOVE | MREMAP_FIXED; break;
		case 3: o->flags = MREMAP_MAYMOVE | MREMAP_FIXED; o->len2 = o->len; break;
		case 4: o->flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP; o->len2 = o->len; break;
		default: o->flags = MREMAP_MAYMOVE; o->len = 0; break;	/* duplicate */
		}
		if (o->addr2 + o->len2 > WIN + WIN_PAGES * PG)
			o->addr2 = WIN + WIN_PAGES * PG - o->len2;
		break;
	}
	case OP_MADVISE:
		o->flags = advice[rnd(s) % ARRAY_SIZE(advice)];
		break;
	case OP_MSYNC:
		o->flags = msflags[rnd(s) % ARRAY_SIZE(msflags)];
		if (rnd(s) % 16 == 0)
			o->addr += 8;		/* EINVAL */
		if (rnd(s) % 16 == 0)
			o->len = 0;
		break;
	case OP_FTRUNCATE:
		o->fd = rnd(s) % 8 ? 1 : 0;	/* the O_RDONLY one: EINVAL */
		o->off = gen_file_size(s, tiny);
		break;
	case OP_PWRITE:
	case OP_PREAD:
		o->fd = rnd(s) % 8 ? 1 : 0;
		o->off = tiny ? (long)(rnd(s) % (PG - 7))	/* the file stays in one page */
			     : (long)(rnd(s) % ((FILE_PAGES + 1) * PG));
		if (rnd(s) % 2)
			o->off &= ~7L;
		/* not in tiny sequences: a kernel-mode fault past EOF faults around */
		o->buf_in_win = !tiny && rnd(s) % 3 == 0;
		if (o->kind == OP_PWRITE && o->buf_in_win)
			o->off = 0;	/* see the header: a failed copy past EOF */
		o->addr += slots[rnd(s) % ARRAY_SIZE(slots)];	/* the buffer, if in the window */
		break;
	case OP_WRITE:
	case OP_READ:
		o->addr += slots[rnd(s) % ARRAY_SIZE(slots)];
		break;
	}
}

/*
 * The argument forms of diff_file_arg_forms (test_diff_host.c's
 * gen_wild_op does the same for anonymous memory, with the top of the
 * address space and brk): unaligned addresses and lengths, zero lengths,
 * lengths past TASK_SIZE or whose rounding wraps, offsets unaligned, past
 * EOF, negative and huge (pgoff overflow), bad descriptors, every map type
 * and MAP_SHARED_VALIDATE with unknown bits, invalid msync flags and
 * madvise advice.  (Not MAP_SYNC: whether MAP_SHARED_VALIDATE lets it
 * through depends on the host's file system, ext4 yes, tmpfs no.)  Only forms the kernel refuses before it
 * changes anything reach outside the window (the host child survives).
 */
static unsigned long pick_of(uint64_t *s, const unsigned long *v, size_t n)
{
	return v[rnd(s) % n];
}
#define PICK(s, ...) pick_of(s, (const unsigned long[]){ __VA_ARGS__ }, \
			     sizeof((const unsigned long[]){ __VA_ARGS__ }) / sizeof(unsigned long))

static void wild_args(uint64_t *s, struct op *o)
{
	switch (rnd(s) % 6) {
	case 0:
		o->addr += PICK(s, 1, 8, 0x7ff, PG - 1);
		break;
	case 1:
		o->len = PICK(s, 0, 1, PG - 1, PG + 1, 3 * PG - 5);
		break;
	case 2:	/* refused up front: the page rounding wraps */
		o->len = PICK(s, ~0UL, -PG + 1, ~0UL - PG + 2);
		break;
	case 3:	/* mmap only: a pwrite there would make a huge sparse file */
		if (o->kind == OP_MMAP)
			o->off = (long)PICK(s, 1, PG - 1, 100 * PG, 1UL << 40, -PG, 1UL << 62,
					    0x7ffffffffffff000UL);
		else
			o->addr += 1;
		break;
	case 4:
		o->fd = (int)PICK(s, 2, 3);	/* -1 and a descriptor never opened */
		break;
	default:
		if (o->kind == OP_MMAP)
			o->flags = (o->flags & ~0xf) |
				   (int)PICK(s, 0, 3, 3, 4, 0xf) |
				   (int)PICK(s, 0, 0x200000, MAP_32BIT, MAP_STACK);
		else if (o->kind == OP_MSYNC)
			o->flags = (int)PICK(s, 0, 7, 0x10, MS_ASYNC | MS_SYNC | MS_INVALIDATE);
		else if (o->kind == OP_MADVISE)
			o->flags = (int)PICK(s, 5, 6, 7, 26, 1000, (unsigned long)-1);
		else if (o->kind == OP_MREMAP)
			o->flags = (int)PICK(s, 0, 2, 4, 6, 8, MREMAP_MAYMOVE | 8);
		break;
	}
}

/* A sequence starts by mapping a part of the window, so that later calls meet a VMA. */
static void gen_setup_op(uint64_t *s, struct op *o, bool tiny)
{
	unsigned long page = rnd(s) % 8, npages = 4 + rnd(s) % 16;

	memset(o, 0, sizeof(*o));
	gen_mmap(s, o, tiny);
	o->flags = (o->flags & (MAP_SHARED | MAP_PRIVATE)) | MAP_FIXED;
	o->addr = WIN + page * PG;
	o->len = min(npages, WIN_PAGES - page) * PG;
	o->off = tiny ? 0 : (long)((rnd(s) % 4) * PG);
	o->prot = rnd(s) % 4 ? PROT_READ | PROT_WRITE : PROT_READ;
}

/* --- the maps and smaps texts ------------------------------------------------ */

/*
 * Lines of smaps that depend on which pages are mapped (see the header:
 * fault-around, fork).
 */
static bool residency_line(const char *line)
{
	static const char *const names[] = { "Rss:", "Pss:", "Pss_Dirty:", "Shared_Clean:",
					     "Shared_Dirty:", "Private_Clean:", "Private_Dirty:",
					     "Referenced:" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strncmp(line, names[i], strlen(names[i])))
			return true;
	return false;
}

/*
 * The lines of maps or smaps text that belong to VMAs starting in the
 * window, header lines normalised to "start-end perms offset <dev> <ino>
 * basename"; without @residency, smaps' residency lines are left out.
 * False if @out (@max bytes) is too small.
 */
static bool window_blocks(const char *text, char *out, size_t max, bool residency)
{
	bool in = false;
	size_t n = 0;

	out[0] = 0;
	while (text && *text) {
		const char *eol = strchr(text, '\n');
		size_t len = eol ? (size_t)(eol - text) + 1 : strlen(text);
		unsigned long start, end;
		char line[512];

		if (sscanf(text, "%lx-%lx ", &start, &end) == 2) {
			char perms[8], offset[32], dev[16], path[256];
			unsigned long ino;
			int fields;

			in = start >= WIN && start < WIN + WIN_PAGES * PG;
			path[0] = 0;
			fields = sscanf(text, "%*s %7s %31s %15s %lu %255[^\n]", perms, offset, dev,
					&ino, path);
			if (in && fields >= 4) {
				const char *base = strrchr(path, '/');

				snprintf(line, sizeof(line), "%lx-%lx %s %s %s %s %s\n", start, end,
					 perms, offset, ino ? "<dev>" : dev, ino ? "<ino>" : "0",
					 base ? base + 1 : path);
				if (n + strlen(line) + 2 > max)
					return false;
				memcpy(out + n, line, strlen(line) + 1);
				n += strlen(line);
				text += len;
				continue;
			}
		}
		if (in && (residency || !residency_line(text))) {
			if (n + len + 2 > max)
				return false;
			memcpy(out + n, text, len);
			n += len;
			if (!eol)
				out[n++] = '\n';
			out[n] = 0;
		}
		text += len;
	}
	return true;
}

/* --- host side ----------------------------------------------------------- */

static volatile int *host_fault_code;	/* MAP_SHARED, set up by run_sequences */
static volatile sig_atomic_t host_in_probe;
static sigjmp_buf host_jmp;

static void host_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	*host_fault_code = sig * 16 + si->si_code;
	if (host_in_probe)
		_exit(3);
	siglongjmp(host_jmp, 1);
}

/* The host's loads and stores, in assembly (no sanitizer check: unaligned is fine). */
static void host_store(unsigned long a, uint64_t v)
{
	__asm__ volatile("movq %1, (%0)" : : "r"(a), "r"(v) : "memory");
}

static uint64_t host_load(unsigned long a)
{
	uint64_t v;

	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(a) : "memory");
	return v;
}

/* A load or store, first tried in a forked probe (as test_diff_host.c explains). */
static long host_access(const struct op *o, uint64_t *val)
{
	pid_t pid;
	int status;

	*host_fault_code = 0;
	pid = fork();
	if (pid < 0)
		_exit(4);
	if (pid == 0) {
		host_in_probe = 1;
		if (o->kind == OP_WRITE)
			host_store(o->addr, o->value);
		else
			(void)host_load(o->addr);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		_exit(5);
	if (WEXITSTATUS(status) == 3)
		return FAULT - *host_fault_code;
	if (WEXITSTATUS(status) != 0)
		_exit(6);
	if (sigsetjmp(host_jmp, 1))
		return FAULT_LATE - *host_fault_code;
	if (o->kind == OP_WRITE)
		host_store(o->addr, o->value);
	else
		*val = host_load(o->addr);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0, cap = 1 << 16;
	char *buf = malloc(cap);

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	for (size_t got; (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
		n += got;
		if (n + 1 == cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
	}
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void host_window(struct result *res, bool with_smaps, bool residency)
{
	char *maps = slurp("/proc/self/maps"), *smaps = with_smaps ? slurp("/proc/self/smaps") : NULL;

	res->smaps[0] = 0;
	if (!maps || !window_blocks(maps, res->maps, MAPS_MAX, true) ||
	    (with_smaps && (!smaps || !window_blocks(smaps, res->smaps, SMAPS_MAX, residency))))
		_exit(7);
	free(maps);
	free(smaps);
}

static bool in_window(unsigned long a, unsigned long len)
{
	return a >= WIN && a + len <= WIN + WIN_PAGES * PG;
}

static long host_op(const struct op *o, const int *fds, uint64_t *val)
{
	uint64_t v = o->value;
	long r;
	void *p;

	switch (o->kind) {
	case OP_MMAP:
		p = (void *)syscall(SYS_mmap, o->addr, o->len, o->prot, o->flags, fds[o->fd],
				    o->off);
		if (p == MAP_FAILED)
			return -errno;
		if (!in_window((unsigned long)p, o->len)) {
			syscall(SYS_munmap, p, o->len);
			return OUTSIDE;
		}
		return (long)p;
	case OP_MUNMAP:
		r = syscall(SYS_munmap, o->addr, o->len);
		break;
	case OP_MPROTECT:
		r = syscall(SYS_mprotect, o->addr, o->len, o->prot);
		break;
	case OP_MREMAP:
		p = (void *)syscall(SYS_mremap, o->addr, o->len, o->len2, o->flags, o->addr2);
		if (p == MAP_FAILED)
			return -errno;
		if (!in_window((unsigned long)p, o->len2)) {
			syscall(SYS_munmap, p, o->len2);
			return OUTSIDE;
		}
		return (long)p;
	case OP_MADVISE:
		r = syscall(SYS_madvise, o->addr, o->len, o->flags);
		break;
	case OP_MSYNC:
		r = syscall(SYS_msync, o->addr, o->len, o->flags);
		break;
	case OP_FTRUNCATE:
		r = syscall(SYS_ftruncate, fds[o->fd], o->off);
		break;
	case OP_PWRITE:
		r = syscall(SYS_pwrite64, fds[o->fd], o->buf_in_win ? (void *)o->addr : (void *)&v,
			    8, o->off);
		break;
	case OP_PREAD:
		v = 0;
		r = syscall(SYS_pread64, fds[o->fd], o->buf_in_win ? (void *)o->addr : (void *)&v,
			    8, o->off);
		*val = v;
		break;
	case OP_WRITE:
	case OP_READ:
		return host_access(o, val);
	default:
		return -EINVAL;
	}
	return r < 0 ? -errno : r;
}

/* Run @ops in a child on @path; results in the shared @res. */
static void run_host(const char *path, const struct op *ops, int n, struct result *res,
		     bool smaps_each_op, bool smaps_last, bool residency)
{
	pid_t pid = fork();
	int status, i;

	ASSERT(pid >= 0);
	if (pid == 0) {
		struct sigaction sa;
		int fds[4] = { -1, -1, -1, 99 };	/* 2, 3: bad descriptors */

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = host_fault;
		sa.sa_flags = SA_NODEFER | SA_SIGINFO;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		munmap((void *)WIN, WIN_PAGES * PG);
		fds[0] = open(path, O_RDONLY);
		fds[1] = open(path, O_RDWR);
		if (fds[0] < 0 || fds[1] < 0)
			_exit(2);
		for (i = 0; i < n; i++) {
			res[i].value = 0;
			if (ops[i].kind == OP_FORK) {
				pid_t c = fork();

				if (c < 0)
					_exit(8);
				if (c > 0) {
					if (waitpid(c, &status, 0) != c || !WIFEXITED(status))
						_exit(9);
					_exit(WEXITSTATUS(status));
				}
				res[i].ret = 0;
			} else {
				res[i].ret = host_op(&ops[i], fds, &res[i].value);
			}
			host_window(&res[i], smaps_each_op || (smaps_last && i == n - 1), residency);
			if (IS_FAULT(res[i].ret, FAULT_LATE))
				break;
		}
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "host child status %#x", status);
}

/* --- vmsim side ----------------------------------------------------------- */

static void sim_window(struct machine *m, int pid, char *maps, char *smaps, bool with_smaps,
		       bool residency)
{
	char *text = vmsim_proc_pid_read(m, pid, "maps");

	ASSERT_NOT_NULL(text);
	ASSERT(window_blocks(text, maps, MAPS_MAX, true));
	free(text);
	smaps[0] = 0;
	if (!with_smaps)
		return;
	text = vmsim_proc_pid_read(m, pid, "smaps");
	ASSERT_NOT_NULL(text);
	ASSERT(window_blocks(text, smaps, SMAPS_MAX, residency));
	free(text);
}

static long sim_faulting_access(struct machine *m, int pid, int fork_of, const struct op *o,
				long base)
{
	struct vmsim_task_info info;
	uint64_t v = o->value;
	int who = fork_of ? vmsim_fork(m, fork_of) : pid, r;

	ASSERT_CMP(who, >, 0);
	if (fork_of)
		ASSERT_EQ(vmsim_set_sp(m, who, 0), 0);
	r = o->kind == OP_WRITE ? vmsim_write(m, who, o->addr, &v, sizeof(v))
				: vmsim_read(m, who, o->addr, &v, sizeof(v));
	if (r != VMSIM_KILLED) {
		if (fork_of)
			vmsim_exit(m, who);
		return r;
	}
	ASSERT_EQ(vmsim_task_info(m, who, &info), 0);
	ASSERT_EQ(info.addr, o->addr);
	return base - (info.signo * 16 + info.code);
}

static long sim_op(struct machine *m, int pid, const int *fds, const struct op *o,
		   const struct result *host, uint64_t *val)
{
	uint64_t v = o->value;
	unsigned long buf = o->buf_in_win ? o->addr : UBUF;
	long r;

	switch (o->kind) {
	case OP_MMAP:
		r = vmsim_mmap(m, pid, o->addr, o->len, o->prot, o->flags, fds[o->fd], o->off);
		if (r >= 0 && !in_window((unsigned long)r, o->len)) {
			vmsim_munmap(m, pid, (unsigned long)r, o->len);
			return OUTSIDE;
		}
		return r;
	case OP_MUNMAP:
		return vmsim_munmap(m, pid, o->addr, o->len);
	case OP_MPROTECT:
		return vmsim_mprotect(m, pid, o->addr, o->len, o->prot);
	case OP_MREMAP:
		r = vmsim_mremap(m, pid, o->addr, o->len, o->len2, o->flags, o->addr2);
		if (r >= 0 && !in_window((unsigned long)r, o->len2)) {
			vmsim_munmap(m, pid, (unsigned long)r, o->len2);
			return OUTSIDE;
		}
		return r;
	case OP_MADVISE:
		return vmsim_madvise(m, pid, o->addr, o->len, o->flags);
	case OP_MSYNC:
		return vmsim_msync(m, pid, o->addr, o->len, o->flags);
	case OP_FTRUNCATE:
		return vmsim_ftruncate(m, pid, fds[o->fd], o->off);
	case OP_PWRITE:
		if (!o->buf_in_win)
			ASSERT_EQ(vmsim_write(m, pid, UBUF, &v, sizeof(v)), 0);
		return vmsim_pwrite(m, pid, fds[o->fd], buf, 8, o->off);
	case OP_PREAD:
		v = 0;
		if (!o->buf_in_win)
			ASSERT_EQ(vmsim_write(m, pid, UBUF, &v, sizeof(v)), 0);
		r = vmsim_pread(m, pid, fds[o->fd], buf, 8, o->off);
		if (!o->buf_in_win)
			ASSERT_EQ(vmsim_read(m, pid, UBUF, val, sizeof(*val)), 0);
		return r;
	case OP_WRITE:
	case OP_READ:
		if (IS_FAULT(host->ret, FAULT))
			return sim_faulting_access(m, pid, pid, o, FAULT);
		if (IS_FAULT(host->ret, FAULT_LATE))
			return sim_faulting_access(m, pid, 0, o, FAULT_LATE);
		if (o->kind == OP_WRITE)
			return vmsim_write(m, pid, o->addr, &o->value, sizeof(o->value));
		return vmsim_read(m, pid, o->addr, val, sizeof(*val));
	}
	return -EINVAL;
}

static const char *const op_names[NR_OPS] = {
	"mmap", "munmap", "mprotect", "mremap", "madvise", "msync", "ftruncate", "pwrite",
	"pread", "write", "read", "fork",
};

static void dump_ops(const struct op *ops, int n, long size)
{
	fprintf(stderr, "  file size %ld\n", size);
	for (int i = 0; i < n; i++)
		fprintf(stderr, "  %2d %-9s addr=%#lx len=%#lx len2=%#lx addr2=%#lx prot=%d "
			"flags=%#x fd=%d off=%#lx%s value=%#llx\n", i, op_names[ops[i].kind],
			ops[i].addr, ops[i].len, ops[i].len2, ops[i].addr2, ops[i].prot,
			ops[i].flags, ops[i].fd, ops[i].off, ops[i].buf_in_win ? " (buf in win)" : "",
			(unsigned long long)ops[i].value);
}

static void print_first_difference(const char *a, const char *b)
{
	const char *hdr = a;

	while (*a && *a == *b) {
		if (*a == '\n') {
			unsigned long x, y;

			if (sscanf(a + 1, "%lx-%lx ", &x, &y) == 2)
				hdr = a + 1;
		}
		a++;
		b++;
	}
	while (a > hdr && a[-1] != '\n') {
		a--;
		b--;
	}
	fprintf(stderr, "first difference in:\n%.*s  host:  %.*s\n  vmsim: %.*s\n",
		(int)strcspn(hdr, "\n") + 1, hdr, (int)strcspn(a, "\n"), a,
		(int)strcspn(b, "\n"), b);
}

static void write_file(const char *path, const uint8_t *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(write(fd, data, len), (long)len);
	/* clean in the host's page cache, as the simulated file's pages start */
	ASSERT_EQ(fsync(fd), 0);
	close(fd);
}

/* The whole file into @buf (@max bytes): its size. */
static long read_file(const char *path, uint8_t *buf, size_t max)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r;

	ASSERT_CMP(fd, >=, 0);
	while ((r = read(fd, buf + n, max - (size_t)n)) > 0)
		n += r;
	ASSERT_CMP(r, ==, 0);
	close(fd);
	return n;
}

static void run_sequences(uint64_t seed, int count, bool smaps_each_op, bool wild)
{
	uint64_t seed0 = seed;
	struct result *host = mmap(NULL, sizeof(struct result) * MAX_OPS, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	size_t fmax = (FILE_PAGES + 4) * PG;
	uint8_t *data = malloc(fmax), *hbytes = malloc(fmax), *sbytes = malloc(fmax);
	char maps[MAPS_MAX], *smaps = malloc(SMAPS_MAX), hdir[64], hpath[128], spath[256];
	int late_faults = 0;
	struct machine *m = test_boot("ram=64M paging=x86_64 hostino=on");
	char sdir[64];

	ASSERT(host != MAP_FAILED && smaps && data && hbytes && sbytes);
	/* the machine's root: a fresh host directory (as fs_testutil.h's fs_env) */
	strcpy(sdir, "/tmp/vmsim-diff-root-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(sdir));
	ASSERT_EQ(vmsim_fs_set_root(m, sdir), 0);
	snprintf(spath, sizeof(spath), "%s/%s", sdir, FNAME);
	strcpy(hdir, "/tmp/vmsim-diff-file-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(hdir));
	snprintf(hpath, sizeof(hpath), "%s/%s", hdir, FNAME);
	host_fault_code = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT(host_fault_code != MAP_FAILED);
	for (int seq = 0; seq < count; seq++) {
		struct op ops[MAX_OPS];
		int n = 2 + (int)(rnd(&seed) % (MAX_OPS - 1)), pid, fds[4] = { -1, -1, -1, 99 };
		bool tiny = rnd(&seed) % 4 == 0;
		long size = gen_file_size(&seed, tiny), hn, sn;

		for (long i = 0; i < size; i++)
			data[i] = (uint8_t)(rnd(&seed) | 1);	/* no zero byte: tails show */
		for (int i = 0; i < n; i++) {
			if (i == 0)
				gen_setup_op(&seed, &ops[i], tiny);
			else
			{
				gen_op(&seed, &ops[i], tiny);
				if (wild && rnd(&seed) % 3 == 0)
					wild_args(&seed, &ops[i]);
			}
		}
		bool smaps_last = smaps_each_op || seq % SMAPS_EVERY == 0 || tiny;
		bool residency = tiny;

		write_file(hpath, data, (size_t)size);
		write_file(spath, data, (size_t)size);
		run_host(hpath, ops, n, host, smaps_each_op, smaps_last, residency);

		pid = vmsim_spawn(m);
		ASSERT_CMP(pid, >, 0);
		ASSERT_EQ(vmsim_set_sp(m, pid, 0), 0);	/* as test_diff_host.c */
		ASSERT_EQ(vmsim_mmap(m, pid, UBUF, PG, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), (long)UBUF);
		fds[0] = vmsim_open(m, pid, "/" FNAME, O_RDONLY, 0);
		fds[1] = vmsim_open(m, pid, "/" FNAME, O_RDWR, 0);
		ASSERT_CMP(fds[0], >=, 0);
		ASSERT_CMP(fds[1], >=, 0);
		int parents[MAX_FORKS], nparents = 0;

		for (int i = 0; i < n; i++) {
			uint64_t val = 0;
			long r;

			if (ops[i].kind == OP_FORK) {
				int child = vmsim_fork(m, pid);

				ASSERT_CMP(child, >, 0);
				ASSERT_EQ(vmsim_set_sp(m, child, 0), 0);
				parents[nparents++] = pid;
				pid = child;
				r = 0;
			} else {
				r = sim_op(m, pid, fds, &ops[i], &host[i], &val);
			}
			if (IS_FAULT(host[i].ret, FAULT_LATE)) {
				if (r != host[i].ret)
					dump_ops(ops, n, size);
				ASSERT_EQ(r, host[i].ret);
				late_faults++;
				break;
			}
			bool with_smaps = smaps_each_op || (smaps_last && i == n - 1);

			sim_window(m, pid, maps, smaps, with_smaps, residency);
			if (r != host[i].ret || strcmp(maps, host[i].maps) ||
			    strcmp(smaps, host[i].smaps) ||
			    ((ops[i].kind == OP_READ || ops[i].kind == OP_PREAD) && r >= 0 &&
			     val != host[i].value)) {
				fprintf(stderr, "diff_file seed %llu sequence %d differs at op %d:\n",
					(unsigned long long)seed0, seq, i);
				dump_ops(ops, n, size);
				fprintf(stderr, "host ret %ld value %#llx maps:\n%s"
					"vmsim ret %ld value %#llx maps:\n%s", host[i].ret,
					(unsigned long long)host[i].value, host[i].maps, r,
					(unsigned long long)val, maps);
				if (strcmp(smaps, host[i].smaps))
					print_first_difference(host[i].smaps, smaps);
				ASSERT_EQ(r, host[i].ret);
				ASSERT_STREQ(maps, host[i].maps);
				ASSERT_EQ(val, host[i].value);
				ASSERT_STREQ(smaps, host[i].smaps);
			}
		}
		int er = vmsim_exit(m, pid);

		if (er) {
			struct vmsim_task_info info;

			ASSERT_EQ(er, -ESRCH);
			ASSERT_EQ(vmsim_task_info(m, pid, &info), 0);
			ASSERT(!info.alive && info.signo);	/* killed by the late fault */
		}
		while (nparents > 0)
			ASSERT_EQ(vmsim_exit(m, parents[--nparents]), 0);

		/* the files: MAP_SHARED stores, pwrite, ftruncate, written back */
		hn = read_file(hpath, hbytes, fmax);
		sn = read_file(spath, sbytes, fmax);
		if (hn != sn || memcmp(hbytes, sbytes, (size_t)hn)) {
			long at = 0;

			while (at < hn && at < sn && hbytes[at] == sbytes[at])
				at++;
			fprintf(stderr, "diff_file sequence %d: files differ (host %ld bytes, vmsim "
				"%ld), first at %ld\n", seq, hn, sn, at);
			dump_ops(ops, n, size);
			ASSERT_EQ(sn, hn);
			ASSERT_MEMEQ(sbytes, hbytes, (size_t)hn);
		}
	}
	test_shutdown(m);
	unlink(spath);
	rmdir(sdir);
	unlink(hpath);
	rmdir(hdir);
	munmap(host, sizeof(struct result) * MAX_OPS);
	munmap((void *)host_fault_code, PG);
	free(smaps);
	free(data);
	free(hbytes);
	free(sbytes);
	ASSERT_CMP(late_faults, <=, count / 20 + 1);
}

TEST(diff_file_sequences)
{
	run_sequences(20240711, DIFF_FILE_SEQS, false, false);
}

TEST(diff_file_arg_forms)
{
	run_sequences(20261208, DIFF_FILE_ARG_SEQS, false, true);
}

TEST(diff_file_long)
{
	const char *n = getenv("VMSIM_DIFF_FILE_LONG"), *s = getenv("VMSIM_DIFF_FILE_SEED");

	if (!n)
		return;
	run_sequences(s ? strtoull(s, NULL, 0) : 1, atoi(n),
		      getenv("VMSIM_DIFF_FILE_SMAPS") != NULL, false);
	run_sequences(s ? strtoull(s, NULL, 0) : 1, atoi(n),
		      getenv("VMSIM_DIFF_FILE_SMAPS") != NULL, true);
}

/*
 * Kernel-mode user access in system calls (mm/uaccess.c): read/write into
 * a bad buffer is -EFAULT with no signal and the task alive; faults inside
 * the copy are resolved (demand paging, COW after fork, stack growth); a
 * buffer running into an unmapped page gives the partial count; an
 * address above the user limit is refused before any walk.  Where the
 * outcome is visible to a program, the host kernel is asked the same
 * question (pread/pwrite on a host file with the same buffer geometry).
 * The process's own loads and stores keep raising signals.
 */
#include <sys/mman.h>
#include "unit/fs_testutil.h"
#include "unit/memtest.h"
#include "kern/uaccess.h"

#define PG 4096UL
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static int open_file(struct fs_env *e, const char *name, size_t size, unsigned int seed)
{
	static uint8_t buf[8 * 4096];
	char path[64];

	ASSERT_CMP(size, <=, sizeof(buf));
	fill_pattern(buf, size, seed);
	fs_host_write(e, name, buf, size);
	snprintf(path, sizeof(path), "/%s", name);
	return vmsim_open(e->m, e->pid, path, O_RDWR, 0);
}

/* The task is alive and has no signal pending (a pending one would kill it here). */
static void assert_alive_no_signal(struct fs_env *e, int pid)
{
	struct vmsim_task_info info;
	struct task_call c;
	uint8_t b;

	ASSERT_EQ(vmsim_task_info(e->m, pid, &info), 0);
	ASSERT(info.alive);
	ASSERT_EQ(task_call_begin(e->m, pid, &c), 0);
	ASSERT_EQ(c.t->pending_signal, 0);
	task_call_end(&c);
	ASSERT_EQ(vmsim_read(e->m, pid, e->ubuf, &b, 1), 0);
}

/*
 * The host's answer for pread/pwrite of @len bytes at offset 0 of a host
 * file of 2 pages, into/from a buffer @off bytes into a page whose next
 * page is unmapped (@off = PG: the buffer starts in the unmapped page).
 */
static long host_rw_across_hole(struct fs_env *e, bool write, unsigned long off, size_t len)
{
	char p[256];
	uint8_t *m;
	long r;
	int fd;

	fs_host_path(e, "host-probe", p, sizeof(p));
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(ftruncate(fd, 2 * PG), 0);
	m = mmap(NULL, 2 * PG, RW, ANON, -1, 0);
	ASSERT(m != MAP_FAILED);
	ASSERT_EQ(munmap(m + PG, PG), 0);
	r = write ? pwrite(fd, m + off, len, 0) : pread(fd, m + off, len, 0);
	if (r < 0)
		r = -errno;
	munmap(m, PG);
	close(fd);
	unlink(p);
	return r;
}

TEST(uaccess_read_write_unmapped_efault_no_signal)
{
	struct fs_env e;
	uint8_t got[16];
	long hole;
	int fd;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "f", 2 * PG, 1);
	ASSERT_CMP(fd, >=, 0);
	hole = vmsim_mmap(e.m, e.pid, 0, 2 * PG, RW, ANON, -1, 0);
	ASSERT_CMP(hole, >, 0);
	ASSERT_EQ(vmsim_munmap(e.m, e.pid, (unsigned long)hole, 2 * PG), 0);

	/* the host: a buffer wholly in an unmapped page is EFAULT both ways */
	ASSERT_EQ(host_rw_across_hole(&e, false, PG, 100), -EFAULT);
	ASSERT_EQ(host_rw_across_hole(&e, true, PG, 100), -EFAULT);

	ASSERT_EQ(vmsim_fd_read(e.m, e.pid, fd, (unsigned long)hole, 100), -EFAULT);
	assert_alive_no_signal(&e, e.pid);
	ASSERT_EQ(vmsim_lseek(e.m, e.pid, fd, 0, SEEK_CUR), 0);	/* nothing was read */
	ASSERT_EQ(vmsim_fd_write(e.m, e.pid, fd, (unsigned long)hole, 100), -EFAULT);
	assert_alive_no_signal(&e, e.pid);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, (unsigned long)hole + 8, 8, 0), -EFAULT);
	ASSERT_EQ(vmsim_pwrite(e.m, e.pid, fd, (unsigned long)hole + 8, 8, 0), -EFAULT);
	assert_alive_no_signal(&e, e.pid);
	/* the file is untouched */
	ASSERT_EQ(fs_host_read(&e, "f", got, sizeof(got)), (long)sizeof(got));
	{
		uint8_t want[16];

		fill_pattern(want, sizeof(want), 1);
		ASSERT(!memcmp(got, want, sizeof(got)));
	}
	/* the process's own load from there is still SIGSEGV */
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)hole, got, 8), VMSIM_KILLED);
	e.pid = 0;
	fs_env_down(&e);
}

/*
 * read() into memory no page backs yet: the copy faults each page in
 * (demand paging, counted as faults of the task); into a PROT_READ buffer
 * it is EFAULT, as on the host; below the stack it grows the stack.
 */
TEST(uaccess_read_demand_pages_and_grows_stack)
{
	struct fs_env e;
	uint8_t want[3 * PG], got[3 * PG];
	unsigned long flt, stack_lo = 0;
	long a, ro;
	char *maps, *line;
	int fd;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "d", 3 * PG, 2);
	fill_pattern(want, sizeof(want), 2);
	a = vmsim_mmap(e.m, e.pid, 0, 3 * PG, RW, ANON, -1, 0);
	ASSERT_CMP(a, >, 0);
	flt = sum_vm_event(e.m, PGFAULT);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, (unsigned long)a + 10, 3 * PG - 10, 0),
		  (long)(3 * PG - 10));
	ASSERT_EQ(sum_vm_event(e.m, PGFAULT) - flt, 3);
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)a + 10, got, 3 * PG - 10), 0);
	ASSERT(!memcmp(got, want, 3 * PG - 10));
	assert_alive_no_signal(&e, e.pid);

	/* a read-only buffer: the kernel's write faults and cannot be served */
	ro = vmsim_mmap(e.m, e.pid, 0, PG, PROT_READ, ANON, -1, 0);
	ASSERT_CMP(ro, >, 0);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, (unsigned long)ro, 8, 0), -EFAULT);
	assert_alive_no_signal(&e, e.pid);
	{
		uint8_t *h = mmap(NULL, PG, PROT_READ, ANON, -1, 0);
		char p[256];
		int hfd;

		fs_host_path(&e, "d", p, sizeof(p));
		hfd = open(p, O_RDONLY);
		ASSERT_CMP(hfd, >=, 0);
		ASSERT_EQ(pread(hfd, h, 8, 0), -1);
		ASSERT_EQ(errno, EFAULT);
		close(hfd);
		munmap(h, PG);
	}

	/* just below the stack VMA: the copy's fault grows the stack */
	maps = vmsim_proc_pid_read(e.m, e.pid, "maps");
	ASSERT_NOT_NULL(maps);
	for (line = strtok(maps, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, "[stack]"))
			stack_lo = strtoul(line, NULL, 16);
	free(maps);
	ASSERT(stack_lo);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, stack_lo - PG, PG, 0), (long)PG);
	ASSERT_EQ(vmsim_read(e.m, e.pid, stack_lo - PG, got, PG), 0);
	ASSERT(!memcmp(got, want, PG));
	assert_alive_no_signal(&e, e.pid);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	fs_env_down(&e);
}

/* After fork, read() into a COW page writes the caller's copy only. */
TEST(uaccess_read_into_cow_page_after_fork)
{
	struct fs_env e;
	uint8_t want[PG], mine[64], got[64];
	unsigned long cow;
	long a;
	int fd, child;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "c", PG, 5);
	fill_pattern(want, sizeof(want), 5);
	a = vmsim_mmap(e.m, e.pid, 0, 2 * PG, RW, ANON, -1, 0);
	ASSERT_CMP(a, >, 0);
	memset(mine, 'P', sizeof(mine));
	ASSERT_EQ(vmsim_write(e.m, e.pid, (unsigned long)a, mine, sizeof(mine)), 0);
	ASSERT_EQ(vmsim_write(e.m, e.pid, (unsigned long)a + PG, mine, sizeof(mine)), 0);
	child = vmsim_fork(e.m, e.pid);
	ASSERT_CMP(child, >, 0);

	cow = sum_vm_event(e.m, PGFAULT_COW);
	/* the child's read breaks COW of page 0 for the child */
	ASSERT_EQ(vmsim_pread(e.m, child, fd, (unsigned long)a, 64, 0), 64);
	ASSERT_EQ(sum_vm_event(e.m, PGFAULT_COW) - cow, 1);
	ASSERT_EQ(vmsim_read(e.m, child, (unsigned long)a, got, 64), 0);
	ASSERT(!memcmp(got, want, 64));
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)a, got, 64), 0);
	ASSERT(!memcmp(got, mine, 64));
	/* and the parent's read of page 1 leaves the child's page 1 alone */
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, (unsigned long)a + PG, 64, 0), 64);
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)a + PG, got, 64), 0);
	ASSERT(!memcmp(got, want, 64));
	ASSERT_EQ(vmsim_read(e.m, child, (unsigned long)a + PG, got, 64), 0);
	ASSERT(!memcmp(got, mine, 64));
	assert_alive_no_signal(&e, child);
	assert_alive_no_signal(&e, e.pid);
	ASSERT_EQ(vmsim_exit(e.m, child), 0);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	fs_env_down(&e);
}

/*
 * A buffer whose second page is unmapped: read() copies up to the hole
 * and returns that count (the host says the same), f_pos advances by it;
 * write() writes that much.
 */
TEST(uaccess_partial_copy_at_unmapped_page)
{
	struct fs_env e;
	uint8_t want[2 * PG], got[2 * PG];
	unsigned long buf;
	long a, host;
	int fd;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "p", 2 * PG, 7);
	fill_pattern(want, sizeof(want), 7);
	a = vmsim_mmap(e.m, e.pid, 0, 2 * PG, RW, ANON, -1, 0);
	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(vmsim_munmap(e.m, e.pid, (unsigned long)a + PG, PG), 0);
	buf = (unsigned long)a + PG - 96;

	host = host_rw_across_hole(&e, false, PG - 96, 200);
	ASSERT_EQ(host, 96);
	ASSERT_EQ(vmsim_fd_read(e.m, e.pid, fd, buf, 200), host);
	ASSERT_EQ(vmsim_lseek(e.m, e.pid, fd, 0, SEEK_CUR), host);
	ASSERT_EQ(vmsim_read(e.m, e.pid, buf, got, 96), 0);
	ASSERT(!memcmp(got, want, 96));
	assert_alive_no_signal(&e, e.pid);
	/* the next read() starts at the hole: nothing copied, EFAULT */
	ASSERT_EQ(vmsim_fd_read(e.m, e.pid, fd, buf + 96, 10), -EFAULT);
	ASSERT_EQ(vmsim_lseek(e.m, e.pid, fd, 0, SEEK_CUR), host);

	host = host_rw_across_hole(&e, true, PG - 96, 200);
	ASSERT_EQ(host, 96);
	memset(got, 'w', 96);
	ASSERT_EQ(vmsim_write(e.m, e.pid, buf, got, 96), 0);
	ASSERT_EQ(vmsim_pwrite(e.m, e.pid, fd, buf, 200, PG), host);
	ASSERT_EQ(vmsim_fsync(e.m, e.pid, fd), 0);
	ASSERT_EQ(fs_host_read(&e, "p", got, sizeof(got)), (long)(2 * PG));
	ASSERT(!memcmp(got, want, PG));
	for (unsigned long i = 0; i < 96; i++)
		ASSERT_EQ(got[PG + i], 'w');
	ASSERT(!memcmp(got + PG + 96, want + PG + 96, PG - 96));
	assert_alive_no_signal(&e, e.pid);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	fs_env_down(&e);
}

/*
 * Above the user limit of the layout (3 GiB on i386, 0x7ffffffff000 on
 * x86-64): -EFAULT before any walk or fault, even for a count of 0 or at
 * the end of the file, and before EISDIR, as the host's vfs_read.
 */
static void above_limit_case(const char *opts, unsigned long limit)
{
	struct fs_env e;
	unsigned long miss, flt, segv;
	int fd, dfd;
	char p[256];

	fs_env_up(&e, opts);
	fd = open_file(&e, "k", PG, 3);
	fs_host_path(&e, "dir", p, sizeof(p));
	ASSERT_EQ(mkdir(p, 0700), 0);
	dfd = vmsim_open(e.m, e.pid, "/dir", O_RDONLY, 0);
	ASSERT_CMP(dfd, >=, 0);
	miss = sum_vm_event(e.m, TLB_MISS);
	flt = sum_vm_event(e.m, PGFAULT);
	segv = sum_vm_event(e.m, PGFAULT_SIGSEGV);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, limit, 8, 0), -EFAULT);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, limit - 100, 200, 0), -EFAULT);
	ASSERT_EQ(vmsim_pwrite(e.m, e.pid, fd, limit + PG, 8, 0), -EFAULT);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, limit + PG, 0, 0), -EFAULT);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, limit + PG, 8, 1 << 20), -EFAULT);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, (size_t)-1, 0), -EFAULT);
	ASSERT_EQ(vmsim_fd_read(e.m, e.pid, dfd, limit + PG, 8), -EFAULT);
	ASSERT_EQ(vmsim_fd_read(e.m, e.pid, dfd, e.ubuf, 8), -EISDIR);
	ASSERT_EQ(sum_vm_event(e.m, TLB_MISS), miss);
	ASSERT_EQ(sum_vm_event(e.m, PGFAULT), flt);
	ASSERT_EQ(sum_vm_event(e.m, PGFAULT_SIGSEGV), segv);
	/* an unmapped user buffer at the end of the file: nothing to copy, 0 */
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, 0x10000, 8, 1 << 20), 0);
	assert_alive_no_signal(&e, e.pid);
	ASSERT_EQ(vmsim_close(e.m, e.pid, dfd), 0);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	rmdir(p);
	fs_env_down(&e);
}

TEST(uaccess_above_user_limit_efault_without_walk)
{
	char p[] = "/tmp/vmsim-uaccess-XXXXXX";
	uint8_t *m;
	int fd;

	/* the host first: its answers are the ones checked below */
	fd = mkstemp(p);
	ASSERT_CMP(fd, >=, 0);
	unlink(p);
	ASSERT_EQ(write(fd, "0123456789", 10), 10);
	ASSERT_EQ(pread(fd, (void *)0xffff888000000000UL, 8, 0), -1);
	ASSERT_EQ(errno, EFAULT);
	ASSERT_EQ(pread(fd, (void *)0xffff888000000000UL, 0, 0), -1);
	ASSERT_EQ(errno, EFAULT);
	ASSERT_EQ(pread(fd, (void *)0xffff888000000000UL, 8, 1 << 20), -1);
	ASSERT_EQ(errno, EFAULT);
	m = mmap(NULL, PG, RW, ANON, -1, 0);
	ASSERT(m != MAP_FAILED);
	ASSERT_EQ(munmap(m, PG), 0);
	ASSERT_EQ(pread(fd, m, 8, 1 << 20), 0);
	close(fd);
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(read(fd, (void *)0xffff888000000000UL, 8), -1);
	ASSERT_EQ(errno, EFAULT);
	close(fd);

	above_limit_case("ram=64M paging=x86_64", 0x7ffffffff000UL);
	above_limit_case("ram=64M paging=i386", 0xc0000000UL);
	above_limit_case("ram=64M paging=pae", 0xc0000000UL);
}

/* A signal really pending at a system call is not withdrawn by it. */
TEST(uaccess_pending_signal_survives_syscall)
{
	struct fs_env e;
	struct vmsim_task_info info;
	struct task_call c;
	uint64_t v;
	int fd;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "s", PG, 4);
	ASSERT_EQ(task_call_begin(e.m, e.pid, &c), 0);
	force_sig_fault(c.t, SIGBUS, BUS_ADRERR, 0x1234);
	task_call_end(&c);
	/* a bad buffer too: the copy's own failure adds nothing and removes nothing */
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, 0x10000, 8, 0), -EFAULT);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, 8, 0), 8);
	ASSERT_EQ(vmsim_load64(e.m, e.pid, e.ubuf, &v), VMSIM_KILLED);
	ASSERT_EQ(vmsim_task_info(e.m, e.pid, &info), 0);
	ASSERT_EQ(info.signo, SIGBUS);
	ASSERT_EQ(info.addr, 0x1234);
	e.pid = 0;
	fs_env_down(&e);
}

/*
 * The kernel-mode primitives on a bare address space: a kernel write to
 * the read-only ZERO_PAGE mapping faults and is COWed (x86 CR0.WP=1), a
 * write to a PROT_READ page or a read of an unmapped one fails without a
 * signal (get_user zeroes the value), the same user-mode accesses signal.
 */
TEST(uaccess_kernel_mode_primitives)
{
	for (int f = 0; f < 3; f++) {
		struct memtest t;
		char opts[64];
		unsigned long a, ro, hole, cow, miss;
		uint64_t v = 0;
		uint8_t buf[16];

		snprintf(opts, sizeof(opts), "ram=32M paging=%s", memtest_formats[f]);
		memtest_begin(&t, opts);
		a = memtest_mmap(&t, 0, 2 * PAGE_SIZE, RW, ANON);
		ro = memtest_mmap(&t, 0, PAGE_SIZE, PROT_READ, ANON);
		hole = memtest_mmap(&t, 0, 2 * PAGE_SIZE, RW, ANON);
		ASSERT_EQ(do_munmap(t.mm, hole + PAGE_SIZE, PAGE_SIZE), 0);

		ASSERT_EQ(mmu_user_load64(a, &v), 0);		/* the ZERO_PAGE, read-only */
		ASSERT_EQ(v, 0);
		ASSERT(!(memtest_pte(&t, a) & _PAGE_RW));
		cow = ev(t.m, PGFAULT);
		ASSERT_EQ(put_user_u64(0xfeedULL, a), 0);
		ASSERT_EQ(ev(t.m, PGFAULT) - cow, 1);
		ASSERT(memtest_pte(&t, a) & _PAGE_RW);
		ASSERT_EQ(mmu_user_load64(a, &v), 0);
		ASSERT_EQ(v, 0xfeed);
		ASSERT_EQ(get_user_u64(&v, a), 0);
		ASSERT_EQ(v, 0xfeed);

		ASSERT_EQ(put_user_u64(1, ro), -EFAULT);
		ASSERT_EQ(t.task.pending_signal, 0);
		v = 77;
		ASSERT_EQ(get_user_u64(&v, hole + PAGE_SIZE), -EFAULT);
		ASSERT_EQ(v, 0);
		ASSERT_EQ(t.task.pending_signal, 0);
		memset(buf, 0xee, sizeof(buf));
		ASSERT_EQ(copy_from_user(buf, hole + PAGE_SIZE - 8, 16), 8);
		for (int i = 8; i < 16; i++)
			ASSERT_EQ(buf[i], 0);		/* the part not read is zeroed */
		ASSERT_EQ(t.task.pending_signal, 0);

		/* above the limit: refused before the TLB is even looked at */
		miss = ev(t.m, TLB_MISS);
		ASSERT(!access_ok(user_addr_max() - 8, 16));
		ASSERT(access_ok(user_addr_max() - 16, 16));
		ASSERT_EQ(copy_to_user(user_addr_max() - 8, buf, 16), 16);
		ASSERT_EQ(ev(t.m, TLB_MISS), miss);
		ASSERT_EQ(t.task.pending_signal, 0);

		/* the process's own store to the read-only page: SIGSEGV */
		ASSERT_EQ(mmu_user_store64(ro, 1), -EFAULT);
		ASSERT_EQ(t.task.pending_signal, SIGSEGV);
		ASSERT_EQ(t.task.pending_si_code, SEGV_ACCERR);
		t.task.pending_signal = 0;
		memtest_end(&t);
	}
}

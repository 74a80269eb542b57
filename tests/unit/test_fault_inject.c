/*
 * Fault injection's outcomes, one at a time (docs/script.md, "Fault
 * injection"): an injected I/O error (fail_io) or allocation failure must
 * end as Linux ends it.  A swap-in read error is SIGBUS; a file read that
 * fails is read again by the reader (a failed readahead), and a fault
 * whose own read fails is SIGBUS; a writeback error is -EIO from the next
 * fsync; no memory for a file or shmem fault is an OOM kill, not SIGBUS;
 * a swap-out write error keeps the page and its bytes.
 */
#include "fs_testutil.h"
#include "kern/fault_inject.h"
#include "kern/swap.h"

/* Arm fail_io for the @n-th page of I/O from now. */
static void fail_io_in(struct machine *m, uint64_t n)
{
	atomic_store(&m->fail_io_count, 0);
	m->cfg.fail_io_nth = n;
}

/* Arm fail_page_alloc for the next allocation of this CPU. */
static void fail_next_alloc(struct machine *m)
{
	this_cpu()->fail_page_alloc_count = 0;
	this_cpu()->fail_page_alloc_armed = true;
	m->cfg.fail_page_alloc_nth = 1;
}

static void unarm(struct machine *m)
{
	m->cfg.fail_io_nth = 0;
	m->cfg.fail_page_alloc_nth = 0;
	this_cpu()->fail_page_alloc_armed = false;
}

static void expect_killed(struct machine *m, int pid, int signo)
{
	struct vmsim_task_info ti;

	ASSERT_EQ(vmsim_task_info(m, pid, &ti), 0);
	ASSERT(!ti.alive);
	ASSERT_EQ(ti.signo, signo);
}

#define SWAP_AREA	0x10000000UL
#define SWAP_LEN	(20UL << 20)

TEST(fault_inject_swapin_read_error_sigbus)
{
	struct machine *m = test_boot("ram=16M swap=32M page_cluster=0");
	int a = vmsim_spawn(m), b;
	unsigned char vec[1], byte;
	uint64_t v;

	ASSERT_EQ(vmsim_mmap(m, a, SWAP_AREA, SWAP_LEN, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), (long)SWAP_AREA);
	for (unsigned long off = 0; off < SWAP_LEN; off += PAGE_SIZE)
		ASSERT_EQ(vmsim_store64(m, a, SWAP_AREA + off, off), 0);
	b = vmsim_fork(m, a);
	ASSERT_CMP(b, >, 0);
	/* the first page went to swap long ago */
	ASSERT_EQ(vmsim_mincore(m, a, SWAP_AREA, PAGE_SIZE, vec), 0);
	ASSERT_EQ(vec[0] & 1, 0);
	fail_io_in(m, 1);
	ASSERT_EQ(vmsim_read(m, a, SWAP_AREA, &byte, 1), VMSIM_KILLED);
	unarm(m);
	expect_killed(m, a, SIGBUS);
	/* the slot still holds the bytes: B, sharing it, reads them */
	ASSERT_EQ(vmsim_load64(m, b, SWAP_AREA, &v), 0);
	ASSERT_EQ(v, 0);
	ASSERT_EQ(vmsim_load64(m, b, SWAP_AREA + PAGE_SIZE, &v), 0);
	ASSERT_EQ(v, PAGE_SIZE);
	vmsim_exit(m, b);
	test_shutdown(m);
}

TEST(fault_inject_swapout_write_error_keeps_page)
{
	struct machine *m = test_boot("ram=16M swap=32M");
	int a = vmsim_spawn(m);
	uint64_t v;

	ASSERT_EQ(vmsim_mmap(m, a, SWAP_AREA, SWAP_LEN, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), (long)SWAP_AREA);
	/* every 7th swap-out fails along the way: those pages are written later */
	for (unsigned long off = 0; off < SWAP_LEN; off += PAGE_SIZE) {
		if (!(off % (64 * PAGE_SIZE)))
			fail_io_in(m, 7);
		ASSERT_EQ(vmsim_store64(m, a, SWAP_AREA + off, ~off), 0);
	}
	unarm(m);
	for (unsigned long off = 0; off < SWAP_LEN; off += PAGE_SIZE) {
		ASSERT_EQ(vmsim_load64(m, a, SWAP_AREA + off, &v), 0);
		ASSERT_EQ(v, ~off);
	}
	vmsim_exit(m, a);
	test_shutdown(m);
}

TEST(fault_inject_file_read_error)
{
	static uint8_t data[64 * PAGE_SIZE];
	uint8_t got[PAGE_SIZE];
	struct fs_env e;
	long addr;
	int fd, b;

	fs_env_up(&e, "ram=32M");
	fill_pattern(data, sizeof(data), 3);
	fs_host_write(&e, "f", data, sizeof(data));
	fd = vmsim_open(e.m, e.pid, "/f", O_RDONLY, 0);
	ASSERT_CMP(fd, >=, 0);
	/*
	 * The readahead of page 0 fails: as Linux, the reader finds the page
	 * not uptodate and reads it again itself, so one error is no error.
	 */
	fail_io_in(e.m, 1);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, PAGE_SIZE, 0), (long)PAGE_SIZE);
	ASSERT_EQ(atomic_load(&e.m->fail_io_count), 5);	/* 4 read ahead, 1 again */
	unarm(e.m);
	ASSERT_EQ(vmsim_read(e.m, e.pid, e.ubuf, got, PAGE_SIZE), 0);
	ASSERT(!memcmp(got, data, PAGE_SIZE));
	/* a fault on a mapping read at random (no readahead) whose read fails: SIGBUS */
	b = vmsim_fork(e.m, e.pid);
	ASSERT_CMP(b, >, 0);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	fd = vmsim_open(e.m, b, "/f", O_RDONLY, 0);
	ASSERT_CMP(fd, >=, 0);
	addr = vmsim_mmap(e.m, b, 0, sizeof(data), PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_CMP(addr, >, 0);
	ASSERT_EQ(vmsim_madvise(e.m, b, (unsigned long)addr, sizeof(data), MADV_RANDOM), 0);
	/* pages 0-3 are cached; page 40 is not */
	fail_io_in(e.m, 1);
	ASSERT_EQ(vmsim_read(e.m, b, (unsigned long)addr + 40 * PAGE_SIZE, got, 1), VMSIM_KILLED);
	unarm(e.m);
	expect_killed(e.m, b, SIGBUS);
	fs_env_down(&e);
}

TEST(fault_inject_writeback_error_fsync)
{
	struct fs_env e;
	uint8_t data[2 * PAGE_SIZE];
	int fd;

	fs_env_up(&e, "ram=32M");
	fill_pattern(data, sizeof(data), 5);
	ASSERT_EQ(vmsim_write(e.m, e.pid, e.ubuf, data, sizeof(data)), 0);
	fd = vmsim_open(e.m, e.pid, "/w", O_RDWR | O_CREAT, 0644);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(vmsim_pwrite(e.m, e.pid, fd, e.ubuf, sizeof(data), 0), (long)sizeof(data));
	fail_io_in(e.m, 2);
	ASSERT_EQ(vmsim_fsync(e.m, e.pid, fd), -EIO);	/* AS_EIO, reported once */
	unarm(e.m);
	ASSERT_EQ(vmsim_fsync(e.m, e.pid, fd), 0);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	fs_env_down(&e);
}

TEST(fault_inject_file_fault_nomem_is_oom)
{
	struct fs_env e;
	uint8_t data[PAGE_SIZE], got;
	long addr;
	int fd;

	fs_env_up(&e, "ram=32M");
	fill_pattern(data, sizeof(data), 9);
	fs_host_write(&e, "g", data, sizeof(data));
	fd = vmsim_open(e.m, e.pid, "/g", O_RDONLY, 0);
	ASSERT_CMP(fd, >=, 0);
	addr = vmsim_mmap(e.m, e.pid, 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_CMP(addr, >, 0);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	/* no page for the page cache: the fault is VM_FAULT_OOM, not SIGBUS */
	fail_next_alloc(e.m);
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)addr, &got, 1), VMSIM_KILLED);
	unarm(e.m);
	expect_killed(e.m, e.pid, SIGKILL);
	e.pid = 0;
	fs_env_down(&e);
}

TEST(fault_inject_shmem_fault_nomem_is_oom)
{
	struct machine *m = test_boot("ram=32M");
	int a = vmsim_spawn(m);
	uint8_t got;

	ASSERT_EQ(vmsim_mmap(m, a, SWAP_AREA, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0), (long)SWAP_AREA);
	fail_next_alloc(m);
	ASSERT_EQ(vmsim_read(m, a, SWAP_AREA, &got, 1), VMSIM_KILLED);
	unarm(m);
	expect_killed(m, a, SIGKILL);
	test_shutdown(m);
}

/* The counters the sweep reads count only while their option is set. */
TEST(fault_inject_counts)
{
	struct fs_env e;
	uint8_t data[4 * PAGE_SIZE];
	int fd;

	fs_env_up(&e, "ram=32M fail_io=1000000");
	fill_pattern(data, sizeof(data), 1);
	fs_host_write(&e, "c", data, sizeof(data));
	fd = vmsim_open(e.m, e.pid, "/c", O_RDONLY, 0);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, sizeof(data), 0), (long)sizeof(data));
	ASSERT_EQ(fault_inject_calls(e.m, FAULT_IO), 4);	/* one per page read */
	ASSERT_EQ(fault_inject_calls(e.m, FAULT_SLAB), 0);	/* not set: not counted */
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	fs_env_down(&e);
}

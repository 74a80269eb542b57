/*
 * Fault signals: SIGSEGV with SEGV_ACCERR (protection) and SEGV_MAPERR
 * (nothing mapped), recorded with the faulting address; the killed task's
 * memory is released and its pid answers -ESRCH; stack growth below the
 * stack pointer and its limit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "kern/sched.h"
#include "kern/memory.h"
#include "kern/mman.h"
#include "vmsim/process.h"

#define RW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
#define ANON	(VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)

static void expect_killed(struct machine *m, int pid, int sig, int code, unsigned long addr)
{
	struct vmsim_task_info info;
	char buf[1];

	ASSERT_EQ(vmsim_task_info(m, pid, &info), 0);
	ASSERT(!info.alive);
	ASSERT_EQ(info.signo, sig);
	ASSERT_EQ(info.code, code);
	ASSERT_EQ(info.addr, addr);
	ASSERT_EQ(vmsim_read(m, pid, addr, buf, 1), -ESRCH);
	ASSERT_EQ(vmsim_exit(m, pid), -ESRCH);
}

TEST(signal_mprotect_write_accerr)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m);
	long a = vmsim_mmap(m, p, 0, 4 * PAGE_SIZE, RW, ANON, -1, 0);
	char buf[8];

	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(vmsim_write(m, p, (unsigned long)a, "abcdefgh", 8), 0);
	ASSERT_EQ(vmsim_mprotect(m, p, (unsigned long)a + PAGE_SIZE, PAGE_SIZE,
				 VMSIM_PROT_READ), 0);
	/* reading the read-only page is fine, writing it kills */
	ASSERT_EQ(vmsim_read(m, p, (unsigned long)a + PAGE_SIZE + 100, buf, 8), 0);
	ASSERT_EQ(vmsim_write(m, p, (unsigned long)a + PAGE_SIZE + 100, "x", 1), VMSIM_KILLED);
	expect_killed(m, p, SIGSEGV, SEGV_ACCERR, (unsigned long)a + PAGE_SIZE + 100);
	test_shutdown(m);
}

/* A write spanning into a read-only page faults at the page boundary. */
TEST(signal_accerr_address_is_first_bad_byte)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m);
	long a = vmsim_mmap(m, p, 0, 2 * PAGE_SIZE, RW, ANON, -1, 0);
	char buf[64];

	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(vmsim_mprotect(m, p, (unsigned long)a + PAGE_SIZE, PAGE_SIZE,
				 VMSIM_PROT_READ), 0);
	memset(buf, 1, sizeof(buf));
	ASSERT_EQ(vmsim_write(m, p, (unsigned long)a + PAGE_SIZE - 32, buf, 64), VMSIM_KILLED);
	expect_killed(m, p, SIGSEGV, SEGV_ACCERR, (unsigned long)a + PAGE_SIZE);
	test_shutdown(m);
}

TEST(signal_prot_none_read_accerr)
{
	struct machine *m = test_boot("ram=32M paging=i386");
	int p = vmsim_spawn(m);
	long a = vmsim_mmap(m, p, 0, PAGE_SIZE, VMSIM_PROT_NONE, ANON, -1, 0);
	uint64_t v;

	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(vmsim_load64(m, p, (unsigned long)a + 8, &v), VMSIM_KILLED);
	expect_killed(m, p, SIGSEGV, SEGV_ACCERR, (unsigned long)a + 8);
	test_shutdown(m);
}

TEST(signal_unmapped_maperr)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m);
	char buf[4];

	ASSERT_EQ(vmsim_read(m, p, 0x10000 + 12, buf, 4), VMSIM_KILLED);
	expect_killed(m, p, SIGSEGV, SEGV_MAPERR, 0x10000 + 12);
	test_shutdown(m);
}

TEST(signal_after_munmap_maperr)
{
	struct machine *m = test_boot("ram=32M paging=pae");
	int p = vmsim_spawn(m);
	long a = vmsim_mmap(m, p, 0, 2 * PAGE_SIZE, RW, ANON, -1, 0);

	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(vmsim_store64(m, p, (unsigned long)a + PAGE_SIZE, 42), 0);
	ASSERT_EQ(vmsim_munmap(m, p, (unsigned long)a + PAGE_SIZE, PAGE_SIZE), 0);
	ASSERT_EQ(vmsim_store64(m, p, (unsigned long)a, 1), 0);
	ASSERT_EQ(vmsim_store64(m, p, (unsigned long)a + PAGE_SIZE, 42), VMSIM_KILLED);
	expect_killed(m, p, SIGSEGV, SEGV_MAPERR, (unsigned long)a + PAGE_SIZE);
	test_shutdown(m);
}

/* The killed child releases its memory; parent and sibling are untouched. */
TEST(signal_killed_child_leaves_family)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m), c, s;
	long a = vmsim_mmap(m, p, 0, 8 * PAGE_SIZE, RW, ANON, -1, 0);
	char buf[6];
	int pids[8];

	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(vmsim_write(m, p, (unsigned long)a, "parent", 6), 0);
	c = vmsim_fork(m, p);
	s = vmsim_fork(m, p);
	ASSERT_EQ(vmsim_write(m, c, (unsigned long)a + PAGE_SIZE, "child!", 6), 0);
	ASSERT_EQ(vmsim_mprotect(m, c, (unsigned long)a, 8 * PAGE_SIZE, VMSIM_PROT_READ), 0);
	ASSERT_EQ(vmsim_write(m, c, (unsigned long)a, "X", 1), VMSIM_KILLED);
	expect_killed(m, c, SIGSEGV, SEGV_ACCERR, (unsigned long)a);
	ASSERT_EQ(vmsim_write(m, p, (unsigned long)a + 2 * PAGE_SIZE, "still", 5), 0);
	ASSERT_EQ(vmsim_read(m, s, (unsigned long)a, buf, 6), 0);
	ASSERT_MEMEQ(buf, "parent", 6);
	ASSERT_EQ(vmsim_task_list(m, pids, 8), 2);
	ASSERT_EQ(pids[0], p);
	ASSERT_EQ(pids[1], s);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	ASSERT_EQ(vmsim_exit(m, s), 0);
	test_shutdown(m);
}

/* A thread killed by a fault leaves the shared mm to the other user. */
TEST(signal_killed_thread_mm_survives)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m), t;
	long a = vmsim_mmap(m, p, 0, PAGE_SIZE, RW, ANON, -1, 0);
	char buf[2];

	ASSERT_CMP(a, >, 0);
	t = vmsim_clone_vm(m, p);
	ASSERT_EQ(vmsim_write(m, t, (unsigned long)a, "ok", 2), 0);
	ASSERT_EQ(vmsim_read(m, t, 0x1000, buf, 1), VMSIM_KILLED);
	expect_killed(m, t, SIGSEGV, SEGV_MAPERR, 0x1000);
	ASSERT_EQ(vmsim_read(m, p, (unsigned long)a, buf, 2), 0);
	ASSERT_MEMEQ(buf, "ok", 2);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

/* The [stack] VMA of a spawned process: its start. */
static unsigned long stack_start(struct machine *m, int pid)
{
	char *maps = vmsim_proc_pid_read(m, pid, "maps"), *line;
	unsigned long start = 0;

	ASSERT_NOT_NULL(maps);
	line = strstr(maps, "[stack]");
	ASSERT_NOT_NULL(line);
	while (line > maps && line[-1] != '\n')
		line--;
	start = strtoul(line, NULL, 16);
	free(maps);
	return start;
}

TEST(signal_stack_grows_below_sp)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m);
	unsigned long start = stack_start(m, p), sp = start - 16 * PAGE_SIZE;
	char buf[4];

	ASSERT_CMP(start, >, 0);
	ASSERT_EQ(vmsim_set_sp(m, p, sp), 0);
	ASSERT_EQ(vmsim_write(m, p, sp, "grow", 4), 0);
	ASSERT_EQ(stack_start(m, p), sp & PAGE_MASK);
	ASSERT_EQ(vmsim_read(m, p, sp, buf, 4), 0);
	ASSERT_MEMEQ(buf, "grow", 4);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

/* Growth past RLIMIT_STACK: SIGSEGV (SEGV_MAPERR), as Linux. */
TEST(signal_stack_rlimit)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m);
	unsigned long start = stack_start(m, p), addr = start - (1UL << 20);

	ASSERT_EQ(vmsim_setrlimit(m, p, RLIMIT_STACK, 256 << 10, RLIM_INFINITY), 0);
	ASSERT_EQ(vmsim_set_sp(m, p, addr), 0);
	ASSERT_EQ(vmsim_write(m, p, addr, "x", 1), VMSIM_KILLED);
	expect_killed(m, p, SIGSEGV, SEGV_MAPERR, addr);
	test_shutdown(m);
}

/* force_sig_fault keeps the first signal of an access. */
TEST(signal_force_sig_fault_first_wins)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m);
	struct task_struct *t = find_get_task(m, p);
	struct vmsim_task_info info;
	bool dead;
	struct sim_cpu *saved;

	ASSERT_NOT_NULL(t);
	saved = task_enter(m, t, &dead);
	ASSERT(!dead);
	ASSERT(!signal_pending(t));
	force_sig_fault(t, SIGBUS, BUS_ADRERR, 0x5000);
	force_sig_fault(t, SIGSEGV, SEGV_MAPERR, 0x6000);
	ASSERT(signal_pending(t));
	ASSERT(task_deliver_signal(t));
	task_leave(t, saved);
	put_task_struct(t);
	ASSERT_EQ(vmsim_task_info(m, p, &info), 0);
	ASSERT(!info.alive);
	ASSERT_EQ(info.signo, SIGBUS);
	ASSERT_EQ(info.code, BUS_ADRERR);
	ASSERT_EQ(info.addr, 0x5000);
	test_shutdown(m);
}

/*
 * fork and clone(CLONE_VM): copy-on-write through fork trees, shared mms,
 * VM_DONTCOPY, counters, pids; every test ends with exact accounting.
 */
#include <errno.h>
#include <stdlib.h>
#include "testlib.h"
#include "kern/sched.h"
#include "kern/memory.h"
#include "kern/mman.h"
#include "vmsim/process.h"

#define RW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
#define ANON	(VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)

/* Fill @len bytes with a pattern unique to (@tag, offset). */
static void pattern(unsigned char *buf, size_t len, unsigned tag)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(splitmix64_mix(tag * 1000003ULL + i) & 0xff);
}

static void write_pattern(struct machine *m, int pid, unsigned long addr, size_t len,
			  unsigned tag)
{
	unsigned char *buf = malloc(len);

	ASSERT_NOT_NULL(buf);
	pattern(buf, len, tag);
	ASSERT_EQ(vmsim_write(m, pid, addr, buf, len), 0);
	free(buf);
}

static void check_pattern(struct machine *m, int pid, unsigned long addr, size_t len,
			  unsigned tag)
{
	unsigned char *want = malloc(len), *got = malloc(len);

	ASSERT_NOT_NULL(want);
	ASSERT_NOT_NULL(got);
	pattern(want, len, tag);
	ASSERT_EQ(vmsim_read(m, pid, addr, got, len), 0);
	ASSERT_MEMEQ(got, want, len);
	free(want);
	free(got);
}

/* The bytes at @addr are those of pattern @tag at offset @off of a larger area. */
static void check_range(struct machine *m, int pid, unsigned long addr, size_t len,
			unsigned tag, size_t off)
{
	unsigned char *want = malloc(off + len), *got = malloc(len);

	ASSERT_NOT_NULL(want);
	ASSERT_NOT_NULL(got);
	pattern(want, off + len, tag);
	ASSERT_EQ(vmsim_read(m, pid, addr, got, len), 0);
	ASSERT_MEMEQ(got, want + off, len);
	free(want);
	free(got);
}

/* The mm of a live pid (the test thread is bound to the machine's CPU 0). */
static struct mm_struct *pid_mm(struct machine *m, int pid)
{
	struct task_struct *t = find_get_task(m, pid);
	struct mm_struct *mm;

	ASSERT_NOT_NULL(t);
	mm = t->mm;
	put_task_struct(t);
	return mm;
}

TEST(fork_pids_start_at_one_and_increase)
{
	struct machine *m = test_boot("ram=32M");
	int a = vmsim_spawn(m), b = vmsim_fork(m, a), c = vmsim_spawn_empty(m);
	int d = vmsim_clone_vm(m, b);

	ASSERT_EQ(a, 1);
	ASSERT_EQ(b, 2);
	ASSERT_EQ(c, 3);
	ASSERT_EQ(d, 4);
	ASSERT_EQ(vmsim_exit(m, b), 0);
	ASSERT_EQ(vmsim_fork(m, a), 5);		/* pids are never reused */
	for (int p = 1; p <= 5; p++)
		if (p != b)
			ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

/*
 * A fork tree: 1 -> 2 -> 3 and 1 -> 4.  Each writes its own page after
 * forking; each must see its own writes and its ancestors' writes made
 * before its fork, nobody else's.
 *
 *   page:  0      1      2      3
 *   pid 1  P1     P1     P1     P1w
 *   pid 2  P2w    P1     P1     P1
 *   pid 3  P1     P3w    P1     P1     (forked from 2 before 2 wrote)
 *   pid 4  P1     P1     P4w    P1     (forked from 1 before 1 wrote)
 */
static void fork_tree(const char *opts)
{
	struct machine *m = test_boot(opts);
	unsigned long boot_free;
	const size_t ps = PAGE_SIZE;
	int p1, p2, p3, p4;
	long a;

	machine_drain(m);
	boot_free = nr_free_pages(m);
	p1 = vmsim_spawn(m);
	ASSERT_CMP(p1, >, 0);
	a = vmsim_mmap(m, p1, 0, 4 * ps, RW, ANON, -1, 0);
	ASSERT_CMP(a, >, 0);
	write_pattern(m, p1, (unsigned long)a, 4 * ps, 1);

	p2 = vmsim_fork(m, p1);
	ASSERT_CMP(p2, >, 0);
	p3 = vmsim_fork(m, p2);
	ASSERT_CMP(p3, >, 0);
	p4 = vmsim_fork(m, p1);
	ASSERT_CMP(p4, >, 0);

	/* nothing was copied yet: the children share the parent's frames */
	ASSERT_EQ(get_mm_rss(pid_mm(m, p2)), get_mm_rss(pid_mm(m, p1)));
	ASSERT_EQ(pid_mm(m, p2)->total_vm, pid_mm(m, p1)->total_vm);
	ASSERT_NE(pid_mm(m, p2), pid_mm(m, p1));

	write_pattern(m, p2, (unsigned long)a, ps, 2);
	write_pattern(m, p3, (unsigned long)a + ps, ps, 3);
	write_pattern(m, p4, (unsigned long)a + 2 * ps, ps, 4);
	write_pattern(m, p1, (unsigned long)a + 3 * ps, ps, 5);

	for (int page = 0; page < 4; page++) {
		unsigned long addr = (unsigned long)a + page * ps;
		const int pids[4] = { p1, p2, p3, p4 };
		/* which process wrote its own page over the inherited pattern */
		const int own[4] = { 3, 0, 1, 2 };

		for (int i = 0; i < 4; i++) {
			if (own[i] == page)
				check_pattern(m, pids[i], addr, ps, (unsigned)(i == 0 ? 5 : i + 1));
			else
				check_range(m, pids[i], addr, ps, 1, (size_t)page * ps);
		}
	}

	/* each exit gives back what only that process held */
	ASSERT_EQ(vmsim_exit(m, p3), 0);
	ASSERT_EQ(vmsim_exit(m, p1), 0);
	check_pattern(m, p2, (unsigned long)a, ps, 2);
	check_pattern(m, p4, (unsigned long)a + 2 * ps, ps, 4);
	ASSERT_EQ(vmsim_exit(m, p2), 0);
	ASSERT_EQ(vmsim_exit(m, p4), 0);
	machine_drain(m);
	ASSERT_EQ(nr_free_pages(m), boot_free);
	test_shutdown(m);
}

TEST(fork_cow_tree_x86_64)
{
	fork_tree("ram=32M paging=x86_64");
}

TEST(fork_cow_tree_i386)
{
	fork_tree("ram=32M paging=i386");
}

TEST(fork_cow_tree_pae)
{
	fork_tree("ram=32M paging=pae");
}

/* A child forked from a child with untouched (never faulted) memory: both demand-zero. */
TEST(fork_untouched_memory_reads_zero)
{
	struct machine *m = test_boot("ram=32M");
	int p1 = vmsim_spawn(m), p2;
	long a = vmsim_mmap(m, p1, 0, 8 * PAGE_SIZE, RW, ANON, -1, 0);
	unsigned char buf[64], zero[64] = { 0 };

	ASSERT_CMP(a, >, 0);
	p2 = vmsim_fork(m, p1);
	ASSERT_EQ(vmsim_read(m, p2, (unsigned long)a + 5 * PAGE_SIZE, buf, 64), 0);
	ASSERT_MEMEQ(buf, zero, 64);
	ASSERT_EQ(vmsim_write(m, p2, (unsigned long)a, "child", 5), 0);
	ASSERT_EQ(vmsim_read(m, p1, (unsigned long)a, buf, 5), 0);
	ASSERT_MEMEQ(buf, zero, 5);
	ASSERT_EQ(vmsim_exit(m, p1), 0);
	ASSERT_EQ(vmsim_read(m, p2, (unsigned long)a, buf, 5), 0);
	ASSERT_MEMEQ(buf, "child", 5);
	ASSERT_EQ(vmsim_exit(m, p2), 0);
	test_shutdown(m);
}

/* Threads: clone(CLONE_VM) shares everything, including later mmaps. */
TEST(fork_clone_vm_shares_mm)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m), t;
	long a, b;
	char buf[16];

	a = vmsim_mmap(m, p, 0, 2 * PAGE_SIZE, RW, ANON, -1, 0);
	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(vmsim_write(m, p, (unsigned long)a, "parent", 6), 0);
	t = vmsim_clone_vm(m, p);
	ASSERT_CMP(t, >, 0);
	ASSERT_EQ(pid_mm(m, t), pid_mm(m, p));
	ASSERT_EQ(atomic_load(&pid_mm(m, p)->mm_users), 2);

	ASSERT_EQ(vmsim_write(m, t, (unsigned long)a, "thread", 6), 0);
	ASSERT_EQ(vmsim_read(m, p, (unsigned long)a, buf, 6), 0);
	ASSERT_MEMEQ(buf, "thread", 6);
	b = vmsim_mmap(m, t, 0, PAGE_SIZE, RW, ANON, -1, 0);
	ASSERT_CMP(b, >, 0);
	ASSERT_EQ(vmsim_write(m, p, (unsigned long)b, "seen", 4), 0);
	ASSERT_EQ(vmsim_read(m, t, (unsigned long)b, buf, 4), 0);
	ASSERT_MEMEQ(buf, "seen", 4);

	/* the creator exits: the address space lives on with the thread */
	ASSERT_EQ(vmsim_exit(m, p), 0);
	ASSERT_EQ(atomic_load(&pid_mm(m, t)->mm_users), 1);
	ASSERT_NOT_NULL(pid_mm(m, t)->rlim);
	ASSERT_EQ(vmsim_read(m, t, (unsigned long)a, buf, 6), 0);
	ASSERT_MEMEQ(buf, "thread", 6);
	ASSERT_EQ(vmsim_munmap(m, t, (unsigned long)b, PAGE_SIZE), 0);
	ASSERT_EQ(vmsim_exit(m, t), 0);
	test_shutdown(m);
}

/* A fork of a thread copies the shared mm; the copy is private again. */
TEST(fork_of_thread_copies)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m), t, c;
	long a = vmsim_mmap(m, p, 0, PAGE_SIZE, RW, ANON, -1, 0);
	char buf[4];

	ASSERT_CMP(a, >, 0);
	t = vmsim_clone_vm(m, p);
	ASSERT_EQ(vmsim_write(m, t, (unsigned long)a, "AAAA", 4), 0);
	c = vmsim_fork(m, t);
	ASSERT_CMP(c, >, 0);
	ASSERT_EQ(vmsim_write(m, c, (unsigned long)a, "CCCC", 4), 0);
	ASSERT_EQ(vmsim_read(m, p, (unsigned long)a, buf, 4), 0);
	ASSERT_MEMEQ(buf, "AAAA", 4);
	ASSERT_EQ(vmsim_read(m, c, (unsigned long)a, buf, 4), 0);
	ASSERT_MEMEQ(buf, "CCCC", 4);
	ASSERT_EQ(vmsim_exit(m, t), 0);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	ASSERT_EQ(vmsim_exit(m, c), 0);
	test_shutdown(m);
}

/* VM_DONTCOPY areas are left out of the child (MADV_DONTFORK's flag). */
TEST(fork_dontcopy_not_inherited)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m), c;
	long a = vmsim_mmap(m, p, 0, 2 * PAGE_SIZE, RW, ANON, -1, 0);
	long b = vmsim_mmap(m, p, 0, 3 * PAGE_SIZE, VMSIM_PROT_READ, ANON, -1, 0);
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	struct vmsim_task_info info;
	char buf[4];

	ASSERT_CMP(a, >, 0);
	ASSERT_CMP(b, >, 0);
	ASSERT_EQ(vmsim_write(m, p, (unsigned long)a, "keep", 4), 0);
	mm = pid_mm(m, p);
	down_write(&mm->mmap_sem);
	vma = find_vma(mm, (unsigned long)a);
	ASSERT(vma && vma->vm_start <= (unsigned long)a);
	vma->vm_flags |= VM_DONTCOPY;
	up_write(&mm->mmap_sem);

	c = vmsim_fork(m, p);
	ASSERT_CMP(c, >, 0);
	ASSERT_EQ(pid_mm(m, c)->map_count, mm->map_count - 1);
	ASSERT_EQ(pid_mm(m, c)->total_vm, mm->total_vm - 2);
	ASSERT_EQ(vmsim_read(m, c, (unsigned long)b, buf, 4), 0);
	/* the left-out area is unmapped in the child: touching it kills */
	ASSERT_EQ(vmsim_read(m, c, (unsigned long)a, buf, 4), VMSIM_KILLED);
	ASSERT_EQ(vmsim_task_info(m, c, &info), 0);
	ASSERT_EQ(info.signo, SIGSEGV);
	ASSERT_EQ(info.code, SEGV_MAPERR);
	ASSERT_EQ(info.addr, (unsigned long)a);
	ASSERT_EQ(vmsim_read(m, p, (unsigned long)a, buf, 4), 0);
	ASSERT_MEMEQ(buf, "keep", 4);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

/* mlock is not inherited: the child's VMAs and locked_vm are unlocked. */
TEST(fork_mlock_not_inherited)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m), c;
	long a = vmsim_mmap(m, p, 0, 4 * PAGE_SIZE, RW, ANON | VMSIM_MAP_LOCKED, -1, 0);
	struct vm_area_struct *vma;

	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(pid_mm(m, p)->locked_vm, 4);
	c = vmsim_fork(m, p);
	ASSERT_CMP(c, >, 0);
	ASSERT_EQ(pid_mm(m, c)->locked_vm, 0);
	vma = find_vma(pid_mm(m, c), (unsigned long)a);
	ASSERT_NOT_NULL(vma);
	ASSERT_EQ(vma->vm_flags & VM_LOCKED, 0);
	ASSERT_EQ(vmsim_write(m, c, (unsigned long)a, "x", 1), 0);
	ASSERT_EQ(vmsim_exit(m, c), 0);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

/* Limits are inherited by fork and clone. */
TEST(fork_inherits_limits_and_sp)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m), c, t;
	struct task_struct *tc;

	ASSERT_EQ(vmsim_setrlimit(m, p, RLIMIT_STACK, 1 << 20, 2 << 20), 0);
	ASSERT_EQ(vmsim_set_sp(m, p, 0x12345670), 0);
	c = vmsim_fork(m, p);
	t = vmsim_clone_vm(m, p);
	tc = find_get_task(m, c);
	ASSERT_NOT_NULL(tc);
	ASSERT_EQ(tc->rlim[RLIMIT_STACK].rlim_cur, 1 << 20);
	ASSERT_EQ(tc->rlim[RLIMIT_STACK].rlim_max, 2 << 20);
	ASSERT_EQ(tc->sp, 0x12345670);
	put_task_struct(tc);
	tc = find_get_task(m, t);
	ASSERT_EQ(tc->rlim[RLIMIT_STACK].rlim_cur, 1 << 20);
	put_task_struct(tc);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	ASSERT_EQ(vmsim_exit(m, c), 0);
	ASSERT_EQ(vmsim_exit(m, t), 0);
	test_shutdown(m);
}

/*
 * Fault injection: fail the Nth page allocation (slab pages, page tables,
 * the pgd) or the Nth slab object (task_struct, mm_struct, VMAs) during a
 * fork, for N = 1, 2, ... until the fork succeeds.  Every run ends in
 * success or -ENOMEM with the parent intact and nothing leaked.
 */
static void fork_under_injection(bool slab)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m);
	long a = vmsim_mmap(m, p, 0, 64 * PAGE_SIZE, RW, ANON, -1, 0);
	long b = vmsim_mmap(m, p, 0x40000000UL, PAGE_SIZE, VMSIM_PROT_READ, ANON, -1, 0);
	unsigned long before;
	int failures = 0, c = 0;

	ASSERT_CMP(a, >, 0);
	ASSERT_CMP(b, >, 0);
	write_pattern(m, p, (unsigned long)a, 64 * PAGE_SIZE, 7);
	for (uint64_t n = 1; n < 500; n++) {
		machine_drain(m);
		before = nr_free_pages(m);
		if (slab) {
			m->cfg.fail_slab_nth = n;
		} else {
			this_cpu()->fail_page_alloc_count = 0;
			m->cfg.fail_page_alloc_nth = n;
		}
		c = vmsim_fork(m, p);
		m->cfg.fail_page_alloc_nth = 0;
		m->cfg.fail_slab_nth = 0;
		if (c > 0)
			break;
		failures++;
		ASSERT_EQ(c, -ENOMEM);
		machine_drain(m);
		ASSERT_EQ(nr_free_pages(m), before);
		check_pattern(m, p, (unsigned long)a, PAGE_SIZE, 7);
	}
	ASSERT_CMP(c, >, 0);
	ASSERT_CMP(failures, >=, slab ? 3 : 1);	/* task, mm, VMAs at least */
	check_pattern(m, c, (unsigned long)a, 64 * PAGE_SIZE, 7);
	ASSERT_EQ(vmsim_exit(m, c), 0);
	check_pattern(m, p, (unsigned long)a, 64 * PAGE_SIZE, 7);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(fork_fault_injection_pages_no_leak)
{
	fork_under_injection(false);
}

TEST(fork_fault_injection_slab_no_leak)
{
	fork_under_injection(true);
}

/* spawn under slab and page fault injection: success or -ENOMEM, no leak. */
TEST(fork_spawn_fault_injection_no_leak)
{
	struct machine *m = test_boot("ram=32M");
	char why[160];

	for (int kind = 0; kind < 2; kind++) {
		int p = 0;

		for (uint64_t n = 1; n < 100; n++) {
			if (kind) {
				m->cfg.fail_slab_nth = n;
			} else {
				this_cpu()->fail_page_alloc_count = 0;
				m->cfg.fail_page_alloc_nth = n;
			}
			p = vmsim_spawn(m);
			m->cfg.fail_page_alloc_nth = 0;
			m->cfg.fail_slab_nth = 0;
			if (p > 0)
				break;
			ASSERT_EQ(p, -ENOMEM);
			ASSERT_EQ(vmsim_task_list(m, NULL, 0), 0);
			ASSERT_MSG(machine_accounting_is_exact(m, why, sizeof(why)), "n=%llu: %s",
				   (unsigned long long)n, why);
		}
		ASSERT_CMP(p, >, 0);
		ASSERT_EQ(vmsim_exit(m, p), 0);
	}
	test_shutdown(m);
}

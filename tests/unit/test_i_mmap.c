/*
 * The reverse map of files (mapping->i_mmap / i_mmap_shared, mm/vma.c):
 * the lists follow every mmap, fork, split (mprotect), merge, partial
 * munmap, mremap move and exit exactly (i_mmap_is_valid after each step,
 * and the counts); truncate finds every mapping of a file through them
 * and zaps past the new end in each process, so an access there is SIGBUS
 * and the page-cache pages are gone.
 */
#include <pthread.h>
#include "unit/fs_testutil.h"
#include "kern/mman.h"
#include "kern/memory.h"

#define PG 4096UL
#define RW (PROT_READ | PROT_WRITE)

static int open_file(struct fs_env *e, const char *name, size_t size, unsigned int seed)
{
	static uint8_t buf[16 * 4096];
	char path[64];

	ASSERT_CMP(size, <=, sizeof(buf));
	fill_pattern(buf, size, seed);
	fs_host_write(e, name, buf, size);
	snprintf(path, sizeof(path), "/%s", name);
	return vmsim_open(e->m, e->pid, path, O_RDWR, 0);
}

/* The counts of the file mapped at @addr in @pid: private and shared VMAs. */
static void mmap_counts(struct machine *m, int pid, unsigned long addr, unsigned long *nr_private,
			unsigned long *nr_shared)
{
	struct task_call c;
	struct vm_area_struct *vma;
	struct address_space *mapping = NULL;

	ASSERT_EQ(task_call_begin(m, pid, &c), 0);
	down_read(&c.t->mm->mmap_sem);
	vma = find_vma(c.t->mm, addr);
	if (vma && vma->vm_start <= addr && vma->vm_file)
		mapping = vma->vm_file->f_mapping;
	if (mapping)
		mapping_nr_mmaps(mapping, nr_private, nr_shared);
	up_read(&c.t->mm->mmap_sem);
	task_call_end(&c);
	ASSERT_MSG(mapping, "pid %d: no file mapped at %#lx", pid, addr);
}

#define ASSERT_COUNTS(m, pid, addr, p, s)					\
	do {									\
		unsigned long np_, ns_;						\
		mmap_counts(m, pid, addr, &np_, &ns_);				\
		ASSERT_EQ(np_, (unsigned long)(p));				\
		ASSERT_EQ(ns_, (unsigned long)(s));				\
		ASSERT(i_mmap_is_valid(m));					\
	} while (0)

/*
 * One file, mapped shared at S (pages 0-7) and private at P (pages 0-7):
 *
 *   parent  S: SSSSSSSS         P: PPPPPPPP
 *   fork    child the same                       2 private, 2 shared
 *   mprotect S[2,4) in parent: SS ss SSSS        shared 2 -> 4
 *   munmap P[0,2) in child:   .. PPPPPP          private unchanged
 *   munmap P[3,4) in child:   .. P . PPPP        private 2 -> 3
 *   mremap child's P[4,8) elsewhere: moved       private 3 (one moved)
 *   mprotect S[2,4) back in parent: merged       shared 4 -> 2
 *   exit child                                   1 private, 1 shared
 */
TEST(i_mmap_lists_follow_fork_split_merge_move)
{
	struct fs_env e;
	uint8_t got[8], want[8 * PG];
	unsigned long s, p;
	long r, moved;
	int fd, child;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "f", 8 * PG, 3);
	ASSERT_CMP(fd, >=, 0);
	fill_pattern(want, sizeof(want), 3);
	r = vmsim_mmap(e.m, e.pid, 0, 8 * PG, RW, MAP_SHARED, fd, 0);
	ASSERT_CMP(r, >, 0);
	s = (unsigned long)r;
	ASSERT_COUNTS(e.m, e.pid, s, 0, 1);
	r = vmsim_mmap(e.m, e.pid, 0, 8 * PG, RW, MAP_PRIVATE, fd, 0);
	ASSERT_CMP(r, >, 0);
	p = (unsigned long)r;
	ASSERT_COUNTS(e.m, e.pid, s, 1, 1);
	/* the descriptor can go: the VMAs hold the file */
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);

	child = vmsim_fork(e.m, e.pid);
	ASSERT_CMP(child, >, 0);
	ASSERT_COUNTS(e.m, e.pid, s, 2, 2);

	ASSERT_EQ(vmsim_mprotect(e.m, e.pid, s + 2 * PG, 2 * PG, PROT_READ), 0);
	ASSERT_COUNTS(e.m, e.pid, s, 2, 4);

	ASSERT_EQ(vmsim_munmap(e.m, child, p, 2 * PG), 0);
	ASSERT_COUNTS(e.m, e.pid, s, 2, 4);
	ASSERT_EQ(vmsim_munmap(e.m, child, p + 3 * PG, PG), 0);
	ASSERT_COUNTS(e.m, e.pid, s, 3, 4);

	moved = vmsim_mremap(e.m, child, p + 4 * PG, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			     p - 64 * PG);
	ASSERT_EQ(moved, (long)(p - 64 * PG));
	ASSERT_COUNTS(e.m, child, moved, 3, 4);
	/* the moved mapping still maps file pages 4-7 */
	ASSERT_EQ(vmsim_read(e.m, child, (unsigned long)moved + 3 * PG, got, 8), 0);
	ASSERT(!memcmp(got, want + 7 * PG, 8));
	ASSERT_EQ(vmsim_read(e.m, child, p + 2 * PG, got, 8), 0);
	ASSERT(!memcmp(got, want + 2 * PG, 8));

	/* back to one protection: the three pieces merge into one VMA again */
	ASSERT_EQ(vmsim_mprotect(e.m, e.pid, s + 2 * PG, 2 * PG, RW), 0);
	ASSERT_COUNTS(e.m, e.pid, s, 3, 2);

	/* growing in place over the neighbouring file pages keeps one VMA */
	ASSERT_EQ(vmsim_munmap(e.m, e.pid, s + 6 * PG, 2 * PG), 0);
	ASSERT_COUNTS(e.m, e.pid, s, 3, 2);
	ASSERT_EQ(vmsim_mremap(e.m, e.pid, s, 6 * PG, 8 * PG, 0, 0), (long)s);
	ASSERT_COUNTS(e.m, e.pid, s, 3, 2);
	ASSERT_EQ(vmsim_read(e.m, e.pid, s + 7 * PG, got, 8), 0);
	ASSERT(!memcmp(got, want + 7 * PG, 8));

	ASSERT_EQ(vmsim_exit(e.m, child), 0);
	ASSERT_COUNTS(e.m, e.pid, s, 1, 1);
	ASSERT_EQ(vmsim_munmap(e.m, e.pid, p, 8 * PG), 0);
	ASSERT_COUNTS(e.m, e.pid, s, 0, 1);
	ASSERT_EQ(vmsim_munmap(e.m, e.pid, s, 8 * PG), 0);
	ASSERT(i_mmap_is_valid(e.m));
	fs_env_down(&e);
}

/* Two adjacent mmaps of consecutive file pages merge: one VMA on the list. */
TEST(i_mmap_adjacent_mmaps_merge)
{
	struct fs_env e;
	unsigned long a;
	long r;
	int fd;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "m", 4 * PG, 5);
	r = vmsim_mmap(e.m, e.pid, 0, 4 * PG, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_CMP(r, >, 0);
	a = (unsigned long)r;
	ASSERT_EQ(vmsim_munmap(e.m, e.pid, a, 4 * PG), 0);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, a, 2 * PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0),
		  (long)a);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, a + 2 * PG, 2 * PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd,
			     2 * PG), (long)(a + 2 * PG));
	ASSERT_COUNTS(e.m, e.pid, a, 0, 1);
	/* the next one below maps file page 3 at the wrong place: no merge */
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, a - PG, PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd,
			     3 * PG), (long)(a - PG));
	ASSERT_COUNTS(e.m, e.pid, a, 0, 2);
	/* MAP_FIXED over the middle replaces part of a VMA */
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, a + PG, PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0),
		  (long)(a + PG));
	ASSERT_COUNTS(e.m, e.pid, a, 1, 3);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	fs_env_down(&e);
}

/* Shared anonymous memory: the shmem file's list, across fork and a split. */
TEST(i_mmap_shmem_linked)
{
	struct machine *m = test_boot("ram=32M");
	int pid = vmsim_spawn(m), child;
	uint64_t v;
	long a;

	a = vmsim_mmap(m, pid, 0, 4 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(vmsim_store64(m, pid, (unsigned long)a + PG, 77), 0);
	ASSERT_COUNTS(m, pid, (unsigned long)a, 0, 1);
	child = vmsim_fork(m, pid);
	ASSERT_COUNTS(m, pid, (unsigned long)a, 0, 2);
	ASSERT_EQ(vmsim_mprotect(m, child, (unsigned long)a + PG, PG, PROT_READ), 0);
	ASSERT_COUNTS(m, pid, (unsigned long)a, 0, 4);
	ASSERT_EQ(vmsim_load64(m, child, (unsigned long)a + PG, &v), 0);
	ASSERT_EQ(v, 77);
	ASSERT_EQ(vmsim_exit(m, child), 0);
	ASSERT_COUNTS(m, pid, (unsigned long)a, 0, 1);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	ASSERT(i_mmap_is_valid(m));
	test_shutdown(m);
}

/*
 * Truncate of a file mapped by four processes (a parent with a shared and
 * a private mapping, its two children, and an unrelated process mapping
 * it shared): every mapping past the new end goes, private COW copies
 * included, so each process takes SIGBUS there, while what lies before
 * the end (a COW copy too) survives.  The cached pages past the end are
 * freed.
 */
TEST(i_mmap_truncate_sigbus_in_every_process)
{
	struct fs_env e;
	struct vmsim_task_info info;
	uint8_t got[64], want[8 * PG], zero[64] = { 0 }, mine[64];
	unsigned long s, p, q;
	int fd, qfd, c1, c2, qpid;
	long r;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "t", 8 * PG, 9);
	fill_pattern(want, sizeof(want), 9);
	r = vmsim_mmap(e.m, e.pid, 0, 8 * PG, RW, MAP_SHARED, fd, 0);
	ASSERT_CMP(r, >, 0);
	s = (unsigned long)r;
	r = vmsim_mmap(e.m, e.pid, 0, 8 * PG, RW, MAP_PRIVATE, fd, 0);
	ASSERT_CMP(r, >, 0);
	p = (unsigned long)r;
	/* every page cached and mapped; private pages 1 and 5 become COW copies */
	for (unsigned long i = 0; i < 8; i++) {
		ASSERT_EQ(vmsim_read(e.m, e.pid, s + i * PG, got, 8), 0);
		ASSERT_EQ(vmsim_read(e.m, e.pid, p + i * PG, got, 8), 0);
	}
	memset(mine, 0xab, sizeof(mine));
	ASSERT_EQ(vmsim_write(e.m, e.pid, p + PG, mine, sizeof(mine)), 0);
	ASSERT_EQ(vmsim_write(e.m, e.pid, p + 5 * PG, mine, sizeof(mine)), 0);
	c1 = vmsim_fork(e.m, e.pid);
	c2 = vmsim_fork(e.m, e.pid);
	ASSERT_CMP(c1, >, 0);
	ASSERT_CMP(c2, >, 0);
	qpid = vmsim_spawn(e.m);
	qfd = vmsim_open(e.m, qpid, "/t", O_RDWR, 0);
	ASSERT_CMP(qfd, >=, 0);
	r = vmsim_mmap(e.m, qpid, 0, 8 * PG, PROT_READ, MAP_SHARED, qfd, 0);
	ASSERT_CMP(r, >, 0);
	q = (unsigned long)r;
	ASSERT_EQ(vmsim_read(e.m, qpid, q + 6 * PG, got, 8), 0);
	ASSERT_COUNTS(e.m, qpid, q, 3, 4);
	ASSERT_EQ(global_page_state(e.m, NR_FILE_PAGES), 8);

	/* 2.5 pages remain: pages 3-7 go from every page table and the cache */
	ASSERT_EQ(vmsim_ftruncate(e.m, qpid, qfd, 2 * PG + 100), 0);
	ASSERT_EQ(global_page_state(e.m, NR_FILE_PAGES), 3);
	ASSERT_COUNTS(e.m, qpid, q, 3, 4);

	/* before the end: the file's bytes, the zeroed tail, the COW copy */
	ASSERT_EQ(vmsim_read(e.m, c1, s + PG, got, 8), 0);
	ASSERT(!memcmp(got, want + PG, 8));
	ASSERT_EQ(vmsim_read(e.m, qpid, q + 2 * PG + 100, got, 64), 0);
	ASSERT(!memcmp(got, zero, 64));
	ASSERT_EQ(vmsim_read(e.m, c2, p + PG, got, 64), 0);
	ASSERT(!memcmp(got, mine, 64));

	/* past it: SIGBUS everywhere, the private COW copy of page 5 included */
	ASSERT_EQ(vmsim_read(e.m, c1, p + 5 * PG, got, 8), VMSIM_KILLED);
	ASSERT_EQ(vmsim_task_info(e.m, c1, &info), 0);
	ASSERT_EQ(info.signo, SIGBUS);
	ASSERT_EQ(info.addr, p + 5 * PG);
	ASSERT_EQ(vmsim_read(e.m, c2, s + 3 * PG, got, 8), VMSIM_KILLED);
	ASSERT_EQ(vmsim_task_info(e.m, c2, &info), 0);
	ASSERT_EQ(info.signo, SIGBUS);
	ASSERT_EQ(vmsim_read(e.m, qpid, q + 6 * PG, got, 8), VMSIM_KILLED);
	ASSERT_EQ(vmsim_task_info(e.m, qpid, &info), 0);
	ASSERT_EQ(info.signo, SIGBUS);
	ASSERT_COUNTS(e.m, e.pid, s, 1, 1);
	ASSERT_EQ(vmsim_read(e.m, e.pid, s + 7 * PG, got, 8), VMSIM_KILLED);
	ASSERT_EQ(vmsim_task_info(e.m, e.pid, &info), 0);
	ASSERT_EQ(info.signo, SIGBUS);
	e.pid = 0;
	ASSERT(i_mmap_is_valid(e.m));
	ASSERT_EQ(global_page_state(e.m, NR_FILE_PAGES), 0);
	ASSERT_EQ(fs_host_read(&e, "t", want, sizeof(want)), (long)(2 * PG + 100));
	fs_env_down(&e);
}

/* Truncate up and down while mapped: growing maps the new pages again. */
TEST(i_mmap_truncate_then_extend)
{
	struct fs_env e;
	uint8_t got[8], zero[8] = { 0 };
	unsigned long s;
	int fd, child;
	long r;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "g", 4 * PG, 2);
	r = vmsim_mmap(e.m, e.pid, 0, 4 * PG, RW, MAP_SHARED, fd, 0);
	ASSERT_CMP(r, >, 0);
	s = (unsigned long)r;
	ASSERT_EQ(vmsim_write(e.m, e.pid, s + 3 * PG, "abcdefgh", 8), 0);
	ASSERT_EQ(vmsim_ftruncate(e.m, e.pid, fd, PG), 0);
	ASSERT_EQ(vmsim_ftruncate(e.m, e.pid, fd, 4 * PG), 0);
	/* the old bytes are gone with the truncate: the page reads zero now */
	ASSERT_EQ(vmsim_read(e.m, e.pid, s + 3 * PG, got, 8), 0);
	ASSERT(!memcmp(got, zero, 8));
	child = vmsim_fork(e.m, e.pid);
	ASSERT_EQ(vmsim_ftruncate(e.m, e.pid, fd, 0), 0);
	ASSERT_EQ(vmsim_read(e.m, child, s, got, 8), VMSIM_KILLED);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	ASSERT(i_mmap_is_valid(e.m));
	fs_env_down(&e);
}

/*
 * Stress: one CPU truncates the file down and up again and again while the
 * other forks children of a process mapping it (dup_mmap links, exit
 * unlinks), faults its pages in within the part that always survives, and
 * reads them.  The lists stay exact and no byte before the end changes.
 */
struct trunc_arg {
	struct machine *m;
	int pid, fd, failures;
	unsigned long map;
	atomic_int *stop;
};

static void *trunc_worker(void *arg)
{
	struct trunc_arg *a = arg;

	vmsim_cpu_attach(a->m, 1);
	for (int i = 0; i < 300; i++) {
		if (vmsim_ftruncate(a->m, a->pid, a->fd, (i & 1) ? 8 * PG : 2 * PG))
			a->failures++;
	}
	atomic_store(a->stop, 1);
	vmsim_cpu_detach();
	return NULL;
}

TEST(i_mmap_stress_truncate_vs_fork)
{
	struct fs_env e;
	struct trunc_arg ta;
	atomic_int stop = 0;
	uint8_t want[8 * PG], got[16];
	pthread_t th;
	int fd, tpid, tfd, iters = 0, failures = 0;
	long r;

	fs_env_up(&e, "ram=64M cpus=2");
	fd = open_file(&e, "s", 8 * PG, 4);
	fill_pattern(want, sizeof(want), 4);
	r = vmsim_mmap(e.m, e.pid, 0, 8 * PG, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_CMP(r, >, 0);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, 0, 8 * PG, PROT_READ, MAP_PRIVATE, fd, 0) > 0, 1);
	/* the truncating process maps it too */
	tpid = vmsim_spawn(e.m);
	tfd = vmsim_open(e.m, tpid, "/s", O_RDWR, 0);
	ASSERT_CMP(tfd, >=, 0);
	ASSERT_CMP(vmsim_mmap(e.m, tpid, 0, 8 * PG, PROT_READ, MAP_SHARED, tfd, 0), >, 0);
	ta = (struct trunc_arg){ e.m, tpid, tfd, 0, 0, &stop };
	ASSERT_EQ(pthread_create(&th, NULL, trunc_worker, &ta), 0);
	while (!atomic_load(&stop) || iters < 20) {
		int c = vmsim_fork(e.m, e.pid);

		if (c <= 0) {
			failures++;
			break;
		}
		for (unsigned long i = 0; i < 2; i++)
			if (vmsim_read(e.m, c, (unsigned long)r + i * PG + 8, got, 16) ||
			    memcmp(got, want + i * PG + 8, 16))
				failures++;
		if (vmsim_exit(e.m, c))
			failures++;
		iters++;
	}
	pthread_join(th, NULL);
	ASSERT_EQ(failures, 0);
	ASSERT_EQ(ta.failures, 0);
	ASSERT(i_mmap_is_valid(e.m));
	ASSERT_COUNTS(e.m, e.pid, (unsigned long)r, 1, 2);
	ASSERT_EQ(vmsim_exit(e.m, tpid), 0);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	fs_env_down(&e);
}

/*
 * Stress: one CPU truncates the file down and up while the other moves a
 * mapping of it back and forth with mremap (truncate_count recheck) and
 * faults its pages in through kernel-mode copies (pwrite from the
 * mapping: past the end they fail with EFAULT, no signal).  Once the file
 * stays short, no page past its end may still be mapped anywhere.
 */
static void *trunc_worker2(void *arg)
{
	struct trunc_arg *a = arg;

	vmsim_cpu_attach(a->m, 1);
	for (int i = 0; i < 400; i++)
		if (vmsim_ftruncate(a->m, a->pid, a->fd, (i & 1) ? 2 * PG : 8 * PG))
			a->failures++;
	atomic_store(a->stop, 1);
	vmsim_cpu_detach();
	return NULL;
}

TEST(i_mmap_stress_truncate_vs_mremap)
{
	struct fs_env e;
	struct trunc_arg ta;
	atomic_int stop = 0;
	unsigned long map, other;
	pthread_t th;
	int fd, scratch, tpid, tfd, iters = 0, failures = 0;
	long r;

	fs_env_up(&e, "ram=64M cpus=2");
	fd = open_file(&e, "r", 8 * PG, 6);
	scratch = vmsim_open(e.m, e.pid, "/scratch", O_RDWR | O_CREAT, 0600);
	ASSERT_CMP(scratch, >=, 0);
	r = vmsim_mmap(e.m, e.pid, 0, 8 * PG, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_CMP(r, >, 0);
	map = (unsigned long)r;
	other = map - 32 * PG;
	tpid = vmsim_spawn(e.m);
	tfd = vmsim_open(e.m, tpid, "/r", O_RDWR, 0);
	ASSERT_CMP(tfd, >=, 0);
	ta = (struct trunc_arg){ e.m, tpid, tfd, 0, 0, &stop };
	ASSERT_EQ(pthread_create(&th, NULL, trunc_worker2, &ta), 0);
	while (!atomic_load(&stop) || iters < 20) {
		for (unsigned long k = 0; k < 8; k++) {
			long w = vmsim_pwrite(e.m, e.pid, scratch, map + k * PG, 8, 0);

			if (w != 8 && (k < 2 || w != -EFAULT))
				failures++;
		}
		r = vmsim_mremap(e.m, e.pid, map, 8 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
				 other);
		if (r != (long)other) {
			failures++;
			break;
		}
		other = map;
		map = (unsigned long)r;
		iters++;
	}
	pthread_join(th, NULL);
	ASSERT_EQ(failures, 0);
	ASSERT_EQ(ta.failures, 0);
	/* the file ends after 2 pages: nothing past it is mapped */
	for (unsigned long k = 2; k < 8; k++)
		ASSERT_EQ(vmsim_pwrite(e.m, e.pid, scratch, map + k * PG, 8, 0), -EFAULT);
	ASSERT_EQ(vmsim_pwrite(e.m, e.pid, scratch, map + PG, 8, 0), 8);
	ASSERT_EQ(global_page_state(e.m, NR_FILE_PAGES), 2 + 1 /* scratch */);
	ASSERT(i_mmap_is_valid(e.m));
	ASSERT_COUNTS(e.m, e.pid, map, 0, 1);
	ASSERT_EQ(vmsim_exit(e.m, tpid), 0);
	fs_env_down(&e);
}

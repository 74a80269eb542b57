/*
 * A fault racing a truncate (mm/memory.c do_no_page): nopage may find a
 * page that truncate is about to drop, and the fault must not map it once
 * truncate has zapped the range (truncate_count moved: the fault retries).
 * A page mapped that way would outlive the file's page cache: after the
 * file grows again and is rewritten, the mapping would still show the
 * old bytes.  The stress test runs under TSan too.
 */
#include <pthread.h>
#include "unit/fs_testutil.h"
#include "kern/memory.h"

#define PG	4096UL
#define NPAGES	8
#define KEEP	2		/* pages that survive every truncate */
#define ROUNDS	300

struct grower {
	struct machine *m;
	int pid, fd;
	unsigned long buf;	/* 8 bytes of user memory in pid */
	atomic_int done;
	int failures;
};

/* CPU 1: truncate the file to KEEP pages, grow it back, stamp each page. */
static void *grow_and_shrink(void *arg)
{
	struct grower *g = arg;

	vmsim_cpu_attach(g->m, 1);
	for (uint64_t gen = 1; gen <= ROUNDS; gen++) {
		if (vmsim_ftruncate(g->m, g->pid, g->fd, KEEP * PG) ||
		    vmsim_ftruncate(g->m, g->pid, g->fd, NPAGES * PG) ||
		    vmsim_store64(g->m, g->pid, g->buf, gen))
			g->failures++;
		for (unsigned long k = KEEP; k < NPAGES; k++)
			if (vmsim_pwrite(g->m, g->pid, g->fd, g->buf, 8, (int64_t)(k * PG)) != 8)
				g->failures++;
	}
	atomic_store(&g->done, 1);
	vmsim_cpu_detach();
	return NULL;
}

/* The first 8 bytes of page @k of the mapping, as the kernel reads them. */
static long read_through_map(struct fs_env *e, int scratch, unsigned long map, unsigned long k,
			     uint64_t *v)
{
	long r = vmsim_pwrite(e->m, e->pid, scratch, map + k * PG, 8, 0);

	if (r != 8)
		return r;
	if (vmsim_pread(e->m, e->pid, scratch, e->ubuf, 8, 0) != 8 ||
	    vmsim_load64(e->m, e->pid, e->ubuf, v))
		return -EIO;
	return 8;
}

/* The hook: truncate the file to KEEP pages right after nopage found its page. */
static void truncate_in_window(struct vm_area_struct *vma, unsigned long address)
{
	struct inode *inode = vma->vm_file->f_inode;

	vma->vm_mm->machine->debug_after_nopage = NULL;	/* once */
	ASSERT_EQ(vmtruncate(inode, KEEP * PG), 0);
}

/*
 * The window made certain: a fault on page 5 finds it, then the file is
 * truncated to 2 pages before the fault takes page_table_lock again.  The
 * fault must not map the page: the kernel-mode copy through it fails with
 * EFAULT (the retried fault is SIGBUS past EOF), and nothing is mapped.
 */
TEST(memory_fault_retries_after_truncate_in_its_window)
{
	static uint8_t data[NPAGES * PG];
	struct fs_env e;
	unsigned long map;
	int fd, scratch;
	uint64_t v;
	long r;

	/* no fault-around: the read of page 1 would map page 5 already */
	fs_env_up(&e, "ram=64M fault_around_bytes=0");
	memset(data, 0x77, sizeof(data));
	fs_host_write(&e, "f", data, sizeof(data));
	fd = vmsim_open(e.m, e.pid, "/f", O_RDWR, 0);
	scratch = vmsim_open(e.m, e.pid, "/scratch", O_RDWR | O_CREAT, 0600);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_CMP(scratch, >=, 0);
	r = vmsim_mmap(e.m, e.pid, 0, NPAGES * PG, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_CMP(r, >, 0);
	map = (unsigned long)r;
	ASSERT_EQ(read_through_map(&e, scratch, map, 1, &v), 8);
	ASSERT_EQ(v, 0x7777777777777777ULL);

	e.m->debug_after_nopage = truncate_in_window;
	ASSERT_EQ(read_through_map(&e, scratch, map, 5, &v), -EFAULT);
	ASSERT_NULL(e.m->debug_after_nopage);	/* the window was reached */
	ASSERT_EQ(vmsim_mincore(e.m, e.pid, map + 5 * PG, PG, (unsigned char *)&v), 0);
	ASSERT_EQ(v & 1, 0);			/* the page left the page cache */
	/* grown again: page 5 reads as the file's new (zero) bytes, not the old page */
	ASSERT_EQ(vmsim_ftruncate(e.m, e.pid, fd, NPAGES * PG), 0);
	ASSERT_EQ(read_through_map(&e, scratch, map, 5, &v), 8);
	ASSERT_EQ(v, 0);
	ASSERT_EQ(read_through_map(&e, scratch, map, 1, &v), 8);
	ASSERT_EQ(v, 0x7777777777777777ULL);
	fs_env_down(&e);
}

TEST(memory_stress_fault_vs_truncate)
{
	static uint8_t zero[NPAGES * PG];
	struct fs_env e;
	struct grower g;
	pthread_t th;
	unsigned long map;
	int fd, scratch, tpid, faults = 0;
	long r;

	fs_env_up(&e, "ram=64M cpus=2");
	fs_host_write(&e, "f", zero, sizeof(zero));
	fd = vmsim_open(e.m, e.pid, "/f", O_RDWR, 0);
	scratch = vmsim_open(e.m, e.pid, "/scratch", O_RDWR | O_CREAT, 0600);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_CMP(scratch, >=, 0);
	r = vmsim_mmap(e.m, e.pid, 0, NPAGES * PG, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_CMP(r, >, 0);
	map = (unsigned long)r;

	memset(&g, 0, sizeof(g));
	g.m = e.m;
	tpid = g.pid = vmsim_spawn(e.m);
	g.fd = vmsim_open(e.m, tpid, "/f", O_RDWR, 0);
	ASSERT_CMP(g.fd, >=, 0);
	r = vmsim_mmap(e.m, tpid, 0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	ASSERT_CMP(r, >, 0);
	g.buf = (unsigned long)r;
	ASSERT_EQ(pthread_create(&th, NULL, grow_and_shrink, &g), 0);

	/* CPU 0: fault the pages past KEEP in, over and over, as they come and go */
	while (!atomic_load(&g.done)) {
		for (unsigned long k = KEEP; k < NPAGES; k++) {
			uint64_t v;

			r = read_through_map(&e, scratch, map, k, &v);
			if (r == -EFAULT)
				continue;	/* past EOF just now */
			ASSERT_EQ(r, 8);
			faults++;
		}
	}
	pthread_join(th, NULL);
	ASSERT_EQ(g.failures, 0);
	ASSERT_CMP(faults, >, 0);

	/* every page of the mapping shows the last stamp, none an older page */
	for (unsigned long k = KEEP; k < NPAGES; k++) {
		uint64_t v = 0;

		ASSERT_EQ(read_through_map(&e, scratch, map, k, &v), 8);
		ASSERT_MSG(v == ROUNDS, "page %lu of the mapping shows stamp %llu, the file %d", k,
			   (unsigned long long)v, ROUNDS);
	}
	ASSERT_EQ(vmsim_exit(e.m, tpid), 0);
	fs_env_down(&e);
}

/*
 * Flags changing under truncate: one CPU truncates the file down and up
 * while the other mprotects, mlocks and madvises its mapping back and
 * forth (splitting and merging the VMA).  Truncate reads the flags of
 * every mapping without mmap_sem, under page_table_lock, which is where
 * vma_set_flags changes them (TSan checks it).
 */
struct flipper {
	struct machine *m;
	int pid, fd, failures;
	atomic_int done;
};

static void *truncate_up_and_down(void *arg)
{
	struct flipper *f = arg;

	vmsim_cpu_attach(f->m, 1);
	for (int i = 0; i < 200; i++)
		if (vmsim_ftruncate(f->m, f->pid, f->fd, (i & 1) ? NPAGES * PG : KEEP * PG))
			f->failures++;
	atomic_store(&f->done, 1);
	vmsim_cpu_detach();
	return NULL;
}

TEST(memory_stress_flags_vs_truncate)
{
	static uint8_t data[NPAGES * PG];
	struct fs_env e;
	struct flipper f;
	pthread_t th;
	unsigned long map;
	int fd, rounds = 0;
	long r;

	fs_env_up(&e, "ram=64M cpus=2");
	fs_host_write(&e, "f", data, sizeof(data));
	fd = vmsim_open(e.m, e.pid, "/f", O_RDWR, 0);
	ASSERT_CMP(fd, >=, 0);
	r = vmsim_mmap(e.m, e.pid, 0, NPAGES * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_CMP(r, >, 0);
	map = (unsigned long)r;
	memset(&f, 0, sizeof(f));
	f.m = e.m;
	f.pid = vmsim_spawn(e.m);
	f.fd = vmsim_open(e.m, f.pid, "/f", O_RDWR, 0);
	ASSERT_CMP(f.fd, >=, 0);
	ASSERT_EQ(pthread_create(&th, NULL, truncate_up_and_down, &f), 0);
	while (!atomic_load(&f.done) || rounds < 20) {
		unsigned long mid = map + PG;

		ASSERT_EQ(vmsim_mprotect(e.m, e.pid, mid, PG, PROT_READ | PROT_WRITE), 0);
		/* within the part that survives: mlock faults its pages in */
		ASSERT_EQ(vmsim_mlock(e.m, e.pid, mid, PG), 0);
		ASSERT_EQ(vmsim_madvise(e.m, e.pid, map, NPAGES * PG, MADV_RANDOM), 0);
		ASSERT_EQ(vmsim_munlock(e.m, e.pid, mid, PG), 0);
		/* map the pages truncate zaps: past EOF just now, mlock is ENOMEM */
		r = vmsim_mlock(e.m, e.pid, map + KEEP * PG, (NPAGES - KEEP) * PG);
		ASSERT_MSG(r == 0 || r == -ENOMEM, "mlock past KEEP: %ld", r);
		ASSERT_EQ(vmsim_munlock(e.m, e.pid, map + KEEP * PG, (NPAGES - KEEP) * PG), 0);
		ASSERT_EQ(vmsim_madvise(e.m, e.pid, map, NPAGES * PG, MADV_NORMAL), 0);
		ASSERT_EQ(vmsim_mprotect(e.m, e.pid, mid, PG, PROT_READ), 0);
		rounds++;
	}
	pthread_join(th, NULL);
	ASSERT_EQ(f.failures, 0);
	ASSERT_EQ(vmsim_exit(e.m, f.pid), 0);
	fs_env_down(&e);
}

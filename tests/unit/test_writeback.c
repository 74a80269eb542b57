/*
 * Dirty page writeback control (mm/page-writeback.c): writers over
 * dirty_ratio write back pages themselves, oldest first, and Dirty never
 * exceeds the limit by more than a ratelimit batch; background writeout
 * brings Dirty below the background threshold at the next scheduling
 * point; the periodic pass writes pages older than dirty_expire by the
 * virtual clock, and not before; the bytes reach the host file; counts
 * are exact (nr_dirty = dirty-tagged pages, nr_dirtied = nr_written +
 * nr_dirty).
 */
#include <string.h>
#include "fs_testutil.h"
#include "kern/writeback.h"
#include "kern/seq_buf.h"
#include "vmsim/vmsim.h"

#define NCHUNK	(UBUF_SIZE / PAGE_SIZE)

/* Dirty-tagged pages of @mapping, counted by walking the tree. */
static unsigned long tagged_pages(struct address_space *mapping)
{
	struct page *pages[16];
	unsigned long index = 0, n = 0;
	unsigned int got;

	spin_lock(&mapping->tree_lock);
	while ((got = radix_tree_gang_lookup_tag(&mapping->page_tree, (void **)pages, index, 16,
						 PAGECACHE_TAG_DIRTY))) {
		for (unsigned int i = 0; i < got; i++) {
			ASSERT(PageDirty(pages[i]));
			index = pages[i]->index + 1;
		}
		n += got;
	}
	spin_unlock(&mapping->tree_lock);
	return n;
}

/* ubuf page i holds fill_pattern(seed i); file page p gets ubuf page p % NCHUNK */
static void fill_ubuf(struct fs_env *e)
{
	uint8_t *b = malloc(UBUF_SIZE);

	ASSERT_NOT_NULL(b);
	for (unsigned long i = 0; i < NCHUNK; i++)
		fill_pattern(b + i * PAGE_SIZE, PAGE_SIZE, (unsigned int)i + 1);
	ASSERT_EQ(vmsim_write(e->m, e->pid, e->ubuf, b, UBUF_SIZE), 0);
	free(b);
}

/* The host file's page @p holds the pattern written there. */
static bool host_page_ok(struct fs_env *e, const char *name, unsigned long p)
{
	char path[256];
	uint8_t got[PAGE_SIZE], want[PAGE_SIZE];
	int fd;
	bool ok;

	fs_host_path(e, name, path, sizeof(path));
	fd = open(path, O_RDONLY);
	ASSERT_CMP(fd, >=, 0);
	ok = pread(fd, got, PAGE_SIZE, (off_t)(p * PAGE_SIZE)) == (ssize_t)PAGE_SIZE;
	close(fd);
	fill_pattern(want, PAGE_SIZE, (unsigned int)(p % NCHUNK) + 1);
	return ok && !memcmp(got, want, PAGE_SIZE);
}

/* Run in @pid's context without a scheduling point in between. */
struct in_task {
	struct task_struct *t;
	struct sim_cpu *saved;
};

static void enter_task(struct fs_env *e, struct in_task *it)
{
	bool dead;

	it->t = find_get_task(e->m, e->pid);
	ASSERT_NOT_NULL(it->t);
	it->saved = task_enter(e->m, it->t, &dead);
	ASSERT(!dead);
}

/* task_leave is a scheduling point: pdflush work runs there */
static void leave_task(struct in_task *it)
{
	task_leave(it->t, it->saved);
	put_task_struct(it->t);
}

static unsigned long nr_dirty(struct machine *m)
{
	return global_page_state(m, NR_FILE_DIRTY);
}

TEST(writeback_throttle_writer_over_dirty_ratio)
{
	struct fs_env e;
	struct in_task it;
	struct machine *m;
	unsigned long bg, limit, max_over = 0, npages, throttled_before;
	struct file *f;
	int fd;

	fs_env_up(&e, "ram=32M");
	m = e.m;
	fill_ubuf(&e);
	fd = vmsim_open(m, e.pid, "big", O_RDWR | O_CREAT, 0644);
	ASSERT_CMP(fd, >=, 0);
	get_dirty_limits(m, &bg, &limit);
	ASSERT_CMP(limit, >, 1000);
	npages = limit * 3 / 2;
	throttled_before = sum_vm_event(m, WB_THROTTLE_PAGES);

	enter_task(&e, &it);
	f = fget((unsigned int)fd);
	ASSERT_NOT_NULL(f);
	for (unsigned long p = 0; p < npages; p++) {
		unsigned long d;

		ASSERT_EQ(sys_pwrite64((unsigned int)fd, e.ubuf + (p % NCHUNK) * PAGE_SIZE, PAGE_SIZE,
				       (loff_t)(p * PAGE_SIZE)), (long)PAGE_SIZE);
		get_dirty_limits(m, &bg, &limit);
		d = nr_dirty(m) + global_page_state(m, NR_WRITEBACK);
		if (d > limit && d - limit > max_over)
			max_over = d - limit;
		/* never more than one ratelimit batch over the limit */
		ASSERT_CMP(d, <=, limit + m->writeback->ratelimit_pages);
	}
	/* the writer paid: it wrote pages itself, and Dirty is back at the limit */
	ASSERT_CMP(sum_vm_event(m, WB_THROTTLE), >, 0);
	ASSERT_CMP(sum_vm_event(m, WB_THROTTLE_PAGES) - throttled_before, >, 0);
	ASSERT_CMP(max_over, <=, m->writeback->ratelimit_pages);
	ASSERT_CMP(nr_dirty(m), <=, limit + m->writeback->ratelimit_pages);
	/* exact: the counter is the tagged pages, the tagged pages are PG_dirty */
	ASSERT_EQ(nr_dirty(m), tagged_pages(f->f_mapping));
	ASSERT_EQ(global_page_state(m, NR_WRITEBACK), 0);
	/* oldest first: page 0 went to the host file, the last page is still dirty */
	ASSERT(host_page_ok(&e, "big", 0));
	{
		struct page *last = find_get_page(f->f_mapping, npages - 1);

		ASSERT_NOT_NULL(last);
		ASSERT(PageDirty(last));
		put_page(last);
	}
	fput(f);
	leave_task(&it);

	/* the scheduling point ran background writeout: below the background threshold */
	get_dirty_limits(m, &bg, &limit);
	ASSERT_CMP(nr_dirty(m), <, bg);
	ASSERT_CMP(sum_vm_event(m, WB_BACKGROUND_PAGES), >, 0);
	ASSERT_EQ(vmsim_fsync(m, e.pid, fd), 0);
	ASSERT_EQ(nr_dirty(m), 0);
	ASSERT_EQ(sum_vm_event(m, NR_DIRTIED), sum_vm_event(m, NR_WRITTEN));
	for (unsigned long p = 0; p < npages; p += 97)
		ASSERT(host_page_ok(&e, "big", p));
	ASSERT_EQ(vmsim_close(m, e.pid, fd), 0);
	fs_env_down(&e);
}

TEST(writeback_background_below_threshold)
{
	struct fs_env e;
	struct in_task it;
	struct machine *m;
	unsigned long bg, limit, npages, before, after, bg_pages;
	struct file *f;
	struct page *page;
	int fd;

	fs_env_up(&e, "ram=32M dirty_background_ratio=10 dirty_ratio=40");
	m = e.m;
	fill_ubuf(&e);
	fd = vmsim_open(m, e.pid, "bg", O_RDWR | O_CREAT, 0644);
	ASSERT_CMP(fd, >=, 0);
	get_dirty_limits(m, &bg, &limit);
	/* between the two thresholds: no throttling, background writeout woken */
	npages = (bg + limit) / 2;

	enter_task(&e, &it);
	f = fget((unsigned int)fd);
	ASSERT_NOT_NULL(f);
	for (unsigned long p = 0; p < npages; p++)
		ASSERT_EQ(sys_pwrite64((unsigned int)fd, e.ubuf + (p % NCHUNK) * PAGE_SIZE,
				       PAGE_SIZE, (loff_t)(p * PAGE_SIZE)), (long)PAGE_SIZE);
	before = nr_dirty(m);
	ASSERT_EQ(before, npages);
	ASSERT_CMP(before, >, bg);
	ASSERT_EQ(sum_vm_event(m, WB_THROTTLE), 0);
	ASSERT_EQ(sum_vm_event(m, WB_BACKGROUND_PAGES), 0);	/* nothing runs inside a task */
	leave_task(&it);

	get_dirty_limits(m, &bg, &limit);
	after = nr_dirty(m);
	bg_pages = sum_vm_event(m, WB_BACKGROUND_PAGES);
	ASSERT_CMP(after, <, bg);
	ASSERT_CMP(after + 8, >=, bg);		/* it stopped just below, not at zero */
	ASSERT_EQ(bg_pages, before - after);
	ASSERT_EQ(after, tagged_pages(f->f_mapping));
	/* oldest first (ties in index order): the first pages are clean and on the host */
	page = find_get_page(f->f_mapping, 0);
	ASSERT_NOT_NULL(page);
	ASSERT(!PageDirty(page));
	put_page(page);
	page = find_get_page(f->f_mapping, npages - 1);
	ASSERT_NOT_NULL(page);
	ASSERT(PageDirty(page));
	put_page(page);
	for (unsigned long p = 0; p < bg_pages; p += 31)
		ASSERT(host_page_ok(&e, "bg", p));
	{
		char *mi = vmsim_proc_read(m, "meminfo"), want[64];

		ASSERT_NOT_NULL(mi);
		snprintf(want, sizeof(want), "%-16s%8lu kB", "Dirty:", after * 4);
		ASSERT_MSG(strstr(mi, want), "meminfo lacks '%s'", want);
		free(mi);
	}
	fput(f);
	ASSERT_EQ(vmsim_close(m, e.pid, fd), 0);	/* the last close writes the rest */
	ASSERT_EQ(nr_dirty(m), 0);
	ASSERT_EQ(sum_vm_event(m, NR_DIRTIED), sum_vm_event(m, NR_WRITTEN));
	fs_env_down(&e);
}

/* A scheduling point with nothing else going on. */
static void sched_point(struct fs_env *e)
{
	struct in_task it;

	enter_task(e, &it);
	leave_task(&it);
}

TEST(writeback_kupdate_writes_expired_pages_only)
{
	struct fs_env e;
	struct machine *m;
	unsigned long j0, kupdate0;
	struct file *f;
	struct in_task it;
	int fd;

	fs_env_up(&e, "ram=32M dirty_expire_centisecs=3000 dirty_writeback_centisecs=500");
	m = e.m;
	fill_ubuf(&e);
	fd = vmsim_open(m, e.pid, "old", O_RDWR | O_CREAT, 0644);
	ASSERT_CMP(fd, >=, 0);
	/* page 0 dirtied at j0, page 1 two thousand jiffies (20 s) later */
	j0 = atomic_load(&m->hw.jiffies);
	ASSERT_EQ(vmsim_pwrite(m, e.pid, fd, e.ubuf, PAGE_SIZE, 0), (long)PAGE_SIZE);
	atomic_fetch_add(&m->hw.jiffies, 2000);		/* virtual time passes */
	ASSERT_EQ(vmsim_pwrite(m, e.pid, fd, e.ubuf + PAGE_SIZE, PAGE_SIZE, PAGE_SIZE),
		  (long)PAGE_SIZE);
	ASSERT_EQ(nr_dirty(m), 2);
	kupdate0 = sum_vm_event(m, WB_KUPDATE_PAGES);

	/* 29.99 s: passes run (every 5 s) but nothing is old enough */
	atomic_store(&m->hw.jiffies, j0 + 2999);
	sched_point(&e);
	ASSERT_EQ(nr_dirty(m), 2);
	ASSERT_EQ(sum_vm_event(m, WB_KUPDATE_PAGES), kupdate0);
	ASSERT(!host_page_ok(&e, "old", 0));

	/* 35 s: page 0 has expired and the next pass is due; page 1 is 15 s old */
	atomic_store(&m->hw.jiffies, j0 + 3500);
	sched_point(&e);
	ASSERT_EQ(nr_dirty(m), 1);
	ASSERT_EQ(sum_vm_event(m, WB_KUPDATE_PAGES), kupdate0 + 1);
	ASSERT(host_page_ok(&e, "old", 0));
	ASSERT(!host_page_ok(&e, "old", 1));
	enter_task(&e, &it);
	f = fget((unsigned int)fd);
	ASSERT_NOT_NULL(f);
	ASSERT_EQ(tagged_pages(f->f_mapping), 1);
	fput(f);
	leave_task(&it);

	/* 55 s: page 1 (dirtied at 20 s) expired at 50 s */
	atomic_store(&m->hw.jiffies, j0 + 5500);
	sched_point(&e);
	ASSERT_EQ(nr_dirty(m), 0);
	ASSERT_EQ(sum_vm_event(m, WB_KUPDATE_PAGES), kupdate0 + 2);
	ASSERT(host_page_ok(&e, "old", 1));
	ASSERT_EQ(sum_vm_event(m, NR_DIRTIED), sum_vm_event(m, NR_WRITTEN));
	ASSERT_EQ(vmsim_close(m, e.pid, fd), 0);
	fs_env_down(&e);
}

TEST(writeback_kupdate_off_when_interval_zero)
{
	struct fs_env e;
	struct machine *m;
	int fd;

	fs_env_up(&e, "ram=32M dirty_writeback_centisecs=0");
	m = e.m;
	fill_ubuf(&e);
	fd = vmsim_open(m, e.pid, "keep", O_RDWR | O_CREAT, 0644);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(vmsim_pwrite(m, e.pid, fd, e.ubuf, PAGE_SIZE, 0), (long)PAGE_SIZE);
	atomic_fetch_add(&m->hw.jiffies, 1000000);
	sched_point(&e);
	ASSERT_EQ(nr_dirty(m), 1);
	ASSERT_EQ(sum_vm_event(m, WB_KUPDATE_PAGES), 0);
	ASSERT_EQ(vmsim_fsync(m, e.pid, fd), 0);
	ASSERT_EQ(nr_dirty(m), 0);
	ASSERT(host_page_ok(&e, "keep", 0));
	ASSERT_EQ(vmsim_close(m, e.pid, fd), 0);
	fs_env_down(&e);
}

/* Pages dirtied through a shared mapping and msync count against the writer too. */
TEST(writeback_msync_dirty_pages_are_accounted)
{
	struct fs_env e;
	struct machine *m;
	unsigned long n = 64, dirtied0;
	long addr;
	int fd;

	fs_env_up(&e, "ram=32M");
	m = e.m;
	fill_ubuf(&e);
	fd = vmsim_open(m, e.pid, "map", O_RDWR | O_CREAT, 0644);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(vmsim_ftruncate(m, e.pid, fd, (int64_t)(n * PAGE_SIZE)), 0);
	addr = vmsim_mmap(m, e.pid, 0, n * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_CMP(addr, >, 0);
	dirtied0 = sum_vm_event(m, NR_DIRTIED);
	for (unsigned long p = 0; p < n; p++)
		ASSERT_EQ(vmsim_store64(m, e.pid, (unsigned long)addr + p * PAGE_SIZE, p + 1), 0);
	ASSERT_EQ(nr_dirty(m), 0);	/* the dirty bits are still in the PTEs */
	ASSERT_EQ(vmsim_msync(m, e.pid, (unsigned long)addr, n * PAGE_SIZE, MS_ASYNC), 0);
	ASSERT_EQ(sum_vm_event(m, NR_DIRTIED) - dirtied0, n);
	ASSERT_EQ(nr_dirty(m) + sum_vm_event(m, NR_WRITTEN), sum_vm_event(m, NR_DIRTIED));
	ASSERT_EQ(vmsim_munmap(m, e.pid, (unsigned long)addr, n * PAGE_SIZE), 0);
	ASSERT_EQ(vmsim_close(m, e.pid, fd), 0);
	ASSERT_EQ(nr_dirty(m), 0);
	ASSERT_EQ(sum_vm_event(m, NR_DIRTIED), sum_vm_event(m, NR_WRITTEN));
	fs_env_down(&e);
}

TEST(writeback_sysctl_options)
{
	struct vmsim_config cfg;
	char err[160], *s;
	struct machine *m;
	unsigned long bg, limit;

	vmsim_config_default(&cfg);
	ASSERT_EQ(cfg.dirty_background_ratio, 10);
	ASSERT_EQ(cfg.dirty_ratio, 40);
	ASSERT_EQ(cfg.dirty_expire_centisecs, 3000u);
	ASSERT_EQ(cfg.dirty_writeback_centisecs, 500u);
	ASSERT_EQ(vmsim_config_set(&cfg, "dirty_ratio", "101", err, sizeof(err)), -1);
	ASSERT(strstr(err, "dirty_ratio"));
	ASSERT_EQ(vmsim_config_set(&cfg, "dirty_background_ratio", "x", err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_config_set(&cfg, "page_cluster", "7", err, sizeof(err)), -1);

	m = test_boot("ram=32M dirty_ratio=20 dirty_background_ratio=5 dirty_expire_centisecs=100 "
		      "dirty_writeback_centisecs=50");
	s = vmsim_proc_read(m, "sys/vm");
	ASSERT_NOT_NULL(s);
	ASSERT(strstr(s, "vm.dirty_background_ratio = 5\n"));
	ASSERT(strstr(s, "vm.dirty_ratio = 20\n"));
	ASSERT(strstr(s, "vm.dirty_expire_centisecs = 100\n"));
	ASSERT(strstr(s, "vm.dirty_writeback_centisecs = 50\n"));
	ASSERT(strstr(s, "vm.page-cluster = 3\n"));
	free(s);
	get_dirty_limits(m, &bg, &limit);
	/* 5% and 20% of the same memory (each rounded down) */
	ASSERT_CMP(bg * 4, <=, limit);
	ASSERT_CMP(bg * 4 + 4, >, limit);
	test_shutdown(m);

	/* a background ratio not below dirty_ratio is half of it, as 2.6 */
	m = test_boot("ram=32M dirty_ratio=20 dirty_background_ratio=30");
	get_dirty_limits(m, &bg, &limit);
	ASSERT_CMP(bg * 2, <=, limit);
	ASSERT_CMP(bg * 2 + 2, >, limit);
	test_shutdown(m);
}

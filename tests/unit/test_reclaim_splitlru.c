/*
 * The split-LRU policy (mm/reclaim_splitlru.c) on crafted workloads whose
 * outcome its design fixes: a stream of file pages read once does not
 * push out an anonymous working set (FIFO's arrival order does);
 * swappiness 0 swaps nothing while file pages can go; file pages evicted
 * fewer evictions ago than the active list holds are activated when they
 * refault, where a loop larger than memory refaults without activation.  Exact accounting
 * after each run (lists, reverse map, every page back at shutdown).
 */
#include "fs_testutil.h"
#include "swaptest.h"
#include "kern/swap.h"
#include "kern/rmap.h"

#define ANON_PAGES	1536UL		/* 6 MiB of a 16 MiB machine */
#define CHUNK		(256UL * 1024)

/* A /proc/vmstat line's value (0 if absent). */
static uint64_t vmstat_line(struct machine *m, const char *key)
{
	char *text = vmsim_proc_read(m, "vmstat"), *p;
	uint64_t v = 0;
	size_t len = strlen(key);

	ASSERT_NOT_NULL(text);
	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, len) && p[len] == ' ')
			v = strtoull(p + len + 1, NULL, 10);
	free(text);
	return v;
}

/*
 * Read file @name (@bytes long) through the user buffer, @times times.
 * The file stays open when @keep (its page cache goes with its last close).
 */
static void read_file(struct fs_env *e, const char *name, unsigned long bytes, int times,
		      bool keep)
{
	int fd = vmsim_open(e->m, e->pid, name, 0, 0);

	ASSERT_CMP(fd, >=, 0);
	for (int t = 0; t < times; t++)
		for (unsigned long off = 0; off < bytes; off += CHUNK)
			ASSERT_EQ(vmsim_pread(e->m, e->pid, fd, e->ubuf, CHUNK, off), (long)CHUNK);
	if (!keep)
		ASSERT_EQ(vmsim_close(e->m, e->pid, fd), 0);
}

static void make_file(struct fs_env *e, const char *name, unsigned long bytes)
{
	uint8_t *b = malloc(bytes);

	ASSERT_NOT_NULL(b);
	fill_pattern(b, bytes, 3);
	fs_host_write(e, name, b, bytes);
	free(b);
}

static void check_and_down(struct fs_env *e)
{
	vmsim_cpu_attach(e->m, 0);
	ASSERT(lru_is_valid(e->m));
	ASSERT(rmap_is_valid(e->m));
	ASSERT_EQ(vmsim_exit(e->m, e->pid), 0);
	e->pid = 0;
	swap_all_free(e->m);
	fs_env_down(e);
}

/*
 * An anonymous working set read three times, then a 24 MiB file streamed
 * once: the anonymous pages still resident (of ANON_PAGES), swap-outs in
 * *@swapped.
 */
static unsigned long anon_kept(const char *opts, unsigned long *swapped)
{
	struct fs_env e;
	unsigned char *vec = malloc(ANON_PAGES);
	unsigned long kept = 0;
	long a;

	fs_env_up(&e, opts);
	make_file(&e, "stream", 24UL << 20);
	a = vmsim_mmap(e.m, e.pid, 0, ANON_PAGES * PAGE_SIZE, RW, ANON, -1, 0);
	ASSERT(a > 0 && vec);
	pattern_write(e.m, e.pid, (unsigned long)a, ANON_PAGES, 4);
	for (int r = 0; r < 3; r++)
		ASSERT_EQ(pattern_check(e.m, e.pid, (unsigned long)a, ANON_PAGES, 4), 0);
	read_file(&e, "stream", 24UL << 20, 1, false);
	ASSERT_EQ(vmsim_mincore(e.m, e.pid, (unsigned long)a, ANON_PAGES * PAGE_SIZE, vec), 0);
	for (unsigned long i = 0; i < ANON_PAGES; i++)
		kept += vec[i] & 1;
	*swapped = sum_vm_event(e.m, PSWPOUT);
	ASSERT_EQ(pattern_check(e.m, e.pid, (unsigned long)a, ANON_PAGES, 4), 0);
	free(vec);
	check_and_down(&e);
	return kept;
}

TEST(reclaim_splitlru_streaming_spares_anon_working_set)
{
	unsigned long swapped, kept;

	kept = anon_kept("ram=16M swap=64M page_cluster=0 reclaim=splitlru", &swapped);
	ASSERT_MSG(kept >= ANON_PAGES * 95 / 100, "splitlru kept %lu of %lu", kept, ANON_PAGES);
	/* swappiness 0: the file pages go, not one anonymous page */
	kept = anon_kept("ram=16M swap=64M page_cluster=0 reclaim=splitlru swappiness=0", &swapped);
	ASSERT_EQ(kept, ANON_PAGES);
	ASSERT_EQ(swapped, 0);
	/* the contrast: FIFO goes by arrival, the anonymous pages came first */
	kept = anon_kept("ram=16M swap=64M page_cluster=0 reclaim=fifo", &swapped);
	ASSERT_MSG(kept < ANON_PAGES / 2, "fifo kept %lu of %lu", kept, ANON_PAGES);
	ASSERT_CMP(swapped, >, 0);
}

TEST(reclaim_splitlru_workingset_refaults)
{
	struct fs_env e;

	/* a loop larger than memory: every page refaults, none soon enough to activate */
	fs_env_up(&e, "ram=16M page_cluster=0 reclaim=splitlru");
	make_file(&e, "loop", 20UL << 20);
	read_file(&e, "loop", 20UL << 20, 2, false);
	ASSERT_CMP(vmstat_line(e.m, "workingset_refault_file"), >, 1000);
	ASSERT_EQ(vmstat_line(e.m, "workingset_activate_file"), 0);
	ASSERT_EQ(vmstat_line(e.m, "workingset_refault_anon"), 0);
	check_and_down(&e);

	/*
	 * 8 MiB made active (read twice), then 8 MiB read twice: the second
	 * file's first pages are evicted while it is read once (the active
	 * list keeps the first file), and refault after fewer evictions than
	 * the active list holds: activated.
	 */
	fs_env_up(&e, "ram=16M page_cluster=0 reclaim=splitlru");
	make_file(&e, "hot", 8UL << 20);
	make_file(&e, "next", 8UL << 20);
	read_file(&e, "hot", 8UL << 20, 2, true);
	read_file(&e, "next", 8UL << 20, 2, true);
	ASSERT_CMP(vmstat_line(e.m, "workingset_refault_file"), >, 0);
	ASSERT_CMP(vmstat_line(e.m, "workingset_activate_file"), >, 0);
	ASSERT_CMP(vmstat_line(e.m, "workingset_activate_file"), <=,
		   vmstat_line(e.m, "workingset_refault_file"));
	check_and_down(&e);
}

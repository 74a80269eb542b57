/*
 * Pictures' view of a machine (api/frames.c, api/proc.c): each frame's use
 * from vmsim_frame_states agrees with the kernel's own counters after a
 * workload of private and shared anonymous memory, a file's page cache
 * and swapping (free frames are MemFree exactly, shmem, swap cache and
 * slab frames their vmstat counts); vmsim_resident and
 * vmsim_proc_pid_peek give what mincore and /proc give (and which pages a
 * PTE maps) without touching the TLB; the clock advances with swap I/O.
 */
#include "unit/fs_testutil.h"
#include "vmsim/stats.h"

#define PG	4096UL

static uint64_t vmstat(struct machine *m, const char *name)
{
	uint64_t v = 0;

	ASSERT_EQ(vmsim_vmstat_get(m, name, &v), 0);
	return v;
}

/* Write one byte in each page of [addr, addr + pages * PG). */
static void touch(struct fs_env *e, unsigned long addr, unsigned long pages)
{
	struct vmsim_access_pattern p = {
		.addr = addr, .stride = PG, .count = pages, .size = 1,
		.kind = VMSIM_ACCESS_STORE, .value = 7,
	};
	struct vmsim_access_result res;

	ASSERT_EQ(vmsim_access_pattern(e->m, e->pid, &p, &res), (long)pages);
}

static void count_states(struct machine *m, unsigned long *count)
{
	struct vmsim_mem_stats ms;
	unsigned char *st;

	vmsim_mem_stats(m, &ms);
	st = malloc(ms.total_pages);
	ASSERT_NOT_NULL(st);
	ASSERT_EQ(vmsim_frame_states(m, 0, ms.total_pages, st), (long)ms.total_pages);
	memset(count, 0, VMSIM_FRAME_NR_STATES * sizeof(*count));
	for (unsigned long p = 0; p < ms.total_pages; p++) {
		ASSERT_CMP(st[p], <, VMSIM_FRAME_NR_STATES);
		count[st[p]]++;
	}
	/* a window past the end is clipped; a start past it is refused */
	ASSERT_EQ(vmsim_frame_states(m, ms.total_pages - 3, 100, st), 3);
	ASSERT_EQ(vmsim_frame_states(m, ms.total_pages, 1, st), -EINVAL);
	free(st);
}

/* Every use the kernel counts itself, frame by frame. */
static void check_counts(struct machine *m)
{
	unsigned long c[VMSIM_FRAME_NR_STATES], pcp = 0, sum = 0;
	struct vmsim_zone_stats z;
	struct vmsim_mem_stats ms;

	count_states(m, c);
	vmsim_mem_stats(m, &ms);
	for (int i = 0; !vmsim_zone_stats(m, i, &z); i++)
		pcp += z.pcp_pages;
	for (int s = 0; s < VMSIM_FRAME_NR_STATES; s++)
		sum += c[s];
	ASSERT_EQ(sum, ms.total_pages);
	ASSERT_EQ(c[VMSIM_FRAME_FREE], vmstat(m, "nr_free_pages"));
	ASSERT_EQ(c[VMSIM_FRAME_FREE] + c[VMSIM_FRAME_PCP], ms.free_pages);
	ASSERT_EQ(c[VMSIM_FRAME_PCP], pcp);
	ASSERT_EQ(c[VMSIM_FRAME_SHMEM], vmstat(m, "nr_shmem"));
	ASSERT_EQ(c[VMSIM_FRAME_SWAPCACHE], vmstat(m, "nr_swapcached"));
	ASSERT_EQ(c[VMSIM_FRAME_FILE] + c[VMSIM_FRAME_SHMEM] + c[VMSIM_FRAME_SWAPCACHE],
		  vmstat(m, "nr_file_pages"));
	ASSERT_EQ(c[VMSIM_FRAME_SLAB], vmstat(m, "nr_slab_reclaimable") +
		  vmstat(m, "nr_slab_unreclaimable"));
	ASSERT_EQ(c[VMSIM_FRAME_HOLE], 0);
}

TEST(frame_states_agree_with_the_counters)
{
	static uint8_t data[64 * PG];
	unsigned long c[VMSIM_FRAME_NR_STATES];
	struct fs_env e;
	long anon, shared, file;
	uint64_t t0;
	int fd;

	fs_env_up(&e, "ram=16M swap=32M");
	check_counts(e.m);
	count_states(e.m, c);
	ASSERT_CMP(c[VMSIM_FRAME_RESERVED], >, 0);
	ASSERT_CMP(c[VMSIM_FRAME_SLAB], >, 0);
	ASSERT_EQ(vmsim_frame_state_name(VMSIM_FRAME_SWAPCACHE) != NULL, 1);
	ASSERT_EQ(strcmp(vmsim_frame_state_name(VMSIM_FRAME_FREE), "free"), 0);
	ASSERT_NULL(vmsim_frame_state_name(VMSIM_FRAME_NR_STATES));

	fs_host_write(&e, "f", data, sizeof(data));
	fd = vmsim_open(e.m, e.pid, "/f", O_RDWR, 0);
	ASSERT_CMP(fd, >=, 0);
	file = vmsim_mmap(e.m, e.pid, 0, 64 * PG, PROT_READ, MAP_SHARED, fd, 0);
	shared = vmsim_mmap(e.m, e.pid, 0, 256 * PG, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	anon = vmsim_mmap(e.m, e.pid, 0, 6144 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(file, >, 0);
	ASSERT_CMP(shared, >, 0);
	ASSERT_CMP(anon, >, 0);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, 32 * PG, 0), (long)(32 * PG));
	touch(&e, (unsigned long)shared, 256);
	check_counts(e.m);
	count_states(e.m, c);
	ASSERT_CMP(c[VMSIM_FRAME_FILE], >=, 32);
	ASSERT_EQ(c[VMSIM_FRAME_SHMEM], 256);
	ASSERT_CMP(c[VMSIM_FRAME_ANON], >=, 32);	/* the buffer pread filled */
	ASSERT_CMP(c[VMSIM_FRAME_PAGETABLE], >, 0);

	/* 24 MiB of anonymous memory on 16 MiB: swapping, a swap cache, the clock moves */
	t0 = vmsim_clock_usecs(e.m);
	touch(&e, (unsigned long)anon, 6144);
	ASSERT_CMP(vmstat(e.m, "pswpout"), >, 0);
	ASSERT_CMP(vmsim_clock_usecs(e.m), >, t0);
	check_counts(e.m);
	touch(&e, (unsigned long)anon, 1024);	/* swap-ins: pages in the swap cache */
	check_counts(e.m);
	count_states(e.m, c);
	ASSERT_CMP(c[VMSIM_FRAME_SWAPCACHE], >, 0);
	fs_env_down(&e);
}

TEST(resident_and_peek_change_nothing)
{
	unsigned char a[64], b[64];
	struct vmsim_tlb_stats t0, t1;
	struct fs_env e;
	char *peek, *read;
	long addr;

	fs_env_up(&e, "ram=64M");
	addr = vmsim_mmap(e.m, e.pid, 0, 64 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(addr, >, 0);
	touch(&e, (unsigned long)addr + 8 * PG, 5);
	vmsim_tlb_stats(e.m, &t0);
	ASSERT_EQ(vmsim_resident(e.m, e.pid, (unsigned long)addr, 64 * PG, a), 0);
	peek = vmsim_proc_pid_peek(e.m, e.pid, "maps");
	ASSERT_NOT_NULL(peek);
	vmsim_tlb_stats(e.m, &t1);
	ASSERT_EQ(t1.flushes, t0.flushes);
	ASSERT_EQ(t1.hits + t1.misses, t0.hits + t0.misses);
	ASSERT_EQ(vmsim_mincore(e.m, e.pid, (unsigned long)addr, 64 * PG, b), 0);
	for (int i = 0; i < 64; i++) {
		ASSERT_EQ(a[i] & 1, b[i]);
		/* mapped: the five pages touched */
		ASSERT_EQ(a[i] & VMSIM_RESIDENT_MAPPED, i >= 8 && i < 13 ? VMSIM_RESIDENT_MAPPED : 0);
	}
	read = vmsim_proc_pid_read(e.m, e.pid, "maps");
	ASSERT_NOT_NULL(read);
	ASSERT_EQ(strcmp(peek, read), 0);
	free(peek);
	free(read);
	ASSERT_NULL(vmsim_proc_pid_peek(e.m, e.pid, "cmdline"));
	ASSERT_EQ(errno, EINVAL);
	ASSERT_NULL(vmsim_proc_pid_peek(e.m, e.pid, "nope"));
	ASSERT_EQ(errno, ENOENT);
	ASSERT_NULL(vmsim_proc_pid_peek(e.m, 999, "maps"));
	ASSERT_EQ(errno, ESRCH);
	ASSERT_EQ(vmsim_resident(e.m, 999, (unsigned long)addr, PG, a), -ESRCH);
	fs_env_down(&e);
}

/*
 * Regression tests for the differences between vmsim and the host kernel
 * that test_diff_file.c (the differential test of file mappings) found:
 * each replays the smallest sequence showing the bug and checks the
 * outcome the host gives.
 */
#include "unit/fs_testutil.h"
#include "harness.h"

#define PG	4096UL

/* Does the process's maps text contain @line? */
static bool maps_has(struct fs_env *e, const char *line)
{
	char *text = vmsim_proc_pid_read(e->m, e->pid, "maps");
	bool found;

	ASSERT_NOT_NULL(text);
	found = strstr(text, line) != NULL;
	if (!found)
		fprintf(stderr, "maps without \"%s\":\n%s", line, text);
	free(text);
	return found;
}

static bool maps_has_quiet(struct fs_env *e, const char *s)
{
	char *text = vmsim_proc_pid_read(e->m, e->pid, "maps");
	bool found;

	ASSERT_NOT_NULL(text);
	found = strstr(text, s) != NULL;
	free(text);
	return found;
}

/*
 * mremap(addr, 0, new_len, MREMAP_MAYMOVE) "duplicates" a shared mapping:
 * the source VMA stays whole (vmsim split it at addr, as if unmapping an
 * empty range).
 */
TEST(diff_file_regress_mremap_dup_keeps_source)
{
	struct fs_env e;
	uint8_t data[8 * PG], got[8];
	unsigned long base = 0x300000001000UL;
	long r;
	int fd;

	fs_env_up(&e, "ram=64M paging=x86_64");
	fill_pattern(data, sizeof(data), 3);
	fs_host_write(&e, "f", data, sizeof(data));
	fd = vmsim_open(e.m, e.pid, "/f", O_RDWR, 0);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, base, 8 * PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0),
		  (long)base);
	r = vmsim_mremap(e.m, e.pid, base + 3 * PG, 0, 2 * PG, MREMAP_MAYMOVE, 0);
	ASSERT_CMP(r, >, 0);
	ASSERT(maps_has(&e, "300000001000-300000009000 r--s 00000000"));
	/* the copy maps the file from page 3 */
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)r + PG, got, sizeof(got)), 0);
	ASSERT_MEMEQ(got, data + 4 * PG, sizeof(got));
	ASSERT_EQ(vmsim_munmap(e.m, e.pid, (unsigned long)r, 2 * PG), 0);
	ASSERT(maps_has(&e, "300000001000-300000009000 r--s 00000000"));
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	fs_env_down(&e);
}

/*
 * do_mmap's order of checks, as Linux's: MAP_FIXED_NOREPLACE over a
 * mapping is -EEXIST even when the file's mode would refuse the mapping
 * (vmsim checked the file first: -EACCES); a file mapping cannot grow
 * down (-EINVAL, private or shared).
 */
TEST(diff_file_regress_mmap_check_order)
{
	struct fs_env e;
	uint8_t data[4 * PG];
	unsigned long base = 0x300000001000UL;
	int ro;

	fs_env_up(&e, "ram=64M paging=x86_64");
	fill_pattern(data, sizeof(data), 5);
	fs_host_write(&e, "f", data, sizeof(data));
	ro = vmsim_open(e.m, e.pid, "/f", O_RDONLY, 0);
	ASSERT_CMP(ro, >=, 0);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, base, 4 * PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, ro, 0),
		  (long)base);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, base + PG, 2 * PG, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_FIXED_NOREPLACE, ro, 0), -EEXIST);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, base + 8 * PG, 2 * PG, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_FIXED_NOREPLACE, ro, 0), -EACCES);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, base + 8 * PG, 2 * PG, PROT_READ,
			     MAP_PRIVATE | MAP_FIXED | MAP_GROWSDOWN, ro, 0), -EINVAL);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, base + 8 * PG, 2 * PG, PROT_READ,
			     MAP_SHARED | MAP_FIXED | MAP_GROWSDOWN, ro, 0), -EINVAL);
	/* nothing was left behind by the failures */
	ASSERT(maps_has(&e, "300000001000-300000005000 r--p 00000000"));
	ASSERT(!maps_has_quiet(&e, "300000009000"));
	ASSERT_EQ(vmsim_close(e.m, e.pid, ro), 0);
	fs_env_down(&e);
}

/*
 * MAP_SHARED_VALIDATE (found by diff_file_arg_forms): a file mapping with
 * only the legacy flags maps as MAP_SHARED; another flag (here
 * MAP_FIXED_NOREPLACE, which the legacy set lacks) is -EOPNOTSUPP;
 * anonymous memory cannot be validated (-EINVAL).  vmsim refused it all
 * with -EINVAL.
 */
TEST(diff_file_regress_map_shared_validate)
{
	struct fs_env e;
	uint8_t data[4 * PG], got[8];
	unsigned long base = 0x300000001000UL;
	int rw;

	fs_env_up(&e, "ram=64M paging=x86_64");
	fill_pattern(data, sizeof(data), 7);
	fs_host_write(&e, "f", data, sizeof(data));
	rw = vmsim_open(e.m, e.pid, "/f", O_RDWR, 0);
	ASSERT_CMP(rw, >=, 0);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, base, 2 * PG, PROT_READ,
			     MAP_SHARED_VALIDATE | MAP_FIXED | MAP_32BIT | MAP_POPULATE, rw, PG),
		  (long)base);
	ASSERT(maps_has(&e, "300000001000-300000003000 r--s 00001000"));
	ASSERT_EQ(vmsim_read(e.m, e.pid, base, got, sizeof(got)), 0);
	ASSERT_MEMEQ(got, data + PG, sizeof(got));
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, base + 8 * PG, PG, PROT_READ,
			     MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE, rw, 0), -EOPNOTSUPP);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, base + 8 * PG, PG, PROT_READ,
			     MAP_SHARED_VALIDATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), -EINVAL);
	ASSERT(!maps_has_quiet(&e, "300000009000"));
	ASSERT_EQ(vmsim_close(e.m, e.pid, rw), 0);
	fs_env_down(&e);
}

/*
 * Stores through a shared mapping past EOF, in the page holding EOF, never
 * become file data: a size extension (pwrite past EOF, ftruncate up)
 * zeroes them first, as Linux 6.x (vmsim let them show in the file).
 */
TEST(diff_file_regress_extension_zeroes_past_eof)
{
	for (int how = 0; how < 2; how++) {
		struct fs_env e;
		uint8_t data[100], got[8], zero[8] = { 0 };
		uint64_t v = 0x6c6c6c6c6c6c6c6cULL;
		unsigned long base = 0x300000001000UL;
		int fd;

		fs_env_up(&e, "ram=64M paging=x86_64");
		memset(data, 1, sizeof(data));
		fs_host_write(&e, "f", data, sizeof(data));
		fd = vmsim_open(e.m, e.pid, "/f", O_RDWR, 0);
		ASSERT_CMP(fd, >=, 0);
		ASSERT_EQ(vmsim_mmap(e.m, e.pid, base, PG, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_FIXED, fd, 0), (long)base);
		ASSERT_EQ(vmsim_write(e.m, e.pid, base + 200, &v, sizeof(v)), 0);
		if (how) {
			ASSERT_EQ(vmsim_ftruncate(e.m, e.pid, fd, 8000), 0);
		} else {
			ASSERT_EQ(vmsim_write(e.m, e.pid, e.ubuf, data, 1), 0);
			ASSERT_EQ(vmsim_pwrite(e.m, e.pid, fd, e.ubuf, 1, 7999), 1);
		}
		ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, 8, 200), 8);
		ASSERT_EQ(vmsim_read(e.m, e.pid, e.ubuf, got, 8), 0);
		ASSERT_MEMEQ(got, zero, 8);
		ASSERT_EQ(vmsim_read(e.m, e.pid, base + 200, got, 8), 0);
		ASSERT_MEMEQ(got, zero, 8);
		ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
		ASSERT_EQ(vmsim_munmap(e.m, e.pid, base, PG), 0);
		/* written back: the host file has zeroes there too */
		uint8_t host[8000];

		ASSERT_EQ(fs_host_read(&e, "f", host, sizeof(host)), 8000);
		ASSERT_MEMEQ(host + 200, zero, 8);
		ASSERT_MEMEQ(host, data, sizeof(data));
		fs_env_down(&e);
	}
}

/* The smaps line of @field in the block of the VMA starting at @start, in kB. */
static long smaps_field(struct fs_env *e, unsigned long start, const char *field)
{
	char *text = vmsim_proc_pid_read(e->m, e->pid, "smaps"), hdr[32], *p;
	long kb = -1;

	ASSERT_NOT_NULL(text);
	snprintf(hdr, sizeof(hdr), "%lx-", start);
	p = strstr(text, hdr);
	if (p)
		p = strstr(p, field);
	if (p)
		kb = strtol(p + strlen(field), NULL, 10);
	free(text);
	return kb;
}

/*
 * A size change through a partial page (ftruncate down to, or up from, a
 * size that is not page-aligned) leaves that page dirty, as the host's file
 * system does (its block is zeroed past EOF): smaps shows it dirty when
 * mapped; vmsim showed it clean.
 */
TEST(diff_file_regress_truncate_dirties_partial_page)
{
	for (int grow = 0; grow < 2; grow++) {
		struct fs_env e;
		uint8_t data[1245];
		unsigned long base = 0x300000001000UL;
		uint64_t v;
		int fd;

		fs_env_up(&e, "ram=64M paging=x86_64");
		memset(data, 1, sizeof(data));
		fs_host_write(&e, "f", data, sizeof(data));
		fd = vmsim_open(e.m, e.pid, "/f", O_RDWR, 0);
		ASSERT_CMP(fd, >=, 0);
		ASSERT_EQ(vmsim_ftruncate(e.m, e.pid, fd, grow ? 4096 : 1000), 0);
		ASSERT_EQ(vmsim_mmap(e.m, e.pid, base, PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0),
			  (long)base);
		ASSERT_EQ(vmsim_read(e.m, e.pid, base, &v, sizeof(v)), 0);
		ASSERT_EQ(smaps_field(&e, base, "Private_Dirty:"), 4);
		ASSERT_EQ(smaps_field(&e, base, "Private_Clean:"), 0);
		ASSERT_EQ(vmsim_fsync(e.m, e.pid, fd), 0);
		ASSERT_EQ(smaps_field(&e, base, "Private_Dirty:"), 0);
		ASSERT_EQ(smaps_field(&e, base, "Private_Clean:"), 4);
		ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
		fs_env_down(&e);
	}
}

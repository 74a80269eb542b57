/*
 * The page cache through mmap: write() then read through a shared file
 * mapping and back, private mappings' COW never reaching the file, msync
 * moving PTE dirty bits to the file, truncate unmapping pages (SIGBUS past
 * EOF), readahead and major-fault counts, mmap's errno, /proc/PID/maps
 * and meminfo counters for file pages.
 */
#include "unit/fs_testutil.h"

#define PG 4096UL

static int open_file(struct fs_env *e, const char *name, size_t size, unsigned int seed,
		     int flags)
{
	static uint8_t buf[64 * 4096];
	char path[64];

	ASSERT_CMP(size, <=, sizeof(buf));
	fill_pattern(buf, size, seed);
	fs_host_write(e, name, buf, size);
	snprintf(path, sizeof(path), "/%s", name);
	return vmsim_open(e->m, e->pid, path, flags, 0);
}

TEST(filemap_shared_mapping_sees_writes_both_ways)
{
	struct fs_env e;
	uint8_t got[3 * PG], want[3 * PG];
	long map;
	int fd;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "f", 3 * PG, 1, O_RDWR);
	ASSERT_CMP(fd, >=, 0);
	map = vmsim_mmap(e.m, e.pid, 0, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_CMP(map, >, 0);
	fill_pattern(want, sizeof(want), 1);
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)map, got, sizeof(got)), 0);
	ASSERT(!memcmp(got, want, sizeof(got)));

	/* write() shows through the mapping at once: one page cache */
	ASSERT_EQ(vmsim_write(e.m, e.pid, e.ubuf, "written", 7), 0);
	ASSERT_EQ(vmsim_pwrite(e.m, e.pid, fd, e.ubuf, 7, PG + 100), 7);
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)map + PG + 100, got, 7), 0);
	ASSERT(!memcmp(got, "written", 7));

	/* a store through the mapping shows through read() */
	ASSERT_EQ(vmsim_write(e.m, e.pid, (unsigned long)map + 2 * PG + 5, "mapped", 6), 0);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, 6, 2 * PG + 5), 6);
	ASSERT_EQ(vmsim_read(e.m, e.pid, e.ubuf, got, 6), 0);
	ASSERT(!memcmp(got, "mapped", 6));

	/* msync(MS_SYNC) writes the PTE-dirty page to the host file */
	ASSERT_EQ(vmsim_msync(e.m, e.pid, (unsigned long)map, 3 * PG, 4 /* MS_SYNC */), 0);
	ASSERT_EQ(fs_host_read(&e, "f", got, sizeof(got)), (long)sizeof(got));
	memcpy(want + PG + 100, "written", 7);
	memcpy(want + 2 * PG + 5, "mapped", 6);
	ASSERT(!memcmp(got, want, sizeof(got)));
	ASSERT_EQ(global_page_state(e.m, NR_FILE_DIRTY), 0);

	/* a later store dirties the PTE again; munmap + close writes it back */
	ASSERT_EQ(vmsim_write(e.m, e.pid, (unsigned long)map, "again", 5), 0);
	ASSERT_EQ(vmsim_munmap(e.m, e.pid, (unsigned long)map, 3 * PG), 0);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	ASSERT_EQ(fs_host_read(&e, "f", got, sizeof(got)), (long)sizeof(got));
	memcpy(want, "again", 5);
	ASSERT(!memcmp(got, want, sizeof(got)));
	fs_env_down(&e);
}

TEST(filemap_private_cow_never_reaches_file)
{
	struct fs_env e;
	uint8_t got[2 * PG], want[2 * PG];
	long map;
	int fd, child;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "p", 2 * PG, 3, O_RDONLY);	/* private writable on O_RDONLY: fine */
	ASSERT_CMP(fd, >=, 0);
	fill_pattern(want, sizeof(want), 3);
	map = vmsim_mmap(e.m, e.pid, 0, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_CMP(map, >, 0);
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)map + PG, got, 16), 0);
	ASSERT(!memcmp(got, want + PG, 16));
	ASSERT_EQ(vmsim_write(e.m, e.pid, (unsigned long)map + PG, "private", 7), 0);
	child = vmsim_fork(e.m, e.pid);
	ASSERT_CMP(child, >, 0);
	ASSERT_EQ(vmsim_write(e.m, e.pid, (unsigned long)map, "parent", 6), 0);
	/* the file, read(), and the child's unwritten page keep the file's bytes */
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, 2 * PG, 0), (long)(2 * PG));
	ASSERT_EQ(vmsim_read(e.m, e.pid, e.ubuf, got, sizeof(got)), 0);
	ASSERT(!memcmp(got, want, sizeof(got)));
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)map, got, 6), 0);
	ASSERT(!memcmp(got, "parent", 6));
	ASSERT_EQ(vmsim_read(e.m, child, (unsigned long)map, got, 6), 0);
	ASSERT(!memcmp(got, want, 6));
	ASSERT_EQ(vmsim_read(e.m, child, (unsigned long)map + PG, got, 7), 0);
	ASSERT(!memcmp(got, "private", 7));
	ASSERT_EQ(vmsim_exit(e.m, child), 0);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);	/* the mapping keeps the file */
	ASSERT_EQ(vmsim_msync(e.m, e.pid, (unsigned long)map, 2 * PG, 4), 0);
	ASSERT_EQ(vmsim_munmap(e.m, e.pid, (unsigned long)map, 2 * PG), 0);
	ASSERT_EQ(fs_host_read(&e, "p", got, sizeof(got)), (long)sizeof(got));
	ASSERT(!memcmp(got, want, sizeof(got)));
	fs_env_down(&e);
}

TEST(filemap_sigbus_past_eof_and_truncate)
{
	struct fs_env e;
	struct vmsim_task_info info;
	uint8_t got[PG], zero[PG] = { 0 };
	long map;
	int fd, child;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "t", 3 * PG, 4, O_RDWR);
	map = vmsim_mmap(e.m, e.pid, 0, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_CMP(map, >, 0);
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)map + 2 * PG, got, 8), 0);

	/* a page wholly past EOF: SIGBUS (a child takes it) */
	child = vmsim_fork(e.m, e.pid);
	ASSERT_EQ(vmsim_read(e.m, child, (unsigned long)map + 3 * PG, got, 8), VMSIM_KILLED);
	ASSERT_EQ(vmsim_task_info(e.m, child, &info), 0);
	ASSERT_EQ(info.signo, 7 /* SIGBUS */);

	/* truncate to 100 bytes: the tail of page 0 reads zero, page 1 is gone */
	ASSERT_EQ(vmsim_ftruncate(e.m, e.pid, fd, 100), 0);
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)map + 100, got, PG - 100), 0);
	ASSERT(!memcmp(got, zero, PG - 100));
	ASSERT_EQ(global_page_state(e.m, NR_FILE_PAGES), 1);
	child = vmsim_fork(e.m, e.pid);
	ASSERT_EQ(vmsim_read(e.m, child, (unsigned long)map + PG, got, 8), VMSIM_KILLED);
	ASSERT_EQ(vmsim_task_info(e.m, child, &info), 0);
	ASSERT_EQ(info.signo, 7);
	ASSERT_EQ(vmsim_read(e.m, e.pid, (unsigned long)map + 2 * PG, got, 8), VMSIM_KILLED);
	e.pid = 0;	/* it died */
	ASSERT_EQ(fs_host_read(&e, "t", got, sizeof(got)), 100);
	ASSERT_EQ(vmsim_ftruncate(e.m, 1, 0, -1), -ESRCH);
	fs_env_down(&e);
}

TEST(filemap_mmap_errors)
{
	struct fs_env e;
	int ro, wo, dir;

	fs_env_up(&e, NULL);
	ro = open_file(&e, "r", PG, 5, O_RDONLY);
	wo = vmsim_open(e.m, e.pid, "/r", O_WRONLY, 0);
	ASSERT_EQ(mkdir(strcat(strcpy((char[128]){0}, e.dir), "/d"), 0755), 0);
	dir = vmsim_open(e.m, e.pid, "/d", O_RDONLY, 0);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, 0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0),
		  -EACCES);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, 0, PG, PROT_READ, MAP_SHARED, wo, 0), -EACCES);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, 0, PG, PROT_READ, MAP_PRIVATE, dir, 0), -ENODEV);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, 0, PG, PROT_READ, MAP_PRIVATE, 42, 0), -EBADF);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, 0, PG, PROT_READ, MAP_PRIVATE, ro, 100), -EINVAL);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, 0, 0, PROT_READ, MAP_PRIVATE, ro, 0), -EINVAL);
	/* read-only shared mapping of a read-only file: never writable (mprotect) */
	{
		long map = vmsim_mmap(e.m, e.pid, 0, PG, PROT_READ, MAP_SHARED, ro, 0);

		ASSERT_CMP(map, >, 0);
		ASSERT_EQ(vmsim_mprotect(e.m, e.pid, (unsigned long)map, PG,
					 PROT_READ | PROT_WRITE), -EACCES);
	}
	fs_env_down(&e);
}

TEST(filemap_readahead_sequential_and_random)
{
	struct fs_env e;
	struct vmsim_fs_stats st;
	unsigned long in0;
	int fd;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "big", 64 * PG, 6, O_RDONLY);
	in0 = sum_vm_event(e.m, PGPGIN);
	/* sequential 1-page reads: windows grow, each page is read exactly once */
	for (int i = 0; i < 64; i++)
		ASSERT_EQ(vmsim_fd_read(e.m, e.pid, fd, e.ubuf, PG), (long)PG);
	ASSERT_EQ(vmsim_fd_read(e.m, e.pid, fd, e.ubuf, PG), 0);
	ASSERT_EQ(sum_vm_event(e.m, PGPGIN) - in0, 64 * 4);
	ASSERT_EQ(vmsim_fs_stats(e.m, &st), 0);
	ASSERT_EQ(st.ra_pages, 64);
	/* 4-page first window, then 16, 32 (the 128 KiB cap), then the rest */
	ASSERT_CMP(st.ra_windows, <=, 5);
	ASSERT_CMP(st.ra_windows, >=, 3);
	/* all cached now: reading again costs no I/O */
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, 64 * PG, 0), (long)(64 * PG));
	ASSERT_EQ(sum_vm_event(e.m, PGPGIN) - in0, 64 * 4);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);

	/* random single-page reads read only their page */
	fd = open_file(&e, "big", 64 * PG, 6, O_RDONLY);
	in0 = sum_vm_event(e.m, PGPGIN);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, PG, 50 * PG), (long)PG);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, PG, 10 * PG), (long)PG);
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, PG, 30 * PG), (long)PG);
	ASSERT_EQ(sum_vm_event(e.m, PGPGIN) - in0, 3 * 4);
	ASSERT_EQ(global_page_state(e.m, NR_FILE_PAGES), 3);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	fs_env_down(&e);
}

TEST(filemap_major_faults_read_around)
{
	struct fs_env e;
	unsigned long maj0, in0;
	long map;
	uint64_t v;
	int fd;

	fs_env_up(&e, NULL);
	fd = open_file(&e, "m", 64 * PG, 7, O_RDONLY);
	map = vmsim_mmap(e.m, e.pid, 0, 64 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_CMP(map, >, 0);
	maj0 = sum_vm_event(e.m, PGMAJFAULT);
	in0 = sum_vm_event(e.m, PGPGIN);
	for (int i = 0; i < 64; i++)
		ASSERT_EQ(vmsim_load64(e.m, e.pid, (unsigned long)map + (unsigned long)i * PG, &v), 0);
	/* read-around: 32-page windows, so 64 pages cost a few major faults */
	ASSERT_CMP(sum_vm_event(e.m, PGMAJFAULT) - maj0, >=, 2);
	ASSERT_CMP(sum_vm_event(e.m, PGMAJFAULT) - maj0, <=, 4);
	ASSERT_EQ(sum_vm_event(e.m, PGPGIN) - in0, 64 * 4);
	fs_env_down(&e);
}

/*
 * A file mapping's maps line: the machine's own device and inode numbers
 * by default (00:20, inodes from 2 in first-open order, kept when the
 * inode is dropped and the file opened again), the host file's with
 * hostino=on.
 */
static void maps_dev_ino(bool hostino)
{
	struct fs_env e;
	struct stat st;
	char path[256], line[256], *maps;
	long map;
	int fd, fd2;

	fs_env_up(&e, hostino ? "ram=64M hostino=on" : NULL);
	fd2 = open_file(&e, "first", PG, 1, O_RDWR);
	fd = open_file(&e, "named", 2 * PG, 8, O_RDWR);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd2), 0);	/* "first" keeps inode 2 */
	fd2 = open_file(&e, "first", PG, 1, O_RDWR);
	ASSERT_EQ(vmsim_mmap(e.m, e.pid, 0x20000000, PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd2, 0),
		  0x20000000);
	map = vmsim_mmap(e.m, e.pid, 0, 2 * PG, PROT_READ, MAP_SHARED, fd, PG);
	ASSERT_CMP(map, >, 0);
	fs_host_path(&e, "named", path, sizeof(path));
	ASSERT_EQ(stat(path, &st), 0);
	maps = vmsim_proc_pid_read(e.m, e.pid, "maps");
	if (hostino)
		snprintf(line, sizeof(line), "%08lx-%08lx r--s 00001000 %02x:%02x %lu ",
			 (unsigned long)map, (unsigned long)map + 2 * PG, major(st.st_dev),
			 minor(st.st_dev), (unsigned long)st.st_ino);
	else
		snprintf(line, sizeof(line), "%08lx-%08lx r--s 00001000 00:20 3 ",
			 (unsigned long)map, (unsigned long)map + 2 * PG);
	ASSERT_CONTAINS(maps, line);
	ASSERT_CONTAINS(maps, " /named\n");
	if (!hostino)
		ASSERT_CONTAINS(maps, "20000000-20001000 r--s 00000000 00:20 2 ");
	free(maps);
	fs_env_down(&e);
}

TEST(filemap_maps_dev_ino)
{
	maps_dev_ino(false);
	maps_dev_ino(true);
}

TEST(filemap_maps_and_meminfo)
{
	struct fs_env e;
	struct stat st;
	char path[256], line[256], *maps, *mi;
	long map;
	int fd;

	fs_env_up(&e, "ram=64M hostino=on");
	fd = open_file(&e, "named", 2 * PG, 8, O_RDWR);
	map = vmsim_mmap(e.m, e.pid, 0, 2 * PG, PROT_READ, MAP_SHARED, fd, PG);
	ASSERT_CMP(map, >, 0);
	fs_host_path(&e, "named", path, sizeof(path));
	ASSERT_EQ(stat(path, &st), 0);
	maps = vmsim_proc_pid_read(e.m, e.pid, "maps");
	snprintf(line, sizeof(line), "%08lx-%08lx r--s 00001000 %02x:%02x %lu", (unsigned long)map,
		 (unsigned long)map + 2 * PG, major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	ASSERT_CONTAINS(maps, line);
	ASSERT_CONTAINS(maps, " /named\n");
	free(maps);
	ASSERT_EQ(vmsim_write(e.m, e.pid, e.ubuf, "x", 1), 0);
	ASSERT_EQ(vmsim_pwrite(e.m, e.pid, fd, e.ubuf, 1, 0), 1);
	mi = vmsim_proc_read(e.m, "meminfo");
	ASSERT_CONTAINS(mi, "Dirty:                 4 kB");
	free(mi);
	ASSERT_EQ(vmsim_fsync(e.m, e.pid, fd), 0);
	mi = vmsim_proc_read(e.m, "meminfo");
	ASSERT_CONTAINS(mi, "Dirty:                 0 kB");
	free(mi);
	fs_env_down(&e);
}

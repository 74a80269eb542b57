/*
 * /proc/meminfo "Mapped:" counts file and shmem pages mapped by some
 * process (NR_FILE_MAPPED), "AnonPages:" the anonymous ones, as Linux.
 */
#include <stdlib.h>
#include "testlib.h"
#include <unistd.h>
#include "vmsim/process.h"
#include "vmsim/file.h"
#include "kern/sched.h"

static long meminfo_kb(struct machine *m, const char *field)
{
	char *mi = vmsim_proc_read(m, "meminfo"), *p;
	long v = -1;

	ASSERT_NOT_NULL(mi);
	p = strstr(mi, field);
	if (p)
		v = strtol(p + strlen(field), NULL, 10);
	free(mi);
	return v;
}

TEST(mapped_shmem_and_anon_in_meminfo)
{
	struct machine *m = test_boot("ram=64M");
	int pid = vmsim_spawn(m), child;
	long shared, priv;
	char x = 1;

	shared = vmsim_mmap(m, pid, 0, 2 * 4096, 3, VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS, -1, 0);
	priv = vmsim_mmap(m, pid, 0, 3 * 4096, 3, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(shared, >, 0);
	ASSERT_CMP(priv, >, 0);
	long mapped0 = meminfo_kb(m, "Mapped:"), anon0 = meminfo_kb(m, "AnonPages:");
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(vmsim_write(m, pid, (unsigned long)shared + i * 4096UL, &x, 1), 0);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(vmsim_write(m, pid, (unsigned long)priv + i * 4096UL, &x, 1), 0);
	ASSERT_EQ(meminfo_kb(m, "Mapped:") - mapped0, 8);
	ASSERT_EQ(meminfo_kb(m, "AnonPages:") - anon0, 12);
	/* a second mapper of the same shmem pages does not count them twice */
	child = vmsim_fork(m, pid);
	ASSERT_CMP(child, >, 0);
	ASSERT_EQ(vmsim_read(m, child, (unsigned long)shared, &x, 1), 0);
	ASSERT_EQ(meminfo_kb(m, "Mapped:") - mapped0, 8);
	ASSERT_EQ(vmsim_exit(m, child), 0);
	ASSERT_EQ(vmsim_munmap(m, pid, (unsigned long)shared, 2 * 4096), 0);
	ASSERT_EQ(meminfo_kb(m, "Mapped:"), mapped0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	ASSERT_EQ(meminfo_kb(m, "AnonPages:"), 0);
	test_shutdown(m);
}

/* A dirty shared file page unmapped without msync is Dirty until written back. */
TEST(mapped_file_dirty_after_munmap)
{
	char dir[] = "/tmp/vmsim-mapped-XXXXXX";
	struct machine *m = test_boot("ram=64M");
	int pid = vmsim_spawn(m), fd;
	long a;
	char x = 'z', path[64];

	ASSERT_NOT_NULL(mkdtemp(dir));
	ASSERT_EQ(vmsim_fs_set_root(m, dir), 0);
	fd = vmsim_open(m, pid, "f", 0102 /* O_RDWR|O_CREAT */, 0600);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(vmsim_ftruncate(m, pid, fd, 4096), 0);
	a = vmsim_mmap(m, pid, 0, 4096, 3, VMSIM_MAP_SHARED, fd, 0);
	ASSERT_CMP(a, >, 0);
	ASSERT_EQ(vmsim_write(m, pid, (unsigned long)a, &x, 1), 0);
	ASSERT_EQ(meminfo_kb(m, "Mapped:"), 4);
	ASSERT_EQ(vmsim_munmap(m, pid, (unsigned long)a, 4096), 0);
	ASSERT_EQ(meminfo_kb(m, "Mapped:"), 0);
	ASSERT_EQ(meminfo_kb(m, "Dirty:"), 4);
	ASSERT_EQ(vmsim_fsync(m, pid, fd), 0);
	ASSERT_EQ(meminfo_kb(m, "Dirty:"), 0);
	ASSERT_EQ(vmsim_close(m, pid, fd), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
	snprintf(path, sizeof(path), "%s/f", dir);
	FILE *f = fopen(path, "r");
	ASSERT_NOT_NULL(f);
	ASSERT_EQ(fgetc(f), 'z');
	fclose(f);
	unlink(path);
	rmdir(dir);
}

/* A file fault that reads from disk is one major fault, not also a minor one. */
TEST(mapped_file_fault_counted_major_once)
{
	char dir[] = "/tmp/vmsim-major-XXXXXX", path[64];
	struct machine *m = test_boot("ram=64M");
	int pid = vmsim_spawn(m), fd;
	struct task_struct *t;
	unsigned long maj0, min0, majev0;
	long a;
	char x = 0;
	FILE *f;

	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/data", dir);
	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	for (int i = 0; i < 8192; i++)
		fputc('a' + i % 26, f);
	fclose(f);
	ASSERT_EQ(vmsim_fs_set_root(m, dir), 0);
	fd = vmsim_open(m, pid, "data", 0, 0);
	ASSERT_CMP(fd, >=, 0);
	a = vmsim_mmap(m, pid, 0, 8192, 1, VMSIM_MAP_PRIVATE, fd, 0);
	ASSERT_CMP(a, >, 0);
	t = find_get_task(m, pid);
	ASSERT_NOT_NULL(t);
	maj0 = t->maj_flt;
	min0 = t->min_flt;
	majev0 = sum_vm_event(m, PGMAJFAULT);
	ASSERT_EQ(vmsim_read(m, pid, (unsigned long)a + 4096 + 3, &x, 1), 0);
	ASSERT_EQ(x, 'a' + (4096 + 3) % 26);
	ASSERT_EQ(t->maj_flt - maj0, 1);
	ASSERT_EQ(t->min_flt - min0, 0);
	ASSERT_EQ(sum_vm_event(m, PGMAJFAULT) - majev0, 1);
	/* the other page came in by readahead: its fault is minor */
	ASSERT_EQ(vmsim_read(m, pid, (unsigned long)a, &x, 1), 0);
	ASSERT_EQ(x, 'a');
	ASSERT_EQ(t->maj_flt - maj0, 1);
	ASSERT_EQ(t->min_flt - min0, 1);
	put_task_struct(t);
	ASSERT_EQ(vmsim_close(m, pid, fd), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
	unlink(path);
	rmdir(dir);
}

/* Page-cache pages come from HIGHMEM when there is some: reached through kmap. */
TEST(mapped_file_io_through_highmem_page_cache)
{
	char dir[] = "/tmp/vmsim-highfile-XXXXXX", path[64];
	struct machine *m = test_boot("ram=1G paging=i386");
	int pid = vmsim_spawn(m), fd;
	long buf, map;
	char in[6000], out[6000];
	long high0;

	ASSERT_NOT_NULL(mkdtemp(dir));
	ASSERT_EQ(vmsim_fs_set_root(m, dir), 0);
	for (int i = 0; i < 6000; i++)
		in[i] = (char)('A' + i % 53);
	buf = vmsim_mmap(m, pid, 0, 8192, 3, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(buf, >, 0);
	ASSERT_EQ(vmsim_write(m, pid, (unsigned long)buf, in, sizeof(in)), 0);
	high0 = (long)sum_vm_event(m, PGALLOC_HIGH);
	fd = vmsim_open(m, pid, "f", 0102 /* O_RDWR|O_CREAT */, 0600);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(vmsim_pwrite(m, pid, fd, (unsigned long)buf, sizeof(in), 100), (long)sizeof(in));
	/* the two cached pages sit in HIGHMEM */
	ASSERT_CMP((long)sum_vm_event(m, PGALLOC_HIGH) - high0, >=, 2);
	ASSERT_EQ(vmsim_pread(m, pid, fd, (unsigned long)buf + 100, sizeof(in), 100), (long)sizeof(in));
	ASSERT_EQ(vmsim_read(m, pid, (unsigned long)buf + 100, out, sizeof(out)), 0);
	ASSERT_MEMEQ(out, in, sizeof(in));
	map = vmsim_mmap(m, pid, 0, 8192, 1, VMSIM_MAP_SHARED, fd, 0);
	ASSERT_CMP(map, >, 0);
	ASSERT_EQ(vmsim_read(m, pid, (unsigned long)map + 100, out, sizeof(out)), 0);
	ASSERT_MEMEQ(out, in, sizeof(in));
	/* truncate into the second page: its tail reads as zeroes */
	ASSERT_EQ(vmsim_ftruncate(m, pid, fd, 5000), 0);
	ASSERT_EQ(vmsim_read(m, pid, (unsigned long)map + 4990, out, 20), 0);
	ASSERT_MEMEQ(out, in + 4890, 10);
	for (int i = 10; i < 20; i++)
		ASSERT_EQ(out[i], 0);
	ASSERT_EQ(vmsim_close(m, pid, fd), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
	snprintf(path, sizeof(path), "%s/f", dir);
	unlink(path);
	rmdir(dir);
}

/*
 * Mapped file pages are reclaimable (2.4's swap_out drops their PTEs,
 * shrink_cache writes and frees them): a machine without swap runs a
 * mapped file and more anonymous memory than fit together, and every byte
 * of both, including what was written through the mapping, survives.
 */
TEST(mapped_file_pages_reclaimed_under_pressure)
{
	char dir[] = "/tmp/vmsim-reclaim-XXXXXX", path[64];
	struct machine *m = test_boot("ram=16M");
	const unsigned long flen = 8UL << 20, alen = 6UL << 20;
	int pid = vmsim_spawn(m), fd;
	long map, anon;
	struct vmsim_task_info ti;
	char c;
	FILE *f;

	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big", dir);
	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	for (unsigned long i = 0; i < flen; i++)
		fputc((int)(i * 7 % 251), f);
	fclose(f);
	ASSERT_EQ(vmsim_fs_set_root(m, dir), 0);
	fd = vmsim_open(m, pid, "big", 2 /* O_RDWR */, 0);
	ASSERT_CMP(fd, >=, 0);
	map = vmsim_mmap(m, pid, 0, flen, 3, VMSIM_MAP_SHARED, fd, 0);
	ASSERT_CMP(map, >, 0);
	/* touch every file page, and dirty one byte in each 64K */
	for (unsigned long off = 0; off < flen; off += 4096) {
		ASSERT_EQ(vmsim_read(m, pid, (unsigned long)map + off, &c, 1), 0);
		ASSERT_EQ((unsigned char)c, off * 7 % 251);
		if (!(off & 0xffff)) {
			c = 'W';
			ASSERT_EQ(vmsim_write(m, pid, (unsigned long)map + off + 1, &c, 1), 0);
		}
	}
	anon = vmsim_mmap(m, pid, 0, alen, 3, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(anon, >, 0);
	for (unsigned long off = 0; off < alen; off += 4096) {
		c = (char)(off >> 12);
		ASSERT_EQ(vmsim_write(m, pid, (unsigned long)anon + off, &c, 1), 0);
	}
	ASSERT_EQ(vmsim_task_info(m, pid, &ti), 0);
	ASSERT(ti.alive);
	ASSERT_CMP(sum_vm_event(m, PGSTEAL_KSWAPD) + sum_vm_event(m, PGSTEAL_DIRECT), >, 0);
	for (unsigned long off = 0; off < alen; off += 4096) {
		ASSERT_EQ(vmsim_read(m, pid, (unsigned long)anon + off, &c, 1), 0);
		ASSERT_EQ(c, (char)(off >> 12));
	}
	for (unsigned long off = 0; off < flen; off += 4096) {
		ASSERT_EQ(vmsim_read(m, pid, (unsigned long)map + off + 1, &c, 1), 0);
		ASSERT_EQ((unsigned char)c, (off & 0xffff) ? (off + 1) * 7 % 251 : 'W');
	}
	ASSERT_EQ(vmsim_close(m, pid, fd), 0);
	ASSERT_EQ(vmsim_exit(m, pid), 0);
	test_shutdown(m);
	/* the writes through the mapping reached the file */
	f = fopen(path, "r");
	ASSERT_NOT_NULL(f);
	for (unsigned long off = 0; off < flen; off += 0x10000) {
		ASSERT_EQ(fseek(f, (long)off + 1, SEEK_SET), 0);
		ASSERT_EQ(fgetc(f), 'W');
	}
	fclose(f);
	unlink(path);
	rmdir(dir);
}

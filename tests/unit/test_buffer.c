/*
 * The 2.4 buffer cache and block devices (fs/buffer.c, fs/block_dev.c):
 * bytes written through /dev/vdb are the host file's after fsync and
 * after kupdate, and not before; getblk finds a block's buffer in the
 * hash (one buffer per block, the page's ring); bread reads the host
 * file's bytes; reclaim's try_to_free_buffers frees clean buffers and
 * writes dirty ones first; bdflush is woken above nfract and not below;
 * kupdate writes only buffers older than age_buffer; writeback=2.4 hands
 * file pages to kupdate; the options' parsing; every buffer_head and
 * page back at the last close (test_shutdown checks exact accounting).
 */
#include <string.h>
#include "fs_testutil.h"
#include "kern/buffer_head.h"
#include "kern/seq_buf.h"
#include "vmsim/swap.h"

#define DISK_SIZE	(1UL << 20)

static struct buffer_state *bs_of(struct machine *m)
{
	return m->buffers;
}

/* The host file's @len bytes at @off equal @want. */
static bool host_bytes_are(struct fs_env *e, const char *name, off_t off, const void *want,
			   size_t len)
{
	char path[256], got[8192];
	int fd;
	bool ok;

	ASSERT_CMP(len, <=, sizeof(got));
	fs_host_path(e, name, path, sizeof(path));
	fd = open(path, O_RDONLY);
	ASSERT_CMP(fd, >=, 0);
	ok = pread(fd, got, len, off) == (ssize_t)len && !memcmp(got, want, len);
	close(fd);
	return ok;
}

static void put_user_bytes(struct fs_env *e, const void *b, size_t len)
{
	ASSERT_EQ(vmsim_write(e->m, e->pid, e->ubuf, b, len), 0);
}

TEST(buffer_device_bytes_reach_host_file_after_fsync_and_kupdate)
{
	static const uint8_t zero[3000];
	struct fs_env e;
	uint8_t a[3000], b[700];
	int fd;

	fs_env_up(&e, "ram=32M disk=vdb:vdb.img:1M");
	fill_pattern(a, sizeof(a), 11);
	fill_pattern(b, sizeof(b), 12);
	fd = vmsim_open(e.m, e.pid, "/dev/vdb", O_RDWR, 0);
	ASSERT_CMP(fd, >=, 0);
	/* four 1K blocks (1 .. 4), the first and last partly: read first, then dirty */
	put_user_bytes(&e, a, sizeof(a));
	ASSERT_EQ(vmsim_pwrite(e.m, e.pid, fd, e.ubuf, sizeof(a), 1124), (long)sizeof(a));
	ASSERT_EQ(bs_of(e.m)->nr_buffers_type[BUF_DIRTY], 4);
	ASSERT_EQ(nr_dirty_buffer_bytes(e.m), 4096);
	ASSERT(host_bytes_are(&e, "vdb.img", 1124, zero, sizeof(a)));	/* not yet */
	ASSERT_EQ(vmsim_fsync(e.m, e.pid, fd), 0);
	ASSERT(host_bytes_are(&e, "vdb.img", 1124, a, sizeof(a)));
	ASSERT_EQ(nr_dirty_buffer_bytes(e.m), 0);
	ASSERT_EQ(atomic_load(&bs_of(e.m)->written_sync), 4);
	/* the same through kupdate: after age_buffer (30 s), at its next pass */
	put_user_bytes(&e, b, sizeof(b));
	ASSERT_EQ(vmsim_pwrite(e.m, e.pid, fd, e.ubuf, sizeof(b), 500000), (long)sizeof(b));
	vmsim_sleep(e.m, 2000);
	ASSERT_EQ(nr_dirty_buffer_bytes(e.m), 1024);	/* 20 s: not old yet */
	ASSERT(!host_bytes_are(&e, "vdb.img", 500000, b, sizeof(b)));
	vmsim_sleep(e.m, 1600);
	ASSERT_EQ(nr_dirty_buffer_bytes(e.m), 0);
	ASSERT(host_bytes_are(&e, "vdb.img", 500000, b, sizeof(b)));
	ASSERT_EQ(atomic_load(&bs_of(e.m)->written_kupdate), 1);
	/* reads see the bytes written, through the device's page cache */
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf + 8192, sizeof(a), 1124), (long)sizeof(a));
	{
		uint8_t got[3000];

		ASSERT_EQ(vmsim_read(e.m, e.pid, e.ubuf + 8192, got, sizeof(got)), 0);
		ASSERT_MEMEQ(got, a, sizeof(a));
	}
	/* the end of the device: reads stop, writes give ENOSPC */
	ASSERT_EQ(vmsim_pread(e.m, e.pid, fd, e.ubuf, 100, DISK_SIZE), 0);
	ASSERT_EQ(vmsim_pwrite(e.m, e.pid, fd, e.ubuf, 100, DISK_SIZE), -ENOSPC);
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	/* the last close: nothing of the device stays in memory */
	ASSERT_EQ(bs_of(e.m)->nr_buffers, 0);
	ASSERT_EQ(nr_blockdev_pages(e.m), 0);
	fs_env_down(&e);
}

TEST(buffer_getblk_hash_hits_and_page_ring)
{
	struct fs_env e;
	struct block_device *bdev;
	struct buffer_head *bh1, *bh2, *bh3, *bh4, *bh;
	uint8_t pat[1024];
	int n = 0;

	fs_env_up(&e, "ram=32M disk=vdb:vdb.img:1M");
	fill_pattern(pat, sizeof(pat), 5);
	{
		char path[256];
		int fd;

		fs_host_path(&e, "vdb.img", path, sizeof(path));
		fd = open(path, O_RDWR | O_CREAT, 0644);
		ASSERT_CMP(fd, >=, 0);
		ASSERT_EQ(pwrite(fd, pat, sizeof(pat), 5 * 1024), (ssize_t)sizeof(pat));
		close(fd);
	}
	bdev = bdget_by_name(e.m, "vdb");
	ASSERT_NOT_NULL(bdev);
	ASSERT_NULL(bdget_by_name(e.m, "vdc"));
	ASSERT_EQ(blkdev_get(bdev), 0);
	bh1 = bread(bdev, 5, 1024);
	ASSERT_NOT_NULL(bh1);
	ASSERT_MEMEQ(bh1->b_data, pat, sizeof(pat));	/* the host file's bytes */
	ASSERT(buffer_uptodate(bh1) && buffer_mapped(bh1) && buffer_req(bh1));
	ASSERT_EQ(bs_of(e.m)->nr_buffers, 4);		/* the page's four 1K buffers */
	bh2 = getblk(bdev, 5, 1024);
	ASSERT(bh2 == bh1);				/* a hash hit: the same buffer */
	ASSERT_EQ(atomic_load(&bh1->b_count), 2);
	bh3 = getblk(bdev, 6, 1024);
	ASSERT(bh3 != bh1 && bh3->b_page == bh1->b_page);
	ASSERT(!buffer_uptodate(bh3));			/* never read */
	ASSERT(page_has_buffers(bh1->b_page) && page_buffers(bh1->b_page)->b_blocknr == 4);
	bh = bh1;
	do {
		n++;
		bh = bh->b_this_page;
	} while (bh != bh1);
	ASSERT_EQ(n, 4);
	ASSERT_EQ(bs_of(e.m)->nr_buffers, 4);
	bh4 = getblk(bdev, 9, 1024);			/* another page */
	ASSERT(bh4->b_page != bh1->b_page);
	ASSERT_EQ(bs_of(e.m)->nr_buffers, 8);
	ASSERT_EQ(nr_blockdev_pages(e.m), 2);
	ASSERT_NULL(getblk(bdev, DISK_SIZE / 1024, 1024));	/* past the end */
	/* dirty: BUF_DIRTY, old at now + age_buffer */
	memset(bh4->b_data, 0x5a, 1024);
	mark_buffer_dirty(bh4);
	ASSERT(buffer_dirty(bh4) && bh4->b_list == BUF_DIRTY);
	ASSERT_EQ(bh4->b_flushtime, atomic_load(&e.m->hw.jiffies) + 3000);
	ASSERT_EQ(bs_of(e.m)->nr_buffers_type[BUF_DIRTY], 1);
	ASSERT_EQ(bs_of(e.m)->nr_buffers_type[BUF_CLEAN], 7);
	brelse(bh1);
	brelse(bh2);
	brelse(bh3);
	brelse(bh4);
	ASSERT_EQ(atomic_load(&bh1->b_count), 0);
	blkdev_put(bdev);				/* writes block 9, frees all */
	ASSERT_EQ(bs_of(e.m)->nr_buffers, 0);
	memset(pat, 0x5a, sizeof(pat));
	ASSERT(host_bytes_are(&e, "vdb.img", 9 * 1024, pat, sizeof(pat)));
	fs_env_down(&e);
}

/* Dirty @nr blocks from @first with byte @v, and read @nr_clean more after them. */
static void dirty_and_read(struct block_device *bdev, unsigned long first, unsigned long nr,
			   int v, unsigned long nr_clean)
{
	for (unsigned long b = first; b < first + nr; b++) {
		struct buffer_head *bh = getblk(bdev, b, bdev->block_size);

		ASSERT_NOT_NULL(bh);
		memset(bh->b_data, v, bh->b_size);
		set_buffer_uptodate(bh);
		mark_buffer_dirty(bh);
		brelse(bh);
	}
	for (unsigned long b = first + nr; b < first + nr + nr_clean; b++) {
		struct buffer_head *bh = bread(bdev, b, bdev->block_size);

		ASSERT_NOT_NULL(bh);
		brelse(bh);
	}
}

TEST(buffer_reclaim_frees_clean_and_writes_dirty)
{
	struct fs_env e;
	struct block_device *bdev;
	uint8_t want[4096];
	unsigned long pages;

	fs_env_up(&e, "ram=16M disk=vdb:vdb.img:4M:4096");
	bdev = bdget_by_name(e.m, "vdb");
	ASSERT_EQ(blkdev_get(bdev), 0);
	dirty_and_read(bdev, 0, 8, 0x77, 200);
	pages = nr_blockdev_pages(e.m);
	ASSERT_EQ(pages, 208);
	ASSERT_EQ(bs_of(e.m)->nr_buffers_type[BUF_DIRTY], 8);
	/* every buffer is unused: reclaim takes them all, writing the dirty ones */
	ASSERT_CMP(vmsim_shrink_memory(e.m), >=, pages);
	ASSERT_EQ(nr_blockdev_pages(e.m), 0);
	ASSERT_EQ(bs_of(e.m)->nr_buffers, 0);
	ASSERT_EQ(atomic_load(&bs_of(e.m)->written_reclaim), 8);
	memset(want, 0x77, sizeof(want));
	for (int b = 0; b < 8; b++)
		ASSERT(host_bytes_are(&e, "vdb.img", b * 4096, want, sizeof(want)));
	/* a buffer in use keeps its page */
	{
		struct buffer_head *bh = bread(bdev, 3, 4096);

		ASSERT_NOT_NULL(bh);
		ASSERT_MEMEQ(bh->b_data, want, 4096);	/* read back from the disk */
		vmsim_shrink_memory(e.m);
		ASSERT_EQ(nr_blockdev_pages(e.m), 1);
		brelse(bh);
	}
	blkdev_put(bdev);
	fs_env_down(&e);
}

TEST(buffer_reclaim_under_memory_pressure)
{
	struct fs_env e;
	struct block_device *bdev;
	long addr;

	fs_env_up(&e, "ram=16M disk=vdb:vdb.img:8M:4096");
	bdev = bdget_by_name(e.m, "vdb");
	ASSERT_EQ(blkdev_get(bdev), 0);
	dirty_and_read(bdev, 0, 16, 0x31, 1500);
	ASSERT_EQ(nr_blockdev_pages(e.m), 1516);
	/* anonymous memory wants most of RAM: the buffer pages must go */
	addr = vmsim_mmap(e.m, e.pid, 0, 12UL << 20, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_CMP(addr, >, 0);
	for (unsigned long off = 0; off < (12UL << 20); off += PAGE_SIZE)
		ASSERT_EQ(vmsim_store64(e.m, e.pid, (unsigned long)addr + off, off), 0);
	ASSERT_CMP(nr_blockdev_pages(e.m), <, 1516 / 4);
	ASSERT_EQ(bs_of(e.m)->nr_buffers, nr_blockdev_pages(e.m));	/* one per page */
	ASSERT_EQ(bs_of(e.m)->nr_buffers_type[BUF_DIRTY] + atomic_load(&bs_of(e.m)->written_reclaim) +
		  atomic_load(&bs_of(e.m)->written_bdflush), 16);
	blkdev_put(bdev);
	{
		uint8_t want[4096];

		memset(want, 0x31, sizeof(want));
		for (int b = 0; b < 16; b++)
			ASSERT(host_bytes_are(&e, "vdb.img", b * 4096, want, sizeof(want)));
	}
	fs_env_down(&e);
}

TEST(buffer_bdflush_wakes_over_nfract_only)
{
	struct fs_env e;
	struct block_device *bdev;
	struct buffer_state *bs;
	unsigned long written;

	/* nfract 1%, nfract_stop 0: woken above 1% of the buffer-able memory, writes all */
	fs_env_up(&e, "ram=16M disk=vdb:vdb.img:1M bdflush=1,500,0,0,500,3000,60,0,0");
	bs = bs_of(e.m);
	bdev = bdget_by_name(e.m, "vdb");
	ASSERT_EQ(blkdev_get(bdev), 0);
	dirty_and_read(bdev, 0, 4, 1, 0);		/* one page: under 1% */
	ASSERT_EQ(atomic_load(&bs->bdflush_wanted), 0);
	bdflush_run(e.m);
	ASSERT_EQ(atomic_load(&bs->written_bdflush), 0);
	dirty_and_read(bdev, 4, 4 * 60, 2, 0);		/* 61 pages: over 1% of ~3600 */
	ASSERT_EQ(atomic_load(&bs->bdflush_wanted), 1);
	ASSERT_EQ(atomic_load(&bs->bdflush_wakeups), 1);
	ASSERT_EQ(atomic_load(&bs->written_bdflush), 0);	/* it runs at the scheduling point */
	bdflush_run(e.m);
	written = atomic_load(&bs->written_bdflush);
	ASSERT_EQ(written, 4 * 61);
	ASSERT_EQ(bs->nr_buffers_type[BUF_DIRTY], 0);
	ASSERT_EQ(atomic_load(&bs->bdflush_wanted), 0);
	ASSERT_EQ(atomic_load(&bs->written_kupdate), 0);
	blkdev_put(bdev);
	fs_env_down(&e);
}

TEST(buffer_bdflush_ndirty_bounds_a_wakeup)
{
	struct fs_env e;
	struct block_device *bdev;
	struct buffer_state *bs;

	/* at most 40 blocks a wake-up (ndirty); nfract_sync 100: writers never write */
	fs_env_up(&e, "ram=16M disk=vdb:vdb.img:1M bdflush=1,40,0,0,500,3000,100,0,0");
	bs = bs_of(e.m);
	bdev = bdget_by_name(e.m, "vdb");
	ASSERT_EQ(blkdev_get(bdev), 0);
	dirty_and_read(bdev, 0, 4 * 61, 3, 0);
	ASSERT_EQ(atomic_load(&bs->written_sync), 0);
	bdflush_run(e.m);
	ASSERT_CMP(atomic_load(&bs->written_bdflush), >=, 40);
	ASSERT_CMP(atomic_load(&bs->written_bdflush), <, 40 + 32);	/* one NRSYNC batch past it */
	blkdev_put(bdev);
	fs_env_down(&e);
}

TEST(buffer_kupdate_writes_only_old_buffers)
{
	struct fs_env e;
	struct block_device *bdev;
	struct buffer_state *bs;
	uint8_t one[1024], two[1024];

	fs_env_up(&e, "ram=16M disk=vdb:vdb.img:1M");
	bs = bs_of(e.m);
	bdev = bdget_by_name(e.m, "vdb");
	ASSERT_EQ(blkdev_get(bdev), 0);
	memset(one, 1, sizeof(one));
	memset(two, 2, sizeof(two));
	dirty_and_read(bdev, 10, 1, 1, 0);		/* old at t + 30 s */
	vmsim_sleep(e.m, 1500);
	dirty_and_read(bdev, 20, 1, 2, 0);		/* old at t + 45 s */
	vmsim_sleep(e.m, 1600);				/* t + 31 s: kupdate ran 6 times */
	ASSERT_CMP(atomic_load(&bs->kupdate_runs), >=, 6);
	ASSERT_EQ(atomic_load(&bs->written_kupdate), 1);
	ASSERT(host_bytes_are(&e, "vdb.img", 10 * 1024, one, sizeof(one)));
	ASSERT(!host_bytes_are(&e, "vdb.img", 20 * 1024, two, sizeof(two)));
	ASSERT_EQ(bs->nr_buffers_type[BUF_DIRTY], 1);
	vmsim_sleep(e.m, 1500);				/* t + 46 s */
	ASSERT_EQ(atomic_load(&bs->written_kupdate), 2);
	ASSERT(host_bytes_are(&e, "vdb.img", 20 * 1024, two, sizeof(two)));
	ASSERT_EQ(bs->nr_buffers_type[BUF_DIRTY], 0);
	blkdev_put(bdev);
	fs_env_down(&e);
}

/* writeback=2.4: kupdate (age_buffer 1 s here) writes a file's dirty pages, pdflush does not. */
static bool file_written_after(const char *opts, unsigned long centisecs)
{
	struct fs_env e;
	uint8_t b[4096];
	bool ok;
	int fd;

	fs_env_up(&e, opts);
	fill_pattern(b, sizeof(b), 9);
	put_user_bytes(&e, b, sizeof(b));
	fd = vmsim_open(e.m, e.pid, "f", O_RDWR | O_CREAT, 0644);
	ASSERT_CMP(fd, >=, 0);
	ASSERT_EQ(vmsim_pwrite(e.m, e.pid, fd, e.ubuf, sizeof(b), 0), (long)sizeof(b));
	vmsim_sleep(e.m, centisecs);
	ok = host_bytes_are(&e, "f", 0, b, sizeof(b));
	ASSERT_EQ(vmsim_close(e.m, e.pid, fd), 0);
	fs_env_down(&e);
	return ok;
}

TEST(buffer_writeback_24_hands_file_pages_to_kupdate)
{
	const char *bdf = " bdflush=30,500,0,0,500,100,60,20,0";
	char opts[128];

	snprintf(opts, sizeof(opts), "ram=32M writeback=2.4%s", bdf);
	ASSERT(file_written_after(opts, 600));
	/* 2.6's writeback: dirty_expire 30 s, bdflush's age does not apply to files */
	snprintf(opts, sizeof(opts), "ram=32M writeback=2.6 disk=vdb::64K%s", bdf);
	ASSERT(!file_written_after(opts, 600));
	ASSERT(file_written_after("ram=32M", 3600));
}

TEST(buffer_options_parse_and_show)
{
	struct vmsim_config cfg;
	char err[300], *text;
	struct seq_buf s;
	struct machine *m;

	vmsim_config_default(&cfg);
	ASSERT_EQ(cfg.nr_disks, 0);
	ASSERT_EQ(cfg.writeback, VMSIM_WRITEBACK_26);
	ASSERT_EQ(cfg.bdflush[BDF_AGE_BUFFER], 3000);
	ASSERT_EQ(vmsim_config_set(&cfg, "disk", "vdb:/tmp/x.img:1M", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_set(&cfg, "disk", "vdc::64K:512", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_set(&cfg, "disk", "vdb:y:2M:4096", err, sizeof(err)), 0);
	ASSERT_EQ(cfg.nr_disks, 2);
	ASSERT_STREQ(cfg.disks[0].path, "y");
	ASSERT_EQ(cfg.disks[0].size, 2UL << 20);
	ASSERT_EQ(cfg.disks[0].block_size, 4096);
	ASSERT_EQ(cfg.disks[1].block_size, 512);
	ASSERT_EQ(vmsim_config_set(&cfg, "disk", "vdb:y:1000", err, sizeof(err)), -1);
	ASSERT(strstr(err, "disk"));
	ASSERT_EQ(vmsim_config_set(&cfg, "disk", "vdb:y:1M:1000", err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_config_set(&cfg, "disk", "Vdb:y:1M", err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_config_set(&cfg, "disk", "vdb", err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_config_set(&cfg, "writeback", "2.4", err, sizeof(err)), 0);
	ASSERT_EQ(cfg.writeback, VMSIM_WRITEBACK_24);
	ASSERT_EQ(vmsim_config_set(&cfg, "writeback", "2.5", err, sizeof(err)), -1);
	ASSERT_EQ(vmsim_config_set(&cfg, "bdflush", "40,500,0,0,500,3000,60,20,0", err,
				   sizeof(err)), 0);
	ASSERT_EQ(cfg.bdflush[BDF_NFRACT], 40);
	/* 2.4's bdflush_min/max: age_buffer at least 1 s, nfract at most 100, nine fields */
	ASSERT_EQ(vmsim_config_set(&cfg, "bdflush", "40,500,0,0,500,50,60,20,0", err,
				   sizeof(err)), -1);
	ASSERT_EQ(vmsim_config_set(&cfg, "bdflush", "101,500,0,0,500,3000,60,20,0", err,
				   sizeof(err)), -1);
	ASSERT_EQ(vmsim_config_set(&cfg, "bdflush", "40,500,0,0,500,3000,60,20", err,
				   sizeof(err)), -1);
	ASSERT_EQ(cfg.bdflush[BDF_NFRACT], 40);

	/* vm.bdflush in Linux's order, tab separated, only with a buffer cache */
	m = test_boot("ram=16M writeback=2.4 bdflush=40,500,0,0,500,3000,60,20,0");
	seq_init(&s);
	ASSERT_EQ(proc_show(m, "sys/vm", &s), 0);
	text = seq_take(&s);
	ASSERT(strstr(text, "vm.bdflush = 40\t500\t0\t0\t500\t3000\t60\t20\t0\n"));
	free(text);
	/* sysctl -w at run time: the same ranges, nine fields, blanks or commas */
	ASSERT_EQ(vmsim_sysctl_write_text(m, "vm.bdflush", "50 400 0 0 300 2000 70 10 0"), 0);
	ASSERT_EQ(m->buffers->bdf_prm[BDF_NFRACT], 50);
	ASSERT_EQ(m->buffers->bdf_prm[BDF_AGE_BUFFER], 2000);
	ASSERT_EQ(vmsim_sysctl_write_text(m, "vm.bdflush", "50,400,0,0,300,99,70,10,0"), -EINVAL);
	ASSERT_EQ(vmsim_sysctl_write_text(m, "vm.bdflush", "50 400 0 0 300 2000 70 10"), -EINVAL);
	ASSERT_EQ(vmsim_sysctl_write_text(m, "vm.bdflush", "50 400 0 0 300 2000 70 10 0 1"), -EINVAL);
	ASSERT_EQ(m->buffers->bdf_prm[BDF_AGE_BUFFER], 2000);
	/* other names take one number, as vmsim_sysctl_write */
	ASSERT_EQ(vmsim_sysctl_write_text(m, "vm.overcommit_memory", "1"), 0);
	ASSERT_EQ(vmsim_sysctl_write_text(m, "vm.overcommit_memory", "1 2"), -EINVAL);
	ASSERT_EQ(vmsim_sysctl_write_text(m, "vm.nothing", "1"), -ENOENT);
	test_shutdown(m);
	m = test_boot("ram=16M");
	ASSERT_NULL(m->buffers);
	ASSERT_EQ(vmsim_sysctl_write_text(m, "vm.bdflush", "30 500 0 0 500 3000 60 20 0"), -ENOENT);
	seq_init(&s);
	ASSERT_EQ(proc_show(m, "sys/vm", &s), 0);
	text = seq_take(&s);
	ASSERT(!strstr(text, "bdflush"));
	free(text);
	test_shutdown(m);
}

/*
 * The 2.4 buffer cache (fs/buffer.c) and block devices (fs/block_dev.c),
 * as Linux 2.4's <linux/fs.h> declares them:
 *
 *   struct block_device   /dev/NAME: a simulated disk (hw/disk.c, a host
 *                         file) and the inode whose page cache holds the
 *                         device's blocks (bd_inode, 2.4.10's blockdev
 *                         page cache);
 *   struct buffer_head    one block of a device in memory: its number and
 *                         size (512 .. 4096), state bits, users, and its
 *                         bytes, which live in a page of that page cache
 *                         (b_page, b_data); the buffers of one page form
 *                         a ring (b_this_page) that page->private holds
 *                         while PG_private is set (2.4's page->buffers).
 *
 * Every buffer is in the hash (device, block, size) -> buffer, for getblk,
 * and on one of three lists by state (2.4's lru_list[]): BUF_CLEAN,
 * BUF_LOCKED (I/O in flight) and BUF_DIRTY, the last in the order the
 * buffers were dirtied, so its head is the oldest (kupdate's test).
 * b_flushtime is when a dirty buffer becomes old (dirtied + age_buffer).
 *
 * A page's buffers hold a page reference (as 2.4: page_count counts
 * page->buffers); try_to_free_buffers, called by reclaim for such pages,
 * drops it with the buffers.  The dirty state of a block device page is
 * its buffers' (no PG_dirty tag, no NR_FILE_DIRTY); meminfo's Dirty adds
 * the dirty buffers' bytes, its Buffers is the block devices' page cache.
 *
 * bdflush and kupdate are kernel threads (task_structs named as 2.4's),
 * run at the scheduling point (kswapd_run) on virtual time
 * (m->hw.jiffies): bdflush when woken (dirty buffers above nfract percent,
 * memory short, page_launder), kupdate every `interval` jiffies.
 *
 * Locks: buffer_state.lru_list_lock (a spinlock, innermost but for the
 * allocators' locks: nothing is allocated and no I/O done under it)
 * protects the hash, the lists, their counts and every page's buffer ring
 * (attaching and freeing; walking it needs the page lock or this lock).
 * BH_Lock is the buffer's I/O lock (taken with no spinlock held).
 */
#ifndef KERN_BUFFER_HEAD_H
#define KERN_BUFFER_HEAD_H

#include "kern/fs.h"
#include "hw/disk.h"

/* b_state bits (2.4's enum bh_state_bits) */
enum bh_state_bits {
	BH_Uptodate,	/* the buffer holds the block's current bytes */
	BH_Dirty,	/* they must be written */
	BH_Lock,	/* I/O in flight */
	BH_Req,		/* the block was read or written once (unset: never done) */
	BH_Mapped,	/* b_blocknr names a block of the device */
	BH_New,		/* freshly mapped (unused by block devices) */
};

/* The lists (2.4's lru_list[] indices) */
#define BUF_CLEAN	0
#define BUF_LOCKED	1
#define BUF_DIRTY	2
#define NR_LIST		3

struct block_device;
struct seq_buf;
struct task_struct;

struct buffer_head {
	struct buffer_head *b_next;		/* hash chain */
	unsigned long b_blocknr;		/* block number, in b_size units */
	unsigned int b_size;			/* 512 .. 4096 */
	unsigned int b_list;			/* BUF_* list it is on */
	struct block_device *b_bdev;		/* 2.4's b_dev */
	atomic_int b_count;			/* users (getblk .. brelse) */
	atomic_uint b_state;			/* BH_* bits */
	unsigned long b_flushtime;		/* jiffies at which a dirty buffer is old */
	struct list_head b_lru;			/* on lru_list[b_list] */
	struct buffer_head *b_this_page;	/* the ring of the page's buffers */
	char *b_data;				/* its bytes: in b_page (lowmem) */
	struct page *b_page;
};

#define BUFFER_FNS(bit, name)							\
static inline bool buffer_##name(const struct buffer_head *bh)			\
{ return atomic_load(&bh->b_state) & (1u << BH_##bit); }			\
static inline void set_buffer_##name(struct buffer_head *bh)			\
{ atomic_fetch_or(&bh->b_state, 1u << BH_##bit); }				\
static inline void clear_buffer_##name(struct buffer_head *bh)			\
{ atomic_fetch_and(&bh->b_state, ~(1u << BH_##bit)); }				\
static inline bool test_set_buffer_##name(struct buffer_head *bh)		\
{ return atomic_fetch_or(&bh->b_state, 1u << BH_##bit) & (1u << BH_##bit); }	\
static inline bool test_clear_buffer_##name(struct buffer_head *bh)		\
{ return atomic_fetch_and(&bh->b_state, ~(1u << BH_##bit)) & (1u << BH_##bit); }

BUFFER_FNS(Uptodate, uptodate)
BUFFER_FNS(Dirty, dirty)
BUFFER_FNS(Lock, locked)
BUFFER_FNS(Req, req)
BUFFER_FNS(Mapped, mapped)

/* page->buffers of 2.4: the ring's first buffer, while PG_private is set */
static inline bool page_has_buffers(const struct page *page)
{
	return PagePrivate(page);
}
static inline struct buffer_head *page_buffers(const struct page *page)
{
	return (struct buffer_head *)page->private;
}

/* A block device of /dev (fs/block_dev.c). */
struct block_device {
	char name[16];				/* "vdb": /dev/vdb */
	unsigned int major, minor;
	char path[256];				/* host file ("": a temporary one) */
	uint64_t size;				/* bytes */
	unsigned int block_size;		/* its buffers' size */
	struct inode *bd_inode;			/* its page cache (made at boot) */
	struct semaphore bd_sem;		/* opening and the last close */
	int bd_openers;				/* open files; the disk is open while > 0 */
	struct sim_disk disk;			/* hw/disk.c: the host file */
};

/* Machine-wide buffer cache state (m->buffers). */
struct buffer_state {
	spinlock_t lru_list_lock;
	kmem_cache_t *bh_cachep;		/* "buffer_head" */
	struct buffer_head **hash_table;	/* BH_HASH_SIZE chains */
	struct list_head lru_list[NR_LIST];
	unsigned long nr_buffers_type[NR_LIST];
	unsigned long size_buffers_type[NR_LIST];	/* bytes */
	unsigned long nr_buffers;		/* every buffer_head alive */
	int bdf_prm[VMSIM_BDFLUSH_PARAMS];	/* vm.bdflush */
	atomic_int bdflush_wanted;		/* wakeup_bdflush: bdflush runs at the next point */
	atomic_ulong next_kupdate;		/* jiffies */
	spinlock_t run_lock;			/* trylock: one CPU runs bdflush or kupdate */
	struct task_struct *bdflush_task, *kupdate_task;
	/* buffers written, by whom (for the tests) */
	atomic_ulong written_bdflush, written_kupdate, written_sync, written_reclaim;
	atomic_ulong bdflush_wakeups, kupdate_runs;
	/* the block devices */
	int nr_bdevs;
	struct block_device *bdevs;		/* nr_bdevs of them (calloc) */
};

#define BH_HASH_SIZE	1024

/* vm.bdflush's fields by name (2.4.20's union bdflush_param) */
enum { BDF_NFRACT, BDF_NDIRTY, BDF_DUMMY2, BDF_DUMMY3, BDF_INTERVAL, BDF_AGE_BUFFER,
       BDF_NFRACT_SYNC, BDF_NFRACT_STOP, BDF_DUMMY5 };

/* Who asks for a write, for the counts. */
enum bh_writer { BHW_SYNC, BHW_BDFLUSH, BHW_KUPDATE, BHW_RECLAIM };

/* --- fs/buffer.c -------------------------------------------------------------- */

/* Boot: the cache, the hash, the threads; teardown (every buffer must be gone). */
int buffer_init(struct machine *m);
void buffer_fini(struct machine *m);

/* The buffer of (@bdev, @block) with a reference, uptodate or not; NULL if no memory. */
struct buffer_head *getblk(struct block_device *bdev, unsigned long block, unsigned int size);
/* getblk and read it if not uptodate; NULL on -EIO or no memory. */
struct buffer_head *bread(struct block_device *bdev, unsigned long block, unsigned int size);
/* Drop a getblk/bread reference. */
void brelse(struct buffer_head *bh);
/* The buffer's bytes are newer than the disk's: BUF_DIRTY, flushtime; may throttle. */
void mark_buffer_dirty(struct buffer_head *bh);
/* READ or WRITE each buffer (a locked one, or one with nothing to do, is skipped). */
#define READ	0
#define WRITE	1
void ll_rw_block(int rw, int nr, struct buffer_head *bhs[]);
void wait_on_buffer(struct buffer_head *bh);

/* The page's buffer ring for @blocksize (page locked, no buffers yet); false: no memory. */
bool create_empty_buffers(struct page *page, struct block_device *bdev, unsigned int blocksize);
/* a_ops of a block device's page cache: read the page's blocks / write its dirty ones. */
int block_read_full_page(struct page *page);
int block_write_full_page(struct page *page);
/* set_page_dirty of a block device page: its buffers become dirty (no I/O). */
void set_page_buffers_dirty(struct page *page);
/*
 * try_to_free_buffers - free the locked page's buffers if none is in use;
 * dirty ones are written first when @can_write (2.4's sync_page_buffers,
 * synchronous here), then freed.  Drops the buffers' page reference.
 * True if the page has no buffers left.
 */
bool try_to_free_buffers(struct page *page, bool can_write);

/* Write every dirty buffer of @bdev (NULL: all devices); 0 or -EIO. */
int sync_buffers(struct block_device *bdev);

/* bdflush and kupdate: wake, the scheduling point, a pass of each */
void wakeup_bdflush(struct machine *m);
/* 2.4's balance_dirty: wake bdflush above nfract; above nfract_sync write some here. */
void balance_dirty(struct machine *m);
void bdflush_run(struct machine *m);
unsigned long bdflush_pass(struct machine *m);
unsigned long kupdate_pass(struct machine *m);
/* Bytes of dirty buffers; pages of the block devices' page cache (meminfo). */
unsigned long nr_dirty_buffer_bytes(struct machine *m);
unsigned long nr_blockdev_pages(struct machine *m);
/* vm.bdflush: print the nine fields; set them from text (0, -EINVAL: not nine in range). */
void show_bdflush(struct machine *m, struct seq_buf *s);
int write_bdflush(struct machine *m, const char *value);
/* 2.4.20's bdflush_min and bdflush_max (HZ 100) */
extern const int bdflush_min[VMSIM_BDFLUSH_PARAMS], bdflush_max[VMSIM_BDFLUSH_PARAMS];

/* --- fs/block_dev.c ----------------------------------------------------------- */

#define VIRTBLK_MAJOR	254	/* the block major of the simulated disks */

/* Boot: a block_device and its bd_inode per configured disk; teardown. */
int blkdev_init(struct machine *m);
void blkdev_exit(struct machine *m);
/* The block device of /dev/@name, or NULL. */
struct block_device *bdget_by_name(struct machine *m, const char *name);
/* The inode of device file @path if it names a block device (NULL, *err -ENOENT otherwise). */
struct inode *blkdev_lookup(struct machine *m, const char *path, int *err);
/* The block device of a bd_inode's page cache (NULL for any other mapping). */
struct block_device *mapping_bdev(struct address_space *mapping);
/* Open the device for a kernel user (tests): its disk ready; blkdev_put undoes it. */
int blkdev_get(struct block_device *bdev);
void blkdev_put(struct block_device *bdev);
/* /proc/diskstats */
void show_diskstats(struct machine *m, struct seq_buf *s);

#endif

/*
 * Files as the memory manager sees them (Linux's <linux/fs.h>, trimmed):
 *
 *   struct file           one open of a file: position, mode, readahead
 *     -> struct inode     one per file: size, the host file behind it
 *          -> struct address_space   its page cache (radix tree of pages)
 *                -> a_ops            readpage / writepage: the backing store
 *   struct files_struct   a task's descriptor table (fd -> struct file)
 *
 * Two kinds of inode: hostfs (fs/hostfs.c) for files backed by host files
 * below the machine's root directory, and shmem (mm/shmem.c) for shared
 * anonymous memory, whose pages are swap-backed.
 *
 * Reference counts:
 *   file->f_count    descriptors, VMAs mapping it (vm_file), calls in
 *                    progress; the last fput releases the file and its
 *                    inode reference.
 *   inode->i_count   open files and lookups; the last iput drops the page
 *                    cache (writing dirty pages back first), the host
 *                    file, the inode.  So when every file is closed and
 *                    every mapping gone, every page-cache page is freed:
 *                    vmsim keeps no cache of closed files (Linux would).
 *   files->count     tasks sharing the table (CLONE_FILES / CLONE_VM).
 *
 * Lock order: inode->i_sem -> mm->mmap_sem -> page lock (PG_locked)
 *   -> mapping->tree_lock -> pagemap_lru_lock -> zone->lock;
 *   fs->inode_lock and files->file_lock are leaves.
 * The reverse map: inode->i_sem -> mm->mmap_sem -> mapping->i_shared_lock
 *   -> mm->page_table_lock (-> tree_lock, set_page_dirty in a zap).
 *   Truncate takes i_shared_lock without mmap_sem (2.4's vmtruncate); no
 *   allocation and no page lock under i_shared_lock.
 */
#ifndef KERN_FS_H
#define KERN_FS_H

#include <stdint.h>
#include "kern/radix-tree.h"
#include "kern/mm_types.h"

typedef int64_t loff_t;

/* Largest file size (the page index must fit an unsigned long, and off_t) */
#define MAX_LFS_FILESIZE	INT64_MAX

/* f_mode */
#define FMODE_READ		0x1u
#define FMODE_WRITE		0x2u

/* page-cache radix tree tags */
#define PAGECACHE_TAG_DIRTY	0
#define PAGECACHE_TAG_WRITEBACK	1

struct file;
struct inode;
struct page;
struct machine;

struct address_space_operations {
	/*
	 * Synchronous, as our disks: the page is locked by the caller and
	 * stays locked.  readpage fills a !Uptodate page (zeroes past the end
	 * of the file) and sets PG_uptodate; writepage writes a page whose
	 * dirty bit the caller cleared.  0 or -errno.
	 */
	int (*readpage)(struct file *file, struct page *page);
	int (*writepage)(struct page *page);
	/*
	 * set_page_dirty (2.6's hook; NULL: the page cache's own, which tags
	 * the page): a block device's pages keep their dirt in their buffers
	 * (fs/block_dev.c).  Returns true if the page was clean.
	 */
	bool (*set_page_dirty)(struct page *page);
};

struct address_space {
	spinlock_t tree_lock;		/* page_tree, nrpages, wb_err */
	struct radix_tree_root page_tree;
	unsigned long nrpages;
	const struct address_space_operations *a_ops;
	struct inode *host;
	gfp_t gfp_mask;			/* for page-cache pages */
	bool swapbacked;		/* shmem: PG_swapbacked pages, NR_SHMEM */
	int wb_err;			/* first writeback error since the last fsync */
	/*
	 * The reverse map from the file to its mappings (2.4): every VMA
	 * mapping it, private ones on i_mmap, VM_SHARED ones on i_mmap_shared,
	 * linked through vm_next_share/vm_pprev_share (mm/vma.c).
	 */
	spinlock_t i_shared_lock;		/* i_mmap, i_mmap_shared, truncate_count */
	struct vm_area_struct *i_mmap;		/* i_shared_lock */
	struct vm_area_struct *i_mmap_shared;	/* i_shared_lock */
	/* bumped (under i_shared_lock) by each truncate unmap pass; read locklessly */
	atomic_ulong truncate_count;
};

struct file_ra_state;

struct file_operations {
	/* a character device's open and last close (fs/char_dev.c); 0 or -errno */
	int (*open)(struct inode *inode, struct file *file);
	int (*release)(struct inode *inode, struct file *file);
	/* read/write at *@pos to/from the user buffer @buf; bytes or -errno */
	long (*read)(struct file *file, unsigned long buf, size_t count, loff_t *pos);
	long (*write)(struct file *file, unsigned long buf, size_t count, loff_t *pos);
	/* set vma->vm_ops for a new mapping; 0 or -errno */
	int (*mmap)(struct file *file, struct vm_area_struct *vma);
	int (*fsync)(struct file *file, int datasync);
};

/* inode kinds */
#define I_HOSTFS	1
#define I_SHMEM		2
#define I_CHRDEV	3	/* a device file under /dev (fs/char_dev.c) */
#define I_BLKDEV	4	/* a block device's file or its bd_inode (fs/block_dev.c) */

struct inode {
	unsigned long i_ino;
	unsigned int i_dev_major, i_dev_minor;	/* as /proc/PID/maps prints */
	unsigned int i_mode;			/* S_IFREG / S_IFDIR / S_IFCHR | permissions */
	int i_kind;				/* I_HOSTFS, I_SHMEM */
	_Atomic loff_t i_size;			/* written under i_sem */
	atomic_int i_count;
	struct semaphore i_sem;			/* writers, truncate */
	struct address_space i_data;
	struct address_space *i_mapping;	/* &i_data */
	const struct file_operations *i_fop;
	struct list_head i_hash;		/* fs->inode_lock: hostfs lookup */
	struct machine *i_machine;
	/* hostfs */
	int host_fd;				/* -1 for shmem and directories */
	union {
		uint64_t host_dev;		/* hostfs: the host file's device */
		uint64_t i_rdev;		/* I_CHRDEV, I_BLKDEV: MKDEV(major, minor) */
	};
	uint64_t host_ino;
	char *i_path;				/* "/a/b" below the root (kmalloc) */
	void *i_private;			/* shmem: struct shmem_inode_info;
						 * I_BLKDEV: struct block_device */
};

/*
 * Readahead state per open file: the 2.6 on-demand window.  [start,
 * start + size) was the last window read; when a read reaches the page
 * start + size - async_size (the marker), the next window (twice the size,
 * up to ra_pages) is read.  A miss that does not follow the window starts
 * afresh: a random read reads just what it needs.
 */
struct file_ra_state {
	unsigned long start;
	unsigned int size;
	unsigned int async_size;
	unsigned int ra_pages;		/* maximum window, pages */
	unsigned long prev_index;	/* page of the last read (~0: none) */
};

#define VM_MAX_READAHEAD	128	/* KiB, Linux's default read_ahead_kb */

struct file {
	atomic_long f_count;
	unsigned int f_flags;		/* O_* as given to open (O_CREAT & co. stripped) */
	unsigned int f_mode;		/* FMODE_* */
	spinlock_t f_pos_lock;		/* f_pos, f_ra */
	loff_t f_pos;
	struct file_ra_state f_ra;
	struct inode *f_inode;
	struct address_space *f_mapping;
	const struct file_operations *f_op;
	struct machine *f_machine;
};

/* A task's descriptor table.  file_lock protects fd[] and max_fds. */
struct files_struct {
	atomic_int count;
	spinlock_t file_lock;
	unsigned int max_fds;		/* size of fd[] */
	struct file **fd;		/* kmalloc'd */
	unsigned long *close_on_exec;	/* kept for O_CLOEXEC (no exec yet) */
};

/* Machine-wide file state (m->fs). */
struct fs_state {
	spinlock_t inode_lock;			/* inode_list, next_ino */
	struct list_head inode_list;		/* hostfs inodes, for lookup */
	unsigned long nr_inodes;
	unsigned long next_shmem_ino;
	/* hostino=off: the host files (dev, ino) met so far; file i is inode i + 2 */
	struct hostfs_ino { uint64_t dev, ino; } *host_inos;
	unsigned long nr_host_inos, cap_host_inos;
	kmem_cache_t *radix_tree_node_cachep;	/* "radix_tree_node" */
	kmem_cache_t *inode_cachep;		/* "inode_cache" */
	kmem_cache_t *filp_cachep;		/* "filp" */
	kmem_cache_t *files_cachep;		/* "files_cache" */
	int root_fd;				/* host directory (O_PATH), -1 if none */
	char root_path[4096];
	/* statistics: readahead windows and pages, writeback */
	atomic_ulong ra_windows, ra_pages_read, pages_written;
};

/* --- fs/inode.c: machine init, inodes, files ---------------------------- */

/* The file subsystem of @m: caches, root = the current directory.  0 or -ENOMEM. */
int fs_init(struct machine *m);
/* Teardown: every inode must be gone (BUG otherwise, naming it). */
void fs_fini(struct machine *m);
/* Set the machine root (a host directory): 0 or -errno (ENOENT, ENOTDIR). */
int fs_set_root(struct machine *m, const char *path);

struct inode *new_inode(struct machine *m);
static inline void __iget(struct inode *inode)
{
	atomic_fetch_add(&inode->i_count, 1);
}
/* Drop a reference; the last one writes dirty pages back and frees everything. */
void iput(struct inode *inode);

/* A new open file of @inode (takes an inode reference); NULL on -ENOMEM. */
struct file *alloc_file(struct inode *inode, unsigned int flags, unsigned int mode);
static inline struct file *get_file(struct file *f)
{
	atomic_fetch_add(&f->f_count, 1);
	return f;
}
void fput(struct file *f);
/* For /proc/PID/maps: the path, device and inode of a mapped file. */
const char *file_path_name(const struct file *f);
void file_dev_ino(const struct file *f, unsigned int *major, unsigned int *minor,
		  unsigned long *ino);

/* --- fs/hostfs.c --------------------------------------------------------- */

/*
 * hostfs_open - the inode of @path (below the machine root; ".." never
 * leaves it) with open(2) @flags and @mode for O_CREAT.  The inode is
 * shared by every open of the same host file.  Returns it with a
 * reference, or an errno in *err (ENOENT, EACCES, EISDIR, ENOTDIR, ...).
 */
struct inode *hostfs_open(struct machine *m, const char *path, int flags, unsigned int mode,
			  int *err);
/* Host file size change (truncate): 0 or -errno. */
int hostfs_setsize(struct inode *inode, loff_t size);
/* Flush the host file (fsync(2) of it): 0 or -EIO. */
int hostfs_fsync_host(struct inode *inode);
void hostfs_release(struct inode *inode);

/* --- fs/open.c: descriptors and file system calls ------------------------ */

struct task_struct;
/* fork: share (CLONE_FILES or CLONE_VM) or copy the parent's table.  0 or -ENOMEM. */
int files_fork(unsigned long clone_flags, struct task_struct *p, struct task_struct *parent);
/* exit: drop the task's table (the last user closes every file). */
void files_exit(struct task_struct *t);
/* The open file behind @fd of current with a reference, or NULL. */
struct file *fget(unsigned int fd);

long sys_open(const char *path, int flags, unsigned int mode);
long sys_close(unsigned int fd);
long sys_read(unsigned int fd, unsigned long buf, size_t count);
long sys_write(unsigned int fd, unsigned long buf, size_t count);
long sys_pread64(unsigned int fd, unsigned long buf, size_t count, loff_t pos);
long sys_pwrite64(unsigned int fd, unsigned long buf, size_t count, loff_t pos);
loff_t sys_lseek(unsigned int fd, loff_t offset, int whence);
long sys_ftruncate(unsigned int fd, loff_t length);
long sys_truncate(const char *path, loff_t length);
long sys_fsync(unsigned int fd);
long sys_fdatasync(unsigned int fd);
long sys_msync(unsigned long start, size_t len, int flags);

/* --- the reverse map: a file's VMAs (mm/vma.c, mm/filemap.c) ------------ */

/* Take / drop the i_shared_lock of @vma's file (nothing for an anonymous VMA). */
void lock_vma_mappings(struct vm_area_struct *vma);
void unlock_vma_mappings(struct vm_area_struct *vma);
/* dup_mmap: link the child's copy @vma just after @orig on their file's list. */
void vma_link_file_after(struct vm_area_struct *vma, struct vm_area_struct *orig);
/* The VMAs on @mapping's lists: private (i_mmap) and shared (i_mmap_shared). */
void mapping_nr_mmaps(struct address_space *mapping, unsigned long *nr_private,
		      unsigned long *nr_shared);
/*
 * mapping_i_mmap_is_valid - @mapping's two lists are well linked, hold
 * only VMAs of this file with the right VM_SHARED, none twice.  BUGs
 * naming the VMA if not.
 */
bool mapping_i_mmap_is_valid(struct address_space *mapping);
/*
 * i_mmap_is_valid - every file VMA of every live mm is on its mapping's
 * list exactly once, and the lists hold nothing else.  For tests, with
 * the address spaces quiescent.  BUGs naming the VMA or mapping if not.
 */
bool i_mmap_is_valid(struct machine *m);

/* --- mm/shmem.c ---------------------------------------------------------- */

/* A shmem file of @size bytes (MAP_SHARED|MAP_ANONYMOUS); NULL on -ENOMEM. */
struct file *shmem_file_setup(struct machine *m, loff_t size, unsigned long flags);
/* do_mmap's hook: give a shared anonymous @vma its shmem file.  0 or -ENOMEM. */
int shmem_zero_setup(struct vm_area_struct *vma);
bool vma_is_shmem(const struct vm_area_struct *vma);
/* iput's last reference to a shmem inode: its pages and swap slots go. */
void shmem_delete_inode(struct inode *inode);

#endif

/*
 * Character devices (fs/char_dev.c, Linux's fs/char_dev.c and fs/devices.c
 * with a fixed /dev): drivers register their file_operations by major
 * number; the device files of /dev name a (major, minor) each, as mknod
 * made them.  Opening /dev/NAME finds the driver of its major, loading
 * its module on demand first (2.4's request_module("char-major-N")),
 * and the file gets the driver's operations (open, release, read, write,
 * mmap).
 *
 * Modules are built in (drivers/char/): struct chrdev_module names their
 * init and exit.  A module stays loaded until unloaded by name
 * (chrdev_module_unload: -EBUSY while a file of it is open, as rmmod with
 * a use count) or at shutdown (chrdev_unload_modules for those loaded
 * since boot, once the last task has exited and before the accounting
 * check; chrdev_exit for the rest), so what it allocated comes back
 * exactly.
 *
 * Locking: chrdev_state.lock (a leaf) protects the registry and the
 * modules' state; a module's init and exit run under load_sem, which is
 * taken with no other lock held.
 */
#ifndef KERN_CHRDEV_H
#define KERN_CHRDEV_H

#include "kern/fs.h"
#include "kern/spinlock.h"

#define CHRDEV_MAJORS	256
#define MINORBITS	20
#define MKDEV(ma, mi)	(((uint64_t)(ma) << MINORBITS) | (mi))
#define MAJOR(dev)	((unsigned int)((dev) >> MINORBITS))
#define MINOR(dev)	((unsigned int)((dev) & ((1U << MINORBITS) - 1)))
#define MEM_MAJOR	1	/* /dev/mem, /dev/null, /dev/zero (drivers/char/mem.c) */
#define MMAPDRV_MAJOR	254	/* the seeds' mmapdrv (drivers/char/mmapdrv.c) */

/* A built-in module: its name, the major it provides, its init and exit. */
struct chrdev_module {
	const char *name;
	unsigned int major;
	int (*init)(struct machine *m);
	void (*exit)(struct machine *m);
	bool autoload;		/* loaded by the first open of its device, not at boot */
};

struct chrdev_state {
	spinlock_t lock;
	struct {
		const char *name;
		const struct file_operations *fops;
	} chrdevs[CHRDEV_MAJORS];
	struct semaphore load_sem;		/* module init and exit */
	bool loaded[8];				/* per module of the built-in table */
	bool boot_loaded[8];			/* loaded by chrdev_init: in the boot snapshot */
	atomic_int users[8];			/* open files of each module */
	void *driver_data[CHRDEV_MAJORS];	/* the driver's machine-wide state */
};

/* Is @path a device file path ("/dev/...")? */
bool chrdev_path(const char *path);
/* The inode of device file @path, with a reference; NULL with *err (ENOENT, ENXIO, ...). */
struct inode *chrdev_lookup(struct machine *m, const char *path, int *err);
struct inode *devtmpfs_inode(struct machine *m, const char *path, unsigned int mode,
			     unsigned long ino);

/* iput of a device inode (fs/inode.c): its module's use count drops. */
void chrdev_inode_release(struct inode *inode);

/* register_chrdev: @major's driver (0 asks for a free major, returned).  -EBUSY if taken. */
int register_chrdev(struct machine *m, unsigned int major, const char *name,
		    const struct file_operations *fops);
int unregister_chrdev(struct machine *m, unsigned int major, const char *name);

/* Load or unload a built-in module by name: 0, -ENOENT, -EEXIST, -EBUSY (in use). */
int chrdev_module_load(struct machine *m, const char *name);
int chrdev_module_unload(struct machine *m, const char *name);
/* Is the module loaded? (false for an unknown name) */
bool chrdev_module_loaded(struct machine *m, const char *name);

/* Boot: the registry and the modules loaded at boot; shutdown: every module unloaded. */
int chrdev_init(struct machine *m);
/* Shutdown, after the last task: unload the modules loaded since boot (before the accounting check). */
void chrdev_unload_modules(struct machine *m);
void chrdev_exit(struct machine *m);

/*
 * /dev/mmapdrv's file offsets (drivers/char/mmapdrv.c): each region of
 * the device is mapped or read at its own offset.
 */
#define MMAPDRV_KMALLOC_OFF	0x000000UL	/* the kmalloc buffer (remap_page_range) */
#define MMAPDRV_VMALLOC_OFF	0x100000UL	/* the vmalloc buffer (nopage) */
#define MMAPDRV_MMIO_OFF	0x200000UL	/* device memory (ioremap, remap_page_range) */
#define MMAPDRV_KMALLOC_SIZE	(4 * PAGE_SIZE)
#define MMAPDRV_VMALLOC_SIZE	(4 * PAGE_SIZE)

/* Where mmapdrv's buffers are (kernel virtual and physical addresses); 0 if not loaded. */
struct mmapdrv_info {
	unsigned long kmalloc_addr;	/* direct-map address of the kmalloc buffer */
	phys_addr_t kmalloc_phys;
	unsigned long vmalloc_addr;
	unsigned long mmio_addr;	/* ioremap's address of the device memory */
	phys_addr_t mmio_phys;
	unsigned long mmio_size;
};
int mmapdrv_get_info(struct machine *m, struct mmapdrv_info *info);

/* The built-in modules (drivers/char/). */
extern const struct chrdev_module mem_module, mmapdrv_module;

#endif

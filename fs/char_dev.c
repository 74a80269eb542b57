/*
 * fs/char_dev.c - character devices: the registry of drivers by major
 * (register_chrdev), the device files of /dev (a fixed table, as mknod
 * would have made them: /dev/mem, /dev/null, /dev/zero, /dev/mmapdrv),
 * the open path that gives a file its driver's operations, and the
 * built-in modules (drivers/char/) loaded at boot or on the first open of
 * their device, unloaded by name or at shutdown (see kern/chrdev.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "kern/chrdev.h"
#include "kern/slab.h"
#include "kern/printk.h"

/* The device files, as `ls -li /dev` shows them (devtmpfs: device 00:06). */
static const struct dev_node {
	const char *name;
	unsigned int major, minor;
	unsigned long ino;
} dev_nodes[] = {
	{ "mem", MEM_MAJOR, 1, 2 },
	{ "null", MEM_MAJOR, 3, 3 },
	{ "zero", MEM_MAJOR, 5, 4 },
	{ "mmapdrv", MMAPDRV_MAJOR, 0, 5 },
};
#define DEVFS_MINOR	6

static const struct chrdev_module *const modules[] = { &mem_module, &mmapdrv_module };
#define NR_MODULES	(sizeof(modules) / sizeof(modules[0]))

static int module_index(const char *name)
{
	for (unsigned int i = 0; i < NR_MODULES; i++)
		if (!strcmp(modules[i]->name, name))
			return (int)i;
	return -1;
}

static int module_of_major(unsigned int major)
{
	for (unsigned int i = 0; i < NR_MODULES; i++)
		if (modules[i]->major == major)
			return (int)i;
	return -1;
}

bool chrdev_path(const char *path)
{
	return !strncmp(path, "/dev/", 5);
}

int register_chrdev(struct machine *m, unsigned int major, const char *name,
		    const struct file_operations *fops)
{
	struct chrdev_state *cs = m->chrdev;
	int ret = -EBUSY;

	if (major >= CHRDEV_MAJORS || !fops)
		return -EINVAL;
	spin_lock(&cs->lock);
	if (!major) {
		/* a dynamic major: the highest free one, as 2.4 */
		for (major = CHRDEV_MAJORS - 1; major > 0 && cs->chrdevs[major].fops; major--)
			;
	}
	if (major && !cs->chrdevs[major].fops) {
		cs->chrdevs[major].name = name;
		cs->chrdevs[major].fops = fops;
		ret = (int)major;
	}
	spin_unlock(&cs->lock);
	return ret;
}

int unregister_chrdev(struct machine *m, unsigned int major, const char *name)
{
	struct chrdev_state *cs = m->chrdev;
	int ret = -EINVAL;

	if (major >= CHRDEV_MAJORS)
		return -EINVAL;
	spin_lock(&cs->lock);
	if (cs->chrdevs[major].fops && !strcmp(cs->chrdevs[major].name, name)) {
		cs->chrdevs[major].fops = NULL;
		cs->chrdevs[major].name = NULL;
		ret = 0;
	}
	spin_unlock(&cs->lock);
	return ret;
}

/* --- modules ------------------------------------------------------------------- */

static int module_load(struct machine *m, int i, bool quiet)
{
	struct chrdev_state *cs = m->chrdev;
	int err = 0;

	down(&cs->load_sem);
	if (cs->loaded[i]) {
		err = -EEXIST;
	} else {
		err = modules[i]->init(m);
		if (!err) {
			cs->loaded[i] = true;
			if (!quiet)
				printk(m, "%s: module loaded\n", modules[i]->name);
		}
	}
	up(&cs->load_sem);
	return err;
}

static int module_unload(struct machine *m, int i)
{
	struct chrdev_state *cs = m->chrdev;
	int err = 0;

	down(&cs->load_sem);
	if (!cs->loaded[i])
		err = -ENOENT;
	else if (atomic_load(&cs->users[i]))
		err = -EBUSY;		/* rmmod: "Module is in use" */
	else {
		modules[i]->exit(m);
		cs->loaded[i] = false;
		printk(m, "%s: module unloaded\n", modules[i]->name);
	}
	up(&cs->load_sem);
	return err;
}

int chrdev_module_load(struct machine *m, const char *name)
{
	int i = module_index(name);

	return i < 0 ? -ENOENT : module_load(m, i, false);
}

int chrdev_module_unload(struct machine *m, const char *name)
{
	int i = module_index(name);

	return i < 0 ? -ENOENT : module_unload(m, i);
}

bool chrdev_module_loaded(struct machine *m, const char *name)
{
	int i = module_index(name);

	return i >= 0 && m->chrdev->loaded[i];
}

/* --- opening a device file ------------------------------------------------------ */

/* The driver of @major, its module loaded on demand (request_module); users counted. */
static const struct file_operations *get_chrfops(struct machine *m, unsigned int major)
{
	struct chrdev_state *cs = m->chrdev;
	const struct file_operations *fops;
	int i = module_of_major(major);

	if (i >= 0 && modules[i]->autoload && !cs->loaded[i])
		module_load(m, i, false);	/* "char-major-N": an error leaves no driver */
	down(&cs->load_sem);
	spin_lock(&cs->lock);
	fops = cs->chrdevs[major].fops;
	spin_unlock(&cs->lock);
	if (fops && i >= 0)
		atomic_fetch_add(&cs->users[i], 1);
	up(&cs->load_sem);
	return fops;
}

static void put_chrfops(struct machine *m, unsigned int major)
{
	int i = module_of_major(major);

	if (i >= 0)
		atomic_fetch_sub(&m->chrdev->users[i], 1);
}

void chrdev_inode_release(struct inode *inode)
{
	put_chrfops(inode->i_machine, MAJOR(inode->i_rdev));
}

struct inode *chrdev_lookup(struct machine *m, const char *path, int *err)
{
	const struct dev_node *node = NULL;
	const struct file_operations *fops;
	struct inode *inode;

	for (unsigned int i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++)
		if (!strcmp(path + 5, dev_nodes[i].name))
			node = &dev_nodes[i];
	if (!node) {
		*err = -ENOENT;
		return NULL;
	}
	fops = get_chrfops(m, node->major);
	if (!fops) {
		*err = -ENXIO;		/* chrdev_open: no driver for the major */
		return NULL;
	}
	inode = devtmpfs_inode(m, path, S_IFCHR | 0666, node->ino);
	if (!inode) {
		put_chrfops(m, node->major);
		*err = -ENOMEM;
		return NULL;
	}
	inode->i_kind = I_CHRDEV;
	inode->i_rdev = MKDEV(node->major, node->minor);
	inode->i_fop = fops;	/* no page cache (a_ops NULL): the driver maps what it maps */
	return inode;
}

/*
 * A node of /dev (devtmpfs, device 00:06) named @path: the inode both
 * chrdev_lookup and blkdev_lookup hand to open, without a kind yet (so an
 * iput before the caller sets one releases nothing).  NULL: out of memory.
 */
struct inode *devtmpfs_inode(struct machine *m, const char *path, unsigned int mode,
			     unsigned long ino)
{
	struct inode *inode = new_inode(m);

	if (!inode)
		return NULL;
	inode->i_path = kmalloc(strlen(path) + 1, GFP_KERNEL);
	if (!inode->i_path) {
		iput(inode);
		return NULL;
	}
	strcpy(inode->i_path, path);
	inode->i_mode = mode;
	inode->i_ino = ino;
	inode->i_dev_major = 0;
	inode->i_dev_minor = DEVFS_MINOR;
	inode->i_data.a_ops = NULL;
	return inode;
}

/* --- boot and shutdown ----------------------------------------------------------- */

int chrdev_init(struct machine *m)
{
	struct chrdev_state *cs = calloc(1, sizeof(*cs));

	if (!cs)
		return -ENOMEM;
	spin_lock_init(&cs->lock);
	sema_init_mutex(&cs->load_sem);
	m->chrdev = cs;
	for (unsigned int i = 0; i < NR_MODULES; i++)
		if (!modules[i]->autoload) {
			if (module_load(m, (int)i, true))
				return -ENOMEM;
			cs->boot_loaded[i] = true;
		}
	return 0;
}

/*
 * Shutdown, once every task has exited (so every file of a device is
 * closed): the modules loaded since boot (on a first open, or by name)
 * are unloaded, as an rmmod would, so the exact-accounting check after
 * the tasks finds what they allocated back.  The modules loaded at boot
 * belong to the boot snapshot and go last, in chrdev_exit.
 */
void chrdev_unload_modules(struct machine *m)
{
	struct chrdev_state *cs = m->chrdev;

	if (!cs)
		return;
	for (unsigned int i = NR_MODULES; i-- > 0;) {
		if (!cs->loaded[i] || cs->boot_loaded[i])
			continue;
		BUG_ON_MSG(module_unload(m, (int)i), "shutdown: module %s still has %d users",
			   modules[i]->name, atomic_load(&cs->users[i]));
	}
}

void chrdev_exit(struct machine *m)
{
	struct chrdev_state *cs = m->chrdev;

	if (!cs)
		return;
	for (unsigned int i = NR_MODULES; i-- > 0;) {
		if (!cs->loaded[i])
			continue;
		BUG_ON_MSG(atomic_load(&cs->users[i]), "chrdev_exit: module %s still has %d users",
			   modules[i]->name, atomic_load(&cs->users[i]));
		modules[i]->exit(m);
		cs->loaded[i] = false;
	}
	sema_fini(&cs->load_sem);
	free(cs);
	m->chrdev = NULL;
}

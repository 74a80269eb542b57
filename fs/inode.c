/*
 * fs/inode.c - the file subsystem's machine state (m->fs), inodes and
 * open files: new_inode/iput, alloc_file/fput, the slab caches
 * "radix_tree_node", "inode_cache", "filp" and "files_cache", and the
 * machine root directory every path is resolved beneath.
 *
 * The root: a host directory, by default the current directory of the
 * host process when the machine boots; fs_set_root (vmsim_fs_set_root)
 * changes it.  Paths of simulated processes are resolved inside it as
 * in a chroot: "/" is the root, ".." at the root stays there, and
 * symbolic links cannot lead out (openat2 RESOLVE_IN_ROOT).
 *
 * No cache of closed files: the last iput writes dirty pages back and
 * drops every page of the inode, so when all files are closed and all
 * mappings gone, the machine's page accounting is back at its boot value.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "kern/pagemap.h"
#include "kern/chrdev.h"

int fs_set_root(struct machine *m, const char *path)
{
	struct fs_state *fs = m->fs;
	char real[PATH_MAX];
	struct stat st;
	int fd;

	if (!path || !*path)
		return -ENOENT;
	if (!realpath(path, real))
		return -errno;
	if (strlen(real) >= sizeof(fs->root_path))
		return -ENAMETOOLONG;
	fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISDIR(st.st_mode)) {
		close(fd);
		return -ENOTDIR;
	}
	if (fs->root_fd >= 0)
		close(fs->root_fd);
	fs->root_fd = fd;
	strcpy(fs->root_path, real);
	return 0;
}

static void fs_destroy_caches(struct fs_state *fs)
{
	if (fs->files_cachep)
		kmem_cache_destroy(fs->files_cachep);
	if (fs->filp_cachep)
		kmem_cache_destroy(fs->filp_cachep);
	if (fs->inode_cachep)
		kmem_cache_destroy(fs->inode_cachep);
	if (fs->radix_tree_node_cachep)
		kmem_cache_destroy(fs->radix_tree_node_cachep);
}

int fs_init(struct machine *m)
{
	struct fs_state *fs = kzalloc(sizeof(*fs), GFP_KERNEL);

	if (!fs)
		return -ENOMEM;
	spin_lock_init(&fs->inode_lock);
	INIT_LIST_HEAD(&fs->inode_list);
	fs->next_shmem_ino = 1;
	fs->root_fd = -1;
	fs->radix_tree_node_cachep = kmem_cache_create("radix_tree_node",
						       sizeof(struct radix_tree_node), 0, 0,
						       NULL, NULL);
	fs->inode_cachep = kmem_cache_create("inode_cache", sizeof(struct inode), 0,
					     SLAB_HWCACHE_ALIGN, NULL, NULL);
	fs->filp_cachep = kmem_cache_create("filp", sizeof(struct file), 0, SLAB_HWCACHE_ALIGN,
					    NULL, NULL);
	fs->files_cachep = kmem_cache_create("files_cache", sizeof(struct files_struct), 0,
					     SLAB_HWCACHE_ALIGN, NULL, NULL);
	if (!fs->radix_tree_node_cachep || !fs->inode_cachep || !fs->filp_cachep ||
	    !fs->files_cachep)
		goto fail;
	m->fs = fs;
	/* the default root: where the host process runs (not fatal if unusable) */
	fs_set_root(m, ".");
	return 0;
fail:
	fs_destroy_caches(fs);
	kfree(fs);
	return -ENOMEM;
}

void fs_fini(struct machine *m)
{
	struct fs_state *fs = m->fs;

	if (!fs)
		return;
	if (!list_empty(&fs->inode_list)) {
		struct inode *inode = list_first_entry(&fs->inode_list, struct inode, i_hash);

		BUG_ON_MSG(1, "fs_fini: inode %lu (%s) still has %d references", inode->i_ino,
			   inode->i_path ? inode->i_path : "?", atomic_load(&inode->i_count));
	}
	if (fs->root_fd >= 0)
		close(fs->root_fd);
	free(fs->host_inos);
	fs_destroy_caches(fs);
	kfree(fs);
	m->fs = NULL;
}

struct inode *new_inode(struct machine *m)
{
	struct fs_state *fs = m->fs;
	struct inode *inode = kmem_cache_alloc(fs->inode_cachep, GFP_KERNEL);

	if (!inode)
		return NULL;
	memset(inode, 0, sizeof(*inode));
	atomic_init(&inode->i_count, 1);
	sema_init_mutex(&inode->i_sem);
	inode->i_machine = m;
	inode->host_fd = -1;
	inode->i_mapping = &inode->i_data;
	spin_lock_init(&inode->i_data.tree_lock);
	spin_lock_init(&inode->i_data.i_shared_lock);
	atomic_init(&inode->i_data.truncate_count, 0);
	INIT_RADIX_TREE(&inode->i_data.page_tree, fs->radix_tree_node_cachep);
	inode->i_data.host = inode;
	inode->i_data.gfp_mask = GFP_HIGHUSER;	/* reached through kmap (mm/highmem.c) */
	INIT_LIST_HEAD(&inode->i_hash);
	spin_lock(&fs->inode_lock);
	fs->nr_inodes++;
	spin_unlock(&fs->inode_lock);
	return inode;
}

void iput(struct inode *inode)
{
	struct fs_state *fs = inode->i_machine->fs;
	struct address_space *mapping = inode->i_mapping;

	/* lookups (hostfs) take references under inode_lock: decide there */
	spin_lock(&fs->inode_lock);
	if (atomic_fetch_sub(&inode->i_count, 1) != 1) {
		spin_unlock(&fs->inode_lock);
		return;
	}
	list_del_init(&inode->i_hash);
	fs->nr_inodes--;
	spin_unlock(&fs->inode_lock);

	/* every VMA holds a file reference: none can still map it */
	BUG_ON_MSG(mapping->i_mmap || mapping->i_mmap_shared,
		   "iput: inode %lu freed while mapped by VMA [%#lx, %#lx)", inode->i_ino,
		   (mapping->i_mmap ? mapping->i_mmap : mapping->i_mmap_shared)->vm_start,
		   (mapping->i_mmap ? mapping->i_mmap : mapping->i_mmap_shared)->vm_end);
	if (inode->i_kind == I_SHMEM)
		shmem_delete_inode(inode);	/* mm/shmem.c: its pages and swap slots */
	/* the last reference: data to the host file, then every page goes */
	if (mapping->a_ops && mapping->a_ops->writepage)
		filemap_fdatawrite(mapping);
	truncate_inode_pages(mapping, 0);
	VM_BUG_ON_MSG(mapping->nrpages, "iput: inode %lu keeps %lu pages", inode->i_ino,
		      mapping->nrpages);
	if (inode->i_kind == I_HOSTFS)
		hostfs_release(inode);
	if (inode->i_kind == I_CHRDEV)
		chrdev_inode_release(inode);	/* fs/char_dev.c: the module's use count */
	kfree(inode->i_path);
	sema_fini(&inode->i_sem);
	kmem_cache_free(fs->inode_cachep, inode);
}

struct file *alloc_file(struct inode *inode, unsigned int flags, unsigned int mode)
{
	struct fs_state *fs = inode->i_machine->fs;
	struct file *f = kmem_cache_alloc(fs->filp_cachep, GFP_KERNEL);

	if (!f)
		return NULL;
	memset(f, 0, sizeof(*f));
	atomic_init(&f->f_count, 1);
	f->f_flags = flags;
	f->f_mode = mode;
	spin_lock_init(&f->f_pos_lock);
	file_ra_state_init(&f->f_ra);
	__iget(inode);
	f->f_inode = inode;
	f->f_mapping = inode->i_mapping;
	f->f_op = inode->i_fop;
	f->f_machine = inode->i_machine;
	return f;
}

void fput(struct file *f)
{
	struct fs_state *fs;

	if (atomic_fetch_sub(&f->f_count, 1) != 1)
		return;
	fs = f->f_machine->fs;
	/* the last close of a device file: its driver's release */
	if (f->f_op && f->f_op->release)
		f->f_op->release(f->f_inode, f);
	iput(f->f_inode);
	kmem_cache_free(fs->filp_cachep, f);
}

const char *file_path_name(const struct file *f)
{
	const struct inode *inode = f->f_inode;

	if (inode->i_kind == I_SHMEM)
		return "/dev/zero (deleted)";	/* as Linux names shared anonymous maps */
	return inode->i_path ? inode->i_path : "";
}

void file_dev_ino(const struct file *f, unsigned int *major, unsigned int *minor,
		  unsigned long *ino)
{
	*major = f->f_inode->i_dev_major;
	*minor = f->f_inode->i_dev_minor;
	*ino = f->f_inode->i_ino;
}

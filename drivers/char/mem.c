/*
 * drivers/char/mem.c - the memory devices of major 1 (Linux's file of the
 * same name): /dev/mem (minor 1), /dev/null (3), /dev/zero (5), one
 * driver whose open picks the operations by minor, as memory_open.
 *
 *   /dev/null  reads end at once, writes swallow everything, no mmap
 *              (-ENODEV, as the host).
 *   /dev/zero  reads give zeroes; a private mapping is anonymous memory
 *              (the VMA keeps the file, so maps names it, but has no
 *              vm_ops: faults are do_anonymous_page's); a shared one is a
 *              new shmem object, "/dev/zero (deleted)" in maps.
 *   /dev/mem   physical memory at the file offset, STRICT_DEVMEM style:
 *              only reserved RAM pages and the MMIO region (hw/) are
 *              allowed, -EPERM elsewhere; read/write go through the
 *              kernel's view (kmap, or ioremap for device memory), mmap
 *              through remap_page_range.
 */
#include <errno.h>
#include <string.h>
#include "kern/chrdev.h"
#include "kern/highmem.h"
#include "kern/io.h"
#include "kern/memory.h"
#include "kern/mm.h"

static long null_read(struct file *f, unsigned long buf, size_t count, loff_t *pos)
{
	(void)f, (void)buf, (void)count, (void)pos;
	return 0;
}

static long null_write(struct file *f, unsigned long buf, size_t count, loff_t *pos)
{
	(void)f, (void)buf, (void)pos;
	return (long)count;
}

static const uint8_t zero_bytes[512];

static long zero_read(struct file *f, unsigned long buf, size_t count, loff_t *pos)
{
	size_t done = 0;

	(void)f, (void)pos;
	while (done < count) {
		size_t n = count - done < sizeof(zero_bytes) ? count - done : sizeof(zero_bytes);
		unsigned long left = copy_to_user(buf + done, zero_bytes, n);

		done += n - left;
		if (left)
			break;
	}
	return done ? (long)done : -EFAULT;
}

/* mmap_zero: shared is shmem (shmem_zero_setup), private is anonymous memory. */
static int zero_mmap(struct file *f, struct vm_area_struct *vma)
{
	(void)f;
	if (vma->vm_flags & VM_SHARED)
		return shmem_zero_setup(vma);
	vma->vm_ops = NULL;
	return 0;
}

/* --- /dev/mem ------------------------------------------------------------------------ */

/* devmem_is_allowed, STRICT_DEVMEM: the MMIO region and reserved RAM only. */
static bool page_is_allowed(struct machine *m, unsigned long pfn)
{
	if (hw_is_mmio(&m->hw, (phys_addr_t)pfn << PAGE_SHIFT, PAGE_SIZE))
		return true;
	return pfn_valid(m, pfn) && PageReserved(pfn_to_page(m, pfn));
}

/* valid_phys_addr_range: inside RAM or the MMIO region. */
static bool valid_phys_range(struct machine *m, phys_addr_t p, uint64_t size)
{
	return (p + size >= p && p + size <= m->ram_size) || hw_is_mmio(&m->hw, p, size);
}

/* Copy @n bytes (one page at most) between user @buf and physical @p. */
static int mem_copy_page(struct machine *m, phys_addr_t p, unsigned long buf, size_t n,
			 bool write)
{
	uint8_t bounce[512];
	unsigned long io = 0;
	uint8_t *kaddr = NULL;
	struct page *page = NULL;
	int err = 0;

	if (hw_is_mmio(&m->hw, p, n)) {
		io = ioremap(p, n);	/* xlate_dev_mem_ptr of device memory */
		if (!io)
			return -ENOMEM;
	} else {
		page = pfn_to_page(m, (unsigned long)(p >> PAGE_SHIFT));
		kaddr = (uint8_t *)kmap(page) + (p & ~PAGE_MASK);
	}
	for (size_t done = 0; done < n && !err;) {
		size_t c = n - done < sizeof(bounce) ? n - done : sizeof(bounce);

		if (write) {
			if (copy_from_user(bounce, buf + done, c))
				err = -EFAULT;
			else if (io)
				memcpy_toio(io + done, bounce, c);
			else
				memcpy(kaddr + done, bounce, c);
		} else {
			if (io)
				memcpy_fromio(bounce, io + done, c);
			else
				memcpy(bounce, kaddr + done, c);
			if (copy_to_user(buf + done, bounce, c))
				err = -EFAULT;
		}
		done += c;
	}
	if (io)
		iounmap(io);
	else
		kunmap(page);
	return err;
}

static long mem_rw(struct file *f, unsigned long buf, size_t count, loff_t *pos, bool write)
{
	struct machine *m = f->f_machine;
	phys_addr_t p = (phys_addr_t)*pos;
	size_t done = 0;

	if (*pos < 0 || !valid_phys_range(m, p, count))
		return -EFAULT;
	while (done < count) {
		size_t n = PAGE_SIZE - ((p + done) & ~PAGE_MASK);
		int err;

		if (n > count - done)
			n = count - done;
		if (!page_is_allowed(m, (unsigned long)((p + done) >> PAGE_SHIFT)))
			return done ? (long)done : -EPERM;
		err = mem_copy_page(m, p + done, buf + done, n, write);
		if (err)
			return done ? (long)done : err;
		done += n;
	}
	*pos += (loff_t)done;
	return (long)done;
}

static long mem_read(struct file *f, unsigned long buf, size_t count, loff_t *pos)
{
	return mem_rw(f, buf, count, pos, false);
}

static long mem_write(struct file *f, unsigned long buf, size_t count, loff_t *pos)
{
	return mem_rw(f, buf, count, pos, true);
}

/* mmap_mem: -EINVAL past the physical address space, -EPERM outside the allowed ranges. */
static int mem_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct machine *m = f->f_machine;
	phys_addr_t p = (phys_addr_t)vma->vm_pgoff << PAGE_SHIFT;
	unsigned long size = vma->vm_end - vma->vm_start;

	if (!valid_phys_range(m, p, size))
		return -EINVAL;
	for (unsigned long off = 0; off < size; off += PAGE_SIZE)
		if (!page_is_allowed(m, (unsigned long)((p + off) >> PAGE_SHIFT)))
			return -EPERM;
	return remap_page_range(vma, vma->vm_start, p, size, vma->vm_page_prot);
}

static const struct file_operations null_fops = {
	.read = null_read,
	.write = null_write,
};

static const struct file_operations zero_fops = {
	.read = zero_read,
	.write = null_write,
	.mmap = zero_mmap,
};

static const struct file_operations mem_fops = {
	.read = mem_read,
	.write = mem_write,
	.mmap = mem_mmap,
};

/* memory_open: the minor picks the device's operations. */
static int memory_open(struct inode *inode, struct file *file)
{
	switch (MINOR(inode->i_rdev)) {
	case 1:
		file->f_op = &mem_fops;
		return 0;
	case 3:
		file->f_op = &null_fops;
		return 0;
	case 5:
		file->f_op = &zero_fops;
		return 0;
	default:
		return -ENXIO;
	}
}

static const struct file_operations memory_fops = {
	.open = memory_open,
};

static int mem_init(struct machine *m)
{
	int ret = register_chrdev(m, MEM_MAJOR, "mem", &memory_fops);

	return ret < 0 ? ret : 0;
}

static void mem_exit(struct machine *m)
{
	unregister_chrdev(m, MEM_MAJOR, "mem");
}

const struct chrdev_module mem_module = {
	.name = "mem",
	.major = MEM_MAJOR,
	.init = mem_init,
	.exit = mem_exit,
};

/*
 * drivers/char/mmapdrv.c - the seeds' example driver ("user space access
 * to kernel space"): a character device whose mmap lets a process share
 * memory with the kernel, in the three ways the 2.4 guides show.
 *
 *   offset MMAPDRV_KMALLOC_OFF  a kmalloc'd buffer, page aligned, its pages
 *                               marked reserved (mem_map_reserve), mapped
 *                               whole with remap_page_range;
 *   offset MMAPDRV_VMALLOC_OFF  a vmalloc'd buffer: not physically
 *                               contiguous, so the VMA gets a nopage that
 *                               returns vmalloc_to_page of the address;
 *   offset MMAPDRV_MMIO_OFF     the machine's device memory (the MMIO
 *                               region of hw/, outside RAM), ioremapped for
 *                               the kernel and remap_page_range'd for the
 *                               process.
 *
 * read/write at the same offsets are the kernel side: the driver copies
 * its buffer to or from the user buffer, so bytes a process stores through
 * a mapping are the bytes a read returns, and the reverse.  Errors as
 * drivers of Linux give them: an offset in no region -EINVAL, a mapping
 * running past its region -ENXIO (the seeds' "size too big"), a private
 * mapping -EINVAL (the frames are the device's: no copy-on-write).
 *
 * The module loads on the first open of /dev/mmapdrv and is unloaded by
 * name or at shutdown: every byte it allocated comes back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kern/chrdev.h"
#include "kern/io.h"
#include "kern/memory.h"
#include "kern/mm.h"
#include "kern/slab.h"
#include "kern/printk.h"

struct mmapdrv {
	void *kmalloc_area;		/* as kmalloc returned it (freed by kfree) */
	uint8_t *kbuf;			/* page aligned inside it */
	unsigned long vbuf;		/* vmalloc address */
	unsigned long mmio;		/* ioremap address, 0: no device memory */
};

static struct mmapdrv *drv_of(struct machine *m)
{
	return m->chrdev->driver_data[MMAPDRV_MAJOR];
}

/* The region of file offset @off: its start offset and size; false if none. */
static bool mmapdrv_region(struct machine *m, unsigned long off, unsigned long *start,
			   unsigned long *size)
{
	static const unsigned long starts[] = { MMAPDRV_KMALLOC_OFF, MMAPDRV_VMALLOC_OFF,
						MMAPDRV_MMIO_OFF };
	const unsigned long sizes[] = { MMAPDRV_KMALLOC_SIZE, MMAPDRV_VMALLOC_SIZE,
					drv_of(m)->mmio ? m->hw.mmio_size : 0 };

	for (int i = 0; i < 3; i++) {
		if (off >= starts[i] && off - starts[i] < sizes[i]) {
			*start = starts[i];
			*size = sizes[i];
			return true;
		}
	}
	return false;
}

/* --- the vmalloc buffer's nopage --------------------------------------------------- */

static struct page *mmapdrv_vmalloc_nopage(struct vm_area_struct *vma, unsigned long address,
					   int *type)
{
	struct machine *m = vma->vm_mm->machine;
	unsigned long off = address - vma->vm_start + (vma->vm_pgoff << PAGE_SHIFT) -
			    MMAPDRV_VMALLOC_OFF;
	struct page *page;

	if (off >= MMAPDRV_VMALLOC_SIZE)
		return NOPAGE_SIGBUS;
	page = vmalloc_to_page(drv_of(m)->vbuf + off);
	if (!page)
		return NOPAGE_SIGBUS;
	get_page(page);
	if (type)
		*type = VM_FAULT_MINOR;
	return page;
}

static const struct vm_operations_struct mmapdrv_vm_ops = {
	.nopage = mmapdrv_vmalloc_nopage,
};

/* --- file operations ------------------------------------------------------------ */

static int mmapdrv_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct machine *m = f->f_machine;
	struct mmapdrv *d = drv_of(m);
	unsigned long off = vma->vm_pgoff << PAGE_SHIFT, size = vma->vm_end - vma->vm_start;
	unsigned long start, rsize;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff > (~0UL >> PAGE_SHIFT) || !mmapdrv_region(m, off, &start, &rsize))
		return -EINVAL;
	if (size > rsize - (off - start)) {
		printk(m, "mmapdrv: size too big\n");
		return -ENXIO;
	}
	switch (start) {
	case MMAPDRV_KMALLOC_OFF:
		return remap_page_range(vma, vma->vm_start,
					virt_to_phys(m, d->kbuf) + (off - start), size,
					vma->vm_page_prot);
	case MMAPDRV_VMALLOC_OFF:
		vma->vm_flags |= VM_IO;		/* 2.4's VM_RESERVED: never swapped */
		vma->vm_ops = &mmapdrv_vm_ops;
		return 0;
	default:
		return remap_page_range(vma, vma->vm_start, m->hw.mmio_base + (off - start),
					size, vma->vm_page_prot);
	}
}

/* Copy between the user buffer and the region at *@pos (kernel side of the device). */
static long mmapdrv_rw(struct file *f, unsigned long buf, size_t count, loff_t *pos, bool write)
{
	struct machine *m = f->f_machine;
	struct mmapdrv *d = drv_of(m);
	unsigned long start, rsize, off, n;
	uint8_t bounce[512];
	size_t done = 0;

	if (*pos < 0 || !mmapdrv_region(m, (unsigned long)*pos, &start, &rsize))
		return 0;
	off = (unsigned long)*pos - start;
	n = count < rsize - off ? count : rsize - off;
	while (done < n) {
		size_t c = n - done < sizeof(bounce) ? n - done : sizeof(bounce);
		unsigned long at = off + done;

		if (write && copy_from_user(bounce, buf + done, c))
			break;
		if (start == MMAPDRV_KMALLOC_OFF) {
			if (write)
				memcpy(d->kbuf + at, bounce, c);
			else
				memcpy(bounce, d->kbuf + at, c);
		} else if (start == MMAPDRV_VMALLOC_OFF) {
			if (write)
				vwrite(d->vbuf + at, bounce, c);
			else
				vread(bounce, d->vbuf + at, c);
		} else if (write) {
			memcpy_toio(d->mmio + at, bounce, c);
		} else {
			memcpy_fromio(bounce, d->mmio + at, c);
		}
		if (!write && copy_to_user(buf + done, bounce, c))
			break;
		done += c;
	}
	if (!done && n)
		return -EFAULT;
	*pos += (loff_t)done;
	return (long)done;
}

static long mmapdrv_read(struct file *f, unsigned long buf, size_t count, loff_t *pos)
{
	return mmapdrv_rw(f, buf, count, pos, false);
}

static long mmapdrv_write(struct file *f, unsigned long buf, size_t count, loff_t *pos)
{
	return mmapdrv_rw(f, buf, count, pos, true);
}

static int mmapdrv_open(struct inode *inode, struct file *file)
{
	(void)inode, (void)file;
	return 0;		/* MOD_INC_USE_COUNT: the device inode holds the module */
}

static int mmapdrv_release(struct inode *inode, struct file *file)
{
	(void)inode, (void)file;
	return 0;
}

static const struct file_operations mmapdrv_fops = {
	.open = mmapdrv_open,
	.release = mmapdrv_release,
	.read = mmapdrv_read,
	.write = mmapdrv_write,
	.mmap = mmapdrv_mmap,
};

/* --- load and unload ----------------------------------------------------------------- */

/* mem_map_reserve / mem_map_unreserve of the kmalloc buffer's pages. */
static void reserve_pages(struct machine *m, uint8_t *buf, bool reserve)
{
	for (unsigned long off = 0; off < MMAPDRV_KMALLOC_SIZE; off += PAGE_SIZE) {
		struct page *page = virt_to_page(m, buf + off);

		if (reserve)
			SetPageReserved(page);
		else
			ClearPageReserved(page);
	}
}

static void mmapdrv_free(struct machine *m, struct mmapdrv *d)
{
	if (d->mmio)
		iounmap(d->mmio);
	if (d->vbuf) {
		/* pages a process dirtied through the mapping: clean before they go */
		for (unsigned long off = 0; off < MMAPDRV_VMALLOC_SIZE; off += PAGE_SIZE)
			ClearPageDirty(vmalloc_to_page(d->vbuf + off));
		vfree(d->vbuf);
	}
	if (d->kbuf)
		reserve_pages(m, d->kbuf, false);
	kfree(d->kmalloc_area);
	free(d);
}

static void fill(uint8_t *p, unsigned long n, const char *pat)
{
	for (unsigned long i = 0; i < n; i++)
		p[i] = (uint8_t)pat[i & 3];
}

static int mmapdrv_init(struct machine *m)
{
	struct mmapdrv *d = calloc(1, sizeof(*d));
	uint8_t line[PAGE_SIZE];
	int major;

	if (!d)
		return -ENOMEM;
	/* a page more than the buffer, so that a page-aligned buffer fits */
	d->kmalloc_area = kmalloc(MMAPDRV_KMALLOC_SIZE + PAGE_SIZE, GFP_KERNEL);
	d->vbuf = vmalloc(MMAPDRV_VMALLOC_SIZE);
	if (m->hw.mmio_size)
		d->mmio = ioremap(m->hw.mmio_base, m->hw.mmio_size);
	if (!d->kmalloc_area || !d->vbuf || (m->hw.mmio_size && !d->mmio))
		goto nomem;
	d->kbuf = (uint8_t *)PAGE_ALIGN((uintptr_t)d->kmalloc_area);
	reserve_pages(m, d->kbuf, true);
	/* the kernel writes first, the process reads (the seeds' "abcd") */
	fill(d->kbuf, MMAPDRV_KMALLOC_SIZE, "abcd");
	fill(line, PAGE_SIZE, "vmal");
	for (unsigned long off = 0; off < MMAPDRV_VMALLOC_SIZE; off += PAGE_SIZE)
		vwrite(d->vbuf + off, line, PAGE_SIZE);
	fill(line, PAGE_SIZE, "mmio");
	for (unsigned long off = 0; d->mmio && off < m->hw.mmio_size; off += PAGE_SIZE)
		memcpy_toio(d->mmio + off, line, PAGE_SIZE);
	m->chrdev->driver_data[MMAPDRV_MAJOR] = d;
	major = register_chrdev(m, MMAPDRV_MAJOR, "mmapdrv", &mmapdrv_fops);
	if (major < 0) {
		m->chrdev->driver_data[MMAPDRV_MAJOR] = NULL;
		mmapdrv_free(m, d);
		return major;
	}
	printk(m, "mmap device major = %d\n", major);
	printk(m, "mmapdrv: kmalloc buffer %#lx (phys %#llx), %lu bytes, reserved\n",
	       PAGE_OFFSET_OF(m) + (unsigned long)virt_to_phys(m, d->kbuf),
	       (unsigned long long)virt_to_phys(m, d->kbuf), MMAPDRV_KMALLOC_SIZE);
	printk(m, "mmapdrv: vmalloc buffer %#lx, %lu bytes\n", d->vbuf, MMAPDRV_VMALLOC_SIZE);
	if (d->mmio)
		printk(m, "mmapdrv: device memory %#llx-%#llx ioremapped at %#lx\n",
		       (unsigned long long)m->hw.mmio_base,
		       (unsigned long long)(m->hw.mmio_base + m->hw.mmio_size - 1), d->mmio);
	return 0;
nomem:
	mmapdrv_free(m, d);
	return -ENOMEM;
}

static void mmapdrv_exit(struct machine *m)
{
	struct mmapdrv *d = drv_of(m);

	unregister_chrdev(m, MMAPDRV_MAJOR, "mmapdrv");
	m->chrdev->driver_data[MMAPDRV_MAJOR] = NULL;
	mmapdrv_free(m, d);
}

int mmapdrv_get_info(struct machine *m, struct mmapdrv_info *info)
{
	struct mmapdrv *d = m->chrdev ? drv_of(m) : NULL;

	memset(info, 0, sizeof(*info));
	if (!d)
		return -ENODEV;
	info->kmalloc_phys = virt_to_phys(m, d->kbuf);
	info->kmalloc_addr = PAGE_OFFSET_OF(m) + (unsigned long)info->kmalloc_phys;
	info->vmalloc_addr = d->vbuf;
	info->mmio_addr = d->mmio;
	info->mmio_phys = d->mmio ? m->hw.mmio_base : 0;
	info->mmio_size = d->mmio ? m->hw.mmio_size : 0;
	return 0;
}

const struct chrdev_module mmapdrv_module = {
	.name = "mmapdrv",
	.major = MMAPDRV_MAJOR,
	.init = mmapdrv_init,
	.exit = mmapdrv_exit,
	.autoload = true,
};

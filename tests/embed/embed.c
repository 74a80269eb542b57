/*
 * An embedder of libvmsim.so: it uses the public API only (include/vmsim)
 * and is linked against the shared library, so every call here must be
 * exported.  It also defines functions named as the kernel's (alloc_pages,
 * printk, kmalloc, find_vma): with the library's own kept inside it, the
 * program's win and the machine still works.  Prints "embed: ok".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/vmsim.h"
#include "vmsim/process.h"
#include "vmsim/stats.h"

/* The embedder's own functions with kernel names (must not be interposed). */
static int own_calls;
void *alloc_pages(void *a, unsigned int order);
void *alloc_pages(void *a, unsigned int order) { own_calls++; return a ? a : (void *)(long)order; }
int printk(void *m, const char *fmt, ...);
int printk(void *m, const char *fmt, ...) { own_calls++; return m ? 1 : 0; }
void *kmalloc(size_t n, unsigned int gfp);
void *kmalloc(size_t n, unsigned int gfp) { own_calls++; return malloc(n + gfp); }
void *find_vma(void *mm, unsigned long addr);
void *find_vma(void *mm, unsigned long addr) { own_calls++; return mm ? mm : (void *)addr; }

static int fail(const char *what)
{
	fprintf(stderr, "embed: %s failed\n", what);
	return 1;
}

int main(void)
{
	struct vmsim_config cfg;
	struct vmsim_mem_stats ms;
	char err[200], buf[16];
	vmsim_machine_t *m;
	uint64_t v;
	long addr;
	char *meminfo;
	int pid;

	vmsim_config_default(&cfg);
	if (vmsim_config_set(&cfg, "ram", "32M", err, sizeof(err)) ||
	    vmsim_parse_size("010", &v) || v != 10)
		return fail("config");
	m = vmsim_machine_create(&cfg);
	if (!m)
		return fail("vmsim_machine_create");
	vmsim_cpu_attach(m, 0);
	pid = vmsim_spawn(m);
	addr = vmsim_mmap(m, pid, 0, 1 << 20, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			  VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, -1, 0);
	if (pid <= 0 || addr <= 0)
		return fail("spawn/mmap");
	if (vmsim_write(m, pid, (unsigned long)addr + 4096, "embedded", 9) ||
	    vmsim_read(m, pid, (unsigned long)addr + 4096, buf, 9) || strcmp(buf, "embedded"))
		return fail("write/read");
	meminfo = vmsim_proc_read(m, "meminfo");
	vmsim_mem_stats(m, &ms);
	if (!meminfo || !strstr(meminfo, "MemTotal:") || ms.total_pages == 0)
		return fail("meminfo");
	free(meminfo);
	/* the program's own kernel-named functions are the ones it calls */
	free(kmalloc(1, 0));
	if (alloc_pages(NULL, 3) != (void *)3L || printk(NULL, "x") || find_vma(NULL, 5) != (void *)5L ||
	    own_calls != 4)
		return fail("the program's own alloc_pages/printk/kmalloc/find_vma");
	if (vmsim_exit(m, pid))
		return fail("vmsim_exit");
	vmsim_cpu_detach();
	vmsim_machine_destroy(m);
	printf("embed: ok\n");
	return 0;
}

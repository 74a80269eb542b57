/*
 * The public machine calls: create (boot) and destroy a machine, its
 * configuration, swapon at run time, and binding a host thread to one of
 * its CPUs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "kern/mm.h"
#include "kern/init.h"
#include "kern/swap.h"

void vmsim_cpu_attach(vmsim_machine_t *m, int cpu)
{
	BUG_ON_MSG(cpu < 0 || cpu >= m->nr_cpus, "attach to cpu %d of %d", cpu, m->nr_cpus);
	__this_cpu = &m->cpu[cpu];
}

void vmsim_cpu_detach(void)
{
	__this_cpu = NULL;
}

vmsim_machine_t *vmsim_machine_create(const struct vmsim_config *cfg)
{
	char err[128];
	struct machine *m;

	if (!cfg || vmsim_config_validate(cfg, err, sizeof(err))) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	m->cfg = *cfg;
	m->ram_size = m->cfg.ram_bytes;
	/* Untouched RAM costs the host nothing until a frame is first written. */
	m->ram = mmap(NULL, m->ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->ram == MAP_FAILED) {
		free(m);
		errno = ENOMEM;
		return NULL;
	}
	if (start_kernel(m)) {
		vmsim_machine_destroy(m);
		errno = EIO;
		return NULL;
	}
	return m;
}

void vmsim_machine_destroy(vmsim_machine_t *m)
{
	if (!m)
		return;
	stop_kernel(m);
	if (__this_cpu && __this_cpu->machine == m)
		__this_cpu = NULL;
	munmap(m->ram, m->ram_size);
	free(m);
}

int vmsim_swapon(vmsim_machine_t *m, const char *path, uint64_t bytes, int prio)
{
	struct sim_cpu *saved = cpu_enter(m);
	int ret = sys_swapon(m, path, bytes, prio);

	cpu_leave(saved);
	return ret;
}

const struct vmsim_config *vmsim_machine_config(const vmsim_machine_t *m)
{
	return &m->cfg;
}

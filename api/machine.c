/*
 * The public machine calls: create (boot) and destroy a machine, its
 * configuration, and binding a host thread to one of its CPUs (swapon and
 * swapoff at run time are in api/swap.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/vmsim.h"
#include "kern/mm.h"
#include "kern/reclaim_policy.h"
#include "kern/init.h"
#include "entry.h"

void vmsim_cpu_attach(vmsim_machine_t *m, int cpu)
{
	BUG_ON_MSG(cpu < 0 || cpu >= m->nr_cpus, "attach to cpu %d of %d", cpu, m->nr_cpus);
	cpu_attach(&m->cpu[cpu]);
}

void vmsim_cpu_detach(void)
{
	cpu_detach();
}

/* Why the last vmsim_machine_create of this thread could not boot. */
static __thread char boot_error[400];

vmsim_machine_t *vmsim_machine_create(const struct vmsim_config *cfg)
{
	char why[128];
	struct machine *m;
	bool every_access;
	int err;

	if (!cfg || vmsim_config_validate(cfg, why, sizeof(why))) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	m->cfg = *cfg;
	/* a policy seeing every access has a one-entry TLB: each other page walks */
	every_access = reclaim_policy_of(cfg)->accessed != NULL;
	err = hw_machine_init(&m->hw, &(struct hw_config){
		.ram_bytes = cfg->ram_bytes, .nr_cpus = cfg->cpus,
		.paging = (enum hw_paging)cfg->paging,
		.tlb_entries = every_access ? 1 : (unsigned int)cfg->tlb_entries,
		.tlb_ways = every_access ? 1 : (unsigned int)cfg->tlb_ways });
	if (err) {
		free(m);
		errno = -err;
		return NULL;
	}
	boot_error[0] = '\0';
	if (start_kernel(m)) {
		int e = m->boot_errno ? m->boot_errno : EIO;

		snprintf(boot_error, sizeof(boot_error), "%s", m->boot_error);
		vmsim_machine_destroy(m);
		errno = e;
		return NULL;
	}
	return m;
}

const char *vmsim_boot_error(void)
{
	return boot_error;
}

void vmsim_machine_destroy(vmsim_machine_t *m)
{
	if (!m)
		return;
	events_release(m);	/* no events from the teardown */
	kernel_ctx_destroy(m);		/* api/kernel.c: what the kernel context left */
	stop_kernel(m);
	if (__this_cpu && __this_cpu->machine == m)
		set_this_cpu(NULL);
	hw_machine_fini(&m->hw);
	free(m);
}

const struct vmsim_config *vmsim_machine_config(const vmsim_machine_t *m)
{
	return &m->cfg;
}

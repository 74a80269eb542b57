/*
 * The registry of reclaim policies (kern/reclaim_policy.h): every built-in
 * policy by name, the choice of one per machine at boot from its
 * configuration, and its per-machine setup and teardown.  docs/reclaim.md
 * says how a policy is written and added here.
 */
#include <errno.h>
#include <string.h>
#include "kern/reclaim_policy.h"

/* In the order `vmsim help reclaim` lists them; the first is the default. */
static const struct reclaim_policy *const builtin_policies[] = {
	&reclaim_policy_24_10,
	&reclaim_policy_24_0,
	&reclaim_policy_fifo,
	&reclaim_policy_lru,
};

#define NR_BUILTIN	(sizeof(builtin_policies) / sizeof(builtin_policies[0]))

const struct reclaim_policy *reclaim_policy_nth(unsigned int i)
{
	return i < NR_BUILTIN ? builtin_policies[i] : NULL;
}

const struct reclaim_policy *reclaim_policy_find(const char *name)
{
	for (unsigned int i = 0; i < NR_BUILTIN; i++)
		if (!strcmp(builtin_policies[i]->name, name))
			return builtin_policies[i];
	return NULL;
}

const struct reclaim_policy *reclaim_policy_of(const struct vmsim_config *cfg)
{
	if (cfg->reclaim_policy[0])
		return reclaim_policy_find(cfg->reclaim_policy);
	switch (cfg->reclaim) {
	case VMSIM_RECLAIM_24_10:
		return &reclaim_policy_24_10;
	case VMSIM_RECLAIM_24_0:
		return &reclaim_policy_24_0;
	}
	return NULL;
}

int reclaim_policy_init(struct machine *m)
{
	const struct reclaim_policy *pol = reclaim_policy_of(&m->cfg);

	if (!pol)
		return -EINVAL;
	BUG_ON_MSG(!pol->lru_cache_add || !pol->referenced || !pol->pte_young || !pol->shrink,
		   "reclaim policy %s lacks a required operation", pol->name);
	m->reclaim_policy = pol;
	return pol->init ? pol->init(m) : 0;
}

void reclaim_policy_exit(struct machine *m)
{
	const struct reclaim_policy *pol = m->reclaim_policy;

	if (pol && pol->exit)
		pol->exit(m);
	m->reclaim_policy = NULL;
}

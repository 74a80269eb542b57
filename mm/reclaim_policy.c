/*
 * The registry of reclaim policies (kern/reclaim_policy.h): every built-in
 * policy by name, the choice of one per machine at boot from its
 * configuration, and its per-machine setup and teardown.  docs/reclaim.md
 * says how a policy is written and added here.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include "kern/reclaim_policy.h"
#include "kern/rmap.h"

/* In the order `vmsim help reclaim` lists them; the first is the default. */
static const struct reclaim_policy *const builtin_policies[] = {
	&reclaim_policy_24_10,
	&reclaim_policy_24_0,
	&reclaim_policy_fifo,
	&reclaim_policy_lru,
	&reclaim_policy_opt,
	&reclaim_policy_splitlru,
	&reclaim_policy_clockpro,
};

#define NR_BUILTIN	(sizeof(builtin_policies) / sizeof(builtin_policies[0]))

/*
 * Policies registered at run time (plugins, api/reclaim.c), after the
 * built-in ones; they stay for the life of the process.  Appended under
 * the lock; a reader sees a slot only after nr_registered says so.
 */
#define MAX_REGISTERED	16
static const struct reclaim_policy *registered[MAX_REGISTERED];
static atomic_uint nr_registered;
static pthread_mutex_t register_lock = PTHREAD_MUTEX_INITIALIZER;

int reclaim_policy_register(const struct reclaim_policy *pol)
{
	unsigned int n;
	int err = 0;

	pthread_mutex_lock(&register_lock);
	n = atomic_load(&nr_registered);
	if (reclaim_policy_find(pol->name))
		err = -EEXIST;
	else if (n == MAX_REGISTERED)
		err = -ENOSPC;
	else {
		registered[n] = pol;
		atomic_store_explicit(&nr_registered, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&register_lock);
	return err;
}

const struct reclaim_policy *reclaim_policy_nth(unsigned int i)
{
	if (i < NR_BUILTIN)
		return builtin_policies[i];
	i -= NR_BUILTIN;
	return i < atomic_load_explicit(&nr_registered, memory_order_acquire) ? registered[i] : NULL;
}

const struct reclaim_policy *reclaim_policy_find(const char *name)
{
	const struct reclaim_policy *pol;

	for (unsigned int i = 0; (pol = reclaim_policy_nth(i)); i++)
		if (!strcmp(pol->name, name))
			return pol;
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
	/* a policy that names victims finds their PTEs through the reverse map */
	if (pol->shrink == shrink_victims && rmap_init(m))
		return -ENOMEM;
	return pol->init ? pol->init(m) : 0;
}

void reclaim_policy_exit(struct machine *m)
{
	const struct reclaim_policy *pol = m->reclaim_policy;

	if (pol && pol->exit)
		pol->exit(m);
	rmap_exit(m);
	m->reclaim_policy = NULL;
}

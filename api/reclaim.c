/*
 * Reclaim policies through the public API: their names (the machine
 * option reclaim=NAME, `vmsim help reclaim`), and policies loaded at run
 * time from a shared object (reclaim=plugin:PATH, include/vmsim/reclaim.h):
 * the loader, which registers the plugin as a kernel reclaim policy, and
 * the calls a plugin may make.  A plugin's operations are called through
 * the trampolines here, which hold pagemap_lru_lock around them and let
 * the kernel's shrink_victims do the unmapping, writing and freeing.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/reclaim.h"
#include "kern/swap.h"
#include "kern/reclaim_policy.h"
#include "entry.h"

#define PLUGIN_PREFIX	"plugin:"

/* A loaded plugin: the kernel's policy and the plugin's operations. */
struct plugin_policy {
	struct reclaim_policy pol;	/* first: the kernel sees this */
	const struct vmsim_reclaim_ops *ops;
	char name[sizeof(((struct vmsim_config *)0)->reclaim_policy)];
	char follows[256];
};

static const struct vmsim_reclaim_ops *plugin_ops(struct machine *m)
{
	return ((const struct plugin_policy *)m->reclaim_policy)->ops;
}

static void plugin_add(struct lru_state *lru, struct page *page)
{
	struct machine *m = page_machine(page);

	add_page_to_inactive_list(lru, page);
	plugin_ops(m)->page_added(m, page);
}

static void plugin_del(struct lru_state *lru, struct page *page)
{
	struct machine *m = page_machine(page);

	(void)lru;
	if (plugin_ops(m)->page_removed)
		plugin_ops(m)->page_removed(m, page);
}

static void plugin_referenced(struct page *page)
{
	struct machine *m = page_machine(page);

	if (!plugin_ops(m)->referenced)
		return;
	spin_lock(&m->lru->pagemap_lru_lock);
	if (PageLRU(page) && !PageUnevictable(page))
		plugin_ops(m)->referenced(m, page);
	spin_unlock(&m->lru->pagemap_lru_lock);
}

static void plugin_pte_young(struct machine *m, struct page *page)
{
	(void)m;
	(void)page;		/* shrink_victims never scans for Accessed bits */
}

static void plugin_accessed(struct machine *m, struct page *page)
{
	plugin_ops(m)->accessed(m, page);
}

/* The plugin's victims; one not on the LRU or out of @classzone is dropped. */
static unsigned int plugin_isolate(struct machine *m, zone_t *classzone, unsigned int priority,
				   struct page **pages, unsigned int nr)
{
	unsigned int n, got = 0;

	(void)priority;
	spin_lock(&m->lru->pagemap_lru_lock);
	n = plugin_ops(m)->isolate(m, pages, nr);
	spin_unlock(&m->lru->pagemap_lru_lock);
	if (n > nr)
		n = nr;
	for (unsigned int i = 0; i < n; i++) {
		if (PageLRU(pages[i]) && !PageUnevictable(pages[i]) &&
		    memclass(pages[i]->zone, classzone))
			pages[got++] = pages[i];
		else
			put_page(pages[i]);
	}
	return got;
}

static int plugin_init(struct machine *m)
{
	return plugin_ops(m)->init ? plugin_ops(m)->init(m) : 0;
}

static void plugin_exit(struct machine *m)
{
	if (plugin_ops(m)->exit)
		plugin_ops(m)->exit(m);
}

/* Load the shared object of "plugin:PATH" and register it; NULL with *@why. */
static const struct reclaim_policy *plugin_load(const char *name, const char **why)
{
	static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
	const struct reclaim_policy *found;
	const struct vmsim_reclaim_ops *ops;
	struct plugin_policy *pp;
	vmsim_reclaim_plugin_fn fn;
	void *h;

	pthread_mutex_lock(&load_lock);
	found = reclaim_policy_find(name);	/* loaded by another thread meanwhile */
	if (found)
		goto out;
	*why = "cannot load it";
	h = dlopen(name + strlen(PLUGIN_PREFIX), RTLD_NOW | RTLD_LOCAL);
	if (!h)
		goto out;
	*why = "no " VMSIM_RECLAIM_PLUGIN_SYMBOL "() in it";
	fn = (vmsim_reclaim_plugin_fn)dlsym(h, VMSIM_RECLAIM_PLUGIN_SYMBOL);
	ops = fn ? fn() : NULL;
	if (!ops)
		goto close;
	*why = "its operations are of another ABI, or lack page_added or isolate";
	if (ops->abi != VMSIM_RECLAIM_ABI || !ops->page_added || !ops->isolate)
		goto close;
	*why = "no memory";
	pp = calloc(1, sizeof(*pp));
	if (!pp)
		goto close;
	pp->ops = ops;
	snprintf(pp->name, sizeof(pp->name), "%s", name);
	snprintf(pp->follows, sizeof(pp->follows), "%s: %s", ops->name ? ops->name : "plugin",
		 ops->follows ? ops->follows : "a policy loaded at run time");
	pp->pol = (struct reclaim_policy){
		.name = pp->name, .follows = pp->follows,
		.init = plugin_init, .exit = plugin_exit,
		.lru_cache_add = plugin_add, .putback = plugin_add, .lru_cache_del = plugin_del,
		.referenced = plugin_referenced, .pte_young = plugin_pte_young,
		.accessed = ops->accessed ? plugin_accessed : NULL,
		.isolate = plugin_isolate, .shrink = shrink_victims,
	};
	*why = "too many plugins loaded";
	if (reclaim_policy_register(&pp->pol)) {
		free(pp);
		goto close;
	}
	found = &pp->pol;	/* loaded for the life of the process */
	goto out;
close:
	dlclose(h);
out:
	pthread_mutex_unlock(&load_lock);
	return found;
}

const struct reclaim_policy *reclaim_policy_by_name(const char *name, const char **why)
{
	const struct reclaim_policy *pol = reclaim_policy_find(name);

	*why = "not a policy of `vmsim help reclaim`";
	if (!pol && !strncmp(name, PLUGIN_PREFIX, strlen(PLUGIN_PREFIX)))
		pol = plugin_load(name, why);
	return pol;
}

const char *vmsim_config_reclaim(const struct vmsim_config *cfg)
{
	const struct reclaim_policy *pol = reclaim_policy_of(cfg);

	return pol ? pol->name : "?";
}

int vmsim_reclaim_policy(unsigned int i, const char **name, const char **follows)
{
	const struct reclaim_policy *pol = reclaim_policy_nth(i);

	if (!pol)
		return -1;
	*name = pol->name;
	*follows = pol->follows;
	return 0;
}

/* --- the calls of a plugin ---------------------------------------------------- */

unsigned long vmsim_page_pfn(const vmsim_page_t *page)
{
	return page_to_pfn(page);
}

vmsim_page_t *vmsim_pfn_page(vmsim_machine_t *m, unsigned long pfn)
{
	return pfn_valid(m, pfn) ? pfn_to_page(m, pfn) : NULL;
}

unsigned long vmsim_max_pfn(vmsim_machine_t *m)
{
	return m->max_pfn;
}

int vmsim_page_get(vmsim_page_t *page)
{
	return get_page_unless_zero(page);
}

int vmsim_page_swapbacked(const vmsim_page_t *page)
{
	return PageSwapBacked(page) ? 1 : 0;
}

void *vmsim_reclaim_private(vmsim_machine_t *m)
{
	return m->reclaim_private;
}

void vmsim_reclaim_set_private(vmsim_machine_t *m, void *data)
{
	m->reclaim_private = data;
}

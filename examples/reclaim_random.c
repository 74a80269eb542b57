/*
 * An example reclaim policy loaded at run time: RAND (Belady, "A study of
 * replacement algorithms for a virtual-storage computer", IBM Systems
 * Journal 1966): victims drawn uniformly at random among the resident
 * pages.  Build it against the installed headers and load it:
 *
 *   cc -O2 -fPIC -shared -fvisibility=hidden -I/usr/local/include \
 *      -o random.so reclaim_random.c
 *   vmsim trace --reclaim plugin:./random.so --ram 32M prog.lackey
 *
 * It keeps the resident pages' frame numbers in an array (a frame's slot
 * in another, so a page leaves in O(1)); a batch of victims is a partial
 * Fisher-Yates shuffle of the array.  Its callbacks are called one at a
 * time (include/vmsim/reclaim.h), so the arrays need no lock.  The
 * generator is seeded per machine: runs are deterministic.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "vmsim/reclaim.h"

struct rand_state {
	unsigned long nr;		/* resident pages */
	unsigned long *pfn;		/* [0, nr): their frame numbers */
	unsigned long *slot;		/* by frame: its index in pfn[] + 1, 0 if absent */
	uint64_t rng;
};

static uint64_t next_random(struct rand_state *s)
{
	/* xorshift64* */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545f4914f6cdd1dULL;
}

static int rand_init(vmsim_machine_t *m)
{
	struct rand_state *s = calloc(1, sizeof(*s));
	unsigned long frames = vmsim_max_pfn(m);

	if (!s)
		return -ENOMEM;
	s->pfn = calloc(frames, sizeof(*s->pfn));
	s->slot = calloc(frames, sizeof(*s->slot));
	if (!s->pfn || !s->slot) {
		free(s->pfn);
		free(s->slot);
		free(s);
		return -ENOMEM;
	}
	s->rng = 0x9e3779b97f4a7c15ULL;
	vmsim_reclaim_set_private(m, s);
	return 0;
}

static void rand_exit(vmsim_machine_t *m)
{
	struct rand_state *s = vmsim_reclaim_private(m);

	free(s->pfn);
	free(s->slot);
	free(s);
	vmsim_reclaim_set_private(m, NULL);
}

static void rand_added(vmsim_machine_t *m, vmsim_page_t *page)
{
	struct rand_state *s = vmsim_reclaim_private(m);
	unsigned long pfn = vmsim_page_pfn(page);

	s->pfn[s->nr++] = pfn;
	s->slot[pfn] = s->nr;
}

static void rand_removed(vmsim_machine_t *m, vmsim_page_t *page)
{
	struct rand_state *s = vmsim_reclaim_private(m);
	unsigned long pfn = vmsim_page_pfn(page), i = s->slot[pfn] - 1;

	/* the last entry takes the leaving one's place */
	s->pfn[i] = s->pfn[--s->nr];
	s->slot[s->pfn[i]] = i + 1;
	s->slot[pfn] = 0;
}

static void swap_slots(struct rand_state *s, unsigned long i, unsigned long j)
{
	unsigned long t = s->pfn[i];

	s->pfn[i] = s->pfn[j];
	s->pfn[j] = t;
	s->slot[s->pfn[i]] = i + 1;
	s->slot[s->pfn[j]] = j + 1;
}

static unsigned int rand_isolate(vmsim_machine_t *m, vmsim_page_t **pages, unsigned int nr)
{
	struct rand_state *s = vmsim_reclaim_private(m);
	unsigned int got = 0;

	for (unsigned long i = 0; i < s->nr && got < nr; i++) {
		vmsim_page_t *page;

		swap_slots(s, i, i + next_random(s) % (s->nr - i));
		page = vmsim_pfn_page(m, s->pfn[i]);
		if (vmsim_page_get(page))
			pages[got++] = page;
	}
	return got;
}

static const struct vmsim_reclaim_ops rand_ops = {
	.abi = VMSIM_RECLAIM_ABI,
	.name = "random",
	.follows = "RAND: victims drawn uniformly at random (Belady 1966), an example plugin",
	.init = rand_init,
	.exit = rand_exit,
	.page_added = rand_added,
	.page_removed = rand_removed,
	.isolate = rand_isolate,
};

/* The one symbol vmsim looks up (VMSIM_RECLAIM_PLUGIN_SYMBOL): exported. */
VMSIM_API const struct vmsim_reclaim_ops *vmsim_reclaim_plugin(void);

VMSIM_API const struct vmsim_reclaim_ops *vmsim_reclaim_plugin(void)
{
	return &rand_ops;
}

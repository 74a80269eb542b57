/*
 * A map from page numbers to 32-bit values, open-addressed with linear
 * probing, for the tool's trace code: map auto's touched pages (trace.c)
 * and the miss-ratio stream's dense page ids (mrc_sim.c).  Header-only so
 * that every program that compiles those files in (tests, fuzzers, bench)
 * gets it without another object; plain C, no libvmsim.
 */
#ifndef VMSIM_TOOL_PAGE_MAP_H
#define VMSIM_TOOL_PAGE_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct page_map {
	uint64_t *keys;			/* page number + 1; 0: empty slot */
	uint32_t *vals;
	size_t cap, nr;			/* cap: a power of two, at least 2 * nr */
};

static inline size_t page_map_hash(uint64_t key, size_t cap)
{
	key ^= key >> 31;
	key *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(key >> 17) & (cap - 1);
}

static inline int page_map_grow(struct page_map *pm)
{
	size_t ncap = pm->cap ? 2 * pm->cap : 1024;
	uint64_t *keys = calloc(ncap, sizeof(*keys));
	uint32_t *vals = calloc(ncap, sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -1;
	}
	for (size_t i = 0; i < pm->cap; i++) {
		size_t j;

		if (!pm->keys[i])
			continue;
		for (j = page_map_hash(pm->keys[i], ncap); keys[j]; j = (j + 1) & (ncap - 1))
			;
		keys[j] = pm->keys[i];
		vals[j] = pm->vals[i];
	}
	free(pm->keys);
	free(pm->vals);
	pm->keys = keys;
	pm->vals = vals;
	pm->cap = ncap;
	return 0;
}

/* @page's value (a new one is 0, and @added says so), or NULL without memory. */
static inline uint32_t *page_map_slot(struct page_map *pm, uint64_t page, bool *added)
{
	uint64_t key = page + 1;	/* page numbers stay below 2^64 - 1 */
	size_t j;

	if (2 * (pm->nr + 1) > pm->cap && page_map_grow(pm))
		return NULL;
	for (j = page_map_hash(key, pm->cap); pm->keys[j]; j = (j + 1) & (pm->cap - 1))
		if (pm->keys[j] == key)
			break;
	*added = !pm->keys[j];
	if (*added) {
		pm->keys[j] = key;
		pm->nr++;
	}
	return &pm->vals[j];
}

static inline void page_map_free(struct page_map *pm)
{
	free(pm->keys);
	free(pm->vals);
	memset(pm, 0, sizeof(*pm));
}

#endif

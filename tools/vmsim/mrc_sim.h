/*
 * Reference page-replacement simulators for `vmsim mrc` (docs/mrc.md):
 * the whole LRU miss curve in one pass (Mattson's stack distances), and
 * the misses of OPT (Belady), FIFO and CLOCK at one cache size each.  They
 * run on a page-reference stream of dense page ids (0 .. nr_pages - 1),
 * which struct mrc_stream builds from page numbers.  Definitions: those
 * of tests/data/README.md (a cache of N pages; every request of a page not
 * in the cache is a miss, compulsory misses included; when the cache is
 * full, one page leaves before the new one enters).
 */
#ifndef TOOLS_VMSIM_MRC_SIM_H
#define TOOLS_VMSIM_MRC_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "page_map.h"

#define MRC_NEVER	UINT32_MAX	/* next use of a page never requested again */
#define MRC_MAX_REFS	(UINT32_MAX - 1UL)	/* positions are 32-bit */
#define MRC_MAX_PAGES	(1U << 31)		/* distinct pages */

/*
 * An entry of a stream: the page id, and MRC_REPEAT when the request was
 * repeated right after it (once or more: a run of requests of one page).
 * The repeats are hits whatever the policy and the size; they change
 * nothing for LRU, OPT and FIFO, and set CLOCK's reference bit.  Keeping
 * runs as one entry makes address traces (where a page is requested many
 * times in a row: instruction fetches) several times shorter.
 */
#define MRC_REPEAT	(1U << 31)
#define MRC_ID(e)	((e) & ~MRC_REPEAT)

/* A page-reference stream being built: page numbers mapped to dense ids. */
struct mrc_stream {
	uint32_t *ref;			/* entries (ids, MRC_REPEAT), in request order */
	size_t nr_refs, cap_refs;
	uint64_t nr_requests;		/* requests, repeats included (unless dropped) */
	bool drop_repeats;		/* set before adding: repeats are not requests */
	uint32_t nr_pages;		/* distinct pages (ids 0 .. nr_pages - 1) */
	struct page_map ids;		/* page number -> its id */
	uint64_t last_page;		/* the previous request */
};

void mrc_stream_init(struct mrc_stream *s);
/*
 * Append one request of @page: 0, or -ENOMEM, or -E2BIG past MRC_MAX_REFS
 * entries or MRC_MAX_PAGES pages.  A repeat of the request before marks
 * that entry MRC_REPEAT (and counts as a request unless drop_repeats).
 */
int mrc_stream_add(struct mrc_stream *s, uint64_t page);
void mrc_stream_free(struct mrc_stream *s);

/*
 * mrc_lru_curve - LRU's misses at every cache size in one pass:
 * misses[c] for c = 1 .. nr_pages (misses[nr_pages] = nr_pages, the
 * compulsory ones; misses[0] = n, the entries).  O(log nr_pages) per
 * entry.  0 or -ENOMEM.
 */
int mrc_lru_curve(const uint32_t *ref, size_t n, uint32_t nr_pages, uint64_t *misses);

/* Next use: next[i] = the index of the next entry of ref[i]'s page, or MRC_NEVER. */
uint32_t *mrc_next_use(const uint32_t *ref, size_t n, uint32_t nr_pages);

/* The misses of one policy with a cache of @pages pages (>= 1), or -ENOMEM; O(n). */
int64_t mrc_opt(const uint32_t *ref, const uint32_t *next, size_t n, uint32_t nr_pages,
		uint32_t pages);
int64_t mrc_fifo(const uint32_t *ref, size_t n, uint32_t nr_pages, uint32_t pages);
int64_t mrc_clock(const uint32_t *ref, size_t n, uint32_t nr_pages, uint32_t pages);
/* LRU by direct simulation (a list): the tests' check of the one-pass curve. */
int64_t mrc_lru(const uint32_t *ref, size_t n, uint32_t nr_pages, uint32_t pages);

#endif

/*
 * Reference page-replacement simulators (mrc_sim.h): LRU's whole curve by
 * stack distances, OPT with a heap keyed by next use, FIFO and CLOCK with
 * a ring of the cached pages.  Plain C on arrays indexed by dense page id;
 * no machine, no libvmsim.
 *
 * The LRU curve (Mattson et al., 1970): a request's stack distance is the
 * number of distinct pages requested since the last request of the same
 * page, plus one; LRU with c pages hits exactly the requests at distance
 * <= c.  The distinct pages since a time are counted over request slots
 * marking each page's latest slot (a bitmap, and a Fenwick tree over its
 * words); the slots are renumbered (compacted) when they run out, so they
 * stay at 2-4 times the number of distinct pages, and in cache, whatever
 * the length of the trace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mrc_sim.h"

/* --- the stream: page numbers to dense ids ------------------------------------ */

void mrc_stream_init(struct mrc_stream *s)
{
	memset(s, 0, sizeof(*s));
}

void mrc_stream_free(struct mrc_stream *s)
{
	free(s->ref);
	page_map_free(&s->ids);
	mrc_stream_init(s);
}

/* The id of @page, a new one at its first request; MRC_NEVER when out of memory. */
static uint32_t stream_id(struct mrc_stream *s, uint64_t page)
{
	uint32_t *id;
	bool added;

	if (s->nr_pages == MRC_MAX_PAGES)
		return MRC_REPEAT;
	id = page_map_slot(&s->ids, page, &added);
	if (!id)
		return MRC_NEVER;
	if (added)
		*id = s->nr_pages++;
	return *id;
}

int mrc_stream_add(struct mrc_stream *s, uint64_t page)
{
	uint32_t id;

	if (s->nr_refs && page == s->last_page) {
		if (!s->drop_repeats) {
			s->ref[s->nr_refs - 1] |= MRC_REPEAT;
			s->nr_requests++;
		}
		return 0;
	}
	if (s->nr_refs >= MRC_MAX_REFS)
		return -E2BIG;
	if (s->nr_refs == s->cap_refs) {
		size_t ncap = s->cap_refs ? 2 * s->cap_refs : 65536;
		uint32_t *nref = realloc(s->ref, ncap * sizeof(*nref));

		if (!nref)
			return -ENOMEM;
		s->ref = nref;
		s->cap_refs = ncap;
	}
	id = stream_id(s, page);
	if (id == MRC_NEVER || id == MRC_REPEAT)
		return id == MRC_NEVER ? -ENOMEM : -E2BIG;
	s->last_page = page;
	s->ref[s->nr_refs++] = id;
	s->nr_requests++;
	return 0;
}

/* --- LRU: stack distances ------------------------------------------------------- */

/*
 * The request slots: a bitmap with a bit set at each page's latest slot,
 * and a Fenwick tree of the bit counts of the sealed words (those below
 * the word being filled, @cur), so that counting the pages requested
 * since a slot is two popcounts and one prefix sum over words, and a new
 * slot touches the tree once per 64 requests.
 */
struct slots {
	uint64_t *bits;			/* size / 64 words */
	uint32_t *fen;			/* 1-based over words 0 .. cur - 1 */
	uint32_t *owner;		/* slot -> the page whose request it holds */
	uint32_t size;			/* slots, a power of two >= 64 */
	uint32_t used;			/* slots taken: the next is used */
	uint32_t cur;			/* word of the next slot */
	uint32_t sealed;		/* bits set in words 0 .. cur - 1 */
};

static uint32_t fen_prefix(const struct slots *sl, uint32_t i)
{
	uint32_t s = 0;

	for (; i; i &= i - 1)
		s += sl->fen[i];
	return s;
}

static void fen_add(struct slots *sl, uint32_t i, uint32_t delta)
{
	for (; i <= sl->size / 64; i += i & -i)
		sl->fen[i] += delta;	/* unsigned wrap makes -1 work */
}

/* Bits set after slot @s (its own excluded). */
static uint32_t slots_after(const struct slots *sl, uint32_t s)
{
	uint32_t w = s / 64, n = (uint32_t)__builtin_popcountll(sl->bits[w] >> (s % 64) >> 1);

	if (w == sl->cur)
		return n;
	return n + sl->sealed - fen_prefix(sl, w + 1) +
	       (uint32_t)__builtin_popcountll(sl->bits[sl->cur]);
}

static void slots_clear(struct slots *sl, uint32_t s)
{
	uint32_t w = s / 64;

	sl->bits[w] &= ~(1ULL << (s % 64));
	if (w < sl->cur) {
		fen_add(sl, w + 1, (uint32_t)-1);
		sl->sealed--;
	}
}

/*
 * Slots ran out: number the @live latest slots 0 .. live - 1 in their
 * order (@last follows), grow when over half would stay in use, and
 * rebuild the bitmap and the tree.
 */
static int slots_compact(struct slots *sl, uint32_t *last, uint32_t live)
{
	uint32_t k = 0, words;

	for (uint32_t s = 0; s < sl->used; s++) {
		uint32_t p = sl->owner[s];

		if (sl->bits[s / 64] >> (s % 64) & 1) {
			sl->owner[k] = p;
			last[p] = k++ + 1;
		}
	}
	if (2 * (uint64_t)(live + 1) > sl->size) {
		uint32_t nsize = 2 * sl->size;
		uint64_t *b = realloc(sl->bits, nsize / 64 * sizeof(*b));
		uint32_t *f = b ? realloc(sl->fen, (nsize / 64 + 1) * sizeof(*f)) : NULL;
		uint32_t *o = f ? realloc(sl->owner, (size_t)nsize * sizeof(*o)) : NULL;

		if (b)
			sl->bits = b;
		if (f)
			sl->fen = f;
		if (!o)
			return -ENOMEM;
		sl->owner = o;
		sl->size = nsize;
	}
	words = sl->size / 64;
	sl->used = live;
	sl->cur = live / 64;
	sl->sealed = 64 * sl->cur;
	for (uint32_t w = 0; w < words; w++)
		sl->bits[w] = w < sl->cur ? ~0ULL : w > sl->cur || live % 64 == 0 ? 0 :
			      ~0ULL >> (64 - live % 64);
	for (uint32_t i = 1; i <= words; i++)
		sl->fen[i] = i <= sl->cur ? 64 : 0;
	for (uint32_t i = 1; i <= words; i++)	/* the linear Fenwick build */
		if (i + (i & -i) <= words)
			sl->fen[i + (i & -i)] += sl->fen[i];
	return 0;
}

/* The next slot for page @p: its word sealed into the tree when it is new. */
static void slots_take(struct slots *sl, uint32_t p)
{
	uint32_t s = sl->used++;

	if (s / 64 != sl->cur) {
		uint32_t n = (uint32_t)__builtin_popcountll(sl->bits[sl->cur]);

		fen_add(sl, sl->cur + 1, n);
		sl->sealed += n;
		sl->cur = s / 64;
	}
	sl->bits[s / 64] |= 1ULL << (s % 64);
	sl->owner[s] = p;
}

int mrc_lru_curve(const uint32_t *ref, size_t n, uint32_t nr_pages, uint64_t *misses)
{
	uint64_t *hist = calloc((size_t)nr_pages + 2, sizeof(*hist));
	uint32_t *last = calloc((size_t)nr_pages + 1, sizeof(*last));	/* slot + 1, 0: none */
	struct slots sl = { .size = 1024 };
	uint32_t live = 0, prev = MRC_NEVER;
	int ret = -ENOMEM;

	sl.bits = calloc(sl.size / 64, sizeof(*sl.bits));
	sl.fen = calloc(sl.size / 64 + 1, sizeof(*sl.fen));
	sl.owner = malloc(sl.size * sizeof(*sl.owner));
	if (!hist || !last || !sl.bits || !sl.fen || !sl.owner)
		goto out;
	for (size_t i = 0; i < n; i++) {
		uint32_t p = MRC_ID(ref[i]);

		if (p == prev) {	/* distance 1; the stack does not change */
			hist[1]++;
			continue;
		}
		prev = p;
		if (last[p]) {
			hist[slots_after(&sl, last[p] - 1) + 1]++;
			slots_clear(&sl, last[p] - 1);
			live--;
		}
		if (sl.used == sl.size && slots_compact(&sl, last, live))
			goto out;
		slots_take(&sl, p);
		last[p] = sl.used;
		live++;
	}
	/* misses at c pages: the requests at distance > c, and the first ones */
	misses[nr_pages] = live;
	for (uint32_t c = nr_pages; c > 0; c--)
		misses[c - 1] = misses[c] + hist[c];
	ret = 0;
out:
	free(hist);
	free(last);
	free(sl.bits);
	free(sl.fen);
	free(sl.owner);
	return ret;
}

/* --- OPT: a max-heap of the cached pages keyed by next use ------------------------ */

uint32_t *mrc_next_use(const uint32_t *ref, size_t n, uint32_t nr_pages)
{
	uint32_t *next = malloc((n ? n : 1) * sizeof(*next));
	uint32_t *seen = malloc(((size_t)nr_pages + 1) * sizeof(*seen));

	if (!next || !seen) {
		free(next);
		free(seen);
		return NULL;
	}
	for (uint32_t p = 0; p < nr_pages; p++)
		seen[p] = MRC_NEVER;
	for (size_t i = n; i-- > 0; ) {
		next[i] = seen[MRC_ID(ref[i])];
		seen[MRC_ID(ref[i])] = (uint32_t)i;
	}
	free(seen);
	return next;
}

struct heap_ent {
	uint32_t key;			/* next use */
	uint32_t page;
};

struct opt_heap {
	struct heap_ent *h;
	uint32_t *pos;			/* page -> heap index, MRC_NEVER: not cached */
	uint32_t nr;
};

static void heap_put(struct opt_heap *q, uint32_t i, struct heap_ent e)
{
	q->h[i] = e;
	q->pos[e.page] = i;
}

static void heap_up(struct opt_heap *q, uint32_t i)
{
	struct heap_ent e = q->h[i];

	while (i && q->h[(i - 1) / 2].key < e.key) {
		heap_put(q, i, q->h[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_put(q, i, e);
}

static void heap_down(struct opt_heap *q, uint32_t i)
{
	struct heap_ent e = q->h[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= q->nr)
			break;
		if (c + 1 < q->nr && q->h[c + 1].key > q->h[c].key)
			c++;
		if (q->h[c].key <= e.key)
			break;
		heap_put(q, i, q->h[c]);
		i = c;
	}
	heap_put(q, i, e);
}

/*
 * A hit moves the page's key from now to its next use, later: it rises.
 * A miss with the cache full puts the new page in the root's place (the
 * root's next use is the farthest) and lets it sink.
 */
int64_t mrc_opt(const uint32_t *ref, const uint32_t *next, size_t n, uint32_t nr_pages,
		uint32_t pages)
{
	struct opt_heap q = { 0 };
	int64_t misses = 0;

	q.h = malloc((size_t)pages * sizeof(*q.h));
	q.pos = malloc(((size_t)nr_pages + 1) * sizeof(*q.pos));
	if (!q.h || !q.pos) {
		misses = -ENOMEM;
		goto out;
	}
	memset(q.pos, 0xff, ((size_t)nr_pages + 1) * sizeof(*q.pos));
	for (size_t i = 0; i < n; i++) {
		struct heap_ent e = { next[i], MRC_ID(ref[i]) };
		uint32_t at = q.pos[e.page];

		if (at != MRC_NEVER) {
			q.h[at].key = e.key;
			heap_up(&q, at);
			continue;
		}
		misses++;
		if (q.nr < pages) {
			q.nr++;
			heap_put(&q, q.nr - 1, e);
			heap_up(&q, q.nr - 1);
		} else {
			q.pos[q.h[0].page] = MRC_NEVER;
			heap_put(&q, 0, e);
			heap_down(&q, 0);
		}
	}
out:
	free(q.h);
	free(q.pos);
	return misses;
}

/* --- FIFO and CLOCK: a ring of the cached pages, oldest at the hand ---------------- */

/*
 * CLOCK as second chance: a full ring read from the hand is the queue in
 * order of entry, so moving the oldest page to the newest end (its bit
 * cleared) is a step of the hand, and the new page takes the evicted
 * page's slot, the newest once the hand steps past it.  FIFO is the same
 * ring with hits setting no bit.
 */
static int64_t ring_sim(const uint32_t *ref, size_t n, uint32_t nr_pages, uint32_t pages,
			bool second_chance)
{
	uint32_t *ring = malloc((size_t)pages * sizeof(*ring));
	uint8_t *state = calloc((size_t)nr_pages + 1, 1);	/* 1 cached, 2 referenced */
	uint32_t used = 0, hand = 0;
	int64_t misses = 0;

	if (!ring || !state) {
		misses = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t p = MRC_ID(ref[i]);
		/* a hit, or the repeats after the request, set the bit */
		uint8_t hit = second_chance ? 2 : 1;

		if (state[p]) {
			state[p] = hit;
			continue;
		}
		misses++;
		state[p] = ref[i] & MRC_REPEAT ? hit : 1;
		if (used < pages) {
			ring[used++] = p;
			continue;
		}
		while (state[ring[hand]] == 2) {
			state[ring[hand]] = 1;
			hand = hand + 1 == pages ? 0 : hand + 1;
		}
		state[ring[hand]] = 0;
		ring[hand] = p;
		hand = hand + 1 == pages ? 0 : hand + 1;
	}
out:
	free(ring);
	free(state);
	return misses;
}

int64_t mrc_fifo(const uint32_t *ref, size_t n, uint32_t nr_pages, uint32_t pages)
{
	return ring_sim(ref, n, nr_pages, pages, false);
}

int64_t mrc_clock(const uint32_t *ref, size_t n, uint32_t nr_pages, uint32_t pages)
{
	return ring_sim(ref, n, nr_pages, pages, true);
}

/* --- LRU by a list (the check of the curve) ------------------------------------------ */

int64_t mrc_lru(const uint32_t *ref, size_t n, uint32_t nr_pages, uint32_t pages)
{
	/* a doubly linked list over page ids; index nr_pages is the head */
	uint32_t *prev = malloc(((size_t)nr_pages + 1) * sizeof(*prev));
	uint32_t *next = malloc(((size_t)nr_pages + 1) * sizeof(*next));
	uint8_t *cached = calloc((size_t)nr_pages + 1, 1);
	uint32_t head = nr_pages, used = 0;
	int64_t misses = 0;

	if (!prev || !next || !cached) {
		misses = -ENOMEM;
		goto out;
	}
	prev[head] = next[head] = head;
	for (size_t i = 0; i < n; i++) {
		uint32_t p = MRC_ID(ref[i]);

		if (cached[p]) {
			next[prev[p]] = next[p];	/* unlink */
			prev[next[p]] = prev[p];
		} else {
			misses++;
			cached[p] = 1;
			if (used == pages) {	/* the tail is the least recent */
				uint32_t v = prev[head];

				next[prev[v]] = head;
				prev[head] = prev[v];
				cached[v] = 0;
			} else {
				used++;
			}
		}
		next[p] = next[head];		/* to the front */
		prev[p] = head;
		prev[next[head]] = p;
		next[head] = p;
	}
out:
	free(prev);
	free(next);
	free(cached);
	return misses;
}

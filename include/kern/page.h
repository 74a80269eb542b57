/*
 * clear_page and copy_page of one 4 KiB frame by its host address, as
 * arch/x86's: with streaming (non-temporal) stores on x86-64, which write
 * the frame to memory without reading it into the cache first (a fresh
 * or copied page is rarely read back before the program writes it), the
 * way Linux's clear_page_nocache does.  The stores are weakly ordered:
 * page_copy_done() (an sfence) before the page is published (mapped).
 */
#ifndef KERN_PAGE_H
#define KERN_PAGE_H

#include <string.h>
#include "kern/mm.h"
#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#define PAGE_COPY_STREAMING 1
#else
#define PAGE_COPY_STREAMING 0
#endif

static inline void clear_page(void *p)
{
#if PAGE_COPY_STREAMING
	__m128i z = _mm_setzero_si128();
	__m128i *q = p;

	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*q); i += 4) {
		_mm_stream_si128(q + i, z);
		_mm_stream_si128(q + i + 1, z);
		_mm_stream_si128(q + i + 2, z);
		_mm_stream_si128(q + i + 3, z);
	}
#else
	memset(p, 0, PAGE_SIZE);
#endif
}

static inline void copy_page(void *to, const void *from)
{
#if PAGE_COPY_STREAMING
	__m128i *d = to;
	const __m128i *s = from;

	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*d); i += 4) {
		__m128i a = _mm_load_si128(s + i), b = _mm_load_si128(s + i + 1);
		__m128i c = _mm_load_si128(s + i + 2), e = _mm_load_si128(s + i + 3);

		_mm_stream_si128(d + i, a);
		_mm_stream_si128(d + i + 1, b);
		_mm_stream_si128(d + i + 2, c);
		_mm_stream_si128(d + i + 3, e);
	}
#else
	memcpy(to, from, PAGE_SIZE);
#endif
}

/* The streaming stores above are done before anything that publishes the page. */
static inline void page_copy_done(void)
{
#if PAGE_COPY_STREAMING
	_mm_sfence();
#endif
}

#endif

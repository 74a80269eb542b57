/*
 * Machine options chosen by the first FUZZ_OPT_BYTES bytes of a fuzz input,
 * so that every target also runs on small and large machines, i386, PAE
 * and x86-64 page tables, several CPUs, with and without swap, both
 * reclaim designs, any swap readahead and fault-around window, and with
 * the Nth page or slab allocation failing (fault injection):
 *
 *   byte 0  bits 0-1 ram (16M 16M 32M 64M), 2-3 paging (x86_64 x86_64
 *           i386 pae), 4-5 cpus - 1, 6 pcp off, 7 reclaim=2.4.0
 *   byte 1  bits 0-1 swap (none 1M 4M 16M), 2-4 page_cluster (0..6, 7:
 *           the default), 5-6 fault_around_bytes (default 0 4096 65536),
 *           7 spcheck on
 *   byte 2  fail_page_alloc = byte^2 / 4 (0: never)
 *   byte 3  fail_slab = byte^2 / 4 (0: never)
 *
 * Shared by fuzz_run.c, fuzz_trace.c and fuzz_exec.c (header-only: each
 * target is one translation unit; FUZZ_BOOT adds fuzz_boot).
 */
#ifndef TESTS_FUZZ_OPTS_H
#define TESTS_FUZZ_OPTS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define FUZZ_OPT_BYTES	4
#define FUZZ_MAX_OPTS	12

struct fuzz_opts {
	int n;
	const char *keys[FUZZ_MAX_OPTS];
	const char *values[FUZZ_MAX_OPTS];
	char num[2][24];		/* the two fail_* values as text */
};

static inline void fuzz_opt_add(struct fuzz_opts *o, const char *key, const char *value)
{
	if (o->n < FUZZ_MAX_OPTS) {
		o->keys[o->n] = key;
		o->values[o->n] = value;
		o->n++;
	}
}

/* Consume the option bytes of (*data, *size) (fewer if the input is shorter). */
static inline void fuzz_pick_opts(const uint8_t **data, size_t *size, struct fuzz_opts *o)
{
	static const char *const ram[] = { "16M", "16M", "32M", "64M" };
	static const char *const paging[] = { "x86_64", "x86_64", "i386", "pae" };
	static const char *const cpus[] = { "1", "2", "3", "4" };
	static const char *const swap[] = { NULL, "1M", "4M", "16M" };
	static const char *const cluster[] = { "0", "1", "2", "3", "4", "5", "6", NULL };
	static const char *const around[] = { NULL, "0", "4096", "65536" };
	uint8_t b[FUZZ_OPT_BYTES] = { 0 };
	size_t n = *size < FUZZ_OPT_BYTES ? *size : FUZZ_OPT_BYTES;

	memcpy(b, *data, n);
	*data += n;
	*size -= n;
	memset(o, 0, sizeof(*o));
	fuzz_opt_add(o, "ram", ram[b[0] & 3]);
	fuzz_opt_add(o, "paging", paging[(b[0] >> 2) & 3]);
	fuzz_opt_add(o, "cpus", cpus[(b[0] >> 4) & 3]);
	if (b[0] & 0x40)
		fuzz_opt_add(o, "pcp", "off");
	if (b[0] & 0x80)
		fuzz_opt_add(o, "reclaim", "2.4.0");
	if (swap[b[1] & 3])
		fuzz_opt_add(o, "swap", swap[b[1] & 3]);
	if (cluster[(b[1] >> 2) & 7])
		fuzz_opt_add(o, "page_cluster", cluster[(b[1] >> 2) & 7]);
	if (around[(b[1] >> 5) & 3])
		fuzz_opt_add(o, "fault_around_bytes", around[(b[1] >> 5) & 3]);
	if (b[1] & 0x80)
		fuzz_opt_add(o, "spcheck", "on");
	for (int i = 0; i < 2; i++) {
		if (!b[2 + i])
			continue;
		snprintf(o->num[i], sizeof(o->num[i]), "%u", (unsigned int)b[2 + i] * b[2 + i] / 4);
		fuzz_opt_add(o, i ? "fail_slab" : "fail_page_alloc", o->num[i]);
	}
}

#ifdef FUZZ_BOOT
#include <stdlib.h>
#include "vmsim/vmsim.h"

/* A machine with the options @o (NULL if they do not make a valid one). */
static inline vmsim_machine_t *fuzz_boot(const struct fuzz_opts *o)
{
	struct vmsim_config cfg;
	char err[200];

	vmsim_config_default(&cfg);
	for (int i = 0; i < o->n; i++)
		if (vmsim_config_set(&cfg, o->keys[i], o->values[i], err, sizeof(err)))
			abort();	/* fuzz_pick_opts gives known options only */
	if (vmsim_config_validate(&cfg, err, sizeof(err)))
		return NULL;
	return vmsim_machine_create(&cfg);
}
#endif

#endif

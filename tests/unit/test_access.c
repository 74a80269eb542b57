/*
 * The process's own accesses in bulk (api/access.c): vmsim_access_run
 * and vmsim_access_pattern make exactly the accesses they name (bytes
 * stored and loaded, every size and alignment, across pages), kill the
 * task at the first access that raises a signal and say where, and see
 * the TLB exactly as the one-access calls do (the same hits, misses and
 * faults).  The stress test runs a stream while another CPU shoots down
 * the translations it uses.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "kern/sched.h"
#include "kern/mmu.h"
#include "vmsim/process.h"
#include "vmsim/stats.h"
#include "vmsim/script.h"

#define RW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
#define ANON	(VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)
#define PG	4096UL

static struct vmsim_access acc(unsigned long addr, uint32_t size, int kind, uint64_t value)
{
	struct vmsim_access a = { .addr = addr, .value = value, .size = size,
				  .kind = (uint8_t)kind };
	return a;
}

static unsigned long map(struct machine *m, int pid, unsigned long len, int prot)
{
	long a = vmsim_mmap(m, pid, 0, len, prot, ANON, -1, 0);

	ASSERT_CMP(a, >, 0);
	return (unsigned long)a;
}

TEST(access_store_and_load_every_size_and_alignment)
{
	struct machine *m = test_boot("ram=32M paging=x86_64");
	static const uint32_t sizes[] = { 1, 2, 4, 8 };
	/* aligned, unaligned, and straddling the boundary of pages 1 and 2 */
	static const unsigned long offs[] = { 0, 8, 16, 3, 13, 77, PG - 1, PG - 3, PG - 5 };
	int p = vmsim_spawn(m);
	unsigned long a = map(m, p, 3 * PG, RW) + PG;

	for (size_t si = 0; si < 4; si++) {
		for (size_t oi = 0; oi < sizeof(offs) / sizeof(offs[0]); oi++) {
			uint32_t size = sizes[si];
			unsigned long addr = a + offs[oi];
			uint64_t value = 0x8877665544332211ULL + oi * 0x0101010101010101ULL;
			unsigned char want[8], got[8], bytes[8];
			struct vmsim_access v[2];
			struct vmsim_access_result res;
			uint64_t loaded[2] = { 7, 7 };

			/* store: exactly @size bytes of the value, little-endian */
			ASSERT_EQ(vmsim_write(m, p, addr - 1, "\xee\xee\xee\xee\xee\xee\xee\xee"
					      "\xee\xee", 10), 0);
			v[0] = acc(addr, size, VMSIM_ACCESS_STORE, value);
			ASSERT_EQ(vmsim_access_run(m, p, v, 1, loaded, &res), 1);
			ASSERT_EQ(res.done, 1);
			ASSERT_EQ(res.signo, 0);
			ASSERT_EQ(loaded[0], 0);
			memcpy(want, &value, 8);
			ASSERT_EQ(vmsim_read(m, p, addr, got, size), 0);
			ASSERT(!memcmp(got, want, size));
			ASSERT_EQ(vmsim_read(m, p, addr - 1, bytes, 1), 0);
			ASSERT_EQ(bytes[0], 0xee);
			ASSERT_EQ(vmsim_read(m, p, addr + size, bytes, 1), 0);
			ASSERT_EQ(bytes[0], 0xee);

			/* load: the bytes written by the one-access call, zero-extended */
			for (int i = 0; i < 8; i++)
				bytes[i] = (unsigned char)(0x30 + 7 * i + oi);
			ASSERT_EQ(vmsim_write(m, p, addr, bytes, size), 0);
			v[0] = acc(addr, size, VMSIM_ACCESS_LOAD, 0);
			v[1] = acc(addr, size, VMSIM_ACCESS_LOAD, 0);
			ASSERT_EQ(vmsim_access_run(m, p, v, 2, loaded, &res), 2);
			uint64_t w = 0;
			memcpy(&w, bytes, size);
			ASSERT_EQ(loaded[0], w);
			ASSERT_EQ(loaded[1], w);
		}
	}
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(access_large_accesses_repeat_the_value)
{
	struct machine *m = test_boot("ram=32M paging=pae");
	int p = vmsim_spawn(m);
	unsigned long a = map(m, p, 3 * PG, RW);
	unsigned char got[5000];
	struct vmsim_access v[2];
	uint64_t loaded[2];

	/* 4096 bytes from the middle of page 0 into page 1 */
	v[0] = acc(a + 100, 4096, VMSIM_ACCESS_STORE, 0x0706050403020100ULL);
	v[1] = acc(a + 103, 64, VMSIM_ACCESS_LOAD, 0);
	ASSERT_EQ(vmsim_access_run(m, p, v, 2, loaded, NULL), 2);
	ASSERT_EQ(vmsim_read(m, p, a, got, 5000), 0);
	for (int i = 0; i < 100; i++)
		ASSERT_EQ(got[i], 0);
	for (int i = 0; i < 4096; i++)
		ASSERT_EQ(got[100 + i], i & 7);
	for (int i = 4196; i < 5000; i++)
		ASSERT_EQ(got[i], 0);
	ASSERT_EQ(loaded[1], 0x0201000706050403ULL);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(access_modify_loads_then_stores)
{
	struct machine *m = test_boot("ram=32M paging=i386");
	int p = vmsim_spawn(m);
	unsigned long a = map(m, p, 2 * PG, RW);
	struct vmsim_access v[3];
	uint64_t loaded[3], got;

	ASSERT_EQ(vmsim_store64(m, p, a + 8, 0x1111111111111111ULL), 0);
	ASSERT_EQ(vmsim_write(m, p, a + PG - 2, "\xab\xcd\xef\x01", 4), 0);
	v[0] = acc(a + 8, 8, VMSIM_ACCESS_MODIFY, 0x2222222222222222ULL);
	v[1] = acc(a + 8, 8, VMSIM_ACCESS_MODIFY, 0x3333333333333333ULL);
	v[2] = acc(a + PG - 2, 4, VMSIM_ACCESS_MODIFY, 0x55667788);
	ASSERT_EQ(vmsim_access_run(m, p, v, 3, loaded, NULL), 3);
	ASSERT_EQ(loaded[0], 0x1111111111111111ULL);
	ASSERT_EQ(loaded[1], 0x2222222222222222ULL);
	ASSERT_EQ(loaded[2], 0x01efcdab);
	ASSERT_EQ(vmsim_load64(m, p, a + 8, &got), 0);
	ASSERT_EQ(got, 0x3333333333333333ULL);
	got = 0;
	ASSERT_EQ(vmsim_read(m, p, a + PG - 2, &got, 4), 0);
	ASSERT_EQ(got, 0x55667788);
	/* a modify of read-only memory loads, then dies on the store */
	ASSERT_EQ(vmsim_mprotect(m, p, a, PG, VMSIM_PROT_READ), 0);
	struct vmsim_access_result res;
	v[0] = acc(a + 16, 4, VMSIM_ACCESS_MODIFY, 1);
	ASSERT_EQ(vmsim_access_run(m, p, v, 1, NULL, &res), VMSIM_KILLED);
	ASSERT_EQ(res.done, 0);
	ASSERT_EQ(res.signo, 11);
	ASSERT_EQ(res.code, 2);
	ASSERT_EQ(res.fault_addr, a + 16);
	test_shutdown(m);
}

static void fetch_nx(const char *opts)
{
	struct machine *m = test_boot(opts);
	int p = vmsim_spawn(m);
	unsigned long code = map(m, p, 2 * PG, VMSIM_PROT_READ | VMSIM_PROT_EXEC);
	unsigned long data = map(m, p, PG, RW);
	struct vmsim_access v[4];
	struct vmsim_access_result res;
	uint64_t loaded[4];

	/* an instruction straddling two executable pages, then one in data */
	v[0] = acc(code + 16, 4, VMSIM_ACCESS_FETCH, 0);
	v[1] = acc(code + PG - 2, 5, VMSIM_ACCESS_FETCH, 0);
	v[2] = acc(data + 8, 8, VMSIM_ACCESS_STORE, 42);
	v[3] = acc(data + 8, 3, VMSIM_ACCESS_FETCH, 0);
	ASSERT_EQ(vmsim_access_run(m, p, v, 4, loaded, &res), VMSIM_KILLED);
	ASSERT_EQ(res.done, 3);
	ASSERT_EQ(res.signo, 11);
	ASSERT_EQ(res.code, 2);			/* SEGV_ACCERR: mapped, not executable */
	ASSERT_EQ(res.fault_addr, data + 8);
	ASSERT_EQ(loaded[0], 0);
	ASSERT_EQ(loaded[1], 0);
	/* the task is gone: later streams get -ESRCH */
	ASSERT_EQ(vmsim_access_run(m, p, v, 1, NULL, &res), -ESRCH);
	test_shutdown(m);
}

TEST(access_fetch_from_nx_memory_kills_x86_64)
{
	fetch_nx("ram=32M paging=x86_64");
}

TEST(access_fetch_from_nx_memory_kills_pae)
{
	fetch_nx("ram=32M paging=pae");
}

TEST(access_fetch_without_nx_on_i386)
{
	/* 2-level i386 has no NX bit: data is executable, as on that hardware */
	struct machine *m = test_boot("ram=32M paging=i386");
	int p = vmsim_spawn(m);
	unsigned long data = map(m, p, PG, RW);
	struct vmsim_access v[2];
	uint64_t loaded[2];

	v[0] = acc(data + 8, 1, VMSIM_ACCESS_STORE, 0xc3);
	v[1] = acc(data + 8, 1, VMSIM_ACCESS_FETCH, 0);
	ASSERT_EQ(vmsim_access_run(m, p, v, 2, loaded, NULL), 2);
	ASSERT_EQ(loaded[1], 0xc3);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

TEST(access_fault_midway_stops_the_stream)
{
	struct machine *m = test_boot("ram=32M paging=x86_64");
	int p = vmsim_spawn(m);
	unsigned long a = map(m, p, 4 * PG, RW);
	struct vmsim_access v[10];
	struct vmsim_access_result res;
	struct vmsim_task_info ti;
	struct vmsim_fault_stats fs;

	ASSERT_EQ(vmsim_munmap(m, p, a + 2 * PG, PG), 0);
	for (int i = 0; i < 10; i++)
		v[i] = acc(a + (unsigned long)i * 1024 + 4, 4, VMSIM_ACCESS_STORE, (uint64_t)i);
	/* accesses 0-7 are in pages 0 and 1; 8 is the hole */
	ASSERT_EQ(vmsim_access_run(m, p, v, 10, NULL, &res), VMSIM_KILLED);
	ASSERT_EQ(res.done, 8);
	ASSERT_EQ(res.signo, 11);
	ASSERT_EQ(res.code, 1);			/* SEGV_MAPERR */
	ASSERT_EQ(res.fault_addr, a + 8 * 1024 + 4);
	ASSERT_EQ(vmsim_task_info(m, p, &ti), 0);
	ASSERT(!ti.alive);
	ASSERT_EQ(ti.signo, 11);
	ASSERT_EQ(ti.addr, a + 8 * 1024 + 4);
	vmsim_fault_stats(m, &fs);
	ASSERT_EQ(fs.sigsegv, 1);
	ASSERT_EQ(fs.anon, 2);			/* pages 0 and 1 were demand-zero faulted */
	test_shutdown(m);
}

TEST(access_bad_entries_are_einval)
{
	struct machine *m = test_boot("ram=32M");
	int p = vmsim_spawn(m);
	unsigned long a = map(m, p, PG, RW);
	struct vmsim_access v[3];
	struct vmsim_access_result res;
	unsigned char b;

	v[0] = acc(a, 1, VMSIM_ACCESS_STORE, 0x77);
	v[1] = acc(a + 1, 0, VMSIM_ACCESS_LOAD, 0);
	ASSERT_EQ(vmsim_access_run(m, p, v, 2, NULL, &res), -EINVAL);
	ASSERT_EQ(res.done, 1);
	ASSERT_EQ(vmsim_read(m, p, a, &b, 1), 0);
	ASSERT_EQ(b, 0x77);
	v[1] = acc(a, VMSIM_ACCESS_MAX_SIZE + 1, VMSIM_ACCESS_LOAD, 0);
	ASSERT_EQ(vmsim_access_run(m, p, v + 1, 1, NULL, &res), -EINVAL);
	v[1] = acc(a, 8, VMSIM_ACCESS_NR_KINDS, 0);
	ASSERT_EQ(vmsim_access_run(m, p, v + 1, 1, NULL, &res), -EINVAL);
	ASSERT_EQ(res.done, 0);
	v[1] = acc(~0UL - 2, 4, VMSIM_ACCESS_LOAD, 0);
	ASSERT_EQ(vmsim_access_run(m, p, v + 1, 1, NULL, &res), -EINVAL);
	ASSERT_EQ(vmsim_access_run(m, p, NULL, 1, NULL, &res), -EINVAL);
	ASSERT_EQ(vmsim_access_run(m, p, NULL, 0, NULL, &res), 0);
	ASSERT_EQ(vmsim_access_run(m, 999, v, 1, NULL, &res), -ESRCH);
	/* addresses beyond user space fault like any other */
	v[0] = acc(vmsim_task_size(m), 8, VMSIM_ACCESS_LOAD, 0);
	ASSERT_EQ(vmsim_access_run(m, p, v, 1, NULL, &res), VMSIM_KILLED);
	ASSERT_EQ(res.signo, 11);
	test_shutdown(m);
}

/* One-access equivalents of a stream, run on their own machine. */
static void one_by_one(struct machine *m, int p, const struct vmsim_access *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct vmsim_access *a = &v[i];
		uint64_t x = 0;

		switch (a->kind) {
		case VMSIM_ACCESS_LOAD:
			if (a->size == 8 && !(a->addr & 7))
				ASSERT_EQ(vmsim_load64(m, p, a->addr, &x), 0);
			else
				ASSERT_EQ(vmsim_read(m, p, a->addr, &x, a->size), 0);
			break;
		case VMSIM_ACCESS_STORE:
			if (a->size == 8 && !(a->addr & 7))
				ASSERT_EQ(vmsim_store64(m, p, a->addr, a->value), 0);
			else
				ASSERT_EQ(vmsim_write(m, p, a->addr, &a->value, a->size), 0);
			break;
		case VMSIM_ACCESS_FETCH: {
			struct task_call c;
			uint8_t byte;

			ASSERT_EQ(task_call_begin(m, p, &c), 0);
			ASSERT_EQ(mmu_user_fetch(a->addr, &byte), 0);
			task_call_end(&c);
			break;
		}
		default:
			ASSERT(0);
		}
	}
}

/* The same address space on a fresh machine: code pages and data pages. */
static struct machine *twin(int *pid, unsigned long *code, unsigned long *data)
{
	struct machine *m = test_boot("ram=32M paging=x86_64 tlb=16 tlbways=4");

	*pid = vmsim_spawn(m);
	ASSERT_CMP(*pid, >, 0);
	*code = map(m, *pid, 8 * PG, VMSIM_PROT_READ | VMSIM_PROT_EXEC);
	*data = map(m, *pid, 64 * PG, RW);
	return m;
}

TEST(access_tlb_counts_match_one_access_calls)
{
	enum { N = 6000 };
	struct vmsim_access *v = calloc(N, sizeof(*v));
	struct vmsim_tlb_stats t1, t2;
	struct vmsim_fault_stats f1, f2;
	unsigned long code, data, code2, data2;
	uint64_t seed = 12345, hits0, misses0;
	int p1, p2;
	struct machine *m1, *m2;
	unsigned char b1[64 * 64], b2[64 * 64];

	ASSERT_NOT_NULL(v);
	m1 = twin(&p1, &code, &data);
	/* a random mix over more pages than the TLB holds */
	for (int i = 0; i < N; i++) {
		uint64_t r = seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		unsigned int kind = (unsigned int)(r >> 60) % 3;
		unsigned long page = (r >> 20) % 64, off = (r >> 8) & 0xfff;
		static const uint32_t sizes[] = { 1, 2, 4, 8, 8, 8, 16 };
		uint32_t size = sizes[(r >> 40) % 7];

		if (kind == 2) {
			v[i] = acc(code + (page % 8) * PG + off, (uint32_t)(1 + (r >> 44) % 8),
				   VMSIM_ACCESS_FETCH, 0);
			continue;
		}
		if (size == 8 && (r >> 50) % 2)
			off &= ~7UL;			/* half the 8-byte ones aligned */
		if (size == 16)
			size = 8;
		if (off + size > PG && page == 63)
			off = 0;
		v[i] = acc(data + page * PG + off, size,
			   kind ? VMSIM_ACCESS_STORE : VMSIM_ACCESS_LOAD, r);
	}
	/* one-access calls on m1: page-crossing fetches need one fetch per page */
	vmsim_tlb_stats(m1, &t1);
	hits0 = t1.hits;
	misses0 = t1.misses;
	for (int i = 0; i < N; i++) {
		if (v[i].kind == VMSIM_ACCESS_FETCH) {
			struct vmsim_access f = acc(v[i].addr, 1, VMSIM_ACCESS_FETCH, 0);
			unsigned long last = v[i].addr + v[i].size - 1;

			one_by_one(m1, p1, &f, 1);
			if ((last & ~(PG - 1)) != (v[i].addr & ~(PG - 1))) {
				f.addr = last & ~(PG - 1);
				one_by_one(m1, p1, &f, 1);
			}
		} else {
			one_by_one(m1, p1, &v[i], 1);
		}
	}
	vmsim_tlb_stats(m1, &t1);
	vmsim_fault_stats(m1, &f1);
	ASSERT_EQ(vmsim_read(m1, p1, data, b1, sizeof(b1)), 0);

	m2 = twin(&p2, &code2, &data2);
	ASSERT_EQ(code2, code);
	ASSERT_EQ(data2, data);
	vmsim_tlb_stats(m2, &t2);
	ASSERT_EQ(t2.hits, hits0);
	ASSERT_EQ(t2.misses, misses0);
	/* the stream in two runs */
	ASSERT_EQ(vmsim_access_run(m2, p2, v, N / 2, NULL, NULL), N / 2);
	ASSERT_EQ(vmsim_access_run(m2, p2, v + N / 2, N - N / 2, NULL, NULL), N - N / 2);
	vmsim_tlb_stats(m2, &t2);
	vmsim_fault_stats(m2, &f2);
	ASSERT_EQ(vmsim_read(m2, p2, data, b2, sizeof(b2)), 0);

	ASSERT_CMP(t1.misses - misses0, >, 1000);
	ASSERT_EQ(t2.hits, t1.hits);
	ASSERT_EQ(t2.misses, t1.misses);
	ASSERT_EQ(f2.total, f1.total);
	ASSERT_EQ(f2.anon, f1.anon);
	ASSERT(!memcmp(b1, b2, sizeof(b1)));
	free(v);
	ASSERT_EQ(vmsim_exit(m1, p1), 0);
	ASSERT_EQ(vmsim_exit(m2, p2), 0);
	test_shutdown(m1);
	test_shutdown(m2);
}

TEST(access_pattern_sequential_and_random)
{
	struct machine *m = test_boot("ram=32M paging=x86_64");
	int p = vmsim_spawn(m);
	unsigned long a = map(m, p, 64 * PG, RW);
	struct vmsim_access_pattern pat = {
		.addr = a, .stride = 2 * PG, .count = 32, .size = 1,
		.kind = VMSIM_ACCESS_STORE, .value = 0x5a,
	};
	struct vmsim_access_result res;
	unsigned char vec[64], b;
	uint64_t slots[10000 / 64 + 1] = { 0 };

	ASSERT_EQ(vmsim_access_pattern(m, p, &pat, &res), 32);
	ASSERT_EQ(res.done, 32);
	ASSERT_EQ(vmsim_mincore(m, p, a, 64 * PG, vec), 0);
	for (int i = 0; i < 64; i++)
		ASSERT_EQ(vec[i] & 1, !(i & 1));
	ASSERT_EQ(vmsim_read(m, p, a + 62 * PG, &b, 1), 0);
	ASSERT_EQ(b, 0x5a);

	/* random: 10000 accesses (three batches) to the slots mix64(seed + k) picks */
	ASSERT_EQ(vmsim_munmap(m, p, a, 64 * PG), 0);
	a = map(m, p, 10000 * 8, RW);
	pat = (struct vmsim_access_pattern){
		.addr = a, .stride = 8, .count = 10000, .random = true, .slots = 10000,
		.seed = 99, .size = 8, .kind = VMSIM_ACCESS_MODIFY, .value = 1,
	};
	ASSERT_EQ(vmsim_access_pattern(m, p, &pat, &res), 10000);
	for (uint64_t k = 0; k < 10000; k++) {
		uint64_t s = vmsim_mix64(99 + k) % 10000;
		slots[s / 64] |= 1ULL << (s % 64);
	}
	for (uint64_t s = 0; s < 10000; s += 37) {
		uint64_t x;

		ASSERT_EQ(vmsim_load64(m, p, a + s * 8, &x), 0);
		ASSERT_EQ(x, (slots[s / 64] >> (s % 64)) & 1);
	}
	/* a pattern that runs off the mapping kills at the right access */
	pat = (struct vmsim_access_pattern){
		.addr = a, .stride = PG, .count = 100, .size = 4, .kind = VMSIM_ACCESS_LOAD,
	};
	ASSERT_EQ(vmsim_access_pattern(m, p, &pat, &res), VMSIM_KILLED);
	ASSERT_EQ(res.done, (10000 * 8 + PG - 1) / PG);
	ASSERT_EQ(res.signo, 11);
	pat.size = 0;
	ASSERT_EQ(vmsim_access_pattern(m, p, &pat, &res), -EINVAL);
	test_shutdown(m);
}

/* --- a run shot down by another CPU ----------------------------------------- */

struct zap_arg {
	struct machine *m;
	int pid;
	unsigned long addr;
	atomic_int stop;
};

static void *zapper(void *arg)
{
	struct zap_arg *z = arg;

	vmsim_cpu_attach(z->m, 1);
	while (!atomic_load(&z->stop))
		vmsim_madvise(z->m, z->pid, z->addr, 16 * PG, VMSIM_MADV_DONTNEED);
	vmsim_cpu_detach();
	return NULL;
}

TEST(access_stress_run_against_shootdowns)
{
	struct machine *m = test_boot("ram=64M paging=x86_64 cpus=2");
	int p = vmsim_spawn(m), q;
	unsigned long a = map(m, p, 16 * PG, RW);
	struct zap_arg z;
	pthread_t th;
	enum { N = 512 };
	struct vmsim_access v[N];
	uint64_t loaded[N];

	q = vmsim_clone_vm(m, p);
	ASSERT_CMP(q, >, 0);
	z.m = m;
	z.pid = q;
	z.addr = a;
	atomic_init(&z.stop, 0);
	for (int i = 0; i < N; i += 2) {
		unsigned long addr = a + (unsigned long)(i / 2 % 16) * PG + (unsigned long)(i % 64) * 8;

		v[i] = acc(addr, 8, VMSIM_ACCESS_STORE, 0xabcdULL + (uint64_t)i);
		v[i + 1] = acc(addr + (i % 3 == 0 ? 1 : 0), i % 3 == 0 ? 4 : 8,
			       VMSIM_ACCESS_LOAD, 0);
	}
	ASSERT_EQ(pthread_create(&th, NULL, zapper, &z), 0);
	for (int iter = 0; iter < 200; iter++) {
		ASSERT_EQ(vmsim_access_run(m, p, v, N, loaded, NULL), N);
		for (int i = 0; i < N; i += 2) {
			uint64_t want = 0xabcdULL + (uint64_t)i;

			if (i % 3 == 0)
				want = (want >> 8) & 0xffffffff;
			/* the page may have been zapped between the store and the load */
			ASSERT_MSG(loaded[i + 1] == want || loaded[i + 1] == 0,
				   "access %d loaded %#llx", i + 1,
				   (unsigned long long)loaded[i + 1]);
		}
	}
	atomic_store(&z.stop, 1);
	pthread_join(th, NULL);
	ASSERT_EQ(vmsim_exit(m, q), 0);
	ASSERT_EQ(vmsim_exit(m, p), 0);
	test_shutdown(m);
}

/*
 * A long run ends early when another CPU kills the group: the killed
 * thread stops within a batch of accesses, not at the end of its array.
 */
struct long_run {
	struct machine *m;
	int pid;
	const struct vmsim_access *v;
	size_t n;
	long ret;
	struct vmsim_access_result res;
	atomic_int started;
};

static void *long_runner(void *arg)
{
	struct long_run *l = arg;

	vmsim_cpu_attach(l->m, 1);
	atomic_store(&l->started, 1);
	/* runs back to back until the kill ends one (a slow host may be late) */
	do
		l->ret = vmsim_access_run(l->m, l->pid, l->v, l->n, NULL, &l->res);
	while (l->ret == (long)l->n);
	vmsim_cpu_detach();
	return NULL;
}

TEST(access_long_run_stops_at_a_group_kill)
{
	struct machine *m = test_boot("ram=64M paging=x86_64 cpus=2");
	int p = vmsim_spawn(m), t;
	unsigned long a = map(m, p, 16 * PG, RW);
	enum { N = 1 << 21 };
	struct vmsim_access *v = malloc(N * sizeof(*v));
	struct long_run l = { .m = m, .n = N };
	unsigned long faults;
	pthread_t th;

	ASSERT_NOT_NULL(v);
	for (size_t i = 0; i < N; i++)
		v[i] = acc(a + (i % (16 * 512)) * 8, 8, VMSIM_ACCESS_STORE, i);
	t = vmsim_clone_thread(m, p);
	ASSERT_CMP(t, >, 0);
	l.pid = t;
	l.v = v;
	faults = sum_vm_event(m, PGFAULT);
	ASSERT_EQ(pthread_create(&th, NULL, long_runner, &l), 0);
	/* inside the run: it has faulted its 16 pages in */
	while (sum_vm_event(m, PGFAULT) < faults + 16)
		sched_yield();
	ASSERT_EQ(vmsim_exit_group(m, p), 0);
	pthread_join(th, NULL);
	/*
	 * Killed mid-run: stopped within a batch of the kill, far from N.  (A
	 * kill landing in the microseconds between two runs gives -ESRCH.)
	 */
	if (l.ret != -ESRCH) {
		ASSERT_EQ(l.ret, VMSIM_KILLED);
		ASSERT_CMP(l.res.done, <, (size_t)N);
		ASSERT_EQ(l.res.signo, 0);	/* exit_group: the group's exit, no signal */
	}
	free(v);
	test_shutdown(m);
}

/*
 * Swap throughput (issue 14 part 7): a replay that thrashes, 96 MiB of
 * anonymous memory on a 32 MiB machine with a 128 MiB swap file, against
 * the disk doing the same bytes itself:
 *   - swap-out: one store per page over the whole area, in order (every
 *     page but the last ~30 MiB goes to swap), bytes of pswpout per second;
 *   - swap-in: one load per page over it again, bytes of pswpin per second
 *     (the loads push other pages out meanwhile, as a thrashing program's);
 *   - the peer: O_DIRECT sequential writes, then reads, of the same number
 *     of bytes to a file beside the swap file (same filesystem), 1 MiB a
 *     call, fsync'd: the disk's raw rate.
 * Reported per page (bench_report's ratio: vmsim / raw, so below 2.0 is
 * the goal's "throughput at least half the raw one") and printed as
 * throughputs with their ratio.  The files go in $TMPDIR, default build/
 * (make bench runs from the tree: a disk, where /tmp may be a tmpfs that
 * refuses O_DIRECT).  Measured once under a load average of 10 on 2 cores
 * (ext4 on a virtio disk): swap-out 244 MB/s against 674 (0.36), swap-in
 * 339 against 877 (0.39).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"
#include "vmsim/vmsim.h"
#include "vmsim/process.h"
#include "vmsim/stats.h"

#define AREA		(96UL << 20)
#define PAGES		(AREA >> 12)
#define CHUNK		(1UL << 20)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t vmstat(vmsim_machine_t *m, const char *name)
{
	uint64_t v = 0;

	vmsim_vmstat_get(m, name, &v);
	return v;
}

/* One pass over the area, a @kind access per page; seconds. */
static double pass(vmsim_machine_t *m, int pid, unsigned long addr, uint8_t kind)
{
	struct vmsim_access_pattern p = { .addr = addr, .stride = 4096, .count = PAGES,
					  .value = 0x5a, .size = 8, .kind = kind };
	double t0 = now_s();

	if (vmsim_access_pattern(m, pid, &p, NULL) != (long)PAGES)
		abort();
	return now_s() - t0;
}

/* O_DIRECT sequential @bytes to (@write) or from @path: seconds, or -1. */
static double raw_io(const char *path, unsigned long bytes, bool write)
{
	int fd = open(path, (write ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY) | O_DIRECT, 0600);
	void *buf;
	double t0;

	if (fd < 0 || posix_memalign(&buf, 4096, CHUNK)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memset(buf, 0x5a, CHUNK);
	t0 = now_s();
	for (unsigned long off = 0; off < bytes; off += CHUNK) {
		ssize_t n = write ? pwrite(fd, buf, CHUNK, (off_t)off) :
				    pread(fd, buf, CHUNK, (off_t)off);
		if (n != (ssize_t)CHUNK) {
			t0 = -1;
			break;
		}
	}
	if (write && t0 >= 0 && fsync(fd))
		t0 = -1;
	close(fd);
	free(buf);
	return t0 < 0 ? -1 : now_s() - t0;
}

static void report(const char *what, uint64_t pages, double secs, double raw_secs)
{
	double mbs = (double)pages * 4096 / secs / 1e6;
	double raw = (double)PAGES * 4096 / raw_secs / 1e6;

	printf("  swap %s: %llu pages in %.3f s, %.1f MB/s; raw O_DIRECT %.1f MB/s; "
	       "throughput ratio %.2f (goal >= 0.5)\n", what, (unsigned long long)pages, secs,
	       mbs, raw, mbs / raw);
	bench_report(what[0] == 'o' ? "swap-out per page" : "swap-in per page",
		     secs * 1e9 / (double)pages, "O_DIRECT", raw_secs * 1e9 / (double)PAGES);
}

BENCH(swap)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "build";
	char swap[4096], raw[4096], err[200];
	struct vmsim_config cfg;
	vmsim_machine_t *m;
	double t_out, t_in, r_out, r_in;
	uint64_t out0, in0, out1, in1;
	long addr;
	int pid;

	snprintf(swap, sizeof(swap), "%s/vmsim-bench-swap.%d", dir, (int)getpid());
	snprintf(raw, sizeof(raw), "%s/vmsim-bench-raw.%d", dir, (int)getpid());
	vmsim_config_default(&cfg);
	if (vmsim_config_set(&cfg, "ram", "32M", err, sizeof(err)) ||
	    vmsim_config_set(&cfg, "swap", "128M", err, sizeof(err)) ||
	    vmsim_config_set(&cfg, "swapfile", swap, err, sizeof(err))) {
		printf("  swap: %s\n", err);
		return;
	}
	m = vmsim_machine_create(&cfg);
	if (!m) {
		printf("  swap: no machine: %s\n", vmsim_boot_error());
		return;
	}
	pid = vmsim_spawn(m);
	addr = vmsim_mmap(m, pid, 0, AREA, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			  VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, -1, 0);
	if (pid <= 0 || addr < 0)
		abort();
	out0 = vmstat(m, "pswpout");
	t_out = pass(m, pid, (unsigned long)addr, VMSIM_ACCESS_STORE);
	out1 = vmstat(m, "pswpout");
	in0 = vmstat(m, "pswpin");
	t_in = pass(m, pid, (unsigned long)addr, VMSIM_ACCESS_LOAD);
	in1 = vmstat(m, "pswpin");
	vmsim_machine_destroy(m);
	unlink(swap);

	r_out = raw_io(raw, AREA, true);
	r_in = raw_io(raw, AREA, false);
	unlink(raw);
	if (r_out <= 0 || r_in <= 0) {
		printf("  swap: O_DIRECT on %s failed (%s): no peer\n", dir, strerror(errno));
		return;
	}
	report("out", out1 - out0, t_out, r_out);
	report("in", in1 - in0, t_in, r_in);
}

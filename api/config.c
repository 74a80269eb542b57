/*
 * The machine's configuration as the public API gives it: defaults, one
 * option at a time from text (vmsim_config_set, used by flags, scripts and
 * the JSON config), sizes with K/M/G suffixes, and validation before boot.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "vmsim/vmsim.h"
#include "kern/machine.h"
#include "kern/reclaim_policy.h"
#include "kern/swap.h"
#include "kern/buffer_head.h"
#include "entry.h"

/* vm.bdflush: 2.4.20's bdf_prm defaults (HZ 100); its limits are fs/buffer.c's */
static const int vmsim_bdflush_default[VMSIM_BDFLUSH_PARAMS] = {
	30, 500, 0, 0, 5 * 100, 30 * 100, 60, 20, 0 };

void vmsim_config_default(struct vmsim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_bytes = 128ULL << 20;
	cfg->nodes = 1;
	cfg->paging = VMSIM_PAGING_X86_64;
	cfg->cpus = 1;
	cfg->seed = 1;
	cfg->tlb_entries = 64;
	cfg->tlb_ways = 4;
	cfg->pcp = true;
	cfg->reclaim = VMSIM_RECLAIM_24_10;
	cfg->dirty_background_ratio = 10;
	cfg->dirty_ratio = 40;
	cfg->dirty_expire_centisecs = 3000;
	cfg->dirty_writeback_centisecs = 500;
	cfg->page_cluster = -1;
	cfg->swappiness = 60;
	cfg->fault_around_bytes = 65536;
	cfg->overcommit_ratio = 50;
	cfg->writeback = VMSIM_WRITEBACK_26;
	memcpy(cfg->bdflush, vmsim_bdflush_default, sizeof(cfg->bdflush));
}

/*
 * The one reading of a number or a size, for flags, machine options and
 * script words alike: decimal (a leading 0 is still decimal: 010 is ten)
 * or 0x-hex, then an optional K, M or G (2^10, 2^20, 2^30); no sign, no
 * blanks.  0, or -1 with errno EINVAL (not a number) or ERANGE (negative,
 * or more than 2^64 - 1), and *@out unchanged.
 */
int vmsim_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mult = 1, d;
	size_t n, i = 0;
	unsigned int base = 10;
	bool overflow = false;

	if (!s || !*s)
		goto inval;
	if (*s == '-') {	/* a number, but negative: out of range */
		if (s[1] != '-' && (!vmsim_parse_size(s + 1, &v) || errno == ERANGE))
			goto range;
		goto inval;
	}
	n = strlen(s);
	switch (s[n - 1]) {
	case 'k': case 'K': mult = 1ULL << 10; n--; break;
	case 'm': case 'M': mult = 1ULL << 20; n--; break;
	case 'g': case 'G': mult = 1ULL << 30; n--; break;
	default: break;
	}
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= n)
		goto inval;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			goto inval;
		if (v > (UINT64_MAX - d) / base)
			overflow = true;	/* go on: a bad digit later is EINVAL */
		v = v * base + d;
	}
	if (overflow || v > UINT64_MAX / mult)
		goto range;
	*out = v * mult;
	return 0;
range:
	errno = ERANGE;
	return -1;
inval:
	errno = EINVAL;
	return -1;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	uint64_t v;

	if (vmsim_parse_size(s, &v) || v > (uint64_t)hi || (long)v < lo)
		return -1;
	*out = (long)v;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	if (!strcasecmp(s, "on") || !strcmp(s, "1") || !strcasecmp(s, "yes") ||
	    !strcasecmp(s, "true")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(s, "off") || !strcmp(s, "0") || !strcasecmp(s, "no") ||
	    !strcasecmp(s, "false")) {
		*out = false;
		return 0;
	}
	return -1;
}

#define STR_(x)	#x
#define STR(x)	STR_(x)

/* Each option and what it takes, for the messages and vmsim_config_option. */
static const char *const option_table[][2] = {
	{ "ram", "a size, 16M .. 16G, a multiple of 4M" },
	{ "nodes", "1 .. " STR(VMSIM_MAX_NODES) ", at least 16M of RAM each" },
	{ "paging", "i386, pae or x86_64" },
	{ "cpus", "1 .. " STR(VMSIM_MAX_CPUS) },
	{ "seed", "a number" },
	{ "tlb", "a power of two, 1 .. 65536" },
	{ "tlbways", "a power of two, 1 .. 65536, at most tlb" },
	{ "pcp", "on or off" },
	{ "serial", "on or off" },
	{ "hostino", "on or off" },
	{ "reclaim", "a reclaim policy of `vmsim help reclaim` (2.4.10, 2.4.0, fifo ...) or plugin:PATH" },
	{ "spcheck", "on or off" },
	{ "swap", "a size, 40K .. 8G" },
	{ "swapfile", "a path" },
	{ "fail_page_alloc", "a number, 0 for never" },
	{ "fail_slab", "a number, 0 for never" },
	{ "fail_io", "a number, 0 for never" },
	{ "dirty_background_ratio", "0 .. 100" },
	{ "dirty_ratio", "1 .. 100" },
	{ "dirty_expire_centisecs", "0 .. 100000000" },
	{ "dirty_writeback_centisecs", "0 .. 100000000" },
	{ "page_cluster", "0 .. 6" },
	{ "swappiness", "0 .. 200" },
	{ "fault_around_bytes", "0, or a power of two from 4096 to 2M" },
	{ "overcommit_memory", "0 (heuristic), 1 (always) or 2 (never)" },
	{ "overcommit_ratio", "0 .. 2147483647 (% of RAM)" },
	{ "overcommit_kbytes", "a size in kB, 0 for the ratio" },
	{ "cpu_nodes", "a node per CPU, comma separated (0,0,1,1), each below nodes" },
	{ "numa", "local or roundrobin" },
	{ "disk", "NAME:PATH:SIZE[:BLOCKSIZE], NAME a-z0-9 (up to 15), SIZE 4K .. 8G "
		  "in 4K, BLOCKSIZE 512, 1024, 2048 or 4096; at most " STR(VMSIM_MAX_DISKS) },
	{ "writeback", "2.4 or 2.6" },
	{ "bdflush", "nine numbers separated by commas, 2.4's vm.bdflush fields "
		     "within bdflush_min and bdflush_max" },
};
#define NR_OPTIONS	(sizeof(option_table) / sizeof(option_table[0]))

/* What option @key takes, for the messages. */
static const char *option_values(const char *key)
{
	for (size_t i = 0; i < NR_OPTIONS; i++)
		if (!strcmp(option_table[i][0], key))
			return option_table[i][1];
	return "?";
}

int vmsim_config_option(unsigned int i, const char **key, const char **values)
{
	if (i >= NR_OPTIONS)
		return -1;
	*key = option_table[i][0];
	*values = option_table[i][1];
	return 0;
}

/*
 * The /proc/sys/vm tunables among the options (writeback, readahead,
 * fault-around, overcommit): 0, -1 for a bad value, 1 for no such option.
 */
static int config_set_vm(struct vmsim_config *cfg, const char *key, const char *value)
{
	long n;

	if (!strcmp(key, "dirty_background_ratio")) {
		if (parse_int(value, 0, 100, &n))
			return -1;
		cfg->dirty_background_ratio = (int)n;
	} else if (!strcmp(key, "dirty_ratio")) {
		if (parse_int(value, 1, 100, &n))
			return -1;
		cfg->dirty_ratio = (int)n;
	} else if (!strcmp(key, "dirty_expire_centisecs")) {
		if (parse_int(value, 0, 100000000, &n))
			return -1;
		cfg->dirty_expire_centisecs = (unsigned int)n;
	} else if (!strcmp(key, "dirty_writeback_centisecs")) {
		if (parse_int(value, 0, 100000000, &n))
			return -1;
		cfg->dirty_writeback_centisecs = (unsigned int)n;
	} else if (!strcmp(key, "page_cluster")) {
		if (parse_int(value, 0, 6, &n))
			return -1;
		cfg->page_cluster = (int)n;
	} else if (!strcmp(key, "swappiness")) {
		if (parse_int(value, 0, 200, &n))
			return -1;
		cfg->swappiness = (int)n;
	} else if (!strcmp(key, "fault_around_bytes")) {
		/* a power of two pages, at most a PTE table's worth (Linux's debugfs knob) */
		if (parse_int(value, 0, 2 << 20, &n) || (n && (n < 4096 || (n & (n - 1)))))
			return -1;
		cfg->fault_around_bytes = (unsigned int)n;
	} else if (!strcmp(key, "overcommit_memory")) {
		if (parse_int(value, 0, 2, &n))
			return -1;
		cfg->overcommit_memory = (int)n;
	} else if (!strcmp(key, "overcommit_ratio")) {
		if (parse_int(value, 0, INT32_MAX, &n))
			return -1;
		cfg->overcommit_ratio = (int)n;
	} else if (!strcmp(key, "overcommit_kbytes")) {
		if (vmsim_parse_size(value, &cfg->overcommit_kbytes))
			return -1;
	} else {
		return 1;
	}
	return 0;
}

/* cpu_nodes=0,0,1,1: a node number per CPU; checked against cpus and nodes at boot. */
static int parse_cpu_nodes(struct vmsim_config *cfg, const char *value)
{
	signed char nodes[VMSIM_MAX_CPUS];
	int count = 0;

	for (const char *p = value;; p++) {
		char *end;
		long n;

		if (*p < '0' || *p > '9' || count == VMSIM_MAX_CPUS)
			return -1;
		n = strtol(p, &end, 10);
		if (n >= VMSIM_MAX_NODES)
			return -1;
		nodes[count++] = (signed char)n;
		p = end;
		if (!*p)
			break;
		if (*p != ',')
			return -1;
	}
	memcpy(cfg->cpu_nodes, nodes, sizeof(nodes));
	cfg->cpu_nodes_count = count;
	return 0;
}

/* disk=NAME:PATH:SIZE[:BLOCKSIZE]: one more block device (a NAME given again is replaced). */
static int parse_disk(struct vmsim_config *cfg, const char *value)
{
	struct vmsim_disk_config d = { .block_size = 1024 };
	const char *c1 = strchr(value, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char num[32];
	const char *c3;
	size_t n;
	int i;

	if (!c1 || !c2 || c1 == value || (size_t)(c1 - value) >= sizeof(d.name) ||
	    (size_t)(c2 - c1 - 1) >= sizeof(d.path))
		return -1;
	for (const char *p = value; p < c1; p++)
		if (!((*p >= 'a' && *p <= 'z') || (p > value && *p >= '0' && *p <= '9')))
			return -1;
	memcpy(d.name, value, (size_t)(c1 - value));
	memcpy(d.path, c1 + 1, (size_t)(c2 - c1 - 1));
	c3 = strchr(c2 + 1, ':');
	n = c3 ? (size_t)(c3 - c2 - 1) : strlen(c2 + 1);
	if (n >= sizeof(num))
		return -1;
	memcpy(num, c2 + 1, n);
	num[n] = 0;
	if (vmsim_parse_size(num, &d.size) || d.size < 4096 || d.size > (8ULL << 30) ||
	    d.size % 4096)
		return -1;
	if (c3) {
		uint64_t bs;

		if (vmsim_parse_size(c3 + 1, &bs) || (bs != 512 && bs != 1024 && bs != 2048 &&
						      bs != 4096))
			return -1;
		d.block_size = (unsigned int)bs;
	}
	for (i = 0; i < cfg->nr_disks && strcmp(cfg->disks[i].name, d.name); i++)
		;
	if (i == VMSIM_MAX_DISKS)
		return -1;
	cfg->disks[i] = d;
	if (i == cfg->nr_disks)
		cfg->nr_disks++;
	return 0;
}

/* bdflush=A,B,...: all nine fields, each within 2.4's bdflush_min .. bdflush_max. */
static int parse_bdflush(struct vmsim_config *cfg, const char *value)
{
	int v[VMSIM_BDFLUSH_PARAMS];
	const char *p = value;

	for (int i = 0; i < VMSIM_BDFLUSH_PARAMS; i++) {
		const char *end = strchr(p, ',');
		char num[24];
		size_t n = end ? (size_t)(end - p) : strlen(p);
		long x;

		if ((end != NULL) != (i < VMSIM_BDFLUSH_PARAMS - 1) || n >= sizeof(num))
			return -1;
		memcpy(num, p, n);
		num[n] = 0;
		if (parse_int(num, bdflush_min[i], bdflush_max[i], &x))
			return -1;
		v[i] = (int)x;
		p = end ? end + 1 : p + n;
	}
	memcpy(cfg->bdflush, v, sizeof(v));
	return 0;
}

/* The buffer cache's options, the last tried: 0 if set, -1 for a bad value, 1 for an unknown key. */
static int set_buffer_option(struct vmsim_config *cfg, const char *key, const char *value)
{
	if (!strcmp(key, "disk"))
		return parse_disk(cfg, value) ? -1 : 0;
	if (!strcmp(key, "bdflush"))
		return parse_bdflush(cfg, value) ? -1 : 0;
	if (strcmp(key, "writeback"))
		return 1;
	if (!strcmp(value, "2.4"))
		cfg->writeback = VMSIM_WRITEBACK_24;
	else if (!strcmp(value, "2.6"))
		cfg->writeback = VMSIM_WRITEBACK_26;
	else
		return -1;
	return 0;
}

int vmsim_config_set(struct vmsim_config *cfg, const char *key, const char *value,
		     char *err, size_t errlen)
{
	long n;
	int r;

	if (!key || !value) {
		snprintf(err, errlen, "missing option name or value");
		return -1;
	}
	errno = 0;
	if (!strcmp(key, "ram")) {
		if (vmsim_parse_size(value, &cfg->ram_bytes))
			goto bad;
	} else if (!strcmp(key, "nodes")) {
		if (parse_int(value, 1, VMSIM_MAX_NODES, &n))
			goto bad;
		cfg->nodes = (int)n;
	} else if (!strcmp(key, "paging")) {
		if (!strcmp(value, "i386"))
			cfg->paging = VMSIM_PAGING_I386;
		else if (!strcmp(value, "pae"))
			cfg->paging = VMSIM_PAGING_PAE;
		else if (!strcmp(value, "x86_64") || !strcmp(value, "x86-64"))
			cfg->paging = VMSIM_PAGING_X86_64;
		else
			goto bad;
	} else if (!strcmp(key, "cpus")) {
		if (parse_int(value, 1, VMSIM_MAX_CPUS, &n))
			goto bad;
		cfg->cpus = (int)n;
	} else if (!strcmp(key, "seed")) {
		uint64_t v;
		if (vmsim_parse_size(value, &v))
			goto bad;
		cfg->seed = v;
	} else if (!strcmp(key, "tlb")) {
		if (parse_int(value, 1, 65536, &n))
			goto bad;
		cfg->tlb_entries = (int)n;
	} else if (!strcmp(key, "tlbways")) {
		if (parse_int(value, 1, 65536, &n))
			goto bad;
		cfg->tlb_ways = (int)n;
	} else if (!strcmp(key, "pcp") || !strcmp(key, "serial")) {
		if (parse_bool(value, key[0] == 'p' ? &cfg->pcp : &cfg->serial))
			goto bad;
	} else if (!strcmp(key, "hostino")) {
		if (parse_bool(value, &cfg->hostino))
			goto bad;
	} else if (!strcmp(key, "reclaim")) {
		const char *why;

		if (strlen(value) >= sizeof(cfg->reclaim_policy))
			goto bad;
		if (!reclaim_policy_by_name(value, &why)) {
			if (strncmp(value, "plugin:", 7))
				goto bad;
			snprintf(err, errlen, "reclaim=%s: %s", value, why);
			return -1;
		}
		/* the number too, for an embedder reading it */
		if (!strcmp(value, "2.4.10"))
			cfg->reclaim = VMSIM_RECLAIM_24_10;
		else if (!strcmp(value, "2.4.0"))
			cfg->reclaim = VMSIM_RECLAIM_24_0;
		snprintf(cfg->reclaim_policy, sizeof(cfg->reclaim_policy), "%s", value);
	} else if (!strcmp(key, "spcheck")) {
		if (parse_bool(value, &cfg->stack_sp_check))
			goto bad;
	} else if (!strcmp(key, "swap")) {
		if (vmsim_parse_size(value, &cfg->swap_bytes))
			goto bad;
	} else if (!strcmp(key, "swapfile")) {
		if (strlen(value) >= sizeof(cfg->swap_path))
			goto bad;
		snprintf(cfg->swap_path, sizeof(cfg->swap_path), "%s", value);
	} else if (!strcmp(key, "fail_page_alloc")) {
		if (vmsim_parse_size(value, &cfg->fail_page_alloc_nth))
			goto bad;
	} else if (!strcmp(key, "fail_slab")) {
		if (vmsim_parse_size(value, &cfg->fail_slab_nth))
			goto bad;
	} else if (!strcmp(key, "fail_io")) {
		if (vmsim_parse_size(value, &cfg->fail_io_nth))
			goto bad;
	} else if (!strcmp(key, "cpu_nodes")) {
		if (parse_cpu_nodes(cfg, value))
			goto bad;
	} else if (!strcmp(key, "numa")) {
		if (!strcmp(value, "local"))
			cfg->numa = VMSIM_NUMA_LOCAL;
		else if (!strcmp(value, "roundrobin"))
			cfg->numa = VMSIM_NUMA_ROUNDROBIN;
		else
			goto bad;
	} else if ((r = config_set_vm(cfg, key, value)) <= 0) {
		if (r < 0)
			goto bad;
	} else if ((r = set_buffer_option(cfg, key, value))) {
		if (r < 0)
			goto bad;
		snprintf(err, errlen, "unknown machine option '%s'", key);
		return -1;
	}
	return 0;
bad:
	if (errno == ERANGE)	/* from vmsim_parse_size */
		snprintf(err, errlen, "bad value '%s' for machine option '%s': %s (%s)", value,
			 key, value[0] == '-' ? "negative" : "more than 2^64 - 1",
			 option_values(key));
	else
		snprintf(err, errlen, "bad value '%s' for machine option '%s' (%s)", value, key,
			 option_values(key));
	return -1;
}

static bool is_pow2(long x)
{
	return x > 0 && !(x & (x - 1));
}

int vmsim_config_check(const struct vmsim_config *cfg, const char *key, char *err,
		       size_t errlen)
{
	if (!strcmp(key, "ram")) {
		if (cfg->ram_bytes < (16ULL << 20) || cfg->ram_bytes > (16ULL << 30)) {
			snprintf(err, errlen, "ram must be between 16M and 16G");
			return -1;
		}
		if (cfg->ram_bytes & ((4ULL << 20) - 1)) {
			snprintf(err, errlen,
				 "ram must be a multiple of 4M (the largest buddy block)");
			return -1;
		}
	} else if (!strcmp(key, "swap")) {
		if (cfg->swap_bytes &&
		    (cfg->swap_bytes < 10 * 4096 || cfg->swap_bytes > MAX_SWAP_BYTES)) {
			/* the largest area whose swap map is one buddy block */
			snprintf(err, errlen, "swap must be between 40K and 8G");
			return -1;
		}
	} else if ((!strcmp(key, "tlb") && !is_pow2(cfg->tlb_entries)) ||
		   (!strcmp(key, "tlbways") && !is_pow2(cfg->tlb_ways))) {
		snprintf(err, errlen, "%s must be %s", key, option_values(key));
		return -1;
	}
	return 0;
}

int vmsim_config_validate(const struct vmsim_config *cfg, char *err, size_t errlen)
{
	const char *why;

	if (cfg->reclaim_policy[0] && !reclaim_policy_by_name(cfg->reclaim_policy, &why)) {
		snprintf(err, errlen, "reclaim=%s: %s", cfg->reclaim_policy, why);
		return -1;
	}
	if (!reclaim_policy_of(cfg)) {
		snprintf(err, errlen, "reclaim must be %s", option_values("reclaim"));
		return -1;
	}
	if (vmsim_config_check(cfg, "ram", err, errlen))
		return -1;
	if (cfg->paging == VMSIM_PAGING_I386 && cfg->ram_bytes > (4ULL << 30)) {
		snprintf(err, errlen, "paging=i386 addresses at most 4G of RAM (use pae)");
		return -1;
	}
	if (cfg->nodes < 1 || cfg->nodes > VMSIM_MAX_NODES ||
	    cfg->ram_bytes / (uint64_t)cfg->nodes < (16ULL << 20)) {
		snprintf(err, errlen, "nodes must be 1..%d with at least 16M each",
			 VMSIM_MAX_NODES);
		return -1;
	}
	if (vmsim_config_check(cfg, "swap", err, errlen))
		return -1;
	if (cfg->cpus < 1 || cfg->cpus > VMSIM_MAX_CPUS) {
		snprintf(err, errlen, "cpus must be 1..%d", VMSIM_MAX_CPUS);
		return -1;
	}
	if (cfg->cpu_nodes_count && cfg->cpu_nodes_count != cfg->cpus) {
		snprintf(err, errlen, "cpu_nodes names %d CPUs, the machine has cpus=%d",
			 cfg->cpu_nodes_count, cfg->cpus);
		return -1;
	}
	for (int i = 0; i < cfg->cpu_nodes_count; i++)
		if (cfg->cpu_nodes[i] < 0 || cfg->cpu_nodes[i] >= cfg->nodes) {
			snprintf(err, errlen, "cpu_nodes: CPU %d on node %d, the machine has nodes=%d",
				 i, cfg->cpu_nodes[i], cfg->nodes);
			return -1;
		}
	if (cfg->tlb_entries < 1 || cfg->tlb_ways < 1 || cfg->tlb_ways > cfg->tlb_entries ||
	    (cfg->tlb_entries & (cfg->tlb_entries - 1)) || (cfg->tlb_ways & (cfg->tlb_ways - 1))) {
		snprintf(err, errlen, "tlb entries and ways must be powers of two, ways <= entries");
		return -1;
	}
	if (cfg->dirty_background_ratio < 0 || cfg->dirty_background_ratio > 100 ||
	    cfg->dirty_ratio < 1 || cfg->dirty_ratio > 100) {
		snprintf(err, errlen, "dirty_background_ratio must be 0..100, dirty_ratio 1..100");
		return -1;
	}
	if (cfg->page_cluster < -1 || cfg->page_cluster > 6) {
		snprintf(err, errlen, "page_cluster must be 0..6");
		return -1;
	}
	if (cfg->swappiness < 0 || cfg->swappiness > 200) {
		snprintf(err, errlen, "swappiness must be 0..200");
		return -1;
	}
	return 0;
}

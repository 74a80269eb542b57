/*
 * The one parser of numbers and sizes (vmsim_parse_size, api/config.c) and
 * what uses it: vmsim_parse_number (scripts) gives the same answer for every
 * text, machine options read their numbers with it, and the messages of a
 * refused option name the allowed values (vmsim_config_set, vmsim_config_check).
 */
#include <errno.h>
#include <string.h>
#include "../harness.h"
#include "vmsim/vmsim.h"
#include "vmsim/script.h"

/* @s parses to @want through both entry points. */
static void good(const char *s, uint64_t want)
{
	uint64_t a = 0xdeadbeef, b = 0xdeadbeef;

	ASSERT_MSG(!vmsim_parse_size(s, &a), "'%s' should parse", s);
	ASSERT_MSG(a == want, "'%s' gave %llu, want %llu", s, (unsigned long long)a,
		   (unsigned long long)want);
	ASSERT_MSG(!vmsim_parse_number(s, &b) && b == want, "'%s': parse_number differs", s);
}

/* @s is refused by both, with errno @err, leaving the output alone. */
static void refused(const char *s, int err)
{
	uint64_t a = 7, b = 7;

	errno = 0;
	ASSERT_MSG(vmsim_parse_size(s, &a) == -1, "'%s' should not parse", s);
	ASSERT_MSG(errno == err, "'%s': errno %d, want %d", s ? s : "(null)", errno, err);
	ASSERT_EQ(a, 7);
	errno = 0;
	ASSERT_MSG(vmsim_parse_number(s, &b) == -1 && errno == err && b == 7,
		   "'%s': parse_number differs", s ? s : "(null)");
}

TEST(parse_size_forms)
{
	good("0", 0);
	good("10", 10);
	good("010", 10);		/* decimal, not octal */
	good("0010", 10);
	good("08", 8);			/* not a bad octal digit */
	good("0x10", 16);
	good("0X1f", 31);
	good("0xABCdef", 0xabcdef);
	good("0x010", 16);
	good("4k", 4096);
	good("4K", 4096);
	good("3m", 3 << 20);
	good("2G", 2ULL << 30);
	good("0x10K", 16 << 10);
	good("010M", 10 << 20);
	good("0K", 0);
	good("18446744073709551615", UINT64_MAX);
	good("0xffffffffffffffff", UINT64_MAX);
	good("17179869183G", 17179869183ULL << 30);
	good("0x3fffffffffffffK", 0x3fffffffffffffULL << 10);
}

TEST(parse_size_refused)
{
	refused(NULL, EINVAL);
	refused("", EINVAL);
	refused("K", EINVAL);
	refused("0x", EINVAL);
	refused("0xK", EINVAL);
	refused("+1", EINVAL);
	refused(" 1", EINVAL);
	refused("1 ", EINVAL);
	refused("12a", EINVAL);
	refused("0x1g0", EINVAL);
	refused("1KK", EINVAL);
	refused("1T", EINVAL);
	refused("1.5M", EINVAL);
	refused("0b101", EINVAL);
	refused("-", EINVAL);
	refused("--1", EINVAL);
	refused("-x", EINVAL);
	/* negative numbers and overflow: out of range */
	refused("-1", ERANGE);
	refused("-0x10", ERANGE);
	refused("-4K", ERANGE);
	refused("18446744073709551616", ERANGE);
	refused("99999999999999999999999", ERANGE);
	refused("0x10000000000000000", ERANGE);
	refused("17179869184G", ERANGE);
	refused("0x40000000000000K", ERANGE);
	/* a bad digit after an overflow is still a bad number */
	refused("99999999999999999999999z", EINVAL);
}

TEST(parse_size_config)
{
	struct vmsim_config cfg;
	char err[200];

	vmsim_config_default(&cfg);
	ASSERT_EQ(vmsim_config_set(&cfg, "seed", "010", err, sizeof(err)), 0);
	ASSERT_EQ(cfg.seed, 10);
	ASSERT_EQ(vmsim_config_set(&cfg, "ram", "0x4000000", err, sizeof(err)), 0);
	ASSERT_EQ(cfg.ram_bytes, 64ULL << 20);
	ASSERT_EQ(vmsim_config_set(&cfg, "page_cluster", "07", err, sizeof(err)), -1);
	ASSERT_STREQ(err, "bad value '07' for machine option 'page_cluster' (0 .. 6)");
	ASSERT_EQ(vmsim_config_set(&cfg, "seed", "-3", err, sizeof(err)), -1);
	ASSERT_STREQ(err, "bad value '-3' for machine option 'seed': negative (a number)");
	ASSERT_EQ(vmsim_config_set(&cfg, "cpus", "0x10000000000000000", err, sizeof(err)), -1);
	ASSERT_STREQ(err, "bad value '0x10000000000000000' for machine option 'cpus': "
		     "more than 2^64 - 1 (1 .. 16)");
	ASSERT_EQ(vmsim_config_set(&cfg, "paging", "vax", err, sizeof(err)), -1);
	ASSERT_STREQ(err, "bad value 'vax' for machine option 'paging' (i386, pae or x86_64)");

	/* one option's own range: vmsim_config_check; the options together: validate */
	ASSERT_EQ(vmsim_config_set(&cfg, "ram", "8M", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_check(&cfg, "ram", err, sizeof(err)), -1);
	ASSERT_STREQ(err, "ram must be between 16M and 16G");
	ASSERT_EQ(vmsim_config_check(&cfg, "cpus", err, sizeof(err)), 0);
	vmsim_config_default(&cfg);
	ASSERT_EQ(vmsim_config_set(&cfg, "tlbways", "128", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_check(&cfg, "tlbways", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_validate(&cfg, err, sizeof(err)), -1);	/* > tlb (64) */
	ASSERT_EQ(vmsim_config_set(&cfg, "tlb", "96", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_check(&cfg, "tlb", err, sizeof(err)), -1);
	ASSERT_STREQ(err, "tlb must be a power of two, 1 .. 65536");
	ASSERT_EQ(vmsim_config_set(&cfg, "swap", "39K", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_check(&cfg, "swap", err, sizeof(err)), -1);
	ASSERT_STREQ(err, "swap must be between 40K and 8G");
	/* 8G is the largest area whose swap map is one buddy block */
	ASSERT_EQ(vmsim_config_set(&cfg, "swap", "8G", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_check(&cfg, "swap", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_set(&cfg, "swap", "0x200001000", err, sizeof(err)), 0);
	ASSERT_EQ(vmsim_config_check(&cfg, "swap", err, sizeof(err)), -1);
}

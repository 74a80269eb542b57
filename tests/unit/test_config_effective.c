/*
 * A booted machine's configuration (vmsim_machine_config) says the values
 * in effect, as the JSON reports print them: page_cluster's default (-1)
 * becomes swap_setup's choice by RAM size (3 from 16 MiB), which is also
 * what /proc/sys/vm says; a value given stays as given.
 */
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "vmsim/vmsim.h"

/* vm.page-cluster of /proc/sys/vm. */
static int sysctl_page_cluster(vmsim_machine_t *m)
{
	char *s = vmsim_proc_read(m, "sys/vm"), *p;
	int v;

	ASSERT_NOT_NULL(s);
	p = strstr(s, "vm.page-cluster = ");
	ASSERT_NOT_NULL(p);
	v = atoi(p + strlen("vm.page-cluster = "));
	free(s);
	return v;
}

TEST(config_page_cluster_in_effect)
{
	static const struct { const char *opts; int want; } cases[] = {
		{ "ram=16M", 3 }, { "ram=64M", 3 }, { "ram=16M page_cluster=0", 0 },
		{ "ram=32M page_cluster=6", 6 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct machine *m = test_boot(cases[i].opts);

		ASSERT_EQ(vmsim_machine_config(m)->page_cluster, cases[i].want);
		ASSERT_EQ(sysctl_page_cluster(m), cases[i].want);
		vmsim_machine_destroy(m);
	}
}

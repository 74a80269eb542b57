/*
 * Shared test helpers (see tests/unit/testlib.h).
 */
#include <stdlib.h>
#include "unit/testlib.h"

struct machine *test_boot(const char *opts)
{
	struct vmsim_config cfg;
	char buf[512], err[160], *save = NULL;
	struct machine *m;

	vmsim_config_default(&cfg);
	snprintf(buf, sizeof(buf), "%s", opts ? opts : "");
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		ASSERT_MSG(eq, "test_boot: bad option '%s'", tok);
		*eq = 0;
		ASSERT_MSG(!vmsim_config_set(&cfg, tok, eq + 1, err, sizeof(err)),
			   "test_boot: %s", err);
	}
	m = vmsim_machine_create(&cfg);
	ASSERT_MSG(m, "test_boot: machine '%s' did not boot", opts);
	vmsim_cpu_attach(m, 0);
	return m;
}

void test_shutdown(struct machine *m)
{
	char why[256];

	vmsim_cpu_attach(m, 0);
	ASSERT_MSG(machine_accounting_is_exact(m, why, sizeof(why)), "accounting: %s", why);
	ASSERT(machine_free_areas_valid(m));
	vmsim_machine_destroy(m);
}

void test_discard(struct machine *m)
{
	m->exit_unchecked = true;	/* a BUG on purpose left it inconsistent */
	vmsim_machine_destroy(m);
}

/*
 * Kernel events (api/trace.c over kernel/trace.c): the task column and
 * comm are the task's name (vmsim_prctl_set_name, as the script names its
 * processes; cut to 15 bytes as TASK_COMM_LEN), the kmem events'
 * call_site names the calling function, page_fault_user's ip is 0 for
 * the API's own accesses.
 */
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "vmsim/process.h"
#include "vmsim/trace.h"

struct seen {
	char text[8192];
	size_t n;
};

static void collect(void *priv, const struct vmsim_event *ev)
{
	struct seen *s = priv;
	char line[512];
	int len = vmsim_event_format(ev, false, line, sizeof(line));

	if (len > 0 && s->n + (size_t)len < sizeof(s->text)) {
		memcpy(s->text + s->n, line, (size_t)len + 1);
		s->n += (size_t)len;
	}
}

TEST(events_comm_call_site_ip)
{
	struct machine *m = test_boot("ram=32M paging=i386");
	int pid = vmsim_spawn(m);
	struct seen *s = calloc(1, sizeof(*s));
	uint64_t mask;
	char err[128], *status;

	ASSERT_NOT_NULL(s);
	ASSERT_EQ(vmsim_prctl_set_name(m, pid, "A"), 0);
	ASSERT_EQ(vmsim_prctl_set_name(m, 12345, "X"), -ESRCH);
	ASSERT_EQ(vmsim_events_parse("kmem_cache_alloc,page_fault_user", &mask, err, sizeof(err)), 0);
	vmsim_events_enable(m, mask, collect, s);
	ASSERT_EQ(vmsim_mmap(m, pid, 0x10000000, 4096, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			     VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_FIXED, -1, 0),
		  0x10000000);
	ASSERT_EQ(vmsim_write(m, pid, 0x10000000, "x", 1), 0);
	vmsim_events_enable(m, 0, NULL, NULL);
	/* "%16s-%-7d": the name right-aligned in 16 columns, as trace_pipe */
	ASSERT_CONTAINS(s->text, "               A-1       [000] ");
	ASSERT_CONTAINS(s->text, "kmem_cache_alloc: call_site=vm_area_alloc ptr=0x");
	ASSERT_CONTAINS(s->text, "page_fault_user: address=0x10000000 ip=0x0 error_code=0x6");
	ASSERT(!strstr(s->text, "vmsim-1"));
	status = vmsim_proc_pid_read(m, pid, "status");
	ASSERT_CONTAINS(status, "Name:\tA\n");
	free(status);
	/* comm holds 15 bytes */
	ASSERT_EQ(vmsim_prctl_set_name(m, pid, "a-very-long-process-name"), 0);
	status = vmsim_proc_pid_read(m, pid, "status");
	ASSERT_CONTAINS(status, "Name:\ta-very-long-pro\n");
	free(status);
	free(s);
	ASSERT_EQ(vmsim_exit_group(m, pid), 0);
	test_shutdown(m);
}

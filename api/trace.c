/*
 * Kernel events for embedders (include/vmsim/trace.h): set_event's list
 * syntax over the kernel's event table (kernel/trace.c), the kernel's
 * records turned into struct vmsim_event, and the trace_pipe and JSON
 * line formats.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kern/machine.h"
#include "kern/printk.h"
#include "vmsim/trace.h"
#include "entry.h"

int vmsim_events_count(void)
{
	return NR_TRACE_EVENTS;
}

const char *vmsim_events_name(int id, const char **system)
{
	if (id < 0 || id >= NR_TRACE_EVENTS)
		return NULL;
	if (system)
		*system = trace_event_names[id].system;
	return trace_event_names[id].name;
}

int vmsim_events_id(const char *name)
{
	const char *colon = strchr(name, ':');

	for (int i = 0; i < NR_TRACE_EVENTS; i++) {
		const struct trace_event_name *e = &trace_event_names[i];

		if (colon ? (!strncmp(name, e->system, (size_t)(colon - name)) &&
			     !e->system[colon - name] && !strcmp(colon + 1, e->name))
			  : !strcmp(name, e->name))
			return i;
	}
	return -1;
}

/* The events one word of the list names (set_event's forms), as a mask. */
static uint64_t match_word(const char *w)
{
	const char *colon = strchr(w, ':');
	char sys[64];
	uint64_t mask = 0;

	if (!strcmp(w, "all"))
		return NR_TRACE_EVENTS == 64 ? ~0ULL : (1ULL << NR_TRACE_EVENTS) - 1;
	if (colon) {
		snprintf(sys, sizeof(sys), "%.*s", (int)(colon - w), w);
		colon++;
	}
	for (int i = 0; i < NR_TRACE_EVENTS; i++) {
		const struct trace_event_name *e = &trace_event_names[i];

		if (colon ? (!fnmatch(sys, e->system, 0) &&
			     (!*colon || !fnmatch(colon, e->name, 0)))
			  : (!fnmatch(w, e->name, 0) || !strcmp(w, e->system)))
			mask |= 1ULL << i;
	}
	return mask;
}

int vmsim_events_parse(const char *list, uint64_t *maskp, char *err, size_t errlen)
{
	uint64_t mask = 0;
	const char *p = list;

	while (*p) {
		char w[128];
		size_t n = strcspn(p, ", \t");
		bool off = false;
		uint64_t bits;

		if (!n) {
			p++;
			continue;
		}
		snprintf(w, sizeof(w), "%.*s", (int)(n < sizeof(w) ? n : sizeof(w) - 1), p);
		p += n;
		if (!strcmp(w, "none")) {
			mask = 0;
			continue;
		}
		if (w[0] == '!')
			off = true;
		bits = match_word(w + off);
		if (!bits) {
			snprintf(err, errlen, "no event matches '%s' (`show events` lists them)", w);
			return -1;
		}
		mask = off ? mask & ~bits : mask | bits;
	}
	*maskp = mask;
	return 0;
}

struct events_sink {
	vmsim_event_fn fn;
	void *priv;
};

static void deliver(void *priv, const struct trace_record *r)
{
	const struct events_sink *s = priv;
	struct vmsim_event ev = {
		.id = r->id,
		.system = trace_event_names[r->id].system,
		.name = trace_event_names[r->id].name,
		.cpu = r->cpu,
		.pid = r->pid,
		.comm = r->comm,
		.usecs = r->jiffies * (1000000UL / HZ),
		.fields = r->fields,
	};

	memcpy(ev.arg, r->arg, sizeof(ev.arg));
	memcpy(ev.str, r->str, sizeof(ev.str));
	s->fn(s->priv, &ev);
}

void vmsim_events_enable(vmsim_machine_t *m, uint64_t mask, vmsim_event_fn fn, void *priv)
{
	struct events_sink *s = m->trace_priv;

	if (fn && !s)
		s = m->trace_priv = calloc(1, sizeof(*s));
	if (!fn || !s) {
		trace_set(m, 0, NULL, s);
		return;
	}
	s->fn = fn;
	s->priv = priv;
	trace_set(m, mask, deliver, s);
}

void events_release(struct machine *m)
{
	void *s = m->trace_priv;

	trace_set(m, 0, NULL, NULL);
	free(s);
}

/* Whether @p starts a well-formed UTF-8 sequence of @n bytes (RFC 3629). */
static bool utf8_ok(const unsigned char *p, int n)
{
	unsigned char lo = p[0] == 0xe0 ? 0xa0 : p[0] == 0xf0 ? 0x90 : 0x80;
	unsigned char hi = p[0] == 0xed ? 0x9f : p[0] == 0xf4 ? 0x8f : 0xbf;

	if (p[0] < 0xc2 || p[0] > 0xf4 || p[1] < lo || p[1] > hi)
		return false;
	for (int i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return false;
	return true;
}

/*
 * JSON string of @s into @buf at @n: quotes, backslashes and control bytes
 * escaped, UTF-8 passed through, a byte of ill-formed UTF-8 as U+FFFD (docs/json.md).
 */
static size_t json_str(char *buf, size_t len, size_t n, const char *s)
{
#define JPUT(...) (n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, \
					 __VA_ARGS__))
	const unsigned char *p = (const unsigned char *)s;

	JPUT("\"");
	for (; *p; p++) {
		int k = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;

		if (*p == '"' || *p == '\\')
			JPUT("\\%c", *p);
		else if (*p >= 0x80 && utf8_ok(p, k)) {
			JPUT("%.*s", k, (const char *)p);
			p += k - 1;
		} else if (*p >= 0x80)
			JPUT("\\ufffd");
		else if (*p < 0x20 || *p == 0x7f)
			JPUT("\\u%04x", *p);
		else
			JPUT("%c", *p);
	}
	JPUT("\"");
#undef JPUT
	return n;
}

int vmsim_event_format(const struct vmsim_event *ev, bool json, char *buf, size_t len)
{
	size_t n;

	if (!json)
		return snprintf(buf, len, "%16s-%-7d [%03d] ..... %5lu.%06lu: %s: %s\n", ev->comm,
				ev->pid, ev->cpu, ev->usecs / 1000000, ev->usecs % 1000000,
				ev->name, ev->fields);
	n = (size_t)snprintf(buf, len, "{\"schema\": \"vmsim-event/1\", \"time_us\": %lu, \"cpu\": %d, \"pid\": %d, \"comm\": ",
			     ev->usecs, ev->cpu, ev->pid);
	n = json_str(buf, len, n, ev->comm);
	n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0,
			      ", \"system\": \"%s\", \"event\": \"%s\", \"fields\": ", ev->system,
			      ev->name);
	n = json_str(buf, len, n, ev->fields);
	n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "}\n");
	return (int)n;
}

/*
 * show --json (docs/script.md, docs/json.md): the /proc tables of `show`
 * (meminfo, vmstat, buddyinfo, zoneinfo, slabinfo; a process's maps, smaps
 * and status) as one JSON document on one line, read from the very text
 * `show` prints, so the two cannot disagree.  Numbers stay numbers in
 * /proc's units: a "N kB" value becomes the key NAME_kB.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

struct jbuf {
	char *buf;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3)))
static void jb_printf(struct jbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || b->oom)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *nb;

		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		nb = realloc(b->buf, cap);
		if (!nb) {
			b->oom = true;
			return;
		}
		b->buf = nb;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* @s (@n bytes) as a JSON string: UTF-8 and other bytes as they are, controls escaped. */
static void jb_string(struct jbuf *b, const char *s, size_t n)
{
	jb_printf(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			jb_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			jb_printf(b, "\\u%04x", c);
		else
			jb_printf(b, "%c", c);
	}
	jb_printf(b, "\"");
}

/* Whether [s, s + n) is a JSON integer (an optional minus, digits, no leading 0: Umask 0022 is a string). */
static bool is_num(const char *s, size_t n)
{
	size_t i = n && s[0] == '-';

	if (i >= n || (s[i] == '0' && n > i + 1))
		return false;
	for (; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* The word at @p (to a blank or @end), and the blanks after one. */
static size_t tok_len(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q != ' ' && *q != '\t')
		q++;
	return (size_t)(q - p);
}

static size_t span_blank(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	return (size_t)(q - p);
}

/*
 * One "Key: value" line (meminfo, status, smaps' lines) as a member: a
 * number (Key_kB for "N kB"), several numbers an array, anything else a
 * string; a key with blanks or parentheses keeps them (Active(anon)).
 */
static void key_value(struct jbuf *b, const char *line, size_t len, bool *first)
{
	const char *colon = memchr(line, ':', len), *v, *end = line + len;
	size_t kn, vn;

	if (!colon)
		return;
	kn = (size_t)(colon - line);
	for (v = colon + 1; v < end && isspace((unsigned char)*v); v++)
		;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	vn = (size_t)(end - v);
	jb_printf(b, "%s\"%.*s", *first ? "" : ", ", (int)kn, line);
	*first = false;
	if (vn > 3 && !strncmp(end - 3, " kB", 3) && is_num(v, tok_len(v, end))) {
		jb_printf(b, "_kB\": %.*s", (int)tok_len(v, end), v);
		return;
	}
	jb_printf(b, "\": ");
	if (is_num(v, vn)) {
		jb_printf(b, "%.*s", (int)vn, v);
	} else if (vn && is_num(v, tok_len(v, end))) {	/* Uid: 0 0 0 0 */
		bool all = true;

		for (const char *q = v; q < end; q += tok_len(q, end), q += span_blank(q, end))
			all = all && is_num(q, tok_len(q, end));
		if (!all) {
			jb_string(b, v, vn);
			return;
		}
		jb_printf(b, "[");
		for (const char *q = v; q < end; q += tok_len(q, end), q += span_blank(q, end))
			jb_printf(b, "%s%.*s", q == v ? "" : ", ", (int)tok_len(q, end), q);
		jb_printf(b, "]");
	} else {
		jb_string(b, v, vn);
	}
}

/* The next line of @text at *@pos: its start and length (no newline); false at the end. */
static bool next_line(const char *text, size_t *pos, const char **line, size_t *len)
{
	const char *s = text + *pos, *nl;

	if (!*s)
		return false;
	nl = strchr(s, '\n');
	*line = s;
	*len = nl ? (size_t)(nl - s) : strlen(s);
	*pos += *len + (nl ? 1 : 0);
	return true;
}

/* "Node N, zone NAME": the zone's first members. */
static const char *zone_head(struct jbuf *b, const char *line)
{
	int node, n = 0;
	char zone[32];

	if (sscanf(line, "Node %d, zone %31s%n", &node, zone, &n) != 2)
		return NULL;
	jb_printf(b, "{\"node\": %d, \"zone\": ", node);
	jb_string(b, zone, strlen(zone));
	return line + n;
}

static void buddyinfo(struct jbuf *b, const char *text)
{
	const char *line, *p;
	size_t pos = 0, len;
	bool first = true;

	jb_printf(b, "\"zones\": [");
	while (next_line(text, &pos, &line, &len)) {
		if (!(p = (jb_printf(b, "%s", first ? "" : ", "), zone_head(b, line))))
			continue;
		first = false;
		jb_printf(b, ", \"free_blocks_per_order\": [");
		for (int o = 0; p < line + len; o++) {
			char *e;
			unsigned long v = strtoul(p, &e, 10);

			if (e == p)
				break;
			jb_printf(b, "%s%lu", o ? ", " : "", v);
			p = e;
		}
		jb_printf(b, "]}");
	}
	jb_printf(b, "]");
}

/* zoneinfo: a zone's "key N" and "key: N" lines, protection as an array, its pagesets. */
static void zoneinfo(struct jbuf *b, const char *text)
{
	const char *line;
	size_t pos = 0, len;
	bool zone = false, cpu = false;

	jb_printf(b, "\"zones\": [");
	while (next_line(text, &pos, &line, &len)) {
		char key[64], rest[128];
		long v;
		int n = 0;

		if (!strncmp(line, "Node ", 5)) {
			jb_printf(b, "%s%s", cpu ? "}]" : "", zone ? "}, " : "");
			zone_head(b, line);
			zone = true;
			cpu = false;
		} else if (sscanf(line, " pages free %ld", &v) == 1) {
			jb_printf(b, ", \"pages_free\": %ld", v);
		} else if (sscanf(line, " protection: (%127[^)])", rest) == 1) {
			jb_printf(b, ", \"protection\": [%s]", rest);
		} else if (sscanf(line, " pagesets%n", &n) == 0 && n) {
			jb_printf(b, ", \"pagesets\": [");
		} else if (sscanf(line, " cpu: %ld", &v) == 1) {
			jb_printf(b, "%s{\"cpu\": %ld", cpu ? "}, " : "", v);
			cpu = true;
		} else if (sscanf(line, " %63[a-z_]: %ld", key, &v) == 2 ||
			   sscanf(line, " %63[a-z_] %ld", key, &v) == 2) {
			if (cpu && line[0] == ' ' && line[1] == ' ' && line[2] != ' ') {
				jb_printf(b, "}]");	/* back at the zone's level */
				cpu = false;
			}
			jb_printf(b, ", \"%s\": %ld", key, v);
		}
	}
	jb_printf(b, "%s%s]", cpu ? "}]" : "", zone ? "}" : "");
}

static void slabinfo(struct jbuf *b, const char *text)
{
	static const char *const cols[] = { "active_objs", "num_objs", "objsize_bytes",
		"objperslab", "pagesperslab", "limit", "batchcount", "sharedfactor",
		"active_slabs", "num_slabs", "sharedavail" };
	const char *line;
	size_t pos = 0, len;
	bool first = true;

	jb_printf(b, "\"caches\": [");
	while (next_line(text, &pos, &line, &len)) {
		unsigned long v[11];
		char name[64];

		if (sscanf(line, "%63s %lu %lu %lu %lu %lu : tunables %lu %lu %lu : slabdata %lu %lu %lu",
			   name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
			   &v[9], &v[10]) != 12)
			continue;
		jb_printf(b, "%s{\"name\": ", first ? "" : ", ");
		jb_string(b, name, strlen(name));
		for (int i = 0; i < 11; i++)
			jb_printf(b, ", \"%s\": %lu", cols[i], v[i]);
		jb_printf(b, "}");
		first = false;
	}
	jb_printf(b, "]");
}

/* maps and smaps: a VMA per "start-end perms offset dev inode [path]" line. */
static void vmas(struct jbuf *b, const char *text)
{
	const char *line;
	size_t pos = 0, len;
	bool open = false;

	jb_printf(b, "\"vmas\": [");
	while (next_line(text, &pos, &line, &len)) {
		unsigned long long start, end, off, ino;
		char perms[8], dev[16];
		int n = 0;

		if (sscanf(line, "%llx-%llx %7s %llx %15s %llu %n", &start, &end, perms, &off, dev,
			   &ino, &n) >= 6 && n) {
			size_t pl = len > (size_t)n ? len - (size_t)n : 0;

			jb_printf(b, "%s{\"start\": %llu, \"end\": %llu, \"perms\": \"%s\", "
				  "\"offset_bytes\": %llu, \"dev\": \"%s\", \"inode\": %llu, \"path\": ",
				  open ? "}, " : "", start, end, perms, off, dev, ino);
			jb_string(b, line + n, pl);
			open = true;
		} else if (open && !strncmp(line, "VmFlags:", 8)) {
			const char *p = line + 8, *e = line + len;
			bool f1 = true;

			jb_printf(b, ", \"VmFlags\": [");
			for (p += span_blank(p, e); p < e; p += span_blank(p, e)) {
				size_t t = tok_len(p, e);
				jb_printf(b, "%s", f1 ? "" : ", ");
				jb_string(b, p, t);
				f1 = false;
				p += t;
			}
			jb_printf(b, "]");
		} else if (open) {
			jb_printf(b, ", ");
			key_value(b, line, len, &(bool){ true });
		}
	}
	jb_printf(b, "%s]", open ? "}" : "");
}

char *script_show_json(enum vmsim_show what, const char *text)
{
	struct jbuf b = { 0 };
	const char *line;
	size_t pos = 0, len;
	bool first = true;

	jb_printf(&b, "{\"schema\": \"vmsim-proc-%s/1\", ", vmsim_show_name(what));
	switch (what) {
	case VMSIM_SHOW_BUDDYINFO:
		buddyinfo(&b, text);
		break;
	case VMSIM_SHOW_ZONEINFO:
		zoneinfo(&b, text);
		break;
	case VMSIM_SHOW_SLABINFO:
		slabinfo(&b, text);
		break;
	case VMSIM_SHOW_MAPS:
	case VMSIM_SHOW_SMAPS:
		vmas(&b, text);
		break;
	case VMSIM_SHOW_VMSTAT:		/* "name N" */
		while (next_line(text, &pos, &line, &len)) {
			size_t k = strcspn(line, " ");
			if (k < len && is_num(line + k + 1, len - k - 1)) {
				jb_printf(&b, "%s\"%.*s\": %.*s", first ? "" : ", ", (int)k, line,
					  (int)(len - k - 1), line + k + 1);
				first = false;
			}
		}
		break;
	default:			/* meminfo, status: "Key: value" */
		while (next_line(text, &pos, &line, &len))
			key_value(&b, line, len, &first);
	}
	jb_printf(&b, "}\n");
	if (b.oom) {
		free(b.buf);
		return NULL;
	}
	return b.buf;
}

/*
 * The vmsim tool's side of a script session (the language and its session
 * are the library's, script/): where the output goes (standard output, or
 * collected for the --json document), the report `show report` prints and
 * the trace replay `A trace` runs (tools/vmsim/report.c, trace.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tool.h"

/* --- strbuf -------------------------------------------------------------- */

void sb_init(struct strbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
}

static bool sb_grow(struct strbuf *sb, size_t add)
{
	size_t need = sb->len + add + 1, cap = sb->cap ? sb->cap : 256;
	char *nb;

	if (sb->oom)
		return false;
	if (need <= sb->cap)
		return true;
	while (cap < need)
		cap *= 2;
	nb = realloc(sb->buf, cap);
	if (!nb) {
		sb->oom = true;
		return false;
	}
	sb->buf = nb;
	sb->cap = cap;
	return true;
}

void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || !sb_grow(sb, (size_t)n))
		return;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

void sb_puts(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);

	if (!sb_grow(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n + 1);
	sb->len += n;
}

void sb_putc(struct strbuf *sb, char c)
{
	if (!sb_grow(sb, 1))
		return;
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = 0;
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

/*
 * UTF-8 text goes through as it is (JSON is UTF-8); control characters
 * are escaped, and a byte that is not part of well-formed UTF-8 becomes
 * U+FFFD, so the document stays valid whatever a path or string holds.
 */
void sb_json_string(struct strbuf *sb, const char *s)
{
	sb_putc(sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int n;

		switch (*p) {
		case '"': sb_puts(sb, "\\\""); break;
		case '\\': sb_puts(sb, "\\\\"); break;
		case '\n': sb_puts(sb, "\\n"); break;
		case '\t': sb_puts(sb, "\\t"); break;
		case '\r': sb_puts(sb, "\\r"); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				sb_printf(sb, "\\u%04x", *p);
			} else if (*p < 0x80) {
				sb_putc(sb, (char)*p);
			} else if ((n = utf8_len(p)) > 0) {
				for (int i = 0; i < n; i++)
					sb_putc(sb, (char)p[i]);
				p += n - 1;
			} else {
				sb_puts(sb, "\\ufffd");
				p += -n - 1;
			}
		}
	}
	sb_putc(sb, '"');
}

void out_printf(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (s->opts->json)
		sb_vprintf(&s->out, fmt, ap);
	else
		vprintf(fmt, ap);
	va_end(ap);
}

/* --- the session's ops ---------------------------------------------------- */

static struct session *tool_session(struct vmsim_session *vs)
{
	return vs->priv;
}

static void tool_out(struct vmsim_session *vs, const char *text)
{
	struct session *s = tool_session(vs);

	if (s->opts->json)
		sb_puts(&s->out, text);
	else
		fputs(text, stdout);
}

static void tool_report(struct vmsim_session *vs)
{
	struct session *s = tool_session(vs);
	struct strbuf sb;

	sb_init(&sb);
	if (s->opts->json) {
		if (s->nr_reports++)
			sb_puts(&s->reports, ",\n");
		report_json(s, &s->reports);
	} else {
		report_text(s, &sb);
		vmsim_session_puts(vs, sb.buf ? sb.buf : "");
	}
	sb_free(&sb);
}

/* A trace FILE: the count of accesses made, or the process's fate. */
static long tool_trace(struct vmsim_session *vs, int pid, const char *path,
		       enum vmsim_trace_format format, bool map_auto, bool *error)
{
	struct trace_summary sum;
	char err[512];

	*error = false;
	if (trace_run(vs->m, pid, path, format, map_auto, &sum, err, sizeof(err))) {
		vmsim_session_error(vs, "trace: %s", err);
		*error = true;
		return 0;
	}
	return sum.status ? sum.status : (long)sum.accesses;
}

static const struct vmsim_session_ops tool_ops = {
	.out = tool_out,
	.report = tool_report,
	.trace = tool_trace,
};

void session_init(struct session *s, const struct tool_opts *opts, const char *file)
{
	memset(s, 0, sizeof(*s));
	vmsim_session_init(&s->vs, file, &tool_ops, s);
	s->vs.nr_flag_opts = opts->nr_opts;
	s->vs.flag_keys = opts->opt_keys;
	s->vs.flag_values = opts->opt_values;
	s->opts = opts;
	s->vs.events_mask = opts->events_mask;
	s->vs.events_json = opts->events_json;
	s->vs.explain = opts->explain;
	if (opts->events_file) {
		/* main checked it opens; a failure here leaves the events on the output */
		s->events_file = fopen(opts->events_file, "w");
		s->vs.events_file = s->events_file;
	}
	sb_init(&s->out);
	sb_init(&s->reports);
	sb_init(&s->trace_json);
	s->schema = RUN_SCHEMA;
}

void session_fini(struct session *s)
{
	vmsim_session_fini(&s->vs);
	if (s->events_file)
		fclose(s->events_file);
	sb_free(&s->out);
	sb_free(&s->reports);
	sb_free(&s->trace_json);
}

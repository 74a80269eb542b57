/*
 * vmsim merge: the records of a sweep (DIR/ID.jsonl, sweep.c) as one CSV
 * (docs/sweep.md).  A small JSON reader takes each record apart into its
 * top-level values and those of its "config", "machine" and "results"
 * objects; the columns are those values' names, in a fixed order.  Rows
 * follow DIR/sweep.manifest (the runs the spec expands to, in run order,
 * a run without a record a "missing" row), or without one the records'
 * indices: the CSV never depends on the order the runs ended in.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tool.h"
#include "sweep.h"

const char merge_usage_text[] =
"usage: vmsim merge [OPTIONS] DIR\n"
"\n"
"Print the records of a sweep's output directory DIR (vmsim sweep) as one\n"
"CSV on standard output: a header row, then a row per run in the order of\n"
"the runs (DIR/sweep.manifest), whatever order they ended in.  Columns:\n"
"index,id,status, the spec's keys (trace or script, ram, reclaim ...),\n"
"policy,pages,ram_mib,ram_bytes, seed, the results (requests, misses,\n"
"minor_faults, major_faults, swap_in_pages, swap_out_pages, pgscan_pages,\n"
"pgsteal_pages, oom_kills, killed, tlb_hits, tlb_misses, managed_pages),\n"
"vmsim_version, error, run_seconds (docs/sweep.md has the units).  A run\n"
"of the manifest without a record is a row with status missing.\n"
"\n"
"Options:\n"
"  --no-time            leave run_seconds out (the CSV is then the same on\n"
"                       every machine and every run of the sweep)\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 every run has its record (ok or failed), 1 a run is\n"
"missing or a record is unreadable, 2 a bad flag or no such DIR.\n";

/* The parts of a record its values come from. */
enum { G_TOP, G_CONFIG, G_MACHINE, G_RESULTS, G_OTHER };

struct field {
	int group;
	char *key;
	char *val;			/* NULL: JSON null (an empty cell) */
};

struct record {
	long index;
	char *id;
	struct field *f;
	int nr, cap;
	bool missing;
};

/* --- a JSON reader for the records ----------------------------------------------- */

struct jp {
	const char *p;
	bool bad;
};

static void jp_ws(struct jp *j)
{
	j->p += strspn(j->p, " \t\r\n");
}

static void put_utf8(struct strbuf *sb, unsigned int c)
{
	if (c < 0x80) {			/* sb_json_string passes UTF-8 through, escapes controls */
		sb_putc(sb, (char)c);
	} else if (c < 0x800) {
		sb_putc(sb, (char)(0xc0 | (c >> 6)));
		sb_putc(sb, (char)(0x80 | (c & 0x3f)));
	} else {
		sb_putc(sb, (char)(0xe0 | (c >> 12)));
		sb_putc(sb, (char)(0x80 | ((c >> 6) & 0x3f)));
		sb_putc(sb, (char)(0x80 | (c & 0x3f)));
	}
}

/* A string at j->p (its opening quote) into @out. */
static void jp_string(struct jp *j, struct strbuf *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";

	sb_puts(out, "");
	for (j->p++; *j->p && *j->p != '"'; j->p++) {
		const char *e;
		unsigned int c;

		if (*j->p != '\\') {
			sb_putc(out, *j->p);
			continue;
		}
		j->p++;
		if ((e = strchr(from, *j->p)) && *j->p) {
			sb_putc(out, to[e - from]);
		} else if (*j->p == 'u' && sscanf(j->p + 1, "%4x", &c) == 1) {
			put_utf8(out, c);
			j->p += 4;
		} else {
			j->bad = true;
			return;
		}
	}
	if (*j->p != '"')
		j->bad = true;
	else
		j->p++;
}

/* A string, number, true, false or null: its text in @out, or *null. */
static void jp_scalar(struct jp *j, struct strbuf *out, bool *null)
{
	size_t n;

	*null = false;
	jp_ws(j);
	if (*j->p == '"') {
		jp_string(j, out);
		return;
	}
	n = strspn(j->p, "0123456789+-.eEtruefalsn");
	if (!n) {
		j->bad = true;
		return;
	}
	if (n == 4 && !strncmp(j->p, "null", 4))
		*null = true;
	else
		sb_printf(out, "%.*s", (int)n, j->p);
	j->p += n;
}

static void add_field(struct record *r, int group, const char *key, const char *val)
{
	if (r->nr == r->cap) {
		int ncap = r->cap ? 2 * r->cap : 32;
		struct field *n = realloc(r->f, (size_t)ncap * sizeof(*n));

		if (!n) {
			fputs("vmsim merge: out of memory\n", stderr);
			exit(EXIT_USAGE);
		}
		r->f = n;
		r->cap = ncap;
	}
	r->f[r->nr].group = group;
	r->f[r->nr].key = strdup(key);
	r->f[r->nr].val = val ? strdup(val) : NULL;
	r->nr++;
}

static int group_of(const char *key)
{
	return !strcmp(key, "config") ? G_CONFIG : !strcmp(key, "machine") ? G_MACHINE :
	       !strcmp(key, "results") ? G_RESULTS : G_OTHER;
}

/* An object at j->p: its scalars into @r (objects within the top one: one level). */
static void jp_object(struct jp *j, struct record *r, int group)
{
	struct strbuf key, val;
	bool null;

	jp_ws(j);
	if (*j->p++ != '{') {
		j->bad = true;
		return;
	}
	jp_ws(j);
	if (*j->p == '}') {
		j->p++;
		return;
	}
	while (!j->bad) {
		sb_init(&key);
		sb_init(&val);
		jp_ws(j);
		if (*j->p == '"')
			jp_string(j, &key);
		else
			j->bad = true;
		jp_ws(j);
		if (j->bad || *j->p++ != ':')
			j->bad = true;
		jp_ws(j);
		if (!j->bad && *j->p == '{' && group == G_TOP) {
			jp_object(j, r, group_of(key.buf));
		} else if (!j->bad) {
			jp_scalar(j, &val, &null);
			if (!j->bad)
				add_field(r, group, key.buf, null ? NULL : val.buf);
		}
		sb_free(&key);
		sb_free(&val);
		jp_ws(j);
		if (*j->p == '}') {
			j->p++;
			return;
		}
		if (*j->p++ != ',')
			j->bad = true;
	}
}

static const char *field(const struct record *r, int group, const char *key)
{
	for (int i = 0; i < r->nr; i++)
		if (r->f[i].group == group && !strcmp(r->f[i].key, key))
			return r->f[i].val ? r->f[i].val : "";
	return NULL;
}

/* A record's line: 0, or -1 (not a sweep record). */
static int parse_record(const char *line, struct record *r)
{
	struct jp j = { line, false };
	const char *schema, *index, *id;
	char *end;

	memset(r, 0, sizeof(*r));
	jp_object(&j, r, G_TOP);
	jp_ws(&j);
	schema = field(r, G_TOP, "schema");
	index = field(r, G_TOP, "index");
	id = field(r, G_TOP, "id");
	if (j.bad || *j.p || !schema || strncmp(schema, "vmsim-sweep/", 12) || !index || !id)
		return -1;
	r->index = strtol(index, &end, 10);
	r->id = strdup(id);
	return *end || r->index < 0 ? -1 : 0;
}

static void record_free(struct record *r)
{
	for (int i = 0; i < r->nr; i++) {
		free(r->f[i].key);
		free(r->f[i].val);
	}
	free(r->f);
	free(r->id);
}

/* --- the records of DIR, and its manifest --------------------------------------- */

struct records {
	struct record *v;
	size_t nr, cap;
	int bad;			/* unreadable records */
};

static struct record *new_record(struct records *rs)
{
	if (rs->nr == rs->cap) {
		size_t ncap = rs->cap ? 2 * rs->cap : 64;
		struct record *n = realloc(rs->v, ncap * sizeof(*n));

		if (!n) {
			fputs("vmsim merge: out of memory\n", stderr);
			exit(EXIT_USAGE);
		}
		rs->v = n;
		rs->cap = ncap;
	}
	return &rs->v[rs->nr++];
}

static bool is_record_name(const char *name)
{
	size_t n = strlen(name), e = strlen(SWEEP_RECORD_EXT);

	return n > e && !strcmp(name + n - e, SWEEP_RECORD_EXT) && name[0] != '.';
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every record of @dir (its *.jsonl files, one record a line). */
static int read_records(const char *dir, struct records *rs, FILE *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0, cap = 0;

	if (!d) {
		fprintf(err, "vmsim merge: %s: %s\n", dir, strerror(errno));
		return EXIT_USAGE;
	}
	while ((de = readdir(d))) {
		if (!is_record_name(de->d_name))
			continue;
		if (nr == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names) {
				fputs("vmsim merge: out of memory\n", err);
				exit(EXIT_USAGE);
			}
		}
		names[nr++] = strdup(de->d_name);
	}
	closedir(d);
	if (nr)
		qsort(names, nr, sizeof(*names), cmp_name);
	for (size_t i = 0; i < nr; i++) {
		char *path, *text, *line, *save = NULL;
		size_t len;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0)
			exit(EXIT_USAGE);
		text = read_all(path, &len);
		for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			struct record *r = new_record(rs);

			if (parse_record(line, r)) {
				fprintf(err, "vmsim merge: %s: not a sweep record\n", path);
				record_free(r);
				rs->nr--;
				rs->bad++;
			}
		}
		if (!text) {
			fprintf(err, "vmsim merge: %s: %s\n", path, strerror(errno));
			rs->bad++;
		}
		free(text);
		free(path);
		free(names[i]);
	}
	free(names);
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(((const struct record *)a)->id, ((const struct record *)b)->id);
}

/*
 * The manifest's runs, in order: each the record of its ID, or a new
 * "missing" row with the manifest's configuration.  @rows gets pointers.
 * 0, or -1 when DIR has no manifest.
 */
static int manifest_rows(const char *dir, struct records *rs, struct records *missing,
			 struct record ***rows, size_t *nr_rows)
{
	char *path, *text, *line, *save = NULL;
	size_t len, n = 0;
	int k = 0;

	if (asprintf(&path, "%s/%s", dir, SWEEP_MANIFEST) < 0)
		exit(EXIT_USAGE);
	text = read_all(path, &len);
	free(path);
	if (!text || strncmp(text, SWEEP_MANIFEST_HEAD, strlen(SWEEP_MANIFEST_HEAD))) {
		free(text);
		return -1;
	}
	for (char *p = text; *p; p++)
		n += *p == '\n';
	if (rs->nr)			/* by ID, to find each run's record */
		qsort(rs->v, rs->nr, sizeof(*rs->v), cmp_id);
	*rows = calloc(n + 1, sizeof(**rows));
	*nr_rows = 0;
	/* missing rows are made first: @missing never moves once rows point into it */
	missing->v = calloc(n + 1, sizeof(*missing->v));
	missing->cap = n + 1;
	if (!*rows || !missing->v)
		exit(EXIT_USAGE);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char id[64], *kv, *s2 = NULL;
		long index;
		struct record key = { .id = id }, *r;

		if (line[0] == '#' || sscanf(line, "%ld %63s %n", &index, id, &k) != 2)
			continue;
		r = rs->nr ? bsearch(&key, rs->v, rs->nr, sizeof(*rs->v), cmp_id) : NULL;
		if (!r) {
			r = new_record(missing);
			memset(r, 0, sizeof(*r));
			r->index = index;
			r->id = strdup(id);
			r->missing = true;
			for (kv = strtok_r(line + k, " ", &s2); kv; kv = strtok_r(NULL, " ", &s2)) {
				char *eq = strchr(kv, '=');

				if (eq) {
					*eq = 0;
					add_field(r, G_CONFIG, kv, eq + 1);
				}
			}
		}
		(*rows)[(*nr_rows)++] = r;
	}
	free(text);
	return 0;
}

static int cmp_record(const void *a, const void *b)
{
	const struct record *x = *(const struct record *const *)a;
	const struct record *y = *(const struct record *const *)b;

	return x->index != y->index ? (x->index < y->index ? -1 : 1) : strcmp(x->id, y->id);
}

/* --- the CSV ------------------------------------------------------------------------ */

struct column {
	int group;
	const char *key;
};

struct columns {
	struct column v[256];
	int nr;
};

static void add_column(struct columns *c, int group, const char *key)
{
	for (int i = 0; i < c->nr; i++)
		if (!strcmp(c->v[i].key, key))
			return;		/* a name once: the spec's own key wins */
	if (c->nr < (int)(sizeof(c->v) / sizeof(c->v[0])))
		c->v[c->nr++] = (struct column){ group, key };
}

/* The known keys of @group in their order, then any others the rows have. */
static void add_group(struct columns *c, int group, const char *const *known,
		      struct record **rows, size_t nr)
{
	for (; known && *known; known++)
		add_column(c, group, *known);
	for (size_t i = 0; i < nr; i++)
		for (int k = 0; k < rows[i]->nr; k++)
			if (rows[i]->f[k].group == group)
				add_column(c, group, rows[i]->f[k].key);
}

static void csv_cell(FILE *out, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")] && s[0] != ' ' && (!s[0] || s[strlen(s) - 1] != ' ')) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void write_csv(FILE *out, struct record **rows, size_t nr, bool times)
{
	static const char *const machine[] = { "policy", "pages", "ram_mib", "ram_bytes", NULL };
	static const char *const results[] = {
		"requests", "misses", "minor_faults", "major_faults", "swap_in_pages",
		"swap_out_pages", "pgscan_pages", "pgsteal_pages", "oom_kills", "killed",
		"tlb_hits", "tlb_misses", "managed_pages", NULL
	};
	struct columns c = { .nr = 0 };

	add_column(&c, G_TOP, "index");
	add_column(&c, G_TOP, "id");
	add_column(&c, G_TOP, "status");
	add_group(&c, G_CONFIG, NULL, rows, nr);
	add_group(&c, G_MACHINE, machine, rows, nr);
	add_column(&c, G_TOP, "seed");
	add_group(&c, G_RESULTS, results, rows, nr);
	add_column(&c, G_TOP, "vmsim_version");
	add_column(&c, G_TOP, "error");
	if (times)
		add_column(&c, G_TOP, "run_seconds");
	for (int i = 0; i < c.nr; i++) {
		fputs(i ? "," : "", out);
		csv_cell(out, c.v[i].key);
	}
	fputc('\n', out);
	for (size_t r = 0; r < nr; r++) {
		for (int i = 0; i < c.nr; i++) {
			const char *v = field(rows[r], c.v[i].group, c.v[i].key);

			if (rows[r]->missing && c.v[i].group == G_TOP)
				v = !strcmp(c.v[i].key, "status") ? "missing" : NULL;
			fputs(i ? "," : "", out);
			if (rows[r]->missing && !strcmp(c.v[i].key, "index"))
				fprintf(out, "%ld", rows[r]->index);
			else if (rows[r]->missing && !strcmp(c.v[i].key, "id"))
				csv_cell(out, rows[r]->id);
			else
				csv_cell(out, v ? v : "");
		}
		fputc('\n', out);
	}
}

int merge_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option longopts[] = {
		{ "no-time", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct records rs = { 0 }, missing = { 0 };
	struct record **rows = NULL;
	size_t nr_rows = 0, failed = 0;
	bool times = true;
	int c, ret;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(merge_usage_text, out);
			return 0;
		}
		if (c != 'T') {
			fprintf(err, "vmsim merge: bad option '%s'\n", argv[optind - 1]);
			return EXIT_USAGE;
		}
		times = false;
	}
	if (optind != argc - 1) {
		fprintf(err, "vmsim merge: %s\nRun 'vmsim merge --help' for the options.\n",
			optind >= argc ? "no DIR given" : "one DIR only");
		return EXIT_USAGE;
	}
	if ((ret = read_records(argv[optind], &rs, err)))
		return ret;
	if (manifest_rows(argv[optind], &rs, &missing, &rows, &nr_rows)) {
		rows = calloc(rs.nr + 1, sizeof(*rows));
		if (!rows)
			exit(EXIT_USAGE);
		for (size_t i = 0; i < rs.nr; i++)
			rows[nr_rows++] = &rs.v[i];
		qsort(rows, nr_rows, sizeof(*rows), cmp_record);
	} else if (rs.nr > nr_rows - missing.nr) {
		fprintf(err, "vmsim merge: %zu records of runs the manifest does not list left out\n",
			rs.nr - (nr_rows - missing.nr));
	}
	write_csv(out, rows, nr_rows, times);
	for (size_t i = 0; i < nr_rows; i++) {
		const char *st = field(rows[i], G_TOP, "status");

		failed += !rows[i]->missing && (!st || strcmp(st, "ok"));
	}
	if (missing.nr || failed)
		fprintf(err, "vmsim merge: %zu runs: %zu failed, %zu missing\n", nr_rows, failed,
			missing.nr);
	ret = missing.nr || rs.bad ? 1 : 0;
	for (size_t i = 0; i < rs.nr; i++)
		record_free(&rs.v[i]);
	for (size_t i = 0; i < missing.nr; i++)
		record_free(&missing.v[i]);
	free(rs.v);
	free(missing.v);
	free(rows);
	return ret;
}

/*
 * vmsim plot (docs/plot.md): charts of CSV files with gnuplot, and
 * pictures of a machine as SVG (plot_svg.c, plot_steps.c).
 *
 * A chart is three steps a user can redo alone: the columns chosen from
 * the CSV (by name; timelines and miss-ratio curves have defaults) are
 * written as whitespace-separated data, BASE.dat (a block per group, as
 * gnuplot's `index` reads them); a gnuplot script, BASE.gp, draws them to
 * BASE.png and BASE.svg (`gnuplot BASE.gp` in its directory, or with
 * -e 'formats="svg"'); then gnuplot runs it, if it is installed.  The .gp
 * and .dat are written either way; without gnuplot the command says so
 * and fails only when --format asked for an image.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tool.h"
#include "plot.h"

#define EXIT_NO_IMAGE	1	/* an image was asked for and could not be drawn */
#define MAX_COLS	256
#define MAX_SERIES	32
#define MAX_GROUPS	64

const char plot_usage_text[] =
"usage: vmsim plot [OPTIONS] KIND INPUT\n"
"\n"
"Charts of CSV files (drawn by gnuplot) and pictures of a machine (SVG):\n"
"  timeline FILE.csv  the counters of --timeline: pages in use by kind\n"
"                     (top) and events since boot (bottom) against accesses\n"
"  mrc FILE.csv       miss-ratio curves: miss_ratio (or misses/requests)\n"
"                     against pages, a line per policy (vmsim mrc, sweeps)\n"
"  csv FILE.csv       any CSV with a header row: --x, --y, --group\n"
"  memory SCRIPT      physical memory at the end of SCRIPT, a square per\n"
"                     frame coloured by use (free, anon, file, shmem, swap\n"
"                     cache, slab, page tables, reserved ...) per zone\n"
"  buddy SCRIPT       the buddy free lists: free blocks per order, per zone\n"
"  space SCRIPT       each process's VMAs, sizes on a log axis, resident\n"
"                     pages marked\n"
"  all SCRIPT         the three in one picture\n"
"FILE.csv or SCRIPT may be - (standard input).\n"
"\n"
"Options:\n"
"  --output BASE      charts: BASE.png, BASE.svg, with BASE.gp (the gnuplot\n"
"                     script) and BASE.dat (its data) beside them; pictures:\n"
"                     BASE.svg, or with --every the directory BASE.  Default:\n"
"                     INPUT without its .csv or .vms (plot for standard input)\n"
"  --format LIST      charts: png, svg or png,svg (the default).  Asking for\n"
"                     a format requires the image: without gnuplot, exit 1\n"
"  --x COL            the x column (timeline: accesses; mrc: pages)\n"
"  --y COL,...        the y columns (one chart instead of the defaults)\n"
"  --group COL        a line per value of COL (mrc: policy)\n"
"  --logx, --logy     logarithmic axes (mrc: x is, when it spans 2^6)\n"
"  --title TEXT       the chart's title\n"
"  --gnuplot PATH     the gnuplot to run (default $VMSIM_GNUPLOT, else gnuplot\n"
"                     in PATH)\n"
"  --every N          pictures: one per N commands of SCRIPT, from the machine\n"
"                     as booted, into BASE/step-NNNN.svg with BASE/index.html\n"
"                     (as `vmsim run --plot-every DIR` for N = 1)\n"
"  -o, --set KEY=VALUE  pictures: a machine option over the script's\n"
"  -h, --help         this text\n"
"\n"
"Exit status: 0 done (the .gp and .dat at least), 1 an image --format asked\n"
"for was not drawn (no gnuplot, or gnuplot failed), 2 a bad flag or input.\n";

struct plot_opts {
	const char *kind, *input, *output, *title, *gnuplot;
	const char *x, *y, *group;
	bool png, svg, format_given, logx, logy;
	int every;
	struct tool_opts tool;
};

/* --- the CSV --------------------------------------------------------------------- */

struct csv {
	int nr_cols;
	char *names[MAX_COLS];	/* pointing into header */
	char *header;
	size_t nr_rows, cap_rows;
	char ***rows;		/* rows[r][c]: the field's text; rows[r][nr_cols] its line */
};

/* Split one line into fields (commas; "..." quoted, "" a quote inside): the count. */
static int csv_split(char *line, char **out, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *w = p, *start = p;

		if (*p == '"') {
			start = w = ++p;
			while (*p && !(*p == '"' && p[1] != '"')) {
				if (*p == '"')
					p++;
				*w++ = *p++;
			}
			if (*p == '"')
				p++;
			while (*p && *p != ',')
				p++;
		} else {
			while (*p && *p != ',')
				p++;
			w = p;
		}
		if (n < max)
			out[n++] = start;
		if (!*p) {
			*w = 0;
			break;
		}
		*w = 0;
		p++;
	}
	return n;
}

static void csv_free(struct csv *c)
{
	for (size_t r = 0; r < c->nr_rows; r++) {
		free(c->rows[r][c->nr_cols]);	/* the line the fields point into */
		free(c->rows[r]);
	}
	free(c->rows);
	free(c->header);
	memset(c, 0, sizeof(*c));
}

static int csv_add_row(struct csv *c, const char *line, const char *path, unsigned long lineno)
{
	char *f[MAX_COLS], *copy = strdup(line), **row;
	int n;

	if (!copy)
		return -1;
	n = csv_split(copy, f, MAX_COLS);
	if (n != c->nr_cols) {
		fprintf(stderr, "vmsim plot: %s:%lu: %d fields, the header has %d\n", path, lineno,
			n, c->nr_cols);
		free(copy);
		return -1;
	}
	if (c->nr_rows == c->cap_rows) {
		size_t ncap = c->cap_rows ? 2 * c->cap_rows : 256;
		char ***nr = realloc(c->rows, ncap * sizeof(*nr));

		if (!nr) {
			free(copy);
			return -1;
		}
		c->rows = nr;
		c->cap_rows = ncap;
	}
	row = malloc((n + 1) * sizeof(*row));
	if (!row) {
		free(copy);
		return -1;
	}
	memcpy(row, f, n * sizeof(*row));
	row[n] = copy;
	c->rows[c->nr_rows++] = row;
	return 0;
}

static int csv_read(struct csv *c, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	if (!f) {
		fprintf(stderr, "vmsim plot: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (ret == 0 && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (!n || line[0] == '#')
			continue;
		if (!c->nr_cols) {
			c->header = strdup(line);
			if (!c->header)
				ret = -1;
			else
				c->nr_cols = csv_split(c->header, c->names, MAX_COLS);
		} else {
			ret = csv_add_row(c, line, path, lineno);
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	if (ret == 0 && (!c->nr_cols || !c->nr_rows)) {
		fprintf(stderr, "vmsim plot: %s: no %s\n", path, c->nr_cols ? "rows" : "header row");
		ret = -1;
	}
	if (ret)
		csv_free(c);
	return ret;
}

static int csv_col(const struct csv *c, const char *name)
{
	for (int i = 0; i < c->nr_cols; i++)
		if (!strcmp(c->names[i], name))
			return i;
	return -1;
}

/* --- what is drawn ------------------------------------------------------------------ */

/* A line of the chart: the sum of up to three columns, times scale, over div's column. */
struct series {
	char name[64];
	int col[3], ncol;
	int div;		/* -1: none */
	double scale;
	int panel;		/* 0, or 1 for the lower chart */
};

struct chart {
	const struct csv *csv;
	int xcol, group;	/* group -1: one line per series */
	int nr_series, panels;
	struct series s[MAX_SERIES];
	const char *ylabel[2];
	bool logx, logy;
	char title[256];
};

/*
 * Add series @name, the sum of the columns named in @cols (comma
 * separated) times @scale, if the CSV has them all.  @required: a missing
 * column is an error (the user named it).  0, or -1.
 */
static int add_series(struct chart *ch, const char *name, const char *cols, double scale,
		      int panel, bool required)
{
	struct series *s = &ch->s[ch->nr_series];
	char buf[256], *save = NULL;

	if (ch->nr_series == MAX_SERIES) {
		fprintf(stderr, "vmsim plot: more than %d y columns\n", MAX_SERIES);
		return -1;
	}
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(buf, sizeof(buf), "%s", cols);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int c = csv_col(ch->csv, w);

		if (c < 0 || s->ncol == 3) {
			if (!required)
				return 0;
			fprintf(stderr, "vmsim plot: no column '%s' (the header has:", w);
			for (int i = 0; i < ch->csv->nr_cols; i++)
				fprintf(stderr, " %s", ch->csv->names[i]);
			fprintf(stderr, ")\n");
			return -1;
		}
		s->col[s->ncol++] = c;
	}
	s->div = -1;
	s->scale = scale;
	s->panel = panel;
	ch->panels = panel + 1 > ch->panels ? panel + 1 : ch->panels;
	ch->nr_series++;
	return 0;
}

/* The lines of a timeline: pages in use above, events since boot below. */
static int timeline_series(struct chart *ch)
{
	static const struct {
		const char *name, *cols;
		double scale;
		int panel;
	} def[] = {
		{ "free", "free_pages", 1, 0 }, { "anon", "anon_pages", 1, 0 },
		{ "file", "file_pages", 1, 0 }, { "shmem", "shmem_pages", 1, 0 },
		{ "slab", "slab_reclaimable_pages,slab_unreclaimable_pages", 1, 0 },
		{ "dirty", "dirty_pages", 1, 0 }, { "writeback", "writeback_pages", 1, 0 },
		{ "swap used", "swap_used_kb", 0.25, 0 },
		{ "faults", "faults", 1, 1 }, { "major faults", "major_faults", 1, 1 },
		{ "pgscan", "pgscan_kswapd,pgscan_direct", 1, 1 },
		{ "pgsteal", "pgsteal_kswapd,pgsteal_direct", 1, 1 },
		{ "pswpin", "pswpin", 1, 1 }, { "pswpout", "pswpout", 1, 1 },
		{ "oom kills", "oom_kills", 1, 1 }, { "tlb misses", "tlb_misses", 1, 1 },
	};

	for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++)
		if (add_series(ch, def[i].name, def[i].cols, def[i].scale, def[i].panel, false))
			return -1;
	ch->ylabel[0] = "pages of 4 KiB (now)";
	ch->ylabel[1] = "events since boot";
	return 0;
}

/* The chart's columns from the flags and the kind's defaults: 0, or -1. */
static int choose_series(struct chart *ch, const struct plot_opts *o)
{
	const char *x = o->x;
	bool timeline = !strcmp(o->kind, "timeline"), mrc = !strcmp(o->kind, "mrc");
	const char *group = o->group ? o->group : mrc && csv_col(ch->csv, "policy") >= 0 ?
			    "policy" : NULL;

	if (!x)
		x = timeline ? "accesses" : mrc ? "pages" : NULL;
	if (!x || (!o->y && !timeline && !mrc)) {
		fprintf(stderr, "vmsim plot: csv needs --x COL and --y COL\n");
		return -1;
	}
	if ((ch->xcol = csv_col(ch->csv, x)) < 0)
		return add_series(ch, "", x, 1, 0, true);	/* prints the message */
	ch->group = group ? csv_col(ch->csv, group) : -1;
	if (group && ch->group < 0)
		return add_series(ch, "", group, 1, 0, true);
	if (o->y) {
		char buf[512], *save = NULL;

		snprintf(buf, sizeof(buf), "%s", o->y);
		for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save))
			if (add_series(ch, w, w, 1, 0, true))
				return -1;
		ch->ylabel[0] = ch->nr_series == 1 ? ch->s[0].name : "";
	} else if (timeline) {
		if (timeline_series(ch))
			return -1;
	} else if (csv_col(ch->csv, "miss_ratio") >= 0) {
		add_series(ch, "miss ratio", "miss_ratio", 1, 0, true);
	} else {
		/* a sweep's CSV: misses over requests */
		if (add_series(ch, "miss ratio", "misses", 1, 0, true))
			return -1;
		ch->s[0].div = csv_col(ch->csv, "requests");
		if (ch->s[0].div < 0)
			return add_series(ch, "", "miss_ratio or requests", 1, 0, true);
	}
	if (mrc && !o->y)
		ch->ylabel[0] = "miss ratio";
	if (!ch->nr_series) {
		fprintf(stderr, "vmsim plot: %s: none of a timeline's columns (use --y)\n",
			o->input);
		return -1;
	}
	return 0;
}

/* Field @c of row @r as a number: 0, or -1 with the message. */
static int field(const struct csv *csv, const char *path, size_t r, int c, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(csv->rows[r][c], &end);
	if (end == csv->rows[r][c] || *end || errno) {
		fprintf(stderr, "vmsim plot: %s: row %zu, column %s: '%s' is not a number\n", path,
			r + 1, csv->names[c], csv->rows[r][c]);
		return -1;
	}
	return 0;
}

static double series_value(const struct csv *csv, const char *path, const struct series *s,
			   size_t r, int *err)
{
	double sum = 0, v;

	for (int i = 0; i < s->ncol; i++) {
		if (field(csv, path, r, s->col[i], &v))
			*err = -1;
		sum += v;
	}
	if (s->div >= 0) {
		if (field(csv, path, r, s->div, &v))
			*err = -1;
		sum = v ? sum / v : 0;
	}
	return sum * s->scale;
}

/* --- the data and the script ------------------------------------------------------- */

struct point {
	double x;
	size_t row;
};

static int cmp_point(const void *a, const void *b)
{
	const struct point *p = a, *q = b;

	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return p->row < q->row ? -1 : p->row > q->row;
}

/* The groups' names in the order they first appear (one unnamed group without --group). */
static int find_groups(const struct chart *ch, const char **names)
{
	int n = 0;

	if (ch->group < 0) {
		names[0] = "";
		return 1;
	}
	for (size_t r = 0; r < ch->csv->nr_rows; r++) {
		const char *g = ch->csv->rows[r][ch->group];
		int i = 0;

		while (i < n && strcmp(names[i], g))
			i++;
		if (i == n) {
			if (n == MAX_GROUPS) {
				fprintf(stderr, "vmsim plot: more than %d groups\n", MAX_GROUPS);
				return -1;
			}
			names[n++] = g;
		}
	}
	return n;
}

/* BASE.dat: a block per group, rows by x (a timeline's in file order). 0, or -1. */
static int write_dat(const struct chart *ch, const char *path, const char *input, FILE *f,
		     const char **groups, int nr_groups, bool sort)
{
	const struct csv *csv = ch->csv;
	struct point *pts = malloc(csv->nr_rows * sizeof(*pts));
	int err = 0;

	if (!pts)
		return -1;
	fprintf(f, "# vmsim plot: the data of %s, from %s\n# %s", path, input, csv->names[ch->xcol]);
	for (int i = 0; i < ch->nr_series; i++)
		fprintf(f, " \"%s\"", ch->s[i].name);
	fputc('\n', f);
	for (int g = 0; g < nr_groups && !err; g++) {
		size_t n = 0;

		for (size_t r = 0; r < csv->nr_rows && !err; r++) {
			if (ch->group >= 0 && strcmp(csv->rows[r][ch->group], groups[g]))
				continue;
			err = field(csv, input, r, ch->xcol, &pts[n].x);
			pts[n++].row = r;
		}
		if (sort)
			qsort(pts, n, sizeof(*pts), cmp_point);
		fprintf(f, "%s# group %s\n", g ? "\n\n" : "", groups[g]);
		for (size_t i = 0; i < n && !err; i++) {
			fprintf(f, "%.10g", pts[i].x);
			for (int s = 0; s < ch->nr_series; s++)
				fprintf(f, " %.10g", series_value(csv, input, &ch->s[s], pts[i].row,
								  &err));
			fputc('\n', f);
		}
	}
	free(pts);
	return err;
}

/* A gnuplot string literal. */
static void gp_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

/* The plot command of panel @panel: a line per series and group. */
static void gp_plot(FILE *f, const struct chart *ch, int panel, const char *dat,
		    const char **groups, int nr_groups)
{
	bool first = true;

	fputs("    plot ", f);
	for (int g = 0; g < nr_groups; g++)
		for (int s = 0; s < ch->nr_series; s++) {
			char title[200];

			if (ch->s[s].panel != panel)
				continue;
			if (ch->group >= 0 && ch->nr_series > 1)
				snprintf(title, sizeof(title), "%s %s", groups[g], ch->s[s].name);
			else
				snprintf(title, sizeof(title), "%s", ch->group >= 0 ? groups[g] :
					 ch->s[s].name);
			fputs(first ? "" : ", \\\n         ", f);
			gp_string(f, first ? dat : "");
			fprintf(f, " index %d using 1:%d with %s lw 2 title ", g, s + 2,
				ch->group >= 0 ? "linespoints pt 7 ps 0.6" : "lines");
			gp_string(f, title);
			first = false;
		}
	fputc('\n', f);
}

/* BASE.gp: draws BASE.dat into BASE.png and BASE.svg (or the formats given with -e). */
static void write_gp(FILE *f, const struct chart *ch, const char *base, const char *xname,
		     const char **groups, int nr_groups)
{
	char dat[4096], img[4096];

	snprintf(dat, sizeof(dat), "%s.dat", base);
	fprintf(f, "# vmsim plot: draws %s.dat into %s.png and %s.svg.  Restyle it and run it\n"
		"# in this directory: gnuplot %s.gp (or gnuplot -e 'formats=\"svg\"' %s.gp).\n",
		base, base, base, base, base);
	fputs("if (!exists(\"formats\")) formats = \"png svg\"\n"
	      "set datafile commentschars \"#\"\nset grid\nset key outside right top\n", f);
	fprintf(f, "set xlabel ");
	gp_string(f, xname);
	fprintf(f, "\n%s%s", ch->logx ? "set logscale x 2\n" : "", ch->logy ? "set logscale y\n" : "");
	fputs("do for [fmt in formats] {\n"
	      "    if (fmt eq \"png\") {\n"
	      "        if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n", f);
	fprintf(f, "            set terminal pngcairo size 1000,%d noenhanced font \",10\"\n"
		"        } else {\n            set terminal png size 1000,%d noenhanced\n"
		"        }\n    } else {\n"
		"        set terminal svg size 1000,%d noenhanced font \"Helvetica,12\" background "
		"\"white\"\n    }\n", ch->panels > 1 ? 900 : 600, ch->panels > 1 ? 900 : 600,
		ch->panels > 1 ? 900 : 600);
	snprintf(img, sizeof(img), "%s.", base);
	fputs("    set output ", f);
	gp_string(f, img);
	fputs(" . fmt\n", f);
	if (ch->panels > 1) {
		fputs("    set multiplot layout 2,1 title ", f);
		gp_string(f, ch->title);
		fputc('\n', f);
	} else {
		fputs("    set title ", f);
		gp_string(f, ch->title);
		fputc('\n', f);
	}
	for (int p = 0; p < ch->panels; p++) {
		fputs("    set ylabel ", f);
		gp_string(f, ch->ylabel[p] ? ch->ylabel[p] : "");
		fputc('\n', f);
		gp_plot(f, ch, p, dat, groups, nr_groups);
	}
	fprintf(f, "%s    set output\n}\n", ch->panels > 1 ? "    unset multiplot\n" : "");
}

/* --- gnuplot --------------------------------------------------------------------- */

/* The gnuplot to run: --gnuplot, $VMSIM_GNUPLOT, or the first in PATH; NULL if none. */
static char *find_gnuplot(const char *given)
{
	const char *name = given ? given : getenv("VMSIM_GNUPLOT");
	const char *path = getenv("PATH");
	char buf[4096];

	if (name && *name)
		return strchr(name, '/') ? (access(name, X_OK) ? NULL : strdup(name)) :
		       NULL;
	for (const char *p = path ? path : "/usr/bin:/bin"; *p; ) {
		size_t n = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/gnuplot", (int)n, n ? p : ".");
		if (!access(buf, X_OK))
			return strdup(buf);
		p += n + (p[n] == ':');
	}
	return NULL;
}

/* Run @gp on @script in directory @dir for @formats: its exit status, or -1. */
static int run_gnuplot(const char *gp, const char *dir, const char *script, const char *formats)
{
	char arg[64];
	pid_t pid;
	int status;

	snprintf(arg, sizeof(arg), "formats=\"%s\"", formats);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (chdir(dir)) {
			perror(dir);
			_exit(127);
		}
		dup2(2, 1);	/* gnuplot's chatter is not the command's output */
		execl(gp, "gnuplot", "-e", arg, script, (char *)NULL);
		perror(gp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* DIR and NAME of BASE: "out/x" -> "out", "x"; "x" -> ".", "x". */
static void split_base(const char *base, char *dir, size_t dlen, const char **name)
{
	const char *slash = strrchr(base, '/');

	*name = slash ? slash + 1 : base;
	if (!slash)
		snprintf(dir, dlen, ".");
	else
		snprintf(dir, dlen, "%.*s", slash == base ? 1 : (int)(slash - base), base);
}

static FILE *create(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fprintf(stderr, "vmsim plot: cannot write %s: %s\n", path, strerror(errno));
	return f;
}

/* The images asked for, drawn by gnuplot: 0, or EXIT_NO_IMAGE when one is missing. */
static int draw_images(const struct plot_opts *o, const char *base)
{
	char dir[4096], gpfile[4096], path[4096 + 8];
	const char *name, *fmts = o->png && o->svg ? "png svg" : o->png ? "png" : "svg";
	char *gp = find_gnuplot(o->gnuplot);
	int st;
	struct stat sb;

	split_base(base, dir, sizeof(dir), &name);
	snprintf(gpfile, sizeof(gpfile), "%s.gp", name);
	if (!gp) {
		fprintf(stderr, "vmsim plot: gnuplot %s: wrote %s.gp and %s.dat; draw them with "
			"`gnuplot %s` in %s%s\n", o->gnuplot || getenv("VMSIM_GNUPLOT") ?
			"cannot be run" : "is not installed (not found in PATH)", base, base,
			gpfile, dir, o->format_given ? "" : " (no image was asked for: exit 0)");
		return o->format_given ? EXIT_NO_IMAGE : 0;
	}
	st = run_gnuplot(gp, dir, gpfile, fmts);
	free(gp);
	for (int i = 0; i < 2; i++) {
		if (!(i ? o->svg : o->png))
			continue;
		snprintf(path, sizeof(path), "%s.%s", base, i ? "svg" : "png");
		if (st || stat(path, &sb) || !sb.st_size) {
			fprintf(stderr, "vmsim plot: gnuplot did not draw %s (exit status %d)\n", path,
				st);
			return EXIT_NO_IMAGE;
		}
	}
	return 0;
}

/* timeline, mrc, csv: the .dat, the .gp, the images. */
static int plot_chart(const struct plot_opts *o, const char *base)
{
	struct csv csv;
	struct chart ch = { 0 };
	const char *groups[MAX_GROUPS], *name;
	char path[4096 + 8], dir[4096];
	int nr_groups, ret = EXIT_USAGE;
	FILE *f;

	if (csv_read(&csv, o->input))
		return EXIT_USAGE;
	ch.csv = &csv;
	if (choose_series(&ch, o) || (nr_groups = find_groups(&ch, groups)) < 0)
		goto out;
	ch.logx = o->logx;
	ch.logy = o->logy;
	if (!strcmp(o->kind, "mrc") && !o->x) {
		double lo = 0, hi = 0, v;

		/* sizes in powers of two read best on a log axis */
		for (size_t r = 0; r < csv.nr_rows && !field(&csv, o->input, r, ch.xcol, &v); r++) {
			lo = !r || v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
		ch.logx = ch.logx || (lo > 0 && hi / lo >= 64);
	}
	snprintf(ch.title, sizeof(ch.title), "%s", o->title ? o->title :
		 !strcmp(o->kind, "timeline") ? "timeline" : !strcmp(o->kind, "mrc") ?
		 "miss-ratio curves" : "");
	if (!o->title && strcmp(o->input, "-"))
		snprintf(ch.title + strlen(ch.title), sizeof(ch.title) - strlen(ch.title), "%s%s",
			 ch.title[0] ? ": " : "", o->input);
	split_base(base, dir, sizeof(dir), &name);
	snprintf(path, sizeof(path), "%s.dat", base);
	if (!(f = create(path)))
		goto out;
	if (write_dat(&ch, name, o->input, f, groups, nr_groups, strcmp(o->kind, "timeline")) |
	    fclose(f))
		goto out;
	snprintf(path, sizeof(path), "%s.gp", base);
	if (!(f = create(path)))
		goto out;
	write_gp(f, &ch, name, csv.names[ch.xcol], groups, nr_groups);
	if (fclose(f))
		goto out;
	ret = draw_images(o, base);
out:
	csv_free(&csv);
	return ret;
}

/* memory, buddy, space, all: run the script, draw the end (or each N commands). */
static int plot_machine(struct plot_opts *o, const char *base)
{
	unsigned int what = !strcmp(o->kind, "memory") ? PLOT_MEMORY :
			    !strcmp(o->kind, "buddy") ? PLOT_BUDDY :
			    !strcmp(o->kind, "space") ? PLOT_SPACE : PLOT_ALL;
	char out[4096 + 8];
	struct session s;
	enum vmsim_run_status st;
	FILE *f = strcmp(o->input, "-") ? fopen(o->input, "rb") : stdin;
	char *text = NULL;
	size_t cap = 0, len = 0, n;

	if (!f) {
		fprintf(stderr, "vmsim plot: cannot read %s: %s\n", o->input, strerror(errno));
		return EXIT_USAGE;
	}
	do {
		char *nt = len + 4096 > cap ? realloc(text, cap = 2 * cap + 4096) : text;

		if (!nt)
			break;
		text = nt;
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	if (f != stdin)
		fclose(f);
	if (!text)
		return EXIT_USAGE;
	text[len] = 0;
	snprintf(out, sizeof(out), o->every ? "%s" : "%s.svg", base);
	o->tool.json = true;	/* the script's own output is collected, not printed */
	o->tool.quiet = true;
	session_init(&s, &o->tool, o->input);
	st = run_stepped(&s, text, len, what, o->every, out);
	session_fini(&s);
	free(text);
	return st == VMSIM_RUN_OK ? 0 : st == VMSIM_RUN_EXPECT_FAILED ? EXIT_EXPECT : EXIT_USAGE;
}

/* --- the command line ------------------------------------------------------------- */

enum { P_OUTPUT = 256, P_FORMAT, P_X, P_Y, P_GROUP, P_LOGX, P_LOGY, P_TITLE, P_GNUPLOT, P_EVERY };

static const struct option plot_long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "set", required_argument, NULL, 'o' },
	{ "output", required_argument, NULL, P_OUTPUT },
	{ "format", required_argument, NULL, P_FORMAT },
	{ "x", required_argument, NULL, P_X },
	{ "y", required_argument, NULL, P_Y },
	{ "group", required_argument, NULL, P_GROUP },
	{ "logx", no_argument, NULL, P_LOGX },
	{ "logy", no_argument, NULL, P_LOGY },
	{ "title", required_argument, NULL, P_TITLE },
	{ "gnuplot", required_argument, NULL, P_GNUPLOT },
	{ "every", required_argument, NULL, P_EVERY },
	{ NULL, 0, NULL, 0 }
};

static int plot_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "vmsim plot: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nRun 'vmsim plot --help' for the options.\n");
	return EXIT_USAGE;
}

/* --format png,svg */
static int parse_formats(struct plot_opts *o, const char *list)
{
	char buf[64], *save = NULL;

	o->png = o->svg = false;
	o->format_given = true;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "png"))
			o->png = true;
		else if (!strcmp(w, "svg"))
			o->svg = true;
		else
			return -1;
	}
	return o->png || o->svg ? 0 : -1;
}

/* -o KEY=VALUE: checked alone as the other commands check it. */
static int plot_set(struct plot_opts *o, char *arg)
{
	struct vmsim_config scratch;
	char *eq = strchr(arg, '='), err[200] = "";

	if (!eq || eq == arg)
		return plot_usage_error("-o wants KEY=VALUE, got '%s'", arg);
	*eq = 0;
	vmsim_config_default(&scratch);
	if (strcmp(arg, "root") && (vmsim_config_set(&scratch, arg, eq + 1, err, sizeof(err)) ||
				    vmsim_config_check(&scratch, arg, err, sizeof(err))))
		return plot_usage_error("-o: %s", err[0] ? err : "bad machine option");
	if (o->tool.nr_opts == MAX_OPTS)
		return plot_usage_error("too many machine options%s", "");
	o->tool.opt_keys[o->tool.nr_opts] = arg;
	o->tool.opt_values[o->tool.nr_opts++] = eq + 1;
	return 0;
}

static int plot_flag(struct plot_opts *o, int c, bool *help)
{
	uint64_t v;

	switch (c) {
	case 'h': *help = true; return 0;
	case 'o': return plot_set(o, optarg);
	case P_OUTPUT: o->output = optarg; return 0;
	case P_X: o->x = optarg; return 0;
	case P_Y: o->y = optarg; return 0;
	case P_GROUP: o->group = optarg; return 0;
	case P_LOGX: o->logx = true; return 0;
	case P_LOGY: o->logy = true; return 0;
	case P_TITLE: o->title = optarg; return 0;
	case P_GNUPLOT: o->gnuplot = optarg; return 0;
	case P_FORMAT:
		if (parse_formats(o, optarg))
			return plot_usage_error("--format %s: wants png, svg or png,svg", optarg);
		return 0;
	case P_EVERY:
		if (vmsim_parse_size(optarg, &v) || !v || v > 1000000)
			return plot_usage_error("--every %s: wants a number of commands", optarg);
		o->every = (int)v;
		return 0;
	case ':':
		return plot_usage_error("option '%s' needs a value", o->input);
	default:
		return plot_usage_error("unknown option '%s'", o->input);
	}
}

int plot_main(int argc, char **argv)
{
	static const char *const kinds[] = {
		"timeline", "mrc", "csv", "memory", "buddy", "space", "all", NULL
	};
	struct plot_opts o = { .png = true, .svg = true };
	char base[4096];
	bool help = false, chart;
	int c, ret;
	size_t n;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":ho:", plot_long_opts, NULL)) != -1) {
		o.input = argv[optind - 1];	/* for the messages of bad flags */
		if ((ret = plot_flag(&o, c, &help)))
			return ret;
	}
	if (help) {
		fputs(plot_usage_text, stdout);
		return 0;
	}
	if (argc - optind != 2)
		return plot_usage_error("wants KIND INPUT (%s)",
					argc - optind < 2 ? "too few arguments" : "too many");
	o.kind = argv[optind];
	o.input = argv[optind + 1];
	for (c = 0; kinds[c] && strcmp(kinds[c], o.kind); c++)
		;
	if (!kinds[c])
		return plot_usage_error("unknown kind '%s' (timeline, mrc, csv, memory, buddy, "
					"space, all)", o.kind);
	chart = c < 3;
	if (chart && (o.every || o.tool.nr_opts))
		return plot_usage_error("--every and -o are for pictures (%s is a chart)", o.kind);
	if (!chart && (o.x || o.y || o.group || o.logx || o.logy || o.format_given))
		return plot_usage_error("--x, --y, --group, --log* and --format are for charts "
					"(%s is a picture)", o.kind);
	/* BASE: --output, or the input without its extension */
	snprintf(base, sizeof(base), "%s", o.output ? o.output :
		 strcmp(o.input, "-") ? o.input : "plot");
	n = strlen(base);
	if (!o.output && n > 4 && (!strcmp(base + n - 4, ".csv") || !strcmp(base + n - 4, ".vms")))
		base[n - 4] = 0;
	if (!base[0])
		return plot_usage_error("--output '%s': an empty name", "");
	return chart ? plot_chart(&o, base) : plot_machine(&o, base);
}

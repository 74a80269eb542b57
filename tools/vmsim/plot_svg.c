/*
 * Pictures of a machine for learners, written as SVG directly (no
 * gnuplot): physical memory as a map of frames coloured by use, zone by
 * zone (vmsim_frame_states); the buddy allocator's free lists, blocks per
 * order (vmsim_zone_stats); each process's address space, its VMAs in
 * address order with their sizes to scale on a log axis and the resident
 * pages marked inside (/proc/PID/maps, vmsim_resident).  docs/plot.md.
 *
 * The elements carry what a program checking a picture needs: the frames
 * of one use are one group (id "frames-NAME", data-frames the count),
 * each free-list bar its order and blocks, each VMA its resident pages.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vmsim/process.h"
#include "vmsim/stats.h"
#include "tool.h"
#include "plot.h"

#define SVG_W		900
#define MARGIN		20
#define CELL		4	/* a frame's square, pixels */
#define MAP_COLS	128	/* squares per row */
#define MAX_CELLS	65536	/* above, a square stands for several frames */
#define LEGEND_X	(MARGIN + MAP_COLS * CELL + 24)
#define MAX_ZONES	(3 * VMSIM_MAX_NODES)
#define BAR_X		340	/* address space: where the VMA bars start */
#define BAR_MAX		(SVG_W - BAR_X - 150)

/* Each use: its colour and its words in the legend. */
static const struct {
	const char *color, *label;
} frame_look[VMSIM_FRAME_NR_STATES] = {
	[VMSIM_FRAME_FREE] = { "#e4e4e4", "free (buddy lists)" },
	[VMSIM_FRAME_PCP] = { "#b9e3b0", "free (per-CPU lists)" },
	[VMSIM_FRAME_ANON] = { "#e6550d", "anonymous" },
	[VMSIM_FRAME_FILE] = { "#3182bd", "page cache (files)" },
	[VMSIM_FRAME_SHMEM] = { "#8e7cc3", "shmem" },
	[VMSIM_FRAME_SWAPCACHE] = { "#f5b041", "swap cache" },
	[VMSIM_FRAME_SLAB] = { "#2ca25f", "slab" },
	[VMSIM_FRAME_PAGETABLE] = { "#d62728", "page tables" },
	[VMSIM_FRAME_RESERVED] = { "#555555", "reserved" },
	[VMSIM_FRAME_KERNEL] = { "#a0785a", "kernel (other)" },
	[VMSIM_FRAME_HOLE] = { "#ffffff", "hole (no frame)" },
};

void svg_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, f);
		}
	}
}

/* A size for people: "4 KiB", "1.5 MiB". */
static const char *human(char *buf, size_t len, double bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	int u = 0;

	while (bytes >= 1024 && u < 5) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, bytes == floor(bytes) ? "%.0f %s" : "%.1f %s", bytes, unit[u]);
	return buf;
}

static void text_at(FILE *f, int x, int y, const char *cls, const char *s)
{
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"%s\">", x, y, cls);
	svg_text(f, s);
	fputs("</text>\n", f);
}

/* --- physical memory -------------------------------------------------------- */

struct zone_box {
	struct vmsim_zone_stats z;
	int y;			/* the first row's top */
	unsigned long cells;
};

/* The use a square of @per frames from @pfn shows: the most frames' (the first on a tie). */
static int cell_state(const unsigned char *st, unsigned long pfn, unsigned long end,
		      unsigned long per)
{
	unsigned long count[VMSIM_FRAME_NR_STATES] = { 0 };
	int best = st[pfn];

	if (per == 1)
		return best;
	for (unsigned long p = pfn; p < pfn + per && p < end; p++)
		count[st[p]]++;
	for (int s = 0; s < VMSIM_FRAME_NR_STATES; s++)
		if (count[s] > count[best])
			best = s;
	return best;
}

/* The squares of use @state, as runs along each row. */
static void map_group(FILE *f, const struct zone_box *zb, int nr_zones, const unsigned char *st,
		      unsigned long per, int state)
{
	for (int i = 0; i < nr_zones; i++) {
		unsigned long start = zb[i].z.start_pfn, end = start + zb[i].z.spanned_pages;

		for (unsigned long c = 0; c < zb[i].cells; ) {
			unsigned long run = 0;

			while (c + run < zb[i].cells && run < MAP_COLS - c % MAP_COLS &&
			       cell_state(st, start + (c + run) * per, end, per) == state)
				run++;
			if (!run) {
				c++;
				continue;
			}
			fprintf(f, "<rect x=\"%lu\" y=\"%lu\" width=\"%lu\" height=\"%d\"/>\n",
				MARGIN + (c % MAP_COLS) * CELL, zb[i].y + (c / MAP_COLS) * CELL,
				run * CELL, CELL);
			c += run;
		}
	}
}

static int draw_memory(FILE *f, vmsim_machine_t *m, int y)
{
	struct vmsim_mem_stats ms;
	struct zone_box zb[MAX_ZONES];
	unsigned long count[VMSIM_FRAME_NR_STATES] = { 0 }, per = 1;
	unsigned char *st;
	int nr = 0, ly;
	char buf[256], sz[32];

	vmsim_mem_stats(m, &ms);
	st = malloc(ms.total_pages ? ms.total_pages : 1);
	if (!st)
		return -1;
	if (vmsim_frame_states(m, 0, ms.total_pages, st) != (long)ms.total_pages) {
		free(st);
		errno = EINVAL;
		return -1;
	}
	for (unsigned long p = 0; p < ms.total_pages; p++)
		count[st[p]]++;
	while (ms.total_pages / per > MAX_CELLS)
		per *= 2;
	snprintf(buf, sizeof(buf), "Physical memory: %lu frames of 4 KiB (%s)", ms.total_pages,
		 human(sz, sizeof(sz), (double)ms.total_pages * VMSIM_PAGE_SIZE));
	text_at(f, MARGIN, y, "h2", buf);
	snprintf(buf, sizeof(buf), "a square per %lu frame%s, %d per row, coloured by use", per,
		 per > 1 ? "s (the use of most of them)" : "", MAP_COLS);
	text_at(f, MARGIN, y + 14, "small", buf);
	y += 24;
	ly = y;
	while (nr < MAX_ZONES && !vmsim_zone_stats(m, nr, &zb[nr].z)) {
		zb[nr].cells = (zb[nr].z.spanned_pages + per - 1) / per;
		snprintf(buf, sizeof(buf), "node %d, zone %s: frames %lu-%lu, %lu free",
			 zb[nr].z.node, zb[nr].z.name, zb[nr].z.start_pfn,
			 zb[nr].z.start_pfn + zb[nr].z.spanned_pages - 1, zb[nr].z.free_pages);
		text_at(f, MARGIN, y + 14, "zone", buf);
		zb[nr].y = y + 20;
		y = zb[nr].y + (int)((zb[nr].cells + MAP_COLS - 1) / MAP_COLS) * CELL + 6;
		nr++;
	}
	for (int s = 0; s < VMSIM_FRAME_NR_STATES; s++) {
		fprintf(f, "<g class=\"frames\" id=\"frames-%s\" data-frames=\"%lu\" fill=\"%s\">\n",
			vmsim_frame_state_name(s), count[s], frame_look[s].color);
		map_group(f, zb, nr, st, per, s);
		fputs("</g>\n", f);
	}
	fputs("<g class=\"legend\">\n", f);
	for (int s = 0; s < VMSIM_FRAME_NR_STATES; s++, ly += 18) {
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\" "
			"stroke=\"#999\"/>\n", LEGEND_X, ly, frame_look[s].color);
		snprintf(buf, sizeof(buf), "%s: %lu", frame_look[s].label, count[s]);
		text_at(f, LEGEND_X + 18, ly + 11, "legend", buf);
	}
	fputs("</g>\n", f);
	free(st);
	return (y > ly ? y : ly) + 20;
}

/* --- the buddy free lists ------------------------------------------------------- */

static int draw_buddy(FILE *f, vmsim_machine_t *m, int y)
{
	struct vmsim_zone_stats z;
	unsigned long most = 1;
	char buf[160];

	for (int i = 0; !vmsim_zone_stats(m, i, &z); i++)
		for (int o = 0; o < VMSIM_NR_ORDERS; o++)
			most = z.nr_free[o] > most ? z.nr_free[o] : most;
	text_at(f, MARGIN, y, "h2", "Buddy free lists: free blocks of 2^order frames, per zone");
	y += 8;
	for (int i = 0; !vmsim_zone_stats(m, i, &z); i++) {
		snprintf(buf, sizeof(buf), "node %d, zone %s: %lu frames free (%lu on per-CPU "
			 "lists)", z.node, z.name, z.free_pages, z.pcp_pages);
		text_at(f, MARGIN, y + 14, "zone", buf);
		y += 20;
		fprintf(f, "<g class=\"buddy\" data-zone=\"%s\" fill=\"%s\">\n", z.name,
			frame_look[VMSIM_FRAME_FREE].color);
		for (int o = 0; o < VMSIM_NR_ORDERS; o++, y += 14) {
			int w = (int)(z.nr_free[o] * 400 / most);

			snprintf(buf, sizeof(buf), "order %2d", o);
			text_at(f, MARGIN, y + 10, "mono", buf);
			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"10\" stroke=\"#777\" "
				"data-order=\"%d\" data-blocks=\"%lu\"/>\n", MARGIN + 70, y,
				w ? w : 1, o, z.nr_free[o]);
			snprintf(buf, sizeof(buf), "%lu x %lu = %lu frames", z.nr_free[o], 1UL << o,
				 z.nr_free[o] << o);
			text_at(f, MARGIN + 78 + (w ? w : 1), y + 10, "small", buf);
		}
		fputs("</g>\n", f);
		y += 6;
	}
	return y + 16;
}

/* --- address spaces ------------------------------------------------------------- */

/* A VMA bar's width: its size on a log axis (a page 16 px, doubling adds 20). */
static int bar_width(unsigned long pages)
{
	int w = 16 + (int)(20 * log2((double)pages));

	return w < BAR_MAX ? w : BAR_MAX;
}

/*
 * The pages whose byte of @vec (vmsim_resident's) is @want under @mask, as
 * runs inside the bar at @x, @y of width @w, in @color at @opacity.
 */
static void draw_resident(FILE *f, const unsigned char *vec, unsigned long pages,
			  unsigned char mask, unsigned char want, int x, int y, int w,
			  const char *color, double opacity)
{
	for (unsigned long p = 0; p < pages; ) {
		unsigned long q = p;
		double x0, x1;

		if ((vec[p] & mask) != want) {
			p++;
			continue;
		}
		while (q < pages && (vec[q] & mask) == want)
			q++;
		x0 = x + (double)w * p / pages;
		x1 = x + (double)w * q / pages;
		fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"10\" fill=\"%s\" "
			"fill-opacity=\"%.2f\"/>\n", x0, y + 1, x1 - x0 > 0.5 ? x1 - x0 : 0.5, color,
			opacity);
		p = q;
	}
}

/* One VMA of the maps text: its row. */
static int draw_vma(FILE *f, vmsim_machine_t *m, int pid, const char *line, int y)
{
	unsigned long start, end, pages, res = 0, cached = 0;
	char perms[8] = "", name[256] = "", buf[400], sz[32];
	unsigned char *vec;
	int w, n = 0;
	const char *color;

	if (sscanf(line, "%lx-%lx %7s %*s %*s %*s%n", &start, &end, perms, &n) < 3 || end <= start)
		return y;
	sscanf(line + n, " %255[^\n]", name);
	pages = (end - start) / VMSIM_PAGE_SIZE;
	/* residency of mappings up to 64 GiB (a byte per page) */
	vec = pages <= (1UL << 24) ? malloc(pages) : NULL;
	if (vec && vmsim_resident(m, pid, start, end - start, vec)) {
		free(vec);
		vec = NULL;
	}
	for (unsigned long p = 0; vec && p < pages; p++) {
		res += (vec[p] & VMSIM_RESIDENT_MAPPED) != 0;
		cached += (vec[p] & (VMSIM_RESIDENT_MAPPED | 1)) == 1;
	}
	w = bar_width(pages);
	/* shared anonymous memory shows as "/dev/zero (deleted)", as Linux's */
	color = strstr(name, "/dev/zero") || strstr(name, "SYSV") || strstr(name, "/dev/shm") ?
		frame_look[VMSIM_FRAME_SHMEM].color : name[0] == '/' ?
		frame_look[VMSIM_FRAME_FILE].color : frame_look[VMSIM_FRAME_ANON].color;
	snprintf(buf, sizeof(buf), "%012lx-%012lx %s %s", start, end, perms, name);
	text_at(f, MARGIN, y + 10, "mono", buf);
	fprintf(f, "<g class=\"vma\" data-start=\"0x%lx\" data-pages=\"%lu\" "
		"data-resident=\"%lu\" data-cached=\"%lu\">\n", start, pages, res, cached);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"12\" fill=\"#f6f6f6\" "
		"stroke=\"%s\"/>\n", BAR_X, y, w, color);
	if (vec) {	/* mapped solid; only in the page or swap cache pale */
		draw_resident(f, vec, pages, VMSIM_RESIDENT_MAPPED, VMSIM_RESIDENT_MAPPED, BAR_X, y,
			      w, color, 1);
		draw_resident(f, vec, pages, VMSIM_RESIDENT_MAPPED | 1, 1, BAR_X, y, w, color,
			      0.35);
	}
	fputs("</g>\n", f);
	snprintf(buf, sizeof(buf), cached ? "%s, %s%lu resident, %lu cached" :
		 "%s, %s%lu resident", human(sz, sizeof(sz), (double)(end - start)),
		 vec ? "" : "? ", res, cached);
	free(vec);
	text_at(f, BAR_X + w + 6, y + 10, "small", buf);
	return y + 16;
}

static int draw_space(FILE *f, vmsim_machine_t *m, const struct vmsim_proc_name *p, int y)
{
	struct vmsim_task_stats ts;
	unsigned long prev_end = 0;
	char buf[256], a[32], b[32];
	char *maps;

	if (p->pid <= 0 || vmsim_task_stats(m, p->pid, &ts))
		return y;
	maps = vmsim_proc_pid_peek(m, p->pid, "maps");
	if (!maps)
		return y;
	snprintf(buf, sizeof(buf), "Process %s (pid %d): %d VMAs, size %s, resident %s%s", p->name,
		 p->pid, ts.nr_vmas, human(a, sizeof(a), (double)ts.vm_pages * VMSIM_PAGE_SIZE),
		 human(b, sizeof(b), (double)ts.rss_pages * VMSIM_PAGE_SIZE),
		 ts.mm_users > 1 ? " (its address space shared with another task)" : "");
	text_at(f, MARGIN, y, "h2", buf);
	y += 8;
	fprintf(f, "<g class=\"space\" data-process=\"%s\" data-pid=\"%d\" data-rss=\"%lu\">\n",
		p->name, p->pid, ts.rss_pages);
	for (char *l = maps; *l; ) {
		char *nl = strchr(l, '\n');
		unsigned long start, end;

		if (nl)
			*nl = 0;
		if (sscanf(l, "%lx-%lx", &start, &end) == 2) {
			if (prev_end && start > prev_end) {
				snprintf(buf, sizeof(buf), "gap of %s",
					 human(a, sizeof(a), (double)(start - prev_end)));
				text_at(f, BAR_X, y + 8, "gap", buf);
				y += 11;
			}
			y = draw_vma(f, m, p->pid, l, y);
			prev_end = end;
		}
		if (!nl)
			break;
		l = nl + 1;
	}
	fputs("</g>\n", f);
	free(maps);
	return y + 16;
}

/* --- the picture ------------------------------------------------------------- */

static const char svg_style[] =
	"<style>text{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;font-size:12px;fill:#222}"
	".h1{font-size:16px;font-weight:bold}.h2{font-size:13px;font-weight:bold}"
	".zone{font-size:11px;fill:#444}.legend{font-size:11px}.small{font-size:10px;fill:#444}"
	".gap{font-size:9px;fill:#888}.mono{font-family:DejaVu Sans Mono,monospace;"
	"font-size:10px}</style>\n";

int plot_picture(FILE *f, vmsim_machine_t *m, unsigned int what, const char *title,
		 const struct vmsim_proc_name *procs, int nr_procs)
{
	char *body = NULL;
	size_t len = 0;
	FILE *bf = open_memstream(&body, &len);
	int y = 28;

	/* the body first: the height is known at its end */
	if (!bf)
		return -1;
	text_at(bf, MARGIN, y, "h1", title);
	y += 24;
	if (what & PLOT_MEMORY)
		y = draw_memory(bf, m, y);
	if (y >= 0 && (what & PLOT_BUDDY))
		y = draw_buddy(bf, m, y);
	for (int i = 0; y >= 0 && (what & PLOT_SPACE) && i < nr_procs; i++)
		y = draw_space(bf, m, &procs[i], y);
	if (fclose(bf) || y < 0) {
		free(body);
		return -1;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/"
		"svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n%s"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		SVG_W, y, SVG_W, y, svg_style);
	fwrite(body, 1, len, f);
	fputs("</svg>\n", f);
	free(body);
	return ferror(f) ? -1 : 0;
}

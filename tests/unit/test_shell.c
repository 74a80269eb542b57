/*
 * The shell's helpers, without a terminal: "did you mean" in the parser's
 * messages (script/suggest.c), `help WORD`'s example for every row of the
 * command table, the completion's candidates (tools/vmsim/shell_complete.c)
 * on a live session, and the history file's round trip and bound
 * (tools/vmsim/shell_history.c).  tests/shell-test.sh drives the shell
 * itself (pipes, and a tmux pane for TAB and Up).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testlib.h"
#include "vmsim/script.h"
#include "../../tools/vmsim/shell.h"

/* @line fails to parse with exactly @msg. */
static void parse_msg(const char *line, const char *msg)
{
	struct vmsim_cmd c;
	char err[256] = "";

	ASSERT_MSG(vmsim_cmd_parse(line, &c, err, sizeof(err)) == -1, "'%s' should fail", line);
	ASSERT_MSG(!strcmp(err, msg), "'%s': message '%s', wanted '%s'", line, err, msg);
}

TEST(shell_did_you_mean)
{
	/* the first word mistyped: the word itself is named, not the next one */
	parse_msg("spwan A", "unknown command 'spwan'; did you mean 'spawn'?");
	parse_msg("spwan", "unknown command 'spwan'; did you mean 'spawn'?");
	parse_msg("shwo meminfo", "unknown command 'shwo'; did you mean 'show'?");
	parse_msg("swapn 16M", "unknown command 'swapn'; did you mean 'swapon'?");
	parse_msg("machien ram=64M", "unknown command 'machien'; did you mean 'machine'?");
	/* a process's command mistyped */
	parse_msg("A mmpa 0 4K rw- private,anon", "unknown command 'mmpa'; did you mean 'mmap'?");
	parse_msg("A frok B", "unknown command 'frok'; did you mean 'fork'?");
	parse_msg("A munlcok 0 4K", "unknown command 'munlcok'; did you mean 'munlock'?");
	/* show forms and machine options */
	parse_msg("show meminf", "show: unknown 'meminf'; did you mean 'meminfo'?");
	parse_msg("show vmstats", "show: unknown 'vmstats'; did you mean 'vmstat'?");
	parse_msg("show A mpas", "show: unknown 'mpas'; did you mean 'maps'?");
	parse_msg("show A pagetabel 0", "show: unknown 'pagetabel'; did you mean 'pagetable'?");
	parse_msg("machine rma=64M", "machine: unknown machine option 'rma'; did you mean 'ram'?");
	parse_msg("machine swapfiel=x", "machine: unknown machine option 'swapfiel'; did you mean "
		  "'swapfile'?");
	/* nothing near: the old messages */
	parse_msg("A frob 1", "unknown command 'frob'");
	parse_msg("frob-nicate x", "unknown command 'frob-nicate'");
	parse_msg("frobnicate", "missing command after 'frobnicate' (mmap, munmap, touch, ...)");
	parse_msg("A", "missing command after 'A' (mmap, munmap, touch, ...)");
	parse_msg("A xyzzy", "unknown command 'xyzzy'");
	parse_msg("machine bogus=1", "machine: unknown machine option 'bogus'");

	ASSERT_STREQ(vmsim_cmd_suggest("mlokc"), "mlock");
	ASSERT_STREQ(vmsim_cmd_suggest("Spawn"), "spawn");
	ASSERT_STREQ(vmsim_cmd_suggest("exti"), "exit");
	ASSERT_NULL(vmsim_cmd_suggest("mmap"));	/* a command is no typo */
	ASSERT_NULL(vmsim_cmd_suggest("x"));
	ASSERT_NULL(vmsim_cmd_suggest("zzzzzzzz"));
	ASSERT_NULL(vmsim_cmd_suggest(NULL));
	ASSERT_STREQ(vmsim_option_suggest("swpa"), "swap");
	ASSERT_STREQ(vmsim_option_suggest("rot"), "root");
	ASSERT_STREQ(vmsim_option_suggest("dirty_ration"), "dirty_ratio");
	ASSERT_NULL(vmsim_option_suggest("ram"));
	ASSERT_NULL(vmsim_option_suggest("zzzz"));
	{
		static const char *const words[] = { "alpha", "beta", "gamma", NULL };

		ASSERT_STREQ(vmsim_suggest("bta", words), "beta");
		ASSERT_STREQ(vmsim_suggest("gmama", words), "gamma");
		ASSERT_NULL(vmsim_suggest("omega", words));
		ASSERT_NULL(vmsim_suggest("beta", words));
	}
}

/* `help WORD` for every row: its usage, summary and a non-empty example. */
TEST(shell_help_examples)
{
	const struct vmsim_cmd_def *d;
	int n = 0;

	for (int i = 0; (d = vmsim_cmd_at(i)); i++, n++) {
		char *text = NULL, want[512];
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		const char *first_words;

		ASSERT_NOT_NULL(f);
		vmsim_cmd_print_help(d, f);
		fclose(f);
		ASSERT_MSG(d->example && d->example[0], "the row of '%s' has no example", d->word);
		ASSERT_MSG(d->summary && d->summary[0], "the row of '%s' has no summary", d->word);
		snprintf(want, sizeof(want), "\nExample:\n  %s\n", d->example);
		ASSERT_MSG(strstr(text, want), "help %s lacks its example: %s", d->word, text);
		ASSERT_MSG(!strncmp(text, "usage:\n  ", 9), "help %s: %s", d->word, text);
		/* the example uses the command it illustrates */
		first_words = d->per_process ? strchr(d->example, ' ') + 1 : d->example;
		ASSERT_MSG(!strncmp(first_words, d->word, strlen(d->word)) &&
			   (first_words[strlen(d->word)] == ' ' || !first_words[strlen(d->word)]),
			   "the example of '%s' is '%s'", d->word, d->example);
		free(text);
	}
	ASSERT_CMP(n, >=, 33);
}

/* The candidates at the end of @line, sorted, joined with blanks. */
static char *candidates(struct vmsim_session *s, const char *line)
{
	struct shell_words w = { 0 };
	size_t len = 1;
	char *out;

	shell_complete(s, line, strlen(line), shell_words_add, &w);
	shell_words_sort(&w);
	for (int i = 0; i < w.n; i++)
		len += strlen(w.v[i]) + 1;
	out = calloc(1, len);
	ASSERT_NOT_NULL(out);
	for (int i = 0; i < w.n; i++) {
		strcat(out, w.v[i]);
		if (i + 1 < w.n)
			strcat(out, " ");
	}
	shell_words_free(&w);
	return out;
}

static void want_cands(struct vmsim_session *s, const char *line, const char *want)
{
	char *got = candidates(s, line);

	ASSERT_MSG(!strcmp(got, want), "'%s' completes to '%s', wanted '%s'", line, got, want);
	free(got);
}

static void want_cand(struct vmsim_session *s, const char *line, const char *word)
{
	char *got = candidates(s, line), pad[512], padw[128];

	snprintf(pad, sizeof(pad), " %s ", got);
	snprintf(padw, sizeof(padw), " %s ", word);
	ASSERT_MSG(strstr(pad, padw), "'%s' completes to '%s', without '%s'", line, got, word);
	free(got);
}

static void no_cand(struct vmsim_session *s, const char *line, const char *word)
{
	char *got = candidates(s, line), pad[4096], padw[128];

	snprintf(pad, sizeof(pad), " %s ", got);
	snprintf(padw, sizeof(padw), " %s ", word);
	ASSERT_MSG(!strstr(pad, padw), "'%s' completes to '%s', with '%s'", line, got, word);
	free(got);
}

static void quiet_out(struct vmsim_session *s, const char *text)
{
	(void)s;
	(void)text;
}

TEST(shell_complete_words)
{
	static const struct vmsim_session_ops ops = { .out = quiet_out };
	static const char script[] = "spawn alpha\nspawn beta\nspawn gone\ngone exit\n";
	struct vmsim_session s;

	vmsim_session_init(&s, "test", &ops, NULL);
	/* before boot: commands, no process */
	want_cands(&s, "sp", "spawn");
	want_cands(&s, "  sw", "swapoff swapon");
	want_cands(&s, "h", "help history");
	no_cand(&s, "", "alpha");
	ASSERT_EQ(vmsim_session_run_text(&s, script, strlen(script)), VMSIM_RUN_OK);

	/* the first word: commands without a process, live processes, the shell's words */
	want_cand(&s, "", "machine");
	want_cand(&s, "", "alpha");
	want_cand(&s, "", "beta");
	want_cand(&s, "", "quit");
	no_cand(&s, "", "gone");	/* exited */
	no_cand(&s, "", "mmap");	/* written after a process */
	want_cands(&s, "al", "alpha");
	/* after a process: its commands only */
	want_cands(&s, "alpha mm", "mmap");
	want_cands(&s, "alpha mun", "munlock munlockall munmap");
	no_cand(&s, "alpha ", "spawn");
	want_cands(&s, "alpha madvise 0x1000 4K ", "dontneed normal random sequential willneed");
	want_cands(&s, "alpha touch 0 4K ", "random= read stride= write");
	want_cands(&s, "alpha touch 0 4K write s", "stride=");
	want_cands(&s, "alpha touch 0 4K random=8 s", "seed=");
	want_cands(&s, "alpha mlockall ", "current current,future");
	want_cands(&s, "alpha msync 0 4K a", "async");
	want_cands(&s, "alpha trace t.lackey l", "lackey");
	want_cands(&s, "alpha trace t.lackey lackey m", "map=auto map=none");
	want_cands(&s, "alpha fork ", "");	/* a new name: nothing to offer */
	/* show: the machine's forms, processes, K; then a process's forms */
	want_cands(&s, "show me", "meminfo");
	want_cand(&s, "show ", "events");
	want_cand(&s, "show ", "tlb");
	want_cand(&s, "show ", "beta");
	want_cand(&s, "show ", "K");
	/* (each, not the exact list: a new form of the table joins it) */
	want_cand(&s, "show alpha ", "maps");
	want_cand(&s, "show alpha ", "smaps");
	want_cand(&s, "show alpha ", "status");
	want_cand(&s, "show alpha ", "pagetable");
	no_cand(&s, "show alpha ", "meminfo");
	no_cand(&s, "show alpha ", "alpha");
	want_cands(&s, "show K ", "pagetable");
	want_cands(&s, "show alpha maps ", "");
	/* machine options and their values */
	want_cands(&s, "machine r", "ram= reclaim= root=");
	want_cands(&s, "machine ram=64M pa", "page_cluster= paging=");
	want_cands(&s, "machine paging=", "paging=i386 paging=pae paging=x86_64");
	want_cands(&s, "machine pcp=o", "pcp=off pcp=on");
	want_cands(&s, "machine seed=", "");
	want_cand(&s, "machine reclaim=", "reclaim=2.4.10");
	want_cand(&s, "machine reclaim=", "reclaim=2.4.0");
	want_cand(&s, "machine reclaim=", "reclaim=plugin:");
	want_cands(&s, "machine fault_around_bytes=", "");
	/* help, events, signals, the kernel context */
	want_cands(&s, "help mu", "munlock munlockall munmap");
	want_cands(&s, "help his", "history");
	want_cand(&s, "events kmem:mm_page_a", "kmem:mm_page_alloc");
	want_cand(&s, "events kmem:*,tl", "kmem:*,tlb:*");
	want_cand(&s, "expect alpha killed SIGS", "SIGSEGV");
	want_cands(&s, "expect alpha a", "alive");
	want_cand(&s, "K km", "kmalloc");
	want_cand(&s, "K km", "kmem_cache_create");
	want_cands(&s, "K kmalloc 100 kernel a", "as");
	want_cands(&s, "explain o", "off on");
	/* comments and quoted text offer nothing */
	want_cands(&s, "# sp", "");
	vmsim_session_fini(&s);
}

TEST(shell_complete_files)
{
	static const struct vmsim_session_ops ops = { .out = quiet_out };
	struct vmsim_session s;
	char dir[] = "/tmp/vmsim-shell.XXXXXX", path[128], line[256];

	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/prog.lackey", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/sub", dir);
	ASSERT_EQ(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/.hidden", dir);
	fclose(fopen(path, "w"));

	vmsim_session_init(&s, "test", &ops, NULL);
	/* FILE (trace): host paths */
	snprintf(line, sizeof(line), "A trace %s/", dir);
	{
		char want[512];

		snprintf(want, sizeof(want), "%s/prog.lackey %s/sub/", dir, dir);
		want_cands(&s, line, want);
		snprintf(line, sizeof(line), "machine swapfile=%s/p", dir);
		snprintf(want, sizeof(want), "swapfile=%s/prog.lackey", dir);
		want_cands(&s, line, want);
	}
	/* PATH (exec, open): under the machine's root=, absolute paths too */
	snprintf(line, sizeof(line), "machine root=%s", dir);
	ASSERT_EQ(vmsim_session_run_text(&s, line, strlen(line)), VMSIM_RUN_OK);
	ASSERT_EQ(vmsim_session_run_text(&s, "spawn A\n", 8), VMSIM_RUN_OK);
	want_cands(&s, "A open p", "prog.lackey");
	want_cands(&s, "A exec /s", "/sub/");
	want_cands(&s, "A open .h", ".hidden");
	vmsim_session_fini(&s);
	snprintf(line, sizeof(line), "rm -rf %s", dir);
	ASSERT_EQ(system(line), 0);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 4096);

	ASSERT_NOT_NULL(f);
	ASSERT_NOT_NULL(buf);
	ASSERT_CMP(fread(buf, 1, 4095, f), <, 4095);
	fclose(f);
	return buf;
}

TEST(shell_history_round_trip)
{
	char dir[] = "/tmp/vmsim-hist.XXXXXX", path[128];
	struct shell_history h;
	char *text;

	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/history", dir);
	/* a missing file is an empty history */
	shell_history_open(&h, strdup(path), 4, false);
	ASSERT_EQ(h.n, 0);
	shell_history_add(&h, "spawn A");
	shell_history_add(&h, "spawn A");	/* again: kept once */
	shell_history_add(&h, "   ");		/* blank: not kept */
	shell_history_add(&h, "A mmap 0 64K rw- private,anon");
	shell_history_close(&h);
	text = read_all(path);
	ASSERT_STREQ(text, "spawn A\nA mmap 0 64K rw- private,anon\n");
	free(text);

	/* the next session starts with them and goes on; the oldest go past the bound */
	shell_history_open(&h, strdup(path), 4, false);
	ASSERT_EQ(h.n, 2);
	ASSERT_STREQ(h.lines[1], "A mmap 0 64K rw- private,anon");
	shell_history_add(&h, "show A maps");
	shell_history_add(&h, "A touch 0x1000 4K");
	shell_history_add(&h, "show meminfo");
	shell_history_close(&h);
	text = read_all(path);
	ASSERT_STREQ(text, "A mmap 0 64K rw- private,anon\nshow A maps\nA touch 0x1000 4K\n"
		     "show meminfo\n");
	free(text);

	/* a longer file than the bound keeps its last lines */
	shell_history_open(&h, strdup(path), 2, false);
	ASSERT_EQ(h.n, 2);
	ASSERT_STREQ(h.lines[0], "A touch 0x1000 4K");
	{
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		shell_history_print(&h, f);
		fclose(f);
		ASSERT_STREQ(out, "    1  A touch 0x1000 4K\n    2  show meminfo\n");
		free(out);
	}
	shell_history_close(&h);

	/* where: VMSIM_HISTORY, empty for none, --no-history; else ~ on a terminal */
	setenv("VMSIM_HISTORY", path, 1);
	text = shell_history_path(false, false);
	ASSERT_STREQ(text, path);
	free(text);
	ASSERT_NULL(shell_history_path(true, true));
	setenv("VMSIM_HISTORY", "", 1);
	ASSERT_NULL(shell_history_path(true, false));
	unsetenv("VMSIM_HISTORY");
	ASSERT_NULL(shell_history_path(false, false));	/* a pipe keeps none by default */
	{
		char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

		setenv("HOME", dir, 1);
		text = shell_history_path(true, false);
		if (home)
			setenv("HOME", home, 1);
		else
			unsetenv("HOME");
		free(home);
	}
	snprintf(path, sizeof(path), "%s/.vmsim_history", dir);
	ASSERT_STREQ(text, path);
	free(text);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	ASSERT_EQ(system(path), 0);
}

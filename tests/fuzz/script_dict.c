/*
 * Prints the fuzzers' dictionary (libFuzzer -dict format) from the command
 * table and the language's value names, so a new command reaches the
 * fuzzers without a hand-kept list: `make fuzz` and `make fuzz-run` write
 * it to build/fuzz/script.dict.
 */
#include <stdio.h>
#include "vmsim/script.h"

static void entry(const char *kind, int i, const char *word)
{
	printf("%s_%d=\"%s\"\n", kind, i, word);
}

int main(void)
{
	static const char *const words[] = {
		"A", "B", "=", "LASTRESULT", "alive", "killed", "SIGSEGV", "SIGBUS", "SIGKILL",
		"SEGV_MAPERR", "SEGV_ACCERR", "BUS_ADRERR", "private,anon", "shared", "fixed",
		"maymove", "rw-", "r--", "---", "read", "write", "stride=", "random=", "seed=",
		"pattern=", "len=", "map=none", "rdwr,creat", "0x10000000", "4K", "1M", "\\\"",
	};

	for (int i = 0; vmsim_cmd_at(i); i++)
		entry("cmd", i, vmsim_cmd_at(i)->word);
	for (int i = 0; i <= VMSIM_SHOW_PAGE; i++)
		entry("show", i, vmsim_show_name((enum vmsim_show)i));
	for (int i = 0; i < VMSIM_TRACE_NR_FORMATS; i++)
		entry("trace", i, vmsim_trace_format_name((enum vmsim_trace_format)i));
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		entry("word", (int)i, words[i]);
	return 0;
}

/*
 * "Did you mean": the nearest of a set of known words to a word that is
 * none of them, for the parser's messages (an unknown command, show form
 * or machine option) and the shell's `help WORD`.  Nearness is the
 * optimal-string-alignment distance (insertions, deletions, substitutions
 * and swaps of neighbours, one each: "spwan" is one from "spawn"); a word
 * is suggested only when it is close for the typed word's length (one edit
 * up to four letters, two past that) and shares more than it changes, so
 * "A" suggests nothing and "frobnicate" neither.
 */
#include <stdio.h>
#include <string.h>
#include "internal.h"

#define SUGGEST_LEN	48	/* longer words are never typos of ours */

/* The OSA distance of @a and @b, or SUGGEST_LEN when either is too long. */
int script_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[SUGGEST_LEN + 1][SUGGEST_LEN + 1];

	if (la > SUGGEST_LEN || lb > SUGGEST_LEN)
		return SUGGEST_LEN;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

void script_suggest_init(struct script_suggest *sg, const char *word)
{
	size_t n = strlen(word);

	sg->word = word;
	sg->best = NULL;
	/* one edit for short words, two for longer; always fewer than the word's letters */
	sg->dist = (n <= 4 ? 1 : 2) + 1;
	if ((size_t)sg->dist > n)
		sg->dist = (int)n;
}

/* Offer @cand: kept when nearer than every earlier one (ties: the first). */
void script_suggest_try(struct script_suggest *sg, const char *cand)
{
	int d;

	if (!cand || !strcmp(cand, sg->word))
		return;
	d = script_edit_distance(sg->word, cand);
	if (d < sg->dist) {
		sg->dist = d;
		sg->best = cand;
	}
}

/* "; did you mean 'WORD'?" for a message, or "" when nothing is near. */
const char *script_suggest_text(const struct script_suggest *sg, char *buf, size_t len)
{
	if (!sg->best)
		return "";
	snprintf(buf, len, "; did you mean '%s'?", sg->best);
	return buf;
}

/* The command word nearest to @word (@per_process: 1 only `A word` ones, 0 the others, -1 all). */
const char *script_suggest_cmd(const char *word, int per_process)
{
	struct script_suggest sg;
	const struct vmsim_cmd_def *d;

	script_suggest_init(&sg, word);
	for (int i = 0; (d = vmsim_cmd_at(i)); i++)
		if (per_process < 0 || d->per_process == (per_process == 1))
			script_suggest_try(&sg, d->word);
	return sg.best;
}

const char *vmsim_cmd_suggest(const char *word)
{
	return word ? script_suggest_cmd(word, -1) : NULL;
}

const char *vmsim_suggest(const char *word, const char *const *words)
{
	struct script_suggest sg;

	if (!word || !words)
		return NULL;
	script_suggest_init(&sg, word);
	for (int i = 0; words[i]; i++)
		script_suggest_try(&sg, words[i]);
	return sg.best;
}

const char *vmsim_option_suggest(const char *key)
{
	struct script_suggest sg;
	const char *k, *values;

	if (!key)
		return NULL;
	script_suggest_init(&sg, key);
	script_suggest_try(&sg, "root");	/* the session's own (script/cmd_machine.c) */
	for (unsigned int i = 0; !vmsim_config_option(i, &k, &values); i++) {
		if (!strcmp(k, key))
			return NULL;
		script_suggest_try(&sg, k);
	}
	return sg.best;
}

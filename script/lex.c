/*
 * The script language's lexer (docs/script.md): a line is split into words;
 * a "quoted string" with C escapes is one word, # outside quotes starts a
 * comment.  Every error names what was wrong; no input makes it read out of
 * bounds or leak (fuzzed by tests/fuzz/fuzz_script.c).
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

void script_words_free(struct vmsim_words *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->w[i].val);
	l->n = 0;
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* A "quoted" word starting at s[*i] (the quote): resolve escapes. */
static int lex_quoted(const char *s, size_t len, size_t *i, struct word *w,
		      char *err, size_t errlen)
{
	size_t j = *i + 1, n = 0;
	char *v = malloc(len - *i + 1);

	if (!v) {
		script_seterr(err, errlen, "out of memory");
		return -1;
	}
	for (;;) {
		if (j >= len) {
			script_seterr(err, errlen, "unterminated string (no closing \")");
			goto fail;
		}
		unsigned char c = (unsigned char)s[j];
		if (c == '"') {
			j++;
			break;
		}
		if (c < 0x20 && c != '\t') {
			script_seterr(err, errlen, "control character 0x%02x in string", c);
			goto fail;
		}
		if (c != '\\') {
			v[n++] = (char)c;
			j++;
			continue;
		}
		if (j + 1 >= len) {
			script_seterr(err, errlen, "unterminated string (no closing \")");
			goto fail;
		}
		c = (unsigned char)s[j + 1];
		j += 2;
		switch (c) {
		case 'n': v[n++] = '\n'; break;
		case 't': v[n++] = '\t'; break;
		case 'r': v[n++] = '\r'; break;
		case '0': v[n++] = '\0'; break;
		case '\\': v[n++] = '\\'; break;
		case '"': v[n++] = '"'; break;
		case 'x': {
			int h = j < len ? vmsim_hex_digit((unsigned char)s[j]) : -1;
			int l = j + 1 < len ? vmsim_hex_digit((unsigned char)s[j + 1]) : -1;
			if (h < 0 || l < 0) {
				script_seterr(err, errlen, "\\x needs two hex digits");
				goto fail;
			}
			v[n++] = (char)(h * 16 + l);
			j += 2;
			break;
		}
		default:
			if (c >= 0x20 && c < 0x7f)
				script_seterr(err, errlen, "unknown escape \\%c in string", c);
			else
				script_seterr(err, errlen, "unknown escape in string");
			goto fail;
		}
	}
	if (j < len && !is_blank(s[j]) && s[j] != '#') {
		script_seterr(err, errlen, "text right after a closing quote");
		goto fail;
	}
	v[n] = 0;
	w->raw = s + *i;
	w->raw_len = j - *i;
	w->val = v;
	w->val_len = n;
	w->quoted = true;
	*i = j;
	return 0;
fail:
	free(v);
	return -1;
}

/* Split @s (len bytes, no newline) into words; # outside quotes ends the line. */
int script_lex(const char *s, size_t len, struct vmsim_words *l, char *err, size_t errlen)
{
	size_t i = 0;

	l->n = 0;
	while (len > 0 && s[len - 1] == '\r')	/* CRLF files */
		len--;
	if (len > VMSIM_LINE_MAX) {
		script_seterr(err, errlen, "line too long (over %d characters)", VMSIM_LINE_MAX);
		return -1;
	}
	for (;;) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i >= len || s[i] == '#')
			return 0;
		if (l->n == MAX_WORDS) {
			script_seterr(err, errlen, "too many words (at most %d)", MAX_WORDS);
			goto fail;
		}
		struct word *w = &l->w[l->n];
		if (s[i] == '"') {
			if (lex_quoted(s, len, &i, w, err, errlen))
				goto fail;
			l->n++;
			continue;
		}
		size_t start = i;
		while (i < len && !is_blank(s[i]) && s[i] != '#') {
			unsigned char c = (unsigned char)s[i];
			if (c < 0x20 || c == 0x7f) {
				script_seterr(err, errlen, "control character 0x%02x", c);
				goto fail;
			}
			if (c == '"') {
				script_seterr(err, errlen, "quote in the middle of a word");
				goto fail;
			}
			i++;
		}
		w->raw = s + start;
		w->raw_len = i - start;
		w->val = strndup(s + start, i - start);
		if (!w->val) {
			script_seterr(err, errlen, "out of memory");
			goto fail;
		}
		w->val_len = i - start;
		w->quoted = false;
		l->n++;
	}
fail:
	script_words_free(l);
	return -1;
}

char *script_join_words(const struct vmsim_words *l)
{
	size_t n = 1;
	char *s, *p;

	for (int i = 0; i < l->n; i++)
		n += l->w[i].raw_len + 1;
	s = malloc(n);
	if (!s)
		return NULL;
	p = s;
	for (int i = 0; i < l->n; i++) {
		if (i)
			*p++ = ' ';
		memcpy(p, l->w[i].raw, l->w[i].raw_len);
		p += l->w[i].raw_len;
	}
	*p = 0;
	return s;
}

/*
 * jsoncheck: a strict JSON (RFC 8259) validator for the tests of vmsim's
 * documents (tests/json-test.sh, docs/json.md).  Written here rather than
 * relying on python3 or jq: neither is certain on a CI image, and this one
 * also rejects what a lax reader lets through (bad UTF-8, lone surrogates,
 * leading zeros, trailing commas, duplicate keys in one object).
 *
 *   jsoncheck [-l] [-k | -v] [FILE]    (standard input without FILE)
 *
 * Exit 0 if FILE is one JSON document (-l: every non-empty line is one),
 * 1 with "FILE:OFFSET: why" on standard error otherwise.  -k prints the
 * path of every key, one a line (a.b for a key b of the object a, a[].c
 * inside arrays); -v prints every scalar as "PATH<TAB>TOKEN" with array
 * indexes (a[0].c) and the token as written (strings with their quotes).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KEYS = 1, VALUES = 2 };

struct jc {
	const unsigned char *p, *start;
	const char *why;
	int mode;
	char path[4096];
};

static bool fail(struct jc *j, const char *why)
{
	if (!j->why)
		j->why = why;
	return false;
}

static void ws(struct jc *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

/* One UTF-8 sequence at j->p (RFC 3629), advanced past it. */
static bool utf8(struct jc *j)
{
	const unsigned char *p = j->p;
	int n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	unsigned char lo = p[0] == 0xe0 ? 0xa0 : p[0] == 0xf0 ? 0x90 : 0x80;
	unsigned char hi = p[0] == 0xed ? 0x9f : p[0] == 0xf4 ? 0x8f : 0xbf;

	if (p[0] < 0xc2 || p[0] > 0xf4 || p[1] < lo || p[1] > hi)
		return fail(j, "bad UTF-8");
	for (int i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return fail(j, "bad UTF-8");
	j->p += n;
	return true;
}

static int hex4(const unsigned char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* A string at j->p (its quote); its raw text (escapes kept) in @out if given. */
static bool string(struct jc *j, char *out, size_t outlen)
{
	const unsigned char *s = ++j->p;

	while (*j->p != '"') {
		if (*j->p < 0x20)
			return fail(j, *j->p ? "control byte in a string" : "unterminated string");
		if (*j->p >= 0x80) {
			if (!utf8(j))
				return false;
			continue;
		}
		if (*j->p++ != '\\')
			continue;
		if (*j->p == 'u') {
			int u = hex4(j->p + 1);

			if (u < 0)
				return fail(j, "bad \\u escape");
			j->p += 5;
			if (u >= 0xdc00 && u <= 0xdfff)
				return fail(j, "lone low surrogate");
			if (u >= 0xd800 && u <= 0xdbff) {
				int l = j->p[0] == '\\' && j->p[1] == 'u' ? hex4(j->p + 2) : -1;
				if (l < 0xdc00 || l > 0xdfff)
					return fail(j, "lone high surrogate");
				j->p += 6;
			}
		} else if (*j->p && strchr("\"\\/bfnrt", *j->p)) {
			j->p++;
		} else {
			return fail(j, "bad escape");
		}
	}
	if (out)
		snprintf(out, outlen, "%.*s", (int)(j->p - s), (const char *)s);
	j->p++;
	return true;
}

static bool number(struct jc *j)
{
	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (*j->p >= '1' && *j->p <= '9')
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	else
		return fail(j, "bad number");
	if (*j->p == '.') {
		j->p++;
		if (*j->p < '0' || *j->p > '9')
			return fail(j, "bad fraction");
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (*j->p < '0' || *j->p > '9')
			return fail(j, "bad exponent");
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return true;
}

static bool value(struct jc *j, int depth);

/* Members of an object; each key's path printed (-k) and checked unique. */
static bool object(struct jc *j, int depth)
{
	size_t base = strlen(j->path), nkeys = 0, cap = 0;
	char **keys = NULL;
	bool ok = true;

	j->p++;
	ws(j);
	if (*j->p == '}') {
		j->p++;
		return true;
	}
	for (;;) {
		char key[1024];

		ws(j);
		if (*j->p != '"' || !string(j, key, sizeof(key))) {
			ok = fail(j, "expected a key");
			break;
		}
		for (size_t i = 0; i < nkeys; i++)
			if (!strcmp(keys[i], key))
				ok = fail(j, "duplicate key");
		if (!ok)
			break;
		if (nkeys == cap) {
			cap = cap ? cap * 2 : 16;
			keys = realloc(keys, cap * sizeof(*keys));
			if (!keys)
				return fail(j, "out of memory");
		}
		keys[nkeys++] = strdup(key);
		snprintf(j->path + base, sizeof(j->path) - base, "%s%s", base ? "." : "", key);
		if (j->mode == KEYS)
			printf("%s\n", j->path);
		ws(j);
		if (*j->p++ != ':') {
			ok = fail(j, "expected ':'");
			break;
		}
		if (!value(j, depth + 1)) {
			ok = false;
			break;
		}
		j->path[base] = '\0';
		ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ != '}')
			ok = fail(j, "expected ',' or '}'");
		break;
	}
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	j->path[base] = '\0';
	return ok;
}

static bool array(struct jc *j, int depth)
{
	size_t base = strlen(j->path);

	j->p++;
	ws(j);
	if (*j->p == ']') {
		j->p++;
		return true;
	}
	for (long i = 0;; i++) {
		if (j->mode == VALUES)
			snprintf(j->path + base, sizeof(j->path) - base, "[%ld]", i);
		else
			snprintf(j->path + base, sizeof(j->path) - base, "[]");
		if (!value(j, depth + 1))
			return false;
		j->path[base] = '\0';
		ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ != ']')
			return fail(j, "expected ',' or ']'");
		return true;
	}
}

static bool value(struct jc *j, int depth)
{
	const unsigned char *tok;
	bool ok;

	if (depth > 200)
		return fail(j, "nested too deep");
	ws(j);
	tok = j->p;
	if (*j->p == '{')
		return object(j, depth);
	if (*j->p == '[')
		return array(j, depth);
	if (*j->p == '"')
		ok = string(j, NULL, 0);
	else if (!strncmp((const char *)j->p, "true", 4) || !strncmp((const char *)j->p, "null", 4))
		ok = (j->p += 4, true);
	else if (!strncmp((const char *)j->p, "false", 5))
		ok = (j->p += 5, true);
	else
		ok = number(j);
	if (ok && j->mode == VALUES)
		printf("%s\t%.*s\n", j->path, (int)(j->p - tok), (const char *)tok);
	return ok;
}

/* One document in [p, NUL): true, or false with j->why and j->p at the fault. */
static bool document(struct jc *j, const unsigned char *p)
{
	j->p = p;
	j->why = NULL;
	j->path[0] = '\0';
	if (!value(j, 0))
		return false;
	ws(j);
	return *j->p ? fail(j, "text after the document") : true;
}

int main(int argc, char **argv)
{
	struct jc j = { 0 };
	bool lines = false;
	const char *name = "<stdin>";
	FILE *f = stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-l"))
			lines = true;
		else if (!strcmp(argv[i], "-k"))
			j.mode = KEYS;
		else if (!strcmp(argv[i], "-v"))
			j.mode = VALUES;
		else {
			fprintf(stderr, "usage: jsoncheck [-l] [-k|-v] [FILE]\n");
			return 2;
		}
	}
	if (i < argc && !(f = fopen(name = argv[i], "rb"))) {
		perror(name);
		return 2;
	}
	do {
		if (len + 65536 + 1 > cap && !(buf = realloc(buf, cap = 2 * cap + 65536 + 1)))
			return 2;
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	buf[len] = '\0';
	if (strlen(buf) != len) {
		fprintf(stderr, "%s: a NUL byte\n", name);
		return 1;
	}
	j.start = (const unsigned char *)buf;
	for (char *line = buf, *next; line; line = next) {
		next = lines ? strchr(line, '\n') : NULL;
		if (next)
			*next++ = '\0';
		if (lines && !line[strspn(line, " \t\r")])
			continue;
		if (!document(&j, (const unsigned char *)line)) {
			fprintf(stderr, "%s:%ld: %s\n", name, (long)(j.p - j.start), j.why);
			return 1;
		}
	}
	free(buf);
	return 0;
}

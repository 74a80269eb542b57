#!/bin/sh
# What libvmsim.so offers an embedder (docs/architecture.md, "The library's
# exports"): its SONAME is libvmsim.so.0 and libvmsim.so links to it; it exports
# vmsim_* symbols and nothing else (nm -D); every function the public headers
# declare is among them (a declaration without VMSIM_API would be hidden); each
# is defined in api/ or script/, as is every global vmsim_* symbol of the
# library, exported or not; and a program using only the public API, with
# its own alloc_pages, printk, kmalloc and find_vma, links against it and runs
# (tests/embed/embed.c).
# Ends with "exports-test: N passed, N failed".
#
#   CC=gcc sh tests/exports-test.sh BUILD-DIR      (after make BUILD-DIR/libvmsim.so)
set -u
build=${1:-build}
CC=${CC:-cc}
so=$build/libvmsim.so
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmsim-exports.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

check() {
	if [ "$2" = ok ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $1: $2"
		fail=$((fail + 1))
	fi
}

if [ ! -f "$so" ]; then
	echo "exports-test: no $so (build it first)" >&2
	exit 2
fi

# The SONAME and the development link.
r=ok
[ "$(readlink "$so")" = libvmsim.so.0 ] || r="$so is not a link to libvmsim.so.0"
[ -f "$build/libvmsim.so.0" ] || r="no $build/libvmsim.so.0"
check symlink "$r"
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$soname" = libvmsim.so.0 ] && r=ok || r="readelf -d shows SONAME '$soname'"
check soname "$r"

# Exported definitions: vmsim_* only.
nm -D --defined-only "$so" | awk '{ print $NF }' | sort >"$tmp/exported"
[ -s "$tmp/exported" ] && r=ok || r="nm -D shows no exported symbol"
check some-exports "$r"
grep -v '^vmsim_' "$tmp/exported" >"$tmp/foreign"
n=$(wc -l <"$tmp/foreign")
[ "$n" -eq 0 ] && r=ok || r="$n exported symbols not named vmsim_*: $(head -8 "$tmp/foreign" | tr '\n' ' ')"
check only-vmsim "$r"

# Every function the public headers declare is exported (the declarations start
# at the beginning of a line; static inline helpers are not functions of the .so).
cat include/vmsim/*.h | grep -v '^static' |
	sed -n 's/^[A-Za-z_].*[^a-z0-9_]\(vmsim_[a-z0-9_]*\)[ \t]*(.*/\1/p' | sort -u >"$tmp/declared"
[ "$(wc -l <"$tmp/declared")" -gt 50 ] && r=ok || r="found too few declarations in include/vmsim"
check declarations-found "$r"
comm -23 "$tmp/declared" "$tmp/exported" >"$tmp/hidden"
n=$(wc -l <"$tmp/hidden")
[ "$n" -eq 0 ] && r=ok || r="$n declared but not exported (VMSIM_API missing?): $(head -8 "$tmp/hidden" | tr '\n' ' ')"
check declared-exported "$r"

# Each export is defined in the API layer (api/) or the script language (script/),
# nowhere else (docs/architecture.md: the layers).
find "$build/obj/api" "$build/obj/script" -name '*.o' | xargs nm -P --defined-only |
	awk '$2 ~ /^[TDBR]$/ { print $1 }' | sort -u >"$tmp/api-defs"
comm -23 "$tmp/exported" "$tmp/api-defs" >"$tmp/elsewhere"
n=$(wc -l <"$tmp/elsewhere")
[ "$n" -eq 0 ] && r=ok || r="$n exports defined outside api/ and script/: $(head -8 "$tmp/elsewhere" | tr '\n' ' ')"
check defined-in-api "$r"

# The vmsim_ prefix is the API's: no global symbol of the library named vmsim_* is
# defined outside api/ and script/, exported or not (a kernel helper so named would
# read as API, and a later VMSIM_API on it would export the kernel).
find "$build/obj" -name '*.o' | grep -vE "^$build/obj/(api|script|tools|tests|bench)/" |
	xargs nm -A -P --defined-only | awk '$2 ~ /^vmsim_/ && $3 ~ /^[TDBRCGSVW]$/ { print $1, $2 }' \
	>"$tmp/prefixed"
n=$(wc -l <"$tmp/prefixed")
[ "$n" -eq 0 ] && r=ok || r="$n vmsim_* symbols defined outside api/ and script/: $(head -4 "$tmp/prefixed" | tr '\n' ' ')"
check prefix-is-api "$r"

# An embedder linked against the shared library.
if $CC -std=gnu11 -Wall -Werror -Iinclude tests/embed/embed.c -o "$tmp/embed" \
	-L"$build" -lvmsim -Wl,-rpath,"$(cd "$build" && pwd)" -pthread -lm 2>"$tmp/cc"; then
	out=$("$tmp/embed" 2>&1)
	[ "$out" = "embed: ok" ] && r=ok || r="the embedder said: $out"
else
	r="cannot build the embedder: $(head -5 "$tmp/cc")"
fi
check embed "$r"

echo "exports-test: $pass passed, $fail failed"
[ $fail = 0 ]

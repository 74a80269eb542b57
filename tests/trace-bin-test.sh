#!/bin/sh
# vmsim's binary traces (docs/trace-format.md) through the command:
# trace-convert round trips (text -> binary -> text byte for byte on
# tests/data's trace and the scenarios' traces), the binary replaying to the
# text's report (also gzip'd, zstd and through a pipe) and mrc's CSV,
# truncated and corrupt binaries refused with a message (trace: status 2 as
# any unreadable trace; trace-convert: 1), a newer version named; and
# `vmsim record` with valgrind (skipped when absent): /bin/true recorded
# with no text file left anywhere, round trip, replay, --replay, and the
# message when valgrind is missing.  Ends with "trace-bin-test: N passed,
# N failed".
#
#   VMSIM=build/asan/vmsim sh tests/trace-bin-test.sh
set -u
VMSIM=${VMSIM:-build/vmsim}
top=$(cd "$(dirname "$0")/.." && pwd)
case $VMSIM in /*) ;; *) VMSIM=$(pwd)/$VMSIM ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmsim-tbin.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# The replay's output with the trace's name made the same.
norm() { sed "s|${2:-@@}|T|g; s/^trace [^:]*:/trace T:/" "$1"; }

# Round trips and replays of each text trace.
gzip -dc "$top/tests/data/python-pages.txt.gz" >"$tmp/python.pages"
for f in "$tmp/python.pages" "$top"/tests/scenarios/*.lackey "$top"/tests/scenarios/*.din; do
	n=$(basename "$f")
	"$VMSIM" trace-convert -q "$f" "$tmp/b.vmt" && "$VMSIM" trace-convert -q "$tmp/b.vmt" "$tmp/back" &&
		cmp -s "$f" "$tmp/back" && ok || bad "$n: text -> binary -> text differs"
	[ "$(stat -c %s "$tmp/b.vmt")" -lt "$(stat -c %s "$f")" ] || [ "$n" = 0401-trace-din.din ] &&
		ok || bad "$n: the binary is not smaller"
	"$VMSIM" trace-convert -q - - <"$tmp/b.vmt" | cmp -s - "$f" && ok || bad "$n: through pipes"
	if [ "$n" = python.pages ]; then
		"$VMSIM" mrc "$f" --pages 64,256 >"$tmp/ref" 2>/dev/null
		"$VMSIM" mrc "$tmp/b.vmt" --pages 64,256 >"$tmp/out" 2>/dev/null
		cmp -s "$tmp/ref" "$tmp/out" && [ -s "$tmp/out" ] && ok || bad "$n: mrc differs"
		continue
	fi
	args="--ram 16M -o swap=16M"
	"$VMSIM" trace $args "$f" >"$tmp/ref" 2>/dev/null
	"$VMSIM" trace $args "$tmp/b.vmt" >"$tmp/out" 2>/dev/null
	[ "$(norm "$tmp/ref")" = "$(norm "$tmp/out")" ] && [ -s "$tmp/out" ] && ok ||
		bad "$n: the binary's report differs"
	"$VMSIM" trace --json $args "$f" >"$tmp/ref" 2>/dev/null
	"$VMSIM" trace --json $args "$tmp/b.vmt" >"$tmp/out" 2>/dev/null
	[ "$(norm "$tmp/ref" "$f")" = "$(norm "$tmp/out" "$tmp/b.vmt")" ] && ok ||
		bad "$n: the binary's JSON differs"
	"$VMSIM" trace $args "$f" >"$tmp/ref" 2>/dev/null
	for z in "gzip -c" "zstd -qc"; do
		command -v ${z% *} >/dev/null 2>&1 || continue
		$z "$tmp/b.vmt" | "$VMSIM" trace $args - >"$tmp/out" 2>"$tmp/err"
		grep -q "built without" "$tmp/err" && continue
		[ "$(norm "$tmp/ref")" = "$(norm "$tmp/out")" ] && ok || bad "$n: $z binary from a pipe"
	done
done

# Truncated and corrupt binaries: a message, no crash.
lk=$top/tests/scenarios/0400-trace-lackey.lackey
"$VMSIM" trace-convert -q "$lk" "$tmp/l.vmt"
size=$(stat -c %s "$tmp/l.vmt")
for cut in 4 12 16 17 100 $((size / 2)) $((size - 1)); do
	head -c $cut "$tmp/l.vmt" >"$tmp/cut.vmt"
	"$VMSIM" trace -q "$tmp/cut.vmt" >/dev/null 2>"$tmp/err"
	st=$?
	[ $st = 2 ] && grep -q "cut.vmt.*truncated binary trace" "$tmp/err" && ! grep -q Sanitizer "$tmp/err" &&
		ok || { bad "trace of $cut bytes: status $st"; head -3 "$tmp/err"; }
	"$VMSIM" trace-convert -q "$tmp/cut.vmt" "$tmp/cut.txt" 2>"$tmp/err"
	st=$?
	[ $st = 1 ] && grep -q "truncated binary trace" "$tmp/err" && [ ! -e "$tmp/cut.txt" ] &&
		ok || bad "trace-convert of $cut bytes: status $st, or the text left"
	"$VMSIM" mrc "$tmp/cut.vmt" >/dev/null 2>"$tmp/err"
	[ $? = 2 ] && grep -q "truncated binary trace" "$tmp/err" && ok || bad "mrc of $cut bytes"
done
cp "$tmp/l.vmt" "$tmp/v.vmt"
printf '\003' | dd of="$tmp/v.vmt" bs=1 seek=8 conv=notrunc 2>/dev/null
"$VMSIM" trace "$tmp/v.vmt" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "binary trace version 3, and this vmsim reads version 1 (a newer vmsim" \
	"$tmp/err" && ok || bad "version 3 not named"
cp "$tmp/l.vmt" "$tmp/c.vmt"
printf '\377\377' | dd of="$tmp/c.vmt" bs=1 seek=300 conv=notrunc 2>/dev/null
"$VMSIM" trace "$tmp/c.vmt" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "c.vmt:[0-9]*: corrupt binary trace" "$tmp/err" && ok || bad "corrupt record"
cat "$tmp/l.vmt" "$tmp/l.vmt" >"$tmp/two.vmt"
"$VMSIM" trace "$tmp/two.vmt" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "bytes after its end record" "$tmp/err" && ok || bad "bytes after the end"
"$VMSIM" trace-convert "$tmp/nonexistent" "$tmp/x" 2>"$tmp/err"
[ $? = 1 ] && grep -q "cannot open the trace" "$tmp/err" && ok || bad "a missing IN"
"$VMSIM" trace-convert "$lk" 2>/dev/null
[ $? = 2 ] && ok || bad "trace-convert with no OUT is not a usage error"

# vmsim record: valgrind lackey streamed into the binary writer.
if ! command -v valgrind >/dev/null 2>&1; then
	echo "skip record: valgrind is not installed (.ci/run installs it)"
else
	mkdir "$tmp/rec" "$tmp/rectmp"
	(cd "$tmp/rec" && TMPDIR=$tmp/rectmp "$VMSIM" record -q -- /bin/true) 2>"$tmp/err"
	st=$?
	[ $st = 0 ] && [ "$(ls "$tmp/rec")" = true.vmt ] && [ -z "$(ls -A "$tmp/rectmp")" ] && ok ||
		{ bad "record /bin/true: status $st, files: $(ls "$tmp/rec" "$tmp/rectmp")"; cat "$tmp/err"; }
	r=$tmp/rec/true.vmt
	"$VMSIM" trace-convert -q "$r" "$tmp/rec.txt" && "$VMSIM" trace-convert -q "$tmp/rec.txt" "$tmp/rec2.vmt" &&
		cmp -s "$r" "$tmp/rec2.vmt" && ok || bad "record: binary -> text -> binary differs"
	grep -q '^==[0-9]*== Command: /bin/true$' "$tmp/rec.txt" && grep -q '^I  ' "$tmp/rec.txt" &&
		ok || bad "record: not valgrind lackey's text"
	"$VMSIM" trace "$tmp/rec.txt" >"$tmp/ref" 2>/dev/null
	"$VMSIM" trace "$r" >"$tmp/out" 2>/dev/null
	[ "$(norm "$tmp/ref")" = "$(norm "$tmp/out")" ] && grep -q "format lackey" "$tmp/out" && ok ||
		bad "record: the binary's replay differs from its text's"
	"$VMSIM" record -o - -- /bin/true 2>/dev/null | "$VMSIM" trace -q - >"$tmp/out" 2>/dev/null
	grep -q "accesses: [1-9]" "$tmp/out" && ok || bad "record -o - into a replay"
	(cd "$tmp/rec" && "$VMSIM" record --replay -q --ram 64M -- /bin/true) >"$tmp/out" 2>/dev/null
	grep -q "^trace <stdin>: format lackey" "$tmp/out" && [ "$(ls "$tmp/rec")" = true.vmt ] && ok ||
		bad "record --replay"
	"$VMSIM" record -o "$tmp/none.vmt" -- "$tmp/nonexistent" 2>"$tmp/err"
	[ $? = 1 ] && grep -q "valgrind could not run" "$tmp/err" && [ ! -e "$tmp/none.vmt" ] && ok ||
		bad "record of a missing program"
fi
VMSIM_VALGRIND=$tmp/nonexistent "$VMSIM" record -- /bin/true 2>"$tmp/err"
[ $? = 1 ] && grep -q "valgrind is not installed" "$tmp/err" && ok || bad "no valgrind: no message"
PATH=$tmp/nonexistent "$VMSIM" record -- /bin/true 2>"$tmp/err"
[ $? = 1 ] && grep -q "valgrind is not installed (not on PATH)" "$tmp/err" && ok ||
	bad "valgrind not on PATH: no message"

echo "trace-bin-test: $pass passed, $fail failed"
[ $fail = 0 ]

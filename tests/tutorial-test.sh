#!/bin/sh
# The tutorial cannot rot: every script of docs/tutorial.md runs and must
# print exactly the output the document shows under it.
#
# The document's convention (stated at its top): a ```vms fenced block is a
# whole script; the ```output block right after it (only blank lines between)
# is what `vmsim run -q SCRIPT` prints on standard output, with nothing on
# standard error and exit status 0.  Each script runs on its own in an empty
# directory.  Outputs are the release build's (`make`: build/vmsim), the one
# a reader runs; the test build's debug checks put slab red zones in memory,
# which moves frame numbers.
#
#   VMSIM=build/vmsim sh tests/tutorial-test.sh [DOC]
#   ALSO=build/asan/vmsim ... runs every script with that build too (make test:
#                the sanitized one), which must exit 0 with nothing on stderr
#   UPDATE=1 ... rewrites DOC's output blocks from the current output
#                (`make tutorial-update`; review the diff before committing)
#
# Checking the real document (no DOC given, no UPDATE) also proves the check
# can fail: a copy with one output line changed must fail and name its step,
# a script without its output block must fail, and updating the changed copy
# must give the document back byte for byte.
set -u
VMSIM=${VMSIM:-build/vmsim}
UPDATE=${UPDATE:-0}
ALSO=${ALSO:-}
DOC=${1:-docs/tutorial.md}
SELFTEST=0
[ $# -eq 0 ] && [ "$UPDATE" = 0 ] && SELFTEST=1

if [ ! -x "$VMSIM" ]; then
	echo "tutorial-test: $VMSIM is not an executable (set VMSIM=)" >&2
	exit 2
fi
case "$VMSIM" in /*) ;; *) VMSIM=$(pwd)/$VMSIM ;; esac
case "$ALSO" in /* | "") ;; *) ALSO=$(pwd)/$ALSO ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmsim-tut.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# split DOC DIR: DIR/N.vms, N.want (the document's output), N.step (the
# heading above it), N.line (the line of its ```vms fence) for each script
# N = 1, 2, ...; DIR/count.  A malformed document is an error naming the line.
split() {
	mkdir -p "$2" && awk -v dir="$2" -v doc="$1" '
	function fail(msg) { printf "%s:%d: %s\n", doc, NR, msg > "/dev/stderr"; bad = 1; exit 1 }
	state == "" && /^#+ / { step = $0; sub(/^#+ /, "", step); next }
	state == "" && /^```vms[ \t]*$/ {
		n++; state = "vms"; f = dir "/" n; at[n] = NR
		printf "" > (f ".vms"); print step > (f ".step"); print NR > (f ".line")
		close(f ".step"); close(f ".line")
		next
	}
	state == "" && /^```output[ \t]*$/ { fail("an output block with no ```vms block before it") }
	state == "" && /^```/ { state = "other"; next }
	state == "other" && /^```[ \t]*$/ { state = ""; next }
	state == "vms" && /^```[ \t]*$/ { close(f ".vms"); state = "wait"; next }
	state == "vms" { print > (f ".vms"); next }
	state == "wait" && /^[ \t]*$/ { next }
	state == "wait" && /^```output[ \t]*$/ { state = "out"; printf "" > (f ".want"); next }
	state == "wait" { fail("the ```vms block of line " at[n] " has no ```output block after it") }
	state == "out" && /^```[ \t]*$/ { close(f ".want"); state = ""; next }
	state == "out" { print > (f ".want"); next }
	END {
		if (bad) exit 1
		if (state == "wait") fail("the ```vms block of line " at[n] " has no ```output block after it")
		if (state != "") fail("a fenced block is not closed")
		print n + 0 > (dir "/count")
	}' "$1"
}

# run DIR: runs every script of DIR, N.got (standard output), N.err, N.status
run_all() {
	i=1
	n=$(cat "$1/count")
	while [ "$i" -le "$n" ]; do
		mkdir "$1/run$i"
		(cd "$1/run$i" && "$VMSIM" run -q "../$i.vms" >"../$i.got" 2>"../$i.err" </dev/null)
		echo $? >"$1/$i.status"
		if [ -n "$ALSO" ]; then
			mkdir "$1/also$i"
			(cd "$1/also$i" && "$ALSO" run -q "../$i.vms" >/dev/null 2>"../$i.also.err" </dev/null)
			echo $? >"$1/$i.also.status"
		fi
		i=$((i + 1))
	done
}

# check DOC DIR: 0 when every script ran cleanly and printed its output block
check() {
	split "$1" "$2" || return 1
	run_all "$2"
	n=$(cat "$2/count")
	if [ "$n" -eq 0 ]; then
		echo "$1: no \`\`\`vms blocks"
		return 1
	fi
	bad=0
	i=1
	while [ "$i" -le "$n" ]; do
		where="$1:$(cat "$2/$i.line"): step '$(cat "$2/$i.step")'"
		if [ "$(cat "$2/$i.status")" != 0 ] || [ -s "$2/$i.err" ]; then
			echo "FAIL $where: exit status $(cat "$2/$i.status"), standard error:"
			head -20 "$2/$i.err"
			bad=1
		elif [ -n "$ALSO" ] && { [ "$(cat "$2/$i.also.status")" != 0 ] || [ -s "$2/$i.also.err" ]; }; then
			echo "FAIL $where: with $ALSO: exit status $(cat "$2/$i.also.status"), standard error:"
			head -20 "$2/$i.also.err"
			bad=1
		elif ! cmp -s "$2/$i.want" "$2/$i.got"; then
			echo "FAIL $where: the output differs (- the document, + vmsim):"
			diff -u "$2/$i.want" "$2/$i.got" | sed '1,2d' | head -40
			bad=1
		fi
		i=$((i + 1))
	done
	echo "tutorial: $n scripts in $1, $([ $bad = 0 ] && echo all match || echo some differ)"
	return $bad
}

# update DOC DIR: rewrites DOC's output blocks with the scripts' outputs
update() {
	split "$1" "$2" || return 1
	run_all "$2"
	n=$(cat "$2/count")
	i=1
	while [ "$i" -le "$n" ]; do
		if [ "$(cat "$2/$i.status")" != 0 ] || [ -s "$2/$i.err" ]; then
			echo "$1:$(cat "$2/$i.line"): step '$(cat "$2/$i.step")' fails:" >&2
			head -20 "$2/$i.err" >&2
			return 1
		fi
		i=$((i + 1))
	done
	awk -v dir="$2" '
	state == "" && /^```vms[ \t]*$/ { n++; state = "vms" }
	state == "" && /^```/ { state = "other"; print; next }
	state == "other" && /^```[ \t]*$/ { state = ""; print; next }
	state == "vms" && /^```[ \t]*$/ { state = "wait"; print; next }
	state == "wait" && /^```output[ \t]*$/ {
		print
		f = dir "/" n ".got"
		while ((getline l < f) > 0) print l
		close(f)
		state = "out"; next
	}
	state == "out" && /^```[ \t]*$/ { state = "" }
	state == "out" { next }
	{ print }' "$1" >"$2/new.md" && cat "$2/new.md" >"$1"
}

if [ "$UPDATE" != 0 ]; then
	update "$DOC" "$tmp/doc" || exit 1
	echo "tutorial: $DOC updated ($(cat "$tmp/doc/count") scripts); review git diff $DOC"
	exit 0
fi

check "$DOC" "$tmp/doc"
status=$?
[ "$SELFTEST" = 1 ] || exit $status

# The check itself: a changed output line must fail, naming its step ...
selftest_fail() {
	echo "FAIL tutorial-test self-check: $1"
	status=1
}
ALSO=     # the scripts ran under it once: enough
n=$(cat "$tmp/doc/count")
k=$(( (n + 1) / 2 ))
awk -v k="$k" '
	/^```output[ \t]*$/ { m++; if (m == k) { print; getline; print "this line is not what vmsim prints"; next } }
	{ print }' "$DOC" >"$tmp/bad.md"
if check "$tmp/bad.md" "$tmp/bad" >"$tmp/bad.log" 2>&1; then
	selftest_fail "a changed output line in script $k passed"
elif ! grep "^FAIL " "$tmp/bad.log" | grep -qF "step '$(cat "$tmp/doc/$k.step")'" ||
	! grep -q "^-this line is not what vmsim prints" "$tmp/bad.log"; then
	selftest_fail "the failure for script $k does not name its step or show the line:"
	cat "$tmp/bad.log"
fi
# ... as must a script whose output block is missing ...
# shellcheck disable=SC2016
printf '# t\n```vms\nspawn A\n```\n\ntext\n' >"$tmp/noout.md"
if check "$tmp/noout.md" "$tmp/noout" >"$tmp/noout.log" 2>&1; then
	selftest_fail "a script with no output block passed"
fi
# ... and updating the changed copy gives the document back.
cp "$tmp/bad.md" "$tmp/fixed.md"
if ! update "$tmp/fixed.md" "$tmp/upd" >"$tmp/upd.log" 2>&1 || ! cmp -s "$DOC" "$tmp/fixed.md"; then
	selftest_fail "UPDATE=1 on the changed copy did not give $DOC back"
	cat "$tmp/upd.log"
fi
[ $status = 0 ] && echo "tutorial: the check fails on a changed output and a missing output block"
exit $status

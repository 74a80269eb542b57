#!/bin/sh
# Golden-output scenarios of the vmsim tool.  For each tests/scenarios/NAME.vms:
#   NAME.args    optional: the flags to run it with (default: -q)
#   NAME.out     expected standard output (required)
#   NAME.err     optional: expected standard error (otherwise it must be empty)
#   NAME.status  optional: expected exit status (default 0)
#   NAME.runs    optional: how many runs must be byte-identical (default 2)
# Each scenario runs twice (or NAME.runs times) and every run must be
# byte-identical to the first (determinism).
# Each tests/repro/NAME.vms (a reproduction of a fixed failure) must run to
# its end: exit status 0, standard error empty.
# The built-in demo runs too (twice, text and --json): it must exit 0 with
# identical output each time, explained and under 120 lines as text; and vmsim mrc on tests/data's trace must print
# tests/data/python-pages.mrc.csv.  Ends with "scenarios: N passed, N failed".
# The expected files are the output of the test build (make test: DEBUG=1,
# whose slab red zones take memory, so frame numbers and free counts differ
# from the optimised build's).
#
#   VMSIM=build/asan/vmsim sh tests/run-scenarios.sh [NAME-SUBSTRING]
#   UPDATE=1 ... rewrites the expected files from the current output
#                (review the diff before committing it).
set -u
VMSIM=${VMSIM:-build/vmsim}
FILTER=${1:-}
UPDATE=${UPDATE:-0}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmsim-scen.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

if [ ! -x "$VMSIM" ]; then
	echo "run-scenarios: $VMSIM is not an executable (set VMSIM=)" >&2
	exit 2
fi

failed() {
	echo "FAIL $1: $2"
	fail=$((fail + 1))
}

show_diff() {
	diff -u "$1" "$2" | head -40
}

for f in tests/scenarios/*.vms; do
	[ -e "$f" ] || continue
	base=${f%.vms}
	name=${base##*/}
	case "$name" in *"$FILTER"*) ;; *) continue ;; esac
	args="-q"
	[ -f "$base.args" ] && args=$(cat "$base.args")
	want_status=0
	[ -f "$base.status" ] && want_status=$(cat "$base.status")

	# shellcheck disable=SC2086
	"$VMSIM" run $args "$f" >"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
	# shellcheck disable=SC2086
	"$VMSIM" run $args "$f" >"$tmp/out2" 2>"$tmp/err2" </dev/null
	status2=$?
	runs=2
	[ -f "$base.runs" ] && runs=$(cat "$base.runs")
	while [ "$runs" -gt 2 ] && [ "$status2" = "$status" ] && cmp -s "$tmp/out" "$tmp/out2" &&
	      cmp -s "$tmp/err" "$tmp/err2"; do
		# shellcheck disable=SC2086
		"$VMSIM" run $args "$f" >"$tmp/out2" 2>"$tmp/err2" </dev/null
		status2=$?
		runs=$((runs - 1))
	done

	if [ "$UPDATE" = 1 ]; then
		cp "$tmp/out" "$base.out"
		if [ -s "$tmp/err" ]; then cp "$tmp/err" "$base.err"; else rm -f "$base.err"; fi
		if [ "$status" != 0 ]; then echo "$status" >"$base.status"; else rm -f "$base.status"; fi
	fi

	if [ ! -f "$base.out" ]; then
		failed "$name" "no expected output $base.out"
		continue
	fi
	if ! cmp -s "$tmp/out" "$base.out"; then
		failed "$name" "standard output differs from $base.out"
		show_diff "$base.out" "$tmp/out"
		continue
	fi
	if [ -f "$base.err" ]; then
		if ! cmp -s "$tmp/err" "$base.err"; then
			failed "$name" "standard error differs from $base.err"
			show_diff "$base.err" "$tmp/err"
			continue
		fi
	elif [ -s "$tmp/err" ]; then
		failed "$name" "unexpected standard error:"
		head -20 "$tmp/err"
		continue
	fi
	if [ "$status" != "$want_status" ]; then
		failed "$name" "exit status $status, wanted $want_status"
		continue
	fi
	if [ "$status2" != "$status" ] || ! cmp -s "$tmp/out" "$tmp/out2" ||
	   ! cmp -s "$tmp/err" "$tmp/err2"; then
		failed "$name" "second run differs from the first (not deterministic)"
		show_diff "$tmp/out" "$tmp/out2"
		continue
	fi
	pass=$((pass + 1))
done

# Reproductions of fixed failures (tests/repro/*.vms): each must run to the
# end with exit status 0 and nothing on standard error (no BUG, no leak at exit).
for f in tests/repro/*.vms; do
	[ -e "$f" ] || continue
	name=repro/$(basename "$f" .vms)
	case "$name" in *"$FILTER"*) ;; *) continue ;; esac
	"$VMSIM" run -q "$f" >"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
	if [ "$status" != 0 ] || [ -s "$tmp/err" ]; then
		failed "$name" "exit status $status"
		head -20 "$tmp/err"
		continue
	fi
	pass=$((pass + 1))
done

# The built-in demo (what `make run` shows), text and JSON, twice each.
case "demo" in *"$FILTER"*)
	for mode in "" "--json"; do
		# shellcheck disable=SC2086
		"$VMSIM" run $mode >"$tmp/demo1" 2>"$tmp/demoerr" </dev/null
		s1=$?
		# shellcheck disable=SC2086
		"$VMSIM" run $mode >"$tmp/demo2" 2>>"$tmp/demoerr" </dev/null
		s2=$?
		if [ "$s1" != 0 ] || [ "$s2" != 0 ]; then
			failed "demo$mode" "exit status $s1/$s2"
			head -20 "$tmp/demoerr"
		elif [ -s "$tmp/demoerr" ]; then
			failed "demo$mode" "standard error not empty"
			head -20 "$tmp/demoerr"
		elif ! cmp -s "$tmp/demo1" "$tmp/demo2"; then
			failed "demo$mode" "two runs differ (not deterministic)"
			show_diff "$tmp/demo1" "$tmp/demo2"
		elif ! grep -q "killed by SIGSEGV" "$tmp/demo1"; then
			failed "demo$mode" "no SIGSEGV kill line"
		elif [ -n "$mode" ] && ! grep -q 'report' "$tmp/demo1"; then
			failed "demo$mode" "no report in the JSON document"
		elif [ -z "$mode" ] && { ! grep -q 'path: do_page_fault' "$tmp/demo1" ||
		     [ "$(wc -l <"$tmp/demo1")" -gt 120 ]; }; then
			# the text demo explains itself and stays short enough to read (issue 15)
			failed "demo" "no explained fault, or more than 120 lines"
		else
			pass=$((pass + 1))
		fi
	done
	;;
esac

# vmsim mrc on tests/data's real trace: libCacheSim's misses (tests/data/README.md),
# through the command line, read from the gzip'd file (a build with zlib) and from
# standard input, unpacked by gzip(1) (any build).
case "mrc" in *"$FILTER"*)
	ref=tests/data/python-pages
	sizes=32:128:32,192,256,384,512
	for src in file stdin; do
		if [ "$src" = file ]; then
			"$VMSIM" mrc -q --pages $sizes "$ref.txt.gz" >"$tmp/mrc" 2>"$tmp/mrcerr"
		else
			gzip -dc "$ref.txt.gz" | "$VMSIM" mrc -q --pages $sizes - >"$tmp/mrc" 2>"$tmp/mrcerr"
		fi
		st=$?
		if [ "$src" = file ] && grep -q "built without zlib" "$tmp/mrcerr"; then
			continue
		fi
		if [ "$st" != 0 ] || ! cmp -s "$tmp/mrc" "$ref.mrc.csv"; then
			failed "mrc-$src" "exit status $st or not libCacheSim's numbers"
			head -5 "$tmp/mrcerr"
			show_diff "$ref.mrc.csv" "$tmp/mrc"
		else
			pass=$((pass + 1))
		fi
	done
	;;
esac

echo "scenarios: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

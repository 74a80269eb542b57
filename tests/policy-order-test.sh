#!/bin/sh
# The orders that hold between reclaim policies on every trace (issue 13,
# part 4), checked on the major faults of whole-memory-manager replays:
#   - OPT has no more major faults than any other built-in policy, at
#     every memory size;
#   - the stack policies (exact LRU, OPT) never have more when memory grows.
# Traces: tests/data/python-pages.txt.gz (a real program's page references),
# its first 200,000 requests with each page spread over a block of 40 pages
# (the k-th request of a page touches page k mod 40 of its block: the same
# order of reuse, 8,391 pages instead of 250, so that 16M-28M machines
# replace pages); and a synthetic trace (a hot set of 1,500 pages taking
# 75% of the accesses among 8,000, from Park and Miller's generator).  Every page is
# written (a page only read would map the zero page), replayed with
# page_cluster=0 (no swap readahead: OPT knows only the pages accessed).
# Ends with "policy-order-test: N passed, N failed".
#
#   VMSIM=build/asan/vmsim sh tests/policy-order-test.sh
set -u
VMSIM=${VMSIM:-build/vmsim}
data=$(dirname "$0")/data
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmsim-order.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
sizes="16M 20M 24M 28M"

gzip -dc "$data/python-pages.txt.gz" | head -n 200000 | awk '
	{ if (!($1 in id)) id[$1] = n++; p = id[$1]; c = cnt[p]++ % 40
	  printf "W %x 8\n", 268435456 + (p * 40 + c) * 4096 }' >"$tmp/python.plain"
awk 'BEGIN {
	s = 12345
	for (i = 0; i < 120000; i++) {
		s = (s * 16807) % 2147483647; r = s % 100	# Park-Miller: exact in doubles
		s = (s * 16807) % 2147483647
		p = r < 75 ? s % 1500 : s % 8000
		printf "W %x 8\n", 268435456 + p * 4096
	} }' >"$tmp/hotset.plain"

policies=$("$VMSIM" help reclaim | awk 'NR > 1 && $1 !~ /^plugin:/ { print $1 }')
[ -n "$policies" ] || { echo "FAIL: no policies listed"; exit 1; }

# major TRACE POLICY RAM: the replay's major faults.
major() {
	"$VMSIM" trace -q --ram "$3" -o swap=64M -o page_cluster=0 --reclaim "$2" "$1" 2>/dev/null |
		sed -n 's/.*faults [0-9]* minor, \([0-9]*\) major.*/\1/p'
}

for t in python hotset; do
	f=$tmp/$t.plain
	for ram in $sizes; do
		for pol in $policies; do
			n=$(major "$f" "$pol" "$ram")
			[ -n "$n" ] || { echo "FAIL $t $pol $ram: no summary"; fail=$((fail + 1)); n=0; }
			echo "$pol $ram $n" >>"$tmp/$t.res"
		done
	done
	# OPT <= every policy at each size
	for ram in $sizes; do
		opt=$(awk -v r="$ram" '$1 == "opt" && $2 == r { print $3 }' "$tmp/$t.res")
		worse=$(awk -v r="$ram" -v o="$opt" '$2 == r && $3 < o { print $1 "=" $3 }' "$tmp/$t.res")
		if [ -z "$worse" ]; then
			pass=$((pass + 1))
		else
			echo "FAIL $t $ram: opt has $opt major faults, more than $worse"
			fail=$((fail + 1))
		fi
	done
	# LRU and OPT: non-increasing as memory grows
	for pol in lru opt; do
		bad=$(awk -v p="$pol" '$1 == p { if (seen && $3 > last) print "at " $2 ": " $3 " > " last
			last = $3; seen = 1 }' "$tmp/$t.res")
		if [ -z "$bad" ]; then
			pass=$((pass + 1))
		else
			echo "FAIL $t $pol: major faults rose with memory $bad"
			fail=$((fail + 1))
		fi
	done
	# the test can fail: some policy has major faults on this trace
	if awk '$3 > 0 { found = 1 } END { exit !found }' "$tmp/$t.res"; then
		pass=$((pass + 1))
	else
		echo "FAIL $t: no policy had a major fault (the trace replaces nothing)"
		fail=$((fail + 1))
	fi
done
# OPT reads the trace twice: a pipe is refused, saying so
if ! cat "$tmp/hotset.plain" | "$VMSIM" trace -q --reclaim opt - >/dev/null 2>"$tmp/err" &&
	grep -q "reclaim=opt reads the trace twice" "$tmp/err"; then
	pass=$((pass + 1))
else
	echo "FAIL opt from a pipe: $(cat "$tmp/err")"
	fail=$((fail + 1))
fi
echo "policy-order-test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

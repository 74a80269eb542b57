#!/bin/sh
# Runs every tests/scenarios/*.vms through $VMSIM and compares the output
# with the expected file beside it.  (First version; the tool grows it.)
set -u
VMSIM=${VMSIM:-build/vmsim}
pass=0; fail=0
for f in tests/scenarios/*.vms; do
	[ -e "$f" ] || continue
	exp="${f%.vms}.out"
	out=$("$VMSIM" run -q "$f" 2>&1)
	if [ -f "$exp" ] && [ "$out" = "$(cat "$exp")" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL scenario $f"; fail=$((fail + 1))
	fi
done
echo "scenarios: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

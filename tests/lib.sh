# Shared by the tool's shell test suites (sourced): a temporary directory
# removed at exit, and the pass/fail counters with ok, bad and check.
# The caller sets NAME (the suite's name, for the directory) first.

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmsim-$NAME.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

ok() {
	pass=$((pass + 1))
}

bad() {
	echo "FAIL $*"
	fail=$((fail + 1))
}

# check NAME COMMAND...: the command succeeds
check() {
	name=$1
	shift
	if "$@"; then ok; else bad "$name"; fi
}

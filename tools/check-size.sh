#!/bin/sh
# check-size: the charter's size limits on the tracked sources outside tests/:
# no .c or .h file over 1500 lines, no function body over 120 lines.  A
# function is what the tree's style (Linux's) writes: its opening brace alone
# at the start of a line (or ending its signature line), its closing brace at
# the start of a later line; the body is the lines between them.  Lists each offender; exit 0 none, 1 some.
#
#   sh tools/check-size.sh [-f MAXFILE] [-n MAXFUNC]
set -u
maxfile=1500
maxfunc=120
while getopts f:n: c; do
	case $c in
	f) maxfile=$OPTARG ;;
	n) maxfunc=$OPTARG ;;
	*) echo "usage: check-size.sh [-f MAXFILE] [-n MAXFUNC]" >&2; exit 2 ;;
	esac
done
cd "$(dirname "$0")/.." || exit 2
files=$(git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^tests/')
[ -n "$files" ] || { echo "check-size: no sources (not a git checkout?)" >&2; exit 2; }
# shellcheck disable=SC2086
echo $files | xargs awk -v maxfile="$maxfile" -v maxfunc="$maxfunc" '
FNR == 1 { if (prevfile != "" && lines > maxfile) print "file: " prevfile ": " lines " lines (over " maxfile ")"
	   prevfile = FILENAME; infn = 0; sig = "" }
{ lines = FNR }
/^\{[ \t]*$/ { infn = 1; start = FNR; name = sig; next }
/^[A-Za-z_][^;=]*\) *\{[ \t]*$/ { infn = 1; start = FNR; name = $0; next }	# brace on the line
infn && /^\}/ {
	n = FNR - start - 1
	if (n > maxfunc) print "function: " FILENAME ":" start ": " n " lines (over " maxfunc "): " name
	infn = 0
}
/^[A-Za-z_].*\(/ { sig = $0 }
END { if (lines > maxfile) print "file: " prevfile ": " lines " lines (over " maxfile ")" }
' >"${TMPDIR:-/tmp}/check-size.$$"
n=$(wc -l <"${TMPDIR:-/tmp}/check-size.$$")
cat "${TMPDIR:-/tmp}/check-size.$$"
rm -f "${TMPDIR:-/tmp}/check-size.$$"
if [ "$n" -eq 0 ]; then
	echo "check-size: no file over $maxfile lines, no function over $maxfunc lines (outside tests/)"
	exit 0
fi
echo "check-size: $n over the limits"
exit 1

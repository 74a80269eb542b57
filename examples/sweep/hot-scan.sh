#!/bin/sh
# The trace of examples/sweep/policy-sweep.spec (docs/sweep.md), in vmsim's
# plain format: a program fills a 6 MiB table, then streams four times
# through 32 MiB of cold data, writing it, and after each cold page reads
# a table page picked by a Park-Miller generator (the same trace from
# every awk).  67,072 accesses; made with
#   sh examples/sweep/hot-scan.sh | gzip -9n > examples/sweep/hot-scan.trace.gz
awk 'BEGIN {
	hot = 1073741824; cold = 268435456; x = 42
	for (p = 0; p < 1536; p++)
		printf "W %x\n", hot + p * 4096
	for (pass = 0; pass < 4; pass++)
		for (p = 0; p < 8192; p++) {
			printf "W %x\n", cold + p * 4096
			x = (x * 16807) % 2147483647
			printf "R %x\n", hot + (x % 1536) * 4096
		}
}'

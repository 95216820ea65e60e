#!/bin/sh
# scripts/bench.sh BUILD - run every benchmark; each prints ratios against this machine's own
# limits measured in the same run.
set -eu
build=$1
n=0
for bin in "$build"/bench_*; do
    [ -x "$bin" ] || continue
    "$bin"
    n=$((n + 1))
done
[ "$n" -gt 0 ] || echo "bench: no benchmarks built yet"

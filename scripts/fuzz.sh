#!/bin/sh
# scripts/fuzz.sh BUILD SECONDS - run every libFuzzer target briefly, seeded from its corpus.
# New inputs go to a scratch directory, never into the checked-in corpus; a crash fails the run
# and leaves its reproducer in BUILD/fuzz-artifacts/.
set -eu
build=$1
secs=${2:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/fuzz-artifacts"
n=0
for bin in "$build"/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    scratch=$(mktemp -d)
    echo "fuzz: $name for ${secs}s"
    if ! "$bin" -max_total_time="$secs" -print_final_stats=0 \
        -artifact_prefix="$build/fuzz-artifacts/$name-" \
        "$scratch" "$top/tests/fuzz/corpus/$name" >"$build/fuzz-artifacts/$name.log" 2>&1; then
        tail -n 40 "$build/fuzz-artifacts/$name.log"
        echo "fuzz: $name FAILED (reproducer in $build/fuzz-artifacts/)"
        rm -rf "$scratch"
        exit 1
    fi
    grep -E '^#[0-9]+.*DONE' "$build/fuzz-artifacts/$name.log" | tail -n 1 || true
    rm -rf "$scratch"
    n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "fuzz: no targets built"; exit 1; }
echo "fuzz: $n targets ran clean"

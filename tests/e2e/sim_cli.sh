#!/bin/bash
# tests/e2e/sim_cli.sh SNPKIT SRC - `snpkit sim` as a user runs it: boot a CVM, take the report
# and certificates away, verify them with `snpkit verify` against the simulated root; the
# exported launch inputs give the same MEASUREMENT with `snpkit measure`; the chip state
# persists (a second run with the same --state verifies with the first run's root); the kv app;
# the plain-VM baseline: the same kv app runs, attestation fails cleanly
run plain 0 "$snpkit" sim run --state "$st" --app kv --plain
grep -q 'kv: PUT/GET of a value ok' "$work/plain.out" && ok || bad "plain kv app"
grep -q 'no PSP attestation in a plain VM' "$work/plain.out" && ok || bad "plain: no clear report error"

# usage errors; the plain-VM baseline (--plain). `sim serve`: tests/e2e/sim_serve.sh.
set -u
snpkit=$(realpath "$1")
pass=0
fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

run() { # run NAME WANT_RC CMD...
    local name=$1 want=$2
    shift 2
    "$@" >"$work/$name.out" 2>"$work/$name.err"
    local rc=$?
    if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, want $want: $(head -c 300 "$work/$name.err")"; fi
}

st="$work/state"
rd=00112233445566778899aabbccddeeff
run boot 0 "$snpkit" sim run --state "$st" --rsa-bits 2048 --report-data "$rd" \
    --report-out "$work/r.bin" --certs-out "$work/d"
grep -q 'verdict: VERIFIED' "$work/boot.out" && ok || bad "boot: no VERIFIED verdict"
[ "$(stat -c %s "$work/r.bin" 2>/dev/null)" = 1184 ] && ok || bad "report is not 1184 bytes"
for f in vcek.pem ask.pem ark.pem; do
    [ -s "$work/d/$f" ] && ok || bad "certs-out: no $f"
done
[ "$(stat -c %a "$st/psp.bin" 2>/dev/null)" = 600 ] && ok || bad "psp.bin is not mode 0600"

# snpkit verify accepts it with the simulated root, expected measurement and report data
meas=$(sed -n 's/^MEASUREMENT: //p' "$work/boot.out")
[ ${#meas} -eq 96 ] && ok || bad "no MEASUREMENT line"
rdfull=$(printf '%-128s' "$rd" | tr ' ' 0)
run verify 0 "$snpkit" verify --offline --root "$work/d/ark.pem" --vcek "$work/d/vcek.pem" \
    --chain "$work/d/ask.pem" --crl "$work/d/crl.der" --expect-measurement "$meas" \
    --expect-report-data "$rdfull" "$work/r.bin"
run verify_wrong 1 "$snpkit" verify --offline --root "$work/d/ark.pem" --vcek "$work/d/vcek.pem" \
    --chain "$work/d/ask.pem" --expect-measurement "$(printf '%096d' 0)" "$work/r.bin"

# exported launch inputs -> snpkit measure gives the same MEASUREMENT
run export 0 "$snpkit" sim export "$work/exp"
for f in firmware.fd kernel.bin initrd.img cmdline.txt launch.json; do
    [ -s "$work/exp/$f" ] && ok || bad "export: no $f"
done
run measure 0 "$snpkit" measure --ovmf "$work/exp/firmware.fd" --kernel "$work/exp/kernel.bin" \
    --initrd "$work/exp/initrd.img" --append "$(cat "$work/exp/cmdline.txt")" \
    --vcpu-type EPYC-Genoa
[ "$(tr -d '\n' <"$work/measure.out")" = "$meas" ] && ok ||
    bad "measure of the export ($(cat "$work/measure.out")) != sim run ($meas)"

# the chip persists: a second run verifies against the first run's root
run boot2 0 "$snpkit" sim run --state "$st" --json --report-out "$work/r2.bin"
grep -q '"verdict": "verified"' "$work/boot2.out" && ok || bad "boot2: not verified"
run verify2 0 "$snpkit" verify --offline --root "$work/d/ark.pem" --vcek "$work/d/vcek.pem" \
    --chain "$work/d/ask.pem" "$work/r2.bin"

# the kv app and two vCPUs (measured; only vCPU 0 runs)
run kv 0 "$snpkit" sim run --state "$st" --app kv --vcpus 2
grep -q 'kv: PUT/GET of a sealed value ok' "$work/kv.out" && ok || bad "kv app"

# usage errors
run usage_none 2 "$snpkit" sim
run usage_app 2 "$snpkit" sim run --app nope
run usage_sub 2 "$snpkit" sim frobnicate
run help 0 "$snpkit" sim --help

echo "sim_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/bash
# tests/e2e/sim_serve.sh SNPKIT SRC - `snpkit sim serve` as a developer uses it: a CVM kept
# running with its attestation agent on an ephemeral loopback port and a Unix socket; a report
# fetched with curl verifies with `snpkit verify --root`; a malformed request gets 400; the
# server stops cleanly on SIGTERM (socket removed, exit 0); a non-loopback address is refused.
set -u
snpkit=$(realpath "$1")
pass=0
fail=0
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

"$snpkit" sim serve --listen 0.0.0.0:0 --state "$work/st" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "non-loopback --listen not refused with exit 2"

if ! command -v curl >/dev/null 2>&1; then
    echo "SKIP: curl is not installed (sim serve HTTP checks not run)"
    echo "sim_serve: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
fi

st="$work/st"
# The same chip (--state) gives the certificates to verify with.
"$snpkit" sim run --state "$st" --rsa-bits 2048 --certs-out "$work/d" >"$work/run.out" 2>&1 &&
    ok || bad "sim run: $(head -c 300 "$work/run.out")"

sock="$work/agent.sock"
"$snpkit" sim serve --state "$st" --unix "$sock" >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$work/serve.out")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] && ok || { bad "no listening line: $(cat "$work/serve.err")"; port=1; }
meas=$(sed -n 's/^MEASUREMENT: //p' "$work/serve.out")

rd=cafe0123456789
code=$(curl -s -o "$work/r.bin" -w '%{http_code}' "http://127.0.0.1:$port/v1/report?data=$rd")
[ "$code" = 200 ] && ok || bad "report: HTTP $code"
[ "$(stat -c %s "$work/r.bin" 2>/dev/null)" = 1184 ] && ok || bad "report is not 1184 bytes"
rdfull=$(printf '%-128s' "$rd" | tr ' ' 0)
"$snpkit" verify --offline --root "$work/d/ark.pem" --vcek "$work/d/vcek.pem" \
    --chain "$work/d/ask.pem" --crl "$work/d/crl.der" --expect-measurement "$meas" \
    --expect-report-data "$rdfull" "$work/r.bin" >"$work/verify.out" 2>&1 &&
    ok || bad "verify: $(head -c 300 "$work/verify.out")"

code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/report?data=nothex")
[ "$code" = 400 ] && ok || bad "malformed data: HTTP $code, want 400"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"vmpl": "x"}' \
    "http://127.0.0.1:$port/v1/derived-key")
[ "$code" = 400 ] && ok || bad "malformed key request: HTTP $code, want 400"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/nope")
[ "$code" = 404 ] && ok || bad "unknown endpoint: HTTP $code, want 404"

curl -s "http://127.0.0.1:$port/v1/ext-report?data=$rd" >"$work/ext.json"
grep -q '"certs":"' "$work/ext.json" && grep -q '"report":"' "$work/ext.json" && ok ||
    bad "ext-report: $(head -c 200 "$work/ext.json")"
k1=$(curl -s -X POST -d '{"guest_field_select": 1}' "http://127.0.0.1:$port/v1/derived-key")
k2=$(curl -s -X POST -d '{"guest_field_select": 1}' "http://127.0.0.1:$port/v1/derived-key")
[[ "$k1" == '{"key":"'* ]] && [ "$k1" = "$k2" ] && ok || bad "derived key: $k1 / $k2"

code=$(curl -s -o "$work/u.bin" -w '%{http_code}' --unix-socket "$sock" \
    "http://localhost/v1/report?data=$rd")
[ "$code" = 200 ] && [ "$(stat -c %s "$work/u.bin" 2>/dev/null)" = 1184 ] && ok ||
    bad "unix socket: HTTP $code"

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" -eq 0 ] && ok || bad "serve exit $rc after SIGTERM: $(cat "$work/serve.err")"
[ ! -e "$sock" ] && ok || bad "unix socket not removed"

echo "sim_serve: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/bash
# tests/e2e/kds_serve.sh SNPKIT SRC - `snpkit kds serve` as a user runs it: the simulated key
# server on 127.0.0.1 (an ephemeral port), then `snpkit kds fetch` and
# `snpkit verify --kds URL --root <simulated ARK>` against it for a report signed by a simulated
# chip's VCEK (made by test_kds_server's export mode, as the simulated firmware will), the same
# verify rejected without --root (AMD's pins), 404 for an unknown chip, 429 + Retry-After under
# --rate-limit, loopback-only binding, usage errors. Only 127.0.0.1 is contacted.
set -u
snpkit=$(realpath "$1")
src=$(realpath "$2")
build=$(dirname "$snpkit")
pass=0
fail=0
work=$(mktemp -d)
srv_pid=
trap '[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; rm -rf "$work"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
run() {
    local name=$1 want=$2
    shift 2
    "$@" >"$work/$name.out" 2>"$work/$name.err"
    local rc=$?
    if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, want $want: $(head -c 400 "$work/$name.err")"; fi
}
has() { grep -qE -- "$2" "$work/$1" && ok || bad "$1 lacks /$2/: $(head -c 600 "$work/$1")"; }

# GET over bash's /dev/tcp: prints the status line and headers (no curl needed).
http_head() {
    exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3
    sed -n '1,/^\r$/p' <&3 | tr -d '\r'
    exec 3<&-
}

# start_server OUTFILE ARGS...: run `snpkit kds serve` in the background, wait for its port.
start_server() {
    local out=$1
    shift
    "$snpkit" kds serve --listen 127.0.0.1:0 "$@" >"$out" 2>"$out.err" &
    srv_pid=$!
    for _ in $(seq 1 100); do
        port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$out")
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    bad "server did not start: $(cat "$out.err")"
    return 1
}
stop_server() {
    kill "$srv_pid" 2>/dev/null
    wait "$srv_pid"
    local rc=$?
    srv_pid=
    [ "$rc" -eq 0 ] && ok || bad "server exit $rc after SIGTERM"
}

unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
cd "$work" || exit 1

# ---- usage -------------------------------------------------------------------------------------
run help 0 "$snpkit" kds serve --help
has help.out 'snpkit kds serve'
run kdshelp 0 "$snpkit" kds --help
has kdshelp.out 'kds serve'
run remote 2 "$snpkit" kds serve --state "$work/x" --listen 0.0.0.0:0
has remote.err 'loopback'
run badrate 2 "$snpkit" kds serve --state "$work/x" --rate-limit 0/s
run badbits 2 "$snpkit" kds serve --state "$work/x" --rsa-bits 1024
run operand 2 "$snpkit" kds serve --state "$work/x" extra

# ---- a simulated chip's report, and the state that knows the chip ------------------------------
if ! SNPKIT_AMD_EXPORT="$work" "$build/test_kds_server" >/dev/null 2>&1; then
    bad "test_kds_server export mode failed (is it built?)"
    echo "kds_serve: $pass passed, $fail failed"
    exit 1
fi
ark=$work/state/vendor/Genoa/ark.pem
[ -s "$ark" ] && [ -s "$work/report.bin" ] && ok || bad "export: no ark.pem or report.bin"

start_server "$work/srv1" --state "$work/state" || exit 1
kds=http://127.0.0.1:$port

# `snpkit verify --kds` with the simulated ARK as root: accepted, with the override visible.
run verify 0 "$snpkit" verify --kds "$kds" --store "$work/store" --root "$ark" "$work/report.bin"
has verify.out 'OVERRIDDEN by --root'
# Against AMD's pins (same collateral, now in the store): rejected as a chain failure.
run pinned 1 "$snpkit" verify --kds "$kds" --store "$work/store" "$work/report.bin"
has pinned.out 'ark_pinned'
# The client's store was filled from our server: VCEK, chain and CRL.
run ls 0 "$snpkit" kds ls --store "$work/store"
has ls.out '^Genoa +vcek +vcek +ok '
has ls.out '^Genoa +cert_chain +vcek +ok '
has ls.out '^Genoa +crl +vcek +ok '

# 404 for a chip the vendor never made; 400 for a malformed query; the chain is PEM.
http_head "$port" "/vcek/v1/Genoa/$(printf '%0128d' 7)?blSPL=1&teeSPL=0&snpSPL=1&ucodeSPL=1" >h404
has h404 '^HTTP/1.1 404'
http_head "$port" "/vcek/v1/Genoa/$(printf '%0128d' 7)?blSPL=x" >h400
has h400 '^HTTP/1.1 400'
http_head "$port" "/vlek/v1/Genoa/cert_chain" >hchain
has hchain '^HTTP/1.1 200'
has hchain '^Content-Type: application/x-pem-file'
has srv1.err 'GET /vcek/v1/Genoa/cert_chain -> 200'
stop_server

# ---- rate limit: the second request within the second gets 429 + Retry-After ------------------
start_server "$work/srv2" --state "$work/state" --rate-limit 1/s --quiet || exit 1
http_head "$port" /vcek/v1/Genoa/crl >r1
http_head "$port" /vcek/v1/Genoa/crl >r2
has r1 '^HTTP/1.1 200'
has r2 '^HTTP/1.1 429'
has r2 '^Retry-After: [0-9]+$'
stop_server

echo "kds_serve: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/bash
# tests/e2e/atls_cli.sh SNPKIT SRC - `snpkit atls` on the simulator, loopback only: `atls serve`
# boots a CVM whose attestation agent makes the evidence and prints its port and MEASUREMENT;
# `atls connect` with the simulated ARK (--certs-out) verifies and exchanges a line with the
# echo service (cached and fresh evidence); a wrong --expect-measurement is rejected with
# policy.measurement and exit 1, no --root with chain.ark_pinned, and nothing comes back;
# `openssl s_client` connects without verification; `atls proxy` forwards a verified client to
# a plain backend and never dials it for a rejected one; SIGTERM stops serve with exit 0.
set -u
snpkit=$(realpath "$1")
pass=0
fail=0
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# Wait for a --json listening line in $1; print the port.
wait_port() {
    local p=
    for _ in $(seq 1 200); do
        p=$(sed -n 's/.*"port": \([0-9]*\).*/\1/p' "$1")
        [ -n "$p" ] && break
        sleep 0.1
    done
    echo "$p"
}

"$snpkit" atls serve >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "serve without --listen: want exit 2"
"$snpkit" atls serve --sim --listen 0.0.0.0:0 --state "$work/st" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "simulated serve on a non-loopback address: want exit 2"

st="$work/st"
"$snpkit" atls serve --listen 127.0.0.1:0 --state "$st" --rsa-bits 2048 --certs-out "$work/c" \
    --json >"$work/serve.out" 2>"$work/serve.err" &
spid=$!
pids+=("$spid")
port=$(wait_port "$work/serve.out")
[ -n "$port" ] && ok || { bad "no listening line: $(cat "$work/serve.err")"; port=1; }
meas=$(sed -n 's/.*"measurement": "\([0-9a-f]*\)".*/\1/p' "$work/serve.out")
[ ${#meas} -eq 96 ] && ok || bad "no 48-byte measurement in: $(cat "$work/serve.out")"
[ -s "$work/c/ark.pem" ] && [ -s "$work/c/ask.pem" ] && [ -s "$work/c/vcek.pem" ] && ok ||
    bad "--certs-out did not write ark.pem, ask.pem, vcek.pem"

# Verified: the line comes back from the echo service.
out=$(echo "hello attested world" | timeout 30 "$snpkit" atls connect "127.0.0.1:$port" \
    --root "$work/c/ark.pem" --expect-measurement "$meas" 2>"$work/conn.err")
rc=$?
[ $rc -eq 0 ] && [ "$out" = "hello attested world" ] && ok ||
    bad "verified exchange: rc $rc, out '$out': $(cat "$work/conn.err")"
grep -q "verified: cached evidence" "$work/conn.err" && ok || bad "no verified claims printed"

out=$(echo "fresh line" | timeout 30 "$snpkit" atls connect "127.0.0.1:$port" --fresh \
    --root "$work/c/ark.pem" --expect-measurement "$meas" 2>"$work/fresh.err")
rc=$?
[ $rc -eq 0 ] && [ "$out" = "fresh line" ] && grep -q "verified: fresh evidence" "$work/fresh.err" &&
    ok || bad "fresh exchange: rc $rc, out '$out': $(cat "$work/fresh.err")"

# Rejected before any application byte: exit 1, the named check, nothing echoed.
wrong=$(printf '%096d' 0)
out=$(echo "must not arrive" | timeout 30 "$snpkit" atls connect "127.0.0.1:$port" \
    --root "$work/c/ark.pem" --expect-measurement "$wrong" 2>"$work/wrong.err")
rc=$?
[ $rc -eq 1 ] && [ -z "$out" ] && grep -q "FAIL policy.measurement" "$work/wrong.err" && ok ||
    bad "wrong measurement: rc $rc, out '$out': $(cat "$work/wrong.err")"

out=$(echo "must not arrive" | timeout 30 "$snpkit" atls connect "127.0.0.1:$port" \
    --expect-measurement "$meas" 2>"$work/noroot.err")
rc=$?
[ $rc -eq 1 ] && [ -z "$out" ] && grep -q "FAIL chain.ark_pinned" "$work/noroot.err" && ok ||
    bad "no --root: rc $rc, out '$out': $(cat "$work/noroot.err")"

# An ordinary TLS client connects without verification (self-signed certificate).
if command -v openssl >/dev/null 2>&1; then
    (echo "plain tool"; sleep 1) | timeout 20 openssl s_client -connect "127.0.0.1:$port" \
        -ign_eof >"$work/sc.out" 2>&1
    grep -q "TLSv1.3" "$work/sc.out" && grep -q "^plain tool" "$work/sc.out" && ok ||
        bad "openssl s_client: $(tail -c 400 "$work/sc.out")"
else
    echo "SKIP: openssl is not installed (s_client check not run)"
fi

kill -TERM "$spid"
wait "$spid"
rc=$?
[ $rc -eq 0 ] && ok || bad "serve after SIGTERM: exit $rc, want 0: $(cat "$work/serve.err")"

# The proxy in front of a plain backend that records what reaches it.
if command -v python3 >/dev/null 2>&1 && python3 -c 'import socket' 2>/dev/null; then
    cat >"$work/backend.py" <<'EOF'
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print('{"port": %d}' % s.getsockname()[1], flush=True)
log = open(sys.argv[1], "ab", 0)
while True:
    c, _ = s.accept()
    log.write(b"[connection]")
    d = c.recv(4096)
    log.write(d)
    c.sendall(b"backend got: " + d)
    c.close()
EOF
    python3 "$work/backend.py" "$work/backend.log" >"$work/backend.out" 2>&1 &
    pids+=("$!")
    bport=$(wait_port "$work/backend.out")
    "$snpkit" atls proxy --listen 127.0.0.1:0 --backend "127.0.0.1:$bport" --state "$st" --json \
        >"$work/proxy.out" 2>"$work/proxy.err" &
    ppid=$!
    pids+=("$ppid")
    pport=$(wait_port "$work/proxy.out")
    [ -n "$bport" ] && [ -n "$pport" ] && ok ||
        { bad "proxy or backend did not start: $(cat "$work/proxy.err")"; pport=1; }
    echo "secret for a wrong CVM" | timeout 30 "$snpkit" atls connect "127.0.0.1:$pport" \
        --root "$work/c/ark.pem" --expect-measurement "$wrong" >/dev/null 2>"$work/pw.err"
    rc=$?
    [ $rc -eq 1 ] && grep -q "policy.measurement" "$work/pw.err" && [ ! -s "$work/backend.log" ] &&
        ok || bad "proxy, wrong measurement: rc $rc; backend saw '$(cat "$work/backend.log")'"
    out=$(echo "ping" | timeout 30 "$snpkit" atls connect "127.0.0.1:$pport" \
        --root "$work/c/ark.pem" --expect-measurement "$meas" 2>"$work/pv.err")
    [ "$out" = "backend got: ping" ] && grep -q "ping" "$work/backend.log" && ok ||
        bad "proxy, verified: out '$out': $(cat "$work/pv.err")"
    kill -TERM "$ppid"
    wait "$ppid"
    [ $? -eq 0 ] && ok || bad "proxy after SIGTERM: want exit 0"
else
    echo "SKIP: python3 is not available (proxy backend check not run)"
fi

echo "atls_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

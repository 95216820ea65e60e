#!/bin/bash
# tests/e2e/kds_cli.sh SNPKIT SRC - `snpkit kds fetch|url|ls` as a user runs them, against a
# local key server (python3 http.server on 127.0.0.1, an ephemeral port) serving the synthetic
# collateral of tests/fuzz/corpus/fuzz_kds_response: store filled, store hits, offline with an
# empty store, 404 and an HTML 200 (never stored), JSON output, usage errors and exit codes.
# Only 127.0.0.1 is contacted.
set -u
snpkit=$(realpath "$1")
src=$(realpath "$2")
corpus=$src/tests/fuzz/corpus/fuzz_kds_response
pass=0
fail=0
skip=0
work=$(mktemp -d)
srv_pid=
trap '[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; rm -rf "$work"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run NAME WANT_RC CMD... : run, keep stdout/stderr in $work/NAME.{out,err}, check the exit code
run() {
    local name=$1 want=$2
    shift 2
    "$@" >"$work/$name.out" 2>"$work/$name.err"
    local rc=$?
    if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, want $want: $(head -c 400 "$work/$name.err")"; fi
}
has() { grep -qE -- "$2" "$work/$1" && ok || bad "$1 lacks /$2/: $(head -c 400 "$work/$1")"; }
hasnt() { grep -qE -- "$2" "$work/$1" && bad "$1 has /$2/" || ok; }

unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
cd "$work" || exit 1

# ---- usage and help: no server needed ----------------------------------------------------------
run help 0 "$snpkit" kds --help
has help.out 'snpkit kds fetch'
run helpcmd 0 "$snpkit" help kds
run helpsub 0 "$snpkit" kds fetch --help
run noargs 2 "$snpkit" kds
run badsub 2 "$snpkit" kds frobnicate
has badsub.err "unknown 'kds' subcommand"
run noreport 2 "$snpkit" kds fetch --store "$work/s0"
run badprod 2 "$snpkit" kds url --product venice x.bin
run badkds 2 "$snpkit" kds url --kds ftp://x x.bin

# ---- a VCEK-signed Genoa report with a known chip and TCB ---------------------------------------
"$snpkit" report example --report-version 3 --product genoa --out ex.bin >/dev/null 2>&1 || bad "report example"
if ! command -v python3 >/dev/null; then
    echo "SKIP: python3 not found, the local key server cannot run"
    skip=$((skip + 1))
    echo "kds_cli: $pass passed, $fail failed, $skip skipped"
    [ "$fail" -eq 0 ]
    exit
fi
python3 - ex.bin <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[0x48:0x4c] = b'\0\0\0\0'                          # SIGNING_KEY = VCEK
b[0x180:0x188] = bytes([10, 0, 0, 0, 0, 0, 23, 84])  # REPORTED_TCB: bl 10, snp 23, ucode 84
b[0x1a0:0x1e0] = bytes(range(0x40, 0x80))           # CHIP_ID
open('vcek.bin', 'wb').write(b)
b[0x1a0:0x1e0] = bytes(range(0x41, 0x81))           # a chip the server does not know
open('unknown.bin', 'wb').write(b)
b[0x1a0:0x1e0] = bytes(range(0x42, 0x82))           # a chip the server answers with HTML
open('html.bin', 'wb').write(b)
b[0x48:0x4c] = b'\x04\0\0\0'                        # SIGNING_KEY = VLEK
open('vlek.bin', 'wb').write(b)
PY
hw() { python3 -c "print(bytes(range($1, $1 + 64)).hex())"; }
mkdir -p srv/vcek/v1/Genoa srv/vlek/v1/Genoa
tail -c +2 "$corpus/vcek_ok" >"srv/vcek/v1/Genoa/$(hw 0x40)"
tail -c +2 "$corpus/vcek_html" >"srv/vcek/v1/Genoa/$(hw 0x42)"
for l in vcek vlek; do
    tail -c +2 "$corpus/chain_ok" >srv/$l/v1/Genoa/cert_chain
    tail -c +2 "$corpus/crl_ok" >srv/$l/v1/Genoa/crl
done

# The server prints its port; wait for it (at most ~5 s).
(cd srv && exec python3 -u -m http.server --bind 127.0.0.1 0 >"$work/srv.log" 2>&1) &
srv_pid=$!
port=
for _ in $(seq 50); do
    port=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' srv.log | head -1)
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    bad "local key server did not start: $(cat srv.log)"
    echo "kds_cli: $pass passed, $fail failed, $skip skipped"
    exit 1
fi
kds=http://127.0.0.1:$port
st=$work/store

# ---- url ---------------------------------------------------------------------------------------
run url 0 "$snpkit" kds url --kds "$kds" vcek.bin
has url.out "^vcek +$kds/vcek/v1/Genoa/$(hw 0x40)\?blSPL=10&teeSPL=0&snpSPL=23&ucodeSPL=84$"
has url.out "^cert_chain +$kds/vcek/v1/Genoa/cert_chain$"
run urlvlek 0 "$snpkit" kds url --kds "$kds" --json vlek.bin
has urlvlek.out '"vcek":null,"vcek_note":"VLEK-signed'
has urlvlek.out "\"cert_chain\":\"$kds/vlek/v1/Genoa/cert_chain\""

# ---- offline with an empty store: says what is missing, exit 3, no request ----------------------
run offline 3 "$snpkit" kds fetch --offline --store "$st" --kds "$kds" vcek.bin
has offline.err "vcek: vcek not in the store \($st/vcek/Genoa/$(hw 0x40)/0a00000000001754.der\) and offline"
has offline.err 'cert_chain: .*offline.*SNP_E_NOTFOUND'
hasnt srv.log 'GET /'

# ---- fetch fills the store; a second fetch is served by the store -------------------------------
run fetch1 0 "$snpkit" kds fetch --store "$st" --kds "$kds" vcek.bin
has fetch1.out '^  vcek +ok +network '
has fetch1.out '^  cert_chain +ok +network '
has fetch1.out '^  crl +(ok|stale) +network .*nextUpdate 2026-10-04T00:00:00Z'
[ -f "$st/vcek/Genoa/$(hw 0x40)/0a00000000001754.der" ] && ok || bad "VCEK not stored"
cmp -s "$st/chain/Genoa/vcek.pem" srv/vcek/v1/Genoa/cert_chain && ok || bad "chain stored differs"
n1=$(grep -c 'GET /' srv.log)
run fetch2 0 "$snpkit" kds fetch --store "$st" --kds "$kds" --trace vcek.bin
has fetch2.out '^  vcek +ok +store '
has fetch2.out '^  cert_chain +ok +store '
has fetch2.err 'kds: store: '
n2=$(grep -c 'GET /' srv.log)
# Only the CRL may be asked again (it is past its nextUpdate by now).
[ $((n2 - n1)) -le 1 ] && ok || bad "second fetch made $((n2 - n1)) requests"
run offline2 0 "$snpkit" kds fetch --offline --store "$st" --kds "$kds" vcek.bin

# ---- JSON ---------------------------------------------------------------------------------------
run fetchjson 0 "$snpkit" kds fetch --json --store "$st" --kds "$kds" vcek.bin vlek.bin
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="snpkit.kds.fetch.v1"; assert [r["key"] for r in d["reports"]]==["vcek","vlek"]; assert d["reports"][1]["items"][0]["state"]=="n/a"' fetchjson.out && ok || bad "fetch --json: $(cat fetchjson.out)"

printf 'junk' >junk.bin
run fetchjson2 1 "$snpkit" kds fetch --json --store "$st" --kds "$kds" junk.bin vcek.bin
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["reports"])==1' fetchjson2.out && ok || bad "fetch --json after a bad report: $(cat fetchjson2.out)"
has fetchjson2.err 'junk.bin: not an attestation report'

# ---- 404 and an HTML 200: clear errors, nothing stored -------------------------------------------
run nf 3 "$snpkit" kds fetch --store "$st" --kds "$kds" unknown.bin
has nf.err 'vcek: .*HTTP 404.*no VCEK for this chip.*SNP_E_NOTFOUND'
[ -e "$st/vcek/Genoa/$(hw 0x41)" ] && bad "404 created a store entry" || ok
run html 3 "$snpkit" kds fetch --store "$st" --kds "$kds" html.bin
has html.err 'HTTP 200 but the body is not a DER certificate.*nothing stored.*SNP_E_NETWORK'
[ -e "$st/vcek/Genoa/$(hw 0x42)" ] && bad "HTML body was stored" || ok

# ---- ls ----------------------------------------------------------------------------------------
run ls 0 "$snpkit" kds ls --store "$st"
has ls.out "^store: $st$"
has ls.out '^Genoa +cert_chain +vcek +ok '
has ls.out '^Genoa +cert_chain +vlek +ok '
has ls.out "^Genoa +vcek +vcek +ok +[0-9]+  vcek/Genoa/$(hw 0x40)/0a00000000001754.der$"
run lsjson 0 "$snpkit" kds ls --json --store "$st"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["entries"]; assert len(e)==5, e; assert sum(x["item"]=="vcek" for x in e)==1' lsjson.out && ok || bad "ls --json: $(cat lsjson.out)"
run lsempty 0 "$snpkit" kds ls --store "$work/nothing"
has lsempty.out '^\(empty\)$'

echo "kds_cli: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]

#!/bin/bash
# tests/e2e/verify_cli.sh SNPKIT SRC - `snpkit verify` as a user runs it: usage errors (2),
# unreadable input (3), --help; and, when the external vectors are present, every case of
# cases.tsv at its time (VALID exit 0, INVALID exit 1 naming the failing check), a tampered
# report, missing collateral (3), --json (parsed by python3), policy file == flags, policy
# violations naming policy.*, several files and --batch (one line each, a summary, worst code).
set -u
snpkit=$(realpath "$1")
src=$(realpath "$2")
pass=0
fail=0
skip=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run NAME WANT_RC CMD... : run, keep stdout/stderr in $work/NAME.{out,err}, check the exit code
run() {
    local name=$1 want=$2
    shift 2
    "$@" >"$work/$name.out" 2>"$work/$name.err"
    local rc=$?
    if [ "$rc" -eq "$want" ]; then ok; else
        bad "$name: exit $rc, want $want: $(head -c 300 "$work/$name.err") $(grep -m2 -E '^ *(FAIL|ERROR)' "$work/$name.out")"
    fi
}

# has NAME REGEX : stdout of NAME matches
has() { grep -qE -- "$2" "$work/$1.out" && ok || bad "$1: stdout lacks /$2/"; }
# err_line NAME REGEX : stderr is one line matching REGEX
err_line() {
    local n
    n=$(wc -l <"$work/$1.err")
    if [ "$n" -eq 1 ] && grep -qE -- "$2" "$work/$1.err"; then ok; else
        bad "$1: want one stderr line matching /$2/, got: $(cat "$work/$1.err")"
    fi
}
# json_ok NAME : stdout of NAME is valid JSON
json_ok() {
    python3 -m json.tool "$work/$1.out" >/dev/null 2>"$work/$1.jerr" && ok || bad "$1: not valid JSON: $(head -c 200 "$work/$1.jerr")"
}
# jq_py NAME EXPR : evaluate a python expression over the parsed JSON (as j); true passes
jq_py() {
    python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$work/$1.out" && ok || bad "$1: JSON does not satisfy: $2"
}

cd "$work" || exit 1

# ---- without vectors: usage, I/O errors, help --------------------------------------------------
"$snpkit" report example --report-version 3 --product genoa --out ex3.bin >/dev/null 2>&1
run help 0 "$snpkit" verify --help
has help 'usage: snpkit verify'
for k in expect-measurement expect-report-data-prefix min-tcb require-vmpl allow-debug \
    trusted-id-key-digest forbid-platform require-current-mit-vector --at --crl-mode --batch \
    --store --offline --kds --cert-table --root; do
    grep -qF -- "$k" help.out || bad "verify --help does not document $k"
done
ok
run helpcmd 0 "$snpkit" help verify
cmp -s help.out helpcmd.out && ok || bad "'snpkit help verify' differs from 'verify --help'"
run noargs 2 "$snpkit" verify
err_line noargs 'no report FILE given'
run badopt 2 "$snpkit" verify --bogus ex3.bin
err_line badopt "unknown option '--bogus'"
run noval 2 "$snpkit" verify ex3.bin --vcek
err_line noval '--vcek needs a value'
run badat 2 "$snpkit" verify --at yesterday ex3.bin
err_line badat "--at 'yesterday' is not an RFC 3339 time"
run badmode 2 "$snpkit" verify --crl-mode maybe ex3.bin
run badprod 2 "$snpkit" verify --product venice ex3.bin
run both 2 "$snpkit" verify --batch . ex3.bin
run badflag 2 "$snpkit" verify --require-vmpl 7 ex3.bin
err_line badflag "require-vmpl: '7' is out of range \(0-3\).*SNP_E_RANGE"
run badhexflag 2 "$snpkit" verify --expect-measurement abcd ex3.bin
err_line badhexflag 'expect-measurement: 2 bytes, want 48'
printf '{"expect-measurment": "00"}' >typo.json
run badpolicy 2 "$snpkit" verify --policy typo.json ex3.bin
err_line badpolicy 'typo.json: unknown key "expect-measurment"'
printf '{"min-guest-svn": "1"}' >wrongtype.json
run wrongtype 2 "$snpkit" verify --policy wrongtype.json ex3.bin
err_line wrongtype 'min-guest-svn: want an integer, got a string'
run nopolicy 3 "$snpkit" verify --policy does-not-exist.json ex3.bin
err_line nopolicy 'does-not-exist.json: cannot open'
run missing 3 "$snpkit" verify --offline --store "$work/emptystore" does-not-exist.bin
err_line missing 'does-not-exist.bin: cannot open'
[ -s missing.out ] && bad "missing: stdout not empty" || ok
run nocert 3 "$snpkit" verify --vcek does-not-exist.der ex3.bin
err_line nocert 'does-not-exist.der: cannot open'
run nobatch 3 "$snpkit" verify --batch does-not-exist.d
# An unsigned sample report is rejected, not "could not check".
run unsigned 1 "$snpkit" verify --offline --store "$work/emptystore" ex3.bin
has unsigned '^REJECTED'

# ---- the external vectors --------------------------------------------------------------------
vec=${SNPKIT_VECTORS:-$src/../shared/vectors}
if [ ! -d "$vec" ] || [ ! -f "$vec/cases.tsv" ]; then
    echo "SKIP: external vectors not found ($vec); the real-report verify checks did not run"
    skip=$((skip + 1))
    echo "verify_cli: $pass passed, $fail failed, $skip skipped"
    [ "$fail" -eq 0 ]
    exit
fi

# Collateral arguments of a cases.tsv row: --vcek, one --chain per '+' part, and --root for the
# tinfoil synthetic-root cases (their ARK is not AMD's).
case_args() {
    local vek=$1 chain=$2 c
    args=(--offline --store "$work/emptystore" --vcek "$vec/$vek")
    IFS='+' read -ra parts <<<"$chain"
    for c in "${parts[@]}"; do args+=(--chain "$vec/$c"); done
    case "$chain" in tinfoil-conformance/[67]*) args+=(--root "$vec/${parts[0]}") ;; esac
}

# The failing check each negative case must name (others: any FAIL line).
declare -A want_check=(
    [trustee-milan-vlek-v3-now]=chain.validity [constellation-vlek-v2]=report.signature
    [ms-milan-with-genoa-ask]=chain.ark_pinned [tc-210-wrong-version]=report.
    [tc-211-truncated]=report.decode [tc-220-sig-flip]=report.signature
    [tc-221-meas-tamper]=report.signature [tc-230-vcek-byte0]=collateral.input
    [tc-231-vcek-sig]=chain.leaf_signed_by_ask [tc-240-expired]=chain.validity
    [tc-700-hwid]=vcek.hwid [tc-701-bl-spl]=vcek.tcb [tc-702-ucode-spl]=vcek.tcb
    [tc-703-no-hwid]=vcek.extensions
)
ncases=0
while IFS=$'\t' read -r id rep vek chain at expected _; do
    case "$id" in '#'* | '') continue ;; esac
    ncases=$((ncases + 1))
    case_args "$vek" "$chain"
    extra=()
    # go-sev-guest's report has POLICY.DEBUG set: valid evidence, but the default policy
    # rejects it by name; --allow-debug accepts it.
    if [ "$id" = gsg-milan-v2 ]; then
        run "case_$id.default" 1 "$snpkit" verify --at "$at" "${args[@]}" "$vec/$rep"
        has "case_$id.default" '^  FAIL  policy\.debug '
        extra=(--allow-debug)
    fi
    if [ "$expected" = VALID ]; then
        run "case_$id" 0 "$snpkit" verify --at "$at" "${args[@]}" "${extra[@]}" "$vec/$rep"
        has "case_$id" '^VERIFIED '
    else
        run "case_$id" 1 "$snpkit" verify --at "$at" "${args[@]}" "$vec/$rep"
        has "case_$id" '^REJECTED '
        has "case_$id" "^  FAIL  ${want_check[$id]:-}"
    fi
done <"$vec/cases.tsv"
[ "$ncases" -ge 30 ] && ok || bad "cases.tsv has only $ncases cases"

# A Genoa report and its collateral for the remaining checks.
g=tinfoil-conformance/200-real-sev-snp-happy
ga=(--offline --store "$work/emptystore" --at 2026-06-01T00:00:00Z --vcek "$vec/$g/vcek.der" --chain "$vec/go-sev-guest/ask_ark_genoa.pem")
meas=$(python3 -c "import sys; print(open(sys.argv[1],'rb').read()[0x90:0xC0].hex())" "$vec/$g/report.bin")

# Tampered: one bit of MEASUREMENT flipped -> the signature check fails by name.
python3 - "$vec/$g/report.bin" tampered.bin <<'EOF'
import sys
b = bytearray(open(sys.argv[1], 'rb').read()); b[0x90] ^= 1
open(sys.argv[2], 'wb').write(b)
EOF
run tampered 1 "$snpkit" verify "${ga[@]}" tampered.bin
has tampered '^REJECTED'
has tampered '^  FAIL  report\.signature .*SNP_E_SIG'

# Input forms: hex and base64 text verify like the binary.
python3 -c "import sys; print(open(sys.argv[1],'rb').read().hex())" "$vec/$g/report.bin" >report.hex
base64 "$vec/$g/report.bin" >report.b64
run hexform 0 "$snpkit" verify "${ga[@]}" report.hex
run b64form 0 "$snpkit" verify "${ga[@]}" report.b64
run stdinform 0 sh -c "\"$snpkit\" verify ${ga[*]} - <\"$vec/$g/report.bin\""

# Missing collateral, offline with an empty store: could not check (3), never "rejected".
run nocoll 3 "$snpkit" verify --at 2026-06-01T00:00:00Z --offline --store "$work/emptystore" "$vec/$g/report.bin"
has nocoll '^COULD NOT CHECK'
has nocoll 'collateral\.vcek'

# --json parses and carries the verdict and the named checks.
run json 0 "$snpkit" verify --json "${ga[@]}" "$vec/$g/report.bin"
json_ok json
jq_py json 'j["schema"] == "snpkit.verify.v1" and j["verdict"] == "verified" and j["exit_code"] == 0 and j["product"] == "Genoa" and j["signing_key"] == "VCEK" and j["root"]["overridden"] is False and j["verified_at"] == "2026-06-01T00:00:00Z"'
jq_py json 'any(c["name"] == "report.signature" and c["status"] == "pass" for c in j["checks"]) and j["counts"]["fail"] == 0'
run jsonbad 1 "$snpkit" verify --json "${ga[@]}" tampered.bin
json_ok jsonbad
jq_py jsonbad 'j["verdict"] == "rejected" and j["error"]["name"] == "SNP_E_SIG" and any(c["name"] == "report.signature" and c["status"] == "fail" and c["error"] == "SNP_E_SIG" for c in j["checks"])'

# Policy: a violation names policy.measurement; the right value passes.
run wrongmeas 1 "$snpkit" verify "${ga[@]}" --expect-measurement "$(printf '%096d' 0)" "$vec/$g/report.bin"
has wrongmeas '^REJECTED'
has wrongmeas '^  FAIL  policy\.measurement .*differs from byte 0.*SNP_E_MISMATCH'
run rightmeas 0 "$snpkit" verify "${ga[@]}" --expect-measurement "$meas" "$vec/$g/report.bin"
has rightmeas '^  pass  policy\.measurement '
run lowtcb 1 "$snpkit" verify "${ga[@]}" --min-tcb reported:snp=24 "$vec/$g/report.bin"
has lowtcb '^  FAIL  policy\.min_tcb\.reported .*snp 24 > 23'
run wrongnonce 1 "$snpkit" verify "${ga[@]}" --expect-report-data-prefix 00112233 "$vec/$g/report.bin"
has wrongnonce '^  FAIL  policy\.report_data .*SNP_E_BINDING'

# The same policy from a file and from flags gives the same output.
cat >policy.json <<EOF
{
  "comment": "e2e",
  "expect-measurement": "$meas",
  "min-tcb": {"reported": {"bl": 10, "snp": 23, "ucode": 84}, "launch": {"snp": 1}},
  "require-vmpl": 0,
  "allow-smt": true,
  "forbid-platform": ["TIO_EN"],
  "require-platform": "ALIAS_CHECK_COMPLETE",
  "min-firmware": "1.55"
}
EOF
run polfile 0 "$snpkit" verify --json "${ga[@]}" --policy policy.json "$vec/$g/report.bin"
run polflags 0 "$snpkit" verify --json "${ga[@]}" --expect-measurement "$meas" \
    --min-tcb reported:bl=10,snp=23,ucode=84 --min-tcb launch:snp=1 --require-vmpl 0 \
    --allow-smt=true --forbid-platform TIO_EN --require-platform ALIAS_CHECK_COMPLETE \
    --min-firmware 1.55 "$vec/$g/report.bin"
cmp -s polfile.out polflags.out && ok || bad "policy file and flags give different output: $(diff polfile.out polflags.out | head -5)"
has polfile '"policy.platform.alias_check_complete", "status": "pass"'
# Flags apply after the file: a flag overrides the file's value.
run polover 1 "$snpkit" verify "${ga[@]}" --policy policy.json --require-vmpl 1 "$vec/$g/report.bin"
has polover '^  FAIL  policy\.vmpl '

# --root is said out loud.
r=tinfoil-conformance/604-synth-baseline-accept
run root 0 "$snpkit" verify --at 2026-06-01T00:00:00Z --vcek "$vec/$r/vcek.der" --chain "$vec/$r/ask_ark.pem" --root "$vec/$r/ask_ark.pem" "$vec/$r/report.bin"
has root 'root +OVERRIDDEN by --root .*ask_ark.pem'

# Several files: one line each, a summary, the worst exit code.
g2=tinfoil-verifier/sev-snp-guest-v2.report.bin # same chip and TCB as $g's VCEK
run many 1 "$snpkit" verify "${ga[@]}" "$vec/$g/report.bin" "$vec/$g2" tampered.bin
[ "$(grep -c '^VERIFIED ' many.out)" -eq 2 ] && ok || bad "many: want 2 VERIFIED lines"
has many '^REJECTED +tampered\.bin +report\.signature: '
has many '^summary: 3 reports: 2 verified, 1 rejected, 0 could not check'
mkdir batch
cp "$vec/$g/report.bin" batch/a.bin
cp "$vec/$g2" batch/b.bin
cp tampered.bin batch/c.bin
run batch 1 "$snpkit" verify "${ga[@]}" --batch batch
has batch '^summary: 3 reports: 2 verified, 1 rejected'
head -n 1 batch.out | grep -q 'batch/a.bin' && ok || bad "batch: files not in name order"
run batchjson 1 "$snpkit" verify --json "${ga[@]}" --batch batch
json_ok batchjson
jq_py batchjson 'j["schema"] == "snpkit.verify.batch.v1" and len(j["results"]) == 3 and j["summary"] == {"reports": 3, "verified": 2, "rejected": 1, "could_not_check": 0, "exit_code": 1}'
cp "$vec/$g/report.bin" ok1.bin
run worst 3 "$snpkit" verify "${ga[@]}" ok1.bin does-not-exist.bin
has worst '^COULD NOT CHECK +does-not-exist.bin'
has worst 'summary: 2 reports: 1 verified, 0 rejected, 1 could not check'
run worstjson 3 "$snpkit" verify --json "${ga[@]}" ok1.bin does-not-exist.bin
json_ok worstjson
jq_py worstjson 'j["results"][1]["verdict"] == "could_not_check" and j["results"][1]["error"]["name"] == "SNP_E_IO"'
run verbose 1 "$snpkit" verify -v "${ga[@]}" ok1.bin tampered.bin
[ "$(grep -c '^  pass  report\.decode' verbose.out)" -eq 2 ] && ok || bad "verbose: want both check lists"

echo "verify_cli: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]

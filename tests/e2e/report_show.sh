#!/bin/bash
# tests/e2e/report_show.sh SNPKIT SRC - `snpkit report show` as a user runs it: golden human,
# JSON and raw output, every input form, exit codes and one-line errors, and (when the external
# vectors are present) the spec's field values for every real report.
set -u
snpkit=$(realpath "$1")
src=$(realpath "$2")
golden=$src/tests/e2e/golden
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
    if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, want $want: $(head -c 300 "$work/$name.err")"; fi
}

# same_as_golden NAME FILE : stdout of NAME equals the golden file (diff shown on mismatch)
same_as_golden() {
    if diff -u "$golden/$2" "$work/$1.out" >"$work/$1.diff"; then ok; else
        bad "$1 differs from golden $2:"
        head -n 40 "$work/$1.diff"
    fi
}

# one_error_line NAME PATTERN : stderr is exactly one line and matches PATTERN; stdout empty
one_error_line() {
    local n
    n=$(wc -l <"$work/$1.err")
    if [ "$n" -eq 1 ] && grep -qE "$2" "$work/$1.err" && [ ! -s "$work/$1.out" ]; then ok; else
        bad "$1: want one stderr line matching /$2/ and empty stdout, got: $(cat "$work/$1.err")"
    fi
}

cd "$work" || exit 1

# ---- golden outputs of the deterministic example reports -----------------------------------
for v in "2 milan" "3 genoa" "5 turin"; do
    set -- $v
    run "ex$1" 0 "$snpkit" report example --report-version "$1" --product "$2" --out "ex$1.bin"
    run "show$1" 0 "$snpkit" report show "ex$1.bin"
    same_as_golden "show$1" "example_v$1_$2.txt"
    run "json$1" 0 "$snpkit" report show --json "ex$1.bin"
    same_as_golden "json$1" "example_v$1_$2.json"
done
run raw3 0 "$snpkit" report show --raw ex3.bin
same_as_golden raw3 example_v3_genoa.raw
run showp2 0 "$snpkit" report show --product turin ex2.bin
grep -q 'from --product' showp2.out && ok || bad "v2 with --product does not say where the product came from"

# ---- input forms: hex, base64 and stdin give the same fields --------------------------------
xxd -p ex3.bin >ex3.hex 2>/dev/null || od -An -v -tx1 ex3.bin >ex3.hex
base64 ex3.bin >ex3.b64
run hex 0 "$snpkit" report show --json ex3.hex
run b64 0 "$snpkit" report show --json ex3.b64
run stdin 0 sh -c "\"$snpkit\" report show --json - <ex3.bin"
for f in hex b64 stdin; do
    if diff <(grep -v '"file"' json3.out) <(grep -v '"file"' "$f.out") >/dev/null; then ok; else
        bad "input form $f decodes differently from binary"
    fi
done
run forced 0 "$snpkit" report show --in-format base64 ex3.b64

# ---- bad input: one line naming file, offset and reason; exit codes -------------------------
head -c 1183 ex3.bin >short.bin
run short 1 "$snpkit" report show short.bin
one_error_line short '^snpkit: short.bin: offset 0x49f: 1183 bytes, a report is 1184: .*SNP_E_TRUNCATED'
cp ex3.bin long.bin && printf '\n' >>long.bin
run long 1 "$snpkit" report show long.bin
one_error_line long 'long.bin: offset 0x4a0: 1185 bytes.*SNP_E_TRAILING'
cp ex3.bin v4.bin && printf '\004' | dd of=v4.bin conv=notrunc 2>/dev/null
run v4 1 "$snpkit" report show v4.bin
one_error_line v4 'v4.bin: offset 0x000: report VERSION 4 is not supported.*SNP_E_UNSUPPORTED'
cp ex3.bin v9.bin && printf '\011' | dd of=v9.bin conv=notrunc 2>/dev/null
run v9 1 "$snpkit" report show v9.bin
one_error_line v9 'v9.bin: offset 0x000: report VERSION 9 is not one of 2, 3, 5.*SNP_E_VERSION'
printf 'this is not a report\n' >notes.txt
run notes 1 "$snpkit" report show notes.txt
one_error_line notes 'notes.txt: '
printf 'zz11' >badhex.txt
run badhex 1 "$snpkit" report show --in-format hex badhex.txt
one_error_line badhex 'badhex.txt: not valid hex text'
run missing 3 "$snpkit" report show does-not-exist.bin
one_error_line missing 'does-not-exist.bin: cannot open'
run noargs 2 "$snpkit" report show
run badopt 2 "$snpkit" report show --bogus ex3.bin
run badprod 2 "$snpkit" report show --product venice ex3.bin
run conflict 2 "$snpkit" report show --product milan ex3.bin
one_error_line conflict 'conflicts with the report'
run help 0 "$snpkit" report --help
grep -q 'usage: snpkit report show' help.out && ok || bad "report --help lacks usage"
run helpcmd 0 "$snpkit" help report
cmp -s help.out helpcmd.out && ok || bad "'snpkit help report' differs from 'report --help'"
run tty 2 script -qec "\"$snpkit\" report example --out -" /dev/null
run unknown 2 "$snpkit" frobnicate

# ---- real reports from the external vectors (skip visibly when absent) ----------------------
vec=${SNPKIT_VECTORS:-$src/../shared/vectors}
# file | version | product | vmpl | signing key | policy | REPORTED_TCB components | fw | extra grep
cases=(
"go-sev-guest/attestation.bin|2|null|0|VCEK|0x00000000000b0000|\"boot_loader\": 2, \"tee\": 0, \"snp\": 5, \"microcode\": 68|1 49 3|\"measurement\": \"b07af962"
"virtee-sev/report_milan.hex.bin|2|null|0|VCEK||\"boot_loader\": 3, \"tee\": 0, \"snp\": 8, \"microcode\": 115|1 52 4|"
"trustee/test-vlek-report.bin|3|Milan|1|VLEK||\"boot_loader\": 4, \"tee\": 0, \"snp\": 24, \"microcode\": 217|||"
"trustee/evidence.json.report.bin|3|Genoa|0|VCEK||\"boot_loader\": 10, \"tee\": 0, \"snp\": 23, \"microcode\": 25||\"model\": 160"
"teekit/sev-gcp.bin|5|Milan|0|VCEK||\"boot_loader\": 4, \"tee\": 0, \"snp\": 27, \"microcode\": 222|1 55 35|\"launch_mit_vector\": \"0x000000000000000b\""
"teekit/sev-gcp-reportdata.bin|5|Milan|1|VCEK||||\"measurement\": \"b747d55452e0b9e9"
"constellation/aws-snp/report.txt.bin|3|Milan||||||\"signing_key\": \"VLEK\""
"ms-tee-attestation-verification/genoa_attestation_report.bin|3|Genoa|0|VCEK|0x000000000003001f|\"boot_loader\": 10, \"tee\": 0, \"snp\": 23, \"microcode\": 84|||"
"ms-tee-attestation-verification/turin_attestation_report.bin|5|Turin|0|VCEK||\"fmc\": 1, \"boot_loader\": 1, \"tee\": 1, \"snp\": 4, \"microcode\": 81|1 55 65|\"chip_id\": \"59790fb1c39f35c1000000"
"tinfoil-conformance/200-real-sev-snp-happy/report.bin|3|Genoa||VCEK|0x0000000000030000|||\"measurement\": \"09ef32ac"
"lit-sev-snp-utils/guest_report.bin|2|null||VCEK|0x0000000000030000|\"boot_loader\": 2, \"tee\": 0, \"snp\": 5, \"microcode\": 115|1 51 3|\"measurement\": \"7659528961bc689a"
)
if [ ! -d "$vec" ]; then
    echo "SKIP: external vectors not found ($vec); the real-report checks did not run"
    skip=$((skip + ${#cases[@]}))
else
    for c in "${cases[@]}"; do
        IFS='|' read -r file ver prod vmpl key pol tcb fw extra <<<"$c"
        name=$(echo "$file" | tr '/.' '__')
        run "$name" 0 "$snpkit" report show --json "$vec/$file"
        o=$work/$name.out
        chk() { grep -qF -- "$1" "$o" || bad "$file: want $1"; }
        chk "\"version\": $ver,"
        if [ "$prod" = null ]; then chk '"product": null'; else chk "\"product\": \"$prod\""; fi
        [ -n "$vmpl" ] && chk "\"vmpl\": $vmpl,"
        [ -n "$key" ] && chk "\"signing_key\": \"$key\""
        [ -n "$pol" ] && chk "\"policy\": {\"raw\": \"$pol\""
        if [ -n "$tcb" ]; then
            grep -F '"reported_tcb"' "$o" | grep -qF -- "$tcb" || bad "$file: reported_tcb lacks $tcb"
        fi
        if [ -n "$fw" ]; then
            set -- $fw
            chk "\"current_version\": {\"major\": $1, \"minor\": $2, \"build\": $3}"
        fi
        [ -n "$extra" ] && chk "$extra"
        ok
    done
    # Files that are not reports get one clear line each.
    run corrupt 1 "$snpkit" report show "$vec/lit-sev-snp-utils/guest_report_corrupt.bin"
    one_error_line corrupt 'guest_report_corrupt.bin: offset 0x319: 793 bytes.*SNP_E_TRUNCATED'
    run badsig 1 "$snpkit" report show "$vec/lit-sev-snp-utils/guest_report_bad_sig.bin"
    one_error_line badsig 'offset 0x4a0: 1185 bytes.*SNP_E_TRAILING'
    run azure 1 "$snpkit" report show "$vec/constellation/snp/attestation.bin"
    one_error_line azure 'offset 0x4a0: 1204 bytes.*SNP_E_TRAILING'
    run b64real 0 "$snpkit" report show "$vec/constellation/aws-snp/report.txt"
    run binreal 0 "$snpkit" report show "$vec/constellation/aws-snp/report.txt.bin"
    diff <(tail -n +2 b64real.out) <(tail -n +2 binreal.out) >/dev/null && ok || bad "base64 report.txt decodes differently from report.txt.bin"
    run hexreal 0 "$snpkit" report show "$vec/constellation/snp/AttestationReportVLEK.hex"
fi

echo "report_show: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]

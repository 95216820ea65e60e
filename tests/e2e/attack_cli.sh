#!/bin/bash
# tests/e2e/attack_cli.sh SNPKIT SRC - `snpkit attack` as a user runs it: the scenario list
# against the scenario descriptors, a full run with every observed outcome as expected, one
# scenario's JSON per profile, the trace, exit codes and the help. Independent of the number of
# scenarios (new ones are added as src/host/attacks/scn_<id>.c all the time).
set -u
snpkit=$(realpath "$1")
src=$(realpath "$2")
attacks=$src/src/host/attacks
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

# one_error_line NAME PATTERN : stderr is exactly one line and matches PATTERN; stdout empty
one_error_line() {
    local n
    n=$(wc -l <"$work/$1.err")
    if [ "$n" -eq 1 ] && grep -qE -- "$2" "$work/$1.err" && [ ! -s "$work/$1.out" ]; then ok; else
        bad "$1: want one stderr line matching /$2/ and empty stdout, got: $(cat "$work/$1.err")"
    fi
}

have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1

# json_lines NAME : every stdout line of NAME is one JSON object (python3 -m json.tool)
json_lines() {
    if [ "$have_python" -eq 0 ]; then
        echo "SKIP: python3 not found; $1 output not parsed as JSON"
        skip=$((skip + 1))
        return
    fi
    local n=0 l
    while IFS= read -r l; do
        n=$((n + 1))
        if ! printf '%s\n' "$l" | python3 -m json.tool >/dev/null 2>&1; then
            bad "$1: line $n is not JSON: $l"
            return
        fi
    done <"$work/$1.out"
    if [ "$n" -gt 0 ]; then ok; else bad "$1: no JSON lines"; fi
}

cd "$work" || exit 1

# ---- list: every scenario descriptor's id, and the known ones --------------------------------
run list 0 "$snpkit" attack list
head -n 1 list.out | grep -qE '^SCENARIO +CAP +CLAIM/PAPER +PLAIN VM +SNP VM +SNP PATCHED +DEFENCE' && ok ||
    bad "attack list header: $(head -n 1 list.out)"
tail -n +2 list.out | awk '{print $1}' | sort >list.ids
# ids of the descriptors, one file each: scn_<id>.c holds `.id = "<id>",`
cat "$attacks"/scn_*.c | sed -nE 's/^[[:space:]]*\.id = "([a-z0-9][a-z0-9-]*)",.*/\1/p' | sort >table.ids
if [ -s table.ids ]; then ok; else bad "no scenario ids parsed from $attacks/scn_*.c"; fi
if [ -s list.ids ] && cmp -s list.ids table.ids; then ok; else
    bad "attack list ids differ from the descriptors ($attacks/scn_*.c):"
    diff list.ids table.ids | head -n 20
fi
# one scenario per file, named after it: scn_<id with - as _>.c holds exactly the descriptor of <id>
names_ok=1
for f in "$attacks"/scn_*.c; do
    ids=$(sed -nE 's/^[[:space:]]*\.id = "([a-z0-9][a-z0-9-]*)",.*/\1/p' "$f")
    if [ "$(basename "$f" .c)" != "scn_$(printf '%s' "$ids" | tr '-' '_')" ]; then
        names_ok=0
        bad "$(basename "$f"): descriptor id(s) '$ids' do not match the file name"
    fi
done
[ "$names_ok" -eq 1 ] && ok
[ "$(sort -u list.ids | wc -l)" -eq "$(wc -l <list.ids)" ] && ok || bad "attack list has duplicate ids"
for id in c1-read-private i1-write-private cachewarp n10-leaked-vcek dos-withhold; do
    grep -qx -- "$id" list.ids && ok || bad "attack list lacks $id"
done
# the expected outcomes the list shows for the baselines
grep -qE '^c1-read-private +H1 +C1 +succeeds +blocked:hw +blocked:hw ' list.out && ok ||
    bad "c1-read-private row: $(grep '^c1-read-private' list.out)"
grep -qE '^dos-withhold +H5 +N1, N2 +allowed:dos +allowed:dos +allowed:dos ' list.out && ok ||
    bad "dos-withhold row: $(grep '^dos-withhold' list.out)"
grep -qE '^report-relay +H6 +A3 +- +detected:verifier +detected:verifier ' list.out && ok ||
    bad "report-relay row (plain not declared: '-'): $(grep '^report-relay' list.out)"
grep -qE '^i1-reclaim-write +H3 +I1 +succeeds +detected:guest +detected:guest ' list.out && ok ||
    bad "i1-reclaim-write row (plain baseline): $(grep '^i1-reclaim-write' list.out)"

run listjson 0 "$snpkit" attack list --json
json_lines listjson
sed -nE 's/^\{"id":"([^"]*)".*/\1/p' listjson.out | sort >listjson.ids
cmp -s listjson.ids list.ids && ok || bad "attack list --json ids differ from attack list"
grep -qF '{"id":"cachewarp",' listjson.out && grep '{"id":"cachewarp",' listjson.out |
    grep -qF '"expected":{"plain":"SUCCEEDED","snp":"DETECTED_VERIFIER","snp-patched":"BLOCKED_HW"}' && ok ||
    bad "cachewarp --json expected: $(grep '"cachewarp"' listjson.out)"
grep '{"id":"c1-read-private",' listjson.out |
    grep -qF '"expected":{"plain":"SUCCEEDED","snp":"BLOCKED_HW","snp-patched":"BLOCKED_HW"}' && ok ||
    bad "c1-read-private --json expected: $(grep '"c1-read-private"' listjson.out)"

# ---- run all: every scenario, every declared profile, as expected ----------------------------
run all 0 "$snpkit" attack run all
grep -qx '0 scenario(s) differed from the expected outcome' all.out && ok ||
    bad "run all: last line is '$(tail -n 1 all.out)'"
# a mismatched cell ends in '!' ("succeeds!"), an unstaged one reads 'NOT RUN'
if grep -qE '(^| )[a-z:]+! ' all.out || grep -qF 'NOT RUN' all.out; then
    bad "run all: mismatched or unstaged cells:"
    grep -E '(^| )[a-z:]+! |NOT RUN' all.out | head -n 20
else ok; fi
head -n 1 all.out | grep -qE '^SCENARIO +CAP +PLAIN VM +SNP VM +SNP PATCHED +DEFENCE' && ok ||
    bad "run all header: $(head -n 1 all.out)"
# one row per listed scenario
missing=""
while IFS= read -r id; do
    grep -qE "^$id " all.out || missing="$missing $id"
done <list.ids
[ -z "$missing" ] && ok || bad "run all has no row for:$missing"
grep -qE '^cachewarp +H1 +succeeds +detected:verifier +blocked:hw ' all.out && ok ||
    bad "cachewarp row: $(grep '^cachewarp' all.out)"

# all on one profile: the scenarios that do not declare it are skipped, shown '-', exit 0
run all_plain 0 "$snpkit" attack run all --profile plain
grep -qE '^report-relay +H6 +- +\. +\. ' all_plain.out && ok ||
    bad "run all --profile plain, report-relay row: $(grep '^report-relay' all_plain.out)"
grep -qx '0 scenario(s) differed from the expected outcome' all_plain.out && ok ||
    bad "run all --profile plain: last line is '$(tail -n 1 all_plain.out)'"
# the tables are aligned: every row's DEFENCE starts in the header's DEFENCE column
aligned() {
    awk -v n="$1" '/^SCENARIO / { col = index($0, "DEFENCE"); next }
        col == 0 { next }
        /^[0-9]+ scenario\(s\) differed/ || /^  / { next }
        { pre = substr($0, 1, col - 1); if (substr(pre, col - 1, 1) != " " || substr($0, col, 1) == " ") { print n ": " $0; bad = 1 } }
        END { exit bad }' "$work/$1.out"
}
for t in list all all_plain; do aligned "$t" && ok || bad "$t: a row is not aligned to the header"; done

# ---- width: piped output is cut to 120 columns, --wide prints the text whole ---------------
for t in list all all_plain; do
    long=$(awk 'length($0) > 120' "$t.out" | head -n 3)
    [ -z "$long" ] && ok || bad "$t: lines wider than 120 columns: $long"
done
grep -qE '\.\.\.$' all.out && ok || bad "run all: no DEFENCE cut with '...' (is any defence long?)"
run listwide 0 "$snpkit" attack list --wide
awk 'length($0) > 120 { found = 1 } END { exit !found }' listwide.out && ok ||
    bad "attack list --wide: no line wider than 120 columns"
tail -n +2 listwide.out | awk '{print $1}' | sort | cmp -s - list.ids && ok || bad "attack list --wide ids differ"
aligned listwide && ok || bad "listwide: a row is not aligned to the header"
# every defence of --wide equals the descriptor's (list --json), whole
if [ "$have_python" -eq 1 ]; then
    python3 - "$work/listwide.out" "$work/listjson.out" <<'PY' && ok || bad "attack list --wide: a DEFENCE is not the descriptor's text"
import json, sys
rows = open(sys.argv[1]).read().splitlines()
col = rows[0].index("DEFENCE")
wide = {r.split()[0]: r[col:] for r in rows[1:]}
for l in open(sys.argv[2]):
    o = json.loads(l)
    assert wide[o["id"]] == o["defence"], (o["id"], wide[o["id"]], o["defence"])
PY
fi
# the cut text is a prefix of the whole text
c1cut=$(awk '/^SCENARIO / { col = index($0, "DEFENCE") } /^c1-read-private / { print substr($0, col) }' all.out)
c1full=$(awk '/^SCENARIO / { col = index($0, "DEFENCE") } /^c1-read-private / { print substr($0, col) }' listwide.out)
case "$c1cut" in
*...) case "$c1full" in "${c1cut%...}"*) ok ;; *) bad "c1 cut defence '$c1cut' is not a prefix of '$c1full'" ;; esac ;;
*) [ "$c1cut" = "$c1full" ] && ok || bad "c1 defence '$c1cut' vs '$c1full'" ;;
esac
run allwide 0 "$snpkit" attack run i1-write-private --wide
aligned allwide && ok || bad "run --wide: a row is not aligned to the header"

# ---- one scenario, one profile, JSON ---------------------------------------------------------
for pe in "plain SUCCEEDED" "snp BLOCKED_HW" "snp-patched BLOCKED_HW"; do
    set -- $pe
    run "c1_$1" 0 "$snpkit" attack run c1-read-private --profile "$1" --json
    json_lines "c1_$1"
    [ "$(wc -l <"c1_$1.out")" -eq 1 ] && ok || bad "c1 --profile $1 --json: want one line"
    grep -qE "^\{\"id\":\"c1-read-private\",\"profile\":\"$1\",\"expected\":\"$2\",\"observed\":\"$2\",\"match\":true,\"evidence\":\"[^\"]+" "c1_$1.out" &&
        ok || bad "c1 --profile $1 --json: $(cat "c1_$1.out")"
done
if [ "$have_python" -eq 1 ]; then
    python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).read()); assert o["observed"]=="SUCCEEDED" and o["match"] is True' c1_plain.out 2>/dev/null &&
        ok || bad "c1 plain JSON: observed/match fields"
fi
# a profile the scenario does not declare: a usage error (exit 2), one line naming the
# declared profiles, nothing on stdout (human and JSON alike)
run relay_plain 2 "$snpkit" attack run report-relay --profile plain --json
one_error_line relay_plain \
    '^snpkit: report-relay does not run on profile plain \(declared: snp, snp-patched\)$'
run relay_plain_h 2 "$snpkit" attack run report-relay --profile plain
one_error_line relay_plain_h \
    '^snpkit: report-relay does not run on profile plain \(declared: snp, snp-patched\)$'
# ... while 'all' with that profile marks it: "declared":false in JSON, '-' in the table (above)
run all_plain_json 0 "$snpkit" attack run all --profile plain --json
json_lines all_plain_json
grep -qF '{"id":"report-relay","profile":"plain","expected":null,"observed":null,"match":null,"evidence":"not declared (declared: snp, snp-patched)","declared":false}' all_plain_json.out &&
    ok || bad "run all --profile plain --json: report-relay line: $(grep '"report-relay"' all_plain_json.out)"
[ "$(grep -c '"profile":"snp"' all_plain_json.out)" -eq 0 ] && ok || bad "run all --profile plain --json has snp lines"

# ---- trace -----------------------------------------------------------------------------------
run trace 0 "$snpkit" attack run c1-read-private --profile snp --trace
grep -qE '^  hypervisor +== c1-read-private on snp: ' trace.out && ok || bad "trace lacks the hypervisor header line"
grep -qE '^  hardware ' trace.out && ok || bad "trace lacks hardware lines"
grep -qE '^  hypervisor +observed BLOCKED_HW, expected BLOCKED_HW: as expected' trace.out && ok ||
    bad "trace lacks the observed-vs-expected line"
grep -qE '^  c1-read-private on snp: expected BLOCKED_HW, observed BLOCKED_HW: ' trace.out && ok ||
    bad "trace lacks the evidence line"
run trace_plain 0 "$snpkit" attack run c1-read-private --profile plain --trace
grep -qE '^  hypervisor ' trace_plain.out && ok || bad "plain trace lacks hypervisor lines"
run untraced 0 "$snpkit" attack run c1-read-private --profile snp
grep -qE '^  (hypervisor|hardware) ' untraced.out && bad "trace lines without --trace" || ok
# --json --trace: the steps as JSON objects of their own, one per line, then the result line
run tracejson 0 "$snpkit" attack run c1-read-private --profile snp --json --trace
json_lines tracejson
grep -qE '^  (hypervisor|hardware) ' tracejson.out && bad "--json --trace mixes text trace lines into JSON" || ok
grep -qE '^\{"trace":"== c1-read-private on snp: [^"]*","actor":"hypervisor","id":"c1-read-private","profile":"snp"\}$' tracejson.out &&
    ok || bad "--json --trace lacks the header step: $(head -n 1 tracejson.out)"
grep -qE '^\{"trace":"[^"]*","actor":"hardware",' tracejson.out && ok || bad "--json --trace lacks hardware steps"
tail -n 1 tracejson.out | grep -qE '^\{"id":"c1-read-private","profile":"snp","expected":"BLOCKED_HW","observed":"BLOCKED_HW","match":true,' &&
    ok || bad "--json --trace: last line is not the result: $(tail -n 1 tracejson.out)"
# the #NPF the VMM stops on is named by the hardware: GPA, error code, the RMP's reason
run trace_i4 0 "$snpkit" attack run i4-remap-severed --profile snp --trace
grep -qE '^  hardware +#NPF at GPA 0x14[0-9a-f]{3}, error code 0x[0-9a-f]+ \(RMP violation, .*assigned to this guest at GPA 0x15000, not GPA 0x14000 \(the GPA check\)' trace_i4.out &&
    ok || bad "i4 trace lacks the #NPF hardware line: $(grep -E '^  (hardware|guest) ' trace_i4.out)"
# dos-withhold observes: nothing moved while withheld, the firmware took the kill, VMRUN refused
run trace_dos 0 "$snpkit" attack run dos-withhold --profile snp --trace
grep -qE '^  hardware +after [0-9]+ slots: [0-9]+ exits, 1 channel message\(s\), save area unchanged' trace_dos.out &&
    ok || bad "dos-withhold trace lacks the withheld observation"
grep -qE '^  firmware +DECOMMISSION: status 0x0 SUCCESS' trace_dos.out && ok || bad "dos-withhold trace lacks DECOMMISSION"
grep -qE '^  hardware +VMRUN of vCPU [0-9]+: refused' trace_dos.out && ok || bad "dos-withhold trace lacks the refused VMRUN"

# ---- --without: a deliberately broken chip; the scenarios that depend on it differ (exit 1) --
run without 1 "$snpkit" attack run i4-remap-severed --without rmp-gpa-check
head -n 1 without.out | grep -qF '(broken chip: without rmp-gpa-check' && ok ||
    bad "--without: first line '$(head -n 1 without.out)'"
grep -qE '^i4-remap-severed +H2 +succeeds +succeeds! +succeeds! ' without.out && ok ||
    bad "--without rmp-gpa-check: i4 row: $(grep '^i4-remap-severed' without.out)"
tail -n 1 without.out | grep -qx '1 scenario(s) differed from the expected outcome (marked !) (broken chip: without rmp-gpa-check)' &&
    ok || bad "--without: last line '$(tail -n 1 without.out)'"
aligned without && ok || bad "--without: a row is not aligned to the header"
run withoutjson 1 "$snpkit" attack run i4-remap-severed --without rmp-gpa-check --profile snp --json
json_lines withoutjson
grep -qF '"expected":"BLOCKED_HW","observed":"SUCCEEDED","match":false,' withoutjson.out &&
    grep -qF ',"declared":true,"chip":"broken chip: without rmp-gpa-check"}' withoutjson.out && ok ||
    bad "--without --json: $(cat withoutjson.out)"
# a scenario that does not depend on the removed protection still matches: exit 0
run without_other 0 "$snpkit" attack run greq-replay-response --without rmp-gpa-check --without greq-seqno
grep -qF '(broken chip: without rmp-gpa-check, greq-seqno' without_other.out && ok ||
    bad "--without twice: $(head -n 1 without_other.out)"
run without_bad 2 "$snpkit" attack run i4-remap-severed --without rmp
one_error_line without_bad "^snpkit: --without: unknown protection 'rmp' \(rmp-gpa-check, vmsa-sealing, host-write-rmp, memory-encryption, greq-seqno\)$"

# ---- usage errors: exit 2 --------------------------------------------------------------------
run unknown 2 "$snpkit" attack run no-such-scenario
one_error_line unknown "^snpkit: unknown scenario 'no-such-scenario'"
run badprof 2 "$snpkit" attack run c1-read-private --profile sev-es
one_error_line badprof "^snpkit: --profile: unknown profile 'sev-es'"
run badprof_all 2 "$snpkit" attack run all --profile nope
run noargs 2 "$snpkit" attack
run norunid 2 "$snpkit" attack run
run badsub 2 "$snpkit" attack frob
run badopt 2 "$snpkit" attack list --bogus
run listextra 2 "$snpkit" attack list extra
run runextra 2 "$snpkit" attack run c1-read-private i1-write-private
# options that do not apply are refused, not ignored
run list_trace 2 "$snpkit" attack list --trace
one_error_line list_trace "^snpkit: attack list: --trace applies to 'attack run' only$"
run list_profile 2 "$snpkit" attack list --profile snp
one_error_line list_profile "^snpkit: attack list: --profile applies to 'attack run' only$"
run list_without 2 "$snpkit" attack list --without greq-seqno
one_error_line list_without "^snpkit: attack list: --without applies to 'attack run' only$"
run json_wide 2 "$snpkit" attack run c1-read-private --json --wide
one_error_line json_wide "^snpkit: --wide is for the table"

# ---- help ------------------------------------------------------------------------------------
run help 0 "$snpkit" attack --help
grep -qF 'usage: snpkit attack list [--json | --wide]' help.out && ok || bad "attack --help lacks usage"
grep -q 'snpkit attack run ID|all \[--profile plain|snp|snp-patched\]' help.out && ok ||
    bad "attack --help lacks the run line"
run helpcmd 0 "$snpkit" help attack
cmp -s help.out helpcmd.out && ok || bad "'snpkit help attack' differs from 'attack --help'"
[ ! -s help.err ] && ok || bad "attack --help wrote to stderr"
for w in '--without PROTECTION' '--wide' "'.' profile not selected" "'-' profile not declared" \
    'rmp-gpa-check, vmsa-sealing' '"trace"' 'is a usage error'; do
    grep -qF -- "$w" help.out && ok || bad "attack --help lacks '$w'"
done
"$snpkit" --help 2>/dev/null | grep -qE '^  attack ' && ok || bad "snpkit --help does not list attack"

echo "attack_cli: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]

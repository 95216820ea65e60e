#!/bin/bash
# tests/e2e/threat_model_doc.sh SNPKIT SRC - docs/threat-model.md is generated (make
# threat-model, scripts/threat-model.py) from the scenario descriptors and a real run: regenerate
# it into a temp file and fail when the checked-in page differs, so the document and the code
# cannot drift. Also: `attack run all --json` marks every profile a scenario does not declare,
# every claim of THREAT-MODEL.md has a row, and the generator refuses a ref naming no real claim.
set -u
snpkit=$(realpath "$1")
src=$(realpath "$2")
gen=$src/scripts/threat-model.py
pass=0
fail=0
skip=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 not found (make deps installs it); the generated page is not checked"
    echo "threat_model_doc: $pass passed, $fail failed, 1 skipped"
    exit 0
fi
cd "$work" || exit 1

# ---- the inputs: list and run, JSON lines, an explicit marker for undeclared profiles ---------
"$snpkit" attack list --json >list.json 2>list.err && ok || bad "attack list --json: $(cat list.err)"
"$snpkit" attack run all --json >run.json 2>run.err
rc=$?
[ "$rc" -eq 0 ] && ok || bad "attack run all --json: exit $rc: $(head -c 300 run.err)"
python3 - list.json run.json <<'EOF' && ok || bad "run all --json: lines or markers wrong (above)"
import json, sys
lst = [json.loads(l) for l in open(sys.argv[1])]
run = [json.loads(l) for l in open(sys.argv[2])]
profiles = ["plain", "snp", "snp-patched"]
got = {(r["id"], r["profile"]): r for r in run}
errs = []
if len(run) != len(lst) * len(profiles):
    errs.append(f"{len(run)} lines for {len(lst)} scenarios x {len(profiles)} profiles")
for s in lst:
    for p in profiles:
        r = got.get((s["id"], p))
        if r is None:
            errs.append(f"{s['id']} {p}: no line")
        elif p in s["expected"]:
            if r.get("declared") is not True or r.get("expected") != s["expected"][p] \
                    or r.get("observed") is None or not isinstance(r.get("match"), bool):
                errs.append(f"{s['id']} {p}: declared run line wrong: {r}")
        elif r.get("declared") is not False or r.get("observed") is not None \
                or r.get("match") is not None or r.get("expected") is not None \
                or "not declared" not in r.get("evidence", ""):
            errs.append(f"{s['id']} {p}: undeclared profile line wrong: {r}")
for e in errs[:20]:
    print("  " + e)
sys.exit(1 if errs else 0)
EOF
# one profile only: no line for the profiles not asked for, the marker for an undeclared one
"$snpkit" attack run report-relay --json >relay.json 2>relay.err
grep -c . relay.json | grep -qx 3 && ok || bad "run report-relay --json: want 3 lines: $(cat relay.json)"
grep -qF '{"id":"report-relay","profile":"plain","expected":null,"observed":null,"match":null,"evidence":"not declared (declared: snp, snp-patched)","declared":false}' relay.json &&
    ok || bad "report-relay plain marker: $(grep '"plain"' relay.json)"

# ---- the page: regenerated from these inputs equals the checked-in one -----------------------
python3 "$gen" --list list.json --run run.json --template "$src/docs/threat-model.md.in" \
    --out gen.md 2>gen.err && ok || bad "generator failed: $(cat gen.err)"
[ ! -s gen.err ] && ok || bad "generator warned: $(cat gen.err)"
if cmp -s gen.md "$src/docs/threat-model.md"; then ok; else
    bad "docs/threat-model.md differs from a regeneration: run 'make threat-model' (diff below)"
    diff -u "$src/docs/threat-model.md" gen.md | head -n 40
fi
[ -s gen.md ] || { echo "threat_model_doc: $pass passed, $fail failed, $skip skipped"; exit 1; }
# every claim has a row; every scenario appears
for c in C1 C2 C3 I1 I2 I3 I4 A1 A2 A3 N1 N2 N3 N4 N5 N6 N7 N8 N9 N10; do
    grep -qE "^\| $c [a-zA-Z]" gen.md || missing_claims="${missing_claims:-} $c"
done
[ -z "${missing_claims:-}" ] && ok || bad "claims without a row:$missing_claims"
missing=""
for id in $(python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in open(sys.argv[1])]' list.json); do
    grep -qF "| \`$id\` |" gen.md || missing="$missing $id"
done
[ -z "$missing" ] && ok || bad "scenarios in no table:$missing"
# --snpkit runs the binary itself and gives the same page
python3 "$gen" --snpkit "$snpkit" --template "$src/docs/threat-model.md.in" --out gen2.md 2>/dev/null &&
    cmp -s gen.md gen2.md && ok || bad "--snpkit output differs from --list/--run output"

# ---- the generator refuses what it cannot place ----------------------------------------------
sed 's/"ref":"C1"/"ref":"C7"/' list.json >badref.json
python3 "$gen" --list badref.json --run run.json --template "$src/docs/threat-model.md.in" \
    --out bad.md 2>badref.err
rc=$?
[ "$rc" -eq 1 ] && grep -q 'C7, not a claim' badref.err && [ ! -e bad.md ] && ok ||
    bad "unknown claim id: exit $rc, $(cat badref.err)"
sed 's/"ref":"C1"/"ref":""/' list.json >noref.json
python3 "$gen" --list noref.json --run run.json --template "$src/docs/threat-model.md.in" \
    >/dev/null 2>noref.err
[ $? -eq 1 ] && grep -q 'names no claim and no attack' noref.err && ok ||
    bad "empty ref: $(cat noref.err)"
grep -v '^@ATTACKS@$' "$src/docs/threat-model.md.in" >nomark.in
python3 "$gen" --list list.json --run run.json --template nomark.in >/dev/null 2>nomark.err
[ $? -eq 1 ] && grep -q 'missing marker' nomark.err && ok || bad "missing marker: $(cat nomark.err)"
# a mismatching run is shown, both outcomes, with a warning
sed 's/"id":"c1-read-private","profile":"snp","expected":"BLOCKED_HW","observed":"BLOCKED_HW","match":true/"id":"c1-read-private","profile":"snp","expected":"BLOCKED_HW","observed":"SUCCEEDED","match":false/' \
    run.json >mism.json
python3 "$gen" --list list.json --run mism.json --template "$src/docs/threat-model.md.in" \
    --out mism.md 2>mism.err
grep -qF '| `c1-read-private` | H1 | SUCCEEDED | **SUCCEEDED** (expected BLOCKED_HW) ⚠ |' mism.md &&
    grep -q 'warning: c1-read-private on snp: expected BLOCKED_HW, observed SUCCEEDED' mism.err &&
    ok || bad "mismatch rendering: $(grep 'c1-read-private' mism.md | head -n 1) / $(cat mism.err)"
python3 "$gen" --list list.json >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "usage error: want exit 2"

echo "threat_model_doc: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]

#!/usr/bin/env python3
"""scripts/threat-model.py - write docs/threat-model.md from the scenario descriptors and a real
run of `snpkit attack` (issue 8: the document and the code cannot drift).

    threat-model.py --snpkit BIN [--template IN] [--out OUT]
    threat-model.py --list LIST.jsonl --run RUN.jsonl [--template IN] [--out OUT]

With --snpkit it runs `BIN attack list --json` and `BIN attack run all --json` itself; with
--list/--run it reads their saved output. The template (docs/threat-model.md.in) holds the
hand-written prose; each line that is exactly one of the markers below is replaced by a table:

    @CLAIMS_GUARANTEES@  C1-C3, I1-I4, A1-A3: claim -> scenarios (one row each), or "not modelled"
    @CLAIMS_OUTSIDE@     N1-N10, the same
    @ATTACKS@            published attacks and TCB conditions -> scenarios
    @RUN_SUMMARY@        one line: how many runs, how many observed the expected outcome

A scenario's `ref` maps it: every claim id in it (C1.., I1.., A1.., N1..; "I2/I4" names two)
puts it under that claim; the rest of the ref (split at top-level commas, ids removed) is the
paper or condition, which puts it in the attacks table. A ref naming an id the threat model does
not have, or naming nothing at all, is an error: fix the descriptor. Every claim of
THREAT-MODEL.md gets a row. Cells are the OBSERVED outcome of the run; where it differs from
the descriptor's expected one the cell shows both and the script warns (exit 0: the document
shows the mismatch honestly; `snpkit attack run all` is the check that fails on it).

Exit: 0 written; 1 bad input (unknown claim id, missing marker, malformed JSON); 2 usage.
"""
import argparse
import json
import re
import subprocess
import sys

# THREAT-MODEL.md's claims, in its order, with the short names the tables show.
GUARANTEES = [
    ("C1", "memory encrypted"),
    ("C2", "registers sealed in the VMSA"),
    ("C3", "VEK unreachable"),
    ("I1", "no undetected modification"),
    ("I2", "no page substitution"),
    ("I3", "no page replay"),
    ("I4", "no GPA remap"),
    ("A1", "real AMD hardware"),
    ("A2", "launched code"),
    ("A3", "fresh data"),
]
OUTSIDE = [
    ("N1", "no availability"),
    ("N2", "resource starvation"),
    ("N3", "side channels"),
    ("N4", "I/O visible"),
    ("N5", "interrupt timing"),
    ("N6", "guest bugs"),
    ("N7", "backdoored image"),
    ("N8", "physical memory"),
    ("N9", "hardware tampering"),
    ("N10", "trust-anchor compromise"),
]
CLAIM_IDS = {c for c, _ in GUARANTEES + OUTSIDE}
PROFILES = ["plain", "snp", "snp-patched"]
MARKERS = ["@CLAIMS_GUARANTEES@", "@CLAIMS_OUTSIDE@", "@ATTACKS@", "@RUN_SUMMARY@"]

# A claim id: a letter of the four families and a number, not inside a longer word
# ("CVE-2023-20592", "SHA1", "H1" do not match).
CLAIM_RE = re.compile(r"(?<![A-Za-z0-9])([CIAN])([0-9]+)(?![A-Za-z0-9])")
# A ref part that is only claim ids: "C1", "I2/I4".
CLAIM_PART_RE = re.compile(r"^[CIAN][0-9]+(\s*/\s*[CIAN][0-9]+)*$")


class InputError(Exception):
    pass


def split_top(ref):
    """Split at commas outside parentheses: 'C2, X (a; b, c)' -> ['C2', 'X (a; b, c)']."""
    parts, depth, cur = [], 0, ""
    for ch in ref:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return [p for p in parts if p]


def map_ref(sid, ref):
    """(claim ids, attack text) of a scenario's ref; InputError when it maps to nothing."""
    claims = []
    for m in CLAIM_RE.finditer(ref):
        cid = m.group(1) + str(int(m.group(2)))
        if cid not in CLAIM_IDS:
            raise InputError(f"{sid}: ref '{ref}' names {m.group(0)}, not a claim of "
                             "THREAT-MODEL.md (C1-C3, I1-I4, A1-A3, N1-N10)")
        if cid not in claims:
            claims.append(cid)
    attack = ", ".join(p for p in split_top(ref) if not CLAIM_PART_RE.match(p))
    if not claims and not attack:
        raise InputError(f"{sid}: ref '{ref}' names no claim and no attack")
    return claims, attack


def read_jsonl(text, what):
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{what} line {n}: not JSON: {e}")
        if not isinstance(obj, dict) or "id" not in obj:
            raise InputError(f"{what} line {n}: not a scenario object")
        out.append(obj)
    return out


def run_snpkit(binary):
    lst = subprocess.run([binary, "attack", "list", "--json"], capture_output=True, text=True)
    if lst.returncode != 0:
        raise InputError(f"'{binary} attack list --json' exited {lst.returncode}: {lst.stderr}")
    run = subprocess.run([binary, "attack", "run", "all", "--json"], capture_output=True,
                         text=True)
    # 0: all as expected; 1: some differed (still a run to document); else no run.
    if run.returncode not in (0, 1):
        raise InputError(f"'{binary} attack run all --json' exited {run.returncode}: "
                         f"{run.stderr}")
    return lst.stdout, run.stdout


def md(text):
    """A table cell: no pipes or newlines."""
    return str(text).replace("|", "\\|").replace("\n", " ")


class Doc:
    def __init__(self, scenarios, results):
        self.scen = scenarios
        self.res = {}  # (id, profile) -> run object
        for r in results:
            if r.get("profile") not in PROFILES:
                raise InputError(f"run: {r['id']}: unknown profile {r.get('profile')!r}")
            self.res[(r["id"], r["profile"])] = r
        self.mismatches = []
        self.claims = {}
        self.attack = {}
        ids = set()
        for s in scenarios:
            for key in ("id", "ref", "capability", "defence", "expected"):
                if key not in s:
                    raise InputError(f"list: scenario without '{key}': {s}")
            if s["id"] in ids:
                raise InputError(f"list: duplicate id {s['id']}")
            ids.add(s["id"])
            self.claims[s["id"]], self.attack[s["id"]] = map_ref(s["id"], s["ref"])
        for (sid, _p) in self.res:
            if sid not in ids:
                raise InputError(f"run: {sid} is not in the list")

    def cell(self, s, p):
        exp = s["expected"].get(p)
        r = self.res.get((s["id"], p))
        if exp is None:
            if r is not None and r.get("declared", False):
                raise InputError(f"run: {s['id']} on {p} was run but the list declares no "
                                 "expected outcome")
            return "–"
        if r is None or r.get("declared") is False:
            raise InputError(f"run: no result for {s['id']} on {p} (declared, expected {exp})")
        if r.get("available") is False:
            return f"n/a (expected {exp})"
        obs = r.get("observed")
        if r.get("match") is True and obs == exp:
            return obs
        msg = f"{s['id']} on {p}: expected {exp}, observed {obs}"
        if msg not in self.mismatches:
            self.mismatches.append(msg)
        return f"**{obs}** (expected {exp}) ⚠"

    def row(self, first, s):
        cells = [self.cell(s, p) for p in PROFILES]
        return ("| " + " | ".join([md(first), f"`{s['id']}`", md(s["capability"])] +
                                  [md(c) for c in cells] + [md(s["defence"])]) + " |")

    def claims_table(self, claims):
        out = ["| claim | scenario | cap | plain | snp | snp-patched | defence |",
               "|---|---|---|---|---|---|---|"]
        for cid, name in claims:
            rows = [s for s in self.scen if cid in self.claims[s["id"]]]
            if not rows:
                out.append(f"| {cid} {md(name)} | not modelled | – | – | – | – | "
                           "no scenario references it (see below) |")
                continue
            for k, s in enumerate(rows):
                out.append(self.row(f"{cid} {name}" if k == 0 else cid, s))
        return out

    def attacks_table(self):
        out = ["| attack / condition | scenario | cap | plain | snp | snp-patched | defence |",
               "|---|---|---|---|---|---|---|"]
        for s in self.scen:
            if self.attack[s["id"]]:
                out.append(self.row(self.attack[s["id"]], s))
        return out

    def summary(self):
        runs = [r for r in self.res.values() if r.get("declared") is not False and
                r.get("available") is not False]
        ok = sum(1 for r in runs if r.get("match") is True)
        return [f"Generated from a real run: {len(self.scen)} scenarios, {len(runs)} "
                f"scenario-profile runs, {ok} observed the expected outcome, "
                f"{len(runs) - ok} did not."]

    def render(self, template):
        tables = {
            "@CLAIMS_GUARANTEES@": lambda: self.claims_table(GUARANTEES),
            "@CLAIMS_OUTSIDE@": lambda: self.claims_table(OUTSIDE),
            "@ATTACKS@": self.attacks_table,
        }
        lines, seen = [], set()
        for line in template.splitlines():
            key = line.strip()
            if key in tables:
                lines.extend(tables[key]())
                seen.add(key)
            elif key == "@RUN_SUMMARY@":
                seen.add(key)
                lines.append("@RUN_SUMMARY@")  # filled last: the tables count mismatches
            elif re.search(r"@[A-Z_]+@", line):
                raise InputError(f"template: unknown marker in: {line}")
            else:
                lines.append(line)
        missing = [m for m in MARKERS if m not in seen]
        if missing:
            raise InputError(f"template: missing marker(s) {', '.join(missing)}")
        placed = set()
        for s in self.scen:
            if self.claims[s["id"]] or self.attack[s["id"]]:
                placed.add(s["id"])
        if len(placed) != len(self.scen):
            raise InputError("a scenario appears in no table")
        summary = "\n".join(self.summary())
        return "\n".join(summary if x == "@RUN_SUMMARY@" else x for x in lines) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description="generate docs/threat-model.md")
    ap.add_argument("--snpkit", help="the snpkit binary to run")
    ap.add_argument("--list", help="saved `snpkit attack list --json` output")
    ap.add_argument("--run", help="saved `snpkit attack run all --json` output")
    ap.add_argument("--template", default="docs/threat-model.md.in")
    ap.add_argument("--out", default="-", help="output file, '-' for stdout (default)")
    a = ap.parse_args(argv)
    if (a.snpkit is None) == (a.list is None or a.run is None):
        ap.print_usage(sys.stderr)
        print("threat-model.py: give --snpkit, or both --list and --run", file=sys.stderr)
        return 2
    try:
        if a.snpkit is not None:
            lst, run = run_snpkit(a.snpkit)
        else:
            with open(a.list, encoding="utf-8") as f:
                lst = f.read()
            with open(a.run, encoding="utf-8") as f:
                run = f.read()
        with open(a.template, encoding="utf-8") as f:
            template = f.read()
        doc = Doc(read_jsonl(lst, "list"), read_jsonl(run, "run"))
        text = doc.render(template)
    except (InputError, OSError) as e:
        print(f"threat-model.py: {e}", file=sys.stderr)
        return 1
    for m in doc.mismatches:
        print(f"threat-model.py: warning: {m}", file=sys.stderr)
    if a.out == "-":
        sys.stdout.write(text)
    else:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/bin/sh
# scripts/demo.sh SNPKIT - the end-to-end story, as far as the project goes today.
#
# Self-contained: it never reads ../shared (users do not have it). Each step says what it shows.
set -eu
snpkit=$(realpath "$1")
work=$(mktemp -d)
cd "$work"
trap 'rm -rf "$work"' EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

cat <<'TXT'
snpkit demo - what the project can show today
---------------------------------------------
Done so far: the foundation. Byte-exact codecs for every SEV-SNP structure (attestation report
v2/v3/v5, TCB per product, policy, signer info, signature block, ID block/auth, certificate
table, guest messages, secrets page, PAGE_INFO, GHCB, VMSA) and `snpkit report show`.
Not yet: signature/chain verification, launch measurement, the simulated platform (memory,
RMP, PSP), attacks and attested TLS. Those steps will appear here as they land.
TXT

step "1. Make a sample report (unsigned: SIGNING_KEY = none, so it can never pass as evidence)"
run "$snpkit" report example --report-version 3 --product genoa --out "report.bin"
ls -l "report.bin" | awk '{print $5 " bytes"}'

step "2. Show every field by its spec name (TCBs decoded with the product's layout)"
run "$snpkit" report show "report.bin"

step "3. The same report pasted as base64 text, as JSON (schema snpkit.report.v1)"
base64 "report.bin" >"report.b64"
"$snpkit" report show --json "report.b64" | head -n 14
echo "  ..."

step "4. A Turin report uses another TCB layout (FMC first); the product comes from CPUID"
"$snpkit" report example --report-version 5 --product turin --out "turin.bin"
"$snpkit" report show "turin.bin" | grep -E 'VERSION|product|CURRENT_TCB|MIT_VECTOR'

step "5. The raw layout walk (offset, size, kind, name, bytes as received)"
"$snpkit" report show --raw "report.bin" | head -n 12
echo "  ..."

step "6. Bad input gets one clear line naming the file, the offset and the reason"
head -c 1000 "report.bin" >"truncated.bin"
printf '$ snpkit report show truncated.bin\n'
"$snpkit" report show "truncated.bin" || echo "(exit code $?: rejected)"
printf '\004\000\000\000' | dd of="report.bin" conv=notrunc 2>/dev/null
printf '$ snpkit report show v4.bin\n'
"$snpkit" report show "report.bin" || echo "(exit code $?: rejected)"

step "Done. Next: 'make test' runs every test (known answers against real AMD reports when ../shared/vectors is present)."

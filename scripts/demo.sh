#!/bin/sh
# scripts/demo.sh SNPKIT - the end-to-end story on the simulator, as far as the project goes today.
#
# Self-contained: it never reads ../shared (users do not have it). Each step says what it shows.
set -eu
snpkit=$(realpath "$1")
work=$(mktemp -d)
kds_pid=""
atls_pid=""
cleanup() {
    [ -n "$kds_pid" ] && kill "$kds_pid" 2>/dev/null || true
    [ -n "$atls_pid" ] && kill "$atls_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
cd "$work"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '$ %s\n' "$*"; }

cat <<'TXT'
snpkit demo - a confidential VM on the simulated SEV-SNP platform, attested and verified
----------------------------------------------------------------------------------------
What runs below: a simulated EPYC (memory encryption per VM, RMP, vCPUs with sealed VMSAs),
its PSP firmware (launch measurement, attestation reports, derived keys), a simulated vendor
(ARK/ASK/VCEK in AMD's certificate shape, a key server), an honest hypervisor, and the guest's
own attestation driver. The relying party's verifier is the same one that checks real AMD
reports. At the end, `snpkit attack` turns the hypervisor hostile: every threat-model claim
and published attack as a scenario, plain VM vs SNP VM.
TXT

step "1. Boot a CVM; the guest asks its PSP for a report carrying our nonce, the host staples the certificates"
nonce=$(printf 'demo nonce' | od -An -tx1 | tr -d ' \n')
say snpkit sim run --state chip --rsa-bits 2048 --report-data "$nonce" --report-out report.bin --certs-out certs
"$snpkit" sim run --state chip --rsa-bits 2048 --report-data "$nonce" --report-out report.bin --certs-out certs
echo "(2048-bit vendor keys keep the demo quick; the default is AMD's 4096)"

step "2. The report, field by field"
say snpkit report show report.bin
"$snpkit" report show report.bin | sed -n '1,12p;/MEASUREMENT/,+1p;/CHIP_ID/,+1p'
echo "  ..."

step "3. The relying party verifies it: chain, CRL, VCEK TCB and hwID, signature, policy"
meas=$("$snpkit" report show --json report.bin | sed -n 's/.*"measurement": "\([0-9a-f]*\)".*/\1/p')
say snpkit verify --root certs/ark.pem --vcek certs/vcek.pem --chain certs/ask.pem --crl certs/crl.der \
    --expect-measurement "<MEASUREMENT>" --expect-report-data-prefix "$nonce" report.bin
"$snpkit" verify --root certs/ark.pem --vcek certs/vcek.pem --chain certs/ask.pem --crl certs/crl.der \
    --expect-measurement "$meas" --expect-report-data-prefix "$nonce" report.bin |
    sed -n '1,6p;/^  FAIL/p;/^  warn/p;/report.signature/p;/policy.measurement/p'

step "4. The same report against AMD's real roots: the simulator can never pass for real hardware"
say snpkit verify --vcek certs/vcek.pem --chain certs/ask.pem --chain certs/ark.pem report.bin
"$snpkit" verify --vcek certs/vcek.pem --chain certs/ask.pem --chain certs/ark.pem report.bin |
    sed -n '1p;/^  FAIL/p' || true

step "5. One flipped bit in the signed report is a forgery"
cp report.bin forged.bin
printf '\001' | dd of=forged.bin bs=1 seek=$((0x90)) conv=notrunc 2>/dev/null
"$snpkit" verify --root certs/ark.pem --vcek certs/vcek.pem --chain certs/ask.pem forged.bin |
    sed -n '1p;/^  FAIL/p' || true

step "6. An image builder recomputes the MEASUREMENT from the launch inputs alone"
"$snpkit" sim export launch >/dev/null
say snpkit measure --ovmf launch/firmware.fd --kernel launch/kernel.bin --initrd launch/initrd.img \
    --append "\$(cat launch/cmdline.txt)" --vcpu-type EPYC-Genoa
calc=$("$snpkit" measure --ovmf launch/firmware.fd --kernel launch/kernel.bin --initrd launch/initrd.img \
    --append "$(cat launch/cmdline.txt)" --vcpu-type EPYC-Genoa)
echo "$calc"
[ "$calc" = "$meas" ] && echo "equals the MEASUREMENT the simulated PSP signed" ||
    echo "DIFFERS from the report's MEASUREMENT $meas"

step "7. Fetch the collateral from the simulated key server instead (AMD's KDS URL layout)"
"$snpkit" kds serve --listen 127.0.0.1:0 --state chip --quiet >kds.port 2>kds.log &
kds_pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s kds.port ] && break; sleep 0.2; done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' kds.port | head -n 1)
say snpkit verify --kds "http://127.0.0.1:$port" --store store --root certs/ark.pem report.bin
"$snpkit" verify --kds "http://127.0.0.1:$port" --store store --root certs/ark.pem report.bin |
    sed -n '1p;/collateral\./p'
kill "$kds_pid" 2>/dev/null || true
kds_pid=""

step "8. A secret key-value store in the CVM, sealed with a key only this image on this chip can derive"
say snpkit sim run --state chip --app kv
"$snpkit" sim run --state chip --app kv 2>&1 | grep -E 'MEASUREMENT|kv:|verdict'
echo "(another command line, so another MEASUREMENT: the app that runs is the app the report names)"

step "9. Bad input gets one clear line naming the file, the offset and the reason"
head -c 1000 report.bin >truncated.bin
say snpkit report show truncated.bin
"$snpkit" report show truncated.bin || echo "(exit code $?: rejected)"

step "10. Attested TLS: a service in the CVM proves its MEASUREMENT inside the handshake, before a client sends a byte"
say snpkit atls serve --listen 127.0.0.1:0 --state chip --json
"$snpkit" atls serve --listen 127.0.0.1:0 --state chip --json >atls.json 2>atls.log &
atls_pid=$!
for _ in $(seq 1 50); do [ -s atls.json ] && break; sleep 0.2; done
cat atls.json
aport=$(sed -n 's/.*"port": \([0-9][0-9]*\).*/\1/p' atls.json)
ameas=$(sed -n 's/.*"measurement": "\([0-9a-f]*\)".*/\1/p' atls.json)
say "echo 'hello, attested service' | snpkit atls connect 127.0.0.1:$aport --root certs/ark.pem --expect-measurement <MEASUREMENT>"
echo 'hello, attested service' |
    "$snpkit" atls connect "127.0.0.1:$aport" --root certs/ark.pem --expect-measurement "$ameas" 2>&1
say "echo 'must not arrive' | snpkit atls connect 127.0.0.1:$aport --root certs/ark.pem --expect-measurement <another image's>"
echo 'must not arrive' |
    "$snpkit" atls connect "127.0.0.1:$aport" --root certs/ark.pem --expect-measurement "$(printf '%096d' 0)" 2>&1 |
    cut -c 1-150 || true
echo "(rejected with policy.measurement: the handshake was aborted, the service got no byte)"
echo "(the TLS key and the handshake live inside the guest; the host only relayed TLS records: docs/atls.md)"
kill "$atls_pid" 2>/dev/null || true
wait "$atls_pid" 2>/dev/null || true
atls_pid=""

step "11. The hostile hypervisor: every scenario, plain VM vs SNP VM"
say snpkit attack run all
attack_rc=0
"$snpkit" attack run all 2>&1 || attack_rc=$?
if [ "$attack_rc" -ne 0 ]; then
    echo "snpkit attack: exit $attack_rc (a scenario observed another outcome than expected)" >&2
    exit 1
fi
echo "(each cell is what the scenario observed, '!' when not the expected one; DEFENCE is cut"
echo " to the terminal, --wide prints it whole; 'snpkit attack run ID --trace' shows the steps)"

step "Done. 'make test' runs every test (and known answers against real AMD artifacts when ../shared/vectors exists)."

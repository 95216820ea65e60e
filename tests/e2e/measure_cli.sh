#!/bin/bash
# tests/e2e/measure_cli.sh SNPKIT SRC - `snpkit measure` and `snpkit idblock` as a user runs them:
# help text (with the stated --guest-features default), published measurements through the CLI
# in every output format, --dump-vmsa against the generated VMSA pages, --explain, one-line
# errors with the right exit codes and nothing written on failure, and the ID-block known
# answers of MANIFEST §5. Vector cases are skipped (visibly) without ../shared/vectors.
set -u
snpkit=$(realpath "$1")
src=$(realpath "$2")
vec=${SNPKIT_VECTORS:-$src/../shared/vectors}
pass=0
fail=0
skip=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

run() { # run NAME WANT_RC CMD...
    local name=$1 want=$2
    shift 2
    "$@" >"$work/$name.out" 2>"$work/$name.err"
    local rc=$?
    if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, want $want: $(head -c 300 "$work/$name.err")"; fi
}
one_error_line() { # NAME PATTERN: exactly one stderr line matching, stdout empty
    local n
    n=$(wc -l <"$work/$1.err")
    if [ "$n" -eq 1 ] && grep -qE "$2" "$work/$1.err" && [ ! -s "$work/$1.out" ]; then ok; else
        bad "$1: want one stderr line /$2/ and no stdout, got: $(cat "$work/$1.err")"
    fi
}
out_is() { # NAME TEXT: stdout equals TEXT
    if [ "$(cat "$work/$1.out")" = "$2" ]; then ok; else bad "$1: got '$(cat "$work/$1.out")', want '$2'"; fi
}
b64hex() { base64 -d | od -An -tx1 -v | tr -d ' \n'; }

# ---- self-contained ---------------------------------------------------------------------------
run help 0 "$snpkit" measure --help
grep -q 'DEFAULT 0x1' "$work/help.out" && ok || bad "measure --help does not state the guest-features default"
grep -q 'EPYC-Genoa' "$work/help.out" && ok || bad "measure --help does not list the CPU models"
run help2 0 "$snpkit" help idblock
grep -q 'id-block=' "$work/help2.out" && ok || bad "idblock --help does not mention QEMU's id-block="
run noovmf 2 "$snpkit" measure --vcpus 1
one_error_line noovmf 'ovmf FILE is required'
run vcpus0 2 "$snpkit" measure --ovmf /dev/null --vcpus 0
one_error_line vcpus0 'vcpus'
run vcpushuge 2 "$snpkit" measure --ovmf /dev/null --vcpus 100000 --vcpu-type EPYC
one_error_line vcpushuge 'vcpus'
run badtype 2 "$snpkit" measure --ovmf /dev/null --vcpu-type EPYC-v9
one_error_line badtype 'unknown CPU model'
run twosig 2 "$snpkit" measure --ovmf /dev/null --vcpu-type EPYC --vcpu-sig 800f12
one_error_line twosig 'only one of'
run initrdonly 2 "$snpkit" measure --ovmf /dev/null --vcpu-type EPYC --initrd /dev/null
one_error_line initrdonly 'only with --kernel'
run nofile 3 "$snpkit" measure --ovmf "$work/absent.fd" --vcpu-type EPYC
one_error_line nofile 'absent.fd: cannot open'
run emptyovmf 1 "$snpkit" measure --ovmf /dev/null --vcpu-type EPYC --dump-vmsa "$work/dump-empty"
one_error_line emptyovmf 'image size'
[ ! -e "$work/dump-empty" ] && ok || bad "a refused measurement left $work/dump-empty behind"

if command -v openssl >/dev/null 2>&1; then
    openssl ecparam -name secp384r1 -genkey -noout -out "$work/k.pem" 2>/dev/null
    run idgen 0 "$snpkit" idblock --measurement "$(printf '%096d' 0)" --id-key "$work/k.pem" --out-dir "$work/idg"
    for f in id_block.bin id_auth.bin id_block.base64 id_auth.base64; do
        [ -s "$work/idg/$f" ] && ok || bad "idblock did not write $f"
    done
    [ "$(stat -c %s "$work/idg/id_block.bin")" -eq 96 ] && [ "$(stat -c %s "$work/idg/id_auth.bin")" -eq 4096 ] && ok || bad "idblock sizes"
    grep -q 'author_key_digest: (none' "$work/idgen.out" && ok || bad "idblock without author key: $(cat "$work/idgen.out")"
    run idbadld 2 "$snpkit" idblock --measurement 1234 --id-key "$work/k.pem"
    one_error_line idbadld 'measurement'
    openssl ec -in "$work/k.pem" -pubout -out "$work/pub.pem" 2>/dev/null
    run idpub 2 "$snpkit" idblock --measurement "$(printf '%096d' 0)" --id-key "$work/pub.pem" --out-dir "$work/idp"
    one_error_line idpub 'public key cannot sign'
    [ ! -e "$work/idp" ] && ok || bad "a refused idblock left $work/idp behind"
else
    skip=$((skip + 1))
    echo "SKIP: openssl command not found (idblock self-contained cases)"
fi

# ---- published vectors ------------------------------------------------------------------------
if [ ! -d "$vec/sev-snp-measure" ]; then
    echo "SKIP: external vectors not found ($vec): published measurement and ID-block cases"
    skip=$((skip + 1))
else
    s=$vec/sev-snp-measure
    amd=$s/ovmf_AmdSev_suffix.bin
    run snpdef 0 "$snpkit" measure --ovmf "$amd" --vcpus 1 --vcpu-type EPYC-v4 --guest-features 0x21 \
        --kernel /dev/null --initrd /dev/null --append "console=ttyS0 loglevel=7"
    out_is snpdef 803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977
    run fms 0 "$snpkit" measure --ovmf "$amd" --vcpus 4 --vcpu-family 23 --vcpu-model 1 --vcpu-stepping 2 \
        --kernel /dev/null --initrd /dev/null --append ""
    out_is fms 5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046ad5
    run gce 0 "$snpkit" measure --ovmf "$amd" --vcpus 4 --vmm-type gce --kernel /dev/null --initrd /dev/null --append ""
    out_is gce 5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e29d
    run ec2 0 "$snpkit" measure --ovmf "$amd" --vmm-type ec2 --vcpu-type EPYC-v4 --guest-features 0x1 \
        --kernel /dev/null --initrd /dev/null --append "" --output-format base64
    [ "$(b64hex <"$work/ec2.out")" = 0883bd0eeb716e65b7b977a321c278d1e51b33b5c655fab985443bbcc65c086b9c15e8a0bd8811050dec7e24964e5056 ] && ok || bad "ec2 base64: $(cat "$work/ec2.out")"
    run x64 0 "$snpkit" measure --ovmf "$s/ovmf_OvmfX64_suffix.bin" --vcpu-type EPYC-v4 --guest-features 0x21 --output-format json
    grep -q '"measurement": "28797ae0afaba4005a81e629acebfb59e6687949d6be44007cd5506823b0dd66f146aaae26ff291eed7b493d8a64c385"' "$work/x64.out" && ok || bad "x64 json: $(cat "$work/x64.out")"
    run ohash 0 "$snpkit" measure --ovmf "$amd" --snp-ovmf-hash
    out_is ohash 086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74
    run fromhash 0 "$snpkit" measure --ovmf "$amd" --ovmf-hash "$(cat "$work/ohash.out")" --vcpu-type EPYC-v4 \
        --guest-features 0x21 --kernel /dev/null --initrd /dev/null --append ""
    out_is fromhash 329c8ce0972ae52343b64d34a434a86f245dfd74f5ed7aae15d22efc78fb9683632b9b50e4e1d7fa41179ef98a7ef198
    run svsm 0 "$snpkit" measure --ovmf "$s/svsm_ovmf.fd" --svsm "$s/svsm.bin" --vars-size 540672 --vcpus 4 \
        --vcpu-type EPYC-v4 --guest-features 0x21
    out_is svsm 27d154c27b7b359c935e250ec6fee72aa0ae8c1225e3b0e1cf46a9567e938066d7d6f94bbdc4a857818bdb79277a44b2
    run seves 0 "$snpkit" measure --mode seves --ovmf "$amd" --vcpus 4 --vcpu-type EPYC-v4 --kernel /dev/null \
        --initrd /dev/null --append ""
    out_is seves 0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91
    run sev 0 "$snpkit" measure --mode sev --ovmf "$amd" --kernel /dev/null
    out_is sev 77f613d7bbcdf12a73782ea9e88b0172aeda50d1a54201cb903594ff52846898
    run x64kernel 1 "$snpkit" measure --ovmf "$s/ovmf_OvmfX64_suffix.bin" --vcpu-type EPYC-v4 --kernel /dev/null
    one_error_line x64kernel 'ovmf_OvmfX64_suffix.bin: kernel given but the OVMF metadata has no SNP_KERNEL_HASHES section'
    run x64sev 1 "$snpkit" measure --mode sev --ovmf "$s/ovmf_OvmfX64_suffix.bin" --kernel /dev/null
    one_error_line x64sev 'no SEV hashes table block'
    # --dump-vmsa writes exactly the generated VMSA pages
    g=$s/generated-vmsa/snp-qemu-epycmilan-2vcpu-gf0x1-nokernel
    run dump 0 "$snpkit" measure --ovmf "$amd" --vcpus 2 --vcpu-type EPYC-Milan --dump-vmsa "$work/dump"
    out_is dump "$(tr -d '\n' <"$g/measurement.hex")"
    for i in 0 1; do cmp -s "$work/dump/vmsa$i.bin" "$g/vmsa$i.bin" && ok || bad "dump-vmsa vmsa$i.bin differs"; done
    # --explain: one line per region, the last digest is the measurement
    run explain 0 "$snpkit" measure --ovmf "$amd" --vcpus 2 --vcpu-type EPYC-v4 --explain
    grep -q 'SNP_KERNEL_HASHES *ZERO' "$work/explain.out" && ok || bad "explain lacks the KERNEL_HASHES line"
    [ "$(grep -c ' VMSA ' "$work/explain.out")" -eq 2 ] && ok || bad "explain: want 2 VMSA lines"
    last=$(tail -n 1 "$work/explain.out")
    grep -q "VMSA.*$last" "$work/explain.out" && ok || bad "explain: last step digest != measurement"
    # debian OVMF: one row of expected_measurements.tsv through the CLI
    run debian 0 "$snpkit" measure --ovmf "$vec/debian-ovmf/OVMF.fd" --vcpus 2 --vcpu-type EPYC-Genoa --guest-features 0x21
    out_is debian 48c562826999dc60742c0eb2909b789d171fcbfcc2d906d242eef760d9548d19cb2a448f786ccf7a19857f590ed9429e

    # ID block known answers (MANIFEST §5)
    run idssm 0 "$snpkit" idblock --measurement B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t \
        --id-key "$s/id_key_test.pem" --author-key "$s/author_key_test.pem" --out-dir "$work/ids"
    [ "$(cat "$work/ids/id_block.base64")" = "B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7tAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA" ] && ok || bad "ssm id_block.base64: $(cat "$work/ids/id_block.base64")"
    grep -q "id_key_digest: *$(echo hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU | b64hex)" "$work/idssm.out" && ok || bad "ssm id key digest: $(cat "$work/idssm.out")"
    grep -q "author_key_digest: *$(echo YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX | b64hex)" "$work/idssm.out" && ok || bad "ssm author key digest"
    [ "$(b64hex <"$work/ids/id_auth.base64")" = "$(od -An -tx1 -v "$work/ids/id_auth.bin" | tr -d ' \n')" ] && ok || bad "id_auth.base64 != id_auth.bin"
    l=$vec/lit-sev-snp-utils
    run idlit 0 "$snpkit" idblock --measurement ffb0cb7f01a5d5b122430d66f211326ab5cf11a9a5d3189ec53adf9a60730bc63d9856fe9fe602abd662861d0ee36007 \
        --id-key "$l/id-key.pem" --author-key "$l/author-key.pem" --out-dir "$work/idl" --json
    cmp -s "$work/idl/id_block.bin" "$l/id_block.b64.bin" && ok || bad "lit id_block.bin differs"
    grep -q '"id_key_digest": "64a7dce6dcc44a98f0db95301dec5d33def24ffd71df2911663dd8603e18a6831ac6fafd2b67d983b338305db818516c"' "$work/idlit.out" && ok || bad "lit id key digest (json)"
    grep -q '"author_key_digest": "bbb27d63ea847e0412b5b07ccdd673a46212545aceaf6b87521467ab66b982ead7901a9a190bdd1ffacf656c7ac1e9cc"' "$work/idlit.out" && ok || bad "lit author key digest (json)"
    # the deterministic parts of ID_AUTH_INFO: algos + ID_KEY (0x000..0x008, 0x240..0x680) and AUTHOR_KEY
    cmp -s <(head -c 8 "$work/idl/id_auth.bin") <(head -c 8 "$l/auth_info.b64.bin") && ok || bad "lit id_auth algos differ"
    cmp -s <(tail -c +$((0x240 + 1)) "$work/idl/id_auth.bin" | head -c $((0x440))) <(tail -c +$((0x240 + 1)) "$l/auth_info.b64.bin" | head -c $((0x440))) && ok || bad "lit ID_KEY field differs"
    cmp -s <(tail -c +$((0x880 + 1)) "$work/idl/id_auth.bin") <(tail -c +$((0x880 + 1)) "$l/auth_info.b64.bin") && ok || bad "lit AUTHOR_KEY field differs"
fi

echo "measure_cli: $pass passed, $fail failed, $skip skipped groups"
[ "$fail" -eq 0 ]

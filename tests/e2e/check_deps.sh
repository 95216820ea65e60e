#!/bin/bash
# tests/e2e/check_deps.sh SNPKIT SRC - the include-rule checker really catches each forbidden edge.
# (A checker that never fails would prove nothing.) Each case plants one include in a scratch
# copy of the tree and expects check-deps to fail naming it.
set -u
src=$2
pass=0
fail=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

expect() { # $1 = file to create, $2 = include line, $3 = want "fail" or "ok"
    rm -rf "$scratch/t"
    mkdir -p "$scratch/t"
    cp -r "$src/include" "$src/src" "$src/scripts" "$scratch/t/"
    mkdir -p "$(dirname "$scratch/t/$1")"
    printf '%s\n' "$2" >>"$scratch/t/$1"
    out=$(sh "$scratch/t/scripts/check-deps.sh" "$scratch/t" 2>&1)
    rc=$?
    if { [ "$3" = fail ] && [ $rc -ne 0 ] && echo "$out" | grep -q "$1"; } ||
        { [ "$3" = ok ] && [ $rc -eq 0 ]; }; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $1 with '$2': expected $3, got rc=$rc: $out"
    fi
}

expect src/host/x.c '#include "sim/psp/psp.h"' fail
expect src/host/x.c '#include "sim/memctl.h"' fail
expect src/host/x.c '#include "sim/host_if.h"' ok
expect src/host/x.c '#include "sim/phys_if.h"' ok
expect src/guest/x.c '#include "sim/host_if.h"' fail
expect src/guest/x.c '#include "sim/guest_if.h"' ok
expect src/verify/x.c '#include <openssl/evp.h>' fail
expect src/crypto/x.c '#include <openssl/evp.h>' ok
expect src/atls/x.c '#include <openssl/ssl.h>' ok
expect src/atls/x.c '#include <openssl/evp.h>' fail
expect src/abi/x.c '#include "crypto/sha.h"' fail
expect src/base/x.c '#include "abi/report.h"' fail
expect src/verify/x.c '#include "sim/psp/keys.h"' fail
expect src/sim/x.c '#include "sim/psp/keys.h"' ok
expect include/snpkit/x.h '#include <openssl/evp.h>' fail
expect src/cli/x.c '#include "verify/chain.h"' ok
expect src/cli/x.c '#include "sim/keyslot.h"' fail
expect src/cli/x.c '#include "sim/host_if.h"' ok
expect src/host/x.c '#include "sim/keyslot.h"' fail
expect src/amd/x.c '#include "sim/host_if.h"' fail

# The real tree passes.
if sh "$src/scripts/check-deps.sh" "$src" >/dev/null; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: the tree itself violates the include rules"; fi
echo "check_deps: $pass passed, $fail failed"
[ $fail -eq 0 ]

#!/bin/sh
# scripts/check-deps.sh - enforce the include rules of STYLE.md §2 and ARCHITECTURE.md.
#
# Reads every #include in include/ and src/ and fails on a forbidden edge:
#   - a module may include only the modules the architecture table allows;
#   - host/ sees only sim/host_if.h and sim/phys_if.h of sim/; guest/ only sim/guest_if.h;
#   - nothing outside sim/ sees sim/psp/ (the firmware and its secrets);
#   - only crypto/ includes <openssl/...> (atls/ may include <openssl/ssl.h> and its
#     companions <openssl/err.h>, <openssl/x509.h>); public headers never expose OpenSSL;
#   - a public header tagged "@module NAME" counts as part of module NAME.
# Usage: check-deps.sh [SOURCE_DIR]. Prints one line per violation; exit 1 if any.
set -u
top=${1:-$(dirname "$0")/..}
cd "$top" || exit 2

allowed() { # module -> modules it may include
    case "$1" in
    base) echo "base" ;;
    abi) echo "base abi" ;;
    crypto) echo "base abi crypto" ;;
    measure) echo "base abi crypto measure" ;;
    verify) echo "base abi crypto measure verify" ;;
    sim) echo "base abi crypto measure sim" ;;
    amd) echo "base abi crypto amd" ;;
    host) echo "base abi measure host sim-host" ;;
    guest) echo "base abi crypto guest sim-guest" ;;
    atls) echo "base abi crypto verify guest atls" ;;
    cli) echo "base abi crypto measure verify amd host guest atls cli sim-host sim-guest" ;;
    public) echo "base abi public" ;;
    *) echo "" ;;
    esac
}

# Which module an include target belongs to.
target_module() {
    t=$1
    case "$t" in
    sim/host_if.h | sim/phys_if.h) echo "sim-host" ;;
    sim/guest_if.h) echo "sim-guest" ;;
    sim/psp/*) echo "sim-psp" ;;
    snpkit/*)
        tag=$(grep -o '@module [a-z]*' "include/$t" 2>/dev/null | head -1 | cut -d' ' -f2)
        echo "${tag:-public}"
        ;;
    */*) echo "${t%%/*}" ;;
    *) echo "local" ;;
    esac
}

bad=0
files=$(find include src -name '*.[ch]' 2>/dev/null | sort)
for f in $files; do
    case "$f" in
    include/*)
        mod=$(grep -o '@module [a-z]*' "$f" 2>/dev/null | head -1 | cut -d' ' -f2)
        mod=${mod:-public}
        ;;
    src/*/*) mod=$(echo "$f" | cut -d/ -f2) ;;
    *) continue ;;
    esac
    ok=$(allowed "$mod")
    grep -n '^[[:space:]]*#[[:space:]]*include' "$f" | while IFS= read -r line; do
        n=${line%%:*}
        inc=$(echo "$line" | sed -n 's/.*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p')
        name=$(echo "$inc" | sed 's/^[<"]//; s/[>"]$//')
        case "$inc" in
        \<openssl/*)
            case "$mod" in
            crypto) ;;
            atls)
                case "$name" in
                openssl/ssl.h | openssl/err.h | openssl/x509.h | openssl/x509v3.h) ;;
                *) echo "$f:$n: atls/ may include only <openssl/ssl.h> and its companions, not <$name>" ;;
                esac
                ;;
            *) echo "$f:$n: only src/crypto/ may include OpenSSL headers (<$name>)" ;;
            esac
            continue
            ;;
        \<*) continue ;;
        esac
        tm=$(target_module "$name")
        [ "$tm" = local ] && continue
        if [ "$tm" = sim-psp ]; then
            case "$f" in
            src/sim/*) continue ;;
            esac
            echo "$f:$n: only sim/ may see the firmware ($name)"
            continue
        fi
        [ "$tm" = public ] && continue
        # sim's own files may include any sim header; a module that may see sim sees the
        # narrow headers too.
        [ "$mod" = sim ] && [ "${tm#sim}" != "$tm" ] && continue
        case " $ok " in
        *" $tm "*) ;;
        *" sim "*) [ "${tm#sim}" != "$tm" ] || echo "$f:$n: $mod/ may not include $name ($tm)" ;;
        *)
            if [ "$tm" = sim ] && [ "$mod" = host ]; then
                echo "$f:$n: host/ may include only sim/host_if.h and sim/phys_if.h, not $name"
            elif [ "$tm" = sim ] && [ "$mod" = guest ]; then
                echo "$f:$n: guest/ may include only sim/guest_if.h, not $name"
            else
                echo "$f:$n: $mod/ may not include $name (module $tm)"
            fi
            ;;
        esac
    done
done >/tmp/snpkit-check-deps.$$
if [ -s /tmp/snpkit-check-deps.$$ ]; then
    cat /tmp/snpkit-check-deps.$$
    n=$(wc -l </tmp/snpkit-check-deps.$$)
    rm -f /tmp/snpkit-check-deps.$$
    echo "check-deps: $n forbidden include(s)"
    exit 1
fi
rm -f /tmp/snpkit-check-deps.$$
echo "check-deps: include graph respects the trust boundaries ($(echo "$files" | wc -w) files)"
exit 0

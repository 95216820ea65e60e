#!/bin/sh
# scripts/check-deps.sh - enforce the include rules of STYLE.md §2 and ARCHITECTURE.md.
#
# Reads every #include in include/ and src/ and fails on a forbidden edge:
#   - a module may include only the modules the architecture table allows;
#   - host/ sees only sim/host_if.h and sim/phys_if.h of sim/; guest/ only sim/guest_if.h;
#     the CLI only the narrow headers too: sim's internals and its key slots stay in sim/;
#   - nothing outside sim/ sees sim/psp/ (the firmware and its secrets);
#   - only crypto/ includes <openssl/...> (atls/ may include <openssl/ssl.h> and its
#     companions <openssl/err.h>, <openssl/x509.h>, <openssl/x509v3.h>); public headers never
#     expose OpenSSL;
#   - a public header tagged "@module NAME" counts as part of module NAME.
# Usage: check-deps.sh [SOURCE_DIR]. Prints one line per violation; exit 1 if any.
set -u
top=${1:-$(dirname "$0")/..}
cd "$top" || exit 2

files=$(find include src -name '*.[ch]' 2>/dev/null | sort)
[ -n "$files" ] || { echo "check-deps: no sources found under $top"; exit 2; }

# One awk pass over every file: first the module tags of public headers, then the includes.
# shellcheck disable=SC2086
awk '
function allowed(mod) {
    if (mod == "base") return " base "
    if (mod == "abi") return " base abi "
    if (mod == "crypto") return " base abi crypto "
    if (mod == "measure") return " base abi crypto measure "
    if (mod == "verify") return " base abi crypto measure verify "
    if (mod == "sim") return " base abi crypto measure sim sim-host sim-guest sim-psp "
    if (mod == "amd") return " base abi crypto amd "
    if (mod == "host") return " base abi measure host sim-host "
    if (mod == "guest") return " base abi crypto guest sim-guest "
    if (mod == "atls") return " base abi crypto verify guest atls "
    if (mod == "cli") return " base abi crypto measure verify amd host guest atls cli sim-host sim-guest "
    if (mod == "public") return " base abi public "
    return " "
}
function target_module(t,    m) {
    if (t == "sim/host_if.h" || t == "sim/phys_if.h") return "sim-host"
    if (t == "sim/guest_if.h") return "sim-guest"
    if (t ~ /^sim\/psp\//) return "sim-psp"
    if (t ~ /^snpkit\//) return (t in tag) ? tag[t] : "public"
    if (t ~ /\//) { split(t, m, "/"); return m[1] }
    return "local"
}
function module_of(f,    s, a) {
    if (f ~ /^include\//) { s = f; sub(/^include\//, "", s); return (s in tag) ? tag[s] : "public" }
    split(f, a, "/"); return a[2]
}
FNR == 1 { file = FILENAME; mod = "" }
pass == 1 {
    if (FILENAME ~ /^include\// && match($0, /@module [a-z]+/)) {
        p = FILENAME; sub(/^include\//, "", p)
        if (!(p in tag)) tag[p] = substr($0, RSTART + 8, RLENGTH - 8)
    }
    next
}
/^[ \t]*#[ \t]*include/ {
    if (mod == "") mod = module_of(file)
    line = $0
    if (!match(line, /[<"][^>"]*[>"]/)) next
    inc = substr(line, RSTART, RLENGTH); name = substr(inc, 2, length(inc) - 2)
    if (substr(inc, 1, 1) == "<") {
        if (name !~ /^openssl\//) next
        if (mod == "crypto") next
        if (mod == "atls" && (name == "openssl/ssl.h" || name == "openssl/err.h" || name == "openssl/x509.h" || name == "openssl/x509v3.h")) next
        if (mod == "atls") printf "%s:%d: atls/ may include only <openssl/ssl.h> and its companions, not <%s>\n", file, FNR, name
        else printf "%s:%d: only src/crypto/ may include OpenSSL headers (<%s>)\n", file, FNR, name
        bad++; next
    }
    tm = target_module(name)
    if (tm == "local" || tm == "public") next
    if (tm == "sim-psp" && mod != "sim") { printf "%s:%d: only sim/ may see the firmware (%s)\n", file, FNR, name; bad++; next }
    if (index(allowed(mod), " " tm " ")) next
    if (tm == "sim" && mod == "host") printf "%s:%d: host/ may include only sim/host_if.h and sim/phys_if.h, not %s\n", file, FNR, name
    else if (tm == "sim" && mod == "guest") printf "%s:%d: guest/ may include only sim/guest_if.h, not %s\n", file, FNR, name
    else printf "%s:%d: %s/ may not include %s (module %s)\n", file, FNR, mod, name, tm
    bad++
}
END {
    if (bad > 0) { printf "check-deps: %d forbidden include(s)\n", bad; exit 1 }
    printf "check-deps: include graph respects the trust boundaries (%d files)\n", nfiles
}
' pass=1 $files pass=2 nfiles="$(echo "$files" | wc -l)" $files

#!/bin/sh
# scripts/deps.sh - install the Debian packages snpkit needs, if any are missing.
#
# Idempotent and silent when everything is present. Uses apt-get directly as root, through
# sudo otherwise; when neither works it prints the exact command to run and fails.
set -eu

PKGS="cmake make gcc pkg-config libssl-dev libcmocka-dev clang libclang-rt-dev clang-format libjansson-dev libcurl4-openssl-dev libmicrohttpd-dev xxd curl openssl python3"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "snpkit: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "snpkit: cannot install as a normal user without sudo; please run:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
    $SUDO apt-get update -q >/dev/null
    $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

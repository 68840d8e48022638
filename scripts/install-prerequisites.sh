#!/usr/bin/env bash
# Installs the system packages hoard needs. `build`: to build and run it; `test`: also what the tests use.
# Runs apt-get only for what is missing, so a prepared machine pays nothing.
set -euo pipefail
kind=${1:-build}
packages=(libzstd-dev libssl-dev pkg-config make gcc g++ binutils)
if [ "$kind" = test ]; then
    # gcc-12-locales and locales: a test runs gcc in German, whose -v output Hoard must still read.
    packages+=(dpkg-dev bsdutils procps patch util-linux redis-server memcached nginx libnginx-mod-http-dav-ext
        gcc-12-locales locales librust-regex-dev librust-serde-dev librust-serde-derive-dev librust-syn-dev librust-quote-dev)
fi
missing=()
if [ "$kind" = test ] && ! command -v cargo >/dev/null && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
    packages+=(cargo)  # Debian's cargo and rustc, matched to its librust-*-dev crates
fi
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "$kind" = test ] && ! locale -a 2>/dev/null | grep -qi '^de_DE.utf8$'; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    if grep -q '^# *de_DE.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null; then
        $sudo sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen
    elif ! grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null; then
        echo 'de_DE.UTF-8 UTF-8' | $sudo tee -a /etc/locale.gen >/dev/null
    fi
    $sudo locale-gen >/dev/null
fi

#!/usr/bin/env bash
# Unpacks the Debian source packages of Lua 5.4 and zlib into .build-sources/ for the end-to-end tests, and
# prints the two environment assignments the tests read. Lua's Debian patches (libtool build, multiarch paths)
# are reversed so that the upstream Makefile builds it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD/.build-sources
fetch=${HOARD_DEBIAN_SOURCE:-$PWD/../shared/scripts/debian-source}
mkdir -p "$root"
if [ ! -d "$root/lua-upstream" ]; then
    lua=$("$fetch" lua5.4 "$root/lua5.4")
    rm -rf "$root/lua-upstream.tmp"
    cp -a "$lua" "$root/lua-upstream.tmp"
    (cd "$root/lua-upstream.tmp" && for p in $(tac debian/patches/series); do patch -R -s -p1 < "debian/patches/$p"; done)
    mv "$root/lua-upstream.tmp" "$root/lua-upstream"
fi
zlib=$("$fetch" zlib "$root/zlib")
echo "HOARD_TEST_LUA_SOURCE=$root/lua-upstream"
echo "HOARD_TEST_ZLIB_SOURCE=${zlib%/}"

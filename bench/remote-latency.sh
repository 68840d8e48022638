#!/usr/bin/env bash
# Measures, in one run, the hit latency of a tiny C file served from each remote backend (HOARD_REMOTE_ONLY=1, so
# every hit fetches the manifest and the entry from the remote) next to a local-disk hit. Starts the test servers
# on 127.0.0.1 (scripts/test-servers.sh) and stops them afterwards. Usage: bench/remote-latency.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-200}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
swift build -c release --product hoard >/dev/null
swift build -c release --product hoardd >/dev/null
work=$(mktemp -d /tmp/hoard-remote-bench-XXXXXX)
hoard=$(bench/install-hoard "$work/bin")
servers=$work/servers
trap 'for d in "$work"/cache-*; do HOARD_DIR=$d "$hoard" --stop-server >/dev/null 2>&1 || true; done; "$root"/scripts/test-servers.sh stop "$servers"; rm -rf "$work"' EXIT
scripts/test-servers.sh start "$servers"
# shellcheck source=/dev/null
source "$servers/env"
cd "$work"
printf 'int tiny(int x) { return x * 2 + 1; }\n' > tiny.c
declare -A urls=([redis]=$HOARD_TEST_REDIS_URL [memcached]=$HOARD_TEST_MEMCACHED_URL [webdav]=$HOARD_TEST_WEBDAV_URL [s3]=$HOARD_TEST_S3_URL)
commands=(-n "local disk" "env HOARD_DIR=$work/cache-local $hoard gcc -c tiny.c")
HOARD_WAIT_FOR_STORE=1 HOARD_DIR=$work/cache-local "$hoard" gcc -c tiny.c
for name in redis memcached webdav s3; do
    # Fill the remote, then serve every hit from it.
    HOARD_WAIT_FOR_STORE=1 HOARD_DIR=$work/cache-fill-$name HOARD_REMOTE=${urls[$name]} "$hoard" gcc -c tiny.c
    HOARD_DIR=$work/cache-fill-$name "$hoard" --stop-server >/dev/null
    commands+=(-n "$name" "env HOARD_DIR=$work/cache-$name HOARD_REMOTE=${urls[$name]} HOARD_REMOTE_ONLY=1 $hoard gcc -c tiny.c")
done
hyperfine -N --runs "$runs" --warmup 20 --export-json results.json "${commands[@]}" >/dev/null
python3 - results.json <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
local = statistics.median(results[0]["times"])
print("| hit served from | median (ms) | / local disk |")
print("|---|---|---|")
for result in results:
    median = statistics.median(result["times"])
    print(f"| {result['command']} | {median * 1000:.2f} | {median / local:.2f} |")
PY
for name in redis memcached webdav s3; do
    printf '%s: ' "$name"; HOARD_DIR=$work/cache-$name "$hoard" --show-stats --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["remote_hits"], "remote hits,", d["remote_errors"], "errors")'
done

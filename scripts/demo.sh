#!/usr/bin/env bash
# Builds hoard and runs the demo: a small C project compiled twice through the cache (local disk), with the
# statistics after each build. Usage: scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-prerequisites.sh build
swift build -c release --product hoard
swift build -c release --product hoardd
bin=$PWD/.build/release
export HOARD_DIR=$PWD/.build-demo/cache
rm -rf .build-demo && mkdir -p .build-demo
cp -a examples/demo .build-demo/project
# A file changed in the same clock tick as a compile's start may still be changing, and is never stored: copying
# sets the status change time of every source to now.
sleep 0.1
cd .build-demo/project
"$bin/hoard" --stop-server >/dev/null
for round in first second; do
    make -s clean
    echo "== $round build (CC=\"hoard gcc\") =="
    TIMEFORMAT="   %R s"
    time make -s CC="$bin/hoard gcc"
    ./wordstats
done
echo "== hoard --show-stats =="
"$bin/hoard" --show-stats
"$bin/hoard" --stop-server >/dev/null

#!/usr/bin/env bash
# Installs what the tests need and runs every check: release build with warnings as errors, format lint,
# client footprint, then all unit and end-to-end tests (real gcc and clang; Lua and zlib from Debian sources).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-prerequisites.sh test
eval "export $(scripts/fetch-test-sources.sh | tr '\n' ' ')"

swift build -c release --product hoard -Xswiftc -warnings-as-errors
swift build -c release --product hoardd -Xswiftc -warnings-as-errors
scripts/check-client-footprint.sh .build/release/hoard
git ls-files -z '*.swift' | xargs -0 swift format lint --strict --parallel

# Storage servers for the remote-storage tests, on 127.0.0.1 only, stopped however the tests end.
servers=$PWD/.build-servers
trap 'scripts/test-servers.sh stop "$servers"' EXIT
scripts/test-servers.sh start "$servers"
# shellcheck source=/dev/null
source "$servers/env"

export HOARD_BIN_DIR=$PWD/.build/release
set +e
swift test -Xswiftc -warnings-as-errors > .build-test.log 2>&1
status=$?
set -e
# Everything but the per-test "started" lines (issue comments, on "↳" lines, stay); the summary lines come last.
grep -vE '^◇ ' .build-test.log || true
exit "$status"

#!/usr/bin/env bash
# Fails if the hoard client links anything but the C and C++ runtime, or contains heavy Swift modules.
set -euo pipefail
binary=${1:-.build/release/hoard}
status=0
while read -r library; do
    case $library in
        libc.so.*|libm.so.*|libstdc++.so.*|libgcc_s.so.*|ld-linux*.so.*) ;;
        *) echo "check-client-footprint: $binary links $library"; status=1 ;;
    esac
done < <(objdump -p "$binary" | awk '/NEEDED/ {print $2}')
for module in 10Foundation 7NIOCore 15AsyncHTTPClient 14ArgumentParser; do
    if nm "$binary" 2>/dev/null | grep -q "\$s$module"; then
        echo "check-client-footprint: $binary contains $module symbols"
        status=1
    fi
done
[ $status -eq 0 ] && echo "check-client-footprint: $binary links only the C runtime (if anything) and no Foundation, NIO or ArgumentParser"
exit $status

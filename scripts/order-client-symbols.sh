#!/usr/bin/env bash
# Writes Sources/hoard/symbol-order.txt: the functions the client runs on its common paths (start-up, direct and
# preprocessor hits, a miss, a C++ hit, --show-stats), in the order callgrind first reports them, followed by
# glibc's vectorised string functions (valgrind's virtual CPU picks other variants than the real one would).
# lld places these functions first and together, so a compile touches fewer pages of the client.
#
# Run it after changing the client's hot paths (it relinks the release client); an outdated list costs page
# faults, never correctness.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
swift build -c release --product hoard >/dev/null
swift build -c release --product hoardd >/dev/null
hoard=$root/.build/release/hoard
order=$root/Sources/hoard/symbol-order.txt

work=$(mktemp -d /tmp/hoard-order-XXXXXX)
export HOARD_DIR=$work/cache XDG_RUNTIME_DIR=$work/run HOARD_WAIT_FOR_STORE=1
mkdir -p "$XDG_RUNTIME_DIR"
trap '"$hoard" --stop-server >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cd "$work"
printf 'int tiny(int x) { return x * 2 + 1; }\n' > tiny.c
printf '#include <string>\n#include <vector>\nint f() { std::vector<std::string> v; return (int)v.size(); }\n' > h.cpp
printf 'int miss(void) { return 1; }\n' > miss.c
for _ in 1 2; do
    "$hoard" gcc -O2 -c tiny.c -o tiny.o
    HOARD_DIRECT=0 "$hoard" gcc -O2 -c tiny.c -o tiny-pp.o
    "$hoard" g++ -c h.cpp -o h.o
done

# valgrind cannot read the DWARF that lld writes: profile a copy without it (the symbols stay).
objcopy --strip-debug "$hoard" "$work/hoard"
export HOARD_DAEMON=$root/.build/release/hoardd
run=0
profile() {
    run=$((run + 1))
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.$run" "$work/hoard" "$@" \
        >/dev/null 2>"$work/valgrind.log" || { cat "$work/valgrind.log" >&2; exit 1; }
}
profile --version
profile gcc -O2 -c tiny.c -o tiny.o
HOARD_DIRECT=0 profile gcc -O2 -c tiny.c -o tiny-pp.o
profile g++ -c h.cpp -o h.o
profile gcc -c miss.c -o miss.o
profile --show-stats

{
    for run_number in $(seq "$run"); do
        sed -nE 's/^c?fn=\([0-9]+\) (.+)$/\1/p' "$work/cg.$run_number"
    done
    nm "$hoard" | awk '{print $NF}' | grep -E '^__(mem|str|stp|rawmem)[a-z]*_(avx|evex)' | sort
} | grep -v '^0x' | awk '!seen[$0]++' > "$order"
echo "order-client-symbols: $(wc -l < "$order") functions in ${order#"$root"/}"
# SwiftPM does not know the list is an input of the link: relink by hand.
cd "$root"
rm -f "$hoard"
swift build -c release --product hoard >/dev/null

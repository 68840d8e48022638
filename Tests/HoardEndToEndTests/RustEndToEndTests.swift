import Foundation
import Testing

/// cargo with `RUSTC_WRAPPER=hoard`, offline, on a workspace that uses real crates from Debian's `librust-*-dev`
/// packages (regex, serde with derive) and a proc-macro crate of its own.
@Suite(.serialized, .timeLimit(.minutes(15)))
struct RustEndToEndTests {
    static let registry = "/usr/share/cargo/registry"
    /// cargo: rustup's in `~/.cargo/bin`, else the first on `PATH` (Debian's `cargo` package).
    static let cargo: String = {
        let rustup = (ProcessInfo.processInfo.environment["HOME"] ?? "/root") + "/.cargo/bin/cargo"
        if FileManager.default.isExecutableFile(atPath: rustup) { return rustup }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/cargo" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? rustup
    }()

    static let available =
        ((try? FileManager.default.contentsOfDirectory(atPath: registry)) ?? []).contains { $0.hasPrefix("regex-1.") }
        && FileManager.default.isExecutableFile(atPath: cargo)

    /// Writes the workspace under `directory` of the sandbox's work tree.
    static func writeWorkspace(_ sandbox: Sandbox, at directory: String) throws -> URL {
        let files: [(String, String)] = [
            (
                ".cargo/config.toml",
                """
                [source.crates-io]
                replace-with = "debian"

                [source.debian]
                directory = "\(registry)"

                [net]
                offline = true
                """
            ),
            (
                "Cargo.toml",
                """
                [workspace]
                members = ["textstats", "describe", "describe_derive", "app"]
                resolver = "2"
                """
            ),
            (
                "textstats/Cargo.toml",
                """
                [package]
                name = "textstats"
                version = "0.1.0"
                edition = "2021"

                [dependencies]
                regex = "1"
                """
            ),
            (
                "textstats/src/lib.rs",
                """
                use regex::Regex;

                /// Counts the words in `text`.
                pub fn count_words(text: &str) -> usize {
                    Regex::new(r"\\w+").unwrap().find_iter(text).count()
                }

                // Never used: cargo shows rustc's JSON warning, from the cache too.
                fn unused_helper() {}

                #[cfg(test)]
                mod tests {
                    #[test]
                    fn counts_words() {
                        assert_eq!(super::count_words("a cache, kept"), 3);
                    }
                }
                """
            ),
            (
                "describe_derive/Cargo.toml",
                """
                [package]
                name = "describe_derive"
                version = "0.1.0"
                edition = "2021"

                [lib]
                proc-macro = true

                [dependencies]
                syn = "1"
                quote = "1"
                """
            ),
            (
                "describe_derive/src/lib.rs",
                """
                use proc_macro::TokenStream;
                use quote::quote;

                #[proc_macro_derive(Describe)]
                pub fn derive_describe(input: TokenStream) -> TokenStream {
                    let input = syn::parse_macro_input!(input as syn::DeriveInput);
                    let name = &input.ident;
                    let text = name.to_string();
                    quote!(impl describe::Describe for #name { fn describe() -> &'static str { #text } }).into()
                }
                """
            ),
            (
                "describe/Cargo.toml",
                """
                [package]
                name = "describe"
                version = "0.1.0"
                edition = "2021"
                """
            ),
            (
                "describe/src/lib.rs",
                """
                /// Names a type.
                pub trait Describe {
                    fn describe() -> &'static str;
                }

                /// A tag fixed at build time.
                pub const BUILD_TAG: &str = env!("HOARD_TEST_TAG");
                """
            ),
            (
                "app/Cargo.toml",
                """
                [package]
                name = "app"
                version = "0.1.0"
                edition = "2021"

                [dependencies]
                textstats = { path = "../textstats" }
                describe = { path = "../describe" }
                describe_derive = { path = "../describe_derive" }
                serde = { version = "1", features = ["derive"] }
                """
            ),
            (
                "app/src/main.rs",
                """
                use describe::Describe;
                use describe_derive::Describe;

                #[derive(Describe, serde::Serialize)]
                struct Poem {
                    lines: u32,
                }

                fn main() {
                    let poem = Poem { lines: 2 };
                    println!(
                        "{} {} {} {}",
                        Poem::describe(),
                        textstats::count_words("a cache that keeps what compilers made"),
                        describe::BUILD_TAG,
                        poem.lines
                    );
                }
                """
            ),
        ]
        for (path, content) in files { try sandbox.write("\(directory)/\(path)", content) }
        return sandbox.work.appendingPathComponent(directory)
    }

    @discardableResult
    static func cargo(
        _ sandbox: Sandbox,
        _ arguments: [String],
        in workspace: URL,
        tag: String = "one",
        extra: [String: String] = [:]
    ) throws -> CommandResult {
        var environment = [
            "RUSTC_WRAPPER": Binaries.hoard, "CARGO_INCREMENTAL": "0", "HOARD_TEST_TAG": tag,
            "CARGO_TARGET_DIR": workspace.appendingPathComponent("target").path,
        ]
        environment.merge(extra) { $1 }
        let result = try sandbox.run([Self.cargo] + arguments, in: workspace, environment: environment, timeout: 600)
        #expect(result.status == 0, "cargo \(arguments.joined(separator: " ")): \(result.stderrText.suffix(3000))")
        return result
    }

    static func counts(_ sandbox: Sandbox) throws -> (hits: Int, misses: Int) {
        let stats = try sandbox.stats()
        let hits = (stats["preprocessed_hits"] as? Int ?? 0) + (stats["direct_hits"] as? Int ?? 0)
        return (hits, stats["misses"] as? Int ?? -1)
    }

    @Test(.enabled(if: available, "needs cargo and Debian's librust-regex-dev, librust-serde-derive-dev"))
    func `a clean rebuild gets every library crate from the cache and the program still works`() throws {
        let sandbox = try Sandbox("rust")
        let workspace = try Self.writeWorkspace(sandbox, at: "ws")
        let coldBuild = try Self.cargo(sandbox, ["build", "--color=always"], in: workspace)
        let cold = try Self.counts(sandbox)
        #expect(cold.misses > 10, "the cold build compiles the registry crates and the workspace's libraries")
        let firstBinary = try Data(contentsOf: workspace.appendingPathComponent("target/debug/app"))
        try Self.cargo(sandbox, ["clean"], in: workspace)
        try sandbox.hoard(["--zero-stats"])
        let warmBuild = try Self.cargo(sandbox, ["build", "--color=always"], in: workspace)
        let warm = try Self.counts(sandbox)
        // The warning, coloured, exactly as the compile printed it (cargo renders rustc's cached JSON).
        let warning = { (text: String) in
            text.split(separator: "\n", omittingEmptySubsequences: false).drop { !$0.contains("unused_helper") }
                .prefix(6).joined(separator: "\n")
        }
        #expect(warning(coldBuild.stderrText).contains("\u{1B}["))
        #expect(warning(coldBuild.stderrText).contains("never used"))
        #expect(warning(warmBuild.stderrText) == warning(coldBuild.stderrText))
        #expect(warm.misses == 0, "every cacheable crate hits after cargo clean")
        #expect(warm.hits == cold.misses)
        #expect(try sandbox.stats()["direct_hits"] as? Int == warm.hits, "cargo asks for dep-info: direct mode")
        let run = try sandbox.run([workspace.appendingPathComponent("target/debug/app").path])
        #expect(run.stdoutText == "Poem 7 one 2\n")
        #expect(try Data(contentsOf: workspace.appendingPathComponent("target/debug/app")) == firstBinary)
        print("[hoard-e2e] cargo: \(warm.hits) of \(cold.misses) library crates hit after cargo clean")

        // An env! variable: only the crate that reads it misses.
        try sandbox.hoard(["--zero-stats"])
        try Self.cargo(sandbox, ["build"], in: workspace, tag: "two")
        let changed = try Self.counts(sandbox)
        #expect(changed.misses == 1, "only `describe` reads HOARD_TEST_TAG")
        let rerun = try sandbox.run([workspace.appendingPathComponent("target/debug/app").path])
        #expect(rerun.stdoutText == "Poem 7 two 2\n")

        let test = try Self.cargo(sandbox, ["test"], in: workspace, tag: "two")
        #expect(test.stdoutText.contains("test tests::counts_words ... ok"))
    }

    @Test(.enabled(if: available, "needs cargo and Debian's librust-regex-dev, librust-serde-derive-dev"))
    func `the same workspace in two checkouts shares every library hit with base directories`() throws {
        let sandbox = try Sandbox("rustbase")
        let first = try Self.writeWorkspace(sandbox, at: "checkout1/ws")
        let second = try Self.writeWorkspace(sandbox, at: "checkout2/ws")
        // Without debug info the rlibs name no checkout; with it, --remap-path-prefix would be needed.
        let environment = ["HOARD_BASEDIRS": sandbox.work.path, "CARGO_PROFILE_DEV_DEBUG": "0"]
        try Self.cargo(sandbox, ["build"], in: first, extra: environment)
        let cold = try Self.counts(sandbox)
        try sandbox.hoard(["--zero-stats"])
        try Self.cargo(sandbox, ["build"], in: second, extra: environment)
        let shared = try Self.counts(sandbox)
        #expect(shared.misses == 0)
        #expect(shared.hits == cold.misses)
        let deps = second.appendingPathComponent("target/debug/deps")
        let dependencyFiles = try FileManager.default.contentsOfDirectory(atPath: deps.path).filter {
            $0.hasSuffix(".d")
        }
        #expect(dependencyFiles.count >= cold.misses)
        for name in dependencyFiles {
            let text = try String(contentsOf: deps.appendingPathComponent(name), encoding: .utf8)
            #expect(!text.contains(first.path), "\(name) names the first checkout")
        }
        let textstats = try String(
            contentsOf: deps.appendingPathComponent(
                dependencyFiles.first { $0.hasPrefix("textstats-") } ?? "missing.d"
            ),
            encoding: .utf8
        )
        #expect(textstats.contains(second.path))
        let run = try sandbox.run([second.appendingPathComponent("target/debug/app").path])
        #expect(run.stdoutText == "Poem 7 one 2\n")
    }

    @Test(.enabled(if: available, "needs cargo and Debian's librust-regex-dev, librust-serde-derive-dev"))
    func `a direct-mode hit runs no rustc and a changed module file or variable misses`() throws {
        let sandbox = try Sandbox("rustdirect")
        // The toolchain's rustc behind a script that counts its runs (rustup's proxy would run one itself).
        let proxy = URL(fileURLWithPath: Self.cargo).deletingLastPathComponent().appendingPathComponent("rustc").path
        let sysroot = try sandbox.run([proxy, "--print=sysroot"]).stdoutText.trimmingCharacters(
            in: .whitespacesAndNewlines
        )
        let runs = sandbox.work.appendingPathComponent("runs").path
        let rustc = try sandbox.write("bin/rustc", "#!/bin/sh\necho run >> \(runs)\nexec \(sysroot)/bin/rustc \"$@\"\n")
        #expect(chmod(rustc, 0o755) == 0)
        func runCount() -> Int {
            ((try? String(contentsOfFile: runs, encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        try sandbox.write("lib.rs", "mod parser;\npub const TAG: Option<&str> = option_env!(\"HOARD_E2E_TAG\");\n")
        try sandbox.write("parser.rs", "pub fn parse() -> u32 { 1 }\n")
        let arguments = [
            "--crate-name", "demo", "--crate-type", "lib", "--edition=2021", "--emit=dep-info,metadata,link",
            "lib.rs", "--out-dir", "out",
        ]
        let files = ["out/libdemo.rlib", "out/libdemo.rmeta", "out/demo.d"]
        func outputs() throws -> [Data] { try files.map { try sandbox.read($0) } }
        // rustc writes dep-info only into an existing directory.
        func emptyOutputDirectory() throws {
            let out = sandbox.work.appendingPathComponent("out")
            try? FileManager.default.removeItem(at: out)
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        }
        func plain(_ environment: [String: String] = [:]) throws -> [Data] {
            try emptyOutputDirectory()
            #expect(try sandbox.run([rustc] + arguments, environment: environment).status == 0)
            defer { try? FileManager.default.removeItem(at: sandbox.work.appendingPathComponent("out")) }
            return try outputs()
        }
        func cached(_ environment: [String: String] = [:]) throws -> CommandResult {
            try emptyOutputDirectory()
            return try sandbox.hoard([rustc] + arguments, environment: environment)
        }
        let expected = try plain()
        #expect(try cached().status == 0)
        #expect(try outputs() == expected)
        let before = runCount()
        #expect(try cached().status == 0)
        #expect(runCount() == before, "the hit ran no rustc")
        #expect(try outputs() == expected, "the hit restores rustc's own bytes")
        #expect(try sandbox.stats()["direct_hits"] as? Int == 1)

        // A variable the crate read as unset, now set: a miss, and rustc's output for it.
        let tagged = try plain(["HOARD_E2E_TAG": "x"])
        #expect(try cached(["HOARD_E2E_TAG": "x"]).status == 0)
        #expect(try outputs() == tagged)
        #expect(try sandbox.stats()["direct_hits"] as? Int == 1)

        // A module file edited: a miss.
        try sandbox.write("parser.rs", "pub fn parse() -> u32 { 2 }\n")
        let edited = try plain()
        #expect(try cached().status == 0)
        #expect(try outputs() == edited)

        // parser/mod.rs beside parser.rs: rustc refuses the crate, and so does the cached build.
        try sandbox.write("parser/mod.rs", "pub fn parse() -> u32 { 3 }\n")
        let ambiguous = try cached()
        #expect(ambiguous.status != 0)
        #expect(ambiguous.stderrText.contains("E0761"), "\(ambiguous.stderrText)")
        #expect(try sandbox.stats()["direct_hits"] as? Int == 1)
    }

    @Test(.enabled(if: available, "needs cargo and Debian's librust-regex-dev, librust-serde-derive-dev"))
    func
        `direct mode never gives a crate another place's result, through a linked output directory, or another RUSTC_BOOTSTRAP's`()
        throws
    {
        let sandbox = try Sandbox("rustplaces")
        let rustc = URL(fileURLWithPath: Self.cargo).deletingLastPathComponent().appendingPathComponent("rustc").path
        let arguments = [
            "--crate-name", "demo", "--crate-type", "lib", "--edition=2021", "--emit=dep-info,metadata,link",
            "lib.rs", "--out-dir", "out",
        ]
        func write(_ directory: String, parse: Int, features: String = "") throws {
            try sandbox.write("\(directory)/lib.rs", "\(features)mod parser;\npub fn f() -> u32 { parser::parse() }\n")
            try sandbox.write("\(directory)/parser.rs", "pub fn parse() -> u32 { \(parse) }\n")
        }
        /// Builds in `directory` (through hoard if `cached`), its output directory emptied first, and returns the
        /// exit status and the rlib.
        func build(_ directory: String, cached: Bool, _ environment: [String: String] = [:]) throws -> (Int32, Data?) {
            let out = sandbox.work.appendingPathComponent("\(directory)/out")
            for name in (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? [] {
                try FileManager.default.removeItem(at: out.appendingPathComponent(name))
            }
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let command = cached ? [Binaries.hoard, rustc] + arguments : [rustc] + arguments
            let result = try sandbox.run(
                command,
                in: sandbox.work.appendingPathComponent(directory),
                environment: environment
            )
            return (result.status, try? Data(contentsOf: out.appendingPathComponent("libdemo.rlib")))
        }
        func expectSameAsRustc(_ directory: String, _ environment: [String: String] = [:]) throws {
            let plain = try build(directory, cached: false, environment)
            let cached = try build(directory, cached: true, environment)
            #expect(cached.0 == plain.0 && cached.1 == plain.1, "\(directory): hoard's result is not rustc's")
        }

        // The same crate root in two directories, another module in each: each gets its own.
        try write("a", parse: 1)
        try write("b", parse: 2)
        try expectSameAsRustc("a")
        try expectSameAsRustc("b")

        // c's output directory is a link to a's: under a base directory, `../parser.rs` from there is a's module,
        // which must not stand for c's.
        let base = ["HOARD_BASEDIRS": sandbox.work.path]
        try expectSameAsRustc("a", base)
        try write("c", parse: 1)
        try FileManager.default.createSymbolicLink(
            atPath: sandbox.work.appendingPathComponent("c/out").path,
            withDestinationPath: sandbox.work.appendingPathComponent("a/out").path
        )
        try expectSameAsRustc("c", base)
        try write("c", parse: 3)
        try expectSameAsRustc("c", base)

        // `#![feature]` compiles only with RUSTC_BOOTSTRAP, which no dep-info names.
        try write("d", parse: 4, features: "#![feature(rustc_attrs)]\n")
        let bootstrap = ["RUSTC_BOOTSTRAP": "1"]
        try expectSameAsRustc("d", bootstrap)
        #expect(try build("d", cached: true, bootstrap).0 == 0)
        #expect(try build("d", cached: true).0 != 0, "a stable rustc refuses #![feature]")
    }

    @Test(.enabled(if: available, "needs cargo and Debian's librust-regex-dev, librust-serde-derive-dev"))
    func `hoard rustc restores rlibs and static libraries byte for byte as rustc writes them`() throws {
        let sandbox = try Sandbox("rustc")
        // rustup's proxy, or Debian's rustc.
        let rustc = URL(fileURLWithPath: Self.cargo).deletingLastPathComponent().appendingPathComponent("rustc").path
        try sandbox.write(
            "lib.rs",
            "pub fn answer() -> u32 { 42 }\n#[no_mangle]\npub extern \"C\" fn seven() -> u32 { 7 }\n"
        )
        for (type, file) in [("rlib", "libanswer.rlib"), ("staticlib", "libanswer.a")] {
            let arguments = [
                "--crate-name", "answer", "--crate-type", type, "--edition=2021", "lib.rs", "--out-dir", "out",
            ]
            let plain = try sandbox.run([rustc] + arguments)
            #expect(plain.status == 0, "\(plain.stderrText)")
            let expected = try sandbox.read("out/\(file)")
            try FileManager.default.removeItem(at: sandbox.work.appendingPathComponent("out"))
            try sandbox.hoard(["--zero-stats"])
            #expect(try sandbox.hoard([rustc] + arguments).status == 0)
            #expect(try sandbox.read("out/\(file)") == expected)
            try FileManager.default.removeItem(at: sandbox.work.appendingPathComponent("out"))
            #expect(try sandbox.hoard([rustc] + arguments).status == 0)
            #expect(try sandbox.read("out/\(file)") == expected, "the hit restores rustc's own bytes")
            #expect(try Self.counts(sandbox) == (hits: 1, misses: 1))
        }
        // A binary is linked, not cached, and counted as such.
        try sandbox.write("main.rs", "fn main() {}\n")
        #expect(try sandbox.hoard([rustc, "--crate-name", "main", "main.rs", "--out-dir", "out"]).status == 0)
        #expect(try sandbox.stats()["rust_linking"] as? Int == 1)
    }
}

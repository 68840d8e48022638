import Foundation
import HoardCore
import Testing

/// Pins the Rust cache key (docs/cache-key.md, "Rust"): a change to what is hashed shows up in `Golden/rust-*.txt`.
///
/// To accept a deliberate change: bump `CompileKey.formatVersion`, run with `HOARD_UPDATE_GOLDEN=1`, and review
/// the diff.
@Suite struct RustKeyGoldenTests {
    /// The dep-info pass's output for a workspace at `root`.
    static func dependencyInfo(root: String) -> [UInt8] {
        Array(
            """
            \(root)/target/debug/deps/describe-1.d: describe/src/lib.rs \(root)/target/debug/build/describe-2/out/gen.rs

            # env-dep:HOARD_TEST_TAG=one

            """.utf8
        )
    }

    static let cases: [(name: String, workingDirectory: String, line: String)] = [
        (
            "rust-library", "/work/ws",
            "--crate-name describe --edition=2021 describe/src/lib.rs --error-format=json --json=diagnostic-rendered-ansi "
                + "--crate-type lib --emit=dep-info,metadata,link -C debuginfo=0 -C extra-filename=-1 "
                + "--out-dir /work/ws/target/debug/deps -L dependency=/work/ws/target/debug/deps "
                + "--extern serde=/work/ws/target/debug/deps/libserde-3.rmeta -l static=zstd -L native=/work/ws/native"
        ),
        (
            "rust-debug-info-remapped", "/work/ws",
            "--crate-name describe describe/src/lib.rs --crate-type rlib -C debuginfo=2 --remap-path-prefix=/work=/src "
                + "--out-dir /work/ws/target/debug/deps"
        ),
        (
            "rust-registry-crate", "/registry/describe-1.0.0",
            "--crate-name describe src/lib.rs --crate-type lib --emit=dep-info,metadata,link "
                + "--out-dir /work/ws/target/debug/deps --extern serde=/work/ws/target/debug/deps/libserde-3.rmeta"
        ),
    ]

    static func log(
        workingDirectory: String,
        line: String,
        root: String = "/work/ws",
        manifest: Bool = false
    ) -> String {
        let arguments = line.split(separator: " ").map(String.init)
        guard case .cacheable(let invocation) = RustArgumentClassifier.classify(arguments) else {
            return "not cacheable"
        }
        let anchor = Path.normalize(Path.absolute(invocation.outputDirectory, relativeTo: workingDirectory))
        let context = KeyContext(
            identity: CompilerIdentity(family: .rust, digest: String(repeating: "r", count: 64)),
            driverName: "rustc",
            workingDirectory: workingDirectory,
            environment: { $0 == "RUSTC_BOOTSTRAP" ? "1" : nil },
            readFile: { Array("content of \(Path.baseName(of: $0))".utf8) },
            baseDirectories: BaseDirectories(
                ["/work"],
                workingDirectory: workingDirectory,
                arguments: arguments,
                debugInfo: invocation.debugInfo,
                anchor: anchor
            ),
            environmentEntries: {
                [
                    "CARGO_PKG_NAME=describe", "CARGO_MANIFEST_DIR=\(root)/describe", "CARGO_HOME=/root/.cargo",
                    "PATH=/bin",
                ]
            }
        )
        var hasher = CacheKeyHasher(recordingDebugLog: true)
        do {
            if manifest {
                try RustKey.hashManifestFields(of: invocation, context: context, into: &hasher)
            } else {
                try RustKey.hashFields(
                    of: invocation,
                    context: context,
                    dependencies: RustKey.DependencyInfo(Self.dependencyInfo(root: root)),
                    into: &hasher
                )
            }
        } catch {
            return "key input problem: \(error)"
        }
        let lines = hasher.debugLog ?? []
        return (["command: (in \(workingDirectory)) rustc \(line)"] + lines + ["key: \(hasher.finalize().hex)"])
            .joined(separator: "\n") + "\n"
    }

    @Test(arguments: cases.map(\.name))
    func `the key of a representative rustc command line matches its golden file`(name: String) throws {
        guard let entry = Self.cases.first(where: { $0.name == name }) else { return }
        try GoldenFiles.expect(Self.log(workingDirectory: entry.workingDirectory, line: entry.line), matches: name)
    }

    @Test func `the manifest key of direct mode matches its golden file`() throws {
        let log = Self.log(workingDirectory: "/work/ws", line: Self.cases[0].line, manifest: true)
        #expect(!log.contains("source ") && !log.contains("env-dep"), "the manifest's entries hold those")
        try GoldenFiles.expect(log, matches: "rust-direct-manifest")
    }

    @Test func `a checkout elsewhere under the base directory gets the same key`() {
        let moved = Self.cases[0].line.replacingOccurrences(of: "/work/ws", with: "/work/other/ws")
        let original = Self.log(workingDirectory: "/work/ws", line: Self.cases[0].line)
        let relocated = Self.log(workingDirectory: "/work/other/ws", line: moved, root: "/work/other/ws")
        #expect(original.split(separator: "\n").dropFirst() == relocated.split(separator: "\n").dropFirst())
    }

    @Test func `with debug info and no remapping, each checkout gets its own key`() {
        let line = Self.cases[1].line.replacingOccurrences(of: " --remap-path-prefix=/work=/src", with: "")
        let moved = line.replacingOccurrences(of: "/work/ws", with: "/work/other/ws")
        let original = Self.log(workingDirectory: "/work/ws", line: line)
        let relocated = Self.log(workingDirectory: "/work/other/ws", line: moved, root: "/work/other/ws")
        #expect(original.split(separator: "\n").last != relocated.split(separator: "\n").last)
    }

    @Test func `the other file of a module is its mod.rs form or the reverse`() {
        #expect(RustKey.otherModuleFile(of: "/ws/src/parser.rs") == "/ws/src/parser/mod.rs")
        #expect(RustKey.otherModuleFile(of: "/ws/src/parser/mod.rs") == "/ws/src/parser.rs")
        #expect(RustKey.otherModuleFile(of: "/ws/src/lib.rs") == "/ws/src/lib/mod.rs")
        #expect(RustKey.otherModuleFile(of: "/ws/src/table.txt") == nil)
        #expect(RustKey.otherModuleFile(of: "/mod.rs") == nil)
    }
}

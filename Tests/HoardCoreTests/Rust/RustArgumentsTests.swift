import HoardCore
import Testing

@Suite struct RustArgumentsTests {
    /// The shape of cargo's library compile, for a crate in a registry.
    static let cargoLibrary = [
        "--crate-name", "regex", "--edition=2018", "/registry/regex-1.7.1/src/lib.rs", "--error-format=json",
        "--json=diagnostic-rendered-ansi,artifacts,future-incompat", "--crate-type", "lib",
        "--emit=dep-info,metadata,link", "-C", "embed-bitcode=no", "-C", "debuginfo=2", "--cfg", "feature=\"std\"",
        "-C", "metadata=0123abcd", "-C", "extra-filename=-0123abcd", "--out-dir", "/ws/target/debug/deps", "-L",
        "dependency=/ws/target/debug/deps", "--extern", "memchr=/ws/target/debug/deps/libmemchr-99.rmeta",
        "--cap-lints", "allow", "--diagnostic-width=120",
    ]

    func cacheable(_ arguments: [String]) -> RustInvocation? {
        if case .cacheable(let invocation) = RustArgumentClassifier.classify(arguments) { return invocation }
        return nil
    }

    func refusal(_ arguments: [String]) -> Statistic? {
        if case .uncacheable(let statistic, _) = RustArgumentClassifier.classify(arguments) { return statistic }
        return nil
    }

    @Test func `cargo's library compile is cacheable with its rlib, rmeta and dep-info outputs`() throws {
        let invocation = try #require(self.cacheable(Self.cargoLibrary))
        #expect(invocation.crateName == "regex")
        #expect(invocation.sourcePath == "/registry/regex-1.7.1/src/lib.rs")
        #expect(invocation.outputDirectory == "/ws/target/debug/deps")
        #expect(invocation.debugInfo)
        #expect(
            invocation.outputs.map(\.path) == [
                "/ws/target/debug/deps/regex-0123abcd.d", "/ws/target/debug/deps/libregex-0123abcd.rmeta",
                "/ws/target/debug/deps/libregex-0123abcd.rlib",
            ]
        )
        #expect(invocation.outputs.map(\.role) == [.dependencies, .rustMetadata, .object])
        #expect(invocation.externPaths == ["/ws/target/debug/deps/libmemchr-99.rmeta"])
    }

    @Test func `the output directory, search paths, diagnostic width and extern paths stay out of the key`() throws {
        let hashed = try #require(self.cacheable(Self.cargoLibrary)).hashedArguments
        #expect(!hashed.contains { $0.contains("/ws/") })
        #expect(!hashed.contains { $0.hasPrefix("--diagnostic-width") })
        #expect(hashed.contains("--extern=memchr="))
        #expect(hashed.contains("--error-format=json"))
        #expect(hashed.contains("--json=diagnostic-rendered-ansi,artifacts,future-incompat"))
    }

    @Test func `the dep-info pass drops the emit, output directory and diagnostic format`() throws {
        let pass = try #require(self.cacheable(Self.cargoLibrary)).dependencyPassArguments
        #expect(!pass.contains { $0.hasPrefix("--emit") || $0 == "--out-dir" || $0.hasPrefix("--json") })
        #expect(pass.last == "/registry/regex-1.7.1/src/lib.rs")
    }

    @Test func `each crate type names its link output`() throws {
        for (type, file) in [("rlib", "libx.rlib"), ("staticlib", "libx.a"), ("proc-macro", "libx.so")] {
            let invocation = try #require(self.cacheable(["--crate-name", "x", "--crate-type", type, "x.rs"]))
            #expect(invocation.outputs.map(\.path) == ["./\(file)"])
        }
    }

    @Test func `linking, incremental and unknown options are refused with their reason`() {
        #expect(self.refusal(["--crate-name", "app", "--crate-type", "bin", "main.rs"]) == .rustLinking)
        #expect(self.refusal(["--crate-name", "app", "main.rs"]) == .rustLinking)
        #expect(self.refusal(["--crate-name", "d", "--crate-type", "cdylib", "lib.rs"]) == .rustLinking)
        #expect(self.refusal(["--crate-name", "d", "--crate-type", "dylib", "lib.rs"]) == .rustLinking)
        #expect(self.refusal(["--crate-name", "t", "--crate-type", "lib", "--test", "lib.rs"]) == .rustLinking)
        #expect(
            self.refusal(["--crate-name", "x", "--crate-type", "lib", "-C", "incremental=/tmp/inc", "x.rs"])
                == .rustIncremental
        )
        #expect(self.refusal(["--crate-name", "x", "--crate-type", "lib", "--emit=link=-", "x.rs"]) == .outputToStdout)
        #expect(
            self.refusal(["--crate-name", "x", "--crate-type", "lib", "--emit=asm", "x.rs"]) == .rustUnsupportedOption
        )
        #expect(
            self.refusal(["--crate-name", "x", "--crate-type", "lib", "--frobnicate", "x.rs"]) == .rustUnsupportedOption
        )
        #expect(
            self.refusal(["--crate-name", "x", "--crate-type", "lib", "-Zunstable-options", "x.rs"])
                == .rustUnsupportedOption
        )
        #expect(self.refusal(["--crate-name", "x", "--crate-type", "lib", "a.rs", "b.rs"]) == .multipleSourceFiles)
    }

    @Test func `version queries and stdin are not compilations`() {
        #expect(RustArgumentClassifier.classify(["-vV"]) == .notACompilation)
        #expect(
            RustArgumentClassifier.classify(["-", "--crate-name", "___", "--print=file-names"]) == .notACompilation
        )
        #expect(RustArgumentClassifier.classify(["--crate-name", "x", "--crate-type", "lib", "-"]) == .notACompilation)
    }

    @Test func `dep-info splits into sources and env-dep lines`() {
        let content = Array(
            """
            /ws/target/debug/deps/describe-1.d: describe/src/lib.rs describe/src/poem.txt

            describe/src/lib.rs:
            describe/src/poem.txt:

            # env-dep:HOARD_TEST_TAG=one
            # env-dep:CARGO_PKG_NAME=describe

            """.utf8
        )
        let info = RustKey.DependencyInfo(content)
        #expect(info.sources == ["describe/src/lib.rs", "describe/src/poem.txt"])
        #expect(info.environmentDependencies == ["HOARD_TEST_TAG=one", "CARGO_PKG_NAME=describe"])
    }
}

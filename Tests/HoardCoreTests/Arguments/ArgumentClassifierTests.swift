import HoardCore
import Testing

@Suite struct ArgumentClassifierTests {
    static func classify(_ line: String, environment: [String: String] = [:]) -> ArgumentClassification {
        ArgumentClassifier.classify(
            line.split(separator: " ").map(String.init),
            environment: { environment[$0] },
            fileExists: { $0 == "pch.h.gch" }
        )
    }

    struct UncacheableCase: Sendable, CustomTestStringConvertible {
        let line: String
        let reason: Statistic
        var testDescription: String { "\(self.line) → \(self.reason.name)" }
    }

    static let uncacheable: [UncacheableCase] = [
        .init(line: "-E a.c", reason: .preprocessorOnly),
        .init(line: "-c -E a.c", reason: .preprocessorOnly),
        .init(line: "-M a.c", reason: .dependenciesOnly),
        .init(line: "-c -MM a.c", reason: .dependenciesOnly),
        .init(line: "-c a.c b.c", reason: .multipleSourceFiles),
        .init(line: "-c -O2", reason: .noSourceFile),
        .init(line: "-c -save-temps a.c", reason: .saveTemps),
        .init(line: "-c -save-temps=obj a.c", reason: .saveTemps),
        .init(line: "-c -ftime-trace a.c", reason: .timeTrace),
        .init(line: "-c a.c -o -", reason: .outputToStdout),
        .init(line: "-c a.zig", reason: .unknownLanguage),
        .init(line: "-c -fsyntax-only a.c", reason: .syntaxOnly),
        .init(line: "-c -x fortranish a.c", reason: .unknownXLanguage),
        .init(line: "-c -Xpreprocessor -dM a.c", reason: .unsupportedPreprocessorOption),
        .init(line: "-c -Wp,-MD,a.d a.c", reason: .unsupportedPreprocessorOption),
        .init(line: "-c -x c-header a.h", reason: .precompiledHeader),
        .init(line: "-c a.h", reason: .precompiledHeader),
        .init(line: "-c -include pch.h a.c", reason: .precompiledHeader),
        .init(line: "-c a.c -o", reason: .missingOptionValue),
        .init(line: "-c -fplugin=myplugin a.c", reason: .unreadableExtraInput),
        .init(line: "-c -v a.c", reason: .unsupportedOption),
        .init(line: "-c -fdump-tree-all a.c", reason: .unsupportedOption),
        .init(line: "-c a.c -o /dev/null", reason: .unsupportedOutputPath),
        .init(line: "-c a.c -x c", reason: .unsupportedOption),
        .init(line: "-c -O2 -fopt-info-vec-optimized=vec.txt a.c", reason: .unsupportedOption),
        .init(line: "-c -foptimization-record-file=r.yaml a.c", reason: .unsupportedOption),
        .init(line: "-c -fproc-stat-report=stats.csv a.c", reason: .unsupportedOption),
    ]

    @Test(arguments: uncacheable)
    func `an uncacheable command line is classified with its reason`(testCase: UncacheableCase) {
        guard case .uncacheable(let reason, _) = Self.classify(testCase.line) else {
            Issue.record("expected uncacheable: \(Self.classify(testCase.line))")
            return
        }
        #expect(reason == testCase.reason)
    }

    @Test(arguments: ["a.c -o a", "a.o b.o -o prog", "--version", "-c --version a.c", "-###  -c a.c", "-dumpversion"])
    func `linking and queries are not compilations`(line: String) {
        #expect(Self.classify(line) == .notACompilation)
    }

    @Test func `dependency environment variables make a compile uncacheable`() {
        guard case .uncacheable(let reason, _) = Self.classify("-c a.c", environment: ["DEPENDENCIES_OUTPUT": "x"])
        else {
            Issue.record("expected uncacheable")
            return
        }
        #expect(reason == .unsupportedEnvironment)
    }

    struct LanguageCase: Sendable {
        let source: String
        let language: Language
    }

    @Test(arguments: [
        ("a.c", Language.c), ("a.cc", .cxx), ("a.cpp", .cxx), ("a.cxx", .cxx), ("a.C", .cxx), ("a.m", .objectiveC),
        ("a.mm", .objectiveCxx), ("a.S", .assemblerWithCpp), ("a.sx", .assemblerWithCpp), ("a.s", .assembler),
        ("a.i", .cPreprocessed), ("a.ii", .cxxPreprocessed),
    ])
    func `the language follows the extension`(source: String, language: Language) {
        guard case .cacheable(let invocation) = Self.classify("-c \(source)") else {
            Issue.record("expected cacheable")
            return
        }
        #expect(invocation.language == language)
        #expect(invocation.objectPath == "a.o")
    }

    @Test func `-x overrides the extension`() {
        guard case .cacheable(let invocation) = Self.classify("-x c++ -c weird.txt") else {
            Issue.record("expected cacheable")
            return
        }
        #expect(invocation.language == .cxx)
    }

    @Test func `outputs follow the object path`() {
        guard
            case .cacheable(let invocation) = Self.classify(
                "-c src/a.c -o out/x.o -MD -gsplit-dwarf --coverage -fstack-usage"
            )
        else {
            Issue.record("expected cacheable")
            return
        }
        #expect(invocation.outputs.map(\.path) == ["out/x.o", "out/x.d", "out/x.dwo", "out/x.gcno", "out/x.su"])
        #expect(invocation.outputs.map(\.role) == [.object, .dependencies, .splitDwarf, .coverageNotes, .stackUsage])
        #expect(invocation.dependencyTarget == "out/x.o")
        #expect(invocation.dependsOnWorkingDirectory)
        #expect(invocation.dependsOnObjectPath)
    }

    @Test func `-MF names the dependency file and -MT replaces the default target`() {
        guard case .cacheable(let invocation) = Self.classify("-c a.c -MMD -MF deps/a.d -MT custom") else {
            Issue.record("expected cacheable")
            return
        }
        #expect(invocation.outputs[1].path == "deps/a.d")
        #expect(invocation.dependencyTarget == nil)
        #expect(invocation.hashedArguments.contains("custom"))
        #expect(!invocation.hashedArguments.contains("deps/a.d"))
    }

    @Test func `the preprocessor run drops the output, -c and dependency options`() {
        guard case .cacheable(let invocation) = Self.classify("-c -O2 -DX=1 -I inc a.c -o a.o -MD -MF a.d -P") else {
            Issue.record("expected cacheable")
            return
        }
        #expect(invocation.preprocessorArguments == ["-O2", "-DX=1", "-I", "inc", "a.c", "-E"])
        #expect(invocation.hashedArguments == ["-O2", "-DX=1", "-I", "inc", "a.c", "-MD", "-P"])
    }

    @Test func `the output path is not hashed unless the object embeds it`() {
        guard case .cacheable(let plain) = Self.classify("-c a.c -o x.o"),
            case .cacheable(let recorded) = Self.classify("-c a.c -o x.o -frecord-gcc-switches")
        else {
            Issue.record("expected cacheable")
            return
        }
        #expect(!plain.hashedArguments.contains("x.o"))
        #expect(recorded.hashedArguments.contains("x.o"))
    }

    @Test func `debug info makes the working directory part of the key, -g0 does not`() {
        guard case .cacheable(let debug) = Self.classify("-c -g a.c"),
            case .cacheable(let none) = Self.classify("-c -g -g0 a.c")
        else {
            Issue.record("expected cacheable")
            return
        }
        #expect(debug.dependsOnWorkingDirectory)
        #expect(!none.dependsOnWorkingDirectory)
    }

    @Test func `extra inputs are recorded for their content`() {
        guard
            case .cacheable(let invocation) = Self.classify(
                "-c a.c -fsanitize-ignorelist=ignore.txt -fprofile-use=prof.gcda -fplugin=./p.so"
            )
        else {
            Issue.record("expected cacheable")
            return
        }
        #expect(
            invocation.extraInputs == [
                ExtraInput(path: "ignore.txt", mustExist: true), ExtraInput(path: "prof.gcda", mustExist: false),
                ExtraInput(path: "./p.so", mustExist: true),
            ]
        )
    }

    @Test func `-march=native makes the host CPU part of the key`() {
        guard case .cacheable(let invocation) = Self.classify("-c -march=native a.c") else {
            Issue.record("expected cacheable")
            return
        }
        #expect(invocation.dependsOnHostCPU)
    }

    @Test func `-S produces assembly named after the source`() {
        guard case .cacheable(let invocation) = Self.classify("-S dir/a.c") else {
            Issue.record("expected cacheable")
            return
        }
        #expect(invocation.objectPath == "a.s")
    }
}

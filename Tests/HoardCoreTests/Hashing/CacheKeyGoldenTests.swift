import Foundation
import HoardCore
import Testing

/// Pins the cache key: any change to what is hashed shows up as a diff in `Golden/*.txt`.
///
/// To accept a deliberate change: bump `CompileKey.formatVersion`, run with `HOARD_UPDATE_GOLDEN=1`, and review
/// the diff.
@Suite struct CacheKeyGoldenTests {
    static let commandLines: [(name: String, driver: String, line: String)] = [
        ("plain-c", "gcc", "-c hello.c -o hello.o"),
        ("optimized-with-defines", "gcc", "-c -O2 -DNDEBUG -Iinclude -Wall src/a.c -o build/a.o"),
        ("cxx-driver", "g++", "-c -std=c++17 -O1 main.cpp -o main.o"),
        ("dependency-file", "gcc", "-c a.c -o obj/a.o -MD -MF obj/a.d -MP"),
        ("debug-info", "clang", "-c -g -O0 a.c -o a.o"),
        ("split-dwarf", "gcc", "-c -g -gsplit-dwarf a.c -o out/a.o"),
        ("coverage", "gcc", "-c --coverage a.c -o a.o"),
        ("extra-inputs", "clang", "-c -fsanitize=address -fsanitize-ignorelist=ignore.txt a.c"),
        ("native-cpu", "gcc", "-c -O2 -march=native a.c"),
        ("assembler", "gcc", "-c start.S -o start.o"),
        ("base-directories", "gcc", "-c -I/work/project/include /work/project/src/a.c -o /work/project/b/a.o -MD"),
        ("direct-mode-manifest", "gcc", "-c -O2 -Iinc a.c -o a.o"),
    ]

    static func log(driver: String, line: String) -> String {
        let arguments = line.split(separator: " ").map(String.init)
        guard case .cacheable(let invocation) = ArgumentClassifier.classify(arguments, environment: { _ in nil }) else {
            return "not cacheable"
        }
        let context = KeyContext(
            identity: CompilerIdentity(
                family: driver.contains("clang") ? .clang : .gcc,
                digest: String(repeating: "c", count: 64)
            ),
            driverName: driver,
            workingDirectory: "/work/project",
            environment: { ["SOURCE_DATE_EPOCH": "1700000000", "LANG": "C.UTF-8"][$0] },
            readFile: { Array("content of \($0)".utf8) },
            hostCPU: { "model name: golden CPU" },
            baseDirectories: BaseDirectories(["/work"], workingDirectory: "/work/project")
        )
        var hasher = CacheKeyHasher(recordingDebugLog: true)
        do {
            try CompileKey.hashCommonFields(of: invocation, context: context, into: &hasher)
        } catch {
            return "key input problem: \(error)"
        }
        if line.contains("-Iinc") {
            // Direct mode: the manifest key is the common fields, the mode and the source.
            hasher.combine("mode", "direct")
            hasher.combine("source", bytes: Array("int main(void) { return 0; }\n".utf8))
        } else {
            hasher.combine("preprocessed", bytes: Array("int main(void) { return 0; }\n".utf8))
        }
        let lines = hasher.debugLog ?? []
        return (["command: \(driver) \(line)"] + lines + ["key: \(hasher.finalize().hex)"]).joined(separator: "\n")
            + "\n"
    }

    @Test(arguments: commandLines.map(\.name))
    func `the key of a representative command line matches its golden file`(name: String) throws {
        guard let entry = Self.commandLines.first(where: { $0.name == name }) else { return }
        try GoldenFiles.expect(Self.log(driver: entry.driver, line: entry.line), matches: name)
    }

    @Test func `every golden command line has a distinct key`() {
        let keys = Self.commandLines.map {
            Self.log(driver: $0.driver, line: $0.line).split(separator: "\n").last ?? ""
        }
        #expect(Set(keys).count == keys.count)
    }
}

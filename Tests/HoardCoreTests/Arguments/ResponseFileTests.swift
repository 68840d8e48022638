import Foundation
import HoardCore
import Testing

@Suite struct ResponseFileTests {
    @Test func `quotes, escapes and whitespace split like gcc`() {
        let text = #"-c  "a b.c" 'it''s' x\ y -DQ=\"q\"   "# + "\n-O2\t-g"
        #expect(ResponseFile.split(Array(text.utf8)) == ["-c", "a b.c", "its", "x y", #"-DQ="q""#, "-O2", "-g"])
    }

    @Test func `response files expand in place and recursively`() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rsp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inner = directory.appendingPathComponent("inner.rsp").path
        let outer = directory.appendingPathComponent("outer.rsp").path
        try "-O2 -g".write(toFile: inner, atomically: true, encoding: .utf8)
        try "-c @\(inner) a.c".write(toFile: outer, atomically: true, encoding: .utf8)
        #expect(
            try ResponseFile.expand(["-Wall", "@\(outer)", "-o", "a.o"]) == [
                "-Wall", "-c", "-O2", "-g", "a.c", "-o", "a.o",
            ]
        )
    }

    @Test func `an unreadable response file is an error naming it`() {
        #expect(throws: SystemError.self) { try ResponseFile.expand(["@/nonexistent/hoard.rsp"]) }
    }
}

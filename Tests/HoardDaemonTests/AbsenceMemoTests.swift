import Foundation
import Testing

@testable import HoardDaemon

struct AbsenceMemoTests {
    let directory: String

    init() throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("absence-\(UUID())").path
        try FileManager.default.createDirectory(atPath: self.directory + "/a", withIntermediateDirectories: true)
    }

    /// Asks with a fresh set of statuses, as each lookup does.
    func stillMissing(_ memo: AbsenceMemo, _ path: String) -> Bool {
        var statuses = DirectoryStatuses()
        return memo.stillMissing(self.directory + "/" + path, statuses: &statuses)
    }

    func record(_ memo: AbsenceMemo, _ path: String) {
        var statuses = DirectoryStatuses()
        memo.recordMissing(self.directory + "/" + path, statuses: &statuses)
    }

    @Test func `a missing directory stays known missing until its nearest existing ancestor changes`() throws {
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        Thread.sleep(forTimeInterval: 1.1)
        let memo = AbsenceMemo()
        self.record(memo, "b/c")
        self.record(memo, "a/d")
        #expect(self.stillMissing(memo, "b/c"))
        #expect(self.stillMissing(memo, "a/d"))
        // a/ is the proof of a/d: a change in it, not in the top directory, counts.
        try FileManager.default.createDirectory(atPath: self.directory + "/a/d", withIntermediateDirectories: true)
        #expect(!self.stillMissing(memo, "a/d"))
        #expect(self.stillMissing(memo, "b/c"))
        try FileManager.default.createDirectory(atPath: self.directory + "/b", withIntermediateDirectories: true)
        #expect(!self.stillMissing(memo, "b/c"))
    }

    @Test func `a directory that just changed proves nothing`() {
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        let memo = AbsenceMemo()
        self.record(memo, "b/c")
        #expect(!self.stillMissing(memo, "b/c"))
    }

    @Test func `a directory missing behind a dangling symbolic link is not remembered`() throws {
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        try FileManager.default.createSymbolicLink(atPath: self.directory + "/link", withDestinationPath: "target")
        Thread.sleep(forTimeInterval: 1.1)
        let memo = AbsenceMemo()
        self.record(memo, "link/c")
        // The link's target may appear without any change to the directory holding the link.
        #expect(!self.stillMissing(memo, "link/c"))
        self.record(memo, "link")
        #expect(!self.stillMissing(memo, "link"))
    }

    @Test func `absent names stay known absent only while the directory keeps its stamp`() throws {
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        Thread.sleep(forTimeInterval: 1.1)
        let memo = AbsenceMemo()
        var statuses = DirectoryStatuses()
        guard case .exists(let stamp, isDirectory: true) = statuses.status(of: self.directory + "/a") else {
            Issue.record("no stamp")
            return
        }
        memo.recordAbsent("a", stamp: stamp)
        #expect(memo.stillAbsent("a", stamp: stamp))
        var changed = stamp
        changed.ctimeNanoseconds += 1
        #expect(!memo.stillAbsent("a", stamp: changed), "a later status change time is a change")
    }
}

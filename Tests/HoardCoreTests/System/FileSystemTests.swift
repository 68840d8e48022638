import Foundation
import HoardCore
import Testing

struct WallClockTests {
    @Test func `a file written after reading the clock is never stamped earlier than the reading`() throws {
        // The kernel stamps files from its coarse clock: a precise reading is later than the stamp of a file written
        // just after it about once in two thousand writes here, which would hide a change made during a compile.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hoard-clock-\(getpid())").path
        defer { unlink(path) }
        for _ in 0..<5000 {
            let reading = WallClock.now()
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            #expect(descriptor >= 0)
            _ = write(descriptor, "x", 1)
            close(descriptor)
            let stamp = try #require(FileSystem.stamp(of: path))
            if stamp.mtimeNanoseconds < reading || stamp.ctimeNanoseconds < reading {
                Issue.record("stamped \(reading - min(stamp.mtimeNanoseconds, stamp.ctimeNanoseconds)) ns early")
                return
            }
        }
    }
}

struct EnvironmentTests {
    @Test func `a compiler whose output is parsed speaks English, with every other locale setting kept`() {
        let plain = Environment.withUntranslatedMessages(["PATH=/bin", "LANG=de_DE.UTF-8", "LC_CTYPE=de_DE.UTF-8"])
        #expect(plain == ["PATH=/bin", "LANG=de_DE.UTF-8", "LC_CTYPE=de_DE.UTF-8", "LC_MESSAGES=C"])
        // LC_ALL would override LC_MESSAGES: it stands in for every category as LANG; LANGUAGE would override all.
        let overriding = Environment.withUntranslatedMessages([
            "LC_ALL=fr_FR.UTF-8", "LANG=de_DE.UTF-8", "LC_NUMERIC=C", "LANGUAGE=fr:de", "LC_MESSAGES=fr_FR", "HOME=/h",
        ])
        #expect(overriding == ["HOME=/h", "LANG=fr_FR.UTF-8", "LC_MESSAGES=C"])
    }

    @Test func `gcc in a German locale gives its search list in English to Hoard`() throws {
        // scripts/install-prerequisites.sh installs gcc's German messages and the locale.
        let german = ["PATH=/usr/bin:/bin", "LC_ALL=de_DE.UTF-8"]
        let command = ["gcc", "-v", "-E", "-Ino-such-directory", "-x", "c", "/dev/null"]
        let translated = try ProcessRunner.run(
            "/usr/bin/gcc",
            arguments: command,
            output: .capture,
            environment: german
        )
        #expect(IncludeSearchPath.parse(verboseOutput: translated.standardError) == nil, "gcc speaks German here")
        let result = try ProcessRunner.run(
            "/usr/bin/gcc",
            arguments: command,
            output: .capture,
            environment: Environment.withUntranslatedMessages(german)
        )
        let path = try #require(IncludeSearchPath.parse(verboseOutput: result.standardError))
        #expect(path.missingDirectories.contains("no-such-directory"))
    }
}

struct LockFileTests {
    @Test func `a lock held elsewhere is waited for until the deadline, and taken once let go`() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID())").path
        let holder = try #require(try LockFile.tryLock(path))
        #expect(try LockFile.tryLock(path) == nil)
        let started = MonotonicClock.now()
        #expect(try LockFile.lock(path, until: started + 50_000_000) == nil)
        #expect(MonotonicClock.now() - started >= 50_000_000)
        LockFile.remove(path, holding: holder)
        let taken = try #require(try LockFile.lock(path, until: MonotonicClock.now() + 1_000_000_000))
        LockFile.remove(path, holding: taken)
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}

struct FileSystemTests {
    @Test(arguments: [false, true])
    func `a file written atomically over another leaves the new content and no temporary`(removingFirst: Bool) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/m.manifest"
        try FileSystem.writeAtomically(Array("old".utf8), to: path, mode: 0o600)
        var before = stat()
        #expect(stat(path, &before) == 0)
        try FileSystem.writeAtomically(Array("new".utf8), to: path, mode: 0o600, removingFirst: removingFirst)
        #expect(try FileSystem.read(path) == Array("new".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["m.manifest"])
        var after = stat()
        #expect(stat(path, &after) == 0 && after.st_mode & 0o777 == 0o600 && after.st_ino != before.st_ino)
    }
}

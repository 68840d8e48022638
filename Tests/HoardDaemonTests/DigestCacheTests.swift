import Foundation
import Glibc
import HoardCore
import Testing

@testable import HoardDaemon

struct DigestCacheTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID()).h").path

    /// Writes in place (the same inode), as an editor that truncates and rewrites does.
    func write(_ text: String) {
        let descriptor = open(self.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(descriptor >= 0)
        let bytes = Array(text.utf8)
        #expect(Glibc.write(descriptor, bytes, bytes.count) == bytes.count)
        close(descriptor)
    }

    /// Sets the modification time, as a second write in the same clock tick would leave it.
    func setModificationTime(_ time: timespec) {
        let omit = (1 << 30) - 2  // UTIME_OMIT: the access time stays
        var times = [timespec(tv_sec: 0, tv_nsec: omit), time]
        #expect(utimensat(AT_FDCWD, self.path, &times, 0) == 0)
    }

    @Test func `a digest is kept only once the file last changed more than a second before`() {
        defer { unlink(self.path) }
        let cache = DigestCache()
        self.write("#define A 1\n")
        // A second write in the same clock tick could leave size and times as they are (kernels before 6.13 stamp
        // files from a coarse clock only): a digest of a file that just changed is used once, not kept.
        #expect(cache.record(for: self.path)?.digest == BLAKE3.hash(Array("#define A 1\n".utf8)))
        #expect(!cache.isKept(self.path))
        Thread.sleep(forTimeInterval: 1.1)
        #expect(cache.record(for: self.path)?.digest == BLAKE3.hash(Array("#define A 1\n".utf8)))
        #expect(cache.isKept(self.path))
    }

    @Test func `a settled file is hashed once, and again after its times are set back`() {
        defer { unlink(self.path) }
        self.write("#define B 1\n")
        self.setModificationTime(timespec(tv_sec: time(nil) - 60, tv_nsec: 0))
        // The status change time moved with the times: it must be over a second old too.
        Thread.sleep(forTimeInterval: 1.1)
        let cache = DigestCache()
        let first = cache.record(for: self.path)
        #expect(first?.digest == BLAKE3.hash(Array("#define B 1\n".utf8)))
        #expect(cache.record(for: self.path) == first)
        // Rewritten with the old modification time put back: the status change time tells.
        self.write("#define B 2\n")
        self.setModificationTime(timespec(tv_sec: time(nil) - 60, tv_nsec: 0))
        #expect(cache.record(for: self.path)?.digest == BLAKE3.hash(Array("#define B 2\n".utf8)))
    }
}

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

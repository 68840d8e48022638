import CHoardSystem
import Glibc
import HoardCore

/// A dependency file the client adds to a depend-mode compile whose command line writes none (`-MD -MF path`), and
/// reads back when the compile ends.
///
/// It lives in memory: an anonymous file the compiler inherits and opens as `/proc/self/fd/N` (gcc and clang open
/// the `-MF` path once and write it in place). Nothing is created on disk, where a new file costs an inode and
/// could be left behind by a killed client. Where `/proc` is missing, it is a hidden file beside the object (the
/// compile writes there anyway, so an unwritable or full /tmp cannot make it fail), removed once read.
struct AddedDependencyFile {
    /// What the compiler is told to write.
    let path: String
    /// The anonymous file, or -1 for a file on disk.
    private let descriptor: Int32

    /// Makes one; the anonymous file is inherited by children started until ``keepFromLaterChildren()``.
    ///
    /// - Parameter object: the compile's object file, with an absolute path.
    init(beside object: String) {
        // /proc is asked about as a whole: a fresh process's first look under /proc/self costs some 40 us.
        if hoard_has_procfs() != 0 {
            let descriptor = hoard_memfd_create("hoard-dependencies")
            if descriptor >= 0 {
                self.path = "/proc/self/fd/\(descriptor)"
                self.descriptor = descriptor
                return
            }
        }
        self.path = FileSystem.temporaryPath(beside: object)
        self.descriptor = -1
    }

    /// Keeps children started from now on (once the compiler has started) from inheriting the anonymous file.
    func keepFromLaterChildren() {
        if self.descriptor >= 0 { _ = fcntl(self.descriptor, F_SETFD, FD_CLOEXEC) }
    }

    /// Returns what the compiler wrote (`nil` if nothing could be read), and removes the file.
    func take() -> [UInt8]? {
        guard self.descriptor >= 0 else {
            defer { unlink(self.path) }
            return try? FileSystem.read(self.path, limit: DependencyFile.sizeLimit)
        }
        defer { close(self.descriptor) }
        return try? FileSystem.readAll(self.descriptor, path: self.path, limit: DependencyFile.sizeLimit)
    }
}

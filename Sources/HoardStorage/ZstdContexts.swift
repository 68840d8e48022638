import CZstd
import Synchronization

/// zstd compression and decompression with contexts kept for reuse.
///
/// `ZSTD_compress` and `ZSTD_decompress` create a context per call, and creating one runs CPUID, which traps to the
/// hypervisor in a virtual machine and costs more than decompressing a small entry. Contexts are taken from a
/// small pool per direction and returned after use, so concurrent requests each get their own.
enum ZstdContexts {
    /// A context not in use.
    ///
    /// `@unchecked Sendable`: a context in a pool is used by nobody; whoever takes it out uses it alone.
    private struct Idle: @unchecked Sendable {
        let context: OpaquePointer
    }

    private static let compressors = Mutex<[Idle]>([])
    private static let decompressors = Mutex<[Idle]>([])
    /// Contexts kept per direction; more are created (and freed after use) when more requests run at once.
    private static let kept = 8

    /// Compresses `payload`.
    ///
    /// - Parameters:
    ///   - payload: the bytes.
    ///   - level: the zstd level.
    /// - Returns: the compressed bytes, or `nil` if zstd failed.
    static func compress(_ payload: [UInt8], level: Int32) -> [UInt8]? {
        guard let context = self.compressors.withLock({ $0.popLast()?.context }) ?? ZSTD_createCCtx() else {
            return nil
        }
        defer { self.giveBack(context, to: self.compressors, free: { ZSTD_freeCCtx($0) }) }
        let bound = ZSTD_compressBound(payload.count)
        var compressed = [UInt8](repeating: 0, count: bound)
        let size = compressed.withUnsafeMutableBytes { destination in
            payload.withUnsafeBytes { source in
                ZSTD_compressCCtx(context, destination.baseAddress, bound, source.baseAddress, source.count, level)
            }
        }
        guard ZSTD_isError(size) == 0 else { return nil }
        compressed.removeLast(bound - size)
        return compressed
    }

    /// Decompresses `stored`, which must expand to exactly `size` bytes.
    ///
    /// - Parameters:
    ///   - stored: the compressed bytes.
    ///   - size: the expected size.
    /// - Returns: the bytes, or `nil` if they do not decompress to `size` bytes.
    static func decompress(_ stored: [UInt8], size: Int) -> [UInt8]? {
        guard let context = self.decompressors.withLock({ $0.popLast()?.context }) ?? ZSTD_createDCtx() else {
            return nil
        }
        defer { self.giveBack(context, to: self.decompressors, free: { ZSTD_freeDCtx($0) }) }
        var output = [UInt8](repeating: 0, count: size)
        let written = output.withUnsafeMutableBytes { destination in
            stored.withUnsafeBytes { source in
                ZSTD_decompressDCtx(
                    context,
                    destination.baseAddress,
                    destination.count,
                    source.baseAddress,
                    source.count
                )
            }
        }
        guard ZSTD_isError(written) == 0, written == size else { return nil }
        return output
    }

    private static func giveBack(
        _ context: OpaquePointer,
        to pool: borrowing Mutex<[Idle]>,
        free: (OpaquePointer) -> Int
    ) {
        let idle = Idle(context: context)
        let keptIt = pool.withLock { contexts -> Bool in
            guard contexts.count < self.kept else { return false }
            contexts.append(idle)
            return true
        }
        if !keptIt { _ = free(context) }
    }
}

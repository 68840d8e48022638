import HoardCore
import Testing

@Suite struct CompilerIdentityFileTests {
    static let stamp = FileStamp(size: 1, mtimeNanoseconds: 2, ctimeNanoseconds: 3, inode: 4, device: 5)

    @Test func `an identity is read back only for the same compiler path and stamp`() {
        let identity: [UInt8] = [1] + Array(repeating: UInt8(ascii: "a"), count: 64)
        let bytes = CompilerIdentityFile.encode(compilerPath: "/usr/bin/gcc-12", stamp: Self.stamp, identity: identity)
        #expect(
            CompilerIdentityFile.identity(in: bytes, compilerPath: "/usr/bin/gcc-12", stamp: Self.stamp) == identity
        )
        #expect(CompilerIdentityFile.identity(in: bytes, compilerPath: "/usr/bin/gcc-13", stamp: Self.stamp) == nil)
        for field in 0..<5 {
            var changed = Self.stamp
            switch field {
            case 0: changed.size += 1
            case 1: changed.mtimeNanoseconds += 1
            case 2: changed.ctimeNanoseconds += 1
            case 3: changed.inode += 1
            default: changed.device += 1
            }
            #expect(CompilerIdentityFile.identity(in: bytes, compilerPath: "/usr/bin/gcc-12", stamp: changed) == nil)
        }
    }

    @Test func `a damaged file is no identity`() {
        let bytes = CompilerIdentityFile.encode(compilerPath: "/usr/bin/cc", stamp: Self.stamp, identity: [1, 2, 3])
        for cut in [0, 7, 20, bytes.count - 1] {
            #expect(
                CompilerIdentityFile.identity(in: Array(bytes[..<cut]), compilerPath: "/usr/bin/cc", stamp: Self.stamp)
                    == nil
            )
        }
        var flipped = bytes
        flipped[0] ^= 1
        #expect(CompilerIdentityFile.identity(in: flipped, compilerPath: "/usr/bin/cc", stamp: Self.stamp) == nil)
    }

    @Test func `each compiler path has its own file in the cache directory`() {
        let gcc = CompilerIdentityFile.path(for: "/usr/bin/gcc-12", cacheDirectory: "/c")
        #expect(gcc.hasPrefix("/c/compilers/"))
        #expect(gcc != CompilerIdentityFile.path(for: "/usr/bin/clang", cacheDirectory: "/c"))
    }
}

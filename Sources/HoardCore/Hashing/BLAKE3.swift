import CHoardBLAKE3

/// The BLAKE3 hash function: plain hashing, keyed hashing, key derivation and extendable output.
///
/// A value type: copy it to fork a hash state. Not thread-safe; use one per thread.
/// Checked against the official test vectors (`Tests/HoardCoreTests/Hashing/BLAKE3Tests.swift`).
public struct BLAKE3: Sendable {
    /// The number of bytes in a default digest.
    public static let outputByteCount = 32

    private var keyWords: Words8
    private var flags: UInt32
    private var chunk: ChunkState
    /// Chaining values of completed subtrees, at most 54 deep for 2^64 bytes.
    private var stack: [Words8]

    /// Creates a hasher for plain hashing.
    public init() {
        self.init(keyWords: blake3IV, flags: 0)
    }

    /// Creates a hasher for keyed hashing with a 32-byte key.
    ///
    /// - Parameter key: exactly 32 bytes.
    public init(key: [UInt8]) {
        precondition(key.count == 32, "BLAKE3 keys are 32 bytes")
        self.init(keyWords: Words8(littleEndianBytes: key, at: 0), flags: Flag.keyedHash)
    }

    /// Creates a hasher that derives a key from material for the given context string.
    ///
    /// - Parameter context: a hard-coded, globally unique, application-specific string.
    public init(derivingKeyWithContext context: String) {
        var contextHasher = BLAKE3(keyWords: blake3IV, flags: Flag.deriveKeyContext)
        contextHasher.update(Array(context.utf8))
        let contextKey = contextHasher.finalize()
        self.init(keyWords: Words8(littleEndianBytes: contextKey, at: 0), flags: Flag.deriveKeyMaterial)
    }

    private init(keyWords: Words8, flags: UInt32) {
        self.keyWords = keyWords
        self.flags = flags
        self.chunk = ChunkState(keyWords: keyWords, counter: 0, flags: flags)
        self.stack = []
        self.stack.reserveCapacity(8)
    }

    /// Adds `bytes` to the hashed input.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { self.update($0) }
    }

    /// Adds the UTF-8 bytes of `string` to the hashed input.
    public mutating func update(_ string: String) {
        var copy = string
        copy.withUTF8 { self.update($0) }
    }

    /// Adds the bytes in `buffer` to the hashed input.
    public mutating func update(_ buffer: UnsafeBufferPointer<UInt8>) {
        guard var base = buffer.baseAddress else { return }
        var remaining = buffer.count
        while remaining > 0 {
            if self.chunk.length == chunkLength {
                let cv = self.chunk.output().chainingValue()
                let totalChunks = self.chunk.counter + 1
                self.addChunkChainingValue(cv, totalChunks: totalChunks)
                self.chunk = ChunkState(keyWords: self.keyWords, counter: totalChunks, flags: self.flags)
            }
            // Whole chunks with more input after them (the last chunk stays for the output) go to SIMD code.
            if self.chunk.length == 0 && remaining > 8 * chunkLength {
                let hashed = self.hashWholeChunks(base, count: (remaining - 1) / chunkLength)
                base += hashed * chunkLength
                remaining -= hashed * chunkLength
                if hashed > 0 { continue }
            }
            let take = min(chunkLength - self.chunk.length, remaining)
            self.chunk.update(UnsafeBufferPointer(start: base, count: take))
            base += take
            remaining -= take
        }
    }

    /// Hashes whole chunks at `base` with the SIMD routines, as one aligned subtree: its chunks and its parent
    /// nodes, and adds the subtree's chaining value.
    ///
    /// - Returns: how many chunks were hashed (0 without AVX2, or when fewer than 8 chunks fit the alignment).
    private mutating func hashWholeChunks(_ base: UnsafePointer<UInt8>, count: Int) -> Int {
        let counter = self.chunk.counter
        // The largest power of two that fits, is at most 1024 chunks, and keeps the subtree aligned in the tree.
        var size = 1024
        while size > count || counter % UInt64(size) != 0 { size >>= 1 }
        guard size >= 8, hoard_blake3_simd_degree() >= 8 else { return 0 }
        var key = self.keyWords
        let flags = UInt8(truncatingIfNeeded: self.flags)
        var cvs = [UInt8](repeating: 0, count: size * 32)
        let hashed = withUnsafeBytes(of: &key) { keyBytes -> Int in
            let keyWords = keyBytes.baseAddress?.assumingMemoryBound(to: UInt32.self)
            return cvs.withUnsafeMutableBufferPointer { buffer -> Int in
                guard let out = buffer.baseAddress,
                    hoard_blake3_hash_chunks(base, size, keyWords, counter, flags, out) == size
                else { return 0 }
                var nodes = size
                while nodes > 1 {
                    nodes /= 2
                    hoard_blake3_hash_parents(out, nodes, keyWords, flags, out)
                }
                return size
            }
        }
        guard hashed == size else { return 0 }
        var level = 0
        while 1 << level < size { level += 1 }
        self.addChainingValue(Words8(littleEndianBytes: cvs, at: 0), totalChunks: counter + UInt64(size), level: level)
        self.chunk = ChunkState(keyWords: self.keyWords, counter: counter + UInt64(size), flags: self.flags)
        return size
    }

    /// Adds the chaining value of a complete subtree of `2^level` chunks, merging completed subtrees eagerly.
    private mutating func addChainingValue(_ newCV: Words8, totalChunks: UInt64, level: Int) {
        var cv = newCV
        var total = totalChunks >> UInt64(level)
        while total & 1 == 0 {
            guard let left = self.stack.popLast() else { break }
            cv = parentOutput(left: left, right: cv, keyWords: self.keyWords, flags: self.flags).chainingValue()
            total >>= 1
        }
        self.stack.append(cv)
    }

    private mutating func addChunkChainingValue(_ newCV: Words8, totalChunks: UInt64) {
        self.addChainingValue(newCV, totalChunks: totalChunks, level: 0)
    }

    /// Returns the first `count` bytes of the extendable output (32 by default).
    ///
    /// - Parameter count: the number of output bytes.
    /// - Returns: the digest.
    public func finalize(count: Int = BLAKE3.outputByteCount) -> [UInt8] {
        var output = self.chunk.output()
        var index = self.stack.count
        while index > 0 {
            index -= 1
            output = parentOutput(
                left: self.stack[index],
                right: output.chainingValue(),
                keyWords: self.keyWords,
                flags: self.flags
            )
        }
        return output.rootBytes(count: count)
    }

    /// Returns the 32-byte digest of `bytes`.
    ///
    /// - Parameter bytes: the input.
    /// - Returns: the digest.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = BLAKE3()
        hasher.update(bytes)
        return hasher.finalize()
    }
}

#if _endian(big)
#error("BLAKE3 loads message words in host order and assumes a little-endian host")
#endif

private let chunkLength = 1024
private let blockLength = 64

private enum Flag {
    static let chunkStart: UInt32 = 1 << 0
    static let chunkEnd: UInt32 = 1 << 1
    static let parent: UInt32 = 1 << 2
    static let root: UInt32 = 1 << 3
    static let keyedHash: UInt32 = 1 << 4
    static let deriveKeyContext: UInt32 = 1 << 5
    static let deriveKeyMaterial: UInt32 = 1 << 6
}

/// Eight 32-bit words kept inline (a chaining value or a key).
struct Words8: Sendable {
    var w0: UInt32, w1: UInt32, w2: UInt32, w3: UInt32, w4: UInt32, w5: UInt32, w6: UInt32, w7: UInt32

    init(_ w0: UInt32, _ w1: UInt32, _ w2: UInt32, _ w3: UInt32, _ w4: UInt32, _ w5: UInt32, _ w6: UInt32, _ w7: UInt32)
    {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
        self.w4 = w4
        self.w5 = w5
        self.w6 = w6
        self.w7 = w7
    }

    init(littleEndianBytes bytes: [UInt8], at offset: Int) {
        func word(_ i: Int) -> UInt32 {
            let o = offset + i * 4
            return UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3])
                << 24
        }
        self.init(word(0), word(1), word(2), word(3), word(4), word(5), word(6), word(7))
    }
}

private let blake3IV = Words8(
    0x6A09_E667,
    0xBB67_AE85,
    0x3C6E_F372,
    0xA54F_F53A,
    0x510E_527F,
    0x9B05_688C,
    0x1F83_D9AB,
    0x5BE0_CD19
)

/// A 64-byte message block as 16 little-endian words.
struct Block: Sendable {
    var m:
        (
            UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
            UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32
        ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    init() {}

    init(_ left: Words8, _ right: Words8) {
        self.m = (
            left.w0, left.w1, left.w2, left.w3, left.w4, left.w5, left.w6, left.w7,
            right.w0, right.w1, right.w2, right.w3, right.w4, right.w5, right.w6, right.w7
        )
    }

    /// Loads up to 64 bytes, zero-padding the rest.
    init(_ pointer: UnsafeRawPointer, count: Int) {
        if count == blockLength {
            withUnsafeMutableBytes(of: &self.m) {
                $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: 64))
            }
        } else {
            withUnsafeMutableBytes(of: &self.m) { destination in
                destination.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: count))
            }
        }
    }
}

@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x >> n) | (x << (32 - n))
}

/// The BLAKE3 compression function: returns all 16 words of the output state.
@inline(__always)
private func compress(
    _ cv: Words8,
    _ block: Block,
    counter: UInt64,
    blockLength: UInt32,
    flags: UInt32
) -> (Words8, Words8) {
    var s0 = cv.w0, s1 = cv.w1, s2 = cv.w2, s3 = cv.w3
    var s4 = cv.w4, s5 = cv.w5, s6 = cv.w6, s7 = cv.w7
    var s8 = blake3IV.w0, s9 = blake3IV.w1, s10 = blake3IV.w2, s11 = blake3IV.w3
    var s12 = UInt32(truncatingIfNeeded: counter), s13 = UInt32(truncatingIfNeeded: counter >> 32)
    var s14 = blockLength, s15 = flags
    var (m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15) = block.m

    @inline(__always)
    func g(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32, _ d: inout UInt32, _ x: UInt32, _ y: UInt32) {
        a = a &+ b &+ x
        d = rotr(d ^ a, 16)
        c = c &+ d
        b = rotr(b ^ c, 12)
        a = a &+ b &+ y
        d = rotr(d ^ a, 8)
        c = c &+ d
        b = rotr(b ^ c, 7)
    }

    for round in 0..<7 {
        g(&s0, &s4, &s8, &s12, m0, m1)
        g(&s1, &s5, &s9, &s13, m2, m3)
        g(&s2, &s6, &s10, &s14, m4, m5)
        g(&s3, &s7, &s11, &s15, m6, m7)
        g(&s0, &s5, &s10, &s15, m8, m9)
        g(&s1, &s6, &s11, &s12, m10, m11)
        g(&s2, &s7, &s8, &s13, m12, m13)
        g(&s3, &s4, &s9, &s14, m14, m15)
        if round < 6 {
            // The message permutation 2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8.
            (m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15) =
                (m2, m6, m3, m10, m7, m0, m4, m13, m1, m11, m12, m5, m9, m14, m15, m8)
        }
    }
    let low = Words8(s0 ^ s8, s1 ^ s9, s2 ^ s10, s3 ^ s11, s4 ^ s12, s5 ^ s13, s6 ^ s14, s7 ^ s15)
    let high = Words8(
        s8 ^ cv.w0,
        s9 ^ cv.w1,
        s10 ^ cv.w2,
        s11 ^ cv.w3,
        s12 ^ cv.w4,
        s13 ^ cv.w5,
        s14 ^ cv.w6,
        s15 ^ cv.w7
    )
    return (low, high)
}

/// The inputs of a compression that may still become the root.
private struct Output {
    var inputCV: Words8
    var block: Block
    var counter: UInt64
    var blockLength: UInt32
    var flags: UInt32

    func chainingValue() -> Words8 {
        compress(self.inputCV, self.block, counter: self.counter, blockLength: self.blockLength, flags: self.flags).0
    }

    func rootBytes(count: Int) -> [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(count + 64)
        var blockCounter: UInt64 = 0
        while result.count < count {
            let (low, high) = compress(
                self.inputCV,
                self.block,
                counter: blockCounter,
                blockLength: self.blockLength,
                flags: self.flags | Flag.root
            )
            for words in [low, high] {
                for word in [words.w0, words.w1, words.w2, words.w3, words.w4, words.w5, words.w6, words.w7] {
                    result.append(UInt8(truncatingIfNeeded: word))
                    result.append(UInt8(truncatingIfNeeded: word >> 8))
                    result.append(UInt8(truncatingIfNeeded: word >> 16))
                    result.append(UInt8(truncatingIfNeeded: word >> 24))
                }
            }
            blockCounter += 1
        }
        result.removeLast(result.count - count)
        return result
    }
}

private func parentOutput(left: Words8, right: Words8, keyWords: Words8, flags: UInt32) -> Output {
    Output(inputCV: keyWords, block: Block(left, right), counter: 0, blockLength: 64, flags: flags | Flag.parent)
}

/// The state of the chunk being hashed.
private struct ChunkState {
    var cv: Words8
    var counter: UInt64
    var buffer = Block()
    var bufferLength = 0
    var blocksCompressed = 0
    var flags: UInt32

    init(keyWords: Words8, counter: UInt64, flags: UInt32) {
        self.cv = keyWords
        self.counter = counter
        self.flags = flags
    }

    var length: Int { self.blocksCompressed * blockLength + self.bufferLength }

    var startFlag: UInt32 { self.blocksCompressed == 0 ? Flag.chunkStart : 0 }

    mutating func update(_ input: UnsafeBufferPointer<UInt8>) {
        guard var pointer = input.baseAddress else { return }
        var remaining = input.count
        while remaining > 0 {
            if self.bufferLength == blockLength {
                self.cv =
                    compress(
                        self.cv,
                        self.buffer,
                        counter: self.counter,
                        blockLength: UInt32(blockLength),
                        flags: self.flags | self.startFlag
                    ).0
                self.blocksCompressed += 1
                self.bufferLength = 0
            }
            if self.bufferLength == 0 {
                // Whole blocks straight from the input, keeping the last one buffered for the output.
                while remaining > blockLength {
                    let block = Block(UnsafeRawPointer(pointer), count: blockLength)
                    self.cv =
                        compress(
                            self.cv,
                            block,
                            counter: self.counter,
                            blockLength: UInt32(blockLength),
                            flags: self.flags | self.startFlag
                        ).0
                    self.blocksCompressed += 1
                    pointer += blockLength
                    remaining -= blockLength
                }
            }
            let take = min(blockLength - self.bufferLength, remaining)
            let offset = self.bufferLength
            withUnsafeMutableBytes(of: &self.buffer.m) { raw in
                let destination = raw.baseAddress.map { $0 + offset }
                destination?.copyMemory(from: pointer, byteCount: take)
            }
            self.bufferLength += take
            pointer += take
            remaining -= take
        }
    }

    func output() -> Output {
        var block = self.buffer
        // Zero the unused tail of the last block.
        withUnsafeMutableBytes(of: &block.m) { raw in
            for i in self.bufferLength..<blockLength { raw[i] = 0 }
        }
        return Output(
            inputCV: self.cv,
            block: block,
            counter: self.counter,
            blockLength: UInt32(self.bufferLength),
            flags: self.flags | self.startFlag | Flag.chunkEnd
        )
    }
}

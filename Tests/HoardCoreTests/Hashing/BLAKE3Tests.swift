import CHoardBLAKE3
import Foundation
import HoardCore
import Testing

@Suite(.serialized) struct BLAKE3Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let inputLength: Int
        let hash: String
        let keyedHash: String
        let deriveKey: String
        var testDescription: String { "input of \(self.inputLength) bytes" }
    }

    static let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/blake3_test_vectors.json")

    // Read once and never mutated.
    nonisolated(unsafe) static let document: [String: Any] = {
        guard let data = try? Data(contentsOf: fixture),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return object
    }()

    static let vectors: [Vector] = {
        let cases = document["cases"] as? [[String: Any]] ?? []
        return cases.map {
            Vector(
                inputLength: $0["input_len"] as? Int ?? -1,
                hash: $0["hash"] as? String ?? "",
                keyedHash: $0["keyed_hash"] as? String ?? "",
                deriveKey: $0["derive_key"] as? String ?? ""
            )
        }
    }()

    static func input(_ length: Int) -> [UInt8] {
        (0..<length).map { UInt8($0 % 251) }
    }

    @Test func `the official vectors are all present`() {
        #expect(Self.vectors.count == 35)
    }

    /// The SIMD degrees this machine can run: scalar always, then AVX2 and AVX-512 where available.
    static let degrees: [Int32] = {
        let available = hoard_blake3_simd_degree()
        return [0, 8, 16].filter { $0 <= available }
    }()

    /// Runs `body` with SIMD capped at `degree`, then restores the full degree.
    static func with(degree: Int32, _ body: () -> Void) {
        _ = hoard_blake3_limit_degree(degree)
        body()
        _ = hoard_blake3_limit_degree(16)
    }

    @Test func `the SIMD degree is what the kernel reports the processor can run`() throws {
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flagsLine = try #require(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        let expected: Int32 = flags.contains("avx512f") ? 16 : flags.contains("avx2") ? 8 : 0
        #expect(hoard_blake3_simd_degree() == expected)
    }

    @Test func `every SIMD path available here is exercised`() {
        #expect(Self.degrees.first == 0)
    }

    @Test(arguments: vectors)
    func `plain hashing matches the official vector, including extended output, on every SIMD path`(vector: Vector) {
        for degree in Self.degrees {
            Self.with(degree: degree) {
                var hasher = BLAKE3()
                hasher.update(Self.input(vector.inputLength))
                let expected = vector.hash
                #expect(Hex.encode(hasher.finalize(count: expected.count / 2)) == expected, "degree \(degree)")
                #expect(Hex.encode(hasher.finalize()) == String(expected.prefix(64)))
            }
        }
    }

    @Test(arguments: vectors)
    func `keyed hashing matches the official vector on every SIMD path`(vector: Vector) {
        let key = Array((Self.document["key"] as? String ?? "").utf8)
        for degree in Self.degrees {
            Self.with(degree: degree) {
                var hasher = BLAKE3(key: key)
                hasher.update(Self.input(vector.inputLength))
                #expect(Hex.encode(hasher.finalize(count: vector.keyedHash.count / 2)) == vector.keyedHash)
            }
        }
    }

    @Test(arguments: vectors)
    func `key derivation matches the official vector on every SIMD path`(vector: Vector) {
        for degree in Self.degrees {
            Self.with(degree: degree) {
                var hasher = BLAKE3(derivingKeyWithContext: Self.document["context_string"] as? String ?? "")
                hasher.update(Self.input(vector.inputLength))
                #expect(Hex.encode(hasher.finalize(count: vector.deriveKey.count / 2)) == vector.deriveKey)
            }
        }
    }

    @Test func `a large input hashes the same on every SIMD path, whole or in pieces`() {
        // 300 chunks and a tail: 16-way batches, an 8-way batch, scalar chunks, and the counter past batch limits.
        let input = Self.input(300 * 1024 + 77)
        var results: [[UInt8]] = []
        for degree in Self.degrees {
            Self.with(degree: degree) {
                var whole = BLAKE3()
                whole.update(input)
                var pieces = BLAKE3()
                pieces.update(Array(input[..<(37 * 1024 + 5)]))
                pieces.update(Array(input[(37 * 1024 + 5)...]))
                #expect(whole.finalize() == pieces.finalize())
                results.append(whole.finalize())
            }
        }
        #expect(Set(results.map { Hex.encode($0) }).count == 1)
    }

    @Test(arguments: [1, 7, 63, 64, 65, 1000, 1024, 1025, 4096])
    func `splitting the input into pieces does not change the digest`(pieceSize: Int) {
        let input = Self.input(10_000)
        var whole = BLAKE3()
        whole.update(input)
        var pieces = BLAKE3()
        var offset = 0
        while offset < input.count {
            let end = min(offset + pieceSize, input.count)
            pieces.update(Array(input[offset..<end]))
            offset = end
        }
        #expect(pieces.finalize() == whole.finalize())
    }
}

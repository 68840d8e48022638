import Foundation
import HoardCore
import Testing

@Suite struct BLAKE3Tests {
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

    @Test(arguments: vectors)
    func `plain hashing matches the official vector, including extended output`(vector: Vector) {
        var hasher = BLAKE3()
        hasher.update(Self.input(vector.inputLength))
        let expected = vector.hash
        #expect(Hex.encode(hasher.finalize(count: expected.count / 2)) == expected)
        #expect(Hex.encode(hasher.finalize()) == String(expected.prefix(64)))
    }

    @Test(arguments: vectors)
    func `keyed hashing matches the official vector`(vector: Vector) {
        let key = Array((Self.document["key"] as? String ?? "").utf8)
        var hasher = BLAKE3(key: key)
        hasher.update(Self.input(vector.inputLength))
        #expect(Hex.encode(hasher.finalize(count: vector.keyedHash.count / 2)) == vector.keyedHash)
    }

    @Test(arguments: vectors)
    func `key derivation matches the official vector`(vector: Vector) {
        var hasher = BLAKE3(derivingKeyWithContext: Self.document["context_string"] as? String ?? "")
        hasher.update(Self.input(vector.inputLength))
        #expect(Hex.encode(hasher.finalize(count: vector.deriveKey.count / 2)) == vector.deriveKey)
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

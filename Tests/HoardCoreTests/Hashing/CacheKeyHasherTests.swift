import HoardCore
import Testing

@Suite struct CacheKeyHasherTests {
    @Test func `fields are delimited so that moving a boundary changes the key`() {
        var a = CacheKeyHasher()
        a.combine("arg", "-I")
        a.combine("arg", "-O2")
        var b = CacheKeyHasher()
        b.combine("arg", "-I-O2")
        #expect(a.finalize() != b.finalize())
    }

    @Test func `the label is part of the key`() {
        var a = CacheKeyHasher()
        a.combine("arg", "x")
        var b = CacheKeyHasher()
        b.combine("env", "x")
        #expect(a.finalize() != b.finalize())
    }

    @Test func `a key round-trips through its hex form and rejects anything else`() {
        let key = CacheKey(digest: [UInt8](repeating: 0xab, count: 32))
        #expect(CacheKey(hex: key.hex) == key)
        #expect(CacheKey(hex: "xyz") == nil)
        #expect(CacheKey(hex: String(repeating: "A", count: 64)) == nil)
        #expect(CacheKey(hex: "../" + String(repeating: "a", count: 61)) == nil)
    }

    @Test func `hex decoding inverts encoding`() {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xff]
        #expect(Hex.decode(Hex.encode(bytes)) == bytes)
        #expect(Hex.decode("0") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}

import HoardWire
import Testing

@Suite struct MessagesTests {
    static let stamp = WireFileStamp(size: 7, mtimeNanoseconds: -1, ctimeNanoseconds: 1 << 60, inode: 42, device: 3)

    static let record = WireManifestRecord(
        manifestKey: String(repeating: "d", count: 64),
        resultKey: String(repeating: "e", count: 64),
        workingDirectory: "/w",
        includes: ["inc/a.h", "/usr/include/stdio.h"],
        absentPaths: ["a.h", "first/a.h"],
        shadowCandidates: [
            WireCandidateGroup(directory: "", names: ["b.h", "c.h"]),
            WireCandidateGroup(directory: "/w/inc", names: []),
        ],
        allowTimeMacros: true,
        pinnedDirectory: "/w",
        pinOnFileMacro: true,
        searchDirectories: ["/w/inc", "/usr/include"],
        compileStarted: 1_795_690_876_421_000_000
    )

    static var recordWithIncluders: WireManifestRecord {
        var record = Self.record
        record.includerDirectories = ["", "inc", "/usr/include"]
        return record
    }

    static var rustRecord: WireManifestRecord {
        var record = Self.record
        record.environmentDependencies = ["HOARD_TAG=one\\n", "UNSET"]
        return record
    }

    static let requests: [Request] = [
        .hello(protocolVersion: wireProtocolVersion, clientVersion: "0.1.0"),
        .compilerIdentityGet(path: "/usr/bin/gcc", stamp: stamp),
        .compilerIdentityPut(path: "/usr/bin/gcc", stamp: stamp, identity: [1, 2, 3]),
        .cacheGet(
            key: String(repeating: "a", count: 64),
            workingDirectory: "/w",
            outputs: [
                WireOutput(role: 0, path: "/w/a.o", flag: false), WireOutput(role: 2, path: "/w/a.dwo", flag: true),
            ],
            umask: 0o022,
            elapsedMicroseconds: 1234
        ),
        .cachePut(
            key: String(repeating: "b", count: 64),
            workingDirectory: "/w",
            baseDirectories: [],
            outputs: [WireOutput(role: 0, path: "/w/ä.o", flag: true, stamp: stamp)],
            stdout: [],
            stderr: Array("warning: x\n".utf8),
            exitStatus: 0,
            elapsedMicroseconds: 99,
            manifest: nil
        ),
        .cachePut(
            key: "",
            workingDirectory: "/w",
            baseDirectories: ["/src", "/home/u"],
            outputs: [],
            stdout: [1],
            stderr: [],
            exitStatus: 0,
            elapsedMicroseconds: 1,
            manifest: record
        ),
        .directGet(
            manifestKey: String(repeating: "c", count: 64),
            workingDirectory: "/w",
            outputs: [WireOutput(role: 1, path: "/w/a.d", flag: false)],
            umask: 0o002,
            elapsedMicroseconds: 7
        ),
        .directGet(
            manifestKey: String(repeating: "c", count: 64),
            workingDirectory: "/w/target/debug/deps",
            outputs: [WireOutput(role: 0, path: "/w/target/debug/deps/liba.rlib", flag: false)],
            umask: 0o022,
            elapsedMicroseconds: 8,
            environment: ["PATH=/bin", "HOARD_TAG=one\\n", "EMPTY="]
        ),
        .manifestPut(record),
        .manifestPut(recordWithIncluders),
        .manifestPut(rustRecord),
        .recordStats([WireCounter(id: 20, value: 1), WireCounter(id: 0, value: 3)]),
        .getStats, .zeroStats, .clear, .shutdown, .flushStores,
    ]

    static let responses: [Response] = [
        .hello(protocolVersion: 1, daemonVersion: "0.1.0", pid: 77),
        .compilerIdentity(nil), .compilerIdentity([9, 9]),
        .hit(stdout: [1], stderr: [2, 3], exitStatus: -1),
        .miss, .ok,
        .stats(
            WireStats(
                counters: [WireCounter(id: 1, value: 2)],
                entryCount: 3,
                byteCount: 4,
                maximumBytes: 5,
                cacheDirectory: "/c"
            )
        ),
        .error(code: WireErrorCode.invalidPath, message: "bad"),
    ]

    @Test(arguments: requests)
    func `every request survives an encode and decode round trip`(request: Request) throws {
        #expect(try Request.decode(request.encode()) == request)
    }

    @Test(arguments: responses)
    func `every response survives an encode and decode round trip`(response: Response) throws {
        #expect(try Response.decode(response.encode()) == response)
    }

    @Test(arguments: requests)
    func `a truncated request is an error, not a crash`(request: Request) {
        let bytes = request.encode()
        for length in 0..<bytes.count {
            #expect(throws: WireError.self) { try Request.decode(Array(bytes.prefix(length))) }
        }
    }

    @Test func `trailing bytes and unknown tags are errors`() {
        #expect(throws: WireError.self) { try Request.decode(Request.getStats.encode() + [0]) }
        #expect(throws: WireError.self) { try Request.decode([200]) }
        #expect(throws: WireError.self) { try Response.decode([200]) }
    }

    @Test func `strings are read as UTF-8, and invalid UTF-8 is an error`() throws {
        for text in ["/plain/ascii.o", "/caf\u{e9}/\u{1F600}.o", ""] {
            var writer = WireWriter()
            writer.write(text)
            var reader = WireReader(writer.bytes)
            #expect(try reader.readString() == text)
        }
        var writer = WireWriter()
        writer.write([0xC3, 0x28] as [UInt8])
        var reader = WireReader(writer.bytes)
        #expect(throws: WireError.self) { try reader.readString() }
    }

    @Test func `a hostile element count cannot allocate beyond the message`() {
        var writer = WireWriter()
        writer.write(UInt8(6))
        writer.write(UInt32.max)
        #expect(throws: WireError.self) { try Request.decode(writer.bytes) }
    }

    @Test func `frames carry a big-endian length and refuse oversized lengths`() throws {
        #expect(Frame.encode([7, 8]) == [0, 0, 0, 2, 7, 8])
        #expect(try Frame.length([0, 0, 1, 0]) == 256)
        #expect(throws: WireError.self) { try Frame.length([0xff, 0xff, 0xff, 0xff]) }
    }
}

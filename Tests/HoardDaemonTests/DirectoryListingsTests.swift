import Foundation
import Testing

@testable import HoardDaemon

struct DirectoryListingsTests {
    let directory: String

    init() throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("listing-\(UUID())").path
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
    }

    /// Asks with a fresh set of statuses, as each request does.
    static func names(_ listings: DirectoryListings, in directory: String, asking count: Int) -> DirectoryNames {
        var statuses = DirectoryStatuses()
        return listings.names(in: directory, asking: count, statuses: &statuses)
    }

    func create(_ name: String) {
        #expect(FileManager.default.createFile(atPath: self.directory + "/" + name, contents: Data()))
    }

    @Test func `a directory read once answers which names are absent, in any letter case`() {
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        self.create("present.h")
        let names = Self.names(DirectoryListings(), in: self.directory, asking: 1000)
        #expect(names.isAbsent("missing.h"))
        #expect(!names.isAbsent("present.h"))
        // Another case is checked with stat: present on a case-insensitive file system only.
        #expect(names.isAbsent("PRESENT.h") == !FileManager.default.fileExists(atPath: self.directory + "/PRESENT.h"))
        #expect(
            Self.names(DirectoryListings(), in: self.directory + "/no-such-directory", asking: 1).isAbsent("present.h")
        )
        // Answered from the one read, without a `stat` per name.
        self.create("late.h")
        #expect(names.isAbsent("late.h"))
    }

    @Test func `a kept listing is read again once the directory changes`() throws {
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        self.create("present.h")
        // Kept only once the directory last changed more than a second ago.
        Thread.sleep(forTimeInterval: 1.1)
        let listings = DirectoryListings()
        #expect(Self.names(listings, in: self.directory, asking: 10).isAbsent("late.h"))
        #expect(!Self.names(listings, in: self.directory, asking: 10).isAbsent("present.h"))
        self.create("late.h")
        #expect(!Self.names(listings, in: self.directory, asking: 10).isAbsent("late.h"))
        try FileManager.default.removeItem(atPath: self.directory + "/present.h")
        #expect(Self.names(listings, in: self.directory, asking: 10).isAbsent("present.h"))
    }

    @Test func `a directory holding a name that is not ASCII is answered by stat`() {
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        self.create("\u{212A}.h")
        self.create("k.h")
        let names = Self.names(DirectoryListings(), in: self.directory, asking: 1000)
        // Created after the read: only `stat` can see it.
        self.create("late.h")
        #expect(!names.isAbsent("late.h"))
        #expect(!names.isAbsent("k.h"))
        #expect(names.isAbsent("x.h"))
    }

    @Test func `a large directory that just changed, asked about few names, is answered by stat`() {
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        for index in 0..<400 { self.create("header-\(index).h") }
        let names = Self.names(DirectoryListings(), in: self.directory, asking: 2)
        self.create("late.h")
        #expect(!names.isAbsent("late.h"))
        #expect(!names.isAbsent("header-7.h"))
        #expect(names.isAbsent("other.h"))
    }

    @Test func `a dangling symbolic link is absent to the compiler, yet has a stamp of its own`() throws {
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        try FileManager.default.createSymbolicLink(atPath: self.directory + "/link.h", withDestinationPath: "nowhere.h")
        let names = Self.names(DirectoryListings(), in: self.directory, asking: 10)
        #expect(names.isAbsent("link.h"))
        #expect(names.entryStamp("link.h") != nil)
        #expect(names.entryStamp("nowhere.h") == nil)
    }
}

import HoardCore
import Testing

@Suite struct PathTests {
    @Test func `normalization removes dot, dot-dot and repeated slashes`() {
        #expect(Path.normalize("/a/./b//c/../d/") == "/a/b/d")
        #expect(Path.normalize("/a/b.c") == "/a/b.c")
        #expect(Path.normalize("/a/..") == "/")
        #expect(Path.absolute("x/../y.o", relativeTo: "/w") == "/w/y.o")
        #expect(Path.absolute("/abs/o.o", relativeTo: "/w") == "/abs/o.o")
    }

    @Test(arguments: ["/a/b.o", "/x", "/...", "/a/..b", "/.a/b.", "/a/b/c.o"])
    func `normalized absolute paths are accepted`(path: String) {
        #expect(Path.isNormalizedAbsolute(path))
    }

    @Test(arguments: ["a/b.o", "/a/../b", "/a/./b", "//a", "/a/", "/", "", "/.", "/..", "/a/.", "/a/..", "/a\u{0}b"])
    func `other paths are rejected`(path: String) {
        #expect(!Path.isNormalizedAbsolute(path))
    }

    @Test func `extensions are replaced in the last component only`() {
        #expect(Path.replacingExtension(of: "out.d/x.o", with: "d") == "out.d/x.d")
        #expect(Path.replacingExtension(of: "dir.x/noext", with: "d") == "dir.x/noext.d")
        #expect(Path.fileExtension(of: "a.tar.gz") == "gz")
        #expect(Path.fileExtension(of: ".hidden") == "")
    }
}

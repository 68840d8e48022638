import HoardCore
import Testing

@Suite struct DependencyFileTests {
    @Test func `prerequisites are read across continuations, escapes and phony rules`() {
        let text = "out/a.o: src/a.c /usr/include/stdio.h \\\n  inc/with\\ space.h inc/b.h\ninc/b.h:\n"
        #expect(
            DependencyFile.prerequisites(Array(text.utf8)) == [
                "src/a.c", "/usr/include/stdio.h", "inc/with space.h", "inc/b.h",
            ]
        )
    }

    @Test func `dollars, hashes, carriage returns and a last line without its newline are read as make does`() {
        let text = "a.o b.o: x$$y.h \\#h.h \\\r\n  c.h\r\nc.h:\r\nd.o: e.h e.h x$$y.h f.h"
        #expect(DependencyFile.prerequisites(Array(text.utf8)) == ["x$y.h", "#h.h", "c.h", "e.h", "f.h"])
        #expect(DependencyFile.prerequisites([]) == [])
        #expect(DependencyFile.prerequisites(Array("a.o:".utf8)) == [])
    }

    @Test func `paths under a base directory are relocated into the checkout they are restored into`() {
        let original = "/src/one/build/a.o: /src/one/a.c /usr/include/stdio.h \\\n /src/one/inc/my\\ h.h\n"
        let stored = DependencyFile.relocate(
            Array(original.utf8),
            baseDirectories: ["/src"],
            workingDirectory: "/src/one/build"
        )
        #expect(!String(decoding: stored, as: UTF8.self).contains("/src/one"))
        let restored = DependencyFile.restore(stored, workingDirectory: "/src/two/build")
        #expect(
            String(decoding: restored, as: UTF8.self)
                == "/src/two/build/a.o: /src/two/a.c /usr/include/stdio.h \\\n /src/two/inc/my\\ h.h\n"
        )
        #expect(DependencyFile.restore(Array(original.utf8), workingDirectory: "/x") == Array(original.utf8))
    }
}

import HoardCore
import Testing

@Suite struct IncludeSearchPathTests {
    static let verbose = """
        ignoring nonexistent directory "/usr/local/include/x86_64-linux-gnu"
        #include "..." search starts here:
         q
        #include <...> search starts here:
         first
         second/
         /usr/lib/gcc/x86_64-linux-gnu/12/include
         /usr/include
        End of search list.
        """

    @Test func `the quote and angle lists are read from -v output`() throws {
        let path = try #require(IncludeSearchPath.parse(verboseOutput: Array(Self.verbose.utf8)))
        #expect(path.quoteDirectories == ["q"])
        #expect(
            path.angleDirectories == ["first", "second", "/usr/lib/gcc/x86_64-linux-gnu/12/include", "/usr/include"]
        )
        #expect(IncludeSearchPath.parse(verboseOutput: Array("no list here".utf8)) == nil)
    }

    @Test func `a header found late may be shadowed by the includer's directory and every earlier directory`() throws {
        let path = try #require(IncludeSearchPath.parse(verboseOutput: Array(Self.verbose.utf8)))
        let candidates = path.shadowCandidates(for: LineMarkers.Inclusion(path: "second/s.h", includer: "src/m.c"))
        #expect(candidates == ["src/s.h", "q/s.h", "first/s.h"])
    }

    @Test func `a header found in the first place has nothing before it`() throws {
        let path = try #require(IncludeSearchPath.parse(verboseOutput: Array(Self.verbose.utf8)))
        #expect(path.shadowCandidates(for: LineMarkers.Inclusion(path: "src/local.h", includer: "src/m.c")).isEmpty)
        let stdio = LineMarkers.Inclusion(path: "/usr/include/stdio.h", includer: "src/m.c")
        let system = path.shadowCandidates(for: stdio)
        #expect(system.contains("first/stdio.h"))
        #expect(system.contains("/usr/lib/gcc/x86_64-linux-gnu/12/include/stdio.h"))
        #expect(!system.contains("/usr/include/stdio.h"))
    }
}

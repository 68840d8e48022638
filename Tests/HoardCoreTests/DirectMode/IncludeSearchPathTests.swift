import Foundation
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
        #expect(path.missingDirectories == ["/usr/local/include/x86_64-linux-gnu"])
        #expect(IncludeSearchPath.parse(verboseOutput: Array("no list here".utf8)) == nil)
    }

    @Test func `a header found late may be shadowed by the includer's directory and every earlier directory`() throws {
        let path = try #require(IncludeSearchPath.parse(verboseOutput: Array(Self.verbose.utf8)))
        let candidates = path.shadowCandidates(for: LineMarkers.Inclusion(path: "second/s.h", includer: "src/m.c"))
        #expect(candidates.sorted() == ["/usr/local/include/x86_64-linux-gnu/s.h", "first/s.h", "q/s.h", "src/s.h"])
    }

    @Test func `a search directory that gcc found to be a file counts as missing`() throws {
        let output = "cc1: warning: gen/: not a directory\ncc1plus: warning: a: b: not a directory\n" + Self.verbose
        let path = try #require(IncludeSearchPath.parse(verboseOutput: Array(output.utf8)))
        #expect(path.missingDirectories == ["gen", "a: b", "/usr/local/include/x86_64-linux-gnu"])
        let unrelated = "cc1: warning: something else\nx.c: not a directory\n" + Self.verbose
        #expect(
            try #require(IncludeSearchPath.parse(verboseOutput: Array(unrelated.utf8))).missingDirectories.count == 1
        )
    }

    @Test func `a search that goes through a header map gives no search list`() {
        let output = Self.verbose.replacingOccurrences(of: " first\n", with: " names.hmap (headermap)\n first\n")
        #expect(output != Self.verbose)
        #expect(IncludeSearchPath.parse(verboseOutput: Array(output.utf8)) == nil)
    }

    @Test func `a directory that did not exist counts as searched before every other`() throws {
        let path = try #require(IncludeSearchPath.parse(verboseOutput: Array(Self.verbose.utf8)))
        // It may be created before the next compile, at any place in the search: gcc does not say which.
        let stdio = LineMarkers.Inclusion(path: "/usr/include/stdio.h", includer: "src/m.c")
        #expect(path.shadowCandidates(for: stdio).contains("/usr/local/include/x86_64-linux-gnu/stdio.h"))
        let first = LineMarkers.Inclusion(path: "q/a.h", includer: "src/m.c")
        #expect(path.shadowCandidates(for: first).sorted() == ["/usr/local/include/x86_64-linux-gnu/a.h", "src/a.h"])
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

    @Test func `candidates of many includes are grouped by the directory that would hold them, each once`() throws {
        let path = IncludeSearchPath(quoteDirectories: [], angleDirectories: ["inc", "/usr/include"])
        let includers = IncludeSearchPath.directories(of: ["src/m.c", "inc/a.h", "/usr/include/sys/b.h"])
        let groups = path.shadowCandidateGroups(for: [
            ("inc/a.h", includers),
            ("/usr/include/sys/b.h", includers),
            ("/usr/include/stdio.h", includers),
        ])
        // Each directory once, each name once in it.
        #expect(Set(groups.map(\.directory)).count == groups.count)
        for group in groups { #expect(Set(group.names).count == group.names.count) }
        #expect(groups.allSatisfy { group in group.names.allSatisfy { !$0.contains("/") } })
        let paths = Set(groups.flatMap(\.paths))
        // a.h: the source's directory comes first.
        #expect(paths.contains("src/a.h"))
        // sys/b.h, found in /usr/include: in every includer directory and in inc, under its subdirectory.
        #expect(paths.isSuperset(of: ["src/sys/b.h", "inc/sys/b.h"]))
        // b.h, included from its own directory: only the includer directories searched before it.
        #expect(paths.contains("src/b.h"))
        // stdio.h: everywhere searched before /usr/include.
        #expect(paths.isSuperset(of: ["src/stdio.h", "inc/stdio.h", "/usr/include/sys/stdio.h"]))
        // a.h from an includer in /usr/include/sys may be looked up there first, but /usr/include comes after inc.
        #expect(paths.contains("/usr/include/sys/a.h"))
        #expect(!paths.contains("/usr/include/a.h"))
        // The per-include answer is the same set.
        for include in ["inc/a.h", "/usr/include/sys/b.h", "/usr/include/stdio.h"] {
            let single = Set(path.shadowCandidateGroups(for: [(include, includers)]).flatMap(\.paths))
            #expect(single.isSubset(of: paths))
        }
    }
}

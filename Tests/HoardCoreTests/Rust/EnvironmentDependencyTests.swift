import HoardCore
import Testing

@Suite struct EnvironmentDependencyTests {
    @Test func `a variable's line escapes its name and value as rustc's dep-info does`() {
        #expect(EnvironmentDependency.line(ofEntry: Array("TAG=a\nb\\c=d\re".utf8)) == "TAG=a\\nb\\\\c=d\\re")
        #expect(EnvironmentDependency.line(ofEntry: Array("EMPTY=".utf8)) == "EMPTY=")
        #expect(EnvironmentDependency.line(ofEntry: Array("A\\B=1".utf8)) == "A\\\\B=1")
    }

    @Test func `a variable whose name is not UTF-8 is left out: no env! names it`() {
        #expect(EnvironmentDependency.line(ofEntry: [0x41, 0xFF] + Array("=1".utf8)) == nil)
    }

    @Test func `a value that is not UTF-8 matches neither a recorded value nor an unset variable`() throws {
        let line = try #require(EnvironmentDependency.line(ofEntry: Array("TAG=".utf8) + [0xFF, 0xFE]))
        let matcher = EnvironmentDependency.Matcher([line])
        for recorded in ["TAG", "TAG=\u{FFFD}\u{FFFD}", "TAG="] {
            let path = EnvironmentDependency.path(ofLine: recorded)
            #expect(!matcher.matches(path: path, digest: EnvironmentDependency.digest(ofLine: recorded)))
        }
    }

    @Test func `a recorded variable matches while the environment gives it the same value`() {
        let recorded = "TAG=one"
        let path = EnvironmentDependency.path(ofLine: recorded)
        let digest = EnvironmentDependency.digest(ofLine: recorded)
        #expect(path.hasPrefix(EnvironmentDependency.pathPrefix) && path.hasSuffix("TAG"))
        #expect(EnvironmentDependency.Matcher(["PATH=/bin", "TAG=one"]).matches(path: path, digest: digest))
        #expect(!EnvironmentDependency.Matcher(["TAG=two"]).matches(path: path, digest: digest))
        #expect(!EnvironmentDependency.Matcher(["PATH=/bin"]).matches(path: path, digest: digest))
        #expect(!EnvironmentDependency.Matcher(["TAG=one "]).matches(path: path, digest: digest))
        // Of a name given twice, the first counts (as for getenv).
        #expect(EnvironmentDependency.Matcher(["TAG=one", "TAG=two"]).matches(path: path, digest: digest))
    }

    @Test func `a variable recorded as unset matches only while it stays unset`() {
        let path = EnvironmentDependency.path(ofLine: "MAYBE")
        let digest = EnvironmentDependency.digest(ofLine: "MAYBE")
        #expect(EnvironmentDependency.Matcher(["PATH=/bin"]).matches(path: path, digest: digest))
        #expect(!EnvironmentDependency.Matcher(["MAYBE="]).matches(path: path, digest: digest))
        #expect(!EnvironmentDependency.Matcher(["MAYBE=1"]).matches(path: path, digest: digest))
    }
}

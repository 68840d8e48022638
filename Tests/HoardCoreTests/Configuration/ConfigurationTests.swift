import HoardCore
import Testing

@Suite struct ConfigurationTests {
    static func load(_ environment: [String: String]) -> Configuration {
        var environment = environment
        environment["HOME"] = environment["HOME"] ?? "/home/u"
        environment["XDG_CONFIG_HOME"] = "/nonexistent"
        return Configuration.load { environment[$0] }
    }

    @Test func `defaults follow XDG and fall back to the home directory`() {
        var config = Configuration.load { ["HOME": "/home/u"][$0] }
        #expect(config.cacheDirectory == "/home/u/.cache/hoard")
        #expect(config.maximumSize == 10 << 30)
        #expect(config.idleTimeoutSeconds == 600)
        #expect(!config.isDisabled && !config.recache && config.logFile == nil)
        config = Configuration.load { ["HOME": "/home/u", "XDG_CACHE_HOME": "/xdg"][$0] }
        #expect(config.cacheDirectory == "/xdg/hoard")
    }

    @Test func `environment variables set every setting`() {
        let config = Self.load([
            "HOARD_DIR": "/tmp/c/", "HOARD_CACHE_SIZE": "500M", "HOARD_DISABLE": "1", "HOARD_RECACHE": "true",
            "HOARD_LOG": "/tmp/log", "HOARD_IDLE_TIMEOUT": "0",
        ])
        #expect(config.cacheDirectory == "/tmp/c")
        #expect(config.maximumSize == 500 << 20)
        #expect(config.isDisabled && config.recache)
        #expect(config.logFile == "/tmp/log")
        #expect(config.idleTimeoutSeconds == 0)
    }

    @Test(arguments: [
        ("HOARD_CACHE_SIZE", "lots"), ("HOARD_DISABLE", "maybe"), ("HOARD_IDLE_TIMEOUT", "-3"),
        ("HOARD_DIR", "relative"),
    ])
    func `a malformed value is one line naming the setting and keeps the default`(name: String, value: String) {
        let config = Self.load([name: value])
        #expect(config.problems.count == 1)
        #expect(config.problems.first?.contains(name) == true)
        #expect(config.problems.first?.contains("\n") == false)
        #expect(config.maximumSize == 10 << 30)
    }

    @Test func `the file sets values and the environment overrides them`() {
        var config = Configuration(defaultCacheDirectory: "/d")
        config.apply(
            fileText: """
                # comment
                cache_dir = "/from/file"
                cache_size = "2G"
                idle_timeout = 30
                disable = false
                """,
            fileName: "config.toml"
        )
        #expect(config.problems.isEmpty)
        #expect(config.cacheDirectory == "/from/file")
        #expect(config.maximumSize == 2 << 30)
        #expect(config.idleTimeoutSeconds == 30)
    }

    @Test func `a bad file line is reported with file, line and key`() {
        var config = Configuration(defaultCacheDirectory: "/d")
        config.apply(fileText: "cache_size = \"big\"\nno_such = 1\n", fileName: "c.toml")
        #expect(
            config.problems == [
                "hoard: c.toml:1: cache_size: expected a size such as 10G, 500M or a number of bytes",
                "hoard: c.toml:2: unknown setting no_such",
            ]
        )
    }

    @Test func `a syntax error names its line`() {
        var config = Configuration(defaultCacheDirectory: "/d")
        config.apply(fileText: "cache_dir = \"/x\"\ncache_size 5\n", fileName: "c.toml")
        #expect(config.problems == ["hoard: c.toml:2: expected key = value"])
    }
}

@Suite struct TOMLParserTests {
    @Test func `strings, integers, booleans, tables and comments parse`() throws {
        let entries = try TOMLParser.parse(
            """
            a = "x # not a comment" # a comment
            b = 1_000
            c = true
            d = 'C:\\path'
            [remote]
            url = "redis://h"
            """
        )
        #expect(entries.map(\.key) == ["a", "b", "c", "d", "remote.url"])
        #expect(
            entries.map(\.value) == [
                .string("x # not a comment"), .integer(1000), .boolean(true), .string("C:\\path"), .string("redis://h"),
            ]
        )
    }

    @Test(arguments: ["a = \"open", "a = [1, 2]", "= 1", "a = 1\na = 2", "[[x]]"])
    func `unsupported or malformed lines are errors`(text: String) {
        #expect(throws: TOMLError.self) { try TOMLParser.parse(text) }
    }
}

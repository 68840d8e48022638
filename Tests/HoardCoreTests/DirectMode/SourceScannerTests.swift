import HoardCore
import Testing

@Suite struct SourceScannerTests {
    @Test(arguments: [
        ("const char *d = __DATE__;", SourceFindings.timeMacros),
        ("x = __TIME__;", .timeMacros),
        ("y = __TIMESTAMP__;", .timeMacros),
        ("asm(\".incbin \\\"x\\\"\");", .embeddedFile),
        ("#  embed \"x.bin\"", .embeddedFile),
        ("puts(__FILE__);", .fileMacro),
        ("int __DATE = 1; int TIME__ = 2;", SourceFindings()),
    ])
    func `each construct is found and look-alikes are not`(source: String, expected: SourceFindings) {
        #expect(SourceFindings.scan(Array(source.utf8)) == expected)
    }
}

@Suite struct HasIncludeQueriesTests {
    @Test func `literal queries are collected and macro arguments are flagged`() {
        let text = """
            #ifdef __has_include
            #if __has_include(<pstl/config.h>) && __has_include_next ( "local.h" )
            #endif
            /* mentions __has_include without a call */
            #define HAS __has_include(<tbb/tbb.h>)
            #endif
            """
        let queries = HasIncludeQueries(Array(text.utf8))
        #expect(queries.names == ["pstl/config.h", "local.h", "tbb/tbb.h"])
        #expect(!queries.hasOpaqueQuery)
        #expect(HasIncludeQueries(Array("#if __has_include(HEADER)\n".utf8)).hasOpaqueQuery)
    }
}

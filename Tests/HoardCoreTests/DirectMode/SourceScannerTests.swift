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

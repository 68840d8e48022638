import HoardCore
import Testing

@Suite struct BaseDirectoriesTests {
    static let base = BaseDirectories(["/home/u/src"], workingDirectory: "/home/u/src/proj/build")

    @Test(arguments: [
        ("/home/u/src/proj/a.c", "../a.c"),
        ("-I/home/u/src/proj/include", "-I../include"),
        ("-fsanitize-ignorelist=/home/u/src/proj/ign.txt", "-fsanitize-ignorelist=../ign.txt"),
        ("-fdebug-prefix-map=/home/u/src/proj=.", "-fdebug-prefix-map=..=."),
        ("-I/usr/include", "-I/usr/include"),
        ("/home/u/srcother/a.c", "/home/u/srcother/a.c"),
        ("-DPATH=\"/home/u/src/x\"", "-DPATH=\"/home/u/src/x\""),
        ("-O2", "-O2"),
    ])
    func `arguments under a base directory become relative to the working directory`(
        argument: String,
        rewritten: String
    ) {
        #expect(Self.base.rewriteArgument(argument) == rewritten)
    }

    @Test func `line markers are rewritten and a surviving path marks the output as checkout-specific`() {
        let text = "# 1 \"/home/u/src/proj/a.c\"\nint x;\n# 1 \"/usr/include/stdio.h\" 1 3 4\n"
        let (rewritten, dependsOnLocation) = Self.base.rewritePreprocessed(Array(text.utf8))
        let expected = "# 1 \"../a.c\"\nint x;\n# 1 \"/usr/include/stdio.h\" 1 3 4\n"
        #expect(String(decoding: rewritten, as: UTF8.self) == expected)
        #expect(!dependsOnLocation)
        let withFile = "# 1 \"/home/u/src/proj/a.c\"\nconst char *f = \"/home/u/src/proj/a.c\";\n"
        #expect(Self.base.rewritePreprocessed(Array(withFile.utf8)).dependsOnLocation)
    }

    @Test func `with debug info only prefix-mapped paths are rewritten`() {
        let unmapped = BaseDirectories(["/home/u/src"], workingDirectory: "/home/u/src/p", debugInfo: true)
        #expect(unmapped.rewriteArgument("/home/u/src/p/a.c") == "/home/u/src/p/a.c")
        #expect(unmapped.mappedWorkingDirectory == "/home/u/src/p")
        let mapped = BaseDirectories(
            ["/home/u/src"],
            workingDirectory: "/home/u/src/p",
            arguments: ["-ffile-prefix-map=/home/u/src/p=/src"],
            debugInfo: true
        )
        #expect(mapped.rewriteArgument("/home/u/src/p/a.c") == "a.c")
        #expect(mapped.mappedWorkingDirectory == "/src")
    }

    @Test func `without base directories nothing changes`() {
        let none = BaseDirectories([], workingDirectory: "/w")
        #expect(!none.isActive)
        #expect(none.rewriteArgument("/w/a.c") == "/w/a.c")
    }
}

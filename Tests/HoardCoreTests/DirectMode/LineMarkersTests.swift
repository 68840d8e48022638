import HoardCore
import Testing

@Suite struct LineMarkersTests {
    static let gccOutput = """
        # 0 "src/m.c"
        # 0 "<built-in>"
        # 0 "<command-line>"
        # 1 "/usr/include/stdc-predef.h" 1 3 4
        # 0 "<command-line>" 2
        # 1 "src/m.c"
        # 1 "inc/a.h" 1
        # 1 "inc/nested \\"q\\".h" 1
        int x;
        # 2 "inc/a.h" 2
        # 2 "src/m.c" 2
        # 1 "/usr/include/stdio.h" 1 3 4
        # 27 "/usr/include/stdio.h" 3 4
        # 1 "/usr/include/x86_64-linux-gnu/bits/libc-header-start.h" 1 3 4
        # 28 "/usr/include/stdio.h" 2 3 4
        # 3 "src/m.c" 2
        int f(void) { return 1; }

        """

    @Test func `the main file comes first and every include appears once with its includer`() {
        let markers = LineMarkers(Array(Self.gccOutput.utf8))
        #expect(markers.inclusions.first == LineMarkers.Inclusion(path: "src/m.c", includer: nil))
        #expect(
            markers.includedFiles == [
                LineMarkers.Inclusion(path: "/usr/include/stdc-predef.h", includer: "src/m.c"),
                LineMarkers.Inclusion(path: "inc/a.h", includer: "src/m.c"),
                LineMarkers.Inclusion(path: "inc/nested \"q\".h", includer: "inc/a.h"),
                LineMarkers.Inclusion(path: "/usr/include/stdio.h", includer: "src/m.c"),
                LineMarkers.Inclusion(
                    path: "/usr/include/x86_64-linux-gnu/bits/libc-header-start.h",
                    includer: "/usr/include/stdio.h"
                ),
            ]
        )
    }

    @Test func `text that only looks like a marker is ignored`() {
        let markers = LineMarkers(Array("# 1 \"a.c\"\n#define X \"# 1 \\\"b.h\\\" 1\"\n#pragma once\n".utf8))
        #expect(markers.inclusions.map(\.path) == ["a.c"])
    }
}

import Foundation
import Testing

/// The golden files in `Tests/HoardCoreTests/Golden`, which pin what keys are made of.
enum GoldenFiles {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden")

    /// Expects `actual` to equal the golden file `name.txt`; with `HOARD_UPDATE_GOLDEN=1`, writes it first.
    static func expect(_ actual: String, matches name: String) throws {
        let file = self.directory.appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["HOARD_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(actual == expected)
    }
}

/// A source language as gcc and clang name it with `-x`.
public enum Language: String, CaseIterable, Sendable {
    case c = "c"
    case cxx = "c++"
    case objectiveC = "objective-c"
    case objectiveCxx = "objective-c++"
    case assembler = "assembler"
    case assemblerWithCpp = "assembler-with-cpp"
    case cPreprocessed = "cpp-output"
    case cxxPreprocessed = "c++-cpp-output"
    case objectiveCPreprocessed = "objective-c-cpp-output"
    case objectiveCxxPreprocessed = "objective-c++-cpp-output"

    /// Tells whether the preprocessor must not run on it (already preprocessed, or plain assembler).
    public var skipsPreprocessor: Bool {
        switch self {
        case .assembler, .cPreprocessed, .cxxPreprocessed, .objectiveCPreprocessed, .objectiveCxxPreprocessed: true
        default: false
        }
    }

    /// Tells whether `-MD` makes the compiler write a dependency file for this language.
    public var writesDependencies: Bool {
        !self.skipsPreprocessor
    }

    /// The language implied by a file extension, as gcc decides it.
    ///
    /// - Parameter fileExtension: the extension, without the dot.
    /// - Returns: the language, or `nil` if the extension is not a source we cache.
    public static func forExtension(_ fileExtension: String) -> Language? {
        switch fileExtension {
        case "c": .c
        case "cc", "cp", "cxx", "cpp", "CPP", "c++", "C": .cxx
        case "m": .objectiveC
        case "mm", "M": .objectiveCxx
        case "i": .cPreprocessed
        case "ii": .cxxPreprocessed
        case "mi": .objectiveCPreprocessed
        case "mii": .objectiveCxxPreprocessed
        case "s": .assembler
        case "S", "sx": .assemblerWithCpp
        default: nil
        }
    }

    /// Tells whether a `-x` value names a header language (creating a precompiled header).
    public static func isHeaderLanguage(_ value: String) -> Bool {
        value.hasSuffix("-header") || value.hasSuffix("-header-unit")
    }

    /// Tells whether a file extension names a header.
    public static func isHeaderExtension(_ fileExtension: String) -> Bool {
        ["h", "hh", "hpp", "hxx", "H", "h++", "tcc"].contains(fileExtension)
    }
}

/// How an option takes its value.
public enum OptionForm: Sendable, Equatable {
    /// No value: `-c`.
    case flag
    /// The value is glued on: `-std=c11`, `-Wp,-DX`.
    case joined
    /// The value is the next argument: `-Xclang -foo`.
    case separate
    /// Either glued on or the next argument: `-Ifoo`, `-I foo`.
    case joinedOrSeparate
}

/// What an option means to the cache.
public enum OptionRole: Sendable, Equatable {
    /// Passed through and hashed verbatim.
    case plain
    /// Passed through and hashed, but removed from the preprocessor's command line (`-P`).
    case notForPreprocessor
    /// `-o`.
    case output
    /// `-c`.
    case compileOnly
    /// `-S`.
    case assembleOnly
    /// `-x`.
    case language
    /// `-MD`, `-MMD`: write a dependency file as a side effect.
    case dependencyFile
    /// `-MF`: the dependency file's path.
    case dependencyFilePath
    /// `-MT`, `-MQ`, `-MP`: change the dependency file's content.
    case dependencyContent
    /// `-gsplit-dwarf`: a `.dwo` beside the object.
    case splitDwarf
    /// `--coverage`, `-ftest-coverage`: a `.gcno` beside the object.
    case coverageNotes
    /// `-fprofile-arcs`, `-fprofile-generate`: the object embeds the absolute `.gcda` path.
    case profileArcs
    /// `-fprofile-use`: the key includes the profile data.
    case profileUse
    /// `-fstack-usage`: a `.su` beside the object.
    case stackUsage
    /// The value names a file whose content goes into the key (`-fplugin=`, ignore lists, `-specs=`).
    case extraInputFile
    /// `-march=native` and the like: the key includes the host CPU.
    case hostDependent
    /// `-frecord-gcc-switches`: the object embeds the full command line.
    case recordsCommandLine
    /// `-include`, `-imacros`: a file read before the source, looked for in the working directory first; it may name
    /// a precompiled header.
    case include
    /// `-Xpreprocessor`.
    case preprocessorPassThrough
    /// `-Wp,`.
    case preprocessorCommaList
    /// `-Xclang`: checked for values that write or load files.
    case clangPassThrough
    /// A colour option: passed through, and it stops Hoard adding its own.
    case diagnosticsColor
    /// Not cacheable, counted under the statistic.
    case prevents(Statistic)
    /// Not a compilation at all (`--version`, `-###`).
    case notACompilation
}

/// One row of an option table.
public struct OptionSpec: Sendable, Equatable {
    /// The spelling, including leading dashes and a trailing `=` or `,` for joined forms.
    public var name: String
    /// How the value is given.
    public var form: OptionForm
    /// What the option means to the cache.
    public var role: OptionRole

    /// Creates a row.
    public init(_ name: String, _ form: OptionForm, _ role: OptionRole = .plain) {
        self.name = name
        self.form = form
        self.role = role
    }
}

/// A parsed option: the row it matched and its value, if any.
public struct MatchedOption: Sendable, Equatable {
    /// The table row.
    public var spec: OptionSpec
    /// The value, joined or separate.
    public var value: String?
    /// How many arguments it used (1 or 2).
    public var argumentCount: Int

    /// Creates a match.
    public init(spec: OptionSpec, value: String?, argumentCount: Int) {
        self.spec = spec
        self.value = value
        self.argumentCount = argumentCount
    }
}

/// A sorted option table with exact and prefix lookup.
public struct OptionTable: Sendable {
    /// The rows, sorted by name.
    public let rows: [OptionSpec]
    /// The rows that match exactly, sorted by the bytes of their names (binary search: a `Dictionary` would cost
    /// the client a runtime conformance lookup at start-up).
    private let exact: [OptionSpec]
    private let prefixes: [OptionSpec]

    /// Creates a table; the rows must be sorted and unique (tests check the shipped tables).
    public init(_ rows: [OptionSpec]) {
        self.rows = rows
        // Already in byte order: the table is sorted (and its tests check it), and sorting here would cost a
        // runtime conformance lookup.
        self.exact = rows.filter { $0.form != .joined }
        self.prefixes = rows.filter { $0.form == .joined || $0.form == .joinedOrSeparate }
    }

    /// Matches `arguments[index]` against the table.
    ///
    /// - Parameters:
    ///   - arguments: the whole command line.
    ///   - index: the argument to match.
    /// - Returns: the match, `nil` for an unknown option; a separate value missing at the end is `.missingValue`.
    public func match(_ arguments: [String], at index: Int) -> Match {
        let argument = arguments[index]
        if let spec = self.exactMatch(argument) {
            switch spec.form {
            case .flag:
                return .option(MatchedOption(spec: spec, value: nil, argumentCount: 1))
            case .separate, .joinedOrSeparate:
                guard index + 1 < arguments.count else { return .missingValue(spec) }
                return .option(MatchedOption(spec: spec, value: arguments[index + 1], argumentCount: 2))
            case .joined:
                break
            }
        }
        // The longest matching prefix wins, so `-fprofile-use=` beats a shorter row.
        var best: OptionSpec?
        for spec in self.prefixes where argument.hasPrefix(spec.name) && argument != spec.name {
            if spec.name.utf8.count > best?.name.utf8.count ?? 0 { best = spec }
        }
        guard let best else { return .unknown }
        let value = String(argument.utf8.dropFirst(best.name.utf8.count)) ?? ""
        return .option(MatchedOption(spec: best, value: value, argumentCount: 1))
    }

    private func exactMatch(_ name: String) -> OptionSpec? {
        var low = 0
        var high = self.exact.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = self.exact[middle].name
            if candidate == name { return self.exact[middle] }
            if candidate.utf8.lexicographicallyPrecedes(name.utf8) { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// The result of matching one argument.
    public enum Match: Sendable, Equatable {
        /// A known option.
        case option(MatchedOption)
        /// A known option whose separate value is missing.
        case missingValue(OptionSpec)
        /// Not in the table.
        case unknown
    }
}

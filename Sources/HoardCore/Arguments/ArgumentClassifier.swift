/// A file the compile writes, which a hit must restore.
public enum OutputRole: UInt8, CaseIterable, Sendable {
    /// The object (or assembly for `-S`).
    case object = 0
    /// The dependency file from `-MD`/`-MMD`.
    case dependencies = 1
    /// The split DWARF `.dwo`.
    case splitDwarf = 2
    /// The coverage notes `.gcno`.
    case coverageNotes = 3
    /// The stack usage `.su`.
    case stackUsage = 4
    /// Rust crate metadata `.rmeta`.
    case rustMetadata = 5
}

/// An output of a compile: its role and where it goes.
public struct OutputFile: Equatable, Sendable {
    /// What it is.
    public var role: OutputRole
    /// The path as the compiler sees it (relative to the working directory or absolute).
    public var path: String
    /// `true` if the compiler may legitimately not write it (`.dwo` with `-g0`, `.d` for assembler).
    public var isOptional: Bool
}

/// An extra file whose content goes into the key.
public struct ExtraInput: Equatable, Sendable {
    /// The path as given.
    public var path: String
    /// `true` if a missing file is an error; `false` if absence is a valid state to hash (`-fprofile-use`).
    public var mustExist: Bool

    /// Creates an extra input.
    public init(path: String, mustExist: Bool) {
        self.path = path
        self.mustExist = mustExist
    }
}

/// A single cacheable compilation, as the classifier understood it.
public struct CompileInvocation: Equatable, Sendable {
    /// The arguments after the compiler, with `@file`s expanded.
    public var arguments: [String]
    /// The source file, as given.
    public var sourcePath: String
    /// Its language.
    public var language: Language
    /// The outputs to restore on a hit; the object is first.
    public var outputs: [OutputFile]
    /// The arguments that go into the key: everything but output and dependency-file paths.
    public var hashedArguments: [String]
    /// The arguments for the preprocessor run (`-E` appended, output and dependency options removed).
    public var preprocessorArguments: [String]
    /// Where the source file stands in ``preprocessorArguments``.
    public var sourceIndex: Int
    /// The dependency file's default target (the object path as given) when `-MD` has no `-MT`/`-MQ`.
    public var dependencyTarget: String?
    /// Files whose content goes into the key.
    public var extraInputs: [ExtraInput]
    /// The working directory can appear in the outputs (debug info, coverage).
    public var dependsOnWorkingDirectory: Bool
    /// The object embeds its own absolute path (`.gcda` location).
    public var dependsOnObjectPath: Bool
    /// An option names the host CPU (`-march=native`).
    public var dependsOnHostCPU: Bool
    /// The command line has its own colour option.
    public var hasColorOption: Bool
    /// The command line includes files before the source (`-include`, `-imacros`): the compiler looks for them in
    /// its working directory first.
    public var hasForcedIncludes: Bool = false

    /// The object's output.
    public var objectPath: String { self.outputs[0].path }
}

/// What the client should do with a command line.
public enum ArgumentClassification: Equatable, Sendable {
    /// A single compilation we know how to cache.
    case cacheable(CompileInvocation)
    /// A compilation we must run as is, and why.
    case uncacheable(Statistic, detail: String)
    /// Not a compilation at all (linking, `--version`, ...).
    case notACompilation
}

/// Classifies gcc and clang command lines with ``GCCOptions/table``.
public enum ArgumentClassifier {
    /// Classifies a command line.
    ///
    /// - Parameters:
    ///   - arguments: the arguments after the compiler name, with `@file`s already expanded.
    ///   - environment: looks up environment variables (`DEPENDENCIES_OUTPUT`).
    ///   - fileExists: tells whether a path exists (for precompiled-header detection).
    /// - Returns: the classification; never an error.
    public static func classify(
        _ arguments: [String],
        environment: (String) -> String? = Environment.value,
        fileExists: (String) -> Bool = { FileSystem.isRegularFile($0) || FileSystem.isDirectory($0) }
    ) -> ArgumentClassification {
        var state = State()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if !argument.hasPrefix("-") || argument == "-" {
                if state.inputs.isEmpty { state.sourceIndex = state.preprocessorArguments.count }
                state.inputs.append(argument)
                state.preprocessorArguments.append(argument)
                state.hashedArguments.append(argument)
                index += 1
                continue
            }
            switch GCCOptions.table.match(arguments, at: index) {
            case .missingValue(let spec):
                return .uncacheable(.missingOptionValue, detail: spec.name)
            case .unknown:
                // `-fopt-info-...=FILE` writes a report file the cache would not restore.
                if argument.hasPrefix("-fopt-info") && argument.contains("=") {
                    return .uncacheable(.unsupportedOption, detail: argument)
                }
                state.preprocessorArguments.append(argument)
                state.hashedArguments.append(argument)
                if argument.hasPrefix("-g") && argument != "-g0" { state.debugInfo = true }
                if argument == "-g0" { state.debugInfo = false }
                index += 1
            case .option(let option):
                let slice = Array(arguments[index..<(index + option.argumentCount)])
                if let result = state.apply(option, spelled: slice, fileExists: fileExists) { return result }
                index += option.argumentCount
            }
        }
        let result = state.finish(environment: environment)
        guard case .cacheable(var invocation) = result else { return result }
        invocation.arguments = arguments
        return .cacheable(invocation)
    }
}

private struct State {
    var inputs: [String] = []
    var sourceIndex = 0
    var preprocessorArguments: [String] = []
    var hashedArguments: [String] = []
    var output: String?
    var compileOnly = false
    var assembleOnly = false
    var explicitLanguage: String?
    var dependencyFile = false
    var dependencyFilePath: String?
    var dependencyTargetGiven = false
    var splitDwarf = false
    var coverageNotes = false
    var profileArcs = false
    var stackUsage = false
    var debugInfo = false
    var hostDependent = false
    var forcedIncludes = false
    var recordsCommandLine = false
    var hasColorOption = false
    var notACompilation = false
    var extraInputs: [ExtraInput] = []
    var profileUseDefault = false
    var includes: [String] = []

    /// Applies one matched option; returns a final classification if the option decides it.
    mutating func apply(
        _ option: MatchedOption,
        spelled: [String],
        fileExists: (String) -> Bool
    ) -> ArgumentClassification? {
        let value = option.value ?? ""
        switch option.spec.role {
        case .plain:
            self.passThrough(spelled)
        case .notForPreprocessor:
            self.hashedArguments += spelled
        case .output:
            if self.output != nil { return .uncacheable(.unsupportedOption, detail: "-o given twice") }
            self.output = value
        case .compileOnly:
            self.compileOnly = true
        case .assembleOnly:
            self.assembleOnly = true
            self.hashedArguments += spelled
        case .language:
            if Language.isHeaderLanguage(value) { return .uncacheable(.precompiledHeader, detail: "-x \(value)") }
            if value != "none" && Language(rawValue: value) == nil {
                return .uncacheable(.unknownXLanguage, detail: "-x \(value)")
            }
            if !self.inputs.isEmpty { return .uncacheable(.unsupportedOption, detail: "-x after the source file") }
            self.explicitLanguage = value == "none" ? nil : value
            self.passThrough(spelled)
        case .dependencyFile:
            self.dependencyFile = true
            self.hashedArguments += spelled
        case .dependencyFilePath:
            self.dependencyFilePath = value
        case .dependencyContent:
            if option.spec.name != "-MP" { self.dependencyTargetGiven = true }
            self.hashedArguments += spelled
        case .splitDwarf:
            self.splitDwarf = true
            self.debugInfo = true
            self.passThrough(spelled)
        case .coverageNotes:
            self.coverageNotes = true
            if option.spec.name != "-ftest-coverage" { self.profileArcs = true }
            self.passThrough(spelled)
        case .profileArcs:
            self.profileArcs = true
            self.passThrough(spelled)
        case .profileUse:
            if option.value == nil {
                self.profileUseDefault = true
            } else if FileSystem.isDirectory(value) {
                return .uncacheable(.unreadableExtraInput, detail: "-fprofile-use with a directory")
            } else {
                self.extraInputs.append(ExtraInput(path: value, mustExist: false))
            }
            self.passThrough(spelled)
        case .stackUsage:
            self.stackUsage = true
            self.passThrough(spelled)
        case .extraInputFile:
            if option.spec.name == "-fplugin=" && !value.contains("/") {
                return .uncacheable(.unreadableExtraInput, detail: "-fplugin=\(value) without a path")
            }
            self.extraInputs.append(ExtraInput(path: value, mustExist: true))
            self.passThrough(spelled)
        case .hostDependent:
            self.hostDependent = true
            self.passThrough(spelled)
        case .recordsCommandLine:
            self.recordsCommandLine = true
            self.passThrough(spelled)
        case .include:
            self.forcedIncludes = true
            for suffix in [".gch", ".pch", ".pth"] where fileExists(value + suffix) {
                return .uncacheable(.precompiledHeader, detail: "-include \(value) has \(value + suffix)")
            }
            self.passThrough(spelled)
        case .preprocessorPassThrough:
            return .uncacheable(.unsupportedPreprocessorOption, detail: "-Xpreprocessor \(value)")
        case .preprocessorCommaList:
            let parts = value.split(separator: ",", omittingEmptySubsequences: false)
            if !parts.allSatisfy({ $0.hasPrefix("-D") || $0.hasPrefix("-U") }) {
                return .uncacheable(.unsupportedPreprocessorOption, detail: "-Wp,\(value)")
            }
            self.passThrough(spelled)
        case .clangPassThrough:
            let tooHard = ["-emit-pch", "-include-pch", "-load", "-add-plugin", "-plugin", "-emit-module"]
            if tooHard.contains(value) { return .uncacheable(.unsupportedOption, detail: "-Xclang \(value)") }
            self.passThrough(spelled)
        case .diagnosticsColor:
            self.hasColorOption = true
            self.passThrough(spelled)
        case .prevents(let statistic):
            return .uncacheable(statistic, detail: spelled.joined(separator: " "))
        case .notACompilation:
            self.notACompilation = true
            self.passThrough(spelled)
        }
        return nil
    }

    mutating func passThrough(_ spelled: [String]) {
        self.preprocessorArguments += spelled
        self.hashedArguments += spelled
    }

    func finish(environment: (String) -> String?) -> ArgumentClassification {
        if self.notACompilation { return .notACompilation }
        guard self.compileOnly || self.assembleOnly else { return .notACompilation }
        for name in ["DEPENDENCIES_OUTPUT", "SUNPRO_DEPENDENCIES"] where environment(name) != nil {
            return .uncacheable(.unsupportedEnvironment, detail: name)
        }
        guard let source = self.inputs.first else { return .uncacheable(.noSourceFile, detail: "") }
        if self.inputs.count > 1 {
            return .uncacheable(.multipleSourceFiles, detail: self.inputs.joined(separator: " "))
        }
        if source == "-" { return .uncacheable(.noSourceFile, detail: "source from stdin") }
        let language: Language
        if let explicit = self.explicitLanguage, let known = Language(rawValue: explicit) {
            language = known
        } else {
            let fileExtension = Path.fileExtension(of: source)
            if Language.isHeaderExtension(fileExtension) {
                return .uncacheable(.precompiledHeader, detail: source)
            }
            guard let known = Language.forExtension(fileExtension) else {
                return .uncacheable(.unknownLanguage, detail: source)
            }
            language = known
        }
        if self.output == "-" { return .uncacheable(.outputToStdout, detail: "-o -") }
        let objectPath =
            self.output
            ?? Path.replacingExtension(of: Path.baseName(of: source), with: self.assembleOnly ? "s" : "o")
        if objectPath.hasPrefix("/dev/") { return .uncacheable(.unsupportedOutputPath, detail: objectPath) }

        var outputs = [OutputFile(role: .object, path: objectPath, isOptional: false)]
        var dependencyTarget: String?
        if self.dependencyFile {
            let path = self.dependencyFilePath ?? Path.replacingExtension(of: objectPath, with: "d")
            if path.hasPrefix("/dev/") { return .uncacheable(.unsupportedOutputPath, detail: path) }
            outputs.append(OutputFile(role: .dependencies, path: path, isOptional: !language.writesDependencies))
            if !self.dependencyTargetGiven { dependencyTarget = objectPath }
        }
        if self.splitDwarf {
            outputs.append(
                OutputFile(
                    role: .splitDwarf,
                    path: Path.replacingExtension(of: objectPath, with: "dwo"),
                    isOptional: true
                )
            )
        }
        if self.coverageNotes {
            outputs.append(
                OutputFile(
                    role: .coverageNotes,
                    path: Path.replacingExtension(of: objectPath, with: "gcno"),
                    isOptional: true
                )
            )
        }
        if self.stackUsage {
            outputs.append(
                OutputFile(
                    role: .stackUsage,
                    path: Path.replacingExtension(of: objectPath, with: "su"),
                    isOptional: true
                )
            )
        }
        var extraInputs = self.extraInputs
        if self.profileUseDefault {
            extraInputs.append(
                ExtraInput(path: Path.replacingExtension(of: objectPath, with: "gcda"), mustExist: false)
            )
        }
        var hashedArguments = self.hashedArguments
        if self.recordsCommandLine || self.splitDwarf {
            // The object embeds the command line or the `.dwo` name: the output path matters.
            hashedArguments += ["-o", objectPath]
        }
        return .cacheable(
            CompileInvocation(
                arguments: [],
                sourcePath: source,
                language: language,
                outputs: outputs,
                hashedArguments: hashedArguments,
                preprocessorArguments: self.preprocessorArguments + ["-E"],
                sourceIndex: self.sourceIndex,
                dependencyTarget: dependencyTarget,
                extraInputs: extraInputs,
                dependsOnWorkingDirectory: self.debugInfo || self.coverageNotes || self.profileArcs,
                dependsOnObjectPath: self.profileArcs || self.coverageNotes,
                dependsOnHostCPU: self.hostDependent,
                hasColorOption: self.hasColorOption,
                hasForcedIncludes: self.forcedIncludes
            )
        )
    }
}

/// A rustc compile of a library crate that Hoard can cache.
public struct RustInvocation: Equatable, Sendable {
    /// The arguments after `rustc`, as given.
    public var arguments: [String]
    /// `--crate-name`.
    public var crateName: String
    /// The crate root, as given.
    public var sourcePath: String
    /// The one crate type: `lib`, `rlib`, `staticlib` or `proc-macro`.
    public var crateType: String
    /// `--out-dir` (or `.`).
    public var outputDirectory: String
    /// `-C extra-filename`.
    public var extraFilename: String
    /// The outputs, by role: `object` is the link output, `dependencies` the dep-info, `rustMetadata` the `.rmeta`.
    public var outputs: [OutputFile]
    /// The arguments that go into the key: all but `--out-dir`, `-L` and `--diagnostic-width`.
    public var hashedArguments: [String]
    /// The arguments for the dep-info pass (the caller appends `--emit=dep-info=FILE`).
    public var dependencyPassArguments: [String]
    /// `--extern name=path` paths, whose content goes into the key (the path itself does not).
    public var externPaths: [String]
    /// `-l static=name` libraries, bundled into an rlib: their content goes into the key.
    public var staticLibraries: [String]
    /// `-L` search directories (for the static libraries).
    public var searchDirectories: [String]
    /// A `--target` given as a JSON target specification file.
    public var targetSpecification: String?
    /// Debug info is generated (`-g`, `-C debuginfo` other than 0): the working directory enters the key.
    public var debugInfo: Bool
}

/// What to do with a rustc command line.
public enum RustClassification: Equatable, Sendable {
    /// A library compile Hoard caches.
    case cacheable(RustInvocation)
    /// A compile run as is, and why.
    case uncacheable(Statistic, detail: String)
    /// Not a compile: `-vV`, `--print`, reading stdin.
    case notACompilation
}

/// Classifies rustc command lines, as cargo and people write them.
public enum RustArgumentClassifier {
    /// Options whose value is the next argument, or glued on with `=` (long) or directly (short).
    static let valueOptions: Set<String> = [
        "--crate-name", "--edition", "--crate-type", "--emit", "--out-dir", "-o", "--extern", "-L", "-l", "--cfg",
        "--check-cfg", "--cap-lints", "--error-format", "--json", "--color", "--diagnostic-width", "--target",
        "--print", "-C", "--codegen", "-Z", "-A", "-W", "-D", "-F", "--allow", "--warn", "--deny", "--forbid",
        "--force-warn", "--remap-path-prefix", "--sysroot", "--explain", "--crate-attr", "--env-set",
    ]

    /// Classifies a command line.
    ///
    /// - Parameter arguments: the arguments after the compiler.
    /// - Returns: the classification; never an error.
    public static func classify(_ arguments: [String]) -> RustClassification {
        var inputs: [String] = []
        var options: [(name: String, value: String?, spelled: [String])] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "-" || !argument.hasPrefix("-") {
                inputs.append(argument)
                index += 1
                continue
            }
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--"),
                self.valueOptions.contains(String(argument[..<equals]))
            {
                options.append(
                    (String(argument[..<equals]), String(argument[argument.index(after: equals)...]), [argument])
                )
                index += 1
            } else if self.valueOptions.contains(argument) {
                guard index + 1 < arguments.count else { return .uncacheable(.missingOptionValue, detail: argument) }
                options.append((argument, arguments[index + 1], [argument, arguments[index + 1]]))
                index += 2
            } else if argument.count > 2, !argument.hasPrefix("--"),
                self.valueOptions.contains(String(argument.prefix(2)))
            {
                options.append((String(argument.prefix(2)), String(argument.dropFirst(2)), [argument]))
                index += 1
            } else {
                options.append((argument, nil, [argument]))
                index += 1
            }
        }
        if options.contains(where: {
            ["-V", "--version", "-vV", "--print", "--explain", "-h", "--help"].contains($0.name)
        }) {
            return .notACompilation
        }
        guard inputs.count == 1, let source = inputs.first, source != "-" else {
            return inputs.count > 1
                ? .uncacheable(.multipleSourceFiles, detail: inputs.joined(separator: " ")) : .notACompilation
        }
        var crateName: String?
        var crateTypes: [String] = []
        var emits: [String] = []
        var outputDirectory = "."
        var extraFilename = ""
        var externs: [String] = []
        var staticLibraries: [String] = []
        var searchDirectories: [String] = []
        var target: String?
        var debugInfo = false
        var hashed: [String] = []
        var dependencyPass: [String] = []
        for (name, value, spelled) in options {
            let value = value ?? ""
            var forKey = true
            var forDependencyPass = true
            switch name {
            case "--crate-name":
                crateName = value
            case "--crate-type":
                crateTypes += value.split(separator: ",").map(String.init)
            case "--emit":
                emits += value.split(separator: ",").map(String.init)
                forDependencyPass = false
            case "--out-dir":
                outputDirectory = value
                forKey = false
                forDependencyPass = false
            case "-o":
                return .uncacheable(value == "-" ? .outputToStdout : .rustUnsupportedOption, detail: "-o \(value)")
            case "--extern":
                // The crate's content goes into the key, not where it lies (its path names the checkout).
                if let equals = value.firstIndex(of: "=") {
                    externs.append(String(value[value.index(after: equals)...]))
                    hashed.append("--extern=" + value[...equals])
                    forKey = false
                }
            case "-L":
                forKey = false
                let path = value.firstIndex(of: "=").map { String(value[value.index(after: $0)...]) } ?? value
                searchDirectories.append(path)
            case "-l":
                if value.hasPrefix("static=") || value.hasPrefix("static:") {
                    staticLibraries.append(String(value.drop { $0 != "=" }.dropFirst()))
                }
            case "--diagnostic-width":
                forKey = false
            case "--error-format", "--json", "--color":
                forDependencyPass = false
            case "--target":
                if value.hasSuffix(".json") { target = value }
            case "-C", "--codegen":
                let key = value.split(separator: "=", maxSplits: 1).first.map(String.init) ?? value
                switch key {
                case "incremental":
                    return .uncacheable(.rustIncremental, detail: "-C \(value)")
                case "save-temps", "profile-generate", "profile-use", "linker-plugin-lto":
                    return .uncacheable(.rustUnsupportedOption, detail: "-C \(value)")
                case "extra-filename":
                    extraFilename = String(value.dropFirst("extra-filename=".count))
                case "debuginfo":
                    let level = String(value.dropFirst("debuginfo=".count))
                    debugInfo = !["0", "none"].contains(level)
                default:
                    break
                }
            case "-g":
                debugInfo = true
            case "-Z":
                return .uncacheable(.rustUnsupportedOption, detail: "-Z \(value)")
            default:
                if !name.hasPrefix("-") { break }
                let known =
                    Self.valueOptions.contains(name) || ["-g", "-O", "--test", "-v", "--verbose"].contains(name)
                if !known { return .uncacheable(.rustUnsupportedOption, detail: name) }
                if name == "--test" { return .uncacheable(.rustLinking, detail: "--test builds an executable") }
            }
            if forKey { hashed += spelled }
            if forDependencyPass { dependencyPass += spelled }
        }
        guard let crateName, !crateName.isEmpty else {
            return .uncacheable(.rustUnsupportedOption, detail: "no --crate-name")
        }
        guard crateTypes.count == 1, let crateType = crateTypes.first else {
            return .uncacheable(
                .rustLinking,
                detail: crateTypes.isEmpty ? "no --crate-type (a binary)" : "several crate types"
            )
        }
        guard ["lib", "rlib", "staticlib", "proc-macro"].contains(crateType) else {
            return .uncacheable(.rustLinking, detail: "--crate-type \(crateType)")
        }
        if emits.isEmpty { emits = ["link"] }
        let stem = "\(crateName)\(extraFilename)"
        var outputs: [OutputFile] = []
        for emit in emits {
            guard !emit.contains("=") else {
                return .uncacheable(
                    emit.hasSuffix("=-") ? .outputToStdout : .rustUnsupportedOption,
                    detail: "--emit \(emit)"
                )
            }
            switch emit {
            case "link":
                let file: String
                switch crateType {
                case "staticlib": file = "lib\(stem).a"
                case "proc-macro": file = "lib\(stem).so"
                default: file = "lib\(stem).rlib"
                }
                outputs.append(OutputFile(role: .object, path: Path.join(outputDirectory, file), isOptional: false))
            case "metadata":
                outputs.append(
                    OutputFile(
                        role: .rustMetadata,
                        path: Path.join(outputDirectory, "lib\(stem).rmeta"),
                        isOptional: false
                    )
                )
            case "dep-info":
                outputs.append(
                    OutputFile(role: .dependencies, path: Path.join(outputDirectory, "\(stem).d"), isOptional: false)
                )
            default:
                return .uncacheable(.rustUnsupportedOption, detail: "--emit \(emit)")
            }
        }
        return .cacheable(
            RustInvocation(
                arguments: arguments,
                crateName: crateName,
                sourcePath: source,
                crateType: crateType,
                outputDirectory: outputDirectory,
                extraFilename: extraFilename,
                outputs: outputs,
                hashedArguments: hashed + [source],
                dependencyPassArguments: dependencyPass + [source],
                externPaths: externs,
                staticLibraries: staticLibraries,
                searchDirectories: searchDirectories,
                targetSpecification: target,
                debugInfo: debugInfo
            )
        )
    }
}

import Glibc
import HoardCore
import HoardWire

/// Something learned about the compiler for one command line, kept by the daemon with the compiler's identity.
///
/// Named by the compiler's real path and stamp (a changed compiler forgets it), a question, and a digest of the
/// command line, the working directory and the environment variables that can change the compiler's answer
/// (docs/wire-protocol.md, "CompilerIdentityGet/Put").
struct CompilerFact {
    let path: String
    let stamp: FileStamp?

    /// The stored answer, if any.
    func get(_ daemon: DaemonClient) -> [UInt8]? {
        guard let stamp = self.stamp,
            case .compilerIdentity(let bytes?)? = try? daemon.request(
                .compilerIdentityGet(path: self.path, stamp: stamp)
            )
        else {
            return nil
        }
        return bytes
    }

    /// Stores an answer.
    func put(_ answer: [UInt8], _ daemon: DaemonClient) {
        guard let stamp = self.stamp else { return }
        _ = try? daemon.request(.compilerIdentityPut(path: self.path, stamp: stamp, identity: answer))
    }
}

extension CompileSession {
    /// Names a fact about the compiler: `question` asked with `command` in `workingDirectory`, now.
    func compilerFact(_ question: String, command: [String], workingDirectory: String) -> CompilerFact {
        var hasher = BLAKE3()
        for part in command + [workingDirectory] {
            hasher.update(Array(part.utf8))
            hasher.update([0])
        }
        for name in CompileKey.relevantEnvironment {
            hasher.update(Array("\(name)=\(Environment.value(name) ?? "-")".utf8))
            hasher.update([0])
        }
        return CompilerFact(
            path: self.compilerRealPath + "\u{0}\(question) " + Hex.encode(hasher.finalize()),
            stamp: self.compilerStamp
        )
    }

    /// Runs the preprocessor (`command` ends in `-E`, output to stdout).
    ///
    /// gcc's driver only starts its preprocessor, `cc1 -E`: once a command line has hit in preprocessor mode, the
    /// command the driver runs for it (from `-###`) is kept as a compiler fact and run directly next time, one
    /// process instead of two. Anything unexpected in the driver's answer keeps the driver.
    ///
    /// - Parameters:
    ///   - command: the driver's command line, `argv[0]` first.
    ///   - identity: the compiler's identity.
    ///   - workingDirectory: the compile's working directory.
    ///   - daemon: the daemon connection, for the fact.
    ///   - environment: the environment to run it in, or `nil` for ours.
    /// - Returns: the run's result and, when the driver ran, the fact to fill in after a hit.
    /// - Throws: ``SystemError`` if no process could be started.
    func preprocess(
        _ command: [String],
        identity: CompilerIdentity,
        workingDirectory: String,
        daemon: DaemonClient,
        environment: [String]? = nil
    ) throws(SystemError) -> (result: ProcessResult, learn: CompilerFact?) {
        guard identity.family == .gcc else {
            return (
                try ProcessRunner.run(
                    self.compilerPath,
                    arguments: command,
                    output: .capture,
                    environment: environment
                ), nil
            )
        }
        let fact = self.compilerFact("preprocessor command", command: command, workingDirectory: workingDirectory)
        if let bytes = fact.get(daemon) {
            let direct = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
            if let program = direct.first, FileSystem.isExecutableFile(program) {
                return (
                    try ProcessRunner.run(program, arguments: direct, output: .capture, environment: environment), nil
                )
            }
        }
        return (
            try ProcessRunner.run(self.compilerPath, arguments: command, output: .capture, environment: environment),
            fact
        )
    }

    /// Asks the driver which command it runs for `command` and keeps it, if it is one `cc1 -E` with plain
    /// arguments.
    func learnPreprocessorCommand(_ command: [String], fact: CompilerFact, daemon: DaemonClient) {
        guard
            let answer = try? ProcessRunner.run(self.compilerPath, arguments: command + ["-###"], output: .capture),
            answer.termination == .exited(0),
            let direct = Self.singlePreprocessorCommand(answer.standardError)
        else {
            return
        }
        fact.put(Array(direct.joined(separator: "\u{0}").utf8), daemon)
    }

    /// The one command in gcc's `-###` output, if it is its preprocessor (`cc1`, `cc1plus`, `cc1obj`,
    /// `cc1objplus`) with `-E`, and no argument needs more than plain double quotes.
    static func singlePreprocessorCommand(_ output: [UInt8]) -> [String]? {
        let commands = String(decoding: output, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix(" ") }
        guard commands.count == 1, !commands[0].contains("\\"), !commands[0].contains("'") else { return nil }
        var words: [String] = []
        var word = ""
        var inWord = false
        var quoted = false
        for character in commands[0] {
            if character == "\"" {
                quoted.toggle()
                inWord = true
            } else if character == " " && !quoted {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else {
                word.append(character)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        guard !quoted, let program = words.first, program.hasPrefix("/"),
            ["cc1", "cc1plus", "cc1obj", "cc1objplus"].contains(Path.baseName(of: program)), words.contains("-E")
        else {
            return nil
        }
        return words
    }
}

/// One counter kept by the daemon, in storage order: append new cases, never reorder or reuse a raw value.
///
/// The raw value is the counter's index on the wire (`RecordStats`, `Stats`) and in the persisted stats file.
public enum Statistic: UInt16, CaseIterable, Sendable {
    /// Compile requests that reached the cache logic (cacheable or not).
    case requests = 0
    /// Hits found in preprocessor mode (ccache's `preprocessed_cache_hit`).
    case preprocessedHits = 1
    /// Misses: the compiler ran and its result was offered to the cache.
    case misses = 2
    /// `HOARD_RECACHE` forced a miss.
    case recaches = 3
    /// The compiler exited non-zero (ccache's `compile_failed`).
    case compileFailures = 4
    /// The preprocessor exited non-zero (ccache's `preprocessor_error`).
    case preprocessorFailures = 5
    /// The compiler was killed by a signal.
    case compilerKilled = 6
    /// The compiler exited 0 but did not write the object.
    case compilerProducedNoOutput = 7
    /// Hits found in direct mode: no preprocessor ran (ccache's `direct_cache_hit`).
    case directHits = 8
    /// Direct-mode lookups that found no matching manifest entry; preprocessor mode followed.
    case directMisses = 9

    // Not cacheable, by reason (see ``UncacheableReason``).
    /// Not a compilation: linking, `--version` and the like (ccache's `called_for_link`).
    case notACompilation = 20
    /// `-E` (ccache's `called_for_preprocessing`).
    case preprocessorOnly = 21
    /// `-M`/`-MM` without `-MD`/`-MMD`.
    case dependenciesOnly = 22
    /// More than one source file.
    case multipleSourceFiles = 23
    /// No source file.
    case noSourceFile = 24
    /// `-save-temps`.
    case saveTemps = 25
    /// `-ftime-trace`.
    case timeTrace = 26
    /// `-o -`.
    case outputToStdout = 27
    /// The source file's extension names no language we know.
    case unknownLanguage = 28
    /// An `@file` that could not be read.
    case unreadableResponseFile = 29
    /// `-fsyntax-only`.
    case syntaxOnly = 30
    /// A `-x` value we do not know.
    case unknownXLanguage = 31
    /// `-Xpreprocessor` or a `-Wp,` form we cannot reason about.
    case unsupportedPreprocessorOption = 32
    /// Another option that writes files we do not track, or changes what the compiler reads.
    case unsupportedOption = 33
    /// Creating or using a precompiled header.
    case precompiledHeader = 34
    /// `DEPENDENCIES_OUTPUT` or `SUNPRO_DEPENDENCIES` is set.
    case unsupportedEnvironment = 35
    /// An option is missing its value.
    case missingOptionValue = 36
    /// An extra input named by an option (plugin, profile, ignore list, specs) could not be read.
    case unreadableExtraInput = 37
    /// An output path we cannot write through the cache (a device, a directory).
    case unsupportedOutputPath = 38
    /// The source file is missing or not a regular file.
    case missingSourceFile = 39
    /// The compiler family is not one we know (not gcc or clang).
    case unknownCompiler = 40
    /// rustc builds a binary, a test harness or a dynamic library (links), or no crate type was given.
    case rustLinking = 41
    /// rustc with `-C incremental`.
    case rustIncremental = 42
    /// A rustc option that may write files we do not track (`-Z`, `-C save-temps`, `--emit asm`, ...).
    case rustUnsupportedOption = 43

    // Errors, by kind.
    /// The daemon could not be reached or started.
    case daemonUnreachable = 60
    /// The connection to the daemon broke in the middle of a request.
    case daemonConnectionLost = 61
    /// A stored entry failed its checksum or could not be decoded; it was deleted.
    case corruptEntries = 62
    /// A path from the client failed validation.
    case invalidPaths = 63
    /// Writing an entry to storage failed (full disk, permissions).
    case storageWriteErrors = 64
    /// Reading an entry from storage failed.
    case storageReadErrors = 65
    /// Writing restored outputs failed.
    case restoreErrors = 66
    /// An output changed between the compile and the daemon reading it; nothing was stored.
    case outputsChangedBeforeStore = 67
    /// Computing the compiler's identity failed.
    case compilerIdentityErrors = 68
    /// An internal error in the client (spawning the preprocessor, reading the source).
    case internalErrors = 69

    // Totals for averages and sizes.
    /// Entries stored.
    case stores = 80
    /// Sum of hit durations in microseconds, as seen by the client.
    case hitMicroseconds = 81
    /// Sum of miss durations in microseconds, as seen by the client.
    case missMicroseconds = 82
    /// Entries evicted to keep the cache under its size limit.
    case evictions = 83
    /// Manifest entries recorded for direct mode.
    case manifestUpdates = 84

    // Results not stored, by reason (the compile itself succeeded and was returned).
    /// The source or an include uses `__DATE__`, `__TIME__` or `__TIMESTAMP__`.
    case timeMacros = 90
    /// An input was modified at or after the compile started: it may still be changing.
    case tooNewInput = 91
    /// The source or an include uses `.incbin` or `#embed`.
    case embeddedFile = 92
    /// An include file could not be read.
    case unreadableInclude = 93
    /// An include file changed between the preprocessor run and the store.
    case inputsChangedBeforeStore = 94
    /// A `__has_include` with a macro argument: the result was stored, but no manifest (no direct-mode hits).
    case opaqueHasInclude = 95

    // The remote tier.
    /// Hits whose entry came from the remote (also counted as direct or preprocessed hits).
    case remoteHits = 100
    /// Remote lookups that found nothing.
    case remoteMisses = 101
    /// Remote operations that failed (connection refused, bad reply); the remote then rests for a while.
    case remoteErrors = 102
    /// Remote operations that timed out.
    case remoteTimeouts = 103
    /// Blobs written to the remote.
    case remoteWrites = 104
    /// Blobs the remote refused as too large (memcached's item limit).
    case remoteRejected = 105
    /// Remote operations skipped while it rests after an error, or because the write queue was full.
    case remoteSkipped = 106
    /// Remote entries that failed their checksum (treated as misses).
    case remoteCorruptEntries = 107

    /// The name used in JSON output and the stats file.
    public var name: String {
        switch self {
        case .requests: "requests"
        case .preprocessedHits: "preprocessed_hits"
        case .misses: "misses"
        case .recaches: "recaches"
        case .compileFailures: "compile_failures"
        case .preprocessorFailures: "preprocessor_failures"
        case .compilerKilled: "compiler_killed"
        case .compilerProducedNoOutput: "compiler_produced_no_output"
        case .notACompilation: "not_a_compilation"
        case .preprocessorOnly: "preprocessor_only"
        case .dependenciesOnly: "dependencies_only"
        case .multipleSourceFiles: "multiple_source_files"
        case .noSourceFile: "no_source_file"
        case .saveTemps: "save_temps"
        case .timeTrace: "time_trace"
        case .outputToStdout: "output_to_stdout"
        case .unknownLanguage: "unknown_language"
        case .unreadableResponseFile: "unreadable_response_file"
        case .syntaxOnly: "syntax_only"
        case .unknownXLanguage: "unknown_x_language"
        case .unsupportedPreprocessorOption: "unsupported_preprocessor_option"
        case .unsupportedOption: "unsupported_option"
        case .precompiledHeader: "precompiled_header"
        case .unsupportedEnvironment: "unsupported_environment"
        case .missingOptionValue: "missing_option_value"
        case .unreadableExtraInput: "unreadable_extra_input"
        case .unsupportedOutputPath: "unsupported_output_path"
        case .missingSourceFile: "missing_source_file"
        case .unknownCompiler: "unknown_compiler"
        case .rustLinking: "rust_linking"
        case .rustIncremental: "rust_incremental"
        case .rustUnsupportedOption: "rust_unsupported_option"
        case .daemonUnreachable: "daemon_unreachable"
        case .daemonConnectionLost: "daemon_connection_lost"
        case .corruptEntries: "corrupt_entries"
        case .invalidPaths: "invalid_paths"
        case .storageWriteErrors: "storage_write_errors"
        case .storageReadErrors: "storage_read_errors"
        case .restoreErrors: "restore_errors"
        case .outputsChangedBeforeStore: "outputs_changed_before_store"
        case .compilerIdentityErrors: "compiler_identity_errors"
        case .internalErrors: "internal_errors"
        case .stores: "stores"
        case .hitMicroseconds: "hit_microseconds"
        case .missMicroseconds: "miss_microseconds"
        case .evictions: "evictions"
        case .directHits: "direct_hits"
        case .directMisses: "direct_misses"
        case .manifestUpdates: "manifest_updates"
        case .timeMacros: "not_stored_time_macros"
        case .tooNewInput: "not_stored_too_new_input"
        case .embeddedFile: "not_stored_embedded_file"
        case .unreadableInclude: "not_stored_unreadable_include"
        case .inputsChangedBeforeStore: "not_stored_inputs_changed"
        case .opaqueHasInclude: "no_manifest_opaque_has_include"
        case .remoteHits: "remote_hits"
        case .remoteMisses: "remote_misses"
        case .remoteErrors: "remote_errors"
        case .remoteTimeouts: "remote_timeouts"
        case .remoteWrites: "remote_writes"
        case .remoteRejected: "remote_rejected_too_large"
        case .remoteSkipped: "remote_skipped"
        case .remoteCorruptEntries: "remote_corrupt_entries"
        }
    }

    /// The label shown by `hoard --show-stats`.
    public var label: String {
        switch self {
        case .requests: "Compile requests"
        case .preprocessedHits: "Hits (preprocessed)"
        case .misses: "Misses"
        case .recaches: "Forced recaches"
        case .compileFailures: "Compile failed"
        case .preprocessorFailures: "Preprocessor failed"
        case .compilerKilled: "Compiler killed"
        case .compilerProducedNoOutput: "Compiler produced no output"
        case .notACompilation: "Not a compilation (link, ...)"
        case .preprocessorOnly: "Preprocessing only (-E)"
        case .dependenciesOnly: "Dependencies only (-M, -MM)"
        case .multipleSourceFiles: "Multiple source files"
        case .noSourceFile: "No source file"
        case .saveTemps: "-save-temps"
        case .timeTrace: "-ftime-trace"
        case .outputToStdout: "Output to stdout"
        case .unknownLanguage: "Unknown source language"
        case .unreadableResponseFile: "Unreadable @file"
        case .syntaxOnly: "-fsyntax-only"
        case .unknownXLanguage: "Unknown -x language"
        case .unsupportedPreprocessorOption: "Unsupported -Xpreprocessor/-Wp,"
        case .unsupportedOption: "Unsupported option"
        case .precompiledHeader: "Precompiled header"
        case .unsupportedEnvironment: "Unsupported environment variable"
        case .missingOptionValue: "Option missing its value"
        case .unreadableExtraInput: "Unreadable extra input file"
        case .unsupportedOutputPath: "Unsupported output path"
        case .missingSourceFile: "Missing source file"
        case .unknownCompiler: "Unknown compiler"
        case .rustLinking: "Rust: binary, test or dylib (links)"
        case .rustIncremental: "Rust: incremental compilation"
        case .rustUnsupportedOption: "Rust: unsupported option"
        case .daemonUnreachable: "Daemon unreachable"
        case .daemonConnectionLost: "Daemon connection lost"
        case .corruptEntries: "Corrupt entries (deleted)"
        case .invalidPaths: "Invalid paths from client"
        case .storageWriteErrors: "Storage write errors"
        case .storageReadErrors: "Storage read errors"
        case .restoreErrors: "Output restore errors"
        case .outputsChangedBeforeStore: "Outputs changed before store"
        case .compilerIdentityErrors: "Compiler identity errors"
        case .internalErrors: "Internal errors"
        case .stores: "Entries stored"
        case .hitMicroseconds: "Total hit time (us)"
        case .missMicroseconds: "Total miss time (us)"
        case .evictions: "Entries evicted"
        case .directHits: "Hits (direct)"
        case .directMisses: "Direct-mode misses"
        case .manifestUpdates: "Manifest updates"
        case .timeMacros: "__DATE__/__TIME__ used"
        case .tooNewInput: "Input too new"
        case .embeddedFile: ".incbin/#embed used"
        case .unreadableInclude: "Unreadable include"
        case .inputsChangedBeforeStore: "Inputs changed before store"
        case .opaqueHasInclude: "No manifest: __has_include(MACRO)"
        case .remoteHits: "Remote hits"
        case .remoteMisses: "Remote misses"
        case .remoteErrors: "Remote errors"
        case .remoteTimeouts: "Remote timeouts"
        case .remoteWrites: "Remote writes"
        case .remoteRejected: "Remote writes rejected (too large)"
        case .remoteSkipped: "Remote operations skipped (resting)"
        case .remoteCorruptEntries: "Corrupt remote entries"
        }
    }

    /// Statistics that count a compile that was not cacheable.
    public var isUncacheableReason: Bool { (20..<60).contains(self.rawValue) }

    /// Statistics that count an error.
    public var isError: Bool { (60..<80).contains(self.rawValue) }

    /// Statistics about the remote tier.
    public var isRemote: Bool { (100..<120).contains(self.rawValue) }

    /// Statistics that count a successful compile whose result was not stored.
    public var isNotStoredReason: Bool { (90..<100).contains(self.rawValue) }
}

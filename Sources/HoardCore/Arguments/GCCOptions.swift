/// The option table for gcc and clang: compiler knowledge as data.
///
/// Sorted by spelling (byte order) with no duplicates; `GCCOptionsTests` checks both and every row's meaning.
/// Options not listed are passed through and hashed verbatim; rows that only clang knows end in `// clang`.
/// Mostly after ccache's `compopt.cpp` and sccache's `gcc.rs`, checked against gcc 12 and clang 21.
public enum GCCOptions {
    /// The table.
    public static let table = OptionTable([
        OptionSpec("-###", .flag, .notACompilation),
        OptionSpec("--coverage", .flag, .coverageNotes),
        OptionSpec("--help", .flag, .notACompilation),
        OptionSpec("--param", .separate, .plain),
        OptionSpec("--save-temps", .flag, .prevents(.saveTemps)),
        OptionSpec("--serialize-diagnostics", .separate, .prevents(.unsupportedOption)),  // clang
        OptionSpec("--sysroot", .separate, .plain),
        OptionSpec("--version", .flag, .notACompilation),
        OptionSpec("-A", .joinedOrSeparate, .plain),
        OptionSpec("-B", .joinedOrSeparate, .plain),
        OptionSpec("-D", .joinedOrSeparate, .plain),
        OptionSpec("-E", .flag, .prevents(.preprocessorOnly)),
        OptionSpec("-I", .joinedOrSeparate, .plain),
        OptionSpec("-L", .joinedOrSeparate, .plain),
        OptionSpec("-M", .flag, .prevents(.dependenciesOnly)),
        OptionSpec("-MD", .flag, .dependencyFile),
        OptionSpec("-MF", .joinedOrSeparate, .dependencyFilePath),
        OptionSpec("-MJ", .joinedOrSeparate, .prevents(.unsupportedOption)),  // clang
        OptionSpec("-MM", .flag, .prevents(.dependenciesOnly)),
        OptionSpec("-MMD", .flag, .dependencyFile),
        OptionSpec("-MP", .flag, .dependencyContent),
        OptionSpec("-MQ", .joinedOrSeparate, .dependencyContent),
        OptionSpec("-MT", .joinedOrSeparate, .dependencyContent),
        OptionSpec("-P", .flag, .notForPreprocessor),
        OptionSpec("-S", .flag, .assembleOnly),
        OptionSpec("-T", .joinedOrSeparate, .plain),
        OptionSpec("-U", .joinedOrSeparate, .plain),
        OptionSpec("-Wp,", .joined, .preprocessorCommaList),
        OptionSpec("-Xassembler", .separate, .plain),
        OptionSpec("-Xclang", .separate, .clangPassThrough),  // clang
        OptionSpec("-Xlinker", .separate, .plain),
        OptionSpec("-Xpreprocessor", .separate, .preprocessorPassThrough),
        OptionSpec("-arch", .separate, .plain),  // clang
        OptionSpec("-aux-info", .separate, .prevents(.unsupportedOption)),
        OptionSpec("-c", .flag, .compileOnly),
        OptionSpec("-coverage", .flag, .coverageNotes),
        OptionSpec("-dumpmachine", .flag, .notACompilation),
        OptionSpec("-dumpversion", .flag, .notACompilation),
        OptionSpec("-fauto-profile=", .joined, .extraInputFile),
        OptionSpec("-fcallgraph-info", .flag, .prevents(.unsupportedOption)),
        OptionSpec("-fcolor-diagnostics", .flag, .diagnosticsColor),  // clang
        OptionSpec("-fdiagnostics-color", .flag, .diagnosticsColor),
        OptionSpec("-fdiagnostics-color=", .joined, .diagnosticsColor),
        OptionSpec("-fdump-", .joined, .prevents(.unsupportedOption)),
        OptionSpec("-fmodule-header", .flag, .prevents(.unsupportedOption)),
        OptionSpec("-fmodules", .flag, .prevents(.unsupportedOption)),  // clang
        OptionSpec("-fmodules-ts", .flag, .prevents(.unsupportedOption)),
        OptionSpec("-fno-color-diagnostics", .flag, .diagnosticsColor),  // clang
        OptionSpec("-fno-diagnostics-color", .flag, .diagnosticsColor),
        OptionSpec("-foptimization-record-file=", .joined, .prevents(.unsupportedOption)),  // clang
        OptionSpec("-fpch-preprocess", .flag, .prevents(.precompiledHeader)),
        OptionSpec("-fplugin=", .joined, .extraInputFile),
        OptionSpec("-fproc-stat-report=", .joined, .prevents(.unsupportedOption)),  // clang
        OptionSpec("-fprofile-arcs", .flag, .profileArcs),
        OptionSpec("-fprofile-generate", .flag, .profileArcs),
        OptionSpec("-fprofile-generate=", .joined, .profileArcs),
        OptionSpec("-fprofile-instr-generate", .flag, .profileArcs),  // clang
        OptionSpec("-fprofile-instr-generate=", .joined, .profileArcs),  // clang
        OptionSpec("-fprofile-instr-use=", .joined, .extraInputFile),  // clang
        OptionSpec("-fprofile-sample-use=", .joined, .extraInputFile),
        OptionSpec("-fprofile-use", .flag, .profileUse),
        OptionSpec("-fprofile-use=", .joined, .profileUse),
        OptionSpec("-frecord-gcc-switches", .flag, .recordsCommandLine),
        OptionSpec("-frepo", .flag, .prevents(.unsupportedOption)),
        OptionSpec("-fsanitize-blacklist=", .joined, .extraInputFile),  // clang
        OptionSpec("-fsanitize-ignorelist=", .joined, .extraInputFile),  // clang
        OptionSpec("-fsave-optimization-record", .flag, .prevents(.unsupportedOption)),  // clang
        OptionSpec("-fstack-usage", .flag, .stackUsage),
        OptionSpec("-fsyntax-only", .flag, .prevents(.syntaxOnly)),
        OptionSpec("-ftest-coverage", .flag, .coverageNotes),
        OptionSpec("-ftime-trace", .flag, .prevents(.timeTrace)),
        OptionSpec("-ftime-trace=", .joined, .prevents(.timeTrace)),
        OptionSpec("-gsplit-dwarf", .flag, .splitDwarf),
        OptionSpec("-gtoggle", .flag, .prevents(.unsupportedOption)),
        OptionSpec("-idirafter", .joinedOrSeparate, .plain),
        OptionSpec("-imacros", .joinedOrSeparate, .include),
        OptionSpec("-imultilib", .separate, .plain),
        OptionSpec("-include", .joinedOrSeparate, .include),
        OptionSpec("-include-pch", .separate, .prevents(.precompiledHeader)),  // clang
        OptionSpec("-iprefix", .joinedOrSeparate, .plain),
        OptionSpec("-iquote", .joinedOrSeparate, .plain),
        OptionSpec("-isysroot", .joinedOrSeparate, .plain),
        OptionSpec("-isystem", .joinedOrSeparate, .plain),
        OptionSpec("-ivfsoverlay", .separate, .prevents(.unsupportedOption)),  // clang
        OptionSpec("-iwithprefix", .joinedOrSeparate, .plain),
        OptionSpec("-iwithprefixbefore", .joinedOrSeparate, .plain),
        OptionSpec("-l", .joinedOrSeparate, .plain),
        OptionSpec("-march=native", .flag, .hostDependent),
        OptionSpec("-mcpu=native", .flag, .hostDependent),
        OptionSpec("-mllvm", .separate, .plain),  // clang
        OptionSpec("-mtune=native", .flag, .hostDependent),
        OptionSpec("-o", .joinedOrSeparate, .output),
        OptionSpec("-print-file-name=", .joined, .notACompilation),
        OptionSpec("-print-prog-name=", .joined, .notACompilation),
        OptionSpec("-print-search-dirs", .flag, .notACompilation),
        OptionSpec("-save-temps", .flag, .prevents(.saveTemps)),
        OptionSpec("-save-temps=", .joined, .prevents(.saveTemps)),
        OptionSpec("-serialize-diagnostics", .separate, .prevents(.unsupportedOption)),  // clang
        OptionSpec("-specs=", .joined, .extraInputFile),
        OptionSpec("-target", .separate, .plain),  // clang
        OptionSpec("-u", .joinedOrSeparate, .plain),
        OptionSpec("-v", .flag, .prevents(.unsupportedOption)),
        OptionSpec("-working-directory", .separate, .prevents(.unsupportedOption)),  // clang
        OptionSpec("-x", .joinedOrSeparate, .language),
        OptionSpec("-z", .separate, .plain),
    ])
}

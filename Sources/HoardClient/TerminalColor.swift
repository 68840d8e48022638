import Glibc
import HoardCore

/// Colour in diagnostics: whether the terminal would get it from the compiler.
enum TerminalColor {
    /// Tells whether the compiler, run directly, would colour its diagnostics: stderr is a terminal and `TERM` is
    /// not `dumb`.
    static func stderrWantsColor() -> Bool {
        guard isatty(2) == 1 else { return false }
        let term = Environment.value("TERM") ?? ""
        return !term.isEmpty && term != "dumb"
    }
}

/// Path string manipulation: lexical only, no file system access.
public enum Path {
    /// Joins two paths; an absolute `component` replaces `base`.
    ///
    /// - Parameters:
    ///   - base: the directory.
    ///   - component: a relative or absolute path.
    /// - Returns: the joined path.
    public static func join(_ base: String, _ component: String) -> String {
        if component.hasPrefix("/") || base.isEmpty { return component }
        if base.hasSuffix("/") { return base + component }
        return base + "/" + component
    }

    /// Returns the directory part of a path (`.` for a bare name, `/` for the root).
    public static func directory(of path: String) -> String {
        var utf8 = Array(path.utf8)
        while utf8.count > 1 && utf8.last == UInt8(ascii: "/") { utf8.removeLast() }
        guard let slash = utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == 0 { return "/" }
        return String(decoding: utf8[..<slash], as: UTF8.self)
    }

    /// Returns the last component of a path.
    public static func baseName(of path: String) -> String {
        var utf8 = Array(path.utf8)
        while utf8.count > 1 && utf8.last == UInt8(ascii: "/") { utf8.removeLast() }
        guard let slash = utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(decoding: utf8[(slash + 1)...], as: UTF8.self)
    }

    /// Returns the extension of the last component, without the dot, or `""`.
    public static func fileExtension(of path: String) -> String {
        let name = Array(self.baseName(of: path).utf8)
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > 0 else { return "" }
        return String(decoding: name[(dot + 1)...], as: UTF8.self)
    }

    /// Replaces the extension of the last component (or appends one).
    ///
    /// - Parameters:
    ///   - path: the path.
    ///   - newExtension: the extension, without the dot.
    /// - Returns: the new path.
    public static func replacingExtension(of path: String, with newExtension: String) -> String {
        let utf8 = Array(path.utf8)
        let slash = utf8.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
        if let dot = utf8[slash...].lastIndex(of: UInt8(ascii: ".")), dot > slash {
            return String(decoding: utf8[..<dot], as: UTF8.self) + "." + newExtension
        }
        return path + "." + newExtension
    }

    /// Makes a path absolute against `directory` and removes `.`, `..` and repeated slashes lexically.
    ///
    /// - Parameters:
    ///   - path: a relative or absolute path.
    ///   - directory: the absolute directory relative paths start from.
    /// - Returns: an absolute, normalized path.
    public static func absolute(_ path: String, relativeTo directory: String) -> String {
        self.normalize(self.join(directory, path))
    }

    /// Removes `.`, `..` and repeated slashes from an absolute path lexically.
    public static func normalize(_ path: String) -> String {
        if Self.isNormalizedAbsolute(path) { return path }
        var components: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                if !components.isEmpty { components.removeLast() }
                continue
            }
            components.append(component)
        }
        // Concatenated by hand: `joined(separator:)` on substrings takes a slow, unspecialized runtime path.
        var result = ""
        for component in components {
            result += "/"
            result += String(component)
        }
        return result.isEmpty ? "/" : result
    }

    /// Returns the relative path from the absolute directory `base` to the absolute path `path`.
    ///
    /// - Parameters:
    ///   - path: an absolute, normalized path.
    ///   - base: an absolute, normalized directory.
    /// - Returns: a relative path (`.` when they are equal).
    public static func relative(_ path: String, from base: String) -> String {
        let target = path.split(separator: "/")
        let origin = base.split(separator: "/")
        var common = 0
        while common < target.count && common < origin.count && target[common] == origin[common] { common += 1 }
        let ups = Array(repeating: "..", count: origin.count - common)
        let rest = target[common...].map(String.init)
        let components = ups + rest
        return components.isEmpty ? "." : components.joined(separator: "/")
    }

    /// Tells whether `path` is absolute and already normalized: no `.` or `..` components, no `//`, no trailing `/`.
    public static func isNormalizedAbsolute(_ path: String) -> Bool {
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        guard path.utf8.first == slash, path.utf8.count > 1, path.utf8.last != slash else { return false }
        // One pass over the bytes (this runs for every path of every request): each component must be non-empty,
        // not `.` or `..`, and free of NUL.
        var length = 0
        var onlyDots = true
        for byte in path.utf8.dropFirst() {
            if byte == 0 { return false }
            if byte == slash {
                if length == 0 || (onlyDots && length <= 2) { return false }
                length = 0
                onlyDots = true
            } else {
                length += 1
                onlyDots = onlyDots && byte == dot
            }
        }
        return !(onlyDots && length <= 2)
    }
}

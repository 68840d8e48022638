/// Expands `@file` arguments the way gcc does: whitespace-separated, with quotes and backslash escapes.
public enum ResponseFile {
    /// Expands every `@file` in `arguments`, recursively (up to a fixed depth).
    ///
    /// - Parameter arguments: the command line after the compiler.
    /// - Returns: the expanded arguments.
    /// - Throws: ``SystemError`` naming the response file that could not be read.
    public static func expand(_ arguments: [String]) throws(SystemError) -> [String] {
        try self.expand(arguments, depth: 0)
    }

    private static func expand(_ arguments: [String], depth: Int) throws(SystemError) -> [String] {
        guard arguments.contains(where: { $0.hasPrefix("@") && $0.utf8.count > 1 }) else { return arguments }
        if depth > 8 { throw SystemError("response files nested too deeply", errno: 40) }
        var result: [String] = []
        for argument in arguments {
            guard argument.hasPrefix("@"), argument.utf8.count > 1 else {
                result.append(argument)
                continue
            }
            let path = String(argument.dropFirst())
            let content = try FileSystem.read(path, limit: 16 << 20)
            result += try self.expand(self.split(content), depth: depth + 1)
        }
        return result
    }

    /// Splits response-file text into arguments.
    ///
    /// - Parameter content: the file's bytes.
    /// - Returns: the arguments.
    public static func split(_ content: [UInt8]) -> [String] {
        var arguments: [String] = []
        var current: [UInt8] = []
        var inArgument = false
        var quote: UInt8?
        var index = 0
        while index < content.count {
            let byte = content[index]
            index += 1
            if byte == UInt8(ascii: "\\") && index < content.count {
                current.append(content[index])
                index += 1
                inArgument = true
            } else if let open = quote {
                if byte == open { quote = nil } else { current.append(byte) }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
                inArgument = true
            } else if byte == 32 || byte == 9 || byte == 10 || byte == 13 || byte == 12 || byte == 11 {
                if inArgument {
                    arguments.append(String(decoding: current, as: UTF8.self))
                    current.removeAll(keepingCapacity: true)
                    inArgument = false
                }
            } else {
                current.append(byte)
                inArgument = true
            }
        }
        if inArgument { arguments.append(String(decoding: current, as: UTF8.self)) }
        return arguments
    }
}

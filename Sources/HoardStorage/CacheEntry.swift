/// A stored compile result: the outputs' bytes, the compiler's stdout and stderr, and its exit status.
public struct CacheEntry: Equatable, Sendable {
    /// One output file.
    public struct Member: Equatable, Sendable {
        /// Its role (``HoardCore/OutputRole`` raw value).
        public var role: UInt8
        /// Its permission bits when stored.
        public var mode: UInt32
        /// Its content.
        public var bytes: [UInt8]

        /// Creates a member.
        public init(role: UInt8, mode: UInt32, bytes: [UInt8]) {
            self.role = role
            self.mode = mode
            self.bytes = bytes
        }
    }

    /// The output files.
    public var members: [Member]
    /// What the compiler wrote to stdout.
    public var standardOutput: [UInt8]
    /// What the compiler wrote to stderr.
    public var standardError: [UInt8]
    /// The compiler's exit status.
    public var exitStatus: Int32

    /// Creates an entry.
    public init(members: [Member], standardOutput: [UInt8], standardError: [UInt8], exitStatus: Int32) {
        self.members = members
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.exitStatus = exitStatus
    }

    /// Returns the member with `role`, if stored.
    public func member(_ role: UInt8) -> Member? {
        self.members.first { $0.role == role }
    }
}

public import HoardWire

extension FileStamp {
    /// The stamp as it crosses the socket.
    public var wire: WireFileStamp {
        WireFileStamp(
            size: self.size,
            mtimeNanoseconds: self.mtimeNanoseconds,
            ctimeNanoseconds: self.ctimeNanoseconds,
            inode: self.inode,
            device: self.device
        )
    }
}

/// The version of this build, shared by `hoard` and `hoardd`.
public let hoardVersion = "0.1.0"

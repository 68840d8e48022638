/// The version of this build, shared by `hoard` and `hoardd`.
public let hoardVersion = "0.1.0"

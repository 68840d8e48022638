// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")  // SE-0335
]
/// Code the client runs: one section per function, so the linker can lay out the start-up and hit paths together
/// (see `clientLinkerSettings`), and generic types' metadata built at compile time or by direct accessor calls, not
/// demangled from type names at run time.
let clientSwiftSettings =
    swiftSettings + [
        .unsafeFlags([
            "-Xfrontend", "-function-sections", "-Xfrontend", "-prespecialize-generic-metadata",
            "-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors",
        ])
    ]
let packageDirectory = String(#filePath.dropLast("/Package.swift".count))
/// The client is started once per compile: a fully static executable (no dynamic loader at start-up), linked by
/// lld with the functions of its common paths first (scripts/order-client-symbols.sh writes the list), so a
/// compile touches fewer pages of it.
let clientLinkerSettings: [LinkerSetting] = [
    .unsafeFlags([
        "-static-executable", "-use-ld=lld",
        "-Xlinker", "--symbol-ordering-file=\(packageDirectory)/Sources/hoard/symbol-order.txt",
        "-Xlinker", "--no-warn-symbol-ordering",
    ])
]

let package = Package(
    name: "hoard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hoard", targets: ["hoard"]),
        .executable(name: "hoardd", targets: ["hoardd"]),
    ],
    targets: [
        // The client: links nothing it does not need.
        .executableTarget(
            name: "hoard",
            dependencies: ["HoardClient", "CHoardStartup"],
            exclude: ["symbol-order.txt"],
            swiftSettings: clientSwiftSettings,
            linkerSettings: clientLinkerSettings
        ),
        // The client's start-up: glibc's without its CPU survey, and argv kept by a constructor instead of the
        // runtime's parse of /proc/self/maps.
        .target(name: "CHoardStartup"),
        .executableTarget(
            name: "hoardd",
            dependencies: ["HoardDaemon"],
            swiftSettings: swiftSettings,
            linkerSettings: [.unsafeFlags(["-static-stdlib"])]
        ),
        .target(name: "HoardWire", swiftSettings: clientSwiftSettings),
        // BLAKE3 on 8 or 16 chunks at once (AVX2, AVX-512), chosen at run time; plain C, linked into the client.
        .target(name: "CHoardBLAKE3", cSettings: [.unsafeFlags(["-O3", "-ffunction-sections"])]),
        // System calls the Glibc module does not declare.
        .target(name: "CHoardSystem"),
        .target(
            name: "HoardCore",
            dependencies: ["HoardWire", "CHoardBLAKE3", "CHoardSystem"],
            swiftSettings: clientSwiftSettings
        ),
        .target(name: "HoardClient", dependencies: ["HoardCore", "HoardWire"], swiftSettings: clientSwiftSettings),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(name: "HoardStorage", dependencies: ["HoardCore", "CZstd"], swiftSettings: swiftSettings),
        // TLS and SHA-256/HMAC for remote backends, from Debian's libssl-dev: linked by the daemon only.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "HoardRemoteStorage",
            dependencies: ["HoardCore", "HoardStorage", "COpenSSL"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HoardDaemon",
            dependencies: ["HoardCore", "HoardWire", "HoardStorage", "HoardRemoteStorage"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HoardCoreTests",
            dependencies: ["HoardCore", "CHoardBLAKE3"],
            exclude: ["Fixtures", "Golden"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HoardWireTests", dependencies: ["HoardWire"], swiftSettings: swiftSettings),
        .testTarget(name: "HoardStorageTests", dependencies: ["HoardStorage"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HoardRemoteStorageTests",
            dependencies: ["HoardRemoteStorage"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HoardClientTests", dependencies: ["HoardClient"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HoardDaemonTests",
            dependencies: ["HoardDaemon", "HoardClient"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HoardEndToEndTests",
            dependencies: ["HoardCore"],
            swiftSettings: swiftSettings
        ),
    ]
)

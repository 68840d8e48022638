// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")  // SE-0335
]

let package = Package(
    name: "hoard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hoard", targets: ["hoard"]),
        .executable(name: "hoardd", targets: ["hoardd"]),
    ],
    targets: [
        // The client: started once per compile, so it is a fully static executable (no dynamic loader at start-up)
        // that links nothing it does not need.
        .executableTarget(
            name: "hoard",
            dependencies: ["HoardClient"],
            swiftSettings: swiftSettings,
            linkerSettings: [.unsafeFlags(["-static-executable"])]
        ),
        .executableTarget(
            name: "hoardd",
            dependencies: ["HoardDaemon"],
            swiftSettings: swiftSettings,
            linkerSettings: [.unsafeFlags(["-static-stdlib"])]
        ),
        .target(name: "HoardWire", swiftSettings: swiftSettings),
        // BLAKE3 on 8 or 16 chunks at once (AVX2, AVX-512), chosen at run time; plain C, linked into the client.
        .target(name: "CHoardBLAKE3", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "HoardCore", dependencies: ["HoardWire", "CHoardBLAKE3"], swiftSettings: swiftSettings),
        .target(name: "HoardClient", dependencies: ["HoardCore", "HoardWire"], swiftSettings: swiftSettings),
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

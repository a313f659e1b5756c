// swift-tools-version:6.0
import PackageDescription

// No target of a library product may use unsafe build flags: the package must stay usable as a
// versioned dependency. ISA-specific code lives in the C target `ConvKitKernels` (folder
// `Kernels/`) and selects its instruction set per function with `__attribute__((target))`.
let package = Package(
    name: "ConvKit",
    products: [
        .library(name: "ConvKit", targets: ["ConvKit"]),
        .library(name: "ConvKitReference", targets: ["ConvKitReference"]),
        .executable(name: "convbench", targets: ["convbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "ConvKitKernels",
            path: "Kernels",
            publicHeadersPath: "include"
        ),
        .target(
            name: "ConvKit",
            dependencies: ["ConvKitKernels", "ConvKitReference"],
            path: "Sources/ConvKit"
        ),
        .target(
            name: "ConvKitReference",
            dependencies: [],
            path: "Sources/ConvKitReference"
        ),
        .executableTarget(
            name: "convbench",
            dependencies: [
                "ConvKit",
                "ConvKitReference",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Bench/convbench"
        ),
        .testTarget(
            name: "ConvKitTests",
            dependencies: ["ConvKit", "ConvKitReference"],
            path: "Tests/ConvKitTests"
        ),
    ]
)

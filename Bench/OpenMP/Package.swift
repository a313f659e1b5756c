// swift-tools-version:6.0
import PackageDescription

// A separate package so that the root package never needs libomp: it runs ConvKit's GEMM and
// convolution with their parallel regions on OpenMP threads (a `ParallelRuntime` whose workers
// come from `#pragma omp parallel for`) and on Dispatch, and times both.
// Needs Debian's libomp-dev (`apt-get install libomp-dev`); see README.md.
let package = Package(
    name: "ConvKitOpenMP",
    dependencies: [
        .package(name: "ConvKit", path: "../.."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "OpenMPRuntime",
            path: "Sources/OpenMPRuntime",
            cSettings: [.unsafeFlags(["-fopenmp"])],
            linkerSettings: [.linkedLibrary("omp5")]
        ),
        .executableTarget(
            name: "omp-vs-dispatch",
            dependencies: [
                "OpenMPRuntime",
                .product(name: "ConvKit", package: "ConvKit"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/omp-vs-dispatch"
        ),
    ]
)

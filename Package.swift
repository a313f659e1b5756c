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
        .library(name: "ConvNN", targets: ["ConvNN"]),
        .executable(name: "cifar10", targets: ["cifar10"]),
        .executable(name: "course", targets: ["course"]),
        .executable(name: "convbench", targets: ["convbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
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
        .target(
            name: "ConvNN",
            dependencies: ["ConvKit", "SVGCharts"],
            path: "Sources/ConvNN"
        ),
        // Line and bar charts as standalone SVG: training curves and benchmark reports.
        .target(
            name: "SVGCharts",
            dependencies: [],
            path: "Sources/SVGCharts"
        ),
        // Benchmark-only C: the FMA ceiling probes (flag-free, per-function target attributes).
        .target(
            name: "BenchKernels",
            path: "Bench/BenchKernels",
            publicHeadersPath: "include"
        ),
        // Benchmark inputs: the one-line convolution problems of `convbench conv --problem`.
        .target(
            name: "BenchSupport",
            dependencies: ["ConvKit"],
            path: "Bench/BenchSupport"
        ),
        // convbench's result files, report (Markdown + SVG) and regression check, as a library so
        // that tests can reach them.
        .target(
            name: "BenchReport",
            dependencies: ["SVGCharts"],
            path: "Bench/BenchReport"
        ),
        // Errors, option naming and progress lines shared by the commands.
        .target(
            name: "CommandSupport",
            dependencies: ["ConvNN", "ConvKit"],
            path: "Sources/CommandSupport"
        ),
        // The course's other experiments: digits grid searches, logic gates, MNIST.
        .executableTarget(
            name: "course",
            dependencies: [
                "ConvNN", "ConvKit", "SVGCharts", "CommandSupport", "BenchReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/course"
        ),
        .executableTarget(
            name: "cifar10",
            dependencies: [
                "ConvNN", "ConvKit", "BenchReport", "CommandSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/cifar10"
        ),
        .executableTarget(
            name: "convbench",
            dependencies: [
                "ConvKit", "ConvNN", "BenchReport", "BenchKernels", "BenchSupport",
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
        .testTarget(
            name: "BenchSupportTests",
            dependencies: ["BenchSupport", "ConvKit"],
            path: "Tests/BenchSupportTests"
        ),
        .testTarget(
            name: "SVGChartsTests",
            dependencies: ["SVGCharts"],
            path: "Tests/SVGChartsTests"
        ),
        .testTarget(
            name: "BenchReportTests",
            dependencies: ["BenchReport"],
            path: "Tests/BenchReportTests"
        ),
        // Runs the built `cifar10` executable as a user would (no module dependency: it is a process).
        .testTarget(
            name: "cifar10Tests",
            dependencies: [],
            path: "Tests/cifar10Tests"
        ),
        .testTarget(
            name: "ConvNNTests",
            dependencies: ["ConvNN", "ConvKit", "ConvKitReference"],
            path: "Tests/ConvNNTests"
        ),
    ]
)

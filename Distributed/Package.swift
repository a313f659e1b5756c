// swift-tools-version:6.0
import PackageDescription

// A separate package so that the root package never needs MPI: ConvNN's data-parallel training
// (`DataParallel`) over Open MPI, the `cifar10-mpi` command and the `mpi-check` test driver.
// Needs Debian's libopenmpi-dev and openmpi-bin (`apt-get install libopenmpi-dev openmpi-bin`);
// see README.md.
let package = Package(
    name: "ConvNNDistributed",
    products: [
        .library(name: "ConvNNDistributed", targets: ["ConvNNDistributed"]),
        .executable(name: "cifar10-mpi", targets: ["cifar10-mpi"]),
        .executable(name: "mpi-check", targets: ["mpi-check"]),
    ],
    dependencies: [
        .package(name: "ConvKit", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // mpi.h and libmpi, found through pkg-config's ompi-c.
        .systemLibrary(
            name: "CMPI",
            path: "Sources/CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        .target(
            name: "ConvNNDistributed",
            dependencies: ["CMPI", .product(name: "ConvNN", package: "ConvKit"), .product(name: "ConvKit", package: "ConvKit")],
            path: "Sources/ConvNNDistributed"
        ),
        .executableTarget(
            name: "cifar10-mpi",
            dependencies: [
                "ConvNNDistributed", .product(name: "ConvNN", package: "ConvKit"), .product(name: "ConvKit", package: "ConvKit"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/cifar10-mpi"
        ),
        .executableTarget(
            name: "mpi-check",
            dependencies: [
                "ConvNNDistributed", .product(name: "ConvNN", package: "ConvKit"), .product(name: "ConvKit", package: "ConvKit"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/mpi-check"
        ),
    ]
)

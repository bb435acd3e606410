// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ImplicitDifferentiation",
    products: [
        .library(name: "ImplicitDifferentiation", targets: ["ImplicitDifferentiation"]),
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "Krylov", targets: ["Krylov"]),
        .library(name: "AutoDiff", targets: ["AutoDiff"]),
        .executable(name: "implicit-diff", targets: ["ImplicitDiffCLI"]),
        .executable(name: "benchmarks", targets: ["Benchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        // Layer 0: CBLAS + LAPACKE from the system (OpenBLAS).
        .systemLibrary(
            name: "CLAPACK",
            path: "Modulemaps/CLAPACK",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // Layer 1: dense matrices, BLAS kernels, LAPACK factorizations.
        .target(name: "LinearAlgebra", dependencies: ["CLAPACK"]),
        // Layer 2: lazy operators and Krylov methods.
        .target(name: "Krylov", dependencies: ["LinearAlgebra"]),
        // Layer 3: forward duals, reverse tape, finite differences.
        .target(
            name: "AutoDiff",
            dependencies: [
                "LinearAlgebra",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        // Layer 4: implicit functions.
        .target(
            name: "ImplicitDifferentiation",
            dependencies: [
                "LinearAlgebra", "Krylov", "AutoDiff",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),

        // Shared helpers for tests and benchmarks (seeded random, structured matrices).
        .target(name: "TestSupport", dependencies: ["LinearAlgebra"]),

        .executableTarget(name: "ImplicitDiffCLI", dependencies: ["ImplicitDifferentiation"]),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["ImplicitDifferentiation", "TestSupport", "CLAPACK"]
        ),

        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "TestSupport"]),
        .testTarget(name: "KrylovTests", dependencies: ["Krylov", "TestSupport"]),
        .testTarget(name: "AutoDiffTests", dependencies: ["AutoDiff", "TestSupport"]),
        .testTarget(name: "ImplicitDifferentiationTests", dependencies: ["ImplicitDifferentiation", "TestSupport"]),
    ]
)

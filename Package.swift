// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ImplicitDifferentiation",
    products: [
        .library(name: "ImplicitDifferentiation", targets: ["ImplicitDifferentiation"]),
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "Krylov", targets: ["Krylov"]),
        .library(name: "AutoDiff", targets: ["AutoDiff"]),
        .library(name: "Optimality", targets: ["Optimality"]),
        .executable(name: "implicit-diff", targets: ["ImplicitDiffCLI"]),
        .executable(name: "benchmarks", targets: ["Benchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Layer 0: CBLAS + LAPACKE from the system (OpenBLAS).
        .systemLibrary(
            name: "CLAPACK",
            path: "Modulemaps/CLAPACK",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // Layer 0: CHOLMOD and UMFPACK from the system (SuiteSparse 5).
        .systemLibrary(
            name: "CSuiteSparse",
            path: "Modulemaps/CSuiteSparse",
            providers: [.apt(["libsuitesparse-dev"])]
        ),
        // Layer 0: the stencil products' AVX2 kernels in C, chosen at run time by LinearAlgebra.
        .target(name: "CStencilKernels"),
        // Layer 1: dense and sparse matrices, BLAS kernels, LAPACK and SuiteSparse factorizations.
        .target(name: "LinearAlgebra", dependencies: ["CLAPACK", "CSuiteSparse", "CStencilKernels"]),
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
        // Layer 5: optimality conditions (fixed points, argmin, KKT), projections
        // and proximal operators, through the implicit layer's public API only.
        .target(name: "Optimality", dependencies: ["ImplicitDifferentiation", "AutoDiff", "LinearAlgebra"]),

        // Shared helpers for tests, benchmarks and the CLI's `solve` (seeded random, structured matrices).
        .target(name: "TestSupport", dependencies: ["LinearAlgebra"]),

        // The use cases of DESIGN §7, shared by the CLI, the tests and the benchmarks.
        .target(name: "ImplicitExamples", dependencies: ["ImplicitDifferentiation", "Optimality"]),
        // The command-line tool's commands, a library so that tests can run them.
        .target(
            name: "ImplicitDiffCommands",
            dependencies: [
                "ImplicitExamples", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .executableTarget(name: "ImplicitDiffCLI", dependencies: ["ImplicitDiffCommands"]),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["ImplicitDifferentiation", "ImplicitExamples", "TestSupport", "CLAPACK"]
        ),

        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "TestSupport"]),
        .testTarget(name: "KrylovTests", dependencies: ["Krylov", "TestSupport"]),
        .testTarget(name: "AutoDiffTests", dependencies: ["AutoDiff", "TestSupport"]),
        .testTarget(name: "ImplicitDifferentiationTests", dependencies: ["ImplicitDifferentiation", "TestSupport"]),
        .testTarget(name: "OptimalityTests", dependencies: ["Optimality", "TestSupport"]),
        .testTarget(name: "ImplicitExamplesTests", dependencies: ["ImplicitExamples", "ImplicitDiffCommands", "Optimality"]),
    ]
)

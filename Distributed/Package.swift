// swift-tools-version:6.1
import PackageDescription

// The distributed engine: PETSc (KSP, DMDA, SNES) over MPI. A package of its
// own so that the main package never needs PETSc; it depends on the main one
// by path. Build and test with scripts/test-distributed (under mpirun).
let package = Package(
    name: "ImplicitDifferentiationDistributed",
    products: [
        .library(name: "PETScKit", targets: ["PETScKit"]),
        .library(name: "DistributedImplicit", targets: ["DistributedImplicit"]),
        .executable(name: "distributed-bratu", targets: ["DistributedBratu"]),
        .executable(name: "distributed-tests", targets: ["DistributedTests"]),
    ],
    dependencies: [
        .package(name: "ImplicitDifferentiation", path: ".."),
    ],
    targets: [
        // Layer 0: MPI and PETSc from the system (Debian libpetsc-real-dev).
        // PETSc's pkg-config does not carry MPI's include path: hence two.
        .systemLibrary(
            name: "CMPI",
            path: "Modulemaps/CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        .systemLibrary(
            name: "CPETSc",
            path: "Modulemaps/CPETSc",
            pkgConfig: "PETSc",
            providers: [.apt(["libpetsc-real-dev"])]
        ),
        // Layer 1: thin Swift wrappers (Vec, Mat, KSP, DMDA, SNES), typed errors.
        // Its KSP conforms to the main package's PreparedLinearSolve, hence LinearAlgebra.
        .target(
            name: "PETScKit",
            dependencies: ["CMPI", "CPETSc", .product(name: "LinearAlgebra", package: "ImplicitDifferentiation")]
        ),
        // Layer 2: local conditions on DMDA grids, the distributed implicit function.
        .target(
            name: "DistributedImplicit",
            dependencies: [
                "PETScKit", "CMPI", "CPETSc",
                .product(name: "AutoDiff", package: "ImplicitDifferentiation"),
                .product(name: "LinearAlgebra", package: "ImplicitDifferentiation"),
            ]
        ),
        // The 2-D Bratu example: conditions, SNES forward solve, objective.
        .target(
            name: "DistributedExamples",
            dependencies: [
                "DistributedImplicit", "PETScKit", "CPETSc",
                .product(name: "ImplicitDifferentiation", package: "ImplicitDifferentiation"),
            ]
        ),
        .executableTarget(name: "DistributedBratu", dependencies: ["DistributedExamples", "PETScKit"]),
        // Run under mpirun (-n 1, -n 2): prints "N passed, N failed", exits non-zero on failure.
        .executableTarget(
            name: "DistributedTests",
            dependencies: [
                "DistributedExamples", "DistributedImplicit", "PETScKit", "CPETSc", "CMPI",
                .product(name: "ImplicitDifferentiation", package: "ImplicitDifferentiation"),
                .product(name: "LinearAlgebra", package: "ImplicitDifferentiation"),
            ]
        ),
    ]
)

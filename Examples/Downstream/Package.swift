// swift-tools-version:6.1
// A downstream package: depends on the root package by path and defines its
// own generic conditions. Built and run by scripts/bench-downstream, never by
// `swift test`.
import PackageDescription

let package = Package(
    name: "Downstream",
    dependencies: [.package(name: "ImplicitDifferentiation", path: "../..")],
    targets: [
        .executableTarget(
            name: "DownstreamBench",
            dependencies: [
                .product(name: "ImplicitDifferentiation", package: "ImplicitDifferentiation"),
                .product(name: "Optimality", package: "ImplicitDifferentiation"),
            ]
        ),
    ]
)

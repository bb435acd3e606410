import ImplicitDifferentiation

/// What running an example at a size will cost, estimated before anything is
/// allocated, so that the command line can refuse a size that cannot fit and
/// announce a long dense factorization.
///
/// ```
/// dense path     bytes ≈ 8 (2m² + data)            flops ≈ c · m³  (LU 2/3, Cholesky 1/3, QR 4/3, SVD 22)
/// operator path  bytes ≈ 8 (m (restart + 20) + data)
/// ```
///
/// The full Jacobian (`m·n`) is left out: the examples skip it at large
/// sizes, and the library refuses it above its memory limit with
/// ``ImplicitDifferentiationError/allocationTooLarge(what:bytes:limit:)``.
public struct ExampleSizeEstimate: Sendable, Equatable {
    /// Unknowns `m`, or `nil` when the size overflows `Int`.
    public let unknowns: Int?
    /// Estimated peak bytes, or `nil` when the count overflows `Int`.
    public let bytes: Int?
    /// Estimated floating-point operations of a dense factorization (0 on the operator path).
    public let factorizationFlops: Double
    /// `true` when the estimate assumes the dense (matrix) path.
    public let dense: Bool

    /// The estimate for `example` at `size` under `settings`.
    public init(_ example: Example, size: Int, settings: RunSettings, matrixThreshold: Int = 250) {
        func mul(_ a: Int?, _ b: Int?) -> Int? {
            guard let a, let b else { return nil }
            let (p, o) = a.multipliedReportingOverflow(by: b)
            return o ? nil : p
        }
        func add(_ xs: [Int?]) -> Int? {
            var t = 0
            for x in xs {
                guard let x else { return nil }
                let (s, o) = t.addingReportingOverflow(x)
                if o { return nil }
                t = s
            }
            return t
        }
        // (m, n, data elements) by example.
        let m: Int?, n: Int?, data: Int?
        switch example.name {
        case "bratu2d": m = mul(size, size); n = m; data = 0
        case "sinkhorn":
            m = add([mul(2, size), 1]); n = add([mul(size, add([size, 1])), m]); data = mul(size, add([size, 1]))
        case "ridge": m = size; n = size; data = mul(mul(2, size), size)
        case "lasso": m = size; n = add([1, mul(2, size)]); data = mul(mul(2, size), size)
        default: m = size; n = size; data = 0
        }
        unknowns = m
        let direct: Bool
        switch settings.linearSolver {
        case .lu, .cholesky, .qr, .svd: direct = true
        default: direct = false
        }
        dense = settings.representation == .matrix || direct
            || (settings.representation == .automatic && (m ?? Int.max) <= matrixThreshold)
        let elements = dense
            ? add([mul(2, mul(m, m)), data])
            : add([mul(m, add([settings.restart, 20])), data, n.map { _ in 0 }])
        bytes = mul(elements, 8)
        let c: Double
        switch settings.linearSolver {
        case .cholesky: c = 1.0 / 3
        case .qr: c = 4.0 / 3
        case .svd: c = 22
        default: c = 2.0 / 3
        }
        let md = Double(m ?? Int.max)
        factorizationFlops = dense ? c * md * md * md : 0
    }

    /// Seconds for the dense factorization at `gflops` GFLOP/s (a deliberately
    /// round rate; the point is the order of magnitude).
    public func factorizationSeconds(gflops: Double = 10) -> Double { factorizationFlops / (gflops * 1e9) }

    /// `nil` when `bytes ≤ limit`, else the sentence refusing the size.
    public func refusal(limit: Int) -> String? {
        guard let bytes, bytes <= limit else {
            let need = bytes.map { "about \($0 / 1_048_576) MiB" } ?? "more memory than Int can count"
            return "this size needs \(need) (estimate, limit \(limit / 1_048_576) MiB); choose a smaller --size "
                + "or pass --allow-large to run anyway"
        }
        return nil
    }
}

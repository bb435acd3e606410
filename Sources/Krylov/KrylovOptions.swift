/// Tolerances and limits shared by every Krylov method.
///
/// ```
/// stop when  ‖b − A x‖ ≤ atol + rtol · ‖b‖
/// ```
///
/// Invalid settings are rejected at construction, so a value of this type is
/// always valid.
public struct KrylovOptions: Sendable, Equatable, Hashable {
    /// `atol ≥ 0`, in the units of `b`.
    public let absoluteTolerance: Double
    /// `rtol ≥ 0`, relative to `‖b‖`.
    public let relativeTolerance: Double
    /// The iteration cap (`≥ 1`), or `nil` for the method's default
    /// (GMRES, BiCGStab, CG: `max(10, 2n)` with `n = columns`; LSMR:
    /// `max(10, 4·min(rows, columns))`).
    public let maxIterations: Int?
    /// When `true`, `KrylovStatistics/history` records one residual norm per iteration.
    public let recordHistory: Bool

    /// Creates options.
    ///
    /// - Parameters:
    ///   - absoluteTolerance: `atol`, finite and `≥ 0`; default `√ε ≈ 1.5e-8`.
    ///   - relativeTolerance: `rtol`, finite and `≥ 0`; default `√ε`.
    ///   - maxIterations: `≥ 1`, or `nil` (default) for the method's default.
    ///   - recordHistory: record the residual history (default `false`).
    /// - Throws: ``KrylovError/invalidOptions(_:)`` for a negative, NaN or
    ///   infinite tolerance, or `maxIterations < 1`.
    public init(absoluteTolerance: Double = Double.ulpOfOne.squareRoot(),
                relativeTolerance: Double = Double.ulpOfOne.squareRoot(),
                maxIterations: Int? = nil, recordHistory: Bool = false) throws(KrylovError) {
        guard absoluteTolerance >= 0 && absoluteTolerance.isFinite else {
            throw .invalidOptions("absoluteTolerance is \(absoluteTolerance); it must be finite and ≥ 0")
        }
        guard relativeTolerance >= 0 && relativeTolerance.isFinite else {
            throw .invalidOptions("relativeTolerance is \(relativeTolerance); it must be finite and ≥ 0")
        }
        if let m = maxIterations, m < 1 {
            throw .invalidOptions("maxIterations is \(m); it must be ≥ 1 (or nil for the method's default)")
        }
        self.absoluteTolerance = absoluteTolerance
        self.relativeTolerance = relativeTolerance
        self.maxIterations = maxIterations
        self.recordHistory = recordHistory
    }

    /// `atol = rtol = √ε`, the method's default iteration cap, no history.
    public static var `default`: KrylovOptions {
        // The defaults are valid by construction.
        try! KrylovOptions()
    }

    /// The stopping threshold `atol + rtol·‖b‖`.
    ///
    /// - Parameter normB: `‖b‖ ≥ 0`.
    public func target(normB: Double) -> Double { absoluteTolerance + relativeTolerance * normB }

    /// ``maxIterations`` or the given default.
    func iterationCap(default value: Int) -> Int { maxIterations ?? Swift.max(10, value) }
}

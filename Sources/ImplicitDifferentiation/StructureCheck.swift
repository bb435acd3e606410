import Krylov
import LinearAlgebra

// Checks of a declared structure: the symmetry that Cholesky and CG assume
// (Cholesky reads one triangle only; CG minimizes a quadratic that exists only
// for a symmetric A) is verified before they run.

extension Matrix {
    /// `max |aᵢⱼ − aⱼᵢ| / max |aᵢⱼ|` over the whole matrix: 0 for a symmetric
    /// matrix, `+∞` for a non-square one or a NaN entry.
    func symmetryDefect() -> Double {
        guard isSquare else { return .infinity }
        var scale = 0.0, worst = 0.0
        for j in 0..<columns {
            for i in 0..<rows {
                let a = self[i, j]
                if !(Swift.abs(a) <= scale) { scale = Swift.abs(a) }
                if i > j {
                    let d = Swift.abs(a - self[j, i])
                    if !(d <= worst) { worst = d }
                }
            }
        }
        if !scale.isFinite || !worst.isFinite { return .infinity }
        return scale == 0 ? 0 : worst / scale
    }
}

/// Two products of a lazy square operator that test the symmetry and
/// positivity Cholesky and CG assume, for pseudo-random `u`, `v`:
///
/// ```
/// symmetry   |⟨u, A v⟩ − ⟨A u, v⟩| / (‖u‖‖A v‖ + ‖A u‖‖v‖)     0 when A = Aᵀ
/// curvature  ⟨v, A v⟩ / (‖v‖ ‖A v‖)                            > 0 when A is positive definite
/// ```
///
/// A non-symmetric `A` gives a non-zero symmetry defect for all but a
/// measure-zero set of `(u, v)`; a non-positive curvature proves `A` is not
/// positive definite (a positive one does not prove that it is).
struct SymmetryProbe: Sendable {
    /// The relative symmetry defect (`+∞` when a product is not finite).
    let symmetryDefect: Double
    /// The normalized curvature along `v` (NaN when a product is not finite).
    let curvature: Double

    /// Runs the probe on an `m × m` operator given by its product.
    init(size m: Int, product: ([Double], inout [Double]) -> Void) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random() -> [Double] {
            (0..<m).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Double(state >> 11) * 0x1p-53 - 0.5
            }
        }
        let u = random(), v = random()
        var au = [Double](repeating: 0, count: m), av = [Double](repeating: 0, count: m)
        product(u, &au)
        product(v, &av)
        let lhs = BLAS.dot(u, av), rhs = BLAS.dot(au, v)
        let norms = euclideanNorm(u) * euclideanNorm(av) + euclideanNorm(au) * euclideanNorm(v)
        let defect = norms == 0 ? 0 : Swift.abs(lhs - rhs) / norms
        symmetryDefect = defect.isFinite ? defect : .infinity
        let scale = euclideanNorm(v) * euclideanNorm(av)
        curvature = scale == 0 ? 0 : BLAS.dot(v, av) / scale
    }
}

/// What Cholesky and CG assume about `A`, checked during their preparation
/// (``LinearSolver/prepare(_:settings:)`` decides the fallback or the error).
enum DeclaredStructureCheck {
    /// Largest relative asymmetry accepted as symmetric: above rounding and
    /// the error of central finite differences, below any asymmetry that
    /// changes a derivative beyond that accuracy.
    static var tolerance: Double { 1e-6 }

    /// Why a materialized `A` cannot be Cholesky-factored as symmetric, or `nil`:
    ///
    /// ```
    /// symmetryDefect(A) ≤ tolerance      (NaN fails)
    /// ```
    static func asymmetry(of a: Matrix) -> String? {
        let d = a.symmetryDefect()
        if d <= tolerance { return nil }
        return "it is not symmetric (max |aᵢⱼ − aⱼᵢ| / max |aᵢⱼ| = \(d))"
    }

    /// Why CG cannot run on `A`, or `nil`: ``SymmetryProbe`` (two products,
    /// through the matrix when there is one) must find
    ///
    /// ```
    /// symmetry defect ≤ tolerance   and   curvature > 0      (NaN fails)
    /// ```
    static func cgProblem(_ system: LinearSystem) -> String? {
        let op = system.linearOperator
        guard op.rows == op.columns else { return "it is not square" }
        let p = SymmetryProbe(size: op.columns) { v, out in op.apply(v, into: &out) }
        if p.symmetryDefect <= tolerance && p.curvature > 0 { return nil }
        return p.symmetryDefect <= tolerance
            ? "it is not positive definite (⟨v, A v⟩ / (‖v‖‖A v‖) = \(p.curvature))"
            : "it is not symmetric (probe |⟨u, A v⟩ − ⟨A u, v⟩| relative \(p.symmetryDefect))"
    }
}

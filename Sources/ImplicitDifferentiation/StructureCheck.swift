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

/// Symmetric-solver plans checked against `A` itself.
enum DeclaredStructureCheck {
    /// Largest relative asymmetry accepted as symmetric: above rounding and
    /// the error of central finite differences, below any asymmetry that
    /// changes a derivative beyond that accuracy.
    static var tolerance: Double { 1e-6 }

    /// Checks that `A` suits `solver` when `solver` is Cholesky or CG.
    ///
    /// ```
    /// .cholesky   materialized A: symmetryDefect(A) ≤ tolerance
    /// .cg         SymmetryProbe: defect ≤ tolerance and curvature > 0
    /// ```
    ///
    /// - Parameters:
    ///   - solver: the planned solver (other solvers pass unchecked).
    ///   - automatic: the user asked for `.automatic`; a failed check then
    ///     falls back (Cholesky → LU, CG → GMRES with `krylovOptions`).
    ///   - matrix: `A` when materialized.
    ///   - size: `m`.
    ///   - product: `v ↦ A v` (used when `matrix` is `nil`).
    /// - Returns: `nil` when `A` passes; else the fallback solver and a note for the report.
    /// - Throws: ``ImplicitDifferentiationError/structureNotAsDeclared(_:)`` when not `automatic`.
    static func verify(_ solver: LinearSolver, automatic: Bool, matrix: Matrix?, size: Int,
                       krylovOptions: KrylovOptions, product: ([Double], inout [Double]) -> Void)
        throws(ImplicitDifferentiationError) -> (solver: LinearSolver, note: String)?
    {
        let problem: String
        let fallback: LinearSolver
        switch solver {
        case .cholesky:
            guard let a = matrix else { return nil }
            let d = a.symmetryDefect()
            if d <= tolerance { return nil }
            problem = "it is not symmetric (max |aᵢⱼ − aⱼᵢ| / max |aᵢⱼ| = \(d)) but \(solver) needs a symmetric matrix"
            fallback = .lu
        case .cg:
            let p: SymmetryProbe
            if let a = matrix {
                p = SymmetryProbe(size: size) { v, out in BLAS.gemv(1, a, v, 0, &out) }
            } else {
                p = SymmetryProbe(size: size, product: product)
            }
            if p.symmetryDefect <= tolerance && p.curvature > 0 { return nil }
            problem = p.symmetryDefect <= tolerance
                ? "it is not positive definite (⟨v, A v⟩ / (‖v‖‖A v‖) = \(p.curvature)) but cg needs a positive definite operator"
                : "it is not symmetric (probe |⟨u, A v⟩ − ⟨A u, v⟩| relative \(p.symmetryDefect)) but cg needs a symmetric operator"
            fallback = .gmres(options: krylovOptions)
        default:
            return nil
        }
        guard automatic else { throw .structureNotAsDeclared(problem) }
        return (fallback, "∂F/∂y was declared symmetric positive definite but \(problem); used \(fallback)")
    }
}

extension DenseFactorization {
    /// Under `.automatic`, an `A` declared positive definite whose Cholesky
    /// factorization fails at leading minor `minor` is factored by LU instead
    /// (with LU's own singularity rules), and the report says why.
    static func indefiniteFallback(_ a: Matrix, minor: Int, _ minimumReciprocalCondition: Double)
        throws(ImplicitDifferentiationError)
        -> (DenseFactorization, used: LinearSolver, rcond: Double?, rank: Int?, note: String?, fellBack: Bool)
    {
        let lu = try factor(a, solver: .lu, automatic: true, minimumReciprocalCondition: minimumReciprocalCondition)
        let note = "∂F/∂y was declared symmetric positive definite but its leading minor of order \(minor) is not "
            + "positive; used \(lu.used)"
        return (lu.0, lu.used, lu.rcond, lu.rank, [note, lu.note].compactMap { $0 }.joined(separator: "; "), lu.fellBack)
    }
}

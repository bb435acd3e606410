import Krylov
import LinearAlgebra
import Testing
import TestSupport

/// The Krylov norms are `√(xᵀx)` in the safe range and the scaled `dnrm2`
/// outside it: right-hand sides whose squares overflow (1e200, 1e300) or
/// underflow (1e-170, 1e-300) must still be measured and solved exactly as at
/// unit scale, and a tiny `b` must not be taken for zero.
@Suite("Extreme scales of b")
struct ExtremeScaleTests {
    static let diagonal: [Double] = [1, 2, 3, 4, 5, 6, 7, 8]
    static let unitNorm = diagonal.map { $0 * $0 }.reduce(0, +).squareRoot()   // ‖(1, …, 8)‖ = √204

    @Test("GMRES, CG and LSMR at scales beyond the plain sum of squares",
          arguments: [1e-300, 1e-170, 1, 1e170, 1e300])
    func extremeScale(scale: Double) throws {
        let op = DiagonalOperator(diagonal: Self.diagonal)
        let b = Self.diagonal.map { $0 * scale }           // solution: all entries `scale`
        let options = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12)
        let methods: [(String, any KrylovSolver)] = [
            ("GMRES", try GMRES(options: options)), ("CG", ConjugateGradient(options: options)),
            ("LSMR", LSMR(options: options)),
        ]
        for (name, method) in methods {
            let result = method.solve(op, b, initialGuess: nil, preconditioner: nil)
            #expect(result.statistics.status == .converged, "\(name) at \(scale): \(result.statistics)")
            #expect(Approximate.relativeError(result.solution, [Double](repeating: scale, count: 8)) <= 1e-10,
                    "\(name) at \(scale): \(result.statistics)")
            let initial = result.statistics.initialResidualNorm
            #expect(Swift.abs(initial - scale * Self.unitNorm) <= 1e-14 * scale * Self.unitNorm,
                    "\(name) at \(scale): ‖b‖ measured as \(initial)")
        }
    }
}

import DistributedImplicit
import PETScKit

/// One run of the Bratu example: SNES forward solve, the objective's
/// gradient by one adjoint solve, and its check against central finite
/// differences of the whole SNES solve. Collective; every rank returns the same.
public struct BratuDerivativeRun: Sendable {
    /// Grid points per axis.
    public var size: Int
    /// The objective at `x`.
    public var objective: Double
    /// `dJ/dx` by the implicit function (one KSPSolveTranspose).
    public var gradient: [Double]
    /// `dJ/dx` by central differences of SNES solves.
    public var finiteDifferences: [Double]
    /// `max_k |g_k − fd_k| / max(|fd|∞, tiny)`.
    public var relativeError: Double
    /// Forward solve: seconds, Newton iterations, linear iterations.
    public var forwardSeconds: Double
    /// Newton iterations of the forward solve.
    public var newtonIterations: Int
    /// Linear iterations summed over the forward solve's Newton steps.
    public var forwardLinearIterations: Int
    /// Seconds for the derivative: recording, KSP setup, transposed solve, `Bᵀ w`.
    public var derivativeSeconds: Double
    /// Of ``derivativeSeconds``: recording, the residual check and the KSP setup.
    public var recordingSeconds: Double
    /// KSP summary of the derivative's solver.
    public var krylovSummary: String
    /// `‖F(x, y)‖₂`.
    public var residualNorm: Double

    /// Runs the example at `x` on an `n × n` grid.
    ///
    /// - Parameters:
    ///   - size: `n`.
    ///   - x: `(κ, λ, s)`.
    ///   - step: relative finite-difference step.
    ///   - finiteDifferenceCheck: whether to run the `2·3` extra SNES solves.
    /// - Throws: ``DistributedImplicitError``, ``PETScError``.
    public static func run(size: Int, x: [Double] = [1, 2, 1], step: Double = 1e-5,
                           finiteDifferenceCheck: Bool = true) throws -> BratuDerivativeRun {
        let problem = try BratuProblem(n: size)
        let f = problem.implicitFunction()
        let lin = try f.linearize(at: x)
        let forward = problem.lastForward
        let start = PETSc.wallTime
        var recorded = DistributedImplicitFunction(grid: problem.grid, conditions: problem.conditions) { _ in
            lin.solution
        }
        recorded.symmetricPositiveDefinite = f.symmetricPositiveDefinite
        let lin2 = try recorded.linearize(at: x)
        let recordingSeconds = PETSc.wallTime - start
        let gradient = try lin2.vjp(cotangent: try problem.objectiveGradient(lin2.solution))
        let derivativeSeconds = PETSc.wallTime - start
        let objective = try problem.objective(lin.solution)
        var fd = [Double](repeating: .nan, count: x.count)
        if finiteDifferenceCheck {
            for k in x.indices {
                let e = step * max(1, abs(x[k]))
                var xp = x, xm = x
                xp[k] += e
                xm[k] -= e
                let jp = try problem.objective(try problem.solve(xp))
                let jm = try problem.objective(try problem.solve(xm))
                fd[k] = (jp - jm) / (2 * e)
            }
        }
        let scale = max(fd.map(abs).max() ?? 0, .leastNormalMagnitude)
        let err = zip(gradient, fd).map { abs($0 - $1) / scale }.max() ?? .nan
        return BratuDerivativeRun(size: size, objective: objective, gradient: gradient, finiteDifferences: fd,
                                  relativeError: err, forwardSeconds: forward.seconds,
                                  newtonIterations: forward.newton, forwardLinearIterations: forward.linear,
                                  derivativeSeconds: derivativeSeconds, recordingSeconds: recordingSeconds, krylovSummary: lin2.plan,
                                  residualNorm: lin2.residualNorm)
    }
}

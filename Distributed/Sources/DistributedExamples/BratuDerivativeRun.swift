import DistributedImplicit
import PETScKit

/// One run of the Bratu example: SNES forward solve, the objective's
/// gradient by one adjoint solve on the chosen representation of `A`, peak
/// memory, and (optionally) the check against central finite differences of
/// the whole SNES solve. Collective; every rank returns the same figures,
/// except that times are rank 0's clock.
public struct BratuDerivativeRun: Sendable {
    /// Grid points per axis.
    public var size: Int
    /// The objective at `x`.
    public var objective: Double
    /// `dJ/dx` by the implicit function (one KSPSolveTranspose).
    public var gradient: [Double]
    /// `dJ/dx` by central differences of SNES solves (NaN when not run).
    public var finiteDifferences: [Double]
    /// `max_k |g_k − fd_k| / max(|fd|∞, tiny)`.
    public var relativeError: Double
    /// Seconds of the forward SNES solve.
    public var forwardSeconds: Double
    /// Newton iterations of the forward solve.
    public var newtonIterations: Int
    /// Linear iterations summed over the forward solve's Newton steps.
    public var forwardLinearIterations: Int
    /// Seconds for the derivative: linearization (``timings``) and the transposed solve with `Bᵀ w`.
    public var derivativeSeconds: Double
    /// The linearization's parts: recording and residual check, assembly, KSP setup.
    public var timings: LinearizationTimings
    /// Seconds of the adjoint solve and `Bᵀ w`.
    public var adjointSeconds: Double
    /// The representation that ran.
    public var representation: DistributedRepresentation
    /// The plan line: representation, entries, colours, KSP and its iterations.
    public var plan: String
    /// `‖F(x, y)‖₂`.
    public var residualNorm: Double
    /// Peak resident memory (`VmHWM`) after the derivative: the largest over the ranks, bytes (0 when unknown).
    public var peakMemoryMax: Int
    /// Peak resident memory summed over the ranks, bytes.
    public var peakMemorySum: Int
    /// Seconds for a second linearization at the same `x` and its adjoint
    /// solve, with the pattern kept from the first (`nil` when not run).
    public var againSeconds: Double?
    /// That second linearization's parts.
    public var againTimings: LinearizationTimings?

    /// Seconds of one Newton step of the forward solve, on average.
    public var newtonStepSeconds: Double { forwardSeconds / Double(Swift.max(1, newtonIterations)) }

    /// Runs the example at `x` on an `n × n` grid.
    ///
    /// - Parameters:
    ///   - size: `n`.
    ///   - representation: how `A` is given to the KSP.
    ///   - x: `(κ, λ, s)`.
    ///   - step: relative finite-difference step.
    ///   - finiteDifferenceCheck: whether to run the `2·3` extra SNES solves.
    ///   - reusePreconditioner: whether the derivative's KSP applies the
    ///     SNES's last preconditioner instead of building its own.
    ///   - linearizeAgain: whether to time a second linearization and adjoint
    ///     solve at the same `x` (same forward solution), the pattern of the
    ///     local `A` kept from the first (``DistributedImplicitFunction/fixedLocalPattern``).
    /// - Throws: ``DistributedImplicitError``, ``PETScError``.
    public static func run(size: Int, representation: DistributedRepresentation = .automatic,
                           x: [Double] = [1, 2, 1], step: Double = 1e-5,
                           finiteDifferenceCheck: Bool = true, reusePreconditioner: Bool = false,
                           linearizeAgain: Bool = false) throws -> BratuDerivativeRun {
        let problem = try BratuProblem(n: size)
        problem.keepsPreconditioner = reusePreconditioner
        let u = try problem.solve(x)
        let forward = problem.lastForward
        var f = DistributedImplicitFunction(grid: problem.grid, conditions: problem.conditions) { _ in u }
        f.options.symmetricPositiveDefinite = true
        f.options.representation = representation
        if reusePreconditioner { f.forwardPreconditioner = { try problem.forwardPreconditioner() } }
        f.fixedLocalPattern = linearizeAgain
        let start = PETSc.wallTime
        let lin = try f.linearize(at: x)
        let solved = PETSc.wallTime
        let gradient = try lin.vjp(cotangent: try problem.objectiveGradient(lin.solution))
        let end = PETSc.wallTime
        let peak = Double(ProcessMemory.peakResidentBytes() ?? 0)
        let memory = Collective.sum([peak]), memoryMax = Collective.maxima([peak])
        var again: (seconds: Double, timings: LinearizationTimings)?
        if linearizeAgain {
            let start = PETSc.wallTime
            let second = try f.linearize(at: x)
            _ = try second.vjp(cotangent: try problem.objectiveGradient(second.solution))
            again = (PETSc.wallTime - start, second.timings)
        }
        let objective = try problem.objective(u)
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
                                  derivativeSeconds: end - start, timings: lin.timings, adjointSeconds: end - solved,
                                  representation: lin.representation, plan: lin.plan,
                                  residualNorm: lin.residualNorm, peakMemoryMax: Int(memoryMax[0]),
                                  peakMemorySum: Int(memory[0]), againSeconds: again?.seconds,
                                  againTimings: again?.timings)
    }
}

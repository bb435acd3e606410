import AutoDiff
import DistributedImplicit
import PETScKit

/// The 2-D (or 1-D) Bratu problem on a DMDA: the forward solve by PETSc's
/// SNES (Jacobian by coloured finite differences of the same conditions),
/// the objective `J(u) = ½ h^d Σ u_p²`, and its derivative with respect to
/// `x = (κ, λ, s)` through ``DistributedImplicitFunction``.
public final class BratuProblem {
    /// The grid.
    public let grid: StructuredGrid
    /// The conditions.
    public let conditions = BratuGridConditions()
    /// The SNES options' prefix (`""`: plain `-snes_…`, `-ksp_…`, `-pc_…`).
    public let snesPrefix: String
    /// Seconds spent in the most recent forward solve, and its Newton and linear iterations.
    public private(set) var lastForward: (seconds: Double, newton: Int, linear: Int) = (0, 0, 0)
    /// Whether each forward solve keeps its SNES's preconditioner (and with it
    /// the SNES, its Jacobian and hierarchy) for ``forwardPreconditioner()``
    /// until the next solve (default `false`: the SNES is released after its solve).
    public var keepsPreconditioner = false
    /// The preconditioner the most recent forward solve built in its last Newton step, or why there is none.
    var lastPreconditioner: Result<ReusablePreconditioner, PETScError> =
        .failure(.preconditionerUnavailable("no forward solve has run"))

    /// A Bratu problem on an `n × n` grid (`n` points in 1-D when `twoD` is false).
    ///
    /// - Throws: ``PETScError``.
    public init(n: Int, twoD: Bool = true, snesPrefix: String = "") throws(PETScError) {
        grid = twoD ? try StructuredGrid(nx: n, ny: n) : try StructuredGrid(nx: n)
        self.snesPrefix = snesPrefix
    }

    /// `h^d`, the cell area (length in 1-D).
    public var cellMeasure: Double {
        let h = 1 / Double(grid.nx + 1)
        return grid.dimension == 2 ? h * h : h
    }

    /// `F(x, u)` on the owned rows, from the global vector `u` (collective).
    ///
    /// - Throws: ``PETScError``.
    public func residual(x: [Double], u: DistributedVector, into f: DistributedVector) throws(PETScError) {
        let local = try grid.makeLocalVector()
        try grid.scatterToLocal(u, local)
        let patch = GridPatch(values: try local.localEntries(), ownedBox: grid.ownedBox, ghostedBox: grid.ghostedBox,
                              nx: grid.nx, ny: grid.ny)
        try f.setLocalEntries(conditions(x: x, y: patch))
    }

    /// `u(x)` by SNES from `u = 0` (collective).
    ///
    /// - Parameters:
    ///   - x: `(κ, λ, s)`.
    ///   - relativeTolerance: `-snes_rtol` default.
    /// - Throws: ``PETScError/snesNotConverged(reason:iterations:)`` on every rank.
    public func solve(_ x: [Double], relativeTolerance: Double = 1e-12) throws(PETScError) -> DistributedVector {
        let start = PETSc.wallTime
        let snes = try NonlinearSolve(grid: grid, optionsPrefix: snesPrefix, relativeTolerance: relativeTolerance,
                                      absoluteTolerance: 1e-14) { [self] u, f in
            try residual(x: x, u: u, into: f)
        }
        let u = try grid.makeGlobalVector()
        lastPreconditioner = .failure(.preconditionerUnavailable("the last forward solve did not finish"))
        try snes.solve(u)
        lastForward = (PETSc.wallTime - start, snes.iterations, snes.linearIterations)
        if keepsPreconditioner {
            lastPreconditioner = Result { () throws(PETScError) in try snes.preconditioner() }
        } else {
            lastPreconditioner = .failure(.preconditionerUnavailable("BratuProblem.keepsPreconditioner is false"))
        }
        return u
    }

    /// The preconditioner of the most recent forward solve's last Newton step
    /// (``NonlinearSolve/preconditioner()``), for
    /// ``DistributedImplicitFunction/forwardPreconditioner``.
    ///
    /// - Throws: ``PETScError/preconditionerUnavailable(_:)`` when no solve has
    ///   finished since ``keepsPreconditioner`` was set.
    public func forwardPreconditioner() throws(PETScError) -> ReusablePreconditioner {
        try lastPreconditioner.get()
    }

    /// `J(u) = ½ h^d Σ u_p²` (collective).
    ///
    /// - Throws: ``PETScError``.
    public func objective(_ u: DistributedVector) throws(PETScError) -> Double {
        0.5 * cellMeasure * (try u.dot(u))
    }

    /// `∂J/∂u = h^d u` (collective).
    ///
    /// - Throws: ``PETScError``.
    public func objectiveGradient(_ u: DistributedVector) throws(PETScError) -> DistributedVector {
        let g = try u.copy()
        try g.scale(cellMeasure)
        return g
    }

    /// The implicit function `x ↦ u(x)` with SNES as its forward solver;
    /// `A` declared symmetric positive definite (true for `κ > 0`, `λ` below the fold), so KSP defaults to CG.
    ///
    /// - Parameter reusingForwardPreconditioner: whether the derivative's KSP
    ///   applies the SNES's last preconditioner instead of building its own
    ///   (``DistributedImplicitFunction/forwardPreconditioner``); sets
    ///   ``keepsPreconditioner`` when true.
    public func implicitFunction(reusingForwardPreconditioner: Bool = false)
        -> DistributedImplicitFunction<BratuGridConditions>
    {
        var f = DistributedImplicitFunction(grid: grid, conditions: conditions) { [self] x in try solve(x) }
        f.options.symmetricPositiveDefinite = true
        if reusingForwardPreconditioner {
            keepsPreconditioner = true
            f.forwardPreconditioner = { [self] in try forwardPreconditioner() }
        }
        return f
    }
}

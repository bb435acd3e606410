import AutoDiff
import LinearAlgebra
import PETScKit

/// `y(x)` defined by local grid conditions `F(x, y) = 0`, with `y` a grid
/// function distributed over the ranks and `x` a small parameter vector
/// replicated on every rank; derivatives by the implicit function theorem
/// with the solves done by PETSc's KSP, on `A` assembled from coloured local
/// Jacobians or kept lazy as a shell operator (``DistributedImplicitOptions/representation``).
///
/// ```
/// A = ∂F/∂y (distributed, lazy)      B = ∂F/∂x (distributed rows, n columns)
/// JVP   ẏ = −A⁻¹ (B ẋ)               one KSPSolve
/// VJP   x̄ = −Bᵀ (A⁻ᵀ ȳ)              one KSPSolveTranspose, one reduction
/// ∂y/∂x = −A⁻¹ B                      n KSPSolves
/// ```
///
/// The forward solver is any collective black box returning a global vector
/// of ``grid`` (the example uses PETSc's SNES). Before any derivative the
/// residual check runs on all ranks with one reduction: accept when
/// `‖F(x, y)‖₂ ≤ options.residualTolerance · max(1, ‖x‖₂, ‖y‖₂)`.
///
/// The KSP reads its options under ``options``' prefix (`-implicit_ksp_type`,
/// `-implicit_pc_type`, `-implicit_ksp_rtol`, …; ``DistributedImplicitOptions``).
/// Defaults, applied before the options are read:
///
/// ```
///                      KSP                           PC
/// assembled, SPD       cg                            gamg (algebraic multigrid)
/// assembled            gmres                         PETSc's: ilu (1 rank), bjacobi + ilu (several)
/// shell                cg (SPD) / gmres              jacobi (the diagonal from a few tape sweeps)
/// rtol = options.relativeTolerance (1e-10) in every case
/// ```
///
/// With ``forwardPreconditioner`` set, either representation applies the
/// forward solve's own preconditioner instead (no setup, `-…pc_…` not read).
///
/// The adjoint solve is `KSPSolveTranspose` on the same KSP and
/// preconditioner (no second setup); `B ẋ` and `Bᵀ u` are tape sweeps in
/// both representations.
public struct DistributedImplicitFunction<Conditions: LocalGridConditions> {
    /// The collective forward solver: `x ↦ y`, a global vector of ``grid``.
    public typealias ForwardSolver = (_ x: [Double]) throws -> DistributedVector

    /// The grid `y` lives on.
    public let grid: StructuredGrid
    /// The local conditions.
    public let conditions: Conditions
    /// The forward solver.
    public let solver: ForwardSolver
    /// The residual check, the representation of `A` and the KSP's defaults.
    public var options = DistributedImplicitOptions()
    /// Where to take a preconditioner the forward solve has already built,
    /// instead of building one from `A` (default `nil`: build one).
    ///
    /// Called on every rank right after the forward solver returns, e.g.
    /// `{ try snes.preconditioner() }` (`NonlinearSolve.preconditioner()` in PETScKit):
    /// the last Newton step's preconditioner, built from the Jacobian at the
    /// last iterate but one, which is `A` up to one Newton update. The KSP
    /// keeps `A` (assembled or shell) as its operator and applies that
    /// preconditioner as it is, with no setup:
    ///
    /// ```
    /// KSP operator    A = ∂F/∂y (x, y*)          ours: the answer is A⁻¹ b to the KSP's rtol
    /// preconditioner  M ≈ J(y_{k−1}), as built    the forward's: only the iteration count changes
    /// ```
    ///
    /// `-<prefix>pc_…` options are then not read (the preconditioner keeps
    /// the forward solve's type and options). With a reused preconditioner
    /// the shell representation is preconditioned too, and needs no assembly.
    public var forwardPreconditioner: (() throws -> ReusablePreconditioner)?
    /// Declares that the pattern of the local `A` is the same at every point
    /// this function is linearized at (default `false`; partly checked).
    ///
    /// Then the first linearization's pattern, the stencil check's verdict
    /// and the assembled path's colouring are kept, and every later one on
    /// the same sizes skips pattern detection, the stencil check and the
    /// colouring: only recording, compressed sweeps and `MatSetValues` remain.
    /// True for conditions without value-dependent branches whose partials
    /// are never exactly zero (Bratu). Partly checked: on the assembled path
    /// a new dependence is ``DistributedImplicitError/localJacobianFailed(_:)``
    /// when its colour's compressed product has no entry of the kept pattern in
    /// that row; one that lands on a kept entry is silently added to it, and
    /// the by-offset stencil check does not run again (the recording's own
    /// checks of ghost reads still do).
    public var fixedLocalPattern = false
    /// The structure ``fixedLocalPattern`` keeps, shared by copies of this function.
    let patternCache = LocalPatternCache()

    /// Creates the implicit function.
    ///
    /// - Parameters:
    ///   - grid: the grid `y` lives on.
    ///   - conditions: `F`, written locally.
    ///   - solver: `x ↦ y`, collective.
    public init(grid: StructuredGrid, conditions: Conditions, solver: @escaping ForwardSolver) {
        self.grid = grid
        self.conditions = conditions
        self.solver = solver
    }

    /// Runs the forward solver at `x`, takes the forward solve's
    /// preconditioner when ``forwardPreconditioner`` is set, records the
    /// conditions, detects the pattern of the local `A` and checks it against
    /// the grid's stencil (``StencilCheck``; one reduction, which also agrees
    /// on the longest row for ``DistributedRepresentation/automatic``) unless
    /// ``fixedLocalPattern`` kept them, checks the residual, assembles `A` when
    /// it is ``DistributedRepresentation/assembled`` and prepares the KSP on it
    /// (collective).
    ///
    /// - Parameter x: the parameters, the same on every rank (checked with one
    ///   reduction before the solver runs), finite.
    /// - Returns: the linearization, for any number of JVPs and VJPs.
    /// - Throws: the same ``DistributedImplicitError`` on every rank.
    public func linearize(at x: [Double]) throws(DistributedImplicitError) -> DistributedImplicitLinearization {
        let lengths = Collective.maxima([Double(x.count), -Double(x.count)])
        if lengths[0] != -lengths[1] { throw .invalidParameters("x has different lengths on different ranks") }
        let finite = x.allSatisfy { $0.isFinite }
        let clean = finite ? x : x.map { _ in 0 }
        let extremes = Collective.maxima([finite ? 0 : 1] + clean + clean.map { -$0 })
        if extremes[0] > 0 { throw .invalidParameters("x has a NaN or infinite entry on at least one rank") }
        for k in x.indices where extremes[1 + k] != x[k] || -extremes[1 + x.count + k] != x[k] {
            throw .invalidParameters("x[\(k)] differs across ranks; a replicated x must be the same everywhere")
        }
        var y: DistributedVector?
        var failure = ""
        do { y = try solver(x) } catch { failure = "\(error)" }
        if let v = y, v.localCount != grid.ownedUnknowns {
            failure = "the solution's layout is not the grid's (\(v.localCount) entries for \(grid.ownedUnknowns) owned unknowns)"
        }
        if Collective.any(!failure.isEmpty) {
            throw .forwardSolverFailed(failure.isEmpty ? "failed on another rank" : failure)
        }
        let reused = try reusablePreconditioner()
        let start = PETSc.wallTime
        let linear = try GridLinearization(conditions: conditions, grid: grid, x: x, y: y!)
        let recorded = PETSc.wallTime
        let kept = keptPattern()
        var pattern: SparsityPattern? = kept?.pattern ?? linear.localJacobianPattern()
        let widest: Int
        if let kept { widest = kept.widest } else { widest = try linear.checkStencil(pattern: pattern!) }
        let checked = PETSc.wallTime
        let xNorm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let bound = options.residualTolerance * Swift.max(1, xNorm, linear.solutionNorm)
        if !(linear.residualNorm <= bound) { throw .residualTooLarge(norm: linear.residualNorm, bound: bound) }
        var assembled: AssembledJacobian?
        if options.representation == .assembled
            || (options.representation == .automatic && widest <= DistributedRepresentation.maxAssembledRowEntries * grid.dof)
        {
            assembled = try linear.assembleA(pattern: pattern!, coloring: kept?.coloring)
        }
        if fixedLocalPattern {
            patternCache.entry = .init(rows: grid.ownedBox.count, columns: grid.ghostedBox.count, pattern: pattern!,
                                       widest: widest, coloring: assembled?.coloring ?? kept?.coloring)
        }
        let shellDiagonal = assembled == nil ? ShellDiagonal(pattern: pattern!, grid: grid) : nil
        pattern = nil
        let assembledAt = PETSc.wallTime
        do {
            let spd = options.symmetricPositiveDefinite
            let op: any PETScOperator
            if let assembled {
                op = assembled.matrix
            } else {
                op = try linear.shellOperator(diagonal: shellDiagonal!)
            }
            let ksp = try KrylovSolve(operator_: op, optionsPrefix: options.optionsPrefix, defaultType: spd ? "cg" : nil,
                                      defaultPreconditioner: assembled == nil ? "jacobi" : (spd ? "gamg" : nil),
                                      relativeTolerance: options.relativeTolerance, preconditioner: reused)
            let timings = LinearizationTimings(recording: recorded - start, stencilCheck: checked - recorded,
                                               assembly: assembledAt - checked, solverSetup: PETSc.wallTime - assembledAt)
            return DistributedImplicitLinearization(solution: y!, conditions: linear, krylov: ksp, assembled: assembled,
                                                    timings: timings, localPatternReused: kept != nil)
        } catch { throw .petsc(error) }
    }
}

extension DistributedImplicitFunction {
    /// ``forwardPreconditioner``'s preconditioner, or `nil` when none is
    /// asked for, after one reduction: every rank throws when, on any rank,
    /// the source threw or the preconditioner's matrix does not have this
    /// rank's owned points as its local rows and columns (PETSc would refuse
    /// it on the mismatched ranks only and leave the others in a collective).
    ///
    /// - Throws: ``DistributedImplicitError/incompatiblePreconditioner(_:)`` on every rank.
    func reusablePreconditioner() throws(DistributedImplicitError) -> ReusablePreconditioner? {
        guard let source = forwardPreconditioner else { return nil }
        var reused: ReusablePreconditioner?
        var failure = ""
        do { reused = try source() } catch { failure = "\(error)" }
        let n = grid.ownedBox.count
        if let p = reused, !(p.localRows == n && p.localColumns == n) {
            failure = "its matrix has \(p.localRows) × \(p.localColumns) local entries on this rank, "
                + "the grid \(n) owned points (a preconditioner of another problem or layout)"
        }
        if Collective.any(!failure.isEmpty) {
            throw .incompatiblePreconditioner(failure.isEmpty ? "on another rank" : failure)
        }
        return reused
    }

    /// The structure ``fixedLocalPattern`` kept, when it is declared, fits
    /// this recording's sizes and every rank has it (one reduction when
    /// declared, none otherwise); else `nil` on every rank.
    func keptPattern() -> LocalPatternCache.Entry? {
        guard fixedLocalPattern else { return nil }
        let entry = patternCache.entry.flatMap {
            $0.rows == grid.ownedBox.count && $0.columns == grid.ghostedBox.count ? $0 : nil
        }
        return Collective.any(entry == nil) ? nil : entry
    }
}

/// A distributed implicit function linearized at one `x`: the solution,
/// the recorded conditions and the prepared KSP.
public final class DistributedImplicitLinearization {
    /// `y(x)`, a global vector of the grid.
    public let solution: DistributedVector
    /// `A` and `B` as tape sweeps and ghost exchanges.
    public let conditions: GridLinearization
    /// The KSP prepared on `A` (plain and transposed solves).
    public let krylov: KrylovSolve
    /// `A` as assembled, or `nil` when it is a shell operator.
    public let assembled: AssembledJacobian?
    /// Where ``DistributedImplicitFunction/linearize(at:)`` spent its time after the forward solve (this rank's clock).
    public let timings: LinearizationTimings
    /// Whether the pattern of the local `A` was kept from an earlier
    /// linearization (``DistributedImplicitFunction/fixedLocalPattern``) instead of detected.
    public let localPatternReused: Bool

    init(solution: DistributedVector, conditions: GridLinearization, krylov: KrylovSolve,
         assembled: AssembledJacobian?, timings: LinearizationTimings, localPatternReused: Bool) {
        self.solution = solution
        self.conditions = conditions
        self.krylov = krylov
        self.assembled = assembled
        self.timings = timings
        self.localPatternReused = localPatternReused
    }

    /// The representation that runs: ``DistributedRepresentation/assembled`` or ``DistributedRepresentation/shell``.
    public var representation: DistributedRepresentation { assembled == nil ? .shell : .assembled }

    /// One line for reports: the representation (entries, colours on this
    /// rank) and the KSP, e.g. `assembled AIJ A (199200 entries, 7 colours on this rank), KSP cg + gamg, …`.
    public var plan: String {
        let kept = localPatternReused ? ", pattern kept" : ""
        guard let a = assembled else { return "shell operator A (tape sweeps + ghost exchange\(kept)), \(krylov.report)" }
        return "assembled AIJ A (\(a.globalNonZeros) entries, \(a.localColors) colours on this rank\(kept)), \(krylov.report)"
    }

    /// `‖F(x, y)‖₂` over all ranks.
    public var residualNorm: Double { conditions.residualNorm }

    /// `ẏ = −A⁻¹ B ẋ` (collective).
    ///
    /// - Parameter tangent: `ẋ`, the same on every rank.
    /// - Returns: `ẏ`, a global vector of the grid.
    /// - Throws: ``DistributedImplicitError/linearSolveFailed(_:)`` on every rank.
    public func jvp(tangent: [Double]) throws(DistributedImplicitError) -> DistributedVector {
        do {
            let b = try solution.duplicate()
            try conditions.applyB(tangent, into: b)
            try b.scale(-1)
            let out = try solution.duplicate()
            try krylov.solve(b, into: out)
            return out
        } catch { throw Self.mapped(error) }
    }

    /// `x̄ = −Bᵀ A⁻ᵀ ȳ` (collective), the same on every rank.
    ///
    /// - Parameter cotangent: `ȳ`, a global vector of the grid.
    /// - Returns: `x̄`.
    /// - Throws: ``DistributedImplicitError/linearSolveFailed(_:)`` on every rank.
    public func vjp(cotangent: DistributedVector) throws(DistributedImplicitError) -> [Double] {
        do {
            let w = try solution.duplicate()
            try krylov.solveTransposed(cotangent, into: w)
            return try conditions.applyBT(w).map { -$0 }
        } catch { throw Self.mapped(error) }
    }

    /// `∂y/∂x = −A⁻¹ B`, one global vector per parameter (collective).
    ///
    /// - Throws: ``DistributedImplicitError/linearSolveFailed(_:)`` on every rank.
    public func jacobian() throws(DistributedImplicitError) -> [DistributedVector] {
        let n = conditions.parameterCount
        var rhs: [DistributedVector] = []
        do {
            for k in 0..<n {
                var e = [Double](repeating: 0, count: n)
                e[k] = -1
                let b = try solution.duplicate()
                try conditions.applyB(e, into: b)
                rhs.append(b)
            }
        } catch { throw .petsc(error) }
        do { return try krylov.solve(rhs) } catch { throw Self.mapped(error) }
    }

    /// A KSP that did not converge is ``DistributedImplicitError/linearSolveFailed(_:)``;
    /// any other PETSc failure is ``DistributedImplicitError/petsc(_:)``.
    static func mapped(_ error: PETScError) -> DistributedImplicitError {
        if case .kspNotConverged = error { return .linearSolveFailed(error) }
        return .petsc(error)
    }
}

/// Seconds spent by one linearization after the forward solve, on this rank's clock.
public struct LinearizationTimings: Sendable, Equatable {
    /// Recording the local conditions on the tape and the global residual check.
    public var recording: Double
    /// Detecting the pattern of the local `A` and checking it against the grid's stencil (both representations;
    /// one reduction when the pattern is kept).
    public var stencilCheck: Double
    /// Colouring, compressed sweeps and matrix assembly (for a shell: its diagonal's row colouring).
    public var assembly: Double
    /// Creating the KSP and `KSPSetUp` (for GAMG: the whole multigrid hierarchy).
    public var solverSetup: Double
}

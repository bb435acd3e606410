import AutoDiff
import LinearAlgebra
import PETScKit

/// `y(x)` defined by local conditions `F(x, y) = 0` with both `y` and the
/// parameters `x` grid functions distributed over the ranks (a coefficient
/// or source per grid point: `n` grows with the grid, so `x` is not
/// replicated); derivatives by the implicit function theorem, with the
/// solves done by PETSc's KSP as in ``DistributedImplicitFunction``.
///
/// ```
/// A = ∂F/∂y (distributed)      B = ∂F/∂x (distributed rows × ghosted parameter columns)
/// JVP   ẏ = −A⁻¹ (B ẋ)         ẋ's ghost exchange, forward sweep, one KSPSolve
/// VJP   x̄ = −Bᵀ (A⁻ᵀ ȳ)        one KSPSolveTranspose, reverse sweep, ghost
///                              contributions added into their owners: x̄ distributed
/// ```
///
/// `x` lives on ``parameterGrid``, `y` on ``grid``: two DMDAs of the same
/// sizes and split over the ranks (checked), each with its own `dof`, ghost
/// width and stencil. Each rank's tape has the ghosted parameters and the
/// ghosted unknowns as inputs. `A` is assembled or a shell exactly as in
/// ``DistributedImplicitFunction`` (``options``: the same representation,
/// KSP defaults and options prefix); `B` follows `A`: assembled from coloured
/// sweeps with respect to `x` when `A` is (rows: this rank's residual rows,
/// columns: the parameter grid's global unknowns; `B ẋ` and `Bᵀ u` are then
/// `MatMult` and `MatMultTranspose`), tape sweeps and parameter ghost
/// exchanges when `A` is a shell. The stencil check covers both: reads of `y` against
/// ``grid``'s stencil, reads of `x` against ``parameterGrid``'s.
/// The residual check: `‖F(x, y)‖₂ ≤ options.residualTolerance · max(1, ‖x‖₂, ‖y‖₂)`.
public struct DistributedFieldImplicitFunction<Conditions: LocalFieldConditions> {
    /// The collective forward solver: `x ↦ y`, global vectors of ``parameterGrid`` and ``grid``.
    public typealias ForwardSolver = (_ x: DistributedVector) throws -> DistributedVector

    /// The grid `y` lives on.
    public let grid: StructuredGrid
    /// The grid `x` lives on: the same sizes and split as ``grid``.
    public let parameterGrid: StructuredGrid
    /// The local conditions.
    public let conditions: Conditions
    /// The forward solver.
    public let solver: ForwardSolver
    /// The residual check, the representation of `A` and the KSP's defaults,
    /// with the same meaning as for ``DistributedImplicitFunction``.
    public var options = DistributedImplicitOptions()

    /// Creates the implicit function.
    ///
    /// - Parameters:
    ///   - grid: the grid `y` lives on.
    ///   - parameterGrid: the grid `x` lives on (same sizes and split).
    ///   - conditions: `F`, written locally.
    ///   - solver: `x ↦ y`, collective.
    public init(grid: StructuredGrid, parameterGrid: StructuredGrid, conditions: Conditions,
                solver: @escaping ForwardSolver) {
        self.grid = grid
        self.parameterGrid = parameterGrid
        self.conditions = conditions
        self.solver = solver
    }

    /// Checks `x`, runs the forward solver, records the conditions, checks
    /// their reads against both grids' stencils and the residual, assembles
    /// `A` and `B` when `A` is ``DistributedRepresentation/assembled`` and prepares
    /// the KSP (collective).
    ///
    /// - Parameter x: a global vector of ``parameterGrid``, finite.
    /// - Returns: the linearization, for any number of JVPs and VJPs.
    /// - Throws: the same ``DistributedImplicitError`` on every rank:
    ///   ``DistributedImplicitError/invalidParameters(_:)`` for grids of
    ///   different sizes or splits, an `x` of another layout or with a
    ///   non-finite entry; otherwise as ``DistributedImplicitFunction/linearize(at:)``.
    public func linearize(at x: DistributedVector) throws(DistributedImplicitError) -> DistributedFieldLinearization {
        let p = parameterGrid
        var problem = ""
        if p.nx != grid.nx || p.ny != grid.ny || p.nz != grid.nz || p.ownedBox != grid.ownedBox {
            problem = "the parameter grid's sizes or split over the ranks differ from the grid's"
        } else if x.localCount != p.ownedUnknowns {
            problem = "x's layout is not the parameter grid's (\(x.localCount) entries for \(p.ownedUnknowns))"
        } else if let values = try? x.localEntries(), !values.allSatisfy({ $0.isFinite }) {
            problem = "x has a NaN or infinite entry"
        }
        if Collective.any(!problem.isEmpty) {
            throw .invalidParameters(problem.isEmpty ? "on another rank" : problem)
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
        let xLocal: DistributedVector
        let xGhosted: [Double]
        let xNorm: Double
        do {
            xLocal = try p.makeLocalVector()
            try p.scatterToLocal(x, xLocal)
            xGhosted = try xLocal.localEntries()
            xNorm = try x.norm2()
        } catch { throw .petsc(error) }
        let linear = try GridLinearization(grid: grid, x: xGhosted, y: y!, parameterStencilWidth: p.stencilWidth) {
            xs, patch in
            let parameters = GridPatch(values: xs, grid: p)
            return GridLinearization.RecordedReads(rows: conditions(x: parameters, y: patch),
                                                   parameterReadsOutsideGhosts: parameters.readsOutsideGhosts,
                                                   parameterUnexchangedGhost: parameters.firstUnexchangedGhost)
        }
        let patterns = linear.bivariate.jacobianPatterns()
        let widest = try linear.checkStencil(pattern: patterns.y)
        let mismatch = StencilCheck.firstMismatch(pattern: patterns.x, ownedBox: grid.ownedBox,
                                                  ghostedBox: p.ghostedBox, stencil: p.stencil,
                                                  stencilWidth: p.stencilWidth, dof: grid.dof, columnDof: p.dof)
        if Collective.any(mismatch != nil) {
            throw .stencilMismatch("parameters: " + (mismatch ?? "on another rank"))
        }
        let bound = options.residualTolerance * Swift.max(1, xNorm, linear.solutionNorm)
        if !(linear.residualNorm <= bound) { throw .residualTooLarge(norm: linear.residualNorm, bound: bound) }
        var assembled: AssembledJacobian?
        if options.representation == .assembled
            || (options.representation == .automatic && widest <= DistributedRepresentation.maxAssembledRowEntries * grid.dof)
        {
            assembled = try linear.assembleA(pattern: patterns.y)
        }
        let assembledB = assembled == nil ? nil : try linear.assembleB(pattern: patterns.x, parameterGrid: p)
        let shellDiagonal = assembled == nil ? ShellDiagonal(pattern: patterns.y, grid: grid) : nil
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
                                      relativeTolerance: options.relativeTolerance)
            return DistributedFieldLinearization(solution: y!, parameterGrid: p, parameterLocal: xLocal,
                                                 conditions: linear, krylov: ksp, assembled: assembled,
                                                 assembledB: assembledB)
        } catch { throw .petsc(error) }
    }
}

import AutoDiff
import PETScKit

/// Local conditions recorded once on this rank's tape at `(x, y)`: the
/// distributed operators `A = ∂F/∂y` and `B = ∂F/∂x` by tape sweeps and
/// ghost exchanges, never materialized.
///
/// The tape's inputs are `x` followed by this rank's ghosted values of `y`
/// (owned and ghost points, the ghosted box's order, the components of a
/// point together), as in the main
/// package's `BivariateLinearization`; its outputs are the owned
/// rows. With `P` the ghost exchange (global → ghosted local) and
/// `Jᵧ`, `Jₓ` the recorded local Jacobians:
///
/// ```
/// A v  = Jᵧ (P v)                  ghost exchange, forward sweep
/// Aᵀ u = Pᵀ (Jᵧᵀ u)                reverse sweep, ghosts added into owners
/// B ẋ  = Jₓ ẋ                      forward sweep (x replicated)
/// Bᵀ u = Σ_ranks Jₓᵀ u             reverse sweep, one reduction
/// ```
///
/// Every product is collective: all ranks call it together. For a
/// parameter field (``DistributedFieldImplicitFunction``) the tape's `x` is
/// this rank's ghosted parameters, and ``DistributedFieldLinearization``
/// exchanges and adds them on the parameter grid around the sweeps instead
/// of ``applyB(_:into:)``'s replicated `ẋ` and ``applyBT(_:)``'s reduction.
public final class GridLinearization {
    /// The grid.
    public let grid: StructuredGrid
    /// The recorded local conditions.
    public let linearization: Linearization
    /// `F(x, y)` on this rank's owned rows.
    public let residual: [Double]
    /// `‖F(x, y)‖₂` over all ranks.
    public let residualNorm: Double
    /// `‖y‖₂` over all ranks.
    public let solutionNorm: Double
    /// Length of `x`.
    public let parameterCount: Int
    let ghostedCount: Int
    let local: DistributedVector
    /// Forward-sweep seed: zeros for `x`, then the ghosted tangent.
    var seed: [Double]
    /// Reverse-sweep result: `x`'s adjoint, then the ghosted one.
    var adjoint: [Double]

    /// The same recording seen as `F(x, y_ghosted)`: the blocks `B` (owned
    /// rows × `x`) and the local `A` (owned rows × ghosted points) for
    /// pattern detection and compressed Jacobians.
    public var bivariate: BivariateLinearization {
        BivariateLinearization(linearization.recording, xCount: parameterCount)
    }

    /// Records `conditions` at `(x, y)` on this rank and checks the result
    /// with every other rank in one reduction, which also gives `‖F‖₂` and `‖y‖₂`.
    ///
    /// - Parameters:
    ///   - conditions: the local conditions.
    ///   - grid: the grid `y` lives on.
    ///   - x: parameters, the same on every rank.
    ///   - y: a global vector of `grid`.
    /// - Throws: on every rank alike: ``DistributedImplicitError/wrongResidualCount``,
    ///   ``DistributedImplicitError/stencilOutsideGhosts(stencilWidth:)``,
    ///   ``DistributedImplicitError/stencilMismatch(_:)`` (a read of a ghost a star grid never exchanges),
    ///   ``DistributedImplicitError/nonFiniteResidual``, ``DistributedImplicitError/petsc(_:)``.
    public convenience init<C: LocalGridConditions>(conditions: C, grid: StructuredGrid, x: [Double],
                                                    y: DistributedVector) throws(DistributedImplicitError) {
        try self.init(grid: grid, x: x, y: y) { xs, patch in
            RecordedReads(rows: conditions(x: xs, y: patch), parameterReadsOutsideGhosts: 0,
                          parameterUnexchangedGhost: nil)
        }
    }

    /// What a recording read besides `y`'s patch: the rows, and the
    /// parameter patch's bad reads when `x` is a grid function too.
    struct RecordedReads {
        var rows: [TapeScalar]
        var parameterReadsOutsideGhosts: Int
        var parameterUnexchangedGhost: (i: Int, j: Int, k: Int)?
    }

    /// Records the conditions `evaluate` calls at `(x, y)`: the tape's inputs
    /// are `x` (replicated parameters, or this rank's ghosted parameter
    /// field) then `y`'s ghosted entries; checks as the public initializer.
    ///
    /// - Parameter parameterStencilWidth: the parameter grid's ghost width, for
    ///   the error when the parameter patch was read outside its ghosts.
    init(grid: StructuredGrid, x: [Double], y: DistributedVector, parameterStencilWidth: Int = 0,
         evaluate: ([TapeScalar], GridPatch<TapeScalar>) -> RecordedReads) throws(DistributedImplicitError) {
        self.grid = grid
        parameterCount = x.count
        ghostedCount = grid.ghostedUnknowns
        do {
            local = try grid.makeLocalVector()
            try grid.scatterToLocal(y, local)
        } catch { throw .petsc(error) }
        let yLocal: [Double]
        do { yLocal = try local.localEntries() } catch { throw .petsc(error) }
        let tape = Tape(capacity: 16 * (ghostedCount + x.count) + 64)
        let inputs = tape.inputs(x + yLocal)
        let patch = GridPatch(values: Array(inputs[x.count...]), grid: grid)
        let read = evaluate(Array(inputs[0..<x.count]), patch)
        let rows = read.rows
        let countOK = rows.count == grid.ownedUnknowns
        linearization = Linearization(tape.finish(inputs: inputs, outputs: countOK ? rows : []))
        residual = linearization.value
        seed = [Double](repeating: 0, count: x.count + ghostedCount)
        adjoint = seed
        let finite = residual.allSatisfy { $0.isFinite }
        let ownedY: [Double]
        do { ownedY = try y.localEntries() } catch { throw .petsc(error) }
        let corner = patch.firstUnexchangedGhost ?? read.parameterUnexchangedGhost
        let flags = Collective.sum([countOK ? 0 : 1, patch.readsOutsideGhosts > 0 ? 1 : 0, corner == nil ? 0 : 1,
                                    finite ? 0 : 1, finite ? residual.reduce(0) { $0 + $1 * $1 } : 0,
                                    ownedY.reduce(0) { $0 + $1 * $1 }, read.parameterReadsOutsideGhosts > 0 ? 1 : 0])
        residualNorm = flags[4].squareRoot()
        solutionNorm = flags[5].squareRoot()
        if flags[0] > 0 { throw .wrongResidualCount }
        if flags[1] > 0 { throw .stencilOutsideGhosts(stencilWidth: grid.stencilWidth) }
        if flags[6] > 0 { throw .stencilOutsideGhosts(stencilWidth: parameterStencilWidth) }
        if flags[2] > 0 {
            guard let (i, j, k) = corner else { throw .stencilMismatch("on another rank") }
            let point = grid.dimension == 3 ? "(\(i), \(j), \(k))" : "(\(i), \(j))"
            let field = patch.firstUnexchangedGhost == nil ? "parameters: " : ""
            throw .stencilMismatch(field + "the conditions read the ghost \(point), outside the owned box along more than "
                                   + "one axis, which the grid's star stencil never exchanges (it holds 0 or a stale "
                                   + "value): create the grid with box: true")
        }
        if flags[3] > 0 { throw .nonFiniteResidual }
    }

    /// `out ← A v` (collective).
    ///
    /// - Throws: `PETScError`.
    public func applyA(_ v: DistributedVector, into out: DistributedVector) throws(PETScError) {
        try grid.scatterToLocal(v, local)
        let l = ghostedCount, n = parameterCount
        try local.withLocalEntries { ghosted in
            for k in 0..<l { seed[n + k] = ghosted[k] }
        }
        try out.withLocalEntries { owned in
            seed.withUnsafeBufferPointer { linearization.jvp($0, into: owned) }
        }
    }

    /// `out ← Aᵀ u` (collective).
    ///
    /// - Throws: `PETScError`.
    public func applyAT(_ u: DistributedVector, into out: DistributedVector) throws(PETScError) {
        try u.withLocalEntries { owned in
            adjoint.withUnsafeMutableBufferPointer { linearization.vjp(UnsafeBufferPointer(owned), into: $0) }
        }
        let l = ghostedCount, n = parameterCount
        try local.withLocalEntries { ghosted in
            for k in 0..<l { ghosted[k] = adjoint[n + k] }
        }
        try out.fill(0)
        try grid.addLocalToGlobal(local, out)
    }

    /// `out ← B ẋ` (no communication; `ẋ` the same on every rank).
    ///
    /// - Throws: `PETScError`.
    public func applyB(_ xDot: [Double], into out: DistributedVector) throws(PETScError) {
        precondition(xDot.count == parameterCount, "applyB: \(xDot.count) entries, expected \(parameterCount)")
        var seed = xDot
        seed.append(contentsOf: repeatElement(0, count: ghostedCount))
        try out.setLocalEntries(linearization.jvp(seed))
    }

    /// `Bᵀ u`, summed over the ranks (collective, one reduction); the same on every rank.
    ///
    /// - Throws: `PETScError`.
    public func applyBT(_ u: DistributedVector) throws(PETScError) -> [Double] {
        let adjoint = linearization.vjp(try u.localEntries())
        return Collective.sum(Array(adjoint[0..<parameterCount]))
    }
}

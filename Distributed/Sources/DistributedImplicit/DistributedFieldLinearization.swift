import AutoDiff
import PETScKit

/// A ``DistributedFieldImplicitFunction`` linearized at one parameter field
/// `x`: the solution, the recorded conditions and the prepared KSP.
///
/// ```
/// by sweeps   B ẋ  = Jₓ (Q ẋ)     Q: the parameter grid's ghost exchange, Jₓ: the recorded local ∂F/∂x
///             Bᵀ u = Qᵀ (Jₓᵀ u)   reverse sweep, ghost contributions added into their owners
/// assembled   B ẋ  = MatMult(B, ẋ),  Bᵀ u = MatMultTranspose(B, u)     when A is assembled
/// ```
public final class DistributedFieldLinearization {
    /// `y(x)`, a global vector of the grid.
    public let solution: DistributedVector
    /// The grid `x` lives on.
    public let parameterGrid: StructuredGrid
    /// `A` and the recorded conditions (their tape inputs: the ghosted `x`, then the ghosted `y`).
    public let conditions: GridLinearization
    /// The KSP prepared on `A` (plain and transposed solves).
    public let krylov: KrylovSolve
    /// `A` as assembled, or `nil` when it is a shell operator.
    public let assembled: AssembledJacobian?
    /// `B = ∂F/∂x` as assembled (when `A` is), or `nil`: then ``applyB(_:into:)``
    /// and ``applyBT(_:)`` are tape sweeps.
    public let assembledB: AssembledJacobian?
    let parameterLocal: DistributedVector

    init(solution: DistributedVector, parameterGrid: StructuredGrid, parameterLocal: DistributedVector,
         conditions: GridLinearization, krylov: KrylovSolve, assembled: AssembledJacobian?,
         assembledB: AssembledJacobian?) {
        self.assembledB = assembledB
        self.solution = solution
        self.parameterGrid = parameterGrid
        self.parameterLocal = parameterLocal
        self.conditions = conditions
        self.krylov = krylov
        self.assembled = assembled
    }

    /// The representation that runs: ``DistributedRepresentation/assembled`` or ``DistributedRepresentation/shell``.
    public var representation: DistributedRepresentation { assembled == nil ? .shell : .assembled }

    /// `‖F(x, y)‖₂` over all ranks.
    public var residualNorm: Double { conditions.residualNorm }

    /// `out ← B ẋ` (collective): `MatMult` on ``assembledB``, else ``applyBBySweeps(_:into:)``.
    ///
    /// - Parameters:
    ///   - xDot: a global vector of the parameter grid.
    ///   - out: a global vector of the grid.
    /// - Throws: `PETScError`.
    public func applyB(_ xDot: DistributedVector, into out: DistributedVector) throws(PETScError) {
        if let b = assembledB { return try b.matrix.multiply(xDot, into: out) }
        try applyBBySweeps(xDot, into: out)
    }

    /// `Bᵀ u`, a global vector of the parameter grid (collective):
    /// `MatMultTranspose` on ``assembledB``, else ``applyBTBySweeps(_:)``.
    ///
    /// - Parameter u: a global vector of the grid.
    /// - Throws: `PETScError`.
    public func applyBT(_ u: DistributedVector) throws(PETScError) -> DistributedVector {
        guard let b = assembledB else { return try applyBTBySweeps(u) }
        let out = try parameterGrid.makeGlobalVector()
        try b.matrix.multiplyTransposed(u, into: out)
        return out
    }

    /// `out ← B ẋ` by one forward tape sweep (collective: one ghost exchange of `ẋ`).
    ///
    /// - Parameters:
    ///   - xDot: a global vector of the parameter grid.
    ///   - out: a global vector of the grid.
    /// - Throws: `PETScError`.
    public func applyBBySweeps(_ xDot: DistributedVector, into out: DistributedVector) throws(PETScError) {
        try parameterGrid.scatterToLocal(xDot, parameterLocal)
        try conditions.applyB(try parameterLocal.localEntries(), into: out)
    }

    /// `Bᵀ u` by one reverse tape sweep, a global vector of the parameter grid
    /// (collective: the ghost contributions are added into their owners).
    ///
    /// - Parameter u: a global vector of the grid.
    /// - Throws: `PETScError`.
    public func applyBTBySweeps(_ u: DistributedVector) throws(PETScError) -> DistributedVector {
        let adjoint = conditions.linearization.vjp(try u.localEntries())
        try parameterLocal.setLocalEntries(Array(adjoint[0..<conditions.parameterCount]))
        let out = try parameterGrid.makeGlobalVector()
        try parameterGrid.addLocalToGlobal(parameterLocal, out)
        return out
    }

    /// `ẏ = −A⁻¹ B ẋ` (collective).
    ///
    /// - Parameter tangent: `ẋ`, a global vector of the parameter grid.
    /// - Returns: `ẏ`, a global vector of the grid.
    /// - Throws: ``DistributedImplicitError/linearSolveFailed(_:)`` on every rank.
    public func jvp(tangent: DistributedVector) throws(DistributedImplicitError) -> DistributedVector {
        do {
            let b = try solution.duplicate()
            try applyB(tangent, into: b)
            try b.scale(-1)
            let out = try solution.duplicate()
            try krylov.solve(b, into: out)
            return out
        } catch { throw DistributedImplicitLinearization.mapped(error) }
    }

    /// `x̄ = −Bᵀ A⁻ᵀ ȳ` (collective).
    ///
    /// - Parameter cotangent: `ȳ`, a global vector of the grid.
    /// - Returns: `x̄`, a global vector of the parameter grid.
    /// - Throws: ``DistributedImplicitError/linearSolveFailed(_:)`` on every rank.
    public func vjp(cotangent: DistributedVector) throws(DistributedImplicitError) -> DistributedVector {
        do {
            let w = try solution.duplicate()
            try krylov.solveTransposed(cotangent, into: w)
            let out = try applyBT(w)
            try out.scale(-1)
            return out
        } catch { throw DistributedImplicitLinearization.mapped(error) }
    }
}

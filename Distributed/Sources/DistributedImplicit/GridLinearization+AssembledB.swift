import AutoDiff
import LinearAlgebra
import PETScKit

extension GridLinearization {
    /// Assembles `B = ∂F/∂x` for a parameter field `x` on `parameterGrid`
    /// (collective): rows are this rank's residual rows, columns the parameter
    /// grid's global unknowns, from coloured forward sweeps of the recording
    /// with respect to its parameter inputs, as ``assembleA(pattern:)`` does for `A`.
    ///
    /// ```
    /// P_x       = pattern of ∂F_owned/∂x_ghosted              (owned rows × ghosted parameters)
    /// colours   = ColumnColoring(P_x, order: .natural)         one forward sweep per colour
    /// column g  → global parameter index ℓₓ(g)                (the parameter DMDA's local-to-global mapping)
    /// MPIAIJ:   local rows = grid.ownedUnknowns, local columns = parameterGrid.ownedUnknowns
    /// B ẋ = MatMult,  Bᵀ u = MatMultTranspose                  (PETSc's scatters replace the ghost exchanges)
    /// ```
    ///
    /// Local failures (a non-finite entry, a column without a global index)
    /// are agreed on by one reduction before any rank creates the matrix.
    ///
    /// - Parameters:
    ///   - pattern: the pattern of the local `B` (`bivariate.jacobianPatterns().x`).
    ///   - parameterGrid: the grid `x` lives on (same split as ``grid``).
    /// - Returns: the assembled `B` and its statistics.
    /// - Throws: on every rank alike: ``DistributedImplicitError/localJacobianFailed(_:)``,
    ///   ``DistributedImplicitError/petsc(_:)``.
    public func assembleB(pattern: SparsityPattern, parameterGrid: StructuredGrid)
        throws(DistributedImplicitError) -> AssembledJacobian
    {
        try assembleBlock(withRespectToY: false, pattern: pattern, coloring: ColumnColoring(pattern, order: .natural),
                          columnGrid: parameterGrid, columnName: "parameter")
    }
}

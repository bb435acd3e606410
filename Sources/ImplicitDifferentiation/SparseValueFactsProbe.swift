import LinearAlgebra

/// The value passes of the automatic plan, reachable from the package's benchmarks (the types
/// themselves stay internal).
package enum SparseValueFactsProbe {
    /// Reads ``SparseValueFacts`` of `a` (symmetry, diagonal dominance and the diagonal, one pass).
    ///
    /// - Parameter a: a sparse matrix.
    /// - Returns: whether `a` was found symmetric (so that the pass is not optimized away).
    package static func facts(_ a: SparseMatrix) -> Bool { SparseValueFacts(a).symmetric }

    /// Reads ``SparseValueFacts`` of `a` from its diagonal form `d` (the runs instead of the columns).
    ///
    /// - Parameters:
    ///   - a: a sparse matrix.
    ///   - d: `a` by diagonals.
    /// - Returns: whether `a` was found symmetric.
    package static func facts(_ a: SparseMatrix, diagonals d: DiagonalOffsetMatrix) -> Bool {
        SparseValueFacts(a, diagonals: d).symmetric
    }

    /// The diagonal-dominance pass alone, without the symmetry test.
    ///
    /// - Parameter a: a sparse matrix.
    /// - Returns: the Jacobi-scaled radius, or `nil` as ``DiagonalDominance``.
    package static func dominanceOnly(_ a: SparseMatrix) -> Double? { DiagonalDominance(a)?.scaledRadius }
}

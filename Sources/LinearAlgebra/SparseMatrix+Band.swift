/// Conversions between ``SparseMatrix`` and LAPACK general band storage.
///
/// Band storage of a square `n × n` matrix with `kl` subdiagonals and `ku`
/// superdiagonals is a `(kl + ku + 1) × n` column-major array (`dgbmv`,
/// `dgbsv`'s `AB` without the `kl` rows of pivoting room):
///
/// ```
/// AB[ku + i − j, j] = A[i, j]     for max(0, j − ku) ≤ i ≤ min(n − 1, j + kl)
/// ```
extension SparseMatrix {
    /// The band of this square matrix in LAPACK band storage.
    ///
    /// - Parameters:
    ///   - kl: subdiagonals to keep, `≥ 0`.
    ///   - ku: superdiagonals to keep, `≥ 0`.
    /// - Returns: the `(kl + ku + 1) × n` band array.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when the matrix
    ///   is not square; ``LinearAlgebraError/invalidArgument(_:)`` when a
    ///   bandwidth is negative or a stored entry lies outside the band (use
    ///   ``bandwidths`` for the smallest band).
    public func bandStorage(lower kl: Int, upper ku: Int) throws(LinearAlgebraError) -> Matrix {
        guard isSquare else {
            throw .dimensionMismatch("SparseMatrix.bandStorage needs a square matrix, got \(rows)×\(columns)")
        }
        guard kl >= 0, ku >= 0 else {
            throw .invalidArgument("SparseMatrix.bandStorage: negative bandwidth (\(kl), \(ku))")
        }
        let n = columns, ld = kl + ku + 1
        var band = Matrix(rows: ld, columns: n)
        for j in 0..<n {
            for k in pattern.columnPointers[j]..<pattern.columnPointers[j + 1] {
                let i = pattern.rowIndices[k]
                guard i - j <= kl, j - i <= ku else {
                    throw .invalidArgument("SparseMatrix.bandStorage: entry (\(i), \(j)) lies outside the band "
                                           + "(\(kl), \(ku)); the matrix's bandwidths are \(bandwidths)")
                }
                band.elements[ku + i - j + j * ld] = values[k]
            }
        }
        return band
    }

    /// The sparse matrix held in LAPACK band storage (zeros of the band are not stored).
    ///
    /// - Parameters:
    ///   - band: the `(kl + ku + 1) × n` band array, finite entries.
    ///   - kl: the number of subdiagonals, `≥ 0`.
    ///   - ku: the number of superdiagonals, `≥ 0`.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when `band` has
    ///   not `kl + ku + 1` rows; ``LinearAlgebraError/nonFiniteInput(_:)``.
    public init(bandStorage band: Matrix, lower kl: Int, upper ku: Int) throws(LinearAlgebraError) {
        guard kl >= 0, ku >= 0, band.rows == kl + ku + 1 else {
            throw .dimensionMismatch("SparseMatrix(bandStorage:): \(band.rows) rows for bandwidths (\(kl), \(ku)), "
                                     + "expected \(kl + ku + 1)")
        }
        let n = band.columns, ld = band.rows
        var pointers = [0], indices: [Int] = [], values: [Double] = []
        for j in 0..<n {
            for i in Swift.max(0, j - ku)...Swift.min(n - 1, j + kl) {
                let v = band.elements[ku + i - j + j * ld]
                if v != 0 || !v.isFinite {
                    indices.append(i)
                    values.append(v)
                }
            }
            pointers.append(indices.count)
        }
        try self.init(pattern: SparsityPattern(unchecked: n, n, pointers, indices), values: values)
    }
}

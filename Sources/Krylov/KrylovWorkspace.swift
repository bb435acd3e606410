import LinearAlgebra

/// Work storage shared by repeated Krylov solves.
///
/// The invariant: a vector or matrix is either held by one running solve or
/// parked here, never both. A solve takes its work vectors (and GMRES its
/// `n × (restart + 1)` basis) from the workspace before the iteration starts
/// and parks them again when it returns, so a second solve of a size seen
/// before reuses every work vector and the basis: it allocates only the
/// solution it returns and a few scalars' worth of bookkeeping.
///
/// ```
/// var workspace = KrylovWorkspace()
/// for b in rightHandSides {
///     let x = gmres.solve(op, b, initialGuess: nil, preconditioner: nil, workspace: &workspace)
/// }
/// ```
///
/// A value type passed `inout`: the compiler's exclusivity rules keep two
/// solves from sharing one workspace at the same time. Without a workspace
/// (``KrylovSolver/solve(_:_:initialGuess:preconditioner:)``), each solve uses
/// a fresh one, which still allocates everything before the loop and nothing
/// inside it.
public struct KrylovWorkspace: Sendable {
    private var vectors: [Int: [[Double]]] = [:]
    private var matrices: [Shape: [Matrix]] = [:]

    private struct Shape: Hashable, Sendable {
        var rows: Int
        var columns: Int
    }

    /// An empty workspace; it grows to what the solves using it need.
    public init() {}

    /// The bytes of the parked vectors and matrices (what the workspace keeps alive).
    public var retainedBytes: Int {
        let v = vectors.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } }
        let m = matrices.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.elements.count } }
        return 8 * (v + m)
    }

    /// Drops everything parked (the memory is released when no solve holds it).
    public mutating func removeAll() {
        vectors.removeAll()
        matrices.removeAll()
    }

    /// A vector of length `count`; its contents are unspecified (zeros when new).
    mutating func vector(_ count: Int) -> [Double] {
        if let v = vectors[count]?.popLast() { return v }
        return [Double](repeating: 0, count: count)
    }

    /// A vector of length `count` filled with zeros.
    mutating func zeroVector(_ count: Int) -> [Double] {
        var v = vector(count)
        BLAS.fill(0, &v)
        return v
    }

    /// A `rows × columns` matrix; its contents are unspecified.
    mutating func matrix(rows: Int, columns: Int) -> Matrix {
        if let a = matrices[Shape(rows: rows, columns: columns)]?.popLast() { return a }
        return Matrix(rows: rows, columns: columns)
    }

    /// Parks a vector for the next solve.
    mutating func park(_ v: [Double]) {
        vectors[v.count, default: []].append(v)
    }

    /// Parks a matrix for the next solve.
    mutating func park(_ a: Matrix) {
        matrices[Shape(rows: a.rows, columns: a.columns), default: []].append(a)
    }
}

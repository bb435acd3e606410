import LinearAlgebra

/// The linear system a solver is prepared for: `A` as an operator, and as
/// a matrix when one has been materialized.
public struct LinearSystem: Sendable {
    /// The operator given, when `A` was not (only) given as a matrix.
    let givenOperator: (any LinearOperator & Sendable)?
    /// `A` as a dense matrix, when it has been materialized; `nil` on a lazy path.
    public let matrix: Matrix?
    /// The declared (unchecked) structure of `A`.
    public let structure: OperatorStructure

    /// A system given by an operator, and optionally its matrix.
    ///
    /// - Parameters:
    ///   - linearOperator: `A`.
    ///   - matrix: the same `A` as a matrix, or `nil`.
    public init(_ linearOperator: any LinearOperator & Sendable, matrix: Matrix? = nil) {
        self.givenOperator = linearOperator
        self.matrix = matrix
        self.structure = linearOperator.structure
    }

    /// A system given by a matrix (its operator is the BLAS product, ``MatrixOperator``).
    ///
    /// - Parameters:
    ///   - matrix: `A`.
    ///   - structure: declared (unchecked) structure of `A`.
    public init(matrix: Matrix, structure: OperatorStructure = []) {
        self.givenOperator = nil
        self.matrix = matrix
        self.structure = structure
    }

    /// `A` as a linear operator (always available: the BLAS product for a matrix-only system).
    public var linearOperator: any LinearOperator & Sendable {
        if let givenOperator { return givenOperator }
        return MatrixOperator(matrix!, structure: structure)
    }

    /// The rows of `A`.
    public var rows: Int { matrix?.rows ?? givenOperator!.rows }
    /// The columns of `A`.
    public var columns: Int { matrix?.columns ?? givenOperator!.columns }
}

/// How to solve with `A`: the first phase of "prepare once, solve many".
///
/// ```
/// let prepared = try method.prepare(system)   // factor, or set up a Krylov method
/// let x = try prepared.solve(b)
/// let w = try prepared.solveTransposed(c)
/// ```
///
/// Conform a type to bring your own solver (a sparse factorization, an
/// external library, a domain-specific preconditioned method) to anything
/// that takes one, such as an implicit function's `linearSolver: .custom(_:)`.
public protocol LinearSolveMethod: Sendable, CustomStringConvertible {
    /// Prepares solves with `system`'s `A`.
    ///
    /// - Parameter system: `A` as an operator, and as a matrix when materialized.
    /// - Returns: the prepared solver.
    /// - Throws: `LinearAlgebraError` (e.g. `.singular`, `.dimensionMismatch`).
    func prepare(_ system: LinearSystem) throws(LinearAlgebraError) -> any PreparedLinearSolve

    /// `true` when the method needs ``LinearSystem/matrix`` (a direct method); default `false`.
    var needsMatrix: Bool { get }
}

extension LinearSolveMethod {
    /// `false`: the method works on the operator alone.
    public var needsMatrix: Bool { false }
}

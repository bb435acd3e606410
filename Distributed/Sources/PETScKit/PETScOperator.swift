import CPETSc

/// A distributed matrix PETSc can multiply by: ``AssembledMatrix`` or
/// ``ShellOperator``.
public protocol PETScOperator: AnyObject {
    /// The PETSc handle.
    var handle: Mat { get }
}

extension AssembledMatrix: PETScOperator {}
extension ShellOperator: PETScOperator {}

extension PETScOperator {
    /// `d ← diag(A)` (`MatGetDiagonal`; collective).
    ///
    /// - Parameter d: a distributed vector of the rows' layout, overwritten.
    /// - Throws: ``PETScError`` (also for a shell operator that does not know its diagonal).
    public func diagonal(into d: DistributedVector) throws(PETScError) {
        try check(MatGetDiagonal(handle, d.handle), "MatGetDiagonal")
    }
}

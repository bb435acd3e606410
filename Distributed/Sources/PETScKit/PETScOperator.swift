import CPETSc

/// A distributed matrix PETSc can multiply by: ``AssembledMatrix`` or
/// ``ShellOperator``.
public protocol PETScOperator: AnyObject {
    /// The PETSc handle.
    var handle: Mat { get }
}

extension AssembledMatrix: PETScOperator {}
extension ShellOperator: PETScOperator {}

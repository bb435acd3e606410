import CPETSc

/// A PETSc shell matrix (`MATSHELL`): a distributed linear map known only by
/// its products `y = A x` and `y = Aᵀ x`, and optionally its diagonal (what
/// PETSc's Jacobi preconditioner needs), given as Swift closures.
///
/// The closures run on every rank at once, inside PETSc's Krylov loop, and
/// must be collective-safe: every rank calls the same PETSc collectives
/// (ghost exchanges, reductions) in the same order, and none of them returns
/// early on its own. Non-finite values are not an error here: they flow into
/// the Krylov method, whose norms (reductions) see them on every rank and
/// stop with `DIVERGED_NANORINF` everywhere. A closure that throws makes the
/// product return `PETSC_ERR_USER`; reserve that for PETSc failures, which
/// are collective themselves.
public final class ShellOperator {
    /// `y ← A x` on distributed vectors (borrowed: do not keep them).
    public typealias Product = (_ x: DistributedVector, _ y: DistributedVector) throws -> Void
    /// `d ← diag(A)` on a distributed vector of the rows' layout (borrowed: do not keep it).
    public typealias Diagonal = (_ d: DistributedVector) throws -> Void

    /// The PETSc handle.
    public let handle: Mat
    let box: ShellContext

    /// A shell matrix with `localRows × localColumns` on this rank.
    ///
    /// - Parameters:
    ///   - localRows: rows this rank owns (the layout of `y = A x`).
    ///   - localColumns: columns this rank owns (the layout of `x`).
    ///   - multiply: `y ← A x`.
    ///   - multiplyTransposed: `y ← Aᵀ x`, or `nil` when transposed solves are not needed.
    ///   - diagonal: `d ← diag(A)` (`MATOP_GET_DIAGONAL`, what PETSc's Jacobi
    ///     preconditioner reads), or `nil` when `A`'s diagonal is unknown.
    /// - Throws: ``PETScError``.
    public init(localRows: Int, localColumns: Int, multiply: @escaping Product,
                multiplyTransposed: Product?, diagonal: Diagonal? = nil) throws(PETScError) {
        box = ShellContext(multiply: multiply, multiplyTransposed: multiplyTransposed, diagonal: diagonal)
        var m: Mat?
        let ctx = Unmanaged.passUnretained(box).toOpaque()
        try check(MatCreateShell(cpetsc_comm_world(), PetscInt(localRows), PetscInt(localColumns),
                                 PetscInt(cpetsc_decide()), PetscInt(cpetsc_decide()), ctx, &m), "MatCreateShell")
        handle = m!
        let mult: @convention(c) (Mat?, Vec?, Vec?) -> PetscErrorCode = { a, x, y in
            shellApply(a, x, y, transposed: false)
        }
        try check(MatShellSetOperation(handle, MATOP_MULT, unsafeBitCast(mult, to: (@convention(c) () -> Void).self)),
                  "MatShellSetOperation")
        if multiplyTransposed != nil {
            let multT: @convention(c) (Mat?, Vec?, Vec?) -> PetscErrorCode = { a, x, y in
                shellApply(a, x, y, transposed: true)
            }
            try check(MatShellSetOperation(handle, MATOP_MULT_TRANSPOSE,
                                           unsafeBitCast(multT, to: (@convention(c) () -> Void).self)),
                      "MatShellSetOperation")
        }
        if diagonal != nil {
            let getDiagonal: @convention(c) (Mat?, Vec?) -> PetscErrorCode = { a, d in shellDiagonal(a, d) }
            try check(MatShellSetOperation(handle, MATOP_GET_DIAGONAL,
                                           unsafeBitCast(getDiagonal, to: (@convention(c) () -> Void).self)),
                      "MatShellSetOperation")
        }
    }

    deinit {
        if PETSc.isActive {
            var m: Mat? = handle
            _ = MatDestroy(&m)
        }
    }

    /// The first error a product threw, if any (cleared by reading it).
    public func takeProductError() -> Error? {
        defer { box.error = nil }
        return box.error
    }
}

/// What a shell matrix's C callbacks reach through `MatShellGetContext`.
final class ShellContext {
    let multiply: ShellOperator.Product
    let multiplyTransposed: ShellOperator.Product?
    let diagonal: ShellOperator.Diagonal?
    var error: Error?
    init(multiply: @escaping ShellOperator.Product, multiplyTransposed: ShellOperator.Product?,
         diagonal: ShellOperator.Diagonal?) {
        self.multiply = multiply
        self.multiplyTransposed = multiplyTransposed
        self.diagonal = diagonal
    }
}

private func shellApply(_ a: Mat?, _ x: Vec?, _ y: Vec?, transposed: Bool) -> PetscErrorCode {
    var raw: UnsafeMutableRawPointer?
    let code = MatShellGetContext(a, &raw)
    guard code == 0, let raw, let x, let y else { return code != 0 ? code : cpetsc_error_user() }
    let box = Unmanaged<ShellContext>.fromOpaque(raw).takeUnretainedValue()
    do {
        let product = transposed ? box.multiplyTransposed! : box.multiply
        try product(DistributedVector(borrowing: x), DistributedVector(borrowing: y))
        return 0
    } catch {
        if box.error == nil { box.error = error }
        return cpetsc_error_user()
    }
}

private func shellDiagonal(_ a: Mat?, _ d: Vec?) -> PetscErrorCode {
    var raw: UnsafeMutableRawPointer?
    let code = MatShellGetContext(a, &raw)
    guard code == 0, let raw, let d else { return code != 0 ? code : cpetsc_error_user() }
    let box = Unmanaged<ShellContext>.fromOpaque(raw).takeUnretainedValue()
    do {
        try box.diagonal!(DistributedVector(borrowing: d))
        return 0
    } catch {
        if box.error == nil { box.error = error }
        return cpetsc_error_user()
    }
}

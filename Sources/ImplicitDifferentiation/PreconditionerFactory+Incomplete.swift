import Krylov
import LinearAlgebra

extension PreconditionerFactory {
    /// The preconditioner of the cost model's IC(0)-CG candidate, with what happened in the note:
    ///
    /// ```
    /// IC(0) of A                                   no note
    /// breakdown → IC(0) of A + α·diag(A)           α = 10⁻³, 10⁻², 10⁻¹, 1, the first that holds (Manteuffel)
    /// every shift breaks down → Jacobi diag(A)     when every aᵢᵢ > 0 (CG needs M positive definite)
    /// otherwise → no preconditioner
    /// ```
    ///
    /// - Parameter a: the compressed, symmetric `A`.
    /// - Returns: a factory that builds the preconditioner for every system it is given (all have this `A`).
    static func incompleteCholesky(_ a: SparseMatrix) -> PreconditionerFactory {
        PreconditionerFactory(noting: { _ in
            let breakdown: KrylovError
            do throws(KrylovError) {
                let (ic, first) = try IncompleteCholeskyPreconditioner.withDiagonalShifts(a)
                guard let first else { return (ic, nil) }
                return (ic, "IC(0) broke down (\(first.reason)); used IC(0) of ∂F/∂y + \(ic.diagonalShift)·diag(∂F/∂y)")
            } catch {
                breakdown = error
            }
            let diagonal = a.diagonalElements
            if diagonal.allSatisfy({ $0 > 0 }), let jacobi = try? JacobiPreconditioner(diagonal: diagonal) {
                return (jacobi, "IC(0) broke down for every diagonal shift up to "
                    + "\(IncompleteCholeskyPreconditioner.breakdownShifts.last ?? 0) (\(breakdown.reason)); used Jacobi")
            }
            return (nil, "IC(0) broke down for every diagonal shift (\(breakdown.reason)) and diag(∂F/∂y) is not "
                + "positive; used no preconditioner")
        })
    }

    /// The preconditioner of the cost model's Jacobi-CG candidate, `M = diag(A)`; when a diagonal
    /// entry is not positive (CG needs `M` positive definite), no preconditioner, said in the note.
    ///
    /// - Parameters:
    ///   - a: the compressed, symmetric `A`.
    ///   - known: `A`'s diagonal when it is already at hand (``SparseValueFacts/diagonal``), else `nil`.
    /// - Returns: a factory that builds the preconditioner for every system it is given.
    static func jacobi(_ a: SparseMatrix, diagonal known: [Double]? = nil) -> PreconditionerFactory {
        PreconditionerFactory(noting: { _ in
            let diagonal = known ?? a.diagonalElements
            if diagonal.allSatisfy({ $0 > 0 }), let jacobi = try? JacobiPreconditioner(diagonal: diagonal) {
                return (jacobi, nil)
            }
            return (nil, "diag(∂F/∂y) is not positive; used no preconditioner")
        })
    }

    /// The preconditioner of the cost model's ILU(0)-GMRES candidate: ILU(0) of `A`; after a
    /// breakdown Jacobi `diag(A)` when no diagonal entry is zero, else none; the note says which.
    ///
    /// - Parameter a: the compressed `A`.
    /// - Returns: a factory that builds the preconditioner for every system it is given.
    static func incompleteLU(_ a: SparseMatrix) -> PreconditionerFactory {
        PreconditionerFactory(noting: { _ in
            do throws(KrylovError) {
                return (try IncompleteLUPreconditioner(a), nil)
            } catch {
                if let jacobi = try? JacobiPreconditioner(diagonal: a.diagonalElements) {
                    return (jacobi, "ILU(0) broke down (\(error.reason)); used Jacobi")
                }
                return (nil, "ILU(0) broke down (\(error.reason)) and diag(∂F/∂y) has a zero; used no preconditioner")
            }
        })
    }
}

extension KrylovError {
    /// The breakdown's own words, without the advice of ``description``.
    fileprivate var reason: String {
        if case .preconditionerBreakdown(let what) = self { return what }
        return description
    }
}

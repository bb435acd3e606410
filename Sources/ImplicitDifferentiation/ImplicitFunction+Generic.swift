import AutoDiff

// Generic evaluation: an implicit function inside code written once over
// `T: DifferentiableScalar`, differentiated by the AD layer's forward or
// reverse mode, and inside the conditions of another implicit function.

extension ImplicitFunction {
    /// `y(x)` for `x` in any scalar of the AD layer; derivatives flow through
    /// by the implicit function theorem, never through the solver.
    ///
    /// The forward solver always runs on the primal values. Then, by `T`:
    ///
    /// ```
    /// Double            y = solver(x)
    /// Dual<Double>      ẏ = −A⁻¹(B ẋ)                  one linearization
    /// DualN<N>          Ẏ = −A⁻¹(B Ẋ), N directions    one linearization, one factorization
    /// TapeScalar        one custom node; reverse sweep x̄ += −Bᵀ(A⁻ᵀ ȳ), forward sweep as Dual
    /// Dual<Dual<…>>,    ẏ = −A(x,y)⁻¹(B(x,y) ẋ) computed in the inner scalar (A, B by
    /// Dual<TapeScalar>  m + 1 evaluations of F on duals, Gaussian elimination in T):
    ///                   second derivatives, forward-over-forward or reverse-over-forward
    /// ```
    ///
    /// So a whole model is written once and differentiated by the AD layer:
    ///
    /// ```swift
    /// struct Loss: DifferentiableFunction {
    ///     let ridge: ImplicitFunction<Void, Void>
    ///     func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
    ///         let y = ridge(x)                                       // implicit, generic
    ///         return [zip(y, target).reduce(T(0)) { $0 + ($1.0 - T($1.1)) * ($1.0 - T($1.1)) } / T(2)]
    ///     }
    /// }
    /// let g = AD.gradient(of: loss, at: x)                           // tape: one IFT node
    /// ```
    ///
    /// Conditions of another implicit function may call this one the same
    /// way (nesting); that function's derivatives then differentiate through
    /// this one by the same rule.
    ///
    /// This call does not throw: when the forward solve, the residual check
    /// or a derivative fails, the affected values or tangents are **NaN**
    /// (all entries; when the solve fails, `y`'s length is that of the last
    /// successful solve, or `x.count`) and the error is recorded in
    /// ``diagnostics``. Tape sweeps run later than this call: their failures
    /// surface the same way, as NaN adjoints plus a diagnostic.
    ///
    /// With a concrete `[Double]` argument, `f(x, arguments: a)` resolves to
    /// the throwing ``callAsFunction(_:arguments:)`` (prefer it there);
    /// this overload is the one chosen inside generic code.
    ///
    /// - Parameters:
    ///   - x: the input, length `n`.
    ///   - arguments: the extra, non-differentiated arguments of the solver.
    /// - Returns: `y(x)` with its derivative information in `T`, length `m`.
    public func callAsFunction<T: DifferentiableScalar>(_ x: [T], arguments: Arguments) -> [T] {
        T.callExternal(ImplicitExternalFunction(self, arguments: arguments), x)
    }
}

extension ImplicitFunction where Arguments == Void {
    /// `y(x)` for `x` in any scalar of the AD layer; see
    /// the generic `callAsFunction(_:arguments:)` for the rule and the failure model (NaNs + ``diagnostics``).
    ///
    /// - Parameter x: the input, length `n`.
    /// - Returns: `y(x)` in `T`, length `m`.
    public func callAsFunction<T: DifferentiableScalar>(_ x: [T]) -> [T] {
        T.callExternal(ImplicitExternalFunction(self, arguments: ()), x)
    }
}

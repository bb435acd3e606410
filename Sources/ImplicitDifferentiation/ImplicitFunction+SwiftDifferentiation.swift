import _Differentiation

// The bridge to Swift's differentiable programming (`import _Differentiation`;
// no compiler flag is needed on this toolchain). An implicit function sits
// inside a `@differentiable(reverse)` Swift function, and `gradient(at:of:)` /
// `valueWithPullback(at:of:)` get its derivative by the implicit function
// theorem — one forward solve, one linearization, one adjoint solve per pullback:
//
//     x̄ = −Bᵀ (A⁻ᵀ ȳ)
//
// Swift's AD is for the code around the implicit function; see the doc comment
// of `solution(at:arguments:)` for the vector-level pattern that keeps it linear.
//
// Failures: this path is non-throwing. When the forward solve fails, the value
// is NaN (all entries); when the residual check, the factorization or the
// adjoint solve fails, the pullback returns NaN (all entries). Each failure is
// recorded in the function's `diagnostics` (see `ImplicitDiagnostics`).

extension ImplicitFunction {
    /// `y(x)`, differentiable by Swift's `_Differentiation` (reverse mode):
    /// its pullback is the implicit function theorem's VJP `x̄ = −Bᵀ(A⁻ᵀȳ)`.
    ///
    /// ```swift
    /// @differentiable(reverse)
    /// func loss(_ x: [Double]) -> Double { halfSquaredDistance(ridge.solution(at: x), target) }
    /// let g = gradient(at: x, of: loss)
    /// ```
    ///
    /// Non-throwing: a failed forward solve gives NaN values, a failed
    /// derivative a NaN pullback, and the error is recorded in ``diagnostics``.
    ///
    /// Swift's AD is for the code *around* the implicit function; our own AD
    /// layer (duals and the tape, the generic `callAsFunction(_:arguments:)`)
    /// differentiates the conditions and is the faster choice for whole
    /// models. Under Swift's AD, element-wise array code is quadratic: each
    /// `a[i]` read in a loop has a pullback that builds a full-length zero
    /// array (figures in `docs/performance.md`). Write the code
    /// around the implicit function with vector-level operations that carry
    /// their own derivative:
    ///
    /// ```swift
    /// // slow, O(n²) under Swift AD:
    /// //   var s = 0.0; for i in 0..<y.count { s += (y[i] - t[i]) * (y[i] - t[i]) }
    /// // fast, O(n): one vector-level function and its pullback
    /// @differentiable(reverse, wrt: y)
    /// func halfSquaredDistance(_ y: [Double], _ t: [Double]) -> Double {
    ///     zip(y, t).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 2
    /// }
    /// @derivative(of: halfSquaredDistance, wrt: y)
    /// func vjpHalfSquaredDistance(_ y: [Double], _ t: [Double])
    ///     -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
    ///     let r = zip(y, t).map { $0 - $1 }
    ///     return (r.reduce(0) { $0 + $1 * $1 } / 2, { s in .init(r.map { s * $0 }) })
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - x: the input, length `n` (differentiated).
    ///   - arguments: the solver's extra arguments (not differentiated).
    /// - Returns: `y(x)`, length `m`.
    @differentiable(reverse, wrt: x)
    public func solution(at x: [Double], arguments: Arguments) -> [Double] {
        switch ImplicitCallCache<Byproduct>().solution(x, self, arguments) {
        case .success(let s): return s.y
        case .failure: return nans(diagnostics.lastOutputCount ?? x.count)
        }
    }

    /// The registered reverse derivative of ``solution(at:arguments:)``: the
    /// value, and a pullback `ȳ ↦ −Bᵀ(A⁻ᵀȳ)` that linearizes once (on its
    /// first call) and reuses the factorization on later calls.
    ///
    /// - Parameters:
    ///   - x: the input, length `n`.
    ///   - arguments: the solver's extra arguments.
    /// - Returns: `y(x)` and the pullback; NaNs on failure (see ``diagnostics``).
    @derivative(of: solution(at:arguments:), wrt: x)
    public func _vjpSolution(at x: [Double], arguments: Arguments)
        -> (value: [Double], pullback: ([Double].TangentVector) -> [Double].TangentVector)
    {
        let cache = ImplicitCallCache<Byproduct>()
        let n = x.count
        guard case .success(let solved) = cache.solution(x, self, arguments) else {
            return (nans(diagnostics.lastOutputCount ?? n), { _ in .init(nans(n)) })
        }
        return (solved.y, { ybar in .init(self.bridgeVJP(x, arguments, cache, Array(ybar.base), m: solved.y.count)) })
    }

    /// `−Bᵀ(A⁻ᵀȳ)` through the cached linearization, or NaNs plus a diagnostic.
    func bridgeVJP(_ x: [Double], _ arguments: Arguments, _ cache: ImplicitCallCache<Byproduct>,
                   _ ybar: [Double], m: Int) -> [Double] {
        // Swift AD's zero cotangent of an array is the empty array.
        if ybar.isEmpty || ybar.allSatisfy({ $0 == 0 }) { return [Double](repeating: 0, count: x.count) }
        guard case .success(let lin) = cache.linearization(x, self, arguments) else { return nans(x.count) }
        do throws(ImplicitDifferentiationError) { return try lin.vjp(ybar) } catch {
            diagnostics.record(error, path: "Swift AD pullback", x: x)
            return nans(x.count)
        }
    }
}

extension ImplicitFunction where Arguments == Void {
    /// `y(x)`, differentiable by Swift's `_Differentiation`; see
    /// ``solution(at:arguments:)`` (pullback `−Bᵀ(A⁻ᵀȳ)`, NaNs + ``diagnostics`` on failure).
    ///
    /// - Parameter x: the input, length `n`.
    /// - Returns: `y(x)`, length `m`.
    @differentiable(reverse)
    public func solution(at x: [Double]) -> [Double] {
        solution(at: x, arguments: ())
    }

    /// `y(x)` for a scalar input, differentiable by Swift's `_Differentiation`:
    /// the pullback is `ȳ ↦ −Bᵀ(A⁻ᵀȳ)` with `B` a single column.
    ///
    /// - Parameter x: the scalar input.
    /// - Returns: `y(x)`, length `m`; NaNs on failure (see ``diagnostics``).
    @differentiable(reverse)
    public func solution(at x: Double) -> [Double] {
        solution(at: [x], arguments: ())
    }

    /// The registered reverse derivative of the scalar-input `solution(at:)`.
    ///
    /// - Parameter x: the scalar input.
    /// - Returns: `y(x)` and the pullback `ȳ ↦ ∂y/∂x · ȳ`.
    @derivative(of: solution(at:))
    public func _vjpScalarSolution(at x: Double)
        -> (value: [Double], pullback: ([Double].TangentVector) -> Double)
    {
        let (y, pullback) = _vjpSolution(at: [x], arguments: ())
        return (y, { ybar in pullback(ybar).base.first ?? .nan })
    }
}

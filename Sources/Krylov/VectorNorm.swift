import LinearAlgebra

/// `‖x‖₂` for the Krylov loops: `√(xᵀx)` by one `ddot`, falling back to the
/// scaled `dnrm2` outside the range where the plain sum of squares is safe.
///
/// ```
/// s = xᵀx                       one vectorized pass (ddot)
/// ‖x‖ = √s                      when 2⁻⁹⁰⁰ ≤ s < ∞: no square overflowed, and
///                               squares that underflowed are < 2⁻⁹⁰⁰·ε of s
/// ‖x‖ = dnrm2(x)                otherwise (overflow, underflow, NaN): scaled
/// ```
///
/// The reference `dnrm2` rescales as it goes and costs several times a
/// `ddot`; GMRES takes two or three norms per iteration. Both have a
/// relative error of a few `n·ε` at worst, so the result agrees with
/// `BLAS.nrm2` to rounding, and NaN and ±∞ entries give the same NaN / ∞.
///
/// - Parameter x: any vector.
/// - Returns: `‖x‖₂ ≥ 0`, or NaN when an entry is NaN.
@inlinable
func norm2(_ x: [Double]) -> Double {
    norm2(squared: BLAS.dot(x, x), of: x)
}

/// `‖x‖₂` given `s = xᵀx` already summed (by a fused kernel): `√s` in the range where the
/// plain sum of squares is safe, the scaled `dnrm2` otherwise (as ``norm2(_:)``).
///
/// ```
/// ‖x‖ = √s          2⁻⁹⁰⁰ ≤ s < ∞
/// ‖x‖ = dnrm2(x)    otherwise (overflow, underflow, NaN)
/// ```
///
/// - Parameters:
///   - s: `xᵀx` as summed.
///   - x: the vector.
/// - Returns: `‖x‖₂ ≥ 0`, or NaN when an entry is NaN.
@inlinable
func norm2(squared s: Double, of x: [Double]) -> Double {
    if s >= 0x1p-900 && s < Double.infinity { return s.squareRoot() }
    return BLAS.nrm2(x)
}

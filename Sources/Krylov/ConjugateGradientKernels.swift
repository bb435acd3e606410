import LinearAlgebra

/// The fused vector update of ``ConjugateGradient`` on raw buffers (a kernel
/// helper: no bounds or uniqueness checks inside the loop).
enum ConjugateGradientKernels {
    /// The iterate and residual update and the new residual's squared norm, in one pass:
    ///
    /// ```
    /// x ← x + α p,   r ← r − α q,   returns rᵀr (of the updated r)
    /// ```
    ///
    /// The sum runs in four interleaved partial sums (so that the additions do not wait on
    /// one another), added pairwise at the end.
    ///
    /// - Parameters:
    ///   - alpha: the step `α`.
    ///   - p: the search direction, length `n`.
    ///   - q: `A p`, length `n`.
    ///   - x: the iterate, length `n`, updated.
    ///   - r: the residual, length `n`, updated.
    /// - Returns: `rᵀr` after the update.
    static func step(_ alpha: Double, _ p: [Double], _ q: [Double], _ x: inout [Double], _ r: inout [Double]) -> Double {
        let n = x.count
        precondition(p.count == n && q.count == n && r.count == n, "CG step: lengths differ")
        return p.withUnsafeBufferPointer { p in
            q.withUnsafeBufferPointer { q in
                x.withUnsafeMutableBufferPointer { x in
                    r.withUnsafeMutableBufferPointer { r in
                        guard let pp = p.baseAddress, let qp = q.baseAddress, let xp = x.baseAddress,
                              let rp = r.baseAddress else { return 0 }
                        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                        var i = 0
                        while i + 4 <= n {
                            xp[i] += alpha * pp[i]
                            xp[i + 1] += alpha * pp[i + 1]
                            xp[i + 2] += alpha * pp[i + 2]
                            xp[i + 3] += alpha * pp[i + 3]
                            let r0 = rp[i] - alpha * qp[i], r1 = rp[i + 1] - alpha * qp[i + 1]
                            let r2 = rp[i + 2] - alpha * qp[i + 2], r3 = rp[i + 3] - alpha * qp[i + 3]
                            rp[i] = r0
                            rp[i + 1] = r1
                            rp[i + 2] = r2
                            rp[i + 3] = r3
                            s0 += r0 * r0
                            s1 += r1 * r1
                            s2 += r2 * r2
                            s3 += r3 * r3
                            i += 4
                        }
                        while i < n {
                            xp[i] += alpha * pp[i]
                            let ri = rp[i] - alpha * qp[i]
                            rp[i] = ri
                            s0 += ri * ri
                            i += 1
                        }
                        return (s0 + s1) + (s2 + s3)
                    }
                }
            }
        }
    }

    /// The update of Jacobi-preconditioned CG (`z = D⁻¹ r` never stored), in one pass:
    ///
    /// ```
    /// x ← x + α p,   r ← r − α q,   returns (rᵀr, rᵀD⁻¹r) of the updated r
    /// ```
    ///
    /// - Parameters:
    ///   - alpha: the step `α`.
    ///   - p: the search direction, length `n`.
    ///   - q: `A p`, length `n`.
    ///   - inverseDiagonal: `D⁻¹`, length `n`.
    ///   - x: the iterate, length `n`, updated.
    ///   - r: the residual, length `n`, updated.
    /// - Returns: `rᵀr` and `rᵀD⁻¹r` after the update.
    static func jacobiStep(_ alpha: Double, _ p: [Double], _ q: [Double], _ inverseDiagonal: [Double],
                           _ x: inout [Double], _ r: inout [Double]) -> (squared: Double, preconditioned: Double) {
        let n = x.count
        precondition(p.count == n && q.count == n && r.count == n && inverseDiagonal.count == n,
                     "Jacobi CG step: lengths differ")
        return p.withUnsafeBufferPointer { p in
            q.withUnsafeBufferPointer { q in
                inverseDiagonal.withUnsafeBufferPointer { d in
                    x.withUnsafeMutableBufferPointer { x in
                        r.withUnsafeMutableBufferPointer { r in
                            guard let pp = p.baseAddress, let qp = q.baseAddress, let dp = d.baseAddress,
                                  let xp = x.baseAddress, let rp = r.baseAddress else { return (0, 0) }
                            // Two lanes of two (SIMD2 maps to one SSE2 register): four partial sums each.
                            typealias V = SIMD2<Double>
                            let a = V(repeating: alpha)
                            var s0 = V(), s1 = V(), t0 = V(), t1 = V()
                            var i = 0
                            while i + 4 <= n {
                                let x0 = loadPair(xp + i) + a * loadPair(pp + i), x1 = loadPair(xp + i + 2) + a * loadPair(pp + i + 2)
                                storePair(x0, xp + i)
                                storePair(x1, xp + i + 2)
                                let r0 = loadPair(rp + i) - a * loadPair(qp + i), r1 = loadPair(rp + i + 2) - a * loadPair(qp + i + 2)
                                storePair(r0, rp + i)
                                storePair(r1, rp + i + 2)
                                let u0 = r0 * r0, u1 = r1 * r1
                                s0 += u0
                                s1 += u1
                                t0 += u0 * loadPair(dp + i)
                                t1 += u1 * loadPair(dp + i + 2)
                                i += 4
                            }
                            var squared = (s0 + s1).sum(), preconditioned = (t0 + t1).sum()
                            while i < n {
                                xp[i] += alpha * pp[i]
                                let ri = rp[i] - alpha * qp[i]
                                rp[i] = ri
                                squared += ri * ri
                                preconditioned += ri * ri * dp[i]
                                i += 1
                            }
                            return (squared, preconditioned)
                        }
                    }
                }
            }
        }
    }

    /// The new direction of Jacobi-preconditioned CG, `p ← D⁻¹ r + β p`, in one pass.
    ///
    /// - Parameters:
    ///   - beta: `β`.
    ///   - r: the residual, length `n`.
    ///   - inverseDiagonal: `D⁻¹`, length `n`.
    ///   - p: the direction, length `n`, updated.
    static func jacobiDirection(_ beta: Double, _ r: [Double], _ inverseDiagonal: [Double], _ p: inout [Double]) {
        let n = p.count
        precondition(r.count == n && inverseDiagonal.count == n, "Jacobi CG direction: lengths differ")
        r.withUnsafeBufferPointer { r in
            inverseDiagonal.withUnsafeBufferPointer { d in
                p.withUnsafeMutableBufferPointer { p in
                    guard let rp = r.baseAddress, let dp = d.baseAddress, let pp = p.baseAddress else { return }
                    updateJacobiDirection(0, n, beta: beta, rp, dp, pp)
                }
            }
        }
    }
}

import CStencilKernels

/// The hot loops of the stencil products on the C kernels compiled for AVX2 without FMA
/// (`CStencilKernels`), when the processor has it (kernel helpers: raw pointers, no checks inside the loops).
extension DiagonalOffsetKernels {
    /// Whether the processor runs AVX2 and the environment variable `IMPLICIT_DIFF_SCALAR_KERNELS` is
    /// not set, asked once: the products then form their rows four at a time in C.
    static let vectorKernels: Bool = cstencil_vector_kernels_enabled() != 0

    /// ``constantRows(five:_:_:_:_:_:_:dot:_:direction:)`` on the AVX2 kernel: the same rows, stops
    /// and direction entries, and the same sums, each lane doing the Swift loop's operations in its
    /// order (no fused multiply-add), so that every entry of `q`, `p` and `sums` has its bits.
    ///
    /// - Returns: the row reached (`end` without a direction).
    @inline(__always)
    static func vectorRows(five: Bool, _ start: Int, _ end: Int, _ c: (Double, Double, Double, Double),
                           _ vm: UnsafePointer<Double>,
                           _ x: TermPointers,
                           _ q: UnsafeMutablePointer<Double>, dot: Bool,
                           _ sums: inout (even: SIMD2<Double>, odd: SIMD2<Double>, total: Double),
                           direction: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafeMutablePointer<Double>,
                                       Double, Int)?) -> Int {
        // The kernel's sums: the even pair, the odd pair, the total, side by side.
        var s = (sums.even[0], sums.even[1], sums.odd[0], sums.odd[1], sums.total)
        let (mu, ru, pu, beta, count) = direction ?? (nil, nil, nil, 0, 0)
        let reached = withUnsafeMutablePointer(to: &s) { tuple in
            tuple.withMemoryRebound(to: Double.self, capacity: 5) { sp in
                cstencil_constant_rows(five ? 1 : 0, start, end, c.0, c.1, c.2, c.3, vm, x.0, x.1, x.2, x.3, x.4,
                                       q, dot ? 1 : 0, sp, mu, ru, pu, beta, count)
            }
        }
        sums = (SIMD2(s.0, s.1), SIMD2(s.2, s.3), s.4)
        return reached
    }

    /// ``interior(five:first:last:rows:lead:beta:_:_:_:_:_:_:)`` on the AVX2 kernel: the same rows
    /// and direction entries, each lane doing the Swift loop's operations in its order (no fused
    /// multiply-add), and `pᵀq` in its grouping, so that every result has its bits.
    ///
    /// - Returns: the rows' part of `pᵀq`.
    @inline(__always)
    static func vectorInterior(five: Bool, first: Int, last: Int, rows: Int, lead: Int, beta: Double,
                               _ v: TermPointers,
                               _ x: TermPointers,
                               _ rp: UnsafePointer<Double>, _ mp: UnsafePointer<Double>,
                               _ pp: UnsafeMutablePointer<Double>, _ qp: UnsafeMutablePointer<Double>) -> Double {
        cstencil_direction_rows(five ? 1 : 0, first, last, rows, lead, beta, v.0, v.1, v.2, v.3, v.4,
                                x.0, x.1, x.2, x.3, x.4, rp, mp, pp, qp)
    }
}

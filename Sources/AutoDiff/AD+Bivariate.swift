import LinearAlgebra

/// Drivers for `F: Rⁿ × Rᵐ → Rᵏ`, the shape of implicit conditions
/// `F(x, y) = 0`, with `B = ∂F/∂x` (k×n) and `A = ∂F/∂y` (k×m).
extension AD {
    /// `F(x, y)` on `Double`.
    @inlinable
    public static func value<F: DifferentiableBivariateFunction>(of f: F, x: [Double], y: [Double]) -> [Double] {
        f(x, y)
    }

    /// `(F(x, y), B·dx + A·dy)` by one evaluation on one-direction duals;
    /// `nil` means a zero direction (that argument enters as constants).
    @inlinable
    public static func jvp<F: DifferentiableBivariateFunction>(of f: F, x: [Double], y: [Double],
                                                              dx: [Double]?, dy: [Double]?)
        -> (value: [Double], tangent: [Double]) {
        precondition(dx == nil || dx!.count == x.count, "jvp: dx has length \(dx!.count), x has length \(x.count)")
        precondition(dy == nil || dy!.count == y.count, "jvp: dy has length \(dy!.count), y has length \(y.count)")
        let xs = x.indices.map { Dual<Double>(x[$0], tangent: dx?[$0] ?? 0) }
        let ys = y.indices.map { Dual<Double>(y[$0], tangent: dy?[$0] ?? 0) }
        return split(f(xs, ys))
    }

    /// `B·dx = (∂F/∂x)·dx` alone (no value), by one evaluation with `x` on
    /// one-direction duals and `y` constant; the arrays are filled in place,
    /// one fewer than ``jvp(of:x:y:dx:dy:)`` needs.
    ///
    /// - Parameters:
    ///   - f: the function.
    ///   - x: the first argument, length `n`.
    ///   - y: the second argument (constant).
    ///   - dx: the direction, length `n`.
    /// - Returns: the tangent, length `k` (the output length).
    @inlinable
    package static func tangent<F: DifferentiableBivariateFunction>(of f: F, x: [Double], y: [Double],
                                                                  dx: [Double]) -> [Double] {
        precondition(dx.count == x.count, "tangent: dx has length \(dx.count), x has length \(x.count)")
        let xs = [Dual<Double>](uninitializedCount: x.count) { b in
            for i in 0..<x.count { (b.baseAddress! + i).initialize(to: Dual(x[i], tangent: dx[i])) }
        }
        let ys = [Dual<Double>](uninitializedCount: y.count) { b in
            for i in 0..<y.count { (b.baseAddress! + i).initialize(to: Dual(y[i], tangent: 0)) }
        }
        let out = f(xs, ys)
        return [Double](uninitializedCount: out.count) { b in
            for i in 0..<out.count { (b.baseAddress! + i).initialize(to: out[i].tangent) }
        }
    }

    /// `(F(x, y), Bᵀu, Aᵀu)` by one tape recording and one reverse sweep.
    @inlinable
    public static func vjp<F: DifferentiableBivariateFunction>(of f: F, x: [Double], y: [Double],
                                                              cotangent u: [Double])
        -> (value: [Double], x: [Double], y: [Double]) {
        let lin = linearize(f, x: x, y: y)
        precondition(u.count == lin.outputCount, "vjp: cotangent has length \(u.count), F has length \(lin.outputCount)")
        let (xb, yb) = lin.vjp(u)
        return (lin.value, xb, yb)
    }

    /// Records `F` once at `(x, y)` on a fresh ``Tape`` (inputs `x` then `y`).
    ///
    /// - Parameters:
    ///   - f: the function.
    ///   - x: the first argument, length `n`.
    ///   - y: the second argument, length `m`.
    ///   - capacity: nodes to reserve before recording (a previous recording's
    ///     ``TapeRecording/nodeCount`` at these shapes), so that the tape does not grow
    ///     and copy while it records; `nil` for a guess from `n + m`.
    /// - Returns: the recording, with `x` and `y` as its inputs.
    @inlinable
    public static func linearize<F: DifferentiableBivariateFunction>(_ f: F, x: [Double], y: [Double],
                                                                     capacity: Int? = nil)
        -> BivariateLinearization {
        let tape = Tape(capacity: Swift.max(1 << 12, 16 * (x.count + y.count), capacity ?? 0))
        let xs = tape.inputs(x)
        let ys = tape.inputs(y)
        let out = f(xs, ys)
        return BivariateLinearization(tape.finish(inputs: xs + ys, outputs: out), xCount: x.count)
    }

    /// `F(x, y)` and the requested Jacobian blocks `B = ∂F/∂x` (k×n) and
    /// `A = ∂F/∂y` (k×m), by ``DualN```<8>` passes that seed only the requested
    /// argument's columns (eight per pass; with `.both`, `⌈(n+m)/8⌉` passes);
    /// the other argument enters as constants.
    ///
    /// - Returns: `value`, and `x`/`y` — `nil` for a block not requested.
    @inlinable
    public static func jacobians<F: DifferentiableBivariateFunction>(of f: F, x: [Double], y: [Double],
                                                                    withRespectTo which: ArgumentSelection)
        -> (value: [Double], x: Matrix?, y: Matrix?) {
        let n = x.count, m = y.count
        let nx = which.includesX ? n : 0, ny = which.includesY ? m : 0
        let total = nx + ny
        var xs = x.map { DualN<8>($0) }, ys = y.map { DualN<8>($0) }
        // Global column c < nx is x[c]; nx ≤ c < total is y[c − nx] (or y[c] when x is not seeded).
        @inline(__always) func set(_ c: Int, seed k: Int?) {
            if c < nx {
                xs[c] = k.map { DualN<8>(x[c], seed: $0) } ?? DualN<8>(x[c])
            } else {
                let j = c - nx
                ys[j] = k.map { DualN<8>(y[j], seed: $0) } ?? DualN<8>(y[j])
            }
        }
        var value: [Double]? = nil
        // Plain arrays, not Optional<Matrix>: mutating through `A!.elements`
        // copied the whole matrix on every pass (quadratic in the size).
        var bStore: [Double] = [], aStore: [Double] = []
        var rows = 0
        for c0 in stride(from: 0, to: total, by: 8) {
            let w = Swift.min(8, total - c0)
            for k in 0..<w { set(c0 + k, seed: k) }
            let out = f(xs, ys)
            if value == nil {
                rows = out.count
                value = out.map(\.value)
                if which.includesX { bStore = [Double](repeating: 0, count: rows * n) }
                if which.includesY { aStore = [Double](repeating: 0, count: rows * m) }
            }
            precondition(out.count == rows, "jacobians: output length changed between passes")
            for k in 0..<w {
                let c = c0 + k
                if c < nx {
                    bStore.withUnsafeMutableBufferPointer { e in
                        for i in 0..<rows { e[i + c * rows] = out[i].partials[k] }
                    }
                } else {
                    aStore.withUnsafeMutableBufferPointer { e in
                        for i in 0..<rows { e[i + (c - nx) * rows] = out[i].partials[k] }
                    }
                }
            }
            for k in 0..<w { set(c0 + k, seed: nil) }
        }
        var B: Matrix? = nil, A: Matrix? = nil
        if value != nil {
            if which.includesX { B = Matrix(rows: rows, columns: n, elements: bStore) }
            if which.includesY { A = Matrix(rows: rows, columns: m, elements: aStore) }
        } else {   // nothing to seed: one plain evaluation
            let v = f(x, y)
            value = v
            if which.includesX { B = Matrix(rows: v.count, columns: n) }
            if which.includesY { A = Matrix(rows: v.count, columns: m) }
        }
        return (value!, B, A)
    }
}

extension AD {
    /// The one Jacobian block `A = ∂F/∂y` (`withRespectToY`) or `B = ∂F/∂x`
    /// (k×m or k×n), without `F`'s value.
    ///
    /// A block of at most 16 columns takes one evaluation on ``DualN``
    /// (`DualN<8>` up to 8 columns, `DualN<16>` up to 16), seeded directly
    /// into fresh arrays; a wider block takes the `⌈columns/8⌉` passes of
    /// ``jacobians(of:x:y:withRespectTo:)``. At `m = 10` one `DualN<16>`
    /// evaluation replaces two `DualN<8>` ones and their seeding and copying.
    ///
    /// - Parameters:
    ///   - f: the function.
    ///   - x: the first argument, length `n`.
    ///   - y: the second argument, length `m`.
    ///   - withRespectToY: `true` for `∂F/∂y`, `false` for `∂F/∂x`.
    /// - Returns: the block, column-major, `k` rows (`k` = the output length).
    @inlinable
    public static func jacobian<F: DifferentiableBivariateFunction>(of f: F, x: [Double], y: [Double],
                                                                   withRespectToY: Bool) -> Matrix {
        jacobianBlock(of: f, x: x, y: y, withRespectToY: withRespectToY, withValue: false).jacobian
    }

    /// `F(x, y)` and the one Jacobian block `∂F/∂y` (`withRespectToY`) or
    /// `∂F/∂x` from the same evaluations: for at most 16 columns one
    /// evaluation on ``DualN``, which replaces a separate `Double` evaluation
    /// when both are needed; else the passes of ``jacobians(of:x:y:withRespectTo:)``.
    ///
    /// The value is the dual numbers' value part: the same operations as on
    /// `Double` except where a kernel groups them differently (a matrix
    /// product runs as one product with `[values | partials]`), which can
    /// change the last bits.
    ///
    /// - Parameters:
    ///   - f: the function.
    ///   - x: the first argument, length `n`.
    ///   - y: the second argument, length `m`.
    ///   - withRespectToY: `true` for `∂F/∂y`, `false` for `∂F/∂x`.
    /// - Returns: the value (length `k`) and the block (`k` rows).
    @inlinable
    package static func valueAndJacobian<F: DifferentiableBivariateFunction>(
        of f: F, x: [Double], y: [Double], withRespectToY: Bool
    ) -> (value: [Double], jacobian: Matrix) {
        jacobianBlock(of: f, x: x, y: y, withRespectToY: withRespectToY, withValue: true)
    }

    /// The block and, when `withValue`, `F`'s value (else `[]`): one `DualN<8>`
    /// or `DualN<16>` evaluation up to 16 columns, the passes of
    /// ``jacobians(of:x:y:withRespectTo:)`` above.
    @inlinable
    static func jacobianBlock<F: DifferentiableBivariateFunction>(
        of f: F, x: [Double], y: [Double], withRespectToY: Bool, withValue: Bool
    ) -> (value: [Double], jacobian: Matrix) {
        let columns = withRespectToY ? y.count : x.count
        if columns <= 8 {
            return singlePassJacobian(of: f, x: x, y: y, withRespectToY: withRespectToY, lanes: DualN<8>.self,
                                      withValue: withValue)
        }
        if columns <= 16 {
            return singlePassJacobian(of: f, x: x, y: y, withRespectToY: withRespectToY, lanes: DualN<16>.self,
                                      withValue: withValue)
        }
        let j = jacobians(of: f, x: x, y: y, withRespectTo: withRespectToY ? .y : .x)
        return (withValue ? j.value : [], withRespectToY ? j.y! : j.x!)
    }

    /// One evaluation of `f` on `DualN<N>`, the `columns ≤ N` entries of the
    /// differentiated argument seeded with the first unit directions, the
    /// other argument constant; the partials are copied out column-major, and
    /// the value part too when `withValue` (else the value is `[]`).
    @inlinable
    static func singlePassJacobian<F: DifferentiableBivariateFunction, let N: Int>(
        of f: F, x: [Double], y: [Double], withRespectToY: Bool, lanes: DualN<N>.Type, withValue: Bool
    ) -> (value: [Double], jacobian: Matrix) {
        let seeded = withRespectToY ? y : x, fixed = withRespectToY ? x : y
        let c = seeded.count
        precondition(c <= N, "singlePassJacobian: \(c) columns for \(N) lanes")
        let s = [DualN<N>](uninitializedCount: c) { b in
            for j in 0..<c {
                var p = InlineArray<N, Double>(repeating: 0)
                p[j] = 1
                (b.baseAddress! + j).initialize(to: DualN(seeded[j], partials: p))
            }
        }
        let k = [DualN<N>](uninitializedCount: fixed.count) { b in
            for j in 0..<fixed.count { (b.baseAddress! + j).initialize(to: DualN(fixed[j])) }
        }
        let out = withRespectToY ? f(k, s) : f(s, k)
        let rows = out.count
        let value = !withValue ? [] : [Double](uninitializedCount: rows) { b in
            for i in 0..<rows { (b.baseAddress! + i).initialize(to: out[i].value) }
        }
        let elements = [Double](uninitializedCount: rows * c) { b in
            out.withUnsafeBufferPointer { o in
                for j in 0..<c {
                    for i in 0..<rows { (b.baseAddress! + (i + j * rows)).initialize(to: o[i].partials[j]) }
                }
            }
        }
        return (value, Matrix(rows: rows, columns: c, elements: elements))
    }
}

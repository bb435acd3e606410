import LinearAlgebra

/// `F: Rⁿ × Rᵐ → Rᵏ` recorded once at `(x, y)`: the implicit layer's
/// linearization of its conditions. Products with `B = ∂F/∂x` (k×n) and
/// `A = ∂F/∂y` (k×m) are sweeps over the recording:
///
/// ```
/// jvp(dx:dy:)  = B·dx + A·dy          one forward sweep
/// vjp(u)       = (Bᵀu, Aᵀu)           one reverse sweep
/// ```
///
/// No sweep re-evaluates `F`. Immutable and `Sendable`: any number of threads
/// may sweep it at once; the `into:` variants allocate nothing once the
/// scratch pool is warm. Made by ``AD/linearize(_:x:y:)``.
public struct BivariateLinearization: Sendable {
    /// The recording; its inputs are `x` then `y`.
    public let recording: TapeRecording
    /// `n`, the length of `x`.
    public let xCount: Int
    /// `m`, the length of `y`.
    public let yCount: Int

    /// Wraps a recording whose inputs are `x` (first `xCount`) then `y`.
    public init(_ recording: TapeRecording, xCount: Int) {
        precondition(xCount >= 0 && xCount <= recording.inputCount, "BivariateLinearization: bad xCount")
        self.recording = recording
        self.xCount = xCount
        self.yCount = recording.inputCount - xCount
    }

    /// `F(x, y)` at the recorded point.
    @inlinable public var value: [Double] { recording.outputValues }
    /// `k`, the length of `F(x, y)`.
    @inlinable public var outputCount: Int { recording.outputCount }

    /// `B·dx + A·dy` into `out` (length `k`); `nil` means a zero direction.
    package func jvp(dx: UnsafeBufferPointer<Double>?, dy: UnsafeBufferPointer<Double>?,
                    into out: UnsafeMutableBufferPointer<Double>) {
        precondition(dx == nil || dx!.count == xCount, "jvp: dx has length \(dx!.count), expected \(xCount)")
        precondition(dy == nil || dy!.count == yCount, "jvp: dy has length \(dy!.count), expected \(yCount)")
        precondition(out.count == outputCount, "jvp: output buffer has length \(out.count), expected \(outputCount)")
        guard let ob = out.baseAddress else { return }
        let n = xCount, m = yCount
        recording.forward(seed: { s in
            if let p = dx?.baseAddress { s.update(from: p, count: n) } else { s.update(repeating: 0, count: n) }
            if let p = dy?.baseAddress { (s + n).update(from: p, count: m) } else { (s + n).update(repeating: 0, count: m) }
        }, into: ob)
    }

    /// `B·dx + A·dy` into `out`, an array of length `k`; `nil` means a zero direction.
    public func jvp(dx: [Double]?, dy: [Double]?, into out: inout [Double]) {
        func withOptional<R>(_ a: [Double]?, _ body: (UnsafeBufferPointer<Double>?) -> R) -> R {
            if let a { return a.withUnsafeBufferPointer { body($0) } }
            return body(nil)
        }
        withOptional(dx) { px in withOptional(dy) { py in
            out.withUnsafeMutableBufferPointer { jvp(dx: px, dy: py, into: $0) }
        } }
    }

    /// `B·dx + A·dy` (length `k`); `nil` means a zero direction.
    public func jvp(dx: [Double]?, dy: [Double]?) -> [Double] {
        var out = [Double](repeating: 0, count: outputCount)
        jvp(dx: dx, dy: dy, into: &out)
        return out
    }

    /// `(Bᵀu, Aᵀu)` into `xOut` (length `n`) and `yOut` (length `m`).
    package func vjp(_ u: UnsafeBufferPointer<Double>, intoX xOut: UnsafeMutableBufferPointer<Double>,
                    intoY yOut: UnsafeMutableBufferPointer<Double>) {
        precondition(u.count == outputCount, "vjp: cotangent has length \(u.count), expected \(outputCount)")
        precondition(xOut.count == xCount && yOut.count == yCount, "vjp: output buffers have the wrong lengths")
        guard let ub = u.baseAddress else {
            xOut.update(repeating: 0); yOut.update(repeating: 0); return
        }
        let n = xCount, m = yCount
        recording.reverse(cotangent: ub) { a in
            if let p = xOut.baseAddress { p.update(from: a, count: n) }
            if let p = yOut.baseAddress { p.update(from: a + n, count: m) }
        }
    }

    /// `(Bᵀu, Aᵀu)` into arrays of lengths `n` and `m`.
    public func vjp(_ u: [Double], intoX xOut: inout [Double], intoY yOut: inout [Double]) {
        u.withUnsafeBufferPointer { ub in
            xOut.withUnsafeMutableBufferPointer { xb in
                yOut.withUnsafeMutableBufferPointer { yb in vjp(ub, intoX: xb, intoY: yb) }
            }
        }
    }

    /// `Aᵀu` only, into an array of length `m` (the transposed operator of
    /// `A = ∂F/∂y` for Krylov methods; one reverse sweep, no `x` buffer).
    public func vjp(_ u: [Double], intoY yOut: inout [Double]) {
        precondition(u.count == outputCount && yOut.count == yCount, "vjp(intoY:): wrong lengths")
        let n = xCount, m = yCount
        u.withUnsafeBufferPointer { ub in
            yOut.withUnsafeMutableBufferPointer { yb in
                guard let ubase = ub.baseAddress else { return yb.update(repeating: 0) }
                recording.reverse(cotangent: ubase) { a in if let p = yb.baseAddress { p.update(from: a + n, count: m) } }
            }
        }
    }

    /// `Bᵀu` only, into an array of length `n` (one reverse sweep, no `y` buffer).
    public func vjp(_ u: [Double], intoX xOut: inout [Double]) {
        precondition(u.count == outputCount && xOut.count == xCount, "vjp(intoX:): wrong lengths")
        let n = xCount
        u.withUnsafeBufferPointer { ub in
            xOut.withUnsafeMutableBufferPointer { xb in
                guard let ubase = ub.baseAddress else { return xb.update(repeating: 0) }
                recording.reverse(cotangent: ubase) { a in if let p = xb.baseAddress { p.update(from: a, count: n) } }
            }
        }
    }

    /// `(x: Bᵀu, y: Aᵀu)`, the vector-Jacobian products with both arguments.
    public func vjp(_ u: [Double]) -> (x: [Double], y: [Double]) {
        var xb = [Double](repeating: 0, count: xCount), yb = [Double](repeating: 0, count: yCount)
        vjp(u, intoX: &xb, intoY: &yb)
        return (xb, yb)
    }

    /// `B = ∂F/∂x` (k×n): `n` forward or `k` reverse sweeps, whichever is fewer.
    public func jacobianX() -> Matrix { recording.jacobian(inputs: 0..<xCount) }

    /// `A = ∂F/∂y` (k×m): `m` forward or `k` reverse sweeps, whichever is fewer.
    public func jacobianY() -> Matrix { recording.jacobian(inputs: xCount..<(xCount + yCount)) }
}

extension BivariateLinearization {
    /// The patterns of `B = ∂F/∂x` (k×n) and `A = ∂F/∂y` (k×m) at the
    /// recorded point, from one index-set propagation over the recording
    /// (see ``TapeRecording/jacobianPattern()``: partials exactly zero at
    /// this point are dropped; custom nodes contribute their declared pattern
    /// or a dense block).
    ///
    /// - Returns: `x`: the pattern of `B`; `y`: the pattern of `A`.
    public func jacobianPatterns() -> (x: SparsityPattern, y: SparsityPattern) {
        let p = recording.jacobianPattern()
        return (p.columns(0..<xCount), p.columns(xCount..<(xCount + yCount)))
    }
}

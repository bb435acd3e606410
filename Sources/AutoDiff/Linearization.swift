import LinearAlgebra

/// `f: Rⁿ → Rᵐ` recorded once at a point `x`: its value, and Jacobian
/// products by sweeps over the recording — a forward sweep for `J·v`, a
/// reverse sweep for `Jᵀ·u` — with no re-evaluation of `f` (no exp, no log).
///
/// Immutable and `Sendable`: any number of threads may sweep it at once. The
/// `into:` variants write into caller buffers and, once the scratch pool is
/// warm, allocate nothing (for Krylov loops). Made by ``AD/linearize(_:at:)``.
public struct Linearization: Sendable {
    /// The recording swept by every product.
    public let recording: TapeRecording

    /// Wraps a recording whose inputs are `x`.
    public init(_ recording: TapeRecording) { self.recording = recording }

    /// `f(x)` at the recorded point.
    @inlinable public var value: [Double] { recording.outputValues }
    /// `n`, the length of `x`.
    @inlinable public var inputCount: Int { recording.inputCount }
    /// `m`, the length of `f(x)`.
    @inlinable public var outputCount: Int { recording.outputCount }

    /// `J·v` into `out` (`v.count == n`, `out.count == m`).
    package func jvp(_ v: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        precondition(v.count == inputCount, "jvp: tangent has length \(v.count), expected \(inputCount)")
        precondition(out.count == outputCount, "jvp: output buffer has length \(out.count), expected \(outputCount)")
        guard let ob = out.baseAddress else { return }
        recording.forward(seed: { s in if let vb = v.baseAddress { s.update(from: vb, count: v.count) } }, into: ob)
    }

    /// `J·v` into `out`, an array of length `m`.
    public func jvp(_ v: [Double], into out: inout [Double]) {
        v.withUnsafeBufferPointer { vb in out.withUnsafeMutableBufferPointer { jvp(vb, into: $0) } }
    }

    /// `J·v`, the Jacobian-vector product (length `m`).
    public func jvp(_ v: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: outputCount)
        jvp(v, into: &out)
        return out
    }

    /// `Jᵀ·u` into `out` (`u.count == m`, `out.count == n`).
    package func vjp(_ u: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        precondition(u.count == outputCount, "vjp: cotangent has length \(u.count), expected \(outputCount)")
        precondition(out.count == inputCount, "vjp: output buffer has length \(out.count), expected \(inputCount)")
        guard let ob = out.baseAddress else { return }
        guard let ub = u.baseAddress else { return ob.update(repeating: 0, count: out.count) }
        let n = inputCount
        recording.reverse(cotangent: ub) { a in ob.update(from: a, count: n) }
    }

    /// `Jᵀ·u` into `out`, an array of length `n`.
    public func vjp(_ u: [Double], into out: inout [Double]) {
        u.withUnsafeBufferPointer { ub in out.withUnsafeMutableBufferPointer { vjp(ub, into: $0) } }
    }

    /// `Jᵀ·u`, the vector-Jacobian product (length `n`).
    public func vjp(_ u: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: inputCount)
        vjp(u, into: &out)
        return out
    }

    /// The `m × n` Jacobian: `n` forward sweeps or `m` reverse sweeps, whichever is fewer.
    public func jacobian() -> Matrix { recording.jacobian(inputs: 0..<inputCount) }
}

extension TapeRecording {
    /// The `m × |inputs|` block of the Jacobian for the given input range, by
    /// one forward sweep per column or one reverse sweep per row, whichever
    /// is fewer.
    func jacobian(inputs range: Range<Int>) -> Matrix {
        let m = outputCount, c = range.count
        var J = Matrix(rows: m, columns: c)
        if m == 0 || c == 0 { return J }
        J.elements.withUnsafeMutableBufferPointer { e in
            let base = e.baseAddress!
            if c <= m {
                for j in 0..<c {
                    forward(seed: { s in
                        s.update(repeating: 0, count: self.inputCount)
                        s[range.lowerBound + j] = 1
                    }, into: base + j * m)
                }
            } else {
                var u = [Double](repeating: 0, count: m)
                for i in 0..<m {
                    u[i] = 1
                    u.withUnsafeBufferPointer { ub in
                        reverse(cotangent: ub.baseAddress!) { a in
                            for j in 0..<c { base[i + j * m] = a[range.lowerBound + j] }
                        }
                    }
                    u[i] = 0
                }
            }
        }
        return J
    }
}

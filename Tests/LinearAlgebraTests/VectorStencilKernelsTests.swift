import Testing
import TestSupport
import LinearAlgebra

/// The stencil products on the AVX2 kernels (`CStencilKernels`: the constant-run rows, the general
/// fused direction pass) against the same forms kept to the Swift loops
/// (``DiagonalOffsetMatrix/withScalarKernels``): every entry of `q`, `p` and the sum `pᵀq` bit for
/// bit, for random forms of three and five diagonals with exceptions anywhere.
@Suite struct VectorStencilKernelsTests {
    /// A square form on `offsets`: off-diagonal run `t` equal to `constants[t]` inside the matrix but at
    /// `exceptions` random rows (a zero, as at a grid line's end, or a random value), the main
    /// diagonal random in `[2, 5]`.
    static func form(_ n: Int, _ offsets: [Int], _ constants: [Double], exceptions: Int,
                     _ rng: inout SeededRandom) throws -> DiagonalOffsetMatrix {
        var values = [Double](repeating: 0, count: offsets.count * n)
        for (t, o) in offsets.enumerated() {
            for i in 0..<n where i + o >= 0 && i + o < n { values[t * n + i] = o == 0 ? rng.uniform(2, 5) : constants[t] }
        }
        let runs = offsets.indices.filter { offsets[$0] != 0 && abs(offsets[$0]) < n }
        for k in 0..<(runs.isEmpty ? 0 : exceptions) {
            let t = runs[Int(rng.uniform(0, Double(runs.count))) % runs.count], o = offsets[t]
            let low = max(0, -o), high = min(n, n - o)
            let i = low + Int(rng.uniform(0, Double(high - low))) % (high - low)
            values[t * n + i] = k % 2 == 0 ? 0 : rng.uniform(-3, 3)
        }
        return try DiagonalOffsetMatrix(rows: n, columns: n, offsets: offsets, values: values)
    }

    /// Every product of `a` and of its general form (plain, transposed, with `xᵀy`, after Jacobi's
    /// direction for a few `β`) against the same form on the Swift loops, bit for bit.
    static func compare(_ a: DiagonalOffsetMatrix, _ rng: inout SeededRandom, _ label: String) {
        compareOne(a, &rng, label)
        compareOne(a.withoutConstantRuns, &rng, label + ", general form")
    }

    static func compareOne(_ a: DiagonalOffsetMatrix, _ rng: inout SeededRandom, _ label: String) {
        let scalar = a.withScalarKernels
        #expect(!scalar.vectorKernels && scalar.constantRuns == a.constantRuns, "\(label)")
        let n = a.rows
        let bits = { (v: [Double]) in v.map(\.bitPattern) }
        let x = rng.vector(n)
        var y = [Double](repeating: .nan, count: n), yRef = [Double](repeating: -.nan, count: n)
        a.multiply(x, into: &y)
        scalar.multiply(x, into: &yRef)
        #expect(bits(y) == bits(yRef), "\(label): A x")
        a.multiplyTransposed(x, into: &y)
        scalar.multiplyTransposed(x, into: &yRef)
        #expect(bits(y) == bits(yRef), "\(label): Aᵀx")
        let r = rng.vector(n), m = (0..<n).map { _ in rng.uniform(0.1, 2) }
        for transposed in [false, true] {
            let dot = a.multiplyReturningDot(x, into: &y, transposed: transposed)
            let dotRef = scalar.multiplyReturningDot(x, into: &yRef, transposed: transposed)
            #expect(bits(y) == bits(yRef) && dot.bitPattern == dotRef.bitPattern,
                    "\(label): product with xᵀy, transposed \(transposed): \(dot) against \(dotRef)")
            for beta in [0.0, 0.37, -1.5] {
                var p = x, pRef = x
                let pq = a.multiplyAfterJacobiDirection(beta: beta, residual: r, inverseDiagonal: m, direction: &p,
                                                        into: &y, transposed: transposed)
                let pqRef = scalar.multiplyAfterJacobiDirection(beta: beta, residual: r, inverseDiagonal: m,
                                                                direction: &pRef, into: &yRef, transposed: transposed)
                #expect(bits(p) == bits(pRef) && bits(y) == bits(yRef) && pq.bitPattern == pqRef.bitPattern,
                        "\(label): direction (β \(beta)) and product, transposed \(transposed): \(pq) against \(pqRef)")
            }
        }
    }

    @Test("the forms take the AVX2 kernels exactly when the process has them; the scalar copy never does")
    func switchOfTheForms() throws {
        var rng = SeededRandom(seed: 5)
        let a = try Self.form(64, [-8, -1, 0, 1, 8], [-1, -1, 0, -1, -1], exceptions: 3, &rng)
        #expect(a.constantRuns != nil)
        #expect(a.vectorKernels == DiagonalOffsetMatrix.vectorKernelsAvailable)
        let scalar = a.withScalarKernels
        #expect(!scalar.vectorKernels && scalar.constantRuns == a.constantRuns && scalar.values == a.values)
    }

    @Test("random three- and five-diagonal forms of orders 1 to 301, exceptions anywhere, edges of every width",
          arguments: [1, 2, 3, 5, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 31, 33, 64, 100, 101, 127, 255,
                      256, 257, 258, 259, 299, 300, 301])
    func randomForms(_ n: Int) throws {
        var rng = SeededRandom(seed: UInt64(4000 + n))
        let g = max(1, Int(Double(n).squareRoot()))
        let shapes: [([Int], [Double])] = [
            ([-1, 0, 1], [-1, 0, -1]),
            ([-3, 0, 2], [rng.uniform(-2, 2), 0, rng.uniform(-2, 2)]),
            ([-g, -1, 0, 1, g], [-1, -1, 0, -1, -1]),
            ([-5, -2, 0, 1, 9], [rng.uniform(-2, 2), rng.uniform(-2, 2), 0, rng.uniform(-2, 2), rng.uniform(-2, 2)]),
            ([-(n - 1), -1, 0, 3, n - 1], [0.5, -0.25, 0, 1.5, -2]),
        ]
        var compared = 0
        for (offsets, constants) in shapes where zip(offsets, offsets.dropFirst()).allSatisfy({ $0 < $1 })
                                                    && offsets.allSatisfy({ abs($0) < n }) {
            for exceptions in [0, 1, 2, n / 16, n / 8] {
                let a = try Self.form(n, offsets, constants, exceptions: exceptions, &rng)
                if a.constantRuns != nil { compared += 1 }
                Self.compare(a, &rng, "n \(n), offsets \(offsets), \(exceptions) exceptions")
            }
        }
        // From order 8 on, some of the forms have constant runs (and so the kernel's rows).
        #expect(n < 8 || compared > 0, "n \(n): no form with constant runs")
    }

    @Test("the 2-D stencil's form with its line ends, grids 3 to 17", arguments: [3, 4, 8, 9, 16, 17])
    func stencilLineEnds(_ g: Int) throws {
        var rng = SeededRandom(seed: UInt64(g))
        let n = g * g
        var values = [Double](repeating: 0, count: 5 * n)
        for (t, o) in [-g, -1, 0, 1, g].enumerated() {
            for i in 0..<n where i + o >= 0 && i + o < n {
                let hole = (o == -1 && i % g == 0) || (o == 1 && i % g == g - 1)
                values[t * n + i] = o == 0 ? 4 + rng.uniform(0, 1) : hole ? 0 : -1
            }
        }
        let a = try DiagonalOffsetMatrix(rows: n, columns: n, offsets: [-g, -1, 0, 1, g], values: values)
        Self.compare(a, &rng, "grid \(g)")
    }
}

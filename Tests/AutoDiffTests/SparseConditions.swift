import AutoDiff
import LinearAlgebra
import TestSupport

/// Random sparse conditions `F: Rⁿ × Rᵐ → Rᵏ` for the sparsity and colouring
/// properties: each output sums a few random terms — products, elementary
/// functions, a branch on a value, a scaled variable, and entries of the
/// array-level product `w = M y` with a sparse `M` (one custom node on the tape).
struct SparseConditions: DifferentiableBivariateFunction, CustomStringConvertible, Sendable {
    /// One term of one output; `a`, `b` index `y` (or `x`, by kind), `c` is a constant.
    struct Term: Sendable {
        var kind: Int, a: Int, b: Int, c: Double
    }
    let n: Int, m: Int
    let outputs: [[Term]]
    /// `r × m`, about a third of its entries non-zero.
    let product: Matrix

    var description: String { "SparseConditions(n: \(n), m: \(m), k: \(outputs.count), terms: \(outputs.map(\.count)))" }

    static let kinds = 7

    static func generate(_ rng: inout SeededRandom) -> SparseConditions {
        let n = rng.int(1...6), m = rng.int(2...24), k = rng.int(1...24), r = rng.int(1...5)
        var product = Matrix(rows: r, columns: m)
        for j in 0..<m { for i in 0..<r where rng.uniform(0, 1) < 0.3 { product[i, j] = rng.uniform() } }
        let outputs = (0..<k).map { _ in
            (0..<rng.int(0...3)).map { _ in
                let kind = rng.int(0...(kinds - 1))
                return Term(kind: kind, a: rng.int(0...(m - 1)), b: rng.int(0...(m - 1)), c: rng.uniform(0.5, 2))
            }
        }
        return SparseConditions(n: n, m: m, outputs: outputs, product: product)
    }

    /// A point: `y` uniform, `x` uniform with one exact zero (a partial that vanishes here).
    /// A random instance with a random point: one case of the property checks.
    static func generateWithPoint(_ rng: inout SeededRandom) -> (SparseConditions, [Double], [Double]) {
        let f = generate(&rng)
        let p = f.point(&rng)
        return (f, p.x, p.y)
    }

    func point(_ rng: inout SeededRandom) -> (x: [Double], y: [Double]) {
        var x = rng.vector(n)
        x[rng.int(0...(n - 1))] = 0
        return (x, rng.vector(m))
    }

    func callAsFunction<T: DifferentiableScalar>(_ x: [T], _ y: [T]) -> [T] {
        let w = product * y   // one custom node on the tape, one gemv on duals
        return outputs.map { terms in
            var s = T.zero
            for t in terms {
                let xa = x[t.a % n], xb = x[t.b % n]
                switch t.kind {
                case 0: s += T(t.c) * y[t.a] * y[t.b]
                case 1: s += T.sin(y[t.a]) * xb
                case 2: s += T.exp(T(t.c) * y[t.a]) - T(t.c) * y[t.b]     // scaled variable, folded
                case 3: s += y[t.a] > T(0) ? y[t.b] * y[t.b] : xa * y[t.a]  // a branch on a value
                case 4: s += w[t.a % w.count] * T(t.c)                      // the array-level node
                case 5: s += y[t.a] * xa                                    // zero at x = 0
                default: s += T.max(y[t.a], y[t.b]) + T.log(T(2) + xb)      // one side taken
                }
            }
            return s
        }
    }
}

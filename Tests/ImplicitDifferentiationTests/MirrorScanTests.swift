import Testing
@testable import ImplicitDifferentiation
import LinearAlgebra
import TestSupport

/// The symmetry test made inside the dominance pass (`MirrorScan`) against
/// `SparseMatrix.symmetry(tolerance:)` with its binary searches, and the diagonal that pass keeps
/// against the dense matrix's.
@Suite struct MirrorScanTests {
    /// A CSC matrix from its entries, explicit zeros kept (columns sorted by row).
    static func matrix(_ m: Int, _ entries: [Int: Double]) -> SparseMatrix {
        var pointers = [0], rows: [Int] = [], values: [Double] = []
        for j in 0..<m {
            for i in 0..<m { if let v = entries[i + j * m] { rows.append(i); values.append(v) } }
            pointers.append(rows.count)
        }
        return try! SparseMatrix(rows: m, columns: m, columnPointers: pointers, rowIndices: rows, values: values)
    }

    /// Random square matrices of order 1–8: patterns symmetric or not, values mirrored exactly,
    /// within the tolerance (a relative change of 10⁻⁹), beyond it (10⁻³), or unrelated; a missing
    /// mirror stored as an explicit zero or not stored; diagonals sometimes zero or missing.
    static func randomCase(_ seed: UInt64) -> SparseMatrix {
        var rng = SeededRandom(seed: seed)
        let m = 1 + Int(rng.next() % 8)
        let mode = rng.next() % 5   // 0 exact, 1 within tolerance, 2 beyond, 3 unrelated, 4 one-sided pattern
        var entries: [Int: Double] = [:]
        for j in 0..<m {
            let diagonal = rng.next() % 10
            if diagonal > 0 { entries[j + j * m] = diagonal == 1 ? 0 : rng.uniform(2, 5) }   // 0 missing, 1 zero
            for i in (j + 1)..<max(j + 1, m) where rng.next() % 3 == 0 {
                let v = rng.uniform()
                entries[i + j * m] = v
                switch mode {
                case 0: entries[j + i * m] = v
                case 1: entries[j + i * m] = v * (1 + 1e-9 * rng.uniform())
                case 2: entries[j + i * m] = rng.next() % 4 == 0 ? v * (1 + 1e-3) : v
                case 3: entries[j + i * m] = rng.uniform()
                default:
                    switch rng.next() % 3 {
                    case 0: entries[j + i * m] = 0        // an explicit zero opposite a non-zero
                    case 1: break                          // no mirror
                    default: entries[j + i * m] = v
                    }
                }
            }
        }
        if mode == 4, m > 2, rng.next() % 2 == 0 { entries[0 + (m - 1) * m] = entries[0 + (m - 1) * m] ?? 0 }   // extra upper entry
        return matrix(m, entries)
    }

    /// Symmetry read off the dense matrix, entry by entry: every off-diagonal pair within `tolerance`
    /// relative to the larger of the two (a missing entry reads as 0); exact when the stored pattern is
    /// mirrored and every pair is equal.
    static func denseSymmetry(_ a: SparseMatrix, _ dense: Matrix, tolerance: Double) -> (symmetric: Bool, exact: Bool) {
        var stored = Set<Int>()
        for j in 0..<a.columns {
            for k in a.pattern.columnPointers[j]..<a.pattern.columnPointers[j + 1] { stored.insert(a.pattern.rowIndices[k] + j * a.rows) }
        }
        var symmetric = true, exact = true
        for j in 0..<a.columns {
            for i in 0..<a.rows where i != j {
                let u = dense[i, j], v = dense[j, i]
                if !(abs(u - v) <= tolerance * max(abs(u), abs(v))) { symmetric = false }
                if u != v || stored.contains(i + j * a.rows) != stored.contains(j + i * a.rows) { exact = false }
            }
        }
        return (symmetric, symmetric && exact)
    }

    @Test("the one-pass facts give SparseMatrix.symmetry's answer, exactness and diagonal", arguments: 0..<400)
    func sameAsSymmetry(_ seed: Int) {
        let a = Self.randomCase(UInt64(seed))
        let facts = SparseValueFacts(a)
        let reference = a.symmetry(tolerance: DeclaredStructureCheck.tolerance)
        #expect(facts.symmetric == reference.symmetric && facts.exactlySymmetric == reference.exact,
                "seed \(seed): facts \(facts.symmetric), \(facts.exactlySymmetric); reference \(reference)")
        let dense = try! a.dense()
        let independent = Self.denseSymmetry(a, dense, tolerance: DeclaredStructureCheck.tolerance)
        #expect(reference.symmetric == independent.symmetric && reference.exact == independent.exact,
                "seed \(seed): SparseMatrix.symmetry \(reference), dense reference \(independent)")
        #expect(a.diagonalElements == (0..<a.rows).map { dense[$0, $0] })
        if let diagonal = facts.diagonal { #expect(diagonal == a.diagonalElements) }
    }

    @Test("on a symmetric pattern with a non-zero diagonal the dominance pass decides symmetry itself")
    func decidedInThePass() {
        let poisson = TestMatrices.poisson2DSparse(7)
        #expect(DiagonalDominance(poisson, symmetryTolerance: 1e-6)?.symmetry.map { [$0.symmetric, $0.exact] } == [true, true])
        var values = poisson.values
        let k = (0..<poisson.pattern.columnPointers[1]).first { poisson.pattern.rowIndices[$0] == 1 }!   // (1, 0)
        values[k] *= 1 + 1e-9   // within 10⁻⁶, no longer exact
        let near = try! SparseMatrix(pattern: poisson.pattern, values: values)
        #expect(DiagonalDominance(near, symmetryTolerance: 1e-6)?.symmetry.map { [$0.symmetric, $0.exact] } == [true, false])
        values[k] *= 1 + 1e-3   // beyond it
        let far = try! SparseMatrix(pattern: poisson.pattern, values: values)
        #expect(DiagonalDominance(far, symmetryTolerance: 1e-6)?.symmetry.map { [$0.symmetric, $0.exact] } == [false, false])
        #expect(far.isSymmetric(tolerance: 1e-6) == false)
        // Without the tolerance the pass makes no symmetry test.
        #expect(DiagonalDominance(poisson)?.symmetry == nil)
    }

    @Test("an unsymmetric pattern or a zero diagonal leaves the answer to SparseMatrix.symmetry")
    func undecided() {
        // (2, 0) has no mirror; (0, 1) and (1, 0) are equal.
        let oneSided = Self.matrix(3, [0: 4, 1: 1, 2: 0.5, 3: 1, 4: 4, 8: 4])
        #expect(DiagonalDominance(oneSided, symmetryTolerance: 1e-6)?.symmetry == nil)
        #expect(SparseValueFacts(oneSided).symmetric == false)
        // The missing mirror stored as an explicit zero opposite a zero: symmetric by value.
        let zeros = Self.matrix(3, [0: 4, 1: 1, 2: 0, 3: 1, 4: 4, 8: 4])
        #expect(SparseValueFacts(zeros).symmetric == zeros.isSymmetric(tolerance: 1e-6))
        let zeroDiagonal = Self.matrix(2, [0: 0, 1: 1, 2: 1, 3: 2])
        #expect(DiagonalDominance(zeroDiagonal, symmetryTolerance: 1e-6) == nil)
        let facts = SparseValueFacts(zeroDiagonal)
        #expect(facts.symmetric && facts.exactlySymmetric && facts.diagonal == nil)
    }
}

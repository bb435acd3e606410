import Testing
@testable import ImplicitDifferentiation
import Krylov
import LinearAlgebra
import TestSupport

/// The facts the cost model reads from the values of the sparse `A` once, and their use by the
/// preparation (no second certificate, no CG symmetry probe on a certified SPD `A`, no second
/// symmetry check before CHOLMOD).
@Suite struct SparseValueFactsTests {
    static func sparse(_ rows: [[Double]]) -> SparseMatrix { try! SparseMatrix(Matrix(rows: rows)) }

    static let cases: [SparseMatrix] = [
        try! SparseMatrix(TestMatrices.poisson1D(20).scaledDiagonal(1.5)),   // SPD, dominant by rows
        sparse([[100, 9], [9, 1]]),                                          // SPD, dominant after scaling only
        sparse([[-4, 1], [1, -4]]),                                          // symmetric, dominant, negative definite
        sparse([[4, 3], [0, 1]]),                                            // dominant by rows, not symmetric
        sparse([[1, 3], [3, 1]]),                                            // symmetric, indefinite, not dominant
        TestMatrices.poisson2DSparse(6),                                     // SPD, only weakly dominant
        sparse([[0, 0.1], [0.1, 1]]),                                        // zero on the diagonal
    ]

    @Test("one pass gives the certificate and the Jacobi bound of the separate computations", arguments: 0..<7)
    func sameAsSeparate(_ index: Int) {
        let a = Self.cases[index]
        let facts = SparseValueFacts(a)
        let symmetric = a.isSymmetric(tolerance: DeclaredStructureCheck.tolerance)
        #expect(facts.symmetric == symmetric)
        #expect(facts.certificate == NonsingularityCertificate(a))
        let separate = symmetric ? a.jacobiScaledConditionBound : nil
        #expect(facts.conditionBound == separate, "\(String(describing: facts.conditionBound)) vs \(String(describing: separate))")
    }

    @Test("symmetricPositiveDefinite holds exactly where a dense Cholesky succeeds among the certified cases",
          arguments: 0..<7)
    func positiveDefinite(_ index: Int) {
        let a = Self.cases[index]
        let facts = SparseValueFacts(a)
        let cholesky = (try? CholeskyFactorization(a.dense())) != nil
        if facts.symmetricPositiveDefinite { #expect(cholesky) }
        if facts.certificate != nil && facts.symmetric { #expect(facts.symmetricPositiveDefinite == cholesky) }
        // The expected flags, from the comments of `cases`.
        #expect(facts.symmetricPositiveDefinite == [true, true, false, false, false, false, false][index])
    }

    @Test("the preparation reads the certificate from the facts it is given instead of recomputing it")
    func preparationUsesFacts() throws {
        let a = try SparseMatrix(TestMatrices.poisson1D(50).scaledDiagonal(1.5))
        let cg = LinearSolver.cg(options: .automaticPlan)
        var settings = KrylovPreparationChecksTests.settings
        settings.facts = SparseValueFacts(a)
        let given = try cg.prepare(LinearSystem(SparseMatrixOperator(a)), settings: settings)
        #expect(given.probe == nil && given.used == cg && given.note?.contains("singularity probe skipped") == true)
        let b = (0..<50).map { Double($0 % 7) - 3 }
        #expect(Approximate.relativeError(try given.prepared.solve(b), try LUFactorization(a.dense()).solve(b, transposed: false))
                <= 1e-8)
        // Facts that hold no certificate are taken as they are: the probe runs (nothing recomputed).
        let plain = TestMatrices.poisson2DSparse(8)
        settings.facts = SparseValueFacts(plain)
        let probed = try cg.prepare(LinearSystem(SparseMatrixOperator(plain)), settings: settings)
        #expect(probed.probe?.status == .converged && probed.used == cg)
    }

    @Test("CHOLMOD on a matrix known symmetric skips its check and gives the checked factorization's solution")
    func choleskyKnownSymmetric() throws {
        let a = TestMatrices.poisson2DSparse(9)
        let b = (0..<81).map { Double.sin(0.3 * Double($0)) }
        let checked = try SparseKind.cholesky.factor(a, memoryLimit: 1 << 30, minimumReciprocalCondition: 0)
        let known = try SparseKind.cholesky.factor(a, memoryLimit: 1 << 30, minimumReciprocalCondition: 0,
                                                   knownSymmetric: true)
        #expect(try known.solve.solve(b) == (try checked.solve.solve(b)))
        // Without the check only the upper triangle is read: a lower triangle that disagrees is ignored.
        var lower = Matrix(rows: 3, columns: 3, elements: [4, 1, 0, 1, 4, 1, 0, 1, 4])
        lower[2, 0] = 0.5   // below the diagonal: the upper triangle still says a_02 = 0
        let unchecked = try SparseCholeskyFactorization(try SparseMatrix(lower), symmetryTolerance: .infinity)
        let upper = try CholeskyFactorization(Matrix(rows: 3, columns: 3, elements: [4, 1, 0, 1, 4, 1, 0, 1, 4]))
        #expect(Approximate.relativeError(try unchecked.solve([1, 2, 3]), try upper.solve([1, 2, 3])) <= 1e-14)
        #expect(throws: LinearAlgebraError.self) { _ = try SparseCholeskyFactorization(try SparseMatrix(lower)) }
    }

    @Test("through .automatic on a certified SPD stencil: Jacobi-CG, no probe, no CG check, the derivative is CHOLMOD's")
    func endToEnd() throws {
        let (c, x, y) = JacobiConditionBoundTests.stencil(40, reaction: 4)
        let lin = try ImplicitFunction(solver: { _ in y }, conditions: c).linearize(at: x, arguments: (), expecting: .one)
        #expect(lin.plan.solver == .cg(options: .automaticPlan), "\(lin.plan)")
        let winner = try #require(lin.plan.candidates.filter(\.fitsMemory).min { $0.evaluations < $1.evaluations })
        #expect(winner.kind == .jacobiCG, "\(lin.plan)")
        #expect(lin.plan.note?.contains("singularity probe skipped") == true, "\(lin.plan)")
        var rng = SeededRandom(seed: 3)
        let ybar = rng.vector(y.count)
        let reference = try ImplicitFunction(solver: { _ in y }, conditions: c, linearSolver: .cholesky,
                                             representation: .sparse).linearize(at: x).vjp(ybar)
        #expect(Approximate.relativeError(try lin.vjp(ybar), reference) <= 1e-10)
    }

    @Test("a Jacobi-CG plan cut short by the user's iteration cap is a typed krylovNotConverged, the VJP's direction named")
    func jacobiPlanUnconverged() throws {
        let (c, x, y) = JacobiConditionBoundTests.stencil(40, reaction: 4)
        var f = ImplicitFunction(solver: { _ in y }, conditions: c)
        f.options.krylovOptions = try KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12, maxIterations: 2)
        let lin = try f.linearize(at: x, arguments: (), expecting: .one)
        let winner = try #require(lin.plan.candidates.filter(\.fitsMemory).min { $0.evaluations < $1.evaluations })
        #expect(winner.kind == .jacobiCG, "\(lin.plan)")
        var rng = SeededRandom(seed: 4)
        let ybar = rng.vector(y.count)
        #expect {
            _ = try lin.vjp(ybar)
        } throws: { error in
            guard case ImplicitDifferentiationError.krylovNotConverged(let s, let direction) = error else { return false }
            return direction == .adjoint && s.status == .maxIterationsReached && s.iterations == 2
        }
    }

    /// Two fact sets equal up to the order of the sums (the scaled radius and the bounds read from it).
    static func expectSame(_ a: SparseValueFacts, _ b: SparseValueFacts, _ label: String) {
        func close(_ x: Double?, _ y: Double?) -> Bool {
            switch (x, y) {
            case (nil, nil): return true
            case let (x?, y?): return abs(x - y) <= 1e-12 * Swift.max(abs(x), abs(y))
            default: return false
            }
        }
        #expect(a.symmetric == b.symmetric, "\(label)")
        #expect(a.certificate?.kind == b.certificate?.kind, "\(label)")
        #expect(close(a.certificate?.conditionBound, b.certificate?.conditionBound), "\(label)")
        #expect(close(a.conditionBound, b.conditionBound), "\(label)")
        #expect(a.symmetricPositiveDefinite == b.symmetricPositiveDefinite, "\(label)")
        #expect(a.diagonal == b.diagonal, "\(label)")
    }

    @Test("the facts read by diagonals equal those read by columns", arguments: 0..<7)
    func byDiagonals(_ index: Int) throws {
        let a = Self.cases[index]
        let d = try #require(DiagonalOffsetMatrix(a))
        Self.expectSame(SparseValueFacts(a, diagonals: d), SparseValueFacts(a), "case \(index)")
    }

    @Test("by diagonals on random stencils with missing neighbours: symmetry exact, within 10⁻⁶, beyond, one-sided")
    func byDiagonalsRandom() throws {
        var rng = SeededRandom(seed: 2026)
        for trial in 0..<120 {
            let k = 1 + trial % 7
            let base = TestMatrices.poisson2DSparse(k)
            var values = base.values
            // A symmetric random A on the stencil's pattern: a_ij = a_ji = w(min, max), a dominant-ish diagonal.
            for j in 0..<base.columns {
                for p in base.pattern.columnPointers[j]..<base.pattern.columnPointers[j + 1] {
                    let i = base.pattern.rowIndices[p]
                    let (lo, hi) = (Swift.min(i, j), Swift.max(i, j))
                    values[p] = i == j ? 2 + Double((trial + j) % 5) : -Double.sin(Double(3 * lo + 7 * hi + trial))
                }
            }
            switch trial % 4 {
            case 1:   // one entry off by 1e-10: symmetric to 1e-6, not exactly
                if let p = values.indices.first(where: { base.pattern.rowIndices[$0] != Self.columnOf($0, base) }) {
                    values[p] *= 1 + 1e-10
                }
            case 2:   // one entry off by 10 %: not symmetric
                if let p = values.indices.last(where: { base.pattern.rowIndices[$0] != Self.columnOf($0, base) }) {
                    values[p] *= 1.1
                }
            case 3:   // one off-diagonal entry an explicit zero, its mirror not: not symmetric
                if let p = values.indices.first(where: { base.pattern.rowIndices[$0] != Self.columnOf($0, base) && values[$0] != 0 }) {
                    values[p] = 0
                }
            default: break
            }
            _ = rng.next()
            let a = try SparseMatrix(pattern: base.pattern, values: values)
            let d = try #require(DiagonalOffsetMatrix(a))
            let byDiagonals = SparseValueFacts(a, diagonals: d), byColumns = SparseValueFacts(a)
            Self.expectSame(byDiagonals, byColumns, "trial \(trial)")
            let symmetry = a.symmetry(tolerance: DeclaredStructureCheck.tolerance)
            #expect(byDiagonals.symmetric == symmetry.symmetric, "trial \(trial)")
            #expect(byDiagonals.exactlySymmetric == symmetry.exact, "trial \(trial)")
        }
    }

    /// The column of entry `p` of `a`.
    static func columnOf(_ p: Int, _ a: SparseMatrix) -> Int {
        a.pattern.columnPointers.lastIndex { $0 <= p }!
    }

    @Test("the Jacobi-CG plan's Krylov products run on A stored by diagonals, and the derivative is CHOLMOD's")
    func planUsesDiagonals() throws {
        let (c, x, y) = JacobiConditionBoundTests.stencil(30, reaction: 4)
        let seen = Locked<[Bool]>([])
        var f = ImplicitFunction(solver: { _ in y }, conditions: c, linearSolver: .cg(options: .automaticPlan),
                                 representation: .sparse)
        f.preconditioner = PreconditionerFactory { system in
            seen.withLock { $0.append((system.linearOperator as? SparseMatrixOperator)?.diagonals != nil) }
            return nil
        }
        var rng = SeededRandom(seed: 5)
        let ybar = rng.vector(y.count)
        let reference = try ImplicitFunction(solver: { _ in y }, conditions: c, linearSolver: .cholesky,
                                             representation: .sparse).linearize(at: x).vjp(ybar)
        #expect(Approximate.relativeError(try f.linearize(at: x).vjp(ybar), reference) <= 1e-10)
        #expect(seen.withLock { $0 } == [true])
        // Under .automatic (Jacobi-CG) the same derivative.
        let automatic = try ImplicitFunction(solver: { _ in y }, conditions: c).linearize(at: x, arguments: (), expecting: .one)
        #expect(automatic.plan.candidates.filter(\.fitsMemory).min { $0.evaluations < $1.evaluations }?.kind == .jacobiCG)
        #expect(Approximate.relativeError(try automatic.vjp(ybar), reference) <= 1e-10)
    }
}

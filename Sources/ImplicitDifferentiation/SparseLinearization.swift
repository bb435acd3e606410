import AutoDiff
import Krylov
import LinearAlgebra

// Representation .sparse: A = ∂F/∂y built as a SparseMatrix (from the tape by
// pattern detection, colouring and compressed sweeps, or converted from a
// matrix the conditions give), then prepared by its structure:
//
//     diagonal                               → DiagonalFactorization
//     band: m ≥ 32, 4(2kl + ku + 1) ≤ m      → BandLUFactorization
//     symmetric by value                     → SparseCholeskyFactorization, not SPD → SparseLUFactorization
//     otherwise                              → SparseLUFactorization
//
// Singular A follows the dense rules: under .automatic the SVD of the dense A
// when it fits in the memory limit, else singularJacobian.

/// `A = ∂F/∂y` in sparse form and how it was obtained (for the plan's note).
@usableFromInline
struct SparseJacobian: Sendable {
    /// `A`, `k × m`.
    let matrix: SparseMatrix
    /// The colours and sweeps of the compressed evaluation; `nil` when `A` was converted from a given matrix.
    let compression: (colours: Int, sweeps: Int, direction: JacobianCompression.Direction)?

    /// How the pattern was obtained when it is worth saying (cache reuse, re-detection).
    let detection: String?
    /// `true` when `A` came from the tape-free evaluation (``TapeFreeLinearization``).
    var isTapeFree = false
    /// The diagonal-ness and bandwidths of ``matrix``'s pattern.
    let shape: PatternShape
    /// What ``matrix``'s values showed the cost model (symmetry, dominance), when it read them.
    var facts: SparseValueFacts? = nil
    /// ``matrix`` stored by diagonals, when the cost model built it for its value pass (the Krylov
    /// products then run on it).
    var diagonals: DiagonalOffsetMatrix? = nil

    /// `A` from a compressed evaluation; `shape` is its pattern's when known (read from it otherwise).
    init(_ matrix: SparseMatrix, compression: JacobianCompression, shape: PatternShape? = nil,
         detection: String? = nil) throws(ImplicitDifferentiationError)
    {
        self.matrix = matrix
        self.shape = shape ?? PatternShape(matrix.pattern)
        self.detection = detection
        let colours = compression.direction == .forward
            ? compression.columnColoring.colorCount : compression.rowColoring.colorCount
        self.compression = (colours, compression.passes, compression.direction)
        try Self.checkFinite(matrix)
    }

    /// `A` converted from the dense matrix the conditions give (its zeros dropped).
    init(converting a: Matrix) throws(ImplicitDifferentiationError) {
        do { matrix = try SparseMatrix(a) } catch { throw .linearAlgebra(error) }
        shape = PatternShape(matrix.pattern)
        compression = nil
        detection = nil
        try Self.checkFinite(matrix)
    }

    static func checkFinite(_ a: SparseMatrix) throws(ImplicitDifferentiationError) {
        guard let pos = a.values.firstIndex(where: { !$0.isFinite }) else { return }
        let column = a.pattern.columnPointers.lastIndex { $0 <= pos } ?? 0
        throw .nonFiniteInput("∂F/∂y[\(a.pattern.rowIndices[pos]), \(column)] = \(a.values[pos])")
    }

    /// `true` when every non-zero is on the diagonal.
    var isDiagonal: Bool { shape.isDiagonal }

    /// The bandwidths when a band LU is worth it (``LinearSolver/worthBandLU(order:_:)``), else `nil`.
    var bandedShape: (lower: Int, upper: Int)? { shape.bandLU }

    /// `sparse ∂F/∂y: nnz …, bandwidths (kl, ku), c colours (s forward sweeps)`.
    var structureNote: String {
        let band = shape.bandwidths
        var s = "sparse ∂F/∂y: \(matrix.nonZeroCount) non-zeros, bandwidths (\(band.lower), \(band.upper))"
        if let c = compression, isTapeFree {
            s += ", \(c.colours) colours"
        } else if let c = compression {
            s += ", \(c.colours) colours (\(c.sweeps) \(c.direction == .forward ? "forward" : "reverse") sweeps)"
        } else {
            s += ", converted from the given matrix"
        }
        if let detection { s += " (" + detection + ")" }
        return s
    }
}

extension AutomaticDerivatives {
    /// The structure of `A`: from `cache` when it holds one for these
    /// shapes (no recording is made then), else detected from the recording
    /// at `(x, y)` and stored, with one evaluation of `F` and one reverse
    /// sweep timed for the cost model. Inlinable so that the evaluation and
    /// the recording are specialized for the caller's conditions.
    @inlinable
    func detectedStructure(cache: StructureCache, key: StructureCache.Key) -> DetectedStructure {
        if let known = cache.structure(for: key) {
            capacityHint.withLock { $0 = known.operationCount }
            return known
        }
        // The value's length is read after timing, so that the timed evaluation is not optimized away.
        var length = 0
        let evaluation = DetectedStructure.seconds { let value: [Double] = f(x, y); length = value.count }
        precondition(length >= 0)
        let t = recorded()
        let u = [Double](repeating: 1, count: t.outputCount)
        var adjoint = [Double](repeating: 0, count: y.count)
        let sweep = DetectedStructure.seconds { t.vjp(u, intoY: &adjoint) }
        let fresh = DetectedStructure(t, evaluationSeconds: evaluation, sweepSeconds: sweep)
        cache.store(fresh, for: key)
        return fresh
    }

    /// `A` and `B` as dense matrices accumulated from the recording at `(x, y)` (made once,
    /// shared with every later product) in one reverse pass, or `nil` when the accumulation
    /// declines (its work limit ``DetectedStructure/accumulationLimit(nodes:k:inputs:)``).
    @inlinable
    func accumulated() -> (a: Matrix, b: Matrix)? {
        let t = recorded()
        let limit = DetectedStructure.accumulationLimit(nodes: t.recording.nodeCount, k: t.outputCount,
                                                        inputs: x.count + y.count)
        return t.accumulatedJacobians(sharedEntryLimit: limit).map { (a: $0.y, b: $0.x) }
    }

    /// `A` in sparse form from the recording at `(x, y)` (made once, shared
    /// with every later product): the pattern and colouring (from `cache`
    /// when it has them for these shapes, else detected and stored), one
    /// sweep per colour, then three random products against the recording
    /// (``BivariateLinearization/verify(_:withRespectToY:probes:seed:)``).
    /// When a cached colouring fails the check (the pattern changed with the
    /// point), or when `redetect` gives a reason (the tape-free evaluation
    /// failed its check), the pattern is detected again from this recording,
    /// once, and the returned matrix says so in its note.
    ///
    /// - Throws: `.nonFiniteInput` for a non-finite entry; `.invalidOption`
    ///   when freshly detected values contradict their pattern; `.dimensionMismatch`.
    @usableFromInline
    func sparseY(cache: StructureCache?, redetect: String? = nil) throws(ImplicitDifferentiationError)
        -> SparseJacobian
    {
        let t = recorded()
        let key = StructureCache.Key(k: t.outputCount, m: y.count, n: x.count)
        var detection: String? = redetect
        if redetect == nil, let cache, let known = cache.structure(for: key) {
            if let compression = known.compression {
                let checked: SparseMatrix?
                do throws(SparseJacobianError) {
                    let a = try compression.evaluate(t, withRespectToY: true)
                    try t.verify(a, withRespectToY: true)
                    checked = a
                } catch .nonFiniteEntry(let row, let column) {
                    throw .nonFiniteInput("∂F/∂y[\(row), \(column)] is not finite")
                } catch {
                    checked = nil
                    detection = "the cached pattern did not match ∂F/∂y at this point (\(error)); detected again"
                }
                if let checked {
                    return try SparseJacobian(checked, compression: compression, shape: known.shape)
                }
            }
        }
        let known = cache?.structure(for: key)
        let fresh = DetectedStructure(t, evaluationSeconds: known?.evaluationSeconds ?? 0,
                                      sweepSeconds: known?.sweepSeconds ?? 0)
        let compression = fresh.compression ?? JacobianCompression(fresh.pattern)
        cache?.store(DetectedStructure(pattern: fresh.pattern, compression: compression,
                                       operationCount: fresh.operationCount,
                                       evaluationSeconds: fresh.evaluationSeconds, sweepSeconds: fresh.sweepSeconds,
                                       input: fresh.input, shape: fresh.shape),
                     for: key)
        do {
            let a = try compression.evaluate(t, withRespectToY: true)
            try t.verify(a, withRespectToY: true)
            return try SparseJacobian(a, compression: compression, shape: fresh.shape, detection: detection)
        } catch let error as SparseJacobianError {
            switch error {
            case .nonFiniteEntry(let row, let column):
                throw .nonFiniteInput("∂F/∂y[\(row), \(column)] is not finite")
            case .dimensionMismatch(let what): throw .dimensionMismatch(what)
            default:
                throw .invalidOption("representation .sparse: the compressed ∂F/∂y does not match its pattern "
                                     + "(\(error)); use .matrix or .operator")
            }
        } catch let error as ImplicitDifferentiationError {
            throw error
        } catch {
            throw .invalidOption("representation .sparse: \(error)")
        }
    }
}

extension LinearSolver {
    /// The error of `.sparse` on conditions that give only products.
    static var sparseNeedsPattern: ImplicitDifferentiationError {
        .invalidOption("representation .sparse needs conditions differentiated by AD (generic conditions) or "
                       + "conditions that give ∂F/∂y as a matrix; hand-written products and finite differences "
                       + "give no sparsity pattern (use .matrix or .operator)")
    }

    /// Prepares this (planned) solver on a sparse `A`; under `.lu` from an
    /// `.automatic` request the structure picks the factorization (see the
    /// file's header). Explicit choices: `.lu` band LU or UMFPACK; `.bandLU`
    /// band LU; `.cholesky` CHOLMOD (`structureNotAsDeclared` when `A` is
    /// not symmetric); Krylov methods on the sparse operator; `.qr`, `.svd`
    /// and custom methods that need a matrix on the dense `A` (memory checked).
    ///
    /// - Parameters:
    ///   - sparse: `A`.
    ///   - structure: the declared structure.
    ///   - settings: the singularity and fallback settings.
    ///   - memoryLimit: the largest factor or dense copy, in bytes.
    ///   - chosen: under `.lu` from an `.automatic` request, the factorization the cost
    ///     model picked (instead of the structure's rule).
    ///   - analyses: the symbolic analyses to reuse (and to add to) for a sparse Cholesky or LU factorization.
    /// - Returns: the choice, and the dense `A` when one was formed (an SVD or QR).
    /// - Throws: `.singularJacobian`, `.notPositiveDefinite`, `.structureNotAsDeclared`,
    ///   `.allocationTooLarge` (before allocation, with the estimate), `.linearAlgebra`.
    func prepareSparse(_ sparse: SparseJacobian, structure: OperatorStructure, settings: SolverSettings,
                       memoryLimit: Int, chosen: SparseKind? = nil, analyses: SparseAnalyses? = nil)
        throws(ImplicitDifferentiationError) -> (choice: PreparedChoice, dense: Matrix?)
    {
        let a = sparse.matrix
        let k = a.rows, m = a.columns
        let head = sparse.structureNote
        func noted(_ c: PreparedChoice, _ why: String) -> PreparedChoice {
            let note = [head, why, c.note].compactMap { $0 }.joined(separator: "; ")
            return PreparedChoice(prepared: c.prepared, used: c.used, note: note, fellBack: c.fellBack,
                                  reciprocalCondition: c.reciprocalCondition, rank: c.rank, probe: c.probe,
                                  reciprocalConditionIsLowerBound: c.reciprocalConditionIsLowerBound)
        }
        func dense(_ what: String, _ shapes: [(rows: Int, columns: Int)]) throws(ImplicitDifferentiationError) -> Matrix {
            try MemoryBudget.require(what, shapes, limit: memoryLimit)
            do { return try a.dense(memoryLimit: memoryLimit) } catch { throw .linearAlgebra(error) }
        }
        func svdDense() throws(ImplicitDifferentiationError) -> Matrix {
            try dense("∂F/∂y (\(k) × \(m)) as a dense matrix with its svd, the fallback for a singular ∂F/∂y",
                      MemoryBudget.factorizationShapes(.svd, automatic: true, rows: k, columns: m))
        }
        switch self {
        case .lu, .bandLU, .cholesky:
            guard a.isSquare else {
                throw .dimensionMismatch("\(self) needs as many equations as unknowns, F has \(k) for \(m); use .lsmr()")
            }
            let automatic = settings.automatic
            let facts = sparse.facts
            let symmetric = { facts?.symmetric ?? a.isSymmetric(tolerance: DeclaredStructureCheck.tolerance) }   // only where it decides
            if case .cholesky = self, !symmetric() {
                throw .structureNotAsDeclared("∂F/∂y is not symmetric (relative tolerance "
                    + "\(DeclaredStructureCheck.tolerance)) but cholesky needs a symmetric positive definite ∂F/∂y")
            }
            let kind: SparseKind
            switch self {
            case .bandLU: kind = .band(sparse.shape.bandwidths)
            case .cholesky: kind = .cholesky
            default:
                if automatic, let chosen { kind = chosen }
                else if automatic && sparse.isDiagonal { kind = .diagonal }
                else if let band = sparse.bandedShape { kind = .band(band) }
                else if automatic && symmetric() { kind = .cholesky }
                else { kind = .lu }
            }
            var fallbackNote: String? = nil
            let minimum = settings.minimumReciprocalCondition
            var prepared: FactoredSparse
            do {
                prepared = try kind.factor(a, memoryLimit: memoryLimit, minimumReciprocalCondition: minimum,
                                           analyses: analyses, knownSymmetric: facts?.symmetric == true)
            } catch .notPositiveDefinite(let minor) where automatic {
                fallbackNote = "∂F/∂y is symmetric but sparse cholesky found it not positive definite (minor \(minor)); "
                    + "used sparse lu"
                do {
                    prepared = try SparseKind.lu.factor(a, memoryLimit: memoryLimit, minimumReciprocalCondition: minimum,
                                                        analyses: analyses)
                } catch {
                    return try Self.singularOrThrow(error, automatic: automatic, svdDense, head: head)
                }
            } catch {
                return try Self.singularOrThrow(error, automatic: automatic, svdDense, head: head)
            }
            if !(prepared.rcond >= minimum) {   // NaN fails
                if automatic {
                    return try Self.svdFallback(svdDense, head: head,
                                                "\(prepared.solve.counters.kind) found ∂F/∂y numerically singular "
                                                + "(rcond ≈ \(prepared.rcond)); used svd")
                }
                throw .singularJacobian(pivot: nil, reciprocalCondition: prepared.rcond)
            }
            let why = fallbackNote.map { $0 + " (\(prepared.solve.counters.kind))" }
                ?? prepared.solve.counters.kind + " because "
                    + (automatic && chosen != nil ? "the cost model picked it" : kind.reason(automatic: automatic))
            let used: LinearSolver = kind.isBand ? .bandLU : (fallbackNote == nil && kind.isCholesky ? .cholesky : .lu)
            let c = PreparedChoice(prepared: prepared.solve, used: used, note: nil, fellBack: false,
                                   reciprocalCondition: prepared.rcond, rank: m,
                                   reciprocalConditionIsLowerBound: prepared.rcondIsLowerBound)
            return (noted(c, why), nil)
        case .gmres, .bicgstab, .cg, .lsmr:
            // A on a few diagonals forms its products by diagonals (no index per entry); otherwise an
            // exactly symmetric A forms A x as the gather of Aᵀx (faster than the scatter, the same values).
            let op = if let diagonals = sparse.diagonals
                            ?? sparse.shape.diagonalOffsets.flatMap({ DiagonalOffsetMatrix(a, offsets: $0) }) {
                SparseMatrixOperator(a, diagonals: diagonals, structure: structure)
            } else if sparse.facts?.exactlySymmetric == true {
                SparseMatrixOperator(exactlySymmetric: a, structure: structure)
            } else {
                SparseMatrixOperator(a, structure: structure)
            }
            let system = LinearSystem(op)
            var settings = settings
            settings.facts = sparse.facts
            return (noted(try prepare(system, settings: settings), "\(self) on the sparse matrix"), nil)
        case .custom(let method):
            let d = method.needsMatrix
                ? try dense("∂F/∂y (\(k) × \(m)) as a dense matrix for \(self)", [(k, m)]) : nil
            let system = LinearSystem(SparseMatrixOperator(a, structure: structure), matrix: d)
            return (noted(try prepare(system, settings: settings), "\(self) on the sparse matrix"), d)
        case .qr, .svd:
            let d = try dense("∂F/∂y (\(k) × \(m)) as a dense matrix for \(self)",
                              MemoryBudget.factorizationShapes(self, automatic: false, rows: k, columns: m))
            let c = try prepare(LinearSystem(matrix: d, structure: structure), settings: settings)
            return (noted(c, "\(self) on the dense ∂F/∂y"), d)
        case .automatic:
            throw .invalidOption("the automatic choice is resolved by the plan before preparation")
        }
    }

    /// A factorization's failure: singular → the SVD fallback (automatic) or `singularJacobian`;
    /// a factor over the memory limit → `allocationTooLarge` with its estimate.
    private static func singularOrThrow(_ error: LinearAlgebraError, automatic: Bool,
                                        _ svdDense: () throws(ImplicitDifferentiationError) -> Matrix,
                                        head: String) throws(ImplicitDifferentiationError) -> (choice: PreparedChoice, dense: Matrix?)
    {
        switch error {
        case .singular(let pivot):
            if automatic {
                return try svdFallback(svdDense, head: head,
                                       "the sparse factorization found ∂F/∂y singular (zero pivot at \(pivot)); used svd",
                                       pivot: pivot)
            }
            throw .singularJacobian(pivot: pivot, reciprocalCondition: nil)
        case .notPositiveDefinite(let minor):
            throw .notPositiveDefinite(minor: minor)
        case .memoryLimitExceeded(let bytes, let limit):
            throw .allocationTooLarge(what: "the sparse factor of ∂F/∂y (estimated by its analysis)", bytes: bytes,
                                      limit: limit)
        default:
            throw .linearAlgebra(error)
        }
    }

    /// The SVD of the dense `A` when it fits in the memory limit (with its
    /// work arrays), else `singularJacobian`.
    private static func svdFallback(_ svdDense: () throws(ImplicitDifferentiationError) -> Matrix,
                                    head: String, _ why: String, pivot: Int? = nil)
        throws(ImplicitDifferentiationError) -> (choice: PreparedChoice, dense: Matrix?)
    {
        let d: Matrix
        do {
            d = try svdDense()
        } catch {
            throw .singularJacobian(pivot: pivot, reciprocalCondition: nil)
        }
        let c = try svd(d, note: head + "; " + why, fellBack: true)
        return (c, d)
    }
}

/// The factorizations the sparse path picks from.
enum SparseKind {
    case diagonal, band((lower: Int, upper: Int)), cholesky, lu

    var isBand: Bool { if case .band = self { return true } else { return false } }
    var isCholesky: Bool { if case .cholesky = self { return true } else { return false } }

    /// Why this kind was picked.
    func reason(automatic: Bool) -> String {
        switch self {
        case .diagonal: return "∂F/∂y is diagonal"
        case .band(let b): return "∂F/∂y is banded (\(b.lower), \(b.upper))"
        case .cholesky: return automatic ? "∂F/∂y is symmetric" : "cholesky was requested"
        case .lu: return automatic ? "∂F/∂y is neither banded nor symmetric" : "lu was requested and ∂F/∂y is not narrowly banded"
        }
    }

    /// Factors `a`; the band's storage is checked against `memoryLimit` first; a sparse
    /// Cholesky or LU factorization reuses the analysis of `a`'s pattern from `analyses` when given;
    /// `knownSymmetric` (the caller checked `a` to ``DeclaredStructureCheck/tolerance``) spares
    /// the sparse Cholesky factorization its own symmetry check.
    /// The band LU gives its certified lower bound of `rcond` instead of the estimate when the
    /// bound is at least `minimumReciprocalCondition` (the test then decides as the estimate would).
    func factor(_ a: SparseMatrix, memoryLimit: Int, minimumReciprocalCondition: Double,
                analyses: SparseAnalyses? = nil, knownSymmetric: Bool = false) throws(LinearAlgebraError)
        -> FactoredSparse
    {
        switch self {
        case .diagonal:
            let f = try DiagonalFactorization(a)
            return FactoredSparse(solve: f, rcond: f.reciprocalCondition)
        case .band(let b):
            let rows = 2 * b.lower + b.upper + 1
            let (elements, overflow) = rows.multipliedReportingOverflow(by: a.rows)
            if overflow || elements > memoryLimit / 8 {
                throw .memoryLimitExceeded(estimatedBytes: overflow ? .max : elements * 8, limitBytes: memoryLimit)
            }
            let f = try BandLUFactorization(a, lowerBandwidth: b.lower, upperBandwidth: b.upper)
            let r = f.reciprocalCondition(testedAgainst: minimumReciprocalCondition)
            return FactoredSparse(solve: f, rcond: r.value, rcondIsLowerBound: r.isLowerBound)
        case .cholesky:
            // A tolerance of infinity accepts every finite matrix: the caller's check stands in for the wrapper's.
            let tolerance = knownSymmetric ? Double.infinity : DeclaredStructureCheck.tolerance
            let f = if let analyses {
                try analyses.choleskyFactorization(a, symmetryTolerance: tolerance, memoryLimit: memoryLimit)
            } else {
                try SparseCholeskyFactorization(a, symmetryTolerance: tolerance, memoryLimit: memoryLimit)
            }
            return FactoredSparse(solve: f, rcond: f.reciprocalCondition)
        case .lu:
            let f = if let analyses {
                try analyses.luFactorization(a, memoryLimit: memoryLimit)
            } else {
                try SparseLUFactorization(a, memoryLimit: memoryLimit)
            }
            return FactoredSparse(solve: f, rcond: f.reciprocalCondition)
        }
    }
}

/// A sparse factorization with the reciprocal condition its singularity test reads.
struct FactoredSparse {
    let solve: any PreparedLinearSolve
    /// The estimate, or a certified lower bound of the true value when `rcondIsLowerBound`.
    let rcond: Double
    var rcondIsLowerBound = false
}

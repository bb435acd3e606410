import AutoDiff
import LinearAlgebra

// The tape-free sparse linearization of generic conditions, once the structure cache
// holds A's colouring (forward) and, when B = ∂F/∂x has few colours, B's:
//
//   one set of DualN passes (AD.compressedJacobians)   F's value (for the residual check),
//                                                      A and B compressed, one verification lane
//   then                                               A prepared as on the sparse path;
//                                                      B ẋ and Bᵀu sparse products, A v and Aᵀu too
//
// No tape is recorded by linearize, jvp, vjp or jacobian on this path. B with many colours
// stays on the lazy products of the conditions (one dual evaluation for B ẋ; a recording,
// made on first use, for Bᵀu). A verification failure (control flow on values changed the
// pattern) falls back to the recording path, which detects the pattern again and says so.

/// `B = ∂F/∂x`'s pattern and column colouring, kept for the tape-free evaluation.
struct InputBlock: Sendable {
    /// The most colours `B` may have to be evaluated on lanes (two ``DualN``<8> passes).
    static let maxColors = 16

    let pattern: SparsityPattern
    let coloring: ColumnColoring

    /// `B`'s colouring, or `nil` when it needs more than ``maxColors`` colours
    /// (a dense `B` with more columns than that is not coloured at all).
    init?(_ pattern: SparsityPattern) {
        if DetectedStructure.isDense(pattern) && pattern.columns > Self.maxColors { return nil }
        let coloring = ColumnColoring(pattern)
        guard coloring.colorCount <= Self.maxColors else { return nil }
        self.pattern = pattern
        self.coloring = coloring
    }
}

extension DetectedStructure {
    /// `true` when the tape-free evaluation can use this structure: `A`'s
    /// compression exists and runs forward (by column colours).
    var allowsTapeFree: Bool { compression?.direction == .forward }

    /// The number of dual lanes of one tape-free evaluation: `A`'s colours, `B`'s colours, one verification lane.
    var tapeFreeLanes: Int {
        (compression?.columnColoring.colorCount ?? 0) + (input?.coloring.colorCount ?? 0) + 1
    }

    /// `A`'s pattern and colouring, then `B`'s, as
    /// ``AD/compressedJacobians(of:x:y:a:b:verifySeed:workspace:multiplyingY:)`` takes them.
    @usableFromInline
    var tapeFreeBlocks: (a: (pattern: SparsityPattern, coloring: ColumnColoring),
                         b: (pattern: SparsityPattern, coloring: ColumnColoring)?) {
        let c = compression!
        return ((c.pattern, c.columnColoring), input.map { ($0.pattern, $0.coloring) })
    }
}

/// What the tape-free evaluation found at a point.
@usableFromInline
enum TapeFreeOutcome: Sendable {
    /// `F`'s value with `A` (and `B` when coloured), verified.
    case evaluated(TapeFreeLinearization)
    /// `F`'s value, and an entry of `A` or `B` that is not finite (described).
    case nonFinite(value: [Double], entry: String)
    /// The cached pattern does not hold at this point (why).
    case mismatch(String)
    /// `F` on the dual lanes gave another number of values than the pattern's `rows` (what it gave).
    case outputCount(String, rows: Int)

    /// The outcome of one compressed evaluation.
    @usableFromInline
    init(_ result: Result<CompressedJacobians, SparseJacobianError>, structure: DetectedStructure) {
        switch result {
        case .failure(.dimensionMismatch(let what)):
            self = .outputCount(what, rows: structure.compression!.pattern.rows)
        case .failure(let error):
            self = .mismatch("the cached pattern did not match the Jacobians at this point (\(error)); detected again")
        case .success(let r):
            if let bad = r.nonFinite {
                self = .nonFinite(value: r.value,
                                  entry: "∂F/∂\(bad.block == .y ? "y" : "x")[\(bad.row), \(bad.column)] is not finite")
                return
            }
            let c = structure.compression!
            let note = "tape-free: \(r.passes) evaluation\(r.passes == 1 ? "" : "s") on dual lanes"
                + (r.x.map { _ in ", ∂F/∂x by \(structure.input!.coloring.colorCount) colours" } ?? "")
                + ", verified by a random lane"
            self = .evaluated(TapeFreeLinearization(value: r.value, a: SparseJacobian(tapeFree: r.y!, compression: c,
                                                                                        shape: structure.shape,
                                                                                        note: note),
                                                    b: r.x, stateProduct: r.yProduct))
        }
    }
}

/// `F`'s value, `A` and (when coloured) `B` from one tape-free evaluation, and `A y` when it
/// was summed on the way (``CompressedJacobians/yProduct``) for the residual scale.
@usableFromInline
struct TapeFreeLinearization: Sendable {
    let value: [Double]
    let a: SparseJacobian
    let b: SparseMatrix?
    let stateProduct: [Double]?
}

/// `F`'s value, `A` and `B` at `(x, y)` by ``AD/compressedJacobians(of:x:y:a:b:verifySeed:workspace:multiplyingY:)``
/// with the colourings of `structure` (which must allow it, ``DetectedStructure/allowsTapeFree``),
/// summing `A y` on the way when `multiplyingY` (for a relative residual check).
/// Inlinable so that the dual evaluations are specialized for the caller's conditions.
@inlinable
func tapeFreeLinearization<F: DifferentiableBivariateFunction>(_ f: F, x: [Double], y: [Double],
                                                               structure: DetectedStructure,
                                                               multiplyingY: Bool = false) -> TapeFreeOutcome {
    let blocks = structure.tapeFreeBlocks
    let result: Result<CompressedJacobians, SparseJacobianError>
    do throws(SparseJacobianError) {
        result = .success(try AD.compressedJacobians(of: f, x: x, y: y, a: blocks.a, b: blocks.b,
                                                     workspace: structure.workspace, multiplyingY: multiplyingY))
    } catch {
        result = .failure(error)
    }
    return TapeFreeOutcome(result, structure: structure)
}

extension SparseJacobian {
    /// `A` from a tape-free evaluation (its entries already checked finite), `shape` its pattern's.
    init(tapeFree matrix: SparseMatrix, compression: JacobianCompression, shape: PatternShape, note: String) {
        self.matrix = matrix
        self.shape = shape
        self.compression = (compression.columnColoring.colorCount, compression.columnColoring.colorCount, .forward)
        self.detection = note
        isTapeFree = true
    }
}

extension LocalConditions {
    /// These conditions at the same point with `A` (and `B` when coloured) from the tape-free
    /// evaluation `t`: every product with them is a sparse product, and ``sparseA`` gives `t`'s `A`.
    func servedBy(_ t: TapeFreeLinearization) -> LocalConditions {
        let given = t.a
        return LocalConditions(value: value, n: n, m: m, a: JacobianMap(sparse: t.a.matrix),
                               b: t.b.map { JacobianMap(sparse: $0) } ?? b, differentiation: differentiation,
                               sparseA: { _, _ in given }, detectStructure: detectStructure,
                               lengthFault: lengthFault, isTapeFree: true)
    }

    /// These conditions with ``sparseA`` detecting the pattern again (for `why`) instead of
    /// trusting the cached colouring.
    func redetecting(_ why: String) -> LocalConditions {
        guard let original = sparseA else { return self }
        return LocalConditions(value: value, n: n, m: m, a: a, b: b, differentiation: differentiation,
                               sparseA: { cache, _ throws(ImplicitDifferentiationError) in try original(cache, why) },
                               detectStructure: detectStructure, lengthFault: lengthFault)
    }
}

extension JacobianMap {
    /// The map of a sparse matrix: sparse products, the dense matrix on demand.
    init(sparse j: SparseMatrix) {
        self.init(rows: j.rows,
                  apply: { v, out in j.multiply(v, into: &out) },
                  applyTransposed: { u, out in j.multiplyTransposed(u, into: &out) },
                  // The callers of `materialize` check the memory budget first; without a limit
                  // `dense` cannot throw.
                  materialize: { try! j.dense(memoryLimit: .max) },
                  applied: { v in j * v })
    }
}

extension ImplicitFunction {
    /// The tape-free evaluation at `(x, y, z)` when it applies, else `nil`: generic
    /// conditions; ``Representation/sparse``, or the automatic plan (both choices
    /// `.automatic`, `m >` ``prefetchLimit``, a square `A`) whose cost model picks a sparse
    /// candidate on the cached pattern; and a cached structure for these shapes that
    /// ``DetectedStructure/allowsTapeFree``. The first call (cold cache) records instead.
    func tapeFreeStart(x: [Double], y: [Double], z: Byproduct, products: ExpectedProducts) -> TapeFreeOutcome? {
        guard let evaluate = conditions.tapeFree else { return nil }
        let m = y.count, n = x.count
        let automatic = representation == .automatic && linearSolver.isAutomatic && m > Self.prefetchLimit
        guard automatic || representation == .sparse,
              let (key, known) = structureCache.structure(unknowns: m, inputs: n), known.allowsTapeFree
        else { return nil }
        if automatic {
            guard key.k == m, let c = known.compression else { return nil }
            let byPattern = SparseStructure(pattern: c.pattern, sweeps: c.passes,
                                            symmetric: c.isStructurallySymmetric, shape: known.shape)
            let list = costModel(detected: known, m: m, n: n, products: products, sparse: byPattern,
                                 tapeFree: true).candidates()
            guard CostModel.cheapest(list).kind.isSparse else { return nil }
        }
        var relative = false
        if case .relative = options.residualTolerance { relative = true }
        return evaluate(x, y, z, known, relative)
    }
}

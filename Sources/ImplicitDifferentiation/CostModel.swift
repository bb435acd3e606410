import AutoDiff
import Krylov
import LinearAlgebra

// The automatic plan's cost model: given what the tape showed about A = ∂F/∂y (its
// pattern, and its values when the pattern is sparse), the cost of F (a timed plain
// evaluation T_F and a timed tape sweep T_s, taken once per pattern), and the number of products P the
// call will make, estimate each candidate's time and pick the cheapest that fits in
// memory. Times are reported in plain evaluations of F ("F").
//
//   dense LU / Cholesky   ⌈m/8⌉·δ·T_F + (⅔m³ or ⅓m³ + P·2m²)·τ                  16m² bytes
//     A, B accumulated    ρ·T_F + T_acc + (⅔m³ or ⅓m³ + P·2m²)·τ                 16m² + 8mn bytes
//     GMRES on that A     ρ·T_F + T_acc + (m² + P·k_G·(2m² + 4·min(k_G, r)·m))·τ  8m² + 8mn + 8(r + 4)m bytes
//   diagonal              R + (m + P·m)·τ
//   band LU               R + (2m·kl·(kl+ku+1) + P·2m(2kl+ku+1))·τ              8m(2kl+ku+1) bytes
//   sparse Cholesky / LU  R + (L²/m, ×2 for LU)·τ + P·4L·τ                      12L (24L for LU) bytes
//   IC(0)-CG / ILU(0)-GMRES  R + S·its_p·(6·nnz + w·m)·τ
//   Jacobi-CG             R + S·its_J·(2·nnz + 8·m)·τ        only with a condition bound κ (see below);
//     A on d ≤ 8 diagonals R + (d·m + S·its_J·(1.5·d·m + 8·m))·τ   + 8dm bytes (DiagonalOffsetMatrix)
//   CG / GMRES (lazy)     ρ·T_F + S·its·(T_s + w·m·τ)
//
// with R = κ + ρ·T_F + (colours + 3 checks)·T_s + 3·nnz·τ the set-up, recording, compressed
// sweeps and verification of the sparse A when the structure is detected (the first call), and
//   R = κ + Σ_passes (α + β·N)·T_F + 3·nnz·τ,   N = 4 … 8 lanes per pass
// once it is cached: A, B and F's value from DualN passes over colours(A) + colours(B) + 1 lanes
// (α = 1.2, β = 0.12, measured on 1-D Bratu and the log-sum-exp loops); L ≈ the factor's non-zeros;
// S = P solves (+1 for the Krylov singularity probe, except on a sparse A that NonsingularityCertificate
// proves nonsingular); its, its_p the assumed iteration counts (its_p
// from the Jacobi-scaled Gershgorin bound on cond(A) when A is symmetric and diagonally dominant
// enough, see JacobiConditionBound.swift); its_J = ⌈½√κ ln(2/ε)⌉ from the same bound, which for
// Jacobi-CG is CG's own error bound on D^{-1/2} A D^{-1/2} (no bound, no candidate: nothing says how
// many iterations it needs); w the vector work per iteration; T_acc one accumulation of A and B from
// the recording (TapeRecording+JacobianAccumulation.swift), timed by the first decision on a dense
// pattern (the candidate is absent when it was not timed or declined); k_G the iterations of GMRES
// (restart r) on that A from its Gershgorin discs (GershgorinDiscBound.swift, the bound of the timed A;
// absent when the discs prove nothing; no singularity probe: the same discs exclude 0).
// Ties go to the earlier line.

/// One candidate of the automatic plan with its estimated cost
/// (``SolvePlan/candidates``).
///
/// Costs are in plain evaluations of the conditions `F` (`1 F` = one
/// evaluation on `Double`), so that they read the same whatever the size of
/// `F`; see <doc:SolverSelection> for the formulas.
public struct CandidateCost: Sendable, Hashable, CustomStringConvertible {
    /// What a candidate runs.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `A` materialized by dual passes, dense LU (`getrf`).
        case denseLU = "dense LU"
        /// `A` materialized by dual passes, dense Cholesky (declared SPD).
        case denseCholesky = "dense Cholesky"
        /// `A` and `B` accumulated from the tape in one reverse pass, dense LU.
        case accumulatedLU = "dense LU, A and B accumulated from the tape (one reverse sweep)"
        /// `A` and `B` accumulated from the tape in one reverse pass, dense Cholesky (declared SPD).
        case accumulatedCholesky = "dense Cholesky, A and B accumulated from the tape (one reverse sweep)"
        /// `A` and `B` accumulated from the tape in one reverse pass, GMRES on the dense `A`
        /// with an iteration count proved by its Gershgorin discs (``GershgorinDiscBound``).
        case accumulatedGMRES = "GMRES on the dense A, A and B accumulated from the tape (Gershgorin bound)"
        /// `A` diagonal: one division per entry.
        case diagonal
        /// `A` banded: LU on the band, from the compressed `A`.
        case bandLU = "band LU"
        /// `A` sparse and symmetric by value: CHOLMOD (LU when not positive definite).
        case sparseCholesky = "sparse Cholesky"
        /// `A` sparse: UMFPACK.
        case sparseLU = "sparse LU"
        /// CG preconditioned by IC(0) on the compressed `A` (symmetric by value).
        case preconditionedCG = "IC(0)-CG"
        /// GMRES preconditioned by ILU(0) on the compressed `A`.
        case preconditionedGMRES = "ILU(0)-GMRES"
        /// CG preconditioned by `diag(A)` on the compressed `A` (symmetric by value, with a
        /// condition bound on the Jacobi-scaled `A`: no set-up, one product per iteration).
        case jacobiCG = "Jacobi-CG"
        /// CG on the lazy operator (tape sweeps), declared SPD.
        case lazyCG = "CG on the lazy operator"
        /// GMRES on the lazy operator (tape sweeps).
        case lazyGMRES = "GMRES on the lazy operator"

        /// `true` for the candidates that need `A` in sparse form.
        var isSparse: Bool {
            switch self {
            case .diagonal, .bandLU, .sparseCholesky, .sparseLU, .preconditionedCG, .preconditionedGMRES, .jacobiCG:
                return true
            default: return false
            }
        }

        /// `true` for the candidates whose `A` and `B` are accumulated from the tape.
        var isAccumulated: Bool {
            self == .accumulatedLU || self == .accumulatedCholesky || self == .accumulatedGMRES
        }

        /// `true` for the candidates priced from `A`'s values (symmetry, condition bound, certificate).
        var readsValues: Bool {
            switch self {
            case .sparseCholesky, .sparseLU, .preconditionedCG, .preconditionedGMRES, .jacobiCG: return true
            default: return false
            }
        }
    }

    /// The candidate.
    public let kind: Kind
    /// The estimated cost of the call, in plain evaluations of `F`.
    public let evaluations: Double
    /// The estimated size of its largest arrays, in bytes.
    public let bytes: Int
    /// `false` when ``bytes`` exceeds ``ImplicitFunctionOptions/maxMatrixBytes``
    /// (the candidate is then never picked).
    public let fitsMemory: Bool

    /// `sparse Cholesky: est. 14 F` (with `, over the memory limit` when it does not fit).
    public var description: String {
        "\(kind.rawValue): est. \(shortNumber(evaluations)) F" + (fitsMemory ? "" : ", over the memory limit")
    }
}

/// How many products a linearization will serve, as the cost model counts them.
enum ExpectedProducts: Sendable {
    /// One JVP or VJP (``ImplicitFunction/jvp(at:arguments:tangent:)``, ``ImplicitFunction/vjp(at:arguments:cotangent:)``).
    case one
    /// A full Jacobian: `min(m, n)` solves.
    case jacobian
    /// A linearization or a plan kept for later use: ``CostModel/manyProducts`` solves.
    case many

    /// The number of solves with `m` unknowns and `n` inputs.
    func count(m: Int, n: Int) -> Int {
        switch self {
        case .one: return 1
        case .jacobian: return Swift.max(1, Swift.min(m, n))
        case .many: return Swift.max(CostModel.manyProducts, Swift.min(m, n))
        }
    }

    /// `1 product`, `n products`.
    func phrase(m: Int, n: Int) -> String {
        let c = count(m: m, n: n)
        return c == 1 ? "1 product" : "\(c) products"
    }
}

/// The estimated cost of every candidate for one square `A`, and the cheapest.
///
/// ```
/// cost(candidate) = setup + P · cost per product          (seconds, reported in units of T_F)
/// ```
///
/// Two measures of `F` enter, both taken once when the pattern is detected
/// (two timed calls each, the shorter kept, cached with the pattern): `T_F`,
/// one plain evaluation on `Double`, which prices the passes that evaluate
/// `F` again (dual passes at ``dualPass``·`T_F`, the recording at
/// ``recording``·`T_F`); and `T_s`, one reverse sweep of the recording, which
/// prices every tape sweep. Sweeps and evaluations do not scale together — a
/// sweep reads every operation's stored partials whatever the operation was,
/// so it costs 0.7 `T_F` on transcendental-heavy conditions and 4.5 `T_F` on
/// multiply–add loops — which is why both are timed. When a clock reads
/// zero, `T_F` and `T_s` fall back to ``fallbackSecondsPerOperation`` and
/// ``sweepSecondsPerOperation`` times the tape's operation count `N`. Flops of
/// BLAS, LAPACK and the sparse kernels are priced at ``secondsPerFlop``.
///
/// The constants were measured on the development machine (release build,
/// one BLAS thread; figures in `docs/performance.md`); they need only be
/// right to a factor of about two, since where the choice matters the
/// candidates differ by much more.
struct CostModel {
    /// `δ`: one `DualN<8>` pass over `F` (eight directions of the dense path), in `T_F`.
    static let dualPass = 12.0
    /// `ρ`: one tape recording of `F`, in `T_F`.
    static let recording = 5.0
    /// `σ`: one tape sweep (forward or reverse), in seconds per operation on the tape.
    static let sweepSecondsPerOperation = 3.5e-9
    /// `τ`: one flop of the dense and sparse kernels, in seconds.
    static let secondsPerFlop = 0.05e-9
    /// `T_F` per operation when `F` could not be timed (a clock reading of zero).
    static let fallbackSecondsPerOperation = 2e-9
    /// `κ`: the fixed cost of the sparse path (pattern bookkeeping, the
    /// verification's scale arrays, the factorization's set-up), in seconds.
    static let sparseSetupSeconds = 15e-6
    /// Random products that verify a compressed `A`.
    static let verificationProducts = 3.0
    /// `α`: one tape-free ``DualN`` pass beyond its lanes, in `T_F`.
    static let dualPassBase = 1.2
    /// `β`: one lane of a tape-free ``DualN`` pass (of width 4 … 8), in `T_F`.
    static let dualLane = 0.12
    /// The number of products ``ExpectedProducts/many`` stands for (a
    /// linearization kept for later use is charged as if it served at least
    /// this many solves, or a full Jacobian when that is more).
    static let manyProducts = 32
    /// GMRES restart of the automatic plan.
    static let restart = 30

    /// The assumed iterations of an unpreconditioned Krylov solve to the
    /// automatic tolerance, `min(m, 20 + 2√m)` (no spectral information is available).
    static func plainIterations(_ m: Int) -> Double {
        Swift.min(Double(m), 20 + 2 * Double(m).squareRoot())
    }

    /// The assumed iterations of an IC(0)/ILU(0)-preconditioned solve, `min(m, 10 + √m)`.
    static func preconditionedIterations(_ m: Int) -> Double {
        Swift.min(Double(m), 10 + Double(m).squareRoot())
    }

    /// `m`, the order of `A`.
    let m: Int
    /// `P`, the number of solves the call will make.
    let products: Int
    /// `N`, the operations of `F` on the tape.
    let operations: Int
    /// `T_F`, one plain evaluation of `F`, in seconds (`0` when it could not be timed).
    let evaluationSeconds: Double
    /// `T_s`, one tape sweep, in seconds (`0` when it could not be timed).
    let sweepSeconds: Double
    /// What the sparse candidates need to know about `A`, or `nil` when they are not considered.
    let sparse: SparseStructure?
    /// `A` declared symmetric positive definite.
    let declaredSPD: Bool
    /// The Krylov singularity probe runs (one extra solve for each Krylov candidate).
    let probes: Bool
    /// The largest allocation allowed, in bytes.
    let memoryLimit: Int
    /// The relative tolerance the Krylov candidates solve to (for an iteration count from a condition bound).
    var krylovTolerance = KrylovOptions.automaticPlan.relativeTolerance
    /// The dual lanes of the tape-free evaluation (``DetectedStructure/tapeFreeLanes``) when the
    /// sparse `A` is built that way, or `nil` when it is built from a recording.
    var tapeFreeLanes: Int? = nil
    /// `T_acc`, one accumulation of `A` and `B` from the recording, in seconds, or `nil`
    /// when it was not timed or declined (the accumulated candidates are then absent).
    var accumulationSeconds: Double? = nil
    /// `n`, the length of `x` (the accumulated `B` is `m × n`).
    var inputCount = 0
    /// The Gershgorin disc bound of the accumulated `A` (prices GMRES on it), or `nil`
    /// (that candidate is then absent).
    var discBound: GershgorinDiscBound? = nil

    /// `T_F`, or its fallback from the operation count.
    private var tF: Double {
        evaluationSeconds > 0 ? evaluationSeconds : Double(Swift.max(operations, 1)) * Self.fallbackSecondsPerOperation
    }

    /// `T_s`, or its fallback `σ·N` from the operation count.
    private var sweep: Double {
        sweepSeconds > 0 ? sweepSeconds : Double(Swift.max(operations, 1)) * Self.sweepSecondsPerOperation
    }

    private func candidate(_ kind: CandidateCost.Kind, seconds: Double, bytes: Double) -> CandidateCost {
        let b = bytes.isFinite && bytes < Double(Int.max / 2) ? Int(bytes) : Int.max
        return CandidateCost(kind: kind, evaluations: seconds / tF, bytes: b, fitsMemory: b <= memoryLimit)
    }

    /// Every candidate that applies, in the order ties are broken.
    func candidates() -> [CandidateCost] {
        let md = Double(m), p = Double(products), tau = Self.secondsPerFlop
        let solves = p + (probes ? 1 : 0)
        let record = Self.recording * tF
        var list: [CandidateCost] = []
        if let s = sparse {
            let nnz = Double(s.pattern.nonZeroCount)
            let base = tapeFreeLanes.map { Self.tapeFreeSeconds(lanes: $0, nonZeros: s.pattern.nonZeroCount, tF: tF) }
                ?? Self.sparseSetupSeconds + record + (Double(s.sweeps) + Self.verificationProducts) * sweep + 3 * nnz * tau
            let symmetric = s.symmetric
            if s.isDiagonal {
                list.append(candidate(.diagonal, seconds: base + (md + p * md) * tau, bytes: 8 * md))
            } else {
                // A band LU when the band is narrow; the sparse factorizations always, so that a
                // 2-D stencil (band N on N² unknowns) weighs its band against a fill-reducing ordering.
                if let band = s.bandedShape {
                    let kl = Double(band.lower), ku = Double(band.upper)
                    let width = 2 * kl + ku + 1
                    list.append(candidate(.bandLU, seconds: base + (2 * md * kl * (kl + ku + 1) + p * 2 * md * width) * tau,
                                          bytes: 8 * md * width))
                }
                // The factor's non-zeros L: the envelope bound m(b + 1) for narrow profiles, the
                // nnz·⌈log₂ m⌉ of a fill-reducing ordering on mesh-like patterns otherwise.
                let b = Double(Swift.max(s.shape.bandwidths.lower, s.shape.bandwidths.upper))
                let fill = Swift.max(nnz, Swift.min(md * (b + 1), nnz * Double(Int.bitWidth - m.leadingZeroBitCount)))
                let factor = fill * fill / md
                if symmetric {
                    list.append(candidate(.sparseCholesky, seconds: base + (factor + p * 4 * fill) * tau, bytes: 12 * fill))
                } else {
                    list.append(candidate(.sparseLU, seconds: base + (2 * factor + p * 4 * fill) * tau, bytes: 24 * fill))
                }
            }
            // The certificate spares the sparse Krylov candidates the probe (not the lazy ones: no values there).
            let solves = p + (probes && !s.certifiedNonsingular ? 1 : 0)
            var its = Self.preconditionedIterations(m)
            if symmetric, let kappa = s.conditionBound {
                its = Swift.min(its, Self.conjugateGradientIterations(condition: kappa, tolerance: krylovTolerance))
            }
            if symmetric {
                list.append(candidate(.preconditionedCG, seconds: base + (nnz + solves * its * (6 * nnz + 10 * md)) * tau,
                                      bytes: 16 * nnz + 48 * md))
                if let kappa = s.conditionBound {
                    let jacobiIts = Self.conjugateGradientIterations(condition: kappa, tolerance: krylovTolerance)
                    // On a few diagonals A is also stored by them (d·m values, written once): the product
                    // reads no index, 1.5 flops a value (≈ 0.75× the CSC gather's 2 per entry).
                    let (setUp, perIteration, stored): (Double, Double, Double) = s.shape.diagonalOffsets.map {
                        let dm = Double($0.count) * md
                        return (md + dm, 1.5 * dm + 8 * md, 8 * dm)
                    } ?? (md, 2 * nnz + 8 * md, 0)
                    list.append(candidate(.jacobiCG, seconds: base + (setUp + solves * jacobiIts * perIteration) * tau,
                                          bytes: 16 * nnz + 40 * md + stored))
                }
            } else {
                let work = 6 * nnz + Double(2 * Self.restart) * md
                list.append(candidate(.preconditionedGMRES, seconds: base + (nnz + solves * its * work) * tau,
                                      bytes: 16 * nnz + 8 * Double(Self.restart + 4) * md))
            }
        }
        let cube = (declaredSPD ? 1.0 / 3 : 2.0 / 3) * md * md * md
        list.append(candidate(declaredSPD ? .denseCholesky : .denseLU,
                              seconds: Double((m + 7) / 8) * Self.dualPass * tF + (cube + p * 2 * md * md) * tau,
                              bytes: 16 * md * md))
        if let accumulation = accumulationSeconds {
            list.append(candidate(declaredSPD ? .accumulatedCholesky : .accumulatedLU,
                                  seconds: record + accumulation + (cube + p * 2 * md * md) * tau,
                                  bytes: 16 * md * md + 8 * md * Double(inputCount)))
            if !declaredSPD, let its = discBound?.iterations(tolerance: krylovTolerance, restart: Self.restart) {
                let k = Double(its), basis = Double(Swift.min(its, Self.restart))
                list.append(candidate(.accumulatedGMRES,
                                      seconds: record + accumulation + (md * md + p * k * (2 * md * md + 4 * basis * md)) * tau,
                                      bytes: 8 * md * md + 8 * md * Double(inputCount) + 8 * Double(Self.restart + 4) * md))
            }
        }
        let work = declaredSPD ? 10 * md : Double(2 * Self.restart) * md
        list.append(candidate(declaredSPD ? .lazyCG : .lazyGMRES,
                              seconds: record + solves * Self.plainIterations(m) * (sweep + work * tau),
                              bytes: 8 * Double(Self.restart + 4) * md))
        return list
    }

    /// `true` when building `A` by `passes` compressed sweeps (and three
    /// verification sweeps) costs less than the dense path's dual passes,
    /// `(passes + 3)·T_s < ⌈m/8⌉·δ·T_F`; otherwise the sparse candidates are
    /// not considered and `A` is not compressed (an arrow-shaped pattern needs
    /// `m` colours in either direction).
    static func compressionPays(passes: Int, m: Int, structure: DetectedStructure) -> Bool {
        let operations = Double(Swift.max(structure.operationCount, 1))
        let tF = structure.evaluationSeconds > 0 ? structure.evaluationSeconds : operations * fallbackSecondsPerOperation
        let tS = structure.sweepSeconds > 0 ? structure.sweepSeconds : operations * sweepSecondsPerOperation
        return (Double(passes) + verificationProducts) * tS < Double((m + 7) / 8) * dualPass * tF
    }

    /// The set-up of the tape-free sparse path: `F` on `lanes` dual lanes in passes of
    /// ``AD/dualPassWidths(_:)``, each `(α + β·width)·T_F`, then the read-back and the
    /// verification's products, `3·nnz·τ`.
    static func tapeFreeSeconds(lanes: Int, nonZeros: Int, tF: Double) -> Double {
        let evaluations = AD.dualPassWidths(lanes).reduce(0.0) { $0 + dualPassBase + dualLane * Double($1) }
        return sparseSetupSeconds + evaluations * tF + 3 * Double(nonZeros) * secondsPerFlop
    }

    /// `true` when the winner of `byPattern` does not read `A`'s values (diagonal, band LU, dense,
    /// lazy) and costs less than every candidate that does (sparse Cholesky / LU, IC(0)-CG,
    /// ILU(0)-GMRES) priced at its best by `best(symmetric)`, for either symmetry: then the value
    /// symmetry check, the condition bound and the nonsingularity certificate cannot change the winner.
    static func valuesCannotChange(_ byPattern: [CandidateCost], best: (Bool) -> [CandidateCost]) -> Bool {
        let winner = cheapest(byPattern)
        guard winner.fitsMemory, !winner.kind.readsValues else { return false }
        let costs = (best(true) + best(false)).filter { $0.kind.readsValues && $0.fitsMemory }.map(\.evaluations)
        guard !costs.contains(where: \.isNaN) else { return false }
        return costs.allSatisfy { winner.evaluations < $0 }
    }

    /// The cheapest candidate that fits in memory (the first on ties), or
    /// the lazy Krylov candidate when none fits (it needs `O(m)` memory).
    static func cheapest(_ list: [CandidateCost]) -> CandidateCost {
        var best: CandidateCost? = nil
        for c in list where c.fitsMemory {
            if best == nil || c.evaluations < best!.evaluations { best = c }
        }
        return best ?? list.last!
    }
}

/// What the sparse candidates of the cost model need to know about `A`:
/// its pattern, the sweeps that build it, and whether it is symmetric (by
/// value once `A` is compressed; by pattern before, as a first estimate).
struct SparseStructure {
    let pattern: SparsityPattern
    let sweeps: Int
    let symmetric: Bool
    /// A bound on the condition number of the Jacobi-scaled `A`, read from its values
    /// (``SparseValueFacts/conditionBound``); `nil` when unknown.
    var conditionBound: Double? = nil
    /// ``NonsingularityCertificate`` holds for the values of `A` (the Krylov candidates then run no probe).
    var certifiedNonsingular = false
    /// The pattern's diagonal-ness and bandwidths.
    let shape: PatternShape

    /// `pattern`'s structure; `shape` must be `pattern`'s (it is read from `pattern` when not given).
    init(pattern: SparsityPattern, sweeps: Int, symmetric: Bool, conditionBound: Double? = nil,
         shape: PatternShape? = nil) {
        self.pattern = pattern
        self.sweeps = sweeps
        self.symmetric = symmetric
        self.conditionBound = conditionBound
        self.shape = shape ?? PatternShape(pattern)
    }

    /// Every non-zero on the diagonal (a square pattern).
    var isDiagonal: Bool { shape.isDiagonal }

    /// The bandwidths when a band LU is worth it (``LinearSolver/worthBandLU(order:_:)``).
    var bandedShape: (lower: Int, upper: Int)? { shape.bandLU }
}

/// The cost model's decision: the plan, `A` in sparse form when a sparse
/// candidate won (already compressed and verified), and the preconditioner of
/// a preconditioned candidate.
struct CostModelDecision {
    let plan: SolvePlan
    let sparse: SparseJacobian?
    let preconditioner: PreconditionerFactory?
    /// The sparse factorization the model picked (the preparation then does not choose by structure).
    var sparseKind: SparseKind? = nil
    /// `A` and `B` are to be accumulated from the recording (``LocalConditions/accumulate``).
    var accumulates = false
    /// `A` and `B` already accumulated by this decision (when it timed the accumulation).
    var accumulated: (a: Matrix, b: Matrix)? = nil
}

extension KrylovOptions {
    /// The Krylov tolerances the `.automatic` solver uses when
    /// ``ImplicitFunctionOptions/krylovOptions`` is left at its default:
    ///
    /// ```
    /// atol = rtol = 1e-12     on unit-scaled right-hand sides: ‖r‖ ≤ 2e-12 ‖b‖
    /// ```
    ///
    /// tight enough for derivatives within about `1e-10` relative when `A`
    /// has a condition number up to about `100`; explicit Krylov choices keep their own options.
    public static let automaticPlan: KrylovOptions = {
        // Valid by construction.
        try! KrylovOptions(absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }()

    /// ``KrylovOptions/default``, built once (the comparison runs on every linearization).
    static let defaultOptions = KrylovOptions.default
}

extension ImplicitFunction {
    /// The Krylov options the plan uses: the user's, or ``KrylovOptions/automaticPlan``
    /// when the solver is `.automatic` and the options were left at their default.
    var effectiveKrylovOptions: KrylovOptions {
        linearSolver.isAutomatic && options.krylovOptions == KrylovOptions.defaultOptions
            ? KrylovOptions.automaticPlan : options.krylovOptions
    }

    /// The cost model for `A` of order `m` with the structure `detected` (pattern, `T_F`, `T_s`),
    /// the sparse candidates priced from `sparse` (built tape-free when `tapeFree`), the accumulated
    /// dense candidates priced when `accumulates` (the conditions can accumulate `A` and `B`) and timed.
    func costModel(detected: DetectedStructure, m: Int, n: Int, products: ExpectedProducts, sparse: SparseStructure?,
                   tapeFree: Bool, accumulates: Bool = false) -> CostModel {
        var model = CostModel(m: m, products: products.count(m: m, n: n), operations: detected.operationCount,
                              evaluationSeconds: detected.evaluationSeconds, sweepSeconds: detected.sweepSeconds,
                              sparse: sparse, declaredSPD: structure.contains(.positiveDefinite),
                              probes: options.probesKrylovSingularity, memoryLimit: options.maxMatrixBytes)
        if tapeFree { model.tapeFreeLanes = detected.tapeFreeLanes }
        if accumulates {
            model.accumulationSeconds = detected.accumulationSeconds
            model.discBound = detected.accumulatedDiscBound
        }
        model.inputCount = n
        return model
    }

    /// The cost model's plan for conditions recorded on the tape (see ``SolvePlan``),
    /// or `nil` when the size rule applies instead: a representation or solver
    /// chosen explicitly, `k ≠ m`, `m ≤` ``prefetchLimit``, or conditions
    /// without a tape (hand-written, finite differences, given matrices).
    ///
    /// The pattern of `A` and the operation count of `F` come from this
    /// function's ``StructureCache`` (detected on first use). The candidates
    /// are first priced from the pattern (symmetry by pattern); when a sparse
    /// one wins, `A` is compressed and verified at this point and the choice
    /// is made again with symmetry read from its values, unless the winner reads
    /// no values and beats every candidate that does at its best
    /// (``CostModel/valuesCannotChange(_:best:)``): then the pattern's list stands.
    func costModelDecision(_ local: LocalConditions, products: ExpectedProducts)
        throws(ImplicitDifferentiationError) -> CostModelDecision?
    {
        let k = local.k, m = local.m
        guard representation == .automatic, linearSolver.isAutomatic, k == m, m > Self.prefetchLimit,
              !conditions.givesMatrices, let detect = local.detectStructure, let sparseA = local.sparseA
        else { return nil }
        let key = StructureCache.Key(k: k, m: m, n: local.n)
        var detected = detect(structureCache, key)
        var accumulated: (a: Matrix, b: Matrix)? = nil
        if detected.compression == nil, !detected.accumulationTried, !local.isTapeFree,
           let accumulate = local.accumulate {
            // A dense pattern: time one accumulation of A and B (once per shapes), when [B | A] is
            // small enough and fits in memory; its result serves this call if it wins.
            let (entries, overflow) = k.multipliedReportingOverflow(by: local.n + m)
            if !overflow, entries <= DetectedStructure.accumulationTrialEntries, entries <= options.maxMatrixBytes / 8 {
                let seconds = DetectedStructure.seconds { accumulated = accumulate() }
                detected.accumulationSeconds = accumulated == nil ? nil : seconds
                detected.accumulatedDiscBound = accumulated.flatMap { GershgorinDiscBound($0.a) }
            }
            detected.accumulationTried = true
            structureCache.store(detected, for: key)
        }
        func model(_ s: SparseStructure?) -> CostModel {
            costModel(detected: detected, m: m, n: local.n, products: products, sparse: s, tapeFree: local.isTapeFree,
                      accumulates: local.accumulate != nil && !local.isTapeFree)
        }
        // First from the pattern alone (symmetry by pattern); A is compressed only when a
        // sparse candidate wins, and then the choice is made again with symmetry by value,
        // unless no value can change it (a band LU that beats every value-priced candidate at its best).
        // On the tape-free path A is already evaluated and verified (tapeFreeStart made the same first choice).
        var sparse: SparseJacobian? = nil
        var list = model(nil).candidates()
        if let c = detected.compression,
           local.isTapeFree || CostModel.compressionPays(passes: c.passes, m: m, structure: detected) {
            let byPattern = SparseStructure(pattern: c.pattern, sweeps: c.passes,
                                            symmetric: c.isStructurallySymmetric, shape: detected.shape)
            let first = model(byPattern).candidates()
            if CostModel.cheapest(first).kind.isSparse {
                var a = try sparseA(structureCache, nil)
                let sweeps = a.compression?.sweeps ?? c.passes
                if CostModel.valuesCannotChange(first, best: { symmetric in
                    var s = SparseStructure(pattern: a.matrix.pattern, sweeps: sweeps, symmetric: symmetric,
                                            conditionBound: symmetric ? 1 : nil, shape: a.shape)
                    s.certifiedNonsingular = true
                    return model(s).candidates()
                }) {
                    list = first
                } else {
                    // A on a few diagonals is also stored by them: the value pass reads the diagonal
                    // runs, and the Krylov products use them.
                    a.diagonals = a.shape.diagonalOffsets.flatMap { detected.diagonalBuffer.form(a.matrix, offsets: $0) }
                    let facts = SparseValueFacts(a.matrix, diagonals: a.diagonals)
                    a.facts = facts
                    var byValue = SparseStructure(pattern: a.matrix.pattern, sweeps: sweeps, symmetric: facts.symmetric,
                                                  conditionBound: facts.conditionBound, shape: a.shape)
                    byValue.certifiedNonsingular = facts.certificate != nil
                    list = model(byValue).candidates()
                }
                sparse = a
            } else {
                list = first
            }
        }
        let winner = CostModel.cheapest(list)
        let krylov = effectiveKrylovOptions
        let rep: Representation, solver: LinearSolver
        var preconditioner: PreconditionerFactory? = nil
        var sparseKind: SparseKind? = nil
        switch winner.kind {
        case .denseLU, .accumulatedLU: (rep, solver) = (.matrix, .lu)
        case .accumulatedGMRES: (rep, solver) = (.matrix, .gmres(restart: CostModel.restart, options: krylov))
        case .denseCholesky, .accumulatedCholesky: (rep, solver) = (.matrix, .cholesky)
        case .diagonal: (rep, solver, sparseKind) = (.sparse, .lu, .diagonal)
        case .bandLU: (rep, solver, sparseKind) = (.sparse, .lu, sparse?.bandedShape.map { .band($0) })
        case .sparseCholesky: (rep, solver, sparseKind) = (.sparse, .lu, .cholesky)
        case .sparseLU: (rep, solver, sparseKind) = (.sparse, .lu, .lu)
        case .preconditionedCG, .preconditionedGMRES:
            let a = sparse!.matrix
            let cg = winner.kind == .preconditionedCG
            (rep, solver) = (.sparse, cg ? .cg(options: krylov) : .gmres(restart: CostModel.restart, options: krylov))
            preconditioner = self.preconditioner ?? (cg ? .incompleteCholesky(a) : .incompleteLU(a))
        case .jacobiCG:
            (rep, solver) = (.sparse, .cg(options: krylov))
            preconditioner = self.preconditioner ?? .jacobi(sparse!.matrix, diagonal: sparse!.facts?.diagonal)
        case .lazyCG: (rep, solver) = (.operator, .cg(options: krylov))
        case .lazyGMRES: (rep, solver) = (.operator, .gmres(restart: CostModel.restart, options: krylov))
        }
        var plan = SolvePlan(representation: rep, solver: solver,
                             explanation: .costModel(winner: winner, candidates: list,
                                                     products: products.phrase(m: m, n: local.n)))
        plan.candidates = list
        return CostModelDecision(plan: plan, sparse: rep == .sparse ? sparse : nil, preconditioner: preconditioner,
                                 sparseKind: sparseKind,
                                 accumulates: winner.kind.isAccumulated,
                                 accumulated: accumulated)
    }
}

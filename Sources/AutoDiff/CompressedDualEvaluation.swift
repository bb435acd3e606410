import LinearAlgebra

// Both Jacobian blocks of F(x, y), compressed, and F's value, from evaluations of F on
// DualN lanes, with no tape (Curtis, Powell & Reid 1974; see CompressedJacobian.swift):
//
//     lanes  0 ..< cA             colour c of A = ∂F/∂y: y_j seeded with 1 where colour(j) = c
//            cA ..< cA + cB       colour c of B = ∂F/∂x: x_j seeded with 1 where colour(j) = c
//            cA + cB              verification: y seeded with v_y, x with v_x (uniform in [-1, 1))
//
//     A[i, j] = (lane colour(j))ᵢ,   B[i, j] = (lane cA + colour(j))ᵢ
//     check   |(A v_y + B v_x)ᵢ − (verification lane)ᵢ| ≤ 1e-10 (Σⱼ|aᵢⱼ v_yⱼ| + Σⱼ|bᵢⱼ v_xⱼ| + |laneᵢ|)
//
// The lanes are split into passes of DualN<8>, the last one exactly as wide as the lanes left
// (DualN<5> … DualN<8>), or DualN<4> when at most four remain (``AD/dualPassWidths(_:)``): a pass
// costs about (α + β·N)·T_F and moves (N + 1)·8 bytes per scalar, while DualN<16> passes run out
// of cache on long vectors (figures in docs/performance.md).
//
// The lanes are read back in one sweep over F's rows by a map of each (row, lane) onto its entry
// (CompressedLaneMap.swift), which also checks the verification lane when every lane fits in one
// pass; a lane that sweep cannot read (a non-finite or unexplained derivative, a failed row) is read
// again column by column (ColorGroups.scatter), which describes the failure.
//
// Deviations from the textbook:
//  1. As in CompressedJacobian.swift, a non-zero read nowhere (a column outside the pattern)
//     is a ``SparseJacobianError/patternMismatch(_:)``.
//  2. The verification lane is the independent product of
//     ``BivariateLinearization/verify(_:withRespectToY:probes:seed:)``, taken on the same
//     evaluation instead of a tape sweep: a pattern that changed onto read entries
//     (control flow on values) cannot pass it, except on a set of directions of measure zero.

/// What one tape-free compressed evaluation gives: `F`'s value and its Jacobian blocks in sparse form.
public struct CompressedJacobians: Sendable {
    /// One of the two blocks.
    public enum Block: Sendable, Hashable {
        /// `A = ∂F/∂y`.
        case y
        /// `B = ∂F/∂x`.
        case x
    }

    /// `F(x, y)`, length `k`.
    public let value: [Double]
    /// `A = ∂F/∂y` (`k × m`), or `nil` when not asked for or when an entry is not finite.
    public let y: SparseMatrix?
    /// `B = ∂F/∂x` (`k × n`), or `nil` when not asked for or when an entry is not finite.
    public let x: SparseMatrix?
    /// The first non-finite entry (`A`'s searched first), its block and position in the block;
    /// then neither block is given and nothing was verified.
    public let nonFinite: (block: Block, row: Int, column: Int)?
    /// The evaluations of `F` made (passes of ``DualN``).
    public let passes: Int
    /// `A y` (length `k`), summed while the lanes were read back when it was asked for and one sweep
    /// read every lane (``CompressedLaneMap``), else `nil`. Row `i` sums `aᵢⱼ yⱼ` in lane order
    /// (the colours of the row's columns) instead of column order, so it may differ from a sparse
    /// product in the last bits.
    public let yProduct: [Double]?
}

/// The state of one compressed dual evaluation across its passes: seeds, read-back, verification.
@usableFromInline
struct CompressedDualRun {
    /// One block: its pattern, colour groups and values as they are read.
    @usableFromInline
    struct Block {
        let pattern: SparsityPattern
        @usableFromInline let groups: ColorGroups
        /// The colour of each column.
        @usableFromInline let colors: [Int]
        @usableFromInline var values: [Double]

        init(_ pattern: SparsityPattern, _ coloring: ColumnColoring) {
            self.pattern = pattern
            groups = coloring.groups
            colors = coloring.colors
            values = [Double](repeating: 0, count: pattern.nonZeroCount)
        }
    }

    @usableFromInline var a: Block?
    @usableFromInline var b: Block?
    /// The random directions of the verification lane (`v_y`, `v_x`; empty when not verifying).
    @usableFromInline let vy: [Double], vx: [Double]
    @usableFromInline let rows: Int
    @usableFromInline var value: [Double] = []
    @usableFromInline var verificationLane: [Double] = []
    /// `A y`, when summed by ``readLanes(_:lanes:map:y:)`` (empty otherwise).
    @usableFromInline var yProduct: [Double] = []
    /// `true` when the verification lane was checked while the lanes were read (``readLanes(_:lanes:map:y:)``).
    @usableFromInline var verifiedByLanes = false
    /// `true` once a lane was read the general way (``absorb(lane:_:offset:)``); until then every
    /// entry read was checked finite by ``readLanes(_:lanes:map:y:)``.
    var readGenerally = false
    /// The first non-finite entry found in a lane, its block and position.
    var nonFinite: (block: CompressedJacobians.Block, row: Int, column: Int)? = nil
    /// A non-finite lane value that no pattern entry explains (reported if no entry is non-finite).
    var unexplained: String? = nil

    /// The colours of `A`, then of `B`.
    @usableFromInline var colorsA: Int { a?.groups.colorCount ?? 0 }
    @usableFromInline var colorsB: Int { b?.groups.colorCount ?? 0 }
    /// Every lane, the verification lane last.
    @usableFromInline var laneCount: Int { colorsA + colorsB + (vy.isEmpty && vx.isEmpty ? 0 : 1) }

    /// The verification directions as drawn (kept by a workspace for the next call).
    @usableFromInline let directions: VerificationDirections?

    /// A run on `x`, `y`; the verification directions are `cached` when they were drawn from
    /// `verifySeed` for these lengths, else drawn anew.
    @usableFromInline
    init(x: [Double], y: [Double], a: (pattern: SparsityPattern, coloring: ColumnColoring)?,
         b: (pattern: SparsityPattern, coloring: ColumnColoring)?, verifySeed: UInt64?,
         cached: VerificationDirections? = nil) throws(SparseJacobianError) {
        let k = a?.pattern.rows ?? b?.pattern.rows ?? 0
        if let a { try checkShape(a.pattern, a.coloring, columns: y.count, rows: k) }
        if let b { try checkShape(b.pattern, b.coloring, columns: x.count, rows: k) }
        self.a = a.map { Block($0.pattern, $0.coloring) }
        self.b = b.map { Block($0.pattern, $0.coloring) }
        rows = k
        if let verifySeed {
            let yCount = a == nil ? 0 : y.count, xCount = b == nil ? 0 : x.count
            let d = cached.flatMap { $0.seed == verifySeed && $0.vy.count == yCount && $0.vx.count == xCount ? $0 : nil }
                ?? VerificationDirections(seed: verifySeed, yCount: yCount, xCount: xCount)
            (vy, vx, directions) = (d.vy, d.vx, d)
        } else {
            (vy, vx, directions) = ([], [], nil)
        }
    }

    /// What the seeds of `x` (`inX`) or `y` for the lanes `lanes` depend on besides the values: two
    /// seedings with equal signatures differ only in the values.
    @usableFromInline
    func seedSignature(inX: Bool, lanes: Range<Int>) -> SeedSignature {
        let block = inX ? b : a, weights = inX ? vx : vy
        let verifyAt = block != nil && !weights.isEmpty && lanes.contains(colorsA + colorsB)
            ? colorsA + colorsB - lanes.lowerBound : -1
        return SeedSignature(lanes: lanes, colorLane: block == nil ? -1 : inX ? colorsA : 0, verifyAt: verifyAt,
                             colors: block?.colors ?? [], weights: verifyAt >= 0 ? weights : [])
    }

    /// Writes `values` (`x` when `inX`, else `y`) into `out` as duals seeded for the lanes `lanes`
    /// of one pass, in one sequential sweep: column `j` gets 1 on the lane of its colour when that
    /// lane is in the pass, and its verification weight on the verification lane when that lane is.
    /// `out` is reused when it has the length of `values`; when `valuesOnly`, `out` already holds
    /// these seeds (the same ``seedSignature(inX:lanes:)``) and only the values are written.
    @inlinable
    func seed<let N: Int>(_ values: [Double], inX: Bool, lanes: Range<Int>, into out: inout [DualN<N>],
                          valuesOnly: Bool = false) {
        if valuesOnly && out.count == values.count {
            values.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer { o in
                    for j in 0..<v.count { o[j].value = v[j] }
                }
            }
            return
        }
        if out.count != values.count { out = [DualN<N>](repeating: DualN<N>(0), count: values.count) }
        guard let block = inX ? b : a else {
            for j in values.indices { out[j] = DualN<N>(values[j]) }
            return
        }
        let first = lanes.lowerBound, colorLane = inX ? colorsA : 0
        let weights = inX ? vx : vy
        let verifyAt = !weights.isEmpty && lanes.contains(colorsA + colorsB) ? colorsA + colorsB - first : -1
        // Each dual is written whole with zero partials, then its one or two seeded lanes are
        // set in place (assembling the partials in a local first and copying them costs a
        // stalled reload of the just-written lanes per column).
        let upper = lanes.upperBound
        let zero = InlineArray<N, Double>(repeating: 0)
        block.colors.withUnsafeBufferPointer { colors in
            values.withUnsafeBufferPointer { v in
                weights.withUnsafeBufferPointer { w in
                    out.withUnsafeMutableBufferPointer { o in
                        for j in 0..<v.count {
                            o[j] = DualN<N>(v[j], partials: zero)
                            let lane = colorLane + colors[j]
                            if lane >= first && lane < upper { o[j].partials[lane - first] = 1 }
                            if verifyAt >= 0 { o[j].partials[verifyAt] = w[j] }
                        }
                    }
                }
            }
        }
    }

    /// Reads lane `lane`'s derivative column (`k` values of `c` from `offset`) into its block, or keeps
    /// it as the verification lane. A non-finite value is not read: it is kept as the non-finite
    /// entry when its colour has a column in its row (a `0·∞` of another colour's lane is `NaN`
    /// too), else as unexplained.
    @usableFromInline
    mutating func absorb(lane: Int, _ c: inout [Double], offset: Int) throws(SparseJacobianError) {
        let k = rows
        readGenerally = true
        if lane < colorsA + colorsB, let slot = c[offset..<(offset + k)].firstIndex(where: { !$0.isFinite }) {
            let i = slot - offset
            let inA = lane < colorsA
            let block = inA ? a! : b!
            let color = inA ? lane : lane - colorsA
            if let j = block.groups.columnsOfColor(color).first(where: { block.pattern.rows(inColumn: $0).contains(i) }) {
                if nonFinite == nil { nonFinite = (inA ? .y : .x, i, j) }
            } else if unexplained == nil {
                unexplained = "row \(i) has a non-finite derivative \(c[slot]) along colour \(color) of "
                    + "∂F/∂\(inA ? "y" : "x"), in a column outside its pattern"
            }
            return
        }
        if lane < colorsA {
            try a!.groups.scatter(&c, offset: offset, rows: k, first: lane, lanes: 1, pattern: a!.pattern,
                                  into: &a!.values)
        } else if lane < colorsA + colorsB {
            try b!.groups.scatter(&c, offset: offset, rows: k, first: lane - colorsA, lanes: 1, pattern: b!.pattern,
                                  into: &b!.values)
        } else {
            verificationLane = Array(c[offset..<(offset + k)])
        }
    }

    /// The blocks, checked finite (here, when a lane was read the general way), then checked against
    /// the verification lane (here, unless the lane map's sweep checked it).
    @usableFromInline
    func finish(passes: Int) throws(SparseJacobianError) -> CompressedJacobians {
        if let nonFinite {
            return CompressedJacobians(value: value, y: nil, x: nil, nonFinite: nonFinite, passes: passes,
                                       yProduct: nil)
        }
        if let unexplained { throw .patternMismatch(unexplained) }
        for (block, name) in [(a, CompressedJacobians.Block.y), (b, .x)] where readGenerally {
            guard let block, let pos = block.values.firstIndex(where: { !$0.isFinite }) else { continue }
            let column = block.pattern.columnPointers.lastIndex { $0 <= pos }!
            return CompressedJacobians(value: value, y: nil, x: nil,
                                       nonFinite: (name, block.pattern.rowIndices[pos], column), passes: passes,
                                       yProduct: nil)
        }
        let ay = a.map { SparseMatrix(unchecked: $0.pattern, $0.values) }
        let bx = b.map { SparseMatrix(unchecked: $0.pattern, $0.values) }
        if !verificationLane.isEmpty && !verifiedByLanes {
            var product = [Double](repeating: 0, count: rows), scale = product
            if let ay { addProductAndAbsoluteTerms(ay, vy, product: &product, scale: &scale) }
            if let bx { addProductAndAbsoluteTerms(bx, vx, product: &product, scale: &scale) }
            try checkRows(product, against: verificationLane, scale: scale, probe: "the verification lane")
        }
        let product = ay != nil && yProduct.count == rows ? yProduct : nil
        return CompressedJacobians(value: value, y: ay, x: bx, nonFinite: nil, passes: passes, yProduct: product)
    }
}

/// The random directions `v_y`, `v_x` of the verification lane, drawn from one seed
/// (uniform in `[-1, 1)`, `v_y` first).
@usableFromInline
struct VerificationDirections: Sendable {
    let seed: UInt64
    @usableFromInline let vy: [Double], vx: [Double]

    init(seed: UInt64, yCount: Int, xCount: Int) {
        var state = seed
        self.seed = seed
        vy = (0..<yCount).map { _ in uniformSplitMix(&state) }
        vx = (0..<xCount).map { _ in uniformSplitMix(&state) }
    }
}

extension AD {
    /// The widths of the passes that evaluate `lanes` lanes: ``DualN``
    /// `<8>` while more than eight remain, then one pass as wide as the lanes
    /// left (`<5>` … `<8>`), or `<4>` for the last 1–4.
    ///
    /// ```
    /// lanes = 8q + r,  0 < r ≤ 8:   q × 8, then max(r, 4)
    /// ```
    public static func dualPassWidths(_ lanes: Int) -> [Int] {
        var widths: [Int] = [], left = lanes
        while left > 0 {
            let w = left > 8 ? 8 : Swift.max(left, 4)
            widths.append(w)
            left -= w
        }
        return widths
    }

    /// `F`'s value and both Jacobian blocks in sparse form from evaluations
    /// of `F` on ``DualN`` lanes seeded by colour, with no tape, checked by
    /// one extra lane seeded with random directions (see the file's header).
    ///
    /// ```
    /// lanes = colours(A) + colours(B) + 1,   passes = ⌈lanes / width⌉
    /// A[i, j] = ∂Fᵢ along the lane of colour(j),   A v_y + B v_x = the verification lane
    /// ```
    ///
    /// - Parameters:
    ///   - f: the function.
    ///   - x: the first argument, length `n`.
    ///   - y: the second argument, length `m`.
    ///   - a: `A`'s pattern (`k × m`) and a valid colouring of its columns, or `nil` to skip `A`.
    ///   - b: `B`'s pattern (`k × n`) and a valid colouring of its columns, or `nil` to skip `B`.
    ///   - verifySeed: the seed of the verification lane's directions, or `nil` for no verification.
    ///   - workspace: buffers to reuse for the seeded arguments and the lanes read back
    ///     (``CompressedDualWorkspace``), or `nil` to allocate them for this call.
    ///   - multiplyingY: `true` to sum `A y` while the lanes are read back
    ///     (``CompressedJacobians/yProduct``; given only when one sweep reads every lane).
    /// - Returns: the value and the blocks, with the given patterns; or, when an entry is not
    ///   finite, the value and that entry (``CompressedJacobians/nonFinite``), unverified.
    /// - Throws: ``SparseJacobianError/patternMismatch(_:)`` when `F` has a derivative outside
    ///   a pattern or fails the verification; ``SparseJacobianError/dimensionMismatch(_:)``.
    @inlinable
    public static func compressedJacobians<F: DifferentiableBivariateFunction>(
        of f: F, x: [Double], y: [Double], a: (pattern: SparsityPattern, coloring: ColumnColoring)?,
        b: (pattern: SparsityPattern, coloring: ColumnColoring)?, verifySeed: UInt64? = 0x1DC0_FFEE,
        workspace: CompressedDualWorkspace? = nil, multiplyingY: Bool = false
    ) throws(SparseJacobianError) -> CompressedJacobians {
        var buffers = workspace?.take() ?? CompressedDualWorkspace.Buffers()
        var run = try CompressedDualRun(x: x, y: y, a: a, b: b, verifySeed: verifySeed, cached: buffers.directions)
        buffers.directions = run.directions ?? buffers.directions
        let widths = dualPassWidths(run.laneCount)
        if widths.isEmpty {
            workspace?.giveBack(buffers)
            run.value = f(x, y)
            return try run.finish(passes: 1)
        }
        var first = 0
        for w in widths {
            let lanes = first..<Swift.min(first + w, run.laneCount)
            switch w {
            case 4: try compressedPass(f, x: x, y: y, lanes: lanes, as: DualN<4>.self, &run, &buffers,
                                    multiplyingY: multiplyingY)
            case 5: try compressedPass(f, x: x, y: y, lanes: lanes, as: DualN<5>.self, &run, &buffers,
                                    multiplyingY: multiplyingY)
            case 6: try compressedPass(f, x: x, y: y, lanes: lanes, as: DualN<6>.self, &run, &buffers,
                                    multiplyingY: multiplyingY)
            case 7: try compressedPass(f, x: x, y: y, lanes: lanes, as: DualN<7>.self, &run, &buffers,
                                    multiplyingY: multiplyingY)
            default: try compressedPass(f, x: x, y: y, lanes: lanes, as: DualN<8>.self, &run, &buffers,
                                         multiplyingY: multiplyingY)
            }
            first += w
        }
        workspace?.giveBack(buffers)
        return try run.finish(passes: widths.count)
    }

    /// One evaluation of `F` on `DualN<N>` for the lanes `lanes` (at most `N`) of `run`, its
    /// seeded arguments, read-back lanes and (when `F` writes it in place) output in `buffers`
    /// (reused when they fit, put back after);
    /// `A y` summed in the lane sweep when `multiplyingY`.
    @inlinable
    static func compressedPass<F: DifferentiableBivariateFunction, let N: Int>(
        _ f: F, x: [Double], y: [Double], lanes: Range<Int>, as: DualN<N>.Type, _ run: inout CompressedDualRun,
        _ buffers: inout CompressedDualWorkspace.Buffers, multiplyingY: Bool = false
    ) throws(SparseJacobianError) {
        var xs = buffers.claim(inX: true, as: DualN<N>.self)
        var ys = buffers.claim(inX: false, as: DualN<N>.self)
        let signatures = (x: run.seedSignature(inX: true, lanes: lanes), y: run.seedSignature(inX: false, lanes: lanes))
        run.seed(x, inX: true, lanes: lanes, into: &xs,
                 valuesOnly: buffers.seeded(inX: true, width: N) == signatures.x)
        run.seed(y, inX: false, lanes: lanes, into: &ys,
                 valuesOnly: buffers.seeded(inX: false, width: N) == signatures.y)
        buffers.recordSeeds(signatures.x, inX: true, width: N)
        buffers.recordSeeds(signatures.y, inX: false, width: N)
        let k = run.rows, count = lanes.count
        var out = buffers.claimOutput(rows: k, as: DualN<N>.self)
        let given = out.withUnsafeBufferPointer { $0.baseAddress }
        f.evaluate(xs, ys, into: &out)
        buffers.store(xs, inX: true)
        buffers.store(ys, inX: false)
        guard out.count == k else { throw .dimensionMismatch("F has \(out.count) outputs, the pattern \(k) rows") }
        let reused = given != nil && out.withUnsafeBufferPointer { $0.baseAddress } == given
        defer { buffers.storeOutput(out, reused: reused) }
        if let map = buffers.laneMap(for: run), run.readLanes(out, lanes: lanes, map: map, y: multiplyingY ? y : nil) {
            return
        }
        if run.value.isEmpty { run.value = out.map(\.value) }
        // The general way, which describes what the sweep cannot read. One pass over the outputs,
        // lane l's derivatives at l·k ..< (l + 1)·k (every slot written).
        var c = buffers.lanes
        buffers.lanes = []
        if c.count != k * count { c = [Double](repeating: 0, count: k * count) }
        for i in 0..<k {
            let p = out[i].partials
            for l in 0..<count { c[i + l * k] = p[l] }
        }
        for (l, lane) in lanes.enumerated() { try run.absorb(lane: lane, &c, offset: l * k) }
        buffers.lanes = c
    }
}

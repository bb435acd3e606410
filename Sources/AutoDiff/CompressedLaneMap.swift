import LinearAlgebra

/// Where each lane of a tape-free compressed evaluation goes, row by row, so that the
/// lanes are read back from `F`'s dual output in one sweep over its rows:
///
/// ```
/// slot(i, l) = p            lane l is colour c of A, column j of colour c holds row i at entry p of A
///            = nnz(A) + p   lane l is colour c of B, likewise entry p of B
///            = verification lane l is the verification lane
///            = unused       no column of lane l's colour holds row i: the derivative must be 0
/// ```
///
/// With it, the map keeps the column `j` of each slot's entry, so that a run whose lanes fit in one
/// pass checks its verification lane in the same sweep, row by row, without product arrays:
///
/// ```
/// |Σ_{slots (i, l)} aᵢⱼ v_j − (verification lane)ᵢ| ≤ 1e-10 (Σ_{slots (i, l)} |aᵢⱼ v_j| + |laneᵢ|)
/// ```
///
/// (`v = v_y` for `A`'s slots, `v_x` for `B`'s): the check of ``CompressedDualRun/finish(passes:)``,
/// its terms summed in lane order instead of column order. A row that fails it sends the pass the
/// general way, whose check then decides and describes the row.
///
/// A valid column colouring gives each `(i, l)` at most one entry. Runs of more than one pass
/// (more than eight lanes) are read the general way. A colouring that does not
/// (two columns of one colour share a row) gives no map, and the lanes are read the general way
/// (``ColorGroups/scatter(_:offset:rows:first:lanes:pattern:into:)``), which also gives the
/// errors' descriptions; so does any non-finite or unexplained derivative met in the sweep.
@usableFromInline
struct CompressedLaneMap: Sendable {
    /// The slot of a verification lane.
    @usableFromInline static let verification: Int32 = -2
    /// The slot of a derivative outside both patterns.
    @usableFromInline static let unused: Int32 = -1

    let patterns: (a: SparsityPattern?, b: SparsityPattern?)
    let colors: (a: [Int]?, b: [Int]?)
    /// `slots[i · lanes + l]`, row-major.
    @usableFromInline let slots: [Int32]
    /// `columns[i · lanes + l]`: the column of the slot's entry in its block (`0` for other slots).
    @usableFromInline let columns: [Int32]
    /// Lanes per row (every lane of the run, the verification lane last).
    @usableFromInline let lanes: Int
    /// `A`'s number of entries: slots from here on are `B`'s.
    @usableFromInline let entriesA: Int32

    /// The most lanes a map is made for: one ``DualN``<8> pass, so that the map (`8 · lanes` bytes
    /// per row) is no larger than the lane columns of the general way.
    static let maxLanes = 8

    /// The map of `run`, or `nil` when the run has more than ``maxLanes`` lanes, its colourings
    /// give a slot two entries, or the entries do not fit in `Int32`.
    @usableFromInline
    init?(_ run: CompressedDualRun) {
        let k = run.rows, lanes = run.laneCount
        guard lanes <= Self.maxLanes else { return nil }
        let nnzA = run.a?.pattern.nonZeroCount ?? 0, nnzB = run.b?.pattern.nonZeroCount ?? 0
        let columnCount = Swift.max(run.a?.pattern.columns ?? 0, run.b?.pattern.columns ?? 0)
        guard nnzA + nnzB < Int(Int32.max) && columnCount < Int(Int32.max) else { return nil }
        var slots = [Int32](repeating: Self.unused, count: k * lanes)
        var columns = [Int32](repeating: 0, count: k * lanes)
        var valid = true
        columns.withUnsafeMutableBufferPointer { columns in
            slots.withUnsafeMutableBufferPointer { s in
                for (block, firstLane, offset) in [(run.a, 0, 0), (run.b, run.colorsA, nnzA)] {
                    guard let block, valid else { continue }
                    let cp = block.pattern.columnPointers, ri = block.pattern.rowIndices
                    for c in 0..<block.groups.colorCount {
                        for j in block.groups.columnsOfColor(c) {
                            for pos in cp[j]..<cp[j + 1] {
                                let slot = ri[pos] * lanes + firstLane + c
                                guard s[slot] == Self.unused else { valid = false; return }
                                s[slot] = Int32(offset + pos)
                                columns[slot] = Int32(j)
                            }
                        }
                    }
                }
                if valid && lanes > run.colorsA + run.colorsB {
                    for i in 0..<k { s[i * lanes + lanes - 1] = Self.verification }
                }
            }
        }
        guard valid else { return nil }
        self.slots = slots
        self.columns = columns
        self.lanes = lanes
        entriesA = Int32(nnzA)
        patterns = (run.a?.pattern, run.b?.pattern)
        colors = (run.a?.colors, run.b?.colors)
    }

    /// `true` when this map was made for `run`'s patterns, colourings and lanes (arrays that share
    /// storage compare in constant time).
    @usableFromInline
    func fits(_ run: CompressedDualRun) -> Bool {
        lanes == run.laneCount && slots.count == run.rows * lanes
            && patterns.a == run.a?.pattern && patterns.b == run.b?.pattern
            && colors.a == run.a?.colors && colors.b == run.b?.colors
    }
}

extension CompressedDualRun {
    /// Reads the lanes `lanes` of one pass from `F`'s output `out` (and `F`'s value on the first pass)
    /// in one sweep over the rows by `map`; when the pass holds every lane and verifies, the
    /// verification lane is checked in the same sweep (``verifiedByLanes``); when it holds every
    /// lane and `y` is given, `A y` is summed in the same sweep (``yProduct``):
    ///
    /// ```
    /// (A y)ᵢ = Σ_{A's slots (i, l), in lane order} aᵢⱼ yⱼ
    /// ```
    ///
    /// - Returns: `false`, with nothing kept, when a lane holds a non-finite entry or a non-zero
    ///   outside the patterns, or a row fails the verification: then the caller reads the lanes the
    ///   general way, which describes it.
    @inlinable
    mutating func readLanes<let N: Int>(_ out: [DualN<N>], lanes: Range<Int>, map: CompressedLaneMap,
                                        y: [Double]? = nil) -> Bool {
        let k = rows, width = map.lanes, first = lanes.lowerBound, count = lanes.count
        let entriesA = map.entriesA
        let wantsValue = value.isEmpty
        var newValue = wantsValue ? [Double](repeating: 0, count: k) : []
        let verifies = lanes.contains(colorsA + colorsB) && width > colorsA + colorsB
        // Every lane in this pass: the verification is checked row by row instead of kept.
        let fused = verifies && count == width
        var newVerification = verifies && !fused ? [Double](repeating: 0, count: k) : []
        // A y needs every lane of A, so only a pass that holds every lane sums it.
        let multiplies = y != nil && a != nil && count == width
        let ys = multiplies ? y! : []
        var newProduct = multiplies ? [Double](repeating: 0, count: k) : []
        var av = a?.values ?? [], bv = b?.values ?? []
        a?.values = []
        b?.values = []
        var bad = false
        out.withUnsafeBufferPointer { o in
            map.slots.withUnsafeBufferPointer { slots in
                map.columns.withUnsafeBufferPointer { columns in
                    vy.withUnsafeBufferPointer { vy in
                        vx.withUnsafeBufferPointer { vx in
                            av.withUnsafeMutableBufferPointer { av in
                                bv.withUnsafeMutableBufferPointer { bv in
                                    newValue.withUnsafeMutableBufferPointer { value in
                                        newVerification.withUnsafeMutableBufferPointer { verification in
                                            ys.withUnsafeBufferPointer { ys in
                                                newProduct.withUnsafeMutableBufferPointer { product in
                                                    // One row; called with constant flags and lane count in the
                                                    // common case (every lane in this pass, verified), so that
                                                    // the lane loop is unrolled and unswitched.
                                                    @inline(__always)
                                                    func sweep(_ i: Int, _ count: Int, _ fused: Bool, _ multiplies: Bool) {
                                                        let dual = o[i]
                                                        if wantsValue { value[i] = dual.value }
                                                        let row = slots.baseAddress! + i * width + first
                                                        let column = columns.baseAddress! + i * width + first
                                                        var lane = 0.0, scale = 0.0, reference = 0.0, ay = 0.0
                                                        for l in 0..<count {
                                                            let v = dual.partials[l], s = row[l]
                                                            if s >= entriesA {
                                                                bv[Int(s - entriesA)] = v
                                                                if !v.isFinite { bad = true }
                                                                if fused {
                                                                    let t = v * vx[Int(column[l])]
                                                                    lane += t
                                                                    scale += Swift.abs(t)
                                                                }
                                                            } else if s >= 0 {
                                                                av[Int(s)] = v
                                                                if !v.isFinite { bad = true }
                                                                if fused {
                                                                    let t = v * vy[Int(column[l])]
                                                                    lane += t
                                                                    scale += Swift.abs(t)
                                                                }
                                                                if multiplies { ay += v * ys[Int(column[l])] }
                                                            } else if s == CompressedLaneMap.unused {
                                                                if v != 0 { bad = true }
                                                            } else if fused {
                                                                reference = v
                                                            } else {
                                                                verification[i] = v
                                                            }
                                                        }
                                                        if multiplies { product[i] = ay }
                                                        if fused {
                                                            let difference = Swift.abs(lane - reference)
                                                            let bound = 1e-10 * (scale + Swift.abs(reference))
                                                            if !(difference <= bound) { bad = true }   // NaN fails
                                                        }
                                                    }
                                                    if fused && count == N && multiplies {
                                                        for i in 0..<k { sweep(i, N, true, true) }
                                                    } else if fused && count == N {
                                                        for i in 0..<k { sweep(i, N, true, false) }
                                                    } else {
                                                        for i in 0..<k { sweep(i, count, fused, multiplies) }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        a?.values = av
        b?.values = bv
        guard !bad else { return false }
        if wantsValue { value = newValue }
        if verifies && !fused { verificationLane = newVerification }
        if fused { verifiedByLanes = true }
        if multiplies { yProduct = newProduct }
        return true
    }
}

import LinearAlgebra

// The accumulation's fast path for conditions written one output at a time (a loop per row):
// when output i's node comes after output i−1's and every node between them (its segment) reads
// only inputs and nodes of the same segment, each node feeds exactly one output, the one whose
// segment holds it. Then the adjoint of a node is one scalar and its owner is implicit: each
// segment is swept as a plain reverse sweep (TapeRecording.reverse), passing the adjoints of its
// inputs to `J[i, ·]` directly. The condition is checked as the sweep goes (a parent below the
// segment's start, an output out of order): the fast path then gives up, the sink is reset, and
// the general accumulation (vertex elimination by owner) runs instead. The edges followed are the
// general path's (a zero adjoint passes nothing, a zero partial is not followed), so both give the
// same entries in the same order of summation within a row.

extension TapeRecording {
    /// Every entry of `∂outputs/∂inputs` into `sink` by one reverse sweep per output's segment,
    /// or `false` (with `sink` reset, as new) when the recording is not laid out in segments.
    func accumulateBySegments<Sink: ResettableJacobianSink>(into sink: inout Sink) -> Bool {
        guard customs.isEmpty else { return false }
        let inputs = inputCount
        var previous = inputs   // the last node of the previous segment
        for index in outputIndices {
            let i = Int(index)
            guard i > previous else { return false }   // a constant output, an input, out of order
            previous = i
        }
        let completed: Bool = withZeroedScratch { a in
            var start = inputs + 1
            for (row, index) in outputIndices.enumerated() {
                let end = Int(index)
                a[end] = outputScales[row]
                if !sweepSegment(a, from: start, through: end, row: row, &sink) {
                    (a + start).update(repeating: 0, count: end - start + 1)
                    return false
                }
                start = end + 1
            }
            return true
        }
        if !completed { sink.reset() }
        return completed
    }

    /// The reverse sweep of nodes `start...end`, owned by output `row`; `false` (slots of the
    /// segment possibly non-zero) when a node reads a node below `start` that is not an input.
    ///
    /// A node's parent is very often the node just before it (`exp(u)` after `u`): that
    /// contribution is carried in a register to the next step instead of stored to its slot and
    /// loaded back, which would put a store-to-load forwarding delay on the sweep's critical path.
    /// It is the last contribution that slot receives (its other consumers come later on the
    /// tape, so were swept before), so the sums are the same as through memory.
    @inline(__always)
    private func sweepSegment<Sink: ResettableJacobianSink>(_ a: UnsafeMutablePointer<Double>, from start: Int,
                                                             through end: Int, row: Int, _ sink: inout Sink) -> Bool {
        let inputs = inputCount
        var k = end
        var node = nodes + k
        var carry = 0.0   // node k's adjoint still to be added from node k + 1
        /// Passes `d·w` to parent `p`: carried to the next step, added to its slot, or to `J[row, p − 1]`
        /// for an input; `false` when `p` lies below the segment and is not an input.
        @inline(__always)
        func pass(_ p: Int, _ d: Double, _ w: Double, carried: Bool) -> Bool {
            guard p != 0 && d != 0 else { return true }
            if carried {
                carry = d * w
            } else if p >= start {
                a[p] += d * w
            } else if p <= inputs {
                sink.add(row: row, input: p - 1, value: d * w)
            } else {
                return false
            }
            return true
        }
        while k >= start {
            let w = a[k] + carry
            carry = 0
            a[k] = 0   // also when `w` is 0: the slot may hold a sum that the carry cancelled
            if w != 0 {
                let n = node.pointee
                let p0 = Int(n.i0), p1 = Int(n.i1), below = k &- 1
                // Only one parent's contribution is carried, and only when the other parent is not
                // the same node (the order of the two additions then stays that of memory).
                let carry0 = p0 == below && p1 != below && p0 >= start
                let carry1 = p1 == below && p0 != below && p1 >= start
                guard pass(p0, n.d0, w, carried: carry0), pass(p1, n.d1, w, carried: carry1) else { return false }
            }
            node -= 1
            k &-= 1
        }
        return true
    }
}

/// A ``JacobianSink`` that can discard everything it received.
protocol ResettableJacobianSink: JacobianSink {
    /// Back to no entries.
    mutating func reset()
}

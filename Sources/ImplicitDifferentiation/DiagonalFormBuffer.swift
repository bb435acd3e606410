import LinearAlgebra

/// The values buffer of `A`'s diagonal form (``DiagonalOffsetMatrix``) and the slots of `A`'s pattern
/// (``DiagonalOffsetSlots``), kept by a detected structure from one call to the next: each call's form
/// is a scatter of `A`'s values into memory already mapped and warm, with no search of the offsets.
///
/// ```
/// call t:     storage ← kept (moved out: uniquely referenced unless call t − 1's form is still alive)
///             form    ← A's values scattered to their slots in storage, the holes written 0
///                       (copied first when shared)
///             kept    ← form.values (shared with the form; the form is never written again)
/// ```
///
/// The form is a value: a linearization that still holds an earlier form keeps its values, because
/// writing into a shared buffer copies it first. A failed form keeps no values.
final class DiagonalFormBuffer: Sendable {
    private struct State {
        var values: [Double] = []
        var slots: DiagonalOffsetSlots? = nil
    }

    private let kept = Locked(State())

    /// An empty buffer.
    init() {}

    /// The diagonal form of `a` on `offsets`, written into the kept buffer through the kept slots
    /// when they are `a`'s pattern's (found and kept otherwise); its values are kept for the next call.
    ///
    /// - Parameters:
    ///   - a: the matrix.
    ///   - offsets: its pattern's diagonal offsets.
    /// - Returns: the form, or `nil` when `a` does not lie on `offsets` (then no values are kept).
    func form(_ a: SparseMatrix, offsets: [Int]) -> DiagonalOffsetMatrix? {
        var state = State()
        kept.withLock { swap(&$0, &state) }
        if let s = state.slots, s.offsets != offsets || s.pattern != a.pattern { state.slots = nil }
        if state.slots == nil { state.slots = DiagonalOffsetSlots(a.pattern, offsets: offsets) }
        let form = if let slots = state.slots {
            slots.form(a, reusing: &state.values)
        } else {
            DiagonalOffsetMatrix(a, offsets: offsets, reusing: &state.values)
        }
        state.values = form?.values ?? []
        kept.withLock { $0 = state }
        return form
    }

    /// The values kept for the next call (empty before the first form or after a failed one).
    var keptValues: [Double] { kept.withLock { $0.values } }

    /// `true` when slots are kept for the pattern of the last form.
    var keepsSlots: Bool { kept.withLock { $0.slots != nil } }
}

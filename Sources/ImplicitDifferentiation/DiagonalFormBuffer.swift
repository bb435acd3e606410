import LinearAlgebra

/// The values buffer of `A`'s diagonal form (``DiagonalOffsetMatrix``), kept by a detected structure
/// from one call to the next so that each call's form is written into memory already mapped and warm.
///
/// ```
/// call t:     storage ← kept (moved out: uniquely referenced unless call t − 1's form is still alive)
///             form    ← A's values written into storage (zero-filled first; copied first when shared)
///             kept    ← form.values (shared with the form; the form is never written again)
/// ```
///
/// The form is a value: a linearization that still holds an earlier form keeps its values, because
/// writing into a shared buffer copies it first. A failed fill keeps nothing.
final class DiagonalFormBuffer: Sendable {
    private let kept = Locked<[Double]>([])

    /// An empty buffer.
    init() {}

    /// The diagonal form of `a` on `offsets`, written into the kept buffer when it has the size
    /// (``DiagonalOffsetMatrix/init(_:offsets:reusing:)``); its values are kept for the next call.
    ///
    /// - Parameters:
    ///   - a: the matrix.
    ///   - offsets: its pattern's diagonal offsets.
    /// - Returns: the form, or `nil` when `a` does not lie on `offsets` (then nothing is kept).
    func form(_ a: SparseMatrix, offsets: [Int]) -> DiagonalOffsetMatrix? {
        var storage: [Double] = []
        kept.withLock { swap(&$0, &storage) }
        guard let form = DiagonalOffsetMatrix(a, offsets: offsets, reusing: &storage) else { return nil }
        kept.withLock { $0 = form.values }
        return form
    }

    /// The values kept for the next call (empty before the first form or after a failed one).
    var keptValues: [Double] { kept.withLock { $0 } }
}

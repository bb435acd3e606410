import AutoDiff
import LinearAlgebra

/// What ``DistributedImplicitFunction/fixedLocalPattern`` keeps from one
/// linearization for the next on this rank: the pattern of the local `A`,
/// the longest row over all ranks, and the colouring of the assembled path.
///
/// Shared by the copies of a function (they have the same grid and
/// conditions); reused only when its sizes match the new recording's and
/// every rank has an entry (one reduction, so that all ranks skip the
/// stencil check's reduction together or none does).
final class LocalPatternCache {
    /// One kept structure.
    struct Entry {
        /// Owned rows and ghosted columns of the local `A` it was detected for.
        var rows: Int, columns: Int
        /// The pattern of the local `A` (owned rows × ghosted points).
        var pattern: SparsityPattern
        /// The longest row of the local `A` over all ranks, as the stencil check agreed.
        var widest: Int
        /// The colouring of `pattern`'s columns, once an assembly has made one.
        var coloring: ColumnColoring?
    }

    /// The kept structure, or `nil` before the first linearization.
    var entry: Entry?
}

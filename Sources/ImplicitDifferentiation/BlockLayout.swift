/// Several named inputs or outputs packed into one flat vector, in a fixed order.
///
/// The implicit layer works with flat `x` and `y`; a layout names their
/// blocks so that solvers and conditions can read `"weights"` and `"bias"`
/// instead of index arithmetic:
///
/// ```swift
/// let layout = BlockLayout(["weights": 6, "bias": 3])       // order kept
/// let x = try layout.pack(["weights": w, "bias": b])        // 9 values
/// let bias = layout.block("bias", of: x)                    // works for any T
/// ```
public struct BlockLayout: Sendable, Equatable, CustomStringConvertible {
    /// One named block: its name and its index range in the flat vector.
    public struct Block: Sendable, Equatable {
        /// The block's name.
        public let name: String
        /// The indices it occupies in the flat vector.
        public let range: Range<Int>
    }

    /// The blocks in packing order.
    public let blocks: [Block]

    /// Total length of the flat vector.
    public var count: Int { blocks.last?.range.upperBound ?? 0 }

    /// A layout from names and lengths, packed in the order given.
    ///
    /// - Precondition: names are distinct, lengths `≥ 0`.
    public init(_ sizes: KeyValuePairs<String, Int>) {
        self.init(sizes.map { (name: $0.key, count: $0.value) })
    }

    /// A layout from `(name, length)` pairs, packed in the order given.
    ///
    /// - Precondition: names are distinct, lengths `≥ 0` (a layout is written
    ///   in the program; build a computed one only from checked lengths).
    public init(_ sizes: [(name: String, count: Int)]) {
        var start = 0
        var blocks: [Block] = []
        for (name, n) in sizes {
            precondition(n >= 0, "BlockLayout: block \(name) has negative length \(n)")
            precondition(!blocks.contains { $0.name == name }, "BlockLayout: duplicate block name \(name)")
            blocks.append(Block(name: name, range: start..<(start + n)))
            start += n
        }
        self.blocks = blocks
    }

    /// The index range of block `name`.
    ///
    /// - Precondition: `name` is one of the layout's blocks (a name written in
    ///   the program, not a computed value).
    public func range(of name: String) -> Range<Int> {
        guard let b = blocks.first(where: { $0.name == name }) else {
            preconditionFailure("BlockLayout: no block named \(name); blocks are \(blocks.map(\.name))")
        }
        return b.range
    }

    /// The flat vector holding every block's values.
    ///
    /// - Throws: ``ImplicitDifferentiationError/dimensionMismatch(_:)`` when a
    ///   block is missing, unknown, or of the wrong length.
    public func pack<T>(_ values: [String: [T]]) throws(ImplicitDifferentiationError) -> [T] {
        var flat: [T] = []
        flat.reserveCapacity(count)
        for b in blocks {
            guard let v = values[b.name] else {
                throw .dimensionMismatch("BlockLayout.pack: block \(b.name) is missing; blocks are \(blocks.map(\.name))")
            }
            guard v.count == b.range.count else {
                throw .dimensionMismatch("BlockLayout.pack: block \(b.name) has \(v.count) values, expected \(b.range.count)")
            }
            flat.append(contentsOf: v)
        }
        if let extra = values.keys.first(where: { name in !blocks.contains { $0.name == name } }) {
            throw .dimensionMismatch("BlockLayout.pack: no block named \(extra); blocks are \(blocks.map(\.name))")
        }
        return flat
    }

    /// Every block of `flat`, by name.
    ///
    /// - Throws: ``ImplicitDifferentiationError/dimensionMismatch(_:)`` when
    ///   `flat.count` is not ``count``.
    public func unpack<T>(_ flat: [T]) throws(ImplicitDifferentiationError) -> [String: [T]] {
        guard flat.count == count else {
            throw .dimensionMismatch("BlockLayout.unpack: \(flat.count) values, expected \(count) (\(description))")
        }
        var out: [String: [T]] = [:]
        for b in blocks { out[b.name] = Array(flat[b.range]) }
        return out
    }

    /// Block `name` of `flat` (works for `Double`, duals and tape scalars alike).
    ///
    /// Non-throwing so that it can be used inside conditions, which do not throw.
    ///
    /// - Precondition: `flat.count == count` and `name` is a block (the
    ///   conditions receive `x` and `y` at the lengths the function was built for).
    public func block<T>(_ name: String, of flat: [T]) -> [T] {
        precondition(flat.count == count, "BlockLayout.block: \(flat.count) values, expected \(count)")
        return Array(flat[range(of: name)])
    }

    /// `name[length], …` in packing order.
    public var description: String {
        blocks.map { "\($0.name)[\($0.range.count)]" }.joined(separator: ", ")
    }
}

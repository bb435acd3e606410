#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra

/// Memory for tape nodes and sweep scratch.
///
/// Large blocks (≥ 1 MiB) are mapped directly and, on Linux, advised to use
/// transparent huge pages: a fresh 10⁶-element recording (≈200 MB) otherwise
/// spends most of its time in 4 KiB page faults. When a large block is
/// released, up to two are kept in a small process-wide cache and handed to
/// the next large request that fits (the smaller one is evicted first), so repeated linearizations (Newton
/// steps, repeated implicit derivatives) do not pay for the kernel zeroing
/// fresh pages each time. The cache holds memory only, never tape state.
/// Small blocks come from the ordinary allocator.
@usableFromInline
struct RawBlock: @unchecked Sendable {
    /// Start of the usable memory (2 MiB aligned when mapped).
    @usableFromInline let start: UnsafeMutableRawPointer
    /// Usable bytes from `start`.
    let bytes: Int
    /// What to give back: the mapping, or nil for allocator memory.
    let mapping: (base: UnsafeMutableRawPointer, length: Int)?

    static let hugePage = 1 << 21
    static let mapThreshold = 1 << 20
    static let cacheLimit = 2

    /// At least `bytes` bytes, 64-byte aligned.
    @usableFromInline
    init(bytes: Int) {
        #if os(Linux)
        if bytes >= RawBlock.mapThreshold {
            if let cached = RawBlock.takeCached(bytes: bytes) { self = cached; return }
            let length = (bytes + 2 * RawBlock.hugePage - 1) & ~(RawBlock.hugePage - 1)
            let p = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            if let p, p != MAP_FAILED {
                let aligned = (Int(bitPattern: p) + RawBlock.hugePage - 1) & ~(RawBlock.hugePage - 1)
                let usable = length - (aligned - Int(bitPattern: p))
                let start = UnsafeMutableRawPointer(bitPattern: aligned)!
                _ = madvise(start, usable, MADV_HUGEPAGE)
                self.start = start
                self.bytes = usable
                self.mapping = (p, length)
                return
            }
        }
        #endif
        start = .allocate(byteCount: Swift.max(bytes, 64), alignment: 64)
        self.bytes = Swift.max(bytes, 64)
        mapping = nil
    }

    /// Gives the memory back (a mapping goes to the cache, see the type's comment).
    @usableFromInline
    func release() {
        #if os(Linux)
        if mapping != nil {
            // Keep the block; when the cache is full, it evicts its smallest
            // block if that is smaller than this one, else this one goes.
            let evicted = RawBlock.cache.withLock { cache -> RawBlock? in
                guard cache.count >= RawBlock.cacheLimit else { cache.append(self); return nil }
                let smallest = cache.indices.min { cache[$0].bytes < cache[$1].bytes }!
                guard cache[smallest].bytes < bytes else { return self }
                let out = cache[smallest]
                cache[smallest] = self
                return out
            }
            if let evicted, let (b, l) = evicted.mapping { _ = munmap(b, l) }
            return
        }
        #endif
        start.deallocate()
    }

    private static let cache = Locked<[RawBlock]>([])

    /// The smallest cached block with at least `bytes` (and at most 4× more), if any.
    private static func takeCached(bytes: Int) -> RawBlock? {
        cache.withLock { cache in
            var best: Int? = nil
            for (i, b) in cache.enumerated() where b.bytes >= bytes && b.bytes <= 4 * bytes {
                if best == nil || b.bytes < cache[best!].bytes { best = i }
            }
            return best.map { cache.remove(at: $0) }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Memory for tape nodes and sweep scratch.
///
/// Large blocks (≥ 4 MiB) are mapped directly and, on Linux, advised to use
/// transparent huge pages: a fresh 10⁶-element recording (≈200 MB) otherwise
/// spends most of its time in 4 KiB page faults. When a large block is
/// released, up to two are kept in a small process-wide cache and handed to
/// the next large request that fits, so repeated linearizations (Newton
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
    static let mapThreshold = 1 << 22
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

    /// Gives the memory back (to the cache when it is a mapping and the cache has room).
    @usableFromInline
    func release() {
        #if os(Linux)
        if let (base, length) = mapping {
            let kept = RawBlock.cache.withLock { cache -> Bool in
                guard cache.count < RawBlock.cacheLimit else { return false }
                cache.append(self)
                return true
            }
            if !kept { _ = munmap(base, length) }
            return
        }
        #endif
        start.deallocate()
    }

    private static let cache = Mutex<[RawBlock]>([])

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

import Testing
import ImplicitDifferentiation
import TestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Load: 8 concurrent tasks × 10⁴ linearize + VJP calls on one shared
// ImplicitFunction. Off by default (a minute or two in a debug build); run it
// with `scripts/stress` (STRESS=1, optionally STRESS_CALLS=…). It checks that
// every concurrent result is bit-identical to the sequential one, and that
// resident memory after the run is within 10% of resident memory after each
// task's first 100 calls (no leak, no unbounded cache), and prints calls/s
// and the memory figures.

enum StressSettings {
    static let enabled = getenv("STRESS") != nil
    static let callsPerTask = PropertySettings.environmentInt("STRESS_CALLS") ?? 10_000
    static let tasks = 8
    static let warmUp = 100
}

/// The resident set size of this process in bytes (Linux: /proc/self/statm), or 0 when unknown.
func residentBytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    guard fgets(&line, Int32(line.count), file) != nil else { return 0 }
    let bytes = line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    let fields = String(decoding: bytes, as: UTF8.self).split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Monotonic seconds.
func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

@Suite("Load: concurrent linearize + VJP on one shared ImplicitFunction", .serialized)
struct StressTests {
    /// A nonlinear case of the property tests (m = n = 8, non-symmetric A, sin and cubes in F):
    /// matrix path, LU, generic conditions (duals for A, a tape for the VJP).
    static let problem = ImplicitCase(kind: .nonlinear, m: 8, n: 8, extra: 0, scale: 0, seed: 7)
    static let function = problem.function(.matrix)

    /// Call `k`'s input and cotangent (the same for every task, so the sequential run is the reference).
    static func input(_ k: Int) -> (x: [Double], ybar: [Double]) {
        var rng = SeededRandom(seed: UInt64(k % 997))
        return (rng.vector(problem.n, -2, 2), rng.vector(problem.m))
    }

    static func call(_ k: Int) throws -> [UInt64] {
        let (x, ybar) = input(k)
        return try function.linearize(at: x).vjp(ybar).map(\.bitPattern)
    }

    @Test("8 tasks × 10⁴ calls: bit-identical to the sequential run, memory flat",
          .enabled(if: StressSettings.enabled))
    func concurrentLoad() async throws {
        let n = StressSettings.callsPerTask, tasks = StressSettings.tasks, warm = StressSettings.warmUp
        var t0 = now()
        var reference: [[UInt64]] = []
        reference.reserveCapacity(n)
        for k in 0..<n { reference.append(try Self.call(k)) }
        let sequentialSeconds = now() - t0
        let expected = reference

        // Each task's first `warm` calls, then the memory baseline, then the rest.
        func run(_ range: Range<Int>) async -> Int {
            await withTaskGroup(of: Int.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        var mismatches = 0
                        for k in range {
                            if k % 100 == 0 { await Task.yield() }
                            if (try? Self.call(k)) != expected[k] { mismatches += 1 }
                        }
                        return mismatches
                    }
                }
                return await group.reduce(0, +)
            }
        }
        t0 = now()
        var mismatches = await run(0..<warm)
        let baseline = residentBytes()
        mismatches += await run(warm..<n)
        let concurrentSeconds = now() - t0
        let after = residentBytes()

        let mib = { (b: Int) in Double(b) / 1_048_576 }
        let growth = baseline > 0 ? Double(after - baseline) / Double(baseline) : 0
        print("""
            stress: sequential \(n) linearize+VJP calls in \(sequentialSeconds) s \
            (\(Int(Double(n) / sequentialSeconds)) calls/s); concurrent \(tasks) tasks × \(n) calls in \
            \(concurrentSeconds) s (\(Int(Double(tasks * n) / concurrentSeconds)) calls/s); \
            resident memory after each task's first \(warm) calls \(mib(baseline)) MiB, after the run \
            \(mib(after)) MiB (\(growth * 100)%); mismatches \(mismatches)
            """)
        #expect(mismatches == 0)
        #expect(baseline > 0)
        #expect(growth <= 0.10, "resident memory grew by \(growth * 100)%")
    }
}

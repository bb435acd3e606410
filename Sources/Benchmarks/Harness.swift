import Foundation

/// Timing helpers shared by every benchmark suite: warm-up, repeated runs,
/// medians, and a report that prints a table and writes JSON.
struct BenchmarkHarness {
    /// One measured row: a case, its size, medians in seconds, and ratios.
    struct Row: Codable {
        var suite: String
        var name: String
        var size: Int
        var medianSeconds: Double
        var baselineName: String?
        var baselineMedianSeconds: Double?
        /// `medianSeconds / baselineMedianSeconds` when a baseline was measured.
        var ratio: Double?
        var extra: [String: Double] = [:]
    }

    private(set) var rows: [Row] = []
    /// Repetitions per measurement (after one warm-up run).
    var repetitions: Int
    /// Multiplies repetitions; `--quick` sets it low.
    var quick: Bool

    init(repetitions: Int = 15, quick: Bool = false) {
        self.repetitions = repetitions
        self.quick = quick
    }

    /// Median wall time of `body` over `repetitions` runs, after one warm-up.
    func median(repetitions reps: Int? = nil, _ body: () -> Void) -> Double {
        let n = max(1, quick ? min(3, reps ?? repetitions) : (reps ?? repetitions))
        body()
        var times: [Double] = []
        times.reserveCapacity(n)
        for _ in 0..<n {
            let t0 = benchmarkClockNanoseconds()
            body()
            let t1 = benchmarkClockNanoseconds()
            times.append(Double(t1 - t0) * 1e-9)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// Measures `candidate` and `baseline` interleaved (alternating runs, so
    /// that machine noise hits both alike) and records their medians and ratio.
    @discardableResult
    /// With `countingFaults`, the row also records the median count of minor page faults per
    /// candidate run (`"minor page faults per call"`, from `getrusage`): memory the allocator
    /// returned to the system and the call touched again, a cost that depends on the heap's history.
    mutating func compare(suite: String, name: String, size: Int, baselineName: String,
                          repetitions reps: Int? = nil, countingFaults: Bool = false,
                          candidate: () -> Void, baseline: () -> Void) -> Row {
        let n = max(1, quick ? min(3, reps ?? repetitions) : (reps ?? repetitions))
        candidate(); baseline()
        var tc: [Double] = [], tb: [Double] = [], faults: [Int] = []
        for _ in 0..<n {
            let faultsBefore = countingFaults ? minorPageFaults() : 0
            var t0 = benchmarkClockNanoseconds()
            candidate()
            var t1 = benchmarkClockNanoseconds()
            if countingFaults { faults.append(minorPageFaults() - faultsBefore) }
            tc.append(Double(t1 - t0) * 1e-9)
            t0 = benchmarkClockNanoseconds()
            baseline()
            t1 = benchmarkClockNanoseconds()
            tb.append(Double(t1 - t0) * 1e-9)
        }
        tc.sort(); tb.sort()
        let mc = tc[tc.count / 2], mb = tb[tb.count / 2]
        var row = Row(suite: suite, name: name, size: size, medianSeconds: mc, baselineName: baselineName,
                      baselineMedianSeconds: mb, ratio: mc / mb)
        if countingFaults { row.extra["minor page faults per call"] = Double(faults.sorted()[faults.count / 2]) }
        rows.append(row)
        return row
    }

    /// Records a row measured elsewhere.
    mutating func record(_ row: Row) { rows.append(row) }

    /// Replaces the last recorded row (to attach extras to a `compare` row).
    mutating func replaceLast(with row: Row) { rows[rows.count - 1] = row }

    /// Prints the rows as a table.
    func printTable() {
        func fmt(_ s: Double) -> String {
            s >= 1 ? String(format: "%8.3f s ", s) : s >= 1e-3 ? String(format: "%8.3f ms", s * 1e3)
                : String(format: "%8.3f µs", s * 1e6)
        }
        print(String(repeating: "-", count: 100))
        print("suite        case                                   size      median      baseline     ratio")
        for r in rows {
            let base = r.baselineMedianSeconds.map(fmt) ?? String(repeating: " ", count: 11)
            let ratio = r.ratio.map { String(format: "%7.3f", $0) } ?? ""
            print(r.suite.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                  + r.name.padding(toLength: 36, withPad: " ", startingAt: 0) + " "
                  + String(format: "%8d", r.size) + "  " + fmt(r.medianSeconds) + "  " + base + "  " + ratio)
            for (k, v) in r.extra.sorted(by: { $0.key < $1.key }) {
                print(String(repeating: " ", count: 50) + "\(k) = \(String(format: "%.4g", v))")
            }
        }
    }

    /// Writes the rows as JSON to `path`.
    func writeJSON(to path: String) throws {
        let env = ProcessInfo.processInfo.environment
        struct Output: Codable {
            var date: String
            var openblasThreads: String
            var rows: [Row]
        }
        let out = Output(date: ISO8601DateFormatter().string(from: Date()),
                         openblasThreads: env["OPENBLAS_NUM_THREADS"] ?? "unset (OpenBLAS default)",
                         rows: rows)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(out).write(to: URL(fileURLWithPath: path))
    }
}

/// Peak resident set size of this process in bytes (from /proc/self/status VmHWM).
func peakResidentBytes() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}

/// Minor page faults of this process so far (`getrusage(RUSAGE_SELF)`'s `ru_minflt`).
func minorPageFaults() -> Int {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_minflt
}

/// Current resident set size of this process in bytes (VmRSS).
func residentBytes() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}

/// `BENCH_CLOCK=cpu` times the calling thread's CPU time (user + system,
/// `CLOCK_THREAD_CPUTIME_ID`) instead of the wall clock: on a machine shared
/// by more runnable threads than cores, a wall-clock run longer than a
/// scheduler slice is stretched by waiting while a short baseline is not,
/// which skews the ratios; CPU time is not stretched. Single-threaded cases only.
private let benchmarkUsesCPUClock = ProcessInfo.processInfo.environment["BENCH_CLOCK"] == "cpu"

/// Nanoseconds of the benchmark clock (see `benchmarkUsesCPUClock`).
func benchmarkClockNanoseconds() -> UInt64 {
    guard benchmarkUsesCPUClock else { return DispatchTime.now().uptimeNanoseconds }
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// A small property-based checker with shrinking, for the tests.
///
/// A property is run on `cases` values drawn from a seeded generator; the
/// first value on which it fails is shrunk greedily (the first smaller
/// candidate that still fails replaces it, until none does) and reported with
/// the seed, the case number and the minimal reproducer.
///
/// ```swift
/// let failure = PropertyCheck.run("adjointness", seed: 1, cases: 300,
///                                 generate: { rng in Case(m: rng.int(1...8), …) },
///                                 shrink: { $0.smaller() },
///                                 property: { c in error(c) <= 1e-10 ? nil : "error \(error(c))" })
/// if let failure { Issue.record("\(failure)") }
/// ```
///
/// Cases are plain descriptions (sizes, a seed, a scale exponent): the
/// property builds its matrices from them, so a reproducer printed in a
/// failure message can be pasted back into a test. Why not a package: this is
/// seventy lines, it builds with the rest of TestSupport under the
/// sanitizers without another dependency to compile, and shrinking works on
/// exactly the quantities that matter here (dimensions first, then seeds).
public enum PropertyCheck {
    /// A failed property: where it failed first and the shrunk reproducer.
    public struct Failure<Case>: CustomStringConvertible {
        /// The property's name.
        public let property: String
        /// The generator seed and the zero-based index of the first failing case.
        public let seed: UInt64, caseIndex: Int
        /// The case as generated.
        public let original: Case
        /// The smallest failing case shrinking found.
        public let minimal: Case
        /// The property's message for ``minimal``.
        public let message: String
        /// The number of successful shrink steps.
        public let shrinkSteps: Int

        public var description: String {
            "property \"\(property)\" failed (seed \(seed), case \(caseIndex)); minimal reproducer after "
                + "\(shrinkSteps) shrink step\(shrinkSteps == 1 ? "" : "s"): \(minimal) — \(message) "
                + "[as generated: \(original)]"
        }
    }

    /// Runs `property` on `cases` generated values; `nil` when every case passes.
    ///
    /// - Parameters:
    ///   - name: the property's name, for the report.
    ///   - seed: the generator seed (fixed in CI).
    ///   - cases: how many values to try, `≥ 1`.
    ///   - generate: draws one case.
    ///   - shrink: smaller variants of a case, most aggressive first (may be empty).
    ///   - property: `nil` when the case passes, otherwise what went wrong.
    /// - Returns: the first failure, shrunk, or `nil`.
    public static func run<Case>(_ name: String, seed: UInt64, cases: Int,
                                 generate: (inout SeededRandom) -> Case,
                                 shrink: (Case) -> [Case],
                                 property: (Case) -> String?) -> Failure<Case>? {
        var rng = SeededRandom(seed: seed)
        for index in 0..<cases {
            let original = generate(&rng)
            guard var message = property(original) else { continue }
            var minimal = original
            var steps = 0
            shrinking: while steps < 1000 {
                for candidate in shrink(minimal) {
                    if let m = property(candidate) {
                        minimal = candidate
                        message = m
                        steps += 1
                        continue shrinking
                    }
                }
                break
            }
            return Failure(property: name, seed: seed, caseIndex: index, original: original, minimal: minimal,
                           message: message, shrinkSteps: steps)
        }
        return nil
    }

    /// Smaller integers than `value` down to `lower`, most aggressive first:
    /// `lower`, then halfway, …, then `value − 1`.
    public static func shrink(_ value: Int, toward lower: Int) -> [Int] {
        guard value > lower else { return [] }
        var out = [lower]
        var gap = (value - lower) / 2
        while gap > 0 {
            let v = value - gap
            if v != out.last! { out.append(v) }
            gap /= 2
        }
        if out.last! != value - 1 { out.append(value - 1) }
        return out
    }
}

extension SeededRandom {
    /// A uniform integer in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}

import Testing
@testable import LinearAlgebra

@Suite struct LAPACKKernelsTests {
    @Test func infoMapsToTypedErrors() {
        #expect(lapackError(3, in: .getrf, order: 5) == .singular(pivot: 2))
        #expect(lapackError(2, in: .potrf, order: 5) == .notPositiveDefinite(minor: 2))
        #expect(lapackError(4, in: .trtrs, order: 5) == .rankDeficient(rank: 3, expected: 5))
        guard case .noConvergence(let what) = lapackError(7, in: .gesdd, order: 5) else {
            Issue.record("expected noConvergence"); return
        }
        #expect(what.contains("dgesdd") && what.contains("7"))
        guard case .invalidArgument(let illegal) = lapackError(-4, in: .getrs, order: 5) else {
            Issue.record("expected invalidArgument"); return
        }
        #expect(illegal.contains("dgetrs") && illegal.contains("argument 4"))
        guard case .invalidArgument(let memory) = lapackError(-1011, in: .geqrf, order: 5) else {
            Issue.record("expected invalidArgument"); return
        }
        #expect(memory.contains("memory"))
    }

    func measure(_ a: [Double], rows: Int, columns: Int) -> (copy: [Double], oneNorm: Double, bad: Int?) {
        var norm = -1.0, bad: Int? = -1
        let copy = LAPACKKernels.copyMeasuringOneNorm(a, rows: rows, columns: columns,
                                                      oneNorm: &norm, firstNonFinite: &bad)
        return (copy, norm, bad)
    }

    @Test func copyMeasuresTheOneNormAndFindsNonFiniteEntries() {
        // Columns of lengths not divisible by 4 exercise the remainder loop.
        let a: [Double] = [1, -2, 3, -4, 5, /* column 1 */ 0.5, 0, 0, 0, -20]
        let measured = measure(a, rows: 5, columns: 2)
        #expect(measured.copy == a && measured.oneNorm == 20.5 && measured.bad == nil)
        var b = a
        b[7] = .infinity
        #expect(measure(b, rows: 5, columns: 2).bad == 7)
        b[2] = .nan
        #expect(measure(b, rows: 5, columns: 2).bad == 2)
        // Overflowing sums of finite entries saturate instead of reporting ∞.
        let huge = measure([1e308, 1e308], rows: 2, columns: 1)
        #expect(huge.bad == nil && huge.oneNorm == .greatestFiniteMagnitude)
        #expect(measure([], rows: 0, columns: 0).oneNorm == 0)
    }

    @Test func symmetricNormReadsOnlyTheLowerTriangle() {
        // Lower triangle of [2 −1 3; −1 4 0; 3 0 −5]; the upper one holds NaN.
        let a: [Double] = [2, -1, 3, .nan, 4, 0, .nan, .nan, -5]
        let measured = LAPACKKernels.symmetricOneNormFromLower(a, order: 3)
        #expect(measured.oneNorm == 8 && measured.firstNonFinite == nil)
    }
}

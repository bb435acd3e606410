import CMPI
import CPETSc

/// Reductions over every rank of `PETSC_COMM_WORLD`, the collective
/// agreements that let one rank's failure become every rank's failure.
public enum Collective {
    /// `Σ_ranks values` element-wise, on every rank.
    ///
    /// - Parameter values: the same length on every rank.
    /// - Returns: the sums.
    public static func sum(_ values: [Double]) -> [Double] {
        var out = values
        if values.isEmpty { return out }
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                _ = MPI_Allreduce(v.baseAddress, o.baseAddress, Int32(values.count), cmpi_double(), cmpi_sum(),
                                  cpetsc_comm_world())
            }
        }
        return out
    }

    /// `max_ranks values` element-wise, on every rank.
    ///
    /// - Parameter values: the same length on every rank, no NaN.
    /// - Returns: the maxima.
    public static func maxima(_ values: [Double]) -> [Double] {
        var out = values
        if values.isEmpty { return out }
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                _ = MPI_Allreduce(v.baseAddress, o.baseAddress, Int32(values.count), cmpi_double(), cmpi_max(),
                                  cpetsc_comm_world())
            }
        }
        return out
    }

    /// `max_ranks value`, on every rank, in one reduction; NaN on any rank gives NaN.
    public static func max(_ value: Double) -> Double {
        let r = maxima([value.isNaN ? 1 : 0, value.isNaN ? -.infinity : value])
        return r[0] > 0 ? .nan : r[1]
    }

    /// `max_ranks code`, on every rank: the agreed failure code (0 when no
    /// rank failed). One reduction.
    public static func max(_ code: Int32) -> Int32 {
        var v = code, out: Int32 = 0
        _ = MPI_Allreduce(&v, &out, 1, cmpi_int(), cmpi_max(), cpetsc_comm_world())
        return out
    }

    /// `true` on every rank when `flag` is true on at least one.
    public static func any(_ flag: Bool) -> Bool { max(flag ? 1 : 0) != 0 }
}

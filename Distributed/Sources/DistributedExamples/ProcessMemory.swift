import Foundation

/// This process's memory as Linux reports it in `/proc/self/status`.
public enum ProcessMemory {
    /// `VmHWM`: the peak resident set size so far, in bytes, or `nil` where
    /// `/proc/self/status` does not exist or has no such line.
    public static func peakResidentBytes() -> Int? { field("VmHWM:") }

    /// `VmRSS`: the resident set size now, in bytes, or `nil`.
    public static func residentBytes() -> Int? { field("VmRSS:") }

    /// The value of a `kB` line of `/proc/self/status`, in bytes.
    static func field(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kB = Int(parts[1]) { return kB * 1024 }
        }
        return nil
    }
}

/// Three significant digits for facts and tables: `0.075`, `1.43e-4`, `7.63e6`.
///
/// - Parameter x: any value (non-finite values print as Swift does).
/// - Returns: the short form.
public func shortNumber(_ x: Double) -> String {
    if x == 0 { return "0" }
    if !x.isFinite { return "\(x)" }
    var m = Swift.abs(x), e = 0
    while m >= 10 { m /= 10; e += 1 }
    while m < 1 { m *= 10; e -= 1 }
    var r = (m * 100).rounded() / 100
    if r >= 10 { r /= 10; e += 1 }
    let sign = x < 0 ? "-" : ""
    if e >= -3 && e <= 4 {
        let v = (Swift.abs(x) * 1000).rounded() / 1000
        return sign + "\(v)"
    }
    return sign + "\(r)e\(e)"
}

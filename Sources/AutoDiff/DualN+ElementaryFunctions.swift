import RealModule

// Each rule: f(a + Σbₖεₖ) = f(a) + f′(a)·Σbₖεₖ, f′ written out above the body.
// Each partial is computed with exactly the operations of the Dual rule (a
// quotient stays a quotient), so N directions equal N one-direction passes bit for bit.
extension DualN {
    /// exp(a + bε) = exp(a) + exp(a)·b ε
    @inlinable
    public static func exp(_ x: DualN) -> DualN { let e = Double.exp(x.value); return DualN(e, x, e) }

    /// expm1(a + bε) = expm1(a) + exp(a)·b ε
    @inlinable
    public static func expMinusOne(_ x: DualN) -> DualN {
        DualN(Double.expMinusOne(x.value), x, Double.exp(x.value))
    }

    /// cosh(a + bε) = cosh(a) + sinh(a)·b ε
    @inlinable
    public static func cosh(_ x: DualN) -> DualN { DualN(Double.cosh(x.value), x, Double.sinh(x.value)) }

    /// sinh(a + bε) = sinh(a) + cosh(a)·b ε
    @inlinable
    public static func sinh(_ x: DualN) -> DualN { DualN(Double.sinh(x.value), x, Double.cosh(x.value)) }

    /// tanh(a + bε) = tanh(a) + (1 − tanh²(a))·b ε
    @inlinable
    public static func tanh(_ x: DualN) -> DualN { let t = Double.tanh(x.value); return DualN(t, x, 1 - t * t) }

    /// cos(a + bε) = cos(a) − sin(a)·b ε
    @inlinable
    public static func cos(_ x: DualN) -> DualN { DualN(Double.cos(x.value), x, -Double.sin(x.value)) }

    /// sin(a + bε) = sin(a) + cos(a)·b ε
    @inlinable
    public static func sin(_ x: DualN) -> DualN { DualN(Double.sin(x.value), x, Double.cos(x.value)) }

    /// tan(a + bε) = tan(a) + (1 + tan²(a))·b ε
    @inlinable
    public static func tan(_ x: DualN) -> DualN { let t = Double.tan(x.value); return DualN(t, x, 1 + t * t) }

    /// log(a + bε) = log(a) + (b / a) ε
    @inlinable
    public static func log(_ x: DualN) -> DualN { DualN(Double.log(x.value), x, dividedBy: x.value) }

    /// log1p(a + bε) = log1p(a) + b / (1 + a) ε
    @inlinable
    public static func log(onePlus x: DualN) -> DualN {
        DualN(Double.log(onePlus: x.value), x, dividedBy: 1 + x.value)
    }

    /// acosh(a + bε) = acosh(a) + b / √(a² − 1) ε
    @inlinable
    public static func acosh(_ x: DualN) -> DualN {
        DualN(Double.acosh(x.value), x, dividedBy: Double.sqrt(x.value * x.value - 1))
    }

    /// asinh(a + bε) = asinh(a) + b / √(a² + 1) ε
    @inlinable
    public static func asinh(_ x: DualN) -> DualN {
        DualN(Double.asinh(x.value), x, dividedBy: Double.sqrt(x.value * x.value + 1))
    }

    /// atanh(a + bε) = atanh(a) + b / (1 − a²) ε
    @inlinable
    public static func atanh(_ x: DualN) -> DualN { DualN(Double.atanh(x.value), x, dividedBy: 1 - x.value * x.value) }

    /// acos(a + bε) = acos(a) − b / √(1 − a²) ε
    @inlinable
    public static func acos(_ x: DualN) -> DualN {
        DualN(Double.acos(x.value), x, dividedBy: -Double.sqrt(1 - x.value * x.value))
    }

    /// asin(a + bε) = asin(a) + b / √(1 − a²) ε
    @inlinable
    public static func asin(_ x: DualN) -> DualN {
        DualN(Double.asin(x.value), x, dividedBy: Double.sqrt(1 - x.value * x.value))
    }

    /// atan(a + bε) = atan(a) + b / (1 + a²) ε
    @inlinable
    public static func atan(_ x: DualN) -> DualN { DualN(Double.atan(x.value), x, dividedBy: 1 + x.value * x.value) }

    /// (a + bε)^(c + dε) = aᶜ + (c·aᶜ⁻¹·b + aᶜ·log(a)·d) ε        (a > 0)
    @inlinable
    public static func pow(_ x: DualN, _ y: DualN) -> DualN {
        let z = Double.pow(x.value, y.value)
        return DualN(z, x, y.value * Double.pow(x.value, y.value - 1), y, z * Double.log(x.value))
    }

    /// (a + bε)ⁿ = aⁿ + n·aⁿ⁻¹·b ε          (integer n, any sign of a)
    @inlinable
    public static func pow(_ x: DualN, _ n: Int) -> DualN {
        if n == 0 { return DualN(1) }
        return DualN(Double.pow(x.value, n), x, Double(n) * Double.pow(x.value, n - 1))
    }

    /// (a + bε)ᵖ = aᵖ + p·aᵖ⁻¹·b ε          (constant p, a > 0)
    @inlinable
    public static func pow(_ x: DualN, _ p: Double) -> DualN {
        DualN(Double.pow(x.value, p), x, p * Double.pow(x.value, p - 1))
    }

    /// √(a + bε) = √a + b / (2√a) ε
    @inlinable
    public static func sqrt(_ x: DualN) -> DualN { let s = Double.sqrt(x.value); return DualN(s, x, dividedBy: 2 * s) }

    /// ⁿ√(a + bε) = ⁿ√a + ⁿ√a / (n·a)·b ε
    @inlinable
    public static func root(_ x: DualN, _ n: Int) -> DualN {
        let r = Double.root(x.value, n)
        return DualN(r, x, r / (Double(n) * x.value))
    }
}

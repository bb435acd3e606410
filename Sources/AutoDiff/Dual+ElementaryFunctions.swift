import RealModule

// Each rule: f(a + bε) = f(a) + f′(a)·b ε, with f′ written out above the body.
extension Dual {
    /// exp(a + bε) = exp(a) + exp(a)·b ε
    @inlinable
    public static func exp(_ x: Dual) -> Dual {
        let e = Base.exp(x.value)
        return Dual(e, tangent: e * x.tangent)
    }

    /// expm1(a + bε) = expm1(a) + exp(a)·b ε
    @inlinable
    public static func expMinusOne(_ x: Dual) -> Dual {
        Dual(Base.expMinusOne(x.value), tangent: Base.exp(x.value) * x.tangent)
    }

    /// cosh(a + bε) = cosh(a) + sinh(a)·b ε
    @inlinable
    public static func cosh(_ x: Dual) -> Dual {
        Dual(Base.cosh(x.value), tangent: Base.sinh(x.value) * x.tangent)
    }

    /// sinh(a + bε) = sinh(a) + cosh(a)·b ε
    @inlinable
    public static func sinh(_ x: Dual) -> Dual {
        Dual(Base.sinh(x.value), tangent: Base.cosh(x.value) * x.tangent)
    }

    /// tanh(a + bε) = tanh(a) + (1 − tanh²(a))·b ε
    @inlinable
    public static func tanh(_ x: Dual) -> Dual {
        let t = Base.tanh(x.value)
        return Dual(t, tangent: (Base(1) - t * t) * x.tangent)
    }

    /// cos(a + bε) = cos(a) − sin(a)·b ε
    @inlinable
    public static func cos(_ x: Dual) -> Dual {
        Dual(Base.cos(x.value), tangent: -Base.sin(x.value) * x.tangent)
    }

    /// sin(a + bε) = sin(a) + cos(a)·b ε
    @inlinable
    public static func sin(_ x: Dual) -> Dual {
        Dual(Base.sin(x.value), tangent: Base.cos(x.value) * x.tangent)
    }

    /// tan(a + bε) = tan(a) + (1 + tan²(a))·b ε
    @inlinable
    public static func tan(_ x: Dual) -> Dual {
        let t = Base.tan(x.value)
        return Dual(t, tangent: (Base(1) + t * t) * x.tangent)
    }

    /// log(a + bε) = log(a) + (b / a) ε
    @inlinable
    public static func log(_ x: Dual) -> Dual {
        Dual(Base.log(x.value), tangent: x.tangent / x.value)
    }

    /// log1p(a + bε) = log1p(a) + b / (1 + a) ε
    @inlinable
    public static func log(onePlus x: Dual) -> Dual {
        Dual(Base.log(onePlus: x.value), tangent: x.tangent / (Base(1) + x.value))
    }

    /// acosh(a + bε) = acosh(a) + b / √(a² − 1) ε
    @inlinable
    public static func acosh(_ x: Dual) -> Dual {
        Dual(Base.acosh(x.value), tangent: x.tangent / Base.sqrt(x.value * x.value - Base(1)))
    }

    /// asinh(a + bε) = asinh(a) + b / √(a² + 1) ε
    @inlinable
    public static func asinh(_ x: Dual) -> Dual {
        Dual(Base.asinh(x.value), tangent: x.tangent / Base.sqrt(x.value * x.value + Base(1)))
    }

    /// atanh(a + bε) = atanh(a) + b / (1 − a²) ε
    @inlinable
    public static func atanh(_ x: Dual) -> Dual {
        Dual(Base.atanh(x.value), tangent: x.tangent / (Base(1) - x.value * x.value))
    }

    /// acos(a + bε) = acos(a) − b / √(1 − a²) ε
    @inlinable
    public static func acos(_ x: Dual) -> Dual {
        Dual(Base.acos(x.value), tangent: -x.tangent / Base.sqrt(Base(1) - x.value * x.value))
    }

    /// asin(a + bε) = asin(a) + b / √(1 − a²) ε
    @inlinable
    public static func asin(_ x: Dual) -> Dual {
        Dual(Base.asin(x.value), tangent: x.tangent / Base.sqrt(Base(1) - x.value * x.value))
    }

    /// atan(a + bε) = atan(a) + b / (1 + a²) ε
    @inlinable
    public static func atan(_ x: Dual) -> Dual {
        Dual(Base.atan(x.value), tangent: x.tangent / (Base(1) + x.value * x.value))
    }

    /// (a + bε)^(c + dε) = aᶜ + (c·aᶜ⁻¹·b + aᶜ·log(a)·d) ε        (a > 0)
    @inlinable
    public static func pow(_ x: Dual, _ y: Dual) -> Dual {
        let z = Base.pow(x.value, y.value)
        let dzdx = y.value * Base.pow(x.value, y.value - Base(1))
        return Dual(z, tangent: dzdx * x.tangent + z * Base.log(x.value) * y.tangent)
    }

    /// (a + bε)ⁿ = aⁿ + n·aⁿ⁻¹·b ε          (integer n, any sign of a)
    @inlinable
    public static func pow(_ x: Dual, _ n: Int) -> Dual {
        if n == 0 { return Dual(Base(1), tangent: .zero) }
        let dzdx = Base(Double(n)) * Base.pow(x.value, n - 1)
        return Dual(Base.pow(x.value, n), tangent: dzdx * x.tangent)
    }

    /// (a + bε)ᵖ = aᵖ + p·aᵖ⁻¹·b ε          (constant p, a > 0)
    @inlinable
    public static func pow(_ x: Dual, _ p: Double) -> Dual {
        let dzdx = Base(p) * Base.pow(x.value, p - 1)
        return Dual(Base.pow(x.value, p), tangent: dzdx * x.tangent)
    }

    /// √(a + bε) = √a + b / (2√a) ε
    @inlinable
    public static func sqrt(_ x: Dual) -> Dual {
        let s = Base.sqrt(x.value)
        return Dual(s, tangent: x.tangent / (Base(2) * s))
    }

    /// ⁿ√(a + bε) = ⁿ√a + ⁿ√a / (n·a)·b ε
    @inlinable
    public static func root(_ x: Dual, _ n: Int) -> Dual {
        let r = Base.root(x.value, n)
        return Dual(r, tangent: r / (Base(Double(n)) * x.value) * x.tangent)
    }
}

import RealModule

// Each function records one node w = f(x) with its local partial ∂w/∂x = f′(x),
// computed now, so that no sweep re-evaluates exp, log, … .
extension TapeScalar {
    /// w = exp(x):  ∂w/∂x = exp(x) = w
    @inlinable
    public static func exp(_ x: TapeScalar) -> TapeScalar { let e = Double.exp(x.value); return unary(x, e, e) }

    /// w = expm1(x):  ∂w/∂x = exp(x)
    @inlinable
    public static func expMinusOne(_ x: TapeScalar) -> TapeScalar {
        unary(x, Double.expMinusOne(x.value), Double.exp(x.value))
    }

    /// w = cosh(x):  ∂w/∂x = sinh(x)
    @inlinable
    public static func cosh(_ x: TapeScalar) -> TapeScalar { unary(x, Double.cosh(x.value), Double.sinh(x.value)) }

    /// w = sinh(x):  ∂w/∂x = cosh(x)
    @inlinable
    public static func sinh(_ x: TapeScalar) -> TapeScalar { unary(x, Double.sinh(x.value), Double.cosh(x.value)) }

    /// w = tanh(x):  ∂w/∂x = 1 − w²
    @inlinable
    public static func tanh(_ x: TapeScalar) -> TapeScalar { let t = Double.tanh(x.value); return unary(x, t, 1 - t * t) }

    /// w = cos(x):  ∂w/∂x = −sin(x)
    @inlinable
    public static func cos(_ x: TapeScalar) -> TapeScalar { unary(x, Double.cos(x.value), -Double.sin(x.value)) }

    /// w = sin(x):  ∂w/∂x = cos(x)
    @inlinable
    public static func sin(_ x: TapeScalar) -> TapeScalar { unary(x, Double.sin(x.value), Double.cos(x.value)) }

    /// w = tan(x):  ∂w/∂x = 1 + w²
    @inlinable
    public static func tan(_ x: TapeScalar) -> TapeScalar { let t = Double.tan(x.value); return unary(x, t, 1 + t * t) }

    /// w = log(x):  ∂w/∂x = 1/x
    @inlinable
    public static func log(_ x: TapeScalar) -> TapeScalar { unary(x, Double.log(x.value), 1 / x.value) }

    /// w = log1p(x):  ∂w/∂x = 1/(1 + x)
    @inlinable
    public static func log(onePlus x: TapeScalar) -> TapeScalar {
        unary(x, Double.log(onePlus: x.value), 1 / (1 + x.value))
    }

    /// w = acosh(x):  ∂w/∂x = 1/√(x² − 1)
    @inlinable
    public static func acosh(_ x: TapeScalar) -> TapeScalar {
        unary(x, Double.acosh(x.value), 1 / Double.sqrt(x.value * x.value - 1))
    }

    /// w = asinh(x):  ∂w/∂x = 1/√(x² + 1)
    @inlinable
    public static func asinh(_ x: TapeScalar) -> TapeScalar {
        unary(x, Double.asinh(x.value), 1 / Double.sqrt(x.value * x.value + 1))
    }

    /// w = atanh(x):  ∂w/∂x = 1/(1 − x²)
    @inlinable
    public static func atanh(_ x: TapeScalar) -> TapeScalar {
        unary(x, Double.atanh(x.value), 1 / (1 - x.value * x.value))
    }

    /// w = acos(x):  ∂w/∂x = −1/√(1 − x²)
    @inlinable
    public static func acos(_ x: TapeScalar) -> TapeScalar {
        unary(x, Double.acos(x.value), -1 / Double.sqrt(1 - x.value * x.value))
    }

    /// w = asin(x):  ∂w/∂x = 1/√(1 − x²)
    @inlinable
    public static func asin(_ x: TapeScalar) -> TapeScalar {
        unary(x, Double.asin(x.value), 1 / Double.sqrt(1 - x.value * x.value))
    }

    /// w = atan(x):  ∂w/∂x = 1/(1 + x²)
    @inlinable
    public static func atan(_ x: TapeScalar) -> TapeScalar {
        unary(x, Double.atan(x.value), 1 / (1 + x.value * x.value))
    }

    /// w = xʸ:  ∂w/∂x = y·xʸ⁻¹, ∂w/∂y = w·log(x)        (x > 0)
    @inlinable
    public static func pow(_ x: TapeScalar, _ y: TapeScalar) -> TapeScalar {
        let w = Double.pow(x.value, y.value)
        let dy = y.isConstant ? 0 : w * Double.log(x.value)
        return binary(x, y, w, y.value * Double.pow(x.value, y.value - 1), dy)
    }

    /// w = xⁿ:  ∂w/∂x = n·xⁿ⁻¹          (integer n, any sign of x)
    @inlinable
    public static func pow(_ x: TapeScalar, _ n: Int) -> TapeScalar {
        if n == 0 { return TapeScalar(1) }
        return unary(x, Double.pow(x.value, n), Double(n) * Double.pow(x.value, n - 1))
    }

    /// w = xᵖ:  ∂w/∂x = p·xᵖ⁻¹          (constant p, x > 0)
    @inlinable
    public static func pow(_ x: TapeScalar, _ p: Double) -> TapeScalar {
        unary(x, Double.pow(x.value, p), p * Double.pow(x.value, p - 1))
    }

    /// w = √x:  ∂w/∂x = 1/(2w)
    @inlinable
    public static func sqrt(_ x: TapeScalar) -> TapeScalar { let s = Double.sqrt(x.value); return unary(x, s, 1 / (2 * s)) }

    /// w = ⁿ√x:  ∂w/∂x = w/(n·x)
    @inlinable
    public static func root(_ x: TapeScalar, _ n: Int) -> TapeScalar {
        let r = Double.root(x.value, n)
        return unary(x, r, r / (Double(n) * x.value))
    }
}

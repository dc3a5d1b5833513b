//! The `math` module and NumPy's scalar math (its ufuncs over one or two
//! numbers), declared together because they share rules: a `math` function
//! computes in double and returns a Python float, the NumPy one keeps a
//! float argument's precision and returns a NumPy scalar. NumPy's number
//! types called as functions (`np.float32(x)`) are here too.

use super::{Call, Defs, Lowering};
use crate::check::{error, Checker, R};
use crate::expr::{cast_scalar, konst};
use oxjit_diag::{Code, Span};
use oxjit_hir as hir;
use oxjit_tir::{self as tir, BinOp, ConstValue, ExprKind as TK, Intrinsic, MathFn, MathFn2};
use oxjit_types::{Kind, Scalar, Type};

/// How a function's float result type follows its argument.
#[derive(Clone, Copy, PartialEq)]
enum Flavor {
    /// `math`: computes in double, returns a Python float.
    Math,
    /// NumPy: keeps a float argument's precision, returns a NumPy scalar.
    Numpy,
}

/// One-argument functions: (math name, NumPy name, operation).
const UNARY: &[(Option<&str>, Option<&str>, MathFn)] = {
    use MathFn::*;
    &[
        (Some("sqrt"), Some("sqrt"), Sqrt),
        (Some("exp"), Some("exp"), Exp),
        (Some("exp2"), Some("exp2"), Exp2),
        (Some("expm1"), Some("expm1"), Expm1),
        (Some("log"), Some("log"), Log),
        (Some("log2"), Some("log2"), Log2),
        (Some("log10"), Some("log10"), Log10),
        (Some("log1p"), Some("log1p"), Log1p),
        (Some("sin"), Some("sin"), Sin),
        (Some("cos"), Some("cos"), Cos),
        (Some("tan"), Some("tan"), Tan),
        (Some("asin"), Some("arcsin"), Asin),
        (Some("acos"), Some("arccos"), Acos),
        (Some("atan"), Some("arctan"), Atan),
        (Some("sinh"), Some("sinh"), Sinh),
        (Some("cosh"), Some("cosh"), Cosh),
        (Some("tanh"), Some("tanh"), Tanh),
        (Some("asinh"), Some("arcsinh"), Asinh),
        (Some("acosh"), Some("arccosh"), Acosh),
        (Some("atanh"), Some("arctanh"), Atanh),
        (Some("fabs"), Some("fabs"), Fabs),
        (Some("erf"), None, Erf),
        (Some("erfc"), None, Erfc),
        (Some("gamma"), None, Gamma),
        (Some("lgamma"), None, Lgamma),
        (Some("cbrt"), Some("cbrt"), Cbrt),
        (Some("floor"), Some("floor"), Floor),
        (Some("ceil"), Some("ceil"), Ceil),
        (Some("trunc"), Some("trunc"), Trunc),
    ]
};

/// A two-argument function: its `math` name and parameters, its NumPy name.
type Binary = (
    Option<(&'static str, &'static str)>,
    Option<&'static str>,
    MathFn2,
);

const BINARY: &[Binary] = &[
    (Some(("atan2", "y, x, /")), Some("arctan2"), MathFn2::Atan2),
    (Some(("hypot", "x, y, /")), Some("hypot"), MathFn2::Hypot),
    (Some(("pow", "x, y, /")), None, MathFn2::Pow),
    (
        Some(("copysign", "x, y, /")),
        Some("copysign"),
        MathFn2::Copysign,
    ),
    (Some(("fmod", "x, y, /")), Some("fmod"), MathFn2::Fmod),
];

/// `path` declared with `params`; a NumPy function is a ufunc (takes `out`).
fn def_in<'d>(d: &'d mut Defs, path: &str, params: &str) -> super::Def<'d> {
    let def = d.def(path, params);
    if path.starts_with("numpy.") {
        def.ufunc()
    } else {
        def
    }
}

/// `numpy.<name>`, with NumPy 2's short spelling of an inverse function
/// (`np.asin` for `np.arcsin`) as an alias.
fn numpy_def<'d>(d: &'d mut Defs, name: &str, params: &str) -> super::Def<'d> {
    let def = def_in(d, &format!("numpy.{name}"), params);
    match name.strip_prefix("arc") {
        Some(s) => def.alias(format!("numpy.a{s}")),
        None => def,
    }
}

fn call_expr(op: Intrinsic, args: Vec<tir::Expr>, ty: Scalar, span: Span) -> tir::Expr {
    tir::Expr::new(TK::Call(op, args), Type::Scalar(ty), span)
}

pub(super) fn define(d: &mut Defs) {
    for &(m, n, op) in UNARY {
        if let Some(m) = m {
            let params = if op == MathFn::Log {
                "x, base=None, /"
            } else {
                "x, /"
            };
            d.def(format!("math.{m}"), params)
                .elementwise(move |ck, c, args| ck.math1(c, args, op, Flavor::Math));
        }
        if let Some(n) = n {
            numpy_def(d, n, "x, /")
                .elementwise(move |ck, c, args| ck.math1(c, args, op, Flavor::Numpy));
        }
    }
    for &(m, n, op) in BINARY {
        if let Some((m, params)) = m {
            d.def(format!("math.{m}"), params)
                .elementwise(move |ck, c, args| ck.math2(c, args, op, Flavor::Math));
        }
        if let Some(n) = n {
            numpy_def(d, n, "x1, x2, /")
                .elementwise(move |ck, c, args| ck.math2(c, args, op, Flavor::Numpy));
        }
    }
    for (path, params, flavor) in [
        ("math.ldexp", "x, i, /", Flavor::Math),
        ("numpy.ldexp", "x1, x2, /", Flavor::Numpy),
    ] {
        def_in(d, path, params).elementwise(move |ck, c, mut args| {
            let s = ck.scalar_arg(&c.name, &args[0], false)?;
            let e = args.pop().unwrap();
            if e.ty.scalar().is_none_or(|s| s.kind() > Kind::Int) {
                return Err(error(
                    Code::BadCall,
                    e.span,
                    format!("{}() takes an integer exponent, not {}", c.name, e.ty),
                    "convert it with int(...)",
                ));
            }
            let ft = float_for(s, flavor);
            let x = cast_scalar(args.pop().unwrap(), ft);
            let e = cast_scalar(e, Scalar::I64);
            Ok(call_expr(Intrinsic::Ldexp, vec![x, e], ft, c.span))
        });
    }
    d.def("math.frexp", "x, /").rule(Lowering::Inline, |ck, c| {
        let x = c.expr(ck, 0)?;
        ck.scalar_arg(&c.name, &x, false)?;
        let [x1, x2] =
            <[tir::Expr; 2]>::try_from(ck.shared(cast_scalar(x, Scalar::PyFloat), 2)).unwrap();
        let m = call_expr(Intrinsic::FrexpMantissa, vec![x1], Scalar::PyFloat, c.span);
        let e = call_expr(Intrinsic::FrexpExponent, vec![x2], Scalar::I64, c.span);
        let e = cast_scalar(e, Scalar::PyInt);
        Ok(tir::Expr::new(
            TK::Tuple(vec![m, e]),
            Type::Tuple(vec![Type::FLOAT, Type::INT]),
            c.span,
        ))
    });
    for (f, op) in [
        ("isnan", Intrinsic::IsNan),
        ("isinf", Intrinsic::IsInf),
        ("isfinite", Intrinsic::IsFinite),
    ] {
        for module in ["math", "numpy"] {
            def_in(d, &format!("{module}.{f}"), "x, /").elementwise(move |ck, c, mut args| {
                let s = ck.scalar_arg(&c.name, &args[0], false)?;
                let x = cast_scalar(args.remove(0), if s.is_float() { s } else { Scalar::F64 });
                Ok(call_expr(op, vec![x], Scalar::Bool, c.span))
            });
        }
    }
    let to_degrees = 180.0 / std::f64::consts::PI;
    for (path, k, flavor) in [
        ("math.degrees", to_degrees, Flavor::Math),
        ("math.radians", to_degrees.recip(), Flavor::Math),
        ("numpy.degrees", to_degrees, Flavor::Numpy),
        ("numpy.radians", to_degrees.recip(), Flavor::Numpy),
        ("numpy.rad2deg", to_degrees, Flavor::Numpy),
        ("numpy.deg2rad", to_degrees.recip(), Flavor::Numpy),
    ] {
        def_in(d, path, "x, /").elementwise(move |ck, c, mut args| {
            let s = ck.scalar_arg(&c.name, &args[0], false)?;
            let ft = float_for(s, flavor);
            let x = cast_scalar(args.remove(0), ft);
            let k = cast_scalar(konst(ConstValue::Float(k), Type::FLOAT, c.span), ft);
            Ok(tir::Expr::new(
                TK::Binary(BinOp::Mul, Box::new(x), Box::new(k)),
                Type::Scalar(ft),
                c.span,
            ))
        });
    }
    def_in(d, "numpy.rint", "x, /").elementwise(|ck, c, mut args| {
        let s = ck.scalar_arg(&c.name, &args[0], false)?;
        let ft = float_for(s, Flavor::Numpy);
        let x = cast_scalar(args.remove(0), ft);
        Ok(call_expr(Intrinsic::RoundEven, vec![x], ft, c.span))
    });
    d.def("numpy.round", "a, decimals=0")
        .alias("numpy.around")
        .method()
        .rule(Lowering::Elementwise, |ck, c| {
            let x = c.expr(ck, 0)?;
            let decimals = ck.const_arg(c.hir(1).unwrap(), "decimals")?;
            let span = c.span;
            let name = c.name.clone();
            let body = move |ck: &mut Checker, x: tir::Expr| round(ck, &name, x, decimals, span);
            if x.ty.array().is_some() {
                return ck.elementwise(vec![x], span, move |ck, mut p| body(ck, p.remove(0)));
            }
            let x = ck.strengthen(x);
            body(ck, x)
        });
    def_in(d, "numpy.power", "x1, x2, /")
        .alias("numpy.pow")
        .elementwise(|ck, c, mut args| {
            let b = args.pop().unwrap();
            let a = args.pop().unwrap();
            let r = ck.binary(hir::BinOp::Pow, a, b, c.span)?;
            Ok(ck.strengthen(r))
        });
    def_in(d, "numpy.square", "x, /").elementwise(|ck, c, mut args| {
        let (a, b) = ck.twice(args.remove(0));
        let r = ck.binary(hir::BinOp::Mul, a, b, c.span)?;
        Ok(ck.strengthen(r))
    });
    for path in ["builtins.abs", "numpy.absolute"] {
        let def = def_in(d, path, "x, /");
        let def = if path == "numpy.absolute" {
            def.alias("numpy.abs")
        } else {
            def
        };
        let numpy = path.starts_with("numpy");
        def.elementwise(move |ck, c, mut args| {
            let s = ck.scalar_arg(&c.name, &args[0], true)?;
            let s = if s == Scalar::Bool { Scalar::PyInt } else { s };
            // NumPy functions return NumPy scalars even for Python numbers.
            let s = if numpy { s.strong() } else { s };
            let x = cast_scalar(args.remove(0), s);
            Ok(call_expr(Intrinsic::Abs, vec![x], s.component(), c.span))
        });
    }
    def_in(d, "numpy.conjugate", "x, /")
        .alias("numpy.conj")
        .method()
        .method_alias("conj")
        .elementwise(|ck, c, mut args| {
            let x = args.remove(0);
            match x.ty.scalar() {
                Some(s) if s.is_complex() => {
                    Ok(call_expr(Intrinsic::Conjugate, vec![x], s, c.span))
                }
                Some(s) if s != Scalar::Bool => Ok(x),
                _ => Err(ck.bad_argument(&c.name, &x)),
            }
        });
    d.def("numpy.dtype", "dtype, align=False, copy=False")
        .rule(Lowering::Inline, |ck, c| {
            // `align` and `copy` make no difference to a number's dtype.
            let s = ck.dtype_arg(c.hir(0), Scalar::F64)?;
            Ok(konst(ConstValue::Unit, Type::DType(s), c.span))
        });
    for to in Scalar::ALL_STRONG {
        let def = match to {
            Scalar::Bool => d.def("numpy.bool_", "value=False, /").alias("numpy.bool"),
            t if t.is_complex() => d.def(format!("numpy.{t}"), "real=0, imag=0, /"),
            t => d.def(format!("numpy.{t}"), "value=0, /"),
        };
        def.elementwise(move |ck, c, mut args| {
            let s = ck.scalar_arg(&c.name, &args[0], true)?;
            if to.is_complex() {
                // np.complex128(re, im) builds the number from two reals.
                let im = args.pop().unwrap();
                let re = args.pop().unwrap();
                if !c.given(1) {
                    return Ok(cast_scalar(re, to));
                }
                ck.scalar_arg(&c.name, &re, false)?;
                ck.scalar_arg(&c.name, &im, false)?;
                let part = to.component();
                return Ok(call_expr(
                    Intrinsic::MakeComplex,
                    vec![cast_scalar(re, part), cast_scalar(im, part)],
                    to,
                    c.span,
                ));
            }
            if s.is_complex() {
                return Err(error(
                    Code::BadCall,
                    c.span,
                    format!("cannot convert {s} to {to}"),
                    "take .real or abs() first",
                ));
            }
            let x = args.remove(0);
            if to == Scalar::Bool {
                return ck.truth(x);
            }
            Ok(cast_scalar(x, to))
        });
    }
}

/// NumPy's `round(x, decimals)` of one number: `rint(x * 10**d) / 10**d`
/// (for negative `d`, `rint(x / 10**-d) * 10**-d`) in the number's type;
/// integers are their own rounding for `d >= 0`.
fn round(ck: &mut Checker, name: &str, x: tir::Expr, d: i64, span: Span) -> R<tir::Expr> {
    let s = ck.scalar_arg(name, &x, false)?;
    if s.kind() <= Kind::Int {
        if d < 0 {
            return Err(error(
                Code::BadCall,
                span,
                format!("{name}() of integers with negative decimals is not supported yet"),
                "round a float copy: np.round(a * 1.0, decimals)",
            ));
        }
        return Ok(x);
    }
    let rint = |x| call_expr(Intrinsic::RoundEven, vec![x], s, span);
    if d == 0 {
        return Ok(rint(x));
    }
    let k = cast_scalar(
        konst(
            ConstValue::Float(10f64.powi(d.unsigned_abs() as i32)),
            Type::FLOAT,
            span,
        ),
        s,
    );
    let bin = |op, a, b| {
        tir::Expr::new(
            TK::Binary(op, Box::new(a), Box::new(b)),
            Type::Scalar(s),
            span,
        )
    };
    let (scale, unscale) = if d > 0 {
        (BinOp::Mul, BinOp::Div)
    } else {
        (BinOp::Div, BinOp::Mul)
    };
    Ok(bin(unscale, rint(bin(scale, x, k.clone())), k))
}

/// The float type a function computes in for an argument type.
fn float_for(s: Scalar, flavor: Flavor) -> Scalar {
    match (flavor, s) {
        (Flavor::Math, _) => Scalar::PyFloat,
        (Flavor::Numpy, Scalar::F32) => Scalar::F32,
        _ => Scalar::F64,
    }
}

impl Checker<'_> {
    /// The scalar type of a function's argument; complex numbers only
    /// where `complex_ok`.
    pub(crate) fn scalar_arg(&self, name: &str, a: &tir::Expr, complex_ok: bool) -> R<Scalar> {
        match a.ty.scalar() {
            Some(s) if complex_ok || !s.is_complex() => Ok(s),
            _ => Err(self.bad_argument(name, a)),
        }
    }

    pub(crate) fn bad_argument(&self, name: &str, a: &tir::Expr) -> crate::check::Fail {
        error(
            Code::BadCall,
            a.span,
            format!("{name}() does not accept an argument of type {}", a.ty),
            if a.ty.array().is_some() {
                "array arguments are not supported yet; apply the function to each element in a loop"
            } else {
                "pass a real number"
            },
        )
    }

    fn math1(
        &mut self,
        c: &Call,
        mut args: Vec<tir::Expr>,
        op: MathFn,
        flavor: Flavor,
    ) -> R<tir::Expr> {
        let span = c.span;
        let s = self.scalar_arg(&c.name, &args[0], false)?;
        let rounding = matches!(op, MathFn::Floor | MathFn::Ceil | MathFn::Trunc);
        if flavor == Flavor::Numpy && rounding && s.kind() <= Kind::Int {
            // NumPy 2 rounds integers to themselves, keeping the dtype.
            let to = if s == Scalar::Bool {
                Scalar::Bool
            } else {
                s.strong()
            };
            return Ok(cast_scalar(args.remove(0), to));
        }
        if flavor == Flavor::Math && rounding {
            // math.floor/ceil/trunc return Python ints.
            if s.kind() <= Kind::Int {
                return Ok(cast_scalar(args.remove(0), Scalar::PyInt));
            }
            let x = cast_scalar(args.remove(0), Scalar::PyFloat);
            return Ok(cast_scalar(
                call_expr(Intrinsic::Math(op), vec![x], Scalar::PyFloat, span),
                Scalar::PyInt,
            ));
        }
        let ft = float_for(s, flavor);
        if args.len() == 2 {
            // log(x, base)
            self.scalar_arg(&c.name, &args[1], false)?;
            let base = cast_scalar(args.pop().unwrap(), ft);
            let x = cast_scalar(args.pop().unwrap(), ft);
            let lx = call_expr(Intrinsic::Math(op), vec![x], ft, span);
            let lb = call_expr(Intrinsic::Math(op), vec![base], ft, span);
            return Ok(tir::Expr::new(
                TK::Binary(BinOp::Div, Box::new(lx), Box::new(lb)),
                Type::Scalar(ft),
                span,
            ));
        }
        let x = cast_scalar(args.remove(0), ft);
        Ok(call_expr(Intrinsic::Math(op), vec![x], ft, span))
    }

    fn math2(
        &mut self,
        c: &Call,
        mut args: Vec<tir::Expr>,
        op: MathFn2,
        flavor: Flavor,
    ) -> R<tir::Expr> {
        let a = self.scalar_arg(&c.name, &args[0], false)?;
        let b = self.scalar_arg(&c.name, &args[1], false)?;
        let ft = match flavor {
            Flavor::Math => Scalar::PyFloat,
            Flavor::Numpy => float_for(oxjit_types::common_scalar(a, b), flavor),
        };
        let y = cast_scalar(args.pop().unwrap(), ft);
        let x = cast_scalar(args.pop().unwrap(), ft);
        Ok(call_expr(Intrinsic::Math2(op), vec![x, y], ft, c.span))
    }
}

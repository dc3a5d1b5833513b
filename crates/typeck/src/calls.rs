//! Calls: Python builtins, the `math` module, NumPy's scalar functions and
//! type constructors, scalar methods, `range` arguments, and other jitted
//! functions (bound by keyword and default like Python, typed by the oracle).

use crate::check::{error, Checker, Fail, R};
use crate::expr::{cast_scalar, konst};
use crate::ops::guard;
use oxjit_abi::exc::ExcSpec;
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, Const, ExprKind as HK, Value};
use oxjit_tir::{
    self as tir, BinOp, Check, ConstValue, ExprKind as TK, Intrinsic, MathFn, MathFn2,
};
use oxjit_types::{parse_type, Kind, Scalar, Type};

/// How a library function's float result type follows its argument.
#[derive(Clone, Copy, PartialEq)]
enum Flavor {
    /// `math`: computes in double, returns a Python float.
    Math,
    /// NumPy: keeps a float argument's precision, returns a NumPy scalar.
    Numpy,
}

fn math_fn(name: &str) -> Option<MathFn> {
    use MathFn::*;
    Some(match name {
        "sqrt" => Sqrt,
        "exp" => Exp,
        "exp2" => Exp2,
        "expm1" => Expm1,
        "log" => Log,
        "log2" => Log2,
        "log10" => Log10,
        "log1p" => Log1p,
        "sin" => Sin,
        "cos" => Cos,
        "tan" => Tan,
        "asin" | "arcsin" => Asin,
        "acos" | "arccos" => Acos,
        "atan" | "arctan" => Atan,
        "sinh" => Sinh,
        "cosh" => Cosh,
        "tanh" => Tanh,
        "asinh" | "arcsinh" => Asinh,
        "acosh" | "arccosh" => Acosh,
        "atanh" | "arctanh" => Atanh,
        "fabs" => Fabs,
        "erf" => Erf,
        "erfc" => Erfc,
        "gamma" => Gamma,
        "lgamma" => Lgamma,
        "cbrt" => Cbrt,
        "floor" => Floor,
        "ceil" => Ceil,
        "trunc" => Trunc,
        _ => return None,
    })
}

fn math_fn2(name: &str) -> Option<MathFn2> {
    Some(match name {
        "atan2" | "arctan2" => MathFn2::Atan2,
        "hypot" => MathFn2::Hypot,
        "pow" => MathFn2::Pow,
        "copysign" => MathFn2::Copysign,
        "fmod" => MathFn2::Fmod,
        _ => return None,
    })
}

fn call_expr(op: Intrinsic, args: Vec<tir::Expr>, ty: Scalar, span: Span) -> tir::Expr {
    tir::Expr::new(TK::Call(op, args), Type::Scalar(ty), span)
}

impl Checker<'_> {
    pub fn call(
        &mut self,
        func: &hir::Expr,
        args: &[hir::Expr],
        kwargs: &[hir::Keyword],
        span: Span,
    ) -> R<tir::Expr> {
        match &func.kind {
            HK::Global(Value::Dispatcher(id)) => self.call_jitted(*id, func, args, kwargs, span),
            HK::Global(Value::Function(name))
                if name == "builtins.len"
                    && args.len() == 1
                    && crate::check::range_call(&args[0]).is_some() =>
            {
                self.range_len(crate::check::range_call(&args[0]).unwrap(), span)
            }
            HK::Global(Value::Function(name)) => {
                if let Some(f) = name.strip_prefix("numpy.") {
                    if let Some(e) = self.array_function(name, args, kwargs, span)? {
                        return Ok(e);
                    }
                    if let Some(e) = self.runtime_function(f, args, kwargs, span)? {
                        return Ok(e);
                    }
                }
                if !kwargs.is_empty() {
                    return Err(error(
                        Code::BadCall,
                        kwargs[0].span,
                        format!("keyword arguments to {name}() are not supported"),
                        "pass the arguments positionally",
                    ));
                }
                let args = args.iter().map(|a| self.expr(a)).collect::<R<Vec<_>>>()?;
                let ufunc_like = name.starts_with("numpy.") || name == "builtins.abs";
                if ufunc_like && args.iter().any(crate::arrays::is_arrayish) {
                    let name = name.clone();
                    return self.elementwise(args, span, |ck, p| ck.call_library(&name, p, span));
                }
                self.call_library(name, args, span)
            }
            HK::Global(Value::ExceptionClass(c)) => Err(error(
                Code::BadRaise,
                span,
                format!("exception class '{c}' can only be raised"),
                "use it in a raise statement: raise ValueError(\"...\")",
            )),
            HK::Attribute(obj, method) => {
                let obj = self.expr(obj)?;
                if obj.ty.array().is_some() {
                    return self.array_method(obj, method, args, kwargs, span);
                }
                if !args.is_empty() || !kwargs.is_empty() {
                    return Err(self.no_method(&obj, method, span));
                }
                match (obj.ty.scalar(), method.as_str()) {
                    (Some(s), "conjugate") if s.is_complex() => {
                        Ok(call_expr(Intrinsic::Conjugate, vec![obj], s, span))
                    }
                    (Some(s), "conjugate") if s != Scalar::Bool => Ok(obj),
                    _ => Err(self.no_method(&obj, method, span)),
                }
            }
            _ => {
                let f = self.expr(func)?;
                Err(error(
                    Code::BadCall,
                    func.span,
                    format!("a value of type {} is not callable", f.ty),
                    "call functions by name",
                ))
            }
        }
    }

    fn no_method(&self, obj: &tir::Expr, method: &str, span: Span) -> Fail {
        error(
            Code::UnknownAttribute,
            span,
            format!(
                "a value of type {} has no method '{method}' in compiled code",
                obj.ty
            ),
            "the only scalar method is conjugate()",
        )
    }

    fn arity(
        &self,
        name: &str,
        args: &[tir::Expr],
        range: std::ops::RangeInclusive<usize>,
        span: Span,
    ) -> R<()> {
        if range.contains(&args.len()) {
            return Ok(());
        }
        let want = if range.start() == range.end() {
            range.start().to_string()
        } else {
            format!("{} to {}", range.start(), range.end())
        };
        Err(error(
            Code::BadCall,
            span,
            format!("{name}() takes {want} argument(s), {} given", args.len()),
            "check the call's arguments",
        ))
    }

    fn scalar_arg(&self, name: &str, a: &tir::Expr, complex_ok: bool) -> R<Scalar> {
        match a.ty.scalar() {
            Some(s) if complex_ok || !s.is_complex() => Ok(s),
            _ => Err(error(
                Code::BadCall,
                a.span,
                format!("{name}() does not accept an argument of type {}", a.ty),
                if a.ty.array().is_some() {
                    "array arguments are not supported yet; apply the function to each element in a loop"
                } else {
                    "pass a real number"
                },
            )),
        }
    }

    /// The float type a library function computes in for an argument type.
    fn float_for(&self, s: Scalar, flavor: Flavor) -> Scalar {
        match (flavor, s) {
            (Flavor::Math, _) => Scalar::PyFloat,
            (Flavor::Numpy, Scalar::F32) => Scalar::F32,
            _ => Scalar::F64,
        }
    }

    pub fn call_library(
        &mut self,
        name: &str,
        mut args: Vec<tir::Expr>,
        span: Span,
    ) -> R<tir::Expr> {
        let (module, f) = name.rsplit_once('.').unwrap_or(("", name));
        let flavor = if module == "math" {
            Flavor::Math
        } else {
            Flavor::Numpy
        };
        match (module, f) {
            ("math" | "numpy", _) if math_fn(f).is_some() => {
                self.arity(name, &args, 1..=2, span)?;
                let s = self.scalar_arg(name, &args[0], false)?;
                let op = math_fn(f).unwrap();
                let rounding = matches!(op, MathFn::Floor | MathFn::Ceil | MathFn::Trunc);
                if flavor == Flavor::Numpy && rounding && s.kind() <= Kind::Int {
                    // NumPy 2 rounds integers to themselves, keeping the dtype.
                    self.arity(name, &args, 1..=1, span)?;
                    let x = args.remove(0);
                    return Ok(cast_scalar(
                        x,
                        if s == Scalar::Bool {
                            Scalar::Bool
                        } else {
                            s.strong()
                        },
                    ));
                }
                if flavor == Flavor::Math && rounding {
                    // math.floor/ceil/trunc return Python ints.
                    self.arity(name, &args, 1..=1, span)?;
                    if s.kind() <= Kind::Int {
                        return Ok(cast_scalar(args.remove(0), Scalar::PyInt));
                    }
                    let x = cast_scalar(args.remove(0), Scalar::PyFloat);
                    return Ok(cast_scalar(
                        call_expr(Intrinsic::Math(op), vec![x], Scalar::PyFloat, span),
                        Scalar::PyInt,
                    ));
                }
                let ft = self.float_for(s, flavor);
                if args.len() == 2 {
                    // log(x, base)
                    if op != MathFn::Log || flavor != Flavor::Math {
                        self.arity(name, &args, 1..=1, span)?;
                    }
                    self.scalar_arg(name, &args[1], false)?;
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
            ("math" | "numpy", _) if math_fn2(f).is_some() => {
                self.arity(name, &args, 2..=2, span)?;
                let a = self.scalar_arg(name, &args[0], false)?;
                let b = self.scalar_arg(name, &args[1], false)?;
                let ft = match flavor {
                    Flavor::Math => Scalar::PyFloat,
                    Flavor::Numpy => self.float_for(oxjit_types::common_scalar(a, b), flavor),
                };
                let y = cast_scalar(args.pop().unwrap(), ft);
                let x = cast_scalar(args.pop().unwrap(), ft);
                Ok(call_expr(
                    Intrinsic::Math2(math_fn2(f).unwrap()),
                    vec![x, y],
                    ft,
                    span,
                ))
            }
            ("math" | "numpy", "isnan" | "isinf" | "isfinite") => {
                self.arity(name, &args, 1..=1, span)?;
                let s = self.scalar_arg(name, &args[0], false)?;
                let op = match f {
                    "isnan" => Intrinsic::IsNan,
                    "isinf" => Intrinsic::IsInf,
                    _ => Intrinsic::IsFinite,
                };
                let x = cast_scalar(args.remove(0), if s.is_float() { s } else { Scalar::F64 });
                Ok(call_expr(op, vec![x], Scalar::Bool, span))
            }
            ("math" | "numpy", "degrees" | "radians" | "rad2deg" | "deg2rad") => {
                self.arity(name, &args, 1..=1, span)?;
                let s = self.scalar_arg(name, &args[0], false)?;
                let ft = self.float_for(s, flavor);
                let k = if matches!(f, "degrees" | "rad2deg") {
                    180.0 / std::f64::consts::PI
                } else {
                    std::f64::consts::PI / 180.0
                };
                let x = cast_scalar(args.remove(0), ft);
                let k = cast_scalar(konst(ConstValue::Float(k), Type::FLOAT, span), ft);
                Ok(tir::Expr::new(
                    TK::Binary(BinOp::Mul, Box::new(x), Box::new(k)),
                    Type::Scalar(ft),
                    span,
                ))
            }
            ("numpy", "rint") => {
                self.arity(name, &args, 1..=1, span)?;
                let s = self.scalar_arg(name, &args[0], false)?;
                let ft = self.float_for(s, flavor);
                let x = cast_scalar(args.remove(0), ft);
                Ok(call_expr(Intrinsic::RoundEven, vec![x], ft, span))
            }
            ("numpy", "power") => {
                self.arity(name, &args, 2..=2, span)?;
                let b = args.pop().unwrap();
                let a = args.pop().unwrap();
                let r = self.binary(hir::BinOp::Pow, a, b, span)?;
                Ok(self.strengthen(r))
            }
            ("numpy", "square") => {
                self.arity(name, &args, 1..=1, span)?;
                let (a, b) = self.twice(args.remove(0));
                let r = self.binary(hir::BinOp::Mul, a, b, span)?;
                Ok(self.strengthen(r))
            }
            ("numpy" | "builtins", "abs" | "absolute") => {
                self.arity(name, &args, 1..=1, span)?;
                let s = self.scalar_arg(name, &args[0], true)?;
                let s = if s == Scalar::Bool { Scalar::PyInt } else { s };
                // NumPy functions return NumPy scalars even for Python numbers.
                let s = if module == "numpy" { s.strong() } else { s };
                let x = cast_scalar(args.remove(0), s);
                Ok(call_expr(Intrinsic::Abs, vec![x], s.component(), span))
            }
            ("numpy", _) if parse_type(f).ok().and_then(|t| t.scalar()).is_some() => {
                let to = parse_type(f).unwrap().scalar().unwrap();
                self.arity(name, &args, 1..=1, span)?;
                let s = self.scalar_arg(name, &args[0], true)?;
                if s.is_complex() && !to.is_complex() {
                    return Err(error(
                        Code::BadCall,
                        span,
                        format!("cannot convert {s} to {to}"),
                        "take .real or abs() first",
                    ));
                }
                let x = args.remove(0);
                if to == Scalar::Bool {
                    return self.truth(x);
                }
                Ok(cast_scalar(x, to))
            }
            ("builtins", "min" | "max") => self.min_max(f, args, span),
            ("builtins", "int" | "float") => {
                self.arity(name, &args, 0..=1, span)?;
                let to = if f == "int" {
                    Scalar::PyInt
                } else {
                    Scalar::PyFloat
                };
                if args.is_empty() {
                    return Ok(cast_scalar(konst(ConstValue::Int(0), Type::INT, span), to));
                }
                self.scalar_arg(name, &args[0], false)?;
                Ok(cast_scalar(args.remove(0), to))
            }
            ("builtins", "bool") => {
                self.arity(name, &args, 0..=1, span)?;
                match args.pop() {
                    None => Ok(konst(ConstValue::Bool(false), Type::BOOL, span)),
                    Some(x) => self.truth(x),
                }
            }
            ("builtins", "complex") => {
                self.arity(name, &args, 0..=2, span)?;
                if args.len() == 1 && args[0].ty.scalar().is_some_and(Scalar::is_complex) {
                    return Ok(cast_scalar(args.remove(0), Scalar::PyComplex));
                }
                for a in &args {
                    self.scalar_arg(name, a, false)?;
                }
                let zero = || konst(ConstValue::Float(0.0), Type::FLOAT, span);
                let im = if args.len() == 2 {
                    cast_scalar(args.pop().unwrap(), Scalar::PyFloat)
                } else {
                    zero()
                };
                let re = args
                    .pop()
                    .map_or_else(zero, |x| cast_scalar(x, Scalar::PyFloat));
                Ok(call_expr(
                    Intrinsic::MakeComplex,
                    vec![re, im],
                    Scalar::PyComplex,
                    span,
                ))
            }
            ("builtins", "round") => {
                self.arity(name, &args, 1..=2, span)?;
                let s = self.scalar_arg(name, &args[0], false)?;
                if args.len() == 2 {
                    let n = args.pop().unwrap();
                    if !n.ty.is_int() {
                        return Err(error(
                            Code::BadCall,
                            n.span,
                            format!("round() ndigits must be an integer, not {}", n.ty),
                            "pass an int",
                        ));
                    }
                    let n = cast_scalar(n, Scalar::I64);
                    let x = args.pop().unwrap();
                    if s.kind() <= Kind::Int {
                        let r = call_expr(
                            Intrinsic::RoundDigits,
                            vec![cast_scalar(x, Scalar::I64), n],
                            Scalar::I64,
                            span,
                        );
                        return Ok(cast_scalar(
                            r,
                            if s == Scalar::Bool { Scalar::PyInt } else { s },
                        ));
                    }
                    return Ok(call_expr(Intrinsic::RoundDigits, vec![x, n], s, span));
                }
                let x = args.remove(0);
                if s.kind() <= Kind::Int {
                    return Ok(cast_scalar(x, Scalar::PyInt));
                }
                let r = call_expr(Intrinsic::RoundEven, vec![x], s, span);
                Ok(cast_scalar(r, Scalar::PyInt))
            }
            ("builtins", "len") => {
                self.arity(name, &args, 1..=1, span)?;
                let x = args.remove(0);
                match &x.ty {
                    Type::Array(_) => {
                        Ok(call_expr(Intrinsic::Dim(0), vec![x], Scalar::PyInt, span))
                    }
                    Type::Tuple(items) => {
                        Ok(konst(ConstValue::Int(items.len() as i64), Type::INT, span))
                    }
                    t => Err(error(
                        Code::BadCall,
                        x.span,
                        format!("object of type {t} has no len()"),
                        "len() applies to arrays and tuples",
                    )),
                }
            }
            ("builtins", "pow") => {
                self.arity(name, &args, 2..=2, span)?;
                let b = args.pop().unwrap();
                let a = args.pop().unwrap();
                self.binary(hir::BinOp::Pow, a, b, span)
            }
            ("builtins", "divmod") => {
                self.arity(name, &args, 2..=2, span)?;
                let b = args.pop().unwrap();
                let a = args.pop().unwrap();
                let a = self.twice(a);
                let b = self.twice(b);
                let q = self.binary(hir::BinOp::FloorDiv, a.0.clone(), b.0.clone(), span)?;
                let r = self.binary(hir::BinOp::Mod, a.1, b.1, span)?;
                let ty = Type::Tuple(vec![q.ty.clone(), r.ty.clone()]);
                Ok(tir::Expr::new(TK::Tuple(vec![q, r]), ty, span))
            }
            ("oxjit", "get_thread_id" | "get_num_threads") => {
                if !args.is_empty() {
                    return Err(error(
                        Code::BadCall,
                        span,
                        format!("{f}() takes no arguments"),
                        format!("call {f}()"),
                    ));
                }
                let which = if f == "get_thread_id" {
                    Intrinsic::ThreadId
                } else {
                    Intrinsic::NumThreads
                };
                Ok(tir::Expr::new(TK::Call(which, vec![]), Type::INT, span))
            }
            ("builtins" | "oxjit", "range" | "prange") => Err(error(
                Code::BadCall,
                span,
                format!("{f}() can only be used as the iterable of a for loop"),
                "write `for i in range(...)`",
            )),
            ("builtins", "print") => Err(error(
                Code::BadCall,
                span,
                "print() is not supported in compiled code",
                "return the values and print them from Python",
            )),
            _ => Err(error(
                Code::UnknownAttribute,
                span,
                format!("function '{name}' is not supported in compiled code"),
                "see the README for the supported math, NumPy and builtin functions",
            )),
        }
    }

    /// A Python scalar as the NumPy scalar NumPy functions make of it.
    fn strengthen(&self, e: tir::Expr) -> tir::Expr {
        match e.ty.scalar() {
            Some(s) if s.is_weak() => cast_scalar(e, s.strong()),
            _ => e,
        }
    }

    /// A value used twice: the first use sets a temporary, the second reads it.
    fn twice(&mut self, e: tir::Expr) -> (tir::Expr, tir::Expr) {
        if matches!(e.kind, TK::Local(_) | TK::Const(_)) {
            return (e.clone(), e);
        }
        let (ty, span) = (e.ty.clone(), e.span);
        let tmp = self.temp("arg", ty.clone());
        (
            tir::Expr::new(TK::SetLocal(tmp, Box::new(e)), ty.clone(), span),
            tir::Expr::new(TK::Local(tmp), ty, span),
        )
    }

    pub(crate) fn min_max(&mut self, f: &str, args: Vec<tir::Expr>, span: Span) -> R<tir::Expr> {
        let args = match args.as_slice() {
            [t] if matches!(t.ty, Type::Tuple(_)) => {
                let Type::Tuple(items) = t.ty.clone() else {
                    unreachable!()
                };
                let whole = t.clone();
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, ty)| {
                        tir::Expr::new(TK::TupleGet(Box::new(whole.clone()), i), ty, span)
                    })
                    .collect()
            }
            _ => args,
        };
        if args.is_empty() {
            return Err(error(
                Code::BadCall,
                span,
                format!("{f}() expected at least 1 argument, got 0"),
                "pass two or more numbers, or a tuple",
            ));
        }
        let mut t: Option<Scalar> = None;
        for a in &args {
            let s = self.scalar_arg(f, a, false)?;
            t = Some(t.map_or(s, |t| oxjit_types::common_scalar(t, s)));
        }
        let t = t.unwrap();
        let op = if f == "min" {
            Intrinsic::Min
        } else {
            Intrinsic::Max
        };
        let mut args = args.into_iter().map(|a| cast_scalar(a, t));
        let mut acc = args.next().unwrap();
        for a in args {
            acc = call_expr(op, vec![acc, a], t, span);
        }
        Ok(acc)
    }

    /// `range(stop)`, `range(start, stop[, step])` as Python ints; a zero
    /// step raises `ValueError` like Python's.
    pub fn range_args(
        &mut self,
        args: &[hir::Expr],
        span: Span,
    ) -> R<(tir::Expr, tir::Expr, tir::Expr)> {
        let mut xs = args.iter().map(|a| self.expr(a)).collect::<R<Vec<_>>>()?;
        self.arity("range", &xs, 1..=3, span)?;
        for x in &xs {
            if x.ty.scalar().is_none_or(|s| s.kind() > Kind::Int) {
                return Err(error(
                    Code::BadCall,
                    x.span,
                    format!("range() arguments must be integers, not {}", x.ty),
                    "convert with int(...)",
                ));
            }
        }
        let int = |x| cast_scalar(x, Scalar::PyInt);
        let one = || konst(ConstValue::Int(1), Type::INT, span);
        let zero = || konst(ConstValue::Int(0), Type::INT, span);
        let step = if xs.len() == 3 {
            int(xs.pop().unwrap())
        } else {
            one()
        };
        let stop = int(xs.pop().unwrap());
        let start = xs.pop().map_or_else(zero, int);
        if let TK::Const(ConstValue::Int(0)) = step.kind {
            return Err(error(
                Code::BadCall,
                step.span,
                "range() arg 3 must not be zero",
                "use a non-zero step",
            ));
        }
        let id = self.oracle.exception(ExcSpec::with_message(
            "ValueError",
            "range() arg 3 must not be zero",
        ));
        Ok((start, stop, guard(step, Check::NonZero, id)))
    }

    /// `len(range(start, stop, step))` = `max(0, -((start - stop) // step))`.
    fn range_len(&mut self, args: &[hir::Expr], span: Span) -> R<tir::Expr> {
        let (start, stop, step) = self.range_args(args, span)?;
        let bin =
            |op, a, b| tir::Expr::new(TK::Binary(op, Box::new(a), Box::new(b)), Type::INT, span);
        let q = bin(BinOp::FloorDiv, bin(BinOp::Sub, start, stop), step);
        let n = tir::Expr::new(TK::Unary(tir::UnaryOp::Neg, Box::new(q)), Type::INT, span);
        let zero = konst(ConstValue::Int(0), Type::INT, span);
        Ok(call_expr(
            Intrinsic::Max,
            vec![zero, n],
            Scalar::PyInt,
            span,
        ))
    }

    fn call_jitted(
        &mut self,
        id: u64,
        func: &hir::Expr,
        args: &[hir::Expr],
        kwargs: &[hir::Keyword],
        span: Span,
    ) -> R<tir::Expr> {
        let params = self
            .oracle
            .params(id)
            .map_err(|m| error(Code::BadCall, func.span, m, "check the called function"))?;
        let fname = self.callee_name(id);
        if args.len() > params.len() {
            return Err(error(
                Code::BadCall,
                span,
                format!(
                    "{fname}() takes {} positional argument(s) but {} were given",
                    params.len(),
                    args.len()
                ),
                "check the call's arguments",
            ));
        }
        let mut bound: Vec<Option<&hir::Expr>> = vec![None; params.len()];
        for (i, a) in args.iter().enumerate() {
            bound[i] = Some(a);
        }
        for kw in kwargs {
            let k = &kw.name;
            let Some(i) = params.iter().position(|p| &p.name == k) else {
                return Err(error(
                    Code::BadCall,
                    kw.span,
                    format!("{fname}() got an unexpected keyword argument '{k}'"),
                    "check the parameter names",
                ));
            };
            if bound[i].is_some() {
                return Err(error(
                    Code::BadCall,
                    kw.span,
                    format!("{fname}() got multiple values for argument '{k}'"),
                    "pass each argument once",
                ));
            }
            bound[i] = Some(&kw.value);
        }
        let mut typed = Vec::new();
        for (p, b) in params.iter().zip(bound) {
            let e = match (b, &p.default) {
                (Some(e), _) => self.expr(e)?,
                (None, Some(c)) => self.default_const(c, span)?,
                (None, None) => {
                    return Err(error(
                        Code::BadCall,
                        span,
                        format!("{fname}() missing required argument '{}'", p.name),
                        "pass a value for every parameter without a default",
                    ))
                }
            };
            typed.push(e);
        }
        let types: Vec<Type> = typed.iter().map(|e| e.ty.clone()).collect();
        let sig =
            if id == self.req.id && types == self.req.args {
                match &self.ret {
                    Some(ret) => crate::CalleeSig {
                        symbol: self.req.symbol.clone(),
                        ret: ret.clone(),
                    },
                    None if self.last_pass => {
                        return Err(error(
                            Code::UnresolvedReturn,
                            span,
                            format!(
                            "cannot determine the return type of the recursive call to '{fname}'"
                        ),
                            "add a base case that returns without calling the function itself",
                        ))
                    }
                    None => return Err(Fail::Unknown(span)),
                }
            } else {
                match self.oracle.callee(id, &types) {
                    Ok(Some(sig)) => sig,
                    Ok(None) => {
                        self.pending_callee = true;
                        return Err(Fail::Unknown(span));
                    }
                    Err(msg) => return Err(error(
                        Code::BadCall,
                        span,
                        format!(
                            "cannot compile the call to '{fname}' with argument types ({}):\n{msg}",
                            type_list(&types)
                        ),
                        "fix the error in the called function, or pass arguments of other types",
                    )),
                }
            };
        Ok(tir::Expr::new(
            TK::CallFunc {
                symbol: sig.symbol,
                args: typed,
            },
            sig.ret,
            span,
        ))
    }

    fn callee_name(&mut self, id: u64) -> String {
        if id == self.req.id {
            self.req.hir.name.clone()
        } else {
            self.oracle.name(id)
        }
    }

    fn default_const(&mut self, c: &Const, span: Span) -> R<tir::Expr> {
        let e = hir::Expr {
            kind: HK::Const(c.clone()),
            span,
        };
        self.expr(&e)
    }
}

pub(crate) fn type_list(types: &[Type]) -> String {
    types
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

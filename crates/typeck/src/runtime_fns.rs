//! NumPy operations implemented by runtime array functions (`RuntimeCall`):
//! sorting, boolean-mask and integer-array indexing, `nonzero`, scans,
//! `dot`/`@`, joins, and `np.random`.

use crate::check::{error, Checker, R};
use crate::expr::{cast_scalar, konst};
use oxjit_abi::exc::ExcSpec;
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, Const, ExprKind as HK};
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK, RuntimeFn};
use oxjit_types::{ArrayType, Kind, Layout, Scalar, Type};

fn c_array(dtype: Scalar, ndim: usize) -> Type {
    Type::Array(ArrayType {
        dtype: dtype.strong(),
        ndim: ndim as u8,
        layout: Layout::C,
    })
}

fn call(func: RuntimeFn, args: Vec<tir::Expr>, ty: Type, span: Span) -> tir::Expr {
    tir::Expr::new(TK::RuntimeCall { func, args }, ty, span)
}

/// The accumulation dtype of `sum`-like operations.
pub(crate) fn sum_dtype(d: Scalar) -> Scalar {
    use Scalar::*;
    match d {
        Bool | I8 | I16 | I32 => I64,
        U8 | U16 | U32 => U64,
        d => d,
    }
}

impl Checker<'_> {
    fn need_array(&mut self, e: &hir::Expr, what: &str) -> R<tir::Expr> {
        let x = self.expr(e)?;
        if x.ty.array().is_none() {
            return Err(error(
                Code::BadCall,
                e.span,
                format!("{what} needs an array, not {}", x.ty),
                "pass a NumPy array",
            ));
        }
        Ok(x)
    }

    /// `a[mask]` / `a[index_array]` reads; `None` if `index` is no array.
    pub fn fancy_index(
        &mut self,
        base: tir::Expr,
        index: &tir::Expr,
        span: Span,
    ) -> R<Option<tir::Expr>> {
        let (Some(a), Some(ix)) = (base.ty.array(), index.ty.array()) else {
            return Ok(None);
        };
        if ix.dtype == Scalar::Bool {
            if ix.ndim != a.ndim {
                return Err(error(
                    Code::BadIndex,
                    index.span,
                    format!(
                        "a boolean index must have the array's {} dimensions, not {}",
                        a.ndim, ix.ndim
                    ),
                    "index with a mask of the array's shape",
                ));
            }
            return Ok(Some(call(
                RuntimeFn::Compress,
                vec![base, index.clone()],
                c_array(a.dtype, 1),
                span,
            )));
        }
        if ix.dtype.is_int() && ix.ndim == 1 {
            return Ok(Some(call(
                RuntimeFn::Take,
                vec![base, index.clone()],
                c_array(a.dtype, a.ndim as usize),
                span,
            )));
        }
        Err(error(
            Code::BadIndex,
            index.span,
            format!("indexing with {} is not supported", index.ty),
            "index with a boolean mask of the array's shape or a 1-d integer array",
        ))
    }

    /// `a[mask] = value` / `a[index_array] = value`; `None` if `index` is no array.
    pub fn fancy_assign(
        &mut self,
        base: tir::Expr,
        index: &tir::Expr,
        value: tir::Expr,
        span: Span,
    ) -> R<Option<tir::Expr>> {
        let (Some(a), Some(ix)) = (base.ty.array(), index.ty.array()) else {
            return Ok(None);
        };
        let value = match value.ty.clone() {
            Type::Scalar(_) => cast_scalar(value, a.dtype),
            Type::Array(v) if v.ndim == 1 => {
                if v.dtype != a.dtype {
                    self.elementwise(vec![value], span, |_, mut p| {
                        Ok(cast_scalar(p.remove(0), a.dtype))
                    })?
                } else {
                    value
                }
            }
            t => {
                return Err(error(
                    Code::BadOperand,
                    value.span,
                    format!("cannot assign {t} through an index array"),
                    "assign a number or a 1-d array",
                ))
            }
        };
        if ix.dtype == Scalar::Bool && ix.ndim == a.ndim {
            // The runtime checks the mask's shape, as NumPy does.
            return Ok(Some(call(
                RuntimeFn::MaskAssign,
                vec![base, index.clone(), value],
                Type::None,
                span,
            )));
        }
        if ix.dtype.is_int() && ix.ndim == 1 && a.ndim == 1 {
            return Ok(Some(call(
                RuntimeFn::TakeAssign,
                vec![base, index.clone(), value],
                Type::None,
                span,
            )));
        }
        Err(error(
            Code::BadIndex,
            index.span,
            format!("assigning through {} is not supported", index.ty),
            "use a boolean mask of the array's shape or a 1-d integer array",
        ))
    }

    /// `np.dot(a, b)`, and with `matmul` `a @ b` / `np.matmul` (which
    /// differ only in their shape-mismatch message for these arrays).
    pub fn dot(&mut self, a: tir::Expr, b: tir::Expr, matmul: bool, span: Span) -> R<tir::Expr> {
        let (Some(x), Some(y)) = (a.ty.array(), b.ty.array()) else {
            return Err(error(
                Code::BadOperand,
                span,
                format!("matrix products take arrays, not {} and {}", a.ty, b.ty),
                "use * for scalars",
            ));
        };
        let dtype = oxjit_types::common_scalar(x.dtype, y.dtype);
        if dtype.kind() < Kind::Float || x.ndim > 2 || y.ndim > 2 {
            return Err(error(
                Code::BadOperand,
                span,
                format!("dot products of {} and {} are not supported", a.ty, b.ty),
                "use 1-d or 2-d arrays of float or complex dtype (convert with .astype(np.float64))",
            ));
        }
        let conv = |ck: &mut Self, e: tir::Expr, d: Scalar| -> R<tir::Expr> {
            if e.ty.array().unwrap().dtype == dtype {
                Ok(e)
            } else {
                ck.elementwise(vec![e], span, |_, mut p| Ok(cast_scalar(p.remove(0), d)))
            }
        };
        let a = conv(self, a, dtype)?;
        let b = conv(self, b, dtype)?;
        let ty = match (x.ndim, y.ndim) {
            (1, 1) => Type::Scalar(dtype),
            (2, 2) => c_array(dtype, 2),
            _ => c_array(dtype, 1),
        };
        let matmul = konst(
            ConstValue::Int(matmul as i64),
            Type::Scalar(Scalar::I64),
            span,
        );
        Ok(call(RuntimeFn::Dot, vec![a, b, matmul], ty, span))
    }

    /// The extents of a `size=` argument: absent/None → none (a scalar result).
    fn size_extents(&mut self, e: Option<&hir::Expr>) -> R<Vec<tir::Expr>> {
        match e {
            None => Ok(vec![]),
            Some(e) if matches!(e.kind, HK::Const(Const::None)) => Ok(vec![]),
            Some(e) => self.shape_arg(e),
        }
    }

    /// A random draw: a Python number without extents, else an array.
    fn random(
        &mut self,
        func: RuntimeFn,
        mut params: Vec<tir::Expr>,
        extents: Vec<tir::Expr>,
        int: bool,
        span: Span,
    ) -> tir::Expr {
        let n = extents.len();
        params.extend(extents);
        let ty = match (n, int) {
            (0, false) => Type::FLOAT,
            (0, true) => Type::INT,
            (n, false) => c_array(Scalar::F64, n),
            (n, true) => c_array(Scalar::I64, n),
        };
        call(func, params, ty, span)
    }

    /// NumPy functions backed by runtime array functions; `None` if `f` is
    /// none of them.
    pub fn runtime_function(
        &mut self,
        f: &str,
        args: &[hir::Expr],
        kwargs: &[hir::Keyword],
        span: Span,
    ) -> R<Option<tir::Expr>> {
        let float = |ck: &mut Self, e: Option<&hir::Expr>, default: f64| -> R<tir::Expr> {
            match e {
                None => Ok(konst(
                    ConstValue::Float(default),
                    Type::Scalar(Scalar::F64),
                    span,
                )),
                Some(e) => {
                    let x = ck.expr(e)?;
                    match x.ty.scalar() {
                        Some(s) if !s.is_complex() => Ok(cast_scalar(x, Scalar::F64)),
                        _ => Err(error(
                            Code::BadCall,
                            e.span,
                            format!("expected a real number, not {}", x.ty),
                            "pass a number",
                        )),
                    }
                }
            }
        };
        Ok(Some(match f {
            "sort" | "argsort" => {
                let b = self.bind_args(f, &["a"], args, kwargs, 1, span)?;
                let a = self.need_array(b.get(0).unwrap(), f)?;
                self.sort(f, a, span)?
            }
            "nonzero" | "flatnonzero" => {
                let b = self.bind_args(f, &["a"], args, kwargs, 1, span)?;
                let a = self.need_array(b.get(0).unwrap(), f)?;
                self.nonzero(a, f == "flatnonzero", span)?
            }
            "where" if args.len() == 1 && kwargs.is_empty() => {
                let a = self.need_array(&args[0], "where")?;
                self.nonzero(a, false, span)?
            }
            "cumsum" | "cumprod" => {
                let b = self.bind_args(f, &["a", "axis"], args, kwargs, 1, span)?;
                let a = self.need_array(b.get(0).unwrap(), f)?;
                self.scan(f, a, b.get(1), span)?
            }
            "dot" | "matmul" => {
                let b = self.bind_args(f, &["a", "b"], args, kwargs, 2, span)?;
                let x = self.need_array(b.get(0).unwrap(), f)?;
                let y = self.need_array(b.get(1).unwrap(), f)?;
                self.dot(x, y, f == "matmul", span)?
            }
            "concatenate" | "stack" | "vstack" | "hstack" => {
                let params: &[&str] = if f.ends_with("hstack") || f.ends_with("vstack") {
                    &["tup"]
                } else {
                    &["arrays", "axis"]
                };
                let b = self.bind_args(f, params, args, kwargs, 1, span)?;
                let t = self.expr(b.get(0).unwrap())?;
                let Type::Tuple(items) = t.ty.clone() else {
                    return Err(error(
                        Code::BadCall,
                        t.span,
                        format!("{f}() takes a tuple of arrays, not {}", t.ty),
                        "pass (a, b, ...)",
                    ));
                };
                let Some(first) = items.first().and_then(Type::array) else {
                    return Err(error(
                        Code::BadCall,
                        t.span,
                        format!("{f}() takes a tuple of arrays"),
                        "pass (a, b, ...)",
                    ));
                };
                if items.iter().any(|i| {
                    i.array()
                        .is_none_or(|x| x.dtype != first.dtype || x.ndim != first.ndim)
                }) {
                    return Err(error(
                        Code::BadCall,
                        t.span,
                        format!("{f}() needs arrays of one dtype and ndim, not {}", t.ty),
                        "convert them with .astype(...) first",
                    ));
                }
                let axis = match (f, b.get(1)) {
                    ("vstack", _) => 0,
                    ("hstack", _) => {
                        if first.ndim == 1 {
                            0
                        } else {
                            1
                        }
                    }
                    (_, None) => 0,
                    (_, Some(a)) => self.const_arg(a, "axis")?,
                };
                let axis = konst(ConstValue::Int(axis), Type::Scalar(Scalar::I64), span);
                // vstack takes 1-d arrays as rows.
                let stacks = f == "stack" || (f == "vstack" && first.ndim == 1);
                let (func, nd) = if stacks {
                    (RuntimeFn::Stack, first.ndim as usize + 1)
                } else {
                    (RuntimeFn::Concatenate, first.ndim as usize)
                };
                call(func, vec![t, axis], c_array(first.dtype, nd), span)
            }
            "roll" => {
                let b = self.bind_args(f, &["a", "shift"], args, kwargs, 2, span)?;
                let a = self.need_array(b.get(0).unwrap(), f)?;
                let s = self.int_arg(b.get(1).unwrap(), "shift")?;
                let at = a.ty.array().unwrap();
                call(
                    RuntimeFn::Roll,
                    vec![a, s],
                    c_array(at.dtype, at.ndim as usize),
                    span,
                )
            }
            "tile" => {
                let b = self.bind_args(f, &["A", "reps"], args, kwargs, 2, span)?;
                let a = self.need_array(b.get(0).unwrap(), f)?;
                let reps = self.shape_arg(b.get(1).unwrap())?;
                let at = a.ty.array().unwrap();
                let nd = (at.ndim as usize).max(reps.len());
                let mut params = vec![
                    a,
                    konst(
                        ConstValue::Int(reps.len() as i64),
                        Type::Scalar(Scalar::I64),
                        span,
                    ),
                ];
                params.extend(reps);
                call(RuntimeFn::Tile, params, c_array(at.dtype, nd), span)
            }
            "random.permutation" => {
                let b = self.bind_args(f, &["x"], args, kwargs, 1, span)?;
                let x = self.int_or_array(b.get(0).unwrap(), "permutation", false)?;
                let ty = match x.ty.array() {
                    Some(at) => c_array(at.dtype, at.ndim as usize),
                    None => c_array(Scalar::I64, 1),
                };
                call(RuntimeFn::RandomPermutation, vec![x], ty, span)
            }
            "random.choice" => {
                let b = self.bind_args(f, &["a", "size", "replace", "p"], args, kwargs, 1, span)?;
                let a = self.int_or_array(b.get(0).unwrap(), "choice", true)?;
                let dtype = a.ty.array().map_or(Scalar::I64, |at| at.dtype);
                let replace = match b.get(2) {
                    None => konst(ConstValue::Bool(true), Type::BOOL, span),
                    Some(r) => {
                        let r = self.expr(r)?;
                        self.truth(r)?
                    }
                };
                let p = match b.get(3) {
                    None => konst(ConstValue::Int(0), Type::Scalar(Scalar::I64), span),
                    Some(e) if matches!(e.kind, HK::Const(Const::None)) => {
                        konst(ConstValue::Int(0), Type::Scalar(Scalar::I64), span)
                    }
                    Some(e) => {
                        let p = self.need_array(e, "choice's p")?;
                        let pt = p.ty.array().unwrap();
                        if pt.ndim != 1 || pt.dtype.kind() != Kind::Float {
                            return Err(error(
                                Code::BadCall,
                                e.span,
                                format!("p must be a 1-d float array, not {}", p.ty),
                                "pass probabilities as a 1-d float64 array",
                            ));
                        }
                        p
                    }
                };
                let ext = self.size_extents(b.get(1))?;
                // NumPy returns a Python int for an int population.
                let ty = match (ext.is_empty(), a.ty.scalar().is_some()) {
                    (true, true) => Type::INT,
                    (true, false) => Type::Scalar(dtype.strong()),
                    (false, _) => c_array(dtype, ext.len()),
                };
                let mut params = vec![a, cast_scalar(replace, Scalar::I64), p];
                params.extend(ext);
                call(RuntimeFn::RandomChoice, params, ty, span)
            }
            "random.seed" => {
                let b = self.bind_args(f, &["seed"], args, kwargs, 1, span)?;
                let s = self.int_arg(b.get(0).unwrap(), "seed")?;
                call(RuntimeFn::RandomSeed, vec![s], Type::None, span)
            }
            "random.random" | "random.random_sample" | "random.sample" | "random.ranf" => {
                let b = self.bind_args(f, &["size"], args, kwargs, 0, span)?;
                let ext = self.size_extents(b.get(0))?;
                self.random(RuntimeFn::RandomSample, vec![], ext, false, span)
            }
            "random.rand" | "random.randn" => {
                let ext = args
                    .iter()
                    .map(|a| self.int_arg(a, "dimensions"))
                    .collect::<R<Vec<_>>>()?;
                let func = if f == "random.rand" {
                    RuntimeFn::RandomSample
                } else {
                    RuntimeFn::RandomNormal
                };
                self.random(func, vec![], ext, false, span)
            }
            "random.standard_normal" => {
                let b = self.bind_args(f, &["size"], args, kwargs, 0, span)?;
                let ext = self.size_extents(b.get(0))?;
                self.random(RuntimeFn::RandomNormal, vec![], ext, false, span)
            }
            "random.uniform" => {
                let b = self.bind_args(f, &["low", "high", "size"], args, kwargs, 0, span)?;
                let lo = float(self, b.get(0), 0.0)?;
                let hi = float(self, b.get(1), 1.0)?;
                let ext = self.size_extents(b.get(2))?;
                self.random(RuntimeFn::RandomUniform, vec![lo, hi], ext, false, span)
            }
            "random.normal" => {
                let b = self.bind_args(f, &["loc", "scale", "size"], args, kwargs, 0, span)?;
                let loc = float(self, b.get(0), 0.0)?;
                let scale = float(self, b.get(1), 1.0)?;
                let negative = self
                    .oracle
                    .exception(ExcSpec::with_message("ValueError", "scale < 0"));
                let scale = crate::ops::guard(scale, tir::Check::NonNegative, negative);
                let ext = self.size_extents(b.get(2))?;
                let z = self.random(RuntimeFn::RandomNormal, vec![], ext, false, span);
                // loc + scale * z, as NumPy's legacy normal computes it.
                let lin = |ck: &mut Self, mut p: Vec<tir::Expr>| -> R<tir::Expr> {
                    let z = p.pop().unwrap();
                    let s = p.pop().unwrap();
                    let l = p.pop().unwrap();
                    let sz = ck.binary(hir::BinOp::Mul, s, z, span)?;
                    ck.binary(hir::BinOp::Add, l, sz, span)
                };
                if z.ty.array().is_some() {
                    self.elementwise(vec![loc, scale, z], span, lin)?
                } else {
                    let l = cast_scalar(loc, Scalar::PyFloat);
                    let s = cast_scalar(scale, Scalar::PyFloat);
                    lin(self, vec![l, s, z])?
                }
            }
            "random.randint" => {
                let b = self.bind_args(f, &["low", "high", "size"], args, kwargs, 1, span)?;
                let first = self.int_arg(b.get(0).unwrap(), "low")?;
                let (lo, hi) = match b.get(1) {
                    Some(h) if !matches!(h.kind, HK::Const(Const::None)) => {
                        (first, self.int_arg(h, "high")?)
                    }
                    _ => (
                        konst(ConstValue::Int(0), Type::Scalar(Scalar::I64), span),
                        first,
                    ),
                };
                let ext = self.size_extents(b.get(2))?;
                self.random(RuntimeFn::RandomInt, vec![lo, hi], ext, true, span)
            }
            "random.shuffle" => {
                let b = self.bind_args(f, &["x"], args, kwargs, 1, span)?;
                let a = self.need_array(b.get(0).unwrap(), f)?;
                call(RuntimeFn::RandomShuffle, vec![a], Type::None, span)
            }
            _ => return Ok(None),
        }))
    }

    /// The population argument of `random.permutation`/`choice`: an int
    /// (as `int64`) or an array (1-d if `one_d`).
    fn int_or_array(&mut self, e: &hir::Expr, f: &str, one_d: bool) -> R<tir::Expr> {
        let x = self.expr(e)?;
        match x.ty.clone() {
            Type::Array(at) if !one_d || at.ndim == 1 => Ok(x),
            Type::Scalar(s) if s.kind() <= Kind::Int => Ok(cast_scalar(x, Scalar::I64)),
            t => {
                let what = if one_d {
                    "an int or a 1-d array"
                } else {
                    "an int or an array"
                };
                Err(error(
                    Code::BadCall,
                    x.span,
                    format!("{f}() takes {what}, not {t}"),
                    format!("pass {what}"),
                ))
            }
        }
    }

    pub fn sort(&mut self, f: &str, a: tir::Expr, span: Span) -> R<tir::Expr> {
        let at = a.ty.array().unwrap();
        if f == "argsort" {
            if at.ndim != 1 {
                return Err(error(
                    Code::BadCall,
                    span,
                    "argsort of arrays with more than one dimension is not supported yet",
                    "argsort a 1-d array",
                ));
            }
            return Ok(call(
                RuntimeFn::ArgSort,
                vec![a],
                c_array(Scalar::I64, 1),
                span,
            ));
        }
        Ok(call(
            RuntimeFn::Sort,
            vec![a],
            c_array(at.dtype, at.ndim as usize),
            span,
        ))
    }

    pub fn nonzero(&mut self, a: tir::Expr, flat: bool, span: Span) -> R<tir::Expr> {
        let at = a.ty.array().unwrap();
        if flat {
            let minus1 = konst(ConstValue::Int(-1), Type::Scalar(Scalar::I64), span);
            let ravel = tir::Expr::new(
                TK::Reshape {
                    array: Box::new(self.contiguous(a, span)?),
                    shape: vec![minus1],
                },
                c_array(at.dtype, 1),
                span,
            );
            let t = call(
                RuntimeFn::Nonzero,
                vec![ravel],
                Type::Tuple(vec![c_array(Scalar::I64, 1)]),
                span,
            );
            return Ok(tir::Expr::new(
                TK::TupleGet(Box::new(t), 0),
                c_array(Scalar::I64, 1),
                span,
            ));
        }
        Ok(call(
            RuntimeFn::Nonzero,
            vec![a],
            Type::Tuple(vec![c_array(Scalar::I64, 1); at.ndim as usize]),
            span,
        ))
    }

    pub fn scan(
        &mut self,
        f: &str,
        a: tir::Expr,
        axis: Option<&hir::Expr>,
        span: Span,
    ) -> R<tir::Expr> {
        let at = a.ty.array().unwrap();
        let func = if f == "cumsum" {
            RuntimeFn::CumSum
        } else {
            RuntimeFn::CumProd
        };
        let dtype = sum_dtype(at.dtype);
        match axis {
            Some(e) if !matches!(e.kind, HK::Const(Const::None)) => {
                let k = self.axis(e, at.ndim)?;
                let k = konst(ConstValue::Int(k as i64), Type::Scalar(Scalar::I64), span);
                Ok(call(
                    func,
                    vec![a, k],
                    c_array(dtype, at.ndim as usize),
                    span,
                ))
            }
            _ => Ok(call(func, vec![a], c_array(dtype, 1), span)),
        }
    }
}

//! NumPy's array creation functions: new arrays filled by one elementwise
//! loop over an explicit shape (`np.empty` writes nothing).

use super::{Call, Defs, Lowering};
use crate::check::{error, Checker, R};
use crate::expr::{cast_scalar, konst};
use oxjit_diag::Code;
use oxjit_hir::{self as hir, Const, ExprKind as HK};
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK};
use oxjit_types::{Scalar, Type};

/// The fill of `empty`/`zeros`/`ones` (and their `_like` forms).
fn fill_value(f: &str, dtype: Scalar, c: &Call) -> tir::Expr {
    match f {
        "empty" => tir::Expr::new(TK::Uninit, Type::Scalar(dtype), c.span),
        f => konst(ConstValue::Int((f == "ones") as i64), Type::INT, c.span),
    }
}

pub(super) fn define(d: &mut Defs) {
    for f in ["empty", "zeros", "ones"] {
        d.def(format!("numpy.{f}"), "shape, dtype=None")
            .rule(Lowering::Creation, move |ck, c| {
                let shape = ck.shape_arg(c.hir(0).unwrap())?;
                let dtype = ck.dtype_arg(c.hir(1), Scalar::F64)?;
                let v = fill_value(f, dtype, c);
                Ok(ck.filled(shape, vec![], v, dtype, c.span))
            });
        let params = if f == "empty" {
            "prototype, /, dtype=None"
        } else {
            "a, dtype=None"
        };
        d.def(format!("numpy.{f}_like"), params)
            .rule(Lowering::Creation, move |ck, c| {
                let a = c.array(ck, 0)?;
                let dtype = ck.dtype_arg(c.hir(1), a.ty.array().unwrap().dtype)?;
                let shape = ck.dims_of(a);
                let v = fill_value(f, dtype, c);
                Ok(ck.filled(shape, vec![], v, dtype, c.span))
            });
    }
    d.def("numpy.full", "shape, fill_value, dtype=None")
        .rule(Lowering::Creation, |ck, c| {
            let shape = ck.shape_arg(c.hir(0).unwrap())?;
            let v = c.expr(ck, 1)?;
            let Some(vs) = v.ty.scalar() else {
                return Err(error(
                    Code::BadCall,
                    v.span,
                    "the fill value must be a number",
                    "pass a scalar",
                ));
            };
            let dtype = ck.dtype_arg(c.hir(2), vs.strong())?;
            let proxy = tir::Expr::new(TK::ElemInput(0), v.ty.clone(), c.span);
            Ok(ck.filled(shape, vec![v], proxy, dtype, c.span))
        });
    d.def("numpy.full_like", "a, fill_value, dtype=None")
        .rule(Lowering::Creation, |ck, c| {
            let a = c.array(ck, 0)?;
            let dtype = ck.dtype_arg(c.hir(2), a.ty.array().unwrap().dtype)?;
            let shape = ck.dims_of(a);
            let v = c.expr(ck, 1)?;
            let proxy = tir::Expr::new(TK::ElemInput(0), v.ty.clone(), c.span);
            Ok(ck.filled(shape, vec![v], proxy, dtype, c.span))
        });
    d.def(
        "numpy.arange",
        "start_or_stop, /, stop=None, step=1, *, dtype=None",
    )
    .rule(Lowering::Creation, |ck, c| {
        let real = |ck: &mut Checker, c: &mut Call, i| -> R<tir::Expr> {
            let x = c.expr(ck, i)?;
            if x.ty.scalar().is_none_or(|s| s.is_complex()) {
                return Err(error(
                    Code::BadCall,
                    x.span,
                    format!("arange() arguments must be real numbers, not {}", x.ty),
                    "pass numbers",
                ));
            }
            Ok(x)
        };
        let first = real(ck, c, 0)?;
        let (start, stop) = match c.hir(1) {
            None => (None, first),
            Some(_) => (Some(first), real(ck, c, 1)?),
        };
        let step = if c.given(2) {
            Some(real(ck, c, 2)?)
        } else {
            None
        };
        ck.arange(start, stop, step, c.hir(3), c.span)
    });
    d.def("numpy.linspace", "start, stop, num=50, endpoint=True")
        .rule(Lowering::Creation, |ck, c| {
            let start = c.expr(ck, 0)?;
            let stop = c.expr(ck, 1)?;
            let num = ck.int_arg(c.hir(2).unwrap(), "num")?;
            let endpoint = const_bool(c.hir(3).unwrap(), "endpoint")?;
            ck.linspace(start, stop, num, endpoint, c.span)
        });
    d.def("numpy.eye", "N, M=None, k=0, dtype=None")
        .rule(Lowering::Creation, |ck, c| {
            let n = ck.int_arg(c.hir(0).unwrap(), "N")?;
            let [n1, n2] = <[tir::Expr; 2]>::try_from(ck.shared(n, 2)).unwrap();
            let m = match c.hir(1) {
                Some(m) => ck.int_arg(m, "M")?,
                None => n2,
            };
            let k = ck.const_arg(c.hir(2).unwrap(), "k")?;
            let dtype = ck.dtype_arg(c.hir(3), Scalar::F64)?;
            Ok(diagonal(ck, vec![n1, m], k, dtype, c))
        });
    d.def("numpy.identity", "n, dtype=None")
        .rule(Lowering::Creation, |ck, c| {
            let n = ck.int_arg(c.hir(0).unwrap(), "n")?;
            let shape = ck.shared(n, 2);
            let dtype = ck.dtype_arg(c.hir(1), Scalar::F64)?;
            Ok(diagonal(ck, shape, 0, dtype, c))
        });
    for (f, params) in [
        ("array", "object, dtype=None"),
        ("asarray", "a, dtype=None"),
        ("ascontiguousarray", "a, dtype=None"),
        ("copy", "a, order='K'"),
    ] {
        d.def(format!("numpy.{f}"), params)
            .rule(Lowering::Creation, move |ck, c| {
                let dtype = if f == "copy" {
                    super::shape::check_order(c, 1, &["C", "K", "A"])?;
                    None
                } else {
                    c.hir(1).cloned()
                };
                let obj = c.hir(0).unwrap();
                if let HK::List(_) | HK::Tuple(_) = obj.kind {
                    return ck.array_literal(obj, dtype.as_ref(), c.span);
                }
                let a = c.expr(ck, 0)?;
                let Some(at) = a.ty.array() else {
                    return Err(error(
                        Code::BadCall,
                        a.span,
                        format!("{}() of {} is not supported", c.name, a.ty),
                        "pass a list, a tuple or an array",
                    ));
                };
                let dtype = ck.dtype_arg(dtype.as_ref(), at.dtype)?;
                if f == "asarray" && dtype == at.dtype {
                    Ok(a)
                } else if f == "ascontiguousarray" && dtype == at.dtype {
                    ck.contiguous(a, c.span)
                } else {
                    ck.astype(a, dtype, c.span)
                }
            });
    }
}

/// A constant `True`/`False` argument.
pub(super) fn const_bool(e: &hir::Expr, what: &str) -> R<bool> {
    match e.kind {
        HK::Const(Const::Bool(v)) => Ok(v),
        _ => Err(error(
            Code::BadCall,
            e.span,
            format!("{what} must be a constant True or False"),
            "write it literally",
        )),
    }
}

/// An array of `shape` with ones on the `k`-th diagonal.
fn diagonal(ck: &mut Checker, shape: Vec<tir::Expr>, k: i64, dtype: Scalar, c: &Call) -> tir::Expr {
    let span = c.span;
    let int = Type::Scalar(Scalar::I64);
    let idx = |d| tir::Expr::new(TK::ElemIndex(d), int.clone(), span);
    let diff = tir::Expr::new(
        TK::Binary(tir::BinOp::Sub, Box::new(idx(1)), Box::new(idx(0))),
        int.clone(),
        span,
    );
    let on = tir::Expr::new(
        TK::Compare(
            tir::CmpOp::Eq,
            Box::new(diff),
            Box::new(konst(ConstValue::Int(k), int.clone(), span)),
        ),
        Type::BOOL,
        span,
    );
    ck.filled(shape, vec![], on, dtype, span)
}

impl Checker<'_> {
    /// `a` converted elementwise to `dtype` (a new array).
    pub(crate) fn astype(
        &mut self,
        a: tir::Expr,
        dtype: Scalar,
        span: oxjit_diag::Span,
    ) -> R<tir::Expr> {
        self.elementwise(vec![a], span, |_, mut p| {
            Ok(cast_scalar(p.remove(0), dtype))
        })
    }
}

//! Functions that combine elements: reductions (`sum` ... `any`), scans
//! (`cumsum`), sorting and searching (`sort`, `argsort`, `nonzero`,
//! `where`), products (`dot`, `matmul`) and NumPy's elementwise extrema.

use super::{Defs, Lowering};
use crate::arrays::is_arrayish;
use crate::check::{error, R};
use crate::expr::cast_scalar;
use oxjit_diag::Code;
use oxjit_tir::{self as tir, ExprKind as TK, ReduceOp};
use oxjit_types::Type;

pub(super) fn define(d: &mut Defs) {
    use ReduceOp::*;
    for (f, op, alias) in [
        ("sum", Sum, None),
        ("prod", Prod, None),
        ("min", Min, Some("amin")),
        ("max", Max, Some("amax")),
        ("mean", Mean, None),
        ("var", Var, None),
        ("std", Std, None),
        ("argmin", ArgMin, None),
        ("argmax", ArgMax, None),
        ("all", All, None),
        ("any", Any, None),
    ] {
        let moments = matches!(op, Var | Std);
        let params = if moments {
            "a, axis=None, *, ddof=0"
        } else {
            "a, axis=None"
        };
        let mut def = d.def(format!("numpy.{f}"), params).method();
        if let Some(a) = alias {
            def = def.alias(format!("numpy.{a}"));
        }
        def.rule(Lowering::Reduction, move |ck, c| {
            let a = c.array(ck, 0)?;
            let ddof = if moments && c.given(2) {
                c.hir(2)
            } else {
                None
            };
            ck.reduce(op, a, c.hir(1), ddof, c.span)
        });
    }
    for f in ["cumsum", "cumprod"] {
        d.def(format!("numpy.{f}"), "a, axis=None").method().rule(
            Lowering::Runtime,
            move |ck, c| {
                let a = c.array(ck, 0)?;
                ck.scan(f, a, c.hir(1), c.span)
            },
        );
    }
    d.def("numpy.sort", "a").rule(Lowering::Runtime, |ck, c| {
        let a = c.array(ck, 0)?;
        ck.sort("sort", a, c.span)
    });
    d.def("ndarray.sort", "self, /")
        .rule(Lowering::Runtime, |ck, c| {
            let a = c.expr(ck, 0)?;
            let [out, src] = <[tir::Expr; 2]>::try_from(ck.shared(a, 2)).unwrap();
            let sorted = ck.sort("sort", src, c.span)?;
            ck.assign_into(out, sorted, c.span)
        });
    d.def("numpy.argsort", "a")
        .method()
        .rule(Lowering::Runtime, |ck, c| {
            let a = c.array(ck, 0)?;
            ck.sort("argsort", a, c.span)
        });
    for (f, flat) in [("nonzero", false), ("flatnonzero", true)] {
        let def = d.def(format!("numpy.{f}"), "a");
        let def = if flat { def } else { def.method() };
        def.rule(Lowering::Runtime, move |ck, c| {
            let a = c.array(ck, 0)?;
            ck.nonzero(a, flat, c.span)
        });
    }
    d.def("numpy.where", "condition, x=None, y=None, /")
        .rule(Lowering::Elementwise, |ck, c| {
            if !c.given(1) && !c.given(2) {
                let a = c.array(ck, 0)?;
                return ck.nonzero(a, false, c.span);
            }
            if !(c.given(1) && c.given(2)) {
                return Err(error(
                    Code::BadCall,
                    c.span,
                    "np.where() takes either one or three arguments",
                    "pass the condition and both values",
                ));
            }
            let xs = (0..3).map(|i| c.expr(ck, i)).collect::<R<Vec<_>>>()?;
            if !xs.iter().any(is_arrayish) {
                return Err(error(
                    Code::BadCall,
                    c.span,
                    "np.where() of three scalars is not supported",
                    "use a conditional expression: x if condition else y",
                ));
            }
            let span = c.span;
            ck.elementwise(xs, span, |ck, mut p| {
                let y = p.pop().unwrap();
                let x = p.pop().unwrap();
                let cond = ck.truth(p.pop().unwrap())?;
                let t = oxjit_types::common_scalar(x.ty.scalar().unwrap(), y.ty.scalar().unwrap())
                    .strong();
                Ok(tir::Expr::new(
                    TK::IfExp(
                        Box::new(cond),
                        Box::new(cast_scalar(x, t)),
                        Box::new(cast_scalar(y, t)),
                    ),
                    Type::Scalar(t),
                    span,
                ))
            })
        });
    d.def("numpy.dot", "a, b")
        .method()
        .rule(Lowering::Runtime, |ck, c| {
            let x = c.array(ck, 0)?;
            let y = c.array(ck, 1)?;
            ck.dot(x, y, false, c.span)
        });
    d.def("numpy.matmul", "x1, x2, /")
        .rule(Lowering::Runtime, |ck, c| {
            let x = c.array(ck, 0)?;
            let y = c.array(ck, 1)?;
            ck.dot(x, y, true, c.span)
        });
    for (f, max, nan_wins) in [
        ("maximum", true, true),
        ("minimum", false, true),
        ("fmax", true, false),
        ("fmin", false, false),
    ] {
        d.def(format!("numpy.{f}"), "x1, x2, /").ufunc().rule(
            Lowering::Elementwise,
            move |ck, c| {
                let x = c.expr(ck, 0)?;
                let y = c.expr(ck, 1)?;
                let span = c.span;
                if is_arrayish(&x) || is_arrayish(&y) {
                    return ck.elementwise(vec![x, y], span, |ck, mut p| {
                        let y = p.pop().unwrap();
                        let x = p.pop().unwrap();
                        ck.extremum(x, y, max, nan_wins, span)
                    });
                }
                let x = ck.strengthen(x);
                let y = ck.strengthen(y);
                ck.extremum(x, y, max, nan_wins, span)
            },
        );
    }
}

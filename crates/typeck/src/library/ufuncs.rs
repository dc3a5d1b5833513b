//! NumPy's ufunc spellings of Python's operators (`np.add`, `np.less`,
//! `np.invert`, ...) and its logical functions. Each is the operator's
//! typing rule on element proxies, so over arrays it fuses like `a + b`;
//! on numbers it follows NumPy (a NumPy scalar result; division by zero
//! gives inf, nan or 0, not an exception). Each takes `out` (see
//! `Def::ufunc`).

use super::{Call, Defs};
use crate::check::{Checker, R};
use oxjit_hir as hir;
use oxjit_tir as tir;

/// `f` typed with NumPy's scalar rules, the result a NumPy scalar.
fn numpy_scalar(ck: &mut Checker, f: impl FnOnce(&mut Checker) -> R<tir::Expr>) -> R<tir::Expr> {
    ck.elementwise_depth += 1;
    let r = f(ck);
    ck.elementwise_depth -= 1;
    Ok(ck.strengthen(r?))
}

fn two(mut args: Vec<tir::Expr>) -> (tir::Expr, tir::Expr) {
    let b = args.pop().unwrap();
    (args.pop().unwrap(), b)
}

pub(super) fn define(d: &mut Defs) {
    use hir::BinOp::*;
    for (name, op, alias) in [
        ("add", Add, None),
        ("subtract", Sub, None),
        ("multiply", Mul, None),
        ("divide", Div, Some("true_divide")),
        ("floor_divide", FloorDiv, None),
        ("remainder", Mod, Some("mod")),
        ("bitwise_and", BitAnd, None),
        ("bitwise_or", BitOr, None),
        ("bitwise_xor", BitXor, None),
        ("left_shift", LShift, None),
        ("right_shift", RShift, None),
    ] {
        let mut def = d.def(format!("numpy.{name}"), "x1, x2, /").ufunc();
        if let Some(a) = alias {
            def = def.alias(format!("numpy.{a}"));
        }
        def.elementwise(move |ck, c, args| {
            let (a, b) = two(args);
            numpy_scalar(ck, |ck| ck.binary(op, a, b, c.span))
        });
    }
    use hir::CmpOp::*;
    for (name, op) in [
        ("equal", Eq),
        ("not_equal", Ne),
        ("less", Lt),
        ("less_equal", Le),
        ("greater", Gt),
        ("greater_equal", Ge),
    ] {
        d.def(format!("numpy.{name}"), "x1, x2, /")
            .ufunc()
            .elementwise(move |ck, c, args| {
                let (a, b) = two(args);
                numpy_scalar(ck, |ck| ck.compare(op, a, b, c.span))
            });
    }
    use hir::UnaryOp::*;
    for (name, op, alias) in [
        ("negative", Neg, None),
        ("positive", Pos, None),
        ("invert", Invert, Some("bitwise_not")),
    ] {
        let mut def = d.def(format!("numpy.{name}"), "x, /").ufunc();
        if let Some(a) = alias {
            def = def.alias(format!("numpy.{a}"));
        }
        def.elementwise(move |ck, c, mut args| {
            let x = args.remove(0);
            numpy_scalar(ck, |ck| ck.unary(op, x, c.span))
        });
    }
    for (name, op) in [
        ("logical_and", BitAnd),
        ("logical_or", BitOr),
        ("logical_xor", BitXor),
    ] {
        d.def(format!("numpy.{name}"), "x1, x2, /")
            .ufunc()
            .elementwise(move |ck, c, args| logical(ck, c, args, Some(op)));
    }
    d.def("numpy.logical_not", "x, /")
        .ufunc()
        .elementwise(|ck, c, args| logical(ck, c, args, None));
}

/// The truth values of the arguments combined by `op` (`not` of the one
/// argument without one).
fn logical(
    ck: &mut Checker,
    c: &Call,
    args: Vec<tir::Expr>,
    op: Option<hir::BinOp>,
) -> R<tir::Expr> {
    numpy_scalar(ck, |ck| {
        let mut truths = args
            .into_iter()
            .map(|a| ck.truth(a))
            .collect::<R<Vec<_>>>()?;
        match op {
            Some(op) => {
                let (a, b) = two(truths);
                ck.binary(op, a, b, c.span)
            }
            None => ck.unary(hir::UnaryOp::Not, truths.remove(0), c.span),
        }
    })
}

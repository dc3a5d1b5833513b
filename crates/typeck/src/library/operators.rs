//! Python's `operator` module: each function is the operator it names,
//! typed by the operator's own rule (`operator.add(a, b)` is `a + b`, over
//! numbers, tuples and arrays alike). The in-place forms (`iadd`, ...)
//! return the new value as they do for Python's immutable numbers; on
//! arrays, which they would update in place, they are refused.

use super::{Call, Defs, Lowering};
use crate::check::{error, Checker, R};
use oxjit_diag::Code;
use oxjit_hir as hir;
use oxjit_tir as tir;

fn args2(ck: &mut Checker, c: &mut Call) -> R<(tir::Expr, tir::Expr)> {
    Ok((c.expr(ck, 0)?, c.expr(ck, 1)?))
}

pub(super) fn define(d: &mut Defs) {
    use hir::BinOp::*;
    for (name, op) in [
        ("add", Add),
        ("sub", Sub),
        ("mul", Mul),
        ("truediv", Div),
        ("floordiv", FloorDiv),
        ("mod", Mod),
        ("pow", Pow),
        ("matmul", MatMul),
        ("lshift", LShift),
        ("rshift", RShift),
        ("and_", BitAnd),
        ("or_", BitOr),
        ("xor", BitXor),
    ] {
        d.def(format!("operator.{name}"), "a, b, /")
            .rule(Lowering::Inline, move |ck, c| {
                let (a, b) = args2(ck, c)?;
                ck.binary(op, a, b, c.span)
            });
        let iname = format!("i{}", name.trim_end_matches('_'));
        d.def(format!("operator.{iname}"), "a, b, /")
            .rule(Lowering::Inline, move |ck, c| {
                let (a, b) = args2(ck, c)?;
                if a.ty.array().is_some() {
                    return Err(error(
                        Code::BadCall,
                        c.span,
                        format!("{}() of an array updates it in place, which compiled code does not do through the operator module", c.name),
                        "write the augmented assignment, e.g. a += b",
                    ));
                }
                ck.binary(op, a, b, c.span)
            });
    }
    use hir::CmpOp::*;
    for (name, op) in [
        ("eq", Eq),
        ("ne", Ne),
        ("lt", Lt),
        ("le", Le),
        ("gt", Gt),
        ("ge", Ge),
        ("is_", Is),
        ("is_not", IsNot),
    ] {
        d.def(format!("operator.{name}"), "a, b, /")
            .rule(Lowering::Inline, move |ck, c| {
                let (a, b) = args2(ck, c)?;
                ck.compare(op, a, b, c.span)
            });
    }
    // `contains(a, b)` is `b in a`.
    d.def("operator.contains", "a, b, /")
        .rule(Lowering::Inline, |ck, c| {
            let (a, b) = args2(ck, c)?;
            ck.compare(In, b, a, c.span)
        });
    use hir::UnaryOp::*;
    for (name, op) in [
        ("neg", Neg),
        ("pos", Pos),
        ("invert", Invert),
        ("not_", Not),
    ] {
        let def = d.def(format!("operator.{name}"), "a, /");
        let def = if name == "invert" {
            def.alias("operator.inv")
        } else {
            def
        };
        def.rule(Lowering::Inline, move |ck, c| {
            let x = c.expr(ck, 0)?;
            ck.unary(op, x, c.span)
        });
    }
    d.def("operator.truth", "a, /")
        .rule(Lowering::Inline, |ck, c| {
            let x = c.expr(ck, 0)?;
            ck.truth(x)
        });
}

//! Python's builtin functions on numbers and tuples, and oxjit's own
//! (`prange`, the thread queries).

use super::{Call, Defs, Lowering};
use crate::check::{error, Checker, R};
use crate::comprehensions::{Fold, FoldArgs, Iterable};
use crate::expr::{cast_scalar, konst};
use crate::iteration::looped;
use crate::runtime_fns::call;
use oxjit_diag::Code;
use oxjit_hir as hir;
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK, Intrinsic, RuntimeFn};
use oxjit_types::{Kind, Scalar, Type};

fn call_expr(op: Intrinsic, args: Vec<tir::Expr>, ty: Scalar, c: &Call) -> tir::Expr {
    tir::Expr::new(TK::Call(op, args), Type::Scalar(ty), c.span)
}

/// `sum`'s start argument.
fn start<'a>(c: &'a Call) -> FoldArgs<'a> {
    FoldArgs {
        start: c.hir(1),
        ..FoldArgs::default()
    }
}

pub(super) fn define(d: &mut Defs) {
    for (f, fold) in [("min", Fold::Min), ("max", Fold::Max)] {
        d.def(format!("builtins.{f}"), "*args, key=None, default=None")
            .rule(Lowering::Inline, move |ck, c| {
                if c.hir(0).is_some() || c.given(1) {
                    // By key, or with a default: a loop over the iterable
                    // (or over the arguments).
                    let args = FoldArgs {
                        key: c.hir(0),
                        default: c.given(1).then(|| c.hir(1)).flatten(),
                        ..FoldArgs::default()
                    };
                    let many = hir::Expr {
                        kind: hir::ExprKind::Tuple(c.rest.to_vec()),
                        span: c.span,
                    };
                    let iter = match c.rest {
                        [one] => one,
                        _ => &many,
                    };
                    return ck.fold(fold, Iterable::Hir(iter), args, c.span);
                }
                if let [one] = c.rest {
                    // One iterable: its items (lists and tuples read in place).
                    if looped(one) {
                        return ck.fold(fold, Iterable::Hir(one), FoldArgs::default(), c.span);
                    }
                    let x = ck.expr(one)?;
                    if !matches!(x.ty, Type::List(_) | Type::Tuple(_) | Type::Scalar(_)) {
                        return ck.fold(fold, Iterable::Typed(x), FoldArgs::default(), c.span);
                    }
                    return ck.min_max(f, vec![x], c.span);
                }
                let args = c.rest.iter().map(|a| ck.expr(a)).collect::<R<Vec<_>>>()?;
                ck.min_max(f, args, c.span)
            });
    }
    for (f, fold) in [("any", Fold::Any), ("all", Fold::All)] {
        d.def(format!("builtins.{f}"), "iterable, /")
            .rule(Lowering::Inline, move |ck, c| {
                let h = c.hir(0).unwrap();
                if looped(h) {
                    return ck.fold(fold, Iterable::Hir(h), FoldArgs::default(), c.span);
                }
                let x = ck.expr(h)?;
                if let Type::Tuple(_) = x.ty {
                    // Each item's truth, left to right, until one decides.
                    let any = fold == Fold::Any;
                    let b = |v| konst(ConstValue::Bool(v), Type::BOOL, c.span);
                    let mut acc = b(!any);
                    for item in ck.tuple_items(x).into_iter().rev() {
                        let t = Box::new(ck.truth(item)?);
                        let (yes, no) = if any { (b(true), acc) } else { (acc, b(false)) };
                        acc = tir::Expr::new(
                            TK::IfExp(t, Box::new(yes), Box::new(no)),
                            Type::BOOL,
                            c.span,
                        );
                    }
                    return Ok(acc);
                }
                ck.fold(fold, Iterable::Typed(x), FoldArgs::default(), c.span)
            });
    }
    // `int(s, base)` and `float(s)` parse a str as Python does.
    for (f, to, params) in [
        ("int", Scalar::PyInt, "x=0, /, base=10"),
        ("float", Scalar::PyFloat, "x=0, /"),
    ] {
        d.def(format!("builtins.{f}"), params)
            .rule(Lowering::Inline, move |ck, c| {
                let x = c.expr(ck, 0)?;
                if x.ty == Type::Str {
                    return Ok(if to == Scalar::PyInt {
                        let base = c.expr(ck, 1)?;
                        let base = ck.int_index(base)?;
                        call(RuntimeFn::StrToInt, vec![x, base], Type::INT, c.span)
                    } else {
                        call(RuntimeFn::StrToFloat, vec![x], Type::FLOAT, c.span)
                    });
                }
                if to == Scalar::PyInt && c.given(1) {
                    return Err(error(
                        Code::BadCall,
                        c.span,
                        "int() can't convert non-string with explicit base",
                        "pass a base only with a str",
                    ));
                }
                ck.scalar_arg(&c.name, &x, false)?;
                Ok(cast_scalar(x, to))
            });
    }
    d.def("builtins.bool", "x=False, /")
        .rule(Lowering::Inline, |ck, c| {
            let x = c.expr(ck, 0)?;
            ck.truth(x)
        });
    d.def("builtins.complex", "real=0.0, imag=0.0")
        .rule(Lowering::Inline, complex);
    d.def("builtins.round", "number, ndigits=None")
        .rule(Lowering::Inline, round);
    d.def("builtins.len", "obj, /")
        .rule(Lowering::Inline, |ck, c| {
            let x = c.expr(ck, 0)?;
            match &x.ty {
                Type::Range => Ok(ck.range_len_of(x, c.span)),
                Type::Array(_) => Ok(call_expr(Intrinsic::Dim(0), vec![x], Scalar::PyInt, c)),
                Type::List(_) | Type::Dict(..) | Type::Set(_) | Type::Str => {
                    Ok(ck.list_len(x, c.span))
                }
                Type::Tuple(items) => Ok(konst(
                    ConstValue::Int(items.len() as i64),
                    Type::INT,
                    c.span,
                )),
                t => Err(error(
                    Code::BadCall,
                    x.span,
                    format!("object of type {t} has no len()"),
                    "len() applies to arrays, lists, dicts, sets, strs and tuples",
                )),
            }
        });
    // Loop iterables only (`iteration`): as values they would need an
    // iterator object.
    for (f, params) in [
        ("enumerate", "iterable, start=0"),
        ("zip", "*iterables"),
        ("reversed", "sequence, /"),
    ] {
        d.def(format!("builtins.{f}"), params)
            .rule(Lowering::Inline, move |_, c| {
                Err(error(
                    Code::BadCall,
                    c.span,
                    format!("{f}() can only be looped over in compiled code"),
                    format!(
                        "use it as the iterable of a for loop or comprehension: for x in {f}(...)"
                    ),
                ))
            });
    }
    d.def("builtins.sum", "iterable, /, start=0")
        .rule(Lowering::Inline, |ck, c| {
            let h = c.hir(0).unwrap();
            if looped(h) {
                return ck.fold(Fold::Sum, Iterable::Hir(h), start(c), c.span);
            }
            let seq = ck.expr(h)?;
            if !matches!(seq.ty, Type::List(_) | Type::Tuple(_) | Type::Array(_)) {
                return ck.fold(Fold::Sum, Iterable::Typed(seq), start(c), c.span);
            }
            let start = c.expr(ck, 1)?;
            if let Type::Tuple(_) = seq.ty {
                let mut acc = start;
                for x in ck.tuple_items(seq) {
                    acc = ck.binary(hir::BinOp::Add, acc, x, c.span)?;
                }
                return Ok(acc);
            }
            ck.sum_items(seq, start, c.span)
        });
    d.def("builtins.tuple", "iterable=(), /")
        .rule(Lowering::Inline, |ck, c| {
            let what = match c.hir(0) {
                Some(h) if looped(h) => {
                    if let Some(t) = ck.tuple_of(h)? {
                        return Ok(t);
                    }
                    "generator or range".to_string()
                }
                Some(h) => {
                    let x = ck.expr(h)?;
                    if let Type::Tuple(_) = x.ty {
                        return Ok(x);
                    }
                    x.ty.to_string()
                }
                None => return Ok(tir::Expr::new(TK::Tuple(vec![]), Type::Tuple(vec![]), c.span)),
            };
            Err(error(
                Code::BadCall,
                c.span,
                format!("tuple() of this {what} is not supported: a tuple's length and item types are part of its type, fixed at compile time"),
                "tuple() takes a tuple, a range(...) of constant bounds, or a generator with no `if` over either (a tuple of one item type); otherwise use a list",
            ))
        });
    d.def("builtins.pow", "base, exp")
        .rule(Lowering::Inline, |ck, c| {
            let a = c.expr(ck, 0)?;
            let b = c.expr(ck, 1)?;
            ck.binary(hir::BinOp::Pow, a, b, c.span)
        });
    d.def("builtins.divmod", "x, y, /")
        .rule(Lowering::Inline, |ck, c| {
            let a = c.expr(ck, 0)?;
            let b = c.expr(ck, 1)?;
            let a = ck.twice(a);
            let b = ck.twice(b);
            let q = ck.binary(hir::BinOp::FloorDiv, a.0, b.0, c.span)?;
            let r = ck.binary(hir::BinOp::Mod, a.1, b.1, c.span)?;
            let ty = Type::Tuple(vec![q.ty.clone(), r.ty.clone()]);
            Ok(tir::Expr::new(TK::Tuple(vec![q, r]), ty, c.span))
        });
    for (f, which) in [
        ("get_thread_id", Intrinsic::ThreadId),
        ("get_num_threads", Intrinsic::NumThreads),
    ] {
        d.def(format!("oxjit.{f}"), "")
            .rule(Lowering::Inline, move |_, c| {
                Ok(tir::Expr::new(TK::Call(which, vec![]), Type::INT, c.span))
            });
    }
    d.def("builtins.range", "*args")
        .rule(Lowering::Inline, |ck, c| ck.range_value(c.rest, c.span));
    // `for x in literal_unroll(t)` unrolls (`Checker::for_loop`); anywhere
    // else it is its argument.
    d.def("oxjit.literal_unroll", "container")
        .rule(Lowering::Inline, |ck, c| c.expr_opt(ck, 0));
    d.def("oxjit.prange", "*args")
        .rule(Lowering::Inline, |_, c| {
            Err(error(
                Code::BadCall,
                c.span,
                "prange() can only be used as the iterable of a for loop",
                "write `for i in prange(...)`",
            ))
        });
    d.def("builtins.print", "*args")
        .rule(Lowering::Inline, |_, c| {
            Err(error(
                Code::BadCall,
                c.span,
                "print() is not supported in compiled code",
                "return the values and print them from Python",
            ))
        });
}

fn complex(ck: &mut Checker, c: &mut Call) -> R<tir::Expr> {
    let re = c.expr(ck, 0)?;
    if !c.given(1) && re.ty.scalar().is_some_and(Scalar::is_complex) {
        return Ok(cast_scalar(re, Scalar::PyComplex));
    }
    let im = c.expr(ck, 1)?;
    for a in [&re, &im] {
        ck.scalar_arg(&c.name, a, false)?;
    }
    Ok(call_expr(
        Intrinsic::MakeComplex,
        vec![
            cast_scalar(re, Scalar::PyFloat),
            cast_scalar(im, Scalar::PyFloat),
        ],
        Scalar::PyComplex,
        c,
    ))
}

fn round(ck: &mut Checker, c: &mut Call) -> R<tir::Expr> {
    let x = c.expr(ck, 0)?;
    let s = ck.scalar_arg(&c.name, &x, false)?;
    let Some(n) = c.opt(ck, 1)? else {
        if s.kind() <= Kind::Int {
            return Ok(cast_scalar(x, Scalar::PyInt));
        }
        let r = call_expr(Intrinsic::RoundEven, vec![x], s, c);
        return Ok(cast_scalar(r, Scalar::PyInt));
    };
    if !n.ty.is_int() {
        return Err(error(
            Code::BadCall,
            n.span,
            format!("round() ndigits must be an integer, not {}", n.ty),
            "pass an int",
        ));
    }
    let n = cast_scalar(n, Scalar::I64);
    if s.kind() <= Kind::Int {
        let r = call_expr(
            Intrinsic::RoundDigits,
            vec![cast_scalar(x, Scalar::I64), n],
            Scalar::I64,
            c,
        );
        return Ok(cast_scalar(
            r,
            if s == Scalar::Bool { Scalar::PyInt } else { s },
        ));
    }
    Ok(call_expr(Intrinsic::RoundDigits, vec![x, n], s, c))
}

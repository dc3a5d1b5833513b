//! The methods of sets (paths `set.*`) and the builtin `set`. Between two
//! sets every operation is one runtime call (`RuntimeFn::Set*`) that
//! follows CPython's algorithm, so the result iterates in Python's order;
//! another iterable is walked item by item as Python walks it (`update`,
//! `union` and `intersection` add in its order), or made a set first
//! where only membership matters.

use super::{Call, Defs, Lowering};
use crate::check::{error, Checker, R};
use crate::comprehensions::{at, ex, if_, method_call, Iterable};
use crate::expr::konst;
use crate::iteration::looped;
use crate::runtime_fns::call;
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, CompKind, ExprKind as HK, StmtKind as HS};
use oxjit_tir::{self as tir, ConstValue, RuntimeFn};
use oxjit_types::Type;

fn none(f: RuntimeFn, args: Vec<tir::Expr>, c: &Call) -> tir::Expr {
    call(f, args, Type::None, c.span)
}

fn code(v: i64, span: Span) -> tir::Expr {
    konst(ConstValue::Int(v), Type::I64, span)
}

/// The receiver and item argument 1, converted to the item type (which an
/// empty `set()` made here takes from it).
fn set_and_item(ck: &mut Checker, c: &mut Call) -> R<[tir::Expr; 2]> {
    let s = c.expr(ck, 0)?;
    let x = c.expr(ck, 1)?;
    let x = ck.set_and_item(&s, x, c.span)?;
    Ok([s, x])
}

/// An argument that is a set already, or the set of its items.
fn as_set(ck: &mut Checker, other: &hir::Expr) -> R<tir::Expr> {
    let v = ck.expr(other)?;
    if v.ty.set_item().is_some() {
        return Ok(v);
    }
    ck.container_of(CompKind::Set, Iterable::Typed(v), other.span)
}

/// The operator code of a set method (`SetOp`, `SetOpUpdate`).
fn op_of(method: &str) -> i64 {
    match method {
        "union" | "update" => 0,
        "intersection" | "intersection_update" => 1,
        "difference" | "difference_update" => 2,
        _ => 3,
    }
}

/// `s op= other` for one argument of a method: sets by the runtime's
/// operation; for other iterables, `update` adds each item in its order,
/// `intersection_update` keeps the items it holds, the others need only
/// its items as a set.
fn update_with(ck: &mut Checker, s: &tir::Expr, op: i64, other: &hir::Expr, span: Span) -> R<()> {
    let v = ck.expr(other)?;
    let stmt = |e| tir::Stmt {
        kind: tir::StmtKind::Expr(e),
        span,
    };
    let v = match op {
        0 | 1 if v.ty.set_item().is_none() => {
            if op == 0 {
                let name = ck.stash(s.clone());
                return ck.for_each_item(Iterable::Typed(v), span, |x| {
                    vec![at(HS::Expr(method_call(name, "add", vec![x], span)), span)]
                });
            }
            // Python builds the intersection in a new table and takes it.
            let kept = intersection_of(ck, s, v, span)?;
            let e = call(
                RuntimeFn::SetOpUpdate,
                vec![s.clone(), kept, code(4, span)],
                Type::None,
                span,
            );
            ck.prelude.push(stmt(e));
            return Ok(());
        }
        _ if v.ty.set_item().is_none() => {
            ck.container_of(CompKind::Set, Iterable::Typed(v), other.span)?
        }
        _ => v,
    };
    let e = ck.set_update(hir_op(op), s.clone(), v, span)?;
    ck.prelude.push(stmt(e));
    Ok(())
}

fn hir_op(op: i64) -> hir::BinOp {
    [
        hir::BinOp::BitOr,
        hir::BinOp::BitAnd,
        hir::BinOp::Sub,
        hir::BinOp::BitXor,
    ][op as usize]
}

/// A new set of the items of iterable `v` that `s` holds, added in `v`'s
/// order (Python's `intersection` with a non-set).
fn intersection_of(ck: &mut Checker, s: &tir::Expr, v: tir::Expr, span: Span) -> R<tir::Expr> {
    let item = s.ty.set_item().cloned().unwrap();
    let empty = ck.set_literal(vec![], item, false, span);
    let result = ck.stash(empty);
    let holder = ck.stash(s.clone());
    let out = result.clone();
    ck.for_each_item(Iterable::Typed(v), span, |x| {
        let held = ex(
            HK::Compare(Box::new(x.clone()), vec![(hir::CmpOp::In, holder)]),
            span,
        );
        let add = at(HS::Expr(method_call(out, "add", vec![x], span)), span);
        vec![if_(held, vec![add], vec![], span)]
    })?;
    ck.expr(&result)
}

/// Whether method `m` takes one `other` (the symmetric difference), not
/// `*others`.
fn takes_one(m: &str) -> bool {
    m.starts_with("symmetric_difference")
}

fn params(m: &str) -> &'static str {
    if takes_one(m) {
        "self, other, /"
    } else {
        "self, /, *others"
    }
}

/// The iterables a call of method `m` passes.
fn others(c: &Call, m: &str) -> Vec<hir::Expr> {
    match takes_one(m) {
        true => c.hir(1).into_iter().cloned().collect(),
        false => c.rest.to_vec(),
    }
}

pub(super) fn define(d: &mut Defs) {
    for (m, f) in [
        ("add", RuntimeFn::SetAdd),
        ("discard", RuntimeFn::SetDiscard),
        ("remove", RuntimeFn::SetRemove),
    ] {
        d.def(format!("set.{m}"), "self, elem, /")
            .rule(Lowering::Runtime, move |ck, c| {
                let args = set_and_item(ck, c)?;
                Ok(none(f, args.into(), c))
            });
    }
    d.def("set.pop", "self, /")
        .rule(Lowering::Runtime, |ck, c| {
            let s = c.expr(ck, 0)?;
            let item = s.ty.set_item().cloned().unwrap();
            Ok(call(RuntimeFn::SetPop, vec![s], item, c.span))
        });
    d.def("set.clear", "self, /")
        .rule(Lowering::Runtime, |ck, c| {
            let s = c.expr(ck, 0)?;
            Ok(none(RuntimeFn::SetClear, vec![s], c))
        });
    d.def("set.copy", "self, /")
        .rule(Lowering::Runtime, |ck, c| {
            let s = c.expr(ck, 0)?;
            let ty = s.ty.clone();
            Ok(call(RuntimeFn::SetCopy, vec![s], ty, c.span))
        });
    // In place, with any number of iterables.
    for m in [
        "update",
        "intersection_update",
        "difference_update",
        "symmetric_difference_update",
    ] {
        d.def(format!("set.{m}"), params(m))
            .rule(Lowering::Runtime, move |ck, c| {
                let s = c.expr(ck, 0)?;
                let s = ck.once_in_prelude(s);
                let others = others(c, m);
                for o in &others {
                    update_with(ck, &s, op_of(m), o, c.span)?;
                }
                Ok(konst(ConstValue::Unit, Type::None, c.span))
            });
    }
    // New sets: the receiver's operation with the first argument, then
    // the rest applied in place (Python's `set.union(a, b, c)`).
    for m in [
        "union",
        "intersection",
        "difference",
        "symmetric_difference",
    ] {
        d.def(format!("set.{m}"), params(m))
            .rule(Lowering::Runtime, move |ck, c| {
                let s = c.expr(ck, 0)?;
                let others = others(c, m);
                let op = op_of(m);
                let Some((first, rest)) = others.split_first() else {
                    let ty = s.ty.clone();
                    return Ok(call(RuntimeFn::SetCopy, vec![s], ty, c.span));
                };
                let v = ck.expr(first)?;
                let result = match (op, v.ty.set_item().is_some()) {
                    (_, true) => ck.set_binary(hir_op(op), s, v, c.span)?.unwrap(),
                    (0, false) => {
                        let ty = s.ty.clone();
                        let copy = call(RuntimeFn::SetCopy, vec![s], ty, c.span);
                        let copy = ck.once_in_prelude(copy);
                        let name = ck.stash(copy.clone());
                        ck.for_each_item(Iterable::Typed(v), c.span, |x| {
                            vec![at(
                                HS::Expr(method_call(name, "add", vec![x], c.span)),
                                c.span,
                            )]
                        })?;
                        copy
                    }
                    (1, false) => intersection_of(ck, &s, v, c.span)?,
                    (_, false) => {
                        let other = ck.container_of(CompKind::Set, Iterable::Typed(v), c.span)?;
                        ck.set_binary(hir_op(op), s, other, c.span)?.unwrap()
                    }
                };
                let result = ck.once_in_prelude(result);
                for o in rest {
                    update_with(ck, &result, op, o, c.span)?;
                }
                Ok(result)
            });
    }
    for (m, op, swap) in [
        ("issubset", 1, false),
        ("issuperset", 1, true),
        ("isdisjoint", 3, false),
    ] {
        d.def(format!("set.{m}"), "self, other, /")
            .rule(Lowering::Runtime, move |ck, c| {
                let s = c.expr(ck, 0)?;
                let other = as_set(ck, c.hir(1).unwrap())?;
                if s.ty.set_item().map(|t| t.repr()) != other.ty.set_item().map(|t| t.repr()) {
                    return Err(error(
                        Code::BadOperand,
                        c.span,
                        format!("cannot compare a {} with a {}", s.ty, other.ty),
                        "compare sets of one item type",
                    ));
                }
                let (a, b) = if swap { (other, s) } else { (s, other) };
                Ok(call(
                    RuntimeFn::SetCompare,
                    vec![a, b, code(op, c.span)],
                    Type::BOOL,
                    c.span,
                ))
            });
    }
    d.def("builtins.set", "iterable=(), /")
        .rule(Lowering::Runtime, |ck, c| {
            let Some(h) = c.hir(0).filter(|_| c.given(0)) else {
                return Ok(ck.set_literal(vec![], Type::Undefined, false, c.span));
            };
            if looped(h) {
                return ck.container_of(CompKind::Set, Iterable::Hir(h), c.span);
            }
            let v = ck.expr(h)?;
            if v.ty.set_item().is_some() {
                let ty = v.ty.clone();
                return Ok(call(RuntimeFn::SetCopy, vec![v], ty, c.span));
            }
            ck.container_of(CompKind::Set, Iterable::Typed(v), c.span)
        });
}

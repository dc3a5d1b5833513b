//! The methods of lists (paths `list.*`) and the builtins that make lists
//! (`list`, `sorted`). Operations that change a list's length are runtime
//! calls (`RuntimeFn::List*`); a method that puts an item in a list made
//! in this function may widen its item type (`Checker::widen_list`).

use super::{Call, Defs, Lowering};
use crate::check::{error, range_call, Checker, R};
use crate::expr::konst;
use crate::iteration::{looped, sequence_builtin, Seq};
use crate::runtime_fns::call;
use oxjit_diag::{Code, Span};
use oxjit_hir as hir;
use oxjit_tir::{self as tir, ConstValue, RuntimeFn};
use oxjit_types::Type;

/// The receiver and an item argument `i` converted to the item type the
/// list takes for it.
fn list_and_item(ck: &mut Checker, c: &mut Call, i: usize) -> R<(tir::Expr, tir::Expr)> {
    let l = c.expr(ck, 0)?;
    let x = c.expr(ck, i)?;
    let item = ck.widen_list(&l, &x.ty, c.span)?;
    let x = ck.list_item_value(x, &item)?;
    Ok((l, x))
}

fn none(f: RuntimeFn, args: Vec<tir::Expr>, c: &Call) -> tir::Expr {
    call(f, args, Type::None, c.span)
}

/// An `int64` argument, or `i64::MIN` for None (absent).
pub(super) fn bound(ck: &mut Checker, c: &mut Call, i: usize) -> R<tir::Expr> {
    match c.opt(ck, i)? {
        Some(x) => ck.int_index(x),
        None => Ok(konst(ConstValue::Int(i64::MIN), Type::I64, c.span)),
    }
}

/// A new list of what a loop over `h` visits (`range(...)`,
/// `enumerate(...)`, `zip(...)`, `reversed(...)`, a generator expression);
/// `None` for any other expression.
fn looped_list(ck: &mut Checker, h: &hir::Expr, span: Span) -> R<Option<tir::Expr>> {
    if !looped(h) {
        return Ok(None);
    }
    if range_call(h).is_none() && sequence_builtin(h).is_none() {
        // A generator expression, built as a new list.
        return ck.expr(h).map(Some);
    }
    let seq = ck.seq_in_prelude(h)?;
    ck.list_from_seq(&seq, span).map(Some)
}

/// A list argument `i` (any iterable, as a list of its items).
fn list_arg(ck: &mut Checker, c: &mut Call, i: usize) -> R<tir::Expr> {
    if let Some(l) = c
        .hir(i)
        .map(|h| looped_list(ck, h, c.span))
        .transpose()?
        .flatten()
    {
        return Ok(l);
    }
    let x = c.expr(ck, i)?;
    // A dict stands for its keys, as when Python iterates it.
    let x = match x.ty {
        Type::Dict(..) => ck.dict_list(x, 0, c.span),
        Type::Set(_) => set_list(x, c.span),
        // A str stands for its characters, a range for its numbers.
        Type::Str => {
            let s = ck.once_in_prelude(x);
            ck.list_from_seq(&Seq::Str(s), c.span)?
        }
        Type::Range => {
            let r = ck.once_in_prelude(x);
            let seq = ck.range_seq(r);
            ck.list_from_seq(&seq, c.span)?
        }
        _ => x,
    };
    if x.ty.list_item().is_none() {
        return Err(error(
            Code::BadCall,
            x.span,
            format!("{}() needs a list here, not {}", c.name, x.ty),
            "pass a list (a tuple or array can become one with a comprehension)",
        ));
    }
    Ok(x)
}

/// A new list of a set's items, in its iteration order.
fn set_list(s: tir::Expr, span: oxjit_diag::Span) -> tir::Expr {
    let ty = Type::List(Box::new(s.ty.set_item().cloned().unwrap()));
    call(RuntimeFn::SetList, vec![s], ty, span)
}

fn copy(l: tir::Expr, span: oxjit_diag::Span) -> tir::Expr {
    let ty = l.ty.clone();
    let absent = || konst(ConstValue::Int(i64::MIN), Type::I64, span);
    let one = konst(ConstValue::Int(1), Type::I64, span);
    call(
        RuntimeFn::ListSlice,
        vec![l, absent(), absent(), one],
        ty,
        span,
    )
}

/// `reverse=` as `int64` 0/1.
fn sort_flags(ck: &mut Checker, c: &mut Call, reverse: usize) -> R<tir::Expr> {
    let r = c.expr(ck, reverse)?;
    let r = ck.truth(r)?;
    Ok(ck.coerce(r, &Type::I64))
}

pub(super) fn define(d: &mut Defs) {
    d.def("list.append", "self, object, /")
        .rule(Lowering::Runtime, |ck, c| {
            let (l, x) = list_and_item(ck, c, 1)?;
            Ok(none(RuntimeFn::ListAppend, vec![l, x], c))
        });
    d.def("list.insert", "self, index, object, /")
        .rule(Lowering::Runtime, |ck, c| {
            let (l, x) = list_and_item(ck, c, 2)?;
            let i = c.expr(ck, 1)?;
            let i = ck.int_index(i)?;
            Ok(none(RuntimeFn::ListInsert, vec![l, i, x], c))
        });
    d.def("list.extend", "self, iterable, /")
        .rule(Lowering::Runtime, |ck, c| {
            let l = c.expr(ck, 0)?;
            let other = list_arg(ck, c, 1)?;
            let item = other.ty.list_item().cloned().unwrap();
            let want = ck.widen_list(&l, &item, c.span)?;
            if want != item && other.ty.repr() != Type::List(Box::new(want.clone())).repr() {
                return Err(error(
                    Code::CannotUnify,
                    other.span,
                    format!("cannot extend a list of {want} with a {}", other.ty),
                    "extend with a list of the same item type",
                ));
            }
            Ok(none(RuntimeFn::ListExtend, vec![l, other], c))
        });
    d.def("list.__delitem__", "self, key, /")
        .rule(Lowering::Runtime, |ck, c| {
            let l = c.expr(ck, 0)?;
            let key = c.hir(1).unwrap();
            if let Some(bounds) = ck.slice_bounds(key)? {
                let none = konst(ConstValue::Unit, Type::None, c.span);
                return Ok(ck.set_slice(l, bounds, none, c.span));
            }
            let i = ck.expr(key)?;
            let i = ck.int_index(i)?;
            Ok(none(RuntimeFn::ListDelItem, vec![l, i], c))
        });
    d.def("list.pop", "self, index=-1, /")
        .rule(Lowering::Runtime, |ck, c| {
            let l = c.expr(ck, 0)?;
            let i = c.expr(ck, 1)?;
            let i = ck.int_index(i)?;
            let item = l.ty.list_item().cloned().unwrap();
            Ok(call(RuntimeFn::ListPop, vec![l, i], item, c.span))
        });
    for (f, rt) in [
        ("clear", RuntimeFn::ListClear),
        ("reverse", RuntimeFn::ListReverse),
    ] {
        d.def(format!("list.{f}"), "self, /")
            .rule(Lowering::Runtime, move |ck, c| {
                let l = c.expr(ck, 0)?;
                Ok(none(rt, vec![l], c))
            });
    }
    d.def("list.copy", "self, /")
        .rule(Lowering::Runtime, |ck, c| Ok(copy(c.expr(ck, 0)?, c.span)));
    d.def(
        "list.index",
        "self, value, start=0, stop=9223372036854775807, /",
    )
    .rule(Lowering::Runtime, |ck, c| {
        let l = c.expr(ck, 0)?;
        let x = c.expr(ck, 1)?;
        ck.searchable(&x)?;
        let (start, stop) = (bound(ck, c, 2)?, bound(ck, c, 3)?);
        Ok(call(
            RuntimeFn::ListIndex,
            vec![l, x, start, stop],
            Type::INT,
            c.span,
        ))
    });
    for (f, rt, ty) in [
        ("count", RuntimeFn::ListCount, Type::INT),
        ("remove", RuntimeFn::ListRemove, Type::None),
    ] {
        d.def(format!("list.{f}"), "self, value, /")
            .rule(Lowering::Runtime, move |ck, c| {
                let l = c.expr(ck, 0)?;
                let x = c.expr(ck, 1)?;
                ck.searchable(&x)?;
                Ok(call(rt, vec![l, x], ty.clone(), c.span))
            });
    }
    d.def("list.sort", "self, /, *, key=None, reverse=False")
        .rule(Lowering::Runtime, |ck, c| {
            let l = c.expr(ck, 0)?;
            if let Some(key) = c.hir(1).cloned() {
                // The sorted copy's items put back: the same list object.
                let l = ck.once_in_prelude(l);
                let sorted = ck.keyed_sort(l.clone(), &key, c.hir(2), c.span)?;
                let absent = || konst(ConstValue::Int(i64::MIN), Type::I64, c.span);
                let one = konst(ConstValue::Int(1), Type::I64, c.span);
                return Ok(ck.set_slice(l, [absent(), absent(), one], sorted, c.span));
            }
            sortable(&l)?;
            let r = sort_flags(ck, c, 2)?;
            Ok(none(RuntimeFn::ListSort, vec![l, r], c))
        });
    d.def("builtins.sorted", "iterable, /, *, key=None, reverse=False")
        .rule(Lowering::Runtime, |ck, c| {
            let l = list_arg(ck, c, 0)?;
            if let Some(key) = c.hir(1).cloned() {
                return ck.keyed_sort(l, &key, c.hir(2), c.span);
            }
            sortable(&l)?;
            let r = sort_flags(ck, c, 2)?;
            let span = c.span;
            let sorted = copy(l, span);
            let ty = sorted.ty.clone();
            let tmp = ck.temp("sorted", ty.clone());
            let set = tir::Expr::new(
                tir::ExprKind::SetLocal(tmp, Box::new(sorted)),
                ty.clone(),
                span,
            );
            let sort = none(RuntimeFn::ListSort, vec![set, r], c);
            let get = tir::Expr::new(tir::ExprKind::Local(tmp), ty.clone(), span);
            // `(sort(tmp := copy), tmp)[1]`: the sorted copy.
            let pair = Type::Tuple(vec![Type::None, ty.clone()]);
            let both = tir::Expr::new(tir::ExprKind::Tuple(vec![sort, get]), pair, span);
            Ok(tir::Expr::new(
                tir::ExprKind::TupleGet(Box::new(both), 1),
                ty,
                span,
            ))
        });
    d.def("builtins.list", "iterable=(), /")
        .rule(Lowering::Runtime, |ck, c| {
            if let Some(l) = c
                .hir(0)
                .map(|h| looped_list(ck, h, c.span))
                .transpose()?
                .flatten()
            {
                return Ok(l);
            }
            let x = c.expr(ck, 0)?;
            match &x.ty {
                Type::List(_) => Ok(copy(x, c.span)),
                Type::Tuple(_) => {
                    let items = ck.tuple_items(x);
                    ck.list_of_items(items, c.span)
                }
                Type::Array(_) => {
                    let a = ck.once_in_prelude(x);
                    ck.list_from_seq(&Seq::Array(a), c.span)
                }
                Type::Str => {
                    let s = ck.once_in_prelude(x);
                    ck.list_from_seq(&Seq::Str(s), c.span)
                }
                Type::Range => {
                    let r = ck.once_in_prelude(x);
                    let seq = ck.range_seq(r);
                    ck.list_from_seq(&seq, c.span)
                }
                Type::Dict(..) => Ok(ck.dict_list(x, 0, c.span)),
                Type::Set(_) => Ok(set_list(x, c.span)),
                t => Err(error(
                    Code::BadCall,
                    x.span,
                    format!("list() of a {t} is not supported in compiled code"),
                    "build it with a comprehension: [v for v in x]",
                )),
            }
        });
}

/// Lists `sort` orders: numbers and tuples of numbers.
fn sortable(l: &tir::Expr) -> R<()> {
    fn ok(t: &Type) -> bool {
        match t {
            Type::Scalar(s) => !s.is_complex(),
            Type::Str => true,
            Type::Tuple(items) => items.iter().all(ok),
            _ => false,
        }
    }
    let item = l.ty.list_item().unwrap();
    if ok(item) {
        return Ok(());
    }
    Err(error(
        Code::BadOperand,
        l.span,
        format!("cannot sort a list of {item}"),
        "sort lists of real numbers, strings or tuples of them",
    ))
}

//! The methods of dicts (paths `dict.*`) and the builtin `dict`. Every one
//! is a runtime call (`RuntimeFn::Dict*`); a method that stores into a
//! dict made in this function may widen its types (`Checker::widen_dict`).
//! Methods whose Python default is None (`get`, `setdefault`) need the
//! default given: a value that may be None has no type here yet.

use super::{Call, Defs, Lowering};
use crate::check::{error, Checker, R};
use crate::comprehensions::{at, method_call, Iterable};
use crate::dicts::{part_type, view_part};
use crate::expr::konst;
use crate::iteration::looped;
use crate::runtime_fns::call;
use oxjit_diag::Code;
use oxjit_hir::CompKind;
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK, RuntimeFn};
use oxjit_types::Type;

/// The receiver and key argument `i` converted to the key type (which a
/// lookup in a `{}` not yet stored into sets).
fn dict_and_key(ck: &mut Checker, c: &mut Call, i: usize) -> R<(tir::Expr, tir::Expr)> {
    let d = c.expr(ck, 0)?;
    let k = c.expr(ck, i)?;
    let (kt, _) = ck.widen_dict(&d, &k.ty, &Type::Undefined, c.span)?;
    let k = ck.dict_part(k, &kt, "keys")?;
    Ok((d, k))
}

/// The receiver, key `1` and value `2`, widening the dict to hold them.
fn dict_key_value(ck: &mut Checker, c: &mut Call) -> R<[tir::Expr; 3]> {
    let d = c.expr(ck, 0)?;
    let (k, v) = (c.expr(ck, 1)?, c.expr(ck, 2)?);
    let (kt, vt) = ck.widen_dict(&d, &k.ty, &v.ty, c.span)?;
    Ok([
        d,
        ck.dict_part(k, &kt, "keys")?,
        ck.dict_part(v, &vt, "values")?,
    ])
}

fn value_type(d: &tir::Expr) -> Type {
    d.ty.dict_types().unwrap().1.clone()
}

/// `d.get(k)`: the value if `k` is a key, else None (an optional).
fn get_optional(ck: &mut Checker, c: &mut Call) -> R<tir::Expr> {
    let (d, k) = dict_and_key(ck, c, 1)?;
    let vt = value_type(&d);
    if !vt.optional_ok() {
        return Err(no_default(c));
    }
    let ty = Type::Optional(Box::new(vt));
    let [d1, d2] = <[_; 2]>::try_from(ck.shared(d, 2)).unwrap();
    let [k1, k2] = <[_; 2]>::try_from(ck.shared(k, 2)).unwrap();
    let span = c.span;
    let found = ck.dict_contains(k1, d1, span)?;
    let value = ck.dict_get(d2, k2, span)?;
    let some = ck.coerce(value, &ty);
    let none = ck.coerce(konst(ConstValue::Unit, Type::None, span), &ty);
    Ok(tir::Expr::new(
        TK::IfExp(Box::new(found), Box::new(some), Box::new(none)),
        ty,
        span,
    ))
}

/// A `default` Python leaves as None, which compiled code needs given.
fn needs_default(c: &Call, i: usize) -> R<()> {
    if c.hir(i).is_some() {
        return Ok(());
    }
    Err(no_default(c))
}

/// The error for a call without the default it needs.
fn no_default(c: &Call) -> crate::check::Fail {
    error(
        Code::BadCall,
        c.span,
        format!(
            "{}() without a default may give None, which compiled code cannot mix with the dict's values",
            c.name
        ),
        "pass a default of the value type, e.g. d.get(k, 0)",
    )
}

fn none(f: RuntimeFn, args: Vec<tir::Expr>, c: &Call) -> tir::Expr {
    call(f, args, Type::None, c.span)
}

pub(super) fn define(d: &mut Defs) {
    d.def("dict.get", "self, key, default=None, /")
        .rule(Lowering::Runtime, |ck, c| {
            if c.hir(2).is_none() {
                return get_optional(ck, c);
            }
            let (d, k) = dict_and_key(ck, c, 1)?;
            let dflt = c.expr(ck, 2)?;
            // `d.get(k, 0)` on a `{}` says what its values are.
            let (_, vt) = ck.widen_dict(&d, &Type::Undefined, &dflt.ty, c.span)?;
            let dflt = ck.dict_part(dflt, &vt, "values")?;
            Ok(call(RuntimeFn::DictGetOr, vec![d, k, dflt], vt, c.span))
        });
    d.def("dict.setdefault", "self, key, default=None, /")
        .rule(Lowering::Runtime, |ck, c| {
            needs_default(c, 2)?;
            let [d, k, v] = dict_key_value(ck, c)?;
            let vt = value_type(&d);
            Ok(call(RuntimeFn::DictSetDefault, vec![d, k, v], vt, c.span))
        });
    d.def("dict.pop", "self, key, default=None, /")
        .rule(Lowering::Runtime, |ck, c| {
            let (d, k) = dict_and_key(ck, c, 1)?;
            let vt = value_type(&d);
            if !c.given(2) {
                return Ok(call(RuntimeFn::DictPop, vec![d, k], vt, c.span));
            }
            let dflt = c.expr(ck, 2)?;
            let dflt = ck.dict_part(dflt, &vt, "values")?;
            Ok(call(RuntimeFn::DictPopOr, vec![d, k, dflt], vt, c.span))
        });
    d.def("dict.__delitem__", "self, key, /")
        .rule(Lowering::Runtime, |ck, c| {
            let (d, k) = dict_and_key(ck, c, 1)?;
            Ok(none(RuntimeFn::DictDel, vec![d, k], c))
        });
    d.def("dict.popitem", "self, /")
        .rule(Lowering::Runtime, |ck, c| {
            let d = c.expr(ck, 0)?;
            let ty = part_type(&d.ty, 2);
            Ok(call(RuntimeFn::DictPopItem, vec![d], ty, c.span))
        });
    for m in ["keys", "values", "items"] {
        d.def(format!("dict.{m}"), "self, /")
            .rule(Lowering::Runtime, move |ck, c| {
                let d = c.expr(ck, 0)?;
                Ok(ck.dict_list(d, view_part(m).unwrap(), c.span))
            });
    }
    d.def("dict.clear", "self, /")
        .rule(Lowering::Runtime, |ck, c| {
            let d = c.expr(ck, 0)?;
            Ok(none(RuntimeFn::DictClear, vec![d], c))
        });
    d.def("dict.copy", "self, /")
        .rule(Lowering::Runtime, |ck, c| {
            let d = c.expr(ck, 0)?;
            let ty = d.ty.clone();
            Ok(call(RuntimeFn::DictCopy, vec![d], ty, c.span))
        });
    d.def("dict.update", "self, other, /")
        .rule(Lowering::Runtime, |ck, c| {
            let d = c.expr(ck, 0)?;
            let other = c.expr(ck, 1)?;
            let Some((k, v)) = other.ty.dict_types() else {
                return Err(error(
                    Code::BadCall,
                    other.span,
                    format!("update() needs a dict here, not {}", other.ty),
                    "update from a dict of the same key and value types",
                ));
            };
            let (k, v) = (k.clone(), v.clone());
            let want = ck.widen_dict(&d, &k, &v, c.span)?;
            if want != (k, v) {
                return Err(error(
                    Code::CannotUnify,
                    other.span,
                    format!("cannot update a {} from a {}", d.ty, other.ty),
                    "update from a dict of the same key and value types",
                ));
            }
            Ok(none(RuntimeFn::DictUpdate, vec![d, other], c))
        });
    d.def("builtins.dict", "mapping=None, /")
        .rule(Lowering::Runtime, |ck, c| {
            if let Some(h) = c.hir(0).filter(|h| looped(h)) {
                return ck.container_of(CompKind::Dict, Iterable::Hir(h), c.span);
            }
            dict_of_value(ck, c)
        });
}

/// The type a type argument stands for (`types.int64`, `np.float64`,
/// `float`, `types.unicode_type`).
fn type_arg(c: &Call, i: usize) -> R<Type> {
    let e = c.hir(i).expect("a required parameter");
    crate::arrays::type_value(e).ok_or_else(|| {
        error(
            Code::BadCall,
            e.span,
            format!("{}() needs a type here", c.name),
            "pass a type such as types.int64, types.unicode_type or np.float64",
        )
    })
}

/// `oxjit.typed.List()`/`List.empty_list(t)` and `Dict()`/`Dict.empty(k, v)`
/// in compiled code: new containers marked typed, so they go back to
/// Python as `oxjit.typed` objects.
pub(super) fn define_typed(d: &mut Defs) {
    d.def("oxjit.typed.Dict", "")
        .rule(Lowering::Runtime, |ck, c| {
            Ok(ck.dict_literal(vec![], &Type::Undefined, &Type::Undefined, true, c.span))
        });
    d.def("oxjit.typed.Dict.empty", "key_type, value_type, n_keys=0")
        .rule(Lowering::Runtime, |ck, c| {
            let (k, v) = (type_arg(c, 0)?, type_arg(c, 1)?);
            ck.dict_types_ok(&k, &v, c.span)?;
            Ok(ck.dict_literal(vec![], &k, &v, true, c.span))
        });
    d.def("oxjit.typed.List", "iterable=None")
        .rule(Lowering::Runtime, |ck, c| {
            let Some(h) = c.hir(0) else {
                return Ok(ck.list_literal(vec![], Type::Undefined, true, c.span));
            };
            // A typed list the items are appended to: a hidden local, so
            // its item type carries over between passes.
            let items = match looped(h) {
                true => Iterable::Hir(h),
                false => Iterable::Typed(ck.expr(h)?),
            };
            let result = ck.hidden_local("list", c.span);
            let id = ck.lid(result);
            let item = match ck.local_ty(id) {
                Some(Type::List(item)) => (**item).clone(),
                _ => Type::Undefined,
            };
            let empty = ck.list_literal(vec![], item, true, c.span);
            ck.bind(id, &empty.ty, c.span)?;
            ck.prelude.push(tir::Stmt {
                kind: tir::StmtKind::Assign(id, empty),
                span: c.span,
            });
            let name = oxjit_hir::Expr {
                kind: oxjit_hir::ExprKind::Local(result),
                span: c.span,
            };
            let out = name.clone();
            ck.for_each_item(items, c.span, |x| {
                let append = method_call(out, "append", vec![x], c.span);
                vec![at(oxjit_hir::StmtKind::Expr(append), c.span)]
            })?;
            ck.expr(&name)
        });
    d.def("oxjit.typed.List.empty_list", "item_type, allocated=0")
        .rule(Lowering::Runtime, |ck, c| {
            let t = type_arg(c, 0)?;
            ck.item_type_ok(&t, c.span)?;
            Ok(ck.list_literal(vec![], t, true, c.span))
        });
}

/// `dict()`, `dict(d)` (a copy) or `dict(pairs)`.
fn dict_of_value(ck: &mut Checker, c: &mut Call) -> R<tir::Expr> {
    match c.opt(ck, 0)? {
        None => Ok(ck.dict_literal(vec![], &Type::Undefined, &Type::Undefined, false, c.span)),
        Some(d) if d.ty.dict_types().is_some() => {
            let ty = d.ty.clone();
            Ok(call(RuntimeFn::DictCopy, vec![d], ty, c.span))
        }
        // An iterable of (key, value) pairs.
        Some(x) => ck.container_of(CompKind::Dict, Iterable::Typed(x), c.span),
    }
}

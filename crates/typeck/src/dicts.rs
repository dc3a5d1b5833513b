//! Dicts in compiled code: displays (`{}` typed by what goes in later, as
//! `[]` is), `d[k]`, `d[k] = v`, `k in d`, `==`, and `for` loops over a
//! dict's keys, values or items. Every operation is a runtime call
//! (`RuntimeFn::Dict*`); `len(d)` reads the header as `len(l)` does.
//! Keys and values convert to the dict's types by NumPy's `same_kind`
//! rule, so a lookup never silently truncates a float key to an int.

use crate::check::{error, Checker, R};
use crate::expr::konst;
use crate::runtime_fns::call;
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, Target};
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK, RuntimeFn, StmtKind as TS};
use oxjit_types::{common_scalar, unify, Type};

pub(crate) fn dict_of(key: Type, value: Type) -> Type {
    Type::Dict(Box::new(key), Box::new(value))
}

/// Which part of each entry a loop or list takes: 0 keys, 1 values, 2 items.
pub(crate) fn part_type(dict: &Type, part: i64) -> Type {
    let (k, v) = dict.dict_types().expect("a dict");
    match part {
        0 => k.clone(),
        1 => v.clone(),
        _ => Type::Tuple(vec![k.clone(), v.clone()]),
    }
}

/// The part `keys`, `values` or `items` stands for.
pub(crate) fn view_part(method: &str) -> Option<i64> {
    ["keys", "values", "items"]
        .iter()
        .position(|m| *m == method)
        .map(|p| p as i64)
}

fn int(v: i64, span: Span) -> tir::Expr {
    konst(ConstValue::Int(v), Type::I64, span)
}

/// The type both `a` and `b` convert to, for a dict's keys or values.
fn wider(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Undefined, t) | (t, Type::Undefined) => Some(t.clone()),
        (Type::Scalar(x), Type::Scalar(y)) => Some(Type::Scalar(common_scalar(*x, *y))),
        _ => unify(a, b),
    }
}

impl Checker<'_> {
    /// `{k: v, ...}`: keys unified to one type, values to another.
    pub(crate) fn dict_display(
        &mut self,
        pairs: &[(hir::Expr, hir::Expr)],
        span: Span,
    ) -> R<tir::Expr> {
        let mut typed = Vec::new();
        let (mut kt, mut vt) = (Type::Undefined, Type::Undefined);
        for (k, v) in pairs {
            let (k, v) = (self.expr(k)?, self.expr(v)?);
            for (t, x, what) in [(&mut kt, &k, "keys"), (&mut vt, &v, "values")] {
                *t = wider(t, &x.ty).ok_or_else(|| {
                    error(
                        Code::CannotUnify,
                        x.span,
                        format!("a dict with {what} of type {t} cannot hold a {}", x.ty),
                        "a dict's keys have one type, and its values one type",
                    )
                })?;
            }
            typed.push((k, v));
        }
        self.dict_types_ok(&kt, &vt, span)?;
        Ok(self.dict_literal(typed, &kt, &vt, false, span))
    }

    /// `DictNew` of `pairs` (`typed`: an `oxjit.typed.Dict`, which goes
    /// back to Python as one).
    pub(crate) fn dict_literal(
        &mut self,
        pairs: Vec<(tir::Expr, tir::Expr)>,
        kt: &Type,
        vt: &Type,
        typed: bool,
        span: Span,
    ) -> tir::Expr {
        let pair_ty = Type::Tuple(vec![kt.clone(), vt.clone()]);
        let pairs: Vec<tir::Expr> = pairs
            .into_iter()
            .map(|(k, v)| {
                let items = vec![self.coerce(k, kt), self.coerce(v, vt)];
                tir::Expr::new(TK::Tuple(items), pair_ty.clone(), span)
            })
            .collect();
        let ty = Type::Tuple(vec![pair_ty; pairs.len()]);
        let tuple = tir::Expr::new(TK::Tuple(pairs), ty, span);
        let typed = konst(ConstValue::Int(typed as i64), Type::I64, span);
        call(
            RuntimeFn::DictNew,
            vec![tuple, typed],
            dict_of(kt.clone(), vt.clone()),
            span,
        )
    }

    pub(crate) fn dict_types_ok(&self, kt: &Type, vt: &Type, span: Span) -> R<()> {
        if !crate::sets::hashable(kt) {
            return Err(error(
                Code::BadOperand,
                span,
                format!("a dict cannot have keys of type {kt}"),
                "use numbers, strings or tuples of them as keys",
            ));
        }
        match vt {
            Type::Array(_)
            | Type::Scalar(_)
            | Type::Tuple(_)
            | Type::List(_)
            | Type::Dict(..)
            | Type::Set(_)
            | Type::Str
            | Type::Undefined => Ok(()),
            t => Err(error(
                Code::BadOperand,
                span,
                format!("a dict cannot hold values of type {t}"),
                "dicts hold numbers, strings, arrays, tuples, lists, sets or dicts",
            )),
        }
    }

    /// A dict display made again with keys and values of the types of
    /// `ty` (`{}` typed by what is stored in it later); `None` if `e` is no
    /// display or its parts do not convert.
    pub(crate) fn retype_dict_literal(&mut self, e: &tir::Expr, ty: &Type) -> Option<tir::Expr> {
        let (kt, vt) = ty.dict_types()?;
        let TK::RuntimeCall {
            func: RuntimeFn::DictNew,
            args,
        } = &e.kind
        else {
            return None;
        };
        let TK::Tuple(pairs) = &args[0].kind else {
            return None;
        };
        let fits = |t: &Type, want: &Type| t == want || unify(t, want).as_ref() == Some(want);
        let mut parts = Vec::new();
        for p in pairs {
            let TK::Tuple(kv) = &p.kind else { return None };
            if !fits(&kv[0].ty, kt) || !fits(&kv[1].ty, vt) {
                return None;
            }
            parts.push((kv[0].clone(), kv[1].clone()));
        }
        let typed = matches!(args[1].kind, TK::Const(ConstValue::Int(1)));
        Some(self.dict_literal(parts, &kt.clone(), &vt.clone(), typed, e.span))
    }

    /// Before storing into `d`: a local dict made in this function whose
    /// types do not hold `k`/`v` yet (`{}`, ints meeting floats) takes the
    /// wider types (the next pass retypes its display); an argument keeps
    /// its type. Returns the key and value types to convert to.
    pub(crate) fn widen_dict(
        &mut self,
        d: &tir::Expr,
        k: &Type,
        v: &Type,
        span: Span,
    ) -> R<(Type, Type)> {
        let (ck, cv) =
            d.ty.dict_types()
                .map(|(a, b)| (a.clone(), b.clone()))
                .unwrap();
        let nk = wider(&ck, k).unwrap_or_else(|| ck.clone());
        let nv = wider(&cv, v).unwrap_or_else(|| cv.clone());
        self.dict_types_ok(&nk, &nv, span)?;
        if let TK::Local(id) = d.kind {
            if (nk != ck || nv != cv) && self.retypable(id) {
                self.set_local_type(id, dict_of(nk.clone(), nv.clone()));
                return Ok((nk, nv));
            }
        }
        Ok((ck, cv))
    }

    /// `x` as a key or value of type `want` (`what` names which, for the
    /// message): `same_kind` conversions only.
    pub(crate) fn dict_part(&mut self, x: tir::Expr, want: &Type, what: &str) -> R<tir::Expr> {
        let message = format!("this dict's {what} are {want}, not {}", x.ty);
        let hint =
            "make the dict hold the wider type from the start (e.g. {0: 0.0} for float values)";
        self.same_kind(x, want, message, hint)
    }

    /// `d[k]`.
    pub(crate) fn dict_subscript(
        &mut self,
        d: tir::Expr,
        index: &hir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        let k = self.expr(index)?;
        self.dict_get(d, k, span)
    }

    /// `d[k]` of a typed key.
    pub(crate) fn dict_get(&mut self, d: tir::Expr, k: tir::Expr, span: Span) -> R<tir::Expr> {
        let (kt, vt) = self.widen_dict(&d, &k.ty, &Type::Undefined, span)?;
        let k = self.dict_part(k, &kt, "keys")?;
        Ok(call(RuntimeFn::DictGet, vec![d, k], vt, span))
    }

    /// `d[k] = v`.
    pub(crate) fn dict_store(
        &mut self,
        d: tir::Expr,
        index: &hir::Expr,
        v: tir::Expr,
        span: Span,
    ) -> R<TS> {
        let k = self.expr(index)?;
        self.dict_set(d, k, v, span)
    }

    /// `d[k] = v` of a typed key.
    pub(crate) fn dict_set(
        &mut self,
        d: tir::Expr,
        k: tir::Expr,
        v: tir::Expr,
        span: Span,
    ) -> R<TS> {
        let (kt, vt) = self.widen_dict(&d, &k.ty, &v.ty, span)?;
        // Python evaluates the value first; both are plain values here.
        let (k, v) = (
            self.dict_part(k, &kt, "keys")?,
            self.dict_part(v, &vt, "values")?,
        );
        Ok(TS::Expr(call(
            RuntimeFn::DictSet,
            vec![d, k, v],
            Type::None,
            span,
        )))
    }

    /// `k in d`.
    pub(crate) fn dict_contains(&mut self, k: tir::Expr, d: tir::Expr, span: Span) -> R<tir::Expr> {
        let kt = d.ty.dict_types().unwrap().0.clone();
        // A key that cannot convert is simply not there (`1.5 in {1: 2}`).
        if unify(&k.ty, &kt).as_ref() != Some(&kt) && k.ty != kt {
            return Ok(konst(ConstValue::Bool(false), Type::BOOL, span));
        }
        let k = self.coerce(k, &kt);
        Ok(call(RuntimeFn::DictContains, vec![d, k], Type::BOOL, span))
    }

    /// `d.keys()`, `d.values()`, `d.items()` as values: lists of them (a
    /// snapshot, where Python's views follow later changes).
    pub(crate) fn dict_list(&mut self, d: tir::Expr, part: i64, span: Span) -> tir::Expr {
        let ty = Type::List(Box::new(part_type(&d.ty, part)));
        call(RuntimeFn::DictList, vec![d, int(part, span)], ty, span)
    }

    /// `d.keys()`, `d.values()`, `d.items()` as a loop's iterable: the dict
    /// and the part, so the loop walks the dict itself.
    pub(crate) fn dict_view(&mut self, iter: &hir::Expr) -> R<Option<(tir::Expr, i64)>> {
        let hir::ExprKind::Call { func, args, kwargs } = &iter.kind else {
            return Ok(None);
        };
        let hir::ExprKind::Attribute(obj, name) = &func.kind else {
            return Ok(None);
        };
        let Some(part) = view_part(name).filter(|_| args.is_empty() && kwargs.is_empty()) else {
            return Ok(None);
        };
        let d = self.expr(obj)?;
        if d.ty.dict_types().is_none() {
            return Err(error(
                Code::BadCall,
                iter.span,
                format!(
                    "a value of type {} has no method '{name}' in compiled code",
                    d.ty
                ),
                "keys(), values() and items() are dict methods",
            ));
        }
        Ok(Some((d, part)))
    }

    /// `for target in d` (part 0), `d.values()` (1), `d.items()` (2): a
    /// `while` over entry positions that, like Python's dict iterator,
    /// raises `RuntimeError` at the next step after the dict's size changed.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn for_dict(
        &mut self,
        target: &Target,
        d: tir::Expr,
        part: i64,
        body: &[hir::Stmt],
        orelse: &[hir::Stmt],
        span: Span,
        out: &mut Vec<tir::Stmt>,
    ) -> R<()> {
        let at = d.span;
        let d = self.once(d, "iter", out);
        Self::push(
            out,
            TS::Expr(call(
                RuntimeFn::DictEntries,
                vec![d.clone()],
                Type::None,
                at,
            )),
            span,
        );
        let ty = part_type(&d.ty, part);
        let item = move |c: tir::Expr, pos: tir::Expr| {
            call(RuntimeFn::DictEntry, vec![c, pos, int(part, at)], ty, at)
        };
        self.sized_loop(
            d,
            RuntimeFn::DictIterating,
            item,
            (target, body, orelse),
            span,
            out,
        )
    }
}

//! Optional values (`OptionalType(T)`, Numba's): a variable assigned None
//! on one path and a value on another, or a function returning both. An
//! optional moves as it is (assigned, returned, packed in a tuple, passed
//! to a jitted function); `is None` / `is not None` read whether it holds
//! a value; anywhere a value is used (`Checker::expr`), it is its value,
//! which raises `TypeError` when it is None — so `if x is not None: x + 1`
//! needs no narrowing of `x`'s type.

use crate::check::Checker;
use oxjit_tir::{self as tir, ExprKind as TK, Intrinsic};
use oxjit_types::Type;

fn cast(x: tir::Expr, to: &Type) -> tir::Expr {
    let span = x.span;
    tir::Expr::new(TK::Cast(Box::new(x)), to.clone(), span)
}

impl Checker<'_> {
    /// An optional's value (raising `TypeError` at run time if it is
    /// None); any other value as it is.
    pub(crate) fn value_of(&mut self, x: tir::Expr) -> tir::Expr {
        match x.ty.optional_value().cloned() {
            Some(v) => cast(x, &v),
            None => x,
        }
    }

    /// Whether the optional `x` is None, as a `bool`.
    pub(crate) fn is_none(&mut self, x: tir::Expr) -> tir::Expr {
        let span = x.span;
        tir::Expr::new(TK::Call(Intrinsic::IsNone, vec![x]), Type::BOOL, span)
    }

    /// `x` (None, a value, or an optional of another value type) as the
    /// optional type `to`, which `unify` made from its type.
    pub(crate) fn optional_of(&mut self, x: tir::Expr, to: &Type) -> tir::Expr {
        let value = to.optional_value().expect("an optional type").clone();
        match x.ty.clone() {
            Type::None => cast(x, to),
            Type::Optional(_) => {
                // None stays None; a value converts.
                let span = x.span;
                let [a, b] = <[_; 2]>::try_from(self.shared(x, 2)).unwrap();
                let none = self.is_none(a);
                let empty = cast(
                    crate::expr::konst(tir::ConstValue::Unit, Type::None, span),
                    to,
                );
                let v = self.value_of(b);
                let v = self.coerce(v, &value);
                let some = cast(v, to);
                tir::Expr::new(
                    TK::IfExp(Box::new(none), Box::new(empty), Box::new(some)),
                    to.clone(),
                    span,
                )
            }
            _ => {
                let v = self.coerce(x, &value);
                cast(v, to)
            }
        }
    }
}

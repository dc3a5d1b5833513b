//! Sets in compiled code: displays, `set()` typed by what is added later
//! (as `[]` is), `x in s`, the operators `| & - ^` (new sets) and their
//! in-place forms, comparisons (`==`, `<=` as subset, ...), and `for` loops
//! over a set. Every operation is a runtime call (`RuntimeFn::Set*`) on a
//! table laid out as CPython's, so sets of numbers iterate in Python's
//! order. Items convert to the set's item type by NumPy's `same_kind`
//! rule, as dict keys do; the methods are registry entries
//! (`library/sets.rs`).

use crate::check::{error, Checker, R};
use crate::expr::konst;
use crate::runtime_fns::call;
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, ExprKind as HK, Target};
use oxjit_tir::{self as tir, ConstValue, RuntimeFn};
use oxjit_types::{common_scalar, unify, Type};

pub(crate) fn set_of(item: Type) -> Type {
    Type::Set(Box::new(item))
}

fn int(v: i64, span: Span) -> tir::Expr {
    konst(ConstValue::Int(v), Type::I64, span)
}

/// The runtime's code of a set operator (`SetOp`, `SetOpUpdate`).
pub(crate) fn op_code(op: hir::BinOp) -> Option<i64> {
    match op {
        hir::BinOp::BitOr => Some(0),
        hir::BinOp::BitAnd => Some(1),
        hir::BinOp::Sub => Some(2),
        hir::BinOp::BitXor => Some(3),
        _ => None,
    }
}

/// Whether values of `t` can be set items (and dict keys): numbers, strs
/// and tuples of them.
pub(crate) fn hashable(t: &Type) -> bool {
    match t {
        Type::Scalar(_) | Type::Str | Type::Undefined => true,
        Type::Tuple(items) => items.iter().all(hashable),
        _ => false,
    }
}

/// Whether CPython folds `e` to a constant: a literal, a negated one, a
/// tuple of them.
fn is_constant(e: &hir::Expr) -> bool {
    match &e.kind {
        HK::Const(_) => true,
        HK::Unary(hir::UnaryOp::Neg | hir::UnaryOp::Pos, x) => is_constant(x),
        HK::Tuple(items) => items.iter().all(is_constant),
        _ => false,
    }
}

impl Checker<'_> {
    /// `{a, b, ...}`: the items unified to one type.
    pub(crate) fn set_display(&mut self, items: &[hir::Expr], span: Span) -> R<tir::Expr> {
        let constant = items.len() >= 3 && items.iter().all(is_constant);
        let items = items.iter().map(|x| self.expr(x)).collect::<R<Vec<_>>>()?;
        let item = Self::items_type(&items, "set", "a set's items have one type")?;
        self.set_item_ok(&item, span)?;
        let items = items.into_iter().map(|x| self.coerce(x, &item)).collect();
        Ok(self.set_literal(items, item, constant, span))
    }

    /// `SetNew` of `items` (`constant`: a display of three or more
    /// constants, which CPython makes through a frozenset).
    pub(crate) fn set_literal(
        &mut self,
        items: Vec<tir::Expr>,
        item: Type,
        constant: bool,
        span: Span,
    ) -> tir::Expr {
        Self::items_literal(RuntimeFn::SetNew, items, set_of(item), constant, span)
    }

    fn set_item_ok(&self, item: &Type, span: Span) -> R<()> {
        if hashable(item) {
            return Ok(());
        }
        Err(error(
            Code::BadOperand,
            span,
            format!("a set cannot hold values of type {item}"),
            "sets hold numbers, strings or tuples of them",
        ))
    }

    /// Before adding to `s`: a local set made in this function whose item
    /// type does not hold `item` yet (`set()`, ints meeting floats) takes
    /// the wider type (the next pass retypes its display); an argument's
    /// set keeps its type. Returns the item type to convert to.
    pub(crate) fn widen_set(&mut self, s: &tir::Expr, item: &Type, span: Span) -> R<Type> {
        let cur = s.ty.set_item().cloned().expect("a set");
        let wider = crate::lists::wider_item(&cur, item);
        self.set_item_ok(&wider, span)?;
        Ok(self.widen_local(s, cur, wider, set_of))
    }

    /// `x` as an item of a set of `item`: `same_kind` conversions only.
    pub(crate) fn set_item_value(&mut self, x: tir::Expr, item: &Type) -> R<tir::Expr> {
        let message = format!("this set's items are {item}, not {}", x.ty);
        let hint = "make the set hold the wider type from the start (e.g. {0.0} for floats)";
        self.same_kind(x, item, message, hint)
    }

    /// `x` put into `s` (by `add`, `discard`, ...): widens a local set and
    /// converts `x`.
    pub(crate) fn set_and_item(&mut self, s: &tir::Expr, x: tir::Expr, span: Span) -> R<tir::Expr> {
        let item = self.widen_set(s, &x.ty, span)?;
        self.set_item_value(x, &item)
    }

    /// `x in s`.
    pub(crate) fn set_contains(&mut self, x: tir::Expr, s: tir::Expr, span: Span) -> R<tir::Expr> {
        let item = s.ty.set_item().unwrap().clone();
        // An item that cannot convert is simply not there (`1.5 in {1}`).
        if unify(&x.ty, &item).as_ref() != Some(&item) && x.ty != item {
            return Ok(konst(ConstValue::Bool(false), Type::BOOL, span));
        }
        let x = self.coerce(x, &item);
        Ok(call(RuntimeFn::SetContains, vec![s, x], Type::BOOL, span))
    }

    /// Two set operands as sets of one type: a local `a` made here widens
    /// to hold `b`'s items (`s = set(); s |= t`), and a display on either
    /// side is made again with the other's item type (`s | {7}` for a set
    /// of floats).
    fn set_operands(
        &mut self,
        a: tir::Expr,
        b: tir::Expr,
        span: Span,
    ) -> R<(tir::Expr, tir::Expr, Type)> {
        let item = b.ty.set_item().cloned().unwrap_or(Type::Undefined);
        let want = self.widen_set(&a, &item, span)?;
        let ty = match (&want, b.ty.set_item()) {
            (Type::Scalar(x), Some(Type::Scalar(y))) => set_of(Type::Scalar(common_scalar(*x, *y))),
            _ => unify(&set_of(want), &b.ty).unwrap_or_else(|| a.ty.clone()),
        };
        let (a, b) = (self.coerce(a, &ty), self.coerce(b, &ty));
        let same =
            |x: &tir::Expr| x.ty == ty || x.ty.repr() == ty.repr() && unify(&x.ty, &ty).is_some();
        if !same(&a) || !same(&b) {
            return Err(error(
                Code::CannotUnify,
                span,
                format!("cannot combine a {} with a {}", a.ty, b.ty),
                "combine sets of one item type",
            ));
        }
        Ok((a, b, ty))
    }

    /// `a | b`, `a & b`, `a - b`, `a ^ b` on sets (new sets); `None` when
    /// neither operand is a set.
    pub(crate) fn set_binary(
        &mut self,
        op: hir::BinOp,
        a: tir::Expr,
        b: tir::Expr,
        span: Span,
    ) -> R<Option<tir::Expr>> {
        let (sa, sb) = (a.ty.set_item().is_some(), b.ty.set_item().is_some());
        if !sa && !sb {
            return Ok(None);
        }
        let Some(code) = op_code(op).filter(|_| sa && sb) else {
            return Err(crate::ops::bad_operands(
                op,
                &a,
                &b,
                span,
                "sets support | & - ^ with sets, comparisons and in",
            ));
        };
        let (a, b, ty) = self.set_operands(a, b, span)?;
        Ok(Some(call(
            RuntimeFn::SetOp,
            vec![a, b, int(code, span)],
            ty,
            span,
        )))
    }

    /// `a |= b` and the other in-place operators: `a` changed in place.
    pub(crate) fn set_update(
        &mut self,
        op: hir::BinOp,
        a: tir::Expr,
        b: tir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        let Some(code) = op_code(op).filter(|_| b.ty.set_item().is_some()) else {
            return Err(crate::ops::bad_operands(
                op,
                &a,
                &b,
                span,
                "sets support |= &= -= ^= with sets",
            ));
        };
        let (a, b, _) = self.set_operands(a, b, span)?;
        Ok(call(
            RuntimeFn::SetOpUpdate,
            vec![a, b, int(code, span)],
            Type::None,
            span,
        ))
    }

    /// `a == b`, `a != b`, `a <= b` (subset), `a < b` (proper subset),
    /// `>=`, `>` between sets.
    pub(crate) fn set_compare(
        &mut self,
        op: hir::CmpOp,
        a: tir::Expr,
        b: tir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        use hir::CmpOp as C;
        let (a, b, _) = self.set_operands(a, b, span)?;
        let (code, a, b) = match op {
            C::Eq | C::Ne => (0, a, b),
            C::Le => (1, a, b),
            C::Lt => (2, a, b),
            C::Ge => (1, b, a),
            C::Gt => (2, b, a),
            _ => unreachable!("the caller handles `in` and `is`"),
        };
        let cmp = call(
            RuntimeFn::SetCompare,
            vec![a, b, int(code, span)],
            Type::BOOL,
            span,
        );
        if op == C::Ne {
            return self.unary(hir::UnaryOp::Not, cmp, span);
        }
        Ok(cmp)
    }

    /// `set_entry(s, i)`: the item at position `i` of the iteration order.
    pub(crate) fn set_entry(&self, s: tir::Expr, i: tir::Expr, span: Span) -> tir::Expr {
        let item = s.ty.set_item().cloned().unwrap();
        call(RuntimeFn::SetEntry, vec![s, i], item, span)
    }

    /// `for target in s`: a `while` over positions that, like Python's set
    /// iterator, raises `RuntimeError` at the next step after the set's
    /// size changed.
    pub(crate) fn for_set(
        &mut self,
        target: &Target,
        s: tir::Expr,
        (body, orelse): (&[hir::Stmt], &[hir::Stmt]),
        span: Span,
        out: &mut Vec<tir::Stmt>,
    ) -> R<()> {
        let s = self.once(s, "iter", out);
        let item = |c: tir::Expr, pos: tir::Expr| {
            let ty = c.ty.set_item().cloned().unwrap();
            call(RuntimeFn::SetEntry, vec![c, pos], ty, target.span())
        };
        self.sized_loop(
            s,
            RuntimeFn::SetIterating,
            item,
            (target, body, orelse),
            span,
            out,
        )
    }
}

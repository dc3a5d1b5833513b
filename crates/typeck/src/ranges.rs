//! `range` objects as values (`r = range(a, b, c)`, a range argument or
//! result): a `range_state64` is stored as its `(start, stop, step)` tuple
//! of `int64`s (`Type::range_fields`), reached through a `Cast`. Loops over
//! a range value are the same counted loops as over a `range(...)` call;
//! `len`, indexing, `in`, truth and the `start`/`stop`/`step` attributes
//! are arithmetic on the three fields, with Python's results and errors.

use crate::check::{error, Checker, R};
use crate::expr::{cast_scalar, konst};
use crate::iteration::Seq;
use crate::ops::guard;
use oxjit_abi::exc::ExcSpec;
use oxjit_diag::{Code, Span};
use oxjit_hir as hir;
use oxjit_tir::{self as tir, BinOp, Check, CmpOp, ConstValue, ExprKind as TK, Intrinsic};
use oxjit_types::{Scalar, Type};

/// `a op b` of `int64`s.
pub(crate) fn i64_op(op: BinOp, a: tir::Expr, b: tir::Expr, span: Span) -> tir::Expr {
    tir::Expr::new(TK::Binary(op, Box::new(a), Box::new(b)), Type::I64, span)
}

fn cmp(op: CmpOp, a: tir::Expr, b: tir::Expr, span: Span) -> tir::Expr {
    tir::Expr::new(TK::Compare(op, Box::new(a), Box::new(b)), Type::BOOL, span)
}

fn if_exp(c: tir::Expr, t: tir::Expr, f: tir::Expr, span: Span) -> tir::Expr {
    let ty = t.ty.clone();
    tir::Expr::new(TK::IfExp(Box::new(c), Box::new(t), Box::new(f)), ty, span)
}

/// An `int64` constant.
pub(crate) fn int64(v: i64, span: Span) -> tir::Expr {
    konst(ConstValue::Int(v), Type::I64, span)
}

/// `len(range(start, stop, step))` = `max(0, -((start - stop) // step))`,
/// as an `int64`.
pub(crate) fn range_length(
    start: tir::Expr,
    stop: tir::Expr,
    step: tir::Expr,
    span: Span,
) -> tir::Expr {
    let q = i64_op(
        BinOp::FloorDiv,
        i64_op(BinOp::Sub, start, stop, span),
        step,
        span,
    );
    let n = tir::Expr::new(TK::Unary(tir::UnaryOp::Neg, Box::new(q)), Type::I64, span);
    tir::Expr::new(
        TK::Call(Intrinsic::Max, vec![int64(0, span), n]),
        Type::I64,
        span,
    )
}

impl Checker<'_> {
    /// `range(...)` as a value: the arguments converted to `int64` (a zero
    /// step raises Python's `ValueError`).
    pub(crate) fn range_value(&mut self, args: &[hir::Expr], span: Span) -> R<tir::Expr> {
        let (start, stop, step) = self.range_args(args, span)?;
        let parts = [start, stop, step].map(|x| self.coerce(x, &Type::I64));
        let fields = tir::Expr::new(TK::Tuple(parts.into()), Type::range_fields(), span);
        Ok(tir::Expr::new(
            TK::Cast(Box::new(fields)),
            Type::Range,
            span,
        ))
    }

    /// The start, stop and step of a range value (`int64`s), the range
    /// evaluated once.
    pub(crate) fn range_parts(&mut self, r: tir::Expr) -> [tir::Expr; 3] {
        let span = r.span;
        let fields = match r.kind {
            // A range made here: its parts as given.
            TK::Cast(inner) if inner.ty == Type::range_fields() => *inner,
            kind => tir::Expr::new(
                TK::Cast(Box::new(tir::Expr::new(kind, Type::Range, span))),
                Type::range_fields(),
                span,
            ),
        };
        let parts: Vec<tir::Expr> = match &fields.kind {
            TK::Cast(whole) if matches!(whole.kind, TK::Local(_)) => (0..3)
                .map(|k| tir::Expr::new(TK::TupleGet(Box::new(fields.clone()), k), Type::I64, span))
                .collect(),
            _ => self.tuple_items(fields),
        };
        parts.try_into().expect("three fields")
    }

    /// The positions a range value walks, for a counted loop: `r` must be
    /// evaluated already (a local), as its fields are read twice.
    pub(crate) fn range_seq(&mut self, r: tir::Expr) -> Seq {
        let span = r.span;
        let [start, stop, step] = self.range_parts(r);
        let len = range_length(start.clone(), stop, step.clone(), span);
        Seq::Range { start, step, len }
    }

    /// `len(r)` as a Python int.
    pub(crate) fn range_len_of(&mut self, r: tir::Expr, span: Span) -> tir::Expr {
        let [start, stop, step] = self.range_parts(r);
        cast_scalar(range_length(start, stop, step, span), Scalar::PyInt)
    }

    /// `r.start`, `r.stop`, `r.step`.
    pub(crate) fn range_attribute(&mut self, r: tir::Expr, name: &str, span: Span) -> R<tir::Expr> {
        let Some(k) = ["start", "stop", "step"].iter().position(|n| *n == name) else {
            return Err(error(
                Code::UnknownAttribute,
                span,
                format!("a range has no attribute '{name}'"),
                "a range's attributes are start, stop and step",
            ));
        };
        let parts = self.range_parts(r);
        Ok(cast_scalar(parts[k].clone(), Scalar::PyInt))
    }

    /// `e` in a temporary assigned by an expression pushed on `pre` (a
    /// local or constant as it is), for values read several times.
    fn bound(&mut self, e: tir::Expr, pre: &mut Vec<tir::Expr>) -> tir::Expr {
        if matches!(e.kind, TK::Local(_) | TK::Const(_)) {
            return e;
        }
        let (ty, span) = (e.ty.clone(), e.span);
        let tmp = self.temp("range", ty.clone());
        pre.push(tir::Expr::new(
            TK::SetLocal(tmp, Box::new(e)),
            ty.clone(),
            span,
        ));
        tir::Expr::new(TK::Local(tmp), ty, span)
    }

    /// `x` (evaluated first) and the fields of `r`, in temporaries assigned
    /// in that order by the expressions pushed on `pre`.
    fn bound_parts(
        &mut self,
        x: tir::Expr,
        r: tir::Expr,
        pre: &mut Vec<tir::Expr>,
    ) -> (tir::Expr, [tir::Expr; 3]) {
        let x = self.bound(x, pre);
        let parts = self.range_parts(r).map(|p| self.bound(p, pre));
        (x, parts)
    }

    /// `r[i]`: `start + i * step` for `-len <= i < len` (negative positions
    /// count from the end), Python's `IndexError` outside.
    pub(crate) fn range_item(
        &mut self,
        r: tir::Expr,
        index: &hir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        if matches!(index.kind, hir::ExprKind::Slice { .. }) {
            return Err(error(
                Code::BadIndex,
                index.span,
                "slicing a range is not supported in compiled code",
                "index it with an integer, or make the range you need: range(a, b, step)",
            ));
        }
        let i = self.expr(index)?;
        let i = self.int_index(i)?;
        let mut pre = vec![];
        // Python evaluates the range before the index.
        let r = self.bound(r, &mut pre);
        let (i, [start, stop, step]) = self.bound_parts(i, r, &mut pre);
        let n = range_length(start.clone(), stop, step.clone(), span);
        let n = self.bound(n, &mut pre);
        let negative = cmp(CmpOp::Lt, i.clone(), int64(0, span), span);
        let wrapped = i64_op(BinOp::Add, i.clone(), n.clone(), span);
        let j = self.bound(if_exp(negative, wrapped, i, span), &mut pre);
        // 0 <= j <= len - 1: the smaller of j and len - 1 - j is not negative.
        let exc = self.oracle.exception(ExcSpec::with_message(
            "IndexError",
            "range object index out of range",
        ));
        let last = i64_op(BinOp::Sub, n, int64(1, span), span);
        let room = i64_op(BinOp::Sub, last, j.clone(), span);
        let low = tir::Expr::new(
            TK::Call(Intrinsic::Min, vec![j.clone(), room]),
            Type::I64,
            span,
        );
        pre.push(guard(low, Check::NonNegative, exc));
        let v = i64_op(BinOp::Add, start, i64_op(BinOp::Mul, j, step, span), span);
        Ok(cast_scalar(sequence(pre, v), Scalar::PyInt))
    }

    /// `x in r` for an integer `x`: between the bounds on the step's side
    /// and a whole number of steps from the start.
    pub(crate) fn range_contains(
        &mut self,
        x: tir::Expr,
        r: tir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        match x.ty.scalar() {
            Some(s) if s.is_int() || s == Scalar::Bool => {}
            _ => {
                return Err(error(
                    Code::BadOperand,
                    x.span,
                    format!("`in` a range needs an integer, not {}", x.ty),
                    "convert the value with int(...) first",
                ))
            }
        }
        let x = self.coerce(x, &Type::I64);
        let mut pre = vec![];
        let (x, [start, stop, step]) = self.bound_parts(x, r, &mut pre);
        let falsy = || konst(ConstValue::Bool(false), Type::BOOL, span);
        let and = |a, b| if_exp(a, b, falsy(), span);
        let up = cmp(CmpOp::Gt, step.clone(), int64(0, span), span);
        let inside_up = and(
            cmp(CmpOp::Le, start.clone(), x.clone(), span),
            cmp(CmpOp::Lt, x.clone(), stop.clone(), span),
        );
        let inside_down = and(
            cmp(CmpOp::Le, x.clone(), start.clone(), span),
            cmp(CmpOp::Gt, x.clone(), stop, span),
        );
        let offset = i64_op(BinOp::Sub, x, start, span);
        let on_step = cmp(
            CmpOp::Eq,
            i64_op(BinOp::Mod, offset, step, span),
            int64(0, span),
            span,
        );
        Ok(sequence(
            pre,
            and(if_exp(up, inside_up, inside_down, span), on_step),
        ))
    }
}

/// `value` after the expressions `first`, in order (their values dropped).
fn sequence(first: Vec<tir::Expr>, value: tir::Expr) -> tir::Expr {
    if first.is_empty() {
        return value;
    }
    let (ty, span) = (value.ty.clone(), value.span);
    let k = first.len();
    let mut items = first;
    items.push(value);
    let tuple_ty = Type::Tuple(items.iter().map(|x| x.ty.clone()).collect());
    let all = tir::Expr::new(TK::Tuple(items), tuple_ty, span);
    tir::Expr::new(TK::TupleGet(Box::new(all), k), ty, span)
}

//! `enumerate(...)`, `zip(...)` and `reversed(...)` as loop iterables (in `for` loops and
//! comprehensions): each is a sequence with a length and an item at a
//! position, so the loop is a counted `range` loop over the positions
//! whose target is assigned the item (a tuple for both), with no iterator
//! object at run time. Their parts may be ranges, arrays (items, or rows
//! of an n-d array), lists, strs, sets, or further `enumerate`/`zip`s.

use crate::check::{error, range_call, Checker, R};
use crate::ranges::{i64_op, int64, range_length};
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, ExprKind as HK, Value};
use oxjit_tir::{self as tir, BinOp, ExprKind as TK, Intrinsic};
use oxjit_types::{Scalar, Type};

/// A sequence a counted loop walks by position.
pub(crate) enum Seq {
    /// `range(start, stop, step)`: `start + i * step`.
    Range {
        start: tir::Expr,
        step: tir::Expr,
        len: tir::Expr,
    },
    /// An array (evaluated once): its elements or rows.
    Array(tir::Expr),
    /// A list (evaluated once): its items.
    List(tir::Expr),
    /// A str (evaluated once): its characters.
    Str(tir::Expr),
    /// A set (evaluated once): its items in iteration order.
    Set(tir::Expr),
    /// A tuple of numbers of one type (evaluated once): its items.
    Tuple(tir::Expr),
    /// `enumerate(seq, start)`: `(start + i, seq[i])`.
    Enumerate(Box<Seq>, tir::Expr),
    /// `zip(a, b, ...)`: the shortest length; `(a[i], b[i], ...)`.
    Zip(Vec<Seq>),
    /// `reversed(seq)`: `seq[len - 1 - i]`.
    Reversed(Box<Seq>),
}

/// The builtin `enumerate`/`zip`/`reversed` call `iter` is, if it is one.
pub(crate) fn sequence_builtin(iter: &hir::Expr) -> Option<&'static str> {
    let HK::Call { func, .. } = &iter.kind else {
        return None;
    };
    let HK::Global(Value::Function(p)) = &func.kind else {
        return None;
    };
    ["enumerate", "zip", "reversed"]
        .into_iter()
        .find(|f| p.strip_prefix("builtins.") == Some(f))
}

/// Whether `iter` is walked only by a loop, never a value of its own:
/// `range(...)`, `enumerate(...)`, `zip(...)`, a generator expression.
pub(crate) fn looped(iter: &hir::Expr) -> bool {
    crate::check::range_call(iter).is_some()
        || sequence_builtin(iter).is_some()
        || matches!(
            iter.kind,
            HK::Comprehension {
                kind: hir::CompKind::Generator,
                ..
            }
        )
}

impl Checker<'_> {
    /// The sequence `iter` stands for; its values are evaluated once, into
    /// temporaries assigned in `out` before the loop.
    pub(crate) fn seq_of(&mut self, iter: &hir::Expr, out: &mut Vec<tir::Stmt>) -> R<Seq> {
        if let Some(args) = range_call(iter) {
            let (start, stop, step) = self.range_args(args, iter.span)?;
            let [start, stop, step] = [start, stop, step].map(|x| {
                let x = self.coerce(x, &Type::I64);
                self.once(x, "range", out)
            });
            let len = range_length(start.clone(), stop, step.clone(), iter.span);
            return Ok(Seq::Range { start, step, len });
        }
        if let (Some(kind), HK::Call { args, kwargs, .. }) = (sequence_builtin(iter), &iter.kind) {
            return self.builtin_seq(kind, args, kwargs, iter.span, out);
        }
        let e = self.expr(iter)?;
        let e = self.once(e, "iter", out);
        match &e.ty {
            Type::Array(_) => Ok(Seq::Array(e)),
            Type::List(_) => Ok(Seq::List(e)),
            Type::Str => Ok(Seq::Str(e)),
            Type::Set(_) => Ok(Seq::Set(e)),
            Type::Tuple(_) => Ok(Seq::Tuple(e)),
            Type::Range => Ok(self.range_seq(e)),
            // A comprehension walks a snapshot of the keys.
            Type::Dict(..) => {
                let keys = self.dict_list(e, 0, iter.span);
                Ok(Seq::List(self.once(keys, "keys", out)))
            }
            t => Err(error(
                Code::BadCall,
                iter.span,
                format!("cannot iterate over a value of type {t}"),
                "loop over range(...), an array or a list",
            )),
        }
    }

    fn builtin_seq(
        &mut self,
        kind: &str,
        args: &[hir::Expr],
        kwargs: &[hir::Keyword],
        span: Span,
        out: &mut Vec<tir::Stmt>,
    ) -> R<Seq> {
        if kind == "reversed" {
            let [seq] = args else {
                return Err(error(
                    Code::BadCall,
                    span,
                    "reversed() takes one sequence",
                    "call reversed(seq)",
                ));
            };
            return Ok(Seq::Reversed(Box::new(self.seq_of(seq, out)?)));
        }
        if kind == "zip" {
            if !kwargs.is_empty() {
                return Err(error(
                    Code::BadCall,
                    kwargs[0].span,
                    "zip() takes no keyword arguments in compiled code",
                    "pass the sequences only",
                ));
            }
            let parts = args
                .iter()
                .map(|a| self.seq_of(a, out))
                .collect::<R<Vec<_>>>()?;
            return Ok(Seq::Zip(parts));
        }
        let start = match (args, kwargs) {
            ([_], []) => None,
            ([_, s], []) => Some(s),
            ([_], [k]) if k.name == "start" => Some(&k.value),
            _ => {
                return Err(error(
                    Code::BadCall,
                    span,
                    "enumerate() takes a sequence and an optional start",
                    "call enumerate(seq) or enumerate(seq, start)",
                ))
            }
        };
        let seq = self.seq_of(&args[0], out)?;
        let start = match start {
            Some(s) => {
                let s = self.expr(s)?;
                let s = self.int_index(s)?;
                self.once(s, "start", out)
            }
            None => int64(0, span),
        };
        Ok(Seq::Enumerate(Box::new(seq), start))
    }

    /// How many positions the loop visits.
    pub(crate) fn seq_len(&mut self, seq: &Seq, span: Span) -> tir::Expr {
        match seq {
            Seq::Range { len, .. } => len.clone(),
            Seq::Array(a) => tir::Expr::new(
                TK::Call(Intrinsic::Dim(0), vec![a.clone()]),
                Type::I64,
                span,
            ),
            Seq::List(l) | Seq::Str(l) | Seq::Set(l) => {
                let n = self.list_len(l.clone(), span);
                self.coerce(n, &Type::I64)
            }
            Seq::Enumerate(s, _) | Seq::Reversed(s) => self.seq_len(s, span),
            Seq::Tuple(t) => match &t.ty {
                Type::Tuple(items) => int64(items.len() as i64, span),
                _ => unreachable!("a tuple"),
            },
            Seq::Zip(parts) => {
                let mut lens = parts.iter().map(|p| self.seq_len(p, span));
                let first = lens.next().unwrap_or_else(|| int64(0, span));
                lens.fold(first, |a, b| {
                    tir::Expr::new(TK::Call(Intrinsic::Min, vec![a, b]), Type::I64, span)
                })
            }
        }
    }

    /// The item at position `i` (an `int64` local).
    pub(crate) fn seq_item(&mut self, seq: &Seq, i: &tir::Expr, span: Span) -> R<tir::Expr> {
        Ok(match seq {
            Seq::Range { start, step, .. } => {
                let v = i64_op(
                    BinOp::Add,
                    start.clone(),
                    i64_op(BinOp::Mul, i.clone(), step.clone(), span),
                    span,
                );
                self.coerce(v, &Type::INT)
            }
            Seq::Array(a) => match a.ty.array() {
                Some(at) if at.ndim == 1 => tir::Expr::new(
                    TK::Index {
                        array: Box::new(a.clone()),
                        indices: vec![i.clone()],
                        boundscheck: false,
                    },
                    Type::Scalar(at.dtype),
                    span,
                ),
                _ => self.row(a.clone(), i.clone(), span),
            },
            Seq::List(l) => self.list_item(l.clone(), i.clone(), span),
            Seq::Str(s) => self.str_item(s.clone(), i.clone(), span),
            Seq::Set(s) => self.set_entry(s.clone(), i.clone(), span),
            Seq::Tuple(t) => self.tuple_at(t.clone(), i.clone(), span)?,
            Seq::Enumerate(s, start) => {
                let n = i64_op(BinOp::Add, start.clone(), i.clone(), span);
                let n = self.coerce(n, &Type::Scalar(Scalar::PyInt));
                let x = self.seq_item(s, i, span)?;
                let ty = Type::Tuple(vec![n.ty.clone(), x.ty.clone()]);
                tir::Expr::new(TK::Tuple(vec![n, x]), ty, span)
            }
            Seq::Reversed(s) => {
                let n = self.seq_len(s, span);
                let last = i64_op(BinOp::Sub, n, int64(1, span), span);
                let back = i64_op(BinOp::Sub, last, i.clone(), span);
                self.seq_item(s, &back, span)?
            }
            Seq::Zip(parts) => {
                let items = parts
                    .iter()
                    .map(|p| self.seq_item(p, i, span))
                    .collect::<R<Vec<_>>>()?;
                let ty = Type::Tuple(items.iter().map(|x| x.ty.clone()).collect());
                tir::Expr::new(TK::Tuple(items), ty, span)
            }
        })
    }
}

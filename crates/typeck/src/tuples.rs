//! Tuples as operands: concatenation (`t + u`), comparisons (`==`, `!=`
//! item by item; `<`, `<=`, `>`, `>=` lexicographically, as Python orders
//! sequences), membership (`x in t`, and `x in a` for arrays, which is
//! NumPy's `(a == x).any()`) and the methods `index` and `count`. Each is
//! written in terms of the items' own operations, so any item type that
//! compares compares inside tuples.

use crate::check::{error, Checker, R};
use crate::expr::{cast_scalar, konst};
use oxjit_abi::exc::ExcSpec;
use oxjit_diag::{Code, Span};
use oxjit_hir as hir;
use oxjit_tir::{self as tir, BinOp, Check, ConstValue, ExprKind as TK, ReduceOp};
use oxjit_types::{Scalar, Type};

fn bool_if(c: tir::Expr, t: tir::Expr, f: tir::Expr, span: Span) -> tir::Expr {
    tir::Expr::new(
        TK::IfExp(Box::new(c), Box::new(t), Box::new(f)),
        Type::BOOL,
        span,
    )
}

impl Checker<'_> {
    /// The items of a tuple-valued expression, evaluating it once.
    pub(crate) fn tuple_items(&mut self, e: tir::Expr) -> Vec<tir::Expr> {
        let Type::Tuple(types) = e.ty.clone() else {
            unreachable!("tuple_items of a {}", e.ty)
        };
        if let TK::Tuple(items) = e.kind {
            return items;
        }
        let span = e.span;
        let uses = self.shared(e, types.len().max(1));
        uses.into_iter()
            .zip(types)
            .enumerate()
            .map(|(i, (whole, t))| tir::Expr::new(TK::TupleGet(Box::new(whole), i), t, span))
            .collect()
    }

    /// `t + u` of two tuples.
    pub(crate) fn tuple_concat(&mut self, a: tir::Expr, b: tir::Expr, span: Span) -> tir::Expr {
        let mut items = self.tuple_items(a);
        items.extend(self.tuple_items(b));
        let ty = Type::Tuple(items.iter().map(|x| x.ty.clone()).collect());
        tir::Expr::new(TK::Tuple(items), ty, span)
    }

    /// A comparison of two tuples.
    pub(crate) fn tuple_compare(
        &mut self,
        op: hir::CmpOp,
        a: tir::Expr,
        b: tir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        use hir::CmpOp as C;
        let (la, lb) = (self.tuple_items(a), self.tuple_items(b));
        let (n, m) = (la.len(), lb.len());
        let truth = |v: bool| konst(ConstValue::Bool(v), Type::BOOL, span);
        if matches!(op, C::Eq | C::Ne) {
            // Equal when every item is: `a0 == b0 and a1 == b1 and ...`.
            let mut all = truth(n == m);
            if n == m {
                for (x, y) in la.into_iter().zip(lb).rev() {
                    let eq = self.compare(C::Eq, x, y, span)?;
                    all = bool_if(eq, all, truth(false), span);
                }
            }
            return Ok(if op == C::Eq {
                all
            } else {
                bool_if(all, truth(false), truth(true), span)
            });
        }
        // The first unequal pair decides; if there is none, the lengths do.
        let mut acc = truth(match op {
            C::Lt => n < m,
            C::Le => n <= m,
            C::Gt => n > m,
            _ => n >= m,
        });
        let strict = match op {
            C::Le => C::Lt,
            C::Ge => C::Gt,
            o => o,
        };
        let pairs: Vec<_> = la.into_iter().zip(lb).collect();
        for (x, y) in pairs.into_iter().rev() {
            let [x1, x2] = <[tir::Expr; 2]>::try_from(self.shared(x, 2)).unwrap();
            let [y1, y2] = <[tir::Expr; 2]>::try_from(self.shared(y, 2)).unwrap();
            let eq = self.compare(C::Eq, x1, y1, span)?;
            let decided = self.compare(strict, x2, y2, span)?;
            acc = bool_if(eq, acc, decided, span);
        }
        Ok(acc)
    }

    /// `t[a:b:c]` with constant (or absent) bounds: a tuple of the
    /// selected items, by Python's slice rules.
    pub(crate) fn tuple_slice(
        &mut self,
        t: tir::Expr,
        bounds: [Option<&hir::Expr>; 3],
        span: Span,
    ) -> R<tir::Expr> {
        let mut consts = [None; 3];
        for (k, b) in bounds.iter().enumerate() {
            if let Some(b) = b {
                consts[k] = Some(crate::expr::const_int(b).ok_or_else(|| {
                    error(
                        Code::BadIndex,
                        b.span,
                        "a tuple can only be sliced with constant bounds",
                        "the length of a tuple is part of its type: write the bounds literally",
                    )
                })?);
            }
        }
        let n = match &t.ty {
            Type::Tuple(items) => items.len() as i64,
            _ => unreachable!("tuple_slice of a {}", t.ty),
        };
        let step = consts[2].unwrap_or(1);
        if step == 0 {
            return Err(error(
                Code::BadIndex,
                span,
                "slice step cannot be zero",
                "use a step of 1 or more, or -1",
            ));
        }
        // Python's `slice.indices`.
        let clamp = |v: Option<i64>, default: i64, lo: i64, hi: i64| match v {
            None => default,
            Some(v) if v < 0 => (v + n).max(lo),
            Some(v) => v.min(hi),
        };
        let (start, stop) = if step > 0 {
            (clamp(consts[0], 0, 0, n), clamp(consts[1], n, 0, n))
        } else {
            (
                clamp(consts[0], n - 1, -1, n - 1),
                clamp(consts[1], -1, -1, n - 1),
            )
        };
        let picked: Vec<usize> = std::iter::successors(Some(start), |i| Some(i + step))
            .take_while(|&i| if step > 0 { i < stop } else { i > stop })
            .map(|i| i as usize)
            .collect();
        // The tuple is evaluated once, by the first item taken.
        let Type::Tuple(types) = t.ty.clone() else {
            unreachable!()
        };
        let chosen: Vec<tir::Expr> = match t.kind {
            TK::Tuple(items) => picked.iter().map(|&i| items[i].clone()).collect(),
            _ => {
                let wholes = self.shared(t, picked.len().max(1));
                picked
                    .iter()
                    .zip(wholes)
                    .map(|(&i, w)| {
                        tir::Expr::new(TK::TupleGet(Box::new(w), i), types[i].clone(), span)
                    })
                    .collect()
            }
        };
        let ty = Type::Tuple(chosen.iter().map(|x| x.ty.clone()).collect());
        Ok(tir::Expr::new(TK::Tuple(chosen), ty, span))
    }

    /// `t.index(x)` (the first equal item's position, `ValueError` if none)
    /// and `t.count(x)`.
    pub(crate) fn tuple_method(
        &mut self,
        t: tir::Expr,
        method: &str,
        args: &[hir::Expr],
        span: Span,
    ) -> R<tir::Expr> {
        if !matches!(method, "index" | "count") {
            return Err(error(
                Code::UnknownAttribute,
                span,
                format!("tuples have no method '{method}' in compiled code"),
                "tuples have index() and count()",
            ));
        }
        let [x] = args else {
            return Err(error(
                Code::BadCall,
                span,
                format!("tuple.{method}() takes one argument in compiled code"),
                "pass only the value to look for",
            ));
        };
        let x = self.expr(x)?;
        let items = self.tuple_items(t);
        let mut xs = self.shared(x, items.len().max(1)).into_iter().rev();
        let int = |i: i64| konst(ConstValue::Int(i), Type::I64, span);
        // Built from the last item outwards, so the first item is tested first.
        let mut acc = int(if method == "index" { -1 } else { 0 });
        for (i, item) in items.into_iter().enumerate().rev() {
            let eq = self.compare(hir::CmpOp::Eq, xs.next().unwrap(), item, span)?;
            acc = if method == "index" {
                tir::Expr::new(
                    TK::IfExp(Box::new(eq), Box::new(int(i as i64)), Box::new(acc)),
                    Type::I64,
                    span,
                )
            } else {
                let one = cast_scalar(eq, Scalar::I64);
                tir::Expr::new(
                    TK::Binary(BinOp::Add, Box::new(one), Box::new(acc)),
                    Type::I64,
                    span,
                )
            };
        }
        if method == "index" {
            let missing = self.oracle.exception(ExcSpec::with_message(
                "ValueError",
                "tuple.index(x): x not in tuple",
            ));
            acc = crate::ops::guard(acc, Check::NonNegative, missing);
        }
        Ok(cast_scalar(acc, Scalar::PyInt))
    }

    /// `x in c` for a tuple or an array `c`.
    pub(crate) fn contains(&mut self, x: tir::Expr, c: tir::Expr, span: Span) -> R<tir::Expr> {
        if c.ty.list_item().is_some() {
            return self.list_contains(x, c, span);
        }
        if c.ty.dict_types().is_some() {
            return self.dict_contains(x, c, span);
        }
        if c.ty.set_item().is_some() {
            return self.set_contains(x, c, span);
        }
        if c.ty == Type::Str {
            return self.str_contains(x, c, span);
        }
        if c.ty == Type::Range {
            return self.range_contains(x, c, span);
        }
        if c.ty.array().is_some() {
            let eq = self.compare(hir::CmpOp::Eq, c, x, span)?;
            return self.reduce(ReduceOp::Any, eq, None, None, span);
        }
        let items = self.tuple_items(c);
        let mut xs = self.shared(x, items.len().max(1)).into_iter().rev();
        let mut any = konst(ConstValue::Bool(false), Type::BOOL, span);
        for item in items.into_iter().rev() {
            let eq = self.compare(hir::CmpOp::Eq, xs.next().unwrap(), item, span)?;
            any = bool_if(
                eq,
                konst(ConstValue::Bool(true), Type::BOOL, span),
                any,
                span,
            );
        }
        Ok(any)
    }
}

//! Functions defined in compiled code (`def` inside a function, `lambda`):
//! closures. Each is a jitted function of its own (the driver registers it
//! when it lowers the enclosing function), whose first parameters are the
//! values it captures. Where it is defined, its value is the tuple of
//! those values (captured by value, as Numba does), typed
//! `Type::Closure((id, their types))`; a call passes them before the
//! arguments, so it is a direct call of one specialisation like any other
//! jitted call, and LLVM inlines it. A closure passed to another jitted
//! function specialises that function on it, as a jitted function does.
//! A function picked from a tuple by a run-time index is a choice among
//! direct calls (`Checker::call_chosen`), no function pointer needed.

use crate::check::{error, Checker, R};
use crate::expr::{cast_scalar, konst};
use oxjit_abi::exc::ExcSpec;
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, LocalId as HirLocal};
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK};
use oxjit_types::{unify, Scalar, Type};

impl Checker<'_> {
    /// The value of closure `index` of the function being typed.
    pub(crate) fn closure_value(
        &mut self,
        index: usize,
        captures: &[HirLocal],
        span: Span,
    ) -> R<tir::Expr> {
        let id = self.oracle.closure(self.req.id, index).map_err(|m| {
            error(
                Code::BadCall,
                span,
                m,
                "define the function at module level with @njit",
            )
        })?;
        let mut items = Vec::with_capacity(captures.len());
        for &c in captures {
            let local = oxjit_hir::Expr {
                kind: oxjit_hir::ExprKind::Local(c),
                span,
            };
            items.push(self.expr_opt(&local)?);
        }
        let types: Vec<Type> = items.iter().map(|x| x.ty.clone()).collect();
        let tuple = tir::Expr::new(TK::Tuple(items), Type::Tuple(types.clone()), span);
        Ok(tir::Expr::new(
            TK::Cast(Box::new(tuple)),
            Type::Closure(Box::new((id, types))),
            span,
        ))
    }
}

impl Checker<'_> {
    /// Inside a closure, the closure itself: its captured parameters.
    pub(crate) fn this_closure(&self, span: Span) -> tir::Expr {
        let n = self.req.hir.ncaptures;
        let items: Vec<tir::Expr> = (0..n)
            .map(|i| {
                let id = tir::LocalId(i as u32);
                tir::Expr::new(TK::Local(id), self.req.args[i].clone(), span)
            })
            .collect();
        let types: Vec<Type> = self.req.args[..n].to_vec();
        let tuple = tir::Expr::new(TK::Tuple(items), Type::Tuple(types.clone()), span);
        let ty = Type::Closure(Box::new((self.req.id, types)));
        tir::Expr::new(TK::Cast(Box::new(tuple)), ty, span)
    }
}

/// The captured values of closure value `f`, as leading call arguments.
pub(crate) fn closure_captures(f: tir::Expr) -> Vec<tir::Expr> {
    let Type::Closure(c) = &f.ty else {
        unreachable!("a closure value")
    };
    let types = &c.1;
    let span = f.span;
    let tuple = tir::Expr::new(
        TK::Cast(Box::new(f.clone())),
        Type::Tuple(types.to_vec()),
        span,
    );
    types
        .iter()
        .enumerate()
        .map(|(i, t)| tir::Expr::new(TK::TupleGet(Box::new(tuple.clone()), i), t.clone(), span))
        .collect()
}

/// Whether values of `t` are functions that can be called.
fn callable(t: &Type) -> bool {
    matches!(t, Type::Function(_) | Type::Closure(_))
}

impl Checker<'_> {
    /// `fs[i](args)` for a tuple of functions `fs` and a run-time `i`: the
    /// arguments are evaluated once, then each function is called directly
    /// on its own branch of a choice on `i` (Python's negative indices and
    /// `IndexError`); their results must unify. `None` when `fs` is not a
    /// tuple of functions.
    pub(crate) fn call_chosen(
        &mut self,
        fs: &hir::Expr,
        index: &hir::Expr,
        args: &[hir::Expr],
        kwargs: &[hir::Keyword],
        span: Span,
    ) -> R<Option<tir::Expr>> {
        let t = self.expr(fs)?;
        let n = match &t.ty {
            Type::Tuple(items) if !items.is_empty() && items.iter().all(callable) => {
                items.len() as i64
            }
            _ => return Ok(None),
        };
        self.not_in_while_test("calling a function chosen from a tuple", span)?;
        let i = self.expr(index)?;
        if !i.ty.is_int() {
            return Err(error(
                Code::BadIndex,
                i.span,
                format!("a tuple is indexed with an integer, not a {}", i.ty),
                "index the tuple of functions with an int",
            ));
        }
        let fs = self.stash(t);
        let stash = |ck: &mut Self, e: &hir::Expr| -> R<hir::Expr> {
            let v = ck.expr_opt(e)?;
            Ok(ck.stash(v))
        };
        let args = args.iter().map(|a| stash(self, a)).collect::<R<Vec<_>>>()?;
        let kwargs = kwargs
            .iter()
            .map(|k| {
                Ok(hir::Keyword {
                    value: stash(self, &k.value)?,
                    ..k.clone()
                })
            })
            .collect::<R<Vec<_>>>()?;
        let at = i.span;
        let int = |v: i64| konst(ConstValue::Int(v), Type::I64, at);
        let bin = |op, a: tir::Expr, b: tir::Expr| {
            tir::Expr::new(TK::Binary(op, Box::new(a), Box::new(b)), Type::I64, at)
        };
        let guard = |x: tir::Expr, exc: u32| {
            let check = tir::Check::NonNegative;
            tir::Expr::new(
                TK::Guard {
                    value: Box::new(x),
                    check,
                    exc,
                },
                Type::I64,
                at,
            )
        };
        // `back` = n - 1 - (i, counted from the end when negative), checked
        // to be in [0, n): the function is `fs[n - 1 - back]`.
        let i = self.stash(cast_scalar(i, Scalar::I64));
        let i = self.expr(&i)?;
        let negative = tir::Expr::new(
            TK::Compare(tir::CmpOp::Lt, Box::new(i.clone()), Box::new(int(0))),
            Type::BOOL,
            at,
        );
        let wrapped = bin(tir::BinOp::Add, i.clone(), int(n));
        let j = tir::Expr::new(
            TK::IfExp(Box::new(negative), Box::new(wrapped), Box::new(i)),
            Type::I64,
            at,
        );
        let exc = self.oracle.exception(ExcSpec::with_message(
            "IndexError",
            "tuple index out of range",
        ));
        let back = guard(bin(tir::BinOp::Sub, int(n - 1), guard(j, exc)), exc);
        let back = self.stash(back);
        let back = self.expr(&back)?;
        let mut calls = Vec::with_capacity(n as usize);
        for k in 0..n {
            let f = self.expr(&fs)?;
            let f = tir::Expr::new(
                TK::TupleGet(Box::new(f.clone()), k as usize),
                tuple_item(&f.ty, k),
                at,
            );
            calls.push(self.call_value(f, &args, &kwargs, span)?);
        }
        let first = calls[0].ty.clone();
        let ret = calls
            .iter()
            .try_fold(first, |r, c| unify(&r, &c.ty))
            .ok_or_else(|| {
                error(
                    Code::CannotUnify,
                    span,
                    "the functions of this tuple return values of different types",
                    "choose among functions that return the same type",
                )
            })?;
        let mut calls: Vec<tir::Expr> = calls.into_iter().map(|c| self.coerce(c, &ret)).collect();
        let mut acc = calls.pop().expect("a function");
        for (k, call) in calls.into_iter().enumerate().rev() {
            let hit = tir::Expr::new(
                TK::Compare(
                    tir::CmpOp::Eq,
                    Box::new(back.clone()),
                    Box::new(int(n - 1 - k as i64)),
                ),
                Type::BOOL,
                at,
            );
            acc = tir::Expr::new(
                TK::IfExp(Box::new(hit), Box::new(call), Box::new(acc)),
                ret.clone(),
                span,
            );
        }
        Ok(Some(acc))
    }
}

fn tuple_item(t: &Type, k: i64) -> Type {
    match t {
        Type::Tuple(items) => items[k as usize].clone(),
        _ => unreachable!("a tuple"),
    }
}

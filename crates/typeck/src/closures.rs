//! Functions defined in compiled code (`def` inside a function, `lambda`):
//! closures. Each is a jitted function of its own (the driver registers it
//! when it lowers the enclosing function), whose first parameters are the
//! values it captures. Where it is defined, its value is the tuple of
//! those values (captured by value, as Numba does), typed
//! `Type::Closure((id, their types))`; a call passes them before the
//! arguments, so it is a direct call of one specialisation like any other
//! jitted call, and LLVM inlines it. A closure passed to another jitted
//! function specialises that function on it, as a jitted function does.

use crate::check::{error, Checker, R};
use oxjit_diag::{Code, Span};
use oxjit_hir::LocalId as HirLocal;
use oxjit_tir::{self as tir, ExprKind as TK};
use oxjit_types::Type;

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

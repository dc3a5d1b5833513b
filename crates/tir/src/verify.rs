//! Checks the typed IR's invariants (see the crate docs). Run on every
//! function in tests and debug builds; a failure is a compiler bug, reported
//! with the offending expression's span.

use crate::*;
use oxjit_types::Kind;

pub fn verify(f: &Function) -> Result<(), String> {
    let v = Verifier { f };
    v.block(&f.body)
}

struct Verifier<'a> {
    f: &'a Function,
}

fn fail<T>(span: oxjit_diag::Span, msg: String) -> Result<T, String> {
    Err(format!("typed IR invariant broken at {}..{}: {msg}", span.start, span.end))
}

impl Verifier<'_> {
    fn block(&self, stmts: &[Stmt]) -> Result<(), String> {
        stmts.iter().try_for_each(|s| self.stmt(s))
    }

    fn expect(&self, e: &Expr, ty: &Type) -> Result<(), String> {
        self.expr(e)?;
        if &e.ty != ty {
            return fail(e.span, format!("expected {ty:#}, found {:#}", e.ty));
        }
        Ok(())
    }

    fn stmt(&self, s: &Stmt) -> Result<(), String> {
        match &s.kind {
            StmtKind::Assign(id, e) => self.expect(e, &self.f.local(*id).ty),
            StmtKind::Store { array, indices, value, .. } => {
                self.expr(array)?;
                let Some(a) = array.ty.array() else { return fail(array.span, "store into a non-array".into()) };
                if indices.len() != a.ndim as usize {
                    return fail(s.span, "index count differs from ndim".into());
                }
                indices.iter().try_for_each(|i| self.int(i))?;
                self.expect(value, &Type::Scalar(a.dtype))
            }
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::If { cond, then, orelse } | StmtKind::While { cond, body: then, orelse } => {
                self.expect(cond, &Type::BOOL)?;
                self.block(then)?;
                self.block(orelse)
            }
            StmtKind::ForRange { var, start, stop, step, body, orelse } => {
                let ty = &self.f.local(*var).ty;
                if !ty.is_int() {
                    return fail(s.span, "range variable is not an integer".into());
                }
                self.expect(start, ty)?;
                self.expect(stop, ty)?;
                self.expect(step, ty)?;
                self.block(body)?;
                self.block(orelse)
            }
            StmtKind::Return(e) => self.expect(e, &self.f.ret),
            StmtKind::Break | StmtKind::Continue | StmtKind::Raise(_) => Ok(()),
        }
    }

    fn int(&self, e: &Expr) -> Result<(), String> {
        self.expr(e)?;
        if !e.ty.is_int() {
            return fail(e.span, format!("expected an integer, found {:#}", e.ty));
        }
        Ok(())
    }

    fn expr(&self, e: &Expr) -> Result<(), String> {
        match &e.kind {
            ExprKind::Const(_) => Ok(()),
            ExprKind::Local(id) => {
                if self.f.local(*id).ty != e.ty {
                    return fail(e.span, "local read with a type other than its declared one".into());
                }
                Ok(())
            }
            ExprKind::SetLocal(id, x) => {
                self.expect(x, &self.f.local(*id).ty)?;
                self.expect(x, &e.ty)
            }
            ExprKind::Cast(x) => {
                self.expr(x)?;
                if x.ty.scalar().is_none() || e.ty.scalar().is_none() {
                    return fail(e.span, format!("cast between non-scalars {:#} -> {:#}", x.ty, e.ty));
                }
                Ok(())
            }
            ExprKind::Unary(_, x) => self.expect(x, &e.ty),
            ExprKind::Binary(op, a, b) => {
                self.expect(a, &e.ty)?;
                let int_rhs = matches!(op, BinOp::LShift | BinOp::RShift)
                    || (*op == BinOp::Pow && e.ty.is_int());
                if int_rhs {
                    self.int(b)
                } else {
                    if *op == BinOp::Div && e.scalar().is_some_and(|s| s.kind() <= Kind::Int) {
                        return fail(e.span, "true division of integers".into());
                    }
                    self.expect(b, &e.ty)
                }
            }
            ExprKind::Compare(_, a, b) => {
                self.expr(a)?;
                self.expect(b, &a.ty)?;
                self.is(e, &Type::BOOL)
            }
            ExprKind::Truth(x) => {
                self.expr(x)?;
                self.is(e, &Type::BOOL)
            }
            ExprKind::IfExp(c, t, f) => {
                self.expect(c, &Type::BOOL)?;
                self.expect(t, &e.ty)?;
                self.expect(f, &e.ty)
            }
            ExprKind::Guard { value, .. } => self.expect(value, &e.ty),
            ExprKind::Call(_, args) | ExprKind::CallFunc { args, .. } | ExprKind::Tuple(args) => {
                args.iter().try_for_each(|a| self.expr(a))
            }
            ExprKind::TupleGet(x, i) => {
                self.expr(x)?;
                match &x.ty {
                    Type::Tuple(items) if items.get(*i) == Some(&e.ty) => Ok(()),
                    _ => fail(e.span, "tuple element type mismatch".into()),
                }
            }
            ExprKind::Index { array, indices, .. } => {
                self.expr(array)?;
                indices.iter().try_for_each(|i| self.int(i))?;
                match array.ty.array() {
                    Some(a) if a.ndim as usize == indices.len() && Type::Scalar(a.dtype) == e.ty => Ok(()),
                    _ => fail(e.span, "index of a non-array or with a wrong number of indices".into()),
                }
            }
        }
    }

    fn is(&self, e: &Expr, ty: &Type) -> Result<(), String> {
        if &e.ty != ty {
            return fail(e.span, format!("expected {ty:#}, found {:#}", e.ty));
        }
        Ok(())
    }
}

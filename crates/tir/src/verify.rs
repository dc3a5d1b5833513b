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
    Err(format!(
        "typed IR invariant broken at {}..{}: {msg}",
        span.start, span.end
    ))
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
            StmtKind::Store {
                array,
                indices,
                value,
                ..
            } => {
                self.expr(array)?;
                if let Some(item) = array.ty.list_item() {
                    if indices.len() != 1 {
                        return fail(s.span, "a list item takes one index".into());
                    }
                    self.int(&indices[0])?;
                    return self.expect(value, item);
                }
                let Some(a) = array.ty.array() else {
                    return fail(array.span, "store into a non-array".into());
                };
                if a.readonly {
                    return fail(array.span, "store into a read-only array".into());
                }
                if indices.len() != a.ndim as usize {
                    return fail(s.span, "index count differs from ndim".into());
                }
                indices.iter().try_for_each(|i| self.int(i))?;
                self.expect(value, &Type::Scalar(a.dtype))
            }
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::If { cond, then, orelse }
            | StmtKind::While {
                cond,
                body: then,
                orelse,
            } => {
                self.expect(cond, &Type::BOOL)?;
                self.block(then)?;
                self.block(orelse)
            }
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                body,
                orelse,
                parallel,
            } => {
                let ty = &self.f.local(*var).ty;
                if !ty.is_int() {
                    return fail(s.span, "range variable is not an integer".into());
                }
                self.expect(start, ty)?;
                self.expect(stop, ty)?;
                self.expect(step, ty)?;
                for r in parallel.iter().flat_map(|p| &p.reductions) {
                    let ty = &self.f.local(r.local).ty;
                    if ty.scalar().is_none() || self.f.local(r.partial).ty != *ty {
                        return fail(
                            s.span,
                            "a prange reduction must be a scalar local with a partial of its type"
                                .into(),
                        );
                    }
                    self.expect(&r.identity, ty)?;
                    self.block(&r.combine)?;
                }
                self.block(body)?;
                self.block(orelse)
            }
            StmtKind::Return(e) => self.expect(e, &self.f.ret),
            StmtKind::RaiseValue(e) => self.expect(e, &Type::Exception),
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finally,
            } => {
                for h in handlers {
                    if let Some(id) = h.bind {
                        if self.f.local(id).ty != Type::Exception {
                            return fail(
                                s.span,
                                "an exception is bound to a non-exception local".into(),
                            );
                        }
                    }
                    self.block(&h.body)?;
                }
                self.block(body)?;
                self.block(orelse)?;
                self.block(finally)
            }
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
            ExprKind::Const(ConstValue::Unit) if e.ty.size_align().0 != 0 => {
                fail(e.span, format!("unit constant of sized type {:#}", e.ty))
            }
            ExprKind::Const(ConstValue::Str(_)) if e.ty != Type::Str => {
                fail(e.span, format!("string constant of type {:#}", e.ty))
            }
            ExprKind::Const(_) => Ok(()),
            ExprKind::Local(id) => {
                if self.f.local(*id).ty != e.ty {
                    return fail(
                        e.span,
                        "local read with a type other than its declared one".into(),
                    );
                }
                Ok(())
            }
            ExprKind::SetLocal(id, x) => {
                self.expect(x, &self.f.local(*id).ty)?;
                self.expect(x, &e.ty)
            }
            ExprKind::Cast(x) => {
                self.expr(x)?;
                let relayout = matches!((x.ty.array(), e.ty.array()), (Some(a), Some(b)) if a.dtype == b.dtype && a.ndim == b.ndim);
                // A range is stored as its (start, stop, step) tuple.
                let range = [&x.ty, &e.ty].contains(&&Type::Range)
                    && [&x.ty, &e.ty].contains(&&Type::range_fields());
                // A closure is stored as the tuple of its captured values.
                let closure = match (&x.ty, &e.ty) {
                    (Type::Closure(c), Type::Tuple(t)) | (Type::Tuple(t), Type::Closure(c)) => {
                        c.1 == *t
                    }
                    _ => false,
                };
                let optional = match (&x.ty, &e.ty) {
                    (Type::None, Type::Optional(_)) => true,
                    (t, Type::Optional(v)) | (Type::Optional(v), t) => **v == *t,
                    _ => false,
                };
                if !relayout
                    && !range
                    && !closure
                    && !optional
                    && (x.ty.scalar().is_none() || e.ty.scalar().is_none())
                {
                    return fail(
                        e.span,
                        format!("cast between non-scalars {:#} -> {:#}", x.ty, e.ty),
                    );
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
            ExprKind::Call(_, args)
            | ExprKind::CallFunc { args, .. }
            | ExprKind::Tuple(args)
            | ExprKind::RuntimeCall { args, .. } => args.iter().try_for_each(|a| self.expr(a)),
            ExprKind::TupleGet(x, i) => {
                self.expr(x)?;
                match &x.ty {
                    Type::Tuple(items) if items.get(*i) == Some(&e.ty) => Ok(()),
                    _ => fail(e.span, "tuple element type mismatch".into()),
                }
            }
            ExprKind::Elementwise {
                inputs,
                body,
                shape,
                out,
            } => {
                inputs.iter().try_for_each(|x| self.expr(x))?;
                shape.iter().flatten().try_for_each(|x| self.int(x))?;
                let dtype = match out {
                    Some(o) => {
                        self.expr(o)?;
                        self.is(e, &Type::None)?;
                        if o.ty.array().is_some_and(|a| a.readonly) {
                            return fail(o.span, "elementwise output is read-only".into());
                        }
                        o.ty.array().map(|a| a.dtype)
                    }
                    None => e.ty.array().map(|a| a.dtype),
                };
                let Some(dtype) = dtype else {
                    return fail(e.span, "elementwise result is not an array".into());
                };
                if matches!(body.kind, ExprKind::Uninit)
                    && !(inputs.is_empty() && shape.is_some() && out.is_none())
                {
                    return fail(
                        body.span,
                        "uninit body of an elementwise that is not a fill of a new array".into(),
                    );
                }
                if body.ty != Type::Scalar(dtype) {
                    return fail(
                        body.span,
                        format!(
                            "elementwise body has type {:#}, the result dtype is {dtype}",
                            body.ty
                        ),
                    );
                }
                Ok(())
            }
            ExprKind::ElemInput(_) | ExprKind::ElemIndex(_) => Ok(()),
            ExprKind::Uninit => fail(e.span, "uninit outside an elementwise fill".into()),
            ExprKind::View { array, dims, .. } => {
                self.expr(array)?;
                for d in dims {
                    match d {
                        ViewDim::Index(i) => self.int(i)?,
                        ViewDim::Slice { start, stop, step } => [start, stop, step]
                            .into_iter()
                            .flatten()
                            .try_for_each(|x| self.int(x))?,
                        ViewDim::NewAxis => {}
                    }
                }
                self.array_result(array, e)
            }
            ExprKind::Transpose { array, .. } => self.array_result(array, e),
            ExprKind::Reshape { array, shape } => {
                shape.iter().try_for_each(|x| self.int(x))?;
                self.array_result(array, e)
            }
            ExprKind::Reduce { array, ddof, .. } => {
                self.expr(array)?;
                ddof.iter().try_for_each(|d| self.int(d))?;
                if array.ty.array().is_none() {
                    return fail(e.span, "reduction of a non-array".into());
                }
                Ok(())
            }
            ExprKind::Index { array, indices, .. } => {
                self.expr(array)?;
                indices.iter().try_for_each(|i| self.int(i))?;
                if let Some(item) = array.ty.list_item() {
                    return match indices.len() == 1 && item == &e.ty {
                        true => Ok(()),
                        false => fail(e.span, "list item with a wrong index or type".into()),
                    };
                }
                match array.ty.array() {
                    Some(a)
                        if a.ndim as usize == indices.len() && Type::Scalar(a.dtype) == e.ty =>
                    {
                        Ok(())
                    }
                    _ => fail(
                        e.span,
                        "index of a non-array or with a wrong number of indices".into(),
                    ),
                }
            }
        }
    }

    /// A view: an array of the same dtype as its source.
    fn array_result(&self, array: &Expr, e: &Expr) -> Result<(), String> {
        self.expr(array)?;
        match (array.ty.array(), e.ty.array()) {
            (Some(a), Some(r)) if a.dtype == r.dtype => Ok(()),
            _ => fail(e.span, format!("view of {:#} typed {:#}", array.ty, e.ty)),
        }
    }

    fn is(&self, e: &Expr, ty: &Type) -> Result<(), String> {
        if &e.ty != ty {
            return fail(e.span, format!("expected {ty:#}, found {:#}", e.ty));
        }
        Ok(())
    }
}

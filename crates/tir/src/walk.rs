//! Tree walks and the analyses built on them: [`walk`] visits every
//! statement and expression of a body in one order, so a pass that looks
//! for something states only what it looks for.

use crate::{Expr, ExprKind, Function, LocalId, Parallel, Stmt, StmtKind};
use oxjit_diag::Span;

/// A node of a body, for [`walk`].
#[derive(Clone, Copy, Debug)]
pub enum Node<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
}

/// Visits every statement of `stmts` and of their nested blocks, and every
/// expression in them with its sub-expressions: each node before its
/// children, a statement's expressions before its blocks.
pub fn walk<'a>(stmts: &'a [Stmt], visit: &mut impl FnMut(Node<'a>)) {
    for s in stmts {
        visit(Node::Stmt(s));
        let (exprs, blocks) = s.parts();
        exprs.into_iter().for_each(|e| e.walk(visit));
        blocks.into_iter().for_each(|b| walk(b, visit));
    }
}

impl Expr {
    /// Visits this expression and every sub-expression, each before its
    /// children.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(Node<'a>)) {
        visit(Node::Expr(self));
        self.children().into_iter().for_each(|c| c.walk(visit));
    }
}

/// Every local `stmts` assign (by statement, by `:=` or by `except ... as`), in first-assignment
/// order, without repeats.
pub fn assigned(stmts: &[Stmt]) -> Vec<LocalId> {
    let mut out = Vec::new();
    let mut add = |id: LocalId| {
        if !out.contains(&id) {
            out.push(id);
        }
    };
    walk(stmts, &mut |n| match n {
        Node::Stmt(Stmt {
            kind: StmtKind::Assign(id, _),
            ..
        })
        | Node::Expr(Expr {
            kind: ExprKind::SetLocal(id, _),
            ..
        }) => add(*id),
        // An `except ... as e` assigns `e`.
        Node::Stmt(Stmt {
            kind: StmtKind::Try { handlers, .. },
            ..
        }) => handlers.iter().filter_map(|h| h.bind).for_each(&mut add),
        _ => {}
    });
    out
}

impl Function {
    /// The symbols of the jitted functions this function calls, in order
    /// of appearance (with repeats).
    pub fn callees(&self) -> Vec<&str> {
        let mut out = Vec::new();
        walk(&self.body, &mut |n| {
            if let Node::Expr(Expr {
                kind: ExprKind::CallFunc { symbol, .. },
                ..
            }) = n
            {
                out.push(symbol.as_str());
            }
        });
        out
    }

    /// Every `prange` loop, outermost first: its span and parallel form.
    pub fn parallel_loops(&self) -> Vec<(Span, &Parallel, &[Stmt])> {
        let mut out = Vec::new();
        walk(&self.body, &mut |n| {
            if let Node::Stmt(Stmt {
                kind:
                    StmtKind::ForRange {
                        body,
                        parallel: Some(p),
                        ..
                    },
                span,
            }) = n
            {
                out.push((*span, &**p, body.as_slice()));
            }
        });
        out
    }
}

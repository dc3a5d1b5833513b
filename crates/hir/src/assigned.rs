//! Reads of locals that cannot have been assigned: Python would raise
//! `UnboundLocalError` on every path, so it is a compile error. The analysis
//! is "maybe assigned": a read is rejected only if no path reaches it with the
//! variable assigned (loops count assignments anywhere in their body, which
//! can reach the top through the back edge), so no valid program is refused.

use crate::*;
use oxjit_diag::{Code, Diagnostic};
use std::collections::HashSet;

pub fn check(f: &Function) -> Vec<Diagnostic> {
    let mut cx = Cx {
        f,
        diags: Vec::new(),
        reported: HashSet::new(),
    };
    let mut maybe: HashSet<LocalId> = f.params().collect();
    cx.block(&f.body, &mut maybe);
    cx.diags
}

struct Cx<'a> {
    f: &'a Function,
    diags: Vec<Diagnostic>,
    reported: HashSet<LocalId>,
}

/// Every local a block may assign.
pub(crate) fn assigned_in(stmts: &[Stmt], out: &mut HashSet<LocalId>) {
    crate::walk_stmts(stmts, &mut |s| {
        s.targets().into_iter().for_each(|t| target_locals(t, out))
    });
}

pub(crate) fn target_locals(t: &Target, out: &mut HashSet<LocalId>) {
    t.visit_locals(&mut |id, _| {
        out.insert(id);
    });
}

impl Cx<'_> {
    fn block(&mut self, stmts: &[Stmt], maybe: &mut HashSet<LocalId>) {
        for s in stmts {
            self.stmt(s, maybe);
        }
    }

    fn stmt(&mut self, s: &Stmt, maybe: &mut HashSet<LocalId>) {
        match &s.kind {
            StmtKind::Assign { targets, value } => {
                self.expr(value, maybe);
                for t in targets {
                    self.target(t, maybe);
                    target_locals(t, maybe);
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expr(value, maybe);
                self.target_read(target, maybe);
            }
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) | StmtKind::Raise(Some(e)) => {
                self.expr(e, maybe)
            }
            StmtKind::If { test, body, orelse } => {
                self.expr(test, maybe);
                let mut other = maybe.clone();
                self.block(body, maybe);
                self.block(orelse, &mut other);
                maybe.extend(other);
            }
            StmtKind::While { test, body, orelse } => {
                assigned_in(body, maybe);
                self.expr(test, maybe);
                self.block(body, maybe);
                self.block(orelse, maybe);
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.expr(iter, maybe);
                target_locals(target, maybe);
                assigned_in(body, maybe);
                self.target(target, maybe);
                self.block(body, maybe);
                self.block(orelse, maybe);
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                // A handler may start anywhere in the body.
                let mut at_handler = maybe.clone();
                assigned_in(body, &mut at_handler);
                self.block(body, maybe);
                self.block(orelse, maybe);
                for h in handlers {
                    let mut m = at_handler.clone();
                    if let Some(c) = &h.class {
                        self.expr(c, &m);
                    }
                    m.extend(h.name);
                    self.block(&h.body, &mut m);
                    maybe.extend(m);
                }
                // `finally` also runs after a raise that nothing caught.
                maybe.extend(at_handler);
                self.block(finalbody, maybe);
            }
            StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Pass
            | StmtKind::Return(None)
            | StmtKind::Raise(None) => {}
        }
    }

    /// The reads a target performs (subscript bases and indices).
    fn target(&mut self, t: &Target, maybe: &HashSet<LocalId>) {
        match t {
            Target::Local(..) => {}
            Target::Tuple(items, _) => items.iter().for_each(|t| self.target(t, maybe)),
            Target::Subscript { base, index, .. } => {
                self.expr(base, maybe);
                self.expr(index, maybe);
            }
        }
    }

    /// An augmented assignment reads its target first.
    fn target_read(&mut self, t: &Target, maybe: &HashSet<LocalId>) {
        match t {
            Target::Local(id, span) => self.read(*id, *span, maybe),
            _ => self.target(t, maybe),
        }
    }

    fn read(&mut self, id: LocalId, span: oxjit_diag::Span, maybe: &HashSet<LocalId>) {
        if !maybe.contains(&id) && self.reported.insert(id) {
            let name = &self.f.local(id).name;
            self.diags.push(
                Diagnostic::new(
                    Code::Unassigned,
                    span,
                    format!("local variable '{name}' is read before it is assigned"),
                )
                .with_hint(format!("assign '{name}' a value before this line")),
            );
        }
    }

    fn expr(&mut self, e: &Expr, maybe: &HashSet<LocalId>) {
        crate::reads(e, &mut |id, span| self.read(id, span, maybe));
    }
}

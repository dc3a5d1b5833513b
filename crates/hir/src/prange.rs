//! `prange` loops: which locals are reductions, and whether iterations are
//! independent so that they can run in parallel.
//!
//! A local assigned in the loop body is either a *reduction* — every write
//! is `x op= e`, `x = x op e` or `x = min(x, e)`/`max` with one combining
//! operation, and `x` is read nowhere else in the body — or *private*: each
//! iteration gets its own copy, so it must be assigned before it is read in
//! the same iteration ("definitely assigned" along every path). A read that
//! may see the previous iteration's value is a cross-iteration dependence
//! and an error naming the variable. Locals the body never assigns are
//! shared, read-only.

use std::collections::{HashMap, HashSet};

use oxjit_diag::{Code, Diagnostic, Span};

use crate::assigned::{assigned_in, target_locals};
use crate::*;

/// How a reduction's partial results combine (`-=` accumulates a negated
/// sum, so it combines by addition).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reduction {
    Add,
    Mul,
    BitOr,
    BitAnd,
    BitXor,
    Min,
    Max,
}

/// The result of analysing a `prange` loop.
#[derive(Clone, Debug, Default)]
pub struct ParallelLoop {
    /// Reduction locals in order of first appearance.
    pub reductions: Vec<(LocalId, Reduction)>,
    /// The reductions written as `x = x op e` / `x = min(x, e)` somewhere
    /// (a new value) rather than only as `x op= e` (in place for arrays).
    pub rebound: Vec<LocalId>,
}

/// Whether `iter` is a call of `prange`.
pub fn is_prange(iter: &Expr) -> bool {
    matches!(&iter.kind, ExprKind::Call { func, .. }
        if matches!(&func.kind, ExprKind::Global(Value::Function(n)) if n == "oxjit.prange"))
}

/// Analyses `for target in prange(...): body` of function `f`.
pub fn analyse_prange(
    f: &Function,
    target: &Target,
    body: &[Stmt],
) -> Result<ParallelLoop, Diagnostic> {
    let mut writes: HashMap<LocalId, Vec<Option<Reduction>>> = HashMap::new();
    let mut order = Vec::new();
    collect_writes(body, &mut writes, &mut order);
    let mut targets = HashSet::new();
    target_locals(target, &mut targets);
    // The loop variable is private even if the body accumulates into it.
    let mut candidates: HashSet<LocalId> = writes
        .iter()
        .filter(|(id, ws)| {
            !targets.contains(id) && ws[0].is_some() && ws.iter().all(|w| *w == ws[0])
        })
        .map(|(id, _)| *id)
        .collect();
    // A reduction's value is read only by its own accumulating statements.
    walk_reads(body, &candidates.clone(), &mut |id, _| {
        candidates.remove(&id);
    });
    let mut assigned = HashSet::new();
    assigned_in(body, &mut assigned);
    let private: HashSet<LocalId> = assigned.difference(&candidates).copied().collect();
    let mut defined = targets;
    let mut cx = Deps {
        f,
        private: &private,
        error: None,
    };
    cx.block(body, &mut defined, 0);
    if let Some(d) = cx.error {
        return Err(d);
    }
    let mut seen = HashSet::new();
    let reductions = order
        .into_iter()
        .filter(|id| candidates.contains(id) && seen.insert(*id))
        .map(|id| (id, writes[&id][0].expect("candidates are reductions")))
        .collect();
    let mut rebound = Vec::new();
    find_rebinds(body, &candidates, &mut rebound);
    Ok(ParallelLoop {
        reductions,
        rebound,
    })
}

/// `x op= e`, `x = x op e`, `x = e op x` (commutative `op`) and
/// `x = min(x, e)` / `max`: the local, the combining operation and `e`.
fn reduction_write(s: &Stmt) -> Option<(LocalId, Reduction, &Expr)> {
    let combine = |op: BinOp| match op {
        BinOp::Add | BinOp::Sub => Some(Reduction::Add),
        BinOp::Mul => Some(Reduction::Mul),
        BinOp::BitOr => Some(Reduction::BitOr),
        BinOp::BitAnd => Some(Reduction::BitAnd),
        BinOp::BitXor => Some(Reduction::BitXor),
        _ => None,
    };
    let is = |e: &Expr, x: LocalId| matches!(e.kind, ExprKind::Local(y) if y == x);
    match &s.kind {
        StmtKind::AugAssign {
            target: Target::Local(x, _),
            op,
            value,
        } => Some((*x, combine(*op)?, value)),
        StmtKind::Assign { targets, value } => {
            let [Target::Local(x, _)] = targets.as_slice() else {
                return None;
            };
            let x = *x;
            match &value.kind {
                ExprKind::Binary(op, a, b) if is(a, x) => Some((x, combine(*op)?, b)),
                ExprKind::Binary(op, a, b) if is(b, x) && *op != BinOp::Sub => {
                    Some((x, combine(*op)?, a))
                }
                ExprKind::Call { func, args, kwargs } if kwargs.is_empty() && args.len() == 2 => {
                    let red = match &func.kind {
                        ExprKind::Global(Value::Function(n)) if n == "builtins.min" => {
                            Reduction::Min
                        }
                        ExprKind::Global(Value::Function(n)) if n == "builtins.max" => {
                            Reduction::Max
                        }
                        _ => return None,
                    };
                    match (is(&args[0], x), is(&args[1], x)) {
                        (true, false) => Some((x, red, &args[1])),
                        (false, true) => Some((x, red, &args[0])),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The locals of `of` that `stmts` assign with `=` (not `op=`).
fn find_rebinds(stmts: &[Stmt], of: &HashSet<LocalId>, out: &mut Vec<LocalId>) {
    for s in stmts {
        if let StmtKind::Assign { targets, .. } = &s.kind {
            let mut ids = HashSet::new();
            targets.iter().for_each(|t| target_locals(t, &mut ids));
            for id in ids {
                if of.contains(&id) && !out.contains(&id) {
                    out.push(id);
                }
            }
        }
        s.blocks()
            .into_iter()
            .for_each(|b| find_rebinds(b, of, out));
    }
}

/// Every write of a local in `stmts`: `Some(op)` for a reduction write.
fn collect_writes(
    stmts: &[Stmt],
    out: &mut HashMap<LocalId, Vec<Option<Reduction>>>,
    order: &mut Vec<LocalId>,
) {
    for s in stmts {
        if let Some((x, red, _)) = reduction_write(s) {
            out.entry(x).or_default().push(Some(red));
            order.push(x);
            continue;
        }
        let mut targets = HashSet::new();
        s.targets()
            .into_iter()
            .for_each(|t| target_locals(t, &mut targets));
        for x in targets {
            out.entry(x).or_default().push(None);
        }
        for block in s.blocks() {
            collect_writes(block, out, order);
        }
    }
}

/// The expressions `s` evaluates, except a reduction's accumulator.
fn evaluated(s: &Stmt) -> Vec<&Expr> {
    if let Some((_, _, operand)) = reduction_write(s) {
        return vec![operand];
    }
    fn target<'a>(t: &'a Target, out: &mut Vec<&'a Expr>) {
        match t {
            Target::Local(..) => {}
            Target::Tuple(items, _) => items.iter().for_each(|t| target(t, out)),
            Target::Subscript { base, index, .. } => out.extend([base, index]),
        }
    }
    let mut out = Vec::new();
    match &s.kind {
        StmtKind::Assign { targets, value } => {
            out.push(value);
            targets.iter().for_each(|t| target(t, &mut out));
        }
        StmtKind::AugAssign {
            target: t, value, ..
        } => {
            out.push(value);
            target(t, &mut out);
        }
        StmtKind::Expr(e) | StmtKind::Return(Some(e)) | StmtKind::Raise(Some(e)) => out.push(e),
        StmtKind::If { test, .. } | StmtKind::While { test, .. } => out.push(test),
        StmtKind::For { iter, .. } => out.push(iter),
        _ => {}
    }
    out
}

/// Reads of the locals in `of` anywhere in `stmts` (not counting reduction
/// accumulators).
fn walk_reads(stmts: &[Stmt], of: &HashSet<LocalId>, f: &mut impl FnMut(LocalId, Span)) {
    for s in stmts {
        for e in evaluated(s) {
            reads(e, &mut |id, span| {
                if of.contains(&id) {
                    f(id, span)
                }
            });
        }
        if let StmtKind::AugAssign {
            target: Target::Local(x, span),
            ..
        } = &s.kind
        {
            if reduction_write(s).is_none() && of.contains(x) {
                f(*x, *span);
            }
        }
        for block in s.blocks() {
            walk_reads(block, of, f);
        }
    }
}

/// The dependence check: reads of private locals must follow an assignment
/// in the same iteration.
struct Deps<'a> {
    f: &'a Function,
    private: &'a HashSet<LocalId>,
    error: Option<Diagnostic>,
}

impl Deps<'_> {
    fn fail(&mut self, span: Span, message: String, hint: String) {
        if self.error.is_none() {
            self.error = Some(Diagnostic::new(Code::ParallelLoop, span, message).with_hint(hint));
        }
    }

    fn read(&mut self, id: LocalId, span: Span, defined: &HashSet<LocalId>) {
        if self.private.contains(&id) && !defined.contains(&id) {
            let name = self.f.local(id).name.clone();
            self.fail(
                span,
                format!("'{name}' may be read here before this iteration assigns it, so each iteration of the prange loop would depend on the previous one"),
                format!("assign '{name}' before this read in every iteration, accumulate it with a reduction ({name} += ..., {name} = min({name}, ...)), or use range() for this loop"),
            );
        }
    }

    fn exprs(&mut self, s: &Stmt, defined: &HashSet<LocalId>) {
        for e in evaluated(s) {
            reads(e, &mut |id, span| self.read(id, span, defined));
        }
    }

    /// `depth` counts the serial loops nested inside the prange loop.
    fn block(&mut self, stmts: &[Stmt], defined: &mut HashSet<LocalId>, depth: usize) {
        for s in stmts {
            self.stmt(s, defined, depth);
        }
    }

    fn stmt(&mut self, s: &Stmt, defined: &mut HashSet<LocalId>, depth: usize) {
        match &s.kind {
            StmtKind::Assign { targets, .. } => {
                self.exprs(s, defined);
                targets.iter().for_each(|t| target_locals(t, defined));
            }
            StmtKind::AugAssign { target, .. } => {
                self.exprs(s, defined);
                if let (Target::Local(x, span), None) = (target, reduction_write(s)) {
                    self.read(*x, *span, defined);
                }
            }
            StmtKind::If { body, orelse, .. } => {
                self.exprs(s, defined);
                let mut other = defined.clone();
                self.block(body, defined, depth);
                self.block(orelse, &mut other, depth);
                defined.retain(|id| other.contains(id));
            }
            StmtKind::While { body, orelse, .. } => {
                self.exprs(s, defined);
                self.block(body, &mut defined.clone(), depth + 1);
                self.block(orelse, &mut defined.clone(), depth);
            }
            StmtKind::For {
                target,
                body,
                orelse,
                ..
            } => {
                self.exprs(s, defined);
                let mut inner = defined.clone();
                target_locals(target, &mut inner);
                self.block(body, &mut inner, depth + 1);
                // The body may not run: its assignments do not count here.
                self.block(orelse, &mut defined.clone(), depth);
            }
            StmtKind::Break if depth == 0 => self.fail(
                s.span,
                "a prange loop cannot be left with break".into(),
                "use range() for a loop that may stop early".into(),
            ),
            StmtKind::Return(_) => self.fail(
                s.span,
                "a prange loop cannot return from the function".into(),
                "store results in an array and return after the loop, or use range()".into(),
            ),
            StmtKind::Try { .. } => {
                // Any part may be cut short: none of their assignments
                // count after the statement.
                for b in s.blocks() {
                    self.block(b, &mut defined.clone(), depth);
                }
            }
            StmtKind::Expr(_) | StmtKind::Raise(_) => self.exprs(s, defined),
            StmtKind::Break | StmtKind::Continue | StmtKind::Pass => {}
        }
    }
}

/// Reads, after a `prange` loop, of the locals private to it (its variable
/// and what its body assigns, reductions aside): a parallel loop does not
/// leave the last iteration's values in them, so such a read would differ
/// from Python. A read counts until the local is assigned again; loops
/// around a `prange` are walked twice so that their next iteration counts.
pub fn private_reads_after_prange(f: &Function) -> Vec<Diagnostic> {
    let mut cx = Escapes {
        f,
        diags: Vec::new(),
        reported: HashSet::new(),
    };
    cx.block(&f.body, &mut HashSet::new());
    cx.diags
}

struct Escapes<'a> {
    f: &'a Function,
    diags: Vec<Diagnostic>,
    reported: HashSet<LocalId>,
}

impl Escapes<'_> {
    fn reads(&mut self, s: &Stmt, poisoned: &HashSet<LocalId>) {
        let mut found = Vec::new();
        for e in evaluated(s) {
            reads(e, &mut |id, span| {
                if poisoned.contains(&id) {
                    found.push((id, span));
                }
            });
        }
        if let StmtKind::AugAssign {
            target: Target::Local(x, span),
            ..
        } = &s.kind
        {
            if poisoned.contains(x) {
                found.push((*x, *span));
            }
        }
        for (id, span) in found {
            if self.reported.insert(id) {
                let name = &self.f.local(id).name;
                self.diags.push(
                    Diagnostic::new(
                        Code::ParallelLoop,
                        span,
                        format!("'{name}' is private to a prange loop above: after the loop it does not hold the last iteration's value, as it would in Python"),
                    )
                    .with_hint(format!("assign '{name}' again before reading it here, keep per-iteration values in an array indexed by the loop variable, or use range()")),
                );
            }
        }
    }

    fn block(&mut self, stmts: &[Stmt], poisoned: &mut HashSet<LocalId>) {
        for s in stmts {
            self.stmt(s, poisoned);
        }
    }

    /// A loop body that may run any number of times (twice covers it).
    fn repeated(&mut self, body: &[Stmt], poisoned: &mut HashSet<LocalId>) {
        for _ in 0..2 {
            let mut inner = poisoned.clone();
            self.block(body, &mut inner);
            poisoned.extend(inner);
        }
    }

    fn stmt(&mut self, s: &Stmt, poisoned: &mut HashSet<LocalId>) {
        self.reads(s, poisoned);
        match &s.kind {
            StmtKind::Assign { targets, .. } => {
                let mut ids = HashSet::new();
                targets.iter().for_each(|t| target_locals(t, &mut ids));
                poisoned.retain(|id| !ids.contains(id));
            }
            StmtKind::If { body, orelse, .. } => {
                let mut other = poisoned.clone();
                self.block(body, poisoned);
                self.block(orelse, &mut other);
                poisoned.extend(other);
            }
            StmtKind::While { body, orelse, .. } => {
                self.repeated(body, poisoned);
                self.block(orelse, poisoned);
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                if is_prange(iter) {
                    // Reads in the body of earlier loops' privates count.
                    let mut inner = poisoned.clone();
                    let mut ids = HashSet::new();
                    target_locals(target, &mut ids);
                    inner.retain(|id| !ids.contains(id));
                    self.repeated(body, &mut inner);
                    // A loop that cannot run in parallel has its own error.
                    if let Ok(info) = analyse_prange(self.f, target, body) {
                        let mut private = ids;
                        assigned_in(body, &mut private);
                        for (id, _) in info.reductions {
                            private.remove(&id);
                        }
                        poisoned.extend(private);
                    }
                } else {
                    let mut ids = HashSet::new();
                    target_locals(target, &mut ids);
                    let mut inner = poisoned.clone();
                    inner.retain(|id| !ids.contains(id));
                    self.repeated(body, &mut inner);
                    poisoned.extend(inner);
                }
                self.block(orelse, poisoned);
            }
            _ => {}
        }
    }
}

//! The checker's state, the fixed-point driver and statement typing.

use crate::ranges::int64;
use crate::{Oracle, Request, Typed};
use oxjit_diag::{Code, Diagnostic, Span};
use oxjit_hir::{self as hir, Const, ExprKind as HK, StmtKind as HS, Target, Value};
use oxjit_tir::{self as tir, ExprKind as TK, LocalId, RuntimeFn, StmtKind as TS};
use oxjit_types::{unify, Layout, Scalar, Type};
use std::collections::HashMap;

/// Why an expression could not be typed in this pass.
pub(crate) enum Fail {
    /// Depends on something not known yet; retried in the next pass.
    Unknown(Span),
    Error(Diagnostic),
}

pub(crate) type R<T> = Result<T, Fail>;

pub(crate) fn error(
    code: Code,
    span: Span,
    msg: impl Into<String>,
    hint: impl Into<String>,
) -> Fail {
    Fail::Error(Diagnostic::new(code, span, msg).with_hint(hint))
}

pub(crate) struct Checker<'a> {
    pub req: &'a Request<'a>,
    pub oracle: &'a mut dyn Oracle,
    /// Types of the HIR's locals followed by this pass's temporaries.
    pub locals: Vec<Option<Type>>,
    pub names: Vec<String>,
    pub ret: Option<Type>,
    pub changed: bool,
    /// Set when a callee's return type was still being inferred.
    pub pending_callee: bool,
    pub last_pass: bool,
    /// Above zero while typing the scalar body of an elementwise expression,
    /// whose arithmetic follows NumPy's error model.
    pub elementwise_depth: u32,
    pub diags: Vec<Diagnostic>,
    /// Unknowns met in the last pass: they are errors unless a callee is pending.
    unknowns: Vec<Span>,
    /// The locals whose type `locals=` declares (by slot).
    declared: Vec<bool>,
    /// Statements that run before the statement being typed: the loops of
    /// the list comprehensions in it.
    pub prelude: Vec<tir::Stmt>,
    /// Above zero while typing a `while` test, which runs again before
    /// every iteration: no prelude can go before it.
    pub conditional: u32,
    /// The types hidden locals (`Checker::hidden_local`) had at the end of
    /// the last pass, by where and what they are: a container a desugaring
    /// builds widens across passes as a variable does.
    hidden: HashMap<(Span, String), Type>,
    /// This pass's hidden locals.
    hidden_ids: Vec<(LocalId, (Span, String))>,
    /// The exception locals of the `except` clauses being typed, innermost
    /// last: what a bare `raise` raises again.
    pub handling: Vec<LocalId>,
    /// Variables standing for others while a body is typed again (the
    /// copies of an unrolled loop's variable, one per item type).
    renamed: HashMap<hir::LocalId, hir::LocalId>,
}

const MAX_PASSES: usize = 32;

pub(crate) fn run(req: &Request, oracle: &mut dyn Oracle) -> Typed {
    let hir = req.hir;
    // Parameters arrive in their own slots with the argument types; the
    // variables of the same names start as copies, so that reassigning a
    // parameter with another type widens the variable, not the argument.
    let np = hir.nparams;
    let mut locals: Vec<Option<Type>> = req.args.iter().cloned().map(Some).collect();
    locals.extend(vec![None; hir.locals.len()]);
    for (i, t) in req.args.iter().enumerate() {
        locals[np + i] = Some(t.clone());
    }
    let mut declared = vec![false; locals.len()];
    for (i, l) in hir.locals.iter().enumerate() {
        if let Some((_, t)) = req.declared_locals.iter().find(|(n, _)| *n == l.name) {
            locals[np + i] = Some(t.clone());
            declared[np + i] = true;
        }
    }
    let names = hir.locals[..np]
        .iter()
        .map(|l| format!("$arg_{}", l.name))
        .chain(hir.locals.iter().map(|l| l.name.clone()))
        .collect();
    let mut ck = Checker {
        req,
        oracle,
        locals,
        names,
        ret: req.declared_ret.clone(),
        changed: true,
        pending_callee: false,
        last_pass: false,
        elementwise_depth: 0,
        diags: Vec::new(),
        unknowns: Vec::new(),
        declared,
        prelude: Vec::new(),
        conditional: 0,
        hidden: HashMap::new(),
        hidden_ids: Vec::new(),
        handling: Vec::new(),
        renamed: HashMap::new(),
    };
    // Falling off the end returns None (which may make the result optional).
    let falls = falls_through(&hir.body);
    let mut passes = 0;
    while ck.changed && passes < MAX_PASSES {
        ck.changed = false;
        ck.pending_callee = false;
        ck.reset_temps();
        ck.block(&hir.body);
        if falls {
            ck.returned(&Type::None, hir.span);
        }
        passes += 1;
    }
    // A function that only raises returns nothing: its result is None.
    if ck.ret.is_none() && !has_return(&hir.body) {
        ck.ret = Some(Type::None);
    }
    ck.last_pass = true;
    ck.reset_temps();
    let mut body = ck.param_copies();
    body.extend(ck.block(&hir.body));
    if falls {
        ck.returned(&Type::None, hir.span);
        let none = none_expr(hir.span);
        let value = match ck.ret.clone() {
            Some(ret) => ck.coerce(none, &ret),
            None => none,
        };
        body.push(tir::Stmt {
            kind: TS::Return(value),
            span: hir.span,
        });
    }
    if req.flags.parallel {
        ck.diags.extend(hir::private_reads_after_prange(hir));
    }
    if ck.diags.is_empty() && !ck.pending_callee {
        ck.undefined_lists();
    }
    if !ck.diags.is_empty() {
        return Typed::Failed(ck.diags);
    }
    if ck.pending_callee {
        return Typed::Pending(ck.ret);
    }
    if let Some(span) = ck.unknowns.first() {
        let d = Diagnostic::new(Code::Unassigned, *span, "cannot determine the type of this expression")
            .with_hint("a variable used here may never be assigned, or a recursive call has no non-recursive return path");
        return Typed::Failed(vec![d]);
    }
    let Some(ret) = ck.ret.clone() else {
        let d = Diagnostic::new(
            Code::UnresolvedReturn,
            hir.span,
            format!("cannot determine the return type of '{}'", hir.name),
        )
        .with_hint(
            "every path recurses; add a base case that returns without calling the function itself",
        );
        return Typed::Failed(vec![d]);
    };
    let locals = ck
        .locals
        .iter()
        .zip(&ck.names)
        .map(|(t, n)| tir::Local {
            name: n.clone(),
            ty: t.clone().unwrap_or(Type::None),
        })
        .collect();
    Typed::Done(tir::Function {
        name: hir.name.clone(),
        symbol: req.symbol.clone(),
        nparams: hir.nparams,
        locals,
        ret,
        body,
        flags: req.flags,
    })
}

pub(crate) fn none_expr(span: Span) -> tir::Expr {
    tir::Expr::new(TK::Const(tir::ConstValue::Unit), Type::None, span)
}

/// Whether a value of type `from` converts to `to` (an explicit signature's
/// return type): any scalar to any scalar, tuples item by item.
fn convertible(from: &Type, to: &Type) -> bool {
    match (from, to) {
        (Type::Scalar(_), Type::Scalar(_)) => true,
        // The same array seen through a wider layout (or as read-only).
        (Type::Array(a), Type::Array(b)) => {
            a.dtype.strong() == b.dtype.strong()
                && a.ndim == b.ndim
                && (a.layout == b.layout || b.layout == Layout::A)
                && (!a.readonly || b.readonly)
        }
        (Type::Tuple(a), Type::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| convertible(x, y))
        }
        // None, a value or an optional into an optional of a value it converts to.
        (Type::None, Type::Optional(_)) => true,
        (Type::Optional(a), Type::Optional(b)) => convertible(a, b),
        (t, Type::Optional(b)) => convertible(t, b),
        _ => from == to,
    }
}

/// Whether values of `t` include a jitted function (which has no Python
/// form to return as).
fn holds_function(t: &Type) -> bool {
    match t {
        Type::Function(_) | Type::Closure(..) => true,
        Type::Tuple(items) => items.iter().any(holds_function),
        Type::Optional(v) => holds_function(v),
        _ => false,
    }
}

/// Whether control can reach the end of a block (conservatively: loops other
/// than `while True` without `break` may end).
fn falls_through(stmts: &[hir::Stmt]) -> bool {
    let Some(last) = stmts.last() else {
        return true;
    };
    match &last.kind {
        HS::Return(_) | HS::Raise(_) => false,
        HS::If { body, orelse, .. } => falls_through(body) || falls_through(orelse),
        HS::While { test, body, .. } => {
            let forever = matches!(test.kind, HK::Const(Const::Bool(true)));
            !forever || leaves_loop(body, false)
        }
        HS::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            let ends = !finalbody.is_empty() && !falls_through(finalbody);
            !ends
                && ((falls_through(body) && falls_through(orelse))
                    || handlers.iter().any(|h| falls_through(&h.body)))
        }
        _ => true,
    }
}

fn has_return(stmts: &[hir::Stmt]) -> bool {
    let mut found = false;
    hir::walk_stmts(stmts, &mut |s| found |= matches!(s.kind, HS::Return(_)));
    found
}

/// Whether `stmts` hold a `break` (or, with `or_continue`, a `continue`)
/// of their loop: outside any loop nested in them.
fn leaves_loop(stmts: &[hir::Stmt], or_continue: bool) -> bool {
    stmts.iter().any(|s| match &s.kind {
        HS::Break => true,
        HS::Continue => or_continue,
        HS::If { .. } | HS::Try { .. } => {
            s.blocks().into_iter().any(|b| leaves_loop(b, or_continue))
        }
        _ => false,
    })
}

/// `stmts` with each `break` of their loop (see [`leaves_loop`]) first
/// setting `flag`.
fn flag_breaks(stmts: &[hir::Stmt], flag: hir::LocalId) -> Vec<hir::Stmt> {
    let mut out = Vec::with_capacity(stmts.len());
    for s in stmts {
        let span = s.span;
        let at = |kind| hir::Stmt { kind, span };
        let kind = match &s.kind {
            HS::Break => {
                let yes = hir::Expr {
                    kind: HK::Const(Const::Bool(true)),
                    span,
                };
                out.push(at(HS::Assign {
                    targets: vec![Target::Local(flag, span)],
                    value: yes,
                }));
                HS::Break
            }
            HS::If { test, body, orelse } => HS::If {
                test: test.clone(),
                body: flag_breaks(body, flag),
                orelse: flag_breaks(orelse, flag),
            },
            HS::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => HS::Try {
                body: flag_breaks(body, flag),
                handlers: handlers
                    .iter()
                    .map(|h| hir::Handler {
                        body: flag_breaks(&h.body, flag),
                        ..h.clone()
                    })
                    .collect(),
                orelse: flag_breaks(orelse, flag),
                finalbody: flag_breaks(finalbody, flag),
            },
            k => k.clone(),
        };
        out.push(at(kind));
    }
    out
}

/// The argument of `literal_unroll(x)` when `iter` is that call.
fn literal_unroll_arg(iter: &hir::Expr) -> Option<&hir::Expr> {
    match &iter.kind {
        HK::Call { func, args, kwargs } if kwargs.is_empty() && args.len() == 1 => {
            matches!(&func.kind, HK::Global(Value::Function(n)) if n == "oxjit.literal_unroll")
                .then(|| &args[0])
        }
        _ => None,
    }
}

impl Checker<'_> {
    /// The typed IR local of a HIR local: after the parameter slots.
    pub fn lid(&self, id: hir::LocalId) -> LocalId {
        let id = self.renamed.get(&id).copied().unwrap_or(id);
        LocalId(id.0 + self.req.hir.nparams as u32)
    }

    fn param_copies(&mut self) -> Vec<tir::Stmt> {
        let span = self.req.hir.span;
        (0..self.req.hir.nparams)
            .map(|i| {
                let arg =
                    tir::Expr::new(TK::Local(LocalId(i as u32)), self.req.args[i].clone(), span);
                let var = LocalId((self.req.hir.nparams + i) as u32);
                let ty = self.locals[var.0 as usize]
                    .clone()
                    .expect("parameters are typed");
                let value = self.coerce(arg, &ty);
                tir::Stmt {
                    kind: TS::Assign(var, value),
                    span,
                }
            })
            .collect()
    }

    fn reset_temps(&mut self) {
        for (id, key) in std::mem::take(&mut self.hidden_ids) {
            if let Some(t) = self.locals[id.0 as usize].clone() {
                self.hidden.insert(key, t);
            }
        }
        let n = self.req.hir.nparams + self.req.hir.locals.len();
        self.locals.truncate(n);
        self.names.truncate(n);
    }

    /// A fresh temporary local of a known type.
    pub fn temp(&mut self, name: &str, ty: Type) -> LocalId {
        self.locals.push(Some(ty));
        self.names.push(format!("${name}"));
        LocalId(self.locals.len() as u32 - 1)
    }

    /// A temporary that statements typeck writes in HIR can name (the
    /// item of a desugared `sum(s)`, the set `set(l)` builds): it starts
    /// each pass with the type it ended the last one with (`name` and
    /// `span` say which it is), so it widens as a variable does.
    pub(crate) fn hidden_local(&mut self, name: &str, span: Span) -> hir::LocalId {
        let key = (span, name.to_string());
        self.locals.push(self.hidden.get(&key).cloned());
        self.names.push(format!("${name}"));
        let id = LocalId(self.locals.len() as u32 - 1);
        self.hidden_ids.push((id, key));
        self.hir_name(id)
    }

    /// The HIR name of a typed IR local (the inverse of [`Checker::lid`]).
    pub(crate) fn hir_name(&self, id: LocalId) -> hir::LocalId {
        hir::LocalId(id.0 - self.req.hir.nparams as u32)
    }

    pub(crate) fn is_hidden(&self, id: LocalId) -> bool {
        self.hidden_ids.iter().any(|(h, _)| *h == id)
    }

    pub(crate) fn is_temp(&self, id: LocalId) -> bool {
        id.0 as usize >= self.req.hir.nparams + self.req.hir.locals.len()
    }

    pub fn local_ty(&self, id: LocalId) -> Option<&Type> {
        self.locals[id.0 as usize].as_ref()
    }

    /// Sets a local's type outright (a list widened by what is put in it).
    pub fn set_local_type(&mut self, id: LocalId, ty: Type) {
        if self.declared.get(id.0 as usize) == Some(&true) {
            return;
        }
        if self.locals[id.0 as usize].as_ref() != Some(&ty) {
            self.locals[id.0 as usize] = Some(ty);
            self.changed = true;
        }
    }

    /// An error for each variable still holding a container whose item
    /// types nothing determined (`l = []` and nothing put in it), with
    /// the spelling that gives them.
    fn undefined_lists(&mut self) {
        let hir = self.req.hir;
        let np = hir.nparams;
        for (i, l) in hir.locals.iter().enumerate() {
            let Some(t) = self.locals[np + i].as_ref().filter(|t| t.is_undefined()) else {
                continue;
            };
            let (what, hint) = match t {
                Type::List(_) => (
                    "the item type of the empty list",
                    "append to it in this function, or give its type: List.empty_list(types.int64) (from oxjit.typed)",
                ),
                Type::Set(_) => (
                    "the item type of the empty set",
                    "add to it in this function, or make it with an item: {0}",
                ),
                Type::Dict(..) => (
                    "the key and value types of the empty dict",
                    "store into it in this function (d[k] = v), or give its types: Dict.empty(types.unicode_type, types.int64) (from oxjit.typed)",
                ),
                _ => continue,
            };
            let name = l.name.trim_start_matches('$');
            self.diags.push(
                Diagnostic::new(
                    Code::CannotUnify,
                    l.span,
                    format!("cannot determine {what} in '{name}'"),
                )
                .with_hint(hint),
            );
        }
    }

    /// Widens a local's type to hold `ty` (a declared local keeps its type).
    pub fn bind(&mut self, id: LocalId, ty: &Type, span: Span) -> R<Type> {
        let slot = &self.locals[id.0 as usize];
        if self.declared.get(id.0 as usize) == Some(&true) {
            let want = slot.clone().unwrap();
            if !convertible(ty, &want) {
                let name = &self.names[id.0 as usize];
                return Err(error(
                    Code::CannotUnify,
                    span,
                    format!(
                        "variable '{name}' is declared {want} (locals=) but is assigned {ty} here"
                    ),
                    "assign values that convert to the declared type, or change the declaration",
                ));
            }
            return Ok(want);
        }
        let new = match slot {
            None => ty.clone(),
            Some(old) => unify(old, ty).ok_or_else(|| {
                let name = &self.names[id.0 as usize];
                error(
                    Code::CannotUnify,
                    span,
                    format!("variable '{name}' is assigned {ty} here but holds {old} elsewhere"),
                    "give each variable one type; use a new name for the value of the other type",
                )
            })?,
        };
        if slot.as_ref() != Some(&new) {
            let typed = slot.is_some();
            self.locals[id.0 as usize] = Some(new.clone());
            // A hidden local's first type is no change: it is remembered
            // for the next pass, not yet relied on.
            self.changed |= typed || !self.is_temp(id);
        }
        Ok(new)
    }

    /// Records a returned value's type.
    pub fn returned(&mut self, ty: &Type, span: Span) {
        if let Some(declared) = &self.req.declared_ret {
            if !convertible(ty, declared) && self.last_pass {
                self.diags.push(
                    Diagnostic::new(Code::CannotUnify, span, format!("returns {ty}, which cannot be converted to the declared return type {declared}"))
                        .with_hint("return a value of the signature's return type, or change the signature"),
                );
            }
            return;
        }
        let new = match &self.ret {
            None => Some(ty.clone()),
            Some(old) => match unify(old, ty) {
                Some(t) => Some(t),
                None => {
                    if self.last_pass {
                        let what = |t: &Type| {
                            if *t == Type::None {
                                "None (or falls off the end)".to_string()
                            } else {
                                t.to_string()
                            }
                        };
                        self.diags.push(
                            Diagnostic::new(
                                Code::CannotUnify,
                                span,
                                format!("'{}' returns {} here but {} elsewhere", self.req.hir.name, what(ty), what(old)),
                            )
                            .with_hint("return values of one type on every path (add a final return if the function can fall off the end)"),
                        );
                    }
                    return;
                }
            },
        };
        if new != self.ret {
            self.ret = new;
            self.changed = true;
        }
    }

    fn handle(&mut self, f: Fail) {
        if !self.last_pass {
            return;
        }
        match f {
            Fail::Error(d) => self.diags.push(d),
            Fail::Unknown(span) => self.unknowns.push(span),
        }
    }

    pub fn block(&mut self, stmts: &[hir::Stmt]) -> Vec<tir::Stmt> {
        let mut out = Vec::new();
        for s in stmts {
            match self.stmt(s, &mut out) {
                Ok(()) => {}
                Err(f) => self.handle(f),
            }
        }
        out
    }

    pub(crate) fn push(out: &mut Vec<tir::Stmt>, kind: TS, span: Span) {
        out.push(tir::Stmt { kind, span });
    }

    /// Types one statement; the preludes of the expressions in it (the
    /// loops of list comprehensions) go before it.
    fn stmt(&mut self, s: &hir::Stmt, out: &mut Vec<tir::Stmt>) -> R<()> {
        let outer = (std::mem::take(&mut self.prelude), self.conditional);
        self.conditional = 0;
        let start = out.len();
        let r = self.stmt_kind(s, out);
        let prelude = std::mem::replace(&mut self.prelude, outer.0);
        self.conditional = outer.1;
        out.splice(start..start, prelude);
        r
    }

    fn stmt_kind(&mut self, s: &hir::Stmt, out: &mut Vec<tir::Stmt>) -> R<()> {
        let span = s.span;
        match &s.kind {
            HS::Assign { targets, value } => {
                if let [t] = targets.as_slice() {
                    return self.assign_hir(t, value, out);
                }
                let v = self.expr_opt(value)?;
                let tmp = self.temp("value", v.ty.clone());
                Self::push(out, TS::Assign(tmp, v), span);
                for t in targets {
                    let ty = self.locals[tmp.0 as usize].clone().unwrap();
                    self.assign(t, tir::Expr::new(TK::Local(tmp), ty, span), out)?;
                }
            }
            HS::AugAssign { target, op, value } => self.aug_assign(target, *op, value, out)?,
            HS::Expr(e) => {
                let e = self.expr(e)?;
                Self::push(out, TS::Expr(e), span);
            }
            // The branches are typed even when the test cannot be yet:
            // what they assign may be what the test needs (`b = None`, then
            // `if b is None or x < b: b = x`).
            HS::If { test, body, orelse } => {
                let cond = self.cond(test);
                let then = self.block(body);
                let orelse = self.block(orelse);
                Self::push(
                    out,
                    TS::If {
                        cond: cond?,
                        then,
                        orelse,
                    },
                    span,
                );
            }
            HS::While { test, body, orelse } => {
                self.conditional += 1;
                let cond = self.cond(test);
                self.conditional -= 1;
                let body = self.block(body);
                let orelse = self.block(orelse);
                Self::push(
                    out,
                    TS::While {
                        cond: cond?,
                        body,
                        orelse,
                    },
                    span,
                );
            }
            HS::For {
                target,
                iter,
                body,
                orelse,
            } => self.for_loop(target, iter, body, orelse, span, out)?,
            HS::Break => Self::push(out, TS::Break, span),
            HS::Continue => Self::push(out, TS::Continue, span),
            HS::Pass => {}
            HS::Return(v) => {
                let e = match v {
                    Some(v) => self.expr_opt(v)?,
                    None => none_expr(span),
                };
                if holds_function(&e.ty) {
                    return Err(error(
                        Code::BadOperand,
                        e.span,
                        "a jitted function cannot be returned from compiled code",
                        "return what calling it gives, or pick the function in Python",
                    ));
                }
                self.returned(&e.ty, span);
                // Only the last pass's typed IR is kept, and by then the
                // return type is final.
                let e = match self.ret.clone() {
                    Some(ret) if self.last_pass => self.coerce(e, &ret),
                    _ => e,
                };
                Self::push(out, TS::Return(e), span);
            }
            HS::Raise(exc) => {
                let kind = self.raise(exc.as_ref(), span)?;
                Self::push(out, kind, span);
            }
            HS::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                let kind = self.try_stmt(body, handlers, orelse, finalbody)?;
                Self::push(out, kind, span);
            }
        }
        Ok(())
    }

    /// A condition: any scalar, tested for truth.
    pub fn cond(&mut self, e: &hir::Expr) -> R<tir::Expr> {
        let e = self.expr_opt(e)?;
        self.truth(e)
    }

    /// `t = value` where a tuple of values assigned to a tuple of targets is
    /// evaluated completely first (so `a, b = b, a` swaps).
    fn assign_hir(&mut self, t: &Target, value: &hir::Expr, out: &mut Vec<tir::Stmt>) -> R<()> {
        if let (Target::Tuple(ts, _), HK::Tuple(vs)) = (t, &value.kind) {
            if ts.len() == vs.len() {
                let mut temps = Vec::new();
                for v in vs {
                    let e = self.expr_opt(v)?;
                    let tmp = self.temp("tuple_item", e.ty.clone());
                    temps.push((tmp, e.ty.clone(), v.span));
                    Self::push(out, TS::Assign(tmp, e), v.span);
                }
                for (t, (tmp, ty, span)) in ts.iter().zip(temps) {
                    self.assign(t, tir::Expr::new(TK::Local(tmp), ty, span), out)?;
                }
                return Ok(());
            }
        }
        let v = self.expr_opt(value)?;
        self.assign(t, v, out)
    }

    pub fn assign(&mut self, t: &Target, v: tir::Expr, out: &mut Vec<tir::Stmt>) -> R<()> {
        match t {
            Target::Local(id, span) => {
                // A list or dict display takes the type its variable has.
                let v = match self.local_ty(self.lid(*id)).cloned() {
                    Some(t @ (Type::List(_) | Type::Set(_))) if v.ty != t => {
                        self.retype_literal(&v, &t).unwrap_or(v)
                    }
                    Some(t @ Type::Dict(..)) if v.ty != t => {
                        self.retype_dict_literal(&v, &t).unwrap_or(v)
                    }
                    _ => v,
                };
                let ty = self.bind(self.lid(*id), &v.ty, *span)?;
                let v = self.coerce(v, &ty);
                Self::push(out, TS::Assign(self.lid(*id), v), *span);
            }
            Target::Tuple(ts, span) => {
                let Type::Tuple(items) = &v.ty else {
                    return Err(error(
                        Code::BadTarget,
                        v.span,
                        format!(
                            "cannot unpack a value of type {} into {} variables",
                            v.ty,
                            ts.len()
                        ),
                        "only tuples can be unpacked",
                    ));
                };
                if items.len() != ts.len() {
                    return Err(error(
                        Code::BadTarget,
                        *span,
                        format!(
                            "cannot unpack a tuple of {} items into {} variables",
                            items.len(),
                            ts.len()
                        ),
                        "use as many targets as the tuple has items",
                    ));
                }
                let items = items.clone();
                let tmp = self.temp("unpack", v.ty.clone());
                let tuple_ty = v.ty.clone();
                Self::push(out, TS::Assign(tmp, v), *span);
                for (i, (t, ty)) in ts.iter().zip(items).enumerate() {
                    let whole = tir::Expr::new(TK::Local(tmp), tuple_ty.clone(), *span);
                    self.assign(
                        t,
                        tir::Expr::new(TK::TupleGet(Box::new(whole), i), ty, *span),
                        out,
                    )?;
                }
            }
            Target::Subscript { base, index, span } => {
                let v = self.value_of(v);
                let array = self.expr(base)?;
                if array.ty.dict_types().is_some() {
                    let kind = self.dict_store(array, index, v, *span)?;
                    Self::push(out, kind, *span);
                    return Ok(());
                }
                if array.ty.list_item().is_some() {
                    let kind = self.list_store(array, index, v, *span)?;
                    Self::push(out, kind, *span);
                    return Ok(());
                }
                if array.ty.array().is_none() {
                    return Err(error(
                        Code::BadTarget,
                        base.span,
                        format!("cannot assign to an item of {}", array.ty),
                        "only array and list items can be assigned",
                    ));
                }
                if let Some(ix) = self.array_index(index)? {
                    if let Some(e) = self.fancy_assign(array.clone(), &ix, v.clone(), *span)? {
                        Self::push(out, TS::Expr(e), *span);
                        return Ok(());
                    }
                }
                if let Some(view) = self.view(array.clone(), index, *span)? {
                    let e = self.assign_into(view, v, *span)?;
                    Self::push(out, TS::Expr(e), *span);
                    return Ok(());
                }
                self.writable(&array)?;
                let indices = self.indices(&array, index)?;
                let a = array.ty.array().unwrap();
                if v.ty.array().is_some() {
                    return Err(error(
                        Code::BadOperand,
                        v.span,
                        format!("cannot store a {} into an element of {}", v.ty, array.ty),
                        "assign a number, or assign into a slice",
                    ));
                }
                let value = self.coerce(v, &Type::Scalar(a.dtype));
                let boundscheck = self.req.flags.boundscheck;
                Self::push(
                    out,
                    TS::Store {
                        array,
                        indices,
                        value,
                        boundscheck,
                    },
                    *span,
                );
            }
        }
        Ok(())
    }

    /// `t op= v`: array element targets evaluate their base and indices once.
    fn aug_assign(
        &mut self,
        target: &Target,
        op: hir::BinOp,
        value: &hir::Expr,
        out: &mut Vec<tir::Stmt>,
    ) -> R<()> {
        match target {
            Target::Local(id, span) => {
                let ty = self
                    .local_ty(self.lid(*id))
                    .cloned()
                    .ok_or(Fail::Unknown(*span))?;
                if ty.list_item().is_some() && op == hir::BinOp::Add {
                    // `l += x` is `l.extend(x)` (list.__iadd__): every name
                    // for the list sees the change.
                    let at = |kind| hir::Expr { kind, span: *span };
                    let method = at(HK::Attribute(Box::new(at(HK::Local(*id))), "extend".into()));
                    let extend = at(HK::Call {
                        func: Box::new(method),
                        args: vec![value.clone()],
                        kwargs: vec![],
                    });
                    let e = self.expr(&extend)?;
                    Self::push(out, TS::Expr(e), *span);
                    return Ok(());
                }
                let cur = tir::Expr::new(TK::Local(self.lid(*id)), ty, *span);
                let rhs = self.expr(value)?;
                let whole = span.to(value.span);
                // `a += b` updates an array in place (ndarray.__iadd__), and
                // `s |= t` a set.
                let e = match cur.ty {
                    Type::Array(_) => self.array_inplace(op, cur, rhs, whole)?,
                    Type::Set(_) => self.set_update(op, cur, rhs, whole)?,
                    _ => {
                        let v = self.binary(op, cur, rhs, whole)?;
                        return self.assign(target, v, out);
                    }
                };
                Self::push(out, TS::Expr(e), *span);
                Ok(())
            }
            Target::Subscript { base, index, span } => {
                let array = self.expr(base)?;
                let array = self.once(array, "array", out);
                if array.ty.dict_types().is_some() {
                    // `d[k] op= v`: the dict and the key evaluated once; a
                    // missing key raises `KeyError` as Python's does.
                    let k = self.expr(index)?;
                    let k = self.once(k, "key", out);
                    let cur = self.dict_get(array.clone(), k.clone(), *span)?;
                    let rhs = self.expr(value)?;
                    let v = self.binary(op, cur, rhs, span.to(value.span))?;
                    let kind = self.dict_set(array, k, v, *span)?;
                    Self::push(out, kind, *span);
                    return Ok(());
                }
                if array.ty.list_item().is_some() {
                    // `l[i] op= v`: the list and the position evaluated once.
                    let i = self.expr(index)?;
                    let i = self.int_index(i)?;
                    let i = self.once(i, "index", out);
                    let cur = self.list_item(array.clone(), i.clone(), *span);
                    let rhs = self.expr(value)?;
                    let v = self.binary(op, cur, rhs, span.to(value.span))?;
                    let item = array.ty.list_item().cloned().unwrap();
                    let value = self.list_item_value(v, &item)?;
                    Self::push(
                        out,
                        TS::Store {
                            array,
                            indices: vec![i],
                            value,
                            boundscheck: true,
                        },
                        *span,
                    );
                    return Ok(());
                }
                if array.ty.array().is_none() {
                    return Err(error(
                        Code::BadTarget,
                        base.span,
                        format!("cannot assign to an item of {}", array.ty),
                        "only array elements can be assigned",
                    ));
                }
                if let Some(view) = self.view(array.clone(), index, *span)? {
                    let rhs = self.expr(value)?;
                    let e = self.array_inplace(op, view, rhs, span.to(value.span))?;
                    Self::push(out, TS::Expr(e), *span);
                    return Ok(());
                }
                let indices = self.indices(&array, index)?;
                let rhs = self.expr(value)?;
                // Evaluated once, as Python does; an index that reads only
                // locals and elements may be evaluated again for the store
                // when nothing in between has an effect (so compiled code
                // sees the index expression itself, e.g. `hist[int(x[i] * n)]`).
                let twice = indices.iter().chain([&rhs]).all(side_effect_free);
                let indices: Vec<tir::Expr> = indices
                    .into_iter()
                    .map(|i| if twice { i } else { self.once(i, "index", out) })
                    .collect();
                self.writable(&array)?;
                let a = array.ty.array().unwrap();
                let boundscheck = self.req.flags.boundscheck;
                let cur = tir::Expr::new(
                    TK::Index {
                        array: Box::new(array.clone()),
                        indices: indices.clone(),
                        boundscheck,
                    },
                    Type::Scalar(a.dtype),
                    *span,
                );
                let v = self.binary(op, cur, rhs, span.to(value.span))?;
                let value = self.coerce(v, &Type::Scalar(a.dtype));
                Self::push(
                    out,
                    TS::Store {
                        array,
                        indices,
                        value,
                        boundscheck,
                    },
                    *span,
                );
                Ok(())
            }
            Target::Tuple(_, span) => Err(error(
                Code::BadTarget,
                *span,
                "augmented assignment to a tuple",
                "assign each element separately",
            )),
        }
    }

    /// Evaluates `e` once into a temporary unless it is already a local or constant.
    pub fn once(&mut self, e: tir::Expr, name: &str, out: &mut Vec<tir::Stmt>) -> tir::Expr {
        if matches!(e.kind, TK::Local(_) | TK::Const(_)) {
            return e;
        }
        let tmp = self.temp(name, e.ty.clone());
        let (ty, span) = (e.ty.clone(), e.span);
        Self::push(out, TS::Assign(tmp, e), span);
        tir::Expr::new(TK::Local(tmp), ty, span)
    }

    fn for_loop(
        &mut self,
        target: &Target,
        iter: &hir::Expr,
        body: &[hir::Stmt],
        orelse: &[hir::Stmt],
        span: Span,
        out: &mut Vec<tir::Stmt>,
    ) -> R<()> {
        if crate::iteration::sequence_builtin(iter).is_some() {
            return self.for_seq(target, iter, body, orelse, span, out);
        }
        if let Some(lp) = self.generator_loop(target, iter, body, orelse, span) {
            out.extend(self.block(std::slice::from_ref(&lp)));
            return Ok(());
        }
        // A hidden integer counter drives every loop; the user's target is
        // assigned from it at the top of each iteration, so it keeps the last
        // value after the loop, as in Python.
        let (var, start, stop, step, item) = if let Some(args) = range_call(iter) {
            let (start, stop, step) = self.range_args(args, iter.span)?;
            let ty = start.ty.clone();
            let var = self.temp("range", ty.clone());
            let item = tir::Expr::new(TK::Local(var), ty, target.span());
            (var, start, stop, step, item)
        } else {
            if let Some((d, part)) = self.dict_view(iter)? {
                return self.for_dict(target, d, part, body, orelse, span, out);
            }
            if let Some(inner) = literal_unroll_arg(iter) {
                let seq = self.expr(inner)?;
                if let Type::Tuple(_) = seq.ty {
                    return self.for_tuple_unrolled(target, seq, (body, orelse), span, out);
                }
                return self.for_loop(target, inner, body, orelse, span, out);
            }
            let seq = self.expr(iter)?;
            if seq.ty.list_item().is_some() || seq.ty == Type::Str {
                return self.for_list(target, seq, body, orelse, span, out);
            }
            if seq.ty.dict_types().is_some() {
                return self.for_dict(target, seq, 0, body, orelse, span, out);
            }
            if seq.ty.set_item().is_some() {
                return self.for_set(target, seq, (body, orelse), span, out);
            }
            if let Type::Tuple(_) = seq.ty {
                return self.for_tuple(target, seq, (body, orelse), span, out);
            }
            if seq.ty == Type::Range {
                // The same counted loop as over `range(...)` itself.
                let r = self.once(seq, "range", out);
                let [start, stop, step] = self
                    .range_parts(r)
                    .map(|x| crate::expr::cast_scalar(x, Scalar::PyInt));
                let var = self.temp("range", Type::INT);
                let item = tir::Expr::new(TK::Local(var), Type::INT, target.span());
                (var, start, stop, step, item)
            } else {
                let Some(a) = seq.ty.array() else {
                    return Err(error(
                        Code::BadCall,
                        iter.span,
                        format!("cannot iterate over a value of type {}", seq.ty),
                        "loop over range(...) or a 1-d array",
                    ));
                };
                let seq = self.once(seq, "iter", out);
                let i64t = Type::Scalar(Scalar::I64);
                let var = self.temp("index", i64t.clone());
                let zero =
                    tir::Expr::new(TK::Const(tir::ConstValue::Int(0)), i64t.clone(), iter.span);
                let one =
                    tir::Expr::new(TK::Const(tir::ConstValue::Int(1)), i64t.clone(), iter.span);
                let len = tir::Expr::new(
                    TK::Call(tir::Intrinsic::Dim(0), vec![seq.clone()]),
                    i64t.clone(),
                    iter.span,
                );
                let idx = tir::Expr::new(TK::Local(var), i64t, iter.span);
                // Iterating over a n-d array yields its rows, as views.
                let item = if a.ndim == 1 {
                    tir::Expr::new(
                        TK::Index {
                            array: Box::new(seq),
                            indices: vec![idx],
                            boundscheck: false,
                        },
                        Type::Scalar(a.dtype),
                        target.span(),
                    )
                } else {
                    self.row(seq, idx, target.span())
                };
                (var, zero, len, one, item)
            }
        };
        let mut body_out = Vec::new();
        self.assign(target, item, &mut body_out)?;
        body_out.extend(self.block(body));
        let orelse = self.block(orelse);
        let parallel = if self.req.flags.parallel && hir::is_prange(iter) {
            Some(Box::new(self.parallel_loop(target, body, span)?))
        } else {
            None
        };
        Self::push(
            out,
            TS::ForRange {
                var,
                start,
                stop,
                step,
                body: body_out,
                orelse,
                parallel,
            },
            span,
        );
        Ok(())
    }

    /// `for target in enumerate(...)` / `zip(...)`: a counted loop over the
    /// positions of the sequence (see `iteration`).
    fn for_seq(
        &mut self,
        target: &Target,
        iter: &hir::Expr,
        body: &[hir::Stmt],
        orelse: &[hir::Stmt],
        span: Span,
        out: &mut Vec<tir::Stmt>,
    ) -> R<()> {
        let seq = self.seq_of(iter, out)?;
        let stop = self.seq_len(&seq, iter.span);
        let var = self.temp("index", Type::I64);
        let i = tir::Expr::new(TK::Local(var), Type::I64, iter.span);
        let item = self.seq_item(&seq, &i, target.span())?;
        let mut body_out = Vec::new();
        self.assign(target, item, &mut body_out)?;
        body_out.extend(self.block(body));
        let orelse = self.block(orelse);
        Self::counted_loop(var, stop, body_out, orelse, span, out);
        Ok(())
    }

    /// `for var in range(stop)` around a typed body.
    fn counted_loop(
        var: LocalId,
        stop: tir::Expr,
        body: Vec<tir::Stmt>,
        orelse: Vec<tir::Stmt>,
        span: Span,
        out: &mut Vec<tir::Stmt>,
    ) {
        let int = |v| tir::Expr::new(TK::Const(tir::ConstValue::Int(v)), Type::I64, stop.span);
        let (start, step) = (int(0), int(1));
        Self::push(
            out,
            TS::ForRange {
                var,
                start,
                stop,
                step,
                body,
                orelse,
                parallel: None,
            },
            span,
        );
    }

    /// `for target in t` over a tuple whose items unify: a counted loop
    /// whose body first assigns the target the item at the position (a
    /// chain of tests on the position, one per item).
    fn for_tuple(
        &mut self,
        target: &Target,
        t: tir::Expr,
        (body, orelse): (&[hir::Stmt], &[hir::Stmt]),
        span: Span,
        out: &mut Vec<tir::Stmt>,
    ) -> R<()> {
        let at = t.span;
        let Type::Tuple(types) = &t.ty else {
            unreachable!("a tuple")
        };
        let first = types.first().cloned().unwrap_or(Type::None);
        let Some(ty) = types.iter().try_fold(first, |ty, t| unify(&ty, t)) else {
            // Items of several types: one copy of the body per item.
            return self.for_tuple_unrolled(target, t, (body, orelse), span, out);
        };
        let t = self.once(t, "iter", out);
        let items = self.tuple_items(t);
        let count = items.len() as i64;
        let var = self.temp("index", Type::I64);
        let int = |v| tir::Expr::new(TK::Const(tir::ConstValue::Int(v)), Type::I64, at);
        let mut pick: Vec<tir::Stmt> = vec![];
        for (k, x) in items.into_iter().enumerate().rev() {
            let x = self.coerce(x, &ty);
            let mut assign = Vec::new();
            self.assign(target, x, &mut assign)?;
            if pick.is_empty() {
                pick = assign;
                continue;
            }
            let local = tir::Expr::new(TK::Local(var), Type::I64, at);
            let is_k = tir::Expr::new(
                TK::Compare(tir::CmpOp::Eq, Box::new(local), Box::new(int(k as i64))),
                Type::BOOL,
                at,
            );
            pick = vec![tir::Stmt {
                kind: TS::If {
                    cond: is_k,
                    then: assign,
                    orelse: pick,
                },
                span,
            }];
        }
        let mut body_out = pick;
        body_out.extend(self.block(body));
        let orelse = self.block(orelse);
        Self::counted_loop(var, int(count), body_out, orelse, span, out);
        Ok(())
    }

    /// `for target in t` over a tuple whose items have several types (or
    /// `literal_unroll(t)`): the body once per item, each copy with its own
    /// variables for the target, of that item's type. Without `break` or
    /// `continue` the copies follow each other and the target ends holding
    /// the last item, as in Python. With them, each copy is a loop of one
    /// iteration (which `continue` ends) inside another (which a flagged
    /// `break` leaves, and whose `else` is the loop's); the target then
    /// holds no item after the loop.
    fn for_tuple_unrolled(
        &mut self,
        target: &Target,
        t: tir::Expr,
        (body, orelse): (&[hir::Stmt], &[hir::Stmt]),
        span: Span,
        out: &mut Vec<tir::Stmt>,
    ) -> R<()> {
        let t = self.once(t, "iter", out);
        let items = self.tuple_items(t);
        let mut locals = vec![];
        target.visit_locals(&mut |id, at| locals.push((id, at)));
        let stop = leaves_loop(body, true).then(|| self.hidden_local("stop", span));
        let body = match stop {
            Some(stop) => {
                let no = hir::Expr {
                    kind: HK::Const(Const::Bool(false)),
                    span,
                };
                self.assign_hir(&Target::Local(stop, span), &no, out)?;
                flag_breaks(body, stop)
            }
            None => body.to_vec(),
        };
        let mut copies = vec![];
        for (k, x) in items.iter().enumerate() {
            for &(id, at) in &locals {
                let name = format!("{}#{k}", self.names[self.lid(id).0 as usize]);
                let copy = self.hidden_local(&name, at);
                self.renamed.insert(id, copy);
            }
            let mut copy = vec![];
            let typed = self
                .assign(target, x.clone(), &mut copy)
                .map(|()| self.block(&body));
            for &(id, _) in &locals {
                self.renamed.remove(&id);
            }
            copy.extend(typed?);
            let Some(stop) = stop else {
                out.extend(copy);
                continue;
            };
            let once = self.temp("once", Type::I64);
            Self::counted_loop(once, int64(1, span), copy, vec![], span, &mut copies);
            let stopped = tir::Expr::new(TK::Local(self.lid(stop)), Type::BOOL, span);
            let leave = vec![tir::Stmt {
                kind: TS::Break,
                span,
            }];
            Self::push(
                &mut copies,
                TS::If {
                    cond: stopped,
                    then: leave,
                    orelse: vec![],
                },
                span,
            );
        }
        let orelse = self.block(orelse);
        if stop.is_some() {
            let once = self.temp("once", Type::I64);
            Self::counted_loop(once, int64(1, span), copies, orelse, span, out);
            return Ok(());
        }
        if let Some(last) = items.last() {
            self.assign(target, last.clone(), out)?;
        }
        out.extend(orelse);
        Ok(())
    }

    /// `for target in l`: a `while` over a hidden position, which Python's
    /// list iterator checks against the list's length at every step; a
    /// str's characters the same way.
    fn for_list(
        &mut self,
        target: &Target,
        seq: tir::Expr,
        body: &[hir::Stmt],
        orelse: &[hir::Stmt],
        span: Span,
        out: &mut Vec<tir::Stmt>,
    ) -> R<()> {
        let seq = self.once(seq, "iter", out);
        let i64t = Type::I64;
        let pos = self.temp("index", i64t.clone());
        let local = |ty: &Type| tir::Expr::new(TK::Local(pos), ty.clone(), seq.span);
        let int = |v| tir::Expr::new(TK::Const(tir::ConstValue::Int(v)), Type::I64, seq.span);
        Self::push(out, TS::Assign(pos, int(0)), span);
        let len = self.list_len(seq.clone(), seq.span);
        let len = self.coerce(len, &i64t);
        let cond = tir::Expr::new(
            TK::Compare(tir::CmpOp::Lt, Box::new(local(&i64t)), Box::new(len)),
            Type::BOOL,
            seq.span,
        );
        let item = if seq.ty == Type::Str {
            self.str_item(seq.clone(), local(&i64t), target.span())
        } else {
            self.list_item(seq.clone(), local(&i64t), target.span())
        };
        self.position_loop(pos, cond, item, (target, body, orelse), span, out)
    }

    /// The loop over a dict or set `c` (evaluated once already): its size
    /// taken before the loop, then a `while iterating(c, pos, n)` whose body
    /// assigns `item(c, pos)` to the target — the runtime's check raises
    /// Python's `RuntimeError` at the next step after the size changed.
    pub(crate) fn sized_loop(
        &mut self,
        c: tir::Expr,
        iterating: RuntimeFn,
        item: impl FnOnce(tir::Expr, tir::Expr) -> tir::Expr,
        parts: (&Target, &[hir::Stmt], &[hir::Stmt]),
        span: Span,
        out: &mut Vec<tir::Stmt>,
    ) -> R<()> {
        let at = c.span;
        let n = self.list_len(c.clone(), at);
        let n = self.coerce(n, &Type::I64);
        let n = self.once(n, "len", out);
        let pos = self.temp("index", Type::I64);
        let local = || tir::Expr::new(TK::Local(pos), Type::I64, at);
        let zero = tir::Expr::new(TK::Const(tir::ConstValue::Int(0)), Type::I64, at);
        Self::push(out, TS::Assign(pos, zero), span);
        let cond = crate::runtime_fns::call(iterating, vec![c.clone(), local(), n], Type::BOOL, at);
        let item = item(c, local());
        self.position_loop(pos, cond, item, parts, span, out)
    }

    /// `while cond:` whose body assigns `item` to the target, steps the
    /// hidden position `pos` (before the user's body, so `continue` keeps
    /// it), then runs the body: the loop over a list or a dict.
    pub(crate) fn position_loop(
        &mut self,
        pos: LocalId,
        cond: tir::Expr,
        item: tir::Expr,
        (target, body, orelse): (&Target, &[hir::Stmt], &[hir::Stmt]),
        span: Span,
        out: &mut Vec<tir::Stmt>,
    ) -> R<()> {
        let mut body_out = Vec::new();
        self.assign(target, item, &mut body_out)?;
        let at = cond.span;
        let local = tir::Expr::new(TK::Local(pos), Type::I64, at);
        let one = tir::Expr::new(TK::Const(tir::ConstValue::Int(1)), Type::I64, at);
        let next = tir::Expr::new(
            TK::Binary(tir::BinOp::Add, Box::new(local), Box::new(one)),
            Type::I64,
            at,
        );
        Self::push(&mut body_out, TS::Assign(pos, next), span);
        body_out.extend(self.block(body));
        let orelse = self.block(orelse);
        Self::push(
            out,
            TS::While {
                cond,
                body: body_out,
                orelse,
            },
            span,
        );
        Ok(())
    }
}

/// The arguments of `range(...)` / `prange(...)` when `iter` is such a call.
pub(crate) fn range_call(iter: &hir::Expr) -> Option<&[hir::Expr]> {
    match &iter.kind {
        HK::Call { func, args, kwargs } if kwargs.is_empty() => match &func.kind {
            HK::Global(Value::Function(n)) if n == "builtins.range" || n == "oxjit.prange" => {
                Some(args)
            }
            _ => None,
        },
        _ => None,
    }
}

/// True if evaluating `e` again gives the same value when nothing is
/// stored in between: constants, locals, array elements and arithmetic on
/// them (no calls, no checks that raise, no assignments).
fn side_effect_free(e: &tir::Expr) -> bool {
    match &e.kind {
        TK::Local(_) | TK::Const(_) => true,
        TK::Cast(x) | TK::Unary(_, x) => side_effect_free(x),
        TK::Binary(_, a, b) | TK::Compare(_, a, b) => side_effect_free(a) && side_effect_free(b),
        TK::Index { array, indices, .. } => {
            side_effect_free(array) && indices.iter().all(side_effect_free)
        }
        _ => false,
    }
}

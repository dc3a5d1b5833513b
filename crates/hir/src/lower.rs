//! AST → HIR: name resolution, desugaring of `assert` and `elif`, and a
//! diagnostic (with a hint) for every Python construct oxjit does not compile.

use crate::env::{Const, Env, Value};
use crate::*;
use oxjit_diag::{Code, Diagnostic, Span};
use oxjit_syntax::ast::{self, Expr as AExpr, Number, Stmt as AStmt};
use oxjit_syntax::{ParsedFunction, Ranged};
use std::collections::HashMap;

struct Lower<'a, 'e> {
    parsed: &'a ParsedFunction,
    env: &'a mut (dyn Env + 'e),
    locals: Vec<Local>,
    by_name: HashMap<String, LocalId>,
    diags: Vec<Diagnostic>,
    /// The locals of the functions this one is defined in: a name read
    /// here that is one of them (and not bound here) is captured.
    outer: Vec<String>,
    /// The names captured so far, in order.
    captured: Vec<String>,
    /// A closure's own name, which calls it recursively.
    this: Option<String>,
    closures: Vec<Function>,
}

/// What a function definition holds: statements, or a lambda's expression.
#[derive(Clone, Copy)]
enum Body<'b> {
    Stmts(&'b [AStmt]),
    Expr(&'b AExpr),
}

/// Lowers a parsed function. Returns the HIR only if there were no errors.
pub fn lower_function(
    parsed: &ParsedFunction,
    env: &mut dyn Env,
) -> (Option<Function>, Vec<Diagnostic>) {
    let def = &parsed.def;
    let mut lw = Lower::new(parsed, env, Vec::new());
    let params = &def.parameters;
    if let Some(v) = params
        .vararg
        .as_ref()
        .map(|p| p.range())
        .or(params.kwarg.as_ref().map(|p| p.range()))
    {
        lw.unsupported(
            v,
            "variadic parameters (*args, **kwargs)",
            "give the function a fixed list of parameters",
        );
    }
    let span = lw.span(def.range());
    let f = lw.function(def.name.as_str(), &[], params, Body::Stmts(&def.body), span);
    if lw.diags.is_empty() {
        (Some(f), lw.diags)
    } else {
        (None, lw.diags)
    }
}

impl<'a, 'e> Lower<'a, 'e> {
    fn new(parsed: &'a ParsedFunction, env: &'a mut (dyn Env + 'e), outer: Vec<String>) -> Self {
        Lower {
            parsed,
            env,
            locals: Vec::new(),
            by_name: HashMap::new(),
            diags: Vec::new(),
            outer,
            captured: Vec::new(),
            this: None,
            closures: Vec::new(),
        }
    }

    /// Lowers one function: `captures` (names) become its first
    /// parameters, then `params`.
    fn function(
        &mut self,
        name: &str,
        captures: &[String],
        params: &ast::Parameters,
        body: Body,
        span: Span,
    ) -> Function {
        for c in captures {
            self.declare(c, span);
        }
        for p in params.iter_non_variadic_params() {
            let span = self.span(p.range());
            self.declare(p.name().as_str(), span);
        }
        let nparams = self.locals.len();
        let body = match body {
            Body::Stmts(stmts) => {
                stmts.iter().for_each(|s| self.collect_assigned(s));
                self.block(stmts)
            }
            Body::Expr(e) => {
                let value = self.expr(e);
                let span = value.span;
                vec![Stmt {
                    kind: StmtKind::Return(Some(value)),
                    span,
                }]
            }
        };
        let f = Function {
            name: name.to_string(),
            nparams,
            ncaptures: captures.len(),
            locals: std::mem::take(&mut self.locals),
            body,
            closures: std::mem::take(&mut self.closures),
            span,
        };
        if self.diags.is_empty() {
            self.diags = crate::assigned::check(&f);
        }
        f
    }

    /// A function defined inside this one (`def`, `lambda`): lowered once
    /// to find the names it captures, then again with them as its first
    /// parameters; the closure value captures them here.
    fn closure(
        &mut self,
        name: &str,
        params: &ast::Parameters,
        body: Body,
        span: Span,
    ) -> ExprKind {
        let plain = params.vararg.is_none()
            && params.kwarg.is_none()
            && params.kwonlyargs.is_empty()
            && params
                .posonlyargs
                .iter()
                .chain(&params.args)
                .all(|a| a.default.is_none());
        if !plain {
            self.unsupported(
                params.range,
                "a nested function or lambda with defaults, `*args` or keyword-only parameters",
                "give it plain parameters: def g(x, y): ... or lambda x, y: ...",
            );
        }
        let mut outer: Vec<String> = self.by_name.keys().cloned().collect();
        outer.extend(self.outer.iter().cloned());
        let this = Some(name.to_string()).filter(|_| matches!(body, Body::Stmts(_)));
        let captured = {
            let mut probe = Lower::new(self.parsed, &mut *self.env, outer.clone());
            probe.this = this.clone();
            probe.function(name, &[], params, body, span);
            probe.captured
        };
        let mut inner = Lower::new(self.parsed, &mut *self.env, outer);
        inner.this = this;
        let f = inner.function(name, &captured, params, body, span);
        self.diags.append(&mut inner.diags);
        let captures = captured.iter().map(|c| self.capture(c, span)).collect();
        self.closures.push(f);
        ExprKind::Closure {
            index: self.closures.len() - 1,
            captures,
        }
    }

    /// The local `name` reads here: this function's, or one captured from
    /// an enclosing function.
    fn capture(&mut self, name: &str, span: Span) -> LocalId {
        if let Some(id) = self.by_name.get(name) {
            return *id;
        }
        self.captured.push(name.to_string());
        self.declare(name, span)
    }
}

/// The names a comprehension target binds, with their ranges.
fn collect_names(t: &AExpr, out: &mut Vec<(String, oxjit_syntax::TextRange)>) {
    match t {
        AExpr::Name(n) => out.push((n.id.as_str().to_string(), n.range)),
        AExpr::Tuple(t) => t.elts.iter().for_each(|e| collect_names(e, out)),
        AExpr::List(t) => t.elts.iter().for_each(|e| collect_names(e, out)),
        _ => {}
    }
}

fn binop(op: ast::Operator) -> BinOp {
    use ast::Operator as O;
    match op {
        O::Add => BinOp::Add,
        O::Sub => BinOp::Sub,
        O::Mult => BinOp::Mul,
        O::MatMult => BinOp::MatMul,
        O::Div => BinOp::Div,
        O::Mod => BinOp::Mod,
        O::Pow => BinOp::Pow,
        O::LShift => BinOp::LShift,
        O::RShift => BinOp::RShift,
        O::BitOr => BinOp::BitOr,
        O::BitXor => BinOp::BitXor,
        O::BitAnd => BinOp::BitAnd,
        O::FloorDiv => BinOp::FloorDiv,
    }
}

fn cmpop(op: ast::CmpOp) -> CmpOp {
    use ast::CmpOp as C;
    match op {
        C::Eq => CmpOp::Eq,
        C::NotEq => CmpOp::Ne,
        C::Lt => CmpOp::Lt,
        C::LtE => CmpOp::Le,
        C::Gt => CmpOp::Gt,
        C::GtE => CmpOp::Ge,
        C::Is => CmpOp::Is,
        C::IsNot => CmpOp::IsNot,
        C::In => CmpOp::In,
        C::NotIn => CmpOp::NotIn,
    }
}

impl Lower<'_, '_> {
    fn span(&self, r: oxjit_syntax::TextRange) -> Span {
        self.parsed.span(r)
    }

    fn unsupported(&mut self, r: oxjit_syntax::TextRange, what: &str, hint: &str) {
        let d = Diagnostic::new(
            Code::UnsupportedSyntax,
            self.span(r),
            format!("{what} is not supported in compiled code"),
        )
        .with_hint(hint);
        self.diags.push(d);
    }

    fn bad_target(&mut self, r: oxjit_syntax::TextRange, what: &str, hint: &str) -> Option<Target> {
        let d = Diagnostic::new(
            Code::BadTarget,
            self.span(r),
            format!("{what} is not supported in compiled code"),
        )
        .with_hint(hint);
        self.diags.push(d);
        None
    }

    fn declare(&mut self, name: &str, span: Span) -> LocalId {
        if let Some(id) = self.by_name.get(name) {
            return *id;
        }
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(Local {
            name: name.to_string(),
            span,
        });
        self.by_name.insert(name.to_string(), id);
        id
    }

    /// Python scoping: a name bound anywhere in the body is local everywhere.
    fn collect_assigned(&mut self, s: &AStmt) {
        match s {
            AStmt::Assign(a) => a.targets.iter().for_each(|t| self.collect_target(t)),
            AStmt::AugAssign(a) => self.collect_target(&a.target),
            AStmt::AnnAssign(a) => self.collect_target(&a.target),
            AStmt::For(f) => {
                self.collect_target(&f.target);
                f.body
                    .iter()
                    .chain(&f.orelse)
                    .for_each(|s| self.collect_assigned(s));
            }
            AStmt::While(w) => w
                .body
                .iter()
                .chain(&w.orelse)
                .for_each(|s| self.collect_assigned(s)),
            AStmt::If(i) => {
                i.body.iter().for_each(|s| self.collect_assigned(s));
                for c in &i.elif_else_clauses {
                    c.body.iter().for_each(|s| self.collect_assigned(s));
                }
            }
            AStmt::FunctionDef(d) => {
                let span = self.span(d.name.range);
                self.declare(d.name.as_str(), span);
            }
            AStmt::Try(t) => {
                for ast::ExceptHandler::ExceptHandler(h) in &t.handlers {
                    if let Some(n) = &h.name {
                        let span = self.span(n.range);
                        self.declare(n.as_str(), span);
                    }
                }
                let handlers = t.handlers.iter().flat_map(|h| match h {
                    ast::ExceptHandler::ExceptHandler(h) => h.body.iter(),
                });
                t.body
                    .iter()
                    .chain(handlers)
                    .chain(&t.orelse)
                    .chain(&t.finalbody)
                    .for_each(|s| self.collect_assigned(s));
            }
            // Unsupported blocks are reported once; the names they bind are
            // still locals, so their uses do not cascade into more errors.
            AStmt::With(w) => w.body.iter().for_each(|s| self.collect_assigned(s)),
            _ => {}
        }
    }

    fn collect_target(&mut self, t: &AExpr) {
        match t {
            AExpr::Name(n) => {
                let span = self.span(n.range);
                self.declare(n.id.as_str(), span);
            }
            AExpr::Tuple(t) => t.elts.iter().for_each(|e| self.collect_target(e)),
            AExpr::List(t) => t.elts.iter().for_each(|e| self.collect_target(e)),
            _ => {}
        }
    }

    fn block(&mut self, stmts: &[AStmt]) -> Vec<Stmt> {
        stmts.iter().filter_map(|s| self.stmt(s)).collect()
    }

    fn stmt(&mut self, s: &AStmt) -> Option<Stmt> {
        let span = self.span(s.range());
        let kind = match s {
            AStmt::Assign(a) => {
                let targets = a
                    .targets
                    .iter()
                    .map(|t| self.target(t))
                    .collect::<Option<Vec<_>>>()?;
                StmtKind::Assign {
                    targets,
                    value: self.expr(&a.value),
                }
            }
            AStmt::AnnAssign(a) => {
                let target = self.target(&a.target)?;
                match &a.value {
                    Some(v) => StmtKind::Assign {
                        targets: vec![target],
                        value: self.expr(v),
                    },
                    None => StmtKind::Pass,
                }
            }
            AStmt::AugAssign(a) => {
                let target = self.target(&a.target)?;
                if let Target::Tuple(..) = target {
                    self.unsupported(
                        a.target.range(),
                        "augmented assignment to a tuple",
                        "assign each element separately",
                    );
                    return None;
                }
                StmtKind::AugAssign {
                    target,
                    op: binop(a.op),
                    value: self.expr(&a.value),
                }
            }
            AStmt::Expr(e) => {
                if let AExpr::StringLiteral(_) = *e.value {
                    return None; // docstring or bare string: no effect
                }
                StmtKind::Expr(self.expr(&e.value))
            }
            AStmt::If(i) => {
                let test = self.expr(&i.test);
                let body = self.block(&i.body);
                let orelse = self.elif_chain(&i.elif_else_clauses);
                StmtKind::If { test, body, orelse }
            }
            AStmt::While(w) => StmtKind::While {
                test: self.expr(&w.test),
                body: self.block(&w.body),
                orelse: self.block(&w.orelse),
            },
            AStmt::For(f) => {
                if f.is_async {
                    self.unsupported(f.range, "`async for`", "use a plain `for` loop");
                    return None;
                }
                let target = self.target(&f.target)?;
                StmtKind::For {
                    target,
                    iter: self.expr(&f.iter),
                    body: self.block(&f.body),
                    orelse: self.block(&f.orelse),
                }
            }
            AStmt::Break(_) => StmtKind::Break,
            AStmt::Continue(_) => StmtKind::Continue,
            AStmt::Pass(_) => StmtKind::Pass,
            // `del x[i]` is `x.__delitem__(i)`, as Python defines it.
            AStmt::Delete(d) => match &d.targets[..] {
                [AExpr::Subscript(sub)] => {
                    let obj = self.boxed(&sub.value);
                    let func = Expr {
                        kind: ExprKind::Attribute(obj, "__delitem__".into()),
                        span,
                    };
                    StmtKind::Expr(Expr {
                        kind: ExprKind::Call {
                            func: Box::new(func),
                            args: vec![self.expr(&sub.slice)],
                            kwargs: vec![],
                        },
                        span,
                    })
                }
                _ => {
                    self.unsupported(
                        d.range,
                        "`del` of a name or of several targets",
                        "delete one item at a time (del d[k]); let variables go out of scope",
                    );
                    StmtKind::Pass
                }
            },
            AStmt::Return(r) => StmtKind::Return(r.value.as_ref().map(|v| self.expr(v))),
            AStmt::Raise(r) => {
                if let Some(c) = &r.cause {
                    self.unsupported(
                        c.range(),
                        "`raise ... from ...`",
                        "raise the exception without `from`",
                    );
                }
                StmtKind::Raise(r.exc.as_ref().map(|e| self.expr(e)))
            }
            AStmt::FunctionDef(d) if d.decorator_list.is_empty() && !d.is_async => {
                let value =
                    self.closure(d.name.as_str(), &d.parameters, Body::Stmts(&d.body), span);
                StmtKind::Assign {
                    targets: vec![Target::Local(self.by_name[d.name.as_str()], span)],
                    value: Expr { kind: value, span },
                }
            }
            AStmt::Try(t) if !t.is_star => StmtKind::Try {
                body: self.block(&t.body),
                handlers: t
                    .handlers
                    .iter()
                    .map(|ast::ExceptHandler::ExceptHandler(h)| Handler {
                        class: h.type_.as_ref().map(|c| self.expr(c)),
                        name: h.name.as_ref().map(|n| self.by_name[n.as_str()]),
                        body: self.block(&h.body),
                        span: self.span(h.range),
                    })
                    .collect(),
                orelse: self.block(&t.orelse),
                finalbody: self.block(&t.finalbody),
            },
            AStmt::Assert(a) => {
                // `assert t, msg` is `if not t: raise AssertionError(msg)`.
                let test = self.expr(&a.test);
                let mut args = Vec::new();
                if let Some(m) = &a.msg {
                    args.push(self.expr(m));
                }
                let exc = Expr {
                    kind: ExprKind::Global(Value::ExceptionClass("AssertionError".into())),
                    span,
                };
                let call = Expr {
                    kind: ExprKind::Call {
                        func: Box::new(exc),
                        args,
                        kwargs: vec![],
                    },
                    span,
                };
                let not = Expr {
                    kind: ExprKind::Unary(UnaryOp::Not, Box::new(test)),
                    span,
                };
                StmtKind::If {
                    test: not,
                    body: vec![Stmt {
                        kind: StmtKind::Raise(Some(call)),
                        span,
                    }],
                    orelse: vec![],
                }
            }
            other => {
                let (what, hint) = match other {
                    AStmt::FunctionDef(_) => (
                        "a decorated or async nested function",
                        "define it without decorators (it is compiled with this function), or at module level with @njit",
                    ),
                    AStmt::ClassDef(_) => (
                        "a class definition",
                        "define classes outside compiled functions",
                    ),
                    AStmt::With(_) => (
                        "a `with` statement",
                        "move the context manager outside the compiled function",
                    ),
                    AStmt::Try(_) => (
                        "`except*`",
                        "catch the exceptions with plain `except` clauses",
                    ),
                    AStmt::Import(_) | AStmt::ImportFrom(_) => (
                        "`import`",
                        "import modules at module level; compiled code can use them as globals",
                    ),
                    AStmt::Global(_) | AStmt::Nonlocal(_) => (
                        "`global`/`nonlocal`",
                        "globals are frozen constants in compiled code; return new values instead",
                    ),
                    AStmt::Match(_) => ("`match`", "use `if`/`elif`"),
                    AStmt::TypeAlias(_) => {
                        ("a `type` alias", "define type aliases outside the function")
                    }
                    _ => ("this statement", "rewrite it with supported statements"),
                };
                self.unsupported(other.range(), what, hint);
                return None;
            }
        };
        Some(Stmt { kind, span })
    }

    fn elif_chain(&mut self, clauses: &[ast::ElifElseClause]) -> Vec<Stmt> {
        let Some((first, rest)) = clauses.split_first() else {
            return vec![];
        };
        let body = self.block(&first.body);
        match &first.test {
            None => body,
            Some(test) => {
                let span = self.span(first.range);
                let test = self.expr(test);
                let orelse = self.elif_chain(rest);
                vec![Stmt {
                    kind: StmtKind::If { test, body, orelse },
                    span,
                }]
            }
        }
    }

    /// A fresh local that no name refers to.
    fn hidden(&mut self, name: &str, span: Span) -> LocalId {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(Local {
            name: name.to_string(),
            span,
        });
        id
    }

    /// `[elt for ...]`, `{elt for ...}`, `{elt: value for ...}`, `(elt for
    /// ...)`. Python runs a comprehension in a scope of its own: its targets
    /// are new locals, visible to the later clauses and to `elt`; the first
    /// iterable is evaluated outside that scope.
    fn comprehension(
        &mut self,
        kind: CompKind,
        elt: &AExpr,
        value: Option<&AExpr>,
        clauses: &[ast::Comprehension],
        span: Span,
    ) -> ExprKind {
        let saved = self.by_name.clone();
        let mut generators = Vec::new();
        for g in clauses {
            if g.is_async {
                self.unsupported(g.range, "`async for`", "use a plain `for`");
            }
            let iter = self.expr(&g.iter);
            let mut names = Vec::new();
            collect_names(&g.target, &mut names);
            for (name, r) in names {
                let s = self.span(r);
                let id = self.hidden(&name, s);
                self.by_name.insert(name, id);
            }
            let Some(target) = self.target(&g.target) else {
                continue;
            };
            let ifs = g.ifs.iter().map(|e| self.expr(e)).collect();
            generators.push(Generator { target, iter, ifs });
        }
        let elt = Box::new(self.expr(elt));
        let value = value.map(|v| self.boxed(v));
        self.by_name = saved;
        let name = match kind {
            CompKind::List => "$list",
            CompKind::Set => "$set",
            CompKind::Dict => "$dict",
            CompKind::Generator => "$gen",
        };
        let result = self.hidden(name, span);
        ExprKind::Comprehension {
            kind,
            result,
            elt,
            value,
            generators,
        }
    }

    fn target(&mut self, t: &AExpr) -> Option<Target> {
        let span = self.span(t.range());
        match t {
            AExpr::Name(n) => Some(Target::Local(self.by_name[n.id.as_str()], span)),
            AExpr::Tuple(tt) => {
                let items = tt
                    .elts
                    .iter()
                    .map(|e| self.target(e))
                    .collect::<Option<Vec<_>>>()?;
                Some(Target::Tuple(items, span))
            }
            AExpr::List(tt) => {
                let items = tt
                    .elts
                    .iter()
                    .map(|e| self.target(e))
                    .collect::<Option<Vec<_>>>()?;
                Some(Target::Tuple(items, span))
            }
            AExpr::Subscript(s) => Some(Target::Subscript {
                base: self.expr(&s.value),
                index: self.expr(&s.slice),
                span,
            }),
            AExpr::Attribute(_) => self.bad_target(
                t.range(),
                "assigning to an attribute",
                "compiled code cannot mutate objects' attributes; return the new value instead",
            ),
            AExpr::Starred(_) => self.bad_target(
                t.range(),
                "starred assignment",
                "unpack a fixed number of elements",
            ),
            _ => self.bad_target(
                t.range(),
                "this assignment target",
                "assign to a variable, a tuple of variables or an array element",
            ),
        }
    }

    fn resolved(&mut self, v: Value) -> ExprKind {
        match v {
            Value::Const(c) => ExprKind::Const(c),
            v => ExprKind::Global(v),
        }
    }

    /// The parts of an f-string's elements (or of a format spec's).
    fn fstring_elements(
        &mut self,
        elements: &ast::InterpolatedStringElements,
        out: &mut Vec<FStringPart>,
    ) {
        for el in elements.iter() {
            match el {
                ast::InterpolatedStringElement::Literal(l) => out.push(FStringPart::Literal(
                    l.value.to_string(),
                    self.span(l.range),
                )),
                ast::InterpolatedStringElement::Interpolation(x) => {
                    let mut conversion = x.conversion.to_byte().map(char::from);
                    if let Some(debug) = &x.debug_text {
                        // `{x=}` shows the source text, then repr(x) unless
                        // a conversion or a spec says otherwise.
                        let text = format!(
                            "{}{}{}",
                            debug.leading(),
                            debug.expression(),
                            debug.trailing()
                        );
                        out.push(FStringPart::Literal(text, self.span(x.range)));
                        if conversion.is_none() && x.format_spec.is_none() {
                            conversion = Some('r');
                        }
                    }
                    let spec = x.format_spec.as_ref().map(|spec| {
                        let mut parts = Vec::new();
                        self.fstring_elements(&spec.elements, &mut parts);
                        Box::new(Expr {
                            kind: ExprKind::FString(parts),
                            span: self.span(spec.range),
                        })
                    });
                    out.push(FStringPart::Field {
                        value: self.boxed(&x.expression),
                        conversion,
                        spec,
                    });
                }
            }
        }
    }

    fn boxed(&mut self, e: &AExpr) -> Box<Expr> {
        Box::new(self.expr(e))
    }

    fn expr(&mut self, e: &AExpr) -> Expr {
        let span = self.span(e.range());
        let kind = match e {
            AExpr::NumberLiteral(n) => match &n.value {
                Number::Int(i) => match i.as_i64() {
                    Some(v) => ExprKind::Const(Const::Int(v)),
                    None => {
                        self.diags.push(
                            Diagnostic::new(Code::UnsupportedSyntax, span, "integer literal does not fit in int64")
                                .with_hint("compiled integers are 64-bit; use a float literal for large values"),
                        );
                        ExprKind::Const(Const::None)
                    }
                },
                Number::Float(f) => ExprKind::Const(Const::Float(*f)),
                Number::Complex { real, imag } => ExprKind::Const(Const::Complex(*real, *imag)),
            },
            AExpr::BooleanLiteral(b) => ExprKind::Const(Const::Bool(b.value)),
            AExpr::NoneLiteral(_) => ExprKind::Const(Const::None),
            AExpr::StringLiteral(s) => ExprKind::Const(Const::Str(s.value.to_str().to_string())),
            AExpr::Name(n) => {
                let name = n.id.as_str();
                if let Some(id) = self.by_name.get(name) {
                    ExprKind::Local(*id)
                } else if self.this.as_deref() == Some(name) {
                    ExprKind::ThisClosure
                } else if self.outer.iter().any(|o| o == name) {
                    ExprKind::Local(self.capture(name, span))
                } else if let Some(v) = self.env.global(name) {
                    self.resolved(v)
                } else {
                    self.diags.push(
                        Diagnostic::new(Code::UnknownName, span, format!("name '{name}' is not defined"))
                            .with_hint("compiled code can use parameters, local variables, module globals and builtins"),
                    );
                    ExprKind::Const(Const::None)
                }
            }
            AExpr::Attribute(a) => {
                let base = self.expr(&a.value);
                let attr = a.attr.as_str();
                match &base.kind {
                    ExprKind::Global(Value::Module(m)) => {
                        let m = m.clone();
                        match self.env.attribute(&m, attr) {
                            Some(v) => self.resolved(v),
                            None => {
                                let hint = self.env.suggest(&m, attr).unwrap_or_else(|| {
                                    "check the spelling of the attribute".into()
                                });
                                self.diags.push(
                                    Diagnostic::new(
                                        Code::UnknownAttribute,
                                        span,
                                        format!("module '{m}' has no attribute '{attr}'"),
                                    )
                                    .with_hint(hint),
                                );
                                ExprKind::Const(Const::None)
                            }
                        }
                    }
                    // `List.empty_list`: a function of the class's namespace.
                    ExprKind::Global(Value::Function(f)) => {
                        ExprKind::Global(Value::Function(format!("{f}.{attr}")))
                    }
                    _ => ExprKind::Attribute(Box::new(base), attr.to_string()),
                }
            }
            AExpr::UnaryOp(u) => {
                let op = match u.op {
                    ast::UnaryOp::Invert => UnaryOp::Invert,
                    ast::UnaryOp::Not => UnaryOp::Not,
                    ast::UnaryOp::UAdd => UnaryOp::Pos,
                    ast::UnaryOp::USub => UnaryOp::Neg,
                };
                ExprKind::Unary(op, self.boxed(&u.operand))
            }
            AExpr::BinOp(b) => {
                ExprKind::Binary(binop(b.op), self.boxed(&b.left), self.boxed(&b.right))
            }
            AExpr::Compare(c) => {
                let first = self.boxed(&c.left);
                let rest = c
                    .ops
                    .iter()
                    .zip(c.comparators.iter())
                    .map(|(op, e)| (cmpop(*op), self.expr(e)))
                    .collect();
                ExprKind::Compare(first, rest)
            }
            AExpr::BoolOp(b) => {
                let op = match b.op {
                    ast::BoolOp::And => BoolOp::And,
                    ast::BoolOp::Or => BoolOp::Or,
                };
                ExprKind::BoolOp(op, b.values.iter().map(|v| self.expr(v)).collect())
            }
            AExpr::If(i) => ExprKind::IfExp {
                test: self.boxed(&i.test),
                body: self.boxed(&i.body),
                orelse: self.boxed(&i.orelse),
            },
            AExpr::Call(c) => {
                let func = self.boxed(&c.func);
                let mut args = Vec::new();
                for a in c.arguments.args.iter() {
                    if let AExpr::Starred(_) = a {
                        self.unsupported(
                            a.range(),
                            "`*args` in a call",
                            "pass the arguments one by one",
                        );
                    } else {
                        args.push(self.expr(a));
                    }
                }
                let mut kwargs = Vec::new();
                for k in c.arguments.keywords.iter() {
                    match &k.arg {
                        Some(name) => {
                            let kw = Keyword {
                                name: name.as_str().to_string(),
                                value: self.expr(&k.value),
                                span: self.span(k.range),
                            };
                            kwargs.push(kw);
                        }
                        None => self.unsupported(
                            k.range,
                            "`**kwargs` in a call",
                            "pass keyword arguments by name",
                        ),
                    }
                }
                ExprKind::Call { func, args, kwargs }
            }
            AExpr::Subscript(s) => ExprKind::Subscript(self.boxed(&s.value), self.boxed(&s.slice)),
            AExpr::Tuple(t) => ExprKind::Tuple(t.elts.iter().map(|e| self.expr(e)).collect()),
            AExpr::List(l) => ExprKind::List(l.elts.iter().map(|e| self.expr(e)).collect()),
            AExpr::Set(l) => ExprKind::Set(l.elts.iter().map(|e| self.expr(e)).collect()),
            AExpr::Lambda(l) => {
                let none = ast::Parameters::default();
                let params = l.parameters.as_deref().unwrap_or(&none);
                self.closure("<lambda>", params, Body::Expr(&l.body), span)
            }
            AExpr::ListComp(c) => {
                self.comprehension(CompKind::List, &c.elt, None, &c.generators, span)
            }
            AExpr::SetComp(c) => {
                self.comprehension(CompKind::Set, &c.elt, None, &c.generators, span)
            }
            AExpr::Generator(c) => {
                self.comprehension(CompKind::Generator, &c.elt, None, &c.generators, span)
            }
            AExpr::DictComp(c) if c.key.is_some() => {
                let key = c.key.as_deref().unwrap();
                self.comprehension(CompKind::Dict, key, Some(&c.value), &c.generators, span)
            }
            AExpr::Dict(d) => {
                let mut pairs = Vec::new();
                for item in d.items.iter() {
                    match &item.key {
                        Some(k) => pairs.push((self.expr(k), self.expr(&item.value))),
                        None => self.unsupported(
                            item.value.range(),
                            "`**` unpacking in a dict display",
                            "add the items with update() or a loop",
                        ),
                    }
                }
                ExprKind::Dict(pairs)
            }
            AExpr::FString(f) => {
                let mut parts = Vec::new();
                for part in f.value.iter() {
                    match part {
                        ast::FStringPart::Literal(l) => parts.push(FStringPart::Literal(
                            l.value.to_string(),
                            self.span(l.range),
                        )),
                        ast::FStringPart::FString(f) => {
                            self.fstring_elements(&f.elements, &mut parts)
                        }
                    }
                }
                ExprKind::FString(parts)
            }
            AExpr::Slice(s) => ExprKind::Slice {
                lower: s.lower.as_ref().map(|e| self.boxed(e)),
                upper: s.upper.as_ref().map(|e| self.boxed(e)),
                step: s.step.as_ref().map(|e| self.boxed(e)),
            },
            other => {
                let (what, hint) = match other {
                    AExpr::DictComp(_) => (
                        "`**` unpacking in a dict comprehension",
                        "build the dict with a loop and update()",
                    ),
                    AExpr::Yield(_) | AExpr::YieldFrom(_) => (
                        "`yield` (generators)",
                        "return an array or tuple of results",
                    ),
                    AExpr::Await(_) => ("`await`", "compiled functions are synchronous"),
                    AExpr::TString(_) => ("a template string", "use an f-string"),
                    AExpr::BytesLiteral(_) => ("a bytes literal", "use a NumPy uint8 array"),
                    AExpr::Named(_) => (
                        "an assignment expression (`:=`)",
                        "assign in a separate statement",
                    ),
                    AExpr::Starred(_) => {
                        ("a starred expression", "unpack a fixed number of elements")
                    }
                    AExpr::EllipsisLiteral(_) => ("`...`", "write the indices explicitly"),
                    _ => ("this expression", "rewrite it with supported expressions"),
                };
                self.unsupported(other.range(), what, hint);
                ExprKind::Const(Const::None)
            }
        };
        Expr { kind, span }
    }
}

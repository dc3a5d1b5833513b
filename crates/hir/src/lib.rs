//! HIR: the function as a structured tree with every name resolved.
//!
//! Lowering from the AST decides, once, what each name means: a local
//! variable (any name assigned in the function, as in Python's scoping), or a
//! compile-time value supplied by the `Env` (a frozen numeric global or closure
//! constant, a module, a function, another jitted function, an exception
//! class). Control flow stays structured (`if`/`while`/`for` with `else`),
//! because Python has no goto and structured loops keep loop-`else`, `prange`
//! outlining and array-expression fusion simple; LLVM's mem2reg builds SSA.

mod assigned;
mod env;
mod lower;
mod prange;
mod print;

pub use env::{Const, Env, TableEnv, Value};
pub use lower::lower_function;
pub use prange::{analyse_prange, is_prange, private_reads_after_prange, ParallelLoop, Reduction};
pub use print::print_function;

use oxjit_diag::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    /// Where the name is first bound (parameter or assignment).
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    /// Parameter `i` is local `LocalId(i)`.
    pub nparams: usize,
    /// Of a function defined inside another (a closure): how many of the
    /// parameters, first, are the values it captured (Python's free
    /// variables, by value where it is defined); 0 for others.
    pub ncaptures: usize,
    pub locals: Vec<Local>,
    pub body: Vec<Stmt>,
    /// The functions defined in this one (`def`, `lambda`), which
    /// `ExprKind::Closure` names by position.
    pub closures: Vec<Function>,
    pub span: Span,
}

impl Function {
    pub fn params(&self) -> impl Iterator<Item = LocalId> {
        (0..self.nparams as u32).map(LocalId)
    }
    pub fn local(&self, id: LocalId) -> &Local {
        &self.locals[id.0 as usize]
    }
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    /// `t1 = t2 = value`: targets are assigned left to right.
    Assign {
        targets: Vec<Target>,
        value: Expr,
    },
    AugAssign {
        target: Target,
        op: BinOp,
        value: Expr,
    },
    Expr(Expr),
    If {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    While {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    For {
        target: Target,
        iter: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    /// `raise E` / `raise E(args)` / `raise e`; `None` is a bare re-raise.
    Raise(Option<Expr>),
    /// `try`: `body`, then the first handler whose class matches an
    /// exception it raised, `orelse` when it raised none, and `finalbody`
    /// on every way out.
    Try {
        body: Vec<Stmt>,
        handlers: Vec<Handler>,
        orelse: Vec<Stmt>,
        finalbody: Vec<Stmt>,
    },
    Pass,
}

/// `except class as name: body`.
#[derive(Clone, Debug)]
pub struct Handler {
    /// The class or tuple of classes caught; `None` for a bare `except:`.
    pub class: Option<Expr>,
    /// The local the exception is bound to.
    pub name: Option<LocalId>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Target {
    Local(LocalId, Span),
    Tuple(Vec<Target>, Span),
    Subscript { base: Expr, index: Expr, span: Span },
}

impl Target {
    pub fn span(&self) -> Span {
        match self {
            Target::Local(_, s) | Target::Tuple(_, s) | Target::Subscript { span: s, .. } => *s,
        }
    }

    /// Calls `f` on every local this target binds, left to right, with the
    /// span of its name.
    pub fn visit_locals(&self, f: &mut impl FnMut(LocalId, Span)) {
        match self {
            Target::Local(id, span) => f(*id, *span),
            Target::Tuple(items, _) => items.iter().for_each(|t| t.visit_locals(f)),
            Target::Subscript { .. } => {}
        }
    }
}

impl Stmt {
    /// The statement blocks nested in this statement.
    pub fn blocks(&self) -> Vec<&[Stmt]> {
        match &self.kind {
            StmtKind::If { body, orelse, .. }
            | StmtKind::While { body, orelse, .. }
            | StmtKind::For { body, orelse, .. } => vec![body, orelse],
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => std::iter::once(&body[..])
                .chain(handlers.iter().map(|h| &h.body[..]))
                .chain([&orelse[..], &finalbody[..]])
                .collect(),
            _ => vec![],
        }
    }

    /// The targets this statement assigns: of an assignment, an augmented
    /// assignment or a `for` loop.
    pub fn targets(&self) -> Vec<&Target> {
        match &self.kind {
            StmtKind::Assign { targets, .. } => targets.iter().collect(),
            StmtKind::AugAssign { target, .. } | StmtKind::For { target, .. } => vec![target],
            _ => vec![],
        }
    }
}

/// Visits every statement of `stmts` and of their nested blocks, each
/// before its blocks.
pub fn walk_stmts<'a>(stmts: &'a [Stmt], visit: &mut impl FnMut(&'a Stmt)) {
    for s in stmts {
        visit(s);
        s.blocks().into_iter().for_each(|b| walk_stmts(b, visit));
    }
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Const(Const),
    Local(LocalId),
    /// A resolved compile-time value that is not a number: module, function,
    /// dispatcher, exception class, or an unsupported object.
    Global(Value),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `a < b <= c`: the first operand and each (operator, operand).
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    /// `a and b and c` / `a or b`.
    BoolOp(BoolOp, Vec<Expr>),
    IfExp {
        test: Box<Expr>,
        body: Box<Expr>,
        orelse: Box<Expr>,
    },
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        kwargs: Vec<Keyword>,
    },
    Attribute(Box<Expr>, String),
    Subscript(Box<Expr>, Box<Expr>),
    Tuple(Vec<Expr>),
    /// A list display: a list, or the literal of `np.array([...])`.
    List(Vec<Expr>),
    /// A dict display `{k: v, ...}`, evaluated key, value, key, ...
    Dict(Vec<(Expr, Expr)>),
    /// A set display `{a, b, ...}`.
    Set(Vec<Expr>),
    /// A function defined here (`def g(...)`, `lambda ...`): closure
    /// `index` of the enclosing `Function`, made with the current values
    /// of `captures` (its first parameters).
    Closure {
        index: usize,
        captures: Vec<LocalId>,
    },
    /// Inside a closure, its own name (`def fact(k): ... fact(k - 1)`): the
    /// closure itself, made from its captured parameters.
    ThisClosure,
    /// `[elt for target in iter if cond ...]` and its set, dict (`elt` the
    /// key, `value` the value) and generator forms: builds its result in
    /// `result`, a hidden local, as the loops over `generators` would. The
    /// targets are locals of their own (the comprehension's scope).
    Comprehension {
        kind: CompKind,
        result: LocalId,
        elt: Box<Expr>,
        value: Option<Box<Expr>>,
        generators: Vec<Generator>,
    },
    Slice {
        lower: Option<Box<Expr>>,
        upper: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
    /// An f-string (implicit concatenations with plain literals merged):
    /// its parts in order.
    FString(Vec<FStringPart>),
}

/// A piece of an f-string.
#[derive(Clone, Debug)]
pub enum FStringPart {
    /// Text as written (escapes already decoded).
    Literal(String, Span),
    /// `{value!conversion:spec}`; `spec` is itself an f-string, and
    /// `conversion` is `'s'`, `'r'` or `'a'` when given (`{x=}` is the text
    /// `x=` then the field with `'r'`).
    Field {
        value: Box<Expr>,
        conversion: Option<char>,
        spec: Option<Box<Expr>>,
    },
}

/// `name=value` in a call; `span` covers both.
/// What a comprehension builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompKind {
    List,
    Set,
    Dict,
    /// A generator expression: its consumer decides (a sum, a list, ...).
    Generator,
}

/// One `for target in iter if cond ...` clause of a comprehension.
#[derive(Clone, Debug)]
pub struct Generator {
    pub target: Target,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
}

#[derive(Clone, Debug)]
pub struct Keyword {
    pub name: String,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    BitAnd,
    BitOr,
    BitXor,
    MatMul,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::MatMul => "@",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Pos,
    Invert,
    Not,
}

impl UnaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Pos => "+",
            UnaryOp::Invert => "~",
            UnaryOp::Not => "not ",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Is,
    IsNot,
    In,
    NotIn,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoolOp {
    And,
    Or,
}

/// Calls `f` for every read of a local in `e`, in evaluation order.
pub fn reads(e: &Expr, f: &mut impl FnMut(LocalId, Span)) {
    reads_dyn(e, f)
}

fn reads_dyn(e: &Expr, f: &mut dyn FnMut(LocalId, Span)) {
    let reads = reads_dyn;
    match &e.kind {
        ExprKind::Local(id) => f(*id, e.span),
        ExprKind::Const(_) | ExprKind::Global(_) => {}
        ExprKind::Unary(_, x) | ExprKind::Attribute(x, _) => reads(x, f),
        ExprKind::Binary(_, a, b) | ExprKind::Subscript(a, b) => {
            reads(a, f);
            reads(b, f);
        }
        ExprKind::Compare(first, rest) => {
            reads(first, f);
            rest.iter().for_each(|(_, x)| reads(x, f));
        }
        ExprKind::BoolOp(_, xs) | ExprKind::Tuple(xs) | ExprKind::List(xs) | ExprKind::Set(xs) => {
            xs.iter().for_each(|x| reads(x, f))
        }
        ExprKind::Dict(pairs) => pairs.iter().for_each(|(k, v)| {
            reads(k, f);
            reads(v, f)
        }),
        ExprKind::FString(parts) => parts.iter().for_each(|p| {
            if let FStringPart::Field { value, spec, .. } = p {
                reads(value, f);
                if let Some(spec) = spec {
                    reads(spec, f);
                }
            }
        }),
        ExprKind::IfExp { test, body, orelse } => {
            reads(test, f);
            reads(body, f);
            reads(orelse, f);
        }
        ExprKind::Call { func, args, kwargs } => {
            reads(func, f);
            args.iter().for_each(|x| reads(x, f));
            kwargs.iter().for_each(|k| reads(&k.value, f));
        }
        ExprKind::Slice { lower, upper, step } => {
            for x in [lower, upper, step].into_iter().flatten() {
                reads(x, f);
            }
        }
        ExprKind::Closure { captures, .. } => captures.iter().for_each(|id| f(*id, e.span)),
        ExprKind::ThisClosure => {}
        // The comprehension's own locals are not reads of the function's.
        ExprKind::Comprehension {
            result,
            elt,
            value,
            generators,
            ..
        } => {
            let mut own = vec![*result];
            for g in generators {
                g.target.visit_locals(&mut |id, _| own.push(id));
            }
            let mut outer = |id: LocalId, span: Span| {
                if !own.contains(&id) {
                    f(id, span)
                }
            };
            for g in generators {
                reads(&g.iter, &mut outer);
                g.ifs.iter().for_each(|c| reads(c, &mut outer));
            }
            reads(elt, &mut outer);
            if let Some(v) = value {
                reads(v, &mut outer);
            }
        }
    }
}

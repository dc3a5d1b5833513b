//! Exceptions: `raise` in its forms and `try` statements.
//!
//! A `raise` of a class with constant arguments is a descriptor id (the
//! cheapest form: the status is the whole exception). One with run-time
//! arguments (`raise ValueError("bad n", n)`, an f-string message) builds
//! an exception object (`RuntimeFn::ExcNew`) and raises it; so does a
//! re-raise of a caught exception (`raise`, `raise e`). A `try` becomes
//! `TS::Try` with its handlers' class names; a handler whose exception the
//! program keeps (`except E as e`, a bare `raise` in it) binds a local of
//! type `exception`, whose `str(e)` is `RuntimeFn::ExcStr`.

use crate::check::{error, Checker, R};
use crate::expr::konst;
use crate::runtime_fns::call;
use oxjit_abi::exc::{class_id, ExcArg, ExcSpec};
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, Const, ExprKind as HK, StmtKind as HS, Value};
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK, RuntimeFn, StmtKind as TS};
use oxjit_types::Type;

impl Checker<'_> {
    /// `raise`, `raise e`, `raise E` or `raise E(args)`.
    pub(crate) fn raise(&mut self, exc: Option<&hir::Expr>, span: Span) -> R<TS> {
        let Some(exc) = exc else {
            let Some(&caught) = self.handling.last() else {
                return Err(error(
                    Code::BadRaise,
                    span,
                    "a bare `raise` outside an `except` clause has no exception to raise again",
                    "raise an exception class explicitly: raise ValueError(\"...\")",
                ));
            };
            let e = tir::Expr::new(TK::Local(caught), Type::Exception, span);
            return Ok(TS::RaiseValue(e));
        };
        let (class, args) = match &exc.kind {
            HK::Global(Value::ExceptionClass(c)) => (c.clone(), Vec::new()),
            HK::Call { func, args, kwargs } if kwargs.is_empty() => match &func.kind {
                HK::Global(Value::ExceptionClass(c)) => (c.clone(), args.iter().collect()),
                _ => return self.raise_value(exc),
            },
            _ => return self.raise_value(exc),
        };
        let consts = args.iter().map(|a| match &a.kind {
            HK::Const(Const::Str(s)) => Some(ExcArg::Str(s.clone())),
            HK::Const(Const::Int(i)) => Some(ExcArg::Int(*i)),
            HK::Const(Const::Float(x)) => Some(ExcArg::Float(*x)),
            HK::Const(Const::Bool(b)) => Some(ExcArg::Bool(*b)),
            HK::Const(Const::None) => Some(ExcArg::None),
            _ => None,
        });
        if let Some(args) = consts.collect::<Option<Vec<_>>>() {
            return Ok(TS::Raise(self.oracle.exception(ExcSpec { class, args })));
        }
        let e = self.new_exception(&class, &args, span)?;
        Ok(TS::RaiseValue(e))
    }

    /// `raise e` of an exception object.
    fn raise_value(&mut self, exc: &hir::Expr) -> R<TS> {
        let e = self.expr(exc)?;
        if e.ty != Type::Exception {
            return Err(error(
                Code::BadRaise,
                exc.span,
                format!("cannot raise a value of type {} in compiled code", e.ty),
                "raise an exception class, an instance of one (ValueError(\"...\")), or a caught exception",
            ));
        }
        Ok(TS::RaiseValue(e))
    }

    /// An exception object of `class` with arguments computed at run time.
    fn new_exception(&mut self, class: &str, args: &[&hir::Expr], span: Span) -> R<tir::Expr> {
        let mut items = Vec::with_capacity(args.len());
        for a in args {
            let x = self.expr(a)?;
            if !exception_arg(&x.ty) {
                return Err(error(
                    Code::BadRaise,
                    a.span,
                    format!("an exception argument of type {} is not supported in compiled code", x.ty),
                    "pass numbers, bools, strs, None or tuples of them; format anything else into the message",
                ));
            }
            items.push(x);
        }
        let ty = Type::Tuple(items.iter().map(|x| x.ty.clone()).collect());
        let id = konst(ConstValue::Int(class_id(class) as i64), Type::I64, span);
        let args = tir::Expr::new(TK::Tuple(items), ty, span);
        Ok(call(
            RuntimeFn::ExcNew,
            vec![id, args],
            Type::Exception,
            span,
        ))
    }

    /// A `try` statement.
    pub(crate) fn try_stmt(
        &mut self,
        body: &[hir::Stmt],
        handlers: &[hir::Handler],
        orelse: &[hir::Stmt],
        finalbody: &[hir::Stmt],
    ) -> R<TS> {
        let body = self.block(body);
        let mut typed = Vec::with_capacity(handlers.len());
        let mut failure = None;
        for h in handlers {
            // Every handler is typed, so one error does not hide the others.
            match self.handler(h) {
                Ok(h) => typed.push(h),
                Err(f) => failure = failure.or(Some(f)),
            }
        }
        let orelse = self.block(orelse);
        let finally = self.block(finalbody);
        if let Some(f) = failure {
            return Err(f);
        }
        Ok(TS::Try {
            body,
            handlers: typed,
            orelse,
            finally,
        })
    }

    fn handler(&mut self, h: &hir::Handler) -> R<tir::Handler> {
        let classes = match &h.class {
            None => Vec::new(),
            Some(c) => handler_classes(c)?,
        };
        let bind = match h.name {
            Some(n) => {
                let id = self.lid(n);
                self.bind(id, &Type::Exception, h.span)?;
                Some(id)
            }
            // A bare `raise` in the handler needs the exception kept.
            None if has_bare_raise(&h.body) => Some(self.temp("caught", Type::Exception)),
            None => None,
        };
        self.handling.extend(bind);
        let body = self.block(&h.body);
        if bind.is_some() {
            self.handling.pop();
        }
        Ok(tir::Handler {
            classes,
            bind,
            body,
        })
    }
}

/// `str(e)` of an exception object.
pub(crate) fn exception_str(e: tir::Expr, span: Span) -> tir::Expr {
    call(RuntimeFn::ExcStr, vec![e], Type::Str, span)
}

/// Whether values of `t` can be exception arguments (what the runtime's
/// descriptors hold).
fn exception_arg(t: &Type) -> bool {
    match t {
        Type::Scalar(s) => !s.is_complex(),
        Type::Str | Type::None => true,
        Type::Tuple(items) => items.iter().all(exception_arg),
        _ => false,
    }
}

/// The class names of an `except` clause: a class or a tuple of them.
fn handler_classes(c: &hir::Expr) -> R<Vec<String>> {
    let one = |e: &hir::Expr| match &e.kind {
        HK::Global(Value::ExceptionClass(name)) => Ok(name.clone()),
        _ => Err(error(
            Code::BadRaise,
            e.span,
            "an `except` clause must name exception classes",
            "catch a class or a tuple of classes: except (ValueError, KeyError):",
        )),
    };
    match &c.kind {
        HK::Tuple(items) => items.iter().map(one).collect(),
        _ => Ok(vec![one(c)?]),
    }
}

/// Whether `stmts` hold a bare `raise` (anywhere: a nested handler's is
/// counted too, which only keeps an exception that is not needed).
fn has_bare_raise(stmts: &[hir::Stmt]) -> bool {
    let mut found = false;
    hir::walk_stmts(stmts, &mut |s| found |= matches!(s.kind, HS::Raise(None)));
    found
}

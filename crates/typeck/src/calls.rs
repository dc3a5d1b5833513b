//! Calls: library functions and methods through the registry
//! (`library`), `range` arguments, and other jitted functions (bound by
//! keyword and default like Python, typed by the oracle).

use crate::check::{error, Checker, Fail, R};
use crate::closures::closure_captures;
use crate::expr::{cast_scalar, konst};
use crate::library::{library, Call, Lowering, Receiver, Signature};
use crate::ops::guard;
use oxjit_abi::exc::ExcSpec;
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, ExprKind as HK, Value};
use oxjit_tir::{self as tir, Check, ConstValue, ExprKind as TK, Intrinsic};
use oxjit_types::{unify, Kind, Scalar, Type};

fn call_expr(op: Intrinsic, args: Vec<tir::Expr>, ty: Scalar, span: Span) -> tir::Expr {
    tir::Expr::new(TK::Call(op, args), Type::Scalar(ty), span)
}

impl Checker<'_> {
    pub fn call(
        &mut self,
        func: &hir::Expr,
        args: &[hir::Expr],
        kwargs: &[hir::Keyword],
        span: Span,
    ) -> R<tir::Expr> {
        match &func.kind {
            HK::Global(Value::Dispatcher(id)) => {
                self.call_jitted(*id, vec![], func, args, kwargs, span)
            }
            HK::Global(Value::Function(path)) => match library().get(path) {
                Some(entry) => self.call_entry(entry, None, args, kwargs, span),
                None => Err(self.unsupported_function(path, span)),
            },
            HK::Global(Value::ExceptionClass(c)) => Err(error(
                Code::BadRaise,
                span,
                format!("exception class '{c}' can only be raised"),
                "use it in a raise statement: raise ValueError(\"...\")",
            )),
            HK::Attribute(obj, method) => {
                let obj = self.expr(obj)?;
                if matches!(obj.ty, Type::Tuple(_)) && kwargs.is_empty() {
                    return self.tuple_method(obj, method, args, span);
                }
                if obj.ty.dtype_value().is_some() {
                    // `a.dtype.type(x)`: an attribute that is a scalar type.
                    let f = self.attribute(obj, method, func.span)?;
                    return self.call_value(f, args, kwargs, span);
                }
                let container = match obj.ty {
                    Type::List(_) => Some(Receiver::List),
                    Type::Dict(..) => Some(Receiver::Dict),
                    Type::Set(_) => Some(Receiver::Set),
                    Type::Str => Some(Receiver::Str),
                    _ => None,
                };
                if let Some(on) = container {
                    return match library().method(on, method) {
                        Some(entry) => self.call_entry(entry, Some(obj), args, kwargs, span),
                        None => Err(self.no_method(&obj, method, span)),
                    };
                }
                // Arrays have every method; numbers those that apply elementwise.
                let entry = library().method(Receiver::Array, method).filter(|e| {
                    obj.ty.array().is_some()
                        || (obj.ty.scalar().is_some() && e.lowering() == Lowering::Elementwise)
                });
                match entry {
                    Some(entry) => self.call_entry(entry, Some(obj), args, kwargs, span),
                    None => Err(self.no_method(&obj, method, span)),
                }
            }
            HK::Subscript(fs, index) if !matches!(index.kind, HK::Const(_)) => {
                match self.call_chosen(fs, index, args, kwargs, span)? {
                    Some(call) => Ok(call),
                    None => {
                        let f = self.expr(func)?;
                        self.call_value(f, args, kwargs, span)
                    }
                }
            }
            _ => {
                let f = self.expr(func)?;
                self.call_value(f, args, kwargs, span)
            }
        }
    }

    /// A call of a value: a scalar type (`np.float32` held in a variable,
    /// `a.dtype.type`) converts like the type called by name.
    pub(crate) fn call_value(
        &mut self,
        f: tir::Expr,
        args: &[hir::Expr],
        kwargs: &[hir::Keyword],
        span: Span,
    ) -> R<tir::Expr> {
        match f.ty {
            // A function passed in or held in a variable: the direct call.
            Type::Function(id) => {
                let at = hir::Expr {
                    kind: HK::Global(Value::Dispatcher(id)),
                    span: f.span,
                };
                self.call_jitted(id, vec![], &at, args, kwargs, span)
            }
            Type::Closure(ref c) => {
                let id = c.0;
                let at = hir::Expr {
                    kind: HK::Global(Value::Dispatcher(id)),
                    span: f.span,
                };
                let captured = closure_captures(f);
                self.call_jitted(id, captured, &at, args, kwargs, span)
            }
            Type::Class(s) => {
                let path = match s.strong() {
                    Scalar::Bool => "numpy.bool_".to_string(),
                    s => format!("numpy.{s}"),
                };
                let entry = library()
                    .get(&path)
                    .expect("every scalar type has a conversion entry");
                self.call_entry(entry, None, args, kwargs, span)
            }
            _ => Err(error(
                Code::BadCall,
                f.span,
                format!("a value of type {} is not callable", f.ty),
                "call functions by name",
            )),
        }
    }

    fn no_method(&self, obj: &tir::Expr, method: &str, span: Span) -> Fail {
        let receiver = match obj.ty {
            Type::Array(_) => Some((Receiver::Array, "arrays")),
            Type::List(_) => Some((Receiver::List, "lists")),
            Type::Dict(..) => Some((Receiver::Dict, "dicts")),
            Type::Set(_) => Some((Receiver::Set, "sets")),
            Type::Str => Some((Receiver::Str, "strs")),
            _ => None,
        };
        if let Some((on, what)) = receiver {
            {
                return error(
                    Code::UnknownAttribute,
                    span,
                    format!("{what} have no method '{method}' in compiled code"),
                    format!("supported: {}", library().method_names(on)),
                );
            }
        }
        error(
            Code::UnknownAttribute,
            span,
            format!(
                "a value of type {} has no method '{method}' in compiled code",
                obj.ty
            ),
            "the only scalar methods are conjugate() and conj()",
        )
    }

    /// A Python scalar as the NumPy scalar NumPy functions make of it.
    pub(crate) fn strengthen(&self, e: tir::Expr) -> tir::Expr {
        match e.ty.scalar() {
            Some(s) if s.is_weak() => cast_scalar(e, s.strong()),
            _ => e,
        }
    }

    /// A value used twice: the first use sets a temporary, the second reads it.
    pub(crate) fn twice(&mut self, e: tir::Expr) -> (tir::Expr, tir::Expr) {
        if matches!(e.kind, TK::Local(_) | TK::Const(_)) {
            return (e.clone(), e);
        }
        let (ty, span) = (e.ty.clone(), e.span);
        let tmp = self.temp("arg", ty.clone());
        (
            tir::Expr::new(TK::SetLocal(tmp, Box::new(e)), ty.clone(), span),
            tir::Expr::new(TK::Local(tmp), ty, span),
        )
    }

    /// `min(acc, x)` / `max(acc, x)` of values that compare (strs,
    /// tuples): `x` replaces `acc` only when it beats it, so the first of
    /// equal extremes stays; `acc` is evaluated first, as Python does.
    fn extreme_of_two(
        &mut self,
        f: &str,
        acc: tir::Expr,
        x: tir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        let ty = unify(&acc.ty, &x.ty).ok_or_else(|| {
            error(
                Code::CannotUnify,
                span,
                format!("{f}() of a {} and a {}", acc.ty, x.ty),
                "compare values of one type",
            )
        })?;
        let (a1, a2) = self.twice(acc);
        let (x1, x2) = self.twice(x);
        // `x < acc` is `acc > x`, with acc evaluated first.
        let op = if f == "min" {
            hir::CmpOp::Gt
        } else {
            hir::CmpOp::Lt
        };
        let beats = self.compare(op, a1, x1, span)?;
        let (x2, a2) = (self.coerce(x2, &ty), self.coerce(a2, &ty));
        Ok(tir::Expr::new(
            TK::IfExp(Box::new(beats), Box::new(x2), Box::new(a2)),
            ty,
            span,
        ))
    }

    pub(crate) fn min_max(&mut self, f: &str, args: Vec<tir::Expr>, span: Span) -> R<tir::Expr> {
        if let [l] = args.as_slice() {
            if l.ty.list_item().is_some() {
                return self.extreme_item(f, l.clone(), span);
            }
        }
        let args = match args.as_slice() {
            [t] if matches!(t.ty, Type::Tuple(_)) => {
                let Type::Tuple(items) = t.ty.clone() else {
                    unreachable!()
                };
                let whole = t.clone();
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, ty)| {
                        tir::Expr::new(TK::TupleGet(Box::new(whole.clone()), i), ty, span)
                    })
                    .collect()
            }
            _ => args,
        };
        if args.is_empty() {
            return Err(error(
                Code::BadCall,
                span,
                format!("{f}() expected at least 1 argument, got 0"),
                "pass two or more numbers, or a tuple",
            ));
        }
        if args.len() > 1 && args.iter().any(|a| a.ty.scalar().is_none()) {
            let mut args = args.into_iter();
            let first = args.next().unwrap();
            return args.try_fold(first, |acc, x| self.extreme_of_two(f, acc, x, span));
        }
        let mut t: Option<Scalar> = None;
        for a in &args {
            let s = self.scalar_arg(f, a, false)?;
            t = Some(t.map_or(s, |t| oxjit_types::common_scalar(t, s)));
        }
        let t = t.unwrap();
        let op = if f == "min" {
            Intrinsic::Min
        } else {
            Intrinsic::Max
        };
        let mut args = args.into_iter().map(|a| cast_scalar(a, t));
        let mut acc = args.next().unwrap();
        for a in args {
            acc = call_expr(op, vec![acc, a], t, span);
        }
        Ok(acc)
    }

    /// `range(stop)`, `range(start, stop[, step])` as Python ints; a zero
    /// step raises `ValueError` like Python's.
    pub fn range_args(
        &mut self,
        args: &[hir::Expr],
        span: Span,
    ) -> R<(tir::Expr, tir::Expr, tir::Expr)> {
        let mut xs = args.iter().map(|a| self.expr(a)).collect::<R<Vec<_>>>()?;
        if !(1..=3).contains(&xs.len()) {
            return Err(error(
                Code::BadCall,
                span,
                format!("range() takes 1 to 3 argument(s), {} given", xs.len()),
                "check the call's arguments",
            ));
        }
        for x in &xs {
            if x.ty.scalar().is_none_or(|s| s.kind() > Kind::Int) {
                return Err(error(
                    Code::BadCall,
                    x.span,
                    format!("range() arguments must be integers, not {}", x.ty),
                    "convert with int(...)",
                ));
            }
        }
        let int = |x| cast_scalar(x, Scalar::PyInt);
        let one = || konst(ConstValue::Int(1), Type::INT, span);
        let zero = || konst(ConstValue::Int(0), Type::INT, span);
        let step = if xs.len() == 3 {
            int(xs.pop().unwrap())
        } else {
            one()
        };
        let stop = int(xs.pop().unwrap());
        let start = xs.pop().map_or_else(zero, int);
        if let TK::Const(ConstValue::Int(0)) = step.kind {
            return Err(error(
                Code::BadCall,
                step.span,
                "range() arg 3 must not be zero",
                "use a non-zero step",
            ));
        }
        let id = self.oracle.exception(ExcSpec::with_message(
            "ValueError",
            "range() arg 3 must not be zero",
        ));
        Ok((start, stop, guard(step, Check::NonZero, id)))
    }

    /// A call of jitted function `id` (a closure's captured values are
    /// `leading`, before the arguments).
    fn call_jitted(
        &mut self,
        id: u64,
        leading: Vec<tir::Expr>,
        func: &hir::Expr,
        args: &[hir::Expr],
        kwargs: &[hir::Keyword],
        span: Span,
    ) -> R<tir::Expr> {
        let params = self
            .oracle
            .params(id)
            .map_err(|m| error(Code::BadCall, func.span, m, "check the called function"))?;
        let fname = self.callee_name(id);
        let sig = Signature::of_params(params);
        let mut call = Call::bind(fname.clone(), &sig, None, args, kwargs, span)?;
        let mut typed = leading;
        for i in 0..sig.params.len() {
            typed.push(call.expr_opt(self, i)?);
        }
        let types: Vec<Type> = typed.iter().map(|e| e.ty.clone()).collect();
        let sig = if id == self.req.id && types == self.req.args {
            match &self.ret {
                    Some(ret) => crate::CalleeSig {
                        symbol: self.req.symbol.clone(),
                        ret: ret.clone(),
                    },
                    None if self.last_pass => {
                        return Err(error(
                            Code::UnresolvedReturn,
                            span,
                            format!(
                            "cannot type infer runaway recursion: the recursive call to '{fname}' has no return type"
                        ),
                            "add a base case that returns without calling the function itself",
                        ))
                    }
                    None => return Err(Fail::Unknown(span)),
                }
        } else {
            match self.oracle.callee(id, &types) {
                Ok(Some(sig)) => sig,
                Ok(None) => {
                    self.pending_callee = true;
                    return Err(Fail::Unknown(span));
                }
                Err(msg) => {
                    return Err(error(
                        Code::BadCall,
                        span,
                        format!(
                            "cannot compile the call to '{fname}' with argument types ({}):\n{msg}",
                            type_list(&types)
                        ),
                        "fix the error in the called function, or pass arguments of other types",
                    ))
                }
            }
        };
        Ok(tir::Expr::new(
            TK::CallFunc {
                symbol: sig.symbol,
                args: typed,
            },
            sig.ret,
            span,
        ))
    }

    fn callee_name(&mut self, id: u64) -> String {
        if id == self.req.id {
            self.req.hir.name.clone()
        } else {
            self.oracle.name(id)
        }
    }
}

pub(crate) fn type_list(types: &[Type]) -> String {
    types
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

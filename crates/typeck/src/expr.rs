//! Expression typing: constants, names, attributes, subscripts, comparisons,
//! boolean operators, conditional expressions; and the conversions (`coerce`,
//! `truth`) every other rule uses.

use crate::check::{error, Checker, Fail, R};
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, Const, ExprKind as HK, Value};
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK, Intrinsic, StmtKind as TS};
use oxjit_types::{common_scalar, unify, ArrayType, Scalar, Type};

pub(crate) fn konst(c: ConstValue, ty: Type, span: Span) -> tir::Expr {
    tir::Expr::new(TK::Const(c), ty, span)
}

/// Converts a scalar expression to another scalar type.
pub(crate) fn cast_scalar(e: tir::Expr, to: Scalar) -> tir::Expr {
    if e.ty == Type::Scalar(to) {
        return e;
    }
    let span = e.span;
    tir::Expr::new(TK::Cast(Box::new(e)), Type::Scalar(to), span)
}

impl Checker<'_> {
    /// Converts `e` to `ty`, which `unify` produced from `e.ty`: scalars by
    /// `Cast`, tuples element by element (evaluating a non-trivial tuple once).
    pub fn coerce(&mut self, e: tir::Expr, ty: &Type) -> tir::Expr {
        if &e.ty == ty {
            return e;
        }
        match (&e.ty, ty) {
            (Type::Scalar(_), Type::Scalar(s)) => cast_scalar(e, *s),
            (Type::Array(_), Type::Array(_)) => {
                let span = e.span;
                tir::Expr::new(TK::Cast(Box::new(e)), ty.clone(), span)
            }
            // A container is shared: only a literal is made again with
            // other items; containers whose items have one memory form
            // are the same.
            (Type::List(_), Type::List(_))
            | (Type::Set(_), Type::Set(_))
            | (Type::Dict(..), Type::Dict(..)) => {
                let again = match ty {
                    Type::Dict(..) => self.retype_dict_literal(&e, ty),
                    _ => self.retype_literal(&e, ty),
                };
                again.unwrap_or_else(|| {
                    let span = e.span;
                    tir::Expr::new(TK::Cast(Box::new(e)), ty.clone(), span)
                })
            }
            (_, Type::Optional(_)) => self.optional_of(e, ty),
            (Type::Tuple(from), Type::Tuple(to)) if from.len() == to.len() => {
                let span = e.span;
                let items = self
                    .tuple_items(e)
                    .into_iter()
                    .zip(to)
                    .map(|(x, t)| self.coerce(x, t))
                    .collect();
                tir::Expr::new(TK::Tuple(items), ty.clone(), span)
            }
            _ => e,
        }
    }

    /// Python truthiness of a value, as a `bool` expression.
    pub fn truth(&mut self, e: tir::Expr) -> R<tir::Expr> {
        let span = e.span;
        match &e.ty {
            Type::Scalar(Scalar::Bool) => Ok(e),
            Type::Scalar(_) => Ok(tir::Expr::new(TK::Truth(Box::new(e)), Type::BOOL, span)),
            Type::None => Ok(konst(ConstValue::Bool(false), Type::BOOL, span)),
            // None is false; a value is as true as it is.
            Type::Optional(_) => {
                let [a, b] = <[_; 2]>::try_from(self.shared(e, 2)).unwrap();
                let none = self.is_none(a);
                let value = self.value_of(b);
                let t = self.truth(value)?;
                let f = konst(ConstValue::Bool(false), Type::BOOL, span);
                Ok(tir::Expr::new(
                    TK::IfExp(Box::new(none), Box::new(f), Box::new(t)),
                    Type::BOOL,
                    span,
                ))
            }
            Type::Tuple(items) if matches!(e.kind, TK::Local(_) | TK::Tuple(_)) => {
                Ok(konst(ConstValue::Bool(!items.is_empty()), Type::BOOL, span))
            }
            Type::List(_) | Type::Dict(..) | Type::Set(_) | Type::Str => {
                let n = self.list_len(e, span);
                Ok(tir::Expr::new(TK::Truth(Box::new(n)), Type::BOOL, span))
            }
            Type::Range => {
                let n = self.range_len_of(e, span);
                Ok(tir::Expr::new(TK::Truth(Box::new(n)), Type::BOOL, span))
            }
            t => Err(error(
                Code::BadOperand,
                span,
                format!("the truth value of a {t} is ambiguous"),
                "compare explicitly, e.g. `if n > 0:` or `if a.shape[0] > 0:`",
            )),
        }
    }

    /// The value of `e`, an optional one's value: operands, indices and
    /// arguments use a value, and a None there raises `TypeError` (as in
    /// Numba). Where a value only moves (assigned, returned, packed in a
    /// tuple, compared with `is`), [`Checker::expr_opt`] keeps it optional.
    pub fn expr(&mut self, e: &hir::Expr) -> R<tir::Expr> {
        let x = self.expr_opt(e)?;
        Ok(self.value_of(x))
    }

    /// `e` as it is: an optional stays optional.
    pub fn expr_opt(&mut self, e: &hir::Expr) -> R<tir::Expr> {
        let span = e.span;
        match &e.kind {
            HK::Const(c) => self.constant(c, span),
            HK::Local(id) => {
                let id = self.lid(*id);
                let ty = self.local_ty(id).cloned().ok_or(Fail::Unknown(span))?;
                Ok(tir::Expr::new(TK::Local(id), ty, span))
            }
            // A scalar type as a value (`np.float64`, `float`, `types.int64`).
            HK::Global(Value::Function(_) | Value::Type(_))
                if crate::arrays::dtype_of(e).is_some() =>
            {
                let s = crate::arrays::dtype_of(e).unwrap();
                Ok(konst(ConstValue::Unit, Type::Class(s), span))
            }
            // A jitted function as a value: zero-sized, its type says which.
            HK::Global(Value::Dispatcher(id)) => {
                Ok(konst(ConstValue::Unit, Type::Function(*id), span))
            }
            HK::Global(v) => Err(global_as_value(v, span)),
            HK::Unary(op, x) => {
                let x = self.expr_opt(x)?;
                // `not x` of an optional tests its truth (None is false).
                let x = match op {
                    hir::UnaryOp::Not if x.ty.optional_value().is_some() => self.truth(x)?,
                    _ => self.value_of(x),
                };
                self.unary(*op, x, span)
            }
            HK::Binary(op, a, b) => {
                let a = self.expr(a)?;
                let b = self.expr(b)?;
                self.binary(*op, a, b, span)
            }
            HK::Compare(first, rest) => self.compare_chain(first, rest, span),
            HK::BoolOp(op, values) => self.bool_op(*op, values, span),
            HK::IfExp { test, body, orelse } => {
                let cond = self.cond(test)?;
                // Each branch's prelude runs only on its path.
                let (a, pre_a) = self.with_own_prelude(|ck| ck.expr_opt(body));
                let (b, pre_b) = self.with_own_prelude(|ck| ck.expr_opt(orelse));
                // Before the last pass, a branch not typed yet (a recursive
                // call before the return type is known) takes the other
                // branch's type, so that the result has one to be inferred
                // from (`1 if k <= 1 else k * fact(k - 1)`).
                let (a, b) = match (a, b) {
                    (Ok(x), Err(Fail::Unknown(_))) | (Err(Fail::Unknown(_)), Ok(x))
                        if !self.last_pass =>
                    {
                        return Ok(x);
                    }
                    (a, b) => (a?, b?),
                };
                let ty = unify(&a.ty, &b.ty).ok_or_else(|| {
                    error(
                        Code::CannotUnify,
                        span,
                        format!(
                            "the branches of this conditional expression have types {} and {}",
                            a.ty, b.ty
                        ),
                        "make both branches produce values of one type",
                    )
                })?;
                let a = self.coerce(a, &ty);
                let b = self.coerce(b, &ty);
                if pre_a.is_empty() && pre_b.is_empty() {
                    return Ok(tir::Expr::new(
                        TK::IfExp(Box::new(cond), Box::new(a), Box::new(b)),
                        ty,
                        span,
                    ));
                }
                // As an `if` statement in the prelude, assigning a temporary.
                let t = self.temp("ifexp", ty.clone());
                let branch = |mut pre: Vec<tir::Stmt>, v| {
                    pre.push(tir::Stmt {
                        kind: TS::Assign(t, v),
                        span,
                    });
                    pre
                };
                let (then, orelse) = (branch(pre_a, a), branch(pre_b, b));
                self.prelude.push(tir::Stmt {
                    kind: TS::If { cond, then, orelse },
                    span,
                });
                Ok(tir::Expr::new(TK::Local(t), ty, span))
            }
            HK::Call { func, args, kwargs } => self.call(func, args, kwargs, span),
            HK::Attribute(x, name) => {
                let x = self.expr(x)?;
                self.attribute(x, name, span)
            }
            HK::Subscript(base, index) => {
                let base = self.expr(base)?;
                self.subscript(base, index, span)
            }
            HK::Tuple(items) => {
                let items = items
                    .iter()
                    .map(|x| self.expr_opt(x))
                    .collect::<R<Vec<_>>>()?;
                let ty = Type::Tuple(items.iter().map(|x| x.ty.clone()).collect());
                Ok(tir::Expr::new(TK::Tuple(items), ty, span))
            }
            HK::List(items) => self.list_display(items, span),
            HK::Dict(pairs) => self.dict_display(pairs, span),
            HK::Set(items) => self.set_display(items, span),
            HK::Closure { index, captures } => self.closure_value(*index, captures, span),
            HK::ThisClosure => Ok(self.this_closure(span)),
            HK::Comprehension { .. } => self.comprehension(e),
            HK::FString(parts) => self.fstring(parts, span),
            HK::Slice { .. } => Err(error(
                Code::BadIndex,
                span,
                "a slice can only be used to index an array",
                "write the slice inside the brackets: a[1:3]",
            )),
        }
    }

    fn constant(&mut self, c: &Const, span: Span) -> R<tir::Expr> {
        Ok(match c {
            Const::Int(i) => konst(ConstValue::Int(*i), Type::INT, span),
            Const::Float(x) => konst(ConstValue::Float(*x), Type::FLOAT, span),
            Const::Bool(b) => konst(ConstValue::Bool(*b), Type::BOOL, span),
            Const::Complex(re, im) => konst(
                ConstValue::Complex(*re, *im),
                Type::Scalar(Scalar::PyComplex),
                span,
            ),
            Const::None => konst(ConstValue::Unit, Type::None, span),
            Const::Str(s) => crate::strs::str_const(s, span),
            Const::Tuple(items) => {
                let items = items
                    .iter()
                    .map(|c| self.constant(c, span))
                    .collect::<R<Vec<_>>>()?;
                let ty = Type::Tuple(items.iter().map(|x| x.ty.clone()).collect());
                tir::Expr::new(TK::Tuple(items), ty, span)
            }
        })
    }

    pub(crate) fn attribute(&mut self, x: tir::Expr, name: &str, span: Span) -> R<tir::Expr> {
        let int = |kind, span| tir::Expr::new(kind, Type::INT, span);
        if x.ty.array().is_some() {
            if let Some(e) = self.array_attribute(x.clone(), name, span)? {
                return Ok(e);
            }
        }
        let ty = x.ty.clone();
        match (&ty, name) {
            (Type::Range, _) => self.range_attribute(x, name, span),
            (Type::Array(a), "shape") => {
                let uses = (a.ndim as usize).max(1);
                let mut xs = self.shared(x, uses).into_iter();
                let dims: Vec<tir::Expr> = (0..a.ndim as usize)
                    .map(|k| int(TK::Call(Intrinsic::Dim(k), vec![xs.next().unwrap()]), span))
                    .collect();
                let ty = Type::Tuple(vec![Type::INT; dims.len()]);
                Ok(tir::Expr::new(TK::Tuple(dims), ty, span))
            }
            (Type::Array(a), "ndim") => Ok(konst(ConstValue::Int(a.ndim as i64), Type::INT, span)),
            (Type::Array(a), "itemsize") => Ok(konst(
                ConstValue::Int(a.dtype.size() as i64),
                Type::INT,
                span,
            )),
            (Type::Array(_), "size") => Ok(int(TK::Call(Intrinsic::Size, vec![x]), span)),
            (Type::Array(ArrayType { dtype: s, .. }), "dtype") => {
                Ok(konst(ConstValue::Unit, Type::DType(*s), span))
            }
            (Type::Scalar(s), "dtype") if !s.is_weak() => {
                Ok(konst(ConstValue::Unit, Type::DType(*s), span))
            }
            (Type::DType(s), "type") => Ok(konst(ConstValue::Unit, Type::Class(*s), span)),
            (Type::DType(s), "itemsize") => {
                Ok(konst(ConstValue::Int(s.size() as i64), Type::INT, span))
            }
            (Type::Scalar(s), "real" | "imag") if s.is_complex() => {
                let op = if name == "real" {
                    Intrinsic::Real
                } else {
                    Intrinsic::Imag
                };
                Ok(tir::Expr::new(
                    TK::Call(op, vec![x]),
                    Type::Scalar(s.component()),
                    span,
                ))
            }
            // Python's bool.real is an int.
            (Type::Scalar(Scalar::Bool), "real") => Ok(cast_scalar(x, Scalar::PyInt)),
            (Type::Scalar(_), "real") => Ok(x),
            (Type::Scalar(s), "imag") => {
                let s = if *s == Scalar::Bool {
                    Scalar::PyInt
                } else {
                    *s
                };
                let zero = konst(ConstValue::Int(0), Type::Scalar(Scalar::PyInt), span);
                Ok(cast_scalar(zero, s))
            }
            (t, _) => Err(error(
                Code::UnknownAttribute,
                span,
                format!("a value of type {t} has no attribute '{name}' in compiled code"),
                match t {
                    Type::Array(_) => {
                        "supported array attributes: shape, ndim, size, itemsize, dtype, T, real, imag"
                    }
                    Type::DType(_) | Type::Class(_) => "supported dtype attributes: type, itemsize",
                    _ => "supported scalar attributes: real, imag (and the method conjugate())",
                },
            )),
        }
    }

    fn subscript(&mut self, base: tir::Expr, index: &hir::Expr, span: Span) -> R<tir::Expr> {
        match &base.ty {
            Type::List(_) | Type::Str => self.sequence_subscript(base, index, span),
            Type::Range => self.range_item(base, index, span),
            Type::Dict(..) => self.dict_subscript(base, index, span),
            Type::Array(a) => {
                let dtype = a.dtype;
                if let Some(ix) = self.array_index(index)? {
                    if let Some(e) = self.fancy_index(base.clone(), &ix, span)? {
                        return Ok(e);
                    }
                }
                if let Some(view) = self.view(base.clone(), index, span)? {
                    return Ok(view);
                }
                let indices = self.indices(&base, index)?;
                let boundscheck = self.req.flags.boundscheck;
                Ok(tir::Expr::new(
                    TK::Index {
                        array: Box::new(base),
                        indices,
                        boundscheck,
                    },
                    Type::Scalar(dtype),
                    span,
                ))
            }
            Type::Tuple(_) if matches!(index.kind, HK::Slice { .. }) => {
                let HK::Slice { lower, upper, step } = &index.kind else {
                    unreachable!()
                };
                self.tuple_slice(
                    base,
                    [lower.as_deref(), upper.as_deref(), step.as_deref()],
                    span,
                )
            }
            Type::Tuple(items) => {
                let n = items.len() as i64;
                let Some(i) = const_int(index) else {
                    return self.dynamic_tuple_index(base, index, span);
                };
                let k = if i < 0 { i + n } else { i };
                if !(0..n).contains(&k) {
                    return Err(error(
                        Code::BadIndex,
                        index.span,
                        format!("tuple index {i} out of range for a tuple of {n} items"),
                        "use an index between -len and len-1",
                    ));
                }
                let ty = items[k as usize].clone();
                Ok(tir::Expr::new(
                    TK::TupleGet(Box::new(base), k as usize),
                    ty,
                    span,
                ))
            }
            t => Err(error(
                Code::BadIndex,
                base.span,
                format!("a value of type {t} is not subscriptable"),
                "only arrays and tuples can be indexed",
            )),
        }
    }

    /// `t[i]` with a run-time index into a homogeneous tuple: a chain of
    /// selects; an index out of range raises `IndexError` like Python.
    fn dynamic_tuple_index(
        &mut self,
        base: tir::Expr,
        index: &hir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        let i = self.expr(index)?;
        self.tuple_at(base, i, span)
    }

    /// Item `i` (a run-time integer) of a tuple of numbers of one type
    /// (evaluated once already: each branch reads it).
    pub(crate) fn tuple_at(&mut self, base: tir::Expr, i: tir::Expr, span: Span) -> R<tir::Expr> {
        let Type::Tuple(items) = base.ty.clone() else {
            unreachable!("called for tuples")
        };
        let elem = items.first().cloned();
        let uniform = elem.as_ref().is_some_and(|e| {
            items.iter().all(|t| t == e) && e.scalar().is_some_and(|s| !s.is_complex())
        });
        if !uniform || !i.ty.is_int() {
            return Err(error(
                Code::BadIndex,
                i.span,
                format!("a {} can only be indexed with a constant integer", base.ty),
                "unpack the tuple, or index it with a literal such as t[0]",
            ));
        }
        let index_span = i.span;
        let elem = elem.unwrap();
        let n = items.len() as i64;
        let i64t = Type::Scalar(Scalar::I64);
        let idx_tmp = self.temp("tuple_index", i64t.clone());
        let exc = self.oracle.exception(oxjit_abi::exc::ExcSpec::with_message(
            "IndexError",
            "tuple index out of range",
        ));
        // The fallback raises: a zero checked for being non-zero.
        let zero = cast_scalar(
            konst(ConstValue::Int(0), Type::INT, span),
            elem.scalar().unwrap(),
        );
        let mut acc = tir::Expr::new(
            TK::Guard {
                value: Box::new(zero),
                check: tir::Check::NonZero,
                exc,
            },
            elem.clone(),
            span,
        );
        let mut i = Some(cast_scalar(i, Scalar::I64));
        for k in (0..n).rev() {
            let is = |v: i64, idx: tir::Expr| {
                let c = konst(ConstValue::Int(v), i64t.clone(), span);
                tir::Expr::new(
                    TK::Compare(tir::CmpOp::Eq, Box::new(idx), Box::new(c)),
                    Type::BOOL,
                    span,
                )
            };
            let local = || tir::Expr::new(TK::Local(idx_tmp), i64t.clone(), index_span);
            // The first comparison evaluated (k = 0) stores the index.
            let first = if k == 0 {
                tir::Expr::new(
                    TK::SetLocal(idx_tmp, Box::new(i.take().unwrap())),
                    i64t.clone(),
                    index_span,
                )
            } else {
                local()
            };
            let t = konst(ConstValue::Bool(true), Type::BOOL, span);
            let hit = tir::Expr::new(
                TK::IfExp(
                    Box::new(is(k, first)),
                    Box::new(t),
                    Box::new(is(k - n, local())),
                ),
                Type::BOOL,
                span,
            );
            // Only the selected branch runs, so the tuple is evaluated once.
            let item = tir::Expr::new(
                TK::TupleGet(Box::new(base.clone()), k as usize),
                elem.clone(),
                span,
            );
            acc = tir::Expr::new(
                TK::IfExp(Box::new(hit), Box::new(item), Box::new(acc)),
                elem.clone(),
                span,
            );
        }
        Ok(acc)
    }

    /// The index if it is a single array (a mask or an index array).
    pub fn array_index(&mut self, index: &hir::Expr) -> R<Option<tir::Expr>> {
        if matches!(index.kind, HK::Tuple(_) | HK::Slice { .. } | HK::Const(_)) {
            return Ok(None);
        }
        let ix = self.expr(index)?;
        Ok(if ix.ty.array().is_some() {
            Some(ix)
        } else {
            None
        })
    }

    /// One `int64` index per dimension of `array` from an index expression.
    pub fn indices(&mut self, array: &tir::Expr, index: &hir::Expr) -> R<Vec<tir::Expr>> {
        let a = array.ty.array().ok_or_else(|| {
            error(
                Code::BadIndex,
                array.span,
                format!("a value of type {} cannot be indexed", array.ty),
                "only arrays can be indexed",
            )
        })?;
        let parts: Vec<tir::Expr> = match &index.kind {
            HK::Tuple(items) => items.iter().map(|x| self.expr(x)).collect::<R<_>>()?,
            _ => {
                let e = self.expr(index)?;
                match &e.ty {
                    Type::Tuple(items) => {
                        let items = items.clone();
                        let e = self.coerce(e, &Type::Tuple(items.clone()));
                        items
                            .into_iter()
                            .enumerate()
                            .map(|(i, t)| {
                                tir::Expr::new(TK::TupleGet(Box::new(e.clone()), i), t, index.span)
                            })
                            .collect()
                    }
                    _ => vec![e],
                }
            }
        };
        if parts.len() > a.ndim as usize {
            return Err(error(
                Code::BadIndex,
                index.span,
                format!(
                    "too many indices for array: array is {}-dimensional, but {} were indexed",
                    a.ndim,
                    parts.len()
                ),
                "use one index per dimension",
            ));
        }
        if parts.len() < a.ndim as usize {
            return Err(error(
                Code::BadIndex,
                index.span,
                format!("indexing a {}-d array with {} index(es) makes a view, which is not supported yet", a.ndim, parts.len()),
                "index every dimension, e.g. a[i, j]",
            ));
        }
        parts
            .into_iter()
            .map(|p| match p.ty.scalar() {
                Some(s) if s.is_int() => Ok(cast_scalar(p, Scalar::I64)),
                _ => Err(error(
                    Code::BadIndex,
                    p.span,
                    format!("array indices must be integers, not {}", p.ty),
                    "convert the index with int(...)",
                )),
            })
            .collect()
    }

    fn compare_chain(
        &mut self,
        first: &hir::Expr,
        rest: &[(hir::CmpOp, hir::Expr)],
        span: Span,
    ) -> R<tir::Expr> {
        // `a < b < c` is `a < b and b < c` with `b` evaluated once.
        let mut left = self.expr_opt(first)?;
        let mut result: Option<tir::Expr> = None;
        for (i, (op, right)) in rest.iter().enumerate() {
            let mut r = self.expr_opt(right)?;
            let mut next_left = None;
            if i + 1 < rest.len() {
                let tmp = self.temp("cmp", r.ty.clone());
                let (ty, rspan) = (r.ty.clone(), r.span);
                r = tir::Expr::new(TK::SetLocal(tmp, Box::new(r)), ty.clone(), rspan);
                next_left = Some(tir::Expr::new(TK::Local(tmp), ty, rspan));
            }
            let c = self.compare(*op, left, r, span)?;
            result = Some(match result {
                None => c,
                Some(prev) => {
                    let f = konst(ConstValue::Bool(false), Type::BOOL, span);
                    tir::Expr::new(
                        TK::IfExp(Box::new(prev), Box::new(c), Box::new(f)),
                        Type::BOOL,
                        span,
                    )
                }
            });
            if let Some(n) = next_left {
                left = n;
            } else {
                break;
            }
        }
        Ok(result.expect("a comparison has at least one operator"))
    }

    pub(crate) fn compare(
        &mut self,
        op: hir::CmpOp,
        l: tir::Expr,
        r: tir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        use hir::CmpOp as C;
        // Only `is` looks at an optional itself; other operators at its value.
        let (l, r) = match op {
            C::Is | C::IsNot => (l, r),
            _ => (self.value_of(l), self.value_of(r)),
        };
        match op {
            C::In => return self.contains(l, r, span),
            C::NotIn => {
                let c = self.contains(l, r, span)?;
                return self.unary(hir::UnaryOp::Not, c, span);
            }
            // An optional against None: its flag.
            C::Is | C::IsNot
                if (l.ty == Type::None && r.ty.optional_value().is_some())
                    || (r.ty == Type::None && l.ty.optional_value().is_some()) =>
            {
                let opt = if l.ty == Type::None { r } else { l };
                let none = self.is_none(opt);
                return if op == C::Is {
                    Ok(none)
                } else {
                    self.unary(hir::UnaryOp::Not, none, span)
                };
            }
            // Otherwise `is None` is known from the types.
            C::Is | C::IsNot if l.ty == Type::None || r.ty == Type::None => {
                let same = l.ty == r.ty;
                return Ok(konst(
                    ConstValue::Bool(same == (op == C::Is)),
                    Type::BOOL,
                    span,
                ));
            }
            _ => {}
        }
        if matches!(l.ty, Type::Tuple(_)) && matches!(r.ty, Type::Tuple(_)) {
            return self.tuple_compare(op, l, r, span);
        }
        if l.ty.set_item().is_some() && r.ty.set_item().is_some() {
            return self.set_compare(op, l, r, span);
        }
        let both = |f: fn(&Type) -> bool| f(&l.ty) && f(&r.ty);
        let (lists, dicts) = (
            both(|t| t.list_item().is_some()),
            both(|t| t.dict_types().is_some()),
        );
        if (lists || dicts) && matches!(op, C::Eq | C::Ne) {
            let eq = if lists {
                self.list_equal(l, r, span)
            } else if l.ty == r.ty {
                crate::runtime_fns::call(tir::RuntimeFn::DictEq, vec![l, r], Type::BOOL, span)
            } else {
                return Err(error(
                    Code::BadOperand,
                    span,
                    format!("cannot compare a {} with a {}", l.ty, r.ty),
                    "compare dicts of the same key and value types",
                ));
            };
            return if op == C::Eq {
                Ok(eq)
            } else {
                self.unary(hir::UnaryOp::Not, eq, span)
            };
        }
        if crate::arrays::is_arrayish(&l) || crate::arrays::is_arrayish(&r) {
            return self.elementwise(vec![l, r], span, |ck, mut p| {
                let r = p.pop().unwrap();
                let l = p.pop().unwrap();
                ck.compare(op, l, r, span)
            });
        }
        let top = match op {
            C::Eq => tir::CmpOp::Eq,
            C::Ne => tir::CmpOp::Ne,
            C::Lt => tir::CmpOp::Lt,
            C::Le => tir::CmpOp::Le,
            C::Gt => tir::CmpOp::Gt,
            C::Ge => tir::CmpOp::Ge,
            C::Is | C::IsNot | C::In | C::NotIn => {
                return Err(error(
                    Code::BadOperand,
                    span,
                    format!(
                        "the `{}` operator is not supported in compiled code",
                        op.symbol()
                    ),
                    "compare values with == / != instead",
                ))
            }
        };
        if l.ty == Type::Str && r.ty == Type::Str {
            return self.str_compare(top, l, r, span);
        }
        if (l.ty == Type::Str || r.ty == Type::Str)
            && matches!(top, tir::CmpOp::Eq | tir::CmpOp::Ne)
        {
            // A str never equals a value of another type.
            return Ok(konst(
                ConstValue::Bool(top == tir::CmpOp::Ne),
                Type::BOOL,
                span,
            ));
        }
        if let (Some(a), Some(b)) = (l.ty.dtype_value(), r.ty.dtype_value()) {
            // Dtypes and scalar types are equal when they name one type.
            let equal = match top {
                tir::CmpOp::Eq => a.strong() == b.strong(),
                tir::CmpOp::Ne => a.strong() != b.strong(),
                _ => return Err(self.bad_compare(op, &l, &r, span)),
            };
            return Ok(konst(ConstValue::Bool(equal), Type::BOOL, span));
        }
        match (l.ty.scalar(), r.ty.scalar()) {
            (Some(a), Some(b)) => {
                let t = common_scalar(a, b);
                if t.is_complex()
                    && !matches!(top, tir::CmpOp::Eq | tir::CmpOp::Ne)
                    && self.elementwise_depth > 0
                {
                    return Ok(self.complex_order(top, cast_scalar(l, t), cast_scalar(r, t), span));
                }
                if t.is_complex() && !matches!(top, tir::CmpOp::Eq | tir::CmpOp::Ne) {
                    return Err(error(
                        Code::BadOperand,
                        span,
                        format!("'{}' is not supported between complex numbers", op.symbol()),
                        "compare the real parts or the absolute values",
                    ));
                }
                let l = cast_scalar(l, t);
                let r = cast_scalar(r, t);
                Ok(tir::Expr::new(
                    TK::Compare(top, Box::new(l), Box::new(r)),
                    Type::BOOL,
                    span,
                ))
            }
            _ => Err(self.bad_compare(op, &l, &r, span)),
        }
    }

    fn bad_compare(&self, op: hir::CmpOp, l: &tir::Expr, r: &tir::Expr, span: Span) -> Fail {
        error(
            Code::BadOperand,
            span,
            format!(
                "'{}' is not supported between {} and {}",
                op.symbol(),
                l.ty,
                r.ty
            ),
            "comparisons work on numbers",
        )
    }

    /// NumPy's lexicographic order of complex numbers (real part first).
    fn complex_order(
        &mut self,
        op: tir::CmpOp,
        l: tir::Expr,
        r: tir::Expr,
        span: Span,
    ) -> tir::Expr {
        let part = |x: tir::Expr, op: Intrinsic| {
            let t = Type::Scalar(x.ty.scalar().unwrap().component());
            tir::Expr::new(TK::Call(op, vec![x]), t, span)
        };
        let mut ls = self.shared(l, 3).into_iter();
        let mut rs = self.shared(r, 3).into_iter();
        let cmp =
            |op, a, b| tir::Expr::new(TK::Compare(op, Box::new(a), Box::new(b)), Type::BOOL, span);
        let strict = match op {
            tir::CmpOp::Le => tir::CmpOp::Lt,
            tir::CmpOp::Ge => tir::CmpOp::Gt,
            o => o,
        };
        let first = cmp(
            strict,
            part(ls.next().unwrap(), Intrinsic::Real),
            part(rs.next().unwrap(), Intrinsic::Real),
        );
        let tie = cmp(
            tir::CmpOp::Eq,
            part(ls.next().unwrap(), Intrinsic::Real),
            part(rs.next().unwrap(), Intrinsic::Real),
        );
        let second = cmp(
            op,
            part(ls.next().unwrap(), Intrinsic::Imag),
            part(rs.next().unwrap(), Intrinsic::Imag),
        );
        let t = konst(ConstValue::Bool(true), Type::BOOL, span);
        let f = konst(ConstValue::Bool(false), Type::BOOL, span);
        let rest = tir::Expr::new(
            TK::IfExp(Box::new(tie), Box::new(second), Box::new(f)),
            Type::BOOL,
            span,
        );
        tir::Expr::new(
            TK::IfExp(Box::new(first), Box::new(t), Box::new(rest)),
            Type::BOOL,
            span,
        )
    }

    fn bool_op(&mut self, op: hir::BoolOp, values: &[hir::Expr], span: Span) -> R<tir::Expr> {
        let first = self.expr(&values[0])?;
        // The later operands run only when the earlier ones decide so:
        // their preludes (if any) are kept apart.
        let mut rest = Vec::new();
        let mut preludes = Vec::new();
        for v in &values[1..] {
            let (e, pre) = self.with_own_prelude(|ck| ck.expr(v));
            rest.push(e?);
            preludes.push(pre);
        }
        let vals: Vec<tir::Expr> = std::iter::once(first).chain(rest).collect();
        let mut ty = vals[0].ty.clone();
        for v in &vals[1..] {
            ty = unify(&ty, &v.ty).ok_or_else(|| {
                error(
                    Code::CannotUnify,
                    span,
                    format!(
                        "the operands of `{}` have types that do not unify ({} and {})",
                        if op == hir::BoolOp::And { "and" } else { "or" },
                        ty,
                        v.ty
                    ),
                    "use operands of one type, or compare explicitly to get booleans",
                )
            })?;
        }
        if preludes.iter().any(|p| !p.is_empty()) {
            return self.bool_op_stmts(op, vals, preludes, ty, span);
        }
        let mut vals = vals.into_iter().rev();
        let last = vals.next().unwrap();
        let mut acc = self.coerce(last, &ty);
        for v in vals {
            // `a and b` is `b if a else a`; `a or b` is `a if a else b`.
            let (vty, vspan) = (v.ty.clone(), v.span);
            let tmp = self.temp("boolop", vty.clone());
            let test = self.truth(tir::Expr::new(
                TK::SetLocal(tmp, Box::new(v)),
                vty.clone(),
                vspan,
            ))?;
            let again = tir::Expr::new(TK::Local(tmp), vty, vspan);
            let again = self.coerce(again, &ty);
            let (t, f) = match op {
                hir::BoolOp::And => (acc, again),
                hir::BoolOp::Or => (again, acc),
            };
            acc = tir::Expr::new(
                TK::IfExp(Box::new(test), Box::new(t), Box::new(f)),
                ty.clone(),
                span,
            );
        }
        Ok(acc)
    }
}

impl Checker<'_> {
    /// Runs `f` with an empty prelude; returns its result and the prelude
    /// it made (the outer prelude is left as it was).
    pub(crate) fn with_own_prelude<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> T,
    ) -> (T, Vec<tir::Stmt>) {
        let outer = std::mem::take(&mut self.prelude);
        let r = f(self);
        (r, std::mem::replace(&mut self.prelude, outer))
    }

    /// `a and b ...` whose later operands have preludes (comprehensions),
    /// as statements in the prelude: `t = a; if t: <b's prelude>; t = b`
    /// (`if not t` for `or`), nested for each further operand.
    fn bool_op_stmts(
        &mut self,
        op: hir::BoolOp,
        vals: Vec<tir::Expr>,
        preludes: Vec<Vec<tir::Stmt>>,
        ty: Type,
        span: Span,
    ) -> R<tir::Expr> {
        let t = self.temp("boolop", ty.clone());
        let local = || tir::Expr::new(TK::Local(t), ty.clone(), span);
        let mut vals = vals.into_iter();
        let first = vals.next().unwrap();
        let first = self.coerce(first, &ty);
        let mut tail: Vec<tir::Stmt> = vec![];
        for (v, pre) in vals.zip(preludes).collect::<Vec<_>>().into_iter().rev() {
            let v = self.coerce(v, &ty);
            let mut body = pre;
            body.push(tir::Stmt {
                kind: TS::Assign(t, v),
                span,
            });
            body.extend(tail);
            let test = self.truth(local())?;
            let test = match op {
                hir::BoolOp::And => test,
                hir::BoolOp::Or => self.unary(hir::UnaryOp::Not, test, span)?,
            };
            tail = vec![tir::Stmt {
                kind: TS::If {
                    cond: test,
                    then: body,
                    orelse: vec![],
                },
                span,
            }];
        }
        self.prelude.push(tir::Stmt {
            kind: TS::Assign(t, first),
            span,
        });
        self.prelude.extend(tail);
        Ok(local())
    }
}

/// A constant integer index, allowing a unary minus.
pub(crate) fn const_int(e: &hir::Expr) -> Option<i64> {
    match &e.kind {
        HK::Const(Const::Int(i)) => Some(*i),
        HK::Unary(hir::UnaryOp::Neg, x) => const_int(x).map(|i| -i),
        _ => None,
    }
}

fn global_as_value(v: &Value, span: Span) -> Fail {
    let (code, msg, hint) = match v {
        Value::Module(m) => (Code::UnsupportedGlobal, format!("module '{m}' cannot be used as a value"), "use the module's functions or constants, e.g. math.sqrt(x)"),
        Value::Function(f) => (Code::UnsupportedGlobal, format!("function '{f}' cannot be used as a value"), "call it directly; functions are not first-class values in compiled code"),
        Value::ExceptionClass(c) => (Code::BadRaise, format!("exception class '{c}' can only be raised"), "use it in a raise statement: raise ValueError(\"...\")"),
        Value::Type(t) => (Code::UnsupportedGlobal, format!("the type {t} cannot be used as a value here"), "give types where a type is expected: List.empty_list(t), Dict.empty(k, v), dtype="),
        Value::Opaque(d) => (Code::UnsupportedGlobal, format!("cannot use {d} in compiled code"), "compiled code can use numbers, tuples of numbers, NumPy/math functions, modules and other @njit functions as globals"),
        Value::Const(_) | Value::Dispatcher(_) => unreachable!("constants and jitted functions are values"),
    };
    error(code, span, msg, hint)
}

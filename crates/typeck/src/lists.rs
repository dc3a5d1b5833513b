//! Lists: displays and comprehensions, indexing, slicing, item
//! assignment, iteration and the operators (`+`, `*`, `==`, `in`). A list
//! is a shared, mutable value of one item type (`list(T)`); `[]` starts as
//! `list(undefined)` and takes the type of what is first put in it. The
//! list methods are registry entries (`library/lists.rs`); the operations
//! that change a list's length are runtime calls, item reads and writes
//! are inline.

use crate::check::{error, Checker, R};
use crate::expr::konst;
use crate::iteration::Seq;
use crate::runtime_fns::call;
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, ExprKind as HK};
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK, Intrinsic, LocalId, RuntimeFn};
use oxjit_types::{common_scalar, unify, Scalar, Type};

fn list_of(item: Type) -> Type {
    Type::List(Box::new(item))
}

/// An item type that holds both `cur` and `item` (an undefined one takes
/// the other; numbers promote), or `cur` if none does.
pub(crate) fn wider_item(cur: &Type, item: &Type) -> Type {
    match (cur, item) {
        (Type::Undefined, t) | (t, Type::Undefined) => t.clone(),
        (Type::Scalar(a), Type::Scalar(b)) => Type::Scalar(common_scalar(*a, *b)),
        (a, b) => unify(a, b).unwrap_or_else(|| a.clone()),
    }
}

/// The sentinel for an absent `int64` bound of a runtime list call.
fn absent(span: Span) -> tir::Expr {
    konst(ConstValue::Int(i64::MIN), Type::I64, span)
}

impl Checker<'_> {
    /// `[a, b, ...]`: the items unified to one type.
    pub(crate) fn list_display(&mut self, items: &[hir::Expr], span: Span) -> R<tir::Expr> {
        let items = items.iter().map(|x| self.expr(x)).collect::<R<Vec<_>>>()?;
        self.list_of_items(items, span)
    }

    /// The one type the items of a display of a `what` (list, set) take.
    pub(crate) fn items_type(items: &[tir::Expr], what: &str, hint: &str) -> R<Type> {
        let mut item = Type::Undefined;
        for x in items {
            item = if item == Type::Undefined {
                x.ty.clone()
            } else {
                unify(&item, &x.ty).ok_or_else(|| {
                    error(
                        Code::CannotUnify,
                        x.span,
                        format!("a {what} of {item} cannot hold a {}", x.ty),
                        hint,
                    )
                })?
            };
        }
        Ok(item)
    }

    /// A new container (`f`: `ListNew` or `SetNew`, with its flag) of type
    /// `ty` holding `items`.
    pub(crate) fn items_literal(
        f: RuntimeFn,
        items: Vec<tir::Expr>,
        ty: Type,
        flag: bool,
        span: Span,
    ) -> tir::Expr {
        let tuple_ty = Type::Tuple(items.iter().map(|x| x.ty.clone()).collect());
        let tuple = tir::Expr::new(TK::Tuple(items), tuple_ty, span);
        let flag = konst(ConstValue::Int(flag as i64), Type::I64, span);
        call(f, vec![tuple, flag], ty, span)
    }

    /// A list of typed items (a display, `list(tuple)`).
    pub(crate) fn list_of_items(&mut self, items: Vec<tir::Expr>, span: Span) -> R<tir::Expr> {
        let hint = "lists hold items of one type; use a tuple for mixed items";
        let item = Self::items_type(&items, "list", hint)?;
        self.item_type_ok(&item, span)?;
        let items = items.into_iter().map(|x| self.coerce(x, &item)).collect();
        Ok(self.list_literal(items, item, false, span))
    }

    /// `ListNew` of `items` (`typed`: an `oxjit.typed.List`, which goes
    /// back to Python as one).
    pub(crate) fn list_literal(
        &mut self,
        items: Vec<tir::Expr>,
        item: Type,
        typed: bool,
        span: Span,
    ) -> tir::Expr {
        Self::items_literal(RuntimeFn::ListNew, items, list_of(item), typed, span)
    }

    /// Rejects item types a list cannot hold.
    pub(crate) fn item_type_ok(&self, item: &Type, span: Span) -> R<()> {
        match item {
            Type::Array(_)
            | Type::Scalar(_)
            | Type::Tuple(_)
            | Type::List(_)
            | Type::Str
            | Type::Undefined => Ok(()),
            t => Err(error(
                Code::BadOperand,
                span,
                format!("a list cannot hold values of type {t}"),
                "lists hold numbers, strings, arrays, tuples or lists",
            )),
        }
    }

    /// A list or set literal made again as a `ty` (an empty literal typed
    /// by what is put in it later, `[1]` widened to floats by a later
    /// `append(2.5)`); `None` if `e` is no such literal or its items do not
    /// convert.
    pub(crate) fn retype_literal(&mut self, e: &tir::Expr, ty: &Type) -> Option<tir::Expr> {
        let (want, item) = match ty {
            Type::List(item) => (RuntimeFn::ListNew, &**item),
            Type::Set(item) => (RuntimeFn::SetNew, &**item),
            _ => return None,
        };
        let TK::RuntimeCall { func, args } = &e.kind else {
            return None;
        };
        if *func != want {
            return None;
        }
        let TK::Tuple(items) = &args[0].kind else {
            return None;
        };
        let fits = |t: &Type| t == item || unify(t, item).as_ref() == Some(item);
        if !items.iter().all(|x| fits(&x.ty)) {
            return None;
        }
        let items = items
            .clone()
            .into_iter()
            .map(|x| self.coerce(x, item))
            .collect();
        // The flag (typed list, display of constants) stays.
        let flag = matches!(args[1].kind, TK::Const(ConstValue::Int(1)));
        Some(match want {
            RuntimeFn::ListNew => self.list_literal(items, item.clone(), flag, e.span),
            _ => self.set_literal(items, item.clone(), flag, e.span),
        })
    }

    /// Before `list.append(x)` and its kin: a local list whose items do not
    /// hold `x` yet (an empty literal, ints meeting a float) takes the
    /// wider item type when it was made in this function (a literal the
    /// next pass retypes); an argument's list keeps its type.
    pub(crate) fn widen_list(&mut self, list: &tir::Expr, item: &Type, span: Span) -> R<Type> {
        let Some(cur) = list.ty.list_item().cloned() else {
            return Err(error(
                Code::BadOperand,
                span,
                "not a list",
                "call list methods on lists",
            ));
        };
        let wider = wider_item(&cur, item);
        self.item_type_ok(&wider, span)?;
        Ok(self.widen_local(list, cur, wider, list_of))
    }

    /// The item type `wider` for a container `c` whose items are `cur`:
    /// taken (its local's type set to `wrap(wider)`) when `c` is a local
    /// made in this function, so the next pass retypes its display; an
    /// argument's container keeps `cur`.
    pub(crate) fn widen_local(
        &mut self,
        c: &tir::Expr,
        cur: Type,
        wider: Type,
        wrap: fn(Type) -> Type,
    ) -> Type {
        if let TK::Local(id) = c.kind {
            if wider != cur && self.retypable(id) {
                self.set_local_type(id, wrap(wider.clone()));
                return wider;
            }
        }
        cur
    }

    /// Whether a container in local `id` may take a wider type: a variable
    /// or hidden local made in this function (a parameter's container has
    /// its caller's type; a temporary is typed afresh in every pass).
    pub(crate) fn retypable(&self, id: LocalId) -> bool {
        !self.is_param_copy(id) && (!self.is_temp(id) || self.is_hidden(id))
    }

    /// Whether `id` is the variable of a parameter (its value came from the
    /// caller, so a list there has its caller's type).
    pub(crate) fn is_param_copy(&self, id: LocalId) -> bool {
        let np = self.req.hir.nparams;
        (id.0 as usize) < 2 * np
    }

    /// `x` converted to a list's item type `item`: numbers by NumPy's
    /// `same_kind` rule (an int into a float list, never a float into an
    /// int list, which would drop its fraction).
    pub(crate) fn list_item_value(&mut self, x: tir::Expr, item: &Type) -> R<tir::Expr> {
        let message = format!("a list of {item} cannot hold a {}", x.ty);
        let hint = "make the list hold the wider type from the start (e.g. [1.0] for floats)";
        self.same_kind(x, item, message, hint)
    }

    /// `x` converted to `want` where NumPy's `same_kind` rule allows it (an
    /// item going into a container of `want`s); the error otherwise.
    pub(crate) fn same_kind(
        &mut self,
        x: tir::Expr,
        want: &Type,
        message: String,
        hint: &str,
    ) -> R<tir::Expr> {
        if &x.ty == want || unify(&x.ty, want).as_ref() == Some(want) {
            return Ok(self.coerce(x, want));
        }
        Err(error(Code::CannotUnify, x.span, message, hint))
    }

    /// `l[i]` (an integer: the item, `IndexError` outside) or `l[a:b:c]`
    /// (a new list); the same for a str and its characters.
    pub(crate) fn sequence_subscript(
        &mut self,
        seq: tir::Expr,
        index: &hir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        let is_str = seq.ty == Type::Str;
        if let Some(bounds) = self.slice_bounds(index)? {
            let ty = seq.ty.clone();
            let f = if is_str {
                RuntimeFn::StrSlice
            } else {
                RuntimeFn::ListSlice
            };
            let mut args = vec![seq];
            args.extend(bounds);
            return Ok(call(f, args, ty, span));
        }
        let i = self.expr(index)?;
        let i = self.int_index(i)?;
        Ok(if is_str {
            self.str_item(seq, i, span)
        } else {
            self.list_item(seq, i, span)
        })
    }

    /// The `int64` start, stop and step of `index` if it is a slice (an
    /// absent bound, or one that is None, as the runtime's sentinel).
    pub(crate) fn slice_bounds(&mut self, index: &hir::Expr) -> R<Option<[tir::Expr; 3]>> {
        let HK::Slice { lower, upper, step } = &index.kind else {
            return Ok(None);
        };
        let span = index.span;
        let mut bound = |x: &Option<Box<hir::Expr>>, default: tir::Expr| -> R<tir::Expr> {
            match x {
                Some(x) => {
                    let v = self.expr(x)?;
                    if v.ty == Type::None {
                        return Ok(default);
                    }
                    self.int_index(v)
                }
                None => Ok(default),
            }
        };
        Ok(Some([
            bound(lower, absent(span))?,
            bound(upper, absent(span))?,
            bound(step, konst(ConstValue::Int(1), Type::I64, span))?,
        ]))
    }

    /// An integer used as a list position, as `int64`.
    pub(crate) fn int_index(&mut self, i: tir::Expr) -> R<tir::Expr> {
        match i.ty.scalar() {
            Some(s) if s.is_int() || s == Scalar::Bool => Ok(self.coerce(i, &Type::I64)),
            _ => Err(error(
                Code::BadIndex,
                i.span,
                format!("list indices must be integers, not {}", i.ty),
                "index lists with integers",
            )),
        }
    }

    /// `l[i] = v`.
    pub(crate) fn list_store(
        &mut self,
        list: tir::Expr,
        index: &hir::Expr,
        v: tir::Expr,
        span: Span,
    ) -> R<tir::StmtKind> {
        if let Some(bounds) = self.slice_bounds(index)? {
            // `l[a:b] = items`: any list (or tuple) of items that convert.
            let items = match v.ty {
                Type::Tuple(_) => {
                    let items = self.tuple_items(v);
                    self.list_of_items(items, span)?
                }
                _ => v,
            };
            let item = items.ty.list_item().cloned().ok_or_else(|| {
                error(
                    Code::BadOperand,
                    items.span,
                    format!(
                        "can only assign a list to a slice of a list, not a {}",
                        items.ty
                    ),
                    "assign a list: l[a:b] = [x, y]",
                )
            })?;
            let want = self.widen_list(&list, &item, span)?;
            let items = self.coerce(items, &list_of(want.clone()));
            if items.ty.repr() != list_of(want.clone()).repr() {
                return Err(error(
                    Code::CannotUnify,
                    items.span,
                    format!("a list of {want} cannot take the items of a {}", items.ty),
                    "assign a list of the same item type",
                ));
            }
            return Ok(tir::StmtKind::Expr(
                self.set_slice(list, bounds, items, span),
            ));
        }
        let item = self.widen_list(&list, &v.ty, span)?;
        let value = self.list_item_value(v, &item)?;
        let i = self.expr(index)?;
        let i = self.int_index(i)?;
        Ok(tir::StmtKind::Store {
            array: list,
            indices: vec![i],
            value,
            boundscheck: true,
        })
    }

    /// `l[start:stop:step] = items` (and `del l[a:b]`, with no items).
    pub(crate) fn set_slice(
        &mut self,
        list: tir::Expr,
        bounds: [tir::Expr; 3],
        items: tir::Expr,
        span: Span,
    ) -> tir::Expr {
        let mut args = vec![list];
        args.extend(bounds);
        args.push(items);
        call(RuntimeFn::ListSetSlice, args, Type::None, span)
    }

    /// `len(l)`.
    pub(crate) fn list_len(&self, list: tir::Expr, span: Span) -> tir::Expr {
        tir::Expr::new(TK::Call(Intrinsic::Len, vec![list]), Type::INT, span)
    }

    /// The operators on lists: `+` (a new list), `*` by an integer, `==`,
    /// `!=`; `None` when neither operand is a list.
    pub(crate) fn list_binary(
        &mut self,
        op: hir::BinOp,
        a: tir::Expr,
        b: tir::Expr,
        span: Span,
    ) -> R<Option<tir::Expr>> {
        let (la, lb) = (a.ty.list_item().is_some(), b.ty.list_item().is_some());
        if !la && !lb {
            return Ok(None);
        }
        match op {
            hir::BinOp::Add if la && lb => {
                let ty = unify(&a.ty, &b.ty).ok_or_else(|| {
                    error(
                        Code::CannotUnify,
                        span,
                        format!("cannot concatenate {} and {}", a.ty, b.ty),
                        "concatenate lists of one item type",
                    )
                })?;
                Ok(Some(call(RuntimeFn::ListConcat, vec![a, b], ty, span)))
            }
            hir::BinOp::Mul => {
                let (l, n) = if la { (a, b) } else { (b, a) };
                let n = self.int_index(n)?;
                let ty = l.ty.clone();
                Ok(Some(call(RuntimeFn::ListRepeat, vec![l, n], ty, span)))
            }
            _ => Err(crate::ops::bad_operands(
                op,
                &a,
                &b,
                span,
                "lists support +, * by an integer, ==, != and in",
            )),
        }
    }

    /// `a == b` between lists (item by item, Python's `==`).
    pub(crate) fn list_equal(&mut self, a: tir::Expr, b: tir::Expr, span: Span) -> tir::Expr {
        call(RuntimeFn::ListEq, vec![a, b], Type::BOOL, span)
    }

    /// `x in l`.
    pub(crate) fn list_contains(
        &mut self,
        x: tir::Expr,
        list: tir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        self.searchable(&x)?;
        Ok(call(
            RuntimeFn::ListContains,
            vec![list, x],
            Type::BOOL,
            span,
        ))
    }

    /// Values the list searches compare: numbers, tuples and lists of them.
    pub(crate) fn searchable(&self, x: &tir::Expr) -> R<()> {
        fn ok(t: &Type) -> bool {
            match t {
                Type::Scalar(_) | Type::None | Type::Str => true,
                Type::Tuple(items) => items.iter().all(ok),
                Type::List(item) => ok(item),
                _ => false,
            }
        }
        if ok(&x.ty) {
            return Ok(());
        }
        Err(error(
            Code::BadOperand,
            x.span,
            format!("cannot search a list for a {}", x.ty),
            "search for numbers, strings or tuples (the truth value of an array comparison is ambiguous)",
        ))
    }

    /// `e` evaluated once, in the prelude, unless it is a local or constant.
    pub(crate) fn once_in_prelude(&mut self, e: tir::Expr) -> tir::Expr {
        let mut pre = std::mem::take(&mut self.prelude);
        let e = self.once(e, "iter", &mut pre);
        self.prelude = pre;
        e
    }

    /// A new list of the items of a sequence (`list(range(...))`,
    /// `list(array)`, `list(zip(...))`), built by a loop in the prelude.
    pub(crate) fn list_from_seq(&mut self, seq: &Seq, span: Span) -> R<tir::Expr> {
        if self.conditional > 0 {
            return Err(error(
                Code::UnsupportedSyntax,
                span,
                "list() of a sequence in a `while` test is not supported",
                "assign it to a variable before the loop and again at the end of the body",
            ));
        }
        let stop = self.seq_len(seq, span);
        let var = self.temp("i", Type::I64);
        let i = tir::Expr::new(TK::Local(var), Type::I64, span);
        let x = self.seq_item(seq, &i, span)?;
        let ty = list_of(x.ty.clone());
        let l = self.temp("list", ty.clone());
        let local = tir::Expr::new(TK::Local(l), ty.clone(), span);
        let empty = self.list_literal(vec![], x.ty.clone(), false, span);
        let append = call(
            RuntimeFn::ListAppend,
            vec![local.clone(), x],
            Type::None,
            span,
        );
        let stmt = |kind| tir::Stmt { kind, span };
        let int = |v| konst(ConstValue::Int(v), Type::I64, span);
        self.prelude.push(stmt(tir::StmtKind::Assign(l, empty)));
        self.prelude.push(stmt(tir::StmtKind::ForRange {
            var,
            start: int(0),
            stop,
            step: int(1),
            body: vec![stmt(tir::StmtKind::Expr(append))],
            orelse: vec![],
            parallel: None,
        }));
        Ok(local)
    }

    /// The sequence an HIR iterable is, its values evaluated in the prelude.
    pub(crate) fn seq_in_prelude(&mut self, iter: &hir::Expr) -> R<Seq> {
        let mut pre = std::mem::take(&mut self.prelude);
        let seq = self.seq_of(iter, &mut pre);
        self.prelude = pre;
        seq
    }

    /// Folds the items of a list (or the elements of a 1-d array) into an
    /// accumulator, by a loop in the prelude: `acc = init; for x in seq:
    /// acc = step(acc, x)`. The accumulator's type widens until `step`
    /// keeps it (an int start summing floats becomes a float).
    pub(crate) fn fold_items(
        &mut self,
        seq: tir::Expr,
        init: tir::Expr,
        skip_first: bool,
        step: impl Fn(&mut Self, tir::Expr, tir::Expr) -> R<tir::Expr>,
        span: Span,
    ) -> R<tir::Expr> {
        if self.conditional > 0 {
            return Err(error(
                Code::UnsupportedSyntax,
                span,
                "a reduction over a list in a `while` test is not supported",
                "assign it to a variable before the loop and again at the end of the body",
            ));
        }
        let seq = self.once_in_prelude(seq);
        let item_ty = match (&seq.ty, seq.ty.array()) {
            (Type::List(item), _) => (**item).clone(),
            (_, Some(a)) if a.ndim == 1 => Type::Scalar(a.dtype),
            (t, _) => {
                return Err(error(
                    Code::BadCall,
                    seq.span,
                    format!("cannot iterate over the items of a {t} here"),
                    "pass a list or a 1-d array",
                ))
            }
        };
        if item_ty == Type::Undefined {
            // `[]` never filled: nothing to fold.
            return Ok(init);
        }
        let i64t = Type::I64;
        let var = self.temp("i", i64t.clone());
        let index = tir::Expr::new(TK::Local(var), i64t.clone(), span);
        let item = tir::Expr::new(
            TK::Index {
                array: Box::new(seq.clone()),
                indices: vec![index],
                boundscheck: false,
            },
            item_ty,
            span,
        );
        let mut ty = init.ty.clone();
        for _ in 0..4 {
            let acc = tir::Expr::new(TK::Const(ConstValue::Unit), ty.clone(), span);
            let next = step(self, acc, item.clone())?.ty;
            match unify(&ty, &next) {
                Some(t) if t == ty => break,
                Some(t) => ty = t,
                None => {
                    return Err(error(
                        Code::CannotUnify,
                        span,
                        format!("the running value is {ty} and then {next}"),
                        "give the start value the type of the result",
                    ))
                }
            }
        }
        let acc = self.temp("acc", ty.clone());
        let acc_e = tir::Expr::new(TK::Local(acc), ty.clone(), span);
        let init = self.coerce(init, &ty);
        let next = step(self, acc_e.clone(), item)?;
        let next = self.coerce(next, &ty);
        let len = if seq.ty.list_item().is_some() {
            let n = self.list_len(seq.clone(), span);
            self.coerce(n, &i64t)
        } else {
            tir::Expr::new(TK::Call(Intrinsic::Dim(0), vec![seq]), i64t.clone(), span)
        };
        let int = |v| konst(ConstValue::Int(v), Type::I64, span);
        let stmt = |kind| tir::Stmt { kind, span };
        self.prelude.push(stmt(tir::StmtKind::Assign(acc, init)));
        self.prelude.push(stmt(tir::StmtKind::ForRange {
            var,
            start: int(skip_first as i64),
            stop: len,
            step: int(1),
            body: vec![stmt(tir::StmtKind::Assign(acc, next))],
            orelse: vec![],
            parallel: None,
        }));
        Ok(acc_e)
    }

    /// `sum(seq, start)` over a list or 1-d array: Python's left-to-right
    /// additions (not NumPy's pairwise sum).
    pub(crate) fn sum_items(
        &mut self,
        seq: tir::Expr,
        start: tir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        self.fold_items(
            seq,
            start,
            false,
            |ck, acc, x| ck.binary(hir::BinOp::Add, acc, x, span),
            span,
        )
    }

    /// `min(seq)` / `max(seq)` of a list: `ValueError` when it is empty,
    /// the first of equal extremes otherwise (Python's rule).
    pub(crate) fn extreme_item(&mut self, f: &str, seq: tir::Expr, span: Span) -> R<tir::Expr> {
        let seq = self.once_in_prelude(seq);
        let empty = {
            let n = self.list_len(seq.clone(), span);
            let zero = konst(ConstValue::Int(0), Type::INT, span);
            tir::Expr::new(
                TK::Compare(tir::CmpOp::Eq, Box::new(n), Box::new(zero)),
                Type::BOOL,
                span,
            )
        };
        let exc = self.oracle.exception(oxjit_abi::exc::ExcSpec::with_message(
            "ValueError",
            &format!("{f}() arg is an empty sequence"),
        ));
        let raise = tir::Stmt {
            kind: tir::StmtKind::Raise(exc),
            span,
        };
        self.prelude.push(tir::Stmt {
            kind: tir::StmtKind::If {
                cond: empty,
                then: vec![raise],
                orelse: vec![],
            },
            span,
        });
        let first = self.list_item(
            seq.clone(),
            konst(ConstValue::Int(0), Type::I64, span),
            span,
        );
        let f = f.to_string();
        self.fold_items(
            seq,
            first,
            true,
            move |ck, acc, x| ck.min_max(&f, vec![acc, x], span),
            span,
        )
    }

    /// `l[idx]`: always checked (`IndexError` outside the list).
    pub(crate) fn list_item(&mut self, list: tir::Expr, idx: tir::Expr, span: Span) -> tir::Expr {
        let item = list.ty.list_item().cloned().unwrap();
        tir::Expr::new(
            TK::Index {
                array: Box::new(list),
                indices: vec![idx],
                boundscheck: true,
            },
            item,
            span,
        )
    }
}

//! Comprehensions, generator expressions and the builtins that consume an
//! iterable (`sum any all min max set dict`). Each is desugared to the
//! loops Python runs: HIR statements, typed like the user's own and
//! emitted before the statement that holds the expression, so every
//! iterable a `for` loop accepts works in them, and a generator expression
//! folded by `sum()` or `any()` builds nothing. Anywhere else a generator
//! expression is built as a list: the same items, without the laziness.

use crate::check::{error, range_call, Checker, R};
use crate::iteration::{looped, sequence_builtin};
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, CompKind, Const, ExprKind as HK, StmtKind as HS, Target, Value};
use oxjit_tir::{self as tir, StmtKind as TS};
use oxjit_types::Type;

/// The longest constant range `tuple()` of a generator unrolls.
const MAX_UNROLLED: i64 = 64;

/// The value of an integer expression of constants (`-1`, `len(t) - 1`).
fn known_int(e: &tir::Expr) -> Option<i64> {
    use tir::{BinOp, ExprKind as TK};
    match &e.kind {
        TK::Const(tir::ConstValue::Int(v)) => Some(*v),
        TK::Cast(x) if x.ty.is_int() && e.ty.is_int() => known_int(x),
        TK::Unary(tir::UnaryOp::Neg, x) => known_int(x)?.checked_neg(),
        TK::Binary(op, a, b) => {
            let (a, b) = (known_int(a)?, known_int(b)?);
            match op {
                BinOp::Add => a.checked_add(b),
                BinOp::Sub => a.checked_sub(b),
                BinOp::Mul => a.checked_mul(b),
                _ => None,
            }
        }
        _ => None,
    }
}

/// What a consumer computes from the items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fold {
    Sum,
    Any,
    All,
    Min,
    Max,
}

/// The keyword arguments a fold takes: `sum`'s start, `min`/`max`'s
/// `key=` and `default=`.
#[derive(Clone, Copy, Default)]
pub(crate) struct FoldArgs<'a> {
    pub start: Option<&'a hir::Expr>,
    pub key: Option<&'a hir::Expr>,
    pub default: Option<&'a hir::Expr>,
}

/// What a consumer iterates: a HIR expression (a generator expression,
/// `range(...)`, ...) or a value typed already.
pub(crate) enum Iterable<'a> {
    Hir(&'a hir::Expr),
    Typed(tir::Expr),
}

/// The clauses and the element of what a consumer iterates.
struct Source {
    generators: Vec<hir::Generator>,
    elt: hir::Expr,
}

pub(crate) fn ex(kind: HK, span: Span) -> hir::Expr {
    hir::Expr { kind, span }
}

pub(crate) fn at(kind: HS, span: Span) -> hir::Stmt {
    hir::Stmt { kind, span }
}

fn assign(id: hir::LocalId, value: hir::Expr, span: Span) -> hir::Stmt {
    at(
        HS::Assign {
            targets: vec![Target::Local(id, span)],
            value,
        },
        span,
    )
}

pub(crate) fn if_(
    test: hir::Expr,
    body: Vec<hir::Stmt>,
    orelse: Vec<hir::Stmt>,
    span: Span,
) -> hir::Stmt {
    at(HS::If { test, body, orelse }, span)
}

fn not(x: hir::Expr, span: Span) -> hir::Expr {
    ex(HK::Unary(hir::UnaryOp::Not, Box::new(x)), span)
}

fn boolean(b: bool, span: Span) -> hir::Expr {
    ex(HK::Const(Const::Bool(b)), span)
}

/// `obj.method(args)`.
pub(crate) fn method_call(
    obj: hir::Expr,
    method: &str,
    args: Vec<hir::Expr>,
    span: Span,
) -> hir::Expr {
    let func = ex(HK::Attribute(Box::new(obj), method.into()), span);
    ex(
        HK::Call {
            func: Box::new(func),
            args,
            kwargs: vec![],
        },
        span,
    )
}

/// `for` loops over the clauses around `inner` (each clause's conditions
/// as nested `if`s). After each inner loop, `stop` (when given) breaks the
/// enclosing one too, so a fold that has its answer leaves every loop.
fn clause_loops(
    generators: &[hir::Generator],
    inner: Vec<hir::Stmt>,
    stop: Option<&hir::Expr>,
    span: Span,
) -> Vec<hir::Stmt> {
    let mut body = inner;
    for (depth, g) in generators.iter().enumerate().rev() {
        for c in g.ifs.iter().rev() {
            body = vec![if_(c.clone(), body, vec![], span)];
        }
        let mut level = vec![at(
            HS::For {
                target: g.target.clone(),
                iter: g.iter.clone(),
                body,
                orelse: vec![],
            },
            span,
        )];
        if let Some(stop) = stop.filter(|_| depth > 0) {
            level.push(if_(stop.clone(), vec![at(HS::Break, span)], vec![], span));
        }
        body = level;
    }
    body
}

/// `key(x)` as HIR: a call of the key function (a lambda is a closure).
fn apply_key(key: &hir::Expr, x: hir::Expr, span: Span) -> hir::Expr {
    let call = HK::Call {
        func: Box::new(key.clone()),
        args: vec![x],
        kwargs: vec![],
    };
    ex(call, span)
}

impl Checker<'_> {
    /// `sorted(l, key=k, reverse=r)` of a list `l`: Python's stable sort
    /// by key, as the loops of a decorate-sort-undecorate: `(k(x), ±i)`
    /// pairs sorted as tuples (the sign keeps items of equal keys in their
    /// order when reversed, as Python's sort does), then the items in their
    /// pairs' order. A new list.
    pub(crate) fn keyed_sort(
        &mut self,
        l: tir::Expr,
        key: &hir::Expr,
        reverse: Option<&hir::Expr>,
        span: Span,
    ) -> R<tir::Expr> {
        self.not_in_while_test("sorting with key=", span)?;
        let src = self.stash(l);
        let [pairs, i, x, sign, p, out] =
            ["pairs", "i", "x", "sign", "pair", "sorted"].map(|n| self.hidden_local(n, span));
        let local = |id| ex(HK::Local(id), span);
        let int = |v| ex(HK::Const(Const::Int(v)), span);
        let rev = reverse.cloned().unwrap_or_else(|| boolean(false, span));
        let k = apply_key(key, local(x), span);
        let signed = ex(
            HK::Binary(hir::BinOp::Mul, Box::new(local(i)), Box::new(local(sign))),
            span,
        );
        let pair = ex(HK::Tuple(vec![k, signed]), span);
        let decorate = vec![at(
            HS::Expr(method_call(local(pairs), "append", vec![pair], span)),
            span,
        )];
        let enumerate = ex(
            HK::Global(Value::Function("builtins.enumerate".into())),
            span,
        );
        let position = ex(HK::Subscript(Box::new(local(p)), Box::new(int(1))), span);
        let abs = ex(HK::Global(Value::Function("builtins.abs".into())), span);
        let index = ex(
            HK::Call {
                func: Box::new(abs),
                args: vec![position],
                kwargs: vec![],
            },
            span,
        );
        let item = ex(HK::Subscript(Box::new(src.clone()), Box::new(index)), span);
        let sort = ex(
            HK::Call {
                func: Box::new(ex(
                    HK::Attribute(Box::new(local(pairs)), "sort".into()),
                    span,
                )),
                args: vec![],
                kwargs: vec![hir::Keyword {
                    name: "reverse".into(),
                    value: rev.clone(),
                    span,
                }],
            },
            span,
        );
        let choose = ex(
            HK::IfExp {
                test: Box::new(rev),
                body: Box::new(int(-1)),
                orelse: Box::new(int(1)),
            },
            span,
        );
        let stmts = vec![
            assign(sign, choose, span),
            assign(pairs, ex(HK::List(vec![]), span), span),
            at(
                HS::For {
                    target: Target::Tuple(
                        vec![Target::Local(i, span), Target::Local(x, span)],
                        span,
                    ),
                    iter: ex(
                        HK::Call {
                            func: Box::new(enumerate),
                            args: vec![src],
                            kwargs: vec![],
                        },
                        span,
                    ),
                    body: decorate,
                    orelse: vec![],
                },
                span,
            ),
            at(HS::Expr(sort), span),
            assign(out, ex(HK::List(vec![]), span), span),
            at(
                HS::For {
                    target: Target::Local(p, span),
                    iter: local(pairs),
                    body: vec![at(
                        HS::Expr(method_call(local(out), "append", vec![item], span)),
                        span,
                    )],
                    orelse: vec![],
                },
                span,
            ),
        ];
        let typed = self.block(&stmts);
        self.prelude.extend(typed);
        self.expr(&local(out))
    }

    /// A comprehension as a value: its loops go to the prelude, and the
    /// value is its result local.
    pub(crate) fn comprehension(&mut self, e: &hir::Expr) -> R<tir::Expr> {
        let HK::Comprehension {
            kind,
            result,
            elt,
            value,
            generators,
        } = &e.kind
        else {
            unreachable!("a comprehension")
        };
        let what = match kind {
            CompKind::List => "a list comprehension",
            CompKind::Set => "a set comprehension",
            CompKind::Dict => "a dict comprehension",
            CompKind::Generator => "a generator expression",
        };
        self.not_in_while_test(what, e.span)?;
        let kind = match kind {
            CompKind::Generator => CompKind::List,
            k => *k,
        };
        let src = Source {
            generators: generators.clone(),
            elt: (**elt).clone(),
        };
        let value = value.as_deref().cloned();
        self.build(kind, *result, src, value, e.span)
    }

    pub(crate) fn not_in_while_test(&self, what: &str, span: Span) -> R<()> {
        if self.conditional == 0 {
            return Ok(());
        }
        Err(error(
            Code::UnsupportedSyntax,
            span,
            format!("{what} in a `while` test is not supported"),
            "assign it to a variable before the loop and again at the end of the body",
        ))
    }

    /// The statements that build a list, set or dict in `result` from
    /// `src` (a dict from `(key, value)` items when `value` is None), then
    /// the result.
    fn build(
        &mut self,
        kind: CompKind,
        result: hir::LocalId,
        src: Source,
        value: Option<hir::Expr>,
        span: Span,
    ) -> R<tir::Expr> {
        self.not_in_while_test("set() or dict() of an iterable", span)?;
        let local = || ex(HK::Local(result), span);
        let (empty, inner) = match kind {
            CompKind::List => (
                HK::List(vec![]),
                vec![at(
                    HS::Expr(method_call(local(), "append", vec![src.elt], span)),
                    span,
                )],
            ),
            CompKind::Set => (
                HK::Set(vec![]),
                vec![at(
                    HS::Expr(method_call(local(), "add", vec![src.elt], span)),
                    span,
                )],
            ),
            _ => {
                let mut inner = vec![];
                let (key, value) = match value {
                    Some(v) => (src.elt, v),
                    None => {
                        // `dict(pairs)`: each item unpacked into a key and a value.
                        let (k, v) = (
                            self.hidden_local("key", span),
                            self.hidden_local("value", span),
                        );
                        let pair = Target::Tuple(
                            vec![Target::Local(k, span), Target::Local(v, span)],
                            span,
                        );
                        inner.push(at(
                            HS::Assign {
                                targets: vec![pair],
                                value: src.elt,
                            },
                            span,
                        ));
                        (ex(HK::Local(k), span), ex(HK::Local(v), span))
                    }
                };
                let store = Target::Subscript {
                    base: local(),
                    index: key,
                    span,
                };
                inner.push(at(
                    HS::Assign {
                        targets: vec![store],
                        value,
                    },
                    span,
                ));
                (HK::Dict(vec![]), inner)
            }
        };
        let mut stmts = vec![assign(result, ex(empty, span), span)];
        stmts.extend(clause_loops(&src.generators, inner, None, span));
        let typed = self.block(&stmts);
        self.prelude.extend(typed);
        self.expr(&local())
    }

    /// What `iter` yields, as clauses and an element: a generator
    /// expression's own, or one clause over the iterable (a value typed
    /// here is kept in a temporary the clause names).
    fn source(&mut self, iter: Iterable, span: Span) -> R<Source> {
        if let Iterable::Hir(hir::Expr {
            kind:
                HK::Comprehension {
                    kind: CompKind::Generator,
                    elt,
                    generators,
                    ..
                },
            ..
        }) = iter
        {
            return Ok(Source {
                generators: generators.clone(),
                elt: (**elt).clone(),
            });
        }
        let iterable = match iter {
            Iterable::Hir(h) if range_call(h).is_some() || sequence_builtin(h).is_some() => {
                h.clone()
            }
            Iterable::Hir(h) => {
                let v = self.expr(h)?;
                return self.source(Iterable::Typed(v), span);
            }
            Iterable::Typed(v) => self.stash(v),
        };
        let item = self.hidden_local("item", span);
        Ok(Source {
            generators: vec![hir::Generator {
                target: Target::Local(item, span),
                iter: iterable,
                ifs: vec![],
            }],
            elt: ex(HK::Local(item), span),
        })
    }

    /// A HIR expression for a typed value: a local's own name, or a
    /// temporary assigned in the prelude.
    pub(crate) fn stash(&mut self, v: tir::Expr) -> hir::Expr {
        let span = v.span;
        let id = match v.kind {
            tir::ExprKind::Local(id) => id,
            _ => {
                let tmp = self.temp("iter", v.ty.clone());
                self.prelude.push(tir::Stmt {
                    kind: TS::Assign(tmp, v),
                    span,
                });
                tmp
            }
        };
        ex(HK::Local(self.hir_name(id)), span)
    }

    /// Runs the statements `each` makes of an item for every item of
    /// `iter` (`s.update(l)`: `s.add(x)`), in the prelude.
    pub(crate) fn for_each_item(
        &mut self,
        iter: Iterable,
        span: Span,
        each: impl FnOnce(hir::Expr) -> Vec<hir::Stmt>,
    ) -> R<()> {
        self.not_in_while_test("a loop over an iterable", span)?;
        let src = self.source(iter, span)?;
        let stmts = clause_loops(&src.generators, each(src.elt), None, span);
        let typed = self.block(&stmts);
        self.prelude.extend(typed);
        Ok(())
    }

    /// `tuple(gen)` of a generator expression with one clause and no
    /// condition over a source whose length the types fix (a tuple of one
    /// item type, a `range` of constant bounds; or such a range itself):
    /// the loop unrolled, one item per position. `None` for any other
    /// iterable.
    pub(crate) fn tuple_of(&mut self, h: &hir::Expr) -> R<Option<tir::Expr>> {
        let span = h.span;
        if range_call(h).is_some() {
            let Some(items) = self.fixed_items(h)? else {
                return Ok(None);
            };
            return self.expr(&ex(HK::Tuple(items), span)).map(Some);
        }
        let HK::Comprehension {
            kind: CompKind::Generator,
            elt,
            generators,
            ..
        } = &h.kind
        else {
            return Ok(None);
        };
        let [g] = generators.as_slice() else {
            return Ok(None);
        };
        if !g.ifs.is_empty() {
            return Ok(None);
        }
        let Some(items) = self.fixed_items(&g.iter)? else {
            return Ok(None);
        };
        self.not_in_while_test("tuple() of a generator", span)?;
        let mut stmts = vec![];
        let mut results = vec![];
        for (k, item) in items.into_iter().enumerate() {
            let r = self.hidden_local(&format!("tuple{k}"), span);
            stmts.push(at(
                HS::Assign {
                    targets: vec![g.target.clone()],
                    value: item,
                },
                span,
            ));
            stmts.push(assign(r, (**elt).clone(), span));
            results.push(ex(HK::Local(r), span));
        }
        let typed = self.block(&stmts);
        self.prelude.extend(typed);
        self.expr(&ex(HK::Tuple(results), span)).map(Some)
    }

    /// The items of `iter` as HIR expressions if its length is fixed at
    /// compile time: the numbers of a constant `range(...)`, the items of
    /// a tuple of one item type (kept in a temporary).
    fn fixed_items(&mut self, iter: &hir::Expr) -> R<Option<Vec<hir::Expr>>> {
        let span = iter.span;
        if let Some(args) = range_call(iter) {
            // Bounds the types fix count too (`a.ndim`, `len(t)`).
            let mut bounds = vec![];
            for a in args {
                match known_int(&self.expr(a)?) {
                    Some(v) => bounds.push(v),
                    None => return Ok(None),
                }
            }
            let (start, stop, step) = match bounds[..] {
                [stop] => (0, stop, 1),
                [start, stop] => (start, stop, 1),
                [start, stop, step] if step != 0 => (start, stop, step),
                _ => return Ok(None),
            };
            let n = (-((start - stop).div_euclid(step))).max(0);
            if n > MAX_UNROLLED {
                return Ok(None);
            }
            let number = |k| ex(HK::Const(Const::Int(start + k * step)), span);
            return Ok(Some((0..n).map(number).collect()));
        }
        if looped(iter) {
            return Ok(None);
        }
        let source = self.expr(iter)?;
        // One item type: the target keeps one type over the unrolled items.
        let n = match &source.ty {
            Type::Tuple(types) if types.iter().all(|t| t == &types[0]) => types.len(),
            _ => return Ok(None),
        };
        let whole = self.stash(source);
        let item = |k| {
            let index = ex(HK::Const(Const::Int(k as i64)), span);
            ex(
                HK::Subscript(Box::new(whole.clone()), Box::new(index)),
                span,
            )
        };
        Ok(Some((0..n).map(item).collect()))
    }

    /// `set(iter)` / `dict(iter)` of an iterable that is not already a set
    /// or dict: the items added (or the pairs stored) one by one.
    pub(crate) fn container_of(
        &mut self,
        kind: CompKind,
        iter: Iterable,
        span: Span,
    ) -> R<tir::Expr> {
        let src = self.source(iter, span)?;
        let result = self.hidden_local(if kind == CompKind::Set { "set" } else { "dict" }, span);
        self.build(kind, result, src, None, span)
    }

    /// `sum(iter, start)`, `any(iter)`, `all(iter)`, `min(iter, key=,
    /// default=)`, `max(...)` as a loop with an accumulator; `any`/`all`
    /// leave the loops at the first item that decides, `min`/`max` compare
    /// the items (or their keys, each computed once), keep the first of
    /// equal extremes, and give `default` or raise Python's `ValueError`
    /// when there is no item.
    pub(crate) fn fold(
        &mut self,
        f: Fold,
        iter: Iterable,
        args: FoldArgs,
        span: Span,
    ) -> R<tir::Expr> {
        self.not_in_while_test("a reduction over an iterable", span)?;
        // A generator expression's result local holds the running value
        // across passes (its type may widen: an int start summing floats).
        let acc = match &iter {
            Iterable::Hir(hir::Expr {
                kind: HK::Comprehension { result, .. },
                ..
            }) => *result,
            _ => self.hidden_local("acc", span),
        };
        let src = self.source(iter, span)?;
        let local = |id| ex(HK::Local(id), span);
        let elt = src.elt;
        let (init, inner, stop, after) = match f {
            Fold::Sum => {
                let start = args
                    .start
                    .cloned()
                    .unwrap_or_else(|| ex(HK::Const(Const::Int(0)), span));
                let add = ex(
                    HK::Binary(hir::BinOp::Add, Box::new(local(acc)), Box::new(elt)),
                    span,
                );
                (
                    vec![assign(acc, start, span)],
                    vec![assign(acc, add, span)],
                    None,
                    vec![],
                )
            }
            Fold::Any | Fold::All => {
                // any: False until a true item; all: True until a false one.
                let found = f == Fold::Any;
                let test = if found { elt } else { not(elt, span) };
                let decided = vec![assign(acc, boolean(found, span), span), at(HS::Break, span)];
                let stop = if found {
                    local(acc)
                } else {
                    not(local(acc), span)
                };
                (
                    vec![assign(acc, boolean(!found, span), span)],
                    vec![if_(test, decided, vec![], span)],
                    Some(stop),
                    vec![],
                )
            }
            Fold::Min | Fold::Max => {
                let name = if f == Fold::Min { "min" } else { "max" };
                let seen = self.temp("seen", Type::BOOL);
                let seen = self.hir_name(seen);
                let func = ex(
                    HK::Global(Value::Function(format!("builtins.{name}"))),
                    span,
                );
                let pick = ex(
                    HK::Call {
                        func: Box::new(func),
                        args: vec![local(acc), elt.clone()],
                        kwargs: vec![],
                    },
                    span,
                );
                let mut first = vec![assign(seen, boolean(true, span), span)];
                let mut before = vec![];
                let better = match args.key {
                    None => {
                        first.push(assign(acc, elt, span));
                        vec![assign(acc, pick, span)]
                    }
                    Some(key) => {
                        // The item and its key, each computed once.
                        let [cur, k, best] =
                            ["item", "key", "best"].map(|n| self.hidden_local(n, span));
                        let kx = apply_key(key, local(cur), span);
                        before.push(assign(cur, elt, span));
                        before.push(assign(k, kx, span));
                        let take =
                            vec![assign(acc, local(cur), span), assign(best, local(k), span)];
                        first.extend(take.clone());
                        let op = if f == Fold::Min {
                            hir::CmpOp::Lt
                        } else {
                            hir::CmpOp::Gt
                        };
                        let beats = ex(
                            HK::Compare(Box::new(local(k)), vec![(op, local(best))]),
                            span,
                        );
                        vec![if_(beats, take, vec![], span)]
                    }
                };
                let exc = ex(
                    HK::Call {
                        func: Box::new(ex(
                            HK::Global(Value::ExceptionClass("ValueError".into())),
                            span,
                        )),
                        args: vec![ex(
                            HK::Const(Const::Str(format!("{name}() arg is an empty sequence"))),
                            span,
                        )],
                        kwargs: vec![],
                    },
                    span,
                );
                let none = match args.default {
                    Some(d) => assign(acc, d.clone(), span),
                    None => at(HS::Raise(Some(exc)), span),
                };
                let empty = if_(not(local(seen), span), vec![none], vec![], span);
                before.push(if_(not(local(seen), span), first, better, span));
                (
                    vec![assign(seen, boolean(false, span), span)],
                    before,
                    None,
                    vec![empty],
                )
            }
        };
        let mut stmts = init;
        stmts.extend(clause_loops(&src.generators, inner, stop.as_ref(), span));
        stmts.extend(after);
        let typed = self.block(&stmts);
        self.prelude.extend(typed);
        self.expr(&local(acc))
    }

    /// `for target in (elt for x in it if cond)` with one clause: the loop
    /// over `it` itself, the target assigned `elt` where the condition
    /// holds (`break`, `continue` and `else` keep their meaning). `None`
    /// for other loops; a generator of several clauses is built as a list.
    pub(crate) fn generator_loop(
        &self,
        target: &Target,
        iter: &hir::Expr,
        body: &[hir::Stmt],
        orelse: &[hir::Stmt],
        span: Span,
    ) -> Option<hir::Stmt> {
        let HK::Comprehension {
            kind: CompKind::Generator,
            elt,
            generators,
            ..
        } = &iter.kind
        else {
            return None;
        };
        let [g] = generators.as_slice() else {
            return None;
        };
        let mut inner = vec![at(
            HS::Assign {
                targets: vec![target.clone()],
                value: (**elt).clone(),
            },
            span,
        )];
        inner.extend(body.iter().cloned());
        for c in g.ifs.iter().rev() {
            inner = vec![if_(c.clone(), inner, vec![], span)];
        }
        Some(at(
            HS::For {
                target: g.target.clone(),
                iter: g.iter.clone(),
                body: inner,
                orelse: orelse.to_vec(),
            },
            span,
        ))
    }
}

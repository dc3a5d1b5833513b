//! Strings: literals, the operators (`+`, `*`, `%`, comparisons, `in`),
//! indexing, slicing, iteration and f-strings. A str (`unicode_type`) is
//! an immutable shared value; every operation on one is a runtime call
//! (`RuntimeFn::Str*`) except `len`, which reads the string's header. The
//! methods are registry entries (`library/strs.rs`).

use crate::check::{error, Checker, R};
use crate::exceptions::exception_str;
use crate::expr::konst;
use crate::runtime_fns::call;
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, FStringPart};
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK, RuntimeFn};
use oxjit_types::Type;

/// A string constant.
pub(crate) fn str_const(s: &str, span: Span) -> tir::Expr {
    konst(ConstValue::Str(s.to_string()), Type::Str, span)
}

/// A concatenation of `parts` (strs): one runtime call for any number.
fn concat(parts: Vec<tir::Expr>, span: Span) -> tir::Expr {
    let ty = Type::Tuple(vec![Type::Str; parts.len()]);
    let parts = tir::Expr::new(TK::Tuple(parts), ty, span);
    call(RuntimeFn::StrConcat, vec![parts], Type::Str, span)
}

impl Checker<'_> {
    /// The operators with a str operand: `a + b`, `s * n`, `n * s` and
    /// `fmt % values`; `None` when neither operand is a str.
    pub(crate) fn str_binary(
        &mut self,
        op: hir::BinOp,
        a: tir::Expr,
        b: tir::Expr,
        span: Span,
    ) -> R<Option<tir::Expr>> {
        let (sa, sb) = (a.ty == Type::Str, b.ty == Type::Str);
        if !sa && !sb {
            return Ok(None);
        }
        Ok(Some(match op {
            hir::BinOp::Add if sa && sb => concat(vec![a, b], span),
            hir::BinOp::Mul if (sa && b.ty.is_int()) || (sb && a.ty.is_int()) => {
                let (s, n) = if sa { (a, b) } else { (b, a) };
                let n = self.int_index(n)?;
                call(RuntimeFn::StrRepeat, vec![s, n], Type::Str, span)
            }
            hir::BinOp::Mod if sa => {
                let values = match &b.ty {
                    Type::Tuple(_) => b,
                    _ => {
                        let ty = Type::Tuple(vec![b.ty.clone()]);
                        tir::Expr::new(TK::Tuple(vec![b]), ty, span)
                    }
                };
                self.formattable(&values)?;
                call(RuntimeFn::StrPercent, vec![a, values], Type::Str, span)
            }
            _ => {
                return Err(crate::ops::bad_operands(
                    op,
                    &a,
                    &b,
                    span,
                    "strings support + with a str, * with an int and % with values to format",
                ))
            }
        }))
    }

    /// `a == b`, `a < b`, ... of two strs (code point order).
    pub(crate) fn str_compare(
        &mut self,
        op: tir::CmpOp,
        a: tir::Expr,
        b: tir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        if a.ty != b.ty {
            return Err(error(
                Code::BadOperand,
                span,
                format!("cannot compare a {} with a {}", a.ty, b.ty),
                "compare a str with a str",
            ));
        }
        let eq = || {
            call(
                RuntimeFn::StrEq,
                vec![a.clone(), b.clone()],
                Type::BOOL,
                span,
            )
        };
        Ok(match op {
            tir::CmpOp::Eq => eq(),
            tir::CmpOp::Ne => self.unary(hir::UnaryOp::Not, eq(), span)?,
            _ => {
                let c = call(RuntimeFn::StrCmp, vec![a, b], Type::I64, span);
                let zero = konst(ConstValue::Int(0), Type::I64, span);
                tir::Expr::new(
                    TK::Compare(op, Box::new(c), Box::new(zero)),
                    Type::BOOL,
                    span,
                )
            }
        })
    }

    /// `sub in s`.
    pub(crate) fn str_contains(
        &mut self,
        sub: tir::Expr,
        s: tir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        let sub = self.str_arg(sub, "the left operand of `in`")?;
        Ok(call(RuntimeFn::StrContains, vec![s, sub], Type::BOOL, span))
    }

    /// `s[i]`, `i` an `int64`: a one-character string.
    pub(crate) fn str_item(&mut self, s: tir::Expr, i: tir::Expr, span: Span) -> tir::Expr {
        call(RuntimeFn::StrGetItem, vec![s, i], Type::Str, span)
    }

    /// `x`, which must be a str (`what` names it in the error).
    pub(crate) fn str_arg(&mut self, x: tir::Expr, what: &str) -> R<tir::Expr> {
        if x.ty == Type::Str {
            return Ok(x);
        }
        Err(error(
            Code::BadOperand,
            x.span,
            format!("{what} must be a str, not {}", x.ty),
            "convert it with str(...)",
        ))
    }

    /// Rejects values `str()`, `format()` and `%` cannot show: every item
    /// of `x` must be a number, bool, str or None.
    pub(crate) fn formattable(&self, x: &tir::Expr) -> R<()> {
        let ok = |t: &Type| matches!(t, Type::Scalar(_) | Type::Str | Type::None);
        let fine = match &x.ty {
            Type::Tuple(items) => items.iter().all(ok),
            t => ok(t),
        };
        if fine {
            return Ok(());
        }
        Err(error(
            Code::BadOperand,
            x.span,
            format!("cannot convert a {} to a str in compiled code", x.ty),
            "strings can be made from numbers, bools, strs and None",
        ))
    }

    /// `str(x)`.
    pub(crate) fn str_of(&mut self, x: tir::Expr, span: Span) -> R<tir::Expr> {
        if x.ty == Type::Str {
            return Ok(x);
        }
        if x.ty == Type::Exception {
            return Ok(exception_str(x, span));
        }
        if matches!(x.ty, Type::Tuple(_)) {
            return Err(error(
                Code::BadOperand,
                x.span,
                format!("str() of a {} is not supported in compiled code", x.ty),
                "convert its items one by one",
            ));
        }
        self.formattable(&x)?;
        Ok(call(RuntimeFn::StrOf, vec![x], Type::Str, span))
    }

    /// An f-string: each replacement field converted (`!r`, `!s`) and
    /// formatted with its spec (itself an f-string), then everything
    /// concatenated in one call.
    pub(crate) fn fstring(&mut self, parts: &[FStringPart], span: Span) -> R<tir::Expr> {
        let mut out = Vec::with_capacity(parts.len());
        for part in parts {
            out.push(match part {
                FStringPart::Literal(s, at) => str_const(s, *at),
                FStringPart::Field {
                    value,
                    conversion,
                    spec,
                } => {
                    let at = value.span;
                    let mut x = self.expr(value)?;
                    if x.ty == Type::Exception && matches!(conversion, None | Some('s')) {
                        x = exception_str(x, at);
                    }
                    if matches!(x.ty, Type::Tuple(_)) {
                        return Err(error(
                            Code::BadOperand,
                            at,
                            format!("cannot format a {} in compiled code", x.ty),
                            "format its items one by one",
                        ));
                    }
                    self.formattable(&x)?;
                    match conversion {
                        Some('r') | Some('a') => {
                            x = call(RuntimeFn::StrRepr, vec![x], Type::Str, at)
                        }
                        Some(_) => x = self.str_of(x, at)?,
                        None => {}
                    }
                    match spec {
                        Some(spec) => {
                            let spec = self.expr(spec)?;
                            call(RuntimeFn::StrFormat, vec![x, spec], Type::Str, at)
                        }
                        None => self.str_of(x, at)?,
                    }
                }
            });
        }
        if out.len() == 1 && out[0].ty == Type::Str {
            return Ok(out.pop().unwrap());
        }
        Ok(concat(out, span))
    }
}

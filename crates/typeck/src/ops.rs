//! Arithmetic, bitwise and unary operators on scalars: NumPy's result types
//! (NEP 50 for Python scalars), Python's semantics, and the division-by-zero
//! guards of `error_model='python'`.

use crate::check::{error, Checker, R};
use crate::expr::cast_scalar;
use oxjit_abi::exc::{self, ExcSpec};
use oxjit_diag::{Code, Span};
use oxjit_hir as hir;
use oxjit_tir::{self as tir, BinOp, Check, ConstValue, ErrorModel, ExprKind as TK, UnaryOp};
use oxjit_types::{common_scalar, Kind, Scalar, Type};

fn tir_op(op: hir::BinOp) -> Option<BinOp> {
    use hir::BinOp as H;
    Some(match op {
        H::Add => BinOp::Add,
        H::Sub => BinOp::Sub,
        H::Mul => BinOp::Mul,
        H::Div => BinOp::Div,
        H::FloorDiv => BinOp::FloorDiv,
        H::Mod => BinOp::Mod,
        H::Pow => BinOp::Pow,
        H::LShift => BinOp::LShift,
        H::RShift => BinOp::RShift,
        H::BitAnd => BinOp::BitAnd,
        H::BitOr => BinOp::BitOr,
        H::BitXor => BinOp::BitXor,
        H::MatMul => return None,
    })
}

/// Python's `bool` takes part in arithmetic as an int.
fn arith(s: Scalar) -> Scalar {
    if s == Scalar::Bool {
        Scalar::PyInt
    } else {
        s
    }
}

impl Checker<'_> {
    pub fn unary(&mut self, op: hir::UnaryOp, x: tir::Expr, span: Span) -> R<tir::Expr> {
        // NumPy booleans: `~` is logical not; `-` and `+` are not defined.
        if self.elementwise_depth > 0 && x.ty == Type::BOOL {
            return match op {
                hir::UnaryOp::Invert | hir::UnaryOp::Not => Ok(tir::Expr::new(
                    TK::Unary(UnaryOp::Not, Box::new(x)),
                    Type::BOOL,
                    span,
                )),
                _ => Err(error(
                    Code::BadOperand,
                    span,
                    format!(
                        "the unary {} operator is not supported for boolean arrays",
                        op.symbol()
                    ),
                    "use ~ (logical not) or convert with .astype(int)",
                )),
            };
        }
        if crate::arrays::is_arrayish(&x) && op != hir::UnaryOp::Not {
            return self.elementwise(vec![x], span, |ck, mut p| ck.unary(op, p.remove(0), span));
        }
        if op == hir::UnaryOp::Not {
            let t = self.truth(x)?;
            return Ok(tir::Expr::new(
                TK::Unary(UnaryOp::Not, Box::new(t)),
                Type::BOOL,
                span,
            ));
        }
        let Some(s) = x.ty.scalar() else {
            return Err(error(
                Code::BadOperand,
                span,
                format!("bad operand type for unary {}: {}", op.symbol(), x.ty),
                "unary operators apply to numbers",
            ));
        };
        let s = arith(s);
        let x = cast_scalar(x, s);
        match op {
            hir::UnaryOp::Pos => Ok(x),
            hir::UnaryOp::Neg => Ok(tir::Expr::new(
                TK::Unary(UnaryOp::Neg, Box::new(x)),
                Type::Scalar(s),
                span,
            )),
            hir::UnaryOp::Invert if s.is_int() => Ok(tir::Expr::new(
                TK::Unary(UnaryOp::Invert, Box::new(x)),
                Type::Scalar(s),
                span,
            )),
            _ => Err(error(
                Code::BadOperand,
                span,
                format!("bad operand type for unary ~: {}", x.ty),
                "bitwise inversion applies to integers",
            )),
        }
    }

    pub fn binary(
        &mut self,
        op: hir::BinOp,
        a: tir::Expr,
        b: tir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        let bad = |a: &tir::Expr, b: &tir::Expr, hint: &str| bad_operands(op, a, b, span, hint);
        if op == hir::BinOp::MatMul {
            return self.dot(a, b, true, span);
        }
        if a.ty == Type::Str || b.ty == Type::Str {
            return self
                .str_binary(op, a, b, span)
                .map(|e| e.expect("an operand is a str"));
        }
        if a.ty.list_item().is_some() || b.ty.list_item().is_some() {
            return self
                .list_binary(op, a, b, span)
                .map(|e| e.expect("an operand is a list"));
        }
        if a.ty.set_item().is_some() || b.ty.set_item().is_some() {
            return self
                .set_binary(op, a, b, span)
                .map(|e| e.expect("an operand is a set"));
        }
        if crate::arrays::is_arrayish(&a) || crate::arrays::is_arrayish(&b) {
            return self.elementwise(vec![a, b], span, |ck, mut p| {
                let b = p.pop().unwrap();
                let a = p.pop().unwrap();
                ck.binary(op, a, b, span)
            });
        }
        if op == hir::BinOp::Add && matches!(a.ty, Type::Tuple(_)) && matches!(b.ty, Type::Tuple(_))
        {
            return Ok(self.tuple_concat(a, b, span));
        }
        let (Some(sa), Some(sb)) = (a.ty.scalar(), b.ty.scalar()) else {
            let hint = if a.ty.array().is_some() || b.ty.array().is_some() {
                "whole-array arithmetic is not supported yet; loop over the elements"
            } else {
                "arithmetic operators apply to numbers"
            };
            return Err(bad(&a, &b, hint));
        };
        let Some(top) = tir_op(op) else {
            return Err(bad(&a, &b, "matrix multiplication applies to arrays"));
        };
        let python =
            self.req.flags.error_model == ErrorModel::Python && self.elementwise_depth == 0;
        if self.elementwise_depth > 0 && sa == Scalar::Bool && sb == Scalar::Bool {
            return self.bool_array_binary(top, a, b, span);
        }
        let both_bool = sa == Scalar::Bool && sb == Scalar::Bool;
        let t = if both_bool && matches!(top, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) {
            Scalar::Bool
        } else {
            common_scalar(arith(sa), arith(sb))
        };
        let ints = t.kind() <= Kind::Int;
        let result = |op, a, b, t: Scalar| {
            Ok(tir::Expr::new(
                TK::Binary(op, Box::new(a), Box::new(b)),
                Type::Scalar(t),
                span,
            ))
        };
        match top {
            BinOp::Add | BinOp::Sub | BinOp::Mul => {
                result(top, cast_scalar(a, t), cast_scalar(b, t), t)
            }
            BinOp::Div => {
                // Integers divide as floats: Python ints give a Python float.
                let ft = match t {
                    Scalar::PyInt => Scalar::PyFloat,
                    s if s.kind() <= Kind::Int => Scalar::F64,
                    s => s,
                };
                let id = if ints {
                    exc::ZERO_DIV_TRUE
                } else if t.is_complex() {
                    self.oracle.exception(ExcSpec::with_message(
                        "ZeroDivisionError",
                        "complex division by zero",
                    ))
                } else {
                    exc::ZERO_DIV_FLOAT
                };
                if t == Scalar::PyInt {
                    // Python ints divide exactly rounded; NumPy ints divide
                    // as doubles.
                    let b = if python {
                        guard(b, Check::NonZero, id)
                    } else {
                        b
                    };
                    let args = vec![cast_scalar(a, Scalar::I64), cast_scalar(b, Scalar::I64)];
                    return Ok(tir::Expr::new(
                        TK::Call(tir::Intrinsic::IntTrueDiv, args),
                        Type::Scalar(ft),
                        span,
                    ));
                }
                let b = cast_scalar(b, ft);
                let b = if python {
                    guard(b, Check::NonZero, id)
                } else {
                    b
                };
                result(BinOp::Div, cast_scalar(a, ft), b, ft)
            }
            BinOp::FloorDiv | BinOp::Mod => {
                if t.is_complex() {
                    return Err(bad(
                        &a,
                        &b,
                        "floor division and modulo are not defined for complex numbers",
                    ));
                }
                let id = match (top, ints) {
                    (BinOp::FloorDiv, true) => exc::ZERO_DIV_INT,
                    (_, true) => exc::ZERO_DIV_INT_MOD,
                    (BinOp::FloorDiv, false) => exc::ZERO_DIV_FLOAT_FLOOR,
                    _ => exc::ZERO_DIV_FLOAT_MOD,
                };
                let b = cast_scalar(b, t);
                let b = if python {
                    guard(b, Check::NonZero, id)
                } else {
                    b
                };
                result(top, cast_scalar(a, t), b, t)
            }
            BinOp::Pow => {
                if ints {
                    // Integer powers stay integers; a negative exponent has no
                    // integer result, so it raises (as NumPy does).
                    let e = guard(
                        cast_scalar(b, Scalar::I64),
                        Check::NonNegative,
                        exc::NEG_INT_POWER,
                    );
                    result(BinOp::Pow, cast_scalar(a, t), e, t)
                } else {
                    result(BinOp::Pow, cast_scalar(a, t), cast_scalar(b, t), t)
                }
            }
            BinOp::LShift | BinOp::RShift => {
                if !ints {
                    return Err(bad(&a, &b, "shifts apply to integers"));
                }
                let n = cast_scalar(b, Scalar::I64);
                let n = if python {
                    let id = self
                        .oracle
                        .exception(ExcSpec::with_message("ValueError", "negative shift count"));
                    guard(n, Check::NonNegative, id)
                } else {
                    n
                };
                result(top, cast_scalar(a, t), n, t)
            }
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
                if !ints {
                    return Err(bad(
                        &a,
                        &b,
                        "bitwise operators apply to integers and booleans",
                    ));
                }
                result(top, cast_scalar(a, t), cast_scalar(b, t), t)
            }
        }
    }
}

impl Checker<'_> {
    /// NumPy's arithmetic on two booleans: `+` is or, `*` is and, `-` is an
    /// error, and the integer operators compute in int8.
    fn bool_array_binary(
        &mut self,
        op: BinOp,
        a: tir::Expr,
        b: tir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        let as_bool = |op| {
            Ok(tir::Expr::new(
                TK::Binary(op, Box::new(a.clone()), Box::new(b.clone())),
                Type::BOOL,
                span,
            ))
        };
        match op {
            BinOp::Add | BinOp::BitOr => as_bool(BinOp::BitOr),
            BinOp::Mul | BinOp::BitAnd => as_bool(BinOp::BitAnd),
            BinOp::BitXor => as_bool(BinOp::BitXor),
            BinOp::Sub => Err(error(
                Code::BadOperand,
                span,
                "numpy boolean subtract, the `-` operator, is not supported",
                "use the bitwise_xor, the `^` operator, or the logical_xor function instead",
            )),
            BinOp::Div => {
                let (a, b) = (cast_scalar(a, Scalar::F64), cast_scalar(b, Scalar::F64));
                Ok(tir::Expr::new(
                    TK::Binary(BinOp::Div, Box::new(a), Box::new(b)),
                    Type::Scalar(Scalar::F64),
                    span,
                ))
            }
            _ => {
                let (a, b) = (cast_scalar(a, Scalar::I8), cast_scalar(b, Scalar::I8));
                let b = if matches!(op, BinOp::LShift | BinOp::RShift | BinOp::Pow) {
                    cast_scalar(b, Scalar::I64)
                } else {
                    b
                };
                Ok(tir::Expr::new(
                    TK::Binary(op, Box::new(a), Box::new(b)),
                    Type::Scalar(Scalar::I8),
                    span,
                ))
            }
        }
    }
}

pub(crate) fn guard(value: tir::Expr, check: Check, exc: u32) -> tir::Expr {
    if let TK::Const(c) = &value.kind {
        let ok = match (c, check) {
            (ConstValue::Int(i), Check::NonZero) => *i != 0,
            (ConstValue::Int(i), Check::NonNegative) => *i >= 0,
            (ConstValue::Float(x), Check::NonZero) => *x != 0.0,
            _ => false,
        };
        if ok {
            return value;
        }
    }
    let (ty, span) = (value.ty.clone(), value.span);
    tir::Expr::new(
        TK::Guard {
            value: Box::new(value),
            check,
            exc,
        },
        ty,
        span,
    )
}

/// "unsupported operand types for op: A and B".
pub(crate) fn bad_operands(
    op: hir::BinOp,
    a: &tir::Expr,
    b: &tir::Expr,
    span: Span,
    hint: &str,
) -> crate::check::Fail {
    error(
        Code::BadOperand,
        span,
        format!(
            "unsupported operand types for {}: {} and {}",
            op.symbol(),
            a.ty,
            b.ty
        ),
        hint.to_string(),
    )
}

//! Typing `prange` loops under `parallel=True`: the HIR analysis
//! (`oxjit_hir::analyse_prange`) finds the reductions and rejects
//! cross-iteration dependences; this module gives each reduction its
//! identity, a partial-result local and the typed statement that combines
//! two partial results.

use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, Reduction};
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK, StmtKind as TS};
use oxjit_types::{Kind, Scalar, Type};

use crate::check::{error, Checker, Fail, R};
use crate::expr::konst;

/// Whether `stmts` contain a loop: such bodies take uneven time per
/// iteration often enough that chunks are handed out dynamically.
fn has_loop(stmts: &[hir::Stmt]) -> bool {
    let mut found = false;
    hir::walk_stmts(stmts, &mut |s| {
        found |= matches!(
            s.kind,
            hir::StmtKind::For { .. } | hir::StmtKind::While { .. }
        )
    });
    found
}

/// The identity of `op` for values of type `s`.
fn identity(op: Reduction, s: Scalar, span: Span) -> R<tir::Expr> {
    let int = s.kind() <= Kind::Int;
    let bits = s.bits();
    let signed = s.is_signed();
    let (imax, imin): (i64, i64) = match (s.strong(), signed) {
        (Scalar::Bool, _) => (1, 0),
        (_, true) => (
            (u64::MAX >> (65 - bits)) as i64,
            -((u64::MAX >> (65 - bits)) as i64) - 1,
        ),
        (_, false) => ((u64::MAX >> (64 - bits)) as i64, 0),
    };
    let c = match (op, int) {
        (Reduction::Add | Reduction::BitOr | Reduction::BitXor, true) => ConstValue::Int(0),
        (Reduction::Mul, true) => ConstValue::Int(1),
        (Reduction::BitAnd, true) => {
            ConstValue::Int(if s.strong() == Scalar::Bool { 1 } else { -1 })
        }
        (Reduction::Min, true) => ConstValue::Int(imax),
        (Reduction::Max, true) => ConstValue::Int(imin),
        (Reduction::Add, false) if s.is_complex() => ConstValue::Complex(0.0, 0.0),
        (Reduction::Mul, false) if s.is_complex() => ConstValue::Complex(1.0, 0.0),
        (Reduction::Add, false) => ConstValue::Float(-0.0),
        (Reduction::Mul, false) => ConstValue::Float(1.0),
        (Reduction::Min, false) if !s.is_complex() => ConstValue::Float(f64::INFINITY),
        (Reduction::Max, false) if !s.is_complex() => ConstValue::Float(f64::NEG_INFINITY),
        _ => {
            return Err(error(
                Code::ParallelLoop,
                span,
                format!("this reduction is not defined for {s}"),
                "reduce integers with |, & and ^, and real numbers with min/max",
            ))
        }
    };
    let c = match (c, s.strong()) {
        (ConstValue::Int(v), Scalar::Bool) => ConstValue::Bool(v != 0),
        (c, _) => c,
    };
    Ok(konst(c, Type::Scalar(s), span))
}

/// The binary operation that combines partial results of `op` (not min/max).
fn binop(op: Reduction) -> (hir::BinOp, &'static str) {
    match op {
        Reduction::Add => (hir::BinOp::Add, "+"),
        Reduction::Mul => (hir::BinOp::Mul, "*"),
        Reduction::BitOr => (hir::BinOp::BitOr, "|"),
        Reduction::BitAnd => (hir::BinOp::BitAnd, "&"),
        Reduction::BitXor => (hir::BinOp::BitXor, "^"),
        Reduction::Min | Reduction::Max => unreachable!("min/max combine by comparison"),
    }
}

impl Checker<'_> {
    /// The parallel form of a typed `prange` loop over `body`.
    pub(crate) fn parallel_loop(
        &mut self,
        target: &hir::Target,
        body: &[hir::Stmt],
        span: Span,
    ) -> R<tir::Parallel> {
        let info = hir::analyse_prange(self.req.hir, target, body).map_err(Fail::Error)?;
        let mut reductions = Vec::new();
        for (hid, op) in info.reductions {
            let local = self.lid(hid);
            let Some(ty) = self.local_ty(local).cloned() else {
                return Err(Fail::Unknown(span));
            };
            let name = self.req.hir.local(hid).name.clone();
            let x = tir::Expr::new(TK::Local(local), ty.clone(), span);
            let partial = self.temp("partial", ty.clone());
            let p = tir::Expr::new(TK::Local(partial), ty.clone(), span);
            let (identity, combine, op_name) = match &ty {
                Type::Scalar(s) => {
                    let identity = identity(op, *s, span)?;
                    let (combined, op_name) = match op {
                        Reduction::Min => (self.min_max("min", vec![x, p], span)?, "min"),
                        Reduction::Max => (self.min_max("max", vec![x, p], span)?, "max"),
                        _ => {
                            let (bin, op_name) = binop(op);
                            (self.binary(bin, x, p, span)?, op_name)
                        }
                    };
                    let combined = self.coerce(combined, &ty);
                    (identity, tir::Stmt { kind: TS::Assign(local, combined), span }, op_name)
                }
                // Each chunk accumulates into a new array of the identity
                // shaped like its partial, the shared array, which the
                // combination updates in place.
                Type::Array(at)
                    if !matches!(op, Reduction::Min | Reduction::Max)
                        && at.layout != oxjit_types::Layout::F
                        && !info.rebound.contains(&hid) =>
                {
                    let value = identity(op, at.dtype, span)?;
                    let mut fresh = self.elementwise(vec![p.clone()], span, |_, _| Ok(value.clone()))?;
                    fresh.ty = ty.clone();
                    let (bin, op_name) = binop(op);
                    let update = self.array_inplace(bin, p, x, span)?;
                    (fresh, tir::Stmt { kind: TS::Expr(update), span }, op_name)
                }
                _ => {
                    return Err(error(
                        Code::ParallelLoop,
                        span,
                        if info.rebound.contains(&hid) && ty.array().is_some() {
                            format!("'{name}' is a reduction that assigns new {ty} values ({name} = {name} op ...), which prange does not support")
                        } else {
                            format!("'{name}' is a {op:?} reduction over {ty} values, which prange does not support")
                        },
                        format!("reduce numbers, or update a C-ordered array in place ({name} += ..., *=, |=, &=, ^=); or write each iteration's result to {name}[i] and combine after the loop"),
                    ))
                }
            };
            let combine = vec![combine];
            let name = op_name;
            reductions.push(tir::ParReduction {
                local,
                op: name,
                identity,
                partial,
                combine,
            });
        }
        Ok(tir::Parallel {
            reductions,
            dynamic: has_loop(body),
        })
    }
}

//! `numpy.random`: NumPy's legacy global-generator functions, drawn by the
//! runtime (one MT19937 stream per thread). Without `size` a draw is a
//! Python number, with it an array.

use super::{Call, Defs, Lowering};
use crate::check::{error, Checker, R};
use crate::expr::{cast_scalar, konst};
use crate::runtime_fns::{c_array, call};
use oxjit_abi::exc::ExcSpec;
use oxjit_diag::Code;
use oxjit_hir as hir;
use oxjit_tir::{self as tir, ConstValue, RuntimeFn};
use oxjit_types::{Kind, Scalar, Type};

/// Parameter `i` as a float64, `default` when absent.
fn float(ck: &mut Checker, c: &mut Call, i: usize) -> R<tir::Expr> {
    let x = c.expr(ck, i)?;
    match x.ty.scalar() {
        Some(s) if !s.is_complex() => Ok(cast_scalar(x, Scalar::F64)),
        _ => Err(error(
            Code::BadCall,
            x.span,
            format!("expected a real number, not {}", x.ty),
            "pass a number",
        )),
    }
}

fn int64(v: i64, c: &Call) -> tir::Expr {
    konst(ConstValue::Int(v), Type::Scalar(Scalar::I64), c.span)
}

pub(super) fn define(d: &mut Defs) {
    d.def("numpy.random.seed", "seed")
        .rule(Lowering::Runtime, |ck, c| {
            let s = ck.int_arg(c.hir(0).unwrap(), "seed")?;
            Ok(call(RuntimeFn::RandomSeed, vec![s], Type::None, c.span))
        });
    d.def("numpy.random.random", "size=None")
        .alias("numpy.random.random_sample")
        .alias("numpy.random.sample")
        .alias("numpy.random.ranf")
        .rule(Lowering::Runtime, |ck, c| {
            let ext = ck.size_extents(c.hir(0))?;
            Ok(ck.random(RuntimeFn::RandomSample, vec![], ext, false, c.span))
        });
    d.def("numpy.random.standard_normal", "size=None")
        .rule(Lowering::Runtime, |ck, c| {
            let ext = ck.size_extents(c.hir(0))?;
            Ok(ck.random(RuntimeFn::RandomNormal, vec![], ext, false, c.span))
        });
    for (f, func) in [
        ("rand", RuntimeFn::RandomSample),
        ("randn", RuntimeFn::RandomNormal),
    ] {
        d.def(format!("numpy.random.{f}"), "*dims")
            .rule(Lowering::Runtime, move |ck, c| {
                let ext = c
                    .rest
                    .iter()
                    .map(|a| ck.int_arg(a, "dimensions"))
                    .collect::<R<Vec<_>>>()?;
                Ok(ck.random(func, vec![], ext, false, c.span))
            });
    }
    d.def("numpy.random.uniform", "low=0.0, high=1.0, size=None")
        .rule(Lowering::Runtime, |ck, c| {
            let lo = float(ck, c, 0)?;
            let hi = float(ck, c, 1)?;
            let ext = ck.size_extents(c.hir(2))?;
            Ok(ck.random(RuntimeFn::RandomUniform, vec![lo, hi], ext, false, c.span))
        });
    d.def("numpy.random.normal", "loc=0.0, scale=1.0, size=None")
        .rule(Lowering::Runtime, normal);
    d.def("numpy.random.randint", "low, high=None, size=None")
        .rule(Lowering::Runtime, |ck, c| {
            let first = ck.int_arg(c.hir(0).unwrap(), "low")?;
            let (lo, hi) = match c.hir(1) {
                Some(h) => (first, ck.int_arg(h, "high")?),
                None => (int64(0, c), first),
            };
            let ext = ck.size_extents(c.hir(2))?;
            Ok(ck.random(RuntimeFn::RandomInt, vec![lo, hi], ext, true, c.span))
        });
    d.def("numpy.random.shuffle", "x")
        .rule(Lowering::Runtime, |ck, c| {
            let a = c.array(ck, 0)?;
            ck.writable(&a)?;
            Ok(call(RuntimeFn::RandomShuffle, vec![a], Type::None, c.span))
        });
    d.def("numpy.random.permutation", "x")
        .rule(Lowering::Runtime, |ck, c| {
            let x = ck.int_or_array(c.hir(0).unwrap(), "permutation", false)?;
            let ty = match x.ty.array() {
                Some(at) => c_array(at.dtype, at.ndim as usize),
                None => c_array(Scalar::I64, 1),
            };
            Ok(call(RuntimeFn::RandomPermutation, vec![x], ty, c.span))
        });
    d.def("numpy.random.choice", "a, size=None, replace=True, p=None")
        .rule(Lowering::Runtime, choice);
}

fn normal(ck: &mut Checker, c: &mut Call) -> R<tir::Expr> {
    let span = c.span;
    let loc = float(ck, c, 0)?;
    let scale = float(ck, c, 1)?;
    let negative = ck
        .oracle
        .exception(ExcSpec::with_message("ValueError", "scale < 0"));
    let scale = crate::ops::guard(scale, tir::Check::NonNegative, negative);
    let ext = ck.size_extents(c.hir(2))?;
    let z = ck.random(RuntimeFn::RandomNormal, vec![], ext, false, span);
    // loc + scale * z, as NumPy's legacy normal computes it.
    let lin = |ck: &mut Checker, mut p: Vec<tir::Expr>| -> R<tir::Expr> {
        let z = p.pop().unwrap();
        let s = p.pop().unwrap();
        let l = p.pop().unwrap();
        let sz = ck.binary(hir::BinOp::Mul, s, z, span)?;
        ck.binary(hir::BinOp::Add, l, sz, span)
    };
    if z.ty.array().is_some() {
        ck.elementwise(vec![loc, scale, z], span, lin)
    } else {
        let l = cast_scalar(loc, Scalar::PyFloat);
        let s = cast_scalar(scale, Scalar::PyFloat);
        lin(ck, vec![l, s, z])
    }
}

fn choice(ck: &mut Checker, c: &mut Call) -> R<tir::Expr> {
    let a = ck.int_or_array(c.hir(0).unwrap(), "choice", true)?;
    let dtype = a.ty.array().map_or(Scalar::I64, |at| at.dtype);
    let replace = c.expr(ck, 2)?;
    let replace = ck.truth(replace)?;
    let p = match c.hir(3) {
        None => int64(0, c),
        Some(e) => {
            let p = ck.expr(e)?;
            match p.ty.array() {
                Some(pt) if pt.ndim == 1 && pt.dtype.kind() == Kind::Float => p,
                _ => {
                    return Err(error(
                        Code::BadCall,
                        e.span,
                        format!("p must be a 1-d float array, not {}", p.ty),
                        "pass probabilities as a 1-d float64 array",
                    ))
                }
            }
        }
    };
    let ext = ck.size_extents(c.hir(1))?;
    // NumPy returns a Python int for an int population.
    let ty = match (ext.is_empty(), a.ty.scalar().is_some()) {
        (true, true) => Type::INT,
        (true, false) => Type::Scalar(dtype.strong()),
        (false, _) => c_array(dtype, ext.len()),
    };
    let mut params = vec![a, cast_scalar(replace, Scalar::I64), p];
    params.extend(ext);
    Ok(call(RuntimeFn::RandomChoice, params, ty, c.span))
}

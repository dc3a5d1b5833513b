//! Changing an array's shape or order: views (`reshape`, `transpose`,
//! `flip`), copies and conversions (`copy`, `astype`, `fill`), triangles
//! (`triu`, `tril`), and the runtime's joins (`concatenate`, `stack`,
//! `roll`, `tile`).

use super::{Call, Defs, Lowering};
use crate::check::{error, Checker, R};
use crate::expr::{cast_scalar, konst};
use oxjit_diag::Code;
use oxjit_hir::{self as hir, Const, ExprKind as HK};
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK, RuntimeFn, ViewDim};
use oxjit_types::{Kind, Scalar, Type};

/// `a.item()` of a one-element array, `a.item(i)` of a 1-d one, or
/// `a.item(i, j, ...)` with an index per dimension: the element as a
/// Python number, indices checked (and negative ones wrapped) as NumPy does.
fn item(ck: &mut Checker, c: &mut Call) -> R<tir::Expr> {
    let a = c.expr(ck, 0)?;
    let at = a.ty.array().unwrap();
    let span = c.span;
    let int = Type::Scalar(Scalar::I64);
    let indices = match c.rest.len() {
        0 => {
            // The first index is `guard(size == 1) - 1`, which is 0. The
            // array is evaluated first (it sets the shared temporary).
            let [a1, a2] = <[tir::Expr; 2]>::try_from(ck.shared(a, 2)).unwrap();
            let size = tir::Expr::new(TK::Call(tir::Intrinsic::Size, vec![a2]), int.clone(), span);
            let one = || konst(ConstValue::Int(1), int.clone(), span);
            let is_one = tir::Expr::new(
                TK::Compare(tir::CmpOp::Eq, Box::new(size), Box::new(one())),
                Type::BOOL,
                span,
            );
            let exc = ck.oracle.exception(oxjit_abi::exc::ExcSpec::with_message(
                "ValueError",
                "can only convert an array of size 1 to a Python scalar",
            ));
            let checked =
                crate::ops::guard(cast_scalar(is_one, Scalar::I64), tir::Check::NonZero, exc);
            let first = tir::Expr::new(
                TK::Binary(tir::BinOp::Sub, Box::new(checked), Box::new(one())),
                int.clone(),
                span,
            );
            let zeros = (1..at.ndim).map(|_| konst(ConstValue::Int(0), int.clone(), span));
            return Ok(element(
                a1,
                std::iter::once(first).chain(zeros).collect(),
                span,
            ));
        }
        n if n == at.ndim as usize => c
            .rest
            .iter()
            .map(|e| ck.int_arg(e, "an index"))
            .collect::<R<Vec<_>>>()?,
        _ => {
            return Err(error(
                Code::BadCall,
                span,
                format!(
                    "a.item() of an array of {} dimension(s) takes no index or one per dimension",
                    at.ndim
                ),
                "pass an index per dimension, e.g. a.item(i, j)",
            ))
        }
    };
    Ok(element(a, indices, span))
}

/// The bounds-checked element of `a` at `indices`, as a Python number.
fn element(a: tir::Expr, indices: Vec<tir::Expr>, span: oxjit_diag::Span) -> tir::Expr {
    let s = a.ty.array().unwrap().dtype;
    let e = tir::Expr::new(
        TK::Index {
            array: Box::new(a),
            indices,
            boundscheck: true,
        },
        Type::Scalar(s),
        span,
    );
    let python = match s.kind() {
        Kind::Bool => Scalar::Bool,
        Kind::Int => Scalar::PyInt,
        Kind::Float => Scalar::PyFloat,
        Kind::Complex => Scalar::PyComplex,
    };
    cast_scalar(e, python)
}

fn minus_one(c: &Call) -> tir::Expr {
    konst(ConstValue::Int(-1), Type::Scalar(Scalar::I64), c.span)
}

pub(super) fn define(d: &mut Defs) {
    d.def("numpy.reshape", "a, /, shape")
        .rule(Lowering::View, |ck, c| {
            let a = c.array(ck, 0)?;
            let shape = ck.shape_arg(c.hir(1).unwrap())?;
            ck.reshape(a, shape, c.span)
        });
    d.def("ndarray.reshape", "self, /, *shape")
        .rule(Lowering::View, |ck, c| {
            let a = c.expr(ck, 0)?;
            let shape = match c.rest {
                [one] => ck.shape_arg(one)?,
                many => many
                    .iter()
                    .map(|x| ck.int_arg(x, "reshape dimensions"))
                    .collect::<R<_>>()?,
            };
            ck.reshape(a, shape, c.span)
        });
    d.def("numpy.ravel", "a, order='C'")
        .method()
        .rule(Lowering::View, |ck, c| {
            check_order(c, 1, &["C"])?;
            let a = c.array(ck, 0)?;
            let m = minus_one(c);
            ck.reshape(a, vec![m], c.span)
        });
    d.def("ndarray.flatten", "self, /, order='C'")
        .rule(Lowering::Creation, |ck, c| {
            check_order(c, 1, &["C"])?;
            let a = c.expr(ck, 0)?;
            let copy = ck.copy(a, c.span)?;
            let m = minus_one(c);
            ck.reshape(copy, vec![m], c.span)
        });
    d.def("numpy.transpose", "a, axes=None")
        .rule(Lowering::View, |ck, c| {
            let a = c.array(ck, 0)?;
            let axes: Vec<&hir::Expr> = match c.hir(1).map(|e| &e.kind) {
                None => vec![],
                Some(HK::Tuple(xs)) => xs.iter().collect(),
                Some(_) => vec![c.hir(1).unwrap()],
            };
            transpose(ck, a, &axes, c)
        });
    d.def("ndarray.transpose", "self, /, *axes")
        .rule(Lowering::View, |ck, c| {
            let a = c.expr(ck, 0)?;
            let axes: Vec<&hir::Expr> = match c.rest {
                [one] => match &one.kind {
                    HK::Tuple(xs) => xs.iter().collect(),
                    _ => vec![one],
                },
                many => many.iter().collect(),
            };
            transpose(ck, a, &axes, c)
        });
    d.def("ndarray.copy", "self, /, order='C'")
        .rule(Lowering::Creation, |ck, c| {
            check_order(c, 1, &["C", "K", "A"])?;
            let a = c.expr(ck, 0)?;
            ck.copy(a, c.span)
        });
    d.def("ndarray.astype", "self, /, dtype")
        .rule(Lowering::Creation, |ck, c| {
            let a = c.expr(ck, 0)?;
            let dtype = ck.dtype_arg(c.hir(1), a.ty.array().unwrap().dtype)?;
            ck.astype(a, dtype, c.span)
        });
    d.def("ndarray.item", "self, /, *args")
        .rule(Lowering::Inline, item);
    d.def("ndarray.fill", "self, /, value")
        .rule(Lowering::Elementwise, |ck, c| {
            let a = c.expr(ck, 0)?;
            let v = c.expr(ck, 1)?;
            ck.assign_into(a, v, c.span)
        });
    d.def("numpy.flip", "m, axis=None")
        .rule(Lowering::View, |ck, c| {
            let a = c.array(ck, 0)?;
            let ndim = a.ty.array().unwrap().ndim;
            let axes = match c.hir(1) {
                None => (0..ndim as usize).collect(),
                Some(e) => match &e.kind {
                    HK::Tuple(xs) => xs.iter().map(|x| ck.axis(x, ndim)).collect::<R<Vec<_>>>()?,
                    _ => vec![ck.axis(e, ndim)?],
                },
            };
            Ok(flip(ck, a, &axes, c))
        });
    for (f, axis) in [("flipud", 0), ("fliplr", 1)] {
        d.def(format!("numpy.{f}"), "m")
            .rule(Lowering::View, move |ck, c| {
                let a = c.array(ck, 0)?;
                let ndim = a.ty.array().unwrap().ndim as usize;
                if ndim <= axis {
                    return Err(error(
                        Code::BadCall,
                        a.span,
                        format!(
                            "{}() needs an array of at least {} dimension(s), not {}",
                            c.name,
                            axis + 1,
                            a.ty
                        ),
                        if axis == 0 {
                            "pass an array"
                        } else {
                            "use np.flip for 1-d arrays"
                        },
                    ));
                }
                Ok(flip(ck, a, &[axis], c))
            });
    }
    for (f, upper) in [("triu", true), ("tril", false)] {
        d.def(format!("numpy.{f}"), "m, k=0")
            .rule(Lowering::Elementwise, move |ck, c| {
                let m = c.array(ck, 0)?;
                let nd = m.ty.array().unwrap().ndim as usize;
                if nd < 2 {
                    return Err(error(
                        Code::BadCall,
                        m.span,
                        format!(
                            "{}() needs an array of at least 2 dimensions, not {}",
                            c.name, m.ty
                        ),
                        "pass a matrix (or a stack of matrices)",
                    ));
                }
                let k = ck.int_arg(c.hir(1).unwrap(), "k")?;
                let span = c.span;
                ck.elementwise(vec![m, k], span, move |_, mut p| {
                    // Kept where column - row is at least k (triu) or at most k (tril).
                    let k = p.pop().unwrap();
                    let x = p.pop().unwrap();
                    let int = Type::Scalar(Scalar::I64);
                    let idx = |d| tir::Expr::new(TK::ElemIndex(d), int.clone(), span);
                    let diff = tir::Expr::new(
                        TK::Binary(
                            tir::BinOp::Sub,
                            Box::new(idx(nd - 1)),
                            Box::new(idx(nd - 2)),
                        ),
                        int.clone(),
                        span,
                    );
                    let op = if upper {
                        tir::CmpOp::Ge
                    } else {
                        tir::CmpOp::Le
                    };
                    let keep = tir::Expr::new(
                        TK::Compare(op, Box::new(diff), Box::new(k)),
                        Type::BOOL,
                        span,
                    );
                    let s = x.ty.scalar().unwrap();
                    let zero = cast_scalar(konst(ConstValue::Int(0), Type::INT, span), s);
                    let ty = x.ty.clone();
                    Ok(tir::Expr::new(
                        TK::IfExp(Box::new(keep), Box::new(x), Box::new(zero)),
                        ty,
                        span,
                    ))
                })
            });
    }
    d.def("numpy.outer", "a, b")
        .rule(Lowering::Elementwise, |ck, c| {
            // a.ravel()[:, None] * b.ravel()[None, :]
            let full = || ViewDim::Slice {
                start: None,
                stop: None,
                step: None,
            };
            let column = |ck: &mut Checker, c: &mut Call, i: usize, dims: Vec<ViewDim>| {
                let a = c.array(ck, i)?;
                let flat = ck.reshape(a, vec![minus_one(c)], c.span)?;
                Ok::<_, crate::check::Fail>(ck.view_of(flat, dims, 1, c.span))
            };
            let a = column(ck, c, 0, vec![full(), ViewDim::NewAxis])?;
            let b = column(ck, c, 1, vec![ViewDim::NewAxis, full()])?;
            ck.binary(hir::BinOp::Mul, a, b, c.span)
        });
    for (f, params) in [
        ("concatenate", "arrays, /, axis=0"),
        ("stack", "arrays, axis=0"),
    ] {
        d.def(format!("numpy.{f}"), params)
            .rule(Lowering::Runtime, move |ck, c| join(ck, c, f));
    }
    for f in ["vstack", "hstack"] {
        d.def(format!("numpy.{f}"), "tup")
            .rule(Lowering::Runtime, move |ck, c| join(ck, c, f));
    }
    d.def("numpy.roll", "a, shift")
        .rule(Lowering::Runtime, |ck, c| {
            let a = c.array(ck, 0)?;
            let s = ck.int_arg(c.hir(1).unwrap(), "shift")?;
            let at = a.ty.array().unwrap();
            Ok(crate::runtime_fns::call(
                RuntimeFn::Roll,
                vec![a, s],
                crate::runtime_fns::c_array(at.dtype, at.ndim as usize),
                c.span,
            ))
        });
    d.def("numpy.tile", "A, reps")
        .rule(Lowering::Runtime, |ck, c| {
            let a = c.array(ck, 0)?;
            let reps = ck.shape_arg(c.hir(1).unwrap())?;
            let at = a.ty.array().unwrap();
            let nd = (at.ndim as usize).max(reps.len());
            let count = konst(
                ConstValue::Int(reps.len() as i64),
                Type::Scalar(Scalar::I64),
                c.span,
            );
            let mut params = vec![a, count];
            params.extend(reps);
            Ok(crate::runtime_fns::call(
                RuntimeFn::Tile,
                params,
                crate::runtime_fns::c_array(at.dtype, nd),
                c.span,
            ))
        });
}

/// Parameter `i`, an `order=` argument, must be one of `allowed` (the
/// orders whose result has the values in C order, as compiled code makes it).
pub(super) fn check_order(c: &Call, i: usize, allowed: &[&str]) -> R<()> {
    let Some(e) = c.hir(i) else { return Ok(()) };
    match &e.kind {
        HK::Const(Const::Str(s)) if allowed.contains(&s.as_str()) => Ok(()),
        _ => Err(error(
            Code::BadCall,
            e.span,
            format!(
                "{}() supports order={} only",
                c.name,
                allowed
                    .iter()
                    .map(|o| format!("'{o}'"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            "leave out order=; compiled code makes C-ordered results",
        )),
    }
}

/// `a` with its dimensions permuted by constant `axes` (reversed if none).
fn transpose(ck: &mut Checker, a: tir::Expr, axes: &[&hir::Expr], c: &Call) -> R<tir::Expr> {
    let ndim = a.ty.array().unwrap().ndim;
    if axes.is_empty() {
        let reversed = (0..ndim as usize).rev().collect();
        return Ok(ck.transpose(a, reversed, c.span));
    }
    let axes = axes
        .iter()
        .map(|x| ck.axis(x, ndim))
        .collect::<R<Vec<usize>>>()?;
    let mut sorted = axes.clone();
    sorted.sort_unstable();
    if !sorted.iter().copied().eq(0..ndim as usize) {
        return Err(error(
            Code::BadCall,
            c.span,
            "axes don't match array",
            "pass a permutation of the dimensions",
        ));
    }
    Ok(ck.transpose(a, axes, c.span))
}

/// A view of `a` reversed along `axes`: each a `::-1` slice.
fn flip(ck: &mut Checker, a: tir::Expr, axes: &[usize], c: &Call) -> tir::Expr {
    let ndim = a.ty.array().unwrap().ndim as usize;
    let dims = (0..ndim)
        .map(|d| ViewDim::Slice {
            start: None,
            stop: None,
            step: axes.contains(&d).then(|| minus_one(c)),
        })
        .collect();
    ck.view_of(a, dims, ndim, c.span)
}

/// `concatenate`, `stack`, `vstack`, `hstack` of a tuple of arrays of one
/// dtype and ndim.
fn join(ck: &mut Checker, c: &mut Call, f: &str) -> R<tir::Expr> {
    // A list display of arrays is taken as the tuple of its items.
    let t = match c.hir(0).map(|e| (&e.kind, e.span)) {
        Some((HK::List(items), span)) => ck.expr(&hir::Expr {
            kind: HK::Tuple(items.clone()),
            span,
        })?,
        _ => c.expr(ck, 0)?,
    };
    let Type::Tuple(items) = t.ty.clone() else {
        return Err(error(
            Code::BadCall,
            t.span,
            format!("{}() takes a tuple of arrays, not {}", c.name, t.ty),
            "pass (a, b, ...)",
        ));
    };
    let Some(first) = items.first().and_then(Type::array) else {
        return Err(error(
            Code::BadCall,
            t.span,
            format!("{}() takes a tuple of arrays", c.name),
            "pass (a, b, ...)",
        ));
    };
    if items.iter().any(|i| {
        i.array()
            .is_none_or(|x| x.dtype != first.dtype || x.ndim != first.ndim)
    }) {
        return Err(error(
            Code::BadCall,
            t.span,
            format!(
                "{}() needs arrays of one dtype and ndim, not {}",
                c.name, t.ty
            ),
            "convert them with .astype(...) first",
        ));
    }
    let axis = match f {
        "vstack" => 0,
        "hstack" => (first.ndim != 1) as i64,
        _ => ck.const_arg(c.hir(1).unwrap(), "axis")?,
    };
    let axis = konst(ConstValue::Int(axis), Type::Scalar(Scalar::I64), c.span);
    // vstack takes 1-d arrays as rows.
    let stacks = f == "stack" || (f == "vstack" && first.ndim == 1);
    let (func, nd) = if stacks {
        (RuntimeFn::Stack, first.ndim as usize + 1)
    } else {
        (RuntimeFn::Concatenate, first.ndim as usize)
    };
    Ok(tir::Expr::new(
        TK::RuntimeCall {
            func,
            args: vec![t, axis],
        },
        crate::runtime_fns::c_array(first.dtype, nd),
        c.span,
    ))
}

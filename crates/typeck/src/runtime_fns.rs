//! The typing of NumPy operations implemented by runtime array functions
//! (`RuntimeCall`): sorting, boolean-mask and integer-array indexing,
//! `nonzero`, scans, `dot`/`@` and `np.random` draws. The library entries
//! that call them are in `library`.

use crate::check::{error, Checker, R};
use crate::expr::{cast_scalar, konst};
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, Const, ExprKind as HK};
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK, RuntimeFn};
use oxjit_types::{ArrayType, Kind, Layout, Scalar, Type};

pub(crate) fn c_array(dtype: Scalar, ndim: usize) -> Type {
    Type::Array(ArrayType::new(dtype.strong(), ndim as u8, Layout::C))
}

pub(crate) fn call(func: RuntimeFn, args: Vec<tir::Expr>, ty: Type, span: Span) -> tir::Expr {
    tir::Expr::new(TK::RuntimeCall { func, args }, ty, span)
}

/// The accumulation dtype of `sum`-like operations.
pub(crate) fn sum_dtype(d: Scalar) -> Scalar {
    use Scalar::*;
    match d {
        Bool | I8 | I16 | I32 => I64,
        U8 | U16 | U32 => U64,
        d => d,
    }
}

impl Checker<'_> {
    /// `a[mask]` / `a[index_array]` reads; `None` if `index` is no array.
    pub fn fancy_index(
        &mut self,
        base: tir::Expr,
        index: &tir::Expr,
        span: Span,
    ) -> R<Option<tir::Expr>> {
        let (Some(a), Some(ix)) = (base.ty.array(), index.ty.array()) else {
            return Ok(None);
        };
        if ix.dtype == Scalar::Bool {
            if ix.ndim != a.ndim {
                return Err(error(
                    Code::BadIndex,
                    index.span,
                    format!(
                        "a boolean index must have the array's {} dimensions, not {}",
                        a.ndim, ix.ndim
                    ),
                    "index with a mask of the array's shape",
                ));
            }
            return Ok(Some(call(
                RuntimeFn::Compress,
                vec![base, index.clone()],
                c_array(a.dtype, 1),
                span,
            )));
        }
        if ix.dtype.is_int() && ix.ndim == 1 {
            return Ok(Some(call(
                RuntimeFn::Take,
                vec![base, index.clone()],
                c_array(a.dtype, a.ndim as usize),
                span,
            )));
        }
        Err(error(
            Code::BadIndex,
            index.span,
            format!("indexing with {} is not supported", index.ty),
            "index with a boolean mask of the array's shape or a 1-d integer array",
        ))
    }

    /// `a[mask] = value` / `a[index_array] = value`; `None` if `index` is no array.
    pub fn fancy_assign(
        &mut self,
        base: tir::Expr,
        index: &tir::Expr,
        value: tir::Expr,
        span: Span,
    ) -> R<Option<tir::Expr>> {
        let (Some(a), Some(ix)) = (base.ty.array(), index.ty.array()) else {
            return Ok(None);
        };
        self.writable(&base)?;
        let value = match value.ty.clone() {
            Type::Scalar(_) => cast_scalar(value, a.dtype),
            Type::Array(v) if v.ndim == 1 => {
                if v.dtype != a.dtype {
                    self.elementwise(vec![value], span, |_, mut p| {
                        Ok(cast_scalar(p.remove(0), a.dtype))
                    })?
                } else {
                    value
                }
            }
            t => {
                return Err(error(
                    Code::BadOperand,
                    value.span,
                    format!("cannot assign {t} through an index array"),
                    "assign a number or a 1-d array",
                ))
            }
        };
        if ix.dtype == Scalar::Bool && ix.ndim == a.ndim {
            // The runtime checks the mask's shape, as NumPy does.
            return Ok(Some(call(
                RuntimeFn::MaskAssign,
                vec![base, index.clone(), value],
                Type::None,
                span,
            )));
        }
        if ix.dtype.is_int() && ix.ndim == 1 && a.ndim == 1 {
            return Ok(Some(call(
                RuntimeFn::TakeAssign,
                vec![base, index.clone(), value],
                Type::None,
                span,
            )));
        }
        Err(error(
            Code::BadIndex,
            index.span,
            format!("assigning through {} is not supported", index.ty),
            "use a boolean mask of the array's shape or a 1-d integer array",
        ))
    }

    /// `np.dot(a, b)`, and with `matmul` `a @ b` / `np.matmul` (which
    /// differ only in their shape-mismatch message for these arrays).
    pub fn dot(&mut self, a: tir::Expr, b: tir::Expr, matmul: bool, span: Span) -> R<tir::Expr> {
        let (Some(x), Some(y)) = (a.ty.array(), b.ty.array()) else {
            return Err(error(
                Code::BadOperand,
                span,
                format!("matrix products take arrays, not {} and {}", a.ty, b.ty),
                "use * for scalars",
            ));
        };
        let dtype = oxjit_types::common_scalar(x.dtype, y.dtype);
        if dtype.kind() < Kind::Float || x.ndim > 2 || y.ndim > 2 {
            return Err(error(
                Code::BadOperand,
                span,
                format!("dot products of {} and {} are not supported", a.ty, b.ty),
                "use 1-d or 2-d arrays of float or complex dtype (convert with .astype(np.float64))",
            ));
        }
        let conv = |ck: &mut Self, e: tir::Expr, d: Scalar| -> R<tir::Expr> {
            if e.ty.array().unwrap().dtype == dtype {
                Ok(e)
            } else {
                ck.elementwise(vec![e], span, |_, mut p| Ok(cast_scalar(p.remove(0), d)))
            }
        };
        let a = conv(self, a, dtype)?;
        let b = conv(self, b, dtype)?;
        let ty = match (x.ndim, y.ndim) {
            (1, 1) => Type::Scalar(dtype),
            (2, 2) => c_array(dtype, 2),
            _ => c_array(dtype, 1),
        };
        let matmul = konst(
            ConstValue::Int(matmul as i64),
            Type::Scalar(Scalar::I64),
            span,
        );
        Ok(call(RuntimeFn::Dot, vec![a, b, matmul], ty, span))
    }

    /// The extents of a `size=` argument: absent/None → none (a scalar result).
    pub(crate) fn size_extents(&mut self, e: Option<&hir::Expr>) -> R<Vec<tir::Expr>> {
        match e {
            None => Ok(vec![]),
            Some(e) if matches!(e.kind, HK::Const(Const::None)) => Ok(vec![]),
            Some(e) => self.shape_arg(e),
        }
    }

    /// A random draw: a Python number without extents, else an array.
    pub(crate) fn random(
        &mut self,
        func: RuntimeFn,
        mut params: Vec<tir::Expr>,
        extents: Vec<tir::Expr>,
        int: bool,
        span: Span,
    ) -> tir::Expr {
        let n = extents.len();
        params.extend(extents);
        let ty = match (n, int) {
            (0, false) => Type::FLOAT,
            (0, true) => Type::INT,
            (n, false) => c_array(Scalar::F64, n),
            (n, true) => c_array(Scalar::I64, n),
        };
        call(func, params, ty, span)
    }

    /// The population argument of `random.permutation`/`choice`: an int
    /// (as `int64`) or an array (1-d if `one_d`).
    pub(crate) fn int_or_array(&mut self, e: &hir::Expr, f: &str, one_d: bool) -> R<tir::Expr> {
        let x = self.expr(e)?;
        match x.ty.clone() {
            Type::Array(at) if !one_d || at.ndim == 1 => Ok(x),
            Type::Scalar(s) if s.kind() <= Kind::Int => Ok(cast_scalar(x, Scalar::I64)),
            t => {
                let what = if one_d {
                    "an int or a 1-d array"
                } else {
                    "an int or an array"
                };
                Err(error(
                    Code::BadCall,
                    x.span,
                    format!("{f}() takes {what}, not {t}"),
                    format!("pass {what}"),
                ))
            }
        }
    }

    pub fn sort(&mut self, f: &str, a: tir::Expr, span: Span) -> R<tir::Expr> {
        let at = a.ty.array().unwrap();
        if f == "argsort" {
            if at.ndim != 1 {
                return Err(error(
                    Code::BadCall,
                    span,
                    "argsort of arrays with more than one dimension is not supported yet",
                    "argsort a 1-d array",
                ));
            }
            return Ok(call(
                RuntimeFn::ArgSort,
                vec![a],
                c_array(Scalar::I64, 1),
                span,
            ));
        }
        Ok(call(
            RuntimeFn::Sort,
            vec![a],
            c_array(at.dtype, at.ndim as usize),
            span,
        ))
    }

    pub fn nonzero(&mut self, a: tir::Expr, flat: bool, span: Span) -> R<tir::Expr> {
        let at = a.ty.array().unwrap();
        if flat {
            let minus1 = konst(ConstValue::Int(-1), Type::Scalar(Scalar::I64), span);
            let ravel = tir::Expr::new(
                TK::Reshape {
                    array: Box::new(self.contiguous(a, span)?),
                    shape: vec![minus1],
                },
                c_array(at.dtype, 1),
                span,
            );
            let t = call(
                RuntimeFn::Nonzero,
                vec![ravel],
                Type::Tuple(vec![c_array(Scalar::I64, 1)]),
                span,
            );
            return Ok(tir::Expr::new(
                TK::TupleGet(Box::new(t), 0),
                c_array(Scalar::I64, 1),
                span,
            ));
        }
        Ok(call(
            RuntimeFn::Nonzero,
            vec![a],
            Type::Tuple(vec![c_array(Scalar::I64, 1); at.ndim as usize]),
            span,
        ))
    }

    pub fn scan(
        &mut self,
        f: &str,
        a: tir::Expr,
        axis: Option<&hir::Expr>,
        span: Span,
    ) -> R<tir::Expr> {
        let at = a.ty.array().unwrap();
        let func = if f == "cumsum" {
            RuntimeFn::CumSum
        } else {
            RuntimeFn::CumProd
        };
        let dtype = sum_dtype(at.dtype);
        match axis {
            Some(e) if !matches!(e.kind, HK::Const(Const::None)) => {
                let k = self.axis(e, at.ndim)?;
                let k = konst(ConstValue::Int(k as i64), Type::Scalar(Scalar::I64), span);
                Ok(call(
                    func,
                    vec![a, k],
                    c_array(dtype, at.ndim as usize),
                    span,
                ))
            }
            _ => Ok(call(func, vec![a], c_array(dtype, 1), span)),
        }
    }
}

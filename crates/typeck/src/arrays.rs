//! Arrays as values: elementwise expressions (operators, comparisons and
//! NumPy functions over arrays, fused into one `Elementwise` node as they are
//! typed), array creation, views (slicing, `newaxis`, `.T`, `reshape`),
//! slice assignment and in-place operators, and reductions.
//!
//! One mechanism serves every elementwise operation: `elementwise` turns the
//! operands into inputs (absorbing operands that are themselves fusable
//! `Elementwise` nodes) and types the *scalar* operation on element proxies
//! with the ordinary scalar rules, under NumPy's error model.

use crate::check::{error, Checker, R};
use crate::expr::{cast_scalar, konst};
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, Const, ExprKind as HK, Value};
use oxjit_tir::{self as tir, ConstValue, ExprKind as TK, Intrinsic, ReduceOp, ViewDim};
use oxjit_types::{parse_type, ArrayType, Kind, Layout, Scalar, Type};

fn array_ty(dtype: Scalar, ndim: usize, layout: Layout) -> Type {
    Type::Array(ArrayType::new(dtype.strong(), ndim as u8, layout))
}

/// The type of a view of `of`: read-only if `of` is.
fn view_ty(of: ArrayType, ndim: usize, layout: Layout) -> Type {
    Type::Array(ArrayType {
        readonly: of.readonly,
        ..ArrayType::new(of.dtype, ndim as u8, layout)
    })
}

/// NumPy's 'same_kind' casting: no cast to a lower kind, nor signed to
/// unsigned integers.
pub(crate) fn same_kind(from: Scalar, to: Scalar) -> bool {
    let signed_to_unsigned = from.is_int() && from.is_signed() && to.is_int() && !to.is_signed();
    from.kind() <= to.kind() && !signed_to_unsigned
}

/// Whether an expression takes part in elementwise typing as an array.
pub(crate) fn is_arrayish(e: &tir::Expr) -> bool {
    e.ty.array().is_some()
}

/// Renumbers the inputs of a fused body (whose array-valued nodes, never
/// inside a scalar body, have inputs of their own).
fn shift_inputs(e: &mut tir::Expr, by: usize) {
    if let TK::ElemInput(k) = &mut e.kind {
        *k += by;
    } else if e.ty.array().is_none() {
        e.children_mut()
            .into_iter()
            .for_each(|c| shift_inputs(c, by));
    }
}

/// The element of `np.empty`/`zeros`/`ones` (and their `_like` forms) of `dtype`.
/// A compile-time dtype argument: `np.float64`, `float`, `"f8"`, `np.dtype(...)`.
/// The type a type argument stands for: a scalar type (as `dtype_of`
/// reads it) or a Numba-style type object (`types.unicode_type`).
pub(crate) fn type_value(e: &hir::Expr) -> Option<Type> {
    if let HK::Global(Value::Type(t)) = &e.kind {
        return parse_type(t).ok();
    }
    dtype_of(e).map(Type::Scalar)
}

pub(crate) fn dtype_of(e: &hir::Expr) -> Option<Scalar> {
    match &e.kind {
        HK::Call { func, args, kwargs } if kwargs.is_empty() && args.len() == 1 => match &func.kind
        {
            HK::Global(Value::Function(n)) if n == "numpy.dtype" => dtype_of(&args[0]),
            _ => None,
        },
        HK::Global(Value::Function(n)) => match n.as_str() {
            "builtins.float" => Some(Scalar::F64),
            "builtins.int" => Some(Scalar::I64),
            "builtins.bool" => Some(Scalar::Bool),
            "builtins.complex" => Some(Scalar::C128),
            n => n
                .strip_prefix("numpy.")
                .and_then(|t| parse_type(t).ok())
                .and_then(|t| t.scalar()),
        },
        HK::Global(Value::Type(t)) => parse_type(t).ok().and_then(|t| t.scalar()),
        HK::Const(Const::Str(s)) => parse_type(s).ok().and_then(|t| t.scalar()).or_else(|| {
            if s.len() == 1 {
                Scalar::from_numpy_char(s.as_bytes()[0])
            } else {
                None
            }
        }),
        _ => None,
    }
}

impl Checker<'_> {
    /// A dtype argument: written literally (`np.float64`, `float`, `"f8"`,
    /// `np.dtype(...)`) or any expression whose value is a dtype or scalar
    /// type (`a.dtype`, a variable holding `np.float32`).
    pub(crate) fn dtype_arg(&mut self, e: Option<&hir::Expr>, default: Scalar) -> R<Scalar> {
        let e = match e {
            None => return Ok(default),
            Some(e) if matches!(e.kind, HK::Const(Const::None)) => return Ok(default),
            Some(e) => e,
        };
        if let Some(s) = dtype_of(e) {
            return Ok(s);
        }
        let bad = |what: String| {
            error(
                Code::BadCall,
                e.span,
                format!("dtype must be a NumPy type, such as np.float64, float, \"int32\" or a.dtype{what}"),
                "compiled code fixes dtypes at compile time: pass a type, not a value computed at run time",
            )
        };
        if let HK::Const(Const::Str(s)) = &e.kind {
            return Err(error(
                Code::BadCall,
                e.span,
                format!("data type {s:?} not understood"),
                "name a NumPy type, such as \"float64\", \"f8\" or \"int32\"",
            ));
        }
        if matches!(e.kind, HK::Const(_)) {
            return Err(bad(String::new()));
        }
        let x = self.expr(e)?;
        x.ty.dtype_value()
            .ok_or_else(|| bad(format!(", not a value of type {}", x.ty)))
    }

    /// A constant integer argument (an axis, `k` of `eye`).
    pub(crate) fn const_arg(&self, e: &hir::Expr, what: &str) -> R<i64> {
        crate::expr::const_int(e).ok_or_else(|| {
            error(
                Code::BadCall,
                e.span,
                format!("{what} must be a constant integer"),
                "write the value literally",
            )
        })
    }

    /// An `int64` scalar argument.
    pub(crate) fn int_arg(&mut self, e: &hir::Expr, what: &str) -> R<tir::Expr> {
        let x = self.expr(e)?;
        match x.ty.scalar() {
            Some(s) if s.kind() <= Kind::Int => Ok(cast_scalar(x, Scalar::I64)),
            _ => Err(error(
                Code::BadCall,
                e.span,
                format!("{what} must be an integer, not {}", x.ty),
                "pass an int",
            )),
        }
    }

    /// Evaluates a value once: the first returned expression sets a
    /// temporary, the following ones read it.
    pub(crate) fn shared(&mut self, e: tir::Expr, uses: usize) -> Vec<tir::Expr> {
        if matches!(e.kind, TK::Local(_) | TK::Const(_)) || uses <= 1 {
            return vec![e; uses];
        }
        let (ty, span) = (e.ty.clone(), e.span);
        let tmp = self.temp("shared", ty.clone());
        let mut out = vec![tir::Expr::new(
            TK::SetLocal(tmp, Box::new(e)),
            ty.clone(),
            span,
        )];
        out.extend((1..uses).map(|_| tir::Expr::new(TK::Local(tmp), ty.clone(), span)));
        out
    }

    /// The `int64` extents of a shape argument: an int or a tuple of ints.
    pub(crate) fn shape_arg(&mut self, e: &hir::Expr) -> R<Vec<tir::Expr>> {
        let x = self.expr(e)?;
        match x.ty.clone() {
            Type::Scalar(s) if s.kind() <= Kind::Int => Ok(vec![cast_scalar(x, Scalar::I64)]),
            Type::Tuple(items)
                if items
                    .iter()
                    .all(|t| t.scalar().is_some_and(|s| s.kind() <= Kind::Int)) =>
            {
                let n = items.len();
                let parts: Vec<tir::Expr> = match x.kind {
                    TK::Tuple(xs) => xs,
                    _ => {
                        let span = x.span;
                        self.shared(x, n)
                            .into_iter()
                            .zip(items)
                            .enumerate()
                            .map(|(i, (t, ty))| {
                                tir::Expr::new(TK::TupleGet(Box::new(t), i), ty, span)
                            })
                            .collect()
                    }
                };
                Ok(parts
                    .into_iter()
                    .map(|p| cast_scalar(p, Scalar::I64))
                    .collect())
            }
            t => Err(error(
                Code::BadCall,
                e.span,
                format!("a shape must be an int or a tuple of ints, not {t}"),
                "pass e.g. 5 or (3, 4)",
            )),
        }
    }

    /// The extents of an array (evaluated once).
    pub(crate) fn dims_of(&mut self, a: tir::Expr) -> Vec<tir::Expr> {
        let nd = a.ty.array().unwrap().ndim as usize;
        let span = a.span;
        self.shared(a, nd.max(1))
            .into_iter()
            .take(nd)
            .enumerate()
            .map(|(k, a)| {
                tir::Expr::new(
                    TK::Call(Intrinsic::Dim(k), vec![a]),
                    Type::Scalar(Scalar::I64),
                    span,
                )
            })
            .collect()
    }

    /// Applies a scalar operation elementwise over `args`: array operands
    /// become inputs (fusable `Elementwise` operands are absorbed), scalars are
    /// inputs evaluated once, and `op` types the operation on the element
    /// proxies. The result is a new C-contiguous array.
    pub fn elementwise(
        &mut self,
        args: Vec<tir::Expr>,
        span: Span,
        op: impl FnOnce(&mut Self, Vec<tir::Expr>) -> R<tir::Expr>,
    ) -> R<tir::Expr> {
        let mut inputs = Vec::new();
        let mut proxies = Vec::new();
        let mut ndim = 0;
        for a in args {
            match a.kind {
                TK::Elementwise {
                    inputs: inner,
                    mut body,
                    shape: None,
                    out: None,
                } => {
                    ndim = ndim.max(a.ty.array().unwrap().ndim as usize);
                    shift_inputs(&mut body, inputs.len());
                    inputs.extend(inner);
                    proxies.push(*body);
                }
                _ => {
                    let ty = match a.ty.array() {
                        Some(at) => {
                            ndim = ndim.max(at.ndim as usize);
                            Type::Scalar(at.dtype)
                        }
                        None => a.ty.clone(),
                    };
                    let proxy = tir::Expr::new(TK::ElemInput(inputs.len()), ty, a.span);
                    inputs.push(a);
                    proxies.push(proxy);
                }
            }
        }
        self.elementwise_depth += 1;
        let body = op(self, proxies);
        self.elementwise_depth -= 1;
        let body = body?;
        let Some(s) = body.ty.scalar() else {
            return Err(error(
                Code::BadOperand,
                span,
                format!("an elementwise operation cannot produce {}", body.ty),
                "operate on numbers",
            ));
        };
        let body = cast_scalar(body, s.strong());
        Ok(tir::Expr::new(
            TK::Elementwise {
                inputs,
                body: Box::new(body),
                shape: None,
                out: None,
            },
            array_ty(s, ndim, Layout::C),
            span,
        ))
    }

    /// An elementwise fill of a new array of explicit shape.
    pub(crate) fn filled(
        &mut self,
        shape: Vec<tir::Expr>,
        inputs: Vec<tir::Expr>,
        body: tir::Expr,
        dtype: Scalar,
        span: Span,
    ) -> tir::Expr {
        let nd = shape.len();
        let body = cast_scalar(body, dtype.strong());
        tir::Expr::new(
            TK::Elementwise {
                inputs,
                body: Box::new(body),
                shape: Some(shape),
                out: None,
            },
            array_ty(dtype, nd, Layout::C),
            span,
        )
    }

    /// An error unless `target`, an array about to be written, is writable.
    pub(crate) fn writable(&self, target: &tir::Expr) -> R<()> {
        match target.ty.array() {
            Some(a) if a.readonly => Err(error(
                Code::BadOperand,
                target.span,
                format!("cannot modify a read-only array ({})", target.ty),
                "write into a copy (a.copy()), or pass a writable array",
            )),
            _ => Ok(()),
        }
    }

    /// Writes `value` (broadcast) into the array `out` (a view or a local).
    pub fn assign_into(&mut self, out: tir::Expr, value: tir::Expr, span: Span) -> R<tir::Expr> {
        self.writable(&out)?;
        let dtype = out.ty.array().unwrap().dtype;
        // Extra leading dimensions of the value must have length 1; the
        // broadcast checks that at run time, as NumPy does.
        let e = self.elementwise(vec![value], span, |_, mut p| Ok(p.remove(0)))?;
        let TK::Elementwise { inputs, body, .. } = e.kind else {
            unreachable!("elementwise builds Elementwise")
        };
        let body = cast_scalar(*body, dtype);
        Ok(tir::Expr::new(
            TK::Elementwise {
                inputs,
                body: Box::new(body),
                shape: None,
                out: Some(Box::new(out)),
            },
            Type::None,
            span,
        ))
    }

    /// `a op= b` on an array: computed in place, with NumPy's `same_kind`
    /// casting rule for the result.
    pub fn array_inplace(
        &mut self,
        op: hir::BinOp,
        target: tir::Expr,
        value: tir::Expr,
        span: Span,
    ) -> R<tir::Expr> {
        self.writable(&target)?;
        let dtype = target.ty.array().unwrap().dtype;
        let [out, read] = <[tir::Expr; 2]>::try_from(self.shared(target, 2)).unwrap();
        let e = self.elementwise(vec![read, value], span, |ck, mut p| {
            let b = p.pop().unwrap();
            let a = p.pop().unwrap();
            ck.binary(op, a, b, span)
        })?;
        let res = e.ty.array().unwrap().dtype;
        if !same_kind(res, dtype) {
            return Err(error(
                Code::BadOperand,
                span,
                format!("cannot cast the result of {} from {res} to {dtype} in place (NumPy's 'same_kind' rule)", op.symbol()),
                "make the target array of the wider dtype, or write a = a <op> b",
            ));
        }
        let TK::Elementwise { inputs, body, .. } = e.kind else {
            unreachable!("elementwise builds Elementwise")
        };
        let body = cast_scalar(*body, dtype);
        Ok(tir::Expr::new(
            TK::Elementwise {
                inputs,
                body: Box::new(body),
                shape: None,
                out: Some(Box::new(out)),
            },
            Type::None,
            span,
        ))
    }

    /// `a[...]` with slices, `None` or fewer indices than dimensions: a view.
    /// Returns `None` when every dimension has an integer index (an element).
    pub fn view(&mut self, base: tir::Expr, index: &hir::Expr, span: Span) -> R<Option<tir::Expr>> {
        let a = base.ty.array().unwrap();
        let items: Vec<&hir::Expr> = match &index.kind {
            HK::Tuple(items) => items.iter().collect(),
            _ => vec![index],
        };
        let is_view = items.len() < a.ndim as usize
            || items
                .iter()
                .any(|i| matches!(i.kind, HK::Slice { .. } | HK::Const(Const::None)));
        if !is_view {
            return Ok(None);
        }
        let mut dims = Vec::new();
        let mut used = 0;
        for it in &items {
            match &it.kind {
                HK::Const(Const::None) => dims.push(ViewDim::NewAxis),
                HK::Slice { lower, upper, step } => {
                    used += 1;
                    let mut part = |x: &Option<Box<hir::Expr>>| -> R<Option<tir::Expr>> {
                        x.as_ref()
                            .map(|x| self.int_arg(x, "slice indices"))
                            .transpose()
                    };
                    let (start, stop, step) = (part(lower)?, part(upper)?, part(step)?);
                    dims.push(ViewDim::Slice { start, stop, step });
                }
                _ => {
                    used += 1;
                    let i = self.expr(it)?;
                    match i.ty.scalar() {
                        Some(s) if s.is_int() => {
                            dims.push(ViewDim::Index(cast_scalar(i, Scalar::I64)))
                        }
                        _ => {
                            return Err(error(
                                Code::BadIndex,
                                it.span,
                                format!("indexing with {} is not supported yet", i.ty),
                                "index with integers, slices and None",
                            ))
                        }
                    }
                }
            }
        }
        if used > a.ndim as usize {
            return Err(error(
                Code::BadIndex,
                index.span,
                format!(
                    "too many indices for array: array is {}-dimensional, but {used} were indexed",
                    a.ndim
                ),
                "use one index per dimension",
            ));
        }
        Ok(Some(self.view_of(base, dims, used, span)))
    }

    /// The view of `base` by `dims`, which index its first `used` dimensions.
    pub(crate) fn view_of(
        &mut self,
        base: tir::Expr,
        dims: Vec<ViewDim>,
        used: usize,
        span: Span,
    ) -> tir::Expr {
        let a = base.ty.array().unwrap();
        let ndim = dims
            .iter()
            .filter(|d| !matches!(d, ViewDim::Index(_)))
            .count()
            + (a.ndim as usize - used);
        let layout = view_layout(a, &dims, used);
        let boundscheck = self.req.flags.boundscheck;
        tir::Expr::new(
            TK::View {
                array: Box::new(base),
                dims,
                boundscheck,
            },
            view_ty(a, ndim, layout),
            span,
        )
    }

    /// Row `i` of an array, as iterating over it yields.
    pub fn row(&mut self, base: tir::Expr, i: tir::Expr, span: Span) -> tir::Expr {
        let a = base.ty.array().unwrap();
        let dims = vec![ViewDim::Index(i)];
        let layout = view_layout(a, &dims, 1);
        tir::Expr::new(
            TK::View {
                array: Box::new(base),
                dims,
                boundscheck: false,
            },
            view_ty(a, a.ndim as usize - 1, layout),
            span,
        )
    }

    pub(crate) fn transpose(&mut self, a: tir::Expr, axes: Vec<usize>, span: Span) -> tir::Expr {
        let at = a.ty.array().unwrap();
        let reversed = axes.iter().rev().copied().eq(0..at.ndim as usize);
        let layout = match (at.layout, reversed) {
            (Layout::C, true) => Layout::F,
            (Layout::F, true) => Layout::C,
            _ if at.ndim == 1 => at.layout,
            _ => Layout::A,
        };
        tir::Expr::new(
            TK::Transpose {
                array: Box::new(a),
                axes,
            },
            view_ty(at, at.ndim as usize, layout),
            span,
        )
    }

    /// A C-contiguous version of an array (copied unless it already is).
    pub(crate) fn contiguous(&mut self, a: tir::Expr, span: Span) -> R<tir::Expr> {
        if a.ty.array().unwrap().layout == Layout::C {
            return Ok(a);
        }
        self.copy(a, span)
    }

    pub(crate) fn copy(&mut self, a: tir::Expr, span: Span) -> R<tir::Expr> {
        // An explicit shape keeps the copy from fusing into a later operation.
        let e = self.elementwise(vec![a], span, |_, mut p| Ok(p.remove(0)))?;
        Ok(e)
    }

    pub(crate) fn reshape(
        &mut self,
        a: tir::Expr,
        shape: Vec<tir::Expr>,
        span: Span,
    ) -> R<tir::Expr> {
        let a = self.contiguous(a, span)?;
        let at = a.ty.array().unwrap();
        let nd = shape.len();
        Ok(tir::Expr::new(
            TK::Reshape {
                array: Box::new(a),
                shape,
            },
            view_ty(at, nd, Layout::C),
            span,
        ))
    }

    /// Array attributes beyond the scalar ones: `.T`, `.real`, `.imag`.
    pub fn array_attribute(
        &mut self,
        x: tir::Expr,
        name: &str,
        span: Span,
    ) -> R<Option<tir::Expr>> {
        let at = x.ty.array().unwrap();
        Ok(Some(match name {
            "T" => {
                let axes = (0..at.ndim as usize).rev().collect();
                self.transpose(x, axes, span)
            }
            "real" | "imag" if at.dtype.is_complex() => {
                let op = if name == "real" {
                    Intrinsic::Real
                } else {
                    Intrinsic::Imag
                };
                self.elementwise(vec![x], span, |_, p| {
                    Ok(tir::Expr::new(
                        TK::Call(op, p),
                        Type::Scalar(at.dtype.component()),
                        span,
                    ))
                })?
            }
            "real" => x,
            _ => return Ok(None),
        }))
    }

    /// A constant axis, normalised (negative counts from the end).
    pub(crate) fn axis(&self, e: &hir::Expr, ndim: u8) -> R<usize> {
        let k = self.const_arg(e, "axis")?;
        let n = ndim as i64;
        let k2 = if k < 0 { k + n } else { k };
        if !(0..n).contains(&k2) {
            return Err(error(
                Code::BadCall,
                e.span,
                format!("axis {k} is out of bounds for array of dimension {n}"),
                "use an axis between -ndim and ndim-1",
            ));
        }
        Ok(k2 as usize)
    }

    pub fn reduce(
        &mut self,
        op: ReduceOp,
        array: tir::Expr,
        axis: Option<&hir::Expr>,
        ddof: Option<&hir::Expr>,
        span: Span,
    ) -> R<tir::Expr> {
        let at = array.ty.array().unwrap();
        let axis = match axis {
            None => None,
            Some(e) if matches!(e.kind, HK::Const(Const::None)) => None,
            Some(e) => Some(self.axis(e, at.ndim)?),
        };
        let ddof = match ddof {
            Some(d) if matches!(op, ReduceOp::Var | ReduceOp::Std) => {
                Some(Box::new(self.int_arg(d, "ddof")?))
            }
            Some(d) => {
                return Err(error(
                    Code::BadCall,
                    d.span,
                    format!("{op:?}() takes no ddof"),
                    "ddof applies to var and std",
                ))
            }
            None => None,
        };
        if at.dtype.is_complex()
            && matches!(
                op,
                ReduceOp::Min | ReduceOp::Max | ReduceOp::ArgMin | ReduceOp::ArgMax
            )
        {
            return Err(error(
                Code::BadCall,
                span,
                format!("{op:?} of complex arrays is not supported yet"),
                "reduce the real parts or the absolute values",
            ));
        }
        let dtype = reduce_dtype(op, at.dtype);
        // Reducing a 1-d array along its only axis gives a scalar, as in NumPy.
        let axis = axis.filter(|_| at.ndim > 1);
        let ty = match axis {
            None => Type::Scalar(dtype),
            Some(_) => array_ty(dtype, at.ndim as usize - 1, Layout::C),
        };
        Ok(tir::Expr::new(
            TK::Reduce {
                op,
                array: Box::new(array),
                axis,
                ddof,
            },
            ty,
            span,
        ))
    }

    /// `np.maximum`/`np.minimum` (NaN wins) and `np.fmax`/`np.fmin` (NaN loses)
    /// on two scalars (each used once).
    pub(crate) fn extremum(
        &mut self,
        x: tir::Expr,
        y: tir::Expr,
        max: bool,
        nan_wins: bool,
        span: Span,
    ) -> R<tir::Expr> {
        let (Some(a), Some(b)) = (x.ty.scalar(), y.ty.scalar()) else {
            return Err(error(
                Code::BadCall,
                span,
                "maximum/minimum take numbers or arrays",
                "pass numbers or arrays",
            ));
        };
        let t = oxjit_types::common_scalar(a, b);
        if t.is_complex() {
            return Err(error(
                Code::BadCall,
                span,
                "maximum/minimum of complex numbers are not supported",
                "compare real parts",
            ));
        }
        let [x1, x2, x3] = <[tir::Expr; 3]>::try_from(self.shared(cast_scalar(x, t), 3)).unwrap();
        let [y1, y2, y3] = <[tir::Expr; 3]>::try_from(self.shared(cast_scalar(y, t), 3)).unwrap();
        let ty = Type::Scalar(t);
        let cmp = |op, a: tir::Expr, b: tir::Expr| {
            tir::Expr::new(TK::Compare(op, Box::new(a), Box::new(b)), Type::BOOL, span)
        };
        let pick = |c, a, b| {
            tir::Expr::new(
                TK::IfExp(Box::new(c), Box::new(a), Box::new(b)),
                ty.clone(),
                span,
            )
        };
        // x is kept if it is the extremum or if it is NaN (when NaN wins) /
        // y is NaN (when NaN loses); comparisons with NaN are false.
        let op = if max { tir::CmpOp::Ge } else { tir::CmpOp::Le };
        let keep_x = cmp(op, x1, y1);
        if !t.is_float() {
            return Ok(pick(keep_x, x2, y2));
        }
        let x_nan = cmp(tir::CmpOp::Ne, x2.clone(), x2.clone());
        let y_nan = cmp(tir::CmpOp::Ne, y2.clone(), y2.clone());
        let t_ = konst(ConstValue::Bool(true), Type::BOOL, span);
        let special = if nan_wins { x_nan } else { y_nan };
        let keep = tir::Expr::new(
            TK::IfExp(Box::new(keep_x), Box::new(t_), Box::new(special)),
            Type::BOOL,
            span,
        );
        Ok(pick(keep, x3, y3))
    }

    /// `np.arange` of its (real) start, stop and step as given.
    /// `np.arange`: `start` defaults to 0 and `step` to 1.
    pub(crate) fn arange(
        &mut self,
        start: Option<tir::Expr>,
        stop: tir::Expr,
        step: Option<tir::Expr>,
        dtype: Option<&hir::Expr>,
        span: Span,
    ) -> R<tir::Expr> {
        let all_int = [&start, &Some(stop.clone()), &step]
            .into_iter()
            .flatten()
            .all(|x| x.ty.scalar().is_some_and(|s| s.kind() <= Kind::Int));
        let dtype_span = dtype.map_or(span, |d| d.span);
        let dtype = self.dtype_arg(dtype, if all_int { Scalar::I64 } else { Scalar::F64 })?;
        if dtype == Scalar::Bool {
            // NumPy allows it only for results of at most two elements.
            return Err(error(
                Code::BadCall,
                dtype_span,
                "np.arange does not make boolean arrays in compiled code",
                "make an integer range and compare it, e.g. np.arange(n) > 0",
            ));
        }
        let calc = if all_int { Scalar::I64 } else { Scalar::F64 };
        let int = Type::Scalar(Scalar::I64);
        let start = start.unwrap_or_else(|| konst(ConstValue::Int(0), Type::INT, span));
        let step = step.unwrap_or_else(|| konst(ConstValue::Int(1), Type::INT, span));
        let (start, stop, step) = (
            cast_scalar(start, calc),
            cast_scalar(stop, calc),
            cast_scalar(step, calc),
        );
        let zero_step = self.oracle.exception(oxjit_abi::exc::ExcSpec::with_message(
            "ZeroDivisionError",
            "division by zero",
        ));
        let step = crate::ops::guard(step, tir::Check::NonZero, zero_step);
        let [s1, s2, s3] = <[tir::Expr; 3]>::try_from(self.shared(start, 3)).unwrap();
        let [d1, d2] = <[tir::Expr; 2]>::try_from(self.shared(step, 2)).unwrap();
        let ct = Type::Scalar(calc);
        let bin = |op, a, b, t: &Type| {
            tir::Expr::new(TK::Binary(op, Box::new(a), Box::new(b)), t.clone(), span)
        };
        // Length: ceil((stop - start) / step), at least 0.
        let n = if all_int {
            let q = bin(
                tir::BinOp::FloorDiv,
                bin(tir::BinOp::Sub, s1, stop, &ct),
                d1,
                &ct,
            );
            tir::Expr::new(TK::Unary(tir::UnaryOp::Neg, Box::new(q)), ct.clone(), span)
        } else {
            let q = bin(
                tir::BinOp::Div,
                bin(tir::BinOp::Sub, stop, s1, &ct),
                d1,
                &ct,
            );
            let c = tir::Expr::new(
                TK::Call(Intrinsic::Math(tir::MathFn::Ceil), vec![q]),
                ct.clone(),
                span,
            );
            cast_scalar(c, Scalar::I64)
        };
        let n = tir::Expr::new(
            TK::Call(
                Intrinsic::Max,
                vec![
                    konst(ConstValue::Int(0), int.clone(), span),
                    cast_scalar(n, Scalar::I64),
                ],
            ),
            int,
            span,
        );
        // As NumPy fills it: the first two values in the result dtype, then
        // a[i] = a[0] + i * (a[1] - a[0]) computed in that dtype.
        let dt = Type::Scalar(dtype);
        let first = cast_scalar(s2, dtype);
        let second = cast_scalar(bin(tir::BinOp::Add, s3, d2, &ct), dtype);
        let delta = bin(tir::BinOp::Sub, second, first.clone(), &dt);
        let idx = cast_scalar(
            tir::Expr::new(TK::ElemIndex(0), Type::Scalar(Scalar::I64), span),
            dtype,
        );
        let body = bin(
            tir::BinOp::Add,
            tir::Expr::new(TK::ElemInput(0), dt.clone(), span),
            bin(
                tir::BinOp::Mul,
                idx,
                tir::Expr::new(TK::ElemInput(1), dt.clone(), span),
                &dt,
            ),
            &dt,
        );
        Ok(self.filled(vec![n], vec![first, delta], body, dtype, span))
    }

    /// NumPy's algorithm: `i * step + start` with `step = (stop - start) / div`
    /// (`div = num - 1` with the endpoint, else `num`), the last value set to
    /// `stop` exactly when the endpoint is included and `num > 1`.
    pub(crate) fn linspace(
        &mut self,
        start: tir::Expr,
        stop: tir::Expr,
        num: tir::Expr,
        endpoint: bool,
        span: Span,
    ) -> R<tir::Expr> {
        let f = Type::Scalar(Scalar::F64);
        let i64t = Type::Scalar(Scalar::I64);
        let bad = self.oracle.exception(oxjit_abi::exc::ExcSpec::with_message(
            "ValueError",
            "Number of samples must be non-negative.",
        ));
        let num = crate::ops::guard(num, tir::Check::NonNegative, bad);
        let mut nums = self.shared(num, if endpoint { 3 } else { 2 }).into_iter();
        let (n1, n2) = (nums.next().unwrap(), nums.next().unwrap());
        let [start1, start2] =
            <[tir::Expr; 2]>::try_from(self.shared(cast_scalar(start, Scalar::F64), 2)).unwrap();
        let [stop1, stop2] =
            <[tir::Expr; 2]>::try_from(self.shared(cast_scalar(stop, Scalar::F64), 2)).unwrap();
        let bin = |op, a, b, t: &Type| {
            tir::Expr::new(TK::Binary(op, Box::new(a), Box::new(b)), t.clone(), span)
        };
        let div = if endpoint {
            bin(
                tir::BinOp::Sub,
                n2,
                konst(ConstValue::Int(1), i64t.clone(), span),
                &i64t,
            )
        } else {
            n2
        };
        let [div1, div2] = <[tir::Expr; 2]>::try_from(self.shared(div, 2)).unwrap();
        let [delta1, delta2] =
            <[tir::Expr; 2]>::try_from(self.shared(bin(tir::BinOp::Sub, stop2, start2, &f), 2))
                .unwrap();
        let positive = tir::Expr::new(
            TK::Compare(
                tir::CmpOp::Gt,
                Box::new(div1),
                Box::new(konst(ConstValue::Int(0), i64t.clone(), span)),
            ),
            Type::BOOL,
            span,
        );
        let step = bin(tir::BinOp::Div, delta1, cast_scalar(div2, Scalar::F64), &f);
        // With div == 0 only y[0] exists: 0 * delta + start.
        let step = tir::Expr::new(
            TK::IfExp(Box::new(positive), Box::new(step), Box::new(delta2)),
            f.clone(),
            span,
        );
        let input = |k| tir::Expr::new(TK::ElemInput(k), f.clone(), span);
        let idx = tir::Expr::new(TK::ElemIndex(0), i64t.clone(), span);
        let value = bin(
            tir::BinOp::Add,
            bin(
                tir::BinOp::Mul,
                cast_scalar(idx.clone(), Scalar::F64),
                input(2),
                &f,
            ),
            input(0),
            &f,
        );
        let body = if endpoint {
            let last = bin(
                tir::BinOp::Sub,
                nums.next().unwrap(),
                konst(ConstValue::Int(1), i64t.clone(), span),
                &i64t,
            );
            let is_last = tir::Expr::new(
                TK::Compare(tir::CmpOp::Eq, Box::new(idx.clone()), Box::new(last)),
                Type::BOOL,
                span,
            );
            let not_first = tir::Expr::new(
                TK::Compare(
                    tir::CmpOp::Gt,
                    Box::new(idx),
                    Box::new(konst(ConstValue::Int(0), i64t.clone(), span)),
                ),
                Type::BOOL,
                span,
            );
            let f_ = konst(ConstValue::Bool(false), Type::BOOL, span);
            let set_stop = tir::Expr::new(
                TK::IfExp(Box::new(is_last), Box::new(not_first), Box::new(f_)),
                Type::BOOL,
                span,
            );
            tir::Expr::new(
                TK::IfExp(Box::new(set_stop), Box::new(input(1)), Box::new(value)),
                f.clone(),
                span,
            )
        } else {
            value
        };
        Ok(self.filled(vec![n1], vec![start1, stop1, step], body, Scalar::F64, span))
    }

    /// `np.array` of a (nested) list or tuple of numbers.
    pub(crate) fn array_literal(
        &mut self,
        obj: &hir::Expr,
        dtype: Option<&hir::Expr>,
        span: Span,
    ) -> R<tir::Expr> {
        let mut shape: Vec<usize> = Vec::new();
        let mut leaves: Vec<&hir::Expr> = Vec::new();
        fn walk<'a>(
            e: &'a hir::Expr,
            depth: usize,
            shape: &mut Vec<usize>,
            leaves: &mut Vec<&'a hir::Expr>,
        ) -> Result<(), Span> {
            match &e.kind {
                HK::List(items) | HK::Tuple(items) => {
                    if shape.len() == depth {
                        shape.push(items.len());
                    } else if shape.len() < depth || shape[depth] != items.len() {
                        return Err(e.span);
                    }
                    items
                        .iter()
                        .try_for_each(|x| walk(x, depth + 1, shape, leaves))
                }
                _ if shape.len() != depth => Err(e.span),
                _ => {
                    leaves.push(e);
                    Ok(())
                }
            }
        }
        walk(obj, 0, &mut shape, &mut leaves).map_err(|s| {
            error(
                Code::BadCall,
                s,
                "np.array needs a rectangular nesting of lists of numbers",
                "give every row the same length",
            )
        })?;
        let values = leaves.iter().map(|x| self.expr(x)).collect::<R<Vec<_>>>()?;
        let mut t: Option<Scalar> = None;
        for v in &values {
            let Some(s) = v.ty.scalar() else {
                return Err(error(
                    Code::BadCall,
                    v.span,
                    format!("np.array elements must be numbers, not {}", v.ty),
                    "use numbers",
                ));
            };
            // Python numbers in an array literal take their default dtypes.
            let s = if s == Scalar::Bool { s } else { s.strong() };
            t = Some(t.map_or(s, |t| oxjit_types::common_scalar(t, s)));
        }
        let default = t.unwrap_or(Scalar::F64);
        let dtype = self.dtype_arg(dtype, default)?;
        let i64t = Type::Scalar(Scalar::I64);
        // Select the element by its flat (C order) index.
        let mut flat: Option<tir::Expr> = None;
        for (d, n) in shape.iter().enumerate() {
            let idx = tir::Expr::new(TK::ElemIndex(d), i64t.clone(), span);
            flat = Some(match flat {
                None => idx,
                Some(f) => {
                    let scaled = tir::Expr::new(
                        TK::Binary(
                            tir::BinOp::Mul,
                            Box::new(f),
                            Box::new(konst(ConstValue::Int(*n as i64), i64t.clone(), span)),
                        ),
                        i64t.clone(),
                        span,
                    );
                    tir::Expr::new(
                        TK::Binary(tir::BinOp::Add, Box::new(scaled), Box::new(idx)),
                        i64t.clone(),
                        span,
                    )
                }
            });
        }
        let n = values.len();
        let ty = Type::Scalar(dtype);
        let input = |k| {
            cast_scalar(
                tir::Expr::new(TK::ElemInput(k), values[k].ty.clone(), span),
                dtype,
            )
        };
        let mut body = if n == 0 {
            konst(ConstValue::Int(0), Type::INT, span)
        } else {
            input(n - 1)
        };
        body = cast_scalar(body, dtype);
        if let Some(flat) = flat.filter(|_| n > 1) {
            let flat_tmp = self.temp("flat", i64t.clone());
            for k in (0..n - 1).rev() {
                let at = if k == 0 {
                    tir::Expr::new(
                        TK::SetLocal(flat_tmp, Box::new(flat.clone())),
                        i64t.clone(),
                        span,
                    )
                } else {
                    tir::Expr::new(TK::Local(flat_tmp), i64t.clone(), span)
                };
                let hit = tir::Expr::new(
                    TK::Compare(
                        tir::CmpOp::Eq,
                        Box::new(at),
                        Box::new(konst(ConstValue::Int(k as i64), i64t.clone(), span)),
                    ),
                    Type::BOOL,
                    span,
                );
                body = tir::Expr::new(
                    TK::IfExp(Box::new(hit), Box::new(input(k)), Box::new(body)),
                    ty.clone(),
                    span,
                );
            }
        }
        let shape = shape
            .iter()
            .map(|n| konst(ConstValue::Int(*n as i64), i64t.clone(), span))
            .collect();
        Ok(self.filled(shape, values, body, dtype, span))
    }
}

/// NumPy's result dtype of a reduction.
fn reduce_dtype(op: ReduceOp, dtype: Scalar) -> Scalar {
    use Scalar::*;
    match op {
        ReduceOp::Sum | ReduceOp::Prod => crate::runtime_fns::sum_dtype(dtype),
        ReduceOp::Min | ReduceOp::Max => dtype,
        ReduceOp::Mean => match dtype.kind() {
            Kind::Bool | Kind::Int => F64,
            _ => dtype,
        },
        ReduceOp::Var | ReduceOp::Std => match dtype.kind() {
            Kind::Bool | Kind::Int => F64,
            _ => dtype.component(),
        },
        ReduceOp::ArgMin | ReduceOp::ArgMax => I64,
        ReduceOp::All | ReduceOp::Any => Bool,
    }
}

/// The layout a view promises: C when it keeps a C array's contiguity
/// (leading integer indices, then one step-1 slice, then only whole
/// dimensions; `None` anywhere), else A.
fn view_layout(a: ArrayType, dims: &[ViewDim], used: usize) -> Layout {
    if a.layout != Layout::C {
        return if a.ndim as usize == used && dims.iter().all(|d| matches!(d, ViewDim::Index(_))) {
            Layout::C
        } else {
            Layout::A
        };
    }
    let unit = |step: &Option<tir::Expr>| {
        step.as_ref().is_none_or(|s| match &s.kind {
            TK::Const(ConstValue::Int(1)) => true,
            TK::Cast(x) => matches!(x.kind, TK::Const(ConstValue::Int(1))),
            _ => false,
        })
    };
    // After the first slice only whole dimensions keep the rows adjacent.
    let mut sliced = false;
    for d in dims {
        match d {
            // A new length-1 dimension is never stepped over.
            ViewDim::NewAxis => {}
            ViewDim::Index(_) if !sliced => {}
            ViewDim::Slice {
                start: None,
                stop: None,
                step: None,
            } => sliced = true,
            ViewDim::Slice { step, .. } if !sliced && unit(step) => sliced = true,
            _ => return Layout::A,
        }
    }
    Layout::C
}

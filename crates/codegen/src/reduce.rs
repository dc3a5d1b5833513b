//! `Reduce`: NumPy's reductions over all elements or along one axis.
//!
//! Semantics (NumPy 2): `Sum`/`Prod` accumulate in the result type from 0/1;
//! float `Min`/`Max` are LLVM's `minimum`/`maximum` (NaN propagates, -0 is
//! below +0; NumPy's SIMD loops resolve a -0/+0 tie by position), integer
//! ones keep the accumulator unless the element is strictly better; `ArgMin`/`ArgMax` give the first best position (C order for
//! the whole array), a NaN winning at its first occurrence; `All`/`Any` test
//! truthiness; empty input to the four ordering reductions raises NumPy's
//! `ValueError`. `Mean` is `sum / n` (a complex sum is scaled by `1 / n`,
//! as NumPy's complex division does), `Var` the sum of `|x - mean|²` over
//! `max(n - ddof, 0)`, `Std` its square root; divisions of float32 values
//! are done in float64 and rounded, as NumPy's by an `intp` count.
//! Integer and bool inputs of these three are first converted to a float64
//! array.
//!
//! Float and complex `Sum`/`Mean` (unless `fastmath` allows reassociation)
//! and both passes of `Var`/`Std` add with NumPy's pairwise summation in the
//! runtime (`moments`) so results match NumPy bit for bit:
//! over the whole array in NumPy's visiting order, and along an axis when
//! that axis is the operand's innermost in memory (NumPy's iterator then
//! hands it to the pairwise loop); along other axes NumPy adds
//! sequentially, and so does this code.
//!
//! A reduction of an `Elementwise` whose result does not depend on the
//! order of additions (min/max/arg/all/any, integer sums and products,
//! float products, and float sums under `fastmath`) computes the body in
//! the reduction loop without a temporary array; others evaluate the array
//! first, as NumPy does.

use inkwell::values::{BasicValue, BasicValueEnum, IntValue, PointerValue};
use inkwell::{FloatPredicate, IntPredicate};
use oxjit_abi::exc;
use oxjit_tir::oxjit_types::{ArrayType, Kind, Layout, Scalar, Type};
use oxjit_tir::{BinOp, CmpOp, Expr, ExprKind, ReduceOp};

use crate::array::{array_type, ArrayParts};
use crate::elementwise::{uses_index, Prepared};
use crate::expr::scalar;
use crate::func::FnEmitter;
use crate::loops::Operand;
use crate::moments::pairwise_code;
use crate::types::{float_type, reg_type};
use crate::{unsupported, Result};

/// True if reducing an `Elementwise` of `dtype` gives NumPy's result
/// without materialising it (see the module docs).
fn fusable(op: ReduceOp, dtype: Scalar, fastmath: bool) -> bool {
    use ReduceOp::*;
    match op {
        Min | Max | ArgMin | ArgMax | All | Any | Prod => true,
        Sum => dtype.kind() <= Kind::Int || fastmath,
        Mean => dtype.is_float() && fastmath,
        Var | Std => false,
    }
}

/// Where a reduction's elements come from.
enum Values<'p, 'ctx> {
    /// Operand 0's elements, in memory (the parts, for the runtime sums).
    Memory(ArrayParts<'ctx>),
    /// An `Elementwise` body over its prepared inputs.
    Fused(&'p Prepared<'ctx>, &'p Expr),
}

struct Source<'p, 'ctx> {
    shape: Vec<IntValue<'ctx>>,
    ops: Vec<Operand<'ctx>>,
    values: Values<'p, 'ctx>,
    dtype: Scalar,
}

impl Source<'_, '_> {
    /// The flat loop needs no per-dimension indices.
    fn flat_allowed(&self) -> bool {
        match self.values {
            Values::Memory(_) => true,
            Values::Fused(_, body) => self.shape.len() <= 1 || !uses_index(body),
        }
    }
}

/// A sequential accumulation: its carried values, step and result.
struct Acc {
    op: ReduceOp,
    dtype: Scalar,
    /// The accumulator's type (the result type, but `int64` positions for
    /// the arg reductions).
    acc: Scalar,
}

/// Values carried through a reduction loop.
type Carried<'ctx> = Vec<BasicValueEnum<'ctx>>;

/// One accumulation step: the carried values and an element; returns the
/// next carried values.
type Step<'b, 'e, 'ctx> = dyn FnMut(
        &mut FnEmitter<'e, 'ctx>,
        &[BasicValueEnum<'ctx>],
        BasicValueEnum<'ctx>,
    ) -> Result<Carried<'ctx>>
    + 'b;

impl Acc {
    fn init<'ctx>(&self, em: &FnEmitter<'_, 'ctx>) -> Result<Carried<'ctx>> {
        use ReduceOp::*;
        let i64t = em.cx.ctx.i64_type();
        Ok(match self.op {
            Sum | Mean => vec![em.number(self.acc, 0.0)?],
            Prod => vec![em.number(self.acc, 1.0)?],
            Min => vec![em.extreme(self.dtype, true)?],
            Max => vec![em.extreme(self.dtype, false)?],
            // Best value (replaced at position 0), its position, position.
            ArgMin | ArgMax => {
                vec![
                    em.extreme(self.dtype, true)?,
                    i64t.const_zero().into(),
                    i64t.const_zero().into(),
                ]
            }
            All => vec![em.cx.ctx.bool_type().const_all_ones().into()],
            Any => vec![em.cx.ctx.bool_type().const_zero().into()],
            Var | Std => return unsupported("variance as a single pass"),
        })
    }

    fn step<'ctx>(
        &self,
        em: &FnEmitter<'_, 'ctx>,
        c: &[BasicValueEnum<'ctx>],
        x: BasicValueEnum<'ctx>,
    ) -> Result<Carried<'ctx>> {
        use ReduceOp::*;
        let (ir, b) = (em.ir(), &em.b);
        let d = self.dtype;
        Ok(match self.op {
            Sum | Mean | Prod => {
                let x = ir.cast(x, d, self.acc)?;
                let op = if self.op == Prod {
                    BinOp::Mul
                } else {
                    BinOp::Add
                };
                vec![ir.binary(op, c[0], x, self.acc)?]
            }
            // Floats: LLVM's NaN-propagating minimum/maximum (-0 below +0),
            // which the loop vectoriser reduces with vector instructions.
            Min | Max if d.is_float() => {
                let name = if self.op == Min {
                    "llvm.minimum"
                } else {
                    "llvm.maximum"
                };
                vec![ir
                    .float_intrinsic(name, &[c[0].into_float_value(), x.into_float_value()])?
                    .into()]
            }
            Min | Max => {
                let keep = ir.compare(
                    if self.op == Min { CmpOp::Lt } else { CmpOp::Gt },
                    c[0],
                    x,
                    d,
                )?;
                let keep = b.build_or(keep, em.is_nan(c[0], d)?, "")?;
                vec![ir.select(keep, c[0], x)?]
            }
            ArgMin | ArgMax => {
                let better = ir.compare(
                    if self.op == ArgMin {
                        CmpOp::Lt
                    } else {
                        CmpOp::Gt
                    },
                    x,
                    c[0],
                    d,
                )?;
                let better = b.build_or(better, em.is_nan(x, d)?, "")?;
                let better = b.build_and(better, b.build_not(em.is_nan(c[0], d)?, "")?, "")?;
                let pos = c[2].into_int_value();
                let first =
                    b.build_int_compare(IntPredicate::EQ, pos, pos.get_type().const_zero(), "")?;
                let take = b.build_or(first, better, "")?;
                let next = b.build_int_add(pos, pos.get_type().const_int(1, false), "")?;
                vec![
                    ir.select(take, x, c[0])?,
                    ir.select(take, pos, c[1].into_int_value())?,
                    next.into(),
                ]
            }
            All => vec![b
                .build_and(c[0].into_int_value(), ir.truth(x, d)?, "")?
                .into()],
            Any => vec![b
                .build_or(c[0].into_int_value(), ir.truth(x, d)?, "")?
                .into()],
            Var | Std => return unsupported("variance as a single pass"),
        })
    }

    /// Whether partial results over consecutive blocks combine (in block
    /// order) into exactly the sequential result.
    fn exact_in_parallel(&self) -> bool {
        use ReduceOp::*;
        match self.op {
            Min | Max | All | Any => true,
            Sum | Prod => self.acc.kind() <= Kind::Int,
            _ => false,
        }
    }

    /// Combines two partial accumulators, the earlier block's first.
    fn merge<'ctx>(
        &self,
        em: &FnEmitter<'_, 'ctx>,
        a: BasicValueEnum<'ctx>,
        b: BasicValueEnum<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        use ReduceOp::*;
        let ir = em.ir();
        Ok(match self.op {
            Sum => ir.binary(BinOp::Add, a, b, self.acc)?,
            Prod => ir.binary(BinOp::Mul, a, b, self.acc)?,
            // The accumulator has the element type: one more step.
            Min | Max => self.step(em, &[a], b)?[0],
            All => {
                em.b.build_and(a.into_int_value(), b.into_int_value(), "")?
                    .into()
            }
            Any => {
                em.b.build_or(a.into_int_value(), b.into_int_value(), "")?
                    .into()
            }
            _ => return unsupported("merging partial results of this reduction"),
        })
    }

    fn finish<'ctx>(
        &self,
        em: &FnEmitter<'_, 'ctx>,
        c: &[BasicValueEnum<'ctx>],
        n: IntValue<'ctx>,
        rs: Scalar,
    ) -> Result<BasicValueEnum<'ctx>> {
        Ok(match self.op {
            ReduceOp::Mean => em.mean_of(c[0], n, self.acc, rs)?,
            ReduceOp::ArgMin | ReduceOp::ArgMax => c[1],
            _ => c[0],
        })
    }
}

impl<'e, 'ctx> FnEmitter<'e, 'ctx> {
    pub fn reduce(
        &mut self,
        e: &Expr,
        op: ReduceOp,
        array: &Expr,
        axis: Option<usize>,
        ddof: Option<&Expr>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let mark = self.mark();
        let at = array_type(array)?;
        let rs = match axis {
            None => scalar(e)?,
            Some(_) => array_type(e)?.dtype,
        };
        let fused = match &array.kind {
            ExprKind::Elementwise {
                inputs,
                body,
                shape,
                out: None,
            } if fusable(
                op,
                at.dtype,
                self.f.flags.fastmath.has(oxjit_tir::FastMath::REASSOC),
            ) =>
            {
                let fixed = self.extents(shape.as_deref())?;
                Some((
                    self.prepare(inputs, fixed, at.ndim as usize, None)?,
                    &**body,
                ))
            }
            _ => None,
        };
        let mut src = match &fused {
            Some((p, body)) => Source {
                shape: p.shape.clone(),
                ops: p.operands.clone(),
                values: Values::Fused(p, body),
                dtype: at.dtype,
            },
            None => {
                let a = self.borrow(array)?;
                self.memory_source(at, a)?
            }
        };
        if matches!(op, ReduceOp::Mean | ReduceOp::Var | ReduceOp::Std)
            && at.dtype.kind() <= Kind::Int
        {
            src = self.as_float64(&src)?;
        }
        let ddof = match ddof {
            Some(d) => self.int64(d)?,
            None => self.cx.ctx.i64_type().const_zero(),
        };
        match axis {
            None => {
                let v = self.reduce_all(op, &src, rs, ddof)?;
                self.release_to(mark)?;
                Ok(v)
            }
            Some(k) => {
                let v = self.reduce_axis(op, &src, k, e, rs, ddof)?;
                self.release_below_top(mark)?;
                Ok(v)
            }
        }
    }

    fn memory_source<'p>(
        &self,
        at: ArrayType,
        a: BasicValueEnum<'ctx>,
    ) -> Result<Source<'p, 'ctx>> {
        let parts = self.array_parts(a, at.ndim)?;
        let op = self.operand(at, &parts, at.ndim as usize, &parts.shape)?;
        Ok(Source {
            shape: parts.shape.clone(),
            ops: vec![op],
            values: Values::Memory(parts),
            dtype: at.dtype,
        })
    }

    /// A float64 copy of an array source, as a pending temporary.
    fn as_float64<'p>(&mut self, src: &Source<'_, 'ctx>) -> Result<Source<'p, 'ctx>> {
        if !matches!(src.values, Values::Memory(_)) {
            return unsupported("float conversion of a fused source");
        }
        let tt = ArrayType::new(Scalar::F64, src.shape.len() as u8, Layout::C);
        let tmp = self.alloc_array(Scalar::F64, &src.shape)?;
        self.hold(tmp, &Type::Array(tt))?;
        let copy = self.memory_source(tt, tmp)?;
        let flat = self.all_flat(&[copy.ops[0].flat, src.ops[0].flat])?;
        let dtype = src.dtype;
        self.nest(
            &src.shape,
            &[copy.ops[0].clone(), src.ops[0].clone()],
            Vec::new(),
            Some(flat),
            &mut |em, ptrs, _, _| {
                let x = em.load_scalar(ptrs[1], dtype)?;
                let y = em.ir().cast(x, dtype, Scalar::F64)?;
                em.store_scalar(ptrs[0], y, Scalar::F64)?;
                Ok(Vec::new())
            },
        )?;
        Ok(copy)
    }

    fn value(
        &mut self,
        src: &Source<'_, 'ctx>,
        ptrs: &[PointerValue<'ctx>],
        index: &[IntValue<'ctx>],
    ) -> Result<BasicValueEnum<'ctx>> {
        match src.values {
            Values::Memory(_) => self.load_scalar(ptrs[0], src.dtype),
            Values::Fused(p, body) => self.elem_value(p, ptrs, index, body),
        }
    }

    /// Raises NumPy's error for an ordering reduction over no elements.
    fn check_nonempty(&mut self, op: ReduceOp, n: IntValue<'ctx>) -> Result<()> {
        let exc = match op {
            ReduceOp::Min => exc::EMPTY_MIN,
            ReduceOp::Max => exc::EMPTY_MAX,
            ReduceOp::ArgMin => exc::EMPTY_ARGMIN,
            ReduceOp::ArgMax => exc::EMPTY_ARGMAX,
            _ => return Ok(()),
        };
        let ok = self
            .b
            .build_int_compare(IntPredicate::NE, n, n.get_type().const_zero(), "")?;
        self.raise_unless(ok, exc)
    }

    /// Whether the runtime's pairwise sum applies (module docs).
    fn pairwise(&self, op: ReduceOp, src: &Source<'_, 'ctx>, rs: Scalar) -> Option<i32> {
        // Under `parallel=True`, long sums use the pool (same result).
        let parallel = if self.f.flags.parallel {
            oxjit_runtime::pairwise::PW_PARALLEL
        } else {
            0
        };
        let code = pairwise_code(src.dtype)? | parallel;
        if !matches!(src.values, Values::Memory(_)) {
            return None;
        }
        match op {
            ReduceOp::Sum | ReduceOp::Mean
                if !self.f.flags.fastmath.has(oxjit_tir::FastMath::REASSOC)
                    && rs.strong() == src.dtype.strong() =>
            {
                Some(code)
            }
            ReduceOp::Var | ReduceOp::Std => Some(code),
            _ => None,
        }
    }

    fn reduce_all(
        &mut self,
        op: ReduceOp,
        src: &Source<'_, 'ctx>,
        rs: Scalar,
        ddof: IntValue<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let n = self.product(&src.shape)?;
        self.check_nonempty(op, n)?;
        if let (Some(code), Values::Memory(parts)) = (self.pairwise(op, src, rs), &src.values) {
            let (data, strides) = (parts.data, &parts.strides);
            let s = self.sum_pairwise(code, src.dtype, data, &src.shape, strides)?;
            return match op {
                ReduceOp::Sum => Ok(s),
                ReduceOp::Mean => self.mean_of(s, n, src.dtype, rs),
                _ => {
                    let mean = self.mean_of(s, n, src.dtype, src.dtype)?;
                    let ss =
                        self.sqdev_pairwise(code, src.dtype, data, &src.shape, strides, mean)?;
                    self.variance_of(op, ss, n, ddof, rs)
                }
            };
        }
        let acc = Acc {
            op,
            dtype: src.dtype,
            acc: accumulator(op, src.dtype, rs),
        };
        let flat = if src.flat_allowed() {
            let flags: Vec<_> = src.ops.iter().map(|o| o.flat).collect();
            Some(self.all_flat(&flags)?)
        } else {
            None
        };
        let init = acc.init(self)?;
        let indexless = match src.values {
            Values::Memory(_) => true,
            Values::Fused(_, body) => !uses_index(body),
        };
        if let (Some(flat), true) = (
            flat,
            self.f.flags.parallel && self.elem.is_empty() && indexless && acc.exact_in_parallel(),
        ) {
            let v = self.par_reduce_all(&acc, src, flat, init[0])?;
            return acc.finish(self, &[v], n, rs);
        }
        let out = self.nest(
            &src.shape,
            &src.ops,
            init,
            flat,
            &mut |em, ptrs, index, c| {
                let x = em.value(src, ptrs, index)?;
                acc.step(em, c, x)
            },
        )?;
        acc.finish(self, &out, n, rs)
    }

    /// `reduce_all`'s loop under `parallel=True` (see `split_nest`): each
    /// chunk folds its block's result into its thread's row, and the rows
    /// are folded in thread order (the blocks' order: static schedule).
    fn par_reduce_all(
        &mut self,
        acc: &Acc,
        src: &Source<'_, 'ctx>,
        flat: IntValue<'ctx>,
        identity: BasicValueEnum<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let ty = identity.get_type();
        let result = self.entry_alloca(ty, "reduced")?;
        let (sp, threads, rows) = self.thread_rows(ty, |e, row| {
            e.b.build_store(row, identity)?;
            Ok(())
        })?;
        let scalars = match src.values {
            Values::Fused(p, _) => p.scalars(),
            Values::Memory(_) => vec![],
        };
        let null = self
            .cx
            .ctx
            .ptr_type(inkwell::AddressSpace::default())
            .const_null();
        self.split_nest(
            &src.shape,
            &src.ops,
            flat,
            scalars,
            vec![rows.into()],
            |e| {
                let init = acc.init(e)?;
                let out = e.nest(
                    &src.shape,
                    &src.ops,
                    init,
                    Some(flat),
                    &mut |em, ptrs, index, c| {
                        let x = em.value(src, ptrs, index)?;
                        acc.step(em, c, x)
                    },
                )?;
                e.b.build_store(result, out[0])?;
                Ok(())
            },
            |e, s| {
                let part;
                let values = match src.values {
                    Values::Memory(_) => Values::Memory(ArrayParts {
                        meminfo: null,
                        parent: null,
                        data: s.ops[0].data,
                        shape: s.shape.clone(),
                        strides: s.ops[0].strides.clone(),
                    }),
                    Values::Fused(p, body) => {
                        part = p.with(s.scalars.clone(), s.shape.clone(), s.ops.clone());
                        Values::Fused(&part, body)
                    }
                };
                let share = Source {
                    shape: s.shape.clone(),
                    ops: s.ops.clone(),
                    values,
                    dtype: src.dtype,
                };
                let init = acc.init(e)?;
                let out = e.nest(
                    &share.shape,
                    &share.ops,
                    init,
                    s.flat,
                    &mut |em, ptrs, index, c| {
                        let x = em.value(&share, ptrs, index)?;
                        acc.step(em, c, x)
                    },
                )?;
                let rows = s.extra[0].into_pointer_value();
                // SAFETY: tid < the number of rows.
                let row = unsafe { e.b.build_in_bounds_gep(ty, rows, &[s.tid], "row")? };
                let merged = acc.merge(e, e.b.build_load(ty, row, "")?, out[0])?;
                e.b.build_store(row, merged)?;
                Ok(())
            },
            |e| {
                let folded = e.counted_loop(threads, &[identity], &mut |em, t, c| {
                    // SAFETY: t < the number of rows.
                    let row = unsafe { em.b.build_in_bounds_gep(ty, rows, &[t], "row")? };
                    Ok(vec![acc.merge(em, c[0], em.b.build_load(ty, row, "")?)?])
                })?;
                e.b.build_store(result, folded[0])?;
                Ok(())
            },
        )?;
        let v = self.b.build_load(ty, result, "reduced")?;
        self.release_rows(sp)?;
        Ok(v)
    }

    fn reduce_axis(
        &mut self,
        op: ReduceOp,
        src: &Source<'_, 'ctx>,
        k: usize,
        e: &Expr,
        rs: Scalar,
        ddof: IntValue<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let nd = src.shape.len();
        if k >= nd {
            return unsupported(format!("axis {k} of a {nd}-d array"));
        }
        let m = src.shape[k];
        self.check_nonempty(op, m)?;
        let rt = array_type(e)?;
        let out_shape: Vec<IntValue> = src
            .shape
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != k)
            .map(|(_, &n)| n)
            .collect();
        let result = self.alloc_array(rt.dtype, &out_shape)?;
        self.hold(result, &e.ty)?;
        let rparts = self.array_parts(result, rt.ndim)?;
        let mut outer = vec![self.operand(rt, &rparts, rt.ndim as usize, &out_shape)?];
        for o in &src.ops {
            let strides = o
                .strides
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != k)
                .map(|(_, &s)| s)
                .collect();
            outer.push(Operand {
                strides,
                ..o.clone()
            });
        }
        let along: Vec<IntValue> = src.ops.iter().map(|o| o.strides[k]).collect();
        let pairwise = match (self.pairwise(op, src, rs), &src.values) {
            (Some(code), Values::Memory(parts)) => Some((code, self.innermost(parts, k)?)),
            _ => None,
        };
        let row = Row {
            src,
            k,
            m,
            along: &along,
        };
        // Each output's row in turn: pairwise where the axis is the
        // innermost in memory at run time (or always, `only_pairwise`),
        // else in index order.
        let per_output = |em: &mut Self, only_pairwise: bool| {
            em.nest(
                &out_shape,
                &outer,
                Vec::new(),
                None,
                &mut |em, ptrs, index, _| {
                    let starts = &ptrs[1..];
                    let v = match pairwise {
                        Some((code, _)) if only_pairwise => {
                            em.row_pairwise(op, code, &row, starts[0], index, rs, ddof)?
                        }
                        Some((code, innermost)) => em.if_else(
                            innermost,
                            |em| em.row_pairwise(op, code, &row, starts[0], index, rs, ddof),
                            |em| em.row_sequential(op, &row, starts, index, rs, ddof),
                        )?,
                        None => em.row_sequential(op, &row, starts, index, rs, ddof)?,
                    };
                    em.store_scalar(ptrs[0], v, rt.dtype)?;
                    Ok(Vec::new())
                },
            )
        };
        // Along an axis that is not the last, sequential reductions go a
        // slice at a time (see `reduce_rows`).
        if !(single_pass(op) && k + 1 < nd) {
            per_output(self, false)?;
            return Ok(result);
        }
        let target = outer[0].clone();
        let Some((_, innermost)) = pairwise else {
            self.reduce_rows(op, &row, rt.dtype, &target, &out_shape)?;
            return Ok(result);
        };
        let ir = self.ir();
        let (by_rows, by_outputs, done) = (
            ir.append_block("rows"),
            ir.append_block("outputs"),
            ir.append_block("reduced"),
        );
        self.b
            .build_conditional_branch(innermost, by_outputs, by_rows)?;
        self.b.position_at_end(by_rows);
        self.reduce_rows(op, &row, rt.dtype, &target, &out_shape)?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(by_outputs);
        per_output(self, true)?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok(result)
    }

    /// A reduction along `row.k` (not the last axis) a slice at a time:
    /// `out` starts at the identity and each slice along the axis is folded
    /// into it in order, so every output accumulates in the same order as
    /// `row_sequential`'s, while the inner loop runs along the slice's
    /// contiguous memory (and vectorises) instead of down a column.
    fn reduce_rows(
        &mut self,
        op: ReduceOp,
        row: &Row<'_, '_, 'ctx>,
        dtype: Scalar,
        out: &Operand<'ctx>,
        out_shape: &[IntValue<'ctx>],
    ) -> Result<()> {
        let src = row.src;
        let acc = Acc {
            op,
            dtype: src.dtype,
            acc: dtype,
        };
        let init = acc.init(self)?[0];
        self.nest(
            out_shape,
            std::slice::from_ref(out),
            Vec::new(),
            Some(out.flat),
            &mut |em, ptrs, _, _| {
                em.store_scalar(ptrs[0], init, dtype)?;
                Ok(Vec::new())
            },
        )?;
        let slices: Vec<Operand> = src
            .ops
            .iter()
            .map(|o| Operand {
                strides: (0..o.strides.len())
                    .filter(|&j| j != row.k)
                    .map(|j| o.strides[j])
                    .collect(),
                ..o.clone()
            })
            .collect();
        let flat = if src.flat_allowed() {
            let mut flags = vec![out.flat];
            for o in &slices {
                flags.push(self.c_contiguous(out_shape, &o.strides, o.dtype.size())?);
            }
            Some(self.all_flat(&flags)?)
        } else {
            None
        };
        let n = slices.len();
        let starts: Vec<BasicValueEnum> = src.ops.iter().map(|o| o.data.into()).collect();
        self.counted_loop(row.m, &starts, &mut |em, i, c| {
            let ops: Vec<Operand> = std::iter::once(out.clone())
                .chain(slices.iter().zip(c).map(|(o, p)| Operand {
                    data: p.into_pointer_value(),
                    ..o.clone()
                }))
                .collect();
            em.nest(
                out_shape,
                &ops,
                Vec::new(),
                flat,
                &mut |em, ptrs, index, _| {
                    let mut full = index.to_vec();
                    if full.len() == out_shape.len() {
                        full.insert(row.k, i);
                    }
                    let x = em.value(src, &ptrs[1..], &full)?;
                    let current = em.load_scalar(ptrs[0], dtype)?;
                    let next = acc.step(em, &[current], x)?[0];
                    em.store_scalar(ptrs[0], next, dtype)?;
                    Ok(Vec::new())
                },
            )?;
            let mut next = Vec::with_capacity(n);
            for (p, s) in c.iter().zip(row.along) {
                // Not inbounds: see `loops`.
                let q = unsafe {
                    em.b.build_gep(em.cx.ctx.i8_type(), p.into_pointer_value(), &[*s], "")?
                };
                next.push(q.into());
            }
            Ok(next)
        })?;
        Ok(())
    }

    /// True at run time if axis `k` is the one NumPy's iterator visits
    /// innermost: the smallest |stride| among extents above 1 (the earlier
    /// axis on ties).
    fn innermost(&self, parts: &ArrayParts<'ctx>, k: usize) -> Result<IntValue<'ctx>> {
        let i64t = self.cx.ctx.i64_type();
        let abs = |s: IntValue<'ctx>| -> Result<IntValue<'ctx>> {
            let negative = self
                .b
                .build_int_compare(IntPredicate::SLT, s, i64t.const_zero(), "")?;
            self.ir().iselect(negative, self.b.build_int_neg(s, "")?, s)
        };
        let sk = abs(parts.strides[k])?;
        let mut ok = self.cx.ctx.bool_type().const_all_ones();
        for (j, (&n, &s)) in parts
            .shape
            .iter()
            .zip(&parts.strides)
            .enumerate()
            .filter(|&(j, _)| j != k)
        {
            let sj = abs(s)?;
            let unit =
                self.b
                    .build_int_compare(IntPredicate::EQ, n, i64t.const_int(1, false), "")?;
            let pred = if j < k {
                IntPredicate::ULE
            } else {
                IntPredicate::ULT
            };
            let inner = self.b.build_int_compare(pred, sk, sj, "")?;
            ok = self
                .b
                .build_and(ok, self.b.build_or(unit, inner, "")?, "")?;
        }
        Ok(ok)
    }

    /// One output of a reduction along an axis with the runtime's pairwise sums.
    #[allow(clippy::too_many_arguments)]
    fn row_pairwise(
        &mut self,
        op: ReduceOp,
        code: i32,
        row: &Row<'_, '_, 'ctx>,
        start: PointerValue<'ctx>,
        index: &[IntValue<'ctx>],
        rs: Scalar,
        ddof: IntValue<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let d = row.src.dtype;
        let (shape, strides) = ([row.m], [row.along[0]]);
        // Runs shorter than the unrolled block are added in order from -0:
        // inline, as short rows are common (`(x[:, None] - x) ** 2).sum(-1)`).
        let limit = if d.is_complex() { 4 } else { 8 };
        let short = self.b.build_int_compare(
            IntPredicate::SLT,
            row.m,
            row.m.get_type().const_int(limit, false),
            "",
        )?;
        let s = self.if_else(
            short,
            |em| {
                let t = float_type(em.cx.ctx, d);
                let neg_zero = match d.is_complex() {
                    true => em
                        .ir()
                        .make_complex(t.const_float(-0.0), t.const_float(-0.0))?,
                    false => t.const_float(-0.0).into(),
                };
                let add = |em: &FnEmitter<'_, 'ctx>, a, b| em.ir().binary(BinOp::Add, a, b, d);
                let s = em.fold_row(row, &[start], index, vec![neg_zero], &mut |em, c, x| {
                    Ok(vec![add(em, c[0], x)?])
                })?;
                add(em, em.number(d, 0.0)?, s[0])
            },
            |em| em.sum_pairwise(code, d, start, &shape, &strides),
        )?;
        match op {
            ReduceOp::Sum => Ok(s),
            ReduceOp::Mean => self.mean_of(s, row.m, d, rs),
            _ => {
                let mean = self.mean_of(s, row.m, d, d)?;
                let ss = self.sqdev_pairwise(code, d, start, &shape, &strides, mean)?;
                self.variance_of(op, ss, row.m, ddof, rs)
            }
        }
    }

    /// One output of a reduction along an axis, adding in index order.
    fn row_sequential(
        &mut self,
        op: ReduceOp,
        row: &Row<'_, '_, 'ctx>,
        starts: &[PointerValue<'ctx>],
        index: &[IntValue<'ctx>],
        rs: Scalar,
        ddof: IntValue<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let d = row.src.dtype;
        if !matches!(op, ReduceOp::Var | ReduceOp::Std) {
            let acc = Acc {
                op,
                dtype: d,
                acc: accumulator(op, d, rs),
            };
            let init = acc.init(self)?;
            let out =
                self.fold_row(row, starts, index, init, &mut |em, c, x| acc.step(em, c, x))?;
            return acc.finish(self, &out, row.m, rs);
        }
        let sum = Acc {
            op: ReduceOp::Sum,
            dtype: d,
            acc: d,
        };
        let init = sum.init(self)?;
        let s = self.fold_row(row, starts, index, init, &mut |em, c, x| sum.step(em, c, x))?;
        let mean = self.mean_of(s[0], row.m, d, d)?;
        let zero = self.number(d.component(), 0.0)?;
        let ss = self.fold_row(row, starts, index, vec![zero], &mut |em, c, x| {
            let sq = em.sqdev(x, mean, d)?;
            Ok(vec![em
                .b
                .build_float_add(c[0].into_float_value(), sq, "")?
                .into()])
        })?;
        self.variance_of(op, ss[0].into_float_value(), row.m, ddof, rs)
    }

    /// Folds `step` over the elements of one row along the reduced axis.
    fn fold_row(
        &mut self,
        row: &Row<'_, '_, 'ctx>,
        starts: &[PointerValue<'ctx>],
        index: &[IntValue<'ctx>],
        init: Carried<'ctx>,
        step: &mut Step<'_, 'e, 'ctx>,
    ) -> Result<Carried<'ctx>> {
        let n = starts.len();
        let carried: Vec<BasicValueEnum> = starts.iter().map(|p| (*p).into()).chain(init).collect();
        let out = self.counted_loop(row.m, &carried, &mut |em, i, c| {
            let ptrs: Vec<PointerValue> = c[..n].iter().map(|p| p.into_pointer_value()).collect();
            let mut full = index.to_vec();
            full.insert(row.k, i);
            let x = em.value(row.src, &ptrs, &full)?;
            let mut next = Vec::with_capacity(c.len());
            for (p, s) in ptrs.iter().zip(row.along) {
                // Not inbounds: see `loops`.
                next.push(unsafe { em.b.build_gep(em.cx.ctx.i8_type(), *p, &[*s], "")? }.into());
            }
            next.extend(step(em, &c[n..], x)?);
            Ok(next)
        })?;
        Ok(out[n..].to_vec())
    }

    /// `then` if `cond` else `orelse`, each emitted in its own block.
    fn if_else(
        &mut self,
        cond: IntValue<'ctx>,
        then: impl FnOnce(&mut Self) -> Result<BasicValueEnum<'ctx>>,
        orelse: impl FnOnce(&mut Self) -> Result<BasicValueEnum<'ctx>>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let ir = self.ir();
        let (then_bb, else_bb, merge) = (
            ir.append_block("then"),
            ir.append_block("else"),
            ir.append_block("endif"),
        );
        self.b.build_conditional_branch(cond, then_bb, else_bb)?;
        self.b.position_at_end(then_bb);
        let a = then(self)?;
        let a_end = self.b.get_insert_block().expect("builder is positioned");
        self.b.build_unconditional_branch(merge)?;
        self.b.position_at_end(else_bb);
        let b = orelse(self)?;
        let b_end = self.b.get_insert_block().expect("builder is positioned");
        self.b.build_unconditional_branch(merge)?;
        self.b.position_at_end(merge);
        let phi = self.b.build_phi(a.get_type(), "")?;
        phi.add_incoming(&[
            (&a as &dyn BasicValue, a_end),
            (&b as &dyn BasicValue, b_end),
        ]);
        Ok(phi.as_basic_value())
    }

    /// `x` of the numeric type `s` (a complex value has imaginary part 0).
    fn number(&self, s: Scalar, x: f64) -> Result<BasicValueEnum<'ctx>> {
        let ctx = self.cx.ctx;
        Ok(match s.kind() {
            Kind::Bool => ctx.bool_type().const_int(u64::from(x != 0.0), false).into(),
            Kind::Int => reg_type(ctx, &Type::Scalar(s))
                .into_int_type()
                .const_int(x as i64 as u64, true)
                .into(),
            Kind::Float => float_type(ctx, s).const_float(x).into(),
            Kind::Complex => {
                let t = float_type(ctx, s);
                self.ir().make_complex(t.const_float(x), t.const_zero())?
            }
        })
    }

    /// The largest (`high`) or smallest value of `s`: the identity of
    /// min (max); infinities for floats.
    fn extreme(&self, s: Scalar, high: bool) -> Result<BasicValueEnum<'ctx>> {
        let ctx = self.cx.ctx;
        Ok(match s.kind() {
            Kind::Bool => ctx.bool_type().const_int(u64::from(high), false).into(),
            Kind::Int => {
                let t = reg_type(ctx, &Type::Scalar(s)).into_int_type();
                let bits = s.bits();
                let v = match (s.is_signed(), high) {
                    (true, true) => (1u64 << (bits - 1)) - 1,
                    (true, false) => 1u64 << (bits - 1),
                    (false, true) => u64::MAX >> (64 - bits),
                    (false, false) => 0,
                };
                t.const_int(v, false).into()
            }
            Kind::Float => float_type(ctx, s)
                .const_float(if high {
                    f64::INFINITY
                } else {
                    f64::NEG_INFINITY
                })
                .into(),
            Kind::Complex => return unsupported("ordering of complex numbers"),
        })
    }

    fn is_nan(&self, v: BasicValueEnum<'ctx>, s: Scalar) -> Result<IntValue<'ctx>> {
        Ok(match s.kind() {
            Kind::Float => {
                let x = v.into_float_value();
                self.b.build_float_compare(FloatPredicate::UNO, x, x, "")?
            }
            _ => self.cx.ctx.bool_type().const_zero(),
        })
    }
}

/// The reduced axis of a source, for the per-output loops.
struct Row<'a, 'p, 'ctx> {
    src: &'a Source<'p, 'ctx>,
    k: usize,
    /// Its extent.
    m: IntValue<'ctx>,
    /// Each operand's byte stride along it.
    along: &'a [IntValue<'ctx>],
}

/// Reductions whose accumulator is the result itself (no position, no
/// final division), which `reduce_rows` can keep in the output array.
fn single_pass(op: ReduceOp) -> bool {
    use ReduceOp::*;
    matches!(op, Sum | Prod | Min | Max | All | Any)
}

/// The type an accumulation runs in.
fn accumulator(op: ReduceOp, dtype: Scalar, rs: Scalar) -> Scalar {
    match op {
        ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Mean => rs.strong(),
        _ => dtype,
    }
}

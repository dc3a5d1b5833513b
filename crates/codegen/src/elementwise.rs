//! `Elementwise`: NumPy broadcasting and one fused loop nest per array
//! expression.
//!
//! The result shape is the broadcast of the operands, folded left to right
//! (`shape` first, then the array inputs) so that a conflict names the
//! shapes NumPy names for the equivalent chain of binary operations:
//! `operands could not be broadcast together with shapes (3,) (4,) `. With
//! `out`, two forms are told apart: an in-place operation (`out` is also an
//! input, as for `a += b`) follows ufunc rules (all shapes named, then
//! `non-broadcastable output operand ...`); otherwise it is an assignment
//! (`a[1:] = b * c`): `could not broadcast input array from shape ... into
//! shape ...`.
//!
//! The loop writes `body` at every position. When the output and every
//! array input are contiguous with the result's shape (checked at run time
//! unless the layouts say so) it is one flat unit-stride loop that LLVM
//! vectorises; otherwise a nest with a pointer per operand. An `out` whose
//! memory overlaps an input read at other positions (`a[1:] = a[:-1]`) is
//! computed into a temporary and copied, so results match NumPy's.

use inkwell::values::{BasicValue, BasicValueEnum, IntValue, PointerValue};
use inkwell::IntPredicate;
use oxjit_abi::exc::NEGATIVE_DIMENSIONS;
use oxjit_runtime::symbols;
use oxjit_tir::oxjit_types::{ArrayType, Layout, Type};
use oxjit_tir::{Expr, ExprKind};

use crate::array::{array_type, ArrayParts};
use crate::func::FnEmitter;
use crate::loops::Operand;
use crate::{unsupported, Result};

/// What `ElemInput`/`ElemIndex` mean inside the body being emitted.
pub(crate) struct ElemFrame<'ctx> {
    pub inputs: Vec<BasicValueEnum<'ctx>>,
    pub index: Vec<IntValue<'ctx>>,
}

enum Input<'ctx> {
    /// A loop-invariant value.
    Scalar(BasicValueEnum<'ctx>),
    /// Its index in `Prepared::operands`.
    Array(usize),
}

/// An `Elementwise`'s evaluated inputs and its loop shape.
pub(crate) struct Prepared<'ctx> {
    pub shape: Vec<IntValue<'ctx>>,
    inputs: Vec<Input<'ctx>>,
    /// The array inputs as operands over `shape`.
    pub operands: Vec<Operand<'ctx>>,
}

impl<'ctx> Prepared<'ctx> {
    /// The scalar inputs' values (what `with_scalars` replaces).
    pub fn scalars(&self) -> Vec<BasicValueEnum<'ctx>> {
        self.inputs
            .iter()
            .filter_map(|i| match i {
                Input::Scalar(v) => Some(*v),
                Input::Array(_) => None,
            })
            .collect()
    }

    /// The same inputs with the scalar values replaced in order, the
    /// shape and operands given (e.g. their copies in another function).
    pub fn with(
        &self,
        scalars: Vec<BasicValueEnum<'ctx>>,
        shape: Vec<IntValue<'ctx>>,
        operands: Vec<Operand<'ctx>>,
    ) -> Prepared<'ctx> {
        let mut scalars = scalars.into_iter();
        let inputs = self
            .inputs
            .iter()
            .map(|i| match i {
                Input::Scalar(_) => {
                    Input::Scalar(scalars.next().expect("one value per scalar input"))
                }
                Input::Array(k) => Input::Array(*k),
            })
            .collect();
        Prepared {
            shape,
            inputs,
            operands,
        }
    }
}

/// How `out` takes part in broadcasting.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum OutRole {
    InPlace,
    Assign,
}

/// True if `e` reads `ElemIndex` (then the flat loop, which has no
/// per-dimension indices, is only possible in one dimension).
pub(crate) fn uses_index(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::ElemIndex(_)) || e.children().into_iter().any(uses_index)
}

impl<'e, 'ctx> FnEmitter<'e, 'ctx> {
    pub fn elementwise(
        &mut self,
        e: &Expr,
        inputs: &[Expr],
        body: &Expr,
        shape: Option<&[Expr]>,
        out: Option<&Expr>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let mark = self.mark();
        let fixed = self.extents(shape)?;
        let Some(out) = out else {
            let at = array_type(e)?;
            let p = self.prepare(inputs, fixed, at.ndim as usize, None)?;
            let result = self.alloc_array(at.dtype, &p.shape)?;
            self.hold(result, &e.ty)?;
            if matches!(body.kind, ExprKind::Uninit) {
                // `np.empty`: nothing to write.
                self.release_below_top(mark)?;
                return Ok(result);
            }
            let parts = self.array_parts(result, at.ndim)?;
            let target = self.operand(at, &parts, at.ndim as usize, &p.shape)?;
            self.fill(&p, target, body)?;
            self.release_below_top(mark)?;
            return Ok(result);
        };
        let ot = array_type(out)?;
        let o = self.borrow(out)?;
        let parts = self.array_parts(o, ot.ndim)?;
        // Typeck emits `a op= b` with the target repeated as an input.
        let role = if inputs
            .iter()
            .any(|x| format!("{x:?}") == format!("{out:?}"))
        {
            OutRole::InPlace
        } else {
            OutRole::Assign
        };
        let p = self.prepare(inputs, fixed, ot.ndim as usize, Some((&parts.shape, role)))?;
        let target = self.operand(ot, &parts, ot.ndim as usize, &p.shape)?;
        self.fill_out(&p, target, ot, body)?;
        self.release_to(mark)?;
        Ok(self.cx.ctx.struct_type(&[], false).const_zero().into())
    }

    /// The evaluated `shape` extents of an `Elementwise` (evaluated first),
    /// which NumPy requires to be non-negative.
    pub fn extents(&mut self, shape: Option<&[Expr]>) -> Result<Option<Vec<IntValue<'ctx>>>> {
        let Some(xs) = shape else { return Ok(None) };
        let zero = self.cx.ctx.i64_type().const_zero();
        let mut dims = Vec::with_capacity(xs.len());
        let mut ok = self.cx.ctx.bool_type().const_all_ones();
        for x in xs {
            let d = self.int64(x)?;
            ok = self.b.build_and(
                ok,
                self.b.build_int_compare(IntPredicate::SGE, d, zero, "")?,
                "",
            )?;
            dims.push(d);
        }
        self.raise_unless(ok, NEGATIVE_DIMENSIONS)?;
        Ok(Some(dims))
    }

    /// Evaluates the inputs (after the extents and `out`, which the caller
    /// evaluated) and broadcasts them to the loop shape of `nd` dimensions.
    pub fn prepare(
        &mut self,
        inputs: &[Expr],
        fixed: Option<Vec<IntValue<'ctx>>>,
        nd: usize,
        out: Option<(&[IntValue<'ctx>], OutRole)>,
    ) -> Result<Prepared<'ctx>> {
        let mut ins = Vec::with_capacity(inputs.len());
        let mut arrays = Vec::new();
        for x in inputs {
            if let Some(at) = x.ty.array() {
                let v = self.borrow(x)?;
                arrays.push((self.array_parts(v, at.ndim)?, at));
                ins.push(Input::Array(arrays.len() - 1));
            } else {
                ins.push(Input::Scalar(self.expr(x)?));
            }
        }
        let shapes: Vec<Vec<IntValue>> = fixed
            .into_iter()
            .chain(arrays.iter().map(|(p, _)| p.shape.clone()))
            .collect();
        let result = self.broadcast(nd, shapes, out)?;
        let mut operands = Vec::with_capacity(arrays.len());
        for (parts, at) in &arrays {
            operands.push(self.operand(*at, parts, nd, &result)?);
        }
        Ok(Prepared {
            shape: result,
            inputs: ins,
            operands,
        })
    }

    /// The loop shape (`nd` dimensions): the operands' shapes broadcast
    /// left to right (see the module docs), checked against `out`'s shape
    /// if given. An assigned value may have more dimensions than `out` if
    /// the extra leading ones have length 1, as NumPy allows. Inline, only
    /// the common case: every shape equal to `out`'s (or to the first);
    /// anything else is resolved, or reported with NumPy's message, by
    /// `oxjit_rt_broadcast`, which keeps array statements small to compile.
    fn broadcast(
        &mut self,
        nd: usize,
        shapes: Vec<Vec<IntValue<'ctx>>>,
        out: Option<(&[IntValue<'ctx>], OutRole)>,
    ) -> Result<Vec<IntValue<'ctx>>> {
        let width = shapes.iter().map(Vec::len).max().unwrap_or(0).max(nd);
        if out.is_none() && width > nd {
            return unsupported(format!(
                "a {width}-d operand of a {nd}-d elementwise result"
            ));
        }
        let reference = match (out, shapes.first()) {
            (Some((o, _)), _) => o.to_vec(),
            (None, Some(s)) => s.clone(),
            (None, None) => return Ok(Vec::new()),
        };
        let bool_t = self.cx.ctx.bool_type();
        let mut same = bool_t.const_all_ones();
        if reference.len() != nd || shapes.iter().any(|s| s.len() != nd) {
            same = bool_t.const_zero();
        } else {
            for s in shapes.iter().filter(|s| **s != reference) {
                for (&x, &r) in s.iter().zip(&reference) {
                    let eq = self.b.build_int_compare(IntPredicate::EQ, x, r, "")?;
                    same = self.b.build_and(same, eq, "")?;
                }
            }
        }
        match same.get_zero_extended_constant() {
            Some(1) => return Ok(reference),
            Some(_) => return self.broadcast_call(nd, &shapes, out),
            None => {}
        }
        let ir = self.ir();
        let (general, done) = (
            ir.append_block("broadcast"),
            ir.append_block("broadcast.done"),
        );
        let fast_end = self.b.get_insert_block().expect("builder is positioned");
        self.b.build_conditional_branch(same, done, general)?;
        self.b.position_at_end(general);
        let general_dims = self.broadcast_call(nd, &shapes, out)?;
        let general_end = self.b.get_insert_block().expect("builder is positioned");
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        let i64t = self.cx.ctx.i64_type();
        let mut dims = Vec::with_capacity(nd);
        for (r, g) in reference.iter().zip(&general_dims) {
            let phi = self.b.build_phi(i64t, "")?;
            phi.add_incoming(&[
                (r as &dyn BasicValue, fast_end),
                (g as &dyn BasicValue, general_end),
            ]);
            dims.push(phi.as_basic_value().into_int_value());
        }
        Ok(dims)
    }

    /// `oxjit_rt_broadcast` of `shapes` (see `broadcast`): the loop shape,
    /// or a return with its status.
    fn broadcast_call(
        &mut self,
        nd: usize,
        shapes: &[Vec<IntValue<'ctx>>],
        out: Option<(&[IntValue<'ctx>], OutRole)>,
    ) -> Result<Vec<IntValue<'ctx>>> {
        let ctx = self.cx.ctx;
        let i64t = ctx.i64_type();
        let all: Vec<IntValue> = shapes.iter().flatten().copied().collect();
        let ndims: Vec<IntValue> = shapes
            .iter()
            .map(|s| i64t.const_int(s.len() as u64, false))
            .collect();
        let (o, role) = match out {
            Some((o, OutRole::InPlace)) => (o, 1),
            Some((o, OutRole::Assign)) => (o, 2),
            None => (&[][..], 0),
        };
        let result = self.entry_alloca(i64t.array_type(nd.max(1) as u32), "shape")?;
        let args = [
            result.into(),
            i64t.const_int(nd as u64, false).into(),
            self.dims_buffer(&all)?.into(),
            self.dims_buffer(&ndims)?.into(),
            i64t.const_int(shapes.len() as u64, false).into(),
            self.dims_buffer(o)?.into(),
            i64t.const_int(o.len() as u64, false).into(),
            i64t.const_int(role, false).into(),
        ];
        let f = self.cx.rt(&symbols::BROADCAST);
        let status = self.ir().call(f, &args)?.into_int_value();
        let ok = self.b.build_int_compare(
            IntPredicate::EQ,
            status,
            status.get_type().const_zero(),
            "",
        )?;
        self.fail_unless(ok, |_| Ok(status))?;
        let mut general_dims = Vec::with_capacity(nd);
        for k in 0..nd {
            // SAFETY: k < nd, the buffer's length.
            let p = unsafe {
                self.b
                    .build_in_bounds_gep(i64t, result, &[i64t.const_int(k as u64, false)], "")?
            };
            general_dims.push(self.b.build_load(i64t, p, "")?.into_int_value());
        }
        Ok(general_dims)
    }

    /// A stack array holding `values`, for a runtime call.
    pub fn dims_buffer(&self, values: &[IntValue<'ctx>]) -> Result<PointerValue<'ctx>> {
        let i64t = self.cx.ctx.i64_type();
        let buf = self.entry_alloca(i64t.array_type(values.len().max(1) as u32), "dims")?;
        for (k, v) in values.iter().enumerate() {
            // SAFETY: k < the buffer's length.
            let p = unsafe {
                self.b
                    .build_in_bounds_gep(i64t, buf, &[i64t.const_int(k as u64, false)], "")?
            };
            self.b.build_store(p, *v)?;
        }
        Ok(buf)
    }

    /// Array `parts` of type `at` as an operand of a loop over `shape`
    /// (`nd` dimensions, which it broadcasts to; extra leading dimensions,
    /// of length 1, are dropped).
    pub fn operand(
        &self,
        at: ArrayType,
        parts: &ArrayParts<'ctx>,
        nd: usize,
        shape: &[IntValue<'ctx>],
    ) -> Result<Operand<'ctx>> {
        let i64t = self.cx.ctx.i64_type();
        let skip = parts.shape.len().saturating_sub(nd);
        let mut strides = vec![i64t.const_zero(); nd - (parts.shape.len() - skip)];
        for (&n, &s) in parts.shape[skip..].iter().zip(&parts.strides[skip..]) {
            // A length-1 extent is broadcast (stride 0); stride 0 there also
            // lets LLVM see identical operands as such.
            let unit =
                self.b
                    .build_int_compare(IntPredicate::EQ, n, i64t.const_int(1, false), "")?;
            strides.push(self.ir().iselect(unit, i64t.const_zero(), s)?);
        }
        // A view of several dimensions that typeck could not prove
        // contiguous is (almost) never contiguous at run time: no flat
        // loop, which would only be compiled and never run.
        if at.layout != Layout::C && at.ndim >= 2 {
            return Ok(Operand {
                data: parts.data,
                strides,
                dtype: at.dtype,
                flat: self.cx.ctx.bool_type().const_zero(),
            });
        }
        // Flat when not broadcast (as many elements as the loop) and C-contiguous.
        let same_size = self.b.build_int_compare(
            IntPredicate::EQ,
            self.product(&parts.shape)?,
            self.product(shape)?,
            "",
        )?;
        let flat = self
            .b
            .build_and(same_size, self.is_c_contiguous(at, parts)?, "")?;
        Ok(Operand {
            data: parts.data,
            strides,
            dtype: at.dtype,
            flat,
        })
    }

    /// The conjunction of operands' `flat` flags (a constant when they are).
    pub fn all_flat(&self, flags: &[IntValue<'ctx>]) -> Result<IntValue<'ctx>> {
        let bool_t = self.cx.ctx.bool_type();
        if flags
            .iter()
            .any(|f| f.get_zero_extended_constant() == Some(0))
        {
            return Ok(bool_t.const_zero());
        }
        let mut all = bool_t.const_all_ones();
        for &f in flags {
            if f.get_zero_extended_constant() != Some(1) {
                all = self.b.build_and(all, f, "")?;
            }
        }
        Ok(all)
    }

    /// Writes `body` at every position of `target`; with `parallel=True`,
    /// on the thread pool when the array is large (see `parallel`).
    fn fill(&mut self, p: &Prepared<'ctx>, target: Operand<'ctx>, body: &Expr) -> Result<()> {
        let mut flat = None;
        if p.shape.len() <= 1 || !uses_index(body) {
            let flags: Vec<IntValue> = std::iter::once(target.flat)
                .chain(p.operands.iter().map(|o| o.flat))
                .collect();
            flat = Some(self.all_flat(&flags)?);
        }
        let ops: Vec<Operand> = std::iter::once(target)
            .chain(p.operands.iter().cloned())
            .collect();
        if self.f.flags.parallel && self.elem.is_empty() && !uses_index(body) {
            return self.par_fill(p, &ops, flat.expect("no index, so a flat test"), body);
        }
        self.fill_nest(p, &ops, &p.shape, flat, body)
    }

    /// The loop nest of `fill` over `shape`: `ops[0]` is the target, the
    /// others `p`'s array inputs.
    pub fn fill_nest(
        &mut self,
        p: &Prepared<'ctx>,
        ops: &[Operand<'ctx>],
        shape: &[IntValue<'ctx>],
        flat: Option<IntValue<'ctx>>,
        body: &Expr,
    ) -> Result<()> {
        let dtype = ops[0].dtype;
        self.nest(shape, ops, Vec::new(), flat, &mut |em, ptrs, index, _| {
            let v = em.elem_value(p, &ptrs[1..], index, body)?;
            em.store_scalar(ptrs[0], v, dtype)?;
            Ok(Vec::new())
        })?;
        Ok(())
    }

    /// `body` at one position, given the array inputs' element pointers.
    pub fn elem_value(
        &mut self,
        p: &Prepared<'ctx>,
        ptrs: &[PointerValue<'ctx>],
        index: &[IntValue<'ctx>],
        body: &Expr,
    ) -> Result<BasicValueEnum<'ctx>> {
        let mut values = Vec::with_capacity(p.inputs.len());
        for input in &p.inputs {
            values.push(match input {
                Input::Scalar(v) => *v,
                Input::Array(k) => self.load_scalar(ptrs[*k], p.operands[*k].dtype)?,
            });
        }
        self.elem.push(ElemFrame {
            inputs: values,
            index: index.to_vec(),
        });
        let v = self.expr(body);
        self.elem.pop();
        v
    }

    /// `fill` into `out`, through a temporary when `out` overlaps an input
    /// that is read at other positions than those written.
    fn fill_out(
        &mut self,
        p: &Prepared<'ctx>,
        out: Operand<'ctx>,
        ot: ArrayType,
        body: &Expr,
    ) -> Result<()> {
        if p.operands.is_empty() {
            return self.fill(p, out, body);
        }
        let ctx = self.cx.ctx;
        let n = self.product(&p.shape)?;
        let nonempty =
            self.b
                .build_int_compare(IntPredicate::SGT, n, ctx.i64_type().const_zero(), "")?;
        let (out_lo, out_hi) = self.extent(&out, &p.shape)?;
        let mut copy = ctx.bool_type().const_zero();
        for o in &p.operands {
            let (lo, hi) = self.extent(o, &p.shape)?;
            let overlap = self.b.build_and(
                self.b
                    .build_int_compare(IntPredicate::ULT, lo, out_hi, "")?,
                self.b
                    .build_int_compare(IntPredicate::ULT, out_lo, hi, "")?,
                "",
            )?;
            let mut same = if o.dtype.size() == out.dtype.size() {
                self.b
                    .build_int_compare(IntPredicate::EQ, o.data, out.data, "")?
            } else {
                ctx.bool_type().const_zero()
            };
            for (a, b) in o.strides.iter().zip(&out.strides) {
                same = self.b.build_and(
                    same,
                    self.b.build_int_compare(IntPredicate::EQ, *a, *b, "")?,
                    "",
                )?;
            }
            copy = self.b.build_or(
                copy,
                self.b.build_and(overlap, self.b.build_not(same, "")?, "")?,
                "",
            )?;
        }
        let copy = self.b.build_and(copy, nonempty, "")?;
        let tmp_type = ArrayType::new(ot.dtype, ot.ndim, Layout::C);
        let entry = self.new_temp(&Type::Array(tmp_type))?;
        let ir = self.ir();
        let (alloc_bb, join, copy_bb, done) = (
            ir.append_block("overlap"),
            ir.append_block("overlap.join"),
            ir.append_block("overlap.copy"),
            ir.append_block("overlap.done"),
        );
        let pre = self.b.get_insert_block().expect("builder is positioned");
        self.b.build_conditional_branch(copy, alloc_bb, join)?;
        self.b.position_at_end(alloc_bb);
        let tmp = self.alloc_array(ot.dtype, &p.shape)?;
        self.fill_temp(entry, tmp, &Type::Array(tmp_type))?;
        let tmp_parts = self.array_parts(tmp, ot.ndim)?;
        let tmp_op = self.operand(tmp_type, &tmp_parts, ot.ndim as usize, &p.shape)?;
        let alloc_end = self.b.get_insert_block().expect("builder is positioned");
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(join);
        let pick = |em: &Self,
                    a: BasicValueEnum<'ctx>,
                    b: BasicValueEnum<'ctx>|
         -> Result<BasicValueEnum<'ctx>> {
            let phi = em.b.build_phi(a.get_type(), "")?;
            phi.add_incoming(&[(&a, alloc_end), (&b, pre)]);
            Ok(phi.as_basic_value())
        };
        let target = Operand {
            data: pick(self, tmp_op.data.into(), out.data.into())?.into_pointer_value(),
            strides: tmp_op
                .strides
                .iter()
                .zip(&out.strides)
                .map(|(a, b)| Ok(pick(self, (*a).into(), (*b).into())?.into_int_value()))
                .collect::<Result<_>>()?,
            dtype: ot.dtype,
            flat: pick(self, tmp_op.flat.into(), out.flat.into())?.into_int_value(),
        };
        self.fill(p, target.clone(), body)?;
        self.b.build_conditional_branch(copy, copy_bb, done)?;
        self.b.position_at_end(copy_bb);
        // Rarely taken: a runtime call keeps a second loop nest out of
        // every function that assigns to a possibly overlapping target.
        let i64t = ctx.i64_type();
        let copier = self.cx.rt(&symbols::COPY_STRIDED);
        let args: [inkwell::values::BasicMetadataValueEnum; 7] = [
            out.data.into(),
            self.dims_buffer(&out.strides)?.into(),
            target.data.into(),
            self.dims_buffer(&target.strides)?.into(),
            self.dims_buffer(&p.shape)?.into(),
            i64t.const_int(p.shape.len() as u64, false).into(),
            i64t.const_int(ot.dtype.size() as u64, false).into(),
        ];
        self.b.build_call(copier, &args, "")?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// The byte range `[lo, hi)` an operand's elements occupy over `shape`
    /// (as integers; meaningful only for a non-empty loop).
    fn extent(
        &self,
        o: &Operand<'ctx>,
        shape: &[IntValue<'ctx>],
    ) -> Result<(IntValue<'ctx>, IntValue<'ctx>)> {
        let i64t = self.cx.ctx.i64_type();
        let (mut lo, mut hi) = (i64t.const_zero(), i64t.const_zero());
        for (&n, &s) in shape.iter().zip(&o.strides) {
            let span = self.b.build_int_mul(
                self.b.build_int_sub(n, i64t.const_int(1, false), "")?,
                s,
                "",
            )?;
            let negative =
                self.b
                    .build_int_compare(IntPredicate::SLT, span, i64t.const_zero(), "")?;
            lo = self.b.build_int_add(
                lo,
                self.ir().iselect(negative, span, i64t.const_zero())?,
                "",
            )?;
            hi = self.b.build_int_add(
                hi,
                self.ir().iselect(negative, i64t.const_zero(), span)?,
                "",
            )?;
        }
        let base = self.b.build_ptr_to_int(o.data, i64t, "")?;
        let size = i64t.const_int(o.dtype.size() as u64, false);
        Ok((
            self.b.build_int_add(base, lo, "")?,
            self.b
                .build_int_add(self.b.build_int_add(base, hi, "")?, size, "")?,
        ))
    }
}

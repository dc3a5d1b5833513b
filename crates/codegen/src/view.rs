//! Views: `View` (basic indexing with Python's slice semantics),
//! `Transpose` and `Reshape`. A view shares its source's memory: same
//! meminfo and parent, a data pointer offset into the source, and its own
//! shape and strides. An owned view holds one more reference to the
//! meminfo; a borrowed view (a use that only reads it, see `nrt::borrow`)
//! holds none: its source stays pending, borrowed or held, until the end
//! of the use, so slices inside an expression cost no reference counting.

use inkwell::values::{BasicValueEnum, IntValue};
use inkwell::IntPredicate;
use oxjit_abi::exc::{INDEX_OUT_OF_BOUNDS, SLICE_STEP_ZERO};
use oxjit_runtime::symbols;
use oxjit_tir::oxjit_types::Layout;
use oxjit_tir::{Expr, ViewDim};

use crate::array::{array_type, ArrayParts};
use crate::func::FnEmitter;
use crate::nrt::Ownership;
use crate::{unsupported, Result};

impl<'ctx> FnEmitter<'_, 'ctx> {
    /// The view of the borrowed `array` that `make` derives from its parts;
    /// owned (its meminfo gains a reference) and pending, or borrowed.
    fn derive_view(
        &mut self,
        e: &Expr,
        array: &Expr,
        own: Ownership,
        make: impl FnOnce(&mut Self, ArrayParts<'ctx>) -> Result<ArrayParts<'ctx>>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let (src, rt) = (array_type(array)?, array_type(e)?);
        let mark = self.mark();
        let a = self.borrow(array)?;
        let parts = self.array_parts(a, src.ndim)?;
        let parts = make(self, parts)?;
        if parts.shape.len() != rt.ndim as usize {
            return unsupported(format!("a {}-d view typed {:#}", parts.shape.len(), e.ty));
        }
        let v = self.build_array(rt, &parts)?;
        if own == Ownership::Owned {
            self.incref(v, &e.ty)?;
            self.release_to(mark)?;
            self.hold(v, &e.ty)?;
        }
        Ok(v)
    }

    pub fn view(
        &mut self,
        e: &Expr,
        array: &Expr,
        dims: &[ViewDim],
        boundscheck: bool,
        own: Ownership,
    ) -> Result<BasicValueEnum<'ctx>> {
        self.derive_view(e, array, own, |em, src| {
            let i64t = em.cx.ctx.i64_type();
            let mut offset = i64t.const_zero();
            let (mut shape, mut strides) = (Vec::new(), Vec::new());
            let mut j = 0;
            for d in dims {
                if !matches!(d, ViewDim::NewAxis) && j >= src.shape.len() {
                    return unsupported("more indices than dimensions");
                }
                match d {
                    ViewDim::Index(x) => {
                        let i = em.int64(x)?;
                        let n = src.shape[j];
                        let negative =
                            em.b.build_int_compare(IntPredicate::SLT, i, i64t.const_zero(), "")?;
                        let i = em
                            .ir()
                            .iselect(negative, em.b.build_int_add(i, n, "")?, i)?;
                        if boundscheck {
                            // Unsigned, so a still-negative index fails too.
                            let ok = em.b.build_int_compare(IntPredicate::ULT, i, n, "")?;
                            em.raise_unless(ok, INDEX_OUT_OF_BOUNDS)?;
                        }
                        offset = em.b.build_int_add(
                            offset,
                            em.b.build_int_mul(i, src.strides[j], "")?,
                            "",
                        )?;
                        j += 1;
                    }
                    ViewDim::Slice { start, stop, step } => {
                        let (first, len, step) =
                            em.slice(start.as_ref(), stop.as_ref(), step.as_ref(), src.shape[j])?;
                        offset = em.b.build_int_add(
                            offset,
                            em.b.build_int_mul(first, src.strides[j], "")?,
                            "",
                        )?;
                        shape.push(len);
                        strides.push(em.b.build_int_mul(step, src.strides[j], "")?);
                        j += 1;
                    }
                    ViewDim::NewAxis => {
                        shape.push(i64t.const_int(1, false));
                        strides.push(i64t.const_zero());
                    }
                }
            }
            shape.extend_from_slice(&src.shape[j..]);
            strides.extend_from_slice(&src.strides[j..]);
            // SAFETY (not inbounds): an empty slice may start one past the end.
            let data = unsafe {
                em.b.build_gep(em.cx.ctx.i8_type(), src.data, &[offset], "view")?
            };
            Ok(ArrayParts {
                data,
                shape,
                strides,
                ..src
            })
        })
    }

    /// Python's `slice(start, stop, step).indices(n)`: the first index, the
    /// number of elements and the step.
    fn slice(
        &mut self,
        start: Option<&Expr>,
        stop: Option<&Expr>,
        step: Option<&Expr>,
        n: IntValue<'ctx>,
    ) -> Result<(IntValue<'ctx>, IntValue<'ctx>, IntValue<'ctx>)> {
        let i64t = self.cx.ctx.i64_type();
        let (zero, one) = (i64t.const_zero(), i64t.const_int(1, false));
        let start = start.map(|x| self.int64(x)).transpose()?;
        let stop = stop.map(|x| self.int64(x)).transpose()?;
        let step = match step {
            Some(x) => {
                let s = self.int64(x)?;
                let ok = self.b.build_int_compare(IntPredicate::NE, s, zero, "")?;
                self.raise_unless(ok, SLICE_STEP_ZERO)?;
                s
            }
            None => one,
        };
        let (b, ir) = (&self.b, self.ir());
        let back = b.build_int_compare(IntPredicate::SLT, step, zero, "back")?;
        let lower = ir.iselect(back, i64t.const_all_ones(), zero)?;
        let upper = ir.iselect(back, b.build_int_sub(n, one, "")?, n)?;
        let clamp =
            |x: Option<IntValue<'ctx>>, default: IntValue<'ctx>| -> Result<IntValue<'ctx>> {
                let Some(x) = x else { return Ok(default) };
                let negative = b.build_int_compare(IntPredicate::SLT, x, zero, "")?;
                let from_end = b.build_int_add(x, n, "")?;
                let low = ir.iselect(
                    b.build_int_compare(IntPredicate::SLT, from_end, lower, "")?,
                    lower,
                    from_end,
                )?;
                let high = ir.iselect(
                    b.build_int_compare(IntPredicate::SGT, x, upper, "")?,
                    upper,
                    x,
                )?;
                ir.iselect(negative, low, high)
            };
        let first = clamp(start, ir.iselect(back, upper, lower)?)?;
        let last = clamp(stop, ir.iselect(back, lower, upper)?)?;
        // (distance - 1) / |step| + 1 elements when the distance is positive.
        let (dist, mag) = (
            ir.iselect(
                back,
                b.build_int_sub(first, last, "")?,
                b.build_int_sub(last, first, "")?,
            )?,
            ir.iselect(back, b.build_int_neg(step, "")?, step)?,
        );
        let count = if mag.get_zero_extended_constant() == Some(1) {
            dist
        } else {
            b.build_int_add(
                b.build_int_signed_div(b.build_int_sub(dist, one, "")?, mag, "")?,
                one,
                "",
            )?
        };
        let positive = b.build_int_compare(IntPredicate::SGT, dist, zero, "")?;
        Ok((first, ir.iselect(positive, count, zero)?, step))
    }

    pub fn transpose(
        &mut self,
        e: &Expr,
        array: &Expr,
        axes: &[usize],
        own: Ownership,
    ) -> Result<BasicValueEnum<'ctx>> {
        self.derive_view(e, array, own, |_, src| {
            if axes.iter().any(|&a| a >= src.shape.len()) {
                return unsupported(format!(
                    "transpose axes {axes:?} of a {}-d array",
                    src.shape.len()
                ));
            }
            let shape = axes.iter().map(|&a| src.shape[a]).collect();
            let strides = axes.iter().map(|&a| src.strides[a]).collect();
            Ok(ArrayParts {
                shape,
                strides,
                ..src
            })
        })
    }

    /// A C-contiguous array with a new shape; the runtime infers a negative
    /// extent and reports a size mismatch with NumPy's message.
    pub fn reshape(
        &mut self,
        e: &Expr,
        array: &Expr,
        shape: &[Expr],
        own: Ownership,
    ) -> Result<BasicValueEnum<'ctx>> {
        let src = array_type(array)?;
        if src.layout != Layout::C {
            return unsupported(format!("reshape of a non-C array {:#}", array.ty));
        }
        self.derive_view(e, array, own, |em, parts| {
            let dims = shape
                .iter()
                .map(|x| em.int64(x))
                .collect::<Result<Vec<_>>>()?;
            let ctx = em.cx.ctx;
            let i64t = ctx.i64_type();
            let buf = em.dims_buffer(&dims)?;
            let f = em.cx.rt(&symbols::RESHAPE_SHAPE);
            let size = em.product(&parts.shape)?;
            let n = i64t.const_int(dims.len() as u64, false);
            let status = em
                .ir()
                .call(f, &[size.into(), buf.into(), n.into()])?
                .into_int_value();
            let ok = em.b.build_int_compare(
                IntPredicate::EQ,
                status,
                status.get_type().const_zero(),
                "",
            )?;
            em.fail_unless(ok, |_| Ok(status))?;
            let mut resolved = Vec::with_capacity(dims.len());
            for k in 0..dims.len() {
                // SAFETY: k < the buffer's length.
                let p = unsafe {
                    em.b.build_in_bounds_gep(i64t, buf, &[i64t.const_int(k as u64, false)], "")?
                };
                resolved.push(em.b.build_load(i64t, p, "")?.into_int_value());
            }
            let strides = em.c_strides(&resolved, src.dtype.size())?;
            Ok(ArrayParts {
                shape: resolved,
                strides,
                ..parts
            })
        })
    }
}

//! Loops over arrays: counted loops that carry values in registers (phis),
//! and loop nests over a shape that advance one byte pointer per array
//! operand by its stride (no index multiplications), optionally preceded
//! by a run-time choice of one flat unit-stride loop when every operand is
//! contiguous, which LLVM vectorises.

use inkwell::values::{BasicValue, BasicValueEnum, IntValue, PointerValue};
use inkwell::IntPredicate;
use oxjit_tir::oxjit_types::{Scalar, Type};

use crate::func::FnEmitter;
use crate::types::mem_type;
use crate::Result;

/// An array operand of a loop nest.
#[derive(Clone)]
pub(crate) struct Operand<'ctx> {
    pub data: PointerValue<'ctx>,
    /// Byte stride along each loop dimension (0 where broadcast).
    pub strides: Vec<IntValue<'ctx>>,
    pub dtype: Scalar,
    /// True at run time if element `i` of the loop (in C order) is element
    /// `i` of `data`: the flat loop may be used.
    pub flat: IntValue<'ctx>,
}

/// The body of a loop nest: element pointers (one per operand), the index
/// along each dimension (in the flat loop: only for a 1-D nest), and the
/// carried values; returns the carried values for the next element.
pub(crate) type ElementBody<'b, 'e, 'ctx> = dyn FnMut(
        &mut FnEmitter<'e, 'ctx>,
        &[PointerValue<'ctx>],
        &[IntValue<'ctx>],
        &[BasicValueEnum<'ctx>],
    ) -> Result<Vec<BasicValueEnum<'ctx>>>
    + 'b;

/// The body of a counted loop: the index and the carried values; returns
/// the carried values for the next iteration.
pub(crate) type LoopBody<'b, 'e, 'ctx> = dyn FnMut(
        &mut FnEmitter<'e, 'ctx>,
        IntValue<'ctx>,
        &[BasicValueEnum<'ctx>],
    ) -> Result<Vec<BasicValueEnum<'ctx>>>
    + 'b;

impl<'e, 'ctx> FnEmitter<'e, 'ctx> {
    /// `for i in 0..n`, with `init` carried through the iterations; returns
    /// the carried values after the last one.
    pub fn counted_loop(
        &mut self,
        n: IntValue<'ctx>,
        init: &[BasicValueEnum<'ctx>],
        body: &mut LoopBody<'_, 'e, 'ctx>,
    ) -> Result<Vec<BasicValueEnum<'ctx>>> {
        let pre = self.b.get_insert_block().expect("builder is positioned");
        let ir = self.ir();
        let (header, body_bb, exit) = (
            ir.append_block("loop"),
            ir.append_block("loop.body"),
            ir.append_block("loop.end"),
        );
        self.b.build_unconditional_branch(header)?;
        self.b.position_at_end(header);
        let i64t = self.cx.ctx.i64_type();
        let i = self.b.build_phi(i64t, "i")?;
        i.add_incoming(&[(&i64t.const_zero(), pre)]);
        let mut phis = Vec::with_capacity(init.len());
        for v in init {
            let phi = self.b.build_phi(v.get_type(), "")?;
            phi.add_incoming(&[(v as &dyn BasicValue, pre)]);
            phis.push(phi);
        }
        let i_val = i.as_basic_value().into_int_value();
        let more = self
            .b
            .build_int_compare(IntPredicate::SLT, i_val, n, "more")?;
        self.b.build_conditional_branch(more, body_bb, exit)?;
        self.b.position_at_end(body_bb);
        let current: Vec<BasicValueEnum> = phis.iter().map(|p| p.as_basic_value()).collect();
        let mut next = Vec::new();
        self.with_own_calls(|e| {
            next = body(e, i_val, &current)?;
            Ok(())
        })?;
        let latch = self.b.get_insert_block().expect("builder is positioned");
        let i_next = self
            .b
            .build_int_nsw_add(i_val, i64t.const_int(1, false), "")?;
        self.b.build_unconditional_branch(header)?;
        i.add_incoming(&[(&i_next, latch)]);
        for (phi, v) in phis.iter().zip(&next) {
            phi.add_incoming(&[(v as &dyn BasicValue, latch)]);
        }
        self.b.position_at_end(exit);
        Ok(current)
    }

    /// Emits a loop body with `emit`; true if it called scalar libm
    /// functions. Those calls are then forgotten, so that an enclosing loop
    /// counts only the calls in its own body.
    pub fn with_own_calls(&mut self, emit: impl FnOnce(&mut Self) -> Result<()>) -> Result<bool> {
        let before = self.cx.scalar_calls.get();
        emit(self)?;
        let called = self.cx.scalar_calls.get() > before;
        self.cx.scalar_calls.set(before);
        Ok(called)
    }

    /// The product of `xs` (1 for none).
    pub fn product(&self, xs: &[IntValue<'ctx>]) -> Result<IntValue<'ctx>> {
        let mut p = self.cx.ctx.i64_type().const_int(1, false);
        for &x in xs {
            p = self.b.build_int_mul(p, x, "")?;
        }
        Ok(p)
    }

    /// Runs `body` for every position of `shape` (C order), carrying
    /// `carried`; with `flat` (a run-time condition that the caller derived
    /// from the operands' `flat` flags), first branches to a single flat
    /// loop over all elements when it holds.
    pub fn nest(
        &mut self,
        shape: &[IntValue<'ctx>],
        ops: &[Operand<'ctx>],
        carried: Vec<BasicValueEnum<'ctx>>,
        flat: Option<IntValue<'ctx>>,
        body: &mut ElementBody<'_, 'e, 'ctx>,
    ) -> Result<Vec<BasicValueEnum<'ctx>>> {
        let starts: Vec<PointerValue> = ops.iter().map(|o| o.data).collect();
        // A constant test emits only the loop it picks.
        let flat = flat.filter(|f| f.get_zero_extended_constant() != Some(0));
        let Some(flat) = flat else {
            return self.nest_level(0, shape, ops, starts, Vec::new(), carried, body);
        };
        let ir = self.ir();
        let (flat_bb, nest_bb, merge) = (
            ir.append_block("flat"),
            ir.append_block("nest"),
            ir.append_block("nest.end"),
        );
        self.b.build_conditional_branch(flat, flat_bb, nest_bb)?;
        self.b.position_at_end(flat_bb);
        let n = self.product(shape)?;
        let one_d = shape.len() == 1;
        let from_flat = self.counted_loop(n, &carried, &mut |em, i, c| {
            let mut ptrs = Vec::with_capacity(ops.len());
            for o in ops {
                let elem = mem_type(em.cx.ctx, &Type::Scalar(o.dtype));
                // SAFETY: `flat` says elements 0..n are those of the operand.
                ptrs.push(unsafe { em.b.build_in_bounds_gep(elem, o.data, &[i], "")? });
            }
            let index = [i];
            body(em, &ptrs, if one_d { &index } else { &[] }, c)
        })?;
        let flat_end = self.b.get_insert_block().expect("builder is positioned");
        self.b.build_unconditional_branch(merge)?;
        self.b.position_at_end(nest_bb);
        let from_nest = self.nest_level(0, shape, ops, starts, Vec::new(), carried, body)?;
        let nest_end = self.b.get_insert_block().expect("builder is positioned");
        self.b.build_unconditional_branch(merge)?;
        self.b.position_at_end(merge);
        let mut out = Vec::with_capacity(from_flat.len());
        for (a, b) in from_flat.iter().zip(&from_nest) {
            let phi = self.b.build_phi(a.get_type(), "")?;
            phi.add_incoming(&[
                (a as &dyn BasicValue, flat_end),
                (b as &dyn BasicValue, nest_end),
            ]);
            out.push(phi.as_basic_value());
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn nest_level(
        &mut self,
        d: usize,
        shape: &[IntValue<'ctx>],
        ops: &[Operand<'ctx>],
        ptrs: Vec<PointerValue<'ctx>>,
        index: Vec<IntValue<'ctx>>,
        carried: Vec<BasicValueEnum<'ctx>>,
        body: &mut ElementBody<'_, 'e, 'ctx>,
    ) -> Result<Vec<BasicValueEnum<'ctx>>> {
        if d == shape.len() {
            return body(self, &ptrs, &index, &carried);
        }
        let k = ptrs.len();
        let init: Vec<BasicValueEnum> = ptrs.iter().map(|p| (*p).into()).chain(carried).collect();
        let done = self.counted_loop(shape[d], &init, &mut |em, i, c| {
            let here: Vec<PointerValue> = c[..k].iter().map(|p| p.into_pointer_value()).collect();
            let mut inner_index = index.clone();
            inner_index.push(i);
            let mut next = em.nest_level(
                d + 1,
                shape,
                ops,
                here.clone(),
                inner_index,
                c[k..].to_vec(),
                body,
            )?;
            let mut advanced: Vec<BasicValueEnum> = Vec::with_capacity(c.len());
            for (p, o) in here.iter().zip(ops) {
                // Not inbounds: a negative stride may step before the allocation
                // after the last element.
                let q = unsafe {
                    em.b.build_gep(em.cx.ctx.i8_type(), *p, &[o.strides[d]], "")?
                };
                advanced.push(q.into());
            }
            advanced.append(&mut next);
            Ok(advanced)
        })?;
        Ok(done[k..].to_vec())
    }
}

//! Statements and control flow. Every loop has the same shape: a header that
//! tests, a body, a latch (the `continue` target) that advances, an `else`
//! block reached only when the test fails, and an exit (the `break` target).

use inkwell::values::IntValue;
use inkwell::IntPredicate;
use oxjit_tir::{Expr, Stmt, StmtKind};

use crate::func::FnEmitter;
use crate::{unsupported, Result};

impl<'ctx> FnEmitter<'_, 'ctx> {
    pub fn block(&mut self, stmts: &[Stmt]) -> Result<()> {
        for s in stmts {
            // After a return, raise, break or continue the rest is dead code.
            if self.terminated() {
                break;
            }
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt) -> Result<()> {
        match &s.kind {
            StmtKind::Assign(id, e) => self.assign_local(*id, e).map(drop),
            StmtKind::Store {
                array,
                indices,
                value,
                ..
            } if array.ty.list_item().is_some() => self.list_set(array, &indices[0], value),
            StmtKind::Store {
                array,
                indices,
                value,
                boundscheck,
            } => {
                // Python evaluates the value before the target.
                let v = self.expr(value)?;
                let mark = self.mark();
                let a = self.borrow(array)?;
                let ptr = self.element_ptr(a, &array.ty, indices, *boundscheck)?;
                self.store_element(ptr, &array.ty, v)?;
                self.release_to(mark)
            }
            StmtKind::Expr(e) => {
                let mark = self.mark();
                self.expr(e)?;
                self.release_to(mark)
            }
            StmtKind::If { cond, then, orelse } => self.if_stmt(cond, then, orelse),
            StmtKind::While { cond, body, orelse } => self.emit_loop(
                |e| Ok(e.expr(cond)?.into_int_value()),
                |_| Ok(()),
                body,
                |_| Ok(()),
                orelse,
            ),
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                body,
                orelse,
                parallel,
            } => match parallel {
                None => self.for_range(*var, [start, stop, step], body, orelse),
                Some(p) => self.par_for(*var, [start, stop, step], body, orelse, p),
            },
            StmtKind::Break | StmtKind::Continue => {
                let Some(&(latch, exit)) = self.loops.last() else {
                    return unsupported("break or continue outside a loop");
                };
                let target = if matches!(s.kind, StmtKind::Break) {
                    exit
                } else {
                    latch
                };
                self.run_finally_blocks(true)?;
                self.branch_to(target)
            }
            StmtKind::Return(e) => {
                let mark = self.mark();
                let v = self.expr(e)?;
                self.run_finally_blocks(false)?;
                if self.terminated() {
                    return Ok(());
                }
                // The caller owns the result.
                self.forget_to(mark)?;
                self.return_value(v)
            }
            StmtKind::Raise(exc) => {
                self.raise_status(self.cx.ctx.i32_type().const_int((*exc).into(), false))
            }
            StmtKind::RaiseValue(e) => self.raise_value(e),
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finally,
            } => self.try_stmt(body, handlers, orelse, finally),
        }
    }

    fn if_stmt(&mut self, cond: &Expr, then: &[Stmt], orelse: &[Stmt]) -> Result<()> {
        let c = self.expr(cond)?.into_int_value();
        let then_bb = self.ir().append_block("then");
        let merge = self.ir().append_block("endif");
        let else_bb = if orelse.is_empty() {
            merge
        } else {
            self.ir().append_block("else")
        };
        self.b.build_conditional_branch(c, then_bb, else_bb)?;
        self.b.position_at_end(then_bb);
        self.block(then)?;
        self.branch_to(merge)?;
        if !orelse.is_empty() {
            self.b.position_at_end(else_bb);
            self.block(orelse)?;
            self.branch_to(merge)?;
        }
        self.b.position_at_end(merge);
        Ok(())
    }

    /// `test` runs in the header, `enter` at the top of each iteration,
    /// `advance` in the latch.
    fn emit_loop(
        &mut self,
        test: impl FnOnce(&mut Self) -> Result<IntValue<'ctx>>,
        enter: impl FnOnce(&mut Self) -> Result<()>,
        body: &[Stmt],
        advance: impl FnOnce(&mut Self) -> Result<()>,
        orelse: &[Stmt],
    ) -> Result<()> {
        let ir = self.ir();
        let header = ir.append_block("loop.header");
        let body_bb = ir.append_block("loop.body");
        let latch = ir.append_block("loop.latch");
        let exit = ir.append_block("loop.exit");
        let else_bb = if orelse.is_empty() {
            exit
        } else {
            ir.append_block("loop.else")
        };
        self.b.build_unconditional_branch(header)?;
        self.b.position_at_end(header);
        // The test runs every iteration: its calls are this loop's, not
        // the enclosing loop's (`while abs(z) <= 2.0` calls hypot here).
        let mut go = None;
        let test_calls = self.with_own_calls(|e| {
            go = Some(test(e)?);
            Ok(())
        })?;
        let go = go.expect("the test was emitted");
        self.b.build_conditional_branch(go, body_bb, else_bb)?;
        self.b.position_at_end(body_bb);
        enter(self)?;
        self.loops.push((latch, exit));
        let calls = self.with_own_calls(|e| e.block(body))? || test_calls;
        self.loops.pop();
        self.branch_to(latch)?;
        self.b.position_at_end(latch);
        advance(self)?;
        let back = self.b.build_unconditional_branch(header)?;
        if calls {
            self.ir().unroll_hint(back, 4);
        }
        if !orelse.is_empty() {
            self.b.position_at_end(else_bb);
            self.block(orelse)?;
            self.branch_to(exit)?;
        }
        self.b.position_at_end(exit);
        Ok(())
    }

    /// `for var in range(start, stop, step)` as a loop over a hidden counter
    /// `k in 0..n` with `var = start + k*step` set at the top of each
    /// iteration: a canonical loop for LLVM's vectoriser, and `var` keeps its
    /// last value after the loop (and is untouched if it never runs).
    fn for_range(
        &mut self,
        var: oxjit_tir::LocalId,
        bounds: [&Expr; 3],
        body: &[Stmt],
        orelse: &[Stmt],
    ) -> Result<()> {
        let (start, n, step) = self.range_bounds(var, bounds)?;
        self.range_loop(var, start, step, n.get_type().const_zero(), n, body, orelse)
    }

    /// The `start`, trip count and `step` of `range(start, stop, step)`
    /// assigned to `var`, all of `var`'s type.
    pub(crate) fn range_bounds(
        &mut self,
        var: oxjit_tir::LocalId,
        [start, stop, step]: [&Expr; 3],
    ) -> Result<(IntValue<'ctx>, IntValue<'ctx>, IntValue<'ctx>)> {
        let signed = self.f.local(var).ty.scalar().is_some_and(|s| s.is_signed());
        let start = self.expr(start)?.into_int_value();
        let stop = self.expr(stop)?.into_int_value();
        let step = self.expr(step)?.into_int_value();
        Ok((start, self.trip_count(start, stop, step, signed)?, step))
    }

    /// Iterations `k` in `k0..k1` of a range loop, `var = start + k*step`.
    ///
    /// With a constant step of ±1 the loop counts `var` itself from
    /// `start + k0*step` to `start + k1*step` (both inside the range, so
    /// exact) with a no-wrap increment: LLVM then knows the sign and range
    /// of `var`, so index arithmetic such as `a[i - 1]` drops its
    /// negative-index test and vectorises. Other steps count a hidden
    /// `k` and derive `var` from it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn range_loop(
        &mut self,
        var: oxjit_tir::LocalId,
        start: IntValue<'ctx>,
        step: IntValue<'ctx>,
        k0: IntValue<'ctx>,
        k1: IntValue<'ctx>,
        body: &[Stmt],
        orelse: &[Stmt],
    ) -> Result<()> {
        let ty = k1.get_type();
        let signed = self.f.local(var).ty.scalar().is_some_and(|s| s.is_signed());
        let unit = match (step.get_sign_extended_constant(), signed) {
            (Some(1), _) => Some(true),
            (Some(-1), true) => Some(false),
            _ => None,
        };
        let (counter, first, last, step) = match unit {
            Some(up) => {
                let at = |e: &Self, k: IntValue<'ctx>| -> Result<IntValue<'ctx>> {
                    Ok(if up {
                        e.b.build_int_add(start, k, "")?
                    } else {
                        e.b.build_int_sub(start, k, "")?
                    })
                };
                (Some(up), at(self, k0)?, at(self, k1)?, step)
            }
            None => (None, k0, k1, step),
        };
        let slot = self.entry_alloca(ty, "range.k")?;
        self.b.build_store(slot, first)?;
        let load_k = |e: &Self| -> Result<IntValue<'ctx>> {
            Ok(e.b.build_load(ty, slot, "k")?.into_int_value())
        };
        let (test, grow) = match counter {
            Some(true) if signed => (IntPredicate::SLT, 1),
            Some(true) => (IntPredicate::ULT, 1),
            Some(false) => (IntPredicate::SGT, -1),
            None => (IntPredicate::ULT, 1),
        };
        self.emit_loop(
            |e| Ok(e.b.build_int_compare(test, load_k(e)?, last, "more")?),
            |e| {
                let value = match counter {
                    Some(_) => load_k(e)?,
                    None => {
                        let offset = e.b.build_int_mul(load_k(e)?, step, "")?;
                        e.b.build_int_add(start, offset, "")?
                    }
                };
                e.store_local(var, value.into())
            },
            body,
            // The test held, so moving one step towards `last` cannot wrap.
            |e| {
                let k = load_k(e)?;
                let next = match (grow, signed && counter.is_some()) {
                    (1, true) => e.b.build_int_nsw_add(k, ty.const_int(1, false), "")?,
                    (1, false) => e.b.build_int_nuw_add(k, ty.const_int(1, false), "")?,
                    _ => e.b.build_int_nsw_sub(k, ty.const_int(1, false), "")?,
                };
                e.b.build_store(slot, next)?;
                Ok(())
            },
            orelse,
        )
    }

    /// Number of iterations of `range(start, stop, step)`, as an unsigned
    /// value of the bounds' type: the distance `|stop - start|` and `|step|`
    /// fit that type unsigned, so nothing overflows.
    fn trip_count(
        &self,
        start: IntValue<'ctx>,
        stop: IntValue<'ctx>,
        step: IntValue<'ctx>,
        signed: bool,
    ) -> Result<IntValue<'ctx>> {
        let (b, ir) = (&self.b, self.ir());
        let ty = start.get_type();
        let (zero, one) = (ty.const_zero(), ty.const_int(1, false));
        let up = if signed {
            b.build_int_compare(IntPredicate::SGT, step, zero, "up")?
        } else {
            self.cx.ctx.bool_type().const_all_ones()
        };
        let lt = if signed {
            IntPredicate::SLT
        } else {
            IntPredicate::ULT
        };
        let nonempty = ir.iselect(
            up,
            b.build_int_compare(lt, start, stop, "")?,
            b.build_int_compare(lt, stop, start, "")?,
        )?;
        let dist = ir.iselect(
            up,
            b.build_int_sub(stop, start, "")?,
            b.build_int_sub(start, stop, "")?,
        )?;
        let mag = ir.iselect(up, step, b.build_int_neg(step, "")?)?;
        // The TIR guards step != 0; this only keeps a violation from being UB.
        let mag = ir.iselect(
            b.build_int_compare(IntPredicate::EQ, mag, zero, "")?,
            one,
            mag,
        )?;
        let n = b.build_int_unsigned_div(b.build_int_sub(dist, one, "")?, mag, "")?;
        let n = b.build_int_add(n, one, "")?;
        ir.iselect(nonempty, n, zero)
    }
}

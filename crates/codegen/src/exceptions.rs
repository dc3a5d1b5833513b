//! `try` statements and raising exception objects.
//!
//! An exception is a status (`func`): raising stores it and branches to the
//! raise target. Inside a `try` body that target is the statement's
//! *landing* block, emitted after the body: it releases the temporaries
//! that were pending where the exception was raised (every hidden slot made
//! since the statement began; the others are null), then tests the status
//! against each handler's classes (`oxjit_rt_exc_matches`) in order. A
//! matching handler ends the exception (`exc_discard`) or keeps it as an
//! exception object in its local (`exc_catch`); no match raises the
//! status on, to the next target out. The non-raising path pays nothing:
//! the body's code is what it would be without the `try`, its raising
//! branches only go elsewhere.
//!
//! `finally` runs on every way out. Falling through, and `return`,
//! `break` and `continue` across it, emit the block inline at that exit
//! (as CPython compiles it); an exception leaving the body, a handler or
//! `else` lands on a second block that keeps the exception as an object
//! (so the block may raise and catch others meanwhile), runs `finally`,
//! and raises the object again.

use std::rc::Rc;

use inkwell::basic_block::BasicBlock;
use inkwell::values::{BasicValueEnum, IntValue};
use inkwell::{AddressSpace, IntPredicate};
use oxjit_abi::exc::{class_id, OUT_OF_MEMORY};
use oxjit_runtime::symbols;
use oxjit_tir::oxjit_types::Type;
use oxjit_tir::{Expr, Handler, Stmt};

use crate::func::FnEmitter;
use crate::Result;

/// A part of a `try` statement being emitted.
#[derive(Clone)]
pub(crate) struct Region<'ctx> {
    /// Where an exception raised in it goes.
    pub landing: BasicBlock<'ctx>,
    /// What leaving it by `return`, `break` or `continue` must run first
    /// (shared: it is emitted at each such exit).
    finally: Rc<[Stmt]>,
    /// How many loops enclosed it: a `break` leaves the regions entered
    /// inside its loop.
    loops: usize,
}

impl<'ctx> FnEmitter<'_, 'ctx> {
    pub(crate) fn try_stmt(
        &mut self,
        body: &[Stmt],
        handlers: &[Handler],
        orelse: &[Stmt],
        finally: &[Stmt],
    ) -> Result<()> {
        let shared: Rc<[Stmt]> = finally.into();
        let first_slot = self.slot_count();
        let outer = self.raise_target();
        let landing = self.ir().append_block("try.landing");
        let after = self.ir().append_block("try.end");
        // Exceptions from handlers and `else` run `finally` on their way out.
        let unwind = if finally.is_empty() {
            outer
        } else {
            self.ir().append_block("try.finally")
        };
        self.enter(landing, &shared);
        self.block(body)?;
        self.leave();
        self.enter(unwind, &shared);
        if !self.terminated() {
            self.block(orelse)?;
            self.branch_to(after)?;
        }

        self.b.position_at_end(landing);
        self.release_slots_from(first_slot)?;
        let i32t = self.cx.ctx.i32_type();
        let status = self
            .b
            .build_load(i32t, self.status, "status")?
            .into_int_value();
        for h in handlers {
            let caught = self.ir().append_block("except");
            let next = self.ir().append_block("except.next");
            let test = self.handler_matches(status, &h.classes)?;
            self.b.build_conditional_branch(test, caught, next)?;
            self.b.position_at_end(caught);
            self.catch(status, h.bind)?;
            self.block(&h.body)?;
            self.branch_to(after)?;
            self.b.position_at_end(next);
        }
        // Nothing matched: the exception goes on, its status in place.
        self.b.build_unconditional_branch(unwind)?;
        self.leave();

        if !finally.is_empty() {
            self.b.position_at_end(unwind);
            self.release_slots_from(first_slot)?;
            let status = self.b.build_load(i32t, self.status, "status")?;
            let kept = self.reference_slot()?;
            let e = self.ir().call(self.cx.rt(&symbols::EXC_CATCH), &[status])?;
            self.b.build_store(kept, e)?;
            self.block(finally)?;
            if !self.terminated() {
                let e = self.b.build_load(e.get_type(), kept, "")?;
                let status = self.ir().call(self.cx.rt(&symbols::EXC_RAISE), &[e])?;
                self.decref(e, &Type::Exception)?;
                let ptr = self.cx.ctx.ptr_type(AddressSpace::default());
                self.b.build_store(kept, ptr.const_null())?;
                self.raise_status(status)?;
            }
        }

        self.b.position_at_end(after);
        self.block(finally)
    }

    fn enter(&mut self, landing: BasicBlock<'ctx>, finally: &Rc<[Stmt]>) {
        let loops = self.loops.len();
        self.regions.push(Region {
            landing,
            finally: finally.clone(),
            loops,
        });
    }

    fn leave(&mut self) {
        self.regions.pop();
    }

    /// Whether the exception of `status` is an instance of one of
    /// `classes` (every exception when there are none).
    fn handler_matches(
        &mut self,
        status: IntValue<'ctx>,
        classes: &[String],
    ) -> Result<IntValue<'ctx>> {
        let bool_t = self.cx.ctx.bool_type();
        let mut any = bool_t.const_zero();
        if classes.is_empty() {
            return Ok(bool_t.const_all_ones());
        }
        let i64t = self.cx.ctx.i64_type();
        for c in classes {
            let id = i64t.const_int(class_id(c), false);
            let m = self
                .ir()
                .call(
                    self.cx.rt(&symbols::EXC_MATCHES),
                    &[status.into(), id.into()],
                )?
                .into_int_value();
            let m = self
                .b
                .build_int_compare(IntPredicate::NE, m, m.get_type().const_zero(), "")?;
            any = self.b.build_or(any, m, "")?;
        }
        Ok(any)
    }

    /// Ends the caught exception, or keeps it in local `bind`.
    fn catch(&mut self, status: IntValue<'ctx>, bind: Option<oxjit_tir::LocalId>) -> Result<()> {
        let Some(id) = bind else {
            self.b
                .build_call(self.cx.rt(&symbols::EXC_DISCARD), &[status.into()], "")?;
            return Ok(());
        };
        let e = self
            .ir()
            .call(self.cx.rt(&symbols::EXC_CATCH), &[status.into()])?;
        let old = self.load_local(id)?;
        self.store_local(id, e)?;
        self.decref(old, &Type::Exception)?;
        let made = self.b.build_is_not_null(e.into_pointer_value(), "")?;
        self.raise_unless(made, OUT_OF_MEMORY)
    }

    /// `raise e` of an exception object.
    pub(crate) fn raise_value(&mut self, e: &Expr) -> Result<()> {
        let mark = self.mark();
        let v: BasicValueEnum = self.borrow(e)?;
        let status = self.ir().call(self.cx.rt(&symbols::EXC_RAISE), &[v])?;
        self.release_to(mark)?;
        self.raise_status(status)
    }

    /// Before `return`: the `finally` blocks of every `try` around, innermost
    /// first. Before `break`/`continue`: those inside the innermost loop.
    pub(crate) fn run_finally_blocks(&mut self, leaving_loop: bool) -> Result<()> {
        let depth = self.loops.len();
        let all = std::mem::take(&mut self.regions);
        for (i, r) in all.iter().enumerate().rev() {
            if (leaving_loop && r.loops < depth) || self.terminated() {
                break;
            }
            // What a `finally` block raises goes to the regions outside it.
            self.regions = all[..i].to_vec();
            self.block(&r.finally)?;
        }
        self.regions = all;
        Ok(())
    }
}

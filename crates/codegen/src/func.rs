//! One compiled function: its frame (a stack slot per local, all in the
//! entry block so that mem2reg turns them into SSA values), the status it
//! returns when a check fails, and the fast-math flags of its float code.
//!
//! Every exit (return, raise, a failed check, a callee's exception) stores
//! its status and branches to one exit block, which releases the array
//! references the frame owns (see `nrt`) and returns the status. Inside a
//! `try`, an exception branches to the statement's landing block instead
//! (`exceptions`), with its status in the same slot.

use std::collections::HashMap;

use inkwell::basic_block::BasicBlock;
use inkwell::builder::Builder;
use inkwell::types::BasicType;
use inkwell::values::FastMathFlags;
use inkwell::values::{
    BasicValue, BasicValueEnum, FunctionValue, InstructionValue, IntValue, PointerValue,
};
use inkwell::IntPredicate;
use oxjit_tir::{Function, LocalId};

use crate::elementwise::ElemFrame;
use crate::exceptions::Region;
use crate::module::{Ir, ModuleCx};
use crate::nrt::{self, Temps};
use crate::types::reg_type;
use crate::Result;

pub(crate) struct FnEmitter<'a, 'ctx> {
    pub cx: &'a ModuleCx<'ctx>,
    pub f: &'a Function,
    pub b: Builder<'ctx>,
    /// Positioned in the entry block, before its final branch.
    allocas: Builder<'ctx>,
    locals: Vec<PointerValue<'ctx>>,
    ret_out: PointerValue<'ctx>,
    /// (continue target, break target) of each enclosing loop, innermost last.
    pub loops: Vec<(BasicBlock<'ctx>, BasicBlock<'ctx>)>,
    /// One block per exception id and destination that raises it there.
    raise_blocks: HashMap<(u32, BasicBlock<'ctx>), BasicBlock<'ctx>>,
    /// Where every exit branches, with its status in `status`.
    exit: BasicBlock<'ctx>,
    pub(crate) status: PointerValue<'ctx>,
    /// The `try` statements being emitted around the current position,
    /// innermost last (see `exceptions`).
    pub(crate) regions: Vec<Region<'ctx>>,
    /// Locals whose references the frame releases at exit.
    owned_locals: Vec<LocalId>,
    pub temps: Temps<'ctx>,
    /// The `Elementwise` bodies being emitted, innermost last.
    pub elem: Vec<ElemFrame<'ctx>>,
}

pub(crate) fn emit_function(cx: &ModuleCx<'_>, f: &Function) -> Result<()> {
    let func = cx.compiled(&f.symbol)?;
    let ret_out = func
        .get_nth_param(0)
        .expect("every compiled function has %ret_out")
        .into_pointer_value();
    let mut e = FnEmitter::start(cx, f, func, Some(ret_out), |i| {
        func.get_nth_param(i as u32 + 1).filter(|_| i < f.nparams)
    })?;
    e.own_reassigned_params()?;
    e.block(&f.body)?;
    e.finish()
}

impl<'a, 'ctx> FnEmitter<'a, 'ctx> {
    /// A frame for emitting (part of) `f` into the empty function `func`:
    /// one slot per local of `f`, holding `init(i)` or zero. Without
    /// `ret_out`, the code emitted must not return a value.
    pub fn start(
        cx: &'a ModuleCx<'ctx>,
        f: &'a Function,
        func: FunctionValue<'ctx>,
        ret_out: Option<PointerValue<'ctx>>,
        init: impl Fn(usize) -> Option<BasicValueEnum<'ctx>>,
    ) -> Result<FnEmitter<'a, 'ctx>> {
        let ctx = cx.ctx;
        let entry = ctx.append_basic_block(func, "entry");
        let body = ctx.append_basic_block(func, "body");
        let exit = ctx.append_basic_block(func, "exit");
        let allocas = ctx.create_builder();
        allocas.position_at_end(entry);
        let mut locals = Vec::with_capacity(f.locals.len());
        for (i, local) in f.locals.iter().enumerate() {
            let ty = reg_type(ctx, &local.ty);
            let slot = allocas.build_alloca(ty, &local.name)?;
            allocas.build_store(slot, init(i).unwrap_or_else(|| ty.const_zero()))?;
            locals.push(slot);
        }
        let status = allocas.build_alloca(ctx.i32_type(), "status")?;
        allocas.build_store(status, ctx.i32_type().const_zero())?;
        // Later slots go before the entry block's branch.
        let to_body = allocas.build_unconditional_branch(body)?;
        allocas.position_before(&to_body);
        let ret_out = match ret_out {
            Some(p) => p,
            None => allocas.build_alloca(reg_type(ctx, &f.ret), "unused.ret")?,
        };
        let b = ctx.create_builder();
        b.position_at_end(body);
        Ok(FnEmitter {
            cx,
            f,
            b,
            allocas,
            locals,
            ret_out,
            loops: Vec::new(),
            raise_blocks: HashMap::new(),
            exit,
            regions: Vec::new(),
            status,
            owned_locals: nrt::owned_locals(f),
            temps: Temps::default(),
            elem: Vec::new(),
        })
    }

    /// Ends the function: falling off the end returns status 0, and the
    /// exit block releases the frame and returns the status.
    pub fn finish(mut self) -> Result<()> {
        let ctx = self.cx.ctx;
        // Typeck ends every function with a `return`; a fall-through left here is
        // unreachable or returns None, which has nothing to store.
        if !self.terminated() {
            self.b
                .build_store(self.status, ctx.i32_type().const_zero())?;
            self.b.build_unconditional_branch(self.exit)?;
        }
        self.b.position_at_end(self.exit);
        self.release_frame()?;
        let status = self.b.build_load(ctx.i32_type(), self.status, "status")?;
        self.b.build_return(Some(&status))?;
        let func = self
            .exit
            .get_parent()
            .expect("the exit block is in a function");
        if self.f.flags.fastmath.any() {
            set_fast_math(func, self.f.flags.fastmath);
        }
        Ok(())
    }
}

/// Every float operation of `func` (arithmetic, comparisons, selects, calls)
/// gets the requested fast-math flags, as Numba's `fastmath=` does.
fn set_fast_math(func: FunctionValue<'_>, flags: oxjit_tir::FastMath) {
    let flags = FastMathFlags::from_bits_truncate(flags.0);
    for bb in func.get_basic_blocks() {
        let mut inst: Option<InstructionValue> = bb.get_first_instruction();
        while let Some(i) = inst {
            if i.can_use_fast_math_flags() {
                let _ = i.set_fast_math_flags(flags);
            }
            inst = i.get_next_instruction();
        }
    }
}

impl<'ctx> FnEmitter<'_, 'ctx> {
    pub fn ir(&self) -> Ir<'_, 'ctx> {
        Ir {
            cx: self.cx,
            b: &self.b,
        }
    }

    /// True if the current block already ends (return or branch): whatever
    /// follows in the same statement list is unreachable.
    pub fn terminated(&self) -> bool {
        self.b
            .get_insert_block()
            .is_some_and(|bb| bb.get_terminator().is_some())
    }

    /// Branches to `bb` unless the current block already ended.
    pub fn branch_to(&self, bb: BasicBlock<'ctx>) -> Result<()> {
        if !self.terminated() {
            self.b.build_unconditional_branch(bb)?;
        }
        Ok(())
    }

    /// A stack slot in the entry block, so that slots made inside loops
    /// neither grow the stack nor escape mem2reg.
    pub fn entry_alloca(&self, ty: impl BasicType<'ctx>, name: &str) -> Result<PointerValue<'ctx>> {
        Ok(self.allocas.build_alloca(ty, name)?)
    }

    /// An entry-block slot holding zero from the start of the function.
    pub fn zeroed_alloca(
        &self,
        ty: impl BasicType<'ctx>,
        name: &str,
    ) -> Result<PointerValue<'ctx>> {
        let ty = ty.as_basic_type_enum();
        let slot = self.allocas.build_alloca(ty, name)?;
        self.allocas.build_store(slot, ty.const_zero())?;
        Ok(slot)
    }

    pub fn owned_locals(&self) -> &[LocalId] {
        &self.owned_locals
    }

    pub fn load_local(&self, id: LocalId) -> Result<BasicValueEnum<'ctx>> {
        let ty = reg_type(self.cx.ctx, &self.f.local(id).ty);
        Ok(self
            .b
            .build_load(ty, self.locals[id.0 as usize], &self.f.local(id).name)?)
    }

    pub fn store_local(&self, id: LocalId, v: BasicValueEnum<'ctx>) -> Result<()> {
        self.b.build_store(self.locals[id.0 as usize], v)?;
        Ok(())
    }

    /// Stores the result and returns status 0 (any `finally` blocks
    /// around have run).
    pub fn return_value(&self, v: BasicValueEnum<'ctx>) -> Result<()> {
        self.b.build_store(self.ret_out, v)?;
        self.b
            .build_store(self.status, self.cx.ctx.i32_type().const_zero())?;
        self.b.build_unconditional_branch(self.exit)?;
        Ok(())
    }

    /// Where an exception raised here goes: the innermost enclosing `try`
    /// statement's landing, or the exit.
    pub(crate) fn raise_target(&self) -> BasicBlock<'ctx> {
        self.regions.last().map_or(self.exit, |r| r.landing)
    }

    /// Raises the exception of `status` (non-zero).
    pub fn raise_status(&self, status: impl BasicValue<'ctx>) -> Result<()> {
        self.b.build_store(self.status, status)?;
        self.b.build_unconditional_branch(self.raise_target())?;
        Ok(())
    }

    /// Raises `exc` unless `ok`; emission continues where `ok` holds.
    pub fn raise_unless(&mut self, ok: IntValue<'ctx>, exc: u32) -> Result<()> {
        let target = self.raise_target();
        let fail = match self.raise_blocks.get(&(exc, target)) {
            Some(bb) => *bb,
            None => {
                let bb = self.ir().append_block(&format!("raise{exc}"));
                let b = self.cx.ctx.create_builder();
                b.position_at_end(bb);
                b.build_store(
                    self.status,
                    self.cx.ctx.i32_type().const_int(exc.into(), false),
                )?;
                b.build_unconditional_branch(target)?;
                self.raise_blocks.insert((exc, target), bb);
                bb
            }
        };
        let cont = self.ir().append_block("ok");
        self.b.build_conditional_branch(ok, cont, fail)?;
        self.b.position_at_end(cont);
        Ok(())
    }

    /// Unless `ok`, raises the status `fail` computes (in its own
    /// block, e.g. a runtime call that formats a message); emission
    /// continues where `ok` holds.
    pub fn fail_unless(
        &mut self,
        ok: IntValue<'ctx>,
        fail: impl FnOnce(&mut Self) -> Result<IntValue<'ctx>>,
    ) -> Result<()> {
        let (fail_bb, cont) = (self.ir().append_block("fail"), self.ir().append_block("ok"));
        self.b.build_conditional_branch(ok, cont, fail_bb)?;
        self.b.position_at_end(fail_bb);
        let status = fail(self)?;
        self.raise_status(status)?;
        self.b.position_at_end(cont);
        Ok(())
    }

    /// Raises a callee's status unless it is 0.
    pub fn propagate(&self, status: IntValue<'ctx>) -> Result<()> {
        let ok = self.b.build_int_compare(
            IntPredicate::EQ,
            status,
            status.get_type().const_zero(),
            "ok",
        )?;
        let fail = self.ir().append_block("propagate");
        let cont = self.ir().append_block("ok");
        self.b.build_conditional_branch(ok, cont, fail)?;
        self.b.position_at_end(fail);
        self.raise_status(status)?;
        self.b.position_at_end(cont);
        Ok(())
    }
}

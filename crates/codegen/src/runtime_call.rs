//! `RuntimeCall`: array operations done by the runtime's
//! `oxjit_rt_af_<name>` functions (ABI: `oxjit_runtime::abi`). Arguments
//! are passed borrowed, in memory form, with their type descriptors
//! (`oxjit_abi::desc`, constants of the module); the result comes back in
//! memory form, owned, or the call fails with a status.

use inkwell::values::BasicValueEnum;
use inkwell::{AddressSpace, IntPredicate};
use oxjit_runtime::symbols;
use oxjit_tir::oxjit_types::Scalar;
use oxjit_tir::{Expr, RuntimeFn};

use crate::func::FnEmitter;
use crate::types::mem_type;
use crate::{unsupported, Result};

impl<'ctx> FnEmitter<'_, 'ctx> {
    pub fn runtime_call(
        &mut self,
        e: &Expr,
        func: RuntimeFn,
        args: &[Expr],
    ) -> Result<BasicValueEnum<'ctx>> {
        if let Some(v) = self.scalar_draw(e, func, args)? {
            return Ok(v);
        }
        if let Some(v) = self.list_fast_call(func, args)? {
            return Ok(v);
        }
        if let Some(v) = self.set_word_call(func, args)? {
            return Ok(v);
        }
        let ctx = self.cx.ctx;
        let (ptr, i64t, i32t) = (
            ctx.ptr_type(AddressSpace::default()),
            ctx.i64_type(),
            ctx.i32_type(),
        );
        let n = args.len().max(1) as u32;
        let argv = self.entry_alloca(ptr.array_type(n), "args")?;
        let types = self.entry_alloca(ptr.array_type(n), "arg_types")?;
        let mark = self.mark();
        for (i, a) in args.iter().enumerate() {
            let v = self.borrow(a)?;
            let slot = self.entry_alloca(mem_type(ctx, &a.ty), "arg")?;
            self.b.build_store(slot, self.ir().mem_form(v, &a.ty)?)?;
            let at = i64t.const_int(i as u64, false);
            // SAFETY: i < the buffers' length.
            let (p, t) = unsafe {
                (
                    self.b.build_in_bounds_gep(ptr, argv, &[at], "")?,
                    self.b.build_in_bounds_gep(ptr, types, &[at], "")?,
                )
            };
            self.b.build_store(p, slot)?;
            self.b.build_store(t, self.cx.descriptor(&a.ty))?;
        }
        let out = self.entry_alloca(mem_type(ctx, &e.ty), "out")?;
        let Some(decl) = symbols::array_fn(func.name()) else {
            return unsupported(format!("the runtime has no function {}", func.name()));
        };
        let f = self.cx.rt(decl);
        let out_type = self.cx.descriptor(&e.ty);
        let status = self
            .ir()
            .call(f, &[out.into(), argv.into(), types.into(), out_type.into()])?
            .into_int_value();
        let ok = self
            .b
            .build_int_compare(IntPredicate::EQ, status, i32t.const_zero(), "")?;
        self.fail_unless(ok, |_| Ok(status))?;
        self.release_to(mark)?;
        let v = self.b.build_load(mem_type(ctx, &e.ty), out, "")?;
        let v = self.ir().reg_form(v, &e.ty)?;
        self.hold(v, &e.ty)?;
        Ok(v)
    }

    /// A single `np.random.random()` or `standard_normal()` draw as a
    /// direct call to the runtime, which touches only the thread's
    /// generator (so LLVM keeps array accesses around it optimised).
    fn scalar_draw(
        &mut self,
        e: &Expr,
        func: RuntimeFn,
        args: &[Expr],
    ) -> Result<Option<BasicValueEnum<'ctx>>> {
        let draw = match func {
            RuntimeFn::RandomSample => &symbols::RANDOM_DOUBLE,
            RuntimeFn::RandomNormal => &symbols::RANDOM_GAUSS,
            _ => return Ok(None),
        };
        if !args.is_empty() || e.ty.scalar().map(Scalar::strong) != Some(Scalar::F64) {
            return Ok(None);
        }
        Ok(Some(self.ir().call(self.cx.rt(draw), &[])?))
    }
}

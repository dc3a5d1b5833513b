//! The entry wrapper `i32 @<entry>__wrap(const *const u8 args[], *mut u8 ret)`:
//! the one C-callable door into a module, so callers never need to know the
//! entry function's by-value LLVM signature. Arguments and result are in
//! memory form (see `types`); `ret` is written only on status 0. Array
//! arguments are borrowed; the references in an array result pass to the
//! caller.

use inkwell::module::Linkage;
use inkwell::values::BasicValueEnum;
use inkwell::{AddressSpace, IntPredicate};
use oxjit_tir::Function;

use crate::module::{Ir, ModuleCx};
use crate::types::{mem_type, reg_type};
use crate::{wrapper_symbol, Result};

pub(crate) fn emit_wrapper(cx: &ModuleCx<'_>, f: &Function) -> Result<()> {
    let ctx = cx.ctx;
    let ptr = ctx.ptr_type(AddressSpace::default());
    let i32t = ctx.i32_type();
    let wrap = cx.add_function(
        &wrapper_symbol(&f.symbol),
        i32t.fn_type(&[ptr.into(), ptr.into()], false),
        Linkage::External,
    );
    let (args, ret) = (
        wrap.get_nth_param(0).expect("args").into_pointer_value(),
        wrap.get_nth_param(1).expect("ret").into_pointer_value(),
    );
    let b = ctx.create_builder();
    let ir = Ir { cx, b: &b };
    b.position_at_end(ctx.append_basic_block(wrap, "entry"));

    let ret_ty = reg_type(ctx, &f.ret);
    let slot = b.build_alloca(ret_ty, "result")?;
    let mut argv: Vec<BasicValueEnum> = vec![slot.into()];
    for (i, ty) in f.param_types().enumerate() {
        // SAFETY: the caller passes one pointer per parameter.
        let arg_ptr = unsafe {
            b.build_in_bounds_gep(ptr, args, &[ctx.i64_type().const_int(i as u64, false)], "")?
        };
        let arg = b.build_load(ptr, arg_ptr, "")?.into_pointer_value();
        let v = b.build_load(mem_type(ctx, ty), arg, "")?;
        argv.push(ir.reg_form(v, ty)?);
    }
    let status = ir.call(cx.compiled(&f.symbol)?, &argv)?.into_int_value();

    let (store, done) = (ir.append_block("store"), ir.append_block("done"));
    let ok = b.build_int_compare(IntPredicate::EQ, status, i32t.const_zero(), "ok")?;
    b.build_conditional_branch(ok, store, done)?;
    b.position_at_end(store);
    let result = b.build_load(ret_ty, slot, "")?;
    b.build_store(ret, ir.mem_form(result, &f.ret)?)?;
    b.build_unconditional_branch(done)?;
    b.position_at_end(done);
    b.build_return(Some(&status))?;
    Ok(())
}

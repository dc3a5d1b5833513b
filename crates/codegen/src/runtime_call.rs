//! `RuntimeCall`: array operations done by the runtime's
//! `oxjit_rt_af_<name>` functions (ABI: `oxjit_runtime::abi`). Arguments
//! are passed borrowed, in memory form, with their type codes; the result
//! comes back in memory form, owned, or the call fails with a status.

use inkwell::values::BasicValueEnum;
use inkwell::{AddressSpace, IntPredicate};
use oxjit_runtime::abi::TypeCode;
use oxjit_runtime::symbols;
use oxjit_tir::oxjit_types::{Layout, Scalar, Type};
use oxjit_tir::{Expr, RuntimeFn};

use crate::func::FnEmitter;
use crate::types::mem_type;
use crate::{unsupported, Result};

/// NumPy's type character of a dtype.
fn type_char(s: Scalar) -> u8 {
    match s.strong() {
        Scalar::Bool => b'?',
        Scalar::I8 => b'b',
        Scalar::I16 => b'h',
        Scalar::I32 => b'i',
        Scalar::U8 => b'B',
        Scalar::U16 => b'H',
        Scalar::U32 => b'I',
        Scalar::U64 => b'Q',
        Scalar::F32 => b'f',
        Scalar::F64 => b'd',
        Scalar::C64 => b'F',
        Scalar::C128 => b'D',
        _ => b'q',
    }
}

fn layout_code(l: Layout) -> u8 {
    match l {
        Layout::C => 0,
        Layout::F => 1,
        Layout::A => 2,
    }
}

/// The ABI's code of `ty` (`none` is 0).
fn type_code(ty: &Type) -> Result<u64> {
    Ok(match ty {
        Type::Scalar(s) => TypeCode::scalar(type_char(*s)).0,
        Type::Array(a) => TypeCode::array(type_char(a.dtype), a.ndim, layout_code(a.layout)).0,
        Type::Tuple(items) => match items.first().and_then(Type::array) {
            Some(a)
                if items.iter().all(|t| {
                    t.array()
                        .is_some_and(|b| (b.dtype, b.ndim) == (a.dtype, a.ndim))
                }) =>
            {
                TypeCode::tuple_of_arrays(type_char(a.dtype), a.ndim, items.len() as u8).0
            }
            None if items.is_empty() => TypeCode::tuple_of_arrays(b'q', 1, 0).0,
            _ => return unsupported(format!("runtime call with a {ty:#}")),
        },
        Type::None => 0,
    })
}

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
        let ctx = self.cx.ctx;
        let (ptr, i64t, i32t) = (
            ctx.ptr_type(AddressSpace::default()),
            ctx.i64_type(),
            ctx.i32_type(),
        );
        let n = args.len().max(1) as u32;
        let argv = self.entry_alloca(ptr.array_type(n), "args")?;
        let codes = self.entry_alloca(i64t.array_type(n), "arg_types")?;
        let mark = self.mark();
        for (i, a) in args.iter().enumerate() {
            let v = self.borrow(a)?;
            let slot = self.entry_alloca(mem_type(ctx, &a.ty), "arg")?;
            self.b.build_store(slot, self.ir().mem_form(v, &a.ty)?)?;
            let at = i64t.const_int(i as u64, false);
            // SAFETY: i < the buffers' length.
            let (p, c) = unsafe {
                (
                    self.b.build_in_bounds_gep(ptr, argv, &[at], "")?,
                    self.b.build_in_bounds_gep(i64t, codes, &[at], "")?,
                )
            };
            self.b.build_store(p, slot)?;
            self.b
                .build_store(c, i64t.const_int(type_code(&a.ty)?, false))?;
        }
        let out = self.entry_alloca(mem_type(ctx, &e.ty), "out")?;
        let Some(decl) = symbols::array_fn(func.name()) else {
            return unsupported(format!("the runtime has no function {}", func.name()));
        };
        let f = self.cx.rt(decl);
        let out_code = i64t.const_int(type_code(&e.ty)?, false);
        let status = self
            .ir()
            .call(f, &[out.into(), argv.into(), codes.into(), out_code.into()])?
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

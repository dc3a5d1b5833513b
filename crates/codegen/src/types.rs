//! How TIR types look in LLVM.
//!
//! A type has a *register form* (SSA values, locals, results passed through
//! `%ret_out`; `bool` is `i1`) and a *memory form* (array elements, the
//! wrapper's argument and result buffers; `bool` is a byte 0/1). They differ
//! only in bools, and both have the C layout of `Type::size_align` (LLVM's
//! non-packed structs are laid out as C structs). Arrays are
//! `{ ptr meminfo, ptr parent, i64 nitems, i64 itemsize, ptr data,
//! [ndim x i64] shape, [ndim x i64] strides }` with strides in bytes.

use inkwell::context::Context;
use inkwell::types::{
    BasicMetadataTypeEnum, BasicTypeEnum, FloatType, FunctionType, IntType, StructType,
};
use inkwell::AddressSpace;
use oxjit_tir::oxjit_types::{Kind, Scalar, Type};
use oxjit_tir::Function;

use inkwell::values::BasicValueEnum;

use crate::module::Ir;
use crate::Result;

/// Field numbers of the array struct.
pub(crate) mod array_field {
    pub const MEMINFO: u32 = 0;
    pub const PARENT: u32 = 1;
    pub const NITEMS: u32 = 2;
    pub const ITEMSIZE: u32 = 3;
    pub const DATA: u32 = 4;
    pub const SHAPE: u32 = 5;
    pub const STRIDES: u32 = 6;
}

pub(crate) fn reg_type<'ctx>(ctx: &'ctx Context, ty: &Type) -> BasicTypeEnum<'ctx> {
    lower(ctx, ty, ctx.bool_type())
}

pub(crate) fn mem_type<'ctx>(ctx: &'ctx Context, ty: &Type) -> BasicTypeEnum<'ctx> {
    lower(ctx, ty, ctx.i8_type())
}

fn lower<'ctx>(ctx: &'ctx Context, ty: &Type, bool_ty: IntType<'ctx>) -> BasicTypeEnum<'ctx> {
    match ty {
        Type::Scalar(s) => match s.kind() {
            Kind::Bool => bool_ty.into(),
            Kind::Int => match s.bits() {
                8 => ctx.i8_type(),
                16 => ctx.i16_type(),
                32 => ctx.i32_type(),
                _ => ctx.i64_type(),
            }
            .into(),
            Kind::Float => float_type(ctx, *s).into(),
            Kind::Complex => complex_type(ctx, *s).into(),
        },
        Type::Array(a) => array_type(ctx, a.ndim).into(),
        Type::Tuple(items) => {
            let fields: Vec<BasicTypeEnum> = items.iter().map(|t| lower(ctx, t, bool_ty)).collect();
            ctx.struct_type(&fields, false).into()
        }
        Type::None => ctx.struct_type(&[], false).into(),
    }
}

/// The float type of a float scalar, or of one component of a complex one.
pub(crate) fn float_type(ctx: &Context, s: Scalar) -> FloatType<'_> {
    match s.component().strong() {
        Scalar::F32 => ctx.f32_type(),
        _ => ctx.f64_type(),
    }
}

pub(crate) fn complex_type(ctx: &Context, s: Scalar) -> StructType<'_> {
    let t = float_type(ctx, s);
    ctx.struct_type(&[t.into(), t.into()], false)
}

fn array_type(ctx: &Context, ndim: u8) -> StructType<'_> {
    let ptr = ctx.ptr_type(AddressSpace::default()).into();
    let i64t = ctx.i64_type();
    let dims = i64t.array_type(ndim.into()).into();
    ctx.struct_type(
        &[ptr, ptr, i64t.into(), i64t.into(), ptr, dims, dims],
        false,
    )
}

/// `i32 (ptr %ret_out, <params in register form>)`.
pub(crate) fn fn_type<'ctx>(ctx: &'ctx Context, f: &Function) -> FunctionType<'ctx> {
    let mut params: Vec<BasicMetadataTypeEnum> = vec![ctx.ptr_type(AddressSpace::default()).into()];
    params.extend(
        f.param_types()
            .map(|t| BasicMetadataTypeEnum::from(reg_type(ctx, t))),
    );
    ctx.i32_type().fn_type(&params, false)
}

fn has_bool(ty: &Type) -> bool {
    match ty {
        Type::Scalar(s) => *s == Scalar::Bool,
        Type::Tuple(items) => items.iter().any(has_bool),
        Type::Array(_) | Type::None => false,
    }
}

impl<'ctx> Ir<'_, 'ctx> {
    /// `v` (register form) in memory form.
    pub fn mem_form(&self, v: BasicValueEnum<'ctx>, ty: &Type) -> Result<BasicValueEnum<'ctx>> {
        self.convert_form(v, ty, true)
    }

    /// `v` (memory form) in register form.
    pub fn reg_form(&self, v: BasicValueEnum<'ctx>, ty: &Type) -> Result<BasicValueEnum<'ctx>> {
        self.convert_form(v, ty, false)
    }

    fn convert_form(
        &self,
        v: BasicValueEnum<'ctx>,
        ty: &Type,
        to_mem: bool,
    ) -> Result<BasicValueEnum<'ctx>> {
        let ctx = self.ctx();
        Ok(match ty {
            Type::Scalar(Scalar::Bool) if to_mem => self
                .b
                .build_int_z_extend(v.into_int_value(), ctx.i8_type(), "")?
                .into(),
            // Any non-zero byte is true, as NumPy reads bool arrays.
            Type::Scalar(Scalar::Bool) => {
                let byte = v.into_int_value();
                self.b
                    .build_int_compare(
                        inkwell::IntPredicate::NE,
                        byte,
                        byte.get_type().const_zero(),
                        "",
                    )?
                    .into()
            }
            Type::Tuple(items) if has_bool(ty) => {
                let target = if to_mem {
                    mem_type(ctx, ty)
                } else {
                    reg_type(ctx, ty)
                };
                let mut agg = target.into_struct_type().get_undef();
                for (i, t) in items.iter().enumerate() {
                    let field = self
                        .b
                        .build_extract_value(v.into_struct_value(), i as u32, "")?;
                    let field = self.convert_form(field, t, to_mem)?;
                    agg = self
                        .b
                        .build_insert_value(agg, field, i as u32, "")?
                        .into_struct_value();
                }
                agg.into()
            }
            _ => v,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxjit_tir::oxjit_types::{ArrayType, Layout};

    /// The memory form must have exactly the C layout the rest of the
    /// system (the Python boxing code, the wrapper's callers) assumes.
    #[test]
    fn memory_form_has_the_c_layout() {
        let ctx = Context::create();
        let tm = oxjit_jit::host_target_machine();
        let td = tm.get_target_data();
        let s = |s| Type::Scalar(s);
        let arr = Type::Array(ArrayType {
            dtype: Scalar::F64,
            ndim: 2,
            layout: Layout::C,
        });
        let cases = [
            Type::Tuple(vec![s(Scalar::Bool), s(Scalar::F64), s(Scalar::I32)]),
            Type::Tuple(vec![
                s(Scalar::I8),
                s(Scalar::C64),
                s(Scalar::I16),
                s(Scalar::C128),
            ]),
            Type::Tuple(vec![
                s(Scalar::U8),
                Type::Tuple(vec![s(Scalar::Bool), s(Scalar::F32)]),
                arr.clone(),
            ]),
            Type::Tuple(vec![Type::None, s(Scalar::PyInt), s(Scalar::Bool)]),
            Type::Tuple(vec![]),
        ];
        for ty in cases.iter().chain([
            &arr,
            &s(Scalar::C64),
            &s(Scalar::C128),
            &s(Scalar::Bool),
            &Type::None,
        ]) {
            let llvm = mem_type(&ctx, ty);
            let (size, align) = ty.size_align();
            assert_eq!(td.get_abi_size(&llvm), size as u64, "size of {ty}");
            assert_eq!(
                td.get_abi_alignment(&llvm),
                align as u32,
                "alignment of {ty}"
            );
            if let Type::Tuple(items) = ty {
                let st = llvm.into_struct_type();
                let offsets: Vec<usize> = (0..items.len())
                    .map(|i| td.offset_of_element(&st, i as u32).unwrap() as usize)
                    .collect();
                assert_eq!(offsets, Type::field_offsets(items), "field offsets of {ty}");
            }
        }
    }
}

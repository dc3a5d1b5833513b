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
use inkwell::types::{BasicMetadataTypeEnum, BasicTypeEnum, FloatType, FunctionType, IntType};
use inkwell::AddressSpace;
use oxjit_abi::desc::Repr;
use oxjit_tir::oxjit_types::{Scalar, Type};
use oxjit_tir::Function;

use inkwell::values::{AggregateValueEnum, BasicValue, BasicValueEnum};

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
    lower(ctx, &ty.repr(), ctx.bool_type())
}

pub(crate) fn mem_type<'ctx>(ctx: &'ctx Context, ty: &Type) -> BasicTypeEnum<'ctx> {
    lower(ctx, &ty.repr(), ctx.i8_type())
}

/// The LLVM type of a memory representation; bools are `bool_ty`.
fn lower<'ctx>(ctx: &'ctx Context, r: &Repr, bool_ty: IntType<'ctx>) -> BasicTypeEnum<'ctx> {
    match r {
        Repr::Bool => bool_ty.into(),
        Repr::Int(1) => ctx.i8_type().into(),
        Repr::Int(2) => ctx.i16_type().into(),
        Repr::Int(4) => ctx.i32_type().into(),
        Repr::Int(_) => ctx.i64_type().into(),
        Repr::Float(4) => ctx.f32_type().into(),
        Repr::Float(_) => ctx.f64_type().into(),
        Repr::Ptr | Repr::MemInfo => ctx.ptr_type(AddressSpace::default()).into(),
        Repr::Fixed(item, n) => {
            use inkwell::types::BasicType;
            lower(ctx, item, bool_ty).array_type(*n as u32).into()
        }
        Repr::Struct(fields) => {
            let fields: Vec<BasicTypeEnum> =
                fields.iter().map(|f| lower(ctx, f, bool_ty)).collect();
            ctx.struct_type(&fields, false).into()
        }
    }
}

/// The float type of a float scalar, or of one component of a complex one.
pub(crate) fn float_type(ctx: &Context, s: Scalar) -> FloatType<'_> {
    match s.component().strong() {
        Scalar::F32 => ctx.f32_type(),
        _ => ctx.f64_type(),
    }
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

impl<'ctx> Ir<'_, 'ctx> {
    /// `v` (register form) in memory form.
    pub fn mem_form(&self, v: BasicValueEnum<'ctx>, ty: &Type) -> Result<BasicValueEnum<'ctx>> {
        self.convert_form(v, &ty.repr(), true)
    }

    /// `v` (memory form) in register form.
    pub fn reg_form(&self, v: BasicValueEnum<'ctx>, ty: &Type) -> Result<BasicValueEnum<'ctx>> {
        self.convert_form(v, &ty.repr(), false)
    }

    /// The forms differ only in bools: `i1` in registers, a byte in memory.
    fn convert_form(
        &self,
        v: BasicValueEnum<'ctx>,
        r: &Repr,
        to_mem: bool,
    ) -> Result<BasicValueEnum<'ctx>> {
        let ctx = self.ctx();
        if !r.has_bool() {
            return Ok(v);
        }
        Ok(match r {
            Repr::Bool if to_mem => self
                .b
                .build_int_z_extend(v.into_int_value(), ctx.i8_type(), "")?
                .into(),
            // Any non-zero byte is true, as NumPy reads bool arrays.
            Repr::Bool => {
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
            Repr::Struct(_) | Repr::Fixed(..) => {
                let bool_ty = if to_mem {
                    ctx.i8_type()
                } else {
                    ctx.bool_type()
                };
                let fields: Vec<&Repr> = match r {
                    Repr::Struct(fields) => fields.iter().collect(),
                    Repr::Fixed(item, n) => vec![&**item; *n],
                    _ => unreachable!(),
                };
                let agg_v: AggregateValueEnum = match v {
                    BasicValueEnum::StructValue(x) => x.into(),
                    BasicValueEnum::ArrayValue(x) => x.into(),
                    _ => unreachable!("aggregates have aggregate values"),
                };
                let mut agg: AggregateValueEnum = match lower(ctx, r, bool_ty) {
                    BasicTypeEnum::StructType(t) => t.get_undef().into(),
                    BasicTypeEnum::ArrayType(t) => t.get_undef().into(),
                    _ => unreachable!("aggregates lower to aggregates"),
                };
                for (i, f) in fields.into_iter().enumerate() {
                    let field = self.b.build_extract_value(agg_v, i as u32, "")?;
                    let field = self.convert_form(field, f, to_mem)?;
                    agg = self.b.build_insert_value(agg, field, i as u32, "")?;
                }
                agg.as_basic_value_enum()
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
        let arr = Type::Array(ArrayType::new(Scalar::F64, 2, Layout::C));
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

//! Array element access: negative indices wrap, optional bounds checks, and
//! addresses from the layout. Contiguous layouts never load strides: a C or
//! F array is indexed by a linear element index, which LLVM sees as a
//! unit-stride access and vectorises; only layout `A` uses the strides.

use inkwell::values::{BasicValueEnum, IntValue, PointerValue};
use inkwell::IntPredicate;
use oxjit_runtime::exceptions::INDEX_OUT_OF_BOUNDS;
use oxjit_tir::oxjit_types::{Layout, Scalar, Type};
use oxjit_tir::Expr;

use crate::expr::scalar;
use crate::func::FnEmitter;
use crate::types::{array_field, mem_type};
use crate::{unsupported, Result};

fn dtype(array_ty: &Type) -> Result<Type> {
    match array_ty.array() {
        Some(a) => Ok(Type::Scalar(a.dtype)),
        None => unsupported(format!("element of a {array_ty:#}")),
    }
}

impl<'ctx> FnEmitter<'_, 'ctx> {
    fn dims_field(
        &self,
        arr: BasicValueEnum<'ctx>,
        field: u32,
        k: usize,
    ) -> Result<IntValue<'ctx>> {
        let dims = self
            .b
            .build_extract_value(arr.into_struct_value(), field, "")?
            .into_array_value();
        Ok(self
            .b
            .build_extract_value(dims, k as u32, "")?
            .into_int_value())
    }

    /// Extent of dimension `k`.
    pub fn dim(&self, arr: BasicValueEnum<'ctx>, k: usize) -> Result<IntValue<'ctx>> {
        self.dims_field(arr, array_field::SHAPE, k)
    }

    pub fn nitems(&self, arr: BasicValueEnum<'ctx>) -> Result<IntValue<'ctx>> {
        Ok(self
            .b
            .build_extract_value(arr.into_struct_value(), array_field::NITEMS, "nitems")?
            .into_int_value())
    }

    /// The address of `arr[indices]`; returns `INDEX_OUT_OF_BOUNDS` if
    /// `boundscheck` and an index (after wrapping) is outside `0..shape[k]`.
    pub fn element_ptr(
        &mut self,
        arr: BasicValueEnum<'ctx>,
        array_ty: &Type,
        indices: &[Expr],
        boundscheck: bool,
    ) -> Result<PointerValue<'ctx>> {
        let Some(at) = array_ty
            .array()
            .filter(|a| a.ndim as usize == indices.len())
        else {
            return unsupported(format!("{} indices into a {array_ty:#}", indices.len()));
        };
        let mut idx = Vec::with_capacity(indices.len());
        let mut in_bounds: Option<IntValue> = None;
        for (k, e) in indices.iter().enumerate() {
            let s = scalar(e)?;
            let i = self.expr(e)?;
            let i = self.ir().cast(i, s, Scalar::I64)?.into_int_value();
            let n = self.dim(arr, k)?;
            let i = if s.is_signed() {
                let negative = self.b.build_int_compare(
                    IntPredicate::SLT,
                    i,
                    i.get_type().const_zero(),
                    "",
                )?;
                self.ir()
                    .iselect(negative, self.b.build_int_add(i, n, "")?, i)?
            } else {
                i
            };
            if boundscheck {
                // Unsigned, so a still-negative index fails too.
                let ok = self.b.build_int_compare(IntPredicate::ULT, i, n, "")?;
                in_bounds = Some(match in_bounds {
                    Some(all) => self.b.build_and(all, ok, "")?,
                    None => ok,
                });
            }
            idx.push((i, n));
        }
        if let Some(ok) = in_bounds {
            self.raise_unless(ok, INDEX_OUT_OF_BOUNDS)?;
        }
        let ctx = self.cx.ctx;
        let b = &self.b;
        let data = b
            .build_extract_value(arr.into_struct_value(), array_field::DATA, "data")?
            .into_pointer_value();
        // In-bounds indices cannot overflow an address computation.
        let (mul, add) = (
            |x, y| b.build_int_nsw_mul(x, y, ""),
            |x, y| b.build_int_nsw_add(x, y, ""),
        );
        let i64t = ctx.i64_type();
        // SAFETY (of the GEPs): the indices are in bounds if checked, and
        // unchecked out-of-bounds indexing is the user's error, as in Numba.
        Ok(match at.layout {
            Layout::A => {
                let mut offset = i64t.const_zero();
                for (k, &(i, _)) in idx.iter().enumerate() {
                    offset = add(
                        offset,
                        mul(i, self.dims_field(arr, array_field::STRIDES, k)?)?,
                    )?;
                }
                unsafe { b.build_in_bounds_gep(ctx.i8_type(), data, &[offset], "")? }
            }
            Layout::C | Layout::F => {
                // Horner's rule over the dimensions, slowest-varying first.
                if at.layout == Layout::F {
                    idx.reverse();
                }
                let mut linear: Option<IntValue> = None;
                for (i, n) in idx {
                    linear = Some(match linear {
                        Some(l) => add(mul(l, n)?, i)?,
                        None => i,
                    });
                }
                let linear = linear.unwrap_or(i64t.const_zero());
                let elem = mem_type(ctx, &Type::Scalar(at.dtype));
                unsafe { b.build_in_bounds_gep(elem, data, &[linear], "")? }
            }
        })
    }

    pub fn load_element(
        &self,
        ptr: PointerValue<'ctx>,
        array_ty: &Type,
    ) -> Result<BasicValueEnum<'ctx>> {
        let dtype = dtype(array_ty)?;
        let v = self
            .b
            .build_load(mem_type(self.cx.ctx, &dtype), ptr, "elem")?;
        self.ir().from_mem(v, &dtype)
    }

    pub fn store_element(
        &self,
        ptr: PointerValue<'ctx>,
        array_ty: &Type,
        v: BasicValueEnum<'ctx>,
    ) -> Result<()> {
        let v = self.ir().to_mem(v, &dtype(array_ty)?)?;
        self.b.build_store(ptr, v)?;
        Ok(())
    }
}

//! Array values: their parts, new C-contiguous arrays in refcounted
//! memory, and element access: negative indices wrap, optional bounds
//! checks, and addresses from the layout. Contiguous layouts never load
//! strides: a C or F array is indexed by a linear element index, which LLVM
//! sees as a unit-stride access and vectorises; only layout `A` uses the
//! strides.

use inkwell::attributes::AttributeLoc;
use inkwell::values::{BasicValueEnum, IntValue, PointerValue};
use inkwell::{AddressSpace, IntPredicate};
use oxjit_abi::exc::{ARRAY_TOO_BIG, INDEX_OUT_OF_BOUNDS, OUT_OF_MEMORY};
use oxjit_runtime::memory::{data_offset, MIN_ALIGN};
use oxjit_runtime::symbols;
use oxjit_tir::oxjit_types::{ArrayType, Layout, Scalar, Type};
use oxjit_tir::{BinOp, Expr, ExprKind};

use crate::expr::scalar;
use crate::func::FnEmitter;
use crate::types::{array_field, mem_type, reg_type};
use crate::{unsupported, Result};

/// The fields of an array value.
#[derive(Clone)]
pub(crate) struct ArrayParts<'ctx> {
    pub meminfo: PointerValue<'ctx>,
    pub parent: PointerValue<'ctx>,
    pub data: PointerValue<'ctx>,
    pub shape: Vec<IntValue<'ctx>>,
    /// In bytes.
    pub strides: Vec<IntValue<'ctx>>,
}

/// The array type of `e`, which the TIR contract says is an array.
pub(crate) fn array_type(e: &Expr) -> Result<ArrayType> {
    match e.ty.array() {
        Some(a) => Ok(a),
        None => unsupported(format!("{:#} where an array is required", e.ty)),
    }
}

fn dtype(array_ty: &Type) -> Result<Scalar> {
    match array_ty.array() {
        Some(a) => Ok(a.dtype),
        None => unsupported(format!("element of a {array_ty:#}")),
    }
}

impl<'ctx> FnEmitter<'_, 'ctx> {
    pub fn array_parts(&self, arr: BasicValueEnum<'ctx>, ndim: u8) -> Result<ArrayParts<'ctx>> {
        let s = arr.into_struct_value();
        let ptr = |f| -> Result<PointerValue<'ctx>> {
            Ok(self.b.build_extract_value(s, f, "")?.into_pointer_value())
        };
        let dims = |f| {
            (0..ndim as usize)
                .map(|k| self.dims_field(arr, f, k))
                .collect::<Result<Vec<_>>>()
        };
        Ok(ArrayParts {
            meminfo: ptr(array_field::MEMINFO)?,
            parent: ptr(array_field::PARENT)?,
            data: ptr(array_field::DATA)?,
            shape: dims(array_field::SHAPE)?,
            strides: dims(array_field::STRIDES)?,
        })
    }

    /// An array value of `at` from its parts (`nitems` is the product of the shape).
    pub fn build_array(&self, at: ArrayType, p: &ArrayParts<'ctx>) -> Result<BasicValueEnum<'ctx>> {
        let ctx = self.cx.ctx;
        let i64t = ctx.i64_type();
        let st = reg_type(ctx, &Type::Array(at)).into_struct_type();
        let dims = |xs: &[IntValue<'ctx>]| -> Result<BasicValueEnum<'ctx>> {
            let mut agg = i64t.array_type(xs.len() as u32).get_undef();
            for (k, x) in xs.iter().enumerate() {
                agg = self
                    .b
                    .build_insert_value(agg, *x, k as u32, "")?
                    .into_array_value();
            }
            Ok(agg.into())
        };
        let fields: [(u32, BasicValueEnum); 7] = [
            (array_field::MEMINFO, p.meminfo.into()),
            (array_field::PARENT, p.parent.into()),
            (array_field::NITEMS, self.product(&p.shape)?.into()),
            (
                array_field::ITEMSIZE,
                i64t.const_int(at.dtype.size() as u64, false).into(),
            ),
            (array_field::DATA, p.data.into()),
            (array_field::SHAPE, dims(&p.shape)?),
            (array_field::STRIDES, dims(&p.strides)?),
        ];
        let mut agg = st.get_undef();
        for (f, v) in fields {
            agg = self
                .b
                .build_insert_value(agg, v, f, "")?
                .into_struct_value();
        }
        Ok(agg.into())
    }

    /// NumPy's C strides for `shape` (an extent of 0 counts as 1).
    pub fn c_strides(
        &self,
        shape: &[IntValue<'ctx>],
        itemsize: usize,
    ) -> Result<Vec<IntValue<'ctx>>> {
        let i64t = self.cx.ctx.i64_type();
        let mut stride = i64t.const_int(itemsize as u64, false);
        let mut strides = vec![stride; shape.len()];
        for (k, &n) in shape.iter().enumerate().rev() {
            strides[k] = stride;
            let empty = self
                .b
                .build_int_compare(IntPredicate::EQ, n, i64t.const_zero(), "")?;
            let n = self.ir().iselect(empty, i64t.const_int(1, false), n)?;
            stride = self.b.build_int_mul(stride, n, "")?;
        }
        Ok(strides)
    }

    /// True at run time if the array is C-contiguous (extents of 1 may have
    /// any stride, as in NumPy's flags); constant for layout C.
    pub fn is_c_contiguous(&self, at: ArrayType, p: &ArrayParts<'ctx>) -> Result<IntValue<'ctx>> {
        let ctx = self.cx.ctx;
        if at.layout == Layout::C {
            return Ok(ctx.bool_type().const_all_ones());
        }
        self.c_contiguous(&p.shape, &p.strides, at.dtype.size())
    }

    /// True at run time if elements of `itemsize` bytes with this shape and
    /// these byte strides are C-contiguous (extents of 1 may have any stride).
    pub fn c_contiguous(
        &self,
        shape: &[IntValue<'ctx>],
        strides: &[IntValue<'ctx>],
        itemsize: usize,
    ) -> Result<IntValue<'ctx>> {
        let ctx = self.cx.ctx;
        let i64t = ctx.i64_type();
        let mut ok = ctx.bool_type().const_all_ones();
        let mut expected = i64t.const_int(itemsize as u64, false);
        for (&n, &s) in shape.iter().zip(strides).rev() {
            let unit =
                self.b
                    .build_int_compare(IntPredicate::EQ, n, i64t.const_int(1, false), "")?;
            let matches = self
                .b
                .build_int_compare(IntPredicate::EQ, s, expected, "")?;
            ok = self
                .b
                .build_and(ok, self.b.build_or(unit, matches, "")?, "")?;
            expected = self.b.build_int_mul(expected, n, "")?;
        }
        Ok(ok)
    }

    /// A new C-contiguous array of `dtype` and `shape` with uninitialised
    /// elements, owned by the caller (not yet pending). Raises `ValueError`
    /// if its size overflows and `MemoryError` if allocation fails.
    pub fn alloc_array(
        &mut self,
        dtype: Scalar,
        shape: &[IntValue<'ctx>],
    ) -> Result<BasicValueEnum<'ctx>> {
        let ctx = self.cx.ctx;
        let i64t = ctx.i64_type();
        let itemsize = dtype.size();
        // The byte size, checking every multiplication for overflow.
        let mul = self
            .cx
            .intrinsic("llvm.umul.with.overflow", &[i64t.into()])?;
        let mut bytes = i64t.const_int(itemsize as u64, false);
        let mut overflow = ctx.bool_type().const_zero();
        for &n in shape {
            let r = self
                .ir()
                .call(mul, &[bytes.into(), n.into()])?
                .into_struct_value();
            bytes = self.b.build_extract_value(r, 0, "")?.into_int_value();
            let o = self.b.build_extract_value(r, 1, "")?.into_int_value();
            overflow = self.b.build_or(overflow, o, "")?;
        }
        let too_big = self
            .b
            .build_int_compare(IntPredicate::SLT, bytes, i64t.const_zero(), "")?;
        let fits = self
            .b
            .build_not(self.b.build_or(overflow, too_big, "")?, "")?;
        self.raise_unless(fits, ARRAY_TOO_BIG)?;
        let ptr = ctx.ptr_type(AddressSpace::default());
        let alloc = self.cx.rt(&symbols::MEMINFO_ALLOC);
        // A fresh block: LLVM may assume the data aliases nothing else.
        alloc.add_attribute(AttributeLoc::Return, self.cx.attr("noalias"));
        let align = itemsize.max(MIN_ALIGN);
        let mi = self
            .ir()
            .call(
                alloc,
                &[bytes.into(), i64t.const_int(align as u64, false).into()],
            )?
            .into_pointer_value();
        let ok = self.b.build_is_not_null(mi, "")?;
        self.raise_unless(ok, OUT_OF_MEMORY)?;
        // SAFETY: the data starts this far into the block (runtime contract).
        let data = unsafe {
            self.b.build_in_bounds_gep(
                ctx.i8_type(),
                mi,
                &[i64t.const_int(data_offset(align) as u64, false)],
                "data",
            )?
        };
        let at = ArrayType::new(dtype, shape.len() as u8, Layout::C);
        let parts = ArrayParts {
            meminfo: mi,
            parent: ptr.const_null(),
            data,
            shape: shape.to_vec(),
            strides: self.c_strides(shape, itemsize)?,
        };
        self.build_array(at, &parts)
    }

    pub fn load_scalar(
        &self,
        ptr: PointerValue<'ctx>,
        dtype: Scalar,
    ) -> Result<BasicValueEnum<'ctx>> {
        let ty = Type::Scalar(dtype);
        let v = self.b.build_load(mem_type(self.cx.ctx, &ty), ptr, "elem")?;
        self.ir().reg_form(v, &ty)
    }

    pub fn store_scalar(
        &self,
        ptr: PointerValue<'ctx>,
        v: BasicValueEnum<'ctx>,
        dtype: Scalar,
    ) -> Result<()> {
        let v = self.ir().mem_form(v, &Type::Scalar(dtype))?;
        self.b.build_store(ptr, v)?;
        Ok(())
    }

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
            let i = if boundscheck {
                self.expr(e)?
            } else {
                self.index_value(e)?
            };
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

    /// An unchecked index: `+`, `-` and `*` of signed integers without
    /// wrap-around (`nsw`), and a float truncated without saturation. An
    /// index whose arithmetic overflows int64, or a float out of its range,
    /// is out of bounds however it is computed, and unchecked out-of-bounds
    /// indexing is the user's error (as in Numba), so LLVM may assume it
    /// does not happen: `a[i + j]` with `i`, `j` counting up from 0 then
    /// needs no negative-index test, and `hist[int(x * n)]` no saturation.
    /// Checked indices keep Python's wrap-around and saturation.
    fn index_value(&mut self, e: &Expr) -> Result<BasicValueEnum<'ctx>> {
        let int64 = |t: &Type| t.scalar().is_some_and(|s| s.strong() == Scalar::I64);
        let signed = int64(&e.ty);
        match &e.kind {
            // A Python int is an int64 (the cast changes no bits).
            ExprKind::Cast(x) if signed && int64(&x.ty) => self.index_value(x),
            // Frozen: an out-of-range float gives some (out-of-bounds) index,
            // never poison that could spread into other code.
            ExprKind::Cast(x) if signed && x.ty.scalar().is_some_and(|s| s.is_float()) => {
                let v = self.expr(x)?.into_float_value();
                let i = self
                    .b
                    .build_float_to_signed_int(v, self.cx.ctx.i64_type(), "")?;
                Ok(self.ir().freeze(i).into())
            }
            ExprKind::Binary(op @ (BinOp::Add | BinOp::Sub | BinOp::Mul), a, b)
                if signed && a.ty == e.ty && b.ty == e.ty =>
            {
                let x = self.index_value(a)?.into_int_value();
                let y = self.index_value(b)?.into_int_value();
                Ok(match op {
                    BinOp::Add => self.b.build_int_nsw_add(x, y, "")?,
                    BinOp::Sub => self.b.build_int_nsw_sub(x, y, "")?,
                    _ => self.b.build_int_nsw_mul(x, y, "")?,
                }
                .into())
            }
            _ => self.expr(e),
        }
    }

    pub fn load_element(
        &self,
        ptr: PointerValue<'ctx>,
        array_ty: &Type,
    ) -> Result<BasicValueEnum<'ctx>> {
        self.load_scalar(ptr, dtype(array_ty)?)
    }

    pub fn store_element(
        &self,
        ptr: PointerValue<'ctx>,
        array_ty: &Type,
        v: BasicValueEnum<'ctx>,
    ) -> Result<()> {
        self.store_scalar(ptr, v, dtype(array_ty)?)
    }
}

//! Lists: the length and item access inline, reading the header of
//! `oxjit_runtime::list` at its fixed offsets (so `l[i]` in a loop is a
//! bounds test and a load); everything that changes the length is a
//! `RuntimeCall`. Indices follow Python: negative counts from the end and
//! anything outside raises `IndexError`, whatever `boundscheck` says.

use inkwell::values::{BasicValueEnum, IntValue, PointerValue};
use inkwell::IntPredicate;
use oxjit_runtime::list::{DIRTY_OFFSET, ITEMS_OFFSET, LEN_OFFSET};
use oxjit_runtime::memory::DATA_FIELD_OFFSET;
use oxjit_tir::oxjit_types::{Scalar, Type};
use oxjit_tir::Expr;

use crate::expr::scalar;
use crate::func::FnEmitter;
use crate::types::mem_type;
use crate::{unsupported, Result};

impl<'ctx> FnEmitter<'_, 'ctx> {
    /// The address of the field `offset` bytes into the block at `base`.
    fn field(&self, base: PointerValue<'ctx>, offset: usize) -> Result<PointerValue<'ctx>> {
        let i8t = self.cx.ctx.i8_type();
        let off = self.cx.ctx.i64_type().const_int(offset as u64, false);
        // SAFETY: the offsets are those of the runtime's `#[repr(C)]` structs.
        Ok(unsafe { self.b.build_in_bounds_gep(i8t, base, &[off], "")? })
    }

    /// The list's header (its meminfo's data).
    fn list_header(&self, l: BasicValueEnum<'ctx>) -> Result<PointerValue<'ctx>> {
        let ptr = self.cx.ctx.ptr_type(inkwell::AddressSpace::default());
        let at = self.field(l.into_pointer_value(), DATA_FIELD_OFFSET)?;
        Ok(self.b.build_load(ptr, at, "list")?.into_pointer_value())
    }

    /// `len(l)` as `int64`.
    pub fn list_len(&self, l: BasicValueEnum<'ctx>) -> Result<IntValue<'ctx>> {
        let at = self.field(self.list_header(l)?, LEN_OFFSET)?;
        let i64t = self.cx.ctx.i64_type();
        Ok(self.b.build_load(i64t, at, "len")?.into_int_value())
    }

    /// The address of item `index` of list `l`; raises `exc` when the
    /// index (after wrapping) is outside the list.
    pub fn list_item_ptr(
        &mut self,
        l: BasicValueEnum<'ctx>,
        list_ty: &Type,
        index: &Expr,
        exc: u32,
    ) -> Result<PointerValue<'ctx>> {
        let Some(item) = list_ty.list_item() else {
            return unsupported(format!("an item of {list_ty:#}"));
        };
        let s = scalar(index)?;
        let i = self.expr(index)?;
        let i = self.ir().cast(i, s, Scalar::I64)?.into_int_value();
        let n = self.list_len(l)?;
        let i = if s.is_signed() {
            let negative =
                self.b
                    .build_int_compare(IntPredicate::SLT, i, i.get_type().const_zero(), "")?;
            self.ir()
                .iselect(negative, self.b.build_int_add(i, n, "")?, i)?
        } else {
            i
        };
        // Unsigned, so a still-negative index fails too.
        let ok = self.b.build_int_compare(IntPredicate::ULT, i, n, "")?;
        self.raise_unless(ok, exc)?;
        let ptr = self.cx.ctx.ptr_type(inkwell::AddressSpace::default());
        let at = self.field(self.list_header(l)?, ITEMS_OFFSET)?;
        let items = self.b.build_load(ptr, at, "items")?.into_pointer_value();
        let elem = mem_type(self.cx.ctx, item);
        // SAFETY: `i` is inside the list.
        Ok(unsafe { self.b.build_in_bounds_gep(elem, items, &[i], "")? })
    }

    /// `l[index]`: a new reference to a managed item, left pending.
    pub fn list_get(&mut self, list: &Expr, index: &Expr) -> Result<BasicValueEnum<'ctx>> {
        let item = list.ty.list_item().cloned().unwrap_or(Type::None);
        let mark = self.mark();
        let l = self.borrow(list)?;
        let at = self.list_item_ptr(l, &list.ty, index, oxjit_abi::exc::LIST_INDEX)?;
        let v = self.b.build_load(mem_type(self.cx.ctx, &item), at, "")?;
        let v = self.ir().reg_form(v, &item)?;
        self.incref(v, &item)?;
        self.release_to(mark)?;
        self.hold(v, &item)?;
        Ok(v)
    }

    /// `l[index] = value`: the list takes the value's reference and
    /// releases the item it replaces.
    pub fn list_set(&mut self, list: &Expr, index: &Expr, value: &Expr) -> Result<()> {
        let item = list.ty.list_item().cloned().unwrap_or(Type::None);
        let before = self.mark();
        // Python evaluates the value before the target.
        let v = self.expr(value)?;
        let mark = self.mark();
        let l = self.borrow(list)?;
        let at = self.list_item_ptr(l, &list.ty, index, oxjit_abi::exc::LIST_ASSIGN_INDEX)?;
        let mem = mem_type(self.cx.ctx, &item);
        let old = self.b.build_load(mem, at, "")?;
        let old = self.ir().reg_form(old, &item)?;
        self.b.build_store(at, self.ir().mem_form(v, &item)?)?;
        let dirty = self.field(self.list_header(l)?, DIRTY_OFFSET)?;
        self.b
            .build_store(dirty, self.cx.ctx.i64_type().const_int(1, false))?;
        self.release_to(mark)?;
        self.forget_to(before)?;
        self.decref(old, &item)
    }
}

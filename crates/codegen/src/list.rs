//! Lists: the length and item access inline, reading the header of
//! `oxjit_runtime::list` at its fixed offsets (so `l[i]` in a loop is a
//! bounds test and a load); everything that changes the length is a
//! `RuntimeCall`. Indices follow Python: negative counts from the end and
//! anything outside raises `IndexError`, whatever `boundscheck` says.

use inkwell::types::BasicType;
use inkwell::values::{BasicValue, BasicValueEnum, IntValue, PointerValue};
use inkwell::IntPredicate;
use oxjit_runtime::list::{CAP_OFFSET, DIRTY_OFFSET, ITEMS_OFFSET, LEN_OFFSET};
use oxjit_runtime::memory::DATA_FIELD_OFFSET;
use oxjit_runtime::symbols;
use oxjit_tir::oxjit_types::{Scalar, Type};
use oxjit_tir::{ConstValue, Expr, ExprKind, RuntimeFn};

use crate::expr::scalar;
use crate::func::FnEmitter;
use crate::tbaa::Memory;
use crate::types::mem_type;
use crate::{unsupported, Result};

impl<'ctx> FnEmitter<'_, 'ctx> {
    /// The address of the field `offset` bytes into the block at `base`.
    pub(crate) fn field(
        &self,
        base: PointerValue<'ctx>,
        offset: usize,
    ) -> Result<PointerValue<'ctx>> {
        let i8t = self.cx.ctx.i8_type();
        let off = self.cx.ctx.i64_type().const_int(offset as u64, false);
        // SAFETY: the offsets are those of the runtime's `#[repr(C)]` structs.
        Ok(unsafe { self.b.build_in_bounds_gep(i8t, base, &[off], "")? })
    }

    /// A load tagged as reading only `memory`.
    pub(crate) fn load_from(
        &self,
        ty: impl BasicType<'ctx>,
        at: PointerValue<'ctx>,
        memory: Memory,
    ) -> Result<BasicValueEnum<'ctx>> {
        let v = self.b.build_load(ty, at, "")?;
        if let Some(inst) = v.as_instruction_value() {
            self.cx.tag(inst, memory);
        }
        Ok(v)
    }

    /// A store tagged as writing only `memory`.
    fn store_to(
        &self,
        at: PointerValue<'ctx>,
        v: impl BasicValue<'ctx>,
        memory: Memory,
    ) -> Result<()> {
        let inst = self.b.build_store(at, v)?;
        self.cx.tag(inst, memory);
        Ok(())
    }

    /// The list's header (its meminfo's data).
    pub(crate) fn list_header(&self, l: BasicValueEnum<'ctx>) -> Result<PointerValue<'ctx>> {
        let ptr = self.cx.ctx.ptr_type(inkwell::AddressSpace::default());
        let at = self.field(l.into_pointer_value(), DATA_FIELD_OFFSET)?;
        Ok(self
            .load_from(ptr, at, Memory::MemInfo)?
            .into_pointer_value())
    }

    /// `len(l)` as `int64`.
    pub fn list_len(&self, l: BasicValueEnum<'ctx>) -> Result<IntValue<'ctx>> {
        self.header_word(self.list_header(l)?, LEN_OFFSET)
    }

    pub(crate) fn header_word(
        &self,
        header: PointerValue<'ctx>,
        offset: usize,
    ) -> Result<IntValue<'ctx>> {
        let at = self.field(header, offset)?;
        let i64t = self.cx.ctx.i64_type();
        Ok(self
            .load_from(i64t, at, Memory::ListHeader)?
            .into_int_value())
    }

    fn set_header_word(
        &self,
        header: PointerValue<'ctx>,
        offset: usize,
        v: IntValue<'ctx>,
    ) -> Result<()> {
        self.store_to(self.field(header, offset)?, v, Memory::ListHeader)
    }

    /// The address of item `i` (in range) of the list whose header is given.
    fn item_at(
        &self,
        header: PointerValue<'ctx>,
        item: &Type,
        i: IntValue<'ctx>,
    ) -> Result<PointerValue<'ctx>> {
        let ptr = self.cx.ctx.ptr_type(inkwell::AddressSpace::default());
        let at = self.field(header, ITEMS_OFFSET)?;
        let items = self
            .load_from(ptr, at, Memory::ListHeader)?
            .into_pointer_value();
        let elem = mem_type(self.cx.ctx, item);
        // SAFETY: `i` is inside the list's buffer.
        Ok(unsafe { self.b.build_in_bounds_gep(elem, items, &[i], "")? })
    }

    /// `append` and `pop()` inline (the operations of loops that build or
    /// walk lists): a store or load and a length update, calling the
    /// runtime only to grow the buffer. `None` for other list calls.
    pub fn list_fast_call(
        &mut self,
        func: RuntimeFn,
        args: &[Expr],
    ) -> Result<Option<BasicValueEnum<'ctx>>> {
        let unit = || self.cx.ctx.struct_type(&[], false).const_zero().into();
        match func {
            RuntimeFn::ListAppend => {
                let item = args[0].ty.list_item().cloned().unwrap_or(Type::None);
                let mark = self.mark();
                let l = self.borrow(&args[0])?;
                let before = self.mark();
                let v = self.expr(&args[1])?;
                let header = self.list_header(l)?;
                let len = self.header_word(header, LEN_OFFSET)?;
                let cap = self.header_word(header, CAP_OFFSET)?;
                let full = self
                    .b
                    .build_int_compare(IntPredicate::SGE, len, cap, "full")?;
                let (grow, room) = (
                    self.ir().append_block("grow"),
                    self.ir().append_block("room"),
                );
                self.b.build_conditional_branch(full, grow, room)?;
                self.b.position_at_end(grow);
                let one = self.cx.ctx.i64_type().const_int(1, false);
                let status = self
                    .ir()
                    .call(self.cx.rt(&symbols::LIST_RESERVE), &[l, one.into()])?
                    .into_int_value();
                self.propagate(status)?;
                self.b.build_unconditional_branch(room)?;
                self.b.position_at_end(room);
                let at = self.item_at(header, &item, len)?;
                self.store_to(at, self.ir().mem_form(v, &item)?, Memory::ListItems)?;
                self.set_header_word(header, LEN_OFFSET, self.b.build_int_nsw_add(len, one, "")?)?;
                self.set_header_word(header, DIRTY_OFFSET, one)?;
                // The list owns the item's references now.
                self.forget_to(before)?;
                self.release_to(mark)?;
                Ok(Some(unit()))
            }
            RuntimeFn::ListPop if const_int(&args[1]) == Some(-1) => {
                let item = args[0].ty.list_item().cloned().unwrap_or(Type::None);
                let mark = self.mark();
                let l = self.borrow(&args[0])?;
                let header = self.list_header(l)?;
                let len = self.header_word(header, LEN_OFFSET)?;
                let zero = len.get_type().const_zero();
                let some = self.b.build_int_compare(IntPredicate::SGT, len, zero, "")?;
                self.raise_unless(some, oxjit_abi::exc::LIST_POP_EMPTY)?;
                let one = len.get_type().const_int(1, false);
                let last = self.b.build_int_nsw_sub(len, one, "")?;
                let at = self.item_at(header, &item, last)?;
                let v = self.load_from(mem_type(self.cx.ctx, &item), at, Memory::ListItems)?;
                let v = self.ir().reg_form(v, &item)?;
                self.set_header_word(header, LEN_OFFSET, last)?;
                self.set_header_word(header, DIRTY_OFFSET, one)?;
                self.release_to(mark)?;
                // The item's references move out with it.
                self.hold(v, &item)?;
                Ok(Some(v))
            }
            _ => Ok(None),
        }
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
        self.item_at(self.list_header(l)?, item, i)
    }

    /// `l[index]`: a new reference to a managed item, left pending.
    pub fn list_get(&mut self, list: &Expr, index: &Expr) -> Result<BasicValueEnum<'ctx>> {
        let item = list.ty.list_item().cloned().unwrap_or(Type::None);
        let mark = self.mark();
        let l = self.borrow(list)?;
        let at = self.list_item_ptr(l, &list.ty, index, oxjit_abi::exc::LIST_INDEX)?;
        let v = self.load_from(mem_type(self.cx.ctx, &item), at, Memory::ListItems)?;
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
        let old = self.load_from(mem, at, Memory::ListItems)?;
        let old = self.ir().reg_form(old, &item)?;
        self.store_to(at, self.ir().mem_form(v, &item)?, Memory::ListItems)?;
        let one = self.cx.ctx.i64_type().const_int(1, false);
        self.set_header_word(self.list_header(l)?, DIRTY_OFFSET, one)?;
        self.release_to(mark)?;
        self.forget_to(before)?;
        self.decref(old, &item)
    }
}

/// The value of an integer constant, seen through casts.
fn const_int(e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Const(ConstValue::Int(i)) => Some(*i),
        ExprKind::Cast(x) => const_int(x),
        _ => None,
    }
}

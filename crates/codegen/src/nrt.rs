//! Reference counting of array memory (after Numba's runtime, "NRT").
//!
//! An array value's `meminfo` is null when its memory belongs to Python (an
//! argument, `parent` being the ndarray) and otherwise an
//! `oxjit_runtime::memory::MemInfo`; every count operation is null-safe.
//! *Managed* values (arrays, tuples holding arrays) follow these rules:
//!
//! - Evaluating a managed expression (`FnEmitter::expr`) yields an owned
//!   reference; reading a local for that adds one.
//! - Until its consumer takes it, an owned value is *pending*: its meminfos
//!   sit in hidden entry-block slots (zero from the start, zeroed again when
//!   released or taken), so an exception in the middle of a statement frees
//!   it through the exit block. Pending values form a stack: evaluating a
//!   managed expression pushes exactly one entry, and every consumer pops
//!   what it pushed, either releasing it (end of a use) or taking it (a
//!   local, a tuple, the caller's result slot owns it now).
//! - Projections that only read (`FnEmitter::borrow`: indexing, extents,
//!   view sources, reduction and elementwise inputs, call arguments) use a
//!   local's value directly, without count traffic; anything else they read
//!   is a pending temporary released after the use. A borrow is recorded on
//!   the pending stack, so that a `SetLocal` of the same local during the
//!   use (`f(x, (x := y))`) defers releasing the old value to its end.
//! - Locals own their value: assigning releases the old one, and the exit
//!   block releases all of them. Parameters are borrowed, unless the body
//!   assigns them: those take a reference on entry and are owned like any
//!   local. A returned value is owned by the caller (for the entry wrapper,
//!   Python).

use inkwell::types::BasicType;
use inkwell::values::{BasicValueEnum, PointerValue};
use inkwell::AddressSpace;
use oxjit_abi::sig::RtFn;
use oxjit_runtime::symbols;
use oxjit_tir::oxjit_types::Type;
use oxjit_tir::{Expr, ExprKind, Function, LocalId};

use crate::func::FnEmitter;
use crate::Result;

/// Whether a derived value (a view) holds a reference of its own.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ownership {
    /// One more reference, released with the value.
    Owned,
    /// None: valid while its source is, within a use that only reads it.
    Borrowed,
}

/// The locals the frame releases at exit: managed non-parameters, and the
/// managed parameters the body assigns.
pub(crate) fn owned_locals(f: &Function) -> Vec<LocalId> {
    let assigned = oxjit_tir::assigned(&f.body);
    (0..f.locals.len())
        .filter(|&i| {
            f.locals[i].ty.is_managed() && (i >= f.nparams || assigned.contains(&LocalId(i as u32)))
        })
        .map(|i| LocalId(i as u32))
        .collect()
}

/// The hidden slots of owned temporaries (see the module docs).
#[derive(Default)]
pub(crate) struct Temps<'ctx> {
    /// Every slot made so far, released at exit.
    slots: Vec<PointerValue<'ctx>>,
    /// Pending values and borrows, innermost last.
    pending: Vec<Pending<'ctx>>,
}

enum Pending<'ctx> {
    /// An owned value's meminfo slots.
    Value(Vec<PointerValue<'ctx>>),
    /// A local in use without a reference of its own, and the slots of its
    /// old values that assignments during the use left to release after it.
    Borrow(LocalId, Vec<PointerValue<'ctx>>),
}

impl<'ctx> FnEmitter<'_, 'ctx> {
    /// The meminfo pointers inside `v` of type `ty`, in field order: the
    /// `MemInfo` fields of its memory representation.
    fn meminfos(&self, v: BasicValueEnum<'ctx>, ty: &Type) -> Result<Vec<PointerValue<'ctx>>> {
        let mut out = vec![];
        for path in ty.repr().meminfo_paths() {
            let mut x = v;
            for &i in &path {
                x = match x {
                    BasicValueEnum::StructValue(s) => self.b.build_extract_value(s, i, "")?,
                    BasicValueEnum::ArrayValue(a) => self.b.build_extract_value(a, i, "")?,
                    _ => unreachable!("a field path runs through aggregates"),
                };
            }
            out.push(x.into_pointer_value());
        }
        Ok(out)
    }

    /// Calls runtime function `counter` on `mi` unless it is null: LLVM
    /// drops the call where it knows the pointer is null (an unassigned
    /// local, a released temporary on the normal exit path).
    fn count(&self, counter: &RtFn, mi: PointerValue<'ctx>) -> Result<()> {
        let f = self.cx.rt(counter);
        let (call, done) = (
            self.ir().append_block("rc"),
            self.ir().append_block("rc.done"),
        );
        let live = self.b.build_is_not_null(mi, "")?;
        self.b.build_conditional_branch(live, call, done)?;
        self.b.position_at_end(call);
        self.b.build_call(f, &[mi.into()], "")?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok(())
    }

    pub fn incref(&self, v: BasicValueEnum<'ctx>, ty: &Type) -> Result<()> {
        self.meminfos(v, ty)?
            .into_iter()
            .try_for_each(|mi| self.count(&symbols::MEMINFO_INCREF, mi))
    }

    pub fn decref(&self, v: BasicValueEnum<'ctx>, ty: &Type) -> Result<()> {
        self.meminfos(v, ty)?
            .into_iter()
            .try_for_each(|mi| self.count(&symbols::MEMINFO_DECREF, mi))
    }

    /// The height of the pending stack, for `release_to`/`forget_to`.
    pub fn mark(&self) -> usize {
        self.temps.pending.len()
    }

    /// Makes the owned value `v` pending (a no-op for unmanaged types).
    pub fn hold(&mut self, v: BasicValueEnum<'ctx>, ty: &Type) -> Result<()> {
        if !ty.is_managed() {
            return Ok(());
        }
        let slot = self.new_temp(ty)?;
        self.fill_temp(slot, v, ty)
    }

    /// Pushes a pending entry for a value of `ty` that `fill_temp` stores
    /// later (possibly on one path only: the slots stay null elsewhere).
    pub fn new_temp(&mut self, ty: &Type) -> Result<usize> {
        let slots = self.slots_for(ty)?;
        self.temps.pending.push(Pending::Value(slots));
        Ok(self.temps.pending.len() - 1)
    }

    /// Fresh hidden slots for the meminfos of a value of `ty`.
    fn slots_for(&mut self, ty: &Type) -> Result<Vec<PointerValue<'ctx>>> {
        let ptr = self.cx.ctx.ptr_type(AddressSpace::default());
        let slots = (0..self.meminfo_count(ty))
            .map(|_| self.zeroed_alloca(ptr, "temp"))
            .collect::<Result<Vec<_>>>()?;
        self.temps.slots.extend(&slots);
        Ok(slots)
    }

    fn store_meminfos(
        &self,
        slots: &[PointerValue<'ctx>],
        v: BasicValueEnum<'ctx>,
        ty: &Type,
    ) -> Result<()> {
        for (slot, mi) in slots.iter().zip(self.meminfos(v, ty)?) {
            self.b.build_store(*slot, mi)?;
        }
        Ok(())
    }

    pub fn fill_temp(&self, entry: usize, v: BasicValueEnum<'ctx>, ty: &Type) -> Result<()> {
        match &self.temps.pending[entry] {
            Pending::Value(slots) => self.store_meminfos(slots, v, ty),
            Pending::Borrow(..) => unreachable!("`new_temp` made a value entry"),
        }
    }

    fn meminfo_count(&self, ty: &Type) -> usize {
        ty.repr().meminfo_paths().len()
    }

    fn release_slots(&self, slots: &[PointerValue<'ctx>]) -> Result<()> {
        let ptr = self.cx.ctx.ptr_type(AddressSpace::default());
        for &slot in slots {
            let mi = self.b.build_load(ptr, slot, "")?.into_pointer_value();
            self.count(&symbols::MEMINFO_DECREF, mi)?;
            self.b.build_store(slot, ptr.const_null())?;
        }
        Ok(())
    }

    /// How many hidden slots exist so far, for [`Self::release_slots_from`].
    pub fn slot_count(&self) -> usize {
        self.temps.slots.len()
    }

    /// Releases (and zeroes) every hidden slot made since `start`: at a
    /// `try`'s landing, the temporaries pending where its exception was
    /// raised (all others are already null).
    pub fn release_slots_from(&mut self, start: usize) -> Result<()> {
        let slots = self.temps.slots[start..].to_vec();
        self.release_slots(&slots)
    }

    /// A hidden slot for one reference (null until stored), released at
    /// exit unless zeroed first.
    pub fn reference_slot(&mut self) -> Result<PointerValue<'ctx>> {
        let ptr = self.cx.ctx.ptr_type(AddressSpace::default());
        let slot = self.zeroed_alloca(ptr, "temp")?;
        self.temps.slots.push(slot);
        Ok(slot)
    }

    /// Releases the pending values above `mark` (the end of their use).
    pub fn release_to(&mut self, mark: usize) -> Result<()> {
        while self.temps.pending.len() > mark {
            match self.temps.pending.pop().expect("above mark") {
                Pending::Value(slots) | Pending::Borrow(_, slots) => self.release_slots(&slots)?,
            }
        }
        Ok(())
    }

    /// Takes the pending values above `mark`: their references now belong
    /// to whatever the caller just stored them in.
    pub fn forget_to(&mut self, mark: usize) -> Result<()> {
        while self.temps.pending.len() > mark {
            match self.temps.pending.pop().expect("above mark") {
                Pending::Value(slots) => {
                    for slot in slots {
                        self.b.build_store(
                            slot,
                            self.cx.ctx.ptr_type(AddressSpace::default()).const_null(),
                        )?;
                    }
                }
                // A borrow ends with the use; what it deferred is released.
                Pending::Borrow(_, slots) => self.release_slots(&slots)?,
            }
        }
        Ok(())
    }

    /// Releases the pending values between `mark` and the top entry, which
    /// (a result built from them) stays pending.
    pub fn release_below_top(&mut self, mark: usize) -> Result<()> {
        let top = self.temps.pending.pop().expect("a pending result");
        debug_assert!(
            matches!(top, Pending::Value(_)),
            "the top entry is the result"
        );
        self.release_to(mark)?;
        self.temps.pending.push(top);
        Ok(())
    }

    /// Evaluates `e` for a use that only reads it: a local is used in place,
    /// a view borrows its borrowed source (no reference of its own);
    /// anything else is an owned temporary left pending for the caller to
    /// release (`release_to`) after the use.
    pub fn borrow(&mut self, e: &Expr) -> Result<BasicValueEnum<'ctx>> {
        match &e.kind {
            ExprKind::Local(id) => {
                if e.ty.is_managed() {
                    self.temps.pending.push(Pending::Borrow(*id, Vec::new()));
                }
                self.load_local(*id)
            }
            ExprKind::View {
                array,
                dims,
                boundscheck,
            } => self.view(e, array, dims, *boundscheck, Ownership::Borrowed),
            ExprKind::Transpose { array, axes } => {
                self.transpose(e, array, axes, Ownership::Borrowed)
            }
            ExprKind::Reshape { array, shape } => {
                self.reshape(e, array, shape, Ownership::Borrowed)
            }
            ExprKind::TupleGet(x, i) => {
                let t = self.borrow(x)?;
                Ok(self
                    .b
                    .build_extract_value(t.into_struct_value(), *i as u32, "")?)
            }
            _ => self.expr(e),
        }
    }

    /// `local = x`, releasing the local's old value (after the end of the
    /// outermost use that borrows it, if any); returns the new value (which
    /// the local owns).
    pub fn assign_local(&mut self, id: LocalId, x: &Expr) -> Result<BasicValueEnum<'ctx>> {
        let mark = self.mark();
        let v = self.expr(x)?;
        let f = self.f;
        let ty = &f.local(id).ty;
        if !ty.is_managed() {
            self.store_local(id, v)?;
            return Ok(v);
        }
        let old = self.load_local(id)?;
        self.store_local(id, v)?;
        self.forget_to(mark)?;
        let borrower = self
            .temps
            .pending
            .iter()
            .position(|p| matches!(p, Pending::Borrow(b, _) if *b == id));
        match borrower {
            Some(i) => {
                let slots = self.slots_for(ty)?;
                self.store_meminfos(&slots, old, ty)?;
                if let Pending::Borrow(_, deferred) = &mut self.temps.pending[i] {
                    deferred.extend(slots);
                }
            }
            None => self.decref(old, ty)?,
        }
        Ok(v)
    }

    /// Parameters the body assigns take their own reference on entry.
    pub fn own_reassigned_params(&mut self) -> Result<()> {
        let f = self.f;
        for &id in self
            .owned_locals()
            .iter()
            .filter(|id| (id.0 as usize) < f.nparams)
        {
            self.incref(self.load_local(id)?, &f.local(id).ty)?;
        }
        Ok(())
    }

    /// Releases every owned local and temporary; emitted in the exit block.
    pub fn release_frame(&mut self) -> Result<()> {
        let f = self.f;
        for &id in self.owned_locals() {
            self.decref(self.load_local(id)?, &f.local(id).ty)?;
        }
        let ptr = self.cx.ctx.ptr_type(AddressSpace::default());
        for slot in self.temps.slots.clone() {
            let mi = self
                .b
                .build_load(ptr.as_basic_type_enum(), slot, "")?
                .into_pointer_value();
            self.count(&symbols::MEMINFO_DECREF, mi)?;
        }
        Ok(())
    }
}

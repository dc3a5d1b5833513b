//! Sets of `int64`s in compiled code: `x in s` searches the runtime's
//! table inline (`oxjit_runtime::set`, whose layout constants it reads),
//! by the same CPython probe sequence the runtime inserts with, so a
//! membership test in a loop is a few loads with no call; `s.add(x)` of an
//! item already there is the same test, and of a new one a direct call
//! with the item as a word. Other set operations are `RuntimeCall`s.

use inkwell::values::{BasicValueEnum, IntValue};
use inkwell::IntPredicate;
use oxjit_runtime::pyhash::MODULUS;
use oxjit_runtime::set::{
    entry_size, EMPTY_HASH, ITEM_AT, LINEAR_PROBES, MASK_OFFSET, PERTURB_SHIFT, TABLE_OFFSET,
};
use oxjit_runtime::symbols;
use oxjit_tir::oxjit_types::Scalar;
use oxjit_tir::{Expr, RuntimeFn};

use crate::func::FnEmitter;
use crate::tbaa::Memory;
use crate::Result;

impl<'ctx> FnEmitter<'_, 'ctx> {
    /// `x in s` and `s.add(x)` for a set of `int64`s (`None` for other
    /// calls and item types).
    pub fn set_word_call(
        &mut self,
        func: RuntimeFn,
        args: &[Expr],
    ) -> Result<Option<BasicValueEnum<'ctx>>> {
        if !matches!(func, RuntimeFn::SetContains | RuntimeFn::SetAdd) {
            return Ok(None);
        }
        let words = match (args, args.first().and_then(|s| s.ty.set_item())) {
            ([_, x], Some(item)) => {
                &x.ty == item && item.scalar().is_some_and(|s| s.strong() == Scalar::I64)
            }
            _ => false,
        };
        if !words {
            return Ok(None);
        }
        let mark = self.mark();
        let s = self.borrow(&args[0])?;
        let x = self.expr(&args[1])?.into_int_value();
        let present = self.set_has_word(s, x)?;
        let v = if func == RuntimeFn::SetContains {
            present.into()
        } else {
            // Only an item not there yet goes to the runtime (which finds
            // where it goes, and grows the table).
            let (absent, after) = (
                self.ir().append_block("set_add"),
                self.ir().append_block("set_added"),
            );
            self.b.build_conditional_branch(present, after, absent)?;
            self.b.position_at_end(absent);
            let f = self.cx.rt(&symbols::SET_ADD_WORD);
            let status = self.ir().call(f, &[s, x.into()])?.into_int_value();
            self.propagate(status)?;
            self.b.build_unconditional_branch(after)?;
            self.b.position_at_end(after);
            self.cx.ctx.struct_type(&[], false).const_zero().into()
        };
        self.release_to(mark)?;
        Ok(Some(v))
    }

    /// Whether the set `s` of `int64`s holds `x`: CPython's search from
    /// `hash(x) & mask`, the entries after it, then the perturbed steps,
    /// until an entry holding `x` or an empty one.
    fn set_has_word(
        &mut self,
        s: BasicValueEnum<'ctx>,
        x: IntValue<'ctx>,
    ) -> Result<IntValue<'ctx>> {
        let ctx = self.cx.ctx;
        let (i8t, i64t) = (ctx.i8_type(), ctx.i64_type());
        let int = |v: i64| i64t.const_int(v as u64, true);
        let header = self.list_header(s)?;
        let mask = self.header_word(header, MASK_OFFSET)?;
        let table = self
            .load_from(
                ctx.ptr_type(Default::default()),
                self.field(header, TABLE_OFFSET)?,
                Memory::ListHeader,
            )?
            .into_pointer_value();
        let entry = entry_size(8) as i64;
        let hash = self.int_hash(x)?;

        let probe = self.ir().append_block("set_probe");
        let scan = self.ir().append_block("set_scan");
        let item = self.ir().append_block("set_item");
        let other = self.ir().append_block("set_other");
        let next = self.ir().append_block("set_next");
        let advance = self.ir().append_block("set_advance");
        let done = self.ir().append_block("set_done");
        let start = self.b.get_insert_block().expect("positioned");
        let first = self.b.build_and(hash, mask, "")?;
        self.b.build_unconditional_branch(probe)?;

        // One run: entry `i` and the nine after it when they fit.
        self.b.position_at_end(probe);
        let i = self.b.build_phi(i64t, "i")?;
        let perturb = self.b.build_phi(i64t, "perturb")?;
        let (iv, pv) = (
            i.as_basic_value().into_int_value(),
            perturb.as_basic_value().into_int_value(),
        );
        let far = self
            .b
            .build_int_nuw_add(iv, int(LINEAR_PROBES as i64), "")?;
        let fits = self.b.build_int_compare(IntPredicate::ULE, far, mask, "")?;
        let last = self.b.build_select(fits, far, iv, "")?.into_int_value();
        self.b.build_unconditional_branch(scan)?;

        self.b.position_at_end(scan);
        let j = self.b.build_phi(i64t, "j")?;
        let jv = j.as_basic_value().into_int_value();
        let off = self.b.build_int_nuw_mul(jv, int(entry), "")?;
        // SAFETY: `j <= mask`, an entry of the table.
        let at = unsafe { self.b.build_in_bounds_gep(i8t, table, &[off], "")? };
        let h = self.load_from(i64t, at, Memory::SetTable)?.into_int_value();
        let same_hash = self.b.build_int_compare(IntPredicate::EQ, h, hash, "")?;
        self.b.build_conditional_branch(same_hash, item, other)?;

        // A live entry (a number never hashes to a vacant entry's word)
        // with x's hash.
        self.b.position_at_end(item);
        let item_at = self.field(at, ITEM_AT)?;
        let y = self
            .load_from(i64t, item_at, Memory::SetTable)?
            .into_int_value();
        let found = self.b.build_int_compare(IntPredicate::EQ, y, x, "")?;
        self.b.build_conditional_branch(found, done, next)?;

        // Another item or a dummy; an empty entry ends the search.
        self.b.position_at_end(other);
        let empty = self
            .b
            .build_int_compare(IntPredicate::EQ, h, int(EMPTY_HASH), "")?;
        self.b.build_conditional_branch(empty, done, next)?;

        self.b.position_at_end(next);
        let j1 = self.b.build_int_nuw_add(jv, int(1), "")?;
        let more = self.b.build_int_compare(IntPredicate::ULE, j1, last, "")?;
        self.b.build_conditional_branch(more, scan, advance)?;
        j.add_incoming(&[(&iv, probe), (&j1, next)]);

        // i = (5 i + 1 + perturb) & mask, perturb shifted right each time.
        self.b.position_at_end(advance);
        let p1 = self
            .b
            .build_right_shift(pv, int(PERTURB_SHIFT as i64), false, "")?;
        let i5 = self.b.build_int_mul(iv, int(5), "")?;
        let i5 = self.b.build_int_add(i5, int(1), "")?;
        let i1 = self
            .b
            .build_and(self.b.build_int_add(i5, p1, "")?, mask, "")?;
        self.b.build_unconditional_branch(probe)?;
        i.add_incoming(&[(&first, start), (&i1, advance)]);
        perturb.add_incoming(&[(&hash, start), (&p1, advance)]);

        self.b.position_at_end(done);
        let result = self.b.build_phi(ctx.bool_type(), "in_set")?;
        let (t, f) = (
            ctx.bool_type().const_int(1, false),
            ctx.bool_type().const_zero(),
        );
        result.add_incoming(&[(&t, item), (&f, other)]);
        Ok(result.as_basic_value().into_int_value())
    }

    /// Python's `hash()` of an `int64` (`pyhash::int`): the value modulo
    /// `2**61 - 1` with its sign, `-1` becoming `-2`. The magnitude is at
    /// most `2**63`, `hi * 2**61 + lo`, and `2**61` is 1 modulo the prime,
    /// so the remainder is `hi + lo` less the prime once if that reaches
    /// it: no division.
    fn int_hash(&self, x: IntValue<'ctx>) -> Result<IntValue<'ctx>> {
        let i64t = self.cx.ctx.i64_type();
        let int = |v: i64| i64t.const_int(v as u64, true);
        let modulus = i64t.const_int(MODULUS, false);
        let b = &self.b;
        let negative = b.build_int_compare(IntPredicate::SLT, x, int(0), "")?;
        let minus = b.build_int_sub(int(0), x, "")?;
        let magnitude = b.build_select(negative, minus, x, "")?.into_int_value();
        let hi = b.build_right_shift(magnitude, int(61), false, "")?;
        let lo = b.build_and(magnitude, modulus, "")?;
        let sum = b.build_int_nuw_add(hi, lo, "")?;
        let over = b.build_int_compare(IntPredicate::UGE, sum, modulus, "")?;
        let less = b.build_int_sub(sum, modulus, "")?;
        let m = b.build_select(over, less, sum, "")?.into_int_value();
        let signed = b.build_select(negative, b.build_int_sub(int(0), m, "")?, m, "")?;
        let signed = signed.into_int_value();
        let is_minus_one = b.build_int_compare(IntPredicate::EQ, signed, int(-1), "")?;
        Ok(b.build_select(is_minus_one, int(-2), signed, "")?
            .into_int_value())
    }
}

//! `parallel=True`: `prange` loops and large array expressions run on the
//! runtime's thread pool.
//!
//! Both are outlined into a chunk function `i32 chunk(ptr ctx, i64 k0,
//! i64 k1, i64 tid)` that does iterations `k0..k1`; the pool
//! (`oxjit_rt_parallel_for`) calls it from its threads. `ctx` is a struct
//! in the caller's frame holding the values the work needs, which the
//! chunk loads into values of its own (`outline`).
//!
//! A `prange` loop (`ForRange` with `parallel`) captures the value of every
//! local its body mentions, the loop's start and step, and a pointer to the
//! reduction slots: one row of partial results per pool thread, which the
//! caller combines after the loop. A chunk copies those locals into a frame
//! of its own (taking a reference to arrays, which its exit releases), so
//! every local the body assigns is private by construction; reductions
//! start each chunk at their identity and fold into the row of the thread
//! that ran it.
//!
//! An `Elementwise` fill or a whole-array reduction of at least
//! `MIN_PARALLEL_ELEMENTS` positions splits its flat range (contiguous
//! operands) or its outermost dimension (`split_nest`); a reduction folds
//! each chunk's result into its thread's row (`thread_rows`).

use std::collections::BTreeSet;

use inkwell::module::Linkage;
use inkwell::types::{BasicTypeEnum, StructType};
use inkwell::values::{BasicValueEnum, FunctionValue, IntValue, PointerValue};
use inkwell::{AddressSpace, IntPredicate};
use oxjit_runtime::symbols;
use oxjit_tir::{walk, Expr, ExprKind, LocalId, Node, ParReduction, Parallel, Stmt, StmtKind};

use crate::elementwise::Prepared;
use crate::func::FnEmitter;
use crate::loops::Operand;
use crate::types::reg_type;
use crate::Result;

/// Array expressions with fewer positions run serially: below this the
/// launch costs more than the threads save.
const MIN_PARALLEL_ELEMENTS: u64 = 1 << 15;

/// Every local that `stmts` read or assign.
fn mentioned(stmts: &[Stmt], out: &mut BTreeSet<LocalId>) {
    walk(stmts, &mut |n| match n {
        Node::Expr(Expr {
            kind: ExprKind::Local(id) | ExprKind::SetLocal(id, _),
            ..
        })
        | Node::Stmt(Stmt {
            kind: StmtKind::Assign(id, _),
            ..
        }) => {
            out.insert(*id);
        }
        Node::Stmt(Stmt {
            kind: StmtKind::ForRange { var, parallel, .. },
            ..
        }) => {
            out.insert(*var);
            for r in parallel.iter().flat_map(|p| &p.reductions) {
                out.extend([r.local, r.partial]);
            }
        }
        _ => {}
    });
}

/// What a chunk function sees: the captured values, its range `k0..k1`
/// (`i64`) and its thread id.
struct Chunk<'ctx> {
    values: Vec<BasicValueEnum<'ctx>>,
    k0: IntValue<'ctx>,
    k1: IntValue<'ctx>,
    tid: IntValue<'ctx>,
}

impl<'a, 'ctx> FnEmitter<'a, 'ctx> {
    /// A chunk function whose work `emit` emits, given the `values`
    /// captured here; returns it with the filled `ctx` struct.
    fn outline(
        &mut self,
        values: &[BasicValueEnum<'ctx>],
        emit: impl FnOnce(&mut FnEmitter<'a, 'ctx>, Chunk<'ctx>) -> Result<()>,
    ) -> Result<(FunctionValue<'ctx>, PointerValue<'ctx>)> {
        let ctx = self.cx.ctx;
        let (i64t, ptr) = (ctx.i64_type(), ctx.ptr_type(AddressSpace::default()));
        let types: Vec<BasicTypeEnum> = values.iter().map(|v| v.get_type()).collect();
        let ctx_ty = ctx.struct_type(&types, false);
        let cptr = self.entry_alloca(ctx_ty, "chunk.ctx")?;
        for (i, v) in values.iter().enumerate() {
            self.b
                .build_store(self.b.build_struct_gep(ctx_ty, cptr, i as u32, "")?, *v)?;
        }
        let fty = ctx
            .i32_type()
            .fn_type(&[ptr.into(), i64t.into(), i64t.into(), i64t.into()], false);
        let func = self
            .cx
            .add_function(&format!("{}.chunk", self.f.symbol), fty, Linkage::Private);
        let mut e = FnEmitter::start(self.cx, self.f, func, None, |_| None)?;
        let param = |i: u32| func.get_nth_param(i).expect("chunk parameter");
        let cp = param(0).into_pointer_value();
        let mut loaded = Vec::with_capacity(values.len());
        for (i, ty) in types.iter().enumerate() {
            loaded.push(e.b.build_load(
                *ty,
                e.b.build_struct_gep(ctx_ty, cp, i as u32, "")?,
                "",
            )?);
        }
        let (k0, k1, tid) = (
            param(1).into_int_value(),
            param(2).into_int_value(),
            param(3).into_int_value(),
        );
        emit(
            &mut e,
            Chunk {
                values: loaded,
                k0,
                k1,
                tid,
            },
        )?;
        e.finish()?;
        Ok((func, cptr))
    }

    /// Runs `chunk` over `0..n` (`i64`) on the pool; its status propagates.
    fn run_chunks(
        &mut self,
        chunk: FunctionValue<'ctx>,
        cptr: PointerValue<'ctx>,
        n: IntValue<'ctx>,
        dynamic: bool,
    ) -> Result<()> {
        let ctx = self.cx.ctx;
        let i32t = ctx.i32_type();
        let run = self.cx.rt(&symbols::PARALLEL_FOR);
        let args = [
            chunk.as_global_value().as_pointer_value().into(),
            cptr.into(),
            n.into(),
            i32t.const_int(dynamic as u64, false).into(),
        ];
        let status = self.ir().call(run, &args)?.into_int_value();
        self.propagate(status)
    }

    pub(crate) fn par_for(
        &mut self,
        var: LocalId,
        bounds: [&Expr; 3],
        body: &[Stmt],
        orelse: &[Stmt],
        p: &Parallel,
    ) -> Result<()> {
        let ctx = self.cx.ctx;
        let i64t = ctx.i64_type();
        let (start, n, step) = self.range_bounds(var, bounds)?;
        let mut set = BTreeSet::from([var]);
        mentioned(body, &mut set);
        let captured: Vec<LocalId> = set.into_iter().collect();
        let (arrays, scalars): (Vec<&ParReduction>, Vec<&ParReduction>) = p
            .reductions
            .iter()
            .partition(|r| self.f.local(r.local).ty.array().is_some());
        let rows: Vec<BasicTypeEnum> = scalars
            .iter()
            .map(|r| reg_type(ctx, &self.f.local(r.local).ty))
            .collect();
        let row_ty = ctx.struct_type(&rows, false);

        // One row of partial results per pool thread, on the stack for the
        // duration of the loop.
        let identities = scalars
            .iter()
            .map(|r| self.expr(&r.identity))
            .collect::<Result<Vec<_>>>()?;
        let (sp, threads, slots) = self.thread_rows(row_ty.into(), |e, row| {
            for (j, v) in identities.iter().enumerate() {
                e.b.build_store(e.b.build_struct_gep(row_ty, row, j as u32, "")?, *v)?;
            }
            Ok(())
        })?;

        let mut values = captured
            .iter()
            .map(|id| self.load_local(*id))
            .collect::<Result<Vec<_>>>()?;
        values.extend::<[BasicValueEnum; 3]>([start.into(), step.into(), slots.into()]);
        let (chunk, cptr) = self.outline(&values, |e, c| {
            for (&id, &v) in captured.iter().zip(&c.values) {
                // An array reduction's local holds the chunk's own array;
                // the shared one is its partial.
                let slot = arrays
                    .iter()
                    .find(|r| r.local == id)
                    .map_or(id, |r| r.partial);
                e.store_local(slot, v)?;
                // The frame releases owned locals at exit: take a reference.
                if e.owned_locals().contains(&slot) {
                    e.incref(v, &e.f.local(slot).ty)?;
                }
            }
            let [start, step, slots] = c.values[captured.len()..] else {
                unreachable!("three values follow the locals")
            };
            for r in &scalars {
                let v = e.expr(&r.identity)?;
                e.store_local(r.local, v)?;
            }
            for r in &arrays {
                let v = e.assign_local(r.local, &r.identity)?;
                if !e.owned_locals().contains(&r.local) {
                    e.hold(v, &e.f.local(r.local).ty)?;
                }
            }
            let kt = start.get_type().into_int_type();
            let k0 = e.b.build_int_truncate_or_bit_cast(c.k0, kt, "k0")?;
            let k1 = e.b.build_int_truncate_or_bit_cast(c.k1, kt, "k1")?;
            e.range_loop(
                var,
                start.into_int_value(),
                step.into_int_value(),
                k0,
                k1,
                body,
                &[],
            )?;
            if !e.terminated() {
                let row = e.row(row_ty, slots.into_pointer_value(), c.tid)?;
                e.fold_partials(row_ty, row, &scalars, true)?;
                if !arrays.is_empty() {
                    e.b.build_call(e.cx.rt(&symbols::COMBINE_LOCK), &[], "")?;
                    for r in &arrays {
                        e.block(&r.combine)?;
                    }
                    e.b.build_call(e.cx.rt(&symbols::COMBINE_UNLOCK), &[], "")?;
                }
            }
            Ok(())
        })?;
        let n64 = self.b.build_int_z_extend_or_bit_cast(n, i64t, "")?;
        self.run_chunks(chunk, cptr, n64, p.dynamic)?;

        self.counted_loop(threads, &[], &mut |e, t, _| {
            let row = e.row(row_ty, slots, t)?;
            e.fold_partials(row_ty, row, &scalars, false)?;
            Ok(vec![])
        })?;
        self.release_rows(sp)?;
        self.block(orelse)
    }

    /// Thread `t`'s row of reduction slots.
    fn row(
        &self,
        row_ty: StructType<'ctx>,
        slots: PointerValue<'ctx>,
        t: IntValue<'ctx>,
    ) -> Result<PointerValue<'ctx>> {
        // SAFETY: `t` is below the number of rows allocated.
        Ok(unsafe { self.b.build_in_bounds_gep(row_ty, slots, &[t], "row")? })
    }

    /// Combines each scalar reduction local with its partial in `row`; with
    /// `store`, writes the result back into the row.
    fn fold_partials(
        &mut self,
        row_ty: StructType<'ctx>,
        row: PointerValue<'ctx>,
        scalars: &[&ParReduction],
        store: bool,
    ) -> Result<()> {
        for (j, r) in scalars.iter().enumerate() {
            let at = self.b.build_struct_gep(row_ty, row, j as u32, "")?;
            let ty = row_ty.get_field_type_at_index(j as u32).expect("row field");
            let partial = self.b.build_load(ty, at, "")?;
            self.store_local(r.partial, partial)?;
            self.block(&r.combine)?;
            if store {
                self.b.build_store(at, self.load_local(r.local)?)?;
            }
        }
        Ok(())
    }

    /// `fill` under `parallel=True` (see `split_nest`).
    pub(crate) fn par_fill(
        &mut self,
        p: &Prepared<'ctx>,
        ops: &[Operand<'ctx>],
        flat: IntValue<'ctx>,
        body: &Expr,
    ) -> Result<()> {
        self.split_nest(
            &p.shape,
            ops,
            flat,
            p.scalars(),
            vec![],
            |e| e.fill_nest(p, ops, &p.shape, Some(flat), body),
            |e, s| {
                let part = p.with(s.scalars, s.shape.clone(), s.ops[1..].to_vec());
                e.fill_nest(&part, &s.ops, &s.shape, s.flat, body)
            },
            |_| Ok(()),
        )
    }

    /// A loop nest over `shape` with operands `ops`, on the pool when it
    /// has at least `MIN_PARALLEL_ELEMENTS` positions (then `work` emits a
    /// chunk's share, split along the flat range when `flat` holds at run
    /// time, else along the outermost dimension, and `after` runs here once
    /// the chunks are done), else `serial` here. `scalars` and `extra` are
    /// values the work needs, handed to it as the chunk's copies.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn split_nest(
        &mut self,
        shape: &[IntValue<'ctx>],
        ops: &[Operand<'ctx>],
        flat: IntValue<'ctx>,
        scalars: Vec<BasicValueEnum<'ctx>>,
        extra: Vec<BasicValueEnum<'ctx>>,
        serial: impl FnOnce(&mut Self) -> Result<()>,
        work: impl Fn(&mut FnEmitter<'a, 'ctx>, Share<'ctx>) -> Result<()>,
        after: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        if shape.is_empty() {
            return serial(self);
        }
        let ctx = self.cx.ctx;
        let i64t = ctx.i64_type();
        let total = self.product(shape)?;
        let big = self.b.build_int_compare(
            IntPredicate::SGE,
            total,
            i64t.const_int(MIN_PARALLEL_ELEMENTS, false),
            "big",
        )?;
        let ir = self.ir();
        let (par_bb, serial_bb, done) = (
            ir.append_block("split.parallel"),
            ir.append_block("split.serial"),
            ir.append_block("split.done"),
        );
        self.b.build_conditional_branch(big, par_bb, serial_bb)?;
        self.b.position_at_end(serial_bb);
        serial(self)?;
        self.b.build_unconditional_branch(done)?;

        self.b.position_at_end(par_bb);
        let nd = shape.len();
        let (nscalars, nextra) = (scalars.len(), extra.len());
        let mut values: Vec<BasicValueEnum> = vec![flat.into()];
        values.extend(shape.iter().map(|&d| BasicValueEnum::from(d)));
        values.extend(scalars);
        values.extend(extra);
        for o in ops {
            values.push(o.data.into());
            values.extend(o.strides.iter().map(|&s| BasicValueEnum::from(s)));
        }
        let (chunk, cptr) = self.outline(&values, |e, c| {
            let mut it = c.values.into_iter();
            let flat = it.next().expect("flat").into_int_value();
            let shape: Vec<IntValue> = (0..nd)
                .map(|_| it.next().expect("extent").into_int_value())
                .collect();
            let scalars: Vec<BasicValueEnum> = it.by_ref().take(nscalars).collect();
            let extra: Vec<BasicValueEnum> = it.by_ref().take(nextra).collect();
            let ops: Vec<Operand> = ops
                .iter()
                .map(|o| Operand {
                    data: it.next().expect("data").into_pointer_value(),
                    strides: (0..nd)
                        .map(|_| it.next().expect("stride").into_int_value())
                        .collect(),
                    dtype: o.dtype,
                    flat,
                })
                .collect();
            let len = e.b.build_int_sub(c.k1, c.k0, "len")?;
            let ir = e.ir();
            let (flat_bb, nest_bb, end) = (
                ir.append_block("chunk.flat"),
                ir.append_block("chunk.nest"),
                ir.append_block("chunk.end"),
            );
            e.b.build_conditional_branch(flat, flat_bb, nest_bb)?;
            // Flat: elements k0..k1 of every operand.
            e.b.position_at_end(flat_bb);
            let moved = e.moved_to(&ops, c.k0, false)?;
            let yes = e.cx.ctx.bool_type().const_all_ones();
            let share = Share {
                ops: moved,
                shape: vec![len],
                flat: Some(yes),
                scalars: scalars.clone(),
                extra: extra.clone(),
                tid: c.tid,
            };
            work(e, share)?;
            e.b.build_unconditional_branch(end)?;
            // Nest: rows k0..k1 of the outermost dimension.
            e.b.position_at_end(nest_bb);
            let moved = e.moved_to(&ops, c.k0, true)?;
            let mut sub = shape.clone();
            sub[0] = len;
            let share = Share {
                ops: moved,
                shape: sub,
                flat: None,
                scalars,
                extra,
                tid: c.tid,
            };
            work(e, share)?;
            e.b.build_unconditional_branch(end)?;
            e.b.position_at_end(end);
            Ok(())
        })?;
        let n = self.ir().iselect(flat, total, shape[0])?;
        self.run_chunks(chunk, cptr, n, false)?;
        after(self)?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// `ops` moved to position `k` of a chunk's share: element `k` of the
    /// flat range, or row `k` of the outermost dimension (`rows`).
    fn moved_to(
        &self,
        ops: &[Operand<'ctx>],
        k: IntValue<'ctx>,
        rows: bool,
    ) -> Result<Vec<Operand<'ctx>>> {
        let i64t = self.cx.ctx.i64_type();
        ops.iter()
            .map(|o| {
                let unit = if rows {
                    o.strides[0]
                } else {
                    i64t.const_int(o.dtype.size() as u64, false)
                };
                let offset = self.b.build_int_mul(k, unit, "")?;
                // SAFETY: positions k..k1 of the share are inside every operand.
                let data = unsafe {
                    self.b
                        .build_in_bounds_gep(self.cx.ctx.i8_type(), o.data, &[offset], "")?
                };
                Ok(Operand { data, ..o.clone() })
            })
            .collect()
    }

    /// One row of `ty` values per pool thread, each set to `init`, on the
    /// stack until `release_rows` (returns the stack mark, the row count
    /// and the rows).
    pub(crate) fn thread_rows(
        &mut self,
        ty: BasicTypeEnum<'ctx>,
        init: impl Fn(&mut FnEmitter<'a, 'ctx>, PointerValue<'ctx>) -> Result<()>,
    ) -> Result<(BasicValueEnum<'ctx>, IntValue<'ctx>, PointerValue<'ctx>)> {
        let ctx = self.cx.ctx;
        let ptr = ctx.ptr_type(AddressSpace::default());
        let save = self.cx.intrinsic("llvm.stacksave", &[ptr.into()])?;
        let sp = self.ir().call(save, &[])?;
        let max_threads = self.cx.rt(&symbols::MAX_THREADS);
        let threads = self.ir().call(max_threads, &[])?.into_int_value();
        let rows = self.b.build_array_alloca(ty, threads, "rows")?;
        self.counted_loop(threads, &[], &mut |e, t, _| {
            // SAFETY: t < threads, the number of rows.
            let row = unsafe { e.b.build_in_bounds_gep(ty, rows, &[t], "row")? };
            init(e, row)?;
            Ok(vec![])
        })?;
        Ok((sp, threads, rows))
    }

    /// Frees the rows of `thread_rows`.
    pub(crate) fn release_rows(&mut self, sp: BasicValueEnum<'ctx>) -> Result<()> {
        let ptr = self.cx.ctx.ptr_type(AddressSpace::default());
        let restore = self.cx.intrinsic("llvm.stackrestore", &[ptr.into()])?;
        self.b.build_call(restore, &[sp.into()], "")?;
        Ok(())
    }
}

/// A chunk's share of a loop nest split by `split_nest`.
pub(crate) struct Share<'ctx> {
    /// The operands, moved to the share's first position.
    pub ops: Vec<Operand<'ctx>>,
    pub shape: Vec<IntValue<'ctx>>,
    /// Set (true) for a share of the flat range; `None` for a nest.
    pub flat: Option<IntValue<'ctx>>,
    /// The chunk's copies of `split_nest`'s `scalars` and `extra`.
    pub scalars: Vec<BasicValueEnum<'ctx>>,
    pub extra: Vec<BasicValueEnum<'ctx>>,
    pub tid: IntValue<'ctx>,
}

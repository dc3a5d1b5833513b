//! Expressions: evaluation order, locals, constants, calls and aggregates;
//! the arithmetic itself is in `arith`/`complex`, element access in
//! `array`, array values in `elementwise`, `view` and `reduce`, and the
//! reference counting of managed values in `nrt`.

use inkwell::types::BasicType;
use inkwell::values::{BasicValue, BasicValueEnum};
use inkwell::IntPredicate;
use oxjit_tir::oxjit_types::{Kind, Scalar, Type};
use oxjit_tir::{BinOp, Check, ConstValue, Expr, ExprKind};

use crate::func::FnEmitter;
use crate::nrt::Ownership;
use crate::types::{float_type, reg_type};
use crate::{unsupported, Result};

/// The scalar type of `e`, which the TIR contract says is a scalar.
pub(crate) fn scalar(e: &Expr) -> Result<Scalar> {
    match e.ty.scalar() {
        Some(s) => Ok(s),
        None => unsupported(format!("{:#} where a scalar is required", e.ty)),
    }
}

impl<'ctx> FnEmitter<'_, 'ctx> {
    /// Evaluates `e`; a managed result is an owned reference left pending
    /// (see `nrt`).
    pub fn expr(&mut self, e: &Expr) -> Result<BasicValueEnum<'ctx>> {
        match &e.kind {
            ExprKind::Const(ConstValue::Str(text)) => {
                let v = self.cx.str_literal(text).into();
                self.incref(v, &e.ty)?;
                self.hold(v, &e.ty)?;
                Ok(v)
            }
            ExprKind::Const(c) => self.constant(c, &e.ty),
            ExprKind::Local(id) => {
                let v = self.load_local(*id)?;
                if e.ty.is_managed() {
                    self.incref(v, &e.ty)?;
                    self.hold(v, &e.ty)?;
                }
                Ok(v)
            }
            ExprKind::SetLocal(id, x) => {
                let v = self.assign_local(*id, x)?;
                if e.ty.is_managed() {
                    self.incref(v, &e.ty)?;
                    self.hold(v, &e.ty)?;
                }
                Ok(v)
            }
            ExprKind::Cast(x)
                if e.ty.optional_value().is_some() || x.ty.optional_value().is_some() =>
            {
                self.optional_cast(x, &e.ty)
            }
            // Between arrays of one dtype and ndim (a layout widened by
            // unification) the value is the same: the memory forms agree.
            ExprKind::Cast(x) if e.ty.scalar().is_none() && x.ty.repr() == e.ty.repr() => {
                self.expr(x)
            }
            ExprKind::Cast(x) => {
                let v = self.expr(x)?;
                self.ir().cast(v, scalar(x)?, scalar(e)?)
            }
            ExprKind::Unary(op, x) => {
                let v = self.expr(x)?;
                self.ir().unary(*op, v, scalar(e)?)
            }
            ExprKind::Binary(op, a, b) => {
                let s = scalar(e)?;
                let va = self.expr(a)?;
                let mut vb = self.expr(b)?;
                // Shift counts and integer exponents are int64 by contract;
                // converting here makes any integer type work.
                if matches!(op, BinOp::LShift | BinOp::RShift) || (*op == BinOp::Pow && s.is_int())
                {
                    vb = self.ir().cast(vb, scalar(b)?, Scalar::I64)?;
                }
                self.ir().binary(*op, va, vb, s)
            }
            ExprKind::Compare(op, a, b) => {
                let va = self.expr(a)?;
                let vb = self.expr(b)?;
                Ok(self.ir().compare(*op, va, vb, scalar(a)?)?.into())
            }
            ExprKind::Truth(x) => {
                let v = self.expr(x)?;
                Ok(self.ir().truth(v, scalar(x)?)?.into())
            }
            ExprKind::IfExp(cond, then, orelse) => self.if_exp(cond, then, orelse, &e.ty),
            ExprKind::Guard { value, check, exc } => {
                let v = self.expr(value)?;
                let s = scalar(value)?;
                let ir = self.ir();
                let ok = match check {
                    Check::NonZero => ir.truth(v, s)?,
                    // Only the sign matters: NaN passes, as `nan ** x` does not raise.
                    Check::NonNegative => match s.kind() {
                        Kind::Float => {
                            let x = v.into_float_value();
                            self.b.build_float_compare(
                                inkwell::FloatPredicate::UGE,
                                x,
                                x.get_type().const_zero(),
                                "",
                            )?
                        }
                        Kind::Int if s.is_signed() => {
                            let x = v.into_int_value();
                            self.b.build_int_compare(
                                IntPredicate::SGE,
                                x,
                                x.get_type().const_zero(),
                                "",
                            )?
                        }
                        Kind::Bool | Kind::Int => return Ok(v),
                        Kind::Complex => return unsupported("sign check of a complex number"),
                    },
                };
                self.raise_unless(ok, *exc)?;
                Ok(v)
            }
            ExprKind::Call(intrinsic, args) => self.intrinsic(*intrinsic, args),
            ExprKind::CallFunc { symbol, args } => self.call_func(symbol, args, &e.ty),
            ExprKind::Tuple(items) => {
                let mark = self.mark();
                let mut agg = reg_type(self.cx.ctx, &e.ty).into_struct_type().get_undef();
                for (i, item) in items.iter().enumerate() {
                    let v = self.expr(item)?;
                    agg = self
                        .b
                        .build_insert_value(agg, v, i as u32, "")?
                        .into_struct_value();
                }
                // The items' references move into the tuple.
                self.forget_to(mark)?;
                self.hold(agg.into(), &e.ty)?;
                Ok(agg.into())
            }
            ExprKind::TupleGet(x, i) => {
                let mark = self.mark();
                let t = self.borrow(x)?;
                let v = self
                    .b
                    .build_extract_value(t.into_struct_value(), *i as u32, "")?;
                if e.ty.is_managed() {
                    self.incref(v, &e.ty)?;
                }
                self.release_to(mark)?;
                self.hold(v, &e.ty)?;
                Ok(v)
            }
            ExprKind::Index { array, indices, .. } if array.ty.list_item().is_some() => {
                self.list_get(array, &indices[0])
            }
            ExprKind::Index {
                array,
                indices,
                boundscheck,
            } => {
                let mark = self.mark();
                let a = self.borrow(array)?;
                let ptr = self.element_ptr(a, &array.ty, indices, *boundscheck)?;
                let v = self.load_element(ptr, &array.ty)?;
                self.release_to(mark)?;
                Ok(v)
            }
            ExprKind::Elementwise {
                inputs,
                body,
                shape,
                out,
            } => self.elementwise(e, inputs, body, shape.as_deref(), out.as_deref()),
            ExprKind::ElemInput(k) => match self.elem.last().and_then(|f| f.inputs.get(*k)) {
                Some(v) => Ok(*v),
                None => unsupported(format!("elementwise input {k} outside its body")),
            },
            ExprKind::Uninit => unsupported("uninit outside an elementwise fill"),
            ExprKind::ElemIndex(d) => match self.elem.last().and_then(|f| f.index.get(*d)) {
                Some(v) => Ok((*v).into()),
                None => unsupported(format!("elementwise index {d} outside its body")),
            },
            ExprKind::View {
                array,
                dims,
                boundscheck,
            } => self.view(e, array, dims, *boundscheck, Ownership::Owned),
            ExprKind::Transpose { array, axes } => self.transpose(e, array, axes, Ownership::Owned),
            ExprKind::Reshape { array, shape } => self.reshape(e, array, shape, Ownership::Owned),
            ExprKind::Reduce {
                op,
                array,
                axis,
                ddof,
            } => self.reduce(e, *op, array, *axis, ddof.as_deref()),
            ExprKind::RuntimeCall { func, args } => self.runtime_call(e, *func, args),
        }
    }

    /// Evaluates an integer `x` as `int64`.
    pub fn int64(&mut self, x: &Expr) -> Result<inkwell::values::IntValue<'ctx>> {
        let v = self.expr(x)?;
        Ok(self.ir().cast(v, scalar(x)?, Scalar::I64)?.into_int_value())
    }

    fn constant(&self, c: &ConstValue, ty: &Type) -> Result<BasicValueEnum<'ctx>> {
        let ctx = self.cx.ctx;
        let bad = || unsupported(format!("constant {c:?} of type {ty:#}"));
        let Type::Scalar(s) = *ty else {
            return match (c, ty) {
                (ConstValue::Unit, _) if ty.size_align().0 == 0 => {
                    Ok(ctx.struct_type(&[], false).const_zero().into())
                }
                _ => bad(),
            };
        };
        // The numeric value as (real, imaginary) or as integer bits.
        let (re, im) = match *c {
            ConstValue::Int(i) => (i as f64, 0.0),
            ConstValue::Float(x) => (x, 0.0),
            ConstValue::Bool(b) => (f64::from(u8::from(b)), 0.0),
            ConstValue::Complex(re, im) => (re, im),
            ConstValue::Unit | ConstValue::Str(_) => return bad(),
        };
        Ok(match s.kind() {
            Kind::Bool => ctx
                .bool_type()
                .const_int(u64::from(re != 0.0 || im != 0.0), false)
                .into(),
            Kind::Int => {
                let bits = match *c {
                    ConstValue::Int(i) => i as u64,
                    ConstValue::Bool(b) => u64::from(b),
                    _ => return bad(),
                };
                let it = reg_type(ctx, ty).into_int_type();
                let mask = if s.bits() == 64 {
                    u64::MAX
                } else {
                    (1u64 << s.bits()) - 1
                };
                it.const_int(bits & mask, false).into()
            }
            Kind::Float => float_type(ctx, s).const_float(re).into(),
            Kind::Complex => {
                let t = float_type(ctx, s);
                ctx.const_struct(&[t.const_float(re).into(), t.const_float(im).into()], false)
                    .into()
            }
        })
    }

    fn if_exp(
        &mut self,
        cond: &Expr,
        then: &Expr,
        orelse: &Expr,
        ty: &Type,
    ) -> Result<BasicValueEnum<'ctx>> {
        let c = self.expr(cond)?.into_int_value();
        let ir = self.ir();
        let (then_bb, else_bb, merge) = (
            ir.append_block("ifexp.then"),
            ir.append_block("ifexp.else"),
            ir.append_block("ifexp.end"),
        );
        self.b.build_conditional_branch(c, then_bb, else_bb)?;
        let mut incoming = Vec::with_capacity(2);
        for (bb, x) in [(then_bb, then), (else_bb, orelse)] {
            self.b.position_at_end(bb);
            let mark = self.mark();
            let v = self.expr(x)?;
            // Held again after the merge, where the value is one phi.
            self.forget_to(mark)?;
            // Guards and calls inside `x` may have moved us to another block.
            incoming.push((v, self.b.get_insert_block().expect("builder is positioned")));
            self.b.build_unconditional_branch(merge)?;
        }
        self.b.position_at_end(merge);
        let phi = self.b.build_phi(reg_type(self.cx.ctx, ty), "ifexp")?;
        for (v, bb) in &incoming {
            phi.add_incoming(&[(v as &dyn BasicValue, *bb)]);
        }
        self.hold(phi.as_basic_value(), ty)?;
        Ok(phi.as_basic_value())
    }

    fn call_func(
        &mut self,
        symbol: &str,
        args: &[Expr],
        ty: &Type,
    ) -> Result<BasicValueEnum<'ctx>> {
        let callee = self.cx.compiled(symbol)?;
        if callee.count_params() as usize != args.len() + 1 {
            return unsupported(format!("call of {symbol} with {} arguments", args.len()));
        }
        let ret_ty = reg_type(self.cx.ctx, ty);
        let slot = self.entry_alloca(ret_ty.as_basic_type_enum(), "result")?;
        let mut argv = vec![slot.into()];
        // The callee borrows its arguments.
        let mark = self.mark();
        for a in args {
            argv.push(self.borrow(a)?);
        }
        let status = self.ir().call(callee, &argv)?.into_int_value();
        self.propagate(status)?;
        self.release_to(mark)?;
        let v = self.b.build_load(ret_ty, slot, "")?;
        self.hold(v, ty)?;
        Ok(v)
    }
}

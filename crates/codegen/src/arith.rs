//! Python/NumPy semantics of scalar casts, operators and comparisons on
//! bools, integers and floats (complex numbers: `complex`).
//!
//! Nothing here may produce poison or trap for any input: integer division
//! by zero gives 0 (NumPy; the Python error model has already guarded the
//! divisor), `MIN // -1` wraps, over-wide shifts give 0 or -1, float→int
//! casts saturate.

use inkwell::values::{BasicValueEnum, FloatValue, IntValue};
use inkwell::{FloatPredicate, IntPredicate};
use oxjit_tir::oxjit_types::{Kind, Scalar, Type};
use oxjit_tir::{BinOp, CmpOp, UnaryOp};

use crate::module::Ir;
use crate::types::reg_type;
use crate::{unsupported, Result};

impl<'ctx> Ir<'_, 'ctx> {
    /// Numeric conversion `from` → `to` (see `ExprKind::Cast`).
    pub fn cast(
        &self,
        v: BasicValueEnum<'ctx>,
        from: Scalar,
        to: Scalar,
    ) -> Result<BasicValueEnum<'ctx>> {
        if to == Scalar::Bool {
            return Ok(self.truth(v, from)?.into());
        }
        let b = self.b;
        let target = reg_type(self.ctx(), &Type::Scalar(to));
        Ok(match (from.kind(), to.kind()) {
            (Kind::Complex, Kind::Complex) => {
                let (re, im) = self.parts(v)?;
                let (re, im) = (
                    self.cast(re.into(), from.component(), to.component())?,
                    self.cast(im.into(), from.component(), to.component())?,
                );
                self.make_complex(re.into_float_value(), im.into_float_value())?
            }
            // NumPy drops the imaginary part.
            (Kind::Complex, _) => self.cast(self.parts(v)?.0.into(), from.component(), to)?,
            (_, Kind::Complex) => {
                let re = self.cast(v, from, to.component())?.into_float_value();
                self.make_complex(re, re.get_type().const_zero())?
            }
            (Kind::Bool | Kind::Int, Kind::Int) => b
                .build_int_cast_sign_flag(
                    v.into_int_value(),
                    target.into_int_type(),
                    from.is_signed(),
                    "",
                )?
                .into(),
            (Kind::Bool | Kind::Int, Kind::Float) => {
                let (x, t) = (v.into_int_value(), target.into_float_type());
                if from.is_signed() {
                    b.build_signed_int_to_float(x, t, "")?.into()
                } else {
                    b.build_unsigned_int_to_float(x, t, "")?.into()
                }
            }
            (Kind::Float, Kind::Float) => b
                .build_float_cast(v.into_float_value(), target.into_float_type(), "")?
                .into(),
            (Kind::Float, Kind::Int) => self.float_to_int(v.into_float_value(), to)?.into(),
            (_, Kind::Bool) => unreachable!("handled above"),
        })
    }

    /// Truncation toward zero that saturates (NaN → 0) instead of being
    /// poison. Narrower targets wrap from int64, as NumPy's casts do on x86
    /// (`float64(200.0)` → int8 -56), and a negative value cast to uint64
    /// keeps its int64 bits.
    fn float_to_int(&self, x: FloatValue<'ctx>, to: Scalar) -> Result<IntValue<'ctx>> {
        let i64t = self.ctx().i64_type();
        let sat = |name| -> Result<IntValue<'ctx>> {
            let f = self
                .cx
                .intrinsic(name, &[i64t.into(), x.get_type().into()])?;
            Ok(self.call(f, &[x.into()])?.into_int_value())
        };
        let mut wide = sat("llvm.fptosi.sat")?;
        if to.strong() == Scalar::U64 {
            let negative = self.b.build_float_compare(
                FloatPredicate::OLT,
                x,
                x.get_type().const_zero(),
                "",
            )?;
            wide = self.iselect(negative, wide, sat("llvm.fptoui.sat")?)?;
        }
        let target = reg_type(self.ctx(), &Type::Scalar(to)).into_int_type();
        Ok(self.b.build_int_cast_sign_flag(wide, target, true, "")?)
    }

    /// Python's truth value: non-zero (NaN is true; complex: either part).
    pub fn truth(&self, v: BasicValueEnum<'ctx>, s: Scalar) -> Result<IntValue<'ctx>> {
        let b = self.b;
        Ok(match s.kind() {
            Kind::Bool => v.into_int_value(),
            Kind::Int => {
                let x = v.into_int_value();
                b.build_int_compare(IntPredicate::NE, x, x.get_type().const_zero(), "")?
            }
            Kind::Float => self.float_nonzero(v.into_float_value())?,
            Kind::Complex => {
                let (re, im) = self.parts(v)?;
                b.build_or(self.float_nonzero(re)?, self.float_nonzero(im)?, "")?
            }
        })
    }

    fn float_nonzero(&self, x: FloatValue<'ctx>) -> Result<IntValue<'ctx>> {
        Ok(self
            .b
            .build_float_compare(FloatPredicate::UNE, x, x.get_type().const_zero(), "")?)
    }

    pub fn unary(
        &self,
        op: UnaryOp,
        v: BasicValueEnum<'ctx>,
        s: Scalar,
    ) -> Result<BasicValueEnum<'ctx>> {
        let b = self.b;
        Ok(match (op, s.kind()) {
            (UnaryOp::Neg, Kind::Int) => b.build_int_neg(v.into_int_value(), "")?.into(),
            (UnaryOp::Neg, Kind::Float) => b.build_float_neg(v.into_float_value(), "")?.into(),
            (UnaryOp::Neg, Kind::Complex) => {
                let (re, im) = self.parts(v)?;
                self.make_complex(b.build_float_neg(re, "")?, b.build_float_neg(im, "")?)?
            }
            (UnaryOp::Not, Kind::Bool) | (UnaryOp::Invert, Kind::Bool | Kind::Int) => {
                b.build_not(v.into_int_value(), "")?.into()
            }
            _ => return unsupported(format!("{op:?} of {s}")),
        })
    }

    pub fn binary(
        &self,
        op: BinOp,
        a: BasicValueEnum<'ctx>,
        b: BasicValueEnum<'ctx>,
        s: Scalar,
    ) -> Result<BasicValueEnum<'ctx>> {
        match s.kind() {
            Kind::Bool if !matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) => {
                unsupported(format!(
                    "{op:?} of bools (typeck converts them to integers)"
                ))
            }
            Kind::Bool | Kind::Int => Ok(self
                .int_binary(op, a.into_int_value(), b.into_int_value(), s)?
                .into()),
            Kind::Float => Ok(self
                .float_binary(op, a.into_float_value(), b.into_float_value())?
                .into()),
            Kind::Complex => self.complex_binary(op, a, b),
        }
    }

    fn int_binary(
        &self,
        op: BinOp,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
        s: Scalar,
    ) -> Result<IntValue<'ctx>> {
        let b = self.b;
        Ok(match op {
            BinOp::Add => b.build_int_add(x, y, "")?,
            BinOp::Sub => b.build_int_sub(x, y, "")?,
            BinOp::Mul => b.build_int_mul(x, y, "")?,
            BinOp::FloorDiv => self.int_divmod(x, y, s.is_signed())?.0,
            BinOp::Mod => self.int_divmod(x, y, s.is_signed())?.1,
            BinOp::Pow => self.int_pow(x, y)?,
            BinOp::LShift | BinOp::RShift => self.shift(op, x, y, s)?,
            BinOp::BitAnd => b.build_and(x, y, "")?,
            BinOp::BitOr => b.build_or(x, y, "")?,
            BinOp::BitXor => b.build_xor(x, y, "")?,
            BinOp::Div => return unsupported("true division of integers"),
        })
    }

    fn float_binary(
        &self,
        op: BinOp,
        x: FloatValue<'ctx>,
        y: FloatValue<'ctx>,
    ) -> Result<FloatValue<'ctx>> {
        let b = self.b;
        Ok(match op {
            BinOp::Add => b.build_float_add(x, y, "")?,
            BinOp::Sub => b.build_float_sub(x, y, "")?,
            BinOp::Mul => b.build_float_mul(x, y, "")?,
            BinOp::Div => b.build_float_div(x, y, "")?,
            BinOp::FloorDiv => self.float_divmod(x, y)?.0,
            BinOp::Mod => self.float_divmod(x, y)?.1,
            BinOp::Pow => self.float_intrinsic("llvm.pow", &[x, y])?,
            _ => return unsupported(format!("{op:?} of floats")),
        })
    }

    /// Python's `//` and `%` (quotient rounded toward -inf, remainder with the
    /// divisor's sign), made total as NumPy does: `x // 0 == x % 0 == 0`,
    /// and `MIN // -1` wraps to MIN.
    fn int_divmod(
        &self,
        x: IntValue<'ctx>,
        d: IntValue<'ctx>,
        signed: bool,
    ) -> Result<(IntValue<'ctx>, IntValue<'ctx>)> {
        let b = self.b;
        let ty = x.get_type();
        // A constant power-of-two divisor: floor division is a shift and the
        // remainder a mask, for both signs. Cheap enough for LLVM to turn
        // `x // 2 if x % 2 == 0 else ...` into a select.
        if let Some(c) = d
            .get_sign_extended_constant()
            .filter(|c| *c > 0 && (*c as u64).is_power_of_two())
        {
            let k = ty.const_int(c.trailing_zeros() as u64, false);
            let q = b.build_right_shift(x, k, signed, "")?;
            let r = b.build_and(x, ty.const_int(c as u64 - 1, false), "")?;
            return Ok((q, r));
        }
        let (zero, one) = (ty.const_zero(), ty.const_int(1, false));
        let is_zero = b.build_int_compare(IntPredicate::EQ, d, zero, "")?;
        let (q, r) = if signed {
            // Dividing by -1 as by 1 and negating avoids the MIN / -1 trap.
            let is_m1 = b.build_int_compare(IntPredicate::EQ, d, ty.const_all_ones(), "")?;
            let safe = self.iselect(b.build_or(is_zero, is_m1, "")?, one, d)?;
            let (q, r) = (
                b.build_int_signed_div(x, safe, "")?,
                b.build_int_signed_rem(x, safe, "")?,
            );
            // Truncated → floored: a non-zero remainder of the other sign than the divisor moves one step.
            let r_nonzero = b.build_int_compare(IntPredicate::NE, r, zero, "")?;
            let signs_differ =
                b.build_int_compare(IntPredicate::SLT, b.build_xor(r, safe, "")?, zero, "")?;
            let adjust = b.build_and(r_nonzero, signs_differ, "")?;
            let q = b.build_int_sub(q, b.build_int_z_extend(adjust, ty, "")?, "")?;
            let r = b.build_int_add(r, self.iselect(adjust, safe, zero)?, "")?;
            (self.iselect(is_m1, b.build_int_neg(x, "")?, q)?, r)
        } else {
            let safe = self.iselect(is_zero, one, d)?;
            (
                b.build_int_unsigned_div(x, safe, "")?,
                b.build_int_unsigned_rem(x, safe, "")?,
            )
        };
        Ok((
            self.iselect(is_zero, zero, q)?,
            self.iselect(is_zero, zero, r)?,
        ))
    }

    /// CPython's `float_divmod` (`//` and `%`), which NumPy's `npy_divmod`
    /// extends to a zero divisor: `x // 0.0 == x / 0.0`, `x % 0.0 == nan`.
    /// Branch-free so that loops using it still vectorise.
    fn float_divmod(
        &self,
        x: FloatValue<'ctx>,
        y: FloatValue<'ctx>,
    ) -> Result<(FloatValue<'ctx>, FloatValue<'ctx>)> {
        let b = self.b;
        let t = x.get_type();
        let (zero, one) = (t.const_zero(), t.const_float(1.0));
        let lt0 = |v| b.build_float_compare(FloatPredicate::OLT, v, zero, "");
        let m = b.build_float_rem(x, y, "")?; // fmod
        let div = b.build_float_div(b.build_float_sub(x, m, "")?, y, "")?;
        let m_nonzero = self.float_nonzero(m)?;
        // A non-zero remainder takes the divisor's sign.
        let fix = b.build_and(m_nonzero, b.build_xor(lt0(y)?, lt0(m)?, "")?, "")?;
        let div = self.fselect(fix, b.build_float_sub(div, one, "")?, div)?;
        let m = self.fselect(fix, b.build_float_add(m, y, "")?, m)?;
        let m = self.fselect(
            m_nonzero,
            m,
            self.float_intrinsic("llvm.copysign", &[zero, y])?,
        )?;
        // Snap the quotient to the nearest integer.
        let floor = self.float_intrinsic("llvm.floor", &[div])?;
        let up = b.build_float_compare(
            FloatPredicate::OGT,
            b.build_float_sub(div, floor, "")?,
            t.const_float(0.5),
            "",
        )?;
        let floor = self.fselect(up, b.build_float_add(floor, one, "")?, floor)?;
        let ratio = b.build_float_div(x, y, "")?;
        let q = self.fselect(
            self.float_nonzero(div)?,
            floor,
            self.float_intrinsic("llvm.copysign", &[zero, ratio])?,
        )?;
        let y_zero = b.build_float_compare(FloatPredicate::OEQ, y, zero, "")?;
        Ok((self.fselect(y_zero, ratio, q)?, m))
    }

    /// Shift by an int64 count, NumPy style: counts ≥ the width (or
    /// negative) shift every bit out, leaving 0 or, for a signed right
    /// shift, the sign (-1 or 0).
    fn shift(
        &self,
        op: BinOp,
        x: IntValue<'ctx>,
        n: IntValue<'ctx>,
        s: Scalar,
    ) -> Result<IntValue<'ctx>> {
        let b = self.b;
        let (ty, nt) = (x.get_type(), n.get_type());
        let width = u64::from(s.bits());
        // Negative counts are huge unsigned ones.
        let out = b.build_int_compare(IntPredicate::UGE, n, nt.const_int(width, false), "")?;
        if op == BinOp::RShift && s.is_signed() {
            let amt = self.iselect(out, nt.const_int(width - 1, false), n)?;
            return Ok(b.build_right_shift(
                x,
                b.build_int_cast_sign_flag(amt, ty, false, "")?,
                true,
                "",
            )?);
        }
        let amt =
            b.build_int_cast_sign_flag(self.iselect(out, nt.const_zero(), n)?, ty, false, "")?;
        let shifted = if op == BinOp::LShift {
            b.build_left_shift(x, amt, "")?
        } else {
            b.build_right_shift(x, amt, false, "")?
        };
        self.iselect(out, ty.const_zero(), shifted)
    }

    /// `x ** e` by repeated squaring with wrap-around; `e` is int64 and
    /// guarded non-negative (a negative one would give 1).
    fn int_pow(&self, x: IntValue<'ctx>, e: IntValue<'ctx>) -> Result<IntValue<'ctx>> {
        let b = self.b;
        let (ty, et) = (x.get_type(), e.get_type());
        let pre = b.get_insert_block().expect("builder is positioned");
        let (header, body, exit) = (
            self.append_block("ipow.header"),
            self.append_block("ipow.body"),
            self.append_block("ipow.exit"),
        );
        b.build_unconditional_branch(header)?;
        b.position_at_end(header);
        let r = b.build_phi(ty, "r")?;
        let p = b.build_phi(ty, "p")?;
        let k = b.build_phi(et, "k")?;
        let (rv, pv, kv) = (
            r.as_basic_value().into_int_value(),
            p.as_basic_value().into_int_value(),
            k.as_basic_value().into_int_value(),
        );
        b.build_conditional_branch(
            b.build_int_compare(IntPredicate::SGT, kv, et.const_zero(), "")?,
            body,
            exit,
        )?;
        b.position_at_end(body);
        let bit = b.build_int_truncate(kv, self.ctx().bool_type(), "")?;
        let r2 = self.iselect(bit, b.build_int_mul(rv, pv, "")?, rv)?;
        let p2 = b.build_int_mul(pv, pv, "")?;
        let k2 = b.build_right_shift(kv, et.const_int(1, false), false, "")?;
        b.build_unconditional_branch(header)?;
        r.add_incoming(&[(&ty.const_int(1, false), pre), (&r2, body)]);
        p.add_incoming(&[(&x, pre), (&p2, body)]);
        k.add_incoming(&[(&e, pre), (&k2, body)]);
        b.position_at_end(exit);
        Ok(rv)
    }

    /// `a op b` → bool. Floats: ordered predicates except `!=` (so NaN != NaN);
    /// complex: equality only; bools compare as unsigned.
    pub fn compare(
        &self,
        op: CmpOp,
        a: BasicValueEnum<'ctx>,
        b: BasicValueEnum<'ctx>,
        s: Scalar,
    ) -> Result<IntValue<'ctx>> {
        use CmpOp::*;
        let bld = self.b;
        Ok(match s.kind() {
            Kind::Bool | Kind::Int => {
                let signed = s.is_signed();
                let pred = match op {
                    Eq => IntPredicate::EQ,
                    Ne => IntPredicate::NE,
                    Lt if signed => IntPredicate::SLT,
                    Le if signed => IntPredicate::SLE,
                    Gt if signed => IntPredicate::SGT,
                    Ge if signed => IntPredicate::SGE,
                    Lt => IntPredicate::ULT,
                    Le => IntPredicate::ULE,
                    Gt => IntPredicate::UGT,
                    Ge => IntPredicate::UGE,
                };
                bld.build_int_compare(pred, a.into_int_value(), b.into_int_value(), "")?
            }
            Kind::Float => {
                let pred = match op {
                    Eq => FloatPredicate::OEQ,
                    Ne => FloatPredicate::UNE,
                    Lt => FloatPredicate::OLT,
                    Le => FloatPredicate::OLE,
                    Gt => FloatPredicate::OGT,
                    Ge => FloatPredicate::OGE,
                };
                bld.build_float_compare(pred, a.into_float_value(), b.into_float_value(), "")?
            }
            Kind::Complex => {
                let ((ar, ai), (br, bi)) = (self.parts(a)?, self.parts(b)?);
                let part = |pred, x, y| bld.build_float_compare(pred, x, y, "");
                match op {
                    Eq => bld.build_and(
                        part(FloatPredicate::OEQ, ar, br)?,
                        part(FloatPredicate::OEQ, ai, bi)?,
                        "",
                    )?,
                    Ne => bld.build_or(
                        part(FloatPredicate::UNE, ar, br)?,
                        part(FloatPredicate::UNE, ai, bi)?,
                        "",
                    )?,
                    _ => return unsupported("ordering comparison of complex numbers"),
                }
            }
        })
    }
}

//! Complex arithmetic with CPython's algorithms (`Objects/complexobject.c`),
//! so results match Python bit for bit: `_Py_c_prod`, `_Py_c_quot`
//! (Smith's method) and `complex_pow`, which is emitted once per component
//! type as an internal helper function because it loops.

use inkwell::module::Linkage;
use inkwell::types::FloatType;
use inkwell::values::{BasicValueEnum, FloatValue, FunctionValue};
use inkwell::{FloatPredicate, IntPredicate};
use oxjit_tir::BinOp;

use crate::module::Ir;
use crate::{unsupported, Result};

/// A complex value as its (real, imaginary) parts.
type Parts<'ctx> = (FloatValue<'ctx>, FloatValue<'ctx>);

impl<'ctx> Ir<'_, 'ctx> {
    pub fn parts(&self, v: BasicValueEnum<'ctx>) -> Result<Parts<'ctx>> {
        let s = v.into_struct_value();
        Ok((
            self.b.build_extract_value(s, 0, "re")?.into_float_value(),
            self.b.build_extract_value(s, 1, "im")?.into_float_value(),
        ))
    }

    pub fn make_complex(
        &self,
        re: FloatValue<'ctx>,
        im: FloatValue<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let t = re.get_type();
        let agg = self
            .ctx()
            .struct_type(&[t.into(), t.into()], false)
            .get_undef();
        let agg = self.b.build_insert_value(agg, re, 0, "")?;
        Ok(self
            .b
            .build_insert_value(agg, im, 1, "")?
            .into_struct_value()
            .into())
    }

    pub fn complex_binary(
        &self,
        op: BinOp,
        a: BasicValueEnum<'ctx>,
        b: BasicValueEnum<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let bld = self.b;
        let ((ar, ai), (br, bi)) = (self.parts(a)?, self.parts(b)?);
        let (re, im) = match op {
            BinOp::Add => (
                bld.build_float_add(ar, br, "")?,
                bld.build_float_add(ai, bi, "")?,
            ),
            BinOp::Sub => (
                bld.build_float_sub(ar, br, "")?,
                bld.build_float_sub(ai, bi, "")?,
            ),
            BinOp::Mul => self.c_prod((ar, ai), (br, bi))?,
            BinOp::Div => self.c_quot((ar, ai), (br, bi))?,
            BinOp::Pow => {
                let f = self.cpow_function(ar.get_type())?;
                return self.call(f, &[ar.into(), ai.into(), br.into(), bi.into()]);
            }
            _ => return unsupported(format!("{op:?} of complex numbers")),
        };
        self.make_complex(re, im)
    }

    fn c_prod(&self, (ar, ai): Parts<'ctx>, (br, bi): Parts<'ctx>) -> Result<Parts<'ctx>> {
        let b = self.b;
        let re = b.build_float_sub(
            b.build_float_mul(ar, br, "")?,
            b.build_float_mul(ai, bi, "")?,
            "",
        )?;
        let im = b.build_float_add(
            b.build_float_mul(ar, bi, "")?,
            b.build_float_mul(ai, br, "")?,
            "",
        )?;
        Ok((re, im))
    }

    /// `_Py_c_quot`, branch-free. A zero divisor (reachable only in NumPy's
    /// error model) gives NumPy's inf/nan parts instead of CPython's error.
    fn c_quot(&self, (ar, ai): Parts<'ctx>, (br, bi): Parts<'ctx>) -> Result<Parts<'ctx>> {
        let b = self.b;
        let t = ar.get_type();
        let (abs_br, abs_bi) = (
            self.float_intrinsic("llvm.fabs", &[br])?,
            self.float_intrinsic("llvm.fabs", &[bi])?,
        );
        let (mul, add, sub, div) = (
            |x, y| b.build_float_mul(x, y, ""),
            |x, y| b.build_float_add(x, y, ""),
            |x, y| b.build_float_sub(x, y, ""),
            |x, y| b.build_float_div(x, y, ""),
        );
        // |b.real| >= |b.imag|
        let ratio = div(bi, br)?;
        let denom = add(br, mul(bi, ratio)?)?;
        let re1 = div(add(ar, mul(ai, ratio)?)?, denom)?;
        let im1 = div(sub(ai, mul(ar, ratio)?)?, denom)?;
        // |b.imag| >= |b.real|
        let ratio = div(br, bi)?;
        let denom = add(mul(br, ratio)?, bi)?;
        let re2 = div(add(mul(ar, ratio)?, ai)?, denom)?;
        let im2 = div(sub(mul(ai, ratio)?, ar)?, denom)?;
        let zero = b.build_float_compare(FloatPredicate::OEQ, abs_br, t.const_zero(), "")?;
        let (re1, im1) = (
            self.fselect(zero, div(ar, abs_br)?, re1)?,
            self.fselect(zero, div(ai, abs_br)?, im1)?,
        );
        // Neither branch holds only if a part of b is NaN.
        let second = b.build_float_compare(FloatPredicate::OGE, abs_bi, abs_br, "")?;
        let nan = t.const_float(f64::NAN);
        let (re2, im2) = (
            self.fselect(second, re2, nan)?,
            self.fselect(second, im2, nan)?,
        );
        let first = b.build_float_compare(FloatPredicate::OGE, abs_br, abs_bi, "")?;
        Ok((
            self.fselect(first, re1, re2)?,
            self.fselect(first, im1, im2)?,
        ))
    }

    /// `{t, t} @oxjit.cpow.<t>(t ar, t ai, t br, t bi)`: CPython's
    /// `complex_pow`: repeated multiplication (`c_powi`) for an integral
    /// real exponent of magnitude ≤ 100, else the polar form (`_Py_c_pow`).
    fn cpow_function(&self, t: FloatType<'ctx>) -> Result<FunctionValue<'ctx>> {
        let name = format!("oxjit.cpow.{}", t.print_to_string().to_string_lossy());
        if let Some(f) = self.cx.module().get_function(&name) {
            return Ok(f);
        }
        let ctx = self.ctx();
        let ct = ctx.struct_type(&[t.into(), t.into()], false);
        let f = self
            .cx
            .add_function(&name, ct.fn_type(&[t.into(); 4], false), Linkage::Internal);
        let p = |i| {
            f.get_nth_param(i)
                .expect("four parameters")
                .into_float_value()
        };
        let (a, (br, bi)) = ((p(0), p(1)), (p(2), p(3)));
        let builder = ctx.create_builder();
        let ir = Ir {
            cx: self.cx,
            b: &builder,
        };
        let b = &builder;
        b.position_at_end(ctx.append_basic_block(f, "entry"));
        let (zero, one) = (t.const_zero(), t.const_float(1.0));
        let (powi, general) = (ir.append_block("powi"), ir.append_block("general"));
        let feq = |x, y| b.build_float_compare(FloatPredicate::OEQ, x, y, "");
        let integral = b.build_and(
            feq(bi, zero)?,
            feq(br, ir.float_intrinsic("llvm.floor", &[br])?)?,
            "",
        )?;
        let small = b.build_float_compare(
            FloatPredicate::OLE,
            ir.float_intrinsic("llvm.fabs", &[br])?,
            t.const_float(100.0),
            "",
        )?;
        b.build_conditional_branch(b.build_and(integral, small, "")?, powi, general)?;

        // c_powi: x**n = c_powu(x, n), or 1 / c_powu(x, -n) for n < 0.
        b.position_at_end(powi);
        let i32t = ctx.i32_type();
        let n = b.build_float_to_signed_int(br, i32t, "n")?;
        let negative = b.build_int_compare(IntPredicate::SLT, n, i32t.const_zero(), "")?;
        let n = ir.iselect(negative, b.build_int_neg(n, "")?, n)?;
        let x = ir.make_complex(a.0, a.1)?;
        let (header, body, done) = (
            ir.append_block("powu.header"),
            ir.append_block("powu.body"),
            ir.append_block("powu.done"),
        );
        b.build_unconditional_branch(header)?;
        b.position_at_end(header);
        let r = b.build_phi(ct, "r")?;
        let pw = b.build_phi(ct, "p")?;
        let k = b.build_phi(i32t, "k")?;
        let kv = k.as_basic_value().into_int_value();
        b.build_conditional_branch(
            b.build_int_compare(IntPredicate::NE, kv, i32t.const_zero(), "")?,
            body,
            done,
        )?;
        b.position_at_end(body);
        let (rv, pv) = (
            ir.parts(r.as_basic_value())?,
            ir.parts(pw.as_basic_value())?,
        );
        let (rp, pp) = (ir.c_prod(rv, pv)?, ir.c_prod(pv, pv)?);
        let bit = b.build_int_truncate(kv, ctx.bool_type(), "")?;
        let r2 = ir.select(bit, ir.make_complex(rp.0, rp.1)?, r.as_basic_value())?;
        let p2 = ir.make_complex(pp.0, pp.1)?;
        let k2 = b.build_right_shift(kv, i32t.const_int(1, false), false, "")?;
        b.build_unconditional_branch(header)?;
        r.add_incoming(&[
            (&ct.const_named_struct(&[one.into(), zero.into()]), powi),
            (&r2, body),
        ]);
        pw.add_incoming(&[(&x, powi), (&p2, body)]);
        k.add_incoming(&[(&n, powi), (&k2, body)]);
        b.position_at_end(done);
        let rv = ir.parts(r.as_basic_value())?;
        let inv = ir.c_quot((one, zero), rv)?;
        let inv = ir.make_complex(inv.0, inv.1)?;
        b.build_return(Some(&ir.select(negative, inv, r.as_basic_value())?))?;

        // _Py_c_pow
        b.position_at_end(general);
        let libm = |name, args: &[FloatValue<'ctx>]| ir.libm(name, args);
        let vabs = libm("hypot", &[a.0, a.1])?;
        let len = ir.float_intrinsic("llvm.pow", &[vabs, br])?;
        let at = libm("atan2", &[a.1, a.0])?;
        let phase = b.build_float_mul(at, br, "")?;
        let has_imag = b.build_float_compare(FloatPredicate::UNE, bi, zero, "")?;
        let len = ir.fselect(
            has_imag,
            b.build_float_div(len, libm("exp", &[b.build_float_mul(at, bi, "")?])?, "")?,
            len,
        )?;
        let phase = ir.fselect(
            has_imag,
            b.build_float_add(phase, b.build_float_mul(bi, libm("log", &[vabs])?, "")?, "")?,
            phase,
        )?;
        let re = b.build_float_mul(len, libm("cos", &[phase])?, "")?;
        let im = b.build_float_mul(len, libm("sin", &[phase])?, "")?;
        // 0 ** b is 0 (CPython raises for a negative or complex b).
        let a_zero = b.build_and(feq(a.0, zero)?, feq(a.1, zero)?, "")?;
        let result =
            ir.make_complex(ir.fselect(a_zero, zero, re)?, ir.fselect(a_zero, zero, im)?)?;
        b.build_return(Some(&result))?;
        Ok(f)
    }
}

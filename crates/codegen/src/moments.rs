//! Float sums, means and variances as NumPy computes them: sums by the
//! runtime's pairwise summation (`oxjit_runtime::pairwise`), and NumPy's
//! divisions by an element count.

use inkwell::types::BasicType;
use inkwell::values::{BasicValueEnum, FloatValue, IntValue, PointerValue};
use inkwell::IntPredicate;
use oxjit_runtime::pairwise::{PW_C128, PW_C64, PW_F32, PW_F64};
use oxjit_runtime::symbols;
use oxjit_tir::oxjit_types::{Scalar, Type};
use oxjit_tir::ReduceOp;

use crate::func::FnEmitter;
use crate::types::{float_type, mem_type, reg_type};
use crate::Result;

/// The `oxjit_runtime::pairwise` code of a float or complex dtype.
pub(crate) fn pairwise_code(dtype: Scalar) -> Option<i32> {
    match dtype.strong() {
        Scalar::F32 => Some(PW_F32),
        Scalar::F64 => Some(PW_F64),
        Scalar::C64 => Some(PW_C64),
        Scalar::C128 => Some(PW_C128),
        _ => None,
    }
}

impl<'ctx> FnEmitter<'_, 'ctx> {
    /// `oxjit_rt_sum_pairwise` over elements of `dtype` at `data`.
    pub fn sum_pairwise(
        &mut self,
        code: i32,
        dtype: Scalar,
        data: PointerValue<'ctx>,
        shape: &[IntValue<'ctx>],
        strides: &[IntValue<'ctx>],
    ) -> Result<BasicValueEnum<'ctx>> {
        let ctx = self.cx.ctx;
        let (i32t, i64t) = (ctx.i32_type(), ctx.i64_type());
        let f = self.cx.rt(&symbols::SUM_PAIRWISE);
        let ty = Type::Scalar(dtype);
        let out = self.entry_alloca(mem_type(ctx, &ty), "sum")?;
        let (sh, st) = (self.dims_buffer(shape)?, self.dims_buffer(strides)?);
        let nd = i64t.const_int(shape.len() as u64, false);
        let code = i32t.const_int(code as u64, false);
        self.b.build_call(
            f,
            &[
                code.into(),
                data.into(),
                nd.into(),
                sh.into(),
                st.into(),
                out.into(),
            ],
            "",
        )?;
        Ok(self.b.build_load(reg_type(ctx, &ty), out, "")?)
    }

    /// `oxjit_rt_sqdev_pairwise`: the sum of `|x - mean|²` (component type).
    #[allow(clippy::too_many_arguments)]
    pub fn sqdev_pairwise(
        &mut self,
        code: i32,
        dtype: Scalar,
        data: PointerValue<'ctx>,
        shape: &[IntValue<'ctx>],
        strides: &[IntValue<'ctx>],
        mean: BasicValueEnum<'ctx>,
    ) -> Result<FloatValue<'ctx>> {
        let ctx = self.cx.ctx;
        let (i32t, i64t, f64t) = (ctx.i32_type(), ctx.i64_type(), ctx.f64_type());
        let f = self.cx.rt(&symbols::SQDEV_PAIRWISE);
        let (re, im) = if dtype.is_complex() {
            self.ir().parts(mean)?
        } else {
            (mean.into_float_value(), float_type(ctx, dtype).const_zero())
        };
        let (re, im) = (
            self.b.build_float_cast(re, f64t, "")?,
            self.b.build_float_cast(im, f64t, "")?,
        );
        let comp = float_type(ctx, dtype);
        let out = self.entry_alloca(comp.as_basic_type_enum(), "sqdev")?;
        let (sh, st) = (self.dims_buffer(shape)?, self.dims_buffer(strides)?);
        let nd = i64t.const_int(shape.len() as u64, false);
        let code = i32t.const_int(code as u64, false);
        self.b.build_call(
            f,
            &[
                code.into(),
                data.into(),
                nd.into(),
                sh.into(),
                st.into(),
                re.into(),
                im.into(),
                out.into(),
            ],
            "",
        )?;
        Ok(self.b.build_load(comp, out, "")?.into_float_value())
    }

    /// `|x - mean|²` in the component type.
    pub fn sqdev(
        &self,
        x: BasicValueEnum<'ctx>,
        mean: BasicValueEnum<'ctx>,
        dtype: Scalar,
    ) -> Result<FloatValue<'ctx>> {
        let b = &self.b;
        let sq = |a: FloatValue<'ctx>, m: FloatValue<'ctx>| -> Result<FloatValue<'ctx>> {
            let d = b.build_float_sub(a, m, "")?;
            Ok(b.build_float_mul(d, d, "")?)
        };
        if dtype.is_complex() {
            let ((xr, xi), (mr, mi)) = (self.ir().parts(x)?, self.ir().parts(mean)?);
            Ok(b.build_float_add(sq(xr, mr)?, sq(xi, mi)?, "")?)
        } else {
            sq(x.into_float_value(), mean.into_float_value())
        }
    }

    /// A sum of `n` values (of type `sum_ty`) divided by `n`, as type `rs`:
    /// NumPy divides by an `intp` count in float64 (and scales complex
    /// values by `1 / n`), then rounds to the result type.
    pub fn mean_of(
        &self,
        sum: BasicValueEnum<'ctx>,
        n: IntValue<'ctx>,
        sum_ty: Scalar,
        rs: Scalar,
    ) -> Result<BasicValueEnum<'ctx>> {
        let f64t = self.cx.ctx.f64_type();
        let b = &self.b;
        let count = b.build_signed_int_to_float(n, f64t, "")?;
        if sum_ty.is_complex() {
            let scale = b.build_float_div(f64t.const_float(1.0), count, "")?;
            let t = float_type(self.cx.ctx, rs);
            let (re, im) = self.ir().parts(sum)?;
            let part = |x: FloatValue<'ctx>| -> Result<FloatValue<'ctx>> {
                let wide = b.build_float_cast(x, f64t, "")?;
                Ok(b.build_float_cast(b.build_float_mul(wide, scale, "")?, t, "")?)
            };
            return self.ir().make_complex(part(re)?, part(im)?);
        }
        let wide = b.build_float_cast(sum.into_float_value(), f64t, "")?;
        let q = b.build_float_div(wide, count, "")?;
        Ok(b.build_float_cast(q, float_type(self.cx.ctx, rs), "")?
            .into())
    }

    /// `Var` or `Std` from the sum of squared deviations `ss` of `n` values.
    pub fn variance_of(
        &self,
        op: ReduceOp,
        ss: FloatValue<'ctx>,
        n: IntValue<'ctx>,
        ddof: IntValue<'ctx>,
        rs: Scalar,
    ) -> Result<BasicValueEnum<'ctx>> {
        let (b, ir) = (&self.b, self.ir());
        let i64t = self.cx.ctx.i64_type();
        let dof = b.build_int_sub(n, ddof, "")?;
        let positive = b.build_int_compare(IntPredicate::SGT, dof, i64t.const_zero(), "")?;
        let dof = ir.iselect(positive, dof, i64t.const_zero())?;
        let f64t = self.cx.ctx.f64_type();
        let q = b.build_float_div(
            b.build_float_cast(ss, f64t, "")?,
            b.build_signed_int_to_float(dof, f64t, "")?,
            "",
        )?;
        let var = b.build_float_cast(q, ss.get_type(), "")?;
        let v = if op == ReduceOp::Std {
            ir.float_intrinsic("llvm.sqrt", &[var])?
        } else {
            var
        };
        Ok(b.build_float_cast(v, float_type(self.cx.ctx, rs), "")?
            .into())
    }
}

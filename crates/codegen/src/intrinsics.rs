//! `ExprKind::Call(Intrinsic, ..)`: math functions (LLVM intrinsics where
//! LLVM has them as instructions, else libm or the oxjit runtime), float
//! classification, abs/min/max, complex parts and array extents.

use inkwell::values::{BasicValueEnum, FloatValue, IntValue};
use inkwell::{FloatPredicate, IntPredicate};
use oxjit_abi::sig::RtFn;
use oxjit_runtime::symbols;
use oxjit_tir::oxjit_types::Kind;
use oxjit_tir::{CmpOp, Expr, Intrinsic, MathFn, MathFn2};

use crate::expr::scalar;
use crate::func::FnEmitter;
use crate::module::Ir;
use crate::{unsupported, Result};

/// Where a one-argument math function comes from.
enum Source {
    Llvm(&'static str),
    Libm(&'static str),
    /// A double function of the oxjit runtime, which fixes the behaviour
    /// (e.g. a thread-safe lgamma).
    Runtime(&'static RtFn),
}

fn source(f: MathFn) -> Source {
    use MathFn::*;
    use Source::*;
    match f {
        Sqrt => Llvm("llvm.sqrt"),
        Floor => Llvm("llvm.floor"),
        Ceil => Llvm("llvm.ceil"),
        Trunc => Llvm("llvm.trunc"),
        Fabs => Llvm("llvm.fabs"),
        Exp => Libm("exp"),
        Exp2 => Libm("exp2"),
        Expm1 => Libm("expm1"),
        Log => Libm("log"),
        Log2 => Libm("log2"),
        Log10 => Libm("log10"),
        Log1p => Libm("log1p"),
        Sin => Libm("sin"),
        Cos => Libm("cos"),
        Tan => Libm("tan"),
        Asin => Libm("asin"),
        Acos => Libm("acos"),
        Atan => Libm("atan"),
        Sinh => Libm("sinh"),
        Cosh => Libm("cosh"),
        Tanh => Libm("tanh"),
        Asinh => Libm("asinh"),
        Acosh => Libm("acosh"),
        Atanh => Libm("atanh"),
        Cbrt => Libm("cbrt"),
        Erf => Runtime(&symbols::ERF),
        Erfc => Runtime(&symbols::ERFC),
        Gamma => Runtime(&symbols::GAMMA),
        Lgamma => Runtime(&symbols::LGAMMA),
    }
}

impl<'ctx> Ir<'_, 'ctx> {
    fn math(&self, f: MathFn, x: FloatValue<'ctx>, vectorize: bool) -> Result<FloatValue<'ctx>> {
        match source(f) {
            Source::Llvm(name) => self.float_intrinsic(name, &[x]),
            Source::Libm(name) => self.libm_call(name, &[x], vectorize),
            Source::Runtime(f) => {
                // float32 is computed in double and rounded once.
                let f64t = self.ctx().f64_type();
                let func = self.cx.rt(f);
                let wide = self.b.build_float_cast(x, f64t, "")?;
                let y = self.call(func, &[wide.into()])?.into_float_value();
                Ok(self.b.build_float_cast(y, x.get_type(), "")?)
            }
        }
    }

    fn math2(
        &self,
        f: MathFn2,
        x: FloatValue<'ctx>,
        y: FloatValue<'ctx>,
        vectorize: bool,
    ) -> Result<FloatValue<'ctx>> {
        match f {
            MathFn2::Atan2 => self.libm_call("atan2", &[x, y], vectorize),
            MathFn2::Hypot => self.libm_call("hypot", &[x, y], vectorize),
            MathFn2::Pow => self.float_intrinsic("llvm.pow", &[x, y]),
            MathFn2::Copysign => self.float_intrinsic("llvm.copysign", &[x, y]),
            // `frem` is defined as libm's fmod, and LLVM can fold it.
            MathFn2::Fmod => Ok(self.b.build_float_rem(x, y, "")?),
        }
    }

    /// `math.ldexp`: LLVM's `ldexp` takes an `i32` exponent; clamping the
    /// `int64` keeps the result (anything past ±2^31 saturates anyway).
    fn ldexp(&self, x: FloatValue<'ctx>, e: IntValue<'ctx>) -> Result<FloatValue<'ctx>> {
        let (i64t, i32t) = (self.ctx().i64_type(), self.ctx().i32_type());
        let lim = |v: i64| i64t.const_int(v as u64, true);
        let sgt = self
            .b
            .build_int_compare(IntPredicate::SGT, e, lim(i32::MAX.into()), "")?;
        let e = self.iselect(sgt, lim(i32::MAX.into()), e)?;
        let slt = self
            .b
            .build_int_compare(IntPredicate::SLT, e, lim(i32::MIN.into()), "")?;
        let e = self.iselect(slt, lim(i32::MIN.into()), e)?;
        let e = self.b.build_int_truncate(e, i32t, "")?;
        let f = self
            .cx
            .intrinsic("llvm.ldexp", &[x.get_type().into(), i32t.into()])?;
        Ok(self.call(f, &[x.into(), e.into()])?.into_float_value())
    }

    /// `math.frexp` as (mantissa, `int64` exponent); LLVM leaves the
    /// exponent of inf and nan unspecified, Python makes it 0.
    fn frexp(&self, x: FloatValue<'ctx>) -> Result<(FloatValue<'ctx>, IntValue<'ctx>)> {
        let i32t = self.ctx().i32_type();
        let f = self
            .cx
            .intrinsic("llvm.frexp", &[x.get_type().into(), i32t.into()])?;
        let pair = self.call(f, &[x.into()])?.into_struct_value();
        let m = self.b.build_extract_value(pair, 0, "")?.into_float_value();
        let e = self.b.build_extract_value(pair, 1, "")?.into_int_value();
        let e = self.b.build_int_s_extend(e, self.ctx().i64_type(), "")?;
        let finite = self.cmp_abs_inf(FloatPredicate::OLT, x)?.into_int_value();
        let e = self.iselect(finite, e, self.ctx().i64_type().const_zero())?;
        Ok((m, e))
    }

    /// `round(x, ndigits)` through the runtime (float32 computed in double).
    fn round_digits(
        &self,
        x: BasicValueEnum<'ctx>,
        ndigits: BasicValueEnum<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        if x.is_int_value() {
            let func = self.cx.rt(&symbols::ROUND_INT);
            return self.call(func, &[x, ndigits]);
        }
        let f64t = self.ctx().f64_type();
        let func = self.cx.rt(&symbols::ROUND_FLOAT);
        let wide = self.b.build_float_cast(x.into_float_value(), f64t, "")?;
        let y = self.call(func, &[wide.into(), ndigits])?.into_float_value();
        Ok(self
            .b
            .build_float_cast(y, x.into_float_value().get_type(), "")?
            .into())
    }

    /// Python's correctly rounded `int / int`, in the runtime.
    fn int_truediv(
        &self,
        a: BasicValueEnum<'ctx>,
        b: BasicValueEnum<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let func = self.cx.rt(&symbols::INT_TRUEDIV);
        self.call(func, &[a, b])
    }

    /// `|x|` compared with infinity (false for NaN).
    fn cmp_abs_inf(
        &self,
        pred: FloatPredicate,
        x: FloatValue<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let abs = self.float_intrinsic("llvm.fabs", &[x])?;
        Ok(self
            .b
            .build_float_compare(pred, abs, x.get_type().const_float(f64::INFINITY), "")?
            .into())
    }
}

impl<'ctx> FnEmitter<'_, 'ctx> {
    pub fn intrinsic(
        &mut self,
        intrinsic: Intrinsic,
        args: &[Expr],
    ) -> Result<BasicValueEnum<'ctx>> {
        use Intrinsic::*;
        let arity = match intrinsic {
            Math2(_) | Min | Max | MakeComplex | RoundDigits | IntTrueDiv | Ldexp => 2,
            ThreadId | NumThreads => 0,
            _ => 1,
        };
        if args.len() != arity {
            return unsupported(format!("{intrinsic:?} with {} arguments", args.len()));
        }
        if arity == 0 {
            let f = if intrinsic == ThreadId {
                &symbols::THREAD_ID
            } else {
                &symbols::NUM_THREADS
            };
            return self.ir().call(self.cx.rt(f), &[]);
        }
        // Array arguments (of `Dim`, `Size`) are only read.
        let mark = self.mark();
        let vals = args
            .iter()
            .map(|a| self.borrow(a))
            .collect::<Result<Vec<_>>>()?;
        let v = self.intrinsic_of(intrinsic, args, &vals)?;
        self.release_to(mark)?;
        Ok(v)
    }

    fn intrinsic_of(
        &self,
        intrinsic: Intrinsic,
        args: &[Expr],
        vals: &[BasicValueEnum<'ctx>],
    ) -> Result<BasicValueEnum<'ctx>> {
        use Intrinsic::*;
        let x = vals[0];
        let float = |i: usize| vals[i].into_float_value();
        // Array expressions (and fastmath code) use SIMD math; scalar code
        // keeps libm's precision.
        let vectorize =
            !self.elem.is_empty() || self.f.flags.fastmath.has(oxjit_tir::FastMath::AFN);
        let ir = self.ir();
        let b = &self.b;
        Ok(match intrinsic {
            // Without arguments, emitted by `intrinsic`.
            ThreadId | NumThreads => return unsupported(format!("{intrinsic:?} with arguments")),
            Dim(k) => self.dim(x, k)?.into(),
            Size => self.nitems(x)?.into(),
            Len => self.list_len(x)?.into(),
            IsNone => {
                let present = b.build_extract_value(x.into_struct_value(), 1, "")?;
                b.build_not(present.into_int_value(), "")?.into()
            }
            Math(f) => ir.math(f, float(0), vectorize)?.into(),
            Math2(f) => ir.math2(f, float(0), float(1), vectorize)?.into(),
            IsNan => b
                .build_float_compare(FloatPredicate::UNO, float(0), float(0), "")?
                .into(),
            IsInf => ir.cmp_abs_inf(FloatPredicate::OEQ, float(0))?,
            IsFinite => ir.cmp_abs_inf(FloatPredicate::OLT, float(0))?,
            Abs => {
                let s = scalar(&args[0])?;
                match s.kind() {
                    Kind::Int if s.is_signed() => {
                        let i = x.into_int_value();
                        let negative = b.build_int_compare(
                            inkwell::IntPredicate::SLT,
                            i,
                            i.get_type().const_zero(),
                            "",
                        )?;
                        ir.iselect(negative, b.build_int_neg(i, "")?, i)?.into()
                    }
                    Kind::Bool | Kind::Int => x,
                    Kind::Float => ir.float_intrinsic("llvm.fabs", &[float(0)])?.into(),
                    Kind::Complex => {
                        let (re, im) = ir.parts(x)?;
                        ir.libm("hypot", &[re, im])?.into()
                    }
                }
            }
            // Python's min/max: the first argument wins ties and NaN comparisons.
            Min | Max => {
                let op = if intrinsic == Min {
                    CmpOp::Lt
                } else {
                    CmpOp::Gt
                };
                let second_wins = ir.compare(op, vals[1], x, scalar(&args[0])?)?;
                ir.select(second_wins, vals[1], x)?
            }
            RoundEven => ir.float_intrinsic("llvm.roundeven", &[float(0)])?.into(),
            RoundDigits => ir.round_digits(x, vals[1])?,
            IntTrueDiv => ir.int_truediv(x, vals[1])?,
            Ldexp => ir.ldexp(float(0), vals[1].into_int_value())?.into(),
            FrexpMantissa => ir.frexp(float(0))?.0.into(),
            FrexpExponent => ir.frexp(float(0))?.1.into(),
            Real => ir.parts(x)?.0.into(),
            Imag => ir.parts(x)?.1.into(),
            Conjugate => {
                let (re, im) = ir.parts(x)?;
                ir.make_complex(re, b.build_float_neg(im, "")?)?
            }
            MakeComplex => ir.make_complex(float(0), float(1))?,
        })
    }
}

//! Scalar semantics: integer and float operators, casts, complex numbers,
//! math intrinsics.

use inkwell::attributes::{Attribute, AttributeLoc};
use oxjit_tir::oxjit_types::{Scalar, Type};
use oxjit_tir::{BinOp, ConstValue, Intrinsic, MathFn, MathFn2};

use crate::python_tables::{COMPLEX_MUL_DIV, COMPLEX_POW, FLOAT_DIVMOD};
use crate::support::*;

/// Python's floor division and modulo; NumPy's 0 for a zero divisor.
fn py_divmod(a: i128, b: i128) -> (i128, i128) {
    if b == 0 {
        return (0, 0);
    }
    let r = a.rem_euclid(b);
    let r = if b < 0 && r != 0 { r + b } else { r };
    ((a - r) / b, r)
}

/// NumPy's shifts: every bit shifted out for counts outside `0..bits`.
fn np_shifts(a: i128, n: i128, s: Scalar) -> (i128, i128) {
    if n < 0 || n >= s.bits() as i128 {
        (0, if a < 0 { -1 } else { 0 })
    } else {
        (wrap(a << n, s), a >> n)
    }
}

fn wrapping_pow(a: i128, n: i128, s: Scalar) -> i128 {
    (0..n).fold(1, |acc, _| wrap(acc.wrapping_mul(a), s))
}

/// `(a//b, a%b, a+b, a*b, a<<n, a>>n, a**n)` against Python/NumPy for every
/// integer type, over a grid with both signs, zero divisors, `MIN // -1`
/// and over-wide and negative shift counts.
#[test]
fn integer_operators_follow_python_and_numpy() {
    for s in [
        Scalar::I64,
        Scalar::I32,
        Scalar::I8,
        Scalar::U8,
        Scalar::U16,
        Scalar::U64,
        Scalar::PyInt,
    ] {
        let t = scalar(s);
        let fb = Fb::new(&[("a", t.clone()), ("b", t.clone()), ("n", Type::I64)]);
        let (a, b, n) = (fb.p(0), fb.p(1), fb.p(2));
        let ops = [BinOp::FloorDiv, BinOp::Mod, BinOp::Add, BinOp::Mul];
        let mut items: Vec<_> = ops
            .iter()
            .map(|&op| bin(op, a.clone(), b.clone()))
            .collect();
        items.extend(
            [BinOp::LShift, BinOp::RShift, BinOp::Pow].map(|op| bin(op, a.clone(), n.clone())),
        );
        let result = tuple(items);
        let ret_ty = result.ty.clone();
        let f = fb.finish(&format!("t_intops_{s:#}"), ret_ty, vec![ret(result)]);
        let w = compile(&[&f]);

        let bits = s.bits() as i128;
        let (min, max) = int_range(s);
        let values: Vec<i128> = [min, min + 1, -7, -3, -1, 0, 1, 2, 3, 7, max - 1, max]
            .into_iter()
            .filter(|v| (min..=max).contains(v))
            .collect();
        for &x in &values {
            for &y in &values {
                for n in [-1, 0, 1, 2, 3, bits - 1, bits, bits + 1, 100] {
                    let (xa, ya, na) = (encode(x), encode(y), n as i64);
                    let out: [u8; 56] = run(w, &[xa.as_ptr(), ya.as_ptr(), arg(&na)]).unwrap();
                    let got: Vec<i128> =
                        out.chunks(s.size()).take(7).map(|c| decode(c, s)).collect();
                    let (q, r) = py_divmod(x, y);
                    let (shl, shr) = np_shifts(x, n, s);
                    let mut want = vec![
                        wrap(q, s),
                        r,
                        wrap(x + y, s),
                        wrap(x.wrapping_mul(y), s),
                        shl,
                        shr,
                    ];
                    // The exponent is guarded non-negative upstream.
                    want.push(if n >= 0 {
                        wrapping_pow(x, n, s)
                    } else {
                        got[6]
                    });
                    assert_eq!(got, want, "{s}: a={x} b={y} n={n}");
                }
            }
        }
    }
}

fn floats_fn(
    symbol: &str,
    t: Type,
    body: impl FnOnce(&Fb) -> Vec<oxjit_tir::Expr>,
) -> oxjit_tir::Function {
    let fb = Fb::new(&[("a", t.clone()), ("b", t)]);
    let result = tuple(body(&fb));
    let ty = result.ty.clone();
    fb.finish(symbol, ty, vec![ret(result)])
}

fn same_float(got: f64, want: f64) -> bool {
    got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan())
}

/// `//` and `%` on floats against CPython, bit for bit (signed zeros,
/// infinities, NaN), and NumPy's results for a zero divisor.
#[test]
fn float_floor_division_and_modulo_follow_cpython() {
    let f = floats_fn("t_float_divmod", Type::F64, |fb| {
        vec![
            bin(BinOp::FloorDiv, fb.p(0), fb.p(1)),
            bin(BinOp::Mod, fb.p(0), fb.p(1)),
        ]
    });
    let w = compile(&[&f]);
    for &(a, b, q, r) in FLOAT_DIVMOD {
        let (a, b) = (f64::from_bits(a), f64::from_bits(b));
        let got: [f64; 2] = run(w, &[arg(&a), arg(&b)]).unwrap();
        assert!(
            same_float(got[0], f64::from_bits(q)) && same_float(got[1], f64::from_bits(r)),
            "{a} // {b}: got {got:?}, want {:?}",
            [f64::from_bits(q), f64::from_bits(r)]
        );
    }
    for (a, q) in [
        (1.0, f64::INFINITY),
        (-1.0, f64::NEG_INFINITY),
        (0.0, f64::NAN),
    ] {
        let got: [f64; 2] = run(w, &[arg(&a), arg(&0.0f64)]).unwrap();
        assert!(
            same_float(got[0], q) && got[1].is_nan(),
            "NumPy {a} divmod 0.0: {got:?}"
        );
    }
}

#[test]
fn complex_arithmetic_follows_cpython() {
    let c = scalar(Scalar::C128);
    let f = floats_fn("t_complex_muldiv", c.clone(), |fb| {
        vec![
            bin(BinOp::Mul, fb.p(0), fb.p(1)),
            bin(BinOp::Div, fb.p(0), fb.p(1)),
        ]
    });
    let w = compile(&[&f]);
    for row in COMPLEX_MUL_DIV {
        let v = row.map(f64::from_bits);
        let got: [f64; 4] = run(w, &[arg(&[v[0], v[1]]), arg(&[v[2], v[3]])]).unwrap();
        assert_eq!(
            got.map(f64::to_bits),
            [row[4], row[5], row[6], row[7]],
            "{v:?}: got {got:?}"
        );
    }
    let f = floats_fn("t_complex_pow", c, |fb| {
        vec![bin(BinOp::Pow, fb.p(0), fb.p(1))]
    });
    let w = compile(&[&f]);
    for row in COMPLEX_POW {
        let v = row.map(f64::from_bits);
        let got: [f64; 2] = run(w, &[arg(&[v[0], v[1]]), arg(&[v[2], v[3]])]).unwrap();
        assert_eq!(
            got.map(f64::to_bits),
            [row[4], row[5]],
            "({}+{}j) ** ({}+{}j): got {got:?}",
            v[0],
            v[1],
            v[2],
            v[3]
        );
    }
}

/// Casts from float saturate instead of being poison, and narrow integer
/// targets wrap as NumPy's do.
#[test]
fn casts() {
    let fb = Fb::new(&[("x", Type::F64)]);
    let x = fb.p(0);
    let targets = [Scalar::I64, Scalar::U64, Scalar::I8, Scalar::U8];
    let mut items: Vec<_> = targets
        .iter()
        .map(|&s| cast(cast(x.clone(), s), Scalar::I64))
        .collect();
    items.push(cast(cast(x.clone(), Scalar::Bool), Scalar::I64));
    let via_complex64 = cast(cast(cast(x.clone(), Scalar::F32), Scalar::C64), Scalar::F64);
    items.push(cast(via_complex64, Scalar::I64));
    items.push(cast(
        cast(cast(x.clone(), Scalar::C128), Scalar::I16),
        Scalar::I64,
    ));
    let result = tuple(items);
    let ty = result.ty.clone();
    let f = fb.finish("t_casts", ty, vec![ret(result)]);
    let w = compile(&[&f]);
    let (min, max) = (i64::MIN, i64::MAX);
    let cases: [(f64, [i64; 7]); 8] = [
        (1.9, [1, 1, 1, 1, 1, 1, 1]),
        (-1.9, [-1, -1, -1, 255, 1, -1, -1]),
        (200.0, [200, 200, -56, 200, 1, 200, 200]),
        (f64::NAN, [0, 0, 0, 0, 1, 0, 0]),
        (f64::INFINITY, [max, -1, -1, 255, 1, max, -1]),
        (f64::NEG_INFINITY, [min, min, 0, 0, 1, min, 0]),
        (1e30, [max, -1, -1, 255, 1, max, -1]),
        (-0.0, [0, 0, 0, 0, 0, 0, 0]),
    ];
    for (x, want) in cases {
        let got: [i64; 7] = run(w, &[arg(&x)]).unwrap();
        assert_eq!(got, want, "casts of {x}");
    }
}

#[test]
fn math_intrinsics() {
    let fb = Fb::new(&[("x", Type::F64), ("y", scalar(Scalar::F32))]);
    let (x, y) = (fb.p(0), fb.p(1));
    let f64_ = |i, args| intrinsic(i, args, Type::F64);
    let as_f64 = |i, args| cast(intrinsic(i, args, scalar(Scalar::F32)), Scalar::F64);
    let flag =
        |i, x: &oxjit_tir::Expr| cast(intrinsic(i, vec![x.clone()], Type::BOOL), Scalar::F64);
    let nan = cnst(ConstValue::Float(f64::NAN), Type::F64);
    let items = vec![
        f64_(Intrinsic::Math(MathFn::Sqrt), vec![x.clone()]),
        f64_(Intrinsic::Math(MathFn::Exp), vec![x.clone()]),
        f64_(Intrinsic::Math(MathFn::Gamma), vec![x.clone()]),
        f64_(Intrinsic::Math(MathFn::Lgamma), vec![x.clone()]),
        f64_(
            Intrinsic::Math2(MathFn2::Atan2),
            vec![x.clone(), nan.clone()],
        ),
        f64_(Intrinsic::RoundEven, vec![x.clone()]),
        f64_(Intrinsic::Min, vec![x.clone(), nan.clone()]),
        f64_(Intrinsic::Max, vec![nan.clone(), x.clone()]),
        flag(Intrinsic::IsNan, &x),
        flag(Intrinsic::IsInf, &x),
        flag(Intrinsic::IsFinite, &x),
        as_f64(Intrinsic::Math(MathFn::Erf), vec![y.clone()]),
        as_f64(Intrinsic::Math(MathFn::Tanh), vec![y.clone()]),
        as_f64(
            Intrinsic::Math2(MathFn2::Fmod),
            vec![
                y.clone(),
                cast(cnst(ConstValue::Float(0.75), Type::F64), Scalar::F32),
            ],
        ),
        f64_(Intrinsic::Abs, vec![cast(x.clone(), Scalar::C128)]),
    ];
    let result = tuple(items);
    let ty = result.ty.clone();
    let f = fb.finish("t_math", ty, vec![ret(result)]);
    let w = compile(&[&f]);
    use oxjit_runtime::symbols::{ERF, GAMMA, LGAMMA};
    let runtime = |f: oxjit_abi::sig::RtFn| {
        // SAFETY: the runtime's double functions have this signature.
        unsafe { std::mem::transmute::<*const (), extern "C" fn(f64) -> f64>(f.addr) }
    };
    for (x, y) in [
        (2.5f64, 0.5f32),
        (-3.5, -2.25),
        (f64::INFINITY, 1e-3),
        (f64::NAN, 3.0),
    ] {
        let got: [f64; 15] = run(w, &[arg(&x), arg(&y)]).unwrap();
        let want = [
            x.sqrt(),
            x.exp(),
            runtime(GAMMA)(x),
            runtime(LGAMMA)(x),
            f64::NAN,
            x.round_ties_even(),
            x,
            f64::NAN,
            f64::from(u8::from(x.is_nan())),
            f64::from(u8::from(x.is_infinite())),
            f64::from(u8::from(x.is_finite())),
            f64::from(runtime(ERF)(f64::from(y)) as f32),
            f64::from(y.tanh()),
            f64::from(y % 0.75),
            x.abs(),
        ];
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                same_float(*g, w),
                "item {i} for x={x}, y={y}: got {g}, want {w}"
            );
        }
    }
}

/// libm and runtime math are declared without side effects (as clang does
/// with `-fno-math-errno`), which LLVM needs to hoist and vectorise calls.
#[test]
fn math_declarations_are_pure() {
    let fb = Fb::new(&[("x", Type::F64)]);
    let x = fb.p(0);
    let exp = intrinsic(Intrinsic::Math(MathFn::Exp), vec![x.clone()], Type::F64);
    let gamma = intrinsic(Intrinsic::Math(MathFn::Gamma), vec![x], Type::F64);
    let f = fb.finish(
        "t_pure_decls",
        Type::F64,
        vec![ret(bin(BinOp::Add, exp, gamma))],
    );
    let ctx = inkwell::context::Context::create();
    let module = oxjit_codegen::emit_module(&ctx, &crate::support::target(), &[&f], 0).unwrap();
    for name in ["exp", "oxjit_rt_gamma"] {
        let decl = module.get_function(name).unwrap();
        for attr in ["nounwind", "willreturn", "memory"] {
            let kind = Attribute::get_named_enum_kind_id(attr);
            let found = decl.get_enum_attribute(AttributeLoc::Function, kind);
            // `memory` with value 0 is `memory(none)`.
            assert_eq!(
                found.map(|a| a.get_enum_value()),
                Some(0),
                "{name} lacks {attr}"
            );
        }
    }
}

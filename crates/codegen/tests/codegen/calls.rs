//! Calls between compiled functions (recursion, mutual recursion, status
//! propagation), raising, and the memory layout of results.

use oxjit_abi::exc::{NEG_INT_POWER, ZERO_DIV_INT};
use oxjit_tir::oxjit_types::{Scalar, Type};
use oxjit_tir::{BinOp, Check, CmpOp, ConstValue, Expr, ExprKind, StmtKind, UnaryOp};

use crate::support::*;

fn if_exp(c: Expr, a: Expr, b: Expr) -> Expr {
    let ty = a.ty.clone();
    e(ExprKind::IfExp(Box::new(c), Box::new(a), Box::new(b)), ty)
}

fn guard(x: Expr, check: Check, exc: u32) -> Expr {
    let ty = x.ty.clone();
    e(
        ExprKind::Guard {
            value: Box::new(x),
            check,
            exc,
        },
        ty,
    )
}

#[test]
fn recursion() {
    let fb = Fb::new(&[("n", Type::I64)]);
    let n = fb.p(0);
    let fib = |k| call("t_fib", vec![bin(BinOp::Sub, n.clone(), int(k))], Type::I64);
    let body = if_exp(
        cmp(CmpOp::Lt, n.clone(), int(2)),
        n.clone(),
        bin(BinOp::Add, fib(1), fib(2)),
    );
    let f = fb.finish("t_fib", Type::I64, vec![ret(body)]);
    let w = compile(&[&f]);
    assert_eq!(run::<i64>(w, &[arg(&20i64)]), Ok(6765));
    assert_eq!(run::<i64>(w, &[arg(&1i64)]), Ok(1));
}

#[test]
fn mutual_recursion() {
    let parity = |symbol: &str, base: bool, other: &str| {
        let fb = Fb::new(&[("n", Type::I64)]);
        let n = fb.p(0);
        let next = call(other, vec![bin(BinOp::Sub, n.clone(), int(1))], Type::BOOL);
        let body = if_exp(
            cmp(CmpOp::Eq, n, int(0)),
            cnst(ConstValue::Bool(base), Type::BOOL),
            next,
        );
        fb.finish(symbol, Type::BOOL, vec![ret(body)])
    };
    let even = parity("t_even", true, "t_odd");
    let odd = parity("t_odd", false, "t_even");
    let w = compile(&[&even, &odd]);
    assert_eq!(run::<u8>(w, &[arg(&10i64)]), Ok(1));
    assert_eq!(run::<u8>(w, &[arg(&7i64)]), Ok(0));
}

/// A callee's exception reaches the caller's caller unchanged.
#[test]
fn exceptions_propagate_through_calls() {
    let fb = Fb::new(&[("n", Type::I64)]);
    let n = fb.p(0);
    let check = fb.finish(
        "t_raiser",
        Type::I64,
        vec![
            if_(
                cmp(CmpOp::Lt, n.clone(), int(0)),
                vec![st(StmtKind::Raise(77))],
                vec![],
            ),
            ret(bin(BinOp::Mul, n, int(2))),
        ],
    );
    let fb = Fb::new(&[("n", Type::I64)]);
    let body = vec![ret(bin(
        BinOp::Add,
        call("t_raiser", vec![fb.p(0)], Type::I64),
        int(1),
    ))];
    let caller = fb.finish("t_raiser_caller", Type::I64, body);
    let w = compile(&[&caller, &check]);
    assert_eq!(run::<i64>(w, &[arg(&4i64)]), Ok(9));
    assert_eq!(run::<i64>(w, &[arg(&-1i64)]), Err(77));
}

/// `(a // b, a ** b)` with Python's error model: guards on the divisor and
/// the exponent, checked in evaluation order.
#[test]
fn guards_raise() {
    let fb = Fb::new(&[("a", Type::I64), ("b", Type::I64)]);
    let (a, b) = (fb.p(0), fb.p(1));
    let result = tuple(vec![
        bin(
            BinOp::FloorDiv,
            a.clone(),
            guard(b.clone(), Check::NonZero, ZERO_DIV_INT),
        ),
        bin(BinOp::Pow, a, guard(b, Check::NonNegative, NEG_INT_POWER)),
    ]);
    let f = fb.finish(
        "t_guards",
        Type::Tuple(vec![Type::I64; 2]),
        vec![ret(result)],
    );
    let w = compile(&[&f]);
    let call = |a: i64, b: i64| run::<[i64; 2]>(w, &[arg(&a), arg(&b)]);
    assert_eq!(call(7, 2), Ok([3, 49]));
    assert_eq!(call(7, 0), Err(ZERO_DIV_INT as i32));
    assert_eq!(call(7, -1), Err(NEG_INT_POWER as i32));
}

/// A nested tuple result lands at the offsets of `Type::field_offsets`, with
/// bools as bytes 0/1.
#[test]
fn tuple_results_have_the_c_layout() {
    let c64 = scalar(Scalar::C64);
    let params = [
        ("a", Type::BOOL),
        ("b", Type::F64),
        ("c", scalar(Scalar::I32)),
        ("d", c64.clone()),
        ("e", scalar(Scalar::U8)),
    ];
    let fb = Fb::new(&params);
    let not_a = e(ExprKind::Unary(UnaryOp::Not, Box::new(fb.p(0))), Type::BOOL);
    let result = tuple(vec![
        fb.p(0),
        fb.p(1),
        fb.p(2),
        tuple(vec![fb.p(4), fb.p(3), not_a]),
    ]);
    let ret_ty = result.ty.clone();
    let f = fb.finish("t_tuple_layout", ret_ty.clone(), vec![ret(result)]);
    let w = compile(&[&f]);

    let (a, b, c, d, e_) = (1u8, -2.5f64, -7i32, [1.5f32, -0.25], 200u8);
    let out: [u8; 48] = run(w, &[arg(&a), arg(&b), arg(&c), arg(&d), arg(&e_)]).unwrap();
    assert_eq!(ret_ty.size_align().0, 40);
    let Type::Tuple(items) = &ret_ty else {
        unreachable!()
    };
    let off = Type::field_offsets(items);
    let Type::Tuple(inner) = &items[3] else {
        unreachable!()
    };
    let inner_off: Vec<usize> = Type::field_offsets(inner)
        .iter()
        .map(|o| o + off[3])
        .collect();
    let bytes = |at: usize, n: usize| out[at..at + n].to_vec();
    assert_eq!(bytes(off[0], 1), [1]);
    assert_eq!(bytes(off[1], 8), b.to_le_bytes());
    assert_eq!(bytes(off[2], 4), c.to_le_bytes());
    assert_eq!(bytes(inner_off[0], 1), [200]);
    assert_eq!(
        bytes(inner_off[1], 8),
        [d[0].to_le_bytes(), d[1].to_le_bytes()].concat()
    );
    assert_eq!(bytes(inner_off[2], 1), [0]);
}

/// `fastmath` flags every float operation; the result of a simple
/// reduction is unchanged.
#[test]
fn fastmath_reduction() {
    let mut fb = Fb::new(&[("n", Type::I64)]);
    let (i, s) = (fb.local("i", Type::I64), fb.local("s", Type::F64));
    let x = cast(fb.get(i), Scalar::F64);
    let body = vec![fb.set(s, bin(BinOp::Add, fb.get(s), bin(BinOp::Mul, x.clone(), x)))];
    let stmts = vec![
        st(StmtKind::ForRange {
            var: i,
            start: int(0),
            stop: fb.p(0),
            step: int(1),
            body,
            orelse: vec![],
            parallel: None,
        }),
        ret(fb.get(s)),
    ];
    let mut f = fb.finish("t_fastmath", Type::F64, stmts);
    f.flags.fastmath = oxjit_tir::FastMath::ALL;
    let w = compile(&[&f]);
    assert_eq!(run::<f64>(w, &[arg(&1000i64)]), Ok(332_833_500.0));
}

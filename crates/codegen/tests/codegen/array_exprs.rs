//! `Elementwise`: new arrays, broadcasting and its errors, scalar inputs,
//! writing into `out` (also overlapping its inputs), element indices, and
//! the vectorised flat loop.

use oxjit_abi::exc::DYNAMIC;
use oxjit_tir::oxjit_types::{Layout, Scalar, Type};
use oxjit_tir::{BinOp, CmpOp, ConstValue, Expr, ExprKind, StmtKind, ViewDim};

use crate::support::*;

pub fn add(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Add, a, b)
}

pub fn mul(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Mul, a, b)
}

/// `a + b` for two 1-D float64 arrays: a new C array owned by the caller.
#[test]
fn adds_two_vectors_into_a_new_array() {
    let fb = Fb::new(&[("a", f64c(1)), ("b", f64c(1))]);
    let body = add(input(0, Scalar::F64), input(1, Scalar::F64));
    let r = ret(elementwise(vec![fb.p(0), fb.p(1)], body, f64c(1)));
    let f = fb.finish("t_ew_add", f64c(1), vec![r]);
    let w = compile(&[&f]);
    let ((), allocated) = balanced(|| {
        for n in [0usize, 1, 5, 1000] {
            let mut a: Vec<f64> = (0..n).map(|i| i as f64).collect();
            let mut b: Vec<f64> = (0..n).map(|i| 0.5 * i as f64).collect();
            let (aa, ba) = (c_array(&mut a, &[n as i64]), c_array(&mut b, &[n as i64]));
            let out = run::<ArrayOut<1>>(w, &[aa.as_ptr().cast(), ba.as_ptr().cast()]).unwrap();
            assert!(!out.meminfo.is_null() && out.parent.is_null());
            assert_eq!((out.shape, out.strides, out.itemsize), ([n as i64], [8], 8));
            assert_eq!(
                out.values::<f64>(),
                (0..n).map(|i| 1.5 * i as f64).collect::<Vec<_>>()
            );
            out.release();
        }
    });
    assert_eq!(allocated, 4);
}

/// `(3,1) + (4,)` broadcasts to `(3,4)`; a strided (layout A) input takes
/// the loop nest.
#[test]
fn broadcasts_like_numpy() {
    for layout in [Layout::C, Layout::A] {
        let (t2, t1) = (arr(Scalar::F64, 2, layout), arr(Scalar::F64, 1, layout));
        let fb = Fb::new(&[("a", t2), ("b", t1)]);
        let body = add(
            mul(input(0, Scalar::F64), float(10.0)),
            input(1, Scalar::F64),
        );
        let r = ret(elementwise(vec![fb.p(0), fb.p(1)], body, f64c(2)));
        let f = fb.finish(&format!("t_ew_bcast_{layout}"), f64c(2), vec![r]);
        let w = compile(&[&f]);
        balanced(|| {
            // a = [[0], [1], [2]]; b = [0, 1, 2, 3], every other element of a buffer.
            let mut a = vec![0.0, 1.0, 2.0];
            let mut b: Vec<f64> = (0..8)
                .map(|i| if i % 2 == 0 { (i / 2) as f64 } else { -1.0 })
                .collect();
            let aa = array_arg(&mut a, &[3, 1], &[8, 8]);
            let ba = array_arg(&mut b, &[4], &[16]);
            let out = run::<ArrayOut<2>>(w, &[aa.as_ptr().cast(), ba.as_ptr().cast()]).unwrap();
            assert_eq!((out.shape, out.strides), ([3, 4], [32, 8]));
            let want: Vec<f64> = (0..3)
                .flat_map(|i| (0..4).map(move |j| (10 * i + j) as f64))
                .collect();
            assert_eq!(out.values::<f64>(), want);
            out.release();
        });
    }
}

/// Incompatible shapes give NumPy's messages: for a chain of operations,
/// for an in-place operation and for an assignment.
#[test]
fn broadcast_errors_name_the_shapes() {
    let none = || ret(cnst(ConstValue::Unit, Type::None));
    let sum = || add(input(0, Scalar::F64), input(1, Scalar::F64));
    let compiled = |sym: &str, a: Type, b: Type, make: &dyn Fn(&Fb) -> Expr| {
        let fb = Fb::new(&[("a", a), ("b", b)]);
        let stmt = st(StmtKind::Expr(make(&fb)));
        compile(&[&fb.finish(sym, Type::None, vec![stmt, none()])])
    };
    let new = compiled("t_ew_err_new", f64c(1), f64c(1), &|fb| {
        elementwise(vec![fb.p(0), fb.p(1)], sum(), f64c(1))
    });
    let in_place = compiled("t_ew_err_inplace", f64c(1), f64c(2), &|fb| {
        write_into(fb.p(0), vec![fb.p(0), fb.p(1)], sum())
    });
    let assign = compiled("t_ew_err_assign", f64c(1), f64c(2), &|fb| {
        write_into(fb.p(0), vec![fb.p(1)], input(0, Scalar::F64))
    });
    let outcome = |w: Wrapper, a: &[i64], b: &[i64]| -> Option<String> {
        let (mut x, mut y) = (vec![0.0f64; 24], vec![0.0f64; 24]);
        let (xa, ya) = (c_array(&mut x, a), c_array(&mut y, b));
        let status = run::<[u8; 0]>(w, &[xa.as_ptr().cast(), ya.as_ptr().cast()]).err()?;
        assert_eq!(status as u32, DYNAMIC);
        let (class, message) = exception(status);
        assert_eq!(class, "ValueError");
        Some(message)
    };
    balanced(|| {
        assert_eq!(
            outcome(new, &[3], &[4]).as_deref(),
            Some("operands could not be broadcast together with shapes (3,) (4,) ")
        );
        assert_eq!(outcome(new, &[1], &[4]), None);
        assert_eq!(
            outcome(in_place, &[3], &[4, 3]).as_deref(),
            Some("non-broadcastable output operand with shape (3,) doesn't match the broadcast shape (4,3)")
        );
        assert_eq!(
            outcome(in_place, &[3], &[2, 4]).as_deref(),
            Some("operands could not be broadcast together with shapes (3,) (2,4) (3,) ")
        );
        // NumPy: the broadcast shape (1,3) is not the output's.
        assert_eq!(
            outcome(in_place, &[3], &[1, 3]).as_deref(),
            Some("non-broadcastable output operand with shape (3,) doesn't match the broadcast shape (1,3)")
        );
        assert_eq!(
            outcome(assign, &[3], &[2, 3]).as_deref(),
            Some("could not broadcast input array from shape (2,3) into shape (3,)")
        );
        assert_eq!(
            outcome(assign, &[3], &[1, 4]).as_deref(),
            Some("could not broadcast input array from shape (1,4) into shape (3,)")
        );
        assert_eq!(
            outcome(assign, &[3], &[2, 1]).as_deref(),
            Some("could not broadcast input array from shape (2,1) into shape (3,)")
        );
        assert_eq!(outcome(assign, &[3], &[1, 1]), None);
        assert_eq!(outcome(assign, &[3], &[1, 3]), None);
    });
}

/// Scalar inputs are loop-invariant values: `a * k + 1.5`.
#[test]
fn scalar_inputs() {
    let fb = Fb::new(&[("a", arr(Scalar::I32, 1, Layout::C)), ("k", Type::F64)]);
    let body = add(
        mul(
            cast(input(0, Scalar::I32), Scalar::F64),
            input(1, Scalar::F64),
        ),
        input(2, Scalar::F64),
    );
    let r = ret(elementwise(
        vec![fb.p(0), fb.p(1), float(1.5)],
        body,
        f64c(1),
    ));
    let f = fb.finish("t_ew_scalar", f64c(1), vec![r]);
    let w = compile(&[&f]);
    balanced(|| {
        let mut a = vec![1i32, -2, 3];
        let aa = c_array(&mut a, &[3]);
        let out = run::<ArrayOut<1>>(w, &[aa.as_ptr().cast(), arg(&2.0f64)]).unwrap();
        assert_eq!(out.values::<f64>(), vec![3.5, -2.5, 7.5]);
        out.release();
    });
}

/// `a += b` (in place, `a` also an input) and `a[::2] = b > 0` (a strided
/// `out` of bools, nest path); nothing is allocated.
#[test]
fn writes_into_out() {
    let fb = Fb::new(&[
        ("a", f64c(1)),
        ("b", f64c(1)),
        ("m", arr(Scalar::Bool, 1, Layout::C)),
    ]);
    let (a, b, m) = (fb.p(0), fb.p(1), fb.p(2));
    let every_other = view(
        m,
        vec![slice(None, None, Some(2))],
        arr(Scalar::Bool, 1, Layout::A),
    );
    let positive = e(
        ExprKind::Compare(
            CmpOp::Gt,
            Box::new(input(0, Scalar::F64)),
            Box::new(float(0.0)),
        ),
        Type::BOOL,
    );
    let stmts = vec![
        st(StmtKind::Expr(write_into(
            a.clone(),
            vec![a.clone(), b.clone()],
            add(input(0, Scalar::F64), input(1, Scalar::F64)),
        ))),
        st(StmtKind::Expr(write_into(every_other, vec![b], positive))),
        ret(cnst(ConstValue::Unit, Type::None)),
    ];
    let w = compile(&[&fb.finish("t_ew_out", Type::None, stmts)]);
    let ((), allocated) = balanced(|| {
        let mut a = vec![1.0, 2.0, 3.0];
        let mut b = vec![-1.0, 0.5, 2.0];
        let mut m = vec![7u8; 6];
        let (aa, ba, ma) = (
            c_array(&mut a, &[3]),
            c_array(&mut b, &[3]),
            c_array(&mut m, &[6]),
        );
        assert_eq!(
            run::<[u8; 0]>(
                w,
                &[aa.as_ptr().cast(), ba.as_ptr().cast(), ma.as_ptr().cast()]
            ),
            Ok([])
        );
        assert_eq!(*std::hint::black_box(&mut a), vec![0.0, 2.5, 5.0]);
        assert_eq!(*std::hint::black_box(&mut m), vec![0, 7, 1, 7, 1, 7]);
    });
    assert_eq!(allocated, 0);
}

/// `a[1:] = a[:-1]` and `a[:-1] = a[1:]` read the old values, as NumPy
/// does (through a temporary); `a[:] = a[::-1]` too.
#[test]
fn overlapping_assignment_copies_first() {
    let t = f64c(1);
    let a_view = |fb: &Fb, s: ViewDim| view(fb.p(0), vec![s], arr(Scalar::F64, 1, Layout::A));
    type Expected = fn(&[f64]) -> Vec<f64>;
    let cases: Vec<(&str, ViewDim, ViewDim, Expected)> = vec![
        (
            "t_ew_shift_right",
            slice(Some(1), None, None),
            slice(None, Some(-1), None),
            |a| {
                std::iter::once(a[0])
                    .chain(a[..a.len() - 1].iter().copied())
                    .collect()
            },
        ),
        (
            "t_ew_shift_left",
            slice(None, Some(-1), None),
            slice(Some(1), None, None),
            |a| {
                a[1..]
                    .iter()
                    .copied()
                    .chain(std::iter::once(a[a.len() - 1]))
                    .collect()
            },
        ),
        (
            "t_ew_reverse",
            slice(None, None, None),
            slice(None, None, Some(-1)),
            |a| a.iter().rev().copied().collect(),
        ),
    ];
    for (sym, target, source, want) in cases {
        let fb = Fb::new(&[("a", t.clone())]);
        let stmt = write_into(
            a_view(&fb, target),
            vec![a_view(&fb, source)],
            input(0, Scalar::F64),
        );
        let f = fb.finish(
            sym,
            Type::None,
            vec![
                st(StmtKind::Expr(stmt)),
                ret(cnst(ConstValue::Unit, Type::None)),
            ],
        );
        let w = compile(&[&f]);
        let ((), allocated) = balanced(|| {
            let mut a: Vec<f64> = (0..7).map(|i| i as f64).collect();
            let expected = want(&a);
            let aa = c_array(&mut a, &[7]);
            assert_eq!(run::<[u8; 0]>(w, &[aa.as_ptr().cast()]), Ok([]));
            assert_eq!(*std::hint::black_box(&mut a), expected, "{sym}");
        });
        assert_eq!(allocated, 1, "{sym} copies through one temporary");
    }
}

/// `ElemIndex` over an explicit shape (as `np.arange`/`np.eye` would use),
/// including an empty one, and a negative extent's `ValueError`.
#[test]
fn element_indices_and_explicit_shapes() {
    let fb = Fb::new(&[("n", Type::I64), ("m", Type::I64)]);
    let body = cast(add(mul(elem_index(0), int(10)), elem_index(1)), Scalar::F64);
    let r = ret(filled(vec![fb.p(0), fb.p(1)], vec![], body, f64c(2)));
    let f = fb.finish("t_ew_index", f64c(2), vec![r]);
    let w = compile(&[&f]);
    balanced(|| {
        let out = run::<ArrayOut<2>>(w, &[arg(&2i64), arg(&3i64)]).unwrap();
        assert_eq!(out.values::<f64>(), vec![0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
        out.release();
        let empty = run::<ArrayOut<2>>(w, &[arg(&0i64), arg(&3i64)]).unwrap();
        assert_eq!((empty.shape, empty.values::<f64>()), ([0, 3], vec![]));
        empty.release();
        let status = run::<ArrayOut<2>>(w, &[arg(&-1i64), arg(&3i64)]).unwrap_err();
        assert_eq!(
            exception(status),
            (
                "ValueError".into(),
                "negative dimensions are not allowed".into()
            )
        );
    });
}

/// `a * b + c` on C float64 arrays is one flat loop that LLVM vectorises.
#[test]
fn contiguous_expressions_vectorise() {
    let fb = Fb::new(&[("a", f64c(1)), ("b", f64c(1)), ("c", f64c(1))]);
    let body = add(
        mul(input(0, Scalar::F64), input(1, Scalar::F64)),
        input(2, Scalar::F64),
    );
    let r = ret(elementwise(vec![fb.p(0), fb.p(1), fb.p(2)], body, f64c(1)));
    let f = fb.finish("t_ew_fma", f64c(1), vec![r]);
    let (w, ir) = compile_ir(&[&f]);
    assert!(
        ir.contains("fmul <4 x double>") || ir.contains("fmul <8 x double>"),
        "not vectorised:\n{ir}"
    );
    balanced(|| {
        let mut v: Vec<f64> = (0..37).map(|i| i as f64).collect();
        let va = c_array(&mut v, &[37]);
        let out = run::<ArrayOut<1>>(
            w,
            &[va.as_ptr().cast(), va.as_ptr().cast(), va.as_ptr().cast()],
        )
        .unwrap();
        assert_eq!(
            out.values::<f64>(),
            (0..37).map(|i| (i * i + i) as f64).collect::<Vec<_>>()
        );
        out.release();
    });
}

/// A local holding an array, reassigned in a loop: every old value is
/// released, the last is returned.
#[test]
fn reassigned_locals_release_their_old_arrays() {
    let mut fb = Fb::new(&[("n", Type::I64)]);
    let x = fb.local("x", f64c(1));
    let i = fb.local("i", Type::I64);
    let ones = filled(vec![fb.p(0)], vec![], float(1.0), f64c(1));
    let twice = elementwise(
        vec![fb.get(x)],
        mul(input(0, Scalar::F64), float(2.0)),
        f64c(1),
    );
    let body = vec![
        fb.set(x, ones),
        st(StmtKind::ForRange {
            var: i,
            start: int(0),
            stop: int(5),
            step: int(1),
            body: vec![fb.set(x, twice)],
            orelse: vec![],
            parallel: None,
        }),
        ret(fb.get(x)),
    ];
    let f = fb.finish("t_ew_reassign", f64c(1), body);
    let w = compile(&[&f]);
    let ((), allocated) = balanced(|| {
        let out = run::<ArrayOut<1>>(w, &[arg(&3i64)]).unwrap();
        assert_eq!(out.values::<f64>(), vec![32.0; 3]);
        out.release();
    });
    assert_eq!(allocated, 6);
}

//! Array element access through the wrapper, with arrays built by hand:
//! every layout, negative indices, bounds checks, bool elements.

use oxjit_abi::exc::INDEX_OUT_OF_BOUNDS;
use oxjit_tir::oxjit_types::{ArrayType, Layout, Scalar, Type};
use oxjit_tir::{BinOp, ConstValue, Expr, ExprKind, Intrinsic, StmtKind, UnaryOp};

use crate::support::*;

fn index(array: &Expr, indices: Vec<Expr>, dtype: Scalar, boundscheck: bool) -> Expr {
    e(
        ExprKind::Index {
            array: Box::new(array.clone()),
            indices,
            boundscheck,
        },
        scalar(dtype),
    )
}

/// `a[i, j] += 100.0; return (a[i, j], a.shape[1], a.size)` on a 3×4 array
/// `a[r, c] = 10r + c` stored C-ordered, F-ordered, and as a strided view.
#[test]
fn two_d_arrays_in_every_layout() {
    for layout in [Layout::C, Layout::F, Layout::A] {
        let t = Type::Array(ArrayType::new(Scalar::F64, 2, layout));
        let fb = Fb::new(&[("a", t), ("i", Type::I64), ("j", Type::I64)]);
        let a = fb.p(0);
        let at = || index(&a, vec![fb.p(1), fb.p(2)], Scalar::F64, true);
        let stmts = vec![
            st(StmtKind::Store {
                array: a.clone(),
                indices: vec![fb.p(1), fb.p(2)],
                value: bin(BinOp::Add, at(), cnst(ConstValue::Float(100.0), Type::F64)),
                boundscheck: true,
            }),
            ret(tuple(vec![
                at(),
                intrinsic(Intrinsic::Dim(1), vec![a.clone()], Type::I64),
                intrinsic(Intrinsic::Size, vec![a.clone()], Type::I64),
            ])),
        ];
        let f = fb.finish(
            &format!("t_array2d_{layout}"),
            Type::Tuple(vec![Type::F64, Type::I64, Type::I64]),
            stmts,
        );
        let w = compile(&[&f]);

        // Element offset of (r, c) in the buffer, and the strides in bytes.
        type Position = fn(usize, usize) -> usize;
        let (len, pos, strides): (usize, Position, [i64; 2]) = match layout {
            Layout::C => (12, |r, c| r * 4 + c, [32, 8]),
            Layout::F => (12, |r, c| c * 3 + r, [8, 24]),
            // Every other column of a 3×8 C array.
            Layout::A => (24, |r, c| r * 8 + 2 * c, [64, 16]),
        };
        let mut buf = vec![-1.0f64; len];
        for (r, c) in (0..3).flat_map(|r| (0..4).map(move |c| (r, c))) {
            buf[pos(r, c)] = (10 * r + c) as f64;
        }
        let original = buf.clone();
        let arr = array_arg(&mut buf, &[3, 4], &strides);
        for i in -4i64..=3 {
            for j in -5i64..=4 {
                let (r, c) = (if i < 0 { i + 3 } else { i }, if j < 0 { j + 4 } else { j });
                let got = run::<[u64; 3]>(w, &[arr.as_ptr().cast(), arg(&i), arg(&j)]);
                if (0..3).contains(&r) && (0..4).contains(&c) {
                    let p = pos(r as usize, c as usize);
                    let want = original[p] + 100.0;
                    assert_eq!(got, Ok([want.to_bits(), 4, 12]), "{layout} a[{i}, {j}]");
                    // SAFETY: `arr` points into `buf`, written only during the call.
                    assert_eq!(unsafe { std::ptr::read_volatile(&buf[p]) }, want);
                    buf[p] = original[p];
                } else {
                    assert_eq!(got, Err(INDEX_OUT_OF_BOUNDS as i32), "{layout} a[{i}, {j}]");
                    assert_eq!(buf, original, "a failed bounds check writes nothing");
                }
            }
        }
    }
}

/// Bool elements are bytes: any non-zero byte reads as true, stores write 0/1.
#[test]
fn bool_arrays_hold_bytes() {
    let t = Type::Array(ArrayType::new(Scalar::Bool, 1, Layout::C));
    let fb = Fb::new(&[("a", t), ("i", Type::I64)]);
    let a = fb.p(0);
    let at = || index(&a, vec![fb.p(1)], Scalar::Bool, false);
    let stmts = vec![
        st(StmtKind::Store {
            array: a.clone(),
            indices: vec![fb.p(1)],
            value: e(ExprKind::Unary(UnaryOp::Not, Box::new(at())), Type::BOOL),
            boundscheck: false,
        }),
        ret(at()),
    ];
    let f = fb.finish("t_bool_array", Type::BOOL, stmts);
    let w = compile(&[&f]);
    let mut buf = [2u8, 0, 1];
    let arr = array_arg(&mut buf, &[3], &[1]);
    for (i, want_ret, want_buf) in [
        (0i64, 0u8, [0u8, 0, 1]),
        (1, 1, [0, 1, 1]),
        (-1, 0, [0, 1, 0]),
    ] {
        assert_eq!(
            run::<u8>(w, &[arr.as_ptr().cast(), arg(&i)]),
            Ok(want_ret),
            "a[{i}]"
        );
        // SAFETY: `arr` points into `buf`, written only during the call.
        assert_eq!(
            unsafe { std::ptr::read_volatile(&buf) },
            want_buf,
            "after a[{i}] = not a[{i}]"
        );
    }
}

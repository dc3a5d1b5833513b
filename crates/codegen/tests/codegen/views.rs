//! Views: slices with Python's semantics (negative steps, clamping, empty
//! results), integer indices, `newaxis`, transposes and reshapes; a view
//! shares its source's memory and keeps it alive.

use oxjit_abi::exc::INDEX_OUT_OF_BOUNDS;
use oxjit_tir::oxjit_types::{Layout, Scalar, Type};
use oxjit_tir::{Expr, ExprKind, ViewDim};

use crate::support::*;

fn f64a(ndim: u8) -> Type {
    arr(Scalar::F64, ndim, Layout::A)
}

/// Python's `range(*slice(start, stop, step).indices(n))`.
fn slice_model(n: i64, start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Vec<i64> {
    let step = step.unwrap_or(1);
    let (lower, upper) = if step < 0 { (-1, n - 1) } else { (0, n) };
    let clamp = |x: Option<i64>, default: i64| match x {
        None => default,
        Some(x) if x < 0 => (x + n).max(lower),
        Some(x) => x.min(upper),
    };
    let (first, last) = (
        clamp(start, if step < 0 { upper } else { lower }),
        clamp(stop, if step < 0 { lower } else { upper }),
    );
    let mut out = Vec::new();
    let mut i = first;
    while (step > 0 && i < last) || (step < 0 && i > last) {
        out.push(i);
        i += step;
    }
    out
}

/// Every combination of start/stop/step from a small set on a 1-D array,
/// compared with Python's slice semantics.
#[test]
fn slices_follow_python() {
    let bounds = [
        None,
        Some(-12),
        Some(-3),
        Some(-1),
        Some(0),
        Some(2),
        Some(5),
        Some(12),
    ];
    let steps = [None, Some(1), Some(2), Some(-1), Some(-3)];
    let mut cases = Vec::new();
    let mut stmts = Vec::new();
    let fb = Fb::new(&[("a", f64c(1)), ("k", Type::I64)]);
    for &start in &bounds {
        for &stop in &bounds {
            for &step in &steps {
                let k = cases.len() as i64;
                cases.push((start, stop, step));
                let v = view(fb.p(0), vec![slice(start, stop, step)], f64a(1));
                stmts.push(if_(
                    cmp(oxjit_tir::CmpOp::Eq, fb.p(1), int(k)),
                    vec![ret(v)],
                    vec![],
                ));
            }
        }
    }
    stmts.push(ret(view(fb.p(0), vec![], f64a(1))));
    let f = fb.finish("t_view_slices", f64a(1), stmts);
    let w = compile(&[&f]);
    let mut data: Vec<f64> = (0..8).map(|i| i as f64).collect();
    let a = c_array(&mut data, &[8]);
    balanced(|| {
        for (k, &(start, stop, step)) in cases.iter().enumerate() {
            let out = run::<ArrayOut<1>>(w, &[a.as_ptr().cast(), arg(&(k as i64))]).unwrap();
            let want: Vec<f64> = slice_model(8, start, stop, step)
                .into_iter()
                .map(|i| i as f64)
                .collect();
            assert_eq!(out.values::<f64>(), want, "a[{start:?}:{stop:?}:{step:?}]");
            assert_eq!(out.strides[0], 8 * step.unwrap_or(1));
            assert!(
                out.meminfo.is_null(),
                "a view of an argument has no meminfo"
            );
        }
    });
}

/// Integer indices (negative ones wrap) remove dimensions, `newaxis`
/// inserts one of length 1 and stride 0; out-of-bounds indices raise, and
/// so does a zero step.
#[test]
fn indices_and_new_axes() {
    let fb = Fb::new(&[("a", f64c(2)), ("i", Type::I64), ("s", Type::I64)]);
    let dims = vec![
        ViewDim::NewAxis,
        ViewDim::Index(fb.p(1)),
        ViewDim::NewAxis,
        ViewDim::Slice {
            start: None,
            stop: None,
            step: Some(fb.p(2)),
        },
    ];
    let r = ret(view(fb.p(0), dims, f64a(3)));
    let f = fb.finish("t_view_index", f64a(3), vec![r]);
    let w = compile(&[&f]);
    let mut data: Vec<f64> = (0..12).map(|i| i as f64).collect();
    let a = c_array(&mut data, &[3, 4]);
    let call = |i: i64, s: i64| run::<ArrayOut<3>>(w, &[a.as_ptr().cast(), arg(&i), arg(&s)]);
    // a[None, -1, None, ::-2] of a 3×4 array.
    let out = call(-1, -2).unwrap();
    assert_eq!((out.shape, out.strides), ([1, 1, 2], [0, 0, -16]));
    assert_eq!(out.values::<f64>(), vec![11.0, 9.0]);
    assert_eq!(call(1, 3).unwrap().values::<f64>(), vec![4.0, 7.0]);
    assert_eq!(call(3, 1).unwrap_err(), INDEX_OUT_OF_BOUNDS as i32);
    assert_eq!(call(-4, 1).unwrap_err(), INDEX_OUT_OF_BOUNDS as i32);
    let zero_step = call(0, 0).unwrap_err();
    assert_eq!(
        exception(zero_step),
        ("ValueError".into(), "slice step cannot be zero".into())
    );
}

/// `.T` and a general permutation.
#[test]
fn transposes() {
    let fb = Fb::new(&[("a", f64c(3))]);
    let t = e(
        ExprKind::Transpose {
            array: Box::new(fb.p(0)),
            axes: vec![2, 0, 1],
        },
        f64a(3),
    );
    let f = fb.finish("t_view_transpose", f64a(3), vec![ret(t)]);
    let w = compile(&[&f]);
    let mut data: Vec<f64> = (0..24).map(|i| i as f64).collect();
    let a = c_array(&mut data, &[2, 3, 4]);
    let out = run::<ArrayOut<3>>(w, &[a.as_ptr().cast()]).unwrap();
    assert_eq!((out.shape, out.strides), ([4, 2, 3], [8, 96, 32]));
    let want: Vec<f64> = (0..4)
        .flat_map(|k| (0..2).flat_map(move |i| (0..3).map(move |j| (12 * i + 4 * j + k) as f64)))
        .collect();
    assert_eq!(out.values::<f64>(), want);
}

fn reshape(array: Expr, shape: Vec<Expr>, ty: Type) -> Expr {
    e(
        ExprKind::Reshape {
            array: Box::new(array),
            shape,
        },
        ty,
    )
}

/// `reshape` infers one negative extent and reports mismatches with
/// NumPy's messages; a reshaped temporary stays alive through the view.
#[test]
fn reshapes() {
    let fb = Fb::new(&[("a", f64c(1)), ("r", Type::I64), ("c", Type::I64)]);
    let r = ret(reshape(fb.p(0), vec![fb.p(1), fb.p(2)], f64c(2)));
    let w = compile(&[&fb.finish("t_view_reshape", f64c(2), vec![r])]);
    let mut data: Vec<f64> = (0..6).map(|i| i as f64).collect();
    let a = c_array(&mut data, &[6]);
    let call = |r: i64, c: i64| run::<ArrayOut<2>>(w, &[a.as_ptr().cast(), arg(&r), arg(&c)]);
    let out = call(2, -1).unwrap();
    assert_eq!((out.shape, out.strides), ([2, 3], [24, 8]));
    assert_eq!(out.values::<f64>(), data);
    assert_eq!(call(-1, 6).unwrap().shape, [1, 6]);
    let message = |r, c| exception(call(r, c).unwrap_err());
    assert_eq!(
        message(4, -1),
        (
            "ValueError".into(),
            "cannot reshape array of size 6 into shape (4,newaxis)".into()
        )
    );
    assert_eq!(
        message(4, 2),
        (
            "ValueError".into(),
            "cannot reshape array of size 6 into shape (4,2)".into()
        )
    );
    assert_eq!(
        message(-1, -1),
        (
            "ValueError".into(),
            "can only specify one unknown dimension".into()
        )
    );

    // np.arange(n).reshape(2, -1): the view owns the only reference.
    let fb = Fb::new(&[("n", Type::I64)]);
    let range = filled(
        vec![fb.p(0)],
        vec![],
        cast(elem_index(0), Scalar::F64),
        f64c(1),
    );
    let r = ret(reshape(range, vec![int(2), int(-1)], f64c(2)));
    let w = compile(&[&fb.finish("t_view_reshape_temp", f64c(2), vec![r])]);
    let ((), allocated) = balanced(|| {
        let out = run::<ArrayOut<2>>(w, &[arg(&4i64)]).unwrap();
        assert_eq!(
            (out.shape, out.values::<f64>()),
            ([2, 2], vec![0.0, 1.0, 2.0, 3.0])
        );
        out.release();
        assert_eq!(
            exception(run::<ArrayOut<2>>(w, &[arg(&5i64)]).unwrap_err()).1,
            "cannot reshape array of size 5 into shape (2,newaxis)"
        );
    });
    assert_eq!(allocated, 2);
}

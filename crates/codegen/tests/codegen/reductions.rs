//! `Reduce`: every operation over all elements and along each axis of 2-D
//! arrays, compared bit for bit with NumPy's semantics written out here
//! (pairwise float sums included); NaNs, integers, bools, empty inputs,
//! strided sources, fused elementwise sources and complex means.

use oxjit_tir::oxjit_types::{Layout, Scalar, Type};
use oxjit_tir::{Expr, ExprKind, ReduceOp};

use crate::array_exprs::{add, mul};
use crate::support::*;

use ReduceOp::*;

const ALL_OPS: [ReduceOp; 11] = [
    Sum, Prod, Min, Max, Mean, Var, Std, ArgMin, ArgMax, All, Any,
];

/// NumPy's pairwise summation (numpy/_core/src/umath/loops_utils.h.src),
/// written independently of the runtime's.
fn pairwise(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 8 {
        let mut s = -0.0;
        for v in x {
            s += v;
        }
        s
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&x[..8]);
        let whole = n - n % 8;
        for block in x[8..whole].chunks(8) {
            for k in 0..8 {
                r[k] += block[k];
            }
        }
        let mut s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for v in &x[whole..] {
            s += v;
        }
        s
    } else {
        let half = n / 2 - (n / 2) % 8;
        pairwise(&x[..half]) + pairwise(&x[half..])
    }
}

/// NumPy's result of `op` over `group` (one output), with `pairwise` when
/// NumPy's inner loop runs along the group.
fn model(op: ReduceOp, group: &[f64], pairwise_sum: bool, ddof: i64) -> f64 {
    let n = group.len();
    let sum = |xs: &[f64]| {
        if pairwise_sum {
            0.0 + pairwise(xs)
        } else {
            xs.iter().fold(0.0, |a, x| a + x)
        }
    };
    let first_best = |better: fn(f64, f64) -> bool| {
        let mut best = 0;
        for i in 1..n {
            if !group[best].is_nan() && (better(group[i], group[best]) || group[i].is_nan()) {
                best = i;
            }
        }
        best as f64
    };
    match op {
        Sum => sum(group),
        Prod => group.iter().fold(1.0, |a, x| a * x),
        Min | Max => group[1..]
            .iter()
            .fold(group[0], |a, &x| ieee_extreme(a, x, op == Min)),
        Mean => sum(group) / n as f64,
        Var | Std => {
            let mean = sum(group) / n as f64;
            let sq: Vec<f64> = group.iter().map(|x| (x - mean) * (x - mean)).collect();
            let var = sum(&sq) / (n as i64 - ddof).max(0) as f64;
            if op == Std {
                var.sqrt()
            } else {
                var
            }
        }
        ArgMin => first_best(|x, b| x < b),
        ArgMax => first_best(|x, b| x > b),
        All => group.iter().all(|&x| x != 0.0) as u8 as f64,
        Any => group.iter().any(|&x| x != 0.0) as u8 as f64,
    }
}

/// The result scalar type of `op` over elements of `dtype`.
fn result_scalar(op: ReduceOp, dtype: Scalar) -> Scalar {
    match op {
        Sum | Prod if dtype.kind() <= oxjit_tir::oxjit_types::Kind::Int => Scalar::I64,
        Sum | Prod | Min | Max => dtype,
        Mean | Var | Std => Scalar::F64,
        ArgMin | ArgMax => Scalar::I64,
        All | Any => Scalar::Bool,
    }
}

fn reduction(op: ReduceOp, array: Expr, axis: Option<usize>, ddof: Option<Expr>) -> Expr {
    let dtype = array.ty.array().unwrap().dtype;
    let s = result_scalar(op, dtype);
    let ty = match axis {
        None => Type::Scalar(s),
        Some(_) => arr(s, array.ty.array().unwrap().ndim - 1, Layout::C),
    };
    e(
        ExprKind::Reduce {
            op,
            array: Box::new(array),
            axis,
            ddof: ddof.map(Box::new),
        },
        ty,
    )
}

/// Runs `w` and reads its result (a scalar or a 1-D array of `ty`) as f64s.
fn results(w: Wrapper, args: &[*const u8], ty: &Type) -> Result<Vec<f64>, i32> {
    Ok(match ty {
        Type::Scalar(Scalar::F64) => vec![run::<f64>(w, args)?],
        Type::Scalar(Scalar::I64) => vec![run::<i64>(w, args)? as f64],
        Type::Scalar(Scalar::I32) => vec![run::<i32>(w, args)? as f64],
        Type::Scalar(Scalar::Bool) => vec![run::<u8>(w, args)? as f64],
        Type::Array(a) => {
            let out = run::<ArrayOut<1>>(w, args)?;
            let v = match a.dtype {
                Scalar::F64 => out.values::<f64>(),
                Scalar::I64 => out.values::<i64>().into_iter().map(|x| x as f64).collect(),
                Scalar::I32 => out.values::<i32>().into_iter().map(|x| x as f64).collect(),
                Scalar::Bool => out.values::<u8>().into_iter().map(|x| x as f64).collect(),
                s => panic!("no reader for {s}"),
            };
            out.release();
            v
        }
        t => panic!("no reader for {t}"),
    })
}

/// Values spanning many magnitudes, so that summation orders differ.
fn wild(n: usize) -> Vec<f64> {
    const SCALE: [f64; 5] = [1e-8, 1e-4, 1.0, 1e4, 1e8];
    (0..n)
        .map(|i| (((i as u64 * 2654435761) % 1000003) as f64 - 500000.0) / 7.0 * SCALE[i % 5])
        .collect()
}

/// The groups (outputs) of reducing a `rows`×`cols` C array, and whether
/// NumPy sums each pairwise (its inner loop runs along the group).
fn groups(a: &[f64], rows: usize, cols: usize, axis: Option<usize>) -> (Vec<Vec<f64>>, bool) {
    match axis {
        None => (vec![a.to_vec()], true),
        Some(0) => (
            (0..cols)
                .map(|j| (0..rows).map(|i| a[i * cols + j]).collect())
                .collect(),
            false,
        ),
        _ => (
            (0..rows)
                .map(|i| a[i * cols..(i + 1) * cols].to_vec())
                .collect(),
            true,
        ),
    }
}

/// IEEE 754-2019 `minimum` (or `maximum`): NaN propagates, -0 < +0.
fn ieee_extreme(a: f64, x: f64, min: bool) -> f64 {
    if a.is_nan() || x.is_nan() {
        f64::NAN
    } else if a == x {
        // Equal: only zeros of either sign differ.
        if a.is_sign_negative() == min {
            a
        } else {
            x
        }
    } else if (a < x) == min {
        a
    } else {
        x
    }
}

fn check_all_ops(
    name: &str,
    dtype: Scalar,
    data: &[f64],
    rows: usize,
    cols: usize,
    encode: fn(&[f64]) -> Vec<u8>,
) {
    for op in ALL_OPS {
        for axis in [None, Some(0), Some(1)] {
            let fb = Fb::new(&[("a", arr(dtype, 2, Layout::C))]);
            let r = reduction(op, fb.p(0), axis, None);
            let ty = r.ty.clone();
            let f = fb.finish(
                &format!("t_red_{name}_{op:?}_{axis:?}").replace(['(', ')'], ""),
                ty.clone(),
                vec![ret(r)],
            );
            let w = compile(&[&f]);
            let mut bytes = encode(data);
            let a = array_arg(
                &mut bytes,
                &[rows as i64, cols as i64],
                &[(cols * dtype.size()) as i64, dtype.size() as i64],
            );
            let (gs, pw) = groups(data, rows, cols, axis);
            let mut want: Vec<f64> = gs.iter().map(|g| model(op, g, pw, 0)).collect();
            if dtype.is_int() && matches!(op, Sum | Prod | Min | Max) {
                // Integer results (the float model's -0.0 is 0).
                want.iter_mut().for_each(|x| *x = *x as i64 as f64);
            }
            let (got, _) = balanced(|| results(w, &[a.as_ptr().cast()], &ty).unwrap());
            let bits = |v: &[f64]| {
                v.iter()
                    .map(|x| if x.is_nan() { u64::MAX } else { x.to_bits() })
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                bits(&got),
                bits(&want),
                "{name} {op:?} axis {axis:?}: {got:?} vs {want:?}"
            );
        }
    }
}

/// Every reduction of a 5×37 float64 array (with a zero, so that `All`
/// is false somewhere).
#[test]
fn every_reduction_of_floats() {
    let mut data = wild(5 * 37);
    data[40] = 0.0;
    // The pairwise order matters for these values.
    assert_ne!(pairwise(&data), data.iter().fold(-0.0, |a, x| a + x));
    check_all_ops("f64", Scalar::F64, &data, 5, 37, |d| {
        d.iter().flat_map(|x| x.to_le_bytes()).collect()
    });
}

/// Every reduction of a 4×6 int32 array (sums and products in int64,
/// means in float64) and of a bool array.
#[test]
fn every_reduction_of_integers_and_bools() {
    let data: Vec<f64> = (0..24).map(|i| ((i * 7) % 11) as f64 - 4.0).collect();
    check_all_ops("i32", Scalar::I32, &data, 4, 6, |d| {
        d.iter().flat_map(|&x| (x as i32).to_le_bytes()).collect()
    });
    let bools: Vec<f64> = (0..12)
        .map(|i| (i % 3 != 0 || i == 6) as u8 as f64)
        .collect();
    for op in [Sum, All, Any, ArgMax, Min] {
        for axis in [None, Some(0), Some(1)] {
            let fb = Fb::new(&[("a", arr(Scalar::Bool, 2, Layout::C))]);
            let r = reduction(op, fb.p(0), axis, None);
            let ty = r.ty.clone();
            let f = fb.finish(
                &format!("t_red_bool_{op:?}_{}", axis.map_or(9, |a| a)),
                ty.clone(),
                vec![ret(r)],
            );
            let w = compile(&[&f]);
            let mut bytes: Vec<u8> = bools.iter().map(|&x| x as u8).collect();
            let a = c_array(&mut bytes, &[3, 4]);
            let (gs, _) = groups(&bools, 3, 4, axis);
            let want: Vec<f64> = gs.iter().map(|g| model(op, g, false, 0)).collect();
            let (got, _) = balanced(|| results(w, &[a.as_ptr().cast()], &ty).unwrap());
            assert_eq!(got, want, "bool {op:?} axis {axis:?}");
        }
    }
}

/// NaN propagates through min/max and wins argmin/argmax at its first
/// occurrence; equal zeros resolve as NumPy's do.
#[test]
fn nans_and_signed_zeros() {
    let nan = f64::NAN;
    let data = vec![3.0, nan, 1.0, nan, 0.0, -0.0, 2.0, 5.0, -0.0, 0.0, 4.0, 4.0];
    check_all_ops("nan", Scalar::F64, &data, 3, 4, |d| {
        d.iter().flat_map(|x| x.to_le_bytes()).collect()
    });
}

/// Ordering reductions of nothing raise NumPy's errors; an empty result
/// (no outputs) does not.
#[test]
fn empty_inputs() {
    let run_on = |op: ReduceOp, axis: Option<usize>, shape: [i64; 2]| {
        let fb = Fb::new(&[("a", f64c(2))]);
        let r = reduction(op, fb.p(0), axis, None);
        let ty = r.ty.clone();
        let sym = format!(
            "t_red_empty_{op:?}_{}_{}_{}",
            axis.map_or(9, |a| a),
            shape[0],
            shape[1]
        );
        let w = compile(&[&fb.finish(&sym, ty.clone(), vec![ret(r)])]);
        let mut data: Vec<f64> = vec![];
        let a = c_array(&mut data, &shape);
        balanced(|| results(w, &[a.as_ptr().cast()], &ty).map_err(|s| exception(s).1)).0
    };
    let no_identity = |op| {
        Err(format!(
            "zero-size array to reduction operation {op} which has no identity"
        ))
    };
    assert_eq!(run_on(Min, None, [0, 3]), no_identity("minimum"));
    assert_eq!(run_on(Max, Some(0), [0, 3]), no_identity("maximum"));
    assert_eq!(run_on(Max, Some(1), [0, 3]), Ok(vec![]));
    assert_eq!(
        run_on(ArgMin, None, [2, 0]),
        Err("attempt to get argmin of an empty sequence".into())
    );
    assert_eq!(
        run_on(ArgMax, Some(1), [2, 0]),
        Err("attempt to get argmax of an empty sequence".into())
    );
    assert_eq!(run_on(Sum, None, [0, 3]), Ok(vec![0.0]));
    assert_eq!(run_on(Prod, Some(1), [2, 0]), Ok(vec![1.0, 1.0]));
    let mean = run_on(Mean, None, [0, 3]).unwrap();
    assert!(mean[0].is_nan());
}

/// A transposed (layout A) source: summed in memory order over all
/// elements, and sequentially along its axis 1, whose stride is the
/// larger, as NumPy does; `ddof` divides by `n - ddof`.
#[test]
fn strided_sources_and_ddof() {
    let (rows, cols) = (6, 40);
    let mut data = wild(rows * cols);
    let a = c_array(&mut data, &[rows as i64, cols as i64]);
    let data = data.clone();
    let transposed = |fb: &Fb| {
        e(
            ExprKind::Transpose {
                array: Box::new(fb.p(0)),
                axes: vec![1, 0],
            },
            arr(Scalar::F64, 2, Layout::A),
        )
    };
    let compiled = |sym: &str, op, axis, ddof: Option<i64>| {
        let fb = Fb::new(&[("a", f64c(2))]);
        let r = reduction(op, transposed(&fb), axis, ddof.map(int));
        let ty = r.ty.clone();
        (compile(&[&fb.finish(sym, ty.clone(), vec![ret(r)])]), ty)
    };
    let get =
        |(w, ty): (Wrapper, Type)| balanced(|| results(w, &[a.as_ptr().cast()], &ty).unwrap()).0;
    // a.T.sum(): memory order is a's C order.
    assert_eq!(
        get(compiled("t_red_t_sum", Sum, None, None)),
        vec![0.0 + pairwise(&data)]
    );
    // a.T.sum(axis=0) gives a's row sums: that axis has the smaller
    // stride, NumPy's inner loop runs along it: pairwise.
    let want: Vec<f64> = (0..rows)
        .map(|i| 0.0 + pairwise(&data[i * cols..(i + 1) * cols]))
        .collect();
    assert_eq!(get(compiled("t_red_t_sum0", Sum, Some(0), None)), want);
    // a.T.sum(axis=1) gives a's column sums, added one row at a time.
    let want: Vec<f64> = (0..cols)
        .map(|j| (0..rows).fold(0.0, |s, i| s + data[i * cols + j]))
        .collect();
    assert_eq!(get(compiled("t_red_t_sum1", Sum, Some(1), None)), want);
    for ddof in [1, 300] {
        let got = get(compiled(
            &format!("t_red_t_var{ddof}"),
            Var,
            None,
            Some(ddof),
        ));
        let want = model(Var, &data, true, ddof);
        assert_eq!(got[0].to_bits(), want.to_bits(), "ddof {ddof}");
    }
}

/// Reductions of an elementwise expression: order-insensitive ones run in
/// the loop without a temporary; a float sum evaluates the array first
/// (so that it sums pairwise, as NumPy does).
#[test]
fn reductions_of_expressions() {
    let mut data = wild(50);
    let a = c_array(&mut data, &[50]);
    let data = data.clone();
    let square = |fb: &Fb| {
        elementwise(
            vec![fb.p(0)],
            mul(input(0, Scalar::F64), input(0, Scalar::F64)),
            f64c(1),
        )
    };
    let squares: Vec<f64> = data.iter().map(|x| x * x).collect();
    for (op, want) in [
        (Max, model(Max, &squares, true, 0)),
        (Sum, 0.0 + pairwise(&squares)),
        (ArgMin, model(ArgMin, &squares, true, 0)),
    ] {
        let fb = Fb::new(&[("a", f64c(1))]);
        let r = reduction(op, square(&fb), None, None);
        let ty = r.ty.clone();
        let w = compile(&[&fb.finish(&format!("t_red_expr_{op:?}"), ty.clone(), vec![ret(r)])]);
        let (got, allocated) = balanced(|| results(w, &[a.as_ptr().cast()], &ty).unwrap());
        assert_eq!(got[0].to_bits(), want.to_bits(), "{op:?}");
        assert_eq!(allocated, usize::from(op == Sum), "{op:?} temporaries");
    }
    // An integer sum along an axis, fused: (i + 10 j) summed over j.
    let fb = Fb::new(&[]);
    let body = add(elem_index(0), mul(elem_index(1), int(10)));
    let grid = filled(
        vec![int(3), int(4)],
        vec![],
        body,
        arr(Scalar::I64, 2, Layout::C),
    );
    let r = reduction(Sum, grid, Some(1), None);
    let ty = r.ty.clone();
    let w = compile(&[&fb.finish("t_red_expr_grid", ty.clone(), vec![ret(r)])]);
    let (got, allocated) = balanced(|| results(w, &[], &ty).unwrap());
    assert_eq!(
        (got, allocated),
        (vec![60.0, 64.0, 68.0], 1),
        "one allocation: the result"
    );
}

/// Complex sums and means: NumPy's complex pairwise sum, and a mean that
/// scales by `1 / n`.
#[test]
fn complex_sum_and_mean() {
    let n = 70;
    let (re, im) = (wild(n), wild(n + 1));
    let mut data: Vec<[f64; 2]> = (0..n).map(|i| [re[i], im[i + 1]]).collect();
    let a = c_array(&mut data, &[n as i64]);
    let mut got = Vec::new();
    for op in [Sum, Mean] {
        let fb = Fb::new(&[("a", arr(Scalar::C128, 1, Layout::C))]);
        let r = e(
            ExprKind::Reduce {
                op,
                array: Box::new(fb.p(0)),
                axis: None,
                ddof: None,
            },
            Type::Scalar(Scalar::C128),
        );
        let w = compile(&[&fb.finish(
            &format!("t_red_complex_{op:?}"),
            Type::Scalar(Scalar::C128),
            vec![ret(r)],
        )]);
        got.push(run::<[f64; 2]>(w, &[a.as_ptr().cast()]).unwrap());
    }
    // The complex pairwise loop counts floats: 140 > 128, split at 64 (32 values).
    let block = |xs: &[[f64; 2]]| -> [f64; 2] {
        let mut r = [xs[0], xs[1], xs[2], xs[3]];
        let whole = xs.len() - xs.len() % 4;
        for chunk in xs[4..whole].chunks(4) {
            for k in 0..4 {
                r[k] = [r[k][0] + chunk[k][0], r[k][1] + chunk[k][1]];
            }
        }
        let mut s = [
            (r[0][0] + r[1][0]) + (r[2][0] + r[3][0]),
            (r[0][1] + r[1][1]) + (r[2][1] + r[3][1]),
        ];
        for x in &xs[whole..] {
            s = [s[0] + x[0], s[1] + x[1]];
        }
        s
    };
    let (lo, hi) = (block(&data[..32]), block(&data[32..]));
    let sum = [0.0 + (lo[0] + hi[0]), 0.0 + (lo[1] + hi[1])];
    assert_eq!(got[0], sum);
    let scale = 1.0 / n as f64;
    assert_eq!(got[1], [sum[0] * scale, sum[1] * scale]);

    // Along an axis: rows of 3 (summed inline, from -0) and of 35 (by the runtime).
    for (rows, cols) in [(2usize, 3usize), (2, 35)] {
        let fb = Fb::new(&[("a", arr(Scalar::C128, 2, Layout::C))]);
        let ty = arr(Scalar::C128, 1, Layout::C);
        let r = e(
            ExprKind::Reduce {
                op: Sum,
                array: Box::new(fb.p(0)),
                axis: Some(1),
                ddof: None,
            },
            ty.clone(),
        );
        let w = compile(&[&fb.finish(&format!("t_red_complex_rows{cols}"), ty, vec![ret(r)])]);
        let mut values: Vec<[f64; 2]> = data[..rows * cols].to_vec();
        let a = c_array(&mut values, &[rows as i64, cols as i64]);
        let (got, _) = balanced(|| {
            let out = run::<ArrayOut<1>>(w, &[a.as_ptr().cast()]).unwrap();
            let v = out.values::<[f64; 2]>();
            out.release();
            v
        });
        for (i, row) in data[..rows * cols].chunks(cols).enumerate() {
            let want = if cols < 4 {
                let s = row
                    .iter()
                    .fold([-0.0, -0.0], |s, x| [s[0] + x[0], s[1] + x[1]]);
                [0.0 + s[0], 0.0 + s[1]]
            } else {
                // 70 floats: one unrolled block.
                let s = block(row);
                [0.0 + s[0], 0.0 + s[1]]
            };
            assert_eq!(got[i], want, "{rows}x{cols} row {i}");
        }
    }
}

/// With `fastmath`, a float sum may be reassociated (and vectorised).
#[test]
fn fastmath_sums_are_close() {
    let fb = Fb::new(&[("a", f64c(1))]);
    let r = reduction(Sum, fb.p(0), None, None);
    let mut f = fb.finish("t_red_fastmath", Type::F64, vec![ret(r)]);
    f.flags.fastmath = oxjit_tir::FastMath::ALL;
    let (w, ir) = compile_ir(&[&f]);
    assert!(
        ir.contains("<4 x double>") || ir.contains("<8 x double>"),
        "not vectorised:\n{ir}"
    );
    assert!(!ir.contains("oxjit_rt_sum_pairwise"));
    let mut data: Vec<f64> = (0..1000).map(|i| i as f64 * 0.5).collect();
    let a = c_array(&mut data, &[1000]);
    assert_eq!(run::<f64>(w, &[a.as_ptr().cast()]), Ok(249750.0));
}

/// Bit patterns NumPy 2.4 prints for `wild(420).reshape(12, 35)`:
/// `a.mean()`, `a.var()`, `a.var(ddof=1)`, `a.std()` and
/// `a.sum(axis=1)[:3]`.
#[test]
fn matches_numpy_bits() {
    let mut data = wild(12 * 35);
    let a = c_array(&mut data, &[12, 35]);
    let scalar = |op, ddof: Option<i64>| {
        let fb = Fb::new(&[("a", f64c(2))]);
        let r = reduction(op, fb.p(0), None, ddof.map(int));
        let w = compile(&[&fb.finish(
            &format!("t_red_numpy_{op:?}_{ddof:?}").replace(['(', ')'], ""),
            Type::F64,
            vec![ret(r)],
        )]);
        run::<f64>(w, &[a.as_ptr().cast()]).unwrap().to_bits()
    };
    assert_eq!(scalar(Mean, None), 4765897188901039160);
    assert_eq!(scalar(Var, None), 4973973294858685084);
    assert_eq!(scalar(Var, Some(1)), 4973988814920425008);
    assert_eq!(scalar(Std, None), 4790476102177332785);
    let fb = Fb::new(&[("a", f64c(2))]);
    let r = reduction(Sum, fb.p(0), Some(1), None);
    let w = compile(&[&fb.finish("t_red_numpy_rows", f64c(1), vec![ret(r)])]);
    let ((), _) = balanced(|| {
        let out = run::<ArrayOut<1>>(w, &[a.as_ptr().cast()]).unwrap();
        let bits: Vec<u64> = out.values::<f64>()[..3]
            .iter()
            .map(|x| x.to_bits())
            .collect();
        assert_eq!(
            bits,
            [
                4797639715159855298,
                4793399288516266975,
                4777733540866384750
            ]
        );
        out.release();
    });
}

use std::time::Instant;

use crate::testing::{array, balanced, call, message, scalar, strided, vector, Arg, Dt, Ty};
use oxjit_runtime::arrayfns::*;

fn dot<T: Dt>(a: &Arg, b: &Arg, ndim: u8) -> (Vec<i64>, Vec<T>) {
    call(
        oxjit_rt_af_dot,
        &[a, b, &scalar(0i64)],
        Ty::array(T::CODE, ndim, 0),
    )
    .unwrap()
    .array::<T>()
}

#[test]
fn small_products_match_numpy() {
    balanced(|| {
        let a = array(&(0..6).map(|v| v as f64 / 4.0).collect::<Vec<_>>(), &[2, 3]);
        let b = array(
            &(0..12).map(|v| v as f64 - 5.0).collect::<Vec<_>>(),
            &[3, 4],
        );
        assert_eq!(
            dot::<f64>(&a, &b, 2),
            (vec![2, 4], vec![1.25, 2.0, 2.75, 3.5, -1.0, 2.0, 5.0, 8.0])
        );
        assert_eq!(
            dot::<f64>(&a, &vector(&[1.0, -2.0, 0.5]), 1),
            (vec![2], vec![-0.25, -0.625])
        );
        assert_eq!(
            dot::<f64>(&vector(&[1.0, -2.0]), &a, 1),
            (vec![3], vec![-1.5, -1.75, -2.0])
        );
        let vv = call(
            oxjit_rt_af_dot,
            &[
                &vector(&[1.5, 2.0, -3.0]),
                &vector(&[2.0, 0.25, 1.0]),
                &scalar(0i64),
            ],
            Ty::scalar(b'd'),
        )
        .unwrap();
        assert_eq!(vv.scalar::<f64>(), 0.5);

        let c = |re, im| Complex::<f64> { re, im };
        let z = array(
            &[c(1.0, 2.0), c(3.0, -1.0), c(0.0, 0.5), c(2.0, 0.0)],
            &[2, 2],
        );
        let w = array(
            &[c(2.0, -1.0), c(0.0, 1.0), c(1.0, 0.0), c(1.0, 1.0)],
            &[2, 2],
        );
        assert_eq!(
            dot::<Complex<f64>>(&z, &w, 2).1,
            [c(7.0, 2.0), c(2.0, 3.0), c(2.5, 1.0), c(1.5, 2.0)]
        );
        let c32 = |re, im| Complex::<f32> { re, im };
        let cv = call(
            oxjit_rt_af_dot,
            &[
                &vector(&[c32(1.0, 1.0), c32(2.0, -1.0)]),
                &vector(&[c32(0.0, 3.0), c32(1.0, 2.0)]),
                &scalar(0i64),
            ],
            Ty::scalar(b'F'),
        )
        .unwrap();
        assert_eq!(cv.scalar::<Complex<f32>>(), c32(1.0, 6.0));

        let i = array(&(0..6i64).collect::<Vec<_>>(), &[2, 3]);
        let j = array(&(0..6i64).collect::<Vec<_>>(), &[3, 2]);
        assert_eq!(dot::<i64>(&i, &j, 2).1, [10, 13, 28, 40]);
    });
}

#[test]
fn shape_errors_use_numpy_messages() {
    balanced(|| {
        let m = |shape: &[i64]| array(&vec![1.0f64; shape.iter().product::<i64>() as usize], shape);
        for (a, b, msg) in [
            (
                m(&[2, 3]),
                m(&[4]),
                "shapes (2,3) and (4,) not aligned: 3 (dim 1) != 4 (dim 0)",
            ),
            (
                m(&[3]),
                m(&[4]),
                "shapes (3,) and (4,) not aligned: 3 (dim 0) != 4 (dim 0)",
            ),
            (
                m(&[3]),
                m(&[4, 5]),
                "shapes (3,) and (4,5) not aligned: 3 (dim 0) != 4 (dim 0)",
            ),
            (
                m(&[2, 3]),
                m(&[4, 5]),
                "shapes (2,3) and (4,5) not aligned: 3 (dim 1) != 4 (dim 0)",
            ),
        ] {
            let ndim = a.ty.ndim() + b.ty.ndim() - 2;
            let e = call(
                oxjit_rt_af_dot,
                &[&a, &b, &scalar(0i64)],
                Ty::array(b'd', ndim as u8, 0),
            )
            .err()
            .unwrap();
            assert_eq!(message(e), format!("ValueError: {msg}"));
        }
        assert_eq!(
            dot::<f64>(&m(&[2, 0]), &m(&[0, 3]), 2),
            (vec![2, 3], vec![0.0; 6])
        );
    });
}

/// Deterministic values in [-1, 1).
fn values(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

/// A `rows × cols` operand holding `v` (row-major) in one of several
/// layouts: C order, Fortran order, or every other element of a wider
/// C array.
fn operand<T: Dt>(v: &[T], rows: usize, cols: usize, layout: usize) -> Arg {
    let (r, c) = (rows as i64, cols as i64);
    match layout {
        0 => array(v, &[r, c]),
        1 => {
            let f: Vec<T> = (0..rows * cols)
                .map(|k| v[(k % rows) * cols + k / rows])
                .collect();
            strided(&f, &[r, c], &[1, r], 0)
        }
        _ => {
            let wide: Vec<T> = (0..rows * cols * 2)
                .map(|k| if k % 2 == 0 { v[k / 2] } else { T::ZERO })
                .collect();
            strided(&wide, &[r, c], &[2 * c, 2], 0)
        }
    }
}

#[test]
fn blocked_products_match_the_definition() {
    balanced(|| {
        // Edges in every direction, several KC blocks (k > 256), several
        // MC blocks (m > 72), several NC blocks (n > 4080) and a product
        // big enough to be split across threads.
        for (m, k, n) in [
            (1, 1, 1),
            (7, 13, 29),
            (37, 300, 41),
            (300, 5, 10),
            (3, 4, 4200),
            (150, 170, 190),
        ] {
            let (av, bv) = (values(m * k, 1), values(k * n, 2));
            let want: Vec<f64> = (0..m * n)
                .map(|ij| {
                    (0..k)
                        .map(|p| av[ij / n * k + p] * bv[p * n + ij % n])
                        .sum()
                })
                .collect();
            let scale: Vec<f64> = (0..m * n)
                .map(|ij| {
                    (0..k)
                        .map(|p| (av[ij / n * k + p] * bv[p * n + ij % n]).abs())
                        .sum()
                })
                .collect();
            for layout in 0..3 {
                let (shape, got) = dot::<f64>(
                    &operand(&av, m, k, layout),
                    &operand(&bv, k, n, 2 - layout),
                    2,
                );
                assert_eq!(shape, [m as i64, n as i64]);
                for ij in 0..m * n {
                    assert!(
                        (got[ij] - want[ij]).abs() <= 1e-14 * scale[ij],
                        "{m}x{k}x{n} layout {layout} at {ij}: {} vs {}",
                        got[ij],
                        want[ij]
                    );
                }
                let (a32, b32): (Vec<f32>, Vec<f32>) = (
                    av.iter().map(|&v| v as f32).collect(),
                    bv.iter().map(|&v| v as f32).collect(),
                );
                let (_, got) = dot::<f32>(
                    &operand(&a32, m, k, layout),
                    &operand(&b32, k, n, layout),
                    2,
                );
                for ij in 0..m * n {
                    assert!(
                        (got[ij] as f64 - want[ij]).abs() <= 1e-5 * scale[ij] + 1e-6,
                        "f32 {m}x{k}x{n} at {ij}"
                    );
                }
            }
            // Matrix-vector products in both orientations.
            let x = values(k, 3);
            let (_, got) = dot::<f64>(
                &operand(&av, m, k, 1),
                &strided(
                    &x.iter().flat_map(|&v| [v, 0.0]).collect::<Vec<_>>(),
                    &[k as i64],
                    &[2],
                    0,
                ),
                1,
            );
            for i in 0..m {
                let want: f64 = (0..k).map(|p| av[i * k + p] * x[p]).sum();
                assert!((got[i] - want).abs() <= 1e-13 * k as f64);
            }
            let y = values(m, 4);
            for layout in 0..2 {
                let (_, got) = dot::<f64>(&vector(&y), &operand(&av, m, k, layout), 1);
                for p in 0..k {
                    let want: f64 = (0..m).map(|i| y[i] * av[i * k + p]).sum();
                    assert!((got[p] - want).abs() <= 1e-13 * m as f64);
                }
            }
        }
    });
}

/// Prints the throughput of 200×200 products, best of 5 batches as
/// `timeit` reports it (meaningful in a release build:
/// `cargo test --release -p oxjit-runtime dot_200 -- --nocapture`).
#[test]
fn dot_200_throughput() {
    fn time<T: Dt>(name: &str, v: impl Fn(f64) -> T) {
        let n = 200;
        let operand = |seed| {
            array(
                &values(n * n, seed).into_iter().map(&v).collect::<Vec<_>>(),
                &[200, 200],
            )
        };
        let (a, b) = (operand(5), operand(6));
        balanced(|| {
            let best = (0..5)
                .map(|_| {
                    // Batches of at least 0.1 s (one call in a debug build).
                    let (start, mut calls) = (Instant::now(), 0);
                    while calls == 0 || start.elapsed().as_secs_f64() < 0.1 {
                        // The call alone: the result is released unread.
                        call(
                            oxjit_rt_af_dot,
                            &[&a, &b, &scalar(0i64)],
                            Ty::array(T::CODE, 2, 0),
                        )
                        .unwrap()
                        .release();
                        calls += 1;
                    }
                    start.elapsed().as_secs_f64() / calls as f64
                })
                .fold(f64::INFINITY, f64::min);
            eprintln!(
                "dot 200x200 {name}: {:.1} us, {:.1} GFLOP/s",
                best * 1e6,
                2.0 * (n * n * n) as f64 / best / 1e9
            );
        });
    }
    time("float64", |v| v);
    time("float32", |v| v as f32);
}

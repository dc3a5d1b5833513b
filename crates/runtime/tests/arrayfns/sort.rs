use crate::testing::{balanced, call, message, strided, vector, Dt, Ty};
use oxjit_runtime::arrayfns::*;

fn sorted<T: Dt>(a: &crate::testing::Arg) -> Vec<T> {
    call(oxjit_rt_af_sort, &[a], a.ty.clone())
        .unwrap()
        .array::<T>()
        .1
}

/// Floats compared with NaN equal to NaN.
fn same(got: &[f64], want: &[f64]) -> bool {
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| g == w || (g.is_nan() && w.is_nan()))
}

#[test]
fn sorts_like_numpy() {
    let nan = f64::NAN;
    balanced(|| {
        let a = vector(&[
            3.5,
            nan,
            -f64::INFINITY,
            2.0,
            nan,
            1e300,
            -7.25,
            f64::INFINITY,
            0.5,
        ]);
        assert!(same(
            &sorted::<f64>(&a),
            &[
                -f64::INFINITY,
                -7.25,
                0.5,
                2.0,
                3.5,
                1e300,
                f64::INFINITY,
                nan,
                nan
            ]
        ));

        let c = |re, im| Complex { re, im };
        let z = vector(&[
            c(3.0, 1.0),
            c(nan, 0.0),
            c(1.0, nan),
            c(1.0, 0.0),
            c(nan, nan),
            c(1.0, -1.0),
            c(0.0, 0.0),
            c(nan, -2.0),
            c(-1.0, nan),
        ]);
        let got: Vec<f64> = sorted::<Complex<f64>>(&z)
            .iter()
            .flat_map(|v| [v.re, v.im])
            .collect();
        // np.sort of the same values.
        let want = [
            0.0, 0.0, 1.0, -1.0, 1.0, 0.0, 3.0, 1.0, -1.0, nan, 1.0, nan, nan, -2.0, nan, 0.0, nan,
            nan,
        ];
        assert!(same(&got, &want), "{got:?}");

        assert_eq!(
            sorted::<Bool>(&vector(&[Bool(1), Bool(0), Bool(1), Bool(0)])),
            [Bool(0), Bool(0), Bool(1), Bool(1)]
        );
        assert_eq!(sorted::<u8>(&vector(&[200u8, 3, 255, 0])), [0, 3, 200, 255]);
        let f: Vec<f32> = sorted(&vector(&[0.1f32, f32::NAN, -0.2, 3e38]));
        assert_eq!(&f[..3], [-0.2, 0.1, 3e38]);
        assert!(f[3].is_nan());
    });
}

#[test]
fn sorts_rows_of_a_strided_array() {
    balanced(|| {
        // m.T for m = [[3, -2, 1, 0], [7, -6, 5, -4], [11, -10, 9, -8]].
        let m = strided(
            &[3i64, -2, 1, 0, 7, -6, 5, -4, 11, -10, 9, -8],
            &[4, 3],
            &[1, 4],
            0,
        );
        let (shape, got) = call(oxjit_rt_af_sort, &[&m], Ty::array(b'q', 2, 0))
            .unwrap()
            .array::<i64>();
        assert_eq!(shape, [4, 3]);
        assert_eq!(got, [3, 7, 11, -10, -6, -2, 1, 5, 9, -8, -4, 0]);
    });
}

#[test]
fn argsort_is_stable_with_nans_last() {
    balanced(|| {
        let order = |a: &crate::testing::Arg| {
            call(oxjit_rt_af_argsort, &[a], Ty::array(b'q', 1, 0))
                .unwrap()
                .array::<i64>()
                .1
        };
        // np.argsort(x, kind="stable").
        assert_eq!(
            order(&vector(&[3i16, 1, 2, 1, 3, 0, 2, 1])),
            [5, 1, 3, 7, 2, 6, 0, 4]
        );
        assert_eq!(
            order(&vector(&[f64::NAN, 1.0, f64::NAN, -1.0, 1.0])),
            [3, 1, 4, 0, 2]
        );
        // Every other element of [5, 9, 4, 9, 3, 9, 4]: [5, 4, 3, 4].
        assert_eq!(
            order(&strided(&[5u32, 9, 4, 9, 3, 9, 4], &[4], &[2], 0)),
            [2, 1, 3, 0]
        );
        assert!(order(&vector::<f64>(&[])).is_empty());
    });
}

#[test]
fn zero_d_sort_is_an_axis_error() {
    balanced(|| {
        let a = crate::testing::array(&[1.0f64], &[]);
        let e = call(oxjit_rt_af_sort, &[&a], a.ty.clone()).err().unwrap();
        assert_eq!(
            message(e),
            "numpy.exceptions.AxisError: axis -1 is out of bounds for array of dimension 0"
        );
    });
}

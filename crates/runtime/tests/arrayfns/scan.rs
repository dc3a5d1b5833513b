use crate::testing::{array, balanced, call, message, scalar, strided, vector, Arg, Dt, Ty};
use oxjit_runtime::arrayfns::*;

fn scan<T: Dt>(f: oxjit_runtime::abi::ArrayFn, args: &[&Arg], ndim: u8) -> (Vec<i64>, Vec<T>) {
    call(f, args, Ty::array(T::CODE, ndim, 0))
        .unwrap()
        .array::<T>()
}

#[test]
fn accumulator_dtypes_follow_sum() {
    balanced(|| {
        let b = vector(&[Bool(1), Bool(0), Bool(1)]);
        assert_eq!(scan::<i64>(oxjit_rt_af_cumsum, &[&b], 1).1, [1, 1, 2]);
        let i8s = vector(&[100i8, 100, 100, -128]);
        assert_eq!(
            scan::<i64>(oxjit_rt_af_cumsum, &[&i8s], 1).1,
            [100, 200, 300, 172]
        );
        assert_eq!(
            scan::<i64>(oxjit_rt_af_cumprod, &[&i8s], 1).1,
            [100, 10000, 1000000, -128000000]
        );
        let u8s = vector(&[200u8, 200, 255]);
        assert_eq!(
            scan::<u64>(oxjit_rt_af_cumsum, &[&u8s], 1).1,
            [200, 400, 655]
        );
        assert_eq!(
            scan::<u64>(oxjit_rt_af_cumprod, &[&u8s], 1).1,
            [200, 40000, 10200000]
        );
        // int64 products wrap.
        let big = vector(&[1i64 << 62, 3, -5]);
        assert_eq!(
            scan::<i64>(oxjit_rt_af_cumprod, &[&big], 1).1,
            [1 << 62, -(1 << 62), 1 << 62]
        );
        let f = vector(&[0.1f32, 0.2, 0.3, 1e8, -1e8, 0.7]);
        // NumPy's float32 results: accumulated in float32, 0.6 is lost in
        // 1e8 (float64 accumulation would end at 1.3).
        let want: [f32; 6] = [0.1, 0.3, 0.6, 100000000.0, 0.0, 0.7];
        assert_eq!(scan::<f32>(oxjit_rt_af_cumsum, &[&f], 1).1, want);
        let c = |re, im| Complex::<f32> { re, im };
        let z = vector(&[c(1.0, 2.0), c(0.5, -1.0), c(0.0, 3.0), c(2.0, 0.0)]);
        assert_eq!(
            scan::<Complex<f32>>(oxjit_rt_af_cumprod, &[&z], 1).1,
            [c(1.0, 2.0), c(2.5, 0.0), c(0.0, 7.5), c(0.0, 15.0)]
        );
    });
}

#[test]
fn along_an_axis_and_flattened() {
    // m = np.arange(1, 13.).reshape(3, 4) / 7; exact NumPy results.
    let m: Vec<f64> = (1..=12).map(|v| v as f64 / 7.0).collect();
    balanced(|| {
        let a = array(&m, &[3, 4]);
        let (shape, got) = scan::<f64>(oxjit_rt_af_cumsum, &[&a, &scalar(0i64)], 2);
        assert_eq!(shape, [3, 4]);
        assert_eq!(
            got,
            [
                0.14285714285714285,
                0.2857142857142857,
                0.42857142857142855,
                0.5714285714285714,
                0.8571428571428572,
                1.1428571428571428,
                1.4285714285714286,
                1.7142857142857142,
                2.1428571428571432,
                2.571428571428571,
                3.0,
                3.4285714285714284
            ]
        );
        let (_, got) = scan::<f64>(oxjit_rt_af_cumprod, &[&a, &scalar(-1i64)], 2);
        assert_eq!(
            got,
            [
                0.14285714285714285,
                0.04081632653061224,
                0.017492711370262388,
                0.009995835068721363,
                0.7142857142857143,
                0.6122448979591837,
                0.6122448979591837,
                0.6997084548104956,
                1.2857142857142858,
                1.8367346938775513,
                2.8862973760932946,
                4.947938359017076
            ]
        );
        // np.cumsum(m.T): the transposed view flattened in C order.
        let t = strided(&m, &[4, 3], &[1, 4], 0);
        let (shape, got) = scan::<f64>(oxjit_rt_af_cumsum, &[&t], 1);
        assert_eq!(shape, [12]);
        assert_eq!(
            got,
            [
                0.14285714285714285,
                0.8571428571428572,
                2.1428571428571432,
                2.428571428571429,
                3.285714285714286,
                4.714285714285714,
                5.142857142857143,
                6.142857142857143,
                7.714285714285714,
                8.285714285714286,
                9.428571428571429,
                11.142857142857142
            ]
        );
        let e = call(
            oxjit_rt_af_cumsum,
            &[&a, &scalar(2i64)],
            Ty::array(b'd', 2, 0),
        )
        .err()
        .unwrap();
        assert_eq!(
            message(e),
            "numpy.exceptions.AxisError: axis 2 is out of bounds for array of dimension 2"
        );
        let empty = array::<f64>(&[], &[0, 3]);
        assert_eq!(
            scan::<f64>(oxjit_rt_af_cumsum, &[&empty, &scalar(1i64)], 2).0,
            [0, 3]
        );
    });
}

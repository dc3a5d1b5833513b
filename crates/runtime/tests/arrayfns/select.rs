use crate::testing::{array, balanced, call, message, scalar, strided, vector, Arg, Ty};
use oxjit_abi::desc::tag;
use oxjit_runtime::arrayfns::*;

const NONE: &[u64] = &[tag::NONE];

fn bools(v: &[bool]) -> Vec<Bool> {
    v.iter().map(|&b| Bool(b as u8)).collect()
}

/// `np.arange(24.).reshape(4, 6)[::2, 1::2]` = [[1, 3, 5], [13, 15, 17]].
fn view() -> Arg {
    strided(
        &(0..24).map(f64::from).collect::<Vec<_>>(),
        &[2, 3],
        &[12, 2],
        1,
    )
}

#[test]
fn nonzero_gives_c_order_indices() {
    balanced(|| {
        // b.T for b = zeros((3, 4)) with b[0,1] = 5, b[2,0] = -1, b[2,3] = 7, b[1,2] = 1.
        let mut b = vec![0i32; 12];
        for (i, j, v) in [(0, 1, 5), (2, 0, -1), (2, 3, 7), (1, 2, 1)] {
            b[i * 4 + j] = v;
        }
        let t = strided(&b, &[4, 3], &[1, 4], 0);
        let got = call(oxjit_rt_af_nonzero, &[&t], Ty::tuple_of_arrays(b'q', 1, 2))
            .unwrap()
            .arrays::<i64>();
        assert_eq!(
            got,
            [(vec![4], vec![0, 1, 2, 3]), (vec![4], vec![2, 0, 1, 2])]
        );

        let z = vector(&[
            Complex::<f32>::ZERO,
            Complex { re: 0.0, im: 1.0 },
            Complex::ZERO,
            Complex {
                re: f32::NAN,
                im: 0.0,
            },
        ]);
        let got = call(oxjit_rt_af_nonzero, &[&z], Ty::tuple_of_arrays(b'q', 1, 1))
            .unwrap()
            .arrays::<i64>();
        assert_eq!(got, [(vec![2], vec![1, 3])]);

        let none = vector(&bools(&[false; 5]));
        let got = call(
            oxjit_rt_af_nonzero,
            &[&none],
            Ty::tuple_of_arrays(b'q', 1, 1),
        )
        .unwrap()
        .arrays::<i64>();
        assert_eq!(got, [(vec![0], vec![])]);

        let e = call(
            oxjit_rt_af_nonzero,
            &[&array(&[1.0f64], &[])],
            Ty::tuple_of_arrays(b'q', 1, 0),
        )
        .err()
        .unwrap();
        assert_eq!(message(e), "ValueError: Calling nonzero on 0d arrays is not allowed. Use np.atleast_1d(scalar).nonzero() instead.");
    });
}

#[test]
fn compress_and_mask_assign() {
    balanced(|| {
        let a = view();
        let mask = array(&bools(&[true, false, true, true, false, true]), &[2, 3]);
        let (shape, got) = call(oxjit_rt_af_compress, &[&a, &mask], Ty::array(b'd', 1, 0))
            .unwrap()
            .array::<f64>();
        assert_eq!((shape, got), (vec![4], vec![1.0, 5.0, 13.0, 17.0]));

        call(
            oxjit_rt_af_mask_assign,
            &[&a, &mask, &vector(&[-1.0f64, -2.0, -3.0, -4.0])],
            NONE,
        )
        .unwrap();
        assert_eq!(a.elements::<f64>(), [-1.0, 3.0, -2.0, -3.0, 15.0, -4.0]);
        call(oxjit_rt_af_mask_assign, &[&a, &mask, &scalar(0.5f64)], NONE).unwrap();
        assert_eq!(a.elements::<f64>(), [0.5, 3.0, 0.5, 0.5, 15.0, 0.5]);
        // A one-element array broadcasts.
        call(
            oxjit_rt_af_mask_assign,
            &[&a, &mask, &vector(&[9.0f64])],
            NONE,
        )
        .unwrap();
        assert_eq!(a.elements::<f64>(), [9.0, 3.0, 9.0, 9.0, 15.0, 9.0]);

        let e = call(
            oxjit_rt_af_mask_assign,
            &[&a, &mask, &vector(&[1.0f64, 2.0, 3.0])],
            NONE,
        )
        .err()
        .unwrap();
        assert_eq!(
            message(e),
            "ValueError: NumPy boolean array indexing assignment cannot assign 3 input values to the 4 output values where the mask is true"
        );
        assert_eq!(
            a.elements::<f64>(),
            [9.0, 3.0, 9.0, 9.0, 15.0, 9.0],
            "unchanged after the error"
        );
    });
}

#[test]
fn mask_assign_reads_an_overlapping_value_first() {
    balanced(|| {
        // a[mask] = a[::-1] where the mask selects everything.
        let a = vector(&[1i64, 2, 3, 4]);
        let reversed = a.alias::<i64>(&[4], &[-1], 3);
        call(
            oxjit_rt_af_mask_assign,
            &[&a, &vector(&bools(&[true; 4])), &reversed],
            NONE,
        )
        .unwrap();
        assert_eq!(a.elements::<i64>(), [4, 3, 2, 1]);
    });
}

#[test]
fn take_along_axis_0() {
    balanced(|| {
        let x = array(&(0..12i16).collect::<Vec<_>>(), &[4, 3]);
        let idx = vector(&[3i32, -1, 0, -4]);
        let (shape, got) = call(oxjit_rt_af_take, &[&x, &idx], Ty::array(b'h', 2, 0))
            .unwrap()
            .array::<i16>();
        assert_eq!(shape, [4, 3]);
        assert_eq!(got, [9, 10, 11, 9, 10, 11, 0, 1, 2, 0, 1, 2]);

        let (shape, got) = call(
            oxjit_rt_af_take,
            &[&view(), &vector(&[1i64])],
            Ty::array(b'd', 2, 0),
        )
        .unwrap()
        .array::<f64>();
        assert_eq!((shape, got), (vec![1, 3], vec![13.0, 15.0, 17.0]));

        let v = vector(&[10u8, 20, 30, 40, 50]);
        for (bad, msg) in [
            (
                vec![1i64, 7, -9],
                "index 7 is out of bounds for axis 0 with size 5",
            ),
            (vec![-6], "index -6 is out of bounds for axis 0 with size 5"),
        ] {
            let e = call(
                oxjit_rt_af_take,
                &[&v, &vector(&bad)],
                Ty::array(b'B', 1, 0),
            )
            .err()
            .unwrap();
            assert_eq!(message(e), format!("IndexError: {msg}"));
        }
    });
}

#[test]
fn take_assign_along_axis_0() {
    balanced(|| {
        let v = vector(&(0..6u8).collect::<Vec<_>>());
        call(
            oxjit_rt_af_take_assign,
            &[&v, &vector(&[4i64, -1, 0]), &vector(&[40u8, 50, 60])],
            NONE,
        )
        .unwrap();
        assert_eq!(v.elements::<u8>(), [60, 1, 2, 3, 40, 50]);
        call(
            oxjit_rt_af_take_assign,
            &[&v, &vector(&[1i64, 2]), &scalar(7u8)],
            NONE,
        )
        .unwrap();
        assert_eq!(v.elements::<u8>(), [60, 7, 7, 3, 40, 50]);

        // The value's shape is checked before the indices.
        let e = call(
            oxjit_rt_af_take_assign,
            &[&v, &vector(&[1i64, 9]), &vector(&[1u8, 2, 3])],
            NONE,
        )
        .err()
        .unwrap();
        assert_eq!(message(e), "ValueError: shape mismatch: value array of shape (3,) could not be broadcast to indexing result of shape (2,)");
        let e = call(
            oxjit_rt_af_take_assign,
            &[&v, &vector(&[1i64, 6]), &vector(&[1u8, 2])],
            NONE,
        )
        .err()
        .unwrap();
        assert_eq!(
            message(e),
            "IndexError: index 6 is out of bounds for axis 0 with size 6"
        );
        assert_eq!(
            v.elements::<u8>(),
            [60, 7, 7, 3, 40, 50],
            "unchanged after errors"
        );
    });
}

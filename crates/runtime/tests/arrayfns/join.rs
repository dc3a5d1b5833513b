use crate::testing::{array, balanced, call, message, scalar, strided, tuple, vector, Arg, Ty};
use oxjit_runtime::arrayfns::*;

/// a = arange(6).reshape(2, 3), b = arange(10, 14).reshape(2, 2),
/// c = arange(20, 26).reshape(3, 2).T (strided).
fn abc() -> (Arg, Arg, Arg) {
    (
        array(&(0..6i64).collect::<Vec<_>>(), &[2, 3]),
        array(&(10..14i64).collect::<Vec<_>>(), &[2, 2]),
        strided(&(20..26i64).collect::<Vec<_>>(), &[2, 3], &[1, 2], 0),
    )
}

fn join(
    f: oxjit_runtime::abi::ArrayFn,
    items: Vec<Arg>,
    axis: i64,
    ndim: u8,
) -> std::result::Result<(Vec<i64>, Vec<i64>), String> {
    call(f, &[&tuple(items), &scalar(axis)], Ty::array(b'q', ndim, 0))
        .map(|o| o.array::<i64>())
        .map_err(message)
}

#[test]
fn concatenate_like_numpy() {
    balanced(|| {
        let (a, b, c) = abc();
        // Fresh views of a and c, as the tuples take their items.
        let a = || a.alias::<i64>(&[2, 3], &[3, 1], 0);
        let c = || c.alias::<i64>(&[2, 3], &[1, 2], 0);
        assert_eq!(
            join(oxjit_rt_af_concatenate, vec![a(), b], 1, 2),
            Ok((vec![2, 5], vec![0, 1, 2, 10, 11, 3, 4, 5, 12, 13]))
        );
        assert_eq!(
            join(oxjit_rt_af_concatenate, vec![a(), c()], 0, 2),
            Ok((vec![4, 3], vec![0, 1, 2, 3, 4, 5, 20, 22, 24, 21, 23, 25]))
        );
        assert_eq!(
            join(oxjit_rt_af_concatenate, vec![a(), c(), a()], -1, 2),
            Ok((
                vec![2, 9],
                vec![0, 1, 2, 20, 22, 24, 0, 1, 2, 3, 4, 5, 21, 23, 25, 3, 4, 5]
            ))
        );
        let three =
            |shape: &[i64]| array(&vec![1i64; shape.iter().product::<i64>() as usize], shape);
        assert_eq!(
            join(oxjit_rt_af_concatenate, vec![three(&[2, 3]), three(&[2, 3]), three(&[3, 4])], 1, 2),
            Err("ValueError: all the input array dimensions except for the concatenation axis must match exactly, but along dimension 0, the array at index 0 has size 2 and the array at index 2 has size 3".into())
        );
        assert_eq!(
            join(oxjit_rt_af_concatenate, vec![three(&[2, 3])], 2, 2),
            Err(
                "numpy.exceptions.AxisError: axis 2 is out of bounds for array of dimension 2"
                    .into()
            )
        );
        assert_eq!(
            join(oxjit_rt_af_concatenate, vec![three(&[2, 3])], -3, 2),
            Err(
                "numpy.exceptions.AxisError: axis -3 is out of bounds for array of dimension 2"
                    .into()
            )
        );
        assert_eq!(
            join(oxjit_rt_af_concatenate, vec![three(&[]), three(&[])], 0, 1),
            Err("ValueError: zero-dimensional arrays cannot be concatenated".into())
        );
        let empty = Arg::empty_tuple(Ty::tuple_of_arrays(b'q', 1, 0));
        let e = call(
            oxjit_rt_af_concatenate,
            &[&empty, &scalar(0i64)],
            Ty::array(b'q', 1, 0),
        )
        .err()
        .unwrap();
        assert_eq!(
            message(e),
            "ValueError: need at least one array to concatenate"
        );
    });
}

#[test]
fn stack_like_numpy() {
    balanced(|| {
        let (a, b, c) = abc();
        let pair = || {
            vec![
                a.alias::<i64>(&[2, 3], &[3, 1], 0),
                c.alias::<i64>(&[2, 3], &[1, 2], 0),
            ]
        };
        assert_eq!(
            join(oxjit_rt_af_stack, pair(), 0, 3),
            Ok((
                vec![2, 2, 3],
                vec![0, 1, 2, 3, 4, 5, 20, 22, 24, 21, 23, 25]
            ))
        );
        assert_eq!(
            join(oxjit_rt_af_stack, pair(), 1, 3),
            Ok((
                vec![2, 2, 3],
                vec![0, 1, 2, 20, 22, 24, 3, 4, 5, 21, 23, 25]
            ))
        );
        assert_eq!(
            join(oxjit_rt_af_stack, pair(), -1, 3),
            Ok((
                vec![2, 3, 2],
                vec![0, 20, 1, 22, 2, 24, 3, 21, 4, 23, 5, 25]
            ))
        );
        assert_eq!(
            join(oxjit_rt_af_stack, pair(), 3, 3),
            Err(
                "numpy.exceptions.AxisError: axis 3 is out of bounds for array of dimension 3"
                    .into()
            )
        );
        assert_eq!(
            join(oxjit_rt_af_stack, vec![b, c], 0, 3),
            Err("ValueError: all input arrays must have the same shape".into())
        );
        let empty = Arg::empty_tuple(Ty::tuple_of_arrays(b'q', 1, 0));
        let e = call(
            oxjit_rt_af_stack,
            &[&empty, &scalar(0i64)],
            Ty::array(b'q', 2, 0),
        )
        .err()
        .unwrap();
        assert_eq!(message(e), "ValueError: need at least one array to stack");
    });
}

#[test]
fn roll_flattened() {
    balanced(|| {
        let roll = |a: &Arg, shift: i64| {
            call(oxjit_rt_af_roll, &[a, &scalar(shift)], a.ty.clone())
                .unwrap()
                .array::<i64>()
        };
        let m: Vec<i64> = (0..6).collect();
        assert_eq!(
            roll(&array(&m, &[2, 3]), 4),
            (vec![2, 3], vec![2, 3, 4, 5, 0, 1])
        );
        assert_eq!(
            roll(&strided(&m, &[3, 2], &[1, 3], 0), -7),
            (vec![3, 2], vec![3, 1, 4, 2, 5, 0])
        );
        assert_eq!(
            roll(&vector(&[0i64, 1, 2, 3, 4]), 1_000_000_000_003),
            (vec![5], vec![2, 3, 4, 0, 1])
        );
        assert_eq!(roll(&vector::<i64>(&[]), 3), (vec![0], vec![]));
    });
}

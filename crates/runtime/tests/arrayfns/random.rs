use crate::testing::{array, balanced, call, message, scalar, vector, Out, Ty};
use oxjit_abi::desc::tag;
use oxjit_runtime::arrayfns::*;

const F64: &[u64] = &[tag::SCALAR, b'd' as u64];
const I64: &[u64] = &[tag::SCALAR, b'q' as u64];
const NONE: &[u64] = &[tag::NONE];

fn seed(s: i64) {
    call(oxjit_rt_af_random_seed, &[&scalar(s)], NONE).unwrap();
}

/// A 1-d draw of `n` values from `f` with leading arguments `pre`.
fn draws<T: crate::testing::Dt>(
    f: oxjit_runtime::abi::ArrayFn,
    pre: &[crate::testing::Arg],
    n: i64,
) -> Vec<T> {
    let extent = scalar(n);
    let mut args: Vec<_> = pre.iter().collect();
    args.push(&extent);
    call(f, &args, Ty::array(T::CODE, 1, 0))
        .unwrap()
        .array::<T>()
        .1
}

fn sample() -> f64 {
    call(oxjit_rt_af_random_sample, &[], F64).unwrap().scalar()
}

#[test]
fn sample_matches_numpy_legacy_stream() {
    // np.random.seed(s); s = np.random.random_sample(1000): s[[0, 1, 2,
    // 311, 312, 313, 999]] and sum(s.tolist()); 312 doubles use one
    // state block, so 312 and 999 cross regenerations.
    let cases: [(i64, [f64; 7], f64); 5] = [
        (
            0,
            [
                0.5488135039273248,
                0.7151893663724195,
                0.6027633760716439,
                0.14694664540037505,
                0.07952208258675575,
                0.08960303423860538,
                0.6771411441114241,
            ],
            495.92153437178285,
        ),
        (
            1,
            [
                0.417022004702574,
                0.7203244934421581,
                0.00011437481734488664,
                0.9096355249515571,
                0.2571182937821962,
                0.1108913007440292,
                0.7744772660150796,
            ],
            500.604599455905,
        ),
        (
            42,
            [
                0.3745401188473625,
                0.9507143064099162,
                0.7319939418114051,
                0.07845638134226596,
                0.02535074341545751,
                0.9626484146779251,
                0.44600577295795574,
            ],
            490.25655332013355,
        ),
        (
            12345,
            [
                0.9296160928171479,
                0.3163755545817859,
                0.18391881167709445,
                0.6821773028712336,
                0.9213919700550424,
                0.14492434399428422,
                0.30860519994571,
            ],
            504.62759757774256,
        ),
        (
            4294967295,
            [
                0.0976320289940138,
                0.9123828453026218,
                0.78903530185164,
                0.2845819535787153,
                0.89887815082878,
                0.220919050074051,
                0.556626859384112,
            ],
            502.24816798263714,
        ),
    ];
    balanced(|| {
        for (s, picks, sum) in cases {
            seed(s);
            let v: Vec<f64> = draws(oxjit_rt_af_random_sample, &[], 1000);
            let got: Vec<f64> = [0, 1, 2, 311, 312, 313, 999]
                .iter()
                .map(|&i| v[i])
                .collect();
            assert_eq!(got, picks, "seed {s}");
            assert_eq!(v.iter().fold(0.0, |a, b| a + b), sum, "seed {s}");
            // A scalar draw continues the same stream.
            seed(s);
            assert_eq!(sample(), picks[0]);
        }
    });
}

#[test]
fn normal_matches_legacy_gauss_with_cache() {
    // np.random.seed(s); np.random.standard_normal(7), then one more
    // (the cached second value of the fourth pair).
    let cases: [(i64, [f64; 8]); 3] = [
        (
            0,
            [
                1.764052345967664,
                0.4001572083672233,
                0.9787379841057392,
                2.240893199201458,
                1.8675579901499675,
                -0.977277879876411,
                0.9500884175255894,
                -0.1513572082976979,
            ],
        ),
        (
            42,
            [
                0.4967141530112327,
                -0.13826430117118466,
                0.6476885381006925,
                1.5230298564080254,
                -0.23415337472333597,
                -0.23413695694918055,
                1.5792128155073915,
                0.7674347291529088,
            ],
        ),
        (
            7,
            [
                1.690525703800356,
                -0.4659373705408328,
                0.0328201636785844,
                0.40751628299650783,
                -0.7889230286257386,
                0.00206557290594813,
                -0.0008903858579313628,
                -1.7547243063454208,
            ],
        ),
    ];
    balanced(|| {
        for (s, want) in cases {
            seed(s);
            let mut got: Vec<f64> = draws(oxjit_rt_af_random_normal, &[], 7);
            got.push(call(oxjit_rt_af_random_normal, &[], F64).unwrap().scalar());
            assert_eq!(got, want, "seed {s}");
        }
        // Seeding drops the cached value.
        seed(1);
        call(oxjit_rt_af_random_normal, &[], F64).unwrap();
        seed(1);
        assert_eq!(
            call(oxjit_rt_af_random_normal, &[], F64)
                .unwrap()
                .scalar::<f64>(),
            1.6243453636632417
        );
    });
}

#[test]
fn uniform_matches_numpy() {
    balanced(|| {
        seed(5);
        let got: Vec<f64> = draws(
            oxjit_rt_af_random_uniform,
            &[scalar(-2.0f64), scalar(3.5f64)],
            4,
        );
        assert_eq!(
            got,
            [
                -0.7790375590064329,
                2.7890276839755703,
                -0.8630446456331546,
                3.052359993658569
            ]
        );
        let e = call(
            oxjit_rt_af_random_uniform,
            &[&scalar(-1e308f64), &scalar(1e308f64)],
            F64,
        )
        .err()
        .unwrap();
        assert_eq!(message(e), "OverflowError: Range exceeds valid bounds");
    });
}

#[test]
fn randint_matches_legacy_masked_rejection() {
    // np.random.seed(s); np.random.randint(lo, hi, size=6), then
    // random_sample() to check the stream position. Ranges cover the
    // 32-bit path, exactly 2**32 values, the 64-bit path, the full
    // int64 range and a single value (no draws).
    #[rustfmt::skip]
    let cases: &[(i64, i64, i64, [i64; 6], f64)] = &[
        (0, 0, 10, [5, 0, 3, 3, 7, 9], 0.6235636967859723),
        (0, -5, 5, [0, -5, -2, -2, 2, 4], 0.6235636967859723),
        (0, 0, 4294967296, [2357136044, 2546248239, 3071714933, 3626093760, 2588848963, 3684848379], 0.5448831829968969),
        (0, 0, 4294967297, [2546248239, 1277901399, 243580376, 1171049868, 2051556033, 3488238119], 0.5288949197529045),
        (0, i64::MIN, i64::MAX, [900450186894289455, 3969543146641149120, 1895649597198586619, 827948490035658087, -1408320422220276013, 2691271404617651954], 0.4375872112626925),
        (0, 0, 1, [0, 0, 0, 0, 0, 0], 0.5488135039273248),
        (0, 10, 1099511627776, [741280623161, 506137267402, 291447657221, 841157541233, 41332891357, 91845220092], 0.4375872112626925),
        (0, -1000, 7, [-316, -441, -371, -808, -165, -237], 0.5448831829968969),
        (3, 0, 10, [8, 9, 3, 8, 8, 0], 0.5693113274346809),
        (3, 0, 4294967297, [303761048, 521102280, 2445173525, 80522091, 1064672149, 2984244884], 0.029876210878566956),
        (3, i64::MIN, i64::MAX, [937055941807507096, 3839649608876091011, -3857126681373350968, 199733986212078357, 7248591967756700307, 7310317230188440427], 0.12558531046383625),
        (3, 10, 1099511627776, [455570294434, 1073054410381, 790795084754, 2445173535, 1088503892637, 867663915893], 0.12558531046383625),
        (99, 0, 4294967296, [2887414401, 3103284259, 2096280761, 3573189800, 3545474761, 3152774888], 0.031446387626298145),
        (99, 0, 4294967297, [3010810948, 2481315619, 1176364395, 2751362263, 2120063168, 1446426024], 0.9289483920955792),
        (99, i64::MIN, i64::MAX, [3177978388542938147, -219914721552593752, 6004326113586415336, -8643288588295515068, 5682518831843309492, 1210427620499618711], 0.29762249870394397),
        (99, -1000, 7, [-359, -965, -815, -832, -287, -256], 0.031446387626298145),
    ];
    balanced(|| {
        for &(s, lo, hi, want, after) in cases {
            seed(s);
            let got: Vec<i64> = draws(oxjit_rt_af_random_int, &[scalar(lo), scalar(hi)], 6);
            assert_eq!(got, want, "seed {s} randint({lo}, {hi})");
            assert_eq!(sample(), after, "seed {s} randint({lo}, {hi})");
        }
        seed(11);
        let one = |lo: i64, hi: i64| {
            call(oxjit_rt_af_random_int, &[&scalar(lo), &scalar(hi)], I64)
                .map(|o| o.scalar::<i64>())
        };
        assert_eq!(one(3, 17), Ok(12));
        assert_eq!(one(-(1 << 62), 1 << 62), Ok(-3351647071596948400));
        assert_eq!(
            one(5, 5).map_err(message),
            Err("ValueError: low >= high".into())
        );
        // An empty result is returned before the bounds are checked.
        let empty: Vec<i64> = draws(oxjit_rt_af_random_int, &[scalar(5i64), scalar(3i64)], 0);
        assert!(empty.is_empty());
    });
}

#[test]
fn shuffle_matches_numpy() {
    balanced(|| {
        for (s, want, after) in [
            (0, [2, 8, 4, 9, 1, 6, 7, 3, 0, 5], 0.4375872112626925),
            (42, [8, 1, 5, 0, 7, 2, 9, 4, 3, 6], 0.15599452033620265),
        ] {
            seed(s);
            let a = vector(&(0..10i64).collect::<Vec<_>>());
            call(oxjit_rt_af_random_shuffle, &[&a], NONE).unwrap();
            assert_eq!(a.elements::<i64>(), want, "seed {s}");
            assert_eq!(sample(), after);
        }
        // Rows of a 2-d array (np.random.seed(1); shuffle(arange(12).reshape(4, 3))).
        seed(1);
        let b = array(&(0..12i32).collect::<Vec<_>>(), &[4, 3]);
        call(oxjit_rt_af_random_shuffle, &[&b], NONE).unwrap();
        assert_eq!(b.elements::<i32>(), [9, 10, 11, 6, 7, 8, 0, 1, 2, 3, 4, 5]);
    });
}

#[test]
fn errors() {
    balanced(|| {
        for bad in [-1i64, 1 << 32] {
            let e = call(oxjit_rt_af_random_seed, &[&scalar(bad)], NONE)
                .err()
                .unwrap();
            assert_eq!(
                message(e),
                "ValueError: Seed must be between 0 and 2**32 - 1"
            );
        }
        let e = call(
            oxjit_rt_af_random_sample,
            &[&scalar(-1i64)],
            Ty::array(b'd', 1, 0),
        )
        .err()
        .unwrap();
        assert_eq!(
            message(e),
            "ValueError: negative dimensions are not allowed"
        );
        let two_d: Out = call(
            oxjit_rt_af_random_sample,
            &[&scalar(2i64), &scalar(3i64)],
            Ty::array(b'd', 2, 0),
        )
        .unwrap();
        assert_eq!(two_d.array::<f64>().0, [2, 3]);
    });
}

#[test]
fn long_streams_match_numpy() {
    // Sums over 1000 draws (exact float sums in order, integer sums mod
    // 2**64) and the last draw, from the same calls in NumPy.
    balanced(|| {
        for (s, sum, last) in [
            (3, 17.319014244327423, 0.03468126349311669),
            (2024, 25.387657215165348, 1.3915110091876546),
        ] {
            seed(s);
            let v: Vec<f64> = draws(oxjit_rt_af_random_normal, &[], 1001);
            assert_eq!(
                (v.iter().fold(0.0, |a, b| a + b), v[1000]),
                (sum, last),
                "normal seed {s}"
            );
        }
        for (s, lo, hi, sum, last) in [
            (5, 0i64, 7i64, 3055u64, 1i64),
            (6, -3, 1 << 33, 4354237830785, 648898997),
            (
                7,
                -(1 << 40),
                1 << 62,
                1614366863165165796,
                1592906958015525823,
            ),
            (8, 0, (1 << 31) + 1, 1099762323371, 1159939003),
        ] {
            seed(s);
            let v: Vec<i64> = draws(oxjit_rt_af_random_int, &[scalar(lo), scalar(hi)], 1000);
            let total = v.iter().fold(0u64, |a, &b| a.wrapping_add(b as u64));
            assert_eq!(
                (total, v[999]),
                (sum, last),
                "randint seed {s} [{lo}, {hi})"
            );
        }
        seed(9);
        let a = vector(&(0..1000i64).collect::<Vec<_>>());
        call(oxjit_rt_af_random_shuffle, &[&a], NONE).unwrap();
        let v = a.elements::<i64>();
        assert_eq!(&v[..5], [2, 879, 57, 496, 611]);
        assert_eq!(
            v.iter()
                .enumerate()
                .map(|(i, &x)| i as i64 * x)
                .sum::<i64>(),
            251142790
        );
        seed(10);
        let u: Vec<f64> = draws(
            oxjit_rt_af_random_uniform,
            &[scalar(-1e3f64), scalar(5.0f64)],
            1000,
        );
        assert_eq!(u.iter().fold(0.0, |a, b| a + b), -505534.7513925598);
    });
}

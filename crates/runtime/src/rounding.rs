//! Python's exactly rounded integer operations on floats.
//!
//! `round(x, ndigits)` with CPython's exact semantics: the result is the
//! double nearest to the decimal obtained by rounding the *exact* value of
//! `x` half-to-even at `ndigits` decimal places (CPython does this with
//! `dtoa`; here with Rust's exact formatting and parsing).

/// Digits in the exact decimal expansion of any finite double's fraction.
const EXACT_FRACTION_DIGITS: usize = 1100;

/// `round(x, ndigits)` for a float.
#[no_mangle]
pub extern "C" fn oxjit_rt_round_float(x: f64, ndigits: i64) -> f64 {
    if !x.is_finite() || x == 0.0 || ndigits > 330 {
        return x;
    }
    if ndigits < -330 {
        return 0.0 * x;
    }
    let exact = format!("{:.*}", EXACT_FRACTION_DIGITS, x.abs());
    let (int_part, frac) = exact
        .split_once('.')
        .expect("fixed-point format has a point");
    let digits: Vec<u8> = int_part
        .bytes()
        .chain(frac.bytes())
        .map(|c| c - b'0')
        .collect();
    let keep = int_part.len() as i64 + ndigits;
    if keep < 0 {
        return 0.0 * x;
    }
    let keep = keep as usize;
    let (kept, rest) = digits.split_at(keep.min(digits.len()));
    let round_up = match rest.split_first() {
        None => false,
        Some((&first, tail)) => {
            let odd = kept.last().is_some_and(|d| d % 2 == 1);
            first > 5 || (first == 5 && (tail.iter().any(|&d| d != 0) || odd))
        }
    };
    let mut mantissa: Vec<u8> = if kept.is_empty() {
        vec![0]
    } else {
        kept.to_vec()
    };
    if round_up {
        let mut i = mantissa.len();
        loop {
            if i == 0 {
                mantissa.insert(0, 1);
                break;
            }
            i -= 1;
            if mantissa[i] == 9 {
                mantissa[i] = 0;
            } else {
                mantissa[i] += 1;
                break;
            }
        }
    }
    let text: String = mantissa.iter().map(|d| (d + b'0') as char).collect();
    let y: f64 = format!("{text}e{}", -ndigits)
        .parse()
        .expect("digits and an exponent parse");
    y.copysign(x)
}

/// `round(n, ndigits)` for an integer: half to even at `10**-ndigits`.
#[no_mangle]
pub extern "C" fn oxjit_rt_round_int(n: i64, ndigits: i64) -> i64 {
    if ndigits >= 0 {
        return n;
    }
    if ndigits < -19 {
        return 0;
    }
    let p = 10i128.pow((-ndigits) as u32);
    let n = n as i128;
    let (q, r) = (n.div_euclid(p), n.rem_euclid(p));
    let q = if 2 * r > p || (2 * r == p && q % 2 != 0) {
        q + 1
    } else {
        q
    };
    (q * p) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_round_like_cpython() {
        // Expected values from CPython 3.11's round().
        let cases = [
            (0.125, 2, 0.12),
            (0.375, 2, 0.38),
            (2.675, 2, 2.67),
            (2.5, 0, 2.0),
            (3.5, 0, 4.0),
            (-2.5, 0, -2.0),
            (1234.5678, -2, 1200.0),
            (1250.0, -2, 1200.0),
            (1350.0, -2, 1400.0),
            (0.5, 0, 0.0),
            (9.995, 2, 9.99),
            (99.5, -3, 0.0),
            (1e300, 2, 1e300),
            (5e-324, 400, 5e-324),
        ];
        for (x, n, want) in cases {
            assert_eq!(oxjit_rt_round_float(x, n), want, "round({x}, {n})");
        }
        assert!(oxjit_rt_round_float(-0.4, 0).is_sign_negative());
    }

    #[test]
    fn ints_round_half_even() {
        let cases = [
            (1250, -2, 1200),
            (1350, -2, 1400),
            (-1250, -2, -1200),
            (-1251, -2, -1300),
            (7, 0, 7),
            (5, -1, 0),
            (15, -1, 20),
            (123, -5, 0),
        ];
        for (n, d, want) in cases {
            assert_eq!(oxjit_rt_round_int(n, d), want, "round({n}, {d})");
        }
    }
}

/// Python's `a / b` for ints: the double nearest to the exact quotient
/// (converting each operand to double first would round twice).
#[no_mangle]
pub extern "C" fn oxjit_rt_int_truediv(a: i64, b: i64) -> f64 {
    if b == 0 {
        return a as f64 / 0.0;
    }
    let negative = (a < 0) != (b < 0);
    let (ua, ub) = (a.unsigned_abs() as u128, b.unsigned_abs() as u128);
    if ua == 0 {
        return if negative { -0.0 } else { 0.0 };
    }
    // Put the dividend's top bit at bit 127: the quotient then has at least
    // 63 significant bits, so OR-ing the remainder into bit 0 (a sticky bit
    // below the rounding position) makes the one rounding to double exact.
    let shift = ua.leading_zeros();
    let n = ua << shift;
    let (q, r) = (n / ub, n % ub);
    let q = q | (r != 0) as u128;
    let x = q as f64 * 2f64.powi(-(shift as i32));
    if negative {
        -x
    } else {
        x
    }
}

#[cfg(test)]
mod truediv_tests {
    use super::oxjit_rt_int_truediv;

    #[test]
    fn int_division_is_correctly_rounded() {
        // Expected values from CPython 3.11.
        assert_eq!(
            oxjit_rt_int_truediv(1, 9_999_999_999_999_999),
            1.0000000000000001e-16
        );
        assert_eq!(oxjit_rt_int_truediv(i64::MAX, 3), 3.0744573456182584e18);
        assert_eq!(oxjit_rt_int_truediv(-7, 2), -3.5);
        assert_eq!(oxjit_rt_int_truediv(i64::MIN, -1), 9.223372036854776e18);
        assert_eq!(
            oxjit_rt_int_truediv(9_007_199_254_740_993, 1),
            9007199254740992.0
        );
        assert!(oxjit_rt_int_truediv(0, -5).is_sign_negative());
    }
}

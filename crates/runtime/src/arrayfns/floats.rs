//! Floats as Python writes them: CPython's `PyOS_double_to_string`, which
//! `repr`, `str`, `format` and `%` share. The digits come from Rust's
//! formatting, which is correctly rounded (ties to even, like David Gay's
//! `dtoa` that CPython uses) and gives the shortest round-trip digits
//! when no precision is asked; the layout around them is CPython's
//! `format_float_short`, step by step.

use super::strs::text_buffer;
use super::Result;

/// The options of `PyOS_double_to_string` (its `Py_DTSF_*` flags).
#[derive(Clone, Copy, Default)]
pub(crate) struct Flags {
    /// A `+` before non-negative numbers.
    pub sign: bool,
    /// `.0` after an integral number written without exponent (`repr`).
    pub add_dot_0: bool,
    /// The `#` form: always a decimal point, `g` keeps trailing zeros.
    pub alt: bool,
    /// The `z` option: a negative number that rounds to zero loses its sign.
    pub no_neg_0: bool,
}

/// The exact value of a double has at most 767 significant digits and
/// 1074 after the point: asking Rust for more only adds zeros, which the
/// layout pads with itself.
const MAX_SIGNIFICANT: usize = 800;
const MAX_FRACTION: usize = 1100;

/// `v` (finite, not negative) as `0.DIGITS × 10^decpt`, trailing zeros
/// dropped, as `_Py_dg_dtoa` returns it in `mode` (the shortest digits
/// are an `f32`'s when `single`).
fn digits(v: f64, mode: Mode, single: bool) -> (Vec<u8>, i64) {
    if v == 0.0 {
        return (vec![b'0'], 1);
    }
    let text = match mode {
        Mode::Shortest => return shortest(v, single),
        Mode::Significant(n) => format!("{:.*e}", n.clamp(1, MAX_SIGNIFICANT) - 1, v),
        Mode::Fixed(n) => format!("{:.*}", n.min(MAX_FRACTION), v),
    };
    // `d.ddde±x`, or `ddd.ddd` for fixed.
    let (mantissa, decpt) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i64>().unwrap_or(0) + 1),
        None => (text.as_str(), text.find('.').unwrap_or(text.len()) as i64),
    };
    let mut d: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let lead = d.iter().take_while(|&&b| b == b'0').count();
    d.drain(..lead);
    while d.last() == Some(&b'0') {
        d.pop();
    }
    (d, decpt - lead as i64)
}

/// The shortest digits that read back as `v` (not zero; as an `f32`
/// when `single`). When two candidates are equally near the value —
/// 412494.125 reads back as a float32 from 412494.12 and 412494.13, and
/// doubles have such ties too — `dtoa` and NumPy's Dragon4 take the even
/// last digit, Rust's formatting not always.
fn shortest(v: f64, single: bool) -> (Vec<u8>, i64) {
    let text = if single {
        format!("{:e}", v as f32)
    } else {
        format!("{v:e}")
    };
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let digits_of = |m: &str| m.bytes().filter(u8::is_ascii_digit).collect::<Vec<u8>>();
    let (shortest, decpt) = (digits_of(mantissa), exp.parse::<i64>().unwrap_or(0) + 1);
    let n = shortest.len();
    // A tie: the value is exactly halfway, one digit further on. Looked
    // for in a few more digits first, then (rarely) in the exact value.
    let halfway = |(d, at): &(Vec<u8>, i64)| *at == decpt && d.len() == n + 1 && d[n] == b'5';
    if !halfway(&digits(v, Mode::Significant(n + 8), false)) {
        return (shortest, decpt);
    }
    let exact = digits(v, Mode::Significant(MAX_SIGNIFICANT), false);
    if !halfway(&exact) {
        return (shortest, decpt);
    }
    let mut even = exact.0[..n].to_vec();
    match even[n - 1] {
        // Rounding up would carry: the shorter form would have been found.
        b'9' => return (shortest, decpt),
        d if d % 2 == 1 => even[n - 1] = d + 1,
        _ => {}
    }
    // At a power of two the neighbours are not equally far: the even
    // candidate may read back as the value below.
    let text = format!("0.{}e{decpt}", String::from_utf8_lossy(&even));
    let back = if single {
        text.parse::<f32>().map(f64::from).ok()
    } else {
        text.parse::<f64>().ok()
    };
    if back != Some(if single { v as f32 as f64 } else { v }) {
        return (shortest, decpt);
    }
    (even, decpt)
}

/// `_Py_dg_dtoa`'s modes.
#[derive(Clone, Copy)]
enum Mode {
    /// 0: the shortest digits that read back.
    Shortest,
    /// 2: this many significant digits.
    Significant(usize),
    /// 3: this many digits after the point.
    Fixed(usize),
}

/// CPython's `PyOS_double_to_string(v, code, precision, flags)`: `code`
/// one of `eEfFgG` or `r` (repr: shortest digits, precision unused);
/// `single` makes `r` NumPy's float32 repr: an `f32`'s shortest digits,
/// positional only from 1e-4 to 1e6.
/// `MemoryError` when a huge precision asks for more than there is.
pub(crate) fn double_to_string(
    v: f64,
    code: u8,
    precision: usize,
    flags: Flags,
    single: bool,
) -> Result<String> {
    let upper = code.is_ascii_uppercase();
    let code = code.to_ascii_lowercase();
    // A NaN's sign is never shown.
    let negative = v.is_sign_negative() && !v.is_nan();
    let sign = |dropped: bool| match () {
        _ if negative && !dropped => "-",
        _ if flags.sign => "+",
        _ => "",
    };
    if !v.is_finite() {
        let word = if v.is_nan() { "nan" } else { "inf" };
        let word = if upper {
            word.to_ascii_uppercase()
        } else {
            word.into()
        };
        return Ok(format!("{}{word}", sign(false)));
    }
    let (mode, precision) = match code {
        b'e' => (Mode::Significant(precision + 1), precision + 1),
        b'f' => (Mode::Fixed(precision), precision),
        b'g' => (Mode::Significant(precision.max(1)), precision.max(1)),
        _ => (Mode::Shortest, 0),
    };
    let (digits, mut decpt) = digits(v.abs(), mode, single);
    let n = digits.len() as i64;
    let p = precision as i64;
    let mut end = n;
    let mut use_exp = false;
    match code {
        b'e' => {
            use_exp = true;
            end = p;
        }
        b'f' => end = decpt + p,
        b'g' => {
            use_exp = decpt <= -4 || decpt > if flags.add_dot_0 { p - 1 } else { p };
            if flags.alt {
                end = p;
            }
        }
        // NumPy writes a float32 positionally in [1e-4, 1e6) only.
        _ if single => use_exp = v != 0.0 && !(1e-4..1e6).contains(&v.abs()),
        // Exponent form from 1e16: a 17-digit repr padded with zeros would
        // look more precise than it is.
        _ => use_exp = decpt <= -4 || decpt > 16,
    }
    let mut exp = 0;
    if use_exp {
        exp = decpt - 1;
        decpt = 1;
    }
    // The output is the slice [start, end) of the digits padded with
    // zeros on both sides, the point after position `decpt`.
    let start = if decpt <= 0 { decpt - 1 } else { 0 };
    end = if !use_exp && flags.add_dot_0 {
        end.max(decpt + 1)
    } else {
        end.max(decpt)
    };
    let mut out = text_buffer((end - start) as usize + 8)?;
    let zero = digits.is_empty() || digits == b"0";
    out.push_str(sign(flags.no_neg_0 && zero));
    let zeros = |out: &mut String, k: i64| out.extend(std::iter::repeat_n('0', k.max(0) as usize));
    let text = |d: &[u8]| d.iter().map(|&b| b as char).collect::<String>();
    if decpt <= 0 {
        zeros(&mut out, decpt - start);
        out.push('.');
        zeros(&mut out, -decpt);
    } else {
        zeros(&mut out, -start);
    }
    if 0 < decpt && decpt <= n {
        out.push_str(&text(&digits[..decpt as usize]));
        out.push('.');
        out.push_str(&text(&digits[decpt as usize..]));
    } else {
        out.push_str(&text(&digits));
    }
    if n < decpt {
        zeros(&mut out, decpt - n);
        out.push('.');
        zeros(&mut out, end - decpt);
    } else {
        zeros(&mut out, end - n);
    }
    if out.ends_with('.') && !flags.alt {
        out.pop();
    }
    if use_exp {
        out.push(if upper { 'E' } else { 'e' });
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
    }
    Ok(out)
}

/// `repr(v)`: the shortest digits that read back, `.0` when integral.
pub(crate) fn float_repr(v: f64, single: bool) -> Result<String> {
    let flags = Flags {
        add_dot_0: true,
        ..Flags::default()
    };
    double_to_string(v, b'r', 0, flags, single)
}

/// `repr(complex(re, im))`: the parts without `.0`, the real part left
/// out when it is `+0.0`.
pub(crate) fn complex_repr(re: f64, im: f64, single: bool) -> Result<String> {
    let part = |v, sign| {
        let flags = Flags {
            sign,
            ..Flags::default()
        };
        double_to_string(v, b'r', 0, flags, single)
    };
    Ok(if re == 0.0 && re.is_sign_positive() {
        format!("{}j", part(im, false)?)
    } else {
        format!("({}{}j)", part(re, false)?, part(im, true)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reprs_are_pythons() {
        // A tie at a power of two, where the even candidate does not read back.
        assert_eq!(
            float_repr(2f64.powi(-24), false).unwrap(),
            "5.960464477539063e-08"
        );
        let cases = [
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (1.5e-7, "1.5e-07"),
            (100.0, "100.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (-f64::NAN, "nan"),
            (2e16 + 8.0, "2.000000000000001e+16"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (123456.789, "123456.789"),
            // Ties between two shortest forms go to the even digit.
            (-1018835521918518.0 - 0.25, "-1018835521918518.2"),
            (-121646062368456.0 - 0.125, "-121646062368456.12"),
            (0.375, "0.375"),
        ];
        for (v, want) in cases {
            assert_eq!(float_repr(v, false).unwrap(), want, "{v:e}");
        }
        assert_eq!(float_repr(0.1f32 as f64, true).unwrap(), "0.1");
        assert_eq!(float_repr(16777216.0, true).unwrap(), "1.6777216e+07");
        assert_eq!(float_repr(999999.0, true).unwrap(), "999999.0");
        assert_eq!(float_repr(1e-4f32 as f64, true).unwrap(), "1e-04");
        assert_eq!(float_repr(412494.125, true).unwrap(), "412494.12");
        assert_eq!(float_repr(412494.375, true).unwrap(), "412494.38");
        assert_eq!(float_repr(1e-5f32 as f64, true).unwrap(), "1e-05");
    }

    #[test]
    fn complex_reprs_are_pythons() {
        assert_eq!(complex_repr(1.0, 2.0, false).unwrap(), "(1+2j)");
        assert_eq!(complex_repr(0.0, 2.0, false).unwrap(), "2j");
        assert_eq!(complex_repr(-0.0, -1.0, false).unwrap(), "(-0-1j)");
        assert_eq!(
            complex_repr(f64::NAN, f64::INFINITY, false).unwrap(),
            "(nan+infj)"
        );
        assert_eq!(complex_repr(1e16, 0.5, false).unwrap(), "(1e+16+0.5j)");
    }

    #[test]
    fn fixed_precision_forms_are_pythons() {
        let f = |v, code, p, flags| double_to_string(v, code, p, flags, false).unwrap();
        let none = Flags::default();
        let alt = Flags { alt: true, ..none };
        let z = Flags {
            no_neg_0: true,
            ..none
        };
        assert_eq!(f(2.5, b'f', 0, none), "2");
        assert_eq!(f(2.5, b'f', 0, alt), "2.");
        assert_eq!(f(0.125, b'f', 2, none), "0.12");
        assert_eq!(f(-0.0001, b'f', 2, none), "-0.00");
        assert_eq!(f(-0.0001, b'f', 2, z), "0.00");
        assert_eq!(f(1234.5, b'e', 2, none), "1.23e+03");
        assert_eq!(f(1234.5, b'E', 0, none), "1E+03");
        assert_eq!(f(0.0001, b'g', 6, none), "0.0001");
        assert_eq!(f(0.00001, b'g', 6, none), "1e-05");
        assert_eq!(f(123456789.0, b'g', 6, none), "1.23457e+08");
        assert_eq!(f(1.5, b'g', 6, alt), "1.50000");
        assert_eq!(f(0.0, b'g', 0, none), "0");
        assert_eq!(f(f64::INFINITY, b'F', 2, none), "INF");
        assert_eq!(f(1e300, b'f', 0, none).len(), 301);
    }
}

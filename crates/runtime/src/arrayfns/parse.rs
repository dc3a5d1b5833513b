//! `int(s, base)` and `float(s)` of a str, by CPython's rules: whitespace
//! around the number, a sign, single underscores between digits, decimal
//! digits of any script (`int('٣')` is 3), `0x`/`0o`/`0b` prefixes for
//! `int` (required to pick the base when it is 0), `inf`/`infinity`/
//! `nan` in any case for `float`. The errors are Python's, naming the
//! string by its repr; an `int` must also fit in an `int64`.

use oxjit_abi::desc::Desc;

use super::format::quote;
use super::strs::{text_arg, write_int};
use super::{raise, write_scalar, Args, Result};
use crate::unicode::{decimal_value, is_space};

/// CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII`: whitespace
/// becomes a space and a decimal digit its ASCII digit; the text ends at
/// any other non-ASCII character, with a `?` that no number accepts.
fn to_ascii(t: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(t.len());
    for c in t.chars() {
        match c {
            c if (c as u32) < 127 => out.push(c as u8),
            c if is_space(c) => out.push(b' '),
            c => match decimal_value(c) {
                Some(d) => out.push(b'0' + d as u8),
                None => {
                    out.push(b'?');
                    break;
                }
            },
        }
    }
    out
}

/// C's `isspace`, which CPython's number parsers skip.
fn c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// `int(t, base)`.
pub(crate) fn parse_int(t: &str, base: i64) -> Result<i64> {
    if base != 0 && !(2..=36).contains(&base) {
        return Err(raise(
            "ValueError",
            "int() base must be >= 2 and <= 36, or 0",
        ));
    }
    let invalid = || {
        let shown: String = quote(t, false).chars().take(200).collect();
        raise(
            "ValueError",
            format!("invalid literal for int() with base {base}: {shown}"),
        )
    };
    let s = to_ascii(t);
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = s.iter().take_while(|&&b| c_space(b)).count();
    let negative = at(i) == b'-';
    if matches!(at(i), b'+' | b'-') {
        i += 1;
    }
    let prefix = |b: u8| match at(i + 1).to_ascii_lowercase() {
        b'x' => 16 * (b == b'0') as u32,
        b'o' => 8 * (b == b'0') as u32,
        b'b' => 2 * (b == b'0') as u32,
        _ => 0,
    };
    let mut base = base as u32;
    // A leading zero in base 0 (no prefix) allows only the number 0.
    let mut zero_only = false;
    if base == 0 {
        base = match prefix(at(i)) {
            0 => {
                zero_only = at(i) == b'0';
                10
            }
            b => b,
        };
    }
    if prefix(at(i)) == base {
        i += 2;
        if at(i) == b'_' {
            i += 1;
        }
    }
    let digit = |b: u8| (b as char).to_digit(36).filter(|&d| d < base);
    let mut value: Option<i128> = Some(0);
    let mut digits = 0;
    while let Some(d) = digit(at(i)) {
        value = value
            .and_then(|v| v.checked_mul(base as i128))
            .and_then(|v| v.checked_add(d as i128));
        digits += 1;
        i += 1;
        // An underscore only between two digits.
        if at(i) == b'_' && digit(at(i + 1)).is_some() {
            i += 1;
        }
    }
    i += s[i.min(s.len())..]
        .iter()
        .take_while(|&&b| c_space(b))
        .count();
    if digits == 0 || i != s.len() || (zero_only && value != Some(0)) {
        return Err(invalid());
    }
    value
        .map(|v| if negative { -v } else { v })
        .and_then(|v| i64::try_from(v).ok())
        .ok_or_else(|| raise("OverflowError", "int too large to convert to int64"))
}

/// `float(t)`.
pub(crate) fn parse_float(t: &str) -> Result<f64> {
    let invalid = || {
        raise(
            "ValueError",
            format!("could not convert string to float: {}", quote(t, false)),
        )
    };
    let s = to_ascii(t);
    // Underscores only between digits, then dropped.
    let mut kept = Vec::with_capacity(s.len());
    let mut prev = 0u8;
    for &b in &s {
        let ok = if b == b'_' {
            prev.is_ascii_digit()
        } else {
            prev != b'_' || b.is_ascii_digit()
        };
        if !ok {
            return Err(invalid());
        }
        if b != b'_' {
            kept.push(b);
        }
        prev = b;
    }
    if prev == b'_' {
        return Err(invalid());
    }
    let start = kept.iter().take_while(|&&b| c_space(b)).count();
    let end = kept.len()
        - kept[start..]
            .iter()
            .rev()
            .take_while(|&&b| c_space(b))
            .count();
    // Rust's grammar is C's `strtod` without hexadecimal floats, as
    // CPython's: digits with an optional point and exponent, or
    // inf/infinity/nan in any case, each with a sign.
    std::str::from_utf8(&kept[start..end])
        .ok()
        .and_then(|n| n.parse::<f64>().ok())
        .ok_or_else(invalid)
}

/// `(s, base)` → `int64` `int(s, base)`.
pub(crate) unsafe fn to_int(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_int(out, parse_int(text_arg(args, 0), args.scalar(1)?)?)
}

/// `(s)` → `float64` `float(s)`.
pub(crate) unsafe fn to_float(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_scalar(out, parse_float(text_arg(args, 0))?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::strs::tests::{call, Arg, Out, FLOAT, INT};
    use super::*;
    use crate::exceptions::take_dynamic;

    fn message() -> String {
        let e = take_dynamic().unwrap();
        match &e.args[..] {
            [oxjit_abi::exc::ExcArg::Str(m)] => format!("{}: {m}", e.class),
            _ => e.class,
        }
    }

    fn int(s: &str, base: i64) -> std::result::Result<i64, String> {
        parse_int(s, base).map_err(|_| message())
    }

    fn float(s: &str) -> std::result::Result<f64, String> {
        parse_float(s).map_err(|_| message())
    }

    #[test]
    fn ints_are_pythons() {
        let ok = [
            ("0x_1f", 0, 31),
            ("0x_1f", 16, 31),
            ("0_7", 10, 7),
            ("0_0", 0, 0),
            ("00", 0, 0),
            ("010", 16, 16),
            (" -0b101 ", 0, -5),
            (" -0b101 ", 16, -45313),
            ("٣_٤", 10, 34),
            ("\u{a0}12\u{2003}", 10, 12),
            ("1e5", 16, 485),
            ("0B1_1", 0, 3),
            ("zz", 36, 1295),
            ("-9223372036854775808", 10, i64::MIN),
            ("+7", 10, 7),
        ];
        for (s, base, want) in ok {
            assert_eq!(int(s, base), Ok(want), "{s:?} {base}");
        }
        let bad = [
            ("0x", 16),
            ("0x_1f", 10),
            ("_1", 10),
            ("1__0", 10),
            ("1_", 10),
            ("0_7", 0),
            ("010", 0),
            ("1\0", 10),
            ("+", 10),
            ("-_1", 10),
            ("0b_", 16),
            ("", 10),
            ("1 2", 10),
            ("٣", 2),
            ("\x1c1", 10),
        ];
        for (s, base) in bad {
            let e = int(s, base).unwrap_err();
            assert!(
                e.starts_with(&format!(
                    "ValueError: invalid literal for int() with base {base}: "
                )),
                "{s:?}: {e}"
            );
        }
        assert_eq!(
            int("abc", 10),
            Err("ValueError: invalid literal for int() with base 10: 'abc'".into())
        );
        assert_eq!(
            int("x".repeat(300).as_str(), 10).unwrap_err().len(),
            "ValueError: invalid literal for int() with base 10: ".len() + 200
        );
        assert_eq!(
            int("1", 1),
            Err("ValueError: int() base must be >= 2 and <= 36, or 0".into())
        );
        assert_eq!(
            int("9223372036854775808", 10),
            Err("OverflowError: int too large to convert to int64".into())
        );
        assert_eq!(
            int(&"9".repeat(100), 10),
            Err("OverflowError: int too large to convert to int64".into())
        );
    }

    #[test]
    fn floats_are_pythons() {
        let ok = [
            (" 1.5 ", 1.5),
            ("1_000.000_1", 1000.0001),
            ("-InFinity", f64::NEG_INFINITY),
            ("+inf", f64::INFINITY),
            ("1e500", f64::INFINITY),
            (".5", 0.5),
            ("5.", 5.0),
            ("1E-3", 0.001),
            ("٣.٥", 3.5),
            ("\u{3000}2\n", 2.0),
        ];
        for (s, want) in ok {
            assert_eq!(float(s), Ok(want), "{s:?}");
        }
        assert!(float("-nan").unwrap().is_nan());
        for s in [
            "", " ", "abc", "1e", "1_", "_1", "1__0", "1._5", "0x10", "1.5j", "in f", "1\0", ".",
        ] {
            assert!(float(s).is_err(), "{s:?}");
        }
        assert_eq!(
            float("abc"),
            Err("ValueError: could not convert string to float: 'abc'".into())
        );
        assert_eq!(call(to_float, &[Arg::s(" 2_5e-1")], FLOAT), Out::Float(2.5));
        assert_eq!(
            call(to_int, &[Arg::s("ff"), Arg::Int(16)], INT),
            Out::Int(255)
        );
    }
}

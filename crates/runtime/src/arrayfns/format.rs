//! Values as text: `str(x)`, `repr(x)` and printf-style `fmt % values`
//! (`format(x, spec)` is in `formatspec`). A value is a number of any
//! NumPy type, a bool, a str or None, read into a [`Value`]; ints and
//! bools print as Python's, floats as Python's shortest repr (float32 as
//! NumPy prints them), complex numbers as Python's `(1+2j)`.

use oxjit_abi::desc::{Desc, Kind};

use super::floats::{complex_repr, double_to_string, float_repr, Flags};
use super::keys::wide;
use super::strs::{no_memory, str_at, text_arg, text_buffer, write_str};
use super::{raise, Args, Raise, Result, Wide};
use crate::unicode;

/// A value to write as text.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Value<'a> {
    Bool(bool),
    /// Any integer type (`uint64` included).
    Int(i128),
    /// A float; `single` for float32, which prints with its own digits.
    Float(f64, bool),
    Complex(f64, f64, bool),
    Str(&'a str),
    None,
}

impl Value<'_> {
    /// Python's name of the value's type, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(..) => "float",
            Value::Complex(..) => "complex",
            Value::Str(_) => "str",
            Value::None => "NoneType",
        }
    }
}

/// The value of type `t` in memory form at `p`.
pub(crate) unsafe fn value_at<'a>(p: *const u8, t: Desc) -> Result<Value<'a>> {
    Ok(match t.kind() {
        Kind::Str => Value::Str(str_at(p).as_str()),
        Kind::None => Value::None,
        Kind::Scalar => {
            let single = matches!(t.dtype(), b'f' | b'F');
            match wide(p, t.dtype())? {
                Wide::Bool(b) => Value::Bool(b),
                Wide::Int(v) => Value::Int(v as i128),
                Wide::UInt(v) => Value::Int(v as i128),
                Wide::Float(v) => Value::Float(v, single),
                Wide::Complex(re, im) => Value::Complex(re, im, single),
            }
        }
        k => {
            return Err(raise(
                "TypeError",
                format!("oxjit runtime: cannot write a {k:?} value as text"),
            ))
        }
    })
}

/// `str(v)`.
pub(crate) fn str_of(v: &Value) -> Result<String> {
    match *v {
        Value::Bool(b) => Ok(if b { "True" } else { "False" }.into()),
        Value::Int(i) => Ok(i.to_string()),
        Value::Float(f, single) => float_repr(f, single),
        Value::Complex(re, im, single) => complex_repr(re, im, single),
        Value::Str(t) => Ok(t.into()),
        Value::None => Ok("None".into()),
    }
}

/// `repr(v)`, or `ascii(v)` (non-ASCII characters escaped too).
pub(crate) fn repr_of(v: &Value, ascii: bool) -> Result<String> {
    match *v {
        Value::Str(t) => Ok(quote(t, ascii)),
        _ => str_of(v),
    }
}

/// A str's repr: in single quotes, or double quotes when it holds a
/// single quote and no double one; backslash escapes for the quote, `\`,
/// `\t`, `\n`, `\r`, other control characters and the non-printable
/// (`\xNN`, `\uNNNN`, `\UNNNNNNNN`).
pub(crate) fn quote(t: &str, ascii: bool) -> String {
    let q = if t.contains('\'') && !t.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut r = String::with_capacity(t.len() + 2);
    r.push(q);
    for c in t.chars() {
        match c {
            '\\' => r.push_str("\\\\"),
            '\t' => r.push_str("\\t"),
            '\n' => r.push_str("\\n"),
            '\r' => r.push_str("\\r"),
            c if c == q => {
                r.push('\\');
                r.push(c);
            }
            ' '..='\x7e' => r.push(c),
            c if !c.is_ascii() && !ascii && unicode::is_printable(c) => r.push(c),
            c if (c as u32) < 0x100 => r.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => r.push_str(&format!("\\u{:04x}", c as u32)),
            c => r.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    r.push(q);
    r
}

/// `(x)` → `str(x)`.
pub(crate) unsafe fn str_fn(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_str(out, &[&str_of(&value_at(args.value(0), args.ty(0))?)?])
}

/// `(x)` → `repr(x)`.
pub(crate) unsafe fn repr_fn(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_str(
        out,
        &[&repr_of(&value_at(args.value(0), args.ty(0))?, false)?],
    )
}

/// `(fmt, values)` a tuple → `fmt % values`.
pub(crate) unsafe fn percent_fn(out: *mut u8, args: &Args, _: Desc) -> Result {
    let ty = args.ty(1);
    let values = ty
        .items()
        .iter()
        .zip(ty.repr().field_offsets())
        .map(|(t, off)| value_at(args.value(1).add(off), *t))
        .collect::<Result<Vec<_>>>()?;
    write_str(out, &[&percent(text_arg(args, 0), &values)?])
}

/// The digits of `|v|` in `base` (2, 8, 10 or 16).
pub(crate) fn int_digits(v: i128, base: u32, upper: bool) -> String {
    let u = v.unsigned_abs();
    match (base, upper) {
        (2, _) => format!("{u:b}"),
        (8, _) => format!("{u:o}"),
        (16, false) => format!("{u:x}"),
        (16, true) => format!("{u:X}"),
        _ => u.to_string(),
    }
}

/// The flags of one `%` conversion.
#[derive(Default)]
struct Conversion {
    left: bool,
    plus: bool,
    blank: bool,
    alt: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
}

/// `fmt % values`, CPython's `PyUnicode_Format` for a tuple of values
/// (no mapping keys).
pub(crate) fn percent(fmt: &str, values: &[Value]) -> Result<String> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut args = values.iter();
    let mut next_arg = || {
        args.next()
            .ok_or_else(|| raise("TypeError", "not enough arguments for format string"))
    };
    let mut out = String::with_capacity(fmt.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'%') {
            out.push('%');
            i += 2;
            continue;
        }
        i += 1;
        let incomplete = || raise("ValueError", "incomplete format");
        if chars.get(i) == Some(&'(') {
            return Err(raise("TypeError", "format requires a mapping"));
        }
        let mut conv = Conversion::default();
        while let Some(&c) = chars.get(i) {
            match c {
                '-' => conv.left = true,
                '+' => conv.plus = true,
                ' ' => conv.blank = true,
                '#' => conv.alt = true,
                '0' => conv.zero = true,
                _ => break,
            }
            i += 1;
        }
        // A `*` takes the width (precision) from the values.
        let star = |v: &Value| match *v {
            Value::Int(n) => Ok(n),
            Value::Bool(b) => Ok(b as i128),
            _ => Err(raise("TypeError", "* wants int")),
        };
        if chars.get(i) == Some(&'*') {
            let w = star(next_arg()?)?;
            conv.left |= w < 0;
            conv.width = usize::try_from(w.unsigned_abs()).map_err(|_| too_big("width"))?;
            i += 1;
        } else {
            conv.width = number(&chars, &mut i, isize::MAX as usize, "width")?.unwrap_or(0);
        }
        if chars.get(i) == Some(&'.') {
            i += 1;
            conv.precision = Some(if chars.get(i) == Some(&'*') {
                i += 1;
                star(next_arg()?)?.clamp(0, i32::MAX as i128) as usize
            } else {
                number(&chars, &mut i, i32::MAX as usize, "precision")?.unwrap_or(0)
            });
        }
        if matches!(chars.get(i), Some('h' | 'l' | 'L')) {
            i += 1;
        }
        let &c = chars.get(i).ok_or_else(incomplete)?;
        i += 1;
        // Taken before the conversion is looked at, as CPython does.
        let v = next_arg()?;
        let (text, numeric) = match c {
            's' | 'r' | 'a' => {
                let t = if c == 's' {
                    str_of(v)?
                } else {
                    repr_of(v, c == 'a')?
                };
                match conv.precision {
                    Some(p) => (t.chars().take(p).collect(), false),
                    None => (t, false),
                }
            }
            'd' | 'i' | 'u' | 'o' | 'x' | 'X' => (percent_int(v, c, &conv)?, true),
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let v = match *v {
                    Value::Float(f, _) => f,
                    Value::Int(n) => n as f64,
                    Value::Bool(b) => b as u8 as f64,
                    ref v => {
                        let msg = format!("must be real number, not {}", v.type_name());
                        return Err(raise("TypeError", msg));
                    }
                };
                let flags = Flags {
                    alt: conv.alt,
                    ..Flags::default()
                };
                let p = conv.precision.unwrap_or(6);
                (double_to_string(v, c as u8, p, flags, false)?, true)
            }
            'c' => (percent_char(v)?.to_string(), false),
            _ => {
                let shown = if (' '..='~').contains(&c) { c } else { '?' };
                let msg = format!(
                    "unsupported format character '{shown}' (0x{:x}) at index {}",
                    c as u32,
                    i - 1
                );
                return Err(raise("ValueError", msg));
            }
        };
        let prefixed = conv.alt && matches!(c, 'o' | 'x' | 'X');
        emit(&mut out, &text, numeric, prefixed, &conv)?;
    }
    if args.next().is_some() {
        return Err(raise(
            "TypeError",
            "not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

fn too_big(what: &str) -> Raise {
    raise("ValueError", format!("{what} too big"))
}

/// The decimal number at `chars[*i..]`, None without digits;
/// `ValueError("{what} too big")` past `limit`.
fn number(chars: &[char], i: &mut usize, limit: usize, what: &str) -> Result<Option<usize>> {
    let mut n = None;
    while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
        let v = n
            .unwrap_or(0usize)
            .checked_mul(10)
            .and_then(|v| v.checked_add(d as usize));
        n = Some(v.filter(|&v| v <= limit).ok_or_else(|| too_big(what))?);
        *i += 1;
    }
    Ok(n)
}

/// `%d`/`%o`/`%x` of `v`: the sign, the `0o`/`0x` prefix when `#`, at
/// least `precision` digits. Floats are truncated for `%d` only.
fn percent_int(v: &Value, c: char, conv: &Conversion) -> Result<String> {
    let base = match c {
        'o' => 8,
        'x' | 'X' => 16,
        _ => 10,
    };
    let (negative, digits) = match *v {
        Value::Int(n) => (n < 0, int_digits(n, base, c == 'X')),
        Value::Bool(b) => (false, (b as u8).to_string()),
        Value::Float(f, _) if base == 10 => {
            if f.is_nan() {
                return Err(raise("ValueError", "cannot convert float NaN to integer"));
            }
            if f.is_infinite() {
                return Err(raise(
                    "OverflowError",
                    "cannot convert float infinity to integer",
                ));
            }
            // An integral double's exact decimal digits.
            (f <= -1.0, format!("{:.0}", f.trunc().abs()))
        }
        ref v => {
            let need = if base == 10 {
                "a real number"
            } else {
                "an integer"
            };
            let msg = format!("%{c} format: {need} is required, not {}", v.type_name());
            return Err(raise("TypeError", msg));
        }
    };
    let mut r = String::new();
    if negative {
        r.push('-');
    }
    if conv.alt && base != 10 {
        r.push('0');
        r.push(if base == 8 { 'o' } else { c });
    }
    let p = conv.precision.unwrap_or(0);
    let mut body = text_buffer(p.max(digits.len()))?;
    body.extend(std::iter::repeat_n('0', p.saturating_sub(digits.len())));
    body.push_str(&digits);
    r.push_str(&body);
    Ok(r)
}

/// `%c` of an int (a code point) or of a one-character str.
fn percent_char(v: &Value) -> Result<char> {
    match *v {
        Value::Int(n) => code_point(n, "%c arg not in range(0x110000)"),
        Value::Bool(b) => code_point(b as i128, ""),
        Value::Str(t) => {
            let mut chars = t.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(raise("TypeError", "%c requires int or char")),
            }
        }
        _ => Err(raise("TypeError", "%c requires int or char")),
    }
}

/// The character with code point `n`: `OverflowError(range)` outside
/// Unicode; `ValueError` for a surrogate, which UTF-8 cannot hold.
pub(crate) fn code_point(n: i128, range: &str) -> Result<char> {
    if !(0..0x110000).contains(&n) {
        return Err(raise("OverflowError", range));
    }
    char::from_u32(n as u32).ok_or_else(|| {
        raise(
            "ValueError",
            "a surrogate character is not supported in compiled code",
        )
    })
}

/// Appends one converted value with its padding, as CPython's
/// `unicode_format_arg_output`: numbers zero-padded after their sign (and
/// `0x` prefix) with the `0` flag, everything else with spaces; `-`
/// pads on the right.
fn emit(out: &mut String, text: &str, numeric: bool, prefixed: bool, conv: &Conversion) -> Result {
    let fill = if numeric && conv.zero { '0' } else { ' ' };
    let mut body = text;
    let mut sign = None;
    if numeric {
        match body.chars().next() {
            Some(s @ ('-' | '+')) => {
                sign = Some(s);
                body = &body[1..];
            }
            _ if conv.plus => sign = Some('+'),
            _ if conv.blank => sign = Some(' '),
            _ => {}
        }
    }
    let (prefix, body) = if prefixed {
        body.split_at(2)
    } else {
        ("", body)
    };
    let len = body.chars().count();
    let used = len + sign.is_some() as usize + prefix.len();
    let pad = conv.width.saturating_sub(used);
    out.try_reserve(body.len() + used + pad)
        .map_err(|_| no_memory())?;
    let spaces = |out: &mut String, n| out.extend(std::iter::repeat_n(' ', n));
    if !conv.left && fill == ' ' {
        spaces(out, pad);
    }
    out.extend(sign);
    out.push_str(prefix);
    if !conv.left && fill == '0' {
        out.extend(std::iter::repeat_n('0', pad));
    }
    out.push_str(body);
    if conv.left {
        spaces(out, pad);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::strs::tests::{call, raised, text, Arg, STR};
    use super::*;

    #[test]
    fn str_and_repr_are_pythons() {
        assert_eq!(call(str_fn, &[Arg::Float(1e16)], STR), text("1e+16"));
        assert_eq!(call(str_fn, &[Arg::Bool(true)], STR), text("True"));
        assert_eq!(call(str_fn, &[Arg::None], STR), text("None"));
        assert_eq!(call(str_fn, &[Arg::Int(-5)], STR), text("-5"));
        assert_eq!(call(repr_fn, &[Arg::s("it's")], STR), text("\"it's\""));
        assert_eq!(call(repr_fn, &[Arg::s("'\"")], STR), text("'\\'\"'"));
        assert_eq!(
            call(
                repr_fn,
                &[Arg::s("a\\\n\x01é\u{ad}\u{200b}\u{e000}\u{10ffff}")],
                STR
            ),
            text("'a\\\\\\n\\x01é\\xad\\u200b\\ue000\\U0010ffff'")
        );
        assert_eq!(quote("é😀", true), "'\\xe9\\U0001f600'");
        assert_eq!(
            str_of(&Value::Int(u64::MAX as i128)).unwrap(),
            "18446744073709551615"
        );
        assert_eq!(str_of(&Value::Float(1e6, true)).unwrap(), "1e+06");
        assert_eq!(
            str_of(&Value::Complex(100.0, 1e-4f32 as f64, true)).unwrap(),
            "(100+1e-04j)"
        );
    }

    #[test]
    fn percent_is_pythons() {
        let p = |fmt, v: &[Value]| percent(fmt, v).unwrap();
        use Value::*;
        assert_eq!(
            p("%#08o|%#8o|%#08x", &[Int(8), Int(8), Int(-255)]),
            "0o000010|    0o10|-0x000ff"
        );
        assert_eq!(
            p(
                "%-#8x|%05s|%-05d|%+05d",
                &[Int(255), Str("ab"), Int(3), Int(3)]
            ),
            "0xff    |   ab|3    |+0003"
        );
        assert_eq!(
            p("% d|%.3d|%#.3x|%x", &[Int(3), Int(-5), Int(5), Int(-255)]),
            " 3|-005|0x005|-ff"
        );
        assert_eq!(
            p(
                "%c%c|%.2s|%r|%a",
                &[Int(65), Str("é"), Str("abc"), Str("a"), Str("é")]
            ),
            "Aé|ab|'a'|'\\xe9'"
        );
        assert_eq!(
            p(
                "%d|%d|%f|%e",
                &[
                    Float(3.9, false),
                    Float(-1e20, false),
                    Int(3),
                    Float(1e300, false)
                ]
            ),
            "3|-100000000000000000000|3.000000|1.000000e+300"
        );
        assert_eq!(
            p(
                "%5.1f|%05.1f|%#g|%010.3f",
                &[
                    Float(-2.25, false),
                    Float(-2.25, false),
                    Float(1.0, false),
                    Float(f64::NEG_INFINITY, false)
                ]
            ),
            " -2.2|-02.2|1.00000|-000000inf"
        );
        assert_eq!(
            p(
                "%*d|%-*d|%.*f|%%",
                &[
                    Int(5),
                    Int(3),
                    Int(-5),
                    Int(3),
                    Int(2),
                    Float(1.23456, false)
                ]
            ),
            "    3|3    |1.23|%"
        );
        assert_eq!(
            p(
                "%i %s %ld %#X %05c",
                &[Bool(true), None, Int(3), Int(255), Int(65)]
            ),
            "1 None 3 0XFF     A"
        );
        let e = |fmt, v: &[Value]| {
            percent(fmt, v).unwrap_err();
            let e = crate::exceptions::take_dynamic().unwrap();
            (e.class, format!("{:?}", e.args))
        };
        assert_eq!(e("%d %d", &[Int(1)]).0, "TypeError");
        assert_eq!(
            e("%d", &[Int(1), Int(2)]).1,
            format!(
                "{:?}",
                [oxjit_abi::exc::ExcArg::Str(
                    "not all arguments converted during string formatting".into()
                )]
            )
        );
        assert_eq!(e("%x", &[Float(3.0, false)]).0, "TypeError");
        assert_eq!(e("%5%", &[Int(1)]).0, "ValueError");
        assert_eq!(e("%", &[Int(1)]).0, "ValueError");
        assert_eq!(e("%(a)s", &[Int(1)]).0, "TypeError");
        assert_eq!(e("%d", &[Float(f64::NAN, false)]).0, "ValueError");
        assert_eq!(e("%c", &[Int(0x110000)]).0, "OverflowError");
        assert_eq!(
            call(percent_fn, &[Arg::s("%q"), Arg::Strs(vec![])], STR),
            raised("TypeError", "not enough arguments for format string")
        );
    }
}

//! `format(x, spec)`: Python's format specification mini-language,
//! `[[fill]align][sign][z][#][0][width][,|_][.precision][type]`, for ints
//! and bools (`b c d o x X n`, or a float type, which converts), floats
//! (`e E f F g G n %` or none: like repr, or like `g` with a precision),
//! complex numbers (the float types but `%`) and strs (`s`). This follows
//! CPython's `Python/formatter_unicode.c`: the parse, the checks and their
//! messages, and the number layout with its zero padding and grouping.
//! `n` uses the C locale's conventions (no grouping), as CPython does
//! unless the program sets a locale.

use oxjit_abi::desc::Desc;

use super::floats::{double_to_string, Flags};
use super::format::{code_point, int_digits, str_of, value_at, Value};
use super::strs::{text_arg, text_buffer, write_str};
use super::{raise, Args, Raise, Result};
use crate::unicode::decimal_value;

/// A parsed format specification.
struct Spec {
    /// The fill character, when given with an alignment.
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    no_neg_0: bool,
    alt: bool,
    /// A `0` before the width (without an explicit fill).
    zero: bool,
    width: Option<usize>,
    /// `,` or `_`, and the digits per group (4 for `_` in bases 2–16).
    grouping: Option<(char, usize)>,
    precision: Option<usize>,
    /// The type, or the value's default (none for floats).
    ty: Option<char>,
}

impl Spec {
    /// The fill and alignment in effect: a `0` before the width pads
    /// with zeros, between sign and digits for numbers (default `>`).
    fn fill_align(&self, default_align: char) -> (char, char) {
        let fill = self.fill.unwrap_or(if self.zero { '0' } else { ' ' });
        let align = self.align.unwrap_or(if self.zero && default_align == '>' {
            '='
        } else {
            default_align
        });
        (fill, align)
    }
}

fn value_error(msg: impl AsRef<str>) -> Raise {
    raise("ValueError", msg)
}

/// A type character as CPython shows it in messages.
fn shown(c: char) -> String {
    if (' '..'\x7f').contains(&c) && c != ' ' {
        c.to_string()
    } else {
        format!("\\x{:x}", c as u32)
    }
}

fn unknown(ty: char, type_name: &str) -> Raise {
    value_error(format!(
        "Unknown format code '{}' for object of type '{type_name}'",
        shown(ty)
    ))
}

/// The decimal number at `chars[*i..]` (digits of any script, as
/// CPython reads them), None without digits.
fn integer(chars: &[char], i: &mut usize) -> Result<Option<usize>> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.get(*i).and_then(|&c| decimal_value(c)) {
        let v = n
            .unwrap_or(0)
            .checked_mul(10)
            .and_then(|v| v.checked_add(d as usize));
        let v = v.filter(|&v| v <= isize::MAX as usize);
        n = Some(v.ok_or_else(|| value_error("Too many decimal digits in format string"))?);
        *i += 1;
    }
    Ok(n)
}

/// CPython's `parse_internal_render_format_spec`.
fn parse(spec: &str, type_name: &str, default_type: Option<char>) -> Result<Spec> {
    let c: Vec<char> = spec.chars().collect();
    let at = |i: usize| c.get(i).copied();
    let is_align = |ch: Option<char>| matches!(ch, Some('<' | '>' | '=' | '^'));
    let (mut fill, mut align, mut i) = (None, None, 0);
    if is_align(at(1)) {
        (fill, align, i) = (at(0), at(1), 2);
    } else if is_align(at(0)) {
        (align, i) = (at(0), 1);
    }
    let mut take = |want: &[char]| {
        let hit = at(i).filter(|ch| want.contains(ch));
        i += hit.is_some() as usize;
        hit
    };
    let sign = take(&['+', '-', ' ']);
    let no_neg_0 = take(&['z']).is_some();
    let alt = take(&['#']).is_some();
    let zero = fill.is_none() && take(&['0']).is_some();
    let width = integer(&c, &mut i)?;
    let both = || value_error("Cannot specify both ',' and '_'.");
    let mut grouping = None;
    if at(i) == Some(',') {
        grouping = Some((',', 3));
        i += 1;
    }
    if at(i) == Some('_') {
        if grouping.is_some() {
            return Err(both());
        }
        grouping = Some(('_', 3));
        i += 1;
    }
    if at(i) == Some(',') && grouping.is_some_and(|g| g.0 == '_') {
        return Err(both());
    }
    let mut precision = None;
    if at(i) == Some('.') {
        i += 1;
        precision = Some(
            integer(&c, &mut i)?
                .ok_or_else(|| value_error("Format specifier missing precision"))?,
        );
    }
    if c.len() > i + 1 {
        return Err(value_error(format!(
            "Invalid format specifier '{spec}' for object of type '{type_name}'"
        )));
    }
    let ty = at(i).or(default_type);
    if let Some((sep, _)) = grouping {
        match ty {
            None | Some('d' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F') => {}
            Some('b' | 'o' | 'x' | 'X') if sep == '_' => grouping = Some(('_', 4)),
            Some(t) => {
                return Err(value_error(format!(
                    "Cannot specify '{sep}' with '{}'.",
                    shown(t)
                )))
            }
        }
    }
    Ok(Spec {
        fill,
        align,
        sign,
        no_neg_0,
        alt,
        zero,
        width,
        grouping,
        precision,
        ty,
    })
}

/// `(x, spec)` → `format(x, spec)`.
pub(crate) unsafe fn format_fn(out: *mut u8, args: &Args, _: Desc) -> Result {
    let v = value_at(args.value(0), args.ty(0))?;
    write_str(out, &[&format_value(&v, text_arg(args, 1))?])
}

/// `format(v, spec)`.
pub(crate) fn format_value(v: &Value, spec: &str) -> Result<String> {
    if spec.is_empty() {
        return str_of(v);
    }
    let name = v.type_name();
    match *v {
        Value::Str(t) => format_str(t, &parse(spec, name, Some('s'))?),
        Value::Bool(b) => format_int(b as i128, &parse(spec, name, Some('d'))?, name),
        Value::Int(n) => format_int(n, &parse(spec, name, Some('d'))?, name),
        Value::Float(f, _) => format_float(f, &parse(spec, name, None)?, name),
        Value::Complex(re, im, _) => format_complex(re, im, &parse(spec, name, None)?),
        Value::None => Err(raise(
            "TypeError",
            "unsupported format string passed to NoneType.__format__",
        )),
    }
}

/// `text` padded to `width` characters as `align` says (CPython's
/// `calc_padding`: centring puts the odd character on the right).
fn pad(text: &str, width: Option<usize>, align: char, fill: char) -> Result<String> {
    let len = text.chars().count();
    let total = width.unwrap_or(0).max(len);
    let left = match align {
        '>' => total - len,
        '^' => (total - len) / 2,
        _ => 0,
    };
    let right = total - len - left;
    let mut r = text_buffer(
        text.len()
            .saturating_add((left + right).saturating_mul(fill.len_utf8())),
    )?;
    r.extend(std::iter::repeat_n(fill, left));
    r.push_str(text);
    r.extend(std::iter::repeat_n(fill, right));
    Ok(r)
}

fn format_str(t: &str, spec: &Spec) -> Result<String> {
    if spec.ty != Some('s') {
        return Err(unknown(spec.ty.unwrap_or(' '), "str"));
    }
    let not_allowed =
        |what: &str| value_error(format!("{what} not allowed in string format specifier"));
    match spec.sign {
        Some(' ') => return Err(not_allowed("Space")),
        Some(_) => return Err(not_allowed("Sign")),
        None => {}
    }
    if spec.no_neg_0 {
        return Err(not_allowed("Negative zero coercion (z)"));
    }
    if spec.alt {
        return Err(not_allowed("Alternate form (#)"));
    }
    let (fill, align) = spec.fill_align('<');
    if align == '=' {
        return Err(not_allowed("'=' alignment"));
    }
    let t = match spec.precision {
        Some(p) => &t[..t.char_indices().nth(p).map_or(t.len(), |(b, _)| b)],
        None => t,
    };
    pad(t, spec.width, align, fill)
}

/// A number taken apart for layout: its sign, prefix (`0x`), leading
/// digits (which grouping and zero padding apply to) and the rest (a
/// decimal point, fraction, exponent, `%`, or a `c` character).
struct Number<'a> {
    negative: bool,
    prefix: &'a str,
    digits: &'a str,
    rest: &'a str,
}

impl<'a> Number<'a> {
    /// A formatted float, split after its sign and its leading digits.
    fn of_float(text: &'a str) -> Number<'a> {
        let (negative, t) = match text.strip_prefix('-') {
            Some(t) => (true, t),
            None => (false, text),
        };
        let n = t.bytes().take_while(u8::is_ascii_digit).count();
        Number {
            negative,
            prefix: "",
            digits: &t[..n],
            rest: &t[n..],
        }
    }
}

/// `digits` with `sep` every `every` digits from the right (none when
/// `every` is 0), and zeros on the left up to `min_width` characters:
/// CPython's `_PyUnicode_InsertThousandsGrouping`, where the zeros are
/// grouped too and a separator may come first (`format(1, '06,')` is
/// `0,001`).
fn group(digits: &str, every: usize, sep: char, min_width: i64) -> Result<String> {
    let mut pieces: Vec<(usize, &str)> = Vec::new();
    let (mut remaining, mut min_width, mut end) = (digits.len() as i64, min_width, digits.len());
    let mut take = |l: i64, remaining: &mut i64, end: &mut usize| {
        let chars = (*remaining).min(l).max(0) as usize;
        pieces.push((
            (l - *remaining).max(0) as usize,
            &digits[*end - chars..*end],
        ));
        *remaining -= chars as i64;
        *end -= chars;
    };
    let mut done = false;
    if every > 0 {
        loop {
            let l = (every as i64).min(remaining.max(min_width).max(1));
            take(l, &mut remaining, &mut end);
            min_width -= l;
            if remaining <= 0 && min_width <= 0 {
                done = true;
                break;
            }
            min_width -= 1;
        }
    }
    if !done {
        take(remaining.max(min_width).max(1), &mut remaining, &mut end);
    }
    let size: usize = pieces
        .iter()
        .map(|(z, d)| z + d.len() + sep.len_utf8())
        .sum();
    let mut r = text_buffer(size)?;
    for (k, (zeros, d)) in pieces.iter().rev().enumerate() {
        if k > 0 {
            r.push(sep);
        }
        r.extend(std::iter::repeat_n('0', *zeros));
        r.push_str(d);
    }
    Ok(r)
}

/// CPython's `calc_number_widths` and `fill_number`: `[padding][sign]
/// [prefix][padding for '='][grouped digits][rest][padding]`.
fn layout(
    n: &Number,
    spec: &Spec,
    sign_rule: Option<char>,
    width: Option<usize>,
) -> Result<String> {
    let (fill, align) = spec.fill_align('>');
    let sign = match (n.negative, sign_rule) {
        (true, _) => Some('-'),
        (false, Some('+')) => Some('+'),
        (false, Some(' ')) => Some(' '),
        _ => None,
    };
    let width = width.map_or(-1, |w| w as i64);
    let fixed = (sign.is_some() as usize + n.prefix.len() + n.rest.chars().count()) as i64;
    let min_width = if fill == '0' && align == '=' {
        width - fixed
    } else {
        0
    };
    let (sep, every) = spec.grouping.unwrap_or((',', 0));
    let digits = if n.digits.is_empty() {
        String::new()
    } else {
        group(n.digits, every, sep, min_width)?
    };
    let padding = (width - fixed - digits.chars().count() as i64).max(0) as usize;
    let (left, inner, right) = match align {
        '<' => (0, 0, padding),
        '^' => (padding / 2, 0, padding - padding / 2),
        '=' => (0, padding, 0),
        _ => (padding, 0, 0),
    };
    let mut r = text_buffer(padding * fill.len_utf8() + fixed as usize * 4 + digits.len())?;
    let fills = |r: &mut String, k: usize| r.extend(std::iter::repeat_n(fill, k));
    fills(&mut r, left);
    r.extend(sign);
    r.push_str(n.prefix);
    fills(&mut r, inner);
    r.push_str(&digits);
    r.push_str(n.rest);
    fills(&mut r, right);
    Ok(r)
}

fn format_int(v: i128, spec: &Spec, type_name: &str) -> Result<String> {
    let ty = spec.ty.unwrap_or('d');
    let base = match ty {
        'b' => 2,
        'o' => 8,
        'x' | 'X' => 16,
        'c' | 'd' | 'n' => 10,
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => return format_float(v as f64, spec, "float"),
        t => return Err(unknown(t, type_name)),
    };
    if spec.precision.is_some() {
        return Err(value_error(
            "Precision not allowed in integer format specifier",
        ));
    }
    if spec.no_neg_0 {
        return Err(value_error(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    if ty == 'c' {
        let not_allowed = |what: &str| {
            value_error(format!(
                "{what} not allowed with integer format specifier 'c'"
            ))
        };
        if spec.sign.is_some() {
            return Err(not_allowed("Sign"));
        }
        if spec.alt {
            return Err(not_allowed("Alternate form (#)"));
        }
        if i64::try_from(v).is_err() {
            return Err(raise(
                "OverflowError",
                "Python int too large to convert to C long",
            ));
        }
        let c = code_point(v, "%c arg not in range(0x110000)")?.to_string();
        let n = Number {
            negative: false,
            prefix: "",
            digits: "",
            rest: &c,
        };
        return layout(&n, spec, None, spec.width);
    }
    let prefix = match (spec.alt, ty) {
        (false, _) | (_, 'd' | 'n') => "",
        (_, 'b') => "0b",
        (_, 'o') => "0o",
        (_, 'x') => "0x",
        _ => "0X",
    };
    let digits = int_digits(v, base, ty == 'X');
    let n = Number {
        negative: v < 0,
        prefix,
        digits: &digits,
        rest: "",
    };
    layout(&n, spec, spec.sign, spec.width)
}

/// The float text of `v` for the spec's type. Without one, repr's digits,
/// or `g`'s with a precision; `add_dot_0` then keeps a digit after the
/// point (floats do, the parts of complex numbers do not).
fn float_text(v: f64, spec: &Spec, add_dot_0: bool) -> Result<String> {
    if spec.precision.is_some_and(|p| p > i32::MAX as usize) {
        return Err(value_error("precision too big"));
    }
    let mut flags = Flags {
        alt: spec.alt,
        no_neg_0: spec.no_neg_0,
        ..Flags::default()
    };
    let (code, precision) = match (spec.ty, spec.precision) {
        // Like repr, or `g` with at least one digit after the point.
        (None, None) => (b'r', 0),
        (None, Some(p)) => (b'g', p),
        (Some('n'), p) => (b'g', p.unwrap_or(6)),
        (Some('%'), p) => (b'f', p.unwrap_or(6)),
        (Some(t), p) => (t as u8, p.unwrap_or(6)),
    };
    flags.add_dot_0 = add_dot_0 && spec.ty.is_none();
    let v = if spec.ty == Some('%') { v * 100.0 } else { v };
    let mut t = double_to_string(v, code, precision, flags, false)?;
    if spec.ty == Some('%') {
        t.push('%');
    }
    Ok(t)
}

fn format_float(v: f64, spec: &Spec, type_name: &str) -> Result<String> {
    match spec.ty {
        None | Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%') => {}
        Some(t) => return Err(unknown(t, type_name)),
    }
    let t = float_text(v, spec, true)?;
    layout(&Number::of_float(&t), spec, spec.sign, spec.width)
}

/// Complex numbers: both parts formatted alike (the imaginary one always
/// signed), the whole padded; no type is like repr (no real part when it
/// is `+0.0`, parentheses otherwise).
fn format_complex(re: f64, im: f64, spec: &Spec) -> Result<String> {
    match spec.ty {
        None | Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n') => {}
        Some(t) => return Err(unknown(t, "complex")),
    }
    let (fill, align) = spec.fill_align('>');
    if fill == '0' {
        return Err(value_error(
            "Zero padding is not allowed in complex format specifier",
        ));
    }
    if align == '=' {
        return Err(value_error(
            "'=' alignment flag is not allowed in complex format specifier",
        ));
    }
    let repr_like = spec.ty.is_none();
    let skip_re = repr_like && re == 0.0 && re.is_sign_positive();
    let parens = repr_like && !skip_re;
    // Each part laid out without padding, then the whole padded.
    let bare = Spec {
        fill: None,
        align: Some('<'),
        zero: false,
        width: None,
        ty: spec.ty,
        sign: spec.sign,
        grouping: spec.grouping,
        ..*spec
    };
    let part = |v: f64, sign| -> Result<String> {
        let t = float_text(v, &bare, false)?;
        layout(&Number::of_float(&t), &bare, sign, None)
    };
    let mut body = String::new();
    if parens {
        body.push('(');
    }
    if !skip_re {
        body.push_str(&part(re, spec.sign)?);
    }
    body.push_str(&part(im, if skip_re { spec.sign } else { Some('+') })?);
    body.push('j');
    if parens {
        body.push(')');
    }
    pad(&body, spec.width, align, fill)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: Value, spec: &str) -> String {
        format_value(&v, spec).unwrap_or_else(|_| {
            let e = crate::exceptions::take_dynamic().unwrap();
            format!("{}: {:?}", e.class, e.args)
        })
    }

    #[test]
    fn ints_and_bools() {
        use Value::*;
        let cases = [
            (Int(1234567), ",", "1,234,567"),
            (Int(1234), "010,", "00,001,234"),
            (Int(1234), "09,", "0,001,234"),
            (Int(1234), "08,", "0,001,234"),
            (Int(-42), "=+8", "-     42"),
            (Int(42), "+08", "+0000042"),
            (Int(255), "#010x", "0x000000ff"),
            (Int(255), "#X", "0XFF"),
            (Int(-255), "_b", "-1111_1111"),
            (Int(65535), "_x", "ffff"),
            (Int(1048575), "_x", "f_ffff"),
            (Int(42), "*^7", "**42***"),
            (Int(42), "<05", "42000"),
            (Int(65), "c", "A"),
            (Int(65), "05c", "0000A"),
            (Int(5), " d", " 5"),
            (Int(1), "%", "100.000000%"),
            (Int(3), ".2f", "3.00"),
            (Int(3), "e", "3.000000e+00"),
            (Int(7), "n", "7"),
            (Bool(true), "", "True"),
            (Bool(true), ">5", "    1"),
            (Bool(true), "x", "1"),
            (Int(1), "\u{665}", "    1"),
        ];
        for (v, spec, want) in cases {
            assert_eq!(f(v, spec), want, "{v:?} {spec:?}");
        }
        let err = |v, spec| f(v, spec).split(':').next().unwrap_or("").to_string();
        assert!(f(Int(1), "q").contains("Unknown format code 'q' for object of type 'int'"));
        assert!(f(Bool(true), "q").contains("for object of type 'bool'"));
        assert!(
            f(Int(1), "abc").contains("Invalid format specifier 'abc' for object of type 'int'")
        );
        assert!(f(Int(1), ".2").contains("Precision not allowed in integer format specifier"));
        assert!(f(Int(1), ",c").contains("Cannot specify ',' with 'c'."));
        assert!(f(Int(1), "_,").contains("Cannot specify both ',' and '_'."));
        assert!(f(Int(1), "+c").contains("Sign not allowed with integer format specifier 'c'"));
        assert!(f(Int(1), "é").contains("Unknown format code '\\\\xe9'"));
        assert!(f(Int(1), &"9".repeat(30)).contains("Too many decimal digits"));
        assert_eq!(err(Int(-1), "c"), "OverflowError");
        assert_eq!(err(Int(1), "."), "ValueError");
    }

    #[test]
    fn floats() {
        use Value::*;
        let x = |v| Float(v, false);
        let cases = [
            (x(1.5), "", "1.5"),
            (x(1e16), ">8", "   1e+16"),
            (x(12.0), ".3", "12.0"),
            (x(123.0), ".3", "1.23e+02"),
            (x(1.0), ".0", "1e+00"),
            (x(0.5), ".0f", "0"),
            (x(1234.5678), ",.2f", "1,234.57"),
            (x(1234.5678), "015,.1f", "0,000,001,234.6"),
            (x(-1.5), "=+10.2f", "-     1.50"),
            (x(-1.5), "010.2f", "-000001.50"),
            (x(0.25), ".1%", "25.0%"),
            (x(-0.0001), "z.2f", "0.00"),
            (x(-0.0), "z", "0.0"),
            (x(f64::NAN), "+", "+nan"),
            (x(f64::INFINITY), "08.2f", "00000inf"),
            (x(1e-7), "g", "1e-07"),
            (x(1e-7), "#.3g", "1.00e-07"),
            (x(2.0), "#", "2.0"),
            (x(1e22), "f", "10000000000000000000000.000000"),
            (x(1e22), "_f", "10_000_000_000_000_000_000_000.000000"),
            (x(1.5), "^11.2E", " 1.50E+00  "),
            (x(0.1), "n", "0.1"),
            (Float(0.1f32 as f64, true), "", "0.1"),
            (Float(0.1f32 as f64, true), ".3", "0.1"),
        ];
        for (v, spec, want) in cases {
            assert_eq!(f(v, spec), want, "{v:?} {spec:?}");
        }
        assert!(f(x(1.5), "d").contains("Unknown format code 'd' for object of type 'float'"));
        assert!(f(x(1.5), ".2147483648").contains("precision too big"));
    }

    #[test]
    fn complex_and_strs() {
        use Value::*;
        let c = |re, im| Complex(re, im, false);
        let cases = [
            (c(1.0, 2.0), "", "(1+2j)"),
            (c(1.0, 2.0), ">10", "    (1+2j)"),
            (c(0.0, 2.0), "<5", "2j   "),
            (c(1.0, -2.0), ".2f", "1.00-2.00j"),
            (c(0.0, 2.0), "+.1f", "+0.0+2.0j"),
            (c(1234.5, 1.0), ",.1f", "1,234.5+1.0j"),
            (c(1.0, 2.0), "^12e", "1.000000e+00+2.000000e+00j"),
            (Str("abc"), "", "abc"),
            (Str("abc"), ">5", "  abc"),
            (Str("abc"), "^6", " abc  "),
            (Str("héllo"), ".2", "hé"),
            (Str("ab"), "05", "ab000"),
            (Str("ab"), "x<4.1", "axxx"),
            (None, "", "None"),
        ];
        for (v, spec, want) in cases {
            assert_eq!(f(v, spec), want, "{v:?} {spec:?}");
        }
        assert!(f(c(1.0, 1.0), "05").contains("Zero padding is not allowed"));
        assert!(f(c(1.0, 1.0), "%").contains("for object of type 'complex'"));
        assert!(f(Str("a"), "+").contains("Sign not allowed in string format specifier"));
        assert!(f(Str("a"), " ").contains("Space not allowed in string format specifier"));
        assert!(f(Str("a"), "=").contains("'=' alignment not allowed in string format specifier"));
        assert!(f(Str("a"), ",").contains("Cannot specify ',' with 's'."));
        assert!(f(Str("a"), "d").contains("Unknown format code 'd' for object of type 'str'"));
        assert!(f(None, "x").starts_with("TypeError"));
    }
}

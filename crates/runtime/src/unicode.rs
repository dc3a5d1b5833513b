//! Python's view of Unicode characters: the properties behind `str.isalpha`
//! and the other predicates, and the per-character case mappings.
//!
//! The properties come from [`tables`], generated from CPython 3.11's own
//! behaviour (Unicode 14.0), so they are Python's definitions exactly:
//! `isalpha` is the letter categories, `isdigit`/`isnumeric` the numeric
//! types, `isidentifier` XID_Start/XID_Continue, and so on. Case mappings
//! are Rust's (full mappings, a newer Unicode) corrected to Python's: title
//! case and case folding where they differ from upper and lower case come
//! from the tables, and a mapping to a character Unicode 14 lacks is not
//! applied (Python leaves such a character unchanged).

mod tables;

const ALPHA: u32 = 0x1;
const DECIMAL: u32 = 0x2;
const DIGIT: u32 = 0x4;
const NUMERIC: u32 = 0x8;
const PRINTABLE: u32 = 0x10;
const XID_START: u32 = 0x20;
const XID_CONTINUE: u32 = 0x40;
const CASE_IGNORABLE: u32 = 0x80;
const LOWER: u32 = 0x100;
const UPPER: u32 = 0x200;
const TITLE: u32 = 0x400;

/// The property bits of code point `cp`: those of the last run starting
/// at or before it (the first run starts at 0).
const fn lookup(cp: u32) -> u32 {
    let runs = tables::RUNS;
    let (mut lo, mut hi) = (0, runs.len());
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if runs[mid] >> 11 <= cp {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    runs[lo] & 0x7ff
}

/// ASCII's bits, looked up once at compile time.
const ASCII: [u16; 128] = {
    let mut t = [0u16; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = lookup(i as u32) as u16;
        i += 1;
    }
    t
};

fn props(c: char) -> u32 {
    match ASCII.get(c as usize) {
        Some(&b) => b as u32,
        None => lookup(c as u32),
    }
}

fn has(c: char, bits: u32) -> bool {
    props(c) & bits != 0
}

/// `str.isalpha`: categories Lm, Lt, Lu, Ll and Lo.
pub fn is_alpha(c: char) -> bool {
    has(c, ALPHA)
}

/// `str.isdecimal`: category Nd.
pub fn is_decimal(c: char) -> bool {
    has(c, DECIMAL)
}

/// `str.isdigit`: numeric type Digit or Decimal.
pub fn is_digit(c: char) -> bool {
    has(c, DIGIT)
}

/// `str.isnumeric`: numeric type Digit, Decimal or Numeric.
pub fn is_numeric(c: char) -> bool {
    has(c, NUMERIC)
}

/// `str.isalnum`: any of the four above.
pub fn is_alnum(c: char) -> bool {
    has(c, ALPHA | DECIMAL | DIGIT | NUMERIC)
}

/// `str.isprintable` (what `repr` leaves unescaped).
pub fn is_printable(c: char) -> bool {
    has(c, PRINTABLE)
}

pub fn is_xid_start(c: char) -> bool {
    has(c, XID_START)
}

pub fn is_xid_continue(c: char) -> bool {
    has(c, XID_CONTINUE)
}

pub fn is_lower(c: char) -> bool {
    has(c, LOWER)
}

pub fn is_upper(c: char) -> bool {
    has(c, UPPER)
}

/// Category Lt (`ǅ`): starts a word in title case, like upper case.
pub fn is_title(c: char) -> bool {
    has(c, TITLE)
}

pub fn is_cased(c: char) -> bool {
    has(c, LOWER | UPPER | TITLE)
}

pub fn is_case_ignorable(c: char) -> bool {
    has(c, CASE_IGNORABLE)
}

/// `str.isspace`: bidirectional class WS, B or S, or category Zs — the
/// White_Space property and the four ASCII separators `\x1c`–`\x1f`.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// The byte offset of the first character of `t` that is (`space`) or is
/// not whitespace: bytes below 0x80 by a table, others decoded.
pub fn find_space(t: &str, space: bool) -> Option<usize> {
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] < 0x80 {
            if ASCII_SPACE[b[i] as usize] == space {
                return Some(i);
            }
            i += 1;
        } else {
            // SAFETY: `i` is at a character boundary (only whole
            // characters are stepped over).
            let c = unsafe { t.get_unchecked(i..) }.chars().next()?;
            if is_space(c) == space {
                return Some(i);
            }
            i += c.len_utf8();
        }
    }
    None
}

/// Which ASCII characters are whitespace to Python.
const ASCII_SPACE: [bool; 128] = {
    let mut t = [false; 128];
    let mut c = 0x09;
    while c <= 0x0d {
        t[c] = true;
        c += 1;
    }
    let mut c = 0x1c;
    while c <= 0x20 {
        t[c] = true;
        c += 1;
    }
    t
};

/// A line boundary of `str.splitlines` (`\r\n` counts as one).
pub fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\x0b'
            | '\x0c'
            | '\x1c'
            | '\x1d'
            | '\x1e'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// The value of a decimal digit of any script (`int('٣')` is 3): decimal
/// digits come in runs of ten from zero, so it is the distance from the
/// run's start, modulo 10 (some runs hold several sets).
pub fn decimal_value(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(c as u32 - '0' as u32);
    }
    if !is_decimal(c) {
        return None;
    }
    let mut zero = c as u32;
    while char::from_u32(zero - 1).is_some_and(is_decimal) {
        zero -= 1;
    }
    Some((c as u32 - zero) % 10)
}

/// Appends `mapped` (Rust's mapping of `c`), or `c` when the mapping uses
/// a character that Unicode 14 does not have.
fn push_mapping(out: &mut String, c: char, mapped: impl Iterator<Item = char> + Clone) {
    if mapped.clone().all(is_printable) {
        out.extend(mapped);
    } else {
        out.push(c);
    }
}

/// Appends the full upper case mapping of `c`.
pub fn push_upper(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_uppercase());
    } else {
        push_mapping(out, c, c.to_uppercase());
    }
}

/// Appends the full lower case mapping of `c` (without the final sigma
/// rule, which needs the context: see [`push_lower_at`]).
pub fn push_lower(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        push_mapping(out, c, c.to_lowercase());
    }
}

/// Appends the full title case mapping of `c`.
pub fn push_title(out: &mut String, c: char) {
    match tables::TITLE.binary_search_by_key(&c, |&(k, _)| k) {
        Ok(i) => out.push_str(tables::TITLE[i].1),
        Err(_) => push_upper(out, c),
    }
}

/// Appends the full case folding of `c` (`str.casefold`).
pub fn push_fold(out: &mut String, c: char) {
    match tables::FOLD.binary_search_by_key(&c, |&(k, _)| k) {
        Ok(i) => out.push_str(tables::FOLD[i].1),
        Err(_) => push_lower(out, c),
    }
}

/// Appends the lower case of the character of `s` at byte `at`, with
/// Python's final sigma rule: a capital sigma after a cased letter (case
/// ignorable characters between) and not before one becomes `ς`.
pub fn push_lower_at(out: &mut String, s: &str, at: usize, c: char) {
    if c != 'Σ' {
        return push_lower(out, c);
    }
    let before = cased_next(s[..at].chars().rev());
    let after = cased_next(s[at + c.len_utf8()..].chars());
    out.push(if before && !after { 'ς' } else { 'σ' });
}

/// Whether the first character of `chars` that is not case ignorable is cased.
fn cased_next(mut chars: impl Iterator<Item = char>) -> bool {
    chars.find(|&c| !is_case_ignorable(c)).is_some_and(is_cased)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_are_pythons() {
        assert!(is_alpha('é') && !is_alpha('1') && !is_alpha('\u{2160}'));
        assert!(is_digit('²') && !is_decimal('²') && is_numeric('²'));
        assert!(is_numeric('一') && !is_digit('一') && is_alnum('一'));
        assert!(is_decimal('٣') && decimal_value('٣') == Some(3));
        assert_eq!(decimal_value('\u{1d7d9}'), Some(1)); // mathematical digit one (2nd set)
        assert!(is_space('\x1f') && is_space('\u{3000}') && !is_space('\u{200b}'));
        assert!(is_printable(' ') && !is_printable('\x7f') && !is_printable('\u{ad}'));
        assert!(
            is_xid_start('_') && is_xid_start('é') && !is_xid_start('1') && is_xid_continue('1')
        );
        assert!(is_title('ǅ') && is_cased('ǅ') && !is_upper('ǅ'));
        assert!(is_case_ignorable('\'') && is_case_ignorable('\u{301}') && !is_case_ignorable('a'));
    }

    #[test]
    fn mappings_are_pythons() {
        let map = |f: fn(&mut String, char), c| {
            let mut s = String::new();
            f(&mut s, c);
            s
        };
        assert_eq!(map(push_upper, 'ß'), "SS");
        assert_eq!(map(push_title, 'ß'), "Ss");
        assert_eq!(map(push_title, 'ǆ'), "ǅ");
        assert_eq!(map(push_fold, 'ß'), "ss");
        assert_eq!(map(push_fold, 'ς'), "σ");
        assert_eq!(map(push_lower, 'İ'), "i\u{307}");
        // Unicode 15 gave 'ƛ' an upper case letter that Python 3.11 lacks.
        assert_eq!(map(push_upper, 'ƛ'), "ƛ");
    }
}

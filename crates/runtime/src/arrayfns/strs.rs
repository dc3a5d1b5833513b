//! The str operations (`RuntimeFn::Str*`) on whole strings: building them
//! (`+`, `*`, `join`), comparing and hashing, indexing and slicing, case
//! mappings and the `is*` predicates, padding, tab expansion, `ord` and
//! `chr` — and what every str operation shares: reading str arguments and
//! writing str, list-of-str and tuple-of-str results. Searching and
//! splitting are in `strsearch`, the text forms of values in `format`.
//!
//! Positions count code points: an ASCII string (one byte each) is indexed
//! directly, others through their characters' byte offsets. Arguments are
//! borrowed; results are new references. A result equal to its argument is
//! that argument with a new reference, as CPython returns the same object.

use oxjit_abi::desc::{Desc, Kind};

use super::{raise, slice_indices, wrap, write_scalar, Args, Bool, Raise, Result};
use crate::list::List;
use crate::memory::{oxjit_rt_meminfo_decref, oxjit_rt_meminfo_incref, MemInfo};
use crate::str::Str;
use crate::unicode;

pub(crate) fn no_memory() -> Raise {
    raise("MemoryError", "cannot allocate a string")
}

/// An empty `String` with room for `n` bytes, or `MemoryError` (rather
/// than the abort of a failed allocation: sizes come from user values).
pub(crate) fn text_buffer(n: usize) -> Result<String> {
    let mut s = String::new();
    s.try_reserve_exact(n).map_err(|_| no_memory())?;
    Ok(s)
}

/// The str whose memory form is at `p`.
pub(crate) unsafe fn str_at(p: *const u8) -> Str {
    Str::from_meminfo(p.cast::<*mut MemInfo>().read_unaligned())
}

/// The str argument `i`.
pub(crate) unsafe fn str_arg(args: &Args, i: usize) -> Str {
    str_at(args.value(i))
}

/// The text of str argument `i`.
pub(crate) unsafe fn text_arg<'a>(args: &Args, i: usize) -> &'a str {
    str_arg(args, i).as_str()
}

/// The items of argument `i`, a list of strs or a tuple of strs.
pub(crate) unsafe fn strs_arg(args: &Args, i: usize) -> Vec<Str> {
    let (ty, p) = (args.ty(i), args.value(i));
    if ty.kind() == Kind::List {
        let l = List::from_meminfo(p.cast::<*mut MemInfo>().read_unaligned());
        (0..l.len()).map(|k| str_at(l.at(k))).collect()
    } else {
        let offsets = ty.repr().field_offsets();
        offsets.iter().map(|&o| str_at(p.add(o))).collect()
    }
}

unsafe fn write_ref(out: *mut u8, mi: *mut MemInfo) {
    out.cast::<*mut MemInfo>().write_unaligned(mi);
}

/// Writes a new string, `parts` one after the other.
pub(crate) unsafe fn write_str(out: *mut u8, parts: &[&str]) -> Result {
    let s = Str::concat(parts).ok_or_else(no_memory)?;
    write_ref(out, s.meminfo());
    Ok(())
}

/// Writes `part`, a piece of `s`: the shared string of one ASCII
/// character, `s` itself when it is all of it, else a new string.
pub(crate) unsafe fn write_part(out: *mut u8, s: Str, part: &str) -> Result {
    if let [c] = part.as_bytes() {
        // One ASCII character: the shared immortal string.
        write_ref(out, Str::ascii_char(*c).meminfo());
        return Ok(());
    }
    if part.len() != s.as_str().len() {
        return write_str(out, &[part]);
    }
    oxjit_rt_meminfo_incref(s.meminfo());
    write_ref(out, s.meminfo());
    Ok(())
}

/// Writes a new list (of type `out_type`) of new strings.
pub(crate) unsafe fn write_str_list(out: *mut u8, out_type: Desc, parts: &[&str]) -> Result {
    let item = out_type.list_item().expect("a list result");
    let l = List::new(item.words().as_ptr(), parts.len()).ok_or_else(no_memory)?;
    for p in parts {
        let s = Str::new(p);
        // The new string's reference moves into the list (room for every
        // part was made above).
        let pushed = s.is_some_and(|s| l.push_owned((&s.meminfo() as *const *mut MemInfo).cast()));
        if !pushed {
            if let Some(s) = s {
                oxjit_rt_meminfo_decref(s.meminfo());
            }
            oxjit_rt_meminfo_decref(l.meminfo());
            return Err(no_memory());
        }
    }
    write_ref(out, l.meminfo());
    Ok(())
}

/// Writes a new tuple (of type `out_type`) of new strings.
pub(crate) unsafe fn write_str_tuple(out: *mut u8, out_type: Desc, parts: &[&str]) -> Result {
    let mut made: Vec<Str> = Vec::with_capacity(parts.len());
    for p in parts {
        let Some(s) = Str::new(p) else {
            for s in made {
                oxjit_rt_meminfo_decref(s.meminfo());
            }
            return Err(no_memory());
        };
        made.push(s);
    }
    for (s, off) in made.into_iter().zip(out_type.repr().field_offsets()) {
        write_ref(out.add(off), s.meminfo());
    }
    Ok(())
}

pub(crate) unsafe fn write_bool(out: *mut u8, v: bool) -> Result {
    write_scalar(out, Bool(v as u8));
    Ok(())
}

pub(crate) unsafe fn write_int(out: *mut u8, v: i64) -> Result {
    write_scalar(out, v);
    Ok(())
}

/// The byte offset of code point `i` of `t` (its end when `i` is past it).
pub(crate) fn byte_at(t: &str, ascii: bool, i: usize) -> usize {
    if ascii {
        i.min(t.len())
    } else {
        t.char_indices().nth(i).map_or(t.len(), |(b, _)| b)
    }
}

/// The number of code points of `t`.
pub(crate) fn count_chars(t: &str, ascii: bool) -> usize {
    if ascii {
        t.len()
    } else {
        t.chars().count()
    }
}

/// `(parts)` a tuple of strs → their concatenation.
pub(crate) unsafe fn concat(out: *mut u8, args: &Args, _: Desc) -> Result {
    let parts = strs_arg(args, 0);
    write_str(out, &parts.iter().map(|s| s.as_str()).collect::<Vec<_>>())
}

/// `(s, n)` → `s * n` (empty for `n <= 0`).
pub(crate) unsafe fn repeat(out: *mut u8, args: &Args, _: Desc) -> Result {
    let s = str_arg(args, 0);
    let (t, n) = (s.as_str(), args.scalar::<i64>(1)?.max(0) as usize);
    if n == 1 || t.is_empty() {
        return write_part(out, s, if n == 0 { "" } else { t });
    }
    let total = t
        .len()
        .checked_mul(n)
        .filter(|&b| b <= isize::MAX as usize)
        .ok_or_else(|| raise("OverflowError", "repeated string is too long"))?;
    let mut r = text_buffer(total)?;
    for _ in 0..n {
        r.push_str(t);
    }
    write_str(out, &[&r])
}

/// `(sep, items)` → `sep.join(items)`.
pub(crate) unsafe fn join(out: *mut u8, args: &Args, _: Desc) -> Result {
    let (sep, items) = (text_arg(args, 0), strs_arg(args, 1));
    if let [only] = items[..] {
        return write_part(out, only, only.as_str());
    }
    let mut parts = Vec::with_capacity(2 * items.len());
    for (k, s) in items.iter().enumerate() {
        if k > 0 {
            parts.push(sep);
        }
        parts.push(s.as_str());
    }
    write_str(out, &parts)
}

/// `(a, b)` → `int64` -1, 0 or 1 in code point order (UTF-8's byte order
/// is the same).
pub(crate) unsafe fn cmp(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_int(out, text_arg(args, 0).cmp(text_arg(args, 1)) as i64)
}

/// `(a, b)` → `bool` `a == b`.
pub(crate) unsafe fn eq(out: *mut u8, args: &Args, _: Desc) -> Result {
    let (a, b) = (str_arg(args, 0), str_arg(args, 1));
    write_bool(out, a.meminfo() == b.meminfo() || a.as_str() == b.as_str())
}

/// `(s)` → `int64` the string's hash.
pub(crate) unsafe fn hash(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_int(out, str_arg(args, 0).hash() as i64)
}

/// `(s, i)` → `s[i]`.
pub(crate) unsafe fn get_item(out: *mut u8, args: &Args, _: Desc) -> Result {
    let s = str_arg(args, 0);
    let i = wrap(args.scalar::<i64>(1)?, s.len());
    if i < 0 || i >= s.len() as i64 {
        return Err(raise("IndexError", "string index out of range"));
    }
    let t = s.as_str();
    let at = s.byte_offset(i as usize);
    let width = t[at..].chars().next().map_or(0, char::len_utf8);
    write_part(out, s, &t[at..at + width])
}

/// `(s, start, stop, step)` → `s[start:stop:step]`.
pub(crate) unsafe fn slice(out: *mut u8, args: &Args, _: Desc) -> Result {
    let s = str_arg(args, 0);
    let (t, ascii) = (s.as_str(), s.is_ascii());
    let (start, step, count) =
        slice_indices(s.len(), args.scalar(1)?, args.scalar(2)?, args.scalar(3)?)?;
    if step == 1 || count <= 1 {
        let from = byte_at(t, ascii, start.max(0) as usize);
        let to = from + byte_at(&t[from..], ascii, count);
        return write_part(out, s, &t[from..to]);
    }
    let pick = |k: usize| (start + k as i64 * step) as usize;
    let r: String = if ascii {
        (0..count).map(|k| t.as_bytes()[pick(k)] as char).collect()
    } else {
        let chars: Vec<char> = t.chars().collect();
        (0..count).map(|k| chars[pick(k)]).collect()
    };
    write_str(out, &[&r])
}

/// `(s)` one character → `int64` its code point.
pub(crate) unsafe fn ord(out: *mut u8, args: &Args, _: Desc) -> Result {
    let s = str_arg(args, 0);
    match s.as_str().chars().next() {
        Some(c) if s.len() == 1 => write_int(out, c as i64),
        _ => Err(raise(
            "TypeError",
            format!(
                "ord() expected a character, but string of length {} found",
                s.len()
            ),
        )),
    }
}

/// `(i)` `int64` → the character with code point `i`.
pub(crate) unsafe fn chr(out: *mut u8, args: &Args, _: Desc) -> Result {
    let i = args.scalar::<i64>(0)?;
    if !(0..0x110000).contains(&i) {
        return Err(raise("ValueError", "chr() arg not in range(0x110000)"));
    }
    // UTF-8 cannot hold a lone surrogate, which Python's strs can.
    let c = char::from_u32(i as u32).ok_or_else(|| {
        raise(
            "ValueError",
            "chr() of a surrogate is not supported in compiled code",
        )
    })?;
    if c.is_ascii() {
        write_ref(out, Str::ascii_char(c as u8).meminfo());
        return Ok(());
    }
    write_str(out, &[c.encode_utf8(&mut [0; 4])])
}

/// Writes `s` with each character `c` (at byte `at`) replaced by what
/// `map(result, at, c)` appends.
unsafe fn write_mapped(
    out: *mut u8,
    args: &Args,
    mut map: impl FnMut(&mut String, &str, usize, char),
) -> Result {
    let t = text_arg(args, 0);
    let mut r = text_buffer(t.len())?;
    for (at, c) in t.char_indices() {
        map(&mut r, t, at, c);
    }
    write_str(out, &[&r])
}

pub(crate) unsafe fn upper(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_mapped(out, args, |r, _, _, c| unicode::push_upper(r, c))
}

pub(crate) unsafe fn lower(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_mapped(out, args, unicode::push_lower_at)
}

pub(crate) unsafe fn casefold(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_mapped(out, args, |r, _, _, c| unicode::push_fold(r, c))
}

pub(crate) unsafe fn swapcase(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_mapped(out, args, |r, t, at, c| {
        if unicode::is_upper(c) {
            unicode::push_lower_at(r, t, at, c)
        } else if unicode::is_lower(c) {
            unicode::push_upper(r, c)
        } else {
            r.push(c)
        }
    })
}

/// Title case after an uncased character, lower case after a cased one.
pub(crate) unsafe fn title(out: *mut u8, args: &Args, _: Desc) -> Result {
    let mut after_cased = false;
    write_mapped(out, args, |r, t, at, c| {
        if after_cased {
            unicode::push_lower_at(r, t, at, c)
        } else {
            unicode::push_title(r, c)
        }
        after_cased = unicode::is_cased(c);
    })
}

/// The first character in title case, the others in lower case.
pub(crate) unsafe fn capitalize(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_mapped(out, args, |r, t, at, c| {
        if at == 0 {
            unicode::push_title(r, c)
        } else {
            unicode::push_lower_at(r, t, at, c)
        }
    })
}

/// Writes `test(s)` for the str argument.
unsafe fn write_test(out: *mut u8, args: &Args, test: impl Fn(&str) -> bool) -> Result {
    write_bool(out, test(text_arg(args, 0)))
}

/// Whether `t` is not empty and every character is `p`.
fn every(t: &str, p: fn(char) -> bool) -> bool {
    !t.is_empty() && t.chars().all(p)
}

/// `isupper`/`islower`: some character is `want` and none is `other`.
fn cased_as(t: &str, want: fn(char) -> bool, other: fn(char) -> bool) -> bool {
    let mut cased = false;
    for c in t.chars() {
        if other(c) || unicode::is_title(c) {
            return false;
        }
        cased |= want(c);
    }
    cased
}

pub(crate) unsafe fn is_digit(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_test(out, args, |t| every(t, unicode::is_digit))
}

pub(crate) unsafe fn is_decimal(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_test(out, args, |t| every(t, unicode::is_decimal))
}

pub(crate) unsafe fn is_numeric(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_test(out, args, |t| every(t, unicode::is_numeric))
}

pub(crate) unsafe fn is_alpha(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_test(out, args, |t| every(t, unicode::is_alpha))
}

pub(crate) unsafe fn is_alnum(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_test(out, args, |t| every(t, unicode::is_alnum))
}

pub(crate) unsafe fn is_space(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_test(out, args, |t| every(t, unicode::is_space))
}

pub(crate) unsafe fn is_upper(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_test(out, args, |t| {
        cased_as(t, unicode::is_upper, unicode::is_lower)
    })
}

pub(crate) unsafe fn is_lower(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_test(out, args, |t| {
        cased_as(t, unicode::is_lower, unicode::is_upper)
    })
}

pub(crate) unsafe fn is_ascii(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_bool(out, str_arg(args, 0).is_ascii())
}

pub(crate) unsafe fn is_identifier(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_test(out, args, |t| {
        let mut chars = t.chars();
        chars.next().is_some_and(unicode::is_xid_start) && chars.all(unicode::is_xid_continue)
    })
}

/// Upper and title case characters only start words, lower case ones
/// only continue them, and there is at least one cased character.
pub(crate) unsafe fn is_title(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_test(out, args, |t| {
        let (mut cased, mut in_word) = (false, false);
        for c in t.chars() {
            if unicode::is_upper(c) || unicode::is_title(c) {
                if in_word {
                    return false;
                }
                (in_word, cased) = (true, true);
            } else if unicode::is_lower(c) {
                if !in_word {
                    return false;
                }
                (in_word, cased) = (true, true);
            } else {
                in_word = false;
            }
        }
        cased
    })
}

/// Writes `s` with `left` and `right` copies of `fill` around it.
unsafe fn write_padded(out: *mut u8, s: Str, left: usize, right: usize, fill: char) -> Result {
    let t = s.as_str();
    if left == 0 && right == 0 {
        return write_part(out, s, t);
    }
    let bytes = left
        .checked_add(right)
        .and_then(|n| n.checked_mul(fill.len_utf8()))
        .and_then(|n| n.checked_add(t.len()))
        .ok_or_else(no_memory)?;
    let mut r = text_buffer(bytes)?;
    r.extend(std::iter::repeat_n(fill, left));
    r.push_str(t);
    r.extend(std::iter::repeat_n(fill, right));
    write_str(out, &[&r])
}

/// The padding `(s, width, ...)` calls for: `width - len(s)`, or 0.
unsafe fn margin(args: &Args) -> Result<usize> {
    let width = args.scalar::<i64>(1)?;
    Ok(width.saturating_sub(str_arg(args, 0).len() as i64).max(0) as usize)
}

/// The one-character fill argument 2.
unsafe fn fill_arg(args: &Args) -> Result<char> {
    let f = str_arg(args, 2);
    match f.as_str().chars().next() {
        Some(c) if f.len() == 1 => Ok(c),
        _ => Err(raise(
            "TypeError",
            "The fill character must be exactly one character long",
        )),
    }
}

/// `(s, width, fill)` → `s.center(width, fill)`: CPython puts the odd
/// character on the left when the width is odd.
pub(crate) unsafe fn center(out: *mut u8, args: &Args, _: Desc) -> Result {
    let (marg, fill) = (margin(args)?, fill_arg(args)?);
    let left = marg / 2 + (marg & args.scalar::<i64>(1)? as usize & 1);
    write_padded(out, str_arg(args, 0), left, marg - left, fill)
}

pub(crate) unsafe fn ljust(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_padded(out, str_arg(args, 0), 0, margin(args)?, fill_arg(args)?)
}

pub(crate) unsafe fn rjust(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_padded(out, str_arg(args, 0), margin(args)?, 0, fill_arg(args)?)
}

/// `(s, width)` → `s.zfill(width)`: zeros on the left, after a sign.
pub(crate) unsafe fn zfill(out: *mut u8, args: &Args, _: Desc) -> Result {
    let s = str_arg(args, 0);
    let marg = margin(args)?;
    let t = s.as_str();
    match t.as_bytes().first() {
        Some(&sign @ (b'+' | b'-')) if marg > 0 => {
            let mut r = text_buffer(t.len().saturating_add(marg))?;
            r.push(sign as char);
            r.extend(std::iter::repeat_n('0', marg));
            r.push_str(&t[1..]);
            write_str(out, &[&r])
        }
        _ => write_padded(out, s, marg, 0, '0'),
    }
}

/// `(s, n)` → `s.expandtabs(n)`: each tab becomes the spaces up to the
/// next multiple of `n` columns (none when `n <= 0`); columns restart
/// after `\n` and `\r`.
pub(crate) unsafe fn expand_tabs(out: *mut u8, args: &Args, _: Desc) -> Result {
    let (t, size) = (text_arg(args, 0), args.scalar::<i64>(1)?);
    // The characters a character becomes: spaces for a tab.
    let advance = |col: &mut u64, c: char| {
        let n = match c {
            '\t' if size > 0 => size as u64 - *col % size as u64,
            '\t' => 0,
            _ => 1,
        };
        *col = if c == '\n' || c == '\r' { 0 } else { *col + n };
        n
    };
    // Measured first, as CPython does, so the size is checked before
    // anything is written.
    let (mut col, mut bytes) = (0u64, 0u64);
    for c in t.chars() {
        let n = advance(&mut col, c);
        bytes = bytes
            .checked_add(if c == '\t' { n } else { c.len_utf8() as u64 })
            .filter(|&b| b <= isize::MAX as u64)
            .ok_or_else(|| raise("OverflowError", "new string is too long"))?;
    }
    if !t.contains('\t') {
        return write_part(out, str_arg(args, 0), t);
    }
    let mut r = text_buffer(bytes as usize)?;
    col = 0;
    for c in t.chars() {
        let n = advance(&mut col, c);
        if c == '\t' {
            r.extend(std::iter::repeat_n(' ', n as usize));
        } else {
            r.push(c);
        }
    }
    write_str(out, &[&r])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::exceptions::take_dynamic;
    use oxjit_abi::desc::tag;

    /// An argument in memory form with its descriptor, kept alive for a call.
    pub(crate) enum Arg {
        Str(Str),
        Int(i64),
        Bool(bool),
        Float(f64),
        None,
        Strs(Vec<Str>),
    }

    impl Arg {
        pub(crate) fn s(text: &str) -> Arg {
            Arg::Str(Str::new(text).unwrap())
        }

        fn bytes(&self) -> Vec<u8> {
            match self {
                Arg::Str(s) => (s.meminfo() as usize).to_ne_bytes().to_vec(),
                Arg::Int(v) => v.to_ne_bytes().to_vec(),
                Arg::Bool(b) => vec![*b as u8],
                Arg::Float(v) => v.to_ne_bytes().to_vec(),
                Arg::None => vec![0],
                Arg::Strs(v) => v
                    .iter()
                    .flat_map(|s| (s.meminfo() as usize).to_ne_bytes())
                    .collect(),
            }
        }

        fn desc(&self) -> Vec<u64> {
            match self {
                Arg::Str(_) => vec![tag::STR],
                Arg::Int(_) => vec![tag::SCALAR, b'q' as u64],
                Arg::Bool(_) => vec![tag::SCALAR, b'?' as u64],
                Arg::Float(_) => vec![tag::SCALAR, b'd' as u64],
                Arg::None => vec![tag::NONE],
                Arg::Strs(v) => {
                    let mut d = vec![tag::TUPLE, v.len() as u64];
                    d.extend(std::iter::repeat_n(tag::STR, v.len()));
                    d
                }
            }
        }
    }

    impl Drop for Arg {
        fn drop(&mut self) {
            let strs = match self {
                Arg::Str(s) => vec![*s],
                Arg::Strs(v) => v.clone(),
                _ => vec![],
            };
            for s in strs {
                // SAFETY: each test argument owns one reference.
                unsafe { oxjit_rt_meminfo_decref(s.meminfo()) };
            }
        }
    }

    /// What a call left at `out`, by the result's descriptor.
    #[derive(Debug, PartialEq)]
    pub(crate) enum Out {
        Str(String),
        Int(i64),
        Bool(bool),
        Float(f64),
        Strs(Vec<String>),
        /// An exception: its class and message.
        Raised(String, String),
    }

    type Imp = unsafe fn(*mut u8, &Args, Desc) -> Result;

    /// Calls `f(args)` with a result of type `out` (`[STR]`, `[LIST, STR]`,
    /// a tuple of strs, or a scalar) and reads the result back, releasing it.
    pub(crate) fn call(f: Imp, args: &[Arg], out: &[u64]) -> Out {
        let bytes: Vec<Vec<u8>> = args.iter().map(Arg::bytes).collect();
        let descs: Vec<Vec<u64>> = args.iter().map(Arg::desc).collect();
        let values: Vec<*const u8> = bytes.iter().map(|b| b.as_ptr()).collect();
        let types: Vec<*const u64> = descs.iter().map(|d| d.as_ptr()).collect();
        let mut buf = [0u8; 64];
        // SAFETY: arguments and descriptors are well formed and outlive the call.
        unsafe {
            let a = Args::new(values.as_ptr(), types.as_ptr());
            if f(buf.as_mut_ptr(), &a, Desc::new(out)).is_err() {
                let e = take_dynamic().expect("an exception");
                let msg = match e.args.first() {
                    Some(oxjit_abi::exc::ExcArg::Str(m)) => m.clone(),
                    _ => String::new(),
                };
                return Out::Raised(e.class, msg);
            }
            let p = buf.as_ptr();
            let take = |p: *const u8| {
                let s = str_at(p);
                let text = s.as_str().to_string();
                assert_eq!(s.len(), text.chars().count());
                oxjit_rt_meminfo_decref(s.meminfo());
                text
            };
            match Desc::new(out).kind() {
                Kind::Str => Out::Str(take(p)),
                Kind::List => {
                    let l = List::from_meminfo(p.cast::<*mut MemInfo>().read_unaligned());
                    let items = (0..l.len())
                        .map(|k| str_at(l.at(k)).as_str().to_string())
                        .collect();
                    oxjit_rt_meminfo_decref(l.meminfo());
                    Out::Strs(items)
                }
                Kind::Tuple => Out::Strs(
                    Desc::new(out)
                        .repr()
                        .field_offsets()
                        .iter()
                        .map(|&o| take(p.add(o)))
                        .collect(),
                ),
                _ => match out[1] as u8 {
                    b'?' => Out::Bool(*p != 0),
                    b'd' => Out::Float(p.cast::<f64>().read_unaligned()),
                    _ => Out::Int(p.cast::<i64>().read_unaligned()),
                },
            }
        }
    }

    pub(crate) const STR: &[u64] = &[tag::STR];
    pub(crate) const STR_LIST: &[u64] = &[tag::LIST, tag::STR];
    pub(crate) const INT: &[u64] = &[tag::SCALAR, b'q' as u64];
    pub(crate) const BOOL: &[u64] = &[tag::SCALAR, b'?' as u64];
    pub(crate) const FLOAT: &[u64] = &[tag::SCALAR, b'd' as u64];

    pub(crate) fn text(t: &str) -> Out {
        Out::Str(t.into())
    }

    pub(crate) fn raised(class: &str, msg: &str) -> Out {
        Out::Raised(class.into(), msg.into())
    }

    fn strs(f: Imp, s: &str) -> Out {
        call(f, &[Arg::s(s)], STR)
    }

    #[test]
    fn building_and_comparing() {
        let parts = Arg::Strs(["ab", "", "é"].map(|t| Str::new(t).unwrap()).to_vec());
        assert_eq!(call(concat, &[parts], STR), text("abé"));
        assert_eq!(
            call(repeat, &[Arg::s("ab"), Arg::Int(3)], STR),
            text("ababab")
        );
        assert_eq!(call(repeat, &[Arg::s("ab"), Arg::Int(-1)], STR), text(""));
        assert_eq!(
            call(repeat, &[Arg::s("ab"), Arg::Int(i64::MAX)], STR),
            raised("OverflowError", "repeated string is too long")
        );
        let items = Arg::Strs(["a", "b", "c"].map(|t| Str::new(t).unwrap()).to_vec());
        assert_eq!(call(join, &[Arg::s(", "), items], STR), text("a, b, c"));
        assert_eq!(call(cmp, &[Arg::s("a"), Arg::s("a\0")], INT), Out::Int(-1));
        assert_eq!(call(cmp, &[Arg::s("é"), Arg::s("z")], INT), Out::Int(1));
        assert_eq!(call(eq, &[Arg::s("é"), Arg::s("é")], BOOL), Out::Bool(true));
    }

    #[test]
    fn indexing_and_slicing_count_code_points() {
        let item = |s, i| call(get_item, &[Arg::s(s), Arg::Int(i)], STR);
        assert_eq!(item("héllo", 1), text("é"));
        assert_eq!(item("héllo", -1), text("o"));
        assert_eq!(
            item("abc", 3),
            raised("IndexError", "string index out of range")
        );
        let sl = |s, a, b, c| {
            call(
                slice,
                &[Arg::s(s), Arg::Int(a), Arg::Int(b), Arg::Int(c)],
                STR,
            )
        };
        const NO: i64 = i64::MIN;
        assert_eq!(sl("héllo", 1, 3, 1), text("él"));
        assert_eq!(sl("héllo", NO, NO, -1), text("olléh"));
        assert_eq!(sl("abcdef", NO, NO, -2), text("fdb"));
        assert_eq!(sl("abcdef", -2, 0, -1), text("edcb"));
        assert_eq!(sl("abcdef", 10, NO, -3), text("fc"));
        assert_eq!(sl("abc", NO, NO, i64::MIN + 1), text("c"));
        assert_eq!(sl("abc", 2, 1, 1), text(""));
        assert_eq!(
            sl("abc", NO, NO, 0),
            raised("ValueError", "slice step cannot be zero")
        );
        assert_eq!(call(ord, &[Arg::s("é")], INT), Out::Int(233));
        assert_eq!(
            call(ord, &[Arg::s("abc")], INT),
            raised(
                "TypeError",
                "ord() expected a character, but string of length 3 found"
            )
        );
        assert_eq!(call(chr, &[Arg::Int(0x1F600)], STR), text("😀"));
        assert_eq!(
            call(chr, &[Arg::Int(0x110000)], STR),
            raised("ValueError", "chr() arg not in range(0x110000)")
        );
        assert!(
            matches!(call(chr, &[Arg::Int(0xD800)], STR), Out::Raised(c, _) if c == "ValueError")
        );
    }

    #[test]
    fn case_maps_are_pythons() {
        assert_eq!(strs(upper, "straße"), text("STRASSE"));
        assert_eq!(strs(lower, "ΟΔΟΣ ΟΔΟΣ."), text("οδος οδος."));
        assert_eq!(strs(lower, "ΣΑ Σ"), text("σα σ"));
        assert_eq!(strs(casefold, "Straße ΣΑΣ"), text("strasse σασ"));
        assert_eq!(strs(swapcase, "aBΣ ǅ"), text("Abς ǅ"));
        assert_eq!(
            strs(title, "hello wORLD 3rd ǆx ßa"),
            text("Hello World 3Rd ǅx Ssa")
        );
        assert_eq!(strs(title, "they're"), text("They'Re"));
        assert_eq!(strs(capitalize, "ǆOΣ"), text("ǅoς"));
        assert_eq!(strs(capitalize, ""), text(""));
    }

    #[test]
    fn predicates_are_pythons() {
        let is = |f: Imp, s: &str| call(f, &[Arg::s(s)], BOOL) == Out::Bool(true);
        assert!(is(is_digit, "²3") && !is(is_decimal, "²3") && is(is_numeric, "½一"));
        assert!(!is(is_digit, "") && is(is_ascii, "") && !is(is_ascii, "é"));
        assert!(is(is_alpha, "héllo") && !is(is_alpha, "a1") && is(is_alnum, "a1½"));
        assert!(is(is_space, " \t\x1c\u{3000}") && !is(is_space, " a"));
        assert!(is(is_upper, "ABC1") && !is(is_upper, "ABc") && !is(is_upper, "123"));
        assert!(is(is_lower, "abc1") && !is(is_lower, "aǅ"));
        assert!(is(is_title, "Hello World") && is(is_title, "ǅa") && !is(is_title, "HEllo"));
        assert!(!is(is_title, "hello") && !is(is_title, "1"));
        assert!(is(is_identifier, "_héllo1") && !is(is_identifier, "1a") && !is(is_identifier, ""));
    }

    #[test]
    fn padding_is_pythons() {
        let pad = |f: Imp, s, w| call(f, &[Arg::s(s), Arg::Int(w), Arg::s("*")], STR);
        assert_eq!(pad(center, "ab", 5), text("**ab*"));
        assert_eq!(pad(center, "abc", 6), text("*abc**"));
        assert_eq!(pad(center, "a", 4), text("*a**"));
        assert_eq!(pad(center, "ab", 7), text("***ab**"));
        assert_eq!(pad(ljust, "é", 3), text("é**"));
        assert_eq!(pad(rjust, "abc", 2), text("abc"));
        assert_eq!(
            call(center, &[Arg::s("a"), Arg::Int(3), Arg::s("ab")], STR),
            raised(
                "TypeError",
                "The fill character must be exactly one character long"
            )
        );
        assert!(matches!(pad(center, "a", i64::MAX), Out::Raised(c, _) if c == "MemoryError"));
        let z = |s, w| call(zfill, &[Arg::s(s), Arg::Int(w)], STR);
        assert_eq!(
            (z("-42", 6), z("+x", 4), z("42", 1)),
            (text("-00042"), text("+00x"), text("42"))
        );
        let tabs = |s, n| call(expand_tabs, &[Arg::s(s), Arg::Int(n)], STR);
        assert_eq!(tabs("a\tbc\td\n\tx", 4), text("a   bc  d\n    x"));
        assert_eq!(tabs("a\tb", 0), text("ab"));
        assert_eq!(
            tabs("\t\t", i64::MAX),
            raised("OverflowError", "new string is too long")
        );
    }
}

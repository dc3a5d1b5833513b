//! Searching strs and cutting them where something is found: `find` and
//! its relatives, `in`, `startswith`/`endswith`, the `split` family,
//! `strip`, `replace` and `partition`, each with CPython's edge cases.
//! Matching works on UTF-8 bytes (a match of valid UTF-8 in valid UTF-8
//! always falls on character boundaries); positions are converted to
//! code points only where Python reports them.

use oxjit_abi::desc::{Desc, Kind};

use super::strs::{
    byte_at, count_chars, str_arg, strs_arg, text_arg, text_buffer, write_bool, write_int,
    write_part, write_str, write_str_list, write_str_tuple,
};
use super::{raise, Args, Raise, Result};
use crate::str::Str;
use crate::unicode::{find_space, is_line_break, is_space};

/// CPython's `ADJUST_INDICES` of `s[start:end]` for a string of `len`
/// code points (`i64::MIN` an absent bound): negative bounds count from
/// the end, then are clamped at 0; `end` is clamped at `len`, `start`
/// is not (a start past the end finds nothing, not even `""`).
fn window(start: i64, end: i64, len: usize) -> (i64, i64) {
    let n = len as i64;
    let from_end = |v: i64| if v < 0 { (v + n).max(0) } else { v };
    let start = if start == i64::MIN {
        0
    } else {
        from_end(start)
    };
    let end = if end == i64::MIN {
        n
    } else {
        from_end(end).min(n)
    };
    (start, end)
}

/// The text of `s[start:end]` for a window with `start <= end`.
fn window_text(s: Str, start: i64, end: i64) -> &'static str {
    let (t, ascii) = (s.as_str(), s.is_ascii());
    let from = byte_at(t, ascii, start as usize);
    &t[from..from + byte_at(&t[from..], ascii, (end - start) as usize)]
}

#[derive(Clone, Copy, PartialEq)]
enum Find {
    First,
    Last,
    Count,
}

/// `s.find`/`rfind` (a position or -1) or `s.count` of `sub` in
/// `s[start:end]`, the arguments `(s, sub, start, end)`.
unsafe fn search(args: &Args, how: Find) -> Result<i64> {
    let (s, sub) = (str_arg(args, 0), str_arg(args, 1));
    let (start, end) = window(args.scalar(2)?, args.scalar(3)?, s.len());
    if end - start < sub.len() as i64 {
        return Ok(if how == Find::Count { 0 } else { -1 });
    }
    let (hay, sub) = (window_text(s, start, end), sub.as_str());
    let at = |b: usize| start + count_chars(&hay[..b], s.is_ascii()) as i64;
    Ok(match how {
        Find::Count if sub.is_empty() => end - start + 1,
        Find::Count => hay.matches(sub).count() as i64,
        Find::First => hay.find(sub).map_or(-1, at),
        Find::Last => hay.rfind(sub).map_or(-1, at),
    })
}

/// `index`/`rindex`: `find`'s position, `ValueError` when there is none.
unsafe fn write_found(out: *mut u8, at: i64) -> Result {
    if at < 0 {
        return Err(raise("ValueError", "substring not found"));
    }
    write_int(out, at)
}

pub(crate) unsafe fn find(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_int(out, search(args, Find::First)?)
}

pub(crate) unsafe fn rfind(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_int(out, search(args, Find::Last)?)
}

pub(crate) unsafe fn index(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_found(out, search(args, Find::First)?)
}

pub(crate) unsafe fn rindex(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_found(out, search(args, Find::Last)?)
}

pub(crate) unsafe fn count(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_int(out, search(args, Find::Count)?)
}

/// `(s, sub)` → `bool` `sub in s`.
pub(crate) unsafe fn contains(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_bool(out, text_arg(args, 0).contains(text_arg(args, 1)))
}

/// `startswith`/`endswith` of `(s, affix, start, end)`, `affix` a str or
/// a tuple of strs (any of them).
unsafe fn affix_match(out: *mut u8, args: &Args, at_end: bool) -> Result {
    let s = str_arg(args, 0);
    let (start, end) = window(args.scalar(2)?, args.scalar(3)?, s.len());
    let affixes = if args.ty(1).kind() == Kind::Str {
        vec![str_arg(args, 1)]
    } else {
        strs_arg(args, 1)
    };
    let hay = if start <= end {
        window_text(s, start, end)
    } else {
        ""
    };
    let hit = |a: Str| {
        end - start >= a.len() as i64
            && if at_end {
                hay.ends_with(a.as_str())
            } else {
                hay.starts_with(a.as_str())
            }
    };
    write_bool(out, affixes.into_iter().any(hit))
}

pub(crate) unsafe fn starts_with(out: *mut u8, args: &Args, _: Desc) -> Result {
    affix_match(out, args, false)
}

pub(crate) unsafe fn ends_with(out: *mut u8, args: &Args, _: Desc) -> Result {
    affix_match(out, args, true)
}

fn empty_separator() -> Raise {
    raise("ValueError", "empty separator")
}

/// Splits `t` at runs of whitespace into at most `max + 1` non-empty
/// pieces, from the left or the right; the last piece cut keeps what
/// follows it (less the whitespace at the cut).
fn split_whitespace(t: &str, max: usize, from_right: bool) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = t;
    loop {
        rest = if from_right {
            rest.trim_end_matches(is_space)
        } else {
            &rest[find_space(rest, false).unwrap_or(rest.len())..]
        };
        if rest.is_empty() {
            break;
        }
        if pieces.len() == max {
            pieces.push(rest);
            break;
        }
        let (piece, left) = if from_right {
            let at = rest
                .char_indices()
                .rev()
                .find(|&(_, c)| is_space(c))
                .map_or(0, |(b, c)| b + c.len_utf8());
            (&rest[at..], &rest[..at])
        } else {
            let at = find_space(rest, true).unwrap_or(rest.len());
            (&rest[..at], &rest[at..])
        };
        pieces.push(piece);
        rest = left;
    }
    if from_right {
        pieces.reverse();
    }
    pieces
}

/// `split`/`rsplit` of `(s, sep, maxsplit)`: at `sep` (empty pieces
/// kept), or at runs of whitespace when `sep` is `none`; at most
/// `maxsplit` cuts (all when negative).
unsafe fn split_at(out: *mut u8, args: &Args, out_type: Desc, from_right: bool) -> Result {
    let t = text_arg(args, 0);
    let max = usize::try_from(args.scalar::<i64>(2)?).unwrap_or(usize::MAX);
    let pieces: Vec<&str> = if args.ty(1).kind() != Kind::Str {
        split_whitespace(t, max, from_right)
    } else {
        let sep = text_arg(args, 1);
        if sep.is_empty() {
            return Err(empty_separator());
        }
        let n = max.saturating_add(1);
        if from_right {
            let mut v: Vec<&str> = t.rsplitn(n, sep).collect();
            v.reverse();
            v
        } else {
            t.splitn(n, sep).collect()
        }
    };
    write_str_list(out, out_type, &pieces)
}

pub(crate) unsafe fn split(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    split_at(out, args, out_type, false)
}

pub(crate) unsafe fn rsplit(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    split_at(out, args, out_type, true)
}

/// `(s, keepends)` → the lines of `s`, cut after each line boundary
/// (`\r\n` is one), with or without it.
pub(crate) unsafe fn split_lines(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    let (mut rest, keep) = (text_arg(args, 0), args.scalar::<i64>(1)? != 0);
    let mut lines = Vec::new();
    while !rest.is_empty() {
        let Some((at, c)) = rest.char_indices().find(|&(_, c)| is_line_break(c)) else {
            lines.push(rest);
            break;
        };
        let brk = if rest[at..].starts_with("\r\n") {
            2
        } else {
            c.len_utf8()
        };
        lines.push(&rest[..if keep { at + brk } else { at }]);
        rest = &rest[at + brk..];
    }
    write_str_list(out, out_type, &lines)
}

/// `strip`/`lstrip`/`rstrip` of `(s, chars)`: the characters of `chars`,
/// or whitespace when it is `none`, removed from the chosen ends.
unsafe fn strip_ends(out: *mut u8, args: &Args, left: bool, right: bool) -> Result {
    let s = str_arg(args, 0);
    let chars = (args.ty(1).kind() == Kind::Str).then(|| text_arg(args, 1));
    let strip = |c: char| chars.map_or_else(|| is_space(c), |set| set.contains(c));
    let mut t = s.as_str();
    if left {
        t = t.trim_start_matches(strip);
    }
    if right {
        t = t.trim_end_matches(strip);
    }
    write_part(out, s, t)
}

pub(crate) unsafe fn strip(out: *mut u8, args: &Args, _: Desc) -> Result {
    strip_ends(out, args, true, true)
}

pub(crate) unsafe fn lstrip(out: *mut u8, args: &Args, _: Desc) -> Result {
    strip_ends(out, args, true, false)
}

pub(crate) unsafe fn rstrip(out: *mut u8, args: &Args, _: Desc) -> Result {
    strip_ends(out, args, false, true)
}

/// `(s, old, new, count)` → `s.replace(old, new, count)`: the first
/// `count` (all when negative) occurrences of `old` replaced; an empty
/// `old` occurs before every character and at the end.
pub(crate) unsafe fn replace(out: *mut u8, args: &Args, _: Desc) -> Result {
    let s = str_arg(args, 0);
    let (t, old, new) = (s.as_str(), text_arg(args, 1), text_arg(args, 2));
    let max = usize::try_from(args.scalar::<i64>(3)?).unwrap_or(usize::MAX);
    let n = if old.is_empty() {
        s.len() + 1
    } else {
        t.matches(old).count()
    }
    .min(max);
    if n == 0 {
        return write_part(out, s, t);
    }
    let bytes = (t.len() - n * old.len())
        .checked_add(n.saturating_mul(new.len()))
        .filter(|&b| b <= isize::MAX as usize)
        .ok_or_else(|| raise("OverflowError", "replace string is too long"))?;
    let mut r = text_buffer(bytes)?;
    let mut last = 0;
    for (at, m) in t.match_indices(old).take(n) {
        r.push_str(&t[last..at]);
        r.push_str(new);
        last = at + m.len();
    }
    r.push_str(&t[last..]);
    write_str(out, &[&r])
}

/// `partition`/`rpartition` of `(s, sep)`: the parts before, at and
/// after the first (last) `sep`; not found, `s` and two empty strings
/// (two empty strings and `s`).
unsafe fn partition_at(out: *mut u8, args: &Args, out_type: Desc, from_right: bool) -> Result {
    let (t, sep) = (text_arg(args, 0), text_arg(args, 1));
    if sep.is_empty() {
        return Err(empty_separator());
    }
    let found = if from_right {
        t.rfind(sep)
    } else {
        t.find(sep)
    };
    let parts = match found {
        Some(at) => [&t[..at], sep, &t[at + sep.len()..]],
        None if from_right => ["", "", t],
        None => [t, "", ""],
    };
    write_str_tuple(out, out_type, &parts)
}

pub(crate) unsafe fn partition(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    partition_at(out, args, out_type, false)
}

pub(crate) unsafe fn rpartition(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    partition_at(out, args, out_type, true)
}

#[cfg(test)]
mod tests {
    use super::super::strs::tests::{call, raised, text, Arg, Out, BOOL, INT, STR, STR_LIST};
    use super::*;
    use oxjit_abi::desc::tag;

    const NO: i64 = i64::MIN;

    fn strs(v: &[&str]) -> Out {
        Out::Strs(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn find_clamps_its_bounds_as_python() {
        type Imp = unsafe fn(*mut u8, &Args, Desc) -> Result;
        let f = |imp: Imp, s, sub, a, b| {
            call(
                imp,
                &[Arg::s(s), Arg::s(sub), Arg::Int(a), Arg::Int(b)],
                INT,
            )
        };
        assert_eq!(f(find, "abc", "", 5, NO), Out::Int(-1));
        assert_eq!(f(find, "abc", "", 3, NO), Out::Int(3));
        assert_eq!(f(rfind, "abc", "", NO, NO), Out::Int(3));
        assert_eq!(f(find, "héllo héllo", "llo", 4, NO), Out::Int(8));
        assert_eq!(f(rfind, "héllo héllo", "é", NO, -3), Out::Int(7));
        assert_eq!(f(find, "abcabc", "c", -4, -1), Out::Int(2));
        assert_eq!(f(find, "abc", "c", NO, 2), Out::Int(-1));
        assert_eq!(f(count, "abc", "", NO, NO), Out::Int(4));
        assert_eq!(f(count, "abc", "", 1, 2), Out::Int(2));
        assert_eq!(f(count, "abc", "", 4, NO), Out::Int(0));
        assert_eq!(f(count, "aaaa", "aa", NO, NO), Out::Int(2));
        assert_eq!(f(count, "ééé", "é", 1, NO), Out::Int(2));
        assert_eq!(f(index, "abc", "b", NO, NO), Out::Int(1));
        assert_eq!(
            f(rindex, "abc", "d", NO, NO),
            raised("ValueError", "substring not found")
        );
    }

    #[test]
    fn affixes_take_a_str_or_a_tuple() {
        let f = |imp: unsafe fn(*mut u8, &Args, Desc) -> Result, s, a: Arg, lo, hi| {
            call(imp, &[Arg::s(s), a, Arg::Int(lo), Arg::Int(hi)], BOOL) == Out::Bool(true)
        };
        assert!(f(starts_with, "héllo", Arg::s("hé"), NO, NO));
        assert!(f(starts_with, "héllo", Arg::s("ll"), 2, NO));
        assert!(!f(starts_with, "abc", Arg::s(""), 4, NO));
        assert!(f(starts_with, "abc", Arg::s(""), 3, NO));
        assert!(f(ends_with, "héllo", Arg::s("é"), NO, 2));
        let tuple = |v: &[&str]| Arg::Strs(v.iter().map(|t| Str::new(t).unwrap()).collect());
        assert!(f(ends_with, "a.py", tuple(&[".c", ".py"]), NO, NO));
        assert!(!f(ends_with, "a.py", tuple(&[]), NO, NO));
        assert!(call(contains, &[Arg::s("héllo"), Arg::s("él")], BOOL) == Out::Bool(true));
    }

    #[test]
    fn splits_are_pythons() {
        let sp = |imp: unsafe fn(*mut u8, &Args, Desc) -> Result, s, sep: Arg, n| {
            call(imp, &[Arg::s(s), sep, Arg::Int(n)], STR_LIST)
        };
        assert_eq!(
            sp(split, "  a  b c ", Arg::None, -1),
            strs(&["a", "b", "c"])
        );
        assert_eq!(sp(split, "  a  b c ", Arg::None, 1), strs(&["a", "b c "]));
        assert_eq!(
            sp(rsplit, "  a  b c ", Arg::None, 1),
            strs(&["  a  b", "c"])
        );
        assert_eq!(sp(split, " \u{3000} ", Arg::None, -1), strs(&[]));
        assert_eq!(
            sp(split, "a\x1cb\u{85}c", Arg::None, -1),
            strs(&["a", "b", "c"])
        );
        assert_eq!(
            sp(split, "a,,b,", Arg::s(","), -1),
            strs(&["a", "", "b", ""])
        );
        assert_eq!(sp(split, "a,b,c", Arg::s(","), 1), strs(&["a", "b,c"]));
        assert_eq!(sp(rsplit, "a,b,c", Arg::s(","), 1), strs(&["a,b", "c"]));
        assert_eq!(sp(rsplit, "aaa", Arg::s("aa"), -1), strs(&["a", ""]));
        assert_eq!(sp(split, "", Arg::s(","), -1), strs(&[""]));
        assert_eq!(sp(split, "abc", Arg::s(","), 0), strs(&["abc"]));
        assert_eq!(
            sp(split, "a", Arg::s(""), -1),
            raised("ValueError", "empty separator")
        );
        let lines = |s, keep| call(split_lines, &[Arg::s(s), Arg::Bool(keep)], STR_LIST);
        assert_eq!(
            lines("a\r\nb\rc\n\nd\u{2028}e\x0c", false),
            strs(&["a", "b", "c", "", "d", "e"])
        );
        assert_eq!(lines("a\r\nb\n", true), strs(&["a\r\n", "b\n"]));
        assert_eq!(lines("", true), strs(&[]));
    }

    #[test]
    fn strip_replace_and_partition_are_pythons() {
        let st = |imp: unsafe fn(*mut u8, &Args, Desc) -> Result, s, chars: Arg| {
            call(imp, &[Arg::s(s), chars], STR)
        };
        assert_eq!(st(strip, "\u{a0} a b\x1f\n", Arg::None), text("a b"));
        assert_eq!(st(lstrip, "xyaxy", Arg::s("yx")), text("axy"));
        assert_eq!(st(rstrip, "éaé", Arg::s("é")), text("éa"));
        let rep = |s, old, new, n| {
            call(
                replace,
                &[Arg::s(s), Arg::s(old), Arg::s(new), Arg::Int(n)],
                STR,
            )
        };
        assert_eq!(rep("aaa", "a", "bb", -1), text("bbbbbb"));
        assert_eq!(rep("aaa", "a", "b", 2), text("bba"));
        assert_eq!(rep("abc", "", "-", -1), text("-a-b-c-"));
        assert_eq!(rep("éé", "", "-", 2), text("-é-é"));
        assert_eq!(rep("", "", "x", -1), text("x"));
        assert_eq!(rep("abc", "b", "", 0), text("abc"));
        let tuple3 = [tag::TUPLE, 3, tag::STR, tag::STR, tag::STR];
        let part = |imp: unsafe fn(*mut u8, &Args, Desc) -> Result, s, sep| {
            call(imp, &[Arg::s(s), Arg::s(sep)], &tuple3)
        };
        assert_eq!(part(partition, "a=b=c", "="), strs(&["a", "=", "b=c"]));
        assert_eq!(part(rpartition, "a=b=c", "="), strs(&["a=b", "=", "c"]));
        assert_eq!(part(partition, "abc", "="), strs(&["abc", "", ""]));
        assert_eq!(part(rpartition, "abc", "="), strs(&["", "", "abc"]));
        assert_eq!(
            part(partition, "abc", ""),
            raised("ValueError", "empty separator")
        );
    }
}

//! Numbers, strs and tuples of them as words of an order-preserving code:
//! the sort keys of lists, and the hash and equality keys of dicts and
//! sets ([`KeyType`]; `KeyError` names a key with [`key_error`]). An
//! item's *leaves* are the numbers and strs it is made of (tuples
//! flattened, in order). A number becomes one or two unsigned words whose
//! order is NumPy's total order on it (NaN last, `-0.0` equal to `0.0`,
//! complex numbers as (real, imaginary)); a str becomes its UTF-8 bytes,
//! seven to a word (see [`str_words`]), whose order is Python's. So items
//! compare, hash and test equal as word sequences, with the type looked
//! at once per item type rather than per comparison.

use oxjit_abi::desc::{Desc, Kind};
use oxjit_abi::exc::{ExcArg, ExcSpec};

use super::strs::str_at;
use super::{with_dtype, Elem, Raise, Result, Wide};
use crate::exceptions::raise_dynamic;

/// The leaf type of a str (not a NumPy type character).
pub(crate) const STR_LEAF: u8 = b'U';

/// The words of a str: seven bytes to a word, big-endian in its high
/// bytes, and in the low byte 8 when more words follow, else the number
/// of bytes this word holds (0 to 7). The code is order-preserving and
/// prefix-free: `"a" < "a\0" < "ab"` as words too, and a str's words
/// never begin another's, so in a tuple the leaf after a str is compared
/// only when the strs are equal.
pub(crate) fn str_words(bytes: &[u8], mut f: impl FnMut(u64)) {
    if bytes.is_empty() {
        return f(0);
    }
    let n = bytes.len().div_ceil(7);
    for (k, c) in bytes.chunks(7).enumerate() {
        f(word(c, if k + 1 < n { 8 } else { c.len() as u64 }));
    }
}

fn word(chunk: &[u8], tag: u64) -> u64 {
    let mut b = [0u8; 8];
    b[..chunk.len()].copy_from_slice(chunk);
    u64::from_be_bytes(b) | tag
}

/// A scalar in memory at `p` of NumPy type `dtype`, widened.
pub(crate) unsafe fn wide(p: *const u8, dtype: u8) -> Result<Wide> {
    with_dtype!(dtype, T => Ok(p.cast::<T>().read_unaligned().widen()))
}

/// The leaves of an item of type `t`: (byte offset, NumPy type or
/// [`STR_LEAF`]).
pub(crate) fn leaves(t: Desc) -> Vec<(usize, u8)> {
    fn walk(t: Desc, base: usize, out: &mut Vec<(usize, u8)>) {
        match t.kind() {
            Kind::Scalar => out.push((base, t.dtype())),
            Kind::Str => out.push((base, STR_LEAF)),
            Kind::Tuple => {
                for (it, off) in t.items().iter().zip(t.repr().field_offsets()) {
                    walk(*it, base + off, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(t, 0, &mut out);
    out
}

/// Passes the words of the item at `p`, whose leaves are `leaves`, to `f`.
pub(crate) unsafe fn words(p: *const u8, leaves: &[(usize, u8)], mut f: impl FnMut(u64)) {
    const SIGN: u64 = 1 << 63;
    let float = |x: f64| {
        if x.is_nan() {
            return u64::MAX;
        }
        let bits = (x + 0.0).to_bits();
        if bits & SIGN != 0 {
            !bits
        } else {
            bits | SIGN
        }
    };
    for &(off, dtype) in leaves {
        if dtype == STR_LEAF {
            str_words(str_at(p.add(off)).as_str().as_bytes(), &mut f);
            continue;
        }
        match wide(p.add(off), dtype) {
            Ok(Wide::Bool(b)) => f(b as u64),
            Ok(Wide::Int(i)) => f(i as u64 ^ SIGN),
            Ok(Wide::UInt(u)) => f(u),
            Ok(Wide::Float(x)) => f(float(x)),
            Ok(Wide::Complex(re, im)) => {
                f(float(re));
                f(float(im))
            }
            Err(_) => {}
        }
    }
}

/// A dict's key type or a set's item type, looked at once: how its
/// values are laid out and when two of them are the same key.
pub(crate) struct KeyType {
    /// The numbers and strs a key is made of (see [`leaves`]).
    pub leaves: Vec<(usize, u8)>,
    pub size: usize,
    /// The byte offsets of the references a key holds.
    pub refs: Vec<usize>,
    /// Integers (or tuples of them) with no padding: equal keys have
    /// equal bytes, so they compare (and may hash) as bytes.
    pub bytewise: bool,
    /// A str: compared by text, skipping the words.
    pub is_str: bool,
}

impl KeyType {
    pub fn new(t: Desc) -> KeyType {
        let leaves = leaves(t);
        let size = t.repr().size_align().0;
        let int_bytes: usize = leaves
            .iter()
            .map(|&(_, c)| match c {
                b'?' | b'b' | b'B' => 1,
                b'h' | b'H' => 2,
                b'i' | b'I' => 4,
                b'l' | b'L' | b'q' | b'Q' => 8,
                _ => usize::MAX / 2,
            })
            .sum();
        KeyType {
            bytewise: int_bytes == size,
            is_str: leaves == [(0, STR_LEAF)],
            refs: t.repr().meminfo_offsets(),
            leaves,
            size,
        }
    }

    /// Whether the keys at `a` and `b` are equal: numbers by value (`-0.0`
    /// is `0.0`, and NaN equals NaN, so a NaN key can be found again, as
    /// the same NaN object can be in Python), strs by text.
    ///
    /// # Safety
    /// `a` and `b` hold keys of this type.
    #[inline]
    pub unsafe fn eq(&self, a: *const u8, b: *const u8) -> bool {
        if self.is_str {
            let (a, b) = (str_at(a), str_at(b));
            return a.meminfo() == b.meminfo() || a.as_str() == b.as_str();
        }
        if self.bytewise {
            let n = self.size;
            if n == 8 {
                return a.cast::<u64>().read_unaligned() == b.cast::<u64>().read_unaligned();
            }
            return std::slice::from_raw_parts(a, n) == std::slice::from_raw_parts(b, n);
        }
        let leaves = &self.leaves;
        if let [(_, dtype)] = leaves[..] {
            debug_assert!(dtype != STR_LEAF, "str keys take the fast path");
            // One number: compare its words without collecting them.
            let (mut x, mut y) = ([0u64; 2], [0u64; 2]);
            let mut i = 0;
            words(a, leaves, |w| {
                x[i] = w;
                i += 1
            });
            i = 0;
            words(b, leaves, |w| {
                y[i] = w;
                i += 1
            });
            return x == y;
        }
        let (mut wa, mut wb) = (Vec::new(), Vec::new());
        words(a, leaves, |w| wa.push(w));
        words(b, leaves, |w| wb.push(w));
        wa == wb
    }
}

/// A key as an exception argument (`KeyError(key)`).
unsafe fn key_arg(p: *const u8, t: Desc) -> ExcArg {
    match t.kind() {
        Kind::Scalar => match wide(p, t.dtype()) {
            Ok(Wide::Bool(b)) => ExcArg::Bool(b),
            Ok(Wide::Int(v)) => ExcArg::Int(v),
            Ok(Wide::UInt(v)) => ExcArg::Int(v as i64),
            Ok(Wide::Float(v)) => ExcArg::Float(v),
            Ok(Wide::Complex(re, im)) => ExcArg::Str(format!("({re}+{im}j)")),
            Err(_) => ExcArg::None,
        },
        Kind::Str => ExcArg::Str(str_at(p).as_str().into()),
        Kind::Tuple => ExcArg::Tuple(
            t.items()
                .iter()
                .zip(t.repr().field_offsets())
                .map(|(it, off)| key_arg(p.add(off), *it))
                .collect(),
        ),
        _ => ExcArg::None,
    }
}

/// Raises Python's `KeyError(key)` for the key of type `t` at `key` (a
/// dict's missing key, a set's missing item).
///
/// # Safety
/// `key` holds a value of type `t`.
pub(crate) unsafe fn key_error(key: *const u8, t: Desc) -> Raise {
    raise_dynamic(ExcSpec {
        class: "KeyError".into(),
        args: vec![key_arg(key, t)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Vec<u64> {
        let mut v = Vec::new();
        str_words(s.as_bytes(), |w| v.push(w));
        v
    }

    #[test]
    fn str_words_keep_pythons_order() {
        let mut texts = vec![
            "",
            "\0",
            "a",
            "a\0",
            "a\0\0",
            "ab",
            "abcdefg",
            "abcdefg\0",
            "abcdefgh",
            "abcdefghijklmn",
            "abcdefghijklmno",
            "b",
            "é",
            "z\u{10ffff}",
            "\u{7f}",
            "😀",
        ];
        let mut by_words = texts.clone();
        texts.sort();
        by_words.sort_by_key(|t| key(t));
        assert_eq!(texts, by_words);
        // Prefix-free: a str followed by more words still sorts by the str.
        let pair = |s: &str, n: u64| [key(s), vec![n]].concat();
        assert!(pair("a", u64::MAX) < pair("a\0", 0));
        assert!(pair("abcdefg", u64::MAX) < pair("abcdefgh", 0));
        assert_eq!(key("abcdefg").len(), 1);
        assert_eq!(key("abcdefgh").len(), 2);
    }
}

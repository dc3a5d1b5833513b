//! Numbers, strs and tuples of them as words of an order-preserving code:
//! the sort keys of lists, and the hash and equality keys of dicts. An
//! item's *leaves* are the numbers and strs it is made of (tuples
//! flattened, in order). A number becomes one or two unsigned words whose
//! order is NumPy's total order on it (NaN last, `-0.0` equal to `0.0`,
//! complex numbers as (real, imaginary)); a str becomes its UTF-8 bytes,
//! seven to a word (see [`str_words`]), whose order is Python's. So items
//! compare, hash and test equal as word sequences, with the type looked
//! at once per item type rather than per comparison.

use oxjit_abi::desc::{Desc, Kind};

use super::strs::str_at;
use super::{with_dtype, Elem, Result, Wide};

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

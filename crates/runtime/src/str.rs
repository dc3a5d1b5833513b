//! Strings: immutable UTF-8 text behind a counted reference.
//!
//! A str value is one `MemInfo` pointer (`oxjit_abi::desc`: `[STR]`); the
//! meminfo's data is a [`StrHeader`] followed by the text's UTF-8 bytes in
//! the same block, so making a string costs one allocation. Python indexes
//! strings by code point: `len` is the number of code points, and a string
//! whose `len` equals its byte count is ASCII, indexed in constant time.
//! The hash is computed on first use and kept (strings never change).
//!
//! String literals of compiled code are the same layout in a module global
//! whose reference count starts at [`IMMORTAL`], so counting them needs no
//! special case and they are never freed.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::memory::{meminfo_alloc_plain, oxjit_rt_meminfo_data, MemInfo};

/// The data of a str's meminfo; the bytes follow it.
#[repr(C)]
pub struct StrHeader {
    /// Number of code points (Python's `len`).
    pub len: i64,
    /// Number of UTF-8 bytes.
    pub nbytes: i64,
    /// The hash, or 0 while not computed yet.
    pub hash: AtomicU64,
    /// The last code point position a non-ASCII string was indexed at and
    /// its byte offset (`index << 32 | offset`), where the next index
    /// search starts when it is not before it: so a loop over positions
    /// walks the text once, not once per character.
    pub cursor: AtomicU64,
}

/// Byte offsets compiled code reads (`len` at 0, as lists' and dicts').
pub const LEN_OFFSET: usize = std::mem::offset_of!(StrHeader, len);
pub const NBYTES_OFFSET: usize = std::mem::offset_of!(StrHeader, nbytes);
/// Where the bytes start, from the header.
pub const BYTES_OFFSET: usize = std::mem::size_of::<StrHeader>();
/// The reference count of a string literal: never reaches zero.
pub const IMMORTAL: u64 = 1 << 60;

// A literal is written by code generation as the words of a `MemInfo`
// (reference count, data pointer, size, destructor: null) followed by the
// header and the bytes; and `len` is read at the offset lists, dicts and
// sets keep theirs at.
const _: () = {
    use crate::memory::DATA_FIELD_OFFSET;
    assert!(DATA_FIELD_OFFSET == 8 && std::mem::size_of::<MemInfo>() == 32);
    assert!(LEN_OFFSET == crate::list::LEN_OFFSET && LEN_OFFSET == crate::dict::LEN_OFFSET);
    assert!(LEN_OFFSET == crate::set::LEN_OFFSET);
};

/// A str reached through its meminfo.
#[derive(Clone, Copy)]
pub struct Str {
    mi: *mut MemInfo,
}

/// Words of one immortal one-character string: the meminfo (4), the
/// header (4), the byte.
const CHAR_WORDS: usize = 4 + BYTES_OFFSET / 8 + 1;

/// The 128 one-character ASCII strings, laid out as literals are
/// (immortal, never counted as allocations), made on first use: indexing
/// or iterating ASCII text allocates nothing.
fn ascii_chars() -> &'static [[u64; CHAR_WORDS]] {
    static CHARS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let at = *CHARS.get_or_init(|| {
        let mut all = vec![[0u64; CHAR_WORDS]; 128].into_boxed_slice();
        for (c, w) in all.iter_mut().enumerate() {
            let header = w.as_ptr().wrapping_add(4) as u64;
            w[..4].copy_from_slice(&[IMMORTAL, header, (BYTES_OFFSET + 1) as u64, 0]);
            // len, nbytes, hash (not computed), cursor; then the byte.
            w[4..8].copy_from_slice(&[1, 1, 0, 0]);
            w[8] = c as u64;
        }
        Box::leak(all).as_ptr() as usize
    });
    // SAFETY: 128 blocks leaked for the process.
    unsafe { std::slice::from_raw_parts(at as *const [u64; CHAR_WORDS], 128) }
}

impl Str {
    /// # Safety
    /// `mi` is a live str's meminfo.
    pub unsafe fn from_meminfo(mi: *mut MemInfo) -> Str {
        Str { mi }
    }

    /// A new string holding `text` (None when memory runs out).
    pub fn new(text: &str) -> Option<Str> {
        Str::concat(&[text])
    }

    /// The immortal string of one ASCII character `c` (< 128): a shared
    /// block, so taking a reference to it costs nothing and it is never
    /// freed.
    pub fn ascii_char(c: u8) -> Str {
        let block = &ascii_chars()[c as usize & 127];
        Str {
            mi: block.as_ptr() as *mut MemInfo,
        }
    }

    /// A new string holding `parts` one after the other, written straight
    /// into its block (None when memory runs out or the size overflows).
    pub fn concat(parts: &[&str]) -> Option<Str> {
        let nbytes = parts
            .iter()
            .try_fold(0usize, |n, p| n.checked_add(p.len()))
            .filter(|&n| n <= isize::MAX as usize - BYTES_OFFSET)?;
        let mi = meminfo_alloc_plain(BYTES_OFFSET + nbytes, None);
        if mi.is_null() {
            return None;
        }
        // SAFETY: a fresh block with room for the header and the bytes.
        unsafe {
            let h = oxjit_rt_meminfo_data(mi);
            let mut at = h.add(BYTES_OFFSET);
            for p in parts {
                std::ptr::copy_nonoverlapping(p.as_ptr(), at, p.len());
                at = at.add(p.len());
            }
            h.cast::<StrHeader>().write(StrHeader {
                len: parts.iter().map(|p| p.chars().count()).sum::<usize>() as i64,
                nbytes: nbytes as i64,
                hash: AtomicU64::new(0),
                cursor: AtomicU64::new(0),
            });
        }
        Some(Str { mi })
    }

    pub fn meminfo(self) -> *mut MemInfo {
        self.mi
    }

    fn header(&self) -> &StrHeader {
        // SAFETY: a live str's data is its header.
        unsafe { &*oxjit_rt_meminfo_data(self.mi).cast::<StrHeader>() }
    }

    /// The number of code points.
    pub fn len(&self) -> usize {
        self.header().len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.header().len == 0
    }

    /// Whether every character is ASCII (one byte each).
    pub fn is_ascii(&self) -> bool {
        self.header().len == self.header().nbytes
    }

    /// The text. Valid while the string is: the caller holds a reference.
    pub fn as_str<'a>(self) -> &'a str {
        let h = self.header();
        // SAFETY: the bytes after the header are the UTF-8 text, written
        // once from a `&str`.
        unsafe {
            let p = (h as *const StrHeader).cast::<u8>().add(BYTES_OFFSET);
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(p, h.nbytes as usize))
        }
    }

    /// The byte offset of code point `i` (the end when `i` is past it).
    pub fn byte_offset(&self, i: usize) -> usize {
        let t = self.as_str();
        if self.is_ascii() {
            return i.min(t.len());
        }
        let h = self.header();
        let c = h.cursor.load(Ordering::Relaxed);
        let (ci, cb) = ((c >> 32) as usize, (c & 0xffff_ffff) as usize);
        // The pair is one word, so it always describes this text.
        let (from_i, from_b) = if ci <= i { (ci, cb) } else { (0, 0) };
        let b = t[from_b..]
            .char_indices()
            .nth(i - from_i)
            .map_or(t.len(), |(b, _)| from_b + b);
        if i < 1 << 32 && b < 1 << 32 {
            h.cursor
                .store((i as u64) << 32 | b as u64, Ordering::Relaxed);
        }
        b
    }

    /// A hash of the text (never 0), computed once.
    pub fn hash(&self) -> u64 {
        let h = self.header();
        let mut v = h.hash.load(Ordering::Relaxed);
        if v == 0 {
            v = hash_bytes(self.as_str().as_bytes()).max(1);
            h.hash.store(v, Ordering::Relaxed);
        }
        v
    }
}

/// FNV-1a over 8-byte words then the tail, finished with a multiply-xor
/// so that the low bits (which pick a dict's slot) depend on every byte.
pub fn hash_bytes(b: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ b.len() as u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        h = (h ^ u64::from_le_bytes(c.try_into().unwrap())).wrapping_mul(K);
        h ^= h >> 29;
    }
    for &byte in chunks.remainder() {
        h = (h ^ byte as u64).wrapping_mul(0x100_0000_01b3);
    }
    h = (h ^ (h >> 32)).wrapping_mul(K);
    h ^ (h >> 29)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::oxjit_rt_meminfo_decref;

    #[test]
    fn strings_count_code_points_and_keep_their_bytes() {
        let s = Str::new("héllo").unwrap();
        assert_eq!((s.len(), s.is_ascii(), s.as_str()), (5, false, "héllo"));
        // Forward, backward and past the end, through the cursor.
        let offsets: Vec<usize> = [0, 1, 2, 4, 1, 5, 0].map(|i| s.byte_offset(i)).to_vec();
        assert_eq!(offsets, [0, 1, 3, 5, 1, 6, 0]);
        assert_eq!(s.hash(), s.hash());
        let t = Str::new("hello").unwrap();
        assert!(t.is_ascii() && t.hash() != s.hash());
        // SAFETY: each is the only reference.
        unsafe {
            oxjit_rt_meminfo_decref(s.meminfo());
            oxjit_rt_meminfo_decref(t.meminfo());
        }
    }
}

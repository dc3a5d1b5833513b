//! A hash that is the same in every process, on every platform and with
//! every Rust release (unlike `std`'s hashers), for ids that machine code
//! and caches keep: exception descriptor ids and compiled symbol names.

/// FNV-1a, 64 bits, over an unambiguous encoding: byte strings are
/// length-prefixed, so `("ab", "c")` and `("a", "bc")` differ.
pub struct StableHash(u64);

impl Default for StableHash {
    fn default() -> StableHash {
        StableHash::new()
    }
}

impl StableHash {
    pub fn new() -> StableHash {
        StableHash(0xcbf2_9ce4_8422_2325)
    }

    fn byte(&mut self, b: u8) {
        self.0 = (self.0 ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }

    /// A one-byte tag (which kind of item follows).
    pub fn tag(&mut self, t: u8) -> &mut StableHash {
        self.byte(t);
        self
    }

    pub fn u64(&mut self, v: u64) -> &mut StableHash {
        v.to_le_bytes().into_iter().for_each(|b| self.byte(b));
        self
    }

    pub fn bytes(&mut self, s: &[u8]) -> &mut StableHash {
        self.u64(s.len() as u64);
        s.iter().for_each(|&b| self.byte(b));
        self
    }

    pub fn str(&mut self, s: &str) -> &mut StableHash {
        self.bytes(s.as_bytes())
    }

    /// The hash, with the high bits folded into the low ones (FNV's low
    /// bits alone mix poorly).
    pub fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 31)
    }
}

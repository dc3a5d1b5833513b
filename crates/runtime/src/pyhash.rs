//! Python's `hash()` (CPython 3.11's) of numbers and tuples, which decides
//! where a set puts an item and so the order Python iterates a set in.
//!
//! Numbers hash by value: a number's hash is its value modulo the prime
//! `2**61 - 1` with its sign (so `hash(2.0) == hash(2)`), except that
//! `-1` becomes `-2` (CPython keeps `-1` for errors); infinities are
//! `±314159`. A NaN is hashed by identity in CPython, which no value
//! semantics can reproduce: here every NaN hashes to 0 (CPython 3.9's
//! value), matching a set in which NaNs are equal. Tuples combine their
//! items' hashes with CPython's xxHash-based tuple hash. A str hashes with
//! its own cached hash ([`crate::str::Str::hash`]): CPython randomises
//! its string hashes per process, so no order of strs is reproducible.

use oxjit_abi::desc::{Desc, Kind};

use crate::arrayfns::keys::wide;
use crate::arrayfns::Wide;
use crate::memory::MemInfo;
use crate::str::Str;

/// CPython's `_PyHASH_MODULUS`, the prime `2**61 - 1`.
pub const MODULUS: u64 = (1 << 61) - 1;
const BITS: u32 = 61;

/// CPython keeps `-1` for "error".
fn not_minus_one(h: i64) -> i64 {
    if h == -1 {
        -2
    } else {
        h
    }
}

/// `hash(v)` of a signed integer.
pub fn int(v: i64) -> i64 {
    let m = (v.unsigned_abs() % MODULUS) as i64;
    not_minus_one(if v < 0 { -m } else { m })
}

/// `hash(v)` of an unsigned integer.
pub fn uint(v: u64) -> i64 {
    (v % MODULUS) as i64
}

/// `hash(v)` of a float (CPython's `_Py_HashDouble`, NaN aside): the
/// value is `m * 2**e` for an integer `m < 2**53`, and since `2**61` is 1
/// modulo the prime, multiplying by `2**e` is a rotation of `m` by `e mod
/// 61` within 61 bits.
pub fn float(v: f64) -> i64 {
    if v.is_nan() {
        return 0;
    }
    if v.is_infinite() {
        return if v > 0.0 { 314159 } else { -314159 };
    }
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    // Subnormals have no implicit bit and the smallest exponent.
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    let e = e.rem_euclid(BITS as i32) as u32;
    let x = if e == 0 {
        m
    } else {
        ((m << e) & MODULUS) | m >> (BITS - e)
    } as i64;
    not_minus_one(if v < 0.0 { -x } else { x })
}

/// `hash(complex(re, im))`.
pub fn complex(re: f64, im: f64) -> i64 {
    not_minus_one(float(re).wrapping_add(float(im).wrapping_mul(1000003)))
}

/// `hash(t)` of a tuple whose items hash to `lanes` (CPython 3.8+).
pub fn tuple(lanes: impl IntoIterator<Item = i64>) -> i64 {
    const P1: u64 = 11400714785074694791;
    const P2: u64 = 14029467366897019727;
    const P5: u64 = 2870177450012600261;
    let mut acc = P5;
    let mut len = 0u64;
    for lane in lanes {
        acc = acc.wrapping_add((lane as u64).wrapping_mul(P2));
        acc = acc.rotate_left(31).wrapping_mul(P1);
        len += 1;
    }
    // The length, mangled so that `hash(())` keeps its historical value.
    acc = acc.wrapping_add(len ^ (P5 ^ 3527539));
    if acc == u64::MAX {
        1546275796
    } else {
        acc as i64
    }
}

/// How values of one type hash, worked out once from its descriptor.
pub(crate) enum Plan {
    /// A number of this NumPy type at this offset.
    Number(usize, u8),
    /// A str at this offset.
    Str(usize),
    Tuple(Vec<Plan>),
}

impl Plan {
    /// The plan for values of type `t` (numbers, strs, tuples of them).
    pub(crate) fn new(t: Desc) -> Plan {
        fn at(t: Desc, base: usize) -> Plan {
            match t.kind() {
                Kind::Scalar => Plan::Number(base, t.dtype()),
                Kind::Str => Plan::Str(base),
                Kind::Tuple => Plan::Tuple(
                    t.items()
                        .iter()
                        .zip(t.repr().field_offsets())
                        .map(|(it, off)| at(*it, base + off))
                        .collect(),
                ),
                k => panic!("unhashable type {k:?}"),
            }
        }
        at(t, 0)
    }

    /// The hash of the value at `p`.
    ///
    /// # Safety
    /// `p` holds a value of the plan's type.
    #[inline]
    pub(crate) unsafe fn hash(&self, p: *const u8) -> i64 {
        match *self {
            // The common item, without the dispatch on its type.
            Plan::Number(off, b'q' | b'l') => int(p.add(off).cast::<i64>().read_unaligned()),
            Plan::Number(off, dtype) => match wide(p.add(off), dtype) {
                Ok(Wide::Bool(b)) => b as i64,
                Ok(Wide::Int(v)) => int(v),
                Ok(Wide::UInt(v)) => uint(v),
                Ok(Wide::Float(v)) => float(v),
                Ok(Wide::Complex(re, im)) => complex(re, im),
                Err(_) => 0,
            },
            Plan::Str(off) => {
                let mi = p.add(off).cast::<*mut MemInfo>().read_unaligned();
                Str::from_meminfo(mi).hash() as i64
            }
            Plan::Tuple(ref items) => tuple(items.iter().map(|it| it.hash(p))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxjit_abi::desc::tag;

    // Expected values: `python3 -c 'print(hash(...))'` (CPython 3.11.7).
    #[test]
    fn integers_hash_as_python() {
        let cases: [(i64, i64); 11] = [
            (0, 0),
            (1, 1),
            (-1, -2),
            (-2, -2),
            ((1 << 61) - 2, 2305843009213693950),
            ((1 << 61) - 1, 0),
            (1 << 61, 1),
            (i64::MAX, 3),
            (i64::MIN, -4),
            (-((1 << 61) - 1), 0),
            (-(1 << 61), -2),
        ];
        for (v, h) in cases {
            assert_eq!(int(v), h, "hash({v})");
        }
        assert_eq!(int(12345678901234567), 12345678901234567);
        assert_eq!(uint(u64::MAX), 7);
    }

    #[test]
    fn floats_and_complex_numbers_hash_as_python() {
        let cases: [(f64, i64); 17] = [
            (0.5, 1152921504606846976),
            (1e300, 1224995262755759164),
            (-2.5, -1152921504606846978),
            (1.0 / 3.0, 768614336404564608),
            (-0.0, 0),
            (0.0, 0),
            (f64::INFINITY, 314159),
            (f64::NEG_INFINITY, -314159),
            (1.0, 1),
            (-1.0, -2),
            (5e-324, 16777216),
            (3.0 * 5e-324, 50331648),
            (1e-300, 482449582752280463),
            (123456.789, 1819310134279660096),
            (2f64.powi(61), 1),
            (2f64.powi(62), 2),
            (-1e18, -1000000000000000000),
        ];
        for (v, h) in cases {
            assert_eq!(float(v), h, "hash({v:e})");
        }
        // A float32 hashes as its exact value.
        assert_eq!(float(0.1f32 as f64), 230584304357343232);
        let cases = [
            ((1.0, 2.0), 2000007),
            ((0.5, -1.0), 1152921504604846970),
            ((-1.0, 0.0), -2),
            ((0.0, -1.0), -2000006),
            ((1e300, 1.0 / 3.0), -2618076419309730884),
        ];
        for ((re, im), h) in cases {
            assert_eq!(complex(re, im), h, "hash(complex({re}, {im}))");
        }
    }

    #[test]
    fn tuples_hash_as_python() {
        assert_eq!(tuple([int(1), int(2)]), -3550055125485641917);
        assert_eq!(
            tuple([int(1), tuple([int(2), float(3.5)])]),
            -9148893311433065316
        );
        assert_eq!(tuple([int(-1)]), 8078679518589016365);
        assert_eq!(tuple([]), 5740354900026072187);
        assert_eq!(tuple([int(0)]), -8753497827991233192);
        assert_eq!(tuple([tuple([]), tuple([])]), 9028247024705308198);
        assert_eq!(tuple([float(1.5), int(2), int(-3)]), -4189174160255492353);
        // The one tuple hash that would be -1.
        assert_eq!(tuple([int(17), int(-1555522700513432331)]), 1546275796);
    }

    #[test]
    fn plans_follow_the_nesting() {
        // (int64, (bool, float64)) in memory form: 8 + (1, pad, 8).
        let words = [
            tag::TUPLE,
            2,
            tag::SCALAR,
            b'q' as u64,
            tag::TUPLE,
            2,
            tag::SCALAR,
            b'?' as u64,
            tag::SCALAR,
            b'd' as u64,
        ];
        let plan = Plan::new(Desc::new(&words));
        let mut mem = [0u8; 24];
        mem[..8].copy_from_slice(&(-1i64).to_ne_bytes());
        mem[8] = 1;
        mem[16..].copy_from_slice(&3.5f64.to_ne_bytes());
        assert_eq!(unsafe { plan.hash(mem.as_ptr()) }, -4561781760288762);
    }
}

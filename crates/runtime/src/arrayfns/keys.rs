//! Numbers and tuples of numbers as words of an order-preserving code: the
//! sort keys of lists, and the hash and equality keys of dicts. An item's
//! *leaves* are the numbers it is made of (tuples flattened, in order), and
//! each leaf becomes one or two unsigned words whose order is NumPy's total
//! order on it (NaN last, `-0.0` equal to `0.0`, complex numbers as (real,
//! imaginary)); so items compare, hash and test equal as word sequences,
//! with the type looked at once per item type rather than per comparison.

use oxjit_abi::desc::{Desc, Kind};

use super::{with_dtype, Elem, Result, Wide};

/// A scalar in memory at `p` of NumPy type `dtype`, widened.
pub(crate) unsafe fn wide(p: *const u8, dtype: u8) -> Result<Wide> {
    with_dtype!(dtype, T => Ok(p.cast::<T>().read_unaligned().widen()))
}

/// The leaves of an item of type `t`: (byte offset, NumPy type).
pub(crate) fn leaves(t: Desc) -> Vec<(usize, u8)> {
    fn walk(t: Desc, base: usize, out: &mut Vec<(usize, u8)>) {
        match t.kind() {
            Kind::Scalar => out.push((base, t.dtype())),
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

//! `np.random` inside compiled code: one process-global generator, separate
//! from NumPy's (as in Numba), producing exactly the streams of NumPy's
//! legacy `RandomState` for the same seed: MT19937 seeded by
//! `init_genrand`, 53-bit doubles, the polar normal method with its cached
//! second value, masked rejection for bounded integers and Fisher-Yates
//! shuffling.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::{LazyLock, Mutex, MutexGuard};

use super::{raise, with_itemsize, write_scalar, Args, Array, Elem, NewArray, Result};
use crate::abi::TypeCode;

const N: usize = 624;
const M: usize = 397;

/// MT19937 as NumPy's `mt19937.c` implements it.
struct Mt19937 {
    key: [u32; N],
    pos: usize,
}

impl Mt19937 {
    /// `init_genrand`, which `RandomState.seed(int)` uses.
    fn seeded(seed: u32) -> Mt19937 {
        let mut key = [0u32; N];
        key[0] = seed;
        for i in 1..N {
            key[i] = 1812433253u32
                .wrapping_mul(key[i - 1] ^ (key[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { key, pos: N }
    }

    /// Fresh entropy, as an unseeded `RandomState`: random words with the
    /// first one's top bit set, so the state is never all zero. `std`'s
    /// hasher keys come from the operating system.
    fn from_entropy() -> Mt19937 {
        let hasher = RandomState::new();
        let mut key = [0u32; N];
        for (i, k) in key.iter_mut().enumerate() {
            let mut h = hasher.build_hasher();
            h.write_usize(i);
            *k = h.finish() as u32;
        }
        key[0] = 0x8000_0000;
        Mt19937 { key, pos: N }
    }

    fn generate(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        for i in 0..N {
            let y = (self.key[i] & UPPER) | (self.key[(i + 1) % N] & LOWER);
            self.key[i] = self.key[(i + M) % N] ^ (y >> 1) ^ ((y & 1).wrapping_neg() & MATRIX_A);
        }
        self.pos = 0;
    }

    fn next_u32(&mut self) -> u32 {
        if self.pos == N {
            self.generate();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn next_u64(&mut self) -> u64 {
        let hi = self.next_u32() as u64;
        (hi << 32) | self.next_u32() as u64
    }

    /// A double in [0, 1) from 53 random bits.
    fn next_double(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67108864.0 + b) / 9007199254740992.0
    }

    /// NumPy's `random_interval`: uniform in `[0, max]` by masked rejection,
    /// from 32-bit draws when `max` fits in 32 bits. The legacy masked
    /// `randint` path draws the same way.
    fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = u64::MAX >> max.leading_zeros();
        loop {
            let v = if max <= u32::MAX as u64 {
                self.next_u32() as u64
            } else {
                self.next_u64()
            } & mask;
            if v <= max {
                return v;
            }
        }
    }
}

/// The generator with `RandomState`'s cached normal deviate.
struct State {
    mt: Mt19937,
    gauss: Option<f64>,
}

impl State {
    /// NumPy's `legacy_gauss`: the polar method, returning one deviate of
    /// each accepted pair and keeping the other for the next call.
    fn gauss(&mut self) -> f64 {
        if let Some(g) = self.gauss.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.mt.next_double() - 1.0;
            let x2 = 2.0 * self.mt.next_double() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.gauss = Some(f * x1);
                return f * x2;
            }
        }
    }
}

static STATE: LazyLock<Mutex<State>> = LazyLock::new(|| {
    Mutex::new(State {
        mt: Mt19937::from_entropy(),
        gauss: None,
    })
});

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The result shape: `out_ty.ndim()` extents from argument `first` on.
unsafe fn shape(args: &Args, first: usize, out_ty: TypeCode) -> Result<Vec<i64>> {
    let shape = (0..out_ty.ndim() as usize)
        .map(|d| args.scalar::<i64>(first + d))
        .collect::<Result<Vec<_>>>()?;
    if shape.iter().any(|&n| n < 0) {
        return Err(raise("ValueError", "negative dimensions are not allowed"));
    }
    Ok(shape)
}

/// Writes a scalar draw, or an array of `shape` filled in C order.
unsafe fn fill<T: Elem>(
    out: *mut u8,
    out_ty: TypeCode,
    shape: Vec<i64>,
    mut draw: impl FnMut(&mut State) -> T,
) -> Result {
    if out_ty.ndim() == 0 {
        write_scalar(out, draw(&mut state()));
        return Ok(());
    }
    let r = NewArray::alloc(out_ty.dtype(), shape)?;
    let dst = r.data().cast::<T>();
    let mut st = state();
    for i in 0..r.size() {
        dst.add(i).write(draw(&mut st));
    }
    drop(st);
    r.write(out);
    Ok(())
}

pub unsafe fn seed(_: *mut u8, args: &Args, _: TypeCode) -> Result {
    let seed = u32::try_from(args.scalar::<i64>(0)?)
        .map_err(|_| raise("ValueError", "Seed must be between 0 and 2**32 - 1"))?;
    *state() = State {
        mt: Mt19937::seeded(seed),
        gauss: None,
    };
    Ok(())
}

pub unsafe fn sample(out: *mut u8, args: &Args, out_ty: TypeCode) -> Result {
    fill(out, out_ty, shape(args, 0, out_ty)?, |st| {
        st.mt.next_double()
    })
}

pub unsafe fn normal(out: *mut u8, args: &Args, out_ty: TypeCode) -> Result {
    fill(out, out_ty, shape(args, 0, out_ty)?, State::gauss)
}

pub unsafe fn uniform(out: *mut u8, args: &Args, out_ty: TypeCode) -> Result {
    let (low, high): (f64, f64) = (args.scalar(0)?, args.scalar(1)?);
    let range = high - low;
    if !range.is_finite() {
        return Err(raise("OverflowError", "Range exceeds valid bounds"));
    }
    fill(out, out_ty, shape(args, 2, out_ty)?, |st| {
        low + range * st.mt.next_double()
    })
}

pub unsafe fn int(out: *mut u8, args: &Args, out_ty: TypeCode) -> Result {
    let (low, high): (i64, i64) = (args.scalar(0)?, args.scalar(1)?);
    let shape = shape(args, 2, out_ty)?;
    // NumPy returns an empty array before looking at the bounds.
    if out_ty.ndim() > 0 && shape.contains(&0) {
        return fill(out, out_ty, shape, |_| 0i64);
    }
    if low >= high {
        return Err(raise("ValueError", "low >= high"));
    }
    // Draws are in the closed interval [low, high - 1], offset from low.
    let range = (high as i128 - 1 - low as i128) as u64;
    fill(out, out_ty, shape, |st| {
        (low as u64).wrapping_add(st.mt.interval(range)) as i64
    })
}

pub unsafe fn shuffle(_: *mut u8, args: &Args, _: TypeCode) -> Result {
    let a = args.array(0);
    let Some(&n) = a.shape.first() else {
        return Err(raise("TypeError", "len() of unsized object"));
    };
    let mut st = state();
    with_itemsize!(super::itemsize(a.dtype)?, T => {
        for i in (1..n as usize).rev() {
            let j = st.mt.interval(i as u64) as usize;
            let (x, y) = (a.row(i), a.row(j));
            Array::for_each_run(x.shape, [(x.data, x.strides), (y.data, y.strides)], |[p, q], len, [sp, sq]| {
                for k in 0..len as isize {
                    let (p, q) = (p.offset(k * sp).cast::<T>(), q.offset(k * sq).cast::<T>());
                    let v = p.read_unaligned();
                    p.write_unaligned(q.read_unaligned());
                    q.write_unaligned(v);
                }
            });
        }
    });
    Ok(())
}

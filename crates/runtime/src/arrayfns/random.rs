//! `np.random` inside compiled code: one generator per thread, separate from
//! NumPy's (as in Numba: threads, including the workers of parallel loops,
//! draw independent streams, and `seed` seeds the calling thread's), each
//! producing exactly the streams of NumPy's
//! legacy `RandomState` for the same seed: MT19937 seeded by
//! `init_genrand`, 53-bit doubles, the polar normal method with its cached
//! second value, masked rejection for bounded integers and Fisher-Yates
//! shuffling.

use std::cell::RefCell;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use super::{raise, with_itemsize, write_scalar, Args, Array, Elem, NewArray, Result};
use oxjit_abi::desc::Desc;

const N: usize = 624;
const M: usize = 397;

/// MT19937 as NumPy's `mt19937.c` implements it.
struct Mt19937 {
    key: [u32; N],
    pos: usize,
    /// False until seeded: a thread's generator starts empty (so that its
    /// thread-local slot needs no lazy initialisation) and takes fresh
    /// entropy at its first draw.
    ready: bool,
}

impl Mt19937 {
    const UNSEEDED: Mt19937 = Mt19937 {
        key: [0; N],
        pos: N,
        ready: false,
    };

    /// `init_genrand`, which `RandomState.seed(int)` uses.
    fn seeded(seed: u32) -> Mt19937 {
        let mut key = [0u32; N];
        key[0] = seed;
        for i in 1..N {
            key[i] = 1812433253u32
                .wrapping_mul(key[i - 1] ^ (key[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 {
            key,
            pos: N,
            ready: true,
        }
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
        Mt19937 {
            key,
            pos: N,
            ready: true,
        }
    }

    // Once every N draws: out of line, so that the draws inline.
    #[cold]
    #[inline(never)]
    fn generate(&mut self) {
        if !self.ready {
            *self = Mt19937::from_entropy();
        }
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        for i in 0..N {
            let y = (self.key[i] & UPPER) | (self.key[(i + 1) % N] & LOWER);
            self.key[i] = self.key[(i + M) % N] ^ (y >> 1) ^ ((y & 1).wrapping_neg() & MATRIX_A);
        }
        self.pos = 0;
    }

    #[inline]
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
    #[inline]
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

thread_local! {
    static STATE: RefCell<State> = const {
        RefCell::new(State {
            mt: Mt19937::UNSEEDED,
            gauss: None,
        })
    };
}

/// Runs `f` on the calling thread's generator.
fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

/// `np.random.random()`: one draw from the calling thread's generator, as
/// a direct call rather than through the array-function ABI, since draws
/// in loops are where its cost shows.
#[no_mangle]
pub extern "C" fn oxjit_rt_random_double() -> f64 {
    with_state(|st| st.mt.next_double())
}

/// `np.random.standard_normal()`, as [`oxjit_rt_random_double`].
#[no_mangle]
pub extern "C" fn oxjit_rt_random_gauss() -> f64 {
    with_state(State::gauss)
}

/// The result shape: `out_ty.ndim()` extents from argument `first` on.
unsafe fn shape(args: &Args, first: usize, out_ty: Desc<'_>) -> Result<Vec<i64>> {
    let shape = (0..out_ty.ndim())
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
    out_ty: Desc<'_>,
    shape: Vec<i64>,
    mut draw: impl FnMut(&mut State) -> T,
) -> Result {
    if out_ty.ndim() == 0 {
        write_scalar(out, with_state(draw));
        return Ok(());
    }
    let r = NewArray::alloc(out_ty.dtype(), shape)?;
    let dst = r.data().cast::<T>();
    with_state(|st| {
        for i in 0..r.size() {
            dst.add(i).write(draw(st));
        }
    });
    r.write(out);
    Ok(())
}

pub unsafe fn seed(_: *mut u8, args: &Args, _: Desc<'_>) -> Result {
    let seed = u32::try_from(args.scalar::<i64>(0)?)
        .map_err(|_| raise("ValueError", "Seed must be between 0 and 2**32 - 1"))?;
    with_state(|st| {
        *st = State {
            mt: Mt19937::seeded(seed),
            gauss: None,
        }
    });
    Ok(())
}

pub unsafe fn sample(out: *mut u8, args: &Args, out_ty: Desc<'_>) -> Result {
    fill(out, out_ty, shape(args, 0, out_ty)?, |st| {
        st.mt.next_double()
    })
}

pub unsafe fn normal(out: *mut u8, args: &Args, out_ty: Desc<'_>) -> Result {
    fill(out, out_ty, shape(args, 0, out_ty)?, State::gauss)
}

pub unsafe fn uniform(out: *mut u8, args: &Args, out_ty: Desc<'_>) -> Result {
    let (low, high): (f64, f64) = (args.scalar(0)?, args.scalar(1)?);
    let range = high - low;
    if !range.is_finite() {
        return Err(raise("OverflowError", "Range exceeds valid bounds"));
    }
    fill(out, out_ty, shape(args, 2, out_ty)?, |st| {
        low + range * st.mt.next_double()
    })
}

pub unsafe fn int(out: *mut u8, args: &Args, out_ty: Desc<'_>) -> Result {
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

pub unsafe fn shuffle(_: *mut u8, args: &Args, _: Desc<'_>) -> Result {
    with_state(|st| shuffle_rows(&args.array(0), st))
}

/// `permutation(x)`: a shuffled `arange(x)` for an integer, else a
/// shuffled copy (along the first axis) of the array.
pub unsafe fn permutation(out: *mut u8, args: &Args, _: Desc<'_>) -> Result {
    let mut copy;
    if args.ty(0).ndim() == 0 {
        let n: i64 = args.scalar(0)?;
        copy = NewArray::alloc(b'q', vec![n.max(0)])?;
        for (i, v) in copy.slice_mut::<i64>().iter_mut().enumerate() {
            *v = i as i64;
        }
    } else {
        let a = args.array(0);
        copy = NewArray::alloc(a.dtype, a.shape.to_vec())?;
        let strides = copy.strides();
        a.copy_to(&Array {
            data: copy.data(),
            strides: &strides,
            ..a
        })?;
    }
    let strides = copy.strides();
    let shape = if args.ty(0).ndim() == 0 {
        vec![copy.size() as i64]
    } else {
        args.array(0).shape.to_vec()
    };
    let view = Array {
        dtype: args.ty(0).dtype(),
        data: copy.data(),
        shape: &shape,
        strides: &strides,
    };
    with_state(|st| shuffle_rows(&view, st))?;
    copy.write(out);
    Ok(())
}

/// Fisher-Yates over the first axis, as NumPy's legacy `shuffle`.
unsafe fn shuffle_rows(a: &Array, st: &mut State) -> Result {
    let Some(&n) = a.shape.first() else {
        return Err(raise("TypeError", "len() of unsized object"));
    };
    with_itemsize!(super::itemsize(a.dtype)?, T => {
        fisher_yates(st, n as usize, |i, j| {
            let (x, y) = (a.row(i), a.row(j));
            Array::for_each_run(x.shape, [(x.data, x.strides), (y.data, y.strides)], |[p, q], len, [sp, sq]| {
                for k in 0..len as isize {
                    let (p, q) = (p.offset(k * sp).cast::<T>(), q.offset(k * sq).cast::<T>());
                    let v = p.read_unaligned();
                    p.write_unaligned(q.read_unaligned());
                    q.write_unaligned(v);
                }
            });
        });
    });
    Ok(())
}

/// The swaps of NumPy's legacy Fisher-Yates over `n` items: for `i` from
/// `n - 1` down to 1, `swap(i, j)` with `j` drawn from `[0, i]`.
fn fisher_yates(st: &mut State, n: usize, mut swap: impl FnMut(usize, usize)) {
    for i in (1..n).rev() {
        let j = st.mt.interval(i as u64) as usize;
        swap(i, j);
    }
}

/// Checks `p` as NumPy's legacy `choice` does and returns it as float64.
unsafe fn probabilities(p: &Array, pop: i64) -> Result<Vec<f64>> {
    if p.shape[0] != pop {
        return Err(raise("ValueError", "'a' and 'p' must have same size"));
    }
    let p = p.to_vec::<f64>()?;
    // Kahan summation, as NumPy sums the probabilities.
    let (mut sum, mut c) = (0.0f64, 0.0f64);
    for &x in &p {
        let y = x - c;
        let t = sum + y;
        c = (t - sum) - y;
        sum = t;
    }
    if sum.is_nan() {
        return Err(raise("ValueError", "probabilities contain NaN"));
    }
    if p.iter().any(|&x| x < 0.0) {
        return Err(raise("ValueError", "probabilities are not non-negative"));
    }
    if (sum - 1.0).abs() > f64::EPSILON.sqrt() {
        return Err(raise("ValueError", "probabilities do not sum to 1"));
    }
    Ok(p)
}

/// Sequential cumulative sum scaled so the last value is 1.
fn cdf(p: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    let mut c: Vec<f64> = p
        .iter()
        .map(|&x| {
            acc += x;
            acc
        })
        .collect();
    let last = acc;
    c.iter_mut().for_each(|x| *x /= last);
    c
}

/// `cdf.searchsorted(u, side='right')`.
fn search_right(cdf: &[f64], u: f64) -> i64 {
    cdf.partition_point(|&c| c <= u) as i64
}

/// `choice(a, size, replace, p)`: argument 0 is the population (an int or
/// a 1-d array), 1 `replace`, 2 the probabilities (a 1-d float64 array, or
/// a scalar when absent), then the extents of `size`. Indices are drawn
/// exactly as NumPy's legacy `choice` draws them.
pub unsafe fn choice(out: *mut u8, args: &Args, out_ty: Desc<'_>) -> Result {
    let pool = (args.ty(0).ndim() > 0).then(|| args.array(0));
    let shape = shape(args, 3, out_ty)?;
    let size: i64 = shape.iter().product();
    let pop = match &pool {
        Some(a) => a.shape[0],
        None => args.scalar::<i64>(0)?,
    };
    if pop <= 0 && size != 0 {
        let msg = if pool.is_some() {
            "'a' cannot be empty unless no samples are taken"
        } else {
            "a must be greater than 0 unless no samples are taken"
        };
        return Err(raise("ValueError", msg));
    }
    let replace = args.scalar::<i64>(1)? != 0;
    let p = if args.ty(2).ndim() > 0 {
        Some(probabilities(&args.array(2), pop)?)
    } else {
        None
    };
    let idx: Vec<i64> = with_state(|st| -> Result<Vec<i64>> {
        Ok(match (replace, p) {
            (true, Some(p)) => {
                let cdf = cdf(&p);
                (0..size)
                    .map(|_| search_right(&cdf, st.mt.next_double()))
                    .collect()
            }
            (true, None) => (0..size)
                .map(|_| st.mt.interval(pop as u64 - 1) as i64)
                .collect(),
            (false, _) if size > pop => {
                return Err(raise(
                    "ValueError",
                    "Cannot take a larger sample than population when 'replace=False'",
                ));
            }
            (false, Some(mut p)) => {
                if (p.iter().filter(|&&x| x > 0.0).count() as i64) < size {
                    return Err(raise("ValueError", "Fewer non-zero entries in p than size"));
                }
                // Draw rounds of the missing count, keeping first occurrences of
                // new indices and zeroing the probabilities of those found.
                let mut found: Vec<i64> = Vec::with_capacity(size as usize);
                while (found.len() as i64) < size {
                    let draws: Vec<f64> = (0..size - found.len() as i64)
                        .map(|_| st.mt.next_double())
                        .collect();
                    for &k in &found {
                        p[k as usize] = 0.0;
                    }
                    let cdf = cdf(&p);
                    let mut new: Vec<i64> = Vec::new();
                    for u in draws {
                        let k = search_right(&cdf, u);
                        if !new.contains(&k) {
                            new.push(k);
                        }
                    }
                    found.extend(new);
                }
                found
            }
            (false, None) => {
                let mut perm: Vec<i64> = (0..pop).collect();
                fisher_yates(st, pop as usize, |i, j| perm.swap(i, j));
                perm.truncate(size as usize);
                perm
            }
        })
    })?;
    let Some(a) = pool else {
        if out_ty.ndim() == 0 {
            write_scalar(out, idx[0]);
            return Ok(());
        }
        let mut r = NewArray::alloc(b'q', shape)?;
        r.slice_mut::<i64>().copy_from_slice(&idx);
        r.write(out);
        return Ok(());
    };
    with_itemsize!(super::itemsize(a.dtype)?, T => {
        let pick = |k: i64| a.data.offset((k * a.strides[0]) as isize).cast::<T>().read_unaligned();
        if out_ty.ndim() == 0 {
            write_scalar(out, pick(idx[0]));
        } else {
            let r = NewArray::alloc(a.dtype, shape)?;
            let dst = r.data().cast::<T>();
            for (i, &k) in idx.iter().enumerate() {
                dst.add(i).write_unaligned(pick(k));
            }
            r.write(out);
        }
    });
    Ok(())
}

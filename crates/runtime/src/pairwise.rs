//! NumPy's float summation, bit for bit: the reductions `sum`, `mean`,
//! `var` and `std` of float and complex arrays add with pairwise summation
//! (numpy/_core/src/umath/loops_utils.h.src): runs of up to 128 values are
//! summed with eight interleaved accumulators (four per component for
//! complex values), longer runs are split in two at a multiple of eight and
//! the halves' sums added. A reduction's result is `0 + pairwise(values)`,
//! the identity then the loop's sum, as NumPy's reduce does.
//!
//! NumPy visits a reduction's elements in memory order: its iterator drops
//! length-1 dimensions, sorts the others by decreasing |stride| and merges
//! dimensions that are contiguous with each other; when one run remains it
//! is summed in place, otherwise (as with NumPy's buffering) the elements
//! are gathered in that order first.

use std::mem::size_of;
use std::ops::{Add, Mul, Sub};
use std::slice;

/// Element type codes of [`oxjit_rt_sum_pairwise`] and
/// [`oxjit_rt_sqdev_pairwise`].
pub const PW_F32: i32 = 0;
pub const PW_F64: i32 = 1;
pub const PW_C64: i32 = 2;
pub const PW_C128: i32 = 3;
/// Or-ed into the type code by `parallel=True` code: a long real sum adds
/// the subtrees of the top of the pairwise tree on the thread pool (the
/// same tree, so the same result).
pub const PW_PARALLEL: i32 = 16;

/// Real sums of at least this many elements are split across threads.
const PARALLEL_MIN: usize = 1 << 16;

/// Runs up to this many values are summed with the unrolled loop.
const BLOCK: usize = 128;

trait Float: Copy + Send + Sync + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> {
    const ZERO: Self;
    const NEG_ZERO: Self;
}

impl Float for f32 {
    const ZERO: f32 = 0.0;
    const NEG_ZERO: f32 = -0.0;
}

impl Float for f64 {
    const ZERO: f64 = 0.0;
    const NEG_ZERO: f64 = -0.0;
}

/// NumPy's `@TYPE@_pairwise_sum` over `get(off..off + n)`.
fn pairwise<F: Float>(get: &impl Fn(usize) -> F, off: usize, n: usize) -> F {
    if n < 8 {
        // -0 start: a sum of only -0 values is -0.
        (0..n).fold(F::NEG_ZERO, |acc, i| acc + get(off + i))
    } else if n <= BLOCK {
        let mut r: [F; 8] = std::array::from_fn(|k| get(off + k));
        let mut i = 8;
        while i < n - n % 8 {
            for (k, acc) in r.iter_mut().enumerate() {
                *acc = *acc + get(off + i + k);
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for j in i..n {
            res = res + get(off + j);
        }
        res
    } else {
        let n2 = n / 2 - (n / 2) % 8;
        pairwise(get, off, n2) + pairwise(get, off + n2, n - n2)
    }
}

/// [`pairwise`] over `0..n`; with `parallel`, a long sum computes the
/// subtrees below the top levels of the tree on the pool, then adds them
/// up the tree as [`pairwise`] does.
fn tree_sum<F: Float>(get: &(impl Fn(usize) -> F + Sync), n: usize, parallel: bool) -> F {
    if !parallel || n < PARALLEL_MIN {
        return pairwise(get, 0, n);
    }
    let threads = crate::parallel::get_num_threads();
    let levels = threads.next_power_of_two().trailing_zeros() as usize;
    // The subtrees at depth `levels` (or shallower leaves), left to right.
    fn leaves(off: usize, n: usize, levels: usize, out: &mut Vec<(usize, usize)>) {
        if levels == 0 || n <= BLOCK {
            out.push((off, n));
        } else {
            let n2 = n / 2 - (n / 2) % 8;
            leaves(off, n2, levels - 1, out);
            leaves(off + n2, n - n2, levels - 1, out);
        }
    }
    let mut parts = Vec::new();
    leaves(0, n, levels, &mut parts);
    let mut sums = vec![F::ZERO; parts.len()];
    let out = SyncPtr(sums.as_mut_ptr());
    let status = crate::parallel::parallel_for(parts.len() as i64, true, |start, end, _| {
        let range = start as usize..end as usize;
        for (k, &(off, len)) in parts[range.clone()].iter().enumerate() {
            // SAFETY: each leaf index is written by exactly one chunk.
            unsafe {
                out.get()
                    .add(range.start + k)
                    .write(pairwise(get, off, len))
            };
        }
        0
    });
    debug_assert_eq!(status, 0, "pairwise sums do not raise");
    fn up<F: Float>(n: usize, levels: usize, sums: &mut impl Iterator<Item = F>) -> F {
        if levels == 0 || n <= BLOCK {
            sums.next().expect("one sum per leaf")
        } else {
            let n2 = n / 2 - (n / 2) % 8;
            let left = up(n2, levels - 1, sums);
            left + up(n - n2, levels - 1, sums)
        }
    }
    up(n, levels, &mut sums.into_iter())
}

/// A pointer the pool's threads may use: reads of the operand, writes of
/// distinct leaf sums (joined before they are read).
struct SyncPtr<T>(*mut T);
// SAFETY: see above; the pointee outlives every use in a parallel loop.
unsafe impl<T> Sync for SyncPtr<T> {}

impl<T> SyncPtr<T> {
    /// The pointer (a method, so closures capture the `Sync` wrapper).
    fn get(&self) -> *mut T {
        self.0
    }
}

/// NumPy's complex `pairwise_sum`, which counts in floats: its thresholds
/// are 4 and 64 elements and its unrolled loop takes 4 elements at a time.
fn pairwise_complex<F: Float>(get: &impl Fn(usize) -> (F, F), off: usize, n: usize) -> (F, F) {
    let floats = 2 * n;
    if floats < 8 {
        (0..n).fold((F::NEG_ZERO, F::NEG_ZERO), |(re, im), i| {
            let (x, y) = get(off + i);
            (re + x, im + y)
        })
    } else if floats <= BLOCK {
        let mut r: [(F, F); 4] = std::array::from_fn(|k| get(off + k));
        let mut i = 4;
        while 2 * i < floats - floats % 8 {
            for (k, acc) in r.iter_mut().enumerate() {
                let (x, y) = get(off + i + k);
                *acc = (acc.0 + x, acc.1 + y);
            }
            i += 4;
        }
        let mut re = (r[0].0 + r[1].0) + (r[2].0 + r[3].0);
        let mut im = (r[0].1 + r[1].1) + (r[2].1 + r[3].1);
        for j in i..n {
            let (x, y) = get(off + j);
            re = re + x;
            im = im + y;
        }
        (re, im)
    } else {
        let half_floats = floats / 2 - (floats / 2) % 8;
        let n2 = half_floats / 2;
        let (a, b) = (
            pairwise_complex(get, off, n2),
            pairwise_complex(get, off + n2, n - n2),
        );
        (a.0 + b.0, a.1 + b.1)
    }
}

/// The (extent, byte stride) runs in which NumPy's iterator visits an
/// operand (see the module docs); empty if the operand has no elements.
fn memory_order(shape: &[i64], strides: &[i64]) -> Vec<(usize, isize)> {
    if shape.contains(&0) {
        return Vec::new();
    }
    let mut dims: Vec<(usize, isize)> = shape
        .iter()
        .zip(strides)
        .filter(|(&n, _)| n != 1)
        .map(|(&n, &s)| (n as usize, s as isize))
        .collect();
    // Stable: equal strides keep C order.
    dims.sort_by_key(|&(_, s)| std::cmp::Reverse(s.unsigned_abs()));
    let mut runs: Vec<(usize, isize)> = Vec::with_capacity(dims.len());
    for (n, s) in dims {
        match runs.last_mut() {
            Some(outer) if outer.1 == s * n as isize => *outer = (outer.0 * n, s),
            _ => runs.push((n, s)),
        }
    }
    if runs.is_empty() {
        runs.push((1, 0));
    }
    runs
}

/// The byte offsets of an operand's elements in visiting order, as one
/// strided run `(count, stride)` when possible.
enum Visit {
    Run(usize, isize),
    Offsets(Vec<isize>),
}

fn visit(shape: &[i64], strides: &[i64]) -> Visit {
    // The common call, one row of a reduction along an axis, allocates nothing.
    if let ([n], [s]) = (shape, strides) {
        return Visit::Run(*n as usize, *s as isize);
    }
    let runs = memory_order(shape, strides);
    match runs[..] {
        [] => Visit::Run(0, 0),
        [(n, s)] => Visit::Run(n, s),
        _ => {
            let total = runs.iter().map(|r| r.0).product();
            let mut offsets = Vec::with_capacity(total);
            let mut index = vec![0usize; runs.len()];
            let mut at = 0isize;
            for _ in 0..total {
                offsets.push(at);
                // Odometer over the runs, innermost last.
                for d in (0..runs.len()).rev() {
                    index[d] += 1;
                    at += runs[d].1;
                    if index[d] < runs[d].0 {
                        break;
                    }
                    at -= runs[d].1 * runs[d].0 as isize;
                    index[d] = 0;
                }
            }
            Visit::Offsets(offsets)
        }
    }
}

/// A pairwise sum over elements given by index (`get(0..n)`): generic
/// over the getter so that each operand layout gets its own inlined loop.
trait Summation<T> {
    type Out;
    fn sum<G: Fn(usize) -> T + Sync>(&self, get: &G, n: usize) -> Self::Out;
}

/// `0 + pairwise(f(x))` of real values.
struct RealSum<M> {
    f: M,
    parallel: bool,
}

impl<F: Float, M: Fn(F) -> F + Sync> Summation<F> for RealSum<M> {
    type Out = F;
    fn sum<G: Fn(usize) -> F + Sync>(&self, get: &G, n: usize) -> F {
        F::ZERO + tree_sum(&|i| (self.f)(get(i)), n, self.parallel)
    }
}

/// `0 + pairwise(z)` of complex values, per component.
struct ComplexSum;

impl<F: Float> Summation<[F; 2]> for ComplexSum {
    type Out = (F, F);
    fn sum<G: Fn(usize) -> [F; 2] + Sync>(&self, get: &G, n: usize) -> (F, F) {
        let (re, im) = pairwise_complex(&|i| (get(i)[0], get(i)[1]), 0, n);
        (F::ZERO + re, F::ZERO + im)
    }
}

/// `0 + pairwise(|z - mean|²)` of complex values.
struct ComplexSqdev<F>((F, F));

impl<F: Float> Summation<[F; 2]> for ComplexSqdev<F> {
    type Out = F;
    fn sum<G: Fn(usize) -> [F; 2] + Sync>(&self, get: &G, n: usize) -> F {
        let (mr, mi) = self.0;
        let sq = |i| {
            let [re, im] = get(i);
            let (dr, di) = (re - mr, im - mi);
            dr * dr + di * di
        };
        F::ZERO + pairwise(&sq, 0, n)
    }
}

/// `s` over an operand's elements in NumPy's order.
///
/// # Safety
/// Every element offset is readable as a `T` from `data`.
unsafe fn reduce<T: Copy + Sync, S: Summation<T>>(
    data: *const u8,
    shape: &[i64],
    strides: &[i64],
    s: &S,
) -> S::Out {
    let data = SyncPtr(data.cast_mut());
    let load = |offset: isize| data.get().offset(offset).cast::<T>().read_unaligned();
    match visit(shape, strides) {
        // Contiguous: a constant stride the compiler can vectorise over.
        Visit::Run(n, step) if step == size_of::<T>() as isize => {
            s.sum(&|i| data.get().cast::<T>().add(i).read_unaligned(), n)
        }
        Visit::Run(n, step) => s.sum(&|i| load(i as isize * step), n),
        Visit::Offsets(offsets) => {
            let values: Vec<T> = offsets.iter().map(|&o| load(o)).collect();
            s.sum(&|i| values[i], values.len())
        }
    }
}

unsafe fn real_sum<F: Float>(
    data: *const u8,
    shape: &[i64],
    strides: &[i64],
    f: impl Fn(F) -> F + Sync,
    parallel: bool,
    out: *mut u8,
) {
    let s = reduce::<F, _>(data, shape, strides, &RealSum { f, parallel });
    out.cast::<F>().write_unaligned(s);
}

unsafe fn complex_sum<F: Float>(data: *const u8, shape: &[i64], strides: &[i64], out: *mut u8) {
    let (re, im) = reduce::<[F; 2], _>(data, shape, strides, &ComplexSum);
    out.cast::<[F; 2]>().write_unaligned([re, im]);
}

unsafe fn complex_sqdev<F: Float>(
    data: *const u8,
    shape: &[i64],
    strides: &[i64],
    mean: (F, F),
    out: *mut u8,
) {
    let s = reduce::<[F; 2], _>(data, shape, strides, &ComplexSqdev(mean));
    out.cast::<F>().write_unaligned(s);
}

/// # Safety
/// `shape` and `strides` have `ndim` entries.
unsafe fn dims<'a>(shape: *const i64, strides: *const i64, ndim: i64) -> (&'a [i64], &'a [i64]) {
    if ndim <= 0 {
        return (&[], &[]);
    }
    let n = ndim as usize;
    (
        slice::from_raw_parts(shape, n),
        slice::from_raw_parts(strides, n),
    )
}

/// NumPy's `sum` of a float or complex operand (element type `dtype`, one
/// of the `PW_*` codes): `0 + pairwise(elements)`, written to `out` as one
/// element of the same type.
///
/// # Safety
/// `shape`/`strides` (bytes) have `ndim` entries and describe readable
/// elements of `dtype` at `data`; `out` is writable for one element.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_sum_pairwise(
    dtype: i32,
    data: *const u8,
    ndim: i64,
    shape: *const i64,
    strides: *const i64,
    out: *mut u8,
) {
    let (shape, strides) = dims(shape, strides, ndim);
    let parallel = dtype & PW_PARALLEL != 0;
    match dtype & !PW_PARALLEL {
        PW_F32 => real_sum::<f32>(data, shape, strides, |x| x, parallel, out),
        PW_F64 => real_sum::<f64>(data, shape, strides, |x| x, parallel, out),
        PW_C64 => complex_sum::<f32>(data, shape, strides, out),
        _ => complex_sum::<f64>(data, shape, strides, out),
    }
}

/// The second pass of NumPy's `var`: `0 + pairwise(|x - mean|²)` over the
/// elements (as `oxjit_rt_sum_pairwise`), computed in the element type's
/// precision (`mean_im` is ignored for real types) and written to `out` as
/// one real value of the component type.
///
/// # Safety
/// As for [`oxjit_rt_sum_pairwise`].
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_sqdev_pairwise(
    dtype: i32,
    data: *const u8,
    ndim: i64,
    shape: *const i64,
    strides: *const i64,
    mean_re: f64,
    mean_im: f64,
    out: *mut u8,
) {
    let (shape, strides) = dims(shape, strides, ndim);
    fn sq<F: Float>(mean: F) -> impl Fn(F) -> F + Sync {
        move |x| (x - mean) * (x - mean)
    }
    let parallel = dtype & PW_PARALLEL != 0;
    match dtype & !PW_PARALLEL {
        PW_F32 => real_sum::<f32>(data, shape, strides, sq(mean_re as f32), parallel, out),
        PW_F64 => real_sum::<f64>(data, shape, strides, sq(mean_re), parallel, out),
        PW_C64 => complex_sqdev::<f32>(data, shape, strides, (mean_re as f32, mean_im as f32), out),
        _ => complex_sqdev::<f64>(data, shape, strides, (mean_re, mean_im), out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum_f64(data: &[f64], shape: &[i64], strides: &[i64]) -> f64 {
        let mut out = 0.0f64;
        unsafe {
            oxjit_rt_sum_pairwise(
                PW_F64,
                data.as_ptr().cast(),
                shape.len() as i64,
                shape.as_ptr(),
                strides.as_ptr(),
                (&mut out as *mut f64).cast(),
            )
        };
        out
    }

    /// Values spanning 16 orders of magnitude, so that summation orders
    /// differ in their last bits; computed the same way in Python.
    fn wild(n: usize) -> Vec<f64> {
        const SCALE: [f64; 5] = [1e-8, 1e-4, 1.0, 1e4, 1e8];
        (0..n)
            .map(|i| ((i as u64 * 2654435761) % 1000003) as f64 - 500000.0)
            .zip(0..)
            .map(|(x, i)| x / 7.0 * SCALE[i % 5])
            .collect()
    }

    /// Bit patterns of `np.sum(wild(n))` and of the float32 sum from NumPy 2.4.
    #[test]
    fn matches_numpy_bits() {
        for (n, want, want32) in [
            (5, 4793504674043032950u64, 1412405461u32),
            (100, 4800954678005065684, 1426282175),
            (1000, 4804462950248080252, 1432816848),
            (12345, 4805750475786989426, 1435215058),
        ] {
            let a = wild(n);
            assert_eq!(sum_f64(&a, &[n as i64], &[8]).to_bits(), want, "n = {n}");
            let a32: Vec<f32> = a.iter().map(|&x| x as f32).collect();
            let mut out = 0.0f32;
            unsafe {
                oxjit_rt_sum_pairwise(
                    PW_F32,
                    a32.as_ptr().cast(),
                    1,
                    [n as i64].as_ptr(),
                    [4].as_ptr(),
                    (&mut out as *mut f32).cast(),
                )
            };
            assert_eq!(out.to_bits(), want32, "float32, n = {n}");
        }
        // Rows of a 12×35 array: `a.sum(axis=1)[:3]`.
        let a = wild(12 * 35);
        for (row, want) in [
            4797639715159855298u64,
            4793399288516266975,
            4777733540866384750,
        ]
        .into_iter()
        .enumerate()
        {
            assert_eq!(sum_f64(&a[row * 35..], &[35], &[8]).to_bits(), want);
        }
        // `c.sum()` and `c.var()` for c = wild(301) + 1j * wild(302)[1:].
        let (re, im) = (wild(301), wild(302));
        let c: Vec<[f64; 2]> = (0..301).map(|i| [re[i], im[i + 1]]).collect();
        let mut sum = [0.0f64; 2];
        unsafe {
            oxjit_rt_sum_pairwise(
                PW_C128,
                c.as_ptr().cast(),
                1,
                [301].as_ptr(),
                [16].as_ptr(),
                sum.as_mut_ptr().cast(),
            )
        };
        assert_eq!(
            sum.map(f64::to_bits),
            [4806986104666985025, 4806986104666986001]
        );
        // NumPy divides a complex by a count as `x * (1 / n)`.
        let scale = 1.0 / 301.0;
        let mut var = 0.0f64;
        unsafe {
            oxjit_rt_sqdev_pairwise(
                PW_C128,
                c.as_ptr().cast(),
                1,
                [301].as_ptr(),
                [16].as_ptr(),
                sum[0] * scale,
                sum[1] * scale,
                (&mut var as *mut f64).cast(),
            )
        };
        assert_eq!((var / 301.0).to_bits(), 4978340806057646951);
    }

    #[test]
    fn parallel_tree_is_the_serial_tree() {
        for n in [PARALLEL_MIN, 100_003, 1 << 20] {
            let a = wild(n);
            let get = |i: usize| a[i];
            assert_eq!(
                tree_sum(&get, n, true).to_bits(),
                pairwise(&get, 0, n).to_bits(),
                "n = {n}"
            );
        }
    }

    #[test]
    fn negative_zero_and_empty() {
        assert_eq!(sum_f64(&[-0.0; 3], &[3], &[8]).to_bits(), 0.0f64.to_bits());
        assert_eq!(pairwise(&|_| -0.0f64, 0, 3).to_bits(), (-0.0f64).to_bits());
        assert_eq!(sum_f64(&[], &[0], &[8]), 0.0);
        assert_eq!(sum_f64(&[2.5], &[], &[]), 2.5);
    }

    /// A transposed operand is summed in memory order; a strided 2-D one in
    /// C order (gathered); a reversed one in its logical order.
    #[test]
    fn visiting_order() {
        let a = wild(40 * 70);
        let whole = sum_f64(&a, &[40 * 70], &[8]);
        assert_eq!(sum_f64(&a, &[70, 40], &[8, 70 * 8]), whole, "transposed");
        assert_eq!(sum_f64(&a, &[40, 70], &[70 * 8, 8]), whole, "coalesced");
        let every_other: Vec<f64> = a.iter().step_by(2).copied().collect();
        let gathered = 0.0 + pairwise(&|i| every_other[i], 0, every_other.len());
        assert_eq!(
            sum_f64(&a, &[40, 35], &[70 * 8, 16]),
            gathered,
            "strided rows"
        );
        let reversed: Vec<f64> = a.iter().rev().copied().collect();
        let last = a.len() - 1;
        assert_eq!(
            unsafe {
                let mut out = 0.0f64;
                oxjit_rt_sum_pairwise(
                    PW_F64,
                    a.as_ptr().add(last).cast(),
                    1,
                    [a.len() as i64].as_ptr(),
                    [-8].as_ptr(),
                    (&mut out as *mut f64).cast(),
                );
                out
            },
            0.0 + pairwise(&|i| reversed[i], 0, reversed.len())
        );
    }

    #[test]
    fn complex_sums_follow_the_float_count_thresholds() {
        for n in [0usize, 3, 4, 5, 64, 65, 200, 1001] {
            let re = wild(n);
            let im: Vec<f64> = wild(n + 1)[1..].iter().map(|x| x * 3.0).collect();
            let data: Vec<[f64; 2]> = re.iter().zip(&im).map(|(&r, &i)| [r, i]).collect();
            let mut out = [0.0f64; 2];
            unsafe {
                oxjit_rt_sum_pairwise(
                    PW_C128,
                    data.as_ptr().cast(),
                    1,
                    [n as i64].as_ptr(),
                    [16].as_ptr(),
                    out.as_mut_ptr().cast(),
                )
            };
            // Reference: NumPy's float-indexed loop, transcribed literally.
            let flat: Vec<f64> = data.iter().flat_map(|c| *c).collect();
            fn reference(a: &[f64], off: usize, n: usize) -> (f64, f64) {
                if n < 8 {
                    let (mut rr, mut ri) = (-0.0, -0.0);
                    let mut i = 0;
                    while i < n {
                        rr += a[off + i];
                        ri += a[off + i + 1];
                        i += 2;
                    }
                    (rr, ri)
                } else if n <= 128 {
                    let mut r: [f64; 8] = std::array::from_fn(|k| a[off + k]);
                    let mut i = 8;
                    while i < n - n % 8 {
                        for (k, acc) in r.iter_mut().enumerate() {
                            *acc += a[off + i + k];
                        }
                        i += 8;
                    }
                    let (mut rr, mut ri) =
                        ((r[0] + r[2]) + (r[4] + r[6]), (r[1] + r[3]) + (r[5] + r[7]));
                    while i < n {
                        rr += a[off + i];
                        ri += a[off + i + 1];
                        i += 2;
                    }
                    (rr, ri)
                } else {
                    let n2 = n / 2 - (n / 2) % 8;
                    let (a1, b1) = reference(a, off, n2);
                    let (a2, b2) = reference(a, off + n2, n - n2);
                    (a1 + a2, b1 + b2)
                }
            }
            let (rr, ri) = reference(&flat, 0, 2 * n);
            assert_eq!(out, [0.0 + rr, 0.0 + ri], "n = {n}");
        }
    }

    #[test]
    fn squared_deviations() {
        let a = [1.0f64, 2.0, 4.0];
        let mut out = 0.0f64;
        unsafe {
            oxjit_rt_sqdev_pairwise(
                PW_F64,
                a.as_ptr().cast(),
                1,
                [3].as_ptr(),
                [8].as_ptr(),
                2.0,
                0.0,
                (&mut out as *mut f64).cast(),
            )
        };
        assert_eq!(out, 5.0);
        let c = [[1.0f32, 1.0], [3.0, -1.0]];
        let mut out = 0.0f32;
        unsafe {
            oxjit_rt_sqdev_pairwise(
                PW_C64,
                c.as_ptr().cast(),
                1,
                [2].as_ptr(),
                [8].as_ptr(),
                2.0,
                0.0,
                (&mut out as *mut f32).cast(),
            )
        };
        assert_eq!(out, 4.0);
    }
}

//! `np.dot` / `@` for 1-d and 2-d arrays.
//!
//! Matrix products use the BLIS/GotoBLAS structure: blocks of B are packed
//! into panels of `NR` columns and blocks of A into panels of `MR` rows, so
//! a register-blocked micro-kernel streams both from cache with unit
//! stride whatever the operands' layouts. The crate targets baseline
//! x86-64, so float32/float64 products are compiled again with AVX2+FMA
//! and with AVX-512 enabled and chosen at run time; their micro-kernels
//! hold the accumulators in explicit SIMD registers (see [`Simd`]). Other
//! dtypes (complex, integers, and any CPU without FMA) use a portable
//! generic kernel. Vector and matrix-vector products are plain loops that
//! LLVM vectorises. Large products are split by columns across the
//! parallel-loop pool ([`crate::parallel`]), as OpenBLAS does for NumPy.

use std::mem::size_of;

use super::{raise, shape_str, with_dtype, write_scalar, Args, Array, Elem, NewArray, Result};
use crate::parallel;
use oxjit_abi::desc::Desc;

/// Depth of a packed block (A panels of `MR × KC` and B panels of
/// `KC × NR` elements stay in L1/L2).
const KC: usize = 256;
/// Rows of A per packed block.
const MC: usize = 72;
/// Columns of B per packed block.
const NC: usize = 4080;

pub unsafe fn dot(out: *mut u8, args: &Args, out_ty: Desc<'_>) -> Result {
    let (a, b) = (args.array(0), args.array(1));
    if !(1..=2).contains(&a.ndim())
        || !(1..=2).contains(&b.ndim())
        || a.dtype != b.dtype
        || a.dtype != out_ty.dtype()
    {
        return Err(raise(
            "TypeError",
            "oxjit runtime: dot expects 1-d or 2-d arrays of the result's dtype",
        ));
    }
    let (ka, kb) = (a.shape[a.ndim() - 1], b.shape[0]);
    if ka != kb && args.scalar::<i64>(2)? != 0 {
        return Err(raise(
            "ValueError",
            format!("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) (size {kb} is different from {ka})"),
        ));
    }
    if ka != kb {
        return Err(raise(
            "ValueError",
            format!(
                "shapes {} and {} not aligned: {ka} (dim {}) != {kb} (dim 0)",
                shape_str(a.shape),
                shape_str(b.shape),
                a.ndim() - 1
            ),
        ));
    }
    let mat = |x: &Array| Mat {
        ptr: x.data,
        rs: x.strides[0] as isize,
        cs: x.strides.get(1).copied().unwrap_or(0) as isize,
    };
    let k = ka as usize;
    with_dtype!(a.dtype, T => {
        let run = variant::<T>();
        if a.ndim() == 1 && b.ndim() == 1 {
            write_scalar(out, run(Task::Vector { n: k, x: mat(&a), y: mat(&b) }));
            return Ok(());
        }
        let mut shape = a.shape[..a.ndim() - 1].to_vec();
        shape.extend_from_slice(&b.shape[1..]);
        let r = NewArray::alloc(a.dtype, shape)?;
        let c = r.data().cast::<T>();
        match (a.ndim(), b.ndim()) {
            (2, 1) => matvec_split(run, a.shape[0] as usize, k, mat(&a), mat(&b), c),
            // A vector times a matrix is the transposed matrix times the vector.
            (1, 2) => matvec_split(run, b.shape[1] as usize, k, mat(&b).transposed(), mat(&a), c),
            _ => matrix(run, a.shape[0] as usize, b.shape[1] as usize, k, mat(&a), mat(&b), c),
        }
        r.write(out);
        Ok(())
    })
}

/// One product for an instruction-set variant to compute.
#[derive(Clone, Copy)]
enum Task<T> {
    /// `x · y`, returned.
    Vector { n: usize, x: Mat, y: Mat },
    /// `c = A · x` for an `m × k` matrix.
    MatVec {
        m: usize,
        k: usize,
        a: Mat,
        x: Mat,
        c: *mut T,
    },
    /// `c = A · B` (`m × k` by `k × n`), `c` with row stride `ldc` elements.
    Matrix {
        m: usize,
        n: usize,
        k: usize,
        a: Mat,
        b: Mat,
        c: *mut T,
        ldc: usize,
    },
}

/// Multiply-adds per thread below which handing work to another thread
/// costs more than it saves.
const PER_THREAD: usize = 1 << 21;

/// The operands of a product split across threads: each thread computes
/// its own column blocks of `c`, and the launching thread waits for all of
/// them before the operands go away.
struct Operands<T> {
    a: Mat,
    b: Mat,
    c: *mut T,
}
unsafe impl<T> Sync for Operands<T> {}

impl<T> Operands<T> {
    /// Rows `i0..i0 + n` of `c = A · x`, with `x` in `b`.
    unsafe fn rows(&self, k: usize, i0: usize, n: usize) -> Task<T> {
        Task::MatVec {
            m: n,
            k,
            a: Mat {
                ptr: self.a.ptr.offset(i0 as isize * self.a.rs),
                ..self.a
            },
            x: self.b,
            c: self.c.add(i0),
        }
    }

    /// Columns `j0..j0 + cols` of the product.
    unsafe fn columns(&self, m: usize, n: usize, k: usize, j0: usize, cols: usize) -> Task<T> {
        Task::Matrix {
            m,
            n: cols,
            k,
            a: self.a,
            b: Mat {
                ptr: self.b.ptr.offset(j0 as isize * self.b.cs),
                ..self.b
            },
            c: self.c.add(j0),
            ldc: n,
        }
    }
}

/// `c = A · B`, split by columns across the parallel-loop pool when it is
/// big enough (as OpenBLAS does for NumPy). Inside a parallel loop the
/// pool runs it serially.
#[allow(clippy::too_many_arguments)]
unsafe fn matrix<T: Elem>(
    run: unsafe fn(Task<T>) -> T,
    m: usize,
    n: usize,
    k: usize,
    a: Mat,
    b: Mat,
    c: *mut T,
) {
    let work = m.saturating_mul(n).saturating_mul(k);
    let parts = if work < 2 * PER_THREAD {
        1
    } else {
        parallel::get_num_threads()
            .min(work / PER_THREAD)
            .min(n / 16)
            .max(1)
    };
    // Column blocks are multiples of 16, whole float64 panels.
    let width = n.div_ceil(parts).next_multiple_of(16);
    let ops = Operands { a, b, c };
    if parts == 1 {
        run(ops.columns(m, n, k, 0, n));
        return;
    }
    // One block per thread: the products cannot fail.
    parallel::parallel_for(n.div_ceil(width) as i64, false, |start, end, _| {
        for block in start as usize..end as usize {
            let j0 = block * width;
            run(ops.columns(m, n, k, j0, width.min(n - j0)));
        }
        0
    });
}

/// `c = A · x`, split by blocks of rows across the pool when it is big
/// enough: a product that streams the whole matrix once is bound by memory
/// bandwidth, which more cores raise.
unsafe fn matvec_split<T: Elem>(run: Variant<T>, m: usize, k: usize, a: Mat, x: Mat, c: *mut T) {
    // Streaming memory is cheaper per element than a multiply-add's share
    // of a matrix product, so smaller products are worth splitting.
    const PER_THREAD_STREAMED: usize = PER_THREAD / 4;
    let work = m.saturating_mul(k);
    let parts = if work < 2 * PER_THREAD_STREAMED {
        1
    } else {
        parallel::get_num_threads()
            .min(work / PER_THREAD_STREAMED)
            .min(m / 64)
            .max(1)
    };
    let ops = Operands { a, b: x, c };
    if parts == 1 {
        run(ops.rows(k, 0, m));
        return;
    }
    // Row dot products: several blocks per thread, taken dynamically, so
    // that a thread kept off its core (by another library's pool spinning
    // after its own call, say) delays only the block it holds. Column
    // updates: one block per thread, whose long column segments stream
    // better than many short ones.
    let unit = size_of::<T>() as isize;
    let by_rows = a.cs == unit || a.rs != unit;
    let blocks = if by_rows {
        (parts * 8).min(m.div_ceil(ROWS))
    } else {
        parts
    };
    let height = m.div_ceil(blocks).next_multiple_of(ROWS);
    // The products cannot fail.
    parallel::parallel_for(blocks as i64, by_rows, |start, end, _| {
        for block in start as usize..end as usize {
            let i0 = block * height;
            if i0 < m {
                run(ops.rows(k, i0, height.min(m - i0)));
            }
        }
        0
    });
}

/// A product function: one instruction-set variant for one dtype.
type Variant<T> = unsafe fn(Task<T>) -> T;

/// The product function for `T`: for float32/float64 the widest
/// instruction set this CPU has, otherwise portable code.
fn variant<T: Elem>() -> Variant<T> {
    #[cfg(target_arch = "x86_64")]
    {
        use std::any::TypeId;
        use std::arch::x86_64::{__m256, __m256d, __m512, __m512d};
        let fma = is_x86_feature_detected!("fma");
        let avx512 = fma && is_x86_feature_detected!("avx512f");
        let avx2 = fma && is_x86_feature_detected!("avx2");
        // Tiles of 6 rows × 2 registers: 12 accumulators, 2 for B, 1 for A.
        if TypeId::of::<T>() == TypeId::of::<f64>() {
            let f: Variant<f64> = match (avx512, avx2) {
                (true, _) => with_avx512::<f64, Simd<__m512d, 6, 2>>,
                (_, true) => with_avx2::<f64, Simd<__m256d, 6, 2>>,
                _ => run::<f64, Scalar<4, 4>, false>,
            };
            // SAFETY: `T` is `f64`.
            return unsafe { std::mem::transmute::<Variant<f64>, Variant<T>>(f) };
        }
        if TypeId::of::<T>() == TypeId::of::<f32>() {
            let f: Variant<f32> = match (avx512, avx2) {
                (true, _) => with_avx512::<f32, Simd<__m512, 6, 2>>,
                (_, true) => with_avx2::<f32, Simd<__m256, 6, 2>>,
                _ => run::<f32, Scalar<4, 4>, false>,
            };
            // SAFETY: `T` is `f32`.
            return unsafe { std::mem::transmute::<Variant<f32>, Variant<T>>(f) };
        }
    }
    run::<T, Scalar<4, 4>, false>
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn with_avx512<T: Elem, K: Tile<T>>(task: Task<T>) -> T {
    run::<T, K, true>(task)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn with_avx2<T: Elem, K: Tile<T>>(task: Task<T>) -> T {
    run::<T, K, true>(task)
}

/// A strided matrix: element `(i, j)` at `ptr + i*rs + j*cs` (bytes).
#[derive(Clone, Copy)]
struct Mat {
    ptr: *const u8,
    rs: isize,
    cs: isize,
}

impl Mat {
    #[inline(always)]
    unsafe fn at<T>(&self, i: usize, j: usize) -> T {
        self.ptr
            .offset(i as isize * self.rs + j as isize * self.cs)
            .cast::<T>()
            .read_unaligned()
    }

    fn transposed(self) -> Mat {
        Mat {
            rs: self.cs,
            cs: self.rs,
            ..self
        }
    }
}

/// Computes a task (the scalar for `Vector`, else zero). Inlined into each
/// instruction-set variant.
#[inline(always)]
unsafe fn run<T: Elem, K: Tile<T>, const FMA: bool>(task: Task<T>) -> T {
    match task {
        Task::Vector { n, x, y } => return vdot::<T, FMA>(n, x, y),
        Task::MatVec { m, k, a, x, c } => matvec::<T, FMA>(m, k, a, x, c),
        Task::Matrix {
            m,
            n,
            k,
            a,
            b,
            c,
            ldc,
        } => gemm::<T, K>(m, n, k, a, b, c, ldc),
    }
    T::ZERO
}

/// Independent partial sums in vector dot products (two AVX-512 or four
/// AVX2 registers of float64), so additions do not wait on each other.
const LANES: usize = 16;

/// `sum(x[i] * y[i])` over `n` elements of two strided vectors (`rs` is
/// the step).
#[inline(always)]
unsafe fn vdot<T: Elem, const FMA: bool>(n: usize, x: Mat, y: Mat) -> T {
    let mut acc = [T::ZERO; LANES];
    let body = n - n % LANES;
    let unit = size_of::<T>() as isize;
    if x.rs == unit && y.rs == unit {
        let (xs, ys) = (x.ptr.cast::<T>(), y.ptr.cast::<T>());
        for i in (0..body).step_by(LANES) {
            for (l, s) in acc.iter_mut().enumerate() {
                *s = xs
                    .add(i + l)
                    .read_unaligned()
                    .mul_add::<FMA>(ys.add(i + l).read_unaligned(), *s);
            }
        }
    } else {
        for i in (0..body).step_by(LANES) {
            for (l, s) in acc.iter_mut().enumerate() {
                *s = x.at::<T>(i + l, 0).mul_add::<FMA>(y.at(i + l, 0), *s);
            }
        }
    }
    for i in body..n {
        acc[0] = x.at::<T>(i, 0).mul_add::<FMA>(y.at(i, 0), acc[0]);
    }
    combine(acc)
}

/// The sum of partial sums, combined pairwise.
#[inline(always)]
fn combine<T: Elem>(mut acc: [T; LANES]) -> T {
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for l in 0..width {
            acc[l] = acc[l].add(acc[l + width]);
        }
    }
    acc[0]
}

/// Rows at a time in [`vdot_rows`].
const ROWS: usize = 4;

/// `ROWS` dot products `rows[r] · x` over `n` contiguous elements, each
/// load of `x` shared by every row: a matrix-vector product is bound by
/// loads, and this makes 1 + 1/ROWS of them per multiply-add instead of 2.
/// Each row's sum is added in the same order as [`vdot`]'s.
#[inline(always)]
unsafe fn vdot_rows<T: Elem, const FMA: bool>(
    n: usize,
    rows: [*const T; ROWS],
    x: *const T,
) -> [T; ROWS] {
    // Four separate arrays, not one nested: LLVM keeps these in registers.
    let [r0, r1, r2, r3] = rows;
    let (mut a0, mut a1, mut a2, mut a3) = (
        [T::ZERO; LANES],
        [T::ZERO; LANES],
        [T::ZERO; LANES],
        [T::ZERO; LANES],
    );
    let step = |acc: &mut [T; LANES], row: *const T, i: usize, l: usize, xv: T| {
        acc[l] = row.add(i + l).read_unaligned().mul_add::<FMA>(xv, acc[l]);
    };
    let body = n - n % LANES;
    for i in (0..body).step_by(LANES) {
        for l in 0..LANES {
            let xv = x.add(i + l).read_unaligned();
            step(&mut a0, r0, i, l, xv);
            step(&mut a1, r1, i, l, xv);
            step(&mut a2, r2, i, l, xv);
            step(&mut a3, r3, i, l, xv);
        }
    }
    for i in body..n {
        let xv = x.add(i).read_unaligned();
        step(&mut a0, r0, i, 0, xv);
        step(&mut a1, r1, i, 0, xv);
        step(&mut a2, r2, i, 0, xv);
        step(&mut a3, r3, i, 0, xv);
    }
    [combine(a0), combine(a1), combine(a2), combine(a3)]
}

/// `c = A · x` for an `m × k` matrix: row dot products when A's rows are
/// contiguous, else column updates `c += x[p] * A[:, p]`, contiguous when
/// its columns are.
#[inline(always)]
unsafe fn matvec<T: Elem, const FMA: bool>(m: usize, k: usize, a: Mat, x: Mat, c: *mut T) {
    let unit = size_of::<T>() as isize;
    let mut done = 0;
    if a.cs == unit && x.rs == unit {
        for i in (0..m - m % ROWS).step_by(ROWS) {
            let rows = std::array::from_fn(|r| a.ptr.offset((i + r) as isize * a.rs).cast::<T>());
            let sums = vdot_rows::<T, FMA>(k, rows, x.ptr.cast::<T>());
            for (r, s) in sums.into_iter().enumerate() {
                c.add(i + r).write(s);
            }
        }
        done = m - m % ROWS;
    }
    if a.cs == unit || a.rs != unit {
        for i in done..m {
            let row = Mat {
                ptr: a.ptr.offset(i as isize * a.rs),
                rs: a.cs,
                cs: 0,
            };
            c.add(i).write(vdot::<T, FMA>(k, row, x));
        }
        return;
    }
    for i in 0..m {
        c.add(i).write(T::ZERO);
    }
    let col = |p: usize| a.ptr.offset(p as isize * a.cs).cast::<T>();
    // Four columns per pass over `c` (one load and store of `c` per four
    // multiply-adds), each element still updated in column order.
    let mut p = 0;
    while p + ROWS <= k {
        let (s0, s1, s2, s3): (T, T, T, T) =
            (x.at(p, 0), x.at(p + 1, 0), x.at(p + 2, 0), x.at(p + 3, 0));
        let (c0, c1, c2, c3) = (col(p), col(p + 1), col(p + 2), col(p + 3));
        for i in 0..m {
            let mut v = c.add(i).read();
            v = s0.mul_add::<FMA>(c0.add(i).read_unaligned(), v);
            v = s1.mul_add::<FMA>(c1.add(i).read_unaligned(), v);
            v = s2.mul_add::<FMA>(c2.add(i).read_unaligned(), v);
            v = s3.mul_add::<FMA>(c3.add(i).read_unaligned(), v);
            c.add(i).write(v);
        }
        p += ROWS;
    }
    for p in p..k {
        let s: T = x.at(p, 0);
        let cp = col(p);
        for i in 0..m {
            c.add(i)
                .write(s.mul_add::<FMA>(cp.add(i).read_unaligned(), c.add(i).read()));
        }
    }
}

/// `c = A · B` (`m × k` by `k × n`, `c` with row stride `ldc`), blocked.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn gemm<T: Elem, K: Tile<T>>(
    m: usize,
    n: usize,
    k: usize,
    a: Mat,
    b: Mat,
    c: *mut T,
    ldc: usize,
) {
    if k == 0 {
        for i in 0..m {
            for j in 0..n {
                c.add(i * ldc + j).write(T::ZERO);
            }
        }
        return;
    }
    // Packing writes every element the kernels read (padding included),
    // so the buffers are never initialised separately.
    let mut a_buf = Vec::<T>::with_capacity(MC.min(m).next_multiple_of(K::MR) * KC.min(k));
    let mut b_buf = Vec::<T>::with_capacity(NC.min(n).next_multiple_of(K::NR) * KC.min(k));
    let (apack, bpack) = (a_buf.as_mut_ptr(), b_buf.as_mut_ptr());
    for jc in (0..n).step_by(NC) {
        let nc = NC.min(n - jc);
        for pc in (0..k).step_by(KC) {
            let kc = KC.min(k - pc);
            pack(bpack, K::NR, b.transposed(), jc, pc, nc, kc);
            for ic in (0..m).step_by(MC) {
                let mc = MC.min(m - ic);
                pack(apack, K::MR, a, ic, pc, mc, kc);
                for jr in (0..nc).step_by(K::NR) {
                    for ir in (0..mc).step_by(K::MR) {
                        K::tile(
                            kc,
                            apack.add(ir * kc),
                            bpack.add(jr * kc),
                            c.add((ic + ir) * ldc + jc + jr),
                            ldc,
                            K::MR.min(mc - ir),
                            K::NR.min(nc - jr),
                            pc == 0,
                        );
                    }
                }
            }
        }
    }
}

/// Packs rows `r0..r0+rows` and columns `p0..p0+depth` of `x` into panels
/// of `r` rows, each stored column by column (`r` consecutive elements per
/// column), the last panel padded with zeros. B is packed as Bᵀ.
#[inline(always)]
unsafe fn pack<T: Elem>(
    dst: *mut T,
    r: usize,
    x: Mat,
    r0: usize,
    p0: usize,
    rows: usize,
    depth: usize,
) {
    let mut d = dst;
    for i0 in (0..rows).step_by(r) {
        let live = r.min(rows - i0);
        for p in 0..depth {
            for i in 0..r {
                d.add(i).write(if i < live {
                    x.at(r0 + i0 + i, p0 + p)
                } else {
                    T::ZERO
                });
            }
            d = d.add(r);
        }
    }
}

/// A register-blocked micro-kernel: an `MR × NR` tile of C from an A panel
/// (`MR` rows) and a B panel (`NR` columns) packed `kc` deep, stored
/// (`first` block along k) or added to C for its `mr × nr` live part.
trait Tile<T> {
    const MR: usize;
    const NR: usize;
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile(
        kc: usize,
        a: *const T,
        b: *const T,
        c: *mut T,
        ldc: usize,
        mr: usize,
        nr: usize,
        first: bool,
    );
}

/// The portable kernel, for every dtype: accumulators in a plain array.
struct Scalar<const MR: usize, const NR: usize>;

impl<T: Elem, const MR: usize, const NR: usize> Tile<T> for Scalar<MR, NR> {
    const MR: usize = MR;
    const NR: usize = NR;

    #[inline(always)]
    unsafe fn tile(
        kc: usize,
        a: *const T,
        b: *const T,
        c: *mut T,
        ldc: usize,
        mr: usize,
        nr: usize,
        first: bool,
    ) {
        let mut acc = [[T::ZERO; NR]; MR];
        for p in 0..kc {
            let bv = b.add(p * NR).cast::<[T; NR]>().read();
            let av = a.add(p * MR).cast::<[T; MR]>().read();
            for i in 0..MR {
                for j in 0..NR {
                    acc[i][j] = av[i].mul_add::<false>(bv[j], acc[i][j]);
                }
            }
        }
        for (i, row) in acc.iter().enumerate().take(mr) {
            let dst = c.add(i * ldc);
            for (j, &v) in row.iter().enumerate().take(nr) {
                dst.add(j)
                    .write(if first { v } else { dst.add(j).read().add(v) });
            }
        }
    }
}

/// A SIMD register of `W` elements of `T`, for kernels inlined into
/// functions compiled with the instruction set it needs.
#[cfg(target_arch = "x86_64")]
trait Lanes<T>: Copy {
    const W: usize;
    unsafe fn zero() -> Self;
    unsafe fn splat(x: T) -> Self;
    unsafe fn load(p: *const T) -> Self;
    unsafe fn store(self, p: *mut T);
    /// `self * b + c`, fused.
    unsafe fn fma(self, b: Self, c: Self) -> Self;
    unsafe fn add(self, b: Self) -> Self;
}

#[cfg(target_arch = "x86_64")]
macro_rules! lanes {
    ($($v:ident $t:ty, $w:expr, [$zero:ident $set1:ident $load:ident $store:ident $fmadd:ident $add:ident];)*) => {$(
        impl Lanes<$t> for std::arch::x86_64::$v {
            const W: usize = $w;
            #[inline(always)]
            unsafe fn zero() -> Self {
                std::arch::x86_64::$zero()
            }
            #[inline(always)]
            unsafe fn splat(x: $t) -> Self {
                std::arch::x86_64::$set1(x)
            }
            #[inline(always)]
            unsafe fn load(p: *const $t) -> Self {
                std::arch::x86_64::$load(p)
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $t) {
                std::arch::x86_64::$store(p, self)
            }
            #[inline(always)]
            unsafe fn fma(self, b: Self, c: Self) -> Self {
                std::arch::x86_64::$fmadd(self, b, c)
            }
            #[inline(always)]
            unsafe fn add(self, b: Self) -> Self {
                std::arch::x86_64::$add(self, b)
            }
        }
    )*};
}

#[cfg(target_arch = "x86_64")]
lanes! {
    __m512d f64, 8, [_mm512_setzero_pd _mm512_set1_pd _mm512_loadu_pd _mm512_storeu_pd _mm512_fmadd_pd _mm512_add_pd];
    __m512 f32, 16, [_mm512_setzero_ps _mm512_set1_ps _mm512_loadu_ps _mm512_storeu_ps _mm512_fmadd_ps _mm512_add_ps];
    __m256d f64, 4, [_mm256_setzero_pd _mm256_set1_pd _mm256_loadu_pd _mm256_storeu_pd _mm256_fmadd_pd _mm256_add_pd];
    __m256 f32, 8, [_mm256_setzero_ps _mm256_set1_ps _mm256_loadu_ps _mm256_storeu_ps _mm256_fmadd_ps _mm256_add_ps];
}

/// The SIMD kernel: `MR` rows of `NV` registers of accumulators. Written
/// with explicit vectors because LLVM's vectoriser stops keeping a plain
/// accumulator array in registers beyond about 100 elements, which a tile
/// filling AVX-512 registers needs.
#[cfg(target_arch = "x86_64")]
struct Simd<V, const MR: usize, const NV: usize>(std::marker::PhantomData<V>);

#[cfg(target_arch = "x86_64")]
impl<T: Elem, V: Lanes<T>, const MR: usize, const NV: usize> Tile<T> for Simd<V, MR, NV> {
    const MR: usize = MR;
    const NR: usize = NV * V::W;

    #[inline(always)]
    unsafe fn tile(
        kc: usize,
        a: *const T,
        b: *const T,
        c: *mut T,
        ldc: usize,
        mr: usize,
        nr: usize,
        first: bool,
    ) {
        let w = V::W;
        let mut acc = [[V::zero(); NV]; MR];
        for p in 0..kc {
            let bp = b.add(p * NV * w);
            let bv: [V; NV] = std::array::from_fn(|v| V::load(bp.add(v * w)));
            for (i, row) in acc.iter_mut().enumerate() {
                let ai = V::splat(a.add(p * MR + i).read());
                for (s, &bj) in row.iter_mut().zip(&bv) {
                    *s = ai.fma(bj, *s);
                }
            }
        }
        if mr == MR && nr == NV * w {
            for (i, row) in acc.iter().enumerate() {
                for (v, &s) in row.iter().enumerate() {
                    let dst = c.add(i * ldc + v * w);
                    (if first { s } else { s.add(V::load(dst)) }).store(dst);
                }
            }
            return;
        }
        // An edge tile: each row through a buffer, then its live part.
        const { assert!(NV * V::W <= 64, "a tile row fits the buffer") };
        let mut buf = [T::ZERO; 64];
        for (i, row) in acc.iter().enumerate().take(mr) {
            for (v, &s) in row.iter().enumerate() {
                s.store(buf.as_mut_ptr().add(v * w));
            }
            let dst = c.add(i * ldc);
            for (j, &x) in buf.iter().enumerate().take(nr) {
                dst.add(j)
                    .write(if first { x } else { dst.add(j).read().add(x) });
            }
        }
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    //! Every instruction-set variant on this CPU, not only the one chosen
    //! at run time (the ABI-level tests in `tests/arrayfns` cover that).

    use std::arch::x86_64::{__m256, __m256d, __m512, __m512d};

    use super::*;

    /// The portable variant and the SIMD ones this CPU can run.
    fn variants<T: Elem, V2: Lanes<T>, V5: Lanes<T>>() -> Vec<(&'static str, Variant<T>)> {
        let mut v: Vec<(&'static str, Variant<T>)> =
            vec![("portable", run::<T, Scalar<4, 4>, false>)];
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            v.push(("avx2", with_avx2::<T, Simd<V2, 6, 2>>));
        }
        if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma") {
            v.push(("avx512", with_avx512::<T, Simd<V5, 6, 2>>));
        }
        v
    }

    #[test]
    fn variants_agree_with_the_definition() {
        for (m, k, n) in [(1, 1, 1), (7, 13, 29), (37, 300, 41), (13, 5, 70)] {
            let a: Vec<f64> = (0..m * k)
                .map(|i| ((i * 37 % 101) as f64 - 50.0) / 16.0)
                .collect();
            let b: Vec<f64> = (0..k * n)
                .map(|i| ((i * 53 % 89) as f64 - 44.0) / 8.0)
                .collect();
            // Small integers over powers of two: every sum is exact.
            let want: Vec<f64> = (0..m * n)
                .map(|ij| (0..k).map(|p| a[ij / n * k + p] * b[p * n + ij % n]).sum())
                .collect();
            let row_major = |x: &[f64], cols: usize| Mat {
                ptr: x.as_ptr().cast(),
                rs: (cols * 8) as isize,
                cs: 8,
            };
            for (name, f) in variants::<f64, __m256d, __m512d>() {
                let mut c = vec![f64::NAN; m * n];
                // B given as the transpose of a column-major copy.
                let bt: Vec<f64> = (0..k * n).map(|q| b[(q % k) * n + q / k]).collect();
                let b_cm = Mat {
                    ptr: bt.as_ptr().cast(),
                    rs: 8,
                    cs: (k * 8) as isize,
                };
                unsafe {
                    f(Task::Matrix {
                        m,
                        n,
                        k,
                        a: row_major(&a, k),
                        b: b_cm,
                        c: c.as_mut_ptr(),
                        ldc: n,
                    })
                };
                assert_eq!(c, want, "{name} {m}x{k}x{n}");

                let x: Vec<f64> = (0..k).map(|p| p as f64 - 3.0).collect();
                let mut y = vec![f64::NAN; m];
                let xv = Mat {
                    ptr: x.as_ptr().cast(),
                    rs: 8,
                    cs: 0,
                };
                unsafe {
                    f(Task::MatVec {
                        m,
                        k,
                        a: row_major(&a, k),
                        x: xv,
                        c: y.as_mut_ptr(),
                    })
                };
                let want_y: Vec<f64> = (0..m)
                    .map(|i| (0..k).map(|p| a[i * k + p] * x[p]).sum())
                    .collect();
                assert_eq!(y, want_y, "{name} matvec {m}x{k}");
                let dot = unsafe {
                    f(Task::Vector {
                        n: k,
                        x: xv,
                        y: Mat {
                            ptr: a.as_ptr().cast(),
                            rs: 8,
                            cs: 0,
                        },
                    })
                };
                assert_eq!(
                    dot,
                    (0..k).map(|p| x[p] * a[p]).sum::<f64>(),
                    "{name} dot {k}"
                );
            }
            let (a32, b32): (Vec<f32>, Vec<f32>) = (
                a.iter().map(|&v| v as f32).collect(),
                b.iter().map(|&v| v as f32).collect(),
            );
            for (name, f) in variants::<f32, __m256, __m512>() {
                let mut c = vec![f32::NAN; m * n];
                let mat = |x: &[f32], cols: usize| Mat {
                    ptr: x.as_ptr().cast(),
                    rs: (cols * 4) as isize,
                    cs: 4,
                };
                unsafe {
                    f(Task::Matrix {
                        m,
                        n,
                        k,
                        a: mat(&a32, k),
                        b: mat(&b32, n),
                        c: c.as_mut_ptr(),
                        ldc: n,
                    })
                };
                for (g, w) in c.iter().zip(&want) {
                    assert!(
                        (*g as f64 - w).abs() <= 1e-4 * w.abs().max(1.0),
                        "{name} f32 {m}x{k}x{n}: {g} vs {w}"
                    );
                }
            }
        }
    }
}

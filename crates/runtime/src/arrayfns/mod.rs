//! Runtime array functions: the `oxjit_rt_af_*` symbols compiled code calls
//! for array operations that are not elementwise loops (ABI:
//! [`crate::abi`]; semantics: `RuntimeFn` in the typed IR crate).
//!
//! This module holds what they share: [`Elem`], the element types as one
//! small trait (so every loop is written once, generically, and
//! instantiated per dtype by [`with_dtype!`]); [`Array`], a typed view of an
//! array argument that reads through strides; [`NewArray`], a fresh
//! C-contiguous result that is released if an error occurs before it is
//! handed to the caller; and the errors, raised with NumPy's messages.

mod dicts;
mod dot;
mod excs;
mod floats;
mod format;
mod formatspec;
mod join;
pub(crate) mod keys;
mod lists;
mod parse;
mod random;
pub use random::{oxjit_rt_random_double, oxjit_rt_random_gauss};
mod scan;
mod select;
mod sets;
mod sort;
mod strs;
mod strsearch;

use std::any::TypeId;
use std::cmp::Ordering;
use std::mem::size_of;
use std::ptr;

use crate::abi::{ArrayFn, ArrayHeader, Dtype};
use crate::exceptions::raise_dynamic;
use crate::memory::{
    oxjit_rt_meminfo_alloc, oxjit_rt_meminfo_data, oxjit_rt_meminfo_decref, MemInfo,
};
use oxjit_abi::desc::Desc;
use oxjit_abi::exc::{ExcArg, ExcSpec};
use oxjit_abi::sig::{Effect, RtFn};

/// An exception status ([`oxjit_abi::exc::DYNAMIC`]).
type Raise = u32;
type Result<T = ()> = std::result::Result<T, Raise>;

/// Stores an exception with one message argument for the caller. Messages
/// name run-time values, so they are not registered as descriptors (the
/// table would grow with every distinct index or shape).
fn raise(class: &str, message: impl AsRef<str>) -> Raise {
    raise_dynamic(ExcSpec::with_message(class, message.as_ref()))
}

/// NumPy's `AxisError` (a `ValueError` subclass) for `axis` outside
/// `[-ndim, ndim)`; otherwise the axis counted from the front.
fn normalize_axis(axis: i64, ndim: usize) -> Result<usize> {
    let n = ndim as i64;
    if axis < -n || axis >= n {
        // Constructed as NumPy does, `AxisError(axis, ndim, None)`.
        return Err(raise_dynamic(ExcSpec {
            class: "numpy.exceptions.AxisError".into(),
            args: vec![ExcArg::Int(axis), ExcArg::Int(n), ExcArg::None],
        }));
    }
    Ok(if axis < 0 { axis + n } else { axis } as usize)
}

/// A shape as NumPy prints it: `(2,3)` (no spaces, as in `dot`'s message),
/// `(4,)` for one dimension.
fn shape_str(shape: &[i64]) -> String {
    let items: Vec<String> = shape.iter().map(i64::to_string).collect();
    if items.len() == 1 {
        format!("({},)", items[0])
    } else {
        format!("({})", items.join(","))
    }
}

/// Python's index normalisation: negative counts from the end.
fn wrap(i: i64, len: usize) -> i64 {
    if i < 0 {
        i.saturating_add(len as i64)
    } else {
        i
    }
}

/// Python's `slice.indices` for `len` items (CPython's
/// `PySlice_AdjustIndices`): the first position, the step and the count
/// of `start:stop:step`, where `i64::MIN` is an absent bound.
/// `ValueError` for a zero step.
fn slice_indices(len: usize, start: i64, stop: i64, step: i64) -> Result<(i64, i64, usize)> {
    if step == 0 {
        return Err(raise("ValueError", "slice step cannot be zero"));
    }
    let n = len as i64;
    let bound = |v: i64, absent: i64| {
        if v == i64::MIN {
            absent
        } else if step > 0 {
            wrap(v, len).clamp(0, n)
        } else {
            wrap(v, len).clamp(-1, n - 1)
        }
    };
    let (start, stop) = if step > 0 {
        (bound(start, 0), bound(stop, n))
    } else {
        (bound(start, n - 1), bound(stop, -1))
    };
    let span = if step > 0 { stop - start } else { start - stop };
    let count = if span > 0 {
        (span as u64 - 1) / step.unsigned_abs() + 1
    } else {
        0
    };
    Ok((start, step, count as usize))
}

/// NumPy's `bool`: one byte, 0 or 1. A byte newtype rather than Rust's
/// `bool`, for which any other byte value would be undefined behaviour.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Bool(pub u8);

/// NumPy's `complex64`/`complex128` layout.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Complex<F> {
    pub re: F,
    pub im: F,
}

/// Any element value widened without loss, the pivot of conversions
/// between dtypes (NumPy's `unsafe` casting: wrap-around for integers,
/// the real part of complex numbers).
#[derive(Clone, Copy, Debug)]
pub enum Wide {
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Complex(f64, f64),
}

/// An element type: the arithmetic and ordering NumPy uses for it.
pub trait Elem: Copy + Send + Sync + 'static {
    const ZERO: Self;
    /// `+`, wrapping for integers; logical or for `bool` (NumPy's `add`).
    fn add(self, other: Self) -> Self;
    /// `*`, wrapping for integers; logical and for `bool`.
    fn mul(self, other: Self) -> Self;
    /// `self * b + c`, fused for floats when `FUSED` (only inside kernels
    /// compiled with hardware FMA; elsewhere `mul_add` is a libm call).
    #[inline(always)]
    fn mul_add<const FUSED: bool>(self, b: Self, c: Self) -> Self {
        c.add(self.mul(b))
    }
    /// Truth value (`np.nonzero`, masks).
    fn is_nonzero(self) -> bool;
    /// NumPy's sort order: NaNs last, complex numbers lexicographic.
    fn sort_cmp(&self, other: &Self) -> Ordering;
    fn widen(self) -> Wide;
    fn narrow(w: Wide) -> Self;
}

impl Elem for Bool {
    const ZERO: Self = Bool(0);
    fn add(self, other: Self) -> Self {
        Bool((self.0 != 0 || other.0 != 0) as u8)
    }
    fn mul(self, other: Self) -> Self {
        Bool((self.0 != 0 && other.0 != 0) as u8)
    }
    fn is_nonzero(self) -> bool {
        self.0 != 0
    }
    fn sort_cmp(&self, other: &Self) -> Ordering {
        (self.0 != 0).cmp(&(other.0 != 0))
    }
    fn widen(self) -> Wide {
        Wide::Bool(self.0 != 0)
    }
    fn narrow(w: Wide) -> Self {
        Bool(match w {
            Wide::Bool(b) => b,
            Wide::Int(v) => v != 0,
            Wide::UInt(v) => v != 0,
            Wide::Float(v) => v != 0.0,
            Wide::Complex(re, im) => re != 0.0 || im != 0.0,
        } as u8)
    }
}

macro_rules! int_elem {
    ($($t:ty => $wide:ident),*) => {$(
        impl Elem for $t {
            const ZERO: Self = 0;
            #[inline(always)]
            fn add(self, other: Self) -> Self {
                self.wrapping_add(other)
            }
            #[inline(always)]
            fn mul(self, other: Self) -> Self {
                self.wrapping_mul(other)
            }
            fn is_nonzero(self) -> bool {
                self != 0
            }
            fn sort_cmp(&self, other: &Self) -> Ordering {
                self.cmp(other)
            }
            fn widen(self) -> Wide {
                Wide::$wide(self as _)
            }
            fn narrow(w: Wide) -> Self {
                match w {
                    Wide::Bool(b) => b as Self,
                    Wide::Int(v) => v as Self,
                    Wide::UInt(v) => v as Self,
                    Wide::Float(v) => v as Self,
                    Wide::Complex(re, _) => re as Self,
                }
            }
        }
    )*};
}
int_elem!(i8 => Int, i16 => Int, i32 => Int, i64 => Int, u8 => UInt, u16 => UInt, u32 => UInt, u64 => UInt);

macro_rules! float_elem {
    ($($t:ty),*) => {$(
        impl Elem for $t {
            const ZERO: Self = 0.0;
            #[inline(always)]
            fn add(self, other: Self) -> Self {
                self + other
            }
            #[inline(always)]
            fn mul(self, other: Self) -> Self {
                self * other
            }
            #[inline(always)]
            fn mul_add<const FUSED: bool>(self, b: Self, c: Self) -> Self {
                if FUSED { <$t>::mul_add(self, b, c) } else { self * b + c }
            }
            fn is_nonzero(self) -> bool {
                self != 0.0
            }
            fn sort_cmp(&self, other: &Self) -> Ordering {
                match (self.is_nan(), other.is_nan()) {
                    (false, false) => self.partial_cmp(other).unwrap_or(Ordering::Equal),
                    (a, b) => a.cmp(&b),
                }
            }
            fn widen(self) -> Wide {
                Wide::Float(self as f64)
            }
            fn narrow(w: Wide) -> Self {
                match w {
                    Wide::Bool(b) => b as u8 as Self,
                    Wide::Int(v) => v as Self,
                    Wide::UInt(v) => v as Self,
                    Wide::Float(v) => v as Self,
                    Wide::Complex(re, _) => re as Self,
                }
            }
        }

        impl Elem for Complex<$t> {
            const ZERO: Self = Complex { re: 0.0, im: 0.0 };
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                Complex { re: self.re + o.re, im: self.im + o.im }
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                Complex { re: self.re * o.re - self.im * o.im, im: self.re * o.im + self.im * o.re }
            }
            fn is_nonzero(self) -> bool {
                self.re != 0.0 || self.im != 0.0
            }
            /// NumPy's `CFLOAT_LT` (npysort): by real part, then imaginary,
            /// a NaN in either part sorting after every non-NaN value there.
            fn sort_cmp(&self, other: &Self) -> Ordering {
                let lt = |a: &Self, b: &Self| {
                    if a.re < b.re {
                        a.im == a.im || b.im != b.im
                    } else if a.re > b.re {
                        b.im != b.im && a.im == a.im
                    } else if a.re == b.re || (a.re != a.re && b.re != b.re) {
                        a.im < b.im || (b.im != b.im && a.im == a.im)
                    } else {
                        b.re != b.re
                    }
                };
                if lt(self, other) {
                    Ordering::Less
                } else if lt(other, self) {
                    Ordering::Greater
                } else {
                    Ordering::Equal
                }
            }
            fn widen(self) -> Wide {
                Wide::Complex(self.re as f64, self.im as f64)
            }
            fn narrow(w: Wide) -> Self {
                match w {
                    Wide::Complex(re, im) => Complex { re: re as $t, im: im as $t },
                    other => Complex { re: <$t>::narrow(other), im: 0.0 },
                }
            }
        }
    )*};
}
float_elem!(f32, f64);

/// Runs `$body` with `$T` bound to the element type of dtype character
/// `$dtype`, or evaluates to an unsupported-dtype error.
macro_rules! with_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            b'?' => {
                type $T = $crate::arrayfns::Bool;
                $body
            }
            b'b' => {
                type $T = i8;
                $body
            }
            b'h' => {
                type $T = i16;
                $body
            }
            b'i' => {
                type $T = i32;
                $body
            }
            b'l' | b'q' => {
                type $T = i64;
                $body
            }
            b'B' => {
                type $T = u8;
                $body
            }
            b'H' => {
                type $T = u16;
                $body
            }
            b'I' => {
                type $T = u32;
                $body
            }
            b'L' | b'Q' => {
                type $T = u64;
                $body
            }
            b'f' => {
                type $T = f32;
                $body
            }
            b'd' => {
                type $T = f64;
                $body
            }
            b'F' => {
                type $T = $crate::arrayfns::Complex<f32>;
                $body
            }
            b'D' => {
                type $T = $crate::arrayfns::Complex<f64>;
                $body
            }
            other => Err($crate::arrayfns::unsupported_dtype(other)),
        }
    };
}
use with_dtype;

fn unsupported_dtype(dtype: Dtype) -> Raise {
    raise(
        "TypeError",
        format!("oxjit runtime: unsupported dtype '{}'", dtype as char),
    )
}

/// Size in bytes of an element of `dtype`.
fn itemsize(dtype: Dtype) -> Result<usize> {
    with_dtype!(dtype, T => Ok(size_of::<T>()))
}

/// Runs `$body` with `$T` bound to a plain type of `$size` bytes, for
/// copies that only move elements.
macro_rules! with_itemsize {
    ($size:expr, $T:ident => $body:expr) => {
        match $size {
            1 => {
                type $T = u8;
                $body
            }
            2 => {
                type $T = u16;
                $body
            }
            4 => {
                type $T = u32;
                $body
            }
            8 => {
                type $T = u64;
                $body
            }
            _ => {
                type $T = [u64; 2];
                $body
            }
        }
    };
}
use with_itemsize;

/// A borrowed array argument: the data pointer and its layout.
#[derive(Clone, Copy, Debug)]
pub struct Array<'a> {
    pub dtype: Dtype,
    pub data: *mut u8,
    pub shape: &'a [i64],
    /// Byte strides, one per dimension.
    pub strides: &'a [i64],
}

impl<'a> Array<'a> {
    /// Reads an array in memory form: [`ArrayHeader`], extents, strides.
    ///
    /// # Safety
    /// `p` must point at a valid array of `ndim` dimensions that outlives `'a`.
    pub unsafe fn from_raw(p: *const u8, dtype: Dtype, ndim: usize) -> Array<'a> {
        let header = &*p.cast::<ArrayHeader>();
        let dims = p.add(size_of::<ArrayHeader>()).cast::<i64>();
        Array {
            dtype,
            data: header.data,
            shape: std::slice::from_raw_parts(dims, ndim),
            strides: std::slice::from_raw_parts(dims.add(ndim), ndim),
        }
    }

    /// Bytes taken by an array of `ndim` dimensions in memory form.
    pub fn memory_size(ndim: usize) -> usize {
        size_of::<ArrayHeader>() + 16 * ndim
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    pub fn size(&self) -> usize {
        self.shape.iter().map(|&n| n as usize).product()
    }

    /// The sub-array `self[i]` (the first dimension indexed).
    pub(crate) fn row(&self, i: usize) -> Array<'a> {
        Array {
            dtype: self.dtype,
            // Wrapping: any `i` makes an address; reads need it in range.
            data: self
                .data
                .wrapping_offset(i as isize * self.strides[0] as isize),
            shape: &self.shape[1..],
            strides: &self.strides[1..],
        }
    }

    /// Calls `f(pointers, n, strides)` for every run of elements along the
    /// last dimension of `shape`, in C order, walking several arrays of that
    /// shape at once (each with its own data pointer and strides).
    pub(crate) fn for_each_run<const K: usize>(
        shape: &[i64],
        arrays: [(*mut u8, &[i64]); K],
        mut f: impl FnMut([*mut u8; K], usize, [isize; K]),
    ) {
        if shape.iter().any(|&n| n <= 0) {
            return;
        }
        let Some((&n, outer)) = shape.split_last() else {
            f(arrays.map(|a| a.0), 1, [0; K]);
            return;
        };
        let last = shape.len() - 1;
        let inner = arrays.map(|a| a.1[last] as isize);
        let mut index = vec![0i64; outer.len()];
        let mut ptrs = arrays.map(|a| a.0);
        loop {
            f(ptrs, n as usize, inner);
            // Odometer over the outer dimensions, moving each pointer along.
            let mut d = outer.len();
            loop {
                if d == 0 {
                    return;
                }
                d -= 1;
                index[d] += 1;
                for (p, a) in ptrs.iter_mut().zip(&arrays) {
                    *p = p.wrapping_offset(a.1[d] as isize);
                }
                if index[d] < outer[d] {
                    break;
                }
                for (p, a) in ptrs.iter_mut().zip(&arrays) {
                    *p = p.wrapping_offset(-(a.1[d] * outer[d]) as isize);
                }
                index[d] = 0;
            }
        }
    }

    /// The layout with dimensions that can be walked as one merged (C order
    /// is preserved): fewer, longer runs for [`Self::for_each_run`].
    fn merged(&self) -> (Vec<i64>, Vec<i64>) {
        let mut shape: Vec<i64> = Vec::with_capacity(self.ndim());
        let mut strides: Vec<i64> = Vec::with_capacity(self.ndim());
        for (&n, &s) in self.shape.iter().zip(self.strides) {
            if n == 1 {
                continue;
            }
            match (shape.last_mut(), strides.last_mut()) {
                (Some(pn), Some(ps)) if *ps == s * n => {
                    *pn *= n;
                    *ps = s;
                }
                _ => {
                    shape.push(n);
                    strides.push(s);
                }
            }
        }
        (shape, strides)
    }

    /// Calls `f(pointer)` for every element in C order.
    pub(crate) fn for_each_ptr(&self, mut f: impl FnMut(*mut u8)) {
        let (shape, strides) = self.merged();
        Array::for_each_run(&shape, [(self.data, &strides)], |[p], n, [s]| {
            for i in 0..n as isize {
                f(p.wrapping_offset(i * s));
            }
        });
    }

    /// Calls `f(element)` for every element in C order.
    ///
    /// # Safety
    /// `T` must be the element type of the array's dtype.
    pub(crate) unsafe fn for_each<T: Elem>(&self, mut f: impl FnMut(T)) {
        let (shape, strides) = self.merged();
        Array::for_each_run(&shape, [(self.data, &strides)], |[p], n, [s]| {
            if s == size_of::<T>() as isize {
                // Separate loop so the contiguous case vectorises.
                for i in 0..n {
                    f(p.cast::<T>().add(i).read_unaligned());
                }
            } else {
                for i in 0..n as isize {
                    f(p.offset(i * s).cast::<T>().read_unaligned());
                }
            }
        });
    }

    /// Copies the elements in C order to `dst`, converting them to `T`.
    ///
    /// # Safety
    /// `dst` must have room for `self.size()` elements.
    pub(crate) unsafe fn gather<T: Elem>(&self, dst: *mut T) -> Result {
        with_dtype!(self.dtype, S => {
            let (shape, strides) = self.merged();
            let mut out = dst;
            Array::for_each_run(&shape, [(self.data, &strides)], |[p], n, [s]| {
                if TypeId::of::<S>() == TypeId::of::<T>() && s == size_of::<T>() as isize {
                    ptr::copy_nonoverlapping(p, out.cast(), n * size_of::<T>());
                } else {
                    for i in 0..n {
                        let v = p.offset(i as isize * s).cast::<S>().read_unaligned();
                        out.add(i).write(T::narrow(v.widen()));
                    }
                }
                out = out.add(n);
            });
            Ok(())
        })
    }

    /// The elements in C order as a vector of `T`.
    pub fn to_vec<T: Elem>(&self) -> Result<Vec<T>> {
        let n = self.size();
        let mut v = Vec::with_capacity(n);
        // SAFETY: the vector has capacity for every element, all written.
        unsafe {
            self.gather(v.as_mut_ptr())?;
            v.set_len(n);
        }
        Ok(v)
    }

    /// Copies this array's elements to `dst`, an array of the same shape and
    /// dtype.
    ///
    /// # Safety
    /// `dst` must be writable and not overlap `self`.
    pub(crate) unsafe fn copy_to(&self, dst: &Array) -> Result {
        with_itemsize!(itemsize(self.dtype)?, E => self.copy_as::<E>(dst));
        Ok(())
    }

    /// [`Self::copy_to`] moving elements as `E`, a plain type of the
    /// dtype's size.
    ///
    /// # Safety
    /// As for [`Self::copy_to`].
    pub(crate) unsafe fn copy_as<E: Copy>(&self, dst: &Array) {
        copy_runs::<E>(
            self.shape,
            (self.data, self.strides),
            (dst.data, dst.strides),
        );
    }
}

/// Copies `shape`'s elements, moved as `E`, between two strided arrays.
///
/// # Safety
/// Both arrays have `shape` with the given byte strides, do not overlap,
/// and `dst` is writable.
unsafe fn copy_runs<E: Copy>(shape: &[i64], src: (*mut u8, &[i64]), dst: (*mut u8, &[i64])) {
    Array::for_each_run(shape, [src, dst], |[s, d], n, [ss, ds]| {
        for i in 0..n as isize {
            d.offset(i * ds)
                .cast::<E>()
                .write_unaligned(s.offset(i * ss).cast::<E>().read_unaligned());
        }
    });
}

/// Copies the `ndim`-dimensional `shape` of `itemsize`-byte elements from
/// `src` to `dst`, each with its byte strides: the write-back of an array
/// expression computed into a temporary because its target overlapped an
/// input. A call rather than a loop in every function that may need it.
///
/// # Safety
/// `shape` and both stride lists have `ndim` entries; the arrays do not
/// overlap and `dst` is writable.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_copy_strided(
    dst: *mut u8,
    dst_strides: *const i64,
    src: *mut u8,
    src_strides: *const i64,
    shape: *const i64,
    ndim: i64,
    itemsize: i64,
) {
    let nd = ndim.max(0) as usize;
    let part = |p: *const i64| std::slice::from_raw_parts(p, nd);
    let (shape, ss, ds) = (part(shape), part(src_strides), part(dst_strides));
    with_itemsize!(itemsize as usize, E => copy_runs::<E>(shape, (src, ss), (dst, ds)));
}

/// The arguments of a runtime array function (see [`crate::abi`]).
pub(crate) struct Args {
    values: *const *const u8,
    types: *const *const u64,
}

impl Args {
    /// # Safety
    /// `values` and `types` must hold at least as many entries as are read,
    /// `types` pointers to well-formed descriptors.
    pub(crate) unsafe fn new(values: *const *const u8, types: *const *const u64) -> Args {
        Args { values, types }
    }

    /// Argument `i` in memory form.
    pub(crate) unsafe fn value(&self, i: usize) -> *const u8 {
        *self.values.add(i)
    }

    pub(crate) unsafe fn ty<'a>(&self, i: usize) -> Desc<'a> {
        Desc::from_ptr(*self.types.add(i))
    }

    pub(crate) unsafe fn array<'a>(&self, i: usize) -> Array<'a> {
        let ty = self.ty(i);
        Array::from_raw(*self.values.add(i), ty.dtype(), ty.ndim())
    }

    /// The items of a tuple-of-arrays argument, at the offsets of the
    /// tuple's memory representation.
    pub(crate) unsafe fn arrays<'a>(&self, i: usize) -> Vec<Array<'a>> {
        let ty = self.ty(i);
        let base = *self.values.add(i);
        ty.items()
            .iter()
            .zip(ty.repr().field_offsets())
            .map(|(item, off)| Array::from_raw(base.add(off), item.dtype(), item.ndim()))
            .collect()
    }

    /// A scalar argument converted to `T`.
    pub(crate) unsafe fn scalar<T: Elem>(&self, i: usize) -> Result<T> {
        let p = *self.values.add(i);
        with_dtype!(self.ty(i).dtype(), S => Ok(T::narrow(p.cast::<S>().read_unaligned().widen())))
    }

    /// A scalar or array argument as the values to assign to `len`
    /// positions, converted to `T`: a scalar, or an array with `len`
    /// elements (or one, broadcast). `mismatch(n)` is the error for an
    /// array of `n` elements. Arrays are copied first, so a value that is
    /// a view of the target reads the old elements as NumPy does.
    pub(crate) unsafe fn values<T: Elem>(
        &self,
        i: usize,
        len: usize,
        mismatch: impl Fn(usize) -> Raise,
    ) -> Result<Values<T>> {
        if self.ty(i).ndim() == 0 {
            return Ok(Values::One(self.scalar(i)?));
        }
        let v = self.array(i);
        let n = v.size();
        if n == 1 {
            return Ok(Values::One(v.to_vec::<T>()?[0]));
        }
        if n != len {
            return Err(mismatch(n));
        }
        Ok(Values::Each(v.to_vec()?))
    }
}

/// Values to store at selected positions (see [`Args::values`]).
pub(crate) enum Values<T> {
    One(T),
    Each(Vec<T>),
}

impl<T: Elem> Values<T> {
    pub(crate) fn get(&self, k: usize) -> T {
        match self {
            Values::One(v) => *v,
            Values::Each(v) => v[k],
        }
    }
}

/// A new C-contiguous array. Dropping it releases its memory, so errors
/// after allocation leak nothing; [`NewArray::write`] hands it to the caller.
pub(crate) struct NewArray {
    meminfo: *mut MemInfo,
    data: *mut u8,
    dtype: Dtype,
    shape: Vec<i64>,
}

impl NewArray {
    /// Allocates an uninitialised array (`MemoryError` on failure).
    pub(crate) fn alloc(dtype: Dtype, shape: Vec<i64>) -> Result<NewArray> {
        let size = itemsize(dtype)?;
        let bytes = shape
            .iter()
            .try_fold(size, |acc, &n| usize::try_from(n).ok().and_then(|n| acc.checked_mul(n)))
            .filter(|&b| b <= isize::MAX as usize)
            .ok_or_else(|| raise("ValueError", "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size."))?;
        let meminfo = oxjit_rt_meminfo_alloc(bytes, size);
        if meminfo.is_null() {
            return Err(raise(
                "MemoryError",
                format!(
                    "Unable to allocate {bytes} bytes for an array with shape {}",
                    shape_str(&shape)
                ),
            ));
        }
        // SAFETY: a live meminfo.
        let data = unsafe { oxjit_rt_meminfo_data(meminfo) };
        Ok(NewArray {
            meminfo,
            data,
            dtype,
            shape,
        })
    }

    pub(crate) fn size(&self) -> usize {
        self.shape.iter().map(|&n| n as usize).product()
    }

    /// The elements, in C order, once written (through [`Self::data`]).
    ///
    /// # Safety
    /// `T` must be the element type of the array's dtype, and every element
    /// must have been written.
    pub(crate) unsafe fn slice_mut<T: Elem>(&mut self) -> &mut [T] {
        std::slice::from_raw_parts_mut(self.data.cast(), self.size())
    }

    /// The C-contiguous byte strides.
    pub(crate) fn strides(&self) -> Vec<i64> {
        let mut strides = vec![0; self.shape.len()];
        let mut step = itemsize(self.dtype).unwrap_or(1) as i64;
        for (s, &n) in strides.iter_mut().zip(&self.shape).rev() {
            *s = step;
            step *= n.max(1);
        }
        strides
    }

    /// The (uninitialised) data, to write the elements through.
    pub(crate) fn data(&self) -> *mut u8 {
        self.data
    }

    /// Writes the array in memory form at `out`, passing its reference to
    /// the caller; returns the address just past it.
    ///
    /// # Safety
    /// `out` must have room for the array's memory form.
    pub(crate) unsafe fn write(self, out: *mut u8) -> *mut u8 {
        let ndim = self.shape.len();
        out.cast::<ArrayHeader>().write_unaligned(ArrayHeader {
            meminfo: self.meminfo,
            parent: ptr::null_mut(),
            nitems: self.size() as i64,
            itemsize: itemsize(self.dtype).unwrap_or(1) as i64,
            data: self.data,
        });
        let dims = out.add(size_of::<ArrayHeader>()).cast::<i64>();
        for (k, (&n, s)) in self.shape.iter().zip(self.strides()).enumerate() {
            dims.add(k).write_unaligned(n);
            dims.add(ndim + k).write_unaligned(s);
        }
        std::mem::forget(self);
        out.add(Array::memory_size(ndim))
    }
}

impl Drop for NewArray {
    fn drop(&mut self) {
        // SAFETY: this array owns the meminfo's only reference.
        unsafe { oxjit_rt_meminfo_decref(self.meminfo) }
    }
}

/// Writes a scalar result.
///
/// # Safety
/// `out` must have room for a `T`.
unsafe fn write_scalar<T>(out: *mut u8, v: T) {
    out.cast::<T>().write_unaligned(v);
}

/// Defines each `extern "C"` entry point over its implementation
/// (`unsafe fn(out, &Args, out_type) -> Result`) and [`FUNCTIONS`], their
/// descriptions for the symbol table and code generation.
macro_rules! array_fns {
    ($($symbol:ident => $imp:path),* $(,)?) => {
        $(
            /// Runtime array function; see the module docs and `crate::abi`.
            ///
            /// # Safety
            /// Arguments as described in [`crate::abi`].
            #[no_mangle]
            pub unsafe extern "C" fn $symbol(out: *mut u8, args: *const *const u8, arg_types: *const *const u64, out_type: *const u64) -> i32 {
                match $imp(out, &Args::new(args, arg_types), Desc::from_ptr(out_type)) {
                    Ok(()) => 0,
                    Err(id) => id as i32,
                }
            }
        )*

        /// Every runtime array function.
        pub const FUNCTIONS: &[RtFn] = &[$(
            RtFn::of::<ArrayFn>(stringify!($symbol), Effect::Any, $symbol as ArrayFn as *const ())
        ),*];
    };
}

array_fns! {
    oxjit_rt_af_sort => sort::sort,
    oxjit_rt_af_argsort => sort::argsort,
    oxjit_rt_af_nonzero => select::nonzero,
    oxjit_rt_af_compress => select::compress,
    oxjit_rt_af_mask_assign => select::mask_assign,
    oxjit_rt_af_take => select::take,
    oxjit_rt_af_take_assign => select::take_assign,
    oxjit_rt_af_cumsum => scan::cumsum,
    oxjit_rt_af_cumprod => scan::cumprod,
    oxjit_rt_af_dot => dot::dot,
    oxjit_rt_af_concatenate => join::concatenate,
    oxjit_rt_af_stack => join::stack,
    oxjit_rt_af_roll => join::roll,
    oxjit_rt_af_tile => join::tile,
    oxjit_rt_af_random_seed => random::seed,
    oxjit_rt_af_random_sample => random::sample,
    oxjit_rt_af_random_normal => random::normal,
    oxjit_rt_af_random_uniform => random::uniform,
    oxjit_rt_af_random_int => random::int,
    oxjit_rt_af_random_shuffle => random::shuffle,
    oxjit_rt_af_random_permutation => random::permutation,
    oxjit_rt_af_random_choice => random::choice,
    oxjit_rt_af_list_new => lists::new,
    oxjit_rt_af_list_append => lists::append,
    oxjit_rt_af_list_insert => lists::insert,
    oxjit_rt_af_list_pop => lists::pop,
    oxjit_rt_af_list_extend => lists::extend,
    oxjit_rt_af_list_clear => lists::clear,
    oxjit_rt_af_list_reverse => lists::reverse,
    oxjit_rt_af_list_concat => lists::concat,
    oxjit_rt_af_list_repeat => lists::repeat,
    oxjit_rt_af_list_slice => lists::slice,
    oxjit_rt_af_list_contains => lists::contains,
    oxjit_rt_af_list_index => lists::index,
    oxjit_rt_af_list_count => lists::count,
    oxjit_rt_af_list_remove => lists::remove,
    oxjit_rt_af_list_sort => lists::sort,
    oxjit_rt_af_list_eq => lists::eq,
    oxjit_rt_af_list_set_slice => lists::set_slice,
    oxjit_rt_af_list_del_item => lists::del_item,
    oxjit_rt_af_dict_new => dicts::new,
    oxjit_rt_af_dict_set => dicts::set,
    oxjit_rt_af_dict_get => dicts::get,
    oxjit_rt_af_dict_get_or => dicts::get_or,
    oxjit_rt_af_dict_setdefault => dicts::set_default,
    oxjit_rt_af_dict_pop => dicts::pop,
    oxjit_rt_af_dict_pop_or => dicts::pop_or,
    oxjit_rt_af_dict_del => dicts::delete,
    oxjit_rt_af_dict_popitem => dicts::pop_item,
    oxjit_rt_af_dict_contains => dicts::contains,
    oxjit_rt_af_dict_clear => dicts::clear,
    oxjit_rt_af_dict_copy => dicts::copy,
    oxjit_rt_af_dict_update => dicts::update,
    oxjit_rt_af_dict_eq => dicts::eq,
    oxjit_rt_af_dict_entries => dicts::entries,
    oxjit_rt_af_dict_iterating => dicts::iterating,
    oxjit_rt_af_dict_entry => dicts::entry,
    oxjit_rt_af_dict_list => dicts::to_list,
    oxjit_rt_af_set_new => sets::new,
    oxjit_rt_af_set_add => sets::add,
    oxjit_rt_af_set_discard => sets::discard,
    oxjit_rt_af_set_remove => sets::remove,
    oxjit_rt_af_set_pop => sets::pop,
    oxjit_rt_af_set_contains => sets::contains,
    oxjit_rt_af_set_clear => sets::clear,
    oxjit_rt_af_set_copy => sets::copy,
    oxjit_rt_af_set_op => sets::op,
    oxjit_rt_af_set_op_update => sets::op_update,
    oxjit_rt_af_set_compare => sets::compare,
    oxjit_rt_af_set_iterating => sets::iterating,
    oxjit_rt_af_set_entry => sets::entry,
    oxjit_rt_af_set_list => sets::to_list,
    oxjit_rt_af_str_concat => strs::concat,
    oxjit_rt_af_str_repeat => strs::repeat,
    oxjit_rt_af_str_cmp => strs::cmp,
    oxjit_rt_af_str_eq => strs::eq,
    oxjit_rt_af_str_contains => strsearch::contains,
    oxjit_rt_af_str_getitem => strs::get_item,
    oxjit_rt_af_str_slice => strs::slice,
    oxjit_rt_af_str_find => strsearch::find,
    oxjit_rt_af_str_rfind => strsearch::rfind,
    oxjit_rt_af_str_index => strsearch::index,
    oxjit_rt_af_str_rindex => strsearch::rindex,
    oxjit_rt_af_str_count => strsearch::count,
    oxjit_rt_af_str_startswith => strsearch::starts_with,
    oxjit_rt_af_str_endswith => strsearch::ends_with,
    oxjit_rt_af_str_split => strsearch::split,
    oxjit_rt_af_str_rsplit => strsearch::rsplit,
    oxjit_rt_af_str_splitlines => strsearch::split_lines,
    oxjit_rt_af_str_join => strs::join,
    oxjit_rt_af_str_strip => strsearch::strip,
    oxjit_rt_af_str_lstrip => strsearch::lstrip,
    oxjit_rt_af_str_rstrip => strsearch::rstrip,
    oxjit_rt_af_str_replace => strsearch::replace,
    oxjit_rt_af_str_upper => strs::upper,
    oxjit_rt_af_exc_new => excs::new,
    oxjit_rt_af_exc_str => excs::str_fn,
    oxjit_rt_af_str_lower => strs::lower,
    oxjit_rt_af_str_casefold => strs::casefold,
    oxjit_rt_af_str_swapcase => strs::swapcase,
    oxjit_rt_af_str_title => strs::title,
    oxjit_rt_af_str_capitalize => strs::capitalize,
    oxjit_rt_af_str_isdigit => strs::is_digit,
    oxjit_rt_af_str_isdecimal => strs::is_decimal,
    oxjit_rt_af_str_isnumeric => strs::is_numeric,
    oxjit_rt_af_str_isalpha => strs::is_alpha,
    oxjit_rt_af_str_isalnum => strs::is_alnum,
    oxjit_rt_af_str_isspace => strs::is_space,
    oxjit_rt_af_str_isupper => strs::is_upper,
    oxjit_rt_af_str_islower => strs::is_lower,
    oxjit_rt_af_str_istitle => strs::is_title,
    oxjit_rt_af_str_isascii => strs::is_ascii,
    oxjit_rt_af_str_isidentifier => strs::is_identifier,
    oxjit_rt_af_str_zfill => strs::zfill,
    oxjit_rt_af_str_center => strs::center,
    oxjit_rt_af_str_ljust => strs::ljust,
    oxjit_rt_af_str_rjust => strs::rjust,
    oxjit_rt_af_str_partition => strsearch::partition,
    oxjit_rt_af_str_rpartition => strsearch::rpartition,
    oxjit_rt_af_str_expandtabs => strs::expand_tabs,
    oxjit_rt_af_str_of => format::str_fn,
    oxjit_rt_af_str_repr => format::repr_fn,
    oxjit_rt_af_str_format => formatspec::format_fn,
    oxjit_rt_af_str_percent => format::percent_fn,
    oxjit_rt_af_str_to_int => parse::to_int,
    oxjit_rt_af_str_to_float => parse::to_float,
    oxjit_rt_af_str_ord => strs::ord,
    oxjit_rt_af_str_chr => strs::chr,
    oxjit_rt_af_str_hash => strs::hash,
}

//! Test helpers: arguments in memory form built from vectors, calls through
//! the `extern "C"` ABI, results read back (and released), and a check
//! that every test leaves the allocation counters balanced.

use std::mem::{size_of, size_of_val};
use std::sync::Mutex;

use oxjit_abi::desc::{tag, Desc};
use oxjit_abi::exc::{ExcArg, ExcSpec, DYNAMIC};
use oxjit_runtime::abi::{ArrayFn, ArrayHeader, Dtype};
use oxjit_runtime::arrayfns::{Array, Bool, Complex, Elem};
use oxjit_runtime::exceptions::{get, take_dynamic};
use oxjit_runtime::memory::{oxjit_rt_meminfo_decref, stats, MemInfo};

/// An element type with its dtype character.
pub trait Dt: Elem + std::fmt::Debug + PartialEq {
    const CODE: Dtype;
}

macro_rules! dt {
    ($($t:ty => $c:expr),*) => {$(impl Dt for $t { const CODE: Dtype = $c; })*};
}
dt!(Bool => b'?', i8 => b'b', i16 => b'h', i32 => b'i', i64 => b'q', u8 => b'B', u16 => b'H', u32 => b'I', u64 => b'Q',
    f32 => b'f', f64 => b'd', Complex<f32> => b'F', Complex<f64> => b'D');

/// A type descriptor (`oxjit_abi::desc`), owned.
#[derive(Clone, Debug, PartialEq)]
pub struct Ty(pub Vec<u64>);

impl Ty {
    pub fn scalar(dtype: Dtype) -> Ty {
        Ty(vec![tag::SCALAR, dtype as u64])
    }
    pub fn array(dtype: Dtype, ndim: u8, layout: u8) -> Ty {
        Ty(vec![tag::ARRAY, dtype as u64, ndim as u64, layout as u64])
    }
    pub fn tuple(items: &[Ty]) -> Ty {
        let mut words = vec![tag::TUPLE, items.len() as u64];
        items.iter().for_each(|t| words.extend(&t.0));
        Ty(words)
    }
    /// `count` C-contiguous arrays of one dtype and ndim.
    pub fn tuple_of_arrays(dtype: Dtype, ndim: u8, count: usize) -> Ty {
        Ty::tuple(&vec![Ty::array(dtype, ndim, 0); count])
    }
    pub fn desc(&self) -> Desc<'_> {
        Desc::new(&self.0)
    }
    pub fn dtype(&self) -> Dtype {
        self.desc().dtype()
    }
    pub fn ndim(&self) -> usize {
        self.desc().ndim()
    }
}

impl From<&[u64]> for Ty {
    fn from(words: &[u64]) -> Ty {
        Ty(words.to_vec())
    }
}

/// One argument: its memory form (u64 words, so aligned), the buffers its
/// array data lives in, and its type descriptor.
pub struct Arg {
    mem: Vec<u64>,
    _data: Vec<Vec<u64>>,
    pub ty: Ty,
}

fn words(bytes: usize) -> usize {
    bytes.div_ceil(8)
}

/// An array viewing `data` (copied) with element strides and offset.
pub fn strided<T: Dt>(data: &[T], shape: &[i64], strides: &[i64], offset: usize) -> Arg {
    let mut buf = vec![0u64; words(size_of_val(data)).max(1)];
    // SAFETY: the buffer holds `data.len()` elements.
    unsafe {
        std::ptr::copy_nonoverlapping(data.as_ptr(), buf.as_mut_ptr().cast::<T>(), data.len())
    };
    // SAFETY: the offset is within the buffer.
    let first = unsafe { buf.as_mut_ptr().cast::<T>().add(offset) };
    Arg {
        mem: form(first, shape, strides),
        _data: vec![buf],
        ty: Ty::array(T::CODE, shape.len() as u8, 2),
    }
}

/// The memory form of an array at `first` (element strides).
fn form<T: Dt>(first: *mut T, shape: &[i64], strides: &[i64]) -> Vec<u64> {
    let ndim = shape.len();
    let h = words(size_of::<ArrayHeader>());
    let mut mem = vec![0u64; h + 2 * ndim];
    let header = ArrayHeader {
        meminfo: std::ptr::null_mut(),
        parent: std::ptr::null_mut(),
        nitems: shape.iter().product(),
        itemsize: size_of::<T>() as i64,
        data: first.cast(),
    };
    // SAFETY: `mem` starts with room for the header.
    unsafe { mem.as_mut_ptr().cast::<ArrayHeader>().write(header) };
    for d in 0..ndim {
        mem[h + d] = shape[d] as u64;
        mem[h + ndim + d] = (strides[d] * size_of::<T>() as i64) as u64;
    }
    mem
}

impl Arg {
    /// A tuple with no items.
    pub fn empty_tuple(ty: Ty) -> Arg {
        Arg {
            mem: vec![0],
            _data: Vec::new(),
            ty,
        }
    }

    /// Another view of this array's data (element strides, offset from
    /// its first element); it must not outlive `self`.
    pub fn alias<T: Dt>(&self, shape: &[i64], strides: &[i64], offset: isize) -> Arg {
        // SAFETY: an array in memory form; the caller keeps within its data.
        let first = unsafe {
            self.mem
                .as_ptr()
                .cast::<ArrayHeader>()
                .read()
                .data
                .cast::<T>()
                .offset(offset)
        };
        Arg {
            mem: form(first, shape, strides),
            _data: Vec::new(),
            ty: Ty::array(T::CODE, shape.len() as u8, 2),
        }
    }

    /// The reference a [`reference`] argument holds.
    pub fn reference_arg(&self) -> *mut MemInfo {
        self.mem[0] as *mut MemInfo
    }

    /// The elements of an array argument in C order (after in-place updates).
    pub fn elements<T: Dt>(&self) -> Vec<T> {
        // SAFETY: an array in memory form.
        let a =
            unsafe { Array::from_raw(self.mem.as_ptr().cast(), self.ty.dtype(), self.ty.ndim()) };
        a.to_vec().unwrap()
    }
}

/// A C-contiguous array.
pub fn array<T: Dt>(data: &[T], shape: &[i64]) -> Arg {
    let mut strides = vec![1i64; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        strides[d] = strides[d + 1] * shape[d + 1];
    }
    assert_eq!(data.len() as i64, shape.iter().product::<i64>());
    strided(data, shape, &strides, 0)
}

/// A 1-d C-contiguous array.
pub fn vector<T: Dt>(data: &[T]) -> Arg {
    array(data, &[data.len() as i64])
}

pub fn scalar<T: Dt>(v: T) -> Arg {
    let mut mem = vec![0u64; words(size_of::<T>())];
    // SAFETY: `mem` has room for a `T`.
    unsafe { mem.as_mut_ptr().cast::<T>().write_unaligned(v) };
    Arg {
        mem,
        _data: Vec::new(),
        ty: Ty::scalar(T::CODE),
    }
}

/// A value that is one reference (a str, a set), which the caller keeps.
pub fn reference(mi: *mut MemInfo, ty: Ty) -> Arg {
    Arg {
        mem: vec![mi as u64],
        _data: Vec::new(),
        ty,
    }
}

/// A tuple of arrays (each item's memory form a whole number of words, so
/// the items lie at their C offsets).
pub fn tuple(items: Vec<Arg>) -> Arg {
    let ty = Ty::tuple(&items.iter().map(|a| a.ty.clone()).collect::<Vec<_>>());
    let mem = items.iter().flat_map(|a| a.mem.iter().copied()).collect();
    // Moving the buffers keeps their heap blocks, which the copied memory
    // forms point into.
    let data = items.into_iter().flat_map(|a| a._data).collect();
    Arg {
        mem,
        _data: data,
        ty,
    }
}

/// The result of a call: the out buffer and the result type.
pub struct Out {
    mem: Vec<u64>,
    ty: Ty,
}

/// Calls `f` through the ABI. `Err` carries the raised exception.
pub fn call(f: ArrayFn, args: &[&Arg], out_ty: impl Into<Ty>) -> Result<Out, ExcSpec> {
    let values: Vec<*const u8> = args.iter().map(|a| a.mem.as_ptr().cast()).collect();
    let types: Vec<*const u64> = args.iter().map(|a| a.ty.0.as_ptr()).collect();
    let mut out = Out {
        mem: vec![0u64; 64],
        ty: out_ty.into(),
    };
    // SAFETY: arguments and out buffer in memory form.
    let status = unsafe {
        f(
            out.mem.as_mut_ptr().cast(),
            values.as_ptr(),
            types.as_ptr(),
            out.ty.0.as_ptr(),
        )
    };
    match status as u32 {
        0 => Ok(out),
        DYNAMIC => Err(take_dynamic().expect("a pending exception")),
        id => Err(get(id).expect("a registered exception")),
    }
}

/// The message of a raised exception, as `Class: message`.
pub fn message(e: ExcSpec) -> String {
    match &e.args[..] {
        [ExcArg::Str(m)] => format!("{}: {m}", e.class),
        [ExcArg::Int(axis), ExcArg::Int(ndim), ExcArg::None] => {
            format!(
                "{}: axis {axis} is out of bounds for array of dimension {ndim}",
                e.class
            )
        }
        other => panic!("unexpected exception arguments {other:?}"),
    }
}

impl Out {
    /// A result that is one reference (a str, a set), now the caller's.
    pub fn reference(&self) -> *mut MemInfo {
        self.mem[0] as *mut MemInfo
    }

    pub fn scalar<T: Dt>(&self) -> T {
        // SAFETY: the callee wrote a `T`.
        unsafe { self.mem.as_ptr().cast::<T>().read_unaligned() }
    }

    /// The result array (shape, elements), which is checked to be a fresh
    /// C-contiguous array and released.
    pub fn array<T: Dt>(self) -> (Vec<i64>, Vec<T>) {
        assert_eq!(self.ty.dtype(), T::CODE);
        // SAFETY: the callee wrote an array in memory form.
        unsafe { read_array(self.mem.as_ptr().cast(), self.ty.ndim()) }
    }

    /// Releases an array result without reading it.
    pub fn release(self) {
        // SAFETY: the callee wrote an array in memory form.
        unsafe { oxjit_rt_meminfo_decref(self.mem.as_ptr().cast::<ArrayHeader>().read().meminfo) }
    }

    /// The items of a tuple-of-arrays result, each released.
    pub fn arrays<T: Dt>(self) -> Vec<(Vec<i64>, Vec<T>)> {
        let d = self.ty.desc();
        d.items()
            .iter()
            .zip(d.repr().field_offsets())
            // SAFETY: the callee wrote the tuple's arrays in memory form.
            .map(|(item, off)| unsafe {
                read_array(self.mem.as_ptr().cast::<u8>().add(off), item.ndim())
            })
            .collect()
    }
}

unsafe fn read_array<T: Dt>(p: *const u8, ndim: usize) -> (Vec<i64>, Vec<T>) {
    let h = p.cast::<ArrayHeader>().read();
    let dims = p.add(size_of::<ArrayHeader>()).cast::<i64>();
    let shape: Vec<i64> = (0..ndim).map(|d| dims.add(d).read()).collect();
    let strides: Vec<i64> = (0..ndim).map(|d| dims.add(ndim + d).read()).collect();
    let n: i64 = shape.iter().product();
    assert!(!h.meminfo.is_null() && h.parent.is_null());
    assert_eq!((h.nitems, h.itemsize), (n, size_of::<T>() as i64));
    assert_eq!(h.data as usize % 32, 0, "result data is 32-byte aligned");
    let mut step = size_of::<T>() as i64;
    for d in (0..ndim).rev() {
        assert_eq!(
            strides[d], step,
            "C-contiguous strides {strides:?} for shape {shape:?}"
        );
        step *= shape[d].max(1);
    }
    let data = std::slice::from_raw_parts(h.data.cast::<T>(), n as usize).to_vec();
    oxjit_rt_meminfo_decref(h.meminfo);
    (shape, data)
}

/// The counters and the random generator are shared by this binary's
/// tests, which run on several threads.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f` alone and checks that every meminfo it allocated was freed.
pub fn balanced<R>(f: impl FnOnce() -> R) -> R {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = stats();
    let r = f();
    let after = stats();
    assert_eq!(
        after.meminfo_allocs - before.meminfo_allocs,
        after.meminfo_frees - before.meminfo_frees,
        "meminfos allocated vs freed"
    );
    assert_eq!(
        after.allocs - before.allocs,
        after.frees - before.frees,
        "blocks allocated vs freed"
    );
    r
}

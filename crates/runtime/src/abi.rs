//! The ABI of runtime array functions (`oxjit_rt_af_<name>`), which compiled
//! code calls for array operations that are not elementwise loops: sorting,
//! matrix products, results whose size depends on the data, scans, joins,
//! random numbers.
//!
//! ```text
//! i32 oxjit_rt_af_<name>(void *out, const void *const *args, const u64 *arg_types, u64 out_type)
//! ```
//!
//! `args[i]` points at argument `i` in memory form (the C layout of its type:
//! an array is an [`ArrayHeader`] followed by `ndim` extents and `ndim` byte
//! strides; a scalar is the value; a tuple is its fields in C layout);
//! arrays are borrowed. `arg_types[i]` and `out_type` are [`TypeCode`]s. The
//! function writes its result in memory form to `out` (new arrays own a fresh
//! `MemInfo` with one reference, which passes to the caller) and returns 0,
//! or an exception status (a descriptor id, or `exceptions::DYNAMIC` after
//! storing a message), writing nothing.

/// The fixed part of an array value; `ndim` extents and then `ndim` strides
/// (bytes) follow it in memory.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ArrayHeader {
    pub meminfo: *mut crate::memory::MemInfo,
    pub parent: *mut u8,
    pub nitems: i64,
    pub itemsize: i64,
    pub data: *mut u8,
}

/// The element type of an array or the type of a scalar, as NumPy's type
/// character (`b'd'` float64, `b'q'` int64, `b'?'` bool, ...).
pub type Dtype = u8;

/// A type code: bits 0-7 the dtype character, bits 8-15 `ndim` (0 for a
/// scalar), bit 16 set for a tuple (then bits 24-31 count its items, each an
/// array of the dtype and ndim given), bits 17-18 the layout of an array
/// (0 C, 1 F, 2 A).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeCode(pub u64);

impl TypeCode {
    pub const TUPLE: u64 = 1 << 16;

    pub fn scalar(dtype: Dtype) -> TypeCode {
        TypeCode(dtype as u64)
    }
    pub fn array(dtype: Dtype, ndim: u8, layout: u8) -> TypeCode {
        TypeCode(dtype as u64 | (ndim as u64) << 8 | (layout as u64) << 17)
    }
    pub fn tuple_of_arrays(dtype: Dtype, ndim: u8, count: u8) -> TypeCode {
        TypeCode(dtype as u64 | (ndim as u64) << 8 | Self::TUPLE | (count as u64) << 24)
    }
    pub fn dtype(self) -> Dtype {
        self.0 as u8
    }
    pub fn ndim(self) -> u8 {
        (self.0 >> 8) as u8
    }
    pub fn layout(self) -> u8 {
        ((self.0 >> 17) & 3) as u8
    }
    pub fn is_tuple(self) -> bool {
        self.0 & Self::TUPLE != 0
    }
    pub fn count(self) -> u8 {
        (self.0 >> 24) as u8
    }
}

/// Signature of every runtime array function.
pub type ArrayFn = unsafe extern "C" fn(
    out: *mut u8,
    args: *const *const u8,
    arg_types: *const u64,
    out_type: u64,
) -> i32;

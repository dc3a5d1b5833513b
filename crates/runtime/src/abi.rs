//! The ABI of runtime array functions (`oxjit_rt_af_<name>`), which compiled
//! code calls for array operations that are not elementwise loops: sorting,
//! matrix products, results whose size depends on the data, scans, joins,
//! random numbers.
//!
//! ```text
//! i32 oxjit_rt_af_<name>(void *out, const void *const *args,
//!                        const u64 *const *arg_types, const u64 *out_type)
//! ```
//!
//! `args[i]` points at argument `i` in memory form (the C layout of its
//! type, `oxjit_abi::desc::Repr`: an array is an [`ArrayHeader`] followed by
//! `ndim` extents and `ndim` byte strides; a scalar is the value; a tuple is
//! its fields in C layout); arrays are borrowed. `arg_types[i]` and
//! `out_type` point at type descriptors (`oxjit_abi::desc::Desc`), which
//! describe any nesting of tuples, arrays and scalars. The
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

/// Signature of every runtime array function.
pub type ArrayFn = unsafe extern "C" fn(
    out: *mut u8,
    args: *const *const u8,
    arg_types: *const *const u64,
    out_type: *const u64,
) -> i32;

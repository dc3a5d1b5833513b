//! Refcounted allocations for arrays created by compiled code.
//!
//! A [`MemInfo`] owns one buffer and is shared by every array view of it; the
//! last `decref` runs the optional destructor and frees the block. Header and
//! data live in a single allocation (data after the header, padded to the
//! requested alignment) so creating an array costs one `malloc`.
//!
//! Every block comes from mimalloc (`libmimalloc-sys`): compiled code and
//! the runtime make and free many small blocks (strings, list and dict
//! headers), which a size-class allocator with thread-local pages serves
//! several times faster than glibc's `malloc`, without handing memory back
//! to the system after every burst of frees.
//!
//! Global counters let tests, like Numba's `MemoryLeakMixin`, check that
//! compiled code frees everything it allocates.

use libmimalloc_sys as mi;
use std::ptr;
use std::sync::atomic::{fence, AtomicUsize, Ordering};

/// Sets the allocator up, before the first block (the extension calls it
/// when it loads): mimalloc may back its large areas with 2 MiB pages, so
/// a container's or array's first touch of fresh memory takes one page
/// fault per 2 MiB, not per 4 KiB (a first million-key dict fills 4x
/// faster).
pub fn init() {
    // SAFETY: setting an option has no preconditions.
    unsafe { mi::mi_option_set_enabled(mi::mi_option_large_os_pages, true) };
}

/// Minimum alignment of array data: one AVX register, so vectorised loops
/// can use aligned loads on freshly allocated arrays.
pub const MIN_ALIGN: usize = 32;

/// Refcounted owner of a data buffer. Compiled code treats it as opaque and
/// only touches it through the `oxjit_rt_meminfo_*` functions.
#[repr(C)]
pub struct MemInfo {
    refcount: AtomicUsize,
    data: *mut u8,
    size: usize,
    /// Called on `data` right before the block is freed, e.g. to release
    /// references held by the elements.
    dtor: Option<extern "C" fn(*mut u8)>,
}

/// Byte offset of the data pointer in a [`MemInfo`], for compiled code that
/// reads a block's data directly.
pub const DATA_FIELD_OFFSET: usize = std::mem::offset_of!(MemInfo, data);

/// Snapshot of the allocation counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AllocStats {
    /// Raw blocks allocated (a meminfo counts as one block too).
    pub allocs: usize,
    pub frees: usize,
    pub meminfo_allocs: usize,
    pub meminfo_frees: usize,
}

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static FREES: AtomicUsize = AtomicUsize::new(0);
static MI_ALLOCS: AtomicUsize = AtomicUsize::new(0);
static MI_FREES: AtomicUsize = AtomicUsize::new(0);

/// Current counter values. Counters only grow; compare two snapshots.
pub fn stats() -> AllocStats {
    AllocStats {
        allocs: ALLOCS.load(Ordering::Relaxed),
        frees: FREES.load(Ordering::Relaxed),
        meminfo_allocs: MI_ALLOCS.load(Ordering::Relaxed),
        meminfo_frees: MI_FREES.load(Ordering::Relaxed),
    }
}

/// Allocates `size` bytes aligned to `max(align, MIN_ALIGN)` (rounded up to a
/// power of two). Returns null on failure. Free with [`oxjit_rt_free`].
#[no_mangle]
pub extern "C" fn oxjit_rt_alloc(size: usize, align: usize) -> *mut u8 {
    let align = align.max(MIN_ALIGN).next_power_of_two();
    // A C allocator rather than Rust's: `free` needs no layout, so
    // compiled code can release a block knowing only its address.
    // SAFETY: `align` is a power of two.
    let out = unsafe { mi::mi_malloc_aligned(size.max(1), align) };
    if out.is_null() {
        return ptr::null_mut();
    }
    ALLOCS.fetch_add(1, Ordering::Relaxed);
    out.cast()
}

/// Allocates `size` bytes aligned to [`MALLOC_ALIGN`] (null on failure),
/// freed with [`oxjit_rt_free`] like any block: for containers' headers,
/// strings and item buffers, which need no vector alignment and are made
/// and freed often.
pub fn alloc_plain(size: usize) -> *mut u8 {
    // SAFETY: a plain allocation; the result is checked.
    let out = unsafe { mi::mi_malloc(size.max(1)) };
    if out.is_null() {
        return ptr::null_mut();
    }
    ALLOCS.fetch_add(1, Ordering::Relaxed);
    out.cast()
}

/// Frees a block from [`oxjit_rt_alloc`]; null is ignored.
///
/// # Safety
/// `p` must be null or a live block returned by `oxjit_rt_alloc`.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_free(p: *mut u8) {
    if !p.is_null() {
        FREES.fetch_add(1, Ordering::Relaxed);
        mi::mi_free(p.cast());
    }
}

/// A growable buffer of `size` bytes aligned to [`MALLOC_ALIGN`] (null
/// on failure), from glibc's `malloc`: its `realloc` grows a large block
/// by remapping pages rather than copying, which a list's item buffer
/// needs to grow cheaply. Only [`buffer_realloc`] and [`buffer_free`]
/// take it (not [`oxjit_rt_free`]: it is not mimalloc's).
pub fn buffer_alloc(size: usize) -> *mut u8 {
    // SAFETY: plain malloc; the result is checked.
    let out = unsafe { libc::malloc(size.max(1)) };
    if !out.is_null() {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
    }
    out.cast()
}

/// Resizes a [`buffer_alloc`] block, keeping its first `min(old, size)`
/// bytes; null on failure (the block is then untouched).
///
/// # Safety
/// `p` must be a live block from [`buffer_alloc`].
pub unsafe fn buffer_realloc(p: *mut u8, size: usize) -> *mut u8 {
    libc::realloc(p.cast(), size.max(1)).cast()
}

/// Frees a [`buffer_alloc`] block; null is ignored.
///
/// # Safety
/// `p` must be null or a live block from [`buffer_alloc`].
pub unsafe fn buffer_free(p: *mut u8) {
    if !p.is_null() {
        FREES.fetch_add(1, Ordering::Relaxed);
        libc::free(p.cast());
    }
}

/// The alignment `malloc` and `mi_malloc` guarantee on this platform.
pub const MALLOC_ALIGN: usize = 16;

/// Offset of a meminfo's data from the meminfo, for data aligned to `align`
/// (a power of two, at least [`MIN_ALIGN`]): the header rounded up. Compiled
/// code derives the data pointer of a fresh allocation from this.
pub fn data_offset(align: usize) -> usize {
    std::mem::size_of::<MemInfo>().next_multiple_of(align)
}

/// Allocates a meminfo with refcount 1 owning `size` bytes of uninitialised
/// data aligned to at least `max(align, MIN_ALIGN)`. `dtor`, if given, runs on
/// the data before it is freed. Returns null on failure.
#[no_mangle]
pub extern "C" fn oxjit_rt_meminfo_alloc_dtor(
    size: usize,
    align: usize,
    dtor: Option<extern "C" fn(*mut u8)>,
) -> *mut MemInfo {
    let align = align.max(MIN_ALIGN).next_power_of_two();
    let offset = data_offset(align);
    let Some(total) = size.checked_add(offset) else {
        return ptr::null_mut();
    };
    let block = oxjit_rt_alloc(total, align);
    if block.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `block` is at least `offset + size` bytes, aligned for MemInfo.
    unsafe { init_meminfo(block, offset, size, dtor) }
}

/// A meminfo owning `size` bytes from [`alloc_plain`] (8-byte aligned
/// data), with an optional destructor; null on failure.
pub fn meminfo_alloc_plain(size: usize, dtor: Option<extern "C" fn(*mut u8)>) -> *mut MemInfo {
    let offset = std::mem::size_of::<MemInfo>();
    let Some(total) = size.checked_add(offset) else {
        return ptr::null_mut();
    };
    let block = alloc_plain(total);
    if block.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `block` is `offset + size` bytes, aligned for MemInfo.
    unsafe { init_meminfo(block, offset, size, dtor) }
}

/// Writes a meminfo with one reference at the start of `block`, its data
/// `offset` bytes in.
///
/// # Safety
/// `block` has `offset + size` bytes, aligned for a `MemInfo`.
unsafe fn init_meminfo(
    block: *mut u8,
    offset: usize,
    size: usize,
    dtor: Option<extern "C" fn(*mut u8)>,
) -> *mut MemInfo {
    MI_ALLOCS.fetch_add(1, Ordering::Relaxed);
    let mi = block.cast::<MemInfo>();
    mi.write(MemInfo {
        refcount: AtomicUsize::new(1),
        data: block.add(offset),
        size,
        dtor,
    });
    mi
}

/// [`oxjit_rt_meminfo_alloc_dtor`] without a destructor.
#[no_mangle]
pub extern "C" fn oxjit_rt_meminfo_alloc(size: usize, align: usize) -> *mut MemInfo {
    oxjit_rt_meminfo_alloc_dtor(size, align, None)
}

/// Whether `mi` holds the only reference to its block.
///
/// # Safety
/// `mi` must be a live meminfo.
pub unsafe fn is_unique(mi: *mut MemInfo) -> bool {
    (*mi).refcount.load(Ordering::Acquire) == 1
}

/// Adds a reference; null is ignored.
///
/// # Safety
/// `mi` must be null or a live meminfo.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_meminfo_incref(mi: *mut MemInfo) {
    if let Some(mi) = mi.as_ref() {
        // Relaxed is enough: a new reference can only be made from an
        // existing one, which already keeps the block alive (as in Arc).
        mi.refcount.fetch_add(1, Ordering::Relaxed);
    }
}

/// Drops a reference, freeing the block when it was the last; null is ignored.
///
/// # Safety
/// `mi` must be null or a live meminfo on which the caller owns a reference.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_meminfo_decref(mi: *mut MemInfo) {
    let Some(info) = mi.as_ref() else { return };
    if info.refcount.fetch_sub(1, Ordering::Release) != 1 {
        return;
    }
    // Pairs with the Release above so every other owner's writes to the data
    // happen before the destructor and free (the Arc protocol).
    fence(Ordering::Acquire);
    if let Some(dtor) = info.dtor {
        dtor(info.data);
    }
    MI_FREES.fetch_add(1, Ordering::Relaxed);
    oxjit_rt_free(mi.cast());
}

/// The data pointer of a meminfo (null for a null meminfo).
///
/// # Safety
/// `mi` must be null or a live meminfo.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_meminfo_data(mi: *mut MemInfo) -> *mut u8 {
    mi.as_ref().map_or(ptr::null_mut(), |mi| mi.data)
}

/// The size in bytes of a meminfo's data (0 for a null meminfo).
///
/// # Safety
/// `mi` must be null or a live meminfo.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_meminfo_size(mi: *mut MemInfo) -> usize {
    mi.as_ref().map_or(0, |mi| mi.size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// The counters are process-global: tests that compare snapshots must not
    /// interleave.
    static SERIAL: Mutex<()> = Mutex::new(());

    fn delta(before: AllocStats) -> AllocStats {
        let now = stats();
        AllocStats {
            allocs: now.allocs - before.allocs,
            frees: now.frees - before.frees,
            meminfo_allocs: now.meminfo_allocs - before.meminfo_allocs,
            meminfo_frees: now.meminfo_frees - before.meminfo_frees,
        }
    }

    #[test]
    fn counts_balance() {
        let _g = SERIAL.lock().unwrap();
        let before = stats();
        let mis: Vec<_> = (0..10)
            .map(|i| oxjit_rt_meminfo_alloc(i * 100, 8))
            .collect();
        let raw = oxjit_rt_alloc(17, 1);
        let d = delta(before);
        assert_eq!(
            (d.allocs, d.meminfo_allocs, d.frees, d.meminfo_frees),
            (11, 10, 0, 0)
        );
        for mi in mis {
            unsafe { oxjit_rt_meminfo_decref(mi) };
        }
        unsafe { oxjit_rt_free(raw) };
        let d = delta(before);
        assert_eq!(d.allocs, d.frees);
        assert_eq!(d.meminfo_allocs, d.meminfo_frees);
    }

    #[test]
    fn refcount_semantics() {
        extern "C" fn mark(data: *mut u8) {
            unsafe { *data = 0xAB };
            DTOR_SAW.store(unsafe { *data } as usize, Ordering::SeqCst);
        }
        static DTOR_SAW: AtomicUsize = AtomicUsize::new(0);

        let _g = SERIAL.lock().unwrap();
        let before = stats();
        let mi = oxjit_rt_meminfo_alloc_dtor(64, 8, Some(mark));
        unsafe {
            assert_eq!(oxjit_rt_meminfo_size(mi), 64);
            oxjit_rt_meminfo_incref(mi);
            oxjit_rt_meminfo_incref(mi);
            oxjit_rt_meminfo_decref(mi);
            oxjit_rt_meminfo_decref(mi);
            assert_eq!(delta(before).meminfo_frees, 0, "freed while referenced");
            assert_eq!(DTOR_SAW.load(Ordering::SeqCst), 0);
            oxjit_rt_meminfo_decref(mi);
        }
        assert_eq!(delta(before).meminfo_frees, 1);
        assert_eq!(DTOR_SAW.load(Ordering::SeqCst), 0xAB);

        // Null is accepted everywhere.
        unsafe {
            oxjit_rt_meminfo_incref(ptr::null_mut());
            oxjit_rt_meminfo_decref(ptr::null_mut());
            assert!(oxjit_rt_meminfo_data(ptr::null_mut()).is_null());
            oxjit_rt_free(ptr::null_mut());
        }
    }

    #[test]
    fn alignment() {
        let _g = SERIAL.lock().unwrap();
        for (size, align) in [(0, 1), (1, 8), (1000, 16), (24, 64), (8, 4096), (5, 48)] {
            let mi = oxjit_rt_meminfo_alloc(size, align);
            assert!(!mi.is_null());
            let want = align.max(MIN_ALIGN).next_power_of_two();
            unsafe {
                let data = oxjit_rt_meminfo_data(mi);
                assert_eq!(data as usize % want, 0, "size {size} align {align}");
                // The whole data range is writable.
                ptr::write_bytes(data, 0x5A, size);
                oxjit_rt_meminfo_decref(mi);
            }
            let raw = oxjit_rt_alloc(size, align);
            assert_eq!(raw as usize % want, 0);
            unsafe { oxjit_rt_free(raw) };
        }
    }

    #[test]
    fn concurrent_refcounting_frees_once() {
        let _g = SERIAL.lock().unwrap();
        let before = stats();
        let mi = oxjit_rt_meminfo_alloc(8, 8) as usize;
        let threads: Vec<_> = (0..4)
            .map(|_| {
                unsafe { oxjit_rt_meminfo_incref(mi as *mut MemInfo) };
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        unsafe {
                            oxjit_rt_meminfo_incref(mi as *mut MemInfo);
                            oxjit_rt_meminfo_decref(mi as *mut MemInfo);
                        }
                    }
                    unsafe { oxjit_rt_meminfo_decref(mi as *mut MemInfo) };
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(delta(before).meminfo_frees, 0);
        unsafe { oxjit_rt_meminfo_decref(mi as *mut MemInfo) };
        assert_eq!(delta(before).meminfo_frees, 1);
    }
}

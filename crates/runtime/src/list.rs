//! Lists: a growable buffer of items of one type behind a counted
//! reference.
//!
//! A list value is one `MemInfo` pointer (`oxjit_abi::desc`: `[LIST,
//! item]`); the meminfo's data is a [`ListHeader`], whose `items` buffer
//! is a separate allocation so that growing it never moves the header
//! (every reference sees the same list). Items are stored in their memory
//! form; items that hold references (arrays, lists, tuples of them) own
//! one each, released when they are removed or when the list dies.
//! Compiled code reads `len` and `items` directly (the offsets are fixed by
//! `#[repr(C)]`) for indexing, and calls the runtime for everything that
//! changes the length.

use std::borrow::Cow;
use std::ptr;

use oxjit_abi::desc::{Desc, Repr};

use crate::memory::{
    buffer_alloc, buffer_free, buffer_realloc, meminfo_alloc_plain, oxjit_rt_meminfo_data,
    oxjit_rt_meminfo_decref, oxjit_rt_meminfo_incref, MemInfo,
};

/// The data of a list's meminfo.
#[repr(C)]
pub struct ListHeader {
    /// Number of items.
    pub len: i64,
    /// Items the buffer has room for.
    pub cap: i64,
    /// `cap` items of `itemsize` bytes.
    pub items: *mut u8,
    pub itemsize: i64,
    /// The items' type descriptor; it outlives the list (a constant of the
    /// compiled module, or the boxing plan of the call that made it).
    pub item: *const u64,
    /// Set by every change to the items, so that a list argument is
    /// written back to its Python list only when compiled code changed it.
    pub dirty: i64,
    /// Whether items hold references (arrays, lists): only then do the
    /// item operations count them.
    pub managed: i64,
    /// Whether the list is an `oxjit.typed.List` (made as one, from Python
    /// or compiled code): it goes back to Python as that object, shared,
    /// where any other list becomes a new Python list.
    pub typed: i64,
}

/// Byte offsets of `len` and of `items` in the header, for compiled code.
pub const LEN_OFFSET: usize = std::mem::offset_of!(ListHeader, len);
pub const ITEMS_OFFSET: usize = std::mem::offset_of!(ListHeader, items);
pub const DIRTY_OFFSET: usize = std::mem::offset_of!(ListHeader, dirty);
pub const CAP_OFFSET: usize = std::mem::offset_of!(ListHeader, cap);

/// Makes room for `extra` more items of the list `mi` refers to: the slow
/// path of an inline `append` (0, or the status of a `MemoryError`).
///
/// # Safety
/// `mi` is a live list's meminfo.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_list_reserve(mi: *mut MemInfo, extra: i64) -> u32 {
    if List::from_meminfo(mi).reserve(extra.max(0) as usize) {
        0
    } else {
        crate::exceptions::raise_dynamic(oxjit_abi::exc::ExcSpec::with_message(
            "MemoryError",
            "cannot allocate a list",
        ))
    }
}

/// A list reached through its meminfo.
#[derive(Clone, Copy)]
pub struct List {
    mi: *mut MemInfo,
}

/// Runs on a list's header when its last reference goes.
extern "C" fn list_dtor(data: *mut u8) {
    // SAFETY: `data` is the header of a list that nothing references now.
    unsafe {
        let list = &mut *data.cast::<ListHeader>();
        if list.managed != Managed::No as i64 {
            let refs = refs_of(list);
            for i in 0..list.len.max(0) as usize {
                release(list.items.add(i * list.itemsize as usize), &refs);
            }
        }
        buffer_free(list.items);
    }
}

/// What the items hold, in [`ListHeader::managed`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Managed {
    /// No references (numbers, tuples of them).
    No = 0,
    /// References at the offsets the item's representation gives.
    Some = 1,
    /// One reference, at offset 0 (arrays, lists, dicts, strs): the
    /// common case, whose offsets need no computing.
    First = 2,
}

impl Managed {
    fn of(repr: &Repr) -> Managed {
        match repr.meminfo_offsets().as_slice() {
            [] => Managed::No,
            [0] => Managed::First,
            _ => Managed::Some,
        }
    }
}

/// The byte offsets of the references an item of the list holds.
fn refs_of(h: &ListHeader) -> Cow<'static, [usize]> {
    match h.managed {
        0 => Cow::Borrowed(&[]),
        2 => Cow::Borrowed(&[0]),
        // SAFETY: the header's descriptor is well formed.
        _ => Cow::Owned(unsafe { Desc::from_ptr(h.item) }.repr().meminfo_offsets()),
    }
}

/// Drops the references held at byte offsets `refs` of the value at `at`.
///
/// # Safety
/// Each offset holds a live meminfo pointer (or null) the value owns.
pub(crate) unsafe fn release(at: *const u8, refs: &[usize]) {
    for &off in refs {
        oxjit_rt_meminfo_decref(at.add(off).cast::<*mut MemInfo>().read_unaligned());
    }
}

/// Takes a new reference for each of those at offsets `refs` of `at`.
///
/// # Safety
/// As for [`release`].
pub(crate) unsafe fn retain(at: *const u8, refs: &[usize]) {
    for &off in refs {
        oxjit_rt_meminfo_incref(at.add(off).cast::<*mut MemInfo>().read_unaligned());
    }
}

impl List {
    /// A new empty list with room for `cap` items of type `item` (null
    /// when memory runs out).
    ///
    /// # Safety
    /// `item` points at a well-formed descriptor that outlives the list.
    pub unsafe fn new(item: *const u64, cap: usize) -> Option<List> {
        let repr = Desc::from_ptr(item).repr();
        let itemsize = repr.size_align().0;
        let mi = meminfo_alloc_plain(std::mem::size_of::<ListHeader>(), Some(list_dtor));
        if mi.is_null() {
            return None;
        }
        let items = buffer_alloc(cap * itemsize);
        if items.is_null() {
            oxjit_rt_meminfo_decref(mi);
            return None;
        }
        oxjit_rt_meminfo_data(mi)
            .cast::<ListHeader>()
            .write(ListHeader {
                len: 0,
                cap: cap as i64,
                items,
                itemsize: itemsize as i64,
                item,
                dirty: 0,
                managed: Managed::of(&repr) as i64,
                typed: 0,
            });
        Some(List { mi })
    }

    /// The list a list value (its meminfo) refers to.
    ///
    /// # Safety
    /// `mi` is the live meminfo of a list.
    pub unsafe fn from_meminfo(mi: *mut MemInfo) -> List {
        List { mi }
    }

    pub fn meminfo(self) -> *mut MemInfo {
        self.mi
    }

    /// The header, to write through (lists are shared: every reference
    /// sees the change).
    fn header(&self) -> *mut ListHeader {
        // SAFETY: a list's meminfo data is its header.
        unsafe { oxjit_rt_meminfo_data(self.mi).cast::<ListHeader>() }
    }

    fn get(&self) -> &ListHeader {
        // SAFETY: the header lives as long as the list's meminfo.
        unsafe { &*self.header() }
    }

    /// Applies `f` to the header.
    fn update(&self, f: impl FnOnce(&mut ListHeader)) {
        // SAFETY: as for `get`; no other reference to the header is live
        // while `f` runs (compiled code is not running inside a runtime call).
        f(unsafe { &mut *self.header() })
    }

    /// Whether the items changed since [`List::set_clean`].
    pub fn is_dirty(&self) -> bool {
        self.get().dirty != 0
    }

    pub fn set_clean(&self) {
        self.update(|h| h.dirty = 0);
    }

    pub fn mark_dirty(&self) {
        self.update(|h| h.dirty = 1);
    }

    pub fn len(&self) -> usize {
        self.get().len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn itemsize(&self) -> usize {
        self.get().itemsize as usize
    }

    /// The items' type.
    pub fn item_type<'a>(&self) -> Desc<'a> {
        // SAFETY: the descriptor outlives the list.
        unsafe { Desc::from_ptr(self.get().item) }
    }

    /// The address of item `i` (`i <= len`; `len` is one past the end).
    pub fn at(&self, i: usize) -> *mut u8 {
        let h = self.get();
        h.items.wrapping_add(i * h.itemsize as usize)
    }

    /// The byte offsets of the references an item holds (without
    /// allocating for plain items and for items that are one reference).
    pub fn refs(&self) -> Cow<'static, [usize]> {
        refs_of(self.get())
    }

    /// Makes room for `extra` more items; false when memory runs out.
    pub fn reserve(&self, extra: usize) -> bool {
        let h = self.get();
        let need = h.len as usize + extra;
        if need <= h.cap as usize {
            return true;
        }
        // Python's growth: about 1/8 more, so appends are amortised O(1)
        // (large buffers grow by remapping, not copying).
        let cap = need.max(h.cap as usize + (h.cap as usize >> 3) + 6);
        let Some(bytes) = cap.checked_mul(h.itemsize as usize) else {
            return false;
        };
        // SAFETY: the buffer came from `buffer_alloc`.
        let items = unsafe { buffer_realloc(h.items, bytes) };
        if items.is_null() {
            return false;
        }
        self.update(|h| {
            h.items = items;
            h.cap = cap as i64;
        });
        true
    }

    /// Inserts a copy of the item at `src` before position `i` (`i <= len`),
    /// taking new references to what it holds; false when memory runs out.
    ///
    /// # Safety
    /// `src` points at an item of the list's type.
    pub unsafe fn insert(&self, i: usize, src: *const u8) -> bool {
        if !self.reserve(1) {
            return false;
        }
        let (n, size) = (self.len(), self.itemsize());
        ptr::copy(self.at(i), self.at(i + 1), (n - i) * size);
        ptr::copy_nonoverlapping(src, self.at(i), size);
        retain(src, &self.refs());
        self.update(|h| {
            h.len += 1;
            h.dirty = 1;
        });
        true
    }

    /// Replaces the `remove` items from position `at` by the `n` items at
    /// `src`, whose references move into the list (the removed items'
    /// are released); false when memory runs out (the list unchanged).
    ///
    /// # Safety
    /// `at + remove <= len`; `src` holds `n` items of the list's type that
    /// own their references and is not the list's own buffer.
    pub unsafe fn splice_owned(&self, at: usize, remove: usize, src: *const u8, n: usize) -> bool {
        if n > remove && !self.reserve(n - remove) {
            return false;
        }
        let (len, size, refs) = (self.len(), self.itemsize(), self.refs());
        for i in at..at + remove {
            release(self.at(i), &refs);
        }
        ptr::copy(
            self.at(at + remove),
            self.at(at + n),
            (len - at - remove) * size,
        );
        ptr::copy_nonoverlapping(src, self.at(at), n * size);
        self.update(|h| {
            h.len = (len + n - remove) as i64;
            h.dirty = 1;
        });
        true
    }

    /// Puts the item at `src`, whose references move into the list, at
    /// position `i`, releasing the item there.
    ///
    /// # Safety
    /// `i < len`; `src` holds an item that owns its references.
    pub unsafe fn put_owned(&self, i: usize, src: *const u8) {
        release(self.at(i), &self.refs());
        ptr::copy_nonoverlapping(src, self.at(i), self.itemsize());
        self.update(|h| h.dirty = 1);
    }

    /// Appends a copy of the item at `src` (see [`List::insert`]).
    ///
    /// # Safety
    /// As for [`List::insert`].
    pub unsafe fn push(&self, src: *const u8) -> bool {
        self.insert(self.len(), src)
    }

    /// Appends `count` items of `src`, from position `start` every `step`,
    /// with new references to what they hold: one copy for a run of
    /// items (`step` 1); false when memory runs out (the list unchanged).
    ///
    /// # Safety
    /// The positions are items of `src`, a list of this list's item type
    /// (it may be this list).
    pub unsafe fn extend_from(&self, src: List, start: usize, step: isize, count: usize) -> bool {
        if !self.reserve(count) {
            return false;
        }
        let (n, size, refs) = (self.len(), self.itemsize(), self.refs());
        // After the reserve: `src` may be this list, whose buffer moved.
        let dst = self.at(n);
        if step == 1 {
            ptr::copy_nonoverlapping(src.at(start), dst, count * size);
        } else {
            for k in 0..count {
                let from = src.at((start as isize + k as isize * step) as usize);
                ptr::copy_nonoverlapping(from, dst.add(k * size), size);
            }
        }
        if !refs.is_empty() {
            (0..count).for_each(|k| retain(dst.add(k * size), &refs));
        }
        self.update(|h| {
            h.len += count as i64;
            h.dirty = 1;
        });
        true
    }

    /// Appends the item at `src`, taking over the references it holds
    /// (none are counted); false when memory runs out, the item then
    /// still the caller's.
    ///
    /// # Safety
    /// As for [`List::insert`]; the caller gives up its references.
    pub unsafe fn push_owned(&self, src: *const u8) -> bool {
        if !self.reserve(1) {
            return false;
        }
        ptr::copy_nonoverlapping(src, self.at(self.len()), self.itemsize());
        self.update(|h| {
            h.len += 1;
            h.dirty = 1;
        });
        true
    }

    /// Moves item `i` out to `dst` (its references go with it) and closes
    /// the gap.
    ///
    /// # Safety
    /// `i < len`; `dst` has room for an item.
    pub unsafe fn take(&self, i: usize, dst: *mut u8) {
        let (n, size) = (self.len(), self.itemsize());
        ptr::copy_nonoverlapping(self.at(i), dst, size);
        ptr::copy(self.at(i + 1), self.at(i), (n - i - 1) * size);
        self.update(|h| {
            h.len -= 1;
            h.dirty = 1;
        });
    }

    /// Takes new references to what item `i` holds (for a copy of it that
    /// will own them).
    pub fn retain_item(&self, i: usize) {
        // SAFETY: `i < len` by the caller's contract; the offsets are the item's.
        unsafe { retain(self.at(i), &self.refs()) };
    }

    /// Removes the first `n` items without releasing them: their
    /// references were moved elsewhere.
    pub fn forget_front(&self, n: usize) {
        let (len, size) = (self.len(), self.itemsize());
        let n = n.min(len);
        // SAFETY: both ranges are inside the list's items.
        unsafe { ptr::copy(self.at(n), self.at(0), (len - n) * size) };
        self.update(|h| h.len = (len - n) as i64);
    }

    /// Releases every item and empties the list.
    pub fn clear(&self) {
        let refs = self.refs();
        for i in 0..self.len() {
            // SAFETY: `i < len`.
            unsafe { release(self.at(i), &refs) };
        }
        self.update(|h| {
            h.len = 0;
            h.dirty = 1;
        });
    }

    /// Replaces item `i` by a copy of `src` (with new references); the
    /// old item's are released.
    ///
    /// # Safety
    /// `i < len`; `src` holds an item of the list's type.
    pub unsafe fn replace(&self, i: usize, src: *const u8) {
        let refs = self.refs();
        retain(src, &refs);
        release(self.at(i), &refs);
        ptr::copy_nonoverlapping(src, self.at(i), self.itemsize());
        self.update(|h| h.dirty = 1);
    }

    pub fn is_typed(&self) -> bool {
        self.get().typed != 0
    }

    pub fn mark_typed(&self) {
        self.update(|h| h.typed = 1);
    }

    /// Reverses the items in place.
    pub fn reverse(&self) {
        self.update(|h| h.dirty = 1);
        let (n, size) = (self.len(), self.itemsize());
        for i in 0..n / 2 {
            // SAFETY: `i` and `n - 1 - i` are distinct items.
            unsafe { ptr::swap_nonoverlapping(self.at(i), self.at(n - 1 - i), size) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxjit_abi::desc::tag;

    static F64: [u64; 2] = [tag::SCALAR, b'd' as u64];

    #[test]
    fn grows_inserts_takes_and_reverses() {
        unsafe {
            let l = List::new(F64.as_ptr(), 0).unwrap();
            for i in 0..100 {
                assert!(l.push((i as f64).to_ne_bytes().as_ptr()));
            }
            assert!(l.insert(0, (-1.0f64).to_ne_bytes().as_ptr()));
            assert_eq!(l.len(), 101);
            let mut out = [0u8; 8];
            l.take(0, out.as_mut_ptr());
            assert_eq!(f64::from_ne_bytes(out), -1.0);
            l.reverse();
            assert_eq!(l.at(0).cast::<f64>().read(), 99.0);
            oxjit_rt_meminfo_decref(l.meminfo());
        }
    }
}

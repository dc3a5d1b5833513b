//! Dicts: an insertion-ordered hash table behind a counted reference.
//!
//! A dict value is one `MemInfo` pointer (`oxjit_abi::desc`: `[DICT, key,
//! value]`); the meminfo's data is a [`DictHeader`]. As in CPython, the
//! entries live in a dense array in insertion order (a hash word, the key,
//! the value, each in memory form), and a separate power-of-two table of
//! slots maps hashes to entry positions by probing (CPython's sequence). A removed entry
//! becomes a tombstone (its hash word [`TOMBSTONE`]) until the next
//! compaction, which happens when the entry array is full and before a
//! loop walks the entries by position. Keys and values that hold
//! references own one each, released when they leave the dict.
//!
//! Keys hash by their words (`arrayfns::keys`) and compare as its
//! `KeyType` says, the rules sets share: numbers by value within the key
//! type (`-0.0` is `0.0`; NaN equals NaN, so a NaN key can be found again,
//! as the same NaN object can be in Python), strs by text. Two kinds of
//! key skip the words: integers (their bytes) and strs (the string's
//! cached hash, and the same string or the same bytes).

use oxjit_abi::desc::Desc;

use crate::arrayfns::keys::{words, KeyType};
use crate::list::{release, retain};
use crate::memory::{
    alloc_plain, meminfo_alloc_plain, oxjit_rt_free, oxjit_rt_meminfo_data,
    oxjit_rt_meminfo_decref, MemInfo,
};
use crate::str::Str;

/// The hash word of a removed entry.
pub const TOMBSTONE: u64 = u64::MAX;
const EMPTY: i64 = -1;
const DELETED: i64 = -2;

/// The data of a dict's meminfo.
#[repr(C)]
pub struct DictHeader {
    /// Number of keys (live entries).
    pub len: i64,
    /// Entries in use, tombstones included: the live ones are among the
    /// first `used`, in insertion order.
    used: i64,
    /// Entries the array has room for.
    cap: i64,
    entries: *mut u8,
    /// `mask + 1` slots: `EMPTY`, `DELETED` or an entry position in the
    /// low 32 bits under [`tag`] of its hash, so most probes that miss
    /// never read the entry.
    slots: *mut i64,
    mask: i64,
    /// Slots that are not `EMPTY`: kept below `cap`, so probing always
    /// ends at an empty slot.
    fill: i64,
    layout: *mut Layout,
    /// Whether the dict is an `oxjit.typed.Dict` (it goes back to Python
    /// as that object, shared).
    typed: bool,
}

/// Byte offset of `len` in the header, for compiled code.
pub const LEN_OFFSET: usize = std::mem::offset_of!(DictHeader, len);

/// Where an entry's parts are, and what the key and value hold.
struct Layout {
    /// The dict's own copy of its type descriptor (`[DICT, key, value]`).
    desc: Vec<u64>,
    key: KeyType,
    value_at: usize,
    value_size: usize,
    entry_size: usize,
    value_refs: Vec<usize>,
}

/// The slot of entry `pos` whose hash is `hash`.
fn slot_of(hash: u64, pos: usize) -> i64 {
    ((hash >> 33) << 32) as i64 | pos as i64
}

/// The hash bits a slot keeps.
fn tag(slot: i64) -> u64 {
    (slot as u64 >> 32) << 1
}

/// Copies `n` bytes: one load and store for a word (the common key and
/// value), `memcpy` otherwise (a call for every small copy adds up).
#[inline]
unsafe fn copy_part(src: *const u8, dst: *mut u8, n: usize) {
    if n == 8 {
        dst.cast::<u64>()
            .write_unaligned(src.cast::<u64>().read_unaligned());
    } else {
        std::ptr::copy_nonoverlapping(src, dst, n);
    }
}

/// The byte offset of the key in an entry (after the hash word).
const KEY_AT: usize = 8;

extern "C" fn dict_dtor(data: *mut u8) {
    // SAFETY: `data` is the header of a dict that nothing references now.
    unsafe {
        let h = &mut *data.cast::<DictHeader>();
        let d = Dict::from_header(h);
        d.release_all();
        oxjit_rt_free(h.entries);
        oxjit_rt_free(h.slots.cast());
        drop(Box::from_raw(h.layout));
    }
}

/// The slots a hash visits, CPython's sequence: its low bits first, then
/// `5i + 1` stirred with the hash's higher bits until they run out (after
/// which the recurrence reaches every slot). Integer keys hash to
/// themselves, as in Python, so runs of them fill neighbouring slots.
struct Probes {
    slot: usize,
    perturb: u64,
    mask: usize,
}

impl Probes {
    fn new(hash: u64, mask: usize) -> Probes {
        Probes {
            slot: hash as usize & mask,
            perturb: hash,
            mask,
        }
    }
}

impl Iterator for Probes {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        let at = self.slot;
        self.perturb >>= 5;
        self.slot = (self.slot * 5 + self.perturb as usize + 1) & self.mask;
        Some(at)
    }
}

/// The str key at `p`.
///
/// # Safety
/// `p` holds a str's memory form.
unsafe fn str_key(p: *const u8) -> Str {
    Str::from_meminfo(p.cast::<*mut MemInfo>().read_unaligned())
}

/// A 64-bit finaliser (splitmix64's), spreading the words of float and
/// tuple keys over the slots.
fn mix(mut h: u64) -> u64 {
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58476d1ce4e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d049bb133111eb);
    h ^ (h >> 31)
}

/// A dict reached through its meminfo.
#[derive(Clone, Copy)]
pub struct Dict {
    mi: *mut MemInfo,
    header: *mut DictHeader,
}

/// Where a key is, or would go.
enum Probe {
    /// At this entry position, referenced from this slot.
    Found { slot: usize, pos: usize },
    /// Absent; this slot is where it would be inserted.
    Absent { slot: usize },
}

impl Dict {
    /// A new empty dict of type `desc` (`[DICT, key, value]`), None when
    /// memory runs out.
    pub fn new(desc: Desc) -> Option<Dict> {
        let (key, value) = desc.dict_types().expect("a dict descriptor");
        let key = KeyType::new(key);
        let (value_size, value_align) = value.repr().size_align();
        let value_at = (KEY_AT + key.size).next_multiple_of(value_align.max(1));
        let layout = Box::new(Layout {
            desc: desc.words().to_vec(),
            key,
            value_at,
            value_size,
            entry_size: (value_at + value_size).next_multiple_of(8),
            value_refs: value.repr().meminfo_offsets(),
        });
        let mi = meminfo_alloc_plain(std::mem::size_of::<DictHeader>(), Some(dict_dtor));
        if mi.is_null() {
            return None;
        }
        // SAFETY: the meminfo is fresh and its data has room for a header.
        let header = unsafe { oxjit_rt_meminfo_data(mi).cast::<DictHeader>() };
        // SAFETY: as above.
        unsafe {
            header.write(DictHeader {
                len: 0,
                used: 0,
                cap: 0,
                entries: std::ptr::null_mut(),
                slots: std::ptr::null_mut(),
                mask: -1,
                fill: 0,
                layout: Box::into_raw(layout),
                typed: false,
            })
        };
        let d = Dict { mi, header };
        if !d.rebuild(8) {
            // SAFETY: the dict is ours alone; its dtor frees what it has.
            unsafe { oxjit_rt_meminfo_decref(mi) };
            return None;
        }
        Some(d)
    }

    /// The dict a dict value (its meminfo) refers to.
    ///
    /// # Safety
    /// `mi` is the live meminfo of a dict.
    pub unsafe fn from_meminfo(mi: *mut MemInfo) -> Dict {
        Dict {
            mi,
            header: oxjit_rt_meminfo_data(mi).cast(),
        }
    }

    unsafe fn from_header(h: *mut DictHeader) -> Dict {
        Dict {
            mi: std::ptr::null_mut(),
            header: h,
        }
    }

    pub fn meminfo(self) -> *mut MemInfo {
        self.mi
    }

    // The header is shared memory reached through a raw pointer (every
    // reference to the dict sees it), not data `self` owns.
    #[allow(clippy::mut_from_ref)]
    fn h(&self) -> &mut DictHeader {
        // SAFETY: the header lives as long as the dict; runtime calls run
        // one at a time on a dict, and no reference to it outlives a call.
        unsafe { &mut *self.header }
    }

    fn layout(&self) -> &Layout {
        // SAFETY: the layout lives as long as the header.
        unsafe { &*self.h().layout }
    }

    /// The dict's type, `[DICT, key, value]`.
    pub fn desc<'a>(&self) -> Desc<'a> {
        // SAFETY: the words live as long as the dict, and callers use the
        // descriptor only while they hold the dict.
        unsafe { Desc::from_ptr(self.layout().desc.as_ptr()) }
    }

    pub fn len(&self) -> usize {
        self.h().len as usize
    }

    pub fn is_typed(&self) -> bool {
        self.h().typed
    }

    pub fn mark_typed(&self) {
        self.h().typed = true;
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entries in use (live and tombstones): positions are `0..used`.
    pub fn used(&self) -> usize {
        self.h().used as usize
    }

    fn entry(&self, pos: usize) -> *mut u8 {
        self.h()
            .entries
            .wrapping_add(pos * self.layout().entry_size)
    }

    fn hash_at(&self, pos: usize) -> u64 {
        // SAFETY: `pos < cap`; every entry starts with its hash word.
        unsafe { self.entry(pos).cast::<u64>().read() }
    }

    /// The key and value of the entry at `pos`, None for a tombstone.
    pub fn entry_parts(&self, pos: usize) -> Option<(*mut u8, *mut u8)> {
        if pos >= self.used() || self.hash_at(pos) == TOMBSTONE {
            return None;
        }
        let e = self.entry(pos);
        Some((
            e.wrapping_add(KEY_AT),
            e.wrapping_add(self.layout().value_at),
        ))
    }

    /// Copies the value at `src` to `out`, with new references.
    ///
    /// # Safety
    /// `src` holds a value of the dict's value type; `out` has room for one.
    pub unsafe fn copy_value(&self, src: *const u8, out: *mut u8) {
        let lay = self.layout();
        copy_part(src, out, lay.value_size);
        retain(src, &lay.value_refs);
    }

    /// Copies the key at `src` to `out`, with new references.
    ///
    /// # Safety
    /// As for [`Dict::copy_value`], for a key.
    pub unsafe fn copy_key(&self, src: *const u8, out: *mut u8) {
        let key = &self.layout().key;
        copy_part(src, out, key.size);
        retain(src, &key.refs);
    }

    /// The hash of the key at `key` (never [`TOMBSTONE`]).
    ///
    /// # Safety
    /// `key` points at a key of the dict's key type.
    #[inline]
    unsafe fn hash(&self, key: *const u8) -> u64 {
        let kt = &self.layout().key;
        let mut h = 0x243f_6a88_85a3_08d3u64;
        if kt.is_str {
            h = str_key(key).hash();
        } else if kt.bytewise && kt.size == 8 {
            h = key.cast::<u64>().read_unaligned();
        } else {
            words(key, &kt.leaves, |w| h = mix(h ^ w));
        }
        h.min(TOMBSTONE - 1)
    }

    #[inline]
    unsafe fn probe(&self, key: *const u8, hash: u64) -> Probe {
        let h = self.h();
        let mut free = None;
        for slot in Probes::new(hash, h.mask as usize) {
            let s = *h.slots.add(slot);
            match s {
                EMPTY => {
                    return Probe::Absent {
                        slot: free.unwrap_or(slot),
                    }
                }
                DELETED => {
                    free.get_or_insert(slot);
                }
                s => {
                    let pos = (s & 0xffff_ffff) as usize;
                    if tag(s) == (hash >> 32) & !1
                        && self.hash_at(pos) == hash
                        && self.layout().key.eq(self.entry(pos).add(KEY_AT), key)
                    {
                        return Probe::Found { slot, pos };
                    }
                }
            }
        }
        unreachable!("the slot table always has an empty slot")
    }

    /// The position of the entry holding `key`.
    ///
    /// # Safety
    /// `key` points at a key of the dict's key type.
    pub unsafe fn find(&self, key: *const u8) -> Option<usize> {
        match self.probe(key, self.hash(key)) {
            Probe::Found { pos, .. } => Some(pos),
            Probe::Absent { .. } => None,
        }
    }

    /// Compacts the entries (dropping tombstones) into an array with room
    /// for at least `room` entries, and rebuilds the slots; false when
    /// memory runs out (the dict is then unchanged).
    fn rebuild(&self, room: usize) -> bool {
        let lay = self.layout();
        // At most half the slots in use: short probe runs.
        let nslots = (room.max(self.len() + 1) * 2).next_power_of_two().max(8);
        let cap = nslots / 2;
        if cap > u32::MAX as usize {
            return false;
        }
        let entries = alloc_plain(cap * lay.entry_size);
        let slots = alloc_plain(nslots * 8).cast::<i64>();
        if entries.is_null() || slots.is_null() {
            // SAFETY: null or fresh blocks.
            unsafe {
                oxjit_rt_free(entries);
                oxjit_rt_free(slots.cast());
            }
            return false;
        }
        let h = self.h();
        let mask = nslots - 1;
        // SAFETY: the new arrays have room for `cap` entries and `nslots`
        // slots; the old entries `0..used` are initialised.
        unsafe {
            std::slice::from_raw_parts_mut(slots, nslots).fill(EMPTY);
            // Without tombstones (growth) the entries move in one copy.
            let dense = h.used == h.len;
            if dense {
                std::ptr::copy_nonoverlapping(h.entries, entries, h.used as usize * lay.entry_size);
            }
            let mut n = 0;
            for pos in 0..h.used as usize {
                let hash = self.hash_at(pos);
                if hash == TOMBSTONE {
                    continue;
                }
                if !dense {
                    let to = entries.add(n * lay.entry_size);
                    std::ptr::copy_nonoverlapping(self.entry(pos), to, lay.entry_size);
                }
                let slot = Probes::new(hash, mask)
                    .find(|&s| *slots.add(s) == EMPTY)
                    .expect("a fresh table has room");
                *slots.add(slot) = slot_of(hash, n);
                n += 1;
            }
            oxjit_rt_free(h.entries);
            oxjit_rt_free(h.slots.cast());
            h.entries = entries;
            h.slots = slots;
            h.mask = mask as i64;
            h.cap = cap as i64;
            h.used = n as i64;
            h.fill = n as i64;
        }
        true
    }

    /// Drops the tombstones, so that positions `0..len` are the keys in
    /// order (before a loop walks them); false when memory runs out.
    pub fn compact(&self) -> bool {
        self.used() == self.len() || self.rebuild(self.len())
    }

    /// Sets `key` to `value` (copies, taking new references); a new key
    /// goes last. False when memory runs out.
    ///
    /// # Safety
    /// `key` and `value` point at values of the dict's key and value types.
    pub unsafe fn set(&self, key: *const u8, value: *const u8) -> bool {
        let lay = self.layout();
        let hash = self.hash(key);
        let slot = match self.probe(key, hash) {
            Probe::Found { pos, .. } => {
                let at = self.entry(pos).add(lay.value_at);
                retain(value, &lay.value_refs);
                release(at, &lay.value_refs);
                copy_part(value, at, lay.value_size);
                return true;
            }
            Probe::Absent { slot } if self.h().used.max(self.h().fill) < self.h().cap => slot,
            Probe::Absent { .. } => {
                if !self.rebuild(self.len() * 3) {
                    return false;
                }
                match self.probe(key, hash) {
                    Probe::Absent { slot } => slot,
                    Probe::Found { .. } => unreachable!("the key was absent"),
                }
            }
        };
        let h = self.h();
        let pos = h.used as usize;
        let e = self.entry(pos);
        e.cast::<u64>().write(hash);
        copy_part(key, e.add(KEY_AT), lay.key.size);
        copy_part(value, e.add(lay.value_at), lay.value_size);
        retain(key, &lay.key.refs);
        retain(value, &lay.value_refs);
        if *h.slots.add(slot) == EMPTY {
            h.fill += 1;
        }
        *h.slots.add(slot) = slot_of(hash, pos);
        h.used += 1;
        h.len += 1;
        true
    }

    /// Removes the entry at `pos` (live), moving its value to `value_out`
    /// (null: released) with its references; the key's are released.
    ///
    /// # Safety
    /// `pos` is a live entry; `value_out` is null or has room for a value.
    pub unsafe fn remove_at(&self, pos: usize, value_out: *mut u8) {
        let lay = self.layout();
        let e = self.entry(pos);
        let (key, hash) = (e.add(KEY_AT), self.hash_at(pos));
        let Probe::Found { slot, .. } = self.probe(key, hash) else {
            unreachable!("a live entry is reachable from its slot")
        };
        *self.h().slots.add(slot) = DELETED;
        release(key, &lay.key.refs);
        let value = e.add(lay.value_at);
        if value_out.is_null() {
            release(value, &lay.value_refs);
        } else {
            copy_part(value, value_out, lay.value_size);
        }
        e.cast::<u64>().write(TOMBSTONE);
        let h = self.h();
        h.len -= 1;
        // Trailing tombstones go at once, so `popitem` stays O(1).
        while h.used > 0 && self.hash_at(h.used as usize - 1) == TOMBSTONE {
            h.used -= 1;
        }
    }

    /// The position of the last key (`popitem`'s), None when empty.
    pub fn last(&self) -> Option<usize> {
        // Trailing tombstones never stay, so the last used entry is live.
        self.used().checked_sub(1)
    }

    fn release_all(&self) {
        let lay = self.layout();
        if lay.key.refs.is_empty() && lay.value_refs.is_empty() {
            return;
        }
        for pos in 0..self.used() {
            if let Some((k, v)) = self.entry_parts(pos) {
                // SAFETY: a live entry owns its references.
                unsafe {
                    release(k, &lay.key.refs);
                    release(v, &lay.value_refs);
                }
            }
        }
    }

    /// Removes every key.
    pub fn clear(&self) {
        self.release_all();
        let h = self.h();
        h.len = 0;
        h.used = 0;
        h.fill = 0;
        // SAFETY: the slot table has `mask + 1` slots.
        unsafe { std::slice::from_raw_parts_mut(h.slots, h.mask as usize + 1).fill(EMPTY) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxjit_abi::desc::tag;

    fn int_dict() -> (Vec<u64>, Dict) {
        let words = vec![
            tag::DICT,
            tag::SCALAR,
            b'q' as u64,
            tag::SCALAR,
            b'd' as u64,
        ];
        let d = Dict::new(Desc::new(&words)).unwrap();
        (words, d)
    }

    unsafe fn get(d: &Dict, k: i64) -> Option<f64> {
        let pos = d.find((&k as *const i64).cast())?;
        Some(d.entry_parts(pos).unwrap().1.cast::<f64>().read_unaligned())
    }

    #[test]
    fn keys_stay_in_insertion_order_through_growth_and_removal() {
        let (_w, d) = int_dict();
        unsafe {
            for k in 0..1000i64 {
                let v = k as f64 * 0.5;
                assert!(d.set((&k as *const i64).cast(), (&v as *const f64).cast()));
            }
            assert_eq!(d.len(), 1000);
            for k in (0..1000i64).step_by(2) {
                let pos = d.find((&k as *const i64).cast()).unwrap();
                d.remove_at(pos, std::ptr::null_mut());
            }
            assert_eq!((d.len(), get(&d, 3), get(&d, 4)), (500, Some(1.5), None));
            assert!(d.compact());
            let first: Vec<i64> = (0..3)
                .map(|p| d.entry_parts(p).unwrap().0.cast::<i64>().read_unaligned())
                .collect();
            assert_eq!(first, vec![1, 3, 5]);
            let v = 9.0f64;
            let k = 3i64;
            d.set((&k as *const i64).cast(), (&v as *const f64).cast());
            assert_eq!((d.len(), get(&d, 3)), (500, Some(9.0)));
            oxjit_rt_meminfo_decref(d.meminfo());
        }
    }
}

#[cfg(test)]
mod str_keys {
    use super::*;
    use oxjit_abi::desc::tag;

    fn key(t: &str) -> Str {
        Str::new(t).unwrap()
    }

    unsafe fn at(s: &Str) -> *const u8 {
        (s as *const Str).cast()
    }

    /// Str keys take the fast path; a tuple holding a str takes the words.
    #[test]
    fn str_and_tuple_keys_are_found_by_text() {
        let words = [tag::DICT, tag::STR, tag::SCALAR, b'q' as u64];
        let d = Dict::new(Desc::new(&words)).unwrap();
        assert!(d.layout().key.is_str);
        unsafe {
            let keys: Vec<Str> = (0..500).map(|i| key(&format!("wörd{i}"))).collect();
            for (i, k) in keys.iter().enumerate() {
                assert!(d.set(at(k), (&(i as i64) as *const i64).cast()));
            }
            for k in &keys {
                oxjit_rt_meminfo_decref(k.meminfo());
            }
            // Other strings with the same text find the entries.
            let probe = key("wörd321");
            let pos = d.find(at(&probe)).unwrap();
            assert_eq!(
                d.entry_parts(pos).unwrap().1.cast::<i64>().read_unaligned(),
                321
            );
            d.remove_at(pos, std::ptr::null_mut());
            assert!(d.find(at(&probe)).is_none());
            let missing = key("wörd");
            assert!(d.find(at(&missing)).is_none());
            for k in [probe, missing] {
                oxjit_rt_meminfo_decref(k.meminfo());
            }
            assert_eq!(d.len(), 499);
            oxjit_rt_meminfo_decref(d.meminfo());

            let words = [
                tag::DICT,
                tag::TUPLE,
                2,
                tag::SCALAR,
                b'q' as u64,
                tag::STR,
                tag::NONE,
            ];
            let d = Dict::new(Desc::new(&words)).unwrap();
            assert!(!d.layout().key.is_str && !d.layout().key.bytewise);
            let pair = |n: i64, t: &str| {
                let s = key(t);
                let mut b = [0u8; 16];
                b[..8].copy_from_slice(&n.to_ne_bytes());
                b[8..].copy_from_slice(&(s.meminfo() as usize).to_ne_bytes());
                (s, b)
            };
            let (a, ab) = pair(1, "abcdefgh");
            let (b, bb) = pair(1, "abcdefg");
            // The values are `None`: nothing to read.
            assert!(d.set(ab.as_ptr(), ab.as_ptr()));
            assert!(d.set(bb.as_ptr(), bb.as_ptr()));
            let (c, cb) = pair(1, "abcdefgh");
            assert_eq!(d.find(cb.as_ptr()), Some(0));
            let (e, eb) = pair(2, "abcdefgh");
            assert_eq!((d.len(), d.find(eb.as_ptr())), (2, None));
            for s in [a, b, c, e] {
                oxjit_rt_meminfo_decref(s.meminfo());
            }
            oxjit_rt_meminfo_decref(d.meminfo());
        }
    }
}

//! Sets: CPython's set table behind a counted reference.
//!
//! A set value is one `MemInfo` pointer (`oxjit_abi::desc`: `[SET,
//! item]`); the meminfo's data is a [`SetHeader`]. Python programs see a
//! set's order whenever they iterate one, so the table is CPython 3.11's
//! (`Objects/setobject.c`) in everything that decides where an item goes:
//! entries of (hash, item) in a power-of-two array; a search starts at
//! `hash & mask`, looks at the nine entries after it when they fit before
//! the end, then moves on by CPython's perturbed recurrence; a removed item
//! leaves a dummy, which a later insertion may reuse; the table grows when
//! three fifths of it are used, to the same sizes, reinserting in table
//! order; and each set operation inserts items in the order, and with the
//! shortcuts, that CPython's does. Items hash as Python hashes them
//! ([`crate::pyhash`]), so a set of numbers or tuples of numbers iterates
//! exactly as in Python.
//!
//! Items compare as dict keys do (`arrayfns::keys::KeyType`: numbers by
//! value, `-0.0` equal to `0.0`, NaN to NaN; strs by text). Items holding
//! references own one each, released when they leave the set.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use oxjit_abi::desc::Desc;

use crate::arrayfns::keys::KeyType;
use crate::list::{release, retain};
use crate::memory::{
    alloc_plain, meminfo_alloc_plain, oxjit_rt_free, oxjit_rt_meminfo_data,
    oxjit_rt_meminfo_decref, MemInfo,
};
use crate::pyhash::Plan;

/// CPython's `PySet_MINSIZE`, the size of a new or cleared table.
const MIN_SIZE: usize = 8;
/// The entries a probe looks at after its first, when they fit.
pub const LINEAR_PROBES: usize = 9;
pub const PERTURB_SHIFT: u32 = 5;

// The state of an entry, in a byte array after the entries: a hash can be
// any `i64`, so it cannot tell by itself (but see [`EMPTY_HASH`]).
const EMPTY: u8 = 0;
const LIVE: u8 = 1;
const DUMMY: u8 = 2;
/// The hash words of an empty entry and of a dummy. No number hashes to
/// either (CPython's hashes of numbers are below 2**61 in magnitude), so
/// for numbers the hash word alone tells an entry's state; an item of
/// another type that hashes to one is live by its state byte.
pub const EMPTY_HASH: i64 = i64::MIN;
pub const DUMMY_HASH: i64 = i64::MIN + 1;

/// Where an entry's item starts, after its hash.
pub const ITEM_AT: usize = 8;

/// The data of a set's meminfo.
#[repr(C)]
pub struct SetHeader {
    /// Number of items (CPython's `used`).
    pub len: i64,
    /// Entries holding an item or a dummy.
    fill: i64,
    /// The table size (a power of two, at least [`MIN_SIZE`]) minus one.
    mask: i64,
    /// See [`Table`].
    table: *mut u8,
    /// Where `pop` starts looking: after the entry it took last.
    finger: i64,
    /// Where a loop over the set got to: `pos << 32 | index`, item `pos`
    /// of the iteration order being the first live entry from `index` on
    /// (the next position read starts there). One word, so threads that
    /// read the set together always see a consistent pair; 0 after any
    /// change to the table.
    cursor: AtomicU64,
    /// Whether the table changed since `set_clean` (a set argument is
    /// written back to its Python set only then).
    dirty: AtomicBool,
    layout: *mut Layout,
}

/// Byte offsets of header fields, for compiled code (which tests
/// membership in a set of `int64`s inline).
pub const LEN_OFFSET: usize = std::mem::offset_of!(SetHeader, len);
pub const MASK_OFFSET: usize = std::mem::offset_of!(SetHeader, mask);
pub const TABLE_OFFSET: usize = std::mem::offset_of!(SetHeader, table);

/// The size of an entry holding an item of `item_size` bytes.
pub const fn entry_size(item_size: usize) -> usize {
    (ITEM_AT + item_size).next_multiple_of(8)
}

/// What the items are.
struct Layout {
    /// The set's own copy of its type descriptor (`[SET, item]`).
    desc: Vec<u64>,
    item: KeyType,
    hash: Plan,
    /// The hash and the item, rounded up to 8 bytes.
    entry_size: usize,
    /// Whether items are `int64`s, hashed and compared without the
    /// dispatch on their type.
    word: bool,
}

/// A table in one block: `mask + 1` entries (an `i64` hash, then the item
/// in memory form), then one state byte per entry.
#[derive(Clone, Copy)]
struct Table {
    base: *mut u8,
    mask: usize,
    entry_size: usize,
}

impl Table {
    /// An empty table of `size` entries (a power of two).
    fn alloc(size: usize, entry_size: usize) -> Option<Table> {
        let base = alloc_plain(size.checked_mul(entry_size + 1)?);
        if base.is_null() {
            return None;
        }
        let t = Table {
            base,
            mask: size - 1,
            entry_size,
        };
        t.empty_all();
        Some(t)
    }

    /// Every entry empty.
    fn empty_all(self) {
        // SAFETY: the block has room for the states after the entries.
        unsafe { self.states().write_bytes(EMPTY, self.size()) };
        for i in 0..self.size() {
            // SAFETY: entry `i` is in the table.
            unsafe { self.entry(i).cast::<i64>().write(EMPTY_HASH) };
        }
    }

    fn size(self) -> usize {
        self.mask + 1
    }

    fn states(self) -> *mut u8 {
        self.base.wrapping_add(self.size() * self.entry_size)
    }

    fn state(self, i: usize) -> u8 {
        debug_assert!(i <= self.mask);
        // SAFETY: entry `i` is in the table.
        unsafe { *self.states().add(i) }
    }

    /// Sets entry `i`'s state; an entry that is not live gets the hash
    /// word of its state (a live one's hash is written before).
    fn set_state(self, i: usize, s: u8) {
        debug_assert!(i <= self.mask);
        // SAFETY: as for `state`.
        unsafe {
            *self.states().add(i) = s;
            if s != LIVE {
                let h = if s == EMPTY { EMPTY_HASH } else { DUMMY_HASH };
                self.entry(i).cast::<i64>().write(h);
            }
        }
    }

    /// Whether entry `i` is live, reading its state byte only when its
    /// hash word is a vacant one's (so a probe past live entries touches
    /// one cache line per entry, not two).
    fn is_live(self, i: usize) -> bool {
        let h = self.hash(i);
        (h != EMPTY_HASH && h != DUMMY_HASH) || self.state(i) == LIVE
    }

    fn entry(self, i: usize) -> *mut u8 {
        self.base.wrapping_add(i * self.entry_size)
    }

    fn hash(self, i: usize) -> i64 {
        // SAFETY: a live entry's hash word is written.
        unsafe { self.entry(i).cast::<i64>().read() }
    }

    fn item(self, i: usize) -> *mut u8 {
        self.entry(i).wrapping_add(ITEM_AT)
    }

    /// The live entries, in table order.
    fn live(self) -> impl Iterator<Item = usize> {
        (0..self.size()).filter(move |&i| self.state(i) == LIVE)
    }

    /// Marks live, and returns, the first empty entry of `hash`'s probes
    /// (CPython's `set_insert_clean`, for a table without dummies).
    fn insert_clean(self, hash: i64) -> usize {
        let i = probe(self.mask, hash, |i| (!self.is_live(i)).then_some(i));
        self.set_state(i, LIVE);
        i
    }

    /// # Safety
    /// Nothing uses the table afterwards.
    unsafe fn free(self) {
        oxjit_rt_free(self.base)
    }
}

/// Calls `f` on the entries CPython's search for `hash` visits, until it
/// returns a result: from `hash & mask`, each probe also looks at the
/// [`LINEAR_PROBES`] entries after its first when they fit before the
/// end, then moves on by `i = 5i + 1 + perturb`, `perturb` being the hash
/// shifted right by 5 more bits each time (so every bit of it counts, and
/// then the recurrence alone reaches every entry).
#[inline(always)]
fn probe<R>(mask: usize, hash: i64, mut f: impl FnMut(usize) -> Option<R>) -> R {
    let mut i = hash as usize & mask;
    let mut perturb = hash as usize;
    loop {
        let last = if i + LINEAR_PROBES <= mask {
            i + LINEAR_PROBES
        } else {
            i
        };
        for j in i..=last {
            if let Some(r) = f(j) {
                return r;
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb) & mask;
    }
}

/// CPython's growth target for a table holding `len` items.
fn grown(len: usize) -> usize {
    if len > 50000 {
        len * 2
    } else {
        len * 4
    }
}

/// The result of a search.
enum Lookup {
    /// The item is in this entry.
    Found(usize),
    /// The item is absent: the empty entry that ended the search, and the
    /// last dummy seen before it (where CPython puts a new item).
    Vacant { empty: usize, dummy: Option<usize> },
}

extern "C" fn set_dtor(data: *mut u8) {
    // SAFETY: `data` is the header of a set that nothing references now.
    unsafe {
        let s = Set {
            mi: std::ptr::null_mut(),
            header: data.cast(),
        };
        s.release_items();
        s.table().free();
        drop(Box::from_raw(s.h().layout));
    }
}

/// `s.add(x)` for a set of `int64`s, the item passed as a word (0, or
/// the status of a `MemoryError`): compiled code's direct call.
///
/// # Safety
/// `mi` is a live set's meminfo; its items are `int64`s.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_set_add_word(mi: *mut MemInfo, x: i64) -> u32 {
    if Set::from_meminfo(mi).add((&x as *const i64).cast()) {
        0
    } else {
        crate::exceptions::raise_dynamic(oxjit_abi::exc::ExcSpec::with_message(
            "MemoryError",
            "cannot allocate a set",
        ))
    }
}

/// A set reached through its meminfo.
#[derive(Clone, Copy)]
pub struct Set {
    mi: *mut MemInfo,
    header: *mut SetHeader,
}

impl Set {
    /// A new empty set of type `desc` (`[SET, item]`), None when memory
    /// runs out.
    pub fn new(desc: Desc) -> Option<Set> {
        let item = desc.set_item().expect("a set descriptor");
        let key = KeyType::new(item);
        let entry_size = entry_size(key.size);
        let layout = Box::new(Layout {
            desc: desc.words().to_vec(),
            hash: Plan::new(item),
            item: key,
            entry_size,
            word: item.kind() == oxjit_abi::desc::Kind::Scalar
                && matches!(item.dtype(), b'q' | b'l'),
        });
        let table = Table::alloc(MIN_SIZE, entry_size)?;
        let mi = meminfo_alloc_plain(std::mem::size_of::<SetHeader>(), Some(set_dtor));
        if mi.is_null() {
            // SAFETY: the table is ours alone.
            unsafe { table.free() };
            return None;
        }
        // SAFETY: the meminfo is fresh and its data has room for a header.
        let header = unsafe { oxjit_rt_meminfo_data(mi).cast::<SetHeader>() };
        // SAFETY: as above.
        unsafe {
            header.write(SetHeader {
                len: 0,
                fill: 0,
                mask: table.mask as i64,
                table: table.base,
                finger: 0,
                cursor: AtomicU64::new(0),
                dirty: AtomicBool::new(false),
                layout: Box::into_raw(layout),
            })
        };
        Some(Set { mi, header })
    }

    /// The set a set value (its meminfo) refers to.
    ///
    /// # Safety
    /// `mi` is the live meminfo of a set.
    pub unsafe fn from_meminfo(mi: *mut MemInfo) -> Set {
        Set {
            mi,
            header: oxjit_rt_meminfo_data(mi).cast(),
        }
    }

    pub fn meminfo(self) -> *mut MemInfo {
        self.mi
    }

    /// Drops the reference `self` stands for (a set made here that is
    /// not handed on).
    fn drop_ref(self) {
        // SAFETY: the caller owns that reference.
        unsafe { oxjit_rt_meminfo_decref(self.mi) }
    }

    /// The header, to read (threads may read a set together).
    fn hr(&self) -> &SetHeader {
        // SAFETY: the header lives as long as the set.
        unsafe { &*self.header }
    }

    // The header is shared memory reached through a raw pointer (every
    // reference to the set sees it), not data `self` owns.
    #[allow(clippy::mut_from_ref)]
    fn h(&self) -> &mut SetHeader {
        // SAFETY: the header lives as long as the set; runtime calls that
        // change a set run one at a time on it, and no reference to the
        // header outlives a call.
        unsafe { &mut *self.header }
    }

    fn layout(&self) -> &Layout {
        // SAFETY: the layout lives as long as the header.
        unsafe { &*self.hr().layout }
    }

    fn table(&self) -> Table {
        let h = self.hr();
        Table {
            base: h.table,
            mask: h.mask as usize,
            entry_size: self.layout().entry_size,
        }
    }

    /// Makes `t` the set's table (the old one is the caller's to free).
    fn set_table(&self, t: Table) {
        let h = self.h();
        h.table = t.base;
        h.mask = t.mask as i64;
        self.changed();
    }

    /// Forgets the loop cursor and marks the set dirty: the table changed.
    fn changed(&self) {
        self.hr().cursor.store(0, Ordering::Relaxed);
        self.hr().dirty.store(true, Ordering::Relaxed);
    }

    /// Whether the set changed since [`Set::set_clean`].
    pub fn is_dirty(&self) -> bool {
        self.hr().dirty.load(Ordering::Relaxed)
    }

    pub fn set_clean(&self) {
        self.hr().dirty.store(false, Ordering::Relaxed);
    }

    fn is(&self, other: &Set) -> bool {
        self.header == other.header
    }

    /// The set's type, `[SET, item]`.
    pub fn desc<'a>(&self) -> Desc<'a> {
        // SAFETY: the words live as long as the set, and callers use the
        // descriptor only while they hold the set.
        unsafe { Desc::from_ptr(self.layout().desc.as_ptr()) }
    }

    /// The items' type.
    pub fn item_type<'a>(&self) -> Desc<'a> {
        self.desc().set_item().unwrap()
    }

    pub fn len(&self) -> usize {
        self.hr().len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items, in iteration order (Python's), in memory form. The set
    /// must not change while the iterator is in use.
    pub fn iter(&self) -> impl Iterator<Item = *mut u8> {
        let t = self.table();
        t.live().map(move |i| t.item(i))
    }

    /// # Safety
    /// `item` holds an item of the set's type.
    unsafe fn hash(&self, item: *const u8) -> i64 {
        let layout = self.layout();
        if layout.word {
            return crate::pyhash::int(item.cast::<i64>().read_unaligned());
        }
        layout.hash.hash(item)
    }

    /// CPython's search for the item at `item`, whose hash is `hash`.
    unsafe fn lookup(&self, item: *const u8, hash: i64) -> Lookup {
        let layout = self.layout();
        if layout.word {
            let x = item.cast::<i64>().read_unaligned();
            return self.lookup_by(hash, |p| p.cast::<i64>().read_unaligned() == x);
        }
        let kt = &layout.item;
        self.lookup_by(hash, |p| kt.eq(p, item))
    }

    /// [`Set::lookup`] with `same` telling whether an entry's item equals
    /// the one searched for.
    #[inline(always)]
    unsafe fn lookup_by(&self, hash: i64, same: impl Fn(*const u8) -> bool) -> Lookup {
        let t = self.table();
        let mut dummy = None;
        probe(t.mask, hash, |i| {
            if t.is_live(i) {
                return (t.hash(i) == hash && same(t.item(i))).then_some(Lookup::Found(i));
            }
            if t.state(i) == EMPTY {
                return Some(Lookup::Vacant { empty: i, dummy });
            }
            dummy = Some(i);
            None
        })
    }

    unsafe fn find(&self, item: *const u8, hash: i64) -> bool {
        matches!(self.lookup(item, hash), Lookup::Found(_))
    }

    /// Adds a copy of the item at `item` (new references), known to be
    /// absent, where `lookup` said (CPython's `set_add_entry`): into the
    /// last dummy on its way, else into the empty entry, growing the table
    /// when three fifths of it are in use. False when memory runs out (the
    /// set then unchanged).
    unsafe fn insert(&self, at: Lookup, item: *const u8, hash: i64) -> bool {
        let (i, fresh) = match at {
            Lookup::Found(_) => unreachable!("inserting an item already there"),
            Lookup::Vacant { dummy: Some(d), .. } => (d, false),
            Lookup::Vacant { empty, .. } => (empty, true),
        };
        let (t, kt) = (self.table(), &self.layout().item);
        t.entry(i).cast::<i64>().write(hash);
        std::ptr::copy_nonoverlapping(item, t.item(i), kt.size);
        retain(item, &kt.refs);
        t.set_state(i, LIVE);
        self.changed();
        let h = self.h();
        h.len += 1;
        if !fresh {
            return true;
        }
        h.fill += 1;
        if h.fill * 5 < h.mask * 3 || self.resize(grown(h.len as usize)) {
            return true;
        }
        // Without a bigger table the table would fill up: take it back.
        release(item, &kt.refs);
        t.set_state(i, EMPTY);
        let h = self.h();
        h.len -= 1;
        h.fill -= 1;
        false
    }

    unsafe fn add_hashed(&self, item: *const u8, hash: i64) -> bool {
        match self.lookup(item, hash) {
            Lookup::Found(_) => true,
            at => self.insert(at, item, hash),
        }
    }

    /// Adds a copy of the item at `item` (taking new references) unless
    /// an equal one is there; false when memory runs out.
    ///
    /// # Safety
    /// `item` holds an item of the set's type.
    pub unsafe fn add(&self, item: *const u8) -> bool {
        self.add_hashed(item, self.hash(item))
    }

    /// Whether an item equal to the one at `item` is in the set.
    ///
    /// # Safety
    /// As for [`Set::add`].
    pub unsafe fn contains(&self, item: *const u8) -> bool {
        self.find(item, self.hash(item))
    }

    /// Removes the item in entry `i` (live), releasing it: a dummy.
    fn kill(&self, i: usize) {
        let t = self.table();
        // SAFETY: a live entry owns its item's references.
        unsafe { release(t.item(i), &self.layout().item.refs) };
        t.set_state(i, DUMMY);
        self.h().len -= 1;
        self.changed();
    }

    /// Removes the item equal to the one at `item`; whether there was one.
    ///
    /// # Safety
    /// As for [`Set::add`].
    pub unsafe fn discard(&self, item: *const u8) -> bool {
        match self.lookup(item, self.hash(item)) {
            Lookup::Found(i) => {
                self.kill(i);
                true
            }
            Lookup::Vacant { .. } => false,
        }
    }

    /// Moves an item out to `out` with its references (`set.pop()`: the
    /// first live entry from the finger on, wrapping round); false when
    /// the set is empty.
    ///
    /// # Safety
    /// `out` has room for an item.
    pub unsafe fn pop(&self, out: *mut u8) -> bool {
        if self.is_empty() {
            return false;
        }
        let t = self.table();
        let mut i = self.hr().finger as usize & t.mask;
        while t.state(i) != LIVE {
            i = (i + 1) & t.mask;
        }
        std::ptr::copy_nonoverlapping(t.item(i), out, self.layout().item.size);
        t.set_state(i, DUMMY);
        let h = self.h();
        h.len -= 1;
        h.finger = i as i64 + 1;
        self.changed();
        true
    }

    fn release_items(&self) {
        let refs = &self.layout().item.refs;
        if !refs.is_empty() {
            for item in self.iter() {
                // SAFETY: a live entry owns its item's references.
                unsafe { release(item, refs) };
            }
        }
    }

    /// Removes every item, back to the smallest table (the finger stays,
    /// as in CPython).
    pub fn clear(&self) {
        self.release_items();
        let t = self.table();
        let smaller = (t.size() > MIN_SIZE).then(|| Table::alloc(MIN_SIZE, t.entry_size));
        match smaller.flatten() {
            Some(small) => {
                // SAFETY: nothing else uses the old table.
                unsafe { t.free() };
                self.set_table(small);
            }
            // Already the smallest (or no memory for it: the same set,
            // iterating in another order afterwards).
            None => {
                t.empty_all();
                self.changed();
            }
        }
        let h = self.h();
        h.len = 0;
        h.fill = 0;
    }

    /// Rebuilds the table with the smallest size above `min_used`
    /// (CPython's `set_table_resize`), reinserting the items in table
    /// order and dropping the dummies; false when memory runs out (the
    /// set then unchanged).
    fn resize(&self, min_used: usize) -> bool {
        let size = (min_used + 1).next_power_of_two().max(MIN_SIZE);
        let old = self.table();
        let h = self.hr();
        // CPython's small table stays as it is when it has no dummies.
        if size == MIN_SIZE && old.size() == MIN_SIZE && h.fill == h.len {
            return true;
        }
        let Some(new) = Table::alloc(size, old.entry_size) else {
            return false;
        };
        for i in old.live() {
            let j = new.insert_clean(old.hash(i));
            // SAFETY: both entries are in their tables; the item moves
            // with its references.
            unsafe { std::ptr::copy_nonoverlapping(old.entry(i), new.entry(j), old.entry_size) };
        }
        // SAFETY: every item moved out.
        unsafe { old.free() };
        self.set_table(new);
        let h = self.h();
        h.fill = h.len;
        true
    }

    /// Adds every item of `other` (CPython's `set_merge`: one resize for
    /// them all first, then, into an empty set, the entries where they are
    /// when the tables agree, or reinserted in `other`'s order); false
    /// when memory runs out.
    pub fn update(&self, other: &Set) -> bool {
        if self.is(other) || other.is_empty() {
            return true;
        }
        let (n, other_fill) = (other.hr().len, other.hr().fill);
        let (fill, len, mask) = (self.hr().fill, self.hr().len, self.hr().mask);
        if (fill + n) * 5 >= mask * 3 && !self.resize((len + n) as usize * 2) {
            return false;
        }
        let (t, ot) = (self.table(), other.table());
        let refs = &self.layout().item.refs;
        if self.hr().fill == 0 {
            if t.mask == ot.mask && other_fill == n {
                // SAFETY: the tables have the same size and layout.
                unsafe {
                    std::ptr::copy_nonoverlapping(ot.base, t.base, t.size() * (t.entry_size + 1))
                };
            } else {
                for i in ot.live() {
                    let j = t.insert_clean(ot.hash(i));
                    // SAFETY: both entries are in their tables.
                    unsafe { std::ptr::copy_nonoverlapping(ot.entry(i), t.entry(j), t.entry_size) };
                }
            }
            if !refs.is_empty() {
                for item in self.iter() {
                    // SAFETY: the copies are items of the set's type.
                    unsafe { retain(item, refs) };
                }
            }
            let h = self.h();
            h.fill = n;
            h.len = n;
            self.changed();
            return true;
        }
        // SAFETY: `other`'s items are items of this type; its table does
        // not change while this one does.
        ot.live()
            .all(|i| unsafe { self.add_hashed(ot.item(i), ot.hash(i)) })
    }

    /// A new set with the same items (`s.copy()`, `set(s)`: a merge into
    /// an empty set).
    pub fn copy(&self) -> Option<Set> {
        let c = Set::new(self.desc())?;
        if !c.update(self) {
            c.drop_ref();
            return None;
        }
        Some(c)
    }

    /// `self | other`.
    pub fn union(&self, other: &Set) -> Option<Set> {
        let c = self.copy()?;
        // `s | s` is a copy of `s`, with no merge (its table stays).
        if !self.is(other) && !c.update(other) {
            c.drop_ref();
            return None;
        }
        Some(c)
    }

    /// `self & other`: the items of the smaller set (`other` when sizes
    /// tie) found in the larger, added in the smaller's order.
    pub fn intersection(&self, other: &Set) -> Option<Set> {
        if self.is(other) {
            return self.copy();
        }
        let r = Set::new(self.desc())?;
        let (big, small) = if other.len() > self.len() {
            (other, self)
        } else {
            (self, other)
        };
        let st = small.table();
        for i in st.live() {
            let (item, hash) = (st.item(i), st.hash(i));
            // SAFETY: both sets hold items of one type.
            if unsafe { big.find(item, hash) && !r.add_hashed(item, hash) } {
                r.drop_ref();
                return None;
            }
        }
        Some(r)
    }

    /// `self - other`: a copy of `self` with `other`'s items discarded
    /// when `other` is much smaller, else a new set of `self`'s items not
    /// in `other`, in `self`'s order.
    pub fn difference(&self, other: &Set) -> Option<Set> {
        if self.len() >> 2 > other.len() {
            let c = self.copy()?;
            if !c.difference_update(other) {
                c.drop_ref();
                return None;
            }
            return Some(c);
        }
        let r = Set::new(self.desc())?;
        let t = self.table();
        for i in t.live() {
            let (item, hash) = (t.item(i), t.hash(i));
            // SAFETY: both sets hold items of one type.
            if unsafe { !other.find(item, hash) && !r.add_hashed(item, hash) } {
                r.drop_ref();
                return None;
            }
        }
        Some(r)
    }

    /// `self ^ other`: a copy of `other` updated with `self`'s items.
    pub fn symmetric_difference(&self, other: &Set) -> Option<Set> {
        let c = other.copy()?;
        if !c.symmetric_difference_update(self) {
            c.drop_ref();
            return None;
        }
        Some(c)
    }

    /// `self &= other`: the intersection, which then becomes this set's
    /// table (CPython swaps the two sets' bodies; the finger stays).
    pub fn intersection_update(&self, other: &Set) -> bool {
        let Some(r) = self.intersection(other) else {
            return false;
        };
        self.take_table(&r);
        r.drop_ref();
        true
    }

    /// This set's table and `other`'s swapped (CPython's swap of bodies,
    /// the finger staying): `intersection_update` with an iterable that is
    /// not a set builds its result in `other` and takes it so.
    pub fn take_table(&self, other: &Set) {
        let (h, rh) = (self.h(), other.h());
        std::mem::swap(&mut h.len, &mut rh.len);
        std::mem::swap(&mut h.fill, &mut rh.fill);
        std::mem::swap(&mut h.mask, &mut rh.mask);
        std::mem::swap(&mut h.table, &mut rh.table);
        self.changed();
        other.changed();
    }

    /// `self -= other`: discards `other`'s items, then rebuilds the table
    /// if more than a quarter of it is dummies; false when memory runs out
    /// for that.
    pub fn difference_update(&self, other: &Set) -> bool {
        if self.is(other) {
            self.clear();
            return true;
        }
        let (t, ot) = (self.table(), other.table());
        // SAFETY: both sets hold items of one type; a discard leaves the
        // table where it is.
        unsafe {
            if other.len() >> 3 > self.len() {
                // CPython discards the intersection instead, walking the
                // smaller set: the same entries become dummies.
                for i in t.live() {
                    if other.find(t.item(i), t.hash(i)) {
                        self.kill(i);
                    }
                }
            } else {
                for i in ot.live() {
                    if let Lookup::Found(j) = self.lookup(ot.item(i), ot.hash(i)) {
                        self.kill(j);
                    }
                }
            }
        }
        let h = self.hr();
        (h.fill - h.len) as usize <= t.mask / 4 || self.resize(grown(h.len as usize))
    }

    /// `self ^= other`: each item of `other`, in its order, is discarded
    /// when present and added when not.
    pub fn symmetric_difference_update(&self, other: &Set) -> bool {
        if self.is(other) {
            self.clear();
            return true;
        }
        let ot = other.table();
        // SAFETY: both sets hold items of one type.
        ot.live().all(|i| unsafe {
            let (item, hash) = (ot.item(i), ot.hash(i));
            match self.lookup(item, hash) {
                Lookup::Found(j) => {
                    self.kill(j);
                    true
                }
                at => self.insert(at, item, hash),
            }
        })
    }

    /// `self <= other`.
    pub fn is_subset(&self, other: &Set) -> bool {
        let t = self.table();
        // SAFETY: both sets hold items of one type.
        self.len() <= other.len()
            && t.live()
                .all(|i| unsafe { other.find(t.item(i), t.hash(i)) })
    }

    /// `self.isdisjoint(other)`.
    pub fn is_disjoint(&self, other: &Set) -> bool {
        if self.is(other) {
            return self.is_empty();
        }
        let (big, small) = if other.len() > self.len() {
            (other, self)
        } else {
            (self, other)
        };
        let st = small.table();
        // SAFETY: both sets hold items of one type.
        !st.live()
            .any(|i| unsafe { big.find(st.item(i), st.hash(i)) })
    }

    /// The item at position `pos` of the iteration order (None past the
    /// end). From the cursor when `pos` is not before it, so a loop that
    /// reads positions in increasing order walks the table once.
    pub fn entry(&self, pos: usize) -> Option<*mut u8> {
        if pos >= self.len() {
            return None;
        }
        let cursor = &self.hr().cursor;
        let c = cursor.load(Ordering::Relaxed);
        let (mut seen, mut i) = match ((c >> 32) as usize, (c & 0xffff_ffff) as usize) {
            (p, i) if p <= pos => (p, i),
            _ => (0, 0),
        };
        let t = self.table();
        // Item `seen` is the first live entry from `i` on, and there are
        // more than `pos` items: the walk ends inside the table.
        loop {
            if t.state(i) == LIVE {
                if seen == pos {
                    break;
                }
                seen += 1;
            }
            i += 1;
        }
        if pos < 1 << 32 && i < 1 << 32 {
            cursor.store((pos as u64) << 32 | i as u64, Ordering::Relaxed);
        }
        Some(t.item(i))
    }

    /// Copies the item at `src` to `out`, with new references.
    ///
    /// # Safety
    /// `src` holds an item of the set's type; `out` has room for one.
    pub unsafe fn copy_item(&self, src: *const u8, out: *mut u8) {
        let kt = &self.layout().item;
        std::ptr::copy_nonoverlapping(src, out, kt.size);
        retain(src, &kt.refs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrayfns::Complex;
    use crate::str::Str;
    use oxjit_abi::desc::tag;

    // Every expected order below is what `python3` (CPython 3.11.7)
    // prints for the same steps, e.g. `s = set(); [s.add(x) for x in
    // (3, 1, 2)]; print(list(s))`.

    fn new_set(item: &[u64]) -> Set {
        let words = [&[tag::SET][..], item].concat();
        Set::new(Desc::new(&words)).unwrap()
    }

    const I64: [u64; 2] = [tag::SCALAR, b'q' as u64];

    /// A set of `values` added in order.
    fn of<T: Copy>(item: &[u64], values: &[T]) -> Set {
        let s = new_set(item);
        for v in values {
            assert!(unsafe { s.add((v as *const T).cast()) });
        }
        s
    }

    fn ints(values: &[i64]) -> Set {
        of(&I64, values)
    }

    /// The items, read as `T`, in iteration order.
    fn items<T: Copy>(s: &Set) -> Vec<T> {
        s.iter()
            .map(|p| unsafe { p.cast::<T>().read_unaligned() })
            .collect()
    }

    fn discard(s: &Set, v: i64) -> bool {
        unsafe { s.discard((&v as *const i64).cast()) }
    }

    fn add(s: &Set, v: i64) {
        assert!(unsafe { s.add((&v as *const i64).cast()) });
    }

    fn pop(s: &Set) -> i64 {
        let mut out = 0i64;
        assert!(unsafe { s.pop((&mut out as *mut i64).cast()) });
        out
    }

    fn free(sets: &[Set]) {
        for s in sets {
            s.drop_ref();
        }
    }

    #[test]
    fn adds_and_collisions_iterate_as_python() {
        let m = (1i64 << 61) - 1;
        let cases: [(Vec<i64>, Vec<i64>); 4] = [
            (vec![3, 1, 2], vec![1, 2, 3]),
            (
                (0..12).map(|k| k * 8).collect(),
                vec![0, 32, 64, 8, 40, 72, 16, 48, 80, 24, 56, 88],
            ),
            (
                vec![m, 2 * m, 3, m + 1, 1, -m, 3 * m, -2 * m],
                vec![
                    2305843009213693951,
                    4611686018427387902,
                    2305843009213693952,
                    3,
                    1,
                    -2305843009213693951,
                    6917529027641081853,
                    -4611686018427387902,
                ],
            ),
            (
                vec![-1, -2, -3, 7, -8, 16, 100, -100, 5],
                vec![100, 5, 7, 16, -2, -8, -100, -3, -1],
            ),
        ];
        for (adds, want) in cases {
            let s = ints(&adds);
            assert_eq!(items::<i64>(&s), want, "{adds:?}");
            assert_eq!(s.len(), want.len());
            free(&[s]);
        }
    }

    #[test]
    fn discards_leave_dummies_that_adds_reuse() {
        let s = ints(&(0..100).collect::<Vec<_>>());
        for k in (0..100).step_by(2) {
            assert!(discard(&s, k));
        }
        assert!(!discard(&s, 0));
        let odd: Vec<i64> = (1..100).step_by(2).collect();
        assert_eq!(items::<i64>(&s), odd);
        for v in [1000, 2, -4] {
            add(&s, v);
        }
        let mut want: Vec<i64> = (1..64).step_by(2).collect();
        want.push(2);
        want.extend((65..100).step_by(2));
        want.extend([1000, -4]);
        assert_eq!(items::<i64>(&s), want);
        free(&[s]);
    }

    /// `a` and `b` of the operation tests: overlapping, of different sizes.
    fn a_and_b() -> (Set, Set) {
        let a: Vec<i64> = (0..30).map(|k| (k * 37) % 101 - 20).collect();
        let b: Vec<i64> = (0..12).map(|k| (k * 11) % 53 - 10).collect();
        (ints(&a), ints(&b))
    }

    #[test]
    fn operators_build_the_tables_python_does() {
        let (a, b) = a_and_b();
        let union = [
            0, 1, 3, 5, 6, 10, 12, 13, 14, 17, 20, 23, 25, 27, 30, 33, 34, 36, 37, 40, 43, 47, 50,
            54, 57, 60, 64, 67, 70, 74, 77, -20, -17, -14, -10, -8, -7, -6, -4,
        ];
        let xor = [
            0, 1, 5, 6, 10, 12, 13, 14, 17, 20, 25, 27, 30, 33, 34, 36, 37, 40, 43, 47, 50, 54, 57,
            60, 64, 67, 70, 74, 77, -20, -17, -14, -8, -7, -6, -4,
        ];
        let cases: [(Option<Set>, &[i64]); 8] = [
            (a.union(&b), &union),
            (b.union(&a), &union),
            (a.intersection(&b), &[3, -10, 23]),
            (b.intersection(&a), &[3, -10, 23]),
            (
                a.difference(&b),
                &[
                    0, 6, 10, 13, 17, 20, 27, 30, 33, 37, 40, 43, 47, 50, 54, 57, 60, 64, 67, 70,
                    74, 77, -20, -17, -14, -7, -4,
                ],
            ),
            (b.difference(&a), &[1, 34, 36, 5, 12, 14, -8, 25, -6]),
            (a.symmetric_difference(&b), &xor),
            (b.symmetric_difference(&a), &xor),
        ];
        for (k, (r, want)) in cases.into_iter().enumerate() {
            let r = r.unwrap();
            assert_eq!(items::<i64>(&r), want, "case {k}");
            free(&[r]);
        }
        // A much bigger set minus a small one: a copy, then discards.
        let big = ints(&(-40..41).map(|k| k * k - 500).collect::<Vec<_>>());
        let small = ints(&[-500, 16 - 500, 7, 1000, 81 - 500]);
        let d = big.difference(&small).unwrap();
        assert_eq!(
            items::<i64>(&d),
            [
                -379, 524, -244, -499, 656, 400, 1021, -496, -491, 284, 29, 796, -100, -356, -475,
                -211, 944, 176, -464, -331, -451, -59, 1100, 589, 461, 76, -176, -304, -436, 725,
                341, 869, 229, -275, -16, -400, -139, 125
            ]
        );
        let i = big.intersection(&small).unwrap();
        let j = small.intersection(&big).unwrap();
        assert_eq!(
            (items::<i64>(&i), items::<i64>(&j)),
            (vec![-419, -500, -484], vec![-419, -500, -484])
        );
        // A set with itself.
        let s = ints(&(0..10).collect::<Vec<_>>());
        let selfs = [
            s.union(&s),
            s.symmetric_difference(&s),
            s.difference(&s),
            s.intersection(&s),
        ];
        let got: Vec<Vec<i64>> = selfs.iter().map(|r| items(r.as_ref().unwrap())).collect();
        let ten: Vec<i64> = (0..10).collect();
        assert_eq!(got, [ten.clone(), vec![], vec![], ten]);
        free(&selfs.map(Option::unwrap));
        free(&[a, b, big, small, d, i, j, s]);
    }

    #[test]
    fn in_place_operators_match_python() {
        // On a copy of `a` (`x = a.copy(); x -= b`): a table of 64
        // entries, where `a`'s has 128.
        let run = |f: &dyn Fn(&Set, &Set) -> bool| {
            let (a, b) = a_and_b();
            let x = a.copy().unwrap();
            assert!(f(&x, &b));
            let got = items::<i64>(&x);
            free(&[a, b, x]);
            got
        };
        assert_eq!(
            run(&|a, b| a.update(b)),
            [
                0, 1, 3, 5, 6, 10, 12, 13, 14, 17, 20, 23, 25, 27, 30, 33, 34, 36, 37, 40, 43, 47,
                50, 54, 57, 60, 64, 67, 70, 74, 77, -20, -17, -14, -10, -8, -7, -6, -4
            ]
        );
        assert_eq!(run(&|a, b| a.intersection_update(b)), [3, -10, 23]);
        assert_eq!(
            run(&|a, b| a.difference_update(b)),
            [
                0, 64, 67, 6, 70, 10, 74, 13, 77, 17, 20, 27, -7, 30, 33, 37, 40, 43, -20, -4, 47,
                -17, 50, -14, 54, 57, 60
            ]
        );
        assert_eq!(
            run(&|a, b| a.symmetric_difference_update(b)),
            [
                0, 1, 5, 6, 10, 12, 13, 14, 17, 20, 25, 27, 30, 33, 34, 36, 37, 40, 43, 47, 50, 54,
                57, 60, 64, 67, 70, 74, 77, -20, -17, -14, -8, -7, -6, -4
            ]
        );
        // Many dummies: rebuilt smaller.
        let x = ints(&(0..200).step_by(3).collect::<Vec<_>>());
        let y = ints(&(0..150).collect::<Vec<_>>());
        assert!(x.difference_update(&y));
        assert_eq!(items::<i64>(&x), (150..200).step_by(3).collect::<Vec<_>>());
        // The other set more than 8 times larger.
        let mut v: Vec<i64> = (0..10).map(|k| k * 64).collect();
        v.extend([1, 2, 3]);
        let z = ints(&v);
        let w = ints(&(0..20000).step_by(64).collect::<Vec<_>>());
        assert!(z.difference_update(&w));
        assert_eq!(items::<i64>(&z), [1, 2, 3]);
        let x2 = ints(&(0..200).step_by(3).collect::<Vec<_>>());
        let y2 = ints(&(0..100).collect::<Vec<_>>());
        assert!(x2.symmetric_difference_update(&y2));
        let mut want: Vec<i64> = (0..100).filter(|k| k % 3 != 0).collect();
        want.extend((102..200).step_by(3));
        assert_eq!(items::<i64>(&x2), want);
        // `s &= s` is a copy of `s` swapped in.
        let s = ints(&[5, 13, 21, 29]);
        assert!(s.intersection_update(&s));
        assert_eq!(items::<i64>(&s), [29, 13, 21, 5]);
        free(&[x, y, z, w, x2, y2, s]);
    }

    #[test]
    fn pop_follows_the_finger_through_clear_and_swaps() {
        let s = ints(&(0..20).map(|k| k * 8 - 3).collect::<Vec<_>>());
        let popped: Vec<i64> = (0..7).map(|_| pop(&s)).collect();
        assert_eq!(popped, [5, 133, 13, 141, 21, 149, 29]);
        for v in [-3, 1000, 3] {
            add(&s, v);
        }
        let popped: Vec<i64> = (0..5).map(|_| pop(&s)).collect();
        assert_eq!(popped, [37, 45, 53, 61, 69]);
        assert_eq!(
            items::<i64>(&s),
            [3, 77, 85, 93, 101, 1000, 109, 117, 125, -3]
        );
        // The finger survives `clear`.
        let t = ints(&(0..6).collect::<Vec<_>>());
        pop(&t);
        pop(&t);
        t.clear();
        assert!(t.is_empty());
        for v in 0..6 {
            add(&t, v);
        }
        assert_eq!((0..3).map(|_| pop(&t)).collect::<Vec<_>>(), [2, 3, 4]);
        // And `&=`.
        let u = ints(&(0..20).collect::<Vec<_>>());
        (0..5).for_each(|_| {
            pop(&u);
        });
        let evens = ints(&(0..20).step_by(2).collect::<Vec<_>>());
        assert!(u.intersection_update(&evens));
        assert_eq!((0..3).map(|_| pop(&u)).collect::<Vec<_>>(), [6, 8, 10]);
        let mut out = 0i64;
        assert!(!unsafe { ints(&[]).pop((&mut out as *mut i64).cast()) });
        free(&[s, t, u, evens]);
    }

    /// Python's `sum((i + 1) * v for i, v in enumerate(s)) % 2**64`.
    fn checksum(s: &Set) -> u64 {
        items::<i64>(s)
            .iter()
            .enumerate()
            .fold(0i64, |acc, (i, &v)| {
                acc.wrapping_add((i as i64 + 1).wrapping_mul(v))
            }) as u64
    }

    #[test]
    fn growth_past_50000_doubles_as_python() {
        let value = |i: i64| (i * 7919) % 1000003 - 500000;
        let s = ints(&(0..60000).map(value).collect::<Vec<_>>());
        let got = items::<i64>(&s);
        assert_eq!(
            (got.len(), &got[..5], &got[got.len() - 5..], checksum(&s)),
            (
                60000,
                &[-262143, 393218, -262140, 393221, -131065][..],
                &[-393224, 262137, -393221, 262140, 393215][..],
                4853245936749
            )
        );
        for i in (0..60000).step_by(3) {
            assert!(discard(&s, value(i)));
        }
        add(&s, 12345678);
        let got = items::<i64>(&s);
        assert_eq!(
            (got.len(), &got[..5], checksum(&s)),
            (
                40001,
                &[393218, -262140, 393221, -131062, -131059][..],
                2228433273494
            )
        );
        free(&[s]);
    }

    #[test]
    fn floats_complex_numbers_bools_and_tuples_iterate_as_python() {
        let f = of(
            &[tag::SCALAR, b'd' as u64],
            &[
                0.5,
                -2.5,
                1.0 / 3.0,
                1e300,
                2.0,
                f64::INFINITY,
                -0.0,
                0.0,
                1.0,
                -1.0,
                f64::NEG_INFINITY,
                123.25,
                1e-300,
                2f64.powi(61),
            ],
        );
        let got = items::<f64>(&f);
        let want = [
            0.5,
            1.0 / 3.0,
            2.0,
            -0.0,
            1.0,
            2f64.powi(61),
            f64::INFINITY,
            1e-300,
            f64::NEG_INFINITY,
            -1.0,
            123.25,
            1e300,
            -2.5,
        ];
        assert_eq!(got, want);
        // `-0.0` came first and stays (equal to 0.0).
        assert!(got[3].is_sign_negative());
        let g = of(
            &[tag::SCALAR, b'f' as u64],
            &[0.1f32, 2.5, -3.0, 1e10, 7.0, 0.2, -0.75, 16.0],
        );
        assert_eq!(
            items::<f32>(&g),
            [0.1, 1e10, 2.5, 0.2, -0.75, 7.0, 16.0, -3.0]
        );
        let c = |re, im| Complex { re, im };
        let z = of(
            &[tag::SCALAR, b'D' as u64],
            &[
                c(1.0, 2.0),
                c(0.0, -1.0),
                c(0.5, 0.5),
                c(-1.0, 0.0),
                c(3.0, 0.0),
            ],
        );
        let want = [
            c(0.5, 0.5),
            c(3.0, 0.0),
            c(1.0, 2.0),
            c(0.0, -1.0),
            c(-1.0, 0.0),
        ];
        assert_eq!(items::<Complex<f64>>(&z), want);
        let b = of(&[tag::SCALAR, b'?' as u64], &[1u8, 0, 1]);
        assert_eq!(items::<u8>(&b), [0, 1]);

        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq)]
        struct Pair<T>(i64, T);
        let pair = |t: u8| {
            [
                tag::TUPLE,
                2,
                tag::SCALAR,
                b'q' as u64,
                tag::SCALAR,
                t as u64,
            ]
        };
        let t = of(
            &pair(b'd'),
            &[
                Pair(1, 2.5),
                Pair(-1, 0.0),
                Pair(3, -4.5),
                Pair(0, 0.0),
                Pair(2, 1e300),
                Pair(1, 2.5),
                Pair(-1, -0.0),
            ],
        );
        assert_eq!(
            items::<Pair<f64>>(&t),
            [
                Pair(1, 2.5),
                Pair(0, 0.0),
                Pair(-1, 0.0),
                Pair(2, 1e300),
                Pair(3, -4.5)
            ]
        );
        let u = of(
            &pair(b'q'),
            &(0..20).map(|i| Pair(i, -i)).collect::<Vec<_>>(),
        );
        let order = [
            5, 13, 12, 3, 19, 4, 10, 11, 2, 18, 17, 8, 9, 15, 0, 16, 1, 6, 7, 14,
        ];
        assert_eq!(items::<Pair<i64>>(&u), order.map(|i| Pair(i, -i)));
        free(&[f, g, z, b, t, u]);
    }

    #[test]
    fn comparisons() {
        let (a, b) = a_and_b();
        let i = a.intersection(&b).unwrap();
        let e = ints(&[]);
        assert!(i.is_subset(&a) && i.is_subset(&b) && !a.is_subset(&b) && e.is_subset(&e));
        assert!(!a.is_disjoint(&b) && e.is_disjoint(&e) && !a.is_disjoint(&a));
        let d = a.difference(&b).unwrap();
        assert!(d.is_disjoint(&b) && b.is_disjoint(&d));
        free(&[a, b, i, e, d]);
    }

    #[test]
    fn entries_by_position_use_the_cursor() {
        let s = ints(&(0..100).map(|k| k * 7 - 300).collect::<Vec<_>>());
        let all = items::<i64>(&s);
        let at = |p: usize| s.entry(p).map(|q| unsafe { q.cast::<i64>().read() });
        let forward: Vec<i64> = (0..all.len()).map(|p| at(p).unwrap()).collect();
        assert_eq!(forward, all);
        // Backwards, skipping, and after a change.
        assert_eq!(
            (at(50), at(3), at(99), at(100)),
            (Some(all[50]), Some(all[3]), Some(all[99]), None)
        );
        assert!(discard(&s, all[0]));
        assert_eq!(at(0), Some(all[1]));
        assert_eq!(at(98), Some(all[99]));
        free(&[s]);
    }

    /// A meminfo's reference count (its first word).
    fn refcount(mi: *mut MemInfo) -> usize {
        unsafe { mi.cast::<usize>().read() }
    }

    #[test]
    fn str_items_are_found_by_text_and_released() {
        let texts: Vec<Str> = (0..50)
            .map(|i| Str::new(&format!("wörd{i}")).unwrap())
            .collect();
        let s = of(&[tag::STR], &texts);
        let t = s.copy().unwrap();
        let at = |x: &Str| (x as *const Str).cast::<u8>();
        unsafe {
            // The same text in another string.
            let probe = Str::new("wörd21").unwrap();
            assert!(s.contains(at(&probe)) && s.len() == 50);
            assert!(!s.add(at(&probe)) || s.len() == 50);
            assert_eq!(refcount(probe.meminfo()), 1);
            assert_eq!(refcount(texts[21].meminfo()), 3);
            assert!(s.discard(at(&probe)));
            assert_eq!(refcount(texts[21].meminfo()), 2);
            let mut out: *mut MemInfo = std::ptr::null_mut();
            assert!(s.pop((&mut out as *mut *mut MemInfo).cast()));
            // Popped with its reference.
            assert_eq!(refcount(out), 3);
            oxjit_rt_meminfo_decref(out);
            let u = s.symmetric_difference(&t).unwrap();
            assert_eq!(u.len(), 2);
            oxjit_rt_meminfo_decref(probe.meminfo());
            free(&[s, t, u]);
        }
        for x in texts {
            assert_eq!(refcount(x.meminfo()), 1);
            unsafe { oxjit_rt_meminfo_decref(x.meminfo()) };
        }
    }
}

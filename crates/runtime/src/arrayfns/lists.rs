//! The list operations that change a list's length or look at every item
//! (`RuntimeFn::List*`): building, `append`/`insert`/`pop`/`extend`,
//! copies, concatenation, slices, searches and sorting. Items move in
//! their memory form; their references follow the rules of
//! [`crate::list`]. Searches compare items with Python's `==`: numeric
//! equality (any int, float or bool type against any other), strs by
//! text, tuples item by item.

use std::ptr;

use oxjit_abi::desc::{Desc, Kind};

use super::format::{repr_of, value_at};
use super::keys::{leaves, wide, words};
use super::strs::str_at;
use super::{raise, slice_indices, with_dtype, wrap, Args, Elem, Result, Wide};
use crate::list::List;
use crate::memory::MemInfo;

fn no_memory() -> super::Raise {
    raise("MemoryError", "cannot allocate a list")
}

/// The list argument `i`.
unsafe fn list_arg(args: &Args, i: usize) -> List {
    List::from_meminfo(args_ptr(args, i).cast::<*mut MemInfo>().read_unaligned())
}

unsafe fn args_ptr(args: &Args, i: usize) -> *const u8 {
    args.value(i)
}

/// A new list of the result type `out_type` with room for `cap` items.
unsafe fn new_list(out_type: Desc, cap: usize) -> Result<List> {
    let item = out_type.list_item().expect("a list result");
    List::new(item.words().as_ptr(), cap).ok_or_else(no_memory)
}

unsafe fn write_list(out: *mut u8, l: List) {
    out.cast::<*mut MemInfo>().write_unaligned(l.meminfo());
}

/// `(items, typed)` a tuple of items of the list's item type, an `int64`
/// 0/1 → a list of them (a list literal; `typed`: an `oxjit.typed.List`).
pub(crate) unsafe fn new(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    let items = args.ty(0);
    let l = new_list(out_type, items.items().len())?;
    if args.scalar::<i64>(1)? != 0 {
        l.mark_typed();
    }
    for off in items.repr().field_offsets() {
        l.push(args_ptr(args, 0).add(off));
    }
    write_list(out, l);
    Ok(())
}

/// `(l, x)` → `none`.
pub(crate) unsafe fn append(_: *mut u8, args: &Args, _: Desc) -> Result {
    let l = list_arg(args, 0);
    if l.push(args_ptr(args, 1)) {
        Ok(())
    } else {
        Err(no_memory())
    }
}

/// `(l, i, x)` → `none`: Python clamps the position into the list.
pub(crate) unsafe fn insert(_: *mut u8, args: &Args, _: Desc) -> Result {
    let l = list_arg(args, 0);
    let i = wrap(args.scalar::<i64>(1)?, l.len()).clamp(0, l.len() as i64) as usize;
    if l.insert(i, args_ptr(args, 2)) {
        Ok(())
    } else {
        Err(no_memory())
    }
}

/// `(l, i)` → the item removed from position `i`.
pub(crate) unsafe fn pop(out: *mut u8, args: &Args, _: Desc) -> Result {
    let l = list_arg(args, 0);
    if l.is_empty() {
        return Err(raise("IndexError", "pop from empty list"));
    }
    let i = wrap(args.scalar::<i64>(1)?, l.len());
    if i < 0 || i >= l.len() as i64 {
        return Err(raise("IndexError", "pop index out of range"));
    }
    l.take(i as usize, out);
    Ok(())
}

/// `(l, i)` `int64` → `none`: `del l[i]` (`IndexError` as Python's).
pub(crate) unsafe fn del_item(_: *mut u8, args: &Args, _: Desc) -> Result {
    let l = list_arg(args, 0);
    let i = wrap(args.scalar::<i64>(1)?, l.len());
    if i < 0 || i >= l.len() as i64 {
        return Err(raise("IndexError", "list assignment index out of range"));
    }
    drop_item(l, i as usize);
    Ok(())
}

/// Removes item `i`, releasing it.
unsafe fn drop_item(l: List, i: usize) {
    let mut buf = vec![0u8; l.itemsize()];
    l.take(i, buf.as_mut_ptr());
    crate::list::release(buf.as_ptr(), &l.refs());
}

/// `(l, other)` → `none`: appends a copy of every item of `other` (which
/// may be `l` itself).
pub(crate) unsafe fn extend(_: *mut u8, args: &Args, _: Desc) -> Result {
    let (l, other) = (list_arg(args, 0), list_arg(args, 1));
    let n = other.len();
    if !l.reserve(n) {
        return Err(no_memory());
    }
    for i in 0..n {
        l.push(other.at(i));
    }
    Ok(())
}

/// `(l)` → `none`.
pub(crate) unsafe fn clear(_: *mut u8, args: &Args, _: Desc) -> Result {
    list_arg(args, 0).clear();
    Ok(())
}

/// `(l)` → `none`.
pub(crate) unsafe fn reverse(_: *mut u8, args: &Args, _: Desc) -> Result {
    list_arg(args, 0).reverse();
    Ok(())
}

/// Appends `count` items of `src` (from `start`, every `step`) to `dst`.
unsafe fn copy_items(dst: List, src: List, start: i64, step: i64, count: usize) -> Result {
    if dst.extend_from(src, start as usize, step as isize, count) {
        Ok(())
    } else {
        Err(no_memory())
    }
}

/// `(a, b)` → a new list of `a`'s items then `b`'s (`a + b`).
pub(crate) unsafe fn concat(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    let parts = [list_arg(args, 0), list_arg(args, 1)];
    let l = new_list(out_type, parts.iter().map(List::len).sum())?;
    for p in parts {
        copy_items(l, p, 0, 1, p.len())?;
    }
    write_list(out, l);
    Ok(())
}

/// `(l, n)` → `l * n` (empty for `n <= 0`).
pub(crate) unsafe fn repeat(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    let src = list_arg(args, 0);
    let n = args.scalar::<i64>(1)?.max(0) as usize;
    let total = src.len().checked_mul(n).ok_or_else(no_memory)?;
    let l = new_list(out_type, total)?;
    if total > 0 {
        // One copy of the items, then the list doubled into itself.
        copy_items(l, src, 0, 1, src.len())?;
        while l.len() < total {
            copy_items(l, l, 0, 1, l.len().min(total - l.len()))?;
        }
    }
    write_list(out, l);
    Ok(())
}

/// `(l, start, stop, step)` → `l[start:stop:step]`, `int64` bounds with
/// `i64::MIN` for an absent one.
pub(crate) unsafe fn slice(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    let src = list_arg(args, 0);
    let (start, step, count) =
        slice_indices(src.len(), args.scalar(1)?, args.scalar(2)?, args.scalar(3)?)?;
    let l = new_list(out_type, count)?;
    copy_items(l, src, start, step, count)?;
    write_list(out, l);
    Ok(())
}

/// `(l, start, stop, step, items)` items a list of `l`'s type or `none`
/// → `none`: `l[start:stop:step] = items` by Python's rules (a slice of
/// step 1 takes any number of items, an extended slice exactly as many as
/// it selects), `del l[start:stop:step]` for `none`; `items` may be `l`
/// itself, so its items are copied out first.
pub(crate) unsafe fn set_slice(_: *mut u8, args: &Args, _: Desc) -> Result {
    let l = list_arg(args, 0);
    let (start, step, count) =
        slice_indices(l.len(), args.scalar(1)?, args.scalar(2)?, args.scalar(3)?)?;
    if args.ty(4).kind() == oxjit_abi::desc::Kind::None {
        // From the last selected position down, so the others stay put.
        let mut at: Vec<usize> = (0..count)
            .map(|k| (start + k as i64 * step) as usize)
            .collect();
        at.sort_unstable();
        at.into_iter().rev().for_each(|i| drop_item(l, i));
        return Ok(());
    }
    let src = list_arg(args, 4);
    let (n, size) = (src.len(), l.itemsize());
    if step != 1 && n != count {
        return Err(raise(
            "ValueError",
            format!("attempt to assign sequence of size {n} to extended slice of size {count}"),
        ));
    }
    // The new items, with references of their own.
    let mut items = vec![0u8; n * size];
    if n > 0 {
        std::ptr::copy_nonoverlapping(src.at(0), items.as_mut_ptr(), n * size);
        (0..n).for_each(|i| src.retain_item(i));
    }
    let item = |k: usize| items.as_ptr().add(k * size);
    if step == 1 {
        let at = start.max(0) as usize;
        if !l.splice_owned(at, count, item(0), n) {
            let refs = l.refs();
            (0..n).for_each(|k| crate::list::release(item(k), &refs));
            return Err(no_memory());
        }
        return Ok(());
    }
    for k in 0..n {
        l.put_owned((start + k as i64 * step) as usize, item(k));
    }
    Ok(())
}

/// Python's `==` between numbers: exact between integers (of any width
/// and sign), as floats or complex numbers otherwise.
fn wide_eq(a: Wide, b: Wide) -> bool {
    let int = |w: Wide| match w {
        Wide::Bool(b) => Some(b as i128),
        Wide::Int(v) => Some(v as i128),
        Wide::UInt(v) => Some(v as i128),
        _ => None,
    };
    let complex = |w: Wide| match w {
        Wide::Complex(re, im) => (re, im),
        Wide::Float(v) => (v, 0.0),
        other => (int(other).unwrap_or(0) as f64, 0.0),
    };
    match (int(a), int(b)) {
        (Some(x), Some(y)) => x == y,
        _ => complex(a) == complex(b),
    }
}

/// Python's `==` between two values in memory form (numbers, strs,
/// tuples of them, lists of them); other kinds are never equal.
pub(crate) unsafe fn equal(pa: *const u8, ta: Desc, pb: *const u8, tb: Desc) -> Result<bool> {
    Ok(match (ta.kind(), tb.kind()) {
        (Kind::Scalar, Kind::Scalar) => wide_eq(wide(pa, ta.dtype())?, wide(pb, tb.dtype())?),
        (Kind::Tuple, Kind::Tuple) => {
            let (ia, ib) = (ta.items(), tb.items());
            if ia.len() != ib.len() {
                return Ok(false);
            }
            let (oa, ob) = (ta.repr().field_offsets(), tb.repr().field_offsets());
            for k in 0..ia.len() {
                if !equal(pa.add(oa[k]), ia[k], pb.add(ob[k]), ib[k])? {
                    return Ok(false);
                }
            }
            true
        }
        (Kind::List, Kind::List) => {
            let a = List::from_meminfo(pa.cast::<*mut MemInfo>().read_unaligned());
            let b = List::from_meminfo(pb.cast::<*mut MemInfo>().read_unaligned());
            if a.len() != b.len() {
                return Ok(false);
            }
            let (ia, ib) = (a.item_type(), b.item_type());
            for k in 0..a.len() {
                if !equal(a.at(k), ia, b.at(k), ib)? {
                    return Ok(false);
                }
            }
            true
        }
        (Kind::Str, Kind::Str) => {
            let (a, b) = (str_at(pa), str_at(pb));
            a.meminfo() == b.meminfo() || a.as_str() == b.as_str()
        }
        (Kind::None, Kind::None) => true,
        _ => false,
    })
}

/// The first position in `start..stop` of `l` holding a value equal to
/// the one at `x` (of type `tx`).
unsafe fn find(
    l: List,
    x: *const u8,
    tx: Desc,
    start: usize,
    stop: usize,
) -> Result<Option<usize>> {
    let item = l.item_type();
    for i in start..stop.min(l.len()) {
        if equal(l.at(i), item, x, tx)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// Python's `repr` of a number, str or tuple, for messages.
unsafe fn show(p: *const u8, t: Desc) -> String {
    match t.kind() {
        Kind::Tuple => {
            let offs = t.repr().field_offsets();
            let items: Vec<String> = t
                .items()
                .iter()
                .zip(offs)
                .map(|(it, o)| show(p.add(o), *it))
                .collect();
            if items.len() == 1 {
                format!("({},)", items[0])
            } else {
                format!("({})", items.join(", "))
            }
        }
        _ => value_at(p, t)
            .and_then(|v| repr_of(&v, false))
            .unwrap_or_else(|_| "the value".into()),
    }
}

/// `(l, x)` → `bool`: `x in l`.
pub(crate) unsafe fn contains(out: *mut u8, args: &Args, _: Desc) -> Result {
    let l = list_arg(args, 0);
    let found = find(l, args_ptr(args, 1), args.ty(1), 0, l.len())?.is_some();
    out.write(found as u8);
    Ok(())
}

/// `(l, x, start, stop)` → `int64`: `l.index(x, start, stop)` (bounds
/// as in slices, `i64::MIN` when absent); `ValueError` when not found.
pub(crate) unsafe fn index(out: *mut u8, args: &Args, _: Desc) -> Result {
    let l = list_arg(args, 0);
    let len = l.len();
    let bound = |v: i64, absent: usize| {
        if v == i64::MIN {
            absent
        } else {
            wrap(v, len).clamp(0, len as i64) as usize
        }
    };
    let (start, stop) = (bound(args.scalar(2)?, 0), bound(args.scalar(3)?, len));
    let (x, tx) = (args_ptr(args, 1), args.ty(1));
    match find(l, x, tx, start, stop)? {
        Some(i) => {
            out.cast::<i64>().write_unaligned(i as i64);
            Ok(())
        }
        None => Err(raise(
            "ValueError",
            format!("{} is not in list", show(x, tx)),
        )),
    }
}

/// `(l, x)` → `int64`: `l.count(x)`.
pub(crate) unsafe fn count(out: *mut u8, args: &Args, _: Desc) -> Result {
    let l = list_arg(args, 0);
    let (x, tx, item) = (args_ptr(args, 1), args.ty(1), l.item_type());
    let mut n = 0i64;
    for i in 0..l.len() {
        n += equal(l.at(i), item, x, tx)? as i64;
    }
    out.cast::<i64>().write_unaligned(n);
    Ok(())
}

/// `(l, x)` → `none`: removes the first item equal to `x`.
pub(crate) unsafe fn remove(_: *mut u8, args: &Args, _: Desc) -> Result {
    let l = list_arg(args, 0);
    let Some(i) = find(l, args_ptr(args, 1), args.ty(1), 0, l.len())? else {
        return Err(raise("ValueError", "list.remove(x): x not in list"));
    };
    // Moved out, then its references released with it.
    let mut item = vec![0u8; l.itemsize()];
    l.take(i, item.as_mut_ptr());
    crate::list::release(item.as_ptr(), &l.refs());
    Ok(())
}

/// Sorts a list of numbers of type `T` in place.
unsafe fn sort_numbers<T: Elem>(l: List, reverse: bool) {
    let items = std::slice::from_raw_parts_mut(l.at(0).cast::<T>(), l.len());
    if reverse {
        items.sort_by(|a, b| b.sort_cmp(a));
    } else {
        items.sort_by(|a, b| a.sort_cmp(b));
    }
}

/// Sorts the positions `perm` stably by their keys, descending when
/// `reverse` (equal keys keep their order either way).
fn sort_positions<K: Ord>(perm: &mut [usize], reverse: bool, key: impl Fn(usize) -> K) {
    perm.sort_by(|&a, &b| {
        let order = key(a).cmp(&key(b));
        if reverse {
            order.reverse()
        } else {
            order
        }
    });
}

/// `(l, reverse)` → `none`: a stable sort in place (`reverse` `bool`;
/// as in Python, equal items keep their order either way). The order is
/// total (numbers with NaN last, strs by code point, tuples
/// lexicographically), so sorting
/// never meets an inconsistent comparison.
pub(crate) unsafe fn sort(_: *mut u8, args: &Args, _: Desc) -> Result {
    let l = list_arg(args, 0);
    let reverse = args.scalar::<i64>(1)? != 0;
    let (n, size, item) = (l.len(), l.itemsize(), l.item_type());
    l.mark_dirty();
    if n < 2 {
        return Ok(());
    }
    if item.kind() == Kind::Scalar {
        return with_dtype!(item.dtype(), T => {
            sort_numbers::<T>(l, reverse);
            Ok(())
        });
    }
    let mut perm: Vec<usize> = (0..n).collect();
    if item.kind() == Kind::Str {
        sort_positions(&mut perm, reverse, |i| str_at(l.at(i)).as_str());
    } else {
        // Each item's words; strs make their number vary.
        let fields = leaves(item);
        let (mut keys, mut ends) = (Vec::with_capacity(n * fields.len()), Vec::with_capacity(n));
        for i in 0..n {
            words(l.at(i), &fields, |w| keys.push(w));
            ends.push(keys.len());
        }
        sort_positions(&mut perm, reverse, |i| {
            &keys[if i == 0 { 0 } else { ends[i - 1] }..ends[i]]
        });
    }
    let old: Vec<u8> = std::slice::from_raw_parts(l.at(0), n * size).to_vec();
    for (k, &from) in perm.iter().enumerate() {
        ptr::copy_nonoverlapping(old.as_ptr().add(from * size), l.at(k), size);
    }
    Ok(())
}

/// `(a, b)` → `bool`: `a == b`.
pub(crate) unsafe fn eq(out: *mut u8, args: &Args, _: Desc) -> Result {
    let same = equal(args_ptr(args, 0), args.ty(0), args_ptr(args, 1), args.ty(1))?;
    out.write(same as u8);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::oxjit_rt_meminfo_decref;
    use crate::str::Str;
    use oxjit_abi::desc::tag;

    static STR: [u64; 1] = [tag::STR];
    static STR_INT: [u64; 5] = [tag::TUPLE, 2, tag::STR, tag::SCALAR, b'q' as u64];

    /// A new list of `items` (memory forms of type `item`).
    unsafe fn list_of(item: &'static [u64], items: &[Vec<u8>]) -> List {
        let l = List::new(item.as_ptr(), 0).unwrap();
        for it in items {
            assert!(l.push(it.as_ptr()));
        }
        l
    }

    fn str_item(t: &str) -> (Str, Vec<u8>) {
        let s = Str::new(t).unwrap();
        (s, (s.meminfo() as usize).to_ne_bytes().to_vec())
    }

    unsafe fn texts(l: List) -> Vec<String> {
        (0..l.len())
            .map(|i| str_at(l.at(i)).as_str().to_string())
            .collect()
    }

    unsafe fn sort_list(l: List, reverse: bool) {
        let (p, r) = (l.meminfo(), reverse as i64);
        let values = [
            (&p as *const *mut MemInfo).cast::<u8>(),
            (&r as *const i64).cast(),
        ];
        let types = [
            [tag::LIST, tag::STR].as_ptr(),
            [tag::SCALAR, b'q' as u64].as_ptr(),
        ];
        sort(
            std::ptr::null_mut(),
            &Args::new(values.as_ptr(), types.as_ptr()),
            Desc::new(&STR),
        )
        .unwrap();
    }

    #[test]
    fn lists_of_strs_sort_search_and_compare_as_python() {
        unsafe {
            let words = ["b", "a\0", "", "é", "ab", "a", "Z", "abcdefgh", "abcdefg"];
            let made: Vec<(Str, Vec<u8>)> = words.iter().map(|w| str_item(w)).collect();
            let l = list_of(&STR, &made.iter().map(|m| m.1.clone()).collect::<Vec<_>>());
            for (s, _) in &made {
                oxjit_rt_meminfo_decref(s.meminfo());
            }
            sort_list(l, false);
            let mut want: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            want.sort();
            assert_eq!(texts(l), want);
            sort_list(l, true);
            want.reverse();
            assert_eq!(texts(l), want);
            // Another string of the same text is found and equal.
            let (probe, bytes) = str_item("ab");
            assert_eq!(
                find(l, bytes.as_ptr(), Desc::new(&STR), 0, l.len()).unwrap(),
                Some(4)
            );
            assert_eq!(show(bytes.as_ptr(), Desc::new(&STR)), "'ab'");
            let (other, other_bytes) = str_item("it's");
            assert!(find(l, other_bytes.as_ptr(), Desc::new(&STR), 0, l.len())
                .unwrap()
                .is_none());
            assert_eq!(show(other_bytes.as_ptr(), Desc::new(&STR)), "\"it's\"");
            let lp = l.meminfo();
            let lb = (&lp as *const *mut MemInfo).cast::<u8>();
            let lt = Desc::new(&[tag::LIST, tag::STR]);
            assert!(equal(lb, lt, lb, lt).unwrap());
            for s in [probe, other] {
                oxjit_rt_meminfo_decref(s.meminfo());
            }
            oxjit_rt_meminfo_decref(l.meminfo());
        }
    }

    #[test]
    fn tuples_with_strs_sort_by_text_then_number() {
        unsafe {
            let item = Desc::new(&STR_INT);
            let offs = item.repr().field_offsets();
            let rows = [("b", 1i64), ("a", 2), ("ab", 0), ("a", 1), ("", 9)];
            let made: Vec<(Str, Vec<u8>)> = rows
                .iter()
                .map(|&(t, n)| {
                    let (s, p) = str_item(t);
                    let mut b = vec![0u8; 16];
                    b[offs[0]..offs[0] + 8].copy_from_slice(&p);
                    b[offs[1]..offs[1] + 8].copy_from_slice(&n.to_ne_bytes());
                    (s, b)
                })
                .collect();
            let l = list_of(
                &STR_INT,
                &made.iter().map(|m| m.1.clone()).collect::<Vec<_>>(),
            );
            for (s, _) in &made {
                oxjit_rt_meminfo_decref(s.meminfo());
            }
            let (p, r) = (l.meminfo(), 0i64);
            let values = [
                (&p as *const *mut MemInfo).cast::<u8>(),
                (&r as *const i64).cast(),
            ];
            let list_type = [tag::LIST, tag::TUPLE, 2, tag::STR, tag::SCALAR, b'q' as u64];
            let types = [list_type.as_ptr(), [tag::SCALAR, b'q' as u64].as_ptr()];
            sort(
                std::ptr::null_mut(),
                &Args::new(values.as_ptr(), types.as_ptr()),
                item,
            )
            .unwrap();
            let got: Vec<(String, i64)> = (0..l.len())
                .map(|i| {
                    let at = l.at(i);
                    let t = str_at(at.add(offs[0])).as_str().to_string();
                    (t, at.add(offs[1]).cast::<i64>().read_unaligned())
                })
                .collect();
            let want = [("", 9), ("a", 1), ("a", 2), ("ab", 0), ("b", 1)];
            assert_eq!(got, want.map(|(t, n)| (t.to_string(), n)));
            assert_eq!(show(l.at(0), item), "('', 9)");
            oxjit_rt_meminfo_decref(l.meminfo());
        }
    }
}

//! The dict operations (`RuntimeFn::Dict*`): building, item access and
//! assignment, the dict methods, and the steps of a loop over a dict's
//! keys, values or items. Keys and values arrive converted to the dict's
//! types; they are copied in with new references, removed values move out
//! with theirs, and values read out come with a new reference (the
//! caller's to release). A missing key raises `KeyError` with the key as
//! its argument, as Python's does.

use oxjit_abi::desc::Desc;

use super::keys;
use super::{raise, Args, Result};
use crate::dict::Dict;
use crate::list::List;
use crate::memory::MemInfo;

fn no_memory() -> super::Raise {
    raise("MemoryError", "cannot allocate a dict")
}

unsafe fn dict_arg(args: &Args, i: usize) -> Dict {
    Dict::from_meminfo(args.value(i).cast::<*mut MemInfo>().read_unaligned())
}

unsafe fn write_ref(out: *mut u8, mi: *mut MemInfo) {
    out.cast::<*mut MemInfo>().write_unaligned(mi);
}

unsafe fn key_error(d: Dict, key: *const u8) -> super::Raise {
    keys::key_error(key, d.desc().dict_types().unwrap().0)
}

/// The entry holding key argument `i` of dict argument 0.
unsafe fn find(args: &Args, i: usize) -> Option<usize> {
    dict_arg(args, 0).find(args.value(i))
}

/// `(pairs, typed)` a tuple of (key, value) tuples, an `int64` 0/1 → a new
/// dict of them (a dict display: a later pair for the same key replaces
/// the value; `typed`: an `oxjit.typed.Dict`).
pub(crate) unsafe fn new(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    let d = Dict::new(out_type).ok_or_else(no_memory)?;
    if args.scalar::<i64>(1)? != 0 {
        d.mark_typed();
    }
    let pairs = args.ty(0);
    for (pair, off) in pairs.items().iter().zip(pairs.repr().field_offsets()) {
        let at = args.value(0).add(off);
        let parts = pair.repr().field_offsets();
        if !d.set(at.add(parts[0]), at.add(parts[1])) {
            crate::memory::oxjit_rt_meminfo_decref(d.meminfo());
            return Err(no_memory());
        }
    }
    write_ref(out, d.meminfo());
    Ok(())
}

/// `(d, k, v)` → `none`: `d[k] = v`.
pub(crate) unsafe fn set(_: *mut u8, args: &Args, _: Desc) -> Result {
    if dict_arg(args, 0).set(args.value(1), args.value(2)) {
        Ok(())
    } else {
        Err(no_memory())
    }
}

/// `(d, k)` → `d[k]` (`KeyError` when absent).
pub(crate) unsafe fn get(out: *mut u8, args: &Args, _: Desc) -> Result {
    let d = dict_arg(args, 0);
    let pos = find(args, 1).ok_or_else(|| key_error(d, args.value(1)))?;
    d.copy_value(d.entry_parts(pos).unwrap().1, out);
    Ok(())
}

/// `(d, k, default)` → `d.get(k, default)`.
pub(crate) unsafe fn get_or(out: *mut u8, args: &Args, _: Desc) -> Result {
    let d = dict_arg(args, 0);
    let src = match find(args, 1) {
        Some(pos) => d.entry_parts(pos).unwrap().1.cast_const(),
        None => args.value(2),
    };
    d.copy_value(src, out);
    Ok(())
}

/// `(d, k, default)` → `d.setdefault(k, default)`.
pub(crate) unsafe fn set_default(out: *mut u8, args: &Args, _: Desc) -> Result {
    let d = dict_arg(args, 0);
    if find(args, 1).is_none() && !d.set(args.value(1), args.value(2)) {
        return Err(no_memory());
    }
    let pos = find(args, 1).unwrap();
    d.copy_value(d.entry_parts(pos).unwrap().1, out);
    Ok(())
}

/// `(d, k)` → the value removed (`KeyError` when absent): `d.pop(k)`.
pub(crate) unsafe fn pop(out: *mut u8, args: &Args, _: Desc) -> Result {
    let d = dict_arg(args, 0);
    let pos = find(args, 1).ok_or_else(|| key_error(d, args.value(1)))?;
    d.remove_at(pos, out);
    Ok(())
}

/// `(d, k, default)` → `d.pop(k, default)`.
pub(crate) unsafe fn pop_or(out: *mut u8, args: &Args, _: Desc) -> Result {
    let d = dict_arg(args, 0);
    match find(args, 1) {
        Some(pos) => d.remove_at(pos, out),
        None => d.copy_value(args.value(2), out),
    }
    Ok(())
}

/// `(d, k)` → `none`: `del d[k]` (`KeyError` when absent).
pub(crate) unsafe fn delete(_: *mut u8, args: &Args, _: Desc) -> Result {
    let d = dict_arg(args, 0);
    let pos = find(args, 1).ok_or_else(|| key_error(d, args.value(1)))?;
    d.remove_at(pos, std::ptr::null_mut());
    Ok(())
}

/// `(d)` → the last `(key, value)` pair, removed (`KeyError` when empty).
pub(crate) unsafe fn pop_item(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    let d = dict_arg(args, 0);
    let Some(pos) = d.last() else {
        return Err(raise("KeyError", "popitem(): dictionary is empty"));
    };
    let parts = out_type.repr().field_offsets();
    // The key's references go with it into the pair; the dict drops its own.
    d.copy_key(d.entry_parts(pos).unwrap().0, out.add(parts[0]));
    d.remove_at(pos, out.add(parts[1]));
    Ok(())
}

/// `(d, k)` → `bool`: `k in d`.
pub(crate) unsafe fn contains(out: *mut u8, args: &Args, _: Desc) -> Result {
    out.write(find(args, 1).is_some() as u8);
    Ok(())
}

/// `(d)` → `none`.
pub(crate) unsafe fn clear(_: *mut u8, args: &Args, _: Desc) -> Result {
    dict_arg(args, 0).clear();
    Ok(())
}

/// Sets every key of `src` in `dst`, in `src`'s order.
unsafe fn update_from(dst: Dict, src: Dict) -> Result {
    for pos in 0..src.used() {
        if let Some((k, v)) = src.entry_parts(pos) {
            if !dst.set(k, v) {
                return Err(no_memory());
            }
        }
    }
    Ok(())
}

/// `(d)` → a new dict with the same items (`d.copy()`, `dict(d)`).
pub(crate) unsafe fn copy(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    let d = Dict::new(out_type).ok_or_else(no_memory)?;
    if let Err(e) = update_from(d, dict_arg(args, 0)) {
        crate::memory::oxjit_rt_meminfo_decref(d.meminfo());
        return Err(e);
    }
    write_ref(out, d.meminfo());
    Ok(())
}

/// `(d, other)` a dict of the same types → `none`: `d.update(other)`.
pub(crate) unsafe fn update(_: *mut u8, args: &Args, _: Desc) -> Result {
    update_from(dict_arg(args, 0), dict_arg(args, 1))
}

/// `(a, b)` dicts of one type → `bool`: `a == b` (the same keys, each
/// with an equal value; order does not matter).
pub(crate) unsafe fn eq(out: *mut u8, args: &Args, _: Desc) -> Result {
    let (a, b) = (dict_arg(args, 0), dict_arg(args, 1));
    let (_, vt) = a.desc().dict_types().unwrap();
    let mut same = a.len() == b.len();
    for pos in 0..a.used() {
        let Some((k, v)) = a.entry_parts(pos).filter(|_| same) else {
            continue;
        };
        same = match b.find(k) {
            Some(at) => super::lists::equal(v, vt, b.entry_parts(at).unwrap().1, vt)?,
            None => false,
        };
    }
    out.write(same as u8);
    Ok(())
}

/// `(d)` → `none`: readies the dict for a loop over its entries by
/// position (drops removed entries, so positions `0..len` are the keys).
pub(crate) unsafe fn entries(_: *mut u8, args: &Args, _: Desc) -> Result {
    if dict_arg(args, 0).compact() {
        Ok(())
    } else {
        Err(no_memory())
    }
}

/// `(d, pos, n)` `int64`s → `bool`: whether the loop that started with `n`
/// keys goes on to position `pos`; `RuntimeError` if the dict's size
/// changed meanwhile (Python's check, made at every step).
pub(crate) unsafe fn iterating(out: *mut u8, args: &Args, _: Desc) -> Result {
    let d = dict_arg(args, 0);
    let (pos, n) = (args.scalar::<i64>(1)?, args.scalar::<i64>(2)?);
    if d.len() as i64 != n {
        return Err(raise(
            "RuntimeError",
            "dictionary changed size during iteration",
        ));
    }
    out.write((pos < n) as u8);
    Ok(())
}

/// `(d, pos, part)` `int64`s → the key (part 0), value (1) or `(key,
/// value)` pair (2) at position `pos` of a loop over the dict.
pub(crate) unsafe fn entry(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    let d = dict_arg(args, 0);
    let (pos, part) = (args.scalar::<i64>(1)?, args.scalar::<i64>(2)?);
    // Keys removed and others added in the loop keep the size but leave
    // a hole where the loop is: Python's error, never a stale read.
    let Some((k, v)) = d.entry_parts(pos as usize) else {
        return Err(raise("RuntimeError", "dictionary changed during iteration"));
    };
    match part {
        0 => d.copy_key(k, out),
        1 => d.copy_value(v, out),
        _ => {
            let at = out_type.repr().field_offsets();
            d.copy_key(k, out.add(at[0]));
            d.copy_value(v, out.add(at[1]));
        }
    }
    Ok(())
}

/// `(d, part)` `int64` → a new list of the keys (part 0), values (1) or
/// `(key, value)` pairs (2), in order (`list(d)`, `list(d.items())`, ...).
pub(crate) unsafe fn to_list(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    let d = dict_arg(args, 0);
    let part = args.scalar::<i64>(1)?;
    let item = out_type.list_item().expect("a list result");
    let l = List::new(item.words().as_ptr(), d.len()).ok_or_else(no_memory)?;
    let (kt, vt) = d.desc().dict_types().unwrap();
    let (ks, vs) = (kt.repr().size_align().0, vt.repr().size_align().0);
    let at = item.repr().field_offsets();
    let mut buf = vec![0u8; item.repr().size_align().0];
    for pos in 0..d.used() {
        let Some((k, v)) = d.entry_parts(pos) else {
            continue;
        };
        // `push` takes its own references to what the item holds.
        match part {
            0 => std::ptr::copy_nonoverlapping(k, buf.as_mut_ptr(), ks),
            1 => std::ptr::copy_nonoverlapping(v, buf.as_mut_ptr(), vs),
            _ => {
                std::ptr::copy_nonoverlapping(k, buf.as_mut_ptr().add(at[0]), ks);
                std::ptr::copy_nonoverlapping(v, buf.as_mut_ptr().add(at[1]), vs);
            }
        }
        if !l.push(buf.as_ptr()) {
            crate::memory::oxjit_rt_meminfo_decref(l.meminfo());
            return Err(no_memory());
        }
    }
    write_ref(out, l.meminfo());
    Ok(())
}

//! The set operations (`RuntimeFn::Set*`): building, the set methods, the
//! operators and comparisons, and the steps of a loop over a set. Items
//! arrive converted to the set's item type and are copied in with new
//! references; an item read out (`pop`, a loop's item) comes with its
//! references, the caller's to release, and so do new sets and lists.
//! The table is CPython's ([`crate::set`]), so every result iterates in
//! the order Python's would. A missing item raises `KeyError` with the
//! item as its argument, as Python's does.

use oxjit_abi::desc::Desc;

use super::keys::key_error;
use super::{raise, Args, Raise, Result};
use crate::list::List;
use crate::memory::{oxjit_rt_meminfo_decref, MemInfo};
use crate::set::Set;

fn no_memory() -> Raise {
    raise("MemoryError", "cannot allocate a set")
}

/// `Ok` when an operation that allocates did.
fn allocated(ok: bool) -> Result {
    if ok {
        Ok(())
    } else {
        Err(no_memory())
    }
}

unsafe fn set_arg(args: &Args, i: usize) -> Set {
    Set::from_meminfo(args.value(i).cast::<*mut MemInfo>().read_unaligned())
}

/// Hands a new set (None: memory ran out) to the caller.
unsafe fn write_set(out: *mut u8, s: Option<Set>) -> Result {
    let s = s.ok_or_else(no_memory)?;
    out.cast::<*mut MemInfo>().write_unaligned(s.meminfo());
    Ok(())
}

/// `(items, constant)` a tuple of the item type, an `int64` 0/1 → a new
/// set, the items added in order (a display). A display of constants is
/// built as CPython builds it, for its order: the items added in order
/// make a frozenset at compile time, its items are added to the set the
/// display makes, and that set is copied.
pub(crate) unsafe fn new(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    let made = Set::new(out_type).ok_or_else(no_memory)?;
    let release = |s: Set| oxjit_rt_meminfo_decref(s.meminfo());
    for off in args.ty(0).repr().field_offsets() {
        if !made.add(args.value(0).add(off)) {
            release(made);
            return Err(no_memory());
        }
    }
    if args.scalar::<i64>(1)? == 0 {
        return write_set(out, Some(made));
    }
    let Some(display) = Set::new(out_type) else {
        release(made);
        return Err(no_memory());
    };
    let added = made.iter().all(|p| display.add(p));
    release(made);
    let copy = if added { display.copy() } else { None };
    release(display);
    write_set(out, copy)
}

/// `(s, x)` → `none`: `s.add(x)`.
pub(crate) unsafe fn add(_: *mut u8, args: &Args, _: Desc) -> Result {
    allocated(set_arg(args, 0).add(args.value(1)))
}

/// `(s, x)` → `none`: `s.discard(x)`.
pub(crate) unsafe fn discard(_: *mut u8, args: &Args, _: Desc) -> Result {
    set_arg(args, 0).discard(args.value(1));
    Ok(())
}

/// `(s, x)` → `none`: `s.remove(x)` (`KeyError(x)` when absent).
pub(crate) unsafe fn remove(_: *mut u8, args: &Args, _: Desc) -> Result {
    let s = set_arg(args, 0);
    if s.discard(args.value(1)) {
        Ok(())
    } else {
        Err(key_error(args.value(1), s.item_type()))
    }
}

/// `(s)` → the item removed: `s.pop()`.
pub(crate) unsafe fn pop(out: *mut u8, args: &Args, _: Desc) -> Result {
    if set_arg(args, 0).pop(out) {
        Ok(())
    } else {
        Err(raise("KeyError", "pop from an empty set"))
    }
}

/// `(s, x)` → `bool`: `x in s`.
pub(crate) unsafe fn contains(out: *mut u8, args: &Args, _: Desc) -> Result {
    out.write(set_arg(args, 0).contains(args.value(1)) as u8);
    Ok(())
}

/// `(s)` → `none`: `s.clear()`.
pub(crate) unsafe fn clear(_: *mut u8, args: &Args, _: Desc) -> Result {
    set_arg(args, 0).clear();
    Ok(())
}

/// `(s)` → a new set with the same items (`s.copy()`, `set(s)`).
pub(crate) unsafe fn copy(out: *mut u8, args: &Args, _: Desc) -> Result {
    write_set(out, set_arg(args, 0).copy())
}

/// `(a, b, op)` `int64` op 0 `|`, 1 `&`, 2 `-`, 3 `^` → a new set (the
/// operators and `union`, `intersection`, ...).
pub(crate) unsafe fn op(out: *mut u8, args: &Args, _: Desc) -> Result {
    let (a, b) = (set_arg(args, 0), set_arg(args, 1));
    let r = match args.scalar::<i64>(2)? {
        0 => a.union(&b),
        1 => a.intersection(&b),
        2 => a.difference(&b),
        _ => a.symmetric_difference(&b),
    };
    write_set(out, r)
}

/// `(a, b, op)` as for [`op`] → `none`: `a` updated in place (`|=`,
/// `update`, `&=`, `intersection_update`, ...); op 4: `a` and `b` swap
/// tables.
pub(crate) unsafe fn op_update(_: *mut u8, args: &Args, _: Desc) -> Result {
    let (a, b) = (set_arg(args, 0), set_arg(args, 1));
    allocated(match args.scalar::<i64>(2)? {
        0 => a.update(&b),
        1 => a.intersection_update(&b),
        2 => a.difference_update(&b),
        3 => a.symmetric_difference_update(&b),
        _ => {
            a.take_table(&b);
            true
        }
    })
}

/// `(a, b, op)` `int64` op 0 `==`, 1 `<=` (`issubset`), 2 `<`, 3
/// `isdisjoint` → `bool`.
pub(crate) unsafe fn compare(out: *mut u8, args: &Args, _: Desc) -> Result {
    let (a, b) = (set_arg(args, 0), set_arg(args, 1));
    let r = match args.scalar::<i64>(2)? {
        0 => a.len() == b.len() && a.is_subset(&b),
        1 => a.is_subset(&b),
        2 => a.len() < b.len() && a.is_subset(&b),
        _ => a.is_disjoint(&b),
    };
    out.write(r as u8);
    Ok(())
}

fn changed_size() -> Raise {
    raise("RuntimeError", "Set changed size during iteration")
}

/// `(s, pos, n)` `int64`s → `bool`: whether the loop that started with
/// `n` items goes on to position `pos`; `RuntimeError` if the set's size
/// changed meanwhile (Python's check, made at every step).
pub(crate) unsafe fn iterating(out: *mut u8, args: &Args, _: Desc) -> Result {
    let (pos, n) = (args.scalar::<i64>(1)?, args.scalar::<i64>(2)?);
    if set_arg(args, 0).len() as i64 != n {
        return Err(changed_size());
    }
    out.write((pos < n) as u8);
    Ok(())
}

/// `(s, pos)` `int64` → the item at position `pos` of the iteration
/// order (constant time, amortised, when positions increase).
pub(crate) unsafe fn entry(out: *mut u8, args: &Args, _: Desc) -> Result {
    let s = set_arg(args, 0);
    let pos = usize::try_from(args.scalar::<i64>(1)?).unwrap_or(usize::MAX);
    let item = s.entry(pos).ok_or_else(changed_size)?;
    s.copy_item(item, out);
    Ok(())
}

/// `(s)` → a new list of the items in iteration order (`list(s)`).
pub(crate) unsafe fn to_list(out: *mut u8, args: &Args, out_type: Desc) -> Result {
    let s = set_arg(args, 0);
    let item = out_type.list_item().expect("a list result");
    let l = List::new(item.words().as_ptr(), s.len()).ok_or_else(no_memory)?;
    for item in s.iter() {
        // `push` takes its own references to what the item holds.
        if !l.push(item) {
            oxjit_rt_meminfo_decref(l.meminfo());
            return Err(no_memory());
        }
    }
    out.cast::<*mut MemInfo>().write_unaligned(l.meminfo());
    Ok(())
}

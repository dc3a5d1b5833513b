//! The exception descriptor registry and the thread's dynamic exception.
//!
//! Descriptors and their content-addressed ids are defined in
//! `oxjit_abi::exc`; this registry maps every id compiled code may return
//! back to its descriptor, for the extension to raise. Registering is
//! idempotent, and the id of a descriptor is the same in every process
//! unless two descriptors collide on one hash (then the later one is
//! rehashed with a salt, and [`register`]'s result says which id it got).
//!
//! Errors whose message depends on run-time values (NumPy's shape errors,
//! `raise E(msg, n)`, a re-raise) return status [`DYNAMIC`]: whoever made
//! the exception left it in a thread-local slot, which the caller takes
//! with [`take_dynamic`].
//!
//! `except` clauses match a status against a class by name through the
//! class tree: the builtin part is `oxjit_abi::exc::BUILTIN_BASES`, user
//! classes are added by [`register_class`] with their ancestors. A caught
//! exception that the program keeps (`except E as e`, a bare `raise`) is
//! an *exception object*: a meminfo owning its descriptor.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{LazyLock, Mutex, RwLock};

use oxjit_abi::exc::{builtin_bases, class_id, ExcSpec, BUILTIN_BASES, DYNAMIC, RESERVED};

use crate::memory::{meminfo_alloc_plain, oxjit_rt_meminfo_data, MemInfo};

/// Descriptors by id.
static REGISTRY: LazyLock<Mutex<HashMap<u32, ExcSpec>>> = LazyLock::new(Default::default);

/// Registers `spec` and returns its id (always `>= FIRST_HASHED_ID`): its
/// content id, or on a collision with a different descriptor the first
/// salted id that is free or already its own.
pub fn register(spec: ExcSpec) -> u32 {
    let mut reg = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    for salt in 0.. {
        let id = spec.content_id(salt);
        match reg.get(&id) {
            Some(known) if known.same(&spec) => return id,
            Some(_) => continue,
            None => {
                reg.insert(id, spec);
                return id;
            }
        }
    }
    unreachable!("an unbounded salt range always finds a free id")
}

/// The descriptor for `id`, reserved or registered; `None` for unknown ids
/// (including status `0`, which means "no exception").
pub fn get(id: u32) -> Option<ExcSpec> {
    ExcSpec::reserved(id).or_else(|| {
        let reg = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
        reg.get(&id).cloned()
    })
}

thread_local! {
    static PENDING: RefCell<Option<ExcSpec>> = const { RefCell::new(None) };
}

/// Stores `spec` as this thread's pending exception and returns [`DYNAMIC`],
/// the status compiled code passes up.
pub fn raise_dynamic(spec: ExcSpec) -> u32 {
    PENDING.with(|p| *p.borrow_mut() = Some(spec));
    DYNAMIC
}

/// Takes the exception stored by the runtime function that produced status
/// [`DYNAMIC`] on this thread.
pub fn take_dynamic() -> Option<ExcSpec> {
    PENDING.with(|p| p.borrow_mut().take())
}

/// A class compiled code may name: its name and the ids of itself and of
/// every ancestor.
struct Class {
    name: String,
    lineage: Box<[u64]>,
}

/// Class ids are hashes already: tables keyed by them use them as they are.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only class ids (u64) are hashed")
    }
    fn write_u64(&mut self, id: u64) {
        self.0 = id;
    }
}

type ById<T> = HashMap<u64, T, BuildHasherDefault<IdHasher>>;

/// The builtin classes by [`class_id`], each with its lineage from the
/// static tree (fixed, so read without a lock).
static BUILTINS: LazyLock<ById<Class>> = LazyLock::new(|| {
    fn lineage(name: &str, out: &mut Vec<u64>) {
        out.push(class_id(name));
        for b in builtin_bases(name).unwrap_or_default() {
            lineage(b, out);
        }
    }
    BUILTIN_BASES
        .iter()
        .map(|(name, _)| {
            let mut ids = Vec::new();
            lineage(name, &mut ids);
            let class = Class {
                name: (*name).into(),
                lineage: ids.into(),
            };
            (class_id(name), class)
        })
        .collect()
});

/// User classes by [`class_id`], as the driver registered them.
static USER: LazyLock<RwLock<ById<Class>>> = LazyLock::new(Default::default);

/// Makes user class `name` known, with the names of all its ancestors
/// (its `__mro__` without itself and `object`); the latest registration of
/// a name wins. Returns its [`class_id`].
pub fn register_class(name: &str, ancestors: Vec<String>) -> u64 {
    let id = class_id(name);
    let lineage = std::iter::once(id)
        .chain(ancestors.iter().map(|a| class_id(a)))
        .collect();
    let class = Class {
        name: name.into(),
        lineage,
    };
    USER.write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, class);
    id
}

/// Calls `f` on the class with id `id`, if it is known.
fn with_class<T>(id: u64, f: impl FnOnce(&Class) -> T) -> Option<T> {
    if let Some(c) = BUILTINS.get(&id) {
        return Some(f(c));
    }
    USER.read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&id)
        .map(f)
}

/// Whether class `name` is `of` or derives from it.
pub fn is_subclass(name: &str, of: &str) -> bool {
    let of = class_id(of);
    with_class(class_id(name), |c| c.lineage.contains(&of)).unwrap_or(false)
}

/// The name of the class with id `id`, if it is known.
pub fn class_name(id: u64) -> Option<String> {
    with_class(id, |c| c.name.clone())
}

/// The class id of the exception status `status` stands for (the pending
/// one for [`DYNAMIC`]), without taking it.
fn status_class(status: u32) -> Option<u64> {
    if status == DYNAMIC {
        return PENDING.with(|p| p.borrow().as_ref().map(|s| class_id(&s.class)));
    }
    if let Some((_, class, _)) = RESERVED.iter().find(|r| r.0 == status) {
        return Some(class_id(class));
    }
    let reg = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    reg.get(&status).map(|s| class_id(&s.class))
}

/// The exception `status` stands for, taken (a pending one is cleared).
fn take_status(status: u32) -> ExcSpec {
    let spec = if status == DYNAMIC {
        take_dynamic()
    } else {
        get(status)
    };
    spec.unwrap_or_else(|| {
        ExcSpec::with_message(
            "SystemError",
            &format!("compiled code raised unknown status {status}"),
        )
    })
}

/// Whether the exception of status `status` is an instance of the class
/// with id `class` (`except C:`); unknown classes match nothing.
#[no_mangle]
pub extern "C" fn oxjit_rt_exc_matches(status: u32, class: u64) -> u32 {
    status_class(status)
        .and_then(|raised| with_class(raised, |c| c.lineage.contains(&class)))
        .unwrap_or(false) as u32
}

/// Ends the exception of status `status` (caught and not kept).
#[no_mangle]
pub extern "C" fn oxjit_rt_exc_discard(status: u32) {
    if status == DYNAMIC {
        take_dynamic();
    }
}

/// The exception of status `status` as a new exception object (caught
/// and kept); null if memory runs out.
#[no_mangle]
pub extern "C" fn oxjit_rt_exc_catch(status: u32) -> *mut MemInfo {
    new_object(take_status(status))
}

/// Raises exception object `e` again: its status ([`DYNAMIC`]).
///
/// # Safety
/// `e` must be a live exception object.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_exc_raise(e: *mut MemInfo) -> u32 {
    raise_dynamic(object_spec(e).clone())
}

extern "C" fn drop_object(data: *mut u8) {
    // SAFETY: the data of an exception object is the pointer `new_object`
    // made from a box.
    unsafe { drop(Box::from_raw(data.cast::<*mut ExcSpec>().read())) }
}

/// A new exception object (one reference) owning `spec`; null if memory
/// runs out.
pub fn new_object(spec: ExcSpec) -> *mut MemInfo {
    let mi = meminfo_alloc_plain(std::mem::size_of::<*mut ExcSpec>(), Some(drop_object));
    if !mi.is_null() {
        // SAFETY: a fresh block with room for one pointer.
        unsafe {
            oxjit_rt_meminfo_data(mi)
                .cast::<*mut ExcSpec>()
                .write(Box::into_raw(Box::new(spec)))
        };
    }
    mi
}

/// The descriptor exception object `e` owns.
///
/// # Safety
/// `e` must be a live exception object, and outlive the reference.
pub unsafe fn object_spec<'a>(e: *mut MemInfo) -> &'a ExcSpec {
    &*oxjit_rt_meminfo_data(e).cast::<*mut ExcSpec>().read()
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxjit_abi::exc::{ExcArg, FIRST_HASHED_ID, NEG_INT_POWER, ZERO_DIV_INT_MOD};

    #[test]
    fn reserved_ids_resolve() {
        let spec = get(ZERO_DIV_INT_MOD).unwrap();
        assert_eq!(
            spec,
            ExcSpec::with_message("ZeroDivisionError", "integer modulo by zero")
        );
        assert_eq!(get(NEG_INT_POWER).unwrap().class, "ValueError");
        assert_eq!(get(0), None);
        assert_eq!(get(FIRST_HASHED_ID - 1), None);
    }

    #[test]
    fn register_dedups_and_roundtrips() {
        let spec = ExcSpec {
            class: "ValueError".into(),
            args: vec![
                ExcArg::Str("bad value".into()),
                ExcArg::Int(3),
                ExcArg::Float(f64::NAN),
                ExcArg::Bool(true),
            ],
        };
        let a = register(spec.clone());
        let b = register(spec.clone());
        assert_eq!(a, b);
        assert_eq!(a, spec.content_id(0));
        let back = get(a).unwrap();
        assert_eq!(back.class, "ValueError");
        assert_eq!(back.args.len(), 4);
        assert!(matches!(back.args[2], ExcArg::Float(f) if f.is_nan()));

        let other = register(ExcSpec::with_message("ValueError", "another value"));
        assert_ne!(a, other);
        let zero = register(ExcSpec {
            class: "E".into(),
            args: vec![ExcArg::Float(0.0)],
        });
        let neg_zero = register(ExcSpec {
            class: "E".into(),
            args: vec![ExcArg::Float(-0.0)],
        });
        assert_ne!(zero, neg_zero);
    }

    #[test]
    fn dynamic_exceptions_are_taken_once_per_thread() {
        let spec = ExcSpec::with_message("ValueError", "shape mismatch");
        assert_eq!(raise_dynamic(spec.clone()), DYNAMIC);
        std::thread::spawn(|| assert_eq!(take_dynamic(), None))
            .join()
            .unwrap();
        assert_eq!(take_dynamic(), Some(spec));
        assert_eq!(take_dynamic(), None);
    }
}

#[cfg(test)]
mod classes {
    use super::*;
    use crate::memory::oxjit_rt_meminfo_decref;
    use oxjit_abi::exc::ZERO_DIV_INT;

    #[test]
    fn statuses_match_their_classes_and_ancestors() {
        let m = |status, class: &str| oxjit_rt_exc_matches(status, class_id(class)) == 1;
        assert!(m(ZERO_DIV_INT, "ZeroDivisionError"));
        assert!(m(ZERO_DIV_INT, "ArithmeticError"));
        assert!(m(ZERO_DIV_INT, "Exception"));
        assert!(!m(ZERO_DIV_INT, "ValueError"));
        raise_dynamic(ExcSpec::with_message("KeyError", "k"));
        assert!(m(DYNAMIC, "LookupError") && !m(DYNAMIC, "IndexError"));
        oxjit_rt_exc_discard(DYNAMIC);
        assert_eq!(take_dynamic(), None);
        register_class("tests.Mine", vec!["ValueError".into(), "Exception".into()]);
        let id = register(ExcSpec::with_message("tests.Mine", "m"));
        assert!(m(id, "tests.Mine") && m(id, "ValueError") && !m(id, "KeyError"));
        assert!(!m(id, "tests.Unknown"));
    }

    #[test]
    fn caught_objects_keep_and_reraise_their_exception() {
        let spec = ExcSpec::with_message("ValueError", "kept");
        raise_dynamic(spec.clone());
        let e = oxjit_rt_exc_catch(DYNAMIC);
        assert_eq!(take_dynamic(), None);
        // SAFETY: a live object, released below.
        unsafe {
            assert_eq!(object_spec(e), &spec);
            assert_eq!(oxjit_rt_exc_raise(e), DYNAMIC);
            oxjit_rt_meminfo_decref(e);
        }
        assert_eq!(take_dynamic(), Some(spec));
    }
}

#[cfg(test)]
mod collisions {
    use super::*;
    use oxjit_abi::exc::ExcArg;

    /// Two descriptors with one content id: the first keeps it, the second
    /// gets its salted id, and both resolve.
    #[test]
    fn a_collision_rehashes_the_later_descriptor() {
        let spec = |i: i64| ExcSpec {
            class: "CollisionProbe".into(),
            args: vec![ExcArg::Int(i)],
        };
        // Plant `a` under `b`'s id, where a hash collision would put it.
        let (a, b) = (spec(1), spec(2));
        let id = a.content_id(0);
        REGISTRY.lock().unwrap().insert(b.content_id(0), a.clone());
        assert_eq!(register(a.clone()), id);
        let got = register(b.clone());
        assert_eq!(got, b.content_id(1));
        assert_eq!(get(got), Some(b.clone()));
        assert_eq!(register(b), got);
    }
}

//! The exception descriptor registry and the thread's dynamic exception.
//!
//! Descriptors and their content-addressed ids are defined in
//! `oxjit_abi::exc`; this registry maps every id compiled code may return
//! back to its descriptor, for the extension to raise. Registering is
//! idempotent, and the id of a descriptor is the same in every process
//! unless two descriptors collide on one hash (then the later one is
//! rehashed with a salt, and [`register`]'s result says which id it got).
//!
//! Errors whose message depends on run-time values (NumPy's shape errors)
//! return status [`DYNAMIC`]: the runtime function that formatted the
//! message left it in a thread-local slot, which the caller takes with
//! [`take_dynamic`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use oxjit_abi::exc::{ExcSpec, DYNAMIC};

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

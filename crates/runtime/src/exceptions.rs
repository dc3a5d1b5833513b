//! Static exception descriptors.
//!
//! Compiled functions return an `i32` status: `0` means success and `N > 0`
//! means "raise the exception described by descriptor `N`". Descriptors are
//! registered at compile time (one per distinct `raise` site contents) and
//! live for the whole process, so compiled code only has to return a constant
//! and the extension turns the id back into a Python exception.
//!
//! Ids below [`FIRST_DYNAMIC_ID`] are reserved for the well-known errors that
//! code generation emits itself (division by zero, bounds checks, ...). Their
//! messages match CPython 3.11 exactly.
//!
//! Errors whose message depends on run-time values (NumPy's shape errors)
//! return status [`DYNAMIC`]: the runtime function that formatted the
//! message left it in a thread-local slot, which the caller takes with
//! [`take_dynamic`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// One constant argument of an exception, as passed to the class constructor.
#[derive(Debug, Clone, PartialEq)]
pub enum ExcArg {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    None,
}

/// A statically known exception: builtin class name plus constructor args.
#[derive(Debug, Clone, PartialEq)]
pub struct ExcSpec {
    /// Builtin exception class name, e.g. `"ValueError"`.
    pub class: String,
    pub args: Vec<ExcArg>,
}

impl ExcSpec {
    /// The common case: a class with a single message argument.
    pub fn with_message(class: &str, message: &str) -> ExcSpec {
        ExcSpec {
            class: class.to_owned(),
            args: vec![ExcArg::Str(message.to_owned())],
        }
    }
}

/// `1 // 0`, `divmod(1, 0)`.
pub const ZERO_DIV_INT: u32 = 1;
/// `1 / 0` on integers.
pub const ZERO_DIV_TRUE: u32 = 2;
/// `1.0 / 0.0`.
pub const ZERO_DIV_FLOAT: u32 = 3;
/// `1.0 // 0.0`.
pub const ZERO_DIV_FLOAT_FLOOR: u32 = 4;
/// `1.0 % 0.0`.
pub const ZERO_DIV_FLOAT_MOD: u32 = 5;
/// An out-of-bounds index with bounds checking on.
pub const INDEX_OUT_OF_BOUNDS: u32 = 6;
/// `2 ** -1` on integers (Numba's message; CPython would return a float).
pub const NEG_INT_POWER: u32 = 7;
/// `0.0 ** -1.0`.
pub const ZERO_POW_NEG: u32 = 8;
/// `1 % 0`.
pub const ZERO_DIV_INT_MOD: u32 = 9;

/// "The exception was stored for this thread": see [`take_dynamic`].
pub const DYNAMIC: u32 = 63;

/// Ids handed out by [`register`] start here; everything below is reserved.
pub const FIRST_DYNAMIC_ID: u32 = 64;

/// The reserved descriptors: (id, class, message).
const RESERVED: &[(u32, &str, &str)] = &[
    (
        ZERO_DIV_INT,
        "ZeroDivisionError",
        "integer division or modulo by zero",
    ),
    (ZERO_DIV_TRUE, "ZeroDivisionError", "division by zero"),
    (
        ZERO_DIV_FLOAT,
        "ZeroDivisionError",
        "float division by zero",
    ),
    (
        ZERO_DIV_FLOAT_FLOOR,
        "ZeroDivisionError",
        "float floor division by zero",
    ),
    (ZERO_DIV_FLOAT_MOD, "ZeroDivisionError", "float modulo"),
    (INDEX_OUT_OF_BOUNDS, "IndexError", "index out of bounds"),
    (
        NEG_INT_POWER,
        "ValueError",
        "Integers to negative integer powers are not allowed.",
    ),
    (
        ZERO_POW_NEG,
        "ZeroDivisionError",
        "0.0 cannot be raised to a negative power",
    ),
    (
        ZERO_DIV_INT_MOD,
        "ZeroDivisionError",
        "integer modulo by zero",
    ),
];

/// Hashable mirror of [`ExcArg`]: floats compare by bit pattern, so a NaN
/// argument still dedups and `0.0` / `-0.0` stay distinct (they print
/// differently in the message).
#[derive(PartialEq, Eq, Hash)]
enum KeyArg {
    Int(i64),
    Float(u64),
    Bool(bool),
    Str(String),
    None,
}

#[derive(PartialEq, Eq, Hash)]
struct Key {
    class: String,
    args: Vec<KeyArg>,
}

impl Key {
    fn of(spec: &ExcSpec) -> Key {
        let args = spec
            .args
            .iter()
            .map(|a| match a {
                ExcArg::Int(v) => KeyArg::Int(*v),
                ExcArg::Float(v) => KeyArg::Float(v.to_bits()),
                ExcArg::Bool(v) => KeyArg::Bool(*v),
                ExcArg::Str(v) => KeyArg::Str(v.clone()),
                ExcArg::None => KeyArg::None,
            })
            .collect();
        Key {
            class: spec.class.clone(),
            args,
        }
    }
}

#[derive(Default)]
struct Registry {
    /// Descriptor `FIRST_DYNAMIC_ID + i` is `specs[i]`.
    specs: Vec<ExcSpec>,
    ids: HashMap<Key, u32>,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Default::default);

/// Registers `spec` and returns its id (always `>= FIRST_DYNAMIC_ID`).
/// Registering an identical spec again returns the same id, so recompiling a
/// function does not grow the table.
pub fn register(spec: ExcSpec) -> u32 {
    let key = Key::of(&spec);
    let mut reg = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&id) = reg.ids.get(&key) {
        return id;
    }
    let id = FIRST_DYNAMIC_ID
        + u32::try_from(reg.specs.len()).expect("exception descriptor table overflow");
    reg.specs.push(spec);
    reg.ids.insert(key, id);
    id
}

/// The descriptor for `id`, reserved or registered; `None` for unknown ids
/// (including status `0`, which means "no exception").
pub fn get(id: u32) -> Option<ExcSpec> {
    if id < FIRST_DYNAMIC_ID {
        return RESERVED
            .iter()
            .find(|(rid, _, _)| *rid == id)
            .map(|(_, class, msg)| ExcSpec::with_message(class, msg));
    }
    let reg = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    reg.specs.get((id - FIRST_DYNAMIC_ID) as usize).cloned()
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

    #[test]
    fn reserved_ids_resolve() {
        let spec = get(ZERO_DIV_INT_MOD).unwrap();
        assert_eq!(
            spec,
            ExcSpec::with_message("ZeroDivisionError", "integer modulo by zero")
        );
        assert_eq!(get(NEG_INT_POWER).unwrap().class, "ValueError");
        assert_eq!(get(0), None);
        assert_eq!(get(FIRST_DYNAMIC_ID - 1), None);
        for (id, _, _) in RESERVED {
            assert!(*id > 0 && *id < FIRST_DYNAMIC_ID && *id != DYNAMIC);
        }
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
        assert!(a >= FIRST_DYNAMIC_ID);
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

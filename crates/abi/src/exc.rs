//! Exception descriptors and their ids.
//!
//! Compiled functions return an `i32` status: `0` means success and `N > 0`
//! means "raise the exception described by descriptor `N`". A `raise` whose
//! arguments are constants is a descriptor ([`ExcSpec`]), and its id is a
//! hash of its content ([`ExcSpec::content_id`]): the same descriptor has
//! the same id in every process, so machine code can be cached and typed-IR
//! snapshots do not depend on what compiled first. The runtime's registry
//! maps ids back to descriptors for the extension, and resolves the rare
//! collision of two descriptors on one id by rehashing with a salt (a cache
//! loading code compiled elsewhere must check that each descriptor got the id
//! the code was compiled with).
//!
//! Ids below [`FIRST_HASHED_ID`] are the well-known errors code generation
//! emits itself (division by zero, bounds checks, allocation failures, ...),
//! listed in [`RESERVED`] with CPython 3.11's or NumPy's exact messages.
//! Status [`DYNAMIC`] means "the message depends on run-time values and was
//! stored for this thread" (NumPy's shape errors, exceptions raised with
//! run-time values, re-raised exceptions).
//!
//! Exception classes are named by strings: a builtin's name (`ValueError`),
//! otherwise `module.qualname` (`numpy.exceptions.AxisError`, a user's
//! `app.errors.ParseError`). [`BUILTIN_BASES`] is the builtin part of the
//! class tree, which `except` clauses match against; compiled code names a
//! class by [`class_id`], a stable hash of its name.

use crate::hash::StableHash;

/// One constant argument of an exception, as passed to the class constructor.
#[derive(Debug, Clone, PartialEq)]
pub enum ExcArg {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    None,
    /// A tuple of arguments (a tuple dict key in a `KeyError`).
    Tuple(Vec<ExcArg>),
}

/// A statically known exception: builtin class name plus constructor args.
#[derive(Debug, Clone, PartialEq)]
pub struct ExcSpec {
    /// Builtin exception class name, e.g. `"ValueError"`.
    pub class: String,
    pub args: Vec<ExcArg>,
}

/// Declares the reserved ids as constants and [`RESERVED`], their table.
macro_rules! reserved {
    ($($(#[$doc:meta])* $name:ident = $id:literal, $class:literal, $msg:literal;)*) => {
        $($(#[$doc])* pub const $name: u32 = $id;)*
        /// The reserved descriptors: (id, class, message).
        pub const RESERVED: &[(u32, &str, &str)] = &[$(($id, $class, $msg)),*];
    };
}

reserved! {
    /// `1 // 0`, `divmod(1, 0)`.
    ZERO_DIV_INT = 1, "ZeroDivisionError", "integer division or modulo by zero";
    /// `1 / 0` on integers.
    ZERO_DIV_TRUE = 2, "ZeroDivisionError", "division by zero";
    /// `1.0 / 0.0`.
    ZERO_DIV_FLOAT = 3, "ZeroDivisionError", "float division by zero";
    /// `1.0 // 0.0`.
    ZERO_DIV_FLOAT_FLOOR = 4, "ZeroDivisionError", "float floor division by zero";
    /// `1.0 % 0.0`.
    ZERO_DIV_FLOAT_MOD = 5, "ZeroDivisionError", "float modulo";
    /// An out-of-bounds index with bounds checking on.
    INDEX_OUT_OF_BOUNDS = 6, "IndexError", "index out of bounds";
    /// `2 ** -1` on integers (Numba's message; CPython would return a float).
    NEG_INT_POWER = 7, "ValueError", "Integers to negative integer powers are not allowed.";
    /// `0.0 ** -1.0`.
    ZERO_POW_NEG = 8, "ZeroDivisionError", "0.0 cannot be raised to a negative power";
    /// `1 % 0`.
    ZERO_DIV_INT_MOD = 9, "ZeroDivisionError", "integer modulo by zero";
    /// `a[::0]`.
    SLICE_STEP_ZERO = 10, "ValueError", "slice step cannot be zero";
    /// `np.empty(-1)`.
    NEGATIVE_DIMENSIONS = 11, "ValueError", "negative dimensions are not allowed";
    /// An allocation whose byte size overflows.
    ARRAY_TOO_BIG = 12, "ValueError",
        "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.";
    /// The allocator returned nothing.
    OUT_OF_MEMORY = 13, "MemoryError", "Unable to allocate memory for an array";
    /// `np.min` of an empty array.
    EMPTY_MIN = 14, "ValueError", "zero-size array to reduction operation minimum which has no identity";
    /// `np.max` of an empty array.
    EMPTY_MAX = 15, "ValueError", "zero-size array to reduction operation maximum which has no identity";
    /// `np.argmin` of an empty array.
    EMPTY_ARGMIN = 16, "ValueError", "attempt to get argmin of an empty sequence";
    /// `np.argmax` of an empty array.
    EMPTY_ARGMAX = 17, "ValueError", "attempt to get argmax of an empty sequence";
    /// `l[i]` outside a list.
    LIST_INDEX = 18, "IndexError", "list index out of range";
    /// `l[i] = v` outside a list.
    LIST_ASSIGN_INDEX = 19, "IndexError", "list assignment index out of range";
    /// `l.pop()` of an empty list.
    LIST_POP_EMPTY = 20, "IndexError", "pop from empty list";
    /// An optional value used as a value while it is None.
    NONE_AS_VALUE = 21, "TypeError", "expected a value, got None";
}

/// "The exception was stored for this thread" (see the runtime's
/// `exceptions::take_dynamic`).
pub const DYNAMIC: u32 = 63;

/// Content-addressed ids start here; everything below is reserved.
pub const FIRST_HASHED_ID: u32 = 64;

/// The builtin exception classes compiled code can meet, each with its
/// bases (CPython 3.11's tree, and NumPy's `AxisError`).
pub const BUILTIN_BASES: &[(&str, &[&str])] = &[
    ("BaseException", &[]),
    ("SystemExit", &["BaseException"]),
    ("KeyboardInterrupt", &["BaseException"]),
    ("GeneratorExit", &["BaseException"]),
    ("Exception", &["BaseException"]),
    ("ArithmeticError", &["Exception"]),
    ("FloatingPointError", &["ArithmeticError"]),
    ("OverflowError", &["ArithmeticError"]),
    ("ZeroDivisionError", &["ArithmeticError"]),
    ("AssertionError", &["Exception"]),
    ("AttributeError", &["Exception"]),
    ("BufferError", &["Exception"]),
    ("EOFError", &["Exception"]),
    ("ImportError", &["Exception"]),
    ("ModuleNotFoundError", &["ImportError"]),
    ("LookupError", &["Exception"]),
    ("IndexError", &["LookupError"]),
    ("KeyError", &["LookupError"]),
    ("MemoryError", &["Exception"]),
    ("NameError", &["Exception"]),
    ("UnboundLocalError", &["NameError"]),
    ("OSError", &["Exception"]),
    ("FileNotFoundError", &["OSError"]),
    ("PermissionError", &["OSError"]),
    ("ReferenceError", &["Exception"]),
    ("RuntimeError", &["Exception"]),
    ("NotImplementedError", &["RuntimeError"]),
    ("RecursionError", &["RuntimeError"]),
    ("StopIteration", &["Exception"]),
    ("SystemError", &["Exception"]),
    ("TypeError", &["Exception"]),
    ("ValueError", &["Exception"]),
    ("UnicodeError", &["ValueError"]),
    ("numpy.exceptions.AxisError", &["ValueError", "IndexError"]),
];

/// The bases of builtin class `name`, if it is one.
pub fn builtin_bases(name: &str) -> Option<&'static [&'static str]> {
    BUILTIN_BASES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bases)| *bases)
}

/// The id compiled code names exception class `name` by.
pub fn class_id(name: &str) -> u64 {
    StableHash::new().tag(b'c').str(name).finish()
}

impl ExcSpec {
    /// The common case: a class with a single message argument.
    pub fn with_message(class: &str, message: &str) -> ExcSpec {
        ExcSpec {
            class: class.to_owned(),
            args: vec![ExcArg::Str(message.to_owned())],
        }
    }

    /// The reserved descriptor `id`, if it is one.
    pub fn reserved(id: u32) -> Option<ExcSpec> {
        RESERVED
            .iter()
            .find(|(rid, _, _)| *rid == id)
            .map(|(_, class, msg)| ExcSpec::with_message(class, msg))
    }

    /// The id of this descriptor for a given `salt` (0 unless it collided):
    /// a 64-bit FNV-1a hash of an unambiguous encoding of the class and
    /// arguments (floats by bit pattern, so `0.0` and `-0.0` differ and a NaN
    /// argument is equal to itself), folded into `FIRST_HASHED_ID..2^31`
    /// so that it is a positive `i32` status.
    pub fn content_id(&self, salt: u32) -> u32 {
        let mut h = StableHash::new();
        h.bytes(self.class.as_bytes());
        h.u64(self.args.len() as u64);
        fn arg(h: &mut StableHash, a: &ExcArg) {
            match a {
                ExcArg::Int(v) => h.tag(b'i').u64(*v as u64),
                ExcArg::Float(v) => h.tag(b'f').u64(v.to_bits()),
                ExcArg::Bool(v) => h.tag(b'b').u64(*v as u64),
                ExcArg::Str(s) => h.tag(b's').bytes(s.as_bytes()),
                ExcArg::None => h.tag(b'n'),
                ExcArg::Tuple(items) => {
                    h.tag(b't').u64(items.len() as u64);
                    items.iter().for_each(|x| arg(h, x));
                    h
                }
            };
        }
        self.args.iter().for_each(|a| arg(&mut h, a));
        h.u64(salt as u64);
        let span = (1u64 << 31) - FIRST_HASHED_ID as u64;
        FIRST_HASHED_ID + (h.finish() % span) as u32
    }

    /// Whether two descriptors are the same exception (floats compared by
    /// bit pattern, as [`Self::content_id`] hashes them).
    pub fn same(&self, other: &ExcSpec) -> bool {
        self.class == other.class
            && self.args.len() == other.args.len()
            && same_args(&self.args, &other.args)
    }
}

fn same_args(a: &[ExcArg], b: &[ExcArg]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(a, b)| match (a, b) {
            (ExcArg::Float(x), ExcArg::Float(y)) => x.to_bits() == y.to_bits(),
            (ExcArg::Tuple(x), ExcArg::Tuple(y)) => same_args(x, y),
            _ => a == b,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_ids_are_distinct_and_below_the_hashed_range() {
        let mut ids: Vec<u32> = RESERVED.iter().map(|r| r.0).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RESERVED.len());
        assert!(ids.iter().all(|&id| id > 0 && id < DYNAMIC));
        assert_eq!(
            ExcSpec::reserved(ZERO_DIV_INT_MOD),
            Some(ExcSpec::with_message(
                "ZeroDivisionError",
                "integer modulo by zero"
            ))
        );
        assert_eq!(ExcSpec::reserved(0), None);
    }

    #[test]
    fn builtin_bases_form_a_tree_under_base_exception() {
        for (name, bases) in BUILTIN_BASES {
            assert!(bases.iter().all(|b| builtin_bases(b).is_some()), "{name}");
            assert_eq!(bases.is_empty(), *name == "BaseException");
        }
        assert_eq!(builtin_bases("KeyError"), Some(&["LookupError"][..]));
        assert_ne!(class_id("ValueError"), class_id("TypeError"));
    }

    #[test]
    fn content_ids_are_stable_and_distinguish_content() {
        let spec = ExcSpec::with_message("ValueError", "bad n");
        // A fixed value: ids must not change between processes or releases
        // (cached machine code returns them).
        assert_eq!(spec.content_id(0), 252_503_719);
        assert_ne!(spec.content_id(0), spec.content_id(1));
        let float = |x: f64| ExcSpec {
            class: "E".into(),
            args: vec![ExcArg::Float(x)],
        };
        assert_ne!(float(0.0).content_id(0), float(-0.0).content_id(0));
        assert_eq!(float(f64::NAN).content_id(0), float(f64::NAN).content_id(0));
        assert!(float(f64::NAN).same(&float(f64::NAN)));
        assert!(!float(0.0).same(&float(-0.0)));
        // Argument boundaries are part of the content.
        let two = |a: &str, b: &str| ExcSpec {
            class: "E".into(),
            args: vec![ExcArg::Str(a.into()), ExcArg::Str(b.into())],
        };
        assert_ne!(two("ab", "c").content_id(0), two("a", "bc").content_id(0));
        for salt in 0..1000 {
            let id = spec.content_id(salt);
            assert!((FIRST_HASHED_ID..1 << 31).contains(&id));
        }
    }
}

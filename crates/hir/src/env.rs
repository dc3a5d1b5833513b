//! What lowering asks of the world outside the function: the compile-time
//! values of global and closure names and of module attributes. The Python
//! extension implements `Env` over `__globals__`, closure cells and builtins;
//! tests implement it with a table.

use std::fmt;

/// A constant that compiled code can embed: numbers, strings (for exception
/// messages), `None`, and tuples of these.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    Int(i64),
    Float(f64),
    Bool(bool),
    Complex(f64, f64),
    Str(String),
    None,
    Tuple(Vec<Const>),
}

/// A Python value known at compile time.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Const(Const),
    /// A module by its full name (`math`, `numpy`, `numpy.random`, `oxjit`).
    Module(String),
    /// A function or callable type by qualified name (`math.sqrt`,
    /// `numpy.float64`, `builtins.abs`, `oxjit.prange`).
    Function(String),
    /// Another jitted function, by the id the extension gave it.
    Dispatcher(u64),
    /// A builtin exception class by name (`ValueError`).
    ExceptionClass(String),
    /// A Numba-style type object (`types.int64`, `types.unicode_type`) by
    /// its printed form.
    Type(String),
    /// Anything else; the string describes it for error messages.
    Opaque(String),
}

pub trait Env {
    /// A global, closure or builtin name; `None` if it is not defined.
    fn global(&mut self, name: &str) -> Option<Value>;
    /// An attribute of a module; `None` if the module has no such attribute.
    fn attribute(&mut self, module: &str, name: &str) -> Option<Value>;
    /// The hint for a module attribute that does not exist (a supported
    /// function with a close name); `None` for the generic one.
    fn suggest(&mut self, _module: &str, _name: &str) -> Option<String> {
        None
    }
}

impl fmt::Display for Const {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Const::Int(i) => write!(f, "{i}"),
            Const::Float(x) => write!(f, "{x:?}"),
            Const::Bool(b) => f.write_str(if *b { "True" } else { "False" }),
            Const::Complex(re, im) => write!(f, "({re:?}{im:+?}j)"),
            Const::Str(s) => write!(f, "{s:?}"),
            Const::None => f.write_str("None"),
            Const::Tuple(items) => {
                let inner: Vec<String> = items.iter().map(|c| c.to_string()).collect();
                write!(
                    f,
                    "({}{})",
                    inner.join(", "),
                    if items.len() == 1 { "," } else { "" }
                )
            }
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Const(c) => write!(f, "{c}"),
            Value::Module(m) => write!(f, "<module {m}>"),
            Value::Function(n) => write!(f, "<function {n}>"),
            Value::Dispatcher(id) => write!(f, "<jitted #{id}>"),
            Value::ExceptionClass(n) => write!(f, "<exception {n}>"),
            Value::Type(t) => write!(f, "<type {t}>"),
            Value::Opaque(d) => write!(f, "<{d}>"),
        }
    }
}

/// An `Env` over a fixed table, for tests and tools that run without Python:
/// the modules `math`, `numpy` (as `np`), `cmath` and `oxjit`, Python's
/// builtins and exception classes, plus whatever globals are inserted.
#[derive(Default)]
pub struct TableEnv {
    pub globals: std::collections::HashMap<String, Value>,
}

const BUILTIN_FUNCTIONS: &[&str] = &[
    "abs",
    "min",
    "max",
    "int",
    "float",
    "bool",
    "complex",
    "round",
    "len",
    "range",
    "print",
    "sum",
    "pow",
    "divmod",
    "list",
    "sorted",
    "enumerate",
    "zip",
    "dict",
    "set",
    "any",
    "all",
    "reversed",
    "tuple",
    "str",
    "repr",
    "format",
    "ord",
    "chr",
];
const BUILTIN_EXCEPTIONS: &[&str] = &[
    "Exception",
    "ValueError",
    "TypeError",
    "IndexError",
    "KeyError",
    "ZeroDivisionError",
    "ArithmeticError",
    "OverflowError",
    "RuntimeError",
    "AssertionError",
    "NotImplementedError",
];

impl Env for TableEnv {
    fn global(&mut self, name: &str) -> Option<Value> {
        if let Some(v) = self.globals.get(name) {
            return Some(v.clone());
        }
        match name {
            "math" | "cmath" => Some(Value::Module(name.into())),
            "np" | "numpy" => Some(Value::Module("numpy".into())),
            "oxjit" | "numba" => Some(Value::Module("oxjit".into())),
            "prange" => Some(Value::Function("oxjit.prange".into())),
            _ if BUILTIN_FUNCTIONS.contains(&name) => {
                Some(Value::Function(format!("builtins.{name}")))
            }
            _ if BUILTIN_EXCEPTIONS.contains(&name) => Some(Value::ExceptionClass(name.into())),
            _ => None,
        }
    }

    fn attribute(&mut self, module: &str, name: &str) -> Option<Value> {
        let c = |x: f64| Some(Value::Const(Const::Float(x)));
        match (module, name) {
            ("math" | "numpy", "pi") => c(std::f64::consts::PI),
            ("math" | "numpy", "e") => c(std::f64::consts::E),
            ("math" | "numpy", "inf") => c(f64::INFINITY),
            ("math" | "numpy", "nan") => c(f64::NAN),
            ("numpy", "random") => Some(Value::Module("numpy.random".into())),
            (_, n) if n.starts_with('_') || n == "nonexistent" => None,
            _ => Some(Value::Function(format!("{module}.{name}"))),
        }
    }
}

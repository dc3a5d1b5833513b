//! The type language shared by every compiler stage: scalars with NumPy's
//! widths, arrays (dtype, ndim, layout), tuples, lists and `none`. Types print the
//! way Numba prints them (`float64`, `array(float64, 2d, C)`,
//! `UniTuple(int64 x 2)`), and signature strings parse back into them.

mod promote;
mod signature;

pub use promote::{common_scalar, unify};
pub use signature::{parse_ir_type_prefix, parse_signature, parse_type, Signature};

use oxjit_abi::desc::{tag, Desc, Repr};
use std::fmt;

/// Scalar types. `PyInt`, `PyFloat` and `PyComplex` are values that are Python
/// `int`/`float`/`complex` objects (arguments, literals and arithmetic on
/// them): they are stored as int64/float64/complex128 but are *weak* in
/// NumPy's promotion (NEP 50), so `np.float32(x) * 2.0` stays float32, and
/// they box back into Python objects rather than NumPy scalars.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scalar {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    C64,
    C128,
    PyInt,
    PyFloat,
    PyComplex,
}

/// The NumPy kind of a scalar, ordered as NumPy orders kinds for promotion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Bool,
    Int,
    Float,
    Complex,
}

impl Scalar {
    pub const ALL_STRONG: [Scalar; 13] = [
        Scalar::Bool,
        Scalar::I8,
        Scalar::I16,
        Scalar::I32,
        Scalar::I64,
        Scalar::U8,
        Scalar::U16,
        Scalar::U32,
        Scalar::U64,
        Scalar::F32,
        Scalar::F64,
        Scalar::C64,
        Scalar::C128,
    ];

    pub fn kind(self) -> Kind {
        use Scalar::*;
        match self {
            Bool => Kind::Bool,
            I8 | I16 | I32 | I64 | U8 | U16 | U32 | U64 | PyInt => Kind::Int,
            F32 | F64 | PyFloat => Kind::Float,
            C64 | C128 | PyComplex => Kind::Complex,
        }
    }

    pub fn is_weak(self) -> bool {
        matches!(self, Scalar::PyInt | Scalar::PyFloat | Scalar::PyComplex)
    }

    /// The NumPy type a weak scalar is stored as; strong scalars map to themselves.
    pub fn strong(self) -> Scalar {
        match self {
            Scalar::PyInt => Scalar::I64,
            Scalar::PyFloat => Scalar::F64,
            Scalar::PyComplex => Scalar::C128,
            s => s,
        }
    }

    pub fn is_int(self) -> bool {
        self.kind() == Kind::Int
    }
    pub fn is_float(self) -> bool {
        self.kind() == Kind::Float
    }
    pub fn is_complex(self) -> bool {
        self.kind() == Kind::Complex
    }
    pub fn is_signed(self) -> bool {
        matches!(
            self,
            Scalar::I8 | Scalar::I16 | Scalar::I32 | Scalar::I64 | Scalar::PyInt
        )
    }

    /// Storage size in bytes (bool is one byte, complex is two floats).
    pub fn size(self) -> usize {
        use Scalar::*;
        match self.strong() {
            Bool | I8 | U8 => 1,
            I16 | U16 => 2,
            I32 | U32 | F32 => 4,
            I64 | U64 | F64 | C64 => 8,
            C128 => 16,
            PyInt | PyFloat | PyComplex => unreachable!("strong() removed weak types"),
        }
    }

    pub fn align(self) -> usize {
        match self.strong() {
            Scalar::C64 => 4,
            Scalar::C128 => 8,
            s => s.size(),
        }
    }

    /// Bits of the integer or of one float component.
    pub fn bits(self) -> u32 {
        match self.strong() {
            Scalar::C64 => 32,
            Scalar::C128 => 64,
            s => s.size() as u32 * 8,
        }
    }

    /// The float type holding one component of this complex or float type.
    pub fn component(self) -> Scalar {
        match self {
            Scalar::C64 => Scalar::F32,
            Scalar::C128 => Scalar::F64,
            Scalar::PyComplex => Scalar::PyFloat,
            s => s,
        }
    }

    /// Numba's name, also NumPy's dtype name.
    pub fn name(self) -> &'static str {
        use Scalar::*;
        match self {
            Bool => "bool",
            I8 => "int8",
            I16 => "int16",
            I32 => "int32",
            I64 | PyInt => "int64",
            U8 => "uint8",
            U16 => "uint16",
            U32 => "uint32",
            U64 => "uint64",
            F32 => "float32",
            F64 | PyFloat => "float64",
            C64 => "complex64",
            C128 | PyComplex => "complex128",
        }
    }

    /// NumPy's type character (the weak Python scalars as their NumPy types).
    pub fn numpy_char(self) -> u8 {
        use Scalar::*;
        match self.strong() {
            Bool => b'?',
            I8 => b'b',
            I16 => b'h',
            I32 => b'i',
            I64 => b'q',
            U8 => b'B',
            U16 => b'H',
            U32 => b'I',
            U64 => b'Q',
            F32 => b'f',
            F64 => b'd',
            C64 => b'F',
            C128 => b'D',
            PyInt | PyFloat | PyComplex => unreachable!("strong() removed weak types"),
        }
    }

    /// The scalar of NumPy's one-character type code, used to key dtypes.
    pub fn from_numpy_char(c: u8) -> Option<Scalar> {
        use Scalar::*;
        Some(match c {
            b'?' => Bool,
            b'b' => I8,
            b'h' => I16,
            b'i' => I32,
            b'l' | b'q' => I64,
            b'B' => U8,
            b'H' => U16,
            b'I' => U32,
            b'L' | b'Q' => U64,
            b'f' => F32,
            b'd' => F64,
            b'F' => C64,
            b'D' => C128,
            _ => return None,
        })
    }
}

/// Memory layout of an array, part of its type so that contiguous loops
/// can be compiled with unit strides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    C,
    F,
    A,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArrayType {
    pub dtype: Scalar,
    pub ndim: u8,
    pub layout: Layout,
    /// A read-only array (NumPy's `WRITEABLE` flag off), as are views of
    /// one: compiled code may not write into it.
    pub readonly: bool,
}

impl ArrayType {
    /// A writable array.
    pub fn new(dtype: Scalar, ndim: u8, layout: Layout) -> ArrayType {
        ArrayType {
            dtype,
            ndim,
            layout,
            readonly: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Scalar(Scalar),
    Array(ArrayType),
    Tuple(Vec<Type>),
    None,
    /// A NumPy dtype as a compile-time value (`a.dtype`, `np.dtype("f8")`):
    /// it has no run-time data, its type says everything.
    DType(Scalar),
    /// A NumPy scalar type as a value (`np.float64`, `a.dtype.type`,
    /// `float`): a dtype that can also be called to convert.
    Class(Scalar),
    /// A list of items of one type, shared by reference (`[1, 2]`, a
    /// Python list argument).
    List(Box<Type>),
    /// A dict from keys of one type to values of one type, shared by
    /// reference, in insertion order (`{1: 2.0}`, `{}`).
    Dict(Box<Type>, Box<Type>),
    /// A Python `str`: immutable Unicode text shared by reference.
    Str,
    /// A set of items of one type, shared by reference, iterated in the
    /// order of its hash table (CPython's, for numbers).
    Set(Box<Type>),
    /// A `range` object as a value (`r = range(n)`, a range argument): its
    /// start, stop and step, in the memory form of [`Type::range_fields`].
    Range,
    /// A value of the inner type or None (a variable assigned both, a
    /// function returning both: Numba's `OptionalType`), stored as
    /// [`Type::optional_fields`]: the value, zeroed when None, and whether
    /// there is one.
    Optional(Box<Type>),
    /// A jitted function as a value (passed as an argument, held in a
    /// variable), by its dispatcher's id: zero-sized, so a function that
    /// takes one is specialised on it and calls it directly.
    Function(u64),
    /// A function defined in compiled code (`def` inside a function, a
    /// `lambda`), by its id (the driver's, as for `Function`), with the
    /// types of the values it captured where it was defined: its value is
    /// the tuple of those values, passed before its own arguments. (Boxed
    /// so that a `Type` stays three words.)
    Closure(Box<(u64, Vec<Type>)>),
    /// An exception object: bound by `except E as e`, or made by raising
    /// with run-time arguments. A reference to the runtime's exception
    /// object (its class and arguments); its class is not part of the type.
    Exception,
    /// The item type of an empty list literal (`[]`) before inference has
    /// seen what goes in it; it never reaches verified typed IR.
    Undefined,
}

impl Type {
    pub const BOOL: Type = Type::Scalar(Scalar::Bool);
    pub const INT: Type = Type::Scalar(Scalar::PyInt);
    pub const I64: Type = Type::Scalar(Scalar::I64);
    pub const FLOAT: Type = Type::Scalar(Scalar::PyFloat);
    pub const F64: Type = Type::Scalar(Scalar::F64);

    pub fn scalar(&self) -> Option<Scalar> {
        match self {
            Type::Scalar(s) => Some(*s),
            _ => None,
        }
    }
    pub fn array(&self) -> Option<ArrayType> {
        match self {
            Type::Array(a) => Some(*a),
            _ => None,
        }
    }
    pub fn is_int(&self) -> bool {
        self.scalar().is_some_and(Scalar::is_int)
    }
    /// A list's item type.
    pub fn list_item(&self) -> Option<&Type> {
        match self {
            Type::List(item) => Some(item),
            _ => None,
        }
    }

    /// A set's item type.
    pub fn set_item(&self) -> Option<&Type> {
        match self {
            Type::Set(item) => Some(item),
            _ => None,
        }
    }

    /// A dict's key and value types.
    pub fn dict_types(&self) -> Option<(&Type, &Type)> {
        match self {
            Type::Dict(k, v) => Some((k, v)),
            _ => None,
        }
    }

    /// Whether the type has a part inference has not determined.
    pub fn is_undefined(&self) -> bool {
        match self {
            Type::Undefined => true,
            Type::List(item) | Type::Set(item) | Type::Optional(item) => item.is_undefined(),
            Type::Dict(k, v) => k.is_undefined() || v.is_undefined(),
            Type::Tuple(items) => items.iter().any(Type::is_undefined),
            _ => false,
        }
    }

    /// The element type a dtype value or scalar type stands for.
    pub fn dtype_value(&self) -> Option<Scalar> {
        match self {
            Type::DType(s) | Type::Class(s) => Some(*s),
            _ => None,
        }
    }

    /// The type with int64/float64/complex128 scalars (also inside tuples)
    /// replaced by the Python scalars they stand for in a Numba signature.
    pub fn weakened(&self) -> Type {
        match self {
            Type::Scalar(Scalar::I64) => Type::INT,
            Type::Scalar(Scalar::F64) => Type::FLOAT,
            Type::Scalar(Scalar::C128) => Type::Scalar(Scalar::PyComplex),
            Type::Tuple(items) => Type::Tuple(items.iter().map(Type::weakened).collect()),
            Type::List(item) => Type::List(Box::new(item.weakened())),
            Type::Set(item) => Type::Set(Box::new(item.weakened())),
            Type::Dict(k, v) => Type::Dict(Box::new(k.weakened()), Box::new(v.weakened())),
            Type::Optional(t) => Type::Optional(Box::new(t.weakened())),
            t => t.clone(),
        }
    }

    /// The runtime type descriptor of this type (see `oxjit_abi::desc`).
    pub fn descriptor(&self) -> Vec<u64> {
        let mut words = vec![];
        self.encode(&mut words);
        words
    }

    fn encode(&self, w: &mut Vec<u64>) {
        match self {
            Type::None => w.push(tag::NONE),
            Type::DType(s) => w.extend([tag::DTYPE, s.numpy_char() as u64, 0]),
            Type::Class(s) => w.extend([tag::DTYPE, s.numpy_char() as u64, 1]),
            Type::Scalar(s) => w.extend([tag::SCALAR, s.numpy_char() as u64]),
            Type::Array(a) => w.extend([
                tag::ARRAY,
                a.dtype.numpy_char() as u64,
                a.ndim as u64,
                a.layout as u64,
            ]),
            Type::Tuple(items) => {
                w.extend([tag::TUPLE, items.len() as u64]);
                items.iter().for_each(|t| t.encode(w));
            }
            Type::List(item) => {
                w.push(tag::LIST);
                item.encode(w);
            }
            Type::Dict(k, v) => {
                w.push(tag::DICT);
                k.encode(w);
                v.encode(w);
            }
            Type::Str => w.push(tag::STR),
            Type::Range => w.push(tag::RANGE),
            Type::Exception => w.push(tag::EXCEPTION),
            Type::Optional(t) => {
                w.push(tag::OPTIONAL);
                t.encode(w);
            }
            Type::Function(id) => w.extend([tag::FUNCTION, *id]),
            // In memory, the captured values.
            Type::Closure(c) => Type::Tuple(c.1.clone()).encode(w),
            Type::Set(item) => {
                w.push(tag::SET);
                item.encode(w);
            }
            // Only met while inferring, where only the list's own form
            // (one reference, whatever its items) is asked for.
            Type::Undefined => w.push(tag::NONE),
        }
    }

    /// This type's in-memory form (C layout): how arguments and results
    /// cross between Rust and compiled code, and what code generation
    /// lowers it to. Defined once per kind, by its descriptor.
    pub fn repr(&self) -> Repr {
        Desc::new(&self.descriptor()).repr()
    }

    /// Byte size and alignment of this type's in-memory form.
    pub fn size_align(&self) -> (usize, usize) {
        self.repr().size_align()
    }

    /// Byte offsets of a tuple's fields in its C layout.
    pub fn field_offsets(items: &[Type]) -> Vec<usize> {
        oxjit_abi::desc::c_layout(items.iter().map(Type::size_align)).0
    }

    /// The tuple a range is stored as: `(start, stop, step)`, `int64`s.
    pub fn range_fields() -> Type {
        Type::Tuple(vec![Type::I64; 3])
    }

    /// The tuple an optional of `value` is stored as: the value and
    /// whether there is one.
    pub fn optional_fields(value: &Type) -> Type {
        Type::Tuple(vec![value.clone(), Type::BOOL])
    }

    /// Whether a value of this type may be None instead (an optional):
    /// values with data, not zero-sized ones (a dtype), nor an optional
    /// again, nor an undefined item type.
    pub fn optional_ok(&self) -> bool {
        !matches!(self, Type::None | Type::Optional(_) | Type::Undefined)
            && !self.is_undefined()
            && self.size_align().0 > 0
    }

    /// An optional's value type.
    pub fn optional_value(&self) -> Option<&Type> {
        match self {
            Type::Optional(t) => Some(t),
            _ => None,
        }
    }

    /// Whether values of this type hold references the runtime counts.
    pub fn is_managed(&self) -> bool {
        self.repr().is_managed()
    }
}

impl fmt::Display for Scalar {
    /// `{}` prints Numba's name; `{:#}` marks the weak Python scalars
    /// (`pyint`, `pyfloat`, `pycomplex`) for compiler dumps.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            match self {
                Scalar::PyInt => return f.write_str("pyint"),
                Scalar::PyFloat => return f.write_str("pyfloat"),
                Scalar::PyComplex => return f.write_str("pycomplex"),
                _ => {}
            }
        }
        f.write_str(self.name())
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layout::C => "C",
            Layout::F => "F",
            Layout::A => "A",
        })
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let alt = f.alternate();
        let show = |t: &Type| if alt { format!("{t:#}") } else { t.to_string() };
        match self {
            Type::Scalar(s) => {
                if alt {
                    write!(f, "{s:#}")
                } else {
                    write!(f, "{s}")
                }
            }
            Type::Array(a) => {
                if a.readonly {
                    f.write_str("readonly ")?;
                }
                write!(f, "array({}, {}d, {})", a.dtype, a.ndim, a.layout)
            }
            Type::Tuple(items) if !items.is_empty() && items.iter().all(|t| t == &items[0]) => {
                write!(f, "UniTuple({} x {})", show(&items[0]), items.len())
            }
            Type::Tuple(items) => {
                let inner: Vec<String> = items.iter().map(show).collect();
                write!(f, "Tuple({})", inner.join(", "))
            }
            Type::None => f.write_str("none"),
            Type::DType(s) => write!(f, "dtype({s})"),
            Type::Class(s) => write!(f, "class({s})"),
            Type::List(item) => write!(f, "list({})", show(item)),
            Type::Dict(k, v) => write!(f, "dict({}, {})", show(k), show(v)),
            Type::Str => f.write_str("unicode_type"),
            Type::Set(item) => write!(f, "set({})", show(item)),
            Type::Range => f.write_str("range_state64"),
            Type::Optional(t) => write!(f, "OptionalType({})", show(t)),
            Type::Function(id) => write!(f, "function(#{id})"),
            Type::Closure(c) => {
                let inner: Vec<String> = c.1.iter().map(show).collect();
                write!(f, "closure(#{}; {})", c.0, inner.join(", "))
            }
            Type::Exception => f.write_str("exception"),
            Type::Undefined => f.write_str("undefined"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_numba() {
        let a = Type::Array(ArrayType::new(Scalar::F64, 2, Layout::C));
        assert_eq!(a.to_string(), "array(float64, 2d, C)");
        let ro = ArrayType {
            readonly: true,
            ..ArrayType::new(Scalar::I8, 1, Layout::A)
        };
        assert_eq!(Type::Array(ro).to_string(), "readonly array(int8, 1d, A)");
        assert_eq!(
            Type::Tuple(vec![Type::INT, Type::INT]).to_string(),
            "UniTuple(int64 x 2)"
        );
        assert_eq!(
            Type::Tuple(vec![Type::INT, Type::F64]).to_string(),
            "Tuple(int64, float64)"
        );
        assert_eq!(
            format!("{:#}", Type::Tuple(vec![Type::INT, Type::F64])),
            "Tuple(pyint, float64)"
        );
    }

    #[test]
    fn scalar_sizes_are_their_memory_forms() {
        for s in Scalar::ALL_STRONG {
            assert_eq!(Type::Scalar(s).size_align(), (s.size(), s.align()), "{s}");
            assert_eq!(Scalar::from_numpy_char(s.numpy_char()), Some(s));
        }
    }

    #[test]
    fn tuple_layout_is_c_layout() {
        let t = [Type::BOOL, Type::F64, Type::Scalar(Scalar::I32)];
        assert_eq!(Type::field_offsets(&t), vec![0, 8, 16]);
        assert_eq!(Type::Tuple(t.to_vec()).size_align(), (24, 8));
    }
}

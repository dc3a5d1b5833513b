//! Runtime type descriptors and memory representations: the per-type
//! description every stage derives its handling of a value from.
//!
//! A [`Desc`] is a type written as `u64` words in pre-order, so that it can
//! describe any nesting of kinds and cross the C ABI as a pointer:
//!
//! ```text
//! [NONE]                        the value None
//! [SCALAR, dtype]               a number; dtype is NumPy's type character
//! [ARRAY, dtype, ndim, layout]  an array (layout 0 C, 1 F, 2 A)
//! [TUPLE, n, item_1 ... item_n] a tuple of n items, each a descriptor
//! [DTYPE, dtype, class]         a dtype value (class 0) or a NumPy scalar
//!                               type (class 1): no run-time data
//! [LIST, item]                  a list of items of one type (a reference
//!                               to the runtime's `ListHeader`)
//! [DICT, key, value]            a dict (a reference to the runtime's
//!                               `DictHeader`)
//! [STR]                         a str (a reference to the runtime's
//!                               `StrHeader` and its UTF-8 bytes)
//! [SET, item]                   a set (a reference to the runtime's
//!                               `SetHeader`)
//! [RANGE]                       a range object: its start, stop and
//!                               step as three `int64`s
//! [OPTIONAL, value]             a value or None: the value (zeroed when
//!                               None), then a byte 1 if there is one
//! [FUNCTION, id]                a jitted function as a value (the
//!                               dispatcher `id`): no run-time data
//! [EXCEPTION]                   a caught or constructed exception (a
//!                               reference to the runtime's exception
//!                               object: class and arguments)
//! ```
//!
//! [`Desc::repr`] is the one place that says how each kind is laid out in
//! memory ([`Repr`]): its fields, which of them are references counted by
//! the runtime ([`Repr::MemInfo`]), its size and alignment (C layout). The
//! compiler's type sizes, the LLVM types, reference counting in generated
//! code and the runtime's reading of arguments all follow from it; adding
//! a kind of type means adding its tag, its words and its representation
//! here.

/// The first word of each descriptor node.
pub mod tag {
    pub const NONE: u64 = 0;
    pub const SCALAR: u64 = 1;
    pub const ARRAY: u64 = 2;
    pub const TUPLE: u64 = 3;
    pub const DTYPE: u64 = 4;
    pub const LIST: u64 = 5;
    pub const DICT: u64 = 6;
    pub const STR: u64 = 7;
    pub const SET: u64 = 8;
    pub const RANGE: u64 = 9;
    pub const OPTIONAL: u64 = 10;
    pub const FUNCTION: u64 = 11;
    pub const EXCEPTION: u64 = 12;
}

/// The kind of a descriptor node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    None,
    Scalar,
    Array,
    Tuple,
    DType,
    List,
    Dict,
    Str,
    Set,
    Range,
    Optional,
    Function,
    Exception,
}

/// A view of one descriptor node (and, for tuples, its items after it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Desc<'a> {
    words: &'a [u64],
}

impl<'a> Desc<'a> {
    /// The descriptor at the start of `words`.
    ///
    /// # Panics
    /// If `words` does not start with a well-formed descriptor.
    pub fn new(words: &'a [u64]) -> Desc<'a> {
        let d = Desc { words };
        assert!(d.width() <= words.len(), "truncated type descriptor");
        d
    }

    /// The descriptor `p` points at.
    ///
    /// # Safety
    /// `p` must point at a well-formed descriptor that outlives `'a`.
    #[inline]
    pub unsafe fn from_ptr(p: *const u64) -> Desc<'a> {
        unsafe fn width_at(p: *const u64) -> usize {
            match *p {
                tag::TUPLE => (0..*p.add(1)).fold(2, |w, _| w + width_at(p.add(w))),
                tag::LIST | tag::SET | tag::OPTIONAL => 1 + width_at(p.add(1)),
                tag::DICT => {
                    let key = width_at(p.add(1));
                    1 + key + width_at(p.add(1 + key))
                }
                t => node_width(&[t]).expect("bad type descriptor tag"),
            }
        }
        // Nodes of a fixed width (most result types) need no walk.
        let width = match node_width(&[*p]) {
            Some(w) => w,
            None => width_at(p),
        };
        // The words span exactly the width just measured.
        Desc {
            words: std::slice::from_raw_parts(p, width),
        }
    }

    pub fn kind(&self) -> Kind {
        match self.words[0] {
            tag::NONE => Kind::None,
            tag::SCALAR => Kind::Scalar,
            tag::ARRAY => Kind::Array,
            tag::TUPLE => Kind::Tuple,
            tag::DTYPE => Kind::DType,
            tag::LIST => Kind::List,
            tag::DICT => Kind::Dict,
            tag::STR => Kind::Str,
            tag::SET => Kind::Set,
            tag::RANGE => Kind::Range,
            tag::OPTIONAL => Kind::Optional,
            tag::FUNCTION => Kind::Function,
            tag::EXCEPTION => Kind::Exception,
            t => panic!("bad type descriptor tag {t}"),
        }
    }

    /// NumPy's type character of a scalar or of an array's elements.
    pub fn dtype(&self) -> u8 {
        match self.kind() {
            Kind::Scalar | Kind::Array | Kind::DType => self.words[1] as u8,
            _ => panic!("{:?} has no dtype", self.kind()),
        }
    }

    /// An array's number of dimensions; 0 for every other kind.
    pub fn ndim(&self) -> usize {
        match self.kind() {
            Kind::Array => self.words[2] as usize,
            _ => 0,
        }
    }

    /// An array's layout (0 C, 1 F, 2 A).
    pub fn layout(&self) -> u8 {
        match self.kind() {
            Kind::Array => self.words[3] as u8,
            _ => 0,
        }
    }

    /// A tuple's items (none for other kinds).
    pub fn items(&self) -> Vec<Desc<'a>> {
        if self.kind() != Kind::Tuple {
            return vec![];
        }
        let mut at = 2;
        (0..self.words[1])
            .map(|_| {
                let d = Desc::new(&self.words[at..]);
                at += d.width();
                d
            })
            .collect()
    }

    /// A list's item type.
    pub fn list_item(&self) -> Option<Desc<'a>> {
        (self.kind() == Kind::List).then(|| Desc::new(&self.words[1..]))
    }

    /// A set's item type.
    pub fn set_item(&self) -> Option<Desc<'a>> {
        (self.kind() == Kind::Set).then(|| Desc::new(&self.words[1..]))
    }

    /// An optional's value type.
    pub fn optional_value(&self) -> Option<Desc<'a>> {
        (self.kind() == Kind::Optional).then(|| Desc::new(&self.words[1..]))
    }

    /// A dict's key and value types.
    pub fn dict_types(&self) -> Option<(Desc<'a>, Desc<'a>)> {
        (self.kind() == Kind::Dict).then(|| {
            let key = Desc::new(&self.words[1..]);
            (key, Desc::new(&self.words[1 + key.width()..]))
        })
    }

    /// The number of words this node spans, items included.
    pub fn width(&self) -> usize {
        match self.kind() {
            Kind::Tuple => 2 + self.items().iter().map(Desc::width).sum::<usize>(),
            Kind::List | Kind::Set | Kind::Optional => 1 + Desc::new(&self.words[1..]).width(),
            Kind::Dict => {
                let (k, v) = self.dict_types().unwrap();
                1 + k.width() + v.width()
            }
            _ => node_width(self.words).unwrap(),
        }
    }

    /// The words of this node.
    pub fn words(&self) -> &'a [u64] {
        &self.words[..self.width()]
    }

    /// How a value of this type is laid out in memory.
    pub fn repr(&self) -> Repr {
        match self.kind() {
            Kind::None | Kind::DType | Kind::Function => Repr::Struct(vec![]),
            Kind::Scalar => scalar_repr(self.dtype()),
            // meminfo, parent, nitems, itemsize, data, shape, strides (bytes).
            Kind::Array => {
                let dims = || Repr::Fixed(Box::new(Repr::Int(8)), self.ndim());
                Repr::Struct(vec![
                    Repr::MemInfo,
                    Repr::Ptr,
                    Repr::Int(8),
                    Repr::Int(8),
                    Repr::Ptr,
                    dims(),
                    dims(),
                ])
            }
            Kind::Tuple => Repr::Struct(self.items().iter().map(Desc::repr).collect()),
            // The header and items live in the block the value references.
            Kind::List | Kind::Dict | Kind::Str | Kind::Set | Kind::Exception => Repr::MemInfo,
            Kind::Range => Repr::Struct(vec![Repr::Int(8); 3]),
            Kind::Optional => Repr::Struct(vec![Desc::new(&self.words[1..]).repr(), Repr::Bool]),
        }
    }
}

/// The width of a node that is not a tuple or list (`None` for those,
/// whose width depends on their items).
#[inline]
fn node_width(words: &[u64]) -> Option<usize> {
    match words[0] {
        tag::NONE => Some(1),
        tag::SCALAR => Some(2),
        tag::ARRAY => Some(4),
        tag::DTYPE => Some(3),
        tag::STR | tag::RANGE | tag::EXCEPTION => Some(1),
        tag::FUNCTION => Some(2),
        _ => None,
    }
}

/// The memory form of a number of NumPy type `dtype`.
fn scalar_repr(dtype: u8) -> Repr {
    match dtype {
        b'?' => Repr::Bool,
        b'b' | b'B' => Repr::Int(1),
        b'h' | b'H' => Repr::Int(2),
        b'i' | b'I' => Repr::Int(4),
        b'l' | b'L' | b'q' | b'Q' => Repr::Int(8),
        b'f' => Repr::Float(4),
        b'd' => Repr::Float(8),
        b'F' => Repr::Struct(vec![Repr::Float(4), Repr::Float(4)]),
        b'D' => Repr::Struct(vec![Repr::Float(8), Repr::Float(8)]),
        c => panic!("no memory form for dtype {:?}", c as char),
    }
}

/// A value's memory form, field by field, in C layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Repr {
    /// One byte, 0 or 1.
    Bool,
    /// An integer of this many bytes.
    Int(usize),
    /// A float of this many bytes.
    Float(usize),
    /// A pointer the value does not own.
    Ptr,
    /// A pointer to a reference-counted block the value holds a reference
    /// to (null when it holds none).
    MemInfo,
    /// `n` consecutive fields of one representation.
    Fixed(Box<Repr>, usize),
    /// Fields in order, each at the next offset its alignment allows.
    Struct(Vec<Repr>),
}

impl Repr {
    /// Size and alignment in bytes.
    pub fn size_align(&self) -> (usize, usize) {
        match self {
            Repr::Bool => (1, 1),
            Repr::Int(n) | Repr::Float(n) => (*n, *n),
            Repr::Ptr | Repr::MemInfo => (8, 8),
            Repr::Fixed(r, n) => {
                let (s, a) = r.size_align();
                (s * n, a)
            }
            Repr::Struct(fields) => {
                let (end, align) = c_layout(fields.iter().map(Repr::size_align)).1;
                (end.next_multiple_of(align), align)
            }
        }
    }

    /// The byte offsets of a struct's fields (none for other forms).
    pub fn field_offsets(&self) -> Vec<usize> {
        match self {
            Repr::Struct(fields) => c_layout(fields.iter().map(Repr::size_align)).0,
            _ => vec![],
        }
    }

    /// The field paths (indices into structs and fixed arrays) of every
    /// reference the value holds, in field order.
    pub fn meminfo_paths(&self) -> Vec<Vec<u32>> {
        let mut out = vec![];
        self.collect_meminfos(&mut vec![], &mut out);
        out
    }

    fn collect_meminfos(&self, at: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
        let mut visit = |i: usize, r: &Repr| {
            at.push(i as u32);
            r.collect_meminfos(at, out);
            at.pop();
        };
        match self {
            Repr::MemInfo => out.push(at.clone()),
            Repr::Fixed(r, n) => (0..*n).for_each(|i| visit(i, r)),
            Repr::Struct(fields) => fields.iter().enumerate().for_each(|(i, r)| visit(i, r)),
            Repr::Bool | Repr::Int(_) | Repr::Float(_) | Repr::Ptr => {}
        }
    }

    /// The byte offsets of the references [`Repr::meminfo_paths`] names.
    pub fn meminfo_offsets(&self) -> Vec<usize> {
        self.meminfo_paths()
            .iter()
            .map(|path| {
                let mut r = self;
                let mut at = 0;
                for &i in path {
                    r = match r {
                        Repr::Struct(fields) => {
                            at += r.field_offsets()[i as usize];
                            &fields[i as usize]
                        }
                        Repr::Fixed(item, _) => {
                            at += item.size_align().0 * i as usize;
                            item
                        }
                        _ => unreachable!("a field path runs through aggregates"),
                    };
                }
                at
            })
            .collect()
    }

    /// Whether the value holds references the runtime counts.
    pub fn is_managed(&self) -> bool {
        match self {
            Repr::MemInfo => true,
            Repr::Fixed(r, n) => *n > 0 && r.is_managed(),
            Repr::Struct(fields) => fields.iter().any(Repr::is_managed),
            Repr::Bool | Repr::Int(_) | Repr::Float(_) | Repr::Ptr => false,
        }
    }

    /// Whether a bool is among the fields (register and memory forms of
    /// bools differ in code generation).
    pub fn has_bool(&self) -> bool {
        match self {
            Repr::Bool => true,
            Repr::Fixed(r, _) => r.has_bool(),
            Repr::Struct(fields) => fields.iter().any(Repr::has_bool),
            Repr::Int(_) | Repr::Float(_) | Repr::Ptr | Repr::MemInfo => false,
        }
    }
}

/// C's layout of fields of these sizes and alignments: each field's offset,
/// and (the end of the last field, the largest alignment).
pub fn c_layout(fields: impl Iterator<Item = (usize, usize)>) -> (Vec<usize>, (usize, usize)) {
    let (mut end, mut align) = (0usize, 1usize);
    let offsets = fields
        .map(|(s, a)| {
            let here = end.next_multiple_of(a);
            end = here + s;
            align = align.max(a);
            here
        })
        .collect();
    (offsets, (end, align))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARRAY_2D: [u64; 4] = [tag::ARRAY, b'd' as u64, 2, 0];

    #[test]
    fn nested_heterogeneous_tuples_round_trip() {
        // (int64, (float32[:, :], bool), None)
        let words = [
            tag::TUPLE,
            3,
            tag::SCALAR,
            b'q' as u64,
            tag::TUPLE,
            2,
            tag::ARRAY,
            b'f' as u64,
            2,
            1,
            tag::SCALAR,
            b'?' as u64,
            tag::NONE,
        ];
        let d = Desc::new(&words);
        assert_eq!(d.width(), words.len());
        let items = d.items();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].dtype(), b'q');
        let inner = items[1].items();
        assert_eq!(
            (inner[0].dtype(), inner[0].ndim(), inner[0].layout()),
            (b'f', 2, 1)
        );
        assert_eq!(inner[1].kind(), Kind::Scalar);
        assert_eq!(items[2].kind(), Kind::None);
        // SAFETY: `words` is a well-formed descriptor.
        assert_eq!(unsafe { Desc::from_ptr(words.as_ptr()) }, d);
        // int64 at 0; the inner tuple (an array of 72 bytes, a bool) at 8.
        let r = d.repr();
        assert_eq!(r.field_offsets(), vec![0, 8, 88]);
        assert_eq!(r.size_align(), (88, 8));
        assert_eq!(r.meminfo_paths(), vec![vec![1, 0, 0]]);
        assert_eq!(r.meminfo_offsets(), vec![8]);
    }

    #[test]
    fn lists_are_one_reference_to_their_items() {
        let words = [
            tag::LIST,
            tag::TUPLE,
            2,
            tag::SCALAR,
            b'd' as u64,
            tag::NONE,
        ];
        let d = Desc::new(&words);
        assert_eq!((d.kind(), d.width()), (Kind::List, words.len()));
        assert_eq!(d.list_item().unwrap().items().len(), 2);
        // SAFETY: `words` is a well-formed descriptor.
        assert_eq!(unsafe { Desc::from_ptr(words.as_ptr()) }, d);
        assert_eq!(d.repr(), Repr::MemInfo);
        assert_eq!(d.repr().meminfo_offsets(), vec![0]);
    }

    #[test]
    fn dicts_are_one_reference_to_their_keys_and_values() {
        let words = [
            tag::DICT,
            tag::TUPLE,
            2,
            tag::SCALAR,
            b'q' as u64,
            tag::NONE,
            tag::LIST,
            tag::SCALAR,
            b'd' as u64,
        ];
        let d = Desc::new(&words);
        assert_eq!((d.kind(), d.width()), (Kind::Dict, words.len()));
        let (k, v) = d.dict_types().unwrap();
        assert_eq!((k.kind(), v.kind()), (Kind::Tuple, Kind::List));
        // SAFETY: `words` is a well-formed descriptor.
        assert_eq!(unsafe { Desc::from_ptr(words.as_ptr()) }, d);
        assert_eq!(d.repr(), Repr::MemInfo);
    }

    #[test]
    fn arrays_are_the_runtime_header_then_extents_and_strides() {
        let r = Desc::new(&ARRAY_2D).repr();
        assert_eq!(r.size_align(), (8 * (5 + 2 * 2), 8));
        assert_eq!(r.field_offsets(), vec![0, 8, 16, 24, 32, 40, 56]);
        assert_eq!(r.meminfo_paths(), vec![vec![0]]);
        assert!(r.is_managed() && !r.has_bool());
    }

    #[test]
    fn scalars_have_their_c_sizes() {
        for (c, size) in [
            (b'?', 1),
            (b'h', 2),
            (b'I', 4),
            (b'q', 8),
            (b'f', 4),
            (b'F', 8),
            (b'D', 16),
        ] {
            let words = [tag::SCALAR, c as u64];
            let r = Desc::new(&words).repr();
            assert_eq!(r.size_align().0, size, "{}", c as char);
            assert!(!r.is_managed());
        }
    }
}

//! Typed IR: the output of type inference and the input of code generation.
//!
//! Every expression carries its `Type`; every operation is resolved, and all
//! implicit conversions are explicit `Cast`s, so code generation never decides
//! a type. Operands of `Binary` share the result type (except shifts and the
//! integer power, whose right operand is `int64`), operands of `Compare` share
//! one type. Runtime checks that raise (division by zero, negative integer
//! power) are explicit `Guard` nodes; raising statements name the exception
//! descriptor id registered with the runtime. A function returns an `i32`
//! status in compiled code: 0, or the id of the exception it raised.
//!
//! Arrays and lists are reference-counted values. Every evaluation of an array-typed
//! expression produces a new reference (an `Elementwise` allocates; a read
//! of a local, a view or a tuple item adds a reference to the same memory);
//! locals own the reference they hold; arguments are borrowed by the callee;
//! a returned value is owned by the caller. Code generation inserts the
//! increments and decrements (also on exception paths) so that every
//! allocation is freed exactly once.

mod parse;
mod print;
mod verify;
mod walk;

pub use parse::{parse_functions, ParseError};
pub use print::print_function;
pub use verify::verify;
pub use walk::{assigned, walk, Node};

use oxjit_diag::Span;
use oxjit_types::{Scalar, Type};

pub use oxjit_types;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: Type,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ErrorModel {
    /// Division by zero raises `ZeroDivisionError`, as in Python.
    #[default]
    Python,
    /// Division by zero gives inf/nan (floats) or 0 (integers), as in NumPy.
    Numpy,
}

/// The fast-math flags `fastmath=` asks for (`True` sets all), bit for bit
/// LLVM-C's `LLVMFastMathFlags`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct FastMath(pub u32);

impl FastMath {
    pub const REASSOC: u32 = 1;
    pub const NNAN: u32 = 2;
    pub const NINF: u32 = 4;
    pub const NSZ: u32 = 8;
    pub const ARCP: u32 = 16;
    pub const CONTRACT: u32 = 32;
    pub const AFN: u32 = 64;
    pub const ALL: FastMath = FastMath(127);
    /// The flags by their Numba/LLVM names.
    pub const NAMES: [(&'static str, u32); 7] = [
        ("reassoc", Self::REASSOC),
        ("nnan", Self::NNAN),
        ("ninf", Self::NINF),
        ("nsz", Self::NSZ),
        ("arcp", Self::ARCP),
        ("contract", Self::CONTRACT),
        ("afn", Self::AFN),
    ];

    pub fn has(self, flag: u32) -> bool {
        self.0 & flag != 0
    }
    pub fn any(self) -> bool {
        self.0 != 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Flags {
    pub boundscheck: bool,
    pub error_model: ErrorModel,
    pub fastmath: FastMath,
    /// `parallel=True`: `prange` loops run on the thread pool.
    pub parallel: bool,
    /// `inline='always'`: every call of the function is inlined.
    pub inline_always: bool,
}

#[derive(Clone, Debug)]
pub struct Function {
    /// The Python name, for messages.
    pub name: String,
    /// Unique symbol of the compiled function.
    pub symbol: String,
    /// Parameter `i` is `LocalId(i)`.
    pub nparams: usize,
    pub locals: Vec<Local>,
    pub ret: Type,
    pub body: Vec<Stmt>,
    pub flags: Flags,
}

impl Stmt {
    /// The expressions and nested statement blocks of this statement.
    pub fn parts(&self) -> (Vec<&Expr>, Vec<&[Stmt]>) {
        match &self.kind {
            StmtKind::Assign(_, e) | StmtKind::Expr(e) | StmtKind::Return(e) => (vec![e], vec![]),
            StmtKind::Store {
                array,
                indices,
                value,
                ..
            } => (
                std::iter::once(array)
                    .chain(indices)
                    .chain(std::iter::once(value))
                    .collect(),
                vec![],
            ),
            StmtKind::If { cond, then, orelse }
            | StmtKind::While {
                cond,
                body: then,
                orelse,
            } => (vec![cond], vec![then, orelse]),
            StmtKind::ForRange {
                start,
                stop,
                step,
                body,
                orelse,
                parallel,
                ..
            } => {
                let mut exprs = vec![start, stop, step];
                let mut blocks: Vec<&[Stmt]> = vec![body, orelse];
                for r in parallel.iter().flat_map(|p| &p.reductions) {
                    exprs.push(&r.identity);
                    blocks.push(&r.combine);
                }
                (exprs, blocks)
            }
            StmtKind::RaiseValue(e) => (vec![e], vec![]),
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finally,
            } => (
                vec![],
                std::iter::once(&body[..])
                    .chain(handlers.iter().map(|h| &h.body[..]))
                    .chain([&orelse[..], &finally[..]])
                    .collect(),
            ),
            StmtKind::Break | StmtKind::Continue | StmtKind::Raise(_) => (vec![], vec![]),
        }
    }
}

impl Function {
    pub fn local(&self, id: LocalId) -> &Local {
        &self.locals[id.0 as usize]
    }
    pub fn param_types(&self) -> impl Iterator<Item = &Type> {
        self.locals[..self.nparams].iter().map(|l| &l.ty)
    }
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    /// The value's type equals the local's type.
    Assign(LocalId, Expr),
    /// `array[indices] = value`; `value` has the array's dtype.
    Store {
        array: Expr,
        indices: Vec<Expr>,
        value: Expr,
        boundscheck: bool,
    },
    Expr(Expr),
    If {
        cond: Expr,
        then: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    /// `orelse` runs when the loop ends without `break`.
    While {
        cond: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    /// `for var in range(start, stop, step)`: all of `var`'s integer type.
    /// `step` is non-zero (guarded). `var` keeps its last value after the loop.
    /// With `parallel`, a `prange` loop whose iterations run on the thread
    /// pool (see [`Parallel`]).
    ForRange {
        var: LocalId,
        start: Expr,
        stop: Expr,
        step: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
        parallel: Option<Box<Parallel>>,
    },
    Break,
    Continue,
    /// The value has the function's return type.
    Return(Expr),
    /// Raise the exception whose descriptor id is given.
    Raise(u32),
    /// Raise an exception object (of type `exception`): a caught one again
    /// (`raise`, `raise e`), or one made with run-time arguments.
    RaiseValue(Expr),
    /// `try`: runs `body`; an exception it raises goes to the first handler
    /// whose classes match it (none matching: it propagates), and `orelse`
    /// runs when it raised none. `finally` runs on every way out of the
    /// statement: falling through, `return`, `break`, `continue`, and an
    /// exception that leaves it (which it then raises again).
    Try {
        body: Vec<Stmt>,
        handlers: Vec<Handler>,
        orelse: Vec<Stmt>,
        finally: Vec<Stmt>,
    },
}

/// `except classes as bind: body`.
#[derive(Clone, Debug)]
pub struct Handler {
    /// Exception class names (`oxjit_abi::exc`'s naming); empty catches
    /// every exception.
    pub classes: Vec<String>,
    /// The local of type `exception` the caught exception is stored in.
    pub bind: Option<LocalId>,
    pub body: Vec<Stmt>,
}

/// How a `prange` loop runs in parallel. The iterations are split into
/// chunks run by pool threads; every local the body assigns is private to a
/// chunk (it starts with the value it had before the loop and is not written
/// back), except the reductions, which each chunk accumulates from the
/// identity: scalar partial results are combined into the local after the
/// loop; an array reduction's chunk array is combined into the local's
/// array in place (`partial` holds that shared array, `combine` updates it)
/// at the end of each chunk, one chunk at a time. `var` too keeps its value
/// from before the loop.
#[derive(Clone, Debug)]
pub struct Parallel {
    pub reductions: Vec<ParReduction>,
    /// Chunks are handed out dynamically (uneven iterations) rather than one
    /// contiguous block per thread.
    pub dynamic: bool,
}

#[derive(Clone, Debug)]
pub struct ParReduction {
    pub local: LocalId,
    /// The combining operation, for messages: `+`, `*`, `|`, `&`, `^`, `min`, `max`.
    pub op: &'static str,
    /// The combining operation's identity, of the local's type.
    pub identity: Expr,
    /// A local of the same type that holds another partial result.
    pub partial: LocalId,
    /// Assigns `local` the combination of `local` and `partial`.
    pub combine: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    pub span: Span,
}

/// A constant; integers are stored as their two's-complement bits.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    Complex(f64, f64),
    /// A string literal (type `unicode_type`).
    Str(String),
    /// The one value of a zero-sized type: `None`, a dtype value, a scalar
    /// type (the expression's type says which). Prints as `None` or `unit`.
    Unit,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Const(ConstValue),
    Local(LocalId),
    /// Assigns the local and yields the value (used for evaluate-once temporaries).
    SetLocal(LocalId, Box<Expr>),
    /// Numeric conversion of a scalar to `self.ty` (Python/NumPy semantics:
    /// float→int truncates, int→bool and float→bool test non-zero, complex→real
    /// takes the real part); or an array seen with the general layout `A`
    /// (same dtype and ndim: the value is unchanged); or a value of a type
    /// and its stored form (a range and its fields); or a value or None
    /// made optional, or an optional's value (raising `TypeError` when it
    /// is None).
    Cast(Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// Both operands have the same scalar type; the result is `bool`.
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// Non-zero test of a scalar: `bool`.
    Truth(Box<Expr>),
    /// `then if cond else orelse`, evaluating only the chosen branch.
    IfExp(Box<Expr>, Box<Expr>, Box<Expr>),
    /// Evaluates the value; raises exception `exc` if `check` fails on it.
    Guard {
        value: Box<Expr>,
        check: Check,
        exc: u32,
    },
    Call(Intrinsic, Vec<Expr>),
    /// A call to another compiled function (emitted into the same module).
    CallFunc {
        symbol: String,
        args: Vec<Expr>,
    },
    Tuple(Vec<Expr>),
    TupleGet(Box<Expr>, usize),
    /// `array[indices]` with one integer index per dimension; negative indices
    /// count from the end.
    Index {
        array: Box<Expr>,
        indices: Vec<Expr>,
        boundscheck: bool,
    },

    // ---- Arrays as values. Every expression of array type yields a new
    // reference: code generation counts references (see the crate docs).
    /// An elementwise computation over a result shape, fused into one loop
    /// nest with no temporary arrays. The result shape is the broadcast
    /// (NumPy rules) of the array inputs' shapes and of `shape` if given;
    /// incompatible shapes raise `ValueError` naming them. `body` is a scalar
    /// expression of the result dtype over `ElemInput`/`ElemIndex`. Without
    /// `out` the result is a new C-contiguous array (`self.ty`); with `out`
    /// (an array whose shape is the result shape, e.g. a view for slice
    /// assignment or `a += b`) the elements are written into it and the
    /// expression has type `none`. Evaluation order, each once, before the
    /// loop: the `shape` extents, then `out`, then the inputs in order (so a
    /// temporary set by `SetLocal` in an extent may be read by an input).
    Elementwise {
        inputs: Vec<Expr>,
        body: Box<Expr>,
        shape: Option<Vec<Expr>>,
        out: Option<Box<Expr>>,
    },
    /// Inside an `Elementwise` body: input `k` at the current position (an
    /// array input's element, broadcast; a scalar input's value).
    ElemInput(usize),
    /// Inside an `Elementwise` body: the current index along result
    /// dimension `d` (`int64`).
    ElemIndex(usize),
    /// The whole body of an `Elementwise` with a `shape`, no inputs and no
    /// `out` (`np.empty`): the elements are left as allocated.
    Uninit,
    /// Basic indexing: a view sharing the array's memory. One entry per
    /// source dimension in order (missing trailing dimensions are taken
    /// whole), plus `NewAxis` entries inserting length-1 dimensions.
    View {
        array: Box<Expr>,
        dims: Vec<ViewDim>,
        boundscheck: bool,
    },
    /// A view with dimensions permuted: result dimension `i` is source
    /// dimension `axes[i]` (`.T` reverses them).
    Transpose {
        array: Box<Expr>,
        axes: Vec<usize>,
    },
    /// A view of a C-contiguous array with a new shape (`int64` extents, one
    /// of which may be -1 to infer it); a size mismatch raises `ValueError`.
    Reshape {
        array: Box<Expr>,
        shape: Vec<Expr>,
    },
    /// A reduction of an array (or `Elementwise`, fused) over all elements
    /// (`axis: None`, scalar result) or along one axis (array result with
    /// that axis removed). Result type: see `ReduceOp`.
    Reduce {
        op: ReduceOp,
        array: Box<Expr>,
        axis: Option<usize>,
        ddof: Option<Box<Expr>>,
    },
    /// An array operation implemented by the runtime function
    /// `oxjit_rt_af_<func.name()>` (ABI: `oxjit_runtime::abi`). Arguments are
    /// borrowed; the result (`self.ty`) is new. See `RuntimeFn` for each.
    RuntimeCall {
        func: RuntimeFn,
        args: Vec<Expr>,
    },
}

/// Declares [`RuntimeFn`], its symbol names and [`RuntimeFn::ALL`] from one
/// list, so that a test can check the runtime defines every one.
macro_rules! runtime_fn_enum {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// Runtime array functions: arguments → result type.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum RuntimeFn {
            $($(#[$doc])* $variant,)*
        }

        impl RuntimeFn {
            /// Every runtime array function.
            pub const ALL: &'static [RuntimeFn] = &[$(RuntimeFn::$variant),*];

            /// The runtime symbol is `oxjit_rt_af_` followed by this name.
            pub fn name(self) -> &'static str {
                match self {
                    $(RuntimeFn::$variant => $name,)*
                }
            }
        }
    };
}

runtime_fn_enum! {
    /// `(a)` → `a` sorted along its last axis (NaN last), a new C array.
    Sort = "sort",
    /// `(a)` 1-d → `int64` indices that sort it (stable).
    ArgSort = "argsort",
    /// `(a)` → tuple of `ndim` 1-d `int64` arrays of the indices of non-zero elements (C order).
    Nonzero = "nonzero",
    /// `(a, mask)` mask a `bool` array of `a`'s shape → 1-d array of the selected elements (`a[mask]`).
    Compress = "compress",
    /// `(a, mask, value)` → `none`: `a[mask] = value` (value a scalar of a's dtype, or a 1-d array with one element per selected position).
    MaskAssign = "mask_assign",
    /// `(a, index)` index a 1-d integer array → `a[index]` along axis 0 (negative indices wrap; out of range raises `IndexError`).
    Take = "take",
    /// `(a, index, value)` → `none`: `a[index] = value` along axis 0 of a 1-d `a` (value a scalar of a's dtype or a 1-d array of `len(index)`).
    TakeAssign = "take_assign",
    /// `(a)` → 1-d running sum of the flattened array (dtype as for `sum`); `(a, axis)` with an `int64` axis → same shape.
    CumSum = "cumsum",
    CumProd = "cumprod",
    /// `(a, b, matmul)` → NumPy's `dot`/`@` for 1-d and 2-d arrays of one float or complex dtype (1-d·1-d gives a scalar); `matmul` (`int64` 0/1) picks `@`'s shape-mismatch message.
    Dot = "dot",
    /// `(arrays, axis)`: a tuple of arrays of one dtype and ndim, an `int64` axis → `np.concatenate`.
    Concatenate = "concatenate",
    /// `(arrays, axis)` → `np.stack` (ndim + 1).
    Stack = "stack",
    /// `(a, shift)` → `np.roll` of the flattened array, reshaped back (no axis).
    Roll = "roll",
    /// `(a, nreps, *reps)` `int64` repetitions → `np.tile` (ndim is the larger of `a`'s and `nreps`).
    Tile = "tile",
    /// `(seed)` `int64` → `none`: seeds oxjit's generator (separate from NumPy's).
    RandomSeed = "random_seed",
    /// `(*shape)` `int64` extents → float64 in [0, 1): a scalar if no extents, else an array. NumPy's legacy `random_sample` stream.
    RandomSample = "random_sample",
    /// `(*shape)` → standard normal (legacy polar Box-Muller with the cached second value).
    RandomNormal = "random_normal",
    /// `(low, high, *shape)` float64 → uniform in [low, high).
    RandomUniform = "random_uniform",
    /// `(low, high, *shape)` `int64` → integers in [low, high) (`int64` result; legacy masked rejection).
    RandomInt = "random_int",
    /// `(a)` → `none`: shuffles `a` in place along axis 0 (legacy Fisher-Yates).
    RandomShuffle = "random_shuffle",
    /// `(x)` an `int64` or an array → a shuffled `arange(x)` or a shuffled copy of `x` (`permutation`).
    RandomPermutation = "random_permutation",
    /// `(a, replace, p, *shape)`: `a` an `int64` population size or 1-d array, `replace` `int64` 0/1, `p` a 1-d float64 array or `int64` 0 when absent → legacy `choice` (a scalar if no extents).
    RandomChoice = "random_choice",
    // ---- Lists (`l` a list; items are copied in with new references and
    // moved out with theirs; `x` is any number or tuple compared with
    // Python's `==`; absent `int64` bounds are `i64::MIN`).
    /// `(items, typed)` a tuple of the item type, `int64` 0/1 → a new list (a list literal; `typed` 1 for an `oxjit.typed.List`, which goes back to Python as one).
    ListNew = "list_new",
    /// `(l, x)` x of the item type → `none`.
    ListAppend = "list_append",
    /// `(l, i, x)` → `none`; the position is clamped as Python does.
    ListInsert = "list_insert",
    /// `(l, i)` `int64` → the item removed (`IndexError` when out of range or empty).
    ListPop = "list_pop",
    /// `(l, other)` a list of the same type → `none`.
    ListExtend = "list_extend",
    /// `(l)` → `none`.
    ListClear = "list_clear",
    ListReverse = "list_reverse",
    /// `(a, b)` → a new list `a + b`.
    ListConcat = "list_concat",
    /// `(l, n)` `int64` → a new list `l * n`.
    ListRepeat = "list_repeat",
    /// `(l, start, stop, step)` `int64` → a new list `l[start:stop:step]` (also `l.copy()`).
    ListSlice = "list_slice",
    /// `(l, x)` → `bool`: `x in l`.
    ListContains = "list_contains",
    /// `(l, x, start, stop)` → `int64` first position (`ValueError` when absent).
    ListIndex = "list_index",
    /// `(l, x)` → `int64` occurrences.
    ListCount = "list_count",
    /// `(l, x)` → `none`: removes the first occurrence (`ValueError` when absent).
    ListRemove = "list_remove",
    /// `(l, reverse)` `int64` 0/1 → `none`: stable sort in place.
    ListSort = "list_sort",
    /// `(a, b)` lists → `bool`: `a == b` item by item.
    ListEq = "list_eq",
    /// `(l, start, stop, step, items)` `int64` bounds, items a list of `l`'s type or `none` → `none`: `l[start:stop:step] = items` (`ValueError` for an extended slice of another length); `del l[start:stop:step]` for `none`.
    ListSetSlice = "list_set_slice",
    /// `(l, i)` `int64` → `none`: `del l[i]` (`IndexError` outside the list).
    ListDelItem = "list_del_item",
    // ---- Dicts (`d` a dict; `k` and `v` of its key and value types;
    // values read out are new references, removed ones move out).
    /// `(pairs, typed)` a tuple of (key, value) tuples, `int64` 0/1 → a new dict (a display; `typed` 1 for an `oxjit.typed.Dict`).
    DictNew = "dict_new",
    /// `(d, k, v)` → `none`: `d[k] = v`.
    DictSet = "dict_set",
    /// `(d, k)` → `d[k]` (`KeyError(k)` when absent).
    DictGet = "dict_get",
    /// `(d, k, default)` → `d.get(k, default)`.
    DictGetOr = "dict_get_or",
    /// `(d, k, default)` → `d.setdefault(k, default)`.
    DictSetDefault = "dict_setdefault",
    /// `(d, k)` → the value removed (`KeyError(k)` when absent).
    DictPop = "dict_pop",
    /// `(d, k, default)` → the value removed, or `default`.
    DictPopOr = "dict_pop_or",
    /// `(d, k)` → `none`: `del d[k]` (`KeyError(k)` when absent).
    DictDel = "dict_del",
    /// `(d)` → the last `(key, value)` pair, removed (`KeyError` when empty).
    DictPopItem = "dict_popitem",
    /// `(d, k)` → `bool`: `k in d`.
    DictContains = "dict_contains",
    /// `(d)` → `none`.
    DictClear = "dict_clear",
    /// `(d)` → a new dict with the same items.
    DictCopy = "dict_copy",
    /// `(d, other)` a dict of the same type → `none`.
    DictUpdate = "dict_update",
    /// `(a, b)` dicts → `bool`: `a == b`.
    DictEq = "dict_eq",
    /// `(d)` → `none`: before a loop over the dict, so that positions `0..len(d)` are its keys in order.
    DictEntries = "dict_entries",
    /// `(d, pos, n)` `int64`s → `bool` `pos < n`; `RuntimeError` if `len(d)` is no longer `n`.
    DictIterating = "dict_iterating",
    /// `(d, pos, part)` `int64`s → the key (part 0), value (1) or `(key, value)` (2) at `pos`.
    DictEntry = "dict_entry",
    /// `(d, part)` `int64` → a new list of the keys, values or `(key, value)` pairs.
    DictList = "dict_list",
    // ---- Sets (`s`, `a`, `b` sets of one item type; `x` of the item
    // type). The table and its order follow CPython's set, so sets of
    // numbers (and tuples of them) iterate as Python's do.
    /// `(items, constant)` a tuple of the item type, `int64` 0/1 → a new set, the items added in order (a display; `constant` 1 for a display of three or more constants, which CPython builds through a frozenset, so its order differs).
    SetNew = "set_new",
    /// `(s, x)` → `none`: `s.add(x)`.
    SetAdd = "set_add",
    /// `(s, x)` → `none`: `s.discard(x)`.
    SetDiscard = "set_discard",
    /// `(s, x)` → `none`: `s.remove(x)` (`KeyError(x)` when absent).
    SetRemove = "set_remove",
    /// `(s)` → the item removed (`KeyError('pop from an empty set')`).
    SetPop = "set_pop",
    /// `(s, x)` → `bool`: `x in s`.
    SetContains = "set_contains",
    /// `(s)` → `none`.
    SetClear = "set_clear",
    /// `(s)` → a new set with the same items (`s.copy()`, `set(s)`).
    SetCopy = "set_copy",
    /// `(a, b, op)` `int64` op 0 `|`, 1 `&`, 2 `-`, 3 `^` → a new set.
    SetOp = "set_op",
    /// `(a, b, op)` → `none`: `a` updated in place (`|=` `&=` `-=` `^=`, `update`, ...); op 4: `a` takes `b`'s table (and `b` `a`'s), as CPython's `intersection_update` does.
    SetOpUpdate = "set_op_update",
    /// `(a, b, op)` `int64` op 0 `==`, 1 `<=` (`issubset`), 2 `<`, 3 `isdisjoint` → `bool`.
    SetCompare = "set_compare",
    /// `(s, pos, n)` `int64`s → `bool` `pos < n`; `RuntimeError` if `len(s)` is no longer `n`.
    SetIterating = "set_iterating",
    /// `(s, pos)` `int64` → the item at position `pos` of the iteration order (in O(1) when positions are read in increasing order).
    SetEntry = "set_entry",
    /// `(s)` → a new list of the items in iteration order.
    SetList = "set_list",
    // ---- Strings (`s`, `sub`, ... strs; positions count code points;
    // absent `int64` bounds are `i64::MIN`; results are new strings).
    /// `(parts)` a tuple of strs → their concatenation (`a + b`, f-strings).
    StrConcat = "str_concat",
    /// `(s, n)` `int64` → `s * n`.
    StrRepeat = "str_repeat",
    /// `(a, b)` → `int64` -1, 0 or 1: code point order (`<`, `<=`, ...).
    StrCmp = "str_cmp",
    /// `(a, b)` → `bool`: `a == b`.
    StrEq = "str_eq",
    /// `(s, sub)` → `bool`: `sub in s`.
    StrContains = "str_contains",
    /// `(s, i)` `int64` → the one-character string `s[i]` (negative counts from the end; `IndexError`).
    StrGetItem = "str_getitem",
    /// `(s, start, stop, step)` → `s[start:stop:step]`.
    StrSlice = "str_slice",
    /// `(s, sub, start, end)` → `int64` lowest position of `sub` in `s[start:end]`, or -1.
    StrFind = "str_find",
    /// As `StrFind`, the highest position.
    StrRFind = "str_rfind",
    /// As `StrFind`, `ValueError("substring not found")` when absent.
    StrIndex = "str_index",
    StrRIndex = "str_rindex",
    /// `(s, sub, start, end)` → `int64` non-overlapping occurrences.
    StrCount = "str_count",
    /// `(s, prefix, start, end)` prefix a str or a tuple of strs → `bool`.
    StrStartsWith = "str_startswith",
    StrEndsWith = "str_endswith",
    /// `(s, sep, maxsplit)` sep a str or `none` (runs of whitespace) → a new list of strs.
    StrSplit = "str_split",
    /// As `StrSplit`, from the right.
    StrRSplit = "str_rsplit",
    /// `(s, keepends)` `bool` → a new list of the lines.
    StrSplitLines = "str_splitlines",
    /// `(sep, items)` items a list or tuple of strs → `sep.join(items)`.
    StrJoin = "str_join",
    /// `(s, chars)` chars a str or `none` (whitespace) → `s.strip(chars)`.
    StrStrip = "str_strip",
    StrLStrip = "str_lstrip",
    StrRStrip = "str_rstrip",
    /// `(s, old, new, count)` `int64` count (-1: all) → `s.replace(old, new, count)`.
    StrReplace = "str_replace",
    /// `(s)` → `s.upper()` (full Unicode case mapping, as Python's).
    StrUpper = "str_upper",
    /// `(class, args)` an `int64` class id (`oxjit_abi::exc::class_id`) and a tuple of numbers, strs, None and tuples of them → a new exception object (`raise E(...)` with run-time arguments).
    ExcNew = "exc_new",
    /// `(e)` an exception object → `str(e)`, as Python's `BaseException.__str__` (a `KeyError`'s one argument as its repr).
    ExcStr = "exc_str",
    StrLower = "str_lower",
    StrCaseFold = "str_casefold",
    StrSwapCase = "str_swapcase",
    StrTitle = "str_title",
    StrCapitalize = "str_capitalize",
    /// `(s)` → `bool` `s.isdigit()`, by Python's Unicode definitions (likewise below).
    StrIsDigit = "str_isdigit",
    StrIsDecimal = "str_isdecimal",
    StrIsNumeric = "str_isnumeric",
    StrIsAlpha = "str_isalpha",
    StrIsAlnum = "str_isalnum",
    StrIsSpace = "str_isspace",
    StrIsUpper = "str_isupper",
    StrIsLower = "str_islower",
    StrIsTitle = "str_istitle",
    StrIsAscii = "str_isascii",
    StrIsIdentifier = "str_isidentifier",
    /// `(s, width)` `int64` → `s.zfill(width)`.
    StrZFill = "str_zfill",
    /// `(s, width, fill)` fill a one-character str → `s.center(width, fill)`.
    StrCenter = "str_center",
    StrLJust = "str_ljust",
    StrRJust = "str_rjust",
    /// `(s, sep)` → `(head, sep, tail)` as `s.partition(sep)`.
    StrPartition = "str_partition",
    StrRPartition = "str_rpartition",
    /// `(s, n)` `int64` tab size → `s.expandtabs(n)`.
    StrExpandTabs = "str_expandtabs",
    /// `(x)` a number, bool, str or `none` → `str(x)` (floats as Python's shortest repr).
    StrOf = "str_of",
    /// `(x)` → `repr(x)` (a str quoted as Python quotes it).
    StrRepr = "str_repr",
    /// `(x, spec)` x a number, bool or str, spec a str → `format(x, spec)` (Python's format mini-language).
    StrFormat = "str_format",
    /// `(fmt, values)` values a tuple → `fmt % values` (printf-style).
    StrPercent = "str_percent",
    /// `(s, base)` `int64` → `int64` `int(s, base)` (`ValueError` as Python's).
    StrToInt = "str_to_int",
    /// `(s)` → `float64` `float(s)`.
    StrToFloat = "str_to_float",
    /// `(s)` a one-character str → `int64` code point (`TypeError` otherwise).
    StrOrd = "str_ord",
    /// `(i)` `int64` → the one-character str (`ValueError` out of range).
    StrChr = "str_chr",
    /// `(s)` → `int64` the string's hash (stable within a process, not Python's).
    StrHash = "str_hash",
}

/// One source dimension of a `View`.
#[derive(Clone, Debug)]
pub enum ViewDim {
    /// A single integer index (`int64`, negative counts from the end): the
    /// dimension is removed.
    Index(Expr),
    /// `start:stop:step` (each `int64` or absent) with Python's slice
    /// semantics; a zero step raises `ValueError`.
    Slice {
        start: Option<Expr>,
        stop: Option<Expr>,
        step: Option<Expr>,
    },
    /// `None` / `np.newaxis`: a new dimension of length 1 (consumes no
    /// source dimension).
    NewAxis,
}

/// Declares a field-less enum with `ALL`, every variant in order (the text
/// form's parser reads variants by their `Debug` names).
macro_rules! unit_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $v:ident,)* }) => {
        $(#[$m])*
        pub enum $name { $($(#[$vm])* $v,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];
        }
    };
}

unit_enum! {
/// Reductions. `Sum`/`Prod` accumulate in the result type (NumPy: ints at
/// least int64, bools as int64); `Min`/`Max` propagate NaN and raise
/// `ValueError` on empty input; `Mean`/`Var`/`Std` are float (complex for
/// complex `Mean`); `ArgMin`/`ArgMax` are `int64` (first occurrence, NaN
/// wins); `All`/`Any` are `bool`; `Var`/`Std` use `ddof` (`int64`, default 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
    Prod,
    Min,
    Max,
    Mean,
    Var,
    Std,
    ArgMin,
    ArgMax,
    All,
    Any,
}
}

unit_enum! {
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Check {
    NonZero,
    NonNegative,
}
}

unit_enum! {
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// Arithmetic negation (ints wrap).
    Neg,
    /// Logical not of a `bool`.
    Not,
    /// Bitwise not of an integer (or logical not of a `bool`).
    Invert,
}
}

unit_enum! {
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    /// True division; operands are float or complex.
    Div,
    /// Python floor division (ints and floats).
    FloorDiv,
    /// Python modulo: the result has the divisor's sign.
    Mod,
    /// Power. Floats/complex: `pow`. Integers: repeated squaring with
    /// wrap-around; the exponent is `int64` and guarded non-negative.
    Pow,
    /// Shifts: the right operand is `int64`; shifting by ≥ the width gives 0
    /// (or -1 for right-shifting a negative signed value), as NumPy does.
    LShift,
    RShift,
    BitAnd,
    BitOr,
    BitXor,
}
}

unit_enum! {
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}
}

/// Built-in operations with fixed semantics. Argument types: see each variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Intrinsic {
    /// One float argument, result of the same float type.
    Math(MathFn),
    /// Two float arguments of one type, result of that type.
    Math2(MathFn2),
    /// Float argument, `bool` result.
    IsNan,
    IsInf,
    IsFinite,
    /// `abs` of an int (wraps for the minimum), float (fabs) or complex (hypot of parts → float).
    Abs,
    /// Two arguments of one scalar type. As Python's `min`/`max`, the first
    /// argument wins ties and unordered (NaN) comparisons: `Min(a, b)` is
    /// `b if b < a else a`.
    Min,
    Max,
    /// Round half to even of a float, result of the same float type.
    RoundEven,
    /// `round(x, ndigits)`: a float or `int64` and an `int64`; result of the
    /// first argument's type (CPython's exact decimal rounding).
    RoundDigits,
    /// Python's `int / int`: two `int64`, the correctly rounded float quotient
    /// (float64 of the result type).
    IntTrueDiv,
    /// A float and an `int64` exponent: `x * 2**e` (`math.ldexp`), result
    /// of the float's type (inf or 0 past the range, as C's `ldexp`).
    Ldexp,
    /// Float argument: `math.frexp`'s mantissa in [0.5, 1) (of the float's
    /// type) and its `int64` exponent; `x` itself and 0 for 0, inf and nan.
    FrexpMantissa,
    FrexpExponent,
    /// Complex argument, float component result.
    Real,
    Imag,
    /// Complex argument and result.
    Conjugate,
    /// Two float arguments of the component type; complex result.
    MakeComplex,
    /// Array argument; `int64` result: extent of dimension k.
    Dim(usize),
    /// Array argument; `int64` result: number of elements.
    Size,
    /// List argument; `int64` result: number of items.
    Len,
    /// Optional argument; `bool` result: whether it is None.
    IsNone,
    /// No argument; `int64` result: the calling thread's index in the
    /// parallel region it runs (0 outside one).
    ThreadId,
    /// No argument; `int64` result: the number of threads parallel code
    /// launched from here uses.
    NumThreads,
}

impl Intrinsic {
    /// The variants without a payload (the text form's parser reads them).
    pub const UNITS: &'static [Intrinsic] = {
        use Intrinsic::*;
        &[
            IsNan,
            IsInf,
            IsFinite,
            Abs,
            Min,
            Max,
            RoundEven,
            RoundDigits,
            IntTrueDiv,
            Ldexp,
            FrexpMantissa,
            FrexpExponent,
            Real,
            Imag,
            Conjugate,
            MakeComplex,
            Size,
            Len,
            IsNone,
            ThreadId,
            NumThreads,
        ]
    };
}

unit_enum! {
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MathFn {
    Sqrt,
    Exp,
    Exp2,
    Expm1,
    Log,
    Log2,
    Log10,
    Log1p,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Floor,
    Ceil,
    Trunc,
    Fabs,
    Erf,
    Erfc,
    Gamma,
    Lgamma,
    Cbrt,
}
}

unit_enum! {
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MathFn2 {
    Atan2,
    Hypot,
    Pow,
    Copysign,
    Fmod,
}
}

/// An expression kind's direct sub-expressions, in evaluation order: one
/// definition for shared (`children!(&kind)`) and mutable
/// (`children!(&mut kind, mut)`) references.
macro_rules! children {
    ($kind:expr $(, $m:ident)?) => {{
        use ExprKind::*;
        match $kind {
            Const(_) | Local(_) | ElemInput(_) | ElemIndex(_) | Uninit => vec![],
            SetLocal(_, x)
            | Cast(x)
            | Unary(_, x)
            | Truth(x)
            | TupleGet(x, _)
            | Transpose { array: x, .. } => vec![&$($m)? **x],
            Guard { value, .. } => vec![&$($m)? **value],
            Binary(_, a, b) | Compare(_, a, b) => vec![&$($m)? **a, &$($m)? **b],
            IfExp(c, a, b) => vec![&$($m)? **c, &$($m)? **a, &$($m)? **b],
            Call(_, xs) | Tuple(xs) | CallFunc { args: xs, .. } | RuntimeCall { args: xs, .. } => {
                xs.into_iter().collect()
            }
            Index { array, indices, .. } => std::iter::once(&$($m)? **array).chain(indices).collect(),
            Elementwise {
                inputs,
                body,
                shape,
                out,
            } => shape
                .into_iter()
                .flatten()
                .chain(out.into_iter().map(|o| &$($m)? **o))
                .chain(inputs)
                .chain(std::iter::once(&$($m)? **body))
                .collect(),
            View { array, dims, .. } => std::iter::once(&$($m)? **array)
                .chain(dims.into_iter().flat_map(|d| match d {
                    ViewDim::Index(i) => vec![i],
                    ViewDim::Slice { start, stop, step } => {
                        [start, stop, step].into_iter().flatten().collect()
                    }
                    ViewDim::NewAxis => vec![],
                }))
                .collect(),
            Reshape { array, shape } => std::iter::once(&$($m)? **array).chain(shape).collect(),
            Reduce { array, ddof, .. } => std::iter::once(&$($m)? **array)
                .chain(ddof.into_iter().map(|d| &$($m)? **d))
                .collect(),
        }
    }};
}

impl Expr {
    pub fn new(kind: ExprKind, ty: Type, span: Span) -> Expr {
        Expr { kind, ty, span }
    }

    /// The direct sub-expressions, in evaluation order.
    pub fn children(&self) -> Vec<&Expr> {
        children!(&self.kind)
    }

    /// The direct sub-expressions, mutably, in evaluation order.
    pub fn children_mut(&mut self) -> Vec<&mut Expr> {
        children!(&mut self.kind, mut)
    }

    pub fn scalar(&self) -> Option<Scalar> {
        self.ty.scalar()
    }
}
